"""Facts and choices for penalty tests: the worked example of LAW.md section (b) by default."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.penalty import SurchargeChoices, estimate_surcharge
from privprobe.assess.penalty_law import PenaltyLaw
from privprobe.findings import PenaltyEstimate, PenaltyStep, SeverityBand

WORKED_EXAMPLE = {
    "revenue.2021": "2400억",
    "revenue.2022": "3000억",
    "revenue.2023": "3600억",
    "related_revenue.2021": "1400억",
    "related_revenue.2022": "2000억",
    "related_revenue.2023": "2600억",
    "violation_start": "2024-01-01",
    "violation_end": "2024-06-30",
}
"""LAW.md's worked example: 3-year average 300bn, unrelated 100bn, violation in 2024."""


def make_facts(changes: dict[str, str | None] | None = None, base: dict[str, str] | None = None) -> CaseFacts:
    """The worked example's facts (or ``base``) with ``changes``; None removes a key."""
    values = dict(WORKED_EXAMPLE if base is None else base)
    for key, value in (changes or {}).items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return CaseFacts.of(values)


def pct(text: str | int | float) -> Decimal:
    """``"1.8"`` percent as the fraction 0.018."""
    return Decimal(str(text)) / 100


def surcharge(
    facts: CaseFacts | None = None,
    severity: SeverityBand = SeverityBand.SERIOUS,
    *,
    rate: str | None = None,
    base: int | None = None,
    regime: date | None = None,
    law: PenaltyLaw | None = None,
    **adjust: str | int,
) -> PenaltyEstimate:
    """The surcharge estimate with adjustments given in percent (``duration=20``)."""
    choices = SurchargeChoices(
        severity,
        pct(rate) if rate is not None else None,
        base,
        {key: pct(value) for key, value in adjust.items()},
        regime,
    )
    return estimate_surcharge(facts or make_facts(), choices, law)


def step(estimate: PenaltyEstimate, name: str) -> PenaltyStep:
    """The step called ``name``."""
    return next(s for s in estimate.steps if s.name == name)
