"""Inputs checked against the standard before any alignment (issue 14, items 4 and 5): mapping
targets must exist, a log that barely matches warns (or fails with ``strict``), and cases
whose events name several units are counted and assigned by ``unit_assignment``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from fvmprocess.conformance import CheckOptions, check
from fvmprocess.conformance.check import check_mapping
from fvmprocess.engines.embedded import assign_units
from fvmprocess.errors import ConformanceError
from fvmprocess.eventlog import ActivityMapping, read_log
from fvmprocess.petri import PetriNet
from fvmprocess.process import resolve_process
from nets import make_net

T0 = datetime(2025, 3, 3, 8, 0)


def abc() -> PetriNet:
    """A -> B -> C."""
    return make_net(
        "abc",
        {"tA": ("A", ["i"], ["p1"]), "tB": ("B", ["p1"], ["p2"]), "tC": ("C", ["p2"], ["o"])},
    )


def frame(rows: Sequence[tuple[str, str, str | None]]) -> pl.DataFrame:
    """Events ``(case, activity, unit)``, 10 minutes apart in the order given."""
    return pl.DataFrame(
        {
            "case": [c for c, _, _ in rows],
            "activity": [a for _, a, _ in rows],
            "timestamp": [T0 + timedelta(minutes=10 * i) for i in range(len(rows))],
            "unit": [u for _, _, u in rows],
        }
    )


# -- mapping targets -----------------------------------------------------------------------------


def test_unknown_mapping_targets_are_named_with_their_lines(tmp_path: Path) -> None:
    """0.1 accepted 'Activity_Antibiotics' for 'Activity_Antibiotika' and counted its events
    as unknown activities."""
    m = tmp_path / "map.csv"
    m.write_text("local,standard\nAntal,A\nBeta,Bee\nFika,-\nCeta,C\nDelta,Cee\n", "utf-8")
    with pytest.raises(ConformanceError) as ei:
        check_mapping(m, resolve_process(abc()))
    err = ei.value
    assert err.source == str(m) and err.place == "lines 3, 6"
    assert "line 3: 'Beta' -> 'Bee'" in str(err) and "line 6: 'Delta' -> 'Cee'" in str(err)
    assert "2 mapping targets" in str(err)
    log = frame([("k1", "Antal", "U"), ("k1", "Beta", "U")])
    with pytest.raises(ConformanceError, match="line 3"):
        check(abc(), log, mapping=m)


def test_unknown_target_in_yaml_names_its_line_and_the_close_id(tmp_path: Path) -> None:
    m = tmp_path / "map.yaml"
    m.write_text("mapping:\n  Triage: Activity_Triage\n  Antibiotika: Activity_Antibiotics\n")
    akut = resolve_process("akutmottagning")
    assert "Activity_Triage" in akut.net.labels
    with pytest.raises(ConformanceError) as ei:
        check_mapping(m, akut)
    assert ei.value.place == "line 3"
    assert "'Antibiotika' -> 'Activity_Antibiotics'" in str(ei.value)


def test_known_targets_ids_and_names_pass() -> None:
    akut = resolve_process("akutmottagning")
    name = akut.labels["Activity_Triage"].sv
    ok = ActivityMapping.from_dict({"T": "Activity_Triage", "T2": name, "T3": name.upper()})
    assert check_mapping(ok, akut) == ok


# -- share of matching events --------------------------------------------------------------------


def test_a_log_matching_nothing_warns(caplog: pytest.LogCaptureFixture) -> None:
    """0.1: a log in which no event is an activity of the model passed without a word."""
    log = frame([(f"k{i}", a, "U") for i in range(6) for a in ("X", "Y")])
    with caplog.at_level(logging.WARNING, logger="fvmprocess"):
        r = check(abc(), log)
    assert r.accounting.warnings["low_match_share"] == 12
    assert any("0.0 % of the events (0 of 12)" in m for m in caplog.messages)
    with pytest.raises(ConformanceError, match=r"0\.0 % of the events"):
        check(abc(), log, strict=True)


def test_match_share_threshold() -> None:
    """3 of 6 events match: 0.5 passes at min 0.5, warns at min 0.6."""
    log = frame([("k1", "A", "U"), ("k1", "B", "U"), ("k1", "C", "U")] + [("k2", "X", "U")] * 3)
    assert "low_match_share" not in check(abc(), log).accounting.warnings
    assert check(abc(), log, min_match_share=0.6).accounting.warnings["low_match_share"] == 3
    with pytest.raises(ValueError, match="min_match_share"):
        CheckOptions(min_match_share=1.5)


# -- cases at several units ----------------------------------------------------------------------

#: k1: A@U1 B@U2 C@U2 (two units); k2: A@U1 B@- C@U1 (one unit, a gap); k3 one unit.
MULTI = [
    ("k1", "A", "U1"),
    ("k1", "B", "U2"),
    ("k1", "C", "U2"),
    ("k2", "A", "U1"),
    ("k2", "B", None),
    ("k2", "C", "U1"),
    ("k3", "A", "U3"),
    ("k3", "B", "U3"),
    ("k3", "C", "U3"),
]


def test_multi_unit_cases_are_counted_and_assigned() -> None:
    """0.1 counted k1 wholly for U1 without a word."""
    log = read_log(frame(MULTI))
    first = check(abc(), log)
    assert first.accounting.warnings["multi_unit_cases"] == 1
    assert dict(first.cases.select("case", "unit").iter_rows()) == {
        "k1": "U1",
        "k2": "U1",
        "k3": "U3",
    }
    most = check(abc(), log, unit_assignment="most")
    assert dict(most.cases.select("case", "unit").iter_rows())["k1"] == "U2"
    split = check(abc(), log, unit_assignment="split")
    assert split.accounting.warnings["unit_episodes"] == 2
    got = {c: (u, n) for c, u, n in split.cases.select("case", "unit", "events").iter_rows()}
    assert got == {"k1#1": ("U1", 1), "k1#2": ("U2", 2), "k2": ("U1", 3), "k3": ("U3", 3)}
    # episode k1#1 is A alone (B, C skipped), k1#2 is B, C (A skipped)
    skipped = split.deviations.filter(pl.col("kind") == "skipped")
    assert sorted(skipped.select("case", "activity").iter_rows()) == [
        ("k1#1", "B"),
        ("k1#1", "C"),
        ("k1#2", "A"),
    ]
    assert "multi_unit_cases" not in check(abc(), frame(MULTI[3:])).accounting.warnings


def test_split_episodes_follow_the_order_of_events() -> None:
    """A → B → A is three episodes; events without a unit join the episode before them."""
    rows = [("k", "A", "U1"), ("k", "B", None), ("k", "C", "U2"), ("k", "A", "U1")]
    out = assign_units(frame(rows), "split")
    assert out.events.select("case", "unit").rows() == [
        ("k#1", "U1"),
        ("k#1", "U1"),
        ("k#2", "U2"),
        ("k#3", "U1"),
    ]
    assert (out.multi_unit_cases, out.episodes) == (1, 3)
    clash = frame([*rows, ("k#1", "A", "U1")])
    with pytest.raises(ValueError, match="already case ids"):
        assign_units(clash, "split")
    with pytest.raises(ValueError, match="unit_assignment"):
        CheckOptions(unit_assignment="last")  # type: ignore[arg-type]
