"""The personal-data scan: the persona's canaries in every place and encoding, detectors, de-duplication."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote_plus

import brotli
import pytest
import zstandard

from privprobe.enrich.fields import Limits
from privprobe.enrich.personal_data import Scanner, mask, scan_flows
from privprobe.facts import DataHit
from privprobe.model import Canary, Flow
from privprobe.plugins import Detection, Detector, FieldText
from tests.builders import make_flow, make_request

EMAIL = "minji.kim@example.com"
PERSONA = [
    Canary("persona-email", "contact.email", "Minji.Kim@Example.com"),
    Canary("persona-phone", "contact.phone", "010-1234-5678"),
    Canary("persona-name", "identity.name", "김민지"),
    Canary("persona-name-en", "identity.name", "Minji Kim"),
    Canary("persona-adid", "device.ad_id", "38400000-8cf0-11bd-b23e-10b96e40000d"),
    Canary("persona-location", "location.precise", "37.5665,126.9780"),
]
SCANNER = Scanner(PERSONA, [])


def get(url: str, **fields: object) -> Flow:
    return make_flow(request=make_request(url, **fields))


def post(body: bytes, *headers: tuple[str, str], url: str = "https://t.example/c") -> Flow:
    return make_flow(request=make_request(url, method="POST", headers=headers, body=body))


def hex_of(name: str, data: bytes) -> str:
    return hashlib.new(name, data).hexdigest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def protobuf_string(number: int, value: bytes) -> bytes:
    return bytes([number << 3 | 2, len(value)]) + value


def hidden_in_base64(offset: int) -> str:
    """The e-mail at byte ``offset`` of a binary blob (so the blob is not decoded), base64-encoded."""
    return b64(b"\x00\xff\x01"[:offset] + EMAIL.encode() + b"\x02\xfe\x00\x10")


MD5_HEX = hex_of("md5", EMAIL.encode()).encode()
JWT_CLAIMS = base64.urlsafe_b64encode(json.dumps({"sub": EMAIL}).encode()).rstrip(b"=").decode()
COOKIE_JSON = b64(json.dumps({"user": {"email": EMAIL}}).encode())
JSON_EMAIL = json.dumps({"user": {"email": EMAIL}}).encode()
GZIP_HASH = gzip.compress(json.dumps({"h": b64(hashlib.sha256(EMAIL.encode()).digest())}).encode())

# (id, flow, canary, field, encoding chain from the wire inwards)
CASES: list[tuple[str, Flow, str, str, tuple[str, ...]]] = [
    ("query", get(f"https://t.example/?em={EMAIL}"), "email", "query.em", ()),
    ("query-url", get("https://t.example/?em=minji.kim%40example.com"), "email", "query.em", ()),
    ("query-url-twice", get("https://t.example/?em=minji.kim%2540example.com"), "email", "query.em", ("url",)),
    ("path-url", get("https://t.example/u/minji.kim%40example.com/x"), "email", "url.path", ("url",)),
    ("header", get("https://t.example/", headers=(("X-User", EMAIL),)), "email", "header:x-user", ()),
    ("cookie", get("https://t.example/", cookies=(("em", EMAIL),)), "email", "cookie:em", ()),
    ("form", post(b"a=1&email=minji.kim%40example.com"), "email", "body.email", ("form",)),
    ("json-deep", post(json.dumps({"a": {"b": [{"c": {"mail": EMAIL}}]}}).encode()), "email", "body.a.b[0].c.mail", ("json",)),
    ("gzip-json", post(gzip.compress(JSON_EMAIL), ("Content-Encoding", "gzip")), "email", "body.user.email", ("gzip", "json")),
    ("gzip-sniffed", post(gzip.compress(JSON_EMAIL)), "email", "body.user.email", ("gzip", "json")),
    ("brotli", post(brotli.compress(JSON_EMAIL), ("Content-Encoding", "br")), "email", "body.user.email", ("br", "json")),
    ("zstd", post(zstandard.compress(JSON_EMAIL), ("Content-Encoding", "zstd")), "email", "body.user.email", ("zstd", "json")),
    ("deflate", post(zlib.compress(JSON_EMAIL), ("Content-Encoding", "deflate")), "email", "body.user.email", ("deflate", "json")),
    ("cookie-base64-json", get("https://t.example/", cookies=(("s", COOKIE_JSON),)), "email", "cookie:s.user.email", ("base64", "json")),
    ("multipart", post(b'--b\r\nContent-Disposition: form-data; name="e"\r\n\r\n' + EMAIL.encode() + b"\r\n--b--\r\n", ("Content-Type", "multipart/form-data; boundary=b")), "email", "body.e", ("multipart",)),
    ("protobuf", post(b"\x08\x01" + protobuf_string(2, EMAIL.encode()), ("Content-Type", "application/x-protobuf")), "email", "body.2", ("protobuf",)),
    ("base64-offset-0", get("https://t.example/", headers=(("X-T", hidden_in_base64(0)),)), "email", "header:x-t", ("base64",)),
    ("base64-offset-1", get("https://t.example/", headers=(("X-T", hidden_in_base64(1)),)), "email", "header:x-t", ("base64",)),
    ("base64-offset-2", get("https://t.example/", headers=(("X-T", hidden_in_base64(2)),)), "email", "header:x-t", ("base64",)),
    ("base64-of-text", get(f"https://t.example/?d={b64(b'uid=7|' + EMAIL.encode())}"), "email", "query.d", ("base64",)),
    ("jwt", get("https://t.example/", headers=(("Authorization", f"Bearer eyJhbGciOiJIUzI1NiJ9.{JWT_CLAIMS}.sig"),)), "email", "header:authorization.sub", ("jwt", "json")),
    ("hex", get(f"https://t.example/?x={EMAIL.encode().hex()}"), "email", "query.x", ("hex",)),
    ("sha256-lower", get(f"https://t.example/?h={hex_of('sha256', EMAIL.encode())}"), "email", "query.h", ("sha256",)),
    ("sha256-of-md5", get(f"https://t.example/?h={hex_of('sha256', MD5_HEX)}"), "email", "query.h", ("sha256", "md5")),
    ("sha512-upper", get(f"https://t.example/?h={hex_of('sha512', EMAIL.encode()).upper()}"), "email", "query.h", ("sha512",)),
    ("base64-sha1", post(json.dumps({"e": b64(hashlib.sha1(EMAIL.encode()).digest())}).encode()), "email", "body.e", ("json", "base64", "sha1")),
    ("gzip-json-base64-sha256", post(GZIP_HASH, ("Content-Encoding", "gzip")), "email", "body.h", ("gzip", "json", "base64", "sha256")),
    ("raw-digest", post(b"\x0a\x20" + hashlib.sha256(EMAIL.encode()).digest(), ("Content-Type", "application/x-protobuf")), "email", "body", ("raw", "sha256")),
    ("phone-e164-number", post(b'{"tel": 821012345678}'), "phone", "body.tel", ("json",)),
    ("phone-e164-plus", get("https://t.example/?p=%2B821012345678"), "phone", "query.p", ()),
    ("phone-md5", get(f"https://t.example/?p={hex_of('md5', b'+821012345678').upper()}"), "phone", "query.p", ("md5",)),
    ("name-utf8-url", get("https://t.example/u/%EA%B9%80%EB%AF%BC%EC%A7%80"), "name", "url.path", ("url",)),
    ("name-euc-kr", get("https://t.example/?n=%B1%E8%B9%CE%C1%F6"), "name", "query.n", ("euc-kr",)),
    ("name-json-escape", post(b'{"n": "\\uae40\\ubbfc\\uc9c0", "cut'), "name", "body", ("json-escape",)),
    ("name-spaced", post(b"nm=" + quote_plus("김 민지님").encode()), "name", "body.nm", ("form",)),
    ("name-latin-upper", get("https://t.example/?n=MINJI+KIM"), "name-en", "query.n", ()),
    ("adid-upper-compact", get("https://t.example/?a=384000008CF011BDB23E10B96E40000D"), "adid", "query.a", ()),
    ("location-pair", get("https://t.example/?ll=37.5665,126.978"), "location", "query.ll", ()),
    ("location-alone", post(b'{"lat": 37.56650, "lng": 126.97800}'), "location", "body.lat", ("json",)),
]  # fmt: skip


def hits_of(flow: Flow, scanner: Scanner = SCANNER) -> list[DataHit]:
    return scanner.scan(flow).hits


@pytest.mark.parametrize(
    ("flow", "canary", "field", "encoding"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_canary_found_in_every_place_and_encoding(
    flow: Flow, canary: str, field: str, encoding: tuple[str, ...]
) -> None:
    found = [(hit.field, hit.encoding) for hit in hits_of(flow) if hit.source == f"canary:persona-{canary}"]
    assert (field, encoding) in found, found
    hit = next(hit for hit in hits_of(flow) if hit.field == field and hit.encoding == encoding)
    assert hit.confidence == 1.0 and hit.flow == flow.id
    assert hit.data_type == next(c.data_type for c in PERSONA if c.name == f"persona-{canary}")


def test_a_hit_explains_itself_and_masks_the_value() -> None:
    (hit,) = hits_of(get(f"https://t.example/?h={hex_of('sha256', EMAIL.encode())}"))
    assert hit.explanation.startswith(
        "canary persona-email (contact.email) as hex sha256 of the lower-cased form, in query.h; "
    )
    assert "a hash is not the value, but it is still personal data" in hit.explanation
    assert hit.masked == hex_of("sha256", EMAIL.encode())[:8] + "…"
    (plain,) = hits_of(post(gzip.compress(JSON_EMAIL)))
    assert plain.masked == "Mi***@Example.com"
    assert plain.explanation == (
        "canary persona-email (contact.email) in its lower-cased form, in body.user.email after decoding gzip → json"
    )


DECOYS = [
    "xminji.kim@example.com",
    "minji.kim@example.com.au",
    "minji.kim@example.co",
    "minji_kim@example.com",
    "010-1234-5679",
    "9901012345678901",
    "+821012345670",
    "137.5665",
    "-37.5665",
    "Minji Kimura",
    "138400000-8cf0-11bd-b23e-10b96e40000d",
    hex_of("sha256", b"minji.kim@example.org"),
    hex_of("md5", b"+821012345679"),
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    b64(b"someone.else@example.com"),
    # encoded look-alikes: the aligned base64 (or hex) of the persona's value is inside their encoding
    b64(b"x" + EMAIL.encode()),
    b64(EMAIL.encode() + b".au"),
    b64(b"010-1234-5679"),  # "9" and "8" share the top six bits of the last base64 character
    b64(b"+821012345670"),
    b64(json.dumps({"tel": "010-1234-5679"}).encode()),
    (b"x" + EMAIL.encode()).hex(),
]


@pytest.mark.parametrize("decoy", DECOYS)
def test_decoys_are_not_canaries(decoy: str) -> None:
    flow = post(json.dumps({"v": decoy, "w": f"a {decoy} b"}).encode(), url=f"https://t.example/?v={decoy}")
    assert hits_of(flow) == []


def test_nothing_in_ordinary_traffic() -> None:
    body = json.dumps({"event": "view", "goods_id": 601099512345678, "price": 37.56, "ts": 1709528767123})
    assert (
        hits_of(
            post(body.encode(), ("User-Agent", "Mozilla/5.0"), url="https://t.example/?q=%EB%AC%B4%EC%84%A0")
        )
        == []
    )


def test_one_occurrence_is_one_hit_at_its_most_specific_place() -> None:
    flow = post(JSON_EMAIL, ("Content-Type", "application/json"))
    assert [(h.field, h.encoding) for h in hits_of(flow)] == [("body.user.email", ("json",))]
    cookie = get(
        "https://t.example/", headers=(("Cookie", f"s={COOKIE_JSON}"),), cookies=(("s", COOKIE_JSON),)
    )
    assert [(h.field, h.encoding) for h in hits_of(cookie)] == [("cookie:s.user.email", ("base64", "json"))]


def test_distinct_places_and_encodings_are_distinct_hits() -> None:
    body = json.dumps({"a": EMAIL, "b": EMAIL, "c": f"{EMAIL}|{hex_of('sha256', EMAIL.encode())}"}).encode()
    found = [(h.field, h.encoding) for h in hits_of(post(body))]
    assert found == [
        ("body.a", ("json",)),
        ("body.b", ("json",)),
        ("body.c", ("json",)),
        ("body.c", ("json", "sha256")),
    ]


def test_the_value_after_a_look_alike_in_the_same_field_is_found() -> None:
    flow = get(f"https://t.example/?to=x{EMAIL},{EMAIL}&b={b64(b'x' + EMAIL.encode())}.{b64(EMAIL.encode())}")
    assert [(h.field, h.encoding) for h in hits_of(flow)] == [("query.to", ()), ("query.b", ("base64",))]


def test_a_shorter_form_inside_a_longer_one_is_the_same_hit() -> None:
    (hit,) = hits_of(get("https://t.example/?p=%2B821012345678"))
    assert "E.164" in hit.explanation


# --- limits -------------------------------------------------------------------------------------------


def test_limits_are_noted_and_the_scan_goes_on() -> None:
    engine = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join([engine.compress(bytes(1 << 20)) for _ in range(256)] + [engine.flush()])
    result = SCANNER.scan(post(bomb, ("Content-Encoding", "gzip")))
    assert result.hits == [] and "gzip decompression stopped" in result.notes[0]
    deep = SCANNER.scan(post(b"[" * 100_000 + json.dumps(EMAIL).encode() + b"]" * 100_000))
    assert [(h.field, h.encoding) for h in deep.hits] == [("body", ())]
    assert deep.notes == ["body: JSON nested deeper than the parser allows; searched as text only"]
    big = SCANNER.scan(post(EMAIL.encode() + b" " * (50 << 20) + b"010-1234-5678"))
    assert [h.source for h in big.hits] == ["canary:persona-email"]  # the phone sits past 32 MiB
    assert big.notes == ["body: 50.0 MiB, searched in its first 32 MiB (limit)"]


def test_limits_are_configurable() -> None:
    scanner = Scanner(PERSONA[:1], [], Limits(max_layers=1))
    assert [h.encoding for h in hits_of(post(gzip.compress(JSON_EMAIL)), scanner)] == [("gzip",)]


# --- detectors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeEmailDetector:
    """A tiny detector: anything shaped like an e-mail address; records what it was shown."""

    name: str = "fake_email"
    data_type: str = "contact.email"
    seen: list[FieldText] | None = None

    def detect(self, field: FieldText) -> Iterator[Detection]:
        if self.seen is not None:
            self.seen.append(field)
        for match in re.finditer(r"[\w.+-]+@[\w-]+\.[\w.]+", field.text):
            yield Detection(
                match.start(), match.end(), match.group(), 0.9, f"e-mail form under key {field.key!r}"
            )


@dataclass(frozen=True)
class BrokenDetector:
    name: str = "broken"
    data_type: str = "contact.email"

    def detect(self, field: FieldText) -> Iterator[Detection]:
        raise RuntimeError("bug in a plugin")


def test_detectors_see_leaf_fields_with_their_context() -> None:
    seen: list[FieldText] = []
    scanner = Scanner([], [FakeEmailDetector(seen=seen)])
    flow = post(json.dumps({"user": {"email": "lee@naver.com", "nick": "lee"}}).encode(), ("X-A", "b"))
    flow = make_flow(request=flow.request, client_ip="192.168.0.7")
    (hit,) = scanner.scan(flow).hits
    assert (hit.source, hit.data_type, hit.field, hit.encoding) == (
        "detector:fake_email",
        "contact.email",
        "body.user.email",
        ("json",),
    )
    assert hit.masked == "le***@naver.com" and hit.confidence == 0.9
    assert hit.explanation == "e-mail form under key 'email', in body.user.email after decoding json"
    assert "body" not in [f.path for f in seen]  # a container: its values are shown one by one
    email = next(f for f in seen if f.path == "body.user.email")
    assert email.siblings["nick"] == "lee" and email.client_ip == "192.168.0.7"


def test_detectors_skip_binary_fields() -> None:
    seen: list[FieldText] = []
    Scanner([], [FakeEmailDetector(seen=seen)]).scan(post(b"\x00\x01\x02lee@naver.com\x03" * 10))
    assert "body" not in [f.path for f in seen]


def test_a_failing_detector_is_noted_and_the_others_run() -> None:
    result = Scanner([], [BrokenDetector(), FakeEmailDetector()]).scan(
        get("https://t.example/?e=lee@naver.com")
    )
    assert [h.source for h in result.hits] == ["detector:fake_email"]
    assert "detector broken failed on host: RuntimeError: bug in a plugin" in result.notes


def test_canaries_and_detectors_together() -> None:
    scanner = Scanner(PERSONA, [FakeEmailDetector()])
    found = {
        (h.source, h.field)
        for h in scanner.scan(post(json.dumps({"to": EMAIL, "cc": "lee@naver.com"}).encode())).hits
    }
    assert found == {
        ("canary:persona-email", "body.to"),
        ("detector:fake_email", "body.to"),
        ("detector:fake_email", "body.cc"),
    }


def test_builtin_detectors_integrate() -> None:
    detectors = pytest.importorskip("privprobe.enrich.detectors")
    scanner = Scanner(PERSONA, list(detectors.BUILTIN))
    flow = post(json.dumps({"email": "lee@naver.com", "phone": "010-9876-5432"}).encode())
    found = {(h.data_type, h.field) for h in scanner.scan(flow).hits if h.source.startswith("detector:")}
    assert {("contact.email", "body.email"), ("contact.phone", "body.phone")} <= found


@dataclass(frozen=True)
class Untriggered:
    """A built-in detector seen through the protocol only: no trigger, offered every field."""

    inner: Detector

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def data_type(self) -> str:
        return self.inner.data_type

    def detect(self, field: FieldText) -> Iterator[Detection]:
        return self.inner.detect(field)


def test_triggers_change_what_is_called_not_what_is_found() -> None:
    detectors = pytest.importorskip("privprobe.enrich.detectors")
    event = {
        "email": "lee@naver.com",
        "tel": "01098765432",
        "memo": "call 010-9876-5432 or 02-345-6789",
        "jumin": "9001011234568",
        "imei": "352099001761481",
        "adid": "6f1e2d3c-4b5a-4978-8c6d-5e4f3a2b1c0d",
        "lat": 37.5665,
        "lng": 126.978,
        "ip": "8.8.8.8",
        "card": "4111 1111 1111 1111",
        "mac": "a4:83:e7:12:34:56",
        "ts": 1709123456789,
        "trace": "9e107d9d372bb6826bd81d3542a419d6",
        "name": "무선 이어폰",
    }
    flows = [
        post(json.dumps(event, ensure_ascii=False).encode()),
        post(json.dumps({"items": [{"price": 12.5, "id": "x1"}], "page": "home"}).encode()),
        get("https://t.example/c?em=lee%40naver.com&phone=010-9876-5432&ll=37.5665,126.9780"),
        post(gzip.compress(json.dumps([event, {"n": "plain"}]).encode()), ("Content-Encoding", "gzip")),
    ]
    triggered = Scanner(PERSONA, list(detectors.BUILTIN))
    untriggered = Scanner(PERSONA, [Untriggered(detector) for detector in detectors.BUILTIN])
    assert triggered.triggers.contained and untriggered.triggers.always
    found = 0
    for flow in flows:
        hits = triggered.scan(flow).hits
        assert hits == untriggered.scan(flow).hits
        found += len(hits)
    assert found > 20


@dataclass(frozen=True)
class AtDetector:
    """A detector whose trigger is "@": it must not be shown a field without one."""

    seen: list[FieldText]
    name: str = "at"
    data_type: str = "contact.email"
    trigger: str = "@"

    def detect(self, field: FieldText) -> Iterator[Detection]:
        self.seen.append(field)
        return iter(())


def test_a_detector_is_offered_only_the_fields_its_trigger_occurs_in() -> None:
    seen: list[FieldText] = []
    Scanner([], [AtDetector(seen)]).scan(
        post(json.dumps({"a": "lee@naver.com", "b": "plain", "c": "", "d": {"e": "x@y"}}).encode())
    )
    assert sorted(field.path for field in seen) == ["body.a", "body.d.e"]
    seen.clear()
    Scanner([], [AtDetector(seen)]).scan(post(json.dumps({"a": "plain", "b": [1, 2]}).encode()))
    assert seen == []


# --- masking and helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "data_type", "masked"),
    [
        ("minji.kim@example.com", "contact.email", "mi***@example.com"),
        ("010-1234-5678", "contact.phone", "010-****-5678"),
        ("+821012345678", "contact.phone", "010-****-5678"),
        ("02-123-4567", "contact.phone", "02-****-4567"),
        ("37.5665,126.9780", "location.precise", "37.5***,126.9***"),
        ("김민지", "identity.name", "김**"),
        ("서울특별시 강남구 테헤란로 123", "address.delivery", "서울***23"),
        ("38400000-8cf0-11bd-b23e-10b96e40000d", "device.ad_id", "38***0d"),
    ],
)
def test_mask(value: str, data_type: str, masked: str) -> None:
    assert mask(value, data_type) == masked


def test_mask_of_a_hash() -> None:
    assert mask("5d41402abc4b2a76b9719d911017c592", "contact.email", hashed=True) == "5d41402a…"


def test_scan_flows_is_lazy_and_in_order() -> None:
    flows = (make_flow(seq=n, request=make_request(f"https://t.example/?n={n}&em={EMAIL}")) for n in range(3))
    results: Iterator[tuple[Flow, object]] = scan_flows(flows, SCANNER)
    assert [flow.seq for flow, _ in results] == [0, 1, 2]


def test_scanner_reports_its_literals() -> None:
    assert SCANNER.literal_count > 1000
    assert SCANNER.search.engine in ("hyperscan", "pyahocorasick")
