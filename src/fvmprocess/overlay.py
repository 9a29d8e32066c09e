"""Conformance results painted over the standard diagram (a :class:`~fvmprocess.bpmn.draw.Overlay`).

:func:`deviation_overlay` turns a :class:`~fvmprocess.conformance.ConformanceResult` (all units,
or one unit) into an overlay for :func:`fvmprocess.bpmn.draw.to_svg`:

* **tasks** are filled by their skip rate on a colour-blind-safe sequential palette
  (ColorBrewer *Oranges*) on a fixed scale from 0 % to :data:`SKIP_SCALE_MAX` (so diagrams of
  different units can be compared side by side);
* **badges** show the skip share (``↷ 18 %``) and the late share (``◔ 12 %``) of the cases;
  counts below 5 are shown as ``<5`` instead of a share;
* **notes** mark inserted, repeated, moved and unknown activities near the task the log was at
  when they occurred (the preceding event of the case, found from the variant's alignment);
* **flows** get widths and labels from directly-follows counts: each pair of consecutive
  activities of a variant (weighted by its cases) is mapped onto the sequence flows of the
  path from the first task to the second through gateways and events (shortest such path;
  best effort — pairs without a path through non-task nodes are not drawn);
* a **legend** in Swedish or English.

Example:
    >>> from fvmprocess.bpmn.draw import to_svg  # doctest: +SKIP
    >>> svg = to_svg(result.model, overlay=deviation_overlay(result, unit="Akuten Borås"))  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from fvmprocess.bpmn.draw import Overlay, heat_colour

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.conformance import ConformanceResult

__all__ = [
    "SKIP_SCALE_MAX",
    "deviation_overlay",
    "directly_follows_flows",
    "fmt_count",
    "fmt_share",
]

#: The skip rate drawn with the darkest colour (rates above are clipped).
SKIP_SCALE_MAX = 0.5
#: Counts from 1 to this value minus one are shown as ``"<5"``.
SUPPRESS_BELOW = 5
_PALETTE = "oranges"
_NOTE_COLOURS = {
    "inserted": "#d55e00",
    "repeated": "#0072b2",
    "moved": "#cc79a7",
    "unknown_activity": "#7a5195",
}
_LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "skip": "hoppas över",
        "late": "sen (tidsgräns överskriden)",
        "inserted": "infogad",
        "repeated": "upprepad",
        "moved": "flyttad",
        "unknown_activity": "okänd aktivitet",
        "cases": "fall",
        "legend_low": "Hoppas sällan över (0 %)",
        "legend_high": "Hoppas ofta över (≥ {p})",
        "legend_badge": "Märke: ↷ andel överhoppade, ◔ andel sena",
        "legend_note": "Ruta: aktivitet utanför standarden (minst 5 fall)",
        "legend_flow": "Pilbredd: antal övergångar",
        "of": "av",
    },
    "en": {
        "skip": "skipped",
        "late": "late (time limit exceeded)",
        "inserted": "inserted",
        "repeated": "repeated",
        "moved": "moved",
        "unknown_activity": "unknown activity",
        "cases": "cases",
        "legend_low": "Rarely skipped (0 %)",
        "legend_high": "Often skipped (≥ {p})",
        "legend_badge": "Badge: ↷ share skipped, ◔ share late",
        "legend_note": "Box: activity outside the standard (5 cases or more)",
        "legend_flow": "Arrow width: number of transitions",
        "of": "of",
    },
}


def fmt_count(n: int | float | None) -> str:
    """A count for a document: ``"<5"`` for 1–4 (small-number suppression), ``"–"`` for None."""
    if n is None:
        return "–"
    k = int(n)
    return "<5" if 0 < k < SUPPRESS_BELOW else str(k)


def fmt_share(v: float | None, lang: str = "sv", digits: int = 1) -> str:
    """A share as a percentage: ``"14,1 %"`` (sv) or ``"14.1 %"`` (en); ``"–"`` for None/NaN."""
    if v is None or v != v:  # NaN
        return "–"
    s = f"{100 * v:.{digits}f}"
    if lang == "sv":
        s = s.replace(".", ",")
    return f"{s} %"


def _check_lang(lang: str) -> None:
    if lang not in _LABELS:
        raise ValueError(f"lang is {lang!r}; expected 'sv' or 'en'")


def _names(result: ConformanceResult, lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for aid, names in result.activity_names.items():
        out[aid] = names.get(lang) or names.get("sv") or aid
    return out


def _variant_counts(result: ConformanceResult, unit: str | None) -> dict[int, int]:
    import polars as pl

    cases = result.cases
    if unit is not None:
        cases = cases.filter(pl.col("unit") == unit)
    return {
        int(v): int(n)
        for v, n in cases.group_by("variant").len().sort("variant").iter_rows()
        if v is not None
    }


def directly_follows_flows(
    model: BpmnModel, pairs: Mapping[tuple[str, str], int]
) -> dict[str, int]:
    """Map directly-follows counts of task pairs onto the model's sequence flows.

    For each pair ``(a, b)`` the shortest path of sequence flows from task ``a`` to task ``b``
    that passes only through non-task nodes (gateways, events) is found, and the pair's count
    is added to every flow on it. Pairs without such a path (e.g. a deviation jumping over a
    task) are ignored. This is best effort: with parallel branches a count lands on the flows
    of the interleaving that was logged, not on the branch structure.

    Args:
        model: the standard's BPMN model.
        pairs: ``(from_task_id, to_task_id) -> count``.

    Returns:
        flow id -> summed count, sorted by flow id.
    """
    out_flows: dict[str, list[tuple[str, str]]] = {}
    for f in sorted(model.flows.values(), key=lambda f: f.id):
        out_flows.setdefault(f.source, []).append((f.id, f.target))
    nodes = model.nodes
    totals: dict[str, int] = {}
    for (a, b), n in sorted(pairs.items()):
        if a not in nodes or b not in nodes:
            continue
        path = _path(a, b, out_flows, nodes)
        for fid in path:
            totals[fid] = totals.get(fid, 0) + n
    return dict(sorted(totals.items()))


def _path(
    a: str, b: str, out_flows: Mapping[str, list[tuple[str, str]]], nodes: Mapping[str, Any]
) -> list[str]:
    queue: deque[tuple[str, list[str]]] = deque([(a, [])])
    seen = {a}
    while queue:
        node, path = queue.popleft()
        for fid, tgt in out_flows.get(node, []):
            if tgt == b:
                return [*path, fid]
            if tgt in seen or tgt not in nodes or nodes[tgt].is_activity:
                continue
            seen.add(tgt)
            queue.append((tgt, [*path, fid]))
    return []


def deviation_overlay(
    result: ConformanceResult,
    *,
    unit: str | None = None,
    lang: Literal["sv", "en"] = "sv",
    flows: bool = True,
    redact: Any = None,
    min_note_cases: int = 5,
) -> Overlay:
    """An overlay of a result's deviations for the standard diagram.

    Args:
        result: the conformance result (its ``model`` is used for flows; without a model the
            element styles are still set by activity id).
        unit: one unit's deviations, or None for all units.
        lang: ``"sv"`` or ``"en"`` for notes, tooltips and the legend.
        flows: draw flow widths and labels from directly-follows counts.
        redact: a function applied to every text put on the overlay (the report passes
            :func:`fvmprocess.report.redact`); None keeps texts as they are.
        min_note_cases: activities outside the standard are noted on the diagram only where
            they occur in at least this many cases (one note per element and kind, listing the
            activities); rarer ones stay in the report's tables, so the diagram stays readable.

    Returns:
        The :class:`~fvmprocess.bpmn.draw.Overlay`.

    Raises:
        ValueError: an unknown ``lang`` or a unit that is not in the result.

    Example:
        >>> ov = deviation_overlay(result, unit="Akuten NÄL", lang="en")  # doctest: +SKIP
    """
    import polars as pl

    _check_lang(lang)
    t = _LABELS[lang]
    red = redact if redact is not None else (lambda s: s)
    key = "*" if unit is None else unit
    if unit is not None and unit not in set(result.cases["unit"].to_list()):
        raise ValueError(f"unit {unit!r} is not in the result")
    names = _names(result, lang)
    acts = result.activities.filter(pl.col("unit") == key)
    ov = Overlay()
    model = result.model
    task_ids = {n.id for n in model.nodes.values() if n.is_activity} if model is not None else None
    for row in acts.sort("activity").iter_rows(named=True):
        aid = row["activity"]
        if not row.get("in_model", True) or (task_ids is not None and aid not in task_ids):
            continue
        n = int(row["cases"] or 0)
        skipped = int(row.get("skipped") or 0)
        late = int(row.get("late") or 0)
        rate = skipped / n if n else 0.0
        fill = heat_colour(rate, 0.0, SKIP_SCALE_MAX, _PALETTE)
        badges = []
        if skipped:
            badges.append("↷ " + _badge_value(skipped, n, lang))
        if late:
            badges.append("◔ " + _badge_value(late, n, lang))
        tip = (
            f"{red(names.get(aid, aid))}: {t['skip']} {fmt_count(skipped)} {t['of']} "
            f"{fmt_count(n)} {t['cases']}" + (f"; {t['late']} {fmt_count(late)}" if late else "")
        )
        ov = ov.with_element(
            aid,
            fill=fill,
            badge=" ".join(badges) or None,
            badge_colour="#7f2704" if skipped else "#5a646f",
            tooltip=tip,
        )
    # notes for activities outside the standard, placed at the preceding task
    counts = _variant_counts(result, unit)
    notes: dict[tuple[str, str, str], int] = {}
    pairs: dict[tuple[str, str], int] = {}
    first_task = _first_task(model)
    labels = set(
        result.activities.filter(pl.col("in_model"))["activity"].to_list()
        if "in_model" in result.activities.columns
        else result.activity_names
    )
    for row in result.variants.sort("variant").iter_rows(named=True):
        vid = int(row["variant"])
        n = counts.get(vid, 0)
        if not n:
            continue
        seq = list(row["activities"] or [])
        for a, b in itertools.pairwise(seq):
            pairs[(a, b)] = pairs.get((a, b), 0) + n
        for kind, act, anchor in _log_side_deviations(row.get("moves") or [], seq, labels):
            where = anchor if anchor is not None else first_task
            if where is None or (task_ids is not None and where not in task_ids):
                where = first_task
            if where is None:
                continue
            notes[(where, kind, act)] = notes.get((where, kind, act), 0) + n
    grouped: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for (where, kind, act), n in notes.items():
        if n >= min_note_cases:
            grouped.setdefault((where, kind), []).append((n, act))
    for (where, kind), entries in sorted(grouped.items()):
        sign = {"repeated": "↻", "moved": "⇄"}.get(kind, "+")
        entries.sort(key=lambda e: (-e[0], e[1]))
        listed = ", ".join(f"{red(names.get(act, act))} ({fmt_count(n)})" for n, act in entries)
        ov = ov.add_note(
            where, f"{sign} {t[kind]}: {listed} {t['cases']}", _NOTE_COLOURS.get(kind, "#d55e00")
        )
    if flows and model is not None and pairs:
        per_flow = directly_follows_flows(model, pairs)
        top = max(per_flow.values(), default=0)
        for fid, n in per_flow.items():
            ov = ov.with_flow(
                fid,
                width=1.0 + 5.0 * n / top if top else 1.0,
                label=fmt_count(n),
                tooltip=f"{fmt_count(n)}",
            )
    legend: list[tuple[str, str]] = [
        (heat_colour(0.0, 0.0, 1.0, _PALETTE), t["legend_low"]),
        (
            heat_colour(1.0, 0.0, 1.0, _PALETTE),
            t["legend_high"].format(p=fmt_share(SKIP_SCALE_MAX, lang, 0)),
        ),
        ("#7f2704", t["legend_badge"]),
        (_NOTE_COLOURS["inserted"], t["legend_note"]),
    ]
    if flows and model is not None:
        legend.append(("#222222", t["legend_flow"]))
    return ov.with_legend(legend)


def _badge_value(k: int, n: int, lang: str) -> str:
    if 0 < k < SUPPRESS_BELOW:
        return "<5"
    return fmt_share(k / n if n else 0.0, lang, 0)


def _first_task(model: BpmnModel | None) -> str | None:
    if model is None:
        return None
    starts = sorted(n.id for n in model.nodes.values() if n.type == "startEvent")
    out = {f.source: f.target for f in sorted(model.flows.values(), key=lambda f: f.id)}
    for s in starts:
        cur: str | None = s
        for _ in range(len(model.nodes)):
            if cur is None:
                break
            node = model.nodes.get(cur)
            if node is not None and node.is_activity:
                return cur
            cur = out.get(cur)
    tasks = sorted(n.id for n in model.nodes.values() if n.is_activity)
    return tasks[0] if tasks else None


def _log_side_deviations(
    moves: Iterable[Mapping[str, Any]], seq: list[str], labels: set[str]
) -> list[tuple[str, str, str | None]]:
    """``(kind, activity, anchor)`` for each log move; anchor: the preceding logged activity.

    The kind follows :func:`fvmprocess.conformance._classify`'s rules (moved when the same
    activity also has a model move, repeated when it occurs more than once, unknown when it
    is not in ``labels``, the model's activities).
    """
    moves = list(moves)
    model_moves = [m.get("model") for m in moves if m.get("kind") == "model"]
    occurrences: dict[str, int] = {}
    for a in seq:
        occurrences[a] = occurrences.get(a, 0) + 1
    out: list[tuple[str, str, str | None]] = []
    pos = 0
    for m in moves:
        kind = m.get("kind")
        if kind not in ("sync", "log"):
            continue
        if kind == "log":
            act = str(m.get("log"))
            anchor = seq[pos - 1] if pos > 0 else None
            if act not in labels:
                k = "unknown_activity"
            elif act in model_moves:
                model_moves.remove(act)
                k = "moved"
            elif occurrences.get(act, 0) > 1:
                k = "repeated"
            else:
                k = "inserted"
            out.append((k, act, anchor))
        pos += 1
    return out
