"""The detector made of data: a pattern, the field names that give context, a validator, how sure.

A `PatternDetector` is configured, not subclassed (after Presidio's ``PatternRecognizer``): each
family module (``contact``, ``identity``, ...) declares instances whose fields say everything a
reviewer needs to judge them. For each match of ``pattern`` in a field's text:

=====================  ====================  ==========================================
validator says         field key matches     reported with
=====================  ====================  ==========================================
True (or no validator) yes                   ``confidence_with_key``
True (or no validator) no                    ``confidence_without_key`` (never if ``requires_key``)
None: cannot tell      yes                   ``confidence_unverified``
None: cannot tell      no                    not reported
False                  either                not reported
=====================  ====================  ==========================================

"Cannot tell" is for numbers whose check digit is no longer reliable, such as resident registration
numbers issued since October 2020. ``keyed_pattern`` is a looser pattern used instead of ``pattern``
under a matching key: ``010-9876-5432`` is a phone number anywhere, ``01098765432`` only under a
key such as ``phone``. Key names match `FieldText.key` case-insensitively, by word: ``phone`` matches
``phone``, ``user_phone`` and ``phoneNumber``; names of five letters or more, and Korean or Chinese
names, also match inside a key (``휴대폰`` in ``휴대폰번호``).

Detectors would run on every field of every flow, so each declares a ``trigger``: a regular
expression that every value it reports contains (``@``, a digit run, a hex run), which the Scanner
searches for all detectors at once, calling only the detectors whose trigger occurs. A ``prefilter``
rejects fields before the pattern runs when the detector is called directly, key matching is cached,
and regexes are compiled at import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from privprobe.plugins import Detection, FieldText

Validator = Callable[[str], bool | None]
"""Judges a matched value: True valid, False not this data type, None cannot tell."""
Describer = Callable[[str], str]
"""Says what a matched value is, for the explanation (``Luhn checksum valid, Visa prefix 4``)."""

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[\W_]+")


@lru_cache(maxsize=8192)
def key_words(key: str) -> tuple[str, ...]:
    """``key`` split into lower-case words: ``userPhoneNo`` → ``('user', 'phone', 'no')``."""
    return tuple(word for word in _SEPARATORS.split(_CAMEL.sub("_", key).casefold()) if word)


@lru_cache(maxsize=65536)
def key_matches(key: str, names: frozenset[str]) -> bool:
    """Whether field key ``key`` is one of ``names``, by word (see the module docstring)."""
    words = key_words(key)
    joined = "".join(words)
    for name in names:
        name_words = key_words(name)
        name_joined = "".join(name_words)
        if not name_joined:
            continue
        if name_joined == joined or (len(name_words) == 1 and name_joined in words):
            return True
        if (len(name_joined) >= 5 or not name_joined.isascii()) and name_joined in joined:
            return True
    return False


def key_trigger(names: frozenset[str]) -> str:
    """A regular expression that occurs in every casefolded key `key_matches` matches to ``names``: each
    name's letters, separators allowed between them (a key matches only when it holds them so)."""
    joined = sorted({"".join(key_words(name)) for name in names} - {""})
    return "|".join(r"[\W_]*".join(re.escape(char) for char in name) for name in joined)


def digits_of(value: str) -> str:
    """Only the ASCII digits of ``value``."""
    return "".join(char for char in value if "0" <= char <= "9")


def luhn_valid(number: str) -> bool:
    """Whether the digit string ``number`` passes the Luhn check (ISO/IEC 7812-1 Annex B)."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = ord(char) - 48
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class PatternDetector:
    """Finds one data type by a regular expression, key context and a validator; explains each hit."""

    name: str
    """Short unique name (``kr_rrn``); the entry in ``Registry.detectors``."""
    data_type: str
    """Id of the data type it finds, from ``reference/data_types.json``."""
    pattern: re.Pattern[str]
    """The value's form; a group named ``value`` delimits the value, else the whole match."""
    explanation: str
    """Template of the explanation: ``{detail}`` (from ``describe``) and the pattern's named groups."""
    key_names: frozenset[str] = frozenset()
    """Field names that give context (``phone``, ``tel``, ``휴대폰``)."""
    requires_key: bool = False
    """Report only in fields whose key matches ``key_names``."""
    keyed_pattern: re.Pattern[str] | None = None
    """A looser pattern used instead of ``pattern`` when the key matches; it accepts what ``pattern`` does."""
    validator: Validator | None = None
    """Checksum, date or range check of the value (True, False, or None for cannot tell)."""
    describe: Describer | None = None
    """Fills ``{detail}`` of the explanation from the value."""
    confidence_with_key: float = 0.9
    """Confidence of a valid value under a matching key."""
    confidence_without_key: float = 0.6
    """Confidence of a valid value without key context."""
    confidence_unverified: float = 0.5
    """Confidence when the validator cannot tell, under a matching key (never reported without one)."""
    prefilter: re.Pattern[str] | None = None
    """A cheap search that must succeed before ``pattern`` runs."""
    trigger: str | None = None
    """A regular expression that occurs in every field this detector reports in (the Scanner offers
    a field only to the detectors whose trigger occurs in it; see `privprobe.plugins.Detector`);
    None: offered every field. With ``keyed_pattern``, it must cover that pattern's values."""
    unkeyed_trigger: str | None = None
    """With ``keyed_pattern``: what occurs in every value ``pattern`` (the stricter) matches, which
    is all that is sought without a matching key; None: ``trigger``."""

    @property
    def key_trigger(self) -> str | None:
        """With ``requires_key``, or ``keyed_pattern`` and ``unkeyed_trigger``: what occurs in the
        casefolded key matching ``key_names`` (see `privprobe.plugins.Detector`); None otherwise."""
        keyed = self.keyed_pattern is not None and self.unkeyed_trigger is not None
        return key_trigger(self.key_names) if self.requires_key or keyed else None

    def detect(self, field: FieldText) -> Iterator[Detection]:
        """Every value of the data type in ``field``, with confidence and explanation."""
        keyed = field.key is not None and bool(self.key_names) and key_matches(field.key, self.key_names)
        if self.requires_key and not keyed:
            return
        if self.prefilter is not None and self.prefilter.search(field.text) is None:
            return
        pattern = self.keyed_pattern if keyed and self.keyed_pattern is not None else self.pattern
        for match in pattern.finditer(field.text):
            detection = self._judge(match, field.key if keyed else None)
            if detection is not None:
                yield detection

    def _judge(self, match: re.Match[str], key: str | None) -> Detection | None:
        group = "value" if "value" in match.re.groupindex else 0
        value = match.group(group)
        verdict = self.validator(value) if self.validator is not None else True
        if verdict is False or (verdict is None and key is None):
            return None
        if verdict is None:
            confidence = self.confidence_unverified
        else:
            confidence = self.confidence_with_key if key is not None else self.confidence_without_key
        detail = self.describe(value) if self.describe is not None else ""
        body = self.explanation.format_map({**match.groupdict(""), "detail": detail})
        explanation = f"key '{key}' and {body}" if key is not None else f"{body}, without a context key"
        start, end = match.span(group)
        return Detection(start, end, value, confidence, explanation)
