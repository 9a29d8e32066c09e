"""The engines give identical tables and results: embedded (polars) and Spark (local[2]).

Spark needs pyspark and a Java runtime; the tests skip without them. A Spark session takes
~5-10 s to start, so the Spark tests share one session and one small simulated log.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

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
def test_spark_variant_numbering_across_partitions(spark_session: Any) -> None:
    """``number_variants_spark`` numbers the variants as the embedded engine does (most
    frequent first, ties by the joined activities in byte order), each number once and with
    no gap, though the variants lie in many partitions and never reach the driver."""
    from pyspark.sql import functions as F

    from fvmprocess.engines.spark import number_variants_spark

    rng = random.Random(5)
    rows: dict[str, tuple[list[str], int]] = {}
    for _ in range(400):
        acts = [rng.choice(["a", "b", "Ä", "é", "Z"]) for _ in range(rng.randint(0, 4))]
        rows["\x1f".join(acts)] = (acts, rng.randint(1, 6))  # many ties in the counts
    expected = sorted(rows.items(), key=lambda kv: (-kv[1][1], kv[0].encode()))
    sdf = spark_session.createDataFrame(
        [(k, a, c) for k, (a, c) in rows.items()],
        "_key string, activities array<string>, cases long",
    ).repartition(13)
    key = "spark.sql.adaptive.coalescePartitions.enabled"  # else the small sort is one partition
    before = spark_session.conf.get(key)
    spark_session.conf.set(key, "false")
    try:
        numbered = number_variants_spark(sdf)
        assert numbered.select(F.spark_partition_id()).distinct().count() > 1
        got = numbered.orderBy("variant").collect()
    finally:
        spark_session.conf.set(key, before)
    assert [r["variant"] for r in got] == list(range(len(expected)))
    assert [(r["_key"], r["activities"], r["cases"]) for r in got] == [
        (k, a, c) for k, (a, c) in expected
    ]


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


# -- the whole check on Spark: reading CSV exports and partitioned Parquet ---------------------

_EDGE_ROWS = [  # (case, activity, timestamp, unit): rejected rows and time-zone edge cases
    ("", "Triage enligt RETTS", "2024-03-05 10:00", "Akuten A"),  # missing_case
    ("X-1", "", "2024-03-05 10:00", "Akuten A"),  # missing_activity
    ("X-1", "Triage enligt RETTS", "igår", "Akuten A"),  # unparseable_timestamp
    ("X-2", "Ankomstregistrering", "2024-03-31 02:30", "Akuten A"),  # nonexistent_local_time
    ("X-2", "Triage enligt RETTS", "2024-10-27 02:30", "Akuten A"),  # ambiguous (warning)
    ("X-2", "Triage enligt RETTS", "2024-10-27 02:30", "Akuten A"),  # kept duplicate (warning)
    ("X-3", "Ankomstregistrering", "2024-03-05T14:30:00+01:00", "Akuten A"),
    ("X-3", "Triage enligt RETTS", "05.03.2024 14.40", "Akuten B"),  # multi-unit case
]


def _exports(tmp: Any) -> tuple[list[Any], str]:
    """Two units' CSV exports (semicolon, Swedish names) and their concatenation with each
    later header left blank: the embedded reference, numbered line for line."""
    base = simulate_log(PROCESS, cases=40, seed=5, units={"Akuten A": 0.2, "Akuten B": 0.3})
    base = base.select(
        "case",
        "activity",
        pl.col("timestamp").dt.strftime("%Y-%m-%d %H:%M"),
        "unit",
    )
    files, texts = [], []
    for i, unit in enumerate(("Akuten A", "Akuten B")):
        rows = base.filter(pl.col("unit") == unit).rows()
        rows += [r for r in _EDGE_ROWS if r[3] == unit]
        lines = ["case;activity;timestamp;unit"] + [";".join(r) for r in rows]
        if i == 0:
            lines.append("X-9;Triage;2024-03-05 10:00;Akuten A;extra")  # malformed_row
        path = tmp / f"export_{i}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
        texts.append("\n".join(([""] if i else []) + lines[1 if i else 0 :]) + "\n")
    return files, "".join(texts)


def _same_tables(a: Any, b: Any) -> None:
    for name in ("cases", "variants", "units", "activities", "time_limits", "deviations"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.columns == y.columns or sorted(x.columns) == sorted(y.columns), name
        y = y.select(x.columns)
        if name in ("deviations", "activities"):
            keys = [c for c in x.columns if x.schema[c] != pl.List]
            x, y = x.sort(keys, nulls_last=True), y.sort(keys, nulls_last=True)
        assert_frame_equal(x, y, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.spark
def test_spark_csv_exports_end_to_end(spark_session: Any, tmp_path: Any) -> None:
    """`check --engine spark --log 'DIR/*.csv' -o OUT/` == the embedded engine."""
    from click.testing import CliRunner

    from fvmprocess.cli import main
    from fvmprocess.conformance import ConformanceResult

    _, joined = _exports(tmp_path)
    (tmp_path / "joined.csv").write_text(joined, encoding="utf-8")
    embedded_log = read_log(tmp_path / "joined.csv")
    expected = check(PROCESS, embedded_log)
    acc = expected.accounting
    assert set(acc.reasons) >= {"malformed_row", "missing_case", "nonexistent_local_time"}
    assert {"ambiguous_local_time", "duplicate_event"} <= set(acc.warnings)
    out = tmp_path / "out"
    run = CliRunner().invoke(
        main,
        [
            "check",
            "--engine",
            "spark",
            "--process",
            PROCESS,
            "--log",
            str(tmp_path / "export_*.csv"),
            "-o",
            f"{out}/",
        ],
    )
    assert run.exit_code == 0, run.output
    got = ConformanceResult.load(out)
    assert got.accounting == acc
    _same_tables(expected, got)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    expected.to_dir(tmp_path / "embedded")
    reference = json.loads((tmp_path / "embedded" / "summary.json").read_text(encoding="utf-8"))
    assert summary == reference
    x3 = got.cases.filter(pl.col("case") == "X-3")
    assert x3["unit"].to_list() == ["Akuten A"]  # the first unit its events name
    # `report --result OUT/` reads the folder Spark wrote: the same report as the embedded one's
    reports = {}
    for name, folder in (("spark", out), ("embedded", tmp_path / "embedded")):
        target = tmp_path / f"report_{name}" / "report.md"  # the same name: its figure folder
        target.parent.mkdir()
        args = ["report", "--result", str(folder), "-o", str(target), "--no-date"]
        run = CliRunner().invoke(main, args)
        assert run.exit_code == 0, run.output
        reports[name] = target.read_text(encoding="utf-8")
    assert "Akuten A" in reports["spark"]
    assert reports["spark"] == reports["embedded"]


@pytest.mark.spark
def test_spark_partitioned_parquet_end_to_end(spark_session: Any, tmp_path: Any) -> None:
    """A Parquet folder partitioned by unit (Spark reads the unit from the folder names)."""
    from fvmprocess.conformance.check import check_spark

    _, joined = _exports(tmp_path)
    (tmp_path / "joined.csv").write_text(joined, encoding="utf-8")
    events = read_log(tmp_path / "joined.csv").events
    folder = tmp_path / "events"
    frame = events.select("case", "activity", "timestamp", "unit")
    frame.write_parquet(folder, partition_by="unit")
    files = sorted(folder.rglob("*.parquet"))
    parts = [
        pl.read_parquet(f, hive_partitioning=False).with_columns(
            unit=pl.lit(unquote(f.parent.name.split("=", 1)[1]))  # "Akuten%20A"
        )
        for f in files
    ]
    expected = check(PROCESS, pl.concat(parts, how="diagonal"))
    got = check_spark(PROCESS, str(folder / "*" / "*.parquet")).collect()
    assert got.accounting == expected.accounting
    _same_tables(expected, got)
    assert got.summary() == expected.summary()
