"""Which personal data left the device in a flow: the persona's canaries, and what detectors find.

The `Scanner` is built once per case from the persona's canaries and the installed detectors, then
run over every flow:

1. the flow is taken apart into fields, containers decoded (`privprobe.enrich.fields`);
2. every field is searched at once for every encoded variant of every canary
   (`privprobe.enrich.encodings`, `privprobe.enrich.literals`). A canary hit is certain
   (confidence 1.0): the value is the persona's own, in a known encoding;
3. every leaf field holding text is given to the detectors whose trigger occurs in it (`Triggers`:
   one Hyperscan search per field for all of them), which find personal data the persona did not
   seed (another person's phone number, a resident registration number);
4. hits are de-duplicated: the same value seen in a container and again in a field decoded from it
   (the raw ``body`` and ``body.user.email``) is one occurrence, kept at the most specific path;
   different encodings of it stay different hits.

Full values never leave this module: each `DataHit` carries a masked value (`mask`), and the
evidence keeps the bytes.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Any

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
        self.triggers = Triggers(self.detectors)
        self.compile_seconds = perf_counter() - started
        """Time taken to compile the literal automaton and the detectors' triggers."""

    def scan(self, flow: Flow) -> ScanResult:
        """Every canary and detector hit in ``flow``, de-duplicated, with the scan's notes."""
        notes = Notes()
        matched: set[int] = set()
        listed: list[Field] = []
        candidates: list[_Candidate] = []
        triggered: dict[int, list[int]] = {}  # per field index, whose trigger occurs: when needed

        def offered(field: Field) -> list[int]:
            found = triggered.get(field.index)
            if found is None:
                # A verbatim value sits in its container's text: no trigger there, none in it.
                parent = field.parent if field.verbatim and self.triggers.contained else None
                if parent is not None and not self.triggers.met(triggered.get(parent, [0])):
                    found = []
                else:
                    found = self.triggers.find(field.data)
                triggered[field.index] = found
            return found

        # Fields come lazily, each container searched before its values are listed: the values of a
        # JSON document without a canary match, nor a detector's trigger, need not be listed (a
        # value that matches sits byte for byte in the document's text, and the triggers are
        # unanchored).
        every: Callable[[Field], bool] | None = None
        if not self.detectors:
            every = lambda document: document.index in matched  # noqa: E731
        elif self.triggers.contained:
            every = lambda document: document.index in matched or self.triggers.met(offered(document))  # noqa: E731
        for field in fields(flow, self.limits, notes, every):
            listed.append(field)
            # A verbatim value whose container had no match cannot match either: skip its search.
            if self.canaries and (not field.verbatim or field.parent in matched):
                candidates += self.canary_hits(flow, field, matched, notes)
        if self.detectors:
            containers = {field.parent for field in listed}
            for field in listed:
                if field.index in containers or not field.data:
                    continue
                if chosen := self.triggers.offered(offered(field), field.key):
                    candidates += self.detector_hits(flow, field, notes, chosen)
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

    def detector_hits(
        self, flow: Flow, field: Field, notes: Notes, chosen: Sequence[int] | None = None
    ) -> list[_Candidate]:
        """What the detectors (those at indexes ``chosen``, else all) find in ``field``'s text; binary
        fields are skipped."""
        text = _text(field.data)
        if text is None:
            return []
        view = FieldText(field.path, field.key, text, field.siblings, client_ip=flow.client_ip)
        found: list[_Candidate] = []
        detectors = self.detectors
        for detector in detectors if chosen is None else [detectors[index] for index in chosen]:
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


_UNCONTAINED = re.compile(r"\^(?<!\[\^)|\$|\\[bBAZz]|\(\?(?!:)")
"""What may make a trigger match in a value yet not in a text holding it: anchors, lookarounds, flags."""
_OTHER_DIGIT = re.compile(r"[^\D0-9]")
"""A decimal digit other than 0-9, which Python's ``\\d`` matches and Hyperscan's does not."""
_KEYS_CACHED = 65536
"""Distinct keys whose key-trigger verdicts are kept."""


class Triggers:
    """Which detectors to offer a field: those whose ``trigger`` occurs in its text and whose
    ``key_trigger`` occurs in its key (`privprobe.plugins.Detector`). One search for all triggers.

    Hyperscan (block mode, ``HS_FLAG_SINGLEMATCH``: each trigger reported once) searches the bytes
    with all the triggers it compiles. Python ``re``, one pattern per trigger, searches for the others,
    and for every trigger in a text holding a non-ASCII digit or when a trigger relies on Unicode
    classes (``\\w``, ``\\s``, ``.``): there Hyperscan's ASCII semantics could miss what Python's
    ``re``, which the detectors use, matches. A trigger of None, or one that matches the empty
    string or does not compile, is always met.
    """

    def __init__(self, detectors: Sequence[object]) -> None:
        self.always: list[int] = []
        """Indexes of the detectors whose trigger is always met."""
        self.patterns: list[tuple[int, re.Pattern[str]]] = []
        """Each trigger compiled by ``re``, with its detector's index."""
        self.keyed: list[tuple[int, re.Pattern[str]]] = []
        """Each key trigger compiled by ``re``, with its detector's index."""
        self._refused: dict[str | None, set[int]] = {}
        """Per key, the detectors whose key trigger it does not meet."""
        self.count = count = len(detectors)
        """Number of detectors: a detector's trigger has its index, its ``unkeyed_trigger`` that plus this."""
        unkeyed: list[tuple[int, re.Pattern[str]]] = []
        for index, detector in enumerate(detectors):
            pattern = _compiled(getattr(detector, "trigger", None))
            if pattern is None or pattern.search("") is not None:
                self.always.append(index)
            else:
                self.patterns.append((index, pattern))
            keyed = _compiled(getattr(detector, "key_trigger", None))
            if keyed is not None:
                self.keyed.append((index, keyed))
                without = _compiled(getattr(detector, "unkeyed_trigger", None))
                if without is not None and without.search("") is None:
                    unkeyed.append((count + index, without))
                elif without is not None:  # matches anywhere: the key does not matter
                    self.keyed.pop()
        self.contained = not self.always and not any(
            _UNCONTAINED.search(pattern.pattern) for _, pattern in self.patterns
        )
        self.patterns += unkeyed
        """True when a trigger found in a value is found in any text holding it (none is anchored),
        and no trigger is always met: then a container without a trigger holds no value with one."""
        self._database: Any = None
        self._ascii: list[tuple[int, re.Pattern[str]]] = self.patterns
        """Searched by ``re`` in ASCII data as well as Hyperscan's database."""
        self._unicode: list[tuple[int, re.Pattern[str]]] = self.patterns
        """Searched by ``re`` in non-ASCII data as well as Hyperscan's database."""
        try:
            import hyperscan
        except ImportError:
            return
        # Each trigger alone first: one Hyperscan rejects (a backreference) is left to re.
        compiled = [
            (index, pattern)
            for index, pattern in self.patterns
            if pattern.pattern.isascii() and _hyperscan_database(hyperscan, [(index, pattern)]) is not None
        ]
        self._database = _hyperscan_database(hyperscan, compiled) if compiled else None
        searched = {index for index, _ in compiled} if self._database is not None else set()
        self._ascii = [(index, pattern) for index, pattern in self.patterns if index not in searched]
        self._unicode = [
            (index, pattern)
            for index, pattern in self.patterns
            if index not in searched or not _unicode_exact(pattern.pattern)
        ]

    def find(self, data: bytes) -> list[int]:
        """The indexes, ascending, of the triggers met in ``data``: a detector's index for its
        ``trigger`` (or one always met), plus `count` for its ``unkeyed_trigger``."""
        if self._database is not None:
            found: set[int] = set()
            self._database.scan(data, match_event_handler=_add_id, context=found)
            if data.isascii():
                others = self._ascii
                text = data.decode("ascii") if others else ""
            else:
                text = data.decode("utf-8", "replace")
                others = self.patterns if _OTHER_DIGIT.search(text) else self._unicode
            if others:
                found.update(index for index, pattern in others if pattern.search(text))
        else:
            text = data.decode("utf-8", "replace")
            found = {index for index, pattern in self.patterns if pattern.search(text)}
        if self.always:
            found.update(self.always)
        return sorted(found)

    def met(self, found: list[int]) -> bool:
        """Whether ``found`` (from `find`) holds a detector's ``trigger``."""
        return bool(found) and found[0] < self.count

    def offered(self, found: list[int], key: str | None) -> list[int]:
        """The detectors, of those whose trigger is in ``found`` (from `find`), to offer a field with
        key ``key``: its key meets their key trigger, or their unkeyed trigger is in ``found`` too."""
        count = self.count
        if not found or found[0] >= count:
            return []
        if not self.keyed:
            return [index for index in found if index < count]
        refused = self._refused.get(key)
        if refused is None:
            if len(self._refused) >= _KEYS_CACHED:
                self._refused.clear()
            folded = key.casefold() if key is not None else None
            refused = {
                index for index, pattern in self.keyed if folded is None or pattern.search(folded) is None
            }
            self._refused[key] = refused
        if not refused:
            return [index for index in found if index < count]
        met = set(found)
        return [index for index in found if index < count and (index not in refused or index + count in met)]


def _compiled(pattern: object) -> re.Pattern[str] | None:
    """``pattern`` compiled by ``re``; None when it is None, not a string, or not a valid expression."""
    if not isinstance(pattern, str):
        return None
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _unicode_exact(pattern: str) -> bool:
    """Whether ``pattern`` matches the same in UTF-8 bytes under Hyperscan as in text under ``re``,
    but for ``\\d`` (see `_OTHER_DIGIT`): no ``\\w``, ``\\s``, ``\\b`` and their negations, no
    ``.`` outside a class, no negated class, no inline flag."""
    at, inside = 0, False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            if pattern[at + 1 : at + 2] in ("w", "W", "s", "S", "b", "B", "D"):
                return False
            at += 2
            continue
        if inside:
            inside = char != "]"
        elif char == "[":
            if pattern.startswith("[^", at):
                return False
            inside = True
            at += 2 if pattern.startswith("[]", at) else 1
            continue
        elif char == "." or (pattern.startswith("(?", at) and not pattern.startswith("(?:", at)):
            return False
        at += 1
    return True


def _hyperscan_database(hyperscan: Any, triggers: list[tuple[int, re.Pattern[str]]]) -> Any:
    """One block-mode database reporting each trigger once, or None when Hyperscan rejects one."""
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(
            expressions=[pattern.pattern.encode("ascii") for _, pattern in triggers],
            ids=[index for index, _ in triggers],
            elements=len(triggers),
            flags=[hyperscan.HS_FLAG_SINGLEMATCH] * len(triggers),
        )
    except hyperscan.error:
        return None
    return database


def _add_id(index: int, _start: int, _end: int, _flags: int, found: set[int]) -> None:
    found.add(index)


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
