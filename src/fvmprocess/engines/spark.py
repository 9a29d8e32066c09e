"""The Spark engine: variant extraction and alignments of distinct variants on Apache Spark.

The same two tables as :mod:`fvmprocess.engines.embedded` (identical after conversion to
polars: columns, dtypes, values, row order and variant numbering), computed as Spark jobs:

1. a group-by per case collects ``(timestamp, row, activity, unit)`` and sorts it by timestamp
   (missing first), then the log's ``row`` number, then the input position;
2. a group-by per variant (the activities joined with ``"\\x1f"``) counts the cases; the
   distinct variants (few: thousands for millions of cases) come to the driver, are numbered
   there exactly as the embedded engine numbers them (most frequent first, ties by the joined
   activities) and are broadcast back to label the cases.

:func:`align_variants_spark` ships the distinct variants to the executors; each partition
builds one :class:`~fvmprocess.conformance.align.Aligner` from the pickled net and aligns
its share.

Use it through ``check(process, log, engine="spark")`` (the log is read on this machine, the
group-bys run on Spark; a large frame reaches a local session through a temporary Parquet
file, several times faster than pushing rows through Py4J), or, for event data that does not
fit one machine, directly on a Spark DataFrame read from Parquet (columns ``case``,
``activity`` with the standard's activity ids, ``timestamp``, optionally ``unit`` and
``row``)::

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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

import polars as pl

from fvmprocess._shared.optional import import_optional
from fvmprocess._shared.vocab import NO_UNIT

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkDataFrame
    from pyspark.sql import SparkSession

    from fvmprocess.conformance.classify import Deviation
    from fvmprocess.conformance.moves import Alignment, AlignmentCosts
    from fvmprocess.petri import PetriNet

__all__ = [
    "align_and_classify_spark",
    "align_variants_spark",
    "get_session",
    "number_variants",
    "per_case_table",
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
    found = _on_executors(net, variants, costs, partitions, spark, classify_moves=False)
    return [al for al, _ in found]


def align_and_classify_spark(
    net: PetriNet,
    variants: Iterable[Sequence[str]],
    *,
    costs: AlignmentCosts | None = None,
    partitions: int | None = None,
    spark: SparkSession | None = None,
) -> list[tuple[Alignment, list[Deviation]]]:
    """:func:`align_variants_spark`, each alignment's moves also classified on the executor
    by :func:`fvmprocess.conformance.classify.classify` (against the net's labels).

    Returns:
        One ``(alignment, deviations)`` per input trace, in input order.
    """
    return _on_executors(net, variants, costs, partitions, spark, classify_moves=True)


def _on_executors(
    net: PetriNet,
    variants: Iterable[Sequence[str]],
    costs: AlignmentCosts | None,
    partitions: int | None,
    spark: SparkSession | None,
    *,
    classify_moves: bool,
) -> list[tuple[Alignment, list[Deviation]]]:
    """Each distinct trace aligned (and classified) once in a Spark task; input order."""
    keys = [tuple(v) for v in variants]
    todo = sorted(set(keys))
    if not todo:
        return []
    spark = spark or get_session()
    sc = spark.sparkContext
    n = partitions or max(1, min(len(todo), 4 * sc.defaultParallelism))

    def align_partition(part: Iterable[tuple[str, ...]]) -> Iterable[tuple[tuple[str, ...], Any]]:
        from fvmprocess.conformance.align import Aligner
        from fvmprocess.conformance.classify import classify

        traces = list(part)
        if not traces:
            return iter(())
        aligner = Aligner(net, costs=costs)
        out = []
        for t, al in zip(traces, aligner.align_variants(traces), strict=True):  # one batch
            devs = classify(al.moves, net.labels, costs=costs) if classify_moves else []
            out.append((t, (al, devs)))
        return iter(out)

    found = dict(sc.parallelize(todo, n).mapPartitions(align_partition).collect())
    return [found[k] for k in keys]
