"""The evidence bundle on disk (docs/bundle.md): written and sealed by a capture, verified before use.

A bundle is a folder of evidence files and a ``manifest.json`` listing every one with its SHA-256 and
size, itself sealed by ``manifest.sha256``. Three parts live here:

- `BundleWriter`: a capture fills the phase folders, then `BundleWriter.seal` hashes every file
  (streaming), writes the manifest and its hash, and makes every file read-only.
- `verify`: recomputes every hash and returns each `Problem` (a changed, missing or extra file, or a
  bad manifest) as one line. Bundles arrive from elsewhere and may be hostile: listed paths must stay
  inside the bundle, symbolic links are refused, JSON keys must be unique and the manifest is at most
  `MAX_MANIFEST_BYTES`.
- `check_manifest`: a manifest's format, required keys and file list, for the importer
  (`privprobe.ingest.bundle` reads the rest into a typed `Manifest`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PureWindowsPath
from typing import Any, Literal

from privprobe import __version__
from privprobe.errors import InputError, PrivprobeError
from privprobe.model import Phase

FORMAT = "privprobe-bundle"
"""The manifest's ``format``."""
FORMAT_VERSION = 1
"""The manifest's ``format_version`` this privprobe writes and reads."""
MANIFEST = "manifest.json"
MANIFEST_HASH = "manifest.sha256"
TRAFFIC = "traffic.har"
"""The HAR of a phase, in ``phases/<phase>/``."""
PHASES = (Phase.BEFORE_CONSENT, Phase.ACCEPTED, Phase.REFUSED)
"""The phases a bundle may hold, in capture order."""
MAX_MANIFEST_BYTES = 50 * 1024 * 1024
"""A larger manifest is refused unread: it would be parsed in memory whole."""
REQUIRED = ("format", "format_version", "tool", "target", "started", "ended", "phases", "files")
"""Keys every manifest has."""
CHUNK = 1024 * 1024

_OWNED = ("format", "format_version", "tool", "files")  # written by `BundleWriter.seal`, not its caller
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SEAL_LINE = re.compile(rf"([0-9a-f]{{64}})  {re.escape(MANIFEST)}\n?")
_MAX_PATH = 1024

ProblemKind = Literal["changed", "missing", "extra", "manifest"]


class Outcome(StrEnum):
    """How a phase of a capture ended."""

    COMPLETED = "completed"
    PARTIAL = "partial"
    """Stopped by a fault (the phase's ``reason`` says which); what was recorded before it is kept."""
    NO_BANNER = "no_banner"
    """The consent action could not be performed: the phase did not happen as named."""
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a bundle does not verify."""

    kind: ProblemKind
    """``changed``, ``missing``, ``extra`` (a file), or ``manifest`` (the manifest or its seal)."""
    path: str
    """The file concerned, relative to the bundle, as found (hostile names are escaped by `str`)."""
    detail: str = ""
    """What differs, e.g. ``sha256 ab12… ≠ manifest 34cd…``."""

    def __str__(self) -> str:
        text = f"{self.kind}: {_printable(self.path)}"
        return f"{text} ({_printable(self.detail)})" if self.detail else text


@dataclass(frozen=True, slots=True)
class ListedFile:
    """A file as the manifest lists it."""

    path: str
    """Relative to the bundle, with ``/``."""
    sha256: str
    """Hex SHA-256 of its bytes."""
    size: int
    """Size in bytes."""


class BundleWriter:
    """Writes one bundle: create it on a new or empty folder, fill the phase folders, then `seal`."""

    def __init__(self, folder: Path) -> None:
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise PrivprobeError(
                f"{folder}: exists and is not an empty folder; give a new folder for the bundle"
            )
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._sealed = False

    def phase_dir(self, phase: Phase) -> Path:
        """``phases/<phase>/``, created."""
        if phase not in PHASES:
            raise ValueError(f"a bundle has no phase {phase.value!r}")
        return self._dir("phases", phase.value)

    def policy_dir(self) -> Path:
        """``policy/``, created."""
        return self._dir("policy")

    def seal(self, manifest: dict[str, Any]) -> Path:
        """Write manifest.json (``manifest`` plus format, tool and every file's hash) and its seal.

        Every file of the bundle is made read-only. Returns the bundle folder.
        """
        self._check_open()
        if owned := sorted(set(_OWNED) & manifest.keys()):
            raise ValueError(f"the manifest's {', '.join(owned)} are written by seal, not given to it")
        files = [_hashed(relative, path) for relative, path in _tree(self.folder)]
        sealed = {
            **manifest,
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "tool": {"name": "privprobe", "version": __version__},
            "files": files,
        }
        check_manifest(sealed, self.folder / MANIFEST)
        text = json.dumps(sealed, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
        # A lone surrogate (a broken page title) cannot be UTF-8: written as the JSON escape "\udcff".
        data = text.encode("utf-8", "backslashreplace")
        (self.folder / MANIFEST).write_bytes(data)
        (self.folder / MANIFEST_HASH).write_text(f"{hashlib.sha256(data).hexdigest()}  {MANIFEST}\n")
        self._sealed = True
        for path in [
            self.folder / MANIFEST,
            self.folder / MANIFEST_HASH,
            *(p for _, p in _tree(self.folder)),
        ]:
            path.chmod(0o444)
        return self.folder

    def _dir(self, *parts: str) -> Path:
        self._check_open()
        path = self.folder.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _check_open(self) -> None:
        if self._sealed or (self.folder / MANIFEST).exists():
            raise PrivprobeError(f"{self.folder}: the bundle is sealed already; evidence is never modified")


def verify(folder: Path) -> list[Problem]:
    """Every changed, missing and extra file of the bundle at ``folder``, and every manifest problem."""
    if not folder.is_dir():
        raise InputError(folder, "not a folder; a bundle is the folder that privprobe capture web writes")
    root = folder.resolve()
    problems = _check_seal(root)
    try:
        data = _header(_load(root / MANIFEST))
    except _Fault as fault:
        return [*problems, Problem("manifest", MANIFEST, str(fault))]
    listed = _check_files(root, data["files"], problems)
    # A link to a folder that listed paths go through is a manifest problem already, not an extra file.
    folders = {name.rsplit("/", depth)[0] for name in listed for depth in range(1, name.count("/") + 1)}
    problems.extend(
        Problem("extra", relative, "not in the manifest" + (", a symbolic link" if path.is_symlink() else ""))
        for relative, path in _tree(root)
        if relative not in listed and relative not in folders
    )
    return problems


def manifest_data(folder: Path) -> object:
    """manifest.json's JSON, read within the bounds; `InputError` naming it when it cannot be read."""
    try:
        return _load(folder / MANIFEST)
    except _Fault as fault:
        raise InputError(folder / MANIFEST, str(fault)) from None


def check_manifest(data: object, path: Path) -> tuple[dict[str, Any], tuple[ListedFile, ...]]:
    """``data`` as a manifest of this format with its required keys, and its files with safe paths.

    `InputError` naming ``path`` (manifest.json) at the first fault. The files' hashes are not
    checked here: `verify` does that.
    """
    try:
        manifest = _header(data)
        return manifest, _files(manifest["files"])
    except _Fault as fault:
        raise InputError(path, str(fault)) from None


class _Fault(Exception):
    """A manifest is not what it should be; the message says where."""


def _check_seal(root: Path) -> list[Problem]:
    """manifest.sha256 against manifest.json's hash."""
    seal, manifest = root / MANIFEST_HASH, root / MANIFEST
    if not seal.is_file() or seal.is_symlink():
        return [Problem("manifest", MANIFEST_HASH, "missing: the manifest is not sealed")]
    with seal.open("rb") as handle:
        line = handle.read(200).decode("ascii", "replace")
    if not (match := _SEAL_LINE.fullmatch(line)):
        return [Problem("manifest", MANIFEST_HASH, f'not "<sha256>  {MANIFEST}": {line[:80]!r}')]
    if not manifest.is_file() or manifest.is_symlink() or manifest.stat().st_size > MAX_MANIFEST_BYTES:
        return []  # _load says what is wrong with it
    found, _ = _digest(manifest)
    if found != match[1]:
        return [Problem("manifest", MANIFEST, f"sha256 {_short(found)} ≠ {MANIFEST_HASH} {_short(match[1])}")]
    return []


def _check_files(root: Path, raw: object, problems: list[Problem]) -> set[str]:
    """Compare each listed file with the bundle, adding to ``problems``; returns the listed paths."""
    if not isinstance(raw, list):
        problems.append(Problem("manifest", MANIFEST, '"files" is not a list'))
        return set()
    listed: set[str] = set()
    for index, item in enumerate(raw):
        try:
            entry = _listed(item, index, listed)
            listed.add(entry.path)
            path = _inside(root, entry.path, index)
        except _Fault as fault:
            problems.append(Problem("manifest", MANIFEST, str(fault)))
            continue
        if problem := _compare(path, entry):
            problems.append(problem)
    return listed


def _compare(path: Path, entry: ListedFile) -> Problem | None:
    """How the file at ``path`` differs from its manifest entry, if it does."""
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return Problem("missing", entry.path, "listed in the manifest")
    except OSError as error:
        return Problem("changed", entry.path, f"cannot be read: {error.strerror or error}")
    if not stat.S_ISREG(info.st_mode):
        return Problem("changed", entry.path, "not a regular file")
    if info.st_size != entry.size:
        return Problem("changed", entry.path, f"size {info.st_size} ≠ manifest {entry.size}")
    try:
        found, _ = _digest(path)
    except OSError as error:
        return Problem("changed", entry.path, f"cannot be read: {error.strerror or error}")
    if found != entry.sha256:
        return Problem("changed", entry.path, f"sha256 {_short(found)} ≠ manifest {_short(entry.sha256)}")
    return None


def _inside(root: Path, relative: str, index: int) -> Path:
    """The listed file's path, when no step of it is a symbolic link (which may lead anywhere)."""
    path = root
    for part in relative.split("/"):
        path = path / part
        if path.is_symlink():
            outside = not Path(os.path.realpath(path)).is_relative_to(root)
            where = "a symbolic link leading outside the bundle" if outside else "a symbolic link"
            step = path.relative_to(root).as_posix()
            raise _Fault(
                f"files[{index}].path {_quoted(relative)}: {step} is {where}; a bundle holds files only"
            )
    return path


def _load(path: Path) -> object:
    """The manifest's JSON: a regular file within `MAX_MANIFEST_BYTES`, with unique keys."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            raise _Fault("not a regular file")
        if info.st_size > MAX_MANIFEST_BYTES:
            raise _Fault(f"{info.st_size} bytes, more than a manifest may have ({MAX_MANIFEST_BYTES})")
        with path.open("rb") as handle:
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
    except FileNotFoundError:
        raise _Fault("missing, so this folder is not a privprobe bundle") from None
    except OSError as error:
        raise _Fault(f"cannot be read: {error.strerror or error}") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise _Fault(f"more than a manifest may have ({MAX_MANIFEST_BYTES} bytes)")
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as error:  # RecursionError: hostile nesting
        raise _Fault(f"not valid JSON: {str(error)[:200]}") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Parsers disagree on which of two equal keys wins: a manifest with both is ambiguous, so refused.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {_quoted(key)} appears twice in one object")
        result[key] = value
    return result


def _header(data: object) -> dict[str, Any]:
    """``data`` when it is a manifest of this format and version with every required key."""
    if not isinstance(data, dict):
        raise _Fault("not a JSON object, so not a bundle manifest")
    if data.get("format") != FORMAT:
        raise _Fault(f'"format" is {_quoted(data.get("format"))}, not "{FORMAT}": not a privprobe bundle')
    version = data.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise _Fault(f"format_version {_quoted(version)} is not one this privprobe reads ({FORMAT_VERSION})")
    if missing := [key for key in REQUIRED if key not in data]:
        raise _Fault(f"required keys missing: {', '.join(missing)}")
    return data


def _files(raw: object) -> tuple[ListedFile, ...]:
    if not isinstance(raw, list):
        raise _Fault('"files" is not a list')
    listed: set[str] = set()
    entries = []
    for index, item in enumerate(raw):
        entries.append(_listed(item, index, listed))
        listed.add(entries[-1].path)
    return tuple(entries)


def _listed(item: object, index: int, listed: set[str]) -> ListedFile:
    """One ``files`` entry, its path a plain relative path not listed before."""
    entry = _object(item, f"files[{index}]")
    path, sha256, size = entry.get("path"), entry.get("sha256"), entry.get("size")
    if not isinstance(path, str) or not path:
        raise _Fault(f"files[{index}] has no path")
    if fault := _path_fault(path):
        raise _Fault(f"files[{index}].path {_quoted(path)}: {fault}")
    if path in listed:
        raise _Fault(f"files[{index}].path {_quoted(path)} is listed twice")
    if not isinstance(sha256, str) or not _HEX64.fullmatch(sha256):
        raise _Fault(f"files[{index}].sha256 is not 64 lower-case hex digits")
    if type(size) is not int or size < 0:
        raise _Fault(f"files[{index}].size is not a byte count")
    return ListedFile(path, sha256, size)


def _path_fault(path: str) -> str | None:
    """Why ``path`` is not a relative path inside the bundle, or None."""
    if len(path) > _MAX_PATH or not path.isprintable() or "\\" in path:
        return "not a plain path (too long, control characters or backslashes)"
    if path.startswith("/") or PureWindowsPath(path).anchor:
        return "absolute; paths in a bundle are relative to it"
    parts = path.split("/")
    if ".." in parts:
        return "'..' would lead outside the bundle"
    if "" in parts or "." in parts:
        return "empty or '.' steps; paths are written plainly"
    if path in (MANIFEST, MANIFEST_HASH):
        return "the manifest does not list itself"
    return None


def _object(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Fault(f'"{where}" is not an object')
    return raw


def _tree(root: Path) -> list[tuple[str, Path]]:
    """Every entry under ``root`` but folders and the root's manifest files, as (relative path, path).

    Links to folders are entries, not followed. Sorted by relative path.
    """
    found: list[tuple[str, Path]] = []
    for top, folders, names in os.walk(root, onerror=_raise):
        base = Path(top)
        links = [name for name in folders if (base / name).is_symlink()]
        folders[:] = [name for name in folders if name not in links]
        for name in [*names, *links]:
            relative = (base / name).relative_to(root).as_posix()
            if relative not in (MANIFEST, MANIFEST_HASH):
                found.append((relative, base / name))
    return sorted(found)


def _raise(error: OSError) -> None:
    raise InputError(error.filename or "bundle", f"cannot be listed: {error.strerror or error}")


def _hashed(relative: str, path: Path) -> dict[str, Any]:
    """The manifest entry of a file being sealed; links and special files are refused."""
    if path.is_symlink() or not path.is_file():
        raise PrivprobeError(f"{path}: not a regular file; a bundle holds regular files only")
    sha256, size = _digest(path)
    return {"path": relative, "sha256": sha256, "size": size}


def _digest(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks; links are not followed."""
    digest, size = hashlib.sha256(), 0
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as data:
        while chunk := data.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _short(sha256: str) -> str:
    return f"{sha256[:12]}…"


def _quoted(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _printable(text: str) -> str:
    """``text`` on one line: control, format and separator characters escaped, length bounded."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:500])
    return shown if len(text) <= 500 else f"{shown}…"
