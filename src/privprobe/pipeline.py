"""The story of privprobe, short: evidence in, facts added, (later) law applied, report out.

1. `import_file`: an evidence file is sealed in the evidence store and read into flows of a capture.
2. `destinations`: each host of a case is attributed to an organisation and countries (enrich).
3. Later stages (declared, assess, report) hang off the same case; see docs/architecture.md.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from privprobe.enrich.destinations import CountryRow, DestinationRow, countries, summarise
from privprobe.errors import ReadError
from privprobe.ingest import open_reader
from privprobe.model import Capture, EvidenceFile, Flow, Phase
from privprobe.plugins import ReadContext, Registry
from privprobe.enrich.trackerdb import extend, load_trackerdb, locate_trackerdb
from privprobe.reference import OrganisationTable, load_organisations
from privprobe.store import Workspace

Progress = Callable[[int], None]
"""Called with the number of flows read so far."""


@dataclass(frozen=True)
class Imported:
    """What `import_file` did: the capture made, and the fault when reading stopped early."""

    capture: Capture
    error: ReadError | None


def import_file(
    workspace: Workspace,
    case: str,
    path: Path,
    registry: Registry,
    *,
    phase: Phase = Phase.UNKNOWN,
    label: str | None = None,
    progress: Progress | None = None,
) -> Imported:
    """Seal ``path`` in the evidence store and read it into a new capture of ``case``.

    A reader fault keeps the flows read before it and marks the capture partial with the fault.
    """
    reader = open_reader(path, registry)
    with workspace.store(case) as store:
        case_id = store.case(case).name
        evidence = workspace.evidence.put(path, format=reader.name)
        capture = store.begin_capture(
            case_id, reader.kind, label or path.name, phase, f"{reader.name} {reader.version}"
        )
        context = ReadContext(capture=capture, phase=phase)
        error: ReadError | None = None
        try:
            store.add_flows(case_id, _counted(reader.read(path, context), progress))
        except ReadError as fault:
            error = fault
        store.add_file(case_id, capture, _with_format(evidence, context.format))
        store.finish_capture(
            case_id,
            capture,
            device=context.device,
            partial=error is not None,
            partial_reason=str(error) if error else None,
            warnings=context.warnings,
        )
        finished = next(c for c in store.captures(case_id) if c.id == capture)
    return Imported(finished, error)


def organisations(workspace: Workspace) -> OrganisationTable:
    """The reference organisations, extended by the user's TrackerDB when one was imported."""
    table = load_organisations()
    if workspace.trackerdb.exists():
        table = extend(table, load_trackerdb(workspace.trackerdb))
    return table


def import_trackerdb(workspace: Workspace, path: Path) -> int:
    """Check the user's TrackerDB at ``path`` and keep a copy in the workspace; returns its organisations."""
    imported = load_trackerdb(path)
    workspace.trackerdb.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(locate_trackerdb(path), workspace.trackerdb)
    return len(imported)


def destinations(workspace: Workspace, case: str) -> list[DestinationRow]:
    """One row per host contacted in ``case``: organisation, countries, party, flows, bytes sent."""
    with workspace.store(case) as store:
        return summarise(store.flows(case), store.case(case), organisations(workspace))


def destination_countries(workspace: Workspace, case: str) -> list[CountryRow]:
    """Flows and organisations per destination country of ``case``."""
    return countries(destinations(workspace, case))


def _counted(flows: Iterator[Flow], progress: Progress | None) -> Iterator[Flow]:
    for count, flow in enumerate(flows, 1):
        if progress is not None and count % 500 == 0:
            progress(count)
        yield flow


def _with_format(evidence: EvidenceFile, sniffed: str | None) -> EvidenceFile:
    return replace(evidence, format=sniffed) if sniffed else evidence
