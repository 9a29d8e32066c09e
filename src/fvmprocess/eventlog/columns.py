"""The columns of an events frame, and the reader's internal bookkeeping columns.

Internal: the public names are re-exported by :mod:`fvmprocess.eventlog`.
"""

from __future__ import annotations

import polars as pl

__all__ = ["MAX_EXAMPLES", "OPTIONAL_EVENT_COLUMNS", "REJECT", "ROW", "STANDARD_COLUMNS", "UTC"]

#: The 1-based input row (line) of a record while a log is read; ``row`` in the events.
ROW = "__fvm_row__"
#: The rejection reason of a record while a log is read (null while the row is in play).
REJECT = "__fvm_reject__"
#: Column names the events frame reserves; input columns with these names become ``attr:<name>``.
STANDARD_COLUMNS: tuple[str, ...] = (
    "case",
    "activity",
    "timestamp",
    "unit",
    "resource",
    "start_timestamp",
    "lifecycle",
    "original_activity",
    "row",
)
#: The optional event columns, in the order they follow ``case, activity, timestamp``.
OPTIONAL_EVENT_COLUMNS: tuple[str, ...] = ("unit", "resource", "start_timestamp", "lifecycle")
#: The dtype of every timestamp in an events frame.
UTC = pl.Datetime("us", "UTC")
#: How many example row numbers the accounting keeps per reason.
MAX_EXAMPLES = 5
