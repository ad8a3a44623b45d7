"""The persona's known values (canaries) in every form and encoding an app or SDK may send them in.

Apps rarely send a value as the investigator typed it. They normalise it first (lower-case the
e-mail, write the phone in E.164), then encode it (URL, base64, hex) or hash it, sometimes twice:
ad-tech "hashed e-mail" matching is SHA-256 of the trimmed, lower-cased address (Meta, Google,
TikTok), Criteo hashes the MD5 hex again with SHA-256. `normal_forms` lists the forms a canary takes
by its data type; `variants` turns every form into the literal bytes to look for on the wire.

A chain is written from the wire inwards: ``("base64", "sha1")`` is the base64 of the raw SHA-1
digest of the form. Its words:

============== ===================================================================================
``url``        percent-encoding (RFC 3986), as ``quote``/``quote_plus`` write it, upper or lower hex
``base64``     RFC 4648 §4, padded or not, or embedded at any offset inside a longer base64 string
``base64url``  RFC 4648 §5 (``-_`` instead of ``+/``), used when it differs from ``base64``
``hex``        the UTF-8 bytes in hexadecimal, lower or upper case
``md5`` …      a digest (md5, sha1, sha224, sha256, sha384, sha512) written as hex, either case
``raw``        a digest's own bytes, as binary bodies (protobuf) carry them
``json-escape`` non-ASCII characters as ``\\uXXXX`` (``json.dumps`` with ``ensure_ascii``)
``euc-kr``     the legacy Korean code page CP949 instead of UTF-8
============== ===================================================================================

The set is bounded on purpose, so that 50 canaries make thousands of literals, not millions
(``bench/personal_data_speed.py`` prints the count and the compile time). Each form has a `Reach`:
``PLAIN`` forms (one coordinate alone, a name written backwards) are searched as text and
percent-encoded only; ``ENCODED`` forms add base64, hex and one hash; ``CHAINED`` forms (the
canonical ones: lower-cased e-mail, E.164 phone, typed name, the id as typed) add a hash of a hash
(md5, sha1 or sha256 of the md5, sha1 or sha256 hex) and its base64. Literals shorter than
`MIN_LITERAL` bytes are dropped: six bytes of text match by chance in a day of traffic.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import IntEnum
from urllib.parse import quote, quote_from_bytes, quote_plus

from privprobe.model import Canary

MIN_LITERAL = 6
"""Shortest literal searched, in bytes; shorter ones match unrelated traffic by chance."""

HASHES = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
"""Digests searched for every encoded form, as hex (both cases), base64, base64url and raw bytes."""

CHAIN_HASHES = ("md5", "sha1", "sha256")
"""Digests combined two at a time (``sha256(md5hex(x))``) for the canonical forms."""

# Korean family names of two syllables (Statistics Korea census 2015); the rest are one syllable.
_COMPOUND_SURNAMES = frozenset(
    {"남궁", "황보", "제갈", "선우", "서문", "독고", "동방", "사공", "어금", "망절"}
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_COORDS = re.compile(r"\s*([-+]?\d{1,3}(?:\.\d+)?)\s*[,;/ ]\s*([-+]?\d{1,3}(?:\.\d+)?)\s*")
_HEX_ID = re.compile(r"[0-9A-Fa-f]{8}(?:-?[0-9A-Fa-f]{4}){3}-?[0-9A-Fa-f]{12}|[0-9A-Fa-f]{16}")
_DATE = re.compile(r"(\d{4})[-./]?(\d{2})[-./]?(\d{2})")
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")


class Reach(IntEnum):
    """How far a form is encoded: see the module docstring."""

    PLAIN = 0
    ENCODED = 1
    CHAINED = 2


class Guard(IntEnum):
    """What may not touch a plain-text match for it to be this value and not part of a longer one.

    A percent-escape right before a match (``%22`` then the value) never counts as touching it.
    """

    NONE = 0
    """Korean names (particles follow without a space: ``김민지님``), addresses, free text."""
    NUMBER_START = 1
    """Coordinates: no digit, ``-`` or ``.`` before (``137.5665``, ``-37.5665`` are other places);
    digits after are only more precision."""
    NUMBER = 2
    """Phone numbers, dates: no digit on either side (``9901012345678901`` is another number)."""
    WORD = 3
    """Ids, Latin names: no letter or digit on either side (``Minji Kimura`` is someone else)."""
    EMAIL = 4
    """E-mail addresses: no local-part character before, no domain character after
    (``xminji@example.com``, ``minji@example.com.au`` are other addresses)."""


@dataclass(frozen=True, slots=True)
class Form:
    """One way of writing a canary's value before any encoding."""

    text: str
    """The value in this form (``+821012345678``)."""
    name: str
    """What the form is, for explanations (``E.164``, ``lower-cased``)."""
    reach: Reach = Reach.ENCODED
    """Which encodings are searched for it."""
    guard: Guard = Guard.NONE
    """Digit boundaries a plain-text match must respect."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One literal to search for: a form of a canary, encoded along a chain."""

    literal: bytes
    """The bytes on the wire."""
    form: str
    """Name of the form it encodes (``lower-cased``)."""
    chain: tuple[str, ...]
    """Encodings from the wire inwards; empty for the form as text."""
    how: str = ""
    """The chain in words (``base64 of the raw sha1 digest``); empty for the form as text."""
    guard: Guard = Guard.NONE
    """What may not touch the value: checked around a plain-text match, and after decoding around a
    ``hex``, ``base64`` or ``base64url`` match (which may sit inside the encoding of a longer value)."""
    text: bytes = b""
    """The form's own bytes, to find it again after decoding the neighbourhood of a match."""


def kind_of(data_type: str, value: str) -> str:
    """How a value of ``data_type`` is normalised: email, phone, name, coordinates, id, date or generic."""
    leaf = data_type.lower().rsplit(".", 1)[-1]
    if "email" in leaf or "e_mail" in leaf or _EMAIL.fullmatch(value.strip()):
        return "email"
    if any(word in leaf for word in ("phone", "mobile", "msisdn", "tel")):
        return "phone"
    if leaf in {"name", "full_name", "person_name", "given_name", "family_name", "first_name", "last_name"}:
        return "name"
    if _COORDS.fullmatch(value) and any(w in data_type.lower() for w in ("location", "coord", "geo", "gps")):
        return "coordinates"
    if _HEX_ID.fullmatch(value.strip()):
        return "id"
    if ("birth" in leaf or "date" in leaf) and _DATE.fullmatch(value.strip()):
        return "date"
    return "generic"


def normal_forms(canary: Canary) -> list[Form]:
    """The forms ``canary`` may be written in, canonical ones first, without duplicates."""
    value = canary.value.strip()
    made = _FORMS[kind_of(canary.data_type, canary.value)](value)
    typed = Form(value, "typed", Reach.CHAINED, made[0].guard if made else Guard.NONE)
    seen: dict[str, Form] = {}
    for form in [*made, typed]:
        if form.text and form.text not in seen:
            seen[form.text] = form
    return list(seen.values())


def _email_forms(value: str) -> list[Form]:
    lower, guard = value.lower(), Guard.EMAIL
    forms = [Form(lower, "lower-cased", Reach.CHAINED, guard), Form(value, "typed", Reach.CHAINED, guard)]
    local, _, domain = lower.partition("@")
    if domain in {"gmail.com", "googlemail.com"}:
        # Google's customer-match normalisation drops dots and "+tags" in Gmail local parts.
        bare = local.split("+", 1)[0].replace(".", "")
        forms.append(Form(f"{bare}@{domain}", "Gmail-normalised", Reach.CHAINED, guard))
    return forms


def _phone_forms(value: str) -> list[Form]:
    digits = re.sub(r"\D", "", value)
    international = value.lstrip().startswith("+") or value.lstrip().startswith("00")
    digits = digits[2:] if value.lstrip().startswith("00") else digits
    if digits.startswith("82") and (international or len(digits) >= 11):
        national = "0" + digits[2:].lstrip("0")
    elif digits.startswith("0"):
        national = digits
    else:  # a number of another country: E.164 as typed, digits only
        return [
            Form(f"+{digits}", "E.164", Reach.CHAINED, Guard.NUMBER),
            Form(digits, "digits", guard=Guard.NUMBER),
        ]
    area = national[:2] if national.startswith("02") else national[:3]
    mid, last = national[len(area) : -4], national[-4:]
    subscriber = national[1:]
    both = Guard.NUMBER
    return [
        Form(f"+82{subscriber}", "E.164", Reach.CHAINED, both),
        Form(f"82{subscriber}", "international digits", Reach.CHAINED, both),
        Form(national, "local digits", Reach.CHAINED, both),
        Form(f"{area}-{mid}-{last}", "local with dashes", Reach.ENCODED, both),
        Form(f"{area} {mid} {last}", "local with spaces", Reach.ENCODED, both),
        Form(f"{area}.{mid}.{last}", "local with dots", Reach.ENCODED, both),
        Form(f"+82 {area[1:]}-{mid}-{last}", "international with dashes", Reach.ENCODED, both),
        Form(subscriber, "national number without the leading 0", Reach.ENCODED, both),
    ]


def _name_forms(value: str) -> list[Form]:
    compact = "".join(value.split())
    if _HANGUL.fullmatch(compact):
        cut = 2 if compact[:2] in _COMPOUND_SURNAMES and len(compact) > 3 else 1
        return [
            Form(compact, "without spaces", Reach.CHAINED),
            Form(f"{compact[:cut]} {compact[cut:]}", "family name, space, given name", Reach.CHAINED),
        ]
    words, word = value.split(), Guard.WORD
    spaced = " ".join(words)
    backwards = " ".join(reversed(words))
    return [
        Form(spaced, "typed", Reach.CHAINED, word),
        Form(spaced.lower(), "lower-case", Reach.CHAINED, word),
        Form(spaced.upper(), "upper-case", Reach.ENCODED, word),
        Form(compact, "without spaces", Reach.ENCODED, word),
        Form(compact.lower(), "lower-case without spaces", Reach.ENCODED, word),
        Form(backwards, "family name first", Reach.ENCODED, word),
        Form(backwards.lower(), "family name first, lower-case", Reach.PLAIN, word),
    ]


def _coordinate_forms(value: str) -> list[Form]:
    match = _COORDS.fullmatch(value)
    if match is None:
        return []
    lat, lon, start = match.group(1), match.group(2), Guard.NUMBER_START
    forms = [Form(f"{float(lat)},{float(lon)}", "latitude,longitude", Reach.CHAINED, start)]
    for places in range(6, 1, -1):
        for pair in dict.fromkeys(
            f"{a},{b}" for a, b in zip(_decimals(lat, places), _decimals(lon, places), strict=True)
        ):
            forms.append(Form(pair, f"latitude,longitude at {places} decimals", Reach.ENCODED, start))
            forms.append(
                Form(pair.replace(",", ", "), f"latitude, longitude at {places} decimals", Reach.PLAIN, start)
            )
    for label, number in (("latitude", lat), ("longitude", lon)):
        for places in range(6, 2, -1):
            for text in _decimals(number, places):
                forms.append(Form(text, f"{label} at {places} decimals", Reach.PLAIN, start))
    return forms


def _decimals(number: str, places: int) -> list[str]:
    """``number`` at ``places`` decimals as programs write it: rounded from the binary float
    (``toFixed``, ``%.4f``), rounded half-up from the decimal (``BigDecimal``), the shortest form of
    the rounded float, and truncated."""
    exact, step = Decimal(number), Decimal(1).scaleb(-places)
    return [
        f"{float(number):.{places}f}",
        str(exact.quantize(step, ROUND_HALF_UP)),
        repr(round(float(number), places)),
        str(exact.quantize(step, ROUND_DOWN)),
    ]


def _date_forms(value: str) -> list[Form]:
    match = _DATE.fullmatch(value)
    if match is None:
        return []
    year, month, day = match.groups()
    both = Guard.NUMBER
    return [
        Form(f"{year}-{month}-{day}", "ISO 8601", Reach.CHAINED, both),
        Form(f"{year}{month}{day}", "digits", Reach.CHAINED, both),
        Form(f"{year}.{month}.{day}", "with dots", Reach.ENCODED, both),
        Form(f"{year}/{month}/{day}", "with slashes", Reach.ENCODED, both),
        Form(f"{month}/{day}/{year}", "month/day/year", Reach.PLAIN, both),
        Form(f"{day}.{month}.{year}", "day.month.year", Reach.PLAIN, both),
    ]


def _id_forms(value: str) -> list[Form]:
    lower, upper, word = value.lower(), value.upper(), Guard.WORD
    forms = [Form(lower, "lower-case", Reach.CHAINED, word), Form(upper, "upper-case", Reach.CHAINED, word)]
    if "-" in value:
        forms += [
            Form(lower.replace("-", ""), "lower-case without dashes", Reach.ENCODED, word),
            Form(upper.replace("-", ""), "upper-case without dashes", Reach.ENCODED, word),
        ]
    return forms


def _generic_forms(value: str) -> list[Form]:
    forms = [Form(value, "typed", Reach.CHAINED)]
    collapsed = " ".join(value.split())
    forms += [Form(collapsed, "single-spaced"), Form("".join(value.split()), "without spaces")]
    forms.append(Form(value.lower(), "lower-case"))
    return forms


_FORMS: dict[str, Callable[[str], list[Form]]] = {
    "email": _email_forms,
    "phone": _phone_forms,
    "name": _name_forms,
    "coordinates": _coordinate_forms,
    "date": _date_forms,
    "id": _id_forms,
    "generic": _generic_forms,
}


def variants(canary: Canary) -> list[Variant]:
    """Every literal of every form of ``canary``, without duplicates or literals under `MIN_LITERAL`."""
    seen: dict[bytes, Variant] = {}
    for form in normal_forms(canary):
        for literal, chain, how in _encode(form):
            if len(literal) >= MIN_LITERAL and literal not in seen:
                checked = set(chain) <= _TEXT_LIKE or chain in _DECODABLE
                guard = form.guard if checked else Guard.NONE
                seen[literal] = Variant(literal, form.name, chain, how, guard, form.text.encode())
    return list(seen.values())


_Encoded = tuple[bytes, tuple[str, ...], str]
_TEXT_LIKE = {"url", "json-escape", "euc-kr"}
_DECODABLE = {("hex",), ("base64",), ("base64url",)}


def _encode(form: Form) -> Iterator[_Encoded]:
    """The literals of one form, plainest first (so a literal is described by its simplest chain)."""
    text = form.text
    yield text.encode(), (), ""
    yield from _percent(text)
    yield from _legacy(text)
    if form.reach >= Reach.ENCODED:
        raw = text.encode()
        yield from _base64(raw)
        yield raw.hex().encode(), ("hex",), "hex"
        yield raw.hex().upper().encode(), ("hex",), "upper-case hex"
        for name in HASHES:
            yield from _digest(hashlib.new(name, raw).digest(), (name,), name)
    if form.reach >= Reach.CHAINED:
        for outer in CHAIN_HASHES:
            for inner in CHAIN_HASHES:
                inner_hex = hashlib.new(inner, text.encode()).hexdigest().encode()
                digest = hashlib.new(outer, inner_hex).digest()
                yield from _digest(digest, (outer, inner), outer, f" of the hex {inner}")


def _percent(text: str) -> Iterator[_Encoded]:
    once = {quote(text, safe=""), quote_plus(text, safe=""), quote(text, safe="@:/,")}
    for encoded in sorted(once):
        yield encoded.encode(), ("url",), "URL-encoding"
        yield _lower_percent(encoded).encode(), ("url",), "URL-encoding (lower-case hex)"
    for encoded in sorted({quote(quote(text, safe=""), safe=""), quote_plus(quote_plus(text, safe=""))}):
        yield encoded.encode(), ("url", "url"), "double URL-encoding"


def _legacy(text: str) -> Iterator[_Encoded]:
    """Encodings that only change non-ASCII text: JSON ``\\u`` escapes and the Korean code page."""
    if text.isascii():
        return
    escaped = json.dumps(text)[1:-1]
    yield escaped.encode(), ("json-escape",), "JSON \\u-escapes"
    upper = re.sub(r"\\u[0-9a-f]{4}", lambda m: "\\u" + m.group()[2:].upper(), escaped)
    yield upper.encode(), ("json-escape",), "JSON \\u-escapes (upper-case hex)"
    try:
        legacy = text.encode("cp949")
    except UnicodeEncodeError:
        return
    yield legacy, ("euc-kr",), "EUC-KR (CP949) bytes"
    for encoded in sorted({quote_from_bytes(legacy, safe=""), quote_plus(legacy, safe="")}):
        yield encoded.encode(), ("url", "euc-kr"), "URL-encoding of the EUC-KR (CP949) bytes"
        yield (
            _lower_percent(encoded).encode(),
            ("url", "euc-kr"),
            "URL-encoding (lower-case hex) of the EUC-KR bytes",
        )


def _base64(raw: bytes) -> Iterator[_Encoded]:
    """Base64 and base64url of ``raw``: whole (padded and not) and at each offset of a longer string."""
    whole = base64.b64encode(raw)
    for alphabet, table in (("base64", None), ("base64url", _URLSAFE)):
        coded = whole.translate(table) if table else whole
        yield coded, (alphabet,), alphabet
        yield coded.rstrip(b"="), (alphabet,), f"{alphabet} without padding"
        for offset, core in enumerate(_aligned(raw)):
            core = core.translate(table) if table else core
            yield core, (alphabet,), f"{alphabet} at offset {offset} of a longer base64 string"


def _digest(digest: bytes, chain: tuple[str, ...], algorithm: str, of: str = "") -> Iterator[_Encoded]:
    """A digest as hex (both cases) and base64; with no ``of`` (a single hash) also base64url and raw."""
    yield digest.hex().encode(), chain, f"hex {algorithm}{of}"
    yield digest.hex().upper().encode(), chain, f"upper-case hex {algorithm}{of}"
    yield base64.b64encode(digest), ("base64", *chain), f"base64 of the raw {algorithm} digest{of}"
    if not of:
        urlsafe = base64.urlsafe_b64encode(digest).rstrip(b"=")
        yield urlsafe, ("base64url", *chain), f"base64url of the raw {algorithm} digest"
        yield digest, ("raw", *chain), f"raw {algorithm} digest"


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _aligned(raw: bytes) -> list[bytes]:
    """The base64 characters that depend only on ``raw`` when it sits at byte offset 0, 1 or 2 (mod 3)
    of a longer base64-encoded string: the first characters of a shifted group and the last partial
    one also carry bits of the neighbouring bytes, so they are cut."""
    cores = []
    for offset, skip in ((0, 0), (1, 2), (2, 3)):
        encoded = base64.b64encode(bytes(offset) + raw)
        cores.append(encoded[skip : (8 * (offset + len(raw))) // 6])
    return cores


def _lower_percent(encoded: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded)
