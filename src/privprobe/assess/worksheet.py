"""All the penalty estimates for one case: what ``privprobe penalty`` prints.

The surcharge for the chosen severity band (or one estimate per band while none is chosen, so the
investigator sees each band's range), the fines asked for, and the GDPR maxima of both tiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from privprobe.assess.case_facts import CaseFacts
from privprobe.assess.fines import FineChoices, GdprTier, estimate_fine, fine_rule, gdpr_maximum
from privprobe.assess.penalty import SurchargeChoices, estimate_surcharge
from privprobe.assess.penalty_law import PenaltyLaw, load_penalty_law
from privprobe.errors import PenaltyError
from privprobe.findings import PenaltyEstimate, SeverityBand


@dataclass(frozen=True, slots=True)
class PenaltyRequest:
    """What the investigator asks for and has chosen."""

    severity: SeverityBand | None = None
    """The severity band; None: one surcharge estimate per band."""
    rate: Decimal | None = None
    """Rate on related revenue (needs a band)."""
    base_amount: int | None = None
    """Fixed base amount without revenue (needs a band)."""
    adjustments: Mapping[str, Decimal] = field(default_factory=dict)
    """Surcharge adjustments by key (``penalty.ADJUSTMENTS``)."""
    regime_date: date | None = None
    """The date whose law applies; None: the violation's last day, or today."""
    fines: tuple[str, ...] = ()
    """Annex 2 fine ids to estimate."""
    fine_adjustments: Mapping[str, Decimal] = field(default_factory=dict)
    """Fine id → increase or reduction."""
    surcharged: frozenset[str] = frozenset()
    """Fine ids whose act the surcharge punishes (Art. 76)."""


def estimates(
    facts: CaseFacts, request: PenaltyRequest, law: PenaltyLaw | None = None
) -> list[PenaltyEstimate]:
    """The surcharge estimate(s), the fines and the GDPR maxima for ``facts``."""
    law = law or load_penalty_law()
    for fine_id in (*request.fines, *request.fine_adjustments, *request.surcharged):
        fine_rule(fine_id, law)
        if fine_id not in request.fines:
            raise PenaltyError(
                f"fine {fine_id} is adjusted or marked surcharged but not asked for: add --fine {fine_id}"
            )
    if request.severity is None and (request.rate is not None or request.base_amount is not None):
        raise PenaltyError("a rate or base amount belongs to a severity band: choose one with --severity")
    bands = [request.severity] if request.severity else list(SeverityBand)
    found = [
        estimate_surcharge(
            facts,
            SurchargeChoices(
                band, request.rate, request.base_amount, request.adjustments, request.regime_date
            ),
            law,
        )
        for band in bands
    ]
    on = request.regime_date or _violation_day(facts)
    for fine_id in dict.fromkeys(request.fines):
        choices = FineChoices(on, request.fine_adjustments.get(fine_id), fine_id in request.surcharged)
        found.append(estimate_fine(fine_id, facts, choices, law))
    turnover = facts.amount("worldwide_turnover_eur")
    found.extend(gdpr_maximum(tier, turnover, law) for tier in (GdprTier.UPPER, GdprTier.LOWER))
    return found


def _violation_day(facts: CaseFacts) -> date:
    return facts.day("violation_end") or date.today()
