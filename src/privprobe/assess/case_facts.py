"""The facts an investigator enters for a case, and that the penalty and the rules need.

Each key of the catalogue has a kind (KRW amount, count, date, yes/no, text, languages, dates), a
unit, a description and the provision that needs it. Two families take a suffix: ``revenue.2023``
and ``related_revenue.2023`` (business year, calendar years as the business years ending in them),
and ``prior_fines.31-2(1)`` (an Annex 2 fine id). The store keeps the canonical text `parse` returns;
`CaseFacts` reads it back as values.

Amounts are whole won (or euros): digits with optional thousands commas, or a number with the
Korean units 조 (10^12), 억 (10^8) and 만 (10^4), largest first, optionally ending in 원:

    >>> parse_amount("1,978,000,000"), parse_amount("19.78억"), parse_amount("1조 2,000억")
    (1978000000, 1978000000, 1200000000000)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from privprobe.assess.penalty_law import load_penalty_law
from privprobe.errors import FactError


class FactKind(StrEnum):
    """The form of a fact's value."""

    KRW = "krw"
    EUR = "eur"
    COUNT = "count"
    DATE = "date"
    DATE_OR_ONGOING = "date_or_ongoing"
    DATES = "dates"
    BOOL = "bool"
    TEXT = "text"
    LANGUAGES = "languages"


FORMS = {
    FactKind.KRW: "a KRW amount: digits with optional commas, or with 만, 억, 조 (1,978,000,000 or 19.78억)",
    FactKind.EUR: "a EUR amount: digits with optional commas (450,000,000)",
    FactKind.COUNT: "a whole number: digits with optional commas, or with 만 or 억 (2,900,000 or 290만)",
    FactKind.DATE: "a date YYYY-MM-DD",
    FactKind.DATE_OR_ONGOING: "a date YYYY-MM-DD or 'ongoing'",
    FactKind.DATES: "dates YYYY-MM-DD separated by commas, or 'none'",
    FactKind.BOOL: "yes or no",
    FactKind.TEXT: "one line of text",
    FactKind.LANGUAGES: "language codes separated by commas (ko,en)",
}
"""What each kind accepts, as error messages say it."""


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One key of the catalogue."""

    key: str
    """The key; a family ends in ``.YEAR`` or ``.FINE``."""
    kind: FactKind
    """The form of its value."""
    unit: str
    """``KRW``, ``EUR``, ``users``, ``steps``, ... or empty."""
    description: str
    """What to enter."""
    basis: str
    """The provision that needs it."""


# key | kind | unit | description | the provision that needs it
_TABLE = """
revenue.YEAR | krw | KRW | Total revenue (전체 매출액) of the business year ending in YEAR | Decree Art. 60-2(1)
related_revenue.YEAR | krw | KRW | Revenue of that year related to the violation: total minus revenue the PIPC accepts as unrelated (관련 매출액) | Decree Art. 60-2(3)
business_start | date | | First day of business, when younger than the 3 business years before the violation year | Decree Art. 60-2(1)
revenue_before_violation | krw | KRW | Revenue from business_start to violation_start, for a business started in the violation year | Decree Art. 60-2(1)
related_revenue_before_violation | krw | KRW | The related part of revenue_before_violation | Decree Art. 60-2(3)
revenue_incalculable | bool | | No revenue, or it cannot be calculated: fixed base amounts and the 2 billion KRW cap apply | Act Art. 64-2(1) proviso; Decree Art. 60-2(2)
worldwide_turnover_eur | eur | EUR | Worldwide annual turnover of the undertaking in the preceding financial year | GDPR Art. 83(4)-(6)
daily_korean_users | count | users | Average daily Korean users over the last 3 months of the prior year | Decree Art. 32-3(1) (domestic agent at ≥1,000,000)
korean_subjects | count | subjects | Korean data subjects whose data the controller processes | Decree Art. 15-2, 32 (size thresholds)
korean_subsidiary | bool | | Has a Korean subsidiary (≥50% of officers appointed or ≥30% equity) | Act Art. 31-2 (from 2025-10-02); Decree Art. 32-3(3)
domestic_agent_designated | bool | | Has designated a domestic agent in writing | Act Art. 31-2(1)
korea_office | bool | | Has an address or office in Korea (then no domestic agent is needed) | Act Art. 31-2(1)
signup_steps | count | steps | Steps to sign up | Act Art. 38(4)
withdrawal_steps | count | steps | Steps to withdraw or delete the account | Act Art. 38(4)
withdrawal_languages | languages | | Languages of the withdrawal and deletion pages | Act Art. 38(4)
violation_start | date | | First day of the violation | Decree Annex 1-5, 2.나 (duration)
violation_end | date_or_ongoing | | Last day of the violation, or 'ongoing' | Act No. 19234 addendum Art. 8 (which regime)
prior_surcharges | dates | | Dates of earlier PIPC surcharge decisions against this controller | Decree Annex 1-5, 2.나; Act Art. 64-2(2) no. 1
prior_intent_or_gross_negligence | bool | | The earlier surcharged violation was intentional or grossly negligent | Act Art. 64-2(2) no. 1
prior_fines.FINE | dates | | Dates of earlier fines for the same violation FINE (an Annex 2 id such as 31-2(1)) | Decree Annex 2 (3-year repeat counting)
intent_or_gross_negligence | bool | | The violation was intentional or grossly negligent | Act Art. 64-2(2), 64-2(6)
victims | count | subjects | Data subjects harmed by the violation | Act Art. 64-2(2) no. 2 (≥10,000,000)
leak | bool | | The violation is a leak (유출등) of personal information | Act Art. 64-2(2) no. 3
ignored_corrective_order | bool | | A corrective order was ignored before the violation | Act Art. 64-2(2) no. 3
behavioural_consent | bool | | Consent is obtained before behavioural data from other sites and apps is collected for advertising (no: not obtained) | Act Art. 15(1); old Art. 39-3(1)
separate_transfer_consent | bool | | Separate consent to the overseas transfer was obtained from users (no: not obtained) | Act Art. 28-8(1)1
transfer_safeguards_in_contract | bool | | Contracts with overseas recipients carry the safeguards of Decree Art. 29-10 | Act Art. 28-8(4)
trustee_supervision | bool | | Trustees are trained and supervised (no: not done) | Act Art. 26(4)
age_verification | bool | | Children under 14 are kept out or their legal representative's consent is verified (no: not done) | Act Art. 22-2
privacy_investment | bool | | The controller invested in privacy protection (budget, staff, equipment) | Act Art. 64-2(6) (from 2026-09-11)
"""


def _spec(line: str) -> FactSpec:
    key, kind, unit, description, basis = (part.strip() for part in line.split("|"))
    return FactSpec(key, FactKind(kind), unit, description, basis)


CATALOGUE: tuple[FactSpec, ...] = tuple(_spec(line) for line in _TABLE.strip().splitlines())
"""Every key, in the order listings show them."""

_BY_KEY = {spec.key: spec for spec in CATALOGUE}
_YEAR = re.compile(r"^(revenue|related_revenue)\.(\d{4})$")
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_AMOUNT = re.compile(
    rf"^(?:({_NUMBER})\s*조)?\s*(?:({_NUMBER})\s*억)?\s*(?:({_NUMBER})\s*만)?\s*({_NUMBER})?\s*원?$"
)
_UNITS = (10**12, 10**8, 10**4, 1)
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")
_TRUE, _FALSE = {"yes", "y", "true", "1", "예"}, {"no", "n", "false", "0", "아니오"}


def spec_for(key: str) -> FactSpec:
    """The catalogue entry of ``key`` (``revenue.2023`` → ``revenue.YEAR``); a `FactError` if unknown."""
    if key in _BY_KEY and not key.endswith((".YEAR", ".FINE")):
        return _BY_KEY[key]
    year = _YEAR.match(key)
    if year and 1900 <= int(year[2]) <= 2100:
        return _BY_KEY[f"{year[1]}.YEAR"]
    family, _, fine = key.partition(".")
    if family == "prior_fines" and fine:
        if fine not in load_penalty_law().fines:
            known = ", ".join(load_penalty_law().fines)
            raise FactError(f"{key}: {fine!r} is not an Annex 2 fine id; the ids are {known}")
        return _BY_KEY["prior_fines.FINE"]
    raise FactError(
        f"unknown case fact {key!r}: the keys are {', '.join(spec.key for spec in CATALOGUE)} "
        "(YEAR a year such as 2023, FINE an Annex 2 fine id)"
    )


def parse(key: str, text: str) -> str:
    """The canonical text of ``text`` as a value of ``key``; a `FactError` naming both and the form."""
    spec = spec_for(key)
    try:
        return _canonical(spec.kind, text.strip())
    except ValueError:
        raise FactError(f"{key}: {text!r} is not {FORMS[spec.kind]}") from None


def parse_amount(text: str) -> int:
    """Whole won from ``1,978,000,000``, ``19.78억``, ``1.2조``, ``5,000만원``; ValueError otherwise."""
    match = _AMOUNT.match(text.strip())
    if not match or not text.strip() or not any(match.groups()):
        raise ValueError(text)
    total = Decimal(0)
    for number, unit in zip(match.groups(), _UNITS, strict=True):
        if number is not None:
            total += Decimal(number.replace(",", "")) * unit
    if total != total.to_integral_value():
        raise ValueError(text)
    return int(total)


def _canonical(kind: FactKind, text: str) -> str:
    if kind in (FactKind.KRW, FactKind.EUR, FactKind.COUNT):
        if kind is FactKind.EUR and not re.fullmatch(_NUMBER, text):
            raise ValueError(text)
        return str(parse_amount(text))
    if kind is FactKind.DATE or (kind is FactKind.DATE_OR_ONGOING and text.lower() != "ongoing"):
        return date.fromisoformat(text).isoformat() if len(text) == 10 else _bad(text)
    if kind is FactKind.DATE_OR_ONGOING:
        return "ongoing"
    if kind is FactKind.DATES:
        if text.lower() in ("none", ""):
            return "none"
        days = sorted({date.fromisoformat(_ten(part.strip())) for part in text.split(",")})
        return ",".join(day.isoformat() for day in days)
    if kind is FactKind.BOOL:
        if text.lower() in _TRUE | _FALSE:
            return "yes" if text.lower() in _TRUE else "no"
        return _bad(text)
    if kind is FactKind.LANGUAGES:
        codes = [part.strip().lower() for part in text.split(",")]
        if not all(_LANGUAGE.match(code) for code in codes):
            return _bad(text)
        return ",".join(dict.fromkeys(codes))
    if not text or len(text) > 2000 or any(ord(c) < 32 for c in text):
        return _bad(text)
    return text


def _ten(text: str) -> str:
    return text if len(text) == 10 else _bad(text)


def _bad(text: str) -> str:
    raise ValueError(text)


Typed = int | bool | date | str | tuple[str, ...] | tuple[date, ...] | None


def value_of(kind: FactKind, canonical: str) -> Typed:
    """The value a canonical text stands for (``ongoing`` is None, ``none`` an empty tuple)."""
    if kind in (FactKind.KRW, FactKind.EUR, FactKind.COUNT):
        return int(canonical)
    if kind is FactKind.DATE or kind is FactKind.DATE_OR_ONGOING:
        return None if canonical == "ongoing" else date.fromisoformat(canonical)
    if kind is FactKind.DATES:
        return () if canonical == "none" else tuple(date.fromisoformat(d) for d in canonical.split(","))
    if kind is FactKind.BOOL:
        return canonical == "yes"
    if kind is FactKind.LANGUAGES:
        return tuple(canonical.split(","))
    return canonical


def display(kind: FactKind, canonical: str) -> str:
    """The canonical text as a listing shows it: amounts with commas and, in KRW, in 억."""
    if kind is FactKind.KRW:
        amount = int(canonical)
        if amount < 10**8:
            return f"{amount:,}"
        eok = f"{Decimal(amount) / 10**8:f}"
        return f"{amount:,} ({eok.rstrip('0').rstrip('.') if '.' in eok else eok}억)"
    if kind in (FactKind.EUR, FactKind.COUNT):
        return f"{int(canonical):,}"
    return canonical


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """The facts of one case as values, read from the stored canonical texts."""

    texts: Mapping[str, str]
    """Key → canonical text, as stored."""

    @classmethod
    def of(cls, values: Mapping[str, str]) -> CaseFacts:
        """Facts from texts as the investigator writes them (tests, the library); each is checked."""
        return cls({key: parse(key, text) for key, text in values.items()})

    def get(self, key: str) -> Typed:
        """The value of ``key``, or None when unset."""
        text = self.texts.get(key)
        return None if text is None else value_of(spec_for(key).kind, text)

    def is_set(self, key: str) -> bool:
        """Whether the investigator entered ``key``."""
        return key in self.texts

    def flag(self, key: str) -> bool:
        """A yes/no fact; unset counts as no."""
        return self.get(key) is True

    def amount(self, key: str) -> int | None:
        """An amount or count, or None."""
        value = self.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def day(self, key: str) -> date | None:
        """A date, or None (unset or ``ongoing``)."""
        value = self.get(key)
        return value if isinstance(value, date) else None

    def days(self, key: str) -> tuple[date, ...]:
        """A list of dates; empty when unset or ``none``."""
        value = self.get(key)
        return tuple(d for d in value if isinstance(d, date)) if isinstance(value, tuple) else ()

    def by_year(self, family: str) -> dict[int, int]:
        """``revenue`` or ``related_revenue`` by business year."""
        found: dict[int, int] = {}
        for key, text in self.texts.items():
            match = _YEAR.match(key)
            if match and match[1] == family:
                found[int(match[2])] = int(text)
        return found


def parse_assignment(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` split and checked: the key and the canonical value."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise FactError(f"--set {text!r}: give KEY=VALUE, e.g. revenue.2023=1,978,000,000")
    return key.strip(), parse(key.strip(), value)
