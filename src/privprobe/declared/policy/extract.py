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
from dataclasses import dataclass, field, replace
from typing import Any

from privprobe.declared.policy.document import Document, Section, Span, Table
from privprobe.declared.policy.prose import CUES, Line, contacts, label, lines, sentences
from privprobe.declared.policy.vocabulary import Vocabulary, load_vocabulary
from privprobe.facts import Declaration, DeclarationKind, PolicySpan
from privprobe.reference.terms import Mention

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

RECIPIENT_KINDS = frozenset({K.TRANSFERS_ABROAD, K.PROVIDES, K.ENTRUSTS})
CONTACT_KINDS = frozenset({K.DOMESTIC_AGENT, K.PRIVACY_OFFICER})
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
ABROAD = re.compile(
    r"해외|국외|other countries|outside (?:of )?(?:korea|your country)|境外|海外|其他国家", re.I
)
PROCESSOR = re.compile(r"on our (?:behalf|instructions)|\bprocessors?\b|위탁|수탁|委托|受托", re.I)
COMPANY = re.compile(
    r"(?:주식회사|유한회사|\(주\)|㈜)\s?[가-힣A-Za-z0-9&]{2,20}|[가-힣A-Za-z0-9&]{2,20}\s?(?:주식회사|유한회사|\(주\)|㈜)"
    r"|(?:[A-Z][\w&'\-]*\s){1,5}(?:Co\.,?\s?Ltd\.?|Inc\.|LLC|Ltd\.|Limited|Corporation|Corp\.|GmbH|Pte\.\s?Ltd\.|S\.A\.|B\.V\.)"
    r"|[\u4e00-\u9fff]{2,20}(?:有限公司|股份公司)"
)
"""A company name by its legal form, for recipients the organisation table does not know."""
OPERATOR = re.compile(r"^\s*,?\s*(?:\(|provided by|operated by|run by|by|운영|제공)\s*$", re.I)
ASIDE = re.compile(r"^[^(（]{0,3}[(（]([^)）]{3,120})[)）]")
DEPARTMENT = re.compile(
    r"[가-힣A-Za-z]{1,15}(?:팀|부서|센터|담당부서)(?![가-힣])|(?:[A-Z][A-Za-z]+ ){1,3}(?:Team|Department|Office)\b"
    r"|[\u4e00-\u9fff]{1,10}(?:部门|团队|中心)"
)
"""A responsible department, which Art. 30(1)6 accepts in place of the officer's name."""
TRANSFER = re.compile(r"이전|전송|보관|transfer|\bstor|\bhost|传输|转移|存储|储存", re.I)
TOWARDS = re.compile(r"\bfrom\b.*?\bto\b", re.I)
SAFEGUARDS = re.compile(
    r"standard contractual|\bSCCs?\b|adequacy|binding corporate|표준\s*계약|적정성|标准合同", re.I
)
ADDRESS = re.compile(r"주소|소재지|\baddress\b|地址", re.I)


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
    reader = _Reader(document, vocabulary or load_vocabulary())
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


@dataclass
class _Unit:
    section: Section | None
    topic: str | None
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def span(self) -> Span:
        return Span(self.lines[0].start, self.lines[-1].span.end)


class _Reader:
    def __init__(self, document: Document, vocabulary: Vocabulary) -> None:
        self.document = document
        self.vocabulary = vocabulary
        self.lexicon = vocabulary.lexicon
        self.notes: list[str] = []
        self.topics = section_topics(document, vocabulary)
        self.headings = {section.heading.start for section in document.sections}
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
            context = self._context(table.section)
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
                yield self._recipient(kind, values, context, span)
        elif kind is K.RETAINS and values.get("retention"):
            yield self._retention(values.get("items", ""), values["retention"], span)
        elif kind is K.PURPOSE and (values.get("purpose") or values.get("stage")):
            purpose = values.get("purpose") or values.get("stage", "")
            basis = values.get("ground", "")
            yield Declaration(K.PURPOSE, span, self.vocabulary.item_ids(values.get("items", "")),
                              items=values.get("items", ""), purpose=purpose, basis=basis,
                              ground=self.lexicon.ground_of(basis) or "" if basis else "")  # fmt: skip
        elif kind is K.AUTOMATIC_COLLECTION:
            yield self._recipient(kind, values, "", span)

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

    def _recipient(
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
            ground, basis = self._ground_in(context)
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

    def _ground_in(self, context: str) -> tuple[str | None, str]:
        """The ground stated by the first sentence of ``context`` that states one, and that sentence."""
        for line in context.split("\n"):
            for sentence in sentences(Line(0, line), self.document.language):
                ground = self.lexicon.ground_of(sentence.text)
                if ground is not None:
                    return ground, sentence.text
        return None, ""

    def _context(self, anchor: str | None) -> str:
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
                yield from self._recipients(kind, unit)
            elif kind is K.COLLECTS:
                yield from self._collected_prose(unit)
            elif kind is K.PURPOSE:
                yield from self._purposes(unit)
            elif kind is K.RETAINS:
                yield from self._retentions(unit)
            elif kind is K.AUTOMATIC_COLLECTION:
                yield from self._automatic(unit)
            elif kind is K.RIGHTS and unit.section and self.topics.get(unit.section.parent or "") != "rights":
                yield Declaration(K.RIGHTS, self._span(unit, unit.span), purpose=_body(unit, self.headings))
            yield from self._elsewhere(unit, vague=kind is not K.TRANSFERS_ABROAD)

    def _units(self) -> Iterator[_Unit]:
        unit: _Unit | None = None
        for line in self.prose:
            section = self.document.section_at(line.start)
            if unit is None or section is not unit.section:
                if unit is not None:
                    yield unit
                unit = _Unit(section, self.topics.get(section.anchor) if section else None)
            unit.lines.append(line)
        if unit is not None:
            yield unit

    def _span(self, unit: _Unit, span: Span) -> PolicySpan:
        anchor = unit.section.anchor if unit.section else None
        return PolicySpan(self.document.sha256, anchor, span.start, span.end)

    def _sentences(self, unit: _Unit) -> list[Line]:
        body = [line for line in unit.lines if line.start not in self.headings]
        return [piece for line in body for piece in sentences(line, self.document.language)]

    def _recipients(self, kind: DeclarationKind, unit: _Unit) -> Iterator[Declaration]:
        values: dict[str, str] = {}
        for line in unit.lines:
            found = label(line, self.lexicon.fields_of)
            for name in found.fields if found else ():
                values.setdefault(name, found.value if found else "")
        told = self._cued(unit, values)
        if "ground" not in values:
            ground, basis = self._ground_in(unit.text)
            if ground is None:
                ground, basis = self._ground_in(self._context(unit.section.anchor if unit.section else None))
            if basis:
                values["ground"] = told["ground"] = basis
        if values.get("recipient") or values.get("name") or kind in CONTACT_KINDS:
            if kind in CONTACT_KINDS and not values.get("name"):
                values.setdefault("address", _first(unit, ADDRESS, self.headings))
                orgs = self.vocabulary.organisations_in(unit.text)
                if orgs and not values.get("recipient"):
                    values["recipient"] = unit.text[orgs[0].start : orgs[0].end]
                elif not values.get("recipient") and (
                    department := DEPARTMENT.search(_body(unit, self.headings))
                ):
                    values["recipient"] = department.group().strip()
            if any(values.get(key) for key in ("recipient", "name", "contact", "email", "phone")) or contacts(
                unit.text
            ):
                yield self._recipient(kind, values, unit.text, self._span(unit, unit.span))
            return
        yield from self._named_in_sentences(kind, unit, told)

    def _cued(self, unit: _Unit, values: dict[str, str]) -> dict[str, str]:
        """Fields said in sentences rather than under labels: time and method, retention, refusal."""
        told: dict[str, str] = {}
        for sentence in self._sentences(unit):
            if label(sentence, self.lexicon.fields_of):
                continue
            for name, cue in CUES.items():
                if name not in values and cue.search(sentence.text):
                    told[name] = f"{told[name]} {sentence.text}" if name in told else sentence.text
        for name, text in told.items():
            values.setdefault(name, text)
        return told

    def _named_in_sentences(
        self, kind: DeclarationKind, unit: _Unit, told: dict[str, str]
    ) -> Iterator[Declaration]:
        """Recipients named in running text, paragraph by paragraph; categories where none is named."""
        body = [line for line in unit.lines if line.start not in self.headings]
        named = [(line, self._mentions(line.text)) for line in body]
        single = sum(1 for _, mentions in named if mentions) <= 1
        unit_items = ", ".join(unit.text[m.start : m.end] for m in self.vocabulary.items_in(unit.text))
        emitted, summaries = False, []
        for line, mentions in named:
            said = told if single else {**self._cues_in(line), **_ground_only(told)}
            line_kind = K.ENTRUSTS if kind is K.PROVIDES and PROCESSOR.search(line.text) else kind
            for piece in sentences(line, self.document.language):
                category = self.lexicon.vague_in(piece.text)
                if category is None or any(
                    piece.start <= line.start + m.start < piece.span.end for m in mentions
                ):
                    continue
                if len(self._categories(piece.text)) > 2:
                    summaries.append((piece, category))
                elif not self._under_table(unit.section):
                    emitted = True
                    yield self._vague_one(line_kind, unit, piece, category, said)
            for index in range(len(mentions)):
                emitted = True
                yield self._named(
                    line_kind, unit, line, mentions, index, {**said, "items": unit_items if single else ""}
                )
        if not emitted and not self._under_table(unit.section):
            if summaries:
                piece, category = summaries[0]
                yield self._vague_one(kind, unit, piece, category, told)
            elif kind is K.TRANSFERS_ABROAD:
                yield from self._abroad(unit, told)

    def _under_table(self, section: Section | None) -> bool:
        while section is not None:
            if section.anchor in self.tabled:
                return True
            section = self.document.section(section.parent) if section.parent else None
        return False

    def _mentions(self, text: str) -> list[Mention[str | None]]:
        """Organisations of the table and other company names (``… 주식회사``, ``… Co., Ltd.``) in
        ``text``; a name that only says who runs the one before ("…, provided by Google LLC") is dropped."""
        found: list[Mention[str | None]] = [
            Mention(m.start, m.end, m.value) for m in self.vocabulary.organisations_in(text)
        ]
        for match in COMPANY.finditer(text):
            if all(match.end() <= m.start or match.start() >= m.end for m in found):
                found.append(Mention(match.start(), match.end(), None))
        found.sort(key=lambda mention: mention.start)
        kept: list[Mention[str | None]] = []
        for mention in found:
            if kept and OPERATOR.match(text[kept[-1].end : mention.start]):
                continue
            if kept and mention.value is not None and mention.value == kept[-1].value:
                continue  # the same organisation again ("Microsoft Corporation의 … (Microsoft 365)")
            kept.append(mention)
        return kept

    def _named(
        self, kind: DeclarationKind, unit: _Unit, line: Line, mentions: list[Mention[str | None]], index: int,
        told: dict[str, str],
    ) -> Declaration:  # fmt: skip
        """One named recipient of a paragraph: its countries from the words between it and its
        neighbours; its items, span and cues from its sentence when it is the only name there
        (Korean puts the items before the name: "이름, 이메일 주소를 … Google LLC에 이전합니다")."""
        mention = mentions[index]
        low = mentions[index - 1].end if index else 0
        high = mentions[index + 1].start if index + 1 < len(mentions) else len(line.text)
        segment = line.text[low:high]
        countries = [segment[c.start : c.end] for c in self.vocabulary.countries_in(segment)]
        start, end = mention.start, high if index + 1 < len(mentions) else len(line.text)
        for piece in sentences(line, self.document.language):
            first, last = piece.start - line.start, piece.span.end - line.start
            if first <= mention.start < last and sum(first <= m.start < last for m in mentions) == 1:
                start, end = first, last
                told = {**told, **self._cues_in(piece)}
        own = line.text[start:end]
        items = ", ".join(own[m.start : m.end] for m in self.vocabulary.items_in(own))
        values = {
            **told,
            "recipient": line.text[mention.start : mention.end],
            "country": ", ".join(countries),
        }
        values["items"] = items or told.get("items", "")
        aside = ASIDE.match(line.text[mention.end : high])
        if aside and "purpose" not in values:
            values["purpose"] = aside.group(1)
        span = Span(line.start + start, line.start + end)
        return self._recipient(kind, values, unit.text, self._span(unit, span))

    def _categories(self, text: str) -> list[str]:
        return [text[m.start : m.end] for m in self.lexicon.vague_mentions(text)]

    def _vague_one(
        self, kind: DeclarationKind, unit: _Unit, piece: Line, category: str, told: dict[str, str]
    ) -> Declaration:
        items = ", ".join(piece.text[m.start : m.end] for m in self.vocabulary.items_in(piece.text))
        countries = [piece.text[c.start : c.end] for c in self.vocabulary.countries_in(piece.text)]
        values = {**told, "recipient": category, "items": items, "country": ", ".join(countries)}
        if CUES["purpose"].search(piece.text):
            values.setdefault("purpose", piece.text)
        declaration = self._recipient(kind, values, unit.text, self._span(unit, piece.span))
        return replace(declaration, vague=True)

    def _abroad(self, unit: _Unit, told: dict[str, str]) -> Iterator[Declaration]:
        """A transfer abroad said without a recipient ("we transfer data to other countries")."""
        for sentence in self._sentences(unit):
            if not ABROAD.search(sentence.text) and not self.vocabulary.countries_in(sentence.text):
                continue
            text = sentence.text
            towards = TOWARDS.search(text)
            where = text[towards.end() :] if towards else text
            countries = [where[c.start : c.end] for c in self.vocabulary.countries_in(where)]
            values = {**told, "country": ", ".join(countries)}
            if "ground" not in values:
                values["ground"] = _first_match(unit.text, SAFEGUARDS)
            declaration = self._recipient(K.TRANSFERS_ABROAD, values, unit.text, self._span(unit, unit.span))
            yield replace(declaration, vague=True)
            return

    def _abroad_named(self, unit: _Unit, sentence: Line) -> Declaration | None:
        """A transfer to a named recipient abroad said outside a transfer section ("we transfer … to
        Amazon Web Services, Inc. in Singapore" under "where we store your data")."""
        mentions = self._mentions(sentence.text)
        countries = [c for c in self.vocabulary.countries_in(sentence.text) if c.value != "KR"]
        if len(mentions) != 1 or not countries or not TRANSFER.search(sentence.text):
            return None
        told = self._cues_in(sentence)
        told["items"] = ", ".join(
            sentence.text[m.start : m.end] for m in self.vocabulary.items_in(sentence.text)
        )
        declaration = self._named(K.TRANSFERS_ABROAD, unit, sentence, mentions, 0, told)
        text = ", ".join(sentence.text[c.start : c.end] for c in countries)
        codes = tuple(dict.fromkeys(c.value for c in countries))
        return replace(declaration, countries=codes, country_text=text)

    def _cues_in(self, line: Line) -> dict[str, str]:
        told: dict[str, str] = {}
        for sentence in sentences(line, self.document.language):
            for name, cue in CUES.items():
                if cue.search(sentence.text):
                    told[name] = f"{told[name]} {sentence.text}" if name in told else sentence.text
        return told

    def _collected_prose(self, unit: _Unit) -> Iterator[Declaration]:
        for sentence in self._sentences(unit):
            ids = self.vocabulary.item_ids(sentence.text)
            if not ids:
                continue
            ground = "without_consent" if unit.topic == "without_consent" else self._ground(sentence.text)
            statute = STATUTE.search(sentence.text)
            yield Declaration(
                K.COLLECTS, self._span(unit, sentence.span), ids, items=sentence.text,
                required=self.lexicon.is_required(sentence.text), ground=ground,
                purpose=sentence.text if CUES["purpose"].search(sentence.text) else "",
                basis=statute.group() if statute and ground != "consent" else "",
            )  # fmt: skip

    def _purposes(self, unit: _Unit) -> Iterator[Declaration]:
        own = unit.section is not None and unit.section.anchor in {
            s.anchor for s in self._topical("purposes")
        }
        for line in unit.lines:
            if own and unit.section is not None and line.start == unit.section.heading.start:
                continue
            text = line.text
            yield Declaration(
                K.PURPOSE, self._span(unit, line.span), self.vocabulary.item_ids(text), purpose=text
            )

    def _topical(self, topic: str) -> list[Section]:
        return [s for s in self.document.sections if self.lexicon.topic_of(s.title) == topic]

    def _retentions(self, unit: _Unit) -> Iterator[Declaration]:
        for sentence in self._sentences(unit):
            if PERIOD.search(sentence.text):
                found = self._retention(sentence.text, sentence.text, self._span(unit, sentence.span))
                yield found

    def _automatic(self, unit: _Unit) -> Iterator[Declaration]:
        refusal = " ".join(s.text for s in self._sentences(unit) if CUES["refusal"].search(s.text))
        span = self._span(unit, unit.span)
        yield Declaration(K.AUTOMATIC_COLLECTION, span, self.vocabulary.item_ids(unit.text),
                          purpose=_body(unit, self.headings), refusal=refusal)  # fmt: skip
        for sentence in self._sentences(unit):
            for mention in self.vocabulary.organisations_in(sentence.text):
                values = {"recipient": sentence.text[mention.start : mention.end], "refusal": refusal}
                where = sentence.span
                yield self._recipient(K.AUTOMATIC_COLLECTION, values, "", self._span(unit, where))

    def _elsewhere(self, unit: _Unit, vague: bool) -> Iterator[Declaration]:
        """Storage places and vague overseas sharing said outside a transfer section."""
        for sentence in self._sentences(unit):
            countries = self.vocabulary.countries_in(sentence.text)
            if countries and STORAGE.search(sentence.text) and not self._mentions(sentence.text):
                text = ", ".join(sentence.text[c.start : c.end] for c in countries)
                yield Declaration(K.STORES_IN, self._span(unit, sentence.span),
                                  countries=tuple(dict.fromkeys(c.value for c in countries)), country_text=text)  # fmt: skip
            elif (
                vague
                and unit.topic not in ("third_party", "entrustment", "sub_entrustment")
                and (abroad := self._abroad_named(unit, sentence))
            ):
                yield abroad
            elif (
                vague
                and unit.topic != "third_party"
                and ABROAD.search(sentence.text)
                and self.lexicon.vague_in(sentence.text)
            ):
                category = self.lexicon.vague_in(sentence.text) or ""
                yield self._vague_one(K.TRANSFERS_ABROAD, unit, sentence, category, {})


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


def _ground_only(told: dict[str, str]) -> dict[str, str]:
    return {"ground": told["ground"]} if "ground" in told else {}


def _first_match(text: str, pattern: re.Pattern[str]) -> str:
    for line in text.split("\n"):
        if pattern.search(line):
            return line
    return ""


def _where(table: Table) -> str:
    return f"section {table.section}" if table.section else f"offset {table.span.start}"


def _body(unit: _Unit, headings: set[int]) -> str:
    return " ".join(line.text for line in unit.lines if line.start not in headings)[:500]


def _first(unit: _Unit, pattern: re.Pattern[str], headings: set[int]) -> str:
    for line in unit.lines:
        if line.start not in headings and pattern.search(line.text):
            return line.text
    return ""
