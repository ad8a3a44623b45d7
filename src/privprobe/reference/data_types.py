"""The shared vocabulary of personal data: ``data_types.json``, read once into a `DataTypeTable`.

Detectors name the type they find (``contact.phone``), the privacy-policy reader turns the words a
policy uses (``휴대전화번호``, ``mobile number``, ``手机号码``) into the same ids, and the law rules read
each type's `LegalClass` (PIPA Art. 23 sensitive, Art. 24 unique identifier, Art. 24-2 RRN). So
"observed ``contact.email`` sent to Meta" can be compared with "declared: 이메일 provided to partners".

    >>> table = load_data_types()
    >>> [t.id for t in table.by_synonym("휴대폰 번호")], table["identity.rrn"].legal_class.value
    (['contact.phone'], 'rrn')

Terms (names and synonyms) match after `normalise_term`: NFKC, case folding, collapsed whitespace,
one middle dot for the several Korean policies use, and no spaces at all in Korean or Chinese text
(``휴대폰번호`` and ``휴대폰 번호`` are one term). A term used by two types is an error unless the
file's ``shared_synonyms`` lists it with the reason (``위치정보`` covers precise and coarse location).
Reports record `DataTypeTable.version`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from privprobe.facts import DataType, LegalClass

_ID = re.compile(r"^[a-z]+(?:\.[a-z0-9_]+)+$")
_CJK = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3400-\u9fff\uf900-\ufaff]")
# Korean text writes the middle dot of "사상·신념" as U+00B7, U+318D (ㆍ), U+30FB or U+2027.
_MIDDLE_DOTS = str.maketrans({"\u318d": "·", "\u30fb": "·", "\u2027": "·", "\u2022": "·", "\uff65": "·"})
_LEGAL_REFERENCE = re.compile(r"\bArt\. \d")


def normalise_term(text: str) -> str:
    """``text`` as terms are compared: NFKC, case-folded, one space between words, none in CJK text."""
    text = unicodedata.normalize("NFKC", text.translate(_MIDDLE_DOTS)).casefold()
    text = " ".join(text.split())
    return text.replace(" ", "") if _CJK.search(text) else text


class DataTypeTable:
    """Data types by id and by the words policies use for them; read-only once built."""

    def __init__(
        self, types: Iterable[DataType], version: str, shared: Mapping[str, str] | None = None
    ) -> None:
        self._types = {data_type.id: data_type for data_type in types}
        self.version = version
        """Which table this is: date, type count and SHA-256 prefix of the file."""
        self.shared_synonyms = {normalise_term(term): why for term, why in (shared or {}).items()}
        """Terms deliberately used by more than one type, with the reason (normalised term → reason)."""
        self._terms: dict[str, list[DataType]] = {}
        for data_type in self._types.values():
            for term in terms_of(data_type):
                found = self._terms.setdefault(term, [])
                if data_type not in found:
                    found.append(data_type)

    def __iter__(self) -> Iterator[DataType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def __contains__(self, id: object) -> bool:
        return id in self._types

    def __getitem__(self, id: str) -> DataType:
        try:
            return self._types[id]
        except KeyError:
            raise KeyError(f"{id!r} is not a data type of {self.version}") from None

    def get(self, id: str) -> DataType | None:
        """The type with ``id``, or None."""
        return self._types.get(id)

    def by_synonym(self, text: str) -> list[DataType]:
        """The types whose name or synonym is ``text`` after `normalise_term`; usually one, else empty."""
        return list(self._terms.get(normalise_term(text), ()))

    def by_class(self, legal_class: LegalClass) -> list[DataType]:
        """The types of one legal class, in table order."""
        return [data_type for data_type in self._types.values() if data_type.legal_class is legal_class]

    def terms(self) -> dict[str, tuple[str, ...]]:
        """Every normalised term and the ids of its types: the input of a multi-pattern policy search."""
        return {term: tuple(t.id for t in found) for term, found in self._terms.items()}


def terms_of(data_type: DataType) -> list[str]:
    """The normalised names and synonyms of ``data_type``, without repeats, in file order."""
    words = (data_type.name_ko, data_type.name_en, data_type.name_zh, *data_type.synonyms)
    return list(dict.fromkeys(normalise_term(word) for word in words if word.strip()))


@cache
def load_data_types() -> DataTypeTable:
    """The project's data-type vocabulary from package data, read once per process."""
    data = files("privprobe.reference").joinpath("data_types.json").read_bytes()
    types, shared, as_of = read_json(data.decode("utf-8"))
    version = f"data_types {as_of}, {len(types)} types, sha256 {hashlib.sha256(data).hexdigest()[:12]}"
    return DataTypeTable(types, version, shared)


def read_json(text: str) -> tuple[list[DataType], dict[str, str], str]:
    """Types, shared synonyms (term → reason) and ``as_of`` date of a vocabulary in the file's format."""
    document = json.loads(text)
    if not isinstance(document, dict) or not isinstance(document.get("types"), list):
        raise ValueError("a data-type vocabulary is a JSON object with a 'types' list")
    types = [_data_type(entry) for entry in document["types"]]
    return types, dict(document.get("shared_synonyms", {})), str(document.get("as_of", "undated"))


def _data_type(entry: Any) -> DataType:
    fields = ("id", "legal_class", "name_ko", "name_en", "name_zh")
    if not isinstance(entry, dict) or not all(isinstance(entry.get(name), str) for name in fields):
        raise ValueError(f"data type {entry!r} lacks one of the text fields {', '.join(fields)}")
    try:
        legal_class = LegalClass(entry["legal_class"])
    except ValueError:
        allowed = ", ".join(c.value for c in LegalClass)
        raise ValueError(
            f"{entry['id']}: legal_class {entry['legal_class']!r} is not one of {allowed}"
        ) from None
    return DataType(
        id=entry["id"],
        legal_class=legal_class,
        name_ko=entry["name_ko"].strip(),
        name_en=entry["name_en"].strip(),
        name_zh=entry["name_zh"].strip(),
        synonyms=tuple(str(word).strip() for word in entry.get("synonyms", ())),
        description=str(entry.get("description", "")).strip(),
    )


def problems(table: DataTypeTable) -> list[str]:
    """What is wrong with a vocabulary, one sentence each; empty when all is well.

    Checks: dotted lower-case ids, three names and a description on every type, a legal reference
    (``Art. N``) in the description of every type outside the general class, and no term used by
    two types unless ``shared_synonyms`` lists it (and nothing listed there that is not shared).
    """
    found: list[str] = []
    for data_type in table:
        if not _ID.match(data_type.id):
            found.append(f"{data_type.id}: id is not dotted lower-case (family.name)")
        for name in ("name_ko", "name_en", "name_zh", "description"):
            if not getattr(data_type, name):
                found.append(f"{data_type.id}: empty {name}")
        if data_type.legal_class is not LegalClass.GENERAL and not _LEGAL_REFERENCE.search(
            data_type.description
        ):
            found.append(
                f"{data_type.id}: {data_type.legal_class.value} type without 'Art. N' in its description"
            )
    for term, ids in sorted(table.terms().items()):
        if len(ids) > 1 and term not in table.shared_synonyms:
            found.append(
                f"term {term!r} is used by {' and '.join(ids)}; list it in shared_synonyms with the reason"
            )
        if len(ids) == 1 and term in table.shared_synonyms:
            found.append(f"shared_synonyms lists {term!r} but only {ids[0]} uses it")
    found.extend(
        f"shared_synonyms lists {term!r}, which no type uses"
        for term in table.shared_synonyms.keys() - table.terms().keys()
    )
    return found
