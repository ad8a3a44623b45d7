"""The Typer application, its shared options, and the one-line error report every command uses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer
from rich.console import Console

from privprobe.errors import PrivprobeError
from privprobe.store import Workspace
from privprobe.tables import Format, cell

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
capture_app = _Typer(
    no_args_is_help=True, help="Produce evidence: a real browser through the consent phases."
)
app.add_typer(capture_app, name="capture")
reference_app = _Typer(no_args_is_help=True, help="The reference data destinations are attributed with.")
app.add_typer(reference_app, name="reference")
policy_app = _Typer(
    no_args_is_help=True, help="What the company says: privacy policies read into declarations."
)
app.add_typer(policy_app, name="policy")
answers_app = _Typer(
    no_args_is_help=True, help="What the company told the investigator: questionnaire answers."
)
app.add_typer(answers_app, name="answers")
finding_app = _Typer(
    no_args_is_help=True, help="The investigator's status on findings, with its audit trail."
)
app.add_typer(finding_app, name="finding")

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
