"""Draw BPMN 2.0 diagrams as SVG (and PNG/PDF through cairosvg) from their DI coordinates.

No Python library draws BPMN notation, and bpmn-js needs a browser, so the notation is drawn
here directly: tasks with their type markers, events with their definitions, gateways, pools
and lanes, flows with their arrowheads, data and artifacts. Every element becomes an
addressable group ``<g class="bpmn-element bpmn-<type>" data-element-id="<id>">`` so reports
and tests can find it, and an :class:`Overlay` paints conformance results on top (fills,
badges, flow widths, notes for things the model lacks, a legend).

Output is deterministic: the same model and options give the same bytes.
"""

from __future__ import annotations

import itertools
import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from fvmprocess.bpmn.model import (
    SUBPROCESS_TYPES,
    Bounds,
    BpmnModel,
    Diagram,
    Edge,
    FlowNode,
    Shape,
)
from fvmprocess.errors import RenderError

__all__ = [
    "PALETTES",
    "ElementStyle",
    "FlowStyle",
    "Note",
    "Overlay",
    "heat_colour",
    "render",
    "to_pdf",
    "to_png",
    "to_svg",
]

FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
DEFAULT_FONT_SIZE = 11.0
#: Average glyph advance of DejaVu Sans relative to the font size (for wrapping).
_CHAR_WIDTH = 0.58
_MARGIN = 20.0
_INK = "#222222"

_Attrs = dict[str, str | float | None]
Palette = Literal["blues", "oranges", "greens", "viridis", "cividis"]

#: Colour-blind-safe sequential palettes (ColorBrewer single-hue, viridis, cividis), light→dark.
PALETTES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "blues": (
            "#f7fbff",
            "#deebf7",
            "#c6dbef",
            "#9ecae1",
            "#6baed6",
            "#4292c6",
            "#2171b5",
            "#08519c",
            "#08306b",
        ),
        "oranges": (
            "#fff5eb",
            "#fee6ce",
            "#fdd0a2",
            "#fdae6b",
            "#fd8d3c",
            "#f16913",
            "#d94801",
            "#a63603",
            "#7f2704",
        ),
        "greens": (
            "#f7fcf5",
            "#e5f5e0",
            "#c7e9c0",
            "#a1d99b",
            "#74c476",
            "#41ab5d",
            "#238b45",
            "#006d2c",
            "#00441b",
        ),
        "viridis": (
            "#fde725",
            "#b5de2b",
            "#6ece58",
            "#35b779",
            "#1f9e89",
            "#26828e",
            "#31688e",
            "#3e4989",
            "#482878",
            "#440154",
        ),
        "cividis": (
            "#fee838",
            "#e1cf5a",
            "#c3b86e",
            "#a6a27a",
            "#8b8c7d",
            "#727779",
            "#5a646f",
            "#3e5277",
            "#1d3f6e",
            "#00224e",
        ),
    }
)


# ------------------------------------------------------------------------------------------
# Overlay
# ------------------------------------------------------------------------------------------
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
    """

    colour: str | None = None
    width: float | None = None
    label: str | None = None
    tooltip: str | None = None


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
            fill=fill if fill is not None else old.fill,
            stroke=stroke if stroke is not None else old.stroke,
            stroke_width=stroke_width if stroke_width is not None else old.stroke_width,
            badge=badge if badge is not None else old.badge,
            badge_colour=badge_colour if badge_colour is not None else old.badge_colour,
            tooltip=tooltip if tooltip is not None else old.tooltip,
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
    ) -> Overlay:
        """A copy with the flow's style set (merged with what was set before)."""
        old = self.flows.get(flow_id, FlowStyle())
        new = FlowStyle(
            colour=colour if colour is not None else old.colour,
            width=width if width is not None else old.width,
            label=label if label is not None else old.label,
            tooltip=tooltip if tooltip is not None else old.tooltip,
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


def _is_dark(colour: str | None) -> bool:
    if not colour:
        return False
    try:
        r, g, b = _rgb(colour)
    except ValueError:
        return False
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 110


# ------------------------------------------------------------------------------------------
# small SVG helpers
# ------------------------------------------------------------------------------------------
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: str) -> str:
    text = _INVALID_XML.sub("", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _f(v: float) -> str:
    """Stable number formatting: at most two decimals, no trailing zeros, no ``-0``."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _tag(name: str, attrs: Mapping[str, str | float | None], body: str | None = None) -> str:
    parts = [name]
    for k, v in attrs.items():
        if v is None:
            continue
        parts.append(f'{k}="{_f(v) if isinstance(v, float | int) else _esc(v)}"')
    head = " ".join(parts)
    return f"<{head}/>" if body is None else f"<{head}>{body}</{name}>"


def _pts(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in points)


def wrap_text(text: str, width: float, font_size: float) -> list[str]:
    """Split a label into lines that fit ``width`` pixels at ``font_size`` (approximate)."""
    max_chars = max(3, int(width / (font_size * _CHAR_WIDTH)))
    lines: list[str] = []
    for para in text.splitlines():
        para = " ".join(para.split())
        if not para:
            continue
        # Words a little too long overflow the shape rather than being cut mid-word.
        long_word = any(len(w) > max_chars * 1.4 for w in para.split())
        lines += textwrap.wrap(para, max_chars, break_long_words=long_word, break_on_hyphens=True)
    return lines


def _text(
    lines: Sequence[str],
    x: float,
    y_first: float,
    font_size: float,
    *,
    anchor: str = "middle",
    colour: str = _INK,
    cls: str = "bpmn-label",
    transform: str | None = None,
) -> str:
    lh = font_size * 1.2
    spans = "".join(
        _tag("tspan", {"x": x, "y": y_first + i * lh}, _esc(line)) for i, line in enumerate(lines)
    )
    return _tag(
        "text",
        {
            "class": cls,
            "x": x,
            "y": y_first,
            "font-size": font_size,
            "text-anchor": anchor,
            "fill": colour,
            "transform": transform,
        },
        spans,
    )


def _centred_text(
    text: str, b: Bounds, font_size: float, *, colour: str = _INK, pad: float = 6.0
) -> str:
    lines = wrap_text(text, max(b.width - 2 * pad, font_size * 3), font_size)
    if not lines:
        return ""
    lh = font_size * 1.2
    cx, cy = b.center
    y0 = cy - (len(lines) - 1) * lh / 2 + font_size * 0.35
    return _text(lines, cx, y0, font_size, colour=colour)


# ------------------------------------------------------------------------------------------
# notation: markers
# ------------------------------------------------------------------------------------------
def _marker(kind: str, body: str) -> str:
    return f'<g class="bpmn-marker bpmn-marker-{kind}">{body}</g>'


def _task_marker(node_type: str, x: float, y: float, stroke: str) -> str:
    """Type marker in the top-left corner of a task at (x, y) = its top-left."""
    ox, oy = x + 6, y + 6
    s: _Attrs = {"fill": "none", "stroke": stroke, "stroke-width": 1.0}
    if node_type == "userTask":
        body = _tag("circle", {"cx": ox + 7, "cy": oy + 4.5, "r": 3.5, **s}) + _tag(
            "path",
            {
                "d": f"M{_f(ox)},{_f(oy + 15)} C{_f(ox)},{_f(oy + 8)} {_f(ox + 14)},{_f(oy + 8)} "
                f"{_f(ox + 14)},{_f(oy + 15)} Z",
                **s,
            },
        )
        return _marker("user", body)
    if node_type == "manualTask":
        d = (
            f"M{_f(ox)},{_f(oy + 6)} h10 a1.5,1.5 0 0 1 0,3 h-3 h5 a1.5,1.5 0 0 1 0,3 h-5 "
            f"h4 a1.5,1.5 0 0 1 0,3 h-4 h3 a1.5,1.5 0 0 1 0,3 h-10 Z"
        )
        return _marker("manual", _tag("path", {"d": d, **s}))
    if node_type == "serviceTask":
        cx, cy = ox + 7, oy + 7
        teeth = "".join(
            _tag(
                "line",
                {
                    "x1": cx + 4 * math.cos(a),
                    "y1": cy + 4 * math.sin(a),
                    "x2": cx + 7.5 * math.cos(a),
                    "y2": cy + 7.5 * math.sin(a),
                    "stroke": stroke,
                    "stroke-width": 2.0,
                },
            )
            for a in (k * math.pi / 4 for k in range(8))
        )
        body = teeth + _tag(
            "circle",
            {"cx": cx, "cy": cy, "r": 5, "fill": "#ffffff", "stroke": stroke, "stroke-width": 1.0},
        )
        body += _tag("circle", {"cx": cx, "cy": cy, "r": 2, **s})
        return _marker("service", body)
    if node_type in ("sendTask", "receiveTask"):
        filled = node_type == "sendTask"
        return _marker(
            "send" if filled else "receive", _envelope(ox, oy + 2, 16, 11, stroke, filled)
        )
    if node_type == "scriptTask":
        d = (
            f"M{_f(ox + 3)},{_f(oy)} h11 c-4,4 4,9 0,15 h-11 c4,-6 -4,-11 0,-15 Z "
            f"M{_f(ox + 3)},{_f(oy + 4)} h7 M{_f(ox + 4)},{_f(oy + 8)} h7 "
            f"M{_f(ox + 3)},{_f(oy + 11)} h7"
        )
        return _marker("script", _tag("path", {"d": d, **s}))
    if node_type == "businessRuleTask":
        body = _tag("rect", {"x": ox, "y": oy + 1, "width": 16, "height": 12, **s})
        body += _tag(
            "rect",
            {
                "x": ox,
                "y": oy + 1,
                "width": 16,
                "height": 3.5,
                "fill": stroke,
                "stroke": stroke,
                "stroke-width": 1.0,
            },
        )
        body += _tag(
            "path", {"d": f"M{_f(ox)},{_f(oy + 8.5)} h16 M{_f(ox + 5)},{_f(oy + 4.5)} v8.5", **s}
        )
        return _marker("business-rule", body)
    return ""


def _envelope(x: float, y: float, w: float, h: float, stroke: str, filled: bool) -> str:
    body = _tag(
        "rect",
        {
            "x": x,
            "y": y,
            "width": w,
            "height": h,
            "fill": stroke if filled else "#ffffff",
            "stroke": stroke,
            "stroke-width": 1.0,
        },
    )
    body += _tag(
        "polyline",
        {
            "points": _pts([(x, y), (x + w / 2, y + h * 0.55), (x + w, y)]),
            "fill": "none",
            "stroke": "#ffffff" if filled else stroke,
            "stroke-width": 1.0,
        },
    )
    return body


def _bottom_markers(node: FlowNode, b: Bounds, stroke: str, collapsed: bool) -> str:
    """Loop / multi-instance / collapsed / ad-hoc / compensation markers at the bottom centre."""
    items: list[tuple[str, str]] = []
    if node.loop == "standard":
        items.append(("loop", "loop"))
    elif node.loop == "parallel":
        items.append(("multi-instance-parallel", "mip"))
    elif node.loop == "sequential":
        items.append(("multi-instance-sequential", "mis"))
    if collapsed:
        items.append(("collapsed", "plus"))
    if node.type == "adHocSubProcess":
        items.append(("adhoc", "tilde"))
    if node.for_compensation:
        items.append(("compensation", "comp"))
    if not items:
        return ""
    size, gap = 14.0, 4.0
    total = len(items) * size + (len(items) - 1) * gap
    x = b.center[0] - total / 2
    y = b.bottom - size - 4
    out = []
    s: _Attrs = {"fill": "none", "stroke": stroke, "stroke-width": 1.5}
    for cls, kind in items:
        if kind == "loop":
            cx, cy, r = x + 7, y + 7, 5.5
            body = _tag(
                "path",
                {
                    "d": f"M{_f(cx - 3)},{_f(cy + r * 0.85)} A{_f(r)},{_f(r)} 0 1 1 "
                    f"{_f(cx + 3)},{_f(cy + r * 0.85)}",
                    **s,
                },
            )
            body += _tag(
                "polyline",
                {
                    "points": _pts([(cx - 7, cy + 3), (cx - 3, cy + r * 0.85), (cx - 6, cy + 9)]),
                    **s,
                },
            )
        elif kind == "mip":
            body = "".join(
                _tag(
                    "line",
                    {
                        "x1": x + 3 + 4 * k,
                        "y1": y + 1,
                        "x2": x + 3 + 4 * k,
                        "y2": y + 13,
                        **s,
                        "stroke-width": 2.0,
                    },
                )
                for k in range(3)
            )
        elif kind == "mis":
            body = "".join(
                _tag(
                    "line",
                    {
                        "x1": x + 1,
                        "y1": y + 3 + 4 * k,
                        "x2": x + 13,
                        "y2": y + 3 + 4 * k,
                        **s,
                        "stroke-width": 2.0,
                    },
                )
                for k in range(3)
            )
        elif kind == "plus":
            body = _tag("rect", {"x": x, "y": y, "width": size, "height": size, **s})
            body += _tag(
                "path", {"d": f"M{_f(x + 3)},{_f(y + 7)} h8 M{_f(x + 7)},{_f(y + 3)} v8", **s}
            )
        elif kind == "tilde":
            body = _tag("path", {"d": f"M{_f(x)},{_f(y + 8)} c3,-5 5,-5 7,0 s4,5 7,0", **s})
        else:
            body = _tag(
                "path",
                {
                    "d": f"M{_f(x + 7)},{_f(y + 2)} l-6,5 l6,5 Z M{_f(x + 13)},"
                    f"{_f(y + 2)} l-6,5 l6,5 Z",
                    **s,
                },
            )
        out.append(_marker(cls, body))
        x += size + gap
    return "".join(out)


def _event_marker(kind: str, cx: float, cy: float, r: float, stroke: str, throw: bool) -> str:
    """The marker of an event definition inside a circle of radius ``r``."""
    fill = stroke if throw else "#ffffff"
    s: _Attrs = {"fill": fill, "stroke": stroke, "stroke-width": 1.2}
    k = r / 18.0  # sizes relative to a 36 px event
    if kind == "timer":
        body = _tag(
            "circle",
            {
                "cx": cx,
                "cy": cy,
                "r": 10 * k,
                "fill": "#ffffff",
                "stroke": stroke,
                "stroke-width": 1.5,
            },
        )
        ticks = "".join(
            _tag(
                "line",
                {
                    "x1": cx + 8 * k * math.cos(a),
                    "y1": cy + 8 * k * math.sin(a),
                    "x2": cx + 10 * k * math.cos(a),
                    "y2": cy + 10 * k * math.sin(a),
                    "stroke": stroke,
                    "stroke-width": 1.0,
                },
            )
            for a in (j * math.pi / 6 for j in range(12))
        )
        hands = _tag(
            "polyline",
            {
                "points": _pts([(cx + 1 * k, cy - 7 * k), (cx, cy), (cx + 5 * k, cy + 2 * k)]),
                "fill": "none",
                "stroke": stroke,
                "stroke-width": 1.5,
            },
        )
        return _marker("timer", body + ticks + hands)
    if kind == "message":
        w, h = 18 * k, 12 * k
        return _marker("message", _envelope(cx - w / 2, cy - h / 2, w, h, stroke, throw))
    if kind == "error":
        d = [
            (cx - 8 * k, cy + 8 * k),
            (cx - 3 * k, cy - 7 * k),
            (cx + 2 * k, cy + 1 * k),
            (cx + 8 * k, cy - 8 * k),
            (cx + 3 * k, cy + 7 * k),
            (cx - 2 * k, cy - 1 * k),
        ]
        return _marker("error", _tag("polygon", {"points": _pts(d), **s}))
    if kind == "signal":
        d = [(cx, cy - 10 * k), (cx + 9 * k, cy + 6 * k), (cx - 9 * k, cy + 6 * k)]
        return _marker("signal", _tag("polygon", {"points": _pts(d), **s}))
    if kind == "escalation":
        d = [
            (cx, cy - 10 * k),
            (cx + 7 * k, cy + 8 * k),
            (cx, cy + 2 * k),
            (cx - 7 * k, cy + 8 * k),
        ]
        return _marker("escalation", _tag("polygon", {"points": _pts(d), **s}))
    if kind == "conditional":
        body = _tag(
            "rect",
            {
                "x": cx - 7 * k,
                "y": cy - 9 * k,
                "width": 14 * k,
                "height": 18 * k,
                "fill": "#ffffff",
                "stroke": stroke,
                "stroke-width": 1.2,
            },
        )
        body += "".join(
            _tag(
                "line",
                {
                    "x1": cx - 4.5 * k,
                    "y1": cy + (j * 4.5 - 6) * k,
                    "x2": cx + 4.5 * k,
                    "y2": cy + (j * 4.5 - 6) * k,
                    "stroke": stroke,
                    "stroke-width": 1.0,
                },
            )
            for j in range(4)
        )
        return _marker("conditional", body)
    if kind == "terminate":
        return _marker(
            "terminate",
            _tag("circle", {"cx": cx, "cy": cy, "r": 10 * k, "fill": stroke, "stroke": stroke}),
        )
    if kind == "compensate":
        d1 = [(cx - 10 * k, cy), (cx - 1 * k, cy - 7 * k), (cx - 1 * k, cy + 7 * k)]
        d2 = [(cx - 1 * k, cy), (cx + 8 * k, cy - 7 * k), (cx + 8 * k, cy + 7 * k)]
        return _marker(
            "compensate",
            _tag("polygon", {"points": _pts(d1), **s}) + _tag("polygon", {"points": _pts(d2), **s}),
        )
    if kind == "link":
        d = [
            (cx - 8 * k, cy - 3 * k),
            (cx + 1 * k, cy - 3 * k),
            (cx + 1 * k, cy - 8 * k),
            (cx + 9 * k, cy),
            (cx + 1 * k, cy + 8 * k),
            (cx + 1 * k, cy + 3 * k),
            (cx - 8 * k, cy + 3 * k),
        ]
        return _marker("link", _tag("polygon", {"points": _pts(d), **s}))
    if kind == "cancel":
        a = 6.5 * k
        path = (
            f"M{_f(cx - a)},{_f(cy - a)} L{_f(cx + a)},{_f(cy + a)} M{_f(cx + a)},"
            f"{_f(cy - a)} L{_f(cx - a)},{_f(cy + a)}"
        )
        return _marker(
            "cancel",
            _tag("path", {"d": path, "stroke": stroke, "stroke-width": 4 * k, "fill": "none"}),
        )
    if kind == "multiple":
        return _marker("multiple", _tag("polygon", {"points": _pts(_pentagon(cx, cy, 9 * k)), **s}))
    return ""


def _pentagon(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    return [
        (cx + r * math.sin(2 * math.pi * j / 5), cy - r * math.cos(2 * math.pi * j / 5))
        for j in range(5)
    ]


def _gateway_marker(node: FlowNode, cx: float, cy: float, h: float, stroke: str) -> str:
    k = h / 50.0
    s: _Attrs = {"fill": "none", "stroke": stroke}
    t = node.type
    if t == "exclusiveGateway":
        a = 8 * k
        d = (
            f"M{_f(cx - a)},{_f(cy - a)} L{_f(cx + a)},{_f(cy + a)} M{_f(cx + a)},{_f(cy - a)} "
            f"L{_f(cx - a)},{_f(cy + a)}"
        )
        return _marker("exclusive", _tag("path", {"d": d, **s, "stroke-width": 4 * k}))
    if t == "parallelGateway":
        a = 12 * k
        d = f"M{_f(cx - a)},{_f(cy)} H{_f(cx + a)} M{_f(cx)},{_f(cy - a)} V{_f(cy + a)}"
        return _marker("parallel", _tag("path", {"d": d, **s, "stroke-width": 4 * k}))
    if t == "inclusiveGateway":
        return _marker(
            "inclusive",
            _tag("circle", {"cx": cx, "cy": cy, "r": 11 * k, **s, "stroke-width": 2.5 * k}),
        )
    if t == "complexGateway":
        a, b = 12 * k, 8.5 * k
        d = (
            f"M{_f(cx - a)},{_f(cy)} H{_f(cx + a)} M{_f(cx)},{_f(cy - a)} V{_f(cy + a)} "
            f"M{_f(cx - b)},{_f(cy - b)} L{_f(cx + b)},{_f(cy + b)} M{_f(cx + b)},{_f(cy - b)} "
            f"L{_f(cx - b)},{_f(cy + b)}"
        )
        return _marker("complex", _tag("path", {"d": d, **s, "stroke-width": 3.5 * k}))
    if t == "eventBasedGateway":
        body = _tag("circle", {"cx": cx, "cy": cy, "r": 13 * k, **s, "stroke-width": 1.0})
        if not node.instantiate:
            body += _tag("circle", {"cx": cx, "cy": cy, "r": 10.5 * k, **s, "stroke-width": 1.0})
        if node.event_gateway_type == "Parallel":
            a = 7 * k
            d = f"M{_f(cx - a)},{_f(cy)} H{_f(cx + a)} M{_f(cx)},{_f(cy - a)} V{_f(cy + a)}"
            body += _tag("path", {"d": d, **s, "stroke-width": 2.0 * k})
        else:
            body += _tag(
                "polygon",
                {"points": _pts(_pentagon(cx, cy + 0.5 * k, 7 * k)), **s, "stroke-width": 1.2},
            )
        return _marker("event-based", body)
    return ""


# ------------------------------------------------------------------------------------------
# the renderer
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Placed:
    """An overlay note's box, computed before drawing so the viewBox includes it."""

    note: Note
    box: Bounds
    anchor: tuple[float, float]
    lines: tuple[str, ...]


class _Renderer:
    def __init__(
        self,
        model: BpmnModel,
        diagram: Diagram,
        overlay: Overlay,
        font_size: float,
        scale: float,
        legend: Sequence[tuple[str, str]],
        title: str | None,
    ) -> None:
        self.model = model
        self.diagram = diagram
        self.overlay = overlay
        self.fs = font_size
        self.scale = scale
        self.legend = legend
        self.title = title
        self.shape_of: dict[str, Shape] = {}
        for s in diagram.shapes:
            self.shape_of.setdefault(s.element, s)
        self.participants = {p.id: p for p in model.participants}
        self.data = {d.id: d for d in model.data}
        self.artifacts = {a.id: a for a in model.artifacts}
        self.message_flows = {m.id: m for m in model.message_flows}

    # -- classification -------------------------------------------------------------------
    def kind(self, element: str) -> str:
        if element in self.model.nodes:
            return self.model.nodes[element].type
        if element in self.participants:
            return "participant"
        if element in self.model.lanes:
            return "lane"
        if element in self.data:
            return self.data[element].type
        if element in self.artifacts:
            return self.artifacts[element].type
        return self.model.element_type(element) or "unknown"

    def is_expanded(self, shape: Shape, node: FlowNode) -> bool:
        if node.type not in SUBPROCESS_TYPES:
            return False
        if shape.is_expanded is not None:
            return shape.is_expanded
        return any(n.parent == node.id and n.id in self.shape_of for n in self.model.nodes.values())

    # -- whole document -------------------------------------------------------------------
    def render(self) -> str:
        containers: list[tuple[float, int, str]] = []
        nodes: list[str] = []
        boundary: list[str] = []
        others: list[str] = []
        groups: list[str] = []
        for i, s in enumerate(self.diagram.shapes):
            k = self.kind(s.element)
            node = self.model.nodes.get(s.element)
            if k in ("participant", "lane"):
                containers.append((0 if k == "participant" else 1, i, self.shape(s)))
            elif node is not None and self.is_expanded(s, node):
                containers.append((2 - 1e-9 * s.bounds.width * s.bounds.height, i, self.shape(s)))
            elif k == "boundaryEvent":
                boundary.append(self.shape(s))
            elif k == "group":
                groups.append(self.shape(s))
            elif node is not None:
                nodes.append(self.shape(s))
            else:
                others.append(self.shape(s))
        containers.sort(key=lambda c: (c[0], c[1]))
        edges = [self.edge(e) for e in self.diagram.edges]
        notes = self.place_notes()

        b = self.diagram.bounds()
        xs = [b.x, b.right] + [p.box.x for p in notes] + [p.box.right for p in notes]
        ys = [b.y, b.bottom] + [p.box.y for p in notes] + [p.box.bottom for p in notes]
        m = _MARGIN
        x0, y0 = min(xs) - m, min(ys) - m
        x1, y1 = max(xs) + m, max(ys) + m
        head = ""
        if self.title:
            tfs = self.fs * 1.6
            lines = wrap_text(self.title, max(x1 - x0 - 2 * m, 200), tfs)
            th = len(lines) * tfs * 1.2 + m / 2
            y0 -= th
            head = _text(lines, x0 + m, y0 + m / 2 + tfs, tfs, anchor="start", cls="bpmn-title")
            head = head.replace("<text ", '<text font-weight="bold" ', 1)
        legend_svg = ""
        legend = list(self.legend) or list(self.overlay.legend)
        if legend:
            legend_svg, lw, lh = self.legend_box(legend, x0 + m, y1)
            y1 += lh + m / 2
            x1 = max(x1, x0 + m + lw + m)
        w, h = x1 - x0, y1 - y0
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            _tag(
                "svg",
                {
                    "xmlns": "http://www.w3.org/2000/svg",
                    "version": "1.1",
                    "class": "bpmn-diagram",
                    "data-diagram-id": self.diagram.id,
                    "width": w * self.scale,
                    "height": h * self.scale,
                    "viewBox": f"{_f(x0)} {_f(y0)} {_f(w)} {_f(h)}",
                    "font-family": FONT_FAMILY,
                },
                "\n".join(
                    [
                        "",
                        _tag(
                            "title",
                            {},
                            _esc(
                                self.title
                                or self.model.name
                                or self.diagram.name
                                or self.model.source
                            ),
                        ),
                        _tag(
                            "rect",
                            {
                                "class": "bpmn-background",
                                "x": x0,
                                "y": y0,
                                "width": w,
                                "height": h,
                                "fill": "#ffffff",
                            },
                        ),
                        head,
                        *(c[2] for c in containers),
                        *edges,
                        *nodes,
                        *boundary,
                        *others,
                        *groups,
                        *(self.note(p) for p in notes),
                        legend_svg,
                        "",
                    ]
                ),
            ),
            "\n",
        ]
        return "".join(x for x in out if x)

    # -- shapes ---------------------------------------------------------------------------
    def shape(self, s: Shape) -> str:
        k = self.kind(s.element)
        style = self.overlay.elements.get(s.element, ElementStyle())
        fill = style.fill or s.color[0] or "#ffffff"
        stroke = style.stroke or s.color[1] or _INK
        sw = style.stroke_width
        text_colour = "#ffffff" if _is_dark(style.fill) else _INK
        b = s.bounds
        node = self.model.nodes.get(s.element)
        body = ""
        classes = ["bpmn-element", f"bpmn-{k}"]
        if node is not None and node.is_activity:
            body, extra = self.activity(node, s, fill, stroke, sw, text_colour)
            classes += extra
        elif node is not None and node.is_event:
            body = self.event(node, s, fill, stroke, sw)
        elif node is not None and node.is_gateway:
            body = self.gateway(node, s, fill, stroke, sw)
        elif k == "participant":
            body = self.pool(s, fill if style.fill or s.color[0] else "none", stroke, sw)
        elif k == "lane":
            lane = self.model.lanes[s.element]
            body = _tag(
                "rect",
                {
                    "class": "bpmn-shape",
                    "x": b.x,
                    "y": b.y,
                    "width": b.width,
                    "height": b.height,
                    "fill": style.fill or "none",
                    "stroke": stroke,
                    "stroke-width": sw or 1.0,
                },
            )
            body += self.band_label(lane.name, s, text_colour)
        elif k in ("dataObject", "dataObjectReference", "dataInput", "dataOutput"):
            body = self.data_object(k, s, fill, stroke, sw)
        elif k in ("dataStore", "dataStoreReference"):
            body = self.data_store(s, fill, stroke, sw)
        elif k == "textAnnotation":
            text = self.artifacts[s.element].text or ""
            d = f"M{_f(b.x + 12)},{_f(b.y)} H{_f(b.x)} V{_f(b.bottom)} H{_f(b.x + 12)}"
            body = _tag(
                "rect",
                {
                    "class": "bpmn-shape",
                    "x": b.x,
                    "y": b.y,
                    "width": b.width,
                    "height": b.height,
                    "fill": style.fill or "none",
                    "stroke": "none",
                },
            )
            body += _tag(
                "path", {"d": d, "fill": "none", "stroke": stroke, "stroke-width": sw or 1.0}
            )
            lines = wrap_text(text, max(b.width - 10, 40), self.fs)
            if lines:
                body += _text(
                    lines, b.x + 5, b.y + self.fs + 4, self.fs, anchor="start", colour=text_colour
                )
        elif k == "group":
            body = _tag(
                "rect",
                {
                    "class": "bpmn-shape",
                    "x": b.x,
                    "y": b.y,
                    "width": b.width,
                    "height": b.height,
                    "rx": 10,
                    "fill": style.fill or "none",
                    "stroke": stroke,
                    "stroke-width": sw or 1.0,
                    "stroke-dasharray": "8,3,1,3",
                },
            )
            name = self.group_name(s.element)
            if name:
                lb = s.label or Bounds(b.x, b.y + 2, b.width, 20)
                body += _centred_text(name, Bounds(lb.x, lb.y, lb.width, self.fs * 1.6), self.fs)
        else:
            body = _tag(
                "rect",
                {
                    "class": "bpmn-shape",
                    "x": b.x,
                    "y": b.y,
                    "width": b.width,
                    "height": b.height,
                    "fill": "none",
                    "stroke": stroke,
                    "stroke-dasharray": "2,2",
                },
            )
        body += self.outside_label(k, node, s)
        if style.badge:
            body += self.badge(style, b)
        tip = _tag("title", {}, _esc(style.tooltip)) if style.tooltip else ""
        return _tag(
            "g",
            {"class": " ".join(classes), "data-element-id": s.element},
            tip + body,
        )

    def activity(
        self, node: FlowNode, s: Shape, fill: str, stroke: str, sw: float | None, tc: str
    ) -> tuple[str, list[str]]:
        b = s.bounds
        expanded = self.is_expanded(s, node)
        extra = ["bpmn-expanded" if expanded else "bpmn-collapsed"] if node.is_subprocess else []
        width = sw or (3.0 if node.type == "callActivity" else 1.5)
        attrs: dict[str, str | float | None] = {
            "class": "bpmn-shape",
            "x": b.x,
            "y": b.y,
            "width": b.width,
            "height": b.height,
            "rx": 10,
            "ry": 10,
            "fill": fill,
            "stroke": stroke,
            "stroke-width": width,
        }
        if node.triggered_by_event:
            attrs["stroke-dasharray"] = "2,3"
        body = _tag("rect", attrs)
        if node.type == "transaction":
            body += _tag(
                "rect",
                {
                    "x": b.x + 3,
                    "y": b.y + 3,
                    "width": b.width - 6,
                    "height": b.height - 6,
                    "rx": 8,
                    "ry": 8,
                    "fill": "none",
                    "stroke": stroke,
                    "stroke-width": 1.0,
                },
            )
        body += _task_marker(node.type, b.x, b.y, stroke)
        body += _bottom_markers(node, b, stroke, node.is_subprocess and not expanded)
        if node.name:
            if expanded:
                lines = wrap_text(node.name, max(b.width - 20, 40), self.fs)
                body += _text(lines, b.x + 8, b.y + self.fs + 6, self.fs, anchor="start", colour=tc)
            else:
                inner = Bounds(b.x, b.y + 4, b.width, b.height - 18)
                body += _centred_text(node.name, inner, self.fs, colour=tc)
        return body, extra

    def event(self, node: FlowNode, s: Shape, fill: str, stroke: str, sw: float | None) -> str:
        b = s.bounds
        cx, cy = b.center
        r = min(b.width, b.height) / 2
        dashed = (node.type == "boundaryEvent" and not node.cancel_activity) or (
            node.type == "startEvent" and not node.interrupting
        )
        dash = "4,3" if dashed else None
        t = node.type
        if t == "endEvent":
            width = sw or 4.0
            rr = r - width / 2 + 1
        else:
            width = sw or 1.5
            rr = r
        body = _tag(
            "circle",
            {
                "class": "bpmn-shape",
                "cx": cx,
                "cy": cy,
                "r": rr,
                "fill": fill,
                "stroke": stroke,
                "stroke-width": width,
                "stroke-dasharray": dash,
            },
        )
        if t in (
            "intermediateCatchEvent",
            "intermediateThrowEvent",
            "boundaryEvent",
            "implicitThrowEvent",
        ):
            body += _tag(
                "circle",
                {
                    "cx": cx,
                    "cy": cy,
                    "r": r - 3,
                    "fill": "none",
                    "stroke": stroke,
                    "stroke-width": 1.0,
                    "stroke-dasharray": dash,
                },
            )
        throw = t in ("endEvent", "intermediateThrowEvent", "implicitThrowEvent")
        kinds = [d.kind for d in node.event_definitions]
        kind = kinds[0] if len(kinds) == 1 else ("multiple" if kinds else "none")
        if kind == "terminate":
            body += _event_marker(kind, cx, cy, r, stroke, True)
        elif kind != "none":
            body += _event_marker(kind, cx, cy, r * 0.95, stroke, throw)
        return body

    def gateway(self, node: FlowNode, s: Shape, fill: str, stroke: str, sw: float | None) -> str:
        b = s.bounds
        cx, cy = b.center
        pts = [(cx, b.y), (b.right, cy), (cx, b.bottom), (b.x, cy)]
        body = _tag(
            "polygon",
            {
                "class": "bpmn-shape",
                "points": _pts(pts),
                "fill": fill,
                "stroke": stroke,
                "stroke-width": sw or 1.5,
            },
        )
        return body + _gateway_marker(node, cx, cy, min(b.width, b.height), stroke)

    def pool(self, s: Shape, fill: str, stroke: str, sw: float | None) -> str:
        b = s.bounds
        p = self.participants[s.element]
        body = _tag(
            "rect",
            {
                "class": "bpmn-shape",
                "x": b.x,
                "y": b.y,
                "width": b.width,
                "height": b.height,
                "fill": fill,
                "stroke": stroke,
                "stroke-width": sw or 1.5,
            },
        )
        has_lanes = p.process is not None and any(
            lane.process == p.process for lane in self.model.lanes.values()
        )
        if (
            p.process is not None
            and (p.process in {pr.id for pr in self.model.processes})
            and (has_lanes or any(n.process == p.process for n in self.model.nodes.values()))
        ):
            if s.is_horizontal is False:
                body += _tag(
                    "line",
                    {
                        "x1": b.x,
                        "y1": b.y + 30,
                        "x2": b.right,
                        "y2": b.y + 30,
                        "stroke": stroke,
                        "stroke-width": 1.0,
                    },
                )
            else:
                body += _tag(
                    "line",
                    {
                        "x1": b.x + 30,
                        "y1": b.y,
                        "x2": b.x + 30,
                        "y2": b.bottom,
                        "stroke": stroke,
                        "stroke-width": 1.0,
                    },
                )
            body += self.band_label(p.name, s, _INK)
        elif p.name:
            body += _centred_text(p.name, b, self.fs)
        return body

    def band_label(self, name: str | None, s: Shape, colour: str) -> str:
        """A pool's or lane's name in its 30 px band: rotated, or on top for vertical pools."""
        if not name:
            return ""
        b = s.bounds
        if s.is_horizontal is False:
            return _centred_text(name, Bounds(b.x, b.y, b.width, 30), self.fs, colour=colour)
        lines = wrap_text(name, max(b.height - 10, 30), self.fs)[:2]
        cx, cy = b.x + 15, b.center[1]
        lh = self.fs * 1.2
        y0 = cy - (len(lines) - 1) * lh / 2 + self.fs * 0.35
        return _text(
            lines, cx, y0, self.fs, colour=colour, transform=f"rotate(-90 {_f(cx)} {_f(cy)})"
        )

    def data_object(self, k: str, s: Shape, fill: str, stroke: str, sw: float | None) -> str:
        b = s.bounds
        fold = min(12.0, b.width / 3)
        pts = [
            (b.x, b.y),
            (b.right - fold, b.y),
            (b.right, b.y + fold),
            (b.right, b.bottom),
            (b.x, b.bottom),
        ]
        body = _tag(
            "polygon",
            {
                "class": "bpmn-shape",
                "points": _pts(pts),
                "fill": fill,
                "stroke": stroke,
                "stroke-width": sw or 1.0,
            },
        )
        body += _tag(
            "polyline",
            {
                "points": _pts(
                    [(b.right - fold, b.y), (b.right - fold, b.y + fold), (b.right, b.y + fold)]
                ),
                "fill": "none",
                "stroke": stroke,
                "stroke-width": 1.0,
            },
        )
        if k in ("dataInput", "dataOutput"):
            x, y = b.x + 4, b.y + 4
            arrow = [
                (x, y + 3),
                (x + 7, y + 3),
                (x + 7, y),
                (x + 12, y + 5),
                (x + 7, y + 10),
                (x + 7, y + 7),
                (x, y + 7),
            ]
            body += _marker(
                "data-input" if k == "dataInput" else "data-output",
                _tag(
                    "polygon",
                    {
                        "points": _pts(arrow),
                        "fill": stroke if k == "dataOutput" else "none",
                        "stroke": stroke,
                        "stroke-width": 1.0,
                    },
                ),
            )
        return body

    def data_store(self, s: Shape, fill: str, stroke: str, sw: float | None) -> str:
        b = s.bounds
        ry = min(8.0, b.height / 6)
        d = (
            f"M{_f(b.x)},{_f(b.y + ry)} A{_f(b.width / 2)},{_f(ry)} 0 0 1 {_f(b.right)},"
            f"{_f(b.y + ry)} V{_f(b.bottom - ry)} A{_f(b.width / 2)},{_f(ry)} 0 0 1 "
            f"{_f(b.x)},{_f(b.bottom - ry)} Z"
        )
        body = _tag(
            "path",
            {
                "class": "bpmn-shape",
                "d": d,
                "fill": fill,
                "stroke": stroke,
                "stroke-width": sw or 1.5,
            },
        )
        for off in (0.0, ry * 0.7, ry * 1.4):
            body += _tag(
                "path",
                {
                    "d": f"M{_f(b.x)},{_f(b.y + ry + off)} A{_f(b.width / 2)},"
                    f"{_f(ry)} 0 0 0 {_f(b.right)},{_f(b.y + ry + off)}",
                    "fill": "none",
                    "stroke": stroke,
                    "stroke-width": 1.0,
                },
            )
        return body

    def group_name(self, element: str) -> str | None:
        ref = self.artifacts[element].text if element in self.artifacts else None
        tree = self.model._tree
        if not ref or tree is None:
            return None
        for el in tree.getroot().iter():
            if isinstance(el.tag, str) and el.get("id") == ref:
                value = el.get("value")
                return value.strip() if value else None
        return None

    def outside_label(self, k: str, node: FlowNode | None, s: Shape) -> str:
        """Labels of events, gateways and data: at their DI label bounds, or below the shape."""
        if node is not None and (node.is_event or node.is_gateway):
            name = node.name
        elif k in (
            "dataObject",
            "dataObjectReference",
            "dataInput",
            "dataOutput",
            "dataStore",
            "dataStoreReference",
        ):
            d = self.data.get(s.element)
            name = d.name if d else None
        else:
            return ""
        if not name:
            return ""
        b = s.bounds
        lb = s.label
        if lb is not None and lb.width > 1:
            width = max(lb.width, self.fs * 6)
            lines = wrap_text(name, width, self.fs)
            cx = lb.x + lb.width / 2
            y0 = lb.y + self.fs * 0.95
        else:
            lines = wrap_text(name, max(b.width * 2.5, 90), self.fs)
            cx = b.center[0]
            y0 = b.bottom + 4 + self.fs * 0.95
        return _text(lines, cx, y0, self.fs)

    def badge(self, style: ElementStyle, b: Bounds) -> str:
        text = style.badge or ""
        fs = self.fs * 0.95
        w = max(len(text) * fs * _CHAR_WIDTH + 10, fs * 1.8)
        h = fs * 1.6
        x, y = b.right - w * 0.6, b.y - h * 0.5
        colour = style.badge_colour
        body = _tag(
            "rect",
            {
                "x": x,
                "y": y,
                "width": w,
                "height": h,
                "rx": h / 2,
                "ry": h / 2,
                "fill": colour,
                "stroke": "#ffffff",
                "stroke-width": 1.0,
            },
        )
        body += _text(
            [text],
            x + w / 2,
            y + h / 2 + fs * 0.35,
            fs,
            colour="#000000" if not _is_dark(colour) and colour.startswith("#f") else "#ffffff",
            cls="bpmn-badge-text",
        )
        return f'<g class="bpmn-badge">{body}</g>'

    # -- edges ----------------------------------------------------------------------------
    def edge(self, e: Edge) -> str:
        pts = _dedupe(e.waypoints)
        if len(pts) < 2:
            return ""
        k = self.kind(e.element)
        style = self.overlay.flows.get(e.element, FlowStyle())
        colour = style.colour or _INK
        width = style.width or 1.5
        flow = self.model.flows.get(e.element)
        attrs: dict[str, str | float | None] = {
            "class": "bpmn-line",
            "points": _pts(pts),
            "fill": "none",
            "stroke": colour,
            "stroke-width": width,
            "stroke-linejoin": "round",
        }
        deco = ""
        if k == "messageFlow":
            attrs["stroke-dasharray"] = "8,5"
            attrs["stroke-width"] = style.width or 1.2
            deco += _tag(
                "circle",
                {
                    "cx": pts[0][0],
                    "cy": pts[0][1],
                    "r": 4,
                    "fill": "#ffffff",
                    "stroke": colour,
                    "stroke-width": 1.2,
                },
            )
            deco += _arrowhead(pts[-2], pts[-1], colour, width, filled=False)
        elif k in ("association", "dataInputAssociation", "dataOutputAssociation"):
            attrs["stroke-dasharray"] = "2,4"
            attrs["stroke-width"] = style.width or 1.2
            attrs["stroke-linecap"] = "round"
            if k != "association" or self.association_directed(e.element):
                deco += _arrowhead(pts[-2], pts[-1], colour, width, filled=False, open_=True)
        else:
            deco += _arrowhead(pts[-2], pts[-1], colour, width, filled=True)
            if flow is not None:
                src = self.model.nodes.get(flow.source)
                if src is not None and (src.default == flow.id or flow.is_default):
                    deco += _default_slash(pts[0], pts[1], colour)
                elif src is not None and flow.condition and src.is_activity:
                    deco += _condition_diamond(pts[0], pts[1], colour)
        body = _tag("polyline", attrs) + deco
        name = (flow.name if flow else None) or (
            self.message_flows[e.element].name if e.element in self.message_flows else None
        )
        if name:
            body += self.edge_label(name, e, pts)
        if style.label:
            mx, my = _midpoint(pts)
            body += _text(
                [style.label],
                mx + 4,
                my - 5,
                self.fs * 0.95,
                anchor="start",
                colour=colour,
                cls="bpmn-flow-label",
            )
        tip = _tag("title", {}, _esc(style.tooltip)) if style.tooltip else ""
        return _tag(
            "g", {"class": f"bpmn-element bpmn-{k}", "data-element-id": e.element}, tip + body
        )

    def association_directed(self, element: str) -> bool:
        tree = self.model._tree
        if tree is None:
            return False
        for el in tree.getroot().iter():
            if isinstance(el.tag, str) and el.get("id") == element:
                return el.get("associationDirection") in ("One", "Both")
        return False

    def edge_label(self, name: str, e: Edge, pts: Sequence[tuple[float, float]]) -> str:
        lb = e.label
        if lb is not None and lb.width > 1:
            lines = wrap_text(name, max(lb.width, self.fs * 6), self.fs)
            return _text(lines, lb.x + lb.width / 2, lb.y + self.fs * 0.95, self.fs)
        mx, my = _midpoint(pts)
        lines = wrap_text(name, 90, self.fs)
        return _text(
            lines, mx + 4, my - 6 - (len(lines) - 1) * self.fs * 1.2, self.fs, anchor="start"
        )

    # -- overlay notes and legend ---------------------------------------------------------
    def anchor_of(self, element: str) -> tuple[float, float, float] | None:
        """(x, y, clearance) where a note about this element attaches."""
        s = self.shape_of.get(element)
        if s is not None:
            return (s.bounds.right, s.bounds.y, 0.0)
        for e in self.diagram.edges:
            if e.element == element and len(e.waypoints) >= 2:
                mx, my = _midpoint(_dedupe(e.waypoints))
                return (mx, my, 0.0)
        return None

    def place_notes(self) -> list[_Placed]:
        """Boxes for the overlay's notes, above their element, never overlapping each other or
        a flow node (a note that would collide moves up until it is free)."""
        placed: list[_Placed] = []
        fs = self.fs * 0.95
        obstacles = [
            s.bounds
            for s in self.diagram.shapes
            if self.kind(s.element) not in ("participant", "lane")
        ]
        for note in self.overlay.notes:
            a = self.anchor_of(note.near)
            if a is None:
                continue
            lines = tuple(wrap_text(note.text, 200, fs)) or ("",)
            w = max(len(line) for line in lines) * fs * _CHAR_WIDTH + 12
            h = len(lines) * fs * 1.2 + 8
            x = a[0] + 6
            y = a[1] - 18 - h
            box = Bounds(x, y, w, h)
            taken = obstacles + [p.box for p in placed]
            for _ in range(400):
                hit = [o for o in taken if box.overlaps(o, margin=3.0)]
                if not hit:
                    break
                box = Bounds(x, min(o.y for o in hit) - h - 4, w, h)
            placed.append(_Placed(note, box, (a[0], a[1]), lines))
        return placed

    def note(self, p: _Placed) -> str:
        b = p.box
        fs = self.fs * 0.95
        body = _tag(
            "line",
            {
                "x1": p.anchor[0],
                "y1": p.anchor[1],
                "x2": b.x + 8,
                "y2": b.bottom,
                "stroke": p.note.colour,
                "stroke-width": 1.0,
                "stroke-dasharray": "3,2",
            },
        )
        body += _tag(
            "rect",
            {
                "class": "bpmn-note-box",
                "x": b.x,
                "y": b.y,
                "width": b.width,
                "height": b.height,
                "rx": 4,
                "ry": 4,
                "fill": "#ffffff",
                "stroke": p.note.colour,
                "stroke-width": 1.5,
                "stroke-dasharray": "5,3",
            },
        )
        body += _text(
            p.lines,
            b.x + 6,
            b.y + 4 + fs * 0.95,
            fs,
            anchor="start",
            colour=p.note.colour,
            cls="bpmn-note-text",
        )
        return _tag("g", {"class": "bpmn-note", "data-near": p.note.near}, body)

    def legend_box(
        self, entries: Sequence[tuple[str, str]], x: float, y: float
    ) -> tuple[str, float, float]:
        fs = self.fs
        row = fs * 1.6
        tw = max(len(t) for _, t in entries) * fs * _CHAR_WIDTH
        w = tw + fs * 2.5 + 16
        h = len(entries) * row + 12
        body = _tag(
            "rect",
            {
                "x": x,
                "y": y,
                "width": w,
                "height": h,
                "rx": 4,
                "ry": 4,
                "fill": "#ffffff",
                "stroke": "#888888",
                "stroke-width": 1.0,
            },
        )
        for i, (colour, text) in enumerate(entries):
            ry = y + 6 + i * row
            body += _tag(
                "rect",
                {
                    "class": "bpmn-legend-swatch",
                    "x": x + 8,
                    "y": ry + row * 0.15,
                    "width": fs * 1.6,
                    "height": row * 0.7,
                    "fill": colour,
                    "stroke": "#555555",
                    "stroke-width": 0.5,
                },
            )
            body += _text(
                [text],
                x + 8 + fs * 2.1,
                ry + row * 0.5 + fs * 0.35,
                fs,
                anchor="start",
                cls="bpmn-legend-text",
            )
        return f'<g class="bpmn-legend">{body}</g>', w, h


# -- geometry helpers ------------------------------------------------------------------------
def _dedupe(pts: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for p in pts:
        if not out or abs(out[-1][0] - p[0]) > 1e-6 or abs(out[-1][1] - p[1]) > 1e-6:
            out.append((p[0], p[1]))
    return out


def _unit(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1.0
    return dx / n, dy / n


def _arrowhead(
    a: tuple[float, float],
    b: tuple[float, float],
    colour: str,
    width: float,
    *,
    filled: bool,
    open_: bool = False,
) -> str:
    ux, uy = _unit(a, b)
    length = 9.0 + 1.5 * max(0.0, width - 1.5)
    half = 4.0 + 0.8 * max(0.0, width - 1.5)
    bx, by = b[0] - ux * length, b[1] - uy * length
    p1 = (bx - uy * half, by + ux * half)
    p2 = (bx + uy * half, by - ux * half)
    if open_:
        return _tag(
            "polyline",
            {
                "class": "bpmn-arrow",
                "points": _pts([p1, b, p2]),
                "fill": "none",
                "stroke": colour,
                "stroke-width": 1.2,
            },
        )
    return _tag(
        "polygon",
        {
            "class": "bpmn-arrow",
            "points": _pts([p1, b, p2]),
            "fill": colour if filled else "#ffffff",
            "stroke": colour,
            "stroke-width": 1.0,
            "stroke-linejoin": "round",
        },
    )


def _default_slash(a: tuple[float, float], b: tuple[float, float], colour: str) -> str:
    ux, uy = _unit(a, b)
    cx, cy = a[0] + ux * 12, a[1] + uy * 12
    nx, ny = -uy, ux
    p1 = (cx + nx * 6 - ux * 4, cy + ny * 6 - uy * 4)
    p2 = (cx - nx * 6 + ux * 4, cy - ny * 6 + uy * 4)
    return _marker(
        "default-flow",
        _tag(
            "line",
            {
                "x1": p1[0],
                "y1": p1[1],
                "x2": p2[0],
                "y2": p2[1],
                "stroke": colour,
                "stroke-width": 1.5,
            },
        ),
    )


def _condition_diamond(a: tuple[float, float], b: tuple[float, float], colour: str) -> str:
    ux, uy = _unit(a, b)
    nx, ny = -uy, ux
    pts = [
        a,
        (a[0] + ux * 8 + nx * 5, a[1] + uy * 8 + ny * 5),
        (a[0] + ux * 16, a[1] + uy * 16),
        (a[0] + ux * 8 - nx * 5, a[1] + uy * 8 - ny * 5),
    ]
    return _marker(
        "conditional-flow",
        _tag(
            "polygon",
            {"points": _pts(pts), "fill": "#ffffff", "stroke": colour, "stroke-width": 1.2},
        ),
    )


def _midpoint(pts: Sequence[tuple[float, float]]) -> tuple[float, float]:
    lengths = [math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(pts)]
    half = sum(lengths) / 2
    for (a, b), seg in zip(itertools.pairwise(pts), lengths, strict=True):
        if half <= seg and seg > 0:
            t = half / seg
            return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
        half -= seg
    return pts[-1]


# ------------------------------------------------------------------------------------------
# public functions
# ------------------------------------------------------------------------------------------
def to_svg(
    model: BpmnModel,
    *,
    diagram: int = 0,
    overlay: Overlay | None = None,
    scale: float = 1.0,
    font_size: float | None = None,
    legend: Sequence[tuple[str, str]] | None = None,
    title: str | None = None,
) -> str:
    """Draw one diagram of a model as a self-contained SVG document.

    Models without DI are laid out first with :func:`fvmprocess.bpmn.layout.auto_layout`.

    Args:
        model: the model, e.g. from :func:`fvmprocess.read_bpmn`.
        diagram: index of the ``BPMNDiagram`` to draw (files may hold several).
        overlay: conformance results to paint (fills, badges, flow widths, notes, legend).
        scale: multiplies the SVG's width and height (the viewBox stays in DI units).
        font_size: label size in diagram pixels (default 11; 16–20 for projection in a
            workshop, labels are re-wrapped to the shapes).
        legend: ``(colour, text)`` entries for a legend box (overrides the overlay's).
        title: a heading drawn above the diagram.

    Returns:
        The SVG document as a string (UTF-8 XML, deterministic for the same input).

    Raises:
        RenderError: the diagram index does not exist, or ``scale``/``font_size`` is not
            positive.

    Example:
        >>> svg = to_svg(read_bpmn("models/akutmottagning.bpmn"), font_size=16)  # doctest: +SKIP
    """
    if scale <= 0 or (font_size is not None and font_size <= 0):
        raise RenderError(
            f"scale and font_size must be positive (got scale={scale}, font_size={font_size})",
            source=model.source,
        )
    if not model.has_di:
        from fvmprocess.bpmn.layout import auto_layout

        model = auto_layout(model)
        diagram = 0
    if not 0 <= diagram < len(model.diagrams):
        raise RenderError(
            f"diagram index {diagram} does not exist; the file has {len(model.diagrams)} "
            f"diagram(s) (0..{len(model.diagrams) - 1})",
            source=model.source,
        )
    return _Renderer(
        model,
        model.diagrams[diagram],
        overlay or Overlay(),
        font_size or DEFAULT_FONT_SIZE,
        scale,
        legend or (),
        title,
    ).render()


def _cairo_options(scale: float, dpi: float) -> float:
    if dpi <= 0:
        raise RenderError(f"dpi must be positive (got {dpi})")
    return scale * dpi / 96.0


def _write(data: bytes, path: str | Path | None) -> None:
    if path is None:
        return
    try:
        Path(path).write_bytes(data)
    except OSError as e:
        raise RenderError(f"cannot write the file ({e.strerror})", source=str(path)) from e


def to_png(
    model: BpmnModel,
    path: str | Path | None = None,
    *,
    diagram: int = 0,
    overlay: Overlay | None = None,
    scale: float = 1.0,
    dpi: float = 96.0,
    font_size: float | None = None,
    legend: Sequence[tuple[str, str]] | None = None,
    title: str | None = None,
) -> bytes:
    """Draw a diagram as PNG (through cairosvg), optionally writing it to ``path``.

    Args:
        model: the model.
        path: where to write the PNG, or None to only return the bytes.
        diagram: index of the diagram to draw.
        overlay: results to paint, see :class:`Overlay`.
        scale: size factor (1.0: one pixel per DI unit at 96 dpi).
        dpi: resolution; 192 doubles the pixel size for sharp slides.
        font_size: label size (see :func:`to_svg`).
        legend: legend entries.
        title: a heading.

    Returns:
        The PNG bytes.

    Raises:
        RenderError: bad options, cairosvg failed, or the file cannot be written.
    """
    factor = _cairo_options(scale, dpi)
    svg = to_svg(
        model,
        diagram=diagram,
        overlay=overlay,
        scale=factor,
        font_size=font_size,
        legend=legend,
        title=title,
    )
    import cairosvg

    try:
        data: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), unsafe=False)
    except Exception as e:  # cairosvg raises assorted errors
        raise RenderError(f"cairosvg could not render the PNG: {e}", source=model.source) from e
    _write(data, path)
    return data


def to_pdf(
    model: BpmnModel,
    path: str | Path | None = None,
    *,
    diagram: int = 0,
    overlay: Overlay | None = None,
    scale: float = 1.0,
    font_size: float | None = None,
    legend: Sequence[tuple[str, str]] | None = None,
    title: str | None = None,
) -> bytes:
    """Draw a diagram as a one-page vector PDF (through cairosvg); see :func:`to_png`."""
    svg = to_svg(
        model,
        diagram=diagram,
        overlay=overlay,
        scale=scale,
        font_size=font_size,
        legend=legend,
        title=title,
    )
    import cairosvg

    try:
        data: bytes = cairosvg.svg2pdf(bytestring=svg.encode("utf-8"), unsafe=False)
    except Exception as e:
        raise RenderError(f"cairosvg could not render the PDF: {e}", source=model.source) from e
    _write(data, path)
    return data


_SUFFIXES = (".svg", ".png", ".pdf")


def render(
    model: BpmnModel,
    path: str | Path,
    *,
    diagram: int = 0,
    overlay: Overlay | None = None,
    scale: float = 1.0,
    dpi: float = 96.0,
    font_size: float | None = None,
    legend: Sequence[tuple[str, str]] | None = None,
    title: str | None = None,
) -> Path:
    """Draw a diagram to a file, the format chosen by the suffix (.svg, .png or .pdf).

    Args:
        model: the model.
        path: the output file.
        diagram: index of the diagram to draw.
        overlay: results to paint.
        scale: size factor.
        dpi: PNG resolution (ignored for SVG and PDF).
        font_size: label size (workshop mode: 16–20).
        legend: legend entries.
        title: a heading.

    Returns:
        The path written.

    Raises:
        RenderError: the suffix is not one of .svg/.png/.pdf, or rendering/writing failed.

    Example:
        >>> render(model, "out/akut.png", overlay=ov, font_size=18)  # doctest: +SKIP
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix == ".svg":
        svg = to_svg(
            model,
            diagram=diagram,
            overlay=overlay,
            scale=scale,
            font_size=font_size,
            legend=legend,
            title=title,
        )
        _write(svg.encode("utf-8"), out)
    elif suffix == ".png":
        to_png(
            model,
            out,
            diagram=diagram,
            overlay=overlay,
            scale=scale,
            dpi=dpi,
            font_size=font_size,
            legend=legend,
            title=title,
        )
    elif suffix == ".pdf":
        to_pdf(
            model,
            out,
            diagram=diagram,
            overlay=overlay,
            scale=scale,
            font_size=font_size,
            legend=legend,
            title=title,
        )
    else:
        raise RenderError(
            f"cannot tell the output format from the suffix {out.suffix or '(none)'!r}; "
            f"expected one of {', '.join(_SUFFIXES)}",
            source=str(out),
        )
    return out
