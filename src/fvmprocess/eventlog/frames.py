"""Reading a log from a polars or pandas DataFrame or a Parquet file.

Row numbers are the 1-based row index. Internal: used by :mod:`fvmprocess.eventlog.load`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import polars as pl

from fvmprocess.errors import LogError
from fvmprocess.eventlog.columns import REJECT, ROW
from fvmprocess.eventlog.options import ReadLimits
from fvmprocess.eventlog.raw import RawLog, SourceInfo

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["from_pandas", "from_polars", "read_parquet"]


def from_polars(
    frame: pl.DataFrame,
    src: str,
    limits: ReadLimits,
    *,
    fmt: Literal["polars", "pandas", "parquet"] = "polars",
) -> RawLog:
    """The rows of ``frame``, numbered from 1.

    Raises:
        LogError: too many rows, or the frame uses a reserved column name.
    """
    limits.check_rows(frame.height, source=src)
    if ROW in frame.columns or REJECT in frame.columns:
        raise LogError(f"reserved column name in input: {ROW!r}/{REJECT!r}", source=src)
    frame = frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW))
    return RawLog(frame=frame, source=src, info=SourceInfo(format=fmt))


def from_pandas(frame: pd.DataFrame, src: str, limits: ReadLimits) -> RawLog:
    """The rows of a pandas DataFrame (converted to polars)."""
    converted = pl.from_pandas(frame)
    return from_polars(converted, src, limits, fmt="pandas")


def read_parquet(path: Path, limits: ReadLimits) -> RawLog:
    """The rows of a Parquet file.

    Raises:
        LogError: the file is not readable Parquet, or has too many rows.
    """
    src = str(path)
    try:
        frame = pl.read_parquet(path)
    except Exception as e:
        raise LogError(f"not a readable Parquet file: {e}", source=src) from e
    return from_polars(frame, src, limits, fmt="parquet")
