"""What the regimes share: rule texts from reference data, the article in force, findings from results.

A regime (``pipa``, ``gdpr``) is a set of rules. Each rule's words live in
``reference/rules_<regime>.json`` (article, the article before the 2023 reform where one applied,
Korean and English titles, severity hint, corrective measure, what would refute it); its logic — which
check results raise it — is a short function in the regime's module. `raise_finding` turns one
match into a `Finding` that cites the article in force at the violation dates.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from privprobe.findings import CheckResult, EvidenceRef, Finding, Severity

REFORM = date(2023, 9, 15)
"""Act No. 19234 in force: violations that ended before it are judged under the old text
(addendum Art. 8; LAW.md, "Old 39-3 ~ 39-15")."""


@dataclass(frozen=True)
class RuleText:
    """The words of one rule, from ``reference/rules_<regime>.json``."""

    id: str
    """Rule id (``28-8-1``)."""
    article: str
    """The provision in the current text."""
    article_before: str
    """The provision that applied before 2023-09-15, when it differs; empty otherwise."""
    title_ko: str
    """Korean title."""
    title_en: str
    """English title."""
    severity: Severity
    """Severity hint."""
    sanction: str
    """The sanction the provision carries (surcharge, fine tier), as LAW.md states it."""
    measure_ko: str
    """Corrective measure, Korean."""
    measure_en: str
    """Corrective measure, English."""
    refuted_by: str
    """What the controller could show to refute a finding under it."""


@dataclass(frozen=True)
class Period:
    """The violation dates the investigator entered; None where not entered (``ongoing`` end)."""

    start: date | None = None
    """First day of the violation."""
    end: date | None = None
    """Last day; None when ongoing or not entered."""

    @property
    def old_text(self) -> bool:
        """The violation ended before the 2023 reform, so the old articles apply."""
        return self.end is not None and self.end < REFORM


@dataclass(frozen=True)
class Assessment:
    """The check results and the findings they raise, for one case."""

    results: tuple[CheckResult, ...]
    """What every check found."""
    findings: tuple[Finding, ...]
    """What the regimes raise, with the investigator's statuses when read through the store."""
    period: Period
    """The violation dates the articles were chosen for."""
    orphans: tuple[str, ...] = ()
    """Finding ids with a stored status that the rules no longer raise."""


@dataclass(frozen=True)
class Match:
    """One subject a rule applies to, with why and the results that show it."""

    subject: str
    """The finding's subject."""
    explanation: str
    """Why, in one or two sentences."""
    results: tuple[CheckResult, ...]
    """The check results it rests on."""


Logic = Callable[[Mapping[str, list[CheckResult]]], list[Match]]
"""A rule's logic: check results by check name → the subjects it applies to."""


@cache
def rule_texts(regime: str) -> dict[str, RuleText]:
    """The rule texts of ``regime`` by id."""
    raw = json.loads(files("privprobe.reference").joinpath(f"rules_{regime}.json").read_text("utf-8"))
    return {entry["id"]: _text(entry) for entry in raw["rules"]}


def _text(entry: dict[str, str]) -> RuleText:
    return RuleText(
        id=entry["id"], article=entry["article"], article_before=entry.get("article_before", ""),
        title_ko=entry["title_ko"], title_en=entry["title_en"], severity=Severity(entry["severity"]),
        sanction=entry.get("sanction", ""), measure_ko=entry["measure_ko"], measure_en=entry["measure_en"],
        refuted_by=entry["refuted_by"],
    )  # fmt: skip


def by_check(results: Iterable[CheckResult]) -> dict[str, list[CheckResult]]:
    """Check results grouped by check name."""
    grouped: dict[str, list[CheckResult]] = defaultdict(list)
    for result in results:
        grouped[result.check].append(result)
    return grouped


def raise_finding(regime: str, text: RuleText, match: Match, period: Period) -> Finding:
    """The finding for one match, citing the article in force at the violation dates."""
    article = text.article_before if period.old_text and text.article_before else text.article
    evidence: list[EvidenceRef] = []
    for result in match.results:
        evidence += [ref for ref in result.evidence if ref not in evidence]
    counter = tuple(dict.fromkeys(c for result in match.results for c in result.counter))
    note = f" The violation ended before {REFORM.isoformat()}: {text.article_before} applies." if (
        period.old_text and text.article_before) else ""  # fmt: skip
    return Finding(
        id=f"{regime}.{text.id}:{match.subject}", regime=regime, rule=text.id, article=article,
        title_ko=text.title_ko, title_en=text.title_en, subject=match.subject, severity=text.severity,
        explanation=match.explanation + note, evidence=tuple(evidence[:20]),
        checks=tuple(dict.fromkeys(result.check for result in match.results)), refuted_by=text.refuted_by,
        measure_ko=text.measure_ko, measure_en=text.measure_en, counter_evidence=counter,
    )  # fmt: skip


def apply_rules(
    regime: str, rules: Mapping[str, Logic], results: Sequence[CheckResult], period: Period
) -> list[Finding]:
    """Every finding of ``regime``: each rule's logic over the grouped results, in rule order."""
    texts, grouped = rule_texts(regime), by_check(results)
    findings = []
    for rule_id, logic in rules.items():
        for match in logic(grouped):
            findings.append(raise_finding(regime, texts[rule_id], match, period))
    return findings


def each(check: str, where: Callable[[CheckResult], bool] = lambda _: True) -> Logic:
    """A rule raised once per result of one check that satisfies ``where``."""

    def logic(grouped: Mapping[str, list[CheckResult]]) -> list[Match]:
        return [Match(r.subject, r.summary, (r,)) for r in grouped.get(check, []) if where(r)]

    return logic


def detail_in(key: str, *values: str) -> Callable[[CheckResult], bool]:
    """A ``where`` for `each`: the result's detail ``key`` is one of ``values``."""
    return lambda result: result.detail(key) in values


def one_per_subject(matches: list[Match]) -> list[Match]:
    """Matches merged by subject: one finding per recipient, with the reasons and results of all."""
    merged: dict[str, Match] = {}
    for match in matches:
        kept = merged.get(match.subject)
        merged[match.subject] = match if kept is None else Match(
            kept.subject, f"{kept.explanation} {match.explanation}", kept.results + match.results
        )  # fmt: skip
    return list(merged.values())


class RuleRegime:
    """A regime made of rules: texts in ``reference/rules_<name>.json``, logic in ``rules``."""

    def __init__(self, name: str, title: str, rules: Mapping[str, Logic]) -> None:
        self.name = name
        """Short id, used in finding ids."""
        self.title = title
        """Display name."""
        self.rules = dict(rules)
        """Rule id → logic, in the order of the law."""

    def findings(self, results: Sequence[CheckResult], period: Period) -> list[Finding]:
        """The findings the check results raise, citing the articles in force in ``period``."""
        return apply_rules(self.name, self.rules, results, period)


def without_consent(grouped: Mapping[str, list[CheckResult]]) -> list[Match]:
    """Personal data a presumed third party received before consent or after refusal, per recipient."""
    matches = [
        Match(r.subject, r.summary, (r,))
        for check in ("sent_before_consent", "sent_after_refusal")
        for r in grouped.get(check, [])
        if r.detail("role") == "third_party"
    ]
    return one_per_subject(matches)


def undisclosed(
    grouped: Mapping[str, list[CheckResult]], sent: CheckResult
) -> tuple[list[str], list[CheckResult]]:
    """Why a `sent_abroad` result is not disclosed: the policy's naming of the recipient or of the
    country is vague or omitted. The reasons, and the results that show them."""
    who, country = sent.detail("organisation"), sent.detail("country")
    reasons, support = [], []
    for result in grouped.get("recipient_undeclared", []):
        if result.subject == who and result.detail("grade") in ("omitted", "vague"):
            reasons.append(f"the policy's naming of the recipient is {result.detail('grade')}")
            support.append(result)
    for result in grouped.get("country_undeclared", []):
        if result.subject == country:
            reasons.append(f"the policy's naming of {country} is {result.detail('grade')}")
            support.append(result)
    return reasons, support
