"""What a phase writes besides its HAR: cookies, web storage, page HTML and screenshots.

- `CookieLog` listens to the DevTools protocol of every page (and out-of-process frame) for the
  cookies Chromium refused to store or to send, with Chromium's reasons
  (``Network.responseReceivedExtraInfo.blockedCookies``,
  ``Network.requestWillBeSentExtraInfo.associatedCookies[].blockedReasons``). The cookies that were
  stored come from ``context.cookies()`` at the end of the phase.
- `storage_snapshot` reads localStorage, sessionStorage and the IndexedDB database names of every
  frame of a page, keyed by origin.
- `save_page` and `screenshot` write ``pages/NNN.html`` and ``screenshots/*.png``.

Every browser call here is bounded in time: a page that does not answer loses that record, noted in
the file, and never stops the phase.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, CDPSession, Frame, Page
from playwright.async_api import Error as PlaywrightError

SCREENSHOT_SECONDS = 15.0
"""A full-page screenshot that takes longer is replaced by one of the viewport."""
ANSWER_SECONDS = 10.0
"""How long a page gets to return its HTML or its storage."""

# Chromium lists every cookie of the profile it considered for a request; these reasons only say the
# cookie belongs to another host, path, port or scheme, which is no blocking, so they are left out.
_NOT_FOR_THIS_REQUEST = {"DomainMismatch", "NotOnPath", "PortMismatch", "SchemeMismatch"}

_STORAGE = """async () => {
  const dump = get => {
    try {
      const store = get(), items = {};
      for (let i = 0; i < store.length; i++) { const key = store.key(i); items[key] = store.getItem(key); }
      return items;
    } catch (error) { return {"(not readable)": String(error)}; }
  };
  let databases = null;
  try {
    databases = indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : null;
  } catch (error) { databases = ["(not readable) " + String(error)]; }
  return {origin: location.origin, url: location.href, localStorage: dump(() => window.localStorage),
          sessionStorage: dump(() => window.sessionStorage), indexedDB: databases};
}"""


def now() -> str:
    """The current UTC time, ISO 8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def write_json(path: Path, data: object) -> None:
    """``data`` as indented UTF-8 JSON; a lone surrogate (broken page text) becomes its escape."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    path.write_bytes(text.encode("utf-8", "backslashreplace"))


class CookieLog:
    """The cookies Chromium blocked during a phase, from every page's DevTools session."""

    def __init__(self) -> None:
        self._urls: dict[str, str] = {}
        self._blocked: dict[tuple[str, ...], dict[str, Any]] = {}
        self._sessions: list[CDPSession] = []

    async def attach(self, context: BrowserContext, target: Page | Frame) -> None:
        """Listen to ``target``'s network events; an in-process frame is covered by its page already."""
        try:
            session = await context.new_cdp_session(target)
            session.on("Network.requestWillBeSent", self._request)
            session.on("Network.responseReceivedExtraInfo", self._response_extra)
            session.on("Network.requestWillBeSentExtraInfo", self._request_extra)
            await session.send("Network.enable")
        except PlaywrightError:
            return  # "This frame does not have a separate CDP session", or it went away
        self._sessions.append(session)

    def _request(self, event: dict[str, Any]) -> None:
        self._urls[str(event.get("requestId"))] = str(event.get("request", {}).get("url", ""))

    def _response_extra(self, event: dict[str, Any]) -> None:
        for item in event.get("blockedCookies") or []:
            self._add("set", event, item)

    def _request_extra(self, event: dict[str, Any]) -> None:
        for item in event.get("associatedCookies") or []:
            if set(item.get("blockedReasons") or ()) - _NOT_FOR_THIS_REQUEST:
                self._add("send", event, item)

    def _add(self, direction: str, event: dict[str, Any], item: dict[str, Any]) -> None:
        cookie = item.get("cookie") or {}
        name = cookie.get("name") or str(item.get("cookieLine", "")).split("=", 1)[0]
        request, reasons = str(event.get("requestId")), list(item.get("blockedReasons") or [])
        key = (direction, request, str(name), str(cookie.get("domain")), ",".join(reasons))
        if key not in self._blocked:
            entry = {
                "direction": direction,
                "request_id": request,
                "name": name,
                "domain": cookie.get("domain"),
            }
            self._blocked[key] = entry | {"reasons": reasons, "detail": item}

    def blocked(self) -> list[dict[str, Any]]:
        """Each blocked cookie once per request, with the request's URL when Chromium reported it."""
        return [entry | {"url": self._urls.get(entry["request_id"])} for entry in self._blocked.values()]

    async def detach(self) -> None:
        """Stop listening (before the context closes)."""
        for session in self._sessions:
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(session.detach(), 2.0)


async def cookies_json(context: BrowserContext, log: CookieLog) -> dict[str, Any]:
    """cookies.json: every stored cookie of the profile, first and third party, and the blocked ones."""
    try:
        stored: list[Any] = list(await asyncio.wait_for(context.cookies(), ANSWER_SECONDS))
        error = None
    except (PlaywrightError, TimeoutError) as fault:
        stored, error = [], f"the browser did not list its cookies: {fault or 'time-out'}"
    return {
        "captured": now(),
        "cookies": stored,
        "blocked": log.blocked(),
        "error": error,
        "note": "cookies: context.cookies() at the end of the phase; blocked: cookies Chromium refused "
        "to store (direction set) or to send (direction send), with Chromium's reasons (DevTools); "
        "cookies left out of a request only because they belong to another host, path, port or "
        "scheme are not listed.",
    }


async def storage_snapshot(page: Page) -> dict[str, dict[str, Any]]:
    """localStorage, sessionStorage and IndexedDB names of each frame of ``page``, by origin."""
    found: dict[str, dict[str, Any]] = {}
    for frame in page.frames:
        if frame.is_detached() or not frame.url.startswith(("http:", "https:")):
            continue
        try:
            data = await asyncio.wait_for(frame.evaluate(_STORAGE), ANSWER_SECONDS)
        except (PlaywrightError, TimeoutError):
            continue
        if isinstance(data, dict) and data.get("origin") not in (None, "null"):
            data["top_level_url"] = page.url
            data["main_frame"] = frame.parent_frame is None
            data["captured"] = now()
            found[str(data["origin"])] = data
    return found


async def screenshot(page: Page, folder: Path, name: str) -> str | None:
    """``screenshots/<name>.png`` of the full page (the viewport if that fails); None if neither works."""
    relative = f"screenshots/{name}.png"
    (folder / "screenshots").mkdir(exist_ok=True)
    for full_page in (True, False):
        try:
            await page.screenshot(
                path=folder / relative, full_page=full_page, timeout=SCREENSHOT_SECONDS * 1000
            )
            return relative
        except PlaywrightError:
            continue
    return None


async def save_page(page: Page, folder: Path, order: int, requested: str) -> dict[str, Any]:
    """Write ``pages/NNN.html`` and ``screenshots/page-NNN.png``; the entry of pages/index.json.

    The HTML and the screenshot are taken together: the browser paints while the page serialises.
    """
    (folder / "pages").mkdir(exist_ok=True)
    entry: dict[str, Any] = {"order": order, "requested": requested, "url": page.url, "saved": now()}
    html, entry["screenshot"] = await asyncio.gather(
        _html(page), screenshot(page, folder, f"page-{order:03d}")
    )
    if isinstance(html, str):
        (folder / "pages" / f"{order:03d}.html").write_bytes(html.encode("utf-8", "backslashreplace"))
        entry |= {"file": f"pages/{order:03d}.html", "title": await _title(page)}
    else:
        entry |= {"file": None, "error": f"the page's HTML could not be read: {html}"}
    return entry


async def _html(page: Page) -> str | Exception:
    try:
        return await asyncio.wait_for(page.content(), ANSWER_SECONDS)
    except (PlaywrightError, TimeoutError) as fault:
        return fault if str(fault) else TimeoutError("time-out")


async def _title(page: Page) -> str | None:
    try:
        return await asyncio.wait_for(page.title(), ANSWER_SECONDS)
    except (PlaywrightError, TimeoutError):
        return None
