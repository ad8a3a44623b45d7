"""The built-in detectors: personal data the test persona did not seed, found by form and context.

Canaries (the persona's own e-mail, phone, device ids) are found exactly elsewhere; these detectors
find everything else that has a recognisable form. Each is data (a pattern, context keys, a
validator; see `base.PatternDetector`) and explains every detection. ``BUILTIN`` is registered
through the ``privprobe.detectors`` entry point like any plugin.

==========================  ========================  ==============================================
detector                    data type                 what it finds
==========================  ========================  ==============================================
``email``                   contact.email             e-mail addresses
``kr_mobile``               contact.phone             Korean mobile numbers (010, 011, 016-019)
``kr_landline``             contact.phone             Korean landline numbers, under a phone key
``kr_rrn``                  identity.rrn              resident registration numbers (date, check digit)
``kr_foreigner_no``         identity.foreigner_no     foreigner registration numbers
``kr_passport``             identity.passport         Korean passport numbers, under a passport key
``kr_driver_licence``       identity.driver_licence   driver's licence numbers, under a licence key
``kr_pccc``                 customs.pccc              personal customs clearance codes (P + 12 digits)
``imei``                    device.imei               IMEIs (Luhn), under an IMEI key
``mac_address``             device.mac                MAC addresses (placeholders skipped)
``advertising_id``          device.ad_id              AAID/GAID and IDFA UUIDs, under an ad-id key
``oaid``                    device.ad_id              OAIDs (MSA), under an ``oaid`` key
``idfv``                    device.idfv               iOS identifierForVendor, under an ``idfv`` key
``android_id``              device.android_id         Android IDs (16 hex), under an Android-id key
``payment_card``            commerce.payment_card     card numbers (Luhn and a known IIN)
``coordinates_precise``     location.precise          coordinates with 4+ decimals, by key
``coordinates_coarse``      location.coarse           coordinates with 1-3 decimals, by key
``ip_address``              online.ip                 the client's own address; public IPs by key
==========================  ========================  ==============================================

The format of each value, with its references, is in the family module's docstring: `contact`,
`identity`, `device`, `payment`, `location`, `network`.
"""

from __future__ import annotations

from privprobe.enrich.detectors.base import PatternDetector
from privprobe.enrich.detectors.contact import EMAIL, KR_LANDLINE, KR_MOBILE
from privprobe.enrich.detectors.device import AD_ID, ANDROID_ID, IDFV, IMEI, MAC, OAID
from privprobe.enrich.detectors.identity import (
    KR_DRIVER_LICENCE,
    KR_FOREIGNER_NO,
    KR_PASSPORT,
    KR_PCCC,
    KR_RRN,
)
from privprobe.enrich.detectors.location import COARSE, PRECISE, CoordinateDetector
from privprobe.enrich.detectors.network import IP_ADDRESS, IpAddressDetector
from privprobe.enrich.detectors.payment import PAYMENT_CARD
from privprobe.plugins import Detector

BUILTIN: tuple[Detector, ...] = (
    EMAIL,
    KR_MOBILE,
    KR_LANDLINE,
    KR_RRN,
    KR_FOREIGNER_NO,
    KR_PASSPORT,
    KR_DRIVER_LICENCE,
    KR_PCCC,
    IMEI,
    MAC,
    AD_ID,
    OAID,
    IDFV,
    ANDROID_ID,
    PAYMENT_CARD,
    PRECISE,
    COARSE,
    IP_ADDRESS,
)
"""Every built-in detector, in the order of the table above."""

__all__ = ["BUILTIN", "CoordinateDetector", "IpAddressDetector", "PatternDetector"]
