"""Link, IP, TCP and UDP headers decoded with `struct`: the hot path of the pcap reader.

One dpkt object tree per packet (``dpkt.ethernet.Ethernet(frame)``) would cap the reader near
90,000 packets/s on a 2-core machine before any flow logic (measured on the nDPI captures); plain
`struct` unpacking of only the fields a flow needs is several times faster. `StreamStart` puts the
first bytes of a TCP direction back in order.

Link types from https://www.tcpdump.org/linktypes.html.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

LINK_TYPES = {
    0: "BSD loopback (NULL)",
    1: "Ethernet",
    12: "raw IP",
    14: "raw IP",
    101: "raw IP",
    108: "OpenBSD loopback (LOOP)",
    113: "Linux cooked (SLL)",
    228: "raw IPv4",
    229: "raw IPv6",
    276: "Linux cooked v2 (SLL2)",
}
"""The link types this module decodes (tcpdump.org LINKTYPE_ values)."""

TCP, UDP = 6, 17
FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10


class Segment(NamedTuple):
    """One TCP segment or UDP datagram; the payload is ``frame[start:start + size]``."""

    proto: int
    src: bytes
    dst: bytes
    sport: int
    dport: int
    flags: int
    seq: int
    frame: bytes
    start: int
    size: int
    """Payload bytes present in the capture (less than ``wire`` when the snap length cut it)."""
    wire: int
    """Payload bytes the IP and transport headers say were sent."""


# --- link layer -------------------------------------------------------------------------------

Decoded = Segment | str
"""A segment, or why the packet carries none (``"fragment"``, ``"not ip"``, ``"other"``, ``"malformed"``)."""

ETHERTYPE_IPV4, ETHERTYPE_IPV6 = 0x0800, 0x86DD
VLAN_TAGS = (0x8100, 0x88A8, 0x9100)
BSD_AF_INET6 = (10, 24, 28, 30)  # Linux, NetBSD/OpenBSD, FreeBSD, macOS


def decode(linktype: int, frame: bytes) -> Decoded:
    """The TCP or UDP segment in ``frame``, or the reason there is none. Never raises."""
    try:
        return LINK_DECODERS[linktype](frame)
    except (IndexError, KeyError, struct.error):
        return "malformed"


def _ethernet(frame: bytes) -> Decoded:
    ethertype, offset = frame[12] << 8 | frame[13], 14
    if ethertype == ETHERTYPE_IPV4:  # the common case first
        return ipv4(frame, 14)
    while ethertype in VLAN_TAGS:  # 802.1Q / 802.1ad tags, possibly stacked
        ethertype, offset = frame[offset + 2] << 8 | frame[offset + 3], offset + 4
    if ethertype == 0x8864:  # PPPoE session (RFC 2516): 6-byte header, then the PPP protocol
        ppp, offset = frame[offset + 6] << 8 | frame[offset + 7], offset + 8
        ethertype = {0x0021: ETHERTYPE_IPV4, 0x0057: ETHERTYPE_IPV6}.get(ppp, 0)
    return _by_ethertype(ethertype, frame, offset)


def _by_ethertype(ethertype: int, frame: bytes, offset: int) -> Decoded:
    if ethertype == ETHERTYPE_IPV4:
        return ipv4(frame, offset)
    if ethertype == ETHERTYPE_IPV6:
        return ipv6(frame, offset)
    return "not ip"


def _raw(frame: bytes) -> Decoded:
    version = frame[0] >> 4
    return ipv4(frame, 0) if version == 4 else ipv6(frame, 0) if version == 6 else "not ip"


def _null(frame: bytes) -> Decoded:
    """DLT_NULL: a 4-byte address family in the capturing host's byte order."""
    family = frame[0] | frame[3]
    return ipv4(frame, 4) if family == 2 else ipv6(frame, 4) if family in BSD_AF_INET6 else "not ip"


def _loop(frame: bytes) -> Decoded:
    """DLT_LOOP (OpenBSD): the address family in network byte order."""
    family = frame[3]
    return ipv4(frame, 4) if family == 2 else ipv6(frame, 4) if family in BSD_AF_INET6 else "not ip"


def _sll(frame: bytes) -> Decoded:
    """Linux cooked v1: 16-byte header, protocol (an ethertype) in its last two bytes."""
    return _by_ethertype(frame[14] << 8 | frame[15], frame, 16)


def _sll2(frame: bytes) -> Decoded:
    """Linux cooked v2: 20-byte header, protocol first."""
    return _by_ethertype(frame[0] << 8 | frame[1], frame, 20)


LINK_DECODERS: dict[int, Callable[[bytes], Decoded]] = {
    0: _null,
    1: _ethernet,
    12: _raw,
    14: _raw,
    101: _raw,
    108: _loop,
    113: _sll,
    228: _raw,
    229: _raw,
    276: _sll2,
}


# --- IP, TCP, UDP ------------------------------------------------------------------------------

_H = struct.Struct(">H").unpack_from
_TCP = struct.Struct(">HHIIH").unpack_from
_UDP = struct.Struct(">HHH").unpack_from
MAX_TUNNEL_OFFSET = 256
"""IP-in-IP is unwrapped only this close to the frame's start: a few levels, never unbounded recursion."""
IPV6_EXTENSIONS = {0, 43, 60, 135, 139, 140}  # hop-by-hop, routing, destination, mobility, HIP, shim6


def ipv4(frame: bytes, offset: int) -> Decoded:
    """An IPv4 packet (RFC 791) at ``offset``; fragments are reported, not reassembled."""
    first = frame[offset]
    header = (first & 0x0F) * 4
    if first >> 4 != 4 or header < 20:
        return "malformed"
    total = _H(frame, offset + 2)[0]
    if _H(frame, offset + 6)[0] & 0x3FFF:  # more-fragments flag or a fragment offset
        return "fragment"
    # A total length of 0 is written by TCP segmentation offload: the frame is the packet.
    end = offset + total if total else len(frame)
    if total and total < header:
        return "malformed"
    addresses = (frame[offset + 12 : offset + 16], frame[offset + 16 : offset + 20])
    return transport(frame[offset + 9], addresses, frame, offset + header, end)


def ipv6(frame: bytes, offset: int) -> Decoded:
    """An IPv6 packet (RFC 8200) at ``offset``, walking past extension headers (§4)."""
    if frame[offset] >> 4 != 6:
        return "malformed"
    length = _H(frame, offset + 4)[0]
    end = offset + 40 + length if length else len(frame)  # 0: jumbogram or offload
    nxt, src, dst = frame[offset + 6], frame[offset + 8 : offset + 24], frame[offset + 24 : offset + 40]
    pos = offset + 40
    for _ in range(8):
        if nxt in IPV6_EXTENSIONS:
            nxt, pos = frame[pos], pos + (frame[pos + 1] + 1) * 8
        elif nxt == 51:  # authentication header (RFC 4302): length in 4-octet units, minus 2
            nxt, pos = frame[pos], pos + (frame[pos + 1] + 2) * 4
        elif nxt == 44:  # fragment header (§4.5)
            if _H(frame, pos + 2)[0] & 0xFFF9:
                return "fragment"
            nxt, pos = frame[pos], pos + 8
        else:
            break
    return transport(nxt, (src, dst), frame, pos, end)


def transport(proto: int, addresses: tuple[bytes, bytes], frame: bytes, start: int, end: int) -> Decoded:
    """The TCP (RFC 9293 §3.1) or UDP (RFC 768) header at ``start``; IP-in-IP is unwrapped."""
    src, dst = addresses
    if proto == TCP:
        sport, dport, seq, _, word = _TCP(frame, start)
        payload = start + (word >> 12) * 4
        if payload > end or payload - start < 20:
            return "malformed"
        size = max(0, min(end, len(frame)) - payload)
        return Segment(TCP, src, dst, sport, dport, word & 0x3F, seq, frame, payload, size, end - payload)
    if proto == UDP:
        sport, dport, length = _UDP(frame, start)
        stop = min(end, start + length) if length >= 8 else end
        size = max(0, min(stop, len(frame)) - start - 8)
        return Segment(UDP, src, dst, sport, dport, 0, 0, frame, start + 8, size, max(0, stop - start - 8))
    if proto in (4, 41) and start < MAX_TUNNEL_OFFSET:  # IPv4 / IPv6 encapsulated (RFC 2003, RFC 4213)
        return ipv4(frame, start) if proto == 4 else ipv6(frame, start)
    return "other"


class StreamStart:
    """The bytes of one TCP direction in order, for as long as someone reads them.

    Segments may arrive retransmitted or out of order (RFC 9293 §3.10.7.4): overlaps are cut, early
    segments wait, at most `MAX_PENDING` bytes per stream and ``budget[0]`` bytes across all the
    streams sharing ``budget``; when the wait overflows, the gap is skipped and ``gaps`` counts it.
    Sequence numbers wrap at 2**32.
    """

    MAX_PENDING = 64 * 1024
    __slots__ = ("budget", "gaps", "next_seq", "pending", "pending_bytes")

    def __init__(self, first_seq: int | None = None, budget: list[int] | None = None) -> None:
        self.next_seq = first_seq
        self.pending: dict[int, bytes] = {}
        self.pending_bytes = 0
        self.gaps = 0
        self.budget = budget if budget is not None else [self.MAX_PENDING]

    def add(self, seq: int, data: bytes) -> bytes:
        """The bytes this segment makes available in order (may be empty)."""
        if self.next_seq is None:
            self.next_seq = seq
        ahead = (seq - self.next_seq) & 0xFFFFFFFF
        if ahead >= 0x80000000:  # starts before what we have: a retransmission, maybe with new bytes
            data = data[0x100000000 - ahead :]
            ahead = 0
        if not data:
            return b""
        if ahead:
            self._hold(seq, data)
            return self._drain(b"")
        self.next_seq = (self.next_seq + len(data)) & 0xFFFFFFFF
        return self._drain(data)

    def _hold(self, seq: int, data: bytes) -> None:
        grown = len(data) - len(self.pending.get(seq, b""))
        if grown > 0:
            self.pending[seq] = data
            self.pending_bytes += grown
            self.budget[0] -= grown
        if self.pending_bytes > self.MAX_PENDING or self.budget[0] < 0:  # the gap will not fill: skip it
            self.gaps += 1
            self.next_seq = min(self.pending, key=lambda s: (s - (self.next_seq or 0)) & 0xFFFFFFFF)

    def release(self) -> None:
        """Forget what waits, returning its bytes to the budget (the stream is no longer read)."""
        self.budget[0] += self.pending_bytes
        self.pending, self.pending_bytes = {}, 0

    def _drain(self, out: bytes) -> bytes:
        while self.pending:
            nxt = self.next_seq or 0
            ready = [s for s in self.pending if (nxt - s) & 0xFFFFFFFF < 0x80000000]
            if not ready:
                break
            for seq in ready:
                data = self.pending.pop(seq)
                self.pending_bytes -= len(data)
                self.budget[0] += len(data)
                fresh = data[(nxt - seq) & 0xFFFFFFFF :]
                if fresh:
                    out += fresh
                    nxt = (nxt + len(fresh)) & 0xFFFFFFFF
            self.next_seq = nxt
        return out


@lru_cache(maxsize=65_536)
def ip_text(packed: bytes) -> str:
    """A packed IPv4 or IPv6 address as text (IPv6 compressed, RFC 5952)."""
    return str(ipaddress.ip_address(packed))
