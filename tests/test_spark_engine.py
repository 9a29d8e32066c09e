"""The Spark engine's remaining stages against the embedded engine (local[2]).

The analyses (periods, change points, milestones, causes, practice) made from Spark
aggregates, the unit assignment of multi-unit cases (``most``, ``split``) and the CSV
reader's rejections (``control_character``, ``invalid_encoding``; XES ``event_outside_trace``)
give the same tables and accounting as the embedded engine. The reference is always the
embedded engine on the same input; the Spark session is shared (``getOrCreate``) with the
other Spark tests.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from fvmprocess.causes import bin_edges
from fvmprocess.conformance import ConformanceResult, check
from fvmprocess.conformance.check import check_spark
from fvmprocess.engines.embedded import assign_units
from fvmprocess.eventlog import read_log
from fvmprocess.timelimit import TimeLimit
from test_analyses import BPMN, planted_log
from test_engines import _exports, _same_tables

_CLOSE = {"check_exact": False, "rel_tol": 1e-9, "abs_tol": 1e-12}


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (java not found)")
    from fvmprocess.engines.spark import get_session

    yield get_session()  # the session test_engines.py stops at the end


@pytest.mark.spark
def test_get_session_keeps_the_users_executor_python(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PYSPARK_PYTHON`` (a packed environment's, a node's own) is respected; only when unset
    do the executors run the driver's Python (the cluster test runs one for real)."""
    from fvmprocess.engines.spark import get_session

    monkeypatch.setenv("PYSPARK_PYTHON", "./env/bin/python")
    get_session()
    assert os.environ["PYSPARK_PYTHON"] == "./env/bin/python"
    monkeypatch.delenv("PYSPARK_PYTHON")
    get_session()
    assert os.environ["PYSPARK_PYTHON"] == sys.executable


def test_bin_edges_are_numpys_quantiles() -> None:
    """Bins from value counts (what Spark aggregates) == numpy's linear quantiles."""
    rng = np.random.default_rng(0)
    for t in range(300):
        n = int(rng.integers(1, 80))
        v = rng.normal(size=n) if t % 2 else rng.integers(0, int(rng.integers(1, 40)), n) * 1.0
        bins = int(rng.integers(2, 7))
        expected = np.unique(np.quantile(v, np.linspace(0, 1, bins + 1)))
        values, counts = np.unique(v, return_counts=True)
        got = bin_edges(values.tolist(), counts.tolist(), bins)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


# -- analyses ----------------------------------------------------------------------------------


def _analysis_log() -> pl.DataFrame:
    """The planted log of test_analyses with a personnummer column (excluded from the
    causes), a boolean attribute, and every seventh case ending at another
    unit (two unit episodes each with ``unit_assignment="split"``)."""
    frame = planted_log(3, per_month=8)
    number = pl.col("case").str.slice(1).cast(pl.Int64)
    last = pl.col("timestamp") == pl.col("timestamp").max().over("case")
    moved = (number % 7 == 0) & last
    return frame.with_columns(
        pl.format("19121212-{}", (number % 10_000).cast(pl.String).str.zfill(4)).alias("pnr"),
        (number % 3 == 0).alias("flag"),
        pl.when(moved).then(pl.lit("Avd 12")).otherwise(pl.col("unit")).alias("unit"),
    )


def _same_analyses(a: ConformanceResult, b: ConformanceResult) -> None:
    x, y = a.analyses, b.analyses
    assert x.period == y.period
    for name in ("periods", "changes", "milestones"):
        fx, fy = getattr(x, name), getattr(y, name)
        assert fx is not None and fy is not None, name
        assert_frame_equal(fx, fy, **_CLOSE)
    assert x.causes is not None and y.causes is not None
    assert dict(x.causes.used) == dict(y.causes.used)
    assert dict(x.causes.excluded) == dict(y.causes.excluded)
    assert_frame_equal(x.causes.table, y.causes.table, **_CLOSE)
    assert x.practice is not None and y.practice is not None
    for name in ("units", "steps", "transitions"):
        assert_frame_equal(getattr(x.practice, name), getattr(y.practice, name), **_CLOSE)


@pytest.mark.spark
def test_spark_analyses_identical(spark: Any, tmp_path: Path) -> None:
    bpmn = tmp_path / "trend.bpmn"
    bpmn.write_text(BPMN, encoding="utf-8")
    log = read_log(_analysis_log())
    limit = TimeLimit(
        id="reg-avslut", from_activity="A_Reg", to_activity="A_Avs", max_duration="PT25M"
    )
    opts: dict[str, Any] = {
        "period": "month",
        "milestones": {"2025-07-01": "Workshop", ("Akut Stabil", "2025-04-01"): "Go-live"},
        "causes": True,
        "practice": True,
        "time_limits": [limit],
        "unit_assignment": "split",
    }
    expected = check(bpmn, log, **opts)
    on_spark = check_spark(bpmn, log, **opts)
    # each table starts from the rows kept at the last stage, not from the whole chain of joins
    # (a 1 210-event log once planned 14 MB of plan text per job: most of its time)
    for table in (on_spark.cases, on_spark.deviations, on_spark.time_limits, on_spark.variants):
        assert len(table._jdf.queryExecution().toString()) < 20_000
    got = on_spark.collect()
    assert got.accounting == expected.accounting
    warned = expected.accounting.warnings
    assert warned["unit_episodes"] == 2 * warned["multi_unit_cases"] > 0
    _same_tables(expected, got)
    _same_analyses(expected, got)
    found = expected.analyses
    assert found.causes is not None and found.causes.table.height > 0  # something is flagged
    assert found.causes.used["age"] == "binned"
    assert "pnr" in found.causes.excluded
    assert found.periods is not None and int(found.periods["time_limit_evaluated"].sum()) > 0
    # what summary.json holds: the analyses' fields as the embedded engine writes them
    expected.to_dir(tmp_path / "embedded")
    reference = json.loads((tmp_path / "embedded" / "summary.json").read_text(encoding="utf-8"))
    assert json.loads(json.dumps(on_spark.summary_document())) == reference


@pytest.mark.spark
def test_kept_frames_use_the_checkpoint_directory(spark: Any, tmp_path: Path) -> None:
    """Without a checkpoint directory the kept rows are a local checkpoint; with one set (what a
    cluster that must survive a lost executor does) they are written there; both cut the plan
    to a scan of the kept rows."""
    from fvmprocess.engines.spark import kept

    sc = spark.sparkContext
    assert sc.getCheckpointDir() is None
    frame = spark.range(50).selectExpr("id", "id % 5 AS y")
    local = kept(frame.groupBy("y").count())
    assert "Scan ExistingRDD" in local._jdf.queryExecution().executedPlan().toString()
    assert sorted(tuple(r) for r in local.collect()) == [(y, 10) for y in range(5)]
    sc.setCheckpointDir(str(tmp_path / "checkpoints"))
    try:
        reliable = kept(frame.filter("id % 2 = 0"))
        assert reliable.count() == 25
        written = list((tmp_path / "checkpoints").rglob("rdd-*"))
        assert written, "nothing written to the checkpoint directory"
    finally:  # Spark has no public way to unset it
        getattr(sc._jsc.sc(), "checkpointDir_$eq")(sc._jvm.scala.Option.apply(None))
    assert sc.getCheckpointDir() is None


@pytest.mark.spark
def test_spark_periods_by_week_and_quarter(spark: Any) -> None:
    """The period aggregate for the other calendar periods (weeks start on Monday)."""
    from fvmprocess.engines.spark import to_spark
    from fvmprocess.engines.spark_analyses import _period_counts
    from fvmprocess.trends import period_counts

    starts = [datetime(2024, 12, 29, 23, 30), datetime(2024, 12, 30, 0, 30)]  # Sun/Mon UTC
    starts += [datetime(2025, 3, 31, 22, 30), datetime(2025, 6, 30, 21, 59)]  # local Apr/Jun
    cases = pl.DataFrame(
        {
            "case": [f"c{i}" for i in range(8)],
            "unit": ["A", "B"] * 4,
            "start": (starts * 2)[:8],
            "conforming": [True, False, True, True, False, True, False, False],
            "fitness": [1.0, 0.5, 1.0, 1.0, 0.25, 1.0, 0.75, 0.5],
        }
    ).with_columns(pl.col("start").dt.replace_time_zone("UTC"))
    sdf = to_spark(cases)
    for period in ("week", "quarter", "month"):
        zeros = cases.with_columns(pl.lit(0).alias("w"), pl.lit(0).alias("e"))
        expected = period_counts(
            zeros, period=period, timezone="Europe/Stockholm", compliance=("w", "e")
        )
        got = _period_counts(sdf, None, period, "Europe/Stockholm")
        assert_frame_equal(expected.sort("unit", "period"), got.sort("unit", "period"), **_CLOSE)


# -- unit assignment ---------------------------------------------------------------------------

_MULTI = [  # (case, unit): A -> B -> A with leading and inner missing units; a tie; one unit
    ("k1", None), ("k1", "A"), ("k1", None), ("k1", "B"), ("k1", "B"), ("k1", "A"),
    ("k2", "B"), ("k2", "A"), ("k2", None),
    ("k3", None), ("k3", "C"),
    ("k4", None),
]  # fmt: skip


def _multi_events() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "case": [c for c, _ in _MULTI],
            "activity": [f"a{i}" for i in range(len(_MULTI))],
            "timestamp": [datetime(2025, 1, 1, i) for i in range(len(_MULTI))],
            "unit": [u for _, u in _MULTI],
            "row": list(range(1, len(_MULTI) + 1)),
        },
        schema_overrides={"unit": pl.String},
    ).with_columns(pl.col("timestamp").dt.replace_time_zone("UTC"))


@pytest.mark.spark
def test_spark_assign_units_identical(spark: Any) -> None:
    from fvmprocess.engines.spark import _to_polars, to_spark
    from fvmprocess.engines.spark_check import assign_units_spark
    from fvmprocess.errors import ConformanceError

    events = _multi_events()
    sdf = to_spark(events.with_columns(pl.col("row").alias("_pos")))
    for how in ("first", "most", "split"):
        expected = assign_units(events, how)
        got = assign_units_spark(sdf, how)
        assert (got.multi_unit_cases, got.episodes) == (
            expected.multi_unit_cases,
            expected.episodes,
        )
        frame = _to_polars(got.events).sort("row").select(events.columns)
        assert_frame_equal(frame, expected.events.sort("row"))
    split = assign_units(events, "split").events
    assert split["case"].to_list()[:6] == ["k1#1"] * 3 + ["k1#2"] * 2 + ["k1#3"]  # hand-worked
    clash = to_spark(
        pl.concat([events, events.head(1).with_columns(case=pl.lit("k1#2"))]).with_columns(
            pl.col("row").alias("_pos")
        )
    )
    with pytest.raises(ConformanceError, match="already case ids"):
        assign_units_spark(clash, "split")


# -- the reader's rejections -------------------------------------------------------------------


@pytest.mark.spark
def test_spark_reader_rejections_identical(spark: Any, tmp_path: Path) -> None:
    """control_character and invalid_encoding rows, and the cp1252 fallback warning, are
    counted with their example lines as the embedded reader counts them (the exports as
    one file, numbered line for line, is the reference)."""
    from fvmprocess.engines.spark_read import read_log_spark
    from fvmprocess.eventlog import ReadOptions

    files, joined = _exports(tmp_path)
    first = files[0].read_bytes().splitlines(keepends=True)
    bad = [
        b"X-7;Triage\x01 enligt RETTS;2024-03-05 10:00;Akuten A\n",  # control_character
        b"X-8;Triage enligt RETTS;2024-03-05 10:00;Akuten \xe5\n",  # cp1252 (or invalid)
    ]
    files[0].write_bytes(b"".join(first[:3] + bad + first[3:]))
    lines = joined.encode("utf-8").splitlines(keepends=True)
    (tmp_path / "joined.csv").write_bytes(b"".join(lines[:3] + bad + lines[3:]))
    glob = str(tmp_path / "export_*.csv")
    for options, found in (
        (ReadOptions(), "decoded_as_cp1252"),
        (ReadOptions(encoding="utf-8"), "invalid_encoding"),
    ):
        expected = read_log(tmp_path / "joined.csv", options=options).accounting
        assert "control_character" in expected.reasons
        assert found in {**expected.reasons, **expected.warnings}
        assert read_log_spark(glob, options=options).accounting == expected


@pytest.mark.spark
def test_spark_parquet_keeps_the_extra_columns(spark: Any, tmp_path: Path) -> None:
    """Parquet's extra columns reach the events (the causes' attributes) as read_log gives
    them: same names (``attr:<name>`` for a reserved one), types and values."""
    from fvmprocess.engines.spark import _to_polars
    from fvmprocess.engines.spark_read import read_log_spark

    frame = (
        _analysis_log()
        .head(300)
        .with_columns(pl.col("age").alias("row"), pl.col("age").cast(pl.Float64).alias("score"))
    )
    path = tmp_path / "events.parquet"
    frame.write_parquet(path)
    expected = read_log(path).events
    got = _to_polars(read_log_spark(str(path)).events).sort("row")
    assert "attr:row" in expected.columns and "pnr" in expected.columns
    assert_frame_equal(got.select(expected.columns), expected.sort("row"))


def _csv_exports_with_attributes(tmp: Path) -> tuple[str, Path]:
    """The analysis log as two semicolon exports (a glob) and their concatenation with the
    second header left blank (the embedded reference, numbered line for line). Extra columns:
    ``age`` (whole numbers), ``weight`` (whole numbers in the first file, decimal commas in the
    second: one decimal column over the log), ``big`` (a number beyond 64 bits in the second
    file: the column stays text, counted), ``pnr``, ``flag``, ``arrival``, ``sex`` (text)."""
    frame = _analysis_log().with_row_index("i")
    first = pl.col("unit").is_in(["Akut Hopp", "Liten"])
    frame = frame.with_columns(
        pl.when(first)
        .then(pl.col("age").cast(pl.String))
        .otherwise(pl.format("{},5", pl.col("age")))
        .alias("weight"),
        pl.when(pl.col("i") == frame.filter(~first)["i"][3])
        .then(pl.lit("123456789012345678901234"))
        .otherwise(pl.col("i").cast(pl.String))
        .alias("big"),
    ).drop("i")
    texts = []
    for i, part in enumerate((frame.filter(first), frame.filter(~first))):
        text = part.write_csv(separator=";")
        (tmp / f"export_{i}.csv").write_text(text, encoding="utf-8")
        texts.append(text if i == 0 else "\n" + text.split("\n", 1)[1])
    joined = tmp / "joined.csv"
    joined.write_text("".join(texts), encoding="utf-8")
    return str(tmp / "export_*.csv"), joined


@pytest.mark.spark
def test_spark_csv_extra_columns_and_causes_identical(spark: Any, tmp_path: Path) -> None:
    """CSV exports' extra columns reach the events as read_log gives them (numbers converted
    over the whole log, names, types, values), and the causes on them equal the embedded
    engine's."""
    from fvmprocess.engines.spark import _to_polars
    from fvmprocess.engines.spark_read import read_log_spark

    bpmn = tmp_path / "trend.bpmn"
    bpmn.write_text(BPMN, encoding="utf-8")
    glob, joined = _csv_exports_with_attributes(tmp_path)
    log = read_log(joined)
    assert log.events.schema["weight"] == pl.Float64 and log.events.schema["age"] == pl.Int64
    assert log.events.schema["big"] == pl.String
    assert log.accounting.warnings["unconvertible_value"] == 1
    on_spark = read_log_spark(glob)
    assert on_spark.accounting == log.accounting
    got = _to_polars(on_spark.events).sort("row")
    assert_frame_equal(got.select(log.events.columns), log.events.sort("row"))
    expected = check(bpmn, joined, causes=True)
    result = check_spark(bpmn, glob, causes=True).collect()
    assert result.accounting == expected.accounting
    x, y = expected.analyses.causes, result.analyses.causes
    assert x is not None and y is not None
    assert x.used["age"] == "binned" and x.used["weight"] == "binned"
    assert "pnr" in x.excluded and x.table.height > 0
    assert dict(x.used) == dict(y.used) and dict(x.excluded) == dict(y.excluded)
    assert_frame_equal(x.table, y.table, **_CLOSE)
