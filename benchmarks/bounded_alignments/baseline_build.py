import sys, time, json, resource
from compat import aligner_module, read_pnml
name = sys.argv[1]
net = read_pnml(f"data/{name}.pnml")
A = aligner_module()
t = time.perf_counter()
al = A.Aligner(net)
print(json.dumps({"build_s": time.perf_counter() - t, "method": al.method, "n_states": al.n_states,
      "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
