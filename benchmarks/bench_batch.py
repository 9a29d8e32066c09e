"""Aligning many distinct variants: the batched dynamic program against one A* search each.

One command (figures to stdout)::

    python benchmarks/bench_batch.py            # the 1 M-event region log (bench_region.py's)
    python benchmarks/bench_batch.py --real     # … and receipt, Sepsis, Hospital Billing

For a deterministic model ``Aligner.align_variants`` answers all variants from one cost table
over their suffix trie (``conformance/_batch.py``); with the batch switched off
(``_BATCH_MAX_EDGES = 0``) the same aligner runs its exact A* per variant. Each run is a fresh
subprocess (wall time of the alignment alone, measured inside it, and the whole process tree's
peak RSS); the two runs' costs are compared variant by variant.

Models: the region log against the shipped ``akutmottagning`` standard; the real logs against
the Petri nets ``bench_real.py`` discovers with pm4py (``benchmarks/out/real/*.pnml``; skipped
when absent). Logs from ``../shared/real/logs``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from _measure import measure  # benchmarks/ is on sys.path when a benchmark runs

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SHARED = HERE.parent.parent / "shared" / "real" / "logs"
REAL = {
    "receipt": "08_receipt.xes.gz",
    "sepsis": "13_SEPSIS_1t_per_variant.xes.gz",
    "billing": "14_Billing_1t_per_variant.xes.gz",
}


def worker(mode: str, model: str, log: str) -> None:
    """Align the log's distinct variants; print the figures as one JSON line."""
    import importlib
    import time

    from fvmprocess.conformance.align import Aligner
    from fvmprocess.eventlog import read_log
    from fvmprocess.petri import read_pnml
    from fvmprocess.process import resolve_process

    align_module = importlib.import_module("fvmprocess.conformance.align")
    if mode == "search":
        align_module._BATCH_MAX_EDGES = 0  # type: ignore[attr-defined]
    net = read_pnml(model) if model.endswith(".pnml") else resolve_process(model).net
    traces = [tuple(v) for v in read_log(log).variants()["variant"].to_list()]
    t0 = time.perf_counter()
    aligner = Aligner(net)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    found = aligner.align_variants(traces)
    seconds = time.perf_counter() - t0
    costs = json.dumps([a.cost for a in found]).encode()
    print(
        "RESULT",
        json.dumps(
            {
                "variants": len(traces),
                "events": sum(map(len, traces)),
                "states": aligner.n_states,
                "batched": aligner._auto is not None,
                "build_s": round(built, 3),
                "align_s": round(seconds, 3),
                "exact": sum(a.exact for a in found),
                "costs": hashlib.sha256(costs).hexdigest(),
            }
        ),
    )


def run(mode: str, model: str, log: Path) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", mode, model, str(log)]
    load = os.getloadavg()[0]
    got = measure(cmd, timeout=1800)
    line = next((x for x in got["stdout"].splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"{mode} on {log.name} failed:\n{got['stderr'][-2000:]}")
    return {**json.loads(line[7:]), "peak_mib": got["peak_tree_rss_mib"], "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="also the real logs")
    parser.add_argument(
        "--worker", nargs=3, metavar=("MODE", "MODEL", "LOG"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    region = OUT / "region_1000000_50u_s2025.csv"
    if not region.exists():
        raise SystemExit(f"{region}: not found; run benchmarks/bench_region.py once to write it")
    cases = [("region 1 M", "akutmottagning", region)]
    if args.real:
        for name, file in REAL.items():
            pnml = OUT / "real" / f"{name}_im.pnml"
            if pnml.exists() and (SHARED / file).exists():
                cases.append((f"{name} (inductive miner)", str(pnml), SHARED / file))
    print(
        "| log | variants | events | DFA states | batch: align | A* each: align | peak RSS batch / A* | costs agree | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for title, model, log in cases:
        batch, search = run("batch", model, log), run("search", model, log)
        assert batch["batched"] and not search["batched"], (batch, search)
        agree = "yes" if batch["costs"] == search["costs"] else "**no**"
        print(
            f"| {title} | {batch['variants']:,} | {batch['events']:,} | {batch['states']} "
            f"| {batch['align_s']:.2f} s | {search['align_s']:.2f} s "
            f"| {batch['peak_mib']:.0f} / {search['peak_mib']:.0f} MiB | {agree} "
            f"| {batch['load']:.1f} |".replace(",", " "),
            flush=True,
        )


if __name__ == "__main__":
    main()
