"""The words privacy policies use: countries, organisation names, and the policy lexicon.

- ``countries.csv``: every ISO 3166-1 country with its English, Korean and Chinese names and the
  aliases policies write (``USA``, ``미합중국``, ``中华人民共和国境内``), plus ``ZZ`` for "worldwide".
- ``organisation_names.csv``: extra names (Korean, Chinese, legal and brand names) of rows of
  ``organisations.csv``, whose own ``name`` column counts too: "Google LLC", "구글", "谷歌" → ``google``.
- ``policy_lexicon.json``: what a section title is about (topics, tried in order), which
  declaration fields a table header names, category words that are not recipients ("광고 파트너"),
  the phrases of each legal ground, and the required / optional / missing markers of tables.

All matching folds case and width and ignores spaces (Korean policies write ``국외 이전`` and
``국외이전`` alike); names are found in running text with `TermFinder`, so particles glued to a
Korean name (``구글에``, ``미국으로``) do not hide it. Each table records its version (date, rows,
SHA-256 prefix) for the report.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from privprobe.reference.terms import Mention, TermFinder, fold

_AMBIGUOUS_KO = frozenset({"인도", "가나", "기니", "말리", "차드", "조지아", "도미니카", "니제르", "요르단"})
"""Korean country names that are also everyday words or parts of them (인도 "delivery", 가나다
order): matched only as a whole table cell or when written with an explicit particle-free country
context, never inside running text. Policies name these countries rarely; a missed mention is
better than a transfer to India invented from "상품 인도"."""


def _read(name: str) -> bytes:
    return files("privprobe.reference").joinpath(name).read_bytes()


def _version(name: str, data: bytes, rows: int, as_of: str) -> str:
    return f"{name} {as_of}, {rows} rows, sha256 {hashlib.sha256(data).hexdigest()[:12]}"


@dataclass(frozen=True)
class Country:
    """One country or territory of ISO 3166-1 (or ``ZZ``: worldwide, unspecified)."""

    code: str
    """ISO 3166-1 alpha-2 code."""
    name_en: str
    """English short name."""
    name_ko: str
    """Korean name as the Ministry of Foreign Affairs writes it."""
    name_zh: str
    """Simplified Chinese name."""
    aliases: tuple[str, ...]
    """Other names policies use, in any of the three languages."""


class CountryTable:
    """Countries by code and by every name; finds country mentions in running text."""

    def __init__(self, countries: Iterable[Country], version: str) -> None:
        self._countries = {country.code: country for country in countries}
        self.version = version
        """Which table this is."""
        self._names: dict[str, str] = {}
        running: list[tuple[str, str]] = []
        for country in self._countries.values():
            for name in (country.name_en, country.name_ko, country.name_zh, *country.aliases):
                if name.strip():
                    self._names.setdefault(fold(name)[0], country.code)
                    if name not in _AMBIGUOUS_KO:
                        running.append((name, country.code))
        self._finder = TermFinder(running)

    def __getitem__(self, code: str) -> Country:
        return self._countries[code]

    def __len__(self) -> int:
        return len(self._countries)

    def code_of(self, cell: str) -> str | None:
        """The code of a text that is one country name as a whole (a table cell), else None."""
        return self._names.get(fold(cell.strip(" .,;()[]"))[0])

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every country named in ``text``: (start, end, code), in order, longest match first."""
        return [(m.start, m.end, m.value) for m in self._finder.find(text)]


@cache
def load_countries() -> CountryTable:
    """``countries.csv`` from package data, read once per process."""
    data = _read("countries.csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    countries = [
        Country(
            code=row["code"].strip(),
            name_en=row["name_en"].strip(),
            name_ko=row["name_ko"].strip(),
            name_zh=row["name_zh"].strip(),
            aliases=tuple(alias.strip() for alias in row["aliases"].split("|") if alias.strip()),
        )
        for row in rows
    ]
    as_of = rows[0]["as_of"] if rows else "undated"
    return CountryTable(countries, _version("countries", data, len(rows), as_of))


class OrganisationNames:
    """Organisations of the reference table by every name they go by; finds them in running text."""

    def __init__(self, names: Mapping[str, tuple[str, ...]], version: str) -> None:
        self.names = dict(names)
        """Organisation id → its names (the table's own name first)."""
        self.version = version
        """Which tables this is built from."""
        self._finder = TermFinder((name, id) for id, known in self.names.items() for name in known)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every organisation named in ``text``: (start, end, id); the longest name wins, so
        "Alibaba Cloud (Singapore) Private Limited" is ``alibaba-cloud-intl``, not ``alibaba-group``."""
        return [(m.start, m.end, m.value) for m in self._finder.find(text)]


@cache
def load_organisation_names() -> OrganisationNames:
    """Names from ``organisations.csv`` (its ``name`` column) and ``organisation_names.csv``."""
    table = _read("organisations.csv")
    extra = _read("organisation_names.csv")
    names: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(table.decode("utf-8"))):
        names.setdefault(row["id"], []).append(row["name"].strip())
    rows = list(csv.DictReader(io.StringIO(extra.decode("utf-8"))))
    for row in rows:
        if row["id"] in names and row["name"].strip():
            names[row["id"]].append(row["name"].strip())
    as_of = rows[0]["as_of"] if rows else "undated"
    version = _version("organisation_names", extra, len(rows), as_of)
    return OrganisationNames({id: tuple(dict.fromkeys(known)) for id, known in names.items()}, version)


class PolicyLexicon:
    """Topics of section titles, fields of table headers, vague recipients, grounds and markers."""

    GROUND_ORDER = (
        "without_consent",
        "contract",
        "certification",
        "adequacy",
        "statute",
        "legitimate_interest",
        "consent",
    )
    """Grounds are tried in this order: the most specific first; ``동의`` also occurs in ``동의 없이``."""

    def __init__(self, data: Mapping[str, Any], version: str) -> None:
        self.version = version
        """Which lexicon this is."""
        self._topics = [(entry["id"], _folded(entry["words"])) for entry in data["topics"]]
        self._fields = [(entry["id"], _folded(entry["words"])) for entry in data["fields"]]
        self._vague = TermFinder((word, word) for word in data["vague_recipients"])
        self._vague_words = _folded(data["vague_recipients"])
        grounds = data["grounds"]
        self._grounds = [(name, _folded(grounds.get(name, ()))) for name in self.GROUND_ORDER]
        self._category_words = [(_folded(entry["words"]), frozenset(entry["categories"]))
                                for entry in data.get("category_words", ())]  # fmt: skip
        markers = data["markers"]
        self._required, self._optional = _folded(markers["required"]), _folded(markers["optional"])
        self._missing = frozenset(_folded(markers["missing"]))

    def topic_of(self, title: str) -> str | None:
        """What a section titled ``title`` is about; the first topic of the list whose word occurs."""
        folded = fold(title)[0]
        return next((id for id, words in self._topics if any(word in folded for word in words)), None)

    def fields_of(self, header: str) -> tuple[str, ...]:
        """The declaration fields a table header (or a ``label:``) names, in lexicon order.

        ``recipient`` is dropped when the header also names what the recipient does with the data
        ("이전받는 자의 이용목적 및 보유기간" is purpose and retention, not a recipient); a header
        naming the recipient and its contact ("이전받는 자(연락처)") keeps both, and the reader takes
        the contact out of the cell."""
        folded = fold(header)[0]
        if not folded or len(folded) > 40:
            return ()
        found = [id for id, words in self._fields if any(word in folded for word in words)]
        if "recipient" in found and {"purpose", "retention", "items", "country"} & set(found):
            found.remove("recipient")
        if "parent" in found and "recipient" in found and not any(w in folded for w in ("재수탁", "sub")):
            found.remove("parent")
        return tuple(found)

    def is_vague(self, name: str) -> bool:
        """Is ``name`` a category of recipients rather than a recipient?"""
        folded = fold(re.sub(r"[(（][^)）]*[)）]", "", name))[0]  # "판매자(연락처는 상품 페이지)" is 판매자
        return any(
            word == folded or (word in folded and len(folded) <= len(word) + 6) for word in self._vague_words
        )

    def vague_mentions(self, text: str) -> list[Mention[str]]:
        """Every category of recipients named in ``text``, in order."""
        return self._vague.find(text)

    def vague_in(self, text: str) -> str | None:
        """The first category of recipients named in ``text``, as written, or None."""
        found = self._vague.find(text)
        return text[found[0].start : found[0].end] if found else None

    def covers(self, phrase: str, category: str) -> bool:
        """Can the vague recipient ``phrase`` ("광고 파트너") cover an organisation of ``category``?"""
        folded = fold(phrase)[0]
        for words, categories in self._category_words:
            if any(word in folded for word in words) and ("*" in categories or category in categories):
                return True
        return False

    def ground_of(self, text: str) -> str | None:
        """The legal ground a text states (``contract``, ``consent`` ...), most specific first."""
        folded = fold(text)[0]
        return next((name for name, words in self._grounds if any(word in folded for word in words)), None)

    def is_required(self, text: str) -> bool | None:
        """True when ``text`` marks items required, False when optional, None when neither or both."""
        folded = fold(text)[0]
        required = any(word in folded for word in self._required)
        optional = any(word in folded for word in self._optional)
        return None if required == optional else required

    def is_missing(self, cell: str) -> bool:
        """Does a table cell say nothing (``—``, ``없음``, ``N/A``)?"""
        return fold(cell)[0] in self._missing


def _folded(words: Iterable[str]) -> list[str]:
    return [key for key in (fold(word)[0] for word in words) if key]


@cache
def load_policy_lexicon() -> PolicyLexicon:
    """``policy_lexicon.json`` from package data, read once per process."""
    data = _read("policy_lexicon.json")
    document = json.loads(data)
    rows = len(document["topics"]) + len(document["fields"])
    return PolicyLexicon(
        document, _version("policy_lexicon", data, rows, str(document.get("as_of", "undated")))
    )
