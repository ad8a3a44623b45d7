"""The report's pictures as SVG: a bar chart drawn by matplotlib, the flow diagram drawn by hand.

- `bar_chart`: horizontal bars (the share of third-party flows per country), matplotlib's SVG
  backend through a bare `Figure`, so no display and no pyplot state. Text is drawn as glyph paths
  (``svg.fonttype = path``): Korean labels need no font on the reader's machine. The Nanum font of
  Debian's ``fonts-nanum`` is registered with matplotlib when present; without it DejaVu Sans is used.
- `flow_diagram`: data type → organisation → country, a Sankey-style diagram whose bands are
  proportional to the hits they carry, written as SVG by this module (no third-party Sankey code).

The report embeds each picture as ``<img src="data:image/svg+xml;base64,...">`` (`data_uri`): an SVG
shown as an image can run no script. Labels are the report's hostile strings and are escaped here.
"""

from __future__ import annotations

import base64
import io
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

NANUM_FOLDERS = (
    Path("/usr/share/fonts/truetype/nanum"),  # Debian and Ubuntu: fonts-nanum
    Path("/usr/share/fonts/naver-nanum"),  # Fedora: naver-nanum-gothic-fonts
    Path("/usr/share/fonts/nanum"),
)
"""Where distributions install the Nanum fonts, tried in order."""
FONT_STACK = "NanumGothic, 'Nanum Gothic', 'DejaVu Sans', sans-serif"
"""The font families of the hand-written SVG, as CSS names them."""
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
"""Band colours, one per organisation (matplotlib's tab10, without grey and olive)."""
_INK, _MUTED, _BAR = "#1a1a1a", "#5f6368", "#3b6ea8"


def nanum_font(bold: bool = False) -> Path | None:
    """The NanumGothic font file (or its bold face) of this machine, or None."""
    name = "NanumGothicBold.ttf" if bold else "NanumGothic.ttf"
    return next((folder / name for folder in NANUM_FOLDERS if (folder / name).is_file()), None)


@cache
def _chart_fonts() -> tuple[str, ...]:
    """Font families for matplotlib: NanumGothic (registered once) when installed, then DejaVu Sans."""
    path = nanum_font()
    if path is None:
        return ("DejaVu Sans",)
    try:
        font_manager.fontManager.addfont(str(path))
        return (font_manager.FontProperties(fname=str(path)).get_name(), "DejaVu Sans")
    except (OSError, RuntimeError, ValueError):  # an unreadable font file: fall back silently
        return ("DejaVu Sans",)


def data_uri(svg: str) -> str:
    """``svg`` as a ``data:`` URI for an ``<img>``, where no script it might hold can run."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its length (a share, 0-1) and the text written after it."""

    label: str
    share: float
    text: str


def bar_chart(bars: Sequence[Bar]) -> str:
    """Horizontal bars, largest first as given, as an SVG document."""
    with (
        matplotlib.rc_context(
            {
                "font.family": list(_chart_fonts()),
                "font.size": 10,
                "svg.fonttype": "path",
                "svg.hashsalt": "privprobe",  # stable ids: the same report gives the same SVG
                "axes.unicode_minus": False,
            }
        ),
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", message="Glyph .* missing from")  # DejaVu lacks Hangul
        figure = Figure(figsize=(7.2, 0.42 * len(bars) + 0.9), dpi=100)
        _draw_bars(figure, bars)
        figure.tight_layout()
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _draw_bars(figure: Figure, bars: Sequence[Bar]) -> None:
    axes = figure.add_subplot()
    rows = range(len(bars))
    axes.barh(rows, [bar.share for bar in bars], color=_BAR, height=0.62)
    axes.set_yticks(rows, [bar.label for bar in bars])
    axes.invert_yaxis()
    top = max((bar.share for bar in bars), default=0.0)
    axes.set_xlim(0, max(top * 1.45, 0.05))
    axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    for row, bar in zip(rows, bars, strict=True):
        axes.text(bar.share, row, f"  {bar.text}", va="center", color=_INK)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


@dataclass(frozen=True, slots=True)
class Link:
    """Hits of one data type received by one organisation in one country (labels as shown)."""

    data_type: str
    organisation: str
    country: str
    hits: int


_WIDTH, _SIDE, _NODE, _GAP, _TOP, _LABEL = 860, 210, 12, 14, 16, 22
"""Sizes in pixels; ``_LABEL`` is the label room in columns (a Korean character takes two)."""


@dataclass(frozen=True, slots=True)
class _Node:
    column: int
    label: str
    value: int
    x: float
    y: float


def flow_diagram(links: Sequence[Link]) -> str:
    """Data type → organisation → country as an SVG document; band widths proportional to hits."""
    links = [link for link in links if link.hits > 0]
    columns = [_totals(links, column) for column in range(3)]
    rows = max(len(column) for column in columns)
    plot = max(200, rows * 32)
    total = sum(link.hits for link in links) or 1
    scale = (plot - _GAP * (rows - 1)) / total
    nodes = _place(columns, scale, plot)
    colours = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(columns[1])}
    first = _bands(nodes, _sums(links, 0, 1), 0, scale, lambda source, target: colours[target])
    second = _bands(nodes, _sums(links, 1, 2), 1, scale, lambda source, target: colours[source])
    parts = [*first, *second, *(_node(node, scale) for node in nodes.values())]
    height = _TOP * 2 + plot
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" font-family="{FONT_STACK}" font-size="13">'
        + "".join(parts)
        + "</svg>"
    )


def _totals(links: Sequence[Link], column: int) -> dict[str, int]:
    """Labels of one column with their hits, largest first (ties by label)."""
    totals: dict[str, int] = {}
    for link in links:
        label = (link.data_type, link.organisation, link.country)[column]
        totals[label] = totals.get(label, 0) + link.hits
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def _sums(links: Sequence[Link], left: int, right: int) -> dict[tuple[str, str], int]:
    sums: dict[tuple[str, str], int] = {}
    for link in links:
        labels = (link.data_type, link.organisation, link.country)
        key = (labels[left], labels[right])
        sums[key] = sums.get(key, 0) + link.hits
    return sums


def _place(columns: list[dict[str, int]], scale: float, plot: float) -> dict[tuple[int, str], _Node]:
    """Nodes stacked in each column, centred vertically."""
    xs = (_SIDE, (_WIDTH - _NODE) / 2, _WIDTH - _SIDE - _NODE)
    nodes = {}
    for column, totals in enumerate(columns):
        height = sum(totals.values()) * scale + _GAP * (len(totals) - 1)
        y = _TOP + (plot - height) / 2
        for label, value in totals.items():
            nodes[(column, label)] = _Node(column, label, value, xs[column], y)
            y += value * scale + _GAP
    return nodes


def _bands(
    nodes: dict[tuple[int, str], _Node],
    sums: dict[tuple[str, str], int],
    left: int,
    scale: float,
    colour: Callable[[str, str], str],
) -> list[str]:
    """The bands from column ``left`` to the next, stacked in each node in the order of the other ends."""
    order = {key: index for index, key in enumerate(nodes)}
    pairs = sorted(sums.items(), key=lambda item: (order[(left, item[0][0])], order[(left + 1, item[0][1])]))
    out: dict[str, float] = {}
    into: dict[str, float] = {}
    paths = []
    for (source, target), value in pairs:
        start, end = nodes[(left, source)], nodes[(left + 1, target)]
        width = value * scale
        y0, y1 = start.y + out.get(source, 0.0), end.y + into.get(target, 0.0)
        out[source] = out.get(source, 0.0) + width
        into[target] = into.get(target, 0.0) + width
        paths.append(_band(start.x + _NODE, y0, end.x, y1, width, colour(source, target)))
    return paths


def _band(x0: float, y0: float, x1: float, y1: float, width: float, colour: str) -> str:
    """A band of constant ``width`` from (x0, y0) to (x1, y1): two cubic curves and their join."""
    middle = (x0 + x1) / 2
    top = f"M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
    bottom = (
        f"L{x1:.1f},{y1 + width:.1f} C{middle:.1f},{y1 + width:.1f} {middle:.1f},{y0 + width:.1f} "
        f"{x0:.1f},{y0 + width:.1f} Z"
    )
    return f'<path d="{top} {bottom}" fill="{colour}" fill-opacity="0.38" stroke="none"/>'


def _node(node: _Node, scale: float) -> str:
    """A node's bar and its label: outside on the left and right columns, beside it in the middle."""
    height = max(node.value * scale, 1.0)
    centre = node.y + height / 2
    if node.column == 0:
        x, anchor = node.x - 6, "end"
    else:
        x, anchor = node.x + _NODE + 6, "start"
    label = escape(_clip(node.label, _LABEL))
    return (
        f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{_NODE}" height="{height:.1f}" fill="{_INK}"/>'
        f'<text x="{x:.1f}" y="{centre:.1f}" dy="0.35em" text-anchor="{anchor}" fill="{_INK}">{label} '
        f'<tspan fill="{_MUTED}">({node.value:,})</tspan></text>'
    )


def _clip(text: str, room: int) -> str:
    """``text`` cut to ``room`` columns, a Korean or Chinese character counting two."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used > room:
            return text[: max(index - 1, 0)] + "…"
    return text
