"""The story of privprobe, short: evidence in, facts added, (later) law applied, report out.

1. `import_file`: an evidence file is sealed in the evidence store and read into flows of a capture.
2. `destinations`: each host of a case is attributed to an organisation and countries (enrich).
3. `scan`: every flow is searched for the persona's known values and by the detectors (enrich);
   `hits` lists what was found with its recipient.
4. Later stages (declared, assess, report) hang off the same case; see docs/architecture.md.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from privprobe import __version__
from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.checks import run_checks
from privprobe.assess.regime import Assessment, Period
from privprobe.assess.view import CaseView, FlowInfo
from privprobe.assess.worksheet import PenaltyRequest
from privprobe.capture.bundle import FORMAT_VERSION, MANIFEST, verify
from privprobe.declared.policy import Language, Reading, extract, load_policy
from privprobe.declared.policy.load import BUNDLE_POLICY
from privprobe.enrich.canaries import new_canary
from privprobe.enrich.destinations import (
    CountryRow,
    DestinationRow,
    attribute,
    countries,
    registrable_domain,
    summarise,
)
from privprobe.enrich.personal_data import Scanner
from privprobe.enrich.trackerdb import extend, load_trackerdb, locate_trackerdb
from privprobe.errors import CaseError, InputError, ReadError
from privprobe.facts import DataHit, Destination
from privprobe.findings import Finding, FindingStatus
from privprobe.ingest import open_reader
from privprobe.ingest.bundle import bundle_phases, evidence_format
from privprobe.ingest.har import HarReader
from privprobe.model import Canary, Capture, CaptureId, CaptureKind, Case, CaseId, EvidenceFile, Flow, Phase
from privprobe.plugins import ReadContext, Registry
from privprobe.reference import OrganisationTable, load_organisations
from privprobe.report import build_report, cites_flow, gather
from privprobe.store import CaseStore, Workspace
from privprobe.store.repository import ScanRecord
from privprobe.store.workspace import check_case_name

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


def case_view(workspace: Workspace, case: str, rows: Iterable[DestinationRow] | None = None) -> CaseView:
    """Everything the checks read about ``case``: destinations (``rows`` when already computed),
    flows, hits, policies, facts."""
    found = rows if rows is not None else destinations(workspace, case)
    by_host = {row.destination.host: row.destination for row in found}
    with workspace.store(case) as store:
        record = store.case(case)
        flows = {flow: FlowInfo(host or "", phase) for flow, (host, phase) in store.flow_index(case).items()}
        hits = tuple(store.hits(case))
        facts = CaseFacts({key: fact.value for key, fact in store.facts(case).items()})
    organisations = organisations_of(workspace)
    return CaseView(
        record, facts, by_host, flows, hits, tuple(policies(workspace, case)), organisations=organisations
    )


def assess(view: CaseView, registry: Registry, regimes: Iterable[str] | None = None) -> Assessment:
    """Run every check over ``view``, then each regime's rules over the results."""
    results = run_checks(view)
    period = Period(view.facts.day("violation_start"), view.facts.day("violation_end"))
    names = regime_names(registry, regimes)
    unknown = [name for name in names if name not in registry.regimes]
    if unknown:
        raise CaseError(f"no regime {', '.join(unknown)}: installed are {', '.join(registry.regimes)}")
    findings = [f for name in names for f in registry.regimes[name].findings(results, period)]
    return Assessment(tuple(results), tuple(findings), period)


def findings(
    workspace: Workspace,
    case: str,
    registry: Registry,
    regimes: Iterable[str] | None = None,
    view: CaseView | None = None,
) -> Assessment:
    """`assess` of ``case`` with each finding's status and reason as the investigator last set them.

    A stored status for a finding of an assessed regime that the rules no longer raise (the evidence
    or the policy changed) is kept aside in ``orphans``.
    """
    assessed = regime_names(registry, regimes)
    assessment = assess(view or case_view(workspace, case), registry, assessed)
    with workspace.store(case) as store:
        stored = store.finding_statuses(case)
    raised = {finding.id for finding in assessment.findings}
    reviewed = tuple(
        replace(f, status=stored[f.id].status, status_reason=stored[f.id].reason) if f.id in stored else f
        for f in assessment.findings
    )
    orphans = tuple(i for i in stored if i not in raised and i.split(".", 1)[0] in assessed)
    return replace(assessment, findings=reviewed, orphans=orphans)


def review(workspace: Workspace, case: str, registry: Registry, change: Review) -> Finding:
    """Record the investigator's status on a finding the rules raise now; returns it as reviewed."""
    regime = change.finding_id.split(".", 1)[0]
    raised = findings(workspace, case, registry, [regime]).findings if regime in registry.regimes else ()
    finding = next((f for f in raised if f.id == change.finding_id), None)
    if finding is None:
        raise CaseError(
            f"case {case!r} has no finding {change.finding_id!r} (privprobe assess {case} lists the ids)"
        )
    with workspace.store(case) as store:
        record = store.set_finding_status(store.case(case).name, finding.id, change.status, change.reason)
    return replace(finding, status=record.status, status_reason=record.reason)


@dataclass(frozen=True)
class Review:
    """The investigator's status for one finding, with the reason (required to confirm or dismiss)."""

    finding_id: str
    """The id `findings` shows (``pipa.28-8-1:facebook``)."""
    status: FindingStatus
    """The status to record."""
    reason: str = ""
    """Why; required for ``confirmed`` and ``dismissed``."""


def report(
    workspace: Workspace, case: str, registry: Registry, options: ReportOptions | None = None
) -> dict[str, Any]:
    """The report of ``case`` (docs/report-schema.md): what every earlier step found, for `report` to render."""
    options = options or ReportOptions()
    names = regime_names(registry, options.regimes)
    rows = tuple(destinations(workspace, case))
    view = case_view(workspace, case, rows)
    assessment = findings(workspace, case, registry, names, view)
    cited = {ref.ref.split()[0] for f in assessment.findings for ref in f.evidence if cites_flow(ref.kind)}
    with workspace.store(case) as store:
        captures = tuple(store.captures(case))
        canaries = store.canaries(case)
        flows = _cited_flows(store, case, cited)
    material = gather(captures, rows, view, assessment, flows, canaries)
    return build_report(material, registry, lang=options.lang, regimes=names, penalty=options.penalty)


def regime_names(registry: Registry, regimes: Iterable[str] | None) -> list[str]:
    """The regimes asked for, or every installed one with PIPA first (the law of the case)."""
    if regimes is not None:
        return list(regimes)
    return sorted(registry.regimes, key=lambda name: (name != "pipa", name))


@dataclass(frozen=True)
class ReportOptions:
    """What the investigator chooses for a report."""

    lang: str = "ko"
    """``ko`` or ``en``."""
    regimes: tuple[str, ...] | None = None
    """The regimes applied (default: every installed one)."""
    penalty: PenaltyRequest | None = None
    """The penalty choices (default: the ``serious`` band, said to be a default)."""


def _cited_flows(store: CaseStore, case: str, ids: Iterable[str]) -> dict[str, Flow]:
    """The flows ``ids``, one streaming pass per cited capture, left as soon as all are found."""
    wanted: dict[int, set[str]] = {}
    for flow_id in ids:
        capture, _, seq = flow_id.partition("/")
        if capture.isdigit() and seq.isdigit():
            wanted.setdefault(int(capture), set()).add(flow_id)
    found: dict[str, Flow] = {}
    for number, missing in sorted(wanted.items()):
        for flow in store.flows(case, number):  # left early: the generator closes its cursor
            if flow.id in missing:
                found[flow.id] = flow
                missing.discard(flow.id)
                if not missing:
                    break
    return found


@dataclass(frozen=True)
class Investigation:
    """What `investigate` is asked to do."""

    url: str
    """The website."""
    out: Path
    """Folder for the bundle and the reports."""
    lang: str = "ko"
    """Language of the reports."""
    controller: str | None = None
    """The controller, for a new case (default: the site's registrable domain)."""
    pages: int = 5
    """Same-site pages per phase."""
    persona: Path | None = None
    """Persona file: canaries and login steps."""
    resolve: tuple[str, ...] = ()
    """Lab resolve rules."""


def investigate(
    workspace: Workspace,
    case: str,
    registry: Registry,
    request: Investigation,
    progress: Callable[[str], object] | None = None,
) -> list[Path]:
    """The whole story on a website: capture → import → scan → read the policy → assess → report."""
    say = progress or (lambda _text: None)
    _open_case(workspace, case, request)
    bundle = _capture(request)  # 1. the only step that touches the network
    say(f"captured: {bundle}")
    import_bundle(workspace, case, bundle)  # 2. flows of every phase, and the policy the capture saved
    _add_persona(workspace, case, request.persona)
    done = scan(workspace, case, registry)  # 3. personal data in every flow
    say(f"scanned {done.flows} flows: {done.hits} hits")
    document = report(workspace, case, registry, ReportOptions(request.lang))  # 4.-6. assess, report
    return write_reports(document, request.lang, request.out / f"report-{case}")


def write_reports(document: dict[str, Any], lang: str, stem: Path) -> list[Path]:
    """``stem``.json, .html and .pdf of one report."""
    from privprobe.report import write_json
    from privprobe.report.html import render_html
    from privprobe.report.pdf import render_pdf

    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".json"), stem.with_suffix(".html"), stem.with_suffix(".pdf")]
    write_json(document, paths[0])
    paths[1].write_text(render_html(document, lang), encoding="utf-8")
    render_pdf(document, lang, paths[2])
    return paths


def _open_case(workspace: Workspace, case: str, request: Investigation) -> None:
    if case in workspace.case_names():
        return
    host = (urlsplit(request.url).hostname or "").lower()
    domain = registrable_domain(host) or host
    record = Case(CaseId(check_case_name(case)), request.controller or domain, (domain,))
    with workspace.store(case, create=True) as store:
        store.add_case(record)


def _capture(request: Investigation) -> Path:
    from privprobe.capture.browser import CaptureOptions, capture_web

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    options = CaptureOptions(
        request.url, request.out / f"bundle-{stamp}", pages=request.pages, persona=request.persona,
        resolve=request.resolve,
    )  # fmt: skip
    return capture_web(options)


def _add_persona(workspace: Workspace, case: str, persona: Path | None) -> None:
    if persona is None:
        return
    raw = json.loads(persona.read_text(encoding="utf-8"))
    entries = raw.get("canaries", []) if isinstance(raw, dict) else []
    with workspace.store(case) as store:
        record = store.case(case)
        taken = {canary.name for canary in store.canaries(case)}
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("name") not in taken:
                canary = new_canary(entry.get("type"), entry.get("value"), entry.get("name"), taken=taken)
                store.add_canary(record.name, canary)
                taken.add(canary.name)
