"""*Unit vs unit*: compact per-unit data embedded in the page, compared by a little script.

Any two units are compared in the browser from one JSON block (a few hundred bytes per unit),
instead of one pre-rendered section per pair (1 225 pairs for 50 units). Every value in the
block is what the rest of the document shows — texts already formatted with the small-count
rule — except the variant counts the script turns into shares: a unit's number of cases
(``n``) only when it is not small, and per variant only counts of at least
:data:`~fvmprocess._shared.privacy.MIN_CELL` (smaller ones as ``"<5"``). The script shows a
share only when both of its counts are numbers, so no share of a small count is computed.
No case identifier is in the block.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
from markupsafe import Markup

from fvmprocess._shared.privacy import SMALL, is_small
from fvmprocess.report._heatmap import HeatmapSection
from fvmprocess.report._limits import TimeLimitSection
from fvmprocess.report._sections import Setting, UnitData, UnitRow

if TYPE_CHECKING:
    from fvmprocess.conformance import ConformanceResult

__all__ = ["PickerSection", "picker_section"]

#: Texts the script needs (keys of :data:`~fvmprocess.report._text.LABELS`).
_SCRIPT_TEXTS = (
    "rank",
    "cases",
    "conforming_share",
    "interval",
    "mean_fitness",
    "time_limit_compliance",
    "deviations",
    "activity",
    "limit",
    "variant",
    "variant_diff",
    "no_variant_diff",
    "heatmap",
    "time_limits",
)


@dataclass(frozen=True, slots=True)
class PickerSection:
    """The unit picker: the units to choose from and the embedded data (JSON, script-safe)."""

    units: tuple[str, ...]
    data: Markup
    first: int
    second: int


def _count(n: int) -> int | str:
    """A count as the block holds it: the number, or ``"<5"`` when it is small."""
    return SMALL if is_small(n) else n


def _variant_counts(
    result: ConformanceResult, top: Sequence[int]
) -> dict[str, list[list[int | str]]]:
    """unit -> ``[variant index, count]`` for the region's ``top`` variants (counts ≥ 1)."""
    index = {v: i for i, v in enumerate(top)}
    counts = (
        result.cases.filter(pl.col("variant").is_in(list(top)))
        .group_by("unit", "variant")
        .len()
        .sort("unit", "variant")
    )
    out: dict[str, list[list[int | str]]] = {}
    for unit, variant, n in counts.iter_rows():
        out.setdefault(str(unit), []).append([index[int(variant)], _count(int(n))])
    return out


def _top_variants(result: ConformanceResult, top: int, s: Setting) -> tuple[list[int], list[str]]:
    """The ids and labels (activity names joined by arrows) of the most frequent variants."""
    best = result.variants.sort(["cases", "variant"], descending=[True, False]).head(top)
    ids = [int(v) for v in best["variant"].to_list()]
    labels = [
        " → ".join(s.activity(a) for a in acts or []) for acts in best["activities"].to_list()
    ]
    return ids, labels


def _script_json(data: Any) -> Markup:
    """JSON that cannot end its ``<script>`` element (``<`` written as ``\\u003c``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def picker_section(
    result: ConformanceResult,
    units: UnitData,
    rows: Sequence[UnitRow],
    heat: HeatmapSection,
    limits: Sequence[TimeLimitSection],
    s: Setting,
    *,
    top_variants: int,
) -> PickerSection:
    """The embedded data of every unit, in rank order (the heatmap's and the limits' texts)."""
    ids, labels = _top_variants(result, top_variants, s)
    per_unit = _variant_counts(result, ids)
    heat_rows = {r.unit: r for r in heat.rows}
    limit_rows = [{r.unit: r.share for r in lim.rows} for lim in limits]
    entries = []
    for u, row in zip(units, rows, strict=True):
        n = int(u["cases"])
        hr = heat_rows.get(row.unit)
        entries.append(
            {
                "name": row.unit,
                "rank": row.rank,
                "cases": row.cases,
                "n": None if is_small(n) else n,
                "share": row.conforming_share,
                "interval": row.conforming_interval,
                "fitness": row.mean_fitness,
                "limits": row.time_limit_compliance,
                "deviations": row.deviations,
                "heat": [[c.text, c.colour] for c in hr.cells] if hr else [],
                "limit_shares": [lr.get(row.unit, "–") for lr in limit_rows],
                "variants": per_unit.get(str(u["unit"]), []),
            }
        )
    data = {
        "lang": s.lang,
        "t": {k: s.t[k] for k in _SCRIPT_TEXTS},
        "small": SMALL,
        "columns": list(heat.columns),
        "limits": [lim.id for lim in limits],
        "variants": labels,
        "units": entries,
    }
    return PickerSection(
        units=tuple(row.unit for row in rows),
        data=_script_json(data),
        first=0,
        second=min(1, len(rows) - 1),
    )
