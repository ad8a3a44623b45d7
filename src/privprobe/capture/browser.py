"""``privprobe capture web``: a real Chromium through the three consent phases, sealed as a bundle.

`capture_web` runs ``before_consent`` (load, scroll, dwell, visit same-site pages, touch nothing on
the banner; the privacy policy is saved too), ``accepted`` (accept on the banner first, then the same
visit) and ``refused`` (refuse first, then the same), each in a fresh temporary profile
(`privprobe.capture.phase`), and seals what they recorded with a manifest (docs/bundle.md) that says
how: browser version and full command line, OS, reference-data versions, target, times and each
phase's outcome.

The browser is Debian's ``chromium`` driven by Playwright (never ``playwright install``), started
with flags that work on a closed network (`FLAGS`). ``resolve`` rules (lab set-ups such as the demo
shop) map host names to local addresses with ``--host-resolver-rules`` and accept self-signed
certificates; the manifest says so. Importing this module needs no Playwright; running it does.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import os
import platform
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from privprobe.capture.bundle import BundleWriter, Outcome
from privprobe.errors import MissingExtra, PrivprobeError
from privprobe.model import Phase

if TYPE_CHECKING:
    from privprobe.capture.consent import Action, Autoconsent, ConsentSettings
    from privprobe.capture.persona import Persona
    from privprobe.capture.phase import PhaseResult

DEFAULT_EXECUTABLE = "/usr/bin/chromium"
EXECUTABLE_VARIABLE = "PRIVPROBE_CHROMIUM"
"""Environment variable naming another Chromium executable."""
FLAGS = (
    "--no-sandbox",  # privprobe runs as root in containers, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",  # else Chromium calls Google's services, refused on a closed network
    "--disable-component-update",
    "--disable-sync",
)
"""Chromium flags of every capture; Playwright adds its own (the manifest lists the full command line)."""
VIEWPORT = {"width": 1366, "height": 768}
"""The most common desktop screen size: pages lay out as for a desktop user."""
THIRD_PARTY_COOKIES = "allowed, as in a default profile"

Progress = Callable[[str], None]
_PLAN: tuple[tuple[Phase, Action | None], ...] = (
    (Phase.BEFORE_CONSENT, None),
    (Phase.ACCEPTED, "accept"),
    (Phase.REFUSED, "refuse"),
)
_HOST = re.compile(r"(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")


def _default_executable() -> str:
    return os.environ.get(EXECUTABLE_VARIABLE) or DEFAULT_EXECUTABLE


@dataclass(frozen=True, slots=True)
class CaptureOptions:
    """What to capture and how; checked when made (a `PrivprobeError` says which value is wrong)."""

    url: str
    """The page to start from (http or https)."""
    out: Path
    """The bundle folder to write: new, or empty."""
    pages: int = 5
    """Same-site pages visited per phase, the first page included."""
    dwell: float = 3.0
    """Seconds on each page, from its load (or the consent choice) to its saving, the scroll included."""
    persona: Path | None = None
    """A persona file (canaries, login and checkout steps) run in every phase."""
    resolve: tuple[str, ...] = ()
    """``HOST:IP[:PORT]`` rules for lab set-ups; certificate errors are then ignored."""
    executable: str = field(default_factory=_default_executable)
    """Chromium's executable (``$PRIVPROBE_CHROMIUM`` or /usr/bin/chromium)."""
    phase_timeout: float = 120.0
    """Seconds after which a phase's visit is stopped (it is then ``partial``)."""
    headless: bool = True
    """Without a window (the default); a visible window needs a display."""
    load_timeout: float = 30.0
    """Seconds to wait for a page's load event before going on with what has loaded."""
    consent_wait: float = 5.0
    """Seconds for autoconsent to find a banner before the button-text fallback is tried."""
    locale: str = "ko-KR"
    """Browser language (Accept-Language, navigator.language): a Korean user's by default."""
    timezone: str = "Asia/Seoul"
    """The browser's time zone (IANA name)."""

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PrivprobeError(f"{self.url!r}: give an http:// or https:// address to capture")
        if not 1 <= self.pages <= 100:
            raise PrivprobeError(f"pages {self.pages}: visit between 1 and 100 pages per phase")
        if self.dwell < 0 or self.phase_timeout <= 0 or self.load_timeout <= 0 or self.consent_wait < 0:
            raise PrivprobeError(
                "dwell and consent wait must be 0 or more, and time limits more than 0 seconds"
            )
        for rule in self.resolve:
            map_rule(rule)

    def host_resolver_rules(self) -> str | None:
        """Chromium's ``--host-resolver-rules`` value for ``resolve``, or None."""
        return ", ".join(map_rule(rule) for rule in self.resolve) or None


def map_rule(rule: str) -> str:
    """``HOST:IP[:PORT]`` (IPv6 in brackets) as Chromium's ``MAP HOST IP[:PORT]``."""
    host, _, rest = rule.partition(":")
    if rest.startswith("["):
        address, _, tail = rest[1:].partition("]")
        port = tail[1:] if tail.startswith(":") else ("" if not tail else "invalid")
    else:
        address, _, port = rest.partition(":")
    try:
        ip = ipaddress.ip_address(address)
        valid = bool(_HOST.fullmatch(host)) and (not port or 0 < int(port) < 65536)
    except ValueError:
        valid = False
    if not valid:
        raise PrivprobeError(
            f"resolve {rule!r}: expected HOST:IP[:PORT], e.g. www.shop.example:127.0.0.1:8443"
        )
    shown = f"[{ip}]" if ip.version == 6 else str(ip)
    return f"MAP {host} {shown}:{port}" if port else f"MAP {host} {shown}"


@dataclass(frozen=True)
class Setup:
    """Everything a phase needs, prepared once per capture."""

    options: CaptureOptions
    flags: tuple[str, ...]
    version: str | None
    """Chromium's version as ``--version`` prints it (the manifest prefers the browser's own)."""
    autoconsent: Autoconsent | None
    autoconsent_missing: str | None
    persona: Persona | None
    consent: ConsentSettings
    progress: Progress | None = None

    @property
    def user_agent(self) -> str | None:
        """Headless Chromium calls itself "HeadlessChrome", which sites treat as a robot: privprobe
        sends the user agent of the same Chrome version on a Linux desktop instead (the manifest says so)."""
        if not self.options.headless or not self.version:
            return None
        major = self.version.split(".")[0]
        engine = "AppleWebKit/537.36 (KHTML, like Gecko)"
        return f"Mozilla/5.0 (X11; Linux x86_64) {engine} Chrome/{major}.0.0.0 Safari/537.36"

    def launch_options(self) -> dict[str, Any]:
        """Keyword arguments of ``launch_persistent_context`` (but the profile and the HAR path)."""
        return {
            "executable_path": self.options.executable,
            "headless": self.options.headless,
            "args": list(self.flags),
            "record_har_content": "embed",
            "accept_downloads": False,
            "user_agent": self.user_agent,
            "locale": self.options.locale,
            "timezone_id": self.options.timezone,
            "viewport": VIEWPORT,
        }

    def autoconsent_status(self) -> dict[str, Any]:
        """consent.json's ``autoconsent``: version and config, or why it was unavailable."""
        if self.autoconsent is None:
            return {"available": False, "reason": self.autoconsent_missing}
        from privprobe.capture.consent import PACKAGE, autoconsent_config

        return {
            "available": True,
            "package": PACKAGE,
            "version": self.autoconsent.version,
            "config": autoconsent_config(),
        }


def capture_web(options: CaptureOptions, progress: Progress | None = None) -> Path:
    """Capture ``options.url`` in the three consent phases into the bundle ``options.out``; its path.

    Example::

        capture_web(CaptureOptions("https://www.shop.example/", Path("bundle"), pages=3))
    """
    return asyncio.run(capture_web_async(options, progress))


async def capture_web_async(options: CaptureOptions, progress: Progress | None = None) -> Path:
    """`capture_web` for callers that run an event loop already."""
    try:
        from playwright.async_api import async_playwright

        from privprobe.capture.phase import PhasePlan, run_phase
    except ImportError as error:
        raise MissingExtra(
            f"capturing needs Playwright ({error.name} is missing): pip install playwright "
            "(privprobe uses Debian's chromium: never run `playwright install`)"
        ) from None
    # A missing browser or a bad persona file is told before any folder is made.
    setup = _setup(options, progress)
    writer = BundleWriter(options.out)
    started = _now()
    results: list[PhaseResult] = []
    links: tuple[str, ...] | None = None
    # One Playwright driver for the capture: leaving it ends every browser it started, hung or not.
    async with async_playwright() as playwright:
        for phase, action in _PLAN:
            policy = writer.policy_dir() if phase is Phase.BEFORE_CONSENT else None
            plan = PhasePlan(phase, action, links)
            result = await run_phase(playwright, plan, setup, writer.phase_dir(phase), policy)
            if phase is Phase.BEFORE_CONSENT and result.outcome is not Outcome.FAILED and result.links:
                links = result.links
            results.append(result)
    return writer.seal(_manifest(setup, results, started, _now()))


def _setup(options: CaptureOptions, progress: Progress | None) -> Setup:
    from privprobe.capture.consent import ConsentSettings, load_autoconsent
    from privprobe.capture.persona import load_persona

    executable = Path(options.executable)
    if not executable.is_file() or not os.access(executable, os.X_OK):
        raise PrivprobeError(
            f"{executable}: no Chromium there; install Debian's chromium (scripts/setup.sh) "
            f"or set {EXECUTABLE_VARIABLE}"
        )
    flags: tuple[str, ...] = FLAGS
    if rules := options.host_resolver_rules():
        flags += (f"--host-resolver-rules={rules}", "--ignore-certificate-errors")
    try:
        autoconsent, missing = load_autoconsent(), None
    except MissingExtra as error:
        autoconsent, missing = None, str(error)
    persona = load_persona(options.persona) if options.persona else None
    settings = ConsentSettings(wait=options.consent_wait)
    return Setup(options, flags, _version(executable), autoconsent, missing, persona, settings, progress)


def _version(executable: Path) -> str | None:
    """The version ``chromium --version`` prints (``Chromium 156.0.8078.108 built on Debian ...``)."""
    try:
        done = subprocess.run(
            [str(executable), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"\b(\d+\.\d+\.\d+\.\d+)\b", done.stdout)
    return found[1] if found else None


def _manifest(setup: Setup, results: list[PhaseResult], started: str, ended: str) -> dict[str, Any]:
    from privprobe.enrich.destinations import data_versions
    from privprobe.reference import load_organisations

    return {
        "browser": _browser(setup, results),
        "os": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "python": platform.python_version(),
            "playwright": _package_version("playwright"),
        },
        "reference_data": data_versions(load_organisations()),
        "target": _target(setup),
        "started": started,
        "ended": ended,
        "phases": [result.manifest_entry() for result in results],
    }


def _browser(setup: Setup, results: list[PhaseResult]) -> dict[str, Any]:
    from privprobe.capture.consent import PACKAGE
    from privprobe.capture.phase import PREFERENCES

    options = setup.options
    lab = bool(options.resolve)
    return {
        "name": "chromium",
        "executable": options.executable,
        "version": next((r.browser_version for r in results if r.browser_version), setup.version),
        "flags": list(setup.flags),
        "command_line": next((r.command_line for r in results if r.command_line), None),
        "headless": options.headless,
        "user_agent": setup.user_agent or "Chromium's own",
        "locale": options.locale,
        "timezone": options.timezone,
        "viewport": VIEWPORT,
        "third_party_cookies": THIRD_PARTY_COOKIES,
        "profile_preferences": PREFERENCES,
        "profile": "a new temporary profile per phase, deleted afterwards",
        "certificate_errors": "ignored (--ignore-certificate-errors: a lab set-up with resolve rules)"
        if lab
        else "enforced",
        "http_cache": "on, as in a default profile (no request interception)",
        "file_urls": "never opened: privprobe navigates to http(s) addresses only, and Chromium refuses "
        "file: to web pages and redirects",
        "storage_partitioning": "off: Playwright starts Chromium with ThirdPartyStoragePartitioning disabled",
        "consent_rules": f"{PACKAGE} {setup.autoconsent.version}"
        if setup.autoconsent
        else f"unavailable: {setup.autoconsent_missing}",
    }


def _target(setup: Setup) -> dict[str, Any]:
    options = setup.options
    persona = options.persona
    return {
        "url": options.url,
        "pages": options.pages,
        "dwell_seconds": options.dwell,
        "resolve": list(options.resolve),
        "persona": persona.name if persona else None,
        "persona_sha256": hashlib.sha256(persona.read_bytes()).hexdigest() if persona else None,
        "phase_timeout_seconds": options.phase_timeout,
        "load_timeout_seconds": options.load_timeout,
    }


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
