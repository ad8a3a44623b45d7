"""privprobe import | verify | captures | flows: evidence into a case, and what it holds."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from privprobe import pipeline
from privprobe.capture.bundle import verify
from privprobe.cli.app import FormatOption, NameArg, app, err
from privprobe.errors import PrivprobeError
from privprobe.ingest.bundle import bundle_phases, is_bundle
from privprobe.model import Phase
from privprobe.plugins import Registry
from privprobe.store import Workspace
from privprobe.tables import Format, write


@app.command("import")
def import_files(
    ctx: typer.Context,
    name: NameArg,
    files: Annotated[
        list[Path], typer.Argument(help="HAR, mitmproxy dump, pcap or pcapng files, or bundles.")
    ],
    phase: Annotated[Phase, typer.Option(help="Consent phase during the capture.")] = Phase.UNKNOWN,
    label: Annotated[str | None, typer.Option(help="Label of the capture (default: file name).")] = None,
) -> None:
    """Seal evidence in the workspace and read it into the case: one capture per file, or per bundle phase.

    Example: privprobe import temu-2024 first-run.har --phase before_consent
    A file that breaks off half-way is kept as a partial capture; the command then exits with 1.
    A bundle (from privprobe capture web) is verified first and refused whole if it does not verify.
    """
    workspace: Workspace = ctx.obj
    registry = Registry.from_entry_points()
    faults = []
    for path in files:
        with _progress(f"reading {path.name}") as advance:
            if is_bundle(path):
                results = pipeline.import_bundle(workspace, name, path, progress=advance)
                for left_out in (p for p in bundle_phases(path) if not p.importable):
                    typer.echo(f"phase {left_out.phase} not imported: {left_out.outcome} ({left_out.reason})")
            else:
                results = [
                    pipeline.import_file(
                        workspace, name, path, registry, phase=phase, label=label, progress=advance
                    )
                ]
        for result in results:
            capture = result.capture
            state = " (partial)" if capture.partial else ""
            typer.echo(f"capture {capture.id}: {capture.flow_count} flows from {capture.label}{state}")
            if result.error is not None:
                faults.append(str(result.error))
    if faults:
        raise PrivprobeError("; ".join(faults) + " (flows before the fault were kept)")


@app.command("verify")
def verify_bundle(
    bundle: Annotated[
        Path, typer.Argument(help="An evidence bundle folder written by privprobe capture web.")
    ],
) -> None:
    """Check a bundle against its manifest: every changed, missing or extra file, one line each.

    Example: privprobe verify evidence/shop-2026-11-28
    Exits with 1 when anything differs.
    """
    problems = verify(bundle)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        raise PrivprobeError(f"{bundle.name}: {len(problems)} problem(s): the bundle does not verify")
    typer.echo(f"{bundle.name}: every file matches the manifest")


@app.command("captures")
def captures(ctx: typer.Context, name: NameArg, fmt: FormatOption = Format.TABLE) -> None:
    """List the captures of a case with their evidence files."""
    with ctx.obj.store(name) as store:
        store.case(name)
        show_captures(store.captures(name), fmt)


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


@contextlib.contextmanager
def _progress(description: str) -> Iterator[Callable[[int], None]]:
    """A transient progress line on a terminal (nothing elsewhere); yields the flow-count callback."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} flows"))
    with Progress(
        *columns, TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal
    ) as bar:
        task = bar.add_task(description, total=None)
        yield lambda count: bar.update(task, completed=count)


def show_captures(items: list[Any], fmt: Format) -> None:
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
