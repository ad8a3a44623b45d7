"""The GDPR regime: one positive and one negative case per rule, over check results built directly."""

from __future__ import annotations

import json
from datetime import date
from importlib.resources import files

import pytest

from privprobe.assess.gdpr import REGIME, RULES
from privprobe.assess.regime import Period, rule_texts
from privprobe.findings import CheckResult, EvidenceRef, Finding


def result(check: str, subject: str, **details: str) -> CheckResult:
    """A check result about ``subject`` with ``details``, citing one flow."""
    evidence = (EvidenceRef("flow", f"1/{check}/{subject}"),)
    return CheckResult(check, subject, f"{check} about {subject}.", evidence, tuple(details.items()))


def abroad(who: str, country: str, role: str = "third_party") -> CheckResult:
    """``who`` received data in ``country``."""
    return result(
        "sent_abroad",
        f"{who}@{country}",
        organisation=who,
        country=country,
        role=role,
        data_types="online.ip",
    )


def findings(*results: CheckResult, period: Period | None = None) -> list[Finding]:
    return REGIME.findings(list(results), period or Period())


CASES = [
    # rule, results, the finding ids of that rule
    ("5-1-a", [result("recipient_undeclared", "meta", grade="omitted", role="third_party")], {"gdpr.5-1-a:meta"}),
    ("5-1-a", [result("recipient_undeclared", "meta", grade="vague", role="third_party"),
               result("data_type_undeclared", "contact.email", grade="omitted")],
     {"gdpr.5-1-a:meta", "gdpr.5-1-a:contact.email"}),
    ("5-1-a", [result("recipient_undeclared", "meta", grade="clear"),
               result("sent_before_consent", "meta", role="third_party")], set()),
    ("6-1", [result("sent_before_consent", "meta", role="third_party", data_types="contact.email"),
             result("sent_after_refusal", "meta", role="third_party", data_types="contact.email")], {"gdpr.6-1:meta"}),
    ("6-1", [result("sent_before_consent", "cloudflare", role="trustee"),
             result("sent_after_refusal", "aws", role="trustee")], set()),
    ("7-3", [result("sent_after_refusal", "meta", role="third_party")], {"gdpr.7-3:meta"}),
    ("7-3", [result("sent_before_consent", "meta", role="third_party")], set()),
    ("8", [result("age_verification_missing", "case")], {"gdpr.8:case"}),
    ("8", [result("withdrawal_harder", "case")], set()),
    ("9", [result("protected_data", "sensitive", **{"class": "sensitive"})], {"gdpr.9:sensitive"}),
    ("9", [result("protected_data", "rrn", **{"class": "rrn"}),
           result("protected_data", "unique_identifier", **{"class": "unique_identifier"})], set()),
    ("13", [result("policy_gaps", "gdpr.controller", status="missing", conditional="no"),
            result("policy_gaps", "gdpr.retention", status="partial", conditional="no")],
     {"gdpr.13:gdpr.controller", "gdpr.13:gdpr.retention"}),
    ("13", [result("policy_gaps", "pipa.controller", status="missing", conditional="no"),
            result("policy_gaps", "gdpr.dpo", status="missing", conditional="yes"),
            result("policy_gaps", "gdpr.transfers", status="missing", conditional="yes")], set()),
    ("44", [abroad("meta", "US"), result("country_undeclared", "US", grade="omitted")], {"gdpr.44:meta"}),
    ("44", [abroad("aws", "SG", "trustee"), result("policy_gaps", "gdpr.transfers", status="missing", conditional="yes")],
     {"gdpr.44:aws"}),
    ("44", [result("provision_abroad_without_consent", "Seller Co", countries="CN", role="third_party"),
            result("transfer_safeguards_missing", "case")], {"gdpr.44:Seller Co", "gdpr.44:case"}),
    ("44", [abroad("meta", "US"), result("recipient_undeclared", "google", grade="omitted"),
            result("country_undeclared", "CN", grade="omitted")], set()),
    ("eprivacy-5-3", [result("sent_before_consent", "google", role="third_party", data_types="device.ad_id, online.ip"),
                      result("sent_before_consent", "cloudflare", role="trustee", data_types="online.cookie_id")],
     {"gdpr.eprivacy-5-3:google", "gdpr.eprivacy-5-3:cloudflare"}),
    ("eprivacy-5-3", [result("sent_before_consent", "meta", role="third_party", data_types="contact.email, online.ip"),
                      result("sent_after_refusal", "google", role="third_party", data_types="device.ad_id")], set()),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "results", "expected"), CASES)
def test_rule_raises_exactly_these_findings(
    rule: str, results: list[CheckResult], expected: set[str]
) -> None:
    raised = [finding for finding in findings(*results) if finding.rule == rule]
    assert {finding.id for finding in raised} == expected
    assert len(raised) == len(expected)  # one finding per subject
    for finding in raised:
        assert finding.regime == "gdpr"
        assert finding.article == rule_texts("gdpr")[rule].article
        assert finding.evidence and finding.explanation and finding.checks


@pytest.mark.parametrize(
    ("rule", "article"),
    [
        ("5-1-a", "GDPR Art. 5(1)(a)"),
        ("6-1", "GDPR Art. 6(1)"),
        ("7-3", "GDPR Art. 7(1), (3)"),
        ("8", "GDPR Art. 8(1)"),
        ("9", "GDPR Art. 9(1)"),
        ("13", "GDPR Art. 13(1), (2)"),
        ("44", "GDPR Art. 44 (Arts 45-49)"),
        ("eprivacy-5-3", "Directive 2002/58/EC Art. 5(3)"),
    ],
)
def test_rules_cite_their_articles(rule: str, article: str) -> None:
    assert rule_texts("gdpr")[rule].article == article


def test_no_consent_merges_before_consent_and_refusal_per_recipient() -> None:
    (finding,) = [
        f
        for f in findings(
            result("sent_before_consent", "meta", role="third_party"),
            result("sent_after_refusal", "meta", role="third_party"),
        )
        if f.rule == "6-1"
    ]
    assert finding.checks == ("sent_before_consent", "sent_after_refusal")
    assert len(finding.evidence) == 2


def test_transfer_explains_each_reason_and_merges_countries() -> None:
    (finding,) = [
        f
        for f in findings(
            abroad("meta", "US"),
            abroad("meta", "SG"),
            result("recipient_undeclared", "meta", grade="vague"),
            result("country_undeclared", "US", grade="omitted"),
            result("policy_gaps", "gdpr.transfers", status="partial", conditional="yes"),
        )
        if f.rule == "44"
    ]
    assert finding.id == "gdpr.44:meta"
    assert "the policy's naming of the recipient is vague" in finding.explanation
    assert "the policy's naming of US is omitted" in finding.explanation
    assert "no transfer safeguards (partial)" in finding.explanation
    assert set(finding.checks) == {"sent_abroad", "recipient_undeclared", "country_undeclared", "policy_gaps"}


def test_eprivacy_names_only_the_terminal_identifiers() -> None:
    sent = result("sent_before_consent", "google", role="third_party", data_types="device.ad_id, online.ip")
    (finding,) = [f for f in findings(sent) if f.rule == "eprivacy-5-3"]
    assert finding.explanation.endswith("Read from or stored on the terminal: device.ad_id.")


def test_an_old_period_keeps_the_article() -> None:
    old = Period(date(2022, 1, 1), date(2022, 12, 31))
    (finding,) = findings(result("age_verification_missing", "case"), period=old)
    assert finding.article == "GDPR Art. 8(1)"
    assert "applies" not in finding.explanation


def test_every_rule_has_a_text_and_every_text_a_rule() -> None:
    raw = json.loads(files("privprobe.reference").joinpath("rules_gdpr.json").read_text("utf-8"))
    ids = [entry["id"] for entry in raw["rules"]]
    assert len(ids) == len(set(ids))
    assert list(RULES) == ids
    assert all(entry["article_before"] == "" for entry in raw["rules"])


@pytest.mark.parametrize("rule", list(RULES))
def test_texts_are_complete_in_both_languages(rule: str) -> None:
    text = rule_texts("gdpr")[rule]
    assert text.title_ko and text.title_en and text.measure_ko and text.measure_en and text.refuted_by
    assert any("\uac00" <= char <= "\ud7a3" for char in text.title_ko + text.measure_ko)
    if rule.startswith("eprivacy"):
        assert "Art. 83 does not apply" in text.sanction
    else:
        assert text.sanction in ("Art. 83(5): up to €20M or 4%", "Art. 83(4): up to €10M or 2%")


def test_the_regime_is_registered() -> None:
    from privprobe.plugins import Registry

    regimes = Registry.from_entry_points().regimes
    assert "gdpr" in regimes
    assert regimes["gdpr"] is REGIME
