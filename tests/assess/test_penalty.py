"""The PIPA Art. 64-2 surcharge worksheet: every band edge, limit and cap, and LAW.md's worked example."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privprobe.assess.limits import truncate
from privprobe.assess.penalty_law import load_penalty_law
from privprobe.errors import PenaltyError
from privprobe.findings import PenaltyKind, SeverityBand
from tests.assess.builders import make_facts, pct, step, surcharge

VS, S, M, MI = SeverityBand.VERY_SERIOUS, SeverityBand.SERIOUS, SeverityBand.MODERATE, SeverityBand.MINOR
NO_RELATED = {f"related_revenue.{year}": None for year in (2021, 2022, 2023)}
NO_REVENUE = {"revenue_incalculable": "yes"}
LATER = {  # a violation running into the time of Act No. 21445 (2026-09-11)
    "revenue.2023": "3000억",
    "revenue.2024": "3000억",
    "revenue.2025": "3000억",
    "violation_start": "2026-01-01",
    "violation_end": "ongoing",
}
AFTER, BEFORE = date(2026, 11, 28), date(2026, 9, 10)


def test_worked_example_2023_rule() -> None:
    estimate = surcharge(rate="1.8", duration=20, cooperation=-30)
    assert estimate.kind is PenaltyKind.SURCHARGE and estimate.severity is S
    outputs = {s.name: s.output for s in estimate.steps}
    assert outputs == {
        "regime": None,
        "total revenue": 300_000_000_000,
        "related revenue": 200_000_000_000,
        "base amount": 3_600_000_000,
        "1st adjustment": 4_320_000_000,
        "2nd adjustment": 3_024_000_000,
        "final decision": 3_024_000_000,
        "cap": 3_024_000_000,
        "rounding": 3_024_000_000,
    }
    assert estimate.amount == estimate.low == estimate.high == 3_024_000_000
    assert step(estimate, "cap").high == 9_000_000_000 and step(estimate, "cap").note == "not binding"
    assert estimate.regime_date == date(2024, 6, 30)
    assert estimate.law_version.startswith("penalty ")


def test_worked_example_2026_rule() -> None:
    facts = make_facts(
        {"related_revenue.2021": "1600억", "related_revenue.2022": "2000억", "related_revenue.2023": "2400억"}
    )
    estimate = surcharge(facts, rate="1.8", regime=AFTER, duration=20, cooperation=-30)
    assert step(estimate, "total revenue").output == 360_000_000_000  # max(prior year 360bn, average 300bn)
    assert step(estimate, "related revenue").output == 240_000_000_000
    assert step(estimate, "base amount").output == 4_320_000_000
    assert step(estimate, "final decision").output == 3_628_800_000
    assert estimate.amount == 3_628_000_000
    assert not step(estimate, "total revenue").verified  # the 2026 rule's effective date is UNVERIFIED


def test_2026_rule_takes_the_average_when_revenue_falls() -> None:
    facts = make_facts({"revenue.2021": "3600억", "revenue.2023": "2400억", **NO_RELATED})
    assert step(surcharge(facts, regime=AFTER), "total revenue").output == 300_000_000_000


@pytest.mark.parametrize(
    ("regime", "parameter", "total"),
    [
        (date(2026, 11, 18), None, 300_000_000_000),
        (date(2026, 11, 19), None, 360_000_000_000),
        (date(2026, 6, 1), None, 300_000_000_000),
        (date(2026, 6, 1), "2026-05-19", 360_000_000_000),
    ],
)
def test_2026_rule_is_dated_by_a_parameter(regime: date, parameter: str | None, total: int) -> None:
    law = load_penalty_law()
    if parameter:
        law = law.with_parameters({"revenue_rule_2026_from": parameter})
    assert step(surcharge(make_facts(NO_RELATED), regime=regime, law=law), "total revenue").output == total


@pytest.mark.parametrize(
    ("band", "rate", "fits"),
    [
        (VS, "2.1", True), (VS, "2.7", True), (VS, "2.0999", False), (VS, "2.7001", False),
        (S, "1.5", True), (S, "2.0999", True), (S, "2.1", False), (S, "1.4999", False),
        (M, "0.9", True), (M, "1.4999", True), (M, "1.5", False), (M, "0.8999", False),
        (MI, "0.03", True), (MI, "0.8999", True), (MI, "0.9", False), (MI, "0.0299", False),
    ],
)  # fmt: skip
def test_rate_band_edges(band: SeverityBand, rate: str, fits: bool) -> None:
    if not fits:
        with pytest.raises(PenaltyError, match=f"rate {rate}% lies outside the {band.value} band"):
            surcharge(severity=band, rate=rate)
        return
    base = step(surcharge(severity=band, rate=rate), "base amount")
    assert base.output == int(200_000_000_000 * pct(rate))


@pytest.mark.parametrize(
    ("band", "amount", "fits"),
    [
        (VS, 700_000_000, True), (VS, 1_800_000_000, True), (VS, 699_999_999, False), (VS, 1_800_000_001, False),
        (S, 200_000_000, True), (S, 699_999_999, True), (S, 700_000_000, False), (S, 199_999_999, False),
        (M, 50_000_000, True), (M, 199_999_999, True), (M, 200_000_000, False), (M, 49_999_999, False),
        (MI, 5_000_000, True), (MI, 49_999_999, True), (MI, 50_000_000, False), (MI, 4_999_999, False),
    ],
)  # fmt: skip
def test_fixed_base_band_edges_without_revenue(band: SeverityBand, amount: int, fits: bool) -> None:
    facts = make_facts(NO_REVENUE)
    if not fits:
        with pytest.raises(PenaltyError, match=f"base amount {amount:,} KRW lies outside the {band.value}"):
            surcharge(facts, band, base=amount)
        return
    assert step(surcharge(facts, band, base=amount), "base amount").output == amount


def test_rate_and_fixed_base_belong_to_their_case() -> None:
    with pytest.raises(PenaltyError, match="no revenue to apply a rate to"):
        surcharge(make_facts(NO_REVENUE), rate="1.8")
    with pytest.raises(PenaltyError, match="only for a controller without revenue"):
        surcharge(base=300_000_000)


def test_zero_revenue_counts_as_no_revenue() -> None:
    zero = {f"revenue.{y}": "0" for y in (2021, 2022, 2023)}
    estimate = surcharge(make_facts({**zero, **NO_RELATED}), base=300_000_000)
    assert step(estimate, "base amount").output == 300_000_000


@pytest.mark.parametrize(
    ("adjust", "error"),
    [
        ({"duration": 90}, None),
        ({"duration": -90}, None),
        ({"duration": 91}, "the 1st adjustment allows at most ±90%"),
        ({"gain": -90.5}, "the 1st adjustment allows at most ±90%"),
        ({"duration": 60, "gain": 40}, "the 1st adjustment totals 100%"),
        ({"duration": 60, "scale": -60, "repeat": 90}, None),
        ({"cooperation": 50}, None),
        ({"cooperation": -50}, None),
        ({"cooperation": 51}, "the 2nd adjustment allows at most ±50%"),
        ({"cooperation": 30, "leading": 30}, "the 2nd adjustment totals 60%"),
        ({"cooperation": 30, "remedy": -10, "certification": -10, "voluntary_report": -10}, None),
        ({"ability_to_pay": -90}, None),
        ({"ability_to_pay": -91}, "ability_to_pay=-91%: give a reduction between -90% and 0%"),
        ({"ability_to_pay": 10}, "ability_to_pay=10%"),
        ({"mood": 10}, "unknown adjustment 'mood'"),
    ],
)
def test_adjustments_outside_the_law_are_refused(adjust: dict[str, int], error: str | None) -> None:
    if error:
        with pytest.raises(PenaltyError, match=error.replace("(", r"\(")):
            surcharge(rate="1.8", **adjust)
    else:
        surcharge(rate="1.8", **adjust)


def test_each_stage_multiplies_its_input() -> None:
    estimate = surcharge(rate="1.8", duration=-90, cooperation=50, ability_to_pay=-90)
    assert step(estimate, "1st adjustment").output == 360_000_000
    assert step(estimate, "2nd adjustment").output == 540_000_000
    assert step(estimate, "final decision").output == 54_000_000
    assert estimate.amount == 54_000_000


def test_open_choices_span_their_legal_room() -> None:
    estimate = surcharge()  # serious, no rate, no adjustment: violation of 6 months, duration default 0%
    assert estimate.amount == 3_000_000_000  # the band's lower edge, unadjusted
    assert estimate.low == 150_000_000  # 3.0bn × (1 - 90%) × (1 - 50%)
    assert estimate.high == 9_000_000_000  # 4.2bn × 1.9 × 1.5 = 11.97bn, capped at 3% of 300bn
    base = step(estimate, "base amount")
    assert (base.low, base.high) == (3_000_000_000, 4_200_000_000) and "not chosen" in base.note
    first = step(estimate, "1st adjustment")
    assert (first.low, first.high) == (300_000_000, 5_700_000_000)
    chosen_rate = surcharge(rate="2")
    assert (chosen_rate.low, chosen_rate.high) == (200_000_000, 9_000_000_000)
    chosen_first = surcharge(rate="2", gain=10)
    assert (chosen_first.low, chosen_first.high) == (2_200_000_000, 6_600_000_000)


@pytest.mark.parametrize(
    ("end", "parameter", "value"),
    [
        ("2024-12-31", "duration_up_to_1_year", "0%"),
        ("2025-01-01", "duration_up_to_1_year", "0%"),
        ("2025-01-02", "duration_1_to_2_years", "+25%"),
        ("2026-01-01", "duration_1_to_2_years", "+25%"),
        ("2026-01-02", "duration_over_2_years", "+50%"),
    ],
)
def test_duration_default_brackets_are_unverified_parameters(end: str, parameter: str, value: str) -> None:
    law = load_penalty_law().with_parameters({"violation_year_basis": "start"})
    estimate = surcharge(make_facts({"violation_end": end}), rate="1.8", law=law)
    first = step(estimate, "1st adjustment")
    assert first.adjustment.startswith(value) and parameter in first.note and not first.verified
    explicit = step(
        surcharge(make_facts({"violation_end": end}), rate="1.8", law=law, duration=5), "1st adjustment"
    )
    assert explicit.adjustment.startswith("+5%")


def test_repeat_counts_earlier_surcharges_within_the_look_back() -> None:
    facts = make_facts({"prior_surcharges": "2020-01-01,2022-06-01,2023-01-01,2024-07-01"})
    first = step(surcharge(facts, rate="1.8", duration=0), "1st adjustment")
    assert "2 earlier surcharge(s) within 3 years" in first.note and first.adjustment.startswith("0%")
    law = load_penalty_law().with_parameters({"repeat_per_prior_surcharge": "10"})
    estimate = surcharge(facts, rate="1.8", law=law, duration=0)
    assert step(estimate, "1st adjustment").output == 4_320_000_000  # +20%
    assert ("repeat_per_prior_surcharge", "10% (set)") in estimate.parameters
    law = law.with_parameters({"repeat_lookback_years": "5"})
    assert step(surcharge(facts, rate="1.8", law=law, duration=0), "1st adjustment").output == 4_680_000_000


def test_cap_of_3_percent_of_total_revenue_binds() -> None:
    estimate = surcharge(make_facts(NO_RELATED), VS, rate="2.7", duration=90, cooperation=50)
    cap = step(estimate, "cap")
    assert cap.input == 23_085_000_000 and cap.output == 9_000_000_000 and cap.note == "binding"
    assert estimate.amount == estimate.high == 9_000_000_000


def test_cap_is_on_total_not_related_revenue() -> None:
    estimate = surcharge(severity=VS, rate="2.7", duration=90, cooperation=50)  # related 200bn, total 300bn
    assert estimate.amount == 9_000_000_000  # 3% of 300bn, not 6bn


def test_no_revenue_cap_of_2_billion_binds() -> None:
    estimate = surcharge(make_facts(NO_REVENUE), VS, base=1_800_000_000, duration=90, cooperation=50)
    assert step(estimate, "cap").input == 5_130_000_000
    assert estimate.amount == 2_000_000_000


@pytest.mark.parametrize(
    ("changes", "punitive"),
    [
        ({}, False),
        ({"intent_or_gross_negligence": "yes", "victims": "10,000,000"}, True),
        ({"intent_or_gross_negligence": "yes", "victims": "9,999,999"}, False),
        ({"intent_or_gross_negligence": "no", "victims": "2000만"}, False),
        ({"leak": "yes", "ignored_corrective_order": "yes"}, True),
        ({"leak": "yes"}, False),
        ({"ignored_corrective_order": "yes"}, False),
        ({"prior_surcharges": "2024-03-01", "intent_or_gross_negligence": "yes", "prior_intent_or_gross_negligence": "yes"}, True),
        ({"prior_surcharges": "2024-03-01", "intent_or_gross_negligence": "yes"}, False),
        ({"prior_surcharges": "2022-12-31", "intent_or_gross_negligence": "yes", "prior_intent_or_gross_negligence": "yes"}, False),
    ],
)  # fmt: skip
def test_punitive_cap_of_10_percent_needs_a_condition_and_2026_09_11(
    changes: dict[str, str], punitive: bool
) -> None:
    facts = make_facts(changes, base=LATER)
    after = surcharge(facts, VS, rate="2.7", regime=AFTER, duration=90, cooperation=50)
    assert after.amount == (23_085_000_000 if punitive else 9_000_000_000)
    assert ("Art. 64-2(2)" in step(after, "cap").basis) is punitive
    before = surcharge(facts, VS, rate="2.7", regime=BEFORE, duration=90, cooperation=50)
    assert before.amount == 9_000_000_000


def test_punitive_cap_without_revenue_is_5_billion() -> None:
    facts = make_facts({**NO_REVENUE, "leak": "yes", "ignored_corrective_order": "yes"}, base=LATER)
    assert (
        surcharge(facts, VS, base=1_800_000_000, regime=AFTER, duration=90, cooperation=50).amount
        == 5_000_000_000
    )
    facts = make_facts({**NO_REVENUE, "leak": "yes"}, base=LATER)
    assert (
        surcharge(facts, VS, base=1_800_000_000, regime=AFTER, duration=90, cooperation=50).amount
        == 2_000_000_000
    )


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        (99_999_999, 99_900_000),
        (12_345_678, 12_300_000),
        (99_999, 0),
        (100_000_000, 100_000_000),
        (123_456_789, 123_000_000),
        (3_628_800_000, 3_628_000_000),
        (1_978_999_999, 1_978_000_000),
    ],
)
def test_rounding_truncates_by_size(amount: int, rounded: int) -> None:
    assert truncate(amount, load_penalty_law()) == rounded


def test_rounding_is_a_parameter() -> None:
    facts = make_facts(NO_REVENUE)
    estimate = surcharge(facts, MI, base=12_345_678)
    assert estimate.amount == 12_300_000 and not step(estimate, "rounding").verified
    law = load_penalty_law().with_parameters(
        {"rounding_unit_krw": "1", "rounding_unit_below_threshold_krw": "1"}
    )
    assert surcharge(facts, MI, base=12_345_678, law=law).amount == 12_345_678


@pytest.mark.parametrize(
    ("changes", "total"),
    [
        ({}, 300_000_000_000),  # 3 years: the average
        (  # 2 years of history, annualised over 730 days
            {
                "business_start": "2022-01-01",
                "revenue.2021": None,
                "revenue.2022": "100억",
                "revenue.2023": "200억",
            },
            15_000_000_000,
        ),
        (  # 1 (half) year of history, annualised over 184 days
            {
                "business_start": "2023-07-01",
                "revenue.2021": None,
                "revenue.2022": None,
                "revenue.2023": "184억",
            },
            36_500_000_000,
        ),
        (  # started after 1 January of the first year: annualised over 1,036 days
            {
                "business_start": "2021-03-01",
                "revenue.2021": "100억",
                "revenue.2022": "120억",
                "revenue.2023": "130억",
            },
            35_000_000_000 * 365 // 1036,
        ),
        (  # started in the violation year: to the violation's first day, 60 days
            {
                "business_start": "2024-02-01",
                "violation_start": "2024-04-01",
                "revenue_before_violation": "60억",
            },
            36_500_000_000,
        ),
    ],
)
def test_total_revenue_with_1_2_3_years_of_history(changes: dict[str, str | None], total: int) -> None:
    facts = make_facts({**changes, **NO_RELATED})
    assert step(surcharge(facts), "total revenue").output == total


def test_2026_rule_for_a_young_business_takes_the_greater() -> None:
    changes = {
        "business_start": "2022-01-01",
        "revenue.2021": None,
        "revenue.2022": "100억",
        "revenue.2023": "400억",
    }
    facts = make_facts({**changes, **NO_RELATED})
    assert step(surcharge(facts), "total revenue").output == 25_000_000_000  # annualised average
    assert step(surcharge(facts, regime=AFTER), "total revenue").output == 40_000_000_000  # prior year


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"revenue.2022": None}, "revenue.2022 is not set"),
        ({"related_revenue.2021": None}, "related_revenue.2021 is not set"),
        ({"business_start": "2024-02-01"}, "revenue_before_violation is not set"),
        (
            {"business_start": "2024-02-01", "revenue_before_violation": "1억"},
            "is not before violation_start",
        ),
        ({"business_start": "2025-02-01"}, "is after the violation year 2024"),
        (
            {"related_revenue.2023": "3600억 1"},
            r"related_revenue.2023 \(360,000,000,001\) exceeds revenue.2023",
        ),
        ({"violation_start": None}, "violation_start is not set"),
        ({"violation_end": None}, "violation_end is not set"),
        ({"violation_end": "2023-12-31"}, "violation_end 2023-12-31 is before violation_start"),
    ],
)
def test_missing_or_inconsistent_facts_are_named(changes: dict[str, str | None], error: str) -> None:
    with pytest.raises(PenaltyError, match=error):
        surcharge(make_facts(changes))


def test_unrelated_revenue_is_excluded_only_when_entered() -> None:
    related = step(surcharge(), "related revenue")
    assert related.output == 200_000_000_000 and related.adjustment == "− 100,000,000,000"
    whole = step(surcharge(make_facts(NO_RELATED)), "related revenue")
    assert whole.output == 300_000_000_000 and "nothing excluded" in whole.note


@pytest.mark.parametrize(
    ("changes", "regime", "refused"),
    [
        ({"violation_start": "2022-01-01", "violation_end": "2023-09-14"}, None, True),
        ({"violation_start": "2022-01-01", "violation_end": "2023-09-15"}, None, False),
        ({"violation_start": "2022-01-01", "violation_end": "ongoing"}, date(2023, 10, 1), False),
        ({"violation_start": "2022-01-01", "violation_end": "ongoing"}, date(2023, 9, 14), True),
    ],
)
def test_old_regime_is_refused(changes: dict[str, str], regime: date | None, refused: bool) -> None:
    facts = make_facts({**changes, "revenue.2020": "2400억", **NO_RELATED})
    if refused:
        with pytest.raises(PenaltyError, match=r"old Art\. 39-15"):
            surcharge(facts, regime=regime)
    else:
        assert surcharge(facts, regime=regime).amount > 0


def test_mandatory_reduction_for_privacy_investment() -> None:
    facts = make_facts({"privacy_investment": "yes"}, base=LATER)
    estimate = surcharge(facts, rate="1.8", regime=AFTER)
    reduction = step(estimate, "mandatory reduction")
    assert reduction.output == reduction.input and not reduction.verified and "UNVERIFIED" in reduction.note
    reduced = step(surcharge(facts, rate="1.8", regime=AFTER, privacy_investment=-20), "mandatory reduction")
    assert reduced.output == int(reduced.input * Decimal("0.8")) and reduced.verified
    law = load_penalty_law().with_parameters({"privacy_investment_reduction": "10"})
    by_parameter = step(surcharge(facts, rate="1.8", regime=AFTER, law=law), "mandatory reduction")
    assert by_parameter.adjustment == "-10%"
    with pytest.raises(PenaltyError, match="give one between -100% and 0%"):
        surcharge(facts, rate="1.8", regime=AFTER, privacy_investment=5)


@pytest.mark.parametrize(
    ("changes", "regime"),
    [
        ({"privacy_investment": "yes", "intent_or_gross_negligence": "yes"}, AFTER),
        ({"privacy_investment": "yes"}, BEFORE),
        ({}, AFTER),
    ],
)
def test_mandatory_reduction_is_refused_where_the_law_gives_none(
    changes: dict[str, str], regime: date
) -> None:
    facts = make_facts(changes, base=LATER)
    with pytest.raises(PenaltyError, match="applies only from 2026-09-11"):
        surcharge(facts, rate="1.8", regime=regime, privacy_investment=-20)
    estimate = surcharge(facts, rate="1.8", regime=regime)
    names = [s.name for s in estimate.steps]
    if changes.get("intent_or_gross_negligence"):
        assert "excluded" in step(estimate, "mandatory reduction").note
    else:
        assert "mandatory reduction" not in names


def test_estimate_records_its_parameters() -> None:
    law = load_penalty_law().with_parameters({"duration_over_2_years": "30"})
    parameters = dict(surcharge(law=law).parameters)
    assert parameters["duration_over_2_years"] == "30% (set)"
    assert parameters["rounding_unit_krw"] == "1,000,000"


BANDS = st.sampled_from(list(SeverityBand))


@settings(max_examples=150, deadline=None)
@given(
    band=BANDS,
    related=st.integers(min_value=1, max_value=10**13),
    unrelated=st.integers(min_value=0, max_value=10**12),
    position=st.integers(min_value=0, max_value=99),
    first=st.integers(min_value=-90, max_value=90),
    second=st.one_of(st.none(), st.integers(min_value=-50, max_value=50)),
    ability=st.integers(min_value=-90, max_value=0),
)
def test_the_amount_lies_in_its_range_and_under_the_cap(
    band: SeverityBand,
    related: int,
    unrelated: int,
    position: int,
    first: int,
    second: int | None,
    ability: int,
) -> None:
    rule = load_penalty_law().bands[band]
    rate = rule.rate_min + (rule.rate_max - rule.rate_min) * position / 100
    values = {"violation_start": "2024-01-01", "violation_end": "2024-06-30"}
    for year in (2021, 2022, 2023):
        values |= {f"revenue.{year}": str(related + unrelated), f"related_revenue.{year}": str(related)}
    adjust = {"gain": first, "ability_to_pay": ability} | ({"remedy": second} if second is not None else {})
    estimate = surcharge(make_facts(base=values), band, rate=str(rate * 100), **adjust)
    assert 0 <= estimate.low <= estimate.amount <= estimate.high
    assert estimate.high <= (related + unrelated) * 3 // 100
    assert all(s.low is None or s.high is None or s.low <= s.high for s in estimate.steps)


# Real decisions (LAW.md section (c)). The controllers' revenue is not public: the revenue, the violation
# periods and the severity bands below are ASSUMPTIONS, stated as data; only the published amounts are facts.

ALIEXPRESS_AMOUNT = 1_978_000_000  # 19억 7,800만, PIPC plenary 2024-07-24
ALIEXPRESS_ASSUMED = [
    # (related revenue a year in KRW, total revenue a year in KRW, band): assumptions, not facts
    ("1000억", "1500억", M),
    ("1500억", "3000억", M),
    ("1500억", "3000억", S),
    ("2000억", "5000억", S),
]


@pytest.mark.parametrize(("related", "total", "band"), ALIEXPRESS_ASSUMED)
def test_aliexpress_surcharge_lies_in_the_range(related: str, total: str, band: SeverityBand) -> None:
    values = {
        "violation_start": "2023-01-01",
        "violation_end": "2024-04-30",
    }  # assumed: transfers still ongoing in April 2024
    for year in (2021, 2022, 2023):
        values |= {f"revenue.{year}": total, f"related_revenue.{year}": related}
    estimate = surcharge(make_facts(base=values), band)
    assert estimate.low <= ALIEXPRESS_AMOUNT <= estimate.high
    assert (
        truncate(ALIEXPRESS_AMOUNT, load_penalty_law()) == ALIEXPRESS_AMOUNT
    )  # consistent with the rounding rule


WHALECO_AMOUNT = 879_000_000  # 8억 7,900만, Temu (users), PIPC plenary 2025-05-14
ELEMENTARY_AMOUNT = 490_000_000  # 4억 9,000만, Temu (sellers)
WHALECO_ASSUMED = {
    # Temu launched in Korea in July 2023: a business younger than 3 years (annualised revenue).
    "business_start": "2023-07-01",
    "revenue.2023": "300억",
    "revenue.2024": "1000억",
    "related_revenue.2023": "200억",
    "related_revenue.2024": "800억",
    "violation_start": "2023-07-01",
    "violation_end": "2025-02-28",  # assumed: the policy was revised during the investigation
}


def test_temu_whaleco_surcharge_lies_in_the_aggravated_range() -> None:
    facts = make_facts(base=WHALECO_ASSUMED)
    estimate = surcharge(facts, M)
    assert step(estimate, "related revenue").output == 100_000_000_000 * 365 // 550
    assert estimate.low <= WHALECO_AMOUNT <= estimate.high
    # LAW.md: aggravated for insufficient cooperation (a positive 2nd adjustment) — reachable within +50%.
    aggravated = surcharge(facts, M, duration=0, cooperation=50)
    assert step(aggravated, "base amount").output < WHALECO_AMOUNT <= aggravated.amount


def test_temu_elementary_innovation_without_calculable_revenue() -> None:
    # Assumed: the seller pilot began in February 2025, so revenue could not be calculated; band serious.
    facts = make_facts(base={"violation_start": "2025-02-01", "violation_end": "2025-04-30", **NO_REVENUE})
    estimate = surcharge(facts, S)
    assert estimate.low <= ELEMENTARY_AMOUNT <= estimate.high
    assert surcharge(facts, S, base=ELEMENTARY_AMOUNT, duration=0).amount == ELEMENTARY_AMOUNT
