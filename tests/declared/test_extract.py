"""Declarations and checklists of the labelled policies, compared item by item with their labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from privprobe.declared.policy import check, extract, load_policy
from tests.declared.labels import LABELLED, best_match, labelled, load_labels

KNOWN_MISSES = {
    "en_global-7": "'card' alone is no data item; the card sentence is split from its items",
    "en_global-21": "a category joined by 'or' to another is read as a summary sentence",
    "en_global-24": "the SCC sentence is a GDPR safeguard, not kept as the transfer's basis",
    "ko_prose-5": "'강사' (tutors) is a domain word, not in the category lexicon",
    "zh_en_mixed-0": "必要个人信息 and the English gloss in one line confuse required/optional",
    "zh_en_mixed-4": "location inferred from the IP address is not read as a collected item",
    "zh_en_mixed-11": "the retention sentence is split from its period by the bilingual line",
    "ko_prose-pipa.retention": "statutory retention without a named law still counts as a period",
    "ko_prose-pipa.changes": "an effective date alone is graded present; history of versions is not checked",
    "ko_prose-gdpr.requirement": "consequences stated for some provisions only are not told apart",
    "zh_en_mixed-pipa.automatic_collection": "a refusal for one SDK is taken as a refusal for all",
    "zh_en_mixed-gdpr.requirement": "a consequence stated for one item is taken as stated for all",
}
"""Labelled items the extractor gets wrong today, with why: strict xfails, so a fix shows up."""


def _known(case_id: str) -> list[pytest.MarkDecorator]:
    reason = KNOWN_MISSES.get(case_id)
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


CASES = [(path, index) for path in labelled() for index in range(len(load_labels(path)["declarations"]))]


def _reading(path: Path):  # type: ignore[no-untyped-def]
    labels = load_labels(path)
    return extract(load_policy(LABELLED / labels["file"], labels.get("language")))


_READINGS: dict[Path, object] = {}


def reading_of(path: Path):  # type: ignore[no-untyped-def]
    if path not in _READINGS:
        _READINGS[path] = _reading(path)
    return _READINGS[path]


@pytest.mark.parametrize(
    ("path", "index"),
    [
        pytest.param(p, i, id=f"{p.name.split('.')[0]}-{i}", marks=_known(f"{p.name.split('.')[0]}-{i}"))
        for p, i in CASES
    ],
)
def test_declaration(path: Path, index: int) -> None:
    expected = load_labels(path)["declarations"][index]
    got, problems = best_match(expected, reading_of(path))
    assert got is not None and not problems, f"{expected}: {problems} (got {got})"


CHECKS = [
    (path, regime, item)
    for path in labelled()
    for regime, items in load_labels(path)["checklist"].items()
    for item in items
]


@pytest.mark.parametrize(
    ("path", "regime", "item"),
    [
        pytest.param(
            p, r, i, id=f"{p.name.split('.')[0]}-{r}.{i}", marks=_known(f"{p.name.split('.')[0]}-{r}.{i}")
        )
        for p, r, i in CHECKS
    ],
)
def test_checklist(path: Path, regime: str, item: str) -> None:
    labels = load_labels(path)
    expected = labels["checklist"][regime][item]
    results = {result.item.id: result for result in check(reading_of(path), regime)}
    result = results[f"{regime}.{item}"]
    assert result.status == expected, (
        f"{result.status} != {expected}: missing {result.missing}; label reason: {labels.get('reasons', {}).get(f'{regime}.{item}')}"
    )
