"""The content-addressed evidence store: every imported file kept once, by SHA-256, read-only.

A file's bytes go to ``evidence/sha256/ab/abcdef…`` (the first two hex digits make a folder so no folder
grows huge). The copy is hashed while it is written, renamed into place only when complete, and made
read-only; a file already present is not written again. Evidence is never modified after this.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from privprobe.errors import InputError
from privprobe.model import EvidenceFile

CHUNK = 1024 * 1024


class EvidenceStore:
    """Files kept by their SHA-256 under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        """Where the file with that hash is (or would be) kept."""
        return self.root / "sha256" / sha256[:2] / sha256

    def put(self, source: Path, format: str, name: str | None = None) -> EvidenceFile:
        """Copy ``source`` into the store (streaming), returning its `EvidenceFile`.

        ``name`` is what to record as its original name (default: the file's name); a bundle records
        the path inside the bundle, e.g. ``phases/accepted/screenshots/001-before.png``.
        """
        staging = self.root / "staging"
        staging.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        handle, temp_name = tempfile.mkstemp(dir=staging)
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out, source.open("rb") as data:
                while chunk := data.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            kept = self.path_of(digest.hexdigest())
            if kept.exists():
                temp.unlink()
            else:
                kept.parent.mkdir(parents=True, exist_ok=True)
                temp.chmod(0o444)
                temp.replace(kept)
        except OSError as error:
            temp.unlink(missing_ok=True)
            raise InputError(
                source, f"cannot copy into the evidence store: {error.strerror or error}"
            ) from error
        return EvidenceFile(
            sha256=digest.hexdigest(), size=size, original_name=name or source.name, format=format
        )

    def verify(self, sha256: str) -> bool:
        """True when the kept file still hashes to its name."""
        digest = hashlib.sha256()
        with self.path_of(sha256).open("rb") as data:
            while chunk := data.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == sha256
