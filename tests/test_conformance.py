"""Conformance checking: deviation kinds, time limits, allow-list, scores, JSON."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from fvmprocess.conformance import (
    Allow,
    AppliedOptions,
    CheckOptions,
    ConformanceResult,
    ProcessInfo,
    check,
)
from fvmprocess.conformance.classify import Deviation, classify, explains
from fvmprocess.conformance.moves import Move
from fvmprocess.conformance.options import CheckOptionValues
from fvmprocess.errors import ConformanceError
from fvmprocess.eventlog import Accounting, EventLog, read_log
from fvmprocess.petri import PetriNet, Transition
from fvmprocess.timelimit import TimeLimit


def seq_net() -> PetriNet:
    """A -> (B || C) -> D, with the AND-split/join as silent transitions."""
    t = [
        Transition("tA", "A"),
        Transition("split", None),
        Transition("tB", "B"),
        Transition("tC", "C"),
        Transition("join", None),
        Transition("tD", "D"),
    ]
    arcs = [
        ("i", "tA", 1),
        ("tA", "p1", 1),
        ("p1", "split", 1),
        ("split", "pb", 1),
        ("split", "pc", 1),
        ("pb", "tB", 1),
        ("pc", "tC", 1),
        ("tB", "qb", 1),
        ("tC", "qc", 1),
        ("qb", "join", 1),
        ("qc", "join", 1),
        ("join", "p2", 1),
        ("p2", "tD", 1),
        ("tD", "o", 1),
    ]
    return PetriNet(
        "seq",
        ("i", "p1", "pb", "pc", "qb", "qc", "p2", "o"),
        tuple(t),
        tuple(arcs),
        {"i": 1},
        {"o": 1},
    )


def make_log(cases: dict[str, list[str]], units: dict[str, str], step_min: int = 10) -> EventLog:
    rows = []
    base = datetime(2025, 3, 3, 8, 0)
    for c, acts in cases.items():
        for i, a in enumerate(acts):
            rows.append(
                {
                    "case": c,
                    "activity": a,
                    "timestamp": (base + timedelta(minutes=step_min * i)).isoformat(),
                    "unit": units[c],
                }
            )
    return read_log(pl.DataFrame(rows))


def test_every_deviation_kind_is_detected() -> None:
    log = make_log(
        {
            "ok": ["A", "B", "C", "D"],
            "ok2": ["A", "C", "B", "D"],
            "skip": ["A", "B", "D"],  # C skipped
            "insert": ["A", "B", "A", "C", "D"],  # A repeated (already executed)
            "ins2": ["A", "B", "C", "D", "D"],  # D repeated at the end
            "moved": ["D", "A", "B", "C"],  # D too early: log move + model move of D
            "unknown": ["A", "B", "X", "C", "D"],
        },
        {c: "Enhet 1" for c in ["ok", "ok2", "skip", "insert", "ins2", "moved", "unknown"]},
    )
    r = check(seq_net(), log)
    by_case: dict[str, list[tuple[str, str]]] = {}
    for row in r.deviations.iter_rows(named=True):
        by_case.setdefault(row["case"], []).append((row["kind"], row["activity"]))
    assert "ok" not in by_case and "ok2" not in by_case
    assert by_case["skip"] == [("skipped", "C")]
    assert by_case["insert"] == [("repeated", "A")]
    assert by_case["ins2"] == [("repeated", "D")]
    assert by_case["moved"] == [("moved", "D")]
    assert by_case["unknown"] == [("unknown_activity", "X")]
    cases = {row["case"]: row for row in r.cases.iter_rows(named=True)}
    assert cases["ok"]["cost"] == 0 and cases["ok"]["conforming"]
    assert cases["skip"]["cost"] == 1 and not cases["skip"]["conforming"]
    assert cases["moved"]["cost"] == 2
    # fitness = 1 - cost / (len(trace) + shortest model run) = 1 - 1/(3+4)
    assert cases["skip"]["fitness"] == pytest.approx(1 - 1 / 7)
    assert r.unmapped == {"X": 1}


def xor_net() -> PetriNet:
    """A -> (B xor C) -> D."""
    t = [Transition("tA", "A"), Transition("tB", "B"), Transition("tC", "C"), Transition("tD", "D")]
    arcs = [
        ("i", "tA", 1),
        ("tA", "p1", 1),
        ("p1", "tB", 1),
        ("p1", "tC", 1),
        ("tB", "p2", 1),
        ("tC", "p2", 1),
        ("p2", "tD", 1),
        ("tD", "o", 1),
    ]
    return PetriNet("xor", ("i", "p1", "p2", "o"), tuple(t), tuple(arcs), {"i": 1}, {"o": 1})


def test_inserted_activity_from_the_other_branch() -> None:
    r = check(xor_net(), make_log({"c": ["A", "B", "C", "D"]}, {"c": "U"}))
    devs = [(row["kind"], row["activity"]) for row in r.deviations.iter_rows(named=True)]
    assert len(devs) == 1 and devs[0][0] == "inserted" and devs[0][1] in ("B", "C")
    assert r.cases["cost"].to_list() == [1.0]


def test_inserted_vs_repeated() -> None:
    moves = [
        Move("A", "A", "tA", "sync"),
        Move("B", None, None, "log"),
        Move("C", "C", "tC", "sync"),
        Move("A", None, None, "log"),
    ]
    got = classify(moves, {"A", "B", "C"})
    assert got == [Deviation("inserted", "B", 1, 1.0), Deviation("repeated", "A", 3, 1.0)]


def test_positions_and_times_of_deviations() -> None:
    log = make_log({"c1": ["A", "B", "D"]}, {"c1": "U"})
    r = check(seq_net(), log)
    row = r.deviations.row(0, named=True)
    assert row["kind"] == "skipped" and row["activity"] == "C"
    assert row["position"] in (1, 2) and row["time"] is None
    log2 = make_log({"c2": ["A", "B", "X", "C", "D"]}, {"c2": "U"})
    row2 = check(seq_net(), log2).deviations.row(0, named=True)
    assert row2["position"] == 2
    assert row2["time"].isoformat().startswith("2025-03-03T07:20")  # 08:20 CET in UTC


def test_time_limits_late_and_compliance() -> None:
    log = make_log(
        {"fast": ["A", "B", "C", "D"], "slow": ["A", "B", "C", "D"]},
        {"fast": "U1", "slow": "U2"},
    )
    # stretch the slow case: D 5 hours after A
    ev = log.events.with_columns(
        pl.when((pl.col("case") == "slow") & (pl.col("activity") == "D"))
        .then(pl.col("timestamp") + pl.duration(hours=5))
        .otherwise(pl.col("timestamp"))
        .alias("timestamp")
    )
    log = EventLog(ev, source="t", accounting=log.accounting)
    lim = TimeLimit(
        id="A-D", from_activity="A", to_activity="D", max_duration="PT4H", target_share=0.9
    )
    r = check(seq_net(), log, time_limits=[lim])
    late = r.deviations.filter(pl.col("kind") == "late")
    assert late["case"].to_list() == ["slow"] and late["limit"].to_list() == ["A-D"]
    cases = {row["case"]: row for row in r.cases.iter_rows(named=True)}
    assert cases["slow"]["conforming"] is False and cases["slow"]["cost"] == 0
    tl = {row["unit"]: row for row in r.time_limits.iter_rows(named=True)}
    assert tl["U1"]["share"] == 1.0 and tl["U2"]["share"] == 0.0 and tl["*"]["share"] == 0.5
    assert tl["*"]["meets_target"] is False and tl["U1"]["meets_target"] is True
    assert tl["*"]["durations_s"] == [1800.0, 1800.0 + 5 * 3600]


def test_allow_list_global_and_per_unit() -> None:
    log = make_log({"a": ["A", "B", "D"], "b": ["A", "B", "D"]}, {"a": "U1", "b": "U2"})
    r = check(seq_net(), log, allow=[Allow("skipped", "C", unit="U1")])
    cases = {row["case"]: row for row in r.cases.iter_rows(named=True)}
    assert cases["a"]["conforming"] and cases["a"]["fitness"] == 1.0
    assert not cases["b"]["conforming"]
    assert r.deviations.filter(pl.col("case") == "a")["allowed"].to_list() == [True]
    r2 = check(seq_net(), log, allow=[Allow("skipped", "C")])
    assert r2.cases["conforming"].all()
    with pytest.raises(ValueError, match=r"Allow\.kind"):
        Allow("forgotten")


def test_unit_scores_intervals_and_ranking() -> None:
    cases = {f"g{i}": ["A", "B", "C", "D"] for i in range(8)}
    cases |= {f"h{i}": ["A", "B", "D"] for i in range(4)}
    units = {c: "Bra" for c in cases if c.startswith("g")} | {
        c: "Sämre" for c in cases if c.startswith("h")
    }
    units |= {"g0": "Sämre", "g1": "Sämre"}
    r = check(seq_net(), make_log(cases, units))
    u = {row["unit"]: row for row in r.units.iter_rows(named=True)}
    assert u["Bra"]["cases"] == 6 and u["Bra"]["conforming_share"] == 1.0
    assert u["Sämre"]["cases"] == 6 and u["Sämre"]["conforming_share"] == pytest.approx(2 / 6)
    assert u["Bra"]["rank"] == 1 and u["Sämre"]["rank"] == 2
    lo, hi = u["Sämre"]["conforming_share_low"], u["Sämre"]["conforming_share_high"]
    assert lo < 2 / 6 < hi
    # Wilson interval for 2/6 (hand-computed): [0.0968, 0.7000]
    assert lo == pytest.approx(0.0968, abs=1e-3) and hi == pytest.approx(0.7000, abs=1e-3)
    acts = r.activities.filter((pl.col("unit") == "Sämre") & (pl.col("activity") == "C"))
    assert acts["skip_rate"].to_list() == [pytest.approx(4 / 6)]


def test_json_follows_schema_and_round_trips(tmp_path: Path) -> None:
    log = make_log({"a": ["A", "B", "D"], "b": ["A", "B", "C", "D"]}, {"a": "U1", "b": "U2"})
    r = check(seq_net(), log)
    text = r.to_json(tmp_path / "r.json")
    data = json.loads(text)
    assert data["schema"] == "fvmprocess.conformance" and data["schema_version"] == "2.1"
    assert {c["case"] for c in data["cases"]} == {"a", "b"}
    a = next(c for c in data["cases"] if c["case"] == "a")
    assert a["deviations"][0]["kind"] == "skipped" and a["deviations"][0]["activity"] == "C"
    assert set(data["units"][0]) >= {"unit", "cases", "conforming_share", "mean_fitness"}
    acc = data["accounting"]
    assert acc["rows_read"] == 7 and acc["rows_used"] == 7 and acc["rows_rejected"] == 0
    again = ConformanceResult.from_json(tmp_path / "r.json")
    assert again.summary() == r.summary()
    assert r.to_json() == check(seq_net(), log).to_json()  # deterministic


def test_calendar_day_limits_and_scoped_limits() -> None:
    # A at 23:50 local, D at 00:20 the next day: 30 minutes elapsed, but 1 calendar day
    rows = [
        {"case": "c1", "activity": "A", "timestamp": "2025-03-03 23:50", "unit": "U"},
        {"case": "c1", "activity": "B", "timestamp": "2025-03-04 00:00", "unit": "U"},
        {"case": "c1", "activity": "C", "timestamp": "2025-03-04 00:10", "unit": "U"},
        {"case": "c1", "activity": "D", "timestamp": "2025-03-04 00:20", "unit": "U"},
        {"case": "c2", "activity": "A", "timestamp": "2025-03-03 08:00", "unit": "U"},
        {"case": "c2", "activity": "C", "timestamp": "2025-03-03 09:00", "unit": "U"},
        {"case": "c2", "activity": "B", "timestamp": "2025-03-03 10:00", "unit": "U"},
        {"case": "c2", "activity": "D", "timestamp": "2025-03-03 23:59", "unit": "U"},
    ]
    log = read_log(pl.DataFrame(rows))
    same_day = TimeLimit(
        id="same-day",
        from_activity="A",
        to_activity="D",
        max_duration="P0D",
        counting="calendar_days",
    )
    r = check(seq_net(), log, time_limits=[same_day])
    late = r.deviations.filter(pl.col("kind") == "late")["case"].to_list()
    assert late == ["c1"]
    elapsed = TimeLimit(id="1h", from_activity="A", to_activity="D", max_duration="PT1H")
    r = check(seq_net(), log, time_limits=[elapsed])
    assert r.deviations.filter(pl.col("kind") == "late")["case"].to_list() == ["c2"]
    # scoped: only cases where C happened before... here: applies_if/unless on activities
    scoped = elapsed.model_copy(update={"applies_unless": ("C",)})
    r = check(seq_net(), log, time_limits=[scoped])
    assert r.time_limits.filter(pl.col("unit") == "*")["evaluated"].to_list() == [0]


def test_notebook_view_hides_identifiers() -> None:
    log = make_log(
        {"19121212-1212": ["A", "B", "D"], "c2": ["A", "B", "C", "D"]},
        {"19121212-1212": "Enhet 19121212-1212", "c2": "U2"},
    )
    html = check(seq_net(), log)._repr_html_()
    assert "19121212-1212" not in html and "1212" not in html.replace("<5", "")
    assert "<td>&lt;5</td>" in html and "<td><5</td>" not in html


def test_calendar_days_are_counted_in_the_log_time_zone() -> None:
    """08:00Z and 23:30Z are one day in UTC but two in Stockholm (00:30 the next day)."""
    frame = pl.DataFrame(
        {
            "case": ["c"] * 4,
            "activity": ["A", "B", "C", "D"],
            "timestamp": [
                "2025-03-01T08:00:00Z",
                "2025-03-01T09:00:00Z",
                "2025-03-01T10:00:00Z",
                "2025-03-01T23:30:00Z",
            ],
        }
    )
    same_day = TimeLimit(
        id="same-day",
        from_activity="A",
        to_activity="D",
        max_duration="P0D",
        counting="calendar_days",
    )
    for tz, late in (("UTC", 0), ("Europe/Stockholm", 1)):
        r = check(seq_net(), read_log(frame, timezone=tz), time_limits=[same_day])
        assert r.cases["late"].to_list() == [late], tz
        assert same_day.is_late(
            datetime.fromisoformat("2025-03-01T08:00:00+00:00"),
            datetime.fromisoformat("2025-03-01T23:30:00+00:00"),
            timezone=tz,
        ) is bool(late)


def test_check_options_and_keyword_overrides() -> None:
    log = make_log({"a": ["A", "B", "D"], "b": ["A", "B", "C", "D"]}, {"a": "U1", "b": "U2"})
    opts = CheckOptions(allow=[Allow("skipped", "C")])
    assert opts.allow == (Allow("skipped", "C"),)  # stored as a tuple
    by_options = check(seq_net(), log, options=opts)
    by_keyword = check(seq_net(), log, allow=[Allow("skipped", "C")])
    assert by_options.to_json() == by_keyword.to_json()
    assert by_options.cases["conforming"].all()
    # overrides apply on top of the options, which stay as they were
    stricter = check(seq_net(), log, options=opts, allow=())
    assert not stricter.cases["conforming"].all()
    assert opts.allow == (Allow("skipped", "C"),)
    copy = opts.update(processes=2)
    assert copy.processes == 2 and opts.processes == 1 and copy.allow == opts.allow
    with pytest.raises(TypeError, match="unknown check option"):
        opts.update(proceses=2)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="engine"):
        CheckOptions(engine="dask")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="processes"):
        check(seq_net(), log, processes=0)
    assert set(CheckOptionValues.__annotations__) == {f.name for f in fields(CheckOptions)}


def test_result_is_typed_and_round_trips(tmp_path: Path) -> None:
    log = make_log({"a": ["A", "B", "D"]}, {"a": "U1"})
    lim = TimeLimit(id="1h", from_activity="A", to_activity="D", max_duration="PT1H")
    r = check(seq_net(), log, time_limits=[lim], allow=[Allow("skipped", "C", reason="ok")])
    assert r.process == ProcessInfo(id="seq", kind="petri")
    assert isinstance(r.accounting, Accounting) and r.accounting == log.accounting
    assert r.options == AppliedOptions(
        allow=(Allow("skipped", "C", reason="ok"),), time_limits=(lim,)
    )
    r.to_json(tmp_path / "r.json")
    again = ConformanceResult.from_json(tmp_path / "r.json")
    assert again.process == r.process and again.accounting == r.accounting
    assert again.options == r.options
    data = json.loads(r.to_json())
    assert data["process"] == {"id": "seq", "kind": "petri"}
    assert data["options"]["time_limits"] == [
        {
            "id": "1h",
            "from": "A",
            "to": "D",
            "max_seconds": 3600.0,
            "target_share": None,
            "counting": "elapsed",
        }
    ]


def test_catalogue_result_names_the_process() -> None:
    from fvmprocess.simulate import simulate_log

    r = check("akutmottagning", read_log(simulate_log("akutmottagning", cases=5, seed=1)))
    assert r.process.id == "akutmottagning" and r.process.version
    assert r.process.name("en") == "Emergency department patient flow"
    assert r.process.source is None  # no machine-specific path in the JSON
    assert r.options.time_limits and all(t.from_activity for t in r.options.time_limits)


def test_explains_matches_the_classifier() -> None:
    # B and C swapped in a sequence A, B, C: one of them is a log move plus a model move
    moves = [
        Move("A", "A", "tA", "sync"),
        Move("C", None, None, "log"),
        Move("B", "B", "tB", "sync"),
        Move(None, "C", "tC", "model"),
    ]
    devs = classify(moves, {"A", "B", "C"})
    assert devs == [Deviation("moved", "C", 1, 2.0)]
    assert explains(devs, "moved", "B", "C") and explains(devs, "moved", "C")
    assert not explains(devs, "moved", "A", "B")
    assert not explains(devs, "skipped", "C") and not explains(devs, "repeated", "C")
    assert explains(devs, "late", "C")  # not something an alignment shows


def _labelled_net() -> tuple[PetriNet, dict[str, str]]:
    return seq_net(), {"A": "Ankomst", "B": "Bedömning", "C": "Provtagning", "D": "Avslut"}


def test_names_everywhere_and_round_trip(tmp_path: Path) -> None:
    from fvmprocess.bpmn.reader import read_bpmn

    model = read_bpmn(Path(__file__).parent / "data" / "report" / "akut.bpmn")
    names = {n.id: n.name for n in model.nodes.values() if n.is_activity and n.name}
    std = ["Task_Reg", "Task_Triage", "Task_Lab", "Task_Doc", "Task_Out"]
    log = make_log(
        {
            "a": std,
            "b": [std[0], std[2], std[1], *std[3:]],  # swapped
            "c": [std[0], std[1], "Telefonsamtal", *std[2:]],  # foreign insertion
            "d": [std[0], *std[2:]],  # skipped triage
        },
        {"a": "U1", "b": "U1", "c": "U2", "d": "U2"},
    )
    r = check(model, log)
    devs = r.deviations
    assert devs.height >= 2
    for act, name in devs.select("activity", "activity_name").iter_rows():
        assert name == names.get(act, act)  # the label, or the log's name outside the standard
    assert "Telefonsamtal" in devs["activity_name"].to_list()
    assert names["Task_Triage"] in devs.filter(pl.col("kind") == "skipped")["activity_name"]
    for act, name in r.activities.select("activity", "activity_name").iter_rows():
        assert name == names.get(act, act)
    for moves in r.variants["moves"].to_list():
        for m in moves:
            act = m["model"] if m["kind"] == "model" else m["log"]
            assert m["activity"] == act and m["activity_name"] == names.get(act, act)
    for path in (tmp_path / "r.json", f"{tmp_path}/dir/"):
        r.write(path)
        again = ConformanceResult.load(path, find_model=False)
        for table in ("cases", "deviations", "variants", "units", "activities", "time_limits"):
            mine, theirs = getattr(r, table), getattr(again, table)
            assert mine.columns == theirs.columns and mine.height == theirs.height, table
            assert not mine.height or mine.select(pl.exclude(pl.Float64)).equals(
                theirs.select(pl.exclude(pl.Float64))
            ), table
        assert again.activity_names == r.activity_names and again.process == r.process
        assert again.summary() == r.summary() and again.log_period == r.log_period
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    skipped = [d for c in data["cases"] for d in c["deviations"] if d["kind"] == "skipped"]
    assert skipped[0]["activity"] == "Task_Triage"
    assert skipped[0]["activity_name"] == names["Task_Triage"]
    summary = json.loads((tmp_path / "dir" / "summary.json").read_text("utf-8"))
    assert summary["schema_version"] == "2.1" and "cases" not in summary
    assert sorted(p.name for p in (tmp_path / "dir").glob("*.parquet")) == [
        "activities.parquet",
        "cases.parquet",
        "deviations.parquet",
        "time_limits.parquet",
        "units.parquet",
        "variants.parquet",
    ]


def test_saved_results_are_refused_with_the_file_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "fvmprocess.conformance", "schema_version": "1.0"}', "utf-8")
    with pytest.raises(ConformanceError, match="version") as e:
        ConformanceResult.load(bad)
    assert str(bad) in str(e.value)
    with pytest.raises(ConformanceError, match="summary"):
        ConformanceResult.load(tmp_path)  # a folder without summary.json
    r = check(seq_net(), make_log({"a": ["A", "B", "C", "D"]}, {"a": "U"}))
    with pytest.raises(ConformanceError, match="folder"):
        r.write(tmp_path / "r.parquet")


def test_compact_json_round_trips(tmp_path: Path) -> None:
    r = check(
        seq_net(), make_log({"a": ["A", "B", "D"], "b": ["A", "C", "B", "D"]}, {"a": "U", "b": "V"})
    )
    (tmp_path / "c.json").write_text(r.to_json(indent=None), "utf-8")
    again = ConformanceResult.from_json(tmp_path / "c.json")
    assert again.to_json() == r.to_json() and again.deviations.height == r.deviations.height
