"""The cleartext protocols of a capture: HTTP/1.x requests and responses, and DNS messages.

Their encrypted counterparts are in `tls` and `quic`. Everything here reads hostile bytes: heads
are bounded (`MAX_HEAD`), bodies are kept up to `privprobe.ingest.http.MAX_BODY_BYTES` each and
`MAX_HELD_BODIES` in all, and anything that does not parse ends the reading instead of a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import dpkt

from privprobe.ingest.http import MAX_BODY_BYTES, bounded_body, cookies_from_headers
from privprobe.ingest.packets import ip_text
from privprobe.ingest.tls import host_name
from privprobe.model import Headers, Request, Response, first_header

MAX_HEAD = 64 * 1024
"""Largest HTTP request or response head read."""
MAX_HELD_BODIES = 64 << 20
"""Request body bytes held at once across all connections of a capture."""
REQUEST_LINE = re.compile(rb"([A-Z][A-Z_-]{0,19}) (\S+) (HTTP/1\.[01])")
STATUS_LINE = re.compile(rb"(HTTP/1\.[01]) (\d{3}) ?(.*)")
DNS_RCODES = {1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


class Exchange:
    """A DNS transaction or an HTTP request with its response, until it becomes a flow."""

    __slots__ = ("body", "body_size", "host", "mark", "notes", "number", "received", "request",
                 "response", "sent", "source", "time")  # fmt: skip

    def __init__(self, number: int, ts: int, host: str | None, source: str | None) -> None:
        self.number, self.time, self.host, self.source = number, ts, host, source
        self.sent = self.received = self.body_size = self.mark = 0
        self.body = bytearray()
        self.request: Request | None = None
        self.response: Response | None = None
        self.notes: list[str] = []


class HttpRequests:
    """One connection's client bytes, in order, read as HTTP/1.x requests (RFC 9112 §2-§7).

    ``held`` is the capture's shared count of body bytes held, checked against `MAX_HELD_BODIES`.
    """

    __slots__ = ("buffer", "chunked", "current", "held", "left", "server", "start", "stopped")

    def __init__(self, server: tuple[bytes, int], held: list[int]) -> None:
        self.server, self.held = server, held
        self.buffer = b""
        self.start = (0, 0)
        """Packet number and time where the buffered head began."""
        self.left = 0
        self.chunked = self.stopped = False
        self.current: Exchange | None = None

    def feed(self, data: bytes, number: int, ts: int, received: int) -> list[Exchange]:
        """Read ``data`` (from packet ``number``); returns the exchanges a new request ended."""
        ended: list[Exchange] = []
        while data and not self.stopped:
            if self.current and (self.left or self.chunked):
                data = self._body(self.current, data)
                continue
            if not self.buffer:
                self.start = (number, ts)
            self.buffer += data
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                self.stopped = len(self.buffer) > MAX_HEAD
                return ended
            head, data, self.buffer = self.buffer[:end], self.buffer[end + 4 :], b""
            exchange = self._request(head, *self.start)
            if exchange is None:
                self.stopped = True
                break
            exchange.mark = received
            if self.current:
                ended.append(self.current)
            self.current = exchange
        return ended

    def finish(self, exchange: Exchange) -> Request | None:
        """The exchange's request with its body, bounded by `bounded_body`; frees the held bytes."""
        request = exchange.request
        if exchange is self.current and self.left:  # the capture ends inside the body
            exchange.notes.append(f"body incomplete: {self.left} bytes announced were not captured")
        if request is None or not exchange.body_size:
            return request
        body, cut = bounded_body(bytes(exchange.body))
        truncated = cut or exchange.body_size > len(body or b"")
        self.held[0] -= len(exchange.body)
        exchange.body = bytearray()
        if truncated:
            exchange.notes.append(f"body truncated at {len(body or b'')} bytes")
        return Request(request.method, request.url, request.http_version, request.headers,
                       request.cookies, body, exchange.body_size, truncated)  # fmt: skip

    def _request(self, head: bytes, number: int, ts: int) -> Exchange | None:
        lines = head.split(b"\r\n")
        match = REQUEST_LINE.fullmatch(lines[0])
        if not match:
            return None
        method, target, version = (part.decode("latin-1") for part in match.groups())
        headers = parse_headers(lines[1:])
        url, host, source = request_url(method, target, first_header(headers, "host"), self.server)
        exchange = Exchange(number, ts, host, source)
        exchange.sent = len(head) + 4
        length = first_header(headers, "content-length") or "0"
        self.left = int(length) if length.isdigit() else 0
        self.chunked = "chunked" in (first_header(headers, "transfer-encoding") or "").lower()
        if self.chunked:
            exchange.notes.append("body chunked, kept as sent")
        upgrade = (first_header(headers, "upgrade") or "").lower()
        if method == "CONNECT" or upgrade:  # what follows is a tunnel or another protocol
            exchange.notes.append(
                "websocket" if "websocket" in upgrade else "tunnel: later bytes are not HTTP"
            )
            self.stopped = True
        exchange.request = Request(method, url, version, headers, cookies_from_headers(headers))
        return exchange

    def _body(self, exchange: Exchange, data: bytes) -> bytes:
        """Take this request's body from ``data``; returns what follows it."""
        if self.chunked:  # RFC 9112 §7.1: the body ends with a zero-size chunk and an empty line
            tail = bytes(exchange.body[-7:]) if exchange.body_size else b"\r\n"
            at = (tail + data).find(b"\r\n0\r\n\r\n")
            take = len(data) if at < 0 else at + 7 - len(tail)
            self.chunked = at < 0
        else:
            take = min(self.left, len(data))
            self.left -= take
        room = min(MAX_BODY_BYTES + 1 - len(exchange.body), MAX_HELD_BODIES - self.held[0], take)
        if room > 0:
            exchange.body += data[:room]
            self.held[0] += room
        exchange.body_size += take
        return data[take:]


def parse_headers(lines: list[bytes]) -> Headers:
    """Header fields as (name, value) in order; lines without a colon are skipped (RFC 9112 §5).

    Field values are decoded as ISO-8859-1, which keeps every byte (RFC 9110 §5.5).
    """
    headers: list[tuple[str, str]] = []
    for line in lines:
        name, colon, value = line.partition(b":")
        if colon and name and name == name.strip():
            headers.append((name.decode("latin-1"), value.strip().decode("latin-1")))
    return tuple(headers)


def parse_response(data: bytes) -> Response | None:
    """The final response head at the start of a server's segment (RFC 9112 §4).

    Interim 1xx responses (100 Continue, 103 Early Hints; RFC 9110 §15.2) are skipped: the final
    one may follow in the same segment, else None lets the next segment try.
    """
    while True:
        end = data.find(b"\r\n\r\n")
        lines = data[: end if end >= 0 else MAX_HEAD].split(b"\r\n")
        match = STATUS_LINE.fullmatch(lines[0])
        if not match:
            return None
        status = int(match[2])
        if 100 <= status < 200 and status != 101:
            if end < 0:
                return None
            data = data[end + 4 :]
            continue
        headers = parse_headers(lines[1:] if end >= 0 else lines[1:-1])
        length = first_header(headers, "content-length") or ""
        content_type = first_header(headers, "content-type")
        return Response(status, match[3].decode("latin-1"), match[1].decode(), headers,
                        int(length) if length.isdigit() else None,
                        content_type.split(";")[0].strip() if content_type else None)  # fmt: skip


def request_url(
    method: str, target: str, host_header: str | None, server: tuple[bytes, int]
) -> tuple[str, str | None, str | None]:
    """The absolute URL of a request (RFC 9112 §3.2), the host it names, and how it was named.

    Origin-form targets take the Host header, else the server's address; absolute-form targets
    (sent to proxies) are the URL; CONNECT's authority-form names the tunnel's far end.
    """
    if target.startswith(("http://", "https://")):
        return target, authority_host(target.split("/", 3)[2]), "url"
    if method == "CONNECT":
        return f"https://{target}", authority_host(target), "http-host"
    address, port = ip_text(server[0]), server[1]
    address = f"[{address}]" if ":" in address else address
    authority = host_header or (address if port == 80 else f"{address}:{port}")
    host = authority_host(host_header) if host_header else None
    path = target if target.startswith("/") else ""
    return f"http://{authority}{path}", host, "http-host" if host else None


def authority_host(authority: str) -> str | None:
    """The host of ``host[:port]``, ``[v6]:port`` or ``user@host`` (RFC 3986 §3.2)."""
    authority = authority.rpartition("@")[2]
    if authority.startswith("["):
        return host_name(authority[1:].partition("]")[0].encode("latin-1"))
    return host_name(authority.partition(":")[0].encode("latin-1"))


@dataclass(frozen=True, slots=True)
class DnsMessage:
    """What privprobe keeps of a DNS message (RFC 1035 §4.1)."""

    id: int
    query: bool
    name: str | None
    """The first question's name, lower case."""
    notes: tuple[str, ...] = ()
    """Answers as notes (``A 1.2.3.4``, ``CNAME x.example``) and a failing ``rcode``."""
    addresses: tuple[bytes, ...] = ()
    """Packed A and AAAA addresses answered."""


def dns_message(data: bytes) -> DnsMessage | None:
    """The message in ``data`` (dpkt's DNS parser), or None when it does not parse."""
    try:
        dns = dpkt.dns.DNS(data)
        name = host_name(dns.qd[0].name.encode()) if dns.qd else None
    except (dpkt.UnpackError, IndexError, ValueError, UnicodeError):
        return None
    if dns.qr == dpkt.dns.DNS_Q:
        return DnsMessage(dns.id, True, name)
    notes = [] if dns.rcode == 0 else [f"rcode {DNS_RCODES.get(dns.rcode, dns.rcode)}"]
    addresses: list[bytes] = []
    for answer in dns.an[:32]:
        address = getattr(answer, "ip", None) if answer.type == 1 else getattr(answer, "ip6", None)
        if answer.type in (1, 28) and address:
            notes.append(f"{'A' if answer.type == 1 else 'AAAA'} {ip_text(address)}")
            addresses.append(address)
        elif answer.type == 5:
            notes.append(f"CNAME {getattr(answer, 'cname', '')}")
    return DnsMessage(dns.id, False, name, tuple(notes), tuple(addresses))
