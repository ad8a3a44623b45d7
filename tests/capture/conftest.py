"""Fixtures for capture tests: real Chromium, and a local server of purpose-built pages (tests/capture/pages).

The server also misbehaves on purpose, as scrapy's mock server does: ``/hang`` never finishes (so a
page's load event never fires), ``/longpoll`` answers after a long wait, ``/loop`` redirects to itself
for ever. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

PAGES = Path(__file__).resolve().parent / "pages"
CHROMIUM = os.environ.get("PRIVPROBE_CHROMIUM") or "/usr/bin/chromium"


@dataclass
class PageServer:
    """The running server: its base URL and the paths it was asked for."""

    url: str
    requests: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def asked(self, path: str) -> list[str]:
        """The request targets (path and query) that start with ``path``."""
        return [target for target in list(self.requests) if target.startswith(path)]


def _handler(server: PageServer) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(PAGES), **kwargs)

        def do_GET(self) -> None:
            server.requests.append(self.path)
            parts = urlsplit(self.path)
            if parts.path == "/hang":
                self._wait(60.0)
                self._answer(200, b"GIF89a", "image/gif")
            elif parts.path == "/longpoll":
                self._wait(20.0)
                self._answer(204, b"", "text/plain")
            elif parts.path == "/loop":
                step = int(parse_qs(parts.query).get("n", ["0"])[0]) + 1
                self.send_response(302)
                self.send_header("Location", f"/loop?n={step}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif parts.path == "/beacon":
                self._answer(204, b"", "text/plain")
            else:
                super().do_GET()

        def _wait(self, seconds: float) -> None:
            server.stop.wait(seconds)  # ends at once when the fixture shuts the server down

        def _answer(self, status: int, body: bytes, kind: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the browser gave up on the request

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def pages_server() -> Iterator[PageServer]:
    """tests/capture/pages served on 127.0.0.1 on a free port, with the misbehaving endpoints."""
    state = PageServer("")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, name="capture-pages", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium executable; the test is skipped without it or without Playwright."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium, or scripts/setup.sh)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed")
    return CHROMIUM
