import json, sys, time, random
from compat import read_pnml
from bounded_align import BoundedAligner
name = sys.argv[1]; N = int(sys.argv[2]); secs = float(sys.argv[3]); states = int(sys.argv[4])
net = read_pnml(f"data/{name}.pnml")
V = json.load(open(f"data/{name}_variants.json"))["variants"]
idx = sorted(random.Random(2011).sample(range(len(V)), N))
t = time.perf_counter()
ba = BoundedAligner(net, max_seconds=secs, max_states=states)
e = ba.empty_run()
print("build+empty", round(time.perf_counter() - t, 2), "empty cost", e.cost, flush=True)
for k in idx:
    r = ba.align(V[k])
    s = r.stats
    print(json.dumps({"variant": k, "len": len(V[k]), "cost": r.cost, "exact": r.exact, "lower": r.cost_lower,
          "s": round(s["seconds"], 2), "exp": s["expanded"], "stored": s["stored"], "lp": s["lp_calls"],
          "lp_s": s["lp_seconds"], "up": s.get("upper_from"), "splits": len(s["split_points"]), "restarts": s["restarts"]}), flush=True)
