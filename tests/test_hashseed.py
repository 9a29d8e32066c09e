"""Reproducibility across processes: the same input gives the same bytes whatever the hash seed.

Python randomises ``str`` hashes per process (``PYTHONHASHSEED``), so anything that iterates a
set or a dict built from a set can change order between runs while looking deterministic inside
one process (issue 14). Each run below is a fresh interpreter with another seed; its output —
the result JSON, tie-breaking alignments, a drawing and a report — must be byte-identical.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"

#: Runs in the child: prints one line per output, "<name> <sha256>".
_CHILD = r"""
import hashlib, sys
from pathlib import Path
from fvmprocess.conformance import check
from fvmprocess.conformance.align import Aligner
from fvmprocess.render.svg import to_svg
from fvmprocess.report import render_report
from nets import make_net

hostile, out = Path(sys.argv[1]), Path(sys.argv[2])
model = hostile / "label_personnummer.bpmn"
result = check(model, hostile / "log_multi_unit.csv", unit_assignment="split")
# an AND split: A then B || C then D; swaps and repeats leave several optimal alignments
AND = make_net("and", {"a": ("A", ["i"], ["p1", "p2"]), "b": ("B", ["p1"], ["q1"]),
                       "c": ("C", ["p2"], ["q2"]), "d": ("D", ["q1", "q2"], ["o"])})
ties = [["A", "C", "B"], ["B", "A", "C", "D"], ["A", "D"], ["C"], ["D", "C", "B", "A"]]
moves = repr([Aligner(AND).align(t).moves for t in ties])
render_report(result, out, generated=False)
outputs = {
    "result.json": result.to_json(),
    "alignments": moves,
    "diagram.svg": to_svg(result.model),
    "report.md": "".join(
        f.name + f.read_text(encoding="utf-8") for f in sorted(out.parent.rglob("*")) if f.is_file()
    ),
}
for name, text in outputs.items():
    print(name, hashlib.sha256(text.encode("utf-8")).hexdigest())
"""


def _run(seed: str, tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    tests = str(Path(__file__).resolve().parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (tests, env.get("PYTHONPATH")) if p)
    (tmp_path / seed).mkdir()
    out = tmp_path / seed / "report.md"  # the same name: the document links its files by it
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(HOSTILE), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)


@pytest.mark.slow
def test_outputs_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    runs = {seed: _run(seed, tmp_path) for seed in ("0", "1", "4242")}
    first = runs["0"]
    assert set(first) == {"result.json", "alignments", "diagram.svg", "report.md"}
    for seed, got in runs.items():
        assert got == first, f"PYTHONHASHSEED={seed} differs: " + ", ".join(
            k for k in first if got.get(k) != first[k]
        )
    # the seeds really differ in the child (else the test could not fail)
    probe = "import sys; print(hash('fvmprocess'))"
    hashes = {
        subprocess.run(
            [sys.executable, "-c", probe],
            env={**os.environ, "PYTHONHASHSEED": s},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for s in runs
    }
    assert len(hashes) == len(runs)
