"""A region's CSV export, generated vectorised: many units, 0–4 deviations per case.

The project's simulator (:func:`fvmprocess.simulate.simulate_log`) plays out a pool of
conforming cases of the process (its gateways and loops give the base variants). Every case of
the export then takes one of them and, vectorised in numpy, gets 0–4 deviations — skipped
steps, foreign insertions, swapped neighbours and repeated steps — at random positions; units
differ in size (log-normal) and in their deviation rate. The result is written as the CSV an old
system exports: Swedish activity names, local ``YYYY-MM-DD HH:MM:SS`` times, one row per event.

    python benchmarks/regionlog.py --events 1_000_000 --units 50 -o benchmarks/out/region.csv
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

#: Activities an old system logs that are not in the standard (foreign insertions).
FOREIGN = (
    "Telefonsamtal med anhörig",
    "Journalanteckning",
    "Väntan på transport",
    "Konsultation ortoped",
    "Extra provtagning",
    "Läkemedelsgenomgång",
    "Röntgen thorax",
    "Tolk bokad",
)
KINDS = ("skip", "insert", "swap", "repeat")


def _pool(process: str, cases: int, seed: int) -> pl.DataFrame:
    """Conforming cases: ``base``, ``pos``, ``activity``, ``offset_s``, ``resource``."""
    from fvmprocess.simulate import simulate_log

    frame = simulate_log(process, cases=cases, units={"pool": 0.0}, seed=seed)
    return (
        frame.sort("case", "timestamp", maintain_order=True)
        .with_columns(
            pl.col("case").rank("dense").cast(pl.Int64).sub(1).alias("base"),
            (pl.col("timestamp") - pl.col("timestamp").min().over("case"))
            .dt.total_seconds()
            .cast(pl.Float64)
            .alias("offset_s"),
        )
        .with_columns(pl.int_range(pl.len()).over("base").alias("pos"))
        .select("base", "pos", "activity", "offset_s", "resource")
        .sort("base", "pos")
    )


def generate(
    *,
    events: int,
    units: int,
    process: str = "akutmottagning",
    seed: int = 2025,
    pool_cases: int = 3000,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The export as a frame (``case``, ``activity``, ``timestamp`` text, ``unit``, ``resource``)."""
    t0 = time.perf_counter()
    pool = _pool(process, pool_cases, seed)
    rng = np.random.default_rng(seed)
    lens = pool.group_by("base").len().sort("base")["len"].to_numpy().astype(np.int64)
    n_cases = int(events / (lens.mean() + 0.2))
    base = rng.integers(0, len(lens), n_cases)
    case_len = lens[base]
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])  # first row of each pool case
    # units: log-normal sizes, deviation intensity from 0.2 to 2.4 deviations per case
    size = rng.lognormal(0.0, 0.6, units)
    unit = rng.choice(units, n_cases, p=size / size.sum())
    intensity = np.linspace(0.2, 2.4, units)[rng.permutation(units)]
    n_dev = np.minimum(4, rng.poisson(intensity[unit]))
    # the events of every case, from its pool case
    case_of = np.repeat(np.arange(n_cases), case_len)
    first = np.concatenate([[0], np.cumsum(case_len)[:-1]])
    pos = np.arange(len(case_of)) - first[case_of]
    src = starts[base][case_of] + pos
    vocab = pl.Series([*pool["activity"].unique().sort().to_list(), *FOREIGN])
    codes = {a: i for i, a in enumerate(vocab.to_list())}
    pool_act = pool["activity"].replace_strict(codes, return_dtype=pl.Int32).to_numpy()
    n_model = len(vocab) - len(FOREIGN)
    roles = pl.Series(pool["resource"].unique().sort().to_list())
    pool_res = (
        pool["resource"]
        .replace_strict({r: i for i, r in enumerate(roles.to_list())}, return_dtype=pl.Int32)
        .to_numpy()
    )
    act = pool_act[src]
    res = pool_res[src]
    scale = rng.lognormal(0.0, 0.35, n_cases)
    offset = pool["offset_s"].to_numpy()[src] * scale[case_of]
    key = pos.astype(np.float64)
    # the deviations: case, kind, position
    dev_case = np.repeat(np.arange(n_cases), n_dev)
    kind = rng.integers(0, len(KINDS), len(dev_case))
    dpos = (rng.random(len(dev_case)) * case_len[dev_case]).astype(np.int64)
    g = first[dev_case] + dpos  # the event each deviation is at
    swap = (kind == 2) & (dpos + 1 < case_len[dev_case])
    a, b = g[swap], g[swap] + 1
    act[a], act[b] = act[b], act[a].copy()
    extra_idx = np.concatenate([g[kind == 3], g[kind == 1]])
    foreign = n_model + rng.integers(0, len(FOREIGN), int((kind == 1).sum()))
    extra_act = np.concatenate([act[g[kind == 3]], foreign])
    extra_key = np.concatenate([key[g[kind == 3]] + 0.5, key[g[kind == 1]] + 0.6])
    extra_off = offset[extra_idx] + rng.integers(60, 900, len(extra_idx))
    keep = np.ones(len(case_of), dtype=bool)
    keep[g[kind == 0]] = False
    day0 = np.datetime64("2025-01-01T00:00:00")
    start = day0 + (rng.random(n_cases) * 364 * 86400).astype("timedelta64[s]")
    all_case = np.concatenate([case_of[keep], case_of[extra_idx]])
    all_off = np.concatenate([offset[keep], extra_off])
    frame = pl.DataFrame(
        {
            "_c": all_case,
            "_k": np.concatenate([key[keep], extra_key]),
            "_a": np.concatenate([act[keep], extra_act]),
            "timestamp": (start[all_case] + all_off.astype("timedelta64[s]")).astype(
                "datetime64[ms]"
            ),
            "_u": unit[all_case],
            "_r": np.concatenate([res[keep], res[extra_idx]]),
        }
    ).sort("_c", "_k")
    names = pl.Series([f"Vårdenhet {i + 1:03d}" for i in range(units)])
    out = frame.select(
        pl.format("F{}", pl.col("_c").cast(pl.String).str.zfill(8)).alias("case"),
        vocab.gather(frame["_a"]).alias("activity"),
        pl.col("timestamp").dt.strftime("%Y-%m-%d %H:%M:%S"),
        names.gather(frame["_u"]).alias("unit"),
        roles.gather(frame["_r"]).alias("resource"),
    )
    info = {
        "events": out.height,
        "cases": n_cases,
        "units": units,
        "pool_cases": pool_cases,
        "deviations_injected": {k: int((kind == i).sum()) for i, k in enumerate(KINDS)},
        "generate_s": round(time.perf_counter() - t0, 2),
    }
    return out, info


def variant_count(frame: pl.DataFrame) -> int:
    """Distinct activity sequences of the generated export (in file order)."""
    return int(
        frame.group_by("case", maintain_order=True)
        .agg(pl.col("activity").str.join("\x1f"))
        .select(pl.col("activity").n_unique())
        .item()
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=lambda s: int(s.replace("_", "")), default=1_000_000)
    p.add_argument("--units", type=int, default=50)
    p.add_argument("--process", default="akutmottagning")
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("-o", "--output", type=Path, required=True)
    args = p.parse_args()
    frame, info = generate(
        events=args.events, units=args.units, process=args.process, seed=args.seed
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(args.output)
    info["variants"] = variant_count(frame)
    print(info)


if __name__ == "__main__":
    main()
