"""The check on a Spark standalone cluster started locally: one master, one worker.

The pip package of pyspark ships ``bin/spark-class`` but not ``sbin/start-master.sh``, so the
master and the worker are started as ``spark-class org.apache.spark.deploy.master.Master`` and
``…deploy.worker.Worker`` (each its own JVM; the executor is a third JVM under the worker). The
driver is ``fvmprocess check --engine spark`` with ``FVM_SPARK_MASTER=spark://127.0.0.1:PORT``;
the worker shares this machine's Python environment, so fvmprocess is importable on the
executor. The result must equal the embedded engine's on the same partitioned Parquet folder.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from fvmprocess.conformance import ConformanceResult, check
from fvmprocess.simulate import simulate_log

PROCESS = "akutmottagning"
TABLES = ("cases", "variants", "units", "activities", "time_limits", "deviations")


def _spark_home() -> Path:
    pyspark = pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (java not found)")
    home = Path(os.environ.get("SPARK_HOME") or Path(pyspark.__file__).parent)
    if not (home / "bin" / "spark-class").exists():
        pytest.skip(f"no bin/spark-class under {home}")
    return home


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _wait_for(log: Path, text: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise AssertionError(f"{log.name}: no {text!r} within {timeout:.0f} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop one daemon and what it started (its own session: the executor JVM, Python workers)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A standalone master and one worker (1 core, 1 GiB) on localhost; its URL."""
    home = _spark_home()
    tmp = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_WORKER_DIR": str(tmp / "work")}
    env.pop("FVM_SPARK_MASTER", None)
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    spark_class = str(home / "bin" / "spark-class")
    master = _start(
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
         "--port", str(port), "--webui-port", str(_free_port())],
        tmp / "master.log", env,
    )  # fmt: skip
    worker = None
    try:
        _wait_for(tmp / "master.log", "I have been elected leader", master, 120)
        worker = _start(
            [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
             "--webui-port", str(_free_port()), "--cores", "1", "--memory", "1g", url],
            tmp / "worker.log", env,
        )  # fmt: skip
        _wait_for(tmp / "worker.log", "Successfully registered with master", worker, 120)
        yield url
    finally:
        if worker is not None:
            _stop(worker)
        _stop(master)


@pytest.mark.slow
@pytest.mark.spark
def test_check_on_standalone_cluster(cluster: str, tmp_path: Path) -> None:
    """`fvmprocess check --engine spark` against spark://… == the embedded engine."""
    frame = simulate_log(PROCESS, cases=60, seed=3, units={"Akuten A": 0.2, "Akuten B": 0.3})
    folder = tmp_path / "events"
    frame.select("case", "activity", "timestamp", "unit").write_parquet(folder, partition_by="unit")
    files = sorted(folder.rglob("*.parquet"))
    assert len(files) == 2
    parts = [
        pl.read_parquet(f, hive_partitioning=False).with_columns(
            unit=pl.lit(unquote(f.parent.name.split("=", 1)[1]))
        )
        for f in files
    ]
    expected = check(PROCESS, pl.concat(parts, how="diagonal"))
    out = tmp_path / "out"
    env = {
        **os.environ,
        "FVM_SPARK_MASTER": cluster,
        "FVM_SPARK_DRIVER_MEMORY": "1g",
        "FVM_SPARK_PARTITIONS": "2",
    }
    cli = "import sys; from fvmprocess.cli import main; sys.argv[0] = 'fvmprocess'; main()"
    run = subprocess.run(
        [sys.executable, "-c", cli, "check", "--engine", "spark", "--process", PROCESS,
         "--log", str(folder / "*" / "*.parquet"), "-o", f"{out}/"],
        capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    got = ConformanceResult.load(out)
    assert got.accounting == expected.accounting
    assert got.accounting.rows_used == frame.height
    for name in TABLES:
        x, y = getattr(expected, name), getattr(got, name)
        assert sorted(x.columns) == sorted(y.columns), name
        y = y.select(x.columns)
        if name in ("deviations", "activities"):
            keys = [c for c in x.columns if x.schema[c] != pl.List]
            x, y = x.sort(keys, nulls_last=True), y.sort(keys, nulls_last=True)
        assert_frame_equal(x, y, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    expected.to_dir(tmp_path / "embedded")
    reference = json.loads((tmp_path / "embedded" / "summary.json").read_text(encoding="utf-8"))
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == reference
