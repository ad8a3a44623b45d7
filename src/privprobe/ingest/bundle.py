"""An evidence bundle (docs/bundle.md) read for import: its manifest, typed, and its consent phases.

`privprobe import` takes a bundle folder as well as a single file; `is_bundle` tells which. A bundle
is imported only after `privprobe.capture.bundle.verify` has found no problem: the functions here
trust the files of a verified bundle (``read_manifest`` still refuses paths leading outside it).

`bundle_phases` gives one `BundlePhase` per phase the manifest records, with the phase's HAR (read by
`privprobe.ingest.har.HarReader`) and every file of its folder, which the importer seals in the
evidence store with manifest.json. A phase whose outcome is ``no_banner`` or ``failed`` did not
happen as named: it is returned with its outcome and reason, so the importer can say why, but it is
not `BundlePhase.importable`; it is never imported as another phase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from privprobe.capture.bundle import (
    FORMAT,
    MANIFEST,
    PHASES,
    TRAFFIC,
    ListedFile,
    Outcome,
    check_manifest,
    manifest_data,
)
from privprobe.errors import InputError
from privprobe.model import Phase

IMPORTED = (Outcome.COMPLETED, Outcome.PARTIAL)
"""Outcomes of a phase that happened as named, so is imported (a partial one as a partial capture)."""

_FORMATS = {".har": "har", ".json": "json", ".png": "png", ".html": "html", ".txt": "text"}

Choice = TypeVar("Choice", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Tool:
    """The program that wrote the bundle."""

    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Browser:
    """The browser that made the capture."""

    name: str
    """As the capture names it (``chromium``)."""
    version: str | None = None
    """Its version, as the browser reports it."""
    executable: str | None = None
    """The program run."""
    flags: tuple[str, ...] = ()
    """Its command-line flags."""

    def __str__(self) -> str:
        return f"{self.name} {self.version}" if self.version else self.name


@dataclass(frozen=True, slots=True)
class PhaseRecord:
    """One consent phase as the manifest records it."""

    phase: Phase
    outcome: Outcome
    reason: str | None
    """Why the phase is partial, failed or had no banner; None when it completed."""
    consent: dict[str, Any] = field(default_factory=dict)
    """The consent action: CMP detected, action tried, whether it worked."""
    started: datetime | None = None
    """UTC, when recorded."""
    ended: datetime | None = None
    """UTC, when recorded."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """The parts of manifest.json that import needs, checked and typed."""

    tool: Tool
    target_url: str
    """The page the capture started from."""
    started: datetime
    """UTC start of the whole capture."""
    ended: datetime
    """UTC end of the whole capture."""
    phases: tuple[PhaseRecord, ...]
    """In capture order."""
    files: tuple[ListedFile, ...]
    """Every file of the bundle but the manifest and its seal."""
    browser: Browser | None = None

    @property
    def device(self) -> str | None:
        """The browser as a capture's device (``chromium 156.0.8078.108``), when recorded."""
        return str(self.browser) if self.browser else None


@dataclass(frozen=True, slots=True)
class BundlePhase:
    """One consent phase of a bundle, with what the importer needs to make it a capture."""

    phase: Phase
    outcome: Outcome
    reason: str | None
    """Why the phase is partial, failed or had no banner (from the manifest)."""
    har: Path | None
    """``phases/<phase>/traffic.har``, when the bundle has it."""
    files: tuple[Path, ...]
    """Every file of the phase's folder (HAR, cookies, storage, consent, screenshots, pages)."""
    consent: dict[str, Any]
    """The consent action as the manifest records it."""
    label: str
    """The capture's label: ``"<bundle name> <phase>"``."""
    device: str | None = None
    """The browser that made it (``chromium 156.0.8078.108``)."""

    @property
    def importable(self) -> bool:
        """True when the phase happened as named (completed, or partial)."""
        return self.outcome in IMPORTED

    @property
    def partial_reason(self) -> str | None:
        """Why the capture made of this phase is partial by the bundle alone; None when it is whole."""
        if self.outcome is Outcome.PARTIAL:
            return f"the capture of this phase stopped early: {self.reason or 'no reason recorded'}"
        if self.har is None:
            return f"the bundle has no {TRAFFIC} for this phase"
        return None


def is_bundle(path: Path) -> bool:
    """True when ``path`` is a folder with a manifest.json whose ``format`` is a privprobe bundle's."""
    if not path.is_dir():
        return False
    try:
        data = manifest_data(path)
    except InputError:
        return False
    return isinstance(data, dict) and data.get("format") == FORMAT


def read_manifest(folder: Path) -> Manifest:
    """The bundle's manifest, checked and typed; `InputError` naming manifest.json when it is malformed.

    The files' hashes are not checked here: `privprobe.capture.bundle.verify` does that.
    """
    path = folder / MANIFEST
    data, files = check_manifest(manifest_data(folder), path)
    try:
        return _manifest(data, files)
    except _Malformed as fault:
        raise InputError(path, str(fault)) from None


def bundle_phases(folder: Path) -> list[BundlePhase]:
    """Every phase the bundle at ``folder`` records, in capture order, importable or not."""
    manifest = read_manifest(folder)
    name = folder.resolve().name
    phases = []
    for record in manifest.phases:
        prefix = f"phases/{record.phase.value}/"
        paths = [entry.path for entry in manifest.files if entry.path.startswith(prefix)]
        phases.append(
            BundlePhase(
                phase=record.phase,
                outcome=record.outcome,
                reason=record.reason,
                har=folder / (prefix + TRAFFIC) if prefix + TRAFFIC in paths else None,
                files=tuple(folder / path for path in paths),
                consent=record.consent,
                label=f"{name} {record.phase.value}",
                device=manifest.device,
            )
        )
    return phases


def evidence_format(path: Path) -> str:
    """The format recorded for a bundle file in the evidence store (``har``, ``png``, ...)."""
    if path.name == MANIFEST:
        return FORMAT
    return _FORMATS.get(path.suffix.lower(), "data")


class _Malformed(Exception):
    """A manifest value is not what it should be; the message says which."""


def _manifest(data: dict[str, Any], files: tuple[ListedFile, ...]) -> Manifest:
    tool, target = _object(data["tool"], "tool"), _object(data["target"], "target")
    started, ended = _time(data["started"], "started"), _time(data["ended"], "ended")
    if started is None or ended is None:
        raise _Malformed('"started" and "ended" are required')
    return Manifest(
        tool=Tool(_text(tool.get("name"), "tool.name"), _text(tool.get("version"), "tool.version")),
        target_url=_text(target.get("url"), "target.url"),
        started=started,
        ended=ended,
        phases=_phases(data["phases"]),
        files=files,
        browser=_browser(data.get("browser")),
    )


def _phases(raw: object) -> tuple[PhaseRecord, ...]:
    if not isinstance(raw, list):
        raise _Malformed('"phases" is not a list')
    records: list[PhaseRecord] = []
    for index, item in enumerate(raw):
        where = f"phases[{index}]"
        entry = _object(item, where)
        phase = _choice(entry.get("phase"), PHASES, f"{where}.phase")
        if any(record.phase is phase for record in records):
            raise _Malformed(f'"{where}.phase": {phase.value} is recorded twice')
        reason = entry.get("reason")
        records.append(
            PhaseRecord(
                phase=phase,
                outcome=_choice(entry.get("outcome"), tuple(Outcome), f"{where}.outcome"),
                reason=None if reason is None else _text(reason, f"{where}.reason"),
                consent=_object(entry.get("consent", {}), f"{where}.consent"),
                started=_time(entry.get("started"), f"{where}.started"),
                ended=_time(entry.get("ended"), f"{where}.ended"),
            )
        )
    return tuple(records)


def _browser(raw: object) -> Browser | None:
    if raw is None:
        return None
    browser = _object(raw, "browser")
    version, executable, flags = browser.get("version"), browser.get("executable"), browser.get("flags", [])
    if not isinstance(flags, list) or not all(isinstance(flag, str) for flag in flags):
        raise _Malformed('"browser.flags" is not a list of strings')
    return Browser(
        name=_text(browser.get("name"), "browser.name"),
        version=None if version is None else _text(version, "browser.version"),
        executable=None if executable is None else _text(executable, "browser.executable"),
        flags=tuple(flags),
    )


def _object(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Malformed(f'"{where}" is not an object')
    return raw


def _text(raw: object, where: str) -> str:
    if not isinstance(raw, str) or not raw:
        raise _Malformed(f'"{where}" is not a non-empty string')
    return raw


def _choice(raw: object, allowed: tuple[Choice, ...], where: str) -> Choice:
    for choice in allowed:
        if isinstance(raw, str) and raw == choice.value:
            return choice
    raise _Malformed(f'"{where}" is {_quoted(raw)}, not one of {", ".join(c.value for c in allowed)}')


def _time(raw: object, where: str) -> datetime | None:
    """An ISO 8601 time with its UTC offset, in UTC; None for null or absent."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _Malformed(f'"{where}" is {_quoted(raw)}, not an ISO 8601 time with its UTC offset')
    return moment.astimezone(UTC)


def _quoted(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 80 else f"{text[:77]}..."
