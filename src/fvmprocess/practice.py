"""Each unit's own practice against the standard (``docs/trends.md``).

What a unit does is its directly-follows relation: how often activity ``b`` comes right after
``a`` in its cases, with a case start (:data:`START`) and end (:data:`END`) as pseudo-activities.
What the standard allows is the same relation computed from the standard's workflow net
(:func:`standard_relation`): ``a`` may be directly followed by ``b`` when some complete run of
the net has ``b`` as the next *visible* activity after ``a`` (silent moves in between). The
difference, per unit:

* steps: activities the unit performs that the standard does not have (``added``), and standard
  activities it never performs (``never_taken``);
* transitions: directly-follows pairs the unit takes that the standard does not allow
  (``added``) and pairs the standard allows that the unit never takes (``never_taken``),
  with frequencies and the number of cases.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from fvmprocess._shared.vocab import NO_UNIT
from fvmprocess.petri import DEFAULT_MAX_STATES, PetriNet, ReachabilityGraph, reachability_graph

__all__ = [
    "END",
    "PRACTICE_COUNT_SCHEMAS",
    "PRACTICE_SCHEMA_VERSION",
    "START",
    "PracticeCounts",
    "PracticeDiff",
    "StandardRelation",
    "practice",
    "practice_counts",
    "practice_from_counts",
    "standard_relation",
]

#: The pseudo-activity before a case's first event.
START = "[start]"
#: The pseudo-activity after a case's last event.
END = "[end]"
#: Version of :meth:`PracticeDiff.to_dict`'s layout (schema ``fvmprocess.practice``).
PRACTICE_SCHEMA_VERSION = "1.0"
Status = Literal["standard", "added", "never_taken"]


@dataclass(frozen=True, slots=True)
class StandardRelation:
    """What the standard allows, as activities and directly-follows pairs.

    Attributes:
        activities: the standard's activities (visible labels).
        follows: allowed ``(a, b)`` pairs, including ``(START, a)`` and ``(a, END)``.
    """

    activities: frozenset[str]
    follows: frozenset[tuple[str, str]]


# ---------------------------------------------------------------------------------------------
# The standard's relation
# ---------------------------------------------------------------------------------------------


def _coreachable(rg: ReachabilityGraph) -> set[int]:
    """States from which a final state can be reached."""
    back: dict[int, list[int]] = {}
    for s, out in enumerate(rg.edges):
        for _, t in out:
            back.setdefault(t, []).append(s)
    seen = set(rg.finals)
    todo = deque(rg.finals)
    while todo:
        for p in back.get(todo.popleft(), []):
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


def _tau_closure(rg: ReachabilityGraph, live: set[int]) -> list[set[int]]:
    """Per state, the live states reachable by silent moves only (itself included)."""
    silent = [t.label is None for t in rg.net.transitions]
    closure: list[set[int]] = []
    for s in range(rg.n_states):
        seen = {s} if s in live else set()
        todo = list(seen)
        while todo:
            for t, nxt in rg.edges[todo.pop()]:
                if silent[t] and nxt in live and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        closure.append(seen)
    return closure


def standard_relation(net: PetriNet, *, max_states: int = DEFAULT_MAX_STATES) -> StandardRelation:
    """The directly-follows relation a workflow net allows (over its complete runs).

    Args:
        net: the standard's net (``to_petri_net(model, label="id")``: labels are activity ids).
        max_states: bound on the reachability graph.

    Returns:
        The allowed activities and pairs.

    Raises:
        ConformanceError: the net is unbounded, too large or cannot complete.

    Example:
        >>> standard_relation(net).follows  # doctest: +SKIP
        frozenset({('[start]', 'A'), ('A', 'B'), ('B', '[end]')})
    """
    rg = reachability_graph(net, max_states=max_states)
    live = _coreachable(rg)
    closure = _tau_closure(rg, live)
    labels = [t.label for t in net.transitions]
    # per state: visible labels that can come next (after silent moves), and whether it can end
    nxt: list[set[str]] = []
    for s in range(rg.n_states):
        here = {labels[t] for u in closure[s] for t, v in rg.edges[u] if labels[t] and v in live}
        nxt.append({x for x in here if x is not None})
    ends = [bool(closure[s] & rg.finals) for s in range(rg.n_states)]
    follows: set[tuple[str, str]] = {(START, b) for b in nxt[rg.initial]}
    if ends[rg.initial]:
        follows.add((START, END))
    for s in live:
        for t, v in rg.edges[s]:
            a = labels[t]
            if a is None or v not in live:
                continue
            follows.update((a, b) for b in nxt[v])
            if ends[v]:
                follows.add((a, END))
    return StandardRelation(frozenset(x for x in labels if x is not None), frozenset(follows))


# ---------------------------------------------------------------------------------------------
# A unit's practice and the difference
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PracticeDiff:
    """Each unit's practice against the standard.

    Attributes:
        units: per unit: ``cases``, ``occurrences`` (directly-follows occurrences, start and
            end included), ``added_share`` (share of them on transitions the standard does not
            allow), ``steps_added``, ``steps_never_taken``, ``transitions_added``,
            ``transitions_never_taken``.
        steps: per unit and activity: ``events``, ``cases``, ``case_share``, ``status``
            (``standard``, ``added`` or ``never_taken``).
        transitions: per unit and pair: ``source``, ``target``, ``frequency``, ``cases``,
            ``case_share``, ``status`` (as for steps).
    """

    units: pl.DataFrame
    steps: pl.DataFrame
    transitions: pl.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (schema ``fvmprocess.practice``), one entry per unit."""
        out = []
        for row in self.units.iter_rows(named=True):
            u = row["unit"]
            out.append(
                {
                    **row,
                    "steps": self.steps.filter(pl.col("unit") == u).drop("unit").to_dicts(),
                    "transitions": self.transitions.filter(pl.col("unit") == u)
                    .drop("unit")
                    .to_dicts(),
                }
            )
        return {
            "schema": "fvmprocess.practice",
            "schema_version": PRACTICE_SCHEMA_VERSION,
            "start": START,
            "end": END,
            "units": out,
        }


def _ordered(events: pl.DataFrame) -> pl.DataFrame:
    """Events in case, time and row order, each case with its unit."""
    keys = ["case", *(c for c in ("timestamp", "row") if c in events.columns)]
    ev = events.sort(keys, nulls_last=False, maintain_order=True)
    unit = (
        pl.col("unit").drop_nulls().first().fill_null(NO_UNIT)
        if "unit" in ev.columns
        else pl.lit(NO_UNIT)
    )
    units = ev.group_by("case").agg(unit.cast(pl.String).alias("_unit"))
    return ev.select("case", pl.col("activity").cast(pl.String)).join(
        units, on="case", maintain_order="left"
    )


def _pairs(ev: pl.DataFrame) -> pl.DataFrame:
    """Directly-follows occurrences ``_unit, case, source, target`` with start and end."""
    inner = ev.select(
        "_unit",
        "case",
        pl.col("activity").shift(1).over("case").fill_null(START).alias("source"),
        pl.col("activity").alias("target"),
    )
    last = ev.group_by("case", maintain_order=True).agg(
        pl.col("_unit").first(), pl.col("activity").last().alias("source")
    )
    tail = last.select("_unit", "case", "source", pl.lit(END).alias("target"))
    return pl.concat([inner, tail], how="vertical_relaxed")


def _status(observed: pl.Expr, allowed: pl.Expr) -> pl.Expr:
    return (
        pl.when(observed & allowed)
        .then(pl.lit("standard"))
        .when(observed)
        .then(pl.lit("added"))
        .otherwise(pl.lit("never_taken"))
    )


def _with_missing(
    seen: pl.DataFrame,
    keys: list[str],
    allowed: Iterable[tuple[str, ...]],
    counts: list[str],
    unit_cases: pl.DataFrame,
) -> pl.DataFrame:
    """Add zero rows for allowed keys a unit never takes, then status and case share."""
    grid = pl.DataFrame(
        [list(a) for a in allowed], schema=dict.fromkeys(keys, pl.String), orient="row"
    )
    allowed_tab = grid.with_columns(pl.lit(True).alias("_allowed"))
    full = (
        unit_cases.select("unit")
        .join(grid, how="cross")
        .join(seen, on=["unit", *keys], how="full", coalesce=True)
        .join(allowed_tab, on=keys, how="left")
        .join(unit_cases, on="unit", how="left")
    )
    return (
        full.with_columns(
            [pl.col(c).fill_null(0).cast(pl.Int64) for c in counts],
        )
        .with_columns(
            (pl.col("cases") / pl.col("unit_cases")).alias("case_share"),
            _status(pl.col(counts[0]) > 0, pl.col("_allowed").fill_null(False)).alias("status"),
        )
        .select("unit", *keys, *counts, "case_share", "status")
        .sort(["unit", counts[0], *keys], descending=[False, True, *([False] * len(keys))])
    )


def _summary(
    unit_cases: pl.DataFrame, steps: pl.DataFrame, transitions: pl.DataFrame
) -> pl.DataFrame:
    def count(frame: pl.DataFrame, status: str, name: str) -> pl.DataFrame:
        return frame.group_by("unit").agg(
            (pl.col("status") == status).sum().cast(pl.Int64).alias(name)
        )

    occ = transitions.group_by("unit").agg(
        pl.col("frequency").sum().cast(pl.Int64).alias("occurrences"),
        pl.col("frequency")
        .filter(pl.col("status") == "added")
        .sum()
        .cast(pl.Int64)
        .alias("_added"),
    )
    out = unit_cases.rename({"unit_cases": "cases"}).join(occ, on="unit", how="left")
    for frame, status, name in (
        (steps, "added", "steps_added"),
        (steps, "never_taken", "steps_never_taken"),
        (transitions, "added", "transitions_added"),
        (transitions, "never_taken", "transitions_never_taken"),
    ):
        out = out.join(count(frame, status, name), on="unit", how="left")
    return out.with_columns((pl.col("_added") / pl.col("occurrences")).alias("added_share")).select(
        "unit", "cases", "occurrences", "added_share", "steps_added", "steps_never_taken",
        "transitions_added", "transitions_never_taken",
    ).sort("unit")  # fmt: skip


@dataclass(frozen=True)
class PracticeCounts:
    """The aggregate step of :func:`practice` (what :func:`practice_from_counts` finishes).

    Attributes:
        unit_cases: ``unit``, ``unit_cases``.
        steps: ``unit``, ``activity``, ``events``, ``cases``.
        pairs: directly-follows counts per unit, start and end included: ``unit``,
            ``source``, ``target``, ``frequency``, ``cases``.
    """

    unit_cases: pl.DataFrame
    steps: pl.DataFrame
    pairs: pl.DataFrame


#: The columns of the tables in :class:`PracticeCounts`.
PRACTICE_COUNT_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "unit_cases": {"unit": pl.String(), "unit_cases": pl.Int64()},
    "steps": {"unit": pl.String(), "activity": pl.String(), "events": pl.Int64(),
              "cases": pl.Int64()},
    "pairs": {"unit": pl.String(), "source": pl.String(), "target": pl.String(),
              "frequency": pl.Int64(), "cases": pl.Int64()},
}  # fmt: skip


def practice(events: pl.DataFrame, standard: PetriNet | StandardRelation) -> PracticeDiff:
    """Each unit's directly-follows practice, as a difference on the standard.

    :func:`practice_counts` then :func:`practice_from_counts` (an engine that counts
    elsewhere, Spark, shares the finish).

    Args:
        events: ``case``, ``activity`` (already matched to the standard's activity ids, as
            ``check`` does), optionally ``unit``, ``timestamp`` and ``row`` for the order; a
            case's unit is its first non-null unit.
        standard: the standard's net, or its :class:`StandardRelation`.

    Returns:
        A :class:`PracticeDiff`.

    Example:
        >>> diff = practice(log.events, resolved.net)  # doctest: +SKIP
        >>> diff.transitions.filter(pl.col("status") == "added")  # doctest: +SKIP
    """
    return practice_from_counts(practice_counts(events), standard)


def practice_counts(events: pl.DataFrame) -> PracticeCounts:
    """Cases, steps and directly-follows pairs counted per unit (the aggregate step)."""
    ev = _ordered(events)
    unit_cases = ev.group_by("_unit").agg(
        pl.col("case").n_unique().cast(pl.Int64).alias("unit_cases")
    )
    seen_steps = ev.group_by("_unit", "activity").agg(
        pl.len().cast(pl.Int64).alias("events"),
        pl.col("case").n_unique().cast(pl.Int64).alias("cases"),
    )
    seen_pairs = (
        _pairs(ev)
        .group_by("_unit", "source", "target")
        .agg(
            pl.len().cast(pl.Int64).alias("frequency"),
            pl.col("case").n_unique().cast(pl.Int64).alias("cases"),
        )
    )
    tables = {"unit_cases": unit_cases, "steps": seen_steps, "pairs": seen_pairs}
    typed = {
        name: frame.rename({"_unit": "unit"}).select(
            pl.col(c).cast(t) for c, t in PRACTICE_COUNT_SCHEMAS[name].items()
        )
        for name, frame in tables.items()
    }
    return PracticeCounts(**typed)


def practice_from_counts(
    counts: PracticeCounts, standard: PetriNet | StandardRelation
) -> PracticeDiff:
    """The finish of :func:`practice`: each unit's counts against the standard's relation.

    Args:
        counts: the :class:`PracticeCounts` (of :func:`practice_counts` or another engine).
        standard: the standard's net, or its :class:`StandardRelation`.

    Returns:
        A :class:`PracticeDiff`.
    """
    rel = standard if isinstance(standard, StandardRelation) else standard_relation(standard)
    steps = _with_missing(
        counts.steps,
        ["activity"],
        [(a,) for a in sorted(rel.activities)],
        ["events", "cases"],
        counts.unit_cases,
    )
    transitions = _with_missing(
        counts.pairs,
        ["source", "target"],
        sorted(rel.follows),
        ["frequency", "cases"],
        counts.unit_cases,
    )
    return PracticeDiff(_summary(counts.unit_cases, steps, transitions), steps, transitions)
