"""The optional analyses wired through check, the result files, the CLI and the report.

The logs are built here with planted effects, so every expectation is known independently of
the code under test: one unit's conforming share jumps in July (its ``Avslut`` is skipped in
45 % of cases before and 5 % after), two units stay at 25 %; an ambulance arrival raises the
triage skip rate from 10 % to 30 % (true lift 3) in every unit, while sex, age, time of day
and weekday are independent; one small unit has 3 cases a month (every period cell small).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from fvmprocess._shared.privacy import SMALL, SUPPRESSED, is_suppressed
from fvmprocess.cli import main
from fvmprocess.conformance import CheckOptions, ConformanceResult, check
from fvmprocess.eventlog import read_log
from fvmprocess.report import ReportBuilder, ReportOptions
from fvmprocess.timelimit import TimeLimit

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="urn:t">
  <process id="trend" name="Trendprocess" isExecutable="false">
    <startEvent id="S"/>
    <userTask id="A_Reg" name="Registrering"/>
    <userTask id="A_Tri" name="Triage"/>
    <userTask id="A_Lak" name="Läkarbedömning"/>
    <userTask id="A_Avs" name="Avslut"/>
    <endEvent id="E"/>
    <sequenceFlow id="f1" sourceRef="S" targetRef="A_Reg"/>
    <sequenceFlow id="f2" sourceRef="A_Reg" targetRef="A_Tri"/>
    <sequenceFlow id="f3" sourceRef="A_Tri" targetRef="A_Lak"/>
    <sequenceFlow id="f4" sourceRef="A_Lak" targetRef="A_Avs"/>
    <sequenceFlow id="f5" sourceRef="A_Avs" targetRef="E"/>
  </process>
</definitions>
"""
JUMP, STABLE, SMALL_UNIT = "Akut Hopp", ("Akut Stabil", "Akut Jämn"), "Liten"
JUMP_AT = date(2025, 7, 1)


def planted_log(seed: int, per_month: int = 40) -> pl.DataFrame:
    """12 months of cases in four units with the planted effects of the module docstring."""
    rng = np.random.default_rng(seed)
    rows = []
    n = 0
    for unit in (JUMP, *STABLE, SMALL_UNIT):
        for month in range(1, 13):
            count = 3 if unit == SMALL_UNIT else int(rng.poisson(per_month))
            for _ in range(count):
                n += 1
                start = datetime(2025, month, int(rng.integers(1, 28)), int(rng.integers(0, 24)), 7)
                arrival = "ambulans" if rng.random() < 0.3 else "egen"
                sex, age = ("K" if rng.random() < 0.5 else "M"), int(rng.integers(18, 91))
                skip_end = (0.45 if month < JUMP_AT.month else 0.05) if unit == JUMP else 0.25
                acts = ["A_Reg"]
                if rng.random() >= (0.30 if arrival == "ambulans" else 0.10):
                    acts.append("A_Tri")
                acts.append("A_Lak")
                if rng.random() >= skip_end:
                    acts.append("A_Avs")
                rows += [
                    {
                        "case": f"C{n:05d}",
                        "activity": a,
                        "timestamp": (start + timedelta(minutes=10 * i)).isoformat(),
                        "unit": unit,
                        "arrival": arrival,
                        "sex": sex,
                        "age": age,
                    }
                    for i, a in enumerate(acts)
                ]
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def bpmn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("analyses") / "trend.bpmn"
    p.write_text(BPMN, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def log() -> pl.DataFrame:
    return planted_log(1)


@pytest.fixture(scope="module")
def result(bpmn: Path, log: pl.DataFrame) -> ConformanceResult:
    return check(
        bpmn,
        read_log(log),
        period="month",
        milestones={"2025-07-01": "Workshop", ("Akut Stabil", "2025-04-01"): "Go-live"},
        causes=True,
        practice=True,
    )


# -- periods and change points -----------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_jump_gets_one_change_point_and_stable_units_none(bpmn: Path, seed: int) -> None:
    log = planted_log(seed)
    found = check(bpmn, read_log(log), period="month").analyses
    assert found.changes is not None
    changes = found.changes
    assert changes["unit"].to_list() == [JUMP]  # stable units (and the small one): none
    at = changes["at"][0]
    assert abs((at - JUMP_AT).days) <= 31, at  # within one period of the planted month
    # before/after are the segments' conforming shares, recounted from the raw log
    ends = log.group_by("case").agg(
        pl.col("unit").first(),
        pl.col("timestamp").min().str.to_datetime().dt.date().alias("day"),
        ((pl.col("activity") == "A_Tri").any() & (pl.col("activity") == "A_Avs").any()).alias("ok"),
    )
    jump = ends.filter(pl.col("unit") == JUMP)
    before = jump.filter(pl.col("day") < at)
    after = jump.filter(pl.col("day") >= at)
    assert changes["before_cases"][0] == before.height
    assert changes["after_cases"][0] == after.height
    assert changes["before"][0] == pytest.approx(before["ok"].mean())
    assert changes["after"][0] == pytest.approx(after["ok"].mean())


def test_periods_add_up_to_the_unit_totals(result: ConformanceResult) -> None:
    p = result.analyses.periods
    assert p is not None and result.analyses.period == "month"
    totals = p.group_by("unit").agg(
        pl.col("cases").sum(),
        pl.col("conforming").sum(),
        (pl.col("mean_fitness") * pl.col("cases")).sum().alias("fitness_sum"),
    )
    units = result.units.select("unit", "cases", "conforming")
    joined = units.join(totals, on="unit", suffix="_p")
    assert joined.height == units.height == 4
    assert (joined["cases"] == joined["cases_p"]).all()
    assert (joined["conforming"] == joined["conforming_p"]).all()
    fitness = result.cases.group_by("unit").agg(pl.col("fitness").sum())
    for unit, s in fitness.iter_rows():
        assert totals.filter(pl.col("unit") == unit)["fitness_sum"][0] == pytest.approx(s)
    assert p.filter(pl.col("unit") == SMALL_UNIT)["cases"].to_list() == [3] * 12


def test_period_time_limit_compliance_pools_like_the_unit_score(bpmn: Path) -> None:
    limit = TimeLimit(
        id="reg-avslut", from_activity="A_Reg", to_activity="A_Avs", max_duration="PT25M"
    )
    r = check(bpmn, read_log(planted_log(4, per_month=10)), period="quarter", time_limits=[limit])
    p = r.analyses.periods
    assert p is not None
    pooled = p.group_by("unit").agg(pl.col("time_limit_within", "time_limit_evaluated").sum())
    scores = r.time_limits.filter(pl.col("unit") != "*").select("unit", "within", "evaluated")
    joined = scores.join(pooled, on="unit")
    assert joined.height == 4
    assert (joined["within"] == joined["time_limit_within"]).all()
    assert (joined["evaluated"] == joined["time_limit_evaluated"]).all()
    assert int(joined["evaluated"].sum()) > int(joined["within"].sum()) > 0


def test_milestones_before_and_after(result: ConformanceResult, log: pl.DataFrame) -> None:
    m = result.analyses.milestones
    assert m is not None
    assert sorted(m["milestone"].unique().to_list()) == ["Go-live", "Workshop"]
    assert m.filter(pl.col("milestone") == "Go-live")["unit"].to_list() == ["Akut Stabil"]
    row = m.filter((pl.col("unit") == JUMP) & (pl.col("milestone") == "Workshop")).row(
        0, named=True
    )
    days = (
        log.filter(pl.col("unit") == JUMP)
        .group_by("case")
        .agg(pl.col("timestamp").min().str.to_datetime().dt.date())
    )
    assert row["before_cases"] == days.filter(pl.col("timestamp") < JUMP_AT).height
    assert row["after"] - row["before"] > 0.2 and row["p_value"] < 1e-4


# -- causes -------------------------------------------------------------------------------------


def test_planted_attribute_is_ranked_first_with_the_right_lift(
    result: ConformanceResult, log: pl.DataFrame
) -> None:
    found = result.analyses.causes
    assert found is not None
    assert {"arrival", "sex", "age", "hour_band", "day_type"} <= set(found.used)
    triage = found.table.filter((pl.col("kind") == "skipped") & (pl.col("activity") == "A_Tri"))
    top = triage.filter(pl.col("rank") == 1).row(0, named=True)
    assert (top["attribute"], top["value"], top["activity_name"]) == (
        "arrival",
        "ambulans",
        "Triage",
    )
    # hand counts from the raw log
    per_case = log.group_by("case").agg(
        pl.col("arrival").first(), (pl.col("activity") == "A_Tri").any().alias("triaged")
    )
    amb = per_case.filter(pl.col("arrival") == "ambulans")
    rest = per_case.filter(pl.col("arrival") != "ambulans")
    rate, base = 1 - amb["triaged"].mean(), 1 - rest["triaged"].mean()  # type: ignore[operator]
    assert top["cases"] == amb.height and top["baseline_cases"] == rest.height
    assert top["rate"] == pytest.approx(rate) and top["baseline_rate"] == pytest.approx(base)
    assert top["lift"] == pytest.approx(rate / base)
    assert top["lift_low"] < 3 < top["lift_high"]  # the planted lift
    # independent attributes are not flagged, for triage or any other deviation
    others = found.table.filter(pl.col("flagged") & (pl.col("attribute") != "arrival"))
    assert others.is_empty(), others


# -- practice -----------------------------------------------------------------------------------


def test_practice_counts_the_units_added_transitions(
    result: ConformanceResult, log: pl.DataFrame
) -> None:
    diff = result.analyses.practice
    assert diff is not None
    skipped = log.group_by("case").agg(
        pl.col("unit").first(), (pl.col("activity") == "A_Tri").any().alias("triaged")
    )
    for unit in (JUMP, *STABLE, SMALL_UNIT):
        tr = diff.transitions.filter(pl.col("unit") == unit)
        reg_lak = tr.filter((pl.col("source") == "A_Reg") & (pl.col("target") == "A_Lak"))
        expected = skipped.filter((pl.col("unit") == unit) & ~pl.col("triaged")).height
        assert reg_lak["frequency"].to_list() == [expected]
        assert reg_lak["status"].to_list() == ["added"]
        standard = tr.filter(pl.col("status") == "standard")
        assert set(zip(standard["source"], standard["target"], strict=True)) == {
            ("[start]", "A_Reg"), ("A_Reg", "A_Tri"), ("A_Tri", "A_Lak"),
            ("A_Lak", "A_Avs"), ("A_Avs", "[end]"),
        }  # fmt: skip
        assert tr.filter(pl.col("status") == "never_taken").is_empty()


# -- the result files and the options ---------------------------------------------------------


def _same(a: ConformanceResult, b: ConformanceResult) -> None:
    x, y = a.analyses, b.analyses
    assert y.period == x.period
    assert x.periods is not None and y.periods is not None
    assert x.changes is not None and y.changes is not None
    assert x.milestones is not None and y.milestones is not None
    assert x.causes is not None and y.causes is not None
    assert x.practice is not None and y.practice is not None
    assert_frame_equal(x.periods, y.periods, abs_tol=1e-6)
    assert_frame_equal(x.changes, y.changes, abs_tol=1e-6)
    assert_frame_equal(x.milestones, y.milestones, abs_tol=1e-6)
    assert_frame_equal(x.causes.table, y.causes.table, abs_tol=1e-6)
    assert dict(y.causes.used) == dict(x.causes.used)
    for f in ("units", "steps", "transitions"):
        assert_frame_equal(getattr(x.practice, f), getattr(y.practice, f), abs_tol=1e-6)


def test_json_and_parquet_folder_round_trip(result: ConformanceResult, tmp_path: Path) -> None:
    result.write(tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["period"] == "month"
    assert data["changes"][0]["unit"] == JUMP and data["changes"][0]["at"] == "2025-07-01"
    assert data["practice"]["schema"] == "fvmprocess.practice"
    assert data["causes"]["causes"][0]["value"] == "ambulans"
    _same(result, ConformanceResult.load(tmp_path / "r.json", find_model=False))
    folder = result.write(f"{tmp_path}/dir/")
    names = {p.name for p in folder.iterdir()}
    assert {"periods.parquet", "changes.parquet", "milestones.parquet", "causes.parquet"} <= names
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["tables"]["periods"] == "periods.parquet"
    assert summary["practice"]["units"][0]["unit"] == JUMP
    _same(result, ConformanceResult.load(folder, find_model=False))


def test_no_analyses_unless_asked(bpmn: Path, tmp_path: Path) -> None:
    r = check(bpmn, read_log(planted_log(5, per_month=5)))
    assert r.analyses.empty
    data = json.loads(r.to_json())
    for key in ("period", "periods", "changes", "milestones", "causes", "practice"):
        assert data[key] is None
    folder = r.write(f"{tmp_path}/plain/")
    assert not (folder / "periods.parquet").exists()
    assert ConformanceResult.load(folder, find_model=False).analyses.empty


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="period is 'year'"):
        CheckOptions(period="year")  # type: ignore[arg-type]
    assert CheckOptions(cause_exclude=["sex"]).cause_exclude == ("sex",)


def test_bad_milestone_date_is_named(bpmn: Path) -> None:
    with pytest.raises(ValueError, match=r"'2025-13-01'.*not an ISO date"):
        check(bpmn, read_log(planted_log(5, per_month=5)), milestones={"2025-13-01": "x"})


def test_cause_attribute_choice(bpmn: Path, log: pl.DataFrame) -> None:
    r = check(bpmn, read_log(log), causes=True, cause_exclude=["arrival"])
    assert r.analyses.causes is not None
    assert "arrival" not in r.analyses.causes.used
    assert r.analyses.causes.table.is_empty()  # nothing else explains the skips
    r = check(bpmn, read_log(log), causes=True, cause_attributes=["sex"])
    assert r.analyses.causes is not None and set(r.analyses.causes.used) == {"sex"}


def test_schema_doc_lists_the_analysis_fields() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "conformance.md").read_text(encoding="utf-8")
    section = doc[doc.index("## 7.") :]
    for key in ("period", "periods", "changes", "milestones", "causes", "practice"):
        assert f'"{key}"' in section, key
    for table in ("periods.parquet", "changes.parquet", "milestones.parquet", "causes.parquet"):
        assert table in section


# -- the CLI ------------------------------------------------------------------------------------


def test_cli_check_and_report_with_the_analyses(bpmn: Path, tmp_path: Path) -> None:
    csv = tmp_path / "log.csv"
    planted_log(1).write_csv(csv)
    runner = CliRunner()
    common = ["--process", str(bpmn), "--log", str(csv), "--period", "month"]
    marks = ["--milestone", "2025-07-01=Workshop", "--milestone", "Akut Stabil@2025-04-01=Go-live"]
    res = runner.invoke(
        main, ["check", *common, *marks, "--causes", "--practice", "-o", f"{tmp_path}/out/", "-q"]
    )
    assert res.exit_code == 0, res.output
    saved = ConformanceResult.load(tmp_path / "out", find_model=False)
    assert saved.analyses.changes is not None and saved.analyses.changes["unit"].to_list() == [JUMP]
    assert saved.analyses.milestones is not None and saved.analyses.milestones.height == 5
    res = runner.invoke(
        main,
        ["report", *common, "--causes", "--practice", "--no-date", "-o", str(tmp_path / "r.html")],
    )
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    for anchor in ('id="trender"', 'id="orsaker"', 'id="arbetssatt"', 'class="sparkline"'):
        assert anchor in html
    res = runner.invoke(
        main, ["check", *common, "--milestone", "juni=x", "-o", str(tmp_path / "x.json")]
    )
    assert res.exit_code == 2 and "--milestone" in res.output


# -- the report ---------------------------------------------------------------------------------


def _count(text: str) -> int | None:
    return None if text in (SMALL, "–") else int(text)


def test_report_sections_and_the_small_count_rule(
    result: ConformanceResult, log: pl.DataFrame
) -> None:
    b = ReportBuilder(result, ReportOptions(lang="en", generated=False))
    tr = b.context().trends
    ranked = result.units.sort("rank")["unit"].to_list()
    assert tr.shown and [c.unit for c in tr.charts] == ranked  # rank order
    assert [u.unit for u in tr.practice] == ranked
    jump = next(c for c in tr.charts if c.unit == JUMP)
    assert len(jump.changes) == 1 and jump.changes[0].startswith("From 2025-07-01:")
    assert jump.svg.count('stroke-dasharray="5 3"') == 1  # the change point
    assert 'stroke-dasharray="1.5 2.5"' in jump.svg  # the milestone
    # the small unit: 3 cases a month, so no period share, no interval, no sparkline point
    small = next(c for c in tr.charts if c.unit == SMALL_UNIT)
    assert {r.cases for r in small.rows} == {SMALL}
    assert {r.conforming_share for r in small.rows} == {SUPPRESSED}
    assert {r.interval for r in small.rows} == {SUPPRESSED}
    assert "<circle" not in small.svg and "<circle" not in tr.sparklines[SMALL_UNIT]
    assert tr.sparklines[JUMP].count("<circle") >= 1
    # every shown period share comes from counts that are not small (checked on the data)
    p = result.analyses.periods
    assert p is not None
    for c in tr.charts:
        data = p.filter(pl.col("unit") == c.unit).sort("period")
        for row, (k, n) in zip(c.rows, data.select("conforming", "cases").iter_rows(), strict=True):
            assert (row.conforming_share == SUPPRESSED) == is_suppressed(k, n)
            assert row.cases == (SMALL if 0 < n < 5 else str(n))
    # the why section: the planted cause, in a sentence
    amb = (
        log.filter(pl.col("arrival") == "ambulans")
        .group_by("case")
        .agg((pl.col("activity") == "A_Tri").any().alias("triaged"))
    )
    rate = 100 * (1 - float(amb["triaged"].mean()))  # type: ignore[arg-type]
    expected = f"«Triage» is skipped in {rate:.1f} % of {amb.height} cases with arrival = ambulans"
    assert tr.sentences and tr.sentences[0].startswith(expected), tr.sentences
    for row in tr.causes:
        assert (_count(row.cases) or 5) >= 5 and row.rate != SUPPRESSED
    html = b.html()
    assert "C00001" not in html  # no case id
    md, _ = b.markdown("files")
    assert "## What explains the deviations?" in md and "## Change over time" in md


def test_practice_frequencies_below_five_are_hidden(bpmn: Path) -> None:
    log = planted_log(6, per_month=2)  # about 24 cases per unit, a few skip triage
    r = check(bpmn, read_log(log), practice=True)
    tr = ReportBuilder(r, ReportOptions(generated=False)).context().trends
    diff = r.analyses.practice
    assert diff is not None
    seen_small = False
    for unit in tr.practice:
        data = diff.transitions.filter(
            (pl.col("unit") == unit.unit) & (pl.col("status") == "added")
        ).sort(["frequency", "source", "target"], descending=[True, False, False])
        for edge, (freq, cases) in zip(
            unit.added, data.select("frequency", "cases").iter_rows(), strict=False
        ):
            small = 0 < freq < 5
            seen_small |= small
            assert edge.frequency == (SMALL if small else str(freq))
            assert (edge.case_share == SUPPRESSED) == is_suppressed(cases)
    assert seen_small  # the rule was exercised
