"""Reference data shipped with privprobe: tables written by the project from public facts.

Each row carries the public page stating its facts and the date it was written (see README.md in
this folder). `load_organisations` reads ``organisations.csv`` once per process into an
`OrganisationTable`, which answers the question enrich asks for every host: who operates it, and
which group does that company belong to?

    >>> table = load_organisations()
    >>> organisation, suffix = table.match("ae01.alicdn.com")
    >>> suffix, table.top_parent(organisation).id
    ('alicdn.com', 'alibaba-group')

A host matches the longest suffix of the table that ends on a label boundary: ``ae01.alicdn.com``
matches ``alicdn.com`` but ``notalicdn.com`` does not. Reports record `OrganisationTable.version`
so that a finding can be reproduced with the same reference data.
"""

from __future__ import annotations

import csv
import hashlib
import io
import ipaddress
from collections.abc import Iterable, Iterator
from functools import cache
from importlib.resources import files

from privprobe.facts import Organisation

_CATEGORY_NAMES = (
    "advertising analytics attribution crash-reporting customer-support payments cdn cloud social "
    "ecommerce search maps messaging consent tag-manager security fingerprinting push ab-testing video "
    "font other"
)
CATEGORIES = frozenset(_CATEGORY_NAMES.split())
"""What an organisation does for a site or app; ``Organisation.category`` is one of these."""

# ISO 3166-1 alpha-2 codes officially assigned (ISO 3166 Maintenance Agency list, 249 codes).
_ISO_CODES = """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG
    EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR
    HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR
    LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG
    NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE
    SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA
    UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"""
ISO_COUNTRIES = frozenset(_ISO_CODES.split())
"""Valid values of ``Organisation.country``."""

COLUMNS = ("id", "name", "parent", "country", "category", "domains", "source", "as_of", "note")
"""The columns of ``organisations.csv``, in order."""


def ascii_host(host: str) -> str:
    """``host`` lower-cased, without a trailing dot, with non-ASCII labels in punycode (``xn--``)."""
    host = host.strip().rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # not valid IDNA 2003: keep the Unicode form, it simply matches nothing
        return host


class OrganisationTable:
    """Organisations by id and by the host suffixes they operate; read-only once built."""

    __slots__ = ("_notes", "_rows", "_suffixes", "version")

    def __init__(self, rows: Iterable[Organisation], version: str, notes: dict[str, str] | None = None):
        self._rows: dict[str, Organisation] = {}
        self._suffixes: dict[str, str] = {}
        for row in rows:
            self._rows.setdefault(row.id, row)
            for domain in row.domains:
                self._suffixes.setdefault(ascii_host(domain), row.id)  # the first row claiming wins
        self._notes = dict(notes or {})
        self.version = version
        """Which data this is: ``organisations <date>, <n> rows, sha256 <prefix>`` (plus imports)."""

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Organisation]:
        return iter(self._rows.values())

    def __contains__(self, organisation_id: object) -> bool:
        return organisation_id in self._rows

    def get(self, organisation_id: str) -> Organisation | None:
        """The organisation with that id, or None."""
        return self._rows.get(organisation_id)

    def note(self, organisation: Organisation) -> str:
        """The row's note (a caveat such as "seat not confirmed"), or ``""``."""
        return self._notes.get(organisation.id, "")

    def suffixes(self) -> dict[str, str]:
        """A copy of the host-suffix index: suffix → organisation id."""
        return dict(self._suffixes)

    def match(self, host: str) -> tuple[Organisation, str] | None:
        """The organisation operating ``host`` and the suffix that matched, by longest suffix; or None.

        Suffixes match on label boundaries only, and IP literals match nothing.
        """
        name = ascii_host(host)
        if not name or _is_ip(name):
            return None
        labels = name.split(".")
        for start in range(len(labels)):  # longest candidate first
            suffix = ".".join(labels[start:])
            found = self._suffixes.get(suffix)
            if found is not None:
                return self._rows[found], suffix
        return None

    def chain(self, organisation: Organisation) -> tuple[Organisation, ...]:
        """``organisation`` and its parents up to the top, stopping at an unknown id or a cycle."""
        seen = [organisation]
        current = organisation
        while current.parent:
            parent = self._rows.get(current.parent)
            if parent is None or parent in seen:
                break
            seen.append(parent)
            current = parent
        return tuple(seen)

    def top_parent(self, organisation: Organisation) -> Organisation:
        """The top of ``organisation``'s group (itself when it has no parent)."""
        return self.chain(organisation)[-1]


def problems(rows: Iterable[Organisation]) -> list[str]:
    """What is wrong with a set of reference rows, one sentence each; empty when all is well.

    Checks: unique ids, parents that exist, no parent cycles, ISO countries, known categories, a
    source URL and a date on every row, and no domain claimed by two organisations.
    """
    rows = list(rows)
    found: list[str] = []
    by_id: dict[str, Organisation] = {}
    owner: dict[str, str] = {}
    for row in rows:
        if row.id in by_id:
            found.append(f"{row.id}: duplicate id")
        by_id[row.id] = row
        found.extend(f"{row.id}: {fault}" for fault in _row_faults(row))
        for domain in row.domains:
            if domain in owner and owner[domain] != row.id:
                found.append(f"{row.id}: domain {domain} is claimed by {owner[domain]} too")
            owner.setdefault(domain, row.id)
    for row in rows:
        if row.parent and row.parent not in by_id:
            found.append(f"{row.id}: parent {row.parent} is not in the table")
        elif _in_cycle(row, by_id):
            found.append(f"{row.id}: its parents form a cycle")
    return found


@cache
def load_organisations() -> OrganisationTable:
    """The project's organisation table from package data, read once per process."""
    data = files(__name__).joinpath("organisations.csv").read_bytes()
    rows, notes = read_csv(data.decode("utf-8"))
    dates = sorted({row.as_of for row in rows if row.as_of})
    written = dates[-1] if dates else "undated"
    version = f"organisations {written}, {len(rows)} rows, sha256 {hashlib.sha256(data).hexdigest()[:12]}"
    return OrganisationTable(rows, version, notes)


def read_csv(text: str) -> tuple[list[Organisation], dict[str, str]]:
    """Rows and notes (by id) of an organisation table in the ``organisations.csv`` format."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"organisation table columns must be {', '.join(COLUMNS)}; got {reader.fieldnames}")
    rows: list[Organisation] = []
    notes: dict[str, str] = {}
    for record in reader:
        rows.append(
            Organisation(
                id=record["id"].strip(),
                name=record["name"].strip(),
                country=record["country"].strip(),
                category=record["category"].strip(),
                parent=record["parent"].strip() or None,
                domains=tuple(record["domains"].split()),
                source=record["source"].strip(),
                as_of=record["as_of"].strip(),
            )
        )
        if record["note"].strip():
            notes[rows[-1].id] = record["note"].strip()
    return rows, notes


def _row_faults(row: Organisation) -> Iterator[str]:
    if row.country not in ISO_COUNTRIES:
        yield f"country {row.country!r} is not an ISO 3166-1 alpha-2 code"
    if row.category not in CATEGORIES:
        yield f"category {row.category!r} is not one of {', '.join(sorted(CATEGORIES))}"
    if not row.source.startswith(("https://", "http://")):
        yield "no source URL"
    if not row.as_of:
        yield "no as_of date"
    for domain in row.domains:
        if domain != ascii_host(domain) or "." not in domain or _is_ip(domain):
            yield f"domain {domain!r} is not a lower-case host suffix"


def _in_cycle(row: Organisation, by_id: dict[str, Organisation]) -> bool:
    seen = {row.id}
    current = row
    while current.parent and current.parent in by_id:
        if current.parent in seen:
            return True
        seen.add(current.parent)
        current = by_id[current.parent]
    return False


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True
