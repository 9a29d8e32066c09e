"""The report's trend, cause and practice sections, from ``result.analyses``.

* trends: one small chart per unit — the conforming share per period with its interval,
  each change point (a dashed line and the segments' shares) and each milestone (a dotted
  line) marked — and a sparkline per unit for the ranking table;
* milestones: before/after per unit with the difference and Fisher's p-value;
* why: the top causes as plain Swedish or English sentences, then the table;
* practice: per unit, the transitions it adds to the standard and what it never does.

The small-count rule (:mod:`fvmprocess._shared.privacy`) holds for every figure: a period
point, a sparkline point, a segment's share, a cause's rates and a practice frequency are
shown only when none of the counts they come from is small (1–4); counts are written with
:func:`~fvmprocess._shared.privacy.format_count`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any

import polars as pl
from markupsafe import Markup

from fvmprocess._shared.privacy import MIN_CELL, SMALL, SUPPRESSED, format_count
from fvmprocess.practice import END, START
from fvmprocess.render.overlay import fmt_share
from fvmprocess.report._format import Counts, interval_text, number_text, share_text

if TYPE_CHECKING:
    from fvmprocess.conformance import ConformanceResult
    from fvmprocess.report._sections import Setting

__all__ = [
    "TREND_LABELS",
    "CauseRow",
    "MilestoneRow",
    "PeriodRow",
    "PracticeEdge",
    "PracticeUnit",
    "TrendChart",
    "TrendsSection",
    "trends_section",
]

TREND_LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "trends": "Utveckling över tid",
        "trend": "Trend",
        "week": "vecka",
        "month": "månad",
        "quarter": "kvartal",
        "per_period": "Andel som följer standarden per {period}",
        "trends_note": (
            "Punkten visar andelen fall som följer standarden bland fallen som började under "
            "perioden, strecket 95 % Wilson-intervall. Streckade linjer: förändringspunkter "
            "(de vågräta linjerna visar andelen före och efter); prickade: milstolpar. "
            f"Perioder med färre än {MIN_CELL} fall, eller färre än {MIN_CELL} som följer "
            "standarden, visas inte."
        ),
        "no_change": "Ingen säkerställd förändring.",
        "change": "Från {at}: {before} → {after} ({p})",
        "too_few": "För få fall per period för att visa andelar.",
        "period": "Period",
        "milestones": "Före och efter milstolpar",
        "milestone": "Milstolpe",
        "date": "Datum",
        "before": "Före",
        "after": "Efter",
        "difference": "Skillnad",
        "p_value": "p-värde",
        "milestones_note": (
            "Andelen fall som följer standarden före och efter datumet (fallets första "
            "händelse), skillnaden med 95 % Newcombe-intervall och Fishers exakta test. En "
            "jämförelse, inte ett orsakssamband."
        ),
        "why": "Vad förklarar avvikelserna?",
        "why_note": (
            "Omständigheter (fallens egenskaper vid första händelsen, tid på dygnet, typ av "
            "dag) där en avvikelse är klart vanligare än i övriga fall: lyft = andel / andel "
            "bland övriga, med 95 % intervall; Benjamini–Hochberg över alla jämförelser. "
            f"Endast värden med minst {MIN_CELL} fall och {MIN_CELL} avvikande fall. Samband, "
            "inte orsaker: läs de främsta tillsammans."
        ),
        "no_causes": "Inga omständigheter med klart högre avvikelsefrekvens.",
        "cause": "{activity} {verb} i {rate} av {cases} fall med {attribute} = {value}, mot "
        "{baseline} av övriga fall ({lift} gånger så ofta; 95 % intervall {low}–{high}).",
        "attribute": "Egenskap",
        "value": "Värde",
        "rate": "Andel",
        "baseline": "Övriga",
        "lift": "Lyft",
        "not_used": "Används inte",
        "practice": "Enhetens arbetssätt mot standarden",
        "practice_note": (
            "Vilka steg som följer direkt på varandra i enhetens fall. Tillagda övergångar "
            "tillåts inte av standarden; aldrig tagna finns i standarden men inte hos enheten. "
            f"Antal under {MIN_CELL} visas som {SMALL}."
        ),
        "added": "Tillagda övergångar",
        "never_taken": "Aldrig tagna övergångar i standarden",
        "steps_added": "Steg utanför standarden",
        "steps_never": "Steg i standarden som enheten aldrig gör",
        "transition": "Övergång",
        "frequency": "Gånger",
        "case_share": "Andel av fallen",
        "added_share": "Andel av övergångarna som är tillagda",
        "none": "inga",
        "start": "[start]",
        "end": "[slut]",
        "more": "och {n} till",
    },
    "en": {
        "trends": "Change over time",
        "trend": "Trend",
        "week": "week",
        "month": "month",
        "quarter": "quarter",
        "per_period": "Conforming share per {period}",
        "trends_note": (
            "The dot shows the share of conforming cases among the cases that started in the "
            "period, the whisker the 95 % Wilson interval. Dashed lines: change points (the "
            "horizontal lines show the share before and after); dotted: milestones. Periods "
            f"with fewer than {MIN_CELL} cases, or fewer than {MIN_CELL} conforming, are not "
            "shown."
        ),
        "no_change": "No established change.",
        "change": "From {at}: {before} → {after} ({p})",
        "too_few": "Too few cases per period to show shares.",
        "period": "Period",
        "milestones": "Before and after milestones",
        "milestone": "Milestone",
        "date": "Date",
        "before": "Before",
        "after": "After",
        "difference": "Difference",
        "p_value": "p-value",
        "milestones_note": (
            "The conforming share before and after the date (the case's first event), the "
            "difference with a 95 % Newcombe interval and Fisher's exact test. A comparison, "
            "not a causal effect."
        ),
        "why": "What explains the deviations?",
        "why_note": (
            "Circumstances (the case's attributes at its first event, time of day, type of "
            "day) under which a deviation is much more frequent than in the other cases: lift "
            "= rate / rate among the others, with a 95 % interval; Benjamini–Hochberg over "
            f"every comparison. Only values with at least {MIN_CELL} cases and {MIN_CELL} "
            "deviating cases. Associations, not causes: read the top ones together."
        ),
        "no_causes": "No circumstance with a clearly higher deviation rate.",
        "cause": "{activity} {verb} in {rate} of {cases} cases with {attribute} = {value}, "
        "against {baseline} of the other cases ({lift} times as often; 95 % interval "
        "{low}–{high}).",
        "attribute": "Attribute",
        "value": "Value",
        "rate": "Rate",
        "baseline": "Others",
        "lift": "Lift",
        "not_used": "Not used",
        "practice": "Each unit's practice against the standard",
        "practice_note": (
            "Which steps directly follow each other in the unit's cases. Added transitions "
            "are not allowed by the standard; never taken ones are in the standard but not in "
            f"the unit. Counts below {MIN_CELL} are shown as {SMALL}."
        ),
        "added": "Added transitions",
        "never_taken": "Transitions of the standard never taken",
        "steps_added": "Steps outside the standard",
        "steps_never": "Steps of the standard the unit never does",
        "transition": "Transition",
        "frequency": "Times",
        "case_share": "Share of cases",
        "added_share": "Share of transitions that are added",
        "none": "none",
        "start": "[start]",
        "end": "[end]",
        "more": "and {n} more",
    },
}

_VERBS = {
    "sv": {
        "skipped": "hoppas över",
        "inserted": "görs utöver standarden",
        "repeated": "upprepas",
        "moved": "görs i annan ordning",
        "unknown_activity": "förekommer utanför standarden",
        "late": "blir sen",
    },
    "en": {
        "skipped": "is skipped",
        "inserted": "is done in addition to the standard",
        "repeated": "is repeated",
        "moved": "is done out of order",
        "unknown_activity": "occurs outside the standard",
        "late": "is late",
    },
}
_ATTRIBUTES = {
    "sv": {"hour_band": "tid på dygnet", "day_type": "typ av dag"},
    "en": {"hour_band": "time of day", "day_type": "type of day"},
}
_VALUES = {
    "sv": {
        "day": "dag",
        "evening": "kväll",
        "night": "natt",
        "weekday": "vardag",
        "weekend": "helg",
        "(missing)": "(saknas)",
    },
    "en": {},
}
#: Most cause sentences, table rows and practice rows per unit shown.
_TOP_SENTENCES, _TOP_CAUSES, _TOP_EDGES = 8, 25, 8

_INK, _GRID, _BAR, _CHANGE, _MILESTONE = "#222222", "#d9d9d9", "#0072b2", "#d55e00", "#009e73"
_FONT = "DejaVu Sans, Arial, sans-serif"


# ---------------------------------------------------------------------------------------------
# Section data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """One period of a unit, as the table under its chart shows it."""

    period: str
    cases: str
    conforming_share: str
    interval: str
    time_limit_compliance: str


@dataclass(frozen=True, slots=True)
class TrendChart:
    """One unit's small multiple: the chart, its change points and its periods."""

    unit: str
    svg: Markup
    changes: tuple[str, ...]
    rows: tuple[PeriodRow, ...]


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    """Before and after one milestone in one unit."""

    unit: str
    milestone: str
    date: str
    before: str
    before_cases: str
    after: str
    after_cases: str
    difference: str
    interval: str
    p_value: str


@dataclass(frozen=True, slots=True)
class CauseRow:
    """One attribute value that raises a deviation's rate."""

    sentence: str
    kind: str
    activity: str
    attribute: str
    value: str
    cases: str
    rate: str
    baseline: str
    lift: str
    interval: str


@dataclass(frozen=True, slots=True)
class PracticeEdge:
    """A transition (or step, with ``target`` empty) of a unit's practice."""

    label: str
    frequency: str
    case_share: str


@dataclass(frozen=True, slots=True)
class PracticeUnit:
    """One unit's practice against the standard."""

    unit: str
    cases: str
    added_share: str
    added: tuple[PracticeEdge, ...]
    added_more: str
    never_taken: tuple[str, ...]
    steps_added: tuple[PracticeEdge, ...]
    steps_never: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrendsSection:
    """Everything the trend, milestone, cause and practice templates show (empty when the
    result has no analyses)."""

    t: Mapping[str, str] = field(default_factory=dict)
    period_title: str = ""
    charts: tuple[TrendChart, ...] = ()
    sparklines: Mapping[str, Markup] = field(default_factory=dict)
    milestones: tuple[MilestoneRow, ...] = ()
    causes_shown: bool = False
    sentences: tuple[str, ...] = ()
    causes: tuple[CauseRow, ...] = ()
    not_used: tuple[str, ...] = ()
    practice: tuple[PracticeUnit, ...] = ()

    @property
    def shown(self) -> bool:
        """True when any of the sections has something to show."""
        return bool(self.charts or self.milestones or self.causes_shown or self.practice)


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------


def trends_section(
    result: ConformanceResult, unit_names: Sequence[str], s: Setting
) -> TrendsSection:
    """The trend, milestone, cause and practice sections of ``result.analyses``.

    Args:
        result: the checked result.
        unit_names: the units in rank order (charts and practice follow it).
        s: language, texts and activity names.
    """
    a = result.analyses
    t = TREND_LABELS[s.lang]
    charts: tuple[TrendChart, ...] = ()
    sparks: dict[str, Markup] = {}
    title = ""
    if a.periods is not None and a.period is not None:
        axis = _Axis.of(a.periods)
        changes = a.changes if a.changes is not None else pl.DataFrame()
        marks = a.milestones if a.milestones is not None else pl.DataFrame()
        charts = tuple(
            _chart(u, a.periods, changes, marks, axis, s) for u in _present(unit_names, a.periods)
        )
        sparks = {
            s.unit(u): Markup(_sparkline(_points(a.periods, u), axis, s.unit(u)))
            for u in _present(unit_names, a.periods)
        }
        title = t["per_period"].format(period=t[a.period])
    found = a.causes
    sentences, cause_rows = _causes(found.table, s) if found is not None else ((), ())
    return TrendsSection(
        t=t,
        period_title=title,
        charts=charts,
        sparklines=sparks,
        milestones=_milestone_rows(a.milestones, s) if a.milestones is not None else (),
        causes_shown=found is not None,
        sentences=sentences,
        causes=cause_rows,
        not_used=tuple(
            f"{s.red(k)}: {s.red(v)}" for k, v in sorted((found.excluded if found else {}).items())
        ),
        practice=_practice(result, unit_names, s),
    )


def _present(unit_names: Sequence[str], frame: pl.DataFrame) -> list[str]:
    have = set(frame["unit"].cast(pl.String).to_list())
    return [u for u in unit_names if u in have]


def _share(v: Any, k: int | None, n: int | None, s: Setting) -> str:
    return share_text(None if v is None else float(v), Counts(k, n), s.lang)


def _p(v: Any, s: Setting) -> str:
    if v is None:
        return "–"
    return ("< 0,001" if s.lang == "sv" else "< 0.001") if v < 0.001 else number_text(v, s.lang)


@dataclass(frozen=True, slots=True)
class _Point:
    """A period's conforming share (None: suppressed) and interval, by period start."""

    start: date
    share: float | None
    low: float | None
    high: float | None


def _points(periods: pl.DataFrame, unit: str) -> list[_Point]:
    rows = periods.filter(pl.col("unit") == unit).sort("period").iter_rows(named=True)
    out = []
    for r in rows:
        hidden = Counts(int(r["conforming"]), int(r["cases"])).share_hidden
        out.append(
            _Point(
                r["period"],
                None if hidden else r["conforming_share"],
                None if hidden else r["conforming_share_low"],
                None if hidden else r["conforming_share_high"],
            )
        )
    return out


def _period_rows(periods: pl.DataFrame, unit: str, s: Setting) -> tuple[PeriodRow, ...]:
    rows = []
    for r in periods.filter(pl.col("unit") == unit).sort("period").iter_rows(named=True):
        n, k = int(r["cases"]), int(r["conforming"])
        tl = Counts(r["time_limit_within"], r["time_limit_evaluated"], extra=(n,))
        compliance = r["time_limit_compliance"] if r["time_limit_evaluated"] else None
        rows.append(
            PeriodRow(
                period=r["period"].isoformat(),
                cases=format_count(n),
                conforming_share=_share(r["conforming_share"], k, n, s),
                interval=interval_text(
                    r["conforming_share_low"], r["conforming_share_high"], Counts(k, n), s.lang
                ),
                time_limit_compliance=share_text(compliance, tl, s.lang),
            )
        )
    return tuple(rows)


def _change_texts(changes: pl.DataFrame, unit: str, s: Setting) -> tuple[str, ...]:
    if changes.is_empty():
        return ()
    t = TREND_LABELS[s.lang]
    out = []
    for r in changes.filter(pl.col("unit") == unit).sort("at").iter_rows(named=True):
        kb = round(r["before"] * r["before_cases"])
        ka = round(r["after"] * r["after_cases"])
        out.append(
            t["change"].format(
                at=r["at"].isoformat(),
                before=_share(r["before"], kb, r["before_cases"], s),
                after=_share(r["after"], ka, r["after_cases"], s),
                p=("p " if _p(r["p_value"], s).startswith("<") else "p = ") + _p(r["p_value"], s),
            )
        )
    return tuple(out)


def _chart(
    unit: str,
    periods: pl.DataFrame,
    changes: pl.DataFrame,
    marks: pl.DataFrame,
    axis: _Axis,
    s: Setting,
) -> TrendChart:
    unit_changes = (
        changes.filter(pl.col("unit") == unit) if not changes.is_empty() else pl.DataFrame()
    )
    unit_marks = marks.filter(pl.col("unit") == unit) if not marks.is_empty() else pl.DataFrame()
    points = _points(periods, unit)
    svg = _trend_svg(points, unit_changes, unit_marks, axis, s)
    return TrendChart(
        unit=s.unit(unit),
        svg=Markup(s.red(svg)),
        changes=_change_texts(changes, unit, s),
        rows=_period_rows(periods, unit, s),
    )


def _milestone_rows(marks: pl.DataFrame, s: Setting) -> tuple[MilestoneRow, ...]:
    rows = []
    for r in marks.iter_rows(named=True):
        nb, na = int(r["before_cases"]), int(r["after_cases"])
        kb, ka = int(r["before_conforming"]), int(r["after_conforming"])
        hidden = Counts(kb, nb).share_hidden or Counts(ka, na).share_hidden
        diff = r["difference"]
        shown = not hidden and diff is not None
        rows.append(
            MilestoneRow(
                unit=s.unit(str(r["unit"])),
                milestone=s.red(str(r["milestone"])),
                date=r["date"].isoformat(),
                before=_share(r["before"], kb, nb, s),
                before_cases=format_count(nb),
                after=_share(r["after"], ka, na, s),
                after_cases=format_count(na),
                difference=_signed(diff, s) if shown else (SUPPRESSED if hidden else "–"),
                interval=(
                    f"{_signed(r['difference_low'], s)} – {_signed(r['difference_high'], s)}"
                    if shown
                    else (SUPPRESSED if hidden else "–")
                ),
                p_value=_p(r["p_value"], s) if not hidden else SUPPRESSED,
            )
        )
    return tuple(rows)


def _signed(v: float, s: Setting) -> str:
    text = fmt_share(abs(v), s.lang)
    return ("−" if v < 0 else "+") + text


def _causes(table: pl.DataFrame, s: Setting) -> tuple[tuple[str, ...], tuple[CauseRow, ...]]:
    """The top cause per deviation as a sentence, and the flagged rows as a table."""
    flagged = table.filter(pl.col("flagged")) if "flagged" in table.columns else table
    ordered = flagged.sort(["rank", "lift_low"], descending=[False, True])
    rows = [_cause_row(r, s) for r in ordered.head(_TOP_CAUSES).iter_rows(named=True)]
    firsts = [r for r, d in zip(rows, ordered.head(_TOP_CAUSES)["rank"], strict=True) if d == 1]
    return tuple(r.sentence for r in firsts[:_TOP_SENTENCES]), tuple(rows)


def _cause_row(r: Mapping[str, Any], s: Setting) -> CauseRow:
    t = TREND_LABELS[s.lang]
    n, k = int(r["cases"]), int(r["deviating"])
    n0 = int(r["baseline_cases"])
    k0 = round(float(r["baseline_rate"]) * n0)
    rate = _share(r["rate"], k, n, s)
    baseline = _share(r["baseline_rate"], k0, n0, s)
    lift_hidden = Counts(k, n).share_hidden or Counts(k0, n0).share_hidden
    lift = SUPPRESSED if lift_hidden else number_text(r["lift"], s.lang, 1)
    low = SUPPRESSED if lift_hidden else number_text(r["lift_low"], s.lang, 1)
    high = SUPPRESSED if lift_hidden else number_text(r["lift_high"], s.lang, 1)
    kind = str(r["kind"])
    activity = s.activity(str(r["activity"]))
    attribute = _ATTRIBUTES[s.lang].get(str(r["attribute"]), s.red(str(r["attribute"])))
    value = _VALUES[s.lang].get(str(r["value"]), s.red(str(r["value"])))
    sentence = t["cause"].format(
        activity=f"«{activity}»",
        verb=_VERBS[s.lang].get(kind, kind),
        rate=rate,
        cases=format_count(n),
        attribute=attribute,
        value=value,
        baseline=baseline,
        lift=lift,
        low=low,
        high=high,
    )
    return CauseRow(
        sentence=sentence,
        kind=s.kinds.get(kind, kind),
        activity=activity,
        attribute=attribute,
        value=value,
        cases=format_count(n),
        rate=rate,
        baseline=baseline,
        lift=lift,
        interval=f"{low}–{high}",
    )


def _node(aid: str, s: Setting) -> str:
    t = TREND_LABELS[s.lang]
    return t["start"] if aid == START else t["end"] if aid == END else s.activity(aid)


def _practice(
    result: ConformanceResult, unit_names: Sequence[str], s: Setting
) -> tuple[PracticeUnit, ...]:
    diff = result.analyses.practice
    if diff is None:
        return ()
    t = TREND_LABELS[s.lang]
    out = []
    for unit in _present(unit_names, diff.units):
        summary = diff.units.filter(pl.col("unit") == unit).row(0, named=True)
        n = int(summary["cases"])
        tr = diff.transitions.filter(pl.col("unit") == unit)
        st = diff.steps.filter(pl.col("unit") == unit)
        added = tr.filter(pl.col("status") == "added").sort(
            ["frequency", "source", "target"], descending=[True, False, False]
        )
        occurrences = int(summary["occurrences"] or 0)
        added_n = int(added["frequency"].sum())
        more = added.height - _TOP_EDGES
        out.append(
            PracticeUnit(
                unit=s.unit(unit),
                cases=format_count(n),
                added_share=share_text(
                    summary["added_share"], Counts(added_n, occurrences, extra=(n,)), s.lang
                ),
                added=tuple(
                    PracticeEdge(
                        f"{_node(r['source'], s)} → {_node(r['target'], s)}",
                        format_count(int(r["frequency"])),
                        share_text(r["case_share"], Counts(int(r["cases"]), n), s.lang),
                    )
                    for r in added.head(_TOP_EDGES).iter_rows(named=True)
                ),
                added_more=t["more"].format(n=more) if more > 0 else "",
                never_taken=tuple(
                    f"{_node(r['source'], s)} → {_node(r['target'], s)}"
                    for r in tr.filter(pl.col("status") == "never_taken").iter_rows(named=True)
                ),
                steps_added=tuple(
                    PracticeEdge(
                        s.activity(str(r["activity"])),
                        format_count(int(r["events"])),
                        share_text(r["case_share"], Counts(int(r["cases"]), n), s.lang),
                    )
                    for r in st.filter(pl.col("status") == "added").iter_rows(named=True)
                ),
                steps_never=tuple(
                    s.activity(str(r["activity"]))
                    for r in st.filter(pl.col("status") == "never_taken").iter_rows(named=True)
                ),
            )
        )
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Axis:
    """The common time axis of all units: the period boundaries, in order."""

    bounds: tuple[date, ...]

    @classmethod
    def of(cls, periods: pl.DataFrame) -> _Axis:
        starts = set(periods["period"].to_list()) | set(periods["period_end"].to_list())
        return cls(tuple(sorted(starts)))

    def frac(self, d: date) -> float:
        """Where ``d`` lies on the axis, 0 (first boundary) to 1 (last)."""
        b = self.bounds
        if len(b) < 2 or d <= b[0]:
            return 0.0
        if d >= b[-1]:
            return 1.0
        i = max(k for k in range(len(b) - 1) if b[k] <= d)
        within = (d - b[i]).days / max(1, (b[i + 1] - b[i]).days)
        return (i + within) / (len(b) - 1)

    def centre(self, start: date) -> float:
        """The middle of the period that starts at ``start``."""
        b = self.bounds
        i = b.index(start) if start in b else 0
        return (i + 0.5) / max(1, len(b) - 1)


def _f(v: float) -> str:
    return f"{v:.1f}"


def _svg(w: float, h: float, body: str, label: str, cls: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" role="img" '
        f'aria-label="{escape(label)}" width="{_f(w)}" height="{_f(h)}" viewBox="0 0 {_f(w)} '
        f'{_f(h)}" font-family="{_FONT}" font-size="10"><title>{escape(label)}</title>{body}</svg>'
    )


def _runs(points: Sequence[_Point]) -> list[list[_Point]]:
    """Consecutive shown points (a suppressed period breaks the line)."""
    runs: list[list[_Point]] = [[]]
    for p in points:
        if p.share is None:
            runs.append([])
        else:
            runs[-1].append(p)
    return [r for r in runs if r]


def _sparkline(points: Sequence[_Point], axis: _Axis, label: str) -> str:
    """A 90 × 20 line of the conforming share per period (suppressed periods left out)."""
    w, h, pad = 90.0, 20.0, 2.0
    parts = []
    for run in _runs(points):
        xy = [
            (pad + (w - 2 * pad) * axis.centre(p.start), h - pad - (h - 2 * pad) * (p.share or 0))
            for p in run
        ]
        if len(xy) > 1:
            d = "M" + "L".join(f"{_f(x)} {_f(y)}" for x, y in xy)
            parts.append(f'<path d="{d}" stroke="{_BAR}" stroke-width="1.3" fill="none"/>')
        x, y = xy[-1]
        parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="1.6" fill="{_BAR}"/>')
    return _svg(w, h, "".join(parts), label, "sparkline")


def _trend_svg(
    points: Sequence[_Point],
    changes: pl.DataFrame,
    marks: pl.DataFrame,
    axis: _Axis,
    s: Setting,
) -> str:
    """One unit's small multiple: 0–100 % grid, points with whiskers, changes, milestones."""
    w, h, left, top, right, bottom = 300.0, 150.0, 34.0, 12.0, 8.0, 22.0
    pw, ph = w - left - right, h - top - bottom

    def x(frac: float) -> float:
        return left + pw * frac

    def y(share: float) -> float:
        return top + ph * (1 - share)

    parts = []
    for k in (0, 50, 100):
        parts.append(
            f'<line x1="{_f(left)}" y1="{_f(y(k / 100))}" x2="{_f(w - right)}" '
            f'y2="{_f(y(k / 100))}" stroke="{_GRID}"/>'
            f'<text x="{_f(left - 4)}" y="{_f(y(k / 100) + 3)}" text-anchor="end" '
            f'fill="{_INK}">{k} %</text>'
        )
    b = axis.bounds
    for lab_at, anchor in ((b[0], "start"), (b[-2] if len(b) > 1 else b[0], "end")):
        parts.append(
            f'<text x="{_f(x(axis.frac(lab_at) if anchor == "start" else 1.0))}" '
            f'y="{_f(h - 6)}" text-anchor="{anchor}" fill="{_INK}">{lab_at.isoformat()[:7]}</text>'
        )
    parts.append(_changes_svg(changes, axis, x, y, s))
    parts.append(_marks_svg(marks, axis, x, top, top + ph))
    for run in _runs(points):
        xy = [(x(axis.centre(p.start)), y(p.share or 0)) for p in run]
        if len(xy) > 1:
            d = "M" + "L".join(f"{_f(a)} {_f(c)}" for a, c in xy)
            parts.append(f'<path d="{d}" stroke="{_BAR}" stroke-width="1.5" fill="none"/>')
        for p, (px, py) in zip(run, xy, strict=True):
            if p.low is not None and p.high is not None:
                parts.append(
                    f'<line x1="{_f(px)}" y1="{_f(y(p.low))}" x2="{_f(px)}" y2="{_f(y(p.high))}" '
                    f'stroke="{_BAR}" stroke-opacity="0.35" stroke-width="2"/>'
                )
            parts.append(f'<circle cx="{_f(px)}" cy="{_f(py)}" r="2.2" fill="{_BAR}"/>')
    if not any(p.share is not None for p in points):
        parts.append(
            f'<text x="{_f(left + pw / 2)}" y="{_f(top + ph / 2)}" text-anchor="middle" '
            f'font-style="italic" fill="{_INK}">{escape(TREND_LABELS[s.lang]["too_few"])}</text>'
        )
    return _svg(w, h, "".join(parts), TREND_LABELS[s.lang]["trends"], "chart trend")


def _changes_svg(changes: pl.DataFrame, axis: _Axis, x: Any, y: Any, s: Setting) -> str:
    """Dashed lines at the change points and the segments' shares (when they may be shown)."""
    if changes.is_empty():
        return ""
    parts = []
    rows = list(changes.sort("at").iter_rows(named=True))
    edges = [axis.bounds[0], *(r["at"] for r in rows), axis.bounds[-1]]
    for i, r in enumerate(rows):
        xc = x(axis.frac(r["at"]))
        parts.append(
            f'<line x1="{_f(xc)}" y1="{_f(y(1.0))}" x2="{_f(xc)}" y2="{_f(y(0.0))}" '
            f'stroke="{_CHANGE}" stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        for share, n, a, c in (
            (r["before"], r["before_cases"], edges[i], edges[i + 1]),
            (r["after"], r["after_cases"], edges[i + 1], edges[i + 2]),
        ):
            if Counts(round(share * n), n).share_hidden:
                continue
            parts.append(
                f'<line x1="{_f(x(axis.frac(a)))}" y1="{_f(y(share))}" '
                f'x2="{_f(x(axis.frac(c)))}" y2="{_f(y(share))}" stroke="{_CHANGE}" '
                'stroke-opacity="0.7" stroke-width="1.2"/>'
            )
    return "".join(parts)


def _marks_svg(marks: pl.DataFrame, axis: _Axis, x: Any, y_top: float, y_bottom: float) -> str:
    """Dotted lines at the milestones, labelled."""
    if marks.is_empty():
        return ""
    parts = []
    for r in marks.sort("date").iter_rows(named=True):
        xm = x(axis.frac(r["date"]))
        parts.append(
            f'<line x1="{_f(xm)}" y1="{_f(y_top)}" x2="{_f(xm)}" y2="{_f(y_bottom)}" '
            f'stroke="{_MILESTONE}" stroke-width="1.5" stroke-dasharray="1.5 2.5"/>'
            f'<text x="{_f(xm + 3)}" y="{_f(y_top + 9)}" fill="{_MILESTONE}">'
            f"{escape(str(r['milestone']))}</text>"
        )
    return "".join(parts)
