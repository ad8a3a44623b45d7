"""The evidence model: what was captured, as privprobe keeps it.

A `Case` is one investigation of one controller. It holds `Capture`s (one evidence set each: a HAR
export, a pcap, a browser run in one consent phase), each made of `EvidenceFile`s sealed by SHA-256.
Readers in `privprobe.ingest` turn evidence files into `Flow`s: one contact between the inspected
site or app and a remote host, with the `Request` and `Response` when they are visible.

Everything here is a frozen dataclass: evidence is never edited, only read and added to.
See docs/evidence-model.md for the same nouns with examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NewType

CaseId = NewType("CaseId", str)
"""A case's name, chosen by the investigator (e.g. ``temu-2024``)."""

CaptureId = NewType("CaptureId", int)
"""A capture's number inside its case, assigned by the store (1, 2, ...)."""

FlowId = NewType("FlowId", str)
"""A flow's citable id: ``"<capture>/<seq>"``, e.g. ``"3/120"`` is flow 120 of capture 3."""


class Phase(StrEnum):
    """The consent state of the browser or app while a capture was made."""

    BEFORE_CONSENT = "before_consent"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    UNKNOWN = "unknown"


class CaptureKind(StrEnum):
    """What produced a capture's evidence."""

    WEB = "web"
    HAR = "har"
    MITM = "mitm"
    PCAP = "pcap"
    APK = "apk"
    POLICY = "policy"
    ANSWERS = "answers"


class Transport(StrEnum):
    """How a flow reached its host. HTTP(S) with a visible request is ``http`` whatever the scheme."""

    HTTP = "http"
    WEBSOCKET = "websocket"
    TLS = "tls"
    QUIC = "quic"
    DNS = "dns"
    TCP = "tcp"
    UDP = "udp"


Headers = tuple[tuple[str, str], ...]
"""HTTP headers as (name, value) pairs in wire order, duplicates kept, names as sent."""


@dataclass(frozen=True, slots=True)
class Case:
    """One investigation of one controller."""

    name: CaseId
    """The investigator's name for the case; also its folder name in the workspace."""
    controller: str
    """The controller under investigation, e.g. ``Whaleco Technology Ltd (Temu)``."""
    first_party_domains: tuple[str, ...]
    """Registrable domains the controller operates (``temu.com``); flows to them are first party."""
    apps: tuple[str, ...] = ()
    """App identifiers of the controller (``com.einnovation.temu``)."""
    jurisdiction: str = "KR"
    """ISO 3166-1 alpha-2 country of the data subjects; flows leaving it are transfers abroad."""
    created: datetime | None = None
    """When the case was opened (UTC); None only before the store has saved it."""


@dataclass(frozen=True, slots=True)
class Canary:
    """A known value of the test persona the investigator used, to be searched for in every flow."""

    name: str
    """The investigator's name for it (``persona-email``)."""
    data_type: str
    """Its data type id from the shared vocabulary (``contact.email``)."""
    value: str
    """The value as the investigator typed it; normalised forms and encodings are derived from it."""


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """One file of evidence, kept unmodified in the workspace's content-addressed store."""

    sha256: str
    """Hex SHA-256 of the file's bytes; also its name in the evidence store."""
    size: int
    """Size in bytes."""
    original_name: str
    """The file's name when it was imported (no folder: folders are machine paths), or its path inside
    an evidence bundle (``phases/accepted/traffic.har``)."""
    format: str
    """What the file is, as sniffed: ``har``, ``mitm``, ``pcap``, ``pcapng``, ..."""


@dataclass(frozen=True, slots=True)
class Capture:
    """One evidence set inside a case: a file or a browser run, in one consent phase."""

    id: CaptureId
    """Number of the capture in its case."""
    case: CaseId
    """The case it belongs to."""
    kind: CaptureKind
    """What produced it."""
    label: str
    """The investigator's label (defaults to the file name)."""
    phase: Phase
    """Consent state during the capture."""
    files: tuple[EvidenceFile, ...]
    """The evidence files it was read from."""
    reader: str
    """The reader that produced its flows, with version (``har 1``)."""
    imported: datetime
    """When it was imported (UTC)."""
    device: str | None = None
    """Browser, app or tool that wrote the evidence, when the file says (``Firefox 120.0``)."""
    started: datetime | None = None
    """Time of the first flow (UTC), when the evidence has times."""
    ended: datetime | None = None
    """Time of the last flow (UTC)."""
    flow_count: int = 0
    """Number of flows read."""
    partial: bool = False
    """True when reading stopped at a fault: the flows before it are kept."""
    partial_reason: str | None = None
    """The fault, naming the file and the position (``x.har: entry 41: unterminated string``)."""


@dataclass(frozen=True, slots=True)
class Request:
    """What the client sent, when it is visible (HAR, mitmproxy, plain HTTP in a pcap)."""

    method: str
    """HTTP method as sent (``GET``, ``POST``)."""
    url: str
    """Absolute URL including the query string."""
    http_version: str = ""
    """Protocol string as the source spelt it, normalised to upper case (``HTTP/2``)."""
    headers: Headers = ()
    """Request headers."""
    cookies: tuple[tuple[str, str], ...] = ()
    """Cookies sent, as (name, value); from the source's cookie list or the Cookie header."""
    body: bytes | None = None
    """Request body as sent (after base64 decoding of the source), at most the ingest limit."""
    body_size: int = 0
    """Size of the body in bytes as sent, even when ``body`` was cut at the limit or is absent."""
    body_truncated: bool = False
    """True when ``body`` holds only the first bytes of a larger body."""

    def header(self, name: str) -> str | None:
        """The first header of that name (case-insensitive), or None."""
        return first_header(self.headers, name)


@dataclass(frozen=True, slots=True)
class Response:
    """What the server answered, when it is visible. Bodies are not kept: they do not leave the device."""

    status: int
    """HTTP status code; 0 when the source recorded no answer (blocked, aborted)."""
    reason: str = ""
    """Reason phrase as sent."""
    http_version: str = ""
    """Protocol string, upper case."""
    headers: Headers = ()
    """Response headers."""
    body_size: int | None = None
    """Size of the body in bytes, when known."""
    content_type: str | None = None
    """MIME type of the body, when known."""

    def header(self, name: str) -> str | None:
        """The first header of that name (case-insensitive), or None."""
        return first_header(self.headers, name)


@dataclass(frozen=True, slots=True)
class Flow:
    """One contact between the inspected site or app and a remote host."""

    capture: CaptureId
    """The capture it was read from."""
    seq: int
    """Its order in the capture, from 0; with ``capture`` it makes the citable id."""
    position: str
    """Where in the source file it sits, for citation (``log.entries[12]``, ``packet 341``)."""
    transport: Transport
    """How it reached its host."""
    phase: Phase = Phase.UNKNOWN
    """Consent state during the capture."""
    time: datetime | None = None
    """When it started (UTC), when the source says."""
    host: str | None = None
    """Host name (or IP literal) contacted; None when the evidence does not name it (no SNI, no DNS)."""
    name_source: str | None = None
    """How ``host`` was learned: ``url``, ``http-host``, ``tls-sni``, ``quic-sni``, ``dns``, or
    ``mitm-server`` (the address mitmproxy was asked to connect to)."""
    server_ip: str | None = None
    """Server IP address, when the source recorded it."""
    server_port: int | None = None
    """Server port, when known."""
    client_ip: str | None = None
    """The capturing device's address, when the source recorded it (pcap)."""
    request: Request | None = None
    """The request, when visible."""
    response: Response | None = None
    """The response, when visible."""
    bytes_sent: int | None = None
    """Bytes the client sent on this flow (request line, headers and body, or payload bytes)."""
    bytes_received: int | None = None
    """Bytes the client received on this flow."""
    notes: tuple[str, ...] = field(default=())
    """What the reader saw that matters for reading the flow: ``doh``, ``ech``, ``esni``,
    ``websocket``, ``body truncated at 8 MiB``, ..."""

    @property
    def id(self) -> FlowId:
        """The citable id ``"<capture>/<seq>"``."""
        return FlowId(f"{self.capture}/{self.seq}")


def first_header(headers: Headers, name: str) -> str | None:
    """The value of the first header called ``name`` (case-insensitive), or None."""
    wanted = name.lower()
    for key, value in headers:
        if key.lower() == wanted:
            return value
    return None
