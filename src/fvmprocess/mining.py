"""Process mining over an :class:`~fvmprocess.eventlog.EventLog`: variants, directly-follows,
throughput times and (with the optional pm4py extra) model discovery.

Everything except :func:`discover` is a polars group-by over the events frame (no per-event
Python loops), so it scales to logs of millions of events.

Example:
    >>> from fvmprocess.eventlog import read_log
    >>> log = read_log("unit_a.csv")  # doctest: +SKIP
    >>> dfg = directly_follows(log)  # doctest: +SKIP
    >>> dfg.edges[("Inskrivning", "Utskrivning")].frequency  # doctest: +SKIP
    12
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import polars as pl

from fvmprocess._shared.optional import import_optional
from fvmprocess.eventlog import variant_table

if TYPE_CHECKING:
    from fvmprocess.eventlog import EventLog
    from fvmprocess.petri import PetriNet

__all__ = [
    "DfgEdge",
    "DirectlyFollowsGraph",
    "directly_follows",
    "discover",
    "throughput_times",
    "variants",
]


def variants(log: EventLog) -> pl.DataFrame:
    """Distinct activity sequences and their case counts, from the one variant table
    (:func:`fvmprocess.eventlog.variant_table`, as :meth:`EventLog.variants`).

    Args:
        log: the event log.

    Returns:
        A DataFrame with ``variant`` (list of activities) and ``cases``, most frequent first.
    """
    table = variant_table(log.events).variants
    return table.select(pl.col("activities").alias("variant"), "cases")


@dataclass(frozen=True)
class DfgEdge:
    """One directly-follows relation ``a -> b``.

    Attributes:
        frequency: how often ``b`` directly follows ``a`` within a case.
        mean_seconds: mean time between the two events (``None`` without timestamps).
        median_seconds: median time between the two events (``None`` without timestamps).
    """

    frequency: int
    mean_seconds: float | None
    median_seconds: float | None


@dataclass(frozen=True)
class DirectlyFollowsGraph:
    """The directly-follows graph of a log.

    Attributes:
        edges: ``(a, b)`` -> :class:`DfgEdge`.
        start_activities: activity -> number of cases starting with it.
        end_activities: activity -> number of cases ending with it.
    """

    edges: Mapping[tuple[str, str], DfgEdge] = field(default_factory=dict)
    start_activities: Mapping[str, int] = field(default_factory=dict)
    end_activities: Mapping[str, int] = field(default_factory=dict)

    @property
    def activities(self) -> set[str]:
        """All activities that occur in the graph."""
        acts = set(self.start_activities) | set(self.end_activities)
        for a, b in self.edges:
            acts.update((a, b))
        return acts

    def to_frame(self) -> pl.DataFrame:
        """The edges as a DataFrame ``source, target, frequency, mean_seconds, median_seconds``."""
        return pl.DataFrame(
            {
                "source": [a for a, _ in self.edges],
                "target": [b for _, b in self.edges],
                "frequency": [e.frequency for e in self.edges.values()],
                "mean_seconds": [e.mean_seconds for e in self.edges.values()],
                "median_seconds": [e.median_seconds for e in self.edges.values()],
            },
            schema={
                "source": pl.String,
                "target": pl.String,
                "frequency": pl.Int64,
                "mean_seconds": pl.Float64,
                "median_seconds": pl.Float64,
            },
        )


def directly_follows(log: EventLog) -> DirectlyFollowsGraph:
    """Compute the directly-follows graph with frequencies and durations.

    Args:
        log: the event log (events are in case, time, row order).

    Returns:
        The graph; edges sorted by frequency descending, then names.

    Example:
        >>> directly_follows(log).start_activities  # doctest: +SKIP
        {'Inskrivning': 3}
    """
    ev = log.events.lazy().select("case", "activity", "timestamp")
    pairs = (
        ev.with_columns(
            pl.col("activity").shift(-1).over("case").alias("target"),
            (pl.col("timestamp").shift(-1).over("case") - pl.col("timestamp"))
            .dt.total_microseconds()
            .alias("_us"),
        )
        .filter(pl.col("target").is_not_null())
        .group_by("activity", "target")
        .agg(
            pl.len().alias("frequency"),
            (pl.col("_us").mean() / 1e6).alias("mean_seconds"),
            (pl.col("_us").median() / 1e6).alias("median_seconds"),
        )
        .sort(["frequency", "activity", "target"], descending=[True, False, False])
        .collect()
    )
    edges = {
        (str(a), str(b)): DfgEdge(
            int(n),
            None if m is None else float(m),
            None if md is None else float(md),
        )
        for a, b, n, m, md in pairs.iter_rows()
    }
    ends = (
        ev.group_by("case")
        .agg(pl.col("activity").first().alias("start"), pl.col("activity").last().alias("end"))
        .collect()
    )
    starts = ends.group_by("start").len().sort(["len", "start"], descending=[True, False])
    finals = ends.group_by("end").len().sort(["len", "end"], descending=[True, False])
    return DirectlyFollowsGraph(
        edges=edges,
        start_activities={str(a): int(n) for a, n in starts.iter_rows()},
        end_activities={str(a): int(n) for a, n in finals.iter_rows()},
    )


def throughput_times(log: EventLog, *, by: Literal["case", "unit"] = "case") -> pl.DataFrame:
    """Throughput time per case (first to last event), or its distribution per unit.

    Args:
        log: the event log.
        by: ``"case"`` for one row per case (``case``, ``unit`` if present, ``events``,
            ``start``, ``end``, ``duration``, ``seconds``); ``"unit"`` for one row per unit
            (``unit``, ``cases``, ``mean_seconds``, ``median_seconds``, ``p90_seconds``). A case
            belongs to the unit of its first event; logs without units give one row with a null
            unit. The case start is the first ``start_timestamp`` when present, else the first
            ``timestamp``.

    Returns:
        A DataFrame sorted by case or unit.

    Raises:
        ValueError: ``by`` is not ``"case"`` or ``"unit"``.
    """
    if by not in ("case", "unit"):
        raise ValueError(f"by must be 'case' or 'unit', not {by!r}")
    ev = log.events.lazy()
    has_unit = "unit" in log.events.columns
    first = (
        pl.min_horizontal(pl.col("start_timestamp").min(), pl.col("timestamp").min())
        if "start_timestamp" in log.events.columns
        else pl.col("timestamp").min()
    )
    aggs = [
        pl.len().cast(pl.Int64).alias("events"),
        first.alias("start"),
        pl.col("timestamp").max().alias("end"),
    ]
    if has_unit:
        aggs.insert(0, pl.col("unit").drop_nulls().first().alias("unit"))
    per_case = (
        ev.group_by("case")
        .agg(aggs)
        .with_columns((pl.col("end") - pl.col("start")).alias("duration"))
        .with_columns((pl.col("duration").dt.total_microseconds() / 1e6).alias("seconds"))
        .sort("case")
    )
    if by == "case":
        return per_case.collect()
    if not has_unit:
        per_case = per_case.with_columns(pl.lit(None, dtype=pl.String).alias("unit"))
    return (
        per_case.group_by("unit")
        .agg(
            pl.len().cast(pl.Int64).alias("cases"),
            pl.col("seconds").mean().alias("mean_seconds"),
            pl.col("seconds").median().alias("median_seconds"),
            pl.col("seconds").quantile(0.9, interpolation="linear").alias("p90_seconds"),
        )
        .sort("unit", nulls_last=True)
        .collect()
    )


def discover(
    log: EventLog,
    *,
    algorithm: Literal["inductive"] = "inductive",
    noise_threshold: float = 0.2,
) -> PetriNet:
    """Discover a workflow net from the log with pm4py's inductive miner.

    Needs the optional ``pm4py`` extra (``pip install 'fvmprocess[pm4py]'``), imported only here.

    Args:
        log: the event log.
        algorithm: the discovery algorithm; only ``"inductive"`` for now.
        noise_threshold: the inductive miner's noise threshold in ``[0, 1]`` (0 keeps every
            behaviour; pm4py's infrequent variant is used when it is above 0).

    Returns:
        The discovered net as an :class:`fvmprocess.petri.PetriNet`.

    Raises:
        ImportError: pm4py is not installed.
        ValueError: unknown algorithm or threshold out of range.
    """
    if algorithm != "inductive":
        raise ValueError(f"algorithm must be 'inductive', not {algorithm!r}")
    if not 0.0 <= noise_threshold <= 1.0:
        raise ValueError(f"noise_threshold must be in [0, 1], not {noise_threshold!r}")
    pm4py = import_optional("pm4py", extra="pm4py", purpose="discover()")
    from fvmprocess.petri import from_pm4py

    ev = log.events.select(
        pl.col("case").alias("case:concept:name"),
        pl.col("activity").alias("concept:name"),
        # pm4py needs a timestamp; a log without timestamps keeps its order via the row number
        pl.coalesce(
            pl.col("timestamp"),
            pl.datetime(2000, 1, 1, time_zone="UTC")
            + pl.duration(seconds=pl.int_range(0, pl.len())),
        ).alias("time:timestamp"),
    )
    df = ev.to_pandas()
    net, im, fm = pm4py.discover_petri_net_inductive(
        df,
        noise_threshold=noise_threshold,
        activity_key="concept:name",
        case_id_key="case:concept:name",
        timestamp_key="time:timestamp",
    )
    return from_pm4py(net, im, fm)
