"""The consent step in a real Chromium, on local pages built for it (tests/capture/pages).

- a OneTrust-like banner, which autoconsent's ``Onetrust`` rule recognises (``#onetrust-banner-sdk``,
  ``#onetrust-accept-btn-handler``, ``#onetrust-reject-all-handler``, ``window.OnetrustActiveGroups``
  for its self-test): opt-in and opt-out by autoconsent;
- a Korean banner inside an iframe, which no rule knows: the text fallback clicks "모두 동의" and
  "거부" in the iframe, never the decoy link "동의하지 않고 …";
- a page without a banner: the accepted and refused phases are ``no_banner``, not pretended;
- the same Korean banner with autoconsent unavailable: the fallback alone works and says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from privprobe.capture.bundle import verify
from privprobe.errors import MissingExtra

from .conftest import PageServer

pytest.importorskip("playwright")

from privprobe.capture import consent  # needs playwright
from privprobe.capture.browser import CaptureOptions, capture_web

FAST = {"pages": 1, "dwell": 0.3, "consent_wait": 2.0, "load_timeout": 10.0, "phase_timeout": 60.0}


def _capture(server: PageServer, chromium: str, out: Path, path: str, **changes: Any) -> Path:
    options = CaptureOptions(server.url + path, out, executable=chromium, **(FAST | changes))
    return capture_web(options)


def _json(bundle: Path, phase: str, name: str) -> Any:
    return json.loads((bundle / "phases" / phase / name).read_text(encoding="utf-8"))


def _phases(bundle: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    return {entry["phase"]: entry for entry in manifest["phases"]}


def _urls(bundle: Path, phase: str) -> list[str]:
    return [entry["request"]["url"] for entry in _json(bundle, phase, "traffic.har")["log"]["entries"]]


@pytest.fixture(scope="module")
def onetrust(pages_server: PageServer, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _capture(pages_server, chromium, tmp_path_factory.mktemp("onetrust") / "bundle", "/onetrust.html")


@pytest.fixture(scope="module")
def korean(pages_server: PageServer, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _capture(
        pages_server, chromium, tmp_path_factory.mktemp("korean") / "bundle", "/korean-iframe.html"
    )


@pytest.fixture(scope="module")
def no_banner(pages_server: PageServer, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _capture(
        pages_server, chromium, tmp_path_factory.mktemp("plain") / "bundle", "/plain.html", pages=3
    )


def test_autoconsent_detects_onetrust_and_opts_in(onetrust: Path) -> None:
    accepted = _json(onetrust, "accepted", "consent.json")
    assert accepted["cmp"] == "Onetrust"
    assert (accepted["method"], accepted["succeeded"]) == ("autoconsent", True)
    assert accepted["autoconsent"]["available"] is True
    assert {"cmpDetected", "popupFound", "optInResult"} <= {m["type"] for m in accepted["messages"]}
    cookies = {c["name"]: c["value"] for c in _json(onetrust, "accepted", "cookies.json")["cookies"]}
    assert "C0004" in cookies["OptanonConsent"]
    assert any("/beacon?event=consent-accepted" in url for url in _urls(onetrust, "accepted"))
    assert _phases(onetrust)["accepted"]["outcome"] == "completed"


def test_autoconsent_opts_out_and_self_tests(onetrust: Path) -> None:
    refused = _json(onetrust, "refused", "consent.json")
    assert (refused["cmp"], refused["method"], refused["succeeded"]) == ("Onetrust", "autoconsent", True)
    assert refused["self_test"] is True  # window.OnetrustActiveGroups holds only C0001 afterwards
    cookies = {c["name"]: c["value"] for c in _json(onetrust, "refused", "cookies.json")["cookies"]}
    assert cookies["OptanonConsent"] == "groups=%2CC0001%2C"
    assert not any("/beacon" in url for url in _urls(onetrust, "refused"))
    assert sorted(refused["screenshots"]) == ["after", "before"]
    for name in refused["screenshots"].values():
        assert (onetrust / "phases" / "refused" / name).read_bytes().startswith(b"\x89PNG")


def test_before_consent_touches_nothing_but_records_the_banner(onetrust: Path) -> None:
    before = _json(onetrust, "before_consent", "consent.json")
    assert (before["action"], before["method"], before["fallback_clicks"]) == ("none", None, [])
    assert before["cmp"] == "Onetrust"  # detected and shown, never clicked
    assert not [m for m in before["messages"] if m["type"] in ("optInResult", "optOutResult")]
    assert _json(onetrust, "before_consent", "cookies.json")["cookies"] == []
    assert _phases(onetrust)["before_consent"]["consent"]["action"] == "none"
    assert verify(onetrust) == []


def test_fallback_clicks_korean_buttons_inside_the_iframe(korean: Path) -> None:
    for phase, text, answer in (("accepted", "모두 동의", "accepted"), ("refused", "거부", "refused")):
        record = _json(korean, phase, "consent.json")
        assert (record["method"], record["succeeded"], record["cmp"]) == ("button_text", True, None)
        [click] = record["fallback_clicks"]
        assert (click["text"], click["whole_text_match"], click["main_frame"]) == (text, True, False)
        assert click["frame"].endswith("/korean-banner.html") and click["frame_name"] == "consent"
        cookies = {c["name"]: c["value"] for c in _json(korean, phase, "cookies.json")["cookies"]}
        assert cookies["site_consent"] == answer
        assert _phases(korean)[phase]["outcome"] == "completed"
    assert _phases(korean)["accepted"]["consent"]["method"] == "button_text"


def test_no_banner_phases_are_not_pretended(no_banner: Path) -> None:
    phases = _phases(no_banner)
    assert phases["before_consent"]["outcome"] == "completed"
    for phase in ("accepted", "refused"):
        assert (phases[phase]["outcome"], phases[phase]["reason"]) == ("no_banner", "no consent banner found")
        record = _json(no_banner, phase, "consent.json")
        assert (record["method"], record["reason"]) == (None, "no consent banner found")
        assert "after" not in record["screenshots"]
        assert phases[phase]["pages"] == 3 and phases[phase]["requests"]  # what was recorded is kept
    assert verify(no_banner) == []


def test_same_site_pages_storage_and_policy(no_banner: Path, pages_server: PageServer) -> None:
    index = _json(no_banner, "before_consent", "pages/index.json")
    assert [page["requested"] for page in index["pages"]] == [
        pages_server.url + "/plain.html",
        pages_server.url + "/plain.html?page=2",
        pages_server.url + "/plain.html?page=3",  # the fragment dropped; other.invalid and /logout skipped
    ]
    assert all((no_banner / "phases" / "before_consent" / p["file"]).is_file() for p in index["pages"])
    origin = _json(no_banner, "refused", "storage.json")["origins"][pages_server.url]
    assert (origin["localStorage"]["visits"], origin["sessionStorage"]["tab"]) == ("3", "plain")
    assert origin["indexedDB"] == ["plain-db"]
    policy = json.loads((no_banner / "policy" / "policy.json").read_text(encoding="utf-8"))
    assert (policy["link_text"], policy["url"]) == ("개인정보처리방침", pages_server.url + "/privacy.html")
    assert "제30조" in (no_banner / "policy" / "policy.txt").read_text(encoding="utf-8")


def test_fallback_alone_when_autoconsent_is_missing(
    pages_server: PageServer, chromium: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> consent.Autoconsent:
        raise MissingExtra("@duckduckgo/autoconsent is not installed (test); run scripts/setup.sh")

    monkeypatch.setattr(consent, "load_autoconsent", missing)
    bundle = _capture(pages_server, chromium, tmp_path / "bundle", "/korean-iframe.html")
    record = _json(bundle, "accepted", "consent.json")
    assert record["autoconsent"]["available"] is False
    assert "not installed" in record["autoconsent"]["reason"]
    assert (record["method"], record["succeeded"], record["messages"]) == ("button_text", True, [])
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["browser"]["consent_rules"].startswith("unavailable")


def test_load_autoconsent_reads_the_installed_package(tmp_path: Path) -> None:
    try:
        package = consent.load_autoconsent()
    except MissingExtra:
        pytest.skip("node_modules/@duckduckgo/autoconsent is not installed (scripts/setup.sh)")
    assert package.version and "autoconsentSendMessage" in package.script
    assert len(package.rules_for("https://www.example.com/", True)) < len(package.rules)
    assert len(package.rules_for("https://ads.example.net/frame", False)) < 100  # frames get few rules
    with pytest.raises(MissingExtra, match=r"scripts/setup\.sh"):
        consent.load_autoconsent([tmp_path])
