"""The case database: cases, captures and flows in and out, over SQLite or PostgreSQL.

`CaseStore.open(url)` connects and brings the schema to the newest Alembic revision. Flows are written
in batches inside a capture that is opened with `begin_capture` and closed with `finish_capture`; each
batch is committed, so a fault half-way keeps what came before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from importlib.resources import files
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from privprobe.errors import CaseError, StoreError
from privprobe.model import (
    Capture,
    CaptureId,
    CaptureKind,
    Case,
    CaseId,
    EvidenceFile,
    Flow,
    Phase,
    Request,
    Response,
    Transport,
)
from privprobe.store import schema

BATCH = 2000
"""Flows written per statement and commit."""


def migrate(engine: sa.Engine) -> None:
    """Bring the database behind ``engine`` to the newest schema revision."""
    config = Config()
    config.set_main_option("script_location", str(files("privprobe.store") / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class CaseStore:
    """One open case database."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> CaseStore:
        """Connect to ``url`` and migrate it; a `StoreError` names the database when that fails."""
        try:
            engine = sa.create_engine(url, future=True)
            migrate(engine)
        except (sa.exc.SQLAlchemyError, OSError) as error:
            shown = sa.engine.make_url(url).render_as_string(hide_password=True)
            raise StoreError(f"cannot open the case database {shown}: {error.__class__.__name__}") from error
        return cls(engine)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # cases

    def add_case(self, case: Case) -> Case:
        """Save a new case; a `CaseError` when the name is taken."""
        created = case.created or datetime.now(UTC)
        with self.engine.begin() as db:
            if db.execute(sa.select(schema.cases.c.name).where(schema.cases.c.name == case.name)).first():
                raise CaseError(f"case {case.name!r} exists already")
            db.execute(
                schema.cases.insert().values(
                    name=case.name,
                    controller=case.controller,
                    first_party_domains=list(case.first_party_domains),
                    apps=list(case.apps),
                    jurisdiction=case.jurisdiction,
                    created=created,
                )
            )
        return Case(
            case.name, case.controller, case.first_party_domains, case.apps, case.jurisdiction, created
        )

    def case(self, name: str) -> Case:
        """The case called ``name``; a `CaseError` when there is none."""
        with self.engine.connect() as db:
            row = db.execute(sa.select(schema.cases).where(schema.cases.c.name == name)).mappings().first()
        if row is None:
            raise CaseError(f"no case {name!r} (create it with: privprobe case new {name})")
        return _case(row)

    def cases(self) -> list[Case]:
        """Every case in the database, by name."""
        with self.engine.connect() as db:
            rows = db.execute(sa.select(schema.cases).order_by(schema.cases.c.name)).mappings().all()
        return [_case(row) for row in rows]

    # captures

    def begin_capture(
        self, case: CaseId, kind: CaptureKind, label: str, phase: Phase, reader: str
    ) -> CaptureId:
        """Open a new capture in ``case`` and return its number."""
        captures = schema.captures
        with self.engine.begin() as db:
            last = db.execute(
                sa.select(sa.func.max(captures.c.id)).where(captures.c.case_name == case)
            ).scalar_one_or_none()
            number = CaptureId((last or 0) + 1)
            db.execute(
                captures.insert().values(
                    case_name=case,
                    id=number,
                    kind=kind.value,
                    label=label,
                    phase=phase.value,
                    reader=reader,
                    imported=datetime.now(UTC),
                    flow_count=0,
                    partial=False,
                    warnings=[],
                )
            )
        return number

    def add_file(self, case: CaseId, capture: CaptureId, evidence: EvidenceFile) -> None:
        """Record that ``evidence`` is part of the capture."""
        with self.engine.begin() as db:
            db.execute(
                schema.capture_files.insert().values(
                    case_name=case,
                    capture_id=capture,
                    sha256=evidence.sha256,
                    size=evidence.size,
                    original_name=evidence.original_name,
                    format=evidence.format,
                )
            )

    def add_flows(self, case: CaseId, flows: Iterable[Flow]) -> int:
        """Write ``flows`` in committed batches; returns how many were written.

        When ``flows`` raises (a reader fault), the flows before the fault are written first.
        """
        written = 0
        batch: list[dict[str, Any]] = []
        try:
            for flow in flows:
                batch.append(_flow_row(case, flow))
                if len(batch) >= BATCH:
                    written += self._write(batch)
                    batch = []
        finally:
            if batch:
                written += self._write(batch)
        return written

    def _write(self, batch: list[dict[str, Any]]) -> int:
        with self.engine.begin() as db:
            db.execute(schema.flows.insert(), batch)
        return len(batch)

    def finish_capture(self, case: CaseId, capture: CaptureId, **fields: Any) -> None:
        """Close the capture: counts and times from its flows, plus ``fields`` (device, partial, ...)."""
        flows = schema.flows
        where = (flows.c.case_name == case) & (flows.c.capture_id == capture)
        with self.engine.begin() as db:
            count, started, ended = db.execute(
                sa.select(sa.func.count(), sa.func.min(flows.c.time), sa.func.max(flows.c.time)).where(where)
            ).one()
            db.execute(
                schema.captures.update()
                .where((schema.captures.c.case_name == case) & (schema.captures.c.id == capture))
                .values(flow_count=count, started=started, ended=ended, **fields)
            )

    def captures(self, case: str) -> list[Capture]:
        """The captures of ``case`` with their evidence files, in order."""
        with self.engine.connect() as db:
            rows = (
                db.execute(
                    sa.select(schema.captures)
                    .where(schema.captures.c.case_name == case)
                    .order_by(schema.captures.c.id)
                )
                .mappings()
                .all()
            )
            files = (
                db.execute(sa.select(schema.capture_files).where(schema.capture_files.c.case_name == case))
                .mappings()
                .all()
            )
        by_capture: dict[int, list[EvidenceFile]] = {}
        for file in files:
            by_capture.setdefault(file["capture_id"], []).append(
                EvidenceFile(file["sha256"], file["size"], file["original_name"], file["format"])
            )
        return [_capture(row, tuple(by_capture.get(row["id"], ()))) for row in rows]

    # flows

    def flows(self, case: str, capture: int | None = None) -> Iterator[Flow]:
        """The flows of ``case`` (of one capture when given), in capture and sequence order, streaming."""
        flows = schema.flows
        query = sa.select(flows).where(flows.c.case_name == case)
        if capture is not None:
            query = query.where(flows.c.capture_id == capture)
        query = query.order_by(flows.c.capture_id, flows.c.seq)
        with self.engine.connect() as db:
            result = db.execution_options(stream_results=True, yield_per=BATCH).execute(query).mappings()
            for row in result:
                yield _flow(row)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: they were stored as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _case(row: Any) -> Case:
    return Case(
        name=CaseId(row["name"]),
        controller=row["controller"],
        first_party_domains=tuple(row["first_party_domains"]),
        apps=tuple(row["apps"]),
        jurisdiction=row["jurisdiction"],
        created=_utc(row["created"]),
    )


def _capture(row: Any, evidence: tuple[EvidenceFile, ...]) -> Capture:
    return Capture(
        id=CaptureId(row["id"]),
        case=CaseId(row["case_name"]),
        kind=CaptureKind(row["kind"]),
        label=row["label"],
        phase=Phase(row["phase"]),
        files=evidence,
        reader=row["reader"],
        imported=_utc(row["imported"]) or datetime.now(UTC),
        device=row["device"],
        started=_utc(row["started"]),
        ended=_utc(row["ended"]),
        flow_count=row["flow_count"],
        partial=bool(row["partial"]),
        partial_reason=row["partial_reason"],
    )


def _pairs(value: Iterable[tuple[str, str]]) -> list[list[str]]:
    return [[name, text] for name, text in value]


def _flow_row(case: CaseId, flow: Flow) -> dict[str, Any]:
    request, response = flow.request, flow.response
    return {
        "case_name": case,
        "capture_id": flow.capture,
        "seq": flow.seq,
        "position": flow.position,
        "transport": flow.transport.value,
        "phase": flow.phase.value,
        "time": flow.time,
        "host": flow.host,
        "name_source": flow.name_source,
        "server_ip": flow.server_ip,
        "server_port": flow.server_port,
        "client_ip": flow.client_ip,
        "bytes_sent": flow.bytes_sent,
        "bytes_received": flow.bytes_received,
        "notes": list(flow.notes),
        "req_method": request.method if request else None,
        "req_url": request.url if request else None,
        "req_http_version": request.http_version if request else None,
        "req_headers": _pairs(request.headers) if request else None,
        "req_cookies": _pairs(request.cookies) if request else None,
        "req_body": request.body if request else None,
        "req_body_size": request.body_size if request else None,
        "req_body_truncated": request.body_truncated if request else None,
        "resp_status": response.status if response else None,
        "resp_reason": response.reason if response else None,
        "resp_http_version": response.http_version if response else None,
        "resp_headers": _pairs(response.headers) if response else None,
        "resp_body_size": response.body_size if response else None,
        "resp_content_type": response.content_type if response else None,
    }


def _flow(row: Any) -> Flow:
    request = None
    if row["req_method"] is not None:
        request = Request(
            method=row["req_method"],
            url=row["req_url"],
            http_version=row["req_http_version"] or "",
            headers=tuple((k, v) for k, v in row["req_headers"] or ()),
            cookies=tuple((k, v) for k, v in row["req_cookies"] or ()),
            body=row["req_body"],
            body_size=row["req_body_size"] or 0,
            body_truncated=bool(row["req_body_truncated"]),
        )
    response = None
    if row["resp_status"] is not None:
        response = Response(
            status=row["resp_status"],
            reason=row["resp_reason"] or "",
            http_version=row["resp_http_version"] or "",
            headers=tuple((k, v) for k, v in row["resp_headers"] or ()),
            body_size=row["resp_body_size"],
            content_type=row["resp_content_type"],
        )
    return Flow(
        capture=CaptureId(row["capture_id"]),
        seq=row["seq"],
        position=row["position"],
        transport=Transport(row["transport"]),
        phase=Phase(row["phase"]),
        time=_utc(row["time"]),
        host=row["host"],
        name_source=row["name_source"],
        server_ip=row["server_ip"],
        server_port=row["server_port"],
        client_ip=row["client_ip"],
        request=request,
        response=response,
        bytes_sent=row["bytes_sent"],
        bytes_received=row["bytes_received"],
        notes=tuple(row["notes"] or ()),
    )
