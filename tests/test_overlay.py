"""deviation_overlay: fills by skip rate, badges, notes, flow widths, legend."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from fvmprocess._shared.privacy import format_count
from fvmprocess.bpmn.reader import read_bpmn
from fvmprocess.conformance import ConformanceResult
from fvmprocess.render.export import render_diagram
from fvmprocess.render.options import DrawOptions
from fvmprocess.render.overlay import (
    SKIP_SCALE_MAX,
    Overlay,
    deviation_overlay,
    directly_follows_flows,
    fmt_share,
    heat_colour,
    skip_scale_max,
)
from fvmprocess.render.svg import to_svg

_spec = importlib.util.spec_from_file_location(
    "_report_fixture", Path(__file__).with_name("test_report.py")
)
assert _spec is not None and _spec.loader is not None
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)


@pytest.fixture(scope="module")
def result() -> ConformanceResult:
    r: ConformanceResult = _mod.make_result()
    return r


def test_formatting_helpers() -> None:
    assert [format_count(n) for n in (0, 1, 4, 5, None)] == ["0", "<5", "<5", "5", "–"]
    assert fmt_share(0.141176) == "14,1 %" and fmt_share(0.141176, "en") == "14.1 %"
    assert fmt_share(None) == "–"


def test_tasks_coloured_by_skip_rate_with_badges(result: ConformanceResult) -> None:
    ov = deviation_overlay(result)
    triage = ov.elements["Task_Triage"]  # skipped in 15 of 85 cases, the most skipped task
    # the scale is fitted to the data: its top is 17.6 % rounded up to 20 %, shown in the legend
    assert triage.fill == heat_colour(15 / 85, 0.0, 0.2, "oranges")
    assert any("20 %" in text for _, text in ov.legend)
    assert skip_scale_max([0.01, 0.034]) == 0.05 and skip_scale_max([0.9]) == SKIP_SCALE_MAX
    assert triage.badge == "↷ 18 %"
    assert ov.elements["Task_Doc"].badge is not None and "◔" in ov.elements["Task_Doc"].badge
    assert ov.elements["Task_Reg"].badge is None
    assert ov.legend and "Hoppas" in ov.legend[0][1]
    assert "Never skipped" in deviation_overlay(result, lang="en").legend[0][1]


def test_small_counts_in_badges_and_notes(result: ConformanceResult) -> None:
    ov = deviation_overlay(result, unit="Liten enhet")  # 3 cases
    badges = [e.badge for e in ov.elements.values() if e.badge]
    assert badges and all("<5" in b for b in badges)
    notes = [n.text for n in deviation_overlay(result, min_note_cases=1).notes]
    assert any(t.startswith("+ okänd aktivitet: ") and "(<5)" in t for t in notes)
    assert any(t.startswith("↻ upprepad: Provtagning (27)") for t in notes)
    # by default, outside activities of fewer than 5 cases are left to the report's tables
    default = [n.text for n in deviation_overlay(result).notes]
    assert not any("(<5)" in t for t in default)
    assert any(t.startswith("↻ upprepad: Provtagning (27)") for t in default)


def test_notes_are_placed_at_the_preceding_task_and_redacted(result: ConformanceResult) -> None:
    ov = deviation_overlay(
        result, redact=lambda s: s.replace("121272-1212", "[dolt]"), min_note_cases=1
    )
    unknown = [n for n in ov.notes if "okänd" in n.text]
    assert unknown[0].near == "Task_Triage" and "Samtal [dolt]" in unknown[0].text


def test_flow_widths_from_directly_follows(result: ConformanceResult) -> None:
    ov = deviation_overlay(result)
    assert ov.flows["F2"].label == "85" and ov.flows["F2"].width == pytest.approx(6.0)
    assert ov.flows["F10"].label is not None and ov.flows["F11"].label is not None
    assert int(ov.flows["F10"].label) + int(ov.flows["F11"].label) == 85
    assert "F1" not in ov.flows  # start event -> first task is not a logged transition
    model = read_bpmn(_mod.BPMN)
    assert directly_follows_flows(model, {("Task_Reg", "Task_Triage"): 3}) == {"F2": 3, "F3": 3}
    assert directly_follows_flows(model, {("Task_Reg", "Task_Out"): 3}) == {}


def test_unit_overlay_and_svg(result: ConformanceResult) -> None:
    ov = deviation_overlay(result, unit="Akuten Borås")
    assert ov.elements["Task_Triage"].badge is None  # Borås never skips triage
    svg = to_svg(result.model, overlay=ov)  # type: ignore[arg-type]
    assert 'data-element-id="Task_Triage"' in svg
    with pytest.raises(ValueError, match="unit"):
        deviation_overlay(result, unit="Ingen sådan")
    with pytest.raises(ValueError, match="lang"):
        deviation_overlay(result, lang="de")  # type: ignore[arg-type]


def test_repr_html_uses_the_overlay(result: ConformanceResult) -> None:
    assert "<svg" in result._repr_html_()


def test_notes_never_overlap_each_other_or_shapes() -> None:
    from lxml import etree

    model = read_bpmn(_mod.BPMN)
    ov = Overlay()
    for node in [n for n in model.nodes.values() if n.is_task][:3]:
        for i in range(4):  # several notes per task, at neighbouring tasks
            ov = ov.add_note(node.id, f"+ infogad aktivitet nummer {i} med ett långt namn (12)")
    root = etree.fromstring(to_svg(model, overlay=ov).encode("utf-8"))
    boxes = [
        tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
        for r in root.iter("{*}rect")
        if r.get("class") == "bpmn-note-box"
    ]
    assert len(boxes) == 12

    def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return not (
            a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
        )

    assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    shapes = [
        (s.bounds.x, s.bounds.y, s.bounds.width, s.bounds.height)
        for s in model.diagrams[0].shapes
        if model.element_type(s.element) not in ("participant", "lane")
    ]
    assert not any(overlap(a, s) for a in boxes for s in shapes)


def test_render_diagram_with_a_result(result: ConformanceResult) -> None:
    model = result.model
    assert model is not None
    svg = render_diagram(model, result=result, unit="Akuten Borås", options=DrawOptions(title=True))
    assert "Processmodell: Akutmottagning (test) – Akuten Borås" in svg
    assert "Hoppas ofta över" in svg  # the legend
    # the model may come from elsewhere than the result (a result read from JSON has none)
    from dataclasses import replace

    bare = replace(result, model=None)
    assert render_diagram(model, result=bare, unit="Akuten Borås") == render_diagram(
        model, result=result, unit="Akuten Borås"
    )
    with pytest.raises(ValueError, match="not both"):
        render_diagram(model, result=result, overlay=Overlay())


def test_model_overlay_notes_are_placed_at_the_given_model(result: ConformanceResult) -> None:
    ov = deviation_overlay(result, model=result.model, min_note_cases=1)
    assert ov == deviation_overlay(result, min_note_cases=1)


# -- issue 13: overlays a workshop understands --------------------------------------------------
@pytest.fixture(scope="module")
def simulated() -> ConformanceResult:
    """A shipped process with every kind of deviation (simulated, fixed seed)."""
    from fvmprocess.conformance import check
    from fvmprocess.simulate import simulate_log

    log = simulate_log("akutmottagning", cases=300, units={"Akuten A": 0.4, "Akuten B": 0.1})
    return check("akutmottagning", log)


def test_notes_name_activities_never_ids(result: ConformanceResult) -> None:
    """Notes named the element id when the result had no name for it (before: "+ infogad:
    Activity_Inlaggning"); the model's name is used then."""
    from dataclasses import replace

    bare = replace(result, activity_names={})
    notes = [n.text for n in deviation_overlay(bare, min_note_cases=1).notes]
    assert any("Provtagning" in t for t in notes)
    assert not any("Task_" in t for t in notes)


def test_legend_lists_exactly_what_is_used(simulated: ConformanceResult) -> None:
    for unit in (None, "Akuten A", "Akuten B"):
        ov = deviation_overlay(simulated, unit=unit, min_note_cases=1)
        colours = {c for c, _ in ov.legend}
        texts = " ".join(t for _, t in ov.legend)
        assert {n.colour for n in ov.notes} <= colours
        badges = " ".join(e.badge or "" for e in ov.elements.values())
        assert ("↷" in badges) == ("↷" in texts) and ("◔" in badges) == ("◔" in texts)
        small = any("<5" in x for x in [badges, *(n.text for n in ov.notes)])
        assert small == ("<5: färre än 5 fall" in texts)
        assert ("Kant:" in texts) == any(e.stroke for e in ov.elements.values())
        assert "utanför standarden" not in texts  # repeated/inserted steps are in it


def test_moved_steps_are_marked_on_the_task(simulated: ConformanceResult) -> None:
    ov = deviation_overlay(simulated, min_note_cases=1)
    moved_notes = [n for n in ov.notes if n.text.startswith("⇄")]
    assert moved_notes, "the simulation injects moved steps"
    marked = {k for k, e in ov.elements.items() if e.stroke == "#cc79a7"}
    assert marked and all(
        simulated.model is not None and k in simulated.model.nodes for k in marked
    )


def test_unknown_activities_are_aggregated_over_positions() -> None:
    from fvmprocess.render.overlay import _aggregate_unknown

    notes = {
        ("a", "unknown_activity", "Samtal"): 2,
        ("b", "unknown_activity", "Samtal"): 3,
        ("c", "unknown_activity", "Samtal"): 2,
        ("a", "repeated", "Lab"): 4,
    }
    # 6 distinct cases (some have Samtal at two positions): over the 5-case threshold, noted
    # where most occur (b), with the case count, not the sum over positions (7)
    assert _aggregate_unknown(notes, {"Samtal": 6}) == {
        ("a", "repeated", "Lab"): 4,
        ("b", "unknown_activity", "Samtal"): 6,
    }


def test_unknown_activity_callouts_count_cases_not_events() -> None:
    """Issue 13.5: 'Leucocytes (1654) fall' in an 846-case log. Here every one of 6 cases has
    the unknown activity three times, at three positions: the note says 6, never 18."""
    from datetime import datetime, timedelta

    import polars as pl

    from fvmprocess.conformance import check
    from fvmprocess.eventlog import read_log

    rows = []
    for c in range(6):
        t = datetime(2025, 1, 1 + c, 8)
        for a in ("Activity_Registrering", "Labb", "Activity_Triage", "Labb", "Labb"):
            rows.append({"case": f"c{c}", "activity": a, "timestamp": t, "unit": "U"})
            t += timedelta(minutes=5)
    result = check("akutmottagning", read_log(pl.DataFrame(rows)))
    ov = deviation_overlay(result)
    texts = [n.text for n in ov.notes if "Labb" in n.text]
    assert texts and all("Labb (6)" in x for x in texts), texts


def test_flow_counts_sit_beside_their_flow_clear_of_labels(simulated: ConformanceResult) -> None:
    from lxml import etree

    from fvmprocess.render.text import text_width

    svg = render_diagram(simulated.model, result=simulated)  # type: ignore[arg-type]
    root = etree.fromstring(svg.encode("utf-8"))

    def boxes(cls: str) -> list[tuple[str, float, float, float, float]]:
        out = []
        for t in root.iter("{*}text"):
            if t.get("class") != cls:
                continue
            fs = float(t.get("font-size"))
            anchor = t.get("text-anchor")
            for s in t.iter("{*}tspan"):
                w = text_width(s.text or "", fs)
                x = float(s.get("x")) - (w / 2 if anchor == "middle" else 0)
                out.append((s.text or "", x, float(s.get("y")) - fs * 0.95, w, fs * 1.2))
        return out

    counts, labels = boxes("bpmn-flow-label"), boxes("bpmn-label")
    assert len(counts) >= 10

    def overlap(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
        return not (
            a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1] or a[2] + a[4] <= b[2] or b[2] + b[4] <= a[2]
        )

    hits = [(c[0], lab[0]) for c in counts for lab in labels if overlap(c, lab)]
    assert not hits
    hits = [(a[0], b[0]) for i, a in enumerate(counts) for b in counts[i + 1 :] if overlap(a, b)]
    assert not hits
