"""The privacy-policy checklists: PIPA (Art. 30, Decree Art. 31 and the rest) and GDPR Art. 13.

Each item of ``reference/policy_checklist.json`` is graded **present**, **partial** or **absent**
from a `Reading`: a section devoted to it (matched on section *topics*, never on article numbers),
the declarations made there, or cue phrases anywhere in the text. Every result cites the spans that
support it and says, one sentence each, what is missing, e.g. "overseas transfer to SG (Alibaba
Cloud (Singapore) Private Limited): recipient's contact, time and method of transfer missing".

A conditional item (third-party provision, overseas transfer, domestic agent ...) is graded the
same way; its ``condition`` says when the law requires it, and the assessment decides from the
traffic and the case facts whether it was required. The checklist itself never guesses that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from privprobe.declared.policy.extract import PERIOD, Reading
from privprobe.declared.policy.prose import EMAIL, PHONE
from privprobe.declared.policy.recipients import SAFEGUARDS
from privprobe.facts import Declaration, DeclarationKind, PolicySpan

Status = Literal["present", "partial", "absent"]

TRANSFER_ITEMS: tuple[tuple[str, str], ...] = (
    ("items", "items transferred"),
    ("countries", "destination country"),
    ("time_method", "time and method of transfer"),
    ("recipient", "recipient's name"),
    ("contact", "recipient's contact"),
    ("purpose", "recipient's purpose"),
    ("retention", "recipient's retention period"),
    ("refusal", "how to refuse and the effect of refusing"),
    ("ground", "legal ground of the transfer"),
)
"""The fields of PIPA Art. 28-8(2) (plus the ground, Decree Art. 31(1)2), and how to name each missing one."""

GDPR_RIGHTS = {
    "access": re.compile(r"열람|\baccess\b|查阅|访问|複製|复制", re.I),
    "rectification": re.compile(r"정정|rectif|correct|更正|补充", re.I),
    "erasure": re.compile(r"삭제|\beras|\bdelet|删除", re.I),
    "restriction": re.compile(r"처리\s*정지|restrict|限制", re.I),
    "objection": re.compile(r"반대|\bobject|拒绝", re.I),
    "portability": re.compile(r"전송\s*요구|이동권|portab|转移|副本", re.I),
}
"""The rights GDPR Art. 13(2)(b) lists, by the words a policy uses for each."""

CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.-]+|\d{2,4}-\d{3,4}-\d{4}|주소|소재지|\baddress\b|地址|\bStreet\b|[가-힣]+로\s?\d",
    re.I,
)
"""Contact details of the controller: an e-mail, a phone number or an address."""
DESTRUCTION = {
    "procedure": re.compile(r"절차|승인|procedure|程序|流程", re.I),
    "method": re.compile(
        r"방법|분쇄|소각|영구\s*삭제|복구할\s*수\s*없|overwrit|shred|irreversib|method|粉碎|不可恢复|方式",
        re.I,
    ),
}
"""What Art. 30(1)3-2 asks a policy to say about destruction."""
KOREAN_REMEDIES = re.compile(
    r"분쟁\s*조정|1833-6972|\b118\b|KISA|한국인터넷진흥원|대검찰청|\b1301\b|경찰청|\b182\b|ecrm", re.I
)
"""The bodies the PIPC sample policy lists for remedies (LAW.md D3)."""
NOT_PROVIDED = re.compile(
    r"제3자에게\s*제공하지\s*않|제공하지\s*않습니다|do not (?:sell|share|disclose|provide)|不会(?:向第三方)?(?:共享|提供|出售)",
    re.I,
)
"""A policy that states it provides nothing to third parties answers the item in full."""


@dataclass(frozen=True)
class ChecklistItem:
    """One thing a policy must contain, from ``reference/policy_checklist.json``."""

    id: str
    """``pipa.overseas_transfer``, ``gdpr.recipients`` ..."""
    article: str
    """The provision that requires it."""
    title_ko: str
    """Korean title."""
    title_en: str
    """English title."""
    topics: tuple[str, ...]
    """Section topics that answer it."""
    check: str
    """How it is graded (a function of this module)."""
    condition: str
    """When the item is required; empty when always."""
    cues: tuple[re.Pattern[str], ...]
    """Phrases that support it when no section is devoted to it."""
    kind: DeclarationKind | None
    """The declarations it grades, if any."""

    @property
    def regime(self) -> str:
        """``pipa`` or ``gdpr``."""
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class ChecklistResult:
    """How a policy answers one checklist item, with the text that shows it."""

    item: ChecklistItem
    """The item graded."""
    status: Status
    """``present``, ``partial`` or ``absent``."""
    evidence: tuple[PolicySpan, ...]
    """Headings, records and sentences that support the status."""
    missing: tuple[str, ...]
    """What is missing, one sentence each; empty when present."""


@cache
def load_checklist() -> tuple[ChecklistItem, ...]:
    """Every item of both checklists, PIPA first, from package data."""
    data = json.loads(files("privprobe.reference").joinpath("policy_checklist.json").read_text("utf-8"))
    return tuple(_item(entry) for entry in data["items"])


def _item(entry: dict[str, Any]) -> ChecklistItem:
    return ChecklistItem(
        id=entry["id"], article=entry["article"], title_ko=entry["title_ko"], title_en=entry["title_en"],
        topics=tuple(entry["topics"]), check=entry["check"], condition=entry["condition"],
        cues=tuple(re.compile(cue, re.I) for cue in entry["cues"]),
        kind=DeclarationKind(entry["kind"]) if entry.get("kind") else None,
    )  # fmt: skip


def check(reading: Reading, regime: str | None = None) -> list[ChecklistResult]:
    """Grade ``reading`` against every item (of one regime, ``pipa`` or ``gdpr``, if given)."""
    return [_grade(item, reading) for item in load_checklist() if regime in (None, item.regime)]


_Grade = tuple[Status, list[str]]


def _grade(item: ChecklistItem, reading: Reading) -> ChecklistResult:
    sections = [s for topic in item.topics for s in reading.sections_on(topic)]
    evidence = [
        PolicySpan(reading.document.sha256, s.anchor, s.heading.start, s.heading.end) for s in sections
    ]
    declared = [d for d in reading.declarations if d.kind is item.kind] if item.kind else []
    evidence += [d.source for d in declared]
    cued = _cued(item, reading)
    evidence += cued
    status, missing = GRADERS[item.check](item, reading, bool(sections), declared)
    if status == "absent" and cued and item.check in ("section", "controller"):
        status, missing = "present", []
    return ChecklistResult(item, status, tuple(dict.fromkeys(evidence)), tuple(missing))


def _cued(item: ChecklistItem, reading: Reading) -> list[PolicySpan]:
    text, sha = reading.document.text, reading.document.sha256
    found = []
    for cue in item.cues:
        match = cue.search(text)
        if match:
            section = reading.document.section_at(match.start())
            found.append(PolicySpan(sha, section.anchor if section else None, match.start(), match.end()))
    return found


def _section(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    return ("present", []) if has else ("absent", [f"no section on {item.title_en.lower()}"])


def _declared(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if declared:
        return "present", []
    if item.kind is DeclarationKind.PURPOSE and any(
        d.purpose for d in reading.of_kind(DeclarationKind.COLLECTS)
    ):
        return "present", []  # "how we collect and use": purposes given with the items
    if has:
        return "partial", ["section present but nothing stated in it"]
    return _section(item, reading, has, declared)


def _periods(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    periods = [d for d in reading.of_kind(DeclarationKind.RETAINS) if PERIOD.search(d.retention)]
    if periods:
        return "present", []
    if has:
        return "partial", ["no concrete retention period stated"]
    return "absent", ["no retention periods"]


def _items(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    collected = [d for d in reading.of_kind(DeclarationKind.COLLECTS) if d.data_types or d.items]
    if not collected:
        return (
            ("partial", ["section present but no items recognised"])
            if has
            else ("absent", ["no items listed"])
        )
    marked = sum(1 for d in collected if d.required is not None)
    if 2 * marked >= len(collected) or reading.sections_on("without_consent"):
        return "present", []
    return "partial", ["items listed without saying which are required and which optional"]


def _separated(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    without = [
        d
        for d in reading.of_kind(DeclarationKind.COLLECTS)
        if d.ground == "without_consent" or reading.topics.get(d.source.section or "") == "without_consent"
    ]
    if has and any(d.basis or d.ground not in ("", "consent", "without_consent") for d in without):
        return "present", []
    if has or without:
        return "partial", ["items processed without consent listed without their legal basis"]
    other = ("contract", "statute", "legitimate_interest")
    if any(
        d.ground in other
        for d in reading.declarations
        if d.kind in (DeclarationKind.PURPOSE, DeclarationKind.COLLECTS)
    ):
        return "partial", [
            "legal bases other than consent are given, but the items so processed are not listed apart"
        ]
    return "absent", ["items processed without consent are not listed separately with their legal basis"]


def _recipients(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    said = " ".join(
        reading.document.quote(s.body) for topic in item.topics for s in reading.sections_on(topic)
    )
    if has and not declared and NOT_PROVIDED.search(said):
        return "present", []
    needs = (
        ("purpose", "recipient's purpose"),
        ("items", "items provided"),
        ("retention", "recipient's retention period"),
    )
    return _records(item, has, declared, needs)


def _trustees(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    return _records(item, has, declared, (("purpose", "entrusted work"),))


def _records(
    item: ChecklistItem, has: bool, declared: list[Declaration], needs: tuple[tuple[str, str], ...]
) -> _Grade:
    if not declared:
        return (
            ("partial", ["section present but no recipient named"])
            if has
            else ("absent", [f"no section on {item.title_en.lower()}"])
        )
    missing = []
    for declaration in declared:
        gaps = [name for key, name in needs if not _filled(declaration, key)]
        if declaration.vague or not declaration.recipient:
            gaps.insert(0, "recipient named only as a category")
        if gaps:
            missing.append(f"{_who(declaration)}: {', '.join(gaps)} missing")
    return ("partial", missing) if missing else ("present", [])


def _transfers(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if not declared:
        return (
            ("partial", ["section present but no transfer described"])
            if has
            else ("absent", ["no overseas transfer section"])
        )
    missing = []
    for declaration in declared:
        gaps = transfer_gaps(declaration)
        if gaps:
            place = (
                f"to {'/'.join(declaration.countries)}" if declaration.countries else "(country not named)"
            )
            missing.append(f"overseas transfer {place} ({_who(declaration)}): {', '.join(gaps)} missing")
    return ("partial", missing) if missing else ("present", [])


def transfer_gaps(declaration: Declaration) -> list[str]:
    """What a declared transfer lacks of Art. 28-8(2) and its ground, one phrase each."""
    gaps = [name for key, name in TRANSFER_ITEMS if not _filled(declaration, key)]
    return (["recipient named only as a category"] if declaration.vague else []) + gaps


def _agent(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if not declared:
        return "absent", ["no domestic agent named"]
    agent = declared[0]
    text = f"{agent.contact} {agent.address}"
    needs = (("name", bool(agent.recipient)), ("address", bool(agent.address)),
             ("phone", bool(PHONE.search(text))), ("e-mail", bool(EMAIL.search(text))))  # fmt: skip
    gaps = [name for name, ok in needs if not ok]
    return ("partial", [f"domestic agent: {', '.join(gaps)} missing"]) if gaps else ("present", [])


def _officer(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if not declared:
        return (
            ("partial", ["section present but no officer or contact found"])
            if has
            else ("absent", ["no privacy officer or contact"])
        )
    officer = declared[0]
    gaps = [
        name
        for name, ok in (("name or department", officer.recipient), ("phone or e-mail", officer.contact))
        if not ok
    ]
    return ("partial", [f"privacy officer: {', '.join(gaps)} missing"]) if gaps else ("present", [])


def _remedies(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    text = " ".join(
        reading.document.quote(s.body) for topic in item.topics for s in reading.sections_on(topic)
    )
    if KOREAN_REMEDIES.search(text):
        return "present", []
    if has:
        return "partial", [
            "no Korean remedy body named (dispute mediation committee, KISA 118, prosecutors, police)"
        ]
    return "absent", ["no remedies stated"]


def _dpo(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if any(d.contact for d in declared):
        return "present", []
    return ("partial", ["no contact details"]) if declared or has else ("absent", ["no contact for a DPO"])


def _automatic(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if not declared:
        return _section(item, reading, has, declared)
    if any(d.refusal for d in declared):
        return "present", []
    return "partial", ["how to refuse automatic collection is not stated"]


def _storage(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if any(d.countries for d in declared):
        return "present", []
    return (
        ("partial", ["country of processing not named"])
        if has
        else ("absent", ["country of processing not stated"])
    )


def _controller(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    text = reading.document.text
    places = [reading.document.quote(section.body) for section in reading.sections_on("controller")]
    places += [_line_at(text, match.start()) for cue in item.cues for match in cue.finditer(text)]
    if any(CONTACT.search(place) for place in places):
        return "present", []
    if places:
        return "partial", ["the controller is named without its address or contact details"]
    if EMAIL.search(text):
        return "partial", ["controller's identity not stated as such; only contact details found"]
    return "absent", ["controller's identity and contact details not stated"]


def _line_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end >= 0 else len(text)]


def _destruction(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if not has:
        if any(cue.search(reading.document.text) for cue in item.cues):
            return "partial", [
                "deletion mentioned, but no section on the procedure and method of destruction"
            ]
        return "absent", ["no section on destruction"]
    text = " ".join(
        reading.document.quote(s.body) for topic in item.topics for s in reading.sections_on(topic)
    )
    gaps = [name for name, cue in DESTRUCTION.items() if not cue.search(text)]
    return ("partial", [f"{' and '.join(gaps)} of destruction not stated"]) if gaps else ("present", [])


def _purposes_basis(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    purposes = bool(reading.of_kind(DeclarationKind.PURPOSE)) or any(
        d.purpose for d in reading.of_kind(DeclarationKind.COLLECTS)
    )
    basis = bool(reading.sections_on("legal_basis")) or any(
        cue.search(reading.document.text) for cue in item.cues
    )
    if purposes and basis:
        return "present", []
    if purposes or basis:
        return "partial", ["legal basis of each purpose not stated" if purposes else "purposes not stated"]
    return "absent", ["neither purposes nor legal basis stated"]


def _any_recipient(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    kinds = (DeclarationKind.PROVIDES, DeclarationKind.ENTRUSTS, DeclarationKind.TRANSFERS_ABROAD)
    if any(reading.of_kind(kind) for kind in kinds):
        return "present", []
    return (
        ("partial", ["section present but no recipient or category named"])
        if has
        else ("absent", ["no recipients or categories of recipients"])
    )


def _safeguards(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if not declared and not has:
        return "absent", ["no third-country transfers stated"]
    if SAFEGUARDS.search(reading.document.text):
        return "present", []
    return "partial", [
        "transfers stated without the safeguards relied on (adequacy, standard contractual clauses ...)"
    ]


def _requirement(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if any(cue.search(reading.document.text) for cue in item.cues):
        return "present", []
    collected = reading.of_kind(DeclarationKind.COLLECTS)
    if any(d.required is not None for d in collected):
        return "partial", [
            "required and optional items distinguished, consequences of not providing not stated"
        ]
    return "absent", ["whether providing the data is required is not stated"]


def _all_rights(item: ChecklistItem, reading: Reading, has: bool, declared: list[Declaration]) -> _Grade:
    if not has:
        return "absent", [f"no section on {item.title_en.lower()}"]
    text = " ".join(
        reading.document.quote(s.body) for topic in item.topics for s in reading.sections_on(topic)
    )
    gaps = [right for right, cue in GDPR_RIGHTS.items() if not cue.search(text)]
    return ("partial", [f"not mentioned: {', '.join(gaps)}"]) if gaps else ("present", [])


def _filled(declaration: Declaration, key: str) -> bool:
    if key == "items":
        return bool(declaration.items or declaration.data_types)
    return bool(getattr(declaration, key))


def _who(declaration: Declaration) -> str:
    return declaration.recipient or "unnamed recipient"


GRADERS: dict[str, Callable[[ChecklistItem, Reading, bool, list[Declaration]], _Grade]] = {
    "section": _section, "declared": _declared, "periods": _periods, "items": _items,
    "separated": _separated, "recipients": _recipients, "trustees": _trustees,
    "transfers": _transfers, "agent": _agent, "officer": _officer, "automatic": _automatic,
    "storage": _storage, "controller": _controller, "purposes_basis": _purposes_basis,
    "any_recipient": _any_recipient, "safeguards": _safeguards, "requirement": _requirement,
    "all_rights": _all_rights, "remedies": _remedies, "dpo": _dpo, "destruction": _destruction,
}  # fmt: skip
"""How each ``check`` of the checklist file is graded."""
