"""The embedded engine: variant extraction with polars, no per-event Python loops."""

from __future__ import annotations

import polars as pl

__all__ = ["variant_table"]

from fvmprocess.engines import NO_UNIT as _NO_UNIT


def variant_table(events: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cases and their distinct variants from events sorted by case, time and row.

    Args:
        events: an :class:`EventLog`'s events (``case``, ``activity``, ``timestamp``, maybe
            ``unit``), already in case/time order.

    Returns:
        ``(cases, variants)``: ``cases`` has ``case``, ``unit``, ``variant``, ``events``,
        ``start``, ``end``, ``duration_s``; ``variants`` has ``variant`` (0 = most frequent;
        ties broken by the activity sequence), ``activities`` (list) and ``cases``.
    """
    unit = (
        pl.col("unit").drop_nulls().first().fill_null(_NO_UNIT)
        if "unit" in events.columns
        else pl.lit(_NO_UNIT)
    )
    seq = (
        events.lazy()
        .group_by("case", maintain_order=True)
        .agg(
            pl.col("activity").alias("activities"),
            unit.alias("unit"),
            pl.len().cast(pl.Int64).alias("events"),
            pl.col("timestamp").min().alias("start"),
            pl.col("timestamp").max().alias("end"),
        )
        .with_columns(
            ((pl.col("end") - pl.col("start")).dt.total_microseconds() / 1e6).alias("duration_s"),
            pl.col("activities").list.join("\x1f").alias("_key"),
        )
        .collect()
    )
    variants = (
        seq.group_by("_key")
        .agg(pl.col("activities").first(), pl.len().cast(pl.Int64).alias("cases"))
        .sort(["cases", "_key"], descending=[True, False])
        .with_row_index("variant")
        .with_columns(pl.col("variant").cast(pl.Int64))
    )
    cases = seq.join(variants.select("_key", "variant"), on="_key", how="left").select(
        "case", pl.col("unit").cast(pl.String), "variant", "events", "start", "end", "duration_s"
    )
    return cases, variants.select("variant", "activities", "cases")
