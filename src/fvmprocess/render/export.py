"""The front door of drawing: any process (with a result's deviations) as SVG text or as an
SVG, PNG or PDF file; and the conversion of SVG to PNG and PDF.

PNG and PDF need cairosvg, an optional dependency (``pip install 'fvmprocess[render]'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fvmprocess._shared.labels import Lang
from fvmprocess._shared.optional import import_optional
from fvmprocess._shared.privacy import redact
from fvmprocess.errors import RenderError
from fvmprocess.process import resolve_process
from fvmprocess.render.options import DrawOptions
from fvmprocess.render.overlay import Overlay, deviation_overlay
from fvmprocess.render.svg import to_svg

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.conformance import ConformanceResult
    from fvmprocess.process import ProcessLike, ResolvedProcess

__all__ = ["FORMATS", "render_diagram", "svg_to_pdf", "svg_to_png", "write_diagram"]

#: The file suffixes :func:`render_diagram` writes.
FORMATS = (".svg", ".png", ".pdf")
_TITLE = {"sv": "Standardprocess", "en": "Standard process"}
_MODEL_TITLE = {"sv": "Processmodell", "en": "Process model"}
_ALL_UNITS = {"sv": "alla enheter", "en": "all units"}


def render_diagram(
    process: ProcessLike,
    path: str | Path | None = None,
    *,
    result: ConformanceResult | None = None,
    unit: str | None = None,
    overlay: Overlay | None = None,
    options: DrawOptions | None = None,
) -> str:
    """Draw a process as SVG, optionally painting a result's deviations; write it to a file.

    The one way to draw: the process is resolved like everywhere else (catalogue id, ``.bpmn``
    or ``.pnml`` path, :class:`~fvmprocess.bpmn.model.BpmnModel`, ``StandardProcess``); with
    ``result`` its deviations (all units, or ``unit``) are painted with a legend, with
    ``overlay`` anything else. Activity names are drawn in ``options.lang`` from the
    catalogue's labels (:attr:`~fvmprocess.process.ResolvedProcess.labels`) where it has
    them. Identity numbers are redacted from the drawing.

    Args:
        process: the process to draw.
        path: a ``.svg``, ``.png`` or ``.pdf`` file to write, or None to only return the SVG.
        result: a conformance result whose deviations are painted.
        unit: with ``result``: this unit's deviations only.
        overlay: an overlay of your own (instead of ``result``).
        options: how to draw (:class:`DrawOptions`; ``DrawOptions.workshop()`` for projection).

    Returns:
        The SVG document (at ``options.scale``; PNGs are rasterised from it at ``options.dpi``).

    Raises:
        RenderError: an unknown suffix, a diagram index that does not exist, or drawing or
            writing failed.
        ValueError: ``unit`` without ``result``, a unit not in the result, or both ``result``
            and ``overlay``.
        ImportError: PNG or PDF output without cairosvg installed.

    Example:
        >>> svg = render_diagram("akutmottagning")  # doctest: +SKIP
        >>> render_diagram("akutmottagning", "akut.png", result=res, unit="Akuten Borås",
        ...                options=DrawOptions.workshop())  # doctest: +SKIP
    """
    opts = options or DrawOptions()
    if path is not None:
        _suffix(Path(path))
    resolved = resolve_process(process)
    model = resolved.model
    if model is None:
        raise RenderError(
            "a Petri net has no diagram to draw; give its BPMN model", source=resolved.source
        )
    painted = _overlay(model, result, unit, overlay, opts)
    title = _title(
        _process_name(resolved, opts.lang), result, unit, opts, standard=resolved.kind == "standard"
    )
    names = {aid: text.get(opts.lang) for aid, text in resolved.labels.items()}
    drawn = to_svg(model, overlay=painted, options=opts.update(title=title), names=names)
    svg = redact(drawn, opts.lang)
    if path is not None:
        write_diagram(svg, path, dpi=opts.dpi, source=model.source)
    return svg


def _overlay(
    model: BpmnModel,
    result: ConformanceResult | None,
    unit: str | None,
    overlay: Overlay | None,
    opts: DrawOptions,
) -> Overlay | None:
    if result is None:
        if unit is not None:
            raise ValueError("unit= needs result= (a ConformanceResult) to take deviations from")
        return overlay
    if overlay is not None:
        raise ValueError("give result= or overlay=, not both")
    return deviation_overlay(
        result,
        model=model,
        unit=unit,
        lang=opts.lang,
        flows=opts.flows,
        redact=lambda s: redact(s, opts.lang),
        min_note_cases=opts.min_note_cases,
    )


def _process_name(resolved: ResolvedProcess, lang: Lang) -> str:
    """The process's name in ``lang``: the catalogue's, else the BPMN process's or definitions',
    else the file's name — never a generated id."""
    english = resolved.name_en if lang == "en" else None
    model_name = resolved.model.name if resolved.model is not None else None
    file_name = Path(resolved.source).stem if resolved.source and "<" not in resolved.source else ""
    return english or resolved.name or model_name or file_name


def _title(
    name: str,
    result: ConformanceResult | None,
    unit: str | None,
    opts: DrawOptions,
    *,
    standard: bool,
) -> str | bool:
    """The heading: the options' text, or for ``title=True`` one naming process and unit."""
    if opts.title is not True:
        return redact(opts.title, opts.lang) if isinstance(opts.title, str) else False
    lang = opts.lang
    kind = (_TITLE if standard else _MODEL_TITLE)[lang]
    title = f"{kind}: {name}" if name else kind
    if result is not None:
        title += f" – {unit if unit is not None else _ALL_UNITS[lang]}"
    return redact(title, lang)


# -- files -----------------------------------------------------------------------------------
def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise RenderError(
            f"cannot tell the output format from the suffix {path.suffix or '(none)'!r}; "
            f"expected one of {', '.join(FORMATS)}",
            source=str(path),
        )
    return suffix


def write_diagram(
    svg: str, path: str | Path, *, dpi: float = 96.0, source: str | None = None
) -> Path:
    """Write an SVG document as ``.svg``, ``.png`` (at ``dpi``) or ``.pdf``, by the suffix.

    Raises:
        RenderError: an unknown suffix, conversion failed, or the file cannot be written.
        ImportError: PNG or PDF without cairosvg installed.
    """
    out = Path(path)
    suffix = _suffix(out)
    if suffix == ".svg":
        data = svg.encode("utf-8")
    elif suffix == ".png":
        data = svg_to_png(svg, dpi=dpi, source=source)
    else:
        data = svg_to_pdf(svg, source=source)
    try:
        out.write_bytes(data)
    except OSError as e:
        raise RenderError(f"cannot write the file ({e.strerror})", source=str(out)) from e
    return out


def svg_to_png(svg: str, *, dpi: float = 96.0, source: str | None = None) -> bytes:
    """Rasterise an SVG document (96 dpi: one pixel per SVG pixel).

    Raises:
        RenderError: ``dpi`` is not positive, or cairosvg failed.
        ImportError: cairosvg is not installed.
    """
    if dpi <= 0:
        raise RenderError(f"dpi must be positive (got {dpi})", source=source)
    cairosvg = import_optional("cairosvg", extra="render", purpose="PNG output")
    try:
        data: bytes = cairosvg.svg2png(
            bytestring=svg.encode("utf-8"), scale=dpi / 96.0, unsafe=False
        )
    except Exception as e:  # cairosvg raises assorted errors
        raise RenderError(f"cairosvg could not render the PNG: {e}", source=source) from e
    return data


def svg_to_pdf(svg: str, *, source: str | None = None) -> bytes:
    """Convert an SVG document to a one-page vector PDF.

    Raises:
        RenderError: cairosvg failed.
        ImportError: cairosvg is not installed.
    """
    cairosvg = import_optional("cairosvg", extra="render", purpose="PDF output")
    try:
        data: bytes = cairosvg.svg2pdf(bytestring=svg.encode("utf-8"), unsafe=False)
    except Exception as e:  # cairosvg raises assorted errors
        raise RenderError(f"cairosvg could not render the PDF: {e}", source=source) from e
    return data
