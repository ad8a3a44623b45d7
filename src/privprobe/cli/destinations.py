"""privprobe destinations | countries | reference: who receives the data, and where."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from privprobe import pipeline
from privprobe.cli.app import FormatOption, NameArg, app, reference_app
from privprobe.enrich.destinations import data_versions
from privprobe.tables import Format, write


@app.command("destinations")
def destinations(ctx: typer.Context, name: NameArg, fmt: FormatOption = Format.TABLE) -> None:
    """One row per host: registrable domain, organisation, parent, countries, network owner, party, flows."""
    columns = [
        "host",
        "registrable_domain",
        "organisation",
        "parent",
        "organisation_country",
        "server_ips",
        "server_countries",
        "network_owners",
        "party",
        "flows",
        "bytes_sent",
        "leaves_by_server",
        "leaves_by_organisation",
    ]
    rows = [row.as_dict() for row in pipeline.destinations(ctx.obj, name)]
    write(rows, columns, fmt, sys.stdout)


@app.command("countries")
def countries(ctx: typer.Context, name: NameArg, fmt: FormatOption = Format.TABLE) -> None:
    """Flows and organisations per destination country, by server address and by organisation seat."""
    rows = [row.as_dict() for row in pipeline.destination_countries(ctx.obj, name)]
    write(rows, ["country", "by", "flows", "hosts", "organisations"], fmt, sys.stdout)


@reference_app.command("show")
def reference_show(ctx: typer.Context, fmt: FormatOption = Format.TABLE) -> None:
    """List the reference data sets in use, with their versions and dates."""
    versions = data_versions(pipeline.organisations_of(ctx.obj))
    write(
        [{"data_set": k, "version": v} for k, v in versions.items()], ["data_set", "version"], fmt, sys.stdout
    )


@reference_app.command("import-trackerdb")
def reference_import_trackerdb(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="node_modules/@ghostery/trackerdb or its dist/trackerdb.json.")
    ],
) -> None:
    """Use your own copy of the Ghostery TrackerDB (CC BY-NC-SA 4.0) to attribute more hosts.

    Example: npm install @ghostery/trackerdb && privprobe reference import-trackerdb node_modules/@ghostery/trackerdb
    The project's own organisation table wins where both know a domain.
    """
    count = pipeline.import_trackerdb(ctx.obj, path)
    typer.echo(f"TrackerDB: {count} organisations kept in {ctx.obj.root}/reference for this workspace")
