"""The consent action of a phase: DuckDuckGo's autoconsent first, the banner's button text second.

`@duckduckgo/autoconsent` (npm, MPL-2.0) knows how hundreds of consent-management platforms (CMPs)
are built. ``scripts/setup.sh`` installs it into ``./node_modules``; privprobe injects its
``dist/autoconsent.playwright.js`` into every frame with ``context.add_init_script`` and answers it
through a binding, as the package's own Playwright runner does (``playwright/runner.ts``):

- the content script calls ``window.autoconsentSendMessage(message)``; messages are ``init``,
  ``cmpDetected``, ``popupFound``, ``optInResult``/``optOutResult``, ``selfTestResult``,
  ``autoconsentDone``, ``autoconsentError``, ``eval`` and periodic ``report``s (lib/messages.ts);
- privprobe replies by calling ``window.autoconsentReceiveMessage(reply)`` in the same frame:
  ``initResp`` (the config, and the rules of ``rules/rules.json`` that may run in that frame), then
  ``optIn``/``optOut`` and ``selfTest``, and ``evalResp`` for ``eval`` requests.

The config has no ``autoAction``: autoconsent only detects, and privprobe sends the action itself, so
that a screenshot is taken before and after it and nothing happens in the ``before_consent`` phase.
Prehiding and cosmetic rules are off: hiding a banner is not consenting nor refusing.

Where no rule finds a banner within `ConsentSettings.wait`, `privprobe.capture.buttons` clicks a
visible button by its text (Korean, English, Chinese), in any frame; it does not wait that long when
autoconsent has tried every rule twice without detecting any CMP and such a button is showing. What
was tried, what was clicked and whether it worked goes to the phase's consent.json as a
`ConsentRecord`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from playwright.async_api import BrowserContext, Frame, Page
from playwright.async_api import Error as PlaywrightError

from privprobe.capture import buttons
from privprobe.errors import MissingExtra

PACKAGE = "@duckduckgo/autoconsent"
SCRIPT = "dist/autoconsent.playwright.js"
"""The self-contained content script the package builds for Playwright and Puppeteer."""
RULES = "rules/rules.json"
"""The JSON rules, opt-in steps included (``compact-rules.json`` omits them)."""
ENVIRONMENT = "PRIVPROBE_AUTOCONSENT"
"""Names the package folder when it is not in ``./node_modules`` nor beside the source tree."""

MAX_MESSAGES = 1000
"""autoconsent messages kept per phase (a page can call the binding itself)."""

Action = Literal["accept", "refuse"]
NO_BANNER = "no consent banner found"
"""The reason of a phase whose consent action could not be performed because nothing was found."""
Screenshot = Callable[[str], Awaitable[str | None]]
"""Takes a full-page screenshot under the given name; returns its path in the phase folder, or None."""

_KEPT = ("cmpDetected", "popupFound", "optInResult", "optOutResult", "selfTestResult", "autoconsentDone")


@dataclass(frozen=True, slots=True)
class Autoconsent:
    """The installed autoconsent package: its content script and rules."""

    folder: Path
    version: str
    script: str
    rules: tuple[_Rule, ...]

    def rules_for(self, url: str, main_frame: bool) -> list[dict[str, Any]]:
        """The rules that may run in a frame, as the content script itself would filter them.

        Sending only these keeps the ``initResp`` of an advertising iframe small (a few rules instead
        of 680 KB). A pattern Python cannot compile is kept: the content script decides.
        """
        return [rule.data for rule in self.rules if rule.applies(url, main_frame)]


@dataclass(frozen=True, slots=True)
class _Rule:
    data: dict[str, Any]
    main: bool
    frame: bool
    pattern: re.Pattern[str] | None

    def applies(self, url: str, main_frame: bool) -> bool:
        if not (self.main if main_frame else self.frame):
            return False
        return self.pattern is None or self.pattern.search(url) is not None


def load_autoconsent(folders: Sequence[Path] | None = None) -> Autoconsent:
    """The autoconsent package from the first of ``folders`` that holds it.

    By default: ``$PRIVPROBE_AUTOCONSENT``, then ``./node_modules``, then the checkout's node_modules.
    Raises `MissingExtra` naming the folders looked in when it is not installed.
    """
    if folders is None:
        folders = [Path(os.environ[ENVIRONMENT])] if os.environ.get(ENVIRONMENT) else []
        folders += [
            Path.cwd() / "node_modules" / PACKAGE,
            Path(__file__).resolve().parents[3] / "node_modules" / PACKAGE,
        ]
    for folder in folders:
        if (folder / SCRIPT).is_file() and (folder / RULES).is_file():
            return _read_package(folder)
    looked = ", ".join(str(folder) for folder in dict.fromkeys(folders))
    raise MissingExtra(f"{PACKAGE} is not installed (looked in {looked}); run scripts/setup.sh")


def _read_package(folder: Path) -> Autoconsent:
    version = json.loads((folder / "package.json").read_text(encoding="utf-8")).get("version", "unknown")
    rules = json.loads((folder / RULES).read_text(encoding="utf-8")).get("autoconsent", [])
    return Autoconsent(folder, str(version), (folder / SCRIPT).read_text(encoding="utf-8"), _parse(rules))


def _parse(rules: list[dict[str, Any]]) -> tuple[_Rule, ...]:
    parsed = []
    for rule in rules:
        context = rule.get("runContext") or {}  # lib/cmps/base.ts: defaultRunContext
        pattern: re.Pattern[str] | None = None
        if context.get("urlPattern"):
            try:
                pattern = re.compile(context["urlPattern"])
            except re.error:
                pattern = None
        parsed.append(
            _Rule(rule, bool(context.get("main", True)), bool(context.get("frame", False)), pattern)
        )
    return tuple(parsed)


def autoconsent_config() -> dict[str, Any]:
    """The config sent in ``initResp`` (lib/types.ts ``Config``): detect only, touch nothing."""
    return {
        "enabled": True,
        "autoAction": None,  # privprobe sends optIn/optOut itself, after a screenshot
        "disabledCmps": [],
        "enablePrehide": False,  # a hidden banner would be missing from the screenshots
        "enableCosmeticRules": False,  # hiding a banner is neither consent nor refusal
        "enableGeneratedRules": True,
        "enableHeuristicDetection": False,
        "detectRetries": 20,
        "isMainWorld": True,  # add_init_script runs in the page's world: eval rules run inline
        "prehideTimeout": 2000,
        "visualTest": False,
        "logs": {key: False for key in ("lifecycle", "rulesteps", "detectionsteps", "evals", "errors")}
        | {"messages": False, "waits": False},
    }


@dataclass
class ConsentRecord:
    """What the consent step of one phase did: written to consent.json, summarised in the manifest."""

    action: Action | None
    """``accept``, ``refuse``, or None in ``before_consent`` (nothing is touched)."""
    autoconsent: dict[str, Any]
    """Whether autoconsent was available (version, or the reason it was not) and its config."""
    cmp: str | None = None
    """The consent-management platform autoconsent detected, by its rule name (``Onetrust``)."""
    method: Literal["autoconsent", "button_text"] | None = None
    """How the action was performed, when it was."""
    succeeded: bool | None = None
    """autoconsent's own result, or for a text click whether the clicked control went away."""
    self_test: bool | None = None
    """autoconsent's self-test after an opt-out (does the CMP's state say "refused"?), when it has one."""
    reason: str | None = None
    """Why no action was performed (``no consent banner found``)."""
    clicks: list[dict[str, Any]] = field(default_factory=list)
    """Text-fallback clicks: text, phrase, frame, layer."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    """autoconsent's messages (all but ``report``), with time and frame."""
    screenshots: dict[str, str] = field(default_factory=dict)
    """``before`` and ``after`` the action: screenshot files, relative to the phase's folder."""
    started: str | None = None
    ended: str | None = None

    @property
    def performed(self) -> bool:
        """True when a consent action was carried out (autoconsent's or a text click)."""
        return self.method is not None

    def summary(self) -> dict[str, Any]:
        """The manifest's ``consent`` of the phase."""
        action = self.action or "none"
        return {"cmp": self.cmp, "action": action, "method": self.method, "succeeded": self.succeeded}

    def as_json(self) -> dict[str, Any]:
        """consent.json."""
        return {
            "action": self.action or "none",
            "cmp": self.cmp,
            "method": self.method,
            "succeeded": self.succeeded,
            "self_test": self.self_test,
            "reason": self.reason,
            "autoconsent": self.autoconsent,
            "fallback_clicks": self.clicks,
            "messages": self.messages,
            "screenshots": self.screenshots,
            "started": self.started,
            "ended": self.ended,
        }


class AutoconsentBridge:
    """Answers autoconsent's content script in every frame of one browser context."""

    def __init__(self, package: Autoconsent) -> None:
        self.package = package
        self.messages: list[dict[str, Any]] = []
        self.popups: list[tuple[Frame, str]] = []
        self.detected: list[str] = []
        self.main_attempts = 0
        """How many detection rounds the current main frame's script has run (from its reports)."""
        self._changed = asyncio.Event()

    async def install(self, context: BrowserContext) -> None:
        """Expose the binding, then add the content script to every frame of every page."""
        await context.expose_binding("autoconsentSendMessage", self._receive)
        await context.add_init_script(script=self.package.script)

    async def _receive(self, source: dict[str, Any], message: Any) -> None:
        frame: Frame = source["frame"]
        if not isinstance(message, dict):
            return
        kind = message.get("type")
        if kind == "report":
            self._report(frame, message)
            return
        try:
            if kind == "init":
                main = frame.parent_frame is None
                self.main_attempts = 0 if main else self.main_attempts
                rules = self.package.rules_for(str(message.get("url") or frame.url), main)
                await _send(
                    frame,
                    {"type": "initResp", "config": autoconsent_config(), "rules": {"autoconsent": rules}},
                )
            elif kind == "eval":
                result = await frame.evaluate(str(message.get("code", "")))
                await _send(frame, {"type": "evalResp", "id": message.get("id"), "result": bool(result)})
        except PlaywrightError:
            pass  # the frame navigated or went away: its script will not need the answer
        if kind in (*_KEPT, "autoconsentError"):
            self._record(frame, message)

    def _report(self, frame: Frame, message: dict[str, Any]) -> None:
        """Follow how many times the main frame's script has tried every rule (``findCmpAttempts``)."""
        if frame.parent_frame is None and isinstance(state := message.get("state"), dict):
            attempts = state.get("findCmpAttempts")
            if isinstance(attempts, int) and attempts != self.main_attempts:
                self.main_attempts = attempts
                self._changed.set()

    def _record(self, frame: Frame, message: dict[str, Any]) -> None:
        if len(self.messages) >= MAX_MESSAGES:
            return  # a page that floods the binding gets no more room in the evidence
        entry = {"time": _now(), "frame": frame.url, "main_frame": frame.parent_frame is None, **message}
        self.messages.append(entry)
        if message["type"] == "cmpDetected":
            self.detected.append(str(message.get("cmp")))
        if message["type"] == "popupFound":
            self.popups.append((frame, str(message.get("cmp"))))
        self._changed.set()

    async def wait_for_popup(
        self, seconds: float, elsewhere: Callable[[], Awaitable[bool]] | None = None, after: float = 2.0
    ) -> tuple[Frame, str] | None:
        """The first frame where a CMP shows its banner, waiting at most ``seconds``.

        A CMP detected without a banner yet gets 5 more seconds: its banner may be appearing. While no
        CMP is detected, ``elsewhere`` is asked whether the banner can be handled another way (a
        button with the right text) once autoconsent has tried every rule twice on the page, or after
        ``after`` seconds, then every half second; if it can, the wait ends early.
        """
        start = time.monotonic()
        deadline, extended = start + seconds, False
        while not self.popups:
            now = time.monotonic()
            if now >= deadline:
                if self.detected and not extended:
                    deadline, extended = now + 5.0, True
                    continue
                return None
            due = now - start >= after or self.main_attempts >= 2
            if elsewhere is not None and not self.detected and due and await elsewhere():
                return None
            pause = min(deadline - now, 0.5)
            if elsewhere is not None and now - start < after:
                pause = min(pause, start + after - now)  # ask ``elsewhere`` as soon as it is due
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), pause)
        return self.popups[0]

    async def act(self, frame: Frame, action: Action, record: ConsentRecord, timeout: float) -> None:
        """Send opt-in or opt-out to ``frame``, then the self-test when the rule has one."""
        kind = "optIn" if action == "accept" else "optOut"
        result = await self._exchange(frame, kind, f"{kind}Result", timeout)
        record.method = "autoconsent"
        record.succeeded = bool(result.get("result")) if result else None
        if result and result.get("scheduleSelfTest"):
            test = await self._exchange(frame, "selfTest", "selfTestResult", 10.0)
            record.self_test = bool(test.get("result")) if test else None

    async def _exchange(self, frame: Frame, kind: str, answer: str, timeout: float) -> dict[str, Any] | None:
        """Send ``kind`` and wait for the first ``answer`` message after it (None on time-out)."""
        seen = len(self.messages)
        # A reload after the click destroys the frame: the answer may have come already.
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(_send(frame, {"type": kind}), timeout)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            for message in self.messages[seen:]:
                if message["type"] == answer:
                    return message
            await asyncio.sleep(0.1)
        return None


async def _send(frame: Frame, message: dict[str, Any]) -> None:
    await frame.evaluate(
        "m => window.autoconsentReceiveMessage ? window.autoconsentReceiveMessage(m) : null", message
    )


@dataclass(frozen=True, slots=True)
class ConsentSettings:
    """How long the consent step waits."""

    wait: float = 5.0
    """Seconds for autoconsent to find a banner before the text fallback is tried."""
    action_timeout: float = 20.0
    """Seconds for autoconsent's opt-in or opt-out steps to finish."""
    fallback_after: float = 1.5
    """Seconds after which, if autoconsent has detected no CMP at all, a visible button with the right
    text ends the wait (most rules detect their CMP within a second of the page's load)."""


async def perform_consent(
    page: Page,
    bridge: AutoconsentBridge | None,
    record: ConsentRecord,
    screenshot: Screenshot,
    settings: ConsentSettings = ConsentSettings(),
) -> None:
    """Perform ``record.action`` on ``page``'s banner, filling ``record``.

    autoconsent first; the button text when it found nothing or its action failed; "no consent
    banner found" when neither did. A screenshot is taken before and after.
    """
    action = record.action
    if action is None:
        raise ValueError("perform_consent needs an action: accept or refuse")
    record.started = _now()
    if bridge is not None:
        await _by_autoconsent(page, action, bridge, record, screenshot, settings)
    if not record.succeeded:
        if "before" not in record.screenshots:
            await _shot(record, "before", screenshot)
        clicks = await buttons.click_consent(page, action)
        record.clicks = [click.as_json() for click in clicks]
        if buttons.expressed(clicks):
            record.method = "button_text"
            record.succeeded = clicks[-1].went_away
    if record.performed:
        await _shot(record, "after", screenshot)
    elif record.clicks:
        record.reason = "a settings layer was opened but no reject control was found in it"
    else:
        record.reason = NO_BANNER
    record.ended = _now()


async def _by_autoconsent(
    page: Page, action: Action, bridge: AutoconsentBridge, record: ConsentRecord, screenshot: Screenshot,
    settings: ConsentSettings,
) -> None:  # fmt: skip
    offers = lambda: buttons.offers_choice(page, action)  # noqa: E731
    found = await bridge.wait_for_popup(settings.wait, offers, settings.fallback_after)
    if found is None:
        record.cmp = next(iter(bridge.detected), None)
        return
    frame, record.cmp = found
    await _shot(record, "before", screenshot)
    await bridge.act(frame, action, record, settings.action_timeout)
    await asyncio.sleep(0.5)  # let the page react before the "after" screenshot


async def _shot(record: ConsentRecord, moment: str, screenshot: Screenshot) -> None:
    if (name := await screenshot(f"consent-{moment}")) is not None:
        record.screenshots[moment] = name


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
