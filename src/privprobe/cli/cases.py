"""privprobe case new | list | show."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from privprobe.cli.app import FormatOption, NameArg, case_app
from privprobe.cli.evidence import show_captures
from privprobe.errors import PrivprobeError
from privprobe.model import Case, CaseId
from privprobe.store import Workspace
from privprobe.store.workspace import check_case_name
from privprobe.tables import Format, write


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
            show_captures(store.captures(name), fmt)


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
