"""privprobe canary | scan | hits | scan-file: the personal data that left the device."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from privprobe import pipeline
from privprobe.cli.app import FormatOption, NameArg, app, canary_app, err
from privprobe.enrich.canaries import canaries_from_file, new_canary
from privprobe.errors import PrivprobeError
from privprobe.plugins import Registry
from privprobe.tables import Format, cell, write

HIT_COLUMNS = [
    "flow",
    "phase",
    "host",
    "organisation",
    "organisation_country",
    "server_countries",
    "party",
    "data_type",
    "source",
    "field",
    "encoding",
    "masked",
    "confidence",
]


def _type_value(text: str) -> tuple[str, str]:
    data_type, sep, value = text.partition("=")
    if not sep:
        raise PrivprobeError(f"--canary {text!r}: give TYPE=VALUE, e.g. contact.email=minji.kim@example.com")
    return data_type, value


@canary_app.command("add")
def canary_add(
    ctx: typer.Context,
    name: NameArg,
    data_type: Annotated[str | None, typer.Option("--type", help="Data type id, e.g. contact.email.")] = None,
    value: Annotated[str | None, typer.Option(help="The value the persona used.")] = None,
    canary: Annotated[
        str | None, typer.Option("--name", help="Name of the canary (default: TYPE-N).")
    ] = None,
    file: Annotated[Path | None, typer.Option(help="A CSV file with columns type,value[,name].")] = None,
) -> None:
    """Add known values of the test persona to a case, one by option or many from a file.

    Example: privprobe canary add temu-2024 --type contact.email --value minji.kim@example.com
    """
    with ctx.obj.store(name) as store:
        case = store.case(name).name
        taken = {c.name for c in store.canaries(name)}
        entries = canaries_from_file(file) if file else [(data_type, value, canary)]
        for entry in entries:
            added = new_canary(*entry, taken=taken)
            store.add_canary(case, added)
            taken.add(added.name)
            typer.echo(f"canary {added.name}: {added.data_type}")


@canary_app.command("list")
def canary_list(ctx: typer.Context, name: NameArg, fmt: FormatOption = Format.TABLE) -> None:
    """List the persona's known values of a case."""
    with ctx.obj.store(name) as store:
        store.case(name)
        rows = [{"name": c.name, "type": c.data_type, "value": c.value} for c in store.canaries(name)]
    write(rows, ["name", "type", "value"], fmt, sys.stdout)


@app.command("scan")
def scan(
    ctx: typer.Context,
    name: NameArg,
    rescan: Annotated[bool, typer.Option(help="Scan every capture again, not only new ones.")] = False,
) -> None:
    """Search every new flow of a case for the persona's values (in every encoding) and with the detectors."""
    with err.status("scanning flows", spinner="dots") if err.is_terminal else contextlib.nullcontext():
        done = pipeline.scan(ctx.obj, name, Registry.from_entry_points(), rescan=rescan)
    typer.echo(f"scanned {done.captures} captures ({done.flows} flows): {done.hits} hits")
    for note in done.notes[:20]:
        typer.echo(f"note: {cell(note)}")
    if len(done.notes) > 20:
        typer.echo(f"note: {len(done.notes) - 20} more notes (privprobe hits --format json shows all hits)")


@app.command("hits")
def hits(ctx: typer.Context, name: NameArg, fmt: FormatOption = Format.TABLE) -> None:
    """List the personal data found in a case's flows, with its recipient organisation and country."""
    write(pipeline.hits(ctx.obj, name), HIT_COLUMNS, fmt, sys.stdout)


@app.command("scan-file")
def scan_file(
    file: Annotated[Path, typer.Argument(help="A HAR, mitmproxy dump, pcap or pcapng file.")],
    canary: Annotated[list[str] | None, typer.Option(help="A known value as TYPE=VALUE (repeat).")] = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Search one capture file for personal data without a case.

    Example: privprobe scan-file first-run.har --canary contact.email=minji.kim@example.com
    """
    canaries = [new_canary(*_type_value(text), None, taken=set()) for text in canary or ()]
    rows = pipeline.scan_file(file, canaries, Registry.from_entry_points())
    write(rows, HIT_COLUMNS, fmt, sys.stdout)
