"""Labelled policies: the expected declarations and checklist, and how extraction is scored on them.

Each ``data/labelled/<name>.labels.json`` names its policy file and lists expected declarations;
every key but ``kind`` is optional and only the keys given are compared. Used by the tests (item by
item) and by ``bench/policy.py`` (precision and recall).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from privprobe.declared.policy import Reading
from privprobe.facts import Declaration, DeclarationKind

LABELLED = Path(__file__).parent / "data" / "labelled"
RECIPIENT_KINDS = {"provides", "entrusts", "transfers_abroad", "domestic_agent", "privacy_officer"}


def labelled() -> list[Path]:
    """Every labels file."""
    return sorted(LABELLED.glob("*.labels.json"))


def load_labels(path: Path) -> dict[str, Any]:
    """One labels file."""
    labels: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return labels


def fold(text: str) -> str:
    return re.sub(r"[\s,.()]+", "", text).casefold()


def same_party(expected: dict[str, Any], got: Declaration) -> bool:
    """Does ``got`` speak of the recipient (or items) ``expected`` names?"""
    if got.kind.value != expected["kind"]:
        return False
    if expected.get("organisation"):
        return got.organisation == expected["organisation"]
    if expected.get("recipient"):
        want, have = fold(expected["recipient"]), fold(got.recipient)
        return bool(have) and (want in have or have in want)
    if expected.get("data_types"):
        return set(expected["data_types"]) <= set(got.data_types)
    return True


def problems(expected: dict[str, Any], got: Declaration, text: str) -> list[str]:
    """How ``got`` differs from ``expected`` on the keys the label gives."""
    found = []
    if "countries" in expected and set(expected["countries"]) != set(got.countries):
        found.append(f"countries {sorted(got.countries)} != {sorted(expected['countries'])}")
    if "data_types" in expected and not set(expected["data_types"]) <= set(got.data_types):
        found.append(
            f"data_types {sorted(got.data_types)} lack {sorted(set(expected['data_types']) - set(got.data_types))}"
        )
    for name in expected.get("filled", ()):
        if not _value(got, name):
            found.append(f"{name} empty")
    for name in expected.get("empty", ()):
        if _value(got, name):
            found.append(f"{name} should be empty, is {_value(got, name)!r}")
    for key in ("vague", "required", "ground"):
        if key in expected and getattr(got, key) != expected[key]:
            found.append(f"{key} {getattr(got, key)!r} != {expected[key]!r}")
    if (
        expected.get("parent")
        and fold(expected["parent"]) not in fold(got.parent)
        and fold(got.parent) not in fold(expected["parent"])
    ):
        found.append(f"parent {got.parent!r} != {expected['parent']!r}")
    if expected.get("quote") and expected["quote"] not in text[got.source.start : got.source.end]:
        found.append(f"span does not cover {expected['quote']!r}")
    return found


def _value(declaration: Declaration, name: str) -> Any:
    if name == "items":
        return declaration.items or declaration.data_types
    return getattr(declaration, name)


def best_match(
    expected: dict[str, Any], reading: Reading, taken: frozenset[int] = frozenset()
) -> tuple[Declaration | None, list[str]]:
    """The extracted declaration that fits ``expected`` best (not one of ``taken``, by id()), and
    its remaining differences."""
    best: tuple[Declaration | None, list[str]] = (None, ["not found"])
    for got in reading.declarations:
        if id(got) not in taken and same_party(expected, got):
            found = problems(expected, got, reading.document.text)
            if best[0] is None or len(found) < len(best[1]):
                best = (got, found)
    return best


@dataclass
class Score:
    """True positives, false positives and false negatives of one measure."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, expected: set[str], got: set[str], where: str) -> None:
        self.tp += len(expected & got)
        self.fp += len(got - expected)
        self.fn += len(expected - got)
        self.misses += [f"{where}: missed {value}" for value in sorted(expected - got)]
        self.misses += [f"{where}: extra {value}" for value in sorted(got - expected)]


def who(kind: str, organisation: str | None, recipient: str, parent: str = "") -> str:
    """A recipient's identity for scoring: a sub-trustee is told apart by its trustee."""
    return f"{kind}:{organisation or fold(recipient)}" + (f"<{fold(parent)}" if parent else "")


def score(labels: dict[str, Any], reading: Reading, scores: dict[str, Score]) -> None:
    """Add one policy's recipients, countries and data items to ``scores``."""
    name = labels["file"]
    expected = [e for e in labels["declarations"] if e["kind"] in RECIPIENT_KINDS]
    matched: dict[int, Declaration] = {}
    for index, label in enumerate(expected):
        got, _ = best_match(label, reading, frozenset(id(m) for m in matched.values()))
        if got is not None:
            matched[index] = got
    extracted = [d for d in reading.declarations if d.kind.value in RECIPIENT_KINDS and d.recipient]
    want = {who(e["kind"], e.get("organisation"), e.get("recipient", "")) for e in expected}
    have = {
        who(e["kind"], e.get("organisation"), e.get("recipient", ""))
        for i, e in enumerate(expected)
        if i in matched
    }
    unmatched = [d for d in extracted if all(d is not m for m in matched.values())]
    have |= {who(d.kind.value, d.organisation, d.recipient) for d in unmatched}
    scores["recipients"].add(want, have, name)
    countries_want = {c for e in labels["declarations"] for c in e.get("countries", ())}
    kinds = RECIPIENT_KINDS | {"stores_in"}
    countries_have = {c for d in reading.declarations if d.kind.value in kinds for c in d.countries}
    scores["countries"].add(countries_want, countries_have, name)
    items_want = {
        t
        for e in labels["declarations"]
        if e["kind"] == DeclarationKind.COLLECTS.value
        for t in e.get("data_types", ())
    }
    items_have = {t for d in reading.of_kind(DeclarationKind.COLLECTS) for t in d.data_types}
    scores["data_items"].add(items_want, items_have, name)
