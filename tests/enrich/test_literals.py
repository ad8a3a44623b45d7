"""The multi-literal search: Hyperscan and pyahocorasick report the same first occurrences."""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privprobe.enrich.literals import ENGINES, LiteralSearch

INSTALLED = [
    e for e in ENGINES if importlib.util.find_spec("hyperscan" if e == "hyperscan" else "ahocorasick")
]


@pytest.fixture(params=INSTALLED)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def found(search: LiteralSearch, data: bytes) -> list[tuple[int, int, int]]:
    return sorted(search.find(data))


def test_finds_each_literal_once_at_its_first_occurrence(engine: str) -> None:
    search = LiteralSearch([b"kim@example.com", b"01012345678"], engine=engine)
    data = b"to=kim@example.com&tel=01012345678&cc=kim@example.com"
    assert found(search, data) == [(0, 3, 18), (1, 23, 34)]


def test_overlapping_and_nested_literals_are_all_reported(engine: str) -> None:
    search = LiteralSearch([b"+821012345678", b"1012345678", b"821012"], engine=engine)
    assert found(search, b"p=+821012345678") == [(0, 2, 15), (1, 5, 15), (2, 3, 9)]


def test_duplicate_literals_report_every_index(engine: str) -> None:
    search = LiteralSearch([b"abcdef", b"abcdef", b"zzzzzz"], engine=engine)
    assert found(search, b"..abcdef..") == [(0, 2, 8), (1, 2, 8)]


def test_literals_with_nul_bytes(engine: str) -> None:
    """Raw digests hold NUL bytes; python-hyperscan cuts a literal at its first NUL."""
    digest = b"\x9a\x00\x17\xff\x00\x00\x42abc"
    search = LiteralSearch([digest, b"abc"], engine=engine)
    assert found(search, b"\x9a\x00\x17\xfe" + b"xx" + digest) == [(0, 6, 16), (1, 13, 16)]
    assert found(search, b"\x00\x17\xff\x00\x00\x42abc") == [(1, 6, 9)]  # the literal's tail only


def test_case_is_significant(engine: str) -> None:
    search = LiteralSearch([b"MinjiKim"], engine=engine)
    assert found(search, b"minjikim MINJIKIM") == []


def test_empty_inputs(engine: str) -> None:
    assert found(LiteralSearch([], engine=engine), b"anything") == []
    assert found(LiteralSearch([b"", b"abcdef"], engine=engine), b"") == []
    assert found(LiteralSearch([b"", b"abcdef"], engine=engine), b"abcdef") == [(1, 0, 6)]


def test_engine_is_named_with_its_version(engine: str) -> None:
    search = LiteralSearch([b"abcdef"], engine=engine)
    assert search.engine == engine
    assert search.engine_version.startswith(engine)


def test_default_engine_is_the_fastest_installed() -> None:
    assert LiteralSearch([b"abcdef"]).engine == INSTALLED[0]


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="unknown literal engine"):
        LiteralSearch([b"abcdef"], engine="re")


@settings(max_examples=200, deadline=None)
@given(
    literals=st.lists(st.binary(min_size=1, max_size=6), min_size=1, max_size=30),
    data=st.binary(max_size=200),
)
def test_engines_agree_with_a_naive_search(literals: list[bytes], data: bytes) -> None:
    naive = sorted(
        (i, data.find(lit), data.find(lit) + len(lit)) for i, lit in enumerate(literals) if lit in data
    )
    for engine in INSTALLED:
        if engine == "hyperscan" and any(set(lit) == {0} for lit in literals):
            continue  # a literal of NUL bytes only cannot be handed to python-hyperscan
        assert found(LiteralSearch(literals, engine=engine), data) == naive
