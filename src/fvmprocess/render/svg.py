"""The SVG document: one BPMN diagram drawn from its DI coordinates, with an optional overlay.

No Python library draws BPMN notation, and bpmn-js needs a browser, so the notation is drawn
here directly (symbols in :mod:`fvmprocess.render.notation`). Every element becomes an
addressable group ``<g class="bpmn-element bpmn-<type>" data-element-id="<id>">`` so reports
and tests can find it, and an :class:`~fvmprocess.render.overlay.Overlay` paints results on
top (fills, badges, flow widths, notes for things the model lacks, a legend).

Output is deterministic: the same model and options give the same bytes.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from fvmprocess._shared.vocab import SUBPROCESS_TYPES
from fvmprocess.bpmn.model import (
    Artifact,
    Bounds,
    BpmnModel,
    DataObject,
    Diagram,
    Edge,
    FlowNode,
    MessageFlow,
    Participant,
    Shape,
)
from fvmprocess.bpmn.namespaces import COLOR_NS
from fvmprocess.errors import RenderError
from fvmprocess.render import notation as sym
from fvmprocess.render._tags import Attrs, Point, esc, num, point_list, tag
from fvmprocess.render.options import DrawOptions
from fvmprocess.render.overlay import (
    ElementStyle,
    FlowStyle,
    Overlay,
    badge_svg,
    flow_count_svg,
    is_dark,
    legend_svg,
    note_svg,
    place_notes,
)
from fvmprocess.render.text import (
    FONT_FAMILY,
    INK,
    LINE_HEIGHT,
    centred_text,
    di_font_size,
    text_block,
    text_width,
    wrap_text,
)

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["to_svg"]

_MARGIN = 20.0
_DATA_OBJECTS = frozenset({"dataObject", "dataObjectReference", "dataInput", "dataOutput"})
_DATA_STORES = frozenset({"dataStore", "dataStoreReference"})
_ASSOCIATIONS = frozenset({"association", "dataInputAssociation", "dataOutputAssociation"})


def to_svg(
    model: BpmnModel,
    *,
    overlay: Overlay | None = None,
    options: DrawOptions | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """Draw one diagram of a model as a self-contained SVG document.

    Models without DI are laid out first with :func:`fvmprocess.bpmn.layout.auto_layout`.
    This is the drawing engine; :func:`fvmprocess.render.export.render_diagram` is the front
    door (any process, a result's deviations, files).

    Args:
        model: the model, e.g. from :func:`fvmprocess.read_bpmn`.
        overlay: results to paint (fills, badges, flow widths, notes, legend).
        options: diagram index, scale, font size, title and legend (:class:`DrawOptions`).
        names: element id -> the name to draw instead of the model's (the catalogue's labels
            in another language, see :func:`fvmprocess.render.export.render_diagram`).

    Returns:
        The SVG document as a string (UTF-8 XML, deterministic for the same input).

    Raises:
        RenderError: the diagram index does not exist.

    Example:
        >>> svg = to_svg(read_bpmn("models/akutmottagning.bpmn"))  # doctest: +SKIP
    """
    opts = options or DrawOptions()
    model, diagram, why = _diagram_of(model, opts)
    scene = _Scene(model, diagram, overlay or Overlay(), opts, dict(names or {}), relaid=why)
    return _document(scene)


_RELAID = {
    "sv": "Automatiskt utlagd: filens diagram går inte att läsa ({why}).",
    "en": "Laid out automatically: the file's diagram is unreadable ({why}).",
}


def _diagram_of(model: BpmnModel, opts: DrawOptions) -> tuple[BpmnModel, Diagram, str | None]:
    """The diagram to draw, and why the model was laid out anew instead of its DI (None when
    it was not, or when the model has no DI at all)."""
    from fvmprocess.bpmn.layout import auto_layout, unusable_di

    index, why = opts.diagram, None
    if model.has_di and opts.layout is None:
        why = unusable_di(model, index)
        if why is not None:
            warnings.warn(
                f"{model.source or 'model'}: diagram {index} is unreadable ({why}); "
                "laid out automatically (layout='di' draws it as it is)",
                stacklevel=3,
            )
    if not model.has_di or opts.layout == "auto" or why is not None:
        model, index = auto_layout(model, force=True), 0
    if not 0 <= index < len(model.diagrams):
        raise RenderError(
            f"diagram index {index} does not exist; the file has {len(model.diagrams)} "
            f"diagram(s) (0..{len(model.diagrams) - 1})",
            source=model.source,
        )
    return model, model.diagrams[index], why


# -- the scene: the model as the drawing sees it ---------------------------------------------
@dataclass
class _Scene:
    model: BpmnModel
    diagram: Diagram
    overlay: Overlay
    options: DrawOptions
    #: element id -> the name to draw (the catalogue's labels in the options' language)
    names: Mapping[str, str] = field(default_factory=dict)
    #: why the file's DI was replaced by an automatic layout, if it was
    relaid: str | None = None
    shape_of: dict[str, Shape] = field(default_factory=dict)
    #: boxes of the text drawn outside shapes (labels), so the canvas holds them
    extents: list[Bounds] = field(default_factory=list)

    def __post_init__(self) -> None:
        for s in self.diagram.shapes:
            self.shape_of.setdefault(s.element, s)

    @cached_property
    def fs(self) -> float:
        """The label size: the options', or the one the diagram's DI is drawn for."""
        if self.options.font_size is not None:
            return self.options.font_size
        tasks = [
            s.bounds
            for s in self.diagram.shapes
            if (node := self.model.nodes.get(s.element)) is not None and node.is_task
        ]
        return di_font_size(tasks)

    @cached_property
    def attached(self) -> dict[str, list[str]]:
        """Activity id -> ids of the boundary events on it."""
        out: dict[str, list[str]] = {}
        for n in self.model.nodes.values():
            if n.attached_to:
                out.setdefault(n.attached_to, []).append(n.id)
        return out

    @cached_property
    def participants(self) -> dict[str, Participant]:
        return {p.id: p for p in self.model.participants}

    @cached_property
    def data(self) -> dict[str, DataObject]:
        return {d.id: d for d in self.model.data}

    @cached_property
    def artifacts(self) -> dict[str, Artifact]:
        return {a.id: a for a in self.model.artifacts}

    @cached_property
    def message_flows(self) -> dict[str, MessageFlow]:
        return {m.id: m for m in self.model.message_flows}

    def kind(self, element: str) -> str:
        """The element's BPMN type (local name), ``participant``/``lane``, or ``unknown``."""
        m = self.model
        if element in m.nodes:
            return m.nodes[element].type
        if element in self.participants:
            return "participant"
        if element in m.lanes:
            return "lane"
        if element in self.data:
            return self.data[element].type
        if element in self.artifacts:
            return self.artifacts[element].type
        return m.element_type(element) or "unknown"

    def is_expanded(self, shape: Shape, node: FlowNode) -> bool:
        """An expanded sub-process or call activity: drawn as a container under its content."""
        if node.type == "callActivity":
            return shape.is_expanded is True
        if node.type not in SUBPROCESS_TYPES:
            return False
        if shape.is_expanded is not None:
            return shape.is_expanded
        return any(n.parent == node.id and n.id in self.shape_of for n in self.model.nodes.values())

    @cached_property
    def _xml_ids(self) -> dict[str, etree._Element]:
        try:
            root = self.model.xml.getroot()
        except ValueError:  # built in code, not read from XML
            return {}
        index: dict[str, etree._Element] = {}
        for el in root.iter():
            ident = el.get("id") if isinstance(el.tag, str) else None
            if ident:
                index.setdefault(ident, el)
        return index

    @property
    def has_xml(self) -> bool:
        """True when the model was read from XML (its DI attributes can be looked up)."""
        return bool(self._xml_ids)

    def xml_attribute(self, element: str, name: str) -> str | None:
        """An attribute the model does not type, read from the XML element with this id."""
        el = self._xml_ids.get(element)
        return el.get(name) if el is not None else None

    def di_attribute(self, di_id: str, name: str) -> str | None:
        """An attribute of a DI element (``BPMNShape``/``BPMNEdge``) by its id."""
        el = self._xml_ids.get(di_id)
        return el.get(name) if el is not None else None

    def di_colour(self, di_id: str, *names: str) -> str | None:
        """The first of the colour attributes ``names`` (local names, e.g. ``border-color``)
        set on a DI element, in the OMG or the bpmn.io colour namespace."""
        el = self._xml_ids.get(di_id)
        if el is None:
            return None
        for name in names:
            for ns in COLOR_NS:
                value = el.get(f"{{{ns}}}{name}")
                if value:
                    return value
        return None

    def name_of(self, element: str, fallback: str | None) -> str | None:
        """The name drawn for an element: the options' language from the catalogue's labels,
        else the model's own name."""
        return self.names.get(element) or fallback

    def anchor_of(self, element: str) -> Point | None:
        """Where a note about this element attaches: a shape's top-right, a flow's midpoint."""
        s = self.shape_of.get(element)
        if s is not None:
            return (s.bounds.right, s.bounds.y)
        for e in self.diagram.edges:
            if e.element == element and len(e.waypoints) >= 2:
                return sym.midpoint(sym.dedupe(e.waypoints))
        return None


# -- the document ----------------------------------------------------------------------------
@dataclass
class _Layers:
    """Drawn elements in paint order: pools and lanes first, boundary events over tasks."""

    containers: list[tuple[float, int, str]] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    boundary: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


@dataclass
class _Canvas:
    x0: float
    y0: float
    x1: float
    y1: float


def _layers(scene: _Scene) -> _Layers:
    """Every shape drawn, sorted into its paint layer (expanded sub-processes largest first)."""
    out = _Layers()
    for i, s in enumerate(scene.diagram.shapes):
        k = scene.kind(s.element)
        node = scene.model.nodes.get(s.element)
        if k in ("participant", "lane"):
            out.containers.append((0 if k == "participant" else 1, i, _shape(scene, s)))
        elif node is not None and scene.is_expanded(s, node):
            area = s.bounds.width * s.bounds.height
            out.containers.append((2 - 1e-9 * area, i, _shape(scene, s)))
        elif k == "boundaryEvent":
            out.boundary.append(_shape(scene, s))
        elif k == "group":
            out.groups.append(_shape(scene, s))
        elif node is not None:
            out.nodes.append(_shape(scene, s))
        else:
            out.others.append(_shape(scene, s))
    out.containers.sort(key=lambda c: (c[0], c[1]))
    return out


def _document(scene: _Scene) -> str:
    """The whole document: shapes and flows first (they size the canvas with their labels),
    then notes, title and legend around them."""
    layers = _layers(scene)
    drawn = [(e, _edge(scene, e)) for e in scene.diagram.edges]
    edges = [_with_count(scene, e, svg) for e, svg in drawn]  # after every flow's name
    obstacles = [
        s.bounds
        for s in scene.diagram.shapes
        if scene.kind(s.element) not in ("participant", "lane")
    ]
    obstacles += scene.extents  # labels and counts
    notes = place_notes(scene.overlay.notes, scene.anchor_of, obstacles, scene.fs)
    canvas = _canvas(scene.diagram.bounds(), [*scene.extents, *(p.box for p in notes)])
    head = _relaid_block(scene, canvas) + _title_block(scene, canvas)
    legend = _legend_block(scene, canvas)
    name = _title_text(scene) or scene.model.name or scene.diagram.name or scene.model.source
    body = [
        "",
        tag("title", {}, esc(name)),
        _background(canvas),
        head,
        *(c[2] for c in layers.containers),
        *edges,
        *layers.nodes,
        *layers.boundary,
        *layers.others,
        *layers.groups,
        *(note_svg(p, scene.fs) for p in notes),
        legend,
        "",
    ]
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _root(scene, canvas, "\n".join(body)) + "\n"


def _canvas(b: Bounds, boxes: Sequence[Bounds]) -> _Canvas:
    """The diagram's bounds grown to hold every box (labels, notes), with a margin."""
    xs = [b.x, b.right, *(x.x for x in boxes), *(x.right for x in boxes)]
    ys = [b.y, b.bottom, *(x.y for x in boxes), *(x.bottom for x in boxes)]
    return _Canvas(min(xs) - _MARGIN, min(ys) - _MARGIN, max(xs) + _MARGIN, max(ys) + _MARGIN)


def _title_text(scene: _Scene) -> str | None:
    title = scene.options.title
    if isinstance(title, str):
        return title or None
    if not title:
        return None
    proc = scene.model.processes[0] if scene.model.processes else None
    return (proc.name if proc else None) or scene.model.name


def _relaid_block(scene: _Scene, c: _Canvas) -> str:
    """The note that the diagram was laid out automatically; grows the canvas upwards."""
    if scene.relaid is None:
        return ""
    text = _RELAID[scene.options.lang].format(why=scene.relaid)
    fs = scene.fs
    lines = wrap_text(text, max(c.x1 - c.x0 - 2 * _MARGIN, 200), fs)
    c.y0 -= len(lines) * fs * LINE_HEIGHT + _MARGIN / 2
    return text_block(
        lines, c.x0 + _MARGIN, c.y0 + _MARGIN / 2 + fs, fs, anchor="start", cls="bpmn-layout-note"
    )


def _title_block(scene: _Scene, c: _Canvas) -> str:
    """The heading above the diagram; grows the canvas upwards."""
    title = _title_text(scene)
    if not title:
        return ""
    m, tfs = _MARGIN, scene.fs * 1.6
    lines = wrap_text(title, max(c.x1 - c.x0 - 2 * m, 200), tfs)
    c.y0 -= len(lines) * tfs * LINE_HEIGHT + m / 2
    head = text_block(lines, c.x0 + m, c.y0 + m / 2 + tfs, tfs, anchor="start", cls="bpmn-title")
    return head.replace("<text ", '<text font-weight="bold" ', 1)


def _legend_block(scene: _Scene, c: _Canvas) -> str:
    """The legend below the diagram (the options' entries, else the overlay's)."""
    entries = list(scene.options.legend) or list(scene.overlay.legend)
    if not entries:
        return ""
    svg, w, h = legend_svg(entries, c.x0 + _MARGIN, c.y1, scene.fs)
    c.y1 += h + _MARGIN / 2
    c.x1 = max(c.x1, c.x0 + _MARGIN + w + _MARGIN)
    return svg


def _background(c: _Canvas) -> str:
    box: Attrs = {"x": c.x0, "y": c.y0, "width": c.x1 - c.x0, "height": c.y1 - c.y0}
    return tag("rect", {"class": "bpmn-background", **box, "fill": "#ffffff"})


def _root(scene: _Scene, c: _Canvas, body: str) -> str:
    w, h = c.x1 - c.x0, c.y1 - c.y0
    attrs: Attrs = {
        "xmlns": "http://www.w3.org/2000/svg",
        "version": "1.1",
        "class": "bpmn-diagram",
        "data-diagram-id": scene.diagram.id,
        "width": w * scene.options.scale,
        "height": h * scene.options.scale,
        "viewBox": f"{num(c.x0)} {num(c.y0)} {num(w)} {num(h)}",
        "font-family": FONT_FAMILY,
    }
    return tag("svg", attrs, body)


# -- shapes ----------------------------------------------------------------------------------
def _paint(s: Shape, style: ElementStyle) -> sym.Paint:
    return sym.Paint(
        fill=style.fill or s.color[0] or "#ffffff",
        stroke=style.stroke or s.color[1] or INK,
        width=style.stroke_width,
        text="#ffffff" if is_dark(style.fill) else INK,
    )


def _shape(scene: _Scene, s: Shape) -> str:
    """One shape's group: its symbol, outside label, badge and tooltip."""
    k = scene.kind(s.element)
    style = scene.overlay.elements.get(s.element, ElementStyle())
    paint = _paint(s, style)
    node = scene.model.nodes.get(s.element)
    classes = ["bpmn-element", f"bpmn-{k}"]
    if node is not None and (node.is_subprocess or node.type == "callActivity"):
        classes.append("bpmn-expanded" if scene.is_expanded(s, node) else "bpmn-collapsed")
    if node is not None:
        body = _node_symbol(scene, node, s, paint)
    else:
        body = _other_symbol(scene, k, s, paint, style)
    body += _outside_label(scene, k, node, s)
    if style.badge:
        body += badge_svg(style, s.bounds, scene.fs)
    tip = tag("title", {}, esc(style.tooltip)) if style.tooltip else ""
    return tag("g", {"class": " ".join(classes), "data-element-id": s.element}, tip + body)


def _node_symbol(scene: _Scene, node: FlowNode, s: Shape, paint: sym.Paint) -> str:
    if node.is_activity:
        expanded = scene.is_expanded(s, node)
        name = scene.name_of(node.id, node.name)
        keep_out = [
            scene.shape_of[e].bounds for e in scene.attached.get(node.id, ()) if e in scene.shape_of
        ]
        return sym.activity_symbol(
            node, s.bounds, paint, expanded=expanded, fs=scene.fs, name=name, keep_out=keep_out
        )
    if node.is_event:
        return sym.event_symbol(node, s.bounds, paint)
    if node.is_gateway:
        return sym.gateway_symbol(node, s.bounds, paint, marker=_marker_visible(scene, node, s))
    return _unknown(s, paint)


def _marker_visible(scene: _Scene, node: FlowNode, s: Shape) -> bool:
    """An exclusive gateway shows its X only with ``isMarkerVisible="true"`` (as bpmn-js);
    diagrams built in code (no XML) show it."""
    if node.type != "exclusiveGateway" or not scene.has_xml:
        return True
    return scene.di_attribute(s.id, "isMarkerVisible") == "true"


def _unknown(s: Shape, paint: sym.Paint) -> str:
    return sym.rect_symbol(s.bounds, "none", paint.stroke, None, stroke_dasharray="2,2")


def _other_symbol(scene: _Scene, k: str, s: Shape, paint: sym.Paint, style: ElementStyle) -> str:
    """Pools, lanes, data, annotations and groups."""
    draw = _OTHER_SYMBOLS.get(k)
    if draw is None:
        if k in _DATA_OBJECTS:
            return sym.data_object_symbol(k, s.bounds, paint)
        if k in _DATA_STORES:
            return sym.data_store_symbol(s.bounds, paint)
        return _unknown(s, paint)
    return draw(scene, s, paint, style)


def _pool(scene: _Scene, s: Shape, paint: sym.Paint, style: ElementStyle) -> str:
    model = scene.model
    p = scene.participants[s.element]
    fill = paint.fill if style.fill or s.color[0] else "none"
    pool_paint = sym.Paint(fill, paint.stroke, paint.width, paint.text)
    has_lanes = p.process is not None and any(
        lane.process == p.process for lane in model.lanes.values()
    )
    band = (
        p.process is not None
        and p.process in {pr.id for pr in model.processes}
        and (has_lanes or any(n.process == p.process for n in model.nodes.values()))
    )
    horizontal = s.is_horizontal is not False
    body = sym.pool_symbol(s.bounds, pool_paint, band=band, horizontal=horizontal)
    name = scene.name_of(p.id, p.name)
    if band:
        return body + sym.band_label(name, s.bounds, horizontal=horizontal, fs=scene.fs, colour=INK)
    if name:
        return body + centred_text(name, s.bounds, scene.fs)
    return body


def _lane(scene: _Scene, s: Shape, paint: sym.Paint, style: ElementStyle) -> str:
    body = sym.rect_symbol(s.bounds, style.fill or "none", paint.stroke, paint.width or 1.0)
    name = scene.name_of(s.element, scene.model.lanes[s.element].name)
    horizontal = s.is_horizontal is not False
    return body + sym.band_label(
        name, s.bounds, horizontal=horizontal, fs=scene.fs, colour=paint.text
    )


def _annotation(scene: _Scene, s: Shape, paint: sym.Paint, style: ElementStyle) -> str:
    text = scene.artifacts[s.element].text or ""
    return sym.annotation_symbol(text, s.bounds, paint, fill=style.fill or "none", fs=scene.fs)


def _group(scene: _Scene, s: Shape, paint: sym.Paint, style: ElementStyle) -> str:
    name = _group_name(scene, s.element)
    return sym.group_symbol(name, s.bounds, s.label, paint, fill=style.fill or "none", fs=scene.fs)


def _group_name(scene: _Scene, element: str) -> str | None:
    """The value of the category value a group refers to."""
    artifact = scene.artifacts.get(element)
    ref = artifact.text if artifact is not None else None
    if not ref:
        return None
    value = scene.xml_attribute(ref, "value")
    return value.strip() if value else None


_OTHER_SYMBOLS: dict[str, Callable[[_Scene, Shape, sym.Paint, ElementStyle], str]] = {
    "participant": _pool,
    "lane": _lane,
    "textAnnotation": _annotation,
    "group": _group,
}


def _outside_label(scene: _Scene, k: str, node: FlowNode | None, s: Shape) -> str:
    """Labels of events, gateways and data: at their DI label bounds (growing away from the
    shape), or below the shape; moved around the shape when that spot is taken."""
    if node is not None and (node.is_event or node.is_gateway):
        name = scene.name_of(node.id, node.name)
    elif k in _DATA_OBJECTS or k in _DATA_STORES:
        d = scene.data.get(s.element)
        name = scene.name_of(s.element, d.name if d is not None else None)
    else:
        return ""
    if not name:
        return ""
    fs, b, lb = scene.fs, s.bounds, s.label
    if lb is not None and lb.width > 1:
        lines = wrap_text(name, max(lb.width, fs * 6), fs)
        cx, top = lb.x + lb.width / 2, _label_top(lb, b, len(lines) * fs * LINE_HEIGHT)
    else:
        lines = wrap_text(name, max(b.width * 2.5, 90), fs)
        cx, top = b.center[0], b.bottom + 4
    box = _label_box(lines, cx, top, fs)
    around = [
        _moved(box, b.center[0] - box.width / 2, b.bottom + 2),
        _moved(box, b.center[0] - box.width / 2, b.y - 2 - box.height),
        _moved(box, b.right + 4, b.center[1] - box.height / 2),
        _moved(box, b.x - 4 - box.width, b.center[1] - box.height / 2),
    ]
    box = _free_spot(scene, [box, *around], s.element)
    return _label(scene, lines, box.center[0], box.y)


def _label_box(lines: Sequence[str], cx: float, top: float, fs: float) -> Bounds:
    w = max((text_width(line, fs) for line in lines), default=0.0)
    return Bounds(cx - w / 2, top, w, len(lines) * fs * LINE_HEIGHT)


def _moved(b: Bounds, x: float, y: float) -> Bounds:
    return Bounds(x, y, b.width, b.height)


def _free_spot(scene: _Scene, candidates: Sequence[Bounds], own: str) -> Bounds:
    """The first candidate box that covers no part of its own shape, cuts no other shape's
    border and overlaps no label placed before; the first one when none is free."""
    for box in candidates:
        if _is_free(scene, box, own):
            return box
    return candidates[0]


def _is_free(scene: _Scene, box: Bounds, own: str) -> bool:
    inner = Bounds(box.x + 0.5, box.y + 0.5, box.width - 1, box.height - 1)
    for s in scene.diagram.shapes:
        kind = scene.kind(s.element)
        if kind in ("group", "textAnnotation") or not inner.overlaps(s.bounds):
            continue
        if s.element == own or not _contains(s.bounds, inner):
            return False
    return not any(inner.overlaps(x) for x in scene.extents)


def _contains(outer: Bounds, inner: Bounds) -> bool:
    return (
        inner.x >= outer.x
        and inner.y >= outer.y
        and inner.right <= outer.right
        and inner.bottom <= outer.bottom
    )


def _label_top(label: Bounds, shape: Bounds, height: float) -> float:
    """Where an external label's text starts: in its DI label box, growing away from the
    shape. A box above the shape's middle ends above the shape (the text grows upwards), a
    box beside it keeps its top, any other starts below the shape (as bpmn-js places
    labels), so the text never covers its own shape."""
    if label.right <= shape.x + 1 or label.x >= shape.right - 1:
        return label.y
    if label.center[1] < shape.center[1]:
        return min(label.bottom, shape.y - 2) - height
    return max(label.y, shape.bottom + 2)


def _label(scene: _Scene, lines: Sequence[str], cx: float, top: float) -> str:
    """Centred label lines whose text box starts at ``top``; the box joins the canvas."""
    fs = scene.fs
    if lines:
        scene.extents.append(_label_box(lines, cx, top, fs))
    return text_block(lines, cx, top + fs * 0.95, fs)


# -- edges -----------------------------------------------------------------------------------
def _edge(scene: _Scene, e: Edge) -> str:
    """One flow's group: its line, decorations, name and overlay count."""
    points = sym.dedupe(e.waypoints)
    if len(points) < 2:
        return ""
    k = scene.kind(e.element)
    style = scene.overlay.flows.get(e.element, FlowStyle())
    colour = style.colour or scene.di_colour(e.id, "border-color", "stroke") or INK
    attrs: Attrs = {
        "class": "bpmn-line",
        "points": point_list(points),
        "fill": "none",
        "stroke": colour,
        "stroke-width": style.width or 1.5,
        "stroke-linejoin": "round",
    }
    deco = _decorations(scene, k, e, points, attrs, style)
    if style.dash:
        attrs["stroke-dasharray"] = style.dash
    body = tag("polyline", attrs) + deco
    name = _flow_name(scene, e.element)
    if name:
        body += _edge_label(scene, name, e, points)
    if style.label:
        body += _COUNT_SLOT
    tip = tag("title", {}, esc(style.tooltip)) if style.tooltip else ""
    return tag("g", {"class": f"bpmn-element bpmn-{k}", "data-element-id": e.element}, tip + body)


_COUNT_SLOT = "<!--count-->"


def _with_count(scene: _Scene, e: Edge, svg: str) -> str:
    """The flow's group with its overlay count put in: beside the flow's longest segment,
    clear of shapes, labels and the arrowhead."""
    if _COUNT_SLOT not in svg:
        return svg
    style = scene.overlay.flows[e.element]
    label = style.label or ""
    points = sym.dedupe(e.waypoints)
    colour = style.colour or scene.di_colour(e.id, "border-color", "stroke") or INK
    fs = scene.fs * 0.95
    w, h = text_width(label, fs), fs * LINE_HEIGHT
    box = _free_spot(scene, _count_spots(points, w, h, (style.width or 1.5) / 2 + 3), e.element)
    scene.extents.append(box)
    return svg.replace(_COUNT_SLOT, flow_count_svg(label, (box.x, box.y + fs * 0.95), colour, fs))


def _count_spots(points: Sequence[Point], w: float, h: float, gap: float) -> list[Bounds]:
    """Boxes beside a polyline's segments, longest segment first, at the middle, then a
    quarter from either end; never on the last 16 px (the arrowhead)."""
    segs = list(itertools.pairwise(points))
    order = sorted(range(len(segs)), key=lambda i: -math.dist(*segs[i]))
    spots: list[Bounds] = []
    for i in order:
        (x0, y0), (x1, y1) = segs[i]
        length = math.dist((x0, y0), (x1, y1))
        end = length - (16 if i == len(segs) - 1 else 0)
        for t in (0.5, 0.25, 0.75):
            d = t * end
            if d <= 0:
                continue
            x, y = x0 + (x1 - x0) * d / length, y0 + (y1 - y0) * d / length
            if abs(y1 - y0) < abs(x1 - x0):  # horizontal: above, then below
                spots += [Bounds(x - w / 2, y - gap - h, w, h), Bounds(x - w / 2, y + gap, w, h)]
            else:  # vertical: right, then left
                spots += [Bounds(x + gap, y - h / 2, w, h), Bounds(x - gap - w, y - h / 2, w, h)]
    return spots or [Bounds(points[0][0], points[0][1] - h, w, h)]


def _decorations(
    scene: _Scene, k: str, e: Edge, points: Sequence[Point], attrs: Attrs, style: FlowStyle
) -> str:
    """Arrowheads and markers of a flow; sets the line's dash pattern in ``attrs``."""
    element, edge_id = e.element, e.id
    colour = str(attrs["stroke"])
    width = style.width or 1.5
    if k == "messageFlow":
        attrs["stroke-dasharray"] = "8,5"
        attrs["stroke-width"] = style.width or 1.2
        start: Attrs = {"cx": points[0][0], "cy": points[0][1], "r": 4, "fill": "#ffffff"}
        deco = tag("circle", {**start, "stroke": colour, "stroke-width": 1.2})
        deco += sym.arrowhead(points[-2], points[-1], colour, width, filled=False)
        kind = scene.di_attribute(edge_id, "messageVisibleKind")
        if kind in ("initiating", "non_initiating"):
            deco += sym.message_envelope(
                sym.midpoint(points), colour, initiating=kind == "initiating"
            )
        return deco
    if k in _ASSOCIATIONS:
        attrs["stroke-dasharray"] = "2,4"
        attrs["stroke-width"] = style.width or 1.2
        attrs["stroke-linecap"] = "round"
        directed = scene.xml_attribute(element, "associationDirection") in ("One", "Both")
        if k != "association" or directed:
            return sym.arrowhead(points[-2], points[-1], colour, width, filled=False, open_=True)
        return ""
    deco = sym.arrowhead(points[-2], points[-1], colour, width, filled=True)
    flow = scene.model.flows.get(element)
    src = scene.model.nodes.get(flow.source) if flow is not None else None
    if flow is not None and src is not None:
        if src.default == flow.id or flow.is_default:
            deco += sym.default_slash(points[0], points[1], colour)
        elif flow.condition and src.is_activity:
            deco += sym.condition_diamond(points[0], points[1], colour)
    return deco


def _flow_name(scene: _Scene, element: str) -> str | None:
    flow = scene.model.flows.get(element)
    if flow is not None:
        return scene.name_of(element, flow.name)
    m = scene.message_flows.get(element)
    return scene.name_of(element, m.name) if m is not None else None


def _edge_label(scene: _Scene, name: str, e: Edge, points: Sequence[Point]) -> str:
    """A flow's name at its DI label bounds or above its midpoint; nudged along the flow's
    normal when that spot covers a shape or another label."""
    fs, lb = scene.fs, e.label
    if lb is not None and lb.width > 1:
        lines = wrap_text(name, max(lb.width, fs * 6), fs)
        box = _label_box(lines, lb.x + lb.width / 2, lb.y, fs)
    else:
        mx, my = sym.midpoint(points)
        lines = wrap_text(name, 90, fs)
        w = max((text_width(line, fs) for line in lines), default=0.0)
        h = len(lines) * fs * LINE_HEIGHT
        box = Bounds(mx + 4, my - 4 - h, w, h)
    step = fs * LINE_HEIGHT
    shifts = [(0.0, 0.0)] + [
        (dx * step, dy * step) for k in (1, 2, 3) for dx, dy in ((0, -k), (0, k), (-k, 0), (k, 0))
    ]
    box = _free_spot(scene, [_moved(box, box.x + dx, box.y + dy) for dx, dy in shifts], e.element)
    return _label(scene, lines, box.center[0], box.y)
