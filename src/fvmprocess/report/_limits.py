"""The time-limit sections: per limit a chart and a table of units.

Per unit and limit the cell is ``within`` of ``evaluated`` cases. The share, its interval and
whether the target is met are shown only when neither count is small; the median and the
durations only when ``evaluated`` is not small; the individual durations (dots) only when
the share is shown (their number left of the limit line is ``within``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
from markupsafe import Markup

from fvmprocess._shared.privacy import SUPPRESSED, format_count
from fvmprocess.render.overlay import fmt_share
from fvmprocess.report._charts import StripRow, time_limit_chart
from fvmprocess.report._format import (
    Counts,
    duration_text,
    interval_text,
    number_text,
    share_text,
)
from fvmprocess.report._sections import COMPACT_FROM, Setting

if TYPE_CHECKING:
    from fvmprocess.conformance import ConformanceResult

__all__ = ["LimitRow", "TimeLimitSection", "time_limit_sections"]


@dataclass(frozen=True, slots=True)
class LimitRow:
    """One unit's compliance with one limit."""

    unit: str
    evaluated: str
    within: str
    share: str
    interval: str
    median: str
    meets: str


@dataclass(frozen=True, slots=True)
class TimeLimitSection:
    """One time limit: its definition, chart and table."""

    id: str
    anchor: str
    start: str
    end: str
    max: str
    target: str
    rows: tuple[LimitRow, ...]
    svg: Markup


def _meets(row: Mapping[str, Any], counts: Counts, s: Setting) -> str:
    if counts.share_hidden:
        return SUPPRESSED
    if row["meets_target"] is None:
        return "–"
    return s.t["yes"] if row["meets_target"] else s.t["no"]


def _row(
    row: Mapping[str, Any], label: str, s: Setting, unit: tuple[float, str]
) -> tuple[LimitRow, StripRow]:
    """The table row and the chart strip of one unit (its median in the limit's ``unit``,
    the same for every row of the table: one unit per column)."""
    ev = int(row["evaluated"] or 0)
    counts = Counts(int(row["within"] or 0), ev)
    share = share_text(row["share"], counts, s.lang)
    table = LimitRow(
        unit=label,
        evaluated=format_count(ev),
        within=format_count(row["within"]),
        share=share,
        interval=interval_text(row["share_low"], row["share_high"], counts, s.lang),
        median=SUPPRESSED if counts.over_n_hidden else _in_unit(row["median_s"], unit, s),
        meets=_meets(row, counts, s),
    )
    strip = StripRow(
        label,
        [] if counts.over_n_hidden else list(row.get("durations_s") or []),
        f"{share} (n={format_count(ev)})",
        note=f"n {format_count(ev)}" if counts.over_n_hidden else None,
        dots=not counts.share_hidden,
    )
    return table, strip


def _in_unit(seconds: float | None, unit: tuple[float, str], s: Setting) -> str:
    """``seconds`` in ``unit`` (seconds per unit, label): ``12,5 tim``; ``–`` when missing."""
    if seconds is None or seconds != seconds:
        return "–"
    per, label = unit
    return f"{number_text(seconds / per, s.lang, 0 if per == 60.0 else 1)} {label}"


def _axis_unit(max_s: float, t: Mapping[str, str]) -> tuple[float, str]:
    """Seconds per axis unit, and its label (days, hours or minutes)."""
    if max_s >= 2 * 86400:
        return 86400.0, t["days"]
    if max_s >= 7200:
        return 3600.0, t["hours"]
    return 60.0, t["minutes"]


def _section(
    rows: pl.DataFrame, index: int, unit_names: Sequence[str], s: Setting
) -> TimeLimitSection:
    """One limit's section from its rows of ``result.time_limits``."""
    first = rows.row(0, named=True)
    lim_id = str(first["limit"])
    max_s = float(first["max_seconds"])
    target = first.get("target_share")
    by_unit = {r["unit"]: r for r in rows.iter_rows(named=True)}
    unit_s, unit_label = _axis_unit(max_s, s.t)
    units = ["*", *unit_names]
    built = [_row(by_unit[u], s.unit(u), s, (unit_s, unit_label)) for u in units if u in by_unit]
    limit_label = f"{s.t['limit_line']} {duration_text(max_s, s.t, s.lang)}"
    if target is not None:
        limit_label += f", {s.t['target'].lower()} {fmt_share(target, s.lang, 0)}"
    chart = time_limit_chart(
        [strip for _, strip in built],
        limit_s=max_s,
        unit_s=unit_s,
        unit_label=unit_label,
        limit_label=limit_label,
        title=f"{s.t['limit']} {lim_id}",
        compact=len(unit_names) > COMPACT_FROM,
        lang=s.lang,
    )
    frm = first.get("from_activity")
    return TimeLimitSection(
        id=s.red(lim_id),
        anchor=f"grans-{index + 1}",
        start=s.t["case_start"] if frm is None else s.activity(frm),
        end=s.activity(first.get("to_activity")),
        max=duration_text(max_s, s.t, s.lang),
        target=fmt_share(target, s.lang, 0) if target is not None else "–",
        rows=tuple(table for table, _ in built),
        svg=Markup(s.red(chart)),
    )


def time_limit_sections(
    result: ConformanceResult, unit_names: Sequence[str], s: Setting
) -> tuple[TimeLimitSection, ...]:
    """One section per limit (sorted by id): all units first, then the units in rank order."""
    tl = result.time_limits
    if not tl.height:
        return ()
    ids = sorted(set(tl["limit"].to_list()))
    return tuple(
        _section(tl.filter(pl.col("limit") == lim_id), i, unit_names, s)
        for i, lim_id in enumerate(ids)
    )
