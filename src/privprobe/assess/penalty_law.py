"""The penalty constants of ``reference/penalty.json``: verified law and UNVERIFIED parameters.

Every entry carries its legal basis, a public source and the date from which it applies. Verified
constants (caps, the severity bands of Decree Annex 1-5, the adjustment limits, the Annex 2 fine
amounts, the GDPR maxima) cannot be changed. Parameters are what LAW.md marks UNVERIFIED (duration
brackets, repeat look-back, rounding, the 2026 revenue rule's effective date, ...): each has a
documented default and `PenaltyLaw.with_parameters` lets the investigator set it; estimates record
which parameters were used and which were set.

    >>> law = load_penalty_law()
    >>> law.rate("surcharge_cap_rate"), law.bands[SeverityBand.SERIOUS].rate_text()
    (Decimal('0.03'), '1.5% ≤ rate < 2.1%')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from typing import Any

from privprobe.errors import PenaltyError
from privprobe.findings import SeverityBand

Value = Decimal | int | date | str


@dataclass(frozen=True, slots=True)
class LawValue:
    """One constant or parameter of the penalty law."""

    name: str
    """Its key in ``penalty.json``."""
    kind: str
    """``fraction``, ``krw``, ``eur``, ``integer``, ``date`` or ``choice``."""
    value: Value
    """The value in force (a fraction is a share of 1: 0.03 is 3%)."""
    basis: str
    """The legal basis."""
    source: str
    """A public page stating it."""
    as_of: date
    """The date from which it applies."""
    verified: bool
    """False for UNVERIFIED parameters, which the investigator may set."""
    note: str = ""
    """Caveats: why a default was chosen, what is not confirmed."""
    choices: tuple[str, ...] = ()
    """Allowed values of a ``choice``."""


@dataclass(frozen=True, slots=True)
class BandRule:
    """A severity band of Decree Annex 1-5, 2.가: its rate range and its fixed base amounts."""

    band: SeverityBand
    """Which band."""
    name_ko: str
    """Its Korean name (``중대한 위반행위``)."""
    rate_min: Decimal
    """Lowest rate on related revenue (included)."""
    rate_max: Decimal
    """Highest rate (included only when ``max_inclusive``)."""
    base_min_krw: int
    """Lowest base amount where revenue is absent or incalculable."""
    base_max_krw: int
    """Highest such base amount (included only when ``max_inclusive``)."""
    max_inclusive: bool
    """True for the top band (≤), False for the others (<)."""
    basis: str
    """The legal basis."""

    def fits_rate(self, rate: Decimal) -> bool:
        """Whether ``rate`` lies inside the band."""
        below = rate <= self.rate_max if self.max_inclusive else rate < self.rate_max
        return self.rate_min <= rate and below

    def fits_base(self, base: int) -> bool:
        """Whether a fixed base amount lies inside the band."""
        below = base <= self.base_max_krw if self.max_inclusive else base < self.base_max_krw
        return self.base_min_krw <= base and below

    def rate_text(self) -> str:
        """``1.5% ≤ rate < 2.1%``."""
        upper = "≤" if self.max_inclusive else "<"
        return f"{percent(self.rate_min)} ≤ rate {upper} {percent(self.rate_max)}"

    def base_text(self) -> str:
        """``200,000,000 ≤ base < 700,000,000``."""
        upper = "≤" if self.max_inclusive else "<"
        return f"{self.base_min_krw:,} ≤ base {upper} {self.base_max_krw:,}"


@dataclass(frozen=True, slots=True)
class FineRule:
    """One row of Decree Annex 2: the fine for a violation at the 1st, 2nd and 3rd+ time."""

    id: str
    """The provision violated, as privprobe names it (``31-2(1)``, ``63(1)-false``)."""
    title: str
    """What was not done, in English."""
    title_ko: str
    """The same in Korean."""
    provisions: str
    """The provisions the row covers."""
    basis: str
    """The Act 75 clause that fines it (``Art. 75(3)2``)."""
    amounts_krw: tuple[int, int, int]
    """The fine for the 1st, 2nd, and 3rd or later violation within the look-back."""
    cap_krw: int
    """The Act 75 ceiling of that clause."""
    as_of: date
    """The date of the Annex 2 text the amounts come from."""
    note: str = ""
    """Caveats."""


@dataclass(frozen=True, slots=True)
class PenaltyLaw:
    """The constants, bands, fine rows and parameters of one ``penalty.json``."""

    constants: Mapping[str, LawValue]
    """Verified values by name."""
    parameters: Mapping[str, LawValue]
    """UNVERIFIED parameters by name, with their current values."""
    bands: Mapping[SeverityBand, BandRule]
    """The four severity bands."""
    fines: Mapping[str, FineRule]
    """Annex 2 rows by id."""
    version: str
    """``penalty <as_of>, sha256 <prefix>``."""
    changed: frozenset[str] = field(default_factory=frozenset)
    """Names of the parameters the investigator set."""

    def value(self, name: str) -> Value:
        """The value of a constant or parameter."""
        entry = self.constants.get(name) or self.parameters.get(name)
        if entry is None:
            raise KeyError(name)
        return entry.value

    def rate(self, name: str) -> Decimal:
        """A fraction (``0.03``)."""
        value = self.value(name)
        assert isinstance(value, Decimal), name
        return value

    def number(self, name: str) -> int:
        """An amount or count."""
        value = self.value(name)
        assert isinstance(value, int), name
        return value

    def day(self, name: str) -> date:
        """A date."""
        value = self.value(name)
        assert isinstance(value, date), name
        return value

    def text(self, name: str) -> str:
        """A choice."""
        return str(self.value(name))

    def used(self, *names: str) -> tuple[tuple[str, str], ...]:
        """(name, value) of parameters, marked ``(set)`` where the investigator set them."""
        return tuple(
            (name, show(self.parameters[name]) + (" (set)" if name in self.changed else "")) for name in names
        )

    def with_parameters(self, values: Mapping[str, str]) -> PenaltyLaw:
        """A copy with parameters set from text (fractions in percent: ``40`` is 40%).

        Refuses unknown names and verified constants with a `PenaltyError`.
        """
        parameters = dict(self.parameters)
        for name, text in values.items():
            if name in self.constants:
                raise PenaltyError(f"{name} is law ({self.constants[name].basis}), not a parameter")
            if name not in parameters:
                known = ", ".join(sorted(parameters))
                raise PenaltyError(f"unknown parameter {name!r}: the parameters are {known}")
            entry = parameters[name]
            parameters[name] = replace(entry, value=_from_text(entry, text))
        return replace(self, parameters=parameters, changed=self.changed | frozenset(values))


def percent(fraction: Decimal) -> str:
    """``Decimal("0.018")`` as ``1.8%``."""
    text = f"{fraction * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def show(entry: LawValue) -> str:
    """An entry's value as text: fractions in percent, amounts with thousands separators."""
    if entry.kind == "fraction":
        assert isinstance(entry.value, Decimal)
        return percent(entry.value)
    if entry.kind in ("krw", "eur"):
        return f"{entry.value:,}"
    return entry.value.isoformat() if isinstance(entry.value, date) else str(entry.value)


@cache
def load_penalty_law() -> PenaltyLaw:
    """The constants shipped in ``reference/penalty.json``, read once per process."""
    data = files("privprobe.reference").joinpath("penalty.json").read_bytes()
    document = json.loads(data, parse_float=Decimal)
    constants = {name: _entry(name, raw) for name, raw in document["constants"].items()}
    parameters = {name: _entry(name, raw) for name, raw in document["parameters"].items()}
    bands = {rule.band: rule for rule in map(_band, document["severity_bands"])}
    fines = {rule.id: rule for rule in map(_fine, document["fines"])}
    version = f"penalty {document['as_of']}, sha256 {hashlib.sha256(data).hexdigest()[:12]}"
    return PenaltyLaw(constants, parameters, bands, fines, version)


def _entry(name: str, raw: dict[str, Any]) -> LawValue:
    entry = LawValue(
        name=name,
        kind=raw["kind"],
        value="",
        basis=raw["basis"],
        source=raw["source"],
        as_of=date.fromisoformat(raw["as_of"]),
        verified=bool(raw["verified"]),
        note=raw.get("note", ""),
        choices=tuple(raw.get("choices", ())),
    )
    return replace(entry, value=_typed(entry, raw["value"]))


def _typed(entry: LawValue, raw: Any) -> Value:
    if entry.kind == "fraction":
        return Decimal(raw)
    if entry.kind in ("krw", "eur", "integer"):
        return int(raw)
    if entry.kind == "date":
        return date.fromisoformat(raw)
    return str(raw)


def _from_text(entry: LawValue, text: str) -> Value:
    """A parameter value given by the investigator, checked against its kind."""
    text = text.strip()
    try:
        if entry.kind == "fraction":
            return Decimal(text.removesuffix("%").replace(",", "")) / 100
        if entry.kind in ("krw", "eur", "integer"):
            number = int(text.replace(",", ""))
            if number < 1:
                raise ValueError(text)
            return number
        if entry.kind == "date":
            return date.fromisoformat(text)
    except (ValueError, InvalidOperation):
        forms = {"fraction": "a percentage such as 25", "date": "a date YYYY-MM-DD"}
        raise PenaltyError(
            f"parameter {entry.name}: {text!r} is not {forms.get(entry.kind, 'a positive whole number')}"
        ) from None
    if text not in entry.choices:
        raise PenaltyError(f"parameter {entry.name}: {text!r} is not one of {', '.join(entry.choices)}")
    return text


def _band(raw: dict[str, Any]) -> BandRule:
    return BandRule(
        band=SeverityBand(raw["band"]),
        name_ko=raw["name_ko"],
        rate_min=Decimal(raw["rate_min"]),
        rate_max=Decimal(raw["rate_max"]),
        base_min_krw=int(raw["base_min_krw"]),
        base_max_krw=int(raw["base_max_krw"]),
        max_inclusive=bool(raw["max_inclusive"]),
        basis=raw["basis"],
    )


def _fine(raw: dict[str, Any]) -> FineRule:
    first, second, third = (int(amount) for amount in raw["amounts_krw"])
    return FineRule(
        id=raw["id"],
        title=raw["title"],
        title_ko=raw["title_ko"],
        provisions=raw["provisions"],
        basis=raw["basis"],
        amounts_krw=(first, second, third),
        cap_krw=int(raw["cap_krw"]),
        as_of=date.fromisoformat(raw["as_of"]),
        note=raw.get("note", ""),
    )
