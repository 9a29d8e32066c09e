"""What explains deviations: case attributes with a much higher deviation rate (``docs/trends.md``).

For each deviation kind and activity (``skipped`` ``Activity_Triage``, ``late`` ``Activity_Lakare``
…), every value of every usable case attribute is compared with the rest of the cases: the
share of cases with that deviation among cases with the value (``rate``) against the share among
all other cases (``baseline_rate``). Their ratio is the ``lift`` (a risk ratio) with a 95 % Katz
log interval; a one-sided Fisher exact test with Benjamini–Hochberg over every comparison made
decides what is flagged. Attributes are the log's extra columns (value of the case's first
event, :func:`case_attributes`) and two derived from the first event's local time: ``hour_band``
(day/evening/night) and ``day_type`` (weekday/weekend). Identifiers are never used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import polars as pl

from fvmprocess._shared.durations import DEFAULT_TIMEZONE, zone
from fvmprocess._shared.privacy import MIN_CELL, PNR_PATTERN
from fvmprocess._shared.vocab import DEVIATION_KINDS
from fvmprocess.eventlog.columns import STANDARD_COLUMNS
from fvmprocess.scoring import Z95
from fvmprocess.trends import fisher_exact

__all__ = [
    "CAUSE_COUNT_SCHEMAS",
    "DERIVED_ATTRIBUTES",
    "MISSING",
    "AttributeFacts",
    "CauseAnalysis",
    "CauseCounts",
    "CauseOptions",
    "attribute_facts",
    "attribute_plan",
    "bin_edges",
    "bin_labels",
    "case_attributes",
    "cause_counts",
    "causes",
    "causes_from_counts",
    "identifier_reason",
    "prepare_values",
    "wanted_attributes",
]

#: The value an attribute has for a case without one.
MISSING = "(missing)"
#: Event columns that are not case attributes (roles of the log, not facts about the case).
_EVENT_COLUMNS = frozenset(STANDARD_COLUMNS)
#: The attributes derived from each case's first event time (in local time).
DERIVED_ATTRIBUTES = ("hour_band", "day_type")


@dataclass(frozen=True, slots=True)
class CauseOptions:
    """Settings of :func:`causes`.

    Attributes:
        min_cases: fewest cases with a value, cases with the deviation among them, and cases
            in the rest, for a value to be reported (never below the small-count rule
            ``MIN_CELL``).
        min_lift: smallest lift (rate / baseline rate) that is flagged.
        alpha: false discovery rate over all comparisons (Benjamini–Hochberg).
        bins: numeric attributes with more distinct values than this are cut at quantiles into
            this many bins.
        max_levels: a text attribute with more distinct values is free text or an identifier
            and is not used.
        include: use only these attributes (log columns and/or ``hour_band``, ``day_type``);
            None for all. Identifier rules apply to included attributes too.
        exclude: never use these attributes.
        hour_bands: start hours of the day, evening and night bands (local time).
        count_allowed: also count deviations the allow-list approved.
        only_flagged: return only flagged values (False: every value tested, with ``flagged``).
    """

    min_cases: int = MIN_CELL
    min_lift: float = 1.5
    alpha: float = 0.05
    bins: int = 4
    max_levels: int = 30
    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    hour_bands: tuple[int, int, int] = (7, 17, 22)
    count_allowed: bool = False
    only_flagged: bool = True

    def __post_init__(self) -> None:
        if self.min_cases < MIN_CELL:
            raise ValueError(
                f"min_cases is {self.min_cases}; the small-count rule needs >= {MIN_CELL}"
            )
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha is {self.alpha}; expected 0 < alpha < 1")
        if self.bins < 2 or self.max_levels < 2:
            raise ValueError("bins and max_levels must be >= 2")
        d, e, n = self.hour_bands
        if not 0 <= d < e < n <= 24:
            raise ValueError(
                f"hour_bands {self.hour_bands}: expected 0 <= day < evening < night <= 24"
            )


@dataclass(frozen=True)
class CauseAnalysis:
    """What :func:`causes` found.

    Attributes:
        table: one row per (kind, activity, attribute, value): ``kind``, ``activity``,
            ``activity_name``, ``attribute``, ``value``, ``cases``, ``deviating``, ``rate``,
            ``baseline_cases``, ``baseline_rate``, ``lift``, ``lift_low``, ``lift_high``,
            ``p_value``, ``q_value``, ``flagged``, ``rank`` (1 = strongest within the kind and
            activity).
        used: attribute -> how it was used (``"categorical"``, ``"binned"``, ``"derived"``).
        excluded: attribute -> why it was not used.
    """

    table: pl.DataFrame
    used: Mapping[str, str] = field(default_factory=dict)
    excluded: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data: ``causes`` rows, ``used`` and ``excluded`` attributes."""
        return {
            "causes": self.table.to_dicts(),
            "used": dict(self.used),
            "excluded": dict(self.excluded),
        }


def case_attributes(events: pl.DataFrame) -> pl.DataFrame:
    """The log's extra columns as case attributes: the value on each case's first event.

    Args:
        events: an ``EventLog``'s events, in case and time order.

    Returns:
        ``case`` and one column per extra event column (roles such as activity, timestamp,
        unit and resource are not attributes).
    """
    extras = [c for c in events.columns if c not in _EVENT_COLUMNS]
    return events.group_by("case", maintain_order=True).agg(pl.col(extras).first())


# ---------------------------------------------------------------------------------------------
# Attributes: which ones, and as what values
# ---------------------------------------------------------------------------------------------


def _as_text(s: pl.Series) -> pl.Series:
    return s.cast(pl.String).fill_null(MISSING)


@dataclass(frozen=True, slots=True)
class AttributeFacts:
    """What decides whether and how a case attribute is used (:func:`attribute_plan`).

    Attributes:
        dtype: the column's type.
        present: cases with a value.
        distinct: distinct values among them.
        personnummer: some value (as text) looks like a personnummer (text and integer
            columns only).
    """

    dtype: pl.DataType
    present: int
    distinct: int
    personnummer: bool = False


def _pnr_checked(dtype: pl.DataType) -> bool:
    return dtype == pl.String or dtype.is_integer() or isinstance(dtype, pl.Categorical | pl.Enum)


def attribute_facts(s: pl.Series) -> AttributeFacts:
    """The :class:`AttributeFacts` of one attribute's per-case values."""
    present = s.drop_nulls()
    pnr = False
    if not s.dtype.is_temporal() and _pnr_checked(s.dtype):
        pnr = any(PNR_PATTERN.search(v) for v in present.cast(pl.String).unique().to_list())
    return AttributeFacts(s.dtype, present.len(), present.n_unique(), pnr)


def identifier_reason(facts: AttributeFacts, opts: CauseOptions) -> str | None:
    """Why a column must not be used as an attribute, or None."""
    dtype, distinct = facts.dtype, facts.distinct
    if dtype.is_temporal():
        return "a time value (the derived hour_band and day_type are used instead)"
    if _pnr_checked(dtype) and facts.personnummer:
        return "values that look like a personnummer"
    if distinct <= 1:
        return "a single value"
    if (
        dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
    ) and distinct > opts.max_levels:
        return f"free text or an identifier ({distinct} distinct values)"
    if dtype.is_integer() and distinct == facts.present and distinct > opts.max_levels:
        return "an identifier (a different value for every case)"
    if not (
        dtype.is_numeric()
        or dtype in (pl.String, pl.Boolean)
        or isinstance(dtype, pl.Categorical | pl.Enum)
    ):
        return f"an unsupported type ({dtype})"
    return None


def attribute_plan(
    columns: Sequence[str],
    facts: Mapping[str, AttributeFacts],
    opts: CauseOptions,
    *,
    has_time: bool,
    time_col: str,
) -> tuple[dict[str, str], dict[str, str]]:
    """Which attributes are used how (``categorical``, ``binned``, ``derived``) and why the
    others are not.

    Args:
        columns: the attribute columns, in order.
        facts: the :class:`AttributeFacts` of each of :func:`wanted_attributes`.
        opts: which attributes the options include or exclude, and the thresholds.
        has_time: the cases have their first event's time (for the derived attributes).
        time_col: that time's column (named in the reason when missing).

    Returns:
        ``(used, excluded)``.
    """
    used: dict[str, str] = {}
    excluded: dict[str, str] = {}
    for name in columns:
        if not _wanted(name, opts):
            if name in opts.exclude:
                excluded[name] = "excluded by the options"
            continue
        f = facts[name]
        reason = identifier_reason(f, opts)
        if reason is not None:
            excluded[name] = reason
        elif f.dtype.is_numeric() and f.distinct > opts.bins:
            used[name] = "binned"
        else:
            used[name] = "categorical"
    wanted = wanted_attributes(DERIVED_ATTRIBUTES, opts)
    if wanted and has_time:
        used.update(dict.fromkeys(wanted, "derived"))
    elif wanted:
        excluded.update(dict.fromkeys(wanted, f"the cases table has no {time_col!r} column"))
    return used, excluded


def wanted_attributes(columns: Sequence[str], opts: CauseOptions) -> list[str]:
    """The columns the options include and do not exclude, in order."""
    return [c for c in columns if _wanted(c, opts)]


def _fmt(x: float) -> str:
    return f"{x:g}"


def bin_edges(values: Sequence[float], counts: Sequence[int], bins: int) -> list[float]:
    """The distinct quantile edges of ``bins`` bins (linear interpolation between order
    statistics, numpy's default rule), from the distinct values and how often each occurs.

    Value counts are an aggregate any engine can make; both engines bin through here.

    Args:
        values: the distinct values, ascending.
        counts: how many cases have each value.
        bins: the number of bins.

    Returns:
        The edges, ascending and distinct.
    """
    cum = np.cumsum(np.asarray(counts, dtype=np.int64))
    n = int(cum[-1])

    def at(rank: int) -> float:
        return float(values[int(np.searchsorted(cum, rank, side="right"))])

    edges: set[float] = set()
    for i in range(bins + 1):
        pos = (n - 1) * i / bins
        lo = math.floor(pos)
        a, b = at(lo), at(min(lo + 1, n - 1))
        edges.add(a if a == b or pos == lo else a + (b - a) * (pos - lo))
    return sorted(edges)


def bin_labels(edges: Sequence[float]) -> list[str]:
    """``[lo, hi)`` per bin (the last closed); a value's bin is the number of inner edges
    (``edges[1:-1]``) at or below it."""
    labels = [f"[{_fmt(a)}, {_fmt(b)})" for a, b in pairwise(edges)]
    labels[-1] = labels[-1][:-1] + "]"
    return labels


def _binned(s: pl.Series, bins: int) -> pl.Series:
    """Quantile bins ``[lo, hi)`` (the last closed) as text; nulls are :data:`MISSING`."""
    counted = s.cast(pl.Float64).drop_nulls().value_counts(name="_n").sort(s.name)
    edges = bin_edges(counted[s.name].to_list(), counted["_n"].to_list(), bins)
    labels = bin_labels(edges)
    inner = np.asarray(edges[1:-1])
    out = [
        MISSING if v is None else labels[int(np.searchsorted(inner, v, side="right"))]
        for v in s.cast(pl.Float64).to_list()
    ]
    return pl.Series(s.name, out, dtype=pl.String)


def _derived(cases: pl.DataFrame, time_col: str, timezone: str, opts: CauseOptions) -> pl.DataFrame:
    """``hour_band`` and ``day_type`` from each case's first event time, in local time."""
    dtype = cases.schema[time_col]
    t = pl.col(time_col)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        zone(timezone)
        t = t.dt.convert_time_zone(timezone)
    day, evening, night = opts.hour_bands
    hour = t.dt.hour()
    band = (
        pl.when(t.is_null())
        .then(pl.lit(MISSING))
        .when((hour >= day) & (hour < evening))
        .then(pl.lit("day"))
        .when((hour >= evening) & (hour < night))
        .then(pl.lit("evening"))
        .otherwise(pl.lit("night"))
    )
    kind = (
        pl.when(t.is_null())
        .then(pl.lit(MISSING))
        .when(t.dt.weekday() >= 6)
        .then(pl.lit("weekend"))
        .otherwise(pl.lit("weekday"))
    )
    return cases.select("case", band.alias("hour_band"), kind.alias("day_type"))


def _wanted(name: str, opts: CauseOptions) -> bool:
    return (opts.include is None or name in opts.include) and name not in opts.exclude


def prepare_values(
    cases: pl.DataFrame,
    attributes: pl.DataFrame | None,
    opts: CauseOptions,
    timezone: str,
    time_col: str,
) -> tuple[pl.DataFrame, dict[str, str], dict[str, str]]:
    """Case -> text value per usable attribute, what was used how, and what was excluded."""
    frame = cases.select("case")
    joined = frame
    columns: list[str] = []
    facts: dict[str, AttributeFacts] = {}
    if attributes is not None:
        joined = frame.join(attributes, on="case", how="left")
        columns = [c for c in attributes.columns if c != "case"]
        facts = {c: attribute_facts(joined[c]) for c in wanted_attributes(columns, opts)}
    has_time = time_col in cases.columns
    used, excluded = attribute_plan(columns, facts, opts, has_time=has_time, time_col=time_col)
    for name, how in used.items():
        if how == "binned":
            frame = frame.with_columns(_binned(joined[name], opts.bins))
        elif how == "categorical":
            frame = frame.with_columns(_as_text(joined[name]))
    derived = [d for d, how in used.items() if how == "derived"]
    if derived:
        frame = frame.join(
            _derived(cases, time_col, timezone, opts).select("case", *derived), on="case"
        )
    return frame, used, excluded


# ---------------------------------------------------------------------------------------------
# Counting and testing
# ---------------------------------------------------------------------------------------------


#: The columns of the tables in :class:`CauseCounts`.
CAUSE_COUNT_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "deviating": {"kind": pl.String(), "activity": pl.String(), "total_deviating": pl.Int64()},
    "sizes": {"attribute": pl.String(), "value": pl.String(), "cases": pl.Int64()},
    "hits": {
        "kind": pl.String(),
        "activity": pl.String(),
        "attribute": pl.String(),
        "value": pl.String(),
        "deviating": pl.Int64(),
    },
}


@dataclass(frozen=True)
class CauseCounts:
    """The aggregate step of :func:`causes` (what :func:`causes_from_counts` finishes).

    Attributes:
        cases: all cases.
        deviating: per ``kind`` and ``activity``: ``total_deviating`` cases with it.
        sizes: per ``attribute`` and ``value``: ``cases`` with it.
        hits: per ``kind``, ``activity``, ``attribute`` and ``value``: ``deviating`` cases.
        used: attribute -> how it was used.
        excluded: attribute -> why it was not used.
    """

    cases: int
    deviating: pl.DataFrame
    sizes: pl.DataFrame
    hits: pl.DataFrame
    used: Mapping[str, str] = field(default_factory=dict)
    excluded: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def typed(name: str, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with the columns and types of the table ``name``."""
        return frame.select(pl.col(c).cast(t) for c, t in CAUSE_COUNT_SCHEMAS[name].items())


def _counted_deviations(deviations: pl.DataFrame, opts: CauseOptions) -> pl.DataFrame:
    if "allowed" in deviations.columns and not opts.count_allowed:
        return deviations.filter(~pl.col("allowed"))
    return deviations


def cause_counts(
    values: pl.DataFrame,
    deviations: pl.DataFrame,
    opts: CauseOptions,
    used: Mapping[str, str],
    excluded: Mapping[str, str],
) -> CauseCounts:
    """Count cases per attribute value, and deviating cases per kind, activity and value.

    Args:
        values: ``case`` and one text column per usable attribute (:func:`prepare_values`).
        deviations: ``case``, ``kind``, ``activity`` (and ``allowed``).
        opts: whether allowed deviations count.
        used: how each attribute is used.
        excluded: why attributes were left out.

    Returns:
        The :class:`CauseCounts`.
    """
    hits = (
        _counted_deviations(deviations, opts)
        .join(values.select("case"), on="case", how="semi")
        .select("kind", "activity", "case")
        .unique()
    )
    attrs = [c for c in values.columns if c != "case"]
    long = values.unpivot(index="case", on=attrs, variable_name="attribute", value_name="value")
    per_value = (
        hits.join(long, on="case")
        .group_by("kind", "activity", "attribute", "value")
        .agg(pl.len().alias("deviating"))
    )
    return CauseCounts(
        cases=values.height,
        deviating=CauseCounts.typed(
            "deviating", hits.group_by("kind", "activity").agg(pl.len().alias("total_deviating"))
        ),
        sizes=CauseCounts.typed(
            "sizes", long.group_by("attribute", "value").agg(pl.len().alias("cases"))
        ),
        hits=CauseCounts.typed("hits", per_value),
        used=dict(used),
        excluded=dict(excluded),
    )


def _counts(counted: CauseCounts, opts: CauseOptions) -> pl.DataFrame:
    """Per (kind, activity, attribute, value): cases, deviating cases, and the totals, for
    the targets and values large enough to test."""
    n_all = counted.cases
    targets = counted.deviating.filter(pl.col("total_deviating") >= opts.min_cases)
    if counted.sizes.is_empty() or targets.is_empty():
        return pl.DataFrame()
    sizes = counted.sizes.filter(
        (pl.col("cases") >= opts.min_cases) & (n_all - pl.col("cases") >= opts.min_cases)
    )
    return (
        targets.join(sizes, how="cross")
        .join(counted.hits, on=["kind", "activity", "attribute", "value"], how="left")
        .with_columns(
            pl.col("deviating").fill_null(0),
            (n_all - pl.col("cases")).alias("baseline_cases"),
        )
        .with_columns((pl.col("total_deviating") - pl.col("deviating")).alias("baseline_deviating"))
    )


def _katz(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float]:
    """Risk ratio (a/n1)/(c/n2) and its 95 % Katz log interval; 0.5 added to a zero count."""
    a_, c_ = (a or 0.5), (c or 0.5)
    rr = (a_ / n1) / (c_ / n2)
    se = math.sqrt(1 / a_ - 1 / n1 + 1 / c_ - 1 / n2)
    return rr, rr * math.exp(-Z95 * se), rr * math.exp(Z95 * se)


def _bh_adjust(p: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in input order."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        q[i] = running
    return q


def _tested(counts: pl.DataFrame, opts: CauseOptions) -> pl.DataFrame:
    """Counts with rates, lift, interval, Fisher p, BH q and the flag."""
    rows = counts.select("cases", "deviating", "baseline_cases", "baseline_deviating").iter_rows()
    lifts, lows, highs, ps = [], [], [], []
    for n1, a, n2, c in rows:
        rr, lo, hi = _katz(a, n1, c, n2)
        lifts.append(rr)
        lows.append(lo)
        highs.append(hi)
        ps.append(fisher_exact(a, n1, c, n2, alternative="greater"))
    out = counts.with_columns(
        (pl.col("deviating") / pl.col("cases")).alias("rate"),
        (pl.col("baseline_deviating") / pl.col("baseline_cases")).alias("baseline_rate"),
        pl.Series("lift", lifts, dtype=pl.Float64),
        pl.Series("lift_low", lows, dtype=pl.Float64),
        pl.Series("lift_high", highs, dtype=pl.Float64),
        pl.Series("p_value", ps, dtype=pl.Float64),
        pl.Series("q_value", _bh_adjust(ps), dtype=pl.Float64),
    )
    return out.with_columns(
        (
            (pl.col("q_value") <= opts.alpha)
            & (pl.col("lift") >= opts.min_lift)
            & (pl.col("deviating") >= opts.min_cases)
        ).alias("flagged")
    )


_SCHEMA = {
    "kind": pl.String,
    "activity": pl.String,
    "activity_name": pl.String,
    "attribute": pl.String,
    "value": pl.String,
    "cases": pl.Int64,
    "deviating": pl.Int64,
    "rate": pl.Float64,
    "baseline_cases": pl.Int64,
    "baseline_rate": pl.Float64,
    "lift": pl.Float64,
    "lift_low": pl.Float64,
    "lift_high": pl.Float64,
    "p_value": pl.Float64,
    "q_value": pl.Float64,
    "flagged": pl.Boolean,
    "rank": pl.Int64,
}


def _ranked(tested: pl.DataFrame, names: Mapping[str, str], opts: CauseOptions) -> pl.DataFrame:
    """Rank within kind and activity (flagged first, then lower lift bound), keep what is asked."""
    kind_order = {k: i for i, k in enumerate(DEVIATION_KINDS)}
    out = tested
    if opts.only_flagged:
        out = out.filter(pl.col("flagged"))
    else:  # small deviating counts are never shown, even unflagged
        out = out.filter(pl.col("deviating") >= opts.min_cases)
    out = out.sort(
        ["flagged", "lift_low", "lift", "attribute", "value"],
        descending=[True, True, True, False, False],
    ).with_columns(
        pl.int_range(1, pl.len() + 1).over("kind", "activity").cast(pl.Int64).alias("rank"),
        pl.col("activity")
        .replace_strict(dict(names), default=None, return_dtype=pl.String)
        .alias("activity_name"),
        pl.col("kind")
        .replace_strict(kind_order, default=len(kind_order), return_dtype=pl.Int64)
        .alias("_k"),
    )
    return out.sort("_k", "activity", "rank").select(
        [pl.col(c).cast(t) for c, t in _SCHEMA.items()]
    )


def causes(
    cases: pl.DataFrame,
    deviations: pl.DataFrame,
    attributes: pl.DataFrame | None = None,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    time_col: str = "start",
    activity_names: Mapping[str, str] | None = None,
    options: CauseOptions | None = None,
) -> CauseAnalysis:
    """Attribute values under which a deviation is much more frequent than in the other cases.

    Args:
        cases: one row per case (``case`` and, for the derived attributes, ``time_col``);
            ``ConformanceResult.cases``. Every case counts, with or without deviations.
        deviations: ``case``, ``kind``, ``activity`` (and ``allowed``: approved deviations do
            not count unless ``count_allowed``); ``ConformanceResult.deviations``.
        attributes: ``case`` and attribute columns (:func:`case_attributes`); None for the
            derived attributes only.
        timezone: the log's time zone, for the hour band and weekday.
        time_col: the cases' first-event time column.
        activity_names: activity id -> display name, for ``activity_name``.
        options: thresholds and attribute choice (:class:`CauseOptions`).

    Returns:
        A :class:`CauseAnalysis`; its ``table`` is ranked per kind and activity.

    Raises:
        ValueError: a missing column.

    Example:
        >>> found = causes(result.cases, result.deviations, case_attributes(log.events))  # doctest: +SKIP
        >>> found.table.filter(pl.col("rank") == 1)  # doctest: +SKIP
    """
    opts = options or CauseOptions()
    for frame, cols, what in (
        (cases, ["case"], "the cases table"),
        (deviations, ["case", "kind", "activity"], "the deviations table"),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{what} lacks columns {missing}")
    values, used, excluded = prepare_values(cases, attributes, opts, timezone, time_col)
    counted = cause_counts(values, deviations, opts, used, excluded)
    return causes_from_counts(counted, activity_names=activity_names, options=opts)


def causes_from_counts(
    counted: CauseCounts,
    *,
    activity_names: Mapping[str, str] | None = None,
    options: CauseOptions | None = None,
) -> CauseAnalysis:
    """The finish of :func:`causes`: rates, lifts, tests and ranks from the counts (made by
    :func:`cause_counts` or by another engine in the same layout).

    Args:
        counted: the :class:`CauseCounts`.
        activity_names: activity id -> display name, for ``activity_name``.
        options: thresholds (:class:`CauseOptions`).

    Returns:
        The :class:`CauseAnalysis` of :func:`causes`.
    """
    opts = options or CauseOptions()
    used, excluded = dict(counted.used), dict(counted.excluded)
    counts = _counts(counted, opts)
    if counts.is_empty():
        return CauseAnalysis(pl.DataFrame(schema=_SCHEMA), used, excluded)
    table = _ranked(_tested(counts, opts), activity_names or {}, opts)
    return CauseAnalysis(table, used, excluded)
