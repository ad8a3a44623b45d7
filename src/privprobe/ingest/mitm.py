"""Reader of mitmproxy flow dumps (``mitmdump -w``, ``mitmproxy -w``, mitmweb's "Save").

A dump is a sequence of tnetstrings (https://tnetstrings.info), one dict per flow, written by
``mitmproxy.io.FlowWriter``. Its layout changed with almost every mitmproxy release (flow format
0.11 … 21), and mitmproxy itself migrates every old layout to its current model, so this reader lets
mitmproxy parse and turns mitmproxy's flows into privprobe `Flow`s. mitmproxy is the optional
``mitm`` extra: it is imported only when a dump is read, and sniffing works without it.

Each HTTP flow becomes an ``http`` flow (``websocket`` when it was upgraded), each TCP, UDP and DNS
flow one flow of that transport. ``position`` is ``flow N, byte B``: the flow's index in the dump and
the offset of its first byte. Host names follow what the app put on the wire: the TLS or QUIC SNI,
else the Host header, else the URL; ``mitm-server`` marks a name known only as the address
mitmproxy was asked to connect to.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from privprobe.errors import InputError, MissingExtra, ReadError
from privprobe.ingest.http import MAX_BODY_BYTES, bounded_body, cookies_from_headers
from privprobe.model import CaptureId, CaptureKind, Flow, Headers, Phase, Request, Response, Transport
from privprobe.plugins import SNIFF_BYTES, ReadContext

if TYPE_CHECKING:
    from mitmproxy import connection, dns, http, tcp, udp, websocket
    from mitmproxy.flow import Flow as MitmFlow

# A dump starts with the first flow's length, then the dict's first key: a tnetstring string, which
# mitmproxy writes as unicode (";") or, in old dumps, as bytes (","): ``3408:7:version;``.
_Fields = tuple[tuple[bytes, bytes], ...]
"""Headers as mitmproxy keeps them: (name, value) bytes in wire order."""

_DUMP_HEAD = re.compile(rb"(?P<size>[1-9]\d{0,11}):(?P<keysize>\d{1,3}):(?P<key>[a-z_]+)[,;]")


class MitmReader:
    """Reads mitmproxy flow dumps of any version mitmproxy can migrate."""

    name = "mitm"
    version = "1"
    kind = CaptureKind.MITM

    def sniff(self, head: bytes, path: Path) -> bool:
        """True when ``head`` starts with a tnetstring dict whose first key is a plain name."""
        return looks_like_dump(head)

    def read(self, path: Path, context: ReadContext) -> Iterator[Flow]:
        """The dump's flows in order; `MissingExtra` at once when mitmproxy is not installed."""
        try:
            from mitmproxy.io import FlowReader  # noqa: F401  (fail now, not at the first flow)
        except ImportError as error:
            raise MissingExtra(
                f"{path.name}: reading mitmproxy dumps needs the mitm extra: pip install 'privprobe[mitm]'"
            ) from error
        return _read(path, context)


def looks_like_dump(head: bytes) -> bool:
    """True when ``head`` is the start of a tnetstring dict, as every mitmproxy dump is."""
    match = _DUMP_HEAD.match(head)
    if match is None or int(match["keysize"]) != len(match["key"]):
        return False
    end = match.end("size") + 1 + int(match["size"])  # the type byte closing the first flow
    return end >= len(head) or head[end : end + 1] == b"}"


@dataclass(frozen=True, slots=True)
class _Slot:
    """Where a converted flow goes: its capture, number, citation and phase."""

    capture: CaptureId
    seq: int
    position: str
    phase: Phase


def _read(path: Path, context: ReadContext) -> Iterator[Flow]:
    from mitmproxy.io import FlowReader

    context.format = "mitm"
    try:
        handle = path.open("rb")
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from error
    with handle:
        head = handle.read(SNIFF_BYTES)
        if head and not looks_like_dump(head):
            # FlowReader would read a HAR file here; only dumps belong to this reader.
            raise ReadError(path, "flow 0", f"not a mitmproxy flow dump; starts with {head[:16].hex(' ')}")
        context.device = _dump_writer(handle)
        handle.seek(0)
        stream = iter(FlowReader(handle).stream())
        index, start, seq = 0, 0, 0
        while True:
            try:
                mitm_flow = next(stream)
            except StopIteration:
                return
            except Exception as error:  # mitmproxy's parser and migrations fail in assorted ways
                raise ReadError(path, f"flow {index}", _explain(error, handle, start)) from error
            slot = _Slot(context.capture, seq, f"flow {index}, byte {start}", context.phase)
            flow = _convert(mitm_flow, slot)
            if flow is None:
                context.warnings.append(f"flow {index}: skipped a {mitm_flow.type} flow (unknown kind)")
            else:
                yield flow
                seq += 1
            index, start = index + 1, handle.tell()


def _dump_writer(handle: IO[bytes]) -> str | None:
    """``mitmproxy 0.18`` or ``mitmproxy (flow format 19)``, from the first flow's ``version``."""
    from mitmproxy.io import tnetstring

    handle.seek(0)
    match = _DUMP_HEAD.match(handle.read(32))
    if match is None or int(match["size"]) > 64 * 1024 * 1024:
        return None  # not worth reading a huge first flow twice for a label
    handle.seek(0)
    try:
        state = tnetstring.loads(handle.read(match.end("size") + 2 + int(match["size"])))
    except (ValueError, IndexError):
        return None  # the reading proper reports the fault, with its position
    version = state.get("version", state.get(b"version")) if isinstance(state, dict) else None
    if isinstance(version, int):
        return f"mitmproxy (flow format {version})"
    if isinstance(version, list) and all(isinstance(part, int) for part in version):
        # Until 3.0, the format was named by the mitmproxy release that wrote it: [0, 18] is 0.18.
        return "mitmproxy " + ".".join(str(part) for part in version[:2])
    return None


def _explain(error: Exception, handle: IO[bytes], start: int) -> str:
    """A one-line reason for a flow mitmproxy could not read."""
    cause = error.__cause__ or error
    if "cannot read files with flow format version" in str(cause):
        # mitmproxy's own message names the version and, for newer dumps, says to update mitmproxy.
        return f"unknown dump version: {cause} Read it with the mitmproxy release that wrote it."
    if _truncated(handle, start):
        return f"the dump ends inside this flow (truncated file?); the flow starts at byte {start}"
    detail = str(cause)[:120] or type(cause).__name__
    return f"corrupted dump at byte {start}: {detail}"


def _truncated(handle: IO[bytes], start: int) -> bool:
    """True when the file ends before the flow at ``start`` does, by its length prefix."""
    size = handle.seek(0, 2)
    handle.seek(start)
    head = handle.read(13)
    digits = len(head) - len(head.lstrip(b"0123456789"))
    if head[digits : digits + 1] != b":":
        return start + digits >= size  # the file ends inside the length prefix
    return start + digits + 1 + int(head[:digits] or b"0") + 1 > size


def _convert(mitm_flow: MitmFlow, slot: _Slot) -> Flow | None:
    from mitmproxy import dns, http, tcp, udp

    if isinstance(mitm_flow, http.HTTPFlow):
        return _http_flow(mitm_flow, slot)
    if isinstance(mitm_flow, tcp.TCPFlow | udp.UDPFlow):
        return _stream_flow(mitm_flow, slot)
    if isinstance(mitm_flow, dns.DNSFlow):
        return _dns_flow(mitm_flow, slot)
    return None


def _http_flow(mitm_flow: http.HTTPFlow, slot: _Slot) -> Flow:
    mitm_request, websocket = mitm_flow.request, mitm_flow.websocket
    request = None if _is_placeholder(mitm_request) else _request(mitm_request)
    response = _response(mitm_flow.response) if mitm_flow.response else None
    host, name_source = _http_host(mitm_flow, request is not None)
    server_ip, server_port = _server_endpoint(mitm_flow.server_conn)
    sent = _request_size(mitm_request) if request else None
    received = _response_size(mitm_flow.response) if mitm_flow.response else None
    notes = _common_notes(mitm_flow)
    if websocket is not None:
        count = len(websocket.messages)
        notes.insert(0, f"websocket, {count} message{'' if count == 1 else 's'}")
        up, down = _payload_sizes(websocket.messages)
        sent, received = (sent or 0) + up, (received or 0) + down
    if request is None:
        notes.append("handshake missing from the old dump: mitmproxy's migration made up its request")
    elif request.body_truncated:
        notes.append(f"body truncated at {MAX_BODY_BYTES // (1024 * 1024)} MiB")
    return Flow(
        capture=slot.capture,
        seq=slot.seq,
        position=slot.position,
        transport=Transport.WEBSOCKET if websocket is not None else Transport.HTTP,
        phase=slot.phase,
        time=_utc(mitm_request.timestamp_start) if request else _utc(mitm_flow.client_conn.timestamp_start),
        host=host,
        name_source=name_source,
        server_ip=server_ip,
        server_port=server_port,
        client_ip=_ip(mitm_flow.client_conn.peername),
        request=request,
        response=response,
        bytes_sent=sent,
        bytes_received=received,
        notes=tuple(notes),
    )


def _request(mitm_request: http.Request) -> Request:
    headers = _headers(mitm_request.headers.fields)
    raw = mitm_request.raw_content
    body, truncated = bounded_body(raw)
    return Request(
        method=mitm_request.method,
        url=mitm_request.pretty_url,
        http_version=mitm_request.http_version.upper(),
        headers=headers,
        cookies=cookies_from_headers(headers),
        body=body,
        body_size=len(raw) if raw is not None else _content_length(headers),
        body_truncated=truncated,
    )


def _response(mitm_response: http.Response) -> Response:
    headers = _headers(mitm_response.headers.fields)
    content_type = mitm_response.headers.get("content-type")
    raw = mitm_response.raw_content
    return Response(
        status=mitm_response.status_code,
        reason=mitm_response.reason,
        http_version=mitm_response.http_version.upper(),
        headers=headers,
        body_size=len(raw) if raw is not None else None,
        content_type=content_type.split(";", 1)[0].strip().lower() or None if content_type else None,
    )


def _stream_flow(mitm_flow: tcp.TCPFlow | udp.UDPFlow, slot: _Slot) -> Flow:
    """A raw TCP or UDP flow: mitmproxy kept its messages, not an HTTP exchange."""
    server = mitm_flow.server_conn
    server_ip, server_port = _server_endpoint(server)
    host, name_source = _sni(mitm_flow)
    if host is None and server.address and not _is_ip(server.address[0]):
        host, name_source = server.address[0], "mitm-server"
    sent, received = _payload_sizes(mitm_flow.messages)
    notes = _common_notes(mitm_flow)
    if server.tls:
        notes.insert(0, "tls, decrypted by mitmproxy")
    return Flow(
        capture=slot.capture,
        seq=slot.seq,
        position=slot.position,
        transport=Transport.TCP if mitm_flow.type == "tcp" else Transport.UDP,
        phase=slot.phase,
        time=_utc(mitm_flow.client_conn.timestamp_start),
        host=host,
        name_source=name_source,
        server_ip=server_ip,
        server_port=server_port,
        client_ip=_ip(mitm_flow.client_conn.peername),
        bytes_sent=sent,
        bytes_received=received,
        notes=tuple(notes),
    )


def _dns_flow(mitm_flow: dns.DNSFlow, slot: _Slot) -> Flow:
    """A DNS query: the host is the name asked for, the answers go into the notes."""
    from mitmproxy.net.dns import types

    query, answer = mitm_flow.request, mitm_flow.response
    question = query.questions[0] if query.questions else None
    server_ip, server_port = _server_endpoint(mitm_flow.server_conn)
    notes = _common_notes(mitm_flow)
    if question is not None:
        notes.insert(0, f"dns {types.to_str(question.type)} query")
    if answer is not None and answer.answers:
        notes.append("answers: " + ", ".join(str(record) for record in answer.answers[:16]))
    return Flow(
        capture=slot.capture,
        seq=slot.seq,
        position=slot.position,
        transport=Transport.DNS,
        phase=slot.phase,
        time=_utc(query.timestamp),
        host=question.name.rstrip(".") if question else None,
        name_source="dns" if question else None,
        server_ip=server_ip,
        server_port=server_port,
        client_ip=_ip(mitm_flow.client_conn.peername),
        bytes_sent=len(query.packed),
        bytes_received=len(answer.packed) if answer is not None else None,
        notes=tuple(notes),
    )


def _http_host(mitm_flow: http.HTTPFlow, recorded: bool) -> tuple[str | None, str | None]:
    """The host contacted, preferring the TLS SNI: the name the app itself put on the wire."""
    host, source = _sni(mitm_flow)
    if host is not None:
        return host, source
    request = mitm_flow.request
    if recorded:
        return request.pretty_host, "http-host" if request.host_header else "url"
    address = mitm_flow.server_conn.address
    if address and not _is_ip(address[0]):
        return address[0], "mitm-server"
    return None, None


def _sni(mitm_flow: MitmFlow) -> tuple[str | None, str | None]:
    """The SNI of the client's TLS (or QUIC) handshake, else the one mitmproxy sent upstream.

    Only a side that spoke TLS counts: old dumps fill ``sni`` in for plain HTTP too. In reverse-proxy
    mode the client's SNI names the proxy itself (``localhost``), so there only the upstream one counts.
    """
    client, server = mitm_flow.client_conn, mitm_flow.server_conn
    if client.tls and client.sni and client.proxy_mode.type_name != "reverse":
        sni = client.sni
    elif server.tls and server.sni:
        sni = server.sni
    else:
        return None, None
    return sni, "quic-sni" if server.transport_protocol == "udp" else "tls-sni"


def _common_notes(mitm_flow: MitmFlow) -> list[str]:
    notes: list[str] = []
    if mitm_flow.error is not None:
        notes.append(f"error: {mitm_flow.error.msg}")
    if mitm_flow.is_replay:
        # Not the app's traffic: the investigator replayed it from mitmproxy.
        notes.append(f"replayed by mitmproxy ({mitm_flow.is_replay})")
    if "duplicated" in mitm_flow.metadata:
        notes.append("migrated from an old dump: may duplicate a neighbouring websocket flow")
    if mitm_flow.comment:
        notes.append(f"mitmproxy comment: {mitm_flow.comment}")
    return notes


def _is_placeholder(mitm_request: http.Request) -> bool:
    """True for the made-up handshake of an old websocket flow (see mitmproxy.io.compat 11→12)."""
    return mitm_request.host == "unknown" and not mitm_request.headers and not mitm_request.timestamp_start


def _headers(fields: _Fields) -> Headers:
    # Header bytes are what was sent; bytes that are not UTF-8 stay visible as \\xNN escapes.
    return tuple(
        (name.decode("utf-8", "backslashreplace"), value.decode("utf-8", "backslashreplace"))
        for name, value in fields
    )


def _request_size(request: http.Request) -> int:
    """Bytes sent, estimated as HTTP/1.1: request line, headers, blank line and body as sent."""
    start_line = len(request.method) + len(request.path) + len(" HTTP/1.1\r\n") + 1
    return start_line + _fields_size(request.headers.fields) + len(request.raw_content or b"")


def _response_size(response: http.Response) -> int:
    """Bytes received, estimated as HTTP/1.1 like `_request_size`."""
    start_line = len("HTTP/1.1 200 \r\n") + len(response.reason)
    return start_line + _fields_size(response.headers.fields) + len(response.raw_content or b"")


def _fields_size(fields: _Fields) -> int:
    return sum(len(name) + len(value) + len(": \r\n") for name, value in fields) + len("\r\n")


def _payload_sizes(
    messages: Sequence[websocket.WebSocketMessage] | Sequence[tcp.TCPMessage] | Sequence[udp.UDPMessage],
) -> tuple[int, int]:
    """Payload bytes the client sent and received in websocket, TCP or UDP messages."""
    sent = sum(len(message.content) for message in messages if message.from_client)
    return sent, sum(len(message.content) for message in messages) - sent


def _content_length(headers: Headers) -> int:
    for name, value in headers:
        if name.lower() == "content-length" and value.strip().isdigit():
            return int(value)
    return 0


def _server_endpoint(server: connection.Server) -> tuple[str | None, int | None]:
    """The server's IP and port: the peer address, else (old dumps) the address asked for."""
    peer = server.peername
    address = peer if peer and _is_ip(peer[0]) else server.address
    ip = _ip(address)
    port = address[1] if address and address[1] else None
    return ip, port


def _ip(address: connection.Address | None) -> str | None:
    """The IP of a (host, port, …) address; IPv4-mapped IPv6 (``::ffff:1.2.3.4``) as plain IPv4."""
    if not address or not _is_ip(address[0]):
        return None
    ip = ipaddress.ip_address(address[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def _is_ip(host: object) -> bool:
    if not isinstance(host, str):
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _utc(timestamp: float | None) -> datetime | None:
    """mitmproxy's Unix times as aware UTC; 0, None (nothing recorded) and absurd values as None."""
    try:
        return datetime.fromtimestamp(timestamp, UTC) if timestamp else None
    except (OverflowError, ValueError, OSError):
        return None
