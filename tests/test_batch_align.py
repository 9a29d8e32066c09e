"""The batched dynamic program (``conformance/_batch.py``) against independent expectations.

For a deterministic model the aligner answers every variant from one cost table over the
variants' suffix trie instead of one A* search each. These tests hold it to:

* the optimum of a brute-force Dijkstra over the synchronous product (no heuristic, no
  pruning), under the standard and under non-standard costs;
* the cost A* finds for the same trace (the batch switched off);
* moves that replay on the net and add up to the cost;
* the same alignments whether the variants come in one batch, in many small batches (a small
  memory budget), or one at a time through ``align``;
* the documented tie rule, worked by hand.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Iterator

import pytest

from fvmprocess.conformance._batch import table_bytes
from fvmprocess.conformance.align import Aligner, Budget
from fvmprocess.conformance.moves import Alignment, AlignmentCosts
from fvmprocess.petri import PetriNet
from nets import make_net
from test_bounded_align import (
    _fire,
    _marking,
    _pre_post,
    brute_force,
    check_valid,
    mutate,
    play_out,
    random_tree,
    tree_to_net,
)

#: the module (its name is shadowed by the function in the package namespace)
ALIGN_MODULE = importlib.import_module("fvmprocess.conformance.align")

Cost = Callable[[str], float]


def replayed_cost(net: PetriNet, trace: list[str], al: Alignment, costs: AlignmentCosts) -> float:
    """The moves replay on the net and the trace; what they cost under ``costs``."""
    pre, post = _pre_post(net)
    m = _marking(net.initial_marking)
    assert [mv.log for mv in al.moves if mv.log is not None] == trace
    total = 0.0
    for mv in al.moves:
        if mv.kind == "log":
            total += costs.log_cost(str(mv.log))
            continue
        assert mv.transition is not None
        fired = _fire(m, pre[mv.transition], post[mv.transition])
        assert fired is not None, mv
        m = fired
        if mv.kind == "model":
            total += costs.model_cost(str(mv.model))
    assert m == _marking(net.final_marking)
    return total


def nets_and_traces(
    seed: int, n_nets: int, per_net: int
) -> Iterator[tuple[PetriNet, list[list[str]]]]:
    """Random block-structured nets, half of them with repeated labels (the determinisation
    then merges states), each with mutated played-out traces."""
    rng = random.Random(seed)
    for k in range(n_nets):
        letters = [chr(ord("a") + j) for j in range(8)]
        if k % 2:
            letters = [rng.choice("abcd") for _ in range(8)]
        net = tree_to_net(random_tree(rng, letters), f"rnd{k}")
        alphabet = sorted({t.label for t in net.transitions if t.label})
        if alphabet:
            yield net, [mutate(play_out(net, rng), rng, alphabet) for _ in range(per_net)]


def a_star(net: PetriNet, costs: AlignmentCosts | None = None) -> Aligner:
    """An aligner with the batch switched off: one A* search per trace."""
    saved = ALIGN_MODULE._BATCH_MAX_EDGES
    ALIGN_MODULE._BATCH_MAX_EDGES = 0
    try:
        aligner = Aligner(net, costs=costs)
    finally:
        ALIGN_MODULE._BATCH_MAX_EDGES = saved
    assert aligner._auto is None
    return aligner


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_is_optimal_and_valid(seed: int) -> None:
    batched = 0
    for net, traces in nets_and_traces(seed, 14, 10):
        aligner = Aligner(net)
        if aligner._auto is None:
            continue
        batched += 1
        results = aligner.align_variants(traces)
        reference = a_star(net).align_variants(traces)
        for trace, al, ref in zip(traces, results, reference, strict=True):
            assert al.exact
            assert al.cost == brute_force(net, trace), (net.name, trace)
            assert al.cost == ref.cost, (net.name, trace)
            check_valid(net, trace, al)
    assert batched >= 8  # the test exercises the batch, not only the fallback


@pytest.mark.parametrize("seed", [4, 5])
def test_batch_under_non_standard_costs(seed: int) -> None:
    costs = AlignmentCosts(
        log_move=2.0, model_move=1.5, log_moves={"a": 0.5, "UNKNOWN": 4.0}, model_moves={"b": 3.0}
    )
    batched = 0
    for net, traces in nets_and_traces(seed, 12, 8):
        aligner = Aligner(net, costs=costs)
        if aligner._auto is None:
            continue
        batched += 1
        reference = a_star(net, costs).align_variants(traces)
        for trace, al, ref in zip(traces, aligner.align_variants(traces), reference, strict=True):
            expected = brute_force(net, trace, costs.log_cost, costs.model_cost)
            assert al.cost == pytest.approx(expected), (net.name, trace)
            assert ref.cost == pytest.approx(expected)
            assert replayed_cost(net, trace, al, costs) == pytest.approx(al.cost)
    assert batched >= 6


def test_small_memory_budget_gives_many_batches_and_the_same_alignments() -> None:
    net, traces = next(iter(nets_and_traces(7, 1, 1)))
    rng = random.Random(7)
    alphabet = sorted({t.label for t in net.transitions if t.label})
    # long noisy traces, so that the cost table is large against the model's few states
    traces = [
        [x for _ in range(6) for x in mutate(play_out(net, rng), rng, alphabet)] for _ in range(300)
    ]
    whole = Aligner(net)
    assert whole._auto is not None
    distinct = list(dict.fromkeys(map(tuple, traces)))
    events = sum(map(len, distinct))
    # room for the table of about a quarter of the variants (half the budget is the room)
    memory = table_bytes(whole._auto.n_states, events, len(distinct)) // 2
    small = Aligner(net, budget=Budget(memory=memory))
    assert whole._auto is not None and small._auto is not None
    calls: list[tuple[int, int]] = []
    got = small.align_variants(traces, progress=lambda done, total, _: calls.append((done, total)))
    assert len(calls) >= 3 and calls[-1][0] == calls[-1][1]  # several batches, all done
    assert [a.moves for a in got] == [a.moves for a in whole.align_variants(traces)]


def test_align_one_trace_equals_align_variants() -> None:
    for net, traces in nets_and_traces(8, 6, 6):
        batch = Aligner(net).align_variants(traces)
        for trace, al in zip(traces, batch, strict=True):
            assert Aligner(net).align(trace).moves == al.moves


def test_tie_rule_synchronises_the_trace_as_early_as_possible() -> None:
    # A then B; the trace B A costs 2 either way: [model A, sync B, log A] or
    # [log B, sync A, model B]. The rule reads the trace first: at the start no synchronous
    # move fits B, a log move comes before a model move, so B is a log move.
    net = make_net("ab", {"a": ("A", ["i"], ["m"]), "b": ("B", ["m"], ["o"])})
    al = Aligner(net).align(["B", "A"])
    assert al.cost == 2
    assert [(m.kind, m.log or m.model) for m in al.moves] == [
        ("log", "B"),
        ("sync", "A"),
        ("model", "B"),
    ]


def test_free_model_move_falls_back_to_the_search() -> None:
    # the read-off needs every model move to cost something; a free one uses A*
    net = make_net("ab", {"a": ("A", ["i"], ["m"]), "b": ("B", ["m"], ["o"])})
    aligner = Aligner(net, costs=AlignmentCosts(model_moves={"A": 0.0}))
    assert aligner._auto is None
    al = aligner.align(["B"])
    assert al.cost == 0 and [m.kind for m in al.moves] == ["model", "sync"]
