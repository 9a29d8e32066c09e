"""A unit's practice drawn as a difference on the standard's diagram.

:func:`render_practice` draws one unit's :class:`~fvmprocess.practice.PracticeDiff` (from
``check(..., practice=True)``) on the standard's own diagram:

* the standard's flows the unit takes are drawn in blue, their width and the number beside
  them the times the unit went that way (the directly-follows pairs of the unit mapped onto
  the flows between the two activities, as :func:`~fvmprocess.render.overlay.directly_follows_flows`
  does; the number is placed by the drawing engine, never on a label or an arrowhead);
* the standard's flows it never takes are grey and dashed, and the standard's steps it never
  does are grey;
* what the unit adds is orange and marked *tillagt av enheten* / *added by the unit*: steps
  that are not in the standard as extra boxes near the steps they come between, and
  transitions the standard has no flow for as extra arrows, routed around the standard's
  shapes, each with its number;
* a legend, in the drawing's language, lists exactly what is drawn and explains ``<5``.

Privacy: every number is written with :func:`~fvmprocess._shared.privacy.format_count`
(``<5`` for 1–4); no case is named; names, never ids, are drawn. Additions met in fewer than
``DrawOptions.min_note_cases`` cases, and beyond the :data:`MAX_ADDED` most frequent, are not
drawn (the legend says how many); they stay in the tables and the JSON.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from fvmprocess._shared.labels import Lang
from fvmprocess._shared.privacy import MIN_CELL, format_count, redact
from fvmprocess._shared.vocab import SUBPROCESS_TYPES
from fvmprocess.bpmn.model import Bounds, BpmnModel, Diagram, Edge, FlowNode, SequenceFlow, Shape
from fvmprocess.errors import RenderError
from fvmprocess.practice import END, START, PracticeDiff
from fvmprocess.render._tags import Point
from fvmprocess.render.export import _process_name, _suffix, write_diagram
from fvmprocess.render.options import DrawOptions
from fvmprocess.render.overlay import Overlay, directly_follows_flows
from fvmprocess.render.svg import to_svg
from fvmprocess.render.text import LINE_HEIGHT, di_font_size

if TYPE_CHECKING:
    from fvmprocess.conformance import ConformanceResult
    from fvmprocess.process import ProcessLike

__all__ = ["MAX_ADDED", "PRACTICE_COLOURS", "PracticeLayout", "practice_layout", "render_practice"]

#: At most this many added steps, and this many added transitions, are drawn (most frequent).
MAX_ADDED = 12
#: The colours of the drawing (colour-blind safe: Okabe–Ito blue and vermilion, greys).
PRACTICE_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "taken": "#0072b2",
        "never": "#9a9a9a",
        "never_fill": "#ededed",
        "added": "#d55e00",
        "added_fill": "#fde3cf",
    }
)
_DASH = "6,4"
_PREFIX = "fvm-practice-"
_TEXTS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "sv": {
            "title": "{process}: arbetssätt i {unit} mot standarden",
            "taken": "Flöde i standarden som enheten tar; bredd och tal: antal gånger",
            "never": "Grått streckat: flöde i standarden som enheten aldrig tar",
            "never_step": "Grått steg: steg i standarden som enheten aldrig gör",
            "added_step": "Tillagt av enheten: steg som inte finns i standarden (antal gånger)",
            "added_flow": "Tillagt av enheten: övergång som standarden saknar (antal gånger)",
            "step_name": "{name}\n(tillagt {n})",
            "omitted": "Ovanligare tillägg (färre än {m} fall, eller utöver de {k} vanligaste) "
            "är inte ritade; se tabellen",
            "small": "<5: färre än {n} gånger (visas inte av integritetsskäl)",
            "start": "start",
            "end": "slut",
            "tip_flow": "{a} → {b}: {n} gånger",
            "tip_times": "{n} gånger",
            "tip_step": "{a}: tillagt av enheten, {n} gånger i {c} fall",
        },
        "en": {
            "title": "{process}: practice of {unit} against the standard",
            "taken": "Standard flow the unit takes; width and number: times taken",
            "never": "Grey dashed: standard flow the unit never takes",
            "never_step": "Grey step: standard step the unit never does",
            "added_step": "Added by the unit: step not in the standard (times)",
            "added_flow": "Added by the unit: transition the standard lacks (times)",
            "step_name": "{name}\n(added {n})",
            "omitted": "Rarer additions (fewer than {m} cases, or beyond the {k} most frequent) "
            "are not drawn; see the table",
            "small": "<5: fewer than {n} times (not shown, for privacy)",
            "start": "start",
            "end": "end",
            "tip_flow": "{a} → {b}: {n} times",
            "tip_times": "{n} times",
            "tip_step": "{a}: added by the unit, {n} times in {c} cases",
        },
    }
)


# -- the unit's rows ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Pair:
    source: str
    target: str
    frequency: int
    cases: int
    status: str


@dataclass(frozen=True, slots=True)
class _Step:
    activity: str
    events: int
    cases: int
    status: str


def _unit_rows(diff: PracticeDiff, unit: str) -> tuple[list[_Pair], list[_Step]]:
    import polars as pl

    units = [str(u) for u in diff.units["unit"].to_list()]
    if unit not in units:
        raise ValueError(
            f"unit {unit!r} is not in the practice analysis; expected one of {', '.join(units)}"
        )
    tr = diff.transitions.filter(pl.col("unit") == unit)
    st = diff.steps.filter(pl.col("unit") == unit)
    pairs = [
        _Pair(str(r["source"]), str(r["target"]), int(r["frequency"]), int(r["cases"]), r["status"])
        for r in tr.iter_rows(named=True)
    ]
    steps = [
        _Step(str(r["activity"]), int(r["events"]), int(r["cases"]), str(r["status"]))
        for r in st.iter_rows(named=True)
    ]
    return pairs, steps


# -- geometry ----------------------------------------------------------------------------------
@dataclass
class _Space:
    """What added elements must keep clear of: the standard's shapes (not pools, lanes or
    expanded sub-processes), their labels, the standard's flow lines, and what was added."""

    boxes: list[Bounds]
    lines: list[tuple[Point, Point]]
    task: tuple[float, float]
    gap: float
    added_lines: list[tuple[Point, Point]] = field(default_factory=list)

    def box_free(self, b: Bounds) -> bool:
        margin = self.gap * 0.6
        if any(b.overlaps(o, margin=margin) for o in self.boxes):
            return False
        grown = Bounds(b.x - margin, b.y - margin, b.width + 2 * margin, b.height + 2 * margin)
        return not any(_hits(p, q, grown) for p, q in [*self.lines, *self.added_lines])


def _hits(p: Point, q: Point, b: Bounds) -> bool:
    """True when the axis-parallel (or any, sampled) segment p–q enters the box's inside."""
    if p[1] == q[1]:
        lo, hi = sorted((p[0], q[0]))
        return b.y < p[1] < b.bottom and lo < b.right and hi > b.x
    if p[0] == q[0]:
        lo, hi = sorted((p[1], q[1]))
        return b.x < p[0] < b.right and lo < b.bottom and hi > b.y
    n = max(2, int(math.dist(p, q) / 3))
    return any(
        b.x < p[0] + (q[0] - p[0]) * i / n < b.right
        and b.y < p[1] + (q[1] - p[1]) * i / n < b.bottom
        for i in range(n + 1)
    )


def _along(p: Point, q: Point, lines: Sequence[tuple[Point, Point]], tol: float = 8.0) -> bool:
    """True when the axis-parallel segment p–q runs along (on top of) one of ``lines``."""
    for a, b in lines:
        if p[1] == q[1] and abs(a[1] - b[1]) < 0.5 and abs(a[1] - p[1]) < tol:
            lo, hi = sorted((p[0], q[0]))
            if min(hi, max(a[0], b[0])) - max(lo, min(a[0], b[0])) > tol:
                return True
        if p[0] == q[0] and abs(a[0] - b[0]) < 0.5 and abs(a[0] - p[0]) < tol:
            lo, hi = sorted((p[1], q[1]))
            if min(hi, max(a[1], b[1])) - max(lo, min(a[1], b[1])) > tol:
                return True
    return False


def _space(model: BpmnModel, diagram: Diagram) -> _Space:
    fs = di_font_size(
        [s.bounds for s in diagram.shapes if (n := model.nodes.get(s.element)) and n.is_task]
    )
    boxes: list[Bounds] = []
    tasks: list[Bounds] = []
    lines: list[tuple[Point, Point]] = []
    solid = {d.id for d in model.data} | {
        a.id for a in model.artifacts if a.type == "textAnnotation"
    }
    for s in diagram.shapes:
        node = model.nodes.get(s.element)
        if node is None and s.element not in solid:
            lines += _border(s.bounds)  # pools, lanes, groups: only their borders
            continue
        if node is not None and _is_container(model, node, s):
            continue
        boxes.append(s.bounds)
        if node is not None and node.is_task:
            tasks.append(s.bounds)
        if s.label is not None and s.label.width > 1:
            boxes.append(s.label)
        elif node is not None and (node.is_event or node.is_gateway) and node.name:
            h = 2 * fs * LINE_HEIGHT
            boxes.append(Bounds(s.bounds.center[0] - 50, s.bounds.bottom + 2, 100, h))
    for e in diagram.edges:
        lines += list(itertools.pairwise(e.waypoints))
        if e.label is not None and e.label.width > 1:
            boxes.append(e.label)
    w = sorted(b.width for b in tasks)[len(tasks) // 2] if tasks else 100.0
    h = sorted(b.height for b in tasks)[len(tasks) // 2] if tasks else 80.0
    return _Space(boxes, lines, (w, h), gap=max(14.0, h * 0.3))


def _border(b: Bounds) -> list[tuple[Point, Point]]:
    corners = [(b.x, b.y), (b.right, b.y), (b.right, b.bottom), (b.x, b.bottom), (b.x, b.y)]
    return list(itertools.pairwise(corners))


def _is_container(model: BpmnModel, node: FlowNode, s: Shape) -> bool:
    if node.type not in SUBPROCESS_TYPES and node.type != "callActivity":
        return False
    if s.is_expanded is not None:
        return s.is_expanded
    return any(n.parent == node.id for n in model.nodes.values())


def _place_step(space: _Space, anchors: Sequence[Bounds]) -> Bounds:
    """A free box of a task's size near the anchors (above or below them, then further out),
    the one nearest to their middle; above everything when nothing near is free."""
    w, h = space.task
    g = space.gap
    mx = sum(a.center[0] for a in anchors) / len(anchors)
    my = sum(a.center[1] for a in anchors) / len(anchors)
    top, bottom = min(a.y for a in anchors), max(a.bottom for a in anchors)
    candidates: list[Bounds] = []
    for k in range(8):
        for y in (top - 1.5 * g - h - k * (h + g), bottom + 1.5 * g + k * (h + g)):
            for dx in (0.0, 0.6, -0.6, 1.2, -1.2, 2.0, -2.0):
                candidates.append(Bounds(mx - w / 2 + dx * w, y, w, h))
    candidates.sort(key=lambda b: math.dist(b.center, (mx, my)))
    for b in candidates:
        if space.box_free(b):
            return b
    ceiling = min((o.y for o in space.boxes), default=top)
    return Bounds(mx - w / 2, ceiling - 2 * g - h, w, h)


_SIDES = {"top": (0.0, -1.0), "bottom": (0.0, 1.0), "left": (-1.0, 0.0), "right": (1.0, 0.0)}


def _port(b: Bounds, side: str, frac: float) -> Point:
    f = 0.5 if min(b.width, b.height) < 60 else frac  # events and gateways: the middle
    if side == "top":
        return (b.x + f * b.width, b.y)
    if side == "bottom":
        return (b.x + f * b.width, b.bottom)
    if side == "left":
        return (b.x, b.y + f * b.height)
    return (b.right, b.y + f * b.height)


def _simplify(points: Sequence[Point]) -> list[Point]:
    out: list[Point] = []
    for p in points:
        if out and math.dist(out[-1], p) < 0.5:
            continue
        if len(out) >= 2 and (
            (out[-2][0] == out[-1][0] == p[0]) or (out[-2][1] == out[-1][1] == p[1])
        ):
            out[-1] = p
            continue
        out.append(p)
    return out


def _route(space: _Space, s: Bounds, t: Bounds) -> tuple[Point, ...]:
    """An orthogonal path from box ``s`` to box ``t`` that enters no other shape or label,
    runs along no flow line and leaves ``s`` and enters ``t`` away from their centres (where
    the standard's flows meet them): the shortest of a few shapes of path, bends counted."""
    g = space.gap
    candidates: list[tuple[float, list[Point]]] = []
    ys = {s.y - g, t.y - g, s.bottom + g, t.bottom + g, (s.center[1] + t.center[1]) / 2}
    xs = {s.x - g, t.x - g, s.right + g, t.right + g, (s.center[0] + t.center[0]) / 2}
    for o in space.boxes:
        ys |= {o.y - g, o.bottom + g}
        xs |= {o.x - g, o.right + g}
    for k in (2, 3, 4, 6):
        ys |= {min(s.y, t.y) - k * g, max(s.bottom, t.bottom) + k * g}
    for a, b in itertools.product(_SIDES, _SIDES):
        p0 = _port(s, a, 0.7)
        q0 = _port(t, b, 0.3)
        da, db = _SIDES[a], _SIDES[b]
        p1 = (p0[0] + da[0] * g, p0[1] + da[1] * g)
        q1 = (q0[0] + db[0] * g, q0[1] + db[1] * g)
        middles: list[list[Point]] = [[(p1[0], q1[1])], [(q1[0], p1[1])]]
        middles += [[(p1[0], y), (q1[0], y)] for y in ys]
        middles += [[(x, p1[1]), (x, q1[1])] for x in xs]
        for mid in middles:
            path = _simplify([p0, p1, *mid, q1, q0])
            if not (_heads(path[0], path[1], da) and _heads(path[-1], path[-2], db)):
                continue  # leaves or enters through the shape itself
            bends = len(path) - 2
            length = sum(math.dist(u, v) for u, v in itertools.pairwise(path))
            candidates.append((length + 2.5 * g * bends, path))
    candidates.sort(key=lambda c: c[0])
    for _, path in candidates:
        if _clear(space, path, s, t):
            return tuple(path)
    return tuple(candidates[0][1])


def _heads(p: Point, q: Point, d: tuple[float, float]) -> bool:
    """True when the segment from ``p`` to ``q`` runs outwards along ``d`` for at least 10 px."""
    return (q[0] - p[0]) * d[0] + (q[1] - p[1]) * d[1] >= 10 and (
        (q[0] - p[0]) * d[1] == 0 and (q[1] - p[1]) * d[0] == 0
    )


def _clear(space: _Space, path: Sequence[Point], s: Bounds, t: Bounds) -> bool:
    segs = list(itertools.pairwise(path))
    if len(segs) < 2 or math.dist(*segs[-1]) < 12:
        return False  # room for the arrowhead
    inner = [Bounds(b.x - 3, b.y - 3, b.width + 6, b.height + 6) for b in (s, t)]
    for i, (p, q) in enumerate(segs):
        if (p[0] != q[0]) and (p[1] != q[1]):
            return False
        others = [o for o in space.boxes if o not in (s, t)]
        if any(_hits(p, q, o) for o in others):
            return False
        if 0 < i < len(segs) - 1 and any(_hits(p, q, b) for b in inner):
            return False
        if _along(p, q, space.lines) or _along(p, q, space.added_lines):
            return False
    return True


# -- the drawing's plan: the model with the unit's additions, and the overlay ------------------
@dataclass(frozen=True, slots=True)
class PracticeLayout:
    """One unit's practice laid out on the standard: the model to draw (the standard with the
    unit's added steps and transitions as extra shapes and flows), the overlay that paints it,
    and the boxes of what was added (for tests and reports).

    Attributes:
        model: the standard's model with the additions (ids start with ``fvm-practice-``).
        overlay: colours, dashes, numbers and the legend.
        added_steps: activity -> the box of its added step.
        added_flows: ``(source, target)`` -> the added arrow's points.
        never_flows: ids of the standard's flows the unit never takes.
        omitted: additions not drawn (rare, or beyond :data:`MAX_ADDED`).
        diagram: the index of the diagram drawn in ``model``.
    """

    model: BpmnModel
    overlay: Overlay
    added_steps: Mapping[str, Bounds]
    added_flows: Mapping[tuple[str, str], tuple[Point, ...]]
    never_flows: frozenset[str]
    omitted: int
    diagram: int = 0


def practice_layout(
    model: BpmnModel,
    diff: PracticeDiff,
    unit: str,
    *,
    names: Mapping[str, str] | None = None,
    options: DrawOptions | None = None,
) -> PracticeLayout:
    """Lay out one unit's practice on the standard's diagram (what :func:`render_practice`
    draws).

    Args:
        model: the standard's model (laid out automatically when it has no usable DI).
        diff: the practice analysis (``result.analyses.practice``).
        unit: the unit.
        names: activity id -> the name to draw (default: the model's names; an activity
            outside the standard is drawn by its name in the log).
        options: language, diagram index, layout and ``min_note_cases``.

    Returns:
        The :class:`PracticeLayout`.

    Raises:
        ValueError: the unit is not in the analysis.
    """
    opts = options or DrawOptions()
    pairs, steps = _unit_rows(diff, unit)
    model, index = _laid_out(model, opts)
    diagram = model.diagrams[index]
    label = _namer(model, names or {}, opts.lang)
    space = _space(model, diagram)
    shape_of = {s.element: s.bounds for s in diagram.shapes}
    plan = _Plan(model, shape_of, space, opts.min_note_cases)
    plan.choose(pairs, steps)
    plan.place_steps(pairs)
    plan.route(pairs)
    overlay = _overlay(model, plan, pairs, steps, label, opts.lang)
    return PracticeLayout(
        model=_augmented(model, index, plan),
        overlay=overlay,
        added_steps=MappingProxyType(dict(plan.step_box)),
        added_flows=MappingProxyType(dict(plan.flow_points)),
        never_flows=frozenset(plan.never),
        omitted=plan.omitted,
        diagram=index,
    )


def _laid_out(model: BpmnModel, opts: DrawOptions) -> tuple[BpmnModel, int]:
    from fvmprocess.bpmn.layout import auto_layout, unusable_di

    why = unusable_di(model, opts.diagram) if model.has_di and opts.layout is None else None
    if why is not None:
        warnings.warn(
            f"{model.source or 'model'}: diagram {opts.diagram} is unreadable ({why}); "
            "laid out automatically",
            stacklevel=4,
        )
    if not model.has_di or opts.layout == "auto" or why is not None:
        return auto_layout(model, force=True), 0
    if not 0 <= opts.diagram < len(model.diagrams):
        raise RenderError(
            f"diagram index {opts.diagram} does not exist; the file has "
            f"{len(model.diagrams)} diagram(s)",
            source=model.source,
        )
    return model, opts.diagram


def _namer(model: BpmnModel, names: Mapping[str, str], lang: Lang) -> dict[str, str]:
    t = _TEXTS[lang]
    out = {n.id: n.name for n in model.nodes.values() if n.name}
    out.update({k: v for k, v in names.items() if v})
    out[START], out[END] = t["start"], t["end"]
    return out


@dataclass
class _Plan:
    """Which of the unit's pairs and steps are drawn where."""

    model: BpmnModel
    shape_of: dict[str, Bounds]
    space: _Space
    min_cases: int
    steps: list[str] = field(default_factory=list)
    flows: list[_Pair] = field(default_factory=list)
    step_box: dict[str, Bounds] = field(default_factory=dict)
    flow_points: dict[tuple[str, str], tuple[Point, ...]] = field(default_factory=dict)
    never: set[str] = field(default_factory=set)
    omitted: int = 0
    step_names: dict[str, str] = field(default_factory=dict)

    def choose(self, pairs: Sequence[_Pair], steps: Sequence[_Step]) -> None:
        """The added steps and transitions to draw: frequent enough, the most frequent."""
        added = sorted(
            (s for s in steps if s.status == "added"), key=lambda s: (-s.events, s.activity)
        )
        keep = [s for s in added if s.cases >= self.min_cases][:MAX_ADDED]
        self.steps = [s.activity for s in keep]
        known = set(self.steps) | set(self.shape_of) | {START, END}
        flows = sorted(
            (p for p in pairs if p.status == "added" and p.frequency > 0),
            key=lambda p: (-p.frequency, p.source, p.target),
        )

        def wanted(p: _Pair) -> bool:
            return p.cases >= self.min_cases and p.source in known and p.target in known

        drawable = [p for p in flows if wanted(p)][:MAX_ADDED]
        for aid in self.steps:  # a drawn step with its most frequent way in and out
            for end in ("target", "source"):
                ways = [p for p in flows if getattr(p, end) == aid and p.source != p.target]
                ways = [p for p in ways if p.source in known and p.target in known]
                if ways and not any(w in drawable for w in ways):
                    drawable.append(ways[0])
        self.flows = drawable
        self.omitted = (len(added) - len(keep)) + (len(flows) - len(self.flows))

    def box(self, aid: str, near: Bounds | None = None) -> Bounds | None:
        """The box an activity (or start/end) is drawn in; start and end: the start or end
        event nearest to ``near``."""
        if aid in self.step_box:
            return self.step_box[aid]
        if aid in self.shape_of and aid in self.model.nodes:
            return self.shape_of[aid]
        kind = {START: "startEvent", END: "endEvent"}.get(aid)
        if kind is None:
            return None
        events = [
            self.shape_of[n.id]
            for n in self.model.nodes.values()
            if n.type == kind and n.id in self.shape_of and n.parent is None
        ]
        if not events:
            return None
        ref = near.center if near is not None else events[0].center
        return min(events, key=lambda b: math.dist(b.center, ref))

    def place_steps(self, pairs: Sequence[_Pair]) -> None:
        """Each added step near the steps it most often comes between."""
        for aid in self.steps:
            ins = [p for p in pairs if p.target == aid and p.source != aid and p.frequency]
            outs = [p for p in pairs if p.source == aid and p.target != aid and p.frequency]
            anchors = []
            for side, attr in ((ins, "source"), (outs, "target")):
                for p in sorted(side, key=lambda p: -p.frequency):
                    b = self.box(getattr(p, attr))
                    if b is not None:
                        anchors.append(b)
                        break
            if not anchors:
                anchors = [self.space.boxes[0]] if self.space.boxes else [Bounds(0, 0, 1, 1)]
            box = _place_step(self.space, anchors)
            self.step_box[aid] = box
            self.space.boxes.append(box)

    def route(self, pairs: Sequence[_Pair]) -> None:
        """An arrow for each added transition, around everything drawn before it."""
        for p in self.flows:
            s = self.box(p.source, self.box(p.target))
            t = self.box(p.target, s)
            if s is None or t is None:
                self.omitted += 1
                continue
            path = _route(self.space, s, t)
            self.flow_points[(p.source, p.target)] = path
            self.space.added_lines += list(itertools.pairwise(path))


def _flow_counts(
    model: BpmnModel, plan: _Plan, pairs: Sequence[_Pair]
) -> tuple[dict[str, int], set[str]]:
    """Times per standard flow from the unit's standard pairs, and the flows only pairs the
    unit never takes run along."""
    taken: dict[tuple[str, str], int] = {}
    never_pairs: dict[tuple[str, str], int] = {}
    for p in pairs:
        if p.status == "added":
            continue
        ends = _node_pair(model, plan, p)
        if ends is None:
            continue
        if p.frequency > 0:
            taken[ends] = taken.get(ends, 0) + p.frequency
        else:
            never_pairs[ends] = 1
    counts = directly_follows_flows(model, taken)
    never = set(directly_follows_flows(model, never_pairs)) - set(counts)
    return counts, never


def _node_pair(model: BpmnModel, plan: _Plan, p: _Pair) -> tuple[str, str] | None:
    """The model's node ids of a standard pair (start and end: the nearest start/end event
    with a path)."""

    def ids(aid: str, kind: str) -> list[str]:
        if aid in model.nodes:
            return [aid]
        return sorted(n.id for n in model.nodes.values() if n.type == kind and n.parent is None)

    for a in ids(p.source, "startEvent"):
        for b in ids(p.target, "endEvent"):
            if directly_follows_flows(model, {(a, b): 1}):
                return (a, b)
    return None


def _overlay(
    model: BpmnModel,
    plan: _Plan,
    pairs: Sequence[_Pair],
    steps: Sequence[_Step],
    label: Mapping[str, str],
    lang: Lang,
) -> Overlay:
    t = _TEXTS[lang]
    colours = PRACTICE_COLOURS
    counts, never = _flow_counts(model, plan, pairs)
    plan.never = never
    top = max([*counts.values(), *(p.frequency for p in plan.flows)], default=0)
    ov = Overlay()
    for fid, n in counts.items():
        tip = t["tip_times"].format(n=format_count(n))
        ov = ov.with_flow(
            fid, colour=colours["taken"], width=_width(n, top), label=format_count(n), tooltip=tip
        )
    for fid in sorted(never):
        ov = ov.with_flow(fid, colour=colours["never"], width=1.5, dash=_DASH)
    never_steps = [s.activity for s in steps if s.status == "never_taken"]
    for aid in never_steps:
        ov = ov.with_element(aid, fill=colours["never_fill"], stroke=colours["never"])
    by_id = {s.activity: s for s in steps}
    for i, aid in enumerate(plan.steps):
        s = by_id[aid]
        tip = t["tip_step"].format(
            a=label.get(aid, aid), n=format_count(s.events), c=format_count(s.cases)
        )
        ov = ov.with_element(
            _step_id(i),
            fill=colours["added_fill"],
            stroke=colours["added"],
            stroke_width=2.5,
            tooltip=tip,
        )
        plan.step_names[aid] = t["step_name"].format(
            name=label.get(aid, aid), n=format_count(s.events)
        )
    for j, p in enumerate(plan.flows):
        if (p.source, p.target) not in plan.flow_points:
            continue
        tip = t["tip_flow"].format(
            a=label.get(p.source, p.source), b=label.get(p.target, p.target),
            n=format_count(p.frequency),
        )  # fmt: skip
        ov = ov.with_flow(
            _flow_id(j),
            colour=colours["added"],
            width=_width(p.frequency, top),
            label=format_count(p.frequency),
            tooltip=tip,
        )
    return ov.with_legend(_legend(ov, plan, bool(never_steps), lang))


def _width(n: int, top: int) -> float:
    return 1.5 + 4.5 * n / top if top else 1.5


def _step_id(i: int) -> str:
    return f"{_PREFIX}step-{i + 1}"


def _flow_id(j: int) -> str:
    return f"{_PREFIX}flow-{j + 1}"


def _legend(ov: Overlay, plan: _Plan, never_steps: bool, lang: Lang) -> list[tuple[str, str]]:
    """Exactly what is drawn, and what ``<5`` means when it appears."""
    t, c = _TEXTS[lang], PRACTICE_COLOURS
    styles = list(ov.flows.values())
    entries: list[tuple[str, str]] = []
    if any(f.colour == c["taken"] for f in styles):
        entries.append((c["taken"], t["taken"]))
    if any(f.dash for f in styles):
        entries.append((c["never"], t["never"]))
    if never_steps:
        entries.append((c["never_fill"], t["never_step"]))
    if plan.step_box:
        entries.append((c["added_fill"], t["added_step"]))
    if plan.flow_points:
        entries.append((c["added"], t["added_flow"]))
    if plan.omitted:
        entries.append(("#ffffff", t["omitted"].format(m=plan.min_cases, k=MAX_ADDED)))
    texts = [*(f.label or "" for f in styles), *plan.step_names.values()]
    if any(format_count(1) in x for x in texts):
        entries.append(("#ffffff", t["small"].format(n=MIN_CELL)))
    return entries


def _augmented(model: BpmnModel, index: int, plan: _Plan) -> BpmnModel:
    """The model with the added steps as tasks and the added transitions as flows (drawn
    from their own DI; they take part in no process)."""
    nodes = dict(model.nodes)
    shapes: list[Shape] = list(model.diagrams[index].shapes)
    ids = dict(model._ids)
    step_ids: dict[str, str] = {}
    for i, aid in enumerate(plan.steps):
        sid = _step_id(i)
        step_ids[aid] = sid
        nodes[sid] = FlowNode(id=sid, type="task", name=plan.step_names.get(aid, aid))
        shapes.append(Shape(id=f"{sid}-di", element=sid, bounds=plan.step_box[aid]))
        ids[sid] = "task"
    flows = dict(model.flows)
    edges: list[Edge] = list(model.diagrams[index].edges)
    for j, p in enumerate(plan.flows):
        points = plan.flow_points.get((p.source, p.target))
        if points is None:
            continue
        fid = _flow_id(j)
        src, tgt = step_ids.get(p.source, p.source), step_ids.get(p.target, p.target)
        flows[fid] = SequenceFlow(id=fid, source=src, target=tgt)
        edges.append(Edge(id=f"{fid}-di", element=fid, waypoints=points))
        ids[fid] = "sequenceFlow"
    diagram = replace(model.diagrams[index], shapes=tuple(shapes), edges=tuple(edges))
    diagrams = (*model.diagrams[:index], diagram, *model.diagrams[index + 1 :])
    return replace(
        model,
        nodes=MappingProxyType(nodes),
        flows=MappingProxyType(flows),
        diagrams=diagrams,
        _ids=MappingProxyType(ids),
    )


# -- the front door ----------------------------------------------------------------------------
def render_practice(
    process: ProcessLike,
    practice: PracticeDiff | ConformanceResult,
    path: str | Path | None = None,
    *,
    unit: str,
    options: DrawOptions | None = None,
) -> str:
    """Draw one unit's practice as a difference on the standard's diagram; write it to a file.

    Args:
        process: the standard (catalogue id, ``.bpmn`` path, ``BpmnModel``, ``StandardProcess``).
        practice: the practice analysis, or a result checked with ``practice=True``
            (``fvmprocess check --practice``), whose activity names are then drawn.
        path: a ``.svg``, ``.png`` or ``.pdf`` file to write, or None to only return the SVG.
        unit: the unit whose practice is drawn.
        options: how to draw (:class:`DrawOptions`: language, size, title, ``min_note_cases``).

    Returns:
        The SVG document.

    Raises:
        ValueError: the result has no practice analysis, or the unit is not in it.
        RenderError: a Petri net without a diagram, an unknown suffix, or writing failed.

    Example:
        >>> res = check("akutmottagning", log, practice=True)  # doctest: +SKIP
        >>> render_practice("akutmottagning", res, "borås.svg", unit="Akuten Borås")  # doctest: +SKIP
    """
    from fvmprocess.process import resolve_process

    opts = options or DrawOptions()
    if path is not None:
        _suffix(Path(path))
    diff, names = _practice_of(practice, opts.lang)
    resolved = resolve_process(process)
    if resolved.model is None:
        raise RenderError("a Petri net has no diagram to draw; give its BPMN model")
    drawn_names = {aid: text.get(opts.lang) for aid, text in resolved.labels.items()}
    drawn_names.update(names)
    layout = practice_layout(resolved.model, diff, unit, names=drawn_names, options=opts)
    title: str | bool = opts.title
    if title is True:
        name = _process_name(resolved, opts.lang)
        title = _TEXTS[opts.lang]["title"].format(process=name, unit=unit)
    draw = opts.update(title=title, layout="di", diagram=layout.diagram)
    svg = redact(
        to_svg(layout.model, overlay=layout.overlay, options=draw, names=drawn_names), opts.lang
    )
    if path is not None:
        write_diagram(svg, path, dpi=opts.dpi, source=resolved.model.source)
    return svg


def _practice_of(practice: Any, lang: Lang) -> tuple[PracticeDiff, dict[str, str]]:
    if isinstance(practice, PracticeDiff):
        return practice, {}
    diff = getattr(getattr(practice, "analyses", None), "practice", None)
    if not isinstance(diff, PracticeDiff):
        raise ValueError(
            "the result has no practice analysis; check with practice=True "
            "(fvmprocess check --practice)"
        )
    names = {
        aid: text.get(lang) or text.get("sv")
        for aid, text in getattr(practice, "activity_names", {}).items()
    }
    return diff, {k: v for k, v in names.items() if v}
