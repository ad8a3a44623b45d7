"""Search many byte literals at once: Hyperscan when it is installed, pyahocorasick otherwise.

`LiteralSearch` is compiled once from thousands of literals (every encoded variant of every canary)
and then run over every field of every flow. Both engines scan each byte once, whatever the number
of literals; a Python ``re`` alternation of the same literals would backtrack through them and is
never used here.

- Hyperscan (``pip install privprobe[fast]``): block mode, the pure-literal compiler
  (``hs_compile_lit_multi``), case-sensitive because the variants carry their own case, and
  ``HS_FLAG_SINGLEMATCH``: each literal is reported once per scanned block, at its first end, so a
  body repeating a value a million times costs one callback, not a million.
- pyahocorasick (a core dependency): the automaton works on ``str``, so bytes are mapped one to one
  onto code points 0-255 (latin-1) both when adding literals and when scanning.

Both report the same thing: for every literal that occurs, its index and the span of its first
occurrence. python-hyperscan 0.9 hands literals to the C library as NUL-terminated strings, so a
literal holding a NUL byte (a raw digest) is searched by its longest NUL-free run and the whole
literal is then compared at that place.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

ENGINES = ("hyperscan", "pyahocorasick")
"""The engines, in order of preference."""

Match = tuple[int, int, int]
"""(literal index, start, end) of an occurrence; ``data[start:end]`` is the literal."""


class LiteralSearch:
    """Finds which of a fixed set of byte literals occur in a block of data, and where first.

    >>> search = LiteralSearch([b"kim@example.com", b"01012345678"])
    >>> list(search.find(b"to=kim@example.com&tel=01012345678"))
    [(0, 3, 18), (1, 23, 34)]
    """

    def __init__(self, literals: Sequence[bytes], engine: str | None = None) -> None:
        """Compile ``literals`` (any bytes, duplicates allowed) with ``engine`` (default: the fastest
        installed). Empty literals are never reported."""
        self.literals = list(literals)
        self._owners: dict[bytes, list[int]] = {}
        for index, literal in enumerate(self.literals):
            if literal:
                self._owners.setdefault(literal, []).append(index)
        self._unique = list(self._owners)
        self.engine = engine or _best_engine()
        if self.engine == "hyperscan":
            self._impl: _Hyperscan | _AhoCorasick = _Hyperscan(self._unique)
        elif self.engine == "pyahocorasick":
            self._impl = _AhoCorasick(self._unique)
        else:
            raise ValueError(f"unknown literal engine {engine!r}: choose one of {', '.join(ENGINES)}")

    @property
    def engine_version(self) -> str:
        """The engine and its package version, for reports and benchmarks (``hyperscan 0.9.1``)."""
        package = "hyperscan" if self.engine == "hyperscan" else "pyahocorasick"
        try:
            return f"{self.engine} {version(package)}"
        except PackageNotFoundError:
            return self.engine

    def find(self, data: bytes) -> Iterator[Match]:
        """Each literal found in ``data`` with the span of its first occurrence, in order of ends."""
        for unique, start, end in self._impl.first_occurrences(data):
            for index in self._owners[self._unique[unique]]:
                yield index, start, end


def _best_engine() -> str:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return "pyahocorasick"
    return "hyperscan"


class _Hyperscan:
    def __init__(self, literals: list[bytes]) -> None:
        import hyperscan

        self._literals = literals
        # NUL-free literals are searched whole; the others by their longest NUL-free run at `_shift`.
        self._shift: dict[int, int] = {}
        patterns: list[bytes] = []
        ids: list[int] = []
        flags: list[int] = []
        for index, literal in enumerate(literals):
            run, shift = _longest_run(literal)
            if not run:  # only NUL bytes: nothing the binding can search for
                continue
            patterns.append(run)
            ids.append(index)
            if shift >= 0:
                self._shift[index] = shift
            # A partial pattern may match where the whole literal is absent: report every match.
            flags.append(0 if shift >= 0 else hyperscan.HS_FLAG_SINGLEMATCH)
        self._database: Any = None
        if patterns:
            self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._database.compile(
                expressions=patterns, ids=ids, elements=len(patterns), flags=flags, literal=True
            )

    def first_occurrences(self, data: bytes) -> list[Match]:
        if self._database is None or not data:
            return []
        found: list[Match] = []
        seen: set[int] = set()
        literals, shifts = self._literals, self._shift

        def on_match(index: int, _start: int, end: int, _flags: int, _context: object) -> None:
            if index in seen:
                return
            literal = literals[index]
            if index in shifts:  # matched the NUL-free run only: compare the whole literal
                start = end - len(_longest_run(literal)[0]) - shifts[index]
                if start < 0 or data[start : start + len(literal)] != literal:
                    return
                end = start + len(literal)
            seen.add(index)
            found.append((index, end - len(literal), end))

        self._database.scan(data, match_event_handler=on_match)
        return found


def _longest_run(literal: bytes) -> tuple[bytes, int]:
    """``(literal, -1)`` when it has no NUL byte, else its longest NUL-free run and that run's offset."""
    if b"\x00" not in literal:
        return literal, -1
    best, best_at, at = b"", 0, 0
    for run in literal.split(b"\x00"):
        if len(run) > len(best):
            best, best_at = run, at
        at += len(run) + 1
    return best, best_at


class _AhoCorasick:
    def __init__(self, literals: list[bytes]) -> None:
        import ahocorasick

        self._lengths = [len(literal) for literal in literals]
        self._automaton: Any = None
        if literals:
            self._automaton = ahocorasick.Automaton()
            for index, literal in enumerate(literals):
                self._automaton.add_word(literal.decode("latin-1"), index)
            self._automaton.make_automaton()

    def first_occurrences(self, data: bytes) -> list[Match]:
        if self._automaton is None or not data:
            return []
        found: list[Match] = []
        seen: set[int] = set()
        for last, index in self._automaton.iter(data.decode("latin-1")):
            if index not in seen:
                seen.add(index)
                found.append((index, last + 1 - self._lengths[index], last + 1))
        return found
