"""Device identifiers: IMEI, MAC, advertising ids (AAID/IDFA, OAID), IDFV, Android ID."""

from __future__ import annotations

import pytest

from privprobe.enrich.detectors.device import AD_ID, ANDROID_ID, IDFV, IMEI, MAC, OAID
from tests.enrich.detectors import detect, values, with_luhn_digit

IMEI_A = with_luhn_digit("35209900176148")  # invented serial under a BABT-style TAC
IMEI_B = with_luhn_digit("86123404567890")
UUID = "6f1e2d3c-4b5a-4978-8c6d-5e4f3a2b1c0d"  # invented, random-looking (version 4)
UUID_UPPER = "3C1D2E4F-5A6B-4C7D-8E9F-0A1B2C3D4E5F"  # IDFA as iOS writes it


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (IMEI_A, "imei"),
        (IMEI_B, "IMEI1"),
        (IMEI_A, "deviceImei"),
        (f"[{IMEI_A},{IMEI_B}]", "imeis"),
        (IMEI_A, "手机串号"),
    ],
)
def test_imei_found_under_an_imei_key(text: str, key: str) -> None:
    found = detect(IMEI, text, key)
    assert found and all(len(hit.value) == 15 and hit.confidence == 0.9 for hit in found)
    assert found[0].explanation == (
        f"key '{key}' and 15 digits with a valid Luhn check digit (IMEI, 3GPP TS 23.003), TAC {found[0].value[:8]}"
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (IMEI_A, None),  # 15-digit numbers are everywhere
        (IMEI_A, "order_id"),
        (IMEI_A[:-1] + str((int(IMEI_A[-1]) + 1) % 10), "imei"),  # Luhn fails
        (IMEI_A[:14], "imei"),
        (IMEI_A + "0", "imei"),  # IMEISV-like 16 digits
        ("000000000000000", "imei"),  # placeholder (passes Luhn)
    ],
)
def test_imei_not_found(text: str, key: str | None) -> None:
    assert values(IMEI, text, key) == []


@pytest.mark.parametrize(
    ("text", "key", "value", "confidence", "kind"),
    [
        ("a4:83:e7:12:34:56", None, "a4:83:e7:12:34:56", 0.5, "universally administered"),
        ("A4-83-E7-12-34-56", None, "A4-83-E7-12-34-56", 0.5, "universally administered"),
        ("a483.e712.3456", None, "a483.e712.3456", 0.5, "universally administered"),
        ("a4:83:e7:12:34:56", "mac", "a4:83:e7:12:34:56", 0.9, "universally administered"),
        ("a483e7123456", "wifiMac", "a483e7123456", 0.9, "universally administered"),
        ("da:a1:19:12:34:56", "macAddress", "da:a1:19:12:34:56", 0.9, "locally administered"),
        ('{"m":"a4:83:e7:12:34:56"}', None, "a4:83:e7:12:34:56", 0.5, "universally administered"),
    ],
)
def test_mac_found(text: str, key: str | None, value: str, confidence: float, kind: str) -> None:
    [found] = detect(MAC, text, key)
    assert (found.value, found.confidence) == (value, confidence) and kind in found.explanation


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("02:00:00:00:00:00", "mac"),  # what iOS 7+ and Android 6+ give apps instead of the address
        ("00:00:00:00:00:00", "mac"),
        ("ff:ff:ff:ff:ff:ff", "mac"),  # broadcast
        ("01:00:5e:00:00:fb", None),  # multicast (mDNS)
        ("a483e7123456", None),  # bare hex only under a key
        ("a483e7123456b7c8", "mac"),  # 16 hex: a hash or id
        ("12:30:45", None),  # a time
        ("a4:83-e7:12:34:56", None),  # mixed separators
        ("a4:83:e7:12:34:56:78", None),  # EUI-64 / longer
        ("fe80::a483:e7ff:fe12:3456", None),  # IPv6
    ],
)
def test_mac_not_found(text: str, key: str | None) -> None:
    assert values(MAC, text, key) == []


def test_an_access_points_address_gets_no_mac_key_confidence() -> None:
    # A BSSID locates the device (location.wifi); as a device MAC it is only a form without context.
    assert [hit.confidence for hit in detect(MAC, "a4:83:e7:12:34:56", "bssid")] == [0.5]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (UUID, "idfa"),
        (UUID_UPPER, "IDFA"),
        (UUID, "gaid"),
        (UUID, "gps_adid"),
        (UUID, "advertisingId"),
        (UUID, "google_aid"),
        (UUID, "ifa"),  # OpenRTB device.ifa
        (UUID, "adid"),
        (f'"{UUID}"', "ad_id"),
    ],
)
def test_advertising_id_found_under_an_ad_id_key(text: str, key: str) -> None:
    [found] = detect(AD_ID, text, key)
    assert found.value == text.strip('"') and found.confidence == 0.9
    assert found.explanation == f"key '{key}' and UUID under an advertising-id key (AAID/IDFA)"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (UUID, None),  # a random UUID is not an ad id
        (UUID, "request_id"),
        (UUID, "session_id"),
        (UUID, "device_id"),
        (UUID, "x-trace-id"),
        ("00000000-0000-0000-0000-000000000000", "idfa"),  # limited ad tracking: no id sent
        ("00000000-0000-0000-0000-000000000000", "gaid"),
        ("6f1e2d3c4b5a49788c6d5e4f3a2b1c0d", "idfa"),  # 32 hex: Adjust's own adid, a hash
        (UUID + "-1", "idfa"),
        ("not-an-id", "idfa"),
    ],
)
def test_advertising_id_not_found(text: str, key: str | None) -> None:
    assert values(AD_ID, text, key) == []


@pytest.mark.parametrize("text", [UUID, "a1b2c3d4e5f60718", "a1b2c3d4e5f60718" * 2, "9f3a" * 16])
def test_oaid_found_in_each_vendor_form(text: str) -> None:
    [found] = detect(OAID, text, "oaid")
    assert found.value == text and found.confidence == 0.85


@pytest.mark.parametrize(
    ("text", "key"),
    [(UUID, None), ("a1b2c3d4e5f60718", "device_id"), ("0" * 16, "oaid"), ("a1b2c3d4e5f6071809ab", "oaid")],
)
def test_oaid_not_found(text: str, key: str | None) -> None:
    assert values(OAID, text, key) == []


@pytest.mark.parametrize(
    ("text", "key"), [(UUID_UPPER, "idfv"), (UUID, "identifierForVendor"), (UUID, "vendor_id")]
)
def test_idfv_found(text: str, key: str) -> None:
    [found] = detect(IDFV, text, key)
    assert (
        found.value == text
        and found.explanation == f"key '{key}' and UUID under an identifier-for-vendor key"
    )


@pytest.mark.parametrize(
    ("text", "key"), [(UUID, None), (UUID, "idfa"), ("00000000-0000-0000-0000-000000000000", "idfv")]
)
def test_idfv_not_found(text: str, key: str | None) -> None:
    assert values(IDFV, text, key) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [("1a2b3c4d5e6f7a8b", "android_id"), ("F1E2D3C4B5A69788", "androidId"), ("1a2b3c4d5e6f7a8b", "ssaid")],
)
def test_android_id_found(text: str, key: str) -> None:
    [found] = detect(ANDROID_ID, text, key)
    assert (found.value, found.confidence) == (text, 0.85)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1a2b3c4d5e6f7a8b", None),  # 16 hex digits alone: a hash prefix, a trace id
        ("1a2b3c4d5e6f7a8b", "trace_id"),
        ("9774d56d682e549c", "android_id"),  # shared by a batch of Android 2.2 devices
        ("0000000000000000", "android_id"),
        ("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", "android_id"),  # 32 hex: an MD5
        ("1a2b3c4d5e6f7a8", "android_id"),
        ("1a2b3c4d5e6f7g8h", "android_id"),
    ],
)
def test_android_id_not_found(text: str, key: str | None) -> None:
    assert values(ANDROID_ID, text, key) == []
