"""privprobe report | investigate: the document a commission acts on, and the whole chain on a website."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from privprobe import pipeline
from privprobe.assess.worksheet import PenaltyRequest
from privprobe.cli.app import NameArg, app
from privprobe.findings import SeverityBand
from privprobe.plugins import Registry
from privprobe.store import Workspace


class ReportFormat(StrEnum):
    """Formats of a report."""

    HTML = "html"
    PDF = "pdf"
    JSON = "json"


class ReportLang(StrEnum):
    """Languages of a report."""

    KO = "ko"
    EN = "en"


LangOption = Annotated[ReportLang, typer.Option("--lang", help="Language of the report.")]
SeverityOption = Annotated[
    SeverityBand | None,
    typer.Option(
        "--severity", help="Severity band for the penalty worksheet (default: serious, said to be a default)."
    ),
]


@app.command("report")
def report(
    ctx: typer.Context,
    name: NameArg,
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="html, pdf or json.")
    ] = ReportFormat.HTML,
    lang: LangOption = ReportLang.KO,
    regime: Annotated[
        list[str] | None,
        typer.Option("--regime", help="Regime to apply (repeat; default: every installed one)."),
    ] = None,
    severity: SeverityOption = None,
) -> None:
    """Write the report of a case: summary, data-flow pictures, findings with their evidence, policy
    checklist, penalty worksheet and appendix, in Korean or English.

    Example: privprobe report temu-2024 --format pdf --lang ko --out temu-2024.pdf
    """
    workspace: Workspace = ctx.obj
    options = pipeline.ReportOptions(lang.value, tuple(regime) if regime else None, _penalty(severity))
    document = pipeline.report(workspace, name, Registry.from_entry_points(), options)
    write(document, fmt, lang.value, out)
    typer.echo(
        f"report of {name} written to {out} ({fmt.value}, {lang.value}, {len(document['findings'])} findings)"
    )


def write(document: dict[str, object], fmt: ReportFormat, lang: str, out: Path) -> None:
    """Write ``document`` to ``out`` in ``fmt``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt is ReportFormat.JSON:
        from privprobe.report import write_json

        write_json(document, out)
    elif fmt is ReportFormat.HTML:
        from privprobe.report.html import render_html

        out.write_text(render_html(document, lang), encoding="utf-8")
    else:
        from privprobe.report.pdf import render_pdf

        render_pdf(document, lang, out)


def _penalty(severity: SeverityBand | None) -> PenaltyRequest | None:
    return PenaltyRequest(severity=severity) if severity else None


@app.command("investigate")
def investigate(
    ctx: typer.Context,
    name: NameArg,
    url: Annotated[str, typer.Argument(help="The website to investigate (http:// or https://).")],
    out: Annotated[Path | None, typer.Option("--out", help="Folder for the bundle and the reports.")] = None,
    lang: LangOption = ReportLang.KO,
    controller: Annotated[str | None, typer.Option(help="The controller, for a new case.")] = None,
    pages: Annotated[int, typer.Option(help="Same-site pages visited per phase.")] = 5,
    persona: Annotated[Path | None, typer.Option(help="Persona file: canaries and login steps.")] = None,
    resolve: Annotated[
        list[str] | None, typer.Option(help="HOST:IP[:PORT] for lab set-ups (repeat).")
    ] = None,
) -> None:
    """Run the whole chain on a website: capture in three consent phases, import, scan, read the
    policy, assess, and write the report (HTML, PDF and JSON).

    Example: privprobe investigate shop https://www.shop.example/ --controller "Shop Co." --out shop-case
    """
    workspace: Workspace = ctx.obj
    request = pipeline.Investigation(
        url, out or Path(name), lang.value, controller, pages, persona, tuple(resolve or ())
    )
    written = pipeline.investigate(
        workspace, name, Registry.from_entry_points(), request, progress=typer.echo
    )
    for path in written:
        typer.echo(f"written: {path}")
