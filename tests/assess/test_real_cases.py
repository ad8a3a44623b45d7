"""The PIPC decisions of LAW.md section (c), rebuilt from their facts and declarations (no traffic).

Each case is a `CaseView` made of the case (controller, first-party domain, jurisdiction KR), the
facts the decision found as `CaseFacts`, a small policy written in the style of the time (in
``data/cases/``, read with ``extract(load_policy(path))``), and what the company told the PIPC as
``declarations_extra`` (with a dummy `PolicySpan`, since no policy says it). The PIPA rules must
raise every provision LAW.md says the PIPC found, and nothing outside a small allowed set per case.

Provision → rule id: 28-8(1) → 28-8-1, 28-8(2) → 28-8-2, 28-8(4) → 28-8-4, 38(4) → 38-4,
24-2(1) → 24-2-1, 26(4) → 26-4, 26(2) → 26-2, 31-2(1) → 31-2-1, 30 → 30-1, 22-2 → 22-2, and
old 39-3(1) → 15-1 citing the old article. The penalty amounts are tested in test_penalty.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.view import CaseView, subject_name
from privprobe.declared.policy import extract, load_policy
from privprobe.facts import Declaration, DeclarationKind, PolicySpan
from privprobe.model import Case, CaseId
from privprobe.pipeline import Assessment, assess
from privprobe.plugins import Registry

K = DeclarationKind
DATA = Path(__file__).parent / "data" / "cases"


def told(
    case: str,
    kind: DeclarationKind,
    recipient: str,
    countries: tuple[str, ...],
    *,
    organisation: str | None = None,
    country_text: str = "",
    items: str = "",
    purpose: str = "",
    basis: str = "",
    ground: str = "",
) -> Declaration:
    """What a company told the PIPC (a questionnaire answer), cited by a dummy span of the decision."""
    return Declaration(
        kind,
        PolicySpan(f"decision:{case}", None, 0, 0),
        items=items,
        basis=basis,
        ground=ground,
        recipient=recipient,
        organisation=organisation,
        countries=countries,
        country_text=country_text,
        purpose=purpose,
    )


@dataclass(frozen=True)
class RealCase:
    """One decision of LAW.md section (c) as the rules should see it."""

    controller: str
    domain: str
    policy: str | None
    """File in data/cases/, or None when the decision rests on no policy text."""
    facts: dict[str, str]
    extra: tuple[Declaration, ...]
    expected: frozenset[str]
    """The rule ids of the provisions LAW.md says the PIPC found."""
    allowed: dict[str, str] = field(default_factory=dict)
    """Rule ids that may also be raised, each with why."""
    xfail: dict[str, str] = field(default_factory=dict)
    """Expected rule ids the code does not raise yet, each with what it misses."""
    found: tuple[tuple[str, str], ...] = ()
    """Findings (rule id, subject) the decision implies, where the subject matters."""
    clean: tuple[tuple[str, str], ...] = ()
    """(rule id, subject) the decision found nothing against, ``""`` for any rule: a fully
    disclosed transfer, a Korean trustee under the overseas-transfer rule ..."""
    old_article: str = ""
    """For a violation that ended before 2023-09-15: what the 15-1 finding must cite."""


# --------------------------------------------------------------------------------------------------
# The cases, as data. Facts not in LAW.md are marked ASSUMED with the reason.
# --------------------------------------------------------------------------------------------------

ALIEXPRESS_FACTS = {
    "separate_transfer_consent": "no",
    "transfer_safeguards_in_contract": "no",
    "withdrawal_languages": "en",
    # LAW.md dates the policy state "as of early April 2024": after the 2023 reform.
    "violation_end": "2024-04-01",
}
ALIEXPRESS_ALLOWED = {
    # The sellers row of the transfer table lacks the contact and the time and method (and names a
    # category, "worldwide"): the same gap as 28-8-2, counted again as a policy-content item.
    "30-1": "the overseas-transfer section is partial; and sellers receive data with no third-party section",
}

CASES: dict[str, RealCase] = {
    # source: LAW.md (c), row "AliExpress (Alibaba.com Singapore E-Commerce Private Limited)",
    # decision 2024-07-24: buyers' data provided to ≈180,000 overseas sellers, mostly in China,
    # without telling users the countries or the recipients' names and contacts (policy: country
    # "worldwide", ~4% of sellers named); seller terms without PIPA safeguards; deletion page in
    # English only; data centre in Singapore. Found: 28-8(1), 28-8(2), 28-8(4), 38(4).
    "aliexpress-2024": RealCase(
        controller="Alibaba.com Singapore E-Commerce Private Limited (AliExpress)",
        domain="aliexpress.com",
        policy="aliexpress_2024.md",
        facts=ALIEXPRESS_FACTS,
        # What the company told the PIPC: the sellers (third parties) receive the data in China.
        extra=(
            told(
                "aliexpress-2024",
                K.PROVIDES,
                "해외 판매자 (overseas sellers, ≈180,000)",
                ("CN",),
                country_text="중국 등",
                items="이름, 휴대전화번호, 배송지 주소",
                purpose="주문 상품의 배송",
                basis="제28조의8제1항제3호",
                ground="contract",
            ),
        ),
        expected=frozenset({"28-8-1", "28-8-2", "28-8-4", "38-4"}),
        allowed=ALIEXPRESS_ALLOWED,
        found=(("28-8-2", "판매자"), ("28-8-1", "해외 판매자 (overseas sellers, ≈180,000)")),
        # The Singapore data centre, disclosed with every Art. 28-8(2) item: nothing to find.
        clean=(("", "alibaba-cloud-intl"),),
    ),
    # source: the same row, before the questionnaire: the policy alone (sellers, "worldwide", on the
    # contract ground of 28-8(1)3) and the facts (no separate consent). LAW.md (a), toolkit rule:
    # provision to a foreign third party cannot rest on 28-8(1)3; D2: "Provision to sellers on the
    # 'contract' ground (not allowed for provision)". Found: as above.
    "aliexpress-2024-policy-only": RealCase(
        controller="Alibaba.com Singapore E-Commerce Private Limited (AliExpress)",
        domain="aliexpress.com",
        policy="aliexpress_2024.md",
        facts=ALIEXPRESS_FACTS,
        extra=(),
        expected=frozenset({"28-8-1", "28-8-2", "28-8-4", "38-4"}),
        allowed=ALIEXPRESS_ALLOWED,
    ),
    # source: LAW.md (c), row "Temu (Whaleco Technology Limited — users ...)", decision 2025-05-14:
    # processing entrusted to or stored with 32 companies in 10 countries (Korea, China, Singapore,
    # Japan ...), none disclosed in the policy; no trustee training or supervision; no domestic
    # agent despite 2.9M Korean DAU (end-2023); 7-step withdrawal vs. sign-up by phone or e-mail.
    # Found: 28-8(1), 26(4), 26(2), 31-2(1), 38(4).
    "temu-whaleco-2025": RealCase(
        controller="Whaleco Technology Limited (Temu)",
        domain="temu.com",
        policy="temu_2024.md",
        facts={
            "daily_korean_users": "2,900,000",
            "korea_office": "no",
            "domestic_agent_designated": "no",
            # ASSUMED: LAW.md says sign-up "by phone or e-mail alone"; 2 steps (enter, confirm code).
            "signup_steps": "2",
            "withdrawal_steps": "7",
            "trustee_supervision": "no",
            # ASSUMED: LAW.md gives no dates; the agent duty runs from 2024 (DAU of end-2023) to the
            # decision. Both after the 2023 reform, so the current articles apply.
            "violation_start": "2024-01-01",
            "violation_end": "2025-05-14",
        },
        # A handful of the 32 trustees; LAW.md names none of them, so they are described, not named.
        extra=tuple(
            told("temu-whaleco-2025", K.ENTRUSTS, name, (country,), items=items, purpose=work)
            for name, country, items, work in (
                ("수탁사 A (중국, 물류)", "CN", "이름, 휴대전화번호, 배송지 주소, 주문 정보", "배송 및 물류"),
                ("수탁사 B (싱가포르, 데이터 보관)", "SG", "기기 식별자, 주문 정보", "데이터 보관"),
                ("수탁사 C (일본, 고객 상담)", "JP", "이름, 이메일 주소, 주문 정보", "고객 상담"),
                ("수탁사 D (대한민국, 통관)", "KR", "이름, 개인통관고유부호, 배송지 주소", "통관 대행"),
            )
        ),
        expected=frozenset({"28-8-1", "26-4", "26-2", "31-2-1", "38-4"}),
        allowed={
            # The policy had no trustee or overseas-transfer section (LAW.md D1 #7: "Temu was
            # sanctioned for omitting this"); the company's answers show both are needed.
            "30-1": "the entrustment and overseas-transfer sections are missing from the policy",
        },
        found=(
            ("28-8-1", "수탁사 A (중국, 물류)"),
            ("28-8-1", "수탁사 B (싱가포르, 데이터 보관)"),
            ("28-8-1", "수탁사 C (일본, 고객 상담)"),
            ("26-2", "수탁사 D (대한민국, 통관)"),
            ("31-2-1", "case"),
        ),
        # The Korean trustee is not a transfer abroad.
        clean=(("28-8-1", "수탁사 D (대한민국, 통관)"),),
    ),
    # source: LAW.md (c), row "Temu (... Elementary Innovation Pte. Ltd. — sellers)": in the
    # "local-to-local" pilot (Feb 2025) ID cards, face videos and RRNs were collected from sellers
    # with no legal basis. Found: 24-2(1). The decision rests on what was collected, not on a policy;
    # the face video is entered as a video (LAW.md does not say it was used to identify, which
    # would make it biometric data under Decree Art. 18).
    "temu-sellers-2025": RealCase(
        controller="Elementary Innovation Pte. Ltd. (Temu sellers)",
        domain="seller.temu.com",
        policy=None,
        facts={"violation_start": "2025-02-01"},
        extra=(
            Declaration(
                K.COLLECTS,
                PolicySpan("decision:temu-sellers-2025", None, 0, 0),
                data_types=("identity.rrn", "identity.id_document", "media.video"),
                items="주민등록번호, 신분증 사본, 얼굴 영상",
            ),
        ),
        expected=frozenset({"24-2-1"}),
    ),
    # source: LAW.md (c), row "Kakao Pay / Apple / Alipay", decision 2025-01-22: Kakao Pay sent data
    # on ~40M users without consent to Alipay, Apple's trustee in China, which the PIPC treated as
    # provision to Apple: "적법 처리 근거 없는 국외이전". Found: the overseas-transfer rules → 28-8(1).
    # Old/new article numbers are UNVERIFIED (2018 conduct), so no violation_end is entered.
    "kakaopay-2025": RealCase(
        controller="Kakao Pay Corp.",
        domain="kakaopay.com",
        policy="kakaopay_2018.md",
        facts={"korea_office": "yes", "separate_transfer_consent": "no", "violation_start": "2018-04-01"},
        extra=(
            told(
                "kakaopay-2025",
                K.PROVIDES,
                "Apple Distribution International Ltd. (through its trustee Alipay)",
                ("CN",),
                country_text="중국 (Alipay)",
                items="휴대전화번호, 이메일 주소, 잔액 등 24개 항목",
                purpose="Apple의 NSF 점수 산출",
            ),
        ),
        expected=frozenset({"28-8-1"}),
        allowed={
            # The policy has no overseas-transfer section while data went to China: the omission
            # the decision found, counted as a policy-content item too.
            "30-1": "no overseas-transfer section, though data went abroad",
        },
    ),
    # source: LAW.md (c), same row: "Apple did not disclose its entrustment to Alipay or the overseas
    # transfer in its privacy policy"; toolkit rule of LAW.md (a): entrustment abroad without the
    # 28-8(1)3 disclosure has no ground ("Temu and Apple were sanctioned because they made no such
    # disclosure"). Found: 26(2) (entrustment disclosure) and 28-8(1) (transfer).
    "apple-2025": RealCase(
        controller="Apple Distribution International Ltd.",
        domain="apple.com",
        policy="apple_2018.md",
        facts={"violation_start": "2018-04-01"},
        extra=(
            told(
                "apple-2025",
                K.ENTRUSTS,
                "Alipay (China) Network Technology Co., Ltd.",
                ("CN",),
                organisation="alipay",
                country_text="중국",
                items="카카오페이 이용자 정보",
                purpose="Apple ID 계정의 NSF 점수 산출",
            ),
        ),
        expected=frozenset({"26-2", "28-8-1"}),
        found=(("26-2", "alipay"), ("28-8-1", "alipay")),
        # The transfer to Apple Inc. in the US is disclosed with every item.
        clean=(("", "apple"),),
    ),
    # source: LAW.md (c), row "DeepSeek (Hangzhou DeepSeek AI)", inspection results 2025-04-24: user
    # data (AI prompts, device, network and app data) sent to 3 Chinese companies, incl. Beijing
    # Volcano Engine, and 1 US company without consent or disclosure; policy in Chinese and English
    # only, lacking Korean-law items; no age verification despite an under-14 ban. LAW.md D2: "Foreign-
    # hosted app with no country named (DeepSeek)" (Decree Art. 31(1)4).
    # Found: 28-8 (→ 28-8-1), 30 (→ 30-1), 22-2.
    "deepseek-2025": RealCase(
        controller="Hangzhou DeepSeek Artificial Intelligence Co., Ltd.",
        domain="deepseek.com",
        policy="deepseek_2025.md",
        facts={
            "age_verification": "no",
            "separate_transfer_consent": "no",
            "violation_start": "2025-01-15",
            "violation_end": "2025-04-10",
        },
        extra=(
            told(
                "deepseek-2025",
                K.TRANSFERS_ABROAD,
                "Beijing Volcano Engine Technology Co., Ltd.",
                ("CN",),
                organisation="volcano-engine",
                country_text="중국",
                items="AI 프롬프트, 기기 정보, 네트워크 정보, 앱 정보",
            ),
            # LAW.md does not name the US company.
            told(
                "deepseek-2025",
                K.TRANSFERS_ABROAD,
                "미국 소재 회사 (US company, unnamed in LAW.md)",
                ("US",),
                country_text="미국",
                items="기기 정보",
            ),
        ),
        expected=frozenset({"28-8-1", "30-1", "22-2"}),
        allowed={
            # "Without consent or disclosure": the transfers come with none of the Art. 28-8(2) items.
            # The decision cites "28-8" without the paragraph.
            "28-8-2": "the stated transfers come with none of the Art. 28-8(2) items",
            # Korean-law items the English policy lacks (LAW.md: "lacked Korean-law items").
            "22-3": "items processed without consent are not listed apart",
            "26-2": "no entrustment section; 'service providers' named only as a category",
        },
        found=(
            ("28-8-1", "volcano-engine"),
            ("28-8-1", "미국 소재 회사 (US company, unnamed in LAW.md)"),
            ("30-1", "pipa.overseas_transfer"),
            ("30-1", "pipa.overseas_collection"),
        ),
        xfail={
            "30-1:pipa.overseas_collection": "the checklist grades pipa.overseas_collection absent "
            "('country of processing not stated'), but the item is conditional: it counts once the "
            "case facts say korea_office=no, which LAW.md's row does not state, so the facts here "
            "leave it out",
        },
    ),
    # source: LAW.md (c), row "Google LLC", decision 2022-09-14: third-party behavioural data
    # collected for ads without prior consent. Found: old Art. 39-3(1), the violation having ended
    # before 2023-09-15 (LAW.md (a), "Old 39-3 ~ 39-15"). The policy is complete enough that
    # nothing else is expected.
    "google-2022": RealCase(
        controller="Google LLC",
        domain="google.com",
        policy="google_2022.md",
        # ASSUMED: LAW.md gives no dates; the decision date is the latest the violation can have ended.
        facts={"behavioural_consent": "no", "violation_end": "2022-09-14"},
        extra=(),
        expected=frozenset({"15-1"}),
        old_article="39-3(1)",
    ),
    # source: LAW.md (c), row "Meta Platforms", decision 2022-09-14: off-platform activity (Pixel,
    # SDK, login, plugins) collected for ads with only a bundled data-policy agreement at sign-up.
    # Found: old Art. 39-3(1).
    "meta-2022": RealCase(
        controller="Meta Platforms, Inc.",
        domain="facebook.com",
        policy="meta_2022.md",
        # ASSUMED: as for Google, the decision date stands for the end of the violation.
        facts={"behavioural_consent": "no", "violation_end": "2022-09-14"},
        extra=(),
        expected=frozenset({"15-1"}),
        # the policy written for the test describes the pixel and SDKs but not how to refuse them
        allowed=frozenset({"30-1"}),
        old_article="39-3(1)",
    ),
}


@cache
def assessed(name: str) -> Assessment:
    """The PIPA assessment of one case."""
    real = CASES[name]
    readings = (extract(load_policy(DATA / real.policy)),) if real.policy else ()
    view = CaseView(
        Case(CaseId(name), real.controller, (real.domain,), jurisdiction="KR"),
        CaseFacts.of(real.facts),
        readings=readings,
        declarations_extra=real.extra,
    )
    return assess(view, Registry.from_entry_points(), ["pipa"])


def raised(name: str) -> set[str]:
    return {finding.rule for finding in assessed(name).findings}


def _marked(name: str, key: str, id_: str, *values: str) -> object:
    reason = CASES[name].xfail.get(key)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(name, *values, marks=marks, id=id_)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        _marked(name, rule, f"{name}:{rule}", rule)
        for name, real in CASES.items()
        for rule in sorted(real.expected)
    ],
)
def test_the_provision_the_pipc_found_is_raised(name: str, rule: str) -> None:
    assert rule in raised(name), f"{name}: {rule} not raised; raised {sorted(raised(name))}"


@pytest.mark.parametrize(
    ("name", "rule", "subject"),
    [
        _marked(name, f"{rule}:{subject}", f"{name}:{rule}:{subject}", rule, subject)
        for name, real in CASES.items()
        for rule, subject in real.found
    ],
)
def test_the_finding_names_its_subject(name: str, rule: str, subject: str) -> None:
    subjects = {finding.subject for finding in assessed(name).findings if finding.rule == rule}
    assert subject in subjects or subject_name(subject) in subjects, (
        f"{name}: {rule} raised for {sorted(subjects)}"
    )


@pytest.mark.parametrize("name", list(CASES))
def test_nothing_outside_the_allowed_set_is_raised(name: str) -> None:
    real = CASES[name]
    assert not set(real.allowed) & real.expected, "a rule is either expected or allowed"
    unexpected = raised(name) - real.expected - set(real.allowed)
    assert not unexpected, {
        finding.id: finding.explanation for finding in assessed(name).findings if finding.rule in unexpected
    }
    cleared = [
        f.id
        for f in assessed(name).findings
        for rule, subject in real.clean
        if f.subject == subject and rule in ("", f.rule)
    ]
    assert not cleared, f"{name}: findings against subjects the decision cleared: {cleared}"


@pytest.mark.parametrize("name", [name for name, real in CASES.items() if real.old_article])
def test_a_violation_ended_before_the_reform_cites_the_old_article(name: str) -> None:
    assessment = assessed(name)
    assert assessment.period.old_text
    findings = [finding for finding in assessment.findings if finding.rule == "15-1"]
    assert findings and all(CASES[name].old_article in finding.article for finding in findings)
    assert all("old" in finding.article and "15(1)" not in finding.article for finding in findings)
    assert all(finding.evidence[0].ref == "behavioural_consent" for finding in findings)


@pytest.mark.parametrize("name", [name for name, real in CASES.items() if not real.old_article])
def test_a_violation_after_the_reform_cites_the_current_articles(name: str) -> None:
    assert all("old" not in finding.article for finding in assessed(name).findings)
