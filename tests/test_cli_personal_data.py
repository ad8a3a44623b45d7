"""Canaries, scans and hits through the command line, over the demo sample's real HAR."""

from __future__ import annotations

import json
from pathlib import Path

from privprobe.capture.demo.sample import PERSONA, write_sample_har
from privprobe.cli import app
from tests.test_cli import run, runner


def _case_with_sample(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    run(workspace, "case", "new", "shop", "--controller", "Demo Shop", "--first-party", "shop.example")
    run(workspace, "import", "shop", str(write_sample_har(tmp_path / "sample.har")), "--phase", "refused")
    return workspace


def test_canaries_scan_and_hits(tmp_path: Path) -> None:
    ws = _case_with_sample(tmp_path)
    run(ws, "canary", "add", "shop", "--type", "contact.email", "--value", PERSONA["email"])
    persona = tmp_path / "persona.csv"
    persona.write_text(
        f"type,value,name\ncontact.phone,{PERSONA['phone']},phone\nidentity.name,{PERSONA['name']},\n"
    )
    run(ws, "canary", "add", "shop", "--file", str(persona))
    canaries = json.loads(run(ws, "canary", "list", "shop", "-f", "json"))
    assert [c["name"] for c in canaries] == ["contact.email-1", "identity.name-1", "phone"]
    out = run(ws, "scan", "shop")
    assert out.startswith("scanned 1 captures (12 flows):")
    hits = json.loads(run(ws, "hits", "shop", "-f", "json"))
    found = {(h["host"], h["data_type"], h["source"], h["field"]) for h in hits}
    assert ("www.facebook.com", "contact.email", "canary:contact.email-1", "query.em") in found
    assert ("api16-access-sg.pangle.io", "contact.phone", "canary:phone", "body.user.phone") in found
    assert ("api16-access-sg.pangle.io", "identity.name", "canary:identity.name-1", "body.user.name") in found
    facebook = next(h for h in hits if h["host"] == "www.facebook.com" and h["source"].startswith("canary"))
    assert facebook["organisation_country"] == "US" and facebook["phase"] == "refused"
    assert PERSONA["email"] not in json.dumps(hits), "full values never leave the evidence"
    assert run(ws, "scan", "shop").startswith("scanned 0 captures"), "incremental: nothing new"
    assert run(ws, "scan", "shop", "--rescan").startswith("scanned 1 captures")


def test_scan_file_without_a_case(tmp_path: Path) -> None:
    har = write_sample_har(tmp_path / "sample.har")
    rows = json.loads(
        run(
            tmp_path / "ws",
            "scan-file",
            str(har),
            "--canary",
            f"contact.email={PERSONA['email']}",
            "-f",
            "json",
        )
    )
    assert any(r["host"] == "www.facebook.com" and r["field"] == "query.em" for r in rows)


def test_canary_errors_are_one_line(tmp_path: Path) -> None:
    ws = _case_with_sample(tmp_path)
    for args, message in [
        (["--type", "contact.nope", "--value", "x"], "unknown data type 'contact.nope'"),
        (["--type", "contact.email"], "a canary needs --type and --value"),
    ]:
        result = runner.invoke(app, ["--workspace", str(ws), "canary", "add", "shop", *args])
        assert result.exit_code == 1 and message in result.stderr, result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,val\nx,y\n")
    result = runner.invoke(app, ["--workspace", str(ws), "canary", "add", "shop", "--file", str(bad)])
    assert result.exit_code == 1 and "bad.csv: line 1: expected a header" in result.stderr
    result = runner.invoke(app, ["--workspace", str(ws), "scan-file", str(bad), "--canary", "oops"])
    assert result.exit_code == 1 and "give TYPE=VALUE" in result.stderr
