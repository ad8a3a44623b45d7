"""privprobe report and investigate through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import fails, run

PERSONA = Path(__file__).resolve().parents[1] / "src" / "privprobe" / "capture" / "demo" / "persona.json"


def test_report_of_an_unknown_case_is_one_line(tmp_path: Path) -> None:
    line = fails(tmp_path / "ws", "report", "nowhere", "--out", str(tmp_path / "r.html"))
    assert "nowhere" in line


def test_report_formats_from_one_case(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run(ws, "demo", "--sample", "--out", str(tmp_path / "demo"))
    for fmt in ("json", "html", "pdf"):
        out = run(
            ws, "report", "demo-shop", "--format", fmt, "--lang", "en", "--out", str(tmp_path / f"r.{fmt}")
        )
        assert f"report of demo-shop written to {tmp_path / f'r.{fmt}'} ({fmt}, en," in out
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert document["schema"] == "privprobe-report/1" and document["language"] == "en"
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    assert "<script" not in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_investigate_runs_the_whole_chain_on_the_demo_shop(tmp_path: Path) -> None:
    from privprobe.capture.demo.shop import serve_shop
    from privprobe.cli.demo import _browser_missing

    if reason := _browser_missing():
        pytest.skip(reason)
    ws, out = tmp_path / "ws", tmp_path / "case"
    with serve_shop() as shop:
        resolve = [arg for rule in shop.resolve_rules() for arg in ("--resolve", rule)]
        args = ["investigate", "shop", shop.url, "--out", str(out), "--controller", "Demo Shop Co., Ltd.",
                "--pages", "2", "--persona", str(PERSONA), "--lang", "en", *resolve]  # fmt: skip
        printed = run(ws, *args)
    assert "written:" in printed
    document = json.loads((out / "report-shop.json").read_text(encoding="utf-8"))
    ids = {finding["id"] for finding in document["findings"]}
    assert "pipa.28-8-2:alibaba-cloud-intl" in ids, "the policy the capture saved was read"
    assert any(i.startswith("pipa.17-1:") for i in ids), "the persona's data after refusal was found"
    assert (out / "report-shop.pdf").stat().st_size > 10_000 and (out / "report-shop.html").is_file()
    captures = json.loads(run(ws, "captures", "shop", "-f", "json"))
    assert [c["kind"] for c in captures].count("web") == 3 and [c["kind"] for c in captures].count(
        "policy"
    ) == 1
