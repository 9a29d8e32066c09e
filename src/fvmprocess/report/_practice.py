"""The report's drawings of each unit's practice (``fvmprocess check --practice``).

The tables of the practice section (added and never-taken transitions, steps) are built with
the other analyses in :mod:`~fvmprocess.report._trends`; this module adds, per unit shown in
full, the practice drawn as a difference on the standard's diagram
(:func:`fvmprocess.render.practice.render_practice`). The drawing keeps the small-count rule
(``<5``) and names no case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup

from fvmprocess.render.options import DrawOptions
from fvmprocess.render.practice import render_practice

if TYPE_CHECKING:
    from fvmprocess.conformance import ConformanceResult
    from fvmprocess.report._sections import Setting

__all__ = ["PracticeSection", "practice_section"]


@dataclass(frozen=True, slots=True)
class PracticeSection:
    """The practice drawings of the units shown in full.

    Attributes:
        drawings: a unit's display name (as the practice tables name it) -> its SVG.
        file_names: a unit's display name -> the file its drawing is written to next to a
            Markdown document.
    """

    drawings: Mapping[str, Markup] = field(default_factory=dict)
    file_names: Mapping[str, str] = field(default_factory=dict)


def practice_section(
    result: ConformanceResult, chosen: Sequence[str], s: Setting
) -> PracticeSection:
    """One practice drawing per chosen unit that the result's practice analysis holds.

    Args:
        result: the checked result (``result.analyses.practice``; nothing without it or
            without the standard's model).
        chosen: the units shown in full, in rank order.
        s: the document's language and names.

    Returns:
        The :class:`PracticeSection` (empty without a practice analysis).
    """
    diff = result.analyses.practice
    if diff is None or result.model is None:
        return PracticeSection()
    have = {str(u) for u in diff.units["unit"].to_list()}
    opts = DrawOptions(lang=s.lang, title=False)
    drawings: dict[str, Markup] = {}
    files: dict[str, str] = {}
    for i, unit in enumerate(u for u in chosen if u in have):
        svg = render_practice(result.model, result, unit=unit, options=opts)
        drawings[s.unit(unit)] = Markup(svg)
        files[s.unit(unit)] = f"arbetssatt-{i + 1}.svg"
    return PracticeSection(drawings=drawings, file_names=files)
