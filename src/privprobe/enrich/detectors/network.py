"""IP addresses copied into the content of a flow (``online.ip``).

Every server sees the address a connection comes from; that is not a finding. What this detector
reports is an address written *into* a URL, header or body, where it travels on to whoever receives
the payload (an analytics or advertising endpoint, a server-side forwarder):

- the capturing device's own address (`FieldText.client_ip`, when the evidence records it) wherever
  it appears, with high confidence: the value is known to be the user's;
- any other public IPv4 or IPv6 address under an IP key (``ip``, ``client_ip``, ``ip_address``,
  ``x-forwarded-for``, ...), with lower confidence: it may be the user's, or a server's.

Private, loopback, link-local, carrier-grade NAT and other non-global addresses (RFC 6890 special
registries, as ``ipaddress``'s ``is_global`` reads them) are skipped unless they equal the client's
address. Candidates are found by a loose pattern and confirmed by parsing with ``ipaddress``, so
times (``12:30:45``), MAC addresses and version strings (``1.2.3``) are rejected.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass

from privprobe.enrich.detectors.base import key_matches
from privprobe.plugins import Detection, FieldText

IP_KEYS = frozenset(
    [
        "ip",
        "ipv4",
        "ipv6",
        "ip_address",
        "ipaddress",
        "ip_addr",
        "ipaddr",
        "client_ip",
        "clientip",
        "user_ip",
        "userip",
        "remote_addr",
        "remote_ip",
        "x-forwarded-for",
        "x-real-ip",
        "cip",
        "접속ip",
        "ip地址",
    ]
)

_CANDIDATE = re.compile(
    r"(?<![0-9A-Fa-f:.])(?P<v6>(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{2,39}"
    r"(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?)(?![0-9A-Za-z:]|\.\d)"
    r"|(?<![0-9A-Za-z.])(?P<v4>\d{1,3}(?:\.\d{1,3}){3})(?!\.?\d|[A-Za-z])"
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> Address | None:
    """``text`` as an IP address (IPv4-mapped IPv6 unwrapped), or None."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True, slots=True)
class IpAddressDetector:
    """The client's own address anywhere, and public addresses under IP keys."""

    name: str
    """Short unique name (``ip_address``)."""
    data_type: str = "online.ip"
    """Always ``online.ip``."""
    key_names: frozenset[str] = IP_KEYS
    """Field names under which any public address is reported."""
    confidence_client: float = 0.95
    """The capturing device's own address."""
    confidence_keyed: float = 0.6
    """Another public address under an IP key."""
    trigger: str | None = r"\d\.\d{1,3}\.\d{1,3}\.\d|:[0-9A-Fa-f]*:"
    """Four dotted numbers, or two colons with only hex digits between them (every IPv6 candidate has
    two colons in a run of hex digits and colons)."""

    def detect(self, field: FieldText) -> Iterator[Detection]:
        """Addresses in ``field`` that are the client's own, or public ones under an IP key."""
        client = parse_address(field.client_ip) if field.client_ip else None
        keyed = field.key is not None and key_matches(field.key, self.key_names)
        if not keyed and (client is None or not _may_contain(field.text, client)):
            return
        for match in _CANDIDATE.finditer(field.text):
            address = parse_address(match.group(0))
            if address is None:
                continue
            if address == client:
                why = f"the capturing device's own address ({field.client_ip}) copied into the content"
                yield Detection(match.start(), match.end(), match.group(0), self.confidence_client, why)
            elif keyed and address.is_global:
                why = f"key '{field.key}' and a public IPv{address.version} address"
                yield Detection(match.start(), match.end(), match.group(0), self.confidence_keyed, why)


def _may_contain(text: str, client: Address) -> bool:
    """Cheap test before parsing: the client's address written in text, compressed or in full."""
    if client.version == 4:
        return str(client) in text
    lowered = text.lower()
    return client.compressed in lowered or client.exploded in lowered


IP_ADDRESS = IpAddressDetector(name="ip_address")
