"""Tests of fvmprocess.simulate: play-out, determinism, injected truth found by check()."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest

from fvmprocess._shared.labels import LocalizedText
from fvmprocess.bpmn.reader import read_bpmn
from fvmprocess.catalog import ActivityMetadata, ProcessMetadata, Source, StandardProcess
from fvmprocess.conformance import check
from fvmprocess.eventlog import read_log
from fvmprocess.simulate import (
    INJECTED_KINDS,
    SimulationConfig,
    SimulationResult,
    Simulator,
    simulate_log,
)
from fvmprocess.timelimit import TimeLimit

PERSONNUMMER = re.compile(r"\d{6,8}[-+]?\d{4}")

# A small ED-like process: a sequence, a parallel block, a loop and a three-way choice.
_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="urn:t">
  <process id="mini" isExecutable="false">
    <startEvent id="S"/>
    <userTask id="A_Reg" name="Registrering"/>
    <userTask id="A_Triage" name="Triage"/>
    <parallelGateway id="G1"/>
    <manualTask id="A_Prov" name="Provtagning"/>
    <userTask id="A_Lak" name="Läkarbedömning"/>
    <parallelGateway id="G2"/>
    <exclusiveGateway id="M"/>
    <userTask id="A_Omb" name="Ombedömning"/>
    <exclusiveGateway id="X"/>
    <exclusiveGateway id="V"/>
    <userTask id="A_Hem" name="Hemgång"/>
    <userTask id="A_Inl" name="Inläggning"/>
    <userTask id="A_Over" name="Överflyttning"/>
    <exclusiveGateway id="VM"/>
    <userTask id="A_Avslut" name="Avslut"/>
    <endEvent id="E"/>
    <sequenceFlow id="f1" sourceRef="S" targetRef="A_Reg"/>
    <sequenceFlow id="f2" sourceRef="A_Reg" targetRef="A_Triage"/>
    <sequenceFlow id="f3" sourceRef="A_Triage" targetRef="G1"/>
    <sequenceFlow id="f4" sourceRef="G1" targetRef="A_Prov"/>
    <sequenceFlow id="f5" sourceRef="G1" targetRef="A_Lak"/>
    <sequenceFlow id="f6" sourceRef="A_Prov" targetRef="G2"/>
    <sequenceFlow id="f7" sourceRef="A_Lak" targetRef="G2"/>
    <sequenceFlow id="f8" sourceRef="G2" targetRef="M"/>
    <sequenceFlow id="f9" sourceRef="M" targetRef="A_Omb"/>
    <sequenceFlow id="f10" sourceRef="A_Omb" targetRef="X"/>
    <sequenceFlow id="f11" sourceRef="X" targetRef="M"/>
    <sequenceFlow id="f12" sourceRef="X" targetRef="V"/>
    <sequenceFlow id="f13" sourceRef="V" targetRef="A_Hem"/>
    <sequenceFlow id="f14" sourceRef="V" targetRef="A_Inl"/>
    <sequenceFlow id="f15" sourceRef="V" targetRef="A_Over"/>
    <sequenceFlow id="f16" sourceRef="A_Hem" targetRef="VM"/>
    <sequenceFlow id="f17" sourceRef="A_Inl" targetRef="VM"/>
    <sequenceFlow id="f18" sourceRef="A_Over" targetRef="VM"/>
    <sequenceFlow id="f19" sourceRef="VM" targetRef="A_Avslut"/>
    <sequenceFlow id="f20" sourceRef="A_Avslut" targetRef="E"/>
  </process>
</definitions>
"""


def _limit(id: str, frm: str, to: str, minutes: int, share: float) -> TimeLimit:
    return TimeLimit(
        id=id,
        from_activity=frm,
        to_activity=to,
        max_duration=timedelta(minutes=minutes),
        target_share=share,
        source="test",
        description=LocalizedText(sv=id, en=id),
    )


@pytest.fixture(scope="module")
def process(tmp_path_factory: pytest.TempPathFactory) -> StandardProcess:
    """A small standard process (model + metadata) that check() and Simulator accept."""
    path = tmp_path_factory.mktemp("mini") / "mini.bpmn"
    path.write_text(_BPMN, encoding="utf-8")
    model = read_bpmn(path)
    md = ProcessMetadata(
        id="mini",
        version="1.0.0",
        status="draft",
        valid_from=date(2025, 1, 1),
        owner="test",
        sources=(Source(title="test"),),
        activities={n.id: ActivityMetadata() for n in model.nodes.values() if n.is_activity},
        time_limits=(
            _limit("TL_Triage", "A_Reg", "A_Triage", 10, 0.9),
            _limit("TL_Total", "A_Reg", "A_Avslut", 240, 0.9),
        ),
    )
    return StandardProcess(md, path)


UNITS = {"Akutmottagningen Sahlgrenska": 0.05, "Akutmottagningen Borås": 0.4}


def test_same_seed_same_frame_other_seed_differs(process: StandardProcess) -> None:
    a = simulate_log(process, cases=80, units=UNITS, seed=7)
    b = simulate_log(process, cases=80, units=UNITS, seed=7)
    c = simulate_log(process, cases=80, units=UNITS, seed=8)
    assert a.equals(b)
    assert not a.equals(c)
    assert a.columns == ["case", "activity", "timestamp", "unit", "resource"]
    assert a.schema["timestamp"] == pl.Datetime("us", "Europe/Stockholm")


def test_simulator_and_wrapper_agree(process: StandardProcess) -> None:
    cfg = SimulationConfig(cases=40, units=UNITS, seed=3)
    result = Simulator(process, cfg).run()
    assert isinstance(result, SimulationResult)
    log, truth = result
    assert log.equals(simulate_log(process, cases=40, units=UNITS, seed=3))
    assert set(truth.columns) == {"case", "unit", "kind", "activity", "other", "limit"}


def test_rate_zero_is_perfectly_fitting_and_mostly_in_time(process: StandardProcess) -> None:
    log, truth = simulate_log(
        process,
        cases=300,
        units={"Akutmottagningen Mölndal": 0.0},
        time_limit_breach=0.0,
        return_truth=True,
    )
    assert truth.height == 0
    res = check(process, log)
    assert res.cases.height == 300
    assert res.cases["cost"].max() == 0
    assert res.deviations.filter(pl.col("kind") != "late").height == 0
    shares = res.time_limits.filter(pl.col("unit") == "*")
    assert shares["share"].min() >= 0.85
    # the loop and the choice are exercised
    acts = set(log["activity"])
    assert {"Hemgång", "Inläggning", "Överflyttning"} <= acts
    per_case = log.group_by("case").agg((pl.col("activity") == "Ombedömning").sum().alias("n"))
    assert per_case["n"].max() > 1


def test_every_injected_deviation_is_found(process: StandardProcess) -> None:
    result = simulate_log(
        process,
        cases=400,
        units={"Akutmottagningen Borås": 0.6, "Akutmottagningen Östra": 0.3},
        seed=11,
        return_truth=True,
    )
    truth = result.truth
    assert set(truth["kind"]) == set(INJECTED_KINDS)
    res = check(process, result.log)
    devs = res.deviations.select("case", "kind", "activity").unique()
    missed = truth.join(devs.select("case", "kind"), on=["case", "kind"], how="anti")
    assert missed.height == 0, missed
    # the activity matches too (for `moved`: either of the swapped pair)
    ids = res.deviations.select("case", "kind", "activity").unique()
    one = truth.filter(pl.col("kind") != "moved").join(
        ids, on=["case", "kind", "activity"], how="anti"
    )
    assert one.height == 0, one
    moved = truth.filter(pl.col("kind") == "moved")
    for row in moved.iter_rows(named=True):
        acts = set(
            ids.filter((pl.col("case") == row["case"]) & (pl.col("kind") == "moved"))["activity"]
        )
        assert acts & {row["activity"], row["other"]}
    # late: the injected limit is reported late in that case
    late = truth.filter(pl.col("kind") == "late")
    rep = res.deviations.filter(pl.col("kind") == "late").select("case", "limit")
    assert late.join(rep, on=["case", "limit"], how="anti").height == 0


def test_cases_without_injection_conform_structurally(process: StandardProcess) -> None:
    result = simulate_log(process, cases=200, units=UNITS, seed=5, return_truth=True)
    clean = result.cases.filter(pl.col("injected") == 0)["case"]
    res = check(process, result.log)
    costs = res.cases.filter(pl.col("case").is_in(clean.implode()))["cost"]
    assert costs.len() == clean.len()
    assert costs.max() == 0


def test_units_and_rates_are_reflected(process: StandardProcess) -> None:
    units = {"Akutmottagningen Sahlgrenska": 0.02, "Akutmottagningen Borås": 0.5}
    log = simulate_log(process, cases=600, units=units, seed=2)
    assert set(log["unit"]) == set(units)
    res = check(process, log)
    share = dict(res.units.select("unit", "conforming_share").iter_rows())
    assert share["Akutmottagningen Sahlgrenska"] > share["Akutmottagningen Borås"] + 0.2


def test_case_ids_and_resources_are_not_personal_data(process: StandardProcess) -> None:
    log = simulate_log(process, cases=150, units=UNITS, seed=1)
    ids = log["case"].unique().to_list()
    assert all(re.fullmatch(r"[A-Z]+-\d{4}-\d{6}", c) for c in ids)
    assert not any(PERSONNUMMER.search(c) for c in ids)
    assert set(log["resource"]) <= {
        "sjuksköterska",
        "läkare",
        "undersköterska",
        "medicinsk sekreterare",
        "fysioterapeut",
        "apotekare",
    }


def test_timestamps_strictly_increase_and_read_log_keeps_all_rows(
    process: StandardProcess, tmp_path: Any
) -> None:
    log = simulate_log(process, cases=100, units=UNITS, seed=4, activity_names="id")
    diffs = log.select(pl.col("timestamp").diff().over("case").alias("d"))["d"].drop_nulls()
    assert diffs.min() >= timedelta(minutes=1)
    path = tmp_path / "mini.csv"
    log.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%d %H:%M")).write_csv(path)
    read = read_log(path)
    assert read.accounting.rows_used == read.accounting.rows_read == log.height
    assert set(read.events["activity"]) == set(log["activity"])


def test_activity_names(process: StandardProcess) -> None:
    sv = simulate_log(process, cases=10, units=UNITS, activity_names="sv")
    ids = simulate_log(process, cases=10, units=UNITS, activity_names="id")
    assert "Registrering" in set(sv["activity"])
    assert "A_Reg" in set(ids["activity"])
    with pytest.raises(ValueError, match="activity_names"):
        SimulationConfig(activity_names="fr")  # type: ignore[arg-type]


def test_invalid_settings() -> None:
    with pytest.raises(ValueError, match="rate"):
        SimulationConfig(units={"X": 1.5})
    with pytest.raises(ValueError, match="kind_weights"):
        SimulationConfig(kind_weights={"late": 1.0})


def test_petri_net_input(process: StandardProcess) -> None:
    from fvmprocess.compile import to_petri_net

    net = to_petri_net(process.model, label="id")
    log = simulate_log(net, cases=30, units=UNITS, seed=1)
    assert log["case"].n_unique() == 30
    assert check(net, log).cases.height == 30


@pytest.mark.parametrize("pid", ["akutmottagning", "sepsis_akut", "hoftfraktur"])
def test_catalogue_processes(pid: str) -> None:
    result = simulate_log(pid, cases=150, seed=1, return_truth=True)
    res = check(pid, result.log)
    missed = result.truth.join(
        res.deviations.select("case", "kind").unique(), on=["case", "kind"], how="anti"
    )
    assert missed.height == 0
    clean = result.cases.filter(pl.col("injected") == 0)["case"]
    assert res.cases.filter(pl.col("case").is_in(clean.implode()))["cost"].max() == 0


def test_wrapper_keeps_the_given_config(process: StandardProcess) -> None:
    """Issue 9: ``simulate_log(config=SimulationConfig(cases=7))`` made 1 000 cases."""
    cfg = SimulationConfig(cases=7, units=UNITS, seed=9, activity_names="id", verify=False)
    log = simulate_log(process, config=cfg)
    assert log["case"].n_unique() == 7
    assert log.equals(Simulator(process, cfg).run().log)
    assert "A_Reg" in set(log["activity"])
    # a keyword given overrides that field only; None is a value, not "not given"
    three = simulate_log(process, config=cfg, cases=3)
    assert three["case"].n_unique() == 3 and "A_Reg" in set(three["activity"])
    default_units = simulate_log(process, config=cfg, units=None)
    assert set(default_units["unit"]) != set(UNITS)


def test_time_zone_of_the_log(process: StandardProcess) -> None:
    cfg = SimulationConfig(cases=20, units=UNITS, seed=2, timezone="America/New_York")
    log = simulate_log(process, config=cfg)
    assert log.schema["timestamp"] == pl.Datetime("us", "America/New_York")
    stockholm = simulate_log(process, config=replace(cfg, timezone="Europe/Stockholm"))
    assert (
        not log["timestamp"]
        .dt.replace_time_zone(None)
        .equals(stockholm["timestamp"].dt.replace_time_zone(None))
    )
    with pytest.raises(ValueError, match="time zone"):
        SimulationConfig(timezone="Mars/Olympus")


def test_limits_come_from_the_one_time_limit_type(process: StandardProcess) -> None:
    sim = Simulator(process, SimulationConfig(cases=1, verify=False))
    assert all(isinstance(lim, TimeLimit) for lim in sim.limits)
    assert [lim.id for lim in sim.limits] == ["TL_Triage", "TL_Total"]
    # a catalogue limit from a start event counts from the case's first event
    remiss = Simulator("remiss_vardgaranti", SimulationConfig(cases=1, verify=False))
    kontakt = next(lim for lim in remiss.limits if lim.id == "TL_Kontakt")
    assert kontakt.from_activity is None
