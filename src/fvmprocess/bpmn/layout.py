"""Automatic left-to-right layout for BPMN models without diagram interchange (DI).

A layered (Sugiyama-style) layout, deterministic for the same model:

1. loops are broken by a depth-first search from the start events (edges back to a node on the
   DFS stack are *back edges*, drawn as loops below the nodes);
2. every node gets the layer of its longest path from a source; edges spanning several layers
   get dummy nodes so they are routed through free space;
3. the order within each layer is improved by barycenter sweeps (down and up), keeping the
   order with the fewest crossings; nodes stay in their lane's band;
4. columns and stacks get coordinates from standard sizes (task 100×80, event 36×36, gateway
   50×50); expanded subprocesses are laid out recursively inside their box, boundary events sit
   on their host's bottom border, lanes and pools are horizontal bands;
5. flows are routed orthogonally between shape borders through the gaps between columns.

The result is a copy of the model with a new ``BPMNDiagram`` (see
:func:`with_diagram`), so it can be drawn or written back to a file.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fvmprocess._shared.vocab import SUBPROCESS_TYPES
from fvmprocess.bpmn.model import Bounds, BpmnModel, Diagram, FlowNode
from fvmprocess.bpmn.namespaces import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS
from fvmprocess.bpmn.reader import read_bpmn
from fvmprocess.errors import BpmnError

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["LayoutConfig", "auto_layout", "overlapping_shapes", "unusable_di", "with_diagram"]

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class LayoutConfig:
    """Sizes and spacing of the automatic layout (diagram pixels).

    Attributes:
        task_size: width and height of tasks and collapsed subprocesses.
        event_size: diameter of events.
        gateway_size: width and height of gateways.
        layer_gap: horizontal space between columns (flows are routed through it).
        node_gap: vertical space between nodes of one column (room for labels).
        padding: space inside subprocesses, lanes and pools around their content.
        header: width of the name band of pools and lanes, height of subprocess titles.
        pool_gap: vertical space between pools (message flows pass through it).
        sweeps: barycenter sweeps (each one down and one up).
    """

    task_size: tuple[float, float] = (100.0, 80.0)
    event_size: float = 36.0
    gateway_size: float = 50.0
    layer_gap: float = 60.0
    node_gap: float = 50.0
    padding: float = 30.0
    header: float = 30.0
    pool_gap: float = 60.0
    sweeps: int = 4


@dataclass
class _Block:
    """A laid-out container: positions relative to its own top-left corner."""

    width: float
    height: float
    shapes: dict[str, Bounds] = field(default_factory=dict)
    edges: dict[str, list[Point]] = field(default_factory=dict)
    expanded: list[str] = field(default_factory=list)
    bands: list[tuple[float, float]] = field(default_factory=list)  # (y, height) per band


def _shift(b: Bounds, dx: float, dy: float) -> Bounds:
    return Bounds(b.x + dx, b.y + dy, b.width, b.height)


def _simplify(points: Sequence[Point]) -> list[Point]:
    """Drop repeated points and middle points of straight runs."""
    out: list[Point] = []
    for p in points:
        p = (round(p[0], 2), round(p[1], 2))
        if out and abs(out[-1][0] - p[0]) < 1e-6 and abs(out[-1][1] - p[1]) < 1e-6:
            continue
        if len(out) >= 2:
            a, b = out[-2], out[-1]
            if (abs(a[0] - b[0]) < 1e-6 and abs(b[0] - p[0]) < 1e-6) or (
                abs(a[1] - b[1]) < 1e-6 and abs(b[1] - p[1]) < 1e-6
            ):
                out[-1] = p
                continue
        out.append(p)
    return out


class _Layout:
    def __init__(self, model: BpmnModel, config: LayoutConfig) -> None:
        self.model = model
        self.cfg = config
        self.flow_order = {f: i for i, f in enumerate(model.flows)}
        self.node_order = {n: i for i, n in enumerate(model.nodes)}

    # -- sizes ----------------------------------------------------------------------------
    def size(self, node: FlowNode) -> tuple[float, float]:
        if node.is_event:
            return (self.cfg.event_size, self.cfg.event_size)
        if node.is_gateway:
            return (self.cfg.gateway_size, self.cfg.gateway_size)
        return self.cfg.task_size

    # -- one container (process level or an expanded subprocess) --------------------------
    def container(
        self, nodes: list[FlowNode], band_of: dict[str, int] | None = None, n_bands: int = 1
    ) -> _Block:
        cfg = self.cfg
        band_of = band_of or {}
        ids = {n.id for n in nodes}
        main = [n for n in nodes if not (n.type == "boundaryEvent" and n.attached_to in ids)]
        main_ids = {n.id for n in main}
        boundary: dict[str, list[FlowNode]] = {}
        for n in nodes:
            if n.id not in main_ids and n.attached_to is not None:
                boundary.setdefault(n.attached_to, []).append(n)

        # Sizes; expanded subprocesses are laid out first, recursively.
        inner: dict[str, _Block] = {}
        size: dict[str, tuple[float, float]] = {}
        for n in main:
            kids = self.model.children(n.id) if n.type in SUBPROCESS_TYPES else []
            if kids:
                blk = self.container(kids)
                inner[n.id] = blk
                size[n.id] = (blk.width, blk.height + cfg.header)
            else:
                size[n.id] = self.size(n)

        for host, evs in boundary.items():  # room for every boundary event on the border
            if host in size:
                need = (len(evs) + 1) * (cfg.event_size + 8)
                size[host] = (max(size[host][0], need), size[host][1])

        def rep(i: str) -> str:
            node = self.model.nodes[i]
            if i not in main_ids and node.attached_to in main_ids:
                return node.attached_to
            return i

        # The flow graph between the container's nodes (boundary flows start at the host).
        flows = [f for f in self.model.flows.values() if f.source in ids and f.target in ids]
        succ: dict[str, list[str]] = {n.id: [] for n in main}
        for f in flows:
            u, v = rep(f.source), rep(f.target)
            if u != v and v not in succ[u]:
                succ[u].append(v)

        # 1. Break loops: DFS from sources / start events in document order.
        indeg = {n.id: 0 for n in main}
        for u in succ:
            for v in succ[u]:
                indeg[v] += 1
        roots = (
            [n.id for n in main if indeg[n.id] == 0]
            + [n.id for n in main if n.type == "startEvent"]
            + [n.id for n in main]
        )
        state: dict[str, int] = {}
        dfs_order: list[str] = []
        back: set[tuple[str, str]] = set()
        for r in roots:
            if r in state:
                continue
            state[r] = 1
            dfs_order.append(r)
            stack: list[tuple[str, int]] = [(r, 0)]
            while stack:
                u, i = stack[-1]
                if i < len(succ[u]):
                    stack[-1] = (u, i + 1)
                    v = succ[u][i]
                    if state.get(v) == 1:
                        back.add((u, v))
                    elif v not in state:
                        state[v] = 1
                        dfs_order.append(v)
                        stack.append((v, 0))
                else:
                    state[u] = 2
                    stack.pop()
        dag = {u: [v for v in vs if (u, v) not in back] for u, vs in succ.items()}

        # 2. Longest-path layering (Kahn's order, deterministic).
        indeg = {u: 0 for u in dag}
        for u in dag:
            for v in dag[u]:
                indeg[v] += 1
        layer = {u: 0 for u in dag}
        queue = [u for u in dfs_order if indeg[u] == 0]
        qi = 0
        while qi < len(queue):
            u = queue[qi]
            qi += 1
            for v in dag[u]:
                layer[v] = max(layer[v], layer[u] + 1)
                indeg[v] -= 1
                if indeg[v] == 0:
                    queue.append(v)
        n_layers = max(layer.values(), default=-1) + 1

        # Dummy nodes on long forward edges.
        chain: dict[tuple[str, str], list[str]] = {}
        node_band = {u: band_of.get(u, 0) for u in dag}
        preds: dict[str, list[str]] = {u: [] for u in dag}
        succs: dict[str, list[str]] = {u: [] for u in dag}
        for u in dag:
            for v in dag[u]:
                path = [u]
                for k in range(layer[u] + 1, layer[v]):
                    d = f"\x00{u}\x00{v}\x00{k}"
                    layer[d] = k
                    node_band[d] = node_band[u]
                    preds[d], succs[d] = [], []
                    path.append(d)
                path.append(v)
                chain[(u, v)] = path
                for a, b in itertools.pairwise(path):
                    succs[a].append(b)
                    preds[b].append(a)

        # 3. Order within layers: barycenter sweeps, keep the best.
        rank = {u: i for i, u in enumerate(dfs_order)}
        layers: list[list[str]] = [[] for _ in range(n_layers)]
        for u in sorted(layer, key=lambda x: (layer[x], rank.get(x, len(rank)), x)):
            layers[layer[u]].append(u)
        for lst in layers:
            lst.sort(key=lambda x: node_band[x])  # stable: band first, DFS order within

        def crossings(order: list[list[str]]) -> int:
            total = 0
            for li in range(len(order) - 1):
                pos = {u: i for i, u in enumerate(order[li + 1])}
                segs = [(i, pos[v]) for i, u in enumerate(order[li]) for v in succs[u] if v in pos]
                for a in range(len(segs)):
                    for b in range(a + 1, len(segs)):
                        if (segs[a][0] - segs[b][0]) * (segs[a][1] - segs[b][1]) < 0:
                            total += 1
            return total

        best = [list(x) for x in layers]
        best_c = crossings(best)
        cur = [list(x) for x in layers]
        for _ in range(cfg.sweeps):
            if best_c == 0:
                break
            for direction in ("down", "up"):
                rng = range(1, n_layers) if direction == "down" else range(n_layers - 2, -1, -1)
                for li in rng:
                    ref = cur[li - 1] if direction == "down" else cur[li + 1]
                    index = {u: i for i, u in enumerate(ref)}
                    nb = preds if direction == "down" else succs

                    def key(
                        u: str,
                        li: int = li,
                        pos: dict[str, int] = index,
                        nb: dict[str, list[str]] = nb,
                    ) -> tuple[int, float]:
                        ps = [pos[p] for p in nb[u] if p in pos]
                        bary = sum(ps) / len(ps) if ps else float(cur[li].index(u))
                        return (node_band[u], bary)

                    cur[li] = sorted(cur[li], key=key)
                c = crossings(cur)
                if c < best_c:
                    best_c, best = c, [list(x) for x in cur]
        layers = best

        # 4. Coordinates.
        def dims(u: str) -> tuple[float, float]:
            return size.get(u, (0.0, 10.0))

        def stack_h(u: str) -> float:
            h = dims(u)[1]
            return h + (cfg.event_size / 2 + 4 if u in boundary else 0.0)

        col_w = [max([dims(u)[0] for u in lst] + [20.0]) for lst in layers]
        col_x: list[float] = []
        x = cfg.padding + 10
        for w in col_w:
            col_x.append(x)
            x += w + cfg.layer_gap
        width = (x - cfg.layer_gap + cfg.padding + 10) if layers else 2 * cfg.padding + 100

        loops_in_band = [0] * n_bands
        for u, _v in back:
            loops_in_band[node_band[u]] += 1
        self_loops = [f for f in flows if rep(f.source) == rep(f.target)]
        for f in self_loops:
            loops_in_band[node_band.get(rep(f.source), 0)] += 1
        content_h = [0.0] * n_bands
        for bi in range(n_bands):
            for lst in layers:
                items = [u for u in lst if node_band[u] == bi]
                if items:
                    h = sum(stack_h(u) for u in items) + cfg.node_gap * (len(items) - 1)
                    content_h[bi] = max(content_h[bi], h)
            content_h[bi] = max(content_h[bi], cfg.task_size[1])
        bands: list[tuple[float, float]] = []
        y = 0.0
        for bi in range(n_bands):
            loop_room = (20.0 + 10.0 * loops_in_band[bi]) if loops_in_band[bi] else 0.0
            h = cfg.padding + content_h[bi] + cfg.padding + 10 + loop_room
            bands.append((y, h))
            y += h
        height = y

        pos: dict[str, Bounds] = {}
        for li, lst in enumerate(layers):
            for bi in range(n_bands):
                items = [u for u in lst if node_band[u] == bi]
                if not items:
                    continue
                total = sum(stack_h(u) for u in items) + cfg.node_gap * (len(items) - 1)
                yy = bands[bi][0] + cfg.padding + (content_h[bi] - total) / 2
                for u in items:
                    w, h = dims(u)
                    pos[u] = Bounds(col_x[li] + (col_w[li] - w) / 2, yy, w, h)
                    yy += stack_h(u) + cfg.node_gap

        block = _Block(width, height, bands=bands)
        for u, ub in pos.items():
            if u in size:
                block.shapes[u] = ub
        for host, evs in boundary.items():
            hb = pos[host]
            for i, ev in enumerate(evs):
                s = cfg.event_size
                cx = hb.x + hb.width * (i + 1) / (len(evs) + 1)
                block.shapes[ev.id] = Bounds(cx - s / 2, hb.bottom - s / 2, s, s)
        for sid, blk in inner.items():
            ob = block.shapes[sid]
            block.expanded.append(sid)
            block.expanded.extend(blk.expanded)
            for key_id, kb in blk.shapes.items():
                block.shapes[key_id] = _shift(kb, ob.x, ob.y + cfg.header)
            for key_id, kpts in blk.edges.items():
                block.edges[key_id] = [(px + ob.x, py + ob.y + cfg.header) for px, py in kpts]

        # 5. Routing.
        def gap_right(li: int) -> float:
            return col_x[li] + col_w[li] + cfg.layer_gap / 2

        def gap_left(li: int) -> float:
            return col_x[li] - cfg.layer_gap / 2

        loop_k = [0] * n_bands
        ordered = sorted(flows, key=lambda f: self.flow_order[f.id])
        tracks = _gap_tracks(ordered, rep, chain, layer, cfg.layer_gap)
        for f in ordered:
            src, tgt = block.shapes[f.source], block.shapes[f.target]
            u, v = rep(f.source), rep(f.target)
            from_boundary = f.source != u
            if from_boundary:
                start: list[Point] = [(src.center[0], src.bottom), (src.center[0], src.bottom + 12)]
            else:
                start = [(src.right, src.center[1])]
            if (u, v) in chain:
                path = chain[(u, v)]
                pts = list(start)
                for a, b in itertools.pairwise(path):
                    xm = gap_right(layer[a]) + tracks[(f.id, layer[a])]
                    by = pos[b].center[1]
                    pts += [(xm, pts[-1][1]), (xm, by)]
                    if b not in size:
                        pts.append((pos[b].center[0], by))
                pts.append((tgt.x, tgt.center[1]))
            else:  # a loop back (or a self loop)
                band = node_band.get(u, 0)
                by0, bh = bands[band]
                yl = by0 + bh - 15 - 10 * loop_k[band]
                loop_k[band] += 1
                pts = list(start)
                out_x = gap_right(layer[u]) + tracks[(f.id, layer[u])]
                in_x = gap_left(layer[v]) + tracks[(f.id, layer[v] - 1)]
                if not from_boundary:
                    pts.append((out_x, src.center[1]))
                pts += [
                    (pts[-1][0], yl),
                    (in_x, yl),
                    (in_x, tgt.center[1]),
                    (tgt.x, tgt.center[1]),
                ]
            block.edges[f.id] = _simplify(pts)
        return block

    # -- the whole model --------------------------------------------------------------------
    def run(self) -> BpmnModel:

        cfg = self.cfg
        m = self.model
        shapes: dict[str, Bounds] = {}
        edges: dict[str, Sequence[Point]] = {}
        expanded: list[str] = []
        pools: list[tuple[str | None, str | None]] = []  # (participant id, process id)
        for p in m.participants:
            pools.append((p.id, p.process if p.process in {x.id for x in m.processes} else None))
        covered = {proc for _, proc in pools}
        for pr in m.processes:
            if pr.id not in covered and (pr.node_ids or not m.participants):
                pools.append((None, pr.id))

        laid: list[tuple[str | None, str | None, _Block, list[str], dict[str, int]]] = []
        for pid, proc in pools:
            if proc is None:
                laid.append((pid, None, _Block(400.0, 80.0), [], {}))
                continue
            leaves = self.leaf_lanes(proc)
            nodes = [n for n in m.nodes.values() if n.process == proc and n.parent is None]
            band_of: dict[str, int] = {}
            band_keys = list(leaves)
            if leaves:
                first_leaf = {lid: self.first_leaf(lid, leaves) for lid in m.lanes}
                for n in nodes:
                    lane = first_leaf.get(n.lane) if n.lane else None
                    if lane is None:
                        if "" not in band_keys:
                            band_keys.append("")
                        band_of[n.id] = band_keys.index("")
                    else:
                        band_of[n.id] = band_keys.index(lane)
                for n in nodes:  # boundary events follow their host
                    if n.attached_to in band_of:
                        band_of[n.id] = band_of[n.attached_to]
            blk = self.container(nodes, band_of, max(1, len(band_keys)))
            laid.append((pid, proc, blk, band_keys, band_of))

        depth_max = max([self.lane_depth(k) + 1 for *_, keys, _ in laid for k in keys if k] + [0])
        left = (cfg.header if m.participants else 0.0) + cfg.header * depth_max
        full_w = max([blk.width for _, _, blk, _, _ in laid] + [200.0]) + left
        y = 0.0
        for pid, _proc, blk, keys, _ in laid:
            pool_x = 0.0
            if pid is not None:
                shapes[pid] = Bounds(pool_x, y, full_w, blk.height)
            for k, b in blk.shapes.items():
                shapes[k] = _shift(b, left, y)
            for k, pts in blk.edges.items():
                edges[k] = [(px + left, py + y) for px, py in pts]
            expanded += blk.expanded
            lane_box: dict[str, Bounds] = {}
            for i, key in enumerate(keys):
                if not key:
                    continue
                by, bh = blk.bands[i]
                lid: str | None = key
                while lid is not None:
                    d = self.lane_depth(lid)
                    lx = (cfg.header if m.participants else 0.0) + cfg.header * d
                    box = Bounds(lx, y + by, full_w - lx, bh)
                    old = lane_box.get(lid)
                    if old is not None:
                        top = min(old.y, box.y)
                        box = Bounds(lx, top, box.width, max(old.bottom, box.bottom) - top)
                    lane_box[lid] = box
                    lid = m.lanes[lid].parent
            for lid in m.lanes:  # document order
                if lid in lane_box:
                    shapes[lid] = lane_box[lid]
            y += blk.height + (cfg.pool_gap if m.participants else 0.0)

        self.message_flows(shapes, edges)
        self.artifacts(shapes, edges, y + (0 if m.participants else cfg.pool_gap / 2))
        return with_diagram(m, shapes, edges, expanded=expanded)

    def leaf_lanes(self, proc: str) -> list[str]:
        lanes = [lane for lane in self.model.lanes.values() if lane.process == proc]
        parents = {lane.parent for lane in lanes}
        return [lane.id for lane in lanes if lane.id not in parents]

    def first_leaf(self, lid: str, leaves: list[str]) -> str | None:
        if lid in leaves:
            return lid
        for leaf in leaves:
            p: str | None = leaf
            while p is not None:
                if p == lid:
                    return leaf
                p = self.model.lanes[p].parent if p in self.model.lanes else None
        return None

    def lane_depth(self, lid: str) -> int:
        d = 0
        p = self.model.lanes[lid].parent
        while p is not None and p in self.model.lanes:
            d += 1
            p = self.model.lanes[p].parent
        return d

    def message_flows(self, shapes: dict[str, Bounds], edges: dict[str, Sequence[Point]]) -> None:
        for mf in self.model.message_flows:
            s, t = shapes.get(mf.source), shapes.get(mf.target)
            if s is None or t is None:
                continue
            sx = s.center[0] if s.width < 400 else min(max(t.center[0], s.x + 40), s.right - 10)
            tx = t.center[0] if t.width < 400 else min(max(sx, t.x + 40), t.right - 10)
            if s.bottom <= t.y:
                y0, y1 = s.bottom, t.y
            elif t.bottom <= s.y:
                y0, y1 = s.y, t.bottom
            else:
                edges[mf.id] = [s.center, t.center]
                continue
            ym = (y0 + y1) / 2
            edges[mf.id] = _simplify([(sx, y0), (sx, ym), (tx, ym), (tx, y1)])

    def artifacts(
        self, shapes: dict[str, Bounds], edges: dict[str, Sequence[Point]], y: float
    ) -> None:
        x = self.cfg.padding
        for d in self.model.data:
            if d.type in ("dataObjectReference", "dataInput", "dataOutput"):
                w, h = 36.0, 50.0
            elif d.type == "dataStoreReference":
                w, h = 50.0, 50.0
            else:
                continue
            shapes[d.id] = Bounds(x, y, w, h)
            x += w + 60
        for a in self.model.artifacts:
            if a.type == "textAnnotation":
                shapes[a.id] = Bounds(x, y, 120.0, 40.0)
                x += 180
        for a in self.model.artifacts:
            if a.type == "association" and a.source in shapes and a.target in shapes:
                edges[a.id] = [
                    shapes[a.source].center,
                    _border_towards(shapes[a.target], shapes[a.source].center),
                ]


def _gap_tracks(
    flows: Sequence[Any],
    rep: Callable[[str], str],
    chain: Mapping[tuple[str, str], Sequence[str]],
    layer: Mapping[str, int],
    gap: float,
) -> dict[tuple[str, int], float]:
    """Each flow's own vertical channel in each column gap it turns in: ``(flow id, gap) ->
    x offset from the gap's middle``, so no two flows share a vertical segment (gap ``i`` is
    the one right of column ``i``). Flows out of one gap are spread evenly, at most 10 px
    apart, in flow order."""
    users: dict[int, list[str]] = {}
    for f in flows:
        u, v = rep(f.source), rep(f.target)
        path = chain.get((u, v))
        gaps = [layer[a] for a in path[:-1]] if path is not None else [layer[u], layer[v] - 1]
        for g in gaps:
            if f.id not in users.setdefault(g, []):
                users[g].append(f.id)
    tracks: dict[tuple[str, int], float] = {}
    for g, ids in users.items():
        step = min(10.0, (gap - 16) / max(len(ids), 1))
        for k, fid in enumerate(ids):
            tracks[(fid, g)] = (k - (len(ids) - 1) / 2) * step
    return tracks


def _border_towards(b: Bounds, p: Point) -> Point:
    """The point where the line from ``p`` to the centre of ``b`` enters ``b``."""
    cx, cy = b.center
    dx, dy = p[0] - cx, p[1] - cy
    if dx == 0 and dy == 0:
        return (cx, cy)
    tx = (b.width / 2) / abs(dx) if dx else float("inf")
    ty = (b.height / 2) / abs(dy) if dy else float("inf")
    t = min(tx, ty)
    return (cx + dx * t, cy + dy * t)


def _ancestors(model: BpmnModel, node: FlowNode) -> set[str]:
    """The node's enclosing subprocesses and, for a boundary event, its host (and theirs)."""
    out: set[str] = set()
    cur: FlowNode | None = node
    while cur is not None:
        nxt = cur.attached_to or cur.parent
        if nxt is None or nxt in out:
            break
        out.add(nxt)
        cur = model.nodes.get(nxt)
    return out


def overlapping_shapes(model: BpmnModel, diagram: Diagram) -> list[tuple[str, str]]:
    """Pairs of flow nodes whose shapes overlap in a diagram, leaving out what BPMN draws
    overlapping on purpose: boundary events on their host and nodes inside their
    sub-process (pairs sorted by id).

    Example:
        >>> overlapping_shapes(model, model.diagrams[0])  # doctest: +SKIP
        [('Task_1', 'Task_2')]
    """
    placed = [
        (s.element, s.bounds, _ancestors(model, model.nodes[s.element]))
        for s in diagram.shapes
        if s.element in model.nodes
    ]
    placed.sort(key=lambda p: p[0])
    containers = {
        s.element
        for s in diagram.shapes
        if s.element in model.nodes
        and (s.is_expanded or model.nodes[s.element].type in SUBPROCESS_TYPES)
    }
    pairs = []
    for (a, ab, aa), (b, bb, ba) in itertools.combinations(placed, 2):
        if a in ba or b in aa or a == b or not ab.overlaps(bb, margin=-1.0):
            continue
        if (a in containers and _within(bb, ab)) or (b in containers and _within(ab, bb)):
            continue  # drawn inside an expanded activity (e.g. a called process)
        pairs.append((a, b))
    return pairs


def _within(inner: Bounds, outer: Bounds) -> bool:
    return (
        inner.x >= outer.x - 1
        and inner.y >= outer.y - 1
        and inner.right <= outer.right + 1
        and inner.bottom <= outer.bottom + 1
    )


def unusable_di(model: BpmnModel, diagram: int = 0) -> str | None:
    """Why a diagram's DI cannot be drawn readably, or None when it can: its flow nodes are
    stacked on one another (pm4py's export without layout puts every shape at (0, 0)) or
    many of them overlap (at least 3 pairs and one pair per 10 nodes).

    Example:
        >>> unusable_di(read_bpmn("receipt.bpmn"))  # doctest: +SKIP
        '19 pairs of shapes overlap'
    """
    if not 0 <= diagram < len(model.diagrams):
        return None
    d = model.diagrams[diagram]
    nodes = [s for s in d.shapes if s.element in model.nodes]
    if len(nodes) < 2:
        return None
    pairs = overlapping_shapes(model, d)
    if len({(s.bounds.x, s.bounds.y) for s in nodes}) == 1:
        return f"all {len(nodes)} shapes are stacked at one point"
    if len(pairs) >= 3 and len(pairs) * 10 >= len(nodes):
        return f"{len(pairs)} pairs of shapes overlap"
    return None


def auto_layout(
    model: BpmnModel, *, force: bool = False, config: LayoutConfig | None = None
) -> BpmnModel:
    """Lay out a model left to right and return a copy with a BPMN DI diagram.

    Args:
        model: the model (its XML tree is copied; the model itself is not changed).
        force: lay out even if the model already has DI (replacing its diagrams).
        config: sizes and spacing; :class:`LayoutConfig` defaults otherwise.

    Returns:
        The model itself if it has DI and ``force`` is False, else a new model whose single
        diagram places every flow node, lane, pool, data object and annotation without
        overlaps and routes every flow orthogonally.

    Raises:
        BpmnError: the model has no XML tree (it was not read from XML).

    Example:
        >>> laid_out = auto_layout(read_bpmn("process_without_di.bpmn"))  # doctest: +SKIP
        >>> laid_out.has_di  # doctest: +SKIP
        True
    """
    if model.has_di and not force:
        return model
    return _Layout(model, config or LayoutConfig()).run()


def with_diagram(
    model: BpmnModel,
    shapes: dict[str, Bounds],
    edges: dict[str, Sequence[tuple[float, float]]],
    *,
    expanded: Sequence[str] = (),
    replace: bool = True,
    diagram_id: str = "BPMNDiagram_fvm",
) -> BpmnModel:
    """A copy of the model with a BPMN DI diagram for the given shapes and edges.

    Used by the automatic layout: give every element id its bounds and every flow its
    waypoints. With ``replace`` (default) existing diagrams are removed first.
    """
    from lxml import etree

    if model._tree is None:
        raise BpmnError("model has no XML tree", source=model.source)
    root = copy.deepcopy(model._tree.getroot())
    di = "{%s}" % BPMNDI_NS
    if replace:
        for d in root.findall(di + "BPMNDiagram"):
            root.remove(d)
    nsmap = {"bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}
    diagram = etree.SubElement(root, di + "BPMNDiagram", {"id": diagram_id}, nsmap=nsmap)
    plane_el = (model.participants and _collaboration_id(root)) or (
        model.process().id if model.processes else ""
    )
    plane = etree.SubElement(
        diagram, di + "BPMNPlane", {"id": diagram_id + "_plane", "bpmnElement": plane_el}
    )
    for eid, b in shapes.items():
        attrs = {"id": f"{eid}_di", "bpmnElement": eid}
        if eid in expanded:
            attrs["isExpanded"] = "true"
        if model.element_type(eid) in ("participant", "lane"):
            attrs["isHorizontal"] = "true"
        if model.element_type(eid) == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        s = etree.SubElement(plane, di + "BPMNShape", attrs)
        etree.SubElement(
            s,
            "{%s}Bounds" % DC_NS,
            {"x": _fmt(b.x), "y": _fmt(b.y), "width": _fmt(b.width), "height": _fmt(b.height)},
        )
    for eid, pts in edges.items():
        e = etree.SubElement(plane, di + "BPMNEdge", {"id": f"{eid}_di", "bpmnElement": eid})
        for x, y in pts:
            etree.SubElement(e, "{%s}waypoint" % DI_NS, {"x": _fmt(x), "y": _fmt(y)})
    return read_bpmn(etree.tostring(root))


def _collaboration_id(root: etree._Element) -> str:
    c = root.find("{%s}collaboration" % BPMN_NS)
    return c.get("id", "") if c is not None else ""


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}".rstrip("0").rstrip(".")
