"""``fvmprocess check`` budgets: --memory, --variant-seconds, --processes, the exactness
summary line, no progress bar off a terminal, and a clean stop on Ctrl-C (SIGINT)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from fvmprocess.cli import main
from fvmprocess.petri import write_pnml
from nets import parallel_net


def _files(
    tmp_path: Path, *, cases: int, events: int, branches: int = 4, tree: bool = True
) -> tuple[Path, Path]:
    net = parallel_net(branches, 4, tree=tree)
    pnml = tmp_path / "par.pnml"
    write_pnml(net, pnml)
    labels = sorted(t.label for t in net.transitions if t.label)
    rng = random.Random(7)
    rows = ["case,activity,timestamp"]
    for c in range(cases):
        for j in range(rng.randint(events // 2, events)):
            rows.append(f"c{c},{rng.choice(labels)},2025-03-03 08:{j // 60:02d}:{j % 60:02d}")
    log = tmp_path / "log.csv"
    log.write_text("\n".join(rows) + "\n", "utf-8")
    return pnml, log


def _check(tmp_path: Path, pnml: Path, log: Path, name: str, *args: str) -> tuple[str, dict]:  # type: ignore[type-arg]
    out = tmp_path / name
    r = CliRunner().invoke(
        main, ["check", "--process", str(pnml), "--log", str(log), "-o", str(out), *args]
    )
    assert r.exit_code == 0, r.output
    return r.output, json.loads(out.read_text("utf-8"))


def test_memory_guard_processes_and_summary_line(tmp_path: Path) -> None:
    pnml, log = _files(tmp_path, cases=12, events=8)
    small = ("--memory", "2MB", "--variant-seconds", "30")
    out1, one = _check(tmp_path, pnml, log, "one.json", *small)
    out2, two = _check(tmp_path, pnml, log, "two.json", *small, "--processes", "2")
    assert one["cases"] == two["cases"] and one["variants"] == two["variants"]
    assert one["summary"]["exact_share"] == 1.0 and one["summary"]["bounded_cases"] == 0
    assert all(c["exact"] and c["cost_lower"] is None for c in one["cases"])
    assert "alignments: all 12 cases exact" in out1
    _, graph = _check(tmp_path, pnml, log, "graph.json")  # default memory: the graph path
    assert [c["cost"] for c in graph["cases"]] == [c["cost"] for c in one["cases"]]
    assert "aligning variants" not in out1 + out2  # no progress bar off a terminal


def test_small_variant_budget_flags_bounded_cases(tmp_path: Path) -> None:
    pnml, log = _files(tmp_path, cases=6, events=30, branches=5, tree=False)
    out, data = _check(
        tmp_path, pnml, log, "b.json", "--memory", "2MB", "--variant-seconds", "0.02"
    )
    bounded = [c for c in data["cases"] if not c["exact"]]
    assert bounded, "a 0.02 s budget on 15-30 shuffled events should leave cases unproven"
    assert all(c["cost_lower"] is not None and c["cost_lower"] < c["cost"] for c in bounded)
    summary = data["summary"]
    assert summary["bounded_cases"] == len(bounded)
    gaps = [c["cost"] - c["cost_lower"] for c in bounded]
    assert summary["gap_max"] == pytest.approx(max(gaps))
    assert summary["gap_mean"] == pytest.approx(sum(gaps) / len(gaps))
    assert f"{len(bounded)} bounded" in out and "alignments:" in out
    md = tmp_path / "r.md"
    r = CliRunner().invoke(
        main, ["report", "--result", str(tmp_path / "b.json"), "-o", str(md), "--lang", "en"]
    )
    assert r.exit_code == 0, r.output
    assert "could not be aligned exactly within the time and memory budget" in md.read_text()


@pytest.mark.slow
def test_ctrl_c_stops_workers_cleanly(tmp_path: Path) -> None:
    pnml, log = _files(tmp_path, cases=40, events=60, branches=6, tree=False)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    cmd = [sys.executable, "-c", "from fvmprocess.cli import main; main()", "check"]
    cmd += ["--process", str(pnml), "--log", str(log), "-o", str(tmp_path / "r.json")]
    cmd += ["--memory", "2MB", "--variant-seconds", "30", "--processes", "2"]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    children: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(children) < 2:
        time.sleep(0.2)
        for task in Path(f"/proc/{proc.pid}/task").glob("*/children"):
            children |= {int(p) for p in task.read_text().split()}
    assert len(children) >= 2, "the worker processes did not start"
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole group
    _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert proc.returncode == 130, text
    assert "interrupted (Ctrl-C)" in text and "Traceback" not in text
    assert not (tmp_path / "r.json").exists()
    time.sleep(0.5)
    for pid in children:
        status = Path(f"/proc/{pid}/status")
        alive = status.exists() and "State:\tZ" not in status.read_text()
        assert not alive, f"worker {pid} still running"
