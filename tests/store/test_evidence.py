"""The content-addressed evidence store."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from privprobe.store import EvidenceStore


def test_put_keeps_a_read_only_copy_named_by_hash(tmp_path: Path) -> None:
    source = tmp_path / "capture.har"
    data = b"x" * (3 * 1024 * 1024 + 7)
    source.write_bytes(data)
    store = EvidenceStore(tmp_path / "evidence")
    kept = store.put(source, "har")
    assert kept.sha256 == hashlib.sha256(data).hexdigest()
    assert (kept.size, kept.original_name, kept.format) == (len(data), "capture.har", "har")
    path = store.path_of(kept.sha256)
    assert path.read_bytes() == data
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert store.verify(kept.sha256)


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    for name in ("a.pcap", "b.pcap"):
        (tmp_path / name).write_bytes(b"same bytes")
        store.put(tmp_path / name, "pcap")
    kept = [p for p in (tmp_path / "evidence" / "sha256").rglob("*") if p.is_file()]
    assert len(kept) == 1
    assert not any((tmp_path / "evidence" / "staging").iterdir())


def test_verify_detects_a_changed_file(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"original")
    store = EvidenceStore(tmp_path / "evidence")
    kept = store.put(tmp_path / "a", "har")
    path = store.path_of(kept.sha256)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    assert not store.verify(kept.sha256)
