"""classify_variants (flat columns) against hand-worked deviations and the per-trace classify."""

from __future__ import annotations

import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from fvmprocess.conformance.classify import (
    MOVES_DTYPE,
    classify,
    classify_variants,
    scored_variants,
)
from fvmprocess.conformance.moves import Alignment, AlignmentCosts, Move

LABELS = {"A", "B", "C", "D"}


def sync(a: str) -> Move:
    return Move(a, a, f"t{a}", "sync")


def log(a: str) -> Move:
    return Move(a, None, None, "log")


def model(a: str) -> Move:
    return Move(None, a, f"t{a}", "model")


TAU = Move(None, None, "tau", "silent")


def aligned(*moves: Move, worst: float = 4.0) -> Alignment:
    cost = float(sum(m.kind in ("log", "model") for m in moves))
    fitness = 1 - cost / worst if worst else 1.0
    return Alignment(tuple(moves), cost=cost, fitness=fitness, worst_cost=worst)


def frame(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"variant": list(range(n)), "cases": [10 - i for i in range(n)]},
        schema={"variant": pl.Int64, "cases": pl.Int64},
    )


def test_hand_worked_deviations_of_several_variants() -> None:
    alignments = [
        aligned(sync("A"), sync("B"), sync("C"), sync("D")),  # 0: conforms
        aligned(sync("A"), model("B"), TAU, sync("C"), sync("D")),  # 1: skip B
        aligned(sync("A"), log("X"), sync("B"), sync("C"), sync("D")),  # 2: foreign insertion
        aligned(sync("A"), log("C"), sync("B"), model("C"), sync("D")),  # 3: B, C swapped
        aligned(sync("A"), sync("B"), log("B"), sync("C"), sync("D")),  # 4: B repeated
        aligned(sync("A"), log("D"), sync("B"), sync("C"), sync("D")),  # 5: repeated D
        aligned(sync("A"), sync("B"), log("A"), sync("C"), sync("D")),  # 6: repeat before
        aligned(model("A"), model("B"), model("C"), model("D")),  # 7: empty trace
        aligned(sync("A"), log("B"), model("C"), log("B"), model("B"), sync("D")),  # 8
        aligned(TAU, worst=0.0),  # 9: an empty trace of a net that accepts it
    ]
    variants, devs = classify_variants(frame(len(alignments)), alignments, LABELS)
    expected = [
        (1, "skipped", "B", 1, 1.0),
        (2, "unknown_activity", "X", 1, 1.0),
        (3, "moved", "C", 1, 2.0),
        (4, "repeated", "B", 2, 1.0),
        (5, "repeated", "D", 1, 1.0),
        (6, "repeated", "A", 2, 1.0),
        (7, "skipped", "A", 0, 1.0),
        (7, "skipped", "B", 0, 1.0),
        (7, "skipped", "C", 0, 1.0),
        (7, "skipped", "D", 0, 1.0),
        # the first log move of B pairs with the model move of B; the second is a repeat
        (8, "moved", "B", 1, 2.0),
        (8, "repeated", "B", 2, 1.0),
        (8, "skipped", "C", 2, 1.0),
    ]
    assert devs.rows() == expected
    assert devs.schema == pl.Schema(
        {
            "variant": pl.Int64,
            "kind": pl.String,
            "activity": pl.String,
            "position": pl.Int64,
            "dev_cost": pl.Float64,
        }
    )
    assert variants["cost"].to_list() == [0, 1, 1, 2, 1, 1, 1, 4, 4, 0]
    assert variants["moves"].dtype == MOVES_DTYPE
    assert variants["moves"][1].to_list() == [
        {"log": "A", "model": "A", "kind": "sync"},
        {"log": None, "model": "B", "kind": "model"},
        {"log": "C", "model": "C", "kind": "sync"},
        {"log": "D", "model": "D", "kind": "sync"},
    ]  # the silent move left out
    assert variants["moves"][9].to_list() == []  # only a silent move: an empty list
    assert variants["fitness"].to_list()[8:] == [0.0, 1.0]
    assert variants["cases"].to_list() == [10 - i for i in range(10)]


def test_costs_and_the_order_within_a_position() -> None:
    costs = AlignmentCosts(log_moves={"X": 3.0, "C": 0.5}, model_moves={"C": 2.0, "B": 4.0})
    al = aligned(sync("A"), model("B"), log("X"), log("C"), sync("B"), model("C"))
    _, devs = classify_variants(frame(1), [al], LABELS, costs=costs)
    assert devs.rows() == [
        (0, "skipped", "B", 1, 4.0),
        (0, "unknown_activity", "X", 1, 3.0),
        (0, "moved", "C", 2, 2.5),
    ]


def test_variant_ids_are_kept_and_the_table_sorted() -> None:
    alignments = [aligned(sync("A"), model("B")), aligned(log("A"))]
    variants = pl.DataFrame({"variant": [7, 3], "activities": [["A"], ["A"]]})
    out, devs = classify_variants(variants, alignments, LABELS)
    assert out["variant"].to_list() == [3, 7]
    assert out["cost"].to_list() == [1.0, 1.0]
    assert devs.rows() == [(7, "skipped", "B", 1, 1.0), (3, "inserted", "A", 0, 1.0)]


def test_no_alignments() -> None:
    out, devs = classify_variants(frame(0), [], LABELS)
    assert out.height == 0 and devs.height == 0
    assert out["moves"].dtype == MOVES_DTYPE


def test_a_missing_alignment_is_an_error() -> None:
    with pytest.raises(ValueError, match="1 alignments for 2 variants"):
        classify_variants(frame(2), [aligned(sync("A"))], LABELS)


def _random_alignment(rng: random.Random, shared: dict[tuple[str, str], Move]) -> Alignment:
    moves = []
    for _ in range(rng.randint(0, 9)):
        kind = rng.choice(["sync", "log", "log", "model", "model", "silent"])
        act = rng.choice(["A", "B", "C", "D", "X"] if kind == "log" else ["A", "B", "C", "D"])
        maker = {"sync": sync, "log": log, "model": model, "silent": lambda _: TAU}[kind]
        # the aligner shares one Move per kind and activity; mix shared and fresh objects
        m = shared.setdefault((kind, act), maker(act)) if rng.random() < 0.7 else maker(act)
        moves.append(m)
    return aligned(*moves, worst=float(rng.randint(0, 12)))


@pytest.mark.parametrize("seed", range(5))
def test_the_same_as_classify_per_trace(seed: int) -> None:
    rng = random.Random(seed)
    shared: dict[tuple[str, str], Move] = {}
    alignments = [_random_alignment(rng, shared) for _ in range(300)]
    costs = None if seed % 2 else AlignmentCosts(log_moves={"B": 2.0}, model_moves={"D": 0.5})
    variants = frame(len(alignments))
    got = classify_variants(variants, alignments, LABELS, costs=costs)
    per_trace = [(al, classify(al.moves, LABELS, costs=costs)) for al in alignments]
    want = scored_variants(variants, per_trace)
    assert_frame_equal(got[0], want[0])
    assert_frame_equal(got[1], want[1])
    by_hand = [
        (v, d.kind, d.activity, d.position, d.cost)
        for v, (_, devs) in enumerate(per_trace)
        for d in devs
    ]
    assert got[1].rows() == by_hand
    for row, al in zip(got[0].iter_rows(named=True), alignments, strict=True):
        visible = [m for m in al.moves if m.kind != "silent"]
        assert row["moves"] == [{"log": m.log, "model": m.model, "kind": m.kind} for m in visible]


def test_check_traces_share_one_string_per_activity() -> None:
    import importlib

    check_module = importlib.import_module("fvmprocess.conformance.check")
    variants = pl.DataFrame(
        {"activities": [["A", "B"], [], ["C", "A", "A"], ["B"]]},
        schema={"activities": pl.List(pl.String)},
    )
    traces = check_module._traces(variants)
    assert traces == [("A", "B"), (), ("C", "A", "A"), ("B",)]
    assert traces[0][0] is traces[2][1] is traces[2][2] and traces[0][1] is traces[3][0]
