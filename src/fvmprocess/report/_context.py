"""Everything the templates see: :class:`ReportContext`, built section by section.

:func:`build_context` only wires the stages of :mod:`~fvmprocess.report._sections`,
:mod:`~fvmprocess.report._heatmap` and :mod:`~fvmprocess.report._limits`; a last pass
redacts every text once more (the first redaction happens before any layout).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from fvmprocess._shared.labels import Lang
from fvmprocess._shared.privacy import redact
from fvmprocess.report._heatmap import HeatmapSection, heatmap
from fvmprocess.report._limits import TimeLimitSection, time_limit_sections
from fvmprocess.report._sections import (
    AccountingSection,
    MethodsSection,
    PairSection,
    ProcessHeader,
    RankingSection,
    Setting,
    SummarySection,
    UnitRow,
    VariantRow,
    accounting_section,
    log_period,
    methods_section,
    pair_sections,
    process_header,
    ranking_section,
    sorted_units,
    summary_section,
    unit_rows,
    unit_sections,
    variant_rows,
)
from fvmprocess.report._text import MOVE_LABELS

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
        max_pairs: most unit pairs in *unit vs unit*.
    """

    lang: Lang
    generated: str | None
    top_variants: int
    max_pairs: int


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
    pairs: tuple[PairSection, ...]
    limits: tuple[TimeLimitSection, ...]
    variants: tuple[VariantRow, ...]
    methods: MethodsSection
    accounting: AccountingSection

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
        return files


def build_context(
    result: ConformanceResult, options: ContextOptions, diagram: DiagramFn
) -> ReportContext:
    """The context of one document: the sections in reading order, then a redaction pass."""
    s = Setting.of(result, options.lang)
    units = sorted_units(result)
    unit_names = [str(u["unit"]) for u in units]
    rows = unit_rows(result, units, s)
    sections = unit_sections(units, rows, diagram)
    ctx = ReportContext(
        lang=options.lang,
        t=s.t,
        kinds=s.kinds,
        moves_legend=MOVE_LABELS[options.lang],
        process=process_header(result, s),
        period=log_period(result),
        generated=options.generated,
        summary=summary_section(result, s),
        ranking=ranking_section(units, rows, s),
        heatmap=heatmap(result, unit_names, s),
        standard_svg=Markup(diagram(None) or ""),
        units=sections,
        pairs=pair_sections(result, units, sections, s, max_pairs=options.max_pairs),
        limits=time_limit_sections(result, unit_names, s),
        variants=variant_rows(result, s, top=options.top_variants),
        methods=methods_section(),
        accounting=accounting_section(result, s),
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
