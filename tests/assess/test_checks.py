"""Every law-neutral check, table-driven: views where it fires (with the subject and key details it
must report) and near-misses where it must stay silent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from privprobe.assess.checks import CHECKS, grade_recipient, run_checks
from privprobe.assess.view import CaseView
from privprobe.declared.policy import Reading
from privprobe.facts import Declaration, DeclarationKind, Destination, Party
from privprobe.findings import EvidenceRef
from tests.assess.view_builders import as_policy, declaration, destination, reading, view
from tests.builders import make_case

K = DeclarationKind

FB = destination("connect.facebook.net", "facebook", leaves_by_organisation=True)
"""Meta's pixel host: a social network (a third party by category), seated in the US."""
GA = destination("www.google-analytics.com", "google-analytics", leaves_by_organisation=True)
"""Google Analytics, whose parent is Google LLC (US)."""
PANGLE = destination("api16-access-sg.pangle.io", "pangle", leaves_by_organisation=True)
"""ByteDance's ad network: seated in Singapore, its top parent in the Cayman Islands."""
AWS = destination(
    "shop-assets.s3.amazonaws.com", "aws", server_countries=("US",), leaves_by_server=True,
    leaves_by_organisation=True,
)  # fmt: skip
"""Amazon Web Services: a cloud (a trustee by category), seat and servers in the US."""
CDN = destination("edge.cdn-unknown.net", server_countries=("SG", "KR"), leaves_by_server=True)
"""A host the organisation table does not know, with servers registered in Singapore and Korea."""
SHOP = destination("shop.example", party=Party.FIRST, leaves_by_organisation=True)
"""The controller's own host."""

Scenario = Callable[[Reading], CaseView]
"""A view built for one case; it may use the short Korean policy (`view_builders.KO_POLICY`)."""


def got(where: str, *destinations: Destination, data_type: str = "contact.email", **kwargs: Any) -> CaseView:
    """Each destination received ``data_type`` in phase ``where``, one flow each; ``kwargs`` go to `view`."""
    hits = [(f"1/{n}", d.host, where, data_type) for n, d in enumerate(destinations)]
    return view(hits=hits, destinations=destinations, **kwargs)


def facts(**values: str) -> CaseView:
    """A view with only these case facts."""
    return view(facts=values)


def provides(countries: tuple[str, ...], ground: str, kind: K = K.PROVIDES) -> Declaration:
    """Seller Co in ``countries`` receives delivery addresses on ``ground``."""
    return declaration(
        kind, "Seller Co", countries=countries, ground=ground, data_types=("address.delivery",)
    )


FULL_TRANSFER = declaration(
    K.TRANSFERS_ABROAD, "Amazon Web Services, Inc.", "aws", ("US",), ("contact.email",), ground="contract",
    items="이메일", time_method="주문 시 네트워크를 통한 전송", contact="aws-korea-privacy@amazon.com",
    purpose="데이터 보관", retention="회원 탈퇴 시까지", refusal="privacy@shop.example로 거부; 주문 제한",
)  # fmt: skip
"""An overseas transfer stating all five items of PIPA Art. 28-8(2) and its ground."""
AGENT = declaration(K.DOMESTIC_AGENT, "대리인 주식회사", address="서울", contact="02-000-0000")
BIG = {"daily_korean_users": "1,000,000", "domestic_agent_designated": "no"}
"""A controller abroad at the user threshold of Decree Art. 32-3(1), without an agent."""

FIRES: list[tuple[str, Scenario, str, dict[str, str]]] = [
    # check, view, subject, details it must report
    ("sent_before_consent", lambda _: got("before_consent", FB), "facebook",
     {"phase": "before_consent", "role": "third_party", "category": "social", "data_types": "contact.email"}),
    ("sent_before_consent", lambda _: got("before_consent", AWS), "aws", {"role": "trustee", "category": "cloud"}),
    ("sent_before_consent", lambda _: got("before_consent", CDN), CDN.host, {"role": "third_party", "category": ""}),
    ("sent_after_refusal", lambda _: got("refused", FB), "facebook", {"phase": "refused", "role": "third_party"}),
    ("sent_abroad", lambda _: got("accepted", FB), "facebook@US",
     {"organisation": "facebook", "country": "US", "by": "organisation seat", "role": "third_party",
      "phases": "accepted"}),
    # the operating company's own seat (Singapore), not its Cayman holding's
    ("sent_abroad", lambda _: got("accepted", PANGLE), "pangle@SG", {"country": "SG", "role": "third_party"}),
    ("sent_abroad", lambda _: got("accepted", AWS), "aws@US",
     {"by": "organisation seat and server registration", "role": "trustee"}),
    ("sent_abroad", lambda _: got("accepted", CDN), f"{CDN.host}@SG", {"by": "server registration"}),
    ("recipient_undeclared", lambda _: got("accepted", FB), "facebook",
     {"grade": "omitted", "role": "third_party", "abroad": "US", "data_types": "contact.email"}),
    ("recipient_undeclared",
     lambda _: got("accepted", FB, declarations=[declaration(K.PROVIDES, "advertising partners", vague=True)]),
     "facebook", {"grade": "vague"}),
    # sellers cannot be Meta: the category does not cover a social network
    ("recipient_undeclared", lambda _: got("accepted", FB, declarations=[declaration(K.PROVIDES, "판매자", vague=True)]),
     "facebook", {"grade": "omitted"}),
    # a declared Google does not cover Meta
    ("recipient_undeclared",
     lambda _: got("accepted", FB, declarations=[declaration(K.PROVIDES, "Google", "google")]),
     "facebook", {"grade": "omitted"}),
    ("recipient_undeclared", lambda _: got("accepted", AWS), "aws", {"grade": "omitted", "role": "trustee"}),
    ("country_undeclared", lambda _: got("accepted", FB), "US",
     {"grade": "omitted", "organisation": "facebook", "country": "US"}),
    ("country_undeclared",
     lambda _: got("accepted", FB, declarations=[declaration(K.TRANSFERS_ABROAD, "Meta", "meta")]),
     "US", {"grade": "vague"}),
    ("country_undeclared",
     lambda _: got("accepted", FB, declarations=[declaration(K.PROVIDES, "Meta", "meta", countries=("ZZ",))]),
     "US", {"grade": "vague"}),
    ("country_undeclared",
     lambda _: got("accepted", PANGLE, declarations=[declaration(K.TRANSFERS_ABROAD, "Meta", "meta", ("US",))]),
     "SG", {"grade": "omitted", "organisation": "pangle"}),
    ("data_type_undeclared", lambda _: got("accepted", FB), "contact.email", {"grade": "omitted"}),
    ("data_type_undeclared",
     lambda _: got("accepted", FB, declarations=[declaration(K.COLLECTS, data_types=("contact.phone",))]),
     "contact.email", {"grade": "omitted"}),
    ("answers_not_in_policy", lambda _: view(declarations=[declaration(K.ENTRUSTS, "Zendesk", "zendesk", ("US",))]),
     "zendesk", {"grade": "omitted", "role": "trustee", "abroad": "US", "kind": "entrusts"}),
    # the policy names Zendesk in the US, not Singapore
    ("answers_not_in_policy",
     lambda policy: view(readings=(policy,), declarations=[declaration(K.ENTRUSTS, "Zendesk", "zendesk", ("US", "SG"))]),
     "zendesk", {"abroad": "US, SG"}),
    ("answers_not_in_policy", lambda policy: view(readings=(policy,), declarations=[provides(("CN",), "contract")]),
     "Seller-Co", {"role": "third_party", "abroad": "CN", "kind": "provides"}),
    ("provision_abroad_without_consent", lambda _: view(declarations=[provides(("CN",), "contract")]),
     "Seller-Co", {"ground": "contract", "countries": "CN", "role": "third_party"}),
    ("provision_abroad_without_consent", lambda _: view(declarations=[provides(("KR", "CN"), "")]),
     "Seller-Co", {"ground": "", "countries": "CN"}),
    ("provision_abroad_without_consent",
     lambda _: view(declarations=[provides(("CN",), "consent")], facts={"separate_transfer_consent": "no"}),
     "Seller-Co", {"ground": "consent"}),
    ("transfer_items_missing",
     lambda _: view(readings=(as_policy([declaration(K.TRANSFERS_ABROAD, "Amazon Web Services, Inc.", "aws", ("US",))]),)),
     "aws", {"countries": "US"}),
    ("transfer_items_missing",
     lambda _: view(readings=(as_policy([declaration(K.TRANSFERS_ABROAD, "해외 클라우드 사업자", vague=True)]),)),
     "해외-클라우드-사업자", {"countries": "country not named"}),
    ("transfer_ground_fails",
     lambda _: view(readings=(as_policy([declaration(K.TRANSFERS_ABROAD, "해외 판매자", None, ("CN",), vague=True, ground="contract")]),)),
     "해외-판매자", {"ground": "contract", "role": "third_party", "countries": "CN"}),
    ("transfer_ground_fails",
     lambda _: view(readings=(as_policy([declaration(K.TRANSFERS_ABROAD, "Amazon Web Services, Inc.", "aws", ("US",), ground="contract")]),)),
     "aws", {"ground": "contract", "role": "trustee"}),
    ("transfer_ground_fails",
     lambda _: view(readings=(as_policy([declaration(K.TRANSFERS_ABROAD, "Amazon Web Services, Inc.", "aws", ("US",), ground="consent")]),),
                    facts={"separate_transfer_consent": "no"}),
     "aws", {"ground": "consent"}),
    ("controller_abroad", lambda _: view(facts={"korea_office": "no"}), "case", {}),
    ("protected_data", lambda _: got("accepted", FB, data_type="biometric.face"), "sensitive",
     {"class": "sensitive", "data_types": "biometric.face", "observed": "1", "declared": "0"}),
    # observed in first-party traffic too: the class of the data, not the recipient, decides
    ("protected_data", lambda _: got("accepted", SHOP, data_type="identity.passport"), "unique_identifier",
     {"class": "unique_identifier", "observed": "1"}),
    ("protected_data", lambda _: view(declarations=[declaration(K.COLLECTS, data_types=("identity.rrn",))]),
     "rrn", {"class": "rrn", "observed": "0", "declared": "1"}),
    ("policy_gaps", lambda policy: view(readings=(policy,)), "pipa.retention", {"status": "absent", "conditional": "no"}),
    ("policy_gaps", lambda policy: view(readings=(policy,)), "pipa.entrustment",
     {"status": "partial", "conditional": "yes"}),
    ("policy_gaps", lambda policy: view(readings=(policy,)), "gdpr.rights", {"status": "absent"}),
    ("withdrawal_harder", lambda _: facts(signup_steps="3", withdrawal_steps="7"), "case", {}),
    ("withdrawal_harder", lambda _: facts(withdrawal_languages="en"), "case", {}),
    ("domestic_agent_missing", lambda _: facts(**BIG), "case", {"designated": "False", "in_policy": "False"}),
    ("domestic_agent_missing", lambda _: facts(**{"revenue.2023": str(10**12), "domestic_agent_designated": "no"}),
     "case", {"designated": "False"}),
    ("domestic_agent_missing", lambda _: facts(daily_korean_users="2,900,000", domestic_agent_designated="yes"),
     "case", {"designated": "True", "in_policy": "False"}),
    ("domestic_agent_missing", lambda _: view(facts=BIG, declarations=[AGENT]), "case",
     {"designated": "False", "in_policy": "True"}),
    ("trustee_supervision_missing", lambda _: facts(trustee_supervision="no"), "case", {}),
    ("transfer_safeguards_missing", lambda _: facts(transfer_safeguards_in_contract="no"), "case", {}),
    ("age_verification_missing", lambda _: facts(age_verification="no"), "case", {}),
    ("behavioural_without_consent", lambda _: facts(behavioural_consent="no"), "case", {}),
]  # fmt: skip

SILENT: list[tuple[str, Scenario]] = [
    # check, a view where it must find nothing
    ("sent_before_consent", lambda _: got("before_consent", SHOP)),
    ("sent_before_consent", lambda _: got("accepted", FB)),
    ("sent_before_consent", lambda _: got("refused", FB)),
    ("sent_after_refusal", lambda _: got("accepted", FB)),
    ("sent_after_refusal", lambda _: got("before_consent", FB)),
    ("sent_after_refusal", lambda _: got("refused", SHOP)),
    ("sent_abroad", lambda _: got("accepted", SHOP)),
    ("sent_abroad", lambda _: got("accepted", destination(FB.host, "facebook", leaves_by_organisation=False))),
    ("sent_abroad", lambda _: got("accepted", destination(FB.host, "facebook"))),
    ("sent_abroad", lambda _: got("accepted", destination(CDN.host, server_countries=("KR",), leaves_by_server=True))),
    # a US case: Meta is at home
    ("sent_abroad", lambda _: got("accepted", FB, case=make_case(jurisdiction="US"))),
    # "google" declared covers its product Google Analytics
    ("recipient_undeclared",
     lambda _: got("accepted", GA, declarations=[declaration(K.PROVIDES, "Google LLC", "google")])),
    ("recipient_undeclared", lambda _: got("accepted", FB, declarations=[declaration(K.PROVIDES, "Meta", "meta")])),
    ("recipient_undeclared",
     lambda _: got("accepted", FB, declarations=[declaration(K.AUTOMATIC_COLLECTION, "Facebook 픽셀", "facebook")])),
    ("recipient_undeclared", lambda _: got("accepted", SHOP)),
    ("country_undeclared",
     lambda _: got("accepted", FB, declarations=[declaration(K.TRANSFERS_ABROAD, "Meta", "meta", ("US",))])),
    ("country_undeclared", lambda _: got("accepted", AWS, declarations=[declaration(K.STORES_IN, countries=("US",))])),
    ("country_undeclared", lambda _: got("accepted", destination(FB.host, "facebook", leaves_by_organisation=False))),
    ("data_type_undeclared",
     lambda _: got("accepted", FB, declarations=[declaration(K.COLLECTS, data_types=("contact.email",))])),
    ("data_type_undeclared", lambda _: got("accepted", SHOP)),
    ("answers_not_in_policy",
     lambda policy: view(readings=(policy,), declarations=[declaration(K.ENTRUSTS, "Zendesk", "zendesk", ("US",))])),
    ("answers_not_in_policy", lambda policy: view(readings=(policy,), declarations=[AGENT])),
    # an answer naming no recipient is about its country, which the policy names
    ("answers_not_in_policy",
     lambda policy: view(readings=(policy,), declarations=[declaration(K.ENTRUSTS, countries=("US",))])),
    ("answers_not_in_policy",
     lambda policy: view(readings=(policy,), declarations=[declaration(K.ENTRUSTS, "zendesk, inc.", countries=("KR",))])),
    ("provision_abroad_without_consent", lambda _: view(declarations=[provides(("CN",), "consent")])),
    ("provision_abroad_without_consent",
     lambda _: view(declarations=[provides(("CN",), "consent")], facts={"separate_transfer_consent": "yes"})),
    ("provision_abroad_without_consent", lambda _: view(declarations=[provides(("KR",), "contract")])),
    # entrustment abroad may rest on the contract ground (Art. 28-8(1)3)
    ("provision_abroad_without_consent", lambda _: view(declarations=[provides(("CN",), "contract", K.ENTRUSTS)])),
    ("transfer_items_missing", lambda _: view(readings=(as_policy([FULL_TRANSFER]),))),
    ("transfer_items_missing", lambda _: view(readings=(as_policy([provides(("CN",), "")]),))),
    # the company's answers are not a notice to users: they are compared by answers_not_in_policy
    ("transfer_items_missing", lambda _: view(declarations=[declaration(K.TRANSFERS_ABROAD, "x", None, ("US",))])),
    ("transfer_ground_fails", lambda _: view(readings=(as_policy([FULL_TRANSFER]),))),
    ("transfer_ground_fails",
     lambda _: view(readings=(as_policy([declaration(K.TRANSFERS_ABROAD, "해외 판매자", None, ("CN",), vague=True, ground="consent")]),))),
    ("controller_abroad", lambda _: view(facts={"korea_office": "yes"})),
    ("controller_abroad", lambda _: view()),
    ("protected_data", lambda _: got("accepted", FB, data_type="contact.phone")),
    ("protected_data", lambda _: view(declarations=[declaration(K.COLLECTS, data_types=("identity.name",))])),
    ("policy_gaps", lambda _: got("accepted", FB)),
    ("withdrawal_harder", lambda _: facts(signup_steps="3", withdrawal_steps="3")),
    ("withdrawal_harder", lambda _: facts(signup_steps="3", withdrawal_steps="2")),
    ("withdrawal_harder", lambda _: facts(withdrawal_steps="7")),
    ("withdrawal_harder", lambda _: facts(withdrawal_languages="ko,en")),
    ("withdrawal_harder", lambda _: facts()),
    ("domestic_agent_missing", lambda _: facts(daily_korean_users="999,999", domestic_agent_designated="no")),
    ("domestic_agent_missing", lambda _: facts(**{"revenue.2023": str(10**12 - 1), "domestic_agent_designated": "no"})),
    ("domestic_agent_missing", lambda _: facts(**BIG, korea_office="yes")),
    ("domestic_agent_missing",
     lambda _: view(facts={**BIG, "domestic_agent_designated": "yes"}, declarations=[AGENT])),
    ("domestic_agent_missing", lambda _: view(facts={"daily_korean_users": "2,900,000"}, declarations=[AGENT])),
    ("trustee_supervision_missing", lambda _: facts(trustee_supervision="yes")),
    ("trustee_supervision_missing", lambda _: facts()),
    ("transfer_safeguards_missing", lambda _: facts(transfer_safeguards_in_contract="yes")),
    ("transfer_safeguards_missing", lambda _: facts()),
    ("age_verification_missing", lambda _: facts(age_verification="yes")),
    ("age_verification_missing", lambda _: facts()),
    ("behavioural_without_consent", lambda _: facts(behavioural_consent="yes")),
    ("behavioural_without_consent", lambda _: facts()),
]  # fmt: skip


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Reading:
    """The short Korean policy of `view_builders.KO_POLICY`, read."""
    return reading(tmp_path_factory.mktemp("policy"))


def _ids(table: list[tuple[str, Scenario, str, dict[str, str]]]) -> list[str]:
    return [f"{check}-{subject}-{n}" for n, (check, _, subject, _) in enumerate(table)]


@pytest.mark.parametrize(("check", "scenario", "subject", "details"), FIRES, ids=_ids(FIRES))
def test_check_fires(
    check: str, scenario: Scenario, subject: str, details: dict[str, str], policy: Reading
) -> None:
    results = CHECKS[check](scenario(policy))
    found = {result.subject: result for result in results}
    assert subject in found, f"{check} reported {sorted(found)}"
    result = found[subject]
    assert result.check == check
    assert {key: result.detail(key) for key in details} == details
    assert result.summary


@pytest.mark.parametrize(("check", "scenario"), SILENT, ids=[f"{c}-{n}" for n, (c, _) in enumerate(SILENT)])
def test_check_stays_silent(check: str, scenario: Scenario, policy: Reading) -> None:
    assert CHECKS[check](scenario(policy)) == []


@pytest.mark.parametrize(("check", "scenario"), [(c, s) for c, s, _, _ in FIRES], ids=_ids(FIRES))
def test_every_result_carries_evidence(check: str, scenario: Scenario, policy: Reading) -> None:
    results = CHECKS[check](scenario(policy))
    assert results
    assert all(
        result.evidence and all(isinstance(ref, EvidenceRef) for ref in result.evidence) for result in results
    )


def test_every_check_has_cases_both_ways() -> None:
    assert {check for check, *_ in FIRES} == set(CHECKS)
    assert {check for check, _ in SILENT} == set(CHECKS)


def test_recipient_grades_name_the_deciding_declaration() -> None:
    google = declaration(K.PROVIDES, "Google LLC", "google")
    partners = declaration(K.PROVIDES, "advertising partners", vague=True)
    sellers = declaration(K.PROVIDES, "판매자", vague=True)
    assert grade_recipient(view(declarations=[partners, google]), GA) == ("clear", google)
    assert grade_recipient(view(declarations=[sellers, partners]), FB) == ("vague", partners)
    assert grade_recipient(view(declarations=[sellers]), FB) == ("omitted", None)
    assert grade_recipient(view(), destination("unknown.example")) == ("omitted", None)


def test_a_vague_recipient_is_cited_and_weighs_against() -> None:
    partners = declaration(K.PROVIDES, "advertising partners", vague=True)
    (result,) = CHECKS["recipient_undeclared"](got("accepted", FB, declarations=[partners]))
    assert result.evidence[-1].kind == "declaration"
    assert "advertising partners" in result.counter[0]


def test_sent_abroad_reports_each_foreign_server_country_only() -> None:
    results = CHECKS["sent_abroad"](got("accepted", CDN))
    assert [result.subject for result in results] == [f"{CDN.host}@SG"]
    assert results[-1].evidence[-1] == EvidenceRef("destination", CDN.host, CDN.jurisdiction_evidence)


def test_a_country_is_reported_once_with_the_evidence_of_every_recipient() -> None:
    (result,) = CHECKS["country_undeclared"](got("accepted", FB, GA))
    assert result.subject == "US"
    assert {ref.ref for ref in result.evidence if ref.kind == "destination"} == {FB.host, GA.host}


def test_withdrawal_reasons_and_facts_are_cited() -> None:
    (result,) = CHECKS["withdrawal_harder"](
        facts(signup_steps="3", withdrawal_steps="7", withdrawal_languages="en")
    )
    assert "7 steps to withdraw against 3 to sign up" in result.summary
    assert "only in en" in result.summary
    assert {ref.ref for ref in result.evidence} == {
        "signup_steps",
        "withdrawal_steps",
        "withdrawal_languages",
    }


def test_refused_separate_consent_is_cited() -> None:
    scenario = view(declarations=[provides(("CN",), "consent")], facts={"separate_transfer_consent": "no"})
    (result,) = CHECKS["provision_abroad_without_consent"](scenario)
    assert EvidenceRef("fact", "separate_transfer_consent", "no") in result.evidence


def test_transfer_items_missing_names_each_gap() -> None:
    bare = declaration(K.TRANSFERS_ABROAD, "해외 클라우드 사업자", vague=True)
    (result,) = CHECKS["transfer_items_missing"](view(readings=(as_policy([bare]),)))
    missing = result.detail("missing")
    assert missing.startswith("recipient named only as a category")
    for gap in (
        "items transferred",
        "destination country",
        "recipient's contact",
        "legal ground of the transfer",
    ):
        assert gap in missing


def test_policy_gaps_skip_what_the_policy_answers(policy: Reading) -> None:
    subjects = {result.subject for result in CHECKS["policy_gaps"](view(readings=(policy,)))}
    assert {"pipa.purposes", "pipa.items", "pipa.officer"}.isdisjoint(subjects)


def test_run_checks_filters_and_keeps_report_order() -> None:
    scenario = got("before_consent", FB, facts={"age_verification": "no"})
    everything = run_checks(scenario)
    order = list(CHECKS)
    assert [order.index(r.check) for r in everything] == sorted(order.index(r.check) for r in everything)
    assert {r.check for r in everything} >= {"sent_before_consent", "sent_abroad", "age_verification_missing"}
    chosen = run_checks(scenario, ["sent_abroad", "age_verification_missing"])
    assert [r.check for r in chosen] == ["sent_abroad", "age_verification_missing"]
    assert run_checks(scenario, []) == []


def test_builders_look_up_the_top_parent(tmp_path: Path) -> None:
    assert PANGLE.organisation is not None and PANGLE.organisation.country == "SG"
    assert PANGLE.parent is not None and PANGLE.parent.id == "bytedance"
    assert GA.parent is not None and GA.parent.id == "alphabet"
    assert reading(tmp_path).declarations
