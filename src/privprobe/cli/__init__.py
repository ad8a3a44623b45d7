"""The ``privprobe`` command line: each command opens the workspace and calls one library function.

Every listing command takes ``--format table|json|jsonl|csv``. Errors a user can meet print one line
naming the file or case and what to do, and exit with status 1; usage errors exit with status 2.
Values from evidence are shown through `privprobe.tables`, which never lets them act as markup.

One module per group of commands: ``capture``, ``cases``, ``evidence``, ``destinations``, ``personal_data``,
``policy``, ``penalty`` (case facts and the penalty worksheet), ``assess`` (findings and their status),
``demo``; ``app`` holds the application and what they share.
"""

from privprobe.cli import (
    assess,
    capture,
    cases,
    demo,
    destinations,
    evidence,
    penalty,
    personal_data,
    policy,
    report,
)
from privprobe.cli.app import app

__all__ = [
    "app",
    "assess",
    "capture",
    "cases",
    "demo",
    "destinations",
    "evidence",
    "main",
    "penalty",
    "personal_data",
    "policy",
    "report",
]


def main() -> None:
    """Entry point of the ``privprobe`` command."""
    app()
