"""The HTML and PDF report from a sample report JSON: sections, languages, formats, hostile content.

``data/sample_report.json`` follows docs/report-schema.md; it was written for these tests (a Korean
shop sending data to Meta, Google, Alibaba's mmstat and Alibaba Cloud) and carries script, image and
iframe payloads in a URL, a cookie name, a policy quote and an evidence file name.
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from privprobe.errors import PrivprobeError
from privprobe.report import charts
from privprobe.report.html import CSP, render_html
from privprobe.report.messages import LANGUAGES, format_amount, load_messages, placeholders, read_catalogue
from privprobe.report.pdf import allowed_url, font_faces, render_pdf

DATA = Path(__file__).resolve().parent / "data"
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "privprobe" / "report" / "templates"
SECTIONS = ("summary", "flows", "findings", "policy", "penalty", "appendix")
PAYLOADS = (
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('"><img src=x onerror=alert(1)>', "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"),
    ('<iframe src="https://evil.example/"></iframe>', "&lt;iframe src=&#34;https://evil.example/&#34;&gt;"),
    ("<b>home</b>.png", "&lt;b&gt;home&lt;/b&gt;.png"),
)


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return json.loads((DATA / "sample_report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pages(report: dict[str, Any]) -> dict[str, str]:
    return {lang: render_html(report, lang) for lang in LANGUAGES}


@pytest.fixture(scope="module")
def pdfs(report: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdf")
    paths = {lang: folder / f"report-{lang}.pdf" for lang in LANGUAGES}
    for lang, path in paths.items():
        render_pdf(report, lang, path)
    return paths


# Messages, amounts and dates


def test_catalogues_have_the_same_keys_placeholders_and_no_empty_message() -> None:
    ko, en = read_catalogue("ko"), read_catalogue("en")
    assert set(ko) == set(en)
    for key in ko:
        assert ko[key].strip() and en[key].strip(), key
        assert placeholders(ko[key]) == placeholders(en[key]), key


def test_every_message_the_templates_use_exists() -> None:
    catalogue = read_catalogue("ko")
    text = "\n".join(path.read_text(encoding="utf-8") for path in TEMPLATES.glob("*.html"))
    used = set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]*[a-z0-9_])["']""", text))  # not "prefix." ~ part
    assert used, "no message found in the templates"
    assert sorted(used - set(catalogue)) == []
    assert {f"policy.part.{part}" for part in ("recipients", "countries", "data_types")} <= set(catalogue)


@pytest.mark.parametrize(
    ("amount", "currency", "ko", "en"),
    [
        (1_978_000_000, "KRW", "19억 7,800만 원", "KRW 1,978,000,000"),
        (90_000_000, "KRW", "9,000만 원", "KRW 90,000,000"),
        (100_000_000, "KRW", "1억 원", "KRW 100,000,000"),
        (123_456_789, "KRW", "1억 2,345만 6,789원", "KRW 123,456,789"),
        (1_200_000_000_000, "KRW", "1조 2,000억 원", "KRW 1,200,000,000,000"),
        (7_200_000_000, "KRW", "72억 원", "KRW 7,200,000,000"),
        (12_345, "KRW", "1만 2,345원", "KRW 12,345"),
        (5_000, "KRW", "5,000원", "KRW 5,000"),
        (0, "KRW", "0원", "KRW 0"),
        (-4_500_000, "KRW", "-450만 원", "KRW -4,500,000"),
        (20_000_000, "EUR", "EUR 20,000,000", "EUR 20,000,000"),
    ],
)
def test_amounts_in_each_language(amount: int, currency: str, ko: str, en: str) -> None:
    assert format_amount(amount, currency, "ko") == ko
    assert format_amount(amount, currency, "en") == en


@pytest.mark.parametrize(
    ("value", "ko", "en"),
    [
        ("2026-11-28", "2026년 11월 28일", "28 November 2026"),
        ("2026-01-05", "2026년 1월 5일", "5 January 2026"),
        ("2026-11-28T20:12:34Z", "2026년 11월 28일 20:12 (UTC)", "28 November 2026, 20:12 UTC"),
        ("2026-11-29T05:12:00+09:00", "2026년 11월 28일 20:12 (UTC)", "28 November 2026, 20:12 UTC"),
        (None, "—", "—"),
    ],
)
def test_dates_and_times_in_each_language(value: str | None, ko: str, en: str) -> None:
    assert load_messages("ko").moment(value) == ko
    assert load_messages("en").moment(value) == en


def test_a_span_within_one_day_names_the_day_once() -> None:
    start, end = "2026-11-27T05:02:11Z", "2026-11-27T05:31:02Z"
    assert load_messages("ko").span(start, end) == "2026년 11월 27일 05:02~05:31 (UTC)"
    assert load_messages("en").span(start, end) == "27 November 2026, 05:02–05:31 UTC"
    assert load_messages("en").span("2026-11-27", "2026-11-28") == "27 November 2026 to 28 November 2026"


def test_unknown_language_and_schema_are_refused(report: dict[str, Any]) -> None:
    with pytest.raises(PrivprobeError, match="choose one of ko, en"):
        render_html(report, "zh")
    with pytest.raises(PrivprobeError, match="privprobe-report/1"):
        render_html({**report, "schema": "privprobe-report/2"}, "en")


# HTML


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_has_every_section_in_order_in_its_language(pages: dict[str, str], lang: str) -> None:
    html, messages = pages[lang], load_messages(lang)
    positions = [html.index(f'<section id="{section}">') for section in SECTIONS]
    assert positions == sorted(positions)
    for section in SECTIONS:
        assert f"{messages(f'section.{section}')}</h2>" in html
    assert f'<html lang="{lang}">' in html


def test_korean_and_english_pages_differ_in_their_words(pages: dict[str, str]) -> None:
    assert "위원회 보고 요약" in pages["ko"] and "위원회 보고 요약" not in pages["en"]
    assert "Summary for the Commission" in pages["en"] and "Summary for the Commission" not in pages["ko"]
    assert "개인정보의 제3자 제공 (동의 없는 제공)" in pages["ko"]  # title_ko
    assert "Provision to a third party without consent" in pages["en"]  # title_en
    assert "19억 7,800만 원" in pages["ko"] and "KRW 1,978,000,000" in pages["en"]
    assert "2026년 11월 28일" in pages["ko"] and "28 November 2026" in pages["en"]
    assert "이메일 주소" in pages["ko"] and "e-mail address" in pages["en"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_shows_every_finding_with_its_evidence(
    pages: dict[str, str], report: dict[str, Any], lang: str
) -> None:
    html = pages[lang]
    for index, finding in enumerate(report["findings"], 1):
        assert finding["id"] in html
        assert f'id="finding-{index}"' in html
        assert finding["article"] in html
    for hash_ in (entry["sha256"] for entry in report["appendix"]["evidence"]):
        assert hash_ in html
    assert "mi***@example.com" in html and "sha256" in html and "query.ud[em]" in html
    assert "json → base64" in html  # the encoding chain of a hit


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_runs_nothing_and_fetches_nothing(pages: dict[str, str], lang: str) -> None:
    html = pages[lang]
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html
    assert "<script" not in html.lower()
    assert set(re.findall(r'href="([^"]*)"', html)) <= {f"#{s}" for s in SECTIONS} | {
        f"#finding-{i}" for i in range(1, 20)
    }
    sources = re.findall(r'src="([^"]*)"', html)
    assert sources and all(source.startswith("data:image/svg+xml;base64,") for source in sources)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_hostile_strings_appear_only_escaped(pages: dict[str, str], lang: str) -> None:
    html = pages[lang]
    for raw, escaped in PAYLOADS:
        assert raw not in html
        assert escaped in html, escaped
    assert "<iframe" not in html and "<img src=x" not in html and "<b>" not in html


def test_the_same_report_gives_the_same_page(report: dict[str, Any], pages: dict[str, str]) -> None:
    assert render_html(copy.deepcopy(report), "ko") == pages["ko"]


def test_invisible_characters_are_spelled_out(report: dict[str, Any]) -> None:
    hostile = copy.deepcopy(report)
    hostile["case"]["controller"] = "evil\u202emoc.elgoog\u200b"
    html = render_html(hostile, "en")
    assert "\u202e" not in html and "\u200b" not in html
    assert "evil⟨U+202E⟩moc.elgoog⟨U+200B⟩" in html


def test_a_penalty_not_computed_shows_the_reason_and_no_amount(report: dict[str, Any]) -> None:
    case = copy.deepcopy(report)
    case["penalty"] = {"computed": False, "reason": "no revenue entered (revenue.2025)", "estimates": []}
    case["summary"]["penalty"] = {"computed": False, "low": None, "high": None, "note": None}
    html = render_html(case, "ko")
    assert "금액을 산정하지 않았습니다: no revenue entered (revenue.2025)" in html
    assert "19억 7,800만 원" not in html


def test_an_empty_case_renders_without_charts(report: dict[str, Any]) -> None:
    empty = copy.deepcopy(report)
    empty["summary"].update(countries=[], recipients=[], top_findings=[])
    empty.update(flows_by_data_type=[], phases=[], findings=[])
    html = render_html(empty, "en")
    assert "<img" not in html
    assert "There are no findings." in html and "No flows to third parties were observed." in html


# Charts


def test_flow_diagram_bands_are_proportional_and_labels_escaped() -> None:
    links = [
        charts.Link("<script>x</script>", "Org A", "US", 10),
        charts.Link("e-mail", "Org A", "US", 30),
    ]
    svg = ET.fromstring(charts.flow_diagram(links))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert len(svg.findall("svg:path", ns)) == 3  # two bands into Org A, one from it to US
    heights = {
        "".join(text.itertext()).split(" (")[0]: float(rect.attrib["height"])
        for rect, text in zip(svg.findall("svg:rect", ns), svg.findall("svg:text", ns), strict=True)
    }
    assert heights["e-mail"] == pytest.approx(3 * heights["<script>x</script>"], rel=0.02)
    assert heights["Org A"] == pytest.approx(heights["US"])


def test_bar_chart_draws_text_as_paths_and_keeps_hostile_labels_inert() -> None:
    hostile = "--><script>alert(1)</script><!--"
    svg = charts.bar_chart([charts.Bar("미국 (US)", 0.41, "41%"), charts.Bar(hostile, 0.26, "26%")])
    root = ET.fromstring(svg)  # still well-formed
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert "script" not in tags and "<script" not in svg
    assert "text" not in tags  # glyph paths: no font needed where the picture is shown
    assert charts.data_uri(svg).startswith("data:image/svg+xml;base64,")


# In a real browser


@pytest.mark.parametrize("lang", LANGUAGES)
def test_chromium_shows_the_page_without_running_anything(
    chromium: Any, pages: dict[str, str], lang: str, tmp_path: Path
) -> None:
    path = tmp_path / f"report-{lang}.html"
    path.write_text(pages[lang], encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("[...document.images].every(image => image.complete && image.naturalWidth > 0)")
    picture = page.screenshot(full_page=True)
    page.close()
    assert errors == []
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    image = Image.open(io.BytesIO(picture))
    assert image.width == 1200 and image.height > 5000
    assert len(picture) > 100_000


# PDF


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_text_is_searchable(pdfs: dict[str, Path], report: dict[str, Any], lang: str) -> None:
    text = _pdf_text(pdfs[lang])
    assert "\ufffd" not in text
    messages = load_messages(lang)
    for section in SECTIONS:
        assert messages(f"section.{section}") in text
    flat = re.sub(r"\s+", "", text)
    for finding in report["findings"]:
        assert finding["id"] in flat
    if lang == "ko":
        assert "위원회 보고 요약" in text and "19억 7,800만 원" in text
    assert "<script>alert(1)</script>" in flat.replace(" ", "")  # shown as text, as found


def test_pdf_fonts_are_nanum_when_installed() -> None:
    if charts.nanum_font() is None:
        pytest.skip("fonts-nanum is not installed")
    faces = font_faces()
    assert faces and all(url.startswith("file://") and url.endswith(".ttf") for _, url in faces)


def test_pdf_fetches_only_fonts_and_data() -> None:
    fonts = frozenset({"file:///usr/share/fonts/truetype/nanum/NanumGothic.ttf"})
    assert allowed_url("data:image/svg+xml;base64,AAAA", fonts)
    assert allowed_url("file:///usr/share/fonts/truetype/nanum/NanumGothic.ttf", fonts)
    assert not allowed_url("https://evil.example/x.png", fonts)
    assert not allowed_url("file:///etc/passwd", fonts)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_first_page_is_not_blank(pdfs: dict[str, Path], lang: str, tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    prefix = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdfs[lang]), str(prefix)], check=True
    )
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    assert image.width > 300 and image.height > 400  # A4 at 50 dpi: 414 × 585
    assert ImageStat.Stat(image).stddev[0] > 10
