"""PIPA Art. 75 fines (Decree Annex 2, repeat counting, Art. 76) and the GDPR Art. 83 maxima."""

from __future__ import annotations

from datetime import date

import pytest

from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.fines import FineChoices, GdprTier, estimate_fine, gdpr_maximum
from privprobe.assess.penalty_law import load_penalty_law
from privprobe.errors import PenaltyError
from privprobe.findings import PenaltyEstimate, PenaltyKind
from tests.assess.builders import pct

ON = date(2024, 6, 30)


def fine(fine_id: str, prior: str = "none", adjust: str | None = None, **options: object) -> PenaltyEstimate:
    facts = CaseFacts.of({f"prior_fines.{fine_id}": prior})
    choices = FineChoices(ON, pct(adjust) if adjust is not None else None, bool(options.get("surcharged")))
    return estimate_fine(fine_id, facts, choices, options.get("law"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fine_id", "prior", "amount"),
    [
        ("28-8(4)", "none", 6_000_000),
        ("28-8(4)", "2023-01-01", 12_000_000),
        ("28-8(4)", "2022-01-01,2023-01-01", 24_000_000),
        ("28-8(4)", "2022-01-01,2023-01-01,2024-01-01", 24_000_000),  # 3rd or later
        ("63(1)", "2023-01-01", 6_000_000),
        ("26(6)", "2023-01-01,2024-01-01", 16_000_000),
        ("31-2(1)", "2022-01-01,2023-01-01", 20_000_000),  # flat
        ("31-2(4)", "none", 2_000_000),
        ("26(2)", "2023-05-05", 4_000_000),
    ],
)
def test_annex_2_amount_by_count(fine_id: str, prior: str, amount: int) -> None:
    estimate = fine(fine_id, prior, "0")
    assert estimate.kind is PenaltyKind.FINE and estimate.steps[0].output == amount
    assert estimate.amount == amount and estimate.steps[0].basis.startswith("Decree Annex 2")


@pytest.mark.parametrize(
    ("prior", "counted"),
    [
        ("2021-06-30", True),  # exactly 3 years before
        ("2021-06-29", False),
        ("2024-06-29", True),
        ("2024-06-30", False),  # not earlier
        ("2024-07-01", False),
    ],
)
def test_repeat_counting_looks_back_3_years(prior: str, counted: bool) -> None:
    estimate = fine("29", prior, "0")
    assert estimate.amount == (12_000_000 if counted else 6_000_000)
    assert ("2nd violation" in estimate.steps[0].name) is counted


@pytest.mark.parametrize(
    ("fine_id", "prior", "adjust", "amount"),
    [
        ("28-8(4)", "none", "50", 9_000_000),
        ("28-8(4)", "none", "-50", 3_000_000),
        ("28-8(4)", "2022-01-01,2023-01-01", "50", 30_000_000),  # 36M capped by Act 75(2)
        ("31-2(1)", "none", "50", 20_000_000),  # capped by Act 75(3)
        ("31-2(1)", "none", "-25", 15_000_000),
        ("30(1)", "2022-01-01,2023-01-01", "25", 10_000_000),  # 8M + 25% = 10M, the cap
    ],
)
def test_half_increase_or_reduction_within_the_act_75_cap(
    fine_id: str, prior: str, adjust: str, amount: int
) -> None:
    estimate = fine(fine_id, prior, adjust)
    assert estimate.amount == estimate.low == estimate.high == amount


@pytest.mark.parametrize("adjust", ["51", "-51", "100"])
def test_adjustments_beyond_half_are_refused(adjust: str) -> None:
    with pytest.raises(PenaltyError, match="outside -50% … \\+50%"):
        fine("29", adjust=adjust)


def test_reduction_limit_is_a_parameter() -> None:
    law = load_penalty_law().with_parameters({"fine_reduction_max": "100"})
    assert fine("29", adjust="-100", law=law).amount == 0
    assert ("fine_reduction_max", "100% (set)") in fine("29", law=law).parameters


def test_open_adjustment_spans_the_legal_room() -> None:
    estimate = fine("29")
    assert (estimate.low, estimate.amount, estimate.high) == (3_000_000, 6_000_000, 9_000_000)
    flat = fine("31-2(1)")
    assert (flat.low, flat.amount, flat.high) == (10_000_000, 20_000_000, 20_000_000)


def test_no_fine_for_a_surcharged_act() -> None:
    estimate = fine("29", adjust="50", surcharged=True)
    assert estimate.amount == estimate.low == estimate.high == 0
    assert estimate.steps[-1].basis == "Act Art. 76" and estimate.steps[-1].input == 9_000_000


def test_unknown_fine_lists_the_ids() -> None:
    with pytest.raises(PenaltyError, match=r"unknown fine '99'.*31-2\(1\)"):
        estimate_fine("99", CaseFacts({}), FineChoices(ON))


def test_amounts_of_a_later_annex_are_noted() -> None:
    assert "as of 2025-09-23, later than the violation" in fine("29").steps[0].note


@pytest.mark.parametrize(
    ("tier", "turnover", "maximum"),
    [
        (GdprTier.UPPER, None, 20_000_000),
        (GdprTier.LOWER, None, 10_000_000),
        (GdprTier.UPPER, 100_000_000, 20_000_000),
        (GdprTier.UPPER, 500_000_000, 20_000_000),
        (GdprTier.UPPER, 1_000_000_000, 40_000_000),
        (GdprTier.LOWER, 1_000_000_000, 20_000_000),
        (GdprTier.LOWER, 400_000_000, 10_000_000),
        (GdprTier.UPPER, 100_000_000_000, 4_000_000_000),
    ],
)
def test_gdpr_maximum_takes_the_higher(tier: GdprTier, turnover: int | None, maximum: int) -> None:
    estimate = gdpr_maximum(tier, turnover)
    assert estimate.kind is PenaltyKind.GDPR_MAXIMUM and estimate.currency == "EUR"
    assert estimate.amount == estimate.high == maximum and estimate.low == 0


# Real decisions (LAW.md section (c)): the fine amounts are published, their breakdown is not. The provisions
# below are ASSUMPTIONS drawn from the facts found; each is a 1st violation.
REAL_FINES = [
    ("AliExpress 2024-07-24", 7_800_000, ["28-8(4)"]),
    (
        "Temu (Whaleco) 2025-05-14: domestic agent and entrustment disclosure",
        17_600_000,
        ["31-2(1)", "26(2)"],
    ),
    ("Meta 2024-11-04: safety measures and access", 10_200_000, ["29", "35(3)"]),
]


@pytest.mark.parametrize(("case", "published", "fines"), REAL_FINES, ids=[case for case, _, _ in REAL_FINES])
def test_published_fines_lie_in_the_range(case: str, published: int, fines: list[str]) -> None:
    estimates = [fine(fine_id) for fine_id in fines]
    assert sum(e.low for e in estimates) <= published <= sum(e.high for e in estimates)
