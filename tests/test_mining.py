"""Tests for fvmprocess.mining: variants, directly-follows, throughput times, discovery."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from fvmprocess.eventlog import EventLog, read_log, variant_table
from fvmprocess.mining import (
    DfgEdge,
    DirectlyFollowsGraph,
    directly_follows,
    discover,
    throughput_times,
    variants,
)

DATA = Path(__file__).resolve().parent / "data" / "eventlog"


@pytest.fixture()
def swedish() -> EventLog:
    return read_log(DATA / "swedish_export.csv", duplicates="reject")


@pytest.fixture()
def small() -> EventLog:
    t0 = datetime(2024, 1, 1, 12, 0)
    s = timedelta(seconds=1)
    frame = pl.DataFrame(
        {
            "case": ["1", "1", "2", "2", "3", "3", "3"],
            "activity": ["a", "b", "a", "b", "a", "b", "c"],
            "timestamp": [t0, t0 + 60 * s, t0, t0 + 120 * s, t0, t0 + 300 * s, t0 + 360 * s],
        }
    )
    return read_log(frame, timezone="UTC")


def test_variants_wrapper(small: EventLog) -> None:
    assert variants(small).rows() == [(["a", "b"], 2), (["a", "b", "c"], 1)]


def test_dfg_frequencies_and_durations(small: EventLog) -> None:
    dfg = directly_follows(small)
    assert dict(dfg.edges) == {
        ("a", "b"): DfgEdge(3, 160.0, 120.0),
        ("b", "c"): DfgEdge(1, 60.0, 60.0),
    }
    assert dict(dfg.start_activities) == {"a": 3}
    assert dict(dfg.end_activities) == {"b": 2, "c": 1}
    assert dfg.activities == {"a", "b", "c"}
    frame = dfg.to_frame()
    assert frame.rows() == [("a", "b", 3, 160.0, 120.0), ("b", "c", 1, 60.0, 60.0)]


def test_dfg_swedish(swedish: EventLog) -> None:
    dfg = directly_follows(swedish)
    assert {k: (e.frequency, e.mean_seconds) for k, e in dfg.edges.items()} == {
        ("Inskrivning", "Läkarbedömning"): (1, 900.0),
        ("Inskrivning", "Röntgen"): (1, 5400.0),
        ("Läkarbedömning", "Utskrivning"): (1, 66600.0),
        ("Röntgen", "Utskrivning"): (1, 144000.0),
    }
    assert dict(dfg.start_activities) == {"Inskrivning": 3}
    assert dict(dfg.end_activities) == {"Utskrivning": 2, "Inskrivning": 1}


def test_dfg_without_timestamps(tmp_path: Path) -> None:
    p = tmp_path / "plain.xes"
    p.write_text(
        "<log><trace><event><string key='concept:name' value='a'/></event>"
        "<event><string key='concept:name' value='b'/></event></trace></log>"
    )
    dfg = directly_follows(read_log(p))
    assert dict(dfg.edges) == {("a", "b"): DfgEdge(1, None, None)}


def test_empty_dfg() -> None:
    empty = DirectlyFollowsGraph()
    assert empty.activities == set()
    assert empty.to_frame().height == 0


def test_throughput_by_case(swedish: EventLog) -> None:
    tt = throughput_times(swedish)
    assert tt.select("case", "unit", "events", "seconds").rows() == [
        ("K1", "Avd 12 Östra", 3, 67500.0),
        ("K2", "Avd 14 Västra", 3, 149400.0),
        ("K3", "Avd 12 Östra", 1, 0.0),
    ]
    assert tt["duration"].dtype == pl.Duration("us")


def test_throughput_by_unit(swedish: EventLog) -> None:
    tt = throughput_times(swedish, by="unit")
    assert tt.rows() == [
        ("Avd 12 Östra", 2, 33750.0, 33750.0, 60750.0),
        ("Avd 14 Västra", 1, 149400.0, 149400.0, 149400.0),
    ]
    assert tt.columns == ["unit", "cases", "mean_seconds", "median_seconds", "p90_seconds"]


def test_throughput_by_unit_without_units(small: EventLog) -> None:
    tt = throughput_times(small, by="unit")
    assert tt.rows() == [(None, 3, 180.0, 120.0, 312.0)]
    with pytest.raises(ValueError, match="by must be"):
        throughput_times(small, by="week")  # type: ignore[arg-type]


def test_throughput_uses_start_timestamp() -> None:
    log = read_log(DATA / "lifecycle.csv")
    tt = throughput_times(log)
    # Triage started 08:00 local, Lab completed 09:30 local
    assert tt["seconds"].to_list() == [5400.0]


def test_discover_arguments_validated(small: EventLog) -> None:
    with pytest.raises(ValueError, match="algorithm"):
        discover(small, algorithm="alpha")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="noise_threshold"):
        discover(small, noise_threshold=2.0)


def test_discover_without_pm4py_names_the_extra(
    small: EventLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pm4py", None)  # makes `import pm4py` raise ImportError
    with pytest.raises(ImportError, match=r"pip install 'fvmprocess\[pm4py\]'"):
        discover(small)


def test_variants_wrapper_is_the_variant_table(small: EventLog) -> None:
    table = variant_table(small.events).variants
    assert variants(small).equals(table.select(pl.col("activities").alias("variant"), "cases"))


@pytest.mark.pm4py
def test_discover_inductive(swedish: EventLog) -> None:
    pytest.importorskip("pm4py")
    net = discover(swedish, noise_threshold=0.0)
    assert net.labels == swedish.activities
    assert net.is_workflow_net()


def test_real_receipt_dfg(shared_real: Path) -> None:
    log = read_log(shared_real / "logs" / "receipt.csv.gz")
    dfg = directly_follows(log)
    assert sum(e.frequency for e in dfg.edges.values()) == 8577 - 1434
    assert sum(dfg.start_activities.values()) == 1434
    assert sum(dfg.end_activities.values()) == 1434
