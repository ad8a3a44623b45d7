"""The PIPA Art. 64-2 penalty surcharge (과징금), step by step as Decree Annex 1-5 applies it.

    regime → total revenue → related revenue → base amount (severity band × rate) → 1st adjustment
    (±90%) → 2nd adjustment (±50%) → final decision (−90% at most) → mandatory reduction (from
    2026-09-11) → cap (3% of total revenue or 2 billion KRW; 10% or 5 billion KRW in the three
    punitive cases from 2026-09-11) → rounding

The investigator chooses the severity band, the rate inside it and the adjustments; the tool refuses
anything outside the law's bands with a `PenaltyError`. What the investigator leaves open spans its
legal room in the estimate's ``low``/``high``: the band's rates without ``rate``, ±90% without any
1st-stage adjustment, ±50% without any 2nd-stage one. The ability-to-pay reduction is an exception
the Commission grants, so only a chosen one enters the range. Each step is truncated to whole won.
Steps 0-2 live in `basis`, steps 6-8 in `limits`; see docs/penalty.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from privprobe.assess.basis import (
    Revenue,
    ViolationPeriod,
    add_years,
    revenue,
    surcharges_within,
    violation_period,
)
from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.limits import cap, final_decision, mandatory_reduction, round_down
from privprobe.assess.penalty_law import BandRule, PenaltyLaw, load_penalty_law, percent
from privprobe.assess.sheet import Sheet, step, won
from privprobe.errors import PenaltyError
from privprobe.findings import PenaltyEstimate, PenaltyKind, PenaltyStep, SeverityBand

ANNEX = "Decree Annex 1-5"
FIRST, SECOND, FINAL, MANDATORY = "1st", "2nd", "final", "mandatory"
ADJUSTMENTS: dict[str, tuple[str, str]] = {
    "duration": (FIRST, "duration of the violation (default from violation_start/end, UNVERIFIED brackets)"),
    "repeat": (FIRST, "number of violations (default from prior_surcharges, UNVERIFIED percentage)"),
    "gain": (FIRST, "size of the gain from the violation"),
    "scale": (FIRST, "the controller's business form and scale"),
    "cooperation": (SECOND, "cooperation with the PIPC and other corrective steps"),
    "remedy": (SECOND, "remedying damage and preventing its spread"),
    "certification": (SECOND, "certification (ISMS-P) and self-regulatory protection efforts"),
    "leading": (SECOND, "whether the controller led the violation"),
    "voluntary_report": (SECOND, "voluntary reporting"),
    "ability_to_pay": (FINAL, "reduction for actual ability to pay or a severely hit market (≤ 0)"),
    "privacy_investment": (MANDATORY, "mandatory reduction for privacy investment (≤ 0; from 2026-09-11)"),
}
"""``--adjust`` keys: stage and meaning. Values are fractions (+0.2 is +20%)."""

PARAMETERS = (
    "violation_year_basis",
    "revenue_rule_2026_from",
    "duration_up_to_1_year",
    "duration_1_to_2_years",
    "duration_over_2_years",
    "repeat_lookback_years",
    "repeat_per_prior_surcharge",
    "privacy_investment_reduction",
    "rounding_threshold_krw",
    "rounding_unit_below_threshold_krw",
    "rounding_unit_krw",
)
"""The UNVERIFIED parameters a surcharge estimate uses."""

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class SurchargeChoices:
    """What the investigator chooses; the law's bands bound every choice."""

    severity: SeverityBand
    """The severity band (Annex 1-5, 2.가)."""
    rate: Decimal | None = None
    """Rate on related revenue inside the band (0.018 is 1.8%); None: the band's lower edge."""
    base_amount: int | None = None
    """Fixed base amount in KRW where revenue is absent or incalculable; None: the band's lower edge."""
    adjustments: Mapping[str, Decimal] = field(default_factory=dict)
    """``ADJUSTMENTS`` key → fraction (+0.2 is +20%, −0.3 is −30%)."""
    regime_date: date | None = None
    """The date whose law applies; None: the violation's last day, or today while it is ongoing."""


def estimate_surcharge(
    facts: CaseFacts, choices: SurchargeChoices, law: PenaltyLaw | None = None
) -> PenaltyEstimate:
    """The surcharge worksheet for ``facts`` and ``choices``; a `PenaltyError` for what the law refuses."""
    law = law or load_penalty_law()
    _check_keys(choices.adjustments)
    period = violation_period(facts, choices.regime_date, law)
    money = revenue(facts, period, law)
    rule = law.bands[choices.severity]
    sheet = Sheet([_regime_step(period), *money.steps])
    _base(sheet, money, choices, rule)
    _first_adjustment(sheet, facts, period, choices.adjustments, law)
    _second_adjustment(sheet, choices, law)
    final_decision(sheet, choices.adjustments, law)
    mandatory_reduction(sheet, facts, period, choices.adjustments, law)
    cap(sheet, facts, money, period, law)
    round_down(sheet, law)
    return PenaltyEstimate(
        kind=PenaltyKind.SURCHARGE,
        title=f"PIPA Art. 64-2 surcharge (과징금): {rule.band.value} ({rule.name_ko})",
        currency="KRW",
        amount=sheet.amount,
        low=sheet.low,
        high=sheet.high,
        steps=tuple(sheet.steps),
        severity=choices.severity,
        regime_date=period.regime_date,
        parameters=law.used(*PARAMETERS),
        law_version=law.version,
    )


def _check_keys(adjustments: Mapping[str, Decimal]) -> None:
    for key in adjustments:
        if key not in ADJUSTMENTS:
            raise PenaltyError(f"unknown adjustment {key!r}: the keys are {', '.join(ADJUSTMENTS)}")


def _regime_step(period: ViolationPeriod) -> PenaltyStep:
    end = period.end.isoformat() if period.end else "ongoing"
    note = (
        f"violation {period.start} – {end}; law of {period.regime_date}; violation year {period.year}. "
        "Only violations of Art. 64-2(1) nos. 1-9 are surcharged; others are fined under Art. 75."
    )
    return step(
        "regime", "Act Art. 64-2; Act No. 19234 addendum Art. 8", "Art. 64-2 (2023 text and later)", note
    )


def _base(sheet: Sheet, money: Revenue, choices: SurchargeChoices, rule: BandRule) -> None:
    """Step 3: related revenue × rate, or a fixed base amount without revenue (Annex 1-5, 2.가)."""
    basis = f"{ANNEX}, 2.가 ({rule.name_ko})"
    picked = choices.rate is not None or choices.base_amount is not None
    chosen = "" if picked else "not chosen: the band's lower edge is used; "
    if money.related is None:
        if choices.rate is not None:
            raise PenaltyError("there is no revenue to apply a rate to: choose a fixed base amount instead")
        base = rule.base_min_krw if choices.base_amount is None else choices.base_amount
        if not rule.fits_base(base):
            raise PenaltyError(
                f"base amount {base:,} KRW lies outside the {rule.band.value} band: {rule.base_text()}"
            )
        room = (rule.base_min_krw, rule.base_max_krw)
        text, note = f"fixed base ({rule.base_text()})", f"{chosen}Decree Art. 60-2(2) case"
    else:
        if choices.base_amount is not None:
            raise PenaltyError(
                "a fixed base amount is only for a controller without revenue: choose a rate instead"
            )
        rate = rule.rate_min if choices.rate is None else choices.rate
        if not rule.fits_rate(rate):
            raise PenaltyError(
                f"rate {percent(rate)} lies outside the {rule.band.value} band: {rule.rate_text()}"
            )
        base = won(money.related * rate)
        room = (won(money.related * rule.rate_min), won(money.related * rule.rate_max))
        text, note = f"× {percent(rate)} ({rule.rate_text()})", f"{chosen}rate on related revenue"
    if not rule.max_inclusive:
        note += "; the band's upper edge itself is excluded"
    sheet.steps.append(PenaltyStep("base amount", basis, money.related, text, base, *room, note))
    sheet.amount = base
    sheet.low, sheet.high = (base, base) if chosen == "" else room


def _first_adjustment(
    sheet: Sheet,
    facts: CaseFacts,
    period: ViolationPeriod,
    adjustments: Mapping[str, Decimal],
    law: PenaltyLaw,
) -> None:
    """Step 4: duration, repeat, gain, scale within ±90% of the base amount (Annex 1-5, 2.나)."""
    given = {k: v for k, v in adjustments.items() if ADJUSTMENTS[k][0] == FIRST}
    factors = {"duration": ZERO, "repeat": ZERO, "gain": ZERO, "scale": ZERO, **given}
    notes, verified = [], True
    if "duration" not in given:
        factors["duration"], note = _duration_default(period, law)
        notes.append(note)
        verified = False
    if "repeat" not in given:
        factors["repeat"], note = _repeat_default(facts, period, law)
        notes.append(note)
        verified = False
    limit = law.rate("first_adjustment_max")
    total = _within("1st adjustment", f"{ANNEX}, 2.나", factors, limit)
    template = step(
        "1st adjustment", f"{ANNEX}, 2.나", _factors_text(total, factors), "; ".join(notes), verified
    )
    sheet.scale(template, total, (-limit, limit), open_=not given)


def _second_adjustment(sheet: Sheet, choices: SurchargeChoices, law: PenaltyLaw) -> None:
    """Step 5: cooperation, remedy, certification, leading role, self-report within ±50% (Annex 1-5, 2.다)."""
    given = {k: v for k, v in choices.adjustments.items() if ADJUSTMENTS[k][0] == SECOND}
    limit = law.rate("second_adjustment_max")
    total = _within("2nd adjustment", f"{ANNEX}, 2.다", given, limit)
    note = "" if given else "no 2nd-stage factor chosen (each: --adjust cooperation=PCT, remedy, ...)"
    if choices.severity is SeverityBand.VERY_SERIOUS:
        note += "; for very serious violations the PIPC may withhold these reductions (notice amendment, UNVERIFIED)"
    template = step("2nd adjustment", f"{ANNEX}, 2.다", _factors_text(total, given), note.strip("; "))
    sheet.scale(template, total, (-limit, limit), open_=not given)


def _duration_default(period: ViolationPeriod, law: PenaltyLaw) -> tuple[Decimal, str]:
    end = period.end or period.regime_date
    if end <= add_years(period.start, 1):
        name = "duration_up_to_1_year"
    elif end <= add_years(period.start, 2):
        name = "duration_1_to_2_years"
    else:
        name = "duration_over_2_years"
    value = law.rate(name)
    return value, f"duration {period.start} – {end}: {name} {percent(value)} (UNVERIFIED default)"


def _repeat_default(facts: CaseFacts, period: ViolationPeriod, law: PenaltyLaw) -> tuple[Decimal, str]:
    years = law.number("repeat_lookback_years")
    count = len(surcharges_within(facts, period, years))
    value = count * law.rate("repeat_per_prior_surcharge")
    return value, (
        f"{count} earlier surcharge(s) within {years} years × repeat_per_prior_surcharge "
        f"{percent(law.rate('repeat_per_prior_surcharge'))} (UNVERIFIED default)"
    )


def _within(stage: str, basis: str, factors: Mapping[str, Decimal], limit: Decimal) -> Decimal:
    """The sum of ``factors``, refusing any factor or total beyond ±``limit``."""
    for key, value in factors.items():
        if abs(value) > limit:
            raise PenaltyError(
                f"--adjust {key}={percent(value)}: the {stage} allows at most ±{percent(limit)} ({basis})"
            )
    total = sum(factors.values(), ZERO)
    if abs(total) > limit:
        raise PenaltyError(
            f"the {stage} totals {percent(total)} ({_factors_text(total, factors)}): the law allows at most "
            f"±{percent(limit)} ({basis})"
        )
    return total


def _factors_text(total: Decimal, factors: Mapping[str, Decimal]) -> str:
    shown = ", ".join(f"{key} {_signed(value)}" for key, value in factors.items())
    return f"{_signed(total)}" + (f" ({shown})" if shown else "")


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + percent(value)
