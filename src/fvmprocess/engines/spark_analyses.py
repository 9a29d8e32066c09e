"""The check's analyses on Spark: their aggregates as Spark jobs, finished as the embedded engine.

:func:`analysis_counts_spark` makes the :class:`~fvmprocess.conformance.analyses.AnalysisCounts`
the embedded engine makes with polars (:func:`~fvmprocess.conformance.analyses.analysis_counts`);
:func:`~fvmprocess.conformance.analyses.finish_analyses` then turns them into the same tables.
Only these aggregates reach the driver:

* periods: per unit and period, cases, conforming cases, the sum and count of fitness and the
  time limits evaluated and met (:func:`fvmprocess.trends.period_counts`);
* milestones: per unit and local day, cases and conforming cases
  (:func:`fvmprocess.trends.day_counts`);
* causes: per attribute its facts (type, cases with a value, distinct values, whether a value
  looks like a personnummer — tested on the executors with the embedded engine's pattern), the
  value counts of binned numbers, cases per attribute value and deviating cases per kind,
  activity, attribute and value (:class:`fvmprocess.causes.CauseCounts`);
* practice: per unit, cases, activities and directly-follows pairs with their frequencies and
  cases (:class:`fvmprocess.practice.PracticeCounts`).

Internal: used by :mod:`fvmprocess.engines.spark_check`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import polars as pl

from fvmprocess._shared.privacy import PNR_PATTERN
from fvmprocess.causes import (
    DERIVED_ATTRIBUTES,
    MISSING,
    AttributeFacts,
    CauseCounts,
    CauseOptions,
    attribute_plan,
    bin_edges,
    bin_labels,
    wanted_attributes,
)
from fvmprocess.conformance.analyses import AnalysisCounts, cause_options
from fvmprocess.engines.spark import _MIN_LONG, _functions, _to_polars, kept, map_in_arrow
from fvmprocess.eventlog.columns import STANDARD_COLUMNS
from fvmprocess.practice import END, PRACTICE_COUNT_SCHEMAS, START, PracticeCounts
from fvmprocess.trends import PERIOD_COUNTS_SCHEMA

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column
    from pyspark.sql import DataFrame as SparkDataFrame

    from fvmprocess.conformance.options import CheckOptions

__all__ = ["analysis_counts_spark"]

_TRUNC = {"week": "week", "month": "month", "quarter": "quarter"}


def analysis_counts_spark(
    cases: SparkDataFrame,
    deviations: SparkDataFrame,
    events: SparkDataFrame,
    limit_rows: SparkDataFrame | None,
    opts: CheckOptions,
    *,
    timezone: str,
) -> AnalysisCounts:
    """The aggregates of the analyses the options ask for, as Spark jobs.

    Args:
        cases: the scored cases with their sorted ``activities`` (``case``, ``unit``,
            ``start``, ``conforming``, ``fitness``, ``activities``).
        deviations: every deviation with ``allowed``.
        events: the matched events, units assigned (``case``, ``timestamp``, ``row``,
            ``_pos`` and the log's extra columns).
        limit_rows: per case and limit ``_dur`` and ``_late`` (None: no limit evaluated).
        opts: the analyses' options.
        timezone: the log's time zone.

    Returns:
        The :class:`~fvmprocess.conformance.analyses.AnalysisCounts`.
    """
    found_periods = found_days = None
    if opts.period is not None:
        found_periods = _period_counts(cases, limit_rows, opts.period, timezone)
    if opts.milestones:
        found_days = _day_counts(cases, timezone)
    found_causes = None
    if opts.causes:
        found_causes = _cause_counts(cases, deviations, events, cause_options(opts), timezone)
    found_practice = _practice_counts(cases) if opts.practice else None
    return AnalysisCounts(found_periods, found_days, found_causes, found_practice)


def _typed(frame: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    return frame.select(pl.col(c).cast(t) for c, t in schema.items())


def _local_day(column: str, timezone: str) -> Column:
    """The local calendar date of a UTC instant."""
    F = _functions()
    day: Column = F.to_date(F.from_utc_timestamp(F.col(column), timezone))
    return day


# -- periods and milestones --------------------------------------------------------------------


def _period_counts(
    cases: SparkDataFrame, limit_rows: SparkDataFrame | None, period: str, timezone: str
) -> pl.DataFrame:
    """:func:`fvmprocess.trends.period_counts` with the time limits per case pooled as
    :func:`fvmprocess.conformance.analyses.case_compliance` pools them."""
    F = _functions()
    timed = cases.filter(F.col("start").isNotNull())
    if limit_rows is None:
        timed = timed.withColumn("_e", F.lit(0)).withColumn("_w", F.lit(0))
    else:
        ordered = F.col("_dur") >= 0
        per_case = limit_rows.groupBy("case").agg(
            F.sum(F.when(ordered, 1).otherwise(0)).alias("_e"),
            F.sum(F.when(ordered & ~F.col("_late"), 1).otherwise(0)).alias("_w"),
        )
        timed = timed.join(per_case, on="case", how="left").fillna(0, subset=["_e", "_w"])
    grouped = timed.groupBy(
        F.col("unit"), F.trunc(_local_day("start", timezone), _TRUNC[period]).alias("period")
    ).agg(
        F.count(F.lit(1)).alias("cases"),
        F.sum(F.col("conforming").cast("long")).alias("conforming"),
        F.sum("fitness").alias("fitness_sum"),
        F.count("fitness").alias("fitness_n"),
        F.sum("_e").alias("time_limit_evaluated"),
        F.sum("_w").alias("time_limit_within"),
    )
    return _typed(_to_polars(grouped), PERIOD_COUNTS_SCHEMA)


def _day_counts(cases: SparkDataFrame, timezone: str) -> pl.DataFrame:
    """:func:`fvmprocess.trends.day_counts`: per unit and local day, cases and conforming."""
    F = _functions()
    grouped = (
        cases.filter(F.col("start").isNotNull())
        .groupBy(F.col("unit"), _local_day("start", timezone).alias("period"))
        .agg(
            F.count(F.lit(1)).alias("cases"),
            F.sum(F.col("conforming").cast("long")).alias("conforming"),
        )
    )
    got = _to_polars(grouped)
    return got.select(
        pl.col("unit").cast(pl.String),
        pl.col("period").cast(pl.Date),
        pl.col("period").cast(pl.Date).dt.offset_by("1d").alias("period_end"),
        pl.col("cases").cast(pl.Int64),
        pl.col("conforming").cast(pl.Int64),
    ).sort("unit", "period")


# -- practice ----------------------------------------------------------------------------------


def _practice_counts(cases: SparkDataFrame) -> PracticeCounts:
    """Per unit: cases, steps and directly-follows pairs (start and end included), from each
    case's sorted activities."""
    F = _functions()
    acts = F.col("activities")
    steps = (
        cases.select("unit", "case", F.explode(acts).alias("activity"))
        .groupBy("unit", "activity")
        .agg(F.count(F.lit(1)).alias("events"), F.countDistinct("case").alias("cases"))
    )
    sources = F.concat(F.array(F.lit(START)), acts)
    targets = F.concat(acts, F.array(F.lit(END)))
    pairs = (
        cases.select("unit", "case", F.explode(F.arrays_zip(sources, targets)).alias("_p"))
        .select("unit", "case", F.col("_p")["0"].alias("source"), F.col("_p")["1"].alias("target"))
        .groupBy("unit", "source", "target")
        .agg(F.count(F.lit(1)).alias("frequency"), F.countDistinct("case").alias("cases"))
    )
    unit_cases = cases.groupBy("unit").agg(F.countDistinct("case").alias("unit_cases"))
    tables = {"unit_cases": unit_cases, "steps": steps, "pairs": pairs}
    typed = {n: _typed(_to_polars(t), PRACTICE_COUNT_SCHEMAS[n]) for n, t in tables.items()}
    return PracticeCounts(**typed)


# -- causes ------------------------------------------------------------------------------------


def _cause_counts(
    cases: SparkDataFrame,
    deviations: SparkDataFrame,
    events: SparkDataFrame,
    opts: CauseOptions,
    timezone: str,
) -> CauseCounts:
    """:func:`fvmprocess.causes.cause_counts` over the values of
    :func:`~fvmprocess.causes.prepare_values`, made on Spark."""
    F = _functions()
    extras = [c for c in events.columns if c not in STANDARD_COLUMNS and not c.startswith("_")]
    attributes = kept(_case_attributes(cases.select("case", "start"), events, extras))
    facts = _facts(attributes, wanted_attributes(extras, opts))
    used, excluded = attribute_plan(extras, facts, opts, has_time=True, time_col="start")
    long = _long_values(attributes, used, opts, timezone)
    counted = deviations if opts.count_allowed else deviations.filter(~F.col("allowed"))
    hits = counted.select("kind", "activity", "case").distinct()
    deviating = hits.groupBy("kind", "activity").agg(F.count(F.lit(1)).alias("total_deviating"))
    sizes = long.groupBy("attribute", "value").agg(F.count(F.lit(1)).alias("cases"))
    per_value = (
        hits.join(long, on="case")
        .groupBy("kind", "activity", "attribute", "value")
        .agg(F.count(F.lit(1)).alias("deviating"))
    )
    return CauseCounts(
        cases=attributes.count(),
        deviating=CauseCounts.typed("deviating", _to_polars(deviating)),
        sizes=CauseCounts.typed("sizes", _to_polars(sizes)),
        hits=CauseCounts.typed("hits", _to_polars(per_value)),
        used=used,
        excluded=excluded,
    )


def _long_values(
    attributes: SparkDataFrame, used: Mapping[str, str], opts: CauseOptions, timezone: str
) -> SparkDataFrame:
    """One row per case and used attribute: ``case``, ``attribute``, ``value`` (text)."""
    F = _functions()
    if not used:
        empty: SparkDataFrame = attributes.sparkSession.createDataFrame(
            [], "case string, attribute string, value string"
        )
        return empty
    pairs = [_value(attributes, name, how, opts, timezone) for name, how in used.items()]
    out: SparkDataFrame = attributes.select("case", F.explode(F.array(*pairs)).alias("_v")).select(
        "case", F.col("_v")["a"].alias("attribute"), F.col("_v")["v"].alias("value")
    )
    return out


def _case_attributes(
    cases: SparkDataFrame, events: SparkDataFrame, extras: list[str]
) -> SparkDataFrame:
    """Every case with the values of its first event (by time, missing first, then row)."""
    F = _functions()
    if not extras:
        return cases
    order = F.struct(
        F.coalesce(F.unix_micros(F.col("timestamp")), F.lit(_MIN_LONG)).alias("t"),
        F.col("row").cast("long").alias("r"),
        F.col("_pos").cast("long").alias("p"),
    )
    first = events.groupBy("case").agg(
        F.min_by(F.struct(*[F.col(f"`{c}`") for c in extras]), order).alias("_a")
    )
    flat = first.select("case", *[F.col("_a")[c].alias(c) for c in extras])
    return cases.join(flat, on="case", how="left")


def _polars_dtype(spark_type: str) -> pl.DataType:
    """The polars type a Spark column type stands for (as the embedded engine would see it)."""
    simple: dict[str, pl.DataType] = {
        "string": pl.String(),
        "bigint": pl.Int64(),
        "int": pl.Int32(),
        "smallint": pl.Int16(),
        "tinyint": pl.Int8(),
        "double": pl.Float64(),
        "float": pl.Float32(),
        "boolean": pl.Boolean(),
        "date": pl.Date(),
        "timestamp": pl.Datetime("us", "UTC"),
        "timestamp_ntz": pl.Datetime("us"),
    }
    if spark_type in simple:
        return simple[spark_type]
    if spark_type.startswith("decimal"):
        return pl.Decimal()
    return pl.Binary()


def _facts(attributes: SparkDataFrame, names: list[str]) -> dict[str, AttributeFacts]:
    """Each attribute's :class:`~fvmprocess.causes.AttributeFacts`, aggregated on Spark."""
    F = _functions()
    if not names:
        return {}
    types = {c: _polars_dtype(t) for c, t in attributes.dtypes}
    aggs = []
    for i, c in enumerate(names):
        col = F.col(f"`{c}`")
        aggs += [F.count(col).alias(f"p{i}"), F.countDistinct(col).alias(f"d{i}")]
    row = attributes.agg(*aggs).collect()[0]
    checked = [c for c in names if types[c] == pl.String or types[c].is_integer()]
    pnr = _personnummer(attributes, checked)
    return {
        c: AttributeFacts(types[c], int(row[f"p{i}"]), int(row[f"d{i}"]), c in pnr)
        for i, c in enumerate(names)
    }


def _personnummer(attributes: SparkDataFrame, names: list[str]) -> set[str]:
    """The attributes with a value that looks like a personnummer (the embedded engine's
    pattern, run on the executors over each column's values as text)."""
    if not names:
        return set()
    import pyarrow as pa

    F = _functions()

    def scan(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        hits = [False] * len(names)
        for b in batches:
            for i, values in enumerate(b.columns):
                if not hits[i]:
                    hits[i] = any(
                        PNR_PATTERN.search(v) for v in set(values.to_pylist()) if v is not None
                    )
        yield pa.RecordBatch.from_pydict({"i": list(range(len(names))), "hit": hits})

    text = attributes.select(*[F.col(f"`{c}`").cast("string").alias(f"c{i}") for i, c in
                               enumerate(names)])  # fmt: skip
    scanned = map_in_arrow(text, scan, "i long, hit boolean")
    got = scanned.groupBy("i").agg(F.max("hit")).collect()
    return {names[int(r[0])] for r in got if r[1]}


def _value(
    attributes: SparkDataFrame, name: str, how: str, opts: CauseOptions, timezone: str
) -> Column:
    """``struct(a = attribute, v = the case's value as text)`` for one used attribute."""
    F = _functions()
    if how == "derived":
        value = _derived(name, opts, timezone)
    elif how == "binned":
        value = _binned(attributes, name, opts.bins)
    else:
        value = F.coalesce(F.col(f"`{name}`").cast("string"), F.lit(MISSING))
    out: Column = F.struct(F.lit(name).alias("a"), value.alias("v"))
    return out


def _binned(attributes: SparkDataFrame, name: str, bins: int) -> Column:
    """The bin label of each value: edges from the value counts (an aggregate), as
    :func:`fvmprocess.causes.bin_edges` draws them."""
    F = _functions()
    col = F.col(f"`{name}`").cast("double")
    counted = (
        attributes.select(col.alias("x"))
        .filter(F.col("x").isNotNull())
        .groupBy("x")
        .count()
        .orderBy("x")
        .collect()
    )
    edges = bin_edges([float(r[0]) for r in counted], [int(r[1]) for r in counted], bins)
    labels = bin_labels(edges)
    index: Column = F.lit(0)
    for e in edges[1:-1]:
        index = index + F.when(col >= F.lit(e), 1).otherwise(0)
    table = F.create_map(*[x for i, lab in enumerate(labels) for x in (F.lit(i), F.lit(lab))])
    value: Column = F.when(col.isNull(), F.lit(MISSING)).otherwise(F.element_at(table, index))
    return value


def _derived(name: str, opts: CauseOptions, timezone: str) -> Column:
    """``hour_band`` or ``day_type`` of the case's first event, in local time."""
    F = _functions()
    assert name in DERIVED_ATTRIBUTES
    local = F.from_utc_timestamp(F.col("start"), timezone)
    missing = F.col("start").isNull()
    if name == "day_type":
        weekend = F.dayofweek(local).isin(1, 7)
        kind: Column = (
            F.when(missing, F.lit(MISSING))
            .when(weekend, F.lit("weekend"))
            .otherwise(F.lit("weekday"))
        )
        return kind
    day, evening, night = opts.hour_bands
    hour = F.hour(local)
    band: Column = (
        F.when(missing, F.lit(MISSING))
        .when((hour >= day) & (hour < evening), F.lit("day"))
        .when((hour >= evening) & (hour < night), F.lit("evening"))
        .otherwise(F.lit("night"))
    )
    return band
