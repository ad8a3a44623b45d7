"""What a report reads from a case and the reference data, gathered once and grouped.

`gather` takes what `pipeline.report` read (the case's destinations, its `CaseView`, its findings
with the investigator's statuses, the captures, the canaries and the flows the findings cite). `Recipient` groups the
hosts of one organisation (or one host without a known operator) with the personal data they got;
`country_rows` counts third-party flows per country. A cited flow's URL is shown with every value a
hit found in it (and every canary value) masked, so that no full value of the test persona leaves the evidence.
The ``declared_*`` functions set what the policy declares beside what was observed, with the grades
the checks give; `versions` names every table and version a result depends on.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus

from privprobe import __version__
from privprobe.assess.penalty_law import load_penalty_law
from privprobe.assess.regime import Assessment
from privprobe.assess.view import RECIPIENT_KINDS, CaseView, declaration_ref
from privprobe.declared.policy.vocabulary import load_vocabulary
from privprobe.enrich.destinations import DestinationRow, countries, data_versions, normalise_host
from privprobe.enrich.personal_data import mask
from privprobe.facts import DataHit, Declaration, DeclarationKind, Destination, Party
from privprobe.findings import PenaltyEstimate
from privprobe.model import Canary, Capture, Flow, FlowId, Phase
from privprobe.plugins import Registry

URL_LIMIT = 300
"""Characters of a flow's URL shown in a report."""
QUOTE_LIMIT = 200
"""Characters of a policy passage quoted."""
COUNTRY_KINDS = (
    DeclarationKind.TRANSFERS_ABROAD,
    DeclarationKind.STORES_IN,
    DeclarationKind.PROVIDES,
    DeclarationKind.ENTRUSTS,
)
"""Declarations whose countries count as declared destinations (as `checks.country_undeclared` reads them)."""


@dataclass
class Recipient:
    """The hosts of one organisation (or one unattributed host) that the case's flows reached."""

    key: str
    """Organisation id, or the host when the reference table knows no operator (as the checks say)."""
    name: str | None
    """The organisation's name; None for an unattributed host."""
    country: str | None
    """The organisation's registered seat; None when unknown."""
    party: Party
    """First or third party."""
    destinations: list[Destination] = field(default_factory=list)
    """Its hosts."""
    flows: int = 0
    """Flows to its hosts."""
    phases: set[str] = field(default_factory=set)
    """Consent phases in which its hosts were contacted."""
    received: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Consent phase → data types found in flows to its hosts."""
    hits: list[DataHit] = field(default_factory=list)
    """The hits in flows to its hosts."""

    @property
    def data_types(self) -> list[str]:
        """Every data type it received, sorted."""
        return sorted({data_type for types in self.received.values() for data_type in types})


@dataclass(frozen=True)
class PenaltyOutcome:
    """The estimates of the penalty worksheet, or the reason the case facts allow none."""

    estimates: tuple[PenaltyEstimate, ...] = ()
    """Surcharge (and any fines asked for), step by step."""
    error: str | None = None
    """Why nothing was computed (a fact not entered)."""
    defaulted: bool = False
    """The severity band is the default, not the investigator's choice."""


@dataclass(frozen=True)
class Material:
    """Everything a report is built from, read from one case."""

    captures: tuple[Capture, ...]
    """The case's captures with their evidence files, in order."""
    rows: tuple[DestinationRow, ...]
    """One row per host contacted."""
    view: CaseView
    """The case as the checks see it (facts, hits, policies, destinations)."""
    assessment: Assessment
    """The check results and the findings, with the investigator's statuses."""
    recipients: tuple[Recipient, ...]
    """First- and third-party recipients: third parties first, by flows, then by key."""
    flows: Mapping[str, dict[str, object]]
    """The flows the findings cite, as the report shows them."""
    grades: Mapping[str, tuple[str, Declaration | None]]
    """Third-party recipient key → how the policy names it (clear, vague, omitted) and the deciding
    declaration, as the assessment grades it."""
    penalty: PenaltyOutcome
    """The penalty worksheet the pipeline computed, or why it could not."""

    def third_parties(self) -> list[Recipient]:
        """The third-party recipients, most contacted first."""
        return [r for r in self.recipients if r.party is Party.THIRD]


def gather(
    captures: tuple[Capture, ...],
    rows: tuple[DestinationRow, ...],
    view: CaseView,
    assessment: Assessment,
    flows: Mapping[str, Flow],
    canaries: list[Canary],
    grades: Mapping[str, tuple[str, Declaration | None]],
    penalty: PenaltyOutcome,
) -> Material:
    """The material of a report from what the pipeline read; cited flows shown masked and cut."""
    by_flow: dict[str, list[DataHit]] = defaultdict(list)
    for hit in view.hits:
        by_flow[hit.flow].append(hit)
    shown = {flow_id: flow_row(flow, by_flow[flow_id], canaries) for flow_id, flow in flows.items()}
    recipients = group_recipients(rows, view)
    return Material(captures, rows, view, assessment, recipients, shown, grades, penalty)


def cites_flow(kind: str) -> bool:
    """Whether evidence of ``kind`` cites a flow (its ref starts with the flow id)."""
    return kind in ("hit", "flow")


def destination_of(view: CaseView, flow: FlowId) -> Destination | None:
    """The destination of a flow, looked up as the checks do (by its stored host)."""
    info = view.flows.get(flow)
    if info is None:
        return None
    return view.destinations.get(info.host) or view.destinations.get(normalise_host(info.host))


def recipient_key(destination: Destination) -> str:
    """The organisation id, or the host without one: the subject the checks and findings use."""
    return destination.organisation.id if destination.organisation else destination.host


def group_recipients(rows: Iterable[DestinationRow], view: CaseView) -> tuple[Recipient, ...]:
    """The hosts of first and third parties grouped by recipient, with the data types each received."""
    found: dict[str, Recipient] = {}
    for row in rows:
        d = row.destination
        if d.party is Party.UNKNOWN:
            continue
        organisation = d.organisation
        key = recipient_key(d)
        if key not in found:
            name, seat = (organisation.name, organisation.country or None) if organisation else (None, None)
            found[key] = Recipient(key, name, seat, d.party)
        recipient = found[key]
        recipient.destinations.append(d)
        recipient.flows += row.flows
        recipient.phases.update(phase.value for phase in row.phases)
    for hit in view.hits:
        destination = destination_of(view, hit.flow)
        receiver = found.get(recipient_key(destination)) if destination else None
        if receiver is not None:
            receiver.received[view.flows[hit.flow].phase].add(hit.data_type)
            receiver.hits.append(hit)
    return tuple(sorted(found.values(), key=lambda r: (r.party is not Party.THIRD, -r.flows, r.key)))


def flow_row(flow: Flow, hits: Iterable[DataHit], canaries: Iterable[Canary]) -> dict[str, object]:
    """A cited flow as a report shows it: no headers, no body, the URL masked and cut."""
    request = flow.request
    return {
        "id": flow.id,
        "method": request.method if request else None,
        "url": cut(masked_url(request.url, hits, canaries), URL_LIMIT) if request else None,
        "host": flow.host,
        "phase": Phase(flow.phase).value,
    }


def masked_url(url: str, hits: Iterable[DataHit], canaries: Iterable[Canary]) -> str:
    """``url`` with the value of every query field a hit names, and every canary value, masked."""
    masked = {hit.field.removeprefix("query."): hit.masked for hit in hits if hit.field.startswith("query.")}
    base, mark, rest = url.partition("?")
    if mark and masked:
        query, hash_mark, fragment = rest.partition("#")
        pairs = []
        for pair in query.split("&"):
            name, equals, _ = pair.partition("=")
            key = unquote_plus(name)
            pairs.append(f"{name}={quote(masked[key], safe='*@')}" if equals and key in masked else pair)
        url = f"{base}?{'&'.join(pairs)}{hash_mark}{fragment}"
    for canary in canaries:
        value = canary.value.strip()
        if len(value) < 3:
            continue  # too short to tell from ordinary text; the hits above cover the fields found
        shown = mask(value, canary.data_type)
        for form in dict.fromkeys((value, quote(value, safe=""), quote_plus(value), quote(value))):
            url = _replaced(url, form, shown)
    return url


def _replaced(text: str, value: str, shown: str) -> str:
    """``text`` with every occurrence of ``value``, in any letter case, replaced by ``shown``."""
    return re.compile(re.escape(value), re.IGNORECASE).sub(lambda _: shown, text)


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def country_rows(material: Material) -> list[dict[str, Any]]:
    """Third-party flows per country, by organisation seat and by server registration; shares of 0-1."""
    third = [row for row in material.rows if row.destination.party is Party.THIRD]
    total = sum(row.flows for row in third)
    types_by_host: dict[str, set[str]] = {}
    for recipient in material.third_parties():
        for hit in recipient.hits:
            destination = destination_of(material.view, hit.flow)
            if destination is not None:
                types_by_host.setdefault(destination.host, set()).add(hit.data_type)
    rows = []
    for tally in countries(third):
        if tally.by == "organisation":
            hosts = [r.destination for r in third if _seat(r.destination) == tally.country]
        else:
            hosts = [
                r.destination
                for r in third
                if tally.country in r.destination.server_countries
                or (tally.country is None and not r.destination.server_countries)
            ]
        found = {t for d in hosts for t in types_by_host.get(d.host, ())}
        rows.append({
            "country": tally.country,
            "by": tally.by,
            "flows": tally.flows,
            # rounded down, so that the shares of one ``by`` never sum to more than 1
            "share": math.floor(tally.flows / total * 10_000) / 10_000 if total else 0.0,
            "organisations": list(tally.organisations),
            "data_types": sorted(found),
        })  # fmt: skip
    return rows


def _seat(destination: Destination) -> str | None:
    organisation = destination.organisation
    return (organisation.country or None) if organisation is not None else None


def quoted(view: CaseView, declaration: Declaration | None) -> str | None:
    """The policy text of ``declaration``, cut; None without one or without its policy."""
    if declaration is None:
        return None
    for reading in view.readings:
        if reading.document.sha256 == declaration.source.document:
            return cut(reading.document.quote(declaration.source), QUOTE_LIMIT)
    return None


def _row(
    view: CaseView, subject: str, observed: bool, grade: str, said: Declaration | None
) -> dict[str, Any]:
    return {"subject": subject, "observed": observed, "declared": grade, "declaration": quoted(view, said)}


def declared_recipients(material: Material) -> list[dict[str, Any]]:
    """Third-party recipients graded against the recipients the policy names, then those only declared."""
    view = material.view
    rows: list[dict[str, Any]] = []
    deciding: set[Declaration] = set()
    lineage: set[str] = set()
    for recipient in material.third_parties():
        grade, said = material.grades.get(recipient.key, ("omitted", None))
        rows.append(_row(view, recipient.key, True, grade, said))
        deciding.update([said] if said is not None else [])
        lineage.update(_lineage(view, recipient.key))
    only: dict[str, Declaration] = {}
    for d in view.declared(*RECIPIENT_KINDS):
        subject = d.organisation or d.recipient
        if subject and d not in deciding and (d.organisation is None or d.organisation not in lineage):
            only.setdefault(subject, d)
    rows.sort(key=lambda row: row["subject"])
    return rows + [_row(view, s, False, "declared_only", d) for s, d in sorted(only.items())]


def _lineage(view: CaseView, organisation: str) -> list[str]:
    chain = [organisation]
    while (row := view.organisations.get(chain[-1])) is not None and row.parent and row.parent not in chain:
        chain.append(row.parent)
    return chain


def declared_countries(material: Material) -> list[dict[str, Any]]:
    """Countries that received personal data, as the checks grade them, then the ones only declared."""
    view, results = material.view, material.assessment.results
    observed = sorted({r.detail("country") for r in results if r.check == "sent_abroad"} - {""})
    undeclared = {r.subject: r for r in results if r.check == "country_undeclared"}
    declared = view.declared(*COUNTRY_KINDS)
    rows = []
    for country in observed:
        result = undeclared.get(country)
        if result is None:
            said = next((d for d in declared if country in d.countries), None)
            rows.append(_row(view, country, True, "clear", said))
        else:
            refs = {ref.ref for ref in result.evidence if ref.kind == "declaration"}
            said = next((d for d in view.declarations if declaration_ref(d).ref in refs), None)
            rows.append(_row(view, country, True, result.detail("grade", "omitted"), said))
    only: dict[str, Declaration] = {}
    for d in declared:
        for country in d.countries:
            if country not in ("ZZ", view.jurisdiction) and country not in observed:
                only.setdefault(country, d)
    return rows + [_row(view, c, False, "declared_only", d) for c, d in sorted(only.items())]


def declared_data_types(material: Material) -> list[dict[str, Any]]:
    """Data types sent to third parties, as the checks grade them, then the ones only declared."""
    view, results = material.view, material.assessment.results
    observed = sorted({hit.data_type for hit, _ in view.third_party_hits()})
    omitted = {r.subject for r in results if r.check == "data_type_undeclared"}
    rows = []
    for data_type in observed:
        said = next((d for d in view.declarations if data_type in d.data_types), None)
        grade = "omitted" if data_type in omitted or said is None else "clear"
        rows.append(_row(view, data_type, True, grade, said if grade == "clear" else None))
    only: dict[str, Declaration] = {}
    for d in view.declarations:
        for data_type in d.data_types:
            if data_type not in observed:
                only.setdefault(data_type, d)
    return rows + [_row(view, t, False, "declared_only", d) for t, d in sorted(only.items())]


def versions(material: Material, registry: Registry, regimes: list[str]) -> dict[str, Any]:
    """Every version a result depends on: privprobe, Python, reference tables, rules, browser."""
    view = material.view
    devices = sorted({c.device for c in material.captures if c.device})
    rules = [
        _reference_version(f"rules_{name}.json") or f"{name}: {type(registry.regimes[name]).__module__}"
        for name in regimes
    ]
    return {
        "privprobe": __version__,
        "python": platform.python_version(),
        **data_versions(view.organisations),
        "data_types": view.data_types.version,
        "lexicons": load_vocabulary().version,
        "policy_checklist": _reference_version("policy_checklist.json"),
        "rules": "; ".join(rules),
        "penalty": load_penalty_law().version,
        "browser": "; ".join(devices) or None,
    }


def _reference_version(name: str) -> str | None:
    """``<table> <as_of>, sha256 <prefix>`` for a JSON table of ``privprobe.reference``; None if absent."""
    resource = files("privprobe.reference").joinpath(name)
    if not resource.is_file():
        return None
    data = resource.read_bytes()
    as_of = json.loads(data).get("as_of", "undated")
    return f"{name.removesuffix('.json')} {as_of}, sha256 {hashlib.sha256(data).hexdigest()[:12]}"
