"""The HAR reader: HTTP Archive 1.2 files from browsers, proxies and apps, streamed into `Flow`s.

A HAR (http://www.softwareishard.com/blog/har-12-spec/) is one JSON object, ``{"log": {...}}``,
whose ``log.entries`` array holds one request with its response each. Exports run to gigabytes, so
the file is never parsed whole: `JsonStream` walks ``log`` key by key, in whatever order the writer
put them, and decodes one entry at a time. Memory is bounded by the largest entry (`MAX_ENTRY_BYTES`).

Writers differ, and each quirk tolerated below says which writer has it. Read and tested: Chrome and
Edge DevTools ("WebInspector"), Firefox, Safari ("WebKit Web Inspector"), Charles, Insomnia,
Playwright, mitmproxy (``har_dump``, and ``savehar`` whose ``.zhar`` is zlib-compressed), PCAPdroid.
Gzip-compressed HARs are read as well; files are recognised by content, never by extension alone.

Entry ``i`` becomes the flow with ``seq`` ``i`` at position ``log.entries[i]``. A fault (cut-short
file, invalid JSON, an entry without a request URL) raises `ReadError` naming the entry and the byte
offset, after the flows before it have been yielded.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from privprobe.errors import InputError, ReadError
from privprobe.ingest import jsonstream
from privprobe.ingest.http import MAX_BODY_BYTES, bounded_body, cookies_from_headers
from privprobe.ingest.jsonstream import MIB, JsonFault, JsonStream
from privprobe.model import CaptureKind, Flow, Headers, Request, Response, Transport
from privprobe.plugins import ReadContext

CHUNK_BYTES = MIB
"""How much of the file is read at a time."""
MAX_ENTRY_BYTES = 64 * MIB
"""A single entry (or other value) larger than this is a fault: it would be held in memory whole."""
MAX_PAIRS = 1000
"""Headers, cookies or form fields kept per message; more are cut and noted."""

_BOM = b"\xef\xbb\xbf"
_SUFFIXES = (".har", ".zhar", ".har.gz")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_PROTOCOLS = {"H2": "HTTP/2", "H2C": "HTTP/2", "HTTP/2.0": "HTTP/2", "HTTP/3.0": "HTTP/3"}
_TOP = "the top level"

JsonObject = dict[str, Any]


class HarReader:
    """Reads HAR files (plain, gzip or zlib-compressed) into flows; see the module docstring."""

    name = "har"
    version = "1"
    kind = CaptureKind.HAR

    def sniff(self, head: bytes, path: Path) -> bool:
        """A JSON object with a top-level ``"log"``; for ``.har`` files, ``"log"`` seen in the head."""
        text = jsonstream.inflate_head(head).removeprefix(_BOM).lstrip()
        if not text.startswith(b"{"):
            return False
        found = jsonstream.has_top_level_key(text, "log")
        if found is not None:
            return found
        # The head ended (or broke) before "log" was reached: trust a HAR-like name.
        return b'"log"' in text and path.name.lower().endswith(_SUFFIXES)

    def read(self, path: Path, context: ReadContext) -> Iterator[Flow]:
        """Yield one flow per entry of ``log.entries``; `ReadError` at a fault."""
        return read_har(path, context)


def read_har(path: Path, context: ReadContext, *, chunk_size: int = CHUNK_BYTES) -> Iterator[Flow]:
    """`HarReader.read`, reading ``chunk_size`` bytes at a time (tests set it tiny)."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from error
    with handle:
        compression, chunks = jsonstream.byte_chunks(handle, chunk_size)
        context.format = f"har+{compression}" if compression else "har"
        yield from _HarWalk(path, context, JsonStream(chunks, max_value=MAX_ENTRY_BYTES)).flows()


class _EntryFault(Exception):
    """An entry is valid JSON but not a usable HAR entry."""


class _HarWalk:
    """Walks one HAR's JSON structure and turns its entries into flows; knows where it is."""

    def __init__(self, path: Path, context: ReadContext, stream: JsonStream) -> None:
        self.path = path
        self.context = context
        self.stream = stream
        self.where = _TOP
        self.tools: JsonObject = {}
        self.warned: set[str] = set()

    def flows(self) -> Iterator[Flow]:
        """The flows, then a `ReadError` if the file has a fault."""
        try:
            yield from self._root()
        except JsonFault as fault:
            raise ReadError(self.path, f"{self.where} at byte {fault.offset}", fault.message) from None

    def _root(self) -> Iterator[Flow]:
        if self.stream.peek() != "{":
            raise self._fault("not a JSON object, so not a HAR file (a HAR starts with '{')")
        found = False
        for key in self.stream.members():
            if key == "log" and not found:
                found = True
                yield from self._log()
            else:
                if key == "log":
                    self._warn("log", 'a second top-level "log" was ignored')
                self.stream.skip()
            self.where = _TOP
        if not found:
            raise self._fault('no top-level "log" object, so not a HAR file (export it again as HAR)')
        if self.stream.peek():
            self._warn("trailing", f"data after the HAR's end, at byte {self.stream.byte_offset()}, ignored")

    def _log(self) -> Iterator[Flow]:
        self.where = "log"
        if self.stream.peek() != "{":
            raise self._fault('"log" is not an object, so not a HAR file')
        seen = False
        # Writers order and extend these keys freely: Charles, Insomnia and PCAPdroid write no
        # "pages"; Firefox adds "browser"; tweasel's app HARs (mitmproxy har_dump) add "_tweasel".
        for key in self.stream.members():
            self.where = f"log.{key}"
            if key == "entries" and not seen:
                seen = True
                yield from self._entries()
            elif key in ("creator", "browser"):
                self.tools[key] = self.stream.value()
                self.context.device = _device(self.tools)
            else:
                self.stream.skip()
            self.where = "log"
        if not seen:
            raise self._fault('"log" has no "entries" array, so the HAR holds no requests')

    def _entries(self) -> Iterator[Flow]:
        if self.stream.peek() != "[":
            raise self._fault('"log.entries" is not an array')
        count = 0
        for index in self.stream.elements():
            self.where = f"log.entries[{index}]"
            self.stream.peek()
            start = self.stream.mark()
            try:
                flow = self._flow(self.stream.value(), index)
            except _EntryFault as fault:
                raise JsonFault(str(fault), self.stream.byte_offset(start)) from None
            count += 1
            yield flow
        if not count:
            self._warn("empty", "log.entries is empty: the HAR holds no requests")

    def _flow(self, entry: object, index: int) -> Flow:
        if not isinstance(entry, dict):
            raise _EntryFault(f"the entry is a JSON {type(entry).__name__}, not an object")
        raw_request = entry.get("request")
        if not isinstance(raw_request, dict):
            raise _EntryFault('the entry has no "request" object')
        notes: list[str] = []
        request, sent = _request(raw_request, notes)
        response, received = _response(entry.get("response"), notes)
        host, port, scheme = _endpoint(request.url, entry)
        transport = _transport(entry, scheme, notes)
        # Chrome writes "_fromCache": "memory" or "disk", Safari "_fetchType": "Memory Cache" or
        # "Disk Cache" (else "Network Load"): such a request never reached the host.
        cache = entry.get("_fromCache") or entry.get("_fetchType")
        if isinstance(cache, str) and cache.lower() in ("memory", "disk", "memory cache", "disk cache"):
            notes.append(f"served from the {cache.lower().removesuffix(' cache')} cache")
            sent, received = 0, (0 if response else None)
        return Flow(
            capture=self.context.capture,
            seq=index,
            position=f"log.entries[{index}]",
            transport=transport,
            phase=self.context.phase,
            time=self._time(entry.get("startedDateTime"), index),
            host=host,
            name_source="url" if host else None,
            server_ip=_server_ip(entry.get("serverIPAddress"), notes),
            server_port=port,
            request=request,
            response=response,
            bytes_sent=sent,
            bytes_received=received,
            notes=tuple(notes),
        )

    def _time(self, raw: object, index: int) -> datetime | None:
        """``startedDateTime`` in UTC; None (and one warning per file) when it is missing or invalid."""
        try:
            moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            moment = None
        if moment is None:
            shown = f"log.entries[{index}]: startedDateTime {repr(raw)[:60]}"
            self._warn("time", f"{shown} is not a time; flows without one kept")
            return None
        if moment.tzinfo is None:
            self._warn("naive", f"log.entries[{index}]: startedDateTime has no UTC offset; read as UTC")
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)

    def _warn(self, kind: str, message: str) -> None:
        """Add ``message`` to the context's warnings, once per ``kind`` per file."""
        if kind and kind not in self.warned:
            self.warned.add(kind)
            self.context.warnings.append(f"{self.path.name}: {message}")

    def _fault(self, message: str) -> JsonFault:
        return JsonFault(message, self.stream.byte_offset())


def _request(raw: JsonObject, notes: list[str]) -> tuple[Request, int]:
    """The request and the bytes it took on the wire (recorded, else estimated)."""
    url = raw.get("url")
    if not isinstance(url, str) or not url:
        raise _EntryFault('the request has no "url"')
    headers = _pairs(raw.get("headers"), notes, "request headers")
    full = _post_body(raw.get("postData"), notes)
    body, truncated = bounded_body(full)
    if truncated:
        notes.append(f"body truncated at {MAX_BODY_BYTES // MIB} MiB")
    declared = _size(raw.get("bodySize"))
    request = Request(
        method=_text(raw.get("method")),
        url=url,
        http_version=_protocol(raw.get("httpVersion")),
        headers=headers,
        cookies=_pairs(raw.get("cookies"), notes, "request cookies") or cookies_from_headers(headers),
        body=body,
        body_size=len(full) if full else (declared or 0),
        body_truncated=truncated,
    )
    line = f"{request.method} {url} {request.http_version}"
    sent = (_size(raw.get("headersSize")) or _head_size(line, headers)) + (
        declared if declared is not None else request.body_size
    )
    return request, sent


def _post_body(raw: object, notes: list[str]) -> bytes | None:
    """The request body from ``postData``: its text, else its form fields url-encoded."""
    if not isinstance(raw, dict):
        return None
    text = raw.get("text")
    if isinstance(text, str) and text:
        # PCAPdroid writes bodies that are not UTF-8 text base64-encoded with "encoding": "base64";
        # other writers use "_encoding", as the spec reserves "_" for custom fields.
        if "base64" in (raw.get("encoding"), raw.get("_encoding")):
            try:
                return base64.b64decode("".join(text.split()), validate=True)
            except binascii.Error:
                notes.append("request body marked base64 but is not: kept as text")
        return text.encode("utf-8", "surrogatepass")
    params = raw.get("params")
    if isinstance(params, list) and params:
        return urlencode(_pairs(params, notes, "request form fields")).encode("utf-8", "surrogatepass")
    if raw.get("_file"):  # Playwright's content: "attach" mode stores bodies beside the HAR
        notes.append("request body stored outside the HAR")
    return None


def _response(raw: object, notes: list[str]) -> tuple[Response | None, int | None]:
    """The response, when recorded, and the bytes it took on the wire (recorded, else estimated)."""
    if not isinstance(raw, dict):
        return None, None
    content = raw.get("content")
    content = content if isinstance(content, dict) else {}
    size = _size(content.get("size"))
    mime = content.get("mimeType")
    response = Response(
        status=_status(raw.get("status")),
        reason=_text(raw.get("statusText")),
        http_version=_protocol(raw.get("httpVersion")),
        headers=_pairs(raw.get("headers"), notes, "response headers"),
        body_size=size if size is not None else _size(raw.get("bodySize")),
        content_type=mime if isinstance(mime, str) and mime else None,
    )
    # Chrome writes why a request failed in "_error" (net::ERR_BLOCKED_BY_CLIENT: it never left the
    # browser), Playwright in "_failureText", mitmproxy's savehar in "_error" too.
    failure = raw.get("_error") or raw.get("_failureText")
    if isinstance(failure, str):
        notes.append(f"failed: {failure[:200]}")
    # Chrome and Safari record the bytes received, headers included, as "_transferSize".
    received = _size(raw.get("_transferSize"))
    if received is None and (response.status or response.headers):
        # Charles writes a headersSize of 0 for responses; no HTTP response has empty headers.
        line = f"{response.http_version} {response.status} {response.reason}"
        body = _size(raw.get("bodySize"))
        received = (_size(raw.get("headersSize")) or _head_size(line, response.headers)) + (
            body if body is not None else response.body_size or 0
        )
    return response, received or 0


def _transport(entry: JsonObject, scheme: str, notes: list[str]) -> Transport:
    """Websocket or plain HTTP; notes the websocket and Chrome's resource type."""
    resource = entry.get("_resourceType")
    # Chrome and mitmproxy write a websocket's frames in "_webSocketMessages" on its upgrade request.
    if "_webSocketMessages" in entry or resource == "websocket" or scheme in ("ws", "wss"):
        notes.insert(0, "websocket")
        transport = Transport.WEBSOCKET
    else:
        transport = Transport.HTTP
    if isinstance(resource, str) and resource:  # Chrome: "document", "xhr", "ping", "script", ...
        notes.append(f"resource type: {resource[:40]}")
    return transport


def _endpoint(url: str, entry: JsonObject) -> tuple[str | None, int | None, str]:
    """Host named by the URL, server port and URL scheme."""
    try:
        parts = urlsplit(url)
    except ValueError:  # a broken IPv6 literal
        return None, None, ""
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number, or out of range
        port = None
    # Safari and Playwright record the port they connected to as "_serverPort". The spec's
    # "connection" is not used: Firefox writes the server port there, but Chrome, Safari and
    # PCAPdroid write a connection id ("159834", "1"), indistinguishable from a port.
    recorded = entry.get("_serverPort")
    if isinstance(recorded, int) and not isinstance(recorded, bool) and 0 < recorded < 65536:
        port = recorded
    return parts.hostname or None, port, scheme


def _server_ip(raw: object, notes: list[str]) -> str | None:
    """``serverIPAddress`` as an IP address, or None when absent or not an address."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    # Chrome writes IPv6 addresses in brackets ("[::1]"); Firefox and Safari without.
    text = raw.strip().removeprefix("[").removesuffix("]")
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        notes.append(f"serverIPAddress {raw[:60]!r} is not an IP address")
        return None


def _pairs(raw: object, notes: list[str], what: str) -> tuple[tuple[str, str], ...]:
    """``[{"name": ..., "value": ...}, ...]`` (headers, cookies, form fields) as (name, value) pairs."""
    if not isinstance(raw, list):
        return ()
    pairs: list[tuple[str, str]] = []
    for item in raw[:MAX_PAIRS]:
        if isinstance(item, dict):
            name, value = item.get("name"), item.get("value")
            if type(name) is not str or type(value) is not str:  # the common case is kept fast
                name, value = _text(name), _text(value)
            pairs.append((name, value))
        # Slack writes headers as [name, value] lists (noted in mitmproxy's HAR reader).
        elif isinstance(item, list) and len(item) == 2:
            pairs.append((_text(item[0]), _text(item[1])))
    if len(raw) > MAX_PAIRS:
        notes.append(f"{what} cut at {MAX_PAIRS} of {len(raw)}")
    return tuple(pairs)


def _head_size(first_line: str, headers: Headers) -> int:
    """Bytes of a start line and headers as HTTP/1.1 sends them: the estimate when none is recorded."""
    return len(first_line) + 4 + sum(len(name) + len(value) + 4 for name, value in headers)


def _protocol(raw: object) -> str:
    """The protocol string in upper case, with HTTP/2 and HTTP/3 spelt one way."""
    text = _text(raw).strip().upper()
    # Chrome writes "http/2.0" and, over QUIC, "h3" (older builds "h3-29", "h3-Q050"); mitmproxy
    # writes "HTTP/2.0"; Safari and Firefox "HTTP/2" and "HTTP/3".
    if text.startswith("H3"):
        return "HTTP/3"
    return _PROTOCOLS.get(text, text)


def _status(raw: object) -> int:
    """The status code; 0 when there was no answer or the value is not a status code."""
    # The spec says a number; a quoted one ("200") is tolerated.
    status = int(raw) if isinstance(raw, str) and raw.isdecimal() and len(raw) <= 3 else _size(raw)
    return status if status is not None and status <= 999 else 0


def _size(raw: object) -> int | None:
    """A byte count; None for the spec's -1 ("not available") and anything not a count."""
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw < 2**63:
        return None
    return int(raw)


def _text(raw: object) -> str:
    """A JSON scalar as text; "" for null and for containers."""
    if isinstance(raw, str):
        return raw
    return "" if raw is None or isinstance(raw, dict | list) else str(raw)


def _device(tools: JsonObject) -> str | None:
    """``creator`` (and ``browser`` when it differs) as "name version": "Playwright 1.41.0 (chromium 121)"."""
    names: list[str] = []
    for key in ("creator", "browser"):
        tool = tools.get(key)
        if isinstance(tool, dict):
            name = " ".join(_text(tool.get(part)).strip() for part in ("name", "version")).strip()
            if name and name not in names:
                names.append(name[:100])
    if not names:
        return None
    return names[0] if len(names) == 1 else f"{names[0]} ({names[1]})"
