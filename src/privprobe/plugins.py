"""The extension points, in one place, and the Registry that holds what is installed.

- ``privprobe.readers``: a `Reader` turns one evidence file into `Flow`s.
- ``privprobe.detectors``: a `Detector` finds one type of personal data in one field of a flow. An
  entry point may name a detector, a detector class, or a sequence of detectors.
- ``privprobe.regimes``: a `Regime` turns the results of the law-neutral checks into `Finding`s
  citing its articles (built in: ``pipa``, ``gdpr``).

Built-in readers register through the same entry-point group as third-party plugins (see
pyproject.toml and docs/extending.md). The `Registry` is an object passed to whoever needs it; it is
never a module global, so tests can build one with exactly the readers they want.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from privprobe.findings import CheckResult, Finding
from privprobe.model import CaptureId, CaptureKind, Flow, Phase

if TYPE_CHECKING:
    from privprobe.assess.regime import Period

SNIFF_BYTES = 4096
"""How many leading bytes of a file readers get to recognise it."""


@dataclass
class ReadContext:
    """What a reader is told about the capture it reads into, and what it reports back.

    ``capture`` and ``phase`` go into every flow. The reader may set ``device`` (the tool or browser
    that wrote the file), ``format`` (the exact format sniffed, e.g. ``pcapng``) and add ``warnings``
    (things a user should know that did not stop reading).
    """

    capture: CaptureId
    phase: Phase = Phase.UNKNOWN
    device: str | None = None
    format: str | None = None
    warnings: list[str] = field(default_factory=list)


@runtime_checkable
class Reader(Protocol):
    """Reads one kind of evidence file into flows, streaming.

    Example, a reader of a one-URL-per-line text file::

        class UrlListReader:
            name = "urls"
            version = "1"
            kind = CaptureKind.HAR
            def sniff(self, head: bytes, path: Path) -> bool:
                return path.suffix == ".urls"
            def read(self, path: Path, context: ReadContext) -> Iterator[Flow]:
                with path.open() as lines:
                    for seq, line in enumerate(lines):
                        yield Flow(context.capture, seq, f"line {seq + 1}", Transport.HTTP, ...)

    ``read`` raises `privprobe.errors.ReadError` at a fault; the flows yielded before it are kept.
    """

    name: str
    """Short name, also the entry-point name (``har``)."""
    version: str
    """Version of the reader's interpretation; recorded with every capture it reads."""
    kind: CaptureKind
    """The kind of capture its files make."""

    def sniff(self, head: bytes, path: Path) -> bool:
        """True when ``head`` (the first `SNIFF_BYTES` bytes) looks like this reader's format."""
        ...

    def read(self, path: Path, context: ReadContext) -> Iterator[Flow]:
        """Yield the file's flows in order, with ``seq`` from 0."""
        ...


@dataclass(frozen=True, slots=True)
class FieldText:
    """One field of a flow as a detector sees it: decoded text, its path and its neighbours."""

    path: str
    """Where it sits (``query.phone``, ``body.user.lat``, ``header:x-device-id``)."""
    key: str | None
    """Its own name, the last step of the path (``phone``), when it has one."""
    text: str
    """Its value, decoded to text."""
    siblings: Mapping[str, str] = field(default_factory=dict)
    """Other fields at the same level (same JSON object, form or query), by key: lets a detector pair
    ``lat`` with ``lng``."""
    client_ip: str | None = None
    """The capturing device's own address, when the evidence has it."""


@dataclass(frozen=True, slots=True)
class Detection:
    """What a detector found in a field."""

    start: int
    """Offset of the first character in ``FieldText.text``."""
    end: int
    """Offset after the last character."""
    value: str
    """The value as found (masked before it is shown anywhere)."""
    confidence: float
    """How sure the detector is, 0-1."""
    explanation: str
    """Why, in one sentence: pattern, validator passed, key name seen."""


@runtime_checkable
class Detector(Protocol):
    """Finds one type of personal data that the persona did not seed.

    Detectors are made of data (a pattern, key names that give context, a validator) and explain
    every detection; see ``privprobe.enrich.detectors`` for the built-in ones.

    A detector may also have a ``trigger`` attribute (optional, so not a member of this protocol:
    detectors without it keep working and are run on every field): a regular expression, as a
    ``str``, that occurs in the text of every field the detector can report anything in, or None
    for "always run". The Scanner compiles the triggers of all its detectors once (one Hyperscan
    database, or one Python ``re`` per trigger without Hyperscan), searches each field once, and
    calls ``detect`` only for the detectors whose trigger occurred. A trigger must therefore be
    conservative (a superset: when in doubt, None; it only saves time) and written for both engines:

    - no backreferences, lookarounds, anchors (``^``, ``$``, ``\\b``) or inline flags: a match
      inside a value must also be a match in any text holding the value, because a JSON document
      whose text no trigger matches is not listed value by value;
    - explicit ASCII classes (``[0-9]``, ``[A-Za-z]``) or ``\\d``, not ``\\w``/``\\s``/``.``:
      Hyperscan scans ASCII fields with ASCII semantics, Python ``re`` the other fields with
      Unicode ones;
    - it must not match the empty string (such a trigger is treated as None).

    Example: ``"@"`` for e-mail addresses, ``"[0-9]{15}"`` for IMEIs.

    A detector whose findings depend on the field's key may also have (optional too):

    - ``key_trigger``: a Python regular expression searched in the field's key, casefolded
      (``key.casefold()``; a field without a key never meets it). None: the key does not matter.
    - ``unkeyed_trigger``: a regular expression, like ``trigger``, that occurs in the text of every
      field it reports in whose key does not meet ``key_trigger``; None: it reports nothing there.

    A field is offered when the trigger occurs in its text and either its key meets the key trigger
    or the unkeyed trigger occurs in its text too: ``kr_mobile`` looks for ``01098765432`` under a
    phone key, ``010-9876-5432`` anywhere.
    """

    @property
    def name(self) -> str:
        """Short unique name (``kr_rrn``)."""
        ...

    @property
    def data_type(self) -> str:
        """Id of the data type it finds (``identity.rrn``)."""
        ...

    def detect(self, field: FieldText) -> Iterator[Detection]:
        """Every occurrence of the data type in ``field``."""
        ...


@runtime_checkable
class Regime(Protocol):
    """A body of law: which check results raise which of its articles.

    Example::

        class Ccpa:
            name = "ccpa"
            title = "California Consumer Privacy Act"

            def findings(self, results, period):
                return [finding_for(r) for r in results if r.check == "sent_after_refusal"]
    """

    name: str
    """Short id (``pipa``), used in finding ids and on the command line."""
    title: str
    """Display name."""

    def findings(self, results: Sequence[CheckResult], period: Period) -> list[Finding]:
        """The findings the check results raise, citing the articles in force in ``period``."""
        ...


@dataclass
class Registry:
    """The installed extensions, by group."""

    readers: dict[str, Reader] = field(default_factory=dict)
    detectors: dict[str, Detector] = field(default_factory=dict)
    regimes: dict[str, Regime] = field(default_factory=dict)

    @classmethod
    def from_entry_points(cls) -> Registry:
        """Load every installed reader and detector from their entry-point groups."""
        registry = cls()
        for point in entry_points(group="privprobe.readers"):
            loaded = point.load()
            registry.add_reader(loaded() if isinstance(loaded, type) else loaded)
        for point in entry_points(group="privprobe.detectors"):
            loaded = point.load()
            for detector in loaded if isinstance(loaded, list | tuple) else [loaded]:
                registry.add_detector(detector() if isinstance(detector, type) else detector)
        for point in entry_points(group="privprobe.regimes"):
            loaded = point.load()
            regime = loaded() if isinstance(loaded, type) else loaded
            registry.regimes[regime.name] = regime
        return registry

    def add_detector(self, detector: Detector) -> None:
        """Register ``detector`` under its name (replacing one of the same name)."""
        self.detectors[detector.name] = detector

    def add_reader(self, reader: Reader) -> None:
        """Register ``reader`` under its name (replacing one of the same name)."""
        self.readers[reader.name] = reader

    def readers_for(self, head: bytes, path: Path) -> Iterable[Reader]:
        """Readers whose ``sniff`` accepts the file, in registration order."""
        return [reader for reader in self.readers.values() if reader.sniff(head, path)]
