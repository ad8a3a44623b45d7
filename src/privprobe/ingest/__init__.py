"""ingest: any evidence file in, `Flow`s out.

Each format has one module (``har``, ``mitm``, ``pcap``), registered as a `privprobe.plugins.Reader`
through the ``privprobe.readers`` entry-point group. `open_reader` picks the reader by the file's
first bytes (never by its extension alone) and fails with a one-line error for an empty file or an
unknown format. Readers stream: a 2 GB file is never held in memory whole.
"""

from __future__ import annotations

from pathlib import Path

from privprobe.errors import InputError, UnknownFormat
from privprobe.plugins import SNIFF_BYTES, Reader, Registry


def open_reader(path: Path, registry: Registry) -> Reader:
    """The reader that recognises ``path``, or an `UnknownFormat` naming the file."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from error
    if not head:
        raise UnknownFormat(path, "empty file")
    readers = list(registry.readers_for(head, path))
    if not readers:
        known = ", ".join(sorted(registry.readers)) or "none installed"
        preview = head[:16].hex(" ")
        raise UnknownFormat(path, f"not a format privprobe reads (readers: {known}); starts with {preview}")
    return readers[0]
