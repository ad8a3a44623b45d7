"""TermFinder: many names found at once, however they are spaced, cased or glued to particles."""

from __future__ import annotations

import pytest

from privprobe.reference.terms import TermFinder, fold

FINDER = TermFinder(
    [("휴대폰번호", "phone"), ("휴대폰", "device"), ("미국", "US"), ("Oman", "OM"), ("Google LLC", "google"),
     ("Google", "google-brand"), ("谷歌", "google"), ("IP 주소", "ip")]
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("휴대폰 번호", [("휴대폰 번호", "phone")]),  # spaced as policies write it
        ("휴대폰번호와 휴대폰", [("휴대폰번호", "phone"), ("휴대폰", "device")]),  # longest wins
        ("미국에 이전", [("미국", "US")]),  # particle glued on
        ("Google  LLC (US)", [("Google  LLC", "google")]),  # one name, not "Google" + nothing
        ("GOOGLE", [("GOOGLE", "google-brand")]),
        ("Googlebot", []),  # a Latin name only on word boundaries
        ("a woman in Oman", [("Oman", "OM")]),
        ("谷歌公司", [("谷歌", "google")]),  # Chinese has no word boundaries
        ("접속IP주소", [("IP주소", "ip")]),
        ("", []),
    ],
)
def test_find(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(text[m.start : m.end], m.value) for m in FINDER.find(text)] == expected


def test_fold_keeps_offsets() -> None:
    folded, origin = fold("Ａ B\u318dC")  # full-width A, a space, Korean middle dot
    assert folded == "ab·c"
    assert origin == [0, 2, 3, 4]


def test_empty_finder() -> None:
    assert TermFinder([]).find("anything") == []
