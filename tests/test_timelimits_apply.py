"""apply_time_limits (one table per case) and check's first events, against hand-worked cases."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from fvmprocess.conformance.timelimits import apply_time_limits
from fvmprocess.eventlog import read_log
from fvmprocess.timelimit import TimeLimit
from nets import make_net

check_module = importlib.import_module("fvmprocess.conformance.check")

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)

# minutes after T0 of each event, per case (events in case/time order)
CASES: dict[str, list[tuple[str, int | None]]] = {
    "c1": [("A", 0), ("B", 5), ("C", 30), ("B", 40)],  # B repeated: the first one counts
    "c2": [("B", 0), ("A", 20), ("C", 200)],  # B before A: negative duration A-B
    "c3": [("A", 0), ("C", 300)],  # no B: A-B does not apply
    "c4": [("X", 0), ("A", 10), ("B", 80), ("D", 90)],  # D: excluded by applies_unless
    "c5": [("A", 0), ("B", None), ("B", 15)],  # first B has no time: earliest time, first index
}
UNITS = {"c1": "U1", "c2": "U1", "c3": "U2", "c4": "U2", "c5": "U1"}


def _tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = [
        (case, act, None if m is None else T0 + timedelta(minutes=m), UNITS[case])
        for case, evs in CASES.items()
        for act, m in evs
    ]
    events = pl.DataFrame(
        rows,
        schema={
            "case": pl.String,
            "activity": pl.String,
            "timestamp": pl.Datetime("us", "UTC"),
            "unit": pl.String,
        },
        orient="row",
    )
    cases = events.group_by("case", maintain_order=True).agg(
        pl.col("unit").first(), pl.col("timestamp").min().alias("start")
    )
    return events, cases


LIMITS = [
    TimeLimit(id="A-B", from_activity="A", to_activity="B", max_duration="PT10M"),
    TimeLimit(id="start-C", to_activity="C", max_duration="PT4H", target_share=0.5),
    TimeLimit(
        id="A-B-if-C-unless-D",
        from_activity="A",
        to_activity="B",
        max_duration="PT1H",
        applies_if=("C",),
        applies_unless=("D",),
    ),
]

# (limit, case) -> (duration in seconds, late, position of the to_activity event)
EXPECTED = {
    ("A-B", "c1"): (300.0, False, 1),
    ("A-B", "c2"): (-1200.0, False, 0),
    ("A-B", "c4"): (4200.0, True, 2),
    ("A-B", "c5"): (900.0, True, 1),
    ("start-C", "c1"): (1800.0, False, 2),
    ("start-C", "c2"): (12000.0, False, 2),
    ("start-C", "c3"): (18000.0, True, 1),
    ("A-B-if-C-unless-D", "c1"): (300.0, False, 1),
    ("A-B-if-C-unless-D", "c2"): (-1200.0, False, 0),
}


def _outcome(events: pl.DataFrame, cases: pl.DataFrame) -> dict[tuple[str, str], tuple]:
    first = check_module._first_events(events)
    found = apply_time_limits(events, cases, LIMITS, first, timezone="Europe/Stockholm")
    got = {
        (r["limit"], r["case"]): (r["_dur"], r["_late"])
        for r in found.per_case.iter_rows(named=True)
    }
    late = {(r["limit"], r["case"]): r for r in found.late.iter_rows(named=True)}
    assert set(late) == {k for k, (_, is_late) in got.items() if is_late}
    for (lim, case), row in late.items():
        assert row["kind"] == "late" and row["unit"] == UNITS[case]
        assert row["position"] == EXPECTED[(lim, case)][2]
        assert row["activity"] == next(t.to_activity for t in LIMITS if t.id == lim)
    scores = {(r["limit"], r["unit"]): r for r in found.scores.iter_rows(named=True)}
    assert scores[("A-B", "*")]["negative"] == 1 and scores[("A-B", "*")]["evaluated"] == 3
    assert scores[("A-B", "U1")]["durations_s"] == [300.0, 900.0]
    assert scores[("start-C", "U2")]["within"] == 0
    return got


def test_hand_worked_limits() -> None:
    events, cases = _tables()
    got = _outcome(events, cases)
    assert got == {k: (d, late) for k, (d, late, _) in EXPECTED.items()}


def test_a_case_table_in_another_order_gives_the_same() -> None:
    events, cases = _tables()
    want = _outcome(events, cases)
    assert _outcome(events, cases.reverse()) == want
    # events whose cases are not contiguous: each event's case looked up by id
    split = pl.concat(
        [events.filter(pl.col("case") != "c1"), events.filter(pl.col("case") == "c1")]
    )
    assert _outcome(split, cases) == want


def test_first_events() -> None:
    events, _ = _tables()
    first = check_module._first_events(events)
    assert first.rows() == [("c1", 0), ("c2", 4), ("c3", 7), ("c4", 9), ("c5", 13)]
    again = pl.concat([events, events.head(2)])  # c1 again at the end: not contiguous
    assert sorted(check_module._first_events(again).rows()) == first.rows()


def test_no_limits_or_no_times() -> None:
    events, cases = _tables()
    first = check_module._first_events(events)
    assert apply_time_limits(events, cases, [], first, timezone="UTC").late.height == 0
    untimed = events.with_columns(pl.lit(None, pl.Datetime("us", "UTC")).alias("timestamp"))
    assert apply_time_limits(untimed, cases, LIMITS, first, timezone="UTC").scores.height == 0


@pytest.mark.parametrize("how", ["first", "split"])
def test_multi_unit_cases_through_check(how: str) -> None:
    rows = [
        ("k", "A", "2025-03-03T08:00", "U1"),
        ("k", "B", "2025-03-03T08:20", "U2"),
        ("k", "C", "2025-03-03T08:30", "U2"),
        ("k", "D", "2025-03-03T10:00", "U1"),
        ("m", "A", "2025-03-03T09:00", "U1"),
        ("m", "D", "2025-03-03T09:05", "U1"),
    ]
    log = read_log(
        pl.DataFrame(rows, schema=["case", "activity", "timestamp", "unit"], orient="row")
    )
    lim = TimeLimit(id="A-B", from_activity="A", to_activity="B", max_duration="PT15M")
    net = make_net(
        "seq",
        {
            "tA": ("A", ["i"], ["p1"]),
            "tB": ("B", ["p1"], ["p2"]),
            "tC": ("C", ["p2"], ["p3"]),
            "tD": ("D", ["p3"], ["o"]),
        },
    )
    r = check_module.check(net, log, time_limits=[lim], unit_assignment=how)
    late = r.deviations.filter(pl.col("kind") == "late")
    skipped = r.deviations.filter(pl.col("kind") == "skipped").sort("case", "activity")
    if how == "first":  # k wholly at U1, late from A to B (20 min)
        assert late.select("case", "unit", "position", "limit").rows() == [("k", "U1", 1, "A-B")]
        assert skipped.select("case", "activity", "position").rows() == [
            ("m", "B", 1),
            ("m", "C", 1),
        ]
        return
    # k#1 = A (U1), k#2 = B, C (U2), k#3 = D (U1): A and B in different episodes
    assert late.height == 0
    assert skipped.select("case", "activity", "position", "time").rows() == [
        ("k#1", "B", 1, None),
        ("k#1", "C", 1, None),
        ("k#1", "D", 1, None),
        ("k#2", "A", 0, None),
        ("k#2", "D", 2, None),
        ("k#3", "A", 0, None),
        ("k#3", "B", 0, None),
        ("k#3", "C", 0, None),
        ("m", "B", 1, None),
        ("m", "C", 1, None),
    ]
    units = {r["case"]: r["unit"] for r in r.cases.iter_rows(named=True)}
    assert units == {"k#1": "U1", "k#2": "U2", "k#3": "U1", "m": "U1"}
