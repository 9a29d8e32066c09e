"""BPMN notation: the symbols of flow nodes, pools, data and artifacts, their markers and icons,
and the decorations of flows (arrowheads, default slash, condition diamond).

Each function draws one symbol at given DI bounds and returns SVG text; nothing here knows the
model as a whole (that is :mod:`fvmprocess.render.svg`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fvmprocess.bpmn.model import Bounds, FlowNode
from fvmprocess.render._tags import Attrs, Point, num, point_list, tag
from fvmprocess.render.text import (
    LINE_HEIGHT,
    Placed,
    centred_layout,
    centred_text,
    placed_svg,
    text_block,
    wrap_text,
)

__all__ = [
    "ICON_BAND",
    "Paint",
    "activity_symbol",
    "annotation_symbol",
    "arrowhead",
    "band_label",
    "bottom_markers",
    "condition_diamond",
    "data_object_symbol",
    "data_store_symbol",
    "dedupe",
    "default_slash",
    "event_marker",
    "event_symbol",
    "gateway_marker",
    "gateway_symbol",
    "group_symbol",
    "marker",
    "message_envelope",
    "midpoint",
    "pool_symbol",
    "rect_symbol",
    "task_icon",
]


@dataclass(frozen=True, slots=True)
class Paint:
    """The colours of one symbol.

    Attributes:
        fill: fill colour.
        stroke: line colour.
        width: line width set by an overlay, or None for the symbol's own width.
        text: colour of text inside the symbol.
    """

    fill: str
    stroke: str
    width: float | None
    text: str


def marker(kind: str, body: str) -> str:
    """A marker group ``<g class="bpmn-marker bpmn-marker-<kind>">`` (tests find them so)."""
    return f'<g class="bpmn-marker bpmn-marker-{kind}">{body}</g>'


# -- task type icons (top-left corner) -------------------------------------------------------
def _line_style(stroke: str) -> Attrs:
    return {"fill": "none", "stroke": stroke, "stroke-width": 1.0}


def _user_icon(ox: float, oy: float, stroke: str) -> str:
    s = _line_style(stroke)
    d = (
        f"M{num(ox)},{num(oy + 15)} C{num(ox)},{num(oy + 8)} {num(ox + 14)},{num(oy + 8)} "
        f"{num(ox + 14)},{num(oy + 15)} Z"
    )
    body = tag("circle", {"cx": ox + 7, "cy": oy + 4.5, "r": 3.5, **s}) + tag("path", {"d": d, **s})
    return marker("user", body)


def _manual_icon(ox: float, oy: float, stroke: str) -> str:
    """A flat hand pointing right: palm, thumb up and four fingers."""
    s = _line_style(stroke)
    palm = tag(
        "rect",
        {"class": "bpmn-palm", "x": ox, "y": oy + 4, "width": 8, "height": 11, "rx": 3, **s},
    )
    thumb_d = f"M{num(ox + 4)},{num(oy + 4.5)} l4.5,-3.6 a1.3,1.3 0 0 1 1.7,2 l-3.2,2.6"
    thumb = tag("path", {"class": "bpmn-thumb", "d": thumb_d, **s})
    fingers = "".join(
        tag(
            "rect",
            {
                "class": "bpmn-finger",
                "x": ox + 6,
                "y": oy + 5 + 2.6 * k,
                "width": length,
                "height": 2.6,
                "rx": 1.3,
                "fill": "#ffffff",
                "stroke": stroke,
                "stroke-width": 0.8,
            },
        )
        for k, length in enumerate((11.0, 12.0, 11.0, 9.0))
    )
    return marker("manual", palm + thumb + fingers)


def _service_icon(ox: float, oy: float, stroke: str) -> str:
    cx, cy = ox + 7, oy + 7
    teeth = "".join(
        tag(
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
    wheel: Attrs = {"cx": cx, "cy": cy, "r": 5, "fill": "#ffffff", "stroke": stroke}
    body = teeth + tag("circle", {**wheel, "stroke-width": 1.0})
    body += tag("circle", {"cx": cx, "cy": cy, "r": 2, **_line_style(stroke)})
    return marker("service", body)


def _send_icon(ox: float, oy: float, stroke: str) -> str:
    return marker("send", envelope(ox, oy + 2, 16, 11, stroke, True))


def _receive_icon(ox: float, oy: float, stroke: str) -> str:
    return marker("receive", envelope(ox, oy + 2, 16, 11, stroke, False))


def _script_icon(ox: float, oy: float, stroke: str) -> str:
    d = (
        f"M{num(ox + 3)},{num(oy)} h11 c-4,4 4,9 0,15 h-11 c4,-6 -4,-11 0,-15 Z "
        f"M{num(ox + 3)},{num(oy + 4)} h7 M{num(ox + 4)},{num(oy + 8)} h7 "
        f"M{num(ox + 3)},{num(oy + 11)} h7"
    )
    return marker("script", tag("path", {"d": d, **_line_style(stroke)}))


def _business_rule_icon(ox: float, oy: float, stroke: str) -> str:
    s = _line_style(stroke)
    body = tag("rect", {"x": ox, "y": oy + 1, "width": 16, "height": 12, **s})
    head: Attrs = {"x": ox, "y": oy + 1, "width": 16, "height": 3.5, "fill": stroke}
    body += tag("rect", {**head, "stroke": stroke, "stroke-width": 1.0})
    body += tag(
        "path", {"d": f"M{num(ox)},{num(oy + 8.5)} h16 M{num(ox + 5)},{num(oy + 4.5)} v8.5", **s}
    )
    return marker("business-rule", body)


_TASK_ICONS: dict[str, Callable[[float, float, str], str]] = {
    "userTask": _user_icon,
    "manualTask": _manual_icon,
    "serviceTask": _service_icon,
    "sendTask": _send_icon,
    "receiveTask": _receive_icon,
    "scriptTask": _script_icon,
    "businessRuleTask": _business_rule_icon,
}


#: The band at a task's top taken by its type icon (text starts below it).
ICON_BAND = 24.0


def task_icon(node_type: str, x: float, y: float, stroke: str) -> str:
    """The type icon in the top-left corner of a task whose top-left is (x, y)."""
    draw = _TASK_ICONS.get(node_type)
    return draw(x + 6, y + 6, stroke) if draw is not None else ""


def envelope(x: float, y: float, w: float, h: float, stroke: str, filled: bool) -> str:
    """A letter: filled for sending, white for receiving."""
    box: Attrs = {"x": x, "y": y, "width": w, "height": h}
    body = tag(
        "rect",
        {**box, "fill": stroke if filled else "#ffffff", "stroke": stroke, "stroke-width": 1.0},
    )
    body += tag(
        "polyline",
        {
            "points": point_list([(x, y), (x + w / 2, y + h * 0.55), (x + w, y)]),
            "fill": "none",
            "stroke": "#ffffff" if filled else stroke,
            "stroke-width": 1.0,
        },
    )
    return body


# -- activity markers (bottom centre) --------------------------------------------------------
def _loop_marker(x: float, y: float, s: Attrs) -> str:
    cx, cy, r = x + 7, y + 7, 5.5
    d = f"M{num(cx - 3)},{num(cy + r * 0.85)} A{num(r)},{num(r)} 0 1 1 {num(cx + 3)},{num(cy + r * 0.85)}"
    arrow = [(cx - 7, cy + 3), (cx - 3, cy + r * 0.85), (cx - 6, cy + 9)]
    return tag("path", {"d": d, **s}) + tag("polyline", {"points": point_list(arrow), **s})


def _bars(x: float, y: float, s: Attrs, *, vertical: bool) -> str:
    out = []
    for k in range(3):
        if vertical:
            line: Attrs = {"x1": x + 3 + 4 * k, "y1": y + 1, "x2": x + 3 + 4 * k, "y2": y + 13}
        else:
            line = {"x1": x + 1, "y1": y + 3 + 4 * k, "x2": x + 13, "y2": y + 3 + 4 * k}
        out.append(tag("line", {**line, **s, "stroke-width": 2.0}))
    return "".join(out)


def _parallel_marker(x: float, y: float, s: Attrs) -> str:
    return _bars(x, y, s, vertical=True)


def _sequential_marker(x: float, y: float, s: Attrs) -> str:
    return _bars(x, y, s, vertical=False)


def _collapsed_marker(x: float, y: float, s: Attrs) -> str:
    body = tag("rect", {"x": x, "y": y, "width": 14.0, "height": 14.0, **s})
    return body + tag(
        "path", {"d": f"M{num(x + 3)},{num(y + 7)} h8 M{num(x + 7)},{num(y + 3)} v8", **s}
    )


def _adhoc_marker(x: float, y: float, s: Attrs) -> str:
    return tag("path", {"d": f"M{num(x)},{num(y + 8)} c3,-5 5,-5 7,0 s4,5 7,0", **s})


def _compensation_marker(x: float, y: float, s: Attrs) -> str:
    d = f"M{num(x + 7)},{num(y + 2)} l-6,5 l6,5 Z M{num(x + 13)},{num(y + 2)} l-6,5 l6,5 Z"
    return tag("path", {"d": d, **s})


_BOTTOM_MARKERS: dict[str, Callable[[float, float, Attrs], str]] = {
    "loop": _loop_marker,
    "multi-instance-parallel": _parallel_marker,
    "multi-instance-sequential": _sequential_marker,
    "collapsed": _collapsed_marker,
    "adhoc": _adhoc_marker,
    "compensation": _compensation_marker,
}
_LOOP_MARKERS = {
    "standard": "loop",
    "parallel": "multi-instance-parallel",
    "sequential": "multi-instance-sequential",
}


def _bottom_marker_kinds(node: FlowNode, collapsed: bool) -> list[str]:
    kinds = [_LOOP_MARKERS[node.loop]] if node.loop in _LOOP_MARKERS else []
    if collapsed:
        kinds.append("collapsed")
    if node.type == "adHocSubProcess":
        kinds.append("adhoc")
    if node.for_compensation:
        kinds.append("compensation")
    return kinds


def bottom_markers(node: FlowNode, b: Bounds, stroke: str, collapsed: bool) -> str:
    """Loop / multi-instance / collapsed / ad-hoc / compensation markers at the bottom centre."""
    kinds = _bottom_marker_kinds(node, collapsed)
    if not kinds:
        return ""
    size, gap = 14.0, 4.0
    total = len(kinds) * size + (len(kinds) - 1) * gap
    x = b.center[0] - total / 2
    y = b.bottom - size - 4
    s: Attrs = {"fill": "none", "stroke": stroke, "stroke-width": 1.5}
    out = []
    for kind in kinds:
        out.append(marker(kind, _BOTTOM_MARKERS[kind](x, y, s)))
        x += size + gap
    return "".join(out)


# -- event definition markers ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Glyph:
    """Where an event marker goes: centre, scale (1.0 for a 36 px event), colour, filled."""

    cx: float
    cy: float
    k: float
    stroke: str
    throw: bool

    @property
    def style(self) -> Attrs:
        fill = self.stroke if self.throw else "#ffffff"
        return {"fill": fill, "stroke": self.stroke, "stroke-width": 1.2}

    def at(self, dx: float, dy: float) -> Point:
        return (self.cx + dx * self.k, self.cy + dy * self.k)

    def polygon(self, offsets: Sequence[Point]) -> str:
        return tag("polygon", {"points": point_list(self.at(*o) for o in offsets), **self.style})


def _timer(g: _Glyph) -> str:
    cx, cy, k, stroke = g.cx, g.cy, g.k, g.stroke
    face: Attrs = {"cx": cx, "cy": cy, "r": 10 * k, "fill": "#ffffff", "stroke": stroke}
    body = tag("circle", {**face, "stroke-width": 1.5})
    ticks = "".join(
        tag(
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
    hands = tag(
        "polyline",
        {
            "points": point_list([g.at(1, -7), (cx, cy), g.at(5, 2)]),
            "fill": "none",
            "stroke": stroke,
            "stroke-width": 1.5,
        },
    )
    return body + ticks + hands


def _message(g: _Glyph) -> str:
    w, h = 18 * g.k, 12 * g.k
    return envelope(g.cx - w / 2, g.cy - h / 2, w, h, g.stroke, g.throw)


def _error(g: _Glyph) -> str:
    return g.polygon([(-8, 8), (-3, -7), (2, 1), (8, -8), (3, 7), (-2, -1)])


def _signal(g: _Glyph) -> str:
    return g.polygon([(0, -10), (9, 6), (-9, 6)])


def _escalation(g: _Glyph) -> str:
    return g.polygon([(0, -10), (7, 8), (0, 2), (-7, 8)])


def _conditional(g: _Glyph) -> str:
    cx, cy, k, stroke = g.cx, g.cy, g.k, g.stroke
    sheet: Attrs = {"x": cx - 7 * k, "y": cy - 9 * k, "width": 14 * k, "height": 18 * k}
    body = tag("rect", {**sheet, "fill": "#ffffff", "stroke": stroke, "stroke-width": 1.2})
    body += "".join(
        tag(
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
    return body


def _terminate(g: _Glyph) -> str:
    disc: Attrs = {"cx": g.cx, "cy": g.cy, "r": 10 * g.k}
    return tag("circle", {**disc, "fill": g.stroke, "stroke": g.stroke})


def _compensate(g: _Glyph) -> str:
    return g.polygon([(-10, 0), (-1, -7), (-1, 7)]) + g.polygon([(-1, 0), (8, -7), (8, 7)])


def _link(g: _Glyph) -> str:
    return g.polygon([(-8, -3), (1, -3), (1, -8), (9, 0), (1, 8), (1, 3), (-8, 3)])


def _cancel(g: _Glyph) -> str:
    cx, cy, a = g.cx, g.cy, 6.5 * g.k
    path = (
        f"M{num(cx - a)},{num(cy - a)} L{num(cx + a)},{num(cy + a)} M{num(cx + a)},"
        f"{num(cy - a)} L{num(cx - a)},{num(cy + a)}"
    )
    return tag("path", {"d": path, "stroke": g.stroke, "stroke-width": 4 * g.k, "fill": "none"})


def _multiple(g: _Glyph) -> str:
    return tag("polygon", {"points": point_list(_pentagon(g.cx, g.cy, 9 * g.k)), **g.style})


_EVENT_MARKERS: dict[str, Callable[[_Glyph], str]] = {
    "timer": _timer,
    "message": _message,
    "error": _error,
    "signal": _signal,
    "escalation": _escalation,
    "conditional": _conditional,
    "terminate": _terminate,
    "compensate": _compensate,
    "link": _link,
    "cancel": _cancel,
    "multiple": _multiple,
}


def event_marker(kind: str, cx: float, cy: float, r: float, stroke: str, throw: bool) -> str:
    """The marker of an event definition inside a circle of radius ``r`` (empty if unknown)."""
    draw = _EVENT_MARKERS.get(kind)
    if draw is None:
        return ""
    return marker(kind, draw(_Glyph(cx, cy, r / 18.0, stroke, throw)))


def _pentagon(cx: float, cy: float, r: float) -> list[Point]:
    return [
        (cx + r * math.sin(2 * math.pi * j / 5), cy - r * math.cos(2 * math.pi * j / 5))
        for j in range(5)
    ]


# -- gateway markers -------------------------------------------------------------------------
def _cross(cx: float, cy: float, a: float) -> str:
    return (
        f"M{num(cx - a)},{num(cy - a)} L{num(cx + a)},{num(cy + a)} M{num(cx + a)},{num(cy - a)} "
        f"L{num(cx - a)},{num(cy + a)}"
    )


def _plus(cx: float, cy: float, a: float) -> str:
    return f"M{num(cx - a)},{num(cy)} H{num(cx + a)} M{num(cx)},{num(cy - a)} V{num(cy + a)}"


def _event_based(node: FlowNode, cx: float, cy: float, k: float, s: Attrs) -> str:
    body = tag("circle", {"cx": cx, "cy": cy, "r": 13 * k, **s, "stroke-width": 1.0})
    if not node.instantiate:
        body += tag("circle", {"cx": cx, "cy": cy, "r": 10.5 * k, **s, "stroke-width": 1.0})
    if node.event_gateway_type == "Parallel":
        return body + tag("path", {"d": _plus(cx, cy, 7 * k), **s, "stroke-width": 2.0 * k})
    pentagon = point_list(_pentagon(cx, cy + 0.5 * k, 7 * k))
    return body + tag("polygon", {"points": pentagon, **s, "stroke-width": 1.2})


def gateway_marker(node: FlowNode, cx: float, cy: float, h: float, stroke: str) -> str:
    """The marker inside a gateway's diamond of height ``h`` centred at (cx, cy)."""
    k = h / 50.0
    s: Attrs = {"fill": "none", "stroke": stroke}
    t = node.type
    if t == "exclusiveGateway":
        return marker(
            "exclusive", tag("path", {"d": _cross(cx, cy, 8 * k), **s, "stroke-width": 4 * k})
        )
    if t == "parallelGateway":
        return marker(
            "parallel", tag("path", {"d": _plus(cx, cy, 12 * k), **s, "stroke-width": 4 * k})
        )
    if t == "inclusiveGateway":
        ring = tag("circle", {"cx": cx, "cy": cy, "r": 11 * k, **s, "stroke-width": 2.5 * k})
        return marker("inclusive", ring)
    if t == "complexGateway":
        d = f"{_plus(cx, cy, 12 * k)} {_cross(cx, cy, 8.5 * k)}"
        return marker("complex", tag("path", {"d": d, **s, "stroke-width": 3.5 * k}))
    if t == "eventBasedGateway":
        return marker("event-based", _event_based(node, cx, cy, k, s))
    return ""


# -- flow node symbols -----------------------------------------------------------------------
def activity_symbol(
    node: FlowNode,
    b: Bounds,
    paint: Paint,
    *,
    expanded: bool,
    fs: float,
    name: str | None = None,
    keep_out: Sequence[Bounds] = (),
) -> str:
    """A task, sub-process or call activity: rounded box, icon, markers and its name (the
    node's own unless ``name`` is given); the name is set below the type icon and above the
    bottom markers, so neither covers it; it also avoids ``keep_out`` (boundary events on
    the border) where the box leaves room."""
    attrs: Attrs = {
        "class": "bpmn-shape",
        "x": b.x,
        "y": b.y,
        "width": b.width,
        "height": b.height,
        "rx": 10,
        "ry": 10,
        "fill": paint.fill,
        "stroke": paint.stroke,
        "stroke-width": paint.width or (3.0 if node.type == "callActivity" else 1.5),
    }
    if node.triggered_by_event:
        attrs["stroke-dasharray"] = "2,3"
    body = tag("rect", attrs)
    if node.type == "transaction":
        inner: Attrs = {"x": b.x + 3, "y": b.y + 3, "width": b.width - 6, "height": b.height - 6}
        body += tag(
            "rect",
            {
                **inner,
                "rx": 8,
                "ry": 8,
                "fill": "none",
                "stroke": paint.stroke,
                "stroke-width": 1.0,
            },
        )
    body += task_icon(node.type, b.x, b.y, paint.stroke)
    collapsed = node.is_subprocess and not expanded
    body += bottom_markers(node, b, paint.stroke, collapsed)
    text = name if name is not None else node.name
    if not text:
        return body
    if expanded:
        lines = wrap_text(text, max(b.width - 20, 40), fs)
        return body + text_block(
            lines, b.x + 8, b.y + fs + 6, fs, anchor="start", colour=paint.text
        )
    avoid = list(keep_out)
    if node.type in _TASK_ICONS:
        avoid.append(Bounds(b.x + 4, b.y + 4, 20, 19))
    bottom = 20.0 if _bottom_marker_kinds(node, collapsed) else 4.0
    return body + placed_svg(_name_layout(text, b, avoid, bottom, fs), colour=paint.text)


def _name_layout(text: str, b: Bounds, avoid: Sequence[Bounds], bottom: float, fs: float) -> Placed:
    """The task's name centred in the largest part of its box that keeps clear of ``avoid``
    (the icon, boundary events): the whole box, then shrunk from the top and bottom, then
    from the sides; the first layout touching nothing wins, else the most restricted."""
    inside = [a for a in avoid if a.overlaps(b)]
    top_cut = max((a.bottom - b.y for a in inside if a.center[1] < b.center[1]), default=0.0)
    bottom_cut = max((b.bottom - a.y for a in inside if a.center[1] >= b.center[1]), default=0.0)
    left_cut = max((a.right - b.x for a in inside if a.center[0] < b.center[0]), default=0.0)
    right_cut = max((b.right - a.x for a in inside if a.center[0] >= b.center[0]), default=0.0)
    floor = fs * LINE_HEIGHT
    top0 = 4.0
    top1, bottom1 = max(top0, top_cut + 1), max(bottom, bottom_cut + 1)
    boxes = [
        Bounds(b.x, b.y + top0, b.width, max(b.height - top0 - bottom, floor)),
        Bounds(b.x, b.y + top1, b.width, max(b.height - top1 - bottom1, floor)),
        Bounds(
            b.x + left_cut,
            b.y + top0,
            max(b.width - left_cut - right_cut, fs * 4),
            max(b.height - top0 - bottom, floor),
        ),
    ]
    layout = centred_layout(text, boxes[0], fs)
    for box in boxes:
        layout = centred_layout(text, box, fs)
        if layout.fits and not any(lb.overlaps(a) for lb in layout.boxes for a in inside):
            return layout
    return centred_layout(text, boxes[1], fs)


_INTERMEDIATE = frozenset(
    {"intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "implicitThrowEvent"}
)
_THROWING = frozenset({"endEvent", "intermediateThrowEvent", "implicitThrowEvent"})


def event_symbol(node: FlowNode, b: Bounds, paint: Paint) -> str:
    """An event: a circle (thick for end, double for intermediate) and its definition marker."""
    cx, cy = b.center
    r = min(b.width, b.height) / 2
    dashed = (node.type == "boundaryEvent" and not node.cancel_activity) or (
        node.type == "startEvent" and not node.interrupting
    )
    dash = "4,3" if dashed else None
    if node.type == "endEvent":
        width = paint.width or 4.0
        rr = r - width / 2 + 1
    else:
        width = paint.width or 1.5
        rr = r
    circle: Attrs = {"class": "bpmn-shape", "cx": cx, "cy": cy, "r": rr, "fill": paint.fill}
    body = tag(
        "circle",
        {**circle, "stroke": paint.stroke, "stroke-width": width, "stroke-dasharray": dash},
    )
    if node.type in _INTERMEDIATE:
        ring: Attrs = {"cx": cx, "cy": cy, "r": r - 3, "fill": "none", "stroke": paint.stroke}
        body += tag("circle", {**ring, "stroke-width": 1.0, "stroke-dasharray": dash})
    kinds = [d.kind for d in node.event_definitions]
    kind = kinds[0] if len(kinds) == 1 else ("multiple" if kinds else "none")
    if kind == "terminate":
        body += event_marker(kind, cx, cy, r, paint.stroke, True)
    elif kind != "none":
        body += event_marker(kind, cx, cy, r * 0.95, paint.stroke, node.type in _THROWING)
    return body


def gateway_symbol(node: FlowNode, b: Bounds, paint: Paint, *, marker: bool = True) -> str:
    """A gateway: the diamond and its type marker (for an exclusive gateway only when
    ``marker``: ``isMarkerVisible`` in its DI)."""
    cx, cy = b.center
    diamond = [(cx, b.y), (b.right, cy), (cx, b.bottom), (b.x, cy)]
    body = tag(
        "polygon",
        {
            "class": "bpmn-shape",
            "points": point_list(diamond),
            "fill": paint.fill,
            "stroke": paint.stroke,
            "stroke-width": paint.width or 1.5,
        },
    )
    if not marker and node.type == "exclusiveGateway":
        return body
    return body + gateway_marker(node, cx, cy, min(b.width, b.height), paint.stroke)


# -- containers, data and artifacts ----------------------------------------------------------
def rect_symbol(b: Bounds, fill: str, stroke: str, width: float | None, **extra: str) -> str:
    """A plain rectangle with class ``bpmn-shape`` (lanes, unknown elements)."""
    box: Attrs = {"class": "bpmn-shape", "x": b.x, "y": b.y, "width": b.width, "height": b.height}
    attrs: Attrs = {**box, "fill": fill, "stroke": stroke, "stroke-width": width}
    return tag("rect", {**attrs, **{k.replace("_", "-"): v for k, v in extra.items()}})


def pool_symbol(b: Bounds, paint: Paint, *, band: bool, horizontal: bool) -> str:
    """A pool's box and, when it holds a process, the 30 px line of its name band."""
    body = rect_symbol(b, paint.fill, paint.stroke, paint.width or 1.5)
    if not band:
        return body
    if not horizontal:
        line: Attrs = {"x1": b.x, "y1": b.y + 30, "x2": b.right, "y2": b.y + 30}
    else:
        line = {"x1": b.x + 30, "y1": b.y, "x2": b.x + 30, "y2": b.bottom}
    return body + tag("line", {**line, "stroke": paint.stroke, "stroke-width": 1.0})


def band_label(name: str | None, b: Bounds, *, horizontal: bool, fs: float, colour: str) -> str:
    """A pool's or lane's name in its 30 px band: rotated, or on top for vertical pools."""
    if not name:
        return ""
    if not horizontal:
        return centred_text(name, Bounds(b.x, b.y, b.width, 30), fs, colour=colour)
    lines = wrap_text(name, max(b.height - 10, 30), fs)[:2]
    cx, cy = b.x + 15, b.center[1]
    y0 = cy - (len(lines) - 1) * fs * LINE_HEIGHT / 2 + fs * 0.35
    return text_block(
        lines, cx, y0, fs, colour=colour, transform=f"rotate(-90 {num(cx)} {num(cy)})"
    )


def _data_arrow(kind: str, b: Bounds, stroke: str) -> str:
    x, y = b.x + 4, b.y + 4
    arrow = [(x, y + 3), (x + 7, y + 3), (x + 7, y), (x + 12, y + 5), (x + 7, y + 10)]
    arrow += [(x + 7, y + 7), (x, y + 7)]
    polygon: Attrs = {
        "points": point_list(arrow),
        "fill": stroke if kind == "dataOutput" else "none",
        "stroke": stroke,
        "stroke-width": 1.0,
    }
    return marker("data-input" if kind == "dataInput" else "data-output", tag("polygon", polygon))


def data_object_symbol(kind: str, b: Bounds, paint: Paint) -> str:
    """A data object (a page with a folded corner); inputs and outputs carry an arrow."""
    fold = min(12.0, b.width / 3)
    page = [(b.x, b.y), (b.right - fold, b.y), (b.right, b.y + fold), (b.right, b.bottom)]
    page.append((b.x, b.bottom))
    body = tag(
        "polygon",
        {
            "class": "bpmn-shape",
            "points": point_list(page),
            "fill": paint.fill,
            "stroke": paint.stroke,
            "stroke-width": paint.width or 1.0,
        },
    )
    corner = [(b.right - fold, b.y), (b.right - fold, b.y + fold), (b.right, b.y + fold)]
    body += tag(
        "polyline",
        {"points": point_list(corner), "fill": "none", "stroke": paint.stroke, "stroke-width": 1.0},
    )
    if kind in ("dataInput", "dataOutput"):
        body += _data_arrow(kind, b, paint.stroke)
    return body


def data_store_symbol(b: Bounds, paint: Paint) -> str:
    """A data store (a cylinder)."""
    ry = min(8.0, b.height / 6)
    rx = num(b.width / 2)
    d = (
        f"M{num(b.x)},{num(b.y + ry)} A{rx},{num(ry)} 0 0 1 {num(b.right)},"
        f"{num(b.y + ry)} V{num(b.bottom - ry)} A{rx},{num(ry)} 0 0 1 "
        f"{num(b.x)},{num(b.bottom - ry)} Z"
    )
    body = tag(
        "path",
        {
            "class": "bpmn-shape",
            "d": d,
            "fill": paint.fill,
            "stroke": paint.stroke,
            "stroke-width": paint.width or 1.5,
        },
    )
    for off in (0.0, ry * 0.7, ry * 1.4):
        arc = f"M{num(b.x)},{num(b.y + ry + off)} A{rx},{num(ry)} 0 0 0 {num(b.right)},{num(b.y + ry + off)}"
        body += tag("path", {"d": arc, "fill": "none", "stroke": paint.stroke, "stroke-width": 1.0})
    return body


def annotation_symbol(text: str, b: Bounds, paint: Paint, *, fill: str, fs: float) -> str:
    """A text annotation: an open bracket and its text."""
    d = f"M{num(b.x + 12)},{num(b.y)} H{num(b.x)} V{num(b.bottom)} H{num(b.x + 12)}"
    body = rect_symbol(b, fill, "none", None)
    body += tag(
        "path", {"d": d, "fill": "none", "stroke": paint.stroke, "stroke-width": paint.width or 1.0}
    )
    lines = wrap_text(text, max(b.width - 10, 40), fs)
    if lines:
        body += text_block(lines, b.x + 5, b.y + fs + 4, fs, anchor="start", colour=paint.text)
    return body


def group_symbol(
    name: str | None, b: Bounds, label: Bounds | None, paint: Paint, *, fill: str, fs: float
) -> str:
    """A group: a dash-dot rounded box and its category value's name."""
    box: Attrs = {"class": "bpmn-shape", "x": b.x, "y": b.y, "width": b.width, "height": b.height}
    body = tag(
        "rect",
        {
            **box,
            "rx": 10,
            "fill": fill,
            "stroke": paint.stroke,
            "stroke-width": paint.width or 1.0,
            "stroke-dasharray": "8,3,1,3",
        },
    )
    if name:
        lb = label or Bounds(b.x, b.y + 2, b.width, 20)
        body += centred_text(name, Bounds(lb.x, lb.y, lb.width, fs * 1.6), fs, shrink=False)
    return body


def message_envelope(at: Point, stroke: str, *, initiating: bool) -> str:
    """The envelope on a message flow with ``messageVisibleKind``: white when initiating,
    grey when not (as bpmn-js)."""
    w, h = 20.0, 14.0
    fill = "#ffffff" if initiating else "#c8c8c8"
    x, y = at[0] - w / 2, at[1] - h / 2
    box: Attrs = {"x": x, "y": y, "width": w, "height": h, "fill": fill}
    body = tag("rect", {**box, "stroke": stroke, "stroke-width": 1.0})
    flap = point_list([(x, y), (x + w / 2, y + h * 0.55), (x + w, y)])
    body += tag("polyline", {"points": flap, "fill": "none", "stroke": stroke, "stroke-width": 1.0})
    kind = "initiating" if initiating else "non-initiating"
    return marker(f"message-{kind}", body)


# -- flows -----------------------------------------------------------------------------------
def dedupe(points: Sequence[Point]) -> list[Point]:
    """Waypoints without consecutive duplicates."""
    out: list[Point] = []
    for p in points:
        if not out or abs(out[-1][0] - p[0]) > 1e-6 or abs(out[-1][1] - p[1]) > 1e-6:
            out.append((p[0], p[1]))
    return out


def _unit(a: Point, b: Point) -> Point:
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1.0
    return dx / n, dy / n


def midpoint(points: Sequence[Point]) -> Point:
    """The point halfway along a polyline."""
    lengths = [math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(points)]
    half = sum(lengths) / 2
    for (a, b), seg in zip(itertools.pairwise(points), lengths, strict=True):
        if half <= seg and seg > 0:
            t = half / seg
            return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
        half -= seg
    return points[-1]


def arrowhead(
    a: Point, b: Point, colour: str, width: float, *, filled: bool, open_: bool = False
) -> str:
    """An arrowhead at ``b`` for the segment ``a → b``, sized to the line width."""
    ux, uy = _unit(a, b)
    length = 9.0 + 1.5 * max(0.0, width - 1.5)
    half = 4.0 + 0.8 * max(0.0, width - 1.5)
    bx, by = b[0] - ux * length, b[1] - uy * length
    p1 = (bx - uy * half, by + ux * half)
    p2 = (bx + uy * half, by - ux * half)
    head = point_list([p1, b, p2])
    if open_:
        return tag(
            "polyline",
            {
                "class": "bpmn-arrow",
                "points": head,
                "fill": "none",
                "stroke": colour,
                "stroke-width": 1.2,
            },
        )
    return tag(
        "polygon",
        {
            "class": "bpmn-arrow",
            "points": head,
            "fill": colour if filled else "#ffffff",
            "stroke": colour,
            "stroke-width": 1.0,
            "stroke-linejoin": "round",
        },
    )


def default_slash(a: Point, b: Point, colour: str) -> str:
    """The slash across the start of a gateway's or activity's default flow."""
    ux, uy = _unit(a, b)
    cx, cy = a[0] + ux * 12, a[1] + uy * 12
    nx, ny = -uy, ux
    p1 = (cx + nx * 6 - ux * 4, cy + ny * 6 - uy * 4)
    p2 = (cx - nx * 6 + ux * 4, cy - ny * 6 + uy * 4)
    line: Attrs = {"x1": p1[0], "y1": p1[1], "x2": p2[0], "y2": p2[1]}
    return marker("default-flow", tag("line", {**line, "stroke": colour, "stroke-width": 1.5}))


def condition_diamond(a: Point, b: Point, colour: str) -> str:
    """The small diamond at the start of a conditional flow out of an activity."""
    ux, uy = _unit(a, b)
    nx, ny = -uy, ux
    diamond = [
        a,
        (a[0] + ux * 8 + nx * 5, a[1] + uy * 8 + ny * 5),
        (a[0] + ux * 16, a[1] + uy * 16),
        (a[0] + ux * 8 - nx * 5, a[1] + uy * 8 - ny * 5),
    ]
    polygon: Attrs = {"points": point_list(diamond), "fill": "#ffffff", "stroke": colour}
    return marker("conditional-flow", tag("polygon", {**polygon, "stroke-width": 1.2}))
