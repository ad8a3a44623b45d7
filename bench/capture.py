"""Capture speed: privprobe's three-phase capture of the demo shop against one plain visit.

Serves the demo shop (privprobe.capture.demo.shop) on 127.0.0.1, then measures, in this order:

- ``privprobe capture_web``: the three consent phases (before consent, accepted, refused), each in a
  fresh Chromium profile with a HAR, cookies (with DevTools' blocked cookies), storage, page HTML,
  screenshots, the consent action, and the privacy policy in the first phase; sealed as a bundle.
- a plain Playwright script: one Chromium, one context recording a HAR (bodies embedded), visiting
  the same pages (the landing page and the links privprobe visited) with the same dwell, then closing.

Both use Debian's Chromium with the same flags and resolve rules. Target: the three phases take at
most 3.5 times one plain visit (each phase is a visit of its own; the rest is what makes it evidence).
Results are recorded in docs/performance.md.

    python bench/capture.py                       # 5 pages, 3 s dwell, once
    python bench/capture.py --repeat 3            # the median of three runs of each
    python bench/capture.py --pages 2 --dwell 0.5 # a smoke run
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from privprobe.capture.browser import FLAGS, CaptureOptions, capture_web
from privprobe.capture.demo.shop import PERSONA_FILE, serve_shop

TARGET_RATIO = 3.5


def privprobe_capture(
    url: str, resolve: tuple[str, ...], out: Path, args: argparse.Namespace
) -> tuple[float, list[str], int]:
    """Seconds for capture_web, the pages its first phase visited, and the requests of all phases."""
    persona = PERSONA_FILE if args.persona else None
    options = CaptureOptions(url, out, pages=args.pages, dwell=args.dwell, resolve=resolve, persona=persona)
    start = time.perf_counter()
    capture_web(options)
    seconds = time.perf_counter() - start
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    index = json.loads(
        (out / "phases" / "before_consent" / "pages" / "index.json").read_text(encoding="utf-8")
    )
    pages = [page["requested"] for page in index["pages"] if page["requested"].startswith("http")]
    return seconds, pages, sum(phase["requests"] or 0 for phase in manifest["phases"])


def plain_visit(pages: list[str], rules: str, dwell: float, har: Path) -> tuple[float, int]:
    """Seconds for one Playwright visit of ``pages`` recording a HAR, and its requests."""
    start = time.perf_counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[*FLAGS, f"--host-resolver-rules={rules}", "--ignore-certificate-errors"],
        )
        context = browser.new_context(record_har_path=har, record_har_content="embed")
        page = context.new_page()
        for url in pages:
            page.goto(url, wait_until="load", timeout=30_000)
            page.wait_for_timeout(dwell * 1000)
        context.close()
        browser.close()
    seconds = time.perf_counter() - start
    return seconds, len(json.loads(har.read_text(encoding="utf-8"))["log"]["entries"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5, help="pages per phase (default 5)")
    parser.add_argument("--dwell", type=float, default=3.0, help="seconds on each page (default 3)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the median is shown")
    parser.add_argument("--persona", action="store_true", help="also run the demo persona (login, checkout)")
    args = parser.parse_args()
    captures: list[float] = []
    plains: list[float] = []
    with serve_shop() as shop, tempfile.TemporaryDirectory(prefix="privprobe-bench-") as work:
        resolve = tuple(shop.resolve_rules())
        rules = CaptureOptions(shop.url, Path(work), resolve=resolve).host_resolver_rules() or ""
        for run in range(args.repeat):
            out = Path(work) / f"bundle-{run}"
            seconds, pages, requests = privprobe_capture(shop.url, resolve, out, args)
            captures.append(seconds)
            plain, plain_requests = plain_visit(pages, rules, args.dwell, Path(work) / f"plain-{run}.har")
            plains.append(plain)
            print(f"run {run + 1}: privprobe {seconds:.2f} s ({requests} requests, 3 phases), "
                  f"plain visit {plain:.2f} s ({plain_requests} requests, {len(pages)} pages)")  # fmt: skip
            shutil.rmtree(out, ignore_errors=True)
    capture, plain = statistics.median(captures), statistics.median(plains)
    ratio = capture / plain
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(f"\n| tool | seconds (median of {args.repeat}) | pages per phase | dwell s |")
    print("|---|---:|---:|---:|")
    print(f"| privprobe capture_web, 3 phases | {capture:.2f} | {args.pages} | {args.dwell:g} |")
    print(f"| plain Playwright visit with HAR | {plain:.2f} | {args.pages} | {args.dwell:g} |")
    print(f"\nratio {ratio:.2f} ({verdict} the target of {TARGET_RATIO}x)")


if __name__ == "__main__":
    main()
