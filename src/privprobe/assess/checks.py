"""Law-neutral checks: small functions over a `CaseView`, each returning `CheckResult`s with evidence.

A check states a fact ("Meta received the e-mail address, hashed, after the user refused"; "the
policy names no recipient in Singapore"); it never cites an article. The regimes (`pipa`, `gdpr`)
turn results into findings. Every check is listed in `CHECKS`, in the order a report shows them.

Observed recipients are compared with declared ones entity by entity, as PoliCheck does: a recipient
is **clear** when a declaration names the same organisation (or one of its parents: "Google LLC"
covers Google Analytics), **vague** when only a category is declared ("advertising partners",
"해외 클라우드 사업자"), **omitted** otherwise. Countries are graded the same way ("worldwide" is vague).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from privprobe.assess.view import PROCESSOR_CATEGORIES, RECIPIENT_KINDS, CaseView, declaration_ref, hit_ref
from privprobe.facts import DataHit, Declaration, DeclarationKind, Destination
from privprobe.findings import CheckResult, EvidenceRef
from privprobe.reference.lexicon import load_policy_lexicon

K = DeclarationKind


Check = Callable[[CaseView], list[CheckResult]]


def _who(destination: Destination) -> str:
    return destination.organisation.id if destination.organisation else destination.host


def _role(destination: Destination) -> str:
    organisation = destination.organisation
    return "trustee" if organisation and organisation.category in PROCESSOR_CATEGORIES else "third_party"


def _grouped(pairs: Iterable[tuple[DataHit, Destination]]) -> dict[str, list[tuple[DataHit, Destination]]]:
    groups: dict[str, list[tuple[DataHit, Destination]]] = defaultdict(list)
    for hit, destination in pairs:
        groups[_who(destination)].append((hit, destination))
    return groups


def _types(pairs: list[tuple[DataHit, Destination]]) -> str:
    return ", ".join(sorted({hit.data_type for hit, _ in pairs}))


def _sent_in(view: CaseView, phase: str, check: str, when: str) -> list[CheckResult]:
    results = []
    for who, pairs in sorted(_grouped(view.third_party_hits([phase])).items()):
        destination = pairs[0][1]
        name = destination.organisation.name if destination.organisation else destination.host
        results.append(CheckResult(
            check, who, f"{name} received {_types(pairs)} {when} ({len(pairs)} hits).",
            tuple(hit_ref(hit) for hit, _ in pairs[:10]),
            (("phase", phase), ("data_types", _types(pairs)), ("role", _role(destination)),
             ("category", destination.organisation.category if destination.organisation else "")),
        ))  # fmt: skip
    return results


def sent_before_consent(view: CaseView) -> list[CheckResult]:
    """Personal data or identifiers sent to a third party before the user touched the consent banner."""
    return _sent_in(view, "before_consent", "sent_before_consent", "before consent")


def sent_after_refusal(view: CaseView) -> list[CheckResult]:
    """Personal data or identifiers sent to a third party after the user refused."""
    return _sent_in(view, "refused", "sent_after_refusal", "after the user refused")


def _abroad(view: CaseView, destination: Destination) -> list[tuple[str, str]]:
    """(country, how known) for a destination outside the jurisdiction: the operating organisation's
    own seat first (Pangle's, not its Cayman holding's), then the servers' registration countries."""
    found: dict[str, list[str]] = {}
    if destination.leaves_by_organisation:
        seats = [o.country for o in (destination.organisation, destination.parent) if o is not None]
        seat = next((country for country in seats if country != view.jurisdiction), None)
        if seat:
            found.setdefault(seat, []).append("organisation seat")
    if destination.leaves_by_server:
        for country in destination.server_countries:
            if country != view.jurisdiction:
                found.setdefault(country, []).append("server registration")
    return [(country, " and ".join(how)) for country, how in found.items()]


def sent_abroad(view: CaseView) -> list[CheckResult]:
    """Personal data or identifiers received by a recipient outside the jurisdiction, per country."""
    results = []
    for who, pairs in sorted(_grouped(view.third_party_hits()).items()):
        destination = pairs[0][1]
        for country, how in _abroad(view, destination):
            phases = ", ".join(sorted({view.flows[hit.flow].phase for hit, _ in pairs}))
            results.append(CheckResult(
                "sent_abroad", f"{who}@{country}",
                f"{who} ({country}, by {how}) received {_types(pairs)} in phases {phases}.",
                (*(hit_ref(hit) for hit, _ in pairs[:10]),
                 EvidenceRef("destination", destination.host, destination.jurisdiction_evidence)),
                (("organisation", who), ("country", country), ("by", how), ("data_types", _types(pairs)),
                 ("role", _role(destination)), ("phases", phases)),
            ))  # fmt: skip
    return results


def _ancestors(view: CaseView, organisation: str) -> list[str]:
    chain, seen = [organisation], {organisation}
    while (row := view.organisations.get(chain[-1])) is not None and row.parent and row.parent not in seen:
        chain.append(row.parent)
        seen.add(row.parent)
    return chain


def grade_recipient(view: CaseView, destination: Destination) -> tuple[str, Declaration | None]:
    """``clear``, ``vague`` or ``omitted``, with the declaration that decides it."""
    declared = view.declared(*RECIPIENT_KINDS)
    if destination.organisation is not None:
        chain = _ancestors(view, destination.organisation.id)
        for declaration in declared:
            if declaration.organisation and declaration.organisation in chain:
                return "clear", declaration
    category = destination.organisation.category if destination.organisation else ""
    lexicon = load_policy_lexicon()
    vague = [d for d in declared if d.vague and d.recipient and lexicon.covers(d.recipient, category)]
    return ("vague", vague[0]) if vague else ("omitted", None)


def recipient_undeclared(view: CaseView) -> list[CheckResult]:
    """Third parties that received personal data, graded against the recipients the policy names."""
    results = []
    for who, pairs in sorted(_grouped(view.third_party_hits()).items()):
        destination = pairs[0][1]
        grade, declaration = grade_recipient(view, destination)
        if grade == "clear":
            continue
        evidence = [hit_ref(hit) for hit, _ in pairs[:5]]
        counter: tuple[str, ...] = ()
        if declaration is not None:
            evidence.append(declaration_ref(declaration))
            counter = (f"the policy declares the category {declaration.recipient or 'without a name'!r}",)
        abroad = ", ".join(country for country, _ in _abroad(view, destination))
        results.append(CheckResult(
            "recipient_undeclared", who,
            f"{who} received {_types(pairs)}; the policy's naming of it is {grade}.",
            tuple(evidence),
            (("grade", grade), ("role", _role(destination)), ("data_types", _types(pairs)), ("abroad", abroad)),
            counter,
        ))  # fmt: skip
    return results


def country_undeclared(view: CaseView) -> list[CheckResult]:
    """Countries that received personal data, graded against the countries the policy names."""
    kinds = (K.TRANSFERS_ABROAD, K.STORES_IN, K.PROVIDES, K.ENTRUSTS)
    declared = {c for d in view.declared(*kinds) for c in d.countries}
    vague = [d for d in view.declared(K.TRANSFERS_ABROAD) if not d.countries] or [
        d for d in view.declared(*kinds) if "ZZ" in d.countries
    ]
    results = []
    for result in sent_abroad(view):
        country = result.detail("country")
        if country in declared:
            continue
        grade = "vague" if vague else "omitted"
        evidence = result.evidence[:3] + ((declaration_ref(vague[0]),) if vague else ())
        results.append(CheckResult(
            "country_undeclared", country,
            f"Data went to {country} ({result.detail('organisation')}); the policy's naming of it is {grade}.",
            evidence, (("grade", grade), *result.details),
        ))  # fmt: skip
    return _merged(results)


def _merged(results: list[CheckResult]) -> list[CheckResult]:
    """One result per subject: the first, with the evidence of all."""
    by_subject: dict[str, CheckResult] = {}
    for result in results:
        kept = by_subject.get(result.subject)
        if kept is None:
            by_subject[result.subject] = result
        else:
            evidence = tuple(dict.fromkeys(kept.evidence + result.evidence))[:12]
            by_subject[result.subject] = CheckResult(
                kept.check, kept.subject, kept.summary, evidence, kept.details
            )
    return list(by_subject.values())


def data_type_undeclared(view: CaseView) -> list[CheckResult]:
    """Types of personal data observed in third-party traffic that no declaration mentions."""
    declared = {t for d in view.declarations for t in d.data_types}
    observed: dict[str, list[DataHit]] = defaultdict(list)
    for hit, _ in view.third_party_hits():
        observed[hit.data_type].append(hit)
    return [
        CheckResult(
            "data_type_undeclared",
            data_type,
            f"{data_type} was sent to third parties ({len(hits)} hits) but the policy names no such item.",
            tuple(hit_ref(hit) for hit in hits[:5]),
            (("grade", "omitted"),),
        )
        for data_type, hits in sorted(observed.items())
        if data_type not in declared
    ]


from privprobe.assess import duties  # noqa: E402  (the declared and fact checks; they import view only)

CHECKS: dict[str, Check] = {
    "sent_before_consent": sent_before_consent,
    "sent_after_refusal": sent_after_refusal,
    "sent_abroad": sent_abroad,
    "recipient_undeclared": recipient_undeclared,
    "country_undeclared": country_undeclared,
    "data_type_undeclared": data_type_undeclared,
    "answers_not_in_policy": duties.answers_not_in_policy,
    "provision_abroad_without_consent": duties.provision_abroad_without_consent,
    "transfer_ground_fails": duties.transfer_ground_fails,
    "transfer_items_missing": duties.transfer_items_missing,
    "protected_data": duties.protected_data,
    "policy_gaps": duties.policy_gaps,
    "withdrawal_harder": duties.withdrawal_harder,
    "controller_abroad": duties.controller_abroad,
    "domestic_agent_missing": duties.domestic_agent_missing,
    "trustee_supervision_missing": duties.trustee_supervision_missing,
    "transfer_safeguards_missing": duties.transfer_safeguards_missing,
    "age_verification_missing": duties.age_verification_missing,
    "behavioural_without_consent": duties.behavioural_without_consent,
}
"""Every check by name, in report order."""


def run_checks(view: CaseView, names: Iterable[str] | None = None) -> list[CheckResult]:
    """The results of every check (or of ``names``), in `CHECKS` order."""
    wanted = set(names) if names is not None else None
    return [
        result for name, check in CHECKS.items() if wanted is None or name in wanted for result in check(view)
    ]
