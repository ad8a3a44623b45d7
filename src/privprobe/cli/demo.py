"""privprobe demo: the whole story on the built-in demo shop, offline.

With Chromium installed (``scripts/setup.sh`` installs it), the demo serves the local demo shop,
captures it in the three consent phases with the demo persona, imports the sealed bundle into the case
``demo-shop``, adds the persona's canaries, scans every flow, and lists where the data went. Without
Chromium it says so and runs the same steps on the generated sample HAR instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from datetime import UTC, datetime
from importlib.resources import as_file, files
from pathlib import Path
from typing import IO, Annotated

import typer

from privprobe import pipeline
from privprobe.capture.demo.sample import DEMO_CASE, PERSONA, write_sample_har
from privprobe.cli.app import app
from privprobe.cli.personal_data import HIT_COLUMNS
from privprobe.cli.policy import checklist_row
from privprobe.declared.policy import check
from privprobe.enrich.canaries import new_canary
from privprobe.errors import CaseError, PrivprobeError
from privprobe.facts import DeclarationKind
from privprobe.model import Canary, Case, CaseId, Phase
from privprobe.plugins import Registry
from privprobe.store import Workspace
from privprobe.tables import Format, write

PERSONA_FILE = files("privprobe.capture.demo") / "persona.json"


@app.command("demo")
def demo(
    ctx: typer.Context,
    sample: Annotated[
        bool, typer.Option(help="Use the generated sample HAR instead of a live capture.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the reports (default: WORKSPACE/demo).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the reports: ko or en.")] = "ko",
) -> None:
    """Run a whole investigation of the built-in demo shop, offline: capture in three consent
    phases, scan, read its policy, assess, and write the HTML and PDF reports.

    Example: privprobe demo --lang en --out demo-report
    """
    if lang not in ("ko", "en"):
        raise PrivprobeError(f"--lang {lang!r}: give ko or en")
    workspace: Workspace = ctx.obj
    _new_case(workspace)
    registry = Registry.from_entry_points()
    if not sample and (reason := _browser_missing()) is None:
        canaries = _capture_shop(workspace)
    else:
        if not sample:
            typer.echo(f"no live capture ({reason}): using the generated sample HAR instead")
        har = write_sample_har(_folder(workspace) / "shop-example.har")
        result = pipeline.import_file(
            workspace, DEMO_CASE, har, registry, phase=Phase.ACCEPTED, label="sample"
        )
        typer.echo(f"capture {result.capture.id}: {result.capture.flow_count} flows from {har.name}")
        with as_file(files("privprobe.capture.demo.site").joinpath("privacy.html")) as policy:
            pipeline.add_policy(workspace, DEMO_CASE, policy, "ko")
        canaries = [
            Canary("persona-email", "contact.email", PERSONA["email"]),
            Canary("persona-phone", "contact.phone", PERSONA["phone"]),
            Canary("persona-name", "identity.name", PERSONA["name"]),
        ]
    with workspace.store(DEMO_CASE) as store:
        for canary in canaries:
            store.add_canary(CaseId(DEMO_CASE), canary)
    done = pipeline.scan(workspace, DEMO_CASE, registry)
    typer.echo(f"scanned {done.flows} flows: {done.hits} hits")
    _show(workspace, sys.stdout)
    document = pipeline.report(workspace, DEMO_CASE, registry, pipeline.ReportOptions(lang))
    findings = document["findings"]
    typer.echo(
        f"{len(findings)} findings: "
        + ", ".join(str(f["id"]) for f in findings[:8])
        + (" …" if len(findings) > 8 else "")
    )
    for path in pipeline.write_reports(
        document, lang, (out or _folder(workspace)) / f"report-{DEMO_CASE}-{lang}"
    ):
        typer.echo(f"report: {path}")


def _new_case(workspace: Workspace) -> None:
    if workspace.db_url is None:
        shutil.rmtree(workspace.case_folder(DEMO_CASE), ignore_errors=True)  # the demo starts afresh
    case = Case(CaseId(DEMO_CASE), "Demo Shop Co., Ltd.", ("shop.example",), (), "KR")
    with workspace.store(DEMO_CASE, create=True) as store, contextlib.suppress(CaseError):
        store.add_case(case)  # in a shared database the demo case may exist from an earlier run


def _browser_missing() -> str | None:
    from privprobe.capture.browser import DEFAULT_EXECUTABLE, EXECUTABLE_VARIABLE

    executable = Path(os.environ.get(EXECUTABLE_VARIABLE) or DEFAULT_EXECUTABLE)
    if not executable.exists():
        return f"no Chromium at {executable}; scripts/setup.sh installs it"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed; scripts/setup.sh installs it"
    return None


def _capture_shop(workspace: Workspace) -> list[Canary]:
    from privprobe.capture.browser import CaptureOptions, capture_web
    from privprobe.capture.demo.shop import serve_shop

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    bundle = _folder(workspace) / f"bundle-{stamp}"
    with PERSONA_FILE.open(encoding="utf-8") as handle:
        raw = json.load(handle)
    persona = _folder(workspace) / "persona.json"
    persona.write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    with serve_shop() as shop:
        typer.echo(f"capturing the demo shop {shop.url} in three consent phases (Chromium)…")
        options = CaptureOptions(
            shop.url,
            bundle,
            pages=3,
            dwell=1.0,
            persona=persona,
            resolve=tuple(shop.resolve_rules()),
            phase_timeout=90.0,
        )
        capture_web(options)
    for result in pipeline.import_bundle(workspace, DEMO_CASE, bundle):
        capture = result.capture
        typer.echo(f"capture {capture.id}: {capture.flow_count} flows, phase {capture.phase}")
    taken: set[str] = set()
    canaries = []
    for entry in raw["canaries"]:
        canaries.append(new_canary(entry["type"], entry["value"], entry.get("name"), taken=taken))
        taken.add(canaries[-1].name)
    return canaries


def _folder(workspace: Workspace) -> Path:
    folder = workspace.root / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _show_policy(workspace: Workspace, out: IO[str]) -> None:
    for reading in pipeline.policies(workspace, DEMO_CASE):
        transfers = [
            {"recipient": d.recipient, "organisation": d.organisation, "countries": d.countries, "ground": d.ground,
             "vague": d.vague, "section": d.source.section}
            for d in reading.of_kind(DeclarationKind.TRANSFERS_ABROAD)
        ]  # fmt: skip
        title = f"Overseas transfers the policy declares ({reading.document.source_name})"
        write(
            transfers,
            ["recipient", "organisation", "countries", "ground", "vague", "section"],
            Format.TABLE,
            out,
            title,
        )
        gaps = [checklist_row(result) for result in check(reading, "pipa") if result.status != "present"]
        write(
            gaps,
            ["item", "article", "status", "missing"],
            Format.TABLE,
            out,
            title="Policy checklist: what is missing",
        )


def _show(workspace: Workspace, out: IO[str]) -> None:
    rows = [row.as_dict() for row in pipeline.destinations(workspace, DEMO_CASE)]
    columns = [
        "host",
        "organisation",
        "parent",
        "organisation_country",
        "server_countries",
        "party",
        "flows",
        "leaves_by_organisation",
    ]
    write(rows, columns, Format.TABLE, out, title="Where the demo shop's traffic goes")
    countries = [row.as_dict() for row in pipeline.destination_countries(workspace, DEMO_CASE)]
    write(
        countries,
        ["country", "by", "flows", "hosts", "organisations"],
        Format.TABLE,
        out,
        title="Destination countries",
    )
    hits = [h for h in pipeline.hits(workspace, DEMO_CASE) if str(h["source"]).startswith("canary:")]
    write(
        hits,
        [c for c in HIT_COLUMNS if c not in ("server_countries", "confidence")],
        Format.TABLE,
        out,
        title="The persona's data in the traffic (canary hits)",
    )
    _show_policy(workspace, out)
