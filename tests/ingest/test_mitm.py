"""The mitmproxy dump reader, on dumps written here by mitmproxy's own FlowWriter.

Flows are built with mitmproxy's test builders (``mitmproxy.test.tflow``, part of the installed
package) and changed where a test needs it. Sniffing and the missing-extra error need no mitmproxy.
"""

from __future__ import annotations

import builtins
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from privprobe.errors import InputError, MissingExtra, ReadError
from privprobe.ingest import open_reader
from privprobe.ingest.http import MAX_BODY_BYTES
from privprobe.ingest.mitm import MitmReader
from privprobe.model import CaptureId, CaptureKind, Flow, Phase, Transport
from privprobe.plugins import ReadContext, Registry

KOREAN_JSON = json.dumps({"email": "kim@example.kr", "name": "김민수"}, ensure_ascii=False).encode()


@pytest.fixture
def mitm() -> Any:
    """mitmproxy's test builders; tests using them skip when the mitm extra is absent."""
    pytest.importorskip("mitmproxy")
    from mitmproxy.test import tflow

    return tflow


def write_dump(path: Path, flows: list[Any]) -> Path:
    from mitmproxy.io import FlowWriter

    with path.open("wb") as handle:
        writer = FlowWriter(handle)
        for flow in flows:
            writer.add(flow)
    return path


def write_sample_dump(path: Path) -> Path:
    """A dump of each kind of flow: an HTTPS POST, a websocket, a failed request, TCP and DNS.

    Also the mitm fixture of the reader contract test (tests/ingest/test_reader_contract.py).
    """
    from mitmproxy.test import tflow

    flows = [shop_post(tflow), tflow.tflow(resp=True, ws=True), tflow.tflow(err=True)]
    return write_dump(path, [*flows, tflow.ttcpflow(), tflow.tdnsflow(resp=True)])


def read(path: Path, phase: Phase = Phase.UNKNOWN) -> tuple[list[Flow], ReadContext]:
    context = ReadContext(CaptureId(7), phase=phase)
    return list(MitmReader().read(path, context)), context


def shop_post(tflow: Any) -> Any:
    """A TLS POST of JSON with Korean text and cookies to shop.example, answered 201."""
    from mitmproxy import http

    request = http.Request.make(
        "POST",
        "https://shop.example/api/signup?ref=banner&lang=ko",
        KOREAN_JSON,
        [
            (b"Host", b"shop.example"),
            (b"Cookie", b"sid=abc123; consent=no"),
            (b"Content-Type", b"application/json; charset=utf-8"),
            (b"X-Dup", b"1"),
            (b"x-dup", b"2"),
        ],
    )
    request.timestamp_start = 1_700_000_000.25
    response = http.Response.make(201, b'{"ok":true}', {"Content-Type": "Application/JSON; charset=utf-8"})
    response.reason = "Created"
    flow = tflow.tflow(req=request, resp=response)
    flow.client_conn.peername = ("::ffff:10.0.0.5", 50123, 0, 0)
    flow.client_conn.tls = True
    flow.client_conn.sni = "shop.example"
    flow.server_conn.peername = ("203.0.113.9", 443)
    flow.server_conn.address = ("shop.example", 443)
    return flow


# --- sniffing: no mitmproxy needed ----------------------------------------------------------------

SNIFF_CASES = [
    (b"3408:7:version;2:11#", True),
    (b"2140:5:error,0:~8:response,", True),  # a 0.10-era dump: keys are tnetstring bytes
    (b"16:4:type;4:http;0:~}", False),  # the 16 bytes announced do not end at the '}'
    (b"17:4:type;4:http;0:~}", True),
    (b'{"log": {"entries": []}}', False),  # HAR
    (b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00", False),  # pcap
    (b"\x0a\x0d\x0d\x0a", False),  # pcapng
    (b"12:hello world,", False),  # a tnetstring, but a string, not a dict
    (b"3408:7:vers;", False),  # key length does not match
    (b"0042:7:version;", False),  # tnetstrings forbid leading zeros
    (b"1234 lines of text: hello", False),
    (b"", False),
]


@pytest.mark.parametrize(("head", "expected"), SNIFF_CASES)
def test_sniff(head: bytes, expected: bool) -> None:
    assert MitmReader().sniff(head, Path("x.bin")) is expected


def test_sniff_ignores_the_extension() -> None:
    assert not MitmReader().sniff(b"not a dump at all", Path("capture.mitm"))


def test_sniff_and_missing_extra_without_mitmproxy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real_import = builtins.__import__

    def no_mitmproxy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "mitmproxy" or name.startswith("mitmproxy."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    for module in [name for name in sys.modules if name == "mitmproxy" or name.startswith("mitmproxy.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setattr(builtins, "__import__", no_mitmproxy)
    dump = tmp_path / "flows.mitm"
    dump.write_bytes(b"17:4:type;4:http;0:~}")

    assert MitmReader().sniff(dump.read_bytes(), dump)
    with pytest.raises(MissingExtra) as raised:
        MitmReader().read(dump, ReadContext(CaptureId(1)))
    assert str(raised.value) == (
        "flows.mitm: reading mitmproxy dumps needs the mitm extra: pip install 'privprobe[mitm]'"
    )


# --- reading --------------------------------------------------------------------------------------


def test_reader_identity() -> None:
    reader = MitmReader()
    assert (reader.name, reader.version, reader.kind) == ("mitm", "1", CaptureKind.MITM)


def test_http_flow_maps_every_field(mitm: Any, tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "shop.mitm", [shop_post(mitm)])

    (flow,), context = read(dump, Phase.REFUSED)

    assert (flow.capture, flow.seq, flow.position) == (7, 0, "flow 0, byte 0")
    assert flow.id == "7/0"
    assert flow.transport is Transport.HTTP
    assert flow.phase is Phase.REFUSED
    assert flow.time == datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=UTC)
    assert (flow.host, flow.name_source) == ("shop.example", "tls-sni")
    assert (flow.server_ip, flow.server_port, flow.client_ip) == ("203.0.113.9", 443, "10.0.0.5")
    request = flow.request
    assert request is not None
    assert request.method == "POST"
    assert request.url == "https://shop.example/api/signup?ref=banner&lang=ko"
    assert request.http_version == "HTTP/1.1"
    assert request.headers[:2] == (("Host", "shop.example"), ("Cookie", "sid=abc123; consent=no"))
    assert [value for name, value in request.headers if name.lower() == "x-dup"] == ["1", "2"]
    assert request.cookies == (("sid", "abc123"), ("consent", "no"))
    assert request.body == KOREAN_JSON
    assert "김민수" in request.body.decode()
    assert (request.body_size, request.body_truncated) == (len(KOREAN_JSON), False)
    response = flow.response
    assert response is not None
    assert (response.status, response.reason, response.http_version) == (201, "Created", "HTTP/1.1")
    assert response.header("content-type") == "Application/JSON; charset=utf-8"
    assert (response.body_size, response.content_type) == (11, "application/json")
    assert flow.bytes_sent is not None and flow.bytes_sent > len(KOREAN_JSON) + 100
    assert flow.bytes_received is not None and flow.bytes_received > 11
    assert flow.notes == ()
    assert (context.device, context.format) == ("mitmproxy (flow format 21)", "mitm")


def test_plain_http_names_the_host_by_its_host_header(mitm: Any, tmp_path: Path) -> None:
    flow = mitm.tflow(resp=True)
    flow.request.headers["Host"] = "tracker.example:8080"
    flow.server_conn.sni = "ignored.example"  # old dumps fill sni in even without TLS
    dump = write_dump(tmp_path / "plain.mitm", [flow, mitm.tflow(resp=True)])

    first, second = read(dump)[0]

    assert (first.host, first.name_source) == ("tracker.example", "http-host")
    assert (second.host, second.name_source) == ("address", "url")
    assert second.request is not None and second.request.url == "http://address:22/path"


def test_reverse_proxy_sni_names_the_upstream_host(mitm: Any, tmp_path: Path) -> None:
    from mitmproxy.proxy.mode_specs import ProxyMode

    flow = mitm.tflow(resp=True)
    flow.client_conn.proxy_mode = ProxyMode.parse("reverse:https://api.example/")
    flow.client_conn.tls, flow.client_conn.sni = True, "localhost"
    flow.server_conn.tls, flow.server_conn.sni = True, "api.example"
    flow.server_conn.transport_protocol = "udp"  # HTTP/3
    dump = write_dump(tmp_path / "reverse.mitm", [flow])

    (read_flow,), _ = read(dump)

    assert (read_flow.host, read_flow.name_source) == ("api.example", "quic-sni")


def test_websocket_error_and_replay_are_noted(mitm: Any, tmp_path: Path) -> None:
    websocket = mitm.tflow(resp=True, ws=True)
    failed = mitm.tflow(err=mitm.terr("Connect call failed"))
    failed.server_conn.peername = None
    replayed = mitm.tflow(resp=True)
    replayed.is_replay = "request"
    replayed.comment = "sent again by the investigator"
    dump = write_dump(tmp_path / "mixed.mitm", [websocket, failed, replayed])

    ws, error, replay = read(dump)[0]

    assert ws.transport is Transport.WEBSOCKET
    assert ws.notes == ("websocket, 3 messages",)
    assert ws.response is not None
    plain = read(write_dump(tmp_path / "plain.mitm", [mitm.tflow(resp=True)]))[0][0]
    assert (ws.bytes_sent, ws.bytes_received) == (
        (plain.bytes_sent or 0) + len(b"hello binary") + len(b"hello text"),
        (plain.bytes_received or 0) + len(b"it's me"),
    )
    assert error.response is None and error.bytes_received is None
    assert error.notes == ("error: Connect call failed",)
    assert error.server_ip is None
    assert replay.notes == (
        "replayed by mitmproxy (request)",
        "mitmproxy comment: sent again by the investigator",
    )


def test_large_request_body_is_bounded(mitm: Any, tmp_path: Path) -> None:
    from mitmproxy.test.tutils import treq

    body = b"x" * (MAX_BODY_BYTES + 10)
    dump = write_dump(tmp_path / "big.mitm", [mitm.tflow(req=treq(method=b"POST", content=body))])

    (flow,), _ = read(dump)

    assert flow.request is not None
    assert flow.request.body is not None and len(flow.request.body) == MAX_BODY_BYTES
    assert (flow.request.body_size, flow.request.body_truncated) == (len(body), True)
    assert flow.notes == ("body truncated at 8 MiB",)


def test_tcp_udp_and_dns_flows(mitm: Any, tmp_path: Path) -> None:
    tcp = mitm.ttcpflow()
    tcp.server_conn.tls, tcp.server_conn.sni = True, "mtalk.example"
    udp = mitm.tudpflow(err=True)
    udp.server_conn.address = ("192.168.0.1", 22)
    dns = mitm.tdnsflow(resp=True)
    dump = write_dump(tmp_path / "raw.mitm", [tcp, udp, dns])

    tcp_flow, udp_flow, dns_flow = read(dump)[0]

    assert tcp_flow.transport is Transport.TCP
    assert (tcp_flow.host, tcp_flow.name_source) == ("mtalk.example", "tls-sni")
    assert (tcp_flow.server_ip, tcp_flow.server_port, tcp_flow.client_ip) == ("192.168.0.1", 22, "127.0.0.1")
    assert (tcp_flow.bytes_sent, tcp_flow.bytes_received) == (len(b"hello"), len(b"it's me"))
    assert tcp_flow.notes == ("tls, decrypted by mitmproxy",)
    assert tcp_flow.time == datetime.fromtimestamp(946681200, UTC)
    assert tcp_flow.request is None and tcp_flow.response is None
    assert udp_flow.transport is Transport.UDP
    assert (udp_flow.host, udp_flow.name_source) == (None, None)  # only an IP: the host is not named
    assert udp_flow.notes == ("error: error",)
    assert dns_flow.transport is Transport.DNS
    assert (dns_flow.host, dns_flow.name_source) == ("dns.google", "dns")
    assert dns_flow.notes == ("dns A query", "answers: 8.8.8.8, 8.8.4.4")
    assert dns_flow.bytes_sent and dns_flow.bytes_received
    assert [flow.seq for flow in (tcp_flow, udp_flow, dns_flow)] == [0, 1, 2]


def test_positions_give_each_flows_byte_offset(mitm: Any, tmp_path: Path) -> None:
    from mitmproxy.io import tnetstring

    flows = [mitm.tflow(resp=True), mitm.ttcpflow(), mitm.tflow(resp=True)]
    dump = write_dump(tmp_path / "three.mitm", flows)
    sizes = [len(tnetstring.dumps(flow.get_state())) for flow in flows]

    read_flows, _ = read(dump)

    assert [flow.position for flow in read_flows] == [
        "flow 0, byte 0",
        f"flow 1, byte {sizes[0]}",
        f"flow 2, byte {sizes[0] + sizes[1]}",
    ]


def test_open_reader_picks_mitm_for_a_dump(mitm: Any, tmp_path: Path) -> None:
    registry = Registry()
    registry.add_reader(MitmReader())
    dump = write_dump(tmp_path / "capture.bin", [mitm.tflow(resp=True)])

    assert open_reader(dump, registry).name == "mitm"


# --- bad input ------------------------------------------------------------------------------------


def collect(iterator: Iterator[Flow], into: list[Flow]) -> None:
    for flow in iterator:
        into.append(flow)


def offset(dump: Path, index: int) -> int:
    """The byte offset of flow ``index``, as the reader cites it."""
    return int(read(dump)[0][index].position.split("byte ")[1])


def test_truncated_dump_keeps_the_flows_before(mitm: Any, tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "cut.mitm", [mitm.tflow(resp=True), mitm.tflow(resp=True), mitm.tflow()])
    data = dump.read_bytes()
    dump.write_bytes(data[: len(data) - 40])
    flows: list[Flow] = []

    with pytest.raises(ReadError) as raised:
        collect(MitmReader().read(dump, ReadContext(CaptureId(1))), flows)

    assert len(flows) == 2
    assert raised.value.position == "flow 2"
    assert str(raised.value).startswith("cut.mitm: flow 2: the dump ends inside this flow (truncated file?)")


@pytest.mark.parametrize("cut", [1, 3, 6])
def test_cut_inside_the_length_prefix_is_truncation_too(mitm: Any, tmp_path: Path, cut: int) -> None:
    dump = write_dump(tmp_path / "cut.mitm", [mitm.tflow(resp=True), mitm.tflow(resp=True)])
    dump.write_bytes(dump.read_bytes()[: offset(dump, 1) + cut])

    with pytest.raises(ReadError, match="flow 1: the dump ends inside this flow"):
        read(dump)


def test_corrupted_tnetstring_is_a_read_error(mitm: Any, tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "bad.mitm", [mitm.tflow(resp=True), mitm.tflow(resp=True)])
    data = bytearray(dump.read_bytes())
    second = offset(dump, 1)
    data[second + 10 : second + 30] = b"#" * 20  # the first key's length prefix becomes garbage
    dump.write_bytes(bytes(data))
    flows: list[Flow] = []

    with pytest.raises(ReadError, match=rf"bad\.mitm: flow 1: corrupted dump at byte {second}: ") as raised:
        collect(MitmReader().read(dump, ReadContext(CaptureId(1))), flows)

    assert len(flows) == 1
    assert len(str(raised.value)) < 250


def test_unknown_dump_version(mitm: Any, tmp_path: Path) -> None:
    from mitmproxy.io import tnetstring

    state = mitm.tflow(resp=True).get_state()
    state["version"] = 999
    dump = tmp_path / "future.mitm"
    dump.write_bytes(tnetstring.dumps(state))

    with pytest.raises(ReadError) as raised:
        read(dump)

    message = str(raised.value)
    assert message.startswith("future.mitm: flow 0: unknown dump version: ")
    assert "flow format version 999" in message and "please update mitmproxy" in message


def test_a_har_file_handed_to_the_reader_is_refused(mitm: Any, tmp_path: Path) -> None:
    har = tmp_path / "export.har"
    har.write_text('{"log": {"entries": []}}')

    with pytest.raises(InputError, match=r"export\.har: flow 0: not a mitmproxy flow dump"):
        read(har)


def test_garbage_is_not_sniffed_as_mitm(tmp_path: Path) -> None:
    garbage = tmp_path / "noise.mitm"
    garbage.write_bytes(bytes(range(256)) * 16)
    registry = Registry()
    registry.add_reader(MitmReader())

    with pytest.raises(InputError, match=r"noise\.mitm: not a format privprobe reads"):
        open_reader(garbage, registry)


def test_the_sample_dump_has_one_flow_of_each_kind(mitm: Any, tmp_path: Path) -> None:
    flows, _ = read(write_sample_dump(tmp_path / "sample.mitm"))

    assert [flow.transport for flow in flows] == [
        Transport.HTTP,
        Transport.WEBSOCKET,
        Transport.HTTP,
        Transport.TCP,
        Transport.DNS,
    ]


def test_an_unreadable_file_is_an_input_error(mitm: Any, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"gone\.mitm: cannot read: No such file or directory"):
        read(tmp_path / "gone.mitm")
