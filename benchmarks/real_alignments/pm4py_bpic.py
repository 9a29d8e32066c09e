"""pm4py default alignments on the whole BPIC 2011 log (read_xes + conformance_diagnostics_alignments) in a 300 s box."""
import json, sys
sys.path.insert(0, "/work/main/benchmarks")
from _measure import measure
cmd = [sys.executable, "/work/main/benchmarks/bench_real.py", "--pm4py-worker",
       "/work/main/benchmarks/real_alignments/data/bpic2011.pnml",
       "/work/shared/real/logs/bpic2011_hospital.xes.gz", "/tmp/pm4py_bpic_result.json"]
r = measure(cmd, timeout=300)
print(json.dumps({k: v for k, v in r.items() if k not in ("stdout", "stderr")}))
