"""Side-by-side benchmark: fvmprocess exact alignments vs pm4py's default alignments.

Usage::

    python benchmarks/bench_alignments.py [--log receipt|bpic2012|catalog|all]
        [--pm4py-timeout S] [--sample N]

For each log: read it (``../shared/real/logs``), discover a model with pm4py's inductive miner
(noise threshold 0.2), export it to ``benchmarks/out/<log>.pnml`` with the variants in
``benchmarks/out/<log>_variants.json``, then align every variant with fvmprocess and with
``pm4py.conformance_diagnostics_alignments`` (its default: A* with the marking-equation
heuristic). Each tool runs in its own subprocess so its time and peak memory (maximum resident
set size) are measured the same way, and pm4py is killed after ``--pm4py-timeout`` seconds and
reported as not finished. Per-variant optimal costs are compared, and a table is printed.
When pm4py does not finish on all variants, it is run again on a seeded random sample of
``--sample`` variants, so costs are still compared where pm4py can produce them.

``--log catalog`` does the same for the shipped sample logs (``event_logs/``) against their
standard processes, compiled with fvmprocess (``to_petri_net``) and given to both tools as PNML.
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


def prepare_catalog(pid: str) -> tuple[Path, Path, int]:
    """A catalogue process compiled to PNML and its shipped sample log's variants."""
    sys.path.insert(0, str(ROOT / "src"))
    from fvmprocess.catalog import catalog
    from fvmprocess.compile import to_petri_net
    from fvmprocess.conformance.check import _match_activities
    from fvmprocess.engines.embedded import variant_table
    from fvmprocess.process import resolve_process
    from fvmprocess.eventlog import ActivityMapping, read_log
    from fvmprocess.petri import write_pnml

    folder = ROOT / "event_logs"
    mapping = folder / f"{pid}.mapping.csv"
    log = read_log(
        folder / f"{pid}.csv", mapping=ActivityMapping.load(mapping) if mapping.exists() else None
    )
    process = catalog()[pid]
    net = to_petri_net(process.model, label="id")
    events = _match_activities(log.events, resolve_process(process))
    cases, variants = variant_table(events)
    OUT.mkdir(exist_ok=True)
    pnml = OUT / f"{pid}.pnml"
    write_pnml(net, pnml)
    vfile = OUT / f"{pid}_variants.json"
    vfile.write_text(json.dumps(variants["activities"].to_list()), encoding="utf-8")
    return pnml, vfile, cases.height


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
        from fvmprocess.conformance.align import Aligner
        from fvmprocess.petri import read_pnml

        net = read_pnml(pnml)  # outside the timing, as pm4py's read_pnml is below
        start = time.perf_counter()
        aligner = Aligner(net)
        built = time.perf_counter()
        costs = [a.cost for a in aligner.align_variants(variants)]
        extra = {"build_s": built - start, "states": aligner.n_states, "method": aligner.method}
    else:
        import pm4py
        from pm4py.objects.log.obj import Event, EventLog, Trace

        net, im, fm = pm4py.read_pnml(str(pnml))
        log = EventLog([Trace([Event({"concept:name": a}) for a in v]) for v in variants])
        start = time.perf_counter()
        if tool == "pm4py-dijkstra":
            from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments

            found = alignments.apply(
                log, net, im, fm, variant=alignments.Variants.VERSION_DIJKSTRA_LESS_MEMORY
            )
        else:
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


def bench(name: str, pm4py_timeout: float, sample: int, dijkstra_timeout: float = 0.0) -> None:
    how = (
        "discovering the model (pm4py inductive miner, noise 0.2)"
        if name in LOGS
        else "compiling the standard process (fvmprocess.to_petri_net)"
    )
    print(f"\n== {name}: {how} ...", flush=True)
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
    elif ours.get("finished") and sample > 0:
        import random

        every = json.loads(vfile.read_text(encoding="utf-8"))
        picked = sorted(random.Random(2012).sample(range(len(every)), min(sample, len(every))))
        sfile = OUT / f"{name}_sample.json"
        sfile.write_text(json.dumps([every[i] for i in picked]), encoding="utf-8")
        part = run_tool("pm4py", pnml, sfile, timeout=pm4py_timeout)
        if part.get("finished"):
            a = ours["costs"]
            b = part["costs"]
            assert isinstance(a, list) and isinstance(b, list)
            same = sum(1 for i, y in zip(picked, b, strict=True) if a[i] == y)
            agree = f"{same}/{len(picked)} sampled"
            print(
                f"pm4py on a sample of {len(picked)} variants: "
                f"{float(part['seconds']):.1f} s, {float(part['rss_mb']):.0f} MB"  # type: ignore[arg-type]
            )
        else:
            agree = f"sample of {len(picked)} did not finish"
    if ours.get("finished") and not theirs.get("finished") and dijkstra_timeout > 0:
        # pm4py's exact Dijkstra variant (slower on small logs, but it finishes on large ones;
        # its per-trace fitness is off, its costs are optimal): a check of every variant's cost
        dij = run_tool("pm4py-dijkstra", pnml, vfile, timeout=dijkstra_timeout)
        if dij.get("finished"):
            a, b = ours["costs"], dij["costs"]
            assert isinstance(a, list) and isinstance(b, list)
            same = sum(1 for x, y in zip(a, b, strict=True) if x == y)
            print(
                f"pm4py exact Dijkstra variant on all variants: {float(dij['seconds']):.1f} s, "  # type: ignore[arg-type]
                f"{float(dij['rss_mb']):.0f} MB, costs agree {same}/{len(a)}"  # type: ignore[arg-type]
            )
        else:
            print(f"pm4py exact Dijkstra variant did not finish in {dijkstra_timeout:.0f} s")
    print(f"{name}: {cases} cases, {n_variants} variants, model {pnml}")
    if ours.get("finished"):
        print(
            f"fvmprocess: {ours.get('method')} search over {ours.get('states')} states, "
            f"built in {float(ours['build_s']):.2f} s (included below)"  # type: ignore[arg-type]
        )
    print(f"{'tool':<12} {'align time':>16} {'peak RSS':>10} {'variants':>9} {'costs agree':>12}")
    for tool, res in (("fvmprocess", ours), ("pm4py", theirs)):
        if res.get("finished"):
            shown = f"{float(res['seconds']):.3f} s"  # type: ignore[arg-type]
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
        name = sys.argv[2]
        pnml, vfile, cases = prepare(name) if name in LOGS else prepare_catalog(name)
        Path(sys.argv[3]).write_text(json.dumps([str(pnml), str(vfile), cases]), encoding="utf-8")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", choices=["receipt", "bpic2012", "catalog", "all"], default="all")
    parser.add_argument("--pm4py-timeout", type=float, default=600.0, metavar="S")
    parser.add_argument(
        "--dijkstra-timeout",
        type=float,
        default=0.0,
        metavar="S",
        help="when pm4py's default does not finish, check every variant's cost against "
        "pm4py's exact Dijkstra variant with this timeout (0: off)",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=200,
        metavar="N",
        help="variants for pm4py when it cannot do them all (default 200)",
    )
    args = parser.parse_args()
    catalog_logs = sorted(
        p.stem for p in (ROOT / "event_logs").glob("*.csv") if ".mapping" not in p.name
    )
    if args.log == "all":
        names = [*LOGS, *catalog_logs]
    elif args.log == "catalog":
        names = catalog_logs
    else:
        names = [args.log]
    for name in names:
        bench(name, args.pm4py_timeout, args.sample, args.dijkstra_timeout)


if __name__ == "__main__":
    main()
