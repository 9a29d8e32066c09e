"""End-to-end: every distinct variant of a log against its IM net, N processes, budgets.

Usage: python run_all.py NAME --processes 2 --seconds 1.0 --states 200000 [--sample K]
Writes results/NAME_run.json (per variant: cost, exact, lower, seconds, stats) and prints a
summary; peak RSS of the whole process tree is sampled from /proc every 0.2 s."""
import argparse, json, os, threading, time, sys
from pathlib import Path
from compat import read_pnml
from bounded_align import align_variants_bounded

def tree_rss_mb(root: int) -> float:
    kids = {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open(f'/proc/{d}/stat') as f:
                    ppid = int(f.read().rsplit(')', 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except OSError:
                pass
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            with open(f'/proc/{p}/status') as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024

ap = argparse.ArgumentParser()
ap.add_argument('name'); ap.add_argument('--processes', type=int, default=2)
ap.add_argument('--seconds', type=float, default=1.0); ap.add_argument('--states', type=int, default=200_000)
ap.add_argument('--splits', type=int, default=30); ap.add_argument('--stall', type=int, default=500)
ap.add_argument('--sample', type=int, default=0)
args = ap.parse_args()
peak = [0.0]; stop = threading.Event()
def sampler():
    while not stop.is_set():
        peak[0] = max(peak[0], tree_rss_mb(os.getpid())); time.sleep(0.2)
threading.Thread(target=sampler, daemon=True).start()
t0 = time.perf_counter()
net = read_pnml(f'data/{args.name}.pnml')
data = json.load(open(f'data/{args.name}_variants.json'))
V, counts = data['variants'], data['counts']
idx = list(range(len(V)))
if args.sample:
    import random
    idx = sorted(random.Random(2011).sample(idx, args.sample))
last = [0.0]
def progress(done, total, r):
    now = time.perf_counter()
    if now - last[0] > 10 or done == total:
        last[0] = now
        print(f'{done}/{total} variants, {now - t0:.0f} s, tree RSS peak {peak[0]:.0f} MB', flush=True)
res = align_variants_bounded(net, [V[i] for i in idx], processes=args.processes, progress=progress,
                             max_seconds=args.seconds, max_states=args.states, max_splits=args.splits, stall=args.stall)
wall = time.perf_counter() - t0
stop.set()
cases = sum(counts[i] for i in idx)
exact_cases = sum(counts[i] for i, r in zip(idx, res) if r.exact)
gaps = [r.cost - r.cost_lower for r in res if not r.exact]
rel = [(r.cost - r.cost_lower) / r.cost for r in res if not r.exact and r.cost > 0]
summary = dict(log=args.name, variants=len(idx), cases=cases, wall_s=round(wall, 1), peak_tree_rss_mb=round(peak[0]),
               exact_variants=sum(r.exact for r in res), exact_cases=exact_cases, exact_share_cases=round(exact_cases / cases, 4),
               bounded_variants=len(gaps), gap_mean=round(sum(gaps) / len(gaps), 2) if gaps else 0,
               gap_max=max(gaps) if gaps else 0, rel_gap_mean=round(sum(rel) / len(rel), 3) if rel else 0,
               upper_from={k: sum(1 for r in res if r.stats.get('upper_from') == k) for k in ('greedy replay', 'weighted A*', 'log moves + empty-trace run')},
               settings=vars(args))
print(json.dumps(summary, indent=1))
out = dict(summary=summary, per_variant=[dict(variant=i, len=len(V[i]), cases=counts[i], cost=r.cost, exact=r.exact,
           lower=r.cost_lower, seconds=round(r.stats.get('seconds', 0), 3), lp_calls=r.stats.get('lp_calls'),
           expanded=r.stats.get('expanded'), splits=len(r.stats.get('split_points', [])), budget=r.stats.get('budget'),
           upper_from=r.stats.get('upper_from')) for i, r in zip(idx, res)])
tag = f'_sample{args.sample}' if args.sample else ''
Path(f'results/{args.name}_run{tag}_{args.seconds:g}s.json').write_text(json.dumps(out, indent=0))
