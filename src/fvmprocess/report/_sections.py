"""The sections of a comparison document: one frozen dataclass and one builder each.

Every builder reads the public attributes of a
:class:`~fvmprocess.conformance.ConformanceResult` and returns texts ready for the templates:
redacted, formatted, and with the small-count rule of :mod:`fvmprocess._shared.privacy`
applied (:mod:`fvmprocess.report._format`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import polars as pl
from markupsafe import Markup

from fvmprocess._shared.labels import Lang
from fvmprocess._shared.privacy import MIN_CELL, SMALL, SUPPRESSED, format_count, redact
from fvmprocess.report._charts import BarRow, ranking_chart
from fvmprocess.report._format import (
    Counts,
    interval_text,
    mean_interval_text,
    mean_text,
    number_text,
    share_text,
)
from fvmprocess.report._text import KIND_LABELS, LABELS, MOVE_LABELS

if TYPE_CHECKING:
    from fvmprocess.conformance import ConformanceResult

__all__ = [
    "COMPACT_FROM",
    "AccountingSection",
    "CountRow",
    "KindCount",
    "MethodsSection",
    "MoveCell",
    "ProcessHeader",
    "RankingSection",
    "Setting",
    "SummarySection",
    "UnitChoice",
    "UnitRow",
    "VariantRow",
    "accounting_section",
    "chosen_units",
    "methods_section",
    "process_header",
    "ranking_section",
    "sorted_units",
    "summary_section",
    "unit_rows",
    "unit_sections",
    "variant_rows",
]

#: Unit rows as the result holds them (one dict per row of ``result.units``), in rank order.
UnitData = list[dict[str, Any]]
#: Which units a document shows in full (with diagrams; the rows a PDF prints): unit names, the
#: N best and N worst ranked (an int), or None for all of up to 12 units, else the 5 best and 5
#: worst.
UnitChoice = Sequence[str] | int | None
_ALL_UP_TO = 12
#: From this many units on, charts are drawn compact (one thin row per unit, no dots).
COMPACT_FROM = 12
_TOP_BOTTOM = 5


@dataclass(frozen=True, slots=True)
class Setting:
    """What every section builder needs besides the result: language, texts, names.

    Attributes:
        lang: the document language.
        t: the fixed texts (:data:`~fvmprocess.report._text.LABELS`).
        kinds: deviation kind -> label.
        names: activity id -> display name (already redacted).
    """

    lang: Lang
    t: Mapping[str, str]
    kinds: Mapping[str, str]
    names: Mapping[str, str]

    @classmethod
    def of(cls, result: ConformanceResult, lang: Lang) -> Setting:
        """The setting for ``result`` in ``lang``."""
        names = {
            aid: redact(n.get(lang) or n.get("sv") or aid, lang)
            for aid, n in result.activity_names.items()
        }
        return cls(lang=lang, t=LABELS[lang], kinds=KIND_LABELS[lang], names=names)

    def red(self, text: str) -> str:
        """``text`` with identity numbers replaced."""
        return redact(text, self.lang)

    def activity(self, aid: str | None) -> str:
        """An activity's display name (``"–"`` for None)."""
        return "–" if aid is None else self.names.get(aid, self.red(aid))

    @property
    def all_units_label(self) -> str:
        """How the row of all units is labelled."""
        return self.t["all_units"]

    def unit(self, unit: str) -> str:
        """A unit's display name (``"*"`` is all units)."""
        return self.t["all_units"] if unit == "*" else self.red(unit)


# -- header and summary ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProcessHeader:
    """The process a document is about."""

    name: str
    id: str
    version: str


def process_header(
    result: ConformanceResult, s: Setting, *, title: str | None = None
) -> ProcessHeader:
    """Title, id and version of the checked process.

    The title is ``title``, else the process name (in the document's language), else the file
    name of an external model — never an id a modelling tool generated.
    """
    p = result.process
    name = title or p.title(s.lang) or s.t["untitled"]
    return ProcessHeader(name=s.red(name), id=s.red(p.id or "–"), version=s.red(p.version or "–"))


def log_period(result: ConformanceResult) -> str:
    """First and last event date of the log (``"–"`` when unknown)."""
    return " – ".join(str(p)[:10] for p in result.log_period if p) or "–"


@dataclass(frozen=True, slots=True)
class KindCount:
    """Deviations of one kind."""

    kind: str
    count: str


@dataclass(frozen=True, slots=True)
class SummarySection:
    """Headline figures for all units."""

    cases: str
    units: str
    variants: str
    conforming_share: str
    mean_fitness: str
    deviations: tuple[KindCount, ...]
    #: One sentence on the cases whose alignment is bounded, not exact ("" when all exact).
    exactness: str = ""


def _exactness_text(sm: dict[str, Any], lang: str) -> str:
    """How many cases are bounded rather than exact, and by how much (``""``: none)."""
    bounded = sm.get("bounded_cases")
    if not bounded:
        return ""
    share = 1.0 - float(sm["exact_share"])
    n, mean, top = format_count(bounded), f"{sm['gap_mean']:.1f}", f"{sm['gap_max']:g}"
    if lang == "sv":
        return (
            f"{n} fall ({100 * share:.1f} %) kunde inte beräknas exakt inom tids- och "
            f"minnesbudgeten: deras avvikelsekostnad är en övre gräns, i genomsnitt {mean} "
            f"(högst {top}) över den bevisade undre gränsen."
        )
    return (
        f"{n} cases ({100 * share:.1f} %) could not be aligned exactly within the time and "
        f"memory budget: their deviation cost is an upper bound, on average {mean} (at most "
        f"{top}) above the proven lower bound."
    )


def summary_section(result: ConformanceResult, s: Setting) -> SummarySection:
    """Cases, units, variants, conforming share, mean fitness and deviations by kind."""
    sm = result.summary()
    counts = Counts(sm["conforming"], sm["cases"])
    return SummarySection(
        cases=format_count(sm["cases"]),
        units=str(sm["units"]),
        variants=str(sm["variants"]),
        conforming_share=share_text(sm["conforming_share"], counts, s.lang),
        mean_fitness=mean_text(sm["mean_fitness"], counts, s.lang),
        deviations=tuple(
            KindCount(s.kinds.get(k, k), format_count(v))
            for k, v in sorted(sm["deviations"].items())
        ),
        exactness=_exactness_text(sm, s.lang),
    )


# -- units and ranking -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit's figures (and, in the unit sections, its diagram)."""

    anchor: str
    rank: int | None
    unit: str
    cases: str
    conforming_share: str
    conforming_interval: str
    mean_fitness: str
    fitness_interval: str
    deviations: str
    time_limit_compliance: str
    svg: Markup = field(default_factory=Markup)


def sorted_units(result: ConformanceResult) -> UnitData:
    """The unit table's rows by rank (then name)."""
    return list(result.units.sort(["rank", "unit"], nulls_last=True).iter_rows(named=True))


def _pooled_limit_counts(result: ConformanceResult) -> dict[str, tuple[int, int]]:
    """Per unit: (within, evaluated) over all its time limits (the compliance's counts)."""
    tl = result.time_limits
    if not tl.height:
        return {}
    pooled = (
        tl.filter(pl.col("unit") != "*")
        .group_by("unit")
        .agg(pl.col("within").sum(), pl.col("evaluated").sum())
    )
    return {str(u): (int(w or 0), int(e or 0)) for u, w, e in pooled.iter_rows()}


def unit_rows(result: ConformanceResult, units: UnitData, s: Setting) -> tuple[UnitRow, ...]:
    """The ranking table: one row per unit with shares, means and intervals."""
    pooled = _pooled_limit_counts(result)
    rows = []
    for i, u in enumerate(units):
        n = int(u["cases"])
        conf = Counts(int(u["conforming"]), n)
        within, evaluated = pooled.get(str(u["unit"]), (0, 0))
        tl = Counts(within, evaluated, extra=(n,))
        rows.append(
            UnitRow(
                anchor=f"enhet-{i + 1}",
                rank=u["rank"],
                unit=s.red(str(u["unit"])),
                cases=format_count(n),
                conforming_share=share_text(u["conforming_share"], conf, s.lang),
                conforming_interval=interval_text(
                    u["conforming_share_low"], u["conforming_share_high"], conf, s.lang
                ),
                mean_fitness=mean_text(u["mean_fitness"], conf, s.lang),
                fitness_interval=mean_interval_text(
                    u["mean_fitness_low"], u["mean_fitness_high"], conf, s.lang
                ),
                deviations=format_count(u["deviations"]),
                time_limit_compliance=share_text(u.get("time_limit_compliance"), tl, s.lang),
            )
        )
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class RankingSection:
    """The ranking chart and table."""

    rows: tuple[UnitRow, ...]
    svg: Markup


def ranking_section(units: UnitData, rows: Sequence[UnitRow], s: Setting) -> RankingSection:
    """Bars of the conforming share with Wilson whiskers (none for suppressed units)."""
    bars = []
    for u, row in zip(units, rows, strict=True):
        hidden = Counts(int(u["conforming"]), int(u["cases"])).share_hidden
        bars.append(
            BarRow(
                row.unit,
                None if hidden else u["conforming_share"],
                None if hidden else u["conforming_share_low"],
                None if hidden else u["conforming_share_high"],
                f"{row.conforming_share} (n={row.cases})",
            )
        )
    compact = len(bars) > COMPACT_FROM
    chart = ranking_chart(bars, title=s.t["ranking"], compact=compact)
    svg = Markup(s.red(chart)) if bars else Markup("")
    return RankingSection(rows=tuple(rows), svg=svg)


def chosen_units(units: UnitData, choice: UnitChoice) -> list[str]:
    """The units shown in full, in rank order (see :data:`UnitChoice`).

    Raises:
        ValueError: a named unit is not in the result, or a negative number.
    """
    names = [str(u["unit"]) for u in units]
    if choice is None:
        if len(names) <= _ALL_UP_TO:
            return names
        choice = _TOP_BOTTOM
    if isinstance(choice, int):
        if choice < 0:
            raise ValueError(f"units is {choice}; expected a number ≥ 0 or unit names")
        keep = set(names[:choice]) | set(names[len(names) - choice :] if choice else [])
        return [n for n in names if n in keep]
    missing = sorted(set(choice) - set(names))
    if missing:
        raise ValueError(f"units not in the result: {', '.join(missing)}")
    wanted = set(choice)
    return [n for n in names if n in wanted]


def unit_sections(
    units: UnitData,
    rows: Sequence[UnitRow],
    diagram: Callable[[str], str | None],
    chosen: Sequence[str],
) -> tuple[UnitRow, ...]:
    """The chosen units' rows, each with its diagram (the standard with the unit's deviations)."""
    keep = set(chosen)
    return tuple(
        replace(row, svg=Markup(diagram(str(u["unit"])) or ""))
        for u, row in zip(units, rows, strict=True)
        if str(u["unit"]) in keep
    )


# -- variants ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MoveCell:
    """One alignment move of a variant."""

    kind: str
    label: str
    sign: str
    title: str


@dataclass(frozen=True, slots=True)
class VariantRow:
    """One of the most frequent variants, move by move."""

    rank: int
    cases: str
    share: str
    fitness: str
    moves: tuple[MoveCell, ...]


_SIGNS = {"sync": "✓", "log": "+", "model": "−"}


def _moves(moves: Sequence[Mapping[str, Any]], s: Setting) -> tuple[MoveCell, ...]:
    out = []
    for m in moves:
        kind = str(m["kind"])
        act = m["log"] if kind in ("sync", "log") else m["model"]
        out.append(
            MoveCell(
                kind=kind,
                label=s.activity(act),
                sign=_SIGNS.get(kind, "?"),
                title=MOVE_LABELS[s.lang].get(kind, kind),
            )
        )
    return tuple(out)


def variant_rows(result: ConformanceResult, s: Setting, *, top: int) -> tuple[VariantRow, ...]:
    """The ``top`` most frequent variants with their share of all cases."""
    total = result.cases.height
    best = result.variants.sort(["cases", "variant"], descending=[True, False]).head(top)
    return tuple(
        VariantRow(
            rank=i + 1,
            cases=format_count(row["cases"]),
            share=share_text(
                row["cases"] / total if total else None, Counts(row["cases"], total), s.lang
            ),
            fitness=number_text(row["fitness"], s.lang),
            moves=_moves(row["moves"] or [], s),
        )
        for i, row in enumerate(best.iter_rows(named=True))
    )


# -- methods and accounting --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MethodsSection:
    """What the methods text states about the small-count rule."""

    min_cell: int
    small: str
    suppressed: str


def methods_section() -> MethodsSection:
    """The small-count rule's figures, from :mod:`fvmprocess._shared.privacy`."""
    return MethodsSection(min_cell=MIN_CELL, small=SMALL, suppressed=SUPPRESSED)


@dataclass(frozen=True, slots=True)
class CountRow:
    """A label and a count (rejection reasons, warnings, unmapped activities)."""

    label: str
    count: str


@dataclass(frozen=True, slots=True)
class AccountingSection:
    """What happened to the log's rows, and the activities outside the standard."""

    rows_read: str
    rows_used: str
    rows_rejected: str
    reasons: tuple[CountRow, ...]
    warnings: tuple[CountRow, ...]
    unmapped: tuple[CountRow, ...]


def _count_rows(counts: Mapping[str, int], s: Setting) -> tuple[CountRow, ...]:
    return tuple(CountRow(s.red(k), format_count(v)) for k, v in sorted(counts.items()))


def accounting_section(result: ConformanceResult, s: Setting) -> AccountingSection:
    """Rows read, used and rejected (with reasons), warnings and unmapped activities."""
    acc = result.accounting
    return AccountingSection(
        rows_read=format_count(acc.rows_read),
        rows_used=format_count(acc.rows_used),
        rows_rejected=format_count(acc.rows_rejected),
        reasons=_count_rows(acc.reasons, s),
        warnings=_count_rows(acc.warnings, s),
        unmapped=_count_rows(result.unmapped, s),
    )
