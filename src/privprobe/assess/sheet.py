"""The surcharge worksheet being filled: the chosen amount, the legal room left open, the steps so far."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal

from privprobe.findings import PenaltyStep


def won(amount: Decimal | int) -> int:
    """Truncated to whole won."""
    return int(Decimal(amount).to_integral_value(rounding=ROUND_FLOOR))


def step(name: str, basis: str, adjustment: str, note: str = "", verified: bool = True) -> PenaltyStep:
    """A step not yet applied: the amounts are filled in by `Sheet.scale`."""
    return PenaltyStep(name, basis, None, adjustment, None, None, None, note, verified)


@dataclass
class Sheet:
    """The amount for the investigator's choices and the range the law leaves open."""

    steps: list[PenaltyStep]
    """The steps so far."""
    amount: int = 0
    """The chosen amount after the last step."""
    low: int = 0
    """The lowest amount still open."""
    high: int = 0
    """The highest amount still open."""

    def scale(
        self, template: PenaltyStep, chosen: Decimal, room: tuple[Decimal, Decimal], open_: bool
    ) -> None:
        """Multiply by 1 + ``chosen``; the open range by the room's ends when ``open_``, else by ``chosen``.

        The step records the room itself (its ``low``/``high`` for this input) and is appended.
        """
        before = self.amount
        self.amount = won(before * (1 + chosen))
        low, high = room if open_ else (chosen, chosen)
        self.low, self.high = won(self.low * (1 + low)), won(self.high * (1 + high))
        self.steps.append(
            replace(
                template,
                input=before,
                output=self.amount,
                low=won(before * (1 + room[0])),
                high=won(before * (1 + room[1])),
            )
        )

    def limit(self, ceiling: int) -> None:
        """Hold the amount and the range at or below ``ceiling``."""
        self.amount, self.low, self.high = (
            min(self.amount, ceiling),
            min(self.low, ceiling),
            min(self.high, ceiling),
        )
