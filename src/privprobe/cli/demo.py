"""privprobe demo: the whole story on the built-in sample, offline."""

from __future__ import annotations

import sys

import typer

from privprobe.cli.app import app


@app.command("demo")
def demo(ctx: typer.Context) -> None:
    """Build a sample case from generated evidence and show where its data goes (offline)."""
    from privprobe.capture.demo.sample import run_demo

    run_demo(ctx.obj, sys.stdout)
