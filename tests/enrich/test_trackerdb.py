"""Importing a user-installed Ghostery TrackerDB: structure, mapping, precedence of our own rows, errors.

The files here are built by the test with invented entries in the structure of the npm package's
``dist/trackerdb.json``; no TrackerDB data is copied into the project.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from privprobe.enrich.trackerdb import extend, load_trackerdb
from privprobe.errors import InputError
from privprobe.reference import load_organisations

TABLE = load_organisations()

DB: dict[str, Any] = {
    "categories": {"advertising": {"name": "Advertising", "color": "#000", "description": "ads"}},
    "organizations": {
        "pixelworks": {"name": "Pixelworks Example Ltd", "country": "fr", "website_url": "https://p.example"},
        "nowhere_metrics": {"name": "Nowhere Metrics", "country": "ZZ"},
        "copycat": {"name": "Copycat Ads", "country": "US"},
        "idle_org": {"name": "Organisation without patterns"},
    },
    "patterns": {
        "pixelworks_ads": {
            "name": "Pixelworks Ads",
            "category": "advertising",
            "organization": "pixelworks",
            "domains": ["pixelworks-ads.example", "PX.Pixelworks.Example"],
            "filters": [],
        },
        "pixelworks_stats": {
            "name": "Pixelworks Stats",
            "category": "site_analytics",
            "organization": "pixelworks",
            "domains": ["stats.pixelworks.example"],
        },
        "pixelworks_stats2": {
            "name": "Pixelworks Stats 2",
            "category": "site_analytics",
            "organization": "pixelworks",
            "domains": ["m.pixelworks.example", "||bad^"],
        },
        "nowhere": {
            "name": "Nowhere",
            "category": "telemetry",
            "organization": "nowhere_metrics",
            "domains": ["nowhere-metrics.example"],
        },
        "copy": {
            "name": "Copy",
            "category": "advertising",
            "organization": "copycat",
            "domains": ["doubleclick.net", "g.alicdn.com"],
        },
        "orphan": {"name": "Orphan", "category": "cdn", "organization": None, "domains": ["orphan.example"]},
    },
    "domains": {"pixelworks-ads.example": "pixelworks_ads"},
    "filters": {},
}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """``node_modules/@ghostery/trackerdb`` as npm installs it: package.json and dist/trackerdb.json."""
    root = tmp_path / "node_modules" / "@ghostery" / "trackerdb"
    (root / "dist").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"name": "@ghostery/trackerdb", "version": "9.9.9"}))
    (root / "dist" / "trackerdb.json").write_text(json.dumps(DB))
    return root


def test_package_folder_dist_json_and_project_folder_all_load(package: Path, tmp_path: Path) -> None:
    expected = load_trackerdb(package)
    assert load_trackerdb(package / "dist") == expected
    assert load_trackerdb(package / "dist" / "trackerdb.json") == expected
    assert load_trackerdb(tmp_path) == expected  # the folder holding node_modules


def test_organizations_become_organisations(package: Path) -> None:
    imported = {row.id: row for row in load_trackerdb(package)}
    assert set(imported) == {"ghostery:pixelworks", "ghostery:nowhere_metrics", "ghostery:copycat"}
    pixelworks = imported["ghostery:pixelworks"]
    assert pixelworks.name == "Pixelworks Example Ltd" and pixelworks.country == "FR"
    assert pixelworks.category == "analytics"  # two analytics patterns against one advertising
    assert pixelworks.domains == (
        "pixelworks-ads.example",
        "px.pixelworks.example",
        "stats.pixelworks.example",
        "m.pixelworks.example",
    )
    assert pixelworks.source == "Ghostery TrackerDB 9.9.9 (CC BY-NC-SA 4.0), imported by the user"
    assert imported["ghostery:nowhere_metrics"].country == ""  # not an ISO code: unknown, not guessed
    assert imported["ghostery:nowhere_metrics"].category == "analytics"  # telemetry


def test_version_is_unknown_without_package_json(tmp_path: Path) -> None:
    file = tmp_path / "trackerdb.json"
    file.write_text(json.dumps(DB))
    assert "TrackerDB (version unknown)" in load_trackerdb(file)[0].source


def test_extend_keeps_our_rows_on_every_conflict(package: Path) -> None:
    table = extend(TABLE, load_trackerdb(package))
    assert len(table) == len(TABLE) + 2  # copycat lost all its domains to our rows
    found = table.match("cdn.px.pixelworks.example")
    assert found is not None and found[0].id == "ghostery:pixelworks"
    for host, ours in [("g.doubleclick.net", "doubleclick"), ("g.alicdn.com", "alibaba-group")]:
        match = table.match(host)
        assert match is not None and match[0].id == ours
    assert table.version.startswith(TABLE.version + " + Ghostery TrackerDB 9.9.9")
    assert table.note(table.get("pdd-holdings")) == TABLE.note(TABLE.get("pdd-holdings"))  # type: ignore[arg-type]
    assert TABLE.match("pixelworks-ads.example") is None  # the shipped table is untouched


def test_extend_with_nothing_changes_nothing() -> None:
    table = extend(TABLE, [])
    assert len(table) == len(TABLE) and table.version == TABLE.version


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a Ghostery TrackerDB file (invalid JSON"),
        ("[1, 2, 3]", "not a Ghostery TrackerDB file: expected 'organizations' and 'patterns'"),
        ('{"organizations": {}}', "not a Ghostery TrackerDB file: expected 'organizations' and 'patterns'"),
        ('{"log": {"entries": []}}', "not a Ghostery TrackerDB file"),
    ],
)
def test_files_that_are_not_a_trackerdb_are_refused(tmp_path: Path, content: str, message: str) -> None:
    file = tmp_path / "other.json"
    file.write_text(content)
    with pytest.raises(InputError, match=r"^other\.json: ") as error:
        load_trackerdb(file)
    assert message in str(error.value)


def test_a_folder_without_trackerdb_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="npm install @ghostery/trackerdb"):
        load_trackerdb(tmp_path)
    with pytest.raises(InputError, match=r"missing\.json: no TrackerDB here"):
        load_trackerdb(tmp_path / "missing.json")
