"""Small inline SVG charts for the comparison documents (deterministic, no scripts)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from fvmprocess._shared.labels import Lang

__all__ = ["BarRow", "StripRow", "axis_ticks", "ranking_chart", "tick_text", "time_limit_chart"]

_FONT = "DejaVu Sans, Arial, sans-serif"
_BAR = "#0072b2"
_INK = "#222222"
_GRID = "#d9d9d9"
_LIMIT = "#d55e00"


def _f(v: float) -> str:
    return f"{v:.1f}"


def axis_ticks(top: float, *, most: int = 6) -> tuple[float, list[float]]:
    """Round tick values from 0 covering ``top`` (steps of 1, 2, 2.5 or 5 × 10^k, at most
    ``most`` intervals), and the axis end (the last tick).

    Example:
        >>> axis_ticks(283.3)
        (300.0, [0.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0])
    """
    if top <= 0:
        return 1.0, [0.0, 1.0]
    raw = top / most
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step - 1e-9)
    return n * step, [k * step for k in range(n + 1)]


def tick_text(v: float, lang: Lang) -> str:
    """A tick label: no decimals for whole numbers, else one, with the language's decimal
    mark (``"2,5"`` in Swedish)."""
    s = f"{v:.0f}" if abs(v - round(v)) < 1e-9 else f"{v:.1f}"
    return s.replace(".", ",") if lang == "sv" else s


def _svg(width: float, height: float, body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{escape(label)}" width="{_f(width)}" height="{_f(height)}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" font-family="{_FONT}" font-size="12">'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def _text(x: float, y: float, s: str, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" fill="{_INK}"{extra}>'
        f"{escape(s)}</text>"
    )


@dataclass(frozen=True, slots=True)
class BarRow:
    """One bar: a label, a share in [0, 1], its interval and the text printed beside it."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    text: str


def ranking_chart(
    rows: Sequence[BarRow], *, title: str, label_width: float = 200.0, compact: bool = False
) -> str:
    """Horizontal bars (0–100 %) with interval whiskers, one row per unit, in the given order
    (``compact``: 13 px rows, for many units)."""
    row_h, top, plot_w, right = (13.0 if compact else 26.0), 24.0, 360.0, 110.0
    width = label_width + plot_w + right
    height = top + row_h * len(rows) + 24.0
    x0 = label_width
    parts: list[str] = []
    for k in range(0, 11, 2):
        x = x0 + plot_w * k / 10
        parts.append(
            f'<line x1="{_f(x)}" y1="{_f(top - 4)}" x2="{_f(x)}" '
            f'y2="{_f(top + row_h * len(rows))}" stroke="{_GRID}"/>'
        )
        parts.append(_text(x, top - 8, f"{k * 10} %", "middle", ' font-size="10"'))
    for i, r in enumerate(rows):
        y = top + i * row_h
        label = r.label if len(r.label) <= 30 else r.label[:29] + "…"
        small = ' font-size="10"' if compact else ""
        base = y + row_h / 2 + (3.5 if compact else 4)
        parts.append(_text(x0 - 8, base, label, "end", small))
        pad, tick = (2.0, 4.0) if compact else (5.0, 6.0)
        if r.value is not None and r.value == r.value:
            w = plot_w * max(0.0, min(1.0, r.value))
            parts.append(
                f'<rect x="{_f(x0)}" y="{_f(y + pad)}" width="{_f(w)}" '
                f'height="{_f(row_h - 2 * pad)}" fill="{_BAR}" fill-opacity="0.75"/>'
            )
        if r.low is not None and r.high is not None and r.low == r.low and r.high == r.high:
            xl, xh, ym = x0 + plot_w * r.low, x0 + plot_w * r.high, y + row_h / 2
            parts.append(
                f'<path d="M{_f(xl)} {_f(ym)}H{_f(xh)}M{_f(xl)} {_f(ym - tick)}V{_f(ym + tick)}'
                f'M{_f(xh)} {_f(ym - tick)}V{_f(ym + tick)}" stroke="{_INK}" stroke-width="1.5" '
                'fill="none"/>'
            )
        parts.append(_text(x0 + plot_w + 8, base, r.text, "start", small))
    return _svg(width, height, "".join(parts), title)


@dataclass(frozen=True, slots=True)
class StripRow:
    """One unit's durations (seconds) for a time-limit chart.

    ``note`` replaces the box plot and the dots; with ``dots=False`` only the box plot is
    drawn (the individual durations would show a suppressed count).
    """

    label: str
    durations: Sequence[float]
    text: str
    note: str | None = None
    dots: bool = True


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    n = len(sorted_values)
    pos = q * (n - 1)
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@dataclass(frozen=True, slots=True)
class _Frame:
    """The plot area of a time-limit chart: where a duration (seconds) is drawn."""

    x0: float
    top: float
    plot_w: float
    row_h: float
    rows: int
    vmax: float

    @property
    def bottom(self) -> float:
        return self.top + self.row_h * self.rows

    def x(self, v: float) -> float:
        """The x position of a duration (clipped to the axis)."""
        return self.x0 + self.plot_w * min(1.0, max(0.0, v / self.vmax))


def time_limit_chart(
    rows: Sequence[StripRow],
    *,
    limit_s: float,
    unit_s: float,
    unit_label: str,
    limit_label: str,
    title: str,
    label_width: float = 200.0,
    compact: bool = False,
    lang: Lang = "sv",
) -> str:
    """Per unit a box plot (quartiles, whiskers 5–95 %) and a strip of durations, with the limit.

    The axis runs from 0 to the larger of twice the limit and the 95th percentile of all
    durations, rounded up to a round tick in ``unit_s`` (ticks with ``lang``'s decimal mark);
    longer durations are drawn at the right edge as open markers. ``compact`` (for
    many units): 13 px rows and the box plots only, so the chart's size does not grow with the
    number of cases.
    """
    row_h, top, plot_w, right = (13.0 if compact else 34.0), 28.0, 380.0, 150.0
    alls = sorted(d for r in rows for d in r.durations)
    p95 = _quantile(alls, 0.95) if alls else 0.0
    end, ticks = axis_ticks(max(limit_s * 2, p95, 1.0) / unit_s)
    frame = _Frame(label_width, top, plot_w, row_h, len(rows), end * unit_s)
    parts = [_axis(frame, ticks, unit_label, lang), _limit_line(frame, limit_s, limit_label)]
    for i, r in enumerate(rows):
        ym = frame.top + i * row_h + row_h / 2
        parts.append(_strip(frame, r, ym, limit_s, compact=compact))
    width = label_width + plot_w + right
    return _svg(width, frame.bottom + 30.0, "".join(parts), title)


def _axis(f: _Frame, ticks: Sequence[float], unit_label: str, lang: Lang) -> str:
    """Grid lines, tick labels (in the axis unit) and the axis label."""
    parts = []
    end = ticks[-1]
    for v in ticks:
        x = f.x0 + f.plot_w * v / end
        parts.append(
            f'<line x1="{_f(x)}" y1="{_f(f.top - 4)}" x2="{_f(x)}" y2="{_f(f.bottom)}" '
            f'stroke="{_GRID}"/>'
        )
        parts.append(_text(x, f.bottom + 14, tick_text(v, lang), "middle", ' font-size="10"'))
    parts.append(_text(f.x0 + f.plot_w / 2, f.bottom + 27, unit_label, "middle", ' font-size="10"'))
    return "".join(parts)


def _limit_line(f: _Frame, limit_s: float, label: str) -> str:
    """The dashed line at the limit, labelled."""
    xl = f.x0 + f.plot_w * min(1.0, limit_s / f.vmax)
    return (
        f'<line x1="{_f(xl)}" y1="{_f(f.top - 10)}" x2="{_f(xl)}" y2="{_f(f.bottom)}" '
        f'stroke="{_LIMIT}" stroke-width="2" stroke-dasharray="6 3"/>'
        + _text(xl + 4, f.top - 12, label, "start", f' font-size="10" fill="{_LIMIT}"')
    )


def _strip(f: _Frame, r: StripRow, ym: float, limit_s: float, *, compact: bool = False) -> str:
    """One unit: label, text, and a box plot with dots (or the note)."""
    label = r.label if len(r.label) <= 30 else r.label[:29] + "…"
    small, base = (' font-size="10"', ym + 3.5) if compact else ("", ym + 4)
    parts = [
        _text(f.x0 - 8, base, label, "end", small),
        _text(f.x0 + f.plot_w + 8, base, r.text, "start", small),
    ]
    ds = sorted(r.durations)
    if r.note is not None or not ds:
        italic = f' font-style="italic"{small}'
        parts.append(_text(f.x0 + 6, base, r.note or "–", "start", italic))
        return "".join(parts)
    q05, q25, q50, q75, q95 = (f.x(_quantile(ds, q)) for q in (0.05, 0.25, 0.5, 0.75, 0.95))
    h = 4.0 if compact else 8.0
    parts.append(
        f'<path d="M{_f(q05)} {_f(ym)}H{_f(q25)}M{_f(q75)} {_f(ym)}'
        f'H{_f(q95)}" stroke="{_INK}" fill="none"/>'
        f'<rect x="{_f(q25)}" y="{_f(ym - h)}" width="{_f(q75 - q25)}" '
        f'height="{_f(2 * h)}" fill="{_BAR}" fill-opacity="0.25" stroke="{_BAR}"/>'
        f'<line x1="{_f(q50)}" y1="{_f(ym - h)}" x2="{_f(q50)}" y2="{_f(ym + h)}" '
        f'stroke="{_BAR}" stroke-width="2.5"/>'
    )
    if r.dots and not compact:
        parts.append(_dots(ds, ym, f, limit_s))
    return "".join(parts)


def _dots(ds: Sequence[float], ym: float, f: _Frame, limit_s: float) -> str:
    """The individual durations as jittered dots (open markers beyond the axis)."""
    dots = []
    for j, d in enumerate(ds):
        jitter = ((j * 7) % 11 - 5) * 1.0
        over = d > f.vmax
        dots.append(
            f'<circle cx="{_f(f.x(d))}" cy="{_f(ym + jitter)}" r="1.8" '
            + (
                f'fill="none" stroke="{_LIMIT}"/>'
                if over
                else f'fill="{_LIMIT if d > limit_s else _INK}" fill-opacity="0.55"/>'
            )
        )
    return "".join(dots)
