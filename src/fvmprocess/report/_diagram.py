"""Workshop diagrams: the standard process, optionally with one unit's deviations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fvmprocess.errors import RenderError
from fvmprocess._shared.privacy import redact

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel

__all__ = ["WORKSHOP_FONT_SIZE", "render_diagram"]

#: Label size for projection in a workshop (diagram pixels).
WORKSHOP_FONT_SIZE = 16.0
_TITLE = {"sv": "Standardprocess", "en": "Standard process"}
_ALL = {"sv": "alla enheter", "en": "all units"}


def _resolve(source: Any) -> tuple[BpmnModel, Any, str]:
    """(model, result or None, process name) from a result, model, process, path or id."""
    from fvmprocess.bpmn.model import BpmnModel

    if hasattr(source, "cases") and hasattr(source, "activities"):
        if source.model is None:
            raise RenderError("the result has no process model to draw (was it read from JSON?)")
        name = source.process.get("name_sv") or source.process.get("id") or ""
        return source.model, source, str(name)
    if isinstance(source, BpmnModel):
        proc = source.processes[0] if source.processes else None
        return source, None, str((proc.name if proc else None) or source.name or "")
    if hasattr(source, "model") and hasattr(source, "metadata"):
        md = source.metadata
        return source.model, None, str(getattr(md.name, "sv", None) or md.id)
    if isinstance(source, str | Path):
        p = Path(source)
        if p.suffix.lower() in (".bpmn", ".xml") or p.exists():
            from fvmprocess.bpmn.reader import read_bpmn

            return _resolve(read_bpmn(p))
        from fvmprocess.catalog import catalog

        return _resolve(catalog()[str(source)])
    raise TypeError(
        "render_diagram needs a ConformanceResult, BpmnModel, StandardProcess, .bpmn path or "
        f"catalogue id, not {type(source).__name__}"
    )


def render_diagram(
    source: Any,
    path: str | Path,
    *,
    unit: str | None = None,
    lang: Literal["sv", "en"] = "sv",
    scale: float = 1.5,
    font_size: float = WORKSHOP_FONT_SIZE,
    title: str | None = None,
) -> Path:
    """Draw the standard process for a workshop (SVG, PNG or PDF by the suffix).

    With a :class:`~fvmprocess.conformance.ConformanceResult` the deviations are painted
    over the diagram (all units, or ``unit``) with a legend; with a model, process, ``.bpmn``
    path or catalogue id the plain standard is drawn. Labels are large (``font_size``), the
    title names the process (and unit), and identity numbers are redacted.

    Args:
        source: a result, :class:`~fvmprocess.bpmn.model.BpmnModel`, ``StandardProcess``,
            ``.bpmn`` path or catalogue id.
        path: the output file (``.svg``, ``.png`` or ``.pdf``).
        unit: one unit's deviations (results only).
        lang: ``"sv"`` or ``"en"`` for the title, notes and legend.
        scale: size factor of the output.
        font_size: label size in diagram pixels.
        title: overrides the generated title.

    Returns:
        The path written.

    Raises:
        RenderError: unknown suffix, a result without a model, or drawing failed.
        ValueError: ``unit`` given without a result, or a unit not in the result.

    Example:
        >>> render_diagram(result, "akut_boras.png", unit="Akuten Borås")  # doctest: +SKIP
    """
    if lang not in _TITLE:
        raise ValueError(f"lang is {lang!r}; expected 'sv' or 'en'")
    model, result, name = _resolve(source)
    overlay = None
    if result is not None:
        from fvmprocess.overlay import deviation_overlay

        overlay = deviation_overlay(result, unit=unit, lang=lang, redact=lambda s: redact(s, lang))
        if lang == "en":
            name = str(result.process.get("name_en") or name)
    elif unit is not None:
        raise ValueError("unit= needs a ConformanceResult to take the deviations from")
    if title is None:
        title = f"{_TITLE[lang]}: {name}" if name else _TITLE[lang]
        if result is not None:
            title += f" – {unit if unit is not None else _ALL[lang]}"
    title = redact(title, lang)
    out = Path(path)
    suffix = out.suffix.lower()
    from fvmprocess.bpmn.draw import render, to_svg

    if suffix == ".svg":
        svg = to_svg(model, overlay=overlay, scale=scale, font_size=font_size, title=title)
        try:
            out.write_text(redact(svg, lang), encoding="utf-8")
        except OSError as e:
            raise RenderError(f"cannot write the file ({e.strerror})", source=str(out)) from e
        return out
    return render(model, out, overlay=overlay, scale=scale, font_size=font_size, title=title)
