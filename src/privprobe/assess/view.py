"""What the checks read: one case's facts gathered in one object, from the store or built by hand.

`CaseView` holds the observed side (destinations, the flows' phases and hosts, the personal-data
hits), the declared side (the policies read into declarations and their checklists) and the facts
the investigator entered. `pipeline.case_view` fills it from a case; the real-case tests build it
from a decision's facts and declarations alone, with no traffic. Checks never touch the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from privprobe.assess.case_facts import CaseFacts
from privprobe.declared.policy import ChecklistResult, Reading, check
from privprobe.facts import DataHit, Declaration, DeclarationKind, Destination, Party
from privprobe.findings import EvidenceRef
from privprobe.model import Case, FlowId
from privprobe.reference import OrganisationTable, load_organisations
from privprobe.reference.data_types import DataTypeTable, load_data_types

RECIPIENT_KINDS = (
    DeclarationKind.PROVIDES,
    DeclarationKind.ENTRUSTS,
    DeclarationKind.TRANSFERS_ABROAD,
    DeclarationKind.AUTOMATIC_COLLECTION,
)
"""Declarations that name who receives data."""

PROCESSOR_CATEGORIES = frozenset(
    {"cloud", "cdn", "payments", "crash-reporting", "push", "customer-support", "security", "font", "maps"}
)
"""Organisation categories presumed to act for the controller (trustees, 처리위탁); the others
(advertising, analytics, attribution, social ...) are presumed to use the data for themselves
(provision, 제공). A presumption from the category only: the investigator confirms the role."""


@dataclass(frozen=True, slots=True)
class FlowInfo:
    """The little the checks need of a flow: where it went and in which consent phase."""

    host: str
    """Host contacted."""
    phase: str
    """Consent phase (``before_consent``, ``accepted``, ``refused``, ``unknown``)."""


@dataclass(frozen=True)
class CaseView:
    """One case as the checks see it."""

    case: Case
    """The case (controller, first-party domains, jurisdiction)."""
    facts: CaseFacts
    """The facts the investigator entered."""
    destinations: Mapping[str, Destination] = field(default_factory=dict)
    """Host → its destination."""
    flows: Mapping[FlowId, FlowInfo] = field(default_factory=dict)
    """Flow id → host and phase."""
    hits: tuple[DataHit, ...] = ()
    """Personal data found in the flows."""
    readings: tuple[Reading, ...] = ()
    """The case's policies, read."""
    declarations_extra: tuple[Declaration, ...] = ()
    """Declarations from elsewhere (questionnaire answers, a decision's findings), no policy text."""
    organisations: OrganisationTable = field(default_factory=load_organisations)
    """Organisations with their parents, to match a declared recipient with an observed one."""
    data_types: DataTypeTable = field(default_factory=load_data_types)
    """The data-type vocabulary with legal classes."""

    @property
    def jurisdiction(self) -> str:
        """The country whose users the case protects (``KR``)."""
        return self.case.jurisdiction

    @cached_property
    def declarations(self) -> tuple[Declaration, ...]:
        """Every declaration: the policies' (newest policy last) and the extra ones."""
        return tuple(d for reading in self.readings for d in reading.declarations) + self.declarations_extra

    @cached_property
    def checklist(self) -> tuple[ChecklistResult, ...]:
        """The checklist of the newest policy (both regimes); empty without a policy."""
        return tuple(check(self.readings[-1])) if self.readings else ()

    def declared(self, *kinds: DeclarationKind) -> list[Declaration]:
        """Declarations of these kinds."""
        return [d for d in self.declarations if d.kind in kinds]

    def top(self, organisation: str | None) -> str | None:
        """The top-level parent of an organisation id (itself without a parent)."""
        seen: set[str] = set()
        while organisation and organisation not in seen:
            seen.add(organisation)
            row = self.organisations.get(organisation)
            if row is None or not row.parent:
                return organisation
            organisation = row.parent
        return organisation

    def third_party_hits(self, phases: Iterable[str] | None = None) -> list[tuple[DataHit, Destination]]:
        """Hits in flows to third parties (in the given phases), each with its destination."""
        wanted = set(phases) if phases is not None else None
        found = []
        for hit in self.hits:
            flow = self.flows.get(hit.flow)
            destination = self.destinations.get(flow.host) if flow else None
            if flow is None or destination is None or destination.party is not Party.THIRD:
                continue
            if wanted is None or flow.phase in wanted:
                found.append((hit, destination))
        return found


def hit_ref(hit: DataHit) -> EvidenceRef:
    """A hit as evidence: where it was and how it was encoded, masked."""
    chain = " → ".join(hit.encoding) or "plain"
    return EvidenceRef(
        "hit", f"{hit.flow} {hit.field} {hit.data_type}", f"{hit.masked} ({chain}; {hit.source})"
    )


def declaration_ref(declaration: Declaration) -> EvidenceRef:
    """A declaration as evidence: the policy span that says it."""
    span = declaration.source
    where = f"{span.document[:12]}@{span.section or '-'}:{span.start}-{span.end}"
    said = declaration.recipient or ", ".join(declaration.countries) or declaration.items[:60]
    return EvidenceRef("declaration", where, f"{declaration.kind.value}: {said}")


def subject_of(declaration: Declaration) -> str:
    """A finding subject for a declared recipient: its organisation id, else its name without
    parentheses and with hyphens for spaces ("해외-입점-판매자"), short enough to type."""
    return declaration.organisation or subject_name(declaration.recipient)


def subject_name(name: str) -> str:
    """A recipient's name as a finding subject: no parentheses, hyphens for spaces, at most 60 characters."""
    name = re.sub(r"[(（][^)）]*[)）]", "", name).strip()
    return "-".join(name.split())[:60] or "unnamed-recipient"
