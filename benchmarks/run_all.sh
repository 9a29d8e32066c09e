#!/usr/bin/env bash
# Every benchmark in one command, side by side with pm4py where there is a peer:
#   alignments (receipt, bpic2012, the catalogue's sample logs), a region's volume (10 M events,
#   embedded and Spark), and import time. Needs ../shared/real/logs and the dev extra.
# Usage: benchmarks/run_all.sh [--quick]   (--quick: 1 M events, pm4py timeout 120 s, no Spark)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ "${1:-}" = "--quick" ]; then
  "$PY" benchmarks/bench_alignments.py --log all --pm4py-timeout 120 --sample 50
  "$PY" benchmarks/bench_scale.py --events 1_000_000
else
  "$PY" benchmarks/bench_alignments.py --log all --pm4py-timeout 600 --sample 100 --dijkstra-timeout 1800
  "$PY" benchmarks/bench_scale.py --events 10_000_000 --spark
fi
"$PY" benchmarks/bench_import.py
