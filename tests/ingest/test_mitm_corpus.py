"""The mitmproxy reader against real dumps from mitmproxy's own test data (../shared/corpus).

``dumpfile-*.mitm`` were written by mitmproxy releases from 0.10 to 10 (flow formats 0.10 … 20);
``flows/NAME.mitm`` come with ``flows/NAME.har``, mitmproxy's HAR export of the same flows, which
is the independent oracle for the HTTP flows: same requests, same order. The HAR holds HTTP only,
so the dumps' TCP flows have no counterpart there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from privprobe.errors import InputError, ReadError
from privprobe.ingest.mitm import MitmReader
from privprobe.model import CaptureId, Flow, Transport
from privprobe.plugins import SNIFF_BYTES, ReadContext
from tests.conftest import CORPUS

MITM = CORPUS / "mitmproxy"
DUMPS = sorted(MITM.rglob("*.mitm")) if MITM.is_dir() else []

EXPECTED_FLOWS = {
    "dumpfile-011.mitm": 1,
    "dumpfile-018.mitm": 1,
    "dumpfile-019.mitm": 1,
    "dumpfile-10.mitm": 1,
    "dumpfile-19.mitm": 1,
    "dumpfile-7-websocket.mitm": 6,
    "dumpfile-7.mitm": 2,
    "corrupted_gzip_body.mitm": 1,
    "diff_data.mitm": 7,  # 5 HTTP + 2 TCP (mtalk.google.com:5228)
    "error_log.mitm": 2,
    "event_stream.mitm": 2,
    "incomplete_log.mitm": 4,
    "successful_log.mitm": 2,
    "websocket.mitm": 3,
}
"""Flows per dump. dumpfile-010.mitm (mitmproxy 0.10) is older than mitmproxy's migrations reach."""

pytestmark = pytest.mark.corpus


@pytest.fixture(autouse=True)
def _needs_mitmproxy(corpus: Path) -> None:
    pytest.importorskip("mitmproxy")


def read_all(path: Path) -> tuple[list[Flow], ReadContext]:
    context = ReadContext(CaptureId(1))
    flows: list[Flow] = []
    for flow in MitmReader().read(path, context):
        flows.append(flow)
    return flows, context


@pytest.mark.parametrize("dump", DUMPS, ids=lambda path: str(path.relative_to(MITM)))
def test_every_dump_reads_fully_or_fails_cleanly(dump: Path) -> None:
    assert MitmReader().sniff(dump.read_bytes()[:SNIFF_BYTES], dump)
    try:
        flows, context = read_all(dump)
    except InputError as error:
        assert dump.name not in EXPECTED_FLOWS, str(error)
        assert str(error).startswith(f"{dump.name}: flow ")
        return
    assert len(flows) == EXPECTED_FLOWS[dump.name]
    assert [flow.seq for flow in flows] == list(range(len(flows)))
    assert all(flow.time is not None and flow.time.tzinfo is not None for flow in flows)
    assert context.device is not None and context.device.startswith("mitmproxy ")


def test_a_dump_older_than_mitmproxys_migrations_names_its_version(corpus: Path) -> None:
    with pytest.raises(ReadError) as raised:
        read_all(MITM / "dumpfile-010.mitm")

    assert raised.value.position == "flow 0"
    assert "unknown dump version" in str(raised.value)
    assert "(0, 10)" in str(raised.value)


@pytest.mark.parametrize(
    "name",
    sorted(path.stem for path in (MITM / "flows").glob("*.mitm") if path.with_suffix(".har").exists())
    if MITM.is_dir()
    else [],
)
def test_http_flows_match_mitmproxys_own_har_export(name: str) -> None:
    flows, _ = read_all(MITM / "flows" / f"{name}.mitm")
    with (MITM / "flows" / f"{name}.har").open(encoding="utf-8") as handle:
        entries = json.load(handle)["log"]["entries"]
    # HAR has no place for raw TCP flows (diff_data.mitm has two): compare the HTTP ones.
    http = [flow for flow in flows if flow.transport in (Transport.HTTP, Transport.WEBSOCKET)]

    assert len(http) == len(entries)
    for flow, entry in zip(http, entries, strict=True):
        assert flow.request is not None
        assert (flow.request.method, flow.request.url) == (
            entry["request"]["method"],
            entry["request"]["url"],
        )
        # A flow that failed before any answer (error_log, incomplete_log) is status 0 in HAR.
        assert (flow.response.status if flow.response else 0) == entry["response"]["status"]
        messages = entry.get("_webSocketMessages")
        assert (flow.transport is Transport.WEBSOCKET) == (messages is not None)
        if messages is not None:
            assert f"websocket, {len(messages)} message" in flow.notes[0]


def test_error_flows_carry_mitmproxys_message(corpus: Path) -> None:
    flows, _ = read_all(MITM / "flows" / "error_log.mitm")

    assert flows[0].response is None
    assert flows[0].notes[0].startswith("error: Multiple exceptions: [Errno 60] Connect call failed")
    assert (flows[0].host, flows[0].server_ip) == ("163.com", None)
