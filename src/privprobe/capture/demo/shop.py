"""The local demo shop: a small Korean cross-border shopping site served offline for a real browser.

`serve_shop` runs it on 127.0.0.1 so that Chromium (with ``--host-resolver-rules "MAP HOST
127.0.0.1:PORT"`` and ``--ignore-certificate-errors``) can visit it in the three consent phases. One
threaded HTTPS server answers every host name below with one self-signed certificate made at start; a
second port serves the same over plain HTTP for simple checks. Requests are dispatched by their Host
header to the site's web application (`privprobe.capture.demo.site.app`) and recorded in
`ShopServer.requests`; nothing is ever sent beyond 127.0.0.1.

Hosts. First party: ``www.shop.example`` (the pages), ``img.shop.example`` (its CDN: CSS, JS, images)
and ``log.shop.example`` (a first-party event log). Third parties keep their real host names and are
answered locally from ``site/trackers.json`` with small scripts written for this demo
(``site/trackers/``); they send data as trackers do (image pixels, ``sendBeacon``, JSON ``fetch``) and
set third-party cookies (``SameSite=None; Secure``) from their own domains.

What the site sends, by phase (the demo's ground truth, checked by tests/capture):

==============  ==========================================================================================
phase           contacts
==============  ==========================================================================================
before consent  log.shop.example: device id, page URL, and once logged in the e-mail's SHA-256 (``uid``);
                log.mmstat.com: device id, page URL; www.googletagmanager.com loads. Nothing else.
accepted        also www.google-analytics.com (``cid``); www.facebook.com/tr/ (``em``: SHA-256 of the
                lower-cased e-mail); analytics.tiktok.com (SHA-256 of the E.164 phone); wcs.naver.net;
                t1.kakaocdn.net; g.alicdn.com; api16-access-sg.pangle.io (device id, coarse location);
                log.mmstat.com profile sync (phone in clear, JSON POST) when logged in.
refused         still www.facebook.com/tr/ with ``em`` (a tag set to fire on any answer) and the
                log.mmstat.com profile sync with the phone in clear: the violations to find.
==============  ==========================================================================================

The device id is a UUID kept in localStorage. The shop's "device registry" hands every new browser the
persona's ``persona-device-id`` and uses ``persona-location`` as the visitor's IP region, so that these
canaries match in every phase.

Pages of www.shop.example: ``/``, ``/product/<id>`` (1001, 1002, 1003), ``/cart``, ``/login``,
``/checkout``, ``/order/<number>`` and ``/privacy`` (the 개인정보처리방침, ``site/privacy.html``), each
footer linking to it. The consent banner ``#consent-banner`` is a generic custom CMP: first layer
``#consent-accept-all`` "모두 동의", ``#consent-reject`` "거부", ``#consent-settings`` "설정"; second
layer ``#consent-reject-all`` "모두 거부", ``#consent-save`` "선택 저장". The answer is the first-party
cookie ``consent=accepted|refused``. Checkout posts the order (name, phone, address and the
개인통관고유부호) to www.shop.example as a form.

The persona script (``persona.json``): ``canaries`` is a list of ``{"name", "type", "value"}`` (type: a
data-type id) and ``steps`` the list of actions the capture performs in order to log the persona in and
check out. A step is an object with exactly one of these keys:

- ``goto``: a path on the shop (``"/login"``) or an absolute URL; navigate there.
- ``fill``: a CSS selector; fill that field with either ``"canary"`` (the value of the canary of that
  name) or ``"value"`` (a literal string), exactly one of the two.
- ``click``: a CSS selector; click that element.
- ``wait``: ``"load"`` or ``"networkidle"`` (wait for that load state), or a number of milliseconds.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import socket
import ssl
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from privprobe.capture.demo.site.app import FIRST_PARTY, PERSONA_FILE, SHOP_HOST, ReceivedRequest, Reply, Shop
from privprobe.errors import PrivprobeError

__all__ = ["MAX_BODY", "PERSONA_FILE", "ReceivedRequest", "RequestLog", "ShopServer", "serve_shop"]

MAX_BODY = 256 * 1024
"""Largest request body accepted, in bytes; a larger one is refused with 413 and the connection closed."""
MAX_LOGGED = 20_000
"""Requests kept in `ShopServer.requests` (the oldest are dropped first)."""
IDLE_SECONDS = 10.0
"""An idle keep-alive connection is closed after this long."""
ADDRESS = "127.0.0.1"
"""The only address the shop listens on."""

_LOG = logging.getLogger(__name__)
_PORT_SUFFIX = re.compile(r":\d+$")


class RequestLog:
    """What the server received, oldest first; safe to read while the server runs."""

    def __init__(self, limit: int = MAX_LOGGED) -> None:
        self._entries: deque[ReceivedRequest] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, request: ReceivedRequest) -> None:
        """Record one request."""
        with self._lock:
            self._entries.append(request)

    def snapshot(self) -> list[ReceivedRequest]:
        """The requests received so far."""
        with self._lock:
            return list(self._entries)

    def find(self, host: str, path: str | None = None) -> list[ReceivedRequest]:
        """The requests to ``host`` (and to ``path`` exactly, if given)."""
        return [r for r in self.snapshot() if r.host == host and (path is None or r.path == path)]

    def __iter__(self) -> Iterator[ReceivedRequest]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _tls_context(hosts: tuple[str, ...]) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for ``hosts`` and 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privprobe demo shop")])
    now = datetime.now(UTC)
    names: list[x509.GeneralName] = [x509.DNSName(host) for host in hosts]
    names.append(x509.IPAddress(ipaddress.ip_address(ADDRESS)))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_alpn_protocols(["http/1.1"])
    with tempfile.TemporaryDirectory(prefix="privprobe-shop-") as folder:  # load_cert_chain reads files
        chain, secret = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        secret.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        context.load_cert_chain(chain, secret)
    return context


class _Handler(BaseHTTPRequestHandler):
    """Reads one request at a time (keep-alive), records it, and writes the shop's reply."""

    protocol_version = "HTTP/1.1"
    server_version = "demo-shop"
    sys_version = ""
    timeout = IDLE_SECONDS
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_OPTIONS = do_GET

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        parts = urlsplit(self.path)
        host = _PORT_SUFFIX.sub("", (self.headers.get("Host") or "").strip().lower())
        request = ReceivedRequest(
            self.server.scheme,
            host,
            self.command,
            parts.path or "/",
            parts.query,
            tuple(self.headers.items()),
            body,
        )
        self.server.log.add(request)
        try:
            reply = self.server.shop.answer(request)
        except Exception:  # a fault in the demo must not kill the connection thread silently
            _LOG.exception("demo shop: %s %s%s failed", request.method, request.host, request.path)
            reply = Reply(500, b"internal error\n")
        self._send(reply)

    def _read_body(self) -> bytes | None:
        """The body, or None after refusing it: chunked or over `MAX_BODY` (the connection then closes)."""
        length = (self.headers.get("Content-Length") or "0").strip()
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._refuse(411, "chunked request bodies are not accepted; send Content-Length")
        elif not length.isdigit():
            self._refuse(400, "bad Content-Length")
        elif int(length) > MAX_BODY:
            self._refuse(413, f"request body over {MAX_BODY} bytes")
        else:
            return self.rfile.read(int(length))
        return None

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True
        self._send(Reply(status, f"{message}\n".encode(), headers=(("Connection", "close"),)))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("demo shop %s: %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    """One listening port; TLS (when given) is negotiated in the connection's own thread."""

    daemon_threads = False
    block_on_close = True  # server_close() joins the connection threads

    def __init__(self, port: int, shop: Shop, log: RequestLog, tls: ssl.SSLContext | None) -> None:
        self.shop, self.log, self.tls = shop, log, tls
        self.scheme = "http" if tls is None else "https"
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__((ADDRESS, port), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        connection: socket.socket = request
        self._watch(connection)
        try:
            connection.settimeout(IDLE_SECONDS)
            if self.tls is not None:  # the handshake runs after registering, so close() can end it
                self._forget(connection)
                connection = self.tls.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
                self._watch(connection)
                connection.do_handshake()
            _Handler(connection, client_address, self)
        except OSError as error:  # includes TLS failures and clients that hang up
            _LOG.debug("demo shop: connection from %s ended: %s", client_address, error)
        finally:
            self._forget(connection)
            if connection is not request:
                connection.close()

    def _watch(self, connection: socket.socket) -> None:
        with self._open_lock:
            self._open.add(connection)

    def _forget(self, connection: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        _LOG.warning("demo shop: connection from %s failed", client_address, exc_info=True)

    def server_close(self) -> None:
        """Stop listening, end every open connection, and wait for the connection threads."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):  # the plain socket call, below TLS, wakes a blocked read
                socket.socket.shutdown(connection, socket.SHUT_RDWR)
        super().server_close()


class ShopServer:
    """The running demo shop: HTTPS and plain HTTP on 127.0.0.1, one site, one request log.

    Use it as a context manager (``with serve_shop() as shop: ...``): entering starts both servers,
    leaving stops them and closes every connection.
    """

    url = f"https://{SHOP_HOST}/"
    """The shop's start page."""

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self.requests = RequestLog()
        """What the servers received, for tests and demonstrations."""
        self._shop = Shop()
        self.hosts: tuple[str, ...] = (*FIRST_PARTY, *self._shop.site.trackers)
        """Every host name the shop answers for."""
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []

    @property
    def https_port(self) -> int:
        """The HTTPS port (all host names)."""
        return self._running()[0].server_address[1]

    @property
    def http_port(self) -> int:
        """The plain-HTTP port (the same site, for simple checks)."""
        return self._running()[1].server_address[1]

    def resolve_rules(self) -> list[str]:
        """``HOST:127.0.0.1:PORT`` for every host, the capture's ``--resolve`` format."""
        return [f"{host}:{ADDRESS}:{self.https_port}" for host in self.hosts]

    def start(self) -> Self:
        """Listen and serve in background threads."""
        if self._servers:
            return self
        try:
            for port, tls in ((self._port, _tls_context(self.hosts)), (0, None)):
                server = _Server(port, self._shop, self.requests, tls)
                thread = threading.Thread(
                    target=server.serve_forever, args=(0.1,), name=f"demo-shop-{server.scheme}"
                )
                thread.start()
                self._servers.append(server)
                self._threads.append(thread)
        except OSError as error:
            self.close()
            raise PrivprobeError(f"demo shop: cannot listen on {ADDRESS}:{self._port}: {error}") from error
        return self

    def close(self) -> None:
        """Stop serving and close every socket; safe to call twice."""
        for server in self._servers:
            server.shutdown()
        for server in self._servers:
            server.server_close()
        for thread in self._threads:
            thread.join()
        self._servers, self._threads = [], []

    def _running(self) -> list[_Server]:
        if not self._servers:
            raise PrivprobeError("the demo shop is not running: use it as `with serve_shop() as shop:`")
        return self._servers

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def serve_shop(port: int = 0) -> ShopServer:
    """The demo shop, to run as ``with serve_shop() as shop:``; ``port`` is the HTTPS port (0: any free)."""
    return ShopServer(port)
