"""The engines give identical tables and results: embedded (polars) and Spark (local[2]).

Spark needs pyspark and a Java runtime; the tests skip without them. A Spark session takes
~5-10 s to start, so the Spark tests share one session and one small simulated log.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from fvmprocess.conformance import check
from fvmprocess.conformance.align import Aligner
from fvmprocess.engines import embedded
from fvmprocess.eventlog import EventLog, read_log
from fvmprocess.process import resolve_process
from fvmprocess.simulate import simulate_log

PROCESS = "akutmottagning"


@pytest.fixture(scope="module")
def log() -> EventLog:
    return read_log(simulate_log(PROCESS, cases=250, seed=11))


def test_embedded_variant_numbering(log: EventLog) -> None:
    cases, variants = embedded.variant_table(log.events)
    assert variants["variant"].to_list() == list(range(variants.height))
    assert int(variants["cases"].sum()) == cases.height == log.events["case"].n_unique()
    keys = variants.select("cases", pl.col("activities").list.join("\x1f").alias("k")).rows()
    assert keys == sorted(keys, key=lambda r: (-r[0], r[1]))


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (java not found)")
    from fvmprocess.engines.spark import get_session

    session = get_session()
    yield session
    session.stop()


@pytest.mark.spark
def test_spark_variant_table_identical(
    spark_session: Any, log: EventLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fvmprocess.engines import spark

    c1, v1 = embedded.variant_table(log.events)
    c2, v2 = spark.variant_table(log.events)
    assert_frame_equal(v1, v2)
    assert_frame_equal(c1, c2)
    # large frames reach a local session through a Parquet file: same tables
    monkeypatch.setattr(spark, "_STAGE_ROWS", 0)
    c4, v4 = spark.variant_table(log.events)
    assert_frame_equal(v1, v4)
    assert_frame_equal(c1, c4)
    # from a Spark DataFrame (as read from Parquet): same tables up to the case order
    c3, v3 = spark.variant_table(
        spark.to_spark(log.events.select("case", "activity", "timestamp", "unit", "row"))
    )
    assert_frame_equal(v1, v3)
    assert_frame_equal(c1.sort("case"), c3.sort("case"))


@pytest.mark.spark
def test_spark_check_same_json(spark_session: Any, log: EventLog) -> None:
    a = check(PROCESS, log, engine="embedded")
    b = check(PROCESS, log, engine="spark")
    # compared as data: the key order of the ``activities`` rows follows a polars pivot whose
    # column order varies from run to run even with one engine (scoring.activity_scores)
    assert json.loads(a.to_json()) == json.loads(b.to_json())


@pytest.mark.spark
def test_spark_alignments_equal(spark_session: Any, log: EventLog) -> None:
    from fvmprocess.engines.spark import align_variants_spark

    net = resolve_process(PROCESS).net
    _, variants = embedded.variant_table(log.events)
    traces = [tuple(t) for t in variants["activities"].to_list()]
    traces.append(traces[0])  # a repeated trace is aligned once, returned twice
    assert align_variants_spark(net, traces) == Aligner(net).align_variants(traces)
    assert align_variants_spark(net, []) == []


@pytest.mark.spark
def test_spark_edge_cases(spark_session: Any) -> None:
    """Missing timestamps sort first, the first non-missing unit wins, naive times, ties."""
    from datetime import datetime

    from fvmprocess.engines import spark

    events = pl.DataFrame(
        {
            "case": ["b", "b", "a", "a", "a", "c"],
            "activity": ["X", "Y", "Y", "X", "Z", "X"],
            "timestamp": [
                datetime(2025, 1, 1, 10),
                datetime(2025, 1, 1, 9),
                None,
                datetime(2025, 1, 2),
                datetime(2025, 1, 2),
                datetime(2025, 3, 1),
            ],
            "unit": [None, "U1", None, None, "U2", None],
            "row": [0, 1, 2, 3, 4, 5],
        }
    ).sort(["case", "timestamp", "row"], nulls_last=False)
    for frame in (events, events.with_columns(pl.col("timestamp").dt.replace_time_zone("UTC"))):
        c1, v1 = embedded.variant_table(frame)
        c2, v2 = spark.variant_table(frame)
        assert_frame_equal(c1, c2)
        assert_frame_equal(v1, v2)
    assert c2["unit"].to_list() == ["U2", "U1", "(ingen enhet)"]
    assert v2["activities"].to_list() == [["X"], ["Y", "X"], ["Y", "X", "Z"]]
