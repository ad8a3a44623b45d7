"""Reader for pcap and pcapng captures: packets → conversations → `Flow`s.

1. `packets` frames the file's records and decodes link, IP, TCP and UDP headers.
2. `FlowTable` groups segments into conversations (a TCP connection, or a UDP 5-tuple). The client
   is the side that sent the SYN, else the side on an ephemeral port (DNS, QUIC on 443, ...), else
   the first sender. Only open conversations are held, at most `MAX_OPEN`; each is emitted when it
   closes (FIN from both sides, or RST), after `IDLE_SECONDS` of capture time without a packet, or
   at the end of the file.
3. A conversation is named by what it shows: the SNI of a TLS ClientHello (`tls`) or of a QUIC
   Initial (`quic`); plain HTTP gives one flow per request named by its Host header, DNS one flow
   per transaction named by the question (`cleartext`); otherwise the name the capture's own DNS
   answers gave the server's address. Nothing is guessed: without such evidence ``host`` is None.

Byte counts are transport payload bytes as sent, retransmissions included.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from privprobe.errors import ReadError
from privprobe.ingest.cleartext import REQUEST_LINE, Exchange, HttpRequests, dns_message, parse_response
from privprobe.ingest.packets import ACK, FIN, RST, SYN, TCP, Segment, StreamStart, decode, ip_text
from privprobe.ingest.pcapfile import CaptureFault, Record, open_capture
from privprobe.ingest.quic import VERSIONS, InitialReader, gquic_hello
from privprobe.ingest.tls import (
    MAX_HELLO_BYTES,
    ClientHello,
    NotClientHello,
    encrypted_dns_note,
    hello_from_records,
)
from privprobe.model import CaptureKind, Flow, Transport
from privprobe.plugins import ReadContext

IDLE_SECONDS = 120
MAX_OPEN = 100_000
"""Open conversations held at once; beyond it the least recently active one is emitted early."""
MAX_NAMES = 65_536
"""Addresses remembered from DNS answers (the most recent answer wins)."""
MAX_QUIC_DATAGRAMS = 16
"""Client datagrams read to find a QUIC ClientHello."""
MAX_DNS_PENDING = 256
MAX_PENDING = 32 << 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SERVICE_PORTS = frozenset({1080, 1900, 3128, 3478, 5222, 5223, 5228, 5353, 5355, 8000, 8080, 8443, 8888})
"""Ports of services rather than clients, beyond the system ports below 1024 (RFC 6335 §6)."""
PCAP_MAGICS = (
    b"\x0a\x0d\x0d\x0a",
    b"\xd4\xc3\xb2\xa1",
    b"\xa1\xb2\xc3\xd4",
    b"\x4d\x3c\xb2\xa1",
    b"\xa1\xb2\x3c\x4d",
)


class PcapReader:
    """Reads pcap and pcapng files (tcpdump, Wireshark, PCAPdroid, Android and iOS capture tools)."""

    name = "pcap"
    version = "1"
    kind = CaptureKind.PCAP

    def sniff(self, head: bytes, path: Path) -> bool:
        """True for pcapng's magic and pcap's (microseconds and nanoseconds, either byte order)."""
        return head[:4] in PCAP_MAGICS

    def read(self, path: Path, context: ReadContext) -> Iterator[Flow]:
        """Yield the capture's flows; at a fault, the open conversations, then `ReadError`."""
        with path.open("rb") as handle:
            try:
                capture = open_capture(handle)
            except CaptureFault as fault:
                raise ReadError(path, "file header", fault.message) from None
            context.format = capture.format
            table = FlowTable(context)
            try:
                yield from table.read(capture.records())
            except CaptureFault as fault:
                yield from table.close_all()
                context.device = capture.application
                position = f"packet {table.packets + 1} at byte {fault.offset}"
                raise ReadError(path, position, fault.message) from None
            yield from table.close_all()
            context.device = capture.application


class Conversation:
    """One TCP connection or UDP conversation while it is open."""

    __slots__ = ("begun", "client", "cport", "dns", "dns_name", "emitted", "fins", "head", "host", "http", "last",
                 "mode", "notes", "number", "proto", "quic", "received", "sent", "server", "source",
                 "sport", "stream", "time", "transport", "tries")  # fmt: skip

    def __init__(self, seg: Segment, from_client: bool, number: int, ts: int, budget: list[int]) -> None:
        self.proto = seg.proto
        forward = (seg.src, seg.sport, seg.dst, seg.dport)
        self.client, self.cport, self.server, self.sport = (
            forward if from_client else forward[2:] + forward[:2]
        )
        self.number, self.time, self.last = number, ts, ts
        self.sent = self.received = self.fins = self.tries = self.emitted = 0
        self.host: str | None = None
        self.source: str | None = None
        self.dns_name: str | None = None
        self.transport = Transport.TCP if seg.proto == TCP else Transport.UDP
        self.notes: list[str] = []
        self.head = b""
        self.begun = (number, ts)
        """Packet number and time of the first byte in ``head``."""
        self.stream = StreamStart(seg.seq + 1 if seg.flags & SYN and from_client else None, budget)
        self.http: HttpRequests | None = None
        self.quic: InitialReader | None = None
        self.dns: dict[int, Exchange] = {}
        self.mode: str | None = "dns" if self.sport == 53 else "start" if seg.proto == TCP else "quic"
        """How the client's payload is read: start (undecided), tls, http, dns, quic; None: not at all."""


class FlowTable:
    """Packets in, flows out, in emission order; only open conversations are held."""

    def __init__(self, context: ReadContext) -> None:
        self.context = context
        self.packets = self.seq = self.next_sweep = self.last_ts = 0
        self.open: dict[tuple[bytes, int, bytes, int, int], tuple[Conversation, bool]] = {}
        self.lru: OrderedDict[Conversation, None] = OrderedDict()
        self.names: OrderedDict[bytes, str] = OrderedDict()
        self.ready: list[Flow] = []
        self.skipped: dict[str, int] = {}
        self.held = [0]
        self.pending = [MAX_PENDING]
        """Bytes out-of-order TCP segments may still hold, across all conversations."""

    def read(self, records: Iterable[Record]) -> Iterator[Flow]:
        """Feed every record; yield flows as they complete. This loop is the reader's hot path."""
        lru, ready, table, skipped = self.lru, self.ready, self.open, self.skipped
        for ts, linktype, frame in records:
            self.packets += 1
            if ts < 0:  # pcapng simple packet blocks carry no time
                ts = self.last_ts
            self.last_ts = ts
            seg = decode(linktype, frame)
            if isinstance(seg, str):
                skipped[seg] = skipped.get(seg, 0) + 1
                continue
            entry = table.get((seg.src, seg.sport, seg.dst, seg.dport, seg.proto))
            if entry is None or (seg.flags & SYN and entry[0].fins and entry[1]):
                entry = self._start(seg, ts, entry)
                if entry is None:
                    continue
            conv, from_client = entry
            conv.last = ts
            lru.move_to_end(conv)
            if from_client:
                conv.sent += seg.wire
                if conv.mode and seg.size:
                    self._client_payload(conv, seg, ts)
            else:
                conv.received += seg.wire
                if seg.size and (conv.mode == "dns" or conv.http):
                    self._server_payload(conv, seg)
            if seg.flags & (FIN | RST):
                conv.fins |= 3 if seg.flags & RST else 1 if from_client else 2
                if conv.fins == 3:
                    self._finish(conv)
            if ts >= self.next_sweep:
                self._sweep(ts)
            if ready:
                yield from ready
                ready.clear()

    def close_all(self) -> Iterator[Flow]:
        """Emit every open conversation (end of file, or a fault), and report skipped packets."""
        for conv in list(self.lru):
            self._finish(conv)
        yield from self.ready
        self.ready.clear()
        reasons = {"fragment": "IP fragments not reassembled (their payload is in no flow)",
                   "malformed": "packets with malformed or cut headers", "not ip": "non-IP frames",
                   "other": "IP packets neither TCP nor UDP (ICMP, IGMP, ...)"}  # fmt: skip
        self.context.warnings.extend(f"{n} {reasons[key]}" for key, n in sorted(self.skipped.items()))

    # --- conversations ------------------------------------------------------------------------

    def _start(
        self, seg: Segment, ts: int, old: tuple[Conversation, bool] | None
    ) -> tuple[Conversation, bool] | None:
        """A new conversation for ``seg``, or None for a stray TCP packet with nothing to tell."""
        if old is not None:  # a new SYN on a closing connection: the client reuses its port
            self._finish(old[0])
        if seg.proto == TCP and not seg.flags & SYN and not seg.size:
            return None  # an ACK, FIN or RST of a connection already emitted or never seen
        if seg.proto == TCP and seg.flags & SYN:
            from_client = not seg.flags & ACK
        else:
            from_client = not (_is_service(seg.sport) and not _is_service(seg.dport))
        conv = Conversation(seg, from_client, self.packets, ts, self.pending)
        conv.dns_name = self.names.get(conv.server)
        self.open[(seg.src, seg.sport, seg.dst, seg.dport, seg.proto)] = (conv, from_client)
        self.open[(seg.dst, seg.dport, seg.src, seg.sport, seg.proto)] = (conv, not from_client)
        self.lru[conv] = None
        if len(self.lru) > MAX_OPEN:
            oldest = next(iter(self.lru))
            oldest.notes.append("emitted early: flow table full")
            self._finish(oldest)
        return conv, from_client

    def _sweep(self, ts: int) -> None:
        """Emit conversations idle for more than `IDLE_SECONDS` (oldest activity first)."""
        limit = ts - IDLE_SECONDS * 1_000_000
        while self.lru:
            oldest = next(iter(self.lru))
            if oldest.last >= limit:
                break
            self._finish(oldest)
        self.next_sweep = ts + 1_000_000

    def _finish(self, conv: Conversation) -> None:
        self.open.pop((conv.client, conv.cport, conv.server, conv.sport, conv.proto), None)
        self.open.pop((conv.server, conv.sport, conv.client, conv.cport, conv.proto), None)
        self.lru.pop(conv, None)
        conv.stream.release()
        for exchange in conv.dns.values():
            exchange.notes.append("no response seen")
            self._emit_exchange(conv, exchange, Transport.DNS)
        if conv.http and conv.http.current:
            self._emit_exchange(conv, conv.http.current, Transport.HTTP)
        if conv.emitted:
            return  # its DNS transactions or HTTP requests were its flows
        host, source = (conv.host, conv.source) if conv.host else (conv.dns_name, "dns")
        flow = self._flow(conv, conv.number, conv.time, host, source if host else None)
        note = None
        if conv.sport in (443, 853):
            note = encrypted_dns_note(host, flow.server_ip, conv.sport, udp=conv.proto != TCP)
        notes = (*conv.notes, note) if note else tuple(conv.notes)
        self._add(replace(flow, transport=conv.transport, bytes_sent=conv.sent,
                          bytes_received=conv.received, notes=notes))  # fmt: skip

    def _flow(self, conv: Conversation, number: int, ts: int, host: str | None, source: str | None) -> Flow:
        return Flow(self.context.capture, self.seq, f"packet {number}", conv.transport, self.context.phase,
                    EPOCH + timedelta(microseconds=ts), host, source, ip_text(conv.server), conv.sport,
                    ip_text(conv.client))  # fmt: skip

    def _add(self, flow: Flow) -> None:
        self.ready.append(flow)
        self.seq += 1

    def _emit_exchange(self, conv: Conversation, exchange: Exchange, transport: Transport) -> None:
        conv.emitted += 1
        host, source = exchange.host, exchange.source
        if host is None and conv.dns_name and transport is Transport.HTTP:
            host, source = conv.dns_name, "dns"
        if transport is Transport.DNS:
            request, received = None, exchange.received
        else:
            request = conv.http.finish(exchange) if conv.http else exchange.request
            received = conv.received - exchange.mark
        flow = self._flow(conv, exchange.number, exchange.time, host, source)
        self._add(replace(flow, transport=transport, request=request, response=exchange.response,
                          bytes_sent=exchange.sent + exchange.body_size, bytes_received=received,
                          notes=tuple(exchange.notes)))  # fmt: skip

    # --- payloads ----------------------------------------------------------------------------

    def _client_payload(self, conv: Conversation, seg: Segment, ts: int) -> None:
        payload = seg.frame[seg.start : seg.start + seg.size]
        if conv.proto != TCP:
            if conv.mode == "dns":
                self._dns(conv, payload, True, ts)
            else:
                self._quic(conv, payload)
            return
        chunk = conv.stream.add(seg.seq + 1 if seg.flags & SYN else seg.seq, payload)  # TCP Fast Open
        if not chunk:
            return
        if conv.mode == "http":
            self._http(conv, chunk, self.packets, ts)
        elif conv.mode == "dns":  # DNS over TCP: each message after a 2-byte length (RFC 7766 §8)
            buffer = conv.head + chunk
            while len(buffer) >= 2 + int.from_bytes(buffer[:2]):
                size = 2 + int.from_bytes(buffer[:2])
                self._dns(conv, buffer[2:size], True, ts)
                buffer = buffer[size:]
            conv.head = buffer if len(buffer) <= 2 + 0xFFFF else b""  # at most one message waits
        else:
            self._classify(conv, chunk, ts)
        if conv.mode is None:
            conv.stream.release()

    def _server_payload(self, conv: Conversation, seg: Segment) -> None:
        payload = seg.frame[seg.start : seg.start + seg.size]
        if conv.mode == "dns":  # over TCP, assume one message per segment
            self._dns(conv, payload[2:] if conv.proto == TCP else payload, False, self.last_ts)
        elif conv.http and conv.http.current and not conv.http.current.response and payload[:7] == b"HTTP/1.":
            conv.http.current.response = parse_response(payload)

    def _classify(self, conv: Conversation, chunk: bytes, ts: int) -> None:
        """Decide from the client's first bytes what the connection carries."""
        if not conv.head:
            conv.begun = (self.packets, ts)
        head = conv.head = conv.head + chunk
        if head[0] == 0x16:  # a TLS handshake record (RFC 8446 §5.1)
            conv.mode, conv.transport = "tls", Transport.TLS
            try:
                hello = hello_from_records(head)
            except NotClientHello:
                hello, conv.mode = None, None
            if hello:
                self._hello(conv, hello, "tls-sni")
        else:
            first, crlf, _ = head.partition(b"\r\n")
            if crlf and REQUEST_LINE.fullmatch(first):
                conv.mode, conv.head = "http", b""
                conv.http = HttpRequests((conv.server, conv.sport), self.held)
                self._http(conv, head, *conv.begun)
                return
            if crlf or len(head) > 8192 or not head[:1].isupper():
                conv.mode = None
        if conv.mode is None or len(conv.head) > MAX_HELLO_BYTES:
            conv.mode, conv.head = None, b""

    def _http(self, conv: Conversation, data: bytes, number: int, ts: int) -> None:
        if conv.http:
            for ended in conv.http.feed(data, number, ts, conv.received):
                self._emit_exchange(conv, ended, Transport.HTTP)
            if conv.http.stopped:
                conv.mode = None

    def _hello(self, conv: Conversation, hello: ClientHello, source: str) -> None:
        if hello.sni:
            conv.host, conv.source = hello.sni, source
        conv.notes.extend(hello.notes())
        conv.mode, conv.head, conv.quic = None, b"", None

    def _quic(self, conv: Conversation, payload: bytes) -> None:
        conv.tries += 1
        if conv.quic is None:
            gquic = gquic_hello(payload)
            if gquic:
                conv.transport = Transport.QUIC
                conv.notes.append(f"gquic {gquic[0]}")
                self._hello(conv, gquic[1], "quic-sni")
                return
            if not (payload[0] & 0x80 and int.from_bytes(payload[1:5]) in VERSIONS) and conv.sport != 443:
                conv.mode = None  # neither QUIC's port nor a long header of a version we know
                return
            conv.quic = InitialReader()
        try:
            hello = conv.quic.feed(payload)
        except NotClientHello:
            hello, conv.mode = None, None
        if conv.quic and conv.quic.version and conv.transport is not Transport.QUIC:
            conv.transport = Transport.QUIC
            conv.notes.append(f"quic {conv.quic.version.name}")
        if hello:
            self._hello(conv, hello, "quic-sni")
        elif conv.tries >= MAX_QUIC_DATAGRAMS:
            conv.mode, conv.quic = None, None

    def _dns(self, conv: Conversation, data: bytes, from_client: bool, ts: int) -> None:
        """One DNS message (RFC 1035 §4): a query opens a transaction, its response emits it."""
        message = dns_message(data)
        if message is None:
            if "undecodable DNS message" not in conv.notes:
                conv.notes.append("undecodable DNS message")
            return
        source = "dns" if message.name else None
        if message.query and from_client:
            previous = conv.dns.pop(message.id, None)
            if previous and previous.host == message.name:  # the same query again (RFC 1035 §4.2.1)
                previous.sent += len(data)
                conv.dns[message.id] = previous
                return
            if previous:  # the id is reused for another question: the earlier one went unanswered
                previous.notes.append("no response seen")
                self._emit_exchange(conv, previous, Transport.DNS)
            exchange = Exchange(self.packets, ts, message.name, source)
            exchange.sent = len(data)
            if len(conv.dns) < MAX_DNS_PENDING:
                conv.dns[message.id] = exchange
        elif not message.query and not from_client:
            pending = conv.dns.pop(message.id, None)  # None: the query was before the capture began
            exchange = pending or Exchange(self.packets, ts, message.name, source)
            exchange.received = len(data)
            exchange.notes.extend(message.notes)
            for address in message.addresses if message.name else ():
                self.names[address] = message.name or ""
                self.names.move_to_end(address)
                if len(self.names) > MAX_NAMES:
                    self.names.popitem(last=False)
            self._emit_exchange(conv, exchange, Transport.DNS)


def _is_service(port: int) -> bool:
    return port < 1024 or port in SERVICE_PORTS
