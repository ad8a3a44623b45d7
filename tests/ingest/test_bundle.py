"""A bundle read for import: recognised, its manifest typed, its phases with their files and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from privprobe.capture.bundle import MANIFEST, Outcome
from privprobe.errors import InputError
from privprobe.ingest.bundle import bundle_phases, evidence_format, is_bundle, read_manifest
from privprobe.ingest.har import HarReader
from privprobe.model import CaptureId, Phase
from privprobe.plugins import ReadContext
from tests.capture.test_bundle import make_bundle, reseal, rewrite


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "shop-2026-11-28")


def test_is_bundle(bundle: Path, tmp_path: Path) -> None:
    assert is_bundle(bundle)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / MANIFEST).write_text('{"format": "something else"}')
    assert not is_bundle(plain)
    assert not is_bundle(tmp_path / "nowhere")
    assert not is_bundle(bundle / "phases/accepted/traffic.har")


def test_read_manifest(bundle: Path) -> None:
    manifest = read_manifest(bundle)
    assert manifest.target_url == "https://www.shop.example/"
    assert manifest.started == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert manifest.device == "chromium 156.0.8078.108" and manifest.tool.name == "privprobe"
    assert [record.outcome for record in manifest.phases] == ["completed", "partial", "no_banner"]
    assert len(manifest.files) == 8


def test_bundle_phases(bundle: Path) -> None:
    before, accepted, refused = bundle_phases(bundle)
    assert (before.phase, before.outcome, before.reason) == (Phase.BEFORE_CONSENT, Outcome.COMPLETED, None)
    assert before.har == bundle / "phases/before_consent/traffic.har"
    assert [path.name for path in before.files] == ["cookies.json", "001-before.png", "traffic.har"]
    assert before.label == "shop-2026-11-28 before_consent" and before.device == "chromium 156.0.8078.108"
    assert before.importable and before.partial_reason is None
    assert before.consent == {"cmp": None, "action": "none"}

    assert accepted.importable and accepted.outcome is Outcome.PARTIAL
    assert accepted.partial_reason == "the capture of this phase stopped early: page 2 timed out"

    assert (refused.phase, refused.outcome) == (Phase.REFUSED, Outcome.NO_BANNER)
    assert not refused.importable and refused.reason == "no consent banner found"
    assert refused.har is None and [path.name for path in refused.files] == ["consent.json"]


def test_a_phase_har_reads_into_flows(bundle: Path) -> None:
    phase = bundle_phases(bundle)[1]
    assert phase.har is not None
    context = ReadContext(capture=CaptureId(1), phase=phase.phase)
    flows = list(HarReader().read(phase.har, context))
    assert len(flows) == 12 and {flow.phase for flow in flows} == {Phase.ACCEPTED}


def test_evidence_formats(bundle: Path) -> None:
    assert [evidence_format(path) for path in bundle_phases(bundle)[0].files] == ["json", "png", "har"]
    assert evidence_format(bundle / MANIFEST) == "privprobe-bundle"


def test_a_malformed_manifest_names_manifest_json(bundle: Path) -> None:
    rewrite(bundle / MANIFEST, b'{"format": "privprobe-bundle", ')
    assert is_bundle(bundle) is False
    with pytest.raises(InputError, match=r"^manifest\.json: not valid JSON") as raised:
        bundle_phases(bundle)
    assert raised.value.path == bundle / MANIFEST


def _set_phase(key: str, value: Any) -> Any:
    return lambda manifest: manifest["phases"][0].update({key: value})


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_set_phase("outcome", "no-banner"), "\"phases[0].outcome\" is 'no-banner', not one of completed"),
        (_set_phase("phase", "unknown"), "\"phases[0].phase\" is 'unknown', not one of before_consent"),
        (_set_phase("phase", "accepted"), '"phases[1].phase": accepted is recorded twice'),
        (_set_phase("started", "yesterday"), "\"phases[0].started\" is 'yesterday', not an ISO 8601 time"),
        (_set_phase("consent", []), '"phases[0].consent" is not an object'),
        (lambda m: m.update(started="2026-11-28T10:00:00"), "\"started\" is '2026-11-28T10:00:00'"),
        (lambda m: m.update(target={}), '"target.url" is not a non-empty string'),
        (lambda m: m.update(phases={}), '"phases" is not a list'),
        (lambda m: m["browser"].update(flags="--headless"), '"browser.flags" is not a list of strings'),
        (lambda m: m["files"][0].update(path="../x"), "'..' would lead outside the bundle"),
        (lambda m: m.pop("files"), "required keys missing: files"),
    ],
)
def test_malformed_manifest_values_name_manifest_json(bundle: Path, edit: Any, expected: str) -> None:
    reseal(bundle, edit)
    with pytest.raises(InputError) as raised:
        read_manifest(bundle)
    assert str(raised.value).startswith("manifest.json: ") and expected in str(raised.value)
