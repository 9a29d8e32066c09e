"""Everything the templates see: :class:`ReportContext`, built section by section.

:func:`build_context` only wires the stages of :mod:`~fvmprocess.report._sections`,
:mod:`~fvmprocess.report._heatmap` and :mod:`~fvmprocess.report._limits`; a last pass
redacts every text once more (the first redaction happens before any layout).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from fvmprocess._shared.labels import Lang
from fvmprocess._shared.privacy import redact
from fvmprocess.report._heatmap import HeatmapSection, heatmap
from fvmprocess.report._limits import TimeLimitSection, time_limit_sections
from fvmprocess.report._picker import PickerSection, picker_section
from fvmprocess.report._practice import PracticeSection, practice_section
from fvmprocess.report._sections import (
    AccountingSection,
    MethodsSection,
    ProcessHeader,
    RankingSection,
    Setting,
    SummarySection,
    UnitChoice,
    UnitRow,
    VariantRow,
    accounting_section,
    chosen_units,
    log_period,
    methods_section,
    process_header,
    ranking_section,
    sorted_units,
    summary_section,
    unit_rows,
    unit_sections,
    variant_rows,
)
from fvmprocess.report._text import MOVE_LABELS
from fvmprocess.report._trends import TrendsSection, trends_section

if TYPE_CHECKING:
    from fvmprocess.conformance import ConformanceResult

__all__ = ["ContextOptions", "ReportContext", "build_context"]

#: Draws the standard diagram for one unit (or all units with None), as SVG text.
DiagramFn = Callable[[str | None], str | None]


@dataclass(frozen=True, slots=True)
class ContextOptions:
    """What the context depends on besides the result (from ``ReportOptions``).

    Attributes:
        lang: the document language.
        generated: the generation time to print, or None.
        top_variants: how many variants are shown move by move.
        units: the units shown in full (:data:`~fvmprocess.report._sections.UnitChoice`).
        title: the document's title (None: the process name, else the model's file name).
        pair_variants: how many of the most frequent variants *unit vs unit* compares.
    """

    lang: Lang
    generated: str | None
    top_variants: int
    units: UnitChoice = None
    title: str | None = None
    pair_variants: int = 20


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Everything the templates see, already redacted and formatted.

    Each field is one top-level template name (:meth:`template_vars`).
    """

    lang: Lang
    t: Mapping[str, str]
    kinds: Mapping[str, str]
    moves_legend: Mapping[str, str]
    process: ProcessHeader
    period: str
    generated: str | None
    summary: SummarySection
    ranking: RankingSection
    heatmap: HeatmapSection
    standard_svg: Markup
    units: tuple[UnitRow, ...]
    chosen: frozenset[str]
    unit_count: int
    picker: PickerSection
    limits: tuple[TimeLimitSection, ...]
    variants: tuple[VariantRow, ...]
    methods: MethodsSection
    accounting: AccountingSection
    trends: TrendsSection = field(default_factory=TrendsSection)
    practice: PracticeSection = field(default_factory=PracticeSection)

    def template_vars(self) -> dict[str, Any]:
        """The fields as template variables (not converted: sections keep their attributes)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def svg_files(self) -> dict[str, str]:
        """The SVGs the Markdown document links to (file name -> SVG text)."""
        files: dict[str, str] = {}
        if self.standard_svg:
            files["standard.svg"] = str(self.standard_svg)
        for u in self.units:
            if u.svg:
                files[f"{u.anchor}.svg"] = str(u.svg)
        if self.ranking.svg:
            files["ranking.svg"] = str(self.ranking.svg)
        for lim in self.limits:
            files[f"{lim.anchor}.svg"] = str(lim.svg)
        for unit, name in self.practice.file_names.items():
            files[name] = str(self.practice.drawings[unit])
        return files


def build_context(
    result: ConformanceResult, options: ContextOptions, diagram: DiagramFn
) -> ReportContext:
    """The context of one document: the sections in reading order, then a redaction pass."""
    s = Setting.of(result, options.lang)
    units = sorted_units(result)
    unit_names = [str(u["unit"]) for u in units]
    rows = unit_rows(result, units, s)
    chosen = chosen_units(units, options.units)
    heat = heatmap(result, unit_names, s)
    limits = time_limit_sections(result, unit_names, s)
    ctx = ReportContext(
        lang=options.lang,
        t=s.t,
        kinds=s.kinds,
        moves_legend=MOVE_LABELS[options.lang],
        process=process_header(result, s, title=options.title),
        period=log_period(result),
        generated=options.generated,
        summary=summary_section(result, s),
        ranking=ranking_section(units, rows, s),
        heatmap=heat,
        standard_svg=Markup(diagram(None) or ""),
        units=unit_sections(units, rows, diagram, chosen),
        chosen=frozenset({s.all_units_label, *(s.unit(u) for u in chosen)}),
        unit_count=len(units),
        picker=picker_section(
            result, units, rows, heat, limits, s, top_variants=options.pair_variants
        ),
        limits=limits,
        variants=variant_rows(result, s, top=options.top_variants),
        methods=methods_section(),
        accounting=accounting_section(result, s),
        trends=trends_section(result, unit_names, s),
        practice=practice_section(result, chosen, s),
    )
    redacted: ReportContext = _redacted(ctx, options.lang)
    return redacted


def _redacted(value: Any, lang: str) -> Any:
    """``value`` with :func:`redact` applied to every text in it (dataclasses included)."""
    if isinstance(value, Markup):
        return Markup(redact(str(value), lang))
    if isinstance(value, str):
        return redact(value, lang)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _redacted(getattr(value, f.name), lang) for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple | list):
        return type(value)(_redacted(v, lang) for v in value)
    if isinstance(value, Mapping):
        return {_redacted(k, lang): _redacted(v, lang) for k, v in value.items()}
    return value
