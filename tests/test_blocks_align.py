"""The block aligner (conformance.blocks) against the exact graph aligner and pm4py."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from fvmprocess.conformance.align import Aligner
from fvmprocess.conformance.blocks import BlockAligner, NotBlockStructured, tree_of
from fvmprocess.conformance.moves import AlignmentCosts, Move
from fvmprocess.petri import PetriNet, Transition

Tree = tuple  # ("leaf", label | None) | (op, child, ...)


def random_tree(rng: random.Random, labels: list[str], depth: int = 0) -> Tree:
    """A random process tree; takes labels from ``labels`` (each used once)."""
    if depth >= 3 or len(labels) < 2 or rng.random() < 0.25:
        if labels and rng.random() < 0.85:
            return ("leaf", labels.pop())
        return ("leaf", None)
    op = rng.choice(["seq", "xor", "and", "loop"])
    if op == "loop":
        return ("loop", random_tree(rng, labels, depth + 1), random_tree(rng, labels, depth + 1))
    k = rng.choice([2, 2, 3])
    return (op, *(random_tree(rng, labels, depth + 1) for _ in range(k)))


class _Builder:
    def __init__(self) -> None:
        self.places: list[str] = []
        self.transitions: list[Transition] = []
        self.arcs: list[tuple[str, str, int]] = []

    def place(self) -> str:
        p = f"p{len(self.places)}"
        self.places.append(p)
        return p

    def trans(self, label: str | None, pre: list[str], post: list[str]) -> None:
        t = f"t{len(self.transitions)}"
        self.transitions.append(Transition(t, label))
        self.arcs.extend((p, t, 1) for p in pre)
        self.arcs.extend((t, p, 1) for p in post)

    def add(self, tree: Tree, i: str, o: str) -> None:
        op = tree[0]
        if op == "leaf":
            self.trans(tree[1], [i], [o])
        elif op == "seq":
            cur = i
            for n, child in enumerate(tree[1:]):
                nxt = o if n == len(tree) - 2 else self.place()
                self.add(child, cur, nxt)
                cur = nxt
        elif op == "xor":
            for child in tree[1:]:
                self.add(child, i, o)
        elif op == "and":
            starts = [self.place() for _ in tree[1:]]
            ends = [self.place() for _ in tree[1:]]
            self.trans(None, [i], starts)
            for child, a, b in zip(tree[1:], starts, ends, strict=True):
                self.add(child, a, b)
            self.trans(None, ends, [o])
        else:  # loop(do, redo), as pm4py converts it
            a, b = self.place(), self.place()
            self.trans(None, [i], [a])
            self.add(tree[1], a, b)
            self.add(tree[2], b, a)
            self.trans(None, [b], [o])


def net_of(tree: Tree, name: str = "random") -> PetriNet:
    b = _Builder()
    i, o = b.place(), b.place()
    b.add(tree, i, o)
    return PetriNet(name, tuple(b.places), tuple(b.transitions), tuple(b.arcs), {i: 1}, {o: 1})


def play_out(net: PetriNet, rng: random.Random, max_steps: int = 25) -> list[str]:
    """A random run's labels (up to ``max_steps`` firings; may stop before the end)."""
    marking = Counter(net.initial_marking)
    trace: list[str] = []
    for _ in range(max_steps):
        if marking == Counter(net.final_marking):
            break
        enabled = [
            t for t in net.transitions if all(marking[p] >= w for p, w in net.preset(t.id).items())
        ]
        if not enabled:
            break
        t = rng.choice(enabled)
        marking.subtract(net.preset(t.id))
        marking.update(net.postset(t.id))
        marking = +marking
        if t.label is not None:
            trace.append(t.label)
    return trace


def mutate(trace: list[str], rng: random.Random, alphabet: list[str]) -> list[str]:
    out = list(trace)
    for _ in range(rng.randint(0, 3)):
        op = rng.random()
        if op < 0.3 and out:
            del out[rng.randrange(len(out))]
        elif op < 0.6:
            out.insert(rng.randint(0, len(out)), rng.choice([*alphabet, "UNKNOWN"]))
        elif len(out) > 1:
            k = rng.randrange(len(out) - 1)
            out[k], out[k + 1] = out[k + 1], out[k]
    return out


def replay(
    net: PetriNet, trace: list[str], moves: tuple[Move, ...], costs: AlignmentCosts
) -> float:
    """Check that ``moves`` is a valid alignment of ``trace``; return its cost."""
    assert [m.log for m in moves if m.log is not None] == trace
    marking = Counter(net.initial_marking)
    cost = 0.0
    for m in moves:
        if m.kind == "log":
            assert m.model is None and m.transition is None
            cost += costs.log_cost(m.log or "")
            continue
        assert m.transition is not None
        t = net.transition(m.transition)
        assert t.label == m.model
        if m.kind == "sync":
            assert m.log == t.label is not None
        elif m.kind == "model":
            assert t.label is not None
            cost += costs.model_cost(t.label)
        else:
            assert t.label is None
        pre = net.preset(t.id)
        assert all(marking[p] >= w for p, w in pre.items()), f"{t.id} not enabled"
        marking.subtract(pre)
        marking.update(net.postset(t.id))
        marking = +marking
    assert marking == Counter(net.final_marking)
    return cost


def _cases(seed: int, n_nets: int = 12, n_traces: int = 6):
    rng = random.Random(seed)
    for _ in range(n_nets):
        labels = [f"a{k}" for k in range(rng.randint(2, 8))]
        tree = random_tree(rng, list(labels))
        net = net_of(tree)
        traces = [mutate(play_out(net, rng), rng, labels) for _ in range(n_traces)]
        yield net, [*traces, []]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_costs_equal_the_exact_aligner_and_moves_replay(seed: int) -> None:
    costs = AlignmentCosts()
    checked = 0
    for net, traces in _cases(seed):
        block = BlockAligner.from_net(net, costs=costs)
        assert block is not None, tree_of(net)
        exact = Aligner(net, costs=costs, method="graph")
        for trace in traces:
            got, want = block.align(trace), exact.align(trace)
            assert want.exact
            assert got.cost == pytest.approx(want.cost), (str(block.tree), trace)
            assert replay(net, trace, got.moves, costs) == pytest.approx(got.cost)
            assert got.worst_cost == pytest.approx(want.worst_cost)
            checked += 1
    assert checked >= 60


def test_non_standard_costs_equal_the_exact_aligner() -> None:
    rng = random.Random(7)
    for net, traces in _cases(11, n_nets=8, n_traces=4):
        labels = sorted(net.labels)
        costs = AlignmentCosts(
            log_move=1.5,
            model_move=0.7,
            log_moves={a: rng.choice([0.5, 2.0, 3.0]) for a in labels[::2]},
            model_moves={a: rng.choice([0.0, 2.5, 4.0]) for a in labels[1::2]},
        )
        block = BlockAligner.from_net(net, costs=costs)
        assert block is not None
        exact = Aligner(net, costs=costs, method="graph")
        for trace in traces:
            got = block.align(trace)
            assert got.cost == pytest.approx(exact.align(trace).cost)
            assert replay(net, trace, got.moves, costs) == pytest.approx(got.cost)


def test_parallel_branches_interleave_in_trace_order() -> None:
    net = net_of(("seq", ("leaf", "S"), ("and", ("leaf", "A"), ("leaf", "B"), ("leaf", "C"))))
    block = BlockAligner.from_net(net)
    assert block is not None
    for perm in itertools.permutations("ABC"):
        trace = ["S", *perm]
        got = block.align(trace)
        assert got.cost == 0.0
        assert [m.kind for m in got.moves if m.kind != "silent"] == ["sync"] * 4
        replay(net, trace, got.moves, AlignmentCosts())


def _net(arcs: list[tuple[str, str]], labels: dict[str, str | None], final: str = "o") -> PetriNet:
    places = sorted(
        {a for a, b in arcs if a.startswith("p") or a in "io"}
        | {b for a, b in arcs if b.startswith("p") or b in "io"}
    )
    ts = tuple(Transition(t, lab) for t, lab in labels.items())
    return PetriNet("n", tuple(places), ts, tuple((a, b, 1) for a, b in arcs), {"i": 1}, {final: 1})


def test_duplicate_labels_are_refused_with_the_reason() -> None:
    net = net_of(("seq", ("leaf", "A"), ("leaf", "B")))
    dup = PetriNet(
        net.name,
        net.places,
        tuple(Transition(t.id, "A") for t in net.transitions),
        net.arcs,
        net.initial_marking,
        net.final_marking,
    )
    assert BlockAligner.from_net(dup) is None
    with pytest.raises(NotBlockStructured, match="label 'A' is on two transitions"):
        tree_of(dup)


def test_a_net_that_is_not_a_tree_is_refused() -> None:
    # A and B in parallel, but C waits for A only and D for both: not a block structure.
    net = _net(
        [
            ("i", "s"),
            ("s", "p1"),
            ("s", "p2"),
            ("p1", "a"),
            ("p2", "b"),
            ("a", "p3"),
            ("a", "p4"),
            ("p3", "c"),
            ("c", "p5"),
            ("p4", "d"),
            ("b", "p6"),
            ("p6", "d"),
            ("d", "p7"),
            ("p5", "j"),
            ("p7", "j"),
            ("j", "o"),
        ],
        {"s": None, "a": "A", "b": "B", "c": "C", "d": "D", "j": None},
    )
    assert BlockAligner.from_net(net) is None
    with pytest.raises(NotBlockStructured, match="does not reduce to one block"):
        tree_of(net)


def test_two_initial_tokens_are_refused() -> None:
    net = net_of(("seq", ("leaf", "A"), ("leaf", "B")))
    two = PetriNet(net.name, net.places, net.transitions, net.arcs, {"p0": 2}, net.final_marking)
    with pytest.raises(NotBlockStructured, match="initial marking is not one token"):
        tree_of(two)


def test_pm4py_agrees_on_random_pairs() -> None:
    pm4py = pytest.importorskip("pm4py")
    from pm4py.objects.log.obj import Event, EventLog, Trace

    from fvmprocess.petri import to_pm4py

    checked = 0
    for net, traces in _cases(5, n_nets=5, n_traces=2):
        block = BlockAligner.from_net(net)
        assert block is not None
        pnet, im, fm = to_pm4py(net)
        log = EventLog([Trace([Event({"concept:name": a}) for a in t]) for t in traces])
        theirs = pm4py.conformance_diagnostics_alignments(log, pnet, im, fm)
        for trace, res in zip(traces, theirs, strict=True):
            assert block.align(trace).cost == pytest.approx(res["cost"] // 10000)
            checked += 1
    assert checked >= 10
