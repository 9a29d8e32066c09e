import json, sys, time
from compat import read_pnml, aligner_module
from bounded_align import BoundedAligner
name = sys.argv[1]; N = int(sys.argv[2]); kw = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
net = read_pnml(f'data/{name}.pnml')
V = json.load(open(f'data/{name}_variants.json'))['variants'][:N]
A = aligner_module().Aligner(net)
ref = [A.align(v).cost for v in V]
ba = BoundedAligner(net, max_seconds=30, **kw)
bad = 0; t = time.perf_counter(); lps = 0; lpt = 0; rs = 0
for k, v in enumerate(V):
    r = ba.align(v); lps += r.stats['lp_calls']; lpt += r.stats['lp_seconds']; rs += r.stats['restarts']
    if r.cost != ref[k] or not r.exact:
        bad += 1; print(k, len(v), r.cost, ref[k], r.exact, r.stats)
print(name, kw, len(V), 'mismatch', bad, 'time', round(time.perf_counter() - t, 2), 'lps', lps, 'lp s', round(lpt, 2), 'restarts', rs)
