"""capture_web: options, and whole captures in a real Chromium that must never hang nor escape.

The misbehaving pages come from tests/capture/pages and the local server in conftest.py; the full
three-phase capture runs against the demo shop (privprobe.capture.demo.shop) when it is there. Nothing
here asserts on wall-clock time: bench/capture.py measures it.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from privprobe.capture.browser import THIRD_PARTY_COOKIES, CaptureOptions, map_rule
from privprobe.capture.bundle import verify
from privprobe.errors import PrivprobeError

from .conftest import PageServer

SHOP = importlib.util.find_spec("privprobe.capture.demo.shop") is not None
MISBEHAVING = {"dwell": 0.3, "consent_wait": 1.0, "load_timeout": 2.0}


@pytest.mark.parametrize(
    ("rule", "chromium"),
    [
        ("www.shop.example:127.0.0.1", "MAP www.shop.example 127.0.0.1"),
        ("www.shop.example:127.0.0.1:8443", "MAP www.shop.example 127.0.0.1:8443"),
        ("*.shop.example:10.0.0.2:443", "MAP *.shop.example 10.0.0.2:443"),
        ("shop.example:[::1]:8443", "MAP shop.example [::1]:8443"),
    ],
)
def test_resolve_rules_become_host_resolver_rules(rule: str, chromium: str) -> None:
    assert map_rule(rule) == chromium


@pytest.mark.parametrize(
    "rule",
    ["www.shop.example", "www.shop.example:localhost", "www.shop.example:127.0.0.1:99999", ":127.0.0.1",
     "bad host:127.0.0.1", "shop.example:[::1]x", "shop.example:127.0.0.1:port"],
)  # fmt: skip
def test_bad_resolve_rules_are_refused_with_the_expected_form(rule: str, tmp_path: Path) -> None:
    with pytest.raises(PrivprobeError, match=r"HOST:IP\[:PORT\]"):
        CaptureOptions("https://www.shop.example/", tmp_path, resolve=(rule,))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "file:///etc/passwd"}, "http:// or https://"),
        ({"url": "chrome://version"}, "http:// or https://"),
        ({"pages": 0}, "between 1 and 100"),
        ({"phase_timeout": 0}, "time limits"),
    ],
)
def test_options_are_checked(changes: dict[str, Any], message: str, tmp_path: Path) -> None:
    values = {"url": "https://www.shop.example/", "out": tmp_path} | changes
    with pytest.raises(PrivprobeError, match=message):
        CaptureOptions(**values)


def test_options_default_to_debian_chromium_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRIVPROBE_CHROMIUM", raising=False)
    assert CaptureOptions("https://a.example/", Path("x")).executable == "/usr/bin/chromium"
    monkeypatch.setenv("PRIVPROBE_CHROMIUM", "/opt/chromium/chrome")
    options = CaptureOptions("https://a.example/", Path("x"), resolve=("a.example:127.0.0.1:8443",))
    assert options.executable == "/opt/chromium/chrome"
    assert options.host_resolver_rules() == "MAP a.example 127.0.0.1:8443"


def test_an_absent_chromium_is_named(tmp_path: Path) -> None:
    pytest.importorskip("playwright")
    from privprobe.capture.browser import capture_web

    options = CaptureOptions("https://a.example/", tmp_path / "b", executable=str(tmp_path / "no-chromium"))
    with pytest.raises(PrivprobeError, match="no-chromium: no Chromium there"):
        capture_web(options)


def test_links_stay_on_the_site_once_each() -> None:
    pytest.importorskip("playwright")
    from privprobe.capture.links import pick

    hrefs = [
        "https://www.shop.example/#top", "https://www.shop.example/cart", "https://img.shop.example/a",
        "https://www.shop.example/cart#x", "https://tracker.example.net/", "mailto:help@shop.example",
        "https://www.shop.example/logout", "https://www.shop.example/manual.pdf", "javascript:void(0)",
    ]  # fmt: skip
    picked = pick(hrefs, "https://www.shop.example/", "https://www.shop.example/")
    assert picked == ("https://www.shop.example/cart", "https://img.shop.example/a")


def _phases(bundle: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    return {entry["phase"]: entry for entry in manifest["phases"]}


def _json(bundle: Path, phase: str, name: str) -> Any:
    return json.loads((bundle / "phases" / phase / name).read_text(encoding="utf-8"))


def test_a_page_that_never_settles_ends_in_time(
    pages_server: PageServer, chromium: str, tmp_path: Path
) -> None:
    from privprobe.capture.browser import capture_web

    url = pages_server.url + "/never-settles.html"
    options = CaptureOptions(
        url, tmp_path / "b", pages=3, phase_timeout=6.0, executable=chromium, **MISBEHAVING
    )
    phases = _phases(capture_web(options))
    assert list(phases) == ["before_consent", "accepted", "refused"]  # the later phases still ran
    before = phases["before_consent"]
    assert before["outcome"] == "partial"
    assert "the load event did not come within 2 s" in before["reason"]
    assert "the phase time limit of 6 s was reached" in before["reason"]
    assert "alert dialog was answered" in before["reason"]
    for phase in ("accepted", "refused"):  # no banner: not pretended, and the faults are still told
        assert phases[phase]["outcome"] == "no_banner"
        assert phases[phase]["reason"].startswith("no consent banner found; ")
        assert "load event" in phases[phase]["reason"]
    assert (tmp_path / "b" / "phases" / "refused" / "traffic.har").is_file()
    assert verify(tmp_path / "b") == []


def test_a_redirect_loop_is_recorded(pages_server: PageServer, chromium: str, tmp_path: Path) -> None:
    from privprobe.capture.browser import capture_web

    options = CaptureOptions(pages_server.url + "/loop", tmp_path / "b", executable=chromium, **MISBEHAVING)
    phases = _phases(capture_web(options))
    assert phases["before_consent"]["outcome"] == "partial"
    assert "ERR_TOO_MANY_REDIRECTS" in phases["before_consent"]["reason"]
    for phase in ("accepted", "refused"):
        assert phases[phase]["outcome"] == "no_banner"
        assert "the first page did not load" in phases[phase]["reason"]
        assert phases[phase]["requests"] >= 20  # the redirects themselves are evidence
    assert json.loads((tmp_path / "b" / "policy" / "policy.json").read_text())["found"] is False
    assert verify(tmp_path / "b") == []


@pytest.fixture(scope="module")
def shop_bundle(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    if not SHOP:
        pytest.skip("privprobe.capture.demo.shop is not there yet")
    from privprobe.capture.browser import capture_web
    from privprobe.capture.demo.shop import PERSONA_FILE, serve_shop

    out = tmp_path_factory.mktemp("shop") / "bundle"
    with serve_shop() as shop:
        options = CaptureOptions(
            shop.url, out, pages=2, dwell=0.5, consent_wait=2.0, persona=PERSONA_FILE,
            resolve=tuple(shop.resolve_rules()), executable=chromium,
        )  # fmt: skip
        return capture_web(options), shop.requests


def _hosts(bundle: Path, phase: str) -> Counter[str]:
    entries = _json(bundle, phase, "traffic.har")["log"]["entries"]
    return Counter(urlsplit(entry["request"]["url"]).hostname or "" for entry in entries)


def test_demo_shop_phases_differ_as_the_shop_says(shop_bundle: tuple[Path, Any]) -> None:
    bundle, _ = shop_bundle
    phases = _phases(bundle)
    assert [phases[p]["outcome"] for p in phases] == ["completed", "completed", "completed"]
    before, accepted, refused = (_hosts(bundle, p) for p in ("before_consent", "accepted", "refused"))
    assert "www.facebook.com" not in before and "www.google-analytics.com" not in before
    assert accepted["www.facebook.com"] and accepted["www.google-analytics.com"]
    assert refused["www.facebook.com"] and not refused["www.google-analytics.com"]
    assert _json(bundle, "accepted", "consent.json")["fallback_clicks"][0]["text"] == "모두 동의"
    assert _json(bundle, "refused", "consent.json")["fallback_clicks"][0]["text"] == "거부"
    assert all(step["ok"] for step in _json(bundle, "accepted", "pages/index.json")["persona"])


def test_demo_shop_third_party_cookies_storage_and_screenshots(shop_bundle: tuple[Path, Any]) -> None:
    bundle, _ = shop_bundle
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["browser"]["third_party_cookies"] == THIRD_PARTY_COOKIES
    assert manifest["browser"]["certificate_errors"].startswith("ignored")
    assert "--ignore-certificate-errors" in manifest["browser"]["flags"]
    assert manifest["browser"]["version"].split(".")[0].isdigit()
    cookies = _json(bundle, "accepted", "cookies.json")
    domains = {cookie["domain"] for cookie in cookies["cookies"]}
    assert {".facebook.com", ".mmstat.com"} <= domains  # set from third-party frames and pixels
    assert not [b for b in cookies["blocked"] if "UserPreferences" in b["reasons"]]
    assert _json(bundle, "accepted", "storage.json")["origins"]["https://www.shop.example"]["localStorage"]
    shots = sorted(p.name for p in (bundle / "phases" / "accepted" / "screenshots").iterdir())
    assert {"consent-before.png", "consent-after.png", "page-001.png"} <= set(shots)
    assert (bundle / "policy" / "policy.txt").read_text(encoding="utf-8").strip()


def test_demo_shop_bundle_verifies_and_tampering_is_detected(shop_bundle: tuple[Path, Any]) -> None:
    bundle, _ = shop_bundle
    assert verify(bundle) == []
    har = bundle / "phases" / "refused" / "traffic.har"
    data = bytearray(har.read_bytes())
    data[len(data) // 2] ^= 0x01
    har.chmod(0o644)
    har.write_bytes(bytes(data))
    problems = verify(bundle)
    assert [(p.kind, p.path) for p in problems] == [("changed", "phases/refused/traffic.har")]


def test_a_renderer_crash_is_a_fault_that_stops_the_walk(chromium: str) -> None:
    import asyncio
    import contextlib

    from playwright.async_api import Error, Frame, async_playwright

    from privprobe.capture.browser import FLAGS
    from privprobe.capture.watch import Watch

    async def no_frames(frame: Frame) -> None:
        return None

    async def crash() -> list[str]:
        faults: list[str] = []
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=list(FLAGS))
            page = await browser.new_page()
            watch = Watch(faults, None)
            watch.hook(page, no_frames)
            session = await page.context.new_cdp_session(page)
            # What a renderer bug or an out-of-memory kill does; the command itself never answers.
            with contextlib.suppress(Error, TimeoutError):
                await asyncio.wait_for(session.send("Page.crash"), 2.0)
            for _ in range(100):
                if faults:
                    break
                await asyncio.sleep(0.05)
            with pytest.raises(Watch.Stopped):
                watch.check()
            await browser.close()
        return faults

    assert asyncio.run(crash()) == ["the renderer crashed on about:blank"]
