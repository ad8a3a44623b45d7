"""Running text of a policy: lines, sentences, ``label: value`` lines and the cues of each field.

A policy's prose is read in *units*: the lines of one deepest section, outside its tables. A unit
about an overseas transfer usually names one recipient ("가. 클라우드 보관"), and its lines either
label the statutory items (``이전받는 자: Google LLC``) or say them in sentences ("… 미국에 소재한
Google LLC에 네트워크를 통해 전송합니다"). Korean sentences are split with kiwipiepy (a Korean
morphological analyser: Korean sentence ends are not reliably marked by a full stop); English and
Chinese ones at ``.!?。！？；``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from privprobe.declared.policy.document import Document, Section, Span

_LABEL = re.compile(r"^\s*(?:[-•·*▪◦○●□■]\s*)?(?P<label>[^:：|]{1,30}?)\s*[:：]\s*(?P<value>\S.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])\s+|(?<=[。！？；])")
_ABBREVIATION = re.compile(
    r"\b(?:Inc|Ltd|Co|Corp|LLC|Pte|Bhd|S\.A|B\.V|e\.g|i\.e|etc|No|Art|U\.S|St|Mr|Ms|Dr|vs)\.$", re.I
)
_LONG_LINE = 80  # shorter lines are one sentence; Kiwi loads a 70 MB model, so only when needed

CUES: dict[str, re.Pattern[str]] = {
    "time_method": re.compile(
        r"(이전|전송|제공)\s*(시기|일시|방법|시점)|네트워크|전송(합니다|되며|됩니다)|업로드|"
        r"\b(transmit|transmitted|transferred (?:via|by|through|when|upon))\b|\bat the time of\b|"
        r"传输方式|传输时间|通过[^，。]{0,12}(?:网络|加密|传输)|加密传输",
        re.I,
    ),
    "retention": re.compile(
        r"보유|보관\s*기간|이용\s*기간|까지|파기|\d+\s*(?:년|개월|일)\s*동안|\bretain|\bretention\b|\buntil\b|保存|保留|期限",
        re.I,
    ),
    "refusal": re.compile(
        r"거부|철회|원하지\s*않|동의하지\s*않|끌 수|해제|\bturn off\b|\bdisable|关闭|\brefus|\bopt[ -]out\b|\bobject\b|\bwithdraw|拒绝|撤回",
        re.I,
    ),
    "purpose": re.compile(r"목적|위하여|위해|\bpurpose|\bin order to\b|\bto provide\b|用于|目的", re.I),
}
"""Sentence cues for the fields a statement may give in prose rather than under a label."""

URL = re.compile(r"https?://[^\s)）\]]+", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w.])(?:\+\d{1,3}[ -]?)?(?:\(?\d{2,4}\)?[ -]?)?\d{3,4}[ -]\d{4}(?![\w])")


@dataclass(frozen=True)
class Line:
    """One line of ``Document.text`` with its offset."""

    start: int
    """Offset of the first character."""
    text: str
    """The line, without its newline."""

    @property
    def span(self) -> Span:
        """The line's span."""
        return Span(self.start, self.start + len(self.text))


@dataclass(frozen=True)
class Label:
    """A ``label: value`` line: the label's fields and the value's span."""

    fields: tuple[str, ...]
    """Declaration fields the label names (``이용 목적 및 보유기간`` → purpose, retention)."""
    value: str
    """The text after the colon."""
    span: Span
    """The value's span."""


def lines(document: Document) -> Iterator[Line]:
    """Every line of the text that is not part of a table, in order."""
    tables = [table.span for table in document.tables]
    position = 0
    for text in document.text.split("\n"):
        if text.strip() and not any(span.start <= position <= span.end for span in tables):
            yield Line(position, text)
        position += len(text) + 1


def label(line: Line, fields_of: Any) -> Label | None:
    """The line as ``label: value`` when its label names at least one field, else None."""
    match = _LABEL.match(line.text)
    if match is None:
        return None
    fields = tuple(fields_of(match.group("label")))
    if not fields:
        return None
    start = line.start + match.start("value")
    return Label(fields, match.group("value").strip(), Span(start, line.start + len(line.text)))


def sentences(line: Line, language: str) -> list[Line]:
    """The sentences of a line; Korean lines longer than one sentence are split with kiwipiepy."""
    if len(line.text) <= _LONG_LINE:
        return [line]
    if language in ("ko", "mixed") and re.search(r"[가-힣]", line.text):
        return [Line(line.start + s.start, s.text) for s in _kiwi().split_into_sents(line.text)]
    found: list[Line] = []
    position = 0
    for piece in _SENTENCE_END.split(line.text):
        offset = line.text.find(piece, position)
        if found and _ABBREVIATION.search(found[-1].text):  # "Inc. (cloud …)" goes on
            joined = line.text[found[-1].start - line.start : offset + len(piece)]
            found[-1] = Line(found[-1].start, joined)
        elif piece.strip():
            found.append(Line(line.start + offset, piece))
        position = offset + len(piece)
    return found


@cache
def _kiwi() -> Any:
    from kiwipiepy import Kiwi  # a 70 MB model: loaded on the first long Korean line only

    return Kiwi()


def contacts(text: str) -> list[str]:
    """E-mail addresses and phone numbers in ``text``, in order."""
    found = [(m.start(), m.group()) for m in EMAIL.finditer(text)]
    found += [(m.start(), m.group().rstrip(".,;")) for m in URL.finditer(text)]
    found += [(m.start(), m.group().strip()) for m in PHONE.finditer(text)]
    return [value for _, value in sorted(found)]


@dataclass
class Unit:
    """The lines of one deepest section outside its tables, with the section's topic."""

    section: Section | None
    topic: str | None
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def span(self) -> Span:
        return Span(self.lines[0].start, self.lines[-1].span.end)


def body_of(unit: Unit, headings: set[int]) -> str:
    return " ".join(line.text for line in unit.lines if line.start not in headings)[:500]


def first_line(unit: Unit, pattern: re.Pattern[str], headings: set[int]) -> str:
    for line in unit.lines:
        if line.start not in headings and pattern.search(line.text):
            return line.text
    return ""
