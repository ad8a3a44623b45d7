"""The ``privprobe`` command line: each command opens the workspace and calls one library function.

Every listing command takes ``--format table|json|jsonl|csv``. Errors a user can meet print one line
naming the file or case and what to do, and exit with status 1; usage errors exit with status 2.
Values from evidence are shown through `privprobe.tables`, which never lets them act as markup.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from privprobe import pipeline
from privprobe.enrich.canaries import canaries_from_file, new_canary
from privprobe.enrich.destinations import data_versions
from privprobe.errors import PrivprobeError
from privprobe.model import Case, CaseId, Phase
from privprobe.plugins import Registry
from privprobe.store import Workspace
from privprobe.store.workspace import check_case_name
from privprobe.tables import Format, cell, write

Command = TypeVar("Command", bound=Callable[..., None])


def _reports_errors(command: Command) -> Command:
    """Show a `PrivprobeError` as one line on stderr and exit with 1, instead of a traceback."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except PrivprobeError as error:
            typer.echo(f"privprobe: error: {cell(str(error))}", err=True)
            raise typer.Exit(1) from error

    return cast(Command, run)


class _Typer(typer.Typer):
    """A Typer whose commands all report `PrivprobeError`s as one line."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Command], Command]:
        register = super().command(*args, **kwargs)
        return lambda function: register(_reports_errors(function))


app = _Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="Evidence-grade investigation of what online platforms do with personal data.",
)
case_app = _Typer(no_args_is_help=True, help="Create and inspect cases.")
app.add_typer(case_app, name="case")
canary_app = _Typer(no_args_is_help=True, help="The test persona's known values, searched for in every flow.")
app.add_typer(canary_app, name="canary")
reference_app = _Typer(no_args_is_help=True, help="The reference data destinations are attributed with.")
app.add_typer(reference_app, name="reference")

FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
NameArg = Annotated[str, typer.Argument(help="The case name.")]
err = Console(stderr=True)


@app.callback()
def workspace_options(
    ctx: typer.Context,
    workspace: Annotated[Path, typer.Option(envvar="PRIVPROBE_WORKSPACE", help="Workspace folder.")] = Path(
        "privprobe-workspace"
    ),
    db: Annotated[
        str | None,
        typer.Option(
            envvar="PRIVPROBE_DB",
            help="Database URL holding every case "
            "(postgresql+psycopg://...); default: one SQLite file per case.",
        ),
    ] = None,
) -> None:
    """Evidence-grade investigation of what online platforms do with personal data."""
    ctx.obj = Workspace(workspace, db)


@case_app.command("new")
def case_new(
    ctx: typer.Context,
    name: NameArg,
    controller: Annotated[
        str, typer.Option(help="The controller investigated, e.g. 'Whaleco Technology Ltd'.")
    ],
    first_party: Annotated[list[str], typer.Option(help="A registrable domain of the controller (repeat).")],
    app_id: Annotated[
        list[str] | None, typer.Option("--app", help="An app id of the controller (repeat).")
    ] = None,
    jurisdiction: Annotated[str, typer.Option(help="Country of the data subjects (ISO alpha-2).")] = "KR",
) -> None:
    """Open a new case.

    Example: privprobe case new temu-2024 --controller "Whaleco Technology Ltd" --first-party temu.com
    """
    workspace: Workspace = ctx.obj
    case = Case(
        CaseId(check_case_name(name)),
        controller,
        tuple(d.lower().strip(".") for d in first_party),
        tuple(app_id or ()),
        _country(jurisdiction),
    )
    with workspace.store(name, create=True) as store:
        saved = store.add_case(case)
    typer.echo(f"case {saved.name} opened in {workspace.root}")


@case_app.command("list")
def case_list(ctx: typer.Context, fmt: FormatOption = Format.TABLE) -> None:
    """List the cases of the workspace."""
    workspace: Workspace = ctx.obj
    rows = []
    for name in workspace.case_names():
        with workspace.store(name) as store:
            case = store.case(name)
            rows.append({**_case_row(case), "captures": len(store.captures(name))})
    write(rows, ["name", "controller", "first_party", "jurisdiction", "created", "captures"], fmt, sys.stdout)


@case_app.command("show")
def case_show(ctx: typer.Context, name: NameArg, fmt: FormatOption = Format.TABLE) -> None:
    """Show one case with its captures."""
    with ctx.obj.store(name) as store:
        case = store.case(name)
        write(
            [_case_row(case)],
            ["name", "controller", "first_party", "apps", "jurisdiction", "created"],
            fmt,
            sys.stdout,
            title="case",
        )
        if fmt is Format.TABLE:
            _captures(store.captures(name), fmt)


@app.command("import")
def import_files(
    ctx: typer.Context,
    name: NameArg,
    files: Annotated[list[Path], typer.Argument(help="HAR, mitmproxy dump, pcap or pcapng files.")],
    phase: Annotated[Phase, typer.Option(help="Consent phase during the capture.")] = Phase.UNKNOWN,
    label: Annotated[str | None, typer.Option(help="Label of the capture (default: file name).")] = None,
) -> None:
    """Seal evidence files in the workspace and read them into the case, one capture per file.

    Example: privprobe import temu-2024 first-run.har --phase before_consent
    A file that breaks off half-way is kept as a partial capture; the command then exits with 1.
    """
    workspace: Workspace = ctx.obj
    registry = Registry.from_entry_points()
    faults = []
    for path in files:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed} flows"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as progress:
            task = progress.add_task(f"reading {path.name}", total=None)
            result = pipeline.import_file(
                workspace, name, path, registry, phase=phase, label=label, progress=_advance(progress, task)
            )
        capture = result.capture
        state = " (partial)" if capture.partial else ""
        typer.echo(f"capture {capture.id}: {capture.flow_count} flows from {path.name}{state}")
        if result.error is not None:
            faults.append(str(result.error))
    if faults:
        raise PrivprobeError("; ".join(faults) + " (flows before the fault were kept)")


@app.command("captures")
def captures(ctx: typer.Context, name: NameArg, fmt: FormatOption = Format.TABLE) -> None:
    """List the captures of a case with their evidence files."""
    with ctx.obj.store(name) as store:
        store.case(name)
        _captures(store.captures(name), fmt)


@app.command("flows")
def flows(
    ctx: typer.Context,
    name: NameArg,
    capture: Annotated[int | None, typer.Option(help="Only this capture.")] = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """List the flows of a case: id, capture, time, phase, transport, method, url or host, server ip, status."""
    columns = ["id", "capture", "time", "phase", "transport", "method", "url", "server_ip", "status"]
    with ctx.obj.store(name) as store:
        store.case(name)
        rows = (
            {
                "id": f.id,
                "capture": f.capture,
                "time": f.time,
                "phase": f.phase,
                "transport": f.transport,
                "method": f.request.method if f.request else None,
                "url": f.request.url if f.request else f.host,
                "server_ip": f.server_ip,
                "status": f.response.status if f.response else None,
            }
            for f in store.flows(name, capture)
        )
        write(rows, columns, fmt, sys.stdout)


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


@app.command("demo")
def demo(ctx: typer.Context) -> None:
    """Build a sample case from generated evidence and show where its data goes (offline)."""
    from privprobe.capture.demo.sample import run_demo

    run_demo(ctx.obj, sys.stdout)


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


def _advance(progress: Progress, task: TaskID) -> Callable[[int], None]:
    return lambda count: progress.update(task, completed=count)


def _captures(items: list[Any], fmt: Format) -> None:
    rows = [
        {
            "id": c.id,
            "kind": c.kind,
            "label": c.label,
            "phase": c.phase,
            "flows": c.flow_count,
            "device": c.device,
            "started": c.started,
            "ended": c.ended,
            "partial": c.partial_reason or c.partial,
            "sha256": [f.sha256 for f in c.files],
            "size": sum(f.size for f in c.files),
            "reader": c.reader,
        }
        for c in items
    ]
    write(
        rows,
        [
            "id",
            "kind",
            "label",
            "phase",
            "flows",
            "device",
            "started",
            "ended",
            "partial",
            "sha256",
            "size",
            "reader",
        ],
        fmt,
        sys.stdout,
        title="captures",
    )


def _case_row(case: Case) -> dict[str, Any]:
    return {
        "name": case.name,
        "controller": case.controller,
        "first_party": case.first_party_domains,
        "apps": case.apps,
        "jurisdiction": case.jurisdiction,
        "created": case.created,
    }


def _country(code: str) -> str:
    if len(code) != 2 or not code.isalpha():
        raise PrivprobeError(f"jurisdiction {code!r}: give an ISO 3166-1 alpha-2 code such as KR")
    return code.upper()


def main() -> None:
    """Entry point of the ``privprobe`` command."""
    app()
