"""Sections of the policies in tests/declared/data: titles, anchors, levels and offsets as data.

Each fixture has a ``<name>.expected.json`` beside it; the heading forms are checked one by one below.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from privprobe.declared.policy import Document, load_policy
from privprobe.declared.policy.sections import Block, is_heading_line, numbering

DATA = Path(__file__).parent / "data"
FIXTURES = sorted(path for path in DATA.iterdir() if path.is_file() and not path.name.endswith(".json"))


def expected(path: Path) -> dict[str, object]:
    return json.loads((DATA / f"{path.stem}.expected.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_sections_match_the_expected_data(path: Path) -> None:
    document = load_policy(path)
    sections = [
        {
            "anchor": s.anchor,
            "level": s.level,
            "number": s.number,
            "title": s.title,
            "kind": s.kind,
            "parent": s.parent,
        }
        for s in document.sections
    ]
    assert sections == expected(path)["sections"]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_heading_spans_point_at_the_heading_line(path: Path) -> None:
    document = load_policy(path)
    lines = document.text.split("\n")
    for section in document.sections:
        heading = document.quote(section.heading)
        assert heading in lines
        assert section.title in heading
        if section.number is not None:
            assert heading.startswith(section.number)
        assert section.heading.start == 0 or document.text[section.heading.start - 1] == "\n"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_bodies_nest_and_anchors_are_unique(path: Path) -> None:
    document = load_policy(path)
    anchors = [section.anchor for section in document.sections]
    assert len(anchors) == len(set(anchors))
    for section in document.sections:
        assert section.heading.end <= section.body.start <= section.body.end <= len(document.text)
        if section.parent is not None:
            parent = document.section(section.parent)
            assert parent.level < section.level
            assert parent.body.start <= section.heading.start and section.body.end <= parent.body.end


def test_the_same_bytes_give_the_same_document() -> None:
    first, second = load_policy(DATA / "ko_shop.html"), load_policy(DATA / "ko_shop.html")
    assert first == second


def test_section_at_finds_the_deepest_section(ko_shop: Document) -> None:
    offset = ko_shop.text.index("Zendesk")
    found = ko_shop.section_at(offset)
    assert found is not None and found.anchor == "제3조/나"
    assert [table.section for table in ko_shop.tables_in("제3조")] == ["제3조/가", "제3조/나", "제3조/다"]


@pytest.fixture
def ko_shop() -> Document:
    return load_policy(DATA / "ko_shop.html")


@pytest.mark.parametrize(
    ("line", "kind", "number", "anchor", "title"),
    [
        ("제1조(개인정보의 처리 목적)", "article", "제1조", "제1조", "개인정보의 처리 목적"),
        ("제 7 조 (개인정보의 국외 이전)", "article", "제 7 조", "제7조", "개인정보의 국외 이전"),
        ("제28조의8(국외 이전)", "article", "제28조의8", "제28조의8", "국외 이전"),
        ("제2장 개인정보의 처리", "chapter", "제2장", "제2장", "개인정보의 처리"),
        ("1. 수집 항목", "decimal1", "1.", "1", "수집 항목"),
        ("7.2 Transfers", "decimal2", "7.2", "7.2", "Transfers"),
        ("1) 회원 정보", "paren", "1)", "1", "회원 정보"),
        ("(3) 주문 정보", "paren", "(3)", "3", "주문 정보"),
        ("가. 필수 항목", "hangul", "가.", "가", "필수 항목"),
        ("나) 선택 항목", "hangul", "나)", "나", "선택 항목"),
        ("③ 보유 기간", "circled", "③", "③", "보유 기간"),
        ("[2] 제3자 제공", "bracket", "[2]", "2", "제3자 제공"),
        ("Section 3 International Transfers", "section", "Section 3", "section-3", "International Transfers"),
        ("Article 5: Your Rights", "section", "Article 5", "article-5", "Your Rights"),
        ("第三条 联系我们", "zh-article", "第三条", "第三条", "联系我们"),
        ("二、您的权利", "zh-enum", "二、", "二", "您的权利"),
    ],
)
def test_heading_forms(line: str, kind: str, number: str, anchor: str, title: str) -> None:
    found = numbering(line)
    assert found is not None
    assert (found.kind, found.number, found.anchor, found.title) == (kind, number, anchor, title)


@pytest.mark.parametrize(
    "line",
    [
        "① 회사는 다음의 목적을 위하여 개인정보를 처리합니다.",  # a paragraph (항) is a sentence
        "1. 회원 가입 및 관리: 회원 가입 의사 확인, 본인 식별",  # label: value is a list item
        "2. We collect your name and e-mail address.",
        "회사는 개인정보를 처리합니다.",  # no number
        "2026. 1. 1. 시행",  # a date, not a number
        "가나다 순으로 정렬",
    ],
)
def test_lines_that_are_not_headings(line: str) -> None:
    assert is_heading_line(Block("para", line)) is False


def test_bold_and_markup_headings() -> None:
    assert is_heading_line(Block("para", "Your Choices", bold=True)) is None
    assert is_heading_line(Block("heading", "Overview", level=2)) is None
    assert is_heading_line(Block("item", "1. 수집 항목")) is False


def test_levels_follow_the_numbering_kinds(tmp_path: Path) -> None:
    text = "개인정보 처리방침\n제1조(목적)\n1. 항목\n가. 필수\n① 이름\n나. 선택\n2. 기간\n제2조(제공)\n1. 수령인\n"
    path = tmp_path / "policy.txt"
    path.write_text(text, encoding="utf-8")
    document = load_policy(path)
    assert [(s.anchor, s.level) for s in document.sections] == [
        ("제1조", 1), ("제1조/1", 2), ("제1조/1/가", 3), ("제1조/1/가/①", 4), ("제1조/1/나", 3),
        ("제1조/2", 2), ("제2조", 1), ("제2조/1", 2),
    ]  # fmt: skip
    assert document.quote(document.section("제1조/1").body) == "가. 필수\n① 이름\n나. 선택"
