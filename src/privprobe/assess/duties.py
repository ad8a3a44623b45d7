"""Law-neutral checks of what the controller declares and of the facts the investigator entered.

These read the policy's declarations and checklist, the company's other statements (questionnaire
answers, as `CaseView.declarations_extra`) and the case facts; the checks of observed traffic are in
`checks`. Like those, each returns `CheckResult`s with evidence and never cites an article.
"""

from __future__ import annotations

from collections.abc import Callable

from privprobe.assess.view import PROCESSOR_CATEGORIES, CaseView, declaration_ref, hit_ref, subject_of
from privprobe.declared.policy.checklist import transfer_gaps
from privprobe.facts import Declaration, DeclarationKind, Destination, LegalClass
from privprobe.findings import CheckResult, EvidenceRef
from privprobe.reference.lexicon import load_policy_lexicon

K = DeclarationKind

RECIPIENT_KINDS = (K.PROVIDES, K.ENTRUSTS, K.TRANSFERS_ABROAD, K.STORES_IN)


def _fact(view: CaseView, key: str) -> EvidenceRef:
    return EvidenceRef("fact", key, str(view.facts.texts.get(key, "not entered")))


def transfer_items_missing(view: CaseView) -> list[CheckResult]:
    """Declared overseas transfers that lack any of the five items of PIPA Art. 28-8(2) or the ground."""
    results = []
    for declaration in _policy(view, K.TRANSFERS_ABROAD):
        gaps = transfer_gaps(declaration)
        if not gaps:
            continue
        who = subject_of(declaration)
        place = "/".join(declaration.countries) or "country not named"
        results.append(CheckResult(
            "transfer_items_missing", who, f"Transfer to {declaration.recipient or who} ({place}): {', '.join(gaps)} missing.",
            (declaration_ref(declaration),), (("missing", ", ".join(gaps)), ("countries", place)),
        ))  # fmt: skip
    return results


def _policy(view: CaseView, *kinds: DeclarationKind) -> list[Declaration]:
    """Declarations of the policies only (what users were told), not the company's other answers."""
    return [d for reading in view.readings for d in reading.declarations if d.kind in kinds]


def transfer_ground_fails(view: CaseView) -> list[CheckResult]:
    """Transfers the policy declares whose stated ground cannot carry them (LAW.md's toolkit rule).

    - provision to a third party abroad (a recipient or category not presumed a trustee) on the
      contract-and-disclosure ground of Art. 28-8(1)3, which covers entrustment and storage only;
    - entrustment or storage on that ground while the policy lacks some of the 28-8(2) items;
    - consent as the ground while the investigator found no separate consent was obtained.
    """
    no_consent = view.facts.get("separate_transfer_consent") is False
    results = []
    for declaration in _policy(view, K.TRANSFERS_ABROAD):
        role = _declared_role(view, declaration)
        gaps = transfer_gaps(declaration)
        if declaration.ground == "contract" and role == "third_party":
            why = (
                "provision to a third party on the contract ground, which covers entrustment and storage only"
            )
        elif declaration.ground == "contract" and gaps:
            why = f"the contract ground needs all 28-8(2) items disclosed; missing: {', '.join(gaps)}"
        elif declaration.ground == "consent" and no_consent:
            why = "consent is stated, but no separate consent to the transfer was obtained"
        else:
            continue
        who = subject_of(declaration)
        evidence = [declaration_ref(declaration)] + (
            [_fact(view, "separate_transfer_consent")] if no_consent else []
        )
        results.append(CheckResult(
            "transfer_ground_fails", who, f"Transfer to {declaration.recipient or who} ({'/'.join(declaration.countries) or '?'}): {why}.",
            tuple(evidence), (("ground", declaration.ground), ("role", role),
                              ("countries", ", ".join(declaration.countries))),
        ))  # fmt: skip
    return results


def _declared_role(view: CaseView, declaration: Declaration) -> str:
    """``third_party`` when the declared recipient (or category) is presumed to use the data for
    itself, ``trustee`` when presumed to act for the controller, ``unknown`` otherwise."""
    organisation = view.organisations.get(declaration.organisation or "")
    if organisation is not None:
        if organisation.category in PROCESSOR_CATEGORIES:
            return "trustee"
        return "third_party" if organisation.category in OWN_PURPOSE_CATEGORIES else "unknown"
    lexicon = load_policy_lexicon()
    if declaration.recipient and any(
        lexicon.covers(declaration.recipient, c) for c in ("ecommerce", "advertising")
    ):
        return "third_party"
    return "unknown"


OWN_PURPOSE_CATEGORIES = frozenset({"advertising", "attribution", "social", "ecommerce"})
"""Categories presumed to use received data for their own purposes, so that a transfer the policy
calls entrustment is provision in substance. Analytics and search companies are left out: whether
they act as trustees (Korean policies usually entrust analytics) depends on the contract."""


def controller_abroad(view: CaseView) -> list[CheckResult]:
    """The investigator entered that the controller has no address or office in Korea."""
    if view.facts.get("korea_office") is not False:
        return []
    return [CheckResult("controller_abroad", "case", "The controller has no address or office in Korea.",
                        (_fact(view, "korea_office"),))]  # fmt: skip


def _abroad(view: CaseView, declaration: Declaration) -> list[str]:
    return [c for c in declaration.countries if c != view.jurisdiction]


def provision_abroad_without_consent(view: CaseView) -> list[CheckResult]:
    """Provision (not entrustment) to recipients abroad on a ground other than separate consent.

    LAW.md's toolkit rule: provision to a foreign third party needs consent, a statute, certification
    or adequacy; the contract-and-disclosure ground of Art. 28-8(1)3 covers entrustment and storage only.
    """
    consent = view.facts.get("separate_transfer_consent")
    results = []
    for declaration in view.declared(K.PROVIDES):
        countries = _abroad(view, declaration)
        if not countries or (declaration.ground == "consent" and consent is not False):
            continue
        if declaration.ground in ("statute", "certification", "adequacy"):
            continue  # grounds 28-8(1)2, 4 and 5 carry provision abroad too
        said = declaration.ground or "no ground stated"
        evidence = [declaration_ref(declaration)]
        if consent is False:
            evidence.append(_fact(view, "separate_transfer_consent"))
        who = subject_of(declaration)
        results.append(CheckResult(
            "provision_abroad_without_consent", who,
            f"{declaration.recipient or who} in {', '.join(countries)} receives data as a third party on {said}, not separate consent.",
            tuple(evidence), (("ground", declaration.ground), ("countries", ", ".join(countries)), ("role", "third_party")),
        ))  # fmt: skip
    return results


def answers_not_in_policy(view: CaseView) -> list[CheckResult]:
    """Recipients and countries the company states elsewhere (questionnaire answers) that the policy omits."""
    policy = [d for reading in view.readings for d in reading.declarations if d.kind in RECIPIENT_KINDS]
    # by organisation id and by name as written: either may be all one side has
    named = {name for d in policy for name in (d.organisation, d.recipient.casefold()) if name}
    countries = {c for d in policy for c in d.countries}
    results = []
    for answer in view.declarations_extra:
        if answer.kind not in RECIPIENT_KINDS:
            continue
        who = answer.organisation or answer.recipient.casefold()
        names = [name for name in (answer.organisation, answer.recipient.casefold()) if name]
        known = not names or any(name in named for name in names)  # an unnamed recipient: countries decide
        missing = [c for c in _abroad(view, answer) if c not in countries]
        if known and not missing:
            continue
        role = "trustee" if answer.kind is K.ENTRUSTS or answer.kind is K.STORES_IN else "third_party"
        results.append(CheckResult(
            "answers_not_in_policy", subject_of(answer),
            f"The company states it {answer.kind.value.replace('_', ' ')} {answer.recipient or who}"
            f" ({', '.join(answer.countries) or 'country not stated'}); the policy "
            + ("names neither it nor that country." if not known else f"omits {', '.join(missing)}."),
            (declaration_ref(answer),),
            (("grade", "omitted"), ("role", role), ("abroad", ", ".join(_abroad(view, answer))),
             ("kind", answer.kind.value)),
        ))  # fmt: skip
    return results


def _class_of(view: CaseView, data_type: str) -> LegalClass | None:
    found = view.data_types.get(data_type)
    return found.legal_class if found else None


def protected_data(view: CaseView) -> list[CheckResult]:
    """Sensitive data, unique identifiers and resident registration numbers, observed or declared."""
    results = []
    for legal_class in (LegalClass.SENSITIVE, LegalClass.UNIQUE_IDENTIFIER, LegalClass.RRN):
        hits = [hit for hit in view.hits if _class_of(view, hit.data_type) is legal_class]
        said = [d for d in view.declarations if any(_class_of(view, t) is legal_class for t in d.data_types)]
        types = sorted({hit.data_type for hit in hits} | {t for d in said for t in d.data_types
                                                          if _class_of(view, t) is legal_class})  # fmt: skip
        if not types:
            continue
        evidence = (*(hit_ref(hit) for hit in hits[:5]), *(declaration_ref(d) for d in said[:5]))
        results.append(CheckResult(
            "protected_data", legal_class.value,
            f"{legal_class.value.replace('_', ' ')} data processed: {', '.join(types)} "
            f"({len(hits)} observed, {len(said)} declared).",
            evidence, (("class", legal_class.value), ("data_types", ", ".join(types)),
                       ("observed", str(len(hits))), ("declared", str(len(said)))),
        ))  # fmt: skip
    return results


CONDITION_SHOWN: dict[str, Callable[[CaseView], bool]] = {
    "pipa.without_consent": lambda view: any(
        d.ground in ("contract", "statute", "legitimate_interest", "without_consent")
        for d in view.declarations
    ),
    "pipa.overseas_collection": lambda view: view.facts.get("korea_office") is False,
    "pipa.entrustment": lambda view: (
        bool(view.declared(K.ENTRUSTS))
        or any(_observed_role(d) == "trustee" for _, d in view.third_party_hits())
    ),
    "pipa.overseas_transfer": lambda view: bool(view.declared(K.TRANSFERS_ABROAD, K.STORES_IN)),
    "pipa.third_party": lambda view: (
        bool(view.declared(K.PROVIDES))
        or any(_observed_role(d) == "third_party" for _, d in view.third_party_hits())
    ),
    "pipa.automatic_collection": lambda view: bool(view.declared(K.AUTOMATIC_COLLECTION)) or bool(view.hits),
}
"""For conditional checklist items: what in the case shows that the item was required."""


def _observed_role(destination: Destination) -> str:
    organisation = destination.organisation
    return "trustee" if organisation and organisation.category in PROCESSOR_CATEGORIES else "third_party"


def _condition(view: CaseView, item: str) -> str:
    shown = CONDITION_SHOWN.get(item)
    return "yes" if shown is not None and shown(view) else "unknown"


def policy_gaps(view: CaseView) -> list[CheckResult]:
    """Checklist items the newest policy answers only in part or not at all; a conditional item says
    whether the case shows its condition (``condition_met``: yes, or unknown)."""
    return [
        CheckResult(
            "policy_gaps",
            result.item.id,
            f"{result.item.title_en}: {result.status}"
            + (f" ({'; '.join(result.missing)})" if result.missing else ""),
            (EvidenceRef("checklist", result.item.id, "; ".join(result.missing)),),
            (
                ("status", result.status),
                ("conditional", "yes" if result.item.condition else "no"),
                ("condition_met", _condition(view, result.item.id)),
            ),
        )
        for result in view.checklist
        if result.status != "present"
    ]


def withdrawal_harder(view: CaseView) -> list[CheckResult]:
    """Withdrawal or deletion takes more steps than sign-up, or is not offered in Korean."""
    facts, reasons, evidence = view.facts, [], []
    signup, withdrawal = facts.amount("signup_steps"), facts.amount("withdrawal_steps")
    if signup is not None and withdrawal is not None and withdrawal > signup:
        reasons.append(f"{withdrawal} steps to withdraw against {signup} to sign up")
        evidence += [_fact(view, "withdrawal_steps"), _fact(view, "signup_steps")]
    languages = facts.get("withdrawal_languages")
    if isinstance(languages, tuple) and languages and "ko" not in languages:
        reasons.append(f"withdrawal pages only in {', '.join(map(str, languages))}")
        evidence.append(_fact(view, "withdrawal_languages"))
    if not reasons:
        return []
    return [CheckResult("withdrawal_harder", "case", "; ".join(reasons) + ".", tuple(evidence))]


def domestic_agent_missing(view: CaseView) -> list[CheckResult]:
    """A controller without a Korean office over a threshold of Decree Art. 32-3(1), without an agent
    (or without the agent in its policy)."""
    facts = view.facts
    if facts.flag("korea_office"):
        return []
    revenue = max(facts.by_year("revenue").values(), default=0)
    users = facts.amount("daily_korean_users") or 0
    over = [why for why, met in ((f"revenue {revenue:,} KRW ≥ 1 trillion", revenue >= 10**12),
                                 (f"{users:,} daily Korean users ≥ 1,000,000", users >= 1_000_000)) if met]  # fmt: skip
    if not over:
        return []
    in_policy = bool(view.declared(K.DOMESTIC_AGENT))
    designated = facts.get("domestic_agent_designated")
    if designated is not False and in_policy:
        return []
    what = "no domestic agent designated" if designated is False else "no domestic agent in the policy"
    evidence = (
        _fact(view, "daily_korean_users"),
        _fact(view, "domestic_agent_designated"),
        _fact(view, "korea_office"),
    )
    return [CheckResult("domestic_agent_missing", "case", f"{what}; thresholds met: {'; '.join(over)}.", evidence,
                        (("designated", str(designated)), ("in_policy", str(in_policy))))]  # fmt: skip


def _fact_false(key: str, check: str, summary: str) -> Callable[[CaseView], list[CheckResult]]:
    """A check that fires when the investigator entered ``key`` = no."""

    def run(view: CaseView) -> list[CheckResult]:
        if view.facts.get(key) is not False:
            return []
        return [CheckResult(check, "case", summary, (_fact(view, key),))]

    run.__name__ = check
    run.__doc__ = summary
    return run


trustee_supervision_missing = _fact_false(
    "trustee_supervision", "trustee_supervision_missing", "Trustees are not trained or supervised."
)
transfer_safeguards_missing = _fact_false(
    "transfer_safeguards_in_contract", "transfer_safeguards_missing",
    "Contracts with overseas recipients lack the safeguards of Decree Art. 29-10.",
)  # fmt: skip
age_verification_missing = _fact_false(
    "age_verification",
    "age_verification_missing",
    "No age verification, though children may use the service.",
)
behavioural_without_consent = _fact_false(
    "behavioural_consent", "behavioural_without_consent",
    "Behavioural data (other sites' and apps' activity) is collected for advertising without prior consent.",
)  # fmt: skip
