"""privprobe case facts | penalty: the facts the investigator enters, and the penalty worksheet."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from privprobe.assess.case_facts import (
    CATALOGUE,
    CaseFacts,
    FactSpec,
    display,
    parse_amount,
    parse_assignment,
    spec_for,
    value_of,
)
from privprobe.assess.penalty_law import load_penalty_law
from privprobe.assess.worksheet import PenaltyRequest, estimates
from privprobe.cli.app import FormatOption, NameArg, app, case_app
from privprobe.errors import PenaltyError
from privprobe.findings import PenaltyEstimate, PenaltyKind, SeverityBand
from privprobe.model import CaseId
from privprobe.store.repository import FactRecord
from privprobe.tables import Format, write

FACT_COLUMNS = ["key", "value", "unit", "kind", "set_at", "description", "basis"]
STEP_COLUMNS = [
    "estimate",
    "step",
    "basis",
    "input",
    "adjustment",
    "output",
    "low",
    "high",
    "note",
    "verified",
]
ESTIMATE_COLUMNS = [
    "kind",
    "title",
    "currency",
    "amount",
    "low",
    "high",
    "severity",
    "regime_date",
    "steps",
    "parameters",
    "law_version",
]


@case_app.command("facts")
def case_facts(
    ctx: typer.Context,
    name: NameArg,
    set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE to set (repeat).")] = None,
    unset: Annotated[list[str] | None, typer.Option(help="KEY to unset (repeat).")] = None,
    history: Annotated[bool, typer.Option(help="List every change to the facts instead.")] = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """List, set or unset the facts of a case: revenue by year, users, violation dates, earlier sanctions.

    Example: privprobe case facts temu-2024 --set revenue.2023=1.2조 --set violation_end=ongoing
    """
    changes: dict[str, str | None] = dict(parse_assignment(text) for text in set_ or ())
    for key in unset or ():
        spec_for(key)
        changes[key] = None
    with ctx.obj.store(name) as store:
        case = CaseId(store.case(name).name)
        if changes:
            store.set_facts(case, changes)
        if history:
            rows = [
                {"changed_at": c.changed_at, "key": c.key, "old": c.old, "new": c.new}
                for c in store.fact_changes(name)
            ]
            write(rows, ["changed_at", "key", "old", "new"], fmt, sys.stdout)
            return
        columns = ["key", "value", "unit", "set_at", "description"] if fmt is Format.TABLE else FACT_COLUMNS
        write(_fact_rows(store.facts(name), fmt), columns, fmt, sys.stdout)


def _fact_rows(stored: dict[str, FactRecord], fmt: Format) -> list[dict[str, Any]]:
    """Every catalogue key with its value; a family's entered keys, or its pattern when none is."""
    rows: list[dict[str, Any]] = []
    for spec in CATALOGUE:
        if spec.key.endswith((".YEAR", ".FINE")):
            prefix = spec.key.rsplit(".", 1)[0] + "."
            keys = sorted(key for key in stored if key.startswith(prefix))
            rows.extend(_fact_row(key, spec, stored.get(key), fmt) for key in keys or [spec.key])
        else:
            rows.append(_fact_row(spec.key, spec, stored.get(spec.key), fmt))
    return rows


def _fact_row(key: str, spec: FactSpec, record: FactRecord | None, fmt: Format) -> dict[str, Any]:
    if record is None:
        value: Any = "(unset)" if fmt is Format.TABLE else None
    elif fmt is Format.TABLE or record.value == "ongoing":
        value = display(spec.kind, record.value)
    else:
        value = _plain(value_of(spec.kind, record.value))
    return {
        "key": key,
        "value": value,
        "unit": spec.unit,
        "kind": spec.kind.value,
        "set_at": record.set_at if record else None,
        "description": spec.description,
        "basis": spec.basis,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@app.command("penalty")
def penalty(
    ctx: typer.Context,
    name: NameArg,
    severity: Annotated[
        str | None, typer.Option(help="Severity band: very_serious, serious, moderate, minor.")
    ] = None,
    rate: Annotated[
        str | None, typer.Option(help="Rate on related revenue in percent, inside the band (1.8).")
    ] = None,
    base_amount: Annotated[
        str | None, typer.Option(help="Fixed base amount in KRW where there is no revenue.")
    ] = None,
    adjust: Annotated[
        list[str] | None, typer.Option(help="KEY=PCT adjustment, e.g. duration=20 (repeat).")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option(help="NAME=VALUE for an UNVERIFIED parameter (repeat).")
    ] = None,
    regime_date: Annotated[str | None, typer.Option(help="Date whose law applies (YYYY-MM-DD).")] = None,
    fine: Annotated[
        list[str] | None, typer.Option(help="Annex 2 fine id to estimate, e.g. 31-2(1) (repeat).")
    ] = None,
    surcharged: Annotated[
        list[str] | None, typer.Option(help="Fine id whose act is surcharged (Art. 76).")
    ] = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Estimate the PIPA surcharge step by step, the fines and the GDPR maxima from a case's facts.

    Example: privprobe penalty temu-2024 --severity serious --rate 1.8 --adjust duration=20 --fine 31-2(1)
    """
    law = load_penalty_law().with_parameters(dict(_pair(text, "--param") for text in param or ()))
    request = _request(severity, rate, base_amount, adjust or [], regime_date, fine or [], surcharged or [])
    with ctx.obj.store(name) as store:
        store.case(name)
        texts = {key: record.value for key, record in store.facts(name).items()}
    found = estimates(CaseFacts(texts), request, law)
    if fmt in (Format.JSON, Format.JSONL):
        write([_estimate_row(e) for e in found], ESTIMATE_COLUMNS, fmt, sys.stdout)
    elif fmt is Format.CSV:
        write([row for e in found for row in _step_rows(e, fmt)], STEP_COLUMNS, fmt, sys.stdout)
    else:
        _print_tables(found, request.severity is None)


def _request(
    severity: str | None,
    rate: str | None,
    base: str | None,
    adjust: list[str],
    regime: str | None,
    fines: list[str],
    surcharged: list[str],
) -> PenaltyRequest:
    surcharge: dict[str, Decimal] = {}
    fine_adjust: dict[str, Decimal] = {}
    for key, text in (_pair(item, "--adjust") for item in adjust):
        target = fine_adjust if key.startswith("fine.") else surcharge
        target[key.removeprefix("fine.")] = _percent(text, f"--adjust {key}")
    return PenaltyRequest(
        severity=_band(severity) if severity else None,
        rate=_percent(rate, "--rate") if rate is not None else None,
        base_amount=_amount(base) if base is not None else None,
        adjustments=surcharge,
        regime_date=_date(regime) if regime else None,
        fines=tuple(fines),
        fine_adjustments=fine_adjust,
        surcharged=frozenset(surcharged),
    )


def _pair(text: str, option: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise PenaltyError(f"{option} {text!r}: give KEY=VALUE, e.g. duration=20")
    return key.strip(), value.strip()


def _band(text: str) -> SeverityBand:
    normal = text.strip().lower().replace("-", "_").replace(" ", "_")
    names = {rule.name_ko.replace(" ", ""): band for band, rule in load_penalty_law().bands.items()}
    band = names.get(text.replace(" ", "")) or next((b for b in SeverityBand if b.value == normal), None)
    if band is None:
        raise PenaltyError(f"--severity {text!r}: give one of {', '.join(b.value for b in SeverityBand)}")
    return band


def _percent(text: str, option: str) -> Decimal:
    try:
        return Decimal(text.strip().removesuffix("%").replace(",", "")) / 100
    except InvalidOperation:
        raise PenaltyError(f"{option} {text!r}: give a percentage such as 1.8, +20 or -30") from None


def _amount(text: str) -> int:
    try:
        return parse_amount(text)
    except ValueError:
        raise PenaltyError(f"--base-amount {text!r}: give KRW such as 300,000,000 or 3억") from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PenaltyError(f"--regime-date {text!r}: give a date YYYY-MM-DD") from None


def _estimate_row(estimate: PenaltyEstimate) -> dict[str, Any]:
    return {
        "kind": estimate.kind.value,
        "title": estimate.title,
        "currency": estimate.currency,
        "amount": estimate.amount,
        "low": estimate.low,
        "high": estimate.high,
        "severity": estimate.severity.value if estimate.severity else None,
        "regime_date": estimate.regime_date.isoformat() if estimate.regime_date else None,
        "steps": [
            {key: value for key, value in row.items() if key != "estimate"}
            for row in _step_rows(estimate, Format.JSON)
        ],
        "parameters": {name: value for name, value in estimate.parameters},
        "law_version": estimate.law_version,
    }


def _step_rows(estimate: PenaltyEstimate, fmt: Format) -> list[dict[str, Any]]:
    def money(value: int | None) -> Any:
        return f"{value:,}" if fmt is Format.TABLE and value is not None else value

    return [
        {
            "estimate": estimate.title,
            "step": step.name,
            "basis": step.basis,
            "input": money(step.input),
            "adjustment": step.adjustment,
            "output": money(step.output),
            "low": money(step.low),
            "high": money(step.high),
            "note": step.note,
            "verified": step.verified,
        }
        for step in estimate.steps
    ]


def _print_tables(found: list[PenaltyEstimate], overview: bool) -> None:
    surcharges = [e for e in found if e.kind is PenaltyKind.SURCHARGE]
    if overview:
        rows = [_band_row(e) for e in surcharges]
        write(
            rows,
            ["severity", "base", "amount", "low", "high"],
            Format.TABLE,
            sys.stdout,
            title="PIPA Art. 64-2 surcharge by severity band (choose one with --severity)",
        )
        found = [e for e in found if e.kind is not PenaltyKind.SURCHARGE]
    for estimate in found:
        write(
            _step_rows(estimate, Format.TABLE),
            STEP_COLUMNS[1:],
            Format.TABLE,
            sys.stdout,
            title=estimate.title,
        )
        typer.echo(_summary(estimate))


def _band_row(estimate: PenaltyEstimate) -> dict[str, Any]:
    base = next(step for step in estimate.steps if step.name == "base amount")
    return {
        "severity": estimate.title.split(": ", 1)[1],
        "base": f"{base.adjustment}: {base.low:,} – {base.high:,}"
        if base.low is not None
        else base.adjustment,
        "amount": f"{estimate.amount:,}",
        "low": f"{estimate.low:,}",
        "high": f"{estimate.high:,}",
    }


def _summary(estimate: PenaltyEstimate) -> str:
    unit = estimate.currency
    if estimate.kind is PenaltyKind.GDPR_MAXIMUM:
        return f"maximum: {estimate.amount:,} {unit}\n"
    text = f"amount: {estimate.amount:,} {unit}; the law leaves {estimate.low:,} – {estimate.high:,} open"
    if estimate.low == estimate.high:
        text = f"amount: {estimate.amount:,} {unit} (every choice made)"
    unverified = [step.name for step in estimate.steps if not step.verified]
    if unverified:
        text += f"\nUNVERIFIED in: {', '.join(unverified)} (see docs/penalty.md; --param NAME=VALUE)"
    return text + "\n"
