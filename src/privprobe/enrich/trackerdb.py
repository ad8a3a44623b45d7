"""Import the Ghostery TrackerDB that the user installed, to attribute hosts our own table lacks.

The Ghostery Tracker Database is licensed CC BY-NC-SA 4.0 (non-commercial). privprobe never bundles
or commits it: the user installs it and points privprobe at it::

    npm install @ghostery/trackerdb
    # then: node_modules/@ghostery/trackerdb  (or its dist/trackerdb.json)

``dist/trackerdb.json`` (written by the package's ``scripts/export-json``) holds ``categories``,
``organizations`` (name, country, website, ...), ``patterns`` (name, category, organization,
domains, filters) and ``domains`` (domain → pattern). `load_trackerdb` turns each organization and
the domains of its patterns into an `Organisation` with id ``ghostery:<key>``; `extend` adds them
to an `OrganisationTable`, where the project's own rows always win.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from privprobe.errors import InputError
from privprobe.facts import Organisation
from privprobe.reference import ISO_COUNTRIES, OrganisationTable, ascii_host

PACKAGE = "@ghostery/trackerdb"
MAX_BYTES = 256 * 1024 * 1024
"""Largest TrackerDB file read (the real one is a few megabytes)."""

# Ghostery's category keys (db/categories/*.eno) → ours. Unknown keys map to "other".
CATEGORY_MAP: Mapping[str, str] = {
    "advertising": "advertising",
    "pornvertising": "advertising",
    "site_analytics": "analytics",
    "telemetry": "analytics",
    "consent": "consent",
    "customer_interaction": "customer-support",
    "audio_video_player": "video",
    "cdn": "cdn",
    "hosting": "cloud",
    "social_media": "social",
    "email": "messaging",
    "comments": "social",
    "essential": "other",
    "misc": "other",
    "utilities": "other",
    "utility": "other",
    "extensions": "other",
    "unidentified": "other",
}


def load_trackerdb(path: Path) -> list[Organisation]:
    """Organisations of the TrackerDB at ``path`` (its package folder, ``dist/`` or the JSON file)."""
    file = locate_trackerdb(Path(path))
    data = _read(file)
    source = f"Ghostery TrackerDB {_version(file)} (CC BY-NC-SA 4.0), imported by the user"
    organizations = data["organizations"]
    domains: dict[str, list[str]] = {}
    categories: dict[str, Counter[str]] = {}
    for pattern in data["patterns"].values():
        owner = pattern.get("organization") if isinstance(pattern, dict) else None
        if not isinstance(owner, str) or owner not in organizations:
            continue  # a pattern without a known organization names no company
        key = owner
        domains.setdefault(key, []).extend(_clean_domains(pattern.get("domains")))
        category = CATEGORY_MAP.get(str(pattern.get("category", "")), "other")
        categories.setdefault(key, Counter())[category] += 1
    imported = []
    for key, organization in organizations.items():
        if key not in domains or not isinstance(organization, dict):
            continue
        imported.append(
            Organisation(
                id=f"ghostery:{key}",
                name=str(organization.get("name") or key),
                country=_country(organization.get("country")),
                category=_most_common(categories[key]),
                domains=tuple(dict.fromkeys(domains[key])),
                source=source,
            )
        )
    return imported


def extend(table: OrganisationTable, imported: Iterable[Organisation]) -> OrganisationTable:
    """``table`` plus the ``imported`` organisations, the table's own rows winning every conflict.

    An imported domain is dropped when the table already claims it or a suffix of it (our
    ``alicdn.com`` keeps ``g.alicdn.com``), or when an earlier imported row claimed it; an imported
    organisation left without domains, or whose id the table has, is dropped.
    """
    own = table.suffixes()
    claimed: set[str] = set()
    added: list[Organisation] = []
    for organisation in imported:
        if organisation.id in table:
            continue
        kept = [d for d in organisation.domains if not _covered(d, own) and d not in claimed]
        if kept:
            claimed.update(kept)
            added.append(replace(organisation, domains=tuple(kept)))
    sources = "; ".join(sorted({organisation.source for organisation in added}))
    version = f"{table.version} + {sources}: {len(added)} rows" if added else table.version
    notes = {row.id: table.note(row) for row in table if table.note(row)}
    return OrganisationTable([*table, *added], version, notes)


def locate_trackerdb(path: Path) -> Path:
    """The TrackerDB JSON file at ``path``: the file itself, or found inside the npm package folder."""
    candidates = [path]
    if path.is_dir():
        candidates = [
            path / "dist" / "trackerdb.json",
            path / "trackerdb.json",
            path / "node_modules" / "@ghostery" / "trackerdb" / "dist" / "trackerdb.json",
        ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InputError(
        path,
        f"no TrackerDB here: expected dist/trackerdb.json of the npm package {PACKAGE} "
        f"(install it with: npm install {PACKAGE})",
    )


def _read(file: Path) -> dict[str, Any]:
    if file.stat().st_size > MAX_BYTES:
        raise InputError(file, f"larger than {MAX_BYTES // 2**20} MiB: not a TrackerDB file")
    try:
        data = json.loads(file.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(file, f"not a Ghostery TrackerDB file (invalid JSON: {error})") from None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("organizations"), dict)
        and isinstance(data.get("patterns"), dict)
    ):
        raise InputError(
            file,
            "not a Ghostery TrackerDB file: expected 'organizations' and 'patterns' objects "
            f"as in dist/trackerdb.json of {PACKAGE}",
        )
    return data


def _version(file: Path) -> str:
    """The package version from ``package.json`` next to ``dist/``, or ``(version unknown)``."""
    for folder in (file.parent.parent, file.parent):
        manifest = folder / "package.json"
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("name") == PACKAGE and meta.get("version"):
            return str(meta["version"])
    return "(version unknown)"


def _clean_domains(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    cleaned = (ascii_host(str(value)) for value in values)
    return [d for d in cleaned if "." in d and not any(c in d for c in "/*^|$ :")]


def _country(value: Any) -> str:
    code = str(value or "").strip().upper()
    return code if code in ISO_COUNTRIES else ""


def _most_common(counts: Counter[str]) -> str:
    if not counts:
        return "other"
    top = max(counts.values())
    return sorted(category for category, count in counts.items() if count == top)[0]


def _covered(domain: str, own: Mapping[str, str]) -> bool:
    labels = domain.split(".")
    return any(".".join(labels[start:]) in own for start in range(len(labels)))
