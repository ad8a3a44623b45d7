"""E-mail addresses and Korean telephone numbers: what is found, with what confidence, and what is not."""

from __future__ import annotations

import pytest

from privprobe.enrich.detectors.contact import EMAIL, KR_LANDLINE, KR_MOBILE
from tests.enrich.detectors import detect, values

# (text, key, value found, confidence, words of the explanation)
EMAILS = [
    (
        "kim.minji@example.co.kr",
        None,
        "kim.minji@example.co.kr",
        0.9,
        "domain example.co.kr, without a context key",
    ),
    (
        "kim.minji@example.co.kr",
        "email",
        "kim.minji@example.co.kr",
        0.97,
        "key 'email' and e-mail address form",
    ),
    ("Kim.Minji@Example.COM", "userEmail", "Kim.Minji@Example.COM", 0.97, "domain example.com"),
    ('{"to":"a_b+tag@mail.sub.example.org"}', None, "a_b+tag@mail.sub.example.org", 0.9, "example.org"),
    ("mailto:buyer-01@example.net?subject=x", None, "buyer-01@example.net", 0.9, "example.net"),
    ("user@example.xn--3e0b707e", "이메일", "user@example.xn--3e0b707e", 0.97, "key '이메일'"),
    ("Contact: test.user@example.com.", None, "test.user@example.com", 0.9, "example.com"),
]


@pytest.mark.parametrize(("text", "key", "value", "confidence", "why"), EMAILS)
def test_email_found(text: str, key: str | None, value: str, confidence: float, why: str) -> None:
    [found] = detect(EMAIL, text, key)
    assert (found.value, found.confidence) == (value, confidence)
    assert text[found.start : found.end] == value and why in found.explanation


@pytest.mark.parametrize(
    "text",
    [
        "icon@2x.png",  # iOS image names: the "top-level domain" is a file extension
        "banner@3x.webp",
        "https://0123456789abcdef0123456789abcdef@o450000.ingest.sentry.io/5500000",  # Sentry DSN key
        "user@localhost",
        "@example.com",
        "name@example.c",
        "lodash@4.17.21",  # npm package@version
        "mi***@example.com",  # already masked
        "kim.minji(at)example.com",
        "user@-example.com",
    ],
)
def test_email_not_found(text: str) -> None:
    assert values(EMAIL, text) == []


MOBILES = [
    ("010-9876-5432", None, "010-9876-5432", 0.75),
    ("010 9876 5432", None, "010 9876 5432", 0.75),
    ("010.9876.5432", None, "010.9876.5432", 0.75),
    ("011-234-5678", None, "011-234-5678", 0.75),  # legacy prefix, 3-digit exchange
    ("019-8765-4321", None, "019-8765-4321", 0.75),
    ("+82 10-9876-5432", None, "+82 10-9876-5432", 0.75),
    ("+821098765432", None, "+821098765432", 0.75),
    ("82-10-9876-5432", None, "82-10-9876-5432", 0.75),
    ("+82 (0)10-9876-5432", None, "+82 (0)10-9876-5432", 0.75),
    ("tel:+82-10-9876-5432", None, "+82-10-9876-5432", 0.75),
    ("phone=010-9876-5432&x=1", None, "010-9876-5432", 0.75),
    ("01098765432", "phone", "01098765432", 0.95),
    ("01098765432", "phoneNumber", "01098765432", 0.95),
    ("01098765432", "receiver_mobile", "01098765432", 0.95),
    ("01098765432", "hp", "01098765432", 0.95),
    ("01098765432", "휴대폰번호", "01098765432", 0.95),
    ("01098765432", "手机号", "01098765432", 0.95),
    ("010-9876-5432", "tel", "010-9876-5432", 0.95),
]


@pytest.mark.parametrize(("text", "key", "value", "confidence"), MOBILES)
def test_mobile_found(text: str, key: str | None, value: str, confidence: float) -> None:
    [found] = detect(KR_MOBILE, text, key)
    assert (found.value, found.confidence) == (value, confidence)
    assert "Korean mobile prefix 01" in found.explanation
    assert (
        found.explanation.startswith(f"key '{key}' and")
        if key
        else "without a context key" in found.explanation
    )


def test_mobile_explanation_names_key_and_prefix() -> None:
    [found] = detect(KR_MOBILE, "01098765432", "phone")
    assert found.explanation == "key 'phone' and Korean mobile prefix 010"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("01098765432", None),  # bare digits: order and tracking numbers take this shape
        ("01098765432", "order_no"),
        ("01098765432", "trackingNumber"),
        ("10.1234.5678", None),  # version string
        ("10.1234.5678", "phone"),
        ("010-1234-5678", None),  # the placeholder of Korean forms
        ("01012345678", "phone"),
        ("010-0000-0000", "phone"),
        ("010-7777-7777", None),
        ("010-987-6543", "phone"),  # 010 numbers have a 4-digit exchange
        ("010-98765-4321", None),
        ("010-9876-54321", None),
        ("010987654321", "phone"),  # 12 digits
        ("2010-9876-5432", None),
        ("ORD-010-9876-5432", None),
        ("010-9876-5432-1", None),
        ("010-9876.5432", None),  # mixed separators
        ("012-9876-5432", "phone"),  # 012 is not a mobile prefix
        ("1712345678901", "phone"),  # millisecond timestamp
        ("+8210987654321", None),
    ],
)
def test_mobile_not_found(text: str, key: str | None) -> None:
    assert values(KR_MOBILE, text, key) == []


LANDLINES = [
    ("02-345-6789", "tel", "02 (Seoul)"),
    ("02-3456-7890", "phone", "02 (Seoul)"),
    ("0234567890", "telephone", "02 (Seoul)"),
    ("(02) 345-6789", "tel", "02 (Seoul)"),
    ("031-234-5678", "tel", "031 (Gyeonggi)"),
    ("051 234 5678", "연락처", "051 (Busan)"),
    ("064-987-6543", "tel", "064 (Jeju)"),
    ("070-8765-4321", "tel", "070 (internet telephony)"),
    ("+82-2-345-6789", "tel", "02 (Seoul)"),
    ("+82 31 234 5678", "tel", "031 (Gyeonggi)"),
]


@pytest.mark.parametrize(("text", "key", "area"), LANDLINES)
def test_landline_found_under_a_phone_key(text: str, key: str, area: str) -> None:
    [found] = detect(KR_LANDLINE, text, key)
    assert (found.value, found.confidence) == (text, 0.85)
    assert found.explanation == f"key '{key}' and Korean landline area code {area}"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("02-345-6789", None),  # unkeyed landlines are mostly shops' and couriers' lines
        ("1588-1234", "tel"),  # nationwide business number
        ("1544-9876", "phone"),
        ("035-234-5678", "tel"),  # no area 035
        ("045-234-5678", "tel"),
        ("070-876-5432", "tel"),  # 070 needs 8 subscriber digits
        ("02-0000-0000", "tel"),
        ("01098765432", "tel"),  # mobile, not landline
        ("02-345-6789", "order_id"),
        ("2024-02-14", "tel"),  # a date
    ],
)
def test_landline_not_found(text: str, key: str | None) -> None:
    assert values(KR_LANDLINE, text, key) == []


def test_several_numbers_in_one_text() -> None:
    text = "주문자 010-9876-5432, 수령인 +82 10-8765-4321"
    assert values(KR_MOBILE, text) == ["010-9876-5432", "+82 10-8765-4321"]
