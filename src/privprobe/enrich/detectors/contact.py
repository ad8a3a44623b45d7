"""Contact details: e-mail addresses and Korean telephone numbers.

**E-mail** (``contact.email``): the common ``local@domain.tld`` form of RFC 5322 addresses (dot-atom
local part, LDH domain labels, an alphabetic or ``xn--`` top-level label). Rejected: image names such
as ``icon@2x.png`` (the "top-level domain" is a file extension) and Sentry-style DSN keys
(``https://<32 hex>@o1.ingest.sentry.io``), whose local part is a long hexadecimal key.

**Korean telephone numbers** (``contact.phone``), numbering plan of the Ministry of Science and ICT
(전기통신번호관리세칙):

- mobile ``010`` and the legacy ``011``, ``016``-``019``, followed by 3-4 and 4 digits;
- landline area codes ``02`` (Seoul), ``031``-``033``, ``041``-``044``, ``051``-``055``,
  ``061``-``064``, and ``070`` (internet telephony);
- written ``010-9876-5432``, ``010 9876 5432``, ``010.9876.5432``, ``01098765432``, ``(02) 345-6789``,
  or internationally ``+82 10-9876-5432``, ``+821098765432``, ``82-10-9876-5432`` (the trunk ``0``
  dropped, or kept as ``+82 (0)``-style ``+82010``).

A mobile number written with separators or the ``+82`` prefix is reported anywhere; eleven bare
digits (``01098765432``) only under a phone key, because order and tracking numbers take that shape
too. Landline numbers are reported only under a phone key: unkeyed ones in web traffic are mostly the
shop's or a courier's customer-service lines. Nationwide business numbers (``1588-xxxx``,
``1544-xxxx``, ...) are never personal and do not fit the patterns. The Korean placeholders
``010-0000-0000``, ``010-1111-1111`` (any one digit repeated) and ``010-1234-5678`` are skipped.
"""

from __future__ import annotations

import re

from privprobe.enrich.detectors.base import PatternDetector, digits_of

PHONE_KEYS = frozenset(
    [
        "phone",
        "tel",
        "telephone",
        "mobile",
        "cellphone",
        "cell",
        "hp",
        "handphone",
        "msisdn",
        "contact",
        "phone_no",
        "phonenumber",
        "mobile_no",
        "receiver_phone",
        "휴대폰",
        "휴대전화",
        "핸드폰",
        "전화",
        "전화번호",
        "연락처",
        "手机",
        "电话",
        "手机号",
        "联系电话",
    ]
)
"""Field names under which a number is a telephone number (matched by word, see ``base``)."""

EMAIL_KEYS = frozenset(["email", "e_mail", "mail", "email_address", "이메일", "메일", "邮箱", "电子邮件"])

_FILE_EXTENSIONS = frozenset(
    [
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "svg",
        "ico",
        "bmp",
        "js",
        "css",
        "html",
        "json",
        "xml",
        "mp4",
        "webm",
        "woff",
        "woff2",
        "ttf",
    ]
)
_HEX_KEY = re.compile(r"^[0-9a-f]{16,}$")

EMAIL_PATTERN = re.compile(
    r"(?<![\w.+%-])(?P<value>[A-Za-z0-9_](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59}))"
    r"(?![\w-]|\.[A-Za-z0-9])",
    re.ASCII,
)


def email_valid(value: str) -> bool:
    """False for file names (``icon@2x.png``) and DSN keys; True for other address-shaped values."""
    local, _, domain = value.rpartition("@")
    return domain.rsplit(".", 1)[-1].lower() not in _FILE_EXTENSIONS and not _HEX_KEY.match(local.lower())


def email_domain(value: str) -> str:
    """``e-mail address form, domain example.com``."""
    return f"e-mail address form, domain {value.rpartition('@')[2].lower()}"


EMAIL = PatternDetector(
    name="email",
    data_type="contact.email",
    pattern=EMAIL_PATTERN,
    explanation="{detail}",
    key_names=EMAIL_KEYS,
    validator=email_valid,
    describe=email_domain,
    confidence_with_key=0.97,
    confidence_without_key=0.9,
    prefilter=re.compile("@"),
    # The character before "@" ends the local part, the one after starts a label; a dot and a
    # letter start the top-level label.
    trigger=r"[A-Za-z0-9_%+-]@[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]",
)

# Before a number: no letter, digit or joining punctuation (an id like "ord-010-..." is not a phone).
_BEFORE = r"(?<![0-9A-Za-z_.+-])"
_AFTER = r"(?![0-9A-Za-z_]|[-.]\d)"
_INTL = r"(?:\+82[-. ]?(?:\(0\)[-. ]?|0)?|82[-. ])"
_MOBILE = r"1[016-9]"
_AREA = r"(?:2|[3-6][1-5]|70)"

MOBILE_PATTERN = re.compile(
    rf"{_BEFORE}(?P<value>{_INTL}{_MOBILE}(?P<isep>[-. ]?)\d{{3,4}}(?P=isep)\d{{4}}"
    rf"|0{_MOBILE}(?P<sep>[-. ])\d{{3,4}}(?P=sep)\d{{4}}){_AFTER}"
)
MOBILE_KEYED_PATTERN = re.compile(
    rf"{_BEFORE}(?P<value>{_INTL}{_MOBILE}(?P<isep>[-. ]?)\d{{3,4}}(?P=isep)\d{{4}}"
    rf"|0{_MOBILE}(?P<sep>[-. ]?)\d{{3,4}}(?P=sep)\d{{4}}){_AFTER}"
)
LANDLINE_PATTERN = re.compile(
    rf"{_BEFORE}(?P<value>{_INTL}{_AREA}(?P<isep>[-. ]?)\d{{3,4}}(?P=isep)\d{{4}}"
    rf"|0{_AREA}(?P<sep>[-. ]?)\d{{3,4}}(?P=sep)\d{{4}}|\(0{_AREA}\) ?\d{{3,4}}-\d{{4}}){_AFTER}"
)

AREAS = {
    "02": "Seoul",
    "031": "Gyeonggi",
    "032": "Incheon",
    "033": "Gangwon",
    "041": "South Chungcheong",
    "042": "Daejeon",
    "043": "North Chungcheong",
    "044": "Sejong",
    "051": "Busan",
    "052": "Ulsan",
    "053": "Daegu",
    "054": "North Gyeongsang",
    "055": "South Gyeongsang",
    "061": "South Jeolla",
    "062": "Gwangju",
    "063": "North Jeolla",
    "064": "Jeju",
    "070": "internet telephony",
}
"""Korean landline area codes and what they cover."""


def national_number(value: str) -> str:
    """The number in national form, digits only: ``+82 10-9876-5432`` → ``01098765432``."""
    digits = digits_of(value)
    if value.lstrip().startswith(("+82", "82")):
        digits = digits[2:]
        return digits if digits.startswith("0") else "0" + digits
    return digits


def _subscriber_placeholder(subscriber: str) -> bool:
    return len(set(subscriber)) == 1 or subscriber == "12345678"


def mobile_valid(value: str) -> bool:
    """A Korean mobile number of 10-11 digits (``010`` needs 11) that is not a placeholder."""
    number = national_number(value)
    if len(number) not in (10, 11) or (number.startswith("010") and len(number) != 11):
        return False
    return not _subscriber_placeholder(number[3:])


def mobile_prefix(value: str) -> str:
    """``Korean mobile prefix 010``."""
    return f"Korean mobile prefix {national_number(value)[:3]}"


def landline_area(number: str) -> str | None:
    """The area code ``number`` (national digits) starts with, when it is one."""
    code = number[:2] if number.startswith("02") else number[:3]
    return code if code in AREAS else None


def landline_valid(value: str) -> bool:
    """A known area code, 9-11 digits in all (``070`` needs 11), not a placeholder."""
    number = national_number(value)
    code = landline_area(number)
    if code is None or not 9 <= len(number) <= 11 or (code == "070" and len(number) != 11):
        return False
    return not _subscriber_placeholder(number[len(code) :])


def landline_description(value: str) -> str:
    """``Korean landline area code 02 (Seoul)``."""
    code = landline_area(national_number(value)) or "?"
    return f"Korean landline area code {code} ({AREAS.get(code, 'unknown')})"


_DIGIT_GROUP = re.compile(r"\d{4}")

KR_MOBILE = PatternDetector(
    name="kr_mobile",
    data_type="contact.phone",
    pattern=MOBILE_PATTERN,
    keyed_pattern=MOBILE_KEYED_PATTERN,
    explanation="{detail}",
    key_names=PHONE_KEYS,
    validator=mobile_valid,
    describe=mobile_prefix,
    confidence_with_key=0.95,
    confidence_without_key=0.75,
    prefilter=_DIGIT_GROUP,
    # Both patterns: the mobile prefix without its trunk "0", then 3-4 and 4 digits; without a key,
    # with a separator after the prefix, or the country code before it ("82", a separator and "0"
    # optional, or the ")" of "(0)" and a separator).
    trigger=r"1[016-9][-. ]?\d{3,4}[-. ]?\d{4}",
    unkeyed_trigger=r"01[016-9][-. ]|(?:82[-. ]?0?|\)[-. ]?)1[016-9][-. ]?\d{3,4}[-. ]?\d{4}",
)

KR_LANDLINE = PatternDetector(
    name="kr_landline",
    data_type="contact.phone",
    pattern=LANDLINE_PATTERN,
    explanation="{detail}",
    key_names=PHONE_KEYS,
    requires_key=True,
    validator=landline_valid,
    describe=landline_description,
    confidence_with_key=0.85,
    prefilter=_DIGIT_GROUP,
    # Every form ends in 3-4 digits, a separator or none (a hyphen after "(02) "), and 4 digits.
    trigger=r"\d{3}[-. ]?\d{4}",
)
