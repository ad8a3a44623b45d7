"""QUIC: the client's Initial packets, decrypted to read its TLS ClientHello.

A QUIC client's first packets are Initial packets (RFC 9000 §17.2.2) protected with keys that any
observer can derive from the Destination Connection ID the client chose (RFC 9001 §5.2): the
protection hides the ClientHello from middleboxes that do not care, not from an investigator. The
ClientHello travels in CRYPTO frames (RFC 9000 §19.6) that browsers deliberately split, reorder and
spread over several Initial packets, and a UDP datagram may hold several QUIC packets back to back
(§12.2). So: for each long-header packet, remove header protection (RFC 9001 §5.4), open the
AES-128-GCM payload (§5.3), collect CRYPTO frames by offset, and parse the ClientHello once its
first bytes are contiguous.

Versions: QUIC v1 (RFC 9000/9001), QUIC v2 (RFC 9369: own salt, "quicv2" labels, Initial packet
type 0b01) and drafts 29 to 32. Google's older "gQUIC" (Q0xx versions up to Q046) sent its
client hello ("CHLO", a tag/value map) unencrypted; `gquic_hello` reads its SNI tag.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from privprobe.ingest.tls import MAX_HELLO_BYTES, ClientHello, NotClientHello, host_name, parse_handshake


@dataclass(frozen=True, slots=True)
class QuicVersion:
    """What differs between QUIC versions for Initial packets."""

    name: str
    salt: bytes
    label_prefix: bytes
    initial_type: int


V1 = QuicVersion(
    "v1", bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"), b"quic ", 0
)  # RFC 9001 §5.2
V2 = QuicVersion(
    "v2", bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9"), b"quicv2 ", 1
)  # RFC 9369 §3.3
DRAFT29 = QuicVersion("draft-29", bytes.fromhex("afbfec289993d24c9e9786f19c6111e04390a899"), b"quic ", 0)
VERSIONS = {0x00000001: V1, 0x6B3343CF: V2} | {0xFF000000 + draft: DRAFT29 for draft in range(29, 33)}
"""Version numbers (RFC 9000 §15, RFC 9369 §3.1) whose Initial packets can be opened."""

MAX_CRYPTO_PARTS = 64


@dataclass(frozen=True, slots=True)
class InitialKeys:
    """Packet protection for one direction's Initial packets (RFC 9001 §5.1)."""

    key: bytes
    iv: bytes
    hp: bytes

    def mask(self, sample: bytes) -> bytes:
        """The header-protection mask: AES-ECB of the 16-byte sample (RFC 9001 §5.4.3)."""
        encryptor = Cipher(algorithms.AES(self.hp), modes.ECB()).encryptor()
        return encryptor.update(sample) + encryptor.finalize()


def hkdf_expand_label(secret: bytes, label: bytes, length: int) -> bytes:
    """TLS 1.3 HKDF-Expand-Label with an empty context (RFC 8446 §7.1), SHA-256, one block."""
    full = b"tls13 " + label
    info = struct.pack(">HB", length, len(full)) + full + b"\x00"
    return hmac.new(secret, info + b"\x01", hashlib.sha256).digest()[:length]


def initial_keys(version: QuicVersion, dcid: bytes, *, server: bool = False) -> InitialKeys:
    """Initial keys for the client's (or server's) packets of a connection (RFC 9001 §5.2)."""
    initial_secret = hmac.new(version.salt, dcid, hashlib.sha256).digest()  # HKDF-Extract
    secret = hkdf_expand_label(initial_secret, b"server in" if server else b"client in", 32)
    prefix = version.label_prefix
    return InitialKeys(
        key=hkdf_expand_label(secret, prefix + b"key", 16),
        iv=hkdf_expand_label(secret, prefix + b"iv", 12),
        hp=hkdf_expand_label(secret, prefix + b"hp", 16),
    )


def varint(data: bytes, pos: int) -> tuple[int, int]:
    """A variable-length integer at ``pos`` (RFC 9000 §16) and the position after it."""
    first = data[pos]
    size = 1 << (first >> 6)
    if pos + size > len(data):
        raise IndexError("varint cut short")
    value = first & 0x3F
    for byte in data[pos + 1 : pos + size]:
        value = value << 8 | byte
    return value, pos + size


@dataclass(frozen=True, slots=True)
class LongPacket:
    """One long-header packet of a datagram, still protected."""

    version: int
    packet_type: int
    dcid: bytes
    data: bytes
    """The whole packet, from its first byte to the end of its payload."""
    pn_offset: int
    """Where the (protected) packet number starts in ``data``."""


def long_packets(datagram: bytes) -> list[LongPacket]:
    """The long-header packets coalesced in ``datagram`` (RFC 9000 §12.2, §17.2), in order."""
    found: list[LongPacket] = []
    pos = 0
    while pos + 7 <= len(datagram) and datagram[pos] & 0xC0 == 0xC0:
        start, first = pos, datagram[pos]
        version = int.from_bytes(datagram[pos + 1 : pos + 5])
        if version == 0 or version not in VERSIONS:  # version negotiation, or a version we cannot open
            break
        dcid_len = datagram[pos + 5]
        dcid = datagram[pos + 6 : pos + 6 + dcid_len]
        pos += 6 + dcid_len
        pos += 1 + datagram[pos]  # source connection id
        packet_type = (first >> 4) & 0x03
        if packet_type == VERSIONS[version].initial_type:
            token_len, pos = varint(datagram, pos)
            pos += token_len
        elif packet_type == (VERSIONS[version].initial_type + 3) % 4:  # Retry: no length, ends datagram
            break
        length, pos = varint(datagram, pos)
        if pos + length > len(datagram) or dcid_len > 20:
            break
        found.append(LongPacket(version, packet_type, dcid, datagram[start : pos + length], pos - start))
        pos += length
    return found


def open_initial(keys: InitialKeys, packet: LongPacket) -> bytes:
    """The decrypted payload of an Initial packet; raises `InvalidTag` with the wrong keys."""
    data, pn_offset = packet.data, packet.pn_offset
    sample = data[pn_offset + 4 : pn_offset + 20]
    if len(sample) < 16:
        raise InvalidTag
    mask = keys.mask(sample)
    first = data[0] ^ (mask[0] & 0x0F)  # long header: the low 4 bits are protected
    pn_len = (first & 0x03) + 1
    pn_bytes = bytes(b ^ m for b, m in zip(data[pn_offset : pn_offset + pn_len], mask[1:], strict=False))
    header = bytes([first]) + data[1:pn_offset] + pn_bytes
    # The truncated packet number is the full one this early in a connection (RFC 9000 §A.3).
    nonce = (int.from_bytes(keys.iv) ^ int.from_bytes(pn_bytes)).to_bytes(12)
    return AESGCM(keys.key).decrypt(nonce, data[pn_offset + pn_len :], header)


def crypto_frames(payload: bytes) -> list[tuple[int, bytes]]:
    """(offset, data) of the CRYPTO frames of an Initial payload (RFC 9000 §19).

    Initial packets may carry only PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE frames
    (§12.4, table 3); anything else ends the walk.
    """
    frames: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(payload):
        kind = payload[pos]
        pos += 1
        if kind == 0x00:  # PADDING, usually a long run: skip it at once
            pos = len(payload) - len(payload[pos:].lstrip(b"\x00"))
        elif kind == 0x01:  # PING
            continue
        elif kind in (0x02, 0x03):  # ACK (§19.3): largest, delay, range count, first range, ranges
            _, pos = varint(payload, pos)
            _, pos = varint(payload, pos)
            ranges, pos = varint(payload, pos)
            for _ in range(1 + 2 * ranges + (3 if kind == 0x03 else 0)):
                _, pos = varint(payload, pos)
        elif kind == 0x06:  # CRYPTO (§19.6)
            offset, pos = varint(payload, pos)
            length, pos = varint(payload, pos)
            frames.append((offset, payload[pos : pos + length]))
            pos += length
        else:
            break
    return frames


class CryptoStream:
    """CRYPTO frame data reassembled by offset, bounded to `MAX_HELLO_BYTES`."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: dict[int, bytes] = {}

    def add(self, offset: int, data: bytes) -> None:
        if offset < MAX_HELLO_BYTES and len(self.parts) < MAX_CRYPTO_PARTS:
            data = data[: MAX_HELLO_BYTES - offset]
            if len(data) > len(self.parts.get(offset, b"")):
                self.parts[offset] = data

    def hello(self) -> ClientHello | None:
        """The ClientHello once its bytes are contiguous from offset 0; None until then."""
        stream = bytearray()
        for offset in sorted(self.parts):
            if offset > len(stream):
                break
            stream += self.parts[offset][len(stream) - offset :]
        if len(stream) < 4:
            return None
        if stream[0] != 1:
            raise NotClientHello("first CRYPTO message is not a ClientHello")
        need = 4 + int.from_bytes(stream[1:4])
        return parse_handshake(bytes(stream[:need])) if len(stream) >= need else None


class InitialReader:
    """Reads one connection's client Initial packets until the ClientHello is complete."""

    def __init__(self) -> None:
        self.version: QuicVersion | None = None
        self.keys: InitialKeys | None = None
        self.crypto = CryptoStream()

    def feed(self, datagram: bytes) -> ClientHello | None:
        """Add a client datagram; the ClientHello once complete, else None.

        Raises only `NotClientHello`, when the CRYPTO stream does not start with a ClientHello.
        """
        try:
            packets = long_packets(datagram)
        except IndexError:  # a header cut short: nothing to read in this datagram
            return None
        for packet in packets:
            version = VERSIONS[packet.version]
            if packet.packet_type != version.initial_type:
                continue
            payload = self._open(version, packet)
            if payload is None:
                continue
            self.version = version
            try:
                frames = crypto_frames(payload)
            except IndexError:  # a frame cut short in an authenticated payload: keep nothing of it
                continue
            for offset, data in frames:
                self.crypto.add(offset, data)
        return self.crypto.hello()

    def _open(self, version: QuicVersion, packet: LongPacket) -> bytes | None:
        """Keys come from the client's first DCID, even after the server picks a new one
        (RFC 9001 §5.2); after a Retry the client derives them from its new DCID."""
        candidates = [self.keys] if self.keys and self.version == version else []
        candidates.append(initial_keys(version, packet.dcid))
        for keys in candidates:
            try:
                payload = open_initial(keys, packet)
            except (InvalidTag, IndexError, ValueError):
                continue
            self.keys = keys
            return payload
        return None


_GQUIC_VERSION = re.compile(rb"Q0[0-4]\d")


def gquic_hello(datagram: bytes) -> tuple[str, ClientHello] | None:
    """The version and SNI of a gQUIC client hello sent in clear (versions Q0xx up to Q046).

    Layout (Google's "QUIC Crypto" design document, handshake messages): the tag ``CHLO``, a
    little-endian uint16 count of entries, two bytes of padding, then for each entry a 4-byte tag
    and the little-endian uint32 end offset of its value; values follow the table. The ``SNI``
    tag holds the server name.
    """
    version = _gquic_version(datagram)
    at = datagram.find(b"CHLO", 0, 256)
    if version is None or at < 0 or at + 8 > len(datagram):
        return None
    (count,) = struct.unpack_from("<H", datagram, at + 4)
    table, values = at + 8, at + 8 + 8 * count
    if count > 128 or values > len(datagram):
        return None
    previous = 0
    for index in range(count):
        tag, end = struct.unpack_from("<4sI", datagram, table + 8 * index)
        if end < previous or values + end > len(datagram):
            return None
        if tag == b"SNI\x00":
            return version, ClientHello(host_name(datagram[values + previous : values + end]))
        previous = end
    return version, ClientHello(None)


def _gquic_version(datagram: bytes) -> str | None:
    """The gQUIC version of a client packet: after the 8-byte connection id (public flag 0x08) up
    to Q043, or in an IETF-style long header from Q046."""
    for start in (9, 1, 5):
        candidate = datagram[start : start + 4]
        if _GQUIC_VERSION.fullmatch(candidate):
            return candidate.decode()
    return None
