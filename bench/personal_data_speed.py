"""Personal-data scan speed: privprobe's Scanner against ``grep -F`` and Presidio on the same bytes.

Generates ``--size-mb`` (default 1024) of app and web tracker traffic as flows, ``--chunk-mb`` at a
time in memory: event beacons with long query strings and cookies, JSON event batches (plain and
gzip), GA4-style form beacons, protobuf-like binary, and large log or image uploads; one flow in a
hundred carries one of 50 canaries (7 personas) in a random encoding. Each chunk is scanned by:

- the Scanner with the 50 canaries only (the literal count is printed; target: at least a third of
  ``grep -F``'s throughput, which searches the same literals without decoding anything);
- the Scanner with the canaries and the built-in detectors, when they are importable;

and written to ``--out``/personal-data-<size>mb.txt, one flow per line as on the wire (request
line, headers, body), for ``LC_ALL=C grep -F -a -c -f patterns`` (literals holding a newline or a
NUL, raw digests, cannot be grep patterns and are left out). Presidio (``pip install
presidio-analyzer``; skipped when absent) runs its predefined regex recognizers with its no_op NLP
engine over the first ``--presidio-mb`` (default 10) of the same bytes; target: the Scanner with
detectors at least 50 times faster. MB are 10^6 bytes of wire data.

    python bench/personal_data_speed.py                   # 1 GB
    python bench/personal_data_speed.py --size-mb 50      # a smoke run
    python bench/personal_data_speed.py --size-mb 50 --profile   # where the Scanner spends its time
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import hashlib
import json
import platform
import pstats
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent))
from personal_data_accuracy import ENCODINGS, PLACES, _text

from privprobe.enrich.encodings import Reach, normal_forms
from privprobe.enrich.personal_data import Scanner
from privprobe.model import Canary, CaptureId, Flow, Request, Transport

REPO = Path(__file__).resolve().parents[1]
TARGET_GREP_SHARE = 1 / 3
TARGET_PRESIDIO_TIMES = 50
MB = 1_000_000

SURNAMES, GIVEN = "김이박최정강조윤장임", ["민지", "서연", "지훈", "유진", "하늘", "도윤", "서준"]
LATIN = ["Minji Kim", "Seoyeon Lee", "Jihoon Park", "Yujin Choi", "Haneul Jung", "Doyun Kang", "Seojun Cho"]


def canaries() -> list[Canary]:
    """50 canaries: 7 personas with e-mail, phone, two names, ad id, Android id and location, plus a birth date."""
    rng, found = random.Random(50), []
    for n in range(7):
        found += [
            Canary(f"p{n}-email", "contact.email", f"{LATIN[n].split()[0].lower()}.{n}@example.com"),
            Canary(
                f"p{n}-phone", "contact.phone", f"010-{rng.randrange(2000, 9999)}-{rng.randrange(10**4):04d}"
            ),
            Canary(f"p{n}-name", "identity.name", SURNAMES[n] + GIVEN[n]),
            Canary(f"p{n}-name-en", "identity.name", LATIN[n]),
            Canary(f"p{n}-adid", "device.ad_id", str(uuid.UUID(int=rng.getrandbits(128), version=4))),
            Canary(f"p{n}-android", "device.android_id", f"{rng.getrandbits(64):016x}"),
            Canary(
                f"p{n}-location", "location.precise", f"{rng.uniform(35, 38):.4f},{rng.uniform(126, 129):.4f}"
            ),
        ]
    return [*found, Canary("p0-birth", "identity.birth_date", "1995-03-14")]


# --- traffic ------------------------------------------------------------------------------------------

HOSTS = ["log.temu.com", "us.temu.com", "acs.aliexpress.com", "www.google-analytics.com", "graph.facebook.com",
         "analytics.tiktok.com", "t.appsflyer.com", "api2.branch.io", "sentry.io", "wcs.naver.net"]  # fmt: skip
UA = "Mozilla/5.0 (Linux; Android 14; SM-S918N Build/UP1A.231005.007; wv) AppleWebKit/537.36 Chrome/124.0 Mobile"
PRODUCTS = [
    "무선 블루투스 이어폰 노이즈캔슬링",
    "겨울 롱패딩 남녀공용",
    "아이폰 15 케이스 투명",
    "캠핑 의자 초경량",
    "여성 러닝화 쿠션",
]


class Traffic:
    """Flows of plausible tracker traffic; `chunk` yields about ``size`` bytes of wire data."""

    def __init__(self, seed: int, planted: list[Canary]) -> None:
        self.rng = random.Random(seed)
        self.planted = planted
        self.seq = 0
        self.events = [json.dumps(self.event(), ensure_ascii=False) for _ in range(400)]

    def event(self) -> dict[str, object]:
        r = self.rng
        return {
            "event": r.choice(["page_view", "goods_impr", "add_to_cart", "scroll", "click"]),
            "ts": r.randrange(1_709_000_000_000, 1_710_000_000_000),
            "session_id": uuid.UUID(int=r.getrandbits(128)).hex,
            "trace": hashlib.md5(r.randbytes(8)).hexdigest(),
            "page": {"url": f"https://www.temu.com/kr/goods.html?goods_id={r.randrange(10**15)}", "sn": r.randrange(10**6)},
            "props": {"goods_id": r.randrange(10**14, 10**15), "name": r.choice(PRODUCTS), "price": round(r.uniform(1, 300), 2),
                      "idx": r.randrange(100), "tags": [r.choice(["hot", "new", "sale"]) for _ in range(3)]},
            "device": {"os": "Android 14", "model": "SM-S918N", "net": r.choice(["wifi", "4g", "5g"]), "w": 1080, "h": 2400},
        }  # fmt: skip

    def chunk(self, size: int) -> Iterator[tuple[Flow, bytes]]:
        made = 0
        while made < size:
            request = self.request()
            if self.rng.random() < 0.01:
                request = self.plant()
            wire = serialise(request)
            made += len(wire)
            self.seq += 1
            yield (
                Flow(
                    CaptureId(1),
                    self.seq,
                    f"generated {self.seq}",
                    Transport.HTTP,
                    host=request.url.split("/")[2],
                    request=request,
                ),
                wire,
            )

    def request(self) -> Request:
        kind = self.rng.random()
        if kind < 0.40:
            return self.beacon()
        if kind < 0.70:
            return self.post("application/json", self.batch(3, 40))
        if kind < 0.82:
            return self.post(
                "application/json", gzip.compress(self.batch(20, 200), 6), ("Content-Encoding", "gzip")
            )
        if kind < 0.90:
            return self.post("text/plain;charset=UTF-8", self.form())
        if kind < 0.95:
            return self.post("application/x-protobuf", self.protobuf())
        return self.post("application/json", self.upload())

    def headers(self) -> tuple[tuple[str, str], ...]:
        r = self.rng
        cookie = "; ".join([f"_ga=GA1.2.{r.randrange(10**9)}.{r.randrange(10**9)}", f"_fbp=fb.1.{r.randrange(10**13)}.{r.randrange(10**9)}",
                            f"api_uid={r.randbytes(18).hex()}", f"_nano_fp={r.randbytes(12).hex()}", "region=185", "language=ko",
                            f"webp=1; session={uuid.UUID(int=r.getrandbits(128))}"])  # fmt: skip
        return (("User-Agent", UA), ("Accept", "*/*"), ("Accept-Language", "ko-KR,ko;q=0.9,en-US;q=0.8"),
                ("Referer", f"https://www.temu.com/kr/goods.html?goods_id={r.randrange(10**15)}"), ("Cookie", cookie),
                ("X-Request-Id", str(uuid.UUID(int=r.getrandbits(128)))))  # fmt: skip

    def beacon(self) -> Request:
        r = self.rng
        params = {"v": "2", "tid": f"G-{r.randrange(10**9)}", "cid": f"{r.randrange(10**9)}.{r.randrange(10**9)}",
                  "en": r.choice(["page_view", "scroll", "view_item"]), "dl": f"https://www.temu.com/kr/goods.html?goods_id={r.randrange(10**15)}",
                  "dt": r.choice(PRODUCTS), "ul": "ko-kr", "sr": "1080x2400", "_p": str(r.randrange(10**9)),
                  "sid": str(r.randrange(10**10)), "ep.trace": hashlib.md5(r.randbytes(8)).hexdigest(), "_et": str(r.randrange(10**4))}  # fmt: skip
        query = "&".join(f"{k}={quote_plus(v)}" for k, v in params.items())
        return request(f"https://{r.choice(HOSTS)}/g/collect?{query}", self.headers())

    def post(self, content_type: str, body: bytes, *extra: tuple[str, str]) -> Request:
        headers = (*self.headers(), ("Content-Type", content_type), *extra)
        return request(f"https://{self.rng.choice(HOSTS)}/api/batch", headers, body)

    def batch(self, low: int, high: int) -> bytes:
        events = self.rng.choices(self.events, k=self.rng.randrange(low, high))
        return ('{"app": "temu", "ver": "2.83.0", "events": [' + ", ".join(events) + "]}").encode()

    def form(self) -> bytes:
        r = self.rng
        pairs = {
            f"ep.{k}": v
            for k, v in json.loads(r.choice(self.events))["props"].items()
            if not isinstance(v, list)
        }
        return "&".join(
            f"{k}={quote(str(v))}" for k, v in {"v": 2, "en": "view_item", **pairs}.items()
        ).encode()

    def protobuf(self) -> bytes:
        parts = []
        for _ in range(self.rng.randrange(20, 400)):
            text = (
                self.rng.choice(PRODUCTS).encode()
                if self.rng.random() < 0.3
                else self.rng.randbytes(self.rng.randrange(4, 40))
            )
            parts.append(bytes([0x12, len(text)]) + text + b"\x08" + bytes([self.rng.randrange(128)]))
        return b"".join(parts)

    def upload(self) -> bytes:
        if self.rng.random() < 0.5:
            lines = [
                f"{self.rng.randrange(10**12)} I/Temu: {self.rng.choice(PRODUCTS)} load {self.rng.random():.4f}"
                for _ in range(4000)
            ]
            return json.dumps({"log": "\n".join(lines)}, ensure_ascii=False).encode()
        image = self.rng.randbytes(self.rng.randrange(100_000, 600_000))
        return json.dumps(
            {"image": "data:image/jpeg;base64," + __import__("base64").b64encode(image).decode()}
        ).encode()

    def plant(self) -> Request:
        canary = self.rng.choice(self.planted)
        encoding = self.rng.choice(
            [e for e in ENCODINGS if e not in ("raw-sha256", "euc-kr-url", "json-escape")]
        )
        reach = Reach.CHAINED if encoding == "sha256-of-md5" else Reach.ENCODED
        text = self.rng.choice([f.text for f in normal_forms(canary) if f.reach >= reach][:3])
        place = self.rng.choice(["query", "header", "cookie", "form", "json", "gzip-json"])
        return PLACES[place](canary.data_type.rsplit(".", 1)[-1], ENCODINGS[encoding](text))


def request(url: str, headers: tuple[tuple[str, str], ...], body: bytes | None = None) -> Request:
    cookies = tuple(
        (k.strip(), v)
        for name, value in headers
        if name == "Cookie"
        for k, _, v in (p.partition("=") for p in value.split(";"))
    )
    return Request("POST" if body else "GET", url, "HTTP/1.1", headers, cookies, body, len(body or b""))


def serialise(request: Request) -> bytes:
    """The request as on the wire, on one line (grep searches lines): request line, headers, body."""
    head = f"{request.method} {request.url} {request.http_version}\t" + "\t".join(
        f"{k}: {v}" for k, v in request.headers
    )
    return head.encode() + b"\t" + (request.body or b"").replace(b"\n", b" ") + b"\n"


# --- measurements -------------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    ram = (
        int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        / 1024**2
    )
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    date = subprocess.run(
        ["date", "-u", "+%Y-%m-%d %H:%M UTC"], capture_output=True, text=True
    ).stdout.strip()
    return f"{date}; {cores} cores ({cpu}), {ram:.0f} GiB RAM, Python {platform.python_version()}"


def scan_chunks(args: argparse.Namespace, scanners: dict[str, Scanner], data: Path) -> dict[str, list[float]]:
    """Scan every chunk with every scanner, writing the wire bytes for grep; [MB, seconds, hits] each."""
    totals = {name: [0.0, 0.0, 0.0] for name in scanners}
    traffic = Traffic(args.seed, canaries())
    with data.open("wb") as out:
        while out.tell() < args.size_mb * MB:
            chunk = list(traffic.chunk(min(args.chunk_mb * MB, args.size_mb * MB - out.tell())))
            out.write(b"".join(wire for _, wire in chunk))
            size = sum(len(wire) for _, wire in chunk) / MB
            for name, scanner in scanners.items():
                started = time.perf_counter()
                hits = sum(len(scanner.scan(flow).hits) for flow, _ in chunk)
                totals[name] = [
                    totals[name][0] + size,
                    totals[name][1] + time.perf_counter() - started,
                    totals[name][2] + hits,
                ]
            print(
                f"  {out.tell() / MB:8.0f} MB  "
                + "  ".join(f"{n}: {t[0] / t[1]:.1f} MB/s" for n, t in totals.items()),
                flush=True,
            )
    return totals


def grep(patterns: Path, data: Path, locale: str, limit: int | None = None) -> tuple[float, float]:
    """(MB, seconds) of ``grep -F -a -c -f patterns`` over ``data`` (its first ``limit`` bytes)."""
    source = data
    if limit is not None:
        source = data.with_suffix(".sample")
        with data.open("rb") as whole:
            source.write_bytes(whole.read(limit))
    started = time.perf_counter()
    subprocess.run(
        ["grep", "-F", "-a", "-c", "-f", str(patterns), str(source)],
        env={"LC_ALL": locale},
        capture_output=True,
        check=False,
    )
    return source.stat().st_size / MB, time.perf_counter() - started


def presidio(data: Path, limit: int) -> tuple[float, float] | None:
    """(MB, seconds) of Presidio's regex recognizers (no_op NLP engine) over the first ``limit`` bytes."""
    try:
        import tldextract
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NoOpNlpEngine
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer
    except ImportError:
        return None
    # Its e-mail recognizer would fetch the public suffix list from the internet: use the bundled snapshot.
    email_recognizer.tldextract = type(
        "Offline", (), {"extract": staticmethod(tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None))}
    )
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}])
    engine.load()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    with data.open("rb") as source:
        lines = source.read(limit).splitlines()
    analyzer.analyze(text="warm up kim@example.com", language="en")
    started = time.perf_counter()
    for line in lines:
        analyzer.analyze(text=_text(line), language="en")
    return sum(len(line) + 1 for line in lines) / MB, time.perf_counter() - started


def profile(scanner: Scanner, args: argparse.Namespace) -> None:
    chunk = [flow for flow, _ in Traffic(args.seed, canaries()).chunk(args.chunk_mb * MB)]
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [scanner.scan(flow) for flow in chunk])
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument(
        "--chunk-mb", type=int, default=32, help="flows generated and held in memory at a time"
    )
    parser.add_argument("--presidio-mb", type=int, default=10)
    parser.add_argument("--grep-utf8-mb", type=int, default=16, help="sample for grep under a UTF-8 locale")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-detectors", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile one chunk instead of measuring")
    args = parser.parse_args()
    print(f"machine: {machine()}\ncommand: python {' '.join(sys.argv)}")
    planted = canaries()
    started = time.perf_counter()
    scanners = {"canaries": Scanner(planted, [])}
    print(f"{len(planted)} canaries -> {scanners['canaries'].literal_count:,} literals, "
          f"compiled in {time.perf_counter() - started:.2f} s (automaton {scanners['canaries'].compile_seconds:.2f} s, "
          f"{scanners['canaries'].search.engine_version})")  # fmt: skip
    try:
        from privprobe.enrich.detectors import BUILTIN
    except ImportError:
        BUILTIN = ()
    if BUILTIN and not args.no_detectors:
        scanners["canaries+detectors"] = Scanner(planted, list(BUILTIN))
    if args.profile:
        profile(scanners["canaries+detectors" if "canaries+detectors" in scanners else "canaries"], args)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    data, patterns = args.out / f"personal-data-{args.size_mb}mb.txt", args.out / "personal-data-patterns.txt"
    literals = [v for v in dict.fromkeys(scanners["canaries"].search.literals) if not {10, 13, 0} & set(v)]
    patterns.write_bytes(b"\n".join(literals) + b"\n")
    print(f"grep patterns: {len(literals):,} (literals with a newline or NUL left out)")
    totals = scan_chunks(args, scanners, data)
    rows = [(f"Scanner, {name}", *values) for name, values in totals.items()]
    rows.append(("grep -F (LC_ALL=C)", *grep(patterns, data, "C"), float("nan")))
    rows.append(
        ("grep -F (C.UTF-8, sample)", *grep(patterns, data, "C.UTF-8", args.grep_utf8_mb * MB), float("nan"))
    )
    measured = presidio(data, args.presidio_mb * MB)
    if measured is None:
        print("Presidio: presidio-analyzer is not installed; skipped (pip install presidio-analyzer)")
    else:
        rows.append(("Presidio (regex, no_op NLP, sample)", *measured, float("nan")))
    return report(rows)


def report(rows: list[tuple[str, float, float, float]]) -> int:
    print(f"\n{'tool':<38} {'MB':>8} {'seconds':>9} {'MB/s':>8} {'hits':>8}")
    speed = {}
    for name, size, seconds, hits in rows:
        speed[name] = size / seconds
        print(
            f"{name:<38} {size:>8.0f} {seconds:>9.1f} {speed[name]:>8.2f} {'' if hits != hits else f'{hits:>8.0f}'}"
        )
    ok = True
    share = speed["Scanner, canaries"] / speed["grep -F (LC_ALL=C)"]
    ok &= share >= TARGET_GREP_SHARE
    print(
        f"\nScanner (canaries) / grep -F: {share:.2f} (target >= {TARGET_GREP_SHARE:.2f}: {'met' if share >= TARGET_GREP_SHARE else 'MISSED'})"
    )
    if "Presidio (regex, no_op NLP, sample)" in speed:
        best = speed.get("Scanner, canaries+detectors", speed["Scanner, canaries"])
        times = best / speed["Presidio (regex, no_op NLP, sample)"]
        ok &= times >= TARGET_PRESIDIO_TIMES
        print(f"Scanner (with detectors when installed) / Presidio: {times:.0f}x (target >= {TARGET_PRESIDIO_TIMES}x: "
              f"{'met' if times >= TARGET_PRESIDIO_TIMES else 'MISSED'})")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
