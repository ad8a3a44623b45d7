"""The JSON report (schema ``privprobe-report/1``, docs/report-schema.md): one object per case.

`build_report` assembles the object from what `collect` read: the case and its captures, where the
data went (by country, by recipient, by data type, by consent phase), the findings with the flows they
cite, the policy against what was observed, the penalty worksheet, and an appendix of method,
versions, evidence files and limitations. It decides nothing: grades come from the checks, findings
and statuses from the assessment, amounts from the penalty worksheet. The HTML and PDF reports render
this object. Everything but ``generated`` is the same for the same case and reference data.
"""

from __future__ import annotations

import json
import platform
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from privprobe import __version__
from privprobe.errors import PrivprobeError
from privprobe.facts import Party
from privprobe.findings import (
    EvidenceRef,
    Finding,
    FindingStatus,
    PenaltyEstimate,
    PenaltyKind,
    Severity,
)
from privprobe.model import Capture, Case, Phase
from privprobe.plugins import Registry
from privprobe.report.collect import (
    QUOTE_LIMIT,
    Material,
    PenaltyOutcome,
    cites_flow,
    country_rows,
    cut,
    declared_countries,
    declared_data_types,
    declared_recipients,
    versions,
)

SCHEMA = "privprobe-report/1"
"""The schema this module writes; its major number changes when a key is removed or changes meaning."""
TOP_FINDINGS = 5
"""Findings named in the summary."""
CONSENT_PHASES = ("before_consent", "accepted", "refused")
"""The phases compared in ``phases``."""
RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


@dataclass(frozen=True)
class Texts:
    """The report's fixed sentences in one language; labels are the renderer's."""

    method: tuple[str, ...]
    limitations: tuple[str, ...]
    partial: str
    """A partial capture, with ``{id}``, ``{label}`` and ``{reason}``."""
    default_band: str
    """Why the surcharge is for the ``serious`` band when the caller chose none."""


TEXTS = {
    "en": Texts(
        method=(
            "Evidence: every evidence file was sealed by its SHA-256 when imported (listed below); every figure of this report is derived from those files.",
            "Traffic: each request captured was read into a flow; each host was attributed to its operator by privprobe's reference table (each row with its public source and date), and to countries by the operator's registered seat and by the registration country of the server address.",
            "Personal data: every flow was searched for the test persona's known values (canaries), plain and encoded (URL, Base64, hashes and others), and by detectors of identifiers; values are shown masked.",
            "Consent: where the captures record it, the data sent before any consent choice, after accepting and after refusing are compared.",
            "Policy: the privacy policy was read into declarations (recipients, countries, data items) and graded against the PIPA and GDPR checklists; the recipients, countries and data types observed were compared with them as clear, vague or omitted.",
            "Law: law-neutral checks state facts; the PIPA and GDPR rules turn them into suspected findings citing the article in force at the violation dates, which the investigator confirms or dismisses. Penalty figures are worksheets under Enforcement Decree Annex 1-5, not decisions.",
        ),
        limitations=(
            "The registration country of a server address (regional internet registry data) is not where the server stands.",
            "Operators were attributed to hosts from a reference table whose rows each name a public source and the date it was read; ownership may have changed since.",
            "The capture does not record service-worker traffic apart from the page's, nor the traffic of apps on the device.",
            "A pseudonymous identifier (a cookie, an advertising id) is personal data only where it can readily be combined with other information to identify a person (PIPA Art. 2(1)(b); GDPR Recital 30).",
            "The checks presume from an organisation's category whether a recipient is a trustee (processor) or a third party; the investigator confirms the role.",
        ),
        partial="Capture {id} ({label}) was read only in part: {reason}",
        default_band="The severity band 'serious' is a default: the investigator chooses the band (privprobe penalty --severity).",
    ),
    "ko": Texts(
        method=(
            "증거: 모든 증거 파일은 가져올 때 SHA-256 해시로 봉인되었으며(아래 목록), 이 보고서의 모든 수치는 그 파일에서 도출되었습니다.",
            "통신: 수집된 각 요청을 흐름(flow)으로 읽고, 각 호스트를 privprobe 참조표(행마다 공개 출처와 확인 날짜 기재)에 따라 운영 조직에, 그 조직의 등록 소재지와 서버 주소의 등록 국가에 따라 국가에 연결했습니다.",
            "개인정보: 모든 흐름에서 시험 계정의 알려진 값(카나리아)을 평문과 인코딩된 형태(URL, Base64, 해시 등)로 찾고, 식별자 탐지기로도 검사했습니다. 값은 가린 형태로만 표시합니다.",
            "동의: 수집 단계가 기록된 경우 동의 선택 전, 동의 후, 거부 후에 전송된 개인정보를 비교했습니다.",
            "처리방침: 개인정보 처리방침을 선언(수령인, 국가, 항목)으로 읽어 개인정보 보호법과 GDPR 점검표로 평가하고, 관찰된 수령인·국가·항목을 선언과 비교하여 명확(clear)·모호(vague)·누락(omitted)으로 구분했습니다.",
            "법 적용: 법과 무관한 점검이 사실을 기술하고, 개인정보 보호법과 GDPR 규칙이 이를 위반 시점에 시행 중인 조문을 인용한 의심 사항으로 바꾸며, 조사관이 각 사항을 확정하거나 기각합니다. 과징금 수치는 시행령 별표 1의5에 따른 산정표이며 처분이 아닙니다.",
        ),
        limitations=(
            "서버 주소의 등록 국가(지역 인터넷 레지스트리 자료)는 서버가 실제로 있는 곳이 아닙니다.",
            "호스트의 운영 조직은 행마다 공개 출처와 확인 날짜가 있는 참조표에 따라 정했으며, 그 후 소유 관계가 바뀌었을 수 있습니다.",
            "수집은 서비스 워커의 통신을 페이지의 통신과 따로 기록하지 않으며, 기기에 설치된 앱의 통신도 기록하지 않습니다.",
            "쿠키나 광고 식별자 같은 가명 식별자는 다른 정보와 쉽게 결합하여 개인을 알아볼 수 있을 때에만 개인정보입니다(개인정보 보호법 제2조제1호나목, GDPR 전문 제30항).",
            "점검은 조직의 분류에 따라 수령인이 수탁자인지 제3자인지를 추정하며, 그 역할은 조사관이 확인합니다.",
        ),
        partial="수집 {id}({label})은(는) 일부만 읽혔습니다: {reason}",
        default_band="중대성 '중대한 위반행위'(serious)는 기본값이며, 중대성은 조사관이 정합니다(privprobe penalty --severity).",
    ),
}
"""The fixed texts by report language."""


def build_report(
    material: Material,
    registry: Registry,
    *,
    lang: str = "ko",
    regimes: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The report as the object of docs/report-schema.md, from what `pipeline.report` gathered.

    ``lang`` (``ko`` or ``en``) selects the language of the fixed method and limitation sentences;
    ``regimes`` names the rules applied.
    """
    texts = TEXTS.get(lang)
    if texts is None:
        raise PrivprobeError(f"report language {lang!r}: give one of {', '.join(sorted(TEXTS))}")
    assessed = list(regimes) if regimes is not None else list(registry.regimes)
    worksheet = penalty_section(material.penalty, texts)
    return {
        "schema": SCHEMA,
        "generated": utc(datetime.now(UTC)),
        "language": lang,
        "tool": {"name": "privprobe", "version": __version__, "python": platform.python_version()},
        "case": case_section(material.view.case),
        "examined": examined(material),
        "summary": summary(material, worksheet),
        "flows_by_data_type": flows_by_data_type(material),
        "phases": phases(material),
        "findings": [finding(f, material.flows) for f in material.assessment.findings],
        "policy": policy(material),
        "penalty": worksheet,
        "appendix": appendix(material, texts, registry, assessed),
    }


def write_json(report: dict[str, Any], path: Path | str) -> None:
    """Write ``report`` to ``path``: UTF-8, non-ASCII kept as is, indented by one space."""
    text = json.dumps(report, ensure_ascii=False, indent=1)
    Path(path).write_text(text + "\n", encoding="utf-8")


def utc(moment: datetime | None) -> str | None:
    """``moment`` as ISO 8601 UTC with a ``Z`` (milliseconds only when it has them)."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def case_section(case: Case) -> dict[str, Any]:
    """The case as the investigator opened it."""
    return {
        "name": case.name,
        "controller": case.controller,
        "jurisdiction": case.jurisdiction,
        "first_party": list(case.first_party_domains),
        "apps": list(case.apps),
        "created": utc(case.created),
    }


def examined(material: Material) -> dict[str, Any]:
    """The captures examined, with the flows, hosts and time span of the case."""
    captures = material.captures
    started = [c.started for c in captures if c.started is not None]
    ended = [c.ended for c in captures if c.ended is not None]
    return {
        "captures": [capture_row(c) for c in captures],
        "flows": sum(c.flow_count for c in captures),
        "hosts": sum(1 for row in material.rows if row.destination.host),
        "first": utc(min(started)) if started else None,
        "last": utc(max(ended)) if ended else None,
    }


def capture_row(capture: Capture) -> dict[str, Any]:
    """One capture: what, when, which device, how many flows, whether read whole."""
    return {
        "id": capture.id,
        "kind": capture.kind.value,
        "label": capture.label,
        "phase": capture.phase.value,
        "device": capture.device,
        "started": utc(capture.started),
        "ended": utc(capture.ended),
        "flows": capture.flow_count,
        "partial": capture.partial,
        "partial_reason": capture.partial_reason,
    }


def summary(material: Material, worksheet: dict[str, Any]) -> dict[str, Any]:
    """Where the third parties' flows went, who got what, the worst findings and the penalty range."""
    return {
        "countries": country_rows(material),
        "recipients": [
            {
                "organisation": r.key,
                "name": r.name,
                "country": r.country,
                "flows": r.flows,
                "data_types": r.data_types,
                "phases": [p.value for p in Phase if p.value in r.phases],
                "declared": material.grades.get(r.key, ("omitted", None))[0]
                if r.party is Party.THIRD
                else "first_party",
            }
            for r in material.recipients
        ],
        "top_findings": top_findings(material.assessment.findings),
        "penalty": penalty_summary(worksheet),
    }


def top_findings(findings: Iterable[Finding]) -> list[str]:
    """The ids of the worst findings not dismissed: severity first, then the evidence they cite."""
    kept = [f for f in findings if f.status is not FindingStatus.DISMISSED]
    kept.sort(key=lambda f: (RANK.get(f.severity, len(RANK)), -len(f.evidence), f.id))
    return [f.id for f in kept[:TOP_FINDINGS]]


def flows_by_data_type(material: Material) -> list[dict[str, Any]]:
    """Hits per data type, third-party recipient and its country."""
    rows = []
    for recipient in material.third_parties():
        for data_type, count in Counter(hit.data_type for hit in recipient.hits).items():
            rows.append({
                "data_type": data_type, "organisation": recipient.key, "country": recipient.country,
                "hits": count,
            })  # fmt: skip
    return sorted(rows, key=lambda row: (row["data_type"], row["organisation"]))


def phases(material: Material) -> list[dict[str, Any]]:
    """Per third-party recipient, the data types it received in each consent phase."""
    return [
        {
            "organisation": r.key,
            "name": r.name,
            **{phase: sorted(r.received.get(phase, ())) for phase in CONSENT_PHASES},
        }
        for r in material.third_parties()
    ]


def finding(found: Finding, flows: Mapping[str, dict[str, object]]) -> dict[str, Any]:
    """One finding as the assessment gives it, each cited flow shown beside its evidence."""
    return {
        "id": found.id,
        "regime": found.regime,
        "rule": found.rule,
        "article": found.article,
        "title_ko": found.title_ko,
        "title_en": found.title_en,
        "subject": found.subject,
        "severity": found.severity.value,
        "status": found.status.value,
        "status_reason": found.status_reason,
        "explanation": found.explanation,
        "evidence": [evidence(ref, flows) for ref in found.evidence],
        "counter_evidence": list(found.counter_evidence),
        "refuted_by": found.refuted_by,
        "measure_ko": found.measure_ko,
        "measure_en": found.measure_en,
        "checks": list(found.checks),
    }


def evidence(ref: EvidenceRef, flows: Mapping[str, dict[str, object]]) -> dict[str, Any]:
    """An evidence reference, with its flow (id, method, masked URL, host, phase) when it cites one."""
    flow = flows.get(ref.ref.split()[0]) if cites_flow(ref.kind) and ref.ref else None
    return {"kind": ref.kind, "ref": ref.ref, "note": ref.note, "flow": flow}


def policy(material: Material) -> dict[str, Any]:
    """The policies, the newest one's checklist, and what it declares against what was observed."""
    view = material.view
    newest = view.readings[-1].document if view.readings else None
    checklist = [
        {
            "item": result.item.id,
            "article": result.item.article,
            "title_ko": result.item.title_ko,
            "title_en": result.item.title_en,
            "status": result.status,
            "missing": list(result.missing),
            "condition": result.item.condition,
            "quotes": [cut(newest.quote(span), QUOTE_LIMIT) for span in result.evidence[:2]]
            if newest
            else [],
        }
        for result in view.checklist
    ]
    documents = [
        {"name": r.document.source_name, "sha256": r.document.sha256, "language": r.document.language}
        for r in view.readings
    ]
    return {
        "documents": documents,
        "checklist": checklist,
        "declared_vs_observed": {
            "recipients": declared_recipients(material),
            "countries": declared_countries(material),
            "data_types": declared_data_types(material),
        },
    }


def penalty_section(outcome: PenaltyOutcome, texts: Texts) -> dict[str, Any]:
    """The PIPA surcharge worksheet (and any fines asked for), or why the case facts allow none."""
    if outcome.error is not None:
        return {"computed": False, "reason": outcome.error, "estimates": []}
    reason = texts.default_band if outcome.defaulted else None
    return {"computed": True, "reason": reason, "estimates": [estimate(e) for e in outcome.estimates]}


def estimate(found: PenaltyEstimate) -> dict[str, Any]:
    """One worksheet, step by step."""
    steps = [
        {
            "name": s.name, "basis": s.basis, "input": s.input, "adjustment": s.adjustment,
            "output": s.output, "low": s.low, "high": s.high, "note": s.note, "verified": s.verified,
        }
        for s in found.steps
    ]  # fmt: skip
    return {
        "kind": found.kind.value,
        "title": found.title,
        "currency": found.currency,
        "amount": found.amount,
        "low": found.low,
        "high": found.high,
        "severity": found.severity.value if found.severity else None,
        "steps": steps,
        "parameters": [[name, value] for name, value in found.parameters],
    }


def penalty_summary(worksheet: dict[str, Any]) -> dict[str, Any]:
    """The surcharge range of the worksheet, or why there is none."""
    surcharges = [e for e in worksheet["estimates"] if e["kind"] == PenaltyKind.SURCHARGE.value]
    if not worksheet["computed"] or not surcharges:
        return {"computed": False, "low": None, "high": None, "note": worksheet["reason"]}
    titles = "; ".join(e["title"] for e in surcharges)
    note = f"{titles}. {worksheet['reason']}" if worksheet["reason"] else titles
    return {
        "computed": True,
        "low": min(e["low"] for e in surcharges),
        "high": max(e["high"] for e in surcharges),
        "note": note,
    }


def appendix(material: Material, texts: Texts, registry: Registry, regimes: list[str]) -> dict[str, Any]:
    """How the report was made: method, data versions, every evidence file, and the limits."""
    partial = [
        texts.partial.format(id=c.id, label=c.label, reason=c.partial_reason or "")
        for c in material.captures
        if c.partial
    ]
    files_ = sorted(
        (
            {"capture": c.id, "name": f.original_name, "sha256": f.sha256, "size": f.size, "format": f.format}
            for c in material.captures
            for f in c.files
        ),
        key=lambda row: (row["capture"], row["name"], row["sha256"]),
    )
    return {
        "method": list(texts.method),
        "versions": versions(material, registry, regimes),
        "evidence": files_,
        "limitations": [*texts.limitations, *partial],
    }
