"""The test persona's known values ("canaries"): checked against the data-type vocabulary.

An investigator creates a test account with values only they know (an e-mail address, a phone
number, a device's advertising id) and then searches every flow for them: a canary found in a flow is
certain evidence that this value left the device. A file of canaries is CSV with a header line and the
columns ``type,value`` and optionally ``name``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from privprobe.errors import InputError, PrivprobeError
from privprobe.model import Canary
from privprobe.reference.data_types import load_data_types

MAX_VALUE = 1000
"""Longest canary value accepted (characters)."""


def new_canary(data_type: str | None, value: str | None, name: str | None, *, taken: set[str]) -> Canary:
    """A validated canary; its name defaults to the type plus a number not in ``taken``."""
    if not data_type or value is None:
        raise PrivprobeError("a canary needs --type and --value (or --file)")
    if load_data_types().get(data_type) is None:
        raise PrivprobeError(f"unknown data type {data_type!r} (see privprobe types for the vocabulary)")
    value = value.strip()
    if not value or len(value) > MAX_VALUE:
        raise PrivprobeError(f"canary value for {data_type}: give 1 to {MAX_VALUE} characters")
    if not name:
        number = 1
        while f"{data_type}-{number}" in taken:
            number += 1
        name = f"{data_type}-{number}"
    if name in taken:
        raise PrivprobeError(f"canary {name!r} exists already")
    return Canary(name=name, data_type=data_type, value=value)


def canaries_from_file(path: Path) -> list[tuple[str | None, str | None, str | None]]:
    """(type, value, name) triples from a CSV file with a header ``type,value[,name]``."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"type", "value"} <= set(reader.fieldnames):
                raise InputError(path, "line 1: expected a header with the columns type,value[,name]")
            return [(row.get("type"), row.get("value"), row.get("name") or None) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(path, f"cannot read canaries: {error}") from error
