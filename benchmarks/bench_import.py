"""Import time: ``import fvmprocess`` vs ``import pm4py``, each in fresh subprocesses.

One command::

    python benchmarks/bench_import.py [--repeat 5]

Each import runs ``--repeat`` times in a new interpreter (``python -c "import X"``), timed from
inside (``time.perf_counter`` around the import, so interpreter start-up is excluded); the
median is reported, with the interpreter's own start-up (``python -c pass``, wall time) for
reference. ``import fvmprocess`` is lazy, so the first use of the common path
(``from fvmprocess import check, read_log``, which loads polars) is measured too. pm4py is
reported as ``null`` when it is not installed. Target: fvmprocess < 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

CODE = (
    "import time, io, contextlib\n"
    "t = time.perf_counter()\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    {stmt}\n"
    "print('T', time.perf_counter() - t)\n"
    "import sys\n"
    "print('M', sum(1 for m in sys.modules))\n"
)


def measure(stmt: str, repeat: int) -> dict[str, float | int] | None:
    times: list[float] = []
    modules = 0
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-c", CODE.format(stmt=stmt)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode:
            if "ModuleNotFoundError" in proc.stderr:
                return None
            raise SystemExit(f"{stmt} failed:\n{proc.stderr[-2000:]}")
        for line in proc.stdout.splitlines():
            if line.startswith("T "):
                times.append(float(line[2:]))
            elif line.startswith("M "):
                modules = int(line[2:])
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "modules_loaded": modules,
    }


def startup(repeat: int) -> float:
    walls = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        walls.append(time.perf_counter() - t)
    return round(statistics.median(walls), 3)


def main() -> None:
    p = argparse.ArgumentParser(description="import fvmprocess vs import pm4py")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    out = {
        "repeat": args.repeat,
        "python_startup_s": startup(args.repeat),
        "import fvmprocess": measure("import fvmprocess", args.repeat),
        # first use of the common path: loads polars and the conformance modules
        "from fvmprocess import check, read_log": measure(
            "from fvmprocess import check, read_log", args.repeat
        ),
        "import pm4py": measure("import pm4py", args.repeat),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
