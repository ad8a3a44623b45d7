"""Capture files made for tests and benchmarks: pcap/pcapng written by dpkt, packets built by us.

Packets are IP packets (bytes) built here with `struct` and real checksums; `frame` wraps them in
any link layer the reader supports; `write_pcap` / `write_pcapng` write them with dpkt's writers
(or, for the byte orders and resolutions dpkt does not write, a few lines of struct).

Payload builders cover what the reader interprets: DNS (dpkt.dns), TLS ClientHellos with SNI,
ALPN, ECH and ESNI (RFC 8446 §4.1.2), QUIC Initial packets encrypted with the Initial keys of
RFC 9001 §5 / RFC 9369 §3.3, written here independently of privprobe.ingest.quic so that the
reader's decryption is checked against a second implementation, and plain HTTP/1.1 requests.

``write_bench_pcap(path, size)`` streams a mixed capture of any size for bench/import.py.
"""

from __future__ import annotations

import array
import ipaddress
import os
import random
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dpkt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

T0 = 1_709_528_767.0
"""2024-03-04 05:06:07 UTC, the time of tests/builders.py."""
CLIENT, SERVER, RESOLVER = "192.168.1.10", "203.0.113.7", "192.168.1.1"
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

Timed = tuple[float, bytes]
"""(timestamp, IP packet)."""


# --- IP, TCP, UDP ------------------------------------------------------------------------------


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(array.array("H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip_packet(src: str, dst: str, proto: int, segment: bytes, *, fragment: int = 0) -> bytes:
    """An IPv4 (RFC 791) or IPv6 (RFC 8200) packet around ``segment``, checksums filled in."""
    source, destination = ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed
    pseudo = source + destination + struct.pack(">HH", proto, len(segment))
    if proto in (6, 17):
        at = 16 if proto == 6 else 6
        segment = segment[:at] + struct.pack("=H", _checksum(pseudo + segment)) + segment[at + 2 :]
    if len(source) == 16:
        return struct.pack(">IHBB", 6 << 28, len(segment), proto, 64) + source + destination + segment
    header = struct.pack(
        ">BBHHHBBH4s4s", 0x45, 0, 20 + len(segment), 1, fragment, 64, proto, 0, source, destination
    )
    header = header[:10] + struct.pack("=H", _checksum(header)) + header[12:]
    return header + segment


def tcp(
    src: str, dst: str, sport: int, dport: int, flags: int, seq: int, ack: int = 0, payload: bytes = b""
) -> bytes:
    """A TCP segment (RFC 9293 §3.1) in an IP packet."""
    segment = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack, 5 << 4, flags, 65535, 0, 0)
    return ip_packet(src, dst, 6, segment + payload)


def udp(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    """A UDP datagram (RFC 768) in an IP packet."""
    return ip_packet(src, dst, 17, struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload)


@dataclass
class TcpSession:
    """A TCP connection's packets: handshake, data in segments, close. Sequence numbers tracked."""

    client: str = CLIENT
    server: str = SERVER
    cport: int = 50000
    sport: int = 443
    cseq: int = 1000
    sseq: int = 7000

    def handshake(self) -> list[bytes]:
        packets = [
            tcp(self.client, self.server, self.cport, self.sport, SYN, self.cseq),
            tcp(self.server, self.client, self.sport, self.cport, SYN | ACK, self.sseq, self.cseq + 1),
            tcp(self.client, self.server, self.cport, self.sport, ACK, self.cseq + 1, self.sseq + 1),
        ]
        self.cseq, self.sseq = self.cseq + 1, self.sseq + 1
        return packets

    def send(self, data: bytes, *, from_client: bool = True, sizes: Sequence[int] = ()) -> list[bytes]:
        """``data`` in segments of ``sizes`` (the rest in one more), in order."""
        cuts, start = [], 0
        for size in sizes:
            cuts.append(data[start : start + size])
            start += size
        if start < len(data) or not cuts:
            cuts.append(data[start:])
        packets = []
        for chunk in cuts:
            if from_client:
                packets.append(
                    tcp(
                        self.client,
                        self.server,
                        self.cport,
                        self.sport,
                        PSH | ACK,
                        self.cseq,
                        self.sseq,
                        chunk,
                    )
                )
                self.cseq += len(chunk)
            else:
                packets.append(
                    tcp(
                        self.server,
                        self.client,
                        self.sport,
                        self.cport,
                        PSH | ACK,
                        self.sseq,
                        self.cseq,
                        chunk,
                    )
                )
                self.sseq += len(chunk)
        return packets

    def close(self, *, rst: bool = False) -> list[bytes]:
        if rst:
            return [tcp(self.client, self.server, self.cport, self.sport, RST | ACK, self.cseq, self.sseq)]
        return [
            tcp(self.client, self.server, self.cport, self.sport, FIN | ACK, self.cseq, self.sseq),
            tcp(self.server, self.client, self.sport, self.cport, FIN | ACK, self.sseq, self.cseq + 1),
            tcp(self.client, self.server, self.cport, self.sport, ACK, self.cseq + 1, self.sseq + 1),
        ]


def timed(packets: Iterable[bytes], start: float = T0, step: float = 0.001) -> list[Timed]:
    """Timestamps ``step`` apart from ``start``."""
    return [(start + index * step, packet) for index, packet in enumerate(packets)]


# --- link layers and files --------------------------------------------------------------------


def frame(linktype: int, packet: bytes, *, vlan: int | None = None) -> bytes:
    """``packet`` as a frame of ``linktype`` (tcpdump.org LINKTYPE_ values)."""
    v6 = packet[0] >> 4 == 6
    ethertype = 0x86DD if v6 else 0x0800
    if linktype == 1:
        tag = struct.pack(">HH", 0x8100, vlan) if vlan is not None else b""
        return (
            b"\x02\x00\x00\x00\x00\x02"
            + b"\x02\x00\x00\x00\x00\x01"
            + tag
            + struct.pack(">H", ethertype)
            + packet
        )
    if linktype in (12, 14, 101, 228, 229):
        return packet
    if linktype == 113:  # Linux cooked v1: packet type, ARPHRD, address length, address, protocol
        return struct.pack(">HHH8sH", 4, 1, 6, b"\x02\x00\x00\x00\x00\x01", ethertype) + packet
    if linktype == 276:  # Linux cooked v2: protocol, reserved, ifindex, ARPHRD, type, addr len, addr
        return struct.pack(">HHIHBB8s", ethertype, 0, 2, 1, 4, 6, b"\x02\x00\x00\x00\x00\x01") + packet
    if linktype == 0:  # BSD NULL: address family in the capturing host's (here little-endian) order
        return struct.pack("<I", 30 if v6 else 2) + packet
    if linktype == 108:  # OpenBSD LOOP: address family in network order
        return struct.pack(">I", 24 if v6 else 2) + packet
    raise ValueError(f"no frame builder for link type {linktype}")


def write_pcap(
    path: Path, packets: Iterable[Timed], *, linktype: int = 1, nano: bool = False, big_endian: bool = False
) -> Path:
    """A pcap file of ``packets`` framed for ``linktype`` (dpkt's writer; struct for big-endian)."""
    with path.open("wb") as handle:
        if big_endian:
            magic = 0xA1B23C4D if nano else 0xA1B2C3D4
            handle.write(struct.pack(">IHHiIII", magic, 2, 4, 0, 0, 65535, linktype))
            for ts, packet in packets:
                data = frame(linktype, packet)
                sec, frac = divmod(round(ts * (1e9 if nano else 1e6)), 10**9 if nano else 10**6)
                handle.write(struct.pack(">IIII", sec, frac, len(data), len(data)) + data)
            return path
        writer = dpkt.pcap.Writer(handle, snaplen=65535, linktype=linktype, nano=nano)
        for ts, packet in packets:
            writer.writepkt(frame(linktype, packet), ts=ts)
    return path


def write_pcapng(path: Path, packets: Iterable[tuple[float, bytes, int]], linktypes: Sequence[int]) -> Path:
    """A pcapng file with one interface per entry of ``linktypes``; packets name their interface."""
    interfaces = [dpkt.pcapng.InterfaceDescriptionBlockLE(linktype=lt, snaplen=65535) for lt in linktypes]
    with path.open("wb") as handle:
        writer = dpkt.pcapng.Writer(handle, idb=interfaces)
        for ts, packet, iface in packets:
            micros = round(ts * 1e6)
            block = dpkt.pcapng.EnhancedPacketBlockLE(
                iface_id=iface,
                pkt_data=frame(linktypes[iface], packet),
                ts_high=micros >> 32,
                ts_low=micros & 0xFFFFFFFF,
            )
            writer.writepkt(block)
    return path


# --- DNS, TLS, HTTP ---------------------------------------------------------------------------


def dns_query(name: str, qid: int = 1, qtype: int = 1) -> bytes:
    return bytes(dpkt.dns.DNS(id=qid, qr=dpkt.dns.DNS_Q, rd=1, qd=[dpkt.dns.DNS.Q(name=name, type=qtype)]))


def dns_response(name: str, qid: int = 1, addresses: Sequence[str] = (), cname: str | None = None) -> bytes:
    answers, target = [], name
    if cname:
        answers.append(dpkt.dns.DNS.RR(name=name, type=5, ttl=60, cname=cname))
        target = cname
    for address in addresses:
        packed = ipaddress.ip_address(address).packed
        if len(packed) == 4:
            answers.append(dpkt.dns.DNS.RR(name=target, type=1, ttl=60, ip=packed))
        else:
            answers.append(dpkt.dns.DNS.RR(name=target, type=28, ttl=60, ip6=packed))
    question = [dpkt.dns.DNS.Q(name=name, type=28 if addresses and ":" in addresses[0] else 1)]
    return bytes(dpkt.dns.DNS(id=qid, qr=dpkt.dns.DNS_R, rd=1, ra=1, qd=question, an=answers))


def _vector(data: bytes, size: int) -> bytes:
    return len(data).to_bytes(size) + data


def _extension(kind: int, data: bytes) -> bytes:
    return struct.pack(">HH", kind, len(data)) + data


def client_hello(
    sni: str | None = None,
    *,
    alpn: Sequence[str] = (),
    ech: bool = False,
    esni: bool = False,
    padding: int = 0,
) -> bytes:
    """A TLS 1.3 ClientHello handshake message (RFC 8446 §4.1.2) with the extensions asked for."""
    rng = random.Random(sni or "none")
    extensions = b""
    if sni is not None:
        entry = b"\x00" + _vector(sni.encode(), 2)
        extensions += _extension(0, _vector(entry, 2))
    extensions += _extension(10, _vector(b"\x00\x1d\x00\x17", 2))  # supported_groups
    if alpn:
        extensions += _extension(16, _vector(b"".join(_vector(p.encode(), 1) for p in alpn), 2))
    extensions += _extension(43, _vector(b"\x03\x04\x03\x03", 1))  # supported_versions
    extensions += _extension(51, _vector(b"\x00\x1d" + _vector(rng.randbytes(32), 2), 2))  # key_share
    if ech:  # draft-ietf-tls-esni-18 §5: outer, HPKE suite, config id, enc, payload
        extensions += _extension(
            0xFE0D,
            b"\x00\x00\x01\x00\x01\x2a" + _vector(rng.randbytes(32), 2) + _vector(rng.randbytes(144), 2),
        )
    if esni:
        extensions += _extension(0xFFCE, b"\x13\x01" + rng.randbytes(100))
    if padding:
        extensions += _extension(21, bytes(padding))
    body = b"\x03\x03" + rng.randbytes(32) + _vector(rng.randbytes(32), 1)
    body += _vector(b"\x13\x01\x13\x02\x13\x03", 2) + b"\x01\x00" + _vector(extensions, 2)
    return b"\x01" + len(body).to_bytes(3) + body


def tls_records(handshake: bytes, record_size: int = 16384) -> bytes:
    """``handshake`` in TLS handshake records (content type 22) of at most ``record_size`` bytes."""
    chunks = [handshake[i : i + record_size] for i in range(0, len(handshake), record_size)]
    return b"".join(b"\x16\x03\x01" + _vector(chunk, 2) for chunk in chunks)


def http_request(
    method: str, target: str, host: str | None, headers: Sequence[tuple[str, str]] = (), body: bytes = b""
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1"] + ([f"Host: {host}"] if host else [])
    lines += [f"{name}: {value}" for name, value in headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def http_response(status: int = 200, body: bytes = b"ok", content_type: str = "text/plain") -> bytes:
    head = f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def tls_session(host: str | None = "shop.example", **session: Any) -> list[bytes]:
    """A whole TLS connection (``session`` as for `TcpSession`): handshake, a ClientHello for
    ``host`` offering h2 and http/1.1, 500 bytes back, close."""
    tcp_session = TcpSession(**session)
    hello = tls_records(client_hello(host, alpn=["h2", "http/1.1"]))
    packets = tcp_session.handshake() + tcp_session.send(hello)
    return packets + tcp_session.send(b"x" * 500, from_client=False) + tcp_session.close()


def dns_exchange(name: str, addresses: Sequence[str], qid: int = 9, port: int = 40000) -> list[bytes]:
    """A DNS query from `CLIENT` to `RESOLVER` and its answer."""
    return [udp(CLIENT, RESOLVER, port, 53, dns_query(name, qid)),
            udp(RESOLVER, CLIENT, 53, port, dns_response(name, qid, addresses))]  # fmt: skip


# --- QUIC Initial packets (RFC 9000 §17.2.2, RFC 9001 §5, RFC 9369 §3) ------------------------


@dataclass(frozen=True)
class QuicVersionSpec:
    number: int
    salt: bytes
    labels: bytes
    initial_type: int


QUIC_V1 = QuicVersionSpec(1, bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"), b"quic ", 0)
QUIC_V2 = QuicVersionSpec(
    0x6B3343CF, bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9"), b"quicv2 ", 1
)
QUIC_DRAFT29 = QuicVersionSpec(
    0xFF00001D, bytes.fromhex("afbfec289993d24c9e9786f19c6111e04390a899"), b"quic ", 0
)


def _expand_label(secret: bytes, label: bytes, length: int) -> bytes:
    full = b"tls13 " + label
    info = length.to_bytes(2) + _vector(full, 1) + b"\x00"
    return HKDFExpand(hashes.SHA256(), length, info).derive(secret)


def client_initial_keys(spec: QuicVersionSpec, dcid: bytes) -> tuple[bytes, bytes, bytes]:
    """(key, iv, hp) protecting the client's Initial packets."""
    extract = crypto_hmac.HMAC(spec.salt, hashes.SHA256())
    extract.update(dcid)
    secret = _expand_label(extract.finalize(), b"client in", 32)
    return tuple(
        _expand_label(secret, spec.labels + name, size)
        for name, size in ((b"key", 16), (b"iv", 12), (b"hp", 16))
    )  # type: ignore[return-value]


def crypto_frame(offset: int, data: bytes) -> bytes:
    """A CRYPTO frame (RFC 9000 §19.6) with 4-byte varints."""
    return b"\x06" + (0x80000000 | offset).to_bytes(4) + (0x80000000 | len(data)).to_bytes(4) + data


def quic_initial(
    frames: bytes, *, dcid: bytes, scid: bytes = b"\x01\x02\x03\x04", spec: QuicVersionSpec = QUIC_V1,
    pn: int = 0, pn_len: int = 4, size: int = 1200, keys_from: bytes | None = None,
) -> bytes:  # fmt: skip
    """A client Initial packet carrying ``frames``, PADDING to ``size`` bytes, then protected.

    Keys come from ``keys_from`` (the client's first DCID) when the header carries another DCID.
    """
    key, iv, hp = client_initial_keys(spec, keys_from or dcid)
    first = 0xC0 | spec.initial_type << 4 | (pn_len - 1)
    header = bytes([first]) + spec.number.to_bytes(4) + _vector(dcid, 1) + _vector(scid, 1) + b"\x00"
    payload_len = max(len(frames), size - len(header) - 2 - pn_len - 16)
    payload = frames + bytes(payload_len - len(frames))
    header += (0x4000 | (pn_len + payload_len + 16)).to_bytes(2) + pn.to_bytes(pn_len)
    nonce = (int.from_bytes(iv) ^ pn).to_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, payload, header)
    sample = sealed[4 - pn_len : 20 - pn_len]
    encryptor = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = encryptor.update(sample) + encryptor.finalize()
    protected = bytearray(header)
    protected[0] ^= mask[0] & 0x0F
    for index in range(pn_len):
        protected[len(header) - pn_len + index] ^= mask[1 + index]
    return bytes(protected) + sealed


# --- sample and benchmark captures -------------------------------------------------------------


def sample_packets() -> list[bytes]:
    """DNS, then TLS, QUIC and plain HTTP to the names it resolved."""
    packets = [udp(CLIENT, RESOLVER, 40001, 53, dns_query("shop.example", 7)),
               udp(RESOLVER, CLIENT, 53, 40001, dns_response("shop.example", 7, [SERVER]))]  # fmt: skip
    tls = TcpSession()
    packets += tls.handshake() + tls.send(tls_records(client_hello("shop.example", alpn=["h2"])))
    packets += tls.send(os.urandom(1400), from_client=False) + tls.close()
    packets.append(
        udp(
            CLIENT,
            SERVER,
            50001,
            443,
            quic_initial(crypto_frame(0, client_hello("cdn.example")), dcid=b"\x11" * 8),
        )
    )
    web = TcpSession(cport=50002, sport=80)
    packets += web.handshake() + web.send(http_request("GET", "/?q=1", "shop.example"))
    packets += web.send(http_response(), from_client=False) + web.close()
    return packets


def write_sample(path: Path) -> Path:
    """A small pcap with one flow of each kind the reader names."""
    return write_pcap(path, timed(sample_packets()))


def bench_packets(seed: int = 1) -> Iterator[bytes]:
    """An endless mix of app traffic: DNS, TLS downloads, QUIC, plain HTTP, in interleaved sessions."""
    rng = random.Random(seed)
    body = rng.randbytes(1400)
    active: list[Iterator[bytes]] = []
    number = 0
    while True:
        while len(active) < 64:
            number += 1
            active.append(_bench_session(rng, number, body))
        index = rng.randrange(len(active))
        packet = next(active[index], None)
        if packet is None:
            active.pop(index)
        else:
            yield packet


def _bench_session(rng: random.Random, number: int, body: bytes) -> Iterator[bytes]:
    host = f"api{number % 500}.example"
    client, server, cport = (
        f"10.0.{number % 200}.{number % 250 + 1}",
        f"198.51.{number % 100}.{number % 199 + 1}",
        1024 + number % 60000,
    )
    yield udp(client, RESOLVER, cport, 53, dns_query(host, number & 0xFFFF))
    yield udp(RESOLVER, client, 53, cport, dns_response(host, number & 0xFFFF, [server]))
    kind = number % 4
    if kind == 3:
        yield udp(
            client,
            server,
            cport,
            443,
            quic_initial(crypto_frame(0, client_hello(host, alpn=["h3"])), dcid=number.to_bytes(8)),
        )
        for _ in range(rng.randrange(5, 40)):
            yield udp(server, client, 443, cport, b"\x40" + body[:1200])
        return
    session = TcpSession(client, server, cport, 80 if kind == 2 else 443)
    yield from session.handshake()
    request = (
        http_request("GET", f"/item/{number}", host)
        if kind == 2
        else tls_records(client_hello(host, alpn=["h2", "http/1.1"]))
    )
    yield from session.send(request)
    for _ in range(rng.randrange(5, 40)):
        yield from session.send(body, from_client=False)
        yield tcp(client, server, cport, session.sport, ACK, session.cseq, session.sseq)
    yield from session.close()


def write_bench_pcap(path: Path, size: int) -> int:
    """A pcap of about ``size`` bytes of `bench_packets`, streamed; returns the packet count."""
    count, ts = 0, T0
    with path.open("wb") as handle:
        writer = dpkt.pcap.Writer(handle, snaplen=65535)
        for packet in bench_packets():
            writer.writepkt(frame(1, packet), ts=ts)
            count += 1
            ts += 0.0002
            if count % 1024 == 0 and handle.tell() >= size:
                break
    return count
