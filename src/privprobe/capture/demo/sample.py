"""A sample HAR of a fictional Korean shop and the demo case built from it.

The shop ``shop.example`` (served from a Korean address) embeds analytics, advertising, CDN and
payment services the way a cross-border shopping site does. Host names are the real services' names and
the server addresses are public addresses registered to those operators (checked with the project's
own geo data by tests/capture/test_demo_sample.py), so destination attribution has something real to
attribute. One host is written without a server address to show that privprobe then says "unknown".
The HAR is generated, never downloaded; the demo is entirely offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

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
