"""The demo case's own reports: both languages, HTML and PDF, with exactly the findings `assess` gives."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from privprobe.report.messages import load_messages
from tests.report.test_render import SECTIONS, _pdf_text
from tests.test_cli import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A workspace with the sample demo case and its reports in both languages."""
    root = tmp_path_factory.mktemp("demo")
    workspace, out = root / "ws", root / "reports"
    run(workspace, "demo", "--sample", "--out", str(out))
    run(workspace, "report", "demo-shop", "--format", "pdf", "--lang", "en", "--out", str(out / "en.pdf"))
    run(workspace, "report", "demo-shop", "--format", "html", "--lang", "en", "--out", str(out / "en.html"))
    return workspace, out


def test_the_report_renders_the_findings_assess_gives(demo: tuple[Path, Path]) -> None:
    workspace, out = demo
    assessed = json.loads(run(workspace, "assess", "demo-shop", "--format", "json"))
    report = json.loads((out / "report-demo-shop-ko.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in report["findings"]] == [f["id"] for f in assessed]
    assert {"pipa.28-8-1:facebook", "pipa.28-8-2:alibaba-cloud-intl"} <= {f["id"] for f in assessed}


@pytest.mark.parametrize(("lang", "pdf", "html"), [("ko", "report-demo-shop-ko.pdf", "report-demo-shop-ko.html"),
                                                    ("en", "en.pdf", "en.html")])  # fmt: skip
def test_both_languages_and_formats(demo: tuple[Path, Path], lang: str, pdf: str, html: str) -> None:
    workspace, out = demo
    messages = load_messages(lang)
    page = (out / html).read_text(encoding="utf-8")
    assert "<script" not in page and "Content-Security-Policy" in page
    text = _pdf_text(out / pdf)
    assert "\ufffd" not in text
    for section in SECTIONS:
        assert messages(f"section.{section}") in text
    findings = json.loads(run(workspace, "assess", "demo-shop", "--format", "json"))
    flat = re.sub(r"\s+", "", text)
    assert all(f["id"].replace(" ", "") in flat for f in findings)
    if lang == "ko":
        assert "국외 이전" in text and "개인정보" in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(out / pdf), str(out / f"{lang}-page")],
                       check=True)  # fmt: skip
        for png in sorted(out.glob(f"{lang}-page*.png")):
            assert ImageStat.Stat(Image.open(png).convert("L")).stddev[0] > 10, f"{png.name} is blank"


@pytest.mark.parametrize("html", ["report-demo-shop-ko.html", "en.html"])
def test_chromium_shows_the_demo_report(chromium: object, demo: tuple[Path, Path], html: str) -> None:
    _, out = demo
    page = chromium.new_page(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((out / html).as_uri(), wait_until="load")
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("[...document.images].every(image => image.complete && image.naturalWidth > 0)")
    picture = page.screenshot(full_page=True)
    page.close()
    assert errors == [] and len(picture) > 100_000
