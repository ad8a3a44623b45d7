"""Test builders: real model objects with sensible defaults, instead of mocks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from privprobe.model import (
    CaptureId,
    Case,
    CaseId,
    Flow,
    Phase,
    Request,
    Response,
    Transport,
)

T0 = datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)


def make_case(name: str = "demo", **overrides: Any) -> Case:
    """A case of the demo shop controller, first party ``shop.example``."""
    values: dict[str, Any] = {
        "name": CaseId(name),
        "controller": "Demo Shop Ltd",
        "first_party_domains": ("shop.example",),
        "apps": (),
        "jurisdiction": "KR",
        "created": T0,
    }
    values.update(overrides)
    return Case(**values)


def make_request(url: str = "https://shop.example/", method: str = "GET", **overrides: Any) -> Request:
    """A request to ``url``."""
    values: dict[str, Any] = {"method": method, "url": url, "http_version": "HTTP/1.1"}
    values.update(overrides)
    return Request(**values)


def make_flow(
    url: str = "https://shop.example/",
    *,
    seq: int = 0,
    capture: int = 1,
    status: int = 200,
    **overrides: Any,
) -> Flow:
    """An HTTP flow to ``url`` with a 200 response; any field can be overridden."""
    request = overrides.pop("request", None) or make_request(url, **overrides.pop("request_fields", {}))
    host = url.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    values: dict[str, Any] = {
        "capture": CaptureId(capture),
        "seq": seq,
        "position": f"entry {seq}",
        "transport": Transport.HTTP,
        "phase": Phase.UNKNOWN,
        "time": T0,
        "host": host,
        "name_source": "url",
        "request": request,
        "response": Response(status=status, http_version="HTTP/1.1"),
    }
    values.update(overrides)
    return Flow(**values)
