"""The test persona: its canaries, and the steps that log it in and check out, run in every phase.

A persona file is JSON (``capture/demo/persona.json`` is the demo's)::

    {"canaries": [{"name": "persona-email", "type": "contact.email", "value": "minji.kim@example.com"}],
     "steps": [{"goto": "/login"},
               {"fill": "input[name=email]", "canary": "persona-email"},
               {"click": "#login-submit"},
               {"wait": "load"}]}

A step has exactly one of ``goto`` (a path on the target site or an absolute http(s) URL), ``fill``
(a CSS selector, with exactly one of ``canary``, a canary's name, or ``value``, a literal), ``click``
(a CSS selector) and ``wait`` (``"load"``, ``"networkidle"`` or milliseconds). Typing the canaries
into the site is what lets privprobe later find them in the traffic. Every step is bounded in time;
a failed step is recorded and the next one is tried, as a person would carry on.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from privprobe.errors import InputError

StepKind = Literal["goto", "fill", "click", "wait"]
_KINDS: tuple[StepKind, ...] = ("goto", "fill", "click", "wait")
MAX_STEPS = 200
"""A longer script is refused: a capture phase has a time limit anyway."""


@dataclass(frozen=True, slots=True)
class Step:
    """One action of the persona script."""

    kind: StepKind
    target: str
    """The URL or path (goto), CSS selector (fill, click) or load state or milliseconds (wait)."""
    canary: str | None = None
    """For fill: the canary whose value is typed."""
    value: str | None = None
    """For fill: the literal typed."""

    def describe(self) -> str:
        """The step as the record shows it (never a canary's value)."""
        filled = f" with canary {self.canary}" if self.canary else " with a literal" if self.value else ""
        return f"{self.kind} {self.target}{filled}"


@dataclass(frozen=True, slots=True)
class Persona:
    """A persona file, checked."""

    name: str
    """The file's name, as the manifest records it."""
    canaries: dict[str, str]
    """Canary name → value."""
    steps: tuple[Step, ...]


def load_persona(path: Path) -> Persona:
    """Read and check a persona file; `InputError` naming the file and the faulty step otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(path, f"not a readable JSON persona file: {error}") from None
    if not isinstance(data, dict):
        raise InputError(path, 'a persona file is a JSON object with "canaries" and "steps"')
    canaries = _canaries(path, data.get("canaries", []))
    raw_steps = data.get("steps", [])
    if not isinstance(raw_steps, list) or len(raw_steps) > MAX_STEPS:
        raise InputError(path, f'"steps" must be a list of at most {MAX_STEPS} steps')
    steps = tuple(_step(path, index, raw, canaries) for index, raw in enumerate(raw_steps))
    return Persona(path.name, canaries, steps)


def _canaries(path: Path, raw: object) -> dict[str, str]:
    if not isinstance(raw, list):
        raise InputError(path, '"canaries" must be a list of {"name", "type", "value"}')
    found: dict[str, str] = {}
    for index, item in enumerate(raw):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("name"), str)
            or not isinstance(item.get("value"), str)
        ):
            raise InputError(path, f"canaries[{index}] needs a string name and value")
        found[item["name"]] = item["value"]
    return found


def _step(path: Path, index: int, raw: object, canaries: dict[str, str]) -> Step:
    where = f"steps[{index}]"
    kinds = [kind for kind in _KINDS if isinstance(raw, dict) and kind in raw]
    if not isinstance(raw, dict) or len(kinds) != 1:
        raise InputError(path, f"{where} needs exactly one of {', '.join(_KINDS)}")
    kind = kinds[0]
    target = raw[kind]
    if kind == "wait" and not (
        target in ("load", "networkidle") or (isinstance(target, int) and 0 <= target <= 60_000)
    ):
        raise InputError(path, f'{where}: wait is "load", "networkidle" or 0 to 60000 milliseconds')
    if kind != "wait" and (not isinstance(target, str) or not target):
        raise InputError(path, f"{where}: {kind} needs a non-empty string")
    if kind == "goto" and urlsplit(str(target)).scheme not in ("", "http", "https"):
        raise InputError(path, f"{where}: goto takes a path or an http(s) URL, not {target!r}")
    canary, value = raw.get("canary"), raw.get("value")
    if kind == "fill":
        if (canary is None) == (value is None):
            raise InputError(path, f'{where}: fill needs exactly one of "canary" and "value"')
        if canary is not None and canary not in canaries:
            raise InputError(path, f"{where}: no canary named {canary!r}")
        if value is not None and not isinstance(value, str):
            raise InputError(path, f"{where}: value must be a string")
    return Step(kind, str(target), canary, value)


async def run_persona(page: Page, persona: Persona, base_url: str, timeout: float) -> list[dict[str, Any]]:
    """Run every step on ``page``; one record per step: what, whether it worked, and why not."""
    done: list[dict[str, Any]] = []
    for index, step in enumerate(persona.steps):
        entry: dict[str, Any] = {"step": index, "action": step.describe()}
        try:
            await asyncio.wait_for(_run(page, step, persona, base_url, timeout), timeout + 5.0)
            entry["ok"] = True
        except (PlaywrightError, TimeoutError) as fault:
            entry |= {"ok": False, "error": (str(fault).splitlines() or ["time-out"])[0][:300]}
        entry["url"] = page.url
        done.append(entry)
    return done


async def _run(page: Page, step: Step, persona: Persona, base_url: str, timeout: float) -> None:
    milliseconds = timeout * 1000
    if step.kind == "goto":
        url = urljoin(base_url, step.target)
        await page.goto(url, wait_until="load", timeout=milliseconds)
    elif step.kind == "fill":
        text = persona.canaries[step.canary] if step.canary else step.value or ""
        await page.fill(step.target, text, timeout=milliseconds)
    elif step.kind == "click":
        await page.click(step.target, timeout=milliseconds)
    elif step.target in ("load", "networkidle"):
        await page.wait_for_load_state(
            "load" if step.target == "load" else "networkidle", timeout=milliseconds
        )
    else:
        await asyncio.sleep(int(step.target) / 1000)
