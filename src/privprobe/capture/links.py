"""Moving through a site like a reader: scrolling to the bottom, and picking same-site pages to visit.

The pages visited after the landing page are the first links of the landing page (in document
order) that stay on the target's site (same registrable domain, by the Public Suffix List), once
each, without fragments, and never a link that looks like a log-out or a file download. The
``before_consent`` phase picks them; the other phases visit the same pages, so that the phases
compare.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from functools import cache
from urllib.parse import urldefrag, urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from publicsuffixlist import PublicSuffixList

SCROLL_SECONDS = 10.0
"""The longest a scroll to the bottom may take (endless pages end there)."""
_SKIP_WORDS = ("logout", "log-out", "signout", "sign-out", "로그아웃", "退出", "登出")
_SKIP_SUFFIXES = (
    ".pdf",
    ".zip",
    ".apk",
    ".exe",
    ".dmg",
    ".msi",
    ".ipa",
    ".gz",
    ".rar",
    ".7z",
    ".mp4",
    ".mp3",
)

_SCROLL = """async () => {
  const step = Math.max(200, Math.floor(window.innerHeight * 0.8));
  for (let i = 0; i < 60; i++) {
    const before = window.scrollY;
    window.scrollBy(0, step);
    await new Promise(resolve => setTimeout(resolve, 100));
    if (window.scrollY === before) break;
  }
}"""
_LINKS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"


async def scroll_to_bottom(page: Page) -> None:
    """Scroll down a screen at a time, as a reader would, for at most `SCROLL_SECONDS`."""
    # A page that navigates or blocks its main thread simply is not scrolled further.
    with contextlib.suppress(PlaywrightError, TimeoutError):
        await asyncio.wait_for(page.evaluate(_SCROLL), SCROLL_SECONDS)


async def same_site(page: Page, target: str) -> tuple[str, ...]:
    """The same-site links of ``page``, in document order, each once, the target itself excluded."""
    try:
        hrefs = await asyncio.wait_for(page.main_frame.evaluate(_LINKS), SCROLL_SECONDS)
    except (PlaywrightError, TimeoutError):
        return ()
    return pick(list(hrefs), target, page.url)


def pick(hrefs: list[str], target: str, landed: str) -> tuple[str, ...]:
    """The hrefs worth visiting: same site as ``target``, http(s), not a log-out or a download."""
    site = _site(urlsplit(target).hostname or "")
    seen = {urldefrag(target)[0], urldefrag(landed)[0]}
    chosen: list[str] = []
    for href in hrefs:
        url = urldefrag(href)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or url in seen or not parts.hostname:
            continue
        seen.add(url)
        lowered = url.lower()
        if any(word in lowered for word in _SKIP_WORDS) or parts.path.lower().endswith(_SKIP_SUFFIXES):
            continue
        if _site(parts.hostname) == site:
            chosen.append(url)
    return tuple(chosen)


def _site(host: str) -> str:
    """The registrable domain of ``host``; an IP address or a single label is its own site."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _suffixes().privatesuffix(host) or host


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()
