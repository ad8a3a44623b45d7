"""Headings and numbering: blocks of a policy become one text with sections and tables.

The readers in ``load`` turn HTML, Markdown, PDF or plain text into ``Block``s; ``assemble`` lays
them out one per line and finds the headings. A heading is an HTML ``h1``–``h6`` or Markdown ``#``
line, a bold-only paragraph, or a short paragraph that starts with a number in one of the forms
Korean policies use (the PIPC's sample policy numbers articles ``제1조(개인정보의 처리 목적)``, then
``1.``, ``가.``, ``①``) or English and Chinese ones use (``1.1``, ``Section 3``, ``第三条``).
A numbered paragraph that reads as a sentence (ends in ``다.``, ``.``, ``。``) or as ``label: value``
is an item of a list, not a heading.

Levels come from the order in which numbering kinds appear, as a lawyer reads them: a kind seen
before closes everything opened after it; a new kind nests under the current heading unless it
ranks higher (조 > 1. > 1.1 > 1) > 가. > ①, HTML h1 > h2 > ... above any numbered paragraph).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from privprobe.declared.policy.document import CELL_SEPARATOR, Section, Span, Table

BlockKind = Literal["para", "item", "heading", "table"]


@dataclass(frozen=True)
class Block:
    """One block of the source: a paragraph, a list item, a heading or a table."""

    kind: BlockKind
    """``heading`` only for markup headings (HTML ``h1``–``h6``, Markdown ``#``)."""
    text: str = ""
    """The block's text, whitespace already collapsed; empty for a table."""
    level: int = 0
    """The markup heading level (1–6), else 0."""
    bold: bool = False
    """All of the paragraph's text is bold: a heading in many HTML and Markdown policies."""
    rows: tuple[tuple[str, ...], ...] = ()
    """A table's cells as laid out (rectangular, spans expanded)."""
    header_row: bool = False
    """The table's first row is header cells (``th``, a Markdown header)."""
    header_col: bool = False
    """Every row of the table starts with a header cell."""


@dataclass(frozen=True)
class Numbering:
    """A heading number recognised at the start of a line."""

    kind: str
    number: str
    anchor: str
    rank: int
    title: str


_CLOSERS = {"(": ")", "（": "）", "[": "]", "【": "】", "<": ">", "〈": "〉"}
_SENTENCE_END = re.compile(r"(다|요|니다|음|함)\.?$|[.。!?;,]$")
_LABEL_VALUE = re.compile(r"[:：]\s*\S")
_MAX_TITLE = 60

# (kind, pattern with a ``num`` group, rank); the first match wins, so longer forms come first.
_FORMS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("chapter", re.compile(r"(?P<num>제\s*\d+\s*장)"), 10),
    ("article", re.compile(r"(?P<num>제\s*\d+\s*조(?:\s*의\s*\d+)?)"), 20),
    ("section", re.compile(r"(?P<num>(?:section|article|chapter|part)\s+\d+(?:\.\d+)*)\b[.:]?", re.I), 20),
    ("zh-article", re.compile(r"(?P<num>第[一二三四五六七八九十百零〇\d]+[章条條节節])"), 20),
    ("zh-enum", re.compile(r"(?P<num>[一二三四五六七八九十]+、)"), 25),
    ("decimal", re.compile(r"(?P<num>\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.)(?=\s)"), 30),
    ("bracket", re.compile(r"(?P<num>\[\d{1,2}\])"), 38),
    ("paren", re.compile(r"(?P<num>\(?\d{1,2}\))(?=\s)"), 40),
    ("hangul", re.compile(r"(?P<num>[가나다라마바사아자차카타파하][.)])(?=\s)"), 50),
    ("circled", re.compile(r"(?P<num>[①-⑳])"), 60),
)
_RESTARTING = frozenset({"decimal1", "paren", "bracket", "hangul", "circled", "zh-enum"})
"""Numbering kinds that start again under each numbered parent, so their anchors name the parent."""
_BOLD_RANK = 5  # a bold-only paragraph titles the numbered paragraphs below it
_PARAGRAPH_LEVEL = 9  # paragraph headings sit below every markup heading level


def clean(text: str) -> str:
    """NFC, no control or zero-width characters, whitespace collapsed to single spaces, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff\x00-\x08\x0b-\x1f\x7f]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def numbering(line: str) -> Numbering | None:
    """The heading number at the start of ``line``, with the title that follows it."""
    for kind, pattern, rank in _FORMS:
        match = pattern.match(line)
        if match is None:
            continue
        number = match.group("num")
        if kind == "decimal":
            depth = number.rstrip(".").count(".") + 1
            kind, rank = f"decimal{depth}", rank + depth
        return Numbering(kind, number, _anchor_of(kind, number), rank, _title(line[match.end() :]))
    return None


def _anchor_of(kind: str, number: str) -> str:
    compact = re.sub(r"\s+", "", number)
    if kind == "section":
        return re.sub(r"\s+", "-", number.lower())
    return compact.strip("[]().、") or compact


def _title(rest: str) -> str:
    rest = rest.strip().lstrip(":：-–—").strip()
    if rest and rest[0] in _CLOSERS and rest.endswith(_CLOSERS[rest[0]]):
        rest = rest[1:-1].strip()
    return rest


def is_heading_line(block: Block) -> Numbering | Literal[False] | None:
    """How ``block`` heads a section: its numbering, None for an unnumbered heading, False if not."""
    if block.kind == "heading":
        return numbering(block.text) if block.text else False
    if block.kind != "para" or not block.text:
        return False
    found = numbering(block.text)
    if block.bold and len(block.text) <= _MAX_TITLE + 10 and not _SENTENCE_END.search(block.text):
        return found
    if found is None or not found.title or len(found.title) > _MAX_TITLE:
        return False
    if _SENTENCE_END.search(found.title) or _LABEL_VALUE.search(found.title):
        return False
    return found


@dataclass(frozen=True)
class _Heading:
    span: Span
    key: tuple[int, str]
    kind: str
    rank: int
    numbering: Numbering | None
    text: str


def assemble(blocks: list[Block]) -> tuple[str, tuple[Section, ...], tuple[Table, ...]]:
    """Lay the blocks out one per line (tables one line per row) and find sections and tables."""
    lines: list[str] = []
    headings: list[_Heading] = []
    grids: list[tuple[Block, Span, list[list[Span]]]] = []
    position = 0
    for block in blocks:
        if block.kind == "table":
            start, spans = position, []
            for row in block.rows:
                spans.append(_cell_spans(row, position))
                lines.append(CELL_SEPARATOR.join(row))
                position += len(lines[-1]) + 1
            grids.append((block, Span(start, position - 1), spans))
            continue
        heading = is_heading_line(block)
        if heading is not False:
            headings.append(_heading(block, heading, Span(position, position + len(block.text))))
        lines.append(block.text)
        position += len(block.text) + 1
    text = "\n".join(lines)
    sections = _sections(headings, len(text))
    tables = tuple(_table(block, span, spans, sections) for block, span, spans in grids)
    return text, sections, tables


def _cell_spans(row: tuple[str, ...], position: int) -> list[Span]:
    spans = []
    for cell in row:
        spans.append(Span(position, position + len(cell)))
        position += len(cell) + len(CELL_SEPARATOR)
    return spans


def _heading(block: Block, found: Numbering | None, span: Span) -> _Heading:
    if block.kind == "heading":  # markup decides: every h2 is a sibling of every other h2
        kind = found.kind if found is not None else f"h{block.level}"
        return _Heading(span, (block.level, "markup"), kind, block.level * 100, found, block.text)
    kind, rank = (found.kind, found.rank) if found is not None else ("bold", _BOLD_RANK)
    return _Heading(span, (_PARAGRAPH_LEVEL, kind), kind, _PARAGRAPH_LEVEL * 100 + rank, found, block.text)


def _sections(headings: list[_Heading], length: int) -> tuple[Section, ...]:
    levels, parents = _levels(headings)
    used: set[str] = set()
    anchors: list[str] = []
    sections: list[Section] = []
    for index, heading in enumerate(headings):
        up = parents[index]
        parent = anchors[up] if up is not None else None
        own = _own_anchor(heading)
        # 가. restarts under every article: 제3조/가 stays put when 제2조 gains a 가. of its own
        if up is not None and headings[up].numbering is not None and heading.kind in _RESTARTING:
            own = f"{parent}/{own}"
        anchor = _unique(own, parent, used)
        anchors.append(anchor)
        end = length
        for later in range(index + 1, len(headings)):
            if levels[later] <= levels[index]:
                end = headings[later].span.start - 1
                break
        body = Span(min(heading.span.end + 1, end), end)
        found = heading.numbering
        kind = heading.kind
        title = found.title if found is not None and found.title else heading.text
        number = found.number if found is not None else None
        sections.append(Section(anchor, title, levels[index], number, kind, heading.span, body, parent))
    return tuple(sections)


def _levels(headings: list[_Heading]) -> tuple[list[int], list[int | None]]:
    """Each heading's level and the index of its parent, by the stack of open numbering kinds."""
    stack: list[tuple[tuple[int, str], int, int]] = []  # key, rank, heading index
    levels: list[int] = []
    parents: list[int | None] = []
    for index, heading in enumerate(headings):
        keys = [key for key, _, _ in stack]
        if heading.key in keys:
            del stack[keys.index(heading.key) :]
        else:
            while stack and stack[-1][1] >= heading.rank:
                stack.pop()
        parents.append(stack[-1][2] if stack else None)
        stack.append((heading.key, heading.rank, index))
        levels.append(len(stack))
    return levels, parents


def _own_anchor(heading: _Heading) -> str:
    if heading.numbering is not None:
        return heading.numbering.anchor
    return slug(heading.text)


def slug(title: str) -> str:
    """A lower-case anchor from a title; Hangul and Han characters are kept as they are."""
    words = re.findall(r"\w+", title.lower())
    return "-".join(words)[:40].strip("-") or "section"


def _unique(anchor: str, parent: str | None, used: set[str]) -> str:
    candidate = anchor
    if candidate in used and parent is not None:
        candidate = f"{parent}/{anchor}"
    base, count = candidate, 1
    while candidate in used:
        count += 1
        candidate = f"{base}~{count}"
    used.add(candidate)
    return candidate


_FIELD_WORDS = (
    "이전받는", "이전되는", "이전 ", "국가", "항목", "목적", "기간", "근거", "일시", "방법", "연락처",
    "제공받는", "수탁", "위탁", "recipient", "country", "purpose", "retention", "items", "categor",
    "method", "contact", "legal basis", "接收方", "国家", "目的", "期限", "方式", "联系", "項目", "项目",
)  # fmt: skip
_MAX_FIELD_NAME = 40


def is_transposed(rows: tuple[tuple[str, ...], ...], header_row: bool, header_col: bool) -> bool:
    """Does the table hold field names down its first column, one record per column?"""
    if len(rows) < 2 or len(rows[0]) < 2:
        return False
    if header_col and not header_row:
        return True
    if header_row and not header_col:
        return False
    down = _field_names(row[0] for row in rows[1:])
    across = _field_names(rows[0][1:])
    return down >= 2 and down > across


def _field_names(cells: Iterable[str]) -> int:
    names = [cell for cell in cells if len(cell) <= _MAX_FIELD_NAME]
    return sum(1 for cell in names if any(word in cell.lower() for word in _FIELD_WORDS))


def _table(block: Block, span: Span, grid: list[list[Span]], sections: tuple[Section, ...]) -> Table:
    rows = block.rows
    transposed = is_transposed(rows, block.header_row, block.header_col)
    if transposed:
        header = tuple(row[0] for row in rows)
        records = tuple(tuple(row[column] for row in rows) for column in range(1, len(rows[0])))
        cells = tuple(tuple(line[column] for line in grid) for column in range(1, len(grid[0])))
    else:
        header, records = rows[0], rows[1:]
        cells = tuple(tuple(line) for line in grid[1:])
    section = _deepest(sections, span.start)
    return Table(span, header, records, cells, transposed, section)


def _deepest(sections: tuple[Section, ...], offset: int) -> str | None:
    found: Section | None = None
    for section in sections:
        inside = section.heading.start <= offset < max(section.body.end, section.heading.end) + 1
        if inside and (found is None or section.level >= found.level):
            found = section
    return found.anchor if found is not None else None
