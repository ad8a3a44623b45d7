"""privprobe assess | finding set | finding history: the law applied, and the investigator's verdicts."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from privprobe import pipeline
from privprobe.cli.app import FormatOption, NameArg, app, finding_app
from privprobe.errors import CaseError
from privprobe.findings import CheckResult, Finding, FindingStatus
from privprobe.plugins import Registry
from privprobe.tables import Format, cell, write

FINDING_COLUMNS = ["id", "article", "title_en", "severity", "status", "subject", "explanation", "evidence"]
"""The table of findings; the other formats add every other field."""
FULL_COLUMNS = [
    "id", "regime", "rule", "article", "title_ko", "title_en", "subject", "severity", "status",
    "status_reason", "explanation", "evidence", "counter_evidence", "checks", "refuted_by", "measure_ko",
    "measure_en",
]  # fmt: skip
RESULT_COLUMNS = ["check", "subject", "summary", "details", "evidence", "counter"]
HISTORY_COLUMNS = ["set_at", "finding", "status", "reason"]


class Regime(StrEnum):
    """Which regime's rules to apply."""

    PIPA = "pipa"
    GDPR = "gdpr"
    ALL = "all"


@app.command("assess")
def assess(
    ctx: typer.Context,
    name: NameArg,
    regime: Annotated[Regime, typer.Option("--regime", help="Rules to apply.")] = Regime.ALL,
    results: Annotated[
        bool, typer.Option("--results", help="List the law-neutral check results instead of findings.")
    ] = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Run the checks over a case, then each regime's rules: the findings, with evidence and status.

    Example: privprobe assess temu-2024 --regime pipa --format json
    """
    regimes = None if regime is Regime.ALL else [regime.value]
    assessment = pipeline.findings(ctx.obj, name, Registry.from_entry_points(), regimes)
    if results:
        write([result_row(r, fmt) for r in assessment.results], RESULT_COLUMNS, fmt, sys.stdout)
        return
    columns = FINDING_COLUMNS if fmt is Format.TABLE else FULL_COLUMNS
    write([finding_row(f, fmt) for f in assessment.findings], columns, fmt, sys.stdout, "findings")
    for orphan in assessment.orphans:
        typer.echo(f"note: {orphan} has a stored status but the rules no longer raise it", err=True)


@finding_app.command("set")
def finding_set(
    ctx: typer.Context,
    name: NameArg,
    finding_id: Annotated[str, typer.Argument(metavar="ID", help="The finding's id, as assess shows it.")],
    status: Annotated[str, typer.Option("--status", help="confirmed, dismissed or suspected.")],
    reason: Annotated[str, typer.Option("--reason", help="Why; required to confirm or dismiss.")] = "",
) -> None:
    """Record your status on a finding the rules raise now, with the reason; every change is kept.

    Example: privprobe finding set temu-2024 pipa.28-8-1:meta --status confirmed --reason "pixel fires after refusal"
    """
    change = pipeline.Review(finding_id, _status(status), reason)
    finding = pipeline.review(ctx.obj, name, Registry.from_entry_points(), change)
    reason_shown = f" ({finding.status_reason})" if finding.status_reason else ""
    typer.echo(cell(f"{finding.id}: {finding.status}{reason_shown}"))


@finding_app.command("history")
def finding_history(
    ctx: typer.Context,
    name: NameArg,
    finding_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="Only this finding's changes.")
    ] = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """List every status given to the findings of a case (or to one finding), oldest first.

    Example: privprobe finding history temu-2024 pipa.28-8-1:meta
    """
    with ctx.obj.store(name) as store:
        store.case(name)
        records = store.finding_history(name, finding_id)
    rows = [
        {"set_at": r.set_at, "finding": r.finding_id, "status": r.status, "reason": r.reason} for r in records
    ]
    write(rows, HISTORY_COLUMNS, fmt, sys.stdout)


def _status(text: str) -> FindingStatus:
    try:
        return FindingStatus(text.strip().lower())
    except ValueError:
        choices = ", ".join(status.value for status in FindingStatus)
        raise CaseError(f"--status {text!r}: give one of {choices}") from None


def finding_row(finding: Finding, fmt: Format) -> dict[str, Any]:
    """One finding as a listing row: the evidence counted in a table, listed in full otherwise."""
    row: dict[str, Any] = {column: getattr(finding, column) for column in FULL_COLUMNS}
    if fmt is Format.TABLE:
        row["evidence"] = len(finding.evidence)
    elif fmt is Format.CSV:
        row["evidence"] = [f"{ref.kind} {ref.ref}" for ref in finding.evidence]
    else:
        row["evidence"] = [{"kind": ref.kind, "ref": ref.ref, "note": ref.note} for ref in finding.evidence]
    return row


def result_row(result: CheckResult, fmt: Format) -> dict[str, Any]:
    """One check result as a listing row."""
    structured = fmt in (Format.JSON, Format.JSONL)
    return {
        "check": result.check,
        "subject": result.subject,
        "summary": result.summary,
        "details": dict(result.details) if structured else [f"{k}={v}" for k, v in result.details],
        "evidence": [{"kind": ref.kind, "ref": ref.ref, "note": ref.note} for ref in result.evidence]
        if structured
        else len(result.evidence),
        "counter": result.counter,
    }
