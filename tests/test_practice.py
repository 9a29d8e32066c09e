"""Each unit's practice against the standard (``fvmprocess.practice``), on hand-built nets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from fvmprocess._shared.vocab import NO_UNIT
from fvmprocess.practice import END, START, practice, standard_relation
from nets import make_net

#: A, then B or nothing (τ), then C.
OPTIONAL_B = make_net(
    "optional",
    {
        "a": ("A", ["i"], ["p1"]),
        "b": ("B", ["p1"], ["p2"]),
        "skip": (None, ["p1"], ["p2"]),
        "c": ("C", ["p2"], ["o"]),
    },
)
#: A, then B and C in parallel (silent split and join), then D.
PARALLEL = make_net(
    "parallel",
    {
        "a": ("A", ["i"], ["p1"]),
        "split": (None, ["p1"], ["b_in", "c_in"]),
        "b": ("B", ["b_in"], ["b_out"]),
        "c": ("C", ["c_in"], ["c_out"]),
        "join": (None, ["b_out", "c_out"], ["p2"]),
        "d": ("D", ["p2"], ["o"]),
    },
)


def test_the_standard_relation_of_an_optional_step() -> None:
    rel = standard_relation(OPTIONAL_B)
    assert rel.activities == {"A", "B", "C"}
    assert rel.follows == {(START, "A"), ("A", "B"), ("A", "C"), ("B", "C"), ("C", END)}


def test_the_standard_relation_of_a_parallel_block() -> None:
    rel = standard_relation(PARALLEL)
    assert rel.follows == {
        (START, "A"),
        ("A", "B"),
        ("A", "C"),
        ("B", "C"),
        ("C", "B"),
        ("B", "D"),
        ("C", "D"),
        ("D", END),
    }


def test_a_dead_end_branch_is_not_allowed() -> None:
    """A transition into a marking that can never complete is not part of any run."""
    net = make_net(
        "dead",
        {"a": ("A", ["i"], ["p"]), "b": ("B", ["p"], ["o"]), "x": ("X", ["p"], ["trap"])},
    )
    assert standard_relation(net).follows == {(START, "A"), ("A", "B"), ("B", END)}


def _events(traces: dict[str, tuple[str | None, list[str]]]) -> pl.DataFrame:
    """Events from ``{case: (unit, activities)}``, one minute apart, rows in reverse order."""
    rows = []
    t0 = datetime(2025, 2, 3, 8, tzinfo=UTC)
    for case, (unit, acts) in traces.items():
        rows += [(case, a, t0 + timedelta(minutes=i), unit) for i, a in enumerate(acts)]
    rows.reverse()  # practice orders them by time
    return pl.DataFrame(
        rows,
        schema={
            "case": pl.String,
            "activity": pl.String,
            "timestamp": pl.Datetime("us", "UTC"),
            "unit": pl.String,
        },
        orient="row",
    ).with_row_index("row")


def test_a_unit_that_skips_and_inserts() -> None:
    ev = _events(
        {
            "1": ("U", ["A", "B", "C"]),
            "2": ("U", ["A", "C"]),
            "3": ("V", ["A", "X", "C"]),
            "4": ("V", ["A", "X", "C"]),
            "5": ("V", ["C", "A"]),
        }
    )
    diff = practice(ev, OPTIONAL_B)
    t = {(u, s, d): (f, c, st) for u, s, d, f, c, _, st in diff.transitions.iter_rows()}
    # U does exactly what the standard allows, and takes every allowed transition
    assert {k[1:]: v[2] for k, v in t.items() if k[0] == "U"} == dict.fromkeys(
        [(START, "A"), ("A", "B"), ("A", "C"), ("B", "C"), ("C", END)], "standard"
    )
    # V: by hand from the three traces
    assert t[("V", "A", "X")] == (2, 2, "added")
    assert t[("V", "X", "C")] == (2, 2, "added")
    assert t[("V", START, "C")] == (1, 1, "added")
    assert t[("V", "C", "A")] == (1, 1, "added")
    assert t[("V", "A", END)] == (1, 1, "added")
    assert t[("V", START, "A")] == (2, 2, "standard")
    assert t[("V", "C", END)] == (2, 2, "standard")
    for pair in (("A", "B"), ("A", "C"), ("B", "C")):
        assert t[("V", *pair)] == (0, 0, "never_taken")
    steps = {(u, a): (e, c, st) for u, a, e, c, _, st in diff.steps.iter_rows()}
    assert steps[("V", "X")] == (2, 2, "added")
    assert steps[("V", "B")] == (0, 0, "never_taken")
    assert steps[("V", "C")] == (3, 3, "standard")
    units = {r["unit"]: r for r in diff.units.iter_rows(named=True)}
    assert units["V"]["cases"] == 3
    assert units["V"]["occurrences"] == 3 + 4 + 4  # events + one end per case
    assert units["V"]["added_share"] == pytest.approx(7 / 11)
    assert (units["V"]["steps_added"], units["V"]["steps_never_taken"]) == (1, 1)
    assert (units["V"]["transitions_added"], units["V"]["transitions_never_taken"]) == (5, 3)
    assert units["U"]["added_share"] == 0.0


def test_frequencies_add_up_to_events_plus_cases() -> None:
    rng = np.random.default_rng(4)
    acts = ["A", "B", "C", "D", "Y"]
    traces: dict[str, tuple[str | None, list[str]]] = {
        str(i): (
            str(rng.choice(["U1", "U2"])),
            [str(a) for a in rng.choice(acts, int(rng.integers(1, 7)))],
        )
        for i in range(300)
    }
    ev = _events(traces)
    diff = practice(ev, PARALLEL)
    per_unit = diff.transitions.group_by("unit").agg(pl.col("frequency").sum()).sort("unit")
    expected = (
        ev.group_by("unit").agg((pl.len() + pl.col("case").n_unique()).alias("f")).sort("unit")
    )
    assert per_unit["frequency"].to_list() == expected["f"].to_list()
    # every pair the unit takes and the standard allows is "standard", and only those
    allowed = standard_relation(PARALLEL).follows
    for u, s, d, f, _, _, st in diff.transitions.iter_rows():
        assert st == ("never_taken" if f == 0 else "standard" if (s, d) in allowed else "added"), (
            u,
            s,
            d,
        )


def test_cases_without_a_unit_and_json() -> None:
    ev = _events({"1": (None, ["A", "C"]), "2": ("U", ["A", "B", "C"])})
    diff = practice(ev, standard_relation(OPTIONAL_B))
    assert set(diff.units["unit"]) == {NO_UNIT, "U"}
    data = json.loads(json.dumps(diff.to_dict()))
    assert data["schema"] == "fvmprocess.practice" and data["schema_version"] == "1.0"
    u = next(x for x in data["units"] if x["unit"] == "U")
    assert u["cases"] == 1 and u["occurrences"] == 4
    assert {
        (t["source"], t["target"]) for t in u["transitions"] if t["status"] == "never_taken"
    } == {("A", "C")}
    assert [s["activity"] for s in u["steps"] if s["status"] == "added"] == []
