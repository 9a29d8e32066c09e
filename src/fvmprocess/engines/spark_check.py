"""The whole check on Spark: every per-event and per-case stage a Spark job.

:func:`check_on_spark` wires the stages; nothing per case or per variant passes through the
driver, only aggregates (per unit, activity and limit, the headline figures) and the log's
distinct activity names:

1. :func:`_match` — the log's distinct activities matched to the standard's ids (the rule of
   :func:`fvmprocess.conformance.check`, handed in as ``plan.rename``);
2. :func:`~fvmprocess.engines.spark.per_case_table` — each case's events ordered, its
   variant key; :func:`~fvmprocess.engines.spark.number_variants_spark` numbers the distinct
   variants with a global sort (only a count per partition reaches the driver);
3. :func:`~fvmprocess.engines.spark.align_and_classify_variants` — the distinct variants
   aligned (one batch a partition) and classified
   (:func:`fvmprocess.conformance.classify.classify`) on the executors, joined back to the
   cases there;
4. :func:`_structural` — the variants' deviations joined back to the cases, with the time of
   the event;
5. :func:`_limit_rows` — the time limits per case, in the log's zone;
6. :func:`_allowed` and :func:`_scored_cases` — the allow-list, per-case cost, fitness and
   conformance;
7. :func:`_limit_scores` and :func:`_unit_scores` — :func:`fvmprocess.scoring.limit_scores`
   and :func:`~fvmprocess.scoring.unit_scores` run per unit on the executors (grouped
   ``applyInArrow``), ranked on the driver; :func:`_activity_scores` from counts per unit,
   activity and kind.

The result (:class:`SparkConformance`) keeps the per-case and per-variant tables on Spark: :meth:`write`
writes the folder ``OUT/<table>.parquet`` + ``OUT/summary.json`` from the executors,
:meth:`collect` brings everything to the driver as a
:class:`~fvmprocess.conformance.result.ConformanceResult` (what ``check(…, engine="spark")``
returns).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from fvmprocess.conformance.analyses import Analyses, finish_analyses
from fvmprocess.conformance.result import (
    AppliedOptions,
    ConformanceResult,
    ProcessInfo,
)
from fvmprocess.conformance.timelimits import limit_table
from fvmprocess.engines.embedded import EPISODE_SEPARATOR, UNIT_ASSIGNMENTS, UnitAssignment
from fvmprocess.engines.spark import (
    _MIN_LONG,
    _functions,
    _quiet,
    _to_polars,
    align_and_classify_variants,
    arrow_polars,
    get_session,
    kept,
    number_variants_spark,
    per_case_table,
    plain_arrow,
    to_spark,
)
from fvmprocess.engines.spark_analyses import analysis_counts_spark
from fvmprocess.engines.spark_read import SparkLog
from fvmprocess.errors import ConformanceError
from fvmprocess.eventlog import Accounting, EventLog
from fvmprocess.scoring import (
    EXTRA,
    EXTRA_KINDS,
    LIMIT_SCORE_SCHEMA,
    UNIT_COLUMNS,
    ActivityCounts,
    activity_table,
    limit_scores,
    rank_units,
    unit_scores,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, SparkSession
    from pyspark.sql import DataFrame as SparkDataFrame

    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.conformance.allow import Allow
    from fvmprocess.conformance.moves import AlignmentCosts
    from fvmprocess.conformance.options import CheckOptions
    from fvmprocess.process import ResolvedProcess
    from fvmprocess.timelimit import TimeLimit

__all__ = [
    "SparkConformance",
    "SparkPlan",
    "SparkUnitsAssigned",
    "assign_units_spark",
    "check_on_spark",
    "events_on_spark",
]

_log = logging.getLogger(__name__)
#: The tables of a result folder, each ``OUT/<table>.parquet``.
TABLES = ("cases", "deviations", "variants", "units", "activities", "time_limits")
_SCHEMA = "fvmprocess.conformance"
_DEV_COLUMNS = ("case", "unit", "kind", "activity", "position", "time", "limit", "dev_cost")
_CASE_COLUMNS = (
    "case", "unit", "variant", "events", "start", "end", "duration_s", "cost", "worst_cost",
    "exact", "cost_lower", "deviations", "late", "counted_cost", "fitness", "conforming",
)  # fmt: skip
#: The alignment columns of a variant its cases carry (``exact``/``cost_lower`` when the
#: aligner reports them).
_ALIGNMENT_COLUMNS = ("cost", "worst_cost", "exact", "cost_lower")
_SCORE_COLUMNS = ("deviations", "late", "counted_cost", "fitness", "conforming")


def _case_columns(columns: Sequence[str]) -> list[str]:
    """The result's case columns among ``columns``, in the result's order."""
    return [c for c in _CASE_COLUMNS if c in columns]


_SPARK_TYPES = {
    pl.String: "string",
    pl.Float64: "double",
    pl.Int64: "bigint",
    pl.Boolean: "boolean",
}


@dataclass(frozen=True)
class SparkPlan:
    """What the check needs besides the log (decided by :func:`fvmprocess.conformance.check`).

    Attributes:
        rules: the allow-list (given rules, then approved variations).
        limits: the time limits to evaluate.
        costs: the alignment move costs (``None``: standard).
        applied: the options as recorded in the result.
        rename: the log's distinct activities -> {activity: standard id} for those matched
            by name.
        names: activity id -> its label, for the ``*_name`` columns.
        name_frame: adds a label column after an activity column of a small table (the
            embedded engine's rule).
        name_moves: adds ``activity`` and ``activity_name`` to every alignment move.
        min_match_share: below this share of events matching the model, warn (or raise
            with ``strict``), recorded as the accounting warning ``low_match_share``.
        strict: raise instead of warning about the match share.
        unit_assignment: how multi-unit cases are counted (``"first"``, ``"most"`` or
            ``"split"``, as :func:`fvmprocess.engines.embedded.assign_units`).
        analyses: the check's options when they ask for analyses (periods, milestones,
            causes, practice); ``None`` runs none.
    """

    rules: Sequence[Allow]
    limits: Sequence[TimeLimit]
    costs: AlignmentCosts | None
    applied: AppliedOptions
    rename: Callable[[list[str]], dict[str, str]]
    names: dict[str, str] = field(default_factory=dict)
    name_frame: Callable[[pl.DataFrame, str, str], pl.DataFrame] = lambda f, c, n: f
    name_moves: Callable[[pl.DataFrame], pl.DataFrame] = lambda f: f
    min_match_share: float = 0.0
    strict: bool = False
    unit_assignment: UnitAssignment = "first"
    analyses: CheckOptions | None = None


@dataclass(frozen=True)
class SparkConformance:
    """A check computed on Spark: per-case and per-variant tables still on Spark, aggregates on
    the driver.

    Attributes:
        process: the process checked against.
        cases: the scored cases (Spark; columns of ``ConformanceResult.cases``).
        deviations: the deviations (Spark; columns of ``ConformanceResult.deviations``).
        time_limits: compliance per unit and limit (Spark; with ``durations_s``).
        variants: the distinct variants with cost, fitness and moves (Spark).
        units: the unit scores, ranked.
        activities: the activity scores.
        accounting: the log's row accounting.
        summary_figures: the headline figures (as ``ConformanceResult.summary()``).
        activity_names: activity id -> Swedish/English names.
        unmapped: log activities not in the model, with event counts.
        options: the options the figures were computed with.
        log_period: the first and last event time (ISO).
        model: the BPMN model (not written).
        analyses: the analyses the options asked for (finished from Spark aggregates).
    """

    process: ProcessInfo
    cases: SparkDataFrame
    deviations: SparkDataFrame
    time_limits: SparkDataFrame
    variants: SparkDataFrame
    units: pl.DataFrame
    activities: pl.DataFrame
    accounting: Accounting
    summary_figures: dict[str, Any]
    activity_names: dict[str, dict[str, str]] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)
    options: AppliedOptions = field(default_factory=AppliedOptions)
    log_period: tuple[str | None, str | None] = (None, None)
    model: BpmnModel | None = field(default=None, repr=False, compare=False)
    analyses: Analyses = field(default_factory=Analyses)

    def summary(self) -> dict[str, Any]:
        """Headline figures: cases, conforming share, mean fitness, deviations by kind."""
        return dict(self.summary_figures)

    def summary_document(self) -> dict[str, Any]:
        """What ``OUT/summary.json`` holds, exactly as the embedded engine writes it
        (:meth:`ConformanceResult.to_dir`), without bringing a case to the driver."""
        shell = _Shell(
            process=self.process,
            cases=_to_polars(self.cases.limit(0)),
            deviations=_to_polars(self.deviations.limit(0)),
            activities=self.activities,
            units=self.units,
            time_limits=_to_polars(self.time_limits.limit(0)),
            variants=_to_polars(self.variants.limit(0)),
            accounting=self.accounting,
            activity_names=self.activity_names,
            unmapped=self.unmapped,
            options=self.options,
            log_period=self.log_period,
            lang="sv",
            figures=self.summary_figures,
            analyses=self.analyses,
        )
        return shell._meta()

    def collect(self) -> ConformanceResult:
        """Everything on the driver, as the embedded engine's result (same order, dtypes)."""
        cases = _to_polars(self.cases).sort("case")
        deviations = _to_polars(self.deviations).sort(
            ["case", "position", "kind", "activity", "limit"], nulls_last=True
        )
        limits = _to_polars(self.time_limits)
        limits = limits.with_columns(
            pl.col(c).cast(t) for c, t in LIMIT_SCORE_SCHEMA.items() if c in limits.columns
        ).sort(["limit", "unit"])
        return ConformanceResult(
            process=self.process,
            cases=cases.select(_case_columns(cases.columns)),
            deviations=deviations,
            activities=self.activities,
            units=self.units,
            time_limits=limits,
            variants=_to_polars(self.variants).sort("variant"),
            accounting=self.accounting,
            activity_names=self.activity_names,
            unmapped=self.unmapped,
            options=self.options,
            model=self.model,
            log_period=self.log_period,
            lang="sv",
            analyses=self.analyses,
        )

    def write(self, out: str | Path) -> str:
        """Write ``OUT/<table>.parquet`` (folders of part files, written by the executors)
        and ``OUT/summary.json``; returns ``OUT``.

        ``OUT`` may be any path Spark writes to (a local folder, ``hdfs://``, ``s3a://``);
        existing tables there are replaced.
        """
        spark = self.cases.sparkSession
        target = str(out).rstrip("/")
        order = {
            "cases": self.cases.select(*_case_columns(self.cases.columns)).orderBy("case"),
            "deviations": self.deviations.orderBy(
                "case", _asc_last("position"), "kind", "activity", _asc_last("limit")
            ),
            "time_limits": self.time_limits.orderBy("limit", "unit"),
            "variants": self.variants.orderBy("variant"),
        }
        small = {
            "units": self.units,
            "activities": self.activities,
            **self.analyses.tables(),
        }
        for name in (*TABLES, *self.analyses.tables()):
            sdf = order[name] if name in order else to_spark(small[name], spark).coalesce(1)
            sdf.write.mode("overwrite").parquet(f"{target}/{name}.parquet")
        text = json.dumps(self.summary_document(), ensure_ascii=False, indent=2) + "\n"
        _write_text(spark, f"{target}/summary.json", text)
        return target


@dataclass(frozen=True)
class _Shell(ConformanceResult):
    """A result whose per-case tables stay on Spark: empty frames with their columns, and
    the headline figures aggregated there."""

    figures: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return dict(self.figures)


def _asc_last(name: str) -> Column:
    """Ascending with nulls last (polars' ``nulls_last=True``)."""
    col: Column = _functions().col(name)
    return col.asc_nulls_last()


def _write_text(spark: SparkSession, path: str, text: str) -> None:
    """A small text file through Hadoop's file system (local, HDFS, S3 alike)."""
    if "://" not in path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
        return
    jvm: Any = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    p = jvm.org.apache.hadoop.fs.Path(path)
    stream = p.getFileSystem(conf).create(p, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


# -- the log on Spark --------------------------------------------------------------------------

_STAGING: list[str] = []


def _staging_dir() -> str:
    """A folder for this process's staged frames (removed at exit)."""
    if not _STAGING:
        _STAGING.append(tempfile.mkdtemp(prefix="fvmprocess-spark-"))
        atexit.register(shutil.rmtree, _STAGING[0], True)
    return _STAGING[0]


def events_on_spark(log: EventLog, spark: SparkSession | None = None) -> SparkLog:
    """An :class:`EventLog` read on this machine, its events moved to Spark.

    A local session reads them from a Parquet file (several times faster than rows through
    Py4J); another master gets them through Arrow.
    """
    spark = spark or get_session()
    frame = log.events  # the extra columns too: the causes' case attributes
    if str(spark.sparkContext.master or "").startswith("local"):
        path = os.path.join(
            _staging_dir(), f"events-{id(log)}-{len(os.listdir(_staging_dir()))}.parquet"
        )
        frame.write_parquet(path, compression="lz4", statistics=False)
        sdf = spark.read.parquet(path)
    else:
        sdf = to_spark(frame, spark)
    return SparkLog(
        events=sdf,
        accounting=log.accounting,
        schema=log.schema,
        source=log.source,
        source_info=log.source_info,
        timezone=log.timezone,
        unmapped_activities=log.unmapped_activities,
    )


# -- the check ---------------------------------------------------------------------------------


def check_on_spark(target: ResolvedProcess, log: SparkLog, plan: SparkPlan) -> SparkConformance:
    """Check every case of a log on Spark against a resolved process.

    Args:
        target: the process and its workflow net.
        log: the log on Spark (:func:`~fvmprocess.engines.spark_read.read_log_spark` or
            :func:`events_on_spark`).
        plan: allow-list, limits, costs and the activity matcher.

    Returns:
        The result, per-case tables still on Spark.

    Raises:
        ConformanceError: the log has no usable events.
    """
    events, log = _prepared(log, target, plan)
    grouped = kept(per_case_table(events).drop("_first"))
    scored_variants = _aligned_variants(grouped, target, plan, log.source)
    carried = [c for c in _ALIGNMENT_COLUMNS if c in scored_variants.columns]
    info = scored_variants.select("_key", "variant", *carried)
    cases = kept(grouped.join(info, on="_key", how="left"))  # read by every later stage
    structural = _structural(cases, _variant_deviations(scored_variants))
    late, limit_rows = _limit_rows(cases, plan.limits, log.timezone)
    deviations = kept(_allowed(structural.unionByName(late), plan.rules))
    scored = kept(_scored_cases(cases, deviations))
    time_limits = kept(_limit_scores(scored, limit_rows, plan.limits))
    units = _unit_scores(scored, time_limits)
    labels = target.net.labels
    activities = _activity_scores(scored, deviations, labels)
    variants_out = scored_variants.drop("_key", "_devs")
    found = Analyses()
    if plan.analyses is not None:
        with_activities = scored.join(cases.select("case", "activities"), on="case")
        counts = analysis_counts_spark(
            with_activities, deviations, events, limit_rows, plan.analyses, timezone=log.timezone
        )
        found = finish_analyses(counts, target, plan.analyses)
    period, unmapped = _log_facts(events, labels)
    names = plan.names
    named_limits = _named(
        _named(time_limits, "from_activity", "from_name", names), "to_activity", "to_name", names
    )
    return SparkConformance(
        process=ProcessInfo.of(target),
        cases=scored,
        deviations=_named(deviations.drop("dev_cost"), "activity", "activity_name", names),
        time_limits=named_limits,
        variants=variants_out,
        units=units,
        activities=plan.name_frame(activities, "activity", "activity_name"),
        accounting=log.accounting,
        summary_figures=_summary(target.id, scored, deviations, units, variants_out),
        activity_names={k: {"sv": v.sv, "en": v.en} for k, v in target.labels.items()},
        unmapped=unmapped,
        options=plan.applied,
        log_period=period,
        model=target.model,
        analyses=found,
    )


def _prepared(
    log: SparkLog, target: ResolvedProcess, plan: SparkPlan
) -> tuple[SparkDataFrame, SparkLog]:
    """The events matched to the standard's ids, checked, and their units assigned."""
    F = _functions()
    events = _match(log.events, plan)
    if "_pos" not in events.columns:
        events = events.withColumn("_pos", F.col("row").cast("long"))
    return _checked_inputs(events, log, target, plan)


def _aligned_variants(
    cases: SparkDataFrame, target: ResolvedProcess, plan: SparkPlan, source: str
) -> SparkDataFrame:
    """The distinct variants numbered, aligned and classified on the executors (persisted;
    nothing per variant reaches the driver)."""
    F = _functions()
    distinct = cases.groupBy("_key").agg(
        F.first("activities").alias("activities"), F.count(F.lit(1)).alias("cases")
    )
    numbered = number_variants_spark(distinct)
    if numbered.limit(1).count() == 0:
        raise ConformanceError(
            "the log has no usable events (see its accounting for rejected rows)", source=source
        )
    found = align_and_classify_variants(
        numbered, target.net, costs=plan.costs, name_moves=plan.name_moves
    )
    return kept(found)


def _variant_deviations(variants: SparkDataFrame) -> SparkDataFrame:
    """Per variant its deviations: ``variant``, ``kind``, ``activity``, ``position``,
    ``dev_cost``."""
    F = _functions()
    return variants.select("variant", F.explode("_devs").alias("_d")).select("variant", "_d.*")


def _named(sdf: SparkDataFrame, column: str, name: str, names: dict[str, str]) -> SparkDataFrame:
    """``sdf`` with the label of ``column`` as ``name`` right after it (an activity outside
    the standard keeps its own name), as the embedded engine names its tables."""
    F = _functions()
    label = F.col(f"`{column}`")
    if names:
        table = F.create_map(*[x for k, v in names.items() for x in (F.lit(k), F.lit(v))])
        label = F.coalesce(F.element_at(table, label), label)
    order: list[Any] = []
    for c in sdf.columns:
        if c == name:
            continue
        order.append(F.col(f"`{c}`"))
        if c == column:
            order.append(label.alias(name))
    return sdf.select(*order)


def _match(events: SparkDataFrame, plan: SparkPlan) -> SparkDataFrame:
    """Activities named by the standard's Swedish or English names become its ids."""
    F = _functions()
    distinct = [r[0] for r in events.select("activity").distinct().collect() if r[0] is not None]
    renames = plan.rename(sorted(distinct))
    if not renames:
        return events
    table = F.create_map(*[x for k, v in renames.items() for x in (F.lit(k), F.lit(v))])
    return events.withColumn(
        "activity", F.coalesce(F.element_at(table, F.col("activity")), F.col("activity"))
    )


def _checked_inputs(
    events: SparkDataFrame, log: SparkLog, target: ResolvedProcess, plan: SparkPlan
) -> tuple[SparkDataFrame, SparkLog]:
    """The embedded engine's input checks as aggregates: the share of events that match the
    model (``low_match_share``), the cases whose events name several units
    (``multi_unit_cases``) given one unit by ``plan.unit_assignment`` (``unit_episodes``
    with ``"split"``)."""
    F = _functions()
    labels = sorted(target.net.labels)
    row = events.agg(
        F.count(F.lit(1)).alias("n"),
        F.sum(F.col("activity").isin(labels).cast("long")).alias("matched"),
    ).collect()[0]
    total, matched = int(row["n"]), int(row["matched"] or 0)
    noted: dict[str, int] = {}
    if matched < plan.min_match_share * total:
        message = (
            f"only {100 * matched / total:.1f} % of the events ({matched} of {total}) are "
            f"activities of {target.id} (min_match_share {100 * plan.min_match_share:.0f} %)"
        )
        if plan.strict:
            raise ConformanceError(message, source=log.source)
        _log.warning("%s: %s", log.source, message)
        noted["low_match_share"] = total - matched
    if "unit" in events.columns:
        assigned = assign_units_spark(events, plan.unit_assignment, source=log.source)
        events = assigned.events
        if assigned.multi_unit_cases:
            _log.warning(
                "%s: %d case(s) name several units; counted by unit_assignment=%r",
                log.source,
                assigned.multi_unit_cases,
                plan.unit_assignment,
            )
            noted["multi_unit_cases"] = assigned.multi_unit_cases
            if plan.unit_assignment == "split":
                noted["unit_episodes"] = assigned.episodes
    if not noted:
        return events, log
    acc = log.accounting
    return events, replace(log, accounting=replace(acc, warnings={**acc.warnings, **noted}))


@dataclass(frozen=True)
class SparkUnitsAssigned:
    """:class:`fvmprocess.engines.embedded.UnitsAssigned` on Spark (events still there)."""

    events: SparkDataFrame
    multi_unit_cases: int
    episodes: int


def _event_order() -> Column:
    """A case's event order: time (missing first), the log's row, the input position."""
    F = _functions()
    order: Column = F.struct(
        F.coalesce(F.unix_micros(F.col("timestamp")), F.lit(_MIN_LONG)).alias("t"),
        F.col("row").cast("long").alias("r"),
        F.col("_pos").cast("long").alias("p"),
    )
    return order


def assign_units_spark(
    events: SparkDataFrame, how: UnitAssignment, *, source: str = "<spark>"
) -> SparkUnitsAssigned:
    """:func:`fvmprocess.engines.embedded.assign_units` as Spark jobs, with the same rules
    (``"first"``, ``"most"`` with ties to the unit named first, ``"split"`` into unit
    episodes ``case#k``).

    Args:
        events: the events (``case``, ``unit``, ``timestamp``, ``row``, ``_pos``).
        how: the rule.
        source: the log's name, for the error.

    Returns:
        The events (``unit`` and, with ``"split"``, ``case`` rewritten) and the counts.

    Raises:
        ConformanceError: an episode id is already a case id (or an unknown rule).
    """
    F = _functions()
    if how not in UNIT_ASSIGNMENTS:
        raise ConformanceError(
            f"unit_assignment is {how!r}; expected one of {UNIT_ASSIGNMENTS}", source=source
        )
    per_case = (
        events.filter(F.col("unit").isNotNull())
        .groupBy("case")
        .agg(F.countDistinct("unit").alias("_n"))
        .filter(F.col("_n") > 1)
        .select("case", F.lit(True).alias("_multi"))
        .persist()
    )
    multi = per_case.count()
    if multi == 0 or how == "first":
        per_case.unpersist()
        return SparkUnitsAssigned(events, multi, multi)
    if how == "most":
        return SparkUnitsAssigned(_most_events(events, per_case), multi, multi)
    split, episodes = _episodes(events, per_case, source)
    return SparkUnitsAssigned(split, multi, episodes)


def _most_events(events: SparkDataFrame, multi: SparkDataFrame) -> SparkDataFrame:
    """Each multi-unit case wholly at the unit with most of its events (ties: named first)."""
    F = _functions()
    from pyspark.sql import Window

    counts = (
        events.join(multi, on="case", how="inner")
        .filter(F.col("unit").isNotNull())
        .groupBy("case", "unit")
        .agg(F.count(F.lit(1)).alias("_c"), F.min(_event_order()).alias("_at"))
    )
    w = Window.partitionBy("case").orderBy(F.col("_c").desc(), F.col("_at").asc())
    chosen = (
        counts.withColumn("_r", F.row_number().over(w))
        .filter(F.col("_r") == 1)
        .select("case", F.col("unit").alias("_u"))
    )
    return (
        events.join(chosen, on="case", how="left")
        .withColumn("unit", F.coalesce(F.col("_u"), F.col("unit")))
        .drop("_u")
    )


def _episodes(
    events: SparkDataFrame, multi: SparkDataFrame, source: str
) -> tuple[SparkDataFrame, int]:
    """Each multi-unit case split into its unit episodes (ids ``case#k``), and how many."""
    F = _functions()
    from pyspark.sql import Window

    w = Window.partitionBy("case").orderBy(_event_order())
    before = w.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    after = w.rowsBetween(Window.currentRow, Window.unboundedFollowing)
    unit = F.coalesce(
        F.last("unit", ignorenulls=True).over(before),
        F.first("unit", ignorenulls=True).over(after),
    )
    marked = events.join(multi, on="case", how="left").withColumn("_u", unit)
    starts = F.coalesce(F.col("_u") != F.lag("_u").over(w), F.lit(True)).cast("long")
    numbered = marked.withColumn("_s", starts).withColumn("_ep", F.sum("_s").over(before))
    is_multi = F.col("_multi").isNotNull()
    episode = F.concat(F.col("case"), F.lit(EPISODE_SEPARATOR), F.col("_ep").cast("string"))
    out = kept(
        numbered.select(
            *[
                F.when(is_multi, episode).otherwise(F.col("case")).alias("case")
                if c == "case"
                else F.when(is_multi, F.col("_u")).otherwise(F.col("unit")).alias("unit")
                if c == "unit"
                else F.col(f"`{c}`")
                for c in events.columns
            ],
            is_multi.alias("_split"),
        )
    )
    ids = out.filter(F.col("_split")).select("case").distinct()
    original = events.select("case").distinct()
    clash = ids.join(original, on="case", how="inner").count()
    if clash:
        raise ConformanceError(
            f"cannot split cases into unit episodes: {clash} episode id(s) "
            f"('<case>{EPISODE_SEPARATOR}<k>') are already case ids in the log",
            source=source,
        )
    return out.drop("_split"), ids.count()


def _structural(cases: SparkDataFrame, variant_devs: SparkDataFrame) -> SparkDataFrame:
    """Every case's variant deviations, with the time of the event (none for skips)."""
    F = _functions()
    joined = cases.select("case", "unit", "variant", "_ev").join(
        variant_devs, on="variant", how="inner"
    )
    time = F.when(
        F.col("kind") != "skipped", F.element_at("_ev", (F.col("position") + 1).cast("int"))["ts"]
    )
    return joined.select(
        "case",
        "unit",
        "kind",
        "activity",
        F.col("position").cast("long").alias("position"),
        time.alias("time"),
        F.lit(None).cast("string").alias("limit"),
        F.col("dev_cost").cast("double").alias("dev_cost"),
    )


def _limit_rows(
    cases: SparkDataFrame, limits: Sequence[TimeLimit], timezone: str
) -> tuple[SparkDataFrame, SparkDataFrame | None]:
    """The ``late`` deviations, and per case and limit ``_dur`` and ``_late`` (``None`` when
    there is nothing to evaluate)."""
    F = _functions()
    spark = cases.sparkSession
    empty_late = spark.createDataFrame(
        [],
        "case string, unit string, kind string, activity string, position bigint, "
        "time timestamp, limit string, dev_cost double",
    )
    timed = cases.filter(F.col("start").isNotNull()).limit(1).count() > 0
    if not limits or not timed:
        return empty_late, None
    rows = None
    for lim in limits:
        one = _evaluate(cases, lim, timezone)
        rows = one if rows is None else rows.unionByName(one)
    assert rows is not None
    rows = kept(rows)
    late = rows.filter(F.col("_late")).select(
        "case",
        "unit",
        F.lit("late").alias("kind"),
        F.col("_to_activity").alias("activity"),
        "position",
        F.col("_to").alias("time"),
        "limit",
        F.lit(0.0).alias("dev_cost"),
    )
    return late, rows.drop("_to_activity")


def _first_time(activity: str) -> Column:
    """The earliest time of ``activity`` in the case (missing times ignored, as ``min``)."""
    F = _functions()
    hits = F.filter("_ev", lambda x: x["a"] == F.lit(activity))
    earliest: Column = F.array_min(F.transform(hits, lambda x: x["ts"]))
    return earliest


def _evaluate(cases: SparkDataFrame, lim: TimeLimit, timezone: str) -> SparkDataFrame:
    """Per case the limit applies to: ``_from``, ``_to``, ``position``, ``_dur``, ``_late``
    (the rule of :meth:`TimeLimit.late_expr <fvmprocess.timelimit.TimeLimit.late_expr>`)."""
    F = _functions()
    acts = F.col("activities")
    pos_to = F.array_position(acts, F.lit(lim.to_activity))
    scope = pos_to > 0
    start = F.col("start")
    if lim.from_activity is not None:
        scope = scope & (F.array_position(acts, F.lit(lim.from_activity)) > 0)
        start = _first_time(lim.from_activity)
    for a in lim.applies_if:
        scope = scope & F.array_contains(acts, F.lit(a))
    for a in lim.applies_unless:
        scope = scope & ~F.array_contains(acts, F.lit(a))
    frm, to = F.col("_from"), F.col("_to")
    micros = F.unix_micros(to) - F.unix_micros(frm)
    if lim.counting == "calendar_days":
        local = F.datediff(
            F.to_date(F.from_utc_timestamp(to, timezone)),
            F.to_date(F.from_utc_timestamp(frm, timezone)),
        )
        late = local > F.lit(lim.duration.days)
    else:
        late = micros > F.lit(lim.duration // timedelta(microseconds=1))
    return (
        cases.filter(scope)
        .select(
            "case",
            "unit",
            start.alias("_from"),
            _first_time(lim.to_activity).alias("_to"),
            (pos_to - 1).cast("long").alias("position"),
        )
        .select(
            "*",
            (micros / F.lit(1e6)).alias("_dur"),
            F.lit(lim.id).alias("limit"),
            late.alias("_late"),
            F.lit(lim.to_activity).alias("_to_activity"),
        )
    )


def _allowed(deviations: SparkDataFrame, rules: Sequence[Allow]) -> SparkDataFrame:
    """``allowed``: does any rule match (``None`` in a rule's field matches anything)?"""
    F = _functions()
    expr: Column = F.lit(False)
    for r in rules:
        cond: Column = F.lit(True)
        for name in ("kind", "activity", "unit"):
            value = getattr(r, name)
            if value is not None:
                cond = cond & (F.col(name) == F.lit(value))
        expr = expr | cond
    return deviations.withColumn("allowed", expr)


def _scored_cases(cases: SparkDataFrame, deviations: SparkDataFrame) -> SparkDataFrame:
    """Per case: cost after the allow-list, fitness, counted deviations, late, conforming."""
    F = _functions()
    structural = F.col("kind") != "late"
    per_case = deviations.groupBy("case").agg(
        F.sum(F.when(F.col("allowed") & structural, F.col("dev_cost")).otherwise(0.0)).alias(
            "_allowed_cost"
        ),
        F.sum(F.when(~F.col("allowed"), 1).otherwise(0)).cast("long").alias("deviations"),
        F.sum(F.when(~structural & ~F.col("allowed"), 1).otherwise(0)).cast("long").alias("late"),
    )
    counted = F.greatest(F.col("cost") - F.coalesce(F.col("_allowed_cost"), F.lit(0.0)), F.lit(0.0))
    fitness = F.when(F.col("worst_cost") > 0, 1 - F.col("counted_cost") / F.col("worst_cost"))
    return (
        cases.join(per_case, on="case", how="left")
        .withColumn("deviations", F.coalesce("deviations", F.lit(0).cast("long")))
        .withColumn("late", F.coalesce("late", F.lit(0).cast("long")))
        .withColumn("counted_cost", counted)
        .withColumn("fitness", fitness.otherwise(F.lit(1.0)))
        .withColumn("conforming", (F.col("counted_cost") == 0) & (F.col("late") == 0))
        .select(*_case_columns([*cases.columns, *_SCORE_COLUMNS]))
    )


# -- scores ------------------------------------------------------------------------------------


def _ddl(schema: dict[str, pl.DataType]) -> str:
    """A Spark DDL schema for polars dtypes (strings, numbers, booleans, float lists)."""
    parts = []
    for name, dtype in schema.items():
        kind = "array<double>" if isinstance(dtype, pl.List) else _SPARK_TYPES[type(dtype)]
        parts.append(f"`{name}` {kind}")
    return ", ".join(parts)


def _limit_scores(
    cases: SparkDataFrame, rows: SparkDataFrame | None, limits: Sequence[TimeLimit]
) -> SparkDataFrame:
    """:func:`~fvmprocess.scoring.limit_scores` per unit and per limit (``"*"``) on the
    executors; units and limits without evaluated cases get their rows on the driver."""
    spark = cases.sparkSession
    ddl = _ddl(dict(LIMIT_SCORE_SCHEMA))
    if rows is None:
        return spark.createDataFrame([], ddl)
    table = limit_table(limits)
    columns = ["case", "unit", "limit", "_dur", "_late"]
    empty = pl.DataFrame(schema={"case": pl.String, "unit": pl.String, "limit": pl.String,
                                 "_dur": pl.Float64, "_late": pl.Boolean})  # fmt: skip

    def per_unit(t: pa.Table) -> pa.Table:
        per_case = arrow_polars(t).sort("case", "limit")
        units = per_case.select("unit").unique()
        out = limit_scores(per_case, units, table).filter(pl.col("unit") != "*")
        return plain_arrow(out)

    def per_limit(t: pa.Table) -> pa.Table:
        per_case = arrow_polars(t).sort("case")
        mine = table.filter(pl.col("limit").is_in(per_case["limit"].unique().implode()))
        units = pl.DataFrame(schema={"unit": pl.String})
        return plain_arrow(limit_scores(per_case, units, mine))

    sel = rows.select(*columns)
    with _quiet():
        by_unit = sel.groupBy("unit").applyInArrow(per_unit, ddl)
        by_limit = sel.groupBy("limit").applyInArrow(per_limit, ddl)
    found = kept(by_unit.unionByName(by_limit))
    seen_units = {r[0] for r in found.select("unit").distinct().collect()}
    all_units = {r[0] for r in cases.select("unit").distinct().collect()}
    missing_units = pl.DataFrame(
        {"unit": sorted(all_units - seen_units)}, schema={"unit": pl.String}
    )
    extra = limit_scores(empty, missing_units, table).filter(pl.col("unit") != "*")
    seen_limits = {r[0] for r in found.filter("unit = '*'").select("limit").collect()}
    missing = table.filter(~pl.col("limit").is_in(sorted(seen_limits)))
    extra = pl.concat(
        [extra, limit_scores(empty, pl.DataFrame(schema={"unit": pl.String}), missing)]
    )
    if extra.height:
        found = found.unionByName(to_spark(extra, spark))
    return found


def _unit_scores(cases: SparkDataFrame, time_limits: SparkDataFrame) -> pl.DataFrame:
    """:func:`~fvmprocess.scoring.unit_scores` per unit on the executors, ranked here."""
    limits = _to_polars(time_limits.drop("durations_s"))
    limits = limits.with_columns(
        pl.col(c).cast(t) for c, t in LIMIT_SCORE_SCHEMA.items() if c in limits.columns
    )
    schema = unit_scores(
        pl.DataFrame(
            schema={
                "unit": pl.String,
                "conforming": pl.Boolean,
                "fitness": pl.Float64,
                "deviations": pl.Int64,
                "duration_s": pl.Float64,
            }
        ),
        limits.clear(),
    ).schema

    def per_unit(t: pa.Table) -> pa.Table:
        frame = arrow_polars(t).sort("case")
        mine = limits.filter(pl.col("unit").is_in(frame["unit"].unique().implode()))
        return plain_arrow(unit_scores(frame.drop("case"), mine if limits.height else limits))

    sel = cases.select("case", "unit", "conforming", "fitness", "deviations", "duration_s")
    ddl = _ddl({k: v for k, v in schema.items()})
    with _quiet():
        got = _to_polars(sel.groupBy("unit").applyInArrow(per_unit, ddl))
    got = got.with_columns(pl.col(c).cast(t) for c, t in schema.items())
    return rank_units(got.drop("rank")).select(UNIT_COLUMNS)


def _activity_scores(
    cases: SparkDataFrame, deviations: SparkDataFrame, labels: Collection[str]
) -> pl.DataFrame:
    """:func:`fvmprocess.scoring.activity_scores`: the counts of
    :func:`~fvmprocess.scoring.activity_counts` made on Spark, finished by
    :func:`~fvmprocess.scoring.activity_table`."""
    F = _functions()
    counted = deviations.filter(~F.col("allowed")).select("case", "unit", "activity", "kind")
    extra = counted.filter(F.col("kind").isin(*EXTRA_KINDS)).withColumn("kind", F.lit(EXTRA))
    kinds = (
        counted.unionByName(extra)
        .groupBy("unit", "activity", "kind")
        .agg(F.countDistinct("case").cast("long").alias("n"))
    )
    unit_cases = cases.groupBy("unit").agg(F.count(F.lit(1)).cast("long").alias("unit_cases"))
    seen = [r[0] for r in deviations.select("activity").distinct().collect() if r[0] is not None]
    counts = ActivityCounts(
        _to_polars(unit_cases).with_columns(pl.col("unit_cases").cast(pl.Int64)),
        _to_polars(kinds).with_columns(pl.col("n").cast(pl.Int64)),
        tuple(sorted(seen)),
    )
    return activity_table(counts, labels)


def _summary(
    process: str,
    cases: SparkDataFrame,
    deviations: SparkDataFrame,
    units: pl.DataFrame,
    variants: SparkDataFrame,
) -> dict[str, Any]:
    """The headline figures of ``ConformanceResult.summary()``, aggregated on Spark."""
    F = _functions()
    row = cases.agg(
        F.count(F.lit(1)).alias("n"),
        F.sum(F.col("conforming").cast("long")).alias("conf"),
        F.avg("fitness").alias("fitness"),
    ).collect()[0]
    n, conf = int(row["n"]), int(row["conf"] or 0)
    kinds = {
        str(r[0]): int(r[1])
        for r in deviations.filter(~F.col("allowed")).groupBy("kind").count().collect()
    }
    fitness = row["fitness"]
    return {
        "process": process,
        "cases": n,
        "units": units.height,
        "variants": variants.count(),
        "conforming": conf,
        "conforming_share": round(conf / n, 6) if n else None,
        "mean_fitness": round(float(fitness), 6) if fitness is not None else None,
        "deviations": dict(sorted(kinds.items())),
        **_exactness(cases),
    }


def _exactness(cases: SparkDataFrame) -> dict[str, Any]:
    """``exact_share``, ``bounded_cases``, ``gap_mean``, ``gap_max`` of
    ``ConformanceResult.summary()`` (the bounded cases' ``cost - cost_lower``), on Spark."""
    F = _functions()
    if "exact" not in cases.columns:
        return {}
    bounded = ~F.coalesce(F.col("exact"), F.lit(True))
    gap = F.when(bounded, F.col("cost") - F.col("cost_lower"))
    row = cases.agg(
        F.count(F.lit(1)).alias("n"),
        F.sum(bounded.cast("long")).alias("b"),
        F.avg(gap).alias("mean"),
        F.max(gap).alias("max"),
    ).collect()[0]
    n, b = int(row["n"]), int(row["b"] or 0)
    if not n:
        return {"exact_share": None, "bounded_cases": None, "gap_mean": None, "gap_max": None}
    return {
        "exact_share": round((n - b) / n, 6),
        "bounded_cases": b,
        "gap_mean": round(float(row["mean"]), 6) if b else None,
        "gap_max": round(float(row["max"]), 6) if b else None,
    }


def _log_facts(
    events: SparkDataFrame, labels: Collection[str]
) -> tuple[tuple[str | None, str | None], dict[str, int]]:
    """The first and last event time (ISO) and the activities not in the model."""
    F = _functions()
    row = events.agg(F.min("timestamp").alias("a"), F.max("timestamp").alias("b")).collect()[0]
    got = _to_polars(
        events.filter(~F.col("activity").isin(sorted(labels))).groupBy("activity").count()
    )
    period = tuple(_iso_utc(v) for v in (row["a"], row["b"]))
    return (period[0], period[1]), {str(k): int(v) for k, v in got.iter_rows()}


def _iso_utc(value: Any) -> str | None:
    """A Spark timestamp (a naive UTC datetime in a UTC session) as zone-aware ISO text."""
    from datetime import UTC, datetime

    if not isinstance(value, datetime):
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
