"""Administrative fines: PIPA Art. 75 with the amounts of Decree Annex 2, and the GDPR Art. 83 maxima.

A PIPA fine is the Annex 2 amount for the 1st, 2nd, or 3rd and later violation, counting earlier fines
for the same violation in the 3 years before (``prior_fines.ID``); it may be increased by up to half,
never above the Act 75 cap, or reduced (by up to ``fine_reduction_max``, an UNVERIFIED parameter);
and no fine is imposed for an act already subject to a surcharge (Art. 76).

The GDPR maximum is the higher of a fixed amount and a share of the undertaking's worldwide annual
turnover of the preceding financial year: €20M / 4% (Art. 83(5), (6)) or €10M / 2% (Art. 83(4)).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from privprobe.assess.basis import add_years
from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.penalty_law import FineRule, PenaltyLaw, load_penalty_law, percent
from privprobe.assess.sheet import step, won
from privprobe.errors import PenaltyError
from privprobe.findings import PenaltyEstimate, PenaltyKind, PenaltyStep

ORDINALS = ("1st", "2nd", "3rd or later")


@dataclass(frozen=True, slots=True)
class FineChoices:
    """What the investigator decides about one fine."""

    on: date
    """The date of the violation; earlier fines count when within 3 years before it."""
    adjustment: Decimal | None = None
    """Increase (up to +0.5) or reduction (down to −``fine_reduction_max``); None leaves it open."""
    surcharged: bool = False
    """The act is the one a surcharge punishes: Art. 76 bars the fine."""


def fine_rule(fine_id: str, law: PenaltyLaw | None = None) -> FineRule:
    """The Annex 2 row ``fine_id``; a `PenaltyError` listing the ids when unknown."""
    law = law or load_penalty_law()
    if fine_id not in law.fines:
        raise PenaltyError(f"unknown fine {fine_id!r}: the Annex 2 ids are {', '.join(law.fines)}")
    return law.fines[fine_id]


def estimate_fine(
    fine_id: str, facts: CaseFacts, choices: FineChoices, law: PenaltyLaw | None = None
) -> PenaltyEstimate:
    """The fine for violation ``fine_id``, step by step."""
    law = law or load_penalty_law()
    rule = fine_rule(fine_id, law)
    steps = [_annex_amount(rule, facts, choices.on, law)]
    low, chosen, high = _adjust(steps, steps[0].output or 0, rule, choices, law)
    if choices.surcharged:
        barred = step(
            "no fine for a surcharged act", "Act Art. 76", "× 0", "the same act is subject to a surcharge"
        )
        steps.append(replace(barred, input=chosen, output=0))
        low = chosen = high = 0
    return PenaltyEstimate(
        kind=PenaltyKind.FINE,
        title=f"PIPA Art. 75 fine (과태료) {rule.id}: {rule.title} ({rule.title_ko})",
        currency="KRW",
        amount=chosen,
        low=low,
        high=high,
        steps=tuple(steps),
        regime_date=choices.on,
        parameters=law.used("fine_reduction_max"),
        law_version=law.version,
    )


def _annex_amount(rule: FineRule, facts: CaseFacts, on: date, law: PenaltyLaw) -> PenaltyStep:
    """The Annex 2 amount for the 1st, 2nd or 3rd+ violation, counting earlier fines over 3 years."""
    years = law.number("fine_repeat_years")
    earlier = [d for d in facts.days(f"prior_fines.{rule.id}") if add_years(d, years) >= on > d]
    nth = min(len(earlier), 2)
    note = f"{len(earlier)} earlier fine(s) for it within {years} years before {on}"
    if on < rule.as_of:
        note += f"; the amounts are those of Annex 2 as of {rule.as_of}, later than the violation"
    name, basis = f"Annex 2 amount, {ORDINALS[nth]} violation", f"Decree Annex 2; Act {rule.basis}"
    template = step(name, basis, f"{rule.provisions}: {rule.title}", _join(note, rule.note))
    return replace(template, output=rule.amounts_krw[nth])


def _adjust(
    steps: list[PenaltyStep], amount: int, rule: FineRule, choices: FineChoices, law: PenaltyLaw
) -> tuple[int, int, int]:
    """The increase or reduction of Annex 2's general rule, capped by Act 75: (low, chosen, high)."""
    up, down = law.rate("fine_increase_max"), law.rate("fine_reduction_max")
    value = choices.adjustment
    if value is not None and not -down <= value <= up:
        raise PenaltyError(
            f"fine {rule.id}: adjustment {percent(value)} outside -{percent(down)} … +{percent(up)} "
            "(Decree Annex 2 general rule; reduction limit UNVERIFIED: parameter fine_reduction_max)"
        )
    low, high = won(amount * (1 - down)), min(won(amount * (1 + up)), rule.cap_krw)
    chosen = min(won(amount * (1 + (value or 0))), rule.cap_krw)
    note = f"Act 75 cap {rule.cap_krw:,}" + (" (binding)" if chosen == rule.cap_krw and value else "")
    if value is None:
        note += "; no adjustment chosen: the range spans the legal room"
    steps.append(
        PenaltyStep(
            "adjustment",
            "Decree Annex 2 general rule; Act Art. 75",
            amount,
            ("+" if value and value > 0 else "") + percent(value or Decimal(0)),
            chosen,
            low,
            high,
            note,
            verified=value is not None and value >= 0,
        )
    )
    return (low, chosen, high) if value is None else (chosen, chosen, chosen)


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


class GdprTier(StrEnum):
    """The two ceilings of GDPR Art. 83."""

    LOWER = "lower"
    """Art. 83(4): €10M or 2% (Arts 8, 11, 25-39, 42-43)."""
    UPPER = "upper"
    """Art. 83(5), (6): €20M or 4% (Arts 5, 6, 7, 9, 12-22, 44-49, orders)."""


def gdpr_maximum(tier: GdprTier, turnover_eur: int | None, law: PenaltyLaw | None = None) -> PenaltyEstimate:
    """The GDPR ceiling for ``tier``: the higher of the fixed amount and the share of turnover."""
    law = law or load_penalty_law()
    fixed, rate = law.number(f"gdpr_{tier.value}_fixed_eur"), law.rate(f"gdpr_{tier.value}_rate")
    basis = "GDPR Art. 83(4)" if tier is GdprTier.LOWER else "GDPR Art. 83(5), (6)"
    steps = [replace(step("fixed maximum", basis, f"€{fixed:,}"), output=fixed)]
    maximum = fixed
    if turnover_eur is None:
        steps.append(
            step(
                "share of turnover",
                basis,
                percent(rate),
                "worldwide_turnover_eur not set: fixed maximum only",
            )
        )
    else:
        maximum = max(fixed, won(turnover_eur * rate))
        note = "worldwide annual turnover of the undertaking, preceding financial year"
        share = step("share of turnover", basis, f"× {percent(rate)}", note)
        steps.append(replace(share, input=turnover_eur, output=won(turnover_eur * rate)))
    note = "a ceiling, not an estimate: EDPB Guidelines 04/2022 set the amount within it"
    steps.append(
        replace(step("maximum", basis, "the higher of the two", note), output=maximum, low=0, high=maximum)
    )
    return PenaltyEstimate(
        kind=PenaltyKind.GDPR_MAXIMUM,
        title=f"GDPR Art. 83 maximum, {tier.value} tier",
        currency="EUR",
        amount=maximum,
        low=0,
        high=maximum,
        steps=tuple(steps),
        law_version=law.version,
    )
