"""Conformance over time: periods, change points and milestones (``docs/trends.md``).

Three functions over plain polars tables, so they work on ``ConformanceResult.cases`` or any
table with the same columns:

* :func:`periods` — one row per unit and calendar period (week, month, quarter): cases,
  conforming share with a Wilson interval, mean fitness and time-limit compliance;
* :func:`change_points` — per unit, where the conforming share changed: binary segmentation
  with an exact conditional (permutation) likelihood-ratio test per split, and a
  Benjamini–Hochberg threshold over units so that many stable units raise few false alarms;
* :func:`milestones` — before/after a dated event (a workshop, a go-live) per unit, with
  Fisher's exact test and a Newcombe interval for the difference.

:func:`fisher_exact` and :func:`hypergeom_pmf` are the exact tests shared with
:mod:`fvmprocess.causes`.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl

from fvmprocess._shared.durations import DEFAULT_TIMEZONE, zone
from fvmprocess.scoring import wilson_exprs, wilson_interval

__all__ = [
    "PERIOD_COUNTS_SCHEMA",
    "ChangePointOptions",
    "MilestoneKey",
    "Period",
    "change_points",
    "day_counts",
    "fisher_exact",
    "hypergeom_pmf",
    "milestones",
    "parse_milestone",
    "period_counts",
    "periods",
    "periods_from_counts",
]

#: The calendar periods :func:`periods` groups cases by.
Period = Literal["week", "month", "quarter"]
_EVERY: dict[str, str] = {"week": "1w", "month": "1mo", "quarter": "1q"}
#: A milestone for every unit (a date, or its ISO text), or for one unit ``(unit, date)``.
MilestoneKey: TypeAlias = "date | str | tuple[str, date | str]"

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]


# ---------------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------------


def _local_date(frame: pl.DataFrame, col: str, timezone: str) -> pl.Expr:
    """The local calendar date of ``col`` (aware: converted; naive: already local)."""
    dtype = frame.schema[col]
    if dtype == pl.Date:
        return pl.col(col)
    if not isinstance(dtype, pl.Datetime):
        raise ValueError(f"column {col!r} is {dtype}; expected a datetime or date")
    zone(timezone)  # a clear error for an unknown zone
    expr = pl.col(col)
    if dtype.time_zone is None:
        return expr.dt.date()
    return expr.dt.convert_time_zone(timezone).dt.date()


def _require(frame: pl.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}; it has {frame.columns}")


def _compliance_exprs(compliance: str | tuple[str, str] | None) -> list[pl.Expr]:
    """``_within`` and ``_evaluated`` per case from a boolean column or two count columns."""
    if compliance is None:
        return [pl.lit(None, pl.Int64).alias("_within"), pl.lit(None, pl.Int64).alias("_evaluated")]
    if isinstance(compliance, str):
        c = pl.col(compliance)
        return [
            c.cast(pl.Int64).alias("_within"),
            c.is_not_null().cast(pl.Int64).alias("_evaluated"),
        ]
    within, evaluated = compliance
    return [
        pl.col(within).cast(pl.Int64).alias("_within"),
        pl.col(evaluated).cast(pl.Int64).alias("_evaluated"),
    ]


def periods(
    cases: pl.DataFrame,
    *,
    period: Period,
    timezone: str = DEFAULT_TIMEZONE,
    time_col: str = "start",
    compliance: str | tuple[str, str] | None = None,
) -> pl.DataFrame:
    """Scores per unit and calendar period.

    A case belongs to the period of its first event (``time_col``), as a calendar date in
    ``timezone``. Weeks start on Monday (ISO 8601), quarters on 1 January, April, July and
    October. Periods without cases are absent; cases without a time are left out.

    Two steps, so that an engine that counts elsewhere (Spark) shares the finish:
    :func:`period_counts` (per unit and period: counts and sums) and
    :func:`periods_from_counts` (shares, intervals, mean fitness).

    Args:
        cases: one row per case with ``unit``, ``conforming``, ``fitness`` and ``time_col``
            (``ConformanceResult.cases``). Aware datetimes are converted to ``timezone``; naive
            ones are taken as local time already.
        period: ``"week"``, ``"month"`` or ``"quarter"``.
        timezone: the log's time zone (``EventLog.metadata["timezone"]``).
        time_col: the column with the case's first event time.
        compliance: time limits per case — a boolean column (true = within every limit, null =
            not evaluated) or two integer columns ``(within, evaluated)`` summed over limits.

    Returns:
        ``unit``, ``period`` (date of the period's first day), ``period_end`` (first day of the
        next period), ``cases``, ``conforming``, ``conforming_share`` with
        ``conforming_share_low``/``_high`` (95 % Wilson), ``mean_fitness``,
        ``time_limit_evaluated``, ``time_limit_within``, ``time_limit_compliance`` with
        ``_low``/``_high`` (null without ``compliance``); sorted by unit and period.

    Raises:
        ValueError: an unknown ``period`` or time zone, or a missing column.

    Example:
        >>> periods(result.cases, period="month")  # doctest: +SKIP
    """
    counts = period_counts(
        cases, period=period, timezone=timezone, time_col=time_col, compliance=compliance
    )
    return periods_from_counts(counts, period=period)


#: The columns of :func:`period_counts` (what :func:`periods_from_counts` takes).
PERIOD_COUNTS_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "period": pl.Date(),
    "cases": pl.Int64(),
    "conforming": pl.Int64(),
    "fitness_sum": pl.Float64(),
    "fitness_n": pl.Int64(),
    "time_limit_evaluated": pl.Int64(),
    "time_limit_within": pl.Int64(),
}


def period_counts(
    cases: pl.DataFrame,
    *,
    period: Period,
    timezone: str = DEFAULT_TIMEZONE,
    time_col: str = "start",
    compliance: str | tuple[str, str] | None = None,
) -> pl.DataFrame:
    """The aggregate step of :func:`periods`: per unit and period, counts and sums.

    Args:
        cases: as for :func:`periods`.
        period: ``"week"``, ``"month"`` or ``"quarter"``.
        timezone: the log's time zone.
        time_col: the column with the case's first event time.
        compliance: as for :func:`periods`.

    Returns:
        :data:`PERIOD_COUNTS_SCHEMA`: ``unit``, ``period`` (first day), ``cases``,
        ``conforming``, ``fitness_sum`` and ``fitness_n`` (cases with a fitness),
        ``time_limit_evaluated`` and ``time_limit_within`` (null without ``compliance``).

    Raises:
        ValueError: an unknown ``period`` or time zone, or a missing column.
    """
    if period not in _EVERY:
        raise ValueError(f"period is {period!r}; expected 'week', 'month' or 'quarter'")
    _require(cases, ["unit", "conforming", "fitness", time_col], "the cases table")
    every = _EVERY[period]
    start = _local_date(cases, time_col, timezone).dt.truncate(every)
    grouped = (
        cases.lazy()
        .filter(pl.col(time_col).is_not_null())
        .select(
            pl.col("unit").cast(pl.String),
            start.alias("period"),
            pl.col("conforming").cast(pl.Int64).alias("_ok"),
            pl.col("fitness").cast(pl.Float64),
            *_compliance_exprs(compliance),
        )
        .group_by("unit", "period")
        .agg(
            pl.len().cast(pl.Int64).alias("cases"),
            pl.col("_ok").sum().cast(pl.Int64).alias("conforming"),
            pl.col("fitness").sum().alias("fitness_sum"),
            pl.col("fitness").count().cast(pl.Int64).alias("fitness_n"),
            pl.col("_evaluated").sum().alias("time_limit_evaluated"),
            pl.col("_within").sum().alias("time_limit_within"),
        )
        .collect()
    )
    if compliance is None:
        grouped = grouped.with_columns(
            pl.lit(None, pl.Int64).alias("time_limit_evaluated"),
            pl.lit(None, pl.Int64).alias("time_limit_within"),
        )
    return grouped.select(pl.col(c).cast(t) for c, t in PERIOD_COUNTS_SCHEMA.items())


def periods_from_counts(counts: pl.DataFrame, *, period: Period) -> pl.DataFrame:
    """The finish of :func:`periods`: shares, Wilson intervals and mean fitness per unit and
    period, from :func:`period_counts` (or the same counts made by another engine).

    Args:
        counts: :data:`PERIOD_COUNTS_SCHEMA` rows, one per unit and period.
        period: the period the counts were made for.

    Returns:
        The table of :func:`periods`.
    """
    every = _EVERY[period]
    out = counts.with_columns(
        pl.col("period").dt.offset_by(every).alias("period_end"),
        (pl.col("conforming") / pl.col("cases")).alias("conforming_share"),
        *wilson_exprs("conforming", "cases", "conforming_share"),
        pl.when(pl.col("fitness_n") > 0)
        .then(pl.col("fitness_sum") / pl.col("fitness_n"))
        .alias("mean_fitness"),
        pl.when(pl.col("time_limit_evaluated") > 0)
        .then(pl.col("time_limit_within") / pl.col("time_limit_evaluated"))
        .alias("time_limit_compliance"),
        *wilson_exprs("time_limit_within", "time_limit_evaluated", "time_limit_compliance"),
    )
    return out.select(
        "unit",
        "period",
        "period_end",
        "cases",
        "conforming",
        "conforming_share",
        "conforming_share_low",
        "conforming_share_high",
        "mean_fitness",
        "time_limit_evaluated",
        "time_limit_within",
        "time_limit_compliance",
        "time_limit_compliance_low",
        "time_limit_compliance_high",
    ).sort("unit", "period")


# ---------------------------------------------------------------------------------------------
# Change points
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangePointOptions:
    """How :func:`change_points` segments each unit's series (``docs/trends.md``).

    Attributes:
        alpha: false discovery rate over units (Benjamini–Hochberg on each unit's first test);
            with no real change anywhere it bounds the chance of *any* false alarm.
        min_segment_periods: fewest periods on each side of a change (2: one odd period
            is not a change).
        min_segment_cases: fewest cases on each side of a change.
        min_difference: smallest change in conforming share worth reporting.
        max_changes: most change points per unit.
        permutations: least number of conditional permutations per test; raised automatically
            so that a p-value can reach the Benjamini–Hochberg threshold for one unit.
        stop_after: sequential Monte Carlo (Besag–Clifford): stop a test after this many
            permuted statistics at least as large as the observed one.
        seed: seed of the permutations (results are reproducible and do not depend on the
            order of units).
    """

    alpha: float = 0.05
    min_segment_periods: int = 2
    min_segment_cases: int = 20
    min_difference: float = 0.05
    max_changes: int = 3
    permutations: int = 1999
    stop_after: int = 20
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha is {self.alpha}; expected 0 < alpha < 1")
        if self.min_segment_periods < 1 or self.min_segment_cases < 1:
            raise ValueError("min_segment_periods and min_segment_cases must be >= 1")
        if self.max_changes < 1 or self.permutations < 99 or self.stop_after < 1:
            raise ValueError("max_changes >= 1, permutations >= 99 and stop_after >= 1 expected")


@dataclass(frozen=True, slots=True)
class _Test:
    """The best split of one segment ``[lo, hi)`` and its conditional p-value."""

    lo: int
    hi: int
    split: int  # first period index of the right part
    statistic: float
    p_value: float


def _xlogx_ratio(k: npt.NDArray[np.float64], n: npt.NDArray[np.float64]) -> _F64:
    """Binomial log-likelihood at the MLE: k log(k/n) + (n-k) log(1-k/n), 0 log 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, k / np.where(n > 0, n, 1), 0.0)
        a = np.where(k > 0, k * np.log(np.where(p > 0, p, 1.0)), 0.0)
        b = np.where(n - k > 0, (n - k) * np.log(np.where(p < 1, 1 - p, 1.0)), 0.0)
    return np.asarray(a + b, dtype=np.float64)


def _valid_splits(n: _I64, opts: ChangePointOptions) -> _I64:
    """Split positions (1..T-1) leaving enough periods and cases on both sides."""
    t = len(n)
    cum = np.cumsum(n)
    total = int(cum[-1])
    pos = np.arange(1, t, dtype=np.int64)
    left = cum[pos - 1]
    ok = (
        (pos >= opts.min_segment_periods)
        & (t - pos >= opts.min_segment_periods)
        & (left >= opts.min_segment_cases)
        & (total - left >= opts.min_segment_cases)
    )
    return pos[ok]


def _max_lr(k: _F64, n: _I64, splits: _I64) -> tuple[_F64, _I64]:
    """Max over splits of the binomial likelihood-ratio statistic, per row of ``k``.

    Args:
        k: conforming counts per period, shape ``(rows, T)``.
        n: cases per period, shape ``(T,)``.
        splits: candidate split positions.

    Returns:
        The largest statistic per row and the split where it is reached.
    """
    ck = np.cumsum(k, axis=1)
    cn = np.cumsum(n).astype(np.float64)
    kl, nl = ck[:, splits - 1], cn[splits - 1]
    kt, nt = ck[:, -1:], cn[-1]
    g = 2 * (_xlogx_ratio(kl, nl) + _xlogx_ratio(kt - kl, nt - nl) - _xlogx_ratio(kt, nt))
    best = np.argmax(g, axis=1)
    return g[np.arange(g.shape[0]), best], splits[best]


def _test_segment(
    k: _I64,
    n: _I64,
    lo: int,
    hi: int,
    opts: ChangePointOptions,
    budget: int,
    rng: np.random.Generator,
) -> _Test | None:
    """The best split of ``[lo, hi)``, with a sequential Monte Carlo conditional p-value.

    Under "no change" and given the segment's total of conforming cases, which cases conform is
    a random draw without replacement: the per-period counts are multivariate hypergeometric.
    Drawing them and recomputing the max statistic gives an exact test of the whole scan
    (the maximum over split points is part of the statistic, so no correction for the number
    of splits is needed). Small periods are handled exactly, unlike a χ² approximation.
    """
    ks, ns = k[lo:hi], n[lo:hi]
    splits = _valid_splits(ns, opts)
    total = int(ks.sum())
    if splits.size == 0 or total in (0, int(ns.sum())):
        return None
    obs, where = _max_lr(ks[None, :].astype(np.float64), ns, splits)
    stat = float(obs[0])
    exceed, drawn, batch = 0, 0, 128
    while drawn < budget and exceed < opts.stop_after:
        size = min(batch, budget - drawn)
        sim = rng.multivariate_hypergeometric(ns, total, size=size).astype(np.float64)
        sim_max, _ = _max_lr(sim, ns, splits)
        exceed += int(np.count_nonzero(sim_max >= stat - 1e-9))
        drawn += size
        batch *= 2
    p = exceed / drawn if exceed >= opts.stop_after else (exceed + 1) / (drawn + 1)
    return _Test(lo, hi, lo + int(where[0]), stat, min(1.0, p))


def _unit_rng(seed: int, unit: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(unit.encode("utf-8"))])


def _segment(
    k: _I64,
    n: _I64,
    first: _Test,
    threshold: float,
    opts: ChangePointOptions,
    budget: int,
    rng: np.random.Generator,
) -> list[_Test]:
    """Binary segmentation from an accepted first test: split, then test both parts."""
    accepted: list[_Test] = []
    todo = [first]
    while todo and len(accepted) < opts.max_changes:
        t = todo.pop(0)
        left = k[t.lo : t.split].sum() / n[t.lo : t.split].sum()
        right = k[t.split : t.hi].sum() / n[t.split : t.hi].sum()
        if t.p_value > threshold or abs(right - left) < opts.min_difference:
            continue
        accepted.append(t)
        for lo, hi in ((t.lo, t.split), (t.split, t.hi)):
            sub = _test_segment(k, n, lo, hi, opts, budget, rng)
            if sub is not None:
                todo.append(sub)
    return sorted(accepted, key=lambda t: t.split)


def _bh_threshold(p_values: Sequence[float], alpha: float) -> float:
    """The Benjamini–Hochberg cut-off: the largest p(i) with p(i) <= alpha·i/m (0 if none)."""
    m = len(p_values)
    cut = 0.0
    for i, p in enumerate(sorted(p_values), start=1):
        if p <= alpha * i / m:
            cut = p
    return cut


_CHANGE_SCHEMA = {
    "unit": pl.String,
    "at": pl.Date,
    "before": pl.Float64,
    "after": pl.Float64,
    "before_cases": pl.Int64,
    "after_cases": pl.Int64,
    "statistic": pl.Float64,
    "p_value": pl.Float64,
}


def _change_rows(
    unit: str, k: _I64, n: _I64, starts: list[date], found: list[_Test]
) -> list[dict[str, object]]:
    """Shares of the final segments on both sides of each change."""
    bounds = [0, *(t.split for t in found), len(n)]
    rows: list[dict[str, object]] = []
    for i, t in enumerate(found):
        a, b, c = bounds[i], bounds[i + 1], bounds[i + 2]
        nb, na = int(n[a:b].sum()), int(n[b:c].sum())
        rows.append(
            {
                "unit": unit,
                "at": starts[t.split],
                "before": float(k[a:b].sum()) / nb,
                "after": float(k[b:c].sum()) / na,
                "before_cases": nb,
                "after_cases": na,
                "statistic": t.statistic,
                "p_value": t.p_value,
            }
        )
    return rows


def change_points(
    periods_df: pl.DataFrame, *, options: ChangePointOptions | None = None
) -> pl.DataFrame:
    """Where each unit's conforming share changed.

    Per unit, the periods (in order, empty ones absent) are segmented by binary segmentation:
    the split maximising the binomial likelihood-ratio statistic is tested with an exact
    conditional permutation test; a change is kept when its p-value is below the
    Benjamini–Hochberg threshold over all units' first tests and the share moved by at least
    ``min_difference``; then both parts are tested again. See ``docs/trends.md``.

    Args:
        periods_df: the table of :func:`periods` (``unit``, ``period``, ``cases``,
            ``conforming``).
        options: the segmentation settings (defaults: :class:`ChangePointOptions`).

    Returns:
        ``unit``, ``at`` (first day of the first period after the change), ``before``,
        ``after`` (conforming shares of the segments on either side), ``before_cases``,
        ``after_cases``, ``statistic`` (likelihood-ratio G) and ``p_value``; sorted by unit and
        ``at``. Stable units have no row.

    Raises:
        ValueError: a missing column.

    Example:
        >>> change_points(periods(result.cases, period="month"))  # doctest: +SKIP
    """
    opts = options or ChangePointOptions()
    _require(periods_df, ["unit", "period", "cases", "conforming"], "the periods table")
    series = _series(periods_df)
    budget = max(opts.permutations, math.ceil(10 * max(1, len(series)) / opts.alpha))
    rngs = {u: _unit_rng(opts.seed, u) for u in series}
    firsts = {
        u: _test_segment(k, n, 0, len(n), opts, budget, rngs[u]) for u, (k, n, _) in series.items()
    }
    tested = {u: t for u, t in firsts.items() if t is not None}
    threshold = _bh_threshold([t.p_value for t in tested.values()], opts.alpha)
    rows: list[dict[str, object]] = []
    for unit, first in sorted(tested.items()):
        if first.p_value > threshold:
            continue
        k, n, starts = series[unit]
        found = _segment(k, n, first, threshold, opts, budget, rngs[unit])
        rows += _change_rows(unit, k, n, starts, found)
    return pl.DataFrame(rows, schema=_CHANGE_SCHEMA).sort("unit", "at")


def _series(periods_df: pl.DataFrame) -> dict[str, tuple[_I64, _I64, list[date]]]:
    """Per unit: conforming counts, cases and period start dates, in period order."""
    out: dict[str, tuple[_I64, _I64, list[date]]] = {}
    frame = periods_df.filter(pl.col("cases") > 0).sort("unit", "period")
    for (unit,), g in frame.group_by("unit", maintain_order=True):
        out[str(unit)] = (
            g["conforming"].cast(pl.Int64).to_numpy(),
            g["cases"].cast(pl.Int64).to_numpy(),
            list(g["period"].to_list()),
        )
    return out


# ---------------------------------------------------------------------------------------------
# Exact tests (shared with causes)
# ---------------------------------------------------------------------------------------------


def hypergeom_pmf(total: int, successes: int, draws: int) -> tuple[int, _F64]:
    """The hypergeometric distribution of successes among ``draws`` items drawn from ``total``.

    Computed from the ratio of consecutive probabilities in log space, so it is exact to
    rounding for any size without factorials.

    Returns:
        ``(lowest possible count, probabilities)``: ``probabilities[i]`` is P(X = lowest + i).
    """
    lo = max(0, draws - (total - successes))
    hi = min(draws, successes)
    x = np.arange(lo, hi, dtype=np.float64)
    ratio = (successes - x) * (draws - x) / ((x + 1) * (total - successes - draws + x + 1))
    logp = np.concatenate([[0.0], np.cumsum(np.log(ratio))])
    pmf = np.exp(logp - logp.max())
    return lo, np.asarray(pmf / pmf.sum(), dtype=np.float64)


def fisher_exact(
    a: int, n1: int, c: int, n2: int, *, alternative: Literal["two-sided", "greater"] = "two-sided"
) -> float:
    """Fisher's exact test that ``a/n1`` and ``c/n2`` come from the same proportion.

    Args:
        a: successes in the first group, of ``n1``.
        n1: size of the first group.
        c: successes in the second group, of ``n2``.
        n2: size of the second group.
        alternative: ``"two-sided"`` (tables at most as probable as the observed one) or
            ``"greater"`` (the first proportion is larger).

    Returns:
        The p-value (1.0 when either group is empty).
    """
    if n1 <= 0 or n2 <= 0:
        return 1.0
    lo, pmf = hypergeom_pmf(n1 + n2, a + c, n1)
    obs = pmf[a - lo]
    if alternative == "greater":
        p = float(pmf[a - lo :].sum())
    else:
        p = float(pmf[pmf <= obs * (1 + 1e-7)].sum())
    return min(1.0, p)


# ---------------------------------------------------------------------------------------------
# Milestones
# ---------------------------------------------------------------------------------------------


def parse_milestone(text: str) -> tuple[date | tuple[str, date], str]:
    """Parse ``DATE=label`` or ``UNIT@DATE=label`` (the CLI's ``--milestone``).

    Example:
        >>> parse_milestone("Akut Borås@2025-06-01=Workshop")
        (('Akut Borås', datetime.date(2025, 6, 1)), 'Workshop')
    """
    key, sep, label = text.partition("=")
    if not sep or not label.strip():
        raise ValueError(f"milestone {text!r}: expected DATE=label or UNIT@DATE=label")
    unit, at, day = key.rpartition("@")
    try:
        when = date.fromisoformat(day.strip())
    except ValueError as e:
        raise ValueError(
            f"milestone {text!r}: {day.strip()!r} is not an ISO date (YYYY-MM-DD)"
        ) from e
    return ((unit.strip(), when) if at else when), label.strip()


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _milestone_list(
    marks: Mapping[MilestoneKey, str], units: list[str]
) -> list[tuple[str, date, str]]:
    """(unit, date, label) for every unit a milestone applies to."""
    out: list[tuple[str, date, str]] = []
    for key, label in marks.items():
        if isinstance(key, tuple):
            out.append((key[0], _as_date(key[1]), label))
        else:
            out += [(u, _as_date(key), label) for u in units]
    return sorted(out, key=lambda m: (m[0], m[1], m[2]))


def day_counts(
    cases: pl.DataFrame, *, timezone: str = DEFAULT_TIMEZONE, time_col: str = "start"
) -> pl.DataFrame:
    """The aggregate :func:`milestones` needs: per unit and local day, cases and conforming.

    :func:`milestones` over this table gives exactly what it gives over the cases (a day
    ends before a milestone or starts on or after it), so an engine that counts elsewhere
    (Spark) shares the finish.

    Returns:
        ``unit``, ``period`` (the day), ``period_end`` (the next day), ``cases``,
        ``conforming``; cases without a time are left out.
    """
    _require(cases, ["unit", "conforming", time_col], "the cases table")
    return (
        _dated(cases, timezone, time_col)
        .group_by("unit", "first", "end")
        .agg(pl.col("cases").sum(), pl.col("conforming").sum())
        .select(
            "unit",
            pl.col("first").alias("period"),
            pl.col("end").alias("period_end"),
            pl.col("cases").cast(pl.Int64),
            pl.col("conforming").cast(pl.Int64),
        )
        .sort("unit", "period")
    )


def _dated(data: pl.DataFrame, timezone: str, time_col: str) -> pl.DataFrame:
    """``unit, first, end, cases, conforming`` rows: per period, or per case (one day)."""
    if "period" in data.columns:
        _require(data, ["unit", "period", "period_end", "cases", "conforming"], "the periods table")
        return data.select(
            pl.col("unit").cast(pl.String),
            pl.col("period").alias("first"),
            pl.col("period_end").alias("end"),
            pl.col("cases").cast(pl.Int64),
            pl.col("conforming").cast(pl.Int64),
        )
    _require(data, ["unit", "conforming", time_col], "the cases table")
    day = _local_date(data, time_col, timezone)
    return data.filter(pl.col(time_col).is_not_null()).select(
        pl.col("unit").cast(pl.String),
        day.alias("first"),
        day.dt.offset_by("1d").alias("end"),
        pl.lit(1, pl.Int64).alias("cases"),
        pl.col("conforming").cast(pl.Int64),
    )


_MILESTONE_SCHEMA = {
    "unit": pl.String,
    "milestone": pl.String,
    "date": pl.Date,
    "before_cases": pl.Int64,
    "before_conforming": pl.Int64,
    "before": pl.Float64,
    "before_low": pl.Float64,
    "before_high": pl.Float64,
    "after_cases": pl.Int64,
    "after_conforming": pl.Int64,
    "after": pl.Float64,
    "after_low": pl.Float64,
    "after_high": pl.Float64,
    "difference": pl.Float64,
    "difference_low": pl.Float64,
    "difference_high": pl.Float64,
    "p_value": pl.Float64,
    "excluded_cases": pl.Int64,
}


def _before_after(unit: str, day: date, label: str, rows: pl.DataFrame) -> dict[str, object]:
    """One milestone row: counts either side, shares, Newcombe difference, Fisher p."""
    before = rows.filter(pl.col("end") <= day)
    after = rows.filter(pl.col("first") >= day)
    n1, k1 = int(before["cases"].sum()), int(before["conforming"].sum())
    n2, k2 = int(after["cases"].sum()), int(after["conforming"].sum())
    p1 = k1 / n1 if n1 else None
    p2 = k2 / n2 if n2 else None
    lo1, hi1 = wilson_interval(k1, n1)
    lo2, hi2 = wilson_interval(k2, n2)
    row: dict[str, object] = {
        "unit": unit, "milestone": label, "date": day,
        "before_cases": n1, "before_conforming": k1, "before": p1,
        "before_low": None if p1 is None else lo1, "before_high": None if p1 is None else hi1,
        "after_cases": n2, "after_conforming": k2, "after": p2,
        "after_low": None if p2 is None else lo2, "after_high": None if p2 is None else hi2,
        "difference": None, "difference_low": None, "difference_high": None, "p_value": None,
        "excluded_cases": int(rows["cases"].sum()) - n1 - n2,
    }  # fmt: skip
    if p1 is not None and p2 is not None:
        d = p2 - p1
        row["difference"] = d
        row["difference_low"] = d - math.hypot(p2 - lo2, hi1 - p1)
        row["difference_high"] = d + math.hypot(hi2 - p2, p1 - lo1)
        row["p_value"] = fisher_exact(k2, n2, k1, n1)
    return row


def milestones(
    data: pl.DataFrame,
    marks: Mapping[MilestoneKey, str],
    *,
    timezone: str = DEFAULT_TIMEZONE,
    time_col: str = "start",
) -> pl.DataFrame:
    """Conforming share before and after each milestone, per unit, with a test of the change.

    ``data`` is either the cases table (exact: a case is *before* when its first event's local
    date is earlier than the milestone date) or the table of :func:`periods` (a period is
    before when it ends by the milestone, after when it starts on or after it; a period that
    contains the milestone is left out and counted in ``excluded_cases``).

    Args:
        data: cases (``unit``, ``conforming``, ``time_col``) or periods (``unit``, ``period``,
            ``period_end``, ``cases``, ``conforming``).
        marks: milestone -> label; a key is a date (or ISO text) for every unit or
            ``(unit, date)`` for one unit.
        timezone: the log's time zone (for a cases table).
        time_col: the first-event time column of a cases table.

    Returns:
        Per unit and milestone: ``before_cases``, ``before_conforming``, ``before`` (share) with
        ``before_low``/``_high`` (Wilson), the same for ``after``, ``difference`` (after −
        before) with a 95 % Newcombe interval, ``p_value`` (two-sided Fisher exact; null when a
        side has no cases) and ``excluded_cases``.

    Example:
        >>> milestones(result.cases, {"2025-06-01": "Workshop"})  # doctest: +SKIP
    """
    dated = _dated(data, timezone, time_col)
    units = sorted(dated["unit"].unique().to_list())
    rows = [
        _before_after(unit, day, label, dated.filter(pl.col("unit") == unit))
        for unit, day, label in _milestone_list(marks, units)
    ]
    return pl.DataFrame(rows, schema=_MILESTONE_SCHEMA)
