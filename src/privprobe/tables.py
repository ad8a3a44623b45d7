"""Listings in the four formats every listing command offers: table, json, jsonl, csv.

Rows are plain dicts of already-computed values; this module only writes them. Values come from
captured evidence and are hostile: the table format passes them to Rich as `Text`, never as markup,
and strips control characters so a URL cannot rewrite the terminal.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


class Format(StrEnum):
    """Output formats of listing commands."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


Row = Mapping[str, Any]

_CONTROL = {code: "\N{REPLACEMENT CHARACTER}" for code in (*range(0, 9), *range(11, 32), 127)}


def plain(value: Any) -> Any:
    """``value`` as JSON would hold it: datetimes in ISO 8601, tuples as lists, enums as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value


def cell(value: Any) -> str:
    """``value`` as one line of terminal or CSV text."""
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ", ".join(cell(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(plain(value)).translate(_CONTROL)


def write(rows: Iterable[Row], columns: list[str], fmt: Format, out: IO[str], title: str = "") -> int:
    """Write ``rows`` (keeping ``columns`` in that order) to ``out``; returns the number written."""
    if fmt is Format.TABLE:
        return _table(rows, columns, out, title)
    count = 0
    if fmt is Format.CSV:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(name)) for name in columns])
            count += 1
        return count
    if fmt is Format.JSONL:
        for row in rows:
            out.write(json.dumps({name: plain(row.get(name)) for name in columns}, ensure_ascii=False) + "\n")
            count += 1
        return count
    items = [{name: plain(row.get(name)) for name in columns} for row in rows]
    json.dump(items, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(items)


def _table(rows: Iterable[Row], columns: list[str], out: IO[str], title: str) -> int:
    table = Table(title=Text(title) if title else None, show_lines=False)
    for name in columns:
        table.add_column(Text(name.replace("_", " ")), overflow="fold")
    count = 0
    for row in rows:
        table.add_row(*(Text(cell(row.get(name))) for name in columns))
        count += 1
    Console(file=out, width=200 if not out.isatty() else None).print(table)
    return count
