#!/bin/bash
# today's engine on a seeded sample of BPIC 2011 variants, each under 6 GiB address space and a time box
cd "$(dirname "$0")"
BOX=${BOX:-30}
IDX=$(python -c "import json,random;v=json.load(open('data/bpic2011_variants.json'))['variants'];print(' '.join(map(str,sorted(random.Random(2011).sample(range(len(v)),${N:-20})))))")
for i in $IDX; do
  FVM_SNAPSHOT=1 timeout $((BOX+120)) prlimit --as=6442450944 python baseline_variant.py bpic2011 $i $BOX 2>&1 | tail -1
done
