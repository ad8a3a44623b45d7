"""Byte-level containers a request body may come in: compression, multipart, gRPC, protobuf.

Each decoder returns None when its input is not what it decodes, and never produces more than the
budget it is given: `decompress` stops at ``budget`` bytes of output whatever the input claims, so
a 1 KB gzip bomb of 1 GB of zeros costs ``budget`` bytes of memory and a fraction of a second.
`privprobe.enrich.fields` decides when to call them and records the notes.
"""

from __future__ import annotations

import re
import zlib
from typing import NamedTuple

import brotli
import zstandard

MiB = 1024 * 1024
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Bytes that do not occur in text (tab, line feed and carriage return excepted)."""


def sniff_compression(data: bytes) -> str | None:
    """The compression whose magic bytes start ``data`` (brotli has none: only Content-Encoding says)."""
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    if len(data) > 2 and data[0] == 0x78 and (data[0] << 8 | data[1]) % 31 == 0:  # RFC 1950 header check
        return "deflate"
    return None


class Decompressed(NamedTuple):
    data: bytes | None
    """The output, None when the input is not of this codec."""
    cut: bool = False
    """True when the output reached the budget."""
    complete: bool = True
    """False when the stream ended before its end marker (a truncated body)."""


def decompress(data: bytes, codec: str, budget: int) -> Decompressed:
    """``data`` decompressed by ``codec``, never more than ``budget`` bytes of output."""
    try:
        if codec in ("gzip", "x-gzip"):
            return _inflate(data, 31, budget)
        if codec == "deflate":  # RFC 9110 says zlib; some servers send raw deflate
            try:
                return _inflate(data, 15, budget)
            except zlib.error:
                return _inflate(data, -15, budget)
        if codec == "br":
            return _unbrotli(data, budget)
        if codec == "zstd":
            reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
            out = bytearray()
            while len(out) <= budget and (piece := reader.read(min(MiB, budget + 1 - len(out)))):
                out += piece
            return Decompressed(bytes(out[:budget]), len(out) > budget)
    except (zlib.error, brotli.error, zstandard.ZstdError):
        return Decompressed(None)
    return Decompressed(None)


def _inflate(data: bytes, wbits: int, budget: int) -> Decompressed:
    """zlib-family streams, member after member (concatenated gzip), bounded by ``budget``."""
    out, rest, complete = bytearray(), data, True
    while rest and len(out) <= budget:
        engine = zlib.decompressobj(wbits)
        out += engine.decompress(rest, budget + 1 - len(out))
        complete = engine.eof
        rest = engine.unused_data if engine.eof else b""
        if rest[:2] != b"\x1f\x8b":
            break
    if not out and not complete:
        return Decompressed(None)
    return Decompressed(bytes(out[:budget]), len(out) > budget, complete or len(out) > budget)


def _unbrotli(data: bytes, budget: int) -> Decompressed:
    # brotli 1.1 has no output limit, and one input byte can finish a 16 MiB meta-block: feed it a few
    # bytes at a time so a bomb overshoots the budget by tens of MiB at most, then stop.
    engine, out = brotli.Decompressor(), bytearray()
    for start in range(0, len(data), 32):
        out += engine.process(data[start : start + 32])
        if len(out) > budget:
            return Decompressed(bytes(out[:budget]), True)
    return Decompressed(bytes(out), False, engine.is_finished())


def grpc_message(data: bytes) -> bytes | None:
    """The first message of a gRPC body: a 5-byte prefix (compressed flag, big-endian length)."""
    if len(data) < 5 or data[0] not in (0, 1):
        return None
    message = data[5 : 5 + int.from_bytes(data[1:5], "big")]
    return message or None


class Part(NamedTuple):
    name: str
    content_type: str
    data: bytes


_BOUNDARY = re.compile(r'boundary="?([^";,]+)"?', re.IGNORECASE)
_PART_NAME = re.compile(rb'name="([^"]*)"', re.IGNORECASE)
_PART_TYPE = re.compile(rb"^content-type:\s*([^\r\n]+)", re.IGNORECASE | re.MULTILINE)


def multipart(data: bytes, content_type: str) -> list[Part] | None:
    """The parts of a multipart body (RFC 7578), by the declared boundary or the body's first line."""
    declared = _BOUNDARY.search(content_type) if content_type.lower().startswith("multipart/") else None
    if declared:
        boundary = declared.group(1).encode()
    elif data.startswith(b"--") and b"\r\n" in data[:200]:
        boundary = data[2 : data.index(b"\r\n")].strip()
    else:
        return None
    parts = []
    for number, chunk in enumerate(data.split(b"--" + boundary)[1:]):
        if chunk.startswith(b"--"):
            break
        head, found, body = chunk.lstrip(b"\r\n").partition(b"\r\n\r\n")
        if not found:
            continue
        name = _PART_NAME.search(head)
        kind = _PART_TYPE.search(head)
        label = name.group(1).decode("utf-8", "replace") if name else f"part{number}"
        parts.append(
            Part(label, kind.group(1).decode("latin-1").lower() if kind else "", body.removesuffix(b"\r\n"))
        )
    return parts or None


def protobuf_strings(data: bytes, depth: int = 0) -> list[tuple[str, bytes]] | None:
    """The printable length-delimited fields of a protobuf message, by field-number path (``1.3``),
    nested messages included; None when ``data`` does not parse as protobuf wire format."""
    found: list[tuple[str, bytes]] = []
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if number == 0 or position < 0:
            return None
        if wire == 0:
            position = _varint(data, position)[1]
        elif wire in (1, 5):
            position += 8 if wire == 1 else 4
        elif wire == 2:
            length, position = _varint(data, position)
            value = data[position : position + length]
            position += length
            if position > len(data) or position < 0:
                return None
            nested = None if is_text(value) or depth > 8 else protobuf_strings(value, depth + 1)
            found += (
                [(f"{number}.{sub}", v) for sub, v in nested]
                if nested
                else [(str(number), value)]
                if is_text(value)
                else []
            )
        else:
            return None
        if position < 0:
            return None
    return found if position == len(data) else None


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """A base-128 varint at ``position`` and the position after it; (0, -1) when malformed."""
    value = shift = 0
    while position < len(data) and shift < 64:
        byte = data[position]
        value |= (byte & 0x7F) << shift
        position += 1
        if byte < 0x80:
            return value, position
        shift += 7
    return 0, -1


def is_text(value: bytes) -> bool:
    if not value or CONTROL.search(value):
        return False
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
