"""Destination attribution: registrable domain, organisation and group, party, countries, summaries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from privprobe.enrich.destinations import (
    UNNAMED,
    DestinationRow,
    attribute,
    countries,
    data_versions,
    normalise_host,
    registrable_domain,
    summarise,
)
from privprobe.facts import Destination, Party
from privprobe.model import Phase
from privprobe.reference import OrganisationTable, load_organisations
from tests.builders import T0, make_case, make_flow

TABLE = load_organisations()
TEMU = make_case("temu", controller="Whaleco Technology Limited (Temu)", first_party_domains=("temu.com",))
SHOP = make_case()  # first party shop.example, jurisdiction KR

GOOGLE_IP = "142.250.196.110"  # registered US
NAVER_IP = "223.130.200.104"  # registered KR
ALIBABA_IP = "140.205.1.1"  # registered CN


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("ae01.alicdn.com", "alicdn.com"),
        ("WWW.Naver.COM.", "naver.com"),
        ("www.naver.co.kr", "naver.co.kr"),
        ("shop.example:8443", "shop.example"),
        ("foo.bar.appspot.com", "bar.appspot.com"),  # private suffix of the public suffix list
        ("테스트.한국", "xn--9t4b11yi5a.xn--3e0b707e"),
        ("www.xn--9t4b11yi5a.xn--3e0b707e", "xn--9t4b11yi5a.xn--3e0b707e"),
        ("8.8.8.8", None),
        ("8.8.8.8:443", None),
        ("2001:db8::1", None),
        ("[2001:db8::1]", None),
        ("[2001:db8::1]:443", None),
        ("co.kr", None),
        ("", None),
    ],
)
def test_registrable_domain(host: str, expected: str | None) -> None:
    assert registrable_domain(host) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("WWW.Temu.COM.", "www.temu.com"),
        ("www.temu.com:443", "www.temu.com"),
        ("[2001:DB8::1]:443", "2001:db8::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("bücher.de", "xn--bcher-kva.de"),
    ],
)
def test_normalise_host(host: str, expected: str) -> None:
    assert normalise_host(host) == expected


@pytest.mark.parametrize(
    ("host", "organisation", "parent", "party"),
    [
        ("www.temu.com", "whaleco-technology", "pdd-holdings", Party.FIRST),
        ("temu.com", "whaleco-technology", "pdd-holdings", Party.FIRST),
        ("WWW.TEMU.COM.", "whaleco-technology", "pdd-holdings", Party.FIRST),
        ("img.kwcdn.com", "whaleco-technology", "pdd-holdings", Party.THIRD),  # not a declared domain
        ("mobile.yangkeduo.com", "pinduoduo", "pdd-holdings", Party.THIRD),
        ("googleads.g.doubleclick.net", "doubleclick", "alphabet", Party.THIRD),
        ("ae01.alicdn.com", "alibaba-group", "alibaba-group", Party.THIRD),
        ("notatemu.com", None, None, Party.THIRD),
        ("8.8.8.8", None, None, Party.UNKNOWN),
        ("[2001:4860:4860::8888]", None, None, Party.UNKNOWN),
    ],
)
def test_organisation_parent_and_party(
    host: str, organisation: str | None, parent: str | None, party: Party
) -> None:
    destination = attribute(host, [], TEMU, TABLE)
    assert (destination.organisation.id if destination.organisation else None) == organisation
    assert (destination.parent.id if destination.parent else None) == parent
    assert destination.party is party


def test_same_group_as_the_controller_stays_third_party_with_a_note() -> None:
    destination = attribute("mobile.yangkeduo.com", [], TEMU, TABLE)
    assert destination.party is Party.THIRD
    assert destination.attribution.startswith("same corporate group as the controller (PDD Holdings Inc.)")
    assert "PIPA Art. 17" in destination.attribution
    unrelated = attribute("googleads.g.doubleclick.net", [], TEMU, TABLE)
    assert "same corporate group" not in unrelated.attribution


def test_attribution_cites_suffix_row_source_and_parent() -> None:
    destination = attribute("ae01.alicdn.com", [], SHOP, TABLE)
    assert destination.attribution.startswith("reference table: host suffix alicdn.com → Alibaba Group")
    assert "https://www.alibabagroup.com/" in destination.attribution
    doubleclick = attribute("googleads.g.doubleclick.net", [], SHOP, TABLE).attribution
    assert "top parent Alphabet Inc. [alphabet, US]" in doubleclick
    assert "as of 2026-11-28" in doubleclick


@pytest.mark.parametrize(
    ("host", "text"),
    [
        (
            "www.shop.example",
            "first-party domain of the case (shop.example); no organisation known for shop.example",
        ),
        ("tracker.example.org", "no organisation known for example.org"),
        ("8.8.8.8", "IP literal: no domain to compare"),
    ],
)
def test_attribution_when_no_organisation_is_known(host: str, text: str) -> None:
    assert attribute(host, [], SHOP, TABLE).attribution.startswith(text)


@pytest.mark.parametrize(
    ("host", "ips", "by_server", "by_organisation", "countries"),
    [
        ("www.google-analytics.com", [GOOGLE_IP], True, True, ("US",)),
        ("wcs.naver.net", [NAVER_IP], False, False, ("KR",)),
        ("log.mmstat.com", [ALIBABA_IP], True, True, ("CN",)),
        ("wcs.naver.net", [NAVER_IP, GOOGLE_IP], True, False, ("KR", "US")),
        ("wcs.naver.net", [NAVER_IP, "10.0.0.1"], None, False, ("KR",)),  # one address unknown
        ("wcs.naver.net", ["10.0.0.1"], None, False, ()),
        ("wcs.naver.net", [], None, False, ()),
        ("www.shop.example", [NAVER_IP], False, None, ("KR",)),  # operator unknown
        ("image7.coupangcdn.com", [NAVER_IP], False, True, ("KR",)),  # Coupang Corp. KR, parent US
    ],
)
def test_jurisdiction_flags_for_a_korean_case(
    host: str,
    ips: list[str],
    by_server: bool | None,
    by_organisation: bool | None,
    countries: tuple[str, ...],
) -> None:
    destination = attribute(host, ips, SHOP, TABLE)
    assert destination.server_countries == countries
    assert destination.leaves_by_server is by_server
    assert destination.leaves_by_organisation is by_organisation


def test_evidence_sentences_name_their_sources() -> None:
    destination = attribute("log.mmstat.com", [ALIBABA_IP, "10.0.0.1"], SHOP, TABLE)
    assert destination.server_country_source.startswith("iptocc 3.3.170")
    assert f"{ALIBABA_IP} → CN" in destination.server_country_source
    assert "10.0.0.1 → unknown (private address)" in destination.server_country_source
    assert "GeoLite2" in destination.network_source and "10.0.0.1 → unknown" in destination.network_source
    assert destination.jurisdiction_evidence == (
        "1 of 2 server address(es) registered outside KR (CN); operator Alibaba group user-behaviour "
        "logging (mmstat) seated in CN, top parent Alibaba Group Holding Limited seated in KY "
        "(case jurisdiction KR)."
    )
    none = attribute("unknown.example.org", [], SHOP, TABLE)
    assert none.server_country_source == "no server address recorded for this host"
    assert (
        none.jurisdiction_evidence
        == "No server address was recorded; operator unknown (case jurisdiction KR)."
    )


def test_ip_literal_host_gets_countries_and_network_owner() -> None:
    destination = attribute("8.8.8.8", ["8.8.8.8", "8.8.8.8"], SHOP, TABLE)
    assert destination.registrable_domain is None and destination.organisation is None
    assert destination.server_ips == ("8.8.8.8",)
    assert destination.server_countries == ("US",) and destination.network_owners == ("GOOGLE",)


def test_jurisdiction_is_the_cases() -> None:
    american = make_case(jurisdiction="US")
    destination = attribute("www.google-analytics.com", [GOOGLE_IP], american, TABLE)
    assert (destination.leaves_by_server, destination.leaves_by_organisation) == (False, False)


class CountingTable(OrganisationTable):
    """A real table that counts host lookups, to check each distinct host is attributed once."""

    def __init__(self, table: OrganisationTable) -> None:
        super().__init__(table, table.version)
        self.hosts: list[str] = []

    def match(self, host: str):  # type: ignore[no-untyped-def]
        self.hosts.append(host)
        return super().match(host)


def test_summarise_groups_flows_by_host_and_attributes_each_host_once() -> None:
    flows = [
        make_flow(
            "https://www.shop.example/", seq=0, server_ip=NAVER_IP, bytes_sent=100, phase=Phase.ACCEPTED
        ),
        make_flow(
            "https://log.mmstat.com/v.gif",
            seq=1,
            server_ip=ALIBABA_IP,
            bytes_sent=50,
            time=T0 + timedelta(seconds=5),
            phase=Phase.REFUSED,
        ),
        make_flow(
            "https://LOG.MMSTAT.COM./x",
            seq=2,
            host="LOG.MMSTAT.COM.",
            server_ip=ALIBABA_IP,
            bytes_sent=None,
            time=T0 + timedelta(seconds=1),
            phase=Phase.BEFORE_CONSENT,
        ),
        make_flow(
            "https://log.mmstat.com/y",
            seq=3,
            server_ip=None,
            bytes_sent=7,
            phase=Phase.REFUSED,
            time=T0 + timedelta(seconds=3),
        ),
        make_flow("https://www.shop.example/cart", seq=4, server_ip=NAVER_IP, bytes_sent=None),
    ]
    table = CountingTable(TABLE)
    rows = summarise(flows, SHOP, table)
    assert [row.destination.host for row in rows] == ["log.mmstat.com", "www.shop.example"]
    mmstat = rows[0]
    assert (mmstat.flows, mmstat.bytes_sent, mmstat.first_seen) == (3, 57, T0 + timedelta(seconds=1))
    assert mmstat.phases == (Phase.BEFORE_CONSENT, Phase.REFUSED)
    assert mmstat.flow_ids == ("1/1", "1/2", "1/3")
    assert mmstat.flows_by_ip == ((ALIBABA_IP, 2),)
    assert mmstat.destination.party is Party.THIRD and rows[1].destination.party is Party.FIRST
    assert rows[1].bytes_sent == 100 and rows[1].phases == (Phase.ACCEPTED, Phase.UNKNOWN)
    assert sorted(table.hosts).count("log.mmstat.com") == 1  # plus the case's own domains


def test_flows_without_a_name_group_by_address_or_as_unnamed() -> None:
    flows = [
        make_flow(seq=0, host=None, request=None, server_ip="8.8.8.8"),
        make_flow(seq=1, host=None, request=None, server_ip="8.8.8.8"),
        make_flow(seq=2, host=None, request=None, server_ip=None),
    ]
    rows = {row.destination.host: row for row in summarise(flows, SHOP, TABLE)}
    assert rows["8.8.8.8"].flows == 2 and rows["8.8.8.8"].destination.server_countries == ("US",)
    unnamed = rows[UNNAMED].destination
    assert unnamed.party is Party.UNKNOWN and unnamed.organisation is None
    assert "names neither a host nor a server address" in unnamed.attribution


def test_countries_by_server_and_by_organisation() -> None:
    flows = [
        make_flow("https://www.google-analytics.com/g/collect", seq=0, server_ip=GOOGLE_IP),
        make_flow("https://www.google-analytics.com/g/collect", seq=1, server_ip=NAVER_IP),
        make_flow("https://www.google-analytics.com/g/collect", seq=2, server_ip=None),
        make_flow("https://wcs.naver.net/wcslog.js", seq=3, server_ip=NAVER_IP),
        make_flow("https://tracker.example.org/", seq=4, server_ip=ALIBABA_IP),
    ]
    result = [(row.country, row.by, row.flows, row.hosts) for row in countries(summarise(flows, SHOP, TABLE))]
    assert result == [
        ("KR", "server", 2, 2),
        ("CN", "server", 1, 1),
        ("US", "server", 1, 1),
        (None, "server", 1, 1),
        ("US", "organisation", 3, 1),
        ("KR", "organisation", 1, 1),
        (None, "organisation", 1, 1),
    ]
    kr = countries(summarise(flows, SHOP, TABLE))[0]
    assert kr.organisations == ("Google Analytics (Google LLC)", "Naver Analytics (NAVER Corporation)")
    assert kr.as_dict() == {
        "country": "KR",
        "by": "server",
        "flows": 2,
        "hosts": 2,
        "organisations": kr.organisations,
    }


def test_row_as_dict_has_the_listing_columns() -> None:
    row = summarise([make_flow("https://log.mmstat.com/v.gif", server_ip=ALIBABA_IP)], SHOP, TABLE)[0]
    assert isinstance(row, DestinationRow) and isinstance(row.destination, Destination)
    values = row.as_dict()
    assert values["organisation"] == "Alibaba group user-behaviour logging (mmstat)"
    assert values["parent"] == "Alibaba Group Holding Limited" and values["parent_country"] == "KY"
    assert values["organisation_country"] == "CN" and values["server_countries"] == ("CN",)
    assert values["flows"] == 1 and values["party"] is Party.THIRD and values["flow_ids"] == ("1/0",)


def test_data_versions_record_every_data_set() -> None:
    versions = data_versions(TABLE)
    assert set(versions) == {"organisations", "public_suffix_list", "ip_country", "network_owner"}
    assert versions["public_suffix_list"].startswith("publicsuffixlist ")
