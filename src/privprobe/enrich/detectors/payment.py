"""Payment card numbers (``commerce.payment_card``).

A card number (PAN, ISO/IEC 7812-1) is 13 to 19 digits: an issuer identification number (IIN) at the
start and a Luhn check digit at the end (ISO/IEC 7812-1 Annex B). Luhn alone passes one random number
in ten, and shops are full of long numeric ids and millisecond timestamps, so a number is reported
only when it also starts with a known IIN range and has a length that brand issues:

=======================  =========================================  ===============
brand                    IIN ranges                                 lengths
=======================  =========================================  ===============
Visa                     4                                          13, 16, 19
Mastercard               51-55, 2221-2720                           16
American Express         34, 37                                     15
JCB                      3528-3589                                  16-19
UnionPay                 62                                         16-19
Diners Club              300-305, 36, 38-39                         14-19
Discover                 6011, 644-649, 65                          16-19
Korean domestic          9 (ISO/IEC 7812 major industry identifier  16
                         9, "national use": BC and other cards
                         issued for use in Korea only)
=======================  =========================================  ===============

Ranges as published in the brands' acceptance guides and summarised at
https://en.wikipedia.org/wiki/Payment_card_number. Written plain (``4000123412341234``) or in groups
of four (or Amex's 4-6-5) separated by one consistent space or hyphen.
"""

from __future__ import annotations

import re

from privprobe.enrich.detectors.base import PatternDetector, digits_of, luhn_valid

CARD_KEYS = frozenset(
    [
        "card",
        "card_no",
        "cardno",
        "card_number",
        "cardnumber",
        "pan",
        "ccnum",
        "cc_number",
        "credit_card",
        "creditcard",
        "카드번호",
        "신용카드",
        "卡号",
        "银行卡号",
        "信用卡号",
    ]
)

BRANDS: tuple[tuple[str, tuple[tuple[int, int], ...], frozenset[int]], ...] = (
    ("Visa", ((4, 4),), frozenset({13, 16, 19})),
    ("Mastercard", ((51, 55), (2221, 2720)), frozenset({16})),
    ("American Express", ((34, 34), (37, 37)), frozenset({15})),
    ("JCB", ((3528, 3589),), frozenset(range(16, 20))),
    ("UnionPay", ((62, 62),), frozenset(range(16, 20))),
    ("Diners Club", ((300, 305), (36, 36), (38, 39)), frozenset(range(14, 20))),
    ("Discover", ((6011, 6011), (644, 649), (65, 65)), frozenset(range(16, 20))),
    ("Korean domestic", ((9, 9),), frozenset({16})),
)
"""Brand, IIN ranges (as leading-digit numbers, inclusive) and card-number lengths."""


def brand_of(number: str) -> tuple[str, str] | None:
    """The brand and matching IIN prefix of a digit string, by the table above; None when unknown."""
    for brand, ranges, lengths in BRANDS:
        if len(number) not in lengths:
            continue
        for low, high in ranges:
            prefix = number[: len(str(low))]
            if low <= int(prefix) <= high:
                return brand, prefix
    return None


def card_valid(value: str) -> bool:
    """A known brand's IIN and length, a Luhn check digit, and not one digit repeated between them."""
    number = digits_of(value)
    return brand_of(number) is not None and luhn_valid(number) and len(set(number[1:-1])) > 1


def card_description(value: str) -> str:
    """``Luhn checksum valid, Visa prefix 4``."""
    brand, prefix = brand_of(digits_of(value)) or ("unknown", "?")
    return f"Luhn checksum valid, {brand} prefix {prefix}"


_BEFORE = r"(?<![0-9A-Za-z_.-])"
_AFTER = r"(?![0-9A-Za-z_]|[.,-]\d)"

PAYMENT_CARD = PatternDetector(
    name="payment_card",
    data_type="commerce.payment_card",
    pattern=re.compile(
        rf"{_BEFORE}(?P<value>\d{{13,19}}"
        r"|\d{4}(?P<s>[ -])\d{4}(?P=s)\d{4}(?P=s)\d{1,4}(?:(?P=s)\d{3})?"
        rf"|\d{{4}}(?P<a>[ -])\d{{6}}(?P=a)\d{{4,5}}){_AFTER}"
    ),
    explanation="{detail}",
    key_names=CARD_KEYS,
    validator=card_valid,
    describe=card_description,
    confidence_with_key=0.95,
    confidence_without_key=0.75,
    prefilter=re.compile(r"\d{4}"),
    # Every brand's IIN starts with 2-6 or 9 (the first ASCII digit of the value, as `brand_of` reads it).
    trigger=r"[2-69]\d{12}|\d{4}[ -]\d{4}[ -]\d{4}[ -]\d|\d{4}[ -]\d{6}[ -]\d{4}",
)
