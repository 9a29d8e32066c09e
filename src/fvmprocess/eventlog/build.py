"""From raw input rows to events: the stages of ``read_log`` after a reader has run.

Each stage is a small typed function over the work frame (the selected input columns, the row
number :data:`~fvmprocess.eventlog.columns.ROW` and the rejection reason
:data:`~fvmprocess.eventlog.columns.REJECT`, null while a row is in play). Reasons are marked in
the order of :data:`~fvmprocess.eventlog.accounting.REASONS`; a row keeps its first reason.

The stage API (shared with the Spark reader, :mod:`fvmprocess.engines.spark_read`, which runs
the same stages per Arrow batch): :func:`select_roles`, :func:`add_timestamps`,
:func:`mark_missing`, :func:`map_activities` and :func:`raise_first_rejection`, with their
results :class:`Selection` and :class:`Step`. Internal to the package otherwise: used by
:func:`fvmprocess.eventlog.read_log`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from fvmprocess.errors import LogError
from fvmprocess.eventlog.accounting import REASONS, Accounting
from fvmprocess.eventlog.columns import (
    MAX_EXAMPLES,
    OPTIONAL_EVENT_COLUMNS,
    REJECT,
    ROW,
    STANDARD_COLUMNS,
    UTC,
)
from fvmprocess.eventlog.mapping import ActivityMapping
from fvmprocess.eventlog.options import ReadOptions
from fvmprocess.eventlog.raw import RawLog, SourceInfo
from fvmprocess.eventlog.schema import LogSchema
from fvmprocess.eventlog.timestamps import parse_timestamps

__all__ = [
    "BuiltLog",
    "Selection",
    "Step",
    "add_timestamps",
    "build",
    "map_activities",
    "mark_missing",
    "raise_first_rejection",
    "select_roles",
]

_TS_REASON = "__fvm_ts_reason__"
_DUPLICATE = "__fvm_duplicate__"  # a kept duplicate (duplicates="keep")
_MERGED = "__merged__"  # a lifecycle start merged into its complete event: used, not an event
_INT_RE = r"^[+-]?(?:0|[1-9]\d*)$"
_DEC_DOT_RE = r"^[+-]?\d+\.\d+$"
_DEC_COMMA_RE = r"^[+-]?\d+,\d+$"


@dataclass(frozen=True)
class BuiltLog:
    """Everything an :class:`~fvmprocess.eventlog.EventLog` is made of."""

    events: pl.DataFrame
    schema: LogSchema
    source: str
    accounting: Accounting
    unmapped_activities: dict[str, int]
    source_info: SourceInfo
    timezone: str


@dataclass(frozen=True)
class Step:
    """A stage's output: the work frame and the warnings the stage counted."""

    work: pl.DataFrame
    warnings: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Selection:
    work: pl.DataFrame
    extras: dict[str, str]  # extra input column -> its name among the events
    warnings: Mapping[str, int] = field(default_factory=dict)
    examples: Mapping[str, list[int]] = field(default_factory=dict)


def build(
    raw: RawLog, *, schema: LogSchema, mapping: ActivityMapping | None, options: ReadOptions
) -> BuiltLog:
    """Normalise, check, map, de-duplicate and account for the rows of ``raw``.

    ``raw``'s frame is released once the input columns have been read (peak memory).

    Raises:
        LogError: the input has no columns or lacks a required one, or (``options.strict``) a
            row was rejected.
    """
    resolved = _resolve_schema(raw, schema)
    roles = resolved.columns()
    warnings = dict(raw.warnings)
    selection = select_roles(raw, roles)
    _count(warnings, selection.warnings)
    timed = add_timestamps(selection.work, raw, roles, options)
    _count(warnings, timed.warnings)
    raw.release()
    work = map_activities(mark_missing(timed.work), mapping)
    order: _Order | None = None
    if "timestamp" in roles:
        work, order = _mark_duplicates(work, reject=options.duplicates == "reject")
    live = work[REJECT].null_count()
    paired = _merge_lifecycle(work)
    _count(warnings, paired.warnings)
    work = paired.work
    if work[REJECT].null_count() != live:  # reasons are only ever added: same count, same rows
        order = None
    kept = _kept_duplicates(work)
    _count(warnings, kept.counts)
    examples = {**raw.warning_examples, **selection.examples, **kept.examples}
    by_reader = _reader_rejections(raw)
    rejected = _rejections(work, by_reader)
    accounting = _account(rejected, work.height + by_reader.height, warnings, examples)
    if options.strict and accounting.rows_rejected:
        raise_first_rejection(rejected, accounting, roles, raw)
    unmapped = _unmapped(work, mapping)
    events = _events(work, selection.extras, order)
    return BuiltLog(
        events=events,
        schema=resolved,
        source=raw.source,
        accounting=accounting,
        unmapped_activities=unmapped,
        source_info=raw.info,
        timezone=options.timezone,
    )


def _count(into: dict[str, int], more: Mapping[str, int]) -> None:
    for k, v in more.items():
        into[k] = into.get(k, 0) + v


def _input_columns(raw: RawLog) -> list[str]:
    return [c for c in raw.frame.columns if c != ROW]


def _resolve_schema(raw: RawLog, schema: LogSchema) -> LogSchema:
    columns = _input_columns(raw)
    if raw.frame.height == 0 and not raw.malformed and not raw.rejected and not columns:
        raise LogError("empty input: no columns and no rows", source=raw.source)
    return schema.resolve(columns, source=raw.source, allow_no_timestamp=raw.timestamps_optional)


def _text(expr: pl.Expr) -> pl.Expr:
    """A cell as trimmed text; empty or whitespace-only cells are null.

    ``replace("", None)`` rather than ``when(e == "").then(None).otherwise(e)``: the same
    values, without building the trimmed column a second time (half the cost at 1 M rows).
    """
    return expr.cast(pl.String).str.strip_chars().replace("", None)


def select_roles(raw: RawLog, roles: Mapping[str, str]) -> Selection:
    """The role columns as clean text, the extra columns (numbers converted in CSV), ROW."""
    extras = [c for c in _input_columns(raw) if c not in roles.values()]
    f = raw.frame
    converted = _Converted(f)
    if raw.info.format == "csv":
        converted = _convert_numeric(f, extras, decimal_comma=raw.decimal_comma)
        f = converted.frame
    cols: list[pl.Expr] = [
        pl.col(ROW),
        _text(pl.col(roles["case"])).alias("case"),
        _text(pl.col(roles["activity"])).alias("original_activity"),
    ]
    cols += [_text(pl.col(roles[c])).alias(c) for c in ("unit", "resource") if c in roles]
    if "lifecycle" in roles:
        cols.append(_text(pl.col(roles["lifecycle"])).str.to_lowercase().alias("lifecycle"))
    names = {c: (f"attr:{c}" if c in STANDARD_COLUMNS else c) for c in extras}
    cols += [pl.col(c).alias(a) for c, a in names.items()]
    work = f.select(cols).with_columns(pl.lit(None, dtype=pl.String).alias(REJECT))
    return Selection(work, names, converted.warnings, converted.examples)


@dataclass(frozen=True)
class _Converted:
    """Extra columns after number conversion, and the cells that would not convert."""

    frame: pl.DataFrame
    warnings: Mapping[str, int] = field(default_factory=dict)
    examples: Mapping[str, list[int]] = field(default_factory=dict)


def _number_dtype(vals: pl.Series, *, decimal_comma: bool) -> tuple[pl.DataType, bool] | None:
    """The type the non-empty ``vals`` all look like (and whether with a decimal comma)."""
    is_int = vals.str.contains(_INT_RE)
    if bool(is_int.all()):
        return pl.Int64(), False
    if bool((is_int | vals.str.contains(_DEC_DOT_RE)).all()):
        return pl.Float64(), False
    if decimal_comma and bool((is_int | vals.str.contains(_DEC_COMMA_RE)).all()):
        return pl.Float64(), True
    return None


def _convert_numeric(
    frame: pl.DataFrame, columns: Iterable[str], *, decimal_comma: bool
) -> _Converted:
    """Extra text columns holding only integers (or decimals) become Int64 (Float64).

    A column whose numbers do not all convert (an integer beyond 64 bits) stays text; its
    cells are counted in ``warnings["unconvertible_value"]`` with example rows.
    """
    exprs: list[pl.Expr] = []
    failed: list[pl.Series] = []
    for c in columns:
        s = frame[c]
        if s.dtype != pl.String:
            continue
        stripped = s.str.strip_chars()
        vals = stripped.filter(stripped.is_not_null() & (stripped != ""))
        kind = _number_dtype(vals, decimal_comma=decimal_comma) if vals.len() else None
        if kind is None:
            continue
        dtype, comma = kind
        text = _text(pl.col(c))
        expr = (text.str.replace(",", ".", literal=True) if comma else text).cast(
            dtype, strict=False
        )
        check = frame.select(ROW, text.is_not_null().alias("_in"), expr.alias("_out"))
        bad = check.filter(pl.col("_in") & pl.col("_out").is_null())[ROW]
        if bad.len():
            failed.append(bad)
            continue
        exprs.append(expr.alias(c))
    out = frame.with_columns(exprs) if exprs else frame
    if not failed:
        return _Converted(out)
    rows = pl.concat(failed).sort()
    return _Converted(
        out,
        {"unconvertible_value": rows.len()},
        {"unconvertible_value": rows.unique().head(MAX_EXAMPLES).to_list()},
    )


def add_timestamps(
    work: pl.DataFrame, raw: RawLog, roles: Mapping[str, str], options: ReadOptions
) -> Step:
    """``timestamp`` (and ``start_timestamp``) in UTC, and the timestamp rejection reason."""
    warnings: dict[str, int] = {}
    if "timestamp" not in roles:
        work = work.with_columns(
            pl.lit(None, dtype=UTC).alias("timestamp"),
            pl.lit(None, dtype=pl.String).alias(_TS_REASON),
        )
        if work.height:
            warnings["no_timestamps"] = work.height
    else:
        ts = parse_timestamps(
            raw.frame[roles["timestamp"]], timezone=options.timezone, dayfirst=options.dayfirst
        )
        work = work.with_columns(ts.utc.alias("timestamp"), ts.reason.alias(_TS_REASON))
        _count(warnings, ts.warnings)
    if "start_timestamp" in roles:
        st = parse_timestamps(
            raw.frame[roles["start_timestamp"]],
            timezone=options.timezone,
            dayfirst=options.dayfirst,
        )
        work = work.with_columns(st.utc.alias("start_timestamp"))
        bad = int(st.reason.is_in(["unparseable_timestamp", "nonexistent_local_time"]).sum())
        if bad:
            warnings["unparseable_start_timestamp"] = bad
    return Step(work, warnings)


def _mark(reason: str, cond: pl.Expr) -> pl.Expr:
    """Reject the rows still in play where ``cond`` holds, with ``reason``."""
    return (
        pl.when(pl.col(REJECT).is_null() & cond)
        .then(pl.lit(reason))
        .otherwise(pl.col(REJECT))
        .alias(REJECT)
    )


def mark_missing(work: pl.DataFrame) -> pl.DataFrame:
    """Missing case, missing activity, then the timestamp's reason."""
    return (
        work.with_columns(_mark("missing_case", pl.col("case").is_null()))
        .with_columns(_mark("missing_activity", pl.col("original_activity").is_null()))
        .with_columns(pl.coalesce(pl.col(REJECT), pl.col(_TS_REASON)).alias(REJECT))
        .drop(_TS_REASON)
    )


def map_activities(work: pl.DataFrame, mapping: ActivityMapping | None) -> pl.DataFrame:
    """``activity`` from the mapping, ``ignored_activity`` for the ignore list and, under
    ``unmapped="ignore"``, ``unmapped_activity`` for activities the mapping does not name."""
    if mapping is None or not (mapping.mapping or mapping.ignore or mapping.unmapped == "ignore"):
        return work.with_columns(pl.col("original_activity").alias("activity"))
    ignore = list(mapping.ignore)
    work = work.with_columns(
        pl.col("original_activity").replace(dict(mapping.mapping)).alias("activity")
    ).with_columns(
        _mark(
            "ignored_activity",
            pl.col("original_activity").is_in(ignore) | pl.col("activity").is_in(ignore),
        )
    )
    if mapping.unmapped == "keep":
        return work
    kept = sorted(mapping.kept_names())
    act = pl.col("activity")
    named = act.is_in(kept) | act.str.strip_chars().str.to_lowercase().is_in(kept)
    return work.with_columns(_mark("unmapped_activity", act.is_not_null() & ~named))


def _event_key(work: pl.DataFrame) -> list[str]:
    """The columns two rows must share to be the same event."""
    return ["case", "activity", "timestamp"] + [
        c for c in OPTIONAL_EVENT_COLUMNS if c in work.columns
    ]


def _mark_duplicates(work: pl.DataFrame, *, reject: bool) -> tuple[pl.DataFrame, _Order | None]:
    """Find rows equal to an earlier live row (the first one is the event kept).

    ``reject``: they are rejected as ``duplicate_event``; else they stay and are flagged in
    a helper column, counted as a warning by :func:`_kept_duplicates`. Without timestamps
    repeated activities are real repetitions, so :func:`build` skips this stage then.
    Returns the frame and the live rows' event order (None when rows were rejected here).
    """
    order = _event_order(work)
    mask = duplicate_mask(work, order)
    if reject:
        return work.with_columns(_mark("duplicate_event", pl.lit(mask))), (
            None if mask.any() else order
        )
    return work.with_columns(mask.alias(_DUPLICATE)), order


@dataclass(frozen=True)
class _Flagged:
    counts: Mapping[str, int] = field(default_factory=dict)
    examples: Mapping[str, list[int]] = field(default_factory=dict)


def _kept_duplicates(work: pl.DataFrame) -> _Flagged:
    """Kept duplicates that became events: their number and first rows (a warning)."""
    if _DUPLICATE not in work.columns:
        return _Flagged()
    rows = work.filter(pl.col(_DUPLICATE) & pl.col(REJECT).is_null())[ROW]
    if rows.is_empty():
        return _Flagged()
    first = rows.sort().head(MAX_EXAMPLES).to_list()
    return _Flagged({"duplicate_event": rows.len()}, {"duplicate_event": first})


def duplicate_mask(work: pl.DataFrame, order: _Order | None = None) -> pl.Series:
    """True for a live row equal on the event key to an earlier live row (input order).

    Exact, without hashing or sorting every row: equal rows share case and timestamp, so in
    the event order (:func:`_event_order`) they are neighbours with the same case and time.
    Only such rows are compared on the full key. A rejected row never hides a live one.
    """
    found = order or _event_order(work)
    mask = pl.repeat(False, work.height, dtype=pl.Boolean, eager=True).alias("_dup")
    same = found.same
    suspects = found.positions.filter(same | same.shift(-1).fill_null(False)).sort()
    if suspects.is_empty():
        return mask
    key = _event_key(work)
    sub = work[suspects].select(key)
    dup_in_sub = ~sub.select(pl.struct(key).is_first_distinct()).to_series()
    return mask.scatter(suspects.filter(dup_in_sub), True)


def _merge_lifecycle(work: pl.DataFrame) -> Step:
    """Merge ``start`` events into the ``complete`` that follows; reject other non-completes."""
    if "lifecycle" not in work.columns:
        return Step(work)
    warnings: dict[str, int] = {}
    if "start_timestamp" not in work.columns:
        work = work.with_columns(pl.lit(None, dtype=UTC).alias("start_timestamp"))
        work, merged = _pair_starts(work)
        if merged:
            warnings["lifecycle_start_merged"] = merged
    lc = pl.col("lifecycle")
    work = work.with_columns(_mark("lifecycle_not_complete", lc.is_null() | (lc != "complete")))
    return Step(work, warnings)


def _pair_starts(work: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """A live ``start`` directly followed (same case and activity, by time) by a ``complete``
    becomes that event's ``start_timestamp``; returns the frame and the number merged."""
    lc = pl.col("lifecycle")
    by = ["case", "activity"]
    cand = (
        work.filter(pl.col(REJECT).is_null() & lc.is_in(["start", "complete"]))
        .with_columns((lc == "complete").cast(pl.Int8).alias("_o"))
        .sort(["case", "activity", "timestamp", "_o", ROW], nulls_last=True)
        .with_columns(
            lc.shift(-1).over(by).alias("_next"),
            lc.shift(1).over(by).alias("_prev"),
            pl.col("timestamp").shift(1).over(by).alias("_prev_ts"),
        )
    )
    starts = cand.filter((lc == "start") & (pl.col("_next") == "complete"))
    if not starts.height:
        return work, 0
    completes = cand.filter((lc == "complete") & (pl.col("_prev") == "start")).select(
        ROW, pl.col("_prev_ts").alias("_st")
    )
    start_rows = starts.select(ROW).to_series().implode()
    work = (
        work.join(completes, on=ROW, how="left", maintain_order="left")
        .with_columns(
            pl.coalesce(pl.col("_st"), pl.col("start_timestamp")).alias("start_timestamp")
        )
        .drop("_st")
        .with_columns(
            pl.when(pl.col(ROW).is_in(start_rows))
            .then(pl.lit(_MERGED))
            .otherwise(pl.col(REJECT))
            .alias(REJECT)
        )
    )
    return work, starts.height


def _reader_rejections(raw: RawLog) -> pl.DataFrame:
    """The rows the reader itself rejected (reason, row): malformed records and the like."""
    reasons = {"malformed_row": raw.malformed, **raw.rejected}
    frames = [
        pl.DataFrame(
            {REJECT: pl.repeat(reason, len(rows), eager=True, dtype=pl.String), ROW: rows},
            schema={REJECT: pl.String, ROW: pl.Int64},
        )
        for reason, rows in reasons.items()
        if rows
    ]
    if not frames:
        return pl.DataFrame(schema={REJECT: pl.String, ROW: pl.Int64})
    return pl.concat(frames)


def _rejections(work: pl.DataFrame, by_reader: pl.DataFrame) -> pl.DataFrame:
    """Every rejected row (reason, row), the reader's included, sorted by row."""
    rejected = work.filter(pl.col(REJECT).is_not_null() & (pl.col(REJECT) != _MERGED)).select(
        REJECT, ROW
    )
    if by_reader.height:
        rejected = pl.concat([rejected, by_reader])
    return rejected.sort(ROW)


def _account(
    rejected: pl.DataFrame,
    rows_read: int,
    warnings: Mapping[str, int],
    warning_examples: Mapping[str, list[int]],
) -> Accounting:
    """Counts and the first example rows per reason, in the order of ``REASONS``."""
    summary = rejected.group_by(REJECT, maintain_order=True).agg(
        pl.len().alias("n"), pl.col(ROW).head(MAX_EXAMPLES).alias("ex")
    )
    order = {r: i for i, r in enumerate(REASONS)}
    ranked = sorted(
        zip(
            summary[REJECT].to_list(), summary["n"].to_list(), summary["ex"].to_list(), strict=True
        ),
        key=lambda t: order.get(t[0], len(order)),
    )
    reasons = {str(r): int(n) for r, n, _ in ranked}
    rows_rejected = sum(reasons.values())
    return Accounting(
        rows_read=rows_read,
        rows_used=rows_read - rows_rejected,
        rows_rejected=rows_rejected,
        reasons=reasons,
        examples={str(r): [int(x) for x in ex] for r, _, ex in ranked},
        warnings=dict(sorted(warnings.items())),
        warning_examples=dict(sorted(warning_examples.items())),
    )


def raise_first_rejection(
    rejected: pl.DataFrame, accounting: Accounting, roles: Mapping[str, str], raw: RawLog
) -> None:
    """``strict``: the first rejected row as an error naming its line and column, no value."""
    reason, row = rejected.row(0)
    place = "line" if raw.info.format in ("csv", "xes") else "row"
    column = {
        "missing_case": roles.get("case"),
        "missing_activity": roles.get("activity"),
        "missing_timestamp": roles.get("timestamp"),
        "unparseable_timestamp": roles.get("timestamp"),
        "nonexistent_local_time": roles.get("timestamp"),
    }.get(reason)
    detail = f" (column {column!r})" if column else ""
    counts = ", ".join(f"{k}: {v}" for k, v in accounting.reasons.items())
    raise LogError(
        f"row rejected: {reason}{detail}; {accounting.rows_rejected} row(s) rejected in all "
        f"({counts})",
        source=raw.source,
        place=f"{place} {row}",
    )


def _unmapped(work: pl.DataFrame, mapping: ActivityMapping | None) -> dict[str, int]:
    """Original activities of live events the mapping does not name, most frequent first."""
    if mapping is None or not mapping.mapping:
        return {}
    known = list(set(mapping.mapping) | set(mapping.mapping.values()))
    um = (
        work.lazy()
        .filter(pl.col(REJECT).is_null() & ~pl.col("original_activity").is_in(known))
        .group_by("original_activity")
        .agg(pl.len().alias("n"))
        .sort(["n", "original_activity"], descending=[True, False])
        .collect()
    )
    return {str(a): int(n) for a, n in um.iter_rows()}


def _events(
    work: pl.DataFrame, extras: Mapping[str, str], order: _Order | None = None
) -> pl.DataFrame:
    """The live rows sorted by case, timestamp and row, in the events' column order.

    Only the sort keys are sorted (:func:`_event_order`, or ``order`` when the caller has it
    for the same live rows); the live rows are then gathered once, so one copy of the events
    exists at a time, and not at all when they are in order.
    """
    head = _event_key(work)
    found = order or _event_order(work)
    events = work.select(*head, "original_activity", ROW, *extras.values()).rename({ROW: "row"})
    return events if found.identity else events.select(pl.all().gather(found.positions))


@dataclass(frozen=True)
class _Order:
    """The live rows in (case, timestamp, row) order.

    Attributes:
        positions: their positions in the work frame, in that order.
        same: per position in that order, whether the row has the case and timestamp of the
            one before it.
        identity: every row is live and already in order (``positions`` is 0, 1, 2, ...).
    """

    positions: pl.Series
    same: pl.Series
    identity: bool = False


def _event_order(work: pl.DataFrame) -> _Order:
    """The live rows in case/timestamp/row order.

    Exports usually list each case's rows together, in case order: then each case gets an
    integer key in one pass, and only the cases whose rows are not in order are sorted, over
    integers and times (nothing is sorted when every row is in order), instead of every row
    over the case strings.
    """
    live = work.select(pl.col(REJECT).is_null().alias("_live"))["_live"]
    all_live = bool(live.all())
    keys = work.select("case", "timestamp", ROW).with_row_index("_pos")
    if not all_live:
        keys = keys.filter(live)
    case = pl.col("case")
    grouped = keys.select((case >= case.shift(1)).all().alias("ok")).item() is not False
    if not grouped:
        ordered = keys.sort(["case", "timestamp", ROW], nulls_last=False, maintain_order=True)
        return _Order(ordered["_pos"], _same(ordered, "case"))
    ints = keys.select(
        "_pos", (case != case.shift(1)).fill_null(True).cum_sum().alias("_case"), "timestamp", ROW
    )
    follows = ints.select(_follows().alias("ok"))["ok"]
    if follows.all():
        return _Order(ints["_pos"], _same(ints, "_case"), identity=all_live)
    ordered = _sort_disordered(ints, follows)
    return _Order(ordered["_pos"], _same(ordered, "_case"))


def _same(ordered: pl.DataFrame, case: str) -> pl.Series:
    """Whether each row has the case and timestamp of the row before it."""
    c, t = pl.col(case), pl.col("timestamp")
    return ordered.select(((c == c.shift(1)) & (t == t.shift(1))).fill_null(False).alias("_same"))[
        "_same"
    ]


def _sort_disordered(ints: pl.DataFrame, follows: pl.Series) -> pl.DataFrame:
    """``ints`` in (case key, timestamp, row) order, sorting only the rows of the cases that
    are not in order already: their rows fill the same slots, case by case, as a sort of
    every row would give them (each case's rows are together and the cases in key order)."""
    case = ints["_case"].to_numpy()
    bad = np.zeros(int(case.max()) + 1, dtype=bool)
    bad[case[~follows.to_numpy()]] = True
    rows = pl.Series(bad[case])
    at = ints.with_row_index("_at")
    moved = at.filter(rows).sort(["_case", "timestamp", ROW], nulls_last=False, maintain_order=True)
    perm = at["_at"].scatter(rows.arg_true(), moved["_at"])
    return ints[perm]


def _follows() -> pl.Expr:
    """Each row comes after the one before it in (case key, timestamp, row) order, nulls first."""
    t, prev = pl.col("timestamp"), pl.col("timestamp").shift(1)
    new_case = (pl.col("_case") != pl.col("_case").shift(1)).fill_null(True)
    same_t = (t == prev).fill_null(False) | (t.is_null() & prev.is_null())
    later = (t > prev).fill_null(False) | (prev.is_null() & t.is_not_null())
    row_after = (pl.col(ROW) > pl.col(ROW).shift(1)).fill_null(True)
    return new_case | later | (same_t & row_after)
