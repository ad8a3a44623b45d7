"""A flow taken apart into the fields that may carry personal data, decoding every container.

`fields` yields, for one flow: the host, ``url.path``, the raw ``url.query`` and each parameter
(``query.<name>``), each header (``header:<lower name>``), each cookie (``cookie:<name>``), the raw
body (``body``, always, so nothing that fails to decode is missed), then what decodes out of them,
recursively: compression (Content-Encoding, or gzip/zlib/zstd magic bytes), gRPC framing, JSON at
any depth (``body.user.phone``, ``body.items[0].id``, also JSON inside strings, parameters and
cookies), forms (``body.<key>``), multipart parts (``body.<part name>``), base64 and JWTs, URL-encoded
JSON, and the printable length-delimited strings of protobuf-like binary (``body.1.3``: field
numbers). A decoded field keeps its path and adds the decoding to its ``chain``, from the wire
inwards: the e-mail in a gzip JSON body is ``body.user.email`` with chain ``("gzip", "json")``. The
decoding of a query string or cookie header itself is not in the chain: it is how HTTP carries
them, not an encoding of the value.

Captured traffic is hostile input: every decoder is bounded by `Limits`, and when one stops, a
sentence goes into the `Notes` the caller passed (``body: gzip stopped at 32 MiB (limit)``).
Decoding is attempted only where a cheap test says it may work: magic bytes before decompressing,
an opening bracket before parsing JSON, the base64 alphabet and a minimum length before base64.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from dataclasses import field as attribute
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import unquote_plus, unquote_to_bytes, urlsplit

from privprobe.enrich import containers
from privprobe.enrich.containers import CONTROL, MiB
from privprobe.model import Flow, Headers

_NO_SIBLINGS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on the work done for one flow, so that hostile input can neither crash nor stall a scan."""

    max_bytes: int = 32 * MiB
    """Largest decompressed body, and the most of any one field that is searched."""
    max_ratio: int = 200
    """Bomb guard: decompression stops at this multiple of the compressed size (beyond the first MiB)."""
    max_json_depth: int = 64
    """Deepest JSON nesting listed as fields; deeper values are still in the searched container."""
    max_fields: int = 20_000
    """Most fields listed per flow."""
    max_layers: int = 4
    """Most decodings stacked on one value (gzip → json → base64 → json is four)."""
    min_base64: int = 16
    """Shortest value tried as base64, in characters."""


class Notes:
    """Collects what a scan had to leave out or cut, each sentence once, in order."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, text: str) -> None:
        """Record ``text`` unless it is already recorded."""
        if text not in self.items:
            self.items.append(text)


@dataclass(frozen=True, slots=True)
class Field:
    """One value of a flow, raw or decoded, with where it sits."""

    path: str
    """Where it sits: ``url.path``, ``query.em``, ``header:x-device-id``, ``cookie:_fbp``, ``body.user.phone``."""
    key: str | None
    """Its own name (the parameter, header, cookie or JSON key; an array's key for its items)."""
    data: bytes
    """Its bytes, after the decodings in ``chain``."""
    chain: tuple[str, ...] = ()
    """The decodings that produced it, from the wire inwards (``("gzip", "json")``)."""
    siblings: Mapping[str, str] = attribute(default_factory=lambda: _NO_SIBLINGS)
    """Other values at the same level (same JSON object, query, form, cookie header), by key."""
    index: int = 0
    """Its number among the flow's fields, from 0."""
    parent: int | None = None
    """Index of the field it was decoded from; None for fields read straight off the flow."""
    verbatim: bool = False
    """True when ``data`` appears byte for byte inside the parent (JSON without escapes), so a search
    of the parent has already looked at it."""


def fields(
    flow: Flow, limits: Limits | None = None, notes: Notes | None = None, every: Every | None = None
) -> Iterator[Field]:
    """Every field of ``flow``, raw fields first, then what decodes out of each; see the module doc.

    ``every`` is asked, for each JSON document without escapes, whether to list all its values; when
    it answers False (the document was searched whole and nothing matched), only the values that
    may decode further are listed. By default every value is.
    """
    yield from _Walk(limits or Limits(), notes if notes is not None else Notes(), every).flow(flow)


Every = Callable[[Field], bool]
"""Asked with a JSON document's field: list every value of it?"""


_B64 = re.compile(rb"[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}")
_JWT = re.compile(rb"(?:Bearer +)?(eyJ[A-Za-z0-9_-]+)\.(eyJ[A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*")
_AUTH = re.compile(rb"(?:Basic|Bearer|Token) +([A-Za-z0-9+/_-]+={0,2})", re.IGNORECASE)
_FORM = re.compile(rb"[^=&\s]+=[^&\s]*(?:&[^=&\s]*=?[^&\s]*)*")
_JSON_START = re.compile(rb"\s*[\[{]")
_URL_ESCAPED = re.compile(rb"(?:[\w.~+/=-]|%[0-9A-Fa-f]{2})+")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$@-]{1,64}")
_LIST_INDEX = re.compile(r"(?:\[\d+\])+$")
_BINARY_TYPES = ("protobuf", "grpc", "octet-stream", "thrift", "x-google")
_URLSAFE = bytes.maketrans(b"-_", b"+/")


class _Number(str):
    """A JSON number as it was written (``37.56650`` stays ``37.56650``, not ``37.5665``)."""


class _Hint(NamedTuple):
    """What is known about a value from outside it."""

    content_type: str = ""
    """As sent: the multipart boundary is case-sensitive."""
    codecs: tuple[str, ...] = ()
    """Content-Encodings still to undo, outermost first; ``("",)``: none, and do not sniff."""
    whole: bool = False
    """A whole body or part (may be a form, multipart or protobuf), not a value inside one."""


_VALUE = _Hint()
"""A value inside a body, header or parameter: nothing known about it."""


class _Place(NamedTuple):
    """Where the values of one parsed JSON document go."""

    chain: tuple[str, ...]
    parent: int
    verbatim: bool
    every: bool
    """List every value, not only those that may decode further."""


class _Walk:
    """One flow's walk: numbers the fields, enforces the limits, writes the notes."""

    def __init__(self, limits: Limits, notes: Notes, every: Every | None) -> None:
        self.limits = limits
        self.notes = notes
        self.every = every
        self.count = 0
        """Fields listed so far; the next field's index."""

    def add(self, field: Field) -> Field | None:
        """``field`` (built with ``index=self.count``) counted, cut to size; None past the field limit."""
        if self.count >= self.limits.max_fields:
            self.notes.add(f"field limit ({self.limits.max_fields:,}) reached: later fields not listed")
            return None
        self.count += 1
        if len(field.data) > self.limits.max_bytes:
            size, limit = len(field.data) / MiB, self.limits.max_bytes // MiB
            self.notes.add(f"{field.path}: {size:.1f} MiB, searched in its first {limit} MiB (limit)")
            return replace(field, data=field.data[: self.limits.max_bytes])
        return field

    def value(self, field: Field, hint: _Hint = _VALUE) -> Iterator[Field]:
        """``field`` and whatever decodes out of it."""
        if (added := self.add(field)) is not None:
            yield added
            yield from self.decode(added, hint)

    def layer(self, parent: Field, data: bytes, name: str, hint: _Hint = _VALUE) -> Iterator[Field]:
        """``parent`` decoded by ``name`` into ``data``: same path, one more step in the chain."""
        chain = (*parent.chain, name)
        yield from self.value(
            Field(parent.path, parent.key, data, chain, parent.siblings, self.count, parent.index), hint
        )

    def flow(self, flow: Flow) -> Iterator[Field]:
        if flow.host:
            yield from self.value(Field("host", None, _utf8(flow.host), index=self.count))
        request = flow.request
        if request is None:
            return
        path, query = _path_and_query(request.url)
        yield from self.value(Field("url.path", None, _utf8(path), index=self.count))
        if query:
            yield from self.query(query)
        yield from self.headers(request.headers, request.cookies)
        if request.body:
            codecs = [c.strip() for c in (request.header("content-encoding") or "").lower().split(",")]
            outermost_first = tuple(c for c in reversed(codecs) if c not in ("", "identity"))
            hint = _Hint(request.header("content-type") or "", outermost_first, whole=True)
            yield from self.value(Field("body", None, request.body, index=self.count), hint)

    def query(self, query: str) -> Iterator[Field]:
        raw = self.add(Field("url.query", None, _utf8(query), index=self.count))
        if raw is None:
            return
        yield raw
        pairs = [part.partition("=") for part in query.split("&") if part]
        values = [
            (unquote_plus(name), unquote_to_bytes(value.replace("+", " ")), eq) for name, eq, value in pairs
        ]
        siblings = {name: value[:256].decode("utf-8", "replace") for name, value, _ in values[:64]}
        for name, value, eq in values:
            # A parameter without "=" is a bare value (``?eyJ...``): search it as one.
            path, key, data = (f"query.{name}", name, value) if eq else ("query", None, _utf8(name))
            yield from self.value(Field(path, key, data, (), siblings, self.count, raw.index))

    def headers(self, headers: Headers, cookies: tuple[tuple[str, str], ...]) -> Iterator[Field]:
        siblings = {name.lower(): value[:256] for name, value in headers[:64]}
        cookie_header: int | None = None
        for name, value in headers:
            field = Field(f"header:{name.lower()}", name.lower(), _utf8(value), (), siblings, self.count)
            if name.lower() == "cookie":  # its cookies follow, one field each
                cookie_header = self.count
                if (added := self.add(field)) is not None:
                    yield added
            else:
                yield from self.value(field)
        jar = {name: value[:256] for name, value in cookies[:64]}
        for name, value in cookies:
            yield from self.value(
                Field(f"cookie:{name}", name, _utf8(value), (), jar, self.count, cookie_header)
            )

    def decode(self, field: Field, hint: _Hint) -> Iterator[Field]:
        """What decodes out of ``field``: the first decoder whose cheap test passes and that succeeds."""
        data = field.data
        if len(data) < 2:
            return
        if len(field.chain) >= self.limits.max_layers:
            if containers.sniff_compression(data) or _JSON_START.match(data) or self.base64_token(data):
                self.notes.add(f"{field.path}: not decoded past {self.limits.max_layers} layers (limit)")
            return
        codec = hint.codecs[0] if hint.codecs else containers.sniff_compression(data)
        if codec:
            yield from self.decompress(field, codec, hint)
        elif hint.content_type.lower().startswith("application/grpc") and (
            message := containers.grpc_message(data)
        ):
            yield from self.layer(field, message, "grpc", _Hint("application/protobuf", whole=True))
        elif _JSON_START.match(data) and (tree := self.parse_json(field)) is not None:
            verbatim = b"\\" not in data
            every = not verbatim or self.every is None or self.every(field)
            yield from self.json(
                tree, field.path, _Place((*field.chain, "json"), field.index, verbatim, every)
            )
        elif hint.whole and (parts := containers.multipart(data, hint.content_type)) is not None:
            yield from self.multipart(field, parts)
        elif (tokens := self.base64_token(data)) is not None:
            yield from self.base64(field, tokens)
        elif b"=" in data and self.is_form(data, hint):
            yield from self.form(field)
        elif b"%" in data and _URL_ESCAPED.fullmatch(data):
            unquoted = unquote_to_bytes(data)
            if _JSON_START.match(unquoted) or self.base64_token(unquoted) is not None:
                yield from self.layer(field, unquoted, "url")
        elif hint.whole and (
            any(t in hint.content_type.lower() for t in _BINARY_TYPES) or CONTROL.search(data[:64])
        ):
            yield from self.protobuf(field)

    def decompress(self, field: Field, codec: str, hint: _Hint) -> Iterator[Field]:
        limit, ratio = self.limits.max_bytes, self.limits.max_ratio
        budget = min(max(ratio * len(field.data), MiB), limit)
        result = containers.decompress(field.data, codec, budget)
        if result.data is None:
            self.notes.add(f"{field.path}: {codec} expected but it does not decompress; searched as sent")
            # Servers mislabel bodies: decode it as it is ("" = no compression, do not sniff again).
            yield from self.decode(field, hint._replace(codecs=("",)))
            return
        if result.cut:
            why = "limit" if budget == limit else f"{ratio}× the compressed size: bomb guard"
            self.notes.add(f"{field.path}: {codec} decompression stopped at {budget / MiB:.1f} MiB ({why})")
        elif not result.complete:
            self.notes.add(
                f"{field.path}: {codec} stream ends early (truncated body?); its start is searched"
            )
        yield from self.layer(field, result.data, codec, hint._replace(codecs=hint.codecs[1:]))

    def parse_json(self, field: Field) -> dict[str, Any] | list[Any] | None:
        try:
            tree = json.loads(field.data, parse_float=_Number, parse_int=_Number)
        except RecursionError:
            self.notes.add(f"{field.path}: JSON nested deeper than the parser allows; searched as text only")
            return None
        except ValueError:
            return None
        return tree if isinstance(tree, dict | list) else None

    def json(
        self, node: dict[str, Any] | list[Any], path: str, place: _Place, depth: int = 1
    ) -> Iterator[Field]:
        """The string and number values of a parsed JSON tree as fields (null and booleans are skipped)."""
        if isinstance(node, dict):
            items = [(_join(path, name), name, value) for name, value in node.items()]
            siblings: Mapping[str, str] = {k: v[:256] for k, v in node.items() if isinstance(v, str)}
        else:
            key = _LIST_INDEX.sub("", path).rsplit(".", 1)[-1]
            items = [(f"{path}[{number}]", key, value) for number, value in enumerate(node)]
            siblings = _NO_SIBLINGS
        for child, key, value in items:
            if isinstance(value, str):
                decodable = self.may_decode(value)
                if not (place.every or decodable):
                    continue
                field = Field(
                    child, key, _utf8(value), place.chain, siblings, self.count, place.parent, place.verbatim
                )
                if (added := self.add(field)) is not None:
                    yield added
                    if decodable:
                        yield from self.decode(added, _VALUE)
            elif isinstance(value, dict | list):
                if depth >= self.limits.max_json_depth:
                    self.notes.add(
                        f"{path}: JSON deeper than {self.limits.max_json_depth} levels not listed (limit)"
                    )
                    continue
                yield from self.json(value, child, place, depth + 1)

    def may_decode(self, value: str) -> bool:
        """Whether `decode` could find anything in a JSON string: the cheap tests it starts with."""
        return (
            len(value) >= self.limits.min_base64
            or "%" in value
            or "=" in value
            or value.lstrip()[:1] in ("{", "[")
        )

    def is_form(self, data: bytes, hint: _Hint) -> bool:
        content_type = hint.content_type.lower()
        if "x-www-form-urlencoded" in content_type:
            return True
        if hint.whole and content_type.split(";")[0].strip() not in ("", "text/plain"):
            return False
        # Inside a value, "a=b" alone is more often base64 padding or a label than a form: ask for two pairs.
        return (hint.whole or b"&" in data) and _FORM.fullmatch(data) is not None

    def form(self, field: Field) -> Iterator[Field]:
        pairs = [part.partition(b"=") for part in field.data.split(b"&") if part]
        values = [
            (unquote_plus(k.decode("utf-8", "replace")), unquote_to_bytes(v.replace(b"+", b" ")))
            for k, _, v in pairs
        ]
        siblings = {name: value[:256].decode("utf-8", "replace") for name, value in values[:64]}
        chain = (*field.chain, "form")
        for name, value in values:
            yield from self.value(
                Field(_join(field.path, name), name, value, chain, siblings, self.count, field.index)
            )

    def multipart(self, field: Field, parts: list[containers.Part]) -> Iterator[Field]:
        siblings = {part.name: part.data[:256].decode("utf-8", "replace") for part in parts[:64]}
        chain = (*field.chain, "multipart")
        for part in parts:
            node = Field(
                _join(field.path, part.name), part.name, part.data, chain, siblings, self.count, field.index
            )
            yield from self.value(node, _Hint(part.content_type, whole=True))

    def base64_token(self, data: bytes) -> list[bytes] | None:
        """The pieces of ``data`` worth base64-decoding (itself, a JWT's header and claims, an
        Authorization credential), or None."""
        if not self.limits.min_base64 <= len(data) <= self.limits.max_bytes:
            return None
        if jwt := _JWT.fullmatch(data):
            return [jwt.group(1), jwt.group(2)]
        if auth := _AUTH.fullmatch(data):
            data = auth.group(1)
        if len(data) >= self.limits.min_base64 and _B64.fullmatch(data) and len(data.rstrip(b"=")) % 4 != 1:
            return [data]
        return None

    def base64(self, field: Field, tokens: list[bytes]) -> Iterator[Field]:
        name = "jwt" if len(tokens) == 2 else "base64"
        for token in tokens:
            decoded = _b64decode(token)
            if decoded is not None and (name == "jwt" or _worth_keeping(decoded)):
                yield from self.layer(field, decoded, name)

    def protobuf(self, field: Field) -> Iterator[Field]:
        chain = (*field.chain, "protobuf")
        for number, value in containers.protobuf_strings(field.data) or ():
            yield from self.value(
                Field(f"{field.path}.{number}", number, value, chain, index=self.count, parent=field.index)
            )


def _path_and_query(url: str) -> tuple[str, str]:
    """The path and query of ``url``; for a URL ``urlsplit`` rejects (``http://[::1/``), everything
    after the scheme's ``//`` up to ``?`` is the path."""
    try:
        parts = urlsplit(url)
    except ValueError:
        rest, _, query = url.partition("?")
        return rest, query.partition("#")[0]
    return parts.path, parts.query


def _join(path: str, key: str) -> str:
    """``path.key``, or ``path["odd key"]`` for keys that are not plain names (cut at 64 characters)."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key[:64], ensure_ascii=False)}]"


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _b64decode(token: bytes) -> bytes | None:
    bare = token.rstrip(b"=")
    padded = bare.translate(_URLSAFE) + b"=" * (-len(bare) % 4)
    try:
        return binascii.a2b_base64(padded, strict_mode=True)
    except binascii.Error:
        return None


def _worth_keeping(decoded: bytes) -> bool:
    """Decoded base64 is kept when it is compressed data or printable UTF-8 text (JSON among it);
    anything else is a binary token (a random id, a signature) that decodes to nothing useful."""
    return containers.sniff_compression(decoded) is not None or containers.is_text(decoded)
