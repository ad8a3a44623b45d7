"""The privacy policy, found by its link text on the first page and saved into the bundle's policy/.

PIPA Art. 30 requires a controller to publish its privacy policy (개인정보 처리방침) where users
easily see it, usually the site's footer; its title is fixed by the PIPC's guideline but older
names survive ("개인정보 취급방침"). The link is looked for in the ``before_consent`` phase, on the
landing page, by its text in Korean, English and Chinese; the policy is opened in a new tab of the
same browser (so its traffic belongs to the phase's HAR), and saved as HTML, as the rendered text a
reader sees (``innerText``), and with policy.json saying which link led there and when.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from privprobe.capture.record import ANSWER_SECONDS, now, write_json

LINK_TEXTS = (
    "개인정보처리방침", "개인정보 처리방침", "개인정보 처리 방침", "개인정보취급방침", "개인정보 취급방침",
    "개인정보 보호정책", "개인정보보호정책",
    "Privacy Policy", "Privacy Notice", "Privacy Statement", "Privacy",
    "隐私政策", "隐私声明", "隐私权政策", "隱私政策", "隐私",
)  # fmt: skip
"""Link texts, most specific first; a link whose text contains one of them also counts."""

_FIND = """texts => {
  const norm = s => (s || "").replace(/\\s+/g, " ").trim().toLowerCase();
  let best = null;
  for (const a of document.querySelectorAll("a[href]")) {
    if (!/^https?:/.test(a.href)) continue;
    const text = norm(a.innerText || a.textContent || a.getAttribute("aria-label"));
    if (!text || text.length > 80) continue;
    texts.forEach((wanted, i) => {
      const rank = text === wanted ? i : text.includes(wanted) ? 1000 + i : null;
      if (rank !== null && (best === null || rank < best.rank)) {
        best = {text: (a.innerText || a.textContent || "").trim().slice(0, 200), url: a.href, rank};
      }
    });
  }
  return best;
}"""


async def find_policy_link(page: Page) -> dict[str, Any] | None:
    """The privacy-policy link of ``page`` (text, URL), or None; whole-text matches win."""
    texts = [" ".join(text.split()).lower() for text in LINK_TEXTS]
    try:
        found = await asyncio.wait_for(page.main_frame.evaluate(_FIND, texts), ANSWER_SECONDS)
    except (PlaywrightError, TimeoutError):
        return None
    return dict(found) if isinstance(found, dict) else None


async def save_policy(
    context: BrowserContext, page: Page, folder: Path, load_timeout: float
) -> dict[str, Any]:
    """Find the policy link on ``page``, open it in a new tab and write policy.html/.txt/.json.

    Returns policy.json's content: ``found`` false (and no other file) when no link was found.
    """
    link = await find_policy_link(page)
    record: dict[str, Any] = {"found": link is not None, "found_on": page.url, "searched": list(LINK_TEXTS)}
    if link is None:
        write_json(folder / "policy.json", record | {"saved": now()})
        return record
    record |= {"link_text": link["text"], "link_url": link["url"]}
    tab: Page | None = None
    try:
        tab = await context.new_page()
        record |= await _open(tab, link["url"], load_timeout)
        html = await asyncio.wait_for(tab.content(), ANSWER_SECONDS)
        text = await asyncio.wait_for(
            tab.evaluate("() => document.body ? document.body.innerText : ''"), ANSWER_SECONDS
        )
        (folder / "policy.html").write_bytes(html.encode("utf-8", "backslashreplace"))
        (folder / "policy.txt").write_bytes(str(text).encode("utf-8", "backslashreplace"))
        record |= {"url": tab.url, "title": await tab.title(), "files": ["policy.html", "policy.txt"]}
    except (PlaywrightError, TimeoutError) as fault:
        record["error"] = (
            f"the policy page could not be saved: {str(fault).splitlines()[0] if str(fault) else 'time-out'}"
        )
    finally:
        record["saved"] = now()
        write_json(folder / "policy.json", record)
        if tab is not None:
            await _close(tab)
    return record


async def _open(tab: Page, url: str, load_timeout: float) -> dict[str, Any]:
    """Load the policy; a page whose load event never comes is saved as far as it got."""
    try:
        response = await tab.goto(url, wait_until="load", timeout=load_timeout * 1000)
        return {"status": response.status if response else None}
    except PlaywrightTimeout:
        return {"status": None, "note": f"the load event did not come within {load_timeout:g} s"}


async def _close(tab: Page) -> None:
    with contextlib.suppress(PlaywrightError, TimeoutError):
        await asyncio.wait_for(tab.close(), ANSWER_SECONDS)


def fetch_policy(url: str, out: Path, executable: str, load_timeout: float = 30.0) -> dict[str, Any]:
    """Save the page at ``url`` as rendered by Chromium (scripts run, as a user sees it) to ``out``.

    For `privprobe policy fetch`: the one way a policy is read from the network, so the file can then
    be sealed as evidence with `privprobe policy add`. Returns what was saved (status, final URL, title).
    """
    return asyncio.run(_fetch(url, out, executable, load_timeout))


async def _fetch(url: str, out: Path, executable: str, load_timeout: float) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    from privprobe.capture.browser import FLAGS

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=list(FLAGS))
        try:
            page = await browser.new_page(accept_downloads=False, locale="ko-KR")
            record = await _open(page, url, load_timeout)
            html = await asyncio.wait_for(page.content(), ANSWER_SECONDS)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(html.encode("utf-8", "backslashreplace"))
            return record | {"url": page.url, "title": await page.title(), "saved": now()}
        finally:
            await browser.close()
