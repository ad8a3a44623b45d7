"""The HAR reader: golden files per exporter, broken files, sniffing, compression, streaming, bounds.

Every fixture in tests/data/har was written by hand for this project to reproduce one exporter's
habits; NAME.expected.json beside a good one holds what privprobe must read from it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import pytest

from privprobe.errors import ReadError
from privprobe.ingest import har
from privprobe.ingest.har import HarReader, read_har
from privprobe.ingest.http import MAX_BODY_BYTES
from privprobe.model import CaptureId, Flow, Phase, Transport
from privprobe.plugins import SNIFF_BYTES, ReadContext, Reader
from tests.conftest import DATA

HAR_DATA = DATA / "har"
GOLDEN = sorted(path.name.removesuffix(".expected.json") for path in HAR_DATA.glob("*.expected.json"))


def describe(flow: Flow) -> dict[str, Any]:
    """What a golden file pins about one flow."""
    request, response = flow.request, flow.response
    assert request is not None
    body = request.body
    return {
        "position": flow.position,
        "transport": str(flow.transport),
        "time": flow.time.isoformat() if flow.time else None,
        "host": flow.host,
        "server_ip": flow.server_ip,
        "server_port": flow.server_port,
        "method": request.method,
        "url": request.url,
        "http_version": request.http_version,
        "headers": len(request.headers),
        "cookies": [list(pair) for pair in request.cookies],
        "body_sha256": hashlib.sha256(body).hexdigest() if body is not None else None,
        "body_size": request.body_size,
        "status": response.status if response else None,
        "response_version": response.http_version if response else None,
        "content_type": response.content_type if response else None,
        "response_body_size": response.body_size if response else None,
        "bytes_sent": flow.bytes_sent,
        "bytes_received": flow.bytes_received,
        "notes": list(flow.notes),
    }


def read(path: Path, chunk_size: int = har.CHUNK_BYTES) -> tuple[list[Flow], ReadContext]:
    context = ReadContext(capture=CaptureId(3), phase=Phase.ACCEPTED)
    return list(read_har(path, context, chunk_size=chunk_size)), context


def read_until_fault(path: Path, chunk_size: int = har.CHUNK_BYTES) -> tuple[list[Flow], ReadError]:
    flows: list[Flow] = []
    with pytest.raises(ReadError) as caught:
        for flow in read_har(path, ReadContext(capture=CaptureId(3)), chunk_size=chunk_size):
            flows.append(flow)
    return flows, caught.value


def write_har(path: Path, entries: list[Any], **log: Any) -> Path:
    path.write_text(json.dumps({"log": {"version": "1.2", **log, "entries": entries}}, ensure_ascii=False))
    return path


def entry(url: str = "https://shop.example/", **fields: Any) -> dict[str, Any]:
    request = {
        "method": "GET",
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": [],
        **fields.pop("request", {}),
    }
    return {
        "startedDateTime": "2024-05-01T00:00:00Z",
        "request": request,
        "response": {"status": 200},
        **fields,
    }


def test_the_reader_keeps_the_reader_protocol() -> None:
    reader = HarReader()
    assert isinstance(reader, Reader)
    assert (reader.name, reader.version, str(reader.kind)) == ("har", "1", "har")


@pytest.mark.parametrize("name", GOLDEN)
def test_golden(name: str) -> None:
    expected = json.loads((HAR_DATA / f"{name}.expected.json").read_text(encoding="utf-8"))
    for chunk_size in (har.CHUNK_BYTES, 7):
        flows, context = read(HAR_DATA / name, chunk_size)
        assert len(flows) == expected["count"]
        assert [describe(flow) for flow in flows] == expected["flows"]
        assert (context.device, context.format) == (expected["device"], expected["format"])
        assert context.warnings == expected["warnings"]
        assert [f.seq for f in flows] == list(range(len(flows)))
        assert {(f.capture, f.phase) for f in flows} <= {(3, Phase.ACCEPTED)}


def test_every_good_fixture_has_an_expected_file() -> None:
    broken = {path.name for path in HAR_DATA.glob("*.har")} - set(GOLDEN)
    assert broken == set(BROKEN), "a good fixture needs NAME.expected.json; a broken one a BROKEN row"


BROKEN = {
    # file: (position named, flows read before the fault, words of the message)
    "truncated.har": ("log.entries[2]", 2, "cut short"),
    "invalid-entry.har": ("log.entries[3]", 3, "invalid JSON: Expecting ',' delimiter"),
    "no-log.har": ("the top level", 0, 'no top-level "log" object'),
    "no-entries.har": ("log", 0, 'no "entries" array'),
    "non-object-entry.har": ("log.entries[1]", 1, "is a JSON str, not an object"),
    "missing-url.har": ("log.entries[1]", 1, 'the request has no "url"'),
    "garbage.har": ("log.entries[1]", 1, "not UTF-8 text"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_fail_at_the_entry_and_keep_the_flows_before(name: str) -> None:
    position, before, words = BROKEN[name]
    flows, error = read_until_fault(HAR_DATA / name)
    assert len(flows) == before and [f.seq for f in flows] == list(range(before))
    message = str(error)
    assert message.startswith(f"{name}: {position} at byte ") and words in message
    assert "\n" not in message and error.position.startswith(position)


def test_a_har_cut_at_any_byte_yields_a_prefix_then_a_read_error(tmp_path: Path) -> None:
    data = (HAR_DATA / "pcapdroid.har").read_bytes()
    full = read(HAR_DATA / "pcapdroid.har")[0]
    cut = tmp_path / "cut.har"
    for end in range(len(data) - 1):  # the last byte is a newline: cutting it leaves a whole HAR
        cut.write_bytes(data[:end])
        flows: list[Flow] = []
        with pytest.raises(ReadError):
            for flow in read_har(cut, ReadContext(capture=CaptureId(3), phase=Phase.ACCEPTED), chunk_size=5):
                flows.append(flow)
        assert flows == full[: len(flows)], end


@pytest.mark.parametrize("chunk_size", [har.CHUNK_BYTES, 64, 7])
def test_fault_offsets_point_at_the_fault(chunk_size: int, tmp_path: Path) -> None:
    korean = tmp_path / "korean.har"  # multi-byte text before the fault, so chars and bytes differ
    good = json.dumps(korean_entries(40), ensure_ascii=False)[1:-1]
    korean.write_text('{"log": {"entries": [' + good + ', {"request": {"url": "u"} "x": 1}]}}')
    cases = {
        HAR_DATA / "truncated.har": None,
        HAR_DATA / "invalid-entry.har": b'"httpVersion"',
        HAR_DATA / "missing-url.har": b"{",
        HAR_DATA / "garbage.har": b"\xff",
        korean: b'"x": 1',
    }
    for path, found in cases.items():
        data = path.read_bytes()
        offset = int(read_until_fault(path, chunk_size)[1].position.rsplit(" ", 1)[1])
        assert data[offset:].startswith(found) if found else offset == len(data), path.name


def test_empty_entries_are_read_with_a_warning() -> None:
    flows, context = read(HAR_DATA / "empty-entries.har")
    assert flows == [] and context.device == "Firefox 126.0"
    assert context.warnings == ["empty-entries.har: log.entries is empty: the HAR holds no requests"]


@pytest.mark.parametrize(
    ("head", "name", "claimed"),
    [
        (b'{"log": {"version": "1.2"', "export.bin", True),
        (b'\xef\xbb\xbf \r\n {"log":{', "x", True),
        (b'{"_meta": {"a": [1, 2]}, "log": {', "x.json", True),
        (b'{"meta": "' + b"m" * 5000, "x.json", False),
        (b'{"meta": {"log": 1, "m": "' + b"m" * 5000, "capture.HAR", True),
        (b'{"meta": {"log": 1, "m": "' + b"m" * 5000, "capture.json", False),
        (b'{"result": {"log": {"entries": []}}}', "wrapped.har", False),
        (b'{"entries": [], "version": "1.2"}', "x.har", False),
        (b"[1, 2, 3]", "x.har", False),
        (b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00", "x.pcap", False),
        (b"", "x.har", False),
        (zlib.compress(b'{"log": {"entries": []}}'), "x.zhar", True),
        (gzip.compress(b' {"log": {"entries": []}}'), "x.gz", True),
        (zlib.compress(b'{"other": 1}'), "x.zhar", False),
        (b"\x78\x9c\xff\xff\xff\xff", "x.zhar", False),
    ],
)
def test_sniff_by_content(head: bytes, name: str, claimed: bool) -> None:
    assert HarReader().sniff(head[:SNIFF_BYTES], Path(name)) is claimed


@pytest.mark.parametrize(("compress", "fmt"), [(zlib.compress, "har+zlib"), (gzip.compress, "har+gzip")])
def test_compressed_hars_read_like_plain_ones(compress: Any, fmt: str, tmp_path: Path) -> None:
    plain, plain_context = read(HAR_DATA / "chrome.har")
    packed = tmp_path / "chrome.zhar"
    packed.write_bytes(compress((HAR_DATA / "chrome.har").read_bytes()))
    for chunk_size in (har.CHUNK_BYTES, 7):
        flows, context = read(packed, chunk_size)
        assert flows == plain and context.format == fmt and context.device == plain_context.device


@pytest.mark.parametrize("compress", [zlib.compress, gzip.compress])
def test_cut_or_damaged_compressed_hars_fail_cleanly(compress: Any, tmp_path: Path) -> None:
    data = compress((HAR_DATA / "chrome.har").read_bytes())
    cut = tmp_path / "cut.zhar"
    cut.write_bytes(data[: len(data) * 2 // 3])
    flows, error = read_until_fault(cut)
    assert 0 < len(flows) < 4 and str(error).startswith("cut.zhar: log.entries[")
    damaged = tmp_path / "damaged.zhar"
    damaged.write_bytes(data[:40] + bytes(b ^ 0x5A for b in data[40:80]) + data[80:])
    message = str(read_until_fault(damaged)[1])
    assert message.startswith("damaged.zhar: ") and ("damaged" in message[14:] or "invalid JSON" in message)


def test_a_big_compressed_har_is_inflated_a_bounded_amount_at_a_time(tmp_path: Path) -> None:
    # 40 MB of one repeated byte deflates to ~40 kB: a zip bomb in miniature.
    body = "0" * 40_000_000
    packed = tmp_path / "bomb.zhar"
    document = {"log": {"entries": [entry(request={"postData": {"text": body}})]}}
    packed.write_bytes(zlib.compress(json.dumps(document).encode()))
    tracemalloc.start()
    try:
        flows, _ = read(packed, chunk_size=64 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    request = flows[0].request
    assert request is not None and request.body_truncated and request.body_size == 40_000_000
    assert peak < 200_000_000  # the entry itself (40 MB text) plus its body; never the inflated file twice


def korean_entries(count: int) -> list[dict[str, Any]]:
    """Entries whose multi-byte text and varied sizes land on every kind of chunk boundary."""
    entries = []
    for index in range(count):
        text = "가나다라마바사" * (index % 13) + "🙂" * (index % 3) + f"#{index}"
        request: dict[str, Any] = {
            "method": "POST" if index % 2 else "GET",
            "url": f"https://shop.example/검색?q={text[:5]}&n={index}",
            "httpVersion": ["http/2.0", "h3", "HTTP/1.1"][index % 3],
            "headers": [{"name": f"x-{k}", "value": text[: k * 3]} for k in range(index % 5)],
            "cookies": [{"name": "sid", "value": f"s{index}"}] if index % 4 == 0 else [],
        }
        if index % 2:
            request["postData"] = {"mimeType": "text/plain", "text": text + '\\"\n\u0000' * (index % 4)}
        response = {
            "status": 200 + index % 300,
            "httpVersion": "HTTP/2",
            "headers": [],
            "content": {"size": index},
        }
        entries.append({"startedDateTime": "2024-05-01T00:00:00Z", "request": request, "response": response})
    return entries


def check_against_json_load(path: Path, flows: list[Flow]) -> None:
    entries = json.loads(path.read_text(encoding="utf-8"))["log"]["entries"]
    assert len(flows) == len(entries)
    for flow, raw in zip(flows, entries, strict=True):
        request = flow.request
        assert request is not None and flow.response is not None
        assert (request.method, request.url) == (raw["request"]["method"], raw["request"]["url"])
        assert list(request.headers) == [(h["name"], h["value"]) for h in raw["request"]["headers"]]
        assert list(request.cookies) == [(c["name"], c["value"]) for c in raw["request"]["cookies"]]
        post = raw["request"].get("postData")
        assert request.body == (post["text"].encode() if post else None)
        assert flow.response.status == raw["response"]["status"]


def test_streaming_matches_json_load_across_chunk_boundaries(tmp_path: Path) -> None:
    path = write_har(tmp_path / "big.har", korean_entries(20_000), creator={"name": "gen", "version": "1"})
    for chunk_size in (4093, 65_536):
        flows, context = read(path, chunk_size)
        check_against_json_load(path, flows)
        assert context.device == "gen 1"


def test_streaming_with_seven_byte_chunks(tmp_path: Path) -> None:
    path = tmp_path / "pretty.har"
    path.write_text(json.dumps({"log": {"entries": korean_entries(300)}}, ensure_ascii=False, indent=1))
    check_against_json_load(path, read(path, chunk_size=7)[0])
    escaped = tmp_path / "escaped.har"  # \uXXXX escapes and surrogate pairs split across chunks
    escaped.write_text(json.dumps({"log": {"entries": korean_entries(300)}}, ensure_ascii=True))
    for chunk_size in (1, 2, 3, 5, 7, 11):
        check_against_json_load(escaped, read(escaped, chunk_size=chunk_size)[0])


def test_memory_is_bounded_by_the_largest_entry(tmp_path: Path) -> None:
    path = write_har(tmp_path / "many.har", korean_entries(10_000))
    assert path.stat().st_size > 4_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_har(path, ReadContext(capture=CaptureId(1)), chunk_size=64 * 1024))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 10_000 and peak < 2_000_000  # measured: ~1.1 MB, the same for a 14 MB file


@pytest.mark.parametrize("chunk_size", [har.CHUNK_BYTES, 512])
def test_an_entry_over_the_limit_is_a_fault(
    chunk_size: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(har, "MAX_ENTRY_BYTES", 4096)
    # 3,000 characters of Korean: 9,000 bytes, over the cap even though under it in characters.
    body = "한" * (3000 if chunk_size == 512 else 5000)
    path = write_har(tmp_path / "huge.har", [entry(), entry(request={"postData": {"text": body}}), entry()])
    flows = []
    with pytest.raises(ReadError, match=r"log\.entries\[1\] at byte \d+: a single JSON value is larger than"):
        for flow in read_har(path, ReadContext(capture=CaptureId(1)), chunk_size=chunk_size):
            flows.append(flow)
    assert len(flows) == 1


def test_an_entry_just_under_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(har, "MAX_ENTRY_BYTES", 4096)
    small = entry()
    padding = 4096 - len(json.dumps(entry(request={"postData": {"text": ""}})).encode()) - 10
    path = write_har(
        tmp_path / "edge.har", [small, entry(request={"postData": {"text": "x" * padding}}), small]
    )
    assert len(read(path, chunk_size=512)[0]) == 3


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"log": {"entries": [' + "[" * 100_000 + "]" * 100_000 + "]}}", "nested too deeply"),
        (
            '{"log": {"entries": [{"request": {"url": "u", "bodySize": ' + "9" * 5000 + "}}]}}",
            "invalid JSON value",
        ),
        (
            '{"log": {"entries": [{"request": {"url": "u"}} {"request": {"url": "v"}}]}}',
            "expected ',' or ']'",
        ),
        ('{"log": {"entries": [{"request": 1 x}]}}', "invalid JSON: Expecting ',' delimiter"),
        ('{"log": {"entries": [{"request": fals', "cut short (invalid JSON: Expecting value)"),
        ('{"log": {"entries": {}}}', '"log.entries" is not an array'),
        ('{"log": "har"}', '"log" is not an object'),
        ("\x00\x01binary", "not a JSON object"),
    ],
)
def test_hostile_json_is_a_read_error(text: str, words: str, tmp_path: Path) -> None:
    path = tmp_path / "hostile.har"
    path.write_text(text)
    assert words in str(read_until_fault(path)[1])


def test_bounds_on_headers_and_bodies(tmp_path: Path) -> None:
    headers = [{"name": f"h{k}", "value": "v"} for k in range(har.MAX_PAIRS + 5)]
    body = "본" * (MAX_BODY_BYTES // 3 + 10)
    path = write_har(tmp_path / "big.har", [entry(request={"headers": headers, "postData": {"text": body}})])
    flow = read(path)[0][0]
    assert flow.request is not None and len(flow.request.headers) == har.MAX_PAIRS
    assert flow.request.body is not None and len(flow.request.body) == MAX_BODY_BYTES
    assert flow.request.body_truncated and flow.request.body_size == len(body.encode())
    assert f"request headers cut at {har.MAX_PAIRS} of {har.MAX_PAIRS + 5}" in flow.notes
    assert "body truncated at 8 MiB" in flow.notes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01T09:00:00+09:00", "2024-05-01T00:00:00+00:00"),
        ("2024-05-01T00:00:00.123456789Z", "2024-05-01T00:00:00.123456+00:00"),
        ("2024-05-01T00:00:00-0700", "2024-05-01T07:00:00+00:00"),
        ("2024-05-01 00:00:00Z", "2024-05-01T00:00:00+00:00"),
    ],
)
def test_times_become_utc(raw: str, expected: str, tmp_path: Path) -> None:
    flows, context = read(write_har(tmp_path / "t.har", [entry(startedDateTime=raw)]))
    assert flows[0].time is not None and flows[0].time.isoformat() == expected and not context.warnings


def test_bad_times_are_kept_as_none_with_one_warning(tmp_path: Path) -> None:
    entries = [
        entry(startedDateTime="not a time"),
        entry(startedDateTime=12),
        entry(),
        entry(startedDateTime=None),
    ]
    flows, context = read(write_har(tmp_path / "t.har", entries))
    assert [f.time is None for f in flows] == [True, True, False, True]
    assert context.warnings == [
        "t.har: log.entries[0]: startedDateTime 'not a time' is not a time; flows without one kept"
    ]


def test_naive_times_are_read_as_utc_with_a_warning(tmp_path: Path) -> None:
    flows, context = read(write_har(tmp_path / "t.har", [entry(startedDateTime="2024-05-01T00:00:00")]))
    assert flows[0].time is not None and flows[0].time.isoformat() == "2024-05-01T00:00:00+00:00"
    assert context.warnings == ["t.har: log.entries[0]: startedDateTime has no UTC offset; read as UTC"]


@pytest.mark.parametrize(
    ("url", "fields", "expected"),
    [
        ("https://a.example/", {"serverIPAddress": "[::1]"}, ("a.example", 443, "::1")),
        ("http://A.Example:8080/x", {"serverIPAddress": " 192.0.2.1 "}, ("a.example", 8080, "192.0.2.1")),
        ("https://a.example/", {"_serverPort": 8443, "connection": "99"}, ("a.example", 8443, None)),
        ("https://a.example/", {"connection": "8080"}, ("a.example", 443, None)),
        (
            "ws://[2001:db8::1]/s",
            {"serverIPAddress": "2001:0db8:0000::1"},
            ("2001:db8::1", 80, "2001:db8::1"),
        ),
        ("https://a.example:99999/", {}, ("a.example", None, None)),
        ("https://[::1/", {}, (None, None, None)),
        ("about:blank", {}, (None, None, None)),
    ],
)
def test_endpoint(url: str, fields: dict[str, Any], expected: tuple[Any, ...], tmp_path: Path) -> None:
    """(host, server port, server IP) from the URL, ``_serverPort`` and ``serverIPAddress``."""
    flow = read(write_har(tmp_path / "e.har", [entry(url, **fields)]))[0][0]
    assert (flow.host, flow.server_port, flow.server_ip) == expected
    assert flow.name_source == ("url" if flow.host else None)


def test_ws_urls_and_websocket_messages_make_websocket_flows(tmp_path: Path) -> None:
    entries = [
        entry("wss://a.example/"),
        entry(_webSocketMessages=[]),
        entry(_resourceType="websocket"),
        entry(),
    ]
    flows = read(write_har(tmp_path / "w.har", entries))[0]
    assert [f.transport for f in flows] == [Transport.WEBSOCKET] * 3 + [Transport.HTTP]
    assert [f.notes[:1] for f in flows] == [("websocket",)] * 3 + [()]


def test_a_missing_response_is_allowed(tmp_path: Path) -> None:
    path = write_har(tmp_path / "r.har", [{"request": {"url": "https://a.example/", "method": "GET"}}])
    flow = read(path)[0][0]
    assert flow.response is None and flow.bytes_received is None and flow.time is None
