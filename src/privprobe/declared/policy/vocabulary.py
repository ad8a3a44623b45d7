"""The words a policy reader needs, loaded once: data items, countries, organisations, the lexicon.

All four come from ``privprobe.reference`` (each row with its source and date) and are searched with
`TermFinder`, so "휴대폰 번호", "Google LLC", "구글에", "美国" are found however they are spaced or
glued to particles. `Vocabulary.version` names every table and its version, for the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from privprobe.reference.data_types import DataTypeTable, load_data_types, terms_of
from privprobe.reference.lexicon import (
    CountryTable,
    OrganisationNames,
    PolicyLexicon,
    load_countries,
    load_organisation_names,
    load_policy_lexicon,
)
from privprobe.reference.terms import Mention, TermFinder


@dataclass(frozen=True)
class Vocabulary:
    """Everything the extractor matches words against."""

    data_types: DataTypeTable
    """The shared data-type vocabulary (ids, legal classes, names and synonyms)."""
    lexicon: PolicyLexicon
    """Section topics, table fields, vague recipients, legal grounds, required/optional markers."""
    countries: CountryTable
    """Countries by ISO code with Korean, English and Chinese names."""
    organisations: OrganisationNames
    """Organisations of the reference table by every name they go by."""
    items: TermFinder[str]
    """Data-type terms → data-type id."""

    @property
    def version(self) -> str:
        """The versions of every table, for the report's appendix."""
        parts = (self.data_types.version, self.lexicon.version, self.countries.version)
        return "; ".join((*parts, self.organisations.version))

    def items_in(self, text: str) -> list[Mention[str]]:
        """Data items named in ``text`` (data-type ids), in order."""
        return self.items.find(text)

    def item_ids(self, text: str) -> tuple[str, ...]:
        """The distinct data-type ids named in ``text``, in order of first mention."""
        return tuple(dict.fromkeys(mention.value for mention in self.items.find(text)))

    def countries_in(self, text: str) -> list[Mention[str]]:
        """Countries named in ``text`` (ISO codes), in order."""
        return [Mention(start, end, code) for start, end, code in self.countries.find(text)]

    def organisations_in(self, text: str) -> list[Mention[str]]:
        """Organisations named in ``text`` (organisation ids), in order."""
        return [Mention(start, end, id) for start, end, id in self.organisations.find(text)]


@cache
def load_vocabulary() -> Vocabulary:
    """The project's vocabulary from package data, read once per process."""
    data_types = load_data_types()
    items = TermFinder((term, data_type.id) for data_type in data_types for term in terms_of(data_type))
    return Vocabulary(
        data_types=data_types,
        lexicon=load_policy_lexicon(),
        countries=load_countries(),
        organisations=load_organisation_names(),
        items=items,
    )
