"""The heatmap section: per unit and activity, the share of cases with a deviation there.

A cell is ``k / n``: ``n`` the unit's cases, ``k`` the cases with at least one counted
(not allowed) deviation at the activity — a share of cases, so always in [0, 1]. A cell whose
``k`` or ``n`` is small shows the count (``0`` or ``<5``) and a neutral colour, never the share.

The columns are the standard's activities (diagram order); the log's activities outside the
standard are grouped into one last column (``k``: the cases with a deviation at any of them),
whose note names the most frequent ones — a real log has hundreds (BPIC 2011: 624).
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

__all__ = [
    "HEAT_COLOURS",
    "HIDDEN_COLOUR",
    "OUTSIDE_TOP",
    "HeatCell",
    "HeatRow",
    "HeatmapSection",
    "heatmap",
]

#: How many of the activities outside the standard the grouped column's note names.
OUTSIDE_TOP = 10

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
    """The heatmap: the standard's activities left to right, then (when the log has any) one
    column grouping the activities outside the standard.

    Attributes:
        columns: the column headings (the last one is the group when ``outside`` > 0).
        outside: how many of the log's activities the group column holds.
        outside_note: the group's most frequent activities with their cases, and how many
            more (``"CRP (412 fall), … och 580 till"``); empty without a group.
        rows: all units, then each unit in rank order.
    """

    columns: tuple[str, ...]
    outside: int
    rows: tuple[HeatRow, ...]
    outside_note: str = ""


def _activity_order(result: ConformanceResult, acts: Sequence[str]) -> list[str]:
    """Model activities left to right by their diagram position (then by id)."""
    model = result.model
    if model is None or not model.diagrams:
        return list(acts)
    pos = {sh.element: (sh.bounds.x, sh.bounds.y) for sh in model.diagrams[0].shapes}
    return sorted(acts, key=lambda a: (*pos.get(a, (math.inf, math.inf)), a))


def _columns(result: ConformanceResult) -> tuple[list[str], list[str]]:
    """The standard's activities in column order, and the activities outside it."""
    acts = result.activities
    every = set(acts["activity"].unique().to_list())
    if "in_model" in acts.columns:
        in_model = sorted(acts.filter(pl.col("in_model"))["activity"].unique().to_list())
    else:
        in_model = sorted(every)
    return _activity_order(result, in_model), sorted(every - set(in_model))


def _counted(result: ConformanceResult) -> pl.DataFrame:
    return result.deviations.filter(~pl.col("allowed") & pl.col("activity").is_not_null())


def deviating_cases(result: ConformanceResult) -> dict[tuple[str, str], int]:
    """(unit or ``"*"``, activity) -> cases with at least one counted deviation there."""
    counted = _counted(result)
    per_unit = counted.group_by("unit", "activity").agg(pl.col("case").n_unique().alias("k"))
    everyone = counted.group_by("activity").agg(pl.col("case").n_unique().alias("k"))
    out = {(str(u), str(a)): int(k) for u, a, k in per_unit.iter_rows()}
    out.update({("*", str(a)): int(k) for a, k in everyone.iter_rows()})
    return out


def _outside_cases(result: ConformanceResult, outside: Sequence[str]) -> dict[str, int]:
    """Unit (and ``"*"``) -> cases with a counted deviation at any activity in ``outside``."""
    there = _counted(result).filter(pl.col("activity").is_in(list(outside)))
    per_unit = there.group_by("unit").agg(pl.col("case").n_unique().alias("k"))
    out = {str(u): int(k) for u, k in per_unit.iter_rows()}
    out["*"] = there["case"].n_unique()
    return out


def _outside_note(result: ConformanceResult, outside: Sequence[str], s: Setting) -> str:
    """The group's :data:`OUTSIDE_TOP` most frequent activities (by cases), and how many more."""
    there = _counted(result).filter(pl.col("activity").is_in(list(outside)))
    by = there.group_by("activity").agg(pl.col("case").n_unique().alias("k"))
    k_by = {str(a): int(k) for a, k in by.iter_rows()}
    ranked = sorted(outside, key=lambda a: (-k_by.get(a, 0), a))
    shown = ", ".join(
        f"{s.activity(a)} ({format_count(k_by.get(a, 0))} {s.t['cases_lower']})"
        for a in ranked[:OUTSIDE_TOP]
    )
    more = len(ranked) - OUTSIDE_TOP
    return shown + (s.t["and_more"].format(n=more) if more > 0 else "")


def _unit_cases(result: ConformanceResult) -> dict[str, int]:
    per = result.cases.group_by("unit").len().iter_rows()
    out = {str(u): int(n) for u, n in per}
    out["*"] = result.cases.height
    return out


def _cell(row: Mapping[str, Any] | None, k: int, s: Setting, n: int | None = None) -> HeatCell:
    """A cell from the activity row (kind counts, the unit's cases) and ``k`` (``n``: the
    unit's cases when there is no row, as for the group column)."""
    n = int(row["cases"]) if row else (n or 0)
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
    """All units, then each unit (in rank order), across the standard's activities and the
    group of those outside it."""
    order, outside = _columns(result)
    rows_by = {(r["unit"], r["activity"]): r for r in result.activities.iter_rows(named=True)}
    k_by = deviating_cases(result)
    k_out = _outside_cases(result, outside) if outside else {}
    n_by = _unit_cases(result)
    rows = []
    for un in ["*", *unit_names]:
        cells = [_cell(rows_by.get((un, a)), k_by.get((un, a), 0), s) for a in order]
        if outside:
            cells.append(_cell(None, k_out.get(un, 0), s, n_by.get(un, 0)))
        rows.append(HeatRow(unit=s.unit(un), cells=tuple(cells)))
    columns = [s.activity(a) for a in order]
    if outside:
        columns.append(s.t["outside_group"].format(n=len(outside)))
    return HeatmapSection(
        columns=tuple(columns),
        outside=len(outside),
        rows=tuple(rows),
        outside_note=_outside_note(result, outside, s) if outside else "",
    )
