"""The heatmap section: per unit and activity, the share of cases with a deviation there.

A cell is ``k / n``: ``n`` the unit's cases, ``k`` the cases with at least one counted
(not allowed) deviation at the activity — a share of cases, so always in [0, 1]. A cell whose
``k`` or ``n`` is small shows the count (``0`` or ``<5``) and a neutral colour, never the share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from fvmprocess._shared.privacy import SMALL, format_count, is_small
from fvmprocess._shared.vocab import DEVIATION_KINDS
from fvmprocess.render.overlay import fmt_share
from fvmprocess.report._format import Counts
from fvmprocess.report._sections import Setting

if TYPE_CHECKING:
    from fvmprocess.conformance import ConformanceResult

__all__ = ["HEAT_COLOURS", "HIDDEN_COLOUR", "HeatCell", "HeatRow", "HeatmapSection", "heatmap"]

#: Colour steps from 0 % to 50 % and more (colour-blind safe blues).
HEAT_COLOURS = (
    "#f7fbff",
    "#deebf7",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
)
_DARK = 5  # from this colour step on, the text is white
#: The colour of a cell whose share is suppressed (the colour would give the share away).
HIDDEN_COLOUR = "#eeeeee"


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One unit × activity cell."""

    text: str
    colour: str
    dark: bool
    title: str


@dataclass(frozen=True, slots=True)
class HeatRow:
    """One unit (or all units) across the activities."""

    unit: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True, slots=True)
class HeatmapSection:
    """The heatmap: activity columns (the model's left to right, then those outside it)."""

    columns: tuple[str, ...]
    outside: int
    rows: tuple[HeatRow, ...]


def _activity_order(result: ConformanceResult, acts: Sequence[str]) -> list[str]:
    """Model activities left to right by their diagram position (then by id)."""
    model = result.model
    if model is None or not model.diagrams:
        return list(acts)
    pos = {sh.element: (sh.bounds.x, sh.bounds.y) for sh in model.diagrams[0].shapes}
    return sorted(acts, key=lambda a: (*pos.get(a, (math.inf, math.inf)), a))


def _columns(result: ConformanceResult) -> tuple[list[str], int]:
    """The activities in column order, and how many of them are outside the model."""
    acts = result.activities
    every = set(acts["activity"].unique().to_list())
    if "in_model" in acts.columns:
        in_model = sorted(acts.filter(pl.col("in_model"))["activity"].unique().to_list())
    else:
        in_model = sorted(every)
    outside = sorted(every - set(in_model))
    return _activity_order(result, in_model) + outside, len(outside)


def deviating_cases(result: ConformanceResult) -> dict[tuple[str, str], int]:
    """(unit or ``"*"``, activity) -> cases with at least one counted deviation there."""
    counted = result.deviations.filter(~pl.col("allowed") & pl.col("activity").is_not_null())
    per_unit = counted.group_by("unit", "activity").agg(pl.col("case").n_unique().alias("k"))
    everyone = counted.group_by("activity").agg(pl.col("case").n_unique().alias("k"))
    out = {(str(u), str(a)): int(k) for u, a, k in per_unit.iter_rows()}
    out.update({("*", str(a)): int(k) for a, k in everyone.iter_rows()})
    return out


def _cell(row: Mapping[str, Any] | None, k: int, s: Setting) -> HeatCell:
    """A cell from the activity row (kind counts, the unit's cases) and ``k``."""
    n = int(row["cases"]) if row else 0
    title = ", ".join(
        f"{s.kinds[kd]} {format_count(int(row.get(kd) or 0))}"
        for kd in DEVIATION_KINDS
        if row and row.get(kd)
    )
    if k == 0:
        return HeatCell("0", HEAT_COLOURS[0], False, title)
    if Counts(k, n).share_hidden:
        return HeatCell(SMALL if is_small(k) else "–", HIDDEN_COLOUR, False, title)
    rate = min(1.0, k / n)
    level = min(len(HEAT_COLOURS) - 1, int(rate * 2 * (len(HEAT_COLOURS) - 1) + 0.5))
    return HeatCell(fmt_share(rate, s.lang, 0), HEAT_COLOURS[level], level >= _DARK, title)


def heatmap(result: ConformanceResult, unit_names: Sequence[str], s: Setting) -> HeatmapSection:
    """All units, then each unit (in rank order), across the activities."""
    order, outside = _columns(result)
    rows_by = {(r["unit"], r["activity"]): r for r in result.activities.iter_rows(named=True)}
    k_by = deviating_cases(result)
    rows = tuple(
        HeatRow(
            unit=s.unit(un),
            cells=tuple(_cell(rows_by.get((un, a)), k_by.get((un, a), 0), s) for a in order),
        )
        for un in ["*", *unit_names]
    )
    return HeatmapSection(columns=tuple(s.activity(a) for a in order), outside=outside, rows=rows)
