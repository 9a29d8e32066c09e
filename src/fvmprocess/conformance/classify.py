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
from typing import TYPE_CHECKING

import polars as pl

from fvmprocess._shared.vocab import DeviationKind

if TYPE_CHECKING:
    from fvmprocess.conformance.moves import Alignment, AlignmentCosts, Move

__all__ = ["MOVES_DTYPE", "Deviation", "classify", "explains", "scored_variants"]

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


def scored_variants(
    variants: pl.DataFrame, found: Sequence[tuple[Alignment, Sequence[Deviation]]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The distinct variants with their alignment's results, and their deviations.

    Both engines build their variant table here from ``(alignment, deviations)`` per
    variant (aligned and classified on this machine or on Spark executors).

    Args:
        variants: the distinct variants (``variant`` and any other columns, kept).
        found: per row of ``variants``, its alignment and :func:`classify`'s deviations.

    Returns:
        ``(variants, deviations)``: ``variants`` sorted by ``variant`` with ``cost``,
        ``worst_cost``, ``exact``, ``cost_lower`` (when not exact), ``moves``
        (:data:`MOVES_DTYPE`) and ``fitness`` added; the
        deviations with ``variant``, ``kind``, ``activity``, ``position``, ``dev_cost``.
    """
    rows: list[tuple[int, float, float, bool, float | None, list[dict[str, str | None]]]] = []
    devs: list[tuple[int, str, str, int, float]] = []
    for vid, (al, found_devs) in zip(variants["variant"].to_list(), found, strict=True):
        moves = [
            {"log": m.log, "model": m.model, "kind": m.kind} for m in al.moves if m.kind != "silent"
        ]
        rows.append((vid, float(al.cost), float(al.worst_cost), al.exact, al.cost_lower, moves))
        devs.extend((vid, d.kind, d.activity, d.position, d.cost) for d in found_devs)
    scored = pl.DataFrame(
        rows,
        schema={
            "variant": pl.Int64,
            "cost": pl.Float64,
            "worst_cost": pl.Float64,
            "exact": pl.Boolean,
            "cost_lower": pl.Float64,
            "moves": MOVES_DTYPE,
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
