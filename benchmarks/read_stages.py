"""Where ``read_log`` spends its time: each reader stage timed in one process, and a bare pass.

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


def wrap(mod: ModuleType, name: str) -> None:
    f: Callable[..., Any] = getattr(mod, name)

    @functools.wraps(f)
    def timed(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            TIMES[name] = TIMES.get(name, 0.0) + time.perf_counter() - t

    setattr(mod, name, timed)


def bare(path: str) -> float:
    t = time.perf_counter()
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
    return time.perf_counter() - t


def main() -> None:
    path = sys.argv[1]
    for mod, names in ((build, BUILD), (csv, CSV)):
        for n in names:
            if hasattr(mod, n):
                wrap(mod, n)
    t = time.perf_counter()
    log = read_log(path)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    log.variants()
    t_var = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del log
    gc.collect()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"read_log {t_read:.2f} s, variants {t_var:.2f} s, bare pass {bare(path):.2f} s "
        f"(peak RSS after read_log+variants {peak:.0f} MiB; load {load})"
    )
    for k, v in sorted(TIMES.items(), key=lambda x: -x[1]):
        print(f"  {k:20s} {v:.3f} s")


if __name__ == "__main__":
    main()
