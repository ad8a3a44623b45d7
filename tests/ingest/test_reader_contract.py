"""One contract, every registered reader: the rules a reader must keep, run over each one's fixtures.

A reader recognises its own files and no one else's, numbers flows from 0 without gaps, stamps the
capture and phase it was given, cites a position for each flow, gives aware UTC times, and reads the
same file the same way twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pytest

from privprobe.capture.demo.sample import write_sample_har
from privprobe.model import CaptureId, Phase
from privprobe.plugins import SNIFF_BYTES, ReadContext, Reader, Registry

Fixture = Callable[[Path], Path]


def _har(folder: Path) -> Path:
    return write_sample_har(folder / "sample.har")


def _pcap(folder: Path) -> Path:
    from tests.ingest import pcapgen

    return pcapgen.write_sample(folder / "sample.pcap")


def _mitm(folder: Path) -> Path:
    pytest.importorskip("mitmproxy")
    from tests.ingest.test_mitm import write_sample_dump

    return write_sample_dump(folder / "sample.mitm")


FIXTURES: dict[str, Fixture] = {"har": _har, "pcap": _pcap, "mitm": _mitm}


def test_every_registered_reader_has_fixtures(registry: Registry) -> None:
    assert set(registry.readers) <= set(FIXTURES), "add a fixture for each new reader here"
    assert {"har", "pcap", "mitm"} <= set(registry.readers)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_reader_contract(name: str, registry: Registry, tmp_path: Path) -> None:
    reader: Reader = registry.readers[name]
    assert isinstance(reader, Reader) and reader.name == name and reader.version
    path = FIXTURES[name](tmp_path)
    head = path.read_bytes()[:SNIFF_BYTES]
    assert [r.name for r in registry.readers_for(head, path)] == [name], "exactly one reader claims it"
    renamed = path.with_suffix(".bin")
    renamed.write_bytes(path.read_bytes())
    assert reader.sniff(head, renamed), "sniffing must not depend on the extension"
    context = ReadContext(capture=CaptureId(7), phase=Phase.REFUSED)
    flows = list(reader.read(path, context))
    assert flows, "the fixture has flows"
    assert [f.seq for f in flows] == list(range(len(flows)))
    assert {f.capture for f in flows} == {7} and {f.phase for f in flows} == {Phase.REFUSED}
    assert all(f.position for f in flows)
    assert all(f.time is None or f.time.tzinfo == UTC for f in flows)
    assert context.format
    assert list(reader.read(path, ReadContext(capture=CaptureId(7), phase=Phase.REFUSED))) == flows


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("content", [b"", b"\x00" * 64, b"hello, world\n", b'{"not": "a capture"}', b"<html>"])
def test_readers_refuse_what_is_not_theirs(name: str, content: bytes, registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / f"file.{name}"
    path.write_bytes(content)
    assert not registry.readers[name].sniff(content[:SNIFF_BYTES], path)
