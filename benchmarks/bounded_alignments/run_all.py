"""End-to-end through the package: every distinct variant of a log against its IM net.

Usage (from this folder; ``data/`` comes from ``prepare.py``):

    nice -n -10 python run_all.py NAME --processes 2 --seconds 1.0 [--time-budget S]
        [--memory 2GiB] [--sample K]

Aligns with :class:`fvmprocess.conformance.align.Aligner` (the package's engine: no
reachability graph beyond the memory budget, bounded search per variant). Writes
``results/NAME_run[_sampleK]_<seconds>s.json`` (per variant: cost, exact, lower bound) and
prints a summary; the peak RSS of the whole process tree is sampled from /proc every 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
from pathlib import Path

from fvmprocess.conformance.align import Aligner, Budget
from fvmprocess.conformance.options import parse_bytes
from fvmprocess.petri import read_pnml

HERE = Path(__file__).resolve().parent


def tree_rss_mb(root: int) -> float:
    """Summed VmRSS of ``root`` and all its descendants, in MB."""
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except OSError:
                pass
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=1.0, help="CPU seconds per variant")
    ap.add_argument("--time-budget", type=float, default=None, help="wall seconds in all")
    ap.add_argument("--memory", default="2GiB")
    ap.add_argument("--sample", type=int, default=0)
    args = ap.parse_args()
    peak = [0.0]
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_mb(os.getpid()))
            time.sleep(0.2)

    threading.Thread(target=sampler, daemon=True).start()
    t0 = time.perf_counter()
    net = read_pnml(HERE / "data" / f"{args.name}.pnml")
    data = json.loads((HERE / "data" / f"{args.name}_variants.json").read_text())
    variants, counts = data["variants"], data["counts"]
    idx = list(range(len(variants)))
    if args.sample:
        idx = sorted(random.Random(2011).sample(idx, args.sample))
    memory = parse_bytes(args.memory)
    budget = Budget(
        memory=memory // args.processes,
        variant_seconds=args.seconds,
        total_seconds=args.time_budget,
    )
    aligner = Aligner(net, budget=budget)
    built = time.perf_counter() - t0
    last = [0.0]

    def progress(done: int, total: int, states: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 30 or done == total:
            last[0] = now
            print(
                f"{done}/{total} variants, {states} states, {now - t0:.0f} s, "
                f"tree RSS peak {peak[0]:.0f} MB",
                flush=True,
            )

    res = aligner.align_variants(
        [variants[i] for i in idx], processes=args.processes, progress=progress
    )
    wall = time.perf_counter() - t0
    stop.set()
    cases = sum(counts[i] for i in idx)
    exact_cases = sum(counts[i] for i, r in zip(idx, res, strict=True) if r.exact)
    gaps = [r.cost - (r.cost_lower or 0.0) for r in res if not r.exact]
    case_gaps = [
        g
        for i, r in zip(idx, res, strict=True)
        if not r.exact
        for g in [r.cost - (r.cost_lower or 0.0)] * counts[i]
    ]
    summary = {
        "log": args.name,
        "method": aligner.method,
        "variants": len(idx),
        "cases": cases,
        "build_s": round(built, 1),
        "wall_s": round(wall, 1),
        "peak_tree_rss_mb": round(peak[0]),
        "exact_variants": sum(r.exact for r in res),
        "exact_cases": exact_cases,
        "exact_share_cases": round(exact_cases / cases, 4),
        "bounded_variants": len(gaps),
        "bounded_cases": cases - exact_cases,
        "gap_mean_cases": round(sum(case_gaps) / len(case_gaps), 2) if case_gaps else 0,
        "gap_max": max(gaps) if gaps else 0,
        "load_before": os.getloadavg(),
        "settings": vars(args),
    }
    print(json.dumps(summary, indent=1))
    out = {
        "summary": summary,
        "per_variant": [
            {
                "variant": i,
                "len": len(variants[i]),
                "cases": counts[i],
                "cost": r.cost,
                "exact": r.exact,
                "lower": r.cost_lower,
            }
            for i, r in zip(idx, res, strict=True)
        ],
    }
    tag = f"_sample{args.sample}" if args.sample else ""
    path = HERE / "results" / f"{args.name}_package_run{tag}_{args.seconds:g}s.json"
    path.write_text(json.dumps(out, indent=0))


if __name__ == "__main__":
    main()
