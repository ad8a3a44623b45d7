"""The command line over real files and a real workspace (CliRunner, no mocks)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privprobe.capture.demo.sample import write_sample_har
from privprobe.cli import app

runner = CliRunner()


def run(workspace: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--workspace", str(workspace), *args])
    assert result.exit_code == code, result.output + (result.stderr if result.stderr_bytes else "")
    return result.stdout


def fails(workspace: Path, *args: str) -> str:
    """Run a command that must fail with one line on stderr and exit 1; return that line."""
    result = runner.invoke(app, ["--workspace", str(workspace), *args])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("privprobe: error: "), result.stderr
    return lines[0]


def one_entry_har(url: str, creator: str = "t") -> dict[str, object]:
    """A minimal HAR 1.2 with one GET of ``url``, as an exporter writes it."""
    request = {
        "method": "GET",
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": [],
        "cookies": [],
        "queryString": [],
        "headersSize": -1,
        "bodySize": 0,
    }
    response = {
        "status": 200,
        "statusText": "",
        "httpVersion": "HTTP/1.1",
        "headers": [],
        "cookies": [],
        "content": {"size": 0, "mimeType": ""},
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": 0,
    }
    entry = {
        "startedDateTime": "2024-01-01T00:00:00Z",
        "time": 1,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
    }
    return {"log": {"version": "1.2", "creator": {"name": creator, "version": "1"}, "entries": [entry]}}


@pytest.fixture
def case(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    run(
        workspace,
        "case",
        "new",
        "shop",
        "--controller",
        "Demo Shop Co., Ltd.",
        "--first-party",
        "shop.example",
    )
    return workspace


def test_case_new_list_show(case: Path) -> None:
    listed = json.loads(run(case, "case", "list", "--format", "json"))
    assert listed[0]["name"] == "shop" and listed[0]["first_party"] == ["shop.example"]
    assert listed[0]["jurisdiction"] == "KR" and listed[0]["captures"] == 0
    assert "Demo Shop" in run(case, "case", "show", "shop")


def test_case_new_refuses_duplicates_and_bad_names(case: Path) -> None:
    result = runner.invoke(
        app, ["--workspace", str(case), "case", "new", "shop", "--controller", "x", "--first-party", "x.com"]
    )
    assert result.exit_code == 1 and "exists already" in result.stderr
    result = runner.invoke(
        app,
        ["--workspace", str(case), "case", "new", "../evil", "--controller", "x", "--first-party", "x.com"],
    )
    assert result.exit_code == 1 and "case name '../evil'" in result.stderr


def test_import_then_flows_in_every_format(case: Path, tmp_path: Path) -> None:
    har = write_sample_har(tmp_path / "sample.har")
    out = run(case, "import", "shop", str(har), "--phase", "accepted", "--label", "first visit")
    assert "capture 1: 12 flows from first visit" in out
    flows = json.loads(run(case, "flows", "shop", "--format", "json"))
    assert [f["id"] for f in flows[:2]] == ["1/0", "1/1"]
    assert flows[0]["phase"] == "accepted" and flows[0]["server_ip"] == "223.130.200.104"
    lines = run(case, "flows", "shop", "--format", "jsonl").splitlines()
    assert len(lines) == 12 and json.loads(lines[1])["method"] == "POST"
    rows = list(csv.DictReader(io.StringIO(run(case, "flows", "shop", "--format", "csv"))))
    assert rows[2]["url"].startswith("https://www.google-analytics.com/g/collect")
    assert "google-analytics" in run(case, "flows", "shop")
    captures = json.loads(run(case, "captures", "shop", "--format", "json"))
    assert captures[0]["label"] == "first visit" and captures[0]["flows"] == 12
    assert captures[0]["device"] == "privprobe demo 1" and len(captures[0]["sha256"][0]) == 64


def test_destinations_and_countries(case: Path, tmp_path: Path) -> None:
    run(case, "import", "shop", str(write_sample_har(tmp_path / "sample.har")))
    rows = {row["host"]: row for row in json.loads(run(case, "destinations", "shop", "--format", "json"))}
    assert rows["www.shop.example"]["party"] == "first"
    assert rows["www.shop.example"]["server_countries"] == ["KR"]
    assert rows["www.shop.example"]["leaves_by_server"] is False
    assert rows["log.mmstat.com"]["server_countries"] == ["CN"]
    assert rows["log.mmstat.com"]["party"] == "third"
    assert rows["www.facebook.com"]["leaves_by_organisation"] is True
    pangle = rows["api16-access-sg.pangle.io"]
    assert pangle["server_countries"] == [] and pangle["leaves_by_server"] is None
    countries = json.loads(run(case, "countries", "shop", "--format", "json"))
    by_server = {row["country"]: row for row in countries if row["by"] == "server"}
    assert by_server["CN"]["flows"] == 2 and by_server["KR"]["flows"] >= 3


def test_bad_files_fail_in_one_line_and_keep_the_case(case: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.har"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["--workspace", str(case), "import", "shop", str(empty)])
    assert result.exit_code == 1
    assert result.stderr.strip() == "privprobe: error: empty.har: empty file"
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n")
    result = runner.invoke(app, ["--workspace", str(case), "import", "shop", str(text)])
    assert result.exit_code == 1 and "notes.txt: not a format privprobe reads" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_truncated_har_is_kept_as_a_partial_capture(case: Path, tmp_path: Path) -> None:
    whole = write_sample_har(tmp_path / "whole.har").read_bytes()
    cut = tmp_path / "cut.har"
    cut.write_bytes(whole[: int(len(whole) * 0.6)])
    result = runner.invoke(app, ["--workspace", str(case), "import", "shop", str(cut)])
    assert result.exit_code == 1
    assert result.stderr.startswith("privprobe: error: cut.har: log.entries[")
    captures = json.loads(run(case, "captures", "shop", "--format", "json"))
    assert captures[0]["partial"].startswith("cut.har: log.entries[")
    assert 0 < captures[0]["flows"] < 12
    assert len(json.loads(run(case, "flows", "shop", "--format", "json"))) == captures[0]["flows"]


def test_unknown_case(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--workspace", str(tmp_path), "flows", "nope"])
    assert result.exit_code == 1 and "no case 'nope'" in result.stderr


def test_hostile_values_are_printed_as_text(case: Path, tmp_path: Path) -> None:
    har = one_entry_har(
        "https://evil.example/[link=file:///etc/passwd]x[/link]\x1b[2J", creator="[bold red]x[/]"
    )
    path = tmp_path / "evil.har"
    path.write_text(json.dumps(har))
    run(case, "import", "shop", str(path))
    table = run(case, "flows", "shop")
    assert "[link=file:///etc/passwd]" in table and "\x1b" not in table


def test_demo_on_the_sample_runs_offline(tmp_path: Path) -> None:
    out = run(tmp_path / "ws", "demo", "--sample")
    assert "capture 1: 12 flows" in out and "mmstat" in out
    assert "canary:persona-email" in out and "query.em" in out
    assert "Overseas transfers the policy declares" in out and "alibaba-cloud-intl" in out
    policy = json.loads(run(tmp_path / "ws", "policy", "show", "demo-shop", "-f", "json"))
    transfers = {row["organisation"]: row for row in policy if row["kind"] == "transfers_abroad"}
    assert transfers["google"]["countries"] == ["US"] and not transfers["alibaba-cloud-intl"]["contact"]
    again = run(tmp_path / "ws", "demo", "--sample")
    assert "capture 1: 12 flows" in again, "the demo case starts afresh"


def test_demo_captures_the_demo_shop_in_three_phases(tmp_path: Path) -> None:
    from privprobe.cli.demo import _browser_missing

    if reason := _browser_missing():
        pytest.skip(reason)
    out = run(tmp_path / "ws", "demo")
    for phase in ("before_consent", "accepted", "refused"):
        assert f"phase {phase}" in out
    hits = json.loads(run(tmp_path / "ws", "hits", "demo-shop", "-f", "json"))
    refused_to_meta = [h for h in hits if h["phase"] == "refused" and h["host"] == "www.facebook.com"]
    assert any(h["data_type"] == "contact.email" and "sha256" in h["encoding"] for h in refused_to_meta)
    assert any(
        h["phase"] == "refused" and h["host"] == "log.mmstat.com" and h["data_type"] == "contact.phone"
        for h in hits
    )
    captures = json.loads(run(tmp_path / "ws", "captures", "demo-shop", "-f", "json"))
    assert [c["kind"] for c in captures].count("policy") == 1, "the bundle's policy is attached"
    policy = json.loads(run(tmp_path / "ws", "policy", "show", "demo-shop", "-f", "json"))
    declared = {row["organisation"] for row in policy if row["kind"] == "transfers_abroad"}
    assert {"google", "alibaba-cloud-intl"} <= declared and not declared & {"meta", "tiktok", "pangle"}


def test_reference_show_and_trackerdb_import(case: Path, tmp_path: Path) -> None:
    from tests.enrich.test_trackerdb import DB

    versions = {r["data_set"]: r["version"] for r in json.loads(run(case, "reference", "show", "-f", "json"))}
    assert versions["organisations"].startswith("organisations ") and "iptocc" in " ".join(versions.values())
    db = tmp_path / "trackerdb.json"
    db.write_text(json.dumps(DB))
    har = one_entry_har("https://stats.pixelworks.example/p.gif", creator="t")
    (tmp_path / "t.har").write_text(json.dumps(har))
    run(case, "import", "shop", str(tmp_path / "t.har"))
    before = json.loads(run(case, "destinations", "shop", "-f", "json"))
    assert before[0]["organisation"] is None
    assert "organisations kept" in run(case, "reference", "import-trackerdb", str(db))
    after = json.loads(run(case, "destinations", "shop", "-f", "json"))
    assert after[0]["organisation"] == "Pixelworks Example Ltd"
    (tmp_path / "empty").mkdir()
    result = runner.invoke(
        app, ["--workspace", str(case), "reference", "import-trackerdb", str(tmp_path / "empty")]
    )
    assert result.exit_code == 1 and "no TrackerDB here" in result.stderr


def test_bundles_are_verified_and_imported_phase_by_phase(case: Path, tmp_path: Path) -> None:
    from tests.capture.test_bundle import make_bundle, rewrite

    bundle = make_bundle(tmp_path / "shop-bundle")
    assert "every file matches the manifest" in run(case, "verify", str(bundle))
    out = run(case, "import", "shop", str(bundle), code=0)
    assert "phase refused not imported: no_banner (no consent banner found)" in out
    assert "capture 1: 12 flows from shop-bundle before_consent" in out
    assert "capture 2: 12 flows from shop-bundle accepted (partial)" in out
    captures = json.loads(run(case, "captures", "shop", "-f", "json"))
    assert [(c["kind"], c["phase"]) for c in captures] == [("web", "before_consent"), ("web", "accepted")]
    assert captures[1]["partial"] == "the capture of this phase stopped early: page 2 timed out"
    flows = json.loads(run(case, "flows", "shop", "--capture", "2", "-f", "json"))
    assert {f["phase"] for f in flows} == {"accepted"}
    rewrite(bundle / "phases" / "accepted" / "cookies.json", b'{"cookies": [1]}')
    result = runner.invoke(app, ["--workspace", str(case), "verify", str(bundle)])
    assert result.exit_code == 1 and "changed: phases/accepted/cookies.json" in result.stdout
    result = runner.invoke(app, ["--workspace", str(case), "import", "shop", str(bundle)])
    assert (
        result.exit_code == 1
        and "shop-bundle: does not verify: changed: phases/accepted/cookies.json" in result.stderr
    )
    assert len(json.loads(run(case, "captures", "shop", "-f", "json"))) == 2, (
        "a bundle that fails is not imported"
    )
