"""The report of a case: what every earlier step found, gathered for `privprobe.report` to build."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from privprobe.assess.checks import grade_recipient
from privprobe.assess.view import CaseView
from privprobe.assess.worksheet import PenaltyRequest, estimates
from privprobe.enrich.destinations import DestinationRow
from privprobe.errors import PenaltyError
from privprobe.facts import Declaration, Party
from privprobe.findings import PenaltyKind, SeverityBand
from privprobe.model import Flow
from privprobe.pipeline.assessment import case_view, findings, regime_names
from privprobe.pipeline.evidence import destinations
from privprobe.plugins import Registry
from privprobe.report import PenaltyOutcome, build_report, cites_flow, gather
from privprobe.report.collect import recipient_key
from privprobe.store import CaseStore, Workspace


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
    grades = _grades(view, rows)
    material = gather(
        captures, rows, view, assessment, flows, canaries, grades, _penalty(view, options.penalty)
    )
    return build_report(material, registry, lang=options.lang, regimes=names)


def _grades(view: CaseView, rows: Iterable[DestinationRow]) -> dict[str, tuple[str, Declaration | None]]:
    """How the policy names each third-party recipient, graded once, on its first host."""
    grades: dict[str, tuple[str, Declaration | None]] = {}
    for row in rows:
        destination = row.destination
        if destination.party is Party.THIRD and recipient_key(destination) not in grades:
            grades[recipient_key(destination)] = grade_recipient(view, destination)
    return grades


def _penalty(view: CaseView, request: PenaltyRequest | None) -> PenaltyOutcome:
    """The surcharge worksheet (and fines asked for) for the investigator's choices, default ``serious``."""
    chosen = request or PenaltyRequest(severity=SeverityBand.SERIOUS)
    try:
        found = estimates(view.facts, chosen)
    except PenaltyError as error:
        return PenaltyOutcome(error=str(error))
    kept = tuple(e for e in found if e.kind is not PenaltyKind.GDPR_MAXIMUM)  # EUR: not in a KRW report
    return PenaltyOutcome(kept, None, defaulted=request is None)


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
