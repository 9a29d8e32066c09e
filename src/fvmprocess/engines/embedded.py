"""The embedded engine: the variant table with polars on this machine."""

from __future__ import annotations

import polars as pl

from fvmprocess._shared.vocab import NO_UNIT
from fvmprocess.eventlog import variant_table as log_variants

__all__ = ["variant_table"]


def variant_table(events: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cases and their distinct variants from events sorted by case, time and row.

    The log's one variant table (:func:`fvmprocess.eventlog.variant_table`), with
    :data:`~fvmprocess._shared.vocab.NO_UNIT` for cases whose events name no unit, as the
    Spark engine gives it.

    Args:
        events: an :class:`EventLog`'s events (``case``, ``activity``, ``timestamp``, maybe
            ``unit``), already in case/time order.

    Returns:
        ``(cases, variants)``: ``cases`` has ``case``, ``unit``, ``variant``, ``events``,
        ``start``, ``end``, ``duration_s``; ``variants`` has ``variant`` (0 = most frequent;
        ties broken by the activity sequence), ``activities`` (list) and ``cases``.
    """
    table = log_variants(events)
    return table.cases.with_columns(pl.col("unit").fill_null(NO_UNIT)), table.variants
