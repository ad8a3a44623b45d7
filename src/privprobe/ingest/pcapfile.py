"""The pcap and pcapng file formats: records, each with its timestamp, link type and byte offset.

The record loops are our own, not ``dpkt.pcap.Reader``/``dpkt.pcapng.Reader``, because an
evidence reader needs what those do not give: the byte offset of every record (to cite a fault),
lengths checked before reading (a corrupt length must not make us read the whole file), the link
type of each pcapng interface (dpkt applies the first interface's to every packet), and an error
rather than a silently short final record. They also read the file in large chunks and unpack
record headers with `struct`, which keeps them several times faster than dpkt's. dpkt parses the
rare, option-rich blocks: the pcap file header and the pcapng section and interface blocks.

Formats: pcap (draft-ietf-opsawg-pcap-04), pcapng (draft-ietf-opsawg-pcapng-02), link types from
https://www.tcpdump.org/linktypes.html.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import dpkt

from privprobe.ingest.packets import LINK_TYPES

CHUNK = 1 << 20
"""Files are read in chunks of this size; memory stays flat whatever the file size."""
MAX_RECORD = 262_144
"""Largest captured packet accepted (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD); more is corruption."""
MAX_BLOCK = 16 << 20
"""Largest pcapng block accepted; anything bigger is a corrupt length."""


class CaptureFault(Exception):
    """The file is broken at ``offset``; records before it were good."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


Record = tuple[int, int, bytes]
"""(timestamp in microseconds since the epoch, link type, frame bytes)."""


class Capture:
    """An open pcap or pcapng file; iterate `records`."""

    format: str = ""

    def __init__(self, handle: BinaryIO, head: bytes) -> None:
        self._handle = handle
        self._buf = head
        self._base = 0
        self.application: str | None = None
        """The program that wrote the file, when it says (pcapng ``shb_userappl``)."""

    def records(self) -> Iterator[Record]:
        raise NotImplementedError

    def _refill(self, pos: int, need: int) -> tuple[bytes, int]:
        """Make ``need`` bytes available from ``pos``; returns the new buffer and position."""
        rest = self._buf[pos:]
        self._base += pos
        more = self._handle.read(max(CHUNK, need - len(rest)))
        self._buf = rest + more if rest else more
        return self._buf, 0

    def _fault(self, pos: int, message: str) -> CaptureFault:
        return CaptureFault(self._base + pos, message)


def open_capture(handle: BinaryIO) -> Capture:
    """The capture in ``handle``, recognised by its magic number; `CaptureFault` if it is neither."""
    head = handle.read(CHUNK)
    if head[:4] == b"\x0a\x0d\x0d\x0a":
        return PcapngCapture(handle, head)
    if head[:4] in PCAP_MAGICS:
        return PcapCapture(handle, head)
    raise CaptureFault(0, f"not a pcap or pcapng file (starts with {head[:8].hex(' ')})")


PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1),
    b"\xa1\xb2\xc3\xd4": (">", 1),
    b"\x4d\x3c\xb2\xa1": ("<", 1000),
    b"\xa1\xb2\x3c\x4d": (">", 1000),
}
"""pcap magic as stored → (byte order, divisor from the fraction field to microseconds)."""


class PcapCapture(Capture):
    """A classic pcap file: a 24-byte header, then 16-byte record headers each followed by data."""

    format = "pcap"

    def __init__(self, handle: BinaryIO, head: bytes) -> None:
        super().__init__(handle, head)
        order, self._divisor = PCAP_MAGICS[head[:4]]
        if len(head) < 24:
            raise CaptureFault(0, f"truncated pcap file header: {len(head)} of 24 bytes")
        header = dpkt.pcap.LEFileHdr(head[:24]) if order == "<" else dpkt.pcap.FileHdr(head[:24])
        # The upper bits of the field carry FCS information (draft-ietf-opsawg-pcap §4).
        self.linktype = int(header.linktype) & 0xFFFF
        check_link_type(self.linktype, 20)
        self._record = struct.Struct(order + "IIII")

    def records(self) -> Iterator[Record]:
        unpack, divisor, linktype = self._record.unpack_from, self._divisor, self.linktype
        buf, pos = self._buf, 24
        while True:
            if pos + 16 > len(buf):
                buf, pos = self._refill(pos, 16)
                if not buf:
                    return
                if len(buf) < 16:
                    raise self._fault(pos, f"truncated record header: {len(buf)} of 16 bytes")
            sec, frac, caplen, _ = unpack(buf, pos)
            if caplen > MAX_RECORD:
                raise self._fault(pos, f"impossible captured length {caplen} (limit {MAX_RECORD} bytes)")
            end = pos + 16 + caplen
            if end > len(buf):
                buf, pos = self._refill(pos, 16 + caplen)
                end = 16 + caplen
                if end > len(buf):
                    raise self._fault(pos, f"truncated record: {len(buf) - 16} of {caplen} bytes")
            yield sec * 1_000_000 + frac // divisor, linktype, buf[pos + 16 : end]
            pos = end


def check_link_type(linktype: int, offset: int) -> None:
    """`CaptureFault` naming the link type when this module cannot decode it."""
    if linktype not in LINK_TYPES:
        known = ", ".join(f"{name} ({number})" for number, name in sorted(LINK_TYPES.items()))
        raise CaptureFault(offset, f"link type {linktype} is not supported (supported: {known})")


@dataclass(frozen=True, slots=True)
class Interface:
    """A pcapng interface: its link type and how to turn its timestamps into microseconds."""

    linktype: int
    multiplier: int
    divisor: int
    offset_us: int


SHB, IDB, EPB, SPB, OPB = 0x0A0D0D0A, 1, 6, 3, 2


class PcapngCapture(Capture):
    """A pcapng file: blocks, each with its type and length at both ends; sections may change byte order."""

    format = "pcapng"

    def __init__(self, handle: BinaryIO, head: bytes) -> None:
        super().__init__(handle, head)
        self._order = "<"
        self._interfaces: list[Interface] = []

    def records(self) -> Iterator[Record]:
        buf, pos = self._buf, 0
        while True:
            if pos + 12 > len(buf):
                buf, pos = self._refill(pos, 12)
                if not buf:
                    return
                if len(buf) < 12:
                    raise self._fault(pos, f"truncated block header: {len(buf)} of 12 bytes")
            btype, length = self._block_header(buf, pos)
            if length < 12 or length % 4 or length > MAX_BLOCK:
                raise self._fault(pos, f"corrupt block: impossible length {length}")
            if pos + length > len(buf):
                buf, pos = self._refill(pos, length)
                if length > len(buf):
                    raise self._fault(pos, f"truncated block: {len(buf)} of {length} bytes")
            (trailer,) = struct.unpack_from(self._order + "I", buf, pos + length - 4)
            if trailer != length:
                raise self._fault(pos, f"corrupt block: length {length} at its start, {trailer} at its end")
            if btype in (EPB, SPB, OPB):
                yield self._packet(btype, buf, pos, length)
            elif btype in (SHB, IDB):
                self._describe(btype, buf[pos : pos + length], pos)
            pos += length

    def _block_header(self, buf: bytes, pos: int) -> tuple[int, int]:
        if buf[pos : pos + 4] == b"\x0a\x0d\x0d\x0a":
            magic = buf[pos + 8 : pos + 12]
            if magic not in (b"\x4d\x3c\x2b\x1a", b"\x1a\x2b\x3c\x4d"):
                raise self._fault(pos, f"corrupt section header: byte-order magic {magic.hex()}")
            self._order = "<" if magic == b"\x4d\x3c\x2b\x1a" else ">"
        btype, length = struct.unpack_from(self._order + "II", buf, pos)
        return int(btype), int(length)

    def _describe(self, btype: int, block: bytes, pos: int) -> None:
        """Section header: forget the interfaces. Interface description: add one."""
        little = self._order == "<"
        try:
            if btype == SHB:
                section = (dpkt.pcapng.SectionHeaderBlockLE if little else dpkt.pcapng.SectionHeaderBlock)(
                    block
                )
                if section.v_major != 1:
                    raise self._fault(pos, f"pcapng version {section.v_major} is not supported")
                self._interfaces = []
                for option in section.opts:  # shb_userappl (pcapng §4.1)
                    if option.code == 4 and self.application is None:
                        self.application = option.data.decode("utf-8", "replace").strip("\x00 ")[:200]
                return
            idb = (
                dpkt.pcapng.InterfaceDescriptionBlockLE if little else dpkt.pcapng.InterfaceDescriptionBlock
            )(block)
        except (dpkt.UnpackError, struct.error) as error:
            kind = "section header" if btype == SHB else "interface"
            raise self._fault(pos, f"corrupt {kind} block: {error}") from None
        check_link_type(int(idb.linktype), pos)
        self._interfaces.append(_interface(int(idb.linktype), idb.opts, self._order))

    def _packet(self, btype: int, buf: bytes, pos: int, length: int) -> Record:
        order = self._order
        if btype == SPB:  # Simple Packet Block: interface 0, no timestamp (pcapng §4.4)
            (origlen,) = struct.unpack_from(order + "I", buf, pos + 8)
            iface, ts, start, caplen = 0, -1, pos + 12, min(origlen, length - 16)
        elif btype == EPB:
            iface, high, low, caplen, _ = struct.unpack_from(order + "IIIII", buf, pos + 8)
            ts, start = (high << 32) | low, pos + 28
        else:  # obsolete Packet Block (pcapng appendix A)
            iface, _, high, low, caplen, _ = struct.unpack_from(order + "HHIIII", buf, pos + 8)
            ts, start = (high << 32) | low, pos + 28
        if start + caplen > pos + length - 4:
            raise self._fault(pos, f"corrupt packet block: captured length {caplen} exceeds the block")
        if iface >= len(self._interfaces):
            raise self._fault(pos, f"packet names interface {iface}; {len(self._interfaces)} are described")
        spec = self._interfaces[iface]
        ts_us = -1 if ts < 0 else ts * spec.multiplier // spec.divisor + spec.offset_us
        return ts_us, spec.linktype, buf[start : start + caplen]


def _interface(linktype: int, options: list[object], order: str) -> Interface:
    """An interface with its timestamp resolution (if_tsresol, code 9) and offset (if_tsoffset, 14)."""
    multiplier, divisor, offset_us = 1, 1, 0
    for option in options:
        code, data = getattr(option, "code", 0), getattr(option, "data", b"")
        if code == 9 and data:
            value = data[0] & 0x7F
            if data[0] & 0x80:  # a negative power of two
                multiplier, divisor = 1_000_000, 1 << value
            else:
                multiplier, divisor = 1_000_000, 10**value
        elif code == 14 and len(data) == 8:
            offset_us = struct.unpack(order + "q", data)[0] * 1_000_000
    return Interface(linktype, multiplier, divisor, offset_us)
