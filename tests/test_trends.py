"""Periods, change points and milestones over planted per-case tables (``fvmprocess.trends``).

The case tables are generated here with numpy at fixed seeds (no simulator); expected values
are worked out independently: by hand, with ``zoneinfo`` and with scipy.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest

from fvmprocess.trends import (
    ChangePointOptions,
    change_points,
    fisher_exact,
    milestones,
    parse_milestone,
    periods,
)

stats = pytest.importorskip("scipy.stats")

STHLM = ZoneInfo("Europe/Stockholm")


def _cases(rows: list[tuple[str, datetime, bool, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "start": pl.Datetime("us", "UTC"),
            "conforming": pl.Boolean,
            "fitness": pl.Float64,
        },
        orient="row",
    )


def _monthly(
    rng: np.random.Generator,
    unit: str,
    shares: list[float],
    *,
    mean_cases: float = 30,
    year: int = 2024,
) -> list[tuple[str, datetime, bool, float]]:
    """Cases of one unit, month ``i`` (from January ``year``) conforming with ``shares[i]``."""
    rows = []
    for i, p in enumerate(shares):
        first = datetime(year + i // 12, i % 12 + 1, 1, tzinfo=STHLM)
        for _ in range(max(1, int(rng.poisson(mean_cases)))):
            t = first + timedelta(days=int(rng.integers(0, 28)), minutes=int(rng.integers(0, 1440)))
            ok = bool(rng.random() < p)
            rows.append((unit, t.astimezone(UTC), ok, 1.0 if ok else float(rng.uniform(0.5, 1))))
    return rows


# ---------------------------------------------------------------------------------------------
# periods
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["week", "month", "quarter"])
def test_periods_add_up_to_unit_totals(period: str) -> None:
    rng = np.random.default_rng(7)
    rows = []
    for u in ("A", "B", "C"):
        rows += _monthly(rng, u, list(rng.uniform(0.2, 0.9, 14)))
    cases = _cases(rows)
    per = periods(cases, period=period)  # type: ignore[arg-type]
    totals = cases.group_by("unit").agg(
        pl.len().alias("n"),
        pl.col("conforming").sum().alias("k"),
        pl.col("fitness").sum().alias("f"),
    )
    got = per.group_by("unit").agg(
        pl.col("cases").sum().alias("n"),
        pl.col("conforming").sum().alias("k"),
        (pl.col("mean_fitness") * pl.col("cases")).sum().alias("f"),
    )
    joined = totals.join(got, on="unit", suffix="_p").sort("unit")
    assert joined["n"].to_list() == joined["n_p"].to_list()
    assert joined["k"].to_list() == joined["k_p"].to_list()
    assert np.allclose(joined["f"].to_numpy(), joined["f_p"].to_numpy())
    assert (per["cases"] > 0).all()  # empty periods are absent


def _first_day(local: date, period: str) -> date:
    if period == "week":
        return local - timedelta(days=local.weekday())
    if period == "month":
        return local.replace(day=1)
    return local.replace(month=3 * ((local.month - 1) // 3) + 1, day=1)


@pytest.mark.parametrize("period", ["week", "month", "quarter"])
def test_a_case_belongs_to_the_local_period_of_its_first_event(period: str) -> None:
    # instants near midnight and DST changes, where the UTC date is not the Swedish date
    instants = [
        datetime(2025, 3, 31, 22, 30, tzinfo=UTC),  # 1 April 00:30 CEST
        datetime(2024, 12, 31, 23, 30, tzinfo=UTC),  # 1 January 2025 00:30 CET
        datetime(2025, 3, 30, 21, 59, tzinfo=UTC),  # Sunday 23:59 CEST -> week of 24 March
        datetime(2025, 10, 26, 0, 30, tzinfo=UTC),  # during the autumn change
        datetime(2025, 6, 30, 21, 0, tzinfo=UTC),  # 30 June 23:00 -> Q2
    ]
    cases = _cases([("U", t, True, 1.0) for t in instants])
    per = periods(cases, period=period)  # type: ignore[arg-type]
    expected: dict[date, int] = {}
    for t in instants:
        key = _first_day(t.astimezone(STHLM).date(), period)
        expected[key] = expected.get(key, 0) + 1
    assert dict(zip(per["period"].to_list(), per["cases"].to_list(), strict=True)) == expected


def test_another_time_zone_moves_cases_between_periods() -> None:
    cases = _cases([("U", datetime(2025, 3, 31, 22, 30, tzinfo=UTC), True, 1.0)])
    assert periods(cases, period="month", timezone="UTC")["period"].to_list() == [date(2025, 3, 1)]
    assert periods(cases, period="month")["period"].to_list() == [date(2025, 4, 1)]


def test_naive_times_are_local_times() -> None:
    cases = pl.DataFrame(
        {
            "unit": ["U"],
            "start": [datetime(2025, 4, 1, 0, 30)],
            "conforming": [True],
            "fitness": [1.0],
        }
    )
    assert periods(cases, period="month")["period"].to_list() == [date(2025, 4, 1)]


def test_empty_periods_are_absent_and_period_end_is_the_next_first_day() -> None:
    t = [datetime(2025, 1, 15, 12, tzinfo=UTC), datetime(2025, 3, 15, 12, tzinfo=UTC)]
    per = periods(_cases([("U", x, True, 1.0) for x in t]), period="month")
    assert per["period"].to_list() == [date(2025, 1, 1), date(2025, 3, 1)]
    assert per["period_end"].to_list() == [date(2025, 2, 1), date(2025, 4, 1)]


def test_shares_and_wilson_intervals_match_scipy() -> None:
    rng = np.random.default_rng(3)
    cases = _cases(_monthly(rng, "U", [0.0, 0.5, 1.0, 0.3], mean_cases=12))
    per = periods(cases, period="month")
    for row in per.iter_rows(named=True):
        ci = stats.binomtest(row["conforming"], row["cases"]).proportion_ci(method="wilson")
        assert row["conforming_share"] == pytest.approx(row["conforming"] / row["cases"])
        assert row["conforming_share_low"] == pytest.approx(ci.low, abs=1e-12)
        assert row["conforming_share_high"] == pytest.approx(ci.high, abs=1e-12)


def test_time_limit_compliance_from_a_flag_or_from_counts() -> None:
    t = datetime(2025, 5, 5, 12, tzinfo=UTC)
    base = _cases([("U", t, True, 1.0)] * 4)
    flag = base.with_columns(pl.Series("on_time", [True, False, True, None]))
    row = periods(flag, period="month", compliance="on_time").row(0, named=True)
    assert (row["time_limit_within"], row["time_limit_evaluated"]) == (2, 3)
    assert row["time_limit_compliance"] == pytest.approx(2 / 3)
    counts = base.with_columns(pl.Series("w", [2, 0, 1, 0]), pl.Series("e", [2, 1, 2, 0]))
    row = periods(counts, period="month", compliance=("w", "e")).row(0, named=True)
    assert (row["time_limit_within"], row["time_limit_evaluated"]) == (3, 5)
    ci = stats.binomtest(3, 5).proportion_ci(method="wilson")
    assert row["time_limit_compliance_low"] == pytest.approx(ci.low)
    none = periods(base, period="month").row(0, named=True)
    assert none["time_limit_compliance"] is None and none["time_limit_evaluated"] is None


def test_periods_refuse_bad_arguments() -> None:
    cases = _cases([("U", datetime(2025, 5, 5, tzinfo=UTC), True, 1.0)])
    with pytest.raises(ValueError, match="period"):
        periods(cases, period="year")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time zone"):
        periods(cases, period="month", timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="lacks columns"):
        periods(cases.drop("fitness"), period="month")


# ---------------------------------------------------------------------------------------------
# change points
# ---------------------------------------------------------------------------------------------

JUMP_AT = 8  # month index of the first month with the new share


def _g_statistic(k1: int, n1: int, k2: int, n2: int) -> float:
    table = [[k1, n1 - k1], [k2, n2 - k2]]
    g: float = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
    return g


def _check_jump(found: pl.DataFrame, cases: pl.DataFrame) -> None:
    """The planted unit has exactly one change point within one month, worked out by hand."""
    jump = found.filter(pl.col("unit") == "Jump")
    assert jump.height == 1
    at = jump["at"][0]
    months = (at.year - 2024) * 12 + at.month - 1
    assert abs(months - JUMP_AT) <= 1
    cut = datetime(at.year, at.month, 1, tzinfo=STHLM).astimezone(UTC)
    unit = cases.filter(pl.col("unit") == "Jump")
    before, after = unit.filter(pl.col("start") < cut), unit.filter(pl.col("start") >= cut)
    k1, n1 = int(before["conforming"].sum()), before.height
    k2, n2 = int(after["conforming"].sum()), after.height
    assert (jump["before_cases"][0], jump["after_cases"][0]) == (n1, n2)
    assert jump["before"][0] == pytest.approx(k1 / n1)
    assert jump["after"][0] == pytest.approx(k2 / n2)
    assert jump["statistic"][0] == pytest.approx(_g_statistic(k1, n1, k2, n2), rel=1e-9)


def test_a_planted_jump_gives_one_change_point_and_stable_units_none() -> None:
    """10 seeds x (1 unit jumping from 45 % to 75 % in September + 30 stable units)."""
    stable_alarms = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        rows = _monthly(rng, "Jump", [0.45] * JUMP_AT + [0.75] * (18 - JUMP_AT))
        for u in range(30):
            rows += _monthly(rng, f"Stable{u:02d}", [float(rng.uniform(0.2, 0.9))] * 18)
        cases = _cases(rows)
        found = change_points(periods(cases, period="month"))
        _check_jump(found, cases)
        stable_alarms += found.filter(pl.col("unit") != "Jump")["unit"].n_unique()
    assert stable_alarms <= 0.05 * 300


def test_false_alarms_over_many_stable_units_are_bounded() -> None:
    """200 stable units, many with small periods: at most 5 % get a change point."""
    rng = np.random.default_rng(2024)
    rows = []
    for u in range(200):
        mean = float(rng.choice([3, 8, 30]))  # small periods are the hard case
        rows += _monthly(rng, f"U{u:03d}", [float(rng.uniform(0.1, 0.95))] * 24, mean_cases=mean)
    found = change_points(periods(_cases(rows), period="month"))
    assert found["unit"].n_unique() <= 10


def test_false_alarms_unit_by_unit_are_bounded_over_many_seeds() -> None:
    """One stable unit per call (no help from the correction over units): the level holds."""
    alarms = 0
    for seed in range(200):
        rng = np.random.default_rng(10_000 + seed)
        rows = _monthly(rng, "U", [float(rng.uniform(0.2, 0.9))] * 12, mean_cases=20)
        alarms += change_points(periods(_cases(rows), period="month")).height > 0
    # the test is exact, so the count is at most Binomial(200, alpha): its 99.5 % quantile
    assert alarms <= stats.binom.ppf(0.995, 200, ChangePointOptions().alpha)


def test_a_change_up_then_down_gives_two_change_points() -> None:
    rng = np.random.default_rng(5)
    rows = _monthly(rng, "U", [0.3] * 6 + [0.8] * 6 + [0.3] * 6, mean_cases=40)
    found = change_points(periods(_cases(rows), period="month"))
    assert found.height == 2
    months = [(d.year - 2024) * 12 + d.month - 1 for d in found["at"].to_list()]
    assert abs(months[0] - 6) <= 1 and abs(months[1] - 12) <= 1
    assert found["before"][0] < found["after"][0] and found["before"][1] > found["after"][1]


def test_small_changes_and_too_few_cases_are_not_reported() -> None:
    rng = np.random.default_rng(1)
    tiny = _monthly(rng, "Tiny", [0.2] * 4 + [0.9] * 4, mean_cases=1)  # < 20 cases a side
    big = _monthly(rng, "Big", [0.60] * 10 + [0.63] * 10, mean_cases=3000)  # 3 points < 5
    found = change_points(periods(_cases(tiny + big), period="month"))
    assert found.is_empty()
    loose = ChangePointOptions(min_difference=0.01)
    assert change_points(periods(_cases(big), period="month"), options=loose)["unit"].to_list() == [
        "Big"
    ]


def test_change_points_are_reproducible_and_independent_of_unit_order() -> None:
    rng = np.random.default_rng(9)
    rows = _monthly(rng, "B", [0.4] * 6 + [0.7] * 6) + _monthly(rng, "A", [0.5] * 12)
    per = periods(_cases(rows), period="month")
    one = change_points(per)
    two = change_points(per.reverse())
    assert one.equals(two)


def test_change_point_options_are_validated() -> None:
    with pytest.raises(ValueError, match="alpha"):
        ChangePointOptions(alpha=0)
    with pytest.raises(ValueError):
        ChangePointOptions(min_segment_cases=0)


def test_no_periods_no_change_points() -> None:
    empty = periods(_cases([]), period="month")
    assert change_points(empty).is_empty()
    assert change_points(empty).columns[:4] == ["unit", "at", "before", "after"]


# ---------------------------------------------------------------------------------------------
# milestones and the exact test
# ---------------------------------------------------------------------------------------------


def test_fisher_exact_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        n1, n2 = (int(x) for x in rng.integers(1, 60, 2))
        a, c = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
        table = [[a, n1 - a], [c, n2 - c]]
        assert fisher_exact(a, n1, c, n2) == pytest.approx(stats.fisher_exact(table)[1], rel=1e-9)
        greater = stats.fisher_exact(table, alternative="greater")[1]
        assert fisher_exact(a, n1, c, n2, alternative="greater") == pytest.approx(greater, rel=1e-9)


def _newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p2 - p1 (method 10), from scipy's Wilson limits."""
    c1 = stats.binomtest(k1, n1).proportion_ci(method="wilson")
    c2 = stats.binomtest(k2, n2).proportion_ci(method="wilson")
    p1, p2 = k1 / n1, k2 / n2
    d = p2 - p1
    return (
        d - math.sqrt((p2 - c2.low) ** 2 + (c1.high - p1) ** 2),
        d + math.sqrt((c2.high - p2) ** 2 + (p1 - c1.low) ** 2),
    )


def test_milestones_from_cases() -> None:
    rng = np.random.default_rng(11)
    rows = _monthly(rng, "A", [0.4] * 6 + [0.8] * 6) + _monthly(rng, "B", [0.6] * 12)
    cases = _cases(rows)
    day = date(2024, 7, 1)
    out = milestones(cases, {"2024-07-01": "Workshop", ("B", date(2024, 3, 1)): "Go-live"})
    assert out.select("unit", "milestone").rows() == [
        ("A", "Workshop"),
        ("B", "Go-live"),
        ("B", "Workshop"),
    ]
    row = out.row(0, named=True)
    a = cases.filter(pl.col("unit") == "A")
    local = [t.astimezone(STHLM).date() for t in a["start"].to_list()]
    ok = a["conforming"].to_list()
    k1 = sum(o for t, o in zip(local, ok, strict=True) if t < day)
    n1 = sum(t < day for t in local)
    k2, n2 = sum(ok) - k1, len(ok) - n1
    assert (
        row["before_cases"],
        row["before_conforming"],
        row["after_cases"],
        row["after_conforming"],
    ) == (n1, k1, n2, k2)
    assert row["difference"] == pytest.approx(k2 / n2 - k1 / n1)
    low, high = _newcombe(k1, n1, k2, n2)
    assert (row["difference_low"], row["difference_high"]) == pytest.approx((low, high))
    table = [[k2, n2 - k2], [k1, n1 - k1]]
    assert row["p_value"] == pytest.approx(stats.fisher_exact(table)[1], rel=1e-9)
    assert row["p_value"] < 1e-6 and row["excluded_cases"] == 0


def test_milestones_from_periods_leave_out_the_period_that_contains_the_date() -> None:
    rng = np.random.default_rng(12)
    cases = _cases(_monthly(rng, "A", [0.5] * 12))
    per = periods(cases, period="month")
    out = milestones(per, {date(2024, 7, 15): "Mid-month"}).row(0, named=True)
    july = per.filter(pl.col("period") == date(2024, 7, 1))["cases"][0]
    assert out["excluded_cases"] == july
    assert out["before_cases"] == per.filter(pl.col("period") < date(2024, 7, 1))["cases"].sum()
    exact = milestones(per, {date(2024, 7, 1): "On the first"}).row(0, named=True)
    assert exact["excluded_cases"] == 0
    assert exact["before_cases"] + exact["after_cases"] == cases.height


def test_a_milestone_with_no_cases_on_one_side_has_no_test() -> None:
    cases = _cases([("A", datetime(2025, 1, 10, tzinfo=UTC), True, 1.0)])
    row = milestones(cases, {"2026-01-01": "Later"}).row(0, named=True)
    assert row["after_cases"] == 0 and row["after"] is None and row["p_value"] is None


def test_parse_milestone() -> None:
    assert parse_milestone("2025-06-01=Workshop") == (date(2025, 6, 1), "Workshop")
    assert parse_milestone("Akut Borås@2025-06-01=Go-live") == (
        ("Akut Borås", date(2025, 6, 1)),
        "Go-live",
    )
    for bad in ("2025-06-01", "2025-13-01=x", "U@=x"):
        with pytest.raises(ValueError, match="milestone"):
            parse_milestone(bad)
