"""Scores with confidence intervals and the ranking of units.

Every formula is documented in ``docs/conformance.md``. All functions are vectorised polars
expressions, group-bys over plain tables or small pure functions, so unit scores over a million
cases cost one group-by. :func:`fvmprocess.conformance.check` builds its unit, activity and
time-limit tables here.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from fvmprocess._shared.vocab import DEVIATION_KINDS

__all__ = [
    "EXTRA",
    "EXTRA_KINDS",
    "LIMIT_SCORE_SCHEMA",
    "UNIT_COLUMNS",
    "Z95",
    "ActivityCounts",
    "UnitScore",
    "activity_counts",
    "activity_scores",
    "activity_table",
    "limit_scores",
    "mean_interval",
    "rank_units",
    "unit_scores",
    "wilson_exprs",
    "wilson_interval",
]

#: The standard normal quantile for a two-sided 95 % interval.
Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (good at small n and at 0 % / 100 %).

    Returns ``(nan, nan)`` when ``n == 0``.
    """
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def wilson_exprs(successes: str, n: str, prefix: str, z: float = Z95) -> list[pl.Expr]:
    """Polars expressions for the Wilson interval: columns ``{prefix}_low``/``{prefix}_high``."""
    k = pl.col(successes).cast(pl.Float64)
    m = pl.col(n).cast(pl.Float64)
    p = k / m
    denom = 1 + z * z / m
    centre = (p + z * z / (2 * m)) / denom
    half = z * (p * (1 - p) / m + z * z / (4 * m * m)).sqrt() / denom
    return [
        pl.when(m > 0).then((centre - half).clip(0.0, 1.0)).alias(f"{prefix}_low"),
        pl.when(m > 0).then((centre + half).clip(0.0, 1.0)).alias(f"{prefix}_high"),
    ]


def mean_interval(mean: str, std: str, n: str, prefix: str, z: float = Z95) -> list[pl.Expr]:
    """Normal-approximation interval of a mean, clipped to [0, 1] (fitness is in [0, 1]).

    With one case the interval is the single value (no spread can be estimated).
    """
    m = pl.col(mean)
    half = z * pl.col(std).fill_null(0.0) / pl.col(n).cast(pl.Float64).sqrt()
    return [
        (m - half).clip(0.0, 1.0).alias(f"{prefix}_low"),
        (m + half).clip(0.0, 1.0).alias(f"{prefix}_high"),
    ]


@dataclass(frozen=True, slots=True)
class UnitScore:
    """One unit's scores (a row of ``ConformanceResult.units`` as an object)."""

    unit: str
    rank: int
    cases: int
    conforming: int
    conforming_share: float
    conforming_share_low: float
    conforming_share_high: float
    mean_fitness: float
    mean_fitness_low: float
    mean_fitness_high: float
    time_limit_compliance: float | None


def rank_units(units: pl.DataFrame) -> pl.DataFrame:
    """Rank units: conforming share, then mean fitness (both descending), then name.

    Rank 1 is the unit closest to the standard. Ties in both scores share no rank: the name
    breaks them, so the order is total and reproducible.
    """
    if units.is_empty():
        return units.with_columns(pl.lit(None, pl.Int64).alias("rank"))
    ordered = units.sort(
        ["conforming_share", "mean_fitness", "unit"], descending=[True, True, False]
    )
    return ordered.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))


#: Columns of the time-limit compliance table (:func:`limit_scores`).
LIMIT_SCORE_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "limit": pl.String(),
    "from_activity": pl.String(),
    "to_activity": pl.String(),
    "max_seconds": pl.Float64(),
    "target_share": pl.Float64(),
    "evaluated": pl.Int64(),
    "within": pl.Int64(),
    "negative": pl.Int64(),
    "share": pl.Float64(),
    "share_low": pl.Float64(),
    "share_high": pl.Float64(),
    "meets_target": pl.Boolean(),
    "median_s": pl.Float64(),
    "durations_s": pl.List(pl.Float64()),
}

#: Columns of the unit table (:func:`unit_scores`), in order.
UNIT_COLUMNS = (
    "rank",
    "unit",
    "cases",
    "conforming",
    "conforming_share",
    "conforming_share_low",
    "conforming_share_high",
    "mean_fitness",
    "mean_fitness_low",
    "mean_fitness_high",
    "deviations",
    "median_duration_s",
    "time_limit_compliance",
    "time_limit_compliance_low",
    "time_limit_compliance_high",
    "time_limits_met",
)


def limit_scores(per_case: pl.DataFrame, units: pl.DataFrame, limits: pl.DataFrame) -> pl.DataFrame:
    """Compliance per unit (and ``"*"`` for all) and limit, with Wilson intervals.

    A case whose ``to_activity`` event comes before its ``from_activity`` event (a negative
    duration: antibiotics before triage) is an ordering deviation, not a case within the
    limit: it is counted in ``negative`` and left out of ``evaluated``, ``within``, the share,
    the median and the durations. ``meets_target`` is null where the limit has no target
    share or no case was evaluated.

    Args:
        per_case: one row per case and limit the limit applies to: ``case``, ``unit``,
            ``limit``, ``_dur`` (seconds), ``_late``.
        units: the units (column ``unit``); each gets a row per limit, evaluated or not.
        limits: ``limit``, ``from_activity``, ``to_activity``, ``max_seconds``,
            ``target_share``.

    Returns:
        The table of :data:`LIMIT_SCORE_SCHEMA`, sorted by limit and unit.
    """

    def count(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        ordered = pl.col("_dur") >= 0
        return frame.group_by(keys).agg(
            ordered.sum().cast(pl.Int64).alias("evaluated"),
            (ordered & ~pl.col("_late")).sum().cast(pl.Int64).alias("within"),
            (~ordered).sum().cast(pl.Int64).alias("negative"),
            pl.col("_dur").filter(ordered).median().alias("median_s"),
            pl.col("_dur").filter(ordered).sort().alias("durations_s"),
        )

    columns = ["unit", "limit", "evaluated", "within", "negative", "median_s", "durations_s"]
    counted = pl.concat(
        [
            count(per_case, ["unit", "limit"]).select(columns),
            count(per_case, ["limit"]).with_columns(pl.lit("*").alias("unit")).select(columns),
        ],
        how="vertical_relaxed",
    )
    grid = pl.concat([units, pl.DataFrame({"unit": ["*"]})]).join(
        limits.select("limit"), how="cross"
    )
    rows = (
        grid.join(counted, on=["unit", "limit"], how="left")
        .with_columns(
            pl.col("evaluated").fill_null(0),
            pl.col("within").fill_null(0),
            pl.col("negative").fill_null(0),
            pl.col("durations_s").fill_null(pl.lit([], pl.List(pl.Float64))),
        )
        .join(limits, on="limit", how="left")
    )
    return (
        rows.with_columns(
            pl.when(pl.col("evaluated") > 0)
            .then(pl.col("within") / pl.col("evaluated"))
            .otherwise(None)
            .alias("share")
        )
        .with_columns(*wilson_exprs("within", "evaluated", "share"))
        .with_columns(
            pl.when(pl.col("target_share").is_null() | pl.col("share").is_null())
            .then(None)
            .otherwise(pl.col("share") >= pl.col("target_share"))
            .alias("meets_target")
        )
        .select(list(LIMIT_SCORE_SCHEMA))
        .sort(["limit", "unit"])
    )


def unit_scores(cases: pl.DataFrame, limits: pl.DataFrame) -> pl.DataFrame:
    """Per unit: cases, conforming share and mean fitness with intervals, time-limit
    compliance, and the rank (:func:`rank_units`).

    Args:
        cases: one row per case: ``unit``, ``conforming``, ``fitness``, ``deviations``,
            ``duration_s``.
        limits: the time-limit table of :func:`limit_scores` (may be empty).

    Returns:
        The unit table (columns :data:`UNIT_COLUMNS`).
    """
    u = cases.group_by("unit").agg(
        pl.len().cast(pl.Int64).alias("cases"),
        pl.col("conforming").sum().cast(pl.Int64).alias("conforming"),
        pl.col("fitness").mean().alias("mean_fitness"),
        pl.col("fitness").std().alias("_sd"),
        pl.col("deviations").sum().cast(pl.Int64).alias("deviations"),
        pl.col("duration_s").median().alias("median_duration_s"),
    )
    u = (
        u.with_columns((pl.col("conforming") / pl.col("cases")).alias("conforming_share"))
        .with_columns(*wilson_exprs("conforming", "cases", "conforming_share"))
        .with_columns(*mean_interval("mean_fitness", "_sd", "cases", "mean_fitness"))
        .drop("_sd")
    )
    return rank_units(_with_compliance(u, limits)).select(UNIT_COLUMNS)


def _with_compliance(units: pl.DataFrame, limits: pl.DataFrame) -> pl.DataFrame:
    """Add each unit's time-limit compliance (all limits pooled; null when no case was
    evaluated) and whether every limit with a target meets it (null when none has one)."""
    if not limits.height:
        return units.with_columns(
            pl.lit(None, pl.Float64).alias("time_limit_compliance"),
            pl.lit(None, pl.Float64).alias("time_limit_compliance_low"),
            pl.lit(None, pl.Float64).alias("time_limit_compliance_high"),
            pl.lit(None, pl.Boolean).alias("time_limits_met"),
        )
    tl = (
        limits.filter(pl.col("unit") != "*")
        .group_by("unit")
        .agg(
            pl.col("within").sum().alias("_w"),
            pl.col("evaluated").sum().alias("_e"),
            pl.col("meets_target").drop_nulls().all().alias("_all_met"),
            pl.col("meets_target").is_not_null().any().alias("_has_target"),
        )
        .with_columns(
            pl.when(pl.col("_e") > 0)
            .then(pl.col("_w") / pl.col("_e"))
            .alias("time_limit_compliance"),
            pl.when(pl.col("_has_target")).then(pl.col("_all_met")).alias("time_limits_met"),
        )
        .with_columns(*wilson_exprs("_w", "_e", "time_limit_compliance"))
        .drop("_w", "_e", "_all_met", "_has_target")
    )
    return units.join(tl, on="unit", how="left")


def activity_scores(
    cases: pl.DataFrame, deviations: pl.DataFrame, labels: Collection[str]
) -> pl.DataFrame:
    """Per unit (and ``"*"``) and activity: cases with each deviation kind, and the rates.

    :func:`activity_counts`, then :func:`activity_table` (an engine that counts elsewhere,
    Spark, shares the finish).

    Args:
        cases: the case table (``unit``).
        deviations: the deviations (``case``, ``unit``, ``kind``, ``activity``, ``allowed``);
            allowed ones do not count.
        labels: the model's activities (each gets a row, deviating or not).

    Returns:
        ``unit``, ``activity``, ``cases``, ``in_model``, one count and one ``<kind>_rate`` per
        deviation kind, ``skip_rate`` and ``insert_rate`` (the share of cases with an
        inserted, repeated, moved or unknown event of the activity — each case once), sorted
        by unit and activity. Every rate is a share of the unit's cases, in [0, 1].
    """
    return activity_table(activity_counts(cases, deviations), labels)


@dataclass(frozen=True)
class ActivityCounts:
    """The aggregate step of :func:`activity_scores`.

    Attributes:
        unit_cases: ``unit``, ``unit_cases`` (Int64).
        kinds: counted (not allowed) deviations per ``unit``, ``activity`` and ``kind``:
            ``n`` distinct cases (Int64); the pseudo-kind :data:`EXTRA` counts cases with any
            of :data:`EXTRA_KINDS`.
        activities: the activities of every deviation, allowed ones included.
    """

    unit_cases: pl.DataFrame
    kinds: pl.DataFrame
    activities: tuple[str, ...]


def activity_counts(cases: pl.DataFrame, deviations: pl.DataFrame) -> ActivityCounts:
    """Cases per unit and deviating cases per unit, activity and kind (the aggregate)."""
    counted = deviations.filter(~pl.col("allowed"))
    extra = counted.filter(pl.col("kind").is_in(EXTRA_KINDS)).with_columns(
        pl.lit(EXTRA).alias("kind")
    )
    kinds = (
        pl.concat([counted, extra])
        .group_by("unit", "activity", "kind")
        .agg(pl.col("case").n_unique().cast(pl.Int64).alias("n"))
    )
    unit_cases = cases.group_by("unit").agg(pl.len().cast(pl.Int64).alias("unit_cases"))
    seen = deviations["activity"].drop_nulls().unique().to_list()
    return ActivityCounts(unit_cases, kinds, tuple(sorted(seen)))


def activity_table(counts: ActivityCounts, labels: Collection[str]) -> pl.DataFrame:
    """The finish of :func:`activity_scores`: every unit (and ``"*"``) × activity, with the
    counts per kind and the rates, from :class:`ActivityCounts`."""
    acts = sorted(set(labels) | set(counts.activities))
    out = _activity_grid(counts.unit_cases, acts).join(
        _kind_counts(counts.kinds), on=["unit", "activity"], how="left"
    )
    for k in (*DEVIATION_KINDS, EXTRA):
        if k not in out.columns:
            out = out.with_columns(pl.lit(0, pl.Int64).alias(k))
    out = (
        out.with_columns([pl.col(k).fill_null(0).cast(pl.Int64) for k in (*DEVIATION_KINDS, EXTRA)])
        .with_columns(
            [(pl.col(k) / pl.col("unit_cases")).alias(f"{k}_rate") for k in DEVIATION_KINDS]
        )
        .with_columns(
            (pl.col(EXTRA) / pl.col("unit_cases")).alias("insert_rate"),
            pl.col("skipped_rate").alias("skip_rate"),
            pl.col("activity").is_in(sorted(labels)).alias("in_model"),
        )
    )
    columns = [
        "unit",
        "activity",
        "cases",
        "in_model",
        *DEVIATION_KINDS,
        *(f"{k}_rate" for k in DEVIATION_KINDS),
        "skip_rate",
        "insert_rate",
    ]
    return (
        out.rename({"unit_cases": "cases"})
        .with_columns(pl.col("cases").cast(pl.Int64))
        .select(columns)
        .sort(["unit", "activity"])
    )


def _activity_grid(unit_cases: pl.DataFrame, activities: list[str]) -> pl.DataFrame:
    """Every unit (and ``"*"``) × activity, with the unit's cases (``unit_cases``)."""
    acts = pl.DataFrame({"activity": activities}, schema={"activity": pl.String})
    per_unit = unit_cases.select("unit", pl.col("unit_cases").cast(pl.Int64)).join(
        acts, how="cross"
    )
    everyone = pl.DataFrame(
        {"unit": ["*"], "unit_cases": [int(unit_cases["unit_cases"].sum())]},
        schema={"unit": pl.String, "unit_cases": pl.Int64},
    ).join(acts, how="cross")
    return pl.concat([per_unit, everyone], how="vertical_relaxed")


#: The pseudo-kind of :class:`ActivityCounts`: cases with an extra event of the activity.
EXTRA = "_extra"
#: The kinds that put an extra event of an activity into a case (``insert_rate``).
EXTRA_KINDS = ("inserted", "repeated", "moved", "unknown_activity")


def _kind_counts(kinds: pl.DataFrame) -> pl.DataFrame:
    """Per unit (and ``"*"``) and activity: cases with each counted kind, one column per kind,
    and :data:`EXTRA` (each case once, so the ``insert_rate`` it gives is a share of cases,
    never above 1)."""
    per = kinds.select("unit", "activity", "kind", pl.col("n").cast(pl.Int64))
    per_all = (
        per.group_by("activity", "kind")
        .agg(pl.col("n").sum())
        .with_columns(pl.lit("*").alias("unit"))
    )
    per = pl.concat([per, per_all.select(per.columns)], how="vertical_relaxed")
    return per.pivot(on="kind", index=["unit", "activity"], values="n", aggregate_function="sum")
