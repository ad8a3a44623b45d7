"""privprobe policy analyze | add | show | diff, over the project's own labelled policies."""

from __future__ import annotations

import json
from pathlib import Path

from privprobe.cli import app
from tests.declared.labels import LABELLED
from tests.test_cli import run, runner

MARKET = LABELLED / "ko_market.html"


def test_analyze_json_cites_every_declaration(tmp_path: Path) -> None:
    report = json.loads(run(tmp_path, "policy", "analyze", str(MARKET), "--format", "json"))
    assert report["document"]["language"] == "ko" and len(report["document"]["sha256"]) == 64
    transfers = [d for d in report["declarations"] if d["kind"] == "transfers_abroad"]
    assert {"aws", "alibaba-cloud-intl"} <= {d["organisation"] for d in transfers}
    for declaration in report["declarations"]:
        assert declaration["source"]["quote"], declaration
    items = {row["item"]: row for row in report["checklist"]}
    transfer = items["pipa.overseas_transfer"]
    assert transfer["status"] == "partial"
    assert any("SG" in line and "contact" in line for line in transfer["missing"]), transfer["missing"]
    assert {row["item"].split(".")[0] for row in report["checklist"]} == {"pipa", "gdpr"}


def test_analyze_table_and_regime(tmp_path: Path) -> None:
    out = run(tmp_path, "policy", "analyze", str(MARKET), "--regime", "pipa", "--lang", "ko")
    assert "declarations" in out and "checklist" in out and "pipa.domestic_agent" in out
    assert "gdpr.controller" not in out


def test_add_show_and_bundle_errors(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run(ws, "case", "new", "market", "--controller", "Lumen Harbor", "--first-party", "lumenharbor.example")
    out = run(ws, "policy", "add", "market", str(MARKET))
    assert "added to market as capture 1" in out
    captures = json.loads(run(ws, "captures", "market", "-f", "json"))
    assert captures[0]["kind"] == "policy"
    rows = json.loads(run(ws, "policy", "show", "market", "-f", "json"))
    assert rows and {row["policy"] for row in rows} == {"ko_market.html"}
    not_policy = tmp_path / "recipe.txt"
    not_policy.write_text("김치찌개 끓이는 법: 돼지고기를 볶는다.", "utf-8")
    result = runner.invoke(app, ["--workspace", str(ws), "policy", "add", "market", str(not_policy)])
    assert result.exit_code == 1
    assert "recipe.txt: does not look like a privacy policy" in result.output
    assert len(json.loads(run(ws, "captures", "market", "-f", "json"))) == 1, "nothing half-added"


def test_diff_lists_added_and_removed_recipients(tmp_path: Path) -> None:
    old = MARKET.read_text("utf-8")
    new = old.replace("Zendesk, Inc.", "Salesforce, Inc.").replace("백업일로부터 90일", "백업일로부터 180일")
    (tmp_path / "new.html").write_text(new, "utf-8")
    rows = json.loads(run(tmp_path, "policy", "diff", str(MARKET), str(tmp_path / "new.html"), "-f", "json"))
    changes = {(row["change"], row["what"], row["value"]) for row in rows}
    assert ("removed", "recipient", "transfers_abroad: zendesk") in changes
    assert ("added", "recipient", "transfers_abroad: salesforce") in changes
    assert all(row["old"] or row["new"] for row in rows), "every change cites a span"
    assert run(tmp_path, "policy", "diff", str(MARKET), str(MARKET), "-f", "json").strip() == "[]"


def test_bad_policy_files_are_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["policy", "analyze", str(empty)])
    assert result.exit_code == 1 and result.output.strip() == "privprobe: error: empty.html: empty file"


def test_fetch_saves_the_rendered_page_from_a_local_server(tmp_path: Path) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from privprobe.cli.demo import _browser_missing

    if reason := _browser_missing():
        import pytest

        pytest.skip(reason)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(MARKET.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{MARKET.name}"
        out = run(tmp_path, "policy", "fetch", url, "--out", str(tmp_path / "saved.html"))
    finally:
        server.shutdown()
    assert "HTTP 200" in out
    report = json.loads(run(tmp_path, "policy", "analyze", str(tmp_path / "saved.html"), "-f", "json"))
    assert {"aws", "alibaba-cloud-intl"} <= {d["organisation"] for d in report["declarations"]}
