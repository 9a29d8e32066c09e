"""Overlays: results painted over a diagram — the data (:class:`Overlay`), how a conformance
result becomes one (:func:`deviation_overlay`) and how its notes, badges, counts and legend are
painted.

:func:`deviation_overlay` turns a :class:`~fvmprocess.conformance.ConformanceResult` (all units,
or one unit) into an overlay:

* **tasks** are filled by their skip rate on a colour-blind-safe sequential palette
  (ColorBrewer *Oranges*) on a scale fitted to the data (:func:`skip_scale_max`: from 0 % to
  the largest rate rounded up to a round step, at most :data:`SKIP_SCALE_MAX`), its range in
  the legend; moved steps get a coloured border;
* **badges** show the skip share (``↷ 18 %``) and the late share (``◔ 12 %``) of the cases;
  small counts are shown as ``<5`` (:mod:`fvmprocess._shared.privacy`) instead of a share;
* **notes** mark inserted, repeated, moved and unknown activities near the task the log was at
  when they occurred (the preceding event of the case, found from the variant's alignment);
* **flows** get widths and labels from directly-follows counts: each pair of consecutive
  activities of a variant (weighted by its cases) is mapped onto the sequence flows of the
  path from the first task to the second through gateways and events (shortest such path;
  best effort — pairs without a path through non-task nodes are not drawn);
* a **legend** in Swedish or English listing exactly the colours, badges and symbols used,
  with ``<5`` explained when it appears.

Example:
    >>> from fvmprocess.render.svg import to_svg  # doctest: +SKIP
    >>> svg = to_svg(model, overlay=deviation_overlay(result, unit="Akuten Borås"))  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from fvmprocess._shared.labels import Lang
from fvmprocess._shared.privacy import MIN_CELL, format_count, is_small
from fvmprocess._shared.vocab import DeviationKind
from fvmprocess.bpmn.model import Bounds
from fvmprocess.render._tags import Attrs, Point, tag
from fvmprocess.render.text import INK, LINE_HEIGHT, text_block, text_width, wrap_text

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.conformance import ConformanceResult

__all__ = [
    "PALETTES",
    "SKIP_SCALE_MAX",
    "ElementStyle",
    "FlowStyle",
    "Note",
    "Overlay",
    "Palette",
    "PlacedNote",
    "badge_svg",
    "deviation_overlay",
    "directly_follows_flows",
    "flow_count_svg",
    "fmt_share",
    "heat_colour",
    "is_dark",
    "legend_svg",
    "note_svg",
    "place_notes",
    "skip_scale_max",
]

Palette = Literal["blues", "oranges", "greens", "viridis", "cividis"]


def _colours(hexes: str) -> tuple[str, ...]:
    return tuple(hexes.split())


#: Colour-blind-safe sequential palettes (ColorBrewer single-hue, viridis, cividis), light→dark.
PALETTES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "blues": _colours(
            "#f7fbff #deebf7 #c6dbef #9ecae1 #6baed6 #4292c6 #2171b5 #08519c #08306b"
        ),
        "oranges": _colours(
            "#fff5eb #fee6ce #fdd0a2 #fdae6b #fd8d3c #f16913 #d94801 #a63603 #7f2704"
        ),
        "greens": _colours(
            "#f7fcf5 #e5f5e0 #c7e9c0 #a1d99b #74c476 #41ab5d #238b45 #006d2c #00441b"
        ),
        "viridis": _colours(
            "#fde725 #b5de2b #6ece58 #35b779 #1f9e89 #26828e #31688e #3e4989 #482878 #440154"
        ),
        "cividis": _colours(
            "#fee838 #e1cf5a #c3b86e #a6a27a #8b8c7d #727779 #5a646f #3e5277 #1d3f6e #00224e"
        ),
    }
)


# -- the overlay data ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ElementStyle:
    """How the overlay paints one shape.

    Attributes:
        fill: fill colour (CSS colour), or None to keep the default.
        stroke: border colour, or None.
        stroke_width: border width in diagram pixels, or None.
        badge: short text in a pill at the shape's top-right corner (``"12 %"``, ``"↷ 5"``).
        badge_colour: the pill's colour.
        tooltip: text shown on hover (an SVG ``<title>``).
    """

    fill: str | None = None
    stroke: str | None = None
    stroke_width: float | None = None
    badge: str | None = None
    badge_colour: str = "#d55e00"
    tooltip: str | None = None


@dataclass(frozen=True, slots=True)
class FlowStyle:
    """How the overlay paints one flow (sequence or message flow, association).

    Attributes:
        colour: line and arrowhead colour, or None.
        width: line width (e.g. scaled by frequency), or None.
        label: extra text drawn at the flow's midpoint (e.g. ``"134"``).
        tooltip: hover text.
        dash: an SVG ``stroke-dasharray`` for the line (e.g. ``"6,4"``), or None.
    """

    colour: str | None = None
    width: float | None = None
    label: str | None = None
    tooltip: str | None = None
    dash: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """Something not in the model, drawn as a small dashed box near an element or flow.

    Attributes:
        near: id of the flow node, flow or other drawn element the note belongs to.
        text: the note (e.g. ``"+ Röntgen (14 fall)"`` for an inserted activity).
        colour: border and text colour.
    """

    near: str
    text: str
    colour: str = "#d55e00"


def _merge(new: Any, old: Any) -> Any:
    return new if new is not None else old


@dataclass(frozen=True)
class Overlay:
    """Conformance (or any) results painted over a diagram; immutable, built fluently.

    Example:
        >>> ov = (Overlay()
        ...       .with_element("Task_1", fill="#fdae6b", badge="12 %", tooltip="Hoppas över")
        ...       .with_flow("Flow_3", colour="#0072b2", width=4, label="134")
        ...       .add_note("Flow_3", "+ Röntgen", "#d55e00")
        ...       .with_legend([("#fdae6b", "ofta hoppad över")]))
        >>> ov.elements["Task_1"].badge
        '12 %'
    """

    elements: Mapping[str, ElementStyle] = field(default_factory=lambda: MappingProxyType({}))
    flows: Mapping[str, FlowStyle] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[Note, ...] = ()
    legend: tuple[tuple[str, str], ...] = ()

    def with_element(
        self,
        element_id: str,
        *,
        fill: str | None = None,
        stroke: str | None = None,
        stroke_width: float | None = None,
        badge: str | None = None,
        badge_colour: str | None = None,
        tooltip: str | None = None,
    ) -> Overlay:
        """A copy with the element's style set (merged with what was set before)."""
        old = self.elements.get(element_id, ElementStyle())
        new = ElementStyle(
            fill=_merge(fill, old.fill),
            stroke=_merge(stroke, old.stroke),
            stroke_width=_merge(stroke_width, old.stroke_width),
            badge=_merge(badge, old.badge),
            badge_colour=_merge(badge_colour, old.badge_colour),
            tooltip=_merge(tooltip, old.tooltip),
        )
        return replace(self, elements=MappingProxyType({**self.elements, element_id: new}))

    def with_flow(
        self,
        flow_id: str,
        *,
        colour: str | None = None,
        width: float | None = None,
        label: str | None = None,
        tooltip: str | None = None,
        dash: str | None = None,
    ) -> Overlay:
        """A copy with the flow's style set (merged with what was set before)."""
        old = self.flows.get(flow_id, FlowStyle())
        new = FlowStyle(
            colour=_merge(colour, old.colour),
            width=_merge(width, old.width),
            label=_merge(label, old.label),
            tooltip=_merge(tooltip, old.tooltip),
            dash=_merge(dash, old.dash),
        )
        return replace(self, flows=MappingProxyType({**self.flows, flow_id: new}))

    def add_note(self, near_element_id: str, text: str, colour: str = "#d55e00") -> Overlay:
        """A copy with a dashed note box near an element or at a flow's midpoint."""
        return replace(self, notes=(*self.notes, Note(near_element_id, text, colour)))

    def with_legend(self, entries: Iterable[tuple[str, str]]) -> Overlay:
        """A copy whose legend is these ``(colour, text)`` entries."""
        return replace(self, legend=tuple((c, t) for c, t in entries))

    def with_fills(self, colours: Mapping[str, str]) -> Overlay:
        """A copy with each element's fill set, e.g. from :meth:`heat`."""
        ov = self
        for element_id, colour in colours.items():
            ov = ov.with_element(element_id, fill=colour)
        return ov

    @staticmethod
    def heat(
        values: Mapping[str, float],
        vmin: float | None = None,
        vmax: float | None = None,
        palette: Palette | Sequence[str] = "blues",
    ) -> dict[str, str]:
        """Map values per id to colours of a colour-blind-safe sequential palette.

        Args:
            values: id -> value (frequency, share of deviations…).
            vmin: value of the lightest colour (default: the smallest value).
            vmax: value of the darkest colour (default: the largest value).
            palette: a name from :data:`PALETTES` or a list of hex colours, light to dark.

        Returns:
            id -> ``"#rrggbb"``, in the order of ``values``.
        """
        if not values:
            return {}
        lo = min(values.values()) if vmin is None else vmin
        hi = max(values.values()) if vmax is None else vmax
        return {k: heat_colour(v, lo, hi, palette) for k, v in values.items()}


# -- colours ---------------------------------------------------------------------------------
def heat_colour(
    value: float, vmin: float, vmax: float, palette: Palette | Sequence[str] = "blues"
) -> str:
    """The colour of ``value`` on a sequential palette between ``vmin`` and ``vmax``.

    Raises:
        ValueError: an unknown palette name or a palette with fewer than two colours.
    """
    if isinstance(palette, str):
        if palette not in PALETTES:
            raise ValueError(
                f"unknown palette {palette!r}; expected one of {', '.join(sorted(PALETTES))}"
            )
        colours: Sequence[str] = PALETTES[palette]
    else:
        colours = palette
    if len(colours) < 2:
        raise ValueError("a palette needs at least two colours")
    t = 0.0 if vmax <= vmin else (value - vmin) / (vmax - vmin)
    t = min(1.0, max(0.0, t)) * (len(colours) - 1)
    i = min(int(t), len(colours) - 2)
    a, b = _rgb(colours[i]), _rgb(colours[i + 1])
    f = t - i
    return "#" + "".join(f"{round(a[k] + (b[k] - a[k]) * f):02x}" for k in range(3))


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", c):
        raise ValueError(f"colour {colour!r} is not #rgb or #rrggbb")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def is_dark(colour: str | None) -> bool:
    """True for a colour on which white text reads better than black."""
    if not colour:
        return False
    try:
        r, g, b = _rgb(colour)
    except ValueError:
        return False
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 110


# -- painting --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlacedNote:
    """An overlay note's box, computed before drawing so the canvas includes it."""

    note: Note
    box: Bounds
    anchor: Point
    lines: tuple[str, ...]


def place_notes(
    notes: Sequence[Note],
    anchor_of: Callable[[str], Point | None],
    obstacles: Sequence[Bounds],
    font_size: float,
) -> list[PlacedNote]:
    """Boxes for notes near their element: the nearest of the spots around the anchor (above
    right, right, below right, above left, …, at growing distance) that overlaps no obstacle
    and no note placed before, and whose connector crosses no other note; when none is free,
    above the anchor, climbing past whatever is in the way. Notes without an anchor are
    left out."""
    placed: list[PlacedNote] = []
    fs = font_size * 0.95
    for note in notes:
        a = anchor_of(note.near)
        if a is None:
            continue
        lines = tuple(wrap_text(note.text, 220, fs)) or ("",)
        w = max(text_width(line, fs) for line in lines) + 12
        h = len(lines) * fs * LINE_HEIGHT + 8
        taken = [*obstacles, *(p.box for p in placed)]
        others = [p.box for p in placed]
        box = _note_spot(a, w, h, taken, others)
        placed.append(PlacedNote(note, box, a, lines))
    return placed


def _note_spot(
    a: Point, w: float, h: float, taken: Sequence[Bounds], others: Sequence[Bounds]
) -> Bounds:
    box = Bounds(a[0] + 6, a[1] - 18 - h, w, h)
    for d in (18.0, 40.0, 70.0, 110.0, 160.0, 230.0, 320.0):
        for dx, dy in ((1, -1), (1, 0), (1, 1), (-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1)):
            x = a[0] + 6 if dx > 0 else (a[0] - 6 - w if dx < 0 else a[0] - w / 2)
            x += dx * (d - 18)
            y = a[1] - d - h if dy < 0 else (a[1] + d if dy > 0 else a[1] - h / 2)
            box = Bounds(x, y, w, h)
            if any(box.overlaps(o, margin=3.0) for o in taken):
                continue
            end = (box.x + 8, box.bottom) if box.bottom <= a[1] else (box.x + 8, box.y)
            if not any(_segment_hits(a, end, o) for o in others):
                return box
    box = Bounds(a[0] + 6, a[1] - 18 - h, w, h)  # nothing near is free: climb above
    for _ in range(400):
        hit = [o for o in taken if box.overlaps(o, margin=3.0)]
        if not hit:
            break
        box = Bounds(box.x, min(o.y for o in hit) - h - 4, w, h)
    return box


def _segment_hits(p: Point, q: Point, b: Bounds) -> bool:
    """True when the segment p–q passes through the box (sampled every few pixels)."""
    n = max(2, int(max(abs(q[0] - p[0]), abs(q[1] - p[1])) / 3))
    for i in range(n + 1):
        x = p[0] + (q[0] - p[0]) * i / n
        y = p[1] + (q[1] - p[1]) * i / n
        if b.x < x < b.right and b.y < y < b.bottom:
            return True
    return False


def note_svg(p: PlacedNote, font_size: float) -> str:
    """A placed note: a dashed connector to its anchor, a dashed box and the text."""
    b, colour = p.box, p.note.colour
    fs = font_size * 0.95
    end_y = b.bottom if b.bottom <= p.anchor[1] else b.y
    connector: Attrs = {"x1": p.anchor[0], "y1": p.anchor[1], "x2": b.x + 8, "y2": end_y}
    body = tag(
        "line", {**connector, "stroke": colour, "stroke-width": 1.0, "stroke-dasharray": "3,2"}
    )
    box: Attrs = {
        "class": "bpmn-note-box",
        "x": b.x,
        "y": b.y,
        "width": b.width,
        "height": b.height,
    }
    body += tag(
        "rect",
        {
            **box,
            "rx": 4,
            "ry": 4,
            "fill": "#ffffff",
            "stroke": colour,
            "stroke-width": 1.5,
            "stroke-dasharray": "5,3",
        },
    )
    body += text_block(
        p.lines,
        b.x + 6,
        b.y + 4 + fs * 0.95,
        fs,
        anchor="start",
        colour=colour,
        cls="bpmn-note-text",
    )
    return tag("g", {"class": "bpmn-note", "data-near": p.note.near}, body)


def legend_svg(
    entries: Sequence[tuple[str, str]], x: float, y: float, font_size: float
) -> tuple[str, float, float]:
    """A legend box of ``(colour, text)`` rows at (x, y); returns ``(svg, width, height)``."""
    fs = font_size
    row = fs * 1.6
    w = max(text_width(t, fs) for _, t in entries) + fs * 2.5 + 16
    h = len(entries) * row + 12
    frame: Attrs = {"x": x, "y": y, "width": w, "height": h, "rx": 4, "ry": 4, "fill": "#ffffff"}
    body = tag("rect", {**frame, "stroke": "#888888", "stroke-width": 1.0})
    for i, (colour, text) in enumerate(entries):
        ry = y + 6 + i * row
        swatch: Attrs = {"class": "bpmn-legend-swatch", "x": x + 8, "y": ry + row * 0.15}
        body += tag(
            "rect",
            {
                **swatch,
                "width": fs * 1.6,
                "height": row * 0.7,
                "fill": colour,
                "stroke": "#555555",
                "stroke-width": 0.5,
            },
        )
        tx, ty = x + 8 + fs * 2.1, ry + row * 0.5 + fs * 0.35
        body += text_block([text], tx, ty, fs, anchor="start", cls="bpmn-legend-text")
    return f'<g class="bpmn-legend">{body}</g>', w, h


def badge_svg(style: ElementStyle, b: Bounds, font_size: float) -> str:
    """The style's badge: a pill at the top-right corner of ``b``."""
    text = style.badge or ""
    fs = font_size * 0.95
    w = max(text_width(text, fs) + 10, fs * 1.8)
    h = fs * 1.6
    x, y = b.right - w * 0.6, b.y - h * 0.5
    colour = style.badge_colour
    pill: Attrs = {
        "x": x,
        "y": y,
        "width": w,
        "height": h,
        "rx": h / 2,
        "ry": h / 2,
        "fill": colour,
    }
    body = tag("rect", {**pill, "stroke": "#ffffff", "stroke-width": 1.0})
    ink = "#000000" if not is_dark(colour) and colour.startswith("#f") else "#ffffff"
    body += text_block(
        [text], x + w / 2, y + h / 2 + fs * 0.35, fs, colour=ink, cls="bpmn-badge-text"
    )
    return f'<g class="bpmn-badge">{body}</g>'


def flow_count_svg(label: str, at: Point, colour: str, font_size: float) -> str:
    """An overlay's text on a flow (a count), its first baseline starting at ``at``."""
    return text_block(
        [label], at[0], at[1], font_size, anchor="start", colour=colour, cls="bpmn-flow-label"
    )


# -- from a conformance result ---------------------------------------------------------------
#: The largest skip rate the heat scale is fitted to (a higher rate is drawn darkest).
SKIP_SCALE_MAX = 0.5
#: Steps the heat scale's top is rounded up to (so the legend shows a round range).
_SCALE_STEPS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
_PALETTE: Palette = "oranges"
_NOTE_COLOURS: Mapping[DeviationKind, str] = MappingProxyType(
    {
        "inserted": "#d55e00",
        "repeated": "#0072b2",
        "moved": "#cc79a7",
        "unknown_activity": "#7a5195",
    }
)
_NOTE_SIGNS: Mapping[DeviationKind, str] = MappingProxyType({"repeated": "↻", "moved": "⇄"})
_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "sv": {
            "skip": "hoppas över",
            "late": "sen (tidsgräns överskriden)",
            "inserted": "infogad",
            "repeated": "upprepad",
            "moved": "flyttad",
            "unknown_activity": "okänd aktivitet",
            "cases": "fall",
            "legend_low": "Hoppas aldrig över (0 %)",
            "legend_high": "Hoppas ofta över ({p} eller mer)",
            "legend_badge_skip": "↷ andel fall där steget hoppades över",
            "legend_badge_late": "◔ andel fall där tidsgränsen överskreds",
            "legend_moved_task": "Kant: steget gjordes i annan ordning (flyttat)",
            "legend_note_inserted": "+ infogad: ett standardsteg gjordes här utöver flödet",
            "legend_note_repeated": "↻ upprepad: steget gjordes igen",
            "legend_note_moved": "⇄ flyttad: steget gjordes här i stället för på sin plats",
            "legend_note_unknown_activity": "+ okänd aktivitet: finns inte i standarden",
            "legend_flow": "Pilbredd och tal: antal fall som gick den vägen",
            "legend_small": "<5: färre än {n} fall (visas inte av integritetsskäl)",
            "of": "av",
        },
        "en": {
            "skip": "skipped",
            "late": "late (time limit exceeded)",
            "inserted": "inserted",
            "repeated": "repeated",
            "moved": "moved",
            "unknown_activity": "unknown activity",
            "cases": "cases",
            "legend_low": "Never skipped (0 %)",
            "legend_high": "Often skipped ({p} or more)",
            "legend_badge_skip": "↷ share of cases that skipped the step",
            "legend_badge_late": "◔ share of cases over the time limit",
            "legend_moved_task": "Border: step done out of order (moved)",
            "legend_note_inserted": "+ inserted: a standard step done here in addition",
            "legend_note_repeated": "↻ repeated: the step was done again",
            "legend_note_moved": "⇄ moved: the step was done here instead of its place",
            "legend_note_unknown_activity": "+ unknown activity: not in the standard",
            "legend_flow": "Arrow width and number: cases that took that path",
            "legend_small": "<5: fewer than {n} cases (not shown, for privacy)",
            "of": "of",
        },
    }
)


def fmt_share(v: float | None, lang: str = "sv", digits: int = 1) -> str:
    """A share as a percentage: ``"14,1 %"`` (sv) or ``"14.1 %"`` (en); ``"–"`` for None/NaN.

    Example:
        >>> fmt_share(0.141176), fmt_share(0.141176, "en"), fmt_share(None)
        ('14,1 %', '14.1 %', '–')
    """
    if v is None or v != v:  # NaN
        return "–"
    s = f"{100 * v:.{digits}f}"
    if lang == "sv":
        s = s.replace(".", ",")
    return f"{s} %"


def directly_follows_flows(
    model: BpmnModel, pairs: Mapping[tuple[str, str], int]
) -> dict[str, int]:
    """Map directly-follows counts of task pairs onto the model's sequence flows.

    For each pair ``(a, b)`` the shortest path of sequence flows from task ``a`` to task ``b``
    that passes only through non-task nodes (gateways, events) is found, and the pair's count
    is added to every flow on it. Pairs without such a path (e.g. a deviation jumping over a
    task) are ignored. This is best effort: with parallel branches a count lands on the flows
    of the interleaving that was logged, not on the branch structure.

    Args:
        model: the standard's BPMN model.
        pairs: ``(from_task_id, to_task_id) -> count``.

    Returns:
        flow id -> summed count, sorted by flow id.
    """
    out_flows: dict[str, list[tuple[str, str]]] = {}
    for f in sorted(model.flows.values(), key=lambda f: f.id):
        out_flows.setdefault(f.source, []).append((f.id, f.target))
    totals: dict[str, int] = {}
    for (a, b), n in sorted(pairs.items()):
        if a not in model.nodes or b not in model.nodes:
            continue
        for fid in _path(a, b, out_flows, model):
            totals[fid] = totals.get(fid, 0) + n
    return dict(sorted(totals.items()))


def _path(
    a: str, b: str, out_flows: Mapping[str, list[tuple[str, str]]], model: BpmnModel
) -> list[str]:
    queue: deque[tuple[str, list[str]]] = deque([(a, [])])
    seen = {a}
    while queue:
        node, path = queue.popleft()
        for fid, tgt in out_flows.get(node, []):
            if tgt == b:
                return [*path, fid]
            if tgt in seen or tgt not in model.nodes or model.nodes[tgt].is_activity:
                continue
            seen.add(tgt)
            queue.append((tgt, [*path, fid]))
    return []


@dataclass(frozen=True, slots=True)
class _Context:
    """What every stage of :func:`deviation_overlay` reads."""

    result: ConformanceResult
    model: BpmnModel | None
    unit: str | None
    lang: Lang
    names: Mapping[str, str]
    redact: Callable[[str], str]

    @property
    def t(self) -> Mapping[str, str]:
        return _LABELS[self.lang]

    @property
    def task_ids(self) -> set[str] | None:
        if self.model is None:
            return None
        return {n.id for n in self.model.nodes.values() if n.is_activity}


def deviation_overlay(
    result: ConformanceResult,
    *,
    model: BpmnModel | None = None,
    unit: str | None = None,
    lang: Lang = "sv",
    flows: bool = True,
    redact: Callable[[str], str] | None = None,
    min_note_cases: int = MIN_CELL,
) -> Overlay:
    """An overlay of a result's deviations for the standard diagram.

    Args:
        result: the conformance result.
        model: the standard's model (default: the result's; without a model the element
            styles are still set by activity id, and no flows are drawn).
        unit: one unit's deviations, or None for all units.
        lang: ``"sv"`` or ``"en"`` for notes, tooltips and the legend.
        flows: draw flow widths and labels from directly-follows counts.
        redact: a function applied to every text put on the overlay (documents pass
            :func:`fvmprocess._shared.privacy.redact`); None keeps texts as they are.
        min_note_cases: activities outside the standard are noted on the diagram only where
            they occur in at least this many cases (one note per element and kind, listing the
            activities); rarer ones stay in the report's tables, so the diagram stays readable.

    Returns:
        The :class:`Overlay`.

    Raises:
        ValueError: an unknown ``lang`` or a unit that is not in the result.

    Example:
        >>> ov = deviation_overlay(result, unit="Akuten NÄL", lang="en")  # doctest: +SKIP
    """
    if lang not in _LABELS:
        raise ValueError(f"lang is {lang!r}; expected 'sv' or 'en'")
    if unit is not None and unit not in set(result.cases["unit"].to_list()):
        raise ValueError(f"unit {unit!r} is not in the result")
    ctx = _Context(
        result=result,
        model=model if model is not None else result.model,
        unit=unit,
        lang=lang,
        names=_names(result, model if model is not None else result.model, lang),
        redact=redact if redact is not None else (lambda s: s),
    )
    rows = _activity_rows(ctx)
    vmax = skip_scale_max(int(r.get("skipped") or 0) / int(r["cases"]) for r in rows if r["cases"])
    ov = _paint_activities(Overlay(), ctx, vmax)
    notes, pairs, unknown = _walk_variants(ctx)
    ov = _paint_notes(ov, ctx, _aggregate_unknown(notes, unknown), min_note_cases)
    ov = _paint_moved(ov, ctx, notes)
    if flows and ctx.model is not None and pairs:
        ov = _paint_flows(ov, directly_follows_flows(ctx.model, pairs))
    return ov.with_legend(_legend(ov, lang, vmax))


def _names(result: ConformanceResult, model: BpmnModel | None, lang: str) -> dict[str, str]:
    """Activity id -> label: the result's names in ``lang``, else the model's own names (a
    note never shows an id where a name is known)."""
    names = {n.id: n.name for n in model.nodes.values() if n.name} if model is not None else {}
    for aid, text in result.activity_names.items():
        label = text.get(lang) or text.get("sv")
        if label:
            names[aid] = label
    return names


def _badge_value(k: int, n: int, lang: str) -> str:
    if is_small(k):
        return format_count(k)
    return fmt_share(k / n if n else 0.0, lang, 0)


def skip_scale_max(rates: Iterable[float]) -> float:
    """The top of the heat scale fitted to the data: the largest rate rounded up to a round
    step (2, 5, 10, 20, 30 or 50 %), so a few-percent spread still shows.

    Example:
        >>> skip_scale_max([0.01, 0.034]), skip_scale_max([0.7]), skip_scale_max([])
        (0.05, 0.5, 0.02)
    """
    top = max(rates, default=0.0)
    return next((step for step in _SCALE_STEPS if top <= step), SKIP_SCALE_MAX)


def _activity_rows(ctx: _Context) -> list[dict[str, Any]]:
    import polars as pl

    acts = ctx.result.activities.filter(pl.col("unit") == ("*" if ctx.unit is None else ctx.unit))
    task_ids = ctx.task_ids
    return [
        row
        for row in acts.sort("activity").iter_rows(named=True)
        if row.get("in_model", True) and (task_ids is None or row["activity"] in task_ids)
    ]


def _paint_activities(ov: Overlay, ctx: _Context, vmax: float) -> Overlay:
    """Fill every standard activity by its skip rate on a scale from 0 to ``vmax``; badges
    for skipped and late shares."""
    t, lang = ctx.t, ctx.lang
    for row in _activity_rows(ctx):
        aid = row["activity"]
        n = int(row["cases"] or 0)
        skipped = int(row.get("skipped") or 0)
        late = int(row.get("late") or 0)
        badges = []
        if skipped:
            badges.append("↷ " + _badge_value(skipped, n, lang))
        if late:
            badges.append("◔ " + _badge_value(late, n, lang))
        tip = (
            f"{ctx.redact(ctx.names.get(aid, aid))}: {t['skip']} {format_count(skipped)} "
            f"{t['of']} {format_count(n)} {t['cases']}"
            + (f"; {t['late']} {format_count(late)}" if late else "")
        )
        ov = ov.with_element(
            aid,
            fill=heat_colour(skipped / n if n else 0.0, 0.0, vmax, _PALETTE),
            badge=" ".join(badges) or None,
            badge_colour="#7f2704" if skipped else "#5a646f",
            tooltip=tip,
        )
    return ov


_NoteKey = tuple[str, DeviationKind, str]


def _walk_variants(
    ctx: _Context,
) -> tuple[dict[_NoteKey, int], dict[tuple[str, str], int], dict[str, int]]:
    """Cases per (where, kind, activity) of log-side deviations, directly-follows pairs, and
    cases per unknown activity (each case once, wherever and however often it occurs)."""
    import polars as pl

    result = ctx.result
    counts = _variant_counts(result, ctx.unit)
    first_task = _first_task(ctx.model)
    task_ids = ctx.task_ids
    labels = set(
        result.activities.filter(pl.col("in_model"))["activity"].to_list()
        if "in_model" in result.activities.columns
        else result.activity_names
    )
    notes: dict[_NoteKey, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    unknown: dict[str, int] = {}
    for row in result.variants.sort("variant").iter_rows(named=True):
        n = counts.get(int(row["variant"]), 0)
        if not n:
            continue
        seq = list(row["activities"] or [])
        for a, b in itertools.pairwise(seq):
            pairs[(a, b)] = pairs.get((a, b), 0) + n
        seen: set[_NoteKey] = set()  # a case counts once per note, however often it occurs
        deviations = _log_side_deviations(row.get("moves") or [], seq, labels)
        for act in {a for kind, a, _ in deviations if kind == "unknown_activity"}:
            unknown[act] = unknown.get(act, 0) + n
        for kind, act, anchor in deviations:
            where = anchor if anchor is not None else first_task
            if where is None or (task_ids is not None and where not in task_ids):
                where = first_task
            if where is not None and (where, kind, act) not in seen:
                seen.add((where, kind, act))
                notes[(where, kind, act)] = notes.get((where, kind, act), 0) + n
    return notes, pairs, unknown


def _paint_notes(
    ov: Overlay, ctx: _Context, notes: Mapping[_NoteKey, int], min_cases: int
) -> Overlay:
    """One note per element and kind, listing its activities of at least ``min_cases`` cases."""
    grouped: dict[tuple[str, DeviationKind], list[tuple[int, str]]] = {}
    for (where, kind, act), n in notes.items():
        if n >= min_cases:
            grouped.setdefault((where, kind), []).append((n, act))
    t = ctx.t
    for (where, kind), entries in sorted(grouped.items()):
        entries.sort(key=lambda e: (-e[0], e[1]))
        listed = ", ".join(
            f"{ctx.redact(ctx.names.get(act, act))} ({format_count(n)})" for n, act in entries
        )
        text = f"{_NOTE_SIGNS.get(kind, '+')} {t[kind]}: {listed} {t['cases']}"
        ov = ov.add_note(where, text, _NOTE_COLOURS.get(kind, "#d55e00"))
    return ov


def _aggregate_unknown(
    notes: Mapping[_NoteKey, int], cases: Mapping[str, int]
) -> dict[_NoteKey, int]:
    """One note per unknown activity, where it occurs most, with its number of ``cases``
    (each case once: a callout that says "fall" never counts events), so one spread over many
    positions does not fall under the threshold everywhere."""
    out: dict[_NoteKey, int] = {}
    unknown: dict[str, dict[str, int]] = {}
    for (where, kind, act), n in notes.items():
        if kind == "unknown_activity":
            unknown.setdefault(act, {})[where] = n
        else:
            out[(where, kind, act)] = n
    for act, places in unknown.items():
        where = min(places, key=lambda w: (-places[w], w))
        out[(where, "unknown_activity", act)] = cases[act]
    return out


def _paint_moved(ov: Overlay, ctx: _Context, notes: Mapping[_NoteKey, int]) -> Overlay:
    """A standard activity logged out of its place gets the 'moved' colour on its border."""
    moved = sorted({act for (_, kind, act) in notes if kind == "moved"})
    task_ids = ctx.task_ids
    for act in moved:
        if task_ids is None or act in task_ids:
            ov = ov.with_element(act, stroke=_NOTE_COLOURS["moved"], stroke_width=3.5)
    return ov


def _paint_flows(ov: Overlay, per_flow: Mapping[str, int]) -> Overlay:
    """Flow widths scaled to the busiest flow, and counts as labels."""
    top = max(per_flow.values(), default=0)
    for fid, n in per_flow.items():
        width = 1.0 + 5.0 * n / top if top else 1.0
        ov = ov.with_flow(fid, width=width, label=format_count(n), tooltip=format_count(n))
    return ov


def _legend(ov: Overlay, lang: Lang, vmax: float) -> list[tuple[str, str]]:
    """One entry per colour, badge and symbol the overlay uses, and what ``<5`` means."""
    t = _LABELS[lang]
    legend: list[tuple[str, str]] = []
    styles = list(ov.elements.values())
    if any(e.fill for e in styles):
        legend.append((heat_colour(0.0, 0.0, 1.0, _PALETTE), t["legend_low"]))
        top = t["legend_high"].format(p=fmt_share(vmax, lang, 0))
        legend.append((heat_colour(1.0, 0.0, 1.0, _PALETTE), top))
    badges = " ".join(e.badge or "" for e in styles)
    if "↷" in badges:
        legend.append(("#7f2704", t["legend_badge_skip"]))
    if "◔" in badges:
        legend.append(("#5a646f", t["legend_badge_late"]))
    if any(e.stroke == _NOTE_COLOURS["moved"] for e in styles):
        legend.append((_NOTE_COLOURS["moved"], t["legend_moved_task"]))
    for kind, colour in _NOTE_COLOURS.items():
        if any(n.colour == colour for n in ov.notes):
            legend.append((colour, t[f"legend_note_{kind}"]))
    if ov.flows:
        legend.append((INK, t["legend_flow"]))
    texts = [badges, *(n.text for n in ov.notes), *(f.label or "" for f in ov.flows.values())]
    if any(format_count(1) in x for x in texts):
        legend.append(("#ffffff", t["legend_small"].format(n=MIN_CELL)))
    return legend


def _variant_counts(result: ConformanceResult, unit: str | None) -> dict[int, int]:
    import polars as pl

    cases = result.cases
    if unit is not None:
        cases = cases.filter(pl.col("unit") == unit)
    return {
        int(v): int(n)
        for v, n in cases.group_by("variant").len().sort("variant").iter_rows()
        if v is not None
    }


def _first_task(model: BpmnModel | None) -> str | None:
    """The first activity after a start event (following first outgoing flows), or the first
    activity by id."""
    if model is None:
        return None
    starts = sorted(n.id for n in model.nodes.values() if n.type == "startEvent")
    out = {f.source: f.target for f in sorted(model.flows.values(), key=lambda f: f.id)}
    for s in starts:
        cur: str | None = s
        for _ in range(len(model.nodes)):
            if cur is None:
                break
            node = model.nodes.get(cur)
            if node is not None and node.is_activity:
                return cur
            cur = out.get(cur)
    tasks = sorted(n.id for n in model.nodes.values() if n.is_activity)
    return tasks[0] if tasks else None


def _log_side_deviations(
    moves: Iterable[Mapping[str, Any]], seq: list[str], labels: set[str]
) -> list[tuple[DeviationKind, str, str | None]]:
    """``(kind, activity, anchor)`` for each deviation of a variant's log moves, classified by
    the conformance classifier; anchor: the logged activity before it."""
    from fvmprocess.conformance.classify import classify
    from fvmprocess.conformance.moves import Move

    typed = [Move(m.get("log"), m.get("model"), None, m.get("kind", "silent")) for m in moves]
    return [
        (d.kind, d.activity, seq[d.position - 1] if d.position > 0 else None)
        for d in classify(typed, labels)
        if d.kind != "skipped"
    ]
