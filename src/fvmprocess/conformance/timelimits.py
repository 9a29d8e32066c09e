"""Time limits applied to a log: which cases are late, and each limit's compliance per unit.

Each :class:`~fvmprocess.timelimit.TimeLimit` runs from the first ``from_activity`` event of a
case (the case's first event when ``from_activity`` is None) to its first ``to_activity``
event, for the cases it applies to (``applies_if``/``applies_unless``); whether a case is late
is :meth:`TimeLimit.late_expr <fvmprocess.timelimit.TimeLimit.late_expr>` in the time zone the
log was read in.

A case whose ``to_activity`` comes before its ``from_activity`` (a negative duration:
antibiotics given before triage) is an ordering deviation, not a case within the limit: it is
neither late nor within, and the compliance table counts it in ``negative``
(:func:`fvmprocess.scoring.limit_scores`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from fvmprocess.scoring import LIMIT_SCORE_SCHEMA, limit_scores

if TYPE_CHECKING:
    from fvmprocess.timelimit import TimeLimit

__all__ = ["LATE_SCHEMA", "TimeLimitOutcome", "apply_time_limits"]

#: Columns of the ``late`` deviations (as the alignment deviations, with ``limit`` set).
LATE_SCHEMA: dict[str, pl.DataType] = {
    "case": pl.String(),
    "unit": pl.String(),
    "kind": pl.String(),
    "activity": pl.String(),
    "position": pl.Int64(),
    "time": pl.Datetime("us", "UTC"),
    "limit": pl.String(),
    "dev_cost": pl.Float64(),
}


@dataclass(frozen=True)
class TimeLimitOutcome:
    """What the time limits found.

    Attributes:
        late: one ``late`` deviation per late case and limit (columns :data:`LATE_SCHEMA`).
        scores: per unit (and ``"*"``) and limit: evaluated cases, within, ``negative``
            (the end before the start; not evaluated), share with its interval, the target
            and whether it is met (null without a target), median and sorted durations.
        per_case: one row per case and limit it applies to: ``case``, ``unit``, ``limit``,
            ``_dur`` (seconds) and ``_late`` (the rows ``scores`` counts).
    """

    late: pl.DataFrame
    scores: pl.DataFrame
    per_case: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"case": pl.String, "unit": pl.String, "limit": pl.String,
                    "_dur": pl.Float64, "_late": pl.Boolean}
        )
    )  # fmt: skip


def apply_time_limits(
    events: pl.DataFrame,
    cases: pl.DataFrame,
    limits: Sequence[TimeLimit],
    first: pl.DataFrame,
    *,
    timezone: str,
) -> TimeLimitOutcome:
    """Evaluate every limit on every case it applies to.

    Args:
        events: the matched events (``case``, ``activity``, ``timestamp``), in case order.
        cases: the case table (``case``, ``unit``, ``start``).
        limits: the limits.
        first: per case the row index of its first event in ``events`` (``case``, ``_first``).
        timezone: the log's time zone (calendar days are local dates there).

    Returns:
        The late deviations and the compliance table.
    """
    if not limits or events["timestamp"].null_count() == events.height:
        return TimeLimitOutcome(
            pl.DataFrame(schema=LATE_SCHEMA), pl.DataFrame(schema=LIMIT_SCORE_SCHEMA)
        )
    wide = _first_occurrences(events, cases, limits, first)
    evaluated = [_evaluate(lim, wide, _columns(limits), timezone) for lim in limits]
    late = pl.concat(
        [_late_rows(lim, d) for lim, d in zip(limits, evaluated, strict=True)],
        how="vertical_relaxed",
    )
    per_case = pl.concat(
        [d.select("case", "unit", "limit", "_dur", "_late") for d in evaluated],
        how="vertical_relaxed",
    )
    units = cases.select(pl.col("unit").cast(pl.String)).unique()
    return TimeLimitOutcome(late, limit_scores(per_case, units, limit_table(limits)), per_case)


def _needed(limits: Sequence[TimeLimit]) -> list[str]:
    """The activities the limits refer to, sorted."""
    return sorted(
        {
            a
            for t in limits
            for a in (t.from_activity, t.to_activity, *t.applies_if, *t.applies_unless)
            if a is not None
        }
    )


def _columns(limits: Sequence[TimeLimit]) -> dict[str, tuple[str, str]]:
    """Per activity a limit refers to, its columns in :func:`_first_occurrences`' table:
    the time of its first event and that event's position."""
    return {a: (f"_t{k}", f"_p{k}") for k, a in enumerate(_needed(limits))}


def _case_rows(
    events: pl.DataFrame, cases: pl.DataFrame, first: pl.DataFrame
) -> tuple[pl.Series, pl.Series]:
    """Per event the row of its case in ``cases``, and per case its first event's index.

    A log's events come case by case in the order of the case table, so both are the runs
    of equal case ids; otherwise (another order) they are looked up by case id.
    """
    run = events["case"].rle_id()
    at = (run != run.shift(1)).fill_null(True).arg_true()
    ids = events["case"].gather(at)
    if ids.len() == cases.height and ids.cast(pl.String).equals(cases["case"].cast(pl.String)):
        return run.cast(pl.Int64), at.cast(pl.Int64)
    numbered = cases.select(pl.col("case").cast(pl.String)).with_row_index("_row")
    rows = (
        events.select(pl.col("case").cast(pl.String))
        .join(numbered, on="case", how="left", maintain_order="left")["_row"]
        .cast(pl.Int64)
    )
    firsts = numbered.join(
        first.select(pl.col("case").cast(pl.String), "_first"), on="case", how="left"
    ).sort("_row")["_first"]
    return rows, firsts.cast(pl.Int64)


def _first_occurrences(
    events: pl.DataFrame, cases: pl.DataFrame, limits: Sequence[TimeLimit], first: pl.DataFrame
) -> pl.DataFrame:
    """One pass over the events: per case (``case``, ``unit``, ``start``, in the case table's
    order) the first time and position of every activity a limit refers to (the columns of
    :func:`_columns`; null when the case has no such event)."""
    rows, firsts = _case_rows(events, cases, first)
    columns = _columns(limits)
    m = cases.height
    code = pl.col("activity").replace_strict(list(columns), list(range(len(columns))))
    hits = (
        events.select("activity", "timestamp")
        .with_columns(rows.alias("_row"), pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"))
        .filter(pl.col("activity").is_in(list(columns)))
        .select((code.cast(pl.Int64) * m + pl.col("_row")).alias("_k"), "timestamp", "_i")
        .sort("_k")  # one integer key per activity and case; sorted, it groups fastest
        .group_by("_k", maintain_order=True)
        .agg(pl.col("timestamp").min().alias("_t"), pl.col("_i").min().alias("_i"))
    )
    wide = cases.select("case", "unit", "start").with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"), firsts.alias("_first")
    )
    for k, (t, p) in enumerate(columns.values()):
        found = hits.filter(pl.col("_k") // m == k).select(
            (pl.col("_k") % m).alias("_row"), pl.col("_t").alias(t), pl.col("_i").alias(p)
        )
        wide = wide.join(found, on="_row", how="left", maintain_order="left")
    positions = [(pl.col(p) - pl.col("_first")).alias(p) for _, p in columns.values()]
    return wide.with_columns(positions).drop("_row", "_first")


def _evaluate(
    lim: TimeLimit,
    wide: pl.DataFrame,
    columns: dict[str, tuple[str, str]],
    timezone: str,
) -> pl.DataFrame:
    """Per case the limit applies to: ``_from``, ``_to``, ``position``, ``_dur`` (s), ``_late``.

    A case counts when it has the ``to_activity`` (and the ``from_activity``) event, every
    ``applies_if`` activity and no ``applies_unless`` one.
    """

    def occurs(activity: str) -> pl.Expr:
        return pl.col(columns[activity][1]).is_not_null()

    to_t, to_p = columns[lim.to_activity]
    keep = occurs(lim.to_activity)
    if lim.from_activity is None:
        start = pl.col("start")
    else:
        start, keep = pl.col(columns[lim.from_activity][0]), keep & occurs(lim.from_activity)
    for act in lim.applies_if:
        keep = keep & occurs(act)
    for act in lim.applies_unless:
        keep = keep & ~occurs(act)
    return (
        wide.filter(keep)
        .select(
            "case",
            "unit",
            start.alias("_from"),
            pl.col(to_t).alias("_to"),
            pl.col(to_p).alias("position"),
        )
        .with_columns(
            ((pl.col("_to") - pl.col("_from")).dt.total_microseconds() / 1e6).alias("_dur"),
            pl.lit(lim.id).alias("limit"),
            lim.late_expr(pl.col("_from"), pl.col("_to"), timezone=timezone).alias("_late"),
        )
    )


def _late_rows(lim: TimeLimit, evaluated: pl.DataFrame) -> pl.DataFrame:
    """The ``late`` deviations of one limit: at the limit's ``to_activity`` event."""
    return evaluated.filter(pl.col("_late")).select(
        "case",
        "unit",
        pl.lit("late").alias("kind"),
        pl.lit(lim.to_activity).alias("activity"),
        "position",
        pl.col("_to").alias("time"),
        "limit",
        pl.lit(0.0).alias("dev_cost"),
    )


def limit_table(limits: Sequence[TimeLimit]) -> pl.DataFrame:
    """The limits as a table: ``limit``, ``from_activity``, ``to_activity``, ``max_seconds``,
    ``target_share``."""
    return pl.DataFrame(
        {
            "limit": [t.id for t in limits],
            "from_activity": [t.from_activity for t in limits],
            "to_activity": [t.to_activity for t in limits],
            "max_seconds": [t.duration.total_seconds() for t in limits],
            "target_share": [t.target_share for t in limits],
        },
        schema={
            "limit": pl.String,
            "from_activity": pl.String,
            "to_activity": pl.String,
            "max_seconds": pl.Float64,
            "target_share": pl.Float64,
        },
    )
