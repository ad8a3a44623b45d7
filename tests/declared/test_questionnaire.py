"""Questionnaire answers: read into declarations, attached to a case, compared with its policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from privprobe.declared.questionnaire import read_answers
from privprobe.errors import InputError
from privprobe.facts import DeclarationKind
from tests.test_cli import fails, run

ANSWERS = """question,kind,recipient,country,items,purpose
Q3-1,entrusts,Shenzhen Swift Logistics Co.,중국,"이름, 휴대전화번호, 배송지 주소",해외 배송
Q3-2,transfers_abroad,Amazon Web Services Inc.,US;일본,"이메일 주소, 주문 내역",데이터 보관
Q3-3,provides,광고 파트너,싱가포르,광고 식별자,맞춤형 광고
"""


def test_rows_become_declarations_citing_the_file(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS, encoding="utf-8")
    found = read_answers(path)
    assert [d.kind for d in found] == [
        DeclarationKind.ENTRUSTS,
        DeclarationKind.TRANSFERS_ABROAD,
        DeclarationKind.PROVIDES,
    ]
    logistics, aws, partners = found
    assert (
        logistics.countries == ("CN",)
        and "contact.phone" in logistics.data_types
        and logistics.organisation is None
    )
    assert aws.organisation == "aws" and aws.countries == ("US", "JP") and "contact.email" in aws.data_types
    assert partners.vague and partners.countries == ("SG",)
    assert (
        logistics.source.section == "Q3-1"
        and logistics.source.start == 2
        and len(logistics.source.document) == 64
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("question,kind\nQ1,entrusts\n", "no column recipient, country, items, purpose"),
        (ANSWERS.replace("entrusts", "outsources", 1), "row 2: kind 'outsources' is not one of"),
        (
            ANSWERS.replace("US;일본", "Atlantis", 1),
            "row 3: country 'Atlantis' is not a country name or ISO code",
        ),
        ("", "no column question"),
    ],
)
def test_bad_answers_are_refused_with_the_row(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_answers(path)


def test_answers_the_policy_omits_are_assessed(tmp_path: Path) -> None:
    ws, path = tmp_path / "ws", tmp_path / "answers.csv"
    path.write_text(ANSWERS, encoding="utf-8")
    run(ws, "demo", "--sample", "--out", str(tmp_path / "reports"))
    assert "added to demo-shop as capture" in run(ws, "answers", "add", "demo-shop", str(path))
    shown = json.loads(run(ws, "answers", "show", "demo-shop", "-f", "json"))
    assert [row["kind"] for row in shown] == ["entrusts", "transfers_abroad", "provides"]
    findings = {f["id"] for f in json.loads(run(ws, "assess", "demo-shop", "--regime", "pipa", "-f", "json"))}
    assert "pipa.28-8-1:Shenzhen-Swift-Logistics-Co." in findings  # a trustee in China the policy omits
    assert "pipa.26-2:Shenzhen-Swift-Logistics-Co." in findings
    bad = tmp_path / "bad.csv"
    bad.write_text(ANSWERS.replace("US;일본", "Atlantis"), encoding="utf-8")
    assert "bad.csv: row 3: country 'Atlantis'" in fails(ws, "answers", "add", "demo-shop", str(bad))
    captures = json.loads(run(ws, "captures", "demo-shop", "-f", "json"))
    assert [c["kind"] for c in captures].count("answers") == 1, "a refused file is not half-added"
