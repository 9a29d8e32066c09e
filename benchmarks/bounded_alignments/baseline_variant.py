"""Today's engine on one variant: method='net' (what 'auto' falls back to on this net),
empty-trace cost bypassed (it alone exhausts 6 GiB). Reports time and markings discovered;
on SIGALRM (time box) or MemoryError reports how far it got."""
import json, resource, signal, sys, time
from compat import aligner_module, read_pnml

name, idx, box = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
A = aligner_module()
net = read_pnml(f"data/{name}.pnml")
variants = json.load(open(f"data/{name}_variants.json"))["variants"]
trace = tuple(variants[idx])
A.Aligner._empty_trace_cost = lambda self: 0.0
al = A.Aligner(net, method="net")

class Box(Exception):
    pass

def on_alarm(*_):
    raise Box()

signal.signal(signal.SIGALRM, on_alarm)
signal.setitimer(signal.ITIMER_REAL, box)
t = time.perf_counter()
out = {"variant": idx, "len": len(trace)}
try:
    r = al._search(trace)
    out.update(status="done", cost=r.cost)
except Box:
    out.update(status=f"time box {box:g}s")
except MemoryError:
    out.update(status="MemoryError")
signal.setitimer(signal.ITIMER_REAL, 0)
out.update(seconds=round(time.perf_counter() - t, 2), markings=len(al._lazy_markings),
           maxrss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
print(json.dumps(out), flush=True)
