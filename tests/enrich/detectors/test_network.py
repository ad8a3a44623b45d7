"""IP addresses in content: the client's own address anywhere, public addresses under IP keys."""

from __future__ import annotations

import pytest

from privprobe.enrich.detectors.network import IP_ADDRESS
from tests.enrich.detectors import detect, values

CLIENT_V4 = "198.51.100.7"  # documentation range (RFC 5737): stands for the capturing device
CLIENT_V6 = "2001:db8:85a3::8a2e:370:7334"  # documentation range (RFC 3849)
# Public addresses of well-known resolvers stand for "some public address": they are nobody's.
PUBLIC_V4, PUBLIC_V6 = "8.8.8.8", "2606:4700:4700::1111"


@pytest.mark.parametrize(
    ("text", "key", "client", "value", "confidence"),
    [
        (f"ua=x&ip={CLIENT_V4}&t=1", None, CLIENT_V4, CLIENT_V4, 0.95),
        (CLIENT_V4, "client_ip", CLIENT_V4, CLIENT_V4, 0.95),
        (f'{{"addr":"{CLIENT_V6}"}}', None, CLIENT_V6, CLIENT_V6, 0.95),
        (
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            None,
            CLIENT_V6,
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            0.95,
        ),
        ("192.168.0.10", None, "192.168.0.10", "192.168.0.10", 0.95),  # private, but the client's own
        (f"::ffff:{CLIENT_V4}", "ip", CLIENT_V4, f"::ffff:{CLIENT_V4}", 0.95),  # IPv4-mapped
        (PUBLIC_V4, "ip", None, PUBLIC_V4, 0.6),
        (PUBLIC_V4, "ipAddress", CLIENT_V4, PUBLIC_V4, 0.6),
        (PUBLIC_V6, "ipv6", None, PUBLIC_V6, 0.6),
        (f"[{PUBLIC_V6}]:443", "remote_addr", None, PUBLIC_V6, 0.6),
        (f"{PUBLIC_V4}:8080", "ip", None, PUBLIC_V4, 0.6),
    ],
)
def test_ip_found(text: str, key: str | None, client: str | None, value: str, confidence: float) -> None:
    [found] = detect(IP_ADDRESS, text, key, client_ip=client)
    assert (found.value, found.confidence) == (value, confidence)
    assert text[found.start : found.end] == value


def test_explanations() -> None:
    [own] = detect(IP_ADDRESS, f"ip={CLIENT_V4}", None, client_ip=CLIENT_V4)
    assert own.explanation == f"the capturing device's own address ({CLIENT_V4}) copied into the content"
    [other] = detect(IP_ADDRESS, PUBLIC_V4, "x-forwarded-for")
    assert other.explanation == "key 'x-forwarded-for' and a public IPv4 address"


def test_a_forwarded_for_list_gives_each_public_address() -> None:
    text = f"{PUBLIC_V4}, 10.0.0.1, 1.1.1.1"
    assert values(IP_ADDRESS, text, "X-Forwarded-For") == [PUBLIC_V4, "1.1.1.1"]


@pytest.mark.parametrize(
    ("text", "key", "client"),
    [
        (PUBLIC_V4, None, None),  # a public address without key: a server's, a CDN's
        (PUBLIC_V4, None, CLIENT_V4),
        ("10.0.0.1", "ip", None),  # private
        ("192.168.1.20", "ip", CLIENT_V4),
        ("127.0.0.1", "ip", None),  # loopback
        ("169.254.1.1", "ip", None),  # link-local
        ("100.64.1.1", "ip", None),  # carrier-grade NAT
        ("fe80::1", "ip", None),
        ("::1", "ip", None),
        ("203.0.113.9", "ip", None),  # documentation range: not global
        (f"{CLIENT_V4}0", None, CLIENT_V4),  # 198.51.100.70 is another address
        (f"1{CLIENT_V4}", None, CLIENT_V4),
        ("1.2.3", "ip", None),  # a version
        ("1.2.3.4.5", "ip", None),
        ("999.1.1.1", "ip", None),
        ("12:30:45", "ip", None),  # a time
        ("a4:83:e7:12:34:56", "ip", None),  # a MAC
        ("v8.8.8.8", "ip", None),
        (PUBLIC_V4, "zip", None),  # 'ip' inside a word is no key
        (PUBLIC_V4, "description", None),
    ],
)
def test_ip_not_found(text: str, key: str | None, client: str | None) -> None:
    assert values(IP_ADDRESS, text, key, client_ip=client) == []
