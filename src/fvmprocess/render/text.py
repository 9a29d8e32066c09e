"""Label typesetting: the font and its glyph widths, line breaking with Swedish hyphenation,
shrinking to fit a shape, the label size that follows the diagram, and SVG text blocks.

Lines break at word boundaries. A word longer than the line is broken at a hyphenation point
of the Swedish dictionary (pyphen, the LibreOffice patterns) with a visible hyphen, or after a
hyphen or slash it already has; never inside a syllable. Text inside a shape shrinks (down to
:data:`MIN_SHRINK` of its size) before it spills over the border.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import median
from typing import TYPE_CHECKING

from fvmprocess._shared.privacy import redact
from fvmprocess.bpmn.model import Bounds
from fvmprocess.render._tags import Attrs, esc, tag
from fvmprocess.render.options import DEFAULT_FONT_SIZE

if TYPE_CHECKING:
    import pyphen

__all__ = [
    "FONT_FAMILY",
    "HYPHEN",
    "INK",
    "LINE_HEIGHT",
    "MIN_SHRINK",
    "Fitted",
    "Placed",
    "centred_layout",
    "centred_text",
    "di_font_size",
    "fit_text",
    "hyphenation_points",
    "placed_svg",
    "text_block",
    "text_width",
    "wrap_text",
]

FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
#: Distance between baselines relative to the font size.
LINE_HEIGHT = 1.2
#: The colour of text and lines.
INK = "#222222"
#: What ends a line broken inside a word.
HYPHEN = "-"
#: Text inside a shape shrinks to at most this share of its size before it spills.
MIN_SHRINK = 0.7
#: The pyphen dictionary for breaking long words (labels are Swedish).
HYPHENATION_LANG = "sv"

#: Advance widths of DejaVu Sans (units of 1/2048 em) for U+0020–U+007E and U+00A0–U+00FF,
#: read from DejaVuSans.ttf; other characters count as a digit's width.
_UNITS_PER_EM = 2048
_OTHER = 1303


def _advances(units: str) -> tuple[int, ...]:
    return tuple(int(u) for u in units.split())


_ASCII = _advances(
    "651 821 942 1716 1303 1946 1597 563 799 799 1024 1716 651 739 651 690 1303 1303 1303 "
    "1303 1303 1303 1303 1303 1303 1303 690 690 1716 1716 1716 1087 2048 1401 1405 1430 1577 "
    "1294 1178 1587 1540 604 604 1343 1141 1767 1532 1612 1235 1612 1423 1300 1251 1499 1401 "
    "2025 1403 1251 1403 799 690 799 1716 1024 1024 1255 1300 1126 1300 1260 721 1300 1298 "
    "569 569 1186 569 1995 1298 1253 1300 1300 842 1067 803 1298 1212 1675 1212 1212 1075 "
    "1303 690 1303 1716 "
)
_LATIN1 = _advances(
    "651 821 1303 1303 1303 1303 690 1024 1024 2048 965 1253 1716 739 2048 1024 1024 1716 821 "
    "821 1024 1303 1303 651 1024 821 965 1253 1985 1985 1985 1087 1401 1401 1401 1401 1401 "
    "1401 1995 1430 1294 1294 1294 1294 604 604 604 604 1587 1532 1612 1612 1612 1612 1612 "
    "1716 1612 1499 1499 1499 1499 1251 1239 1290 1255 1255 1255 1255 1255 1255 2011 1126 "
    "1260 1260 1260 1260 569 569 569 569 1253 1298 1253 1253 1253 1253 1253 1716 1253 1298 "
    "1298 1298 1298 1212 1300 1212 "
)
_WIDER = {"–": 1024, "—": 2048, "…": 2048, "‘": 651, "’": 651, "“": 1061, "”": 1061}


def _advance(ch: str) -> int:
    o = ord(ch)
    if 32 <= o < 127:
        return _ASCII[o - 32]
    if 160 <= o < 256:
        return _LATIN1[o - 160]
    return _WIDER.get(ch, _OTHER)


def text_width(text: str, font_size: float) -> float:
    """The width of ``text`` set in DejaVu Sans at ``font_size``, in diagram pixels."""
    return sum(_advance(ch) for ch in text) * font_size / _UNITS_PER_EM


# -- hyphenation -----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    import pyphen

    # at least three letters on each side: no "Blo-d", no "-en"
    return pyphen.Pyphen(lang=HYPHENATION_LANG, left=3, right=3)


@lru_cache(maxsize=4096)
def hyphenation_points(word: str) -> tuple[int, ...]:
    """Where ``word`` may be broken: dictionary points (a hyphen is added there) and the
    places after a hyphen or slash it already has.

    Example:
        >>> hyphenation_points("Ankomstregistrering")
        (7, 9, 11, 15)
    """
    points = set(_dictionary().positions(word))
    points |= {i + 1 for i, ch in enumerate(word[:-1]) if ch in "-/" and i > 0}
    return tuple(sorted(points))


def _break_word(
    word: str, room: float, font_size: float, *, force: bool = False
) -> tuple[str, str] | None:
    """The longest head of ``word`` that fits ``room`` (with its hyphen), and the rest; with
    ``force``, the shortest head when none fits (it overflows less than the whole word)."""
    heads = [
        (word[:p] if word[p - 1] in "-/" else word[:p] + HYPHEN, word[p:])
        for p in hyphenation_points(word)
    ]
    for head, rest in reversed(heads):
        if text_width(head, font_size) <= room:
            return head, rest
    return heads[0] if force and heads else None


# -- line breaking ---------------------------------------------------------------------------
def wrap_text(text: str, width: float, font_size: float) -> list[str]:
    """Break a label into lines of at most ``width`` pixels at ``font_size``.

    Identity numbers are redacted first (:func:`fvmprocess._shared.privacy.redact`), so
    no line break can split one past the redaction. Lines break between words; a word wider
    than a line is hyphenated (see
    :func:`hyphenation_points`). Where no point fits, the piece overflows (at the first point,
    or the whole word when it has none) rather than being cut inside a syllable.

    Example:
        >>> wrap_text("Ankomstregistrering", 80, 11)
        ['Ankomstregi-', 'strering']
    """
    lines: list[str] = []
    for para in redact(text).splitlines():  # before breaking: no number split across lines
        lines += _wrap_paragraph(para.split(), width, font_size)
    return lines


def _wrap_paragraph(words: Sequence[str], width: float, fs: float) -> list[str]:
    lines: list[str] = []
    line = ""
    space = text_width(" ", fs)
    for word in words:
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, fs) <= width:
            line = candidate
            continue
        if text_width(word, fs) <= width:  # starts the next line whole
            lines.append(line)
            line = word
            continue
        if line:  # too long for any line: fill this one with its head
            room = width - text_width(line, fs) - space
            parts = _break_word(word, room, fs)
            lines.append(f"{line} {parts[0]}" if parts else line)
            word = parts[1] if parts else word
        line = _hyphenate_into(word, width, fs, lines)
    if line:
        lines.append(line)
    return lines


def _hyphenate_into(word: str, width: float, fs: float, lines: list[str]) -> str:
    """Append full-width pieces of ``word`` to ``lines``; return the last piece."""
    while text_width(word, fs) > width:
        parts = _break_word(word, width, fs, force=True)
        if parts is None:
            break
        lines.append(parts[0])
        word = parts[1]
    return word


# -- fitting ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Fitted:
    """A label set for a box: its lines and the font size they fit at.

    Attributes:
        lines: the lines.
        font_size: the size used (smaller than asked when the text was shrunk).
        fits: False when even the smallest size spills over the box.
    """

    lines: tuple[str, ...]
    font_size: float
    fits: bool


def fit_text(text: str, width: float, height: float, font_size: float) -> Fitted:
    """Set ``text`` in a ``width`` × ``height`` box, shrinking the font (down to
    :data:`MIN_SHRINK` of ``font_size``) until no line is too wide and the lines fit the
    height; at the smallest size the text spills.

    Example:
        >>> fit_text("Registrering och triage enligt RETTS", 88, 40, 14).font_size
        10.9
    """
    floor = font_size * MIN_SHRINK
    size = font_size
    while True:
        lines = tuple(wrap_text(text, width, size))
        fits = _fits(lines, width, height, size)
        if fits or size <= floor:
            return Fitted(lines, size, fits)
        size = max(floor, round(size * 0.92, 2))


def _fits(lines: Sequence[str], width: float, height: float, size: float) -> bool:
    if len(lines) * size * LINE_HEIGHT > height + 0.01:
        return False
    return all(text_width(line, size) <= width + 0.01 for line in lines)


def di_font_size(task_bounds: Sequence[Bounds]) -> float:
    """The label size the diagram is drawn for: :data:`DEFAULT_FONT_SIZE` at bpmn-js's
    100 × 80 tasks, scaled with the median task's size (between 9 and 28 px).

    Example:
        >>> di_font_size([Bounds(0, 0, 200, 160)])
        22.0
    """
    if not task_bounds:
        return DEFAULT_FONT_SIZE
    area = float(median([b.width * b.height for b in task_bounds]))
    size = DEFAULT_FONT_SIZE * math.sqrt(area / 8000.0)
    return min(28.0, max(9.0, round(size * 2) / 2))


# -- SVG -------------------------------------------------------------------------------------
def text_block(
    lines: Sequence[str],
    x: float,
    y_first: float,
    font_size: float,
    *,
    anchor: str = "middle",
    colour: str = INK,
    cls: str = "bpmn-label",
    transform: str | None = None,
) -> str:
    """A ``<text>`` of one ``<tspan>`` per line, the first baseline at ``y_first``."""
    lh = font_size * LINE_HEIGHT
    spans = "".join(
        tag("tspan", {"x": x, "y": y_first + i * lh}, esc(redact(line)))
        for i, line in enumerate(lines)
    )
    attrs: Attrs = {
        "class": cls,
        "x": x,
        "y": y_first,
        "font-size": font_size,
        "text-anchor": anchor,
        "fill": colour,
        "transform": transform,
    }
    return tag("text", attrs, spans)


@dataclass(frozen=True, slots=True)
class Placed:
    """A label laid out centred in a box: its lines, size, first baseline and line boxes.

    Attributes:
        lines: the lines.
        font_size: the size used.
        x: the centre line.
        y_first: the first baseline.
        boxes: one box per line (the glyphs' extent, ascent to descent).
        fits: False when the text spills over its box even at the smallest size.
    """

    lines: tuple[str, ...]
    font_size: float
    x: float
    y_first: float
    boxes: tuple[Bounds, ...]
    fits: bool


def centred_layout(
    text: str, b: Bounds, font_size: float, *, pad: float = 6.0, shrink: bool = True
) -> Placed:
    """``text`` laid out centred in ``b`` (less ``pad`` on the sides), shrunk to fit unless
    ``shrink`` is False."""
    width = max(b.width - 2 * pad, font_size * 3)
    if shrink:
        fitted = fit_text(text, width, b.height, font_size)
        lines, size, fits = fitted.lines, fitted.font_size, fitted.fits
    else:
        lines, size = tuple(wrap_text(text, width, font_size)), font_size
        fits = _fits(lines, width, b.height, size)
    cx, cy = b.center
    lh = size * LINE_HEIGHT
    y0 = cy - (len(lines) - 1) * lh / 2 + size * 0.35
    boxes = tuple(
        Bounds(cx - (w := text_width(line, size)) / 2, y0 + i * lh - size * 0.95, w, size * 1.2)
        for i, line in enumerate(lines)
    )
    return Placed(lines, size, cx, y0, boxes, fits)


def placed_svg(p: Placed, *, colour: str = INK) -> str:
    """The SVG text of a laid-out label (empty for no lines)."""
    if not p.lines:
        return ""
    return text_block(p.lines, p.x, p.y_first, p.font_size, colour=colour)


def centred_text(
    text: str,
    b: Bounds,
    font_size: float,
    *,
    colour: str = INK,
    pad: float = 6.0,
    shrink: bool = True,
) -> str:
    """``text`` set in ``b`` (less ``pad`` on the sides) and centred; it shrinks to fit
    unless ``shrink`` is False. Empty for an empty text."""
    return placed_svg(centred_layout(text, b, font_size, pad=pad, shrink=shrink), colour=colour)
