"""One consent phase: a fresh browser profile, the visit, the consent action, and what it recorded.

`run_phase` is the story of a phase (docs/bundle.md):

1. launch Chromium on a new temporary profile that allows third-party cookies, recording a HAR at
   the context level (frames, popups and workers);
2. load the target, and in ``accepted``/``refused`` accept or refuse on its banner
   (`privprobe.capture.consent`); in ``before_consent`` nothing on the banner is touched;
3. scroll to the bottom, stay until ``dwell`` seconds have passed since the page loaded (or since
   the consent choice), save the page; in ``before_consent`` save the privacy policy;
4. run the persona's steps, if any, then visit the same-site pages;
5. write cookies.json, storage.json, consent.json and pages/index.json, then close the browser,
   which writes traffic.har, and delete the profile.

Nothing may hang or escape: a watchdog ends steps 2-4 after ``phase_timeout`` seconds, every other
browser call has its own time limit, and faults (a page that never finishes loading, a redirect
loop, a renderer crash, a dialog, a download) are recorded as the phase's ``partial`` reason while
the phase goes on where it can. The hooks on pages and frames live in `privprobe.capture.watch`.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.async_api import BrowserContext, Page, Playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from privprobe.capture import links, record
from privprobe.capture.bundle import Outcome
from privprobe.capture.consent import NO_BANNER, Action, AutoconsentBridge, ConsentRecord, perform_consent
from privprobe.capture.persona import run_persona
from privprobe.capture.policy import save_policy
from privprobe.capture.watch import Watch
from privprobe.model import Phase

if TYPE_CHECKING:
    from privprobe.capture.browser import Setup

LAUNCH_SECONDS = 60.0
"""Time for Chromium to start."""
FINISH_SECONDS = 30.0
"""Time to read cookies and storage after the walk."""
CLOSE_SECONDS = 30.0
"""Time for the browser to close (and write the HAR)."""
PREFERENCES = {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}}
"""Written to the new profile's Default/Preferences before launch. Chromium 156 started headless on a
new profile blocks third-party cookies ("UserPreferences" in DevTools' blocked reasons), where a
desktop Chrome's default profile allows them: cookie_controls_mode 0 is Chrome's "Allow third-party
cookies" setting. Found by privprobe's own check (tests/capture/test_browser.py)."""


@dataclass(frozen=True, slots=True)
class PhasePlan:
    """What one phase does."""

    phase: Phase
    action: Action | None
    """``accept``, ``refuse``, or None (``before_consent``: touch nothing)."""
    links: tuple[str, ...] | None = None
    """The pages to visit after the first; None: take them from the first page."""


@dataclass
class PhaseResult:
    """How a phase went: the manifest's entry and what later phases reuse."""

    phase: Phase
    started: str
    ended: str = ""
    outcome: Outcome = Outcome.COMPLETED
    reason: str | None = None
    faults: list[str] = field(default_factory=list)
    pages: int = 0
    requests: int | None = None
    consent: dict[str, Any] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    browser_version: str | None = None
    command_line: list[str] | None = None

    def manifest_entry(self) -> dict[str, Any]:
        """The phase as manifest.json lists it (docs/bundle.md)."""
        return {
            "phase": self.phase.value,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "faults": self.faults,
            "started": self.started,
            "ended": self.ended,
            "pages": self.pages,
            "requests": self.requests,
            "consent": self.consent,
        }


async def run_phase(
    playwright: Playwright, plan: PhasePlan, setup: Setup, folder: Path, policy_folder: Path | None
) -> PhaseResult:
    """Run one phase into ``folder`` (and the policy into ``policy_folder``, when given)."""
    result = PhaseResult(plan.phase, record.now())
    consent = ConsentRecord(plan.action, setup.autoconsent_status())
    visit = _Visit(plan, setup, folder, result, consent)
    with tempfile.TemporaryDirectory(prefix="privprobe-profile-", ignore_cleanup_errors=True) as profile:
        _write_preferences(Path(profile))
        try:
            context = await asyncio.wait_for(
                playwright.chromium.launch_persistent_context(
                    profile, record_har_path=folder / "traffic.har", **setup.launch_options()
                ),
                LAUNCH_SECONDS,
            )
        except (PlaywrightError, TimeoutError) as error:
            return visit.failed(f"Chromium did not start: {_first_line(error)}")
        result.browser_version = context.browser.version if context.browser else None
        result.command_line = _command_line(profile)
        try:
            await visit.run(context, policy_folder)
        finally:
            await visit.close(context)
    return visit.finished()


class _Visit:
    """The state of one phase while it runs."""

    def __init__(
        self, plan: PhasePlan, setup: Setup, folder: Path, result: PhaseResult, consent: ConsentRecord
    ):
        self.plan, self.setup, self.folder, self.result, self.consent = plan, setup, folder, result, consent
        self.options = setup.options
        self.watch = Watch(result.faults, setup.progress)
        self.bridge = AutoconsentBridge(setup.autoconsent) if setup.autoconsent else None
        self.cookies = record.CookieLog()
        self.pages: list[dict[str, Any]] = []
        self.storage: dict[str, dict[str, Any]] = {}
        self.persona: list[dict[str, Any]] | None = None
        self._arrived = time.monotonic()

    async def run(self, context: BrowserContext, policy_folder: Path | None) -> None:
        """Prepare the context, walk under the watchdog, then record what the browser holds."""
        limit = asyncio.timeout(self.options.phase_timeout)  # the watchdog
        try:
            async with limit:
                page = await self._prepare(context)
                await self._walk(context, page, policy_folder)
        except TimeoutError:
            what = "the phase time limit of {:g} s was reached" if limit.expired() else "a step timed out"
            self.watch.fault(what.format(self.options.phase_timeout))
        except Watch.Stopped:
            pass  # the reason is recorded already
        except PlaywrightError as error:
            self.watch.fault(f"the visit stopped: {_first_line(error)}")
        try:
            await asyncio.wait_for(self._finish(context), FINISH_SECONDS)
        except TimeoutError:
            self.watch.fault(f"cookies and storage could not be read within {FINISH_SECONDS:g} s")
        self._write_records()

    async def _prepare(self, context: BrowserContext) -> Page:
        if self.bridge is not None:
            await self.bridge.install(context)
        # No request interception (context.route): it would switch off Chromium's HTTP cache and put
        # every request through Playwright, which a user's browser does not do. file: URLs are never
        # opened: privprobe navigates only to http(s) addresses, and Chromium refuses file: to web
        # pages and to redirects itself (ERR_UNSAFE_REDIRECT); the Watch records any frame that
        # reaches a browser-internal page.
        context.on("page", lambda page: self.watch.popup(page, self._hook(context, page)))
        page = context.pages[0] if context.pages else await context.new_page()
        await self._hook(context, page)
        return page

    async def _hook(self, context: BrowserContext, page: Page) -> None:
        self.watch.hook(page, lambda frame: self.cookies.attach(context, frame))
        await self.cookies.attach(context, page)

    async def _walk(self, context: BrowserContext, page: Page, policy_folder: Path | None) -> None:
        target = self.options.url
        landed = await self._load(page, target)
        if self.plan.action is not None:
            if landed:
                shot = lambda name: record.screenshot(page, self.folder, name)  # noqa: E731
                await perform_consent(page, self.bridge, self.consent, shot, self.setup.consent)
                self._arrived = time.monotonic()  # the dwell after the choice is what the choice caused
            else:
                self.consent.reason = f"{NO_BANNER}: the first page did not load"
        await self._stay_and_save(page, target)
        if policy_folder is not None and landed:
            await save_policy(context, page, policy_folder, self.options.load_timeout)
        elif policy_folder is not None:
            record.write_json(
                policy_folder / "policy.json", {"found": False, "reason": "the first page did not load"}
            )
        found = self.plan.links if self.plan.links is not None else await links.same_site(page, target)
        self.result.links = found[: max(0, self.options.pages - 1)]
        if self.setup.persona is not None:
            self.watch.progress(f"{self.plan.phase.value}: persona {self.setup.persona.name}")
            self.persona = await run_persona(page, self.setup.persona, target, self.options.load_timeout)
            self._arrived = time.monotonic()
            await self._stay_and_save(page, "(persona)")
        for url in self.result.links:
            await self._load(page, url)
            await self._stay_and_save(page, url)

    async def _load(self, page: Page, url: str) -> bool:
        """Navigate; a load event that never comes is a fault but the phase goes on with the page."""
        self.watch.check()
        self.watch.progress(f"{self.plan.phase.value}: {url}")
        try:
            try:
                await self._goto(page, url)
            except PlaywrightError as error:
                if "interrupted by another navigation" not in str(error):
                    raise
                await asyncio.sleep(0.5)  # the error page of the previous failure was still arriving
                await self._goto(page, url)
            return True
        except PlaywrightTimeout:
            self.watch.fault(f"{url}: the load event did not come within {self.options.load_timeout:g} s")
            return True
        except PlaywrightError as error:
            self.watch.check()  # a crash explains the error better
            self.watch.fault(f"{url}: navigation failed: {_first_line(error)}")
            return False
        finally:
            self._arrived = time.monotonic()

    async def _goto(self, page: Page, url: str) -> None:
        await page.goto(url, wait_until="load", timeout=self.options.load_timeout * 1000)

    async def _stay_and_save(self, page: Page, requested: str) -> None:
        """Scroll to the bottom as a reader would, stay until ``dwell`` seconds have passed since the
        page loaded (or since the consent choice), then save the page, its screenshot and storage."""
        self.watch.check()
        await links.scroll_to_bottom(page)
        await asyncio.sleep(max(0.0, self.options.dwell - (time.monotonic() - self._arrived)))
        saved, storage = await asyncio.gather(
            record.save_page(page, self.folder, len(self.pages) + 1, requested), record.storage_snapshot(page)
        )
        self.pages.append(saved)
        self.storage |= storage

    async def _finish(self, context: BrowserContext) -> None:
        for page in context.pages:
            if not page.is_closed():
                self.storage |= await record.storage_snapshot(page)
        cookies = await record.cookies_json(context, self.cookies)
        record.write_json(self.folder / "cookies.json", cookies)
        await self.cookies.detach()

    def _write_records(self) -> None:
        """Files that need no browser: written whatever happened to it."""
        if self.bridge is not None:
            self.consent.messages = list(self.bridge.messages)
            self.consent.cmp = self.consent.cmp or next(iter(self.bridge.detected), None)
        record.write_json(self.folder / "consent.json", self.consent.as_json())
        storage = {"captured": record.now(), "origins": self.storage}
        record.write_json(self.folder / "storage.json", storage)
        index = {"pages": self.pages, "links": list(self.result.links), "persona": self.persona}
        record.write_json(self.folder / "pages" / "index.json", index | self.watch.events())

    async def close(self, context: BrowserContext) -> None:
        """Close the browser (which writes the HAR), bounded in time."""
        try:
            await asyncio.wait_for(context.close(), CLOSE_SECONDS)
        except (PlaywrightError, TimeoutError) as error:
            self.watch.fault(
                f"the browser did not close cleanly ({_first_line(error)}); the HAR may be incomplete"
            )

    def failed(self, reason: str) -> PhaseResult:
        """The result of a phase whose browser never started."""
        self.watch.fault(reason)
        (self.folder / "pages").mkdir(exist_ok=True)
        self._write_records()
        self.result.outcome, self.result.reason = Outcome.FAILED, reason
        self.result.ended = record.now()
        return self.result

    def finished(self) -> PhaseResult:
        """The finished phase: pages, requests, consent summary, outcome and reason."""
        result = self.result
        result.ended = record.now()
        result.pages = sum(1 for page in self.pages if page.get("file"))
        result.requests = _har_entries(self.folder / "traffic.har")
        result.consent = self.consent.summary()
        result.outcome, result.reason = self._outcome()
        return result

    def _outcome(self) -> tuple[Outcome, str | None]:
        faults = self.result.faults
        if self.result.outcome is Outcome.FAILED:
            return Outcome.FAILED, self.result.reason
        if self.plan.action is not None and not self.consent.performed:
            return Outcome.NO_BANNER, _joined([self.consent.reason or NO_BANNER, *faults])
        if self.plan.action is not None and self.consent.succeeded is False:
            method = self.consent.method or "the consent action"
            faults = [f"{method} clicked but the banner did not confirm the choice", *faults]
        return (Outcome.PARTIAL, _joined(faults)) if faults else (Outcome.COMPLETED, None)


def _write_preferences(profile: Path) -> None:
    (profile / "Default").mkdir(parents=True, exist_ok=True)
    (profile / "Default" / "Preferences").write_text(json.dumps(PREFERENCES), encoding="utf-8")


def _command_line(profile: str) -> list[str] | None:
    """The browser process's full command line (Playwright's and the Debian wrapper's flags too).

    Read from /proc: Chromium gives it over DevTools only when started with --enable-automation,
    which would change what pages see (``navigator.webdriver``).
    """
    marker = f"--user-data-dir={profile}".encode()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if marker in argv and not any(arg.startswith(b"--type=") for arg in argv):
            return [arg.decode("utf-8", "replace") for arg in argv if arg]
    return None


def _har_entries(path: Path) -> int | None:
    """The number of requests in the phase's HAR, or None when it was not written."""
    try:
        with path.open("rb") as handle:
            return len(json.load(handle)["log"]["entries"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _joined(reasons: list[str], limit: int = 8) -> str:
    shown = "; ".join(reasons[:limit])
    return (
        shown if len(reasons) <= limit else f"{shown}; and {len(reasons) - limit} more (see pages/index.json)"
    )


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
