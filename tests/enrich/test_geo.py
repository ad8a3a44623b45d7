"""Server-address facts: registration country (iptocc) and network owner (geoip2fast GeoLite2 ASN).

Expected values were checked against the pinned data sets (iptocc 3.3.170, geoip2fast 1.2.2); a
data update that moves one of these well-known addresses should fail here and be looked at.
"""

from __future__ import annotations

import pytest

from privprobe.enrich.geo import PRIVATE, geo_versions, ip_country, network_owner, parse_ip


@pytest.mark.parametrize(
    ("ip", "country"),
    [
        ("8.8.8.8", "US"),  # Google Public DNS
        ("1.1.1.1", "AU"),  # Cloudflare DNS: the block is APNIC's, registered in Australia
        ("168.126.63.1", "KR"),  # KT's public DNS resolver
        ("223.130.195.95", "KR"),  # NAVER Cloud
        ("140.205.1.1", "CN"),  # Alibaba
        ("2001:4860:4860::8888", "US"),  # Google Public DNS over IPv6
        ("[2606:4700:4700::1111]", "US"),  # bracketed IPv6 literal
        ("::ffff:8.8.8.8", "US"),  # IPv4-mapped IPv6 is looked up as IPv4
    ],
)
def test_registration_country(ip: str, country: str) -> None:
    fact = ip_country(ip)
    assert (fact.ip, fact.country, fact.reason) == (ip, country, None)
    assert fact.source.startswith("iptocc 3.3.170: regional internet registry")
    assert "not server location" in fact.source


@pytest.mark.parametrize(
    "ip",
    [
        "10.0.0.1",  # RFC 1918
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",  # carrier-grade NAT, RFC 6598
        "127.0.0.1",
        "169.254.1.1",  # link-local
        "192.0.2.1",  # documentation, RFC 5737
        "198.51.100.7",
        "224.0.0.251",  # multicast
        "240.0.0.1",  # reserved
        "0.0.0.0",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1%eth0",
        "fd00::1",  # unique local, RFC 4193
        "2001:db8::1",  # documentation, RFC 3849
        "ff02::1",
    ],
)
def test_private_and_reserved_addresses_are_never_looked_up(ip: str) -> None:
    assert (ip_country(ip).country, ip_country(ip).reason) == (None, PRIVATE)
    fact = network_owner(ip)
    assert (fact.owner, fact.located_country, fact.reason) == (None, None, PRIVATE)


@pytest.mark.parametrize("text", ["not-an-ip", "", "999.1.1.1", "shop.example"])
def test_invalid_addresses_are_unknown_with_a_reason(text: str) -> None:
    assert ip_country(text).country is None and ip_country(text).reason == "not an IP address"
    assert network_owner(text).reason == "not an IP address"


@pytest.mark.parametrize(
    ("ip", "owner", "prefix"),
    [
        ("8.8.8.8", "GOOGLE", "8.8.8.0/24"),
        ("223.130.195.95", "NAVER Cloud Corp.", "223.130.192.0/20"),
        ("168.126.63.1", "Korea Telecom", "168.126.32.0/19"),
        ("2606:4700:4700::1111", "CLOUDFLARENET", "2606:4700:4700::/48"),
    ],
)
def test_network_owner(ip: str, owner: str, prefix: str) -> None:
    fact = network_owner(ip)
    assert (fact.owner, fact.prefix, fact.reason) == (owner, prefix, None)
    assert "GeoLite2" in fact.source and "geoip2fast 1.2.2" in fact.source


def test_geolocation_estimate_is_kept_apart_from_registration() -> None:
    # The same Alibaba address: registered in the US, placed in the Philippines by GeoLite2.
    assert ip_country("47.246.0.1").country == "US"
    assert network_owner("47.246.0.1").located_country == "PH"


def test_versions_name_both_data_sets() -> None:
    versions = geo_versions()
    assert versions["ip_country"].startswith("iptocc 3.3.170")
    assert "GeoLite2-CountryASN" in versions["network_owner"] and "20240618" in versions["network_owner"]
    assert "site-packages" not in versions["network_owner"]  # no machine path recorded


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("8.8.8.8", "8.8.8.8"), (" [::1] ", "::1"), ("::ffff:1.2.3.4", "1.2.3.4"), ("x", None)],
)
def test_parse_ip(text: str, parsed: str | None) -> None:
    address = parse_ip(text)
    assert (str(address) if address is not None else None) == parsed
