"""The Spark engine: cases, variants and alignments of distinct variants on Apache Spark.

The building blocks of :mod:`fvmprocess.engines.spark_check` (the whole check on Spark):

1. :func:`per_case_table` — a group-by per case collects ``(timestamp, row, activity, unit)``
   and sorts it by timestamp (missing first), then the log's ``row`` number, then the input
   position;
2. :func:`number_variants_spark` — the distinct variants (the activities joined with
   ``"\\x1f"``) numbered as the embedded engine numbers them (most frequent first, ties by the
   joined activities) with a global sort; only a count per sorted partition reaches the
   driver;
3. :func:`align_and_classify_variants` — each partition of distinct variants aligned in one
   batch by an :class:`~fvmprocess.conformance.align.Aligner` built on the executor from the
   pickled net, its moves classified, the results staying on Spark.

:func:`variant_table` (the two tables of :func:`fvmprocess.engines.embedded.variant_table`,
identical after conversion to polars) and :func:`align_variants_spark` (alignments of given
traces) bring their results to the driver, for logs whose variants fit there.

The whole check runs through ``check(process, "exports/*.csv", engine="spark")``,
:func:`fvmprocess.conformance.check.check_spark` (the result's tables still on Spark) or
``fvmprocess check --engine spark``; these blocks also work on their own, on a Spark DataFrame
with columns ``case``, ``activity`` (the standard's ids), ``timestamp``, optionally ``unit``
and ``row``::

    spark = get_session()
    cases, variants = variant_table(spark.read.parquet("s3://…/events/"))
    alignments = align_variants_spark(net, variants["activities"].to_list())

pyspark is the optional extra ``fvmprocess[spark]`` and needs a Java runtime (17+). The session
is ``local[2]`` unless ``FVM_SPARK_MASTER`` names another master (``spark://host:7077``,
``yarn``…); on a real cluster fvmprocess must be installed on the executors too.
``FVM_SPARK_DRIVER_MEMORY`` (default ``2g``) and ``FVM_SPARK_PARTITIONS`` (shuffle
partitions, default 8) apply when the session is first created.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

import polars as pl

from fvmprocess._shared.optional import import_optional
from fvmprocess._shared.vocab import NO_UNIT

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, SparkSession
    from pyspark.sql import DataFrame as SparkDataFrame

    from fvmprocess.conformance.moves import Alignment, AlignmentCosts
    from fvmprocess.petri import PetriNet

__all__ = [
    "align_and_classify_variants",
    "align_variants_spark",
    "arrow_polars",
    "dense_index",
    "get_session",
    "map_in_arrow",
    "number_variants",
    "number_variants_spark",
    "per_case_table",
    "plain_arrow",
    "plain_arrow_type",
    "to_spark",
    "variant_table",
]

_SEP = "\x1f"
#: Stand-in for a missing timestamp when sorting (sorts before every real one, as polars'
#: ``nulls_last=False`` does in :func:`fvmprocess.eventlog.read_log`).
_MIN_LONG = -(2**63)
#: From this many events on, a local session gets a polars frame through a Parquet file.
_STAGE_ROWS = 200_000
_CASE_SCHEMA = {
    "case": pl.String,
    "unit": pl.String,
    "variant": pl.Int64,
    "events": pl.Int64,
    "duration_s": pl.Float64,
}


def get_session(master: str | None = None) -> SparkSession:
    """The Spark session the engine runs on (created on first use, then reused).

    Args:
        master: the Spark master; default ``FVM_SPARK_MASTER`` or ``local[2]``.

    Returns:
        A session with UTC as its time zone, Arrow transfers on and quiet logging.

    Raises:
        ImportError: pyspark is not installed (``pip install 'fvmprocess[spark]'``).

    Example:
        >>> spark = get_session()  # doctest: +SKIP
        >>> spark.conf.get("spark.sql.session.timeZone")  # doctest: +SKIP
        'UTC'
    """
    sql = import_optional("pyspark.sql", extra="spark", purpose="the spark engine (with Java)")
    # the executors' Python: the user's (a packed environment, a node's own) when set
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    with _quiet():
        builder: Any = sql.SparkSession.builder
        spark: SparkSession = (
            builder.master(master or os.environ.get("FVM_SPARK_MASTER", "local[2]"))
            .appName("fvmprocess")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.ui.retainedJobs", "20")
            .config("spark.ui.retainedStages", "20")
            .config("spark.ui.retainedTasks", "200")
            .config("spark.sql.ui.retainedExecutions", "5")
            .config("spark.sql.shuffle.partitions", os.environ.get("FVM_SPARK_PARTITIONS", "8"))
            .config("spark.driver.memory", os.environ.get("FVM_SPARK_DRIVER_MEMORY", "2g"))
            # results: microsecond UTC timestamps, no checksum or _SUCCESS files beside them
            .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
            .config("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem")
            .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
            # partition folders (unit=…) are text, as their names
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .getOrCreate()
        )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def to_spark(frame: pl.DataFrame, spark: SparkSession | None = None) -> SparkDataFrame:
    """A polars DataFrame as a Spark DataFrame (through Arrow).

    Args:
        frame: the frame; zone-aware timestamps become Spark timestamps (UTC instants).
        spark: the session; :func:`get_session` when ``None``.

    Returns:
        The Spark DataFrame.
    """
    spark = spark or get_session()
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    with _quiet():
        try:
            return spark.createDataFrame(table)  # pyspark >= 4.0 takes an Arrow table
        except (TypeError, ValueError):  # pragma: no cover - pyspark 3.5
            return spark.createDataFrame(table.to_pandas())


def _functions() -> ModuleType:
    """``pyspark.sql.functions`` (the error names the extra when pyspark is missing)."""
    return import_optional("pyspark.sql.functions", extra="spark", purpose="the spark engine")


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence pyspark's warning about pandas >= 3 (it is not used on the Arrow paths)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not yet fully support pandas.*")
        yield


def map_in_arrow(sdf: SparkDataFrame, fn: Callable[..., Any], schema: Any) -> SparkDataFrame:
    """``sdf.mapInArrow(fn, schema)`` without pyspark's warning about pandas (unused there)."""
    with _quiet():
        out: SparkDataFrame = sdf.mapInArrow(fn, schema)
    return out


def kept(frame: SparkDataFrame) -> SparkDataFrame:
    """The frame computed now and kept on the executors, its plan cut short.

    A check joins frames derived from frames already joined; caching (``persist``) keeps the
    rows but not the plan, which grows with every stage (to megabytes of text, planned again
    for every job — most of a small log's time, and a driver heap that fills). A checkpoint
    starts the later stages from a plain scan of the kept rows.

    With a checkpoint directory set (``SparkContext.setCheckpointDir``, on storage every node
    reaches) the copy is written there and survives a lost executor; otherwise it is a local
    checkpoint in the executors' block stores (a lost executor fails the check instead of
    recomputing it).
    """
    if frame.sparkSession.sparkContext.getCheckpointDir():
        return frame.checkpoint(eager=True)
    return frame.localCheckpoint(eager=True)


def _to_polars(frame: SparkDataFrame) -> pl.DataFrame:
    with _quiet():
        if hasattr(frame, "toArrow"):
            out = pl.from_arrow(frame.toArrow())
        else:  # pragma: no cover - pyspark 3.5
            out = pl.from_pandas(frame.toPandas())
    assert isinstance(out, pl.DataFrame)
    return out


def variant_table(events: pl.DataFrame | SparkDataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cases and their distinct variants, computed on Spark.

    Args:
        events: a polars frame (an :class:`EventLog`'s events: ``case``, ``activity``,
            ``timestamp``, maybe ``unit`` and ``row``) or a Spark DataFrame with those columns
            (for instance read from Parquet with ``get_session().read.parquet(path)``).

    Returns:
        ``(cases, variants)`` exactly as :func:`fvmprocess.engines.embedded.variant_table`:
        ``cases`` has ``case``, ``unit``, ``variant``, ``events``, ``start``, ``end``,
        ``duration_s`` (in the order the cases first appear); ``variants`` has ``variant``
        (0 = most frequent; ties broken by the activities joined with ``"\\x1f"``),
        ``activities`` and ``cases``.

    Example:
        >>> cases, variants = variant_table(log.events)  # doctest: +SKIP
    """
    F = _functions()

    ts_dtype: pl.DataType = pl.Datetime("us", "UTC")
    if not isinstance(events, pl.DataFrame):
        sdf = events
        if "_pos" not in sdf.columns:
            sdf = sdf.withColumn("_pos", F.monotonically_increasing_id())
        return _variant_table(sdf, ts_dtype)
    spark = get_session()
    if isinstance(events.schema.get("timestamp"), pl.Datetime):
        ts_dtype = events.schema["timestamp"]
    cols = ["case", "activity", "timestamp"] + [c for c in ("unit", "row") if c in events.columns]
    frame = events.select(cols).with_row_index("_pos").with_columns(pl.col("_pos").cast(pl.Int64))
    if frame.height < _STAGE_ROWS or not str(spark.sparkContext.master or "").startswith("local"):
        return _variant_table(to_spark(frame, spark), ts_dtype)
    # a local master reads a Parquet file far faster than rows pushed through Py4J
    with tempfile.TemporaryDirectory(prefix="fvmprocess-spark-") as tmp:
        path = os.path.join(tmp, "events.parquet")
        frame.write_parquet(path, compression="lz4", statistics=False)
        return _variant_table(spark.read.parquet(path), ts_dtype)


def _variant_table(sdf: SparkDataFrame, ts_dtype: pl.DataType) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The two tables: the cases grouped on Spark, the distinct variants numbered here."""
    F = _functions()
    per_case = per_case_table(sdf).persist()
    try:
        variants = number_variants(
            _to_polars(
                per_case.groupBy("_key").agg(
                    F.first("activities").alias("activities"),
                    F.count(F.lit(1)).cast("long").alias("cases"),
                )
            )
        )
        numbers = to_spark(variants.select("_key", "variant"), per_case.sparkSession)
        cases_sdf = per_case.join(F.broadcast(numbers), on="_key", how="left").select(
            "case", "unit", "variant", "events", "start", "end", "duration_s", "_first"
        )
        cases = _to_polars(cases_sdf)
    finally:
        per_case.unpersist()
    cases = (
        cases.sort("_first")
        .drop("_first")
        .with_columns(
            *(pl.col(c).cast(t) for c, t in _CASE_SCHEMA.items()),
            pl.col("start").cast(ts_dtype),
            pl.col("end").cast(ts_dtype),
        )
        .select("case", "unit", "variant", "events", "start", "end", "duration_s")
    )
    return cases, variants.select("variant", "activities", "cases")


def per_case_table(sdf: SparkDataFrame) -> SparkDataFrame:
    """One row per case: its sorted activities, unit, events, start, end, duration, the
    joined activities ``_key`` and the sorted events ``_ev`` (structs with the activity ``a``
    and time ``ts``; sorted by time, missing first, then row, then input position ``_pos``)."""
    F = _functions()
    has_unit = "unit" in sdf.columns
    # naive timestamps (TIMESTAMP_NTZ) are read as UTC, the session time zone
    sdf = sdf.withColumn("timestamp", F.col("timestamp").cast("timestamp"))
    row = F.col("row").cast("long") if "row" in sdf.columns else F.col("_pos").cast("long")
    ev = F.struct(
        F.coalesce(F.unix_micros(F.col("timestamp")), F.lit(_MIN_LONG)).alias("t"),
        row.alias("r"),
        F.col("_pos").cast("long").alias("p"),
        F.col("activity").cast("string").alias("a"),
        (F.col("unit").cast("string") if has_unit else F.lit(None).cast("string")).alias("u"),
        F.col("timestamp").alias("ts"),
    )
    out: SparkDataFrame = (
        sdf.groupBy("case")
        .agg(
            F.sort_array(F.collect_list(ev)).alias("_ev"),
            F.count(F.lit(1)).alias("events"),
            F.min("timestamp").alias("start"),
            F.max("timestamp").alias("end"),
            F.min("_pos").alias("_first"),
        )
        .select(
            F.col("case").cast("string").alias("case"),
            F.transform("_ev", lambda x: x["a"]).alias("activities"),
            F.coalesce(
                F.expr("try_element_at(filter(_ev, x -> x.u IS NOT NULL), 1).u"),
                F.lit(NO_UNIT),
            ).alias("unit"),
            F.col("events").cast("long").alias("events"),
            "start",
            "end",
            ((F.unix_micros("end") - F.unix_micros("start")) / F.lit(1e6)).alias("duration_s"),
            "_first",
            "_ev",
        )
        .withColumn("_key", F.concat_ws(_SEP, "activities"))
    )
    return out


def number_variants(distinct: pl.DataFrame) -> pl.DataFrame:
    """Number the distinct variants as the embedded engine does: most frequent first, ties
    by the joined activities."""
    return (
        distinct.with_columns(
            pl.col("cases").cast(pl.Int64), pl.col("activities").cast(pl.List(pl.String))
        )
        .sort(["cases", "_key"], descending=[True, False])
        .with_row_index("variant")
        .with_columns(pl.col("variant").cast(pl.Int64))
    )


def align_variants_spark(
    net: PetriNet,
    variants: Iterable[Sequence[str]],
    *,
    costs: AlignmentCosts | None = None,
    partitions: int | None = None,
    spark: SparkSession | None = None,
) -> list[Alignment]:
    """Align traces on the Spark executors; each distinct trace is aligned once.

    The net (and costs) are pickled with the task; every partition builds one
    :class:`~fvmprocess.conformance.align.Aligner` and aligns its traces, so the results are
    exactly those of :meth:`Aligner.align_variants
    <fvmprocess.conformance.align.Aligner.align_variants>`.

    Args:
        net: the workflow net.
        variants: the traces (usually the distinct variants of a log).
        costs: move costs; the standard cost function when ``None``.
        partitions: Spark partitions (default: 4 per core of the session).
        spark: the session; :func:`get_session` when ``None``.

    Returns:
        One alignment per input trace, in input order.

    Example:
        >>> [a.cost for a in align_variants_spark(net, [["A", "B"], ["B"]])]  # doctest: +SKIP
        [0.0, 1.0]
    """
    keys = [tuple(v) for v in variants]
    todo = sorted(set(keys))
    if not todo:
        return []
    sc = (spark or get_session()).sparkContext
    n = partitions or max(1, min(len(todo), 4 * sc.defaultParallelism))

    def align_partition(part: Iterable[tuple[str, ...]]) -> Iterator[tuple[tuple[str, ...], Any]]:
        from fvmprocess.conformance.align import Aligner

        traces = list(part)
        if traces:  # one batch a partition
            yield from zip(traces, Aligner(net, costs=costs).align_variants(traces), strict=True)

    found = dict(sc.parallelize(todo, n).mapPartitions(align_partition).collect())
    return [found[k] for k in keys]


def dense_index(
    rows: SparkDataFrame, group: Column, index: Column, name: str, *, base: int = 0
) -> SparkDataFrame:
    """``rows`` with ``name``: ``base``, ``base + 1``, … continuous over the groups in the
    order of ``group``, within a group by ``index`` (0, 1, … in each group). Only one count
    per group reaches the driver (a file, a partition)."""
    F = _functions()
    counts = rows.groupBy(group.alias("_g")).count().orderBy("_g").collect()
    offsets, total = {}, base
    for r in counts:
        offsets[r["_g"]] = total
        total += int(r["count"])
    if not offsets:
        return rows.withColumn(name, F.lit(None).cast("long"))
    start = F.create_map(*[x for k, v in offsets.items() for x in (F.lit(k), F.lit(v))])
    return rows.withColumn(name, (F.element_at(start, group) + index).cast("long"))


def number_variants_spark(distinct: SparkDataFrame) -> SparkDataFrame:
    """:func:`number_variants` as Spark jobs (the variants never reach the driver): a global
    sort (most frequent first, ties by ``_key``), numbered within each sorted partition.

    Args:
        distinct: one row per variant: ``_key``, ``activities``, ``cases``.

    Returns:
        ``variant``, ``_key``, ``activities``, ``cases`` (kept: :func:`kept`).
    """
    F = _functions()
    ordered = kept(  # the ids fixed once: the offsets and the numbers read the same rows
        distinct.orderBy(F.col("cases").desc(), F.col("_key").asc()).withColumn(
            "_mid", F.monotonically_increasing_id()
        )
    )
    part = F.shiftright(F.col("_mid"), 33)
    numbered = dense_index(ordered, part, F.col("_mid") - F.shiftleft(part, 33), "variant")
    return kept(
        numbered.select("variant", "_key", "activities", F.col("cases").cast("long").alias("cases"))
    )


def align_and_classify_variants(
    variants: SparkDataFrame,
    net: PetriNet,
    *,
    costs: AlignmentCosts | None = None,
    name_moves: Callable[[pl.DataFrame], pl.DataFrame] = lambda f: f,
    partitions: int | None = None,
) -> SparkDataFrame:
    """Each distinct variant aligned and classified on the executors, the results staying on
    Spark: :func:`fvmprocess.conformance.classify.scored_variants` per partition (one
    :class:`~fvmprocess.conformance.align.Aligner` and one batch a partition).

    Args:
        variants: ``variant``, ``_key``, ``activities``, ``cases`` (:func:`number_variants_spark`).
        net: the workflow net (pickled with the tasks).
        costs: move costs; the standard cost function when ``None``.
        name_moves: adds columns to every move (``activity``, ``activity_name``).
        partitions: Spark partitions (default: 4 per core of the session).

    Returns:
        The variants with ``cost``, ``worst_cost``, ``exact``, ``cost_lower``, ``moves``,
        ``fitness`` and ``_devs`` (the deviations: ``kind``, ``activity``, ``position``,
        ``dev_cost``), in no particular order.
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    sample = pl.DataFrame(
        {"variant": [0], "_key": [""], "activities": [[]], "cases": [1]},
        schema={"variant": pl.Int64, "_key": pl.String, "activities": pl.List(pl.String),
                "cases": pl.Int64},
    )  # fmt: skip
    target = plain_arrow(_scored_part(sample, net, costs, name_moves).clear()).schema

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        frames = [arrow_polars(b) for b in batches if b.num_rows]
        if frames:
            out = _scored_part(pl.concat(frames), net, costs, name_moves)
            yield from plain_arrow(out).cast(target).to_batches()

    n = partitions or max(1, 4 * variants.sparkSession.sparkContext.defaultParallelism)
    chosen = variants.select("variant", "_key", "activities", "cases").repartition(n)
    return map_in_arrow(chosen, run, from_arrow_schema(target))


def _scored_part(
    part: pl.DataFrame,
    net: PetriNet,
    costs: AlignmentCosts | None,
    name_moves: Callable[[pl.DataFrame], pl.DataFrame],
) -> pl.DataFrame:
    """One partition's variants aligned in one batch, classified and scored, with their
    deviations nested (``_devs``, an empty list for none)."""
    from fvmprocess.conformance.align import Aligner
    from fvmprocess.conformance.classify import classify, scored_variants

    traces = [tuple(v) for v in part["activities"].to_list()]
    found = [
        (al, classify(al.moves, net.labels, costs=costs))
        for al in Aligner(net, costs=costs).align_variants(traces)
    ]
    scored, devs = scored_variants(part, found)
    nested = devs.group_by("variant").agg(pl.struct(pl.exclude("variant")).alias("_devs"))
    joined = name_moves(scored).join(nested, on="variant", how="left")
    return joined.with_columns(pl.col("_devs").fill_null(pl.lit([], dtype=nested.schema["_devs"])))


def arrow_polars(batch: pa.RecordBatch | pa.Table) -> pl.DataFrame:
    """An Arrow batch or table as a polars frame."""
    out = pl.from_arrow(batch)
    assert isinstance(out, pl.DataFrame)
    return out


def plain_arrow_type(t: pa.DataType) -> pa.DataType:
    """An Arrow type with the string and list types Spark declares (not their large forms),
    also inside lists and structs."""
    import pyarrow as pa

    if pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        return pa.list_(plain_arrow_type(t.value_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, plain_arrow_type(f.type)) for f in t])
    return t


def plain_arrow(frame: pl.DataFrame) -> pa.Table:
    """A polars frame as Arrow with the types Spark declares."""
    import pyarrow as pa

    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    return table.cast(pa.schema([(f.name, plain_arrow_type(f.type)) for f in table.schema]))
