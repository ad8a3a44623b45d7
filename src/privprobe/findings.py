"""What assess produces: findings under a regime with their evidence, and penalty estimates.

A `Finding` says that one rule of one regime (``pipa``, ``gdpr``) is suspected to be broken for one
subject (a recipient, a country, a data type, the policy), cites the article in force at the
violation dates, and carries the evidence that supports it (`EvidenceRef`: flows, hits, policy
spans, case facts) and what would refute it. Its status is the investigator's: every finding starts
``suspected``; ``confirmed`` and ``dismissed`` are set with a reason and kept in an audit trail.

A `PenaltyEstimate` is a worksheet an investigator can defend line by line: each `PenaltyStep` names
its legal basis, the amount that entered it, the rate or adjustment applied, the amount that left it,
the range the law allows at that step, and whether it rests only on verified law. The estimate's
``low`` and ``high`` are the amounts the law still leaves open given what the investigator has chosen;
``amount`` is the figure for the choices made. See docs/penalty.md for the algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Severity(StrEnum):
    """A finding's severity hint for the investigator (the legal severity band is chosen in `penalty`)."""

    HIGH = "high"
    """Surcharge-eligible conduct (PIPA Art. 64-2(1)) or data of a protected class."""
    MEDIUM = "medium"
    """A duty backed by an administrative fine (Art. 75)."""
    LOW = "low"
    """A disclosure or procedural shortfall without a direct sanction."""


class FindingStatus(StrEnum):
    """Where the investigator stands on a finding."""

    SUSPECTED = "suspected"
    """Raised by the rules; not yet reviewed."""
    CONFIRMED = "confirmed"
    """The investigator holds it established (with a reason)."""
    DISMISSED = "dismissed"
    """The investigator rejects it (with a reason), e.g. after the company's answer."""


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """One piece of evidence a finding cites."""

    kind: str
    """``flow``, ``hit``, ``declaration``, ``checklist``, ``fact`` or ``screenshot``."""
    ref: str
    """What to look up: a flow id (``3/120``), ``3/120 query.em contact.email``, a policy span
    (``<sha256>@제7조:1200-1320``), a checklist item id, a case-fact key, a file path."""
    note: str = ""
    """What it shows, in one line (masked values only)."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one law-neutral check found about one subject: a fact, not yet a finding."""

    check: str
    """The check (``sent_abroad``, ``recipient_undeclared`` ...)."""
    subject: str
    """What it is about: an organisation id (or host), a country code, a data-type id, an item id."""
    summary: str
    """One sentence saying what was found."""
    evidence: tuple[EvidenceRef, ...]
    """What shows it."""
    details: tuple[tuple[str, str], ...] = ()
    """Named facts the rules test (``grade``, ``country``, ``data_types``, ``role``, ``phase`` ...)."""
    counter: tuple[str, ...] = ()
    """What weighs against it."""

    def detail(self, key: str, default: str = "") -> str:
        """One of ``details`` by name."""
        return next((value for name, value in self.details if name == key), default)


@dataclass(frozen=True, slots=True)
class Finding:
    """One suspected breach of one rule for one subject, with its evidence and what would refute it."""

    id: str
    """Stable id: ``<regime>.<rule>:<subject>`` (``pipa.28-8-1:meta``), the same on every run."""
    regime: str
    """``pipa`` or ``gdpr``."""
    rule: str
    """Rule id within the regime (``28-8-1``)."""
    article: str
    """The provision in force at the violation dates (``PIPA Art. 28-8(1)``; old Art. 39-12 before 2023-09-15)."""
    title_ko: str
    """Korean title."""
    title_en: str
    """English title."""
    subject: str
    """What it is about: an organisation id, a country code, a data-type id, a checklist item, ``case``."""
    severity: Severity
    """The severity hint."""
    explanation: str
    """Why the rule is raised, in one or two sentences built from the evidence."""
    evidence: tuple[EvidenceRef, ...]
    """The evidence, most telling first."""
    checks: tuple[str, ...]
    """The law-neutral checks whose results raised it."""
    refuted_by: str
    """What the controller could show to refute it."""
    measure_ko: str
    """The corrective measure to order, in Korean."""
    measure_en: str
    """The corrective measure, in English."""
    counter_evidence: tuple[str, ...] = ()
    """Facts that weigh against it (a vague declaration, a consent the data might rest on)."""
    status: FindingStatus = FindingStatus.SUSPECTED
    """The investigator's status."""
    status_reason: str = ""
    """The investigator's reason for the status."""


class SeverityBand(StrEnum):
    """위반행위의 중대성: the four severity classes of PIPA Enforcement Decree Annex 1-5, 2.가."""

    VERY_SERIOUS = "very_serious"
    """매우 중대한 위반행위: 2.1% ≤ rate ≤ 2.7% of related revenue (0.7-1.8 billion KRW without revenue)."""
    SERIOUS = "serious"
    """중대한 위반행위: 1.5% ≤ rate < 2.1% (200-700 million KRW)."""
    MODERATE = "moderate"
    """보통 위반행위: 0.9% ≤ rate < 1.5% (50-200 million KRW)."""
    MINOR = "minor"
    """약한 위반행위: 0.03% ≤ rate < 0.9% (5-50 million KRW)."""


class PenaltyKind(StrEnum):
    """Which sanction an estimate is for."""

    SURCHARGE = "surcharge"
    """과징금: PIPA Art. 64-2, computed by Decree Art. 60-2 and Annex 1-5."""
    FINE = "fine"
    """과태료: PIPA Art. 75, amounts of Decree Annex 2."""
    GDPR_MAXIMUM = "gdpr_maximum"
    """The GDPR Art. 83(4)-(6) ceiling, for side-by-side reporting."""


@dataclass(frozen=True, slots=True)
class PenaltyStep:
    """One line of a penalty worksheet."""

    name: str
    """What the step does (``base amount``, ``1st adjustment``, ``cap``)."""
    basis: str
    """The legal source (``Decree Annex 1-5, 2.나``), or the parameter for a step the law leaves open."""
    input: int | None
    """The amount entering the step; None for steps that start from the case facts."""
    adjustment: str
    """The rate or adjustment applied, as text (``× 1.80%``, ``+20% (duration +20%)``, ``min(…, cap)``)."""
    output: int | None
    """The amount after the step; None for steps that only decide (the regime)."""
    low: int | None
    """The lowest output the law allows at this step for this input; None where it has no range."""
    high: int | None
    """The highest output the law allows at this step for this input; None where it has no range."""
    note: str = ""
    """Why: the facts used, the defaults taken, what is UNVERIFIED, what the investigator may change."""
    verified: bool = True
    """False when the step uses a parameter whose value LAW.md marks UNVERIFIED."""


@dataclass(frozen=True, slots=True)
class PenaltyEstimate:
    """A penalty worksheet: the steps, the chosen amount and the range the law leaves open."""

    kind: PenaltyKind
    """Surcharge, fine or GDPR maximum."""
    title: str
    """What is estimated (``PIPA Art. 64-2 surcharge (과징금)``, ``fine 31-2(1): no domestic agent``)."""
    currency: str
    """``KRW``, or ``EUR`` for the GDPR maximum."""
    amount: int
    """The figure for the investigator's choices (for a maximum: the maximum)."""
    low: int
    """The lowest amount the law allows given the choices made; open choices span their legal room."""
    high: int
    """The highest amount the law allows given the choices made, after the cap."""
    steps: tuple[PenaltyStep, ...]
    """The worksheet, in the order the law applies the steps."""
    severity: SeverityBand | None = None
    """The severity band chosen (surcharges only)."""
    regime_date: date | None = None
    """The date whose law was applied."""
    parameters: tuple[tuple[str, str], ...] = ()
    """The UNVERIFIED parameters used, as (name, value), with ``(set)`` where the investigator changed one."""
    law_version: str = ""
    """Which constants file was used: date, SHA-256 prefix of ``reference/penalty.json``."""
