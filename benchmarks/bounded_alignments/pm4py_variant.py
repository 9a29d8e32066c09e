"""pm4py's default alignments (A* + marking equation) on one variant; prints JSON."""
import json, resource, sys, time, warnings
warnings.filterwarnings("ignore")
import pm4py
from pm4py.objects.log.obj import Event, EventLog, Trace
name, idx = sys.argv[1], int(sys.argv[2])
net, im, fm = pm4py.read_pnml(f"data/{name}.pnml")
v = json.load(open(f"data/{name}_variants.json"))["variants"][idx]
log = EventLog([Trace([Event({"concept:name": a}) for a in v])])
t = time.perf_counter()
r = pm4py.conformance_diagnostics_alignments(log, net, im, fm)[0]
print(json.dumps({"variant": idx, "len": len(v), "cost": r["cost"] // 10000, "seconds": round(time.perf_counter() - t, 2),
                  "visited": r.get("visited_states"), "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}), flush=True)
