"""Reading a CSV export: fvmprocess ``read_log`` beside a bare polars pass and pandas/pm4py.

Each reader runs in its own subprocess on the same generated file; the table gives wall time
and the peak resident memory of the subprocess *tree* (sampled from /proc every 10 ms), so
thread pools and helper processes count. The export is generated vectorised: ``--events`` rows
in cases of 4-16 events, 50 units, Swedish activity names (one with a quoted comma), local
``YYYY-MM-DD HH:MM:SS`` times, ``;``-free comma-delimited UTF-8. ``--dirty`` also writes a copy
with one bad row in a thousand (a stray cp1252 byte, a NUL, a ragged row, a broken quote) to
show what the rows that need the slow path cost.

    python benchmarks/bench_read.py --events 1_000_000 --events 10_000_000 --dirty

What each reader does (the same work: rows in, timestamps parsed, sorted, variants out):

* ``fvmprocess``: ``read_log(path)`` (every row accounted for) and ``log.variants()``;
* ``polars bare``: ``pl.read_csv`` (all text), ``str.strptime``, sort by case and time,
  variants by ``group_by``; no accounting, no checks;
* ``pandas+pm4py``: ``pd.read_csv``, ``pm4py.format_dataframe`` (parses and sorts),
  ``pm4py.get_variants``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from _measure import measure  # benchmarks/ is on sys.path when a benchmark runs

OUT = Path(__file__).resolve().parent / "out"

ACTIVITIES = (
    "Ankomstregistrering",
    "Triage enligt RETTS",
    "Provtagning och EKG",
    "Första läkarbedömning",
    "Utredning: lab, bild, konsult",  # quoted in the CSV
    "Behandling och omvårdnad",
    "Ombedömning",
    "Läkemedelsgenomgång",
    "Beslut om fortsatt vård",
    "Utskrivning",
)


def generate(path: Path, events: int, seed: int = 7) -> dict[str, int]:
    """Write a CSV export of about ``events`` rows; returns its facts."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    lens = rng.integers(4, 17, size=events // 8 + 1)
    lens = lens[: int(np.searchsorted(np.cumsum(lens), events)) + 1]
    n_cases = len(lens)
    case = np.repeat(np.arange(n_cases), lens)[:events]
    first = np.concatenate([[0], np.cumsum(lens)[:-1]])
    pos = np.arange(len(case)) - first[case]
    # mostly the standard order, with skips/swaps: a step drawn near its position
    step = np.clip(pos + rng.integers(-1, 2, len(case)), 0, len(ACTIVITIES) - 1)
    start = rng.integers(0, 364 * 86400, n_cases)
    offset = np.cumsum(rng.integers(60, 3600, len(case)))
    offset = offset - offset[first[case]]
    secs = start[case] + offset
    unit = rng.integers(0, 50, n_cases)[case]
    frame = pl.DataFrame({"c": case, "s": step, "t": secs, "u": unit}).select(
        pl.format("K{}", pl.col("c").cast(pl.String).str.zfill(8)).alias("case"),
        pl.lit(pl.Series(ACTIVITIES)).gather(pl.col("s")).alias("activity"),
        (pl.datetime(2025, 1, 1) + pl.duration(seconds=pl.col("t")))
        .dt.strftime("%Y-%m-%d %H:%M:%S")
        .alias("timestamp"),
        pl.format("Vårdenhet {}", pl.col("u").cast(pl.String).str.zfill(3)).alias("unit"),
        pl.when(pl.col("s") % 3 == 0)
        .then(pl.lit("läkare"))
        .otherwise(pl.lit("sjuksköterska"))
        .alias("resource"),
    )
    frame.write_csv(path)
    return {"events": frame.height, "cases": n_cases, "bytes": path.stat().st_size}


def dirty_copy(clean: Path, path: Path) -> int:
    """``clean`` with one bad row in a thousand; returns the number of bad rows."""
    data = clean.read_bytes()
    lines = data.split(b"\n")
    bad = 0
    for i in range(1000, len(lines) - 1, 1000):
        kind = (i // 1000) % 4
        line = lines[i]
        if kind == 0:
            line = line.replace("ä".encode(), "ä".encode("cp1252"), 1) or line
        elif kind == 1:
            line = line.replace(b",", b",\x00", 1)
        elif kind == 2:
            line = line + b",extra"
        else:
            line = line.replace(b",", b',"', 1)
        lines[i] = line
        bad += 1
    path.write_bytes(b"\n".join(lines))
    return bad


READERS = {
    "fvmprocess": """
from fvmprocess.eventlog import read_log
log = read_log(PATH)
v = log.variants()
a = log.accounting
facts = {"rows_read": a.rows_read, "rows_used": a.rows_used, "rejected": a.reasons,
         "warnings": a.warnings, "variants": v.height}
""",
    "polars bare": """
import polars as pl
f = pl.read_csv(PATH, infer_schema=False)
f = f.with_columns(pl.col("timestamp").str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S",
                   strict=False)).sort("case", "timestamp", maintain_order=True)
v = f.group_by("case", maintain_order=True).agg(pl.col("activity")).group_by("activity").len()
facts = {"rows_read": f.height, "variants": v.height}
""",
    "pandas+pm4py": """
import pandas as pd, pm4py
df = pd.read_csv(PATH)
df = pm4py.format_dataframe(df, case_id="case", activity_key="activity",
                            timestamp_key="timestamp", timest_format="%Y-%m-%d %H:%M:%S")
v = pm4py.get_variants(df)
facts = {"rows_read": len(df), "variants": len(v)}
""",
}


def run(reader: str, path: Path) -> dict[str, object]:
    """One reader in a fresh interpreter: wall time, peak tree RSS, what it read."""
    code = (
        "import json, time\nPATH = "
        + repr(str(path))
        + "\nt0 = time.perf_counter()\n"
        + READERS[reader]
        + "\nfacts['seconds'] = round(time.perf_counter() - t0, 2)\nprint(json.dumps(facts))\n"
    )
    m = measure([sys.executable, "-c", code])
    text = m["stdout"].strip().splitlines()
    if m["rc"] != 0 or not text:
        return {"error": m["stderr"].strip().splitlines()[-1:]}
    facts: dict[str, object] = json.loads(text[-1])
    facts["peak_mib"] = m["peak_tree_rss_mib"]
    return facts


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", action="append", type=lambda s: int(s.replace("_", "")))
    p.add_argument("--dirty", action="store_true", help="also read a copy with bad rows")
    p.add_argument("--readers", default=",".join(READERS), help="comma-separated subset")
    p.add_argument("--repeat", type=int, default=1, help="runs per reader (best time kept)")
    args = p.parse_args()
    OUT.mkdir(exist_ok=True)
    readers = args.readers.split(",")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    for n in args.events or [1_000_000]:
        clean = OUT / f"read_{n}.csv"
        if not clean.exists():
            print(f"generating {clean.name}: {generate(clean, n)}")
        files = [("clean", clean)]
        if args.dirty:
            dirty = OUT / f"read_{n}_dirty.csv"
            if not dirty.exists():
                print(f"{dirty.name}: {dirty_copy(clean, dirty)} bad rows")
            files.append(("dirty", dirty))
        for label, path in files:
            size = path.stat().st_size / 2**20
            print(f"\n{n:,} events, {label} ({size:.0f} MiB)")
            print(f"{'reader':14s} {'seconds':>8s} {'peak MiB':>9s}  read / variants / notes")
            for reader in readers:
                if reader == "pandas+pm4py" and label == "dirty":
                    continue  # pandas refuses the broken rows (it is not a like-for-like run)
                best: dict[str, object] | None = None
                for _ in range(args.repeat):
                    r = run(reader, path)
                    if (
                        best is None
                        or "error" in best
                        or (
                            "error" not in r
                            and float(str(r["seconds"])) < float(str(best["seconds"]))
                        )
                    ):
                        best = r
                assert best is not None
                if "error" in best:
                    print(f"{reader:14s} failed: {best['error']}")
                    continue
                notes = {k: v for k, v in best.items() if k not in ("seconds", "peak_mib")}
                print(f"{reader:14s} {best['seconds']:>8} {best['peak_mib']:>9}  {notes}")
    print(f"\nload average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
