"""The deviation classifier: an alignment's moves → deviations of the case from the standard.

The one place the rules live (``docs/conformance.md``); :func:`check` applies them to every
distinct variant and the simulator uses them to keep only injected deviations that ``check``
can see.

Example:
    >>> from fvmprocess.conformance.moves import Move
    >>> moves = [Move("A", "A", "tA", "sync"), Move("X", None, None, "log"),
    ...          Move(None, "B", "tB", "model")]
    >>> [(d.kind, d.activity, d.position) for d in classify(moves, {"A", "B"})]
    [('unknown_activity', 'X', 1), ('skipped', 'B', 2)]
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import polars as pl

from fvmprocess._shared.vocab import DeviationKind

if TYPE_CHECKING:
    from fvmprocess.conformance.moves import Alignment, AlignmentCosts, Move

__all__ = [
    "MOVES_DTYPE",
    "Deviation",
    "classify",
    "classify_variants",
    "explains",
    "scored_variants",
]

#: The ``moves`` column of a variant table (silent moves left out).
MOVES_DTYPE = pl.List(pl.Struct({"log": pl.String, "model": pl.String, "kind": pl.String}))


@dataclass(frozen=True, slots=True)
class Deviation:
    """One structural deviation an alignment shows.

    Attributes:
        kind: ``"skipped"``, ``"inserted"``, ``"moved"``, ``"repeated"`` or
            ``"unknown_activity"`` (``"late"`` comes from time limits, not alignments).
        activity: the activity (a model label, or the log's activity for unknown ones).
        position: the 0-based index of the event in the trace; for a skipped activity the
            index of the next event.
        cost: what the deviation's moves cost (a ``moved`` activity: its log and model move).
    """

    kind: DeviationKind
    activity: str
    position: int
    cost: float


def classify(
    moves: Sequence[Move], labels: Collection[str], *, costs: AlignmentCosts | None = None
) -> list[Deviation]:
    """Classify one alignment's moves into deviations, ordered by position, kind, activity.

    Rules (per activity, in this order): a log move and a model move of the same activity
    pair up as ``moved`` (first unpaired log move with first unpaired model move); other log
    moves are ``unknown_activity`` (not in ``labels``), ``repeated`` (the activity also occurs
    elsewhere in the case: which of two equal events the alignment calls the extra one is a
    tie, so the classification must not depend on it) or ``inserted``; other visible model
    moves are ``skipped``.

    Args:
        moves: the alignment's moves (silent moves are ignored).
        labels: the model's activity labels.
        costs: the move costs the alignment used (standard: 1 per move).

    Returns:
        The deviations.
    """
    log_moves, model_moves, occurrences = _split(moves)

    def lc(a: str) -> float:
        return costs.log_cost(a) if costs is not None else 1.0

    def mc(a: str) -> float:
        return costs.model_cost(a) if costs is not None else 1.0

    out: list[Deviation] = []
    unpaired = list(range(len(model_moves)))
    for act, p in log_moves:
        if act not in labels:
            out.append(Deviation("unknown_activity", act, p, lc(act)))
            continue
        j = next((k for k in unpaired if model_moves[k][0] == act), None)
        if j is not None:
            unpaired.remove(j)
            out.append(Deviation("moved", act, p, lc(act) + mc(act)))
        elif occurrences[act] > 1:
            out.append(Deviation("repeated", act, p, lc(act)))
        else:
            out.append(Deviation("inserted", act, p, lc(act)))
    for k in unpaired:
        act, p = model_moves[k]
        out.append(Deviation("skipped", act, p, mc(act)))
    out.sort(key=lambda d: (d.position, d.kind, d.activity))
    return out


def _split(
    moves: Sequence[Move],
) -> tuple[list[tuple[str, int]], list[tuple[str, int]], dict[str, int]]:
    """Log moves and visible model moves with their positions, and each activity's events."""
    pos = 0
    log_moves: list[tuple[str, int]] = []
    model_moves: list[tuple[str, int]] = []
    occurrences: dict[str, int] = {}
    for m in moves:
        if m.kind in ("sync", "log"):
            assert m.log is not None
            occurrences[m.log] = occurrences.get(m.log, 0) + 1
            if m.kind == "log":
                log_moves.append((m.log, pos))
            pos += 1
        elif m.kind == "model":
            assert m.model is not None
            model_moves.append((m.model, pos))
    return log_moves, model_moves, occurrences


def explains(
    deviations: Iterable[Deviation], kind: str, activity: str, other: str | None = None
) -> bool:
    """Whether classified deviations show a deviation of ``kind`` at ``activity``.

    For ``"moved"`` (two activities swapped) either ``activity`` or ``other`` may be the one
    the alignment calls moved. Kinds an alignment cannot show (``"late"``) are always
    explained.

    Args:
        deviations: what :func:`classify` found for a trace.
        kind: the deviation kind.
        activity: the activity.
        other: for ``"moved"``: the activity it was swapped with.

    Example:
        >>> explains([Deviation("skipped", "B", 2, 1.0)], "skipped", "B")
        True
    """
    if kind == "moved":
        wanted = {activity} if other is None else {activity, other}
        return any(d.kind == "moved" and d.activity in wanted for d in deviations)
    if kind in ("skipped", "inserted", "repeated", "unknown_activity"):
        return any(d.kind == kind and d.activity == activity for d in deviations)
    return True


# -- many variants at once --------------------------------------------------------------------

#: Move kinds as codes in :class:`_Flat` (silent moves are kept, and skipped by the rules).
_SYNC, _LOG, _MODEL, _SILENT = 0, 1, 2, 3
_KIND_CODE = {"sync": _SYNC, "log": _LOG, "model": _MODEL, "silent": _SILENT}
#: The deviation kinds an alignment shows, in the order :func:`classify` sorts them.
_DEVIATION_ORDER: tuple[DeviationKind, ...] = (
    "inserted",
    "moved",
    "repeated",
    "skipped",
    "unknown_activity",
)
_INSERTED, _MOVED, _REPEATED, _SKIPPED, _UNKNOWN = range(5)

_DEVIATIONS_SCHEMA = {
    "variant": pl.Int64,
    "kind": pl.String,
    "activity": pl.String,
    "position": pl.Int64,
    "dev_cost": pl.Float64,
}


@dataclass(frozen=True)
class _Flat:
    """Every move of many alignments as flat columns, in order (one row per move).

    Aligners share one :class:`Move` object per transition and kind, so the distinct moves
    are few: each is described once (``distinct``) and the moves point at it (``move``).

    Attributes:
        offsets: ``(n + 1,)`` where each alignment's moves start (and the end).
        row: per move, the index of its alignment.
        move: per move, the index of its distinct move.
        kind: per move, its kind code (``_SYNC`` …).
        activity: per move, the code of its activity in ``names`` (the log's activity for
            synchronous and log moves, the model's label for model moves; ``-1`` for silent).
        names: the activities.
        distinct: the distinct moves (``log``, ``model``, ``kind``), one row each.
    """

    offsets: npt.NDArray[np.int64]
    row: npt.NDArray[np.int64]
    move: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]
    activity: npt.NDArray[np.int64]
    names: list[str]
    distinct: pl.DataFrame


def _flatten(alignments: Sequence[Alignment]) -> _Flat:
    """The moves of ``alignments`` as flat columns (one pass in C over the move objects)."""
    n = len(alignments)
    counts = np.fromiter(map(len, (al.moves for al in alignments)), dtype=np.int64, count=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    flat = list(chain.from_iterable(al.moves for al in alignments))
    ids = np.fromiter(map(id, flat), dtype=np.int64, count=len(flat))
    distinct_ids = np.sort(pl.Series(ids, dtype=pl.Int64).unique().to_numpy())
    move = np.searchsorted(distinct_ids, ids).astype(np.int64)
    first = np.empty(len(distinct_ids), dtype=np.int64)
    first[move[::-1]] = np.arange(len(move) - 1, -1, -1, dtype=np.int64)
    distinct: list[Move] = [flat[i] for i in first.tolist()]
    codes: dict[str, int] = {}
    kinds, acts = [], []
    for m in distinct:
        kinds.append(_KIND_CODE[m.kind])
        name = m.model if m.kind == "model" else m.log
        acts.append(-1 if name is None else codes.setdefault(name, len(codes)))
    return _Flat(
        offsets=offsets,
        row=np.repeat(np.arange(n, dtype=np.int64), counts),
        move=move,
        kind=np.asarray(kinds, dtype=np.int64)[move] if distinct else move,
        activity=np.asarray(acts, dtype=np.int64)[move] if distinct else move,
        names=list(codes),
        distinct=pl.DataFrame(
            {
                "log": [m.log for m in distinct],
                "model": [m.model for m in distinct],
                "kind": [m.kind for m in distinct],
            },
            schema={"log": pl.String, "model": pl.String, "kind": pl.String},
        ),
    )


def _ranks(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Per element, how many equal keys come before it (0 for the first of each key)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    at = np.arange(len(keys), dtype=np.int64)
    new = np.ones(len(keys), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    group_start = np.maximum.accumulate(np.where(new, at, 0))
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[order] = at - group_start
    return ranks


def _count_of(keys: npt.NDArray[np.int64], among: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Per element of ``keys``, how often it occurs in ``among``."""
    values, counts = np.unique(among, return_counts=True)
    out = np.zeros(len(keys), dtype=np.int64)
    if not len(values):
        return out
    at = np.minimum(np.searchsorted(values, keys), len(values) - 1)
    hit = values[at] == keys
    out[hit] = counts[at[hit]]
    return out


def _positions(flat: _Flat) -> npt.NDArray[np.int64]:
    """Per move, the index in its trace of the next event (of the event itself for
    synchronous and log moves)."""
    is_event = (flat.kind == _SYNC) | (flat.kind == _LOG)
    before = np.zeros(len(flat.kind) + 1, dtype=np.int64)  # events before each move, overall
    np.cumsum(is_event, out=before[1:])
    return before[:-1] - before[flat.offsets[:-1]][flat.row]


@dataclass(frozen=True)
class _Found:
    """The deviations of many alignments as flat columns, each alignment's in
    :func:`classify`'s order."""

    row: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]
    activity: npt.NDArray[np.int64]
    position: npt.NDArray[np.int64]
    cost: npt.NDArray[np.float64]


def _classify_flat(flat: _Flat, labels: Collection[str], costs: AlignmentCosts | None) -> _Found:
    """:func:`classify`'s rules on every alignment at once.

    Per alignment and activity the ``k``-th log move of a model activity pairs with the
    ``k``-th model move of it (what :func:`classify` does one move at a time: each log move
    takes the first unpaired model move of its activity).
    """
    names = flat.names
    n_names = max(len(names), 1)
    known = np.asarray([a in labels for a in names] or [False], dtype=bool)
    log_cost = np.asarray([costs.log_cost(a) if costs else 1.0 for a in names] or [1.0])
    model_cost = np.asarray([costs.model_cost(a) if costs else 1.0 for a in names] or [1.0])
    act = np.maximum(flat.activity, 0)
    key = flat.row * n_names + act
    is_log, is_model = flat.kind == _LOG, flat.kind == _MODEL
    is_event = is_log | (flat.kind == _SYNC)
    pairs = is_log & known[act]  # log moves that may pair with a model move
    log_at, model_at = np.flatnonzero(pairs), np.flatnonzero(is_model)
    log_key, model_key = key[log_at], key[model_at]
    moved = _ranks(log_key) < _count_of(log_key, model_key)
    paired = _ranks(model_key) < _count_of(model_key, log_key)
    repeats = _count_of(log_key, key[is_event]) > 1
    kind = np.full(len(flat.kind), -1, dtype=np.int64)
    kind[is_log] = _UNKNOWN
    kind[log_at] = np.where(moved, _MOVED, np.where(repeats, _REPEATED, _INSERTED))
    kind[model_at] = np.where(paired, -1, _SKIPPED)
    at = np.flatnonzero(kind >= 0)
    kind, act_at = kind[at], act[at]
    cost = np.where(kind == _SKIPPED, model_cost[act_at], log_cost[act_at])
    cost = np.where(kind == _MOVED, cost + model_cost[act_at], cost)
    position, row = _positions(flat)[at], flat.row[at]
    order_of_name = np.argsort(np.argsort(np.asarray(names or [""], dtype=object), kind="stable"))
    order = np.lexsort((order_of_name[act_at], kind, position, row))
    return _Found(row[order], kind[order], act_at[order], position[order], cost[order])


def classify_variants(
    variants: pl.DataFrame,
    alignments: Sequence[Alignment],
    labels: Collection[str],
    *,
    costs: AlignmentCosts | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The distinct variants with their alignment's results, and their deviations.

    :func:`classify`'s rules applied to every alignment at once, over flat columns of the
    moves (numpy and polars; no Python work per move), with the same result as
    :func:`scored_variants` given ``classify(al.moves, labels, costs=costs)`` per variant.

    Args:
        variants: the distinct variants (``variant`` and any other columns, kept).
        alignments: per row of ``variants``, its alignment.
        labels: the model's activity labels.
        costs: the move costs the alignments used (standard: 1 per move).

    Returns:
        ``(variants, deviations)`` as :func:`scored_variants` returns them.

    Example:
        >>> from fvmprocess.conformance.moves import Alignment, Move
        >>> al = Alignment((Move("A", "A", "tA", "sync"), Move(None, "B", "tB", "model")),
        ...                cost=1.0, fitness=0.5, worst_cost=2.0)
        >>> v = pl.DataFrame({"variant": [0], "activities": [["A"]]})
        >>> classify_variants(v, [al], {"A", "B"})[1].rows()
        [(0, 'skipped', 'B', 1, 1.0)]
    """
    if len(alignments) != variants.height:
        raise ValueError(f"{len(alignments)} alignments for {variants.height} variants")
    flat = _flatten(alignments)
    found = _classify_flat(flat, labels, costs)
    ids = variants["variant"].cast(pl.Int64)
    deviations = pl.DataFrame(
        {
            "variant": ids.gather(found.row),
            "kind": pl.Series(_DEVIATION_ORDER, dtype=pl.String).gather(found.kind),
            "activity": pl.Series(flat.names, dtype=pl.String).gather(found.activity),
            "position": found.position,
            "dev_cost": found.cost.astype(np.float64),
        },
        schema=_DEVIATIONS_SCHEMA,
    )
    return _scored(variants, alignments, flat), deviations


def scored_variants(
    variants: pl.DataFrame, found: Sequence[tuple[Alignment, Sequence[Deviation]]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The distinct variants with their alignment's results, and their deviations.

    The Spark engine builds its variant table here from ``(alignment, deviations)`` per
    variant, classified on its executors (:func:`classify_variants` classifies here).

    Args:
        variants: the distinct variants (``variant`` and any other columns, kept).
        found: per row of ``variants``, its alignment and :func:`classify`'s deviations.

    Returns:
        ``(variants, deviations)``: ``variants`` sorted by ``variant`` with ``cost``,
        ``worst_cost``, ``exact``, ``cost_lower`` (when not exact), ``moves``
        (:data:`MOVES_DTYPE`) and ``fitness`` added; the
        deviations with ``variant``, ``kind``, ``activity``, ``position``, ``dev_cost``.
    """
    if len(found) != variants.height:
        raise ValueError(f"{len(found)} alignments for {variants.height} variants")
    alignments = [al for al, _ in found]
    per_row = [len(devs) for _, devs in found]
    devs = list(chain.from_iterable(devs for _, devs in found))
    deviations = pl.DataFrame(
        {
            "variant": variants["variant"]
            .cast(pl.Int64)
            .gather(np.repeat(np.arange(len(found), dtype=np.int64), per_row)),
            "kind": [d.kind for d in devs],
            "activity": [d.activity for d in devs],
            "position": [d.position for d in devs],
            "dev_cost": [float(d.cost) for d in devs],
        },
        schema=_DEVIATIONS_SCHEMA,
    )
    return _scored(variants, alignments, _flatten(alignments)), deviations


def _scored(variants: pl.DataFrame, alignments: Sequence[Alignment], flat: _Flat) -> pl.DataFrame:
    """``variants`` (sorted by ``variant``) with each alignment's cost, worst cost,
    exactness, lower bound, visible moves and fitness."""
    if variants["variant"].n_unique() != variants.height:
        raise ValueError("the variants' ids are not unique")
    scored = variants.with_columns(
        pl.Series("cost", [float(al.cost) for al in alignments], dtype=pl.Float64),
        pl.Series("worst_cost", [float(al.worst_cost) for al in alignments], dtype=pl.Float64),
        pl.Series("exact", [al.exact for al in alignments], dtype=pl.Boolean),
        pl.Series("cost_lower", [al.cost_lower for al in alignments], dtype=pl.Float64),
        _moves_column(flat, len(alignments)),
    ).with_columns(
        pl.when(pl.col("worst_cost") > 0)
        .then(1 - pl.col("cost") / pl.col("worst_cost"))
        .otherwise(1.0)
        .alias("fitness")
    )
    return scored if scored["variant"].is_sorted() else scored.sort("variant")


def _moves_column(flat: _Flat, n: int) -> pl.Series:
    """Per alignment its visible moves (:data:`MOVES_DTYPE`), in order."""
    visible = flat.kind != _SILENT
    moves = (
        flat.distinct.select(pl.all().gather(flat.move[visible]))
        .with_columns(pl.Series("_row", flat.row[visible]))
        .group_by("_row", maintain_order=True)
        .agg(pl.struct("log", "model", "kind").alias("moves"))
    )
    if moves.height < n:  # alignments with no visible move: an empty list
        moves = (
            pl.DataFrame({"_row": np.arange(n, dtype=np.int64)})
            .join(moves, on="_row", how="left", maintain_order="left")
            .with_columns(pl.col("moves").fill_null(pl.lit([], dtype=MOVES_DTYPE)))
        )
    return moves.get_column("moves").cast(MOVES_DTYPE)
