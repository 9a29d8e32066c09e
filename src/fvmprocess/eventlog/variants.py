"""The variant table: each case's activity sequence, and the distinct sequences counted.

This is the one variant extraction of fvmprocess (``EventLog.variants``, ``mining.variants``
and the conformance engines all read it). Pure polars group-bys, no per-event Python loops.

Internal: :func:`variant_table` and :class:`VariantTable` are re-exported by
:mod:`fvmprocess.eventlog`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = ["VariantTable", "variant_table"]

_SEP = "\x1f"  # joins a sequence into one sortable key; no activity name holds it
_RUN = "__fvm_case_run__"


@dataclass(frozen=True)
class VariantTable:
    """Cases and their distinct variants.

    Attributes:
        cases: one row per case, in the order cases first appear in the events: ``case``,
            ``unit`` (the first non-null unit of the case; null when it names none or the log
            has no unit column), ``variant`` (Int64 index into :attr:`variants`), ``events``,
            ``start`` and ``end`` (first and last ``timestamp``) and ``duration_s``.
        variants: one row per distinct activity sequence: ``variant`` (Int64; 0 is the most
            frequent, ties broken by the sequence), ``activities`` (list of str) and ``cases``.
    """

    cases: pl.DataFrame
    variants: pl.DataFrame


def variant_table(events: pl.DataFrame) -> VariantTable:
    """The variant table of an events frame sorted by case, time and row.

    Args:
        events: an :class:`~fvmprocess.eventlog.EventLog`'s events (``case``, ``activity``,
            ``timestamp`` and maybe ``unit``), already in case/time/row order.

    Returns:
        The cases with their variant index, and the distinct variants with their case counts.

    Example:
        >>> from datetime import UTC, datetime
        >>> t = datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
        >>> ev = pl.DataFrame({"case": ["1", "1", "2"], "activity": ["a", "b", "a"],
        ...                    "timestamp": [t, t, t]})
        >>> variant_table(ev).variants.rows()
        [(0, ['a'], 1), (1, ['a', 'b'], 1)]
    """
    unit = (
        pl.col("unit").drop_nulls().first().cast(pl.String)
        if "unit" in events.columns
        else pl.lit(None, dtype=pl.String)
    )
    seq = (
        events.lazy()
        .group_by(_case_key(events), maintain_order=True)
        .agg(
            pl.col("case").first(),
            pl.col("activity").alias("activities"),
            unit.alias("unit"),
            pl.len().cast(pl.Int64).alias("events"),
            pl.col("timestamp").min().alias("start"),
            pl.col("timestamp").max().alias("end"),
        )
        .with_columns(
            ((pl.col("end") - pl.col("start")).dt.total_microseconds() / 1e6).alias("duration_s"),
            pl.col("activities").list.join(_SEP).alias("_key"),
        )
        .collect()
        .drop(_RUN)
    )
    variants = (
        seq.group_by("_key")
        .agg(pl.col("activities").first(), pl.len().cast(pl.Int64).alias("cases"))
        .sort(["cases", "_key"], descending=[True, False])
        .with_row_index("variant")
        .with_columns(pl.col("variant").cast(pl.Int64))
    )
    cases = seq.join(
        variants.select("_key", "variant"), on="_key", how="left", maintain_order="left"
    ).select("case", "unit", "variant", "events", "start", "end", "duration_s")
    return VariantTable(cases=cases, variants=variants.select("variant", "activities", "cases"))


def _case_key(events: pl.DataFrame) -> pl.Expr:
    """What groups the events by case: the run of equal case ids when the case column is
    sorted (as a log's events are; integers are cheaper to group than strings), else the id."""
    case = events["case"]
    if case.null_count() == 0 and case.is_sorted():
        return pl.col("case").rle_id().alias(_RUN)
    return pl.col("case").alias(_RUN)
