"""The evidence bundle: written, sealed read-only, verified, and every kind of tampering reported."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from privprobe import __version__
from privprobe.capture.bundle import (
    MANIFEST,
    MANIFEST_HASH,
    TRAFFIC,
    BundleWriter,
    Outcome,
    Problem,
    verify,
)
from privprobe.capture.demo.sample import write_sample_har
from privprobe.errors import InputError, PrivprobeError
from privprobe.model import Phase

T0 = "2026-11-28T10:00:00+00:00"
T1 = "2026-11-28T10:01:30+00:00"


def phase_entry(
    phase: Phase, outcome: Outcome = Outcome.COMPLETED, reason: str | None = None
) -> dict[str, Any]:
    """A phase as the capture records it in the manifest."""
    return {
        "phase": phase.value,
        "outcome": outcome.value,
        "reason": reason,
        "started": T0,
        "ended": T1,
        "pages": 1,
        "requests": 12,
        "consent": {"cmp": None if phase is Phase.BEFORE_CONSENT else "onetrust", "action": "none"},
    }


def base_manifest(phases: list[dict[str, Any]]) -> dict[str, Any]:
    """What a capture gives `BundleWriter.seal`: everything but format, tool and files."""
    return {
        "browser": {"name": "chromium", "version": "156.0.8078.108", "executable": "/usr/bin/chromium"},
        "os": {"system": "Linux", "release": "6.1", "machine": "x86_64"},
        "target": {"url": "https://www.shop.example/", "pages": 1, "dwell_seconds": 3},
        "started": T0,
        "ended": T1,
        "phases": phases,
    }


def make_bundle(folder: Path) -> Path:
    """A sealed bundle: before_consent completed, accepted partial, refused without a banner."""
    writer = BundleWriter(folder)
    for phase in (Phase.BEFORE_CONSENT, Phase.ACCEPTED):
        directory = writer.phase_dir(phase)
        write_sample_har(directory / TRAFFIC)
        (directory / "cookies.json").write_text('{"cookies": []}', encoding="utf-8")
        (directory / "screenshots").mkdir()
        (directory / "screenshots" / "001-before.png").write_bytes(b"\x89PNG\r\n\x1a\n fake")
    refused = writer.phase_dir(Phase.REFUSED)
    (refused / "consent.json").write_text('{"result": "no banner found"}', encoding="utf-8")
    (writer.policy_dir() / "policy.txt").write_text("개인정보 처리방침", encoding="utf-8")
    phases = [
        phase_entry(Phase.BEFORE_CONSENT),
        phase_entry(Phase.ACCEPTED, Outcome.PARTIAL, "page 2 timed out"),
        phase_entry(Phase.REFUSED, Outcome.NO_BANNER, "no consent banner found"),
    ]
    return writer.seal(base_manifest(phases))


def rewrite(path: Path, data: bytes) -> None:
    """Replace a sealed (read-only) file's bytes, as tampering would."""
    path.chmod(0o644)
    path.write_bytes(data)


def reseal(bundle: Path, edit: Any) -> None:
    """Edit the manifest with ``edit(manifest)`` and seal it again: only ``edit`` is wrong."""
    manifest = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
    edit(manifest)
    data = json.dumps(manifest).encode()
    rewrite(bundle / MANIFEST, data)
    rewrite(bundle / MANIFEST_HASH, f"{hashlib.sha256(data).hexdigest()}  {MANIFEST}\n".encode())


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "shop-2026-11-28")


def kinds(problems: list[Problem]) -> list[str]:
    return [problem.kind for problem in problems]


def test_a_sealed_bundle_verifies(bundle: Path) -> None:
    assert verify(bundle) == []


def test_the_manifest_lists_every_file_with_its_hash(bundle: Path) -> None:
    manifest = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format"] == "privprobe-bundle" and manifest["format_version"] == 1
    assert manifest["tool"] == {"name": "privprobe", "version": __version__}
    paths = [entry["path"] for entry in manifest["files"]]
    assert paths == sorted(paths)
    assert "phases/accepted/screenshots/001-before.png" in paths and "policy/policy.txt" in paths
    assert MANIFEST not in paths and MANIFEST_HASH not in paths
    har = next(e for e in manifest["files"] if e["path"] == "phases/before_consent/traffic.har")
    data = (bundle / har["path"]).read_bytes()
    assert har["sha256"] == hashlib.sha256(data).hexdigest() and har["size"] == len(data)
    text = (bundle / MANIFEST).read_text(encoding="utf-8")
    assert "개인정보" not in text and text.endswith("}\n") and '\n  "browser": {' in text
    digest = hashlib.sha256((bundle / MANIFEST).read_bytes()).hexdigest()
    assert (bundle / MANIFEST_HASH).read_text() == f"{digest}  {MANIFEST}\n"


def test_every_file_is_read_only_after_sealing(bundle: Path) -> None:
    files = [path for path in bundle.rglob("*") if path.is_file()]
    assert len(files) == 10
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o444 for path in files)


def test_one_changed_byte_is_one_changed_file(bundle: Path) -> None:
    har = bundle / "phases/accepted/traffic.har"
    data = bytearray(har.read_bytes())
    data[100] ^= 1
    rewrite(har, bytes(data))
    problems = verify(bundle)
    assert kinds(problems) == ["changed"] and problems[0].path == "phases/accepted/traffic.har"
    assert str(problems[0]).startswith("changed: phases/accepted/traffic.har (sha256 ")
    assert "≠ manifest" in str(problems[0]) and "\n" not in str(problems[0])


def test_a_resized_file_is_changed(bundle: Path) -> None:
    rewrite(bundle / "policy/policy.txt", b"shorter")
    assert [str(p) for p in verify(bundle)] == ["changed: policy/policy.txt (size 7 ≠ manifest 25)"]


def test_a_deleted_file_is_missing(bundle: Path) -> None:
    (bundle / "phases/refused/consent.json").unlink()
    problems = verify(bundle)
    assert kinds(problems) == ["missing"] and problems[0].path == "phases/refused/consent.json"


def test_an_added_file_is_extra(bundle: Path) -> None:
    (bundle / "phases/accepted/injected.js").write_text("alert(1)")
    problems = verify(bundle)
    assert kinds(problems) == ["extra"] and problems[0].path == "phases/accepted/injected.js"


def test_an_edited_manifest_no_longer_matches_its_seal(bundle: Path) -> None:
    text = (bundle / MANIFEST).read_text(encoding="utf-8")
    rewrite(bundle / MANIFEST, text.replace("www.shop.example", "www.other.example").encode())
    problems = verify(bundle)
    assert kinds(problems) == ["manifest"] and problems[0].path == MANIFEST
    assert f"≠ {MANIFEST_HASH}" in problems[0].detail


@pytest.mark.parametrize(
    ("seal", "expected"),
    [(None, "missing"), (b"not a hash\n", 'not "<sha256>  manifest.json"')],
)
def test_a_missing_or_malformed_seal_is_a_manifest_problem(
    bundle: Path, seal: bytes | None, expected: str
) -> None:
    if seal is None:
        (bundle / MANIFEST_HASH).unlink()
    else:
        rewrite(bundle / MANIFEST_HASH, seal)
    problems = verify(bundle)
    assert kinds(problems) == ["manifest"] and problems[0].path == MANIFEST_HASH
    assert expected in problems[0].detail


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../outside", "'..' would lead outside"),
        ("phases/accepted/../../../outside", "'..' would lead outside"),
        ("/etc/passwd", "absolute"),
        ("C:/Windows/win.ini", "absolute"),
        ("phases\\accepted\\x", "not a plain path"),
        ("phases/accepted/x\nchanged: forged", "not a plain path"),
        ("phases//x", "empty or '.' steps"),
    ],
)
def test_paths_leaving_the_bundle_are_manifest_problems(bundle: Path, path: str, why: str) -> None:
    (bundle.parent / "outside").write_text("secret")
    entry = {"path": path, "sha256": "0" * 64, "size": 6}
    reseal(bundle, lambda manifest: manifest["files"].append(entry))
    problems = verify(bundle)
    assert kinds(problems) == ["manifest"], problems
    assert why in problems[0].detail and "\n" not in str(problems[0])


def test_a_symbolic_link_out_of_the_bundle_is_a_manifest_problem(bundle: Path) -> None:
    secret = bundle.parent / "secret.txt"
    secret.write_text("secret")
    (bundle / "phases/accepted/link.txt").symlink_to(secret)
    (bundle / "phases/accepted/folder").symlink_to(bundle.parent, target_is_directory=True)
    entries = [
        {"path": "phases/accepted/link.txt", "sha256": hashlib.sha256(b"secret").hexdigest(), "size": 6},
        {"path": "phases/accepted/folder/secret.txt", "sha256": "0" * 64, "size": 6},
    ]
    reseal(bundle, lambda manifest: manifest["files"].extend(entries))
    problems = verify(bundle)
    assert kinds(problems) == ["manifest", "manifest"]
    assert all("symbolic link leading outside the bundle" in problem.detail for problem in problems)


def test_an_unlisted_link_is_an_extra_file(bundle: Path) -> None:
    (bundle / "phases/accepted/link").symlink_to("/etc/hostname")
    assert [str(p) for p in verify(bundle)] == [
        "extra: phases/accepted/link (not in the manifest, a symbolic link)"
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda m: m.update(format="other"), 'not "privprobe-bundle"'),
        (lambda m: m.update(format_version=2), "format_version 2 is not one this privprobe reads"),
        (lambda m: m.update(format_version=True), "format_version True"),
        (lambda m: m.pop("target"), "required keys missing: target"),
        (lambda m: m["files"].append(m["files"][0]), "is listed twice"),
        (lambda m: m["files"][0].update(size=-1), "size is not a byte count"),
        (lambda m: m["files"][0].update(sha256="ABC"), "sha256 is not 64 lower-case hex digits"),
        (
            lambda m: m["files"].append({"path": MANIFEST, "sha256": "0" * 64, "size": 1}),
            "does not list itself",
        ),
    ],
)
def test_a_malformed_manifest_is_a_manifest_problem(bundle: Path, edit: Any, expected: str) -> None:
    reseal(bundle, edit)
    problems = verify(bundle)
    assert "manifest" in kinds(problems) and any(expected in p.detail for p in problems), problems


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{", "not valid JSON"),
        (b'{"format": "privprobe-bundle", "format": "other"}', "appears twice"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "not a JSON object"),
    ],
)
def test_unreadable_manifest_json_stops_verification(bundle: Path, content: bytes, expected: str) -> None:
    rewrite(bundle / MANIFEST, content)
    problems = verify(bundle)
    assert kinds(problems) == ["manifest", "manifest"]  # the seal, and the content
    assert expected in problems[1].detail


def test_a_huge_manifest_is_refused_unread(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("privprobe.capture.bundle.MAX_MANIFEST_BYTES", 100)
    problems = verify(bundle)
    assert kinds(problems) == ["manifest"] and "more than a manifest may have" in problems[0].detail


def test_a_plain_folder_is_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "a.har").write_text("{}")
    problems = verify(tmp_path)
    assert [p.path for p in problems] == [MANIFEST_HASH, MANIFEST]
    with pytest.raises(InputError, match="not a folder"):
        verify(tmp_path / "a.har")


def test_sealing_twice_is_an_error(tmp_path: Path) -> None:
    writer = BundleWriter(tmp_path / "b")
    write_sample_har(writer.phase_dir(Phase.BEFORE_CONSENT) / TRAFFIC)
    writer.seal(base_manifest([phase_entry(Phase.BEFORE_CONSENT)]))
    with pytest.raises(PrivprobeError, match="sealed already"):
        writer.seal(base_manifest([phase_entry(Phase.BEFORE_CONSENT)]))
    with pytest.raises(PrivprobeError, match="sealed already"):
        writer.phase_dir(Phase.ACCEPTED)


def test_a_non_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "notes.txt").write_text("x")
    with pytest.raises(PrivprobeError, match="old: exists and is not an empty folder"):
        BundleWriter(tmp_path / "old")
    with pytest.raises(PrivprobeError, match=r"notes\.txt: exists"):
        BundleWriter(tmp_path / "old" / "notes.txt")
    BundleWriter(tmp_path / "empty").folder.rmdir()  # an empty or new folder is fine


def test_seal_refuses_links_and_fields_it_writes_itself(tmp_path: Path) -> None:
    writer = BundleWriter(tmp_path / "b")
    with pytest.raises(ValueError, match="files are written by seal"):
        writer.seal({**base_manifest([]), "files": []})
    with pytest.raises(InputError, match=r"manifest\.json: required keys missing: target"):
        writer.seal({key: value for key, value in base_manifest([]).items() if key != "target"})
    (writer.phase_dir(Phase.ACCEPTED) / "link").symlink_to(os.devnull)
    with pytest.raises(PrivprobeError, match="not a regular file"):
        writer.seal(base_manifest([]))
    with pytest.raises(ValueError, match="no phase 'unknown'"):
        writer.phase_dir(Phase.UNKNOWN)
