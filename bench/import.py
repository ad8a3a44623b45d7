"""Import speed: privprobe's HAR and pcap readers against the tools a user would otherwise pick.

Generates a HAR and a pcap of ``--size-mb`` each (default 1024) into ``--out`` (default bench/out/,
git-ignored), streaming, then measures each tool in a fresh subprocess so that peak RSS is that
tool's alone:

- HAR: privprobe's ``HarReader``; ``json.load`` and a plain loop over the entries; the full
  ``privprobe.pipeline.import_file`` into a case database.
- pcap: privprobe's ``PcapReader``; dpkt's own loop (``dpkt.pcap.Reader`` + ``dpkt.ethernet``);
  ``tshark -T fields`` when tshark is installed; the full import.

Targets: HAR >= 50 MB/s, pcap >= 100,000 packets/s, peak RSS < 400 MB (privprobe's readers).
Results are recorded in docs/performance.md.

    python bench/import.py                      # 1 GB files, every tool
    python bench/import.py --size-mb 20         # a smoke run
    python bench/import.py --repeat 3           # the median of three runs per tool
    python bench/import.py --only har --tool HarReader --profile   # where the reader spends its time
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parents[1]
GENERATOR_VERSION = 3
TARGET_HAR_MB_S = 50
TARGET_PCAP_PACKETS_S = 100_000
TARGET_RSS_MB = 400

# --- the HAR ---------------------------------------------------------------------------------------

FIRST_PARTY = ["www.temu.com", "api.temu.com", "kr.aliexpress.com", "acs.aliexpress.com", "m.temu.com"]
THIRD_PARTY = [
    "www.google-analytics.com", "region1.analytics.google.com", "googleads.g.doubleclick.net",
    "connect.facebook.net", "www.facebook.com", "graph.facebook.com", "analytics.tiktok.com",
    "bat.bing.com", "ct.pinterest.com", "api2.branch.io", "sessions.bugsnag.com", "t.appsflyer.com",
    "wcs.naver.net", "t1.daumcdn.net", "log.aliexpress-media.com", "ae01.alicdn.com", "img.kwcdn.com",
    "aeis.alicdn.com", "sentry.io", "px.ads.linkedin.com", "s.yimg.jp", "tr.snapchat.com",
]  # fmt: skip
NAMES = ["김민수", "이서연", "박지훈", "최유진", "정하늘"]
ADDRESSES = [
    "서울특별시 강남구 테헤란로 123",
    "부산광역시 해운대구 센텀중앙로 79",
    "경기도 성남시 분당구 판교역로 235",
]
SEARCHES = ["무선 이어폰", "겨울 패딩", "아이폰 케이스", "캠핑 의자", "여성 운동화"]
USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)


def _headers(rng: random.Random, host: str, extra: list[tuple[str, str]]) -> list[dict[str, str]]:
    pairs = [
        ("Host", host),
        ("User-Agent", USER_AGENT),
        ("Accept", "application/json, text/plain, */*"),
        ("Accept-Language", "ko-KR,ko;q=0.9,en-US;q=0.8"),
        ("Accept-Encoding", "gzip, deflate, br"),
        ("Referer", f"https://{rng.choice(FIRST_PARTY)}/goods.html?goods_id={rng.randrange(10**11)}"),
        ("Cookie", f"_ga=GA1.2.{rng.randrange(10**9)}.{rng.randrange(10**9)}; sid={rng.randbytes(12).hex()}"),
        *extra,
    ]
    return [{"name": name, "value": value} for name, value in pairs]


def _person(rng: random.Random) -> dict[str, object]:
    return {
        "name": rng.choice(NAMES),
        "phone": f"010-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
        "email": f"user{rng.randrange(10**6)}@example.kr",
        "address": rng.choice(ADDRESSES),
        "search": rng.choice(SEARCHES),
        "cart": [
            {"goods_id": rng.randrange(10**11), "title": "상품 " + rng.choice(SEARCHES)} for _ in range(3)
        ],
    }


def _request(rng: random.Random, host: str) -> dict[str, object]:
    """A GET beacon with a base64 payload in its query, or a JSON or form POST with Korean text."""
    kind = rng.random()
    query = [("v", "2"), ("tid", f"UA-{rng.randrange(10**8)}-1"), ("q", rng.choice(SEARCHES))]
    if kind < 0.55:
        payload = base64.b64encode(json.dumps(_person(rng), ensure_ascii=False).encode()).decode()
        query.append(("d", payload))
        method, post = "GET", None
    elif kind < 0.85:
        text = json.dumps({"event": "add_to_cart", "user": _person(rng)}, ensure_ascii=False)
        method, post = "POST", {"mimeType": "application/json; charset=utf-8", "text": text}
    else:
        form = urlencode(
            {"name": rng.choice(NAMES), "addr": rng.choice(ADDRESSES), "ts": rng.randrange(10**12)}
        )
        method, post = "POST", {"mimeType": "application/x-www-form-urlencoded", "text": form}
    path = rng.choice(["collect", "api/v1/log", "tr", "event"])
    url = f"https://{host}/{path}?{urlencode(query, quote_via=quote)}"
    extra = [("Content-Type", post["mimeType"])] if post else []
    request: dict[str, object] = {
        "method": method, "url": url, "httpVersion": "HTTP/2", "cookies": [],
        "headers": _headers(rng, host, extra),
        "queryString": [{"name": name, "value": value} for name, value in query],
        "headersSize": -1, "bodySize": len(post["text"].encode()) if post else 0,
    }  # fmt: skip
    if post:
        request["postData"] = post
    return request


def _response(rng: random.Random, blobs: list[str]) -> dict[str, object]:
    """A JSON answer, or (one in five) an image whose body the exporter kept as base64."""
    if rng.random() < 0.2:
        blob = rng.choice(blobs)
        content = {"size": len(blob) * 3 // 4, "mimeType": "image/webp", "text": blob, "encoding": "base64"}
    else:
        text = json.dumps(
            {"success": True, "result": {"recommend": SEARCHES, "msg": "성공"}}, ensure_ascii=False
        )
        content = {"size": len(text.encode()), "mimeType": "application/json", "text": text}
    headers = [{"name": "content-type", "value": content["mimeType"]}, {"name": "server", "value": "Tengine"}]
    return {
        "status": 200, "statusText": "", "httpVersion": "HTTP/2", "cookies": [], "headers": headers,
        "content": content, "redirectURL": "", "headersSize": -1, "bodySize": content["size"],
    }  # fmt: skip


def _entries(seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    blobs = [base64.b64encode(rng.randbytes(rng.randrange(1_000, 24_000))).decode() for _ in range(40)]
    start = datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)
    for index in range(10**12):
        host = rng.choice(FIRST_PARTY) if rng.random() < 0.3 else rng.choice(THIRD_PARTY)
        entry = {
            "pageref": "page_1",
            "startedDateTime": (start + timedelta(milliseconds=37 * index)).isoformat(),
            "time": rng.uniform(5, 900),
            "request": _request(rng, host),
            "response": _response(rng, blobs),
            "cache": {},
            "timings": {"send": 0.1, "wait": rng.uniform(5, 500), "receive": 1.2},
            "serverIPAddress": f"{rng.choice([47, 104, 142, 203])}.{rng.randrange(256)}.{index % 256}.1",
        }
        yield json.dumps(entry, ensure_ascii=False).encode()


def write_har(path: Path, size: int) -> int:
    """A HAR of about ``size`` bytes, written entry by entry; returns the number of entries."""
    creator = {"name": "privprobe bench", "version": str(GENERATOR_VERSION)}
    page = {"startedDateTime": "2024-03-04T05:06:07Z", "id": "page_1", "title": "Temu", "pageTimings": {}}
    count = 0
    with path.open("wb") as out:
        out.write(f'{{"log": {{"version": "1.2", "creator": {json.dumps(creator)}, '.encode())
        out.write(f'"pages": [{json.dumps(page)}], "entries": [\n'.encode())
        for count, entry in enumerate(_entries(seed=1), 1):
            out.write(entry if count == 1 else b",\n" + entry)
            if out.tell() >= size:
                break
        out.write(b"\n]}}\n")
    return count


# --- the pcap --------------------------------------------------------------------------------------


def write_pcap(path: Path, size: int) -> int:
    """A pcap of about ``size`` bytes made by tests/ingest/pcapgen.py; returns the packet count."""
    sys.path.insert(0, str(REPO))
    from tests.ingest import pcapgen

    return pcapgen.write_bench_pcap(path, size)


# --- measuring (in the child) ------------------------------------------------------------------------


# Each tool imports what it needs and returns the work to time, so imports are not timed.
Work = Callable[[Path], int]


def _context() -> object:
    from privprobe.model import CaptureId
    from privprobe.plugins import ReadContext

    return ReadContext(capture=CaptureId(1))


def har_reader() -> Work:
    from privprobe.ingest.har import HarReader

    return lambda path: sum(1 for _ in HarReader().read(path, _context()))


def har_json() -> Work:
    def work(path: Path) -> int:
        with path.open("rb") as handle:
            document = json.load(handle)
        return sum(bool(entry["request"]["url"]) for entry in document["log"]["entries"])

    return work


def pcap_reader() -> Work:
    from privprobe.ingest.pcap import PcapReader

    return lambda path: sum(1 for _ in PcapReader().read(path, _context()))


def pcap_dpkt() -> Work:
    import dpkt

    def work(path: Path) -> int:
        count = 0
        with path.open("rb") as handle:
            for _, frame in dpkt.pcap.Reader(handle):
                dpkt.ethernet.Ethernet(frame)
                count += 1
        return count

    return work


def pcap_tshark() -> Work:
    fields = ["frame.number", "ip.dst", "tls.handshake.extensions_server_name", "dns.qry.name"]

    def work(path: Path) -> int:
        command = ["tshark", "-r", str(path), "-T", "fields", *(arg for f in fields for arg in ("-e", f))]
        lines = 0
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as tshark:
            assert tshark.stdout is not None
            while chunk := tshark.stdout.read(1 << 20):
                lines += chunk.count(b"\n")
        if tshark.returncode:
            raise RuntimeError(f"tshark exited with {tshark.returncode}")
        return lines

    return work


def full_import() -> Work:
    """``privprobe.pipeline.import_file`` into a new case: seal in the evidence store, read, store."""
    from privprobe import pipeline
    from privprobe.ingest.har import HarReader
    from privprobe.ingest.pcap import PcapReader
    from privprobe.model import Case, CaseId
    from privprobe.plugins import Registry
    from privprobe.store import Workspace

    def work(path: Path) -> int:
        registry = Registry()
        registry.add_reader(HarReader() if path.suffix == ".har" else PcapReader())
        workspace = Workspace(path.parent / f"workspace-{path.stem}")
        shutil.rmtree(workspace.root, ignore_errors=True)
        try:
            with workspace.store("bench", create=True) as store:
                store.add_case(Case(CaseId("bench"), "Whaleco Technology Ltd (Temu)", ("temu.com",)))
            return pipeline.import_file(workspace, "bench", path, registry).capture.flow_count
        finally:
            shutil.rmtree(workspace.root, ignore_errors=True)

    return work


TOOLS: dict[str, list[tuple[str, Callable[[], Work]]]] = {
    "har": [
        ("privprobe HarReader", har_reader),
        ("json.load + loop", har_json),
        ("privprobe import", full_import),
    ],
    "pcap": [
        ("privprobe PcapReader", pcap_reader),
        ("dpkt loop", pcap_dpkt),
        ("tshark -T fields", pcap_tshark),
        ("privprobe import", full_import),
    ],
}


def child(kind: str, tool: str, path: Path, profiled: bool) -> None:
    """Run one measurement and print it as one JSON line (or, ``profiled``, its cProfile)."""
    work = dict(TOOLS[kind])[tool]()
    if profiled:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(work, path)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(15)
        return
    started = time.perf_counter()
    count = work(path)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # tshark
    print(json.dumps({"count": count, "seconds": seconds, "rss_mb": max(own, children) / 1024}))


# --- the parent ----------------------------------------------------------------------------------------


def skip_reason(kind: str, tool: str) -> str | None:
    """Why a tool cannot be measured here, or None."""
    import importlib.util

    module = {"har": "privprobe.ingest.har", "pcap": "privprobe.ingest.pcap"}[kind]
    if tool.startswith("privprobe") and importlib.util.find_spec(module) is None:
        return f"{module} not written yet: skipped"
    if tool == "privprobe import":
        try:
            from privprobe import pipeline
        except ImportError as error:
            return f"privprobe.pipeline does not import ({error}): skipped"
        if not hasattr(pipeline, "import_file"):
            return "privprobe.pipeline.import_file absent: skipped"
    if tool.startswith("tshark") and shutil.which("tshark") is None:
        return "tshark not installed: skipped"
    return None


def prepare(kind: str, out: Path, size_mb: int) -> tuple[Path, int] | str:
    """The bench file of ``kind`` and its record count, generated unless already there."""
    path = out / f"bench-{size_mb}mb.{kind}"
    meta = path.with_name(path.name + ".json")
    if path.exists() and meta.exists():
        known = json.loads(meta.read_text())
        if known.get("generator") == GENERATOR_VERSION and known.get("bytes") == path.stat().st_size:
            return path, int(known["records"])
    started = time.perf_counter()
    try:
        records = (write_har if kind == "har" else write_pcap)(path, size_mb * 1024 * 1024)
    except (ImportError, AttributeError) as error:
        return f"cannot generate: {error}"
    print(
        f"generated {path.name}: {records:,} records in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    meta.write_text(
        json.dumps({"generator": GENERATOR_VERSION, "bytes": path.stat().st_size, "records": records})
    )
    return path, records


def measure(kind: str, tool: str, path: Path, repeat: int) -> dict[str, float] | str:
    """The median run of ``repeat``, each in a fresh process, with the highest peak RSS seen."""
    runs = []
    for _ in range(repeat):
        command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, tool, str(path)]
        run = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
        if run.returncode:
            return "failed: " + (run.stderr.strip().splitlines() or ["?"])[-1]
        runs.append(json.loads(run.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda result: result["seconds"])
    return {**runs[len(runs) // 2], "rss_mb": max(result["rss_mb"] for result in runs)}


def profile(kind: str, tool: str, path: Path) -> str:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, tool, str(path), "--profile"]
    run = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    print(f"\n== cProfile of {tool} on {path.name} ==\n{run.stderr}", file=sys.stderr)
    return "profiled (stderr)"


def verdict(kind: str, tool: str, mb_s: float, rate: float, rss: float) -> str:
    """The targets, for privprobe's rows: speed for the readers alone, memory for both."""
    if not tool.startswith("privprobe"):
        return ""
    memory = "RSS ok" if rss < TARGET_RSS_MB else f"RSS OVER {TARGET_RSS_MB} MB"
    if tool == "privprobe import":
        return memory
    fast = mb_s >= TARGET_HAR_MB_S if kind == "har" else rate >= TARGET_PCAP_PACKETS_S
    target = f"{TARGET_HAR_MB_S} MB/s" if kind == "har" else f"{TARGET_PCAP_PACKETS_S:,} packets/s"
    return f"{'meets' if fast else 'MISSES'} {target}, {memory}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size-mb", type=int, default=1024, help="size of each generated file (default 1024)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out", help="folder for the files")
    parser.add_argument("--only", choices=["har", "pcap"], help="one format only")
    parser.add_argument("--tool", help="only the tools whose name contains this")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the median is shown")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each tool instead")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "TOOL", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]), args.profile)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [("file", "MB", "tool", "seconds", "MB/s", "count", "records/s", "peak RSS MB", "note")]
    for kind in [args.only] if args.only else ["har", "pcap"]:
        rows += measure_kind(kind, args)
    print_table(rows)


def measure_kind(kind: str, args: argparse.Namespace) -> list[tuple[str, ...]]:
    """One table row per tool of ``kind``."""
    prepared = prepare(kind, args.out, args.size_mb)
    if isinstance(prepared, str):
        return [(f"*.{kind}", "", "(all)", "", "", "", "", "", prepared)]
    path, records = prepared
    size_mb = path.stat().st_size / 1e6
    unit = "entries/s" if kind == "har" else "packets/s"
    rows: list[tuple[str, ...]] = []
    for tool, _ in TOOLS[kind]:
        if args.tool and args.tool not in tool:
            continue
        reason = skip_reason(kind, tool)
        result = reason or (
            profile(kind, tool, path) if args.profile else measure(kind, tool, path, args.repeat)
        )
        if isinstance(result, str):
            rows.append((path.name, f"{size_mb:.0f}", tool, "", "", "", "", "", result))
            continue
        seconds, rss = result["seconds"], result["rss_mb"]
        mb_s, rate = size_mb / seconds, records / seconds
        rows.append((
            path.name, f"{size_mb:.0f}", tool, f"{seconds:.2f}", f"{mb_s:.1f}", f"{int(result['count']):,}",
            f"{rate:,.0f} {unit}", f"{rss:.0f}", verdict(kind, tool, mb_s, rate, rss),
        ))  # fmt: skip
    return rows


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for number, row in enumerate(rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            print("-|-".join("-" * width for width in widths))


if __name__ == "__main__":
    main()
