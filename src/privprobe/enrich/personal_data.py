"""Which personal data left the device in a flow: the persona's canaries, and what detectors find.

The `Scanner` is built once per case from the persona's canaries and the installed detectors, then
run over every flow:

1. the flow is taken apart into fields, containers decoded (`privprobe.enrich.fields`);
2. every field is searched at once for every encoded variant of every canary
   (`privprobe.enrich.encodings`, `privprobe.enrich.literals`). A canary hit is certain
   (confidence 1.0): the value is the persona's own, in a known encoding;
3. every leaf field holding text is given to every detector, which finds personal data the persona
   did not seed (another person's phone number, a resident registration number);
4. hits are de-duplicated: the same value seen in a container and again in a field decoded from it
   (the raw ``body`` and ``body.user.email``) is one occurrence, kept at the most specific path;
   different encodings of it stay different hits.

Full values never leave this module: each `DataHit` carries a masked value (`mask`), and the
evidence keeps the bytes.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from time import perf_counter

from privprobe.enrich.containers import CONTROL
from privprobe.enrich.encodings import HASHES, Guard, Variant, kind_of, variants
from privprobe.enrich.fields import Field, Limits, Notes, fields
from privprobe.enrich.literals import LiteralSearch
from privprobe.facts import DataHit
from privprobe.model import Canary, Flow
from privprobe.plugins import Detection, Detector, FieldText

HASH_NOTE = (
    "a hash is not the value, but it is still personal data: whoever holds the value can compute the "
    "same hash and single out the persona with it"
)
"""Added to the explanation of every hit on a hashed form."""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan of one flow found, and what it had to leave out."""

    hits: list[DataHit]
    """The personal data found, most specific field first within each value."""
    notes: list[str]
    """Limits reached and decoders that failed, one sentence each."""


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A hit before de-duplication, with what de-duplication compares."""

    field: int
    """Index of the field it was found in."""
    value: str
    """What makes two hits the same occurrence: the canary's name, or the detected value."""
    hashes: tuple[str, ...]
    """The hash layers of the variant: a digest in a container and the same digest decoded out of it
    are one occurrence; the digest and the plain value are two."""
    hit: DataHit


class Scanner:
    """Finds the persona's canaries and the detectors' data types in flows. Build once, scan many."""

    def __init__(
        self, canaries: Sequence[Canary], detectors: Sequence[Detector], limits: Limits | None = None
    ) -> None:
        self.canaries = tuple(canaries)
        self.detectors = tuple(detectors)
        self.limits = limits or Limits()
        self.variants: list[tuple[Canary, Variant]] = [(c, v) for c in self.canaries for v in variants(c)]
        started = perf_counter()
        self.search = LiteralSearch([variant.literal for _, variant in self.variants])
        self.compile_seconds = perf_counter() - started
        """Time taken to compile the literal automaton."""

    def scan(self, flow: Flow) -> ScanResult:
        """Every canary and detector hit in ``flow``, de-duplicated, with the scan's notes."""
        notes = Notes()
        matched: set[int] = set()
        listed: list[Field] = []
        candidates: list[_Candidate] = []
        # Fields come lazily, each container searched before its values are listed: the values of a
        # JSON document without a match need not be listed for canaries (detectors need them all).
        every = None if self.detectors else lambda document: document.index in matched
        for field in fields(flow, self.limits, notes, every):
            listed.append(field)
            # A verbatim value whose container had no match cannot match either: skip its search.
            if self.canaries and (not field.verbatim or field.parent in matched):
                candidates += self.canary_hits(flow, field, matched, notes)
        if self.detectors:
            containers = {field.parent for field in listed}
            for field in listed:
                if field.index not in containers:
                    candidates += self.detector_hits(flow, field, notes)
        return ScanResult(_deduplicate(candidates, [field.parent for field in listed]), notes.items)

    def canary_hits(self, flow: Flow, field: Field, matched: set[int], notes: Notes) -> list[_Candidate]:
        """The canaries in ``field``; records in ``matched`` that the search found something there."""
        matches = list(self.search.find(field.data))
        if not matches:
            return []
        matched.add(field.index)
        spans: dict[str, list[tuple[int, int]]] = {}
        found: list[tuple[int, _Candidate]] = []
        # Longest first: "1012345678" inside "+821012345678" is the same occurrence, not a second hit.
        for index, start, end in sorted(matches, key=lambda match: match[1] - match[2]):
            canary, variant = self.variants[index]
            start = _first_confirmed(field, start, variant, notes)
            end = start + len(variant.literal)
            taken = spans.setdefault(canary.name, [])
            if start < 0 or any(s <= start and end <= e for s, e in taken):
                continue
            taken.append((start, end))
            found.append((start, _canary_candidate(flow, field, canary, variant)))
        return [candidate for _, candidate in sorted(found, key=lambda item: item[0])]

    def detector_hits(self, flow: Flow, field: Field, notes: Notes) -> list[_Candidate]:
        """What each detector finds in ``field``'s text; binary fields are skipped."""
        text = _text(field.data)
        if text is None:
            return []
        view = FieldText(field.path, field.key, text, field.siblings, client_ip=flow.client_ip)
        found: list[_Candidate] = []
        for detector in self.detectors:
            try:
                for detection in detector.detect(view):
                    found.append(_detector_candidate(flow, field, detector, detection))
            except Exception as error:  # a plugin's bug must not stop the scan of a whole capture
                notes.add(f"detector {detector.name} failed on {field.path}: {type(error).__name__}: {error}")
        return found

    @property
    def literal_count(self) -> int:
        """Number of literals searched (every variant of every canary)."""
        return len(self.variants)


def scan_flows(flows: Iterable[Flow], scanner: Scanner) -> Iterator[tuple[Flow, ScanResult]]:
    """Each flow with its scan result, lazily, in order."""
    for flow in flows:
        yield flow, scanner.scan(flow)


def mask(value: str, data_type: str, *, hashed: bool = False) -> str:
    """``value`` made safe to show: ``mi***@example.com``, ``010-****-5678``, ``37.5***,126.9***``,
    a hash as its first 8 characters and ``…``; anything else keeps its first and last 2 characters."""
    value = value.strip()
    if hashed:
        return value[:8] + "…"
    kind = kind_of(data_type, value)
    if kind == "email" and "@" in value:
        local, _, domain = value.rpartition("@")
        return f"{local[:2]}***@{domain}"
    digits = re.sub(r"\D", "", value)
    if kind == "phone" and len(digits) >= 9:
        national = "0" + digits[2:] if digits.startswith("82") else digits
        area = national[:2] if national.startswith("02") else national[:3]
        return f"{area}-****-{national[-4:]}"
    if kind == "coordinates":
        return re.sub(r"(\d+\.\d)\d*", r"\1***", value)
    if len(value) <= 4:
        return value[:1] + "*" * (len(value) - 1)
    return f"{value[:2]}***{value[-2:]}"


def _detector_candidate(flow: Flow, field: Field, detector: Detector, detection: Detection) -> _Candidate:
    hit = DataHit(
        flow=flow.id,
        data_type=detector.data_type,
        source=f"detector:{detector.name}",
        field=field.path,
        encoding=field.chain,
        masked=mask(detection.value, detector.data_type),
        confidence=detection.confidence,
        explanation=f"{detection.explanation}{_inside(field)}",
    )
    return _Candidate(field.index, detection.value, (), hit)


def _canary_candidate(flow: Flow, field: Field, canary: Canary, variant: Variant) -> _Candidate:
    hashes = tuple(layer for layer in variant.chain if layer in HASHES)
    if hashes:
        shown = variant.literal.hex() if variant.chain[0] == "raw" else variant.literal.decode("ascii")
        masked = mask(shown, canary.data_type, hashed=True)
    else:
        masked = mask(canary.value, canary.data_type)
    described = (
        f"as {variant.how} of the {variant.form} form" if variant.chain else f"in its {variant.form} form"
    )
    explanation = f"canary {canary.name} ({canary.data_type}) {described}{_inside(field)}"
    if hashes:
        explanation += f"; {HASH_NOTE}"
    hit = DataHit(
        flow=flow.id,
        data_type=canary.data_type,
        source=f"canary:{canary.name}",
        field=field.path,
        encoding=(*field.chain, *variant.chain),
        masked=masked,
        confidence=1.0,
        explanation=explanation,
    )
    return _Candidate(field.index, canary.name, hashes, hit)


def _inside(field: Field) -> str:
    return (
        f", in {field.path} after decoding {' → '.join(field.chain)}" if field.chain else f", in {field.path}"
    )


_PERCENT_ESCAPE = re.compile(rb"%[0-9A-Fa-f]{2}")
_TOUCHING: dict[Guard, tuple[bytes, bytes]] = {
    # (characters that may not come right before, right after); see `Guard`.
    Guard.NUMBER_START: (b"0123456789-.", b""),
    Guard.NUMBER: (b"0123456789", b"0123456789"),
    Guard.WORD: (_ALNUM := b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", _ALNUM),
    Guard.EMAIL: (_ALNUM + b"._%+-", _ALNUM + b"_-"),
}


def _bounded(data: bytes, start: int, end: int, guard: Guard) -> bool:
    """False when a character that ``guard`` forbids touches the match: it is part of another value."""
    if guard is Guard.NONE:
        return True
    before, after = _TOUCHING[guard]
    if start and data[start - 1] in before and not _PERCENT_ESCAPE.fullmatch(data, max(start - 3, 0), start):
        return False
    if end < len(data) and data[end] in after:
        return False
    # "minji@example.com.au" is another address; "minji@example.com." ends a sentence.
    return not (guard is Guard.EMAIL and data[end : end + 1] == b"." and data[end + 1 : end + 2].isalnum())


MAX_RETRIES = 1000
"""Occurrences of one literal tried in one field after the first was part of a longer value."""


def _first_confirmed(field: Field, start: int, variant: Variant, notes: Notes) -> int:
    """The first occurrence of the variant from ``start`` on that is not part of a longer value, or -1.
    (The search reports a literal once per field, at its first occurrence: look further here.)"""
    for _ in range(MAX_RETRIES):
        if start < 0 or _confirmed(field.data, start, start + len(variant.literal), variant):
            return start
        start = field.data.find(variant.literal, start + 1)
    notes.add(f"{field.path}: over {MAX_RETRIES} look-alikes of one canary form; later ones not checked")
    return -1


def _confirmed(data: bytes, start: int, end: int, variant: Variant) -> bool:
    """False when the match is part of a longer value: checked on the text around a plain match, and
    on the decoded bytes around a hex or base64 match (``base64("x" + email)`` holds the aligned
    base64 of the e-mail, yet decodes to another address). A neighbourhood that does not decode at
    all is no proof against the match, which then stands."""
    if variant.guard is Guard.NONE:
        return True
    if not variant.chain or set(variant.chain) <= {"url", "json-escape", "euc-kr"}:
        return _bounded(data, start, end, variant.guard)
    run = _run(data, start, end, variant.chain[0])
    decoded = list(_unhex(run) if variant.chain == ("hex",) else _unbase64(run))
    for around in decoded:
        at = around.find(variant.text)
        if at >= 0:
            return _bounded(around, at, at + len(variant.text), variant.guard)
    # Decoded, yet the value is not there: the match shared only some bits of the value's last
    # character (the base64 of "…6788" starts like that of "…6789").
    return not any(decoded)


_RUNS = {
    "hex": (re.compile(rb"[0-9A-Fa-f]{0,8}\Z"), re.compile(rb"[0-9A-Fa-f]{0,8}")),
    "base64": (re.compile(rb"[A-Za-z0-9+/]{0,4096}\Z"), re.compile(rb"[A-Za-z0-9+/]{0,4096}={0,2}")),
    "base64url": (re.compile(rb"[A-Za-z0-9_-]{0,4096}\Z"), re.compile(rb"[A-Za-z0-9_-]{0,4096}={0,2}")),
}
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _run(data: bytes, start: int, end: int, alphabet: str) -> bytes:
    """The match with the characters of ``alphabet`` around it (a few KiB at most on each side)."""
    before, after = _RUNS[alphabet]
    left = before.search(data, max(start - 4096, 0), start)
    right = after.match(data, end)
    return data[left.start() if left else start : right.end() if right else end]


def _unhex(run: bytes) -> Iterator[bytes]:
    """``run`` decoded from hex at both byte alignments."""
    for shift in (0, 1):
        piece = run[shift:]
        try:
            yield bytes.fromhex(piece[: len(piece) // 2 * 2].decode("ascii"))
        except ValueError:
            continue


def _unbase64(run: bytes) -> Iterator[bytes]:
    """``run`` decoded from base64 (either alphabet) at each of the four character alignments."""
    run = run.rstrip(b"=").translate(_FROM_URLSAFE)
    for shift in range(4):
        piece = run[shift:]
        piece = piece[: len(piece) - 1] if len(piece) % 4 == 1 else piece
        try:
            yield binascii.a2b_base64(piece + b"=" * (-len(piece) % 4))
        except binascii.Error:
            continue


def _text(data: bytes) -> str | None:
    """``data`` as text for detectors, or None when it is binary (compressed, protobuf, an image)."""
    if data.isascii():
        return None if CONTROL.search(data) else data.decode("ascii")
    text = data.decode("utf-8", "replace")
    if text.count("\ufffd") + len(CONTROL.findall(data)) > len(text) // 20:
        return None
    return text


def _deduplicate(candidates: list[_Candidate], parents: list[int | None]) -> list[DataHit]:
    """Drop a hit when the same value, hashed the same way, was also found in a field decoded from its
    field (that is the same occurrence, seen before decoding); then drop repeats of a hit."""
    covered: set[tuple[int, str, str, tuple[str, ...]]] = set()
    for candidate in candidates:
        ancestor = parents[candidate.field]
        while ancestor is not None:
            covered.add((ancestor, candidate.hit.source, candidate.value, candidate.hashes))
            ancestor = parents[ancestor]
    hits: dict[tuple[str, str, tuple[str, ...], str], DataHit] = {}
    for candidate in candidates:
        hit = candidate.hit
        if (candidate.field, hit.source, candidate.value, candidate.hashes) not in covered:
            hits.setdefault((hit.source, hit.field, hit.encoding, candidate.value), hit)
    return list(hits.values())
