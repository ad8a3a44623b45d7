"""The story of privprobe, short: evidence in, facts added, law applied, report out.

`investigate` tells it on a website, one step per line:

1. capture (`privprobe.capture`, the only stage on the network): a sealed bundle of three phases;
2. `import_bundle` / `import_file` (`evidence`): evidence sealed in the store and read into flows,
   the policy the capture saved attached; `destinations` attributes every host;
3. `scan` (`personal_data`): the persona's values and the detectors over every flow;
4. `assess` / `findings` (`assessment`): the case as a `CaseView`, the law-neutral checks, the
   regimes' findings, the investigator's statuses;
5. `report` (`reporting`): everything gathered for `privprobe.report` to build, then rendered.

Each step is also a command of its own; see docs/architecture.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from privprobe.assess.regime import Assessment
from privprobe.enrich.canaries import new_canary
from privprobe.enrich.destinations import registrable_domain
from privprobe.model import Case, CaseId
from privprobe.pipeline.assessment import Review, assess, case_view, findings, regime_names, review
from privprobe.pipeline.evidence import (
    ANSWERS_READER,
    POLICY_READER,
    Imported,
    Progress,
    add_answers,
    add_policy,
    answers,
    destination_countries,
    destinations,
    import_bundle,
    import_file,
    import_trackerdb,
    organisations_of,
    policies,
)
from privprobe.pipeline.personal_data import Scanned, hits, scan, scan_file, scan_fingerprint
from privprobe.pipeline.reporting import ReportOptions, report
from privprobe.plugins import Registry
from privprobe.store import Workspace
from privprobe.store.workspace import check_case_name

__all__ = [
    "ANSWERS_READER",
    "POLICY_READER",
    "Assessment",
    "Imported",
    "Investigation",
    "Progress",
    "ReportOptions",
    "Review",
    "Scanned",
    "add_answers",
    "add_policy",
    "answers",
    "assess",
    "case_view",
    "destination_countries",
    "destinations",
    "findings",
    "hits",
    "import_bundle",
    "import_file",
    "import_trackerdb",
    "investigate",
    "organisations_of",
    "policies",
    "regime_names",
    "report",
    "review",
    "scan",
    "scan_file",
    "scan_fingerprint",
    "write_reports",
]


@dataclass(frozen=True)
class Investigation:
    """What `investigate` is asked to do."""

    url: str
    """The website."""
    out: Path
    """Folder for the bundle and the reports."""
    lang: str = "ko"
    """Language of the reports."""
    controller: str | None = None
    """The controller, for a new case (default: the site's registrable domain)."""
    pages: int = 5
    """Same-site pages per phase."""
    persona: Path | None = None
    """Persona file: canaries and login steps."""
    resolve: tuple[str, ...] = ()
    """Lab resolve rules."""


def investigate(
    workspace: Workspace,
    case: str,
    registry: Registry,
    request: Investigation,
    progress: Callable[[str], object] | None = None,
) -> list[Path]:
    """The whole story on a website: capture → import → scan → read the policy → assess → report."""
    say = progress or (lambda _text: None)
    _open_case(workspace, case, request)
    bundle = _capture(request)  # 1. the only step that touches the network
    say(f"captured: {bundle}")
    import_bundle(workspace, case, bundle)  # 2. flows of every phase, and the policy the capture saved
    _add_persona(workspace, case, request.persona)
    done = scan(workspace, case, registry)  # 3. personal data in every flow
    say(f"scanned {done.flows} flows: {done.hits} hits")
    document = report(workspace, case, registry, ReportOptions(request.lang))  # 4.-6. assess, report
    return write_reports(document, request.lang, request.out / f"report-{case}")


def write_reports(document: dict[str, Any], lang: str, stem: Path) -> list[Path]:
    """``stem``.json, .html and .pdf of one report."""
    from privprobe.report import write_json
    from privprobe.report.html import render_html
    from privprobe.report.pdf import render_pdf

    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".json"), stem.with_suffix(".html"), stem.with_suffix(".pdf")]
    write_json(document, paths[0])
    paths[1].write_text(render_html(document, lang), encoding="utf-8")
    render_pdf(document, lang, paths[2])
    return paths


def _open_case(workspace: Workspace, case: str, request: Investigation) -> None:
    if case in workspace.case_names():
        return
    host = (urlsplit(request.url).hostname or "").lower()
    domain = registrable_domain(host) or host
    record = Case(CaseId(check_case_name(case)), request.controller or domain, (domain,))
    with workspace.store(case, create=True) as store:
        store.add_case(record)


def _capture(request: Investigation) -> Path:
    from privprobe.capture.browser import CaptureOptions, capture_web

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    options = CaptureOptions(
        request.url, request.out / f"bundle-{stamp}", pages=request.pages, persona=request.persona,
        resolve=request.resolve,
    )  # fmt: skip
    return capture_web(options)


def _add_persona(workspace: Workspace, case: str, persona: Path | None) -> None:
    if persona is None:
        return
    raw = json.loads(persona.read_text(encoding="utf-8"))
    entries = raw.get("canaries", []) if isinstance(raw, dict) else []
    with workspace.store(case) as store:
        record = store.case(case)
        taken = {canary.name for canary in store.canaries(case)}
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("name") not in taken:
                canary = new_canary(entry.get("type"), entry.get("value"), entry.get("name"), taken=taken)
                store.add_canary(record.name, canary)
                taken.add(canary.name)
