"""Per-variant diagnostics of the bounded search on a seeded sample.

Usage: python try_bpic.py NAME N SECONDS STATES
"""

import json
import random
import sys
import time
from pathlib import Path

from fvmprocess.conformance._search import BoundedAligner
from fvmprocess.petri import read_pnml

name, n, secs, states = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
net = read_pnml(f"data/{name}.pnml")
variants = json.loads(Path(f"data/{name}_variants.json").read_text())["variants"]
idx = sorted(random.Random(2011).sample(range(len(variants)), n))
t0 = time.perf_counter()
search = BoundedAligner(net, max_seconds=secs, max_states=states)
empty = search.empty_run()
print("build+empty", round(time.perf_counter() - t0, 2), "empty cost", empty.cost, flush=True)
for k in idx:
    r = search.align(variants[k])
    s = r.stats
    print(
        json.dumps(
            {
                "variant": k,
                "len": len(variants[k]),
                "cost": r.cost,
                "exact": r.exact,
                "lower": r.cost_lower,
                "s": s["seconds"],
                "exp": s["expanded"],
                "stored": s["stored"],
                "lp": s["lp_calls"],
                "up": s.get("upper_from"),
                "splits": len(s["split_points"]),
                "restarts": s["restarts"],
            }
        ),
        flush=True,
    )
