"""Discover inductive-miner nets (noise 0.2) for the real logs; write PNML and variants.

Usage: ``python prepare.py NAME FILE`` (FILE under /work/shared/real/logs). Writes
``data/NAME.pnml``, ``data/NAME_variants.json`` (variants in pm4py's order, with case counts)
and ``data/NAME_info.json``. Same discovery as ``benchmarks/bounded_alignments/prepare.py``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pm4py

LOGS = Path("/work/shared/real/logs")
OUT = Path(__file__).resolve().parent / "data"


def main(name: str, fname: str) -> None:
    """Discover, write and summarise one log."""
    OUT.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    log = pm4py.read_xes(str(LOGS / fname))
    t1 = time.perf_counter()
    net, im, fm = pm4py.discover_petri_net_inductive(log, noise_threshold=0.2)
    t2 = time.perf_counter()
    pm4py.write_pnml(net, im, fm, str(OUT / f"{name}.pnml"))
    var = pm4py.get_variants(log)
    variants = [list(v) for v in var]
    counts = [int(c) if not isinstance(c, list) else len(c) for c in var.values()]
    (OUT / f"{name}_variants.json").write_text(json.dumps({"variants": variants, "counts": counts}))
    lens = sorted(len(v) for v in variants)
    info = {
        "name": name,
        "cases": int(log["case:concept:name"].nunique()),
        "events": len(log),
        "activities": int(log["concept:name"].nunique()),
        "variants": len(variants),
        "places": len(net.places),
        "transitions": len(net.transitions),
        "silent": sum(1 for t in net.transitions if t.label is None),
        "read_s": round(t1 - t0, 1),
        "discover_s": round(t2 - t1, 1),
        "trace_len_max": lens[-1],
        "trace_len_median": lens[len(lens) // 2],
    }
    (OUT / f"{name}_info.json").write_text(json.dumps(info, indent=1))
    print(info)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
