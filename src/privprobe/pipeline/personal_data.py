"""Personal data in the flows: the scan of a case, of one file, and the hits with their recipients."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from privprobe import __version__
from privprobe.enrich.destinations import (
    attribute,
)
from privprobe.enrich.personal_data import Scanner
from privprobe.facts import DataHit, Destination
from privprobe.ingest import open_reader
from privprobe.model import Canary, CaptureId, Case, CaseId, Flow
from privprobe.pipeline.evidence import destinations, organisations_of
from privprobe.plugins import ReadContext, Registry
from privprobe.store import Workspace
from privprobe.store.repository import ScanRecord


@dataclass(frozen=True)
class Scanned:
    """What `scan` did."""

    captures: int
    """Captures scanned now (the others were scanned before with the same canaries and detectors)."""
    flows: int
    """Flows searched now."""
    hits: int
    """Hits stored for the captures scanned now."""
    notes: tuple[str, ...]
    """Limits reached while decoding, by flow."""


def scan(workspace: Workspace, case: str, registry: Registry, *, rescan: bool = False) -> Scanned:
    """Search the flows of every capture not yet scanned with the current canaries and detectors."""
    with workspace.store(case) as store:
        case_id = store.case(case).name
        canaries = store.canaries(case)
        scanner = Scanner(canaries, list(registry.detectors.values()))
        fingerprint = scan_fingerprint(canaries, registry)
        done = store.scanned(case)
        totals = [0, 0, 0]
        notes: list[str] = []
        for capture in store.captures(case):
            if not rescan and done.get(capture.id) == fingerprint:
                continue
            found: list[DataHit] = []
            capture_notes: list[str] = []
            for flow in store.flows(case, capture.id):
                result = scanner.scan(flow)
                found.extend(result.hits)
                capture_notes.extend(f"{flow.id}: {note}" for note in result.notes)
            stored = store.replace_hits(
                case_id, capture.id, ScanRecord(fingerprint, tuple(capture_notes)), found
            )
            totals = [totals[0] + 1, totals[1] + capture.flow_count, totals[2] + stored]
            notes.extend(capture_notes)
    return Scanned(totals[0], totals[1], totals[2], tuple(notes))


def scan_file(path: Path, canaries: list[Canary], registry: Registry) -> list[dict[str, object]]:
    """Scan one evidence file without a case (streaming): its hits with their recipients; nothing is stored."""
    reader = open_reader(path, registry)
    scanner = Scanner(canaries, list(registry.detectors.values()))
    found: list[tuple[DataHit, Flow]] = []
    addresses: dict[str, set[str]] = {}
    for flow in reader.read(path, ReadContext(capture=CaptureId(1))):
        for hit in scanner.scan(flow).hits:
            found.append((hit, replace(flow, request=None, response=None)))
            addresses.setdefault(flow.host or "", set()).update([flow.server_ip] if flow.server_ip else [])
    case, table = Case(CaseId(path.name), "", ()), organisations_of(None)
    recipients = {host: attribute(host, ips, case, table) for host, ips in addresses.items() if host}
    return [_hit_row(hit, flow.phase, flow.host, recipients.get(flow.host or "")) for hit, flow in found]


def scan_fingerprint(canaries: list[Canary], registry: Registry) -> str:
    """What a scan's result depends on: the canaries, the detectors, and the version of privprobe."""
    basis = {
        "version": __version__,
        "canaries": sorted((c.name, c.data_type, c.value) for c in canaries),
        "detectors": sorted(registry.detectors),
    }
    return hashlib.sha256(json.dumps(basis, ensure_ascii=False).encode()).hexdigest()


def hits(workspace: Workspace, case: str) -> list[dict[str, object]]:
    """Every stored hit of ``case`` with its flow's phase and host and the recipient's organisation and country."""
    by_host = {row.destination.host: row.destination for row in destinations(workspace, case)}
    with workspace.store(case) as store:
        index = store.flow_index(case)
        rows = []
        for hit in store.hits(case):
            host, phase = index[hit.flow]
            recipient = by_host.get(host or "")
            rows.append(_hit_row(hit, phase, host, recipient))
    return rows


def _hit_row(
    hit: DataHit, phase: str, host: str | None, destination: Destination | None
) -> dict[str, object]:
    organisation = destination.organisation if destination else None
    return {
        "flow": hit.flow,
        "phase": phase,
        "host": host,
        "data_type": hit.data_type,
        "source": hit.source,
        "field": hit.field,
        "encoding": " → ".join(hit.encoding) or "plain",
        "masked": hit.masked,
        "confidence": hit.confidence,
        "explanation": hit.explanation,
        "organisation": organisation.name if organisation else None,
        "organisation_country": organisation.country if organisation else None,
        "server_countries": destination.server_countries if destination else (),
        "party": destination.party if destination else None,
    }
