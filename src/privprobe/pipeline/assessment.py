"""The case as the checks see it, the checks and regimes over it, and the investigator's statuses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.checks import run_checks
from privprobe.assess.regime import Assessment, Period
from privprobe.assess.view import CaseView, FlowInfo
from privprobe.enrich.destinations import (
    DestinationRow,
)
from privprobe.errors import CaseError
from privprobe.findings import Finding, FindingStatus
from privprobe.pipeline.evidence import answers, destinations, organisations_of, policies
from privprobe.plugins import Registry
from privprobe.store import Workspace


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
    extra = tuple(answers(workspace, case))  # what the company stated outside its policy
    readings = tuple(policies(workspace, case))
    return CaseView(record, facts, by_host, flows, hits, readings, extra, organisations=organisations)


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


def regime_names(registry: Registry, regimes: Iterable[str] | None) -> list[str]:
    """The regimes asked for, or every installed one with PIPA first (the law of the case)."""
    if regimes is not None:
        return list(regimes)
    return sorted(registry.regimes, key=lambda name: (name != "pipa", name))
