"""Real hospital logs end to end (issue 11): ``fvmprocess check`` beside pm4py's alignments.

Usage::

    python benchmarks/bench_real.py [--log bpic2011|sepsis|billing|receipt|all]
        [--box S] [--pm4py-box S] [--model im|discover|both] [-- EXTRA CHECK ARGS]

For each log (``../shared/real/logs``) and each model:

- ``im``: pm4py's inductive miner with noise threshold 0.2, written as PNML by pm4py;
- ``discover``: ``fvmprocess.discover(log)`` with its defaults, written by
  ``fvmprocess.petri.write_pnml`` (the issue names both; the table says whether they are the
  same net),

it runs, each in its own subprocess measured alike (wall time, peak RSS of the whole process
tree, ``benchmarks/_measure.py``):

- **fvmprocess**: ``fvmprocess check --process NET.pnml --log LOG -o OUT/`` — reading the log,
  the alignments, deviations and scores, and writing the result folder, as a user runs it. The
  exactness figures come from ``OUT/summary.json`` (``exact_share``, bounded cases, gap);
- **pm4py**: ``pm4py.read_xes`` + ``pm4py.conformance_diagnostics_alignments`` (its default A*
  with the marking-equation heuristic) on the same PNML, killed after ``--pm4py-box`` seconds
  and then reported as "did not finish in N s".

Models are prepared once (``benchmarks/out/real/``) in a subprocess that is not timed; the
discovery time is printed separately. The machine's load (``os.getloadavg``) is printed beside
every row, because the budgets of the alignment search are wall-clock budgets.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "real"
SHARED = Path(os.environ.get("FVM_SHARED", ROOT.parent / "shared"))
LOGS = {
    "bpic2011": "bpic2011_hospital.xes.gz",
    "sepsis": "13_SEPSIS_1t_per_variant.xes.gz",
    "billing": "14_Billing_1t_per_variant.xes.gz",
    "receipt": "08_receipt.xes.gz",
}
sys.path.insert(0, str(HERE))
from _measure import measure  # noqa: E402


def prepare(name: str) -> dict[str, Any]:
    """Both models of one log as PNML, and facts about the log and the nets (cached)."""
    facts_file = OUT / f"{name}_models.json"
    if facts_file.exists():
        cached: dict[str, Any] = json.loads(facts_file.read_text(encoding="utf-8"))
        return cached
    import pm4py

    sys.path.insert(0, str(ROOT / "src"))
    import fvmprocess
    from fvmprocess.petri import read_pnml, write_pnml

    OUT.mkdir(parents=True, exist_ok=True)
    path = SHARED / "real" / "logs" / LOGS[name]
    t0 = time.perf_counter()
    frame = pm4py.read_xes(str(path))
    net, im, fm = pm4py.discover_petri_net_inductive(frame, noise_threshold=0.2)
    t_im = time.perf_counter() - t0
    pm4py.write_pnml(net, im, fm, str(OUT / f"{name}_im.pnml"))
    t0 = time.perf_counter()
    log = fvmprocess.read_log(path)
    ours = fvmprocess.discover(log)
    t_ours = time.perf_counter() - t0
    write_pnml(ours, OUT / f"{name}_discover.pnml")
    nets = {m: read_pnml(OUT / f"{name}_{m}.pnml") for m in ("im", "discover")}
    facts = {
        "cases": int(frame["case:concept:name"].nunique()),
        "events": len(frame),
        "activities": int(frame["concept:name"].nunique()),
        "discover_s": {"im": round(t_im, 1), "discover": round(t_ours, 1)},
        "nets": {m: _net_facts(n) for m, n in nets.items()},
    }
    facts_file.write_text(json.dumps(facts, indent=1), encoding="utf-8")
    return facts


def _net_facts(net: Any) -> dict[str, int]:
    silent = sum(1 for t in net.transitions if t.label is None)
    return {"places": len(net.places), "transitions": len(net.transitions), "silent": silent}


def pm4py_worker(pnml: str, log: str, result: str) -> None:
    """pm4py end to end: read the XES, align every case, write the time and the costs."""
    import pm4py

    t0 = time.perf_counter()
    frame = pm4py.read_xes(log)
    net, im, fm = pm4py.read_pnml(pnml)
    found = pm4py.conformance_diagnostics_alignments(frame, net, im, fm)
    costs = [int(r["cost"]) // 10000 for r in found]
    Path(result).write_text(
        json.dumps({"seconds": time.perf_counter() - t0, "cases": len(costs)}), encoding="utf-8"
    )


def run_ours(name: str, model: str, box: float, extra: list[str]) -> dict[str, Any]:
    """``fvmprocess check`` end to end, with the exactness figures from its summary."""
    out = OUT / f"{name}_{model}_result"
    pnml = OUT / f"{name}_{model}.pnml"
    log = SHARED / "real" / "logs" / LOGS[name]
    cmd = [sys.executable, "-m", "fvmprocess", "check", "--process", str(pnml)]
    cmd += ["--log", str(log), "-o", f"{out}/", *extra]
    load = os.getloadavg()[0]
    run = measure(cmd, timeout=box)
    run["load"] = round(load, 1)
    summary = out / "summary.json"
    if run["rc"] in (0, 1) and summary.exists() and run["killed_after_s"] is None:
        run["summary"] = json.loads(summary.read_text(encoding="utf-8"))
    elif run["killed_after_s"] is None:
        run["rc"] = run["rc"] or 2  # no result written: a failure whatever the exit code
    return run


def run_pm4py(name: str, model: str, box: float) -> dict[str, Any]:
    """pm4py's default alignments in a time box."""
    result = OUT / f"{name}_{model}_pm4py.json"
    result.unlink(missing_ok=True)
    pnml = OUT / f"{name}_{model}.pnml"
    log = SHARED / "real" / "logs" / LOGS[name]
    cmd = [sys.executable, __file__, "--pm4py-worker", str(pnml), str(log), str(result)]
    run = measure(cmd, timeout=box)
    if result.exists():
        run.update(json.loads(result.read_text(encoding="utf-8")))
    return run


def _exactness(summary: dict[str, Any]) -> str:
    """``exact 97.1 %, 33 bounded (gap mean 2.1, max 9)`` from a result summary."""
    conf = summary.get("conformance", summary)
    share = _find(conf, "exact_share")
    if share is None:
        return "exact share not in the summary"
    bounded = _find(conf, "bounded_cases")
    gap_mean, gap_max = _find(conf, "gap_mean"), _find(conf, "gap_max")
    text = f"exact {100 * float(share):.1f} %"
    if bounded:
        text += f", {bounded} bounded (gap mean {gap_mean}, max {gap_max})"
    return text


def _find(tree: Any, key: str) -> Any:
    """The first value under ``key`` anywhere in a JSON tree (the summary's layout may grow)."""
    if isinstance(tree, dict):
        if key in tree:
            return tree[key]
        for v in tree.values():
            found = _find(v, key)
            if found is not None:
                return found
    if isinstance(tree, list):
        for v in tree:
            found = _find(v, key)
            if found is not None:
                return found
    return None


def _shown(run: dict[str, Any]) -> str:
    if run.get("killed_after_s") is not None:
        return f"did not finish in {run['killed_after_s']:.0f} s"
    if run["rc"] not in (0, 1) or ("summary" not in run and "seconds" not in run):
        last = (run["stderr"].strip().splitlines() or ["?"])[-1]
        return f"failed (exit {run['rc']}): {last[:60]}"
    return f"{run['wall_s']:.1f} s"


def bench(name: str, models: list[str], box: float, pm4py_box: float, extra: list[str]) -> None:
    """One log: prepare, then ours and pm4py's per model; print the table."""
    import subprocess

    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, __file__, "--prepare", name], check=True)
    facts = json.loads((OUT / f"{name}_models.json").read_text(encoding="utf-8"))
    print(
        f"\n== {name}: {facts['cases']} cases, {facts['events']} events, "
        f"{facts['activities']} activities"
    )
    same = facts["nets"]["im"] == facts["nets"]["discover"]
    for m in ("im", "discover"):
        n = facts["nets"][m]
        print(
            f"   model {m}: {n['places']} places, {n['transitions']} transitions "
            f"({n['silent']} silent), discovered in {facts['discover_s'][m]} s"
        )
    if same:
        print("   (fvmprocess.discover's default is pm4py's inductive miner, noise 0.2: same net)")
    print(
        f"{'model':<9} {'tool':<11} {'end to end':>26} {'peak (tree)':>12} {'load':>5}  exactness"
    )
    for m in models:
        ours = run_ours(name, m, box, extra)
        exact = _exactness(ours["summary"]) if "summary" in ours else "-"
        print(
            f"{m:<9} {'fvmprocess':<11} {_shown(ours):>26} "
            f"{ours['peak_tree_rss_mib']:>8} MiB {ours['load']:>5}  {exact}",
            flush=True,
        )
        if pm4py_box > 0:
            load = round(os.getloadavg()[0], 1)
            theirs = run_pm4py(name, m, pm4py_box)
            print(
                f"{m:<9} {'pm4py':<11} {_shown(theirs):>26} "
                f"{theirs['peak_tree_rss_mib']:>8} MiB {load:>5}  exact (A* + ME)",
                flush=True,
            )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--prepare":
        prepare(sys.argv[2])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--pm4py-worker":
        pm4py_worker(*sys.argv[2:5])
        return
    argv = sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", choices=[*LOGS, "all"], default="all")
    parser.add_argument("--model", choices=["im", "discover", "both"], default="both")
    parser.add_argument(
        "--box",
        type=float,
        default=1800.0,
        metavar="S",
        help="time box for fvmprocess check (default 1800 s)",
    )
    parser.add_argument(
        "--pm4py-box",
        type=float,
        default=600.0,
        metavar="S",
        help="time box for pm4py (default 600 s; 0 skips pm4py)",
    )
    args = parser.parse_args(argv)
    names = list(LOGS) if args.log == "all" else [args.log]
    models = ["im", "discover"] if args.model == "both" else [args.model]
    for name in names:
        bench(name, models, args.box, args.pm4py_box, extra)


if __name__ == "__main__":
    main()
