"""A privacy policy as one normalised text with stable sections, tables and character offsets.

Every later step (declarations, the Art. 30 checklist, findings) cites a policy by
``Document.sha256`` plus a ``Span`` into ``Document.text``: the same input bytes always give the
same text and the same spans, so a citation made today still points at the same words tomorrow.
Tables are rendered into the text as one line per row with cells joined by `` | ``, so a table
cell has a span like any sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from privprobe.facts import PolicySpan

T = TypeVar("T")

Language = Literal["ko", "en", "zh", "mixed"]
"""A language guess from script counts: Hangul, Han, Latin; ``mixed`` when none dominates."""

CELL_SEPARATOR = " | "
"""Between the cells of a table row in ``Document.text``."""


@dataclass(frozen=True, order=True)
class Span:
    """A half-open character range ``[start, end)`` in ``Document.text``."""

    start: int
    """Offset of the first character."""
    end: int
    """Offset just past the last character."""

    def of(self, text: str) -> str:
        """The characters of ``text`` this span covers."""
        return text[self.start : self.end]

    def __contains__(self, offset: object) -> bool:
        return isinstance(offset, int) and self.start <= offset < self.end


@dataclass(frozen=True)
class Section:
    """A heading and everything under it up to the next heading of the same or a higher level."""

    anchor: str
    """Stable, unique id: the numbering as written but compact (``제7조``, ``7.2``, ``가``), else a
    slug of the title. Numbers that restart under each numbered parent (``1.``, ``가.``, ``①``) are
    prefixed by the parent's anchor (``제3조/가``); a remaining clash gets ``~2``, ``~3`` ..."""
    title: str
    """The heading without its number and enclosing brackets (``개인정보의 국외 이전``)."""
    level: int
    """1 for the top level; deeper numbering kinds (조 > 1. > 가. > ①) and HTML levels go deeper."""
    number: str | None
    """The number as written (``제 7 조``, ``7.2``, ``가.``, ``①``), None for an unnumbered heading."""
    kind: str
    """The numbering kind (``article``, ``decimal2``, ``hangul``, ``circled``, ``bold``, ``h2`` ...)."""
    heading: Span
    """The heading line; ``heading.of(text)`` is the heading exactly as shown."""
    body: Span
    """From the end of the heading line to the start of the next heading of the same or a higher
    level (so it includes subsections); empty when the next heading follows at once."""
    parent: str | None
    """Anchor of the enclosing section, None at the top level."""


@dataclass(frozen=True)
class Table:
    """A table, normalised so that each row is one record (one recipient, one data category ...)."""

    span: Span
    """The table's lines in ``Document.text`` (always as laid out in the source, never transposed)."""
    header: tuple[str, ...]
    """Field names: the first row, or the first column when ``transposed``."""
    rows: tuple[tuple[str, ...], ...]
    """One tuple of cell texts per record, as long as ``header``."""
    cells: tuple[tuple[Span, ...], ...]
    """The span of each cell of ``rows`` (same shape), for citing one cell as evidence."""
    transposed: bool
    """The source had field names down its first column and one record per column (a common layout
    for overseas-transfer tables: 이전받는 자 / 이전되는 국가 / 이전 항목 ...)."""
    section: str | None
    """Anchor of the section the table sits in."""

    def records(self) -> list[dict[str, str]]:
        """One dict per record: header → cell text. Duplicate header names keep the first cell."""
        return [_record(self.header, row) for row in self.rows]

    def record_spans(self) -> list[dict[str, Span]]:
        """Like ``records()`` but giving each cell's span, for evidence references."""
        return [_record(self.header, row) for row in self.cells]


def _record(header: tuple[str, ...], row: tuple[T, ...]) -> dict[str, T]:
    record: dict[str, T] = {}
    for name, value in zip(header, row, strict=False):
        record.setdefault(name, value)
    return record


@dataclass(frozen=True)
class Document:
    """One privacy policy, loaded and normalised; the input of declaration extraction."""

    source_name: str
    """The file's name (for a capture bundle: ``<bundle>/policy/policy.html``)."""
    sha256: str
    """SHA-256 of the original bytes, hex: ties every span to the exact evidence file."""
    media_type: str
    """``text/html``, ``application/pdf``, ``text/markdown`` or ``text/plain``, sniffed by content."""
    encoding: str | None
    """The text encoding used to decode the bytes; None for PDF."""
    language: Language
    """The caller's language, or a guess by script counts."""
    text: str
    """The normalised text: one block per line, whitespace collapsed within lines, NFC."""
    sections: tuple[Section, ...]
    """Sections in document order."""
    tables: tuple[Table, ...]
    """Tables in document order."""
    notes: tuple[str, ...]
    """What could not be read or was guessed, and why (encoding fallbacks, dropped page furniture)."""

    def section(self, anchor: str) -> Section:
        """The section with this anchor; KeyError if there is none."""
        for section in self.sections:
            if section.anchor == anchor:
                return section
        raise KeyError(anchor)

    def section_at(self, offset: int) -> Section | None:
        """The deepest section whose heading or body contains ``offset``."""
        found: Section | None = None
        for section in self.sections:
            if section.heading.start <= offset < max(section.body.end, section.heading.end):
                found = section if found is None or section.level >= found.level else found
        return found

    def tables_in(self, anchor: str) -> list[Table]:
        """Tables inside the section ``anchor`` or its subsections."""
        section = self.section(anchor)
        start, end = section.heading.start, max(section.body.end, section.heading.end)
        return [table for table in self.tables if start <= table.span.start < end]

    def quote(self, span: Span | PolicySpan) -> str:
        """The text a span (or a declaration's `PolicySpan`) covers."""
        return self.text[span.start : span.end]
