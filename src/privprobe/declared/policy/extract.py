"""Declarations: what a privacy policy says the controller collects, provides, entrusts, transfers.

The reading goes in three steps, each citing the text it used:

1. **Topics.** Each section gets a topic from its title (``제7조(개인정보의 국외 이전)`` →
   ``overseas_transfer``) by the lexicon in ``reference/policy_lexicon.json``; a section whose title
   names no topic (``가. 클라우드 보관``) takes its parent's. Checklists match on these topics, never
   on article numbers, which differ from one policy to the next.
2. **Tables.** Each header cell names fields (``이전받는 자`` → recipient, ``이용 목적 및 보유기간`` →
   purpose and retention); each record of a table in a topical section becomes one declaration.
   A cell that says nothing (``—``, ``없음``, ``N/A``) leaves its field empty, which is exactly what the
   Art. 28-8(2) checklist reports as missing.
3. **Prose**, unit by unit (the lines of one deepest section outside tables): ``label: value`` lines
   first, then sentences: organisations and countries named in them, items by the data-type
   vocabulary, contacts by their form, and the time/method, retention, purpose and refusal of a
   transfer by the sentence that speaks of them.

Names become one recipient whatever the language ("Google LLC", "구글", "谷歌" → ``google``);
countries become ISO codes (``ZZ`` for "worldwide"). A recipient written as a category ("광고
파트너", "service providers") is kept and marked ``vague``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from privprobe.declared.policy.document import Document, Section, Span, Table
from privprobe.declared.policy.prose import CUES, Line, Unit, body_of, contacts, lines, sentences
from privprobe.declared.policy.recipients import ABROAD, CONTACT_KINDS, RECIPIENT_KINDS, Recipients
from privprobe.declared.policy.vocabulary import Vocabulary, load_vocabulary
from privprobe.facts import Declaration, DeclarationKind, PolicySpan

K = DeclarationKind

TOPIC_KINDS: dict[str, DeclarationKind] = {
    "overseas_transfer": K.TRANSFERS_ABROAD,
    "overseas_collection": K.STORES_IN,
    "third_party": K.PROVIDES,
    "entrustment": K.ENTRUSTS,
    "sub_entrustment": K.ENTRUSTS,
    "items": K.COLLECTS,
    "without_consent": K.COLLECTS,
    "purposes": K.PURPOSE,
    "retention": K.RETAINS,
    "automatic_collection": K.AUTOMATIC_COLLECTION,
    "behavioural": K.AUTOMATIC_COLLECTION,
    "domestic_agent": K.DOMESTIC_AGENT,
    "officer": K.PRIVACY_OFFICER,
    "rights": K.RIGHTS,
}
"""Which kind of declaration the records and sentences of a section of each topic make."""

TEXT_FIELDS = ("purpose", "retention", "time_method", "refusal", "address", "basis")

PERIOD = re.compile(
    r"\d+\s*(년|개월|일|주|years?|months?|days?|weeks?|年|个月|個月|天|日)|탈퇴\s*시|종료\s*시|"
    r"달성\s*시|까지|\buntil\b|\bas long as\b|直至|之前",
    re.I,
)
STATUTE = re.compile(r"「[^」]{2,40}」|[가-힣]+(?:법|법률|법 시행령)(?=[\s,에의])|\b[A-Z][A-Za-z ]+ Act\b")
STORAGE = re.compile(
    r"보관|저장|서버|호스팅|에서\s*처리|\bstored?\b|\bhosted\b|\bservers?\b|\bprocessed in\b|存储|储存|服务器|境内|处理",
    re.I,
)


@dataclass(frozen=True)
class Reading:
    """A policy read into declarations, with the topic of each section and what could not be read."""

    document: Document
    """The policy as loaded."""
    topics: dict[str, str]
    """Section anchor → topic (``overseas_transfer``, ``entrustment`` ...), for sections with one."""
    declarations: tuple[Declaration, ...]
    """Everything declared, in document order."""
    notes: tuple[str, ...]
    """What was skipped or guessed, one sentence each (besides the document's own notes)."""
    vocabulary: str
    """Versions of the tables the words were matched against."""

    def of_kind(self, kind: DeclarationKind) -> list[Declaration]:
        """The declarations of one kind, in document order."""
        return [declaration for declaration in self.declarations if declaration.kind is kind]

    def sections_on(self, topic: str) -> list[Section]:
        """The sections whose own title (not a parent's) is about ``topic``."""
        found = []
        for section in self.document.sections:
            parent_topic = self.topics.get(section.parent) if section.parent else None
            if self.topics.get(section.anchor) == topic and parent_topic != topic:
                found.append(section)
        return found


def extract(document: Document, vocabulary: Vocabulary | None = None) -> Reading:
    """Read ``document`` into declarations (see the module docstring for how)."""
    reader = PolicyReader(document, vocabulary or load_vocabulary())
    found = list(reader.from_tables())
    seen = {(d.kind, d.organisation or d.recipient.casefold()) for d in found if d.recipient}
    for declaration in reader.from_prose():
        if declaration.recipient and (declaration.kind, _who(declaration)) in seen:
            continue
        found.append(declaration)
    found.sort(key=lambda declaration: (declaration.source.start, declaration.kind.value))
    if not reader.topics:
        reader.notes.append(
            "no section title names a topic of a privacy policy (purposes, items, transfers ...)"
        )
    if not found:
        reader.notes.append(
            "no declarations recognised: nothing this policy says could be read as a statement"
        )
    return Reading(document, reader.topics, tuple(found), tuple(reader.notes), reader.vocabulary.version)


def _who(declaration: Declaration) -> str:
    return declaration.organisation or declaration.recipient.casefold()


class PolicyReader:
    """Reads one document: tables first, then prose unit by unit."""

    def __init__(self, document: Document, vocabulary: Vocabulary) -> None:
        self.document = document
        self.vocabulary = vocabulary
        self.lexicon = vocabulary.lexicon
        self.notes: list[str] = []
        self.topics = section_topics(document, vocabulary)
        self.headings = {section.heading.start for section in document.sections}
        self.recipients = Recipients(self)
        self.separated = any(topic == "without_consent" for topic in self.topics.values())
        self.prose = list(lines(document))
        self.tabled: set[str] = set()
        """Sections whose tables named recipients: their prose adds no vague recipient."""

    # -- tables ---------------------------------------------------------------------------------

    def from_tables(self) -> Iterator[Declaration]:
        for table in self.document.tables:
            topic = self.topics.get(table.section or "")
            fields = [tuple(self.lexicon.fields_of(name)) for name in table.header]
            kind = _kind_of(topic, fields)
            if kind is None:
                self.notes.append(f"table at {_where(table)} names no declaration fields; not read")
                continue
            context = self.context_of(table.section)
            for index, record in enumerate(table.rows):
                span = self._record_span(table, index)
                values = self._values(record, fields)
                yield from self._record(kind, topic, values, span, context)
            self.tabled.add(table.section or "")

    def _values(self, record: tuple[str, ...], fields: list[tuple[str, ...]]) -> dict[str, str]:
        values: dict[str, str] = {}
        for cell, names in zip(record, fields, strict=False):
            if not cell.strip() or self.lexicon.is_missing(cell):
                continue
            for name in names:
                values[name] = f"{values[name]}, {cell}" if name in values and name != "stage" else cell
        for cell, names in zip(record, fields, strict=False):
            if (
                "recipient" in names and "contact" in names
            ):  # "이전받는 자(연락처)": the contact is in the cell
                values["contact"] = ", ".join(contacts(cell))
        if "parent" in values and "recipient" not in values:
            values["recipient"] = values.pop("parent")  # a trustee table, not a sub-trustee one
        return values

    def _record_span(self, table: Table, index: int) -> PolicySpan:
        cells = table.cells[index]
        if table.transposed:
            start, end = table.span.start, table.span.end
        else:
            start, end = cells[0].start, cells[-1].end
        return PolicySpan(self.document.sha256, table.section, start, end)

    def _record(
        self, kind: DeclarationKind, topic: str | None, values: dict[str, str], span: PolicySpan, context: str
    ) -> Iterator[Declaration]:
        if kind is K.COLLECTS:
            yield from self._collected(topic, values, span)
        elif kind in RECIPIENT_KINDS or kind in CONTACT_KINDS:
            if values.get("recipient") or values.get("name") or values.get("country"):
                if kind is K.TRANSFERS_ABROAD and "refusal" not in values:  # said once under the table
                    values["refusal"] = " ".join(
                        line for line in context.split("\n") if CUES["refusal"].search(line)
                    )
                yield self.recipient(kind, values, context, span)
        elif kind is K.RETAINS and values.get("retention"):
            yield self._retention(values.get("items", ""), values["retention"], span)
        elif kind is K.PURPOSE and (values.get("purpose") or values.get("stage")):
            purpose = values.get("purpose") or values.get("stage", "")
            basis = values.get("ground", "")
            yield Declaration(K.PURPOSE, span, self.vocabulary.item_ids(values.get("items", "")),
                              items=values.get("items", ""), purpose=purpose, basis=basis,
                              ground=self.lexicon.ground_of(basis) or "" if basis else "")  # fmt: skip
        elif kind is K.AUTOMATIC_COLLECTION:
            yield self.recipient(kind, values, "", span)

    def _collected(
        self, topic: str | None, values: dict[str, str], span: PolicySpan
    ) -> Iterator[Declaration]:
        basis = values.get("ground", "")
        stated = self.lexicon.ground_of(basis) if basis else None
        ground = stated or ("without_consent" if topic == "without_consent" else self._ground(""))
        marked = [("required", True), ("optional", False)]
        columns: list[tuple[str, bool | None]] = [
            (values[n], required) for n, required in marked if values.get(n)
        ]
        if not columns and values.get("items"):
            row = " ".join(values.values())
            columns = [(values["items"], self.lexicon.is_required(row))]
        for items, required in columns:
            yield Declaration(
                K.COLLECTS, span, self.vocabulary.item_ids(items), items=items, required=required,
                basis=basis, ground=ground, purpose=values.get("purpose", ""),
            )  # fmt: skip

    def _ground(self, text: str) -> str:
        found = self.lexicon.ground_of(text) if text else None
        return found or ("consent" if self.separated else "")

    # -- declarations from field values -----------------------------------------------------------

    def recipient(
        self, kind: DeclarationKind, values: dict[str, str], context: str, span: PolicySpan
    ) -> Declaration:
        name = values.get("recipient") or values.get("name", "")
        organisations = self.vocabulary.organisations_in(name)
        country_text = values.get("country", "")
        contact = values.get("contact") or ", ".join(
            value for value in (values.get("email"), values.get("phone")) if value
        )
        if not contact and context and kind in CONTACT_KINDS:
            contact = ", ".join(contacts(context))
        items = values.get("items", "")
        basis = values.get("ground", "")
        ground = self.lexicon.ground_of(basis) if basis else None
        if ground is None and context and kind in RECIPIENT_KINDS:
            ground, basis = self.ground_in(context)
        declaration = Declaration(
            kind=kind, source=span, data_types=self.vocabulary.item_ids(items), items=items,
            basis=basis, ground=ground or "",
            recipient=name, organisation=organisations[0].value if organisations else None,
            vague=bool(name) and not organisations and self.lexicon.is_vague(name),
            parent=values.get("parent", ""), countries=self._codes(country_text), country_text=country_text,
            contact=contact,
        )  # fmt: skip
        said: dict[str, Any] = {key: values[key] for key in TEXT_FIELDS if values.get(key)}
        return replace(declaration, **said)

    def ground_in(self, context: str) -> tuple[str | None, str]:
        """The ground stated by the first sentence of ``context`` that states one, and that sentence."""
        for line in context.split("\n"):
            for sentence in sentences(Line(0, line), self.document.language):
                ground = self.lexicon.ground_of(sentence.text)
                if ground is not None:
                    return ground, sentence.text
        return None, ""

    def context_of(self, anchor: str | None) -> str:
        """The prose (not tables) of the topical section around ``anchor``: the section itself and,
        while the parent has the same topic, the parent's (a ground said once for all subsections)."""
        if anchor is None:
            return ""
        section = self.document.section(anchor)
        topic = self.topics.get(anchor)
        while section.parent and topic and self.topics.get(section.parent) == topic:
            section = self.document.section(section.parent)
        end = max(section.body.end, section.heading.end)
        return "\n".join(
            line.text
            for line in self.prose
            if section.heading.end <= line.start < end and line.start not in self.headings
        )

    def _codes(self, text: str) -> tuple[str, ...]:
        if not text:
            return ()
        whole = self.vocabulary.countries.code_of(text)
        if whole:
            return (whole,)
        return tuple(dict.fromkeys(mention.value for mention in self.vocabulary.countries_in(text)))

    def _retention(self, items: str, retention: str, span: PolicySpan) -> Declaration:
        statute = STATUTE.search(retention) or STATUTE.search(items)
        by_law = statute is not None or self.lexicon.ground_of(retention) == "statute"
        return Declaration(
            K.RETAINS, span, self.vocabulary.item_ids(items or retention), items=items,
            retention=retention, basis=statute.group() if statute else (retention if by_law else ""),
            ground="statute" if by_law else "",
        )  # fmt: skip

    # -- prose --------------------------------------------------------------------------------------

    def from_prose(self) -> Iterator[Declaration]:
        for unit in self._units():
            kind = TOPIC_KINDS.get(unit.topic or "")
            if kind in RECIPIENT_KINDS or kind in CONTACT_KINDS:
                yield from self.recipients.read(kind, unit)
            elif kind is K.COLLECTS:
                yield from self._collected_prose(unit)
            elif kind is K.PURPOSE:
                yield from self._purposes(unit)
            elif kind is K.RETAINS:
                yield from self._retentions(unit)
            elif kind is K.AUTOMATIC_COLLECTION:
                yield from self._automatic(unit)
            elif kind is K.RIGHTS and unit.section and self.topics.get(unit.section.parent or "") != "rights":
                yield Declaration(
                    K.RIGHTS, self.span_of(unit, unit.span), purpose=body_of(unit, self.headings)
                )
            yield from self._elsewhere(unit, vague=kind is not K.TRANSFERS_ABROAD)

    def _units(self) -> Iterator[Unit]:
        unit: Unit | None = None
        for line in self.prose:
            section = self.document.section_at(line.start)
            if unit is None or section is not unit.section:
                if unit is not None:
                    yield unit
                unit = Unit(section, self.topics.get(section.anchor) if section else None)
            unit.lines.append(line)
        if unit is not None:
            yield unit

    def span_of(self, unit: Unit, span: Span) -> PolicySpan:
        anchor = unit.section.anchor if unit.section else None
        return PolicySpan(self.document.sha256, anchor, span.start, span.end)

    def sentences_of(self, unit: Unit) -> list[Line]:
        body = [line for line in unit.lines if line.start not in self.headings]
        return [piece for line in body for piece in sentences(line, self.document.language)]

    def under_table(self, section: Section | None) -> bool:
        while section is not None:
            if section.anchor in self.tabled:
                return True
            section = self.document.section(section.parent) if section.parent else None
        return False

    def _collected_prose(self, unit: Unit) -> Iterator[Declaration]:
        for sentence in self.sentences_of(unit):
            ids = self.vocabulary.item_ids(sentence.text)
            if not ids:
                continue
            ground = "without_consent" if unit.topic == "without_consent" else self._ground(sentence.text)
            statute = STATUTE.search(sentence.text)
            yield Declaration(
                K.COLLECTS, self.span_of(unit, sentence.span), ids, items=sentence.text,
                required=self.lexicon.is_required(sentence.text), ground=ground,
                purpose=sentence.text if CUES["purpose"].search(sentence.text) else "",
                basis=statute.group() if statute and ground != "consent" else "",
            )  # fmt: skip

    def _purposes(self, unit: Unit) -> Iterator[Declaration]:
        own = unit.section is not None and unit.section.anchor in {
            s.anchor for s in self._topical("purposes")
        }
        for line in unit.lines:
            if own and unit.section is not None and line.start == unit.section.heading.start:
                continue
            text = line.text
            yield Declaration(
                K.PURPOSE, self.span_of(unit, line.span), self.vocabulary.item_ids(text), purpose=text
            )

    def _topical(self, topic: str) -> list[Section]:
        return [s for s in self.document.sections if self.lexicon.topic_of(s.title) == topic]

    def _retentions(self, unit: Unit) -> Iterator[Declaration]:
        for sentence in self.sentences_of(unit):
            if PERIOD.search(sentence.text):
                found = self._retention(sentence.text, sentence.text, self.span_of(unit, sentence.span))
                yield found

    def _automatic(self, unit: Unit) -> Iterator[Declaration]:
        refusal = " ".join(s.text for s in self.sentences_of(unit) if CUES["refusal"].search(s.text))
        span = self.span_of(unit, unit.span)
        yield Declaration(K.AUTOMATIC_COLLECTION, span, self.vocabulary.item_ids(unit.text),
                          purpose=body_of(unit, self.headings), refusal=refusal)  # fmt: skip
        for sentence in self.sentences_of(unit):
            for mention in self.vocabulary.organisations_in(sentence.text):
                values = {"recipient": sentence.text[mention.start : mention.end], "refusal": refusal}
                where = sentence.span
                yield self.recipient(K.AUTOMATIC_COLLECTION, values, "", self.span_of(unit, where))

    def _elsewhere(self, unit: Unit, vague: bool) -> Iterator[Declaration]:
        """Storage places and vague overseas sharing said outside a transfer section."""
        for sentence in self.sentences_of(unit):
            countries = self.vocabulary.countries_in(sentence.text)
            if countries and STORAGE.search(sentence.text) and not self.recipients.mentions(sentence.text):
                text = ", ".join(sentence.text[c.start : c.end] for c in countries)
                yield Declaration(K.STORES_IN, self.span_of(unit, sentence.span),
                                  countries=tuple(dict.fromkeys(c.value for c in countries)), country_text=text)  # fmt: skip
            elif (
                vague
                and unit.topic not in ("third_party", "entrustment", "sub_entrustment")
                and (abroad := self.recipients.abroad_named(unit, sentence))
            ):
                yield abroad
            elif (
                vague
                and unit.topic != "third_party"
                and ABROAD.search(sentence.text)
                and self.lexicon.vague_in(sentence.text)
            ):
                category = self.lexicon.vague_in(sentence.text) or ""
                yield self.recipients.vague_one(K.TRANSFERS_ABROAD, unit, sentence, category, {})


def section_topics(document: Document, vocabulary: Vocabulary) -> dict[str, str]:
    """Section anchor → topic, from its own title or else its parent's topic."""
    topics: dict[str, str] = {}
    for section in document.sections:  # parents come before their children
        topic = vocabulary.lexicon.topic_of(section.title)
        if topic is None and section.parent is not None:
            topic = topics.get(section.parent)
        if topic is not None:
            topics[section.anchor] = topic
    return topics


def _kind_of(topic: str | None, fields: Iterable[tuple[str, ...]]) -> DeclarationKind | None:
    names = {name for group in fields for name in group}
    if topic in TOPIC_KINDS:
        return TOPIC_KINDS[topic]
    if "recipient" in names and names & {"time_method", "refusal"}:
        return K.TRANSFERS_ABROAD
    if "recipient" in names:
        return K.PROVIDES
    if names & {"required", "optional"}:
        return K.COLLECTS
    return None


def _where(table: Table) -> str:
    return f"section {table.section}" if table.section else f"offset {table.span.start}"
