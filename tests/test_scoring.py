"""Figures that are true by construction (issue 14, item 6): negative durations are an ordering
finding, "met" only where a target exists, every rate is a share of cases in [0, 1], no NaN."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import polars as pl

from fvmprocess.conformance import check
from fvmprocess.eventlog import read_log
from fvmprocess.petri import PetriNet
from fvmprocess.scoring import activity_scores, limit_scores, unit_scores
from fvmprocess.timelimit import TimeLimit
from nets import make_net

T0 = datetime(2025, 3, 3, 8, 0)


def abc_net() -> PetriNet:
    """A -> B -> C."""
    return make_net(
        "abc",
        {
            "tA": ("A", ["i"], ["p1"]),
            "tB": ("B", ["p1"], ["p2"]),
            "tC": ("C", ["p2"], ["o"]),
        },
    )


def log_of(cases: dict[str, list[tuple[str, int]]], unit: str = "U") -> pl.DataFrame:
    """Events from ``{case: [(activity, minutes after 08:00)]}``."""
    rows = [
        {"case": c, "activity": a, "timestamp": T0 + timedelta(minutes=m), "unit": unit}
        for c, evs in cases.items()
        for a, m in evs
    ]
    return pl.DataFrame(rows)


def test_negative_duration_is_not_within_the_limit() -> None:
    """B before A (antibiotics before triage, -12 min) is counted as ``negative``, not as met.

    Hand-worked: 6 cases; c0–c2 A→B in 10 min (within 30 min), c3 A→B in 50 min (late),
    c4 and c5 B 12 min before A. evaluated = 4, within = 3, negative = 2, share 0.75,
    median of the 4 non-negative durations = (600 + 600) / 2 s.
    """
    cases = {f"c{i}": [("A", 0), ("B", 10), ("C", 20)] for i in range(3)}
    cases["c3"] = [("A", 0), ("B", 50), ("C", 60)]
    cases["c4"] = [("B", 0), ("A", 12), ("C", 20)]
    cases["c5"] = [("B", 0), ("A", 12), ("C", 20)]
    lim = TimeLimit(id="a-b", from_activity="A", to_activity="B", max_duration="PT30M")
    r = check(abc_net(), read_log(log_of(cases)), time_limits=[lim])
    row = r.time_limits.filter(pl.col("unit") == "*").row(0, named=True)
    assert (row["evaluated"], row["within"], row["negative"]) == (4, 3, 2)
    assert row["share"] == 0.75
    assert row["median_s"] == 600.0
    assert min(row["durations_s"]) >= 0
    late = r.deviations.filter(pl.col("kind") == "late")["case"].to_list()
    assert late == ["c3"]
    assert r.to_dict()["time_limits"][0]["negative"] == 2


def test_met_only_where_a_target_exists() -> None:
    """0.1: ``time_limits_met`` was true for a unit at 33 % when the limit had no target."""
    cases = {f"c{i}": [("A", 0), ("B", 10 if i == 0 else 50), ("C", 60)] for i in range(3)}
    lim = TimeLimit(id="a-b", from_activity="A", to_activity="B", max_duration="PT30M")
    r = check(abc_net(), read_log(log_of(cases)), time_limits=[lim])
    unit = r.units.row(0, named=True)
    assert abs(unit["time_limit_compliance"] - 1 / 3) < 1e-9
    assert unit["time_limits_met"] is None
    assert r.time_limits["meets_target"].null_count() == r.time_limits.height
    with_target = lim.model_copy(update={"target_share": 0.9})
    r = check(abc_net(), read_log(log_of(cases)), time_limits=[with_target])
    assert r.units.row(0, named=True)["time_limits_met"] is False


def test_no_nan_when_a_unit_has_no_evaluated_case() -> None:
    """0.1: a unit whose cases never reach the limit's end got compliance NaN ("nan %")."""
    per_case = pl.DataFrame(
        {"case": ["c1"], "unit": ["U1"], "limit": ["L"], "_dur": [60.0], "_late": [False]}
    )
    limits = pl.DataFrame(
        {
            "limit": ["L"],
            "from_activity": ["A"],
            "to_activity": ["B"],
            "max_seconds": [600.0],
            "target_share": [None],
        },
        schema_overrides={"target_share": pl.Float64},
    )
    table = limit_scores(per_case, pl.DataFrame({"unit": ["U1", "U2"]}), limits)
    cases = pl.DataFrame(
        {
            "unit": ["U1", "U2"],
            "conforming": [True, False],
            "fitness": [1.0, 0.5],
            "deviations": [0, 1],
            "duration_s": [60.0, 90.0],
        }
    )
    units = unit_scores(cases, table)
    u2 = units.filter(pl.col("unit") == "U2").row(0, named=True)
    assert u2["time_limit_compliance"] is None
    assert u2["time_limits_met"] is None
    for column in units.columns:
        values = units[column].to_list()
        assert not any(isinstance(v, float) and math.isnan(v) for v in values), column


def test_insert_rate_is_a_share_of_cases() -> None:
    """0.1 added the inserted, repeated and moved rates (a case counted up to three times)."""
    cases = pl.DataFrame({"case": ["c1", "c2"], "unit": ["U", "U"]})
    deviations = pl.DataFrame(
        {
            "case": ["c1", "c1", "c1", "c2"],
            "unit": ["U"] * 4,
            "kind": ["inserted", "repeated", "moved", "skipped"],
            "activity": ["B"] * 4,
            "allowed": [False] * 4,
        }
    )
    table = activity_scores(cases, deviations, ["A", "B"])
    b = table.filter((pl.col("unit") == "U") & (pl.col("activity") == "B")).row(0, named=True)
    assert b["insert_rate"] == 0.5  # c1 of 2 cases, once
    assert (b["inserted_rate"], b["repeated_rate"], b["moved_rate"]) == (0.5, 0.5, 0.5)
    assert b["skip_rate"] == 0.5
