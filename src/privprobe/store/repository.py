"""The case database: cases, captures and flows in and out, over SQLite or PostgreSQL.

`CaseStore.open(url)` connects and brings the schema to the newest Alembic revision. Flows are written
in batches inside a capture that is opened with `begin_capture` and closed with `finish_capture`; each
batch is committed, so a fault half-way keeps what came before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from privprobe.errors import CaseError, StoreError
from privprobe.facts import DataHit
from privprobe.model import (
    Canary,
    Capture,
    CaptureId,
    CaptureKind,
    Case,
    CaseId,
    EvidenceFile,
    Flow,
    FlowId,
    Phase,
)
from privprobe.store import schema
from privprobe.store.findings import FindingStatuses
from privprobe.store.rows import canary_row, capture_of, case_of, flow_of, flow_row, hit_of, hit_rows, utc

BATCH = 2000
"""Flows written per statement and commit."""


def migrate(engine: sa.Engine) -> None:
    """Bring the database behind ``engine`` to the newest schema revision."""
    config = Config()
    config.set_main_option("script_location", str(files("privprobe.store") / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


HEAVY_COLUMNS = frozenset({"req_headers", "req_cookies", "req_body", "resp_headers"})
"""Flow columns a summary does not need."""


class CaseStore(FindingStatuses):
    """One open case database (finding statuses: `FindingStatuses`)."""

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
        return case_of(row)

    def cases(self) -> list[Case]:
        """Every case in the database, by name."""
        with self.engine.connect() as db:
            rows = db.execute(sa.select(schema.cases).order_by(schema.cases.c.name)).mappings().all()
        return [case_of(row) for row in rows]

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
                batch.append(flow_row(case, flow))
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
        return [capture_of(row, tuple(by_capture.get(row["id"], ()))) for row in rows]

    # flows

    def flows(self, case: str, capture: int | None = None, *, bodies: bool = True) -> Iterator[Flow]:
        """The flows of ``case`` (of one capture when given), in capture and sequence order, streaming.

        ``bodies=False`` leaves out request bodies, headers and cookies and response headers: for
        summaries (destinations) that need only where each flow went, at a fraction of the I/O."""
        flows = schema.flows
        columns = flows.c if bodies else [c for c in flows.c if c.name not in HEAVY_COLUMNS]
        query = sa.select(*columns).where(flows.c.case_name == case)
        if capture is not None:
            query = query.where(flows.c.capture_id == capture)
        query = query.order_by(flows.c.capture_id, flows.c.seq)
        with self.engine.connect() as db:
            result = db.execution_options(stream_results=True, yield_per=BATCH).execute(query).mappings()
            for row in result:
                yield flow_of(row)

    def flow_index(self, case: str) -> dict[FlowId, tuple[str | None, str]]:
        """Flow id → (host, phase) for every flow of ``case``, without reading requests."""
        flows = schema.flows
        query = sa.select(flows.c.capture_id, flows.c.seq, flows.c.host, flows.c.phase).where(
            flows.c.case_name == case
        )
        with self.engine.connect() as db:
            return {FlowId(f"{c}/{s}"): (host, phase) for c, s, host, phase in db.execute(query)}

    # personal data

    def add_canary(self, case: CaseId, canary: Canary) -> None:
        """Save a known value of the test persona; a `CaseError` when the name is taken."""
        with self.engine.begin() as db:
            taken = db.execute(
                sa.select(schema.canaries.c.name).where(
                    (schema.canaries.c.case_name == case) & (schema.canaries.c.name == canary.name)
                )
            ).first()
            if taken:
                raise CaseError(f"canary {canary.name!r} exists already in case {case!r}")
            db.execute(schema.canaries.insert().values(case_name=case, **canary_row(canary)))

    def canaries(self, case: str) -> list[Canary]:
        """The persona's known values in ``case``, by name."""
        table = schema.canaries
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(table).where(table.c.case_name == case).order_by(table.c.name)
            ).mappings()
            return [Canary(row["name"], row["data_type"], row["value"]) for row in rows]

    def scanned(self, case: str) -> dict[int, str]:
        """Capture number → fingerprint of the scan that produced its stored hits."""
        table = schema.scans
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(table.c.capture_id, table.c.fingerprint).where(table.c.case_name == case)
            )
            return {capture: fingerprint for capture, fingerprint in rows}

    def replace_hits(
        self, case: CaseId, capture: CaptureId, scan: ScanRecord, hits: Iterable[DataHit]
    ) -> int:
        """Replace the stored hits of one capture by ``hits`` and record the scan; returns the hit count."""
        where_hits = (schema.hits.c.case_name == case) & (schema.hits.c.capture_id == capture)
        where_scan = (schema.scans.c.case_name == case) & (schema.scans.c.capture_id == capture)
        rows = hit_rows(case, hits)
        with self.engine.begin() as db:
            db.execute(schema.hits.delete().where(where_hits))
            db.execute(schema.scans.delete().where(where_scan))
            for start in range(0, len(rows), BATCH):
                db.execute(schema.hits.insert(), rows[start : start + BATCH])
            db.execute(
                schema.scans.insert().values(
                    case_name=case,
                    capture_id=capture,
                    fingerprint=scan.fingerprint,
                    scanned=datetime.now(UTC),
                    hit_count=len(rows),
                    notes=list(scan.notes),
                )
            )
        return len(rows)

    def hits(self, case: str) -> Iterator[DataHit]:
        """The stored hits of ``case`` in flow order."""
        table = schema.hits
        query = (
            sa.select(table)
            .where(table.c.case_name == case)
            .order_by(table.c.capture_id, table.c.seq, table.c.n)
        )
        with self.engine.connect() as db:
            for row in db.execution_options(stream_results=True, yield_per=BATCH).execute(query).mappings():
                yield hit_of(row)

    def scan_notes(self, case: str) -> list[str]:
        """What the scans of ``case`` noted (limits reached), capture by capture."""
        table = schema.scans
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(table.c.notes).where(table.c.case_name == case).order_by(table.c.capture_id)
            )
            return [note for (notes,) in rows for note in notes]

    # case facts

    def set_fact(self, case: CaseId, key: str, value: str | None) -> None:
        """Set one fact of ``case`` to its canonical text, or unset it with None; the change is audited."""
        self.set_facts(case, {key: value})

    def set_facts(self, case: CaseId, values: Mapping[str, str | None]) -> None:
        """Set or unset (None) several facts in one transaction, recording each real change."""
        table, changes = schema.case_facts, schema.case_fact_changes
        now = datetime.now(UTC)
        with self.engine.begin() as db:
            current = self._fact_values(db, case)
            seq = (
                db.execute(
                    sa.select(sa.func.max(changes.c.seq)).where(changes.c.case_name == case)
                ).scalar_one_or_none()
                or 0
            )
            for key, value in values.items():
                old = current.get(key)
                if old == value:
                    continue
                where = (table.c.case_name == case) & (table.c.key == key)
                db.execute(table.delete().where(where))
                if value is not None:
                    db.execute(table.insert().values(case_name=case, key=key, value=value, set_at=now))
                seq += 1
                db.execute(
                    changes.insert().values(
                        case_name=case, seq=seq, key=key, old_value=old, new_value=value, changed_at=now
                    )
                )

    @staticmethod
    def _fact_values(db: sa.Connection, case: str) -> dict[str, str]:
        table = schema.case_facts
        rows = db.execute(sa.select(table.c.key, table.c.value).where(table.c.case_name == case))
        return {key: value for key, value in rows}

    def facts(self, case: str) -> dict[str, FactRecord]:
        """The facts of ``case`` by key, in key order."""
        table = schema.case_facts
        with self.engine.connect() as db:
            rows = db.execute(sa.select(table).where(table.c.case_name == case).order_by(table.c.key))
            return {row.key: FactRecord(row.key, row.value, utc(row.set_at) or row.set_at) for row in rows}

    def fact_changes(self, case: str) -> list[FactChange]:
        """Every change to the facts of ``case``, oldest first."""
        table = schema.case_fact_changes
        with self.engine.connect() as db:
            rows = db.execute(sa.select(table).where(table.c.case_name == case).order_by(table.c.seq))
            return [
                FactChange(row.key, row.old_value, row.new_value, utc(row.changed_at) or row.changed_at)
                for row in rows
            ]


@dataclass(frozen=True)
class ScanRecord:
    """How a capture was scanned: the fingerprint of canaries and detectors used, and what was noted."""

    fingerprint: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactRecord:
    """A case fact as stored: its canonical text and when it was set (UTC)."""

    key: str
    value: str
    set_at: datetime


@dataclass(frozen=True)
class FactChange:
    """One audited change of a case fact; None as old value means it was unset before, as new: unset."""

    key: str
    old: str | None
    new: str | None
    changed_at: datetime
