"""Notebook views of data objects: what ``_repr_svg_`` and ``_repr_html_`` show in Jupyter.

Data objects (:class:`~fvmprocess.bpmn.model.BpmnModel`,
:class:`~fvmprocess.conformance.ConformanceResult`) do not import the renderer; their
notebook hooks import this module lazily and delegate to it (the one exception to the import
rule, ``docs/architecture.md``). Internal: not part of the public API.
"""

from __future__ import annotations

import logging
from html import escape
from typing import TYPE_CHECKING

from fvmprocess._shared.privacy import format_count, redact
from fvmprocess.render.overlay import fmt_share

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.conformance import ConformanceResult

__all__ = ["model_svg", "result_html"]

_log = logging.getLogger(__name__)


def model_svg(model: BpmnModel) -> str:
    """The model's first diagram as SVG (laid out automatically when it has no DI)."""
    from fvmprocess.render.svg import to_svg

    return to_svg(model)


def result_html(result: ConformanceResult) -> str:
    """A result's headline figures, the unit ranking and the deviation overlay as HTML.

    Follows the documents' privacy rules: no case ids, small counts as ``"<5"``, and every
    text passed through :func:`fvmprocess._shared.privacy.redact`.
    """
    s = result.summary()
    rows = "".join(
        f"<tr><td>{r['rank']}</td><td>{escape(redact(str(r['unit'])))}</td>"
        f"<td>{escape(format_count(r['cases']))}</td><td>{_pct(r['conforming_share'])}</td>"
        f"<td>{r['mean_fitness']:.3f}</td></tr>"
        for r in result.units.iter_rows(named=True)
    )
    title = redact(result.process.name("sv"))
    return (
        f"<div><h4>{escape(title)}</h4>"
        f"<p>{escape(format_count(s['cases']))} cases, {s['variants']} variants, conforming "
        f"{_pct(s['conforming_share'])}, mean fitness {s['mean_fitness']}</p>"
        "<table><tr><th>#</th><th>Unit</th><th>Cases</th><th>Conforming</th>"
        f"<th>Fitness</th></tr>{rows}</table>{_overlay_svg(result)}</div>"
    )


def _pct(v: float | None) -> str:
    return fmt_share(v, "en")


def _overlay_svg(result: ConformanceResult) -> str:
    """The standard with the result's deviations, or nothing (a summary must not fail)."""
    if result.model is None:
        return ""
    from fvmprocess.render.export import render_diagram

    try:
        return render_diagram(result.model, result=result)
    except Exception:  # a notebook summary must not fail on drawing
        _log.warning("could not draw the deviation overlay", exc_info=True)
        return ""
