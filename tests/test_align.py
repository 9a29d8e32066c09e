"""Tests for fvmprocess.conformance.align: exact optimal alignments, ties, costs, fitness, cross-checks."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fvmprocess.conformance.align import Aligner, align, align_variants
from fvmprocess.conformance.moves import Alignment, AlignmentCosts, Move
from fvmprocess.errors import ConformanceError
from fvmprocess.petri import PetriNet, reachability_graph, read_pnml
from nets import make_net

DATA = Path(__file__).resolve().parent / "data" / "petri"


SEQ = make_net(
    "seq",
    {"a": ("A", ["i"], ["p1"]), "b": ("B", ["p1"], ["p2"]), "c": ("C", ["p2"], ["o"])},
)
XOR = make_net(
    "xor",
    {
        "a": ("A", ["i"], ["p1"]),
        "b": ("B", ["p1"], ["p2"]),
        "c": ("C", ["p1"], ["p2"]),
        "d": ("D", ["p2"], ["o"]),
    },
)
AND = make_net(
    "and",
    {
        "a": ("A", ["i"], ["p1", "p2"]),
        "b": ("B", ["p1"], ["q1"]),
        "c": ("C", ["p2"], ["q2"]),
        "d": ("D", ["q1", "q2"], ["o"]),
    },
)
LOOP = make_net(
    "loop",
    {
        "a": ("A", ["i"], ["p"]),
        "b": ("B", ["p"], ["q"]),
        "back": (None, ["q"], ["p"]),
        "c": ("C", ["p"], ["o"]),
    },
)
SKIP = read_pnml(DATA / "pm4py_xor_skip.pnml")  # A then B | C | τ
NETS = {"seq": SEQ, "xor": XOR, "and": AND, "loop": LOOP, "skip": SKIP}


def kinds(result: Alignment) -> list[tuple[str, str | None, str | None]]:
    return [(m.kind, m.log, m.transition) for m in result.moves]


# -- hand-computed alignments ----------------------------------------------------------------


def test_fitting_sequence() -> None:
    result = align(SEQ, ["A", "B", "C"])
    assert result.cost == 0.0
    assert result.fitness == 1.0
    assert result.moves == (
        Move("A", "A", "a", "sync"),
        Move("B", "B", "b", "sync"),
        Move("C", "C", "c", "sync"),
    )
    assert result.trace == ("A", "B", "C")
    assert result.run == ("a", "b", "c")


def test_skipped_activity_is_a_model_move() -> None:
    result = align(SEQ, ["A", "C"])
    assert result.cost == 1.0
    assert kinds(result) == [("sync", "A", "a"), ("model", None, "b"), ("sync", "C", "c")]
    assert result.moves[1].model == "B"
    # worst cost: 2 log moves + the shortest run (3 model moves)
    assert result.worst_cost == 5.0
    assert result.fitness == pytest.approx(0.8)


def test_inserted_activity_is_a_log_move() -> None:
    result = align(SEQ, ["A", "X", "B", "C"])
    assert result.cost == 1.0
    assert kinds(result) == [
        ("sync", "A", "a"),
        ("log", "X", None),
        ("sync", "B", "b"),
        ("sync", "C", "c"),
    ]
    assert result.fitness == pytest.approx(1 - 1 / 7)


def test_swapped_activities_cost_two_with_a_fixed_tie_break() -> None:
    result = align(SEQ, ["A", "C", "B"])
    assert result.cost == 2.0
    assert kinds(result) == [
        ("sync", "A", "a"),
        ("log", "C", None),
        ("sync", "B", "b"),
        ("model", None, "c"),
    ]
    assert result.fitness == pytest.approx(1 - 2 / 6)


def test_repeated_activity_is_one_log_move() -> None:
    result = align(SEQ, ["A", "B", "B", "C"])
    assert result.cost == 1.0
    assert [m.kind for m in result.moves].count("log") == 1
    assert [m.log for m in result.moves if m.kind == "log"] == ["B"]


def test_empty_trace_costs_the_shortest_run_and_fitness_zero() -> None:
    result = align(SEQ, [])
    assert result.cost == 3.0
    assert result.fitness == 0.0
    assert [m.kind for m in result.moves] == ["model"] * 3


def test_xor_choice() -> None:
    assert align(XOR, ["A", "C", "D"]).cost == 0.0
    both = align(XOR, ["A", "B", "C", "D"])
    assert both.cost == 1.0
    # a tie (B or C is the extra one): the trace is synchronised as early as possible
    assert kinds(both) == [
        ("sync", "A", "a"),
        ("sync", "B", "b"),
        ("log", "C", None),
        ("sync", "D", "d"),
    ]
    neither = align(XOR, ["A", "D"])
    assert neither.cost == 1.0
    assert kinds(neither) == [("sync", "A", "a"), ("model", None, "b"), ("sync", "D", "d")]


def test_parallel_interleavings_fit_and_a_missing_branch_is_skipped() -> None:
    assert align(AND, ["A", "B", "C", "D"]).cost == 0.0
    assert align(AND, ["A", "C", "B", "D"]).cost == 0.0
    missing = align(AND, ["A", "C", "D"])
    assert missing.cost == 1.0
    assert [(m.kind, m.model) for m in missing.moves if m.kind == "model"] == [("model", "B")]
    swapped = align(AND, ["B", "A", "C", "D"])
    assert swapped.cost == 2.0


def test_loop_repeats_through_silent_transitions() -> None:
    result = align(LOOP, ["A", "B", "B", "C"])
    assert result.cost == 0.0
    assert kinds(result) == [
        ("sync", "A", "a"),
        ("sync", "B", "b"),
        ("silent", None, "back"),
        ("sync", "B", "b"),
        ("silent", None, "back"),
        ("sync", "C", "c"),
    ]
    assert align(LOOP, ["A", "C"]).cost == 0.0
    extra = align(LOOP, ["A", "C", "C"])
    assert extra.cost == 1.0
    # a tie: the first C is synchronised, the repeat is the log move
    assert kinds(extra) == [("sync", "A", "a"), ("sync", "C", "c"), ("log", "C", None)]


def test_silent_skip_and_worst_cost_uses_the_cheapest_run() -> None:
    aligner = Aligner(SKIP)
    assert aligner.worst_model_cost == 1.0  # A then the silent skip
    result = aligner.align(["A"])
    assert result.cost == 0.0
    assert kinds(result) == [("sync", "A", "a"), ("silent", None, "skip")]
    empty = aligner.align([])
    assert empty.cost == 1.0
    assert empty.fitness == 0.0
    assert aligner.align(["B"]).cost == 1.0  # model move A, sync B


def test_unknown_activities_are_log_moves() -> None:
    result = align(SEQ, ["Q", "A", "B", "C", "Q"])
    assert result.cost == 2.0
    assert [m.kind for m in result.moves] == ["log", "sync", "sync", "sync", "log"]


def test_ties_are_broken_deterministically() -> None:
    traces = [["A", "C", "B"], ["B", "A", "C", "D"], ["A", "D"], ["C"], ["A", "B", "C", "D"]]
    for net in (SEQ, XOR, AND):
        first = [Aligner(net).align(t).moves for t in traces]
        again = [Aligner(net).align(t).moves for t in reversed(traces)][::-1]
        assert first == again


# -- costs, fitness and the API --------------------------------------------------------------


def test_custom_model_move_cost_changes_the_choice() -> None:
    costs = AlignmentCosts(model_moves={"B": 5.0})
    result = align(XOR, ["A", "D"], costs=costs)
    assert result.cost == 1.0
    assert kinds(result) == [("sync", "A", "a"), ("model", None, "c"), ("sync", "D", "d")]


def test_custom_log_move_cost_and_fitness() -> None:
    costs = AlignmentCosts(log_moves={"X": 3.0}, model_move=2.0)
    result = align(SEQ, ["A", "X", "B", "C"], costs=costs)
    assert result.cost == 3.0
    # worst: log moves 1 + 3 + 1 + 1, cheapest run 3 model moves at 2
    assert result.worst_cost == 12.0
    assert result.fitness == pytest.approx(0.75)
    skipped = align(SEQ, ["A", "C"], costs=costs)
    assert skipped.cost == 2.0  # one model move at 2 beats anything else


def test_log_move_cheaper_than_model_move() -> None:
    costs = AlignmentCosts(model_move=10.0)
    # dropping C and B as log moves (2) + model moves B, C (20) vs swap: 2 log + 2 model...
    result = align(SEQ, ["A", "C", "B"], costs=costs)
    assert result.cost == 11.0  # one log move (1) and one model move (10)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), "1", True])
def test_bad_costs_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="expected"):
        AlignmentCosts(log_move=bad)
    with pytest.raises(ValueError, match="model_moves"):
        AlignmentCosts(model_moves={"A": bad})


def test_costs_are_hashable_and_comparable() -> None:
    assert AlignmentCosts() == AlignmentCosts(log_moves={})
    assert AlignmentCosts().is_standard
    assert not AlignmentCosts(model_moves={"A": 2}).is_standard
    assert hash(AlignmentCosts(log_moves={"A": 2})) == hash(AlignmentCosts(log_moves={"A": 2.0}))


def test_align_variants_keeps_order_and_caches() -> None:
    aligner = Aligner(XOR)
    results = aligner.align_variants([["A", "B", "D"], ["A", "D"], ["A", "B", "D"]])
    assert [r.cost for r in results] == [0.0, 1.0, 0.0]
    assert results[0] is results[2]
    assert aligner.align(["A", "D"]) is results[1]
    assert [r.cost for r in align_variants(XOR, [["D"], []])] == [2.0, 3.0]
    with pytest.raises(ValueError, match="processes"):
        aligner.align_variants([["A"]], processes=0)


def test_align_variants_in_worker_processes_matches_in_process() -> None:
    traces = [["A", "C", "B", "D"], ["A"], ["D", "C"], ["A", "B", "C", "D"], ["B", "D"]]
    serial = Aligner(AND).align_variants(traces)
    parallel = Aligner(AND).align_variants(traces, processes=2)
    assert [r.moves for r in serial] == [r.moves for r in parallel]


@pytest.mark.parametrize("method", ["graph", "net"])
def test_methods_agree(method: str) -> None:
    for net in NETS.values():
        aligner = Aligner(net, method=method)  # type: ignore[arg-type]
        assert aligner.method == method
        for trace in (["A", "C", "B"], ["B", "A", "C", "D"], [], ["C", "C", "A"]):
            assert aligner.align(trace).cost == Aligner(net).align(trace).cost


def test_auto_falls_back_to_the_net_when_the_graph_is_too_large() -> None:
    aligner = Aligner(AND, max_states=3)
    assert aligner.method == "net"
    assert aligner.align(["A", "C", "B", "D"]).cost == 0.0
    assert aligner.align(["A", "D"]).cost == 2.0
    with pytest.raises(ConformanceError, match="more than 3 reachable markings"):
        Aligner(AND, method="graph", max_states=3)
    with pytest.raises(ValueError, match="method"):
        Aligner(AND, method="fast")  # type: ignore[arg-type]


def test_unbounded_and_unreachable_final_are_conformance_errors() -> None:
    pump = make_net("pump", {"gen": ("A", ["i"], ["i", "x"]), "end": ("B", ["i"], ["o"])})
    with pytest.raises(ConformanceError, match="unbounded"):
        Aligner(pump)
    with pytest.raises(ConformanceError, match="unbounded"):
        Aligner(pump, method="net").align(["A", "A", "B"])
    stuck = make_net("stuck", {"a": ("A", ["i"], ["p"]), "b": ("B", ["p", "z"], ["o"])})
    with pytest.raises(ConformanceError, match=r"net 'stuck'.*not reachable"):
        Aligner(stuck)
    with pytest.raises(ConformanceError, match="net 'stuck'"):
        Aligner(stuck, method="net")


# -- properties: play-outs fit, brute force agrees ---------------------------------------------


def _words(net: PetriNet, max_len: int) -> set[tuple[str, ...]]:
    """Visible words of complete runs up to ``max_len`` labels (τ-steps bounded too)."""
    rg = reachability_graph(net)
    labels = [t.label for t in net.transitions]
    words: set[tuple[str, ...]] = set()
    frontier = {(rg.initial, ())}
    seen: set[tuple[int, tuple[str, ...]]] = set(frontier)
    while frontier:
        nxt: set[tuple[int, tuple[str, ...]]] = set()
        for state, word in frontier:
            if state in rg.finals:
                words.add(word)
            for t, target in rg.edges[state]:
                lab = labels[t]
                w2 = word if lab is None else (*word, lab)
                if len(w2) <= max_len and (target, w2) not in seen:
                    seen.add((target, w2))
                    nxt.add((target, w2))
        frontier = nxt
    return words


def _lcs(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def _brute_force_cost(net: PetriNet, trace: tuple[str, ...]) -> int:
    # an optimal model word is never longer than trace + shortest run (cost bound)
    bound = len(trace) + 2 * 4 + 2
    return min(len(w) + len(trace) - 2 * _lcs(w, trace) for w in _words(net, bound))


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(sorted(NETS)),
    trace=st.lists(st.sampled_from(["A", "B", "C", "D", "X"]), max_size=6),
)
def test_cost_equals_brute_force(name: str, trace: list[str]) -> None:
    net = NETS[name]
    result = Aligner(net).align(trace)
    assert result.cost == _brute_force_cost(net, tuple(trace))
    # the moves are a valid alignment: log side is the trace, model side a complete run
    assert result.trace == tuple(trace)
    assert sum(1 for m in result.moves if m.kind in ("log", "model")) == result.cost
    rg = reachability_graph(net)
    by_id = {t.id: k for k, t in enumerate(net.transitions)}
    state = rg.initial
    for tid in result.run:
        state = dict((t, s) for t, s in rg.edges[state])[by_id[tid]]
    assert state in rg.finals


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(sorted(NETS)), data=st.data())
def test_a_played_out_trace_costs_zero(name: str, data: st.DataObject) -> None:
    net = NETS[name]
    rg = reachability_graph(net)
    state, trace = rg.initial, []
    for _ in range(12):
        if state in rg.finals and (not rg.edges[state] or data.draw(st.booleans())):
            break
        t, state = data.draw(st.sampled_from(rg.edges[state]))
        if net.transitions[t].label is not None:
            trace.append(net.transitions[t].label)
    else:
        return  # did not end in the final marking within 12 steps
    if state not in rg.finals:
        return
    assert Aligner(net).align(trace).cost == 0.0


# -- cross-checks against pm4py ----------------------------------------------------------------


def _pm4py_costs(net: PetriNet, traces: list[list[str]], *, dijkstra: bool = False) -> list[int]:
    """pm4py's optimal costs: its default A*, or its exact Dijkstra variant (costs only)."""
    import pm4py
    from pm4py.objects.log.obj import Event, EventLog, Trace

    from fvmprocess.petri import to_pm4py

    pm, im, fm = to_pm4py(net)
    log = EventLog([Trace([Event({"concept:name": a}) for a in t]) for t in traces])
    if dijkstra:
        from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments

        variant = alignments.Variants.VERSION_DIJKSTRA_LESS_MEMORY
        params = {"show_progress_bar": False}
        results = alignments.apply(log, pm, im, fm, variant=variant, parameters=params)
    else:
        results = pm4py.conformance_diagnostics_alignments(log, pm, im, fm)
    return [int(r["cost"]) // 10000 for r in results]


def _mutate(rng: random.Random, trace: list[str], alphabet: list[str]) -> list[str]:
    out = list(trace)
    for _ in range(rng.randint(0, 3)):
        op = rng.choice(["swap", "drop", "insert", "repeat"])
        if op == "insert" or not out:
            out.insert(rng.randint(0, len(out)), rng.choice([*alphabet, "ZZ"]))
        elif op == "drop":
            out.pop(rng.randrange(len(out)))
        elif op == "repeat":
            k = rng.randrange(len(out))
            out.insert(k, out[k])
        elif len(out) > 1:
            k = rng.randrange(len(out) - 1)
            out[k], out[k + 1] = out[k + 1], out[k]
    return out


@pytest.mark.pm4py
def test_costs_equal_pm4py_on_hand_nets() -> None:
    pytest.importorskip("pm4py")
    rng = random.Random(7)
    for net in NETS.values():
        alphabet = sorted(net.labels)
        traces = [list(t) for t in itertools.islice(sorted(_words(net, 6)), 8)]
        traces += [_mutate(rng, rng.choice(traces), alphabet) for _ in range(12)]
        ours = [a.cost for a in Aligner(net).align_variants(traces)]
        assert ours == _pm4py_costs(net, traces), net.name


@pytest.mark.pm4py
def test_costs_equal_pm4py_on_random_process_trees() -> None:
    pytest.importorskip("pm4py")
    import pm4py
    from pm4py.algo.simulation.tree_generator.variants import basic

    from fvmprocess.petri import from_pm4py

    random.seed(11)  # pm4py's generators use the global random module
    rng = random.Random(11)
    for _ in range(12):
        tree = basic.apply(
            parameters={"rec_depth": 3, "min_rec_depth": 2, "max_rec_depth": 4, "prob_leaf": 0.3}
        )
        net = from_pm4py(*pm4py.convert_to_petri_net(tree))
        played = pm4py.play_out(*pm4py.convert_to_petri_net(tree), parameters={"noTraces": 6})
        base = [[e["concept:name"] for e in t] for t in played]
        alphabet = sorted(net.labels) or ["A"]
        traces = base + [_mutate(rng, rng.choice(base), alphabet) for _ in range(10)]
        ours = [a.cost for a in Aligner(net).align_variants(traces)]
        assert all(ours[k] == 0.0 for k in range(len(base)))
        assert ours == _pm4py_costs(net, traces), str(tree)


@pytest.mark.slow
@pytest.mark.pm4py
def test_costs_equal_pm4py_on_the_receipt_log(shared_real: Path) -> None:
    pytest.importorskip("pm4py")
    pd = pytest.importorskip("pandas")
    import pm4py

    from fvmprocess.petri import from_pm4py

    frame = pd.read_csv(shared_real / "logs" / "receipt.csv.gz")
    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True, format="mixed")
    frame = frame.sort_values(["case:concept:name", "time:timestamp"], kind="stable")
    pm_net, im, fm = pm4py.discover_petri_net_inductive(frame, noise_threshold=0.2)
    net = from_pm4py(pm_net, im, fm)
    counts = Counter(
        tuple(group) for _, group in frame.groupby("case:concept:name", sort=True)["concept:name"]
    )
    variants = [list(v) for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    assert len(variants) == 116
    ours = [a.cost for a in Aligner(net).align_variants(variants)]
    # all 116 against pm4py's exact Dijkstra variant (its per-trace fitness is off, its costs
    # are optimal; ~50 s here, its default A* ~80 s)
    assert ours == _pm4py_costs(net, variants, dijkstra=True)
