"""The PIPA regime: which check results raise which article (texts in ``reference/rules_pipa.json``).

The cross-border rule follows LAW.md's "toolkit rule that decides most cross-border cases": a
transfer abroad is lawful only on a ground of Art. 28-8(1); for **provision** to a foreign third
party that means separate consent (or a statute, certification, adequacy), never the contract-and-
disclosure ground of 28-8(1)3, which covers **entrustment and storage** only, and only when the
28-8(2) items are disclosed. So a recipient abroad that the policy omits (or names only as a
category), a country the policy does not name, provision abroad on any ground but consent, and
data sent abroad before consent or after refusal all raise 28-8(1).
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

NAME = "pipa"

CONDITIONAL_WHEN = {
    "pipa.third_party": ("sent_before_consent", "sent_after_refusal", "provision_abroad_without_consent"),
    "pipa.entrustment": (),
    "pipa.overseas_transfer": ("sent_abroad", "answers_not_in_policy"),
    "pipa.automatic_collection": ("sent_before_consent", "sent_after_refusal", "sent_abroad"),
    "pipa.domestic_agent": ("domestic_agent_missing",),
}
"""A conditional checklist gap counts under Art. 30 only when the checks show the condition is met."""


def _transfer_without_basis(grouped: Mapping[str, list[CheckResult]]) -> list[Match]:
    """Art. 28-8(1), per recipient abroad."""
    no_consent = {match.subject for match in without_consent(grouped)}
    matches = []
    for result in grouped.get("sent_abroad", []):
        reasons, support = undisclosed(grouped, result)
        if result.detail("organisation") in no_consent:
            reasons.append("it received data without the user's consent (before consent or after refusal)")
        if reasons:
            explanation = f"{result.summary} Not lawful as a transfer: {'; '.join(reasons)}."
            matches.append(Match(result.detail("organisation"), explanation, (result, *support)))
    for check in ("provision_abroad_without_consent", "transfer_ground_fails", "answers_not_in_policy"):
        for result in grouped.get(check, []):
            if check != "answers_not_in_policy" or result.detail("abroad"):
                matches.append(Match(result.subject, result.summary, (result,)))
    return one_per_subject(matches)


def _trustees_undisclosed(grouped: Mapping[str, list[CheckResult]]) -> list[Match]:
    """Art. 26(2): trustees (observed processors or stated by the company) the policy does not name."""
    matches = [
        Match(r.subject, r.summary, (r,))
        for check in ("recipient_undeclared", "answers_not_in_policy")
        for r in grouped.get(check, [])
        if r.detail("role") == "trustee"
    ]
    matches += [
        Match(r.subject, r.summary, (r,))
        for r in grouped.get("policy_gaps", [])
        if r.subject == "pipa.entrustment" and r.detail("condition_met") == "yes"
    ]
    return one_per_subject(matches)


def _policy_contents(grouped: Mapping[str, list[CheckResult]]) -> list[Match]:
    """Art. 30(1): statutory items missing; a conditional one only when its condition is shown."""
    matches = []
    for result in grouped.get("policy_gaps", []):
        item = result.subject
        if not item.startswith("pipa.") or item in ("pipa.remedies", "pipa.changes", "pipa.domestic_agent"):
            continue
        if result.detail("conditional") == "yes" and result.detail("condition_met") != "yes":
            shown = [grouped.get(check) for check in CONDITIONAL_WHEN.get(item, ())]
            if not any(shown):
                continue
        matches.append(Match(item, result.summary, (result,)))
    return matches


def _agent_in_policy(grouped: Mapping[str, list[CheckResult]]) -> list[Match]:
    """Art. 31-2(4): an agent is required and the policy does not name it with all four items."""
    matches = [Match("case", r.summary, (r,)) for r in grouped.get("domestic_agent_missing", [])
               if r.detail("designated") != "False"]  # fmt: skip
    required = bool(grouped.get("domestic_agent_missing"))
    matches += [Match("case", r.summary, (r,)) for r in grouped.get("policy_gaps", [])
                if r.subject == "pipa.domestic_agent" and r.detail("status") == "partial" and required]  # fmt: skip
    return one_per_subject(matches)


def _class(value: str) -> Logic:
    return each("protected_data", detail_in("class", value))


RULES: dict[str, Logic] = {
    "15-1": each("behavioural_without_consent"),
    "17-1": without_consent,
    "22-3": each(
        "policy_gaps", lambda r: r.subject == "pipa.without_consent" and r.detail("condition_met") == "yes"
    ),
    "22-2": each("age_verification_missing"),
    "23-1": _class("sensitive"),
    "24-1": _class("unique_identifier"),
    "24-2-1": _class("rrn"),
    "26-2": _trustees_undisclosed,
    "26-4": each("trustee_supervision_missing"),
    "28-8-1": _transfer_without_basis,
    "28-8-2": each("transfer_items_missing"),
    "28-8-4": each("transfer_safeguards_missing"),
    "30-1": _policy_contents,
    "31-2-1": each("domestic_agent_missing", detail_in("designated", "False")),
    "31-2-4": _agent_in_policy,
    "38-4": each("withdrawal_harder"),
}
"""Every PIPA rule's logic, in the order of the Act."""


REGIME = RuleRegime(NAME, "PIPA (개인정보 보호법)", RULES)
"""The regime, as registered under the ``privprobe.regimes`` entry point."""
