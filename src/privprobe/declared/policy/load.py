"""Load a privacy policy (HTML, PDF, Markdown, plain text or a capture bundle) into a ``Document``.

The type is sniffed from the content, never trusted from the file name: ``%PDF-`` is a PDF, markup
tags are HTML, ``#`` headings or ``|`` tables are Markdown, anything else is text. Text is decoded
as UTF-8, UTF-8 with BOM, CP949 (a superset of EUC-KR, still common on Korean sites) and GB18030
in that order, unless an HTML ``<meta charset>`` names a codec that works. Bad input is an
``InputError`` naming the file with a one-line reason, never a silent empty document.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from pathlib import Path

from privprobe.declared.policy.document import Document, Language
from privprobe.declared.policy.html import read_html
from privprobe.declared.policy.sections import Block, assemble, clean
from privprobe.errors import InputError

MAX_BYTES = 20 * 1024 * 1024
"""Larger files are refused: real policies are well under 2 MB, even as PDF."""

ENCODINGS = ("utf-8", "utf-8-sig", "cp949", "euc-kr", "gb18030")
"""Tried in this order on text that does not declare (or misdeclares) its charset."""

POLICY_WORDS = (
    "개인정보", "개인 정보", "personal information", "personal data", "privacy",
    "个人信息", "個人資料", "个人资料", "隐私", "隱私",
)  # fmt: skip
"""At least one must occur, or the file is not a privacy policy."""

BUNDLE_POLICY = Path("policy") / "policy.html"
"""Where a capture bundle keeps the policy page (see ``privprobe.capture.policy``)."""

_MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html", "md": "text/markdown", "txt": "text/plain"}
_HTML_SNIFF = re.compile(r"<(!doctype\s+html|html|head|body|article|main|div|p|h[1-6]|table|ul|ol)\b", re.I)
_MD_SNIFF = re.compile(r"^(#{1,6}\s+\S|\|.+\|\s*$)", re.M)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)


def load_policy(path: Path | str, lang: Language | None = None, *, name: str | None = None) -> Document:
    """Read the policy at ``path`` (a file, or a capture bundle folder) into a normalised document.

    ``name`` replaces the file name as ``Document.source_name`` (for a file kept in the evidence
    store, its original name).
    """
    path = Path(path)
    source, found_name = _locate(path)
    name = name or found_name
    data = _read_bytes(source)
    notes: list[str] = []
    if data.lstrip()[:5] == b"%PDF-":
        media, encoding, blocks = "pdf", None, _pdf_blocks(source, data, notes)
    else:
        raw, encoding = decode(data, notes)
        media = _sniff(raw, source)
        blocks = _text_blocks(raw, media, notes)
    text, sections, tables = assemble(blocks)
    if not text.strip():
        raise InputError(source, "no readable text in the file")
    if not any(word in text.lower() for word in POLICY_WORDS):
        raise InputError(
            source,
            "does not look like a privacy policy (no 개인정보 / personal information / privacy / 个人信息)",
        )
    language = lang if lang is not None else guess_language(text)
    if lang is not None:
        notes.append(f"language {lang} given by the caller")
    if not sections:
        notes.append("no headings recognised: the whole text is one unsectioned body")
    digest = hashlib.sha256(data).hexdigest()
    return Document(
        name, digest, _MEDIA_TYPES[media], encoding, language, text, sections, tables, tuple(notes)
    )


def _locate(path: Path) -> tuple[Path, str]:
    if path.is_dir():
        source = path / BUNDLE_POLICY
        if not source.is_file():
            raise InputError(
                path, f"a folder without {BUNDLE_POLICY.as_posix()}: give the policy file itself"
            )
        return source, f"{path.name}/{BUNDLE_POLICY.as_posix()}"
    if not path.is_file():
        raise InputError(path, "no such file")
    return path, path.name


def _read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(path, f"{size:,} bytes is over the {MAX_BYTES // 2**20} MB limit for a policy")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "empty file")
    return data


def decode(data: bytes, notes: list[str]) -> tuple[str, str]:
    """The text of ``data`` and the codec that decoded it; a fallback is noted."""
    declared = _META_CHARSET.search(data[:4096])
    candidates = list(ENCODINGS)
    if data.startswith(b"\xef\xbb\xbf"):
        candidates.remove("utf-8-sig")
        candidates.insert(0, "utf-8-sig")
    if declared is not None:
        candidates.insert(0, declared.group(1).decode("ascii").lower())
    for codec in candidates:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if codec in ("cp949", "euc-kr") and declared is None and not _looks_korean(text):
            continue  # GB18030 bytes often decode as CP949 too, but into Hanja with scattered Hangul
        if codec not in ("utf-8", "utf-8-sig"):
            notes.append(f"decoded as {codec}")
        return text, codec
    notes.append("no codec decoded the bytes cleanly: decoded as UTF-8 with replacement characters")
    return data.decode("utf-8", "replace"), "utf-8"


def _looks_korean(text: str) -> bool:
    hangul = len(re.findall(r"[\uac00-\ud7a3]", text))
    return hangul >= 4 * len(re.findall(r"[\u4e00-\u9fff]", text))  # Korean text uses few Hanja


def _sniff(text: str, path: Path) -> str:
    head = text[:8192]
    if _HTML_SNIFF.search(head):
        return "html"
    if _MD_SNIFF.search(text) or path.suffix.lower() in (".md", ".markdown"):
        return "md"
    return "txt"


def _text_blocks(text: str, media: str, notes: list[str]) -> list[Block]:
    if media == "html":
        return read_html(text, notes)
    if media == "md":
        return read_markdown(text)
    return [Block("para", line) for line in (clean(raw) for raw in text.splitlines()) if line]


def guess_language(text: str) -> Language:
    """By script counts: Hangul syllables and Han characters count one each, Latin letters a quarter
    (about one per word); a script with 75% of the weight decides, else ``mixed``."""
    hangul = len(re.findall(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]", text))
    han = len(re.findall(r"[\u4e00-\u9fff\u3400-\u4dbf]", text))
    latin = len(re.findall(r"[A-Za-z]", text)) / 4
    total = hangul + han + latin
    if total == 0:
        return "mixed"
    weights: dict[Language, float] = {"ko": hangul, "zh": han, "en": latin}
    best = max(weights, key=lambda language: weights[language])
    return best if weights[best] / total >= 0.75 else "mixed"


# Markdown: ATX headings, bold-only lines, list items, pipe tables; inline markup is stripped.
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_ITEM = re.compile(r"^\s*[-*+]\s+")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_BOLD = re.compile(r"^(\*\*|__)(.+?)\1:?$")


def read_markdown(text: str) -> list[Block]:
    """Blocks of a Markdown policy (CommonMark's common subset: enough for policies)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith("|") and index + 1 < len(lines) and _MD_RULE.match(lines[index + 1]):
            table, index = _md_table(lines, index)
            blocks.append(table)
            continue
        index += 1
        heading = _MD_HEADING.match(line)
        if heading:
            blocks.append(Block("heading", _inline(heading.group(2)), level=len(heading.group(1))))
        elif _MD_ITEM.match(line):
            blocks.append(Block("item", _inline(_MD_ITEM.sub("", line))))
        elif clean(line):
            bold = _MD_BOLD.match(line.strip())
            blocks.append(Block("para", _inline(line), bold=bold is not None))
    return blocks


def _md_table(lines: list[str], index: int) -> tuple[Block, int]:
    rows: list[tuple[str, ...]] = []
    for position in range(index, len(lines)):
        line = lines[position].strip()
        if not line.startswith("|"):
            break
        if position != index + 1:
            rows.append(tuple(_inline(cell) for cell in line.strip("|").split("|")))
    else:
        position = len(lines)
    width = max(len(row) for row in rows)
    grid = tuple(row + ("",) * (width - len(row)) for row in rows)
    return Block("table", rows=grid, header_row=True), position


def _inline(text: str) -> str:
    text = re.sub(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)", lambda m: _link(m.group(1), m.group(2)), text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"(?<!\w)[*_](\S(?:.*?\S)?)[*_](?!\w)", r"\1", text)
    return clean(text)


def _link(label: str, url: str) -> str:
    return label if not url or url in label else f"{label} ({url})"


# PDF: page text from pypdf; page furniture (numbers, running headers) dropped and noted.
_PAGE_NUMBER = re.compile(r"^[-–(\[]?\s*(page\s*)?\d{1,4}\s*(/\s*\d{1,4}|of\s*\d{1,4})?\s*[-–)\]]?$", re.I)


def _pdf_blocks(path: Path, data: bytes, notes: list[str]) -> list[Block]:
    from pypdf import PdfReader  # imported only when a PDF is read
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(path, "encrypted PDF: give the decrypted file")
        pages = [[clean(line) for line in (page.extract_text() or "").splitlines()] for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise InputError(path, f"cannot read the PDF ({error})") from error
    pages = [[line for line in page if line] for page in pages]
    if not any(pages):
        raise InputError(path, "scanned PDF without a text layer: run OCR first")
    return [Block("para", line) for line in _drop_furniture(pages, notes)]


def _drop_furniture(pages: list[list[str]], notes: list[str]) -> list[str]:
    """Lines repeated on most pages (running headers, footers) and bare page numbers are dropped."""
    seen = Counter(line for page in pages for line in set(page))
    repeated = {line for line, count in seen.items() if len(pages) >= 3 and count > len(pages) / 2}
    kept: list[str] = []
    dropped = 0
    for line in (line for page in pages for line in page):
        if line in repeated or _PAGE_NUMBER.match(line):
            dropped += 1
        else:
            kept.append(line)
    if dropped:
        notes.append(f"dropped {dropped} PDF lines as page numbers or running headers and footers")
    return kept
