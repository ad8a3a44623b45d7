"""A workspace: the folder that holds the evidence store and the case databases.

Chosen by ``--workspace DIR`` or ``PRIVPROBE_WORKSPACE``, default ``./privprobe-workspace``. With no
database URL each case has its own SQLite file, ``cases/NAME/case.sqlite``, so a case folder can be
handed over whole; with ``--db postgresql+psycopg://…`` all cases share that database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from privprobe.errors import CaseError
from privprobe.store.evidence import EvidenceStore
from privprobe.store.repository import CaseStore

CASE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def check_case_name(name: str) -> str:
    """``name`` if it can name a case folder, else a `CaseError` saying what is allowed."""
    if not CASE_NAME.match(name):
        raise CaseError(
            f"case name {name!r}: use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


@dataclass(frozen=True)
class Workspace:
    """The workspace folder and, optionally, a shared database URL."""

    root: Path
    """The workspace folder."""
    db_url: str | None = None
    """A database holding every case (PostgreSQL); None for one SQLite file per case."""

    @property
    def evidence(self) -> EvidenceStore:
        """The content-addressed evidence store."""
        return EvidenceStore(self.root / "evidence")

    @property
    def trackerdb(self) -> Path:
        """Where the user's imported Ghostery TrackerDB is kept (never bundled with privprobe)."""
        return self.root / "reference" / "trackerdb.json"

    def case_folder(self, name: str) -> Path:
        """The folder of case ``name``."""
        return self.root / "cases" / check_case_name(name)

    def store(self, name: str, *, create: bool = False) -> CaseStore:
        """The opened, migrated database holding case ``name``."""
        if self.db_url:
            return CaseStore.open(self.db_url)
        folder = self.case_folder(name)
        database = folder / "case.sqlite"
        if not database.exists():
            if not create:
                raise CaseError(
                    f"no case {name!r} in {self.root.name}/ (create it with: privprobe case new {name})"
                )
            folder.mkdir(parents=True, exist_ok=True)
        return CaseStore.open(f"sqlite:///{database}")

    def case_names(self) -> list[str]:
        """Names of the cases in this workspace."""
        if self.db_url:
            with CaseStore.open(self.db_url) as store:
                return [case.name for case in store.cases()]
        folder = self.root / "cases"
        if not folder.is_dir():
            return []
        return sorted(path.parent.name for path in folder.glob("*/case.sqlite"))
