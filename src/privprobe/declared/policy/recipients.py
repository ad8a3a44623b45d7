"""Recipients said in running text: named organisations and companies, categories, agents, officers.

A unit (the lines of one deepest section) about a transfer, a provision or an entrustment either
labels its fields (``이전받는 자: Google LLC``) or names recipients in sentences. Names are the
organisations of the reference table in any of their names, and other companies by their legal
form (``… 주식회사``, ``(주)…``, ``… Co., Ltd.``, ``…有限公司``). A paragraph naming one recipient
gives it the cues of the whole unit; several named paragraphs each keep their own. A category
("advertising partners") is a recipient of its own sentence, marked vague; a sentence that lists
three or more categories is a summary, kept only when nothing more precise follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from privprobe.declared.policy.document import Span
from privprobe.declared.policy.prose import CUES, Line, Unit, body_of, contacts, first_line, label, sentences
from privprobe.facts import Declaration, DeclarationKind
from privprobe.reference.terms import Mention

if TYPE_CHECKING:
    from privprobe.declared.policy.extract import PolicyReader

K = DeclarationKind
RECIPIENT_KINDS = frozenset({K.TRANSFERS_ABROAD, K.PROVIDES, K.ENTRUSTS})
CONTACT_KINDS = frozenset({K.DOMESTIC_AGENT, K.PRIVACY_OFFICER})

PROCESSOR = re.compile(r"on our (?:behalf|instructions)|\bprocessors?\b|위탁|수탁|委托|受托", re.I)
"""A recipient that processes on the controller's behalf: a trustee (처리위탁), not a third party."""
COMPANY = re.compile(
    r"(?:주식회사|유한회사|\(주\)|㈜)\s?[가-힣A-Za-z0-9&]{2,20}|[가-힣A-Za-z0-9&]{2,20}\s?(?:주식회사|유한회사|\(주\)|㈜)"
    r"|(?:[A-Z][\w&'\-]*\s){1,5}(?:Co\.,?\s?Ltd\.?|Inc\.|LLC|Ltd\.|Limited|Corporation|Corp\.|GmbH|Pte\.\s?Ltd\.|S\.A\.|B\.V\.)"
    r"|[\u4e00-\u9fff]{2,20}(?:有限公司|股份公司)"
)
"""A company name by its legal form, for recipients the organisation table does not know."""
OPERATOR = re.compile(r"^\s*,?\s*(?:\(|provided by|operated by|run by|by|운영|제공)\s*$", re.I)
"""Between two names: the second only says who runs the first ("Google Analytics, provided by Google LLC")."""
ASIDE = re.compile(r"^[^(（]{0,3}[(（]([^)）]{3,120})[)）]")
"""A parenthesis right after a name: what the recipient does ("(cloud hosting, United States)")."""
DEPARTMENT = re.compile(
    r"[가-힣A-Za-z]{1,15}(?:팀|부서|센터|담당부서)(?![가-힣])|(?:[A-Z][A-Za-z]+ ){1,3}(?:Team|Department|Office)\b"
    r"|[\u4e00-\u9fff]{1,10}(?:部门|团队|中心)"
)
"""A responsible department, which Art. 30(1)6 accepts in place of the officer's name."""
TRANSFER = re.compile(r"이전|전송|보관|transfer|\bstor|\bhost|传输|转移|存储|储存", re.I)
TOWARDS = re.compile(r"\bfrom\b.*?\bto\b", re.I)
"""In "from the EEA … to the United States", only the countries after "to" are destinations."""
SAFEGUARDS = re.compile(
    r"standard contractual|\bSCCs?\b|adequacy|binding corporate|표준\s*계약|적정성|标准合同", re.I
)
ADDRESS = re.compile(r"주소|소재지|\baddress\b|地址", re.I)
ABROAD = re.compile(
    r"해외|국외|other countries|outside (?:of )?(?:korea|your country)|境外|海外|其他国家", re.I
)
"""Words that place a transfer abroad without naming a country."""


class Recipients:
    """Reads the recipients of one policy's prose, with the reader's vocabulary and spans."""

    def __init__(self, reader: PolicyReader) -> None:
        self.reader = reader
        self.document = reader.document
        self.vocabulary = reader.vocabulary
        self.lexicon = reader.lexicon
        self.headings = reader.headings

    def read(self, kind: DeclarationKind, unit: Unit) -> Iterator[Declaration]:
        values: dict[str, str] = {}
        for line in unit.lines:
            found = label(line, self.lexicon.fields_of)
            for name in found.fields if found else ():
                values.setdefault(name, found.value if found else "")
        told = self._cued(unit, values)
        if "ground" not in values:
            ground, basis = self.reader.ground_in(unit.text)
            if ground is None:
                ground, basis = self.reader.ground_in(
                    self.reader.context_of(unit.section.anchor if unit.section else None)
                )
            if basis:
                values["ground"] = told["ground"] = basis
        if values.get("recipient") or values.get("name") or kind in CONTACT_KINDS:
            if kind in CONTACT_KINDS and not values.get("name"):
                values.setdefault("address", first_line(unit, ADDRESS, self.headings))
                orgs = self.vocabulary.organisations_in(unit.text)
                if orgs and not values.get("recipient"):
                    values["recipient"] = unit.text[orgs[0].start : orgs[0].end]
                elif not values.get("recipient") and (
                    department := DEPARTMENT.search(body_of(unit, self.headings))
                ):
                    values["recipient"] = department.group().strip()
            if any(values.get(key) for key in ("recipient", "name", "contact", "email", "phone")) or contacts(
                unit.text
            ):
                yield self.reader.recipient(kind, values, unit.text, self.reader.span_of(unit, unit.span))
            return
        yield from self._named_in_sentences(kind, unit, told)

    def _cued(self, unit: Unit, values: dict[str, str]) -> dict[str, str]:
        """Fields said in sentences rather than under labels: time and method, retention, refusal."""
        told: dict[str, str] = {}
        for sentence in self.reader.sentences_of(unit):
            if label(sentence, self.lexicon.fields_of):
                continue
            for name, cue in CUES.items():
                if name not in values and cue.search(sentence.text):
                    told[name] = f"{told[name]} {sentence.text}" if name in told else sentence.text
        for name, text in told.items():
            values.setdefault(name, text)
        return told

    def _named_in_sentences(
        self, kind: DeclarationKind, unit: Unit, told: dict[str, str]
    ) -> Iterator[Declaration]:
        """Recipients named in running text, paragraph by paragraph; categories where none is named."""
        body = [line for line in unit.lines if line.start not in self.headings]
        named = [(line, self.mentions(line.text)) for line in body]
        single = sum(1 for _, mentions in named if mentions) <= 1
        unit_items = ", ".join(unit.text[m.start : m.end] for m in self.vocabulary.items_in(unit.text))
        emitted, summaries = False, []
        for line, mentions in named:
            said = told if single else {**self.cues_in(line), **_ground_only(told)}
            line_kind = K.ENTRUSTS if kind is K.PROVIDES and PROCESSOR.search(line.text) else kind
            for piece in sentences(line, self.document.language):
                category = self.lexicon.vague_in(piece.text)
                if category is None or any(
                    piece.start <= line.start + m.start < piece.span.end for m in mentions
                ):
                    continue
                if len(self._categories(piece.text)) > 2:
                    summaries.append((piece, category))
                elif not self.reader.under_table(unit.section):
                    emitted = True
                    yield self.vague_one(line_kind, unit, piece, category, said)
            for index in range(len(mentions)):
                emitted = True
                yield self._named(
                    line_kind, unit, line, mentions, index, {**said, "items": unit_items if single else ""}
                )
        if not emitted and not self.reader.under_table(unit.section):
            if summaries:
                piece, category = summaries[0]
                yield self.vague_one(kind, unit, piece, category, told)
            elif kind is K.TRANSFERS_ABROAD:
                yield from self._abroad(unit, told)

    def mentions(self, text: str) -> list[Mention[str | None]]:
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
        self, kind: DeclarationKind, unit: Unit, line: Line, mentions: list[Mention[str | None]], index: int,
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
                told = {**told, **self.cues_in(piece)}
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
        return self.reader.recipient(kind, values, unit.text, self.reader.span_of(unit, span))

    def _categories(self, text: str) -> list[str]:
        return [text[m.start : m.end] for m in self.lexicon.vague_mentions(text)]

    def vague_one(
        self, kind: DeclarationKind, unit: Unit, piece: Line, category: str, told: dict[str, str]
    ) -> Declaration:
        items = ", ".join(piece.text[m.start : m.end] for m in self.vocabulary.items_in(piece.text))
        countries = [piece.text[c.start : c.end] for c in self.vocabulary.countries_in(piece.text)]
        values = {**told, "recipient": category, "items": items, "country": ", ".join(countries)}
        if CUES["purpose"].search(piece.text):
            values.setdefault("purpose", piece.text)
        declaration = self.reader.recipient(kind, values, unit.text, self.reader.span_of(unit, piece.span))
        return replace(declaration, vague=True)

    def _abroad(self, unit: Unit, told: dict[str, str]) -> Iterator[Declaration]:
        """A transfer abroad said without a recipient ("we transfer data to other countries")."""
        for sentence in self.reader.sentences_of(unit):
            if not ABROAD.search(sentence.text) and not self.vocabulary.countries_in(sentence.text):
                continue
            text = sentence.text
            towards = TOWARDS.search(text)
            where = text[towards.end() :] if towards else text
            countries = [where[c.start : c.end] for c in self.vocabulary.countries_in(where)]
            values = {**told, "country": ", ".join(countries)}
            if "ground" not in values:
                values["ground"] = _first_match(unit.text, SAFEGUARDS)
            declaration = self.reader.recipient(
                K.TRANSFERS_ABROAD, values, unit.text, self.reader.span_of(unit, unit.span)
            )
            yield replace(declaration, vague=True)
            return

    def abroad_named(self, unit: Unit, sentence: Line) -> Declaration | None:
        """A transfer to a named recipient abroad said outside a transfer section ("we transfer … to
        Amazon Web Services, Inc. in Singapore" under "where we store your data")."""
        mentions = self.mentions(sentence.text)
        countries = [c for c in self.vocabulary.countries_in(sentence.text) if c.value != "KR"]
        if len(mentions) != 1 or not countries or not TRANSFER.search(sentence.text):
            return None
        told = self.cues_in(sentence)
        told["items"] = ", ".join(
            sentence.text[m.start : m.end] for m in self.vocabulary.items_in(sentence.text)
        )
        declaration = self._named(K.TRANSFERS_ABROAD, unit, sentence, mentions, 0, told)
        text = ", ".join(sentence.text[c.start : c.end] for c in countries)
        codes = tuple(dict.fromkeys(c.value for c in countries))
        return replace(declaration, countries=codes, country_text=text)

    def cues_in(self, line: Line) -> dict[str, str]:
        told: dict[str, str] = {}
        for sentence in sentences(line, self.document.language):
            for name, cue in CUES.items():
                if cue.search(sentence.text):
                    told[name] = f"{told[name]} {sentence.text}" if name in told else sentence.text
        return told


def _ground_only(told: dict[str, str]) -> dict[str, str]:
    return {"ground": told["ground"]} if "ground" in told else {}


def _first_match(text: str, pattern: re.Pattern[str]) -> str:
    for line in text.split("\n"):
        if pattern.search(line):
            return line
    return ""
