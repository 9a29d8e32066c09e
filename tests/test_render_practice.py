"""A unit's practice drawn on the standard (``fvmprocess.render.practice``), the report's
practice drawings and ``fvmprocess render --practice``.

The log is simulated from the catalogue's ``akutmottagning`` with no injected deviations, then
a practice is planted, so every expectation is counted here from the log itself: unit P never
transfers a patient (its cases with *Överflyttning* are dropped) and 30 of its cases get an
extra *Röntgen på akuten* right after triage; unit Q gets *Tolkbokning* in 6 cases, 3 after
registration and 3 after triage (every way into it is a small count).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner
from lxml import etree

from fvmprocess.cli import main
from fvmprocess.conformance import ConformanceResult, check
from fvmprocess.eventlog import read_log
from fvmprocess.process import resolve_process
from fvmprocess.render import DrawOptions, render_practice
from fvmprocess.render.practice import practice_layout
from fvmprocess.report import ReportBuilder, ReportOptions
from fvmprocess.simulate import simulate_log

SVG = "{http://www.w3.org/2000/svg}"
OVER, TRIAGE, REG = (
    "Överflyttning till annan vårdgivare",
    "Triage enligt RETTS",
    "Ankomstregistrering",
)
XRAY, TOLK = "Röntgen på akuten", "Tolkbokning"


def _insert(frame: pl.DataFrame, cases: list[str], after: str, name: str) -> pl.DataFrame:
    extra = frame.filter(pl.col("case").is_in(cases) & (pl.col("activity") == after))
    extra = extra.with_columns(
        pl.lit(name).alias("activity"), pl.col("timestamp") + timedelta(seconds=30)
    )
    return pl.concat([frame, extra])


@pytest.fixture(scope="module")
def planted() -> pl.DataFrame:
    frame = simulate_log("akutmottagning", cases=200, units={"P": 0.0, "Q": 0.0}, seed=3)
    transferred = frame.filter((pl.col("unit") == "P") & (pl.col("activity") == OVER))["case"]
    frame = frame.filter(~pl.col("case").is_in(transferred.unique().to_list()))
    p_cases = frame.filter(pl.col("unit") == "P")["case"].unique(maintain_order=True).to_list()
    q_cases = frame.filter(pl.col("unit") == "Q")["case"].unique(maintain_order=True).to_list()
    frame = _insert(frame, p_cases[:30], TRIAGE, XRAY)
    frame = _insert(frame, q_cases[:3], REG, TOLK)
    frame = _insert(frame, q_cases[3:6], TRIAGE, TOLK)
    return frame.sort("case", "timestamp")


@pytest.fixture(scope="module")
def result(planted: pl.DataFrame) -> ConformanceResult:
    return check("akutmottagning", read_log(planted), practice=True)


def _pairs(frame: pl.DataFrame, unit: str) -> Counter[tuple[str, str]]:
    """Directly-follows counts of a unit, counted from the log (not by the code under test)."""
    out: Counter[tuple[str, str]] = Counter()
    for _, acts in frame.filter(pl.col("unit") == unit).group_by("case", maintain_order=True):
        seq = acts.sort("timestamp")["activity"].to_list()
        out.update(itertools.pairwise(seq))
    return out


def _text(el: etree._Element) -> str:
    return " ".join(" ".join(t.itertext()).strip() for t in el.iter(f"{SVG}text")).strip()


def _groups(svg: str) -> dict[str, etree._Element]:
    root = etree.fromstring(svg.encode())
    return {g.get("data-element-id"): g for g in root.iter(f"{SVG}g") if g.get("data-element-id")}


def _flow_label(g: etree._Element) -> str:
    texts = [t for t in g.iter(f"{SVG}text") if "bpmn-flow-label" in (t.get("class") or "")]
    return " ".join("".join(t.itertext()) for t in texts).strip()


def test_planted_added_step_and_never_taken_flows_with_their_frequencies(
    result: ConformanceResult, planted: pl.DataFrame
) -> None:
    svg = render_practice("akutmottagning", result, unit="P")
    groups = _groups(svg)
    pairs = _pairs(planted, "P")
    # the added step: one box named by its label, marked and counted
    steps = [g for k, g in groups.items() if k.startswith("fvm-practice-step")]
    assert len(steps) == 1
    text = _text(steps[0])
    assert "Röntgen" in text and "akuten" in text
    assert f"tillagt {pairs[(TRIAGE, XRAY)]}" in text and pairs[(TRIAGE, XRAY)] == 30
    # the added transitions: into it from triage (30) and out of it, as counted in the log
    added = {}
    for k, g in groups.items():
        if k.startswith("fvm-practice-flow"):
            title = g.find(f"{SVG}title").text
            added[title.split(":")[0]] = _flow_label(g)
    expected = {
        f"{a} → {b}": str(n) if n >= 5 else "<5" for (a, b), n in pairs.items() if XRAY in (a, b)
    }
    assert added == expected
    # never taken: exactly the two flows only a transfer runs along, grey and dashed, no count
    dashed = {
        k for k, g in groups.items()
        if (line := g.find(f"{SVG}polyline")) is not None and line.get("stroke-dasharray") == "6,4"
    }  # fmt: skip
    assert dashed == {"Flow_Vardniva_Overflyttning", "Flow_Overflyttning_VardnivaMerge"}
    assert all(_flow_label(groups[k]) == "" for k in dashed)
    assert 'fill="#ededed"' in etree.tostring(groups["Activity_Overflyttning"]).decode()
    # taken standard flows: the times the unit went that way
    p_cases = planted.filter(pl.col("unit") == "P")["case"].n_unique()
    assert _flow_label(groups["Flow_Ankomst_Registrering"]) == str(p_cases)
    assert _flow_label(groups["Flow_Triage_TriageFork"]) == str(p_cases - 30)
    assert "Tillagt av enheten" in svg and "aldrig tar" in svg


def _all_texts(svg: str) -> list[str]:
    root = etree.fromstring(svg.encode())
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("unit", ["P", "Q"])
def test_no_count_below_five_and_no_case_id(result: ConformanceResult, unit: str) -> None:
    svg = render_practice("akutmottagning", result, unit=unit)
    for text in _all_texts(svg):
        for number in re.findall(r"(?<![<\d,.])\d+(?![\d,.%])", text):
            assert not 0 < int(number) < 5, text
    assert "ED-2025" not in svg


def test_small_ways_into_an_added_step_are_drawn_as_less_than_five(
    result: ConformanceResult, planted: pl.DataFrame
) -> None:
    svg = render_practice("akutmottagning", result, unit="Q", options=DrawOptions(lang="en"))
    groups = _groups(svg)
    step = next(g for k, g in groups.items() if k.startswith("fvm-practice-step"))
    assert TOLK in _text(step) and "added 6" in _text(step)
    labels = [_flow_label(g) for k, g in groups.items() if k.startswith("fvm-practice-flow")]
    pairs = _pairs(planted, "Q")
    assert pairs[(REG, TOLK)] == 3 and pairs[(TRIAGE, TOLK)] == 3
    assert "<5" in labels  # its way in (3 cases) is drawn, as <5
    assert "&lt;5: fewer than 5 times" in svg and "Added by the unit" in svg


def test_added_elements_do_not_overlap_the_standards_shapes(result: ConformanceResult) -> None:
    model = resolve_process("akutmottagning").model
    assert model is not None
    diff = result.analyses.practice
    assert diff is not None
    for unit in ("P", "Q"):
        lay = practice_layout(model, diff, unit)
        shapes = {
            s.element: s.bounds
            for s in model.diagrams[0].shapes
            if s.element in model.nodes and not model.nodes[s.element].is_subprocess
        }
        assert lay.added_steps
        for box in lay.added_steps.values():
            hit = [k for k, b in shapes.items() if box.overlaps(b, margin=5)]
            assert not hit, (unit, box, hit)
        boxes = [*shapes.values(), *lay.added_steps.values()]
        for (src, tgt), points in lay.added_flows.items():
            ends = [
                b
                for b in (
                    shapes.get(src),
                    shapes.get(tgt),
                    lay.added_steps.get(src),
                    lay.added_steps.get(tgt),
                )
                if b
            ]
            for p, q in itertools.pairwise(points):
                assert p[0] == q[0] or p[1] == q[1]  # orthogonal
                for b in boxes:
                    if b in ends:
                        continue
                    assert not _crosses(p, q, b), (unit, src, tgt, b)


def _crosses(p: tuple[float, float], q: tuple[float, float], b: object) -> bool:
    n = 50
    for i in range(n + 1):
        x = p[0] + (q[0] - p[0]) * i / n
        y = p[1] + (q[1] - p[1]) * i / n
        if b.x < x < b.right and b.y < y < b.bottom:  # type: ignore[attr-defined]
            return True
    return False


def test_report_has_the_practice_drawing_of_every_unit(result: ConformanceResult) -> None:
    b = ReportBuilder(result, ReportOptions(generated=False))
    html = b.html()
    section = html[html.index('<section id="arbetssatt">') :]
    section = section[: section.index("</section>")]
    assert section.count('<figure class="practice-drawing">') == 2
    assert section.count("Tillagt av enheten") >= 2
    assert "ED-2025" not in html
    md, _ = b.markdown("files")
    assert "files/arbetssatt-1.svg" in md and "files/arbetssatt-2.svg" in md
    ctx = b.context()
    assert {"arbetssatt-1.svg", "arbetssatt-2.svg"} <= set(ctx.svg_files())


def test_report_without_practice_has_no_drawing(planted: pl.DataFrame) -> None:
    r = check("akutmottagning", read_log(planted.head(200)))
    assert "practice-drawing" not in ReportBuilder(r, ReportOptions(generated=False)).html()
    with pytest.raises(ValueError, match="practice=True"):
        render_practice("akutmottagning", r, unit="P")


def test_cli_render_practice_from_a_log(planted: pl.DataFrame, tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    planted.write_csv(log)
    out = tmp_path / "p.svg"
    run = CliRunner().invoke(
        main, ["render", "akutmottagning", "--log", str(log), "--practice", "P", "-o", str(out)]
    )
    assert run.exit_code == 0, run.output
    svg = out.read_text(encoding="utf-8")
    assert "arbetssätt i P" in svg and "tillagt 30" in svg
    bad = CliRunner().invoke(
        main, ["render", "akutmottagning", "--log", str(log), "--practice", "Nej", "-o", str(out)]
    )
    assert bad.exit_code == 2 and "not in the practice analysis" in bad.output


def _measure() -> object:
    import importlib.util
    import sys

    path = Path(__file__).resolve().parent / "browser" / "measure.py"
    spec = importlib.util.spec_from_file_location("fvm_browser_measure", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fvm_browser_measure", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_in_chromium_no_text_crosses_a_shape_or_another_text(result: ConformanceResult) -> None:
    """Every text line of the drawings measured in headless Chromium (``tests/browser``):
    none outside the canvas, cutting a shape's border (the added boxes included) or
    overlapping another label's line."""
    measure: Any = _measure()
    if measure.chromium() is None:
        pytest.skip("chromium is not installed")
    model = resolve_process("akutmottagning").model
    diff = result.analyses.practice
    assert model is not None and diff is not None
    sources = []
    for unit in ("P", "Q"):
        lay = practice_layout(model, diff, unit)
        svg = render_practice("akutmottagning", result, unit=unit)
        sources.append(
            measure.Source(unit, "", (svg,), measure._names(lay.model), measure._types(lay.model))
        )
    found = measure.run(sources)
    for src, m in zip(sources, found["ours"], strict=True):
        counts, problems = measure.count(m, src)
        assert counts.lines > 30
        assert (counts.outside, counts.crossing, counts.overlap) == (0, 0, 0), problems
