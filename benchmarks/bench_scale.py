"""A region's volume end to end: Parquet -> read_log -> check, with stage times and peak memory.

One command::

    python benchmarks/bench_scale.py                       # 10 M events, 40 units, embedded
    python benchmarks/bench_scale.py --spark               # … and the Spark engine too
    python benchmarks/bench_scale.py --events 1_000_000    # smaller

Generation: the project's simulator (:func:`fvmprocess.simulate.simulate_log`) plays out
``--base-cases`` cases (default 20 000) of ``--process`` over ``--units`` units with deviation
rates from 5 % to 35 %; those cases are replicated, vectorised in polars, with new case ids
(``<id>-r007``) and timestamps shifted by whole weeks until the log has ``--events`` events.
Units and deviations of a case are kept, so the distinct variants are those of the base cases
(their count is printed). The log is written once to ``benchmarks/out/`` as Parquet and reused.

Measurement: each engine runs in a fresh Python subprocess: ``read_log(parquet)`` then
``check(process, log)``; the stages inside ``check`` are timed by wrapping the functions it
calls. Peak RSS comes from ``getrusage`` (this process and, separately, its alignment workers).
``--profile`` also runs the embedded engine under cProfile and writes the hot spots to
``benchmarks/out/profile_embedded.txt``. Results go to stdout and ``benchmarks/out/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


def unit_rates(n: int) -> dict[str, float]:
    """``n`` units with deviation rates spread evenly over 5–35 %."""
    return {f"Vårdenhet {i + 1:02d}": round(0.05 + 0.30 * i / max(1, n - 1), 4) for i in range(n)}


def generate(args: argparse.Namespace, path: Path) -> dict[str, Any]:
    import polars as pl

    from fvmprocess.simulate import simulate_log

    t0 = time.perf_counter()
    base = simulate_log(
        args.process, cases=args.base_cases, units=unit_rates(args.units), seed=args.seed
    )
    t_sim = time.perf_counter() - t0
    per_rep = base.height
    reps = max(1, math.ceil(args.events / per_rep))
    t1 = time.perf_counter()
    week = pl.duration(weeks=1)
    frames = [
        base.with_columns(
            (pl.col("case") + pl.lit(f"-r{r:03d}")).alias("case"),
            (pl.col("timestamp") + week * r).alias("timestamp"),
        )
        for r in range(reps)
    ]
    big = pl.concat(frames, rechunk=True)
    # whole cases, stopping at the first case that reaches the target
    if big.height > args.events:
        ends = big.select(pl.col("case").rle_id().alias("_c")).with_row_index()
        last_case = ends["_c"][args.events - 1]
        big = big.head(int((ends["_c"] <= last_case).sum()))
    path.parent.mkdir(parents=True, exist_ok=True)
    big.write_parquet(path, compression="zstd", statistics=True)
    t_rep = time.perf_counter() - t1
    variants = (
        base.group_by("case")
        .agg(pl.col("activity").str.join("\x1f"))
        .select(pl.col("activity").n_unique())
        .item()
    )
    return {
        "simulate_s": round(t_sim, 2),
        "replicate_and_write_s": round(t_rep, 2),
        "base_cases": args.base_cases,
        "base_events": per_rep,
        "base_variants": int(variants),
        "replicas": reps,
    }


# ---------------------------------------------------------------------------------------------
# The measured run (a fresh subprocess per engine)
# ---------------------------------------------------------------------------------------------


def _peak_mib(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux: KiB


def child(args: argparse.Namespace) -> None:
    """Runs in the subprocess: prints one JSON line with the figures."""
    stages: dict[str, float] = {}
    mem: dict[str, float] = {}

    def mark(name: str, seconds: float) -> None:
        stages[name] = round(stages.get(name, 0.0) + seconds, 3)
        mem[name] = _peak_mib(resource.RUSAGE_SELF)

    t = time.perf_counter()
    import importlib

    import fvmprocess
    from fvmprocess.eventlog import read_log

    # modules, not the same-named functions ``fvmprocess.align`` re-exports
    align_mod = importlib.import_module("fvmprocess.align")
    conformance = importlib.import_module("fvmprocess.conformance")
    check_module = importlib.import_module("fvmprocess.conformance.check")
    from fvmprocess.process import resolve_process

    mark("import", time.perf_counter() - t)

    def timed(module: Any, name: str, label: str) -> None:
        fn = getattr(module, name)

        def wrapper(*a: Any, **k: Any) -> Any:
            s = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                mark(label, time.perf_counter() - s)

        setattr(module, name, wrapper)

    timed(check_module, "resolve_process", "resolve process")
    timed(check_module, "_match_activities", "match activities")
    if args.engine == "spark":
        from fvmprocess.engines import spark as eng

        s = time.perf_counter()
        eng.get_session()
        mark("spark session", time.perf_counter() - s)
    else:
        from fvmprocess.engines import embedded as eng  # type: ignore[no-redef]
    timed(eng, "variant_table", "variant table")

    base_aligner = align_mod.Aligner

    class TimedAligner(base_aligner):  # type: ignore[misc, valid-type]
        def __init__(self, *a: Any, **k: Any) -> None:
            s = time.perf_counter()
            super().__init__(*a, **k)
            mark("align distinct variants", time.perf_counter() - s)

        def align(self, trace: Any) -> Any:
            s = time.perf_counter()
            try:
                return super().align(trace)
            finally:
                mark("align distinct variants", time.perf_counter() - s)

        def align_variants(self, variants: Any, **k: Any) -> Any:
            s = time.perf_counter()
            try:
                return base_aligner.align_variants(self, variants, **k)
            finally:
                mark("align distinct variants", time.perf_counter() - s)

    align_mod.Aligner = TimedAligner  # type: ignore[misc]

    t = time.perf_counter()
    log = read_log(args.run)
    mark("read_log(parquet)", time.perf_counter() - t)

    t = time.perf_counter()
    result = conformance.check(args.process, log, engine=args.engine, processes=args.processes)
    total_check = time.perf_counter() - t
    inner = sum(
        v
        for k, v in stages.items()
        if k in ("compile process", "match activities", "variant table", "align distinct variants")
    )
    stages["join, deviations, time limits, scores"] = round(total_check - inner, 3)
    stages["check (total)"] = round(total_check, 3)
    out: dict[str, Any] = {
        "engine": args.engine,
        "fvmprocess": fvmprocess.__version__,
        "events": log.events.height,
        "cases": result.cases.height,
        "variants": result.variants.height,
        "units": result.units.height,
        "deviations": result.deviations.height,
        "stages_s": dict(stages),
        "read_plus_check_s": round(stages["read_log(parquet)"] + total_check, 3),
        "peak_rss_mib": _peak_mib(resource.RUSAGE_SELF),
        "peak_rss_workers_mib": _peak_mib(resource.RUSAGE_CHILDREN),
        "peak_rss_after_stage_mib": dict(mem),
        "summary": result.summary(),
    }
    if args.engine == "spark":
        # the path for data that does not fit one machine: Parquet read by Spark itself
        from fvmprocess.engines.spark import align_variants_spark, get_session

        spark = get_session()
        t = time.perf_counter()
        _, variants = eng.variant_table(spark.read.parquet(str(args.run)))
        out["spark_parquet_variant_table_s"] = round(time.perf_counter() - t, 3)
        net = resolve_process(args.process).net
        t = time.perf_counter()
        traces = [tuple(v) for v in result.variants["activities"].to_list()]
        align_variants_spark(net, traces)
        out["spark_align_variants_s"] = round(time.perf_counter() - t, 3)
        out["spark_parquet_variants"] = variants.height
        try:  # the JVM is a live child: getrusage does not see it
            import psutil

            kids = psutil.Process().children(recursive=True)
            out["jvm_and_workers_rss_now_mib"] = round(
                sum(k.memory_info().rss for k in kids) / 2**20, 1
            )
        except (ImportError, OSError):
            pass
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)


def run_child(args: argparse.Namespace, path: Path, engine: str) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--run",
        str(path),
        "--engine",
        engine,
        "--process",
        args.process,
        "--processes",
        str(args.processes),
    ]
    load_before = os.getloadavg()[0]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode or line is None:
        raise SystemExit(f"{engine} run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    res: dict[str, Any] = json.loads(line[len("RESULT ") :])
    res["subprocess_wall_s"] = round(wall, 3)
    # other work on the machine skews the figures: a 1-min load above ~0.5 before the run
    # means something else was running
    res["loadavg_1min_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return res


def profile_child(args: argparse.Namespace) -> None:
    """Runs in the subprocess: cProfile, plus polars time by the calling line of fvmprocess.

    cProfile alone only shows that the time is spent in polars' ``collect``; wrapping the
    eager ``DataFrame`` methods attributes each call's wall time to the line in
    ``src/fvmprocess`` that made it.
    """
    import cProfile
    import functools
    import inspect
    import io
    import pstats

    import polars as pl

    from fvmprocess.conformance import check
    from fvmprocess.eventlog import read_log

    by_line: dict[str, list[float]] = {}

    def wrap(name: str) -> None:
        fn = getattr(pl.DataFrame, name)

        @functools.wraps(fn)
        def wrapper(*a: Any, **k: Any) -> Any:
            frame = inspect.currentframe()
            caller = frame.f_back if frame is not None else None
            while caller is not None and "/fvmprocess/" not in caller.f_code.co_filename:
                caller = caller.f_back
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                if caller is not None:
                    where = caller.f_code.co_filename.split("/fvmprocess/")[-1]
                    key = f"{where}:{caller.f_lineno} {caller.f_code.co_name} .{name}"
                    slot = by_line.setdefault(key, [0.0, 0])
                    slot[0] += time.perf_counter() - t
                    slot[1] += 1

        setattr(pl.DataFrame, name, wrapper)

    for name in (
        "filter",
        "join",
        "select",
        "sort",
        "with_columns",
        "group_by",
        "unique",
        "pivot",
        "drop",
        "rename",
        "head",
        "to_series",
        "item",
        "n_unique",
        "__getitem__",
    ):
        wrap(name)
    pr = cProfile.Profile()
    pr.enable()
    log = read_log(args.run)
    check(args.process, log, processes=args.processes)
    pr.disable()
    pr.dump_stats(str(OUT / "profile_embedded.prof"))
    s = io.StringIO()
    s.write("polars time by calling line (nested calls are counted in each enclosing line)\n")
    for key, (sec, n) in sorted(by_line.items(), key=lambda kv: -kv[1][0])[:30]:
        s.write(f"{sec:8.3f} s  {int(n):4d}x  {key}\n")
    s.write("\n")
    st = pstats.Stats(pr, stream=s).strip_dirs()
    st.sort_stats("cumulative").print_stats(r"conformance|eventlog|embedded|align|collect", 30)
    print(s.getvalue())


def profile(args: argparse.Namespace, path: Path) -> str:
    """The embedded run profiled in a subprocess; the hot spots as text."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--run", str(path), "--profile-run"]
    cmd += ["--process", args.process, "--processes", str(args.processes)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"profile failed:\n{proc.stderr[-3000:]}")
    text = proc.stdout
    (OUT / "profile_embedded.txt").write_text(text, encoding="utf-8")
    return text


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"nproc": os.cpu_count(), "python": platform.python_version()}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in cpu.splitlines()
            if line.startswith("model name")
        )
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["memory_gib"] = round(int(mem) / 1024**2, 1)
    except (OSError, StopIteration):
        pass
    return info


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=lambda s: int(s.replace("_", "")), default=10_000_000)
    p.add_argument("--units", type=int, default=40)
    p.add_argument("--process", default="akutmottagning")
    p.add_argument("--base-cases", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("--processes", type=int, default=2, help="alignment worker processes")
    p.add_argument("--spark", action="store_true", help="also run the Spark engine")
    p.add_argument("--no-embedded", action="store_true", help="skip the embedded run")
    p.add_argument("--profile", action="store_true", help="cProfile the embedded run")
    p.add_argument("--regenerate", action="store_true", help="rewrite the Parquet file")
    p.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--engine", default="embedded", help=argparse.SUPPRESS)
    p.add_argument("--profile-run", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--generate-to", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.generate_to is not None:
        print("RESULT " + json.dumps(generate(args, args.generate_to)), flush=True)
        return
    if args.run is not None and args.profile_run:
        profile_child(args)
        return
    if args.run is not None:
        child(args)
        return
    path = OUT / (
        f"scale_{args.process}_{args.events}_{args.units}u_{args.base_cases}b_s{args.seed}.parquet"
    )
    report: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv)}
    if args.regenerate or not path.exists():
        # in a subprocess too: Linux keeps a process's peak RSS across fork+exec, so this
        # process must stay small for the children's getrusage figures to be their own
        cmd = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:], "--generate-to"]
        proc = subprocess.run([*cmd, str(path)], capture_output=True, text=True, check=False)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if proc.returncode or line is None:
            raise SystemExit(f"generation failed:\n{proc.stderr[-3000:]}")
        report["generation"] = json.loads(line[len("RESULT ") :])
        print("generated", json.dumps(report["generation"]), flush=True)
    report["parquet"] = {
        "path": str(path.relative_to(HERE.parent)),
        "mib": round(path.stat().st_size / 2**20, 1),
    }
    if not args.no_embedded:
        report["embedded"] = run_child(args, path, "embedded")
        print("embedded", json.dumps(report["embedded"], ensure_ascii=False, indent=1), flush=True)
    if args.spark:
        report["spark"] = run_child(args, path, "spark")
        print("spark", json.dumps(report["spark"], ensure_ascii=False, indent=1), flush=True)
    if args.profile:
        report["profile"] = str((OUT / "profile_embedded.txt").relative_to(HERE.parent))
        print(profile(args, path)[:6000])
    (OUT / "scale.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
