"""privprobe case facts and privprobe penalty over a real workspace (CliRunner, no mocks)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_cli import fails, run

runner = CliRunner()
WORKED_EXAMPLE = [
    "revenue.2021=2400억",
    "revenue.2022=240,000,000,000",
    "revenue.2023=3600억",
    "related_revenue.2021=1400억",
    "related_revenue.2022=1400억",
    "related_revenue.2023=2600억",
    "violation_start=2024-01-01",
    "violation_end=2024-06-30",
]


@pytest.fixture
def case(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    run(
        workspace,
        "case",
        "new",
        "ali",
        "--controller",
        "Alibaba.com Singapore",
        "--first-party",
        "aliexpress.com",
    )
    return workspace


def set_facts(workspace: Path, *assignments: str) -> str:
    return run(workspace, "case", "facts", "ali", *(arg for a in assignments for arg in ("--set", a)))


def test_facts_list_every_key_with_unset_ones(case: Path) -> None:
    rows = json.loads(run(case, "case", "facts", "ali", "-f", "json"))
    keys = [row["key"] for row in rows]
    assert "revenue.YEAR" in keys and "daily_korean_users" in keys and "prior_fines.FINE" in keys
    assert all(row["value"] is None for row in rows)
    table = run(case, "case", "facts", "ali")
    assert "(unset)" in table and "daily korean users" not in table and "daily_korean_users" in table


def test_facts_set_show_values_units_and_history(case: Path) -> None:
    set_facts(case, "revenue.2023=19.78억", "daily_korean_users=290만", "violation_end=ongoing",
              "withdrawal_languages=en", "prior_fines.31-2(1)=2023-05-01", "korea_office=no")  # fmt: skip
    rows = {row["key"]: row for row in json.loads(run(case, "case", "facts", "ali", "-f", "json"))}
    assert rows["revenue.2023"]["value"] == 1_978_000_000 and rows["revenue.2023"]["unit"] == "KRW"
    assert "revenue.YEAR" not in rows
    assert rows["daily_korean_users"]["value"] == 2_900_000
    assert rows["violation_end"]["value"] == "ongoing" and rows["withdrawal_languages"]["value"] == ["en"]
    assert rows["prior_fines.31-2(1)"]["value"] == ["2023-05-01"] and rows["korea_office"]["value"] is False
    assert rows["revenue.2023"]["set_at"].endswith("+00:00")
    table = run(case, "case", "facts", "ali")
    assert "1,978,000,000 (19.78억)" in table
    run(case, "case", "facts", "ali", "--unset", "korea_office", "--set", "revenue.2023=20억")
    history = list(csv.DictReader(io.StringIO(run(case, "case", "facts", "ali", "--history", "-f", "csv"))))
    assert [(h["key"], h["old"], h["new"]) for h in history[-2:]] == [
        ("revenue.2023", "1978000000", "2000000000"),
        ("korea_office", "no", ""),
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "revenue.2023=12x"], "revenue.2023: '12x' is not a KRW amount"),
        (["--set", "turnover=5"], "unknown case fact 'turnover'"),
        (["--set", "violation_end=soon"], "violation_end: 'soon' is not a date YYYY-MM-DD or 'ongoing'"),
        (["--set", "revenue.2023"], "give KEY=VALUE"),
        (["--unset", "nothing"], "unknown case fact 'nothing'"),
    ],
)
def test_bad_facts_fail_in_one_line_and_store_nothing(case: Path, args: list[str], expected: str) -> None:
    assert expected in fails(case, "case", "facts", "ali", "--set", "signup_steps=2", *args)
    assert json.loads(run(case, "case", "facts", "ali", "--history", "-f", "json")) == []


def test_penalty_worksheet_in_every_format(case: Path) -> None:
    set_facts(case, *WORKED_EXAMPLE, "related_revenue.2022=2000억", "revenue.2022=3000억")
    args = ["penalty", "ali", "--severity", "serious", "--rate", "1.8", "--adjust", "duration=20",
            "--adjust", "cooperation=-30", "--fine", "28-8(4)", "--adjust", "fine.28-8(4)=30"]  # fmt: skip
    found = json.loads(run(case, *args, "-f", "json"))
    assert [e["kind"] for e in found] == ["surcharge", "fine", "gdpr_maximum", "gdpr_maximum"]
    surcharge = found[0]
    assert surcharge["amount"] == 3_024_000_000 and surcharge["severity"] == "serious"
    assert [s["step"] for s in surcharge["steps"]][:4] == [
        "regime",
        "total revenue",
        "related revenue",
        "base amount",
    ]
    assert surcharge["parameters"]["rounding_unit_krw"] == "1,000,000"
    assert found[1]["amount"] == 7_800_000 and found[2]["amount"] == 20_000_000
    lines = run(case, *args, "-f", "jsonl").splitlines()
    assert len(lines) == 4 and json.loads(lines[0])["amount"] == 3_024_000_000
    steps = list(csv.DictReader(io.StringIO(run(case, *args, "-f", "csv"))))
    assert steps[-1]["step"] == "maximum" and any(s["output"] == "3024000000" for s in steps)
    table = run(case, *args)
    assert (
        "amount: 3,024,000,000 KRW (every choice made)" in table and "UNVERIFIED in: 1st adjustment" in table
    )


def test_penalty_without_a_band_shows_every_band(case: Path) -> None:
    set_facts(case, *WORKED_EXAMPLE)
    table = run(case, "penalty", "ali")
    for band in ("very_serious", "serious", "moderate", "minor"):
        assert band in table
    assert "choose one with --severity" in table
    found = json.loads(run(case, "penalty", "ali", "-f", "json"))
    assert [e["severity"] for e in found[:4]] == ["very_serious", "serious", "moderate", "minor"]


def test_penalty_parameters_and_regime_date(case: Path) -> None:
    set_facts(case, *WORKED_EXAMPLE)
    found = json.loads(
        run(case, "penalty", "ali", "--severity", "중대한 위반행위", "--regime-date", "2026-11-28",
            "--param", "rounding_unit_krw=1", "-f", "json")
    )  # fmt: skip
    surcharge = found[0]
    assert surcharge["regime_date"] == "2026-11-28" and surcharge["severity"] == "serious"
    assert surcharge["parameters"]["rounding_unit_krw"] == "1 (set)"
    assert surcharge["steps"][1]["output"] == 360_000_000_000  # the 2026 revenue rule


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--severity", "huge"], "--severity 'huge': give one of very_serious, serious, moderate, minor"),
        (["--severity", "serious", "--rate", "2.1"], "rate 2.1% lies outside the serious band"),
        (["--rate", "1.8"], "choose one with --severity"),
        (["--severity", "serious", "--adjust", "duration=95"], "allows at most ±90%"),
        (["--severity", "serious", "--adjust", "cooperation=-60"], "allows at most ±50%"),
        (["--severity", "serious", "--adjust", "mood=5"], "unknown adjustment 'mood'"),
        (["--severity", "serious", "--adjust", "duration"], "give KEY=VALUE"),
        (["--severity", "serious", "--adjust", "duration=lots"], "give a percentage"),
        (["--severity", "serious", "--param", "surcharge_cap_rate=10"], "surcharge_cap_rate is law"),
        (["--severity", "serious", "--regime-date", "2023-01-01"], "old Art. 39-15"),
        (["--severity", "serious", "--regime-date", "tomorrow"], "give a date YYYY-MM-DD"),
        (["--severity", "serious", "--fine", "99"], "unknown fine '99'"),
        (["--severity", "serious", "--surcharged", "29"], "not asked for: add --fine 29"),
        (["--severity", "serious", "--base-amount", "3억"], "only for a controller without revenue"),
        (["--severity", "serious", "--base-amount", "x"], "--base-amount 'x'"),
    ],
)
def test_penalty_refusals_are_one_line(case: Path, args: list[str], expected: str) -> None:
    set_facts(case, *WORKED_EXAMPLE)
    assert expected in fails(case, "penalty", "ali", *args)


def test_penalty_names_missing_facts(case: Path) -> None:
    assert "violation_start is not set" in fails(case, "penalty", "ali", "--severity", "minor")
    set_facts(case, "violation_start=2024-01-01", "violation_end=2024-03-01")
    assert "revenue.2021 is not set" in fails(case, "penalty", "ali", "--severity", "minor")


def test_art_76_and_unknown_case(case: Path, tmp_path: Path) -> None:
    set_facts(case, *WORKED_EXAMPLE)
    found = json.loads(
        run(case, "penalty", "ali", "--severity", "minor", "--fine", "29", "--surcharged", "29", "-f", "json")
    )
    assert found[1]["amount"] == 0 and found[1]["steps"][-1]["basis"] == "Act Art. 76"
    assert "no case 'nope'" in fails(case, "penalty", "nope")
    assert "no case 'nope'" in fails(case, "case", "facts", "nope")
