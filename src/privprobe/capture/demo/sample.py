"""A sample HAR of a fictional Korean shop and the demo case built from it.

The shop ``shop.example`` (served from a Korean address) embeds analytics, advertising, CDN and
payment services the way a cross-border shopping site does. Host names are the real services' names and
the server addresses are public addresses registered to those operators (checked with the project's
own geo data by tests/capture/test_demo_sample.py), so destination attribution has something real to
attribute. One host is written without a server address to show that privprobe then says "unknown".
The HAR is generated, never downloaded; the demo is entirely offline.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

from privprobe import pipeline
from privprobe.errors import CaseError
from privprobe.model import Case, CaseId, Phase
from privprobe.plugins import Registry
from privprobe.store import Workspace
from privprobe.tables import Format, write

DEMO_CASE = "demo-shop"
PERSONA = {"email": "minji.kim@example.com", "phone": "010-1234-5678", "name": "김민지"}

# (url, method, server ip or None, body) in page-load order.
_REQUESTS: list[tuple[str, str, str | None, dict[str, Any] | None]] = [
    ("https://www.shop.example/", "GET", "223.130.200.104", None),
    ("https://www.shop.example/api/cart", "POST", "223.130.200.104", {"item": "A-100", "qty": 1}),
    (
        "https://www.google-analytics.com/g/collect?"
        + urlencode({"v": "2", "tid": "G-DEMO", "cid": "555.666"}),
        "POST",
        "142.250.196.110",
        None,
    ),
    ("https://connect.facebook.net/en_US/fbevents.js", "GET", "157.240.8.35", None),
    (
        "https://www.facebook.com/tr/?"
        + urlencode({"id": "1234", "ev": "PageView", "em": "minji.kim@example.com"}),
        "GET",
        "157.240.8.35",
        None,
    ),
    ("https://g.alicdn.com/alilog/mlog/aplus_v2.js", "GET", "163.181.1.1", None),
    (
        "https://log.mmstat.com/v.gif?" + urlencode({"logtype": "1", "cna": "demo-cna"}),
        "GET",
        "140.205.1.1",
        None,
    ),
    ("https://wcs.naver.net/wcslog.js", "GET", "223.130.200.104", None),
    ("https://t1.kakaocdn.net/kakao_js_sdk/kakao.min.js", "GET", "121.53.105.193", None),
    ("https://img.kwcdn.com/product/a-100.jpg", "GET", "43.152.1.1", None),
    ("https://pingtas.qq.com/pingd?" + urlencode({"dm": "www.shop.example"}), "GET", "203.205.254.157", None),
    (
        "https://api16-access-sg.pangle.io/api/ad/union/sdk/get_ads/",
        "POST",
        None,
        {"user": {"phone": "010-1234-5678", "name": "김민지"}},
    ),
]


def write_sample_har(path: Path) -> Path:
    """Write the demo HAR (as a Chromium-based browser would) to ``path``."""
    entries = [_entry(i, *request) for i, request in enumerate(_REQUESTS)]
    har = {
        "log": {
            "version": "1.2",
            "creator": {"name": "privprobe demo", "version": "1"},
            "pages": [{"id": "page_1", "title": "shop.example", "startedDateTime": _time(0)}],
            "entries": entries,
        }
    }
    path.write_text(json.dumps(har, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _time(index: int) -> str:
    return f"2024-05-02T01:00:{index:02d}.000Z"


def _entry(index: int, url: str, method: str, ip: str | None, body: dict[str, Any] | None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "h2",
        "cookies": [],
        "queryString": [],
        "headers": [{"name": "user-agent", "value": "Mozilla/5.0 (privprobe demo)"}],
        "headersSize": -1,
        "bodySize": 0,
    }
    if body is not None:
        text = json.dumps(body, ensure_ascii=False)
        request["postData"] = {"mimeType": "application/json", "text": text}
        request["bodySize"] = len(text.encode())
    entry: dict[str, Any] = {
        "pageref": "page_1",
        "startedDateTime": _time(index),
        "time": 12.5,
        "request": request,
        "response": {
            "status": 200,
            "statusText": "",
            "httpVersion": "h2",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": "text/plain"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": 0,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 10, "receive": 2.5},
    }
    if ip is not None:
        entry["serverIPAddress"] = ip
    return entry


def run_demo(workspace: Workspace, out: IO[str]) -> None:
    """Create the demo case afresh in ``workspace``, import the sample, and list where data goes."""
    folder = workspace.root / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    har = write_sample_har(folder / "shop-example.har")
    case = Case(CaseId(DEMO_CASE), "Demo Shop Co., Ltd.", ("shop.example",), (), "KR")
    if workspace.db_url is None:
        shutil.rmtree(workspace.case_folder(DEMO_CASE), ignore_errors=True)  # start the demo afresh
    with workspace.store(DEMO_CASE, create=True) as store, contextlib.suppress(CaseError):
        store.add_case(case)  # in a shared database the demo case may exist from an earlier run
    result = pipeline.import_file(
        workspace, DEMO_CASE, har, Registry.from_entry_points(), phase=Phase.ACCEPTED, label="demo sample"
    )
    out.write(f"capture {result.capture.id}: {result.capture.flow_count} flows from {har.name}\n")
    rows = [row.as_dict() for row in pipeline.destinations(workspace, DEMO_CASE)]
    write(
        rows,
        [
            "host",
            "organisation",
            "parent",
            "organisation_country",
            "server_countries",
            "network_owners",
            "party",
            "flows",
            "leaves_by_server",
            "leaves_by_organisation",
        ],
        Format.TABLE,
        out,
        title="Where the demo shop's traffic goes",
    )
    countries = [row.as_dict() for row in pipeline.destination_countries(workspace, DEMO_CASE)]
    write(
        countries,
        ["country", "by", "flows", "hosts", "organisations"],
        Format.TABLE,
        out,
        title="Destination countries",
    )
