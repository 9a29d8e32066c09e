"""Comparison documents: content, privacy, self-containment, determinism, PDF, browser."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from fvmprocess.bpmn.reader import read_bpmn
from fvmprocess.conformance import ConformanceResult, TimeLimitSpec, check
from fvmprocess.errors import RenderError
from fvmprocess.eventlog import read_log
from fvmprocess.overlay import fmt_share
from fvmprocess.report import ReportBuilder, ReportOptions, redact, render_diagram, render_report
from fvmprocess._shared.privacy import scan

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
    lim = TimeLimitSpec("reg-doc", "Task_Reg", "Task_Doc", timedelta(hours=2), target_share=0.8)
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
    nal = result.units.filter(pl.col("unit") == "Akuten NÄL").row(0, named=True)
    assert fmt_share(nal["conforming_share"]) in html  # 13,3 %
    lo, hi = nal["conforming_share_low"], nal["conforming_share_high"]
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
    assert html.count('class="pair"') == 6  # every pair of four units
    assert html.count("<svg") >= 1 + 4 + 1 + 1  # standard, units, ranking, time limit
    assert "Wilson" in html and "Läkarbedömning" in html
    assert 'class="move model"' in html or 'class="move log"' in html


def test_small_counts_are_suppressed(html: str, tmp_path: Path, result: ConformanceResult) -> None:
    # "Liten enhet" has 3 cases; the unknown activity occurs in fewer than 5 cases
    assert re.search(r"Liten enhet</a></td><td class=\"num\">&lt;5</td>", html)
    assert "(n=&lt;5)" in html  # chart labels
    md = render_report(result, tmp_path / "r.md", generated=False).read_text(encoding="utf-8")
    assert "| 4 | Liten enhet | <5 |" in md


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
    svg = render_diagram(result, tmp_path / "d.svg", unit="Akuten NÄL").read_text("utf-8")
    assert "Standardprocess: Akutmottagning (test) – Akuten NÄL" in svg
    assert "Hoppas ofta över" in svg
    assert_private(svg, result)
    assert render_diagram(result, tmp_path / "d.png").read_bytes().startswith(b"\x89PNG")
    assert render_diagram(BPMN, tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    plain = render_diagram(read_bpmn(BPMN), tmp_path / "p.svg").read_text("utf-8")
    assert "Hoppas" not in plain
    with pytest.raises(ValueError, match="unit"):
        render_diagram(BPMN, tmp_path / "x.svg", unit="Akuten NÄL")
    with pytest.raises(RenderError):
        render_diagram(result, tmp_path / "x.gif")


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
