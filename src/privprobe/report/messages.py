"""The report's words in Korean and English: message catalogues, and numbers, amounts and dates.

Every label and sentence of the report is a key of ``messages/ko.json`` and ``messages/en.json``; a
sentence is one message with named placeholders (``{flows}``, ``{country}``), never fragments glued
together, so a translator sees whole sentences and may reorder them. Values put into a message are
formatted first, in the language's conventions:

- amounts: Korean in 조/억/만 원 (1,978,000,000 → ``19억 7,800만 원``), English with the ISO code
  (``KRW 1,978,000,000``); other currencies with their ISO code in both;
- dates: ``2026년 11월 28일`` and ``28 November 2026``; times are UTC and say so.

    >>> messages = load_messages("ko")
    >>> messages.money(90_000_000), load_messages("en").day("2026-11-28")
    ('9,000만 원', '28 November 2026')
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from importlib.resources import files
from typing import Literal, get_args

from privprobe.errors import PrivprobeError

Language = Literal["ko", "en"]
"""A language the report is written in."""
LANGUAGES: tuple[Language, ...] = get_args(Language)

_KOREAN_UNITS = ((10**12, "조"), (10**8, "억"), (10**4, "만"))
"""Korean groups numbers by 10^4: 만 (10^4), 억 (10^8), 조 (10^12), largest first."""
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class Messages:
    """One language's catalogue: whole messages by key, and that language's formats."""

    def __init__(self, language: Language, catalogue: Mapping[str, str]) -> None:
        self.language = language
        """``ko`` or ``en``."""
        self.catalogue = dict(catalogue)
        """Key → message."""

    def __call__(self, key: str, /, **values: object) -> str:
        """The message ``key`` with its named placeholders filled; a missing key or value raises."""
        try:
            message = self.catalogue[key]
        except KeyError:
            raise PrivprobeError(f"messages/{self.language}.json has no key {key!r}") from None
        return _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), message)

    def label(self, group: str, value: object) -> str:
        """The label of an enumerated value (``severity.high``); the value itself when it has none."""
        text = str(value)
        return self.catalogue.get(f"{group}.{text.replace(' ', '_')}", text)

    def money(self, amount: int | None, currency: str = "KRW") -> str:
        """``amount`` in this language's convention; a dash for no amount."""
        return "—" if amount is None else format_amount(amount, currency, self.language)

    def day(self, value: str | date | None) -> str:
        """An ISO date (or the date of an ISO time) written out: ``2026년 11월 28일``."""
        if not value:
            return "—"
        day = value if isinstance(value, date) else _parse(value).astimezone(UTC).date()
        return self("format.date", year=day.year, month_name=self(f"month.{day.month}"), day=day.day)

    def moment(self, value: str | None) -> str:
        """An ISO UTC time written out with its date: ``28 November 2026, 20:12 UTC``."""
        if not value:
            return "—"
        if "T" not in value:
            return self.day(value)
        moment = _parse(value).astimezone(UTC)
        return self("format.datetime", date=self.day(moment.date()), time=f"{moment:%H:%M}")

    def span(self, start: str | None, end: str | None) -> str:
        """Two UTC times: ``28 November 2026, 05:02–05:09 UTC`` on one day, both written out otherwise."""
        if start and end and "T" in start and "T" in end:
            first, last = _parse(start).astimezone(UTC), _parse(end).astimezone(UTC)
            if first.date() == last.date():
                return self(
                    "format.time_span",
                    date=self.day(first.date()),
                    start=f"{first:%H:%M}",
                    end=f"{last:%H:%M}",
                )
        return self("format.span", start=self.moment(start), end=self.moment(end))


def _parse(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PrivprobeError(f"report: {value!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # the schema's times are UTC


def format_amount(amount: int, currency: str, language: Language) -> str:
    """``amount`` of ``currency`` as ``language`` writes money (Korean 억/만 for KRW only)."""
    if language == "ko" and currency == "KRW":
        return _korean_won(amount)
    return f"{currency} {amount:,}"


def _korean_won(amount: int) -> str:
    # Korean spacing: a unit noun is written apart from a number with 만/억/조 ("7,800만 원"), attached
    # to plain digits ("5,000원"); zero groups are left out ("1억 원", not "1억 0만 원").
    sign, rest = ("-" if amount < 0 else ""), abs(amount)
    parts = []
    for unit, name in _KOREAN_UNITS:
        if rest >= unit:
            parts.append(f"{rest // unit:,}{name}")
            rest %= unit
    if rest or not parts:
        return sign + " ".join([*parts, f"{rest:,}원"])
    return sign + " ".join(parts) + " 원"


def placeholders(message: str) -> set[str]:
    """The names of the placeholders of ``message``."""
    return set(_PLACEHOLDER.findall(message))


def read_catalogue(language: Language) -> dict[str, str]:
    """``messages/<language>.json`` as key → message."""
    data = files("privprobe.report").joinpath("messages", f"{language}.json").read_text(encoding="utf-8")
    catalogue = json.loads(data)
    if not isinstance(catalogue, dict) or not all(isinstance(v, str) for v in catalogue.values()):
        raise PrivprobeError(f"messages/{language}.json: every message must be a string")
    return catalogue


@cache
def load_messages(language: str) -> Messages:
    """The catalogue of ``language`` (``ko`` or ``en``), read once per process."""
    for known in LANGUAGES:
        if language == known:
            return Messages(known, read_catalogue(known))
    raise PrivprobeError(f"report language {language!r}: choose one of {', '.join(LANGUAGES)}")
