"""Find many terms in free text at once, the way policies write them: any case, any spacing.

Korean and Chinese policies write the same item with and without spaces (``휴대폰 번호``,
``휴대폰번호``), glue particles to nouns (``미국에``, ``구글로``) and mix in Latin names
(``Google LLC``). `TermFinder` therefore matches on a folded copy of the text with every space
removed, maps each match back to the original offsets, and keeps a match of a Latin term only on
word boundaries (so ``oman`` is not found in ``woman``). Overlapping matches go to the longest.
One pyahocorasick automaton per vocabulary: never a regular-expression alternation of a thousand
names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

V = TypeVar("V")

_MIDDLE_DOTS = str.maketrans({"\u318d": "·", "\u30fb": "·", "\u2027": "·", "\u2022": "·", "\uff65": "·"})


@dataclass(frozen=True, slots=True)
class Mention(Generic[V]):
    """One term found in a text: ``text[start:end]`` names ``value``."""

    start: int
    """Offset of the first character in the searched text."""
    end: int
    """Offset just past the last character."""
    value: V
    """What the term stands for (a data-type id, an ISO country code, an organisation id)."""


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` NFKC-normalised and case-folded with all whitespace removed, and for every character
    of the result the offset of the original character it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for offset, char in enumerate(text.translate(_MIDDLE_DOTS)):
        if char.isspace():
            continue
        for piece in unicodedata.normalize("NFKC", char).casefold():
            if not piece.isspace():
                folded.append(piece)
                origin.append(offset)
    return "".join(folded), origin


def _is_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


class TermFinder(Generic[V]):
    """All mentions of a fixed set of terms in a text, longest first, never overlapping."""

    def __init__(self, terms: Iterable[tuple[str, V]]) -> None:
        self._automaton = ahocorasick.Automaton()
        self.size = 0
        """How many distinct folded terms the finder knows."""
        for term, value in terms:
            key, _ = fold(term)
            if key and not self._automaton.exists(key):
                self._automaton.add_word(key, (len(key), _is_word(key[0]), _is_word(key[-1]), value))
                self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Mention[V]]:
        """Every mention in ``text`` in order of position; of overlapping ones the longest wins."""
        if not self.size or not text:
            return []
        folded, origin = fold(text)
        candidates: list[tuple[int, int, V]] = []
        for last, (length, word_start, word_end, value) in self._automaton.iter(folded):
            first = last - length + 1
            start, end = origin[first], origin[last] + 1
            if word_start and start > 0 and _is_word(text[start - 1]):
                continue
            if word_end and end < len(text) and _is_word(text[end]):
                continue
            candidates.append((start, end, value))
        mentions: list[Mention[V]] = []
        for start, end, value in sorted(candidates, key=lambda found: (found[0] - found[1], found[0])):
            if all(end <= kept.start or start >= kept.end for kept in mentions):
                mentions.append(Mention(start, end, value))
        return sorted(mentions, key=lambda mention: mention.start)
