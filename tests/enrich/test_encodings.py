"""Canary normal forms and encoded variants: the literals the personal-data scan looks for."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privprobe.enrich.encodings import MIN_LITERAL, Guard, Reach, kind_of, normal_forms, variants
from privprobe.model import Canary

EMAIL = Canary("persona-email", "contact.email", " Minji.Kim@Example.com ")
PHONE = Canary("persona-phone", "contact.phone", "010-1234-5678")


def texts(canary: Canary) -> list[str]:
    return [form.text for form in normal_forms(canary)]


def literals(canary: Canary) -> dict[bytes, tuple[str, ...]]:
    return {variant.literal: variant.chain for variant in variants(canary)}


@pytest.mark.parametrize(
    ("data_type", "value", "kind"),
    [
        ("contact.email", "a@b.kr", "email"),
        ("account.login_id", "minji@example.com", "email"),  # an e-mail by its shape
        ("contact.phone", "010-1234-5678", "phone"),
        ("identity.name", "김민지", "name"),
        ("location.precise", "37.5665,126.9780", "coordinates"),
        ("location.precise", "near the station", "generic"),
        ("device.ad_id", "38400000-8cf0-11bd-b23e-10b96e40000d", "id"),
        ("device.android_id", "9774d56d682e549c", "id"),
        ("identity.birth_date", "1995-03-14", "date"),
        ("address.delivery", "서울특별시 강남구 테헤란로 123", "generic"),
    ],
)
def test_kind_of_follows_the_data_type_and_the_value(data_type: str, value: str, kind: str) -> None:
    assert kind_of(data_type, value) == kind


def test_email_is_trimmed_and_lower_cased_first() -> None:
    assert texts(EMAIL) == ["minji.kim@example.com", "Minji.Kim@Example.com"]
    assert normal_forms(EMAIL)[0].reach is Reach.CHAINED


def test_gmail_addresses_add_googles_normalised_form() -> None:
    assert "minji@gmail.com" in texts(Canary("e", "contact.email", "Min.Ji+shop@gmail.com"))


@pytest.mark.parametrize(
    "typed", ["010-1234-5678", "01012345678", "+82 10 1234 5678", "+821012345678", "0082-10-1234-5678"]
)
def test_phone_forms_are_the_same_whatever_was_typed(typed: str) -> None:
    found = texts(Canary("p", "contact.phone", typed))
    for form in [
        "+821012345678",
        "821012345678",
        "010-1234-5678",
        "01012345678",
        "010 1234 5678",
        "010.1234.5678",
    ]:
        assert form in found


def test_seoul_landline_keeps_its_two_digit_area_code() -> None:
    assert "02-123-4567" in texts(Canary("p", "contact.phone", "0212345678"[:2] + "1234567"))


def test_korean_name_with_and_without_the_space_after_the_family_name() -> None:
    assert texts(Canary("n", "identity.name", "김 민지"))[:2] == ["김민지", "김 민지"]
    assert texts(Canary("n", "identity.name", "남궁민수"))[:2] == ["남궁민수", "남궁 민수"]


def test_latin_name_forms() -> None:
    found = texts(Canary("n", "identity.name", "Minji  Kim"))
    assert found[:5] == ["Minji Kim", "minji kim", "MINJI KIM", "MinjiKim", "minjikim"]
    assert "Kim Minji" in found


def test_coordinates_at_each_precision_and_alone() -> None:
    found = texts(Canary("l", "location.precise", "37.5665,126.9780"))
    for form in [
        "37.5665,126.978",
        "37.57,126.98",
        "37.566500,126.978000",
        "37.5665",
        "126.978",
        "37.567",
        "37.566",
    ]:
        assert form in found
    assert "37.57" not in found  # a coordinate alone at 2 decimals is anybody's number


def test_ids_in_both_cases_with_and_without_dashes() -> None:
    found = texts(Canary("a", "device.ad_id", "38400000-8CF0-11BD-B23E-10B96E40000D"))
    assert found == [
        "38400000-8cf0-11bd-b23e-10b96e40000d",
        "38400000-8CF0-11BD-B23E-10B96E40000D",
        "384000008cf011bdb23e10b96e40000d",
        "384000008CF011BDB23E10B96E40000D",
    ]


def test_birth_date_forms() -> None:
    assert texts(Canary("b", "identity.birth_date", "1995-03-14"))[:3] == [
        "1995-03-14",
        "19950314",
        "1995.03.14",
    ]


def test_generic_value_is_trimmed() -> None:
    assert texts(Canary("x", "address.delivery", "  서울 강남구  "))[:1] == ["서울 강남구"]


def test_variants_of_the_email() -> None:
    found = literals(EMAIL)
    email = b"minji.kim@example.com"
    md5_hex = hashlib.md5(email).hexdigest().encode()
    expected = {
        email: (),
        b"minji.kim%40example.com": ("url",),
        b"minji.kim%2540example.com": ("url", "url"),
        base64.b64encode(email): ("base64",),
        email.hex().encode(): ("hex",),
        email.hex().upper().encode(): ("hex",),
        hashlib.sha256(email).hexdigest().encode(): ("sha256",),
        hashlib.sha256(email).hexdigest().upper().encode(): ("sha256",),
        base64.b64encode(hashlib.sha1(email).digest()): ("base64", "sha1"),
        hashlib.sha512(email).digest(): ("raw", "sha512"),
        hashlib.sha256(md5_hex).hexdigest().encode(): ("sha256", "md5"),
        base64.b64encode(hashlib.sha256(md5_hex).digest()): ("base64", "sha256", "md5"),
        hashlib.md5(b"Minji.Kim@Example.com").hexdigest().encode(): ("md5",),  # the form as typed
    }
    for literal, chain in expected.items():
        assert found.get(literal) == chain, literal


def test_every_hash_is_searched() -> None:
    found = literals(EMAIL)
    for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512"):
        assert hashlib.new(name, b"minji.kim@example.com").hexdigest().encode() in found


def test_non_ascii_forms_add_json_escapes_and_the_korean_code_page() -> None:
    found = literals(Canary("n", "identity.name", "김민지"))
    assert found["김민지".encode("cp949")] == ("euc-kr",)
    assert found[b"\\uae40\\ubbfc\\uc9c0"] == ("json-escape",)
    assert found[quote("김민지").encode()] == ("url",)
    assert found[quote("김민지").lower().encode()] == ("url",)


def test_no_literal_is_shorter_than_the_minimum_and_none_repeats() -> None:
    for canary in (EMAIL, PHONE, Canary("l", "location.precise", "37.5665,126.9780")):
        found = variants(canary)
        assert all(len(variant.literal) >= MIN_LITERAL for variant in found)
        assert len({variant.literal for variant in found}) == len(found)


def test_variants_are_deterministic_and_bounded() -> None:
    assert variants(PHONE) == variants(PHONE)
    assert 100 < len(variants(EMAIL)) < 500
    assert len(variants(PHONE)) < 1000


def test_guards_on_text_like_and_decodable_chains_only() -> None:
    """Digests cannot be part of a longer value; text, hex and base64 of the value can."""
    for variant in variants(PHONE):
        checked = set(variant.chain) <= {"url", "json-escape", "euc-kr"} or variant.chain in {
            ("hex",),
            ("base64",),
            ("base64url",),
        }
        assert (variant.guard is Guard.NUMBER) == checked, variant
        assert variant.text in {form.text.encode() for form in normal_forms(PHONE)}


@given(
    prefix=st.binary(max_size=8),
    suffix=st.binary(max_size=8),
    value=st.sampled_from(
        ["minji.kim@example.com", "01012345678", "김민지", "38400000-8cf0-11bd-b23e-10b96e40000d"]
    ),
)
def test_an_aligned_variant_is_found_inside_any_longer_base64_string(
    prefix: bytes, suffix: bytes, value: str
) -> None:
    """The value embedded at any byte offset of a longer blob: some base64 variant is a substring."""
    data_type = "contact.email" if "@" in value else "device.ad_id" if "-" in value else "identity.name"
    data_type = "contact.phone" if value.isdigit() else data_type
    blob = prefix + value.encode() + suffix
    canary = Canary("c", data_type, value)
    for encoded, alphabet in (
        (base64.b64encode(blob), "base64"),
        (base64.urlsafe_b64encode(blob), "base64url"),
    ):
        # base64url literals equal to base64 ones are listed once, under base64
        wanted = {"base64", alphabet}
        chains = [v.chain for v in variants(canary) if v.literal in encoded and v.chain[0] in wanted]
        assert chains, (prefix, suffix)
