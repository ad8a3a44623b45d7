"""The case-fact catalogue: keys, forms, canonical texts, typed values."""

from __future__ import annotations

from datetime import date

import pytest

from privprobe.assess.case_facts import (
    CATALOGUE,
    CaseFacts,
    FactKind,
    display,
    parse,
    parse_amount,
    parse_assignment,
    spec_for,
)
from privprobe.errors import CaseError, FactError


@pytest.mark.parametrize(
    ("text", "won"),
    [
        ("1978000000", 1_978_000_000),
        ("1,978,000,000", 1_978_000_000),
        ("19.78억", 1_978_000_000),
        ("19억 7,800만", 1_978_000_000),
        ("19억7800만원", 1_978_000_000),
        ("1.2조", 1_200_000_000_000),
        ("1조 2,000억", 1_200_000_000_000),
        ("5,000만원", 50_000_000),
        ("290만", 2_900_000),
        ("0", 0),
        ("1.23456789억", 123_456_789),
    ],
)
def test_amounts(text: str, won: int) -> None:
    assert parse_amount(text) == won


@pytest.mark.parametrize(
    "text", ["", "12x", "1.5", "1,97,0", "-5", "억", "2억 1조", "1.234567891억", "1 000", "KRW 5"]
)
def test_not_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(
    ("key", "text", "canonical"),
    [
        ("revenue.2023", "1.2조", "1200000000000"),
        ("related_revenue.1999", "19.78억", "1978000000"),
        ("worldwide_turnover_eur", "450,000,000", "450000000"),
        ("daily_korean_users", "290만", "2900000"),
        ("violation_start", "2024-01-02", "2024-01-02"),
        ("violation_end", "Ongoing", "ongoing"),
        ("violation_end", "2024-12-31", "2024-12-31"),
        ("prior_surcharges", "2024-05-01, 2022-01-03", "2022-01-03,2024-05-01"),
        ("prior_surcharges", "none", "none"),
        ("prior_fines.31-2(1)", "2023-01-01", "2023-01-01"),
        ("korea_office", "YES", "yes"),
        ("domestic_agent_designated", "아니오", "no"),
        ("withdrawal_languages", "EN, ko, en", "en,ko"),
        ("signup_steps", "2", "2"),
    ],
)
def test_canonical_texts(key: str, text: str, canonical: str) -> None:
    assert parse(key, text) == canonical


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("revenue.2023", "12x", "revenue.2023: '12x' is not a KRW amount"),
        ("worldwide_turnover_eur", "1억", "is not a EUR amount"),
        ("violation_start", "2024/01/02", "is not a date YYYY-MM-DD"),
        ("violation_start", "20240102", "is not a date YYYY-MM-DD"),
        ("violation_end", "soon", "or 'ongoing'"),
        ("prior_surcharges", "2024-01-01,x", "dates YYYY-MM-DD separated by commas"),
        ("korea_office", "maybe", "is not yes or no"),
        ("withdrawal_languages", "english!", "language codes"),
        ("revenue.YEAR", "1", "unknown case fact 'revenue.YEAR'"),
        ("revenue.20231", "1", "unknown case fact"),
        ("turnover", "1", "unknown case fact 'turnover'"),
        ("prior_fines.99(9)", "none", "'99(9)' is not an Annex 2 fine id"),
    ],
)
def test_refusals_name_the_key_and_the_form(key: str, text: str, expected: str) -> None:
    with pytest.raises(FactError, match=expected.replace("(", r"\(").replace(")", r"\)")) as raised:
        parse(key, text)
    assert isinstance(raised.value, CaseError)


def test_assignment() -> None:
    assert parse_assignment("revenue.2023 = 3000억") == ("revenue.2023", "300000000000")
    with pytest.raises(FactError, match="give KEY=VALUE"):
        parse_assignment("revenue.2023")


def test_catalogue_keys_are_unique_and_described() -> None:
    keys = [spec.key for spec in CATALOGUE]
    assert len(keys) == len(set(keys))
    for spec in CATALOGUE:
        assert spec.description and spec.basis, spec.key
        assert spec_for(spec.key.replace("YEAR", "2023").replace("FINE", "29")) is spec
    needed = {"revenue.YEAR", "related_revenue.YEAR", "daily_korean_users", "korean_subjects",
              "korean_subsidiary", "domestic_agent_designated", "korea_office", "signup_steps",
              "withdrawal_steps", "withdrawal_languages", "violation_start", "violation_end",
              "prior_surcharges", "intent_or_gross_negligence", "victims", "ignored_corrective_order",
              "privacy_investment"}  # fmt: skip
    assert needed <= set(keys)


def test_typed_values() -> None:
    facts = CaseFacts.of(
        {
            "revenue.2022": "1,000",
            "revenue.2023": "2000",
            "related_revenue.2023": "500",
            "violation_start": "2024-01-01",
            "violation_end": "ongoing",
            "prior_surcharges": "none",
            "prior_fines.29": "2023-03-04",
            "leak": "yes",
            "withdrawal_languages": "en",
        }
    )
    assert facts.by_year("revenue") == {2022: 1000, 2023: 2000}
    assert facts.by_year("related_revenue") == {2023: 500}
    assert facts.day("violation_start") == date(2024, 1, 1)
    assert facts.day("violation_end") is None and facts.is_set("violation_end")
    assert facts.days("prior_surcharges") == () and facts.days("prior_fines.29") == (date(2023, 3, 4),)
    assert facts.flag("leak") and not facts.flag("korea_office")
    assert facts.get("withdrawal_languages") == ("en",)
    assert facts.amount("victims") is None


def test_display() -> None:
    assert display(FactKind.KRW, "1978000000") == "1,978,000,000 (19.78억)"
    assert display(FactKind.KRW, "200000000000") == "200,000,000,000 (2000억)"
    assert display(FactKind.KRW, "50000000") == "50,000,000"
    assert display(FactKind.COUNT, "2900000") == "2,900,000"
    assert display(FactKind.DATES, "2022-01-03,2024-05-01") == "2022-01-03,2024-05-01"
