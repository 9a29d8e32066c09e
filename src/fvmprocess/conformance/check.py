"""The check: every case of a log against a standard process, as a sequence of named stages.

:func:`check` only wires the stages (``docs/conformance.md`` has every formula):

1. :func:`~fvmprocess.process.resolve_process` — the process and its workflow net;
2. :func:`check_mapping`, :func:`_read` and :func:`_match_activities` — the mapping's
   targets checked against the standard, the log, its activities matched to the standard's
   ids (mapping, then the activities' Swedish or English names, then the ids);
   :func:`_check_inputs` — the share of events that match, and one unit per case;
3. :func:`_variant_tables` — cases and distinct variants (embedded or Spark engine);
4. :func:`_align` — each distinct variant aligned once;
5. :func:`_classify_variants` and :func:`_case_deviations` — the moves classified into
   deviations and joined back to the cases;
6. :func:`~fvmprocess.conformance.timelimits.apply_time_limits` — late cases, in the log's
   time zone;
7. :func:`_apply_allow_list` and :func:`_case_scores` — approved deviations, per-case cost,
   fitness and conformance;
8. :func:`_result` — unit, activity and time-limit scores in a :class:`ConformanceResult`;
9. :func:`~fvmprocess.conformance.analyses.run_analyses` — the optional analyses (periods,
   change points, milestones, causes, practice) the options ask for.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from os import PathLike
from typing import TYPE_CHECKING, TypeAlias, Unpack, cast

import polars as pl

from fvmprocess._shared.privacy import redact
from fvmprocess.conformance.align import Aligner
from fvmprocess.conformance.allow import Allow, allowed_expr, approved_variations
from fvmprocess.conformance.analyses import run_analyses
from fvmprocess.conformance.classify import classify_variants
from fvmprocess.conformance.moves import Alignment, AlignmentCosts
from fvmprocess.conformance.options import CheckOptions, CheckOptionValues, Engine
from fvmprocess.conformance.result import AppliedOptions, ConformanceResult, ProcessInfo
from fvmprocess.conformance.timelimits import apply_time_limits
from fvmprocess.errors import ConformanceError
from fvmprocess.eventlog import ActivityMapping, EventLog, read_log
from fvmprocess.eventlog.mapping import MappingLike, as_mapping
from fvmprocess.process import ResolvedProcess, resolve_process
from fvmprocess.scoring import activity_scores, unit_scores

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd
    from pyspark.sql import DataFrame as SparkDataFrame

    from fvmprocess.engines.spark_check import SparkConformance
    from fvmprocess.engines.spark_read import SparkSource
    from fvmprocess.petri import PetriNet
    from fvmprocess.process import ProcessLike
    from fvmprocess.timelimit import TimeLimit

__all__ = ["LogLike", "SparkLogLike", "check", "check_mapping", "check_spark", "match_share"]

_log = logging.getLogger(__name__)

#: What ``check`` takes as a log: an :class:`EventLog`, or anything :func:`read_log` reads.
LogLike: TypeAlias = "EventLog | str | Path | pl.DataFrame | pl.LazyFrame | pd.DataFrame"
#: What ``check_spark`` takes: a :data:`LogLike`, several paths or globs, a Spark DataFrame.
SparkLogLike: TypeAlias = "LogLike | Sequence[str | Path] | SparkDataFrame"

_DEVIATION_COLUMNS = ("case", "unit", "kind", "activity", "position", "time", "limit", "dev_cost")


def check(
    process: ProcessLike,
    log: LogLike,
    *,
    options: CheckOptions | None = None,
    **overrides: Unpack[CheckOptionValues],
) -> ConformanceResult:
    """Check every case of a log against a standard process.

    Args:
        process: a catalogue id (``"akutmottagning"``), a :class:`StandardProcess`, a
            ``.bpmn``/``.pnml`` path, a :class:`BpmnModel` or a :class:`PetriNet`.
        log: an :class:`EventLog`, or anything :func:`read_log` reads (path, DataFrame).
        options: the options (:class:`CheckOptions`; its defaults when ``None``).
        **overrides: single options (``allow=…``, ``time_limits=…``, ``processes=4``…)
            applied on top of ``options``; the same names as :class:`CheckOptions`' fields.

    Returns:
        A :class:`ConformanceResult`.

    Raises:
        ConformanceError: the process cannot be compiled, the log has no usable events, or
            ``mapping`` is given with an already read :class:`EventLog`.
        LogError: the log cannot be read.
        TypeError: an unknown option.
        ValueError: an invalid option value.

    Example:
        >>> result = check("akutmottagning", "event_logs/akutmottagning.csv")  # doctest: +SKIP
        >>> result.units.select("unit", "conforming_share").head(2)  # doctest: +SKIP
    """
    opts = options or CheckOptions()
    if overrides:
        opts = opts.update(**overrides)
    target = resolve_process(process, catalog=opts.catalog)
    if opts.mapping is not None:  # unknown targets fail before the log is read
        opts = opts.update(mapping=check_mapping(opts.mapping, target))
    if opts.engine == "spark":  # every stage as Spark jobs: fvmprocess.engines.spark_check
        return _on_spark(target, log, opts).collect()
    read = _read(log, opts)
    events = _match_activities(read.events, target)
    if events.height == 0:
        raise ConformanceError(
            "the log has no usable events (see its accounting for rejected rows)",
            source=read.source,
        )
    events, read = _check_inputs(events, read, target, opts)
    cases, variants = _variant_tables(events, opts.engine)
    alignments = _align(target.net, _traces(variants), opts)
    variants, variant_devs = _classify_variants(variants, alignments, target.net.labels, opts.costs)
    first = _first_events(events)
    structural = _case_deviations(cases, variant_devs, events, first)
    limits = _time_limits(target, opts)
    timed = apply_time_limits(events, cases, limits, first, timezone=read.timezone)
    rules = _rules(target, opts)
    deviations = _apply_allow_list(structural, timed.late, rules)
    scored = _case_scores(cases, variants, deviations)
    applied = AppliedOptions(
        allow=tuple(rules),
        time_limits=tuple(limits),
        costs="standard" if opts.costs is None or opts.costs.is_standard else "custom",
    )
    result = _result(
        target,
        read,
        events,
        _Tables(scored, deviations.drop("dev_cost"), variants, timed.scores),
        applied,
    )
    found = run_analyses(
        scored, deviations, events, target, opts, timezone=read.timezone, limits=timed.per_case
    )
    return result if found.empty else dataclasses.replace(result, analyses=found)


# -- reading ---------------------------------------------------------------------------------


def _read(log: LogLike, opts: CheckOptions) -> EventLog:
    """The log as an :class:`EventLog` (read with the options' schema and mapping)."""
    if isinstance(log, EventLog):
        if opts.mapping is not None:
            raise ConformanceError(
                "mapping given with an EventLog that is already read: pass mapping to read_log"
            )
        return log
    return read_log(log, schema=opts.schema, mapping=opts.mapping)


# -- inputs checked against the standard ------------------------------------------------------


def check_mapping(mapping: MappingLike, target: ResolvedProcess) -> ActivityMapping | None:
    """The mapping, loaded, after checking that every target is an activity of the process.

    A target may be an activity id of the process's net or the Swedish or English name of
    one (names are matched after the mapping, see :func:`_match_activities`).

    Args:
        mapping: an :class:`~fvmprocess.eventlog.ActivityMapping`, a dict or a mapping file.
        target: the resolved process.

    Returns:
        The :class:`~fvmprocess.eventlog.ActivityMapping` (None for None).

    Raises:
        ConformanceError: targets that are not in the process, each named with the line of
            the mapping file that gives it (and the closest activity id).
        LogError: the mapping file cannot be read.

    Example:
        >>> akut = resolve_process("akutmottagning")
        >>> check_mapping({"Triage enl. RETTS": "Activity_Triage"}, akut)  # doctest: +SKIP
    """
    loaded = as_mapping(mapping)
    if loaded is None:
        return None
    ids = sorted(target.net.labels)
    known = _activity_names(target)
    if loaded.unmapped == "ignore":  # the standard's own ids and names are never "unmapped"
        loaded = dataclasses.replace(loaded, keep=loaded.keep | frozenset(known))
    unknown = [
        (local, std)
        for local, std in loaded.mapping.items()
        if std not in known and std.strip().casefold() not in known
    ]
    if not unknown:
        return loaded
    unknown.sort(key=lambda e: (loaded.lines.get(e[0], 0), e[0]))
    parts = [_unknown_target(local, std, loaded, ids) for local, std in unknown]
    lines = [loaded.lines[local] for local, _ in unknown if local in loaded.lines]
    place = None
    if lines:
        place = ("line " if len(lines) == 1 else "lines ") + ", ".join(map(str, lines))
    n = len(unknown)
    raise ConformanceError(
        f"{n} mapping target{' is' if n == 1 else 's are'} not an activity of "
        f"{target.id}: {'; '.join(parts)}; expected an activity id ({', '.join(ids)}) or its "
        "name",
        source=loaded.source or "mapping",
        place=place,
    )


def _activity_names(target: ResolvedProcess) -> set[str]:
    """What a mapping may map to: the net's activity ids and their names (and casefolded)."""
    labels = target.net.labels
    known = set(labels)
    for aid, names in target.labels.items():
        if aid in labels:
            known |= {v for v in (names.sv, names.en) if v}
    return known | {k.strip().casefold() for k in known}


def _unknown_target(local: str, std: str, m: ActivityMapping, ids: Sequence[str]) -> str:
    """``line 4: 'Antibiotika' -> 'Activity_Antibiotics' (did you mean …?)``."""
    where = f"line {m.lines[local]}: " if local in m.lines else ""
    close = difflib.get_close_matches(std, ids, n=1, cutoff=0.8)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{where}{local!r} -> {std!r}{hint}"


def match_share(events: pl.DataFrame, labels: Collection[str]) -> tuple[int, int]:
    """``(matched, total)``: events whose activity is one of ``labels``, and all events."""
    matched = int(events["activity"].is_in(sorted(labels)).sum()) if events.height else 0
    return matched, events.height


def _check_inputs(
    events: pl.DataFrame, read: EventLog, target: ResolvedProcess, opts: CheckOptions
) -> tuple[pl.DataFrame, EventLog]:
    """The log checked against the standard before any alignment.

    Fewer than ``opts.min_match_share`` of the events matching the process's activities is a
    warning (logged, and ``low_match_share`` = unmatched events in the accounting) or, with
    ``opts.strict``, an error; cases whose events name several units are counted
    (``multi_unit_cases``) and given one unit by ``opts.unit_assignment``.

    Raises:
        ConformanceError: ``strict`` and too few events match; or episode ids clash.
    """
    from fvmprocess.engines.embedded import assign_units

    noted: dict[str, int] = {}
    matched, total = match_share(events, target.net.labels)
    if matched < opts.min_match_share * total:
        message = _low_match_message(events, matched, total, target, opts.min_match_share)
        if opts.strict:
            raise ConformanceError(message, source=read.source)
        _log.warning("%s: %s", read.source, message)
        noted["low_match_share"] = total - matched
    try:
        assigned = assign_units(events, opts.unit_assignment)
    except ValueError as e:
        raise ConformanceError(str(e), source=read.source) from e
    if assigned.multi_unit_cases:
        _log.warning(
            "%s: %d case(s) name several units; counted by unit_assignment=%r",
            read.source,
            assigned.multi_unit_cases,
            opts.unit_assignment,
        )
        noted["multi_unit_cases"] = assigned.multi_unit_cases
        if opts.unit_assignment == "split":
            noted["unit_episodes"] = assigned.episodes
    return assigned.events, _with_warnings(read, noted)


def _low_match_message(
    events: pl.DataFrame, matched: int, total: int, target: ResolvedProcess, minimum: float
) -> str:
    others = (
        events.filter(~pl.col("activity").is_in(sorted(target.net.labels)))
        .group_by("activity")
        .len()
        .sort(["len", "activity"], descending=[True, False])
        .head(5)
    )
    top = ", ".join(f"{redact(str(a))!r} ({n})" for a, n in others.iter_rows())
    return (
        f"only {100 * matched / total:.1f} % of the events ({matched} of {total}) are "
        f"activities of {target.id} (min_match_share {100 * minimum:.0f} %); most frequent "
        f"others: {top}; map them with a mapping file (docs/eventlogs.md)"
    )


def _with_warnings(log: EventLog, noted: dict[str, int]) -> EventLog:
    """``log`` with ``noted`` added to its accounting warnings (the same log when empty)."""
    if not noted:
        return log
    acc = log.accounting
    accounting = dataclasses.replace(acc, warnings={**acc.warnings, **noted})
    return EventLog(
        log.events,
        schema=log.schema,
        source=log.source,
        accounting=accounting,
        unmapped_activities=log.unmapped_activities,
        source_info=log.source_info,
        timezone=log.timezone,
    )


def _match_activities(events: pl.DataFrame, target: ResolvedProcess) -> pl.DataFrame:
    """Map names (sv/en) of the standard's activities to their ids; keep the rest as is."""
    labels = target.net.labels
    lookup: dict[str, str] = {}
    for aid, names in target.labels.items():
        if aid not in labels:
            continue
        for v in (names.sv, names.en):
            lookup.setdefault(v, aid)
            lookup.setdefault(v.casefold(), aid)
    if not lookup:
        return events
    renames: dict[str, str] = {}
    for a in events["activity"].unique().to_list():
        if a is None or a in labels:
            continue
        new = lookup.get(a) or lookup.get(a.strip().casefold())
        if new is not None and new != a:
            renames[a] = new
    if not renames:
        return events
    # replace() keeps the row order (a join would not promise it) and touches no other column
    return events.with_columns(pl.col("activity").replace(renames))


def _variant_tables(events: pl.DataFrame, engine: Engine) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(cases, variants)`` from the engine (both engines give identical tables)."""
    if engine == "spark":
        from fvmprocess.engines.spark import variant_table as on_spark

        return on_spark(events)
    from fvmprocess.engines.embedded import variant_table

    return variant_table(events)


# -- alignments and deviations ---------------------------------------------------------------


def _traces(variants: pl.DataFrame) -> list[tuple[str, ...]]:
    """The variants' activity sequences, each distinct activity one shared ``str`` (the
    aligner looks every event up by its activity: a shared string's hash is computed once)."""
    activities = variants["activities"]
    flat = activities.explode(empty_as_null=False)
    names = flat.drop_nulls().unique().to_list()
    codes = flat.replace_strict(names, range(len(names)), default=len(names), return_dtype=pl.Int64)
    shared = [*names, None]
    objects = list(map(shared.__getitem__, codes.fill_null(len(names)).to_list()))
    ends = activities.list.len().cum_sum().to_list()
    return [tuple(objects[a:b]) for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def _align(net: PetriNet, traces: list[tuple[str, ...]], opts: CheckOptions) -> list[Alignment]:
    """One alignment per distinct variant, within the options' budget (reporting progress)."""
    progress, total = opts.progress, len(traces)
    if opts.engine == "spark":  # distinct variants shipped to the executors
        from fvmprocess.engines.spark import align_variants_spark

        found = align_variants_spark(net, traces, costs=opts.costs)
        if progress is not None:
            progress(total, total, 0)
        return found
    aligner = Aligner(net, costs=opts.costs, budget=opts.budget)
    return aligner.align_variants(traces, processes=opts.processes, progress=progress)


def _classify_variants(
    variants: pl.DataFrame,
    alignments: Sequence[Alignment],
    labels: Collection[str],
    costs: AlignmentCosts | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Variants with ``cost``, ``worst_cost``, ``fitness`` and ``moves``; and their deviations
    (``variant``, ``kind``, ``activity``, ``position``, ``dev_cost``)."""
    return classify_variants(variants, alignments, labels, costs=costs)


def _first_events(events: pl.DataFrame) -> pl.DataFrame:
    """Per case the row index of its first event (``case``, ``_first``), in the order of the
    events.

    Each case's events are contiguous in ``events`` (sorted by case, time, row), so an event
    is found at (index of the case's first event + its position): no per-event join. The
    cases are the runs of equal case ids (checked: a case id that appears in two runs means
    another order, and the first events are then found by a group-by).
    """
    case = events["case"]
    run = case.rle_id()
    at = (run != run.shift(1)).fill_null(True).arg_true()
    first = pl.DataFrame({"case": case.gather(at), "_first": at.cast(pl.Int64)})
    if first["case"].n_unique() == first.height:
        return first
    return (
        events.select("case")
        .with_row_index("_i")
        .group_by("case", maintain_order=True)
        .agg(pl.col("_i").min().cast(pl.Int64).alias("_first"))
    )


def _case_deviations(
    cases: pl.DataFrame, variant_devs: pl.DataFrame, events: pl.DataFrame, first: pl.DataFrame
) -> pl.DataFrame:
    """The variants' deviations for every case, with the time of the event (none for skips)."""
    if first["case"].equals(cases["case"]):  # the usual order: no join on the case ids
        with_first = cases.select("case", "unit", "variant", first["_first"])
    else:
        with_first = cases.select("case", "unit", "variant").join(first, on="case", how="left")
    devs = with_first.join(variant_devs, on="variant", how="inner")
    idx = devs.select(
        pl.when(pl.col("kind") != "skipped").then(pl.col("_first") + pl.col("position"))
    ).to_series()
    return devs.with_columns(
        events["timestamp"].gather(idx).alias("time"), pl.lit(None, pl.String).alias("limit")
    ).select(_DEVIATION_COLUMNS)


# -- time limits, allow-list, case scores ------------------------------------------------------


def _time_limits(target: ResolvedProcess, opts: CheckOptions) -> Sequence[TimeLimit]:
    """The options' limits, else the catalogue's."""
    return opts.time_limits if opts.time_limits is not None else target.time_limits


def _rules(target: ResolvedProcess, opts: CheckOptions) -> list[Allow]:
    """The options' allow-list, then (unless switched off) the approved variations."""
    rules = list(opts.allow)
    if opts.use_approved_variations and target.standard is not None:
        rules.extend(approved_variations(target.standard))
    return rules


def _apply_allow_list(
    structural: pl.DataFrame, late: pl.DataFrame, rules: Sequence[Allow]
) -> pl.DataFrame:
    """All deviations with ``allowed``, sorted by case, position, kind and activity."""
    devs = pl.concat(
        [structural.select(_DEVIATION_COLUMNS), late.select(_DEVIATION_COLUMNS)],
        how="vertical_relaxed",
    )
    return devs.with_columns(allowed_expr(rules).alias("allowed")).sort(
        ["case", "position", "kind", "activity"], nulls_last=True
    )


def _case_scores(
    cases: pl.DataFrame, variants: pl.DataFrame, deviations: pl.DataFrame
) -> pl.DataFrame:
    """Per case: alignment cost, the cost after the allow-list, fitness and conformance.

    A case conforms when no deviation counts: no counted alignment cost and not late.
    """
    structural = pl.col("kind") != "late"
    per_case = deviations.group_by("case").agg(
        (pl.col("dev_cost") * (pl.col("allowed") & structural).cast(pl.Float64))
        .sum()
        .alias("_allowed_cost"),
        (~pl.col("allowed")).sum().alias("deviations"),
        (~structural & ~pl.col("allowed")).sum().alias("late"),
    )
    return (
        cases.join(
            variants.select("variant", "cost", "worst_cost", "exact", "cost_lower"),
            on="variant",
            how="left",
        )
        .join(per_case, on="case", how="left")
        .with_columns(
            pl.col("deviations").fill_null(0).cast(pl.Int64),
            pl.col("late").fill_null(0).cast(pl.Int64),
            (pl.col("cost") - pl.col("_allowed_cost").fill_null(0.0))
            .clip(lower_bound=0.0)
            .alias("counted_cost"),
        )
        .with_columns(
            pl.when(pl.col("worst_cost") > 0)
            .then(1 - pl.col("counted_cost") / pl.col("worst_cost"))
            .otherwise(1.0)
            .alias("fitness"),
            ((pl.col("counted_cost") == 0) & (pl.col("late") == 0)).alias("conforming"),
        )
        .drop("_allowed_cost")
        .sort("case")
    )


# -- the result --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tables:
    """The per-case tables the result is built from."""

    cases: pl.DataFrame
    deviations: pl.DataFrame
    variants: pl.DataFrame
    time_limits: pl.DataFrame


def _result(
    target: ResolvedProcess,
    log: EventLog,
    events: pl.DataFrame,
    tables: _Tables,
    applied: AppliedOptions,
) -> ConformanceResult:
    """Unit and activity scores, and everything in one :class:`ConformanceResult`."""
    labels = target.net.labels
    unmapped = events.filter(~pl.col("activity").is_in(sorted(labels))).group_by("activity").len()
    names = {k: v.sv for k, v in target.labels.items()}
    return ConformanceResult(
        process=ProcessInfo.of(target),
        cases=tables.cases,
        deviations=_named(tables.deviations, "activity", "activity_name", names),
        activities=_named(
            activity_scores(tables.cases, tables.deviations, labels),
            "activity",
            "activity_name",
            names,
        ),
        units=unit_scores(tables.cases, tables.time_limits),
        time_limits=_named(
            _named(tables.time_limits, "from_activity", "from_name", names),
            "to_activity",
            "to_name",
            names,
        ),
        variants=_named_moves(tables.variants, names),
        accounting=log.accounting,
        activity_names={k: {"sv": v.sv, "en": v.en} for k, v in target.labels.items()},
        unmapped={str(k): int(v) for k, v in unmapped.iter_rows()},
        options=applied,
        model=target.model,
        log_period=(_iso(events["timestamp"].min()), _iso(events["timestamp"].max())),
        lang="sv",
    )


def _name_expr(activity: pl.Expr, names: dict[str, str]) -> pl.Expr:
    """The label of an activity id (Swedish); an activity outside the standard keeps its name."""
    if not names:
        return activity
    return activity.replace_strict(names, default=activity, return_dtype=pl.String)


def _named(frame: pl.DataFrame, column: str, name: str, names: dict[str, str]) -> pl.DataFrame:
    """``frame`` with the label of ``column`` as ``name``, right after it."""
    if column not in frame.columns:
        return frame
    out = frame.with_columns(_name_expr(pl.col(column), names).alias(name))
    order = [c for c in frame.columns if c != name]
    order.insert(order.index(column) + 1, name)
    return out.select(order)


def _named_moves(variants: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Every alignment move with ``activity`` (the model's id for a model move, else the log's)
    and its ``activity_name``."""
    if "moves" not in variants.columns or variants.height == 0:
        return variants
    move = pl.element()
    activity = (
        pl.when(move.struct.field("kind") == "model")
        .then(move.struct.field("model"))
        .otherwise(move.struct.field("log"))
    )
    return variants.with_columns(
        pl.col("moves").list.eval(
            move.struct.with_fields(
                activity.alias("activity"), _name_expr(activity, names).alias("activity_name")
            )
        )
    )


def _iso(t: object) -> str | None:
    """An event time as ISO text (None when the log has no times)."""
    return t.isoformat() if isinstance(t, datetime) else None


# -- the Spark engine --------------------------------------------------------------------------


def check_spark(
    process: ProcessLike,
    log: SparkLogLike,
    *,
    options: CheckOptions | None = None,
    **overrides: Unpack[CheckOptionValues],
) -> SparkConformance:
    """:func:`check` on Spark, its per-case tables left on Spark (``.write(OUT)`` or
    ``.collect()``); ``engine`` is ``"spark"`` whatever the options say.

    Args:
        process: as for :func:`check`.
        log: CSV or Parquet paths or globs (``"exports/*.csv"``, a partitioned Parquet
            folder), a Spark DataFrame, or anything :func:`check` takes.
        options: the options (:class:`CheckOptions`).
        **overrides: single options, as for :func:`check`.

    Returns:
        A :class:`~fvmprocess.engines.spark_check.SparkConformance`.

    Example:
        >>> check_spark("akutmottagning", "exports/*.csv").write("out/")  # doctest: +SKIP
    """
    opts = (options or CheckOptions()).update(**overrides).update(engine="spark")
    target = resolve_process(process, catalog=opts.catalog)
    if opts.mapping is not None:
        opts = opts.update(mapping=check_mapping(opts.mapping, target))
    return _on_spark(target, log, opts)


def _on_spark(target: ResolvedProcess, log: SparkLogLike, opts: CheckOptions) -> SparkConformance:
    """The log read on Spark (or moved there) and checked by the Spark stages."""
    from fvmprocess.engines.spark_check import SparkPlan, check_on_spark, events_on_spark
    from fvmprocess.engines.spark_read import read_log_spark

    if isinstance(log, EventLog) or not _spark_reads(log):
        slog = events_on_spark(_read(cast("LogLike", log), opts))
    else:
        source = cast("SparkSource", log)
        slog = read_log_spark(source, schema=opts.schema, mapping=opts.mapping)
    rules, limits = _rules(target, opts), _time_limits(target, opts)
    applied = AppliedOptions(
        allow=tuple(rules),
        time_limits=tuple(limits),
        costs="standard" if opts.costs is None or opts.costs.is_standard else "custom",
    )
    names = {k: v.sv for k, v in target.labels.items()}
    plan = SparkPlan(
        rules,
        limits,
        opts.costs,
        applied,
        lambda acts: _renames(acts, target),
        names=names,
        name_frame=lambda frame, column, name: _named(frame, column, name, names),
        name_moves=lambda variants: _named_moves(variants, names),
        min_match_share=opts.min_match_share,
        strict=opts.strict,
        unit_assignment=opts.unit_assignment,
        analyses=opts if opts.period or opts.milestones or opts.causes or opts.practice else None,
    )
    return check_on_spark(target, slog, plan)


def _spark_reads(log: object) -> bool:
    """Whether the Spark reader takes ``log``: CSV/Parquet paths or globs, a Spark frame."""
    if isinstance(log, pl.DataFrame | pl.LazyFrame) or type(log).__module__.startswith("pandas"):
        return False
    paths = [log] if isinstance(log, str | PathLike) else log
    if isinstance(paths, list | tuple):
        xes = (".xes", ".xes.gz", ".xml", ".xml.gz")
        return not any(str(p).lower().endswith(xes) for p in paths)
    return True


def _renames(activities: list[str], target: ResolvedProcess) -> dict[str, str]:
    """The renames :func:`_match_activities` makes to these distinct activities."""
    frame = pl.DataFrame({"activity": activities}, schema={"activity": pl.String})
    matched = _match_activities(frame, target)["activity"].to_list()
    return {a: b for a, b in zip(activities, matched, strict=True) if a != b}
