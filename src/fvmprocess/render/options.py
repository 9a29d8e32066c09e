"""Drawing options: one frozen object instead of a keyword list repeated in every signature."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from fvmprocess._shared.labels import Lang
from fvmprocess.errors import RenderError

__all__ = ["DEFAULT_FONT_SIZE", "WORKSHOP_SCALE", "DrawOptions", "LayoutMode"]

#: ``"auto"``: always lay the model out anew; ``"di"``: draw its DI as it is.
LayoutMode = Literal["auto", "di"]

#: Label size in diagram pixels at bpmn-js's 100 × 80 tasks (BPMN DI is sized for ~11 px text).
DEFAULT_FONT_SIZE = 11.0
#: How much the workshop preset enlarges the drawing (shapes and text alike).
WORKSHOP_SCALE = 2.0


@dataclass(frozen=True, slots=True)
class DrawOptions:
    """How a diagram is drawn; immutable, :meth:`update` returns a changed copy.

    Attributes:
        diagram: index of the ``BPMNDiagram`` to draw (files may hold several).
        scale: multiplies the output's width and height (the viewBox stays in DI units).
        font_size: label size in diagram pixels; None follows the diagram: the size its DI
            is drawn for (:data:`DEFAULT_FONT_SIZE` at 100 × 80 tasks, scaled with them).
        dpi: PNG resolution (96: one pixel per DI unit at scale 1; 192 for sharp slides).
        title: a heading above the diagram: a text, True for one naming the process (and
            unit), False for none.
        legend: ``(colour, text)`` entries of a legend box; empty keeps the overlay's legend.
        lang: ``"sv"`` or ``"en"`` for the generated title, notes and legend.
        flows: with a result, draw flow widths and counts from directly-follows counts.
        min_note_cases: with a result, activities outside the standard are noted where they
            occur in at least this many cases (rarer ones stay in the report's tables).
        layout: ``"auto"`` lays the model out anew, ``"di"`` draws the file's DI as it is;
            None (default) draws the DI unless it is missing or unusable (shapes stacked or
            overlapping, :func:`fvmprocess.bpmn.layout.unusable_di`), which is laid out
            automatically with a note on the drawing and a warning.

    Raises:
        RenderError: a size is not positive, ``lang`` is not ``"sv"``/``"en"`` or
            ``layout`` is not ``"auto"``/``"di"``/None.

    Example:
        >>> opts = DrawOptions.workshop().update(scale=1.0)
        >>> opts.font_size, opts.scale, opts.title
        (None, 1.0, True)
    """

    diagram: int = 0
    scale: float = 1.0
    font_size: float | None = None
    dpi: float = 96.0
    title: str | bool = False
    legend: tuple[tuple[str, str], ...] = ()
    lang: Lang = "sv"
    flows: bool = True
    min_note_cases: int = 5
    layout: LayoutMode | None = None

    def __post_init__(self) -> None:
        if self.scale <= 0 or self.dpi <= 0 or (self.font_size is not None and self.font_size <= 0):
            raise RenderError(
                "scale, dpi and font_size must be positive "
                f"(got scale={self.scale}, dpi={self.dpi}, font_size={self.font_size})"
            )
        if self.lang not in ("sv", "en"):
            raise RenderError(f"lang is {self.lang!r}; expected 'sv' or 'en'")
        if self.layout not in (None, "auto", "di"):
            raise RenderError(f"layout is {self.layout!r}; expected 'auto', 'di' or None")
        object.__setattr__(self, "legend", tuple((str(c), str(t)) for c, t in self.legend))

    @classmethod
    def workshop(cls) -> DrawOptions:
        """The preset for projection in a workshop: the whole drawing enlarged (shapes and the
        text sized for them, not only the text), with a title."""
        return cls(scale=WORKSHOP_SCALE, title=True)

    def update(self, **changes: Any) -> DrawOptions:
        """A copy with the given fields changed (``DrawOptions().update(scale=2)``).

        Raises:
            TypeError: a name that is not a field.
            RenderError: a changed value is invalid.
        """
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise TypeError(f"DrawOptions has no option(s) {', '.join(sorted(unknown))}")
        return replace(self, **changes)
