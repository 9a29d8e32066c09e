#!/bin/bash
# pm4py default alignments on the same seeded sample as baseline_sample.sh, each in its own
# process under a 6 GiB address-space cap and a time box (BOX seconds)
cd "$(dirname "$0")"
BOX=${BOX:-30}
IDX=$(python -c "import json,random;v=json.load(open('data/bpic2011_variants.json'))['variants'];print(' '.join(map(str,sorted(random.Random(2011).sample(range(len(v)),${N:-20})))))")
for i in $IDX; do
  out=$(timeout $BOX prlimit --as=6442450944 python pm4py_variant.py bpic2011 $i 2>/dev/null | tail -1)
  rc=$?
  if [ -z "$out" ]; then echo "{\"variant\": $i, \"status\": \"did not finish in ${BOX} s\"}"; else echo "$out"; fi
done
