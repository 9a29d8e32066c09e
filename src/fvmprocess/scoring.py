"""Scores with confidence intervals and the ranking of units.

Every formula is documented in ``docs/conformance.md``. All functions are vectorised polars
expressions or small pure functions, so unit scores over a million cases cost one group-by.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

__all__ = [
    "Z95",
    "UnitScore",
    "mean_interval",
    "rank_units",
    "wilson_exprs",
    "wilson_interval",
]

#: The standard normal quantile for a two-sided 95 % interval.
Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (good at small n and at 0 % / 100 %).

    Returns ``(nan, nan)`` when ``n == 0``.
    """
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def wilson_exprs(successes: str, n: str, prefix: str, z: float = Z95) -> list[pl.Expr]:
    """Polars expressions for the Wilson interval: columns ``{prefix}_low``/``{prefix}_high``."""
    k = pl.col(successes).cast(pl.Float64)
    m = pl.col(n).cast(pl.Float64)
    p = k / m
    denom = 1 + z * z / m
    centre = (p + z * z / (2 * m)) / denom
    half = z * (p * (1 - p) / m + z * z / (4 * m * m)).sqrt() / denom
    return [
        pl.when(m > 0).then((centre - half).clip(0.0, 1.0)).alias(f"{prefix}_low"),
        pl.when(m > 0).then((centre + half).clip(0.0, 1.0)).alias(f"{prefix}_high"),
    ]


def mean_interval(mean: str, std: str, n: str, prefix: str, z: float = Z95) -> list[pl.Expr]:
    """Normal-approximation interval of a mean, clipped to [0, 1] (fitness is in [0, 1]).

    With one case the interval is the single value (no spread can be estimated).
    """
    m = pl.col(mean)
    half = z * pl.col(std).fill_null(0.0) / pl.col(n).cast(pl.Float64).sqrt()
    return [
        (m - half).clip(0.0, 1.0).alias(f"{prefix}_low"),
        (m + half).clip(0.0, 1.0).alias(f"{prefix}_high"),
    ]


@dataclass(frozen=True, slots=True)
class UnitScore:
    """One unit's scores (a row of ``ConformanceResult.units`` as an object)."""

    unit: str
    rank: int
    cases: int
    conforming: int
    conforming_share: float
    conforming_share_low: float
    conforming_share_high: float
    mean_fitness: float
    mean_fitness_low: float
    mean_fitness_high: float
    time_limit_compliance: float | None


def rank_units(units: pl.DataFrame) -> pl.DataFrame:
    """Rank units: conforming share, then mean fitness (both descending), then name.

    Rank 1 is the unit closest to the standard. Ties in both scores share no rank: the name
    breaks them, so the order is total and reproducible.
    """
    if units.is_empty():
        return units.with_columns(pl.lit(None, pl.Int64).alias("rank"))
    ordered = units.sort(
        ["conforming_share", "mean_fitness", "unit"], descending=[True, True, False]
    )
    return ordered.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
