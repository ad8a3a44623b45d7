"""privprobe capture web: a real Chromium through the three consent phases, sealed as a bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from privprobe.cli.app import capture_app, err


@capture_app.command("web")
def capture_web(
    name: Annotated[str, typer.Argument(help="A name for the capture (the bundle folder's default name).")],
    url: Annotated[str, typer.Argument(help="The page to start from.")],
    pages: Annotated[int, typer.Option(help="Same-site pages visited per phase.")] = 5,
    dwell: Annotated[
        float, typer.Option(help="Seconds on each page, scroll included, before saving it.")
    ] = 3.0,
    persona: Annotated[
        Path | None, typer.Option(help="Persona file: canaries and login/checkout steps.")
    ] = None,
    resolve: Annotated[
        list[str] | None, typer.Option(help="HOST:IP[:PORT] like curl's --resolve, for lab set-ups (repeat).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Bundle folder to write (default: ./NAME).")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds after which a phase is stopped (partial).")] = 120.0,
) -> None:
    """Capture a website before consent, after accepting and after refusing, into a sealed bundle.

    Example: privprobe capture web shop https://www.shop.example/ --pages 3 --out evidence/shop
    Then: privprobe verify evidence/shop; privprobe import CASE evidence/shop
    """
    from privprobe.capture.browser import CaptureOptions
    from privprobe.capture.browser import capture_web as run

    options = CaptureOptions(
        url=url,
        out=out or Path(name),
        pages=pages,
        dwell=dwell,
        persona=persona,
        resolve=tuple(resolve or ()),
        phase_timeout=timeout,
    )
    bundle = run(options, progress=_show if err.is_terminal else None)
    typer.echo(f"bundle sealed: {bundle}")


def _show(text: str) -> None:
    err.print(Text(text), style="dim")
