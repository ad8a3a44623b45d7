"""PcapReader on generated captures: formats, link types, naming, HTTP, QUIC, faults."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privprobe.errors import ReadError
from privprobe.ingest import pcap
from privprobe.ingest.pcap import PcapReader
from privprobe.model import CaptureId, Flow, Phase, Transport
from privprobe.plugins import ReadContext
from tests.ingest.pcapgen import (
    ACK,
    CLIENT,
    RESOLVER,
    SERVER,
    SYN,
    T0,
    TcpSession,
    Timed,
    client_hello,
    dns_exchange,
    dns_query,
    dns_response,
    http_request,
    http_response,
    tcp,
    timed,
    tls_records,
    tls_session,
    udp,
    write_pcap,
    write_pcapng,
)

READER = PcapReader()


def read(path: Path) -> tuple[list[Flow], ReadContext]:
    context = ReadContext(capture=CaptureId(3), phase=Phase.ACCEPTED)
    return list(READER.read(path, context)), context


# --- formats --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nano", "big_endian", "magic"),
    [
        (False, False, "d4c3b2a1"),
        (True, False, "4d3cb2a1"),
        (False, True, "a1b2c3d4"),
        (True, True, "a1b23c4d"),
    ],
)
def test_pcap_magic_variants(tmp_path: Path, nano: bool, big_endian: bool, magic: str) -> None:
    path = write_pcap(
        tmp_path / "x.bin", timed(tls_session(), start=T0 + 0.123456), nano=nano, big_endian=big_endian
    )
    assert path.read_bytes()[:4].hex() == magic
    assert READER.sniff(path.read_bytes()[:64], path)
    flows, context = read(path)
    assert context.format == "pcap"
    assert [(f.host, f.time) for f in flows] == [
        ("shop.example", datetime(2024, 3, 4, 5, 6, 7, 123456, tzinfo=UTC))
    ]


def test_pcapng_is_sniffed_by_magic_not_extension(tmp_path: Path) -> None:
    path = write_pcapng(tmp_path / "dns.pcap", [(t, p, 0) for t, p in timed(tls_session())], [1])
    assert READER.sniff(path.read_bytes()[:64], path)
    flows, context = read(path)
    assert context.format == "pcapng" and flows[0].host == "shop.example"


@pytest.mark.parametrize("head", [b"", b"\x00" * 24, b"GET / HTTP/1.1\r\n", b"\x0a\x0d\x0d"])
def test_sniff_refuses_other_files(head: bytes) -> None:
    assert not READER.sniff(head, Path("capture.pcap"))


LINK_CASES = [(lt, fam) for lt in (0, 1, 12, 14, 101, 108, 113, 276) for fam in ("ipv4", "ipv6")]


@pytest.mark.parametrize(("linktype", "family"), [*LINK_CASES, (228, "ipv4"), (229, "ipv6")])
def test_link_types(tmp_path: Path, linktype: int, family: str) -> None:
    client, server = (
        ("192.168.1.10", "203.0.113.7") if family == "ipv4" else ("2001:db8::10", "2001:db8:1::7")
    )
    flows, _ = read(
        write_pcap(tmp_path / "x.pcap", timed(tls_session(client=client, server=server)), linktype=linktype)
    )
    assert [(f.host, f.client_ip, f.server_ip, f.server_port) for f in flows] == [
        ("shop.example", client, server, 443)
    ]


@pytest.mark.parametrize(
    "header",
    [
        struct.pack(">HH", 0x8100, 785) + b"\x08\x00",  # 802.1Q
        struct.pack(">HHHH", 0x88A8, 10, 0x8100, 20) + b"\x08\x00",  # 802.1ad, stacked
        b"\x88\x64" + struct.pack(">BBHH", 0x11, 0, 1, 0) + b"\x00\x21",  # PPPoE session, PPP IPv4
    ],
    ids=["vlan", "qinq", "pppoe"],
)
def test_ethernet_encapsulations(tmp_path: Path, header: bytes) -> None:
    import dpkt

    path = tmp_path / "tagged.pcap"
    with path.open("wb") as handle:
        writer = dpkt.pcap.Writer(handle, snaplen=65535)
        for ts, packet in timed(tls_session()):
            writer.writepkt(b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" + header + packet, ts=ts)
    assert [f.host for f in read(path)[0]] == ["shop.example"]


def test_pcapng_interfaces_of_different_link_types(tmp_path: Path) -> None:
    over_wifi = timed(tls_session("a.example", cport=50001))
    over_cell = timed(tls_session("b.example", cport=50002), start=T0 + 0.0005)
    packets = sorted([(t, p, 0) for t, p in over_wifi] + [(t, p, 1) for t, p in over_cell])
    flows, context = read(write_pcapng(tmp_path / "multi.pcapng", packets, [1, 113]))
    assert context.format == "pcapng"
    assert sorted(f.host for f in flows if f.host) == ["a.example", "b.example"]


def test_unknown_link_type_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "wifi.pcap"
    path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 127))
    with pytest.raises(
        ReadError, match=r"file header: link type 127 is not supported \(supported: .*Ethernet \(1\)"
    ):
        read(path)


# --- faults -----------------------------------------------------------------------------------


def test_truncated_final_record_keeps_earlier_flows(tmp_path: Path) -> None:
    packets = timed(dns_exchange("early.example", ["198.51.100.1"]) + tls_session())
    path = write_pcap(tmp_path / "cut.pcap", packets)
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    flows: list[Flow] = []
    with pytest.raises(ReadError) as error:
        flows.extend(READER.read(path, ReadContext(capture=CaptureId(1))))
    last_record = len(data) - 16 - len(packets[-1][1]) - 14
    assert error.value.position == f"packet {len(packets)} at byte {last_record}"
    assert "truncated record" in str(error.value) and "\n" not in str(error.value)
    assert [f.host for f in flows] == ["early.example", "shop.example"], "done and open flows come first"


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (b"\x00" * 7, "packet 1 at byte 24: truncated record header: 7 of 16 bytes"),
        (b"garbage!" * 4, "packet 1 at byte 24: impossible captured length"),
        (
            struct.pack("<IIII", 0, 0, 0x7FFFFFFF, 0x7FFFFFFF),
            "packet 1 at byte 24: impossible captured length",
        ),
    ],
)
def test_garbage_after_header(tmp_path: Path, tail: bytes, message: str) -> None:
    path = write_pcap(tmp_path / "g.pcap", [])
    path.write_bytes(path.read_bytes() + tail)
    with pytest.raises(ReadError, match=message):
        read(path)


def test_corrupt_pcapng_block(tmp_path: Path) -> None:
    packets = timed(tls_session())
    path = write_pcapng(tmp_path / "c.pcapng", [(t, p, 0) for t, p in packets], [1])
    data = bytearray(path.read_bytes())
    data[-4:] = b"\xff\xff\x00\x00"  # the last block's trailing length
    path.write_bytes(bytes(data))
    flows: list[Flow] = []
    position = rf"packet {len(packets)} at byte {len(data) - 88}"
    with pytest.raises(
        ReadError, match=position + ": corrupt block: length 88 at its start, 65535 at its end"
    ):
        flows.extend(READER.read(path, ReadContext(capture=CaptureId(1))))
    assert [f.host for f in flows] == ["shop.example"]


def test_empty_capture_has_no_flows(tmp_path: Path) -> None:
    assert read(write_pcap(tmp_path / "empty.pcap", [])) == (
        [],
        read(write_pcap(tmp_path / "e2.pcap", []))[1],
    )


# --- flows --------------------------------------------------------------------------------------


def test_flow_fields(tmp_path: Path) -> None:
    hello = tls_records(client_hello("shop.example", alpn=["h2", "http/1.1"]))
    [flow] = read(write_pcap(tmp_path / "t.pcap", timed(tls_session())))[0]
    assert (flow.capture, flow.seq, flow.phase, flow.position) == (3, 0, Phase.ACCEPTED, "packet 1")
    assert flow.time == datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert (flow.transport, flow.host, flow.name_source) == (Transport.TLS, "shop.example", "tls-sni")
    assert (flow.client_ip, flow.server_ip, flow.server_port) == (CLIENT, SERVER, 443)
    assert (flow.bytes_sent, flow.bytes_received) == (len(hello), 500)
    assert flow.notes == ("alpn h2,http/1.1",)
    assert flow.request is None and flow.response is None


def test_dns_transactions_and_the_name_map(tmp_path: Path) -> None:
    plain = TcpSession(sport=5222)
    packets = dns_exchange("first.example", ["198.51.100.9"], qid=1)
    packets += dns_exchange("second.example", ["198.51.100.9", "2001:db8::9"], qid=2, port=40001)
    packets += [udp(CLIENT, RESOLVER, 40002, 53, dns_query("nobody.example", 3))]
    plain.server = "198.51.100.9"
    packets += plain.handshake() + plain.send(b"\x00\x01binary") + plain.close()
    packets.append(udp(CLIENT, "198.51.100.77", 40003, 9999, b"unknown"))
    flows = read(write_pcap(tmp_path / "d.pcap", timed(packets)))[0]
    by_host = {f.host: f for f in flows if f.transport is Transport.DNS}
    first = by_host["first.example"]
    assert (first.transport, first.name_source, first.server_ip, first.server_port) == (
        Transport.DNS,
        "dns",
        RESOLVER,
        53,
    )
    assert first.notes == ("A 198.51.100.9",) and first.bytes_sent and first.bytes_received
    assert by_host["second.example"].notes == ("A 198.51.100.9", "AAAA 2001:db8::9")
    assert by_host["nobody.example"].notes == ("no response seen",)
    tcp_flow = next(f for f in flows if f.server_port == 5222)
    assert (tcp_flow.host, tcp_flow.name_source, tcp_flow.transport) == (
        "second.example",
        "dns",
        Transport.TCP,
    )
    unknown = next(f for f in flows if f.server_port == 9999)
    assert (unknown.host, unknown.name_source, unknown.transport) == (None, None, Transport.UDP)


def test_http_requests_with_bodies_and_responses(tmp_path: Path) -> None:
    session = TcpSession(sport=8080)
    body = b'{"email": "user@example.com"}' * 10
    post = http_request("POST", "/api/track?x=1", "track.example:8080", [("Cookie", "uid=42; s=abc")], body)
    packets = session.handshake() + session.send(post, sizes=[40, 100, 7])
    packets += session.send(
        b"HTTP/1.1 100 Continue\r\n\r\n" + http_response(201, b"{}", "application/json"), from_client=False
    )
    packets += session.send(http_request("GET", "/next", "track.example:8080"))
    packets += session.send(http_response(200, b"x" * 300), from_client=False) + session.close()
    first, second = read(write_pcap(tmp_path / "h.pcap", timed(packets)))[0]
    assert (first.transport, first.host, first.name_source, first.position) == (
        Transport.HTTP,
        "track.example",
        "http-host",
        "packet 4",
    )
    request = first.request
    assert request is not None and first.response is not None
    assert (request.method, request.url, request.http_version) == (
        "POST",
        "http://track.example:8080/api/track?x=1",
        "HTTP/1.1",
    )
    assert request.cookies == (("uid", "42"), ("s", "abc"))
    assert (request.body, request.body_size, request.body_truncated) == (body, len(body), False)
    assert (first.response.status, first.response.content_type, first.bytes_sent) == (
        201,
        "application/json",
        len(post),
    )
    assert second.request is not None and second.request.url == "http://track.example:8080/next"
    assert second.response is not None and second.response.status == 200 and second.bytes_received > 300


def test_http_chunked_body_and_absolute_form(tmp_path: Path) -> None:
    session = TcpSession(sport=80)
    chunked = (
        b"POST http://proxy.example/up HTTP/1.1\r\nHost: proxy.example\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunked += b"5\r\nhello\r\n0\r\n\r\n"
    packets = session.handshake() + session.send(
        chunked + http_request("GET", "/", "other.example"), sizes=[60]
    )
    first, second = read(write_pcap(tmp_path / "c.pcap", timed(packets)))[0]
    assert first.request is not None and first.request.url == "http://proxy.example/up"
    assert first.request.body == b"5\r\nhello\r\n0\r\n\r\n" and first.name_source == "url"
    assert "body chunked, kept as sent" in first.notes
    assert second.host == "other.example"


def test_http_without_host_header_uses_the_address(tmp_path: Path) -> None:
    session = TcpSession(sport=9099)
    packets = session.handshake() + session.send(b"GET /x HTTP/1.0\r\n\r\n")
    [flow] = read(write_pcap(tmp_path / "n.pcap", timed(packets)))[0]
    assert flow.request is not None and flow.request.url == f"http://{SERVER}:9099/x"
    assert (flow.host, flow.name_source) == (None, None)


def test_idle_conversations_are_emitted_in_time(tmp_path: Path) -> None:
    early = timed(tls_session("idle.example")[:4])  # never closed
    later = timed(tls_session("later.example", cport=50009), start=T0 + 121)
    tail = timed([udp(CLIENT, SERVER, 50100, 9000, b"x")], start=T0 + 300)
    flows = read(write_pcap(tmp_path / "i.pcap", early + later + tail))[0]
    assert [f.host for f in flows] == ["idle.example", "later.example", None]
    assert [f.seq for f in flows] == [0, 1, 2]


def test_reset_and_port_reuse(tmp_path: Path) -> None:
    first = TcpSession()
    packets = first.handshake() + first.send(tls_records(client_hello("one.example"))) + first.close(rst=True)
    again = TcpSession(cseq=90000)
    packets += again.handshake() + again.send(tls_records(client_hello("two.example")))
    assert [f.host for f in read(write_pcap(tmp_path / "r.pcap", timed(packets)))[0]] == [
        "one.example",
        "two.example",
    ]


def test_capture_starting_mid_connection(tmp_path: Path) -> None:
    session = TcpSession()
    packets = session.send(b"y" * 100, from_client=False) + session.send(b"z" * 10)
    packets.append(tcp(CLIENT, SERVER, 50000, 443, ACK, 1, 1))
    [flow] = read(write_pcap(tmp_path / "m.pcap", timed(packets)))[0]
    assert (flow.client_ip, flow.server_port, flow.bytes_sent, flow.bytes_received) == (CLIENT, 443, 10, 100)
    assert flow.position == "packet 1"


def test_stray_tcp_packets_make_no_flow(tmp_path: Path) -> None:
    packets = [tcp(CLIENT, SERVER, 50000, 443, ACK, 5, 5), tcp(SERVER, CLIENT, 443, 50000, ACK | 1, 5, 5)]
    assert read(write_pcap(tmp_path / "a.pcap", timed(packets)))[0] == []


def test_fragments_and_other_protocols_are_counted(tmp_path: Path) -> None:
    from tests.ingest.pcapgen import ip_packet

    packets = [
        ip_packet(CLIENT, SERVER, 17, b"\x00" * 16, fragment=0x2000),
        ip_packet(CLIENT, SERVER, 1, b"\x08\x00ping"),
    ]
    flows, context = read(write_pcap(tmp_path / "f.pcap", timed(packets)))
    assert flows == []
    assert context.warnings == ["1 IP fragments not reassembled (their payload is in no flow)",
                                "1 IP packets neither TCP nor UDP (ICMP, IGMP, ...)"]  # fmt: skip


def test_flow_table_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pcap, "MAX_OPEN", 3)
    packets = [tcp(CLIENT, SERVER, 50000 + i, 443, SYN, 1) for i in range(5)]
    flows = read(write_pcap(tmp_path / "b.pcap", timed(packets)))[0]
    assert len(flows) == 5
    assert [("emitted early: flow table full" in f.notes) for f in flows] == [True, True, False, False, False]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from([53, 80, 443, 8080, 5353]), st.binary(max_size=300)), max_size=12))
def test_hostile_payloads_never_crash(tmp_path: Path, payloads: list[tuple[int, bytes]]) -> None:
    packets: list[bytes] = []
    for index, (port, payload) in enumerate(payloads):
        session = TcpSession(cport=40000 + index, sport=port)
        packets += session.handshake() + session.send(payload) if payload else session.handshake()
        packets += [
            udp(CLIENT, SERVER, 41000 + index, port, payload),
            udp(SERVER, CLIENT, port, 41000 + index, payload),
        ]
    flows = read(write_pcap(tmp_path / "fuzz.pcap", timed(packets)))[0]
    assert [f.seq for f in flows] == list(range(len(flows)))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=200))
def test_hostile_files_raise_only_read_error(tmp_path: Path, garbage: bytes, keep: int) -> None:
    packets: list[Timed] = timed(tls_session())
    for suffix, make in ((".pcap", lambda p: write_pcap(p, packets)),
                         (".pcapng", lambda p: write_pcapng(p, [(t, b, 0) for t, b in packets], [1]))):  # fmt: skip
        path = make(tmp_path / f"h{suffix}")
        data = path.read_bytes()
        path.write_bytes(data[: 24 + keep] + garbage)
        try:
            read(path)
        except ReadError as error:
            assert "\n" not in str(error)


def test_pcapng_resolution_application_and_simple_blocks(tmp_path: Path) -> None:
    import dpkt

    from tests.ingest.pcapgen import frame

    shb = dpkt.pcapng.SectionHeaderBlockLE(opts=[dpkt.pcapng.PcapngOptionLE(code=4, data=b"Dumpcap (Wireshark) 4.2"),
                                                 dpkt.pcapng.PcapngOptionLE(code=0)])  # fmt: skip
    nanos = dpkt.pcapng.InterfaceDescriptionBlockLE(linktype=1, snaplen=65535, opts=[
        dpkt.pcapng.PcapngOptionLE(code=9, data=b"\x09"), dpkt.pcapng.PcapngOptionLE(code=0)])  # fmt: skip
    path = tmp_path / "ns.pcapng"
    packets = tls_session()
    with path.open("wb") as handle:
        writer = dpkt.pcapng.Writer(handle, shb=shb, idb=[nanos])
        ns = 1_709_528_767_000_001_999
        writer.writepkt(
            dpkt.pcapng.EnhancedPacketBlockLE(
                pkt_data=frame(1, packets[0]), ts_high=ns >> 32, ts_low=ns & 0xFFFFFFFF
            )
        )
        for packet in packets[1:]:  # Simple Packet Blocks: interface 0, no timestamp (pcapng §4.4)
            data = frame(1, packet)
            padded = data + bytes(-len(data) % 4)
            handle.write(
                struct.pack("<III", 3, 16 + len(padded), len(data))
                + padded
                + struct.pack("<I", 16 + len(padded))
            )
    context = ReadContext(capture=CaptureId(1))
    [flow] = list(READER.read(path, context))
    assert flow.host == "shop.example" and flow.time == datetime(2024, 3, 4, 5, 6, 7, 1, tzinfo=UTC)
    assert context.device == "Dumpcap (Wireshark) 4.2"


def test_stream_start_orders_bytes() -> None:
    from privprobe.ingest.packets import StreamStart

    top = 0xFFFFFFFF - 2  # three bytes before the sequence number wraps
    stream = StreamStart(top)
    assert stream.add(top + 5 - 2**32, b"fgh") == b""  # early: waits
    assert stream.add(top, b"abc") == b"abc"
    assert stream.add(top + 1, b"bcde") == b"de" + b"fgh"  # a retransmission with two new bytes
    assert stream.add(top + 2, b"c") == b""
    budget = [10]
    lossy = StreamStart(100, budget)
    assert lossy.add(150, b"x" * 8) == b"" and budget == [2]
    assert lossy.add(160, b"y" * 8) == b"x" * 8, "over budget: the gap is skipped"
    assert lossy.gaps == 1 and lossy.next_seq == 158
    lossy.release()
    assert budget == [10]


def test_dns_over_tcp(tmp_path: Path) -> None:
    session = TcpSession(server=RESOLVER, sport=53)
    query, answer = dns_query("tcp.example", 5), dns_response("tcp.example", 5, ["198.51.100.5"])
    prefixed = len(query).to_bytes(2) + query
    packets = session.handshake() + session.send(prefixed, sizes=[1, 10])
    packets += session.send(len(answer).to_bytes(2) + answer, from_client=False) + session.close()
    [flow] = read(write_pcap(tmp_path / "t.pcap", timed(packets)))[0]
    assert (flow.transport, flow.host, flow.notes) == (Transport.DNS, "tcp.example", ("A 198.51.100.5",))
