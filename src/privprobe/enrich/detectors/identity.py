"""Korean identity numbers: RRN, foreigner registration, passport, driver's licence, customs code.

**Resident registration number** (주민등록번호, ``identity.rrn``, PIPA Art. 24-2), ``YYMMDD-GNNNNNN``
(assigned under Resident Registration Act Art. 7-2): the date of birth, then G for sex
and century (1/2: 1900-1999, 3/4: 2000-2099; 9/0 for 1800-1899 are not sought, nobody alive holds
one), then six digits. Until October 2020 those were a region code, a serial and a check digit X:

    X = (11 - (2·d1 + 3·d2 + 4·d3 + 5·d4 + 6·d5 + 7·d6 + 8·d7 + 9·d8 + 2·d9 + 3·d10 + 4·d11 + 5·d12) mod 11) mod 10

(described publicly e.g. in python-stdnum's ``stdnum.kr.rrn`` and Presidio's ``KrRrnRecognizer``;
https://en.wikipedia.org/wiki/Resident_registration_number). Since 5 October 2020 the Ministry of the
Interior and Safety gives the last six digits at random (주민등록번호 부여체계 개편), so numbers issued
since then to newborns and to people whose number was changed carry no valid check digit. Hence:

- date valid and check digit valid: a resident registration number, high confidence, key or not;
- date valid, check digit not valid, under an RRN key (``jumin``, ``rrn``, ``주민번호``): medium
  confidence, explained as possibly issued since October 2020;
- otherwise (invalid date, or a failed check digit without key context): not reported.

The hyphenated form is sought anywhere; 13 bare digits only under a key, because millisecond
timestamps (``1711...``) can take a date-like shape.

**Foreigner registration number** (외국인등록번호, ``identity.foreigner_no``, Decree Art. 19 no. 4):
the same shape with G in 5-8 (5/6: 1900s, 7/8: 2000s) and, per python-stdnum, the same check digit;
some older implementations use a different last step, and numbers since October 2020 are random, so a
failed check digit is again only reported under a key, at lower confidence.

**Passport number** (여권번호, ``identity.passport``): one of M, S, R, G, D (passport type) and eight
digits, or since December 2021 a letter, three digits, a letter and four digits (``M123A4567``).
Many strings share that shape, so only under a passport key.

**Driver's licence number** (운전면허번호, ``identity.driver_licence``): ``NN-NN-NNNNNN-NN`` whose
first pair is a region code 11-28, or the older form with the region's name (``서울 12-345678-90``).
Only under a licence key.

**Personal customs clearance code** (개인통관고유부호, ``customs.pccc``): ``P`` and twelve digits,
issued by the Korea Customs Service. The exact shape is reported anywhere; under a key, also in lower
case.
"""

from __future__ import annotations

import re
from datetime import date

from privprobe.enrich.detectors.base import PatternDetector, digits_of

RRN_KEYS = frozenset(
    [
        "rrn",
        "jumin",
        "juminno",
        "jumin_no",
        "resident_no",
        "resident_number",
        "residentregistrationnumber",
        "ssn",
        "주민번호",
        "주민등록번호",
        "주민등록",
        "居民登记号",
    ]
)
FOREIGNER_KEYS = RRN_KEYS | frozenset(
    [
        "arn",
        "alien",
        "alien_no",
        "alienregistration",
        "foreigner",
        "foreigner_no",
        "외국인등록번호",
        "외국인번호",
    ]
)
PASSPORT_KEYS = frozenset(["passport", "passport_no", "passportnumber", "여권", "여권번호", "护照", "护照号"])
LICENCE_KEYS = frozenset(
    [
        "driver_licence",
        "driver_license",
        "driverlicence",
        "driverlicense",
        "driving_licence",
        "license_no",
        "licence_no",
        "dl_no",
        "운전면허",
        "면허번호",
        "驾驶证",
        "驾照",
    ]
)
PCCC_KEYS = frozenset(
    [
        "pccc",
        "customs",
        "customs_code",
        "personal_customs_code",
        "clearance_code",
        "customs_id",
        "통관고유부호",
        "개인통관고유부호",
        "통관부호",
        "通关",
        "通关号码",
        "个人通关",
    ]
)

_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_CENTURY = {"1": 1900, "2": 1900, "3": 2000, "4": 2000, "5": 1900, "6": 1900, "7": 2000, "8": 2000}


def check_digit(first12: str) -> int:
    """The check digit of an RRN or foreigner number issued before October 2020."""
    return (
        11 - sum(weight * (ord(char) - 48) for weight, char in zip(_WEIGHTS, first12, strict=True)) % 11
    ) % 10


def birth_date(number: str) -> date | None:
    """The date of birth coded in a 13-digit number (century from the 7th digit), or None if invalid."""
    century = _CENTURY.get(number[6])
    if century is None:
        return None
    try:
        return date(century + int(number[:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        return None


def registration_verdict(value: str) -> bool | None:
    """False for an invalid date; True when the check digit holds; None when it does not (post-2020)."""
    number = digits_of(value)
    if len(number) != 13 or birth_date(number) is None:
        return False
    if check_digit(number[:12]) == int(number[12]):
        return True
    return None


def registration_description(value: str) -> str:
    """Date of birth and what the check digit says."""
    number = digits_of(value)
    born = birth_date(number)
    if check_digit(number[:12]) == int(number[12]):
        return f"date of birth {born} and check digit valid"
    return f"date of birth {born} valid but check digit not (random since October 2020)"


def _registration_pattern(sex_digits: str, separator: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![0-9A-Za-z_-])(?P<value>\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
        rf"{separator}(?P<sex>[{sex_digits}])\d{{6}})(?![0-9A-Za-z_]|-\d)"
    )


_SIX_DIGITS = re.compile(r"\d{6}")

KR_RRN = PatternDetector(
    name="kr_rrn",
    data_type="identity.rrn",
    pattern=_registration_pattern("1-4", "[- ]"),
    keyed_pattern=_registration_pattern("1-4", "[- ]?"),
    explanation="resident registration number form, {detail}",
    key_names=RRN_KEYS,
    validator=registration_verdict,
    describe=registration_description,
    confidence_with_key=0.97,
    confidence_without_key=0.9,
    confidence_unverified=0.6,
    prefilter=_SIX_DIGITS,
    trigger=r"\d{6}[- ]?[1-4]\d{6}",
    unkeyed_trigger=r"\d{6}[- ][1-4]\d{6}",
)

KR_FOREIGNER_NO = PatternDetector(
    name="kr_foreigner_no",
    data_type="identity.foreigner_no",
    pattern=_registration_pattern("5-8", "[- ]"),
    keyed_pattern=_registration_pattern("5-8", "[- ]?"),
    explanation="foreigner registration number form (7th digit {sex}), {detail}",
    key_names=FOREIGNER_KEYS,
    validator=registration_verdict,
    describe=registration_description,
    confidence_with_key=0.95,
    confidence_without_key=0.85,
    confidence_unverified=0.55,
    prefilter=_SIX_DIGITS,
    trigger=r"\d{6}[- ]?[5-8]\d{6}",
    unkeyed_trigger=r"\d{6}[- ][5-8]\d{6}",
)


def passport_form(value: str) -> str:
    """Which of the two Korean passport-number forms ``value`` has."""
    if value[4].isalpha():
        return "letter, 3 digits, letter, 4 digits (issued since December 2021)"
    return f"passport type {value[0].upper()} and 8 digits"


KR_PASSPORT = PatternDetector(
    name="kr_passport",
    data_type="identity.passport",
    pattern=re.compile(
        r"(?<![0-9A-Za-z])(?P<value>[MSRGDmsrgd]\d{8}|[A-Za-z]\d{3}[A-Za-z]\d{4})(?![0-9A-Za-z])"
    ),
    explanation="Korean passport number form: {detail}",
    key_names=PASSPORT_KEYS,
    requires_key=True,
    describe=passport_form,
    confidence_with_key=0.85,
    trigger=r"[MSRGDmsrgd]\d{8}|[A-Za-z]\d{3}[A-Za-z]\d{4}",
)

LICENCE_REGIONS = {
    "11": "서울",
    "12": "부산",
    "13": "경기",
    "14": "강원",
    "15": "충북",
    "16": "충남",
    "17": "전북",
    "18": "전남",
    "19": "경북",
    "20": "경남",
    "21": "제주",
    "22": "대구",
    "23": "인천",
    "24": "광주",
    "25": "대전",
    "26": "울산",
    "28": "경기북부",
}
"""Region codes of driver's licence numbers and the names the older form printed instead."""

_REGION_NAMES = "|".join(sorted(set(LICENCE_REGIONS.values()), key=len, reverse=True))
_REGION_NAME = re.compile(_REGION_NAMES)


def licence_region(value: str) -> str:
    """``region code 13 (경기)`` or ``region 서울``."""
    code = value[:2]
    if code.isdigit():
        name = LICENCE_REGIONS.get(code)
        return f"region code {code} ({name})" if name else f"region code {code}"
    named = _REGION_NAME.match(value)
    return f"region {named.group(0) if named else value[:2]}"


KR_DRIVER_LICENCE = PatternDetector(
    name="kr_driver_licence",
    data_type="identity.driver_licence",
    pattern=re.compile(
        r"(?<![0-9A-Za-z-])(?P<value>(?:1[1-9]|2[0-8])(?P<s>[- ]?)\d{2}(?P=s)\d{6}(?P=s)\d{2}"
        rf"|(?:{_REGION_NAMES}) ?\d{{2}}(?P<t>[- ]?)\d{{6}}(?P=t)\d{{2}})(?![0-9A-Za-z]|-\d)"
    ),
    explanation="driver's licence number form with {detail}",
    key_names=LICENCE_KEYS,
    requires_key=True,
    describe=licence_region,
    confidence_with_key=0.85,
    # Both forms end in 2, 6 and 2 digits, one separator or none between them.
    trigger=r"\d{2}[- ]?\d{6}[- ]?\d{2}",
)

KR_PCCC = PatternDetector(
    name="kr_pccc",
    data_type="customs.pccc",
    pattern=re.compile(r"(?<![0-9A-Za-z_-])(?P<value>P\d{12})(?![0-9A-Za-z_]|-\d)"),
    keyed_pattern=re.compile(r"(?<![0-9A-Za-z])(?P<value>[Pp]-?\d{12})(?![0-9A-Za-z])"),
    explanation="personal customs clearance code form (P and 12 digits)",
    key_names=PCCC_KEYS,
    confidence_with_key=0.95,
    confidence_without_key=0.7,
    prefilter=re.compile(r"[Pp]-?\d{12}"),
    trigger=r"[Pp]-?\d{12}",
    unkeyed_trigger=r"P\d{12}",
)
