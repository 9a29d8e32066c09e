"""Side-by-side benchmark: fvmprocess exact alignments vs pm4py's default alignments.

Usage::

    python benchmarks/bench_alignments.py [--log receipt|bpic2012|all] [--pm4py-timeout S]

For each log: read it (``../shared/real/logs``), discover a model with pm4py's inductive miner
(noise threshold 0.2), export it to ``benchmarks/out/<log>.pnml`` with the variants in
``benchmarks/out/<log>_variants.json``, then align every variant with fvmprocess and with
``pm4py.conformance_diagnostics_alignments`` (its default: A* with the marking-equation
heuristic). Each tool runs in its own subprocess so its time and peak memory (maximum resident
set size) are measured the same way, and pm4py is killed after ``--pm4py-timeout`` seconds and
reported as not finished. Per-variant optimal costs are compared, and a table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
SHARED = Path(os.environ.get("FVM_SHARED", ROOT.parent / "shared"))
LOGS = {"receipt": "receipt.csv.gz", "bpic2012": "bpic2012.xes.gz"}


def prepare(name: str) -> tuple[Path, Path, int]:
    """Discover the model and extract the variants (pm4py); returns the two files and #cases."""
    import pm4py

    path = SHARED / "real" / "logs" / LOGS[name]
    if path.suffix == ".gz" and path.name.endswith(".csv.gz"):
        import pandas as pd

        frame = pd.read_csv(path)
        frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True, format="mixed")
        log = pm4py.format_dataframe(
            frame,
            case_id="case:concept:name",
            activity_key="concept:name",
            timestamp_key="time:timestamp",
        )
        cases = frame["case:concept:name"].nunique()
    else:
        log = pm4py.read_xes(str(path))
        cases = log["case:concept:name"].nunique()
    net, im, fm = pm4py.discover_petri_net_inductive(log, noise_threshold=0.2)
    OUT.mkdir(exist_ok=True)
    pnml = OUT / f"{name}.pnml"
    pm4py.write_pnml(net, im, fm, str(pnml))
    variants = [list(v) for v in pm4py.get_variants(log)]
    vfile = OUT / f"{name}_variants.json"
    vfile.write_text(json.dumps(variants), encoding="utf-8")
    return pnml, vfile, int(cases)


def worker(tool: str, pnml: Path, vfile: Path, result: Path) -> None:
    """Align all variants with one tool; write costs and the alignment time as JSON."""
    variants = json.loads(vfile.read_text(encoding="utf-8"))
    if tool == "fvmprocess":
        sys.path.insert(0, str(ROOT / "src"))
        from fvmprocess.align import Aligner
        from fvmprocess.petri import read_pnml

        start = time.perf_counter()
        aligner = Aligner(read_pnml(pnml))
        built = time.perf_counter()
        costs = [a.cost for a in aligner.align_variants(variants)]
        extra = {"build_s": built - start, "states": aligner.n_states, "method": aligner.method}
    else:
        import pm4py
        from pm4py.objects.log.obj import Event, EventLog, Trace

        net, im, fm = pm4py.read_pnml(str(pnml))
        log = EventLog([Trace([Event({"concept:name": a}) for a in v]) for v in variants])
        start = time.perf_counter()
        found = pm4py.conformance_diagnostics_alignments(log, net, im, fm)
        costs = [int(r["cost"]) // 10000 for r in found]
        extra = {}
    elapsed = time.perf_counter() - start
    result.write_text(json.dumps({"seconds": elapsed, "costs": costs, **extra}), encoding="utf-8")


def run_tool(tool: str, pnml: Path, vfile: Path, timeout: float) -> dict[str, object]:
    """Run ``worker`` in a subprocess; measure wall time and its peak RSS (wait4)."""
    result = OUT / f"{pnml.stem}_{tool}.json"
    result.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--worker", tool, str(pnml), str(vfile), str(result)]
    with open(OUT / f"{pnml.stem}_{tool}.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        start = time.perf_counter()
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                return {"finished": False, "timeout": timeout, "rss_mb": usage.ru_maxrss / 1024}
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not result.exists():
        return {"finished": False, "error": f"exit code {proc.returncode}, see {log.name}"}
    data: dict[str, object] = json.loads(result.read_text(encoding="utf-8"))
    data.update(finished=True, rss_mb=usage.ru_maxrss / 1024, wall_s=time.perf_counter() - start)
    return data


def bench(name: str, pm4py_timeout: float) -> None:
    print(f"\n== {name}: discovering the model (pm4py inductive miner, noise 0.2) ...", flush=True)
    # in a subprocess, so this process stays small: a child's peak RSS counts what it
    # inherited at fork, and pm4py + pandas here would inflate both tools' figures
    OUT.mkdir(exist_ok=True)
    info = OUT / f"{name}_prepare.json"
    with open(OUT / f"{name}_prepare.log", "wb") as log:
        subprocess.run(
            [sys.executable, __file__, "--prepare", name, str(info)],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    pnml_s, vfile_s, cases = json.loads(info.read_text(encoding="utf-8"))
    pnml, vfile = Path(pnml_s), Path(vfile_s)
    n_variants = len(json.loads(vfile.read_text(encoding="utf-8")))
    ours = run_tool("fvmprocess", pnml, vfile, timeout=3600)
    theirs = run_tool("pm4py", pnml, vfile, timeout=pm4py_timeout)
    agree = "-"
    if ours.get("finished") and theirs.get("finished"):
        a, b = ours["costs"], theirs["costs"]
        assert isinstance(a, list) and isinstance(b, list)
        same = sum(1 for x, y in zip(a, b, strict=True) if x == y)
        agree = f"{same}/{len(a)}"
    print(f"{name}: {cases} cases, {n_variants} variants, model {pnml}")
    if ours.get("finished"):
        print(
            f"fvmprocess: {ours.get('method')} search over {ours.get('states')} states, "
            f"built in {float(ours['build_s']):.2f} s (included below)"  # type: ignore[arg-type]
        )
    print(f"{'tool':<12} {'align time':>16} {'peak RSS':>10} {'variants':>9} {'costs agree':>12}")
    for tool, res in (("fvmprocess", ours), ("pm4py", theirs)):
        if res.get("finished"):
            shown = f"{float(res['seconds']):.2f} s"  # type: ignore[arg-type]
        elif "timeout" in res:
            shown = f"did not finish in {float(res['timeout']):.0f} s"  # type: ignore[arg-type]
        else:
            shown = f"failed ({res.get('error')})"
        rss = f"{float(res['rss_mb']):.0f} MB" if "rss_mb" in res else "-"  # type: ignore[arg-type]
        print(f"{tool:<12} {shown:>16} {rss:>10} {n_variants:>9} {agree:>12}")
    if ours.get("finished") and theirs.get("finished"):
        speedup = float(theirs["seconds"]) / float(ours["seconds"])  # type: ignore[arg-type]
        print(f"speed-up: {speedup:.0f}x")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--prepare":
        pnml, vfile, cases = prepare(sys.argv[2])
        Path(sys.argv[3]).write_text(json.dumps([str(pnml), str(vfile), cases]), encoding="utf-8")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", choices=["receipt", "bpic2012", "all"], default="all")
    parser.add_argument("--pm4py-timeout", type=float, default=600.0, metavar="S")
    args = parser.parse_args()
    names = list(LOGS) if args.log == "all" else [args.log]
    for name in names:
        bench(name, args.pm4py_timeout)


if __name__ == "__main__":
    main()
