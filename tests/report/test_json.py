"""The JSON report over the demo case made from the sample HAR and the demo policy (real workspace)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from privprobe import pipeline
from privprobe.assess.case_facts import parse_assignment
from privprobe.capture.demo.sample import PERSONA
from privprobe.errors import PrivprobeError
from privprobe.facts import DataHit
from privprobe.findings import FindingStatus
from privprobe.model import Canary, CaseId
from privprobe.plugins import Registry
from privprobe.report import SCHEMA, write_json
from privprobe.report.collect import masked_url
from privprobe.store import Workspace
from tests.test_cli import run
from tests.test_cli_penalty import WORKED_EXAMPLE

CASE = "demo-shop"
META = "pipa.28-8-1:facebook"

# The keys of docs/report-schema.md, section by section.
TOP = {
    "schema", "generated", "language", "tool", "case", "examined", "summary", "flows_by_data_type",
    "phases", "findings", "policy", "penalty", "appendix",
}  # fmt: skip
TOOL = {"name", "version", "python"}
CASE_KEYS = {"name", "controller", "jurisdiction", "first_party", "apps", "created"}
EXAMINED = {"captures", "flows", "hosts", "first", "last"}
CAPTURE = {
    "id", "kind", "label", "phase", "device", "started", "ended", "flows", "partial", "partial_reason",
}  # fmt: skip
SUMMARY = {"countries", "recipients", "top_findings", "penalty"}
COUNTRY = {"country", "by", "flows", "share", "organisations", "data_types"}
RECIPIENT = {"organisation", "name", "country", "flows", "data_types", "phases", "declared"}
SUMMARY_PENALTY = {"computed", "low", "high", "note"}
BY_DATA_TYPE = {"data_type", "organisation", "country", "hits"}
PHASES = {"organisation", "name", "before_consent", "accepted", "refused"}
FINDING = {
    "id", "regime", "rule", "article", "title_ko", "title_en", "subject", "severity", "status",
    "status_reason", "explanation", "evidence", "counter_evidence", "refuted_by", "measure_ko",
    "measure_en", "checks",
}  # fmt: skip
EVIDENCE = {"kind", "ref", "note", "flow"}
FLOW = {"id", "method", "url", "host", "phase"}
POLICY = {"documents", "checklist", "declared_vs_observed"}
DOCUMENT = {"name", "sha256", "language"}
CHECKLIST = {"item", "article", "title_ko", "title_en", "status", "missing", "condition", "quotes"}
DECLARED = {"recipients", "countries", "data_types"}
DECLARED_ROW = {"subject", "observed", "declared", "declaration"}
PENALTY = {"computed", "reason", "estimates"}
ESTIMATE = {"kind", "title", "currency", "amount", "low", "high", "severity", "steps", "parameters"}
STEP = {"name", "basis", "input", "adjustment", "output", "low", "high", "note", "verified"}
APPENDIX = {"method", "versions", "evidence", "limitations"}
VERSIONS = {"privprobe", "organisations", "data_types", "browser"}
APPENDIX_FILE = {"capture", "name", "sha256", "size", "format"}


def _sample(folder: Path) -> Workspace:
    run(folder, "demo", "--sample")
    return Workspace(folder)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The demo case from the sample HAR and the demo policy; tests that change it use their own."""
    return _sample(tmp_path_factory.mktemp("report") / "ws")


@pytest.fixture(scope="module")
def report(sample: Workspace) -> dict[str, Any]:
    return pipeline.report(sample, CASE, Registry.from_entry_points())


def _keys(rows: list[dict[str, Any]], expected: set[str]) -> None:
    for row in rows:
        assert set(row) == expected, sorted(set(row) ^ expected)


def test_every_key_of_the_schema_and_no_other(report: dict[str, Any]) -> None:
    assert set(report) == TOP and report["schema"] == SCHEMA == "privprobe-report/1"
    assert set(report["tool"]) == TOOL and set(report["case"]) == CASE_KEYS
    assert set(report["examined"]) == EXAMINED
    _keys(report["examined"]["captures"], CAPTURE)
    assert set(report["summary"]) == SUMMARY and set(report["summary"]["penalty"]) == SUMMARY_PENALTY
    _keys(report["summary"]["countries"], COUNTRY)
    _keys(report["summary"]["recipients"], RECIPIENT)
    _keys(report["flows_by_data_type"], BY_DATA_TYPE)
    _keys(report["phases"], PHASES)
    _keys(report["findings"], FINDING)
    _keys([ref for f in report["findings"] for ref in f["evidence"]], EVIDENCE)
    _keys([ref["flow"] for f in report["findings"] for ref in f["evidence"] if ref["flow"]], FLOW)
    policy = report["policy"]
    assert set(policy) == POLICY and set(policy["declared_vs_observed"]) == DECLARED
    _keys(policy["documents"], DOCUMENT)
    _keys(policy["checklist"], CHECKLIST)
    for rows in policy["declared_vs_observed"].values():
        _keys(rows, DECLARED_ROW)
    assert set(report["penalty"]) == PENALTY
    assert set(report["appendix"]) == APPENDIX and set(report["appendix"]["versions"]) >= VERSIONS
    _keys(report["appendix"]["evidence"], APPENDIX_FILE)


def test_the_case_and_what_was_examined(report: dict[str, Any]) -> None:
    case, examined = report["case"], report["examined"]
    assert case["name"] == CASE and case["first_party"] == ["shop.example"] and case["jurisdiction"] == "KR"
    assert case["created"].endswith("Z") and report["generated"].endswith("Z")
    har = examined["captures"][0]
    assert har["kind"] == "har" and har["phase"] == "accepted" and har["flows"] == 12
    assert har["device"] == "privprobe demo 1" and har["started"] == "2024-05-02T01:00:00Z"
    assert examined["flows"] == 12 and examined["first"] == "2024-05-02T01:00:00Z"
    assert examined["last"] == "2024-05-02T01:00:11Z" and examined["hosts"] == 11


def test_findings_are_the_assessments_each_with_its_evidence(
    sample: Workspace, report: dict[str, Any]
) -> None:
    assessed = pipeline.assess(pipeline.case_view(sample, CASE), Registry.from_entry_points())
    assert [f["id"] for f in report["findings"]] == [f.id for f in assessed.findings]
    assert all(f["evidence"] for f in report["findings"]), "every finding cites evidence"
    cited = [ref for f in report["findings"] for ref in f["evidence"] if ref["kind"] in ("hit", "flow")]
    assert cited and all(ref["flow"] and ref["flow"]["url"] for ref in cited)
    assert all(ref["flow"]["id"] == ref["ref"].split()[0] for ref in cited)
    meta = next(f for f in report["findings"] if f["id"] == META)
    flow = next(ref["flow"] for ref in meta["evidence"] if ref["flow"])
    assert flow["host"] == "www.facebook.com" and flow["method"] == "GET" and flow["phase"] == "accepted"
    assert len(flow["url"]) <= 300 and "em=mi***@example.com" in flow["url"]
    others = [ref for f in report["findings"] for ref in f["evidence"] if ref["kind"] not in ("hit", "flow")]
    assert all(ref["flow"] is None for ref in others)


def test_summary_where_the_data_went(report: dict[str, Any]) -> None:
    summary = report["summary"]
    for by in ("organisation", "server"):
        rows = [row for row in summary["countries"] if row["by"] == by]
        assert rows and 0 < sum(row["share"] for row in rows) <= 1, by
    us = next(r for r in summary["countries"] if r["by"] == "organisation" and r["country"] == "US")
    assert us["data_types"] == ["contact.email"] and us["flows"] == 3
    recipients = {r["organisation"]: r for r in summary["recipients"]}
    assert recipients["facebook"]["data_types"] == ["contact.email"]
    assert recipients["facebook"]["declared"] == "omitted" and recipients["facebook"]["country"] == "US"
    assert recipients["google-analytics"]["declared"] == "clear"
    assert recipients["pangle"]["data_types"] == ["contact.phone", "identity.name"]
    assert {r["declared"] for r in recipients.values()} <= {"clear", "vague", "omitted", "first_party"}
    assert recipients["www.shop.example"]["declared"] == "first_party"
    ids = {f["id"]: f for f in report["findings"]}
    assert 0 < len(summary["top_findings"]) <= 5 and all(i in ids for i in summary["top_findings"])
    assert ids[summary["top_findings"][0]]["severity"] == "high"
    pangle = next(row for row in report["phases"] if row["organisation"] == "pangle")
    assert pangle["accepted"] == ["contact.phone", "identity.name"] and pangle["refused"] == []
    assert {"data_type": "contact.email", "organisation": "facebook", "country": "US", "hits": 2} in report[
        "flows_by_data_type"
    ]


def test_policy_checklist_and_declared_against_observed(report: dict[str, Any]) -> None:
    policy = report["policy"]
    assert [d["name"] for d in policy["documents"]] == ["privacy.html"]
    assert re.fullmatch("[0-9a-f]{64}", policy["documents"][0]["sha256"])
    items = {row["item"]: row for row in policy["checklist"]}
    assert {"pipa.overseas_transfer", "gdpr.rights"} <= set(items), "both regimes"
    assert all(
        len(row["quotes"]) <= 2 and all(len(q) <= 200 for q in row["quotes"]) for row in items.values()
    )
    assert (
        items["pipa.overseas_transfer"]["status"] == "partial" and items["pipa.overseas_transfer"]["missing"]
    )
    compared = policy["declared_vs_observed"]
    recipients = {row["subject"]: row for row in compared["recipients"]}
    assert recipients["facebook"] == {
        "subject": "facebook", "observed": True, "declared": "omitted", "declaration": None
    }  # fmt: skip
    assert recipients["google-analytics"]["declared"] == "clear"
    assert "Google" in recipients["google-analytics"]["declaration"]
    assert recipients["alibaba-cloud-intl"]["observed"] is False
    assert recipients["alibaba-cloud-intl"]["declared"] == "declared_only"
    countries = {row["subject"]: row for row in compared["countries"]}
    assert countries["US"]["observed"] and countries["CN"]["declared"] == "declared_only"
    types = {row["subject"]: row for row in compared["data_types"]}
    assert types["contact.email"]["observed"] and types["contact.email"]["declared"] == "clear"


def test_penalty_needs_the_case_facts(tmp_path: Path, report: dict[str, Any]) -> None:
    assert report["penalty"]["computed"] is False and report["penalty"]["estimates"] == []
    assert "violation_start" in report["penalty"]["reason"]
    assert report["summary"]["penalty"] == {
        "computed": False, "low": None, "high": None, "note": report["penalty"]["reason"]
    }  # fmt: skip
    workspace = _sample(tmp_path / "ws")
    with workspace.store(CASE) as store:
        store.set_facts(CaseId(CASE), dict(parse_assignment(text) for text in WORKED_EXAMPLE))
    found = pipeline.report(workspace, CASE, Registry.from_entry_points(), pipeline.ReportOptions(lang="en"))
    penalty = found["penalty"]
    assert penalty["computed"] is True and "default" in penalty["reason"]
    surcharge = penalty["estimates"][0]
    assert set(surcharge) == ESTIMATE and surcharge["kind"] == "surcharge"
    assert surcharge["severity"] == "serious" and surcharge["currency"] == "KRW"
    assert [e["kind"] for e in penalty["estimates"]] == ["surcharge"], "no fine asked, no GDPR maximum in EUR"
    _keys(surcharge["steps"], STEP)
    assert surcharge["low"] <= surcharge["amount"] <= surcharge["high"]
    summary = found["summary"]["penalty"]
    assert summary["computed"] and (summary["low"], summary["high"]) == (surcharge["low"], surcharge["high"])


def test_statuses_set_by_the_investigator_are_reported(tmp_path: Path) -> None:
    workspace, registry = _sample(tmp_path / "ws"), Registry.from_entry_points()
    before = pipeline.report(workspace, CASE, registry)
    top = before["summary"]["top_findings"][0]
    pipeline.review(workspace, CASE, registry, pipeline.Review(top, FindingStatus.DISMISSED, "answered"))
    after = pipeline.report(workspace, CASE, registry)
    finding = next(f for f in after["findings"] if f["id"] == top)
    assert finding["status"] == "dismissed" and finding["status_reason"] == "answered"
    assert top not in after["summary"]["top_findings"], "a dismissed finding is not among the worst"


def test_appendix_lists_every_evidence_file_and_the_versions(
    sample: Workspace, report: dict[str, Any]
) -> None:
    with sample.store(CASE) as store:
        files = {(c.id, f.sha256) for c in store.captures(CASE) for f in c.files}
    listed = report["appendix"]["evidence"]
    assert {(row["capture"], row["sha256"]) for row in listed} == files and len(listed) == len(files)
    assert all(re.fullmatch("[0-9a-f]{64}", row["sha256"]) and row["size"] > 0 for row in listed)
    versions = report["appendix"]["versions"]
    assert versions["privprobe"] == report["tool"]["version"] and versions["browser"] == "privprobe demo 1"
    assert all(
        versions[key] for key in ("organisations", "data_types", "lexicons", "policy_checklist", "rules")
    )
    assert report["appendix"]["method"] and len(report["appendix"]["limitations"]) >= 5


def test_language_selects_the_fixed_texts_only(sample: Workspace, report: dict[str, Any]) -> None:
    english = pipeline.report(sample, CASE, Registry.from_entry_points(), pipeline.ReportOptions(lang="en"))
    assert english["language"] == "en" and report["language"] == "ko"
    assert english["appendix"]["method"] != report["appendix"]["method"]
    assert re.search("[가-힣]", report["appendix"]["limitations"][0])
    assert english["findings"] == report["findings"] and english["summary"] == report["summary"]
    with pytest.raises(PrivprobeError, match="report language 'fr'"):
        pipeline.report(sample, CASE, Registry.from_entry_points(), pipeline.ReportOptions(lang="fr"))


def test_same_case_same_report_but_the_time(sample: Workspace, report: dict[str, Any]) -> None:
    again = pipeline.report(sample, CASE, Registry.from_entry_points())
    assert {**again, "generated": None} == {**report, "generated": None}


def test_no_full_value_of_the_persona_leaves_the_evidence(report: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_json(report, path)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == report and "개인정보" in text, "UTF-8, not \\u escapes"
    for value in PERSONA.values():
        assert value not in text and value.replace("@", "%40") not in text


@pytest.mark.parametrize(
    ("url", "field", "expected"),
    [
        ("https://t.example/p?em=minji.kim%40example.com&x=1", "query.em", "https://t.example/p?em=mi***@example.com&x=1"),
        ("https://t.example/p?x=1&e=MINJI.KIM@EXAMPLE.COM#f", "query.e", "https://t.example/p?x=1&e=mi***@example.com#f"),
        ("https://t.example/u/minji.kim@example.com/a", "url.path", "https://t.example/u/mi***@example.com/a"),
        ("https://t.example/p?q=minji.kim%40example.com", "body.x", "https://t.example/p?q=mi***@example.com"),
    ],
)  # fmt: skip
def test_urls_show_masked_values(url: str, field: str, expected: str) -> None:
    hit = DataHit("1/1", "contact.email", "canary:e", field, (), "mi***@example.com", 1.0, "")
    canary = Canary("e", "contact.email", PERSONA["email"])
    assert masked_url(url, [hit], [canary]) == expected
