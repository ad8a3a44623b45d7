"""Every error a user can meet is a `PrivprobeError`; its message names the file and what to do.

PrivprobeError
├── InputError          a file privprobe was asked to read is not what it should be
│   ├── UnknownFormat   no reader recognises the file (empty, wrong type)
│   └── ReadError       a reader stopped at a fault; flows before it are kept (partial capture)
├── MissingExtra        an optional dependency is not installed (``pip install privprobe[mitm]``)
├── CaseError           unknown case, duplicate case, bad case settings
│   └── FactError       a case fact's key is unknown or its value is not of the expected form
├── PenaltyError        a penalty choice lies outside the law's bands, or a fact it needs is missing
└── StoreError          the case database cannot be opened or migrated
"""

from __future__ import annotations

from pathlib import Path


class PrivprobeError(Exception):
    """Base of all errors privprobe reports to its user."""


class InputError(PrivprobeError):
    """A file is not what it should be. The message starts with the file's name."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.detail = message
        super().__init__(f"{self.path.name}: {message}")


class UnknownFormat(InputError):
    """No registered reader recognises the file."""


class ReadError(InputError):
    """A reader met a fault at ``position``; what it read before stays valid."""

    def __init__(self, path: Path | str, position: str, message: str) -> None:
        self.position = position
        super().__init__(path, f"{position}: {message}")


class MissingExtra(PrivprobeError):
    """An optional dependency is needed and absent."""


class CaseError(PrivprobeError):
    """A case does not exist, exists already, or has bad settings."""


class FactError(CaseError):
    """A case fact's key is unknown or its value is not of the expected form; the message names both."""


class PenaltyError(PrivprobeError):
    """A penalty choice lies outside what the law allows, or a case fact the calculation needs is missing."""


class StoreError(PrivprobeError):
    """The case database cannot be opened, created or migrated."""
