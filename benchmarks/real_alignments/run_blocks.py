"""Align every variant of a real log against its IM net with the block aligner.

Usage: ``python run_blocks.py NAME [--check-bounded]``. Reads ``data/NAME.pnml`` and
``data/NAME_variants.json`` (``prepare.py``); writes ``results/NAME_blocks.json`` with the time
per variant, total wall time, whole-process-tree peak RSS (sampled from /proc every 0.2 s) and,
with ``--check-bounded``, cost agreement with the bounded A* where that one was exact
(``../bounded_alignments/results/NAME_run_1s.json``).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

from fvmprocess.conformance.blocks import BlockAligner, tree_of
from fvmprocess.petri import read_pnml

HERE = Path(__file__).resolve().parent


def _tree_rss_kb(root: int) -> int:
    total = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{pid}/task/{pid}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return total


def main(name: str, check: bool) -> None:
    """Run and write the results."""
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(os.getpid()))
            time.sleep(0.2)

    threading.Thread(target=sample, daemon=True).start()
    t0 = time.perf_counter()
    net = read_pnml(HERE / "data" / f"{name}.pnml")
    data = json.loads((HERE / "data" / f"{name}_variants.json").read_text())
    tree_of(net)  # raises NotBlockStructured with the reason
    t1 = time.perf_counter()
    aligner = BlockAligner.from_net(net)
    assert aligner is not None
    t2 = time.perf_counter()
    rows = []
    with open(HERE / "results" / f"{name}_blocks_progress.jsonl", "w") as log:
        for k, variant in enumerate(data["variants"]):
            s = time.perf_counter()
            res = aligner.align(variant)
            rows.append(
                {
                    "variant": k,
                    "len": len(variant),
                    "cases": data["counts"][k],
                    "cost": res.cost,
                    "seconds": round(time.perf_counter() - s, 4),
                }
            )
            log.write(json.dumps(rows[-1]) + "\n")
            log.flush()
    wall = time.perf_counter() - t0
    stop.set()
    secs = sorted(r["seconds"] for r in rows)
    summary = {
        "log": name,
        "variants": len(rows),
        "cases": sum(data["counts"]),
        "reduce_s": round(t1 - t0, 2),
        "build_s": round(t2 - t1, 2),
        "wall_s": round(wall, 1),
        "median_s": secs[len(secs) // 2],
        "max_s": secs[-1],
        "peak_tree_rss_mb": round(peak[0] / 1024),
        "load": os.getloadavg(),
    }
    if check:
        ref = json.loads(
            (HERE.parent / "bounded_alignments" / "results" / f"{name}_run_1s.json").read_text()
        )["per_variant"]
        exact = [r for r in ref if r["exact"]]
        same = sum(
            1
            for r in exact
            if abs(rows[r["variant"]]["cost"] - r["cost"]) < 1e-9
            and rows[r["variant"]]["len"] == r["len"]
        )
        within = sum(
            1
            for r in ref
            if not r["exact"]
            and r["lower"] - 1e-9 <= rows[r["variant"]]["cost"] <= r["cost"] + 1e-9
        )
        summary.update(
            bounded_exact=len(exact),
            equal_cost=same,
            bounded_inexact=len(ref) - len(exact),
            inside_bounds=within,
        )
    out = HERE / "results" / f"{name}_blocks.json"
    out.write_text(json.dumps({"summary": summary, "per_variant": rows}, indent=0))
    print(summary)


if __name__ == "__main__":
    main(sys.argv[1], "--check-bounded" in sys.argv)
