"""Where ``read_log`` spends its time: each reader stage timed in one process, and a bare pass.

Wall and process CPU time (all threads) per stage; the CPU figures move less with other load.

    python benchmarks/read_stages.py benchmarks/out/region_1000000_50u_s2025.csv
    PYTHONPATH=OLD/src python benchmarks/read_stages.py FILE   # an older reader (git archive)

The stage functions are wrapped by name (names an older reader lacks are skipped); the bare
pass is the one of ``bench_region.py``: read, parse the times, sort, count the variants.
"""

from __future__ import annotations

import functools
import gc
import os
import resource
import sys
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import polars as pl

import fvmprocess.eventlog.build as build
import fvmprocess.eventlog.csv as csv
from fvmprocess import read_log

BUILD = ["select_roles", "add_timestamps", "mark_missing", "map_activities", "_mark_duplicates"]
BUILD += ["_merge_lifecycle", "_rejections", "_account", "_unmapped", "_events"]
CSV = ["_fast", "_scan", "_read_native", "_field_counts", "_record_lines", "_encoding_findings"]
TIMES: dict[str, float] = {}
CPU: dict[str, float] = {}  # process CPU time (all threads): less sensitive to other load
PEAK: dict[str, float] = {}  # the process's peak RSS (MiB) when the stage first returned


def wrap(mod: ModuleType, name: str) -> None:
    f: Callable[..., Any] = getattr(mod, name)

    @functools.wraps(f)
    def timed(*a: Any, **k: Any) -> Any:
        t, c = time.perf_counter(), time.process_time()
        try:
            return f(*a, **k)
        finally:
            TIMES[name] = TIMES.get(name, 0.0) + time.perf_counter() - t
            CPU[name] = CPU.get(name, 0.0) + time.process_time() - c
            PEAK.setdefault(name, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    setattr(mod, name, timed)


def bare(path: str) -> tuple[float, float]:
    t, c = time.perf_counter(), time.process_time()
    ev = (
        pl.read_csv(path)
        .with_columns(
            pl.col("timestamp")
            .str.to_datetime("%Y-%m-%d %H:%M:%S")
            .dt.replace_time_zone("Europe/Stockholm", ambiguous="earliest", non_existent="null")
        )
        .sort("case", "timestamp", maintain_order=True)
    )
    ev.group_by("case", maintain_order=True).agg(pl.col("activity")).select(
        pl.col("activity").list.join("\x1f").n_unique()
    ).item()
    return time.perf_counter() - t, time.process_time() - c


def main() -> None:
    path = sys.argv[1]
    for mod, names in ((build, BUILD), (csv, CSV)):
        for n in names:
            if hasattr(mod, n):
                wrap(mod, n)
    t, c = time.perf_counter(), time.process_time()
    log = read_log(path)
    t_read, c_read = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    log.variants()
    t_var, c_var = time.perf_counter() - t, time.process_time() - c
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del log
    gc.collect()
    t_bare, c_bare = bare(path)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load}; peak RSS after read_log + variants {peak:.0f} MiB")
    print(f"{'':22s} {'wall':>8s} {'cpu':>8s}")
    for name, w, u in (
        ("read_log", t_read, c_read),
        ("variants", t_var, c_var),
        ("read_log + variants", t_read + t_var, c_read + c_var),
        ("bare pass", t_bare, c_bare),
    ):
        print(f"{name:22s} {w:7.2f}s {u:7.2f}s")
    print(
        f"ratio to the bare pass: wall {(t_read + t_var) / t_bare:.2f}, cpu {(c_read + c_var) / c_bare:.2f}"
    )
    print(f"  {'stage':20s} {'wall':>8s} {'cpu':>8s} {'peak RSS after':>15s}")
    for k, v in sorted(TIMES.items(), key=lambda x: -x[1]):
        print(f"  {k:20s} {v:7.3f}s {CPU[k]:7.3f}s {PEAK[k]:11.0f} MiB")


if __name__ == "__main__":
    main()
