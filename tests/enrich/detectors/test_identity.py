"""Korean identity numbers: RRN (date, century, check digit, post-2020 numbers), foreigner registration,
passport, driver's licence and personal customs clearance code."""

from __future__ import annotations

import pytest

from privprobe.enrich.detectors.identity import (
    KR_DRIVER_LICENCE,
    KR_FOREIGNER_NO,
    KR_PASSPORT,
    KR_PCCC,
    KR_RRN,
    birth_date,
    check_digit,
)
from tests.enrich.detectors import detect, rrn, values, with_rrn_check_digit, wrong_check_digit

VALID_1985 = rrn("850312", "1")  # male, born 1985-03-12
VALID_2003 = rrn("030405", "4")  # female, born 2003-04-05
LEAP_2000 = rrn("000229", "3")  # 2000 was a leap year
RANDOM_2021 = wrong_check_digit(rrn("210915", "3"))  # issued after October 2020: no check digit


@pytest.mark.parametrize(
    ("text", "key", "value", "confidence", "why"),
    [
        (
            VALID_1985,
            None,
            VALID_1985,
            0.9,
            "date of birth 1985-03-12 and check digit valid, without a context key",
        ),
        (VALID_2003, None, VALID_2003, 0.9, "date of birth 2003-04-05 and check digit valid"),
        (LEAP_2000, None, LEAP_2000, 0.9, "date of birth 2000-02-29"),
        (rrn("850312", "2", separator=" "), None, rrn("850312", "2", separator=" "), 0.9, "1985-03-12"),
        (f"주민번호: {VALID_1985}입니다", None, VALID_1985, 0.9, "check digit valid"),
        (VALID_1985, "jumin", VALID_1985, 0.97, "key 'jumin' and resident registration number form"),
        (VALID_1985.replace("-", ""), "rrn", VALID_1985.replace("-", ""), 0.97, "key 'rrn'"),
        (VALID_1985.replace("-", ""), "주민등록번호", VALID_1985.replace("-", ""), 0.97, "check digit valid"),
        (RANDOM_2021, "residentNo", RANDOM_2021, 0.6, "date of birth 2021-09-15 valid but check digit not"),
        (
            wrong_check_digit(VALID_1985),
            "ssn",
            wrong_check_digit(VALID_1985),
            0.6,
            "random since October 2020",
        ),
    ],
)
def test_rrn_found(text: str, key: str | None, value: str, confidence: float, why: str) -> None:
    [found] = detect(KR_RRN, text, key)
    assert (found.value, found.confidence) == (value, confidence)
    assert text[found.start : found.end] == value and why in found.explanation


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (RANDOM_2021, None),  # failed check digit without context: not reported
        (wrong_check_digit(VALID_1985), None),
        (VALID_1985.replace("-", ""), None),  # bare 13 digits need a key (timestamps)
        (
            with_rrn_check_digit("851312123456")[:6] + "-" + with_rrn_check_digit("851312123456")[6:],
            "rrn",
        ),  # month 13
        (rrn("850230", "1"), "rrn"),  # 30 February
        (rrn("850229", "1"), "rrn"),  # 1985 was not a leap year
        (rrn("000229", "1"), "rrn"),  # 1900 was not a leap year (7th digit 1: 1900s)
        (rrn("850312", "5"), None),  # 7th digit 5-8: a foreigner number, the other detector's
        (rrn("850312", "9"), "rrn"),  # 1800s: nobody alive
        (rrn("850312", "0"), "rrn"),
        (VALID_1985 + "1", None),  # one digit too many
        ("9" + VALID_1985, None),
        ("1711234123456", "timestamp"),  # a millisecond timestamp of date-like shape, no RRN key
        ("850312-123456", "rrn"),  # too short
        ("id-" + VALID_1985 + "-x", None),
    ],
)
def test_rrn_not_found(text: str, key: str | None) -> None:
    assert values(KR_RRN, text, key) == []


def test_rrn_check_digit_and_century_follow_the_published_rule() -> None:
    assert check_digit(VALID_1985.replace("-", "")[:12]) == int(VALID_1985[-1])
    assert str(birth_date(LEAP_2000.replace("-", ""))) == "2000-02-29"
    assert str(birth_date(rrn("850312", "7").replace("-", ""))) == "2085-03-12"  # 7th digit 7: 2000s


FOREIGNER_1990 = rrn("900101", "5")


@pytest.mark.parametrize(
    ("text", "key", "confidence", "why"),
    [
        (FOREIGNER_1990, None, 0.85, "7th digit 5), date of birth 1990-01-01 and check digit valid"),
        (rrn("051120", "8"), None, 0.85, "date of birth 2005-11-20"),
        (FOREIGNER_1990.replace("-", ""), "foreigner_no", 0.95, "key 'foreigner_no'"),
        (FOREIGNER_1990, "외국인등록번호", 0.95, "check digit valid"),
        (wrong_check_digit(FOREIGNER_1990), "arn", 0.55, "valid but check digit not"),
    ],
)
def test_foreigner_number_found(text: str, key: str | None, confidence: float, why: str) -> None:
    [found] = detect(KR_FOREIGNER_NO, text, key)
    assert (found.value, found.confidence) == (text, confidence) and why in found.explanation


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (VALID_1985, None),  # 7th digit 1: a citizen's RRN
        (wrong_check_digit(FOREIGNER_1990), None),
        (FOREIGNER_1990.replace("-", ""), None),
        (rrn("901301", "6"), "arn"),  # month 13
    ],
)
def test_foreigner_number_not_found(text: str, key: str | None) -> None:
    assert values(KR_FOREIGNER_NO, text, key) == []


@pytest.mark.parametrize(
    ("text", "key", "why"),
    [
        ("M12345678", "passport", "passport type M and 8 digits"),
        ("S87654321", "passportNo", "passport type S"),
        ("r11223344", "여권번호", "passport type R"),
        ("M123A4567", "passport_number", "letter, 3 digits, letter, 4 digits (issued since December 2021)"),
        ("M987B6543", "护照号", "issued since December 2021"),
    ],
)
def test_passport_found_under_a_passport_key(text: str, key: str, why: str) -> None:
    [found] = detect(KR_PASSPORT, text, key)
    assert (found.value, found.confidence) == (text, 0.85)
    assert (
        found.explanation.startswith(f"key '{key}' and Korean passport number form: ")
        and why in found.explanation
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("M12345678", None),  # the shape alone is too common (SKUs, ids)
        ("M12345678", "sku"),
        ("X12345678", "passport"),  # old form: type letter is M, S, R, G or D
        ("M1234567", "passport"),
        ("M123456789", "passport"),
        ("M12A34567", "passport"),
        ("AM12345678", "passport"),
    ],
)
def test_passport_not_found(text: str, key: str | None) -> None:
    assert values(KR_PASSPORT, text, key) == []


@pytest.mark.parametrize(
    ("text", "key", "region"),
    [
        ("11-23-456789-01", "licence_no", "region code 11 (서울)"),
        ("13 23 456789 01", "driverLicense", "region code 13 (경기)"),
        ("282345678901", "driver_licence", "region code 28 (경기북부)"),
        ("서울 12-345678-90", "운전면허번호", "region 서울"),
        ("경기북부12-345678-90", "운전면허", "region 경기북부"),
        ("부산 12 345678 90", "驾驶证", "region 부산"),
    ],
)
def test_driver_licence_found_under_a_licence_key(text: str, key: str, region: str) -> None:
    [found] = detect(KR_DRIVER_LICENCE, text, key)
    assert (found.value, found.confidence) == (text, 0.85)
    assert found.explanation == f"key '{key}' and driver's licence number form with {region}"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("11-23-456789-01", None),
        ("10-23-456789-01", "licence_no"),  # region codes are 11-28
        ("29-23-456789-01", "licence_no"),
        ("11-23 456789-01", "licence_no"),  # mixed separators
        ("11-23-45678-01", "licence_no"),
        ("11-23-456789-012", "licence_no"),
        ("뉴욕 12-345678-90", "licence_no"),
    ],
)
def test_driver_licence_not_found(text: str, key: str | None) -> None:
    assert values(KR_DRIVER_LICENCE, text, key) == []


@pytest.mark.parametrize(
    ("text", "key", "value", "confidence"),
    [
        ("P123456789012", None, "P123456789012", 0.7),
        ('{"customsCode":"P987654321098"}', None, "P987654321098", 0.7),
        ("P123456789012", "pccc", "P123456789012", 0.95),
        ("p123456789012", "개인통관고유부호", "p123456789012", 0.95),
        ("P-123456789012", "personal_customs_code", "P-123456789012", 0.95),
        ("P123456789012", "个人通关号码", "P123456789012", 0.95),
    ],
)
def test_pccc_found(text: str, key: str | None, value: str, confidence: float) -> None:
    [found] = detect(KR_PCCC, text, key)
    assert (found.value, found.confidence) == (value, confidence)
    assert "personal customs clearance code form (P and 12 digits)" in found.explanation


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("P12345678901", "pccc"),  # 11 digits
        ("P1234567890123", "pccc"),  # 13 digits
        ("XP123456789012", None),
        ("p123456789012", None),  # lower case only under a key
        ("Q123456789012", "pccc"),
        ("SKU-P123456789012", None),
    ],
)
def test_pccc_not_found(text: str, key: str | None) -> None:
    assert values(KR_PCCC, text, key) == []
