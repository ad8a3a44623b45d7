"""privprobe assess and privprobe finding set | history, on the demo shop (sample and live)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from privprobe import pipeline
from privprobe.cli import app
from privprobe.findings import FindingStatus
from privprobe.model import CaseId
from privprobe.plugins import Registry
from privprobe.store import Workspace
from tests.test_cli import fails, run, runner

CASE = "demo-shop"
META = "pipa.28-8-1:facebook"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A workspace holding the demo case made from the sample HAR and the demo policy."""
    workspace = tmp_path / "ws"
    run(workspace, "demo", "--sample")
    return workspace


def findings(workspace: Path, *args: str) -> dict[str, dict[str, Any]]:
    rows = json.loads(run(workspace, "assess", CASE, "-f", "json", *args))
    return {row["id"]: row for row in rows}


def test_assess_the_sample_in_every_format(sample: Path) -> None:
    found = findings(sample)
    assert {META, "pipa.28-8-2:alibaba-cloud-intl"} <= set(found)
    assert all(row["evidence"] for row in found.values()), "every finding cites evidence"
    meta = found[META]
    assert meta["article"] == "PIPA Art. 28-8(1)" and meta["status"] == "suspected"
    assert meta["title_ko"] and meta["title_en"] and meta["measure_ko"] and meta["measure_en"]
    assert meta["refuted_by"] and "sent_abroad" in meta["checks"]
    assert {"kind", "ref", "note"} == set(meta["evidence"][0])
    assert any(ref["kind"] == "hit" and "contact.email" in ref["ref"] for ref in meta["evidence"])
    only_pipa = findings(sample, "--regime", "pipa")
    assert only_pipa and all(row["regime"] == "pipa" for row in only_pipa.values())
    lines = run(sample, "assess", CASE, "-f", "jsonl").splitlines()
    assert {json.loads(line)["id"] for line in lines} == set(found)
    rows = list(csv.DictReader(io.StringIO(run(sample, "assess", CASE, "-f", "csv"))))
    assert {row["id"] for row in rows} == set(found) and "status_reason" in rows[0]
    table = run(sample, "assess", CASE, "--regime", "pipa")
    assert "pipa.28-8-2:alibaba-cloud-intl" in table and "suspected" in table


def test_results_are_the_law_neutral_facts(sample: Path) -> None:
    results = json.loads(run(sample, "assess", CASE, "--results", "-f", "json"))
    abroad = {r["subject"]: r for r in results if r["check"] == "sent_abroad"}
    assert abroad["facebook@US"]["details"]["country"] == "US"
    assert abroad["facebook@US"]["evidence"] and "Art." not in abroad["facebook@US"]["summary"]
    items = [r for r in results if r["check"] == "transfer_items_missing"]
    assert "alibaba-cloud-intl" in {r["subject"] for r in items}
    assert "transfer_items_missing" in run(sample, "assess", CASE, "--results")


def test_a_status_shows_in_assess_and_in_the_history(sample: Path) -> None:
    out = run(
        sample, "finding", "set", CASE, META, "--status", "confirmed", "--reason", "pixel after refusal"
    )
    assert out.strip() == f"{META}: confirmed (pixel after refusal)"
    run(sample, "finding", "set", CASE, "pipa.28-8-2:alibaba-cloud-intl", "--status", "dismissed",
        "--reason", "contact given in the reply of 2024-05-02")  # fmt: skip
    run(sample, "finding", "set", CASE, META, "--status", "suspected")
    run(sample, "finding", "set", CASE, META, "--status", "Dismissed", "--reason", "separate consent shown")
    meta = findings(sample)[META]
    assert (meta["status"], meta["status_reason"]) == ("dismissed", "separate consent shown")
    assert "dismissed" in run(sample, "assess", CASE, "--regime", "pipa")
    history = json.loads(run(sample, "finding", "history", CASE, "-f", "json"))
    assert [(h["finding"], h["status"], h["reason"]) for h in history] == [
        (META, "confirmed", "pixel after refusal"),
        ("pipa.28-8-2:alibaba-cloud-intl", "dismissed", "contact given in the reply of 2024-05-02"),
        (META, "suspected", ""),
        (META, "dismissed", "separate consent shown"),
    ]
    assert all(h["set_at"].endswith("+00:00") for h in history)
    one = json.loads(run(sample, "finding", "history", CASE, META, "-f", "json"))
    assert [h["status"] for h in one] == ["confirmed", "suspected", "dismissed"]
    assert "separate consent shown" in run(sample, "finding", "history", CASE, META)


def test_bad_status_missing_reason_and_unknown_id_fail_in_one_line(sample: Path) -> None:
    line = fails(sample, "finding", "set", CASE, META, "--status", "closed", "--reason", "x")
    assert "--status 'closed'" in line and "confirmed" in line
    line = fails(sample, "finding", "set", CASE, META, "--status", "confirmed")
    assert "reason" in line
    fails(sample, "finding", "set", CASE, META, "--status", "dismissed", "--reason", "   ")
    line = fails(
        sample, "finding", "set", CASE, "pipa.28-8-1:nobody", "--status", "confirmed", "--reason", "x"
    )
    assert "no finding 'pipa.28-8-1:nobody'" in line and f"privprobe assess {CASE}" in line
    fails(sample, "finding", "set", CASE, "nolaw.1:facebook", "--status", "confirmed", "--reason", "x")
    assert "no case 'nope'" in fails(sample, "finding", "history", "nope")
    assert json.loads(run(sample, "finding", "history", CASE, "-f", "json")) == []


def test_a_status_the_rules_no_longer_raise_is_noted(sample: Path) -> None:
    with Workspace(sample).store(CASE) as store:
        store.set_finding_status(CaseId(CASE), "pipa.17-1:gone", FindingStatus.CONFIRMED, "seen in 2023")
        store.set_finding_status(CaseId(CASE), "gdpr.6-1:gone", FindingStatus.DISMISSED, "not in scope")
    result = runner.invoke(
        app, ["--workspace", str(sample), "assess", CASE, "--regime", "pipa", "-f", "json"]
    )
    assert result.exit_code == 0
    assert "pipa.17-1:gone" not in {row["id"] for row in json.loads(result.stdout)}
    assert "note: pipa.17-1:gone has a stored status" in result.stderr and "gdpr.6-1" not in result.stderr
    assessment = pipeline.findings(Workspace(sample), CASE, Registry.from_entry_points(), ["pipa"])
    assert assessment.orphans == ("pipa.17-1:gone",)


def test_the_live_demo_shop_raises_what_it_plants(tmp_path: Path) -> None:
    """The demo shop's planted behaviour (capture/demo/site: shop.js, gtm.js, privacy.html), as findings.

    Before consent the shop's bundled logger sends the device id to mmstat (Alibaba, CN); after the
    refusal the Meta pixel still sends the hashed e-mail and the logger the phone in clear. The policy
    names Google (US) with every transfer item and Alibaba Cloud (SG) without its contact and method,
    and omits Meta, TikTok, Pangle and mmstat.
    """
    from privprobe.cli.demo import _browser_missing

    if reason := _browser_missing():
        pytest.skip(reason)
    workspace = tmp_path / "ws"
    run(workspace, "demo")
    organisation = {
        row.destination.host: row.destination.organisation.id
        for row in pipeline.destinations(Workspace(workspace), CASE)
        if row.destination.organisation is not None
    }
    meta, mmstat = organisation["www.facebook.com"], organisation["log.mmstat.com"]
    found = findings(workspace, "--regime", "pipa")
    assert {f"pipa.17-1:{meta}", f"pipa.17-1:{mmstat}"} <= set(found)
    assert "contact.email" in found[f"pipa.17-1:{meta}"]["explanation"]
    assert {"sent_before_consent", "sent_after_refusal"} <= set(found[f"pipa.17-1:{mmstat}"]["checks"])
    assert "contact.phone" in found[f"pipa.17-1:{mmstat}"]["explanation"]
    omitted = [meta, mmstat, organisation["analytics.tiktok.com"], organisation["api16-access-sg.pangle.io"]]
    assert {f"pipa.28-8-1:{who}" for who in omitted} <= set(found)
    assert "pipa.28-8-2:alibaba-cloud-intl" in found
    google = {organisation["www.google-analytics.com"], organisation["www.googletagmanager.com"], "google"}
    about_google = {i: row for i, row in found.items() if row["subject"] in google}
    # Google receives no persona value, and the policy discloses it with every 28-8(2) item on the
    # 28-8(1)3 entrustment ground: nothing about Google is raised.
    assert not about_google, about_google
    first_party = {"www.shop.example", "img.shop.example", "log.shop.example", "shop.example"}
    assert not [row for row in found.values() if row["subject"] in first_party]
    assert all(row["evidence"] for row in found.values())
