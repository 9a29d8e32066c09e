"""Reports that read well on real data (issue 13.5): the heatmap of the standard's activities
with the others grouped, hyphenated headings, chart ticks with decimal commas, and a PDF whose
pages are measured from the PDF itself (poppler's pdfinfo/pdftotext): landscape diagram pages
with text of at least 6 pt, no page holding only a heading, nothing beyond the page edge."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from fvmprocess.bpmn.reader import read_bpmn
from fvmprocess.cli import main
from fvmprocess.conformance import ConformanceResult, check
from fvmprocess.eventlog import read_log
from fvmprocess.render.overlay import fmt_share
from fvmprocess.report import ReportBuilder, ReportOptions
from fvmprocess.report._charts import axis_ticks, tick_text
from fvmprocess.report._format import SOFT_HYPHEN, hyphenated
from fvmprocess.report._paged import MIN_TEXT_PT, print_heading, tiles
from fvmprocess.simulate import simulate_log

ROOT = Path(__file__).resolve().parents[1]
SEPSIS_BPMN = ROOT / "models" / "sepsis_akut.bpmn"
#: Activities outside the standard added to the generated log: more than the heatmap names
#: (10) and more than the accounting table lists (30).
EXTRA = [f"Lokal kod {i:02d}" for i in range(34)]
POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None


def _log() -> pl.DataFrame:
    """Three units of the catalogue's sepsis process; three of every four cases also have
    three events of activities outside the standard (34 names in turn, each in 5 or more)."""
    frame = simulate_log("sepsis_akut", cases=90, units={"A": 0.2, "B": 0.3, "C": 0.1}, seed=5)
    firsts = frame.group_by("case", maintain_order=True).first().sort("case")
    chosen = [row for i, row in enumerate(firsts.iter_rows(named=True)) if i % 4]
    extra = [
        {**row, "activity": EXTRA[(3 * i + j) % len(EXTRA)]}
        for i, row in enumerate(chosen)
        for j in range(3)
    ]
    return pl.concat([frame, pl.DataFrame(extra, schema=frame.schema)])


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return _log()


@pytest.fixture(scope="module")
def result(frame: pl.DataFrame) -> ConformanceResult:
    return check("sepsis_akut", read_log(frame))


@pytest.fixture(scope="module")
def builder(result: ConformanceResult) -> ReportBuilder:
    return ReportBuilder(result, ReportOptions(generated=False))


def _standard_activities() -> list[str]:
    model = read_bpmn(SEPSIS_BPMN)
    return sorted(n.id for n in model.nodes.values() if n.is_activity)


# -- heatmap ----------------------------------------------------------------------------------


def test_heatmap_has_the_standards_activities_and_one_group(
    builder: ReportBuilder, frame: pl.DataFrame
) -> None:
    heat = builder.context().heatmap
    standard = _standard_activities()
    names = {n.name for n in read_bpmn(SEPSIS_BPMN).nodes.values() if n.is_activity}
    outside = sorted(set(frame["activity"].unique().to_list()) - names)
    assert set(EXTRA) <= set(outside)
    assert len(heat.columns) == len(standard) + 1
    assert heat.outside == len(outside)
    assert heat.columns[-1] == f"Utanför standarden ({len(outside)} aktiviteter)"
    assert heat.outside_note.endswith(f" … och {len(outside) - 10} till")
    assert heat.outside_note.count(" fall)") == 10  # the ten most frequent, by cases
    # the group cell of all units: cases with any event outside the standard / all cases
    cases_outside = frame.filter(pl.col("activity").is_in(outside))["case"].n_unique()
    share = fmt_share(cases_outside / frame["case"].n_unique(), "sv", 0)
    assert heat.rows[0].cells[-1].text == share


def test_accounting_lists_the_most_frequent_and_says_how_many_more(
    builder: ReportBuilder, result: ConformanceResult
) -> None:
    html = builder.html()
    part = html[html.index('id="data"') :]
    assert f"… och {len(result.unmapped) - 30} till" in part
    listed = re.findall(r'<tr><td>([^<]*)</td><td class="num">([^<]*)</td></tr>', part)
    counts = [int(c) if c.isdigit() else 0 for label, c in listed if label in result.unmapped]
    assert len(counts) == 30 and counts == sorted(counts, reverse=True)
    assert max(result.unmapped.values()) == counts[0]


def test_kind_table_says_it_counts_deviations(builder: ReportBuilder) -> None:
    html = builder.html()
    part = html[html.index('id="sammanfattning"') : html.index('id="rangordning"')]
    assert '<th>Slag</th><th class="num">Avvikelser</th>' in part


# -- hyphenation ------------------------------------------------------------------------------


def test_soft_hyphens_at_dictionary_points_only() -> None:
    # hand-checked against the Swedish dictionary: Vätske-be-hand-ling; short words stay
    assert hyphenated("Vätskebehandling") == SOFT_HYPHEN.join(["Väts", "ke", "be", "hand", "ling"])
    assert hyphenated("Triage enligt RETTS") == "Triage enligt RETTS"
    assert SOFT_HYPHEN + "konsult" not in hyphenated("IVA-konsult")  # no hyphen after a hyphen


def test_screen_heatmap_headings_carry_soft_hyphens_and_never_break_anywhere(
    builder: ReportBuilder,
) -> None:
    html = builder.html()
    heads = re.findall(r'<th class="rot[^"]*"><span>(.*?)</span></th>', html)
    assert any(SOFT_HYPHEN in h for h in heads)
    for h in heads:
        assert unescape(h).replace(SOFT_HYPHEN, "") in builder.context().heatmap.columns
    assert "overflow-wrap: anywhere" not in html


def test_printed_headings_break_at_words_or_with_a_hyphen() -> None:
    for name in ("Upprepad bedömning av vitalparametrar", "Sepsislarm, starta vårdförlopp"):
        lines = str(print_heading(name)).split("<br>")
        assert len(lines) > 1
        words = name.split()
        for line in lines[:-1]:
            last = line.split()[-1]
            assert last in words or last.endswith("-"), line
        assert re.sub(r"- ", "", " ".join(lines)) == name


# -- charts -----------------------------------------------------------------------------------


def test_axis_ticks_are_round_and_swedish() -> None:
    assert axis_ticks(283.3) == (300.0, [0.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0])
    end, ticks = axis_ticks(3.2)
    assert end == 4.0 and ticks == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert [tick_text(v, "sv") for v in axis_ticks(1.6)[1]] == ["0", "0,5", "1", "1,5", "2"]
    assert tick_text(2.5, "en") == "2.5"


def test_time_limit_chart_ticks_use_decimal_commas(builder: ReportBuilder) -> None:
    html = builder.html()
    charts = re.findall(r'<svg[^>]*aria-label="Tidsgräns[^"]*".*?</svg>', html, re.S)
    assert charts
    for svg in charts:
        ticks = re.findall(r'font-size="10">([^<]*)</text>', svg)
        numbers = [t for t in ticks if re.fullmatch(r"[\d.,]+", t)]
        assert len(numbers) >= 3
        assert all(re.fullmatch(r"\d+(,\d+)?", t) for t in numbers), numbers


# -- diagram parts ----------------------------------------------------------------------------


def test_parts_keep_the_smallest_text_at_six_points() -> None:
    for w, h, font in ((2504, 673, 10.0), (2840, 791, 10.45), (800, 400, 11.0), (1500, 2600, 9)):
        parts = tiles(0, 0, w, h, min_font=font)
        for t in parts:
            assert font * t.width_pt / t.w >= MIN_TEXT_PT - 1e-9
            assert t.width_pt <= 786 and t.height_pt <= 460
        # together the parts cover the whole diagram
        assert min(t.x for t in parts) == 0 and max(t.x + t.w for t in parts) >= w - 1e-6
        assert min(t.y for t in parts) == 0 and max(t.y + t.h for t in parts) >= h - 1e-6
    assert len(tiles(0, 0, 800, 400, min_font=11)) == 1


# -- the PDF, measured ------------------------------------------------------------------------


def _pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [
        (float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)
    ]


def _words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page the words with their boxes (pdftotext -bbox)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append(
            [
                (float(a), float(b), float(c), float(d), unescape(t))
                for a, b, c, d, t in re.findall(
                    r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
                    page,
                )
            ]
        )
    return pages


@pytest.fixture(scope="module")
def pdf(builder: ReportBuilder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("weasyprint")
    if not POPPLER:
        pytest.skip("poppler-utils (pdfinfo, pdftotext) not installed")
    out = tmp_path_factory.mktemp("pdf") / "r.pdf"
    out.write_bytes(builder.pdf())
    return out


def test_diagrams_are_printed_on_landscape_pages_at_six_points(pdf: Path) -> None:
    sizes = _pdf_pages(pdf)
    pages = _words(pdf)
    landscape = [i for i, (w, h) in enumerate(sizes) if w > h]
    # the standard and the three units, each in at least one part
    assert len(landscape) >= 4
    # calibrate word-box height per point on the footer, printed at 8 pt
    footer = [b[3] - b[1] for p in pages for b in p if b[4] == "Sida"]
    per_pt = min(footer) / 8.0
    task = "Triage"  # a task name: on every diagram's first part
    for i in landscape:
        words = pages[i]
        assert any(w[4] == task for w in words) or i - 1 in landscape
        smallest = min(w[3] - w[1] for w in words if w[4].strip())
        assert smallest / per_pt >= MIN_TEXT_PT - 0.1, (i, smallest / per_pt)
    # portrait pages: no diagram text
    for i, (w, h) in enumerate(sizes):
        if w < h:
            assert not any(x[4] == "misstänkt" for x in pages[i]), i


def test_no_page_holds_only_a_heading(pdf: Path, builder: ReportBuilder) -> None:
    html = builder.html(for_print=True)
    headings = {
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", h))).strip()
        for h in re.findall(r"<h[123][^>]*>(.*?)</h[123]>", html, re.S)
    }
    for i, words in enumerate(_words(pdf)):
        top, bottom = 40.0, max(b[3] for b in words) - 20.0  # without header and footer
        body = [b for b in words if top < b[1] < bottom]
        lines: dict[int, list[str]] = {}
        for b in body:
            lines.setdefault(round(b[1]), []).append(b[4])
        texts = [" ".join(ws) for _, ws in sorted(lines.items())]
        assert texts, f"page {i + 1} is empty"
        assert any(t not in headings for t in texts), f"page {i + 1}: only {texts}"


def test_nothing_beyond_the_page_edge_on_portrait_pages(pdf: Path) -> None:
    sizes = _pdf_pages(pdf)
    for (w, h), words in zip(sizes, _words(pdf), strict=True):
        if w < h:
            assert all(b[0] >= 0 and b[2] <= w - 20 for b in words)  # inside the margins


def test_printed_heatmap_fragments_end_with_a_hyphen(pdf: Path, builder: ReportBuilder) -> None:
    columns = builder.context().heatmap.columns
    whole = {w for c in columns for w in c.split()}
    all_pages = _words(pdf)
    per_pt = min(b[3] - b[1] for p in all_pages for b in p if b[4] == "Sida") / 8.0
    pages = [p for p in all_pages if any(b[4] == "Utanför" for b in p)]
    assert pages
    small = [b for b in pages[0] if (b[3] - b[1]) / per_pt < 7.5]  # the 6.5 pt table text
    assert len(small) > 20
    for b in small:
        word = b[4]
        fragment = len(word) >= 3 and any(word.rstrip("-‐") in c for c in columns)
        if fragment and word not in whole:
            # a fragment of a column name: only at a hyphenation point, with its hyphen
            assert word.endswith(("-", "‐")) or any(w.endswith(word) for w in whole), word


# -- the CLI ----------------------------------------------------------------------------------


def test_report_layout_option(result: ConformanceResult, tmp_path: Path) -> None:
    saved = result.write(f"{tmp_path}/res/")
    di = read_bpmn(SEPSIS_BPMN).diagrams[0]
    triage = next(s.bounds for s in di.shapes if s.element == "Activity_Triage")

    def rect_x(html: str) -> float:
        m = re.search(
            r'data-element-id="Activity_Triage"><title>[^<]*</title><rect [^>]*?\sx="([\d.]+)"',
            html,
        )
        assert m is not None
        return float(m.group(1))

    run = CliRunner()
    for layout in ("di", "auto"):
        out = tmp_path / f"{layout}.html"
        r = run.invoke(
            main,
            ["report", "--result", str(saved), "-o", str(out), "--no-date", "--layout", layout],
        )
        assert r.exit_code == 0, r.output
        x = rect_x(out.read_text(encoding="utf-8"))
        assert (x == triage.x) is (layout == "di")
    bad = run.invoke(main, ["report", "--result", str(saved), "-o", "x.html", "--layout", "x"])
    assert bad.exit_code == 2
