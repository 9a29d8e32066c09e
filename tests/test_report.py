"""Comparison documents: content, privacy, self-containment, determinism, PDF, browser."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from fvmprocess._shared.privacy import MIN_CELL, SMALL, SUPPRESSED, scan
from fvmprocess.bpmn.reader import read_bpmn
from fvmprocess.conformance import ConformanceResult, check
from fvmprocess.errors import RenderError
from fvmprocess.eventlog import read_log
from fvmprocess.render.export import render_diagram
from fvmprocess.render.options import DrawOptions
from fvmprocess.render.overlay import fmt_share
from fvmprocess.report import ReportBuilder, ReportOptions, redact, render_report
from fvmprocess.timelimit import TimeLimit

DATA = Path(__file__).parent / "data" / "report"
BPMN = DATA / "akut.bpmn"
STD = ["Task_Reg", "Task_Triage", "Task_Lab", "Task_Doc", "Task_Out"]
PNR_UNIT = "Enhet 19121212-1212"
PNR_ACTIVITY = "Samtal 121272-1212"  # samordningsnummer (day + 60)


def make_result() -> ConformanceResult:
    """85 cases in four units; case ids, a unit and an activity look like personnummer."""
    rnd = random.Random(7)
    rows = []
    units = {"Akuten Borås": 40, "Akuten NÄL": 30, PNR_UNIT: 12, "Liten enhet": 3}
    n = 0
    for unit, k in units.items():
        for _ in range(k):
            n += 1
            case = f"{19000101 + n:08d}-{1000 + n:04d}"
            acts = list(STD)
            if rnd.random() < 0.5:
                acts.insert(4, "Task_Xray")
            r = rnd.random()
            if unit != "Akuten Borås" and r < 0.3:
                acts.remove("Task_Triage")
            elif r < 0.4:
                acts.insert(3, "Task_Lab")
            elif r < 0.45:
                acts.insert(2, PNR_ACTIVITY)
            t = datetime(2025, 3, 3, 8) + timedelta(days=n)
            for a in acts:
                rows.append({"case": case, "activity": a, "timestamp": t.isoformat(), "unit": unit})
                t += timedelta(minutes=rnd.randint(5, 90))
    log = read_log(pl.DataFrame(rows))
    lim = TimeLimit(
        id="reg-doc",
        from_activity="Task_Reg",
        to_activity="Task_Doc",
        max_duration=timedelta(hours=2),
        target_share=0.8,
    )
    return check(read_bpmn(BPMN), log, time_limits=[lim])


@pytest.fixture(scope="module")
def result() -> ConformanceResult:
    return make_result()


@pytest.fixture(scope="module")
def html(result: ConformanceResult, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = render_report(result, tmp_path_factory.mktemp("h") / "r.html", generated=False)
    return out.read_text(encoding="utf-8")


def _forbidden(result: ConformanceResult) -> list[str]:
    return [*result.cases["case"].to_list(), "19121212-1212", "121272-1212", "1212121212"]


def assert_private(text: str, result: ConformanceResult) -> None:
    for s in _forbidden(result):
        assert s not in text, s
    assert re.search(r"\d{6}[-+]\d{4}", text) is None


def _unit_data(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="unit-data">(.*?)</script>', html, re.S)
    assert m is not None
    data: dict[str, Any] = json.loads(m.group(1))
    return data


def _ranking(result: ConformanceResult) -> list[Any]:
    return list(ReportBuilder(result, ReportOptions(generated=False)).context().ranking.rows)


def test_redact_personnummer_and_samordningsnummer() -> None:
    assert redact("Enhet 19121212-1212") == "Enhet [dolt]"
    assert redact("121272+1212 och 191212121212", "en") == "[hidden] och [hidden]"
    assert redact("2025-03-04 08:00, 20250304, 0,951") == "2025-03-04 08:00, 20250304, 0,951"
    with pytest.raises(RenderError):
        scan("<p>19121212-1212</p>")
    with pytest.raises(RenderError):
        scan("<p>case-0001</p>", ["case-0001"])


def test_html_content_matches_result(result: ConformanceResult, html: str) -> None:
    s = result.summary()
    assert fmt_share(s["conforming_share"]) == "14,1 %"
    assert '<span class="big" data-key="conforming_share">14,1 %</span>' in html
    assert '<span class="big" data-key="cases">85</span>' in html
    for unit in ("Akuten Borås", "Akuten NÄL", "Enhet [dolt]", "Liten enhet"):
        assert unit in html
    nal = result.time_limits.filter(pl.col("unit") == "Akuten NÄL").row(0, named=True)
    assert nal["within"] == 17 and nal["evaluated"] == 30
    assert fmt_share(nal["share"]) in html  # 56,7 %
    lo, hi = nal["share_low"], nal["share_high"]
    assert f"{fmt_share(lo)} – {fmt_share(hi)}" in html
    for section in (
        "sammanfattning",
        "rangordning",
        "varmekarta",
        "standard",
        "enhet-mot-standard",
        "enhet-mot-enhet",
        "tidsgranser",
        "varianter",
        "metod",
        "data",
    ):
        assert f'id="{section}"' in html and f'href="#{section}"' in html
    data = _unit_data(html)  # unit vs unit: any two of the four units, picked in the page
    assert [u["name"] for u in data["units"]] == [r.unit for r in _ranking(result)]
    assert html.count('<option value="') == 2 * 4
    assert html.count("<svg") >= 1 + 4 + 1 + 1  # standard, units, ranking, time limit
    assert "Wilson" in html and "Läkarbedömning" in html
    assert 'class="move model"' in html or 'class="move log"' in html


def test_small_counts_are_suppressed(html: str, tmp_path: Path, result: ConformanceResult) -> None:
    # "Liten enhet" has 3 cases; the unknown activity occurs in fewer than 5 cases
    assert re.search(r"Liten enhet</a></td><td class=\"num\">&lt;5</td>", html)
    assert "(n=&lt;5)" in html  # chart labels
    md = render_report(result, tmp_path / "r.md", generated=False).read_text(encoding="utf-8")
    assert "| 4 | Liten enhet | <5 |" in md


def _rows(html: str, section: str) -> list[str]:
    """The table rows (``<tr>…</tr>``) of one section of the HTML."""
    m = re.search(rf'<section id="{section}".*?</section>', html, re.S)
    assert m is not None, section
    return [r for r in re.findall(r"<tr>.*?</tr>", m.group(0), re.S) if "<td" in r]


_SHARE = re.compile(r"\d+(?:,\d+)? %")


def test_figures_of_a_suppressed_count_are_suppressed(
    html: str, tmp_path: Path, result: ConformanceResult
) -> None:
    # "Liten enhet" has 3 cases, 0 conforming, 1 of 3 within the limit: before, the report
    # showed 33,3 % within and a Wilson interval 0,0 % – 56,1 %, from which n = 3 follows
    small = result.units.filter(pl.col("unit") == "Liten enhet").row(0, named=True)
    assert small["cases"] == 3
    wilson = (
        f"{fmt_share(small['conforming_share_low'])} – {fmt_share(small['conforming_share_high'])}"
    )
    assert wilson == "0,0 % – 56,1 %" and wilson not in html
    for section in ("rangordning", "tidsgranser"):
        rows = [r for r in _rows(html, section) if "Liten enhet" in r]
        assert rows, section
        for row in rows:
            assert "&lt;5" in row and SUPPRESSED in row
            assert _SHARE.search(row) is None, row  # no share, no interval
            assert not re.search(r"\d+ (?:min|tim|dygn)", row), row  # no median
    meta = re.search(r"<h3>4\. Liten enhet</h3>\s*<p class=\"meta\">(.*?)</p>", html, re.S)
    assert meta is not None and _SHARE.search(meta.group(1)) is None
    for pair in re.findall(r'<article class="pair".*?</article>', html, re.S):
        if "Liten enhet" in pair:
            cols = re.findall(r"<tr><th>[^<]*</th><td>(.*?)</td><td>(.*?)</td></tr>", pair)
            small_col = 0 if pair.index("Liten enhet") < pair.index(" – ") else 1
            assert all(_SHARE.search(c[small_col]) is None for c in cols), cols
    # a share is shown only when its numerator and denominator are both ≥ MIN_CELL: every
    # unit here has 4 conforming cases, so no conforming share may appear (4 of 30 = 13,3 %)
    for row in _rows(html, "rangordning"):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[3] == SUPPRESSED and cells[4] == SUPPRESSED, cells
    # the same rule in Markdown
    md = render_report(result, tmp_path / "r.md", generated=False).read_text(encoding="utf-8")
    line = next(x for x in md.splitlines() if x.startswith("| 4 | Liten enhet |"))
    assert _SHARE.search(line) is None and SMALL in line
    assert wilson.replace(" %", "") not in md and wilson not in md


def _late_repeat_result() -> ConformanceResult:
    """Every case repeats Läkarbedömning and reaches it late: two deviations, one case."""
    rows = []
    for i in range(8):
        t = datetime(2025, 3, 3, 8) + timedelta(days=i)
        for a in ["Task_Reg", "Task_Doc", "Task_Triage", "Task_Lab", "Task_Doc", "Task_Out"]:
            rows.append(
                {"case": f"k{i:04d}", "activity": a, "timestamp": t.isoformat(), "unit": "U"}
            )
            t += timedelta(minutes=10)
    lim = TimeLimit(
        id="reg-doc",
        from_activity="Task_Reg",
        to_activity="Task_Doc",
        max_duration=timedelta(minutes=5),
    )
    return check(read_bpmn(BPMN), read_log(pl.DataFrame(rows)), time_limits=[lim])


def test_heatmap_cells_are_shares_of_cases(result: ConformanceResult, tmp_path: Path) -> None:
    r = _late_repeat_result()
    doc = r.activities.filter((pl.col("unit") == "U") & (pl.col("activity") == "Task_Doc"))
    row = doc.row(0, named=True)
    # the sum of the kinds' rates (what the heatmap used to show) exceeds 100 %
    assert row["repeated_rate"] + row["late_rate"] > 1.0
    html = ReportBuilder(r, ReportOptions(generated=False)).html()
    for cells in (re.findall(r"<td [^>]*>(.*?)</td>", tr) for tr in _rows(html, "varmekarta")):
        for c in cells:
            m = re.fullmatch(r"(\d+) %", c)
            assert c in ("0", SMALL) or (m is not None and int(m.group(1)) <= 100), c
    assert ">100 %</td>" in html  # every case deviates at Läkarbedömning: 8 of 8
    # the fixture: every heatmap share equals cases with a deviation there / the unit's cases
    page = ReportBuilder(result, ReportOptions(generated=False)).html()
    shares = [
        int(x)
        for tr in _rows(page, "varmekarta")
        for x in re.findall(r"<td [^>]*>(\d+) %</td>", tr)
    ]
    assert shares and max(shares) <= 100


def test_texts_state_the_small_count_rule(html: str) -> None:
    assert f"Antal under {MIN_CELL} visas som {SMALL.replace('<', '&lt;')}" in html
    assert f"visas som {SUPPRESSED}" in html


def test_pdf_without_weasyprint_names_the_extra(
    result: ConformanceResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # makes `import weasyprint` fail
    with pytest.raises(ImportError, match=re.escape("pip install 'fvmprocess[render]'")):
        render_report(result, tmp_path / "r.pdf", generated=False)
    assert not (tmp_path / "r.pdf").exists()


def test_no_identifiers_in_any_output(result: ConformanceResult, html: str, tmp_path: Path) -> None:
    assert_private(html, result)
    md = render_report(result, tmp_path / "r.md", generated=False)
    assert_private(md.read_text(encoding="utf-8"), result)
    svgs = sorted((tmp_path / "r_files").glob("*.svg"))
    assert len(svgs) >= 6
    for f in svgs:
        assert_private(f.read_text(encoding="utf-8"), result)
    assert "r_files/standard.svg" in md.read_text(encoding="utf-8")
    if shutil.which("pdftotext"):
        pdf = render_report(result, tmp_path / "r.pdf", generated=False)
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert_private(text, result)


def test_html_is_self_contained(html: str) -> None:
    assert "<link" not in html
    assert re.search(r"<script[^>]+src", html) is None
    assert re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html) is None
    assert "@import" not in html and "url(" not in html
    stripped = re.sub(r'xmlns(?::\w+)?="http://www\.w3\.org/[^"]*"', "", html)
    assert "http://" not in stripped and "https://" not in stripped


def test_deterministic_and_dated(result: ConformanceResult, tmp_path: Path) -> None:
    a = render_report(result, tmp_path / "a.html", generated=False).read_bytes()
    b = render_report(make_result(), tmp_path / "b.html", generated=False).read_bytes()
    assert a == b
    md1 = render_report(result, tmp_path / "a.md", generated=False).read_bytes()
    md2 = render_report(result, tmp_path / "b.md", generated=False).read_bytes()
    assert md1 == md2.replace(b"b_files/", b"a_files/")
    dated = render_report(
        result, tmp_path / "c.html", generated=datetime(2025, 6, 1, 9, 30)
    ).read_text(encoding="utf-8")
    assert "Skapad: 2025-06-01 09:30" in dated


def test_english_labels(result: ConformanceResult, tmp_path: Path) -> None:
    text = render_report(result, tmp_path / "e.html", lang="en", generated=False).read_text(
        encoding="utf-8"
    )
    assert "Conforming share" in text and "14.1 %" in text and "Unit vs unit" in text
    assert "[hidden]" in text
    with pytest.raises(ValueError, match="lang"):
        render_report(result, tmp_path / "x.html", lang="de")  # type: ignore[arg-type]


def test_template_dir_overrides_a_template(result: ConformanceResult, tmp_path: Path) -> None:
    d = tmp_path / "tpl"
    d.mkdir()
    (d / "header.html.j2").write_text(
        "<header><h1>Region Test: {{ process.name }}</h1></header>\n", encoding="utf-8"
    )
    text = render_report(result, tmp_path / "o.html", template_dir=d, generated=False).read_text(
        encoding="utf-8"
    )
    assert "Region Test: Akutmottagning (test)" in text
    assert 'id="sammanfattning"' in text  # the other templates still come from the package


def test_a_leaking_template_is_refused(result: ConformanceResult, tmp_path: Path) -> None:
    d = tmp_path / "bad"
    d.mkdir()
    (d / "header.html.j2").write_text("<p>19121212-1212</p>", encoding="utf-8")
    with pytest.raises(RenderError, match="personnummer"):
        render_report(result, tmp_path / "bad.html", template_dir=d)
    assert not (tmp_path / "bad.html").exists()


def test_unknown_suffix(result: ConformanceResult, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="suffix"):
        render_report(result, tmp_path / "r.docx")
    assert render_report(result, tmp_path / "r.txt", format="md", generated=False).exists()


def test_result_from_json_without_model(result: ConformanceResult, tmp_path: Path) -> None:
    result.to_json(tmp_path / "r.json")
    again = ConformanceResult.from_json(tmp_path / "r.json")
    text = ReportBuilder(again, ReportOptions(generated=False)).html()
    assert "Akuten NÄL" in text and "saknar processmodell" in text
    assert_private(text, result)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing")
def test_pdf_pages_header_and_page_numbers(result: ConformanceResult, tmp_path: Path) -> None:
    pdf = render_report(result, tmp_path / "r.pdf", generated=False)
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 2
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Akutmottagning (test)" in text
    assert f"Sida 1 av {pages}" in text and f"Sida {pages} av {pages}" in text
    assert "<5" in text


def test_render_diagram_formats(result: ConformanceResult, tmp_path: Path) -> None:
    workshop = DrawOptions.workshop()
    svg = render_diagram(
        BPMN, tmp_path / "d.svg", result=result, unit="Akuten NÄL", options=workshop
    )
    assert (tmp_path / "d.svg").read_text("utf-8") == svg
    assert "Processmodell: Akutmottagning (test) – Akuten NÄL" in svg
    assert "Hoppas ofta över" in svg
    assert_private(svg, result)
    render_diagram(BPMN, tmp_path / "d.png", result=result)
    assert (tmp_path / "d.png").read_bytes().startswith(b"\x89PNG")
    render_diagram(BPMN, tmp_path / "p.pdf")
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    plain = render_diagram(read_bpmn(BPMN), tmp_path / "p.svg")
    assert "Hoppas" not in plain
    with pytest.raises(ValueError, match="unit"):
        render_diagram(BPMN, tmp_path / "x.svg", unit="Akuten NÄL")
    with pytest.raises(RenderError):
        render_diagram(BPMN, tmp_path / "x.gif", result=result)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="chromium missing")
def test_html_renders_in_chromium_without_console_errors(
    result: ConformanceResult, tmp_path: Path
) -> None:
    page = render_report(result, tmp_path / "r.html", generated=False)
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [
            _chromium() or "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    assert shot.exists() and shot.read_bytes().startswith(b"\x89PNG")


def _walk(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _walk(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in _walk(v, f"{path}[{i}]")]
    return [(path, value)]


def test_embedded_unit_data_obeys_the_small_count_rule(
    result: ConformanceResult, html: str
) -> None:
    data = _unit_data(html)
    by_name = {u["name"]: u for u in data["units"]}
    small = by_name["Liten enhet"]  # 3 cases: no count, no share, no number to divide by
    assert small["n"] is None and small["cases"] == SMALL
    assert small["share"] == SUPPRESSED and small["fitness"] == SUPPRESSED
    # every number the script may divide is a count of at least MIN_CELL (or a rank)
    for path, v in _walk(data):
        if isinstance(v, int) and not isinstance(v, bool):
            if path.endswith(".rank") or (".variants[" in path and path.endswith("][0]")):
                continue  # a rank, or the index of a variant
            assert v >= MIN_CELL, path
            assert path.endswith(("][1]", ".n")), path
    # variant counts: independent count from the cases table; small ones only as "<5"
    top = result.variants.sort(["cases", "variant"], descending=[True, False]).head(20)
    ids = top["variant"].to_list()
    for unit, u in by_name.items():
        raw = unit if unit != "Enhet [dolt]" else PNR_UNIT
        expected = result.cases.filter(pl.col("unit") == raw).group_by("variant").len().iter_rows()
        want = {ids.index(v): (SMALL if n < MIN_CELL else n) for v, n in expected if v in ids}
        assert dict(map(tuple, u["variants"])) == want, unit
    text = json.dumps(data, ensure_ascii=False)
    assert_private(text, result)


def test_units_option_chooses_the_units_shown_in_full(
    result: ConformanceResult, tmp_path: Path
) -> None:
    names = [r.unit for r in _ranking(result)]
    one = ReportBuilder(result, ReportOptions(generated=False, units=1)).context()
    assert [u.unit for u in one.units] == [names[0], names[-1]]  # best and worst
    assert one.unit_count == 4 and one.chosen == {"Alla enheter", names[0], names[-1]}
    picked = ReportBuilder(result, ReportOptions(generated=False, units=["Akuten NÄL"]))
    assert [u.unit for u in picked.context().units] == ["Akuten NÄL"]
    with pytest.raises(ValueError, match="not in the result"):
        ReportBuilder(result, ReportOptions(units=["Nowhere"])).context()
    html = ReportBuilder(result, ReportOptions(generated=False, units=1)).html()
    assert html.count('class="unit"') == 2 and len(_unit_data(html)["units"]) == 4


def _region(units: int, cases_per_unit: int = 12) -> ConformanceResult:
    rnd = random.Random(units)
    rows = []
    for u in range(units):
        for c in range(cases_per_unit):
            acts = list(STD)
            if rnd.random() < 0.3:
                acts.remove("Task_Lab")
            t = datetime(2025, 3, 3, 8) + timedelta(hours=c)
            for a in acts:
                rows.append(
                    {
                        "case": f"C{u:03d}-{c:03d}",
                        "activity": a,
                        "timestamp": t.isoformat(),
                        "unit": f"Enhet {u:03d}",
                    }
                )
                t += timedelta(minutes=rnd.randint(5, 60))
    lim = TimeLimit(
        id="reg-doc", from_activity="Task_Reg", to_activity="Task_Doc", max_duration="PT2H"
    )
    return check(read_bpmn(BPMN), read_log(pl.DataFrame(rows)), time_limits=[lim])


def test_many_units_compact_charts_and_tools(tmp_path: Path) -> None:
    result = _region(40)
    html = render_report(result, tmp_path / "r.html", generated=False).read_text("utf-8")
    ctx = ReportBuilder(result, ReportOptions(generated=False)).context()
    assert len(ctx.units) == 10  # 5 best + 5 worst drawn; all 40 in the picker and tables
    assert len(_unit_data(html)["units"]) == 40
    assert html.count('class="unit"') == 10
    # one chart per time limit for all units, without one dot per case
    (limit,) = ctx.limits
    assert len(limit.rows) == 41 and "<circle" not in str(limit.svg)
    assert 'class="filter"' in html and 'class="data sortable"' in html
    assert html.count('class="unchosen"') == 2 * 30  # heatmap and limit table rows not chosen


def test_title_of_an_external_model(result: ConformanceResult, tmp_path: Path) -> None:
    import dataclasses

    from fvmprocess.conformance import ProcessInfo

    unnamed = dataclasses.replace(
        result, process=ProcessInfo(id="id90befad8-1c2d", source="/x/akut_export.bpmn", kind="bpmn")
    )
    html = ReportBuilder(unnamed, ReportOptions(generated=False)).html()
    assert "<h1>akut_export.bpmn</h1>" in html and "<title>akut_export.bpmn" in html
    bare = dataclasses.replace(result, process=ProcessInfo(id="imdf_net_1796224717", kind="petri"))
    html = ReportBuilder(bare, ReportOptions(generated=False)).html()
    assert "<h1>Processmodell</h1>" in html
    html = ReportBuilder(bare, ReportOptions(generated=False, title="Akuten 2025")).html()
    assert "<h1>Akuten 2025</h1>" in html


def test_report_from_a_saved_folder_finds_the_catalogue_model(tmp_path: Path) -> None:
    from fvmprocess.simulate import simulate_log

    frame = simulate_log("sepsis_akut", cases=30, units={"A": 0.3, "B": 0.3}, seed=2)
    result = check("sepsis_akut", read_log(frame))
    result.write(f"{tmp_path}/res/")
    again = ConformanceResult.load(tmp_path / "res")
    assert again.model is not None and again.process.kind == "standard"
    html = ReportBuilder(again, ReportOptions(generated=False)).html()
    assert html.count("<svg") >= 2 and "saknar processmodell" not in html
    names = set(
        result.activity_names[a]["sv"]
        for a in result.deviations["activity"].unique()
        if a in result.activity_names
    )
    assert names and all(n in html for n in names if "<" not in n)


def test_time_limit_medians_share_one_unit_per_column(result: ConformanceResult, html: str) -> None:
    """Issue 13.5: the median column of a limit's table uses the limit's unit on every row
    (a 2-hour limit: hours), so 0,8 tim never stands above 95 min."""
    table = re.search(r'<table class="data sortable" id="limit-table-1">(.*?)</table>', html, re.S)
    assert table is not None
    medians = [
        re.findall(r"<td[^>]*>(.*?)</td>", row)[5]
        for row in re.findall(r"<tr[^>]*>(<td.*?)</tr>", table.group(1))
    ]
    shown = [m for m in medians if m not in ("×", "–")]
    assert len(shown) >= 2 and all(m.endswith(" tim") for m in shown), medians
    # and the number is the unit's median in hours, worked out from the result itself
    nal = result.time_limits.filter(pl.col("unit") == "Akuten NÄL").row(0, named=True)
    hours = f"{nal['median_s'] / 3600:.1f}".replace(".", ",")
    assert f"{hours} tim" in shown
