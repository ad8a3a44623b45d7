"""The report as a PDF: the HTML of `privprobe.report.html` laid out by WeasyPrint for A4.

The page's own style sheet has the print rules (A4, page numbers, the controller in the header, a page
per section). This module adds ``@font-face`` rules for the Nanum fonts found on this machine at render
time (Debian's ``fonts-nanum``; see `charts.NANUM_FOLDERS`), so the PDF embeds them and its text,
Korean included, can be searched and copied. Without Nanum, WeasyPrint uses fontconfig's choice.

WeasyPrint may fetch only what the page is known to need: ``data:`` images and those font files. A URL
from the evidence can never be fetched, even if one slipped into the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from privprobe.errors import MissingExtra
from privprobe.report.charts import nanum_font
from privprobe.report.html import render_html

FONT_FAMILY = "privprobe sans"
"""The family the style sheet names first (``report.css``); bound here to the Nanum files."""


def render_pdf(report: Mapping[str, Any], lang: str, path: Path | str) -> None:
    """Write the report in ``lang`` (``ko`` or ``en``) to ``path`` as a PDF."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango is missing (libpango-1.0-0, libpangoft2-1.0-0)
        raise MissingExtra(f"PDF reports need WeasyPrint and Pango: {error}; run scripts/setup.sh") from error
    fonts = font_faces()
    allowed = frozenset(url for _, url in fonts)
    fetcher = _fetcher(weasyprint, allowed)
    rules = "\n".join(rule for rule, _ in fonts)
    document = weasyprint.HTML(string=render_html(report, lang), url_fetcher=fetcher)
    stylesheet = weasyprint.CSS(string=rules, url_fetcher=fetcher)
    document.write_pdf(Path(path), stylesheets=[stylesheet])


def font_faces() -> list[tuple[str, str]]:
    """``@font-face`` rules binding `FONT_FAMILY` to this machine's Nanum files, with each file's URL."""
    faces = []
    for weight, bold in (("normal", False), ("bold", True)):
        path = nanum_font(bold)
        if path is not None:
            url = path.resolve().as_uri()
            rule = f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}"); font-weight: {weight}; }}'
            faces.append((rule, url))
    return faces


def allowed_url(url: str, fonts: frozenset[str]) -> bool:
    """Whether WeasyPrint may fetch ``url``: a ``data:`` URI or one of the font files."""
    return url.startswith("data:") or url in fonts


def _fetcher(weasyprint: Any, fonts: frozenset[str]) -> Any:
    """A URL fetcher that refuses anything `allowed_url` does not allow."""
    urls = weasyprint.urls

    def refuse(url: str) -> None:
        if not allowed_url(url, fonts):
            raise ValueError(f"the report fetches nothing but its fonts and data: images, not {url[:80]!r}")

    base = getattr(urls, "URLFetcher", None)
    if base is None:  # WeasyPrint before 66 took a function

        def fetch(url: str) -> Any:
            refuse(url)
            return urls.default_url_fetcher(url)

        return fetch

    class Fetcher(base):  # type: ignore[misc, valid-type]
        def fetch(self, url: str, headers: Any = None) -> Any:
            refuse(url)
            return super().fetch(url, headers)

    return Fetcher()
