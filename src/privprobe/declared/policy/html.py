"""HTML policy pages to blocks, with the standard library's forgiving parser (no DOM is built).

What a reader of the policy does not read is dropped: scripts, styles, ``nav``, the site's
``header`` and ``footer`` (kept inside ``article`` and ``main``, where they hold the policy's own
title), ARIA ``navigation``/``banner``/``contentinfo`` landmarks, hidden elements and cookie
banners (by the id and class names of the common consent tools: OneTrust, Cookiebot, CookieConsent).
Tables keep their cells; ``colspan`` and ``rowspan`` are expanded so every row has every column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from privprobe.declared.policy.sections import Block, BlockKind, clean

_SKIP_TAGS = frozenset(
    ("script", "style", "noscript", "template", "nav", "svg", "math", "iframe", "object", "head", "title", "select", "button", "dialog")
)  # fmt: skip
_PAGE_FURNITURE = frozenset({"header", "footer", "aside"})
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search"})
_BANNER = re.compile(
    r"cookie[-_ ]?(banner|bar|notice|consent|popup|law)|onetrust|cookiebot|cybotcookie|cookieconsent|"
    r"consent[-_ ]?(banner|bar|popup|modal)|cc[-_](banner|window)|gdpr[-_]?(banner|popup)|"
    r"\bnavbar\b|breadcrumb|skip[-_]?(link|nav)|\bgnb\b|\blnb\b",
    re.I,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr")
)  # fmt: skip
_BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3",
    "h4", "h5", "h6", "blockquote", "pre", "address", "figure", "figcaption", "header", "footer",
    "aside", "details", "summary", "hr", "br", "center", "body", "html", "form", "fieldset", "legend",
})  # fmt: skip
_MAX_SPAN = 50  # colspan/rowspan beyond this are hostile or broken; clamp


@dataclass
class _Cell:
    header: bool
    colspan: int
    rowspan: int
    parts: list[str] = field(default_factory=list)


@dataclass
class _Table:
    rows: list[list[_Cell]] = field(default_factory=list)
    caption: list[str] = field(default_factory=list)
    cell: _Cell | None = None
    in_caption: bool = False


def read_html(text: str, notes: list[str] | None = None) -> list[Block]:
    """The blocks of an HTML policy; what was dropped, and why, is appended to ``notes``."""
    parser = _PolicyParser()
    parser.feed(text)
    parser.close()
    parser.flush()
    if notes is not None:
        notes.extend(parser.notes)
    return parser.blocks


class _PolicyParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.notes: list[str] = []
        self._skip: tuple[str, int] | None = None  # tag being skipped, nesting depth
        self._pieces: list[tuple[str, bool]] = []
        self._bold = 0
        self._heading = 0
        self._items = 0
        self._content = 0  # inside article or main
        self._tables = 0
        self._table: _Table | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip is not None:
            if tag == self._skip[0]:
                self._skip = (tag, self._skip[1] + 1)
            return
        if tag not in _VOID and self._hidden(tag, dict(attrs)):
            self._skip = (tag, 1)
            return
        if tag in ("b", "strong"):
            self._bold += 1
        elif tag in ("article", "main"):
            self._content += 1
        if tag == "table" or self._tables:
            self._table_start(tag, dict(attrs))
        elif tag == "br" and self._heading:
            self._pieces.append((" ", self._bold > 0))  # 제1조<br>(목적) is one heading
        elif tag in _BLOCKS:
            self.flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self._heading = int(tag[1:])
            elif tag == "li":
                self._items += 1

    def handle_endtag(self, tag: str) -> None:
        if self._skip is not None:
            if tag == self._skip[0]:
                depth = self._skip[1] - 1
                self._skip = (tag, depth) if depth else None
            return
        if tag in ("b", "strong"):
            self._bold = max(0, self._bold - 1)
        elif tag in ("article", "main"):
            self._content = max(0, self._content - 1)
        if self._tables:
            self._table_end(tag)
        elif tag in _BLOCKS:
            self.flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self._heading = 0
            elif tag == "li":
                self._items = max(0, self._items - 1)

    def handle_data(self, data: str) -> None:
        if self._skip is not None:
            return
        table = self._table
        if table is None:
            self._pieces.append((data, self._bold > 0))
        elif table.in_caption:
            table.caption.append(data)
        elif table.cell is not None:
            table.cell.parts.append(data)

    def _hidden(self, tag: str, attrs: dict[str, str | None]) -> bool:
        if tag in _SKIP_TAGS or (tag in _PAGE_FURNITURE and not self._content):
            return True
        if (attrs.get("role") or "") in _SKIP_ROLES or "hidden" in attrs:
            return True
        if (attrs.get("aria-hidden") or "") == "true" or _HIDDEN_STYLE.search(attrs.get("style") or ""):
            return True
        names = f"{attrs.get('id') or ''} {attrs.get('class') or ''}"
        if _BANNER.search(names):
            self.notes.append(f"dropped <{tag} {names.strip()}> as a cookie banner or site navigation")
            return True
        return False

    def flush(self) -> None:
        """End the current paragraph, list item or heading."""

        pieces, self._pieces = self._pieces, []
        text = clean("".join(piece for piece, _ in pieces))
        if not text:
            return
        plain = "".join(piece for piece, bold in pieces if not bold)
        bold = not clean(plain).strip(":：") and any(bold for _, bold in pieces)
        kind: BlockKind = "heading" if self._heading else "item" if self._items else "para"
        self.blocks.append(Block(kind, text, level=self._heading, bold=bold))

    def _table_start(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "table":
            self._tables += 1
            if self._tables == 1:
                self.flush()
                self._table = _Table()
                return
            self.notes.append("a table inside a table cell was read as that cell's text")
        table = self._table
        if table is None or self._tables > 1:
            if table is not None and table.cell is not None:
                table.cell.parts.append(" ")
            return
        if tag == "tr":
            table.rows.append([])
        elif tag in ("td", "th"):
            if not table.rows:
                table.rows.append([])
            table.cell = _Cell(tag == "th", _span(attrs.get("colspan")), _span(attrs.get("rowspan")))
            table.rows[-1].append(table.cell)
        elif tag == "caption":
            table.in_caption = True
        elif table.cell is not None:
            table.cell.parts.append(" ")  # <br>, <p>, <li> inside a cell: one line per cell

    def _table_end(self, tag: str) -> None:
        table = self._table
        if tag == "table":
            self._tables -= 1
            if self._tables == 0 and table is not None:
                self._table = None
                self._emit(table)
        elif table is not None and self._tables == 1:
            if tag in ("td", "th"):
                table.cell = None
            elif tag == "caption":
                table.in_caption = False

    def _emit(self, table: _Table) -> None:

        caption = clean("".join(table.caption))
        if caption:
            self.blocks.append(Block("para", caption))
        grid, first_header = _grid(table.rows)
        if len(grid) == 1 or (grid and len(grid[0]) == 1):
            # a one-row or one-column table is layout, not data: its cells are paragraphs
            self.blocks.extend(Block("para", cell) for row in grid for cell in row if cell)
        elif grid:
            header_row = all(cell.header for cell in table.rows[0]) if table.rows[0] else False
            self.blocks.append(
                Block(
                    "table", rows=grid, header_row=header_row, header_col=all(first_header) and len(grid) > 1
                )
            )


def _span(value: str | None) -> int:
    return min(_MAX_SPAN, max(1, int(value))) if value and value.strip().isdigit() else 1


def _grid(rows: list[list[_Cell]]) -> tuple[tuple[tuple[str, ...], ...], list[bool]]:
    """Rows expanded over colspan and rowspan, empty rows dropped, padded to one width; and for each
    kept row whether its first cell is a header cell."""

    carried: dict[int, tuple[str, int, bool]] = {}  # column → text, rows left, header
    grid: list[list[str]] = []
    first_header: list[bool] = []
    for row in rows:
        cells = iter(row)
        out: list[tuple[str, bool]] = []
        cell = next(cells, None)
        while cell is not None or any(column >= len(out) for column in carried):
            column = len(out)
            if column in carried:
                text, left, header = carried.pop(column)
                if left > 1:
                    carried[column] = (text, left - 1, header)
                out.append((text, header))
            elif cell is None:
                out.append(("", False))
            else:
                text = clean("".join(cell.parts))
                for offset in range(cell.colspan):
                    if cell.rowspan > 1:
                        carried[column + offset] = (text, cell.rowspan - 1, cell.header)
                    out.append((text, cell.header))
                cell = next(cells, None)
        if any(text for text, _ in out):
            grid.append([text for text, _ in out])
            first_header.append(out[0][1])
    width = max((len(row) for row in grid), default=0)
    return tuple(tuple(row + [""] * (width - len(row))) for row in grid), first_header
