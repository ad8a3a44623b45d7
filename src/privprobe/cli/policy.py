"""privprobe policy analyze | add | show | diff | fetch, answers add | show: what the company says."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from privprobe import pipeline
from privprobe.cli.app import FormatOption, NameArg, answers_app, policy_app
from privprobe.declared.policy import (
    ChecklistResult,
    Difference,
    Language,
    Reading,
    check,
    diff,
    extract,
    load_policy,
)
from privprobe.facts import Declaration, PolicySpan
from privprobe.tables import Format, plain, write


class Lang(StrEnum):
    """Languages a policy can be read as."""

    KO = "ko"
    EN = "en"
    ZH = "zh"


class Regime(StrEnum):
    """Which checklist to grade a policy against."""

    PIPA = "pipa"
    GDPR = "gdpr"
    ALL = "all"


PolicyArg = Annotated[
    Path, typer.Argument(help="The policy: HTML, PDF, Markdown, text, or a capture bundle folder.")
]
LangOption = Annotated[Lang | None, typer.Option("--lang", help="Read as this language (default: guessed).")]
RegimeOption = Annotated[Regime, typer.Option("--regime", help="Checklist to grade against.")]
DECLARATION_COLUMNS = [
    "kind", "recipient", "organisation", "vague", "parent", "countries", "data_types", "required", "ground",
    "purpose", "retention", "time_method", "contact", "refusal", "section", "start", "end",
]  # fmt: skip
CHECKLIST_COLUMNS = ["item", "article", "title", "status", "missing", "required_when", "evidence"]
DIFF_COLUMNS = ["change", "what", "value", "old", "new", "old_text", "new_text"]


@policy_app.command("analyze")
def policy_analyze(
    path: PolicyArg,
    lang: LangOption = None,
    regime: RegimeOption = Regime.ALL,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Read a policy into declarations and grade it against the PIPA and GDPR Art. 13 checklists.

    Example: privprobe policy analyze bundle/policy/policy.html --lang ko --format json
    """
    reading = extract(load_policy(path, _language(lang)))
    results = check(reading, None if regime is Regime.ALL else regime.value)
    if fmt is Format.JSON:
        json.dump(reading_json(reading, results), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    document = reading.document
    typer.echo(
        f"{document.source_name}: {document.media_type}, language {document.language}, sha256 {document.sha256}"
    )
    write(
        [declaration_row(d) for d in reading.declarations],
        DECLARATION_COLUMNS,
        fmt,
        sys.stdout,
        "declarations",
    )
    write([checklist_row(r) for r in results], CHECKLIST_COLUMNS, fmt, sys.stdout, "checklist")
    for note in (*document.notes, *reading.notes):
        typer.echo(f"note: {note}", err=True)


@policy_app.command("add")
def policy_add(ctx: typer.Context, name: NameArg, path: PolicyArg, lang: LangOption = None) -> None:
    """Attach a policy to a case as evidence (sealed with its SHA-256), after checking it reads as one.

    Example: privprobe policy add temu-2024 temu-privacy-2024-03.html --lang ko
    """
    capture = pipeline.add_policy(ctx.obj, name, path, _language(lang))
    sha = capture.files[0].sha256
    typer.echo(f"policy {capture.label} added to {name} as capture {capture.id} (sha256 {sha})")


@policy_app.command("fetch")
def policy_fetch(
    url: Annotated[str, typer.Argument(help="The policy's address (http:// or https://).")],
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
) -> None:
    """Save a policy page from the web as Chromium renders it, to analyse or add as evidence.

    Example: privprobe policy fetch https://www.temu.com/kr/privacy-and-cookie-policy.html --out temu.html
    """
    from privprobe.capture.browser import CaptureOptions
    from privprobe.capture.policy import fetch_policy

    options = CaptureOptions(url=url, out=out.parent)  # checks the address, finds Debian's Chromium
    saved = fetch_policy(url, out, options.executable)
    typer.echo(
        f"saved {saved['url']} ({saved.get('title') or 'untitled'}, HTTP {saved.get('status')}) to {out}"
    )


@policy_app.command("show")
def policy_show(ctx: typer.Context, name: NameArg, fmt: FormatOption = Format.TABLE) -> None:
    """List the declarations of every policy attached to a case."""
    rows = []
    for reading in pipeline.policies(ctx.obj, name):
        rows += [{"policy": reading.document.source_name, **declaration_row(d)} for d in reading.declarations]
    write(rows, ["policy", *DECLARATION_COLUMNS], fmt, sys.stdout, "declarations")


@policy_app.command("diff")
def policy_diff(
    old: PolicyArg, new: PolicyArg, lang: LangOption = None, fmt: FormatOption = Format.TABLE
) -> None:
    """What changed between two versions: recipients, countries, data items, purposes, retention.

    Example: privprobe policy diff privacy-2023.html privacy-2024.html
    """
    language = _language(lang)
    differences = diff(extract(load_policy(old, language)), extract(load_policy(new, language)))
    write([difference_row(d) for d in differences], DIFF_COLUMNS, fmt, sys.stdout, "changes")


def _language(lang: Lang | None) -> Language | None:
    return None if lang is None else lang.value


def _span(span: PolicySpan | None) -> str:
    if span is None:
        return ""
    return f"{span.section or '-'}@{span.start}-{span.end}"


def declaration_row(declaration: Declaration) -> dict[str, Any]:
    """One declaration as a listing row."""
    row = {column: getattr(declaration, column, None) for column in DECLARATION_COLUMNS[:-3]}
    row["kind"] = declaration.kind.value
    row.update(section=declaration.source.section, start=declaration.source.start, end=declaration.source.end)
    return row


def checklist_row(result: ChecklistResult) -> dict[str, Any]:
    """One checklist result as a listing row."""
    return {
        "item": result.item.id,
        "article": result.item.article,
        "title": result.item.title_en,
        "status": result.status,
        "missing": "; ".join(result.missing),
        "required_when": result.item.condition or "always",
        "evidence": " ".join(_span(span) for span in result.evidence[:5]),
    }


def difference_row(difference: Difference) -> dict[str, Any]:
    """One change between policy versions as a listing row."""
    return {
        "change": difference.change,
        "what": difference.what,
        "value": difference.value,
        "old": _span(difference.old),
        "new": _span(difference.new),
        "old_text": difference.old_text,
        "new_text": difference.new_text,
    }


def reading_json(reading: Reading, results: list[ChecklistResult]) -> dict[str, Any]:
    """The whole analysis as one JSON object: document, declarations with quotes, checklist."""
    document = reading.document
    text = document.text

    def cite(span: PolicySpan) -> dict[str, Any]:
        return {
            "section": span.section,
            "start": span.start,
            "end": span.end,
            "quote": text[span.start : span.end][:400],
        }

    return {
        "document": {"name": document.source_name, "sha256": document.sha256, "media_type": document.media_type,
                     "language": document.language, "sections": len(document.sections), "tables": len(document.tables)},
        "vocabulary": reading.vocabulary,
        "declarations": [
            {**{k: plain(v) for k, v in declaration_row(d).items() if k not in ("section", "start", "end")},
             "items": d.items, "basis": d.basis, "country_text": d.country_text, "address": d.address,
             "source": cite(d.source)}
            for d in reading.declarations
        ],
        "checklist": [
            {"item": r.item.id, "article": r.item.article, "title_ko": r.item.title_ko, "title_en": r.item.title_en,
             "condition": r.item.condition, "status": r.status, "missing": list(r.missing),
             "evidence": [cite(span) for span in r.evidence]}
            for r in results
        ],
        "notes": [*document.notes, *reading.notes],
    }  # fmt: skip


@answers_app.command("add")
def answers_add(
    ctx: typer.Context,
    name: NameArg,
    path: Annotated[Path, typer.Argument(help="CSV: question,kind,recipient,country,items,purpose.")],
) -> None:
    """Attach the company's questionnaire answers to a case as evidence, after checking every row.

    Example: privprobe answers add temu-2024 temu-answers-q3.csv
    The assessment compares them with the policy (recipients and countries the policy omits).
    """
    capture = pipeline.add_answers(ctx.obj, name, path)
    typer.echo(
        f"answers {capture.label} added to {name} as capture {capture.id} (sha256 {capture.files[0].sha256})"
    )


@answers_app.command("show")
def answers_show(ctx: typer.Context, name: NameArg, fmt: FormatOption = Format.TABLE) -> None:
    """List the statements of every answers file attached to a case."""
    rows = [declaration_row(d) for d in pipeline.answers(ctx.obj, name)]
    write(rows, DECLARATION_COLUMNS, fmt, sys.stdout, "answers")
