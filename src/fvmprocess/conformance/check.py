"""The check: every case of a log against a standard process, as a sequence of named stages.

:func:`check` only wires the stages (``docs/conformance.md`` has every formula):

1. :func:`~fvmprocess.process.resolve_process` — the process and its workflow net;
2. :func:`_read` and :func:`_match_activities` — the log, its activities matched to the
   standard's ids (mapping, then the activities' Swedish or English names, then the ids);
3. :func:`_variant_tables` — cases and distinct variants (embedded or Spark engine);
4. :func:`_align` — each distinct variant aligned once;
5. :func:`_classify_variants` and :func:`_case_deviations` — the moves classified into
   deviations and joined back to the cases;
6. :func:`~fvmprocess.conformance.timelimits.apply_time_limits` — late cases, in the log's
   time zone;
7. :func:`_apply_allow_list` and :func:`_case_scores` — approved deviations, per-case cost,
   fitness and conformance;
8. :func:`_result` — unit, activity and time-limit scores in a :class:`ConformanceResult`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias, Unpack

import polars as pl

from fvmprocess.conformance.align import Aligner, Alignment, AlignmentCosts
from fvmprocess.conformance.allow import Allow, allowed_expr, approved_variations
from fvmprocess.conformance.classify import classify
from fvmprocess.conformance.options import CheckOptions, CheckOptionValues, Engine
from fvmprocess.conformance.result import AppliedOptions, ConformanceResult, ProcessInfo
from fvmprocess.conformance.timelimits import apply_time_limits
from fvmprocess.errors import ConformanceError
from fvmprocess.eventlog import EventLog, read_log
from fvmprocess.process import ResolvedProcess, resolve_process
from fvmprocess.scoring import activity_scores, unit_scores

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from fvmprocess.petri import PetriNet
    from fvmprocess.process import ProcessLike
    from fvmprocess.timelimit import TimeLimit

__all__ = ["LogLike", "check"]

#: What ``check`` takes as a log: an :class:`EventLog`, or anything :func:`read_log` reads.
LogLike: TypeAlias = "EventLog | str | Path | pl.DataFrame | pl.LazyFrame | pd.DataFrame"

_DEVIATION_COLUMNS = ("case", "unit", "kind", "activity", "position", "time", "limit", "dev_cost")
_MOVES = pl.List(pl.Struct({"log": pl.String, "model": pl.String, "kind": pl.String}))


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
    read = _read(log, opts)
    events = _match_activities(read.events, target)
    if events.height == 0:
        raise ConformanceError(
            "the log has no usable events (see its accounting for rejected rows)",
            source=read.source,
        )
    cases, variants = _variant_tables(events, opts.engine)
    traces = [tuple(v) for v in variants["activities"].to_list()]
    alignments = _align(target.net, traces, opts)
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
    return _result(
        target,
        read,
        events,
        _Tables(scored, deviations.drop("dev_cost"), variants, timed.scores),
        applied,
    )


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


def _align(net: PetriNet, traces: list[tuple[str, ...]], opts: CheckOptions) -> list[Alignment]:
    """One optimal alignment per distinct variant (reporting progress)."""
    progress, total = opts.progress, len(traces)
    if opts.engine == "spark":  # distinct variants shipped to the executors
        from fvmprocess.engines.spark import align_variants_spark

        found = align_variants_spark(net, traces, costs=opts.costs)
    elif opts.processes > 1:
        found = Aligner(net, costs=opts.costs).align_variants(traces, processes=opts.processes)
    else:
        aligner = Aligner(net, costs=opts.costs)
        step = max(1, total // 100)
        found = []
        for i, t in enumerate(traces):
            found.append(aligner.align(t))
            if progress is not None and (i % step == 0 or i == total - 1):
                progress(i + 1, total)
        return found
    if progress is not None:
        progress(total, total)
    return found


def _classify_variants(
    variants: pl.DataFrame,
    alignments: Sequence[Alignment],
    labels: Collection[str],
    costs: AlignmentCosts | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Variants with ``cost``, ``worst_cost``, ``fitness`` and ``moves``; and their deviations
    (``variant``, ``kind``, ``activity``, ``position``, ``dev_cost``)."""
    rows: list[tuple[int, float, float, list[dict[str, str | None]]]] = []
    devs: list[tuple[int, str, str, int, float]] = []
    for vid, al in zip(variants["variant"].to_list(), alignments, strict=True):
        moves = [
            {"log": m.log, "model": m.model, "kind": m.kind} for m in al.moves if m.kind != "silent"
        ]
        rows.append((vid, float(al.cost), float(al.worst_cost), moves))
        found = classify(al.moves, labels, costs=costs)
        devs.extend((vid, d.kind, d.activity, d.position, d.cost) for d in found)
    scored = pl.DataFrame(
        rows,
        schema={
            "variant": pl.Int64,
            "cost": pl.Float64,
            "worst_cost": pl.Float64,
            "moves": _MOVES,
        },
        orient="row",
    )
    out = variants.join(scored, on="variant", how="left").with_columns(
        pl.when(pl.col("worst_cost") > 0)
        .then(1 - pl.col("cost") / pl.col("worst_cost"))
        .otherwise(1.0)
        .alias("fitness")
    )
    deviations = pl.DataFrame(
        devs,
        schema={
            "variant": pl.Int64,
            "kind": pl.String,
            "activity": pl.String,
            "position": pl.Int64,
            "dev_cost": pl.Float64,
        },
        orient="row",
    )
    return out.sort("variant"), deviations


def _first_events(events: pl.DataFrame) -> pl.DataFrame:
    """Per case the row index of its first event (``case``, ``_first``).

    Each case's events are contiguous in ``events`` (sorted by case, time, row), so an event
    is found at (index of the case's first event + its position): no per-event join.
    """
    return (
        events.select("case")
        .with_row_index("_i")
        .group_by("case")
        .agg(pl.col("_i").min().cast(pl.Int64).alias("_first"))
    )


def _case_deviations(
    cases: pl.DataFrame, variant_devs: pl.DataFrame, events: pl.DataFrame, first: pl.DataFrame
) -> pl.DataFrame:
    """The variants' deviations for every case, with the time of the event (none for skips)."""
    devs = (
        cases.select("case", "unit", "variant")
        .join(variant_devs, on="variant", how="inner")
        .join(first, on="case", how="left")
    )
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
        cases.join(variants.select("variant", "cost", "worst_cost"), on="variant", how="left")
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
