"""The PIPA regime, table-driven per rule: the check results that raise it and near-misses that must
not, the article in force at the violation dates, the cross-border toolkit rule end to end, and the
rule texts."""

from __future__ import annotations

import json
from datetime import date
from importlib.resources import files
from pathlib import Path

import pytest

from privprobe.assess.checks import run_checks
from privprobe.assess.pipa import REGIME, RULES
from privprobe.assess.regime import REFORM, Period, rule_texts
from privprobe.assess.view import CaseView
from privprobe.declared.policy import Reading
from privprobe.facts import DeclarationKind
from privprobe.findings import CheckResult, EvidenceRef, Finding, FindingStatus
from tests.assess.view_builders import (
    AWS_TRANSFER,
    AWS_TRUSTEE,
    ITEMS,
    OFFICER,
    PURPOSES,
    declaration,
    destination,
    policy_text,
    reading,
    seller_provision,
    view,
)

K = DeclarationKind


def result(check: str, subject: str = "case", **details: str) -> CheckResult:
    """A result of ``check`` about ``subject`` with ``details``, citing one flow."""
    evidence = (EvidenceRef("flow", f"1/{check}/{subject}"),)
    return CheckResult(check, subject, f"{check} about {subject}.", evidence, tuple(details.items()))


def abroad(who: str, country: str, role: str = "third_party") -> CheckResult:
    """``who`` in ``country`` received data."""
    return result("sent_abroad", f"{who}@{country}", organisation=who, country=country, role=role)


def gap(item: str, status: str = "absent", conditional: str = "no", met: str = "unknown") -> CheckResult:
    """The policy answers checklist ``item`` only in part or not at all (``met``: whether the case
    shows a conditional item's condition)."""
    return result("policy_gaps", item, status=status, conditional=conditional, condition_met=met)


def protected(legal_class: str) -> CheckResult:
    return result("protected_data", legal_class, **{"class": legal_class})


def agent(designated: str) -> CheckResult:
    return result("domestic_agent_missing", designated=designated, in_policy="False")


def findings(*results: CheckResult, period: Period | None = None) -> list[Finding]:
    return REGIME.findings(list(results), period or Period())


CASES: list[tuple[str, list[CheckResult], set[str]]] = [
    # rule, results, the finding ids of that rule they raise
    ("15-1", [result("behavioural_without_consent")], {"pipa.15-1:case"}),
    ("15-1", [result("age_verification_missing"), result("sent_before_consent", "meta", role="third_party")], set()),
    ("17-1", [result("sent_before_consent", "meta", role="third_party"),
              result("sent_after_refusal", "meta", role="third_party"),
              result("sent_after_refusal", "pangle", role="third_party")], {"pipa.17-1:meta", "pipa.17-1:pangle"}),
    # a trustee acts for the controller: no provision
    ("17-1", [result("sent_before_consent", "aws", role="trustee"), result("sent_after_refusal", "zendesk", role="trustee"),
              abroad("meta", "US")], set()),
    ("22-3", [gap("pipa.without_consent", conditional="yes", met="yes")], {"pipa.22-3:pipa.without_consent"}),
    # conditional: nothing in the case shows data processed without consent
    ("22-3", [gap("pipa.without_consent", conditional="yes")], set()),
    ("22-3", [gap("pipa.purposes"), gap("gdpr.purposes_basis")], set()),
    ("22-2", [result("age_verification_missing")], {"pipa.22-2:case"}),
    ("22-2", [result("behavioural_without_consent"), result("withdrawal_harder")], set()),
    ("23-1", [protected("sensitive")], {"pipa.23-1:sensitive"}),
    ("23-1", [protected("unique_identifier"), protected("rrn")], set()),
    ("24-1", [protected("unique_identifier")], {"pipa.24-1:unique_identifier"}),
    ("24-1", [protected("sensitive"), protected("rrn")], set()),
    ("24-2-1", [protected("rrn")], {"pipa.24-2-1:rrn"}),
    ("24-2-1", [protected("sensitive"), protected("unique_identifier")], set()),
    ("26-2", [result("recipient_undeclared", "aws", grade="omitted", role="trustee"),
              result("recipient_undeclared", "zendesk", grade="vague", role="trustee"),
              result("answers_not_in_policy", "cloudflare", role="trustee", abroad=""),
              gap("pipa.entrustment", "partial", "yes", met="yes")],
     {"pipa.26-2:aws", "pipa.26-2:zendesk", "pipa.26-2:cloudflare", "pipa.26-2:pipa.entrustment"}),
    # no trustee shown anywhere: a missing entrustment section is no 26(2) finding
    ("26-2", [gap("pipa.entrustment", "absent", "yes")], set()),
    ("26-2", [result("recipient_undeclared", "meta", grade="omitted", role="third_party"),
              result("answers_not_in_policy", "Seller Co", role="third_party", abroad="CN"),
              gap("pipa.third_party", "partial", "yes")], set()),
    ("26-4", [result("trustee_supervision_missing")], {"pipa.26-4:case"}),
    ("26-4", [result("transfer_safeguards_missing")], set()),
    # the recipient abroad is omitted, or named only as a category
    ("28-8-1", [abroad("meta", "US"), result("recipient_undeclared", "meta", grade="omitted", role="third_party"),
                abroad("pangle", "SG"), result("recipient_undeclared", "pangle", grade="vague", role="third_party")],
     {"pipa.28-8-1:meta", "pipa.28-8-1:pangle"}),
    # the country is omitted or vague, though the recipient is named
    ("28-8-1", [abroad("aws", "SG", "trustee"), result("country_undeclared", "SG", grade="vague")], {"pipa.28-8-1:aws"}),
    # the data left before consent or after refusal
    ("28-8-1", [abroad("google", "US"), result("sent_before_consent", "google", role="third_party")],
     {"pipa.28-8-1:google"}),
    ("28-8-1", [abroad("meta", "US"), result("sent_after_refusal", "meta", role="third_party")], {"pipa.28-8-1:meta"}),
    ("28-8-1", [result("provision_abroad_without_consent", "Seller Co", ground="contract", countries="CN")],
     {"pipa.28-8-1:Seller Co"}),
    ("28-8-1", [result("answers_not_in_policy", "alibaba-cloud-intl", role="trustee", abroad="SG")],
     {"pipa.28-8-1:alibaba-cloud-intl"}),
    # abroad but fully disclosed; undisclosed but at home; before consent but a trustee; another recipient's gaps
    ("28-8-1", [abroad("aws", "US", "trustee"), result("sent_before_consent", "aws", role="trustee"),
                result("recipient_undeclared", "kakao", grade="omitted", role="third_party"),
                result("country_undeclared", "CN", grade="omitted"),
                result("answers_not_in_policy", "nhn-kcp", role="trustee", abroad=""),
                result("recipient_undeclared", "aws", grade="clear", role="trustee")], set()),
    ("28-8-2", [result("transfer_items_missing", "aws", missing="recipient's contact", countries="US")],
     {"pipa.28-8-2:aws"}),
    ("28-8-2", [gap("pipa.overseas_transfer", "partial", "yes"), abroad("aws", "US", "trustee")], set()),
    ("28-8-4", [result("transfer_safeguards_missing")], {"pipa.28-8-4:case"}),
    ("28-8-4", [result("trustee_supervision_missing"), result("transfer_items_missing", "aws")], set()),
    ("30-1", [gap("pipa.retention"), gap("pipa.rights", "partial"),
              gap("pipa.third_party", conditional="yes"), result("sent_before_consent", "meta", role="third_party"),
              gap("pipa.overseas_transfer", conditional="yes"), abroad("aws", "US", "trustee"),
              gap("pipa.domestic_agent", conditional="yes")],
     {"pipa.30-1:pipa.retention", "pipa.30-1:pipa.rights", "pipa.30-1:pipa.third_party",
      "pipa.30-1:pipa.overseas_transfer"}),
    # conditional items whose condition no check shows; the guideline's items; the agent (31-2-4); GDPR's
    ("30-1", [gap("pipa.third_party", conditional="yes"), gap("pipa.automatic_collection", conditional="yes"),
              gap("pipa.overseas_transfer", conditional="yes"), gap("pipa.entrustment", conditional="yes"),
              gap("pipa.remedies"), gap("pipa.changes"), gap("pipa.domestic_agent", "partial", "yes"),
              gap("gdpr.retention"), result("withdrawal_harder")], set()),
    ("31-2-1", [agent("False")], {"pipa.31-2-1:case"}),
    ("31-2-1", [agent("True"), agent("None"), gap("pipa.domestic_agent")], set()),
    ("31-2-4", [agent("True")], {"pipa.31-2-4:case"}),
    ("31-2-4", [agent("None")], {"pipa.31-2-4:case"}),
    ("31-2-4", [agent("False"), gap("pipa.domestic_agent", "partial", "yes")], {"pipa.31-2-4:case"}),
    ("31-2-4", [agent("False")], set()),
    # an incomplete agent entry counts only where an agent is required
    ("31-2-4", [gap("pipa.domestic_agent", "partial", "yes")], set()),
    ("38-4", [result("withdrawal_harder")], {"pipa.38-4:case"}),
    ("38-4", [gap("pipa.rights"), result("age_verification_missing")], set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "results", "expected"), CASES, ids=[f"{rule}-{n}" for n, (rule, _, _) in enumerate(CASES)]
)
def test_rule_raises_exactly_these_findings(
    rule: str, results: list[CheckResult], expected: set[str]
) -> None:
    raised = {f.id for f in findings(*results) if f.rule == rule}
    assert raised == expected


def test_every_rule_has_a_case_that_raises_it_and_a_near_miss() -> None:
    assert {rule for rule, _, expected in CASES if expected} == set(RULES)
    assert {rule for rule, _, expected in CASES if not expected} == set(RULES)


def test_a_finding_is_built_from_its_results_and_its_text() -> None:
    before = result("sent_before_consent", "meta", role="third_party")
    after = CheckResult(
        "sent_after_refusal", "meta", "Meta after refusal.", (EvidenceRef("hit", "2/7 query.em contact.email"),),
        (("role", "third_party"),), ("a consent screen may cover it",),
    )  # fmt: skip
    (finding,) = findings(before, after)
    text = rule_texts("pipa")["17-1"]
    assert finding.id == "pipa.17-1:meta"
    assert (finding.regime, finding.rule, finding.subject) == ("pipa", "17-1", "meta")
    assert (finding.article, finding.severity, finding.measure_ko) == (
        text.article,
        text.severity,
        text.measure_ko,
    )
    assert finding.checks == ("sent_before_consent", "sent_after_refusal")
    assert finding.evidence == before.evidence + after.evidence
    assert finding.counter_evidence == ("a consent screen may cover it",)
    assert before.summary in finding.explanation and after.summary in finding.explanation
    assert finding.status is FindingStatus.SUSPECTED


def test_one_finding_per_recipient_abroad_with_every_reason() -> None:
    results = [abroad("meta", "US"), abroad("meta", "IE"), result("country_undeclared", "US", grade="omitted"),
               result("country_undeclared", "IE", grade="vague"), result("sent_after_refusal", "meta", role="third_party")]  # fmt: skip
    (finding,) = [f for f in findings(*results) if f.rule == "28-8-1"]
    assert "naming of US is omitted" in finding.explanation
    assert "naming of IE is vague" in finding.explanation
    assert "without the user's consent" in finding.explanation
    assert finding.checks == ("sent_abroad", "country_undeclared")


OLD = Period(date(2022, 1, 1), date(2023, 9, 14))
"""A violation that ended the day before the 2023 reform took effect."""
TEXTS = rule_texts("pipa")


@pytest.mark.parametrize(
    ("period", "rule", "article"),
    [
        (OLD, "28-8-1", "PIPA Art. 39-12 (old)"),
        (OLD, "15-1", TEXTS["15-1"].article_before),
        (OLD, "31-2-1", "PIPA Art. 39-11 (old)"),
        (OLD, "38-4", "PIPA Art. 39-7 (old)"),
        (OLD, "17-1", "PIPA Art. 17(1)"),  # no old counterpart: the article stays
        (Period(date(2022, 1, 1)), "28-8-1", "PIPA Art. 28-8(1)"),  # ongoing
        (Period(date(2022, 1, 1), REFORM), "28-8-1", "PIPA Art. 28-8(1)"),  # ended on the reform day
        (Period(), "31-2-1", "PIPA Art. 31-2(1)"),  # dates not entered
    ],
)
def test_the_article_in_force_at_the_violation_dates(period: Period, rule: str, article: str) -> None:
    trigger = {
        "28-8-1": [result("provision_abroad_without_consent", "Seller Co")],
        "15-1": [result("behavioural_without_consent")],
        "31-2-1": [agent("False")],
        "38-4": [result("withdrawal_harder")],
        "17-1": [result("sent_before_consent", "meta", role="third_party")],
    }[rule]
    (finding,) = [f for f in findings(*trigger, period=period) if f.rule == rule]
    assert finding.article == article
    assert ("applies." in finding.explanation) == (article != TEXTS[rule].article)


AWS = destination("shop-assets.s3.amazonaws.com", "aws", server_countries=("US",), leaves_by_server=True,
                  leaves_by_organisation=True)  # fmt: skip
"""Amazon Web Services: a cloud (a trustee by category), seat and servers in the US."""


def pipa_ids(scenario: CaseView, rule: str) -> set[str]:
    """The ids of ``rule``'s findings over every check of ``scenario``."""
    return {f.id for f in REGIME.findings(run_checks(scenario), Period()) if f.rule == rule}


def to_aws(policy: Reading, phase: str = "accepted") -> CaseView:
    """AWS receives the e-mail address in ``phase``; the shop's policy is ``policy``."""
    return view(hits=[("1/1", AWS.host, phase, "contact.email")], destinations=[AWS], readings=(policy,))


def to_seller(policy: Reading, **facts: str) -> CaseView:
    """No traffic: the policy declares what Seller Co receives."""
    return view(readings=(policy,), facts=facts)


def test_toolkit_provision_abroad_on_the_contract_ground_is_a_transfer_without_basis(tmp_path: Path) -> None:
    policy = reading(tmp_path, policy_text(PURPOSES, seller_provision("계약의 이행")))
    assert pipa_ids(to_seller(policy), "28-8-1") == {"pipa.28-8-1:Seller-Co"}
    # what the company says elsewhere does not cure it
    said = declaration(K.PROVIDES, "Seller Co", countries=("CN",), ground="contract")
    assert pipa_ids(view(readings=(policy,), declarations=[said]), "28-8-1") == {"pipa.28-8-1:Seller-Co"}


def test_toolkit_provision_abroad_on_separate_consent_is_not(tmp_path: Path) -> None:
    policy = reading(tmp_path, policy_text(PURPOSES, seller_provision("정보주체의 별도 동의")))
    assert pipa_ids(to_seller(policy), "28-8-1") == set()
    assert pipa_ids(to_seller(policy, separate_transfer_consent="yes"), "28-8-1") == set()
    # the policy claims a consent the investigator found was never obtained
    assert pipa_ids(to_seller(policy, separate_transfer_consent="no"), "28-8-1") == {"pipa.28-8-1:Seller-Co"}


def test_toolkit_entrustment_abroad_fully_disclosed_is_not(tmp_path: Path) -> None:
    scenario = to_aws(reading(tmp_path, policy_text(PURPOSES, ITEMS, AWS_TRUSTEE, AWS_TRANSFER, OFFICER)))
    assert (
        run_checks(scenario, ["recipient_undeclared", "country_undeclared", "transfer_items_missing"]) == []
    )
    assert pipa_ids(scenario, "28-8-1") == set()
    assert pipa_ids(scenario, "28-8-2") == set()
    assert pipa_ids(scenario, "26-2") == set()


def test_toolkit_entrustment_abroad_needs_no_consent(tmp_path: Path) -> None:
    scenario = to_aws(reading(tmp_path, policy_text(PURPOSES, AWS_TRUSTEE, AWS_TRANSFER)), "before_consent")
    # a disclosed trustee abroad rests on the contract ground (28-8(1)3), consent or not
    assert pipa_ids(scenario, "17-1") == set()
    assert pipa_ids(scenario, "28-8-1") == set()


def test_toolkit_entrustment_abroad_without_the_country_is(tmp_path: Path) -> None:
    scenario = to_aws(reading(tmp_path, policy_text(PURPOSES, ITEMS, AWS_TRUSTEE, OFFICER)))
    assert pipa_ids(scenario, "28-8-1") == {"pipa.28-8-1:aws"}
    assert pipa_ids(scenario, "26-2") == set()  # the trustee itself is named


def test_toolkit_entrustment_abroad_without_the_trustee_is(tmp_path: Path) -> None:
    scenario = to_aws(reading(tmp_path))  # names Zendesk only
    assert pipa_ids(scenario, "28-8-1") == {"pipa.28-8-1:aws"}
    assert "pipa.26-2:aws" in pipa_ids(scenario, "26-2")


def test_no_results_no_findings() -> None:
    assert findings() == []


def test_every_rule_has_a_text_and_every_text_a_rule() -> None:
    raw = json.loads(files("privprobe.reference").joinpath("rules_pipa.json").read_text("utf-8"))
    ids = [entry["id"] for entry in raw["rules"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(RULES) == set(TEXTS)


@pytest.mark.parametrize("rule", sorted(TEXTS))
def test_rule_texts_are_complete(rule: str) -> None:
    text = TEXTS[rule]
    assert text.article.startswith("PIPA Art.")
    assert not text.article_before or text.article_before.startswith("PIPA Art.")
    for words in (text.title_ko, text.title_en, text.measure_ko, text.measure_en, text.refuted_by):
        assert words.strip()
    assert any("\uac00" <= c <= "\ud7a3" for c in text.title_ko + text.measure_ko)
