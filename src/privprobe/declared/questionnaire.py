"""The company's answers to the investigator's questionnaire, read into declarations.

The PIPC sends a platform questions ("list every trustee and overseas recipient with its country,
the items and the work"); the answers are what the company states outside its privacy policy, and
`assess` compares them with the policy (`answers_not_in_policy`). privprobe reads them from a CSV
the investigator keeps, one statement per row:

    question,kind,recipient,country,items,purpose
    Q3-1,entrusts,Shenzhen Logistics Co.,CN,"이름, 휴대전화번호, 배송지 주소",해외 배송
    Q3-2,transfers_abroad,Amazon Web Services Inc.,US,"이메일 주소",데이터 보관

``kind`` is a `DeclarationKind` value (``provides``, ``entrusts``, ``transfers_abroad``,
``stores_in`` ...); ``country`` a name or ISO code in Korean, English or Chinese (several separated
by ``;``); ``items`` the items as written. Each declaration cites the answers file by its SHA-256 and
the row (``section`` = ``Q3-1``, ``start`` = the row number).
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from privprobe.declared.policy.vocabulary import Vocabulary, load_vocabulary
from privprobe.errors import InputError
from privprobe.facts import Declaration, DeclarationKind, PolicySpan

COLUMNS = ("question", "kind", "recipient", "country", "items", "purpose")
"""The header an answers file must have (in any order; other columns are ignored)."""
MAX_BYTES = 5 * 1024 * 1024
"""Answers files are tables of statements, far below this."""


def read_answers(path: Path, vocabulary: Vocabulary | None = None) -> list[Declaration]:
    """The declarations of an answers CSV; an `InputError` naming the file and row otherwise."""
    data = path.read_bytes() if path.is_file() else None
    if data is None:
        raise InputError(path, "no such file")
    if len(data) > MAX_BYTES:
        raise InputError(path, f"{len(data):,} bytes is over the {MAX_BYTES // 2**20} MB limit for answers")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text: save the answers as a UTF-8 CSV") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    missing = [name for name in COLUMNS if rows and name not in rows[0]] if rows else list(COLUMNS)
    if missing:
        raise InputError(path, f"no column {', '.join(missing)}: the header is {','.join(COLUMNS)}")
    vocabulary = vocabulary or load_vocabulary()
    digest = hashlib.sha256(data).hexdigest()
    return [_declaration(path, digest, number, row, vocabulary) for number, row in enumerate(rows, start=2)]


def _declaration(
    path: Path, digest: str, number: int, row: dict[str, str], vocabulary: Vocabulary
) -> Declaration:
    try:
        kind = DeclarationKind((row.get("kind") or "").strip())
    except ValueError:
        kinds = ", ".join(kind.value for kind in DeclarationKind)
        raise InputError(path, f"row {number}: kind {row.get('kind')!r} is not one of {kinds}") from None
    recipient = (row.get("recipient") or "").strip()
    country_text = (row.get("country") or "").strip()
    codes = []
    for name in filter(None, (part.strip() for part in country_text.split(";"))):
        code = vocabulary.countries.code_of(name) or (
            name.upper() if len(name) == 2 and name.isalpha() else None
        )
        if code is None:
            raise InputError(path, f"row {number}: country {name!r} is not a country name or ISO code")
        codes.append(code)
    organisations = vocabulary.organisations_in(recipient)
    items = (row.get("items") or "").strip()
    question = (row.get("question") or "").strip() or f"row {number}"
    return Declaration(
        kind=kind, source=PolicySpan(digest, question, number, number), data_types=vocabulary.item_ids(items),
        items=items, recipient=recipient, organisation=organisations[0].value if organisations else None,
        vague=bool(recipient) and not organisations and vocabulary.lexicon.is_vague(recipient),
        countries=tuple(codes), country_text=country_text, purpose=(row.get("purpose") or "").strip(),
    )  # fmt: skip
