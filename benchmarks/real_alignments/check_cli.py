"""BPIC 2011 end to end through the CLI (fvmprocess check, 2 processes), measured with _measure.py."""
import json, sys
sys.path.insert(0, "/work/main/benchmarks")
from _measure import measure
cmd = ["fvmprocess", "check", "--process", "/work/main/benchmarks/real_alignments/data/bpic2011.pnml",
       "--log", "/work/shared/real/logs/bpic2011_hospital.xes.gz", "--processes", "2", "-o", "/tmp/bpic/out/"]
r = measure(cmd, timeout=1500)
s = json.load(open("/tmp/bpic/out/summary.json")) if r["killed_after_s"] is None else {}
print(json.dumps({k: v for k, v in r.items() if k not in ("stdout",)}, indent=1)[:3000])
print(json.dumps(s.get("alignments", s.get("conformance", {})), indent=1)[:1500])
