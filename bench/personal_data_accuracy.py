"""Personal-data scan accuracy: precision and recall on a generated, labelled set of flows.

Canaries: a persona (e-mail, phone, Korean and Latin name, ad id, Android id, location, birth
date) is planted in flows in every encoding the scan knows (plain, URL-encoded once and twice,
base64 whole and at each offset inside a longer blob, base64url, hex, md5/sha1/sha256/sha512 hex in
both cases, base64 of a raw digest, sha256 of the md5 hex, a raw digest in binary, EUC-KR, JSON
escapes) and every place (query, path, header, cookie, form, JSON, gzip/brotli/zstd JSON, base64
JSON cookie, multipart, protobuf, JWT). Beside them are decoy flows: look-alike e-mails, other
phone numbers, hashes of other values, random UUIDs and hashes, other places. Precision and
recall are printed per data type and per encoding; targets are 99% for both.

Detectors (when ``privprobe.enrich.detectors.BUILTIN`` is importable): flows carrying other people's
e-mails, Korean mobile numbers, resident registration numbers, card numbers, ad ids, Android ids,
IPs and coordinates under their usual keys, and negatives (order ids, timestamps, prices, session
UUIDs, hashes). Precision and recall per data type; target 95%.

    python bench/personal_data_accuracy.py
    python bench/personal_data_accuracy.py --seed 7 --show-misses
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import random
import sys
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

import brotli
import zstandard

from privprobe.enrich.encodings import Reach, normal_forms
from privprobe.enrich.personal_data import Scanner
from privprobe.model import Canary, CaptureId, Flow, Request, Transport

TARGET_CANARY = 0.99
TARGET_DETECTOR = 0.95

PERSONA = [
    Canary("persona-email", "contact.email", "Minji.Kim@Example.com"),
    Canary("persona-phone", "contact.phone", "010-2345-6789"),
    Canary("persona-name", "identity.name", "김민지"),
    Canary("persona-name-en", "identity.name", "Minji Kim"),
    Canary("persona-adid", "device.ad_id", "38400000-8cf0-11bd-b23e-10b96e40000d"),
    Canary("persona-android-id", "device.android_id", "9774d56d682e549c"),
    Canary("persona-location", "location.precise", "37.5665,126.9780"),
    Canary("persona-birth", "identity.birth_date", "1995-03-14"),
]
UA = "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile"

# --- encodings: text -> (wire text or bytes, whether the result is binary) ---------------------------


def _digest(name: str, upper: bool = False) -> Callable[[str], bytes]:
    def encode(text: str) -> bytes:
        hexdigest = hashlib.new(name, text.encode()).hexdigest()
        return (hexdigest.upper() if upper else hexdigest).encode()

    return encode


def _in_blob(offset: int) -> Callable[[str], bytes]:
    """The value at ``offset`` inside a binary blob, base64-encoded: only an aligned variant finds it."""
    return lambda text: base64.b64encode(b"\x93\x00\x7f"[:offset] + text.encode() + b"\x00\xf1\x12\x08")


ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "plain": lambda text: text.encode(),
    "url": lambda text: quote(text, safe="").encode(),
    "url+": lambda text: quote_plus(text).encode(),
    "url-twice": lambda text: quote(quote(text, safe=""), safe="").encode(),
    "base64": lambda text: base64.b64encode(text.encode()),
    "base64url-nopad": lambda text: base64.urlsafe_b64encode(text.encode()).rstrip(b"="),
    "base64-offset-0": _in_blob(0),
    "base64-offset-1": _in_blob(1),
    "base64-offset-2": _in_blob(2),
    "hex": lambda text: text.encode().hex().encode(),
    "md5": _digest("md5"),
    "sha1": _digest("sha1"),
    "sha256": _digest("sha256"),
    "SHA256": _digest("sha256", upper=True),
    "sha512": _digest("sha512"),
    "base64-sha256": lambda text: base64.b64encode(hashlib.sha256(text.encode()).digest()),
    "sha256-of-md5": lambda text: hashlib.sha256(_digest("md5")(text)).hexdigest().encode(),
    "raw-sha256": lambda text: hashlib.sha256(text.encode()).digest(),
    "euc-kr-url": lambda text: quote(text.encode("cp949"), safe="").encode(),
    "json-escape": lambda text: json.dumps(text)[1:-1].encode(),
}
BINARY = {"raw-sha256"}
TEXT = {"plain", "url", "url+", "url-twice", "euc-kr-url", "json-escape"}
NON_ASCII_ONLY = {"euc-kr-url", "json-escape"}


def encodable(encoding: str, text: str) -> bool:
    if encoding in NON_ASCII_ONLY:
        return not text.isascii()
    return True


# --- places: wire value -> a flow carrying it ---------------------------------------------------------


def _request(url: str, headers: tuple[tuple[str, str], ...] = (), body: bytes | None = None) -> Request:
    cookies = tuple(
        tuple(part.strip().split("=", 1))  # type: ignore[misc]
        for name, value in headers
        if name == "Cookie"
        for part in value.split(";")
    )
    method = "POST" if body is not None else "GET"
    base = (("User-Agent", UA), ("Accept", "*/*"), ("Accept-Language", "ko-KR,ko;q=0.9"))
    return Request(method, url, "HTTP/1.1", base + headers, cookies, body, len(body or b""))  # type: ignore[arg-type]


def _text(value: bytes) -> str:
    """A wire value as the text a JSON string or header would carry."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _json_body(key: str, value: str, depth: int = 3) -> dict[str, object]:
    leaf: dict[str, object] = {key: value, "ts": 1709528767123, "sid": uuid.uuid4().hex}
    for level in range(depth):
        leaf = {f"l{level}": leaf, "event": "page_view", "items": [{"goods_id": 601099512345678 + level}]}
    return leaf


def _protobuf(value: bytes) -> bytes:
    inner = b"\x08\x96\x01" + bytes([0x12, len(value)]) + value
    return b"\x0a\x05hello" + bytes([0x1A, len(inner)]) + inner


PLACES: dict[str, Callable[[str, bytes], Request]] = {
    "query": lambda key, v: _request(f"https://log.example/c?ev=view&{key}={quote_plus(v)}&t=1709528767"),
    "path": lambda key, v: _request(f"https://log.example/u/{v.decode('latin-1')}/view"),
    "header": lambda key, v: _request("https://log.example/c", (("X-" + key, _text(v)),)),
    "cookie": lambda key, v: _request(
        "https://log.example/c", (("Cookie", f"_ga=GA1.2.3; {key}={v.decode('latin-1')}"),)
    ),
    "form": lambda key, v: _request(
        "https://log.example/c", (), f"v=2&tid=G-XYZ&{key}={quote_plus(v)}".encode()
    ),
    "json": lambda key, v: _request(
        "https://log.example/c", (), json.dumps(_json_body(key, _text(v))).encode()
    ),
    "gzip-json": lambda key, v: _request(
        "https://log.example/c",
        (("Content-Encoding", "gzip"),),
        gzip.compress(json.dumps(_json_body(key, _text(v))).encode()),
    ),
    "brotli-json": lambda key, v: _request(
        "https://log.example/c",
        (("Content-Encoding", "br"),),
        brotli.compress(json.dumps(_json_body(key, _text(v))).encode()),
    ),
    "zstd-json": lambda key, v: _request(
        "https://log.example/c",
        (("Content-Encoding", "zstd"),),
        zstandard.compress(json.dumps(_json_body(key, _text(v))).encode()),
    ),
    "base64-json-cookie": lambda key, v: _request(
        "https://log.example/c",
        (("Cookie", "s=" + base64.b64encode(json.dumps({key: _text(v)}).encode()).decode()),),
    ),
    "multipart": lambda key, v: _request(
        "https://log.example/c",
        (("Content-Type", "multipart/form-data; boundary=zz"),),
        b'--zz\r\nContent-Disposition: form-data; name="'
        + key.encode()
        + b'"\r\n\r\n'
        + v
        + b"\r\n--zz--\r\n",
    ),
    "protobuf": lambda key, v: _request(
        "https://log.example/c", (("Content-Type", "application/x-protobuf"),), _protobuf(v)
    ),
}
BINARY_PLACES = {"protobuf"}
TEXT_ONLY_PLACES = {"path", "header", "cookie", "base64-json-cookie"}  # values must be printable ASCII


def flow(request: Request, seq: int) -> Flow:
    host = request.url.split("/")[2]
    return Flow(
        CaptureId(1), seq, f"generated {seq}", Transport.HTTP, host=host, name_source="url", request=request
    )


# --- the labelled canary set --------------------------------------------------------------------------


@dataclass
class Planted:
    flow: Flow
    canary: str | None
    """The canary planted, None for a decoy flow."""
    encoding: str
    place: str


def canary_set(rng: random.Random) -> Iterator[Planted]:
    seq = 0
    for canary in PERSONA:
        forms = normal_forms(canary)
        for encoding, encode in ENCODINGS.items():
            # Hashes of hashes are searched for the canonical forms, one hash or base64 for the usual
            # ones, plain text for all (see privprobe.enrich.encodings): plant within that scope.
            reach = (
                Reach.CHAINED
                if encoding == "sha256-of-md5"
                else Reach.PLAIN
                if encoding in TEXT
                else Reach.ENCODED
            )
            texts = [form.text for form in forms if form.reach >= reach]
            for place, build in PLACES.items():
                text = rng.choice(texts[:4])
                if not usable(encoding, place, text):
                    continue
                yield Planted(flow(build(key_for(canary), encode(text)), seq), canary.name, encoding, place)
                seq += 1
    for decoy, encoding in decoys(rng):
        for place, build in PLACES.items():
            if usable(encoding, place, decoy):
                yield Planted(flow(build("v", ENCODINGS[encoding](decoy)), seq), None, encoding, place)
                seq += 1


def usable(encoding: str, place: str, text: str) -> bool:
    if not encodable(encoding, text):
        return False
    if encoding in BINARY:
        return place in BINARY_PLACES
    wire = ENCODINGS[encoding](text)
    return not (place in TEXT_ONLY_PLACES and not wire.isascii())


def key_for(canary: Canary) -> str:
    return canary.data_type.rsplit(".", 1)[-1]


def decoys(rng: random.Random) -> Iterator[tuple[str, str]]:
    """Values like the persona's that are not the persona's, each in a few encodings."""
    values = [
        "xminji.kim@example.com", "minji.kim@example.com.au", "minji.kim@example.co", "minji_kim@example.com",
        "mminji.kim@example.com", "minji.kimm@example.com", "010-2345-6788", "010-2345-678", "01023456780",
        "9901023456789", "+821023456780", "김민준", "김민지수" if False else "김민주", "Minji Kimura", "Minjin Kim",
        "38400000-8cf0-11bd-b23e-10b96e40000e", "9774d56d682e549d", "35.1796,129.0756", "1995-03-15",
        "19950315", "minji.kim@example.org",
    ]  # fmt: skip
    values += [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(10)]
    values += [f"user{rng.randrange(10**6)}@example.com" for _ in range(10)]
    values += [f"010-{rng.randrange(10**4):04d}-{rng.randrange(10**4):04d}" for _ in range(10)]
    for value in values:
        for encoding in ("plain", "url", "base64", "sha256", "md5", "base64-offset-1"):
            yield value, encoding
    for _ in range(20):
        yield hashlib.sha256(rng.randbytes(16)).hexdigest(), "plain"


# --- scoring ------------------------------------------------------------------------------------------


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    located: int = 0
    misses: list[str] = field(default_factory=list)

    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    def recall(self) -> float:
        planted = self.true_positive + self.false_negative
        return self.true_positive / planted if planted else 1.0


def score_canaries(scanner: Scanner, planted: list[Planted]) -> tuple[dict[str, Score], dict[str, Score]]:
    by_type: dict[str, Score] = defaultdict(Score)
    by_encoding: dict[str, Score] = defaultdict(Score)
    types = {canary.name: canary.data_type for canary in PERSONA}
    for item in planted:
        hits = scanner.scan(item.flow).hits
        sources = {hit.source.removeprefix("canary:") for hit in hits}
        for name in sources - {item.canary}:
            for scores in (by_type[types[name]], by_encoding[item.encoding]):
                scores.false_positive += 1
                scores.misses.append(
                    f"false positive {name} in {item.encoding}/{item.place}: {item.flow.request}"
                )
        if item.canary is None:
            continue
        found = item.canary in sources
        for scores in (by_type[types[item.canary]], by_encoding[item.encoding]):
            if found:
                scores.true_positive += 1
                scores.located += any(not hit.field.startswith("header:cookie") for hit in hits)
            else:
                scores.false_negative += 1
                scores.misses.append(f"missed {item.canary} as {item.encoding} in {item.place}")
    return by_type, by_encoding


# --- detectors ----------------------------------------------------------------------------------------


def rrn(rng: random.Random) -> str:
    """A resident registration number with a valid check digit (weights 2-9, 2-5; mod 11)."""
    digits = (
        f"{rng.randrange(60, 99):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.choice('12')}"
    )
    digits += f"{rng.randrange(10**5):05d}"
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    check = (11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11) % 10
    return f"{digits[:6]}-{digits[6:]}{check}"


def luhn_complete(prefix: str) -> str:
    total = 0
    for position, digit in enumerate(reversed(prefix)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return prefix + str((10 - total % 10) % 10)


DETECTOR_VALUES: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "contact.email": (
        "email",
        lambda r: f"{r.choice(['lee', 'park', 'choi'])}{r.randrange(10**4)}@naver.com",
    ),
    "contact.phone": ("phone", lambda r: f"010-{r.randrange(2000, 9999)}-{r.randrange(10**4):04d}"),
    "identity.rrn": ("jumin", rrn),
    "commerce.payment_card": (
        "card_no",
        lambda r: luhn_complete("4" + "".join(str(r.randrange(10)) for _ in range(14))),
    ),
    "device.ad_id": ("gaid", lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4))),
    "device.android_id": ("android_id", lambda r: f"{r.getrandbits(64):016x}"),
    "online.ip": (
        "client_ip",
        lambda r: f"{r.randrange(1, 223)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}",
    ),
    "location.precise": ("lat", lambda r: f"{r.uniform(33.1, 38.6):.6f}"),
}
NEGATIVES: list[tuple[str, Callable[[random.Random], str]]] = [
    ("order_id", lambda r: str(r.randrange(10**17, 10**18))),
    ("ts", lambda r: str(r.randrange(1_700_000_000_000, 1_800_000_000_000))),
    ("price", lambda r: f"{r.uniform(1, 500):.2f}"),
    ("sid", lambda r: str(uuid.UUID(int=r.getrandbits(128)))),
    ("trace", lambda r: hashlib.md5(r.randbytes(8)).hexdigest()),
    ("goods_id", lambda r: str(r.randrange(10**14, 10**15))),
    ("version", lambda r: f"{r.randrange(1, 20)}.{r.randrange(50)}.{r.randrange(100)}"),
    ("page", lambda r: f"https://www.temu.com/kr/goods.html?goods_id={r.randrange(10**15)}"),
]


def detector_set(rng: random.Random, count: int) -> Iterator[tuple[Flow, str | None]]:
    seq = 0
    for data_type, (key, make) in DETECTOR_VALUES.items():
        for _ in range(count):
            place = rng.choice(["query", "json", "form", "gzip-json"])
            value = make(rng)
            yield flow(PLACES[place](key, value.encode()), seq), data_type
            seq += 1
    for _ in range(count * 4):
        key, make = rng.choice(NEGATIVES)
        yield flow(PLACES[rng.choice(["query", "json", "form"])](key, make(rng).encode()), seq), None
        seq += 1


def score_detectors(scanner: Scanner, labelled: list[tuple[Flow, str | None]]) -> dict[str, Score]:
    scores: dict[str, Score] = defaultdict(Score)
    for item, data_type in labelled:
        found = {hit.data_type for hit in scanner.scan(item).hits}
        for extra in found - {data_type}:
            scores[extra].false_positive += 1
            scores[extra].misses.append(f"false positive {extra} on {data_type}: {item.request}")
        if data_type is not None:
            if data_type in found:
                scores[data_type].true_positive += 1
            else:
                scores[data_type].false_negative += 1
                scores[data_type].misses.append(f"missed {data_type}: {item.request}")
    return scores


# --- report -------------------------------------------------------------------------------------------


def table(title: str, scores: dict[str, Score], target: float) -> bool:
    print(f"\n{title}")
    print(f"{'':<24} {'planted':>8} {'found':>6} {'false+':>7} {'precision':>10} {'recall':>8}")
    ok = True
    for name in sorted(scores):
        s = scores[name]
        planted = s.true_positive + s.false_negative
        print(
            f"{name:<24} {planted:>8} {s.true_positive:>6} {s.false_positive:>7} {s.precision():>10.2%} {s.recall():>8.2%}"
        )
        ok &= s.precision() >= target and s.recall() >= target
    total = Score(
        *(
            sum(getattr(s, f) for s in scores.values())
            for f in ("true_positive", "false_positive", "false_negative")
        )
    )
    print(f"{'all':<24} {total.true_positive + total.false_negative:>8} {total.true_positive:>6} {total.false_positive:>7} "
          f"{total.precision():>10.2%} {total.recall():>8.2%}   target {target:.0%}: {'met' if ok else 'MISSED'}")  # fmt: skip
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--detector-flows", type=int, default=200, help="positives per detector data type")
    parser.add_argument("--show-misses", action="store_true", help="print every miss and false positive")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    scanner = Scanner(PERSONA, [])
    planted = list(canary_set(rng))
    print(f"canaries: {len(PERSONA)}, literals: {scanner.literal_count} ({scanner.search.engine_version}); "
          f"{sum(p.canary is not None for p in planted)} flows with a canary, {sum(p.canary is None for p in planted)} decoy flows")  # fmt: skip
    by_type, by_encoding = score_canaries(scanner, planted)
    ok = table("canaries by data type", by_type, TARGET_CANARY)
    ok &= table("canaries by encoding", by_encoding, TARGET_CANARY)
    misses = [miss for s in by_type.values() for miss in s.misses]
    try:
        from privprobe.enrich.detectors import BUILTIN
    except ImportError:
        print("\ndetectors: privprobe.enrich.detectors is not importable; skipped")
        BUILTIN = ()
    if BUILTIN:
        labelled = list(detector_set(rng, args.detector_flows))
        scores = score_detectors(Scanner([], list(BUILTIN)), labelled)
        ok &= table(
            f"detectors ({len(BUILTIN)} built-in) by data type, {len(labelled)} flows",
            scores,
            TARGET_DETECTOR,
        )
        misses += [miss for s in scores.values() for miss in s.misses]
    if args.show_misses:
        print("\n" + "\n".join(misses))
    elif misses:
        print(f"\n{len(misses)} misses and false positives; --show-misses lists them")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
