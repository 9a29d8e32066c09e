"""Where Spark starts to pay: embedded vs ``engine="spark"``, and the driver's own memory.

One command (figures to stdout and ``benchmarks/out/spark.json``)::

    python benchmarks/bench_spark.py                           # 1 M and 10 M events
    python benchmarks/bench_spark.py --events 1_000_000        # one size
    python benchmarks/bench_spark.py --modes local,standalone  # skip the embedded runs
    python benchmarks/bench_spark.py --formats parquet         # the Parquet folder only

Data: :mod:`regionlog` (the project's generator, 50 units, 0–4 deviations a case), written once
per size under ``benchmarks/out/spark_<N>/`` as

* ``region.csv`` / ``region.parquet``: one file (what the embedded engine reads);
* ``exports/unit_XXX.csv``: a folder of CSV exports, one a unit;
* ``events/unit=…/*.parquet``: a Parquet folder partitioned by unit (timestamps naive local).

Runs, each a fresh subprocess of ``fvmprocess check … -o DIR/``:

* ``embedded``: the one-file CSV and Parquet;
* ``local``: ``--engine spark`` on ``local[2]`` (the executors live in the driver JVM, so the
  process tree is driver and executors together);
* ``standalone``: a master and one worker (2 cores, ``--worker-memory``) started here with
  ``spark-class``; the driver (``FVM_SPARK_MASTER=spark://127.0.0.1:…``) is the Python process and
  its JVM, the executor a separate JVM under the worker. Measured apart: the driver's process
  tree, the driver's Python alone, the worker's tree, and the driver JVM's peak heap in use as
  Spark's own metrics report it (``JVMHeapMemory`` of executor ``driver`` in the event log,
  ``spark.eventLog.logStageExecutorMetrics``);
* the bare polars pass (read the CSV, parse times, sort, one variant per case): the limit.

Every RSS figure is the peak of a sum read from ``/proc`` every 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import polars as pl
from _measure import tree_rss  # benchmarks/ is on sys.path when a benchmark runs

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CLI = "import sys; from fvmprocess.cli import main; sys.argv[0] = 'fvmprocess'; main()"
BARE = """
import sys, polars as pl
ev = pl.read_csv(sys.argv[1]).with_columns(
    pl.col("timestamp").str.to_datetime("%Y-%m-%d %H:%M:%S").dt.replace_time_zone(
        "Europe/Stockholm", ambiguous="earliest", non_existent="null")
).sort("case", "timestamp", maintain_order=True)
v = ev.group_by("case", maintain_order=True).agg(pl.col("activity")).select(
    pl.col("activity").list.join("\\x1f").n_unique()).item()
print("VARIANTS", v)
"""


def dataset(events: int, units: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The folder of one size (generated once) and its facts."""
    root = OUT / f"spark_{events}_{units}u_s{seed}"
    info_path = root / "info.json"
    if info_path.exists():
        return root, json.loads(info_path.read_text())
    sys.path.insert(0, str(HERE))
    from regionlog import generate

    frame, info = generate(events=events, units=units, seed=seed)
    shutil.rmtree(root, ignore_errors=True)
    (root / "exports").mkdir(parents=True)
    frame.write_csv(root / "region.csv")
    typed = frame.with_columns(pl.col("timestamp").str.to_datetime("%Y-%m-%d %H:%M:%S"))
    typed.write_parquet(root / "region.parquet")
    typed.write_parquet(root / "events", partition_by="unit")
    for i, (_, part) in enumerate(sorted(frame.group_by("unit"), key=lambda g: str(g[0][0]))):
        part.write_csv(root / "exports" / f"unit_{i:03d}.csv")
    info["csv_mib"] = round((root / "region.csv").stat().st_size / 2**20, 1)
    info_path.write_text(json.dumps(info))
    return root, info


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def measure(cmd: list[str], *, env: dict[str, str], worker: int | None = None) -> dict[str, Any]:
    """Wall time; peak RSS of the command's tree, of its Python process, of the worker's tree."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = {"tree": 0, "python": 0, "worker": 0}
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            peak["tree"] = max(peak["tree"], tree_rss(proc.pid))
            peak["python"] = max(peak["python"], _rss(proc.pid))
            if worker is not None:
                peak["worker"] = max(peak["worker"], tree_rss(worker))
            time.sleep(0.1)

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd[3:])} failed:\n{err[-4000:]}")
    res = {f"peak_{k}_mib": round(v / 2**20) for k, v in peak.items()}
    return {"wall_s": round(wall, 1), **res, "load": os.getloadavg()[0], "stderr": err[-1500:]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Standalone:
    """A standalone master and one worker on localhost, each its own session (``spark-class``)."""

    def __init__(self, *, cores: int, memory: str, work: Path) -> None:
        import pyspark

        home = Path(os.environ.get("SPARK_HOME") or Path(pyspark.__file__).parent)
        self._cls = str(home / "bin" / "spark-class")
        self._env = {**os.environ, "SPARK_HOME": str(home), "SPARK_WORKER_DIR": str(work)}
        self._work, self._cores, self._memory = work, cores, memory
        self.url = f"spark://127.0.0.1:{_free_port()}"
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Standalone:
        port = self.url.rsplit(":", 1)[1]
        self._start("master", "Master", "--port", port, "I have been elected leader")
        self._start(
            "worker", "Worker", "--cores", str(self._cores), "--memory", self._memory,
            self.url, "Successfully registered with master",
        )  # fmt: skip
        return self

    def _start(self, name: str, cls: str, *args: str) -> None:
        *argv, ready = args
        log = self._work / f"{name}.log"
        self._work.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as out:
            self.procs.append(
                subprocess.Popen(
                    [
                        self._cls,
                        f"org.apache.spark.deploy.{name}.{cls}",
                        "--host",
                        "127.0.0.1",
                        "--webui-port",
                        str(_free_port()),
                        *argv,
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=self._env,
                    start_new_session=True,
                )
            )
        end = time.monotonic() + 180
        while ready not in log.read_text(errors="replace"):
            if time.monotonic() > end or self.procs[-1].poll() is not None:
                raise SystemExit(f"{name} did not start:\n{log.read_text()}")
            time.sleep(0.5)

    @property
    def worker_pid(self) -> int:
        return self.procs[1].pid

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


def eventlog_facts(eventlog_dir: Path) -> dict[str, Any]:
    """From Spark's event log: the peak ``JVMHeapMemory`` of executor ``driver`` over the
    stages (MiB), the number of jobs, and the largest physical plan (KiB of text) that a job
    was planned with (each SQL execution's start and adaptive updates)."""
    peak, jobs, plan = None, 0, 0
    for f in (p for p in eventlog_dir.rglob("*") if p.is_file()):  # Spark 4: a folder per app
        with f.open(errors="replace") as lines:
            for line in lines:
                head = line[:100]
                if '"SparkListenerJobStart"' in head:
                    jobs += 1
                elif "SQLExecutionStart" in head or "SQLAdaptiveExecutionUpdate" in head:
                    ev = json.loads(line)
                    plan = max(plan, len(ev.get("physicalPlanDescription", "")))
                elif '"SparkListenerStageExecutorMetrics"' in head:
                    ev = json.loads(line)
                    if ev.get("Executor ID") == "driver":
                        heap = int(ev["Executor Metrics"].get("JVMHeapMemory", 0))
                        peak = max(peak or 0, heap)
    return {
        "driver_jvm_heap_peak_mib": None if peak is None else round(peak / 2**20),
        "jobs": jobs,
        "largest_plan_kib": round(plan / 1024, 1),
    }


def spark_run(
    log: str,
    out: Path,
    *,
    master: str,
    driver_memory: str,
    executor_memory: str = "4g",
    worker: int | None,
) -> dict[str, Any]:
    """``fvmprocess check --engine spark`` with its driver heap read from Spark's metrics."""
    with tempfile.TemporaryDirectory(prefix="fvm-eventlog-") as ev:
        submit = (
            f"--conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file://{ev} "
            "--conf spark.eventLog.logStageExecutorMetrics=true "
            "--conf spark.eventLog.compress=false "  # Spark 4 compresses it (zstd) by default
            "--conf spark.executor.metrics.pollingInterval=200ms "
            f"--conf spark.executor.memory={executor_memory} pyspark-shell"
        )
        env = {
            **os.environ,
            "FVM_SPARK_MASTER": master,
            "FVM_SPARK_DRIVER_MEMORY": driver_memory,
            "PYSPARK_SUBMIT_ARGS": submit,
        }
        cmd = [sys.executable, "-c", CLI, "check", "--engine", "spark",
               "--process", "akutmottagning", "--log", log, "-o", f"{out}/"]  # fmt: skip
        res = measure(cmd, env=env, worker=worker)
        res.update(eventlog_facts(Path(ev)))
    res["summary"] = _summary(out)
    return res


def embedded_run(log: Path, out: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-c", CLI, "check", "--process", "akutmottagning",
           "--log", str(log), "-q", "-o", f"{out}/"]  # fmt: skip
    res = measure(cmd, env=dict(os.environ))
    res["summary"] = _summary(out)
    return res


def _summary(out: Path) -> dict[str, Any]:
    doc = json.loads((out / "summary.json").read_text())
    acc = doc["accounting"]
    return {
        "rows_used": acc.get("rows_used"),
        "rows_rejected": acc.get("rows_rejected"),
        "cases": doc["summary"].get("cases"),
        "variants": doc["summary"].get("variants"),
    }


def machine() -> dict[str, Any]:
    import pyspark

    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "pyspark": pyspark.__version__,
        "java": java.splitlines()[0] if java else None,
        "loadavg_at_start": os.getloadavg(),
    }


def _mib(v: Any) -> str:
    return "" if v in (None, 0) else f"{v} MiB"


def _size(n: int) -> str:
    return f"{n / 1e6:g} M" if n >= 1_000_000 else f"{n / 1e3:g} k"


def _row(n: int, name: str, r: dict[str, Any]) -> str:
    s = r.get("summary", {})
    plan = f"{r['jobs']} / {r['largest_plan_kib']} KiB" if "jobs" in r else ""
    return (
        f"| {_size(n)} | {name} | {r['wall_s']} s | {_mib(r['peak_tree_mib'])} | "
        f"{_mib(r['peak_python_mib'])} | {_mib(r.get('driver_jvm_heap_peak_mib'))} | "
        f"{_mib(r['peak_worker_mib'])} | {s.get('cases', '')} / {s.get('variants', '')} | "
        f"{plan} | {r['load']:.1f} |"
    )


def run_size(n: int, args: argparse.Namespace, figures: dict[str, Any], rows: list[str]) -> None:
    root, info = dataset(n, args.units, args.seed)
    figures[str(n)] = fig = {"data": info}
    print(f"data {root.name}: {info}", flush=True)
    res = OUT / f"spark_results_{n}"
    csvs, parquet = str(root / "exports" / "*.csv"), str(root / "events" / "*" / "*.parquet")

    def record(key: str, name: str, r: dict[str, Any]) -> None:
        fig[key] = r
        rows.append(_row(n, name, r))
        print(rows[-1], flush=True)

    bare = measure([sys.executable, "-c", BARE, str(root / "region.csv")], env=dict(os.environ))
    record("bare", "bare polars pass (one CSV)", bare)
    if "embedded" in args.modes:
        record(
            "embedded_csv", "embedded, one CSV", embedded_run(root / "region.csv", res / "e_csv")
        )
        record("embedded_parquet", "embedded, one Parquet",
               embedded_run(root / "region.parquet", res / "e_pq"))  # fmt: skip
    mem = args.driver_memory
    logs = [(k, v) for k, v in (("parquet", parquet), ("csv", csvs)) if k in args.formats]
    if "local" in args.modes:
        for key, log in logs:
            r = spark_run(log, res / f"l_{key}", master="local[2]", driver_memory=mem, worker=None)
            record(f"local_{key}", f"spark local[2], {key} folder", r)
    if "standalone" in args.modes:
        work = Path(tempfile.mkdtemp(prefix="fvm-standalone-"))
        with Standalone(cores=2, memory=args.worker_memory, work=work) as cluster:
            for key, log in logs:
                r = spark_run(log, res / f"s_{key}", master=cluster.url, driver_memory=mem,
                              executor_memory=args.executor_memory,
                              worker=cluster.worker_pid)  # fmt: skip
                record(f"standalone_{key}", f"spark standalone, {key} folder", r)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=lambda s: int(s.replace("_", "")), action="append")
    p.add_argument("--units", type=int, default=50)
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("--modes", default="embedded,local,standalone")
    p.add_argument("--formats", default="parquet,csv", help="the Spark runs' inputs")
    p.add_argument("--driver-memory", default="2g", help="FVM_SPARK_DRIVER_MEMORY")
    p.add_argument("--worker-memory", default="6g", help="the worker's --memory")
    p.add_argument("--executor-memory", default="4g", help="spark.executor.memory (standalone)")
    args = p.parse_args()
    args.modes = set(args.modes.split(","))
    args.formats = set(args.formats.split(","))
    figures: dict[str, Any] = {"machine": machine(), "argv": sys.argv[1:]}
    rows: list[str] = []
    for n in args.events or [1_000_000, 10_000_000]:
        run_size(n, args, figures, rows)
    figures["loadavg_at_end"] = os.getloadavg()
    (OUT / "spark.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(
        "| events | run | wall | peak RSS, driver tree | driver Python | driver JVM heap "
        "(Spark metrics) | worker tree | cases / variants | jobs / largest plan | load |\n"
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|"
    )
    print("\n".join(rows))
    print(f"load average at start {figures['machine']['loadavg_at_start']}, end {os.getloadavg()}")


if __name__ == "__main__":
    main()
