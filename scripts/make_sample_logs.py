"""Write the sample unit event logs in ``event_logs/`` with :mod:`fvmprocess.simulate`.

Every file is generated from a fixed seed, read back with :func:`fvmprocess.read_log` (all rows
must be used) and checked with :func:`fvmprocess.conformance.check`; the figures go into
``event_logs/README.md``.

Usage::

    python scripts/make_sample_logs.py            # write event_logs/*
    python scripts/make_sample_logs.py --check    # fail if a file would change
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from fvmprocess.conformance import check
from fvmprocess.eventlog import ActivityMapping, read_log
from fvmprocess.simulate import SimulationConfig, Simulator

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "event_logs"
SEED = 20250101


@dataclass(frozen=True)
class Sample:
    """One sample log: process, units with their deviation rates, size and file format."""

    process: str
    cases: int
    units: dict[str, float]
    start: str
    period_days: float
    excel: bool = False  # Swedish Excel export: ';', cp1252, 'YYYY-MM-DD HH.MM', Swedish headers
    coded_unit: str | None = None  # this unit writes local activity codes (needs a mapping file)
    codes: dict[str, str] = field(default_factory=dict)


SAMPLES = [
    Sample(
        "akutmottagning",
        1500,
        {
            "Akutmottagningen Sahlgrenska": 0.05,
            "Akutmottagningen Östra": 0.10,
            "Akutmottagningen Mölndal": 0.15,
            "Akutmottagningen NÄL": 0.20,
            "Akutmottagningen Borås": 0.30,
            "Akutmottagningen Skövde": 0.12,
            "Akutmottagningen Alingsås": 0.40,
        },
        "2025-01-07",
        60,
    ),
    Sample(
        "sepsis_akut",
        600,
        {
            "Akutmottagningen Sahlgrenska": 0.05,
            "Akutmottagningen NÄL": 0.15,
            "Akutmottagningen Borås": 0.25,
            "Akutmottagningen Skövde": 0.35,
        },
        "2025-02-01",
        120,
    ),
    Sample(
        "hoftfraktur",
        800,
        {
            "Sahlgrenska Universitetssjukhuset": 0.05,
            "Södra Älvsborgs sjukhus": 0.15,
            "Skaraborgs sjukhus": 0.25,
            "NU-sjukvården": 0.10,
            "Alingsås lasarett": 0.35,
        },
        "2025-01-13",
        150,
        excel=True,
        coded_unit="Skaraborgs sjukhus",
    ),
    Sample(
        "svf_brostcancer",
        500,
        {
            "Sahlgrenska Universitetssjukhuset": 0.05,
            "Södra Älvsborgs sjukhus": 0.20,
            "Skaraborgs sjukhus": 0.30,
            "NU-sjukvården": 0.10,
            "Kungälvs sjukhus": 0.15,
            "Alingsås lasarett": 0.25,
        },
        "2025-01-02",
        120,
    ),
]


def local_codes(process: str, ids: list[str]) -> dict[str, str]:
    """Local activity codes of the coded unit: ``ORT01``… in the order of the standard."""
    prefix = "".join(c for c in process.upper() if c.isalpha())[:3]
    return {aid: f"{prefix}{i:02d}" for i, aid in enumerate(sorted(ids), start=1)}


def render(sample: Sample) -> tuple[bytes, bytes | None, dict[str, object]]:
    """The log file's bytes, the mapping file's bytes (or None) and the figures."""
    cfg = SimulationConfig(
        cases=sample.cases,
        units=sample.units,
        seed=SEED,
        start=sample.start,
        period_days=sample.period_days,
        activity_names="sv",
    )
    result = Simulator(sample.process, cfg).run()
    log = result.log
    mapping: bytes | None = None
    if sample.coded_unit is not None:
        codes = local_codes(sample.process, list(result.activity_names))
        by_name = {result.activity_names[a]: c for a, c in codes.items()}
        log = log.with_columns(
            pl.when(pl.col("unit") == sample.coded_unit)
            .then(pl.col("activity").replace(by_name))
            .otherwise(pl.col("activity"))
            .alias("activity")
        )
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        w.writerow(["local", "standard"])
        for aid, code in sorted(codes.items(), key=lambda kv: kv[1]):
            w.writerow([code, aid])
        mapping = buf.getvalue().encode("cp1252")
    if sample.excel:
        table = log.select(
            pl.col("case").alias("Ärendenummer"),
            pl.col("activity").alias("Aktivitet"),
            pl.col("timestamp").dt.strftime("%Y-%m-%d %H.%M").alias("Tidpunkt"),
            pl.col("unit").alias("Enhet"),
            pl.col("resource").alias("Utförare"),
        )
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        w.writerow(table.columns)
        w.writerows(table.iter_rows())
        data = buf.getvalue().encode("cp1252")
    else:
        table = log.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%d %H:%M"))
        data = table.write_csv().encode("utf-8")
    figures: dict[str, object] = {
        "cases": log["case"].n_unique(),
        "events": log.height,
        "truth": dict(sorted(result.truth.group_by("kind").len().iter_rows())),
        "period": (
            str(log["timestamp"].min())[:16],
            str(log["timestamp"].max())[:16],
        ),
    }
    return data, mapping, figures


def verify(sample: Sample, path: Path, mapping: Path | None) -> dict[str, object]:
    """Read the file back and check it; return conformance figures per unit."""
    m = ActivityMapping.load(mapping) if mapping is not None else None
    log = read_log(path, mapping=m)
    acc = log.accounting
    if acc.rows_used != acc.rows_read or acc.rows_rejected:
        raise SystemExit(f"{path.name}: not all rows used: {acc.to_dict()}")
    res = check(sample.process, log)
    if res.unmapped and set(res.unmapped) - {
        "Journalanteckning",
        "Telefonsamtal",
        "Anhörigkontakt",
        "Administrativ åtgärd",
        "Tolkbokning",
    }:
        raise SystemExit(f"{path.name}: unmapped activities {res.unmapped}")
    units = {
        r["unit"]: (r["cases"], r["conforming_share"])
        for r in res.units.select("unit", "cases", "conforming_share").iter_rows(named=True)
    }
    return {"rows": acc.rows_read, "units": units, "summary": res.summary()}


def readme(rows: list[tuple[Sample, dict[str, object], dict[str, object]]]) -> str:
    lines = [
        "# Sample unit event logs",
        "",
        "Simulated logs of standard processes in the catalogue, made by",
        "`python scripts/make_sample_logs.py` with `fvmprocess.simulate` (seed "
        f"`{SEED}` for every file; see `docs/simulation.md`). They contain no personal data:",
        "case ids look like `ED-2025-000123`, resources are roles.",
        "",
        "Each unit has a *deviation rate*: the share of its cases given one (sometimes two)",
        "structural deviations (skipped, inserted, moved, repeated or an unknown local",
        "activity). Half that share of its cases also break a time limit on purpose. Every",
        "file was read back with `read_log` (all rows used) and checked with `check`.",
        "",
        "| File | Process | Cases | Events | Format |",
        "|---|---|---:|---:|---|",
    ]
    for s, fig, _ in rows:
        fmt = (
            "Excel export: `;`, cp1252, `ÅÅÅÅ-MM-DD TT.MM`, Swedish headers; "
            f"{s.coded_unit} uses local codes (`{s.process}.mapping.csv`)"
            if s.excel
            else "CSV, UTF-8, `,`, `YYYY-MM-DD HH:MM`"
        )
        lines.append(
            f"| `{s.process}.csv` | `{s.process}` | {fig['cases']} | {fig['events']} | {fmt} |"
        )
    lines += [
        "",
        "Columns: `case`, `activity` (Swedish names), `timestamp` (naive local time,",
        "Europe/Stockholm, whole minutes), `unit`, `resource`. The Excel export names them",
        "`Ärendenummer`, `Aktivitet`, `Tidpunkt`, `Enhet`, `Utförare` (all auto-detected by",
        "`read_log`).",
        "",
    ]
    for s, fig, chk in rows:
        period = fig["period"]
        assert isinstance(period, tuple)
        lines += [
            f"## `{s.process}`",
            "",
            f"{s.cases} cases from {s.start} over {s.period_days:g} days "
            f"(first event {period[0]}, last {period[1]}). Injected: {fig['truth']}.",
            "",
            "| Unit | Deviation rate | Cases | Conforming share (check) |",
            "|---|---:|---:|---:|",
        ]
        units = chk["units"]
        assert isinstance(units, dict)
        for u, rate in s.units.items():
            n, share = units.get(u, (0, None))
            lines.append(f"| {u} | {rate:.2f} | {n} | {share:.2f} |")
        lines.append("")
    lines += [
        "Check one with:",
        "",
        "```python",
        "from fvmprocess.conformance import check",
        'result = check("hoftfraktur", "event_logs/hoftfraktur.csv",',
        '               mapping="event_logs/hoftfraktur.mapping.csv")',
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a file would change")
    args = ap.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    rows = []
    changed = []
    for s in SAMPLES:
        data, mapping, fig = render(s)
        path = OUT / f"{s.process}.csv"
        mpath = OUT / f"{s.process}.mapping.csv" if mapping is not None else None
        outputs = [(path, data)] + ([(mpath, mapping)] if mpath and mapping else [])
        for p, b in outputs:
            if not p.exists() or p.read_bytes() != b:
                changed.append(p.name)
                if not args.check:
                    p.write_bytes(b)
        if len(data) > 2_000_000:
            raise SystemExit(f"{path.name} is {len(data)} bytes; keep sample logs under 2 MB")
        rows.append((s, fig, verify(s, path, mpath)))
    text = readme(rows)
    rp = OUT / "README.md"
    if not rp.exists() or rp.read_text(encoding="utf-8") != text:
        changed.append(rp.name)
        if not args.check:
            rp.write_text(text, encoding="utf-8")
    if args.check and changed:
        sys.stderr.write(f"would change: {', '.join(changed)}\n")
        return 1
    for s, fig, chk in rows:
        sys.stdout.write(
            f"{s.process}: {fig['cases']} cases, {fig['events']} events, {chk['summary']}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
