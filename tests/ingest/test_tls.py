"""The ClientHello parser (SNI, ALPN, ECH, ESNI; across records; hostile input) and TLS flows read
from captures: a hello split over segments, names hidden by ECH/ESNI/DoH never invented."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privprobe.ingest.pcap import PcapReader
from privprobe.ingest.tls import (
    MAX_HELLO_BYTES,
    ClientHello,
    NotClientHello,
    encrypted_dns_note,
    hello_from_records,
    host_name,
    parse_handshake,
)
from privprobe.model import CaptureId, Flow, Transport
from privprobe.plugins import ReadContext
from tests.ingest.pcapgen import (
    SERVER,
    TcpSession,
    client_hello,
    dns_exchange,
    timed,
    tls_records,
    tls_session,
    write_pcap,
)


def read_flows(path: Path) -> list[Flow]:
    return list(PcapReader().read(path, ReadContext(capture=CaptureId(1))))


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (client_hello("shop.example"), ClientHello("shop.example")),
        (client_hello("Shop.Example."), ClientHello("shop.example")),
        (client_hello("a.example", alpn=["h2", "http/1.1"]), ClientHello("a.example", ("h2", "http/1.1"))),
        (client_hello("public.example", ech=True), ClientHello("public.example", ech=True)),
        (client_hello(None, esni=True), ClientHello(None, esni=True)),
        (client_hello("both.example", esni=True), ClientHello("both.example", esni=True)),
        (client_hello(None), ClientHello(None)),
        (client_hello("big.example", padding=3000), ClientHello("big.example")),
    ],
)
def test_client_hello_fields(message: bytes, expected: ClientHello) -> None:
    assert parse_handshake(message) == expected
    assert hello_from_records(tls_records(message)) == expected


def test_notes_say_what_is_hidden_and_offered() -> None:
    notes = ClientHello("public.example", ("h2", "http/1.1"), ech=True, esni=True).notes()
    assert notes[0] == "alpn h2,http/1.1"
    assert "ech" in notes and "esni" in notes
    assert any(note.startswith("ech: outer SNI is the public name, true name hidden") for note in notes)
    assert ClientHello("plain.example").notes() == ()


def test_hello_across_records_and_partial_streams() -> None:
    records = tls_records(client_hello("split.example", padding=500), record_size=100)
    for cut in (0, 3, 5, 104, len(records) - 1):
        assert hello_from_records(records[:cut]) is None, "needs more bytes"
    assert hello_from_records(records) == ClientHello("split.example")
    assert hello_from_records(records + b"\x17\x03\x03\x00\x05hello") == ClientHello("split.example")


@pytest.mark.parametrize(
    "stream",
    [
        b"GET / HTTP/1.1\r\n\r\n",
        b"\x17\x03\x03\x00\x10" + bytes(16),  # application data first
        tls_records(b"\x02\x00\x00\x04abcd"),  # a ServerHello, not a ClientHello
        b"\x16\x03\x01\x00\x00",  # an empty record
    ],
)
def test_not_a_client_hello(stream: bytes) -> None:
    with pytest.raises(NotClientHello):
        hello_from_records(stream)


def test_stream_without_hello_is_given_up_at_the_limit() -> None:
    endless = tls_records(b"\x01\xff\xff\xff" + bytes(MAX_HELLO_BYTES))
    with pytest.raises(NotClientHello):
        hello_from_records(endless[:MAX_HELLO_BYTES])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"Example.COM", "example.com"),
        (b"example.com.", "example.com"),
        (b"10.0.0.1", "10.0.0.1"),
        (b"", None),
        (b"bad name", None),
        (b"caf\xc3\xa9.example", None),
        (b"x" * 300, None),
        (b"nul\x00.example", None),
    ],
)
def test_host_names_are_validated_not_guessed(raw: bytes, expected: str | None) -> None:
    assert host_name(raw) == expected


@pytest.mark.parametrize(
    ("host", "ip", "port", "udp", "expected"),
    [
        ("dns.google", "8.8.4.4", 443, False, "doh"),
        ("mozilla.cloudflare-dns.com", "104.16.248.249", 443, False, "doh"),
        (None, "1.1.1.1", 443, True, "doh"),
        ("dns.google", "8.8.8.8", 853, False, "dot"),
        ("dns.adguard-dns.com", "94.140.14.14", 853, True, "doq"),
        ("shop.example", "203.0.113.7", 443, False, None),
        (None, None, 443, False, None),
    ],
)
def test_encrypted_dns_resolvers(
    host: str | None, ip: str | None, port: int, udp: bool, expected: str | None
) -> None:
    note = encrypted_dns_note(host, ip, port, udp=udp)
    assert (note.split(":")[0] if note else None) == expected


@given(st.binary(max_size=600))
def test_hostile_bytes_raise_only_not_client_hello(data: bytes) -> None:
    for attempt in (lambda: hello_from_records(data), lambda: parse_handshake(data),
                    lambda: hello_from_records(b"\x16\x03\x01" + len(data).to_bytes(2) + data)):  # fmt: skip
        with contextlib.suppress(NotClientHello):
            attempt()


@given(st.integers(min_value=0, max_value=400))
def test_truncated_hellos_never_crash(cut: int) -> None:
    message = client_hello("cut.example", alpn=["h2"], ech=True)
    try:
        result = parse_handshake(message[:4] + message[4 : 4 + cut])
    except NotClientHello:
        return
    assert result.sni in (None, "cut.example")


# --- TLS flows in captures ---------------------------------------------------------------------


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (0, 0, 1, 2)], ids=str)
def test_tls_sni_split_across_three_segments(tmp_path: Path, order: tuple[int, ...]) -> None:
    session = TcpSession()
    handshake = session.handshake()
    records = tls_records(client_hello("split.example", padding=600))
    segments = session.send(records, sizes=[5, 300])  # record header, then the hello in two
    packets = handshake + [segments[i] for i in order] + session.close()
    [flow] = read_flows(write_pcap(tmp_path / "s.pcap", timed(packets)))
    assert (flow.host, flow.name_source) == ("split.example", "tls-sni")


@pytest.mark.parametrize(
    ("hello", "host", "source", "notes"),
    [
        (client_hello("public.example", ech=True), "public.example", "tls-sni", {"ech"}),
        (client_hello("named.example", esni=True), "named.example", "tls-sni", {"esni"}),
        (client_hello(None, esni=True), "resolved.example", "dns", {"esni"}),
        (client_hello(None), "resolved.example", "dns", set()),
    ],
)
def test_hidden_names_are_not_invented(
    tmp_path: Path, hello: bytes, host: str, source: str, notes: set[str]
) -> None:
    session = TcpSession()
    packets = (
        dns_exchange("resolved.example", [SERVER]) + session.handshake() + session.send(tls_records(hello))
    )
    flows = read_flows(write_pcap(tmp_path / "h.pcap", timed(packets)))
    assert (flows[-1].host, flows[-1].name_source) == (host, source)
    assert notes <= set(flows[-1].notes)
    if "ech" in notes:
        assert any(
            n.startswith("ech: outer SNI is the public name, true name hidden") for n in flows[-1].notes
        )


def test_esni_without_dns_has_no_host(tmp_path: Path) -> None:
    session = TcpSession()
    packets = session.handshake() + session.send(tls_records(client_hello(None, esni=True)))
    [flow] = read_flows(write_pcap(tmp_path / "e.pcap", timed(packets)))
    assert (flow.host, flow.name_source, flow.transport) == (None, None, Transport.TLS)


@pytest.mark.parametrize(
    ("host", "server", "port", "note"),
    [
        ("dns.google", "8.8.8.8", 443, "doh"),
        (None, "1.1.1.1", 443, "doh"),
        ("dns.google", "8.8.4.4", 853, "dot"),
    ],
)
def test_encrypted_dns_is_noted(tmp_path: Path, host: str | None, server: str, port: int, note: str) -> None:
    [flow] = read_flows(
        write_pcap(tmp_path / "doh.pcap", timed(tls_session(host, server=server, sport=port)))
    )
    assert flow.host == host and f"{note}: DNS queries inside, names not visible" in flow.notes
