"""What a TLS ClientHello tells an observer: the server name, the offered protocols, hidden names.

The ClientHello (RFC 8446 §4.1.2) is the only plaintext a TLS 1.3 client sends about its
destination. Its ``server_name`` extension (RFC 6066 §3) names the host, ``application_layer_
protocol_negotiation`` (RFC 7301 §3.1) the protocols offered. Encrypted Client Hello (ECH,
draft-ietf-tls-esni-18 onwards, extension 0xfe0d) moves the true name into an encrypted inner
hello; the visible SNI is then the provider's public name. Chrome and Firefox also send "GREASE"
ECH when they have no ECH key (draft §6.2), which looks the same on the wire, so an ECH extension
proves only that the true name *may* be hidden. Its predecessor ESNI (draft-ietf-tls-esni-01..04,
extension 0xffce) encrypted only the name.

Also here: the table of well-known encrypted-DNS resolvers, whose TLS and QUIC flows carry DNS
queries an observer cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_HELLO_BYTES = 16 * 1024
"""The client's first bytes kept to find the ClientHello; real ones are under 2 KiB (8 with PQ keys)."""

EXT_SERVER_NAME, EXT_ALPN, EXT_ESNI = 0x0000, 0x0010, 0xFFCE
EXT_ECH = range(0xFE08, 0xFE0E)
"""ECH code points: 0xfe0d from draft 13 on, 0xfe08..0xfe0c in drafts 8 to 12."""


class NotClientHello(ValueError):
    """The bytes are not (or stop being) a TLS ClientHello."""


@dataclass(frozen=True, slots=True)
class ClientHello:
    """The parts of a ClientHello privprobe reports."""

    sni: str | None
    """The host name of the ``server_name`` extension, lower case; None when absent or not a name."""
    alpn: tuple[str, ...] = ()
    """Protocols offered, in the client's order (``h2``, ``http/1.1``, ``h3``)."""
    ech: bool = False
    """An encrypted_client_hello extension is present (real or GREASE)."""
    esni: bool = False
    """A draft ESNI extension is present."""

    def notes(self) -> tuple[str, ...]:
        """Flow notes for these facts (``alpn h2,http/1.1``, ``ech``, ...)."""
        notes: list[str] = []
        if self.alpn:
            notes.append("alpn " + ",".join(self.alpn))
        if self.ech:
            notes.append("ech")
            notes.append("ech: outer SNI is the public name, true name hidden (unless GREASE ECH)")
        if self.esni:
            notes.append("esni")
        return tuple(notes)


def hello_from_records(stream: bytes) -> ClientHello | None:
    """The ClientHello at the start of a client's TLS byte stream; None while more bytes are needed.

    Handshake messages may span several records (RFC 8446 §5.1); only their handshake content is
    joined. Raises `NotClientHello` when the stream is not TLS or the message is not a ClientHello.
    """
    handshake = bytearray()
    pos = 0
    while pos + 5 <= len(stream):
        ctype, major, length = stream[pos], stream[pos + 1], int.from_bytes(stream[pos + 3 : pos + 5])
        if ctype != 22 or major != 3 or length == 0 or length > 18432:
            raise NotClientHello("not a TLS handshake record")
        handshake += stream[pos + 5 : pos + 5 + length]
        pos += 5 + length
        if len(handshake) >= 4:
            if handshake[0] != 1:
                raise NotClientHello("first handshake message is not a ClientHello")
            if len(handshake) >= 4 + int.from_bytes(handshake[1:4]):
                return parse_handshake(bytes(handshake))
    if len(stream) >= MAX_HELLO_BYTES:
        raise NotClientHello(f"no complete ClientHello in the first {MAX_HELLO_BYTES} bytes")
    return None


def parse_handshake(message: bytes) -> ClientHello:
    """A ClientHello handshake message (type 1, 3-byte length, body), as carried by TLS or QUIC."""
    if len(message) < 4 or message[0] != 1:
        raise NotClientHello("not a ClientHello message")
    body = message[4 : 4 + int.from_bytes(message[1:4])]
    reader = _Reader(body)
    reader.skip(2 + 32)  # legacy_version, random
    reader.skip(reader.number(1))  # legacy_session_id
    reader.skip(reader.number(2))  # cipher_suites
    reader.skip(reader.number(1))  # legacy_compression_methods
    if reader.at_end():  # TLS 1.0 hellos may end here: no extensions
        return ClientHello(None)
    extensions = _Reader(reader.take(reader.number(2)))
    sni: str | None = None
    alpn: tuple[str, ...] = ()
    ech = esni = False
    while not extensions.at_end():
        kind, data = extensions.number(2), extensions.take(extensions.number(2))
        if kind == EXT_SERVER_NAME:
            sni = _server_name(data)
        elif kind == EXT_ALPN:
            alpn = _alpn(data)
        elif kind in EXT_ECH:
            ech = True
        elif kind == EXT_ESNI:
            esni = True
    return ClientHello(sni, alpn, ech, esni)


def _server_name(data: bytes) -> str | None:
    """The host_name entry of a ServerNameList (RFC 6066 §3)."""
    names = _Reader(data)
    entries = _Reader(names.take(names.number(2)))
    while not entries.at_end():
        kind, name = entries.number(1), entries.take(entries.number(2))
        if kind == 0:
            return host_name(name)
    return None


def _alpn(data: bytes) -> tuple[str, ...]:
    outer = _Reader(data)
    protocols = _Reader(outer.take(outer.number(2)))
    found: list[str] = []
    while not protocols.at_end():
        found.append(protocols.take(protocols.number(1)).decode("ascii", "replace"))
    return tuple(found)


def host_name(raw: bytes) -> str | None:
    """``raw`` as a lower-case DNS name or IP literal, or None if it cannot be one (RFC 1123 §2.1).

    Names are compared case-insensitively (RFC 4343), so they are kept in lower case; a trailing
    dot is dropped. Bytes that are not printable ASCII make it no name: nothing is guessed.
    """
    try:
        text = raw.decode("ascii").strip().rstrip(".").lower()
    except UnicodeDecodeError:
        return None
    if not text or len(text) > 253 or not all(33 <= ord(c) < 127 for c in text):
        return None
    return text


class _Reader:
    """Bounds-checked reading of TLS vectors; running off the end raises `NotClientHello`."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise NotClientHello("ClientHello is cut short")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size))

    def skip(self, count: int) -> None:
        self.take(count)

    def at_end(self) -> bool:
        return self.pos >= len(self.data)


# Encrypted DNS resolvers: DNS over HTTPS (RFC 8484) on 443, DNS over TLS (RFC 7858) on 853,
# DNS over QUIC (RFC 9250) on 853. Names and addresses from each operator's own documentation:
#   Google     https://developers.google.com/speed/public-dns/docs/doh (dns.google, 8.8.8.8, 8.8.4.4)
#   Cloudflare https://developers.cloudflare.com/1.1.1.1/encryption/dns-over-https/ (1.1.1.1, 1.0.0.1;
#              mozilla.cloudflare-dns.com is Firefox's Trusted Recursive Resolver)
#   Quad9      https://www.quad9.net/service/service-addresses-and-features (9.9.9.9, 149.112.112.112)
#   OpenDNS    https://support.opendns.com/hc/en-us/articles/360038086532 (208.67.222.222, .220.220)
#   AdGuard    https://adguard-dns.io/kb/general/dns-providers/ (94.140.14.14, 94.140.15.15)
#   NextDNS    https://nextdns.io (dns.nextdns.io)
#   Alibaba    https://www.alidns.com/knowledge?type=SETTING_DOCS (dns.alidns.com, 223.5.5.5, 223.6.6.6)
#   DNSPod     https://docs.dnspod.cn/public-dns/ (doh.pub, dot.pub, 1.12.12.12, 120.53.53.53)
DOH_HOSTS = frozenset({
    "dns.google", "dns.google.com", "8888.google",
    "cloudflare-dns.com", "mozilla.cloudflare-dns.com", "one.one.one.one", "1dot1dot1dot1.cloudflare-dns.com",
    "security.cloudflare-dns.com", "family.cloudflare-dns.com", "chrome.cloudflare-dns.com",
    "dns.quad9.net", "dns9.quad9.net", "dns10.quad9.net", "dns11.quad9.net",
    "doh.opendns.com", "doh.familyshield.opendns.com",
    "dns.adguard-dns.com", "dns.adguard.com", "dns.nextdns.io",
    "dns.alidns.com", "doh.pub", "dot.pub", "sm2.doh.pub",
})  # fmt: skip
DOH_ADDRESSES = frozenset({
    "8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844",
    "1.1.1.1", "1.0.0.1", "2606:4700:4700::1111", "2606:4700:4700::1001",
    "9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9",
    "208.67.222.222", "208.67.220.220",
    "94.140.14.14", "94.140.15.15",
    "223.5.5.5", "223.6.6.6", "2400:3200::1", "2400:3200:baba::1",
    "1.12.12.12", "120.53.53.53",
})  # fmt: skip


def encrypted_dns_note(
    host: str | None, server_ip: str | None, port: int | None, *, udp: bool = False
) -> str | None:
    """The note for a TLS/QUIC flow to a well-known encrypted-DNS resolver, or None.

    Port 853 is DNS over TLS (RFC 7858), or over QUIC (RFC 9250) when ``udp``; other ports, 443
    in practice, DNS over HTTPS (RFC 8484, also over HTTP/3).
    """
    if host not in DOH_HOSTS and server_ip not in DOH_ADDRESSES:
        return None
    kind = ("doq" if udp else "dot") if port == 853 else "doh"
    return f"{kind}: DNS queries inside, names not visible"
