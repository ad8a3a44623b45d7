"""The demo end to end, stage by stage: what `privprobe demo` costs on this machine.

    python bench/demo.py [--repeat 2] [--sample]

Each run uses a fresh workspace and times: serving the demo shop and capturing it in the three
consent phases (Chromium), importing the sealed bundle, scanning, reading the policy and assessing,
building the JSON report, rendering the HTML and the PDF, in Korean. With ``--sample`` (or without
Chromium) the capture is replaced by the generated sample HAR, as `privprobe demo --sample` does.
Target (issue 7): the whole demo in under two minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from privprobe import pipeline  # noqa: E402
from privprobe.capture.demo.sample import DEMO_CASE, PERSONA, write_sample_har  # noqa: E402
from privprobe.cli.demo import PERSONA_FILE, _browser_missing  # noqa: E402
from privprobe.enrich.canaries import new_canary  # noqa: E402
from privprobe.model import Canary, Case, CaseId, Phase  # noqa: E402
from privprobe.plugins import Registry  # noqa: E402
from privprobe.report import write_json  # noqa: E402
from privprobe.report.html import render_html  # noqa: E402
from privprobe.report.pdf import render_pdf  # noqa: E402
from privprobe.store import Workspace  # noqa: E402


def timed(stages: dict[str, float], name: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    stages[name] = time.perf_counter() - started
    return result


def capture(folder: Path) -> Path:
    from privprobe.capture.browser import CaptureOptions, capture_web
    from privprobe.capture.demo.shop import serve_shop

    with serve_shop() as shop:
        options = CaptureOptions(shop.url, folder / "bundle", pages=3, dwell=1.0, persona=PERSONA_FILE,
                                 resolve=tuple(shop.resolve_rules()), phase_timeout=90.0)  # fmt: skip
        return capture_web(options)


def canaries(live: bool) -> list[Canary]:
    if not live:
        return [Canary("persona-email", "contact.email", PERSONA["email"]),
                Canary("persona-phone", "contact.phone", PERSONA["phone"])]  # fmt: skip
    taken: set[str] = set()
    found = []
    for entry in json.loads(PERSONA_FILE.read_text(encoding="utf-8"))["canaries"]:
        found.append(new_canary(entry["type"], entry["value"], entry.get("name"), taken=taken))
        taken.add(found[-1].name)
    return found


def run_once(folder: Path, live: bool) -> dict[str, float]:
    stages: dict[str, float] = {}
    workspace, registry = Workspace(folder / "ws"), Registry.from_entry_points()
    with workspace.store(DEMO_CASE, create=True) as store:
        store.add_case(Case(CaseId(DEMO_CASE), "Demo Shop Co., Ltd.", ("shop.example",)))
    if live:
        bundle = timed(stages, "capture (3 phases)", lambda: capture(folder))
        timed(stages, "import bundle", lambda: pipeline.import_bundle(workspace, DEMO_CASE, bundle))
    else:
        har = write_sample_har(folder / "sample.har")
        timed(stages, "import sample HAR",
              lambda: pipeline.import_file(workspace, DEMO_CASE, har, registry, phase=Phase.ACCEPTED))  # fmt: skip
        policy = ROOT / "src" / "privprobe" / "capture" / "demo" / "site" / "privacy.html"
        timed(stages, "add policy", lambda: pipeline.add_policy(workspace, DEMO_CASE, policy, "ko"))
    with workspace.store(DEMO_CASE) as store:
        for canary in canaries(live):
            store.add_canary(CaseId(DEMO_CASE), canary)
    timed(stages, "scan", lambda: pipeline.scan(workspace, DEMO_CASE, registry))
    report = timed(stages, "read policy + assess + JSON report", lambda: pipeline.report(workspace, DEMO_CASE, registry))
    timed(stages, "write JSON", lambda: write_json(report, folder / "report.json"))
    timed(stages, "render HTML", lambda: (folder / "report.html").write_text(render_html(report, "ko"), "utf-8"))
    timed(stages, "render PDF", lambda: render_pdf(report, "ko", folder / "report.pdf"))
    stages["total"] = sum(stages.values())
    stages["findings"] = len(report["findings"])
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--sample", action="store_true")
    args = parser.parse_args()
    reason = _browser_missing()
    live = not args.sample and reason is None
    print(f"mode: {'live capture' if live else 'sample HAR'}" + (f" ({reason})" if reason and not args.sample else ""))
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(run_once(Path(folder), live))
    for name in runs[0]:
        values = [run[name] for run in runs]
        shown = f"{statistics.median(values):8.2f} s" if name != "findings" else f"{int(values[0]):8d}"
        print(f"{name:36} {shown}   runs: {', '.join(f'{v:.2f}' for v in values)}")


if __name__ == "__main__":
    main()
