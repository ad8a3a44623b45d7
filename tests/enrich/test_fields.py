"""A flow taken apart into fields: every place, every container, and hostile input within limits."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from collections.abc import Iterator

import brotli
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from privprobe.enrich.fields import Field, Limits, Notes, fields
from privprobe.model import Flow, Transport
from tests.builders import make_flow, make_request

MiB = 1024 * 1024


def post(body: bytes, *headers: tuple[str, str], url: str = "https://t.example/c") -> Flow:
    return make_flow(request=make_request(url, method="POST", headers=headers, body=body))


def listing(flow: Flow, limits: Limits | None = None) -> tuple[list[Field], list[str]]:
    notes = Notes()
    return list(fields(flow, limits, notes)), notes.items


def by_path(found: list[Field]) -> dict[tuple[str, tuple[str, ...]], bytes]:
    return {(field.path, field.chain): field.data for field in found}


def test_the_places_of_a_request() -> None:
    request = make_request(
        "https://t.example/v1/collect?em=kim%40example.com&tag=a+b&bare",
        headers=(("User-Agent", "UA"), ("Cookie", "sid=abc; _fbp=fb.1.2")),
        cookies=(("sid", "abc"), ("_fbp", "fb.1.2")),
    )
    found, notes = listing(make_flow(request=request))
    assert by_path(found) == {
        ("host", ()): b"shop.example",
        ("url.path", ()): b"/v1/collect",
        ("url.query", ()): b"em=kim%40example.com&tag=a+b&bare",
        ("query.em", ()): b"kim@example.com",
        ("query.tag", ()): b"a b",
        ("query", ()): b"bare",
        ("header:user-agent", ()): b"UA",
        ("header:cookie", ()): b"sid=abc; _fbp=fb.1.2",
        ("cookie:sid", ()): b"abc",
        ("cookie:_fbp", ()): b"fb.1.2",
    }
    assert notes == []
    cookie_header = next(f for f in found if f.path == "header:cookie")
    assert {f.parent for f in found if f.path.startswith("cookie:")} == {cookie_header.index}
    em = next(f for f in found if f.path == "query.em")
    assert em.key == "em" and em.siblings["tag"] == "a b"


def test_a_flow_without_request_has_only_its_host() -> None:
    flow = make_flow(request=None, transport=Transport.TLS, host="graph.facebook.com")
    flow = Flow(**{**{s: getattr(flow, s) for s in flow.__slots__}, "request": None})  # type: ignore[attr-defined]
    assert [f.path for f in fields(flow)] == ["host"]


def test_json_at_any_depth_with_arrays_and_numbers_as_written() -> None:
    body = (
        b'{"user": {"email": "kim@example.com", "geo": {"lat": 37.56650}}, "items": [{"id": "a1"}, [7, "x"]]}'
    )
    found, _ = listing(post(body, ("Content-Type", "application/json")))
    fields_ = by_path(found)
    assert fields_[("body", ())] == body
    assert fields_[("body.user.email", ("json",))] == b"kim@example.com"
    assert fields_[("body.user.geo.lat", ("json",))] == b"37.56650"
    assert fields_[("body.items[0].id", ("json",))] == b"a1"
    assert fields_[("body.items[1][1]", ("json",))] == b"x"
    email = next(f for f in found if f.path == "body.user.email")
    assert email.verbatim and email.key == "email" and email.siblings == {"email": "kim@example.com"}
    assert next(f for f in found if f.path == "body.items[1][1]").key == "items"


def test_odd_json_keys_are_quoted() -> None:
    found, _ = listing(post(b'{"a.b c": "v", "\xea\xb9\x80": "w"}'))
    assert {f.path for f in found} >= {'body["a.b c"]', 'body["김"]'}


def test_escaped_json_values_are_not_verbatim() -> None:
    found, _ = listing(post(b'{"a": "x\\/y", "b": "plain"}'))
    assert [f.verbatim for f in found if f.path.startswith("body.")] == [False, False]


def test_json_inside_a_json_string_a_query_parameter_and_a_url_encoded_cookie() -> None:
    inner = json.dumps({"email": "kim@example.com"})
    request = make_request(
        "https://t.example/?d="
        + base64.b64encode(b"x").decode()
        + "&j=%7B%22phone%22%3A%2201012345678%22%7D",
        method="POST",
        cookies=(("prefs", "%7B%22name%22%3A%22%EA%B9%80%22%7D"),),
        body=json.dumps({"payload": inner}).encode(),
    )
    found = by_path(listing(make_flow(request=request))[0])
    assert found[("body.payload.email", ("json", "json"))] == b"kim@example.com"
    assert found[("query.j.phone", ("json",))] == b"01012345678"
    assert found[("cookie:prefs.name", ("url", "json"))] == "김".encode()


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress),
        ("zstd", lambda data: zstandard.ZstdCompressor().compress(data)),
    ],
)
def test_compressed_bodies_by_content_encoding(encoding: str, compress: object) -> None:
    body = compress(b'{"email": "kim@example.com"}')  # type: ignore[operator]
    found = by_path(listing(post(body, ("Content-Encoding", encoding)))[0])
    codec = "gzip" if encoding == "gzip" else encoding
    assert found[("body.email", (codec, "json"))] == b"kim@example.com"


@pytest.mark.parametrize(
    ("codec", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("zstd", zstandard.ZstdCompressor().compress)],
)
def test_compression_is_sniffed_by_magic_bytes(codec: str, compress: object) -> None:
    found = by_path(listing(post(compress(b"email=kim%40example.com")))[0])  # type: ignore[operator]
    assert found[("body.email", (codec, "form"))] == b"kim@example.com"


def test_stacked_content_encodings_are_undone_outermost_first() -> None:
    body = brotli.compress(gzip.compress(b'{"a": "kim@example.com"}'))
    found = by_path(listing(post(body, ("Content-Encoding", "gzip, br")))[0])
    assert found[("body.a", ("br", "gzip", "json"))] == b"kim@example.com"


def test_a_wrong_content_encoding_is_noted_and_the_body_decoded_as_it_is() -> None:
    found, notes = listing(post(b'{"email": "kim@example.com"}', ("Content-Encoding", "utf-8")))
    assert by_path(found)[("body.email", ("json",))] == b"kim@example.com"
    assert notes == ["body: utf-8 expected but it does not decompress; searched as sent"]
    found, notes = listing(post(b"\x1f\x8bnot gzip at all"))  # sniffed once, not again
    assert len(notes) == 1


def test_form_body_and_form_inside_a_value() -> None:
    found = by_path(
        listing(post(b"ev=view&ud=em%3Dkim%2540example.com%26ph%3D010", ("Content-Type", "text/plain")))[0]
    )
    assert found[("body.ev", ("form",))] == b"view"
    assert found[("body.ud.em", ("form", "form"))] == b"kim@example.com"


def test_multipart_parts_by_name() -> None:
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="email"\r\n\r\nkim@example.com\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n'
        b'{"phone": "01012345678"}\r\n--XyZ--\r\n'
    )
    found = by_path(listing(post(body, ("Content-Type", "multipart/form-data; boundary=XyZ")))[0])
    assert found[("body.email", ("multipart",))] == b"kim@example.com"
    assert found[("body.meta.phone", ("multipart", "json"))] == b"01012345678"
    sniffed = by_path(listing(post(body))[0])  # no Content-Type: the first line names the boundary
    assert sniffed[("body.email", ("multipart",))] == b"kim@example.com"


def protobuf_string(number: int, value: bytes) -> bytes:
    return bytes([number << 3 | 2, len(value)]) + value


def test_protobuf_like_binary_gives_its_printable_strings() -> None:
    nested = protobuf_string(3, b"kim@example.com") + b"\x20\x96\x01"  # field 4: varint 150
    body = b"\x08\x01" + protobuf_string(1, nested) + protobuf_string(2, b"\x00\xff\x01")
    found = by_path(listing(post(body, ("Content-Type", "application/x-protobuf")))[0])
    assert found[("body.1.3", ("protobuf",))] == b"kim@example.com"
    assert ("body.2", ("protobuf",)) not in found  # binary, not text


def test_grpc_framing_is_removed() -> None:
    message = protobuf_string(5, b"kim@example.com")
    body = b"\x00" + len(message).to_bytes(4, "big") + message
    found = by_path(listing(post(body, ("Content-Type", "application/grpc")))[0])
    assert found[("body.5", ("grpc", "protobuf"))] == b"kim@example.com"


def test_base64_cookie_holding_json() -> None:
    value = base64.b64encode(json.dumps({"u": {"email": "kim@example.com"}}).encode()).decode()
    found = by_path(listing(make_flow(request=make_request(cookies=(("s", value),))))[0])
    assert found[("cookie:s.u.email", ("base64", "json"))] == b"kim@example.com"


def test_jwt_and_basic_credentials_in_authorization_headers() -> None:
    def b64url(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header, claims = b64url(b'{"alg":"HS256"}'), b64url(b'{"sub":"kim@example.com"}')
    jwt = f"{header}.{claims}.c2lnbmF0dXJl"
    for header, expected in (
        (f"Bearer {jwt}", ("header:authorization.sub", ("jwt", "json"))),
        ("Basic " + base64.b64encode(b"kim@example.com:pw").decode(), ("header:authorization", ("base64",))),
    ):
        found = by_path(listing(make_flow(request=make_request(headers=(("Authorization", header),))))[0])
        assert b"kim@example.com" in found[expected]


def test_random_looking_base64_is_not_decoded() -> None:
    token = base64.b64encode(bytes(range(200, 224))).decode()  # decodes to binary: a session id
    found, _ = listing(make_flow(request=make_request(cookies=(("sid", token),))))
    assert [f.chain for f in found if f.path == "cookie:sid"] == [()]


# --- limits and hostile input -----------------------------------------------------------------------


def zeros_compressed(size: int, wbits: int = 31) -> bytes:
    """``size`` zero bytes compressed by zlib (gzip by default) without ever holding them."""
    engine, chunk = zlib.compressobj(9, zlib.DEFLATED, wbits), bytes(MiB)
    parts = [engine.compress(chunk) for _ in range(size // MiB)]
    return b"".join([*parts, engine.flush()])


@pytest.fixture(scope="module")
def gigabyte_bomb() -> bytes:
    return zeros_compressed(1024 * MiB)


def test_gzip_bomb_stops_at_the_size_limit(gigabyte_bomb: bytes) -> None:
    assert len(gigabyte_bomb) < 2 * MiB
    found, notes = listing(post(gigabyte_bomb, ("Content-Encoding", "gzip")))
    assert max(len(f.data) for f in found) == 32 * MiB
    assert notes == ["body: gzip decompression stopped at 32.0 MiB (limit)"]


def test_decompression_ratio_guard() -> None:
    bomb = zeros_compressed(64 * MiB)  # about 64 KB: 200 times that is under 32 MiB
    found, notes = listing(post(bomb))
    assert max(len(f.data) for f in found) == 200 * len(bomb)
    assert notes[0].endswith("(200× the compressed size: bomb guard)")


def test_brotli_and_zstd_bombs_stop_too() -> None:
    zeros = bytes(256 * MiB)
    for codec, bomb in (("br", brotli.compress(zeros, quality=1)), ("zstd", zstandard.compress(zeros))):
        limits = Limits(max_bytes=8 * MiB, max_ratio=1_000_000)
        found, notes = listing(post(bomb, ("Content-Encoding", codec)), limits)
        assert max(len(f.data) for f in found) == 8 * MiB
        assert notes == [f"body: {codec} decompression stopped at 8.0 MiB (limit)"]


def test_corrupt_and_truncated_compression() -> None:
    _, notes = listing(post(b"\x1f\x8b\x08\x00garbage-garbage", ("Content-Encoding", "gzip")))
    assert notes == ["body: gzip expected but it does not decompress; searched as sent"]
    cut = gzip.compress(b'{"email": "kim@example.com", "pad": "' + bytes(range(256)) * 40 + b'"}')[:60]
    found, notes = listing(post(cut))
    assert notes == ["body: gzip stream ends early (truncated body?); its start is searched"]
    assert b"kim@example.com" in by_path(found)[("body", ("gzip",))]


def test_json_nested_100000_levels_is_searched_as_text() -> None:
    body = b"[" * 100_000 + b'"kim@example.com"' + b"]" * 100_000
    found, notes = listing(post(body, ("Content-Type", "application/json")))
    assert [f.path for f in found if not f.path.startswith("header:")] == ["host", "url.path", "body"]
    assert notes == ["body: JSON nested deeper than the parser allows; searched as text only"]


def test_json_deeper_than_the_limit_is_not_listed() -> None:
    body = json.dumps(nest(100, {"email": "kim@example.com"})).encode()
    found, notes = listing(post(body))
    assert not any(f.path.endswith("email") for f in found)
    assert len(notes) == 1 and "JSON deeper than 64 levels" in notes[0]
    found, notes = listing(post(body), Limits(max_json_depth=200))
    assert any(f.path.endswith(".a.email") for f in found) and notes == []


def nest(depth: int, leaf: object) -> object:
    for _ in range(depth):
        leaf = {"a": leaf}
    return leaf


def test_a_50_mb_body_is_searched_in_its_first_32_mib() -> None:
    found, notes = listing(post(b"x" * (50 * 1024 * 1024)))
    assert len(by_path(found)[("body", ())]) == 32 * MiB
    assert notes == ["body: 50.0 MiB, searched in its first 32 MiB (limit)"]


def test_field_limit() -> None:
    body = json.dumps({f"k{i}": "v" for i in range(30_000)}).encode()
    found, notes = listing(post(body))
    assert len(found) == 20_000
    assert notes == ["field limit (20,000) reached: later fields not listed"]


def test_layer_limit() -> None:
    value = b'{"email": "kim@example.com"}'
    for _ in range(5):
        value = base64.b64encode(value)
    found, notes = listing(make_flow(request=make_request(cookies=(("c", value.decode()),))))
    assert max(len(f.chain) for f in found) == 4
    assert notes == ["cookie:c: not decoded past 4 layers (limit)"]


def hostile_bodies() -> Iterator[bytes]:
    yield b"\x1f\x8b" + bytes(100)
    yield b"\x28\xb5\x2f\xfd" + b"\xff" * 50
    yield b"\x78\x9c" + b"\x00" * 10
    yield b"--\r\n" * 1000
    yield b"\x0a\xff\xff\xff\xff\x0f" + b"x" * 10  # protobuf length far past the end
    yield b'{"a": ' * 10_000


@pytest.mark.parametrize("body", list(hostile_bodies()), ids=range(6))
def test_hostile_bodies_do_not_crash(body: bytes) -> None:
    for content_type in ("", "application/json", "application/grpc", "multipart/form-data; boundary="):
        list(fields(post(body, ("Content-Type", content_type), ("Content-Encoding", "br"))))
        list(fields(post(body, ("Content-Type", content_type))))


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=300), encoding=st.sampled_from(["", "gzip", "deflate", "br", "zstd", "x, y"]))
def test_arbitrary_bytes_never_crash(body: bytes, encoding: str) -> None:
    found = [
        f for f in fields(post(body, ("Content-Encoding", encoding))) if f.path == "body" and not f.chain
    ]
    assert [f.data for f in found] == ([body] if body else [])


@settings(max_examples=200, deadline=None)
@given(
    url=st.text(max_size=80).map(lambda tail: "https://" + tail),
    headers=st.lists(st.tuples(st.text(max_size=10), st.text(max_size=40)), max_size=4),
)
def test_arbitrary_urls_and_headers_never_crash(url: str, headers: list[tuple[str, str]]) -> None:
    list(fields(make_flow(request=make_request(url, headers=tuple(headers)))))


def test_a_url_that_urlsplit_rejects_is_still_searched() -> None:
    found = by_path(listing(make_flow(request=make_request("http://[::1/u/kim@example.com?em=x")))[0])
    assert found[("url.path", ())] == b"http://[::1/u/kim@example.com"
    assert found[("query.em", ())] == b"x"
