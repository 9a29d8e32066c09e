"""Drawing BPMN diagrams, with and without overlays (layer 6, ``docs/architecture.md``).

The front door is :func:`render_diagram` (re-exported as ``fvmprocess.render_diagram``) with
one :class:`DrawOptions`; the modules hold one concern each:

* :mod:`~fvmprocess.render.options` — :class:`DrawOptions`;
* :mod:`~fvmprocess.render.notation` — BPMN symbols, markers and icons;
* :mod:`~fvmprocess.render.text` — label layout: font, wrapping, text blocks;
* :mod:`~fvmprocess.render.svg` — the SVG document from DI (:func:`to_svg`, the engine);
* :mod:`~fvmprocess.render.overlay` — :class:`Overlay` and :func:`deviation_overlay`;
* :mod:`~fvmprocess.render.export` — :func:`render_diagram`, SVG to PNG/PDF;
* :mod:`~fvmprocess.render.practice` — :func:`render_practice`, a unit's practice drawn as a
  difference on the standard.

Names are imported on first use, so importing one module does not load the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_LAZY: dict[str, str] = {
    "DrawOptions": "fvmprocess.render.options",
    "ElementStyle": "fvmprocess.render.overlay",
    "FlowStyle": "fvmprocess.render.overlay",
    "Note": "fvmprocess.render.overlay",
    "Overlay": "fvmprocess.render.overlay",
    "PALETTES": "fvmprocess.render.overlay",
    "deviation_overlay": "fvmprocess.render.overlay",
    "heat_colour": "fvmprocess.render.overlay",
    "render_diagram": "fvmprocess.render.export",
    "render_practice": "fvmprocess.render.practice",
    "to_svg": "fvmprocess.render.svg",
}

__all__ = [
    "PALETTES",
    "DrawOptions",
    "ElementStyle",
    "FlowStyle",
    "Note",
    "Overlay",
    "deviation_overlay",
    "heat_colour",
    "render_diagram",
    "render_practice",
    "to_svg",
]

if TYPE_CHECKING:
    from fvmprocess.render.export import render_diagram
    from fvmprocess.render.options import DrawOptions
    from fvmprocess.render.overlay import (
        PALETTES,
        ElementStyle,
        FlowStyle,
        Note,
        Overlay,
        deviation_overlay,
        heat_colour,
    )
    from fvmprocess.render.practice import render_practice
    from fvmprocess.render.svg import to_svg


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fvmprocess.render' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
