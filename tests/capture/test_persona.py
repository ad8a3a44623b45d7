"""Persona files: the demo's loads, and every malformed step is refused naming the file and the step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from privprobe.errors import InputError

pytest.importorskip("playwright")

from privprobe.capture.persona import Step, load_persona  # needs playwright

DEMO = Path(__file__).resolve().parents[2] / "src" / "privprobe" / "capture" / "demo" / "persona.json"
CANARIES = [{"name": "persona-email", "type": "contact.email", "value": "minji.kim@example.com"}]


def _write(tmp_path: Path, steps: Any, canaries: Any = CANARIES) -> Path:
    path = tmp_path / "persona.json"
    path.write_text(json.dumps({"canaries": canaries, "steps": steps}), encoding="utf-8")
    return path


def test_the_demo_persona_loads() -> None:
    if not DEMO.is_file():
        pytest.skip("the demo persona is not there yet")
    persona = load_persona(DEMO)
    assert persona.name == "persona.json"
    assert persona.canaries["persona-email"] == "minji.kim@example.com"
    assert persona.steps[0] == Step("goto", "/login")
    assert {step.kind for step in persona.steps} == {"goto", "fill", "click", "wait"}


def test_steps_describe_themselves_without_canary_values(tmp_path: Path) -> None:
    steps = [{"fill": "input[name=email]", "canary": "persona-email"}, {"wait": 500}, {"wait": "networkidle"}]
    persona = load_persona(_write(tmp_path, steps))
    assert [step.describe() for step in persona.steps] == [
        "fill input[name=email] with canary persona-email",
        "wait 500",
        "wait networkidle",
    ]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([{"goto": "/a", "click": "#b"}], r"steps\[0\] needs exactly one of"),
        ([{"scroll": "down"}], r"steps\[0\] needs exactly one of"),
        ([{"fill": "#email"}], 'exactly one of "canary" and "value"'),
        (
            [{"fill": "#email", "canary": "persona-email", "value": "x"}],
            'exactly one of "canary" and "value"',
        ),
        ([{"fill": "#email", "canary": "persona-phone"}], "no canary named 'persona-phone'"),
        ([{"goto": "file:///etc/passwd"}], "a path or an http"),
        ([{"wait": "forever"}], "wait is"),
        ([{"wait": 600_000}], "wait is"),
        ([{"click": ""}], "needs a non-empty string"),
        ("not a list", '"steps" must be a list'),
    ],
)
def test_bad_steps_are_refused(steps: Any, message: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=message) as caught:
        load_persona(_write(tmp_path, steps))
    assert str(caught.value).startswith("persona.json: ")


def test_bad_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "persona.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable JSON persona file"):
        load_persona(path)
    with pytest.raises(InputError, match=r"canaries\[0\] needs a string name and value"):
        load_persona(_write(tmp_path, [], canaries=[{"name": "x"}]))
