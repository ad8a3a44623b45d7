"""The HAR reader against real exports from other projects' test data (../shared/corpus).

``mitmproxy/har_files/NAME.har`` were exported by Chrome, Firefox, Safari, Charles and Insomnia;
``NAME.json`` beside each is mitmproxy's own reading of it, the independent oracle: same requests
(method, scheme, host, port, path), same status codes, same order. ``app-har/`` holds HARs written
by mitmproxy's ``har_dump`` for app traffic, and ``mitmproxy/flows/`` mitmproxy's own exports,
plain and zlib-compressed (``.zhar``). The broken ones must fail with an `InputError`, never with
another exception.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from privprobe.errors import InputError, ReadError, UnknownFormat
from privprobe.ingest import open_reader
from privprobe.ingest.har import read_har
from privprobe.model import CaptureId, Flow
from privprobe.plugins import ReadContext, Registry
from tests.conftest import CORPUS

pytestmark = pytest.mark.corpus

FOLDERS = ("mitmproxy", "app-har")
HARS = sorted(
    path.relative_to(CORPUS).as_posix()
    for folder in FOLDERS
    if (CORPUS / folder).is_dir()
    for path in (CORPUS / folder).rglob("*")
    if path.suffix in (".har", ".zhar")
)
ORACLES = [name for name in HARS if name.startswith("mitmproxy/har_files/")]
BROKEN = {"mitmproxy/corrupted_har/brokenfile.har", "mitmproxy/har_extractor.har"}
DEFAULT_PORTS = {"http": 80, "https": 443}


def read_all(path: Path) -> tuple[list[Flow], ReadContext]:
    context = ReadContext(capture=CaptureId(1))
    return list(read_har(path, context)), context


def entries_by_json_load(path: Path) -> list[Any]:
    data = path.read_bytes()
    if path.suffix == ".zhar":
        data = zlib.decompress(data)
    entries = json.loads(data.decode("utf-8-sig"))["log"]["entries"]
    assert isinstance(entries, list)
    return entries


def test_the_corpus_has_hars(corpus: Path) -> None:
    assert len(HARS) >= 20 and len(ORACLES) >= 8


@pytest.mark.parametrize("name", HARS)
def test_every_har_is_read_or_refused_cleanly(name: str, corpus: Path, registry: Registry) -> None:
    path = corpus / name
    try:
        reader = open_reader(path, registry)
        flows = list(reader.read(path, ReadContext(capture=CaptureId(1))))
    except InputError as error:
        assert name in BROKEN, f"a good HAR failed: {error}"
        assert str(error).startswith(f"{path.name}: ") and "\n" not in str(error)
        return
    assert name not in BROKEN, "a broken HAR was read"
    assert reader.name == "har"
    assert len(flows) == len(entries_by_json_load(path))


def test_the_broken_ones_fail_for_the_right_reason(corpus: Path, registry: Registry) -> None:
    # brokenfile.har has "log": [2, 1, 3]: recognised as HAR, refused at "log".
    with pytest.raises(ReadError, match=r'^brokenfile\.har: log at byte \d+: "log" is not an object'):
        read_all(corpus / "mitmproxy/corrupted_har/brokenfile.har")
    # har_extractor.har wraps a HAR in {"test_response": ...}: not claimed, and refused if read.
    wrapped = corpus / "mitmproxy/har_extractor.har"
    with pytest.raises(UnknownFormat):
        open_reader(wrapped, registry)
    with pytest.raises(ReadError, match='no top-level "log" object'):
        read_all(wrapped)


def request_line(flow: Flow) -> tuple[str, str, str | None, int | None, str]:
    """(method, scheme, host, port, path with query), as mitmproxy's flow JSON spells a request."""
    assert flow.request is not None
    parts = urlsplit(flow.request.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return flow.request.method, parts.scheme, parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme], path


@pytest.mark.parametrize("name", ORACLES)
def test_agrees_with_mitmproxys_reading(name: str, corpus: Path) -> None:
    path = corpus / name
    theirs = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    ours, context = read_all(path)
    assert len(ours) == len(theirs)
    for flow, their in zip(ours, theirs, strict=True):
        request = their["request"]
        assert request_line(flow) == (
            request["method"],
            request["scheme"],
            request["host"],
            request["port"],
            request["path"],
        )
        assert flow.response is not None and flow.response.status == their["response"]["status_code"]
    assert context.device and context.format == "har"


def test_quirks_seen_in_real_exports(corpus: Path) -> None:
    files = corpus / "mitmproxy/har_files"
    chrome = read_all(files / "chrome.har")[0]
    # Chrome: "http/2.0" and "h3"; "connection" is a connection id (not the port) where present.
    assert [f.request.http_version for f in chrome if f.request] == ["HTTP/2", "", "HTTP/3"]
    assert {f.server_port for f in chrome} == {443}
    assert "failed: net::ERR_INTERNET_DISCONNECTED" in chrome[1].notes
    safari = read_all(files / "safari.har")[0]
    assert safari[0].server_port == 443 and safari[0].bytes_received == 5495  # "_serverPort", "_transferSize"
    with_bom, context = read_all(files / "with-bom.har")
    assert len(with_bom) == 1 and context.device == "WebInspector 537.36"
    postdata = read_all(files / "postdata.har")[0][0]
    assert postdata.request is not None and postdata.request.body is not None
    assert len(postdata.request.body) == postdata.request.body_size == 1310
    zhar, context = read_all(corpus / "mitmproxy/flows/compressed.zhar")
    assert context.format == "har+zlib" and len(zhar) == 2
    websocket = read_all(corpus / "mitmproxy/flows/websocket.har")[0]
    assert all("websocket" in f.notes for f in websocket)
