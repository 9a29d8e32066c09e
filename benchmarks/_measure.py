"""Measuring a benchmark run: wall time and the peak resident memory of the whole process tree.

Shared by every benchmark here, so the tools compared side by side are measured alike.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


def tree_rss(root: int) -> int:
    """Summed RSS (bytes) of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            children.setdefault(int(fields[1]), []).append(int(d))
            rss[int(d)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def measure(cmd: list[str], *, timeout: float | None = None) -> dict[str, Any]:
    """Run ``cmd``; wall time, peak tree RSS, exit code and output (killed after ``timeout``)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.02)

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    killed = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        killed = True
        proc.kill()
        out, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    return {
        "wall_s": round(wall, 2),
        "peak_tree_rss_mib": round(peak / 2**20),
        "rc": proc.returncode,
        "killed_after_s": timeout if killed else None,
        "stdout": out[-2000:],
        "stderr": err[-4000:],
    }
