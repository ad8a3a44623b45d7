"""The GDPR regime: which check results raise which article (texts in ``reference/rules_gdpr.json``).

privprobe applies Regulation (EU) 2016/679 side by side with PIPA, for comparison: the case's
jurisdiction stays Korea, so a "third country" here is any country outside the case's jurisdiction
(the ``sent_abroad`` check's sense), not outside the EEA. Each rule maps the law-neutral checks onto
the GDPR counterpart LAW.md section (a) gives for the PIPA article:

- Arts 5(1)(a), 6(1) and 7 are judged from traffic only: a recipient or a data type the policy omits
  (or names only as a category) is not transparent; personal data reaching a third party before
  consent or after refusal has no basis of Art. 6(1) that privprobe can see; data sent after refusal
  is a refusal not honoured (Art. 7(1), (3)). Contract and legitimate-interest grounds are the
  controller's to show, so they are named in ``refuted_by``, not weighed here.
- Art. 13 takes the ``gdpr.*`` items of the policy checklist. Conditional items (the DPO, legitimate
  interests, transfers, withdrawal of consent, automated decisions) are skipped entirely: whether
  their condition is met is the investigator's call; ``gdpr.transfers`` counts under Art. 44 instead.
- Arts 44-49 are raised per recipient abroad when the policy does not name it or its country, or
  states no safeguards; and for declared provision abroad without consent and for contracts the
  investigator found without safeguards.
- ePrivacy Directive Art. 5(3) is raised per recipient that received identifiers read from or
  stored on the terminal (device identifiers, cookie ids) before consent.
"""

from __future__ import annotations

from collections.abc import Mapping

from privprobe.assess.regime import (
    Logic,
    Match,
    RuleRegime,
    detail_in,
    each,
    one_per_subject,
    undisclosed,
    without_consent,
)
from privprobe.findings import CheckResult

NAME = "gdpr"

TERMINAL_PREFIXES = ("device.",)
"""Data-type ids read from or stored on the terminal (ePrivacy Art. 5(3)); EDPB Guidelines 2/2023
count device identifiers and fingerprinting attributes as "accessing"."""
TERMINAL_TYPES = frozenset({"online.cookie_id"})
"""Further terminal data types: a cookie id is information stored on the terminal."""


def _not_transparent(grouped: Mapping[str, list[CheckResult]]) -> list[Match]:
    """Art. 5(1)(a): recipients omitted or named only as a category; data types the policy omits."""
    matches = [
        Match(r.subject, r.summary, (r,))
        for r in grouped.get("recipient_undeclared", [])
        if r.detail("grade") in ("omitted", "vague")
    ]
    matches += [Match(r.subject, r.summary, (r,)) for r in grouped.get("data_type_undeclared", [])]
    return one_per_subject(matches)


def _transfer_without_safeguards(grouped: Mapping[str, list[CheckResult]]) -> list[Match]:
    """Arts 44-49, per recipient abroad: not named, its country not named, or no safeguards stated."""
    gap = next((r for r in grouped.get("policy_gaps", []) if r.subject == "gdpr.transfers"), None)
    matches = []
    for result in grouped.get("sent_abroad", []):
        reasons, support = undisclosed(grouped, result)
        if gap is not None:
            reasons.append(f"the policy states no transfer safeguards ({gap.detail('status')})")
            support.append(gap)
        if reasons:
            explanation = f"{result.summary} No transfer under Chapter V is shown: {'; '.join(reasons)}."
            matches.append(Match(result.detail("organisation"), explanation, (result, *support)))
    for check in ("provision_abroad_without_consent", "transfer_ground_fails", "transfer_safeguards_missing"):
        matches += [Match(r.subject, r.summary, (r,)) for r in grouped.get(check, [])]
    return one_per_subject(matches)


def _terminal_before_consent(grouped: Mapping[str, list[CheckResult]]) -> list[Match]:
    """ePrivacy Art. 5(3): identifiers from the terminal sent before consent, per recipient."""
    matches = []
    for result in grouped.get("sent_before_consent", []):
        types = [t for t in result.detail("data_types").split(", ") if _from_terminal(t)]
        if types:
            explanation = f"{result.summary} Read from or stored on the terminal: {', '.join(types)}."
            matches.append(Match(result.subject, explanation, (result,)))
    return matches


def _from_terminal(data_type: str) -> bool:
    return data_type.startswith(TERMINAL_PREFIXES) or data_type in TERMINAL_TYPES


def _information_missing(grouped: Mapping[str, list[CheckResult]]) -> list[Match]:
    """Art. 13: unconditional ``gdpr.*`` checklist items the policy lacks, one per item."""
    return [
        Match(r.subject, r.summary, (r,))
        for r in grouped.get("policy_gaps", [])
        if r.subject.startswith("gdpr.") and r.detail("conditional") != "yes"
    ]


RULES: dict[str, Logic] = {
    "5-1-a": _not_transparent,
    "6-1": without_consent,
    "7-3": each("sent_after_refusal"),
    "8": each("age_verification_missing"),
    "9": each("protected_data", detail_in("class", "sensitive")),
    "13": _information_missing,
    "44": _transfer_without_safeguards,
    "eprivacy-5-3": _terminal_before_consent,
}
"""Every GDPR rule's logic, in the order of the Regulation, then the ePrivacy Directive."""


REGIME = RuleRegime(NAME, "GDPR (EU 2016/679) and ePrivacy Art. 5(3)", RULES)
"""The regime, as registered under the ``privprobe.regimes`` entry point."""
