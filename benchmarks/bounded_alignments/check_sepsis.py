"""Cost equality of the bounded on-the-fly search against the exact graph engine on a log.

Usage: python check_sepsis.py NAME N ['{"max_splits": 0}']  (BoundedAligner keywords)
"""

import json
import sys
import time
from pathlib import Path

from fvmprocess.conformance._search import BoundedAligner
from fvmprocess.conformance.align import Aligner
from fvmprocess.petri import read_pnml

name, n = sys.argv[1], int(sys.argv[2])
kw = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
net = read_pnml(f"data/{name}.pnml")
variants = json.loads(Path(f"data/{name}_variants.json").read_text())["variants"][:n]
graph = Aligner(net, method="graph")
ref = [graph.align(v).cost for v in variants]
search = BoundedAligner(net, max_seconds=30, **kw)
bad, t0 = 0, time.perf_counter()
for k, v in enumerate(variants):
    r = search.align(v)
    if r.cost != ref[k] or not r.exact:
        bad += 1
        print(k, len(v), r.cost, ref[k], r.exact, r.stats)
print(name, kw, len(variants), "mismatch", bad, "time", round(time.perf_counter() - t0, 2))
