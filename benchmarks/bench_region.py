"""A region's CSV exports end to end, side by side: fvmprocess, pm4py and a bare polars pass.

One command (figures to stdout and ``benchmarks/out/region.json``)::

    python benchmarks/bench_region.py                    # 1 M events, 50 units; reports 50 + 200
    python benchmarks/bench_region.py --big              # … and 10 M events
    python benchmarks/bench_region.py --pm4py-timeout 0  # without pm4py

Data: :mod:`regionlog` (the project's simulator for the conforming pool, then 0–4 skips, foreign
insertions, swaps and repeats per case, vectorised), written once as CSV to ``benchmarks/out/``.

Every measured run is a fresh subprocess; its wall time and the peak of the summed RSS of its
whole process tree (the alignment workers included) are read from ``/proc`` every 20 ms:

* ``fvmprocess check --log X.csv -o DIR/`` (and ``-o X.json``): read, check, write the result;
* pm4py end to end: ``pd.read_csv``, ``pd.to_datetime``, ``pm4py.format_dataframe``, the BPMN
  converted to a Petri net, ``pm4py.conformance_diagnostics_alignments`` — killed after
  ``--pm4py-timeout`` seconds (its progress bar says how many variants it had aligned);
* the bare polars pass: read the CSV, parse the timestamps, sort, one variant per case;
* ``fvmprocess report --result DIR -o X.html`` at 50 and 200 units (time, size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
from pathlib import Path
from typing import Any

from _measure import measure  # benchmarks/ is on sys.path when a benchmark runs

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
MODELS = HERE.parent / "models"
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

PM4PY = """
import sys, pandas as pd, pm4py
df = pd.read_csv(sys.argv[1])
df["timestamp"] = pd.to_datetime(df["timestamp"], format="%Y-%m-%d %H:%M:%S")
df = pm4py.format_dataframe(df, case_id="case", activity_key="activity", timestamp_key="timestamp")
net, im, fm = pm4py.convert_to_petri_net(pm4py.read_bpmn(sys.argv[2]))
print("START", flush=True)
res = pm4py.conformance_diagnostics_alignments(df, net, im, fm)
print("CASES", len(res))
"""


def dataset(events: int, units: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The CSV (generated once), and its facts."""
    path = OUT / f"region_{events}_{units}u_s{seed}.csv"
    info_path = path.with_suffix(".json")
    if not path.exists() or not info_path.exists():
        sys.path.insert(0, str(HERE))
        from regionlog import generate, variant_count

        frame, info = generate(events=events, units=units, seed=seed)
        OUT.mkdir(parents=True, exist_ok=True)
        frame.write_csv(path)
        info["variants_in_file"] = variant_count(frame)
        info["csv_mib"] = round(path.stat().st_size / 2**20, 1)
        info_path.write_text(json.dumps(info))
    return path, json.loads(info_path.read_text())


def check_run(csv: Path, target: str, processes: int) -> dict[str, Any]:
    cmd = [sys.executable, "-c", CLI, "check", "--process", "akutmottagning", "--log", str(csv)]
    res = measure([*cmd, "--processes", str(processes), "-q", "-o", target])
    if res["rc"]:
        raise SystemExit(f"check failed: {res['stderr']}")
    p = Path(target)
    size = sum(f.stat().st_size for f in p.iterdir()) if p.is_dir() else p.stat().st_size
    res["output_mib"] = round(size / 2**20, 1)
    return res


def bare_run(csv: Path) -> dict[str, Any]:
    res = measure([sys.executable, "-c", BARE, str(csv)])
    if res["rc"]:
        raise SystemExit(f"bare pass failed: {res['stderr']}")
    return res


def pm4py_run(csv: Path, timeout: float) -> dict[str, Any]:
    res = measure(
        [sys.executable, "-c", PM4PY, str(csv), str(MODELS / "akutmottagning.bpmn")],
        timeout=timeout,
    )
    bars = re.findall(r"(\d+)/(\d+) \[", res["stderr"])
    if bars:
        res["variants_aligned"], res["variants_total"] = map(int, bars[-1])
    return res


def report_run(result_dir: Path, html: Path) -> dict[str, Any]:
    res = measure(
        [sys.executable, "-c", CLI, "report", "--result", str(result_dir), "-o", str(html)]
    )
    if res["rc"]:
        raise SystemExit(f"report failed: {res['stderr']}")
    res["html_mib"] = round(html.stat().st_size / 2**20, 2)
    return res


def machine() -> dict[str, Any]:
    import polars as pl

    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "loadavg_at_start": os.getloadavg(),
    }
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(
            line.split(":", 1)[1].strip() for line in cpu.splitlines() if "model name" in line
        )
    except (OSError, StopIteration):
        pass
    return info


def _row(name: str, r: dict[str, Any], extra: str = "") -> str:
    wall = (
        f">{r['killed_after_s']:.0f} s (killed)"
        if r.get("killed_after_s")
        else f"{r['wall_s']:.1f} s"
    )
    return f"| {name} | {wall} | {r['peak_tree_rss_mib']} MiB | {extra} |"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=lambda s: int(s.replace("_", "")), default=1_000_000)
    p.add_argument("--units", type=int, default=50)
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("--processes", type=int, default=1, help="alignment workers (the CLI default)")
    p.add_argument("--pm4py-timeout", type=float, default=600.0)
    p.add_argument("--big", action="store_true", help="also 10 M events")
    p.add_argument("--no-reports", action="store_true")
    args = p.parse_args()
    figures: dict[str, Any] = {"machine": machine()}
    csv, info = dataset(args.events, args.units, args.seed)
    figures["data"] = info
    print(f"data: {csv.name}: {info}", flush=True)
    rows = []
    res_dir = OUT / f"result_{args.events}_{args.units}u"
    figures["check_dir"] = r = check_run(csv, f"{res_dir}/", args.processes)
    rows.append(_row("`fvmprocess check … -o DIR/` (Parquet)", r, f"{r['output_mib']} MiB"))
    figures["check_json"] = r = check_run(csv, str(res_dir) + ".json", args.processes)
    rows.append(_row("`fvmprocess check … -o FILE.json`", r, f"{r['output_mib']} MiB"))
    figures["bare"] = r = bare_run(csv)
    rows.append(_row("bare polars pass", r, r["stdout"].strip()))
    if args.pm4py_timeout > 0:
        figures["pm4py"] = r = pm4py_run(csv, args.pm4py_timeout)
        done = f"{r.get('variants_aligned', '?')}/{r.get('variants_total', '?')} variants aligned"
        rows.append(_row("pm4py end to end", r, done))
    if args.big:
        big, big_info = dataset(10_000_000, args.units, args.seed)
        figures["big_data"] = big_info
        figures["big_check"] = r = check_run(big, f"{OUT / 'result_10m'}/", args.processes)
        rows.append(_row("10 M events: `fvmprocess check … -o DIR/`", r, f"{big_info}"))
        figures["big_bare"] = r = bare_run(big)
        rows.append(_row("10 M events: bare polars pass", r, r["stdout"].strip()))
    if not args.no_reports:
        figures["report_50"] = r = report_run(res_dir, OUT / "report_50.html")
        rows.append(_row(f"report, {args.units} units", r, f"{r['html_mib']} MB HTML"))
        csv200, _info200 = dataset(args.events, 200, args.seed)
        dir200 = OUT / f"result_{args.events}_200u"
        figures["check_200"] = check_run(csv200, f"{dir200}/", args.processes)
        figures["report_200"] = r = report_run(dir200, OUT / "report_200.html")
        rows.append(_row("report, 200 units", r, f"{r['html_mib']} MB HTML"))
    figures["loadavg_at_end"] = os.getloadavg()
    (OUT / "region.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print("| run | wall | peak RSS (process tree) | note |\n|---|---:|---:|---|")
    print("\n".join(rows))
    print(f"load average at start {figures['machine']['loadavg_at_start']}, end {os.getloadavg()}")


if __name__ == "__main__":
    main()
