"""SVG element writing: escaping, stable number formatting and tags (internal).

Every SVG byte fvmprocess writes goes through :func:`tag`, so the output is deterministic:
the same drawing gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["Attrs", "Point", "esc", "num", "point_list", "tag"]

#: Attributes of an SVG element; None leaves the attribute out.
Attrs = dict[str, str | float | None]
#: A point in diagram coordinates.
Point = tuple[float, float]

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(text: str) -> str:
    """``text`` escaped for XML text and attribute values (characters XML forbids dropped)."""
    text = _INVALID_XML.sub("", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def num(v: float) -> str:
    """Stable number formatting: at most two decimals, no trailing zeros, no ``-0``.

    Example:
        >>> num(1.0), num(2.345), num(-0.001)
        ('1', '2.35', '0')
    """
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def tag(name: str, attrs: Mapping[str, str | float | None], body: str | None = None) -> str:
    """An SVG element: ``<name a="…"/>`` or ``<name a="…">body</name>`` (body is not escaped)."""
    parts = [name]
    for k, v in attrs.items():
        if v is None:
            continue
        parts.append(f'{k}="{num(v) if isinstance(v, float | int) else esc(v)}"')
    head = " ".join(parts)
    return f"<{head}/>" if body is None else f"<{head}>{body}</{name}>"


def point_list(points: Iterable[Point]) -> str:
    """Points for a ``points`` attribute: ``"x1,y1 x2,y2 …"``."""
    return " ".join(f"{num(x)},{num(y)}" for x, y in points)
