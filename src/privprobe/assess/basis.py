"""Steps 0-2 of the PIPA surcharge: which law applies, total revenue, related revenue.

Step 0 (Act No. 19234 addendum Art. 8): a violation that ended before 2023-09-15 falls under the old
Art. 39-15, which privprobe does not compute; one still ongoing then falls under Art. 64-2.

Step 1 (Decree Art. 60-2(1)), total revenue for violation year Y:
- 2023 text: the average of business years Y-3, Y-2, Y-1. A business younger than that: its revenue
  since start-up, annualised (× 365 / days in business before Y). A business started in Y: its revenue
  from start-up to the violation's first day, annualised.
- 2026 text (from the parameter ``revenue_rule_2026_from``, effective date UNVERIFIED): the greater
  of year Y-1 and that average (for a business 1-3 years old: of Y-1 and the annualised average).

Step 2 (Decree Art. 60-2(3)): related revenue is the same computation over ``related_revenue.YEAR``,
on the same basis (average or prior year) as the total; without those facts nothing is excluded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.penalty_law import PenaltyLaw
from privprobe.assess.sheet import step
from privprobe.errors import PenaltyError
from privprobe.findings import PenaltyStep

DAYS_A_YEAR = 365
"""Annualisation multiplies by 365 days over the days in business."""


@dataclass(frozen=True, slots=True)
class ViolationPeriod:
    """When the violation ran, and the date whose law applies."""

    start: date
    """Its first day."""
    end: date | None
    """Its last day; None while ongoing."""
    regime_date: date
    """The date whose law applies (default: the last day, or today for an ongoing violation)."""
    year: int
    """The violation year the revenue years count back from (parameter ``violation_year_basis``)."""


@dataclass(frozen=True, slots=True)
class Revenue:
    """Total and related revenue, or None for both where there is none or it cannot be calculated."""

    total: int | None
    """Total revenue (전체 매출액), the base of the cap."""
    related: int | None
    """Related revenue (관련 매출액), the base of the rate."""
    steps: tuple[PenaltyStep, ...]
    """How they were found."""


def violation_period(facts: CaseFacts, regime_date: date | None, law: PenaltyLaw) -> ViolationPeriod:
    """The violation's period from ``violation_start`` and ``violation_end``, refusing the old regime."""
    start = facts.day("violation_start")
    if start is None:
        raise PenaltyError(
            "violation_start is not set: privprobe case facts CASE --set violation_start=YYYY-MM-DD"
        )
    if not facts.is_set("violation_end"):
        raise PenaltyError("violation_end is not set: --set violation_end=YYYY-MM-DD (or =ongoing)")
    end = facts.day("violation_end")
    regime = regime_date or end or date.today()
    if end is not None and end < start:
        raise PenaltyError(f"violation_end {end} is before violation_start {start}")
    new_regime = law.day("regime_2023_from")
    if (end is not None and end < new_regime) or regime < new_regime:
        raise PenaltyError(
            f"the violation ended or is judged before {new_regime}: the old Art. 39-15 regime (3% of related "
            "revenue) applies (Act No. 19234 addendum Art. 8); privprobe computes Art. 64-2 only"
        )
    year = start.year if law.text("violation_year_basis") == "start" else (end or regime).year
    return ViolationPeriod(start, end, regime, year)


def revenue(facts: CaseFacts, period: ViolationPeriod, law: PenaltyLaw) -> Revenue:
    """Steps 1 and 2: total and related revenue by the rule in force on the regime date."""
    none = "no revenue: fixed base amounts (Decree Art. 60-2(2)) and the no-revenue cap apply"
    if facts.flag("revenue_incalculable"):
        return Revenue(
            None, None, (step("total revenue", "Act Art. 64-2(1) proviso", "revenue_incalculable", none),)
        )
    rule_2026 = period.regime_date >= law.day("revenue_rule_2026_from")
    rule = _Rule(rule_2026, law.number("revenue_years"))
    total, total_how, use_prior = _annual(facts, "revenue", period, rule, None)
    if total == 0:
        return Revenue(
            None, None, (replace(step("total revenue", "Decree Art. 60-2(1)", total_how, none), output=0),)
        )
    basis = "Decree Art. 60-2(1) as amended in 2026" if rule_2026 else "Decree Art. 60-2(1) (2023 text)"
    note = "2026 rule: effective date UNVERIFIED (parameter revenue_rule_2026_from)" if rule_2026 else ""
    steps = [replace(step("total revenue", basis, total_how, note, not rule_2026), output=total)]
    related, note = (
        total,
        "no related_revenue facts: nothing excluded (enter related_revenue.YEAR to exclude it)",
    )
    if _has_related(facts):
        _check_related(facts)
        related, related_how, _ = _annual(facts, "related_revenue", period, rule, use_prior)
        note = f"{related_how}; unrelated revenue excluded: {total - related:,}"
    excluded = step("related revenue", "Decree Art. 60-2(3)", f"− {total - related:,}", note)
    steps.append(replace(excluded, input=total, output=related))
    return Revenue(total, related, tuple(steps))


@dataclass(frozen=True, slots=True)
class _Rule:
    greater_of_prior: bool
    """The 2026 text: the greater of the prior year and the average."""
    years: int
    """Business years averaged (3)."""


def _annual(
    facts: CaseFacts, family: str, period: ViolationPeriod, rule: _Rule, use_prior: bool | None
) -> tuple[int, str, bool]:
    """(annual amount, how it was found, whether the prior year was taken) for ``family``.

    ``use_prior`` forces the basis chosen for the total onto related revenue (None: choose here).
    """
    started, year = facts.day("business_start"), period.year
    if started is not None and started.year == year:
        annual = _started_in_violation_year(facts, family, started, period)
        return annual, f"{family}_before_violation annualised since {started}", False
    if started is not None and started.year > year:
        raise PenaltyError(f"business_start {started} is after the violation year {year}")
    young = started is not None and started > date(year - rule.years, 1, 1)
    values = _years(facts, family, started.year if started and young else year - rule.years, year)
    shown = ", ".join(f"FY{y} {v:,}" for y, v in values.items())
    if young and started is not None:
        days = (date(year, 1, 1) - started).days
        average, how = sum(values.values()) * DAYS_A_YEAR // days, f"{shown} annualised over {days} days"
    else:
        average, how = sum(values.values()) // len(values), f"average of {shown}"
    prior = values[year - 1]
    take_prior = rule.greater_of_prior and ((prior > average) if use_prior is None else use_prior)
    if take_prior:
        return prior, f"FY{year - 1} {prior:,}, the greater of it and the {how} ({average:,})", True
    if rule.greater_of_prior:
        return average, f"{how}, the greater of it and FY{year - 1} ({prior:,})", False
    return average, how, False


def _years(facts: CaseFacts, family: str, first: int, year: int) -> dict[int, int]:
    by_year = facts.by_year(family)
    for needed in range(first, year):
        if needed not in by_year:
            raise PenaltyError(
                f"{family}.{needed} is not set (business year {needed}, needed for violation year {year}): "
                "set it, or business_start for a business younger than 3 years"
            )
    return {y: by_year[y] for y in range(first, year)}


def _started_in_violation_year(facts: CaseFacts, family: str, started: date, period: ViolationPeriod) -> int:
    key = f"{family}_before_violation"
    amount = facts.amount(key)
    if amount is None:
        raise PenaltyError(f"{key} is not set: the business started in the violation year {period.year}")
    days = (period.start - started).days
    if days <= 0:
        raise PenaltyError(f"business_start {started} is not before violation_start {period.start}")
    return amount * DAYS_A_YEAR // days


def _has_related(facts: CaseFacts) -> bool:
    return bool(facts.by_year("related_revenue")) or facts.is_set("related_revenue_before_violation")


def _check_related(facts: CaseFacts) -> None:
    totals = facts.by_year("revenue")
    for year, related in facts.by_year("related_revenue").items():
        if year in totals and related > totals[year]:
            raise PenaltyError(
                f"related_revenue.{year} ({related:,}) exceeds revenue.{year} ({totals[year]:,})"
            )
    before, related_before = (
        facts.amount("revenue_before_violation"),
        facts.amount("related_revenue_before_violation"),
    )
    if before is not None and related_before is not None and related_before > before:
        raise PenaltyError("related_revenue_before_violation exceeds revenue_before_violation")


def surcharges_within(facts: CaseFacts, period: ViolationPeriod, years: int) -> list[date]:
    """Earlier surcharge decisions (``prior_surcharges``) that some part of the violation follows within ``years``."""
    end = period.end or period.regime_date
    return [d for d in facts.days("prior_surcharges") if d < end and period.start <= add_years(d, years)]


def add_years(day: date, years: int) -> date:
    """``day`` ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
