"""Tests of fvmprocess.bpmn.layout.auto_layout: placement, no overlaps, routing, random models."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from fvmprocess.bpmn import read_bpmn
from fvmprocess.bpmn.layout import LayoutConfig, auto_layout
from fvmprocess.bpmn.model import Bounds, BpmnModel

DATA = Path(__file__).resolve().parent / "data" / "draw"
NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def bpmn(nodes: list[tuple[str, str]], flows: list[tuple[str, str]]) -> BpmnModel:
    """A one-process model from (id, tag) nodes and (source, target) flows, without DI."""
    inc: dict[str, list[str]] = {}
    out: dict[str, list[str]] = {}
    for i, (s, t) in enumerate(flows):
        out.setdefault(s, []).append(f"f{i}")
        inc.setdefault(t, []).append(f"f{i}")
    body = ""
    for nid, tag in nodes:
        refs = "".join(f"<incoming>{f}</incoming>" for f in inc.get(nid, []))
        refs += "".join(f"<outgoing>{f}</outgoing>" for f in out.get(nid, []))
        body += f'<{tag} id="{nid}" name="Steg {nid}">{refs}</{tag}>'
    body += "".join(
        f'<sequenceFlow id="f{i}" sourceRef="{s}" targetRef="{t}"/>'
        for i, (s, t) in enumerate(flows)
    )
    return read_bpmn(f'<definitions {NS} id="d"><process id="p">{body}</process></definitions>')


def shapes_of(model: BpmnModel) -> dict[str, Bounds]:
    return {s.element: s.bounds for s in model.diagrams[0].shapes}


def ancestors(model: BpmnModel, nid: str) -> set[str]:
    out = set()
    n = model.nodes[nid]
    while n.parent is not None:
        out.add(n.parent)
        n = model.nodes[n.parent]
    return out


def assert_no_overlaps(model: BpmnModel) -> None:
    sh = shapes_of(model)
    ids = [i for i in model.nodes if i in sh]
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            x, y = model.nodes[ids[a]], model.nodes[ids[b]]
            if x.attached_to == y.id or y.attached_to == x.id:
                continue
            if x.id in ancestors(model, y.id) or y.id in ancestors(model, x.id):
                continue
            hx = model.nodes[x.attached_to] if x.attached_to else None
            hy = model.nodes[y.attached_to] if y.attached_to else None
            if (hx and hx.id in ancestors(model, y.id)) or (hy and hy.id in ancestors(model, x.id)):
                continue
            assert not sh[x.id].overlaps(sh[y.id]), (x.id, y.id, sh[x.id], sh[y.id])
    # other drawn things (data, annotations) overlap no flow node
    others = [
        k
        for k in sh
        if k not in model.nodes and model.element_type(k) not in ("participant", "lane")
    ]
    for o in others:
        for i in ids:
            assert not sh[o].overlaps(sh[i]), (o, i)


def on_border(p: tuple[float, float], b: Bounds, tol: float = 0.6) -> bool:
    x, y = p
    inside = b.x - tol <= x <= b.right + tol and b.y - tol <= y <= b.bottom + tol
    edge = min(abs(x - b.x), abs(x - b.right), abs(y - b.y), abs(y - b.bottom)) <= tol
    return inside and edge


def assert_routes(model: BpmnModel) -> None:
    sh = shapes_of(model)
    edges = {e.element: e.waypoints for e in model.diagrams[0].edges}
    for f in model.flows.values():
        pts = edges[f.id]
        assert len(pts) >= 2
        for a, b in itertools.pairwise(pts):
            assert abs(a[0] - b[0]) < 0.01 or abs(a[1] - b[1]) < 0.01, (f.id, pts)
        assert on_border(pts[0], sh[f.source]), (f.id, pts[0], sh[f.source])
        assert on_border(pts[-1], sh[f.target]), (f.id, pts[-1], sh[f.target])


def test_chain_goes_left_to_right_with_standard_sizes() -> None:
    nodes = [("s", "startEvent"), ("a", "userTask"), ("g", "exclusiveGateway"), ("e", "endEvent")]
    model = auto_layout(bpmn(nodes, [("s", "a"), ("a", "g"), ("g", "e")]))
    assert model.has_di
    sh = shapes_of(model)
    xs = [sh[n].x for n, _ in nodes]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert (sh["a"].width, sh["a"].height) == (100, 80)
    assert (sh["s"].width, sh["g"].width) == (36, 50)
    # a straight chain is drawn on one centre line
    assert len({round(sh[n].center[1], 2) for n, _ in nodes}) == 1
    assert_routes(model)


def test_loops_are_routed_back() -> None:
    nodes = [
        ("s", "startEvent"),
        ("a", "task"),
        ("b", "task"),
        ("g", "exclusiveGateway"),
        ("e", "endEvent"),
    ]
    flows = [("s", "a"), ("a", "b"), ("b", "g"), ("g", "a"), ("g", "e")]
    model = auto_layout(bpmn(nodes, flows))
    sh = shapes_of(model)
    assert sh["s"].x < sh["a"].x < sh["b"].x < sh["g"].x < sh["e"].x
    back = next(e for e in model.diagrams[0].edges if e.element == "f3").waypoints
    assert min(p[1] for p in back) >= sh["g"].center[1]  # the loop runs below
    assert max(p[1] for p in back) > max(b.bottom for b in sh.values() if b.height < 100)
    assert_routes(model)
    assert_no_overlaps(model)


def test_fixture_lanes_pools_subprocess_and_boundary_events() -> None:
    source = read_bpmn(DATA / "akut_no_di.bpmn")
    model = auto_layout(source)
    sh = shapes_of(model)
    assert set(source.nodes) <= set(sh)
    assert {"pool_akut", "pool_rtg", "lane_ssk", "lane_lak", "dor_journal", "ann_1"} <= set(sh)
    assert_no_overlaps(model)
    assert_routes(model)
    for node in source.nodes.values():
        if node.lane and node.parent is None:
            lane = sh[node.lane]
            b = sh[node.id]
            assert lane.y <= b.y and b.bottom <= lane.bottom, node.id
    for kid in ("sub_start", "sub_task", "sub_end"):
        s, k = sh["sub"], sh[kid]
        assert s.x < k.x and k.right < s.right and s.y < k.y and k.bottom < s.bottom
    sub_shape = model.diagrams[0].shape("sub")
    assert sub_shape is not None and sub_shape.is_expanded
    for be, host in (("be_timer", "sub"), ("be_err", "call")):
        b, h = sh[be], sh[host]
        assert abs(b.center[1] - h.bottom) < 0.01 and h.x <= b.center[0] <= h.right
    # lanes stack inside the pool, pools do not overlap
    assert not sh["pool_akut"].overlaps(sh["pool_rtg"])
    assert not sh["lane_ssk"].overlaps(sh["lane_lak"])
    for mf in ("mf_remiss", "mf_svar"):
        assert any(e.element == mf for e in model.diagrams[0].edges)


def test_layout_is_deterministic_and_keeps_existing_di() -> None:
    source = read_bpmn(DATA / "akut_no_di.bpmn")
    assert shapes_of(auto_layout(source)) == shapes_of(auto_layout(source))
    laid = read_bpmn(DATA / "akut.bpmn")
    assert auto_layout(laid) is laid
    forced = auto_layout(laid, force=True, config=LayoutConfig(layer_gap=120))
    assert forced is not laid
    assert shapes_of(forced)["t_user"].x > shapes_of(laid)["t_user"].x


def random_model(seed: int) -> BpmnModel:
    rng = random.Random(seed)
    n = rng.randint(15, 60)
    tags = ["task", "userTask", "exclusiveGateway", "parallelGateway", "intermediateCatchEvent"]
    nodes = [("n0", "startEvent")] + [(f"n{i}", rng.choice(tags)) for i in range(1, n)]
    nodes.append((f"n{n}", "endEvent"))
    flows: list[tuple[str, str]] = []
    for i in range(1, n + 1):  # every node reachable from an earlier one
        flows.append((f"n{rng.randrange(0, i)}", f"n{i}"))
    for _ in range(n // 2):  # extra forward edges and loops back
        a, b = rng.randrange(0, n), rng.randrange(1, n + 1)
        if a != b and (f"n{a}", f"n{b}") not in flows:
            flows.append((f"n{a}", f"n{b}"))
    return bpmn(nodes, flows)


@pytest.mark.parametrize("seed", range(12))
def test_random_models_have_no_overlaps_and_clean_routes(seed: int) -> None:
    model = auto_layout(random_model(seed))
    assert set(model.nodes) <= set(shapes_of(model))
    assert_no_overlaps(model)
    assert_routes(model)


def test_real_files_relaid_out_without_overlaps(shared_real: Path) -> None:
    for f in sorted((shared_real / "bpmn").rglob("*.bpmn")):
        model = auto_layout(read_bpmn(f), force=True)
        assert set(model.nodes) <= set(shapes_of(model)), f.name
        assert_no_overlaps(model)


def shared_segments(model: BpmnModel) -> list[tuple[str, str]]:
    """Pairs of sequence flows with a common stretch of vertical line (the channels in the
    column gaps; flows out of or into one shape start from one point, as in bpmn-js)."""
    segs: list[tuple[str, tuple[float, float], tuple[float, float]]] = []
    for e in model.diagrams[0].edges:
        if e.element in model.flows:
            segs += [(e.element, a, b) for a, b in itertools.pairwise(e.waypoints)]
    shared = set()
    for (f, a, b), (g, c, d) in itertools.combinations(segs, 2):
        if f == g:
            continue
        if a[0] == b[0] == c[0] == d[0]:  # both vertical on one x
            lo, hi = max(min(a[1], b[1]), min(c[1], d[1])), min(max(a[1], b[1]), max(c[1], d[1]))
        else:
            continue
        if hi - lo > 1:
            shared.add(tuple(sorted((f, g))))
    return sorted(shared)  # type: ignore[arg-type]


def test_flows_get_their_own_channels() -> None:
    """A fan-out and fan-in through one gateway pair and a loop: every flow turns in its own
    vertical channel (before: the flows of one column gap shared one x, so a loop read as
    forward flow)."""
    nodes = [("s", "startEvent"), ("g", "exclusiveGateway"), ("a", "task"), ("b", "task")]
    nodes += [("c", "task"), ("j", "exclusiveGateway"), ("e", "endEvent")]
    flows = [("s", "g"), ("g", "a"), ("g", "b"), ("g", "c"), ("a", "j"), ("b", "j")]
    flows += [("c", "j"), ("j", "e"), ("j", "g")]
    model = auto_layout(bpmn(nodes, flows))
    assert_no_overlaps(model)
    assert_routes(model)
    assert shared_segments(model) == []
    for seed in range(6):
        assert shared_segments(auto_layout(random_model(seed))) == [], seed


def test_unusable_di_is_detected() -> None:
    from fvmprocess.bpmn.layout import overlapping_shapes, unusable_di, with_diagram

    model = auto_layout(random_model(3))
    assert unusable_di(model) is None and overlapping_shapes(model, model.diagrams[0]) == []
    stacked = with_diagram(model, {n: Bounds(0, 0, 100, 80) for n in model.nodes}, {})
    assert unusable_di(stacked) == f"all {len(model.nodes)} shapes are stacked at one point"
    shapes = shapes_of(model)
    tasks = sorted(n for n in model.nodes if model.nodes[n].is_task)[:4]
    moved = dict(shapes)
    for k, n in enumerate(tasks):  # four tasks on top of each other, away from the rest
        moved[n] = Bounds(5000 + 10 * k, 0, 100, 80)
    overlapping = with_diagram(model, moved, {})
    pairs = overlapping_shapes(overlapping, overlapping.diagrams[0])
    assert pairs == sorted(itertools.combinations(tasks, 2))
    assert unusable_di(overlapping) == f"{len(pairs)} pairs of shapes overlap"


def test_laid_out_exclusive_gateways_show_their_marker() -> None:
    model = auto_layout(bpmn([("s", "startEvent"), ("g", "exclusiveGateway")], [("s", "g")]))
    assert b'isMarkerVisible="true"' in __import__("lxml.etree").etree.tostring(model.xml)
