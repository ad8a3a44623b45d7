"""reference/penalty.json: every constant sourced and dated, UNVERIFIED values only as parameters."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest

from privprobe.assess.penalty import ADJUSTMENTS, PARAMETERS
from privprobe.assess.penalty_law import load_penalty_law, percent
from privprobe.errors import PenaltyError
from privprobe.findings import SeverityBand

DOC = (Path(__file__).resolve().parents[2] / "docs" / "penalty.md").read_text(encoding="utf-8")


def test_constants_are_verified_sourced_and_dated() -> None:
    law = load_penalty_law()
    for entry in law.constants.values():
        assert entry.verified and entry.basis and entry.source.startswith("https://"), entry.name
    for entry in law.parameters.values():
        assert not entry.verified and entry.note and entry.source.startswith("https://"), entry.name
    assert set(law.bands) == set(SeverityBand)
    assert law.rate("surcharge_cap_rate") == Decimal("0.03")
    assert law.number("surcharge_cap_no_revenue_krw") == 2_000_000_000


def test_bands_follow_each_other_without_gaps() -> None:
    bands = load_penalty_law().bands
    order = [SeverityBand.MINOR, SeverityBand.MODERATE, SeverityBand.SERIOUS, SeverityBand.VERY_SERIOUS]
    for lower, upper in pairwise(order):
        assert bands[lower].rate_max == bands[upper].rate_min
        assert bands[lower].base_max_krw == bands[upper].base_min_krw
    assert [bands[b].max_inclusive for b in order] == [False, False, False, True]


def test_parameters_and_fines_are_documented() -> None:
    law = load_penalty_law()
    for name in (*law.parameters, *law.constants):
        assert f"`{name}`" in DOC, name
    for fine_id in law.fines:
        assert f"`{fine_id}`" in DOC, fine_id
    for key in ADJUSTMENTS:
        assert f"`{key}`" in DOC, key
    assert set(PARAMETERS) <= set(law.parameters)


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"surcharge_cap_rate": "5"}, "surcharge_cap_rate is law"),
        ({"no_such": "1"}, "unknown parameter 'no_such'"),
        ({"duration_over_2_years": "lots"}, "is not a percentage"),
        ({"revenue_rule_2026_from": "soon"}, "is not a date"),
        ({"rounding_unit_krw": "0"}, "is not a positive whole number"),
        ({"violation_year_basis": "middle"}, "is not one of end, start"),
    ],
)
def test_only_parameters_can_be_set(values: dict[str, str], error: str) -> None:
    with pytest.raises(PenaltyError, match=error):
        load_penalty_law().with_parameters(values)


def test_percent() -> None:
    assert [percent(Decimal(x)) for x in ("0.018", "0.03", "-0.3", "0", "0.0003")] == [
        "1.8%", "3%", "-30%", "0%", "0.03%",
    ]  # fmt: skip
