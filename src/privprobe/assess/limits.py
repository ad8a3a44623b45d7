"""Steps 6-8 of the PIPA surcharge: final decision, mandatory reduction, the statutory cap, rounding.

- Final decision (Decree Annex 1-5, 2.라): a reduction of up to 90% where the amount is excessive for
  the controller's actual ability to pay or a severely hit market. Waiver is the Commission's.
- Mandatory reduction (Act Art. 64-2(6), from 2026-09-11): for privacy investment, unless the
  violation was intentional or grossly negligent; its size (Decree Art. 60-2(5)) is UNVERIFIED.
- Cap (Act Art. 64-2(1); Annex 1-5 para. 1): 3% of total revenue, 2 billion KRW without revenue;
  from 2026-09-11 10% / 5 billion KRW in the three cases of Art. 64-2(2).
- Rounding: truncation by the UNVERIFIED rounding parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from privprobe.assess.basis import Revenue, ViolationPeriod, surcharges_within
from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.penalty_law import PenaltyLaw, percent
from privprobe.assess.sheet import Sheet, step, won
from privprobe.errors import PenaltyError
from privprobe.findings import PenaltyStep

ANNEX = "Decree Annex 1-5"
ZERO = Decimal(0)


def final_decision(sheet: Sheet, adjustments: Mapping[str, Decimal], law: PenaltyLaw) -> None:
    """Step 6: the ability-to-pay reduction the investigator chose (0 to −90%)."""
    limit = law.rate("final_reduction_max")
    reduction = adjustments.get("ability_to_pay", ZERO)
    if not -limit <= reduction <= 0:
        raise PenaltyError(
            f"--adjust ability_to_pay={percent(reduction)}: give a reduction between -{percent(limit)} "
            f"and 0% ({ANNEX}, 2.라)"
        )
    note = (
        "" if reduction else "no reduction; waiver (Act Art. 64-2(5), now (7)) is the Commission's decision"
    )
    template = step("final decision", f"{ANNEX}, 2.라", percent(reduction), note)
    sheet.scale(template, reduction, (-limit, ZERO), open_=False)


def mandatory_reduction(
    sheet: Sheet,
    facts: CaseFacts,
    period: ViolationPeriod,
    adjustments: Mapping[str, Decimal],
    law: PenaltyLaw,
) -> None:
    """Step 6b: the privacy-investment reduction, when the law and the facts call for it."""
    in_force = period.regime_date >= law.day("privacy_investment_from") and facts.flag("privacy_investment")
    excluded = facts.flag("intent_or_gross_negligence")
    given = adjustments.get("privacy_investment")
    if given is not None and (not in_force or excluded):
        raise PenaltyError(
            "--adjust privacy_investment: the mandatory reduction applies only from 2026-09-11, with "
            "privacy_investment=yes and without intent_or_gross_negligence (Act Art. 64-2(6))"
        )
    if not in_force:
        return
    if excluded:
        note = "excluded: the violation was intentional or grossly negligent"
        sheet.scale(
            step("mandatory reduction", "Act Art. 64-2(6)", "0%", note), ZERO, (ZERO, ZERO), open_=False
        )
        return
    reduction = -law.rate("privacy_investment_reduction") if given is None else given
    if not Decimal(-1) < reduction <= 0:
        raise PenaltyError(
            f"privacy investment reduction {percent(reduction)}: give one between -100% and 0%"
        )
    note = (
        "size set by the investigator"
        if given is not None
        else (
            "size UNVERIFIED (Decree Art. 60-2(5)): parameter privacy_investment_reduction, "
            "or --adjust privacy_investment=-PCT"
        )
    )
    basis = "Act Art. 64-2(6); Decree Art. 60-2(5)"
    template = step("mandatory reduction", basis, percent(reduction), note, verified=given is not None)
    sheet.scale(template, reduction, (reduction, reduction), open_=False)


def cap(sheet: Sheet, facts: CaseFacts, money: Revenue, period: ViolationPeriod, law: PenaltyLaw) -> None:
    """Step 7: hold the amount and its range under the statutory ceiling."""
    reasons = punitive_conditions(facts, period, law)
    prefix = "punitive_" if reasons else "surcharge_"
    if money.total is None:
        ceiling = law.number(f"{prefix}cap_no_revenue_krw")
        text = f"min(…, {ceiling:,})"
    else:
        rate = law.rate(f"{prefix}cap_rate")
        ceiling = won(money.total * rate)
        text = f"min(…, {percent(rate)} × total revenue {money.total:,} = {ceiling:,})"
    before = sheet.amount
    sheet.limit(ceiling)
    notes = ["binding" if before > ceiling else "not binding"]
    if reasons:
        notes.append("punitive ceiling: " + "; ".join(reasons))
    elif period.regime_date >= law.day("punitive_from"):
        notes.append("none of the three punitive cases of Art. 64-2(2) is met")
    basis = f"{'Act Art. 64-2(2)' if reasons else 'Act Art. 64-2(1)'}; {ANNEX} para. 1"
    sheet.steps.append(PenaltyStep("cap", basis, before, text, sheet.amount, None, ceiling, "; ".join(notes)))


def punitive_conditions(facts: CaseFacts, period: ViolationPeriod, law: PenaltyLaw) -> list[str]:
    """Which of the three punitive cases of Act Art. 64-2(2) the facts meet (none before 2026-09-11)."""
    if period.regime_date < law.day("punitive_from"):
        return []
    intent = facts.flag("intent_or_gross_negligence")
    years = law.number("punitive_repeat_years")
    met = []
    if intent and facts.flag("prior_intent_or_gross_negligence") and surcharges_within(facts, period, years):
        met.append(f"(1) repeat within {years} years of a surcharge, both with intent or gross negligence")
    victims = facts.amount("victims") or 0
    if intent and victims >= law.number("punitive_victims_min"):
        met.append(f"(2) intent or gross negligence with {victims:,} victims")
    if facts.flag("leak") and facts.flag("ignored_corrective_order"):
        met.append("(3) a leak after a corrective order was ignored")
    return met


def round_down(sheet: Sheet, law: PenaltyLaw) -> None:
    """Step 8: truncate the amount and its range by the UNVERIFIED rounding parameters."""
    before = sheet.amount
    sheet.amount, sheet.low, sheet.high = (truncate(x, law) for x in (sheet.amount, sheet.low, sheet.high))
    note = "UNVERIFIED rule: parameters rounding_threshold_krw, rounding_unit_below_threshold_krw, rounding_unit_krw"
    text = f"truncated to {_unit(before, law):,}"
    sheet.steps.append(
        PenaltyStep(
            "rounding", "PIPC practice (UNVERIFIED)", before, text, sheet.amount, None, None, note, False
        )
    )


def truncate(amount: int, law: PenaltyLaw) -> int:
    """``amount`` truncated to the unit the rounding parameters give for its size."""
    unit = _unit(amount, law)
    return amount // unit * unit


def _unit(amount: int, law: PenaltyLaw) -> int:
    small = amount < law.number("rounding_threshold_krw")
    return law.number("rounding_unit_below_threshold_krw" if small else "rounding_unit_krw")
