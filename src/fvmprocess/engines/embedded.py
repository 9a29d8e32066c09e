"""The embedded engine: the variant table with polars on this machine, and the assignment of
cases whose events name several units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from fvmprocess._shared.vocab import NO_UNIT
from fvmprocess.eventlog import variant_table as log_variants

__all__ = [
    "EPISODE_SEPARATOR",
    "UNIT_ASSIGNMENTS",
    "UnitAssignment",
    "UnitsAssigned",
    "assign_units",
    "variant_table",
]

#: How a case whose events name several units is counted: wholly for the unit of its first
#: event (``"first"``), wholly for the unit with most of its events (``"most"``, ties to the
#: unit named first), or split into one case per unit episode (``"split"``).
UnitAssignment = Literal["first", "most", "split"]
UNIT_ASSIGNMENTS: tuple[UnitAssignment, ...] = ("first", "most", "split")
#: Joins a case id and its episode number (``"K-17#2"``) when cases are split into episodes.
EPISODE_SEPARATOR = "#"


@dataclass(frozen=True)
class UnitsAssigned:
    """Events after :func:`assign_units`.

    Attributes:
        events: the events, in the same order; ``unit`` (and with ``"split"`` ``case``)
            rewritten for cases that named several units.
        multi_unit_cases: cases of the input whose events name more than one unit.
        episodes: cases after the assignment that came from those cases (their number with
            ``"first"`` and ``"most"``, the number of unit episodes with ``"split"``).
    """

    events: pl.DataFrame
    multi_unit_cases: int
    episodes: int


def assign_units(events: pl.DataFrame, how: UnitAssignment = "first") -> UnitsAssigned:
    """Give every case one unit, counting the cases whose events name several.

    With ``"split"`` a case becomes one case per episode: a maximal run of consecutive events
    at one unit (events without a unit belong to the episode before them, leading ones to the
    first). Episode ``k`` (from 1) of case ``c`` is case ``f"c{EPISODE_SEPARATOR}k"``; a case
    that names one unit keeps its id. A case A → B → A has three episodes.

    Args:
        events: an :class:`~fvmprocess.eventlog.EventLog`'s events, sorted by case, time and
            row (``case``, ``activity``, ``timestamp``, maybe ``unit``).
        how: ``"first"``, ``"most"`` or ``"split"`` (:data:`UnitAssignment`).

    Returns:
        The events (order kept) and the counts.

    Raises:
        ValueError: an unknown ``how``, or an episode id that is already a case id.

    Example:
        >>> ev = pl.DataFrame({"case": ["c", "c", "c"], "activity": ["a", "b", "c"],
        ...                    "unit": ["U1", "U2", "U2"]})
        >>> assign_units(ev, "most").events["unit"].to_list()
        ['U2', 'U2', 'U2']
        >>> assign_units(ev, "split").events["case"].to_list()
        ['c#1', 'c#2', 'c#2']
    """
    if how not in UNIT_ASSIGNMENTS:
        raise ValueError(f"unit_assignment is {how!r}; expected one of {UNIT_ASSIGNMENTS}")
    if "unit" not in events.columns or events.height == 0:
        return UnitsAssigned(events, 0, 0)
    multi = _multi_unit_cases(events)
    if multi.len() == 0 or how == "first":
        return UnitsAssigned(events, multi.len(), multi.len())
    if how == "most":
        return UnitsAssigned(_most_events(events, multi), multi.len(), multi.len())
    split, episodes = _episodes(events, multi)
    return UnitsAssigned(split, multi.len(), episodes)


def _multi_unit_cases(events: pl.DataFrame) -> pl.Series:
    """The cases whose events name more than one unit.

    Each case's events are contiguous in a log (sorted by case): a case names several units
    when its non-null units change from one event to the next within its run of rows. The
    runs are checked to be the cases (a case id in two runs means another order, and the
    units are then counted per case id).
    """
    named = events.select("case", "unit").filter(pl.col("unit").is_not_null())
    run = named["case"].rle_id()
    starts = (run != run.shift(1)).fill_null(True)
    ids = named["case"].filter(starts)
    if ids.n_unique() != ids.len():
        return (
            events.group_by("case")
            .agg(pl.col("unit").drop_nulls().n_unique().alias("_n"))
            .filter(pl.col("_n") > 1)["case"]
        )
    changes = ~starts & (named["unit"] != named["unit"].shift(1))
    return named["case"].filter(changes).unique(maintain_order=True)


def _most_events(events: pl.DataFrame, multi: pl.Series) -> pl.DataFrame:
    """Each case in ``multi`` wholly at the unit with most of its events (ties: named first)."""
    chosen = (
        events.select("case", "unit")
        .with_row_index("_i")
        .filter(pl.col("case").is_in(multi.implode()) & pl.col("unit").is_not_null())
        .group_by("case", "unit")
        .agg(pl.len().alias("_n"), pl.col("_i").min().alias("_at"))
        .sort(["case", "_n", "_at"], descending=[False, True, False])
        .group_by("case", maintain_order=True)
        .first()
        .select("case", pl.col("unit").alias("_u"))
    )
    return (
        events.join(chosen, on="case", how="left", maintain_order="left")
        .with_columns(pl.coalesce("_u", "unit").cast(events.schema["unit"]).alias("unit"))
        .drop("_u")
    )


def _episodes(events: pl.DataFrame, multi: pl.Series) -> tuple[pl.DataFrame, int]:
    """Each case in ``multi`` split into its unit episodes (ids ``case#k``), and how many."""
    unit = pl.col("unit").forward_fill().backward_fill().over("case")
    with_unit = events.with_columns(unit.alias("_u"))
    starts = (pl.col("_u") != pl.col("_u").shift(1).over("case")).fill_null(True)
    numbered = with_unit.with_columns(starts.cast(pl.Int64).cum_sum().over("case").alias("_ep"))
    is_multi = pl.col("case").is_in(multi.implode())
    episode_id = pl.format("{}{}{}", "case", pl.lit(EPISODE_SEPARATOR), "_ep")
    ids = numbered.filter(is_multi).select(episode_id.alias("case")).unique()["case"]
    clash = ids.is_in(events["case"].cast(pl.String).implode()).sum()
    if clash:
        raise ValueError(
            f"cannot split cases into unit episodes: {clash} episode id(s) "
            f"('<case>{EPISODE_SEPARATOR}<k>') are already case ids in the log"
        )
    out = numbered.with_columns(
        pl.when(is_multi).then(episode_id).otherwise(pl.col("case")).cast(pl.String).alias("case"),
        pl.when(is_multi).then(pl.col("_u")).otherwise(pl.col("unit")).alias("unit"),
    ).drop("_u", "_ep")
    return out, ids.len()


def variant_table(events: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cases and their distinct variants from events sorted by case, time and row.

    The log's one variant table (:func:`fvmprocess.eventlog.variant_table`), with
    :data:`~fvmprocess._shared.vocab.NO_UNIT` for cases whose events name no unit, as the
    Spark engine gives it. A case's unit is the first one its events name; run
    :func:`assign_units` first for another rule.

    Args:
        events: an :class:`EventLog`'s events (``case``, ``activity``, ``timestamp``, maybe
            ``unit``), already in case/time order.

    Returns:
        ``(cases, variants)``: ``cases`` has ``case``, ``unit``, ``variant``, ``events``,
        ``start``, ``end``, ``duration_s``; ``variants`` has ``variant`` (0 = most frequent;
        ties broken by the activity sequence), ``activities`` (list) and ``cases``.
    """
    table = log_variants(events)
    return table.cases.with_columns(pl.col("unit").fill_null(NO_UNIT)), table.variants
