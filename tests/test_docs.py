"""The docs are part of the product: a command, option or model field without its text fails here."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import typer

from privprobe import facts, findings, model
from privprobe.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _sections(path: Path) -> dict[str, str]:
    """Level-2 sections of a Markdown file by heading."""
    parts = re.split(r"^## (.+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def _commands(command: Any, prefix: str) -> list[tuple[str, Any]]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return [(prefix, command)]
    found: list[tuple[str, Any]] = []
    for name, sub in sorted(subcommands.items()):
        found.extend(_commands(sub, f"{prefix} {name}"))
    return found


COMMANDS = _commands(typer.main.get_command(app), "privprobe")
CLI_DOC = _sections(DOCS / "cli.md")


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[path for path, _ in COMMANDS])
def test_every_command_and_option_is_documented(path: str, command: Any) -> None:
    assert path in CLI_DOC, f"docs/cli.md has no section '## {path}'"
    text = CLI_DOC[path]
    for param in command.params:
        for option in param.opts:
            if option.startswith("--") and option != "--help":
                assert option in text, f"docs/cli.md '## {path}' does not mention {option}"


def test_every_command_has_help() -> None:
    for path, command in COMMANDS:
        assert command.help, f"{path} has no docstring (its --help)"


DATACLASSES = [
    cls
    for module in (model, facts, findings)
    for cls in vars(module).values()
    if dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__
]


@pytest.mark.parametrize("cls", DATACLASSES, ids=lambda cls: cls.__name__)
def test_every_model_field_is_documented(cls: type) -> None:
    sections = _sections(DOCS / "evidence-model.md")
    assert cls.__name__ in sections, f"docs/evidence-model.md has no section '## {cls.__name__}'"
    for field in dataclasses.fields(cls):
        assert f"`{field.name}`" in sections[cls.__name__], f"{cls.__name__}.{field.name} is undocumented"


@pytest.mark.parametrize("cls", DATACLASSES, ids=lambda cls: cls.__name__)
def test_every_model_field_has_a_docstring(cls: type) -> None:
    source = Path(__import__(cls.__module__, fromlist=["x"]).__file__ or "").read_text(encoding="utf-8")
    body = source.split(f"class {cls.__name__}", 1)[1]
    for field in dataclasses.fields(cls):
        assert re.search(rf"^\s+{field.name}: .*\n\s+\"\"\"", body, re.MULTILINE), (
            f"{cls.__name__}.{field.name} has no attribute docstring"
        )


def test_readme_gives_the_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "./scripts/setup.sh && .venv/bin/privprobe demo" in readme
    assert "./scripts/setup.sh --dev && .venv/bin/python -m pytest" in readme
    ci = (DOCS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/setup.sh --dev" in ci and ".venv/bin/python -m pytest" in ci


def test_every_check_and_rule_is_documented() -> None:
    from privprobe.assess.checks import CHECKS
    from privprobe.plugins import Registry

    text = (DOCS / "assessment.md").read_text(encoding="utf-8")
    for name in CHECKS:
        assert f"| `{name}` |" in text, f"docs/assessment.md does not list the check {name}"
    for regime in Registry.from_entry_points().regimes.values():
        for rule in getattr(regime, "rules", {}):
            assert f"| `{rule}` |" in text, f"docs/assessment.md does not list the {regime.name} rule {rule}"
