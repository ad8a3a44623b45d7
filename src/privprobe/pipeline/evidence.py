"""Evidence in: files and bundles sealed and read into captures, policies attached, destinations summarised."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from privprobe.capture.bundle import FORMAT_VERSION, MANIFEST, verify
from privprobe.declared.policy import Language, Reading, extract, load_policy
from privprobe.declared.policy.load import BUNDLE_POLICY
from privprobe.declared.questionnaire import read_answers
from privprobe.enrich.destinations import (
    CountryRow,
    DestinationRow,
    countries,
    summarise,
)
from privprobe.enrich.trackerdb import extend, load_trackerdb, locate_trackerdb
from privprobe.errors import InputError, ReadError
from privprobe.facts import Declaration
from privprobe.ingest import open_reader
from privprobe.ingest.bundle import bundle_phases, evidence_format
from privprobe.ingest.har import HarReader
from privprobe.model import Capture, CaptureId, CaptureKind, CaseId, EvidenceFile, Flow, Phase
from privprobe.plugins import ReadContext, Registry
from privprobe.reference import OrganisationTable, load_organisations
from privprobe.store import CaseStore, Workspace

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
        error = _read(store, case_id, reader.read(path, context), progress)
        store.add_file(case_id, capture, _with_format(evidence, context.format))
        return _finish(store, case_id, capture, context, [str(error)] if error else [], error)


def import_bundle(
    workspace: Workspace, case: str, folder: Path, *, progress: Progress | None = None
) -> list[Imported]:
    """Verify the evidence bundle at ``folder``, then import each phase that happened as named.

    Phases whose consent action could not be performed (``no_banner``) or that failed are left out:
    `bundle_phases` says why. A bundle that does not verify is refused whole.
    """
    if problems := verify(folder):
        listed = "; ".join(str(problem) for problem in problems[:5])
        more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise InputError(folder, f"does not verify: {listed}{more} (privprobe verify lists them all)")
    reader, imported = HarReader(), []
    with workspace.store(case) as store:
        case_id = store.case(case).name
        manifest = workspace.evidence.put(folder / MANIFEST, format=evidence_format(folder / MANIFEST))
        for phase in (p for p in bundle_phases(folder) if p.importable):
            reader_name = f"bundle {FORMAT_VERSION}, {reader.name} {reader.version}"
            capture = store.begin_capture(case_id, CaptureKind.WEB, phase.label, phase.phase, reader_name)
            context = ReadContext(capture=capture, phase=phase.phase, device=phase.device)
            error = _read(store, case_id, reader.read(phase.har, context), progress) if phase.har else None
            for path in phase.files:
                kept = workspace.evidence.put(
                    path, evidence_format(path), name=path.relative_to(folder).as_posix()
                )
                store.add_file(
                    case_id, capture, _with_format(kept, context.format if path == phase.har else None)
                )
            store.add_file(case_id, capture, manifest)
            reasons = [reason for reason in (phase.partial_reason, str(error) if error else None) if reason]
            imported.append(_finish(store, case_id, capture, context, reasons, error))
    if (folder / BUNDLE_POLICY).is_file():
        imported.append(_bundle_policy(workspace, case, folder))
    return imported


def _bundle_policy(workspace: Workspace, case: str, folder: Path) -> Imported:
    """The bundle's privacy policy as a policy capture; a page that is not one is kept as evidence."""
    try:
        return Imported(add_policy(workspace, case, folder), None)
    except InputError as fault:
        with workspace.store(case) as store:
            case_id = store.case(case).name
            capture = store.begin_capture(
                case_id, CaptureKind.POLICY, BUNDLE_POLICY.as_posix(), Phase.UNKNOWN, POLICY_READER
            )
            kept = workspace.evidence.put(
                folder / BUNDLE_POLICY, "text/html", name=f"{folder.name}/{BUNDLE_POLICY.as_posix()}"
            )
            store.add_file(case_id, capture, kept)
            error = ReadError(folder / BUNDLE_POLICY, "policy", fault.detail)
            store.finish_capture(case_id, capture, partial=True, partial_reason=str(error), warnings=[])
            return Imported(next(c for c in store.captures(case) if c.id == capture), error)


def _read(
    store: CaseStore, case: CaseId, flows: Iterator[Flow], progress: Progress | None
) -> ReadError | None:
    """Store ``flows``; the reader's fault, if it stopped at one (the flows before it are kept)."""
    try:
        store.add_flows(case, _counted(flows, progress))
    except ReadError as fault:
        return fault
    return None


def _finish(
    store: CaseStore,
    case: CaseId,
    capture: CaptureId,
    context: ReadContext,
    reasons: list[str],
    error: ReadError | None,
) -> Imported:
    store.finish_capture(
        case,
        capture,
        device=context.device,
        partial=bool(reasons),
        partial_reason="; ".join(reasons) or None,
        warnings=context.warnings,
    )
    return Imported(next(c for c in store.captures(case) if c.id == capture), error)


def organisations_of(workspace: Workspace | None) -> OrganisationTable:
    """The reference organisations, extended by the TrackerDB imported into ``workspace``, if any."""
    table = load_organisations()
    if workspace is not None and workspace.trackerdb.exists():
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
        return summarise(store.flows(case, bodies=False), store.case(case), organisations_of(workspace))


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


POLICY_READER = "policy 1"
"""The reader name recorded on policy captures."""


def add_policy(workspace: Workspace, case: str, path: Path, lang: Language | None = None) -> Capture:
    """Read the policy at ``path`` (refused if it does not read as one), seal it, record a capture."""
    document = load_policy(path, lang)
    source = path / BUNDLE_POLICY if path.is_dir() else path
    with workspace.store(case) as store:
        case_id = store.case(case).name
        evidence = workspace.evidence.put(source, format=document.media_type, name=document.source_name)
        capture = store.begin_capture(
            case_id, CaptureKind.POLICY, document.source_name, Phase.UNKNOWN, POLICY_READER
        )
        store.add_file(case_id, capture, evidence)
        notes = [f"language {document.language}", *document.notes]
        store.finish_capture(case_id, capture, partial=False, partial_reason=None, warnings=notes)
        return next(c for c in store.captures(case) if c.id == capture)


def policies(workspace: Workspace, case: str) -> list[Reading]:
    """Every policy attached to ``case``, read from the evidence store, oldest first."""
    with workspace.store(case) as store:
        captures = [c for c in store.captures(case) if c.kind is CaptureKind.POLICY]
    readings = []
    for capture in captures:
        for evidence in capture.files:
            path = workspace.evidence.path_of(evidence.sha256)
            readings.append(extract(load_policy(path, name=evidence.original_name)))
    return readings


ANSWERS_READER = "answers 1"
"""The reader name recorded on questionnaire-answer captures."""


def add_answers(workspace: Workspace, case: str, path: Path) -> Capture:
    """Read the company's questionnaire answers at ``path`` (refused if a row is bad), seal them."""
    statements = read_answers(path)
    with workspace.store(case) as store:
        case_id = store.case(case).name
        evidence = workspace.evidence.put(path, format="text/csv", name=path.name)
        capture = store.begin_capture(case_id, CaptureKind.ANSWERS, path.name, Phase.UNKNOWN, ANSWERS_READER)
        store.add_file(case_id, capture, evidence)
        notes = [f"{len(statements)} statements"]
        store.finish_capture(case_id, capture, partial=False, partial_reason=None, warnings=notes)
        return next(c for c in store.captures(case) if c.id == capture)


def answers(workspace: Workspace, case: str) -> list[Declaration]:
    """Every statement of the questionnaire answers attached to ``case``, oldest file first."""
    with workspace.store(case) as store:
        captures = [c for c in store.captures(case) if c.kind is CaptureKind.ANSWERS]
    found: list[Declaration] = []
    for capture in captures:
        for evidence in capture.files:
            found += read_answers(workspace.evidence.path_of(evidence.sha256))
    return found
