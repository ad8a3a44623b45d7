"""Device identifiers: IMEI, MAC address, advertising ids (AAID/IDFA, OAID), IDFV and Android ID.

**IMEI** (``device.imei``; 3GPP TS 23.003 §6.2.1): 14 digits (type allocation code and serial) and a
Luhn check digit (ISO/IEC 7812-1 Annex B), 15 in all. Fifteen-digit numbers are common, so only under
an IMEI key, and only when the Luhn check passes.

**MAC address** (``device.mac``; IEEE 802 EUI-48): six octets written ``aa:bb:cc:dd:ee:ff``,
``aa-bb-cc-dd-ee-ff`` or ``aabb.ccdd.eeff`` anywhere, and as 12 bare hex digits under a MAC key.
Skipped, because they identify no one: all zeros; group addresses (the low bit of the first octet set,
which includes the broadcast ``ff:ff:ff:ff:ff:ff``); and ``02:00:00:00:00:00``, the constant iOS 7+
and Android 6+ return to apps in place of the real address (Apple, "What's New in iOS 7"; Android 6.0
behaviour changes, "Access to Hardware Identifier"). An app sending that constant tried to read the
address and was refused; that is not personal data. The address of a Wi-Fi access point (BSSID) is
``location.wifi``, so ``bssid`` is not a MAC key here.

**Advertising id** (``device.ad_id``): the Google Advertising ID (AAID/GAID) and Apple's IDFA are
UUIDs (RFC 9562 text form); only a UUID under an advertising-id key (``idfa``, ``gaid``, ``adid``,
``gps_adid``, ``ifa``, ...) is one: a random UUID without such a key is a session, request or install
id. The all-zero UUID is what iOS returns when the user has not allowed tracking (App Tracking
Transparency) and what Android returns after opting out: no id was sent, so it is skipped. The OAID
of the MSA standard (Chinese Android builds) is a UUID or 16, 32 or 64 hex digits by vendor, under an
``oaid`` key.

**IDFV** (``device.idfv``): Apple's identifierForVendor, a UUID under an ``idfv`` key.

**Android ID** (``device.android_id``): ``Settings.Secure.ANDROID_ID``, 16 hex digits, under an
``android_id`` key. ``9774d56d682e549c``, the value a batch of Android 2.2 devices shared, is skipped.
"""

from __future__ import annotations

import re

from privprobe.enrich.detectors.base import PatternDetector, luhn_valid

IMEI_KEYS = frozenset(["imei", "imei1", "imei2", "imeis", "device_imei", "deviceimei", "手机串号"])
MAC_KEYS = frozenset(
    [
        "mac",
        "mac_address",
        "macaddress",
        "macaddr",
        "wifi_mac",
        "wlan_mac",
        "hw_addr",
        "hwaddr",
        "맥주소",
        "物理地址",
    ]
)
AD_ID_KEYS = frozenset(
    [
        "idfa",
        "gaid",
        "aaid",
        "adid",
        "ad_id",
        "advertising_id",
        "advertisingid",
        "advertiser_id",
        "gps_adid",
        "google_aid",
        "googleadid",
        "google_advertising_id",
        "ifa",
        "device_ifa",
        "광고식별자",
        "广告标识",
    ]
)
OAID_KEYS = frozenset(["oaid", "oa_id"])
IDFV_KEYS = frozenset(["idfv", "identifierforvendor", "vendor_id", "vendorid"])
ANDROID_ID_KEYS = frozenset(["android_id", "androidid", "ssaid", "android_device_id"])

_HEX = "[0-9A-Fa-f]"
_UUID = f"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
_NOT_HEX_BEFORE = "(?<![0-9A-Za-z_-])"
_NOT_HEX_AFTER = "(?![0-9A-Za-z_]|-[0-9A-Fa-f])"
UUID_PATTERN = re.compile(f"{_NOT_HEX_BEFORE}(?P<value>{_UUID}){_NOT_HEX_AFTER}")
_HEX_OCTETS = f"{_HEX}{{2}}(?:[:-]{_HEX}{{2}}){{5}}"

IMEI = PatternDetector(
    name="imei",
    data_type="device.imei",
    # The type allocation code (first 8 digits) names the model in GSMA's database; shown, not checked.
    pattern=re.compile(r"(?<![0-9A-Za-z])(?P<value>(?P<tac>\d{8})\d{7})(?![0-9A-Za-z])"),
    explanation="15 digits with a valid Luhn check digit (IMEI, 3GPP TS 23.003), TAC {tac}",
    key_names=IMEI_KEYS,
    requires_key=True,
    validator=lambda value: luhn_valid(value) and len(set(value)) > 1,
    confidence_with_key=0.9,
    trigger=r"\d{15}",
)

_MAC_SEPARATED = (
    f"{_HEX}{{2}}(?P<sep>[:-]){_HEX}{{2}}(?:(?P=sep){_HEX}{{2}}){{4}}|{_HEX}{{4}}\\.{_HEX}{{4}}\\.{_HEX}{{4}}"
)
_MAC_PLACEHOLDER = "020000000000"


def mac_valid(value: str) -> bool:
    """False for all zeros, group (multicast and broadcast) addresses and the iOS/Android placeholder."""
    octets = re.sub("[^0-9A-Fa-f]", "", value).lower()
    first = int(octets[:2], 16)
    return octets not in ("000000000000", _MAC_PLACEHOLDER) and not first & 1


def mac_kind(value: str) -> str:
    """Whether the address is universally administered (vendor prefix) or locally (randomised)."""
    first = int(re.sub("[^0-9A-Fa-f]", "", value)[:2], 16)
    if first & 2:
        return "locally administered (randomised per network)"
    return "universally administered"


MAC = PatternDetector(
    name="mac_address",
    data_type="device.mac",
    pattern=re.compile(
        f"{_NOT_HEX_BEFORE}(?<!:)(?P<value>{_MAC_SEPARATED})(?![0-9A-Za-z_]|[:.-][0-9A-Fa-f])"
    ),
    keyed_pattern=re.compile(
        f"{_NOT_HEX_BEFORE}(?<!:)(?P<value>{_MAC_SEPARATED}|{_HEX}{{12}})(?![0-9A-Za-z_]|[:.-][0-9A-Fa-f])"
    ),
    explanation="MAC address form, {detail}",
    key_names=MAC_KEYS,
    validator=mac_valid,
    describe=mac_kind,
    confidence_with_key=0.9,
    confidence_without_key=0.5,
    prefilter=re.compile(f"{_HEX}{{2}}[:.-]?{_HEX}{{2}}"),
    # The keyed pattern's forms (it accepts what the plain one does), separators not tied together.
    trigger=f"{_HEX_OCTETS}|{_HEX}{{4}}\\.{_HEX}{{4}}\\.{_HEX}{{4}}|{_HEX}{{12}}",
    unkeyed_trigger=f"{_HEX_OCTETS}|{_HEX}{{4}}\\.{_HEX}{{4}}\\.{_HEX}{{4}}",
)


def not_constant(value: str) -> bool:
    """False for ids of one repeated digit, such as the all-zero IDFA of limited ad tracking."""
    return len(set(value.replace("-", "").lower())) > 1


AD_ID = PatternDetector(
    name="advertising_id",
    data_type="device.ad_id",
    pattern=UUID_PATTERN,
    explanation="UUID under an advertising-id key (AAID/IDFA)",
    key_names=AD_ID_KEYS,
    requires_key=True,
    validator=not_constant,
    confidence_with_key=0.9,
    trigger=_UUID,
)

OAID = PatternDetector(
    name="oaid",
    data_type="device.ad_id",
    pattern=re.compile(
        f"{_NOT_HEX_BEFORE}(?P<value>{_UUID}|{_HEX}{{64}}|{_HEX}{{32}}|{_HEX}{{16}}){_NOT_HEX_AFTER}"
    ),
    explanation="OAID (MSA open anonymous device identifier) form",
    key_names=OAID_KEYS,
    requires_key=True,
    validator=not_constant,
    confidence_with_key=0.85,
    trigger=f"{_UUID}|{_HEX}{{16}}",
)

IDFV = PatternDetector(
    name="idfv",
    data_type="device.idfv",
    pattern=UUID_PATTERN,
    explanation="UUID under an identifier-for-vendor key",
    key_names=IDFV_KEYS,
    requires_key=True,
    validator=not_constant,
    confidence_with_key=0.85,
    trigger=_UUID,
)

_SHARED_ANDROID_ID = "9774d56d682e549c"

ANDROID_ID = PatternDetector(
    name="android_id",
    data_type="device.android_id",
    pattern=re.compile(f"{_NOT_HEX_BEFORE}(?P<value>{_HEX}{{16}}){_NOT_HEX_AFTER}"),
    explanation="16 hex digits under an Android ID key",
    key_names=ANDROID_ID_KEYS,
    requires_key=True,
    validator=lambda value: not_constant(value) and value.lower() != _SHARED_ANDROID_ID,
    confidence_with_key=0.85,
    trigger=f"{_HEX}{{16}}",
)
