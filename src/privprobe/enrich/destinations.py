"""Where each host of a case leads: which company, which group, which countries, first or third party.

`attribute` turns one host (and the server addresses seen for it) into a `Destination`:

1. the registrable domain by the public suffix list (IP literals have none);
2. the operator by the longest matching host suffix of the reference table, rolled up to its top
   parent (`privprobe.reference`);
3. the server addresses' registration countries and network owners (`privprobe.enrich.geo`);
4. the party: FIRST only for the case's declared first-party domains and their subdomains. A host run
   by another company of the controller's own group stays THIRD, with a note: affiliates are separate
   legal persons, so sending them data is a provision to a third party (PIPA Art. 17; GDPR Art. 4(10)).

`summarise` groups a case's flows by host, attributing each distinct host once, and `countries`
counts flows per country, by server address and by organisation seat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from importlib.metadata import version
from typing import Any

from publicsuffixlist import PublicSuffixList

from privprobe.enrich.geo import CountryFact, NetworkFact, geo_versions, ip_country, network_owner, parse_ip
from privprobe.facts import Destination, Organisation, Party
from privprobe.model import Case, Flow, FlowId, Phase
from privprobe.reference import OrganisationTable, ascii_host

UNNAMED = ""
"""Host of the row collecting flows whose evidence names neither a host nor a server address."""


@dataclass(frozen=True, slots=True)
class DestinationRow:
    """One host of a case: its `Destination` and the flows that reached it."""

    destination: Destination
    """Who runs the host and where, with how each fact was established."""
    flows: int
    """Number of flows to the host."""
    bytes_sent: int | None
    """Bytes sent to the host, summed over the flows that recorded it; None when none did."""
    first_seen: datetime | None
    """Time of the earliest flow (UTC), when the evidence has times."""
    phases: tuple[Phase, ...]
    """Consent phases in which the host was contacted."""
    flow_ids: tuple[FlowId, ...] = ()
    """The flows, for citation."""
    flows_by_ip: tuple[tuple[str, int], ...] = ()
    """Flows per server address; flows without an address are the difference to ``flows``."""

    def as_dict(self) -> dict[str, Any]:
        """The row as plain values, for listings (JSON, CSV, tables)."""
        d = self.destination
        return {
            "host": d.host,
            "registrable_domain": d.registrable_domain,
            "organisation": d.organisation.name if d.organisation else None,
            "organisation_id": d.organisation.id if d.organisation else None,
            "organisation_country": _seat(d.organisation),
            "category": d.organisation.category if d.organisation else None,
            "parent": d.parent.name if d.parent else None,
            "parent_id": d.parent.id if d.parent else None,
            "parent_country": _seat(d.parent),
            "attribution": d.attribution,
            "party": d.party,
            "server_ips": d.server_ips,
            "server_countries": d.server_countries,
            "server_country_source": d.server_country_source,
            "network_owners": d.network_owners,
            "network_source": d.network_source,
            "leaves_by_server": d.leaves_by_server,
            "leaves_by_organisation": d.leaves_by_organisation,
            "jurisdiction_evidence": d.jurisdiction_evidence,
            "flows": self.flows,
            "bytes_sent": self.bytes_sent,
            "first_seen": self.first_seen,
            "phases": self.phases,
            "flow_ids": self.flow_ids,
        }


@dataclass(frozen=True, slots=True)
class CountryRow:
    """Flows of a case per destination country, counted one way (``by``)."""

    country: str | None
    """ISO country, or None for flows whose country is unknown."""
    by: str
    """``server`` (registration country of the server address) or ``organisation`` (seat of the operator)."""
    flows: int
    """Number of flows to that country."""
    hosts: int
    """Number of distinct hosts among them."""
    organisations: tuple[str, ...] = field(default=())
    """Names of the known operators among them, sorted."""

    def as_dict(self) -> dict[str, Any]:
        """The row as plain values, for listings."""
        return {
            "country": self.country,
            "by": self.by,
            "flows": self.flows,
            "hosts": self.hosts,
            "organisations": self.organisations,
        }


@lru_cache(maxsize=65536)
def normalise_host(host: str) -> str:
    """``host`` lower-cased, without port, brackets or trailing dot, with IDN labels in punycode."""
    text = host.strip()
    if text.startswith("["):  # [v6] or [v6]:port
        return text[1:].split("]", 1)[0].lower()
    if text.count(":") == 1:  # name:port or v4:port; bare IPv6 has several colons
        text = text.split(":", 1)[0]
    address = parse_ip(text)
    return str(address) if address is not None else ascii_host(text)


def registrable_domain(host: str) -> str | None:
    """The registrable domain (eTLD+1) of ``host`` by the public suffix list; None for IP literals."""
    name = normalise_host(host)
    if not name or parse_ip(name) is not None:
        return None
    suffix: str | None = _psl().privatesuffix(name)
    return suffix


def attribute(
    host: str, server_ips: Iterable[str], case: Case, organisations: OrganisationTable
) -> Destination:
    """The `Destination` of ``host`` in ``case``: organisation, parent, party, countries, and why."""
    name = normalise_host(host)
    domain = registrable_domain(name)
    found = organisations.match(name) if name else None
    organisation, suffix = found if found else (None, None)
    parent = organisations.top_parent(organisation) if organisation else None
    party, party_note = _party(name, domain, case, organisation, organisations)
    if organisation is not None and parent is not None and suffix is not None:
        attribution = _reference_text(suffix, organisation, parent)
    else:
        attribution = _unknown_text(name, domain)
    addresses = _unique_ips(server_ips)
    countries = [ip_country(ip) for ip in addresses]
    owners = [network_owner(ip) for ip in addresses]
    by_server = _leaves_by_server(countries, case.jurisdiction)
    by_organisation = _leaves_by_organisation(organisation, parent, case.jurisdiction)
    return Destination(
        host=name,
        registrable_domain=domain,
        organisation=organisation,
        parent=parent,
        attribution="; ".join(text for text in (party_note, attribution) if text),
        party=party,
        server_ips=addresses,
        server_countries=tuple(sorted({fact.country for fact in countries if fact.country})),
        server_country_source=_country_source(countries),
        network_owners=tuple(dict.fromkeys(fact.owner for fact in owners if fact.owner)),
        network_source=_network_source(owners),
        leaves_by_server=by_server,
        leaves_by_organisation=by_organisation,
        jurisdiction_evidence=_evidence(countries, organisation, parent, case.jurisdiction),
    )


def summarise(flows: Iterable[Flow], case: Case, organisations: OrganisationTable) -> list[DestinationRow]:
    """One row per host of ``flows``, most contacted first; each distinct host is attributed once."""
    groups: dict[str, _Group] = {}
    for flow in flows:
        key = _host_key(flow)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group()
        group.add(flow)
    rows = [group.row(attribute(key, group.ips, case, organisations)) for key, group in groups.items()]
    return sorted(rows, key=lambda row: (-row.flows, row.destination.host))


def countries(rows: Iterable[DestinationRow]) -> list[CountryRow]:
    """Flows per country, by server registration country and by organisation seat; unknown last."""
    server: dict[str | None, _Tally] = {}
    seat: dict[str | None, _Tally] = {}
    for row in rows:
        d = row.destination
        name = d.organisation.name if d.organisation else None
        with_ip = 0
        for ip, count in row.flows_by_ip:
            server.setdefault(ip_country(ip).country, _Tally()).add(d.host, name, count)
            with_ip += count
        if row.flows > with_ip:
            server.setdefault(None, _Tally()).add(d.host, name, row.flows - with_ip)
        seat.setdefault(_seat(d.organisation), _Tally()).add(d.host, name, row.flows)
    return [*_country_rows(server, "server"), *_country_rows(seat, "organisation")]


def data_versions(organisations: OrganisationTable) -> dict[str, str]:
    """Every data set destination attribution depends on, with its version, for reports to record."""
    return {
        "organisations": organisations.version,
        "public_suffix_list": f"publicsuffixlist {version('publicsuffixlist')} (bundled list)",
        **geo_versions(),
    }


@dataclass
class _Group:
    """Flows of one host, accumulated in one pass."""

    flows: int = 0
    bytes_sent: int | None = None
    first_seen: datetime | None = None
    phases: set[Phase] = field(default_factory=set)
    flow_ids: list[FlowId] = field(default_factory=list)
    by_ip: Counter[str] = field(default_factory=Counter)

    @property
    def ips(self) -> list[str]:
        return list(self.by_ip)

    def add(self, flow: Flow) -> None:
        self.flows += 1
        if flow.bytes_sent is not None:
            self.bytes_sent = (self.bytes_sent or 0) + flow.bytes_sent
        if flow.time is not None and (self.first_seen is None or flow.time < self.first_seen):
            self.first_seen = flow.time
        self.phases.add(flow.phase)
        self.flow_ids.append(flow.id)
        if flow.server_ip:
            self.by_ip[_canonical_ip(flow.server_ip)] += 1

    def row(self, destination: Destination) -> DestinationRow:
        order = list(Phase)
        return DestinationRow(
            destination=destination,
            flows=self.flows,
            bytes_sent=self.bytes_sent,
            first_seen=self.first_seen,
            phases=tuple(sorted(self.phases, key=order.index)),
            flow_ids=tuple(self.flow_ids),
            flows_by_ip=tuple(self.by_ip.items()),
        )


@dataclass
class _Tally:
    flows: int = 0
    hosts: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def add(self, host: str, name: str | None, count: int) -> None:
        self.flows += count
        self.hosts.add(host)
        if name:
            self.names.add(name)


def _country_rows(tallies: dict[str | None, _Tally], by: str) -> list[CountryRow]:
    rows = [
        CountryRow(country, by, tally.flows, len(tally.hosts), tuple(sorted(tally.names)))
        for country, tally in tallies.items()
    ]
    return sorted(rows, key=lambda row: (row.country is None, -row.flows, row.country or ""))


def _host_key(flow: Flow) -> str:
    if flow.host:
        return normalise_host(flow.host)
    if flow.server_ip:  # no name in the evidence (no SNI, no DNS): the address is the host
        return normalise_host(flow.server_ip)
    return UNNAMED


def _party(
    name: str, domain: str | None, case: Case, organisation: Organisation | None, table: OrganisationTable
) -> tuple[Party, str]:
    if not name:
        return Party.UNKNOWN, "the evidence names neither a host nor a server address"
    if domain is None:
        return Party.UNKNOWN, "IP literal: no domain to compare with the case's first-party domains"
    for declared in (normalise_host(d) for d in case.first_party_domains):
        if name == declared or name.endswith("." + declared) or domain == declared:
            return Party.FIRST, f"first-party domain of the case ({declared})"
    group = _controller_group(case, table)
    if organisation is not None and table.top_parent(organisation).id in group:
        top = table.top_parent(organisation)
        return Party.THIRD, (
            f"same corporate group as the controller ({top.name}); kept third party: an affiliate is a "
            "separate recipient (PIPA Art. 17, GDPR Art. 4(10))"
        )
    return Party.THIRD, ""


def _controller_group(case: Case, table: OrganisationTable) -> set[str]:
    """Top-parent ids of the organisations that run the case's first-party domains."""
    group: set[str] = set()
    for declared in case.first_party_domains:
        found = table.match(declared)
        if found is not None:
            group.add(table.top_parent(found[0]).id)
    return group


def _reference_text(suffix: str, organisation: Organisation, parent: Organisation) -> str:
    text = (
        f"reference table: host suffix {suffix} → {organisation.name} [{organisation.id}, "
        f"{_seat(organisation) or 'seat unknown'}] ({organisation.source}"
        + (f", as of {organisation.as_of})" if organisation.as_of else ")")
    )
    if parent.id != organisation.id:
        text += f"; top parent {parent.name} [{parent.id}, {_seat(parent) or 'seat unknown'}]"
    return text


def _unknown_text(name: str, domain: str | None) -> str:
    if not name:
        return "no organisation known: no host"
    if domain is None:
        return f"no organisation known for {name}: an IP literal names no operator (see network owner)"
    return f"no organisation known for {domain}"


def _unique_ips(server_ips: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_canonical_ip(ip) for ip in server_ips))


@lru_cache(maxsize=65536)
def _canonical_ip(text: str) -> str:
    """An address in one spelling (``2001:db8::1``), so that two spellings count as one server."""
    address = parse_ip(text)
    return str(address) if address is not None else text.strip()


def _leaves_by_server(facts: list[CountryFact], jurisdiction: str) -> bool | None:
    if any(fact.country and fact.country != jurisdiction for fact in facts):
        return True
    if facts and all(fact.country == jurisdiction for fact in facts):
        return False
    return None


def _leaves_by_organisation(
    organisation: Organisation | None, parent: Organisation | None, jurisdiction: str
) -> bool | None:
    seats = [seat for seat in (_seat(organisation), _seat(parent)) if seat]
    if organisation is None or not seats:
        return None
    return any(seat != jurisdiction for seat in seats)


def _country_source(facts: list[CountryFact]) -> str:
    if not facts:
        return "no server address recorded for this host"
    return f"{facts[0].source}: " + "; ".join(
        f"{fact.ip} → {fact.country or 'unknown (' + (fact.reason or 'unknown') + ')'}" for fact in facts
    )


def _network_source(facts: list[NetworkFact]) -> str:
    if not facts:
        return "no server address recorded for this host"
    consulted = next((fact.source for fact in facts if not fact.source.endswith("(not consulted)")), None)
    described = "; ".join(
        f"{fact.ip} → {fact.owner} ({fact.prefix})" if fact.owner else f"{fact.ip} → unknown ({fact.reason})"
        for fact in facts
    )
    return f"{consulted or facts[0].source}: {described}"


def _evidence(
    facts: list[CountryFact], organisation: Organisation | None, parent: Organisation | None, home: str
) -> str:
    servers = _servers_sentence(facts, home)
    if organisation is None:
        return f"{servers}; operator unknown (case jurisdiction {home})."
    seat = f"operator {organisation.name} seated in {_seat(organisation) or 'an unknown country'}"
    if parent is not None and parent.id != organisation.id:
        seat += f", top parent {parent.name} seated in {_seat(parent) or 'an unknown country'}"
    return f"{servers}; {seat} (case jurisdiction {home})."


def _servers_sentence(facts: list[CountryFact], home: str) -> str:
    if not facts:
        return "No server address was recorded"
    outside = [fact.country for fact in facts if fact.country and fact.country != home]
    unknown = [fact for fact in facts if not fact.country]
    if outside:
        listed = ", ".join(sorted(set(outside)))
        return f"{len(outside)} of {len(facts)} server address(es) registered outside {home} ({listed})"
    if not unknown:
        return f"All {len(facts)} server address(es) registered in {home}"
    return f"{len(unknown)} of {len(facts)} server address(es) of unknown registration, the others in {home}"


def _seat(organisation: Organisation | None) -> str | None:
    return (organisation.country or None) if organisation is not None else None


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()
