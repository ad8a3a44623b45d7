"""Facts about a server address: the country it is registered to, and the network that announces it.

Two offline data sets, each named with its version in every fact it gives:

- `ip_country`: iptocc, built from the five regional internet registries' delegation files. It gives
  the country the address block is *registered* to, which is not where the server stands.
- `network_owner`: geoip2fast's bundled ``geoip2fast-asn-ipv6.dat.gz`` (MaxMind GeoLite2 Country and
  ASN; "This product includes GeoLite2 data created by MaxMind", CC BY-SA 4.0). It gives the name of
  the autonomous system announcing the address, and GeoLite2's own country estimate.

Private, loopback, link-local, carrier-grade NAT, documentation, multicast and other reserved
addresses are never looked up: they say nothing about where data goes ("private address"). Nothing
here guesses: an address the data does not cover is unknown, with the reason.
"""

from __future__ import annotations

import ipaddress
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import version
from importlib.resources import files
from typing import Any

import iptocc

PRIVATE = "private address"
"""Reason given for addresses outside the public internet (RFC 1918, 6598, 5737, 4193, ...)."""

_ASN_DATA = "geoip2fast-asn-ipv6.dat.gz"
_LOCK = threading.Lock()

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class CountryFact:
    """The registration country of one address, or why it is unknown."""

    ip: str
    """The address as given."""
    country: str | None
    """ISO 3166-1 alpha-2 country the address block is registered to; None when unknown."""
    source: str
    """Data set and version that gave (or could not give) the country."""
    reason: str | None = None
    """Why ``country`` is None (``private address``, ``not an IP address``, ``not in the data``)."""


@dataclass(frozen=True, slots=True)
class NetworkFact:
    """The network announcing one address, or why it is unknown."""

    ip: str
    """The address as given."""
    owner: str | None
    """Name of the autonomous system announcing the address (``NAVER Cloud Corp.``); None when unknown."""
    prefix: str | None
    """The announced prefix the address falls in (``223.130.192.0/20``)."""
    located_country: str | None
    """GeoLite2's country estimate for the address: a geolocation guess by MaxMind, not a registration."""
    source: str
    """Data set and date that gave (or could not give) the owner."""
    reason: str | None = None
    """Why ``owner`` is None."""


def parse_ip(text: str) -> IPAddress | None:
    """``text`` as an address (brackets and an IPv6 zone allowed; IPv4-mapped IPv6 unwrapped), or None."""
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def special_range(address: IPAddress) -> bool:
    """True when ``address`` is not a public unicast address (private, reserved, multicast, ...)."""
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
    )


@lru_cache(maxsize=65536)
def ip_country(ip: str) -> CountryFact:
    """Registration country of ``ip`` by the regional internet registries' data (iptocc)."""
    source = _iptocc_source()
    address, reason = _public(ip)
    if address is None:
        return CountryFact(ip, None, source, reason)
    country = iptocc.country_code(address)
    if country is None:
        return CountryFact(ip, None, source, "not in the registries' data")
    return CountryFact(ip, country.upper(), source)


@lru_cache(maxsize=65536)
def network_owner(ip: str) -> NetworkFact:
    """Autonomous-system name announcing ``ip`` by GeoLite2 ASN data (geoip2fast), loaded once."""
    address, reason = _public(ip)
    if address is None:
        return NetworkFact(ip, None, None, None, _asn_source_unloaded(), reason)
    database, source = _geoip()
    result = database.lookup(address)
    owner = str(getattr(result, "asn_name", "") or "").strip() or None
    prefix = str(getattr(result, "asn_cidr", "") or "").strip() or None
    located = str(getattr(result, "country_code", "") or "")
    located_country = located.upper() if len(located) == 2 and located.isalpha() else None
    reason = None if owner else "not in the ASN data"
    return NetworkFact(ip, owner, prefix, located_country, source, reason)


def geo_versions() -> dict[str, str]:
    """The data sets behind `ip_country` and `network_owner`, with versions, for reports to record."""
    return {"ip_country": _iptocc_source(), "network_owner": _geoip()[1]}


@lru_cache(maxsize=65536)
def _public(ip: str) -> tuple[str | None, str | None]:
    """``(address, None)`` for a public unicast address in canonical form, else ``(None, reason)``."""
    address = parse_ip(ip)
    if address is None:
        return None, "not an IP address"
    if special_range(address):
        return None, PRIVATE
    return str(address), None


@cache
def _iptocc_source() -> str:
    return (
        f"iptocc {version('iptocc')}: regional internet registry delegation data "
        "(registration country, not server location)"
    )


def _asn_source_unloaded() -> str:
    return f"geoip2fast {version('geoip2fast')} {_ASN_DATA} (not consulted)"


def _geoip() -> tuple[Any, str]:
    """The geoip2fast database and its description; loaded on first use, once per process."""
    with _LOCK:  # geoip2fast keeps its tables in module globals: load exactly once
        return _load_geoip()


@cache
def _load_geoip() -> tuple[Any, str]:
    from geoip2fast import GeoIP2Fast

    # A full path: given a bare file name, geoip2fast would look in the current directory first.
    path = str(files("geoip2fast").joinpath(_ASN_DATA))
    database = GeoIP2Fast(verbose=False, geoip2fast_data_file=path)
    source_info = str(database.get_database_info().get("source_info", "unknown source"))
    return database, (
        f"geoip2fast {version('geoip2fast')} {_ASN_DATA}: {source_info} "
        "(GeoLite2 data created by MaxMind; network owner by ASN name)"
    )
