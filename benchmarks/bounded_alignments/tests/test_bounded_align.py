"""Tests of bounded_align: optimal costs equal the exact engine's, brute force's and pm4py's;
forced tiny budgets give flagged bounds bracketing the optimum; every result is a valid
alignment. Run: cd /work/scratch/issue11 && FVM_SNAPSHOT=1 python -m pytest tests -q
"""

from __future__ import annotations

import heapq
import itertools
import random
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from compat import aligner_module  # noqa: E402
from bounded_align import BoundedAligner, align_bounded  # noqa: E402

from fvmprocess.petri import PetriNet, Transition  # noqa: E402

# -- random block-structured nets (process trees: seq, xor, and, loop; tau skips) -------------


def random_tree(rng: random.Random, labels: list[str], depth: int = 0):
    if depth >= 3 or rng.random() < 0.3 or len(labels) <= 1:
        if rng.random() < 0.1:
            return ("tau",)
        return ("act", labels.pop(0) if labels else "z")
    op = rng.choice(["seq", "xor", "and", "loop"])
    k = 2 if op == "loop" else rng.randint(2, 3)
    return (op, *[random_tree(rng, labels, depth + 1) for _ in range(k)])


def tree_to_net(tree, name="rnd") -> PetriNet:
    places: list[str] = []
    trans: list[Transition] = []
    arcs: list[tuple[str, str, int]] = []
    cnt = itertools.count()

    def place():
        p = f"p{next(cnt)}"
        places.append(p)
        return p

    def tr(label):
        t = f"t{next(cnt)}"
        trans.append(Transition(t, label))
        return t

    def build(node, src, dst):
        op = node[0]
        if op in ("act", "tau"):
            t = tr(node[1] if op == "act" else None)
            arcs.extend([(src, t, 1), (t, dst, 1)])
        elif op == "seq":
            cur = src
            for i, ch in enumerate(node[1:]):
                nxt = dst if i == len(node) - 2 else place()
                build(ch, cur, nxt)
                cur = nxt
        elif op == "xor":
            for ch in node[1:]:
                build(ch, src, dst)
        elif op == "and":
            split, join = tr(None), tr(None)
            arcs.extend([(src, split, 1), (join, dst, 1)])
            for ch in node[1:]:
                a, b = place(), place()
                arcs.extend([(split, a, 1), (b, join, 1)])
                build(ch, a, b)
        elif op == "loop":
            a, b = place(), place()
            enter, leave = tr(None), tr(None)
            arcs.extend([(src, enter, 1), (enter, a, 1), (b, leave, 1), (leave, dst, 1)])
            build(node[1], a, b)
            build(node[2], b, a)

    i, o = "i", "o"
    places.extend([i, o])
    build(tree, i, o)
    return PetriNet(name, tuple(places), tuple(trans), tuple(arcs), {i: 1}, {o: 1})


def play_out(net: PetriNet, rng: random.Random, max_len: int = 12) -> list[str]:
    ba = BoundedAligner(net)
    mk, out = ba.m0, []
    for _ in range(60):
        if mk == ba.mf:
            break
        en = ba._enabled(mk)
        if not en:
            break
        t = rng.choice(en)
        if ba.t_labels[t] is not None:
            out.append(ba.t_labels[t])
        mk = ba._fire(mk, t)
    return out[:max_len]


def mutate(trace: list[str], rng: random.Random, alphabet: list[str]) -> list[str]:
    tr = list(trace)
    for _ in range(rng.randint(0, 3)):
        op = rng.random()
        if op < 0.33 and tr:
            del tr[rng.randrange(len(tr))]
        elif op < 0.66:
            tr.insert(rng.randint(0, len(tr)), rng.choice(alphabet + ["UNKNOWN"]))
        elif len(tr) >= 2:
            a, b = rng.sample(range(len(tr)), 2)
            tr[a], tr[b] = tr[b], tr[a]
    return tr


def brute_force(net: PetriNet, trace: list[str]) -> float:
    """Dijkstra over the synchronous product without heuristic or ordering pruning."""
    ba = BoundedAligner(net)
    n = len(trace)
    start = (ba.m0, 0)
    dist = {start: 0.0}
    heap = [(0.0, 0, start)]
    c = itertools.count()
    while heap:
        d, _, (mk, i) = heapq.heappop(heap)
        if d > dist[(mk, i)]:
            continue
        if i == n and mk == ba.mf:
            return d
        succ = []
        en = ba._enabled(mk)
        if i < n:
            succ.append(((mk, i + 1), 1.0))
            for t in en:
                if ba.t_labels[t] == trace[i]:
                    succ.append(((ba._fire(mk, t), i + 1), 0.0))
        for t in en:
            succ.append(((ba._fire(mk, t), i), 0.0 if ba.t_labels[t] is None else 1.0))
        for s, w in succ:
            if d + w < dist.get(s, float("inf")):
                dist[s] = d + w
                heapq.heappush(heap, (d + w, next(c), s))
    raise AssertionError("no alignment")


def check_valid(net: PetriNet, trace: list[str], result) -> None:
    """The moves replay: log side = the trace, model side fires from m0 to mf, cost adds up."""
    ba = BoundedAligner(net)
    mk = ba.m0
    assert [m.log for m in result.moves if m.log is not None] == list(trace)
    cost = 0.0
    for m in result.moves:
        if m.kind == "log":
            cost += 1
            continue
        t = ba.t_index[m.transition]
        assert t in ba._enabled(mk), m
        mk = ba._fire(mk, t)
        if m.kind == "model":
            cost += 1
        if m.kind == "sync":
            assert m.log == m.model == ba.t_labels[t]
    assert mk == ba.mf
    assert cost == result.cost


def cases(seed: int, n_nets: int, per_net: int):
    rng = random.Random(seed)
    for k in range(n_nets):
        labels = [chr(ord("a") + j) for j in range(8)]
        tree = random_tree(rng, labels)
        net = tree_to_net(tree, f"rnd{k}")
        alphabet = sorted({t.label for t in net.transitions if t.label})
        if not alphabet:
            continue
        for _ in range(per_net):
            yield net, mutate(play_out(net, rng), rng, alphabet)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_optimal_equals_engine_and_brute_force(seed):
    A = aligner_module()
    for net, trace in cases(seed, 15, 6):
        for splits in (0, 30):
            r = BoundedAligner(net, max_splits=splits, stall=5 if splits else 500).align(trace)
            assert r.exact, (net.name, trace, r.stats)
            opt = brute_force(net, trace)
            assert r.cost == opt == r.cost_lower, (net.name, trace, r.cost, opt)
            assert A.Aligner(net).align(trace).cost == opt
            check_valid(net, trace, r)


@pytest.mark.parametrize("lp", ["highs", "linprog"])
def test_both_lp_backends(lp):
    for net, trace in itertools.islice(cases(7, 6, 3), 12):
        r = BoundedAligner(net, lp=lp).align(trace)
        assert r.exact and r.cost == brute_force(net, trace)


def test_forced_tiny_budgets_bracket_the_optimum():
    seen_bounded = 0
    for net, trace in cases(11, 15, 6):
        opt = brute_force(net, trace)
        for states in (1, 3, 10):
            r = align_bounded(net, trace, max_states=states, max_seconds=5.0)
            assert r.cost_lower <= opt <= r.cost, (trace, r.cost_lower, opt, r.cost)
            check_valid(net, trace, r)
            if not r.exact:
                seen_bounded += 1
                assert r.cost_lower < r.cost
            else:
                assert r.cost == opt
    assert seen_bounded > 20


def test_unpacks_to_four_fields():
    net = tree_to_net(("seq", ("act", "a"), ("act", "b")))
    moves, cost, exact, lower = align_bounded(net, ["a", "x", "b"])
    assert (cost, exact, lower) == (1.0, True, 1.0)
    assert [m.kind for m in moves] == ["sync", "log", "sync"]


def test_pm4py_agrees():
    pm4py = pytest.importorskip("pm4py")
    from pm4py.objects.log.obj import Event, EventLog, Trace

    from fvmprocess.petri import to_pm4py

    for net, trace in itertools.islice(cases(5, 10, 3), 20):
        pn, im, fm = to_pm4py(net)
        log = EventLog([Trace([Event({"concept:name": a}) for a in trace])])
        theirs = pm4py.conformance_diagnostics_alignments(log, pn, im, fm)[0]["cost"] // 10000
        assert BoundedAligner(net).align(trace).cost == theirs, trace
