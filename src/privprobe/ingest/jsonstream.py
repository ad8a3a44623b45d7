"""Streaming JSON input: walk a huge JSON document one value at a time, in bounded memory.

The standard library parses whole documents only. `JsonStream` walks the outer structure itself (the
``{``, ``[``, ``:`` and ``,`` between values) and hands each inner value to the C-accelerated
``json.JSONDecoder.raw_decode``, so no Python loop ever runs over the characters of a value. The
text is kept in a buffer refilled chunk by chunk from a byte iterator and decoded by an incremental
UTF-8 decoder, so a character split across two chunks is decoded whole. Memory is bounded by the
largest single value read, which is itself capped at ``max_value`` bytes of input.

Example, the elements of a top-level array, one at a time::

    stream = JsonStream(iter([b'[1, {"a": 2}]']))
    for _ in stream.elements():
        print(stream.value())

Faults (invalid JSON, truncated input, a value over the cap, bytes that are not UTF-8) are raised as
`JsonFault` with the byte offset where they were found. `byte_chunks` feeds it from a file that may
be gzip or zlib compressed, inflating a bounded amount at a time.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from typing import IO

MIB = 1024 * 1024
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
# An error reported this close to the end of the buffer may only mean the value goes on in the next
# chunk: a `\ud83d\ude00` escape cut short is reported up to 5 characters back, `fals` 4, `1e-` 2.
_TAIL_MARGIN = 16


class JsonFault(Exception):
    """The input is not the JSON expected; ``offset`` is the byte where that was found."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class SourceFault(Exception):
    """Raised by a chunk iterator that cannot go on (damaged compressed data, an I/O error);
    `JsonStream` reports it as a `JsonFault` at the end of what was read."""


class JsonStream:
    """Reads JSON text from ``chunks`` (bytes, UTF-8, with or without a byte order mark) one value
    at a time. ``max_value`` caps the bytes of a single value; ``offset`` counts bytes of the input
    that precede ``chunks``, for the offsets reported."""

    def __init__(self, chunks: Iterable[bytes], *, max_value: int = 64 * MIB, offset: int = 0) -> None:
        self._chunks = iter(chunks)
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._max_value = max_value
        self._buf = ""
        self._pos = 0
        self._base_chars = 0
        """Characters of the input before ``_buf[0]``."""
        self._base_bytes = offset
        """Bytes of the input before ``_buf[0]``; ``offset`` counts bytes skipped before ``chunks``."""
        self._fed = offset
        """Bytes of the input handed to the UTF-8 decoder so far."""
        self._eof = False
        self._started = False
        self._broken: JsonFault | None = None
        """A fault met in the input ahead of the parser, raised when the parser reaches it."""

    def mark(self) -> int:
        """The current position, cheap to take; `byte_offset` turns it into a byte offset."""
        return self._base_chars + self._pos

    def byte_offset(self, mark: int | None = None) -> int:
        """Byte offset of ``mark`` (default: the current position), if it is still in the buffer."""
        index = self._pos if mark is None else max(0, mark - self._base_chars)
        return self._base_bytes + len(self._buf[:index].encode("utf-8", "surrogatepass"))

    def peek(self) -> str:
        """The next character that is not whitespace, without consuming it; ``""`` at the end."""
        while True:
            match = _WHITESPACE.match(self._buf, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if self._eof:
                return ""
            self._fill(1)

    def expect(self, allowed: str) -> str:
        """Consume and return the next character, which must be one of ``allowed``."""
        found = self.peek()
        if not found or found not in allowed:
            shown = repr(found) if found else "the end of the file"
            wanted = " or ".join(repr(char) for char in allowed)
            raise self._fault(f"expected {wanted}, found {shown}", truncated=not found)
        self._pos += 1
        return found

    def value(self) -> object:
        """Parse and consume the next value, whatever it is."""
        self.peek()
        need = 1
        while True:
            try:
                result, end = _DECODER.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as error:
                if self._eof or not self._may_continue(error):
                    truncated = self._eof and self._may_continue(error)
                    mark = self._base_chars + (len(self._buf) if truncated else error.pos)
                    raise self._fault(f"invalid JSON: {error.msg}", mark=mark, truncated=truncated) from None
            except RecursionError:
                raise self._fault("JSON nested too deeply") from None
            except ValueError as error:  # e.g. an integer longer than sys.get_int_max_str_digits()
                raise self._fault(f"invalid JSON value: {error}") from None
            else:
                # Only a number can end exactly at the end of the buffer and still go on.
                if end < len(self._buf) or self._eof:
                    self._check_size(end - self._pos)
                    self._pos = end
                    return result
            self._grow(need)
            need = max(need * 2, len(self._buf) - self._pos)

    def members(self) -> Iterator[str]:
        """Enter an object and yield its keys; the caller consumes each value before the next key."""
        self.expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            found = self.peek()
            if found != '"':
                raise self._fault("expected a property name in double quotes", truncated=not found)
            key = self.value()
            assert isinstance(key, str)
            self.expect(":")
            yield key
            if self.expect(",}") == "}":
                return

    def elements(self) -> Iterator[int]:
        """Enter an array and yield the index of each element; the caller consumes each element."""
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        index = 0
        while True:
            yield index
            if self.expect(",]") == "]":
                return
            index += 1

    def skip(self) -> None:
        """Consume the next value; a container is walked one member at a time to bound memory."""
        first = self.peek()
        if first == "[":
            for _ in self.elements():
                self.value()
        elif first == "{":
            for _ in self.members():
                self.value()
        else:
            self.value()

    def _may_continue(self, error: json.JSONDecodeError) -> bool:
        """Whether ``error`` may only mean that the value goes on past the end of the buffer."""
        if error.msg.startswith("Unterminated string"):
            return True
        rest = self._buf[error.pos :]
        return len(rest) <= _TAIL_MARGIN and not any(mark in rest for mark in ",:]}")

    def _grow(self, need: int) -> None:
        """Read more of the unfinished value at the current position; a fault once it is over
        ``max_value`` bytes. Reading stops one chunk past the cap, so memory stays bounded."""
        self._compact()
        self._check_size(self._decoded_bytes())
        self._read(need, limit=self._max_value)

    def _check_size(self, size: int) -> None:
        """Fault if ``size`` (bytes, or characters: never more than bytes) is over ``max_value``."""
        if size > self._max_value:
            limit = f"{self._max_value / MIB:g} MiB"
            raise self._fault(f"a single JSON value is larger than {limit}; refused to bound memory")

    def _fill(self, need: int) -> None:
        """Drop what was consumed and append at least ``need`` characters, or all that is left."""
        self._compact()
        self._read(need)

    def _compact(self) -> None:
        """Drop the consumed text from the buffer, counting its bytes by the shorter side."""
        if not self._pos:
            return
        rest = self._buf[self._pos :]
        if len(rest) < self._pos:  # all text decoded so far is in the buffer, so the rest ends it
            self._base_bytes = self._fed - len(self._decoder.getstate()[0]) - _utf8_length(rest)
        else:
            self._base_bytes += _utf8_length(self._buf[: self._pos])
        self._base_chars += self._pos
        self._buf, self._pos = rest, 0

    def _read(self, need: int, limit: int | None = None) -> None:
        """Append at least ``need`` characters, all that is left, or until the buffer passes ``limit`` bytes."""
        parts = [self._buf]
        added = 0
        while added < need and not self._eof:
            text = self._next_text()
            parts.append(text)
            added += len(text)
            if limit is not None and self._decoded_bytes() > limit:
                break
        self._buf = "".join(parts)

    def _decoded_bytes(self) -> int:
        """Bytes of input decoded from the start of the buffer on."""
        return self._fed - self._base_bytes - len(self._decoder.getstate()[0])

    def _next_text(self) -> str:
        """The next chunk decoded, without the byte order mark RFC 8259 §8.1 lets parsers ignore."""
        if self._broken is not None:
            raise self._broken
        held = self._decoder.getstate()[0]  # the start of a character split across chunks
        try:
            chunk = next(self._chunks, None)
        except SourceFault as fault:
            raise JsonFault(str(fault), self._fed - len(held)) from None
        self._eof = chunk is None
        data = chunk or b""
        try:
            text = self._decoder.decode(data, final=self._eof)
            self._fed += len(data)
        except UnicodeDecodeError as error:
            # Keep the text before the bad byte, so the values before it are still read; the fault
            # is raised when the parser needs what follows.
            text = (held + data)[: error.start].decode("utf-8")
            self._fed += error.start - len(held)
            self._broken = JsonFault(f"not UTF-8 text ({error.reason})", self._fed)
            self._decoder.reset()
            self._eof = False
        if not self._started and text:
            self._started = True
            if text.startswith("\ufeff"):
                self._base_bytes += 3
                text = text[1:]
        return text

    def _fault(self, message: str, *, mark: int | None = None, truncated: bool = False) -> JsonFault:
        """A `JsonFault` at ``mark`` (default: the current position)."""
        if truncated:
            message = f"the file ends inside this value: it was cut short ({message})"
        return JsonFault(message, self.byte_offset(mark))


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def has_top_level_key(head: bytes, key: str) -> bool | None:
    """Whether the JSON object that ``head`` starts has ``key`` at its top level; None when ``head``
    ends (or stops being JSON) before that is known."""
    stream = JsonStream([head], max_value=len(head))
    try:
        for found in stream.members():
            if found == key:
                return True
            stream.skip()
    except JsonFault:
        return None
    return False


def compression(head: bytes) -> str | None:
    """``"gzip"`` or ``"zlib"`` when ``head`` starts a compressed stream, else None."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    # RFC 1950 §2.2: method 8 (deflate) in the low nibble, window ≤ 32 KiB, header a multiple of 31.
    if len(head) >= 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (head[0] << 8 | head[1]) % 31 == 0:
        return "zlib"
    return None


def inflate_head(head: bytes) -> bytes:
    """The first bytes of the content: ``head`` itself, or inflated when compressed (b"" if broken)."""
    if not compression(head):
        return head
    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 32).decompress(head, 4 * len(head))
    except zlib.error:
        return b""


def byte_chunks(handle: IO[bytes], size: int) -> tuple[str | None, Iterator[bytes]]:
    """The compression of the seekable ``handle`` and its content, ``size`` bytes at a time."""
    found = compression(handle.read(4))
    handle.seek(0)
    if found == "gzip":
        return found, _gunzipped(handle, size)
    if found == "zlib":
        return found, _inflated(handle, size)
    return None, _plain(handle, size)


def _plain(handle: IO[bytes], size: int) -> Iterator[bytes]:
    try:
        while chunk := handle.read(size):
            yield chunk
    except OSError as error:
        raise SourceFault(f"cannot read the file: {error.strerror or error}") from None


def _gunzipped(handle: IO[bytes], size: int) -> Iterator[bytes]:
    try:
        with gzip.GzipFile(fileobj=handle) as unzipped:
            while chunk := unzipped.read1(size):  # read() would wait for `size` bytes, or a fault
                yield chunk
    except (OSError, EOFError, zlib.error) as error:  # BadGzipFile is an OSError
        raise SourceFault(f"the gzip data is damaged or cut short ({error})") from None


def _inflated(handle: IO[bytes], size: int) -> Iterator[bytes]:
    """A zlib stream inflated ``size`` bytes at most at a time, so a zip bomb cannot fill memory."""
    inflater = zlib.decompressobj()
    while not inflater.eof:
        data = inflater.unconsumed_tail or handle.read(size)
        try:
            chunk = inflater.decompress(data, size)
        except zlib.error as error:
            raise SourceFault(f"the zlib data is damaged ({error})") from None
        if chunk:
            yield chunk
        elif not data:
            raise SourceFault("the compressed data ends early: the file was cut short")
