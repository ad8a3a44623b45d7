"""Conversions between model objects and database rows (JSON-friendly pairs, naive SQLite times)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

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
    Request,
    Response,
    Transport,
)


def utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: they were stored as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def case_of(row: Any) -> Case:
    return Case(
        name=CaseId(row["name"]),
        controller=row["controller"],
        first_party_domains=tuple(row["first_party_domains"]),
        apps=tuple(row["apps"]),
        jurisdiction=row["jurisdiction"],
        created=utc(row["created"]),
    )


def capture_of(row: Any, evidence: tuple[EvidenceFile, ...]) -> Capture:
    return Capture(
        id=CaptureId(row["id"]),
        case=CaseId(row["case_name"]),
        kind=CaptureKind(row["kind"]),
        label=row["label"],
        phase=Phase(row["phase"]),
        files=evidence,
        reader=row["reader"],
        imported=utc(row["imported"]) or datetime.now(UTC),
        device=row["device"],
        started=utc(row["started"]),
        ended=utc(row["ended"]),
        flow_count=row["flow_count"],
        partial=bool(row["partial"]),
        partial_reason=row["partial_reason"],
    )


def _pairs(value: Iterable[tuple[str, str]]) -> list[list[str]]:
    return [[name, text] for name, text in value]


def flow_row(case: CaseId, flow: Flow) -> dict[str, Any]:
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


def flow_of(row: Any) -> Flow:
    request = None
    if row["req_method"] is not None:
        request = Request(
            method=row["req_method"],
            url=row["req_url"],
            http_version=row["req_http_version"] or "",
            headers=tuple((k, v) for k, v in row.get("req_headers") or ()),
            cookies=tuple((k, v) for k, v in row.get("req_cookies") or ()),
            body=row.get("req_body"),
            body_size=row["req_body_size"] or 0,
            body_truncated=bool(row["req_body_truncated"]),
        )
    response = None
    if row["resp_status"] is not None:
        response = Response(
            status=row["resp_status"],
            reason=row["resp_reason"] or "",
            http_version=row["resp_http_version"] or "",
            headers=tuple((k, v) for k, v in row.get("resp_headers") or ()),
            body_size=row["resp_body_size"],
            content_type=row["resp_content_type"],
        )
    return Flow(
        capture=CaptureId(row["capture_id"]),
        seq=row["seq"],
        position=row["position"],
        transport=Transport(row["transport"]),
        phase=Phase(row["phase"]),
        time=utc(row["time"]),
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


def canary_row(canary: Canary) -> dict[str, Any]:
    return {"name": canary.name, "data_type": canary.data_type, "value": canary.value}


def hit_rows(case: CaseId, hits: Iterable[DataHit]) -> list[dict[str, Any]]:
    """Rows for ``hits``, numbered within each flow."""
    rows: list[dict[str, Any]] = []
    numbers: dict[str, int] = {}
    for hit in hits:
        capture, _, seq = hit.flow.partition("/")
        n = numbers.get(hit.flow, 0)
        numbers[hit.flow] = n + 1
        rows.append(
            {
                "case_name": case,
                "capture_id": int(capture),
                "seq": int(seq),
                "n": n,
                "data_type": hit.data_type,
                "source": hit.source,
                "field": hit.field,
                "encoding": list(hit.encoding),
                "masked": hit.masked,
                "confidence": hit.confidence,
                "explanation": hit.explanation,
            }
        )
    return rows


def hit_of(row: Any) -> DataHit:
    return DataHit(
        flow=FlowId(f"{row['capture_id']}/{row['seq']}"),
        data_type=row["data_type"],
        source=row["source"],
        field=row["field"],
        encoding=tuple(row["encoding"]),
        masked=row["masked"],
        confidence=row["confidence"],
        explanation=row["explanation"],
    )
