"""Payment card numbers: Luhn check digit and a known issuer range, or nothing."""

from __future__ import annotations

import pytest

from privprobe.enrich.detectors.payment import PAYMENT_CARD, brand_of
from tests.enrich.detectors import detect, grouped, values, with_luhn_digit

# Invented numbers of each brand, completed with a Luhn check digit.
VISA_16 = with_luhn_digit("400012345678901")
VISA_13 = with_luhn_digit("412345678901")
VISA_19 = with_luhn_digit("498765432109876543")
MASTERCARD = with_luhn_digit("531234567890123")
MASTERCARD_2 = with_luhn_digit("222134567890123")
AMEX = with_luhn_digit("37123456789012")
JCB = with_luhn_digit("353012345678901")
UNIONPAY = with_luhn_digit("621234567890123")
UNIONPAY_19 = with_luhn_digit("621234567890123456")
DINERS = with_luhn_digit("3612345678901")
DISCOVER = with_luhn_digit("601112345678901")
KOREAN_DOMESTIC = with_luhn_digit("941012345678901")


def broken(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


@pytest.mark.parametrize(
    ("text", "key", "brand", "prefix", "confidence"),
    [
        (VISA_16, None, "Visa", "4", 0.75),
        (grouped(VISA_16), None, "Visa", "4", 0.75),
        (grouped(VISA_16, separator="-"), None, "Visa", "4", 0.75),
        (VISA_13, None, "Visa", "4", 0.75),
        (grouped(VISA_19), None, "Visa", "4", 0.75),
        (MASTERCARD, None, "Mastercard", "53", 0.75),
        (MASTERCARD_2, None, "Mastercard", "2221", 0.75),
        (grouped(AMEX, (4, 6, 5)), None, "American Express", "37", 0.75),
        (JCB, None, "JCB", "3530", 0.75),
        (UNIONPAY, None, "UnionPay", "62", 0.75),
        (UNIONPAY_19, None, "UnionPay", "62", 0.75),
        (DINERS, None, "Diners Club", "36", 0.75),
        (DISCOVER, None, "Discover", "6011", 0.75),
        (KOREAN_DOMESTIC, None, "Korean domestic", "9", 0.75),
        (VISA_16, "cardNo", "Visa", "4", 0.95),
        (grouped(VISA_16), "카드번호", "Visa", "4", 0.95),
    ],
)
def test_card_found(text: str, key: str | None, brand: str, prefix: str, confidence: float) -> None:
    [found] = detect(PAYMENT_CARD, f'{{"v":"{text}"}}', key)
    assert (found.value, found.confidence) == (text, confidence)
    assert f"Luhn checksum valid, {brand} prefix {prefix}" in found.explanation


def test_card_explanation() -> None:
    [found] = detect(PAYMENT_CARD, VISA_16, "card_number")
    assert found.explanation == "key 'card_number' and Luhn checksum valid, Visa prefix 4"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (broken(VISA_16), "card_number"),  # Luhn fails
        (broken(AMEX), None),
        (with_luhn_digit("171234567890"), None),  # a millisecond timestamp that happens to pass Luhn
        (with_luhn_digit("123456789012345"), "card"),  # no brand starts with 1
        (with_luhn_digit("800012345678901"), None),  # nor with 8
        (with_luhn_digit("40001234567890"), None),  # Visa has no 15-digit numbers
        (with_luhn_digit("341234567890123"), None),  # Amex has 15 digits, not 16
        (with_luhn_digit("94101234567890"), None),  # Korean domestic cards have 16 digits
        (grouped(VISA_16)[:9] + "-" + grouped(VISA_16)[10:], None),  # mixed separators
        ("ord" + VISA_16, None),  # part of an identifier
        (VISA_16 + "7", None),  # 17 digits, Luhn no longer holds
        (VISA_16 + ".5", None),  # a decimal
        ("4444444444444448", None),  # one digit repeated
        ("2024-06-01 12:34:56", None),
        ("10.1234.5678", None),
    ],
)
def test_card_not_found(text: str, key: str | None) -> None:
    assert values(PAYMENT_CARD, text, key) == []


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4" + "0" * 15, ("Visa", "4")),
        ("2720" + "0" * 12, ("Mastercard", "2720")),
        ("2721" + "0" * 12, None),
        ("3589" + "0" * 12, ("JCB", "3589")),
        ("3527" + "0" * 12, None),
        ("305" + "0" * 11, ("Diners Club", "305")),
        ("649" + "0" * 13, ("Discover", "649")),
        ("65" + "0" * 14, ("Discover", "65")),
    ],
)
def test_issuer_ranges(number: str, brand: tuple[str, str] | None) -> None:
    assert brand_of(number) == brand
