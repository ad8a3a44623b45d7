"""What happens to a phase's pages on their own: dialogs, downloads, crashes, popups, odd navigations.

A `Watch` is attached to every page of a phase's browser. It answers dialogs (dismissed, so that a
page cannot stop the visit; ``beforeunload`` is accepted so that the visit can leave the page), records
refused downloads, new tabs and popups, and renderer crashes, and collects every fault as one line
for the phase's ``partial`` reason. A crash of the main page stops the phase's walk (`Watch.check`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from playwright.async_api import Dialog, Download, Frame, Page
from playwright.async_api import Error as PlaywrightError

from privprobe.capture.record import now

_TEXT = 300


class Watch:
    """Hooks on the pages of one phase, and the faults and events they saw."""

    class Stopped(Exception):
        """The main page can no longer be used (its renderer crashed)."""

    def __init__(self, faults: list[str], progress: Callable[[str], None] | None) -> None:
        self.faults = faults
        self._progress = progress
        self._events: list[dict[str, Any]] = []
        self._main: Page | None = None
        self._crashed = False
        self._frames: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._opened: list[Page] = []

    def progress(self, message: str) -> None:
        """Tell the caller where the capture is."""
        if self._progress is not None:
            self._progress(message)

    def fault(self, reason: str) -> None:
        """Record a fault: it makes the phase ``partial`` with this reason."""
        self.faults.append(reason)
        self._event("fault", None, reason)

    def check(self) -> None:
        """Raise `Watch.Stopped` once the main page has crashed."""
        if self._crashed:
            raise Watch.Stopped

    def events(self) -> dict[str, Any]:
        """The events and the pages opened besides the main one (last URL), for pages/index.json."""
        return {"events": self._events, "pages_opened": [page.url for page in self._opened]}

    def hook(self, page: Page, on_frame: Callable[[Frame], Awaitable[None]]) -> None:
        """Watch ``page``; the first page hooked is the main one. ``on_frame`` runs for each new iframe."""
        if self._main is None:
            self._main = page
        page.on("dialog", self._dialog)
        page.on("download", self._download)
        page.on("crash", self._crash)
        page.on("framenavigated", lambda frame: self._navigated(frame, on_frame))

    def popup(self, page: Page, hook: Coroutine[Any, Any, None]) -> None:
        """A new page opened (a popup, a new tab, privprobe's own policy tab): record it and hook it."""
        self._opened.append(page)
        self._spawn(hook)

    async def _dialog(self, dialog: Dialog) -> None:
        self.fault(f"a {dialog.type} dialog was answered by privprobe: {dialog.message[:_TEXT]!r}")
        try:
            if dialog.type == "beforeunload":
                await dialog.accept()
            else:
                await dialog.dismiss()
        except PlaywrightError:
            pass

    def _download(self, download: Download) -> None:
        self.fault(f"a download was refused: {download.url[:_TEXT]} ({download.suggested_filename[:100]!r})")

    def _crash(self, page: Page) -> None:
        self.fault(f"the renderer crashed on {page.url[:_TEXT]}")
        if page is self._main:
            self._crashed = True

    def _navigated(self, frame: Frame, on_frame: Callable[[Frame], Awaitable[None]]) -> None:
        if frame.url.startswith(("chrome:", "chrome-extension:", "devtools:")):
            self.fault(f"a frame navigated to a browser-internal page: {frame.url[:_TEXT]}")
        if frame.parent_frame is not None and id(frame) not in self._frames:
            self._frames.add(id(frame))
            self._spawn(on_frame(frame))

    def _spawn(self, work: Awaitable[None]) -> None:
        async def run() -> None:
            # The page or frame may go away before it is hooked.
            with contextlib.suppress(PlaywrightError):
                await work

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _event(self, kind: str, url: str | None, detail: str) -> None:
        self._events.append({"time": now(), "kind": kind, "url": url, "detail": detail})
