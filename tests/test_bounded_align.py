"""The bounded on-the-fly search (conformance._search) and the aligner's budgets.

Optimal costs equal an independent brute force (Dijkstra over the synchronous product, with
its own firing rule) and pm4py's; forced tiny budgets give flagged bounds that bracket the
brute-force optimum; every result replays as a valid alignment; the memory guard aligns a
net whose reachability graph does not fit on the fly; the memory estimates cover what
tracemalloc measures.
"""

from __future__ import annotations

import heapq
import importlib
import itertools
import random
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fvmprocess.conformance._search import LOG, MODEL, SYNC, BoundedAligner, state_bytes
from fvmprocess.conformance.align import Aligner, Budget, graph_bytes
from fvmprocess.conformance.moves import Alignment
from fvmprocess.conformance.options import CheckOptions, parse_bytes
from fvmprocess.petri import PetriNet, Transition
from nets import parallel_net

#: the module (its name is shadowed by the function in the package namespace)
ALIGN_MODULE = importlib.import_module("fvmprocess.conformance.align")

Tree = tuple[Any, ...]
Marking = tuple[tuple[str, int], ...]

# -- random block-structured nets (process trees: seq, xor, and, loop; tau skips) -------------


def random_tree(rng: random.Random, labels: list[str], depth: int = 0) -> Tree:
    if depth >= 3 or rng.random() < 0.3 or len(labels) <= 1:
        if rng.random() < 0.1:
            return ("tau",)
        return ("act", labels.pop(0) if labels else "z")
    op = rng.choice(["seq", "xor", "and", "loop"])
    k = 2 if op == "loop" else rng.randint(2, 3)
    return (op, *[random_tree(rng, labels, depth + 1) for _ in range(k)])


def tree_to_net(tree: Tree, name: str = "rnd") -> PetriNet:
    places: list[str] = ["i", "o"]
    trans: list[Transition] = []
    arcs: list[tuple[str, str, int]] = []
    cnt = itertools.count()

    def place() -> str:
        places.append(f"p{next(cnt)}")
        return places[-1]

    def tr(label: str | None) -> str:
        trans.append(Transition(f"t{next(cnt)}", label))
        return trans[-1].id

    def build(node: Tree, src: str, dst: str) -> None:
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
        else:  # loop
            a, b = place(), place()
            enter, leave = tr(None), tr(None)
            arcs.extend([(src, enter, 1), (enter, a, 1), (b, leave, 1), (leave, dst, 1)])
            build(node[1], a, b)
            build(node[2], b, a)

    build(tree, "i", "o")
    return PetriNet(name, tuple(places), tuple(trans), tuple(arcs), {"i": 1}, {"o": 1})


# -- an independent firing rule, brute force and replay -----------------------------------------


def _pre_post(net: PetriNet) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    pre: dict[str, dict[str, int]] = {t.id: {} for t in net.transitions}
    post: dict[str, dict[str, int]] = {t.id: {} for t in net.transitions}
    for s, d, w in net.arcs:
        if s in pre:
            post[s][d] = post[s].get(d, 0) + w
        else:
            pre[d][s] = pre[d].get(s, 0) + w
    return pre, post


def _fire(m: Marking, pre: dict[str, int], post: dict[str, int]) -> Marking | None:
    d = dict(m)
    if any(d.get(p, 0) < w for p, w in pre.items()):
        return None
    for p, w in pre.items():
        d[p] -= w
    for p, w in post.items():
        d[p] = d.get(p, 0) + w
    return tuple(sorted((p, k) for p, k in d.items() if k))


def _marking(m: Any) -> Marking:
    return tuple(sorted((p, k) for p, k in m.items() if k))


def _unit(_: str) -> float:
    return 1.0


def brute_force(
    net: PetriNet,
    trace: list[str],
    log_cost: Callable[[str], float] = _unit,
    model_cost: Callable[[str], float] = _unit,
) -> float:
    """Dijkstra over the synchronous product: no heuristic, no pruning (per-label costs)."""
    pre, post = _pre_post(net)
    labels = {t.id: t.label for t in net.transitions}
    final = _marking(net.final_marking)
    start = (_marking(net.initial_marking), 0)
    dist = {start: 0.0}
    heap: list[tuple[float, int, tuple[Marking, int]]] = [(0.0, 0, start)]
    tick = itertools.count(1)
    while heap:
        d, _, (m, i) = heapq.heappop(heap)
        if d > dist[(m, i)]:
            continue
        if i == len(trace) and m == final:
            return d
        succ: list[tuple[tuple[Marking, int], float]] = []
        if i < len(trace):
            succ.append(((m, i + 1), log_cost(trace[i])))
        for t, lab in labels.items():
            m2 = _fire(m, pre[t], post[t])
            if m2 is None:
                continue
            succ.append(((m2, i), 0.0 if lab is None else model_cost(lab)))
            if i < len(trace) and lab == trace[i]:
                succ.append(((m2, i + 1), 0.0))
        for s, w in succ:
            if d + w < dist.get(s, float("inf")):
                dist[s] = d + w
                heapq.heappush(heap, (d + w, next(tick), s))
    raise AssertionError("no alignment")


def check_valid(net: PetriNet, trace: list[str], al: Alignment) -> None:
    """The moves replay: log side = the trace, model side fires m0 -> mf, the cost adds up."""
    pre, post = _pre_post(net)
    labels = {t.id: t.label for t in net.transitions}
    m: Marking | None = _marking(net.initial_marking)
    assert [mv.log for mv in al.moves if mv.log is not None] == list(trace)
    cost = 0.0
    for mv in al.moves:
        if mv.kind == "log":
            cost += 1
            continue
        assert mv.transition is not None and m is not None
        m = _fire(m, pre[mv.transition], post[mv.transition])
        assert m is not None, mv
        cost += mv.kind == "model"
        if mv.kind == "sync":
            assert mv.log == mv.model == labels[mv.transition]
    assert m == _marking(net.final_marking)
    assert cost == al.cost


def mutate(trace: list[str], rng: random.Random, alphabet: list[str]) -> list[str]:
    tr = list(trace)
    for _ in range(rng.randint(0, 3)):
        op = rng.random()
        if op < 0.33 and tr:
            del tr[rng.randrange(len(tr))]
        elif op < 0.66:
            tr.insert(rng.randint(0, len(tr)), rng.choice([*alphabet, "UNKNOWN"]))
        elif len(tr) >= 2:
            a, b = rng.sample(range(len(tr)), 2)
            tr[a], tr[b] = tr[b], tr[a]
    return tr


def play_out(net: PetriNet, rng: random.Random, max_len: int = 12) -> list[str]:
    pre, post = _pre_post(net)
    labels = {t.id: t.label for t in net.transitions}
    m = _marking(net.initial_marking)
    out: list[str] = []
    for _ in range(60):
        if m == _marking(net.final_marking):
            break
        nxt = [(t, m2) for t in labels if (m2 := _fire(m, pre[t], post[t])) is not None]
        if not nxt:
            break
        t, m = rng.choice(nxt)
        if labels[t] is not None:
            out.append(str(labels[t]))
    return out[:max_len]


def cases(seed: int, n_nets: int, per_net: int) -> Iterator[tuple[PetriNet, list[str]]]:
    rng = random.Random(seed)
    for k in range(n_nets):
        net = tree_to_net(random_tree(rng, [chr(ord("a") + j) for j in range(8)]), f"rnd{k}")
        alphabet = sorted({t.label for t in net.transitions if t.label})
        if alphabet:
            for _ in range(per_net):
                yield net, mutate(play_out(net, rng), rng, alphabet)


def on_the_fly(net: PetriNet, **budget: Any) -> Aligner:
    aligner = Aligner(net, method="net", budget=Budget(**budget), trees=False)
    assert aligner.method == "net"
    return aligner


# -- exactness -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1])
def test_optimal_equals_brute_force_and_the_graph_engine(seed: int) -> None:
    for net, trace in cases(seed, 8, 4):
        opt = brute_force(net, trace)
        for splits in (0, 30):
            found = BoundedAligner(net, max_splits=splits, stall=5 if splits else 500).align(trace)
            assert found.exact and found.cost == found.cost_lower == opt, (net.name, trace)
        al = on_the_fly(net).align(trace)
        assert al.exact and al.cost_lower is None and al.cost == opt
        check_valid(net, trace, al)
        assert Aligner(net, method="graph").align(trace).cost == opt


def test_forced_tiny_budgets_bracket_the_optimum() -> None:
    bounded = 0
    for net, trace in cases(11, 10, 4):
        opt = brute_force(net, trace)
        for states in (1, 3, 10):
            al = on_the_fly(net, states=states, variant_seconds=5.0).align(trace)
            check_valid(net, trace, al)
            if al.exact:
                assert al.cost == opt and al.cost_lower is None
            else:
                bounded += 1
                assert al.cost_lower is not None
                assert al.cost_lower <= opt <= al.cost and al.cost_lower < al.cost
    assert bounded > 20


def test_graph_search_budget_gives_flagged_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The graph/DFA A* (automata too large for the batched program) stops at its state
    budget with a bound and a valid alignment."""
    monkeypatch.setattr(ALIGN_MODULE, "_BATCH_MAX_EDGES", 0)
    net = parallel_net(3, 3)
    rng = random.Random(3)
    labels = sorted(t.label for t in net.transitions if t.label)
    bounded = 0
    for _ in range(8):
        trace = [rng.choice(labels) for _ in range(12)]
        al = Aligner(net, method="graph", budget=Budget(states=300)).align(trace)
        opt = brute_force(net, trace)
        check_valid(net, trace, al)
        if not al.exact:
            bounded += 1
            assert al.cost_lower is not None and al.cost_lower <= opt <= al.cost
        else:
            assert al.cost == opt
    assert bounded >= 1


def test_no_states_budget_is_exact_and_costs_add_up_with_forced_log_moves() -> None:
    net = tree_to_net(("seq", ("act", "a"), ("act", "b")))
    found = BoundedAligner(net).align(["x", "a", "y", "b", "z"])
    assert (found.cost, found.exact, found.cost_lower) == (3.0, True, 3.0)
    assert [k for k, _ in found.steps] == [LOG, SYNC, LOG, SYNC, LOG]
    found = BoundedAligner(net).align(["b"])
    assert sorted(k for k, _ in found.steps) == [SYNC, MODEL]


# -- the memory guard and the estimates --------------------------------------------------------


def test_memory_guard_aligns_on_the_fly_exactly() -> None:
    """A net whose reachability graph (5**4 markings) exceeds a small memory budget is not
    unfolded: it is aligned on the fly, exactly, with no flag while no budget runs out."""
    net = parallel_net(4, 4)
    small = 200 * graph_bytes(len(net.places))  # room for ~100 markings
    guarded = Aligner(net, budget=Budget(memory=small, variant_seconds=30.0), trees=False)
    assert guarded.method == "net" and guarded.max_states < 5**4
    assert Aligner(net).method == "graph"
    rng = random.Random(5)
    labels = sorted(t.label for t in net.transitions if t.label)
    for _ in range(4):
        trace = [rng.choice(labels) for _ in range(8)]
        al = guarded.align(trace)
        assert al.exact and al.cost == brute_force(net, trace)
        check_valid(net, trace, al)
    tight = Aligner(net, budget=Budget(memory=small, states=2), trees=False)
    al = tight.align([rng.choice(labels) for _ in range(8)])
    assert not al.exact and al.cost_lower is not None and al.cost_lower < al.cost


def test_memory_estimates_cover_what_tracemalloc_measures() -> None:
    net = parallel_net(5, 4)
    rng = random.Random(1)
    labels = [t.label for t in net.transitions if t.label]
    trace = [str(rng.choice(labels)) for _ in range(30)]
    search = BoundedAligner(net, max_states=50_000, max_seconds=60.0, max_splits=0)
    search.empty_run()
    tracemalloc.start()
    found = search.align(trace)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert found.exact and found.stats["stored"] > 500
    assert peak <= found.stats["stored"] * state_bytes(len(net.places))
    tracemalloc.start()
    aligner = Aligner(net, method="graph", max_states=10**6)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert aligner.method == "graph"
    assert peak <= 5**5 * graph_bytes(len(net.places))


def test_options_parse_memory_and_split_it_over_processes() -> None:
    assert parse_bytes("2GiB") == 2 * 1024**3 and parse_bytes("1.5 MB") == 1_500_000
    opts = CheckOptions(memory="1GiB", processes=2, variant_seconds=0.5, time_budget=60)
    assert opts.budget == Budget(memory=2**29, variant_seconds=0.5, total_seconds=60)
    for bad in ("lots", "-1GB", 0):
        with pytest.raises(ValueError, match="memory"):
            CheckOptions(memory=bad)
    with pytest.raises(ValueError, match="variant_seconds"):
        CheckOptions(variant_seconds=0)


# -- processes, total budget, progress -----------------------------------------------------------


def test_processes_give_the_same_results_and_progress_counts() -> None:
    traces = [t for _, t in itertools.islice(cases(4, 1, 8), 8)]
    net = next(cases(4, 1, 1))[0]
    seen: list[tuple[int, int, int]] = []
    one = on_the_fly(net, states=50).align_variants(traces)
    two = on_the_fly(net, states=50).align_variants(
        traces, processes=2, progress=lambda d, n, s: seen.append((d, n, s))
    )
    assert [(a.moves, a.cost, a.exact, a.cost_lower) for a in one] == [
        (a.moves, a.cost, a.exact, a.cost_lower) for a in two
    ]
    distinct = len(set(map(tuple, traces)))
    assert [d for d, _, _ in seen] == list(range(1, distinct + 1))
    assert all(n == distinct for _, n, _ in seen) and seen[-1][2] > 0


def test_spent_total_budget_still_gives_valid_flagged_alignments() -> None:
    net = parallel_net(4, 4)
    rng = random.Random(9)
    labels = sorted(t.label for t in net.transitions if t.label)
    traces = [[rng.choice(labels) for _ in range(25)] for _ in range(3)]
    aligner = on_the_fly(net, variant_seconds=5.0, total_seconds=1e-9)
    for trace, al in zip(traces, aligner.align_variants(traces), strict=True):
        check_valid(net, trace, al)
        assert al.exact == (al.cost_lower is None)
        if not al.exact:
            assert al.cost_lower is not None and al.cost_lower <= brute_force(net, trace)


@pytest.mark.pm4py
def test_pm4py_agrees() -> None:
    pm4py = pytest.importorskip("pm4py")
    from pm4py.objects.log.obj import Event, EventLog, Trace

    from fvmprocess.petri import to_pm4py

    for net, trace in itertools.islice(cases(5, 10, 3), 20):
        pn, im, fm = to_pm4py(net)
        log = EventLog([Trace([Event({"concept:name": a}) for a in trace])])
        theirs = pm4py.conformance_diagnostics_alignments(log, pn, im, fm)[0]["cost"] // 10000
        assert on_the_fly(net).align(trace).cost == theirs, trace


# -- the compile-time scope limit never approximates ---------------------------------------------

_PARALLEL_ENDS = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <process id="P" isExecutable="false">
    <startEvent id="S"/>
    <parallelGateway id="G"/>
    <task id="A" name="A"/><task id="B" name="B"/><task id="C" name="C"/>
    <endEvent id="EA"/><endEvent id="EB"/><endEvent id="EC"/>
    <sequenceFlow id="f0" sourceRef="S" targetRef="G"/>
    <sequenceFlow id="f1" sourceRef="G" targetRef="A"/>
    <sequenceFlow id="f2" sourceRef="G" targetRef="B"/>
    <sequenceFlow id="f3" sourceRef="G" targetRef="C"/>
    <sequenceFlow id="f4" sourceRef="A" targetRef="EA"/>
    <sequenceFlow id="f5" sourceRef="B" targetRef="EB"/>
    <sequenceFlow id="f6" sourceRef="C" targetRef="EC"/>
  </process>
</definitions>
"""


def test_scope_beyond_its_marking_limit_is_refused_not_approximated() -> None:
    """Three parallel branches with their own end events: exact with the default limit (the
    process ends when all three have ended), a TranslationError beyond a tiny limit (before
    issue 11 the completion was approximated as 'any one end event ends it', with a warning)."""
    from fvmprocess.bpmn import read_bpmn
    from fvmprocess.compile import translate
    from fvmprocess.errors import TranslationError

    model = read_bpmn(_PARALLEL_ENDS)
    net = translate(model).net
    aligner = Aligner(net)
    assert aligner.align(["A", "B", "C"]).cost == 0.0
    assert aligner.align(["A"]).cost == 2.0  # B and C still have to happen
    with pytest.raises(TranslationError, match="cannot be translated exactly"):
        translate(model, max_scope_states=3)
