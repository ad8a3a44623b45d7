"""The report as one self-contained HTML page, in Korean or English, rendered from the report JSON.

`render_html` takes the object of docs/report-schema.md (``privprobe-report/1``) and decides nothing:
it lays out what the JSON says, in six sections: the summary for the commission, the data-flow
pictures, the findings with their evidence, the privacy-policy checklist with declared-versus-observed,
the penalty worksheet, and the appendix (method, versions, evidence manifest, limitations).

Everything in the report came from the inspected platform and is hostile: Jinja2 escapes every value
(autoescape), control and bidirectional-override characters are shown as ``⟨U+202E⟩`` (`_visible`),
the page carries a Content-Security-Policy that allows only inline styles and ``data:`` images, holds
no ``<script>``, and links only to anchors it generates itself (``#finding-3``), never to a URL from
the evidence. Charts are SVG inside ``<img>`` (`privprobe.report.charts`), where no script can run.

    >>> html = render_html(report, "ko")  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from privprobe.errors import PrivprobeError
from privprobe.reference.data_types import load_data_types
from privprobe.reference.lexicon import load_countries
from privprobe.report import charts
from privprobe.report.messages import Messages, load_messages

SCHEMA = "privprobe-report/1"
"""The report schema this module renders (docs/report-schema.md)."""
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"
"""The page's Content-Security-Policy: nothing is fetched, nothing runs."""
PHASES = ("before_consent", "accepted", "refused")
"""The consent phases compared, in the order a user meets them."""
_EXPOSED = frozenset({"before_consent", "refused"})
"""Phases in which any personal data sent to a third party is suspect."""
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""Control characters, zero-width characters and bidirectional overrides: shown by code point, since
a right-to-left override in a host name can make ``moc.elgoog`` read as ``google.com``."""
_HIT_NOTE = re.compile(r"(?P<masked>.*) \((?P<chain>[^;()]*); (?P<source>[^;()]*)\)", re.DOTALL)
"""A hit's note as assess writes it: ``mi***@example.com (json → sha256; canary:persona-email)``."""


def render_html(report: Mapping[str, Any], lang: str) -> str:
    """The report as a self-contained HTML page in ``lang`` (``ko`` or ``en``)."""
    schema = report.get("schema")
    if schema != SCHEMA:
        raise PrivprobeError(
            f"report schema {schema!r}: this privprobe renders {SCHEMA}; write the JSON again with "
            "`privprobe report NAME --format json` of the same version"
        )
    messages = load_messages(lang)
    names = Names(report, messages)
    view = View(report, messages, names)
    template = _environment().get_template("report.html")
    return template.render(r=report, t=messages, n=names, v=view, csp=Markup(CSP))  # our constant


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("privprobe.report", "templates"),
        autoescape=True,  # every template, whatever its name: all values are hostile
        undefined=StrictUndefined,
        finalize=_visible,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["num"] = lambda value: "—" if value is None else f"{value:,}"
    environment.filters["percent"] = lambda share: "—" if share is None else f"{share * 100:.0f}%"
    environment.filters["clip"] = _clip
    return environment


def _visible(value: Any) -> Any:
    """What a ``{{ }}`` prints: a dash for None; invisible characters of text spelled out."""
    if value is None:
        return "—"
    if isinstance(value, str) and not isinstance(value, Markup):
        return _INVISIBLE.sub(lambda match: f"⟨U+{ord(match.group()):04X}⟩", value)
    return value


def _clip(text: Any, length: int) -> str:
    """Text cut to ``length`` characters with the full length said: evidence URLs can be megabytes."""
    text = "" if text is None else str(text)
    return text if len(text) <= length else f"{text[:length]}… (+{len(text) - length:,})"


class Names:
    """Display names in the report's language: data types, countries, organisations, enumerations."""

    def __init__(self, report: Mapping[str, Any], messages: Messages) -> None:
        self.messages = messages
        self.language = messages.language
        self.organisations: dict[str, str] = {
            str(row["organisation"]): str(row["name"])
            for row in [*report["phases"], *report["summary"]["recipients"]]
            if row.get("name")
        }

    def data_type(self, id: str) -> str:
        """``contact.email`` → ``이메일 주소`` / ``e-mail address``; an unknown id as it is."""
        found = load_data_types().get(id)
        if found is None:
            return id
        return found.name_ko if self.language == "ko" else found.name_en

    def data_types(self, ids: Iterable[str]) -> str:
        """Several data types, comma-separated."""
        return ", ".join(self.data_type(id) for id in ids)

    def country(self, code: str | None) -> str:
        """``US`` → ``미국 (US)`` / ``United States (US)``; an unknown code as it is."""
        if not code:
            return "—"
        try:
            country = load_countries()[code]
        except KeyError:
            return code
        return f"{country.name_ko if self.language == 'ko' else country.name_en} ({code})"

    def organisation(self, id: str) -> str:
        """An organisation id by the name the report gives it."""
        return self.organisations.get(id, id)

    def subject(self, part: str, value: str) -> str:
        """A subject of declared-versus-observed: a recipient, a country or a data type."""
        by_part = {"recipients": self.organisation, "countries": self.country, "data_types": self.data_type}
        return by_part.get(part, str)(value)

    def labels(self, group: str, values: Iterable[str]) -> str:
        """Enumerated values by their labels, comma-separated."""
        return ", ".join(self.messages.label(group, value) for value in values)


class View:
    """What the templates need beyond the report itself: charts, anchors, evidence split into columns."""

    phases = PHASES
    declared_parts = ("recipients", "countries", "data_types")

    def __init__(self, report: Mapping[str, Any], messages: Messages, names: Names) -> None:
        self.messages = messages
        self.findings = [
            _finding(finding, index, messages.language) for index, finding in enumerate(report["findings"], 1)
        ]
        by_id = {finding["id"]: finding for finding in self.findings}
        self.top_findings = [
            by_id.get(id, {"id": id, "anchor": None}) for id in report["summary"]["top_findings"]
        ]
        self.total_hits = sum(row["hits"] for row in report["flows_by_data_type"])
        self.country_chart = _country_chart(report["summary"]["countries"], names, messages)
        self.flow_diagram = _flow_diagram(report["flows_by_data_type"], names)

    @staticmethod
    def heat(phase: str, data_types: Sequence[str]) -> str:
        """The heat-map class of a consent-phase cell: red where data left before consent or after refusal."""
        level = min(len(data_types), 3)
        return f"{'alert' if phase in _EXPOSED and level else 'heat'}-{level}"

    @staticmethod
    def grade(value: str | None) -> str:
        """A CSS class for a declared grade (a known value only: classes never carry report text)."""
        return value if value in ("clear", "vague", "omitted", "first_party") else "other"

    @staticmethod
    def checklist_class(value: str | None) -> str:
        """A CSS class for a checklist status."""
        return value if value in ("present", "partial", "absent") else "other"

    def room(self, step: Mapping[str, Any], currency: str) -> str:
        """The range the law allows at one worksheet step, or a dash where it has none."""
        low, high = step.get("low"), step.get("high")
        if low is None and high is None:
            return "—"
        if low is None:
            return self.messages("common.up_to", high=self.messages.money(high, currency))
        return self.messages(
            "common.range", low=self.messages.money(low, currency), high=self.messages.money(high, currency)
        )


def _finding(finding: Mapping[str, Any], index: int, language: str) -> dict[str, Any]:
    """A finding with its title and measure in ``language``, an anchor, and its evidence split in two:
    traffic (flows and hits) and the rest (policy spans, checklist items, facts, screenshots)."""
    evidence = [_evidence(item) for item in finding["evidence"]]
    severity, status = finding["severity"], finding["status"]
    return {
        **finding,
        "anchor": f"finding-{index}",
        "title": finding[f"title_{language}"] or finding["title_en"] or finding["id"],
        "measure": finding[f"measure_{language}"] or finding["measure_en"],
        "severity_class": severity if severity in ("high", "medium", "low") else "other",
        "status_class": status if status in ("suspected", "confirmed", "dismissed") else "other",
        "traffic": [item for item in evidence if item["kind"] in ("hit", "flow")],
        "other": [item for item in evidence if item["kind"] not in ("hit", "flow")],
    }


def _evidence(item: Mapping[str, Any]) -> dict[str, Any]:
    """One evidence reference, a hit split into flow, field, data type, masked value and encodings.

    assess writes a hit as ref ``3/120 query.em contact.email`` and note ``mi***@example.com (json →
    sha256; canary:persona-email)``; a field may hold spaces (a cookie name), so the flow is the first
    word and the data type the last. Keys the JSON gives outright (``field``, ``masked``) win.
    """
    ref, note = str(item.get("ref") or ""), str(item.get("note") or "")
    flow = item.get("flow") or {}
    row: dict[str, Any] = {
        "kind": item.get("kind", ""), "ref": ref, "note": note, "flow_id": flow.get("id") or ref.split(" ")[0],
        "method": flow.get("method"), "url": flow.get("url") or flow.get("host"), "phase": flow.get("phase"),
        "field": None, "data_type": None, "masked": None, "chain": None, "source": None,
    }  # fmt: skip
    if row["kind"] == "hit":
        words = ref.split(" ", 1)
        if len(words) == 2 and " " in words[1]:
            row["field"], row["data_type"] = words[1].rsplit(" ", 1)
        parts = _HIT_NOTE.fullmatch(note)
        if parts:
            row.update(masked=parts["masked"], chain=parts["chain"], source=parts["source"])
        else:
            row["masked"] = note
    for key in ("field", "data_type", "masked", "source"):
        row[key] = item.get(key, row[key])
    encoding = item.get("encoding")
    if encoding:
        row["chain"] = " → ".join(encoding) if isinstance(encoding, list) else str(encoding)
    return row


def _country_chart(countries: Sequence[Mapping[str, Any]], names: Names, messages: Messages) -> str | None:
    """The share of third-party flows per country; where countries are counted both by the organisation's
    seat and by the server's registration, each bar says which."""
    mixed = len({row["by"] for row in countries}) > 1
    bars = []
    for row in countries:
        label = names.country(row["country"])
        if mixed:
            label = messages("flows.bar_label", country=label, by=messages.label("by", row["by"]))
        share = float(row["share"] or 0)
        text = messages("flows.bar_text", share=f"{share * 100:.0f}%", flows=f"{row['flows']:,}")
        bars.append(charts.Bar(label, share, text))
    return charts.data_uri(charts.bar_chart(bars)) if bars else None


def _flow_diagram(rows: Sequence[Mapping[str, Any]], names: Names) -> str | None:
    links = [
        charts.Link(
            names.data_type(row["data_type"]),
            names.organisation(row["organisation"]),
            names.country(row["country"]),
            int(row["hits"]),
        )
        for row in rows
        if row["hits"]
    ]
    return charts.data_uri(charts.flow_diagram(links)) if links else None
