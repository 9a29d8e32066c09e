"""Paged media: BPMN diagrams cut into page-sized parts whose text stays legible on paper.

A region's standard is often 2 500 diagram units wide with 10–11 unit text; scaled to the
width of an A4 page its text would be 3 pt. The PDF instead prints a diagram on landscape pages
(the ``wide`` page of ``style.css.j2``), at the largest scale that both keeps its smallest text
at least :data:`MIN_TEXT_PT` and needs the fewest parts: one part when the whole diagram fits,
else ``cols × rows`` overlapping parts of equal size, read left to right, top to bottom.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from fvmprocess._shared.labels import Lang
from fvmprocess.render.text import wrap_text
from fvmprocess.report._text import LABELS

__all__ = [
    "HEAT_COLUMNS",
    "MIN_TEXT_PT",
    "WIDE_PAGE",
    "PageBox",
    "PrintPart",
    "Tile",
    "print_heading",
    "print_parts",
    "tiles",
]

#: The smallest text size a printed diagram may have (points).
MIN_TEXT_PT = 6.0
#: Neighbouring parts share this share of a part's width (or height), so a label cut at one
#: part's edge is whole in the next.
_OVERLAP = 0.03
_PT_PER_MM = 72 / 25.4


@dataclass(frozen=True, slots=True)
class PageBox:
    """The room a diagram part has on its page, in points."""

    width: float
    height: float


#: A4 landscape with the ``wide`` page's margins (8 mm top/bottom, 10 mm left/right), less
#: room (90 pt) for the headings, the meta line and the caption above and below a part.
WIDE_PAGE = PageBox(width=(297 - 20) * _PT_PER_MM, height=(210 - 16) * _PT_PER_MM - 90)


#: The printed heatmap: at most this many activity columns per table on a portrait A4 page,
#: the unit column :data:`_HEAT_FIRST_PT` wide, headings in :data:`_HEAT_FONT_PT` bold.
HEAT_COLUMNS = 8
_HEAT_FIRST_PT = 100.0
_HEAT_FONT_PT = 6.5
_PORTRAIT_WIDTH_PT = (210 - 28) * _PT_PER_MM
_BOLD = 1.12  # DejaVu Sans Bold is about this much wider than the regular face measured


def print_heading(text: str) -> Markup:
    """A printed heatmap heading broken into lines that fit its column: at word boundaries,
    long Swedish compounds at the dictionary's hyphenation points with a visible hyphen
    (:func:`fvmprocess.render.text.wrap_text`). The breaks are made here, not by the PDF
    renderer, which drops the hyphen at some soft hyphens."""
    column = (_PORTRAIT_WIDTH_PT - _HEAT_FIRST_PT) / HEAT_COLUMNS - 4
    lines = wrap_text(text, column / _BOLD, _HEAT_FONT_PT)
    return Markup("<br>").join(escape(line) for line in lines)


@dataclass(frozen=True, slots=True)
class Tile:
    """One part: its viewBox in diagram units and its printed size in points."""

    x: float
    y: float
    w: float
    h: float
    width_pt: float
    height_pt: float


@dataclass(frozen=True, slots=True)
class PrintPart:
    """A diagram part as the template prints it."""

    svg: Markup
    index: int
    count: int
    caption: str


def _starts(total: float, part: float, n: int) -> list[float]:
    """Where ``n`` parts of length ``part`` start so that they cover ``total`` evenly."""
    if n <= 1:
        return [0.0]
    return [(total - part) * i / (n - 1) for i in range(n)]


def _count(total: float, room: float) -> int:
    """Parts of length ``room`` (overlapping by :data:`_OVERLAP`) that cover ``total``."""
    if total <= room:
        return 1
    return math.ceil((total - room * _OVERLAP) / (room * (1 - _OVERLAP)))


def tiles(
    x: float,
    y: float,
    w: float,
    h: float,
    *,
    min_font: float,
    page: PageBox = WIDE_PAGE,
    min_pt: float = MIN_TEXT_PT,
) -> list[Tile]:
    """The parts a ``w × h`` diagram (origin ``x, y``) is printed in.

    The whole diagram is one part when it fits the page with its smallest text
    (``min_font`` diagram units) at ``min_pt`` or more; else it is cut into columns (and rows)
    printed at exactly the scale that makes ``min_font`` ``min_pt`` points.

    Example:
        >>> [round(t.w) for t in tiles(0, 0, 2504, 673, min_font=10)]
        [1271, 1271]
    """
    fit = min(page.width / w, page.height / h)
    need = min_pt / min_font
    if fit >= need:
        return [Tile(x, y, w, h, w * fit, h * fit)]
    cols = _count(w * need, page.width)
    rows = _count(h * need, page.height)
    part_w = w if cols == 1 else page.width / need
    part_h = h if rows == 1 else page.height / need
    scale = need
    if cols > 1:  # spread the columns' overlap evenly: the parts get wider, the text larger
        part_w = w / (cols - (cols - 1) * _OVERLAP)
        scale = page.width / part_w
        if rows == 1 and h * scale > page.height:
            scale = page.height / h
            part_w = page.width / scale
    if rows > 1:
        part_h = page.height / scale
    return [
        Tile(x + dx, y + dy, part_w, part_h, part_w * scale, part_h * scale)
        for dy in _starts(h, part_h, rows)
        for dx in _starts(w, part_w, cols)
    ]


_SVG_TAG = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([-\d.eE+]+)[ ,]+([-\d.eE+]+)[ ,]+([-\d.eE+]+)[ ,]+([-\d.eE+]+)"')
_FONT = re.compile(r'font-size(?:="|:\s*)([\d.]+)')
_SIZE = re.compile(r'\s(?:width|height|viewBox|preserveAspectRatio)="[^"]*"')


def _min_font(svg: str) -> float:
    sizes = [float(v) for v in _FONT.findall(svg) if float(v) > 0]
    return min(sizes) if sizes else 11.0


def print_parts(svg: str, lang: Lang) -> tuple[PrintPart, ...]:
    """The printed parts of one diagram SVG (nothing for an empty text or an SVG without a
    viewBox); each part is the same SVG with its own viewBox and size in points."""
    tag = _SVG_TAG.search(svg)
    box = _VIEWBOX.search(tag.group(0)) if tag else None
    if tag is None or box is None:
        return ()
    x, y, w, h = (float(v) for v in box.groups())
    if w <= 0 or h <= 0:
        return ()
    parts = tiles(x, y, w, h, min_font=_min_font(svg))
    head, rest = tag.group(0), svg[tag.end() :]
    bare = _SIZE.sub("", head)[:-1].rstrip("/")
    out = []
    for i, t in enumerate(parts):
        new = (
            f'{bare} viewBox="{t.x:.2f} {t.y:.2f} {t.w:.2f} {t.h:.2f}" '
            f'width="{t.width_pt:.1f}pt" height="{t.height_pt:.1f}pt" '
            'preserveAspectRatio="xMinYMin meet">'
        )
        caption = LABELS[lang]["diagram_part"].format(i=i + 1, n=len(parts))
        out.append(PrintPart(Markup(svg[: tag.start()] + new + rest), i + 1, len(parts), caption))
    return tuple(out)
