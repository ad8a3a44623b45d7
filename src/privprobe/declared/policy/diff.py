"""What changed between two versions of a policy: recipients, countries, data items, purposes, retention.

Versions are compared on what they declare, not on their wording: a recipient is the same when it
matches the same organisation (or, unmatched, the same name after folding case and spaces), so
"Google LLC" in the old version and "구글" in the new one is no change. Every change cites the span
in the version that has it (both versions for a changed retention period).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from privprobe.declared.policy.extract import Reading
from privprobe.facts import Declaration, DeclarationKind, PolicySpan

K = DeclarationKind
Change = Literal["added", "removed", "changed"]
RECIPIENT_KINDS = (K.PROVIDES, K.ENTRUSTS, K.TRANSFERS_ABROAD, K.AUTOMATIC_COLLECTION)


@dataclass(frozen=True)
class Difference:
    """One declared thing that one version has and the other has not (or has differently)."""

    change: Change
    """``added`` (only in the new version), ``removed`` (only in the old) or ``changed``."""
    what: str
    """``recipient``, ``country``, ``data_type``, ``purpose`` or ``retention``."""
    value: str
    """The recipient (``provides: Google LLC``), country code, data-type id, purpose or items."""
    old: PolicySpan | None
    """Where the old version says it, None when it does not."""
    new: PolicySpan | None
    """Where the new version says it, None when it does not."""
    old_text: str = ""
    """The old wording of a changed retention period."""
    new_text: str = ""
    """The new wording."""


def diff(old: Reading, new: Reading) -> list[Difference]:
    """Everything added, removed or changed from ``old`` to ``new``, grouped by what it is."""
    found: list[Difference] = []
    for what, keyed in (("recipient", _recipients), ("country", _countries),
                        ("data_type", _data_types), ("purpose", _purposes)):  # fmt: skip
        before, after = keyed(old.declarations), keyed(new.declarations)
        found += [
            Difference("removed", what, key, span, None) for key, span in before.items() if key not in after
        ]
        found += [
            Difference("added", what, key, None, span) for key, span in after.items() if key not in before
        ]
    found += _retention(old.declarations, new.declarations)
    return found


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _first(pairs: Iterable[tuple[str, PolicySpan]]) -> dict[str, PolicySpan]:
    found: dict[str, PolicySpan] = {}
    for key, span in pairs:
        found.setdefault(key, span)
    return found


def _recipients(declarations: Iterable[Declaration]) -> dict[str, PolicySpan]:
    return _first(
        (f"{d.kind.value}: {d.organisation or d.recipient}", d.source)
        for d in declarations
        if d.kind in RECIPIENT_KINDS and d.recipient
    )


def _countries(declarations: Iterable[Declaration]) -> dict[str, PolicySpan]:
    kinds = (*RECIPIENT_KINDS, K.STORES_IN)
    return _first((code, d.source) for d in declarations if d.kind in kinds for code in d.countries)


def _data_types(declarations: Iterable[Declaration]) -> dict[str, PolicySpan]:
    return _first((id, d.source) for d in declarations for id in d.data_types)


def _purposes(declarations: Iterable[Declaration]) -> dict[str, PolicySpan]:
    spans = _first((_fold(d.purpose), d.source) for d in declarations if d.kind is K.PURPOSE and d.purpose)
    texts = {_fold(d.purpose): d.purpose for d in declarations if d.kind is K.PURPOSE and d.purpose}
    return {texts[key]: span for key, span in spans.items()}


def _retention(old: Iterable[Declaration], new: Iterable[Declaration]) -> list[Difference]:
    before = {_retention_key(d): d for d in old if d.kind is K.RETAINS}
    after = {_retention_key(d): d for d in new if d.kind is K.RETAINS}
    found = []
    for key, then in before.items():
        now = after.get(key)
        if now is None:
            found.append(Difference("removed", "retention", then.retention, then.source, None))
        elif _fold(now.retention) != _fold(then.retention):
            found.append(
                Difference(
                    "changed", "retention", key, then.source, now.source, then.retention, now.retention
                )
            )
    found += [
        Difference("added", "retention", now.retention, None, now.source)
        for key, now in after.items()
        if key not in before
    ]
    return found


def _retention_key(declaration: Declaration) -> str:
    """Retention statements are matched by the items or the statute they are about."""
    if declaration.data_types:
        return ", ".join(sorted(declaration.data_types))
    return declaration.basis or _fold(declaration.items or declaration.retention)
