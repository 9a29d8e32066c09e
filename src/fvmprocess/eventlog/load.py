"""Choosing the reader for a source: a DataFrame, or a CSV, XES or Parquet path.

Internal: used by :mod:`fvmprocess.eventlog.log`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import polars as pl

from fvmprocess.errors import LogError
from fvmprocess.eventlog.csv import read_csv
from fvmprocess.eventlog.frames import from_pandas, from_polars, read_parquet
from fvmprocess.eventlog.options import ReadLimits
from fvmprocess.eventlog.raw import RawLog
from fvmprocess.eventlog.source import detect_format, source_name
from fvmprocess.eventlog.xes import read_xes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load"]


def load(source: object, limits: ReadLimits, *, encoding: str | None = None) -> RawLog:
    """Read the rows of ``source`` with the reader its type or file format calls for.

    ``encoding`` is the text encoding of a CSV file (``None``: UTF-8, per-line cp1252 fallback).

    Raises:
        LogError: an unsupported source, a missing file, or an input beyond ``limits``.
    """
    src = source_name(source)
    if isinstance(source, pl.DataFrame):
        return from_polars(source, src, limits)
    if isinstance(source, pl.LazyFrame):
        return from_polars(source.collect(), src, limits)
    if type(source).__module__.startswith("pandas"):
        return from_pandas(cast("pd.DataFrame", source), src, limits)
    if not isinstance(source, str | Path):
        raise LogError(
            f"expected a path or a pandas/polars DataFrame, got {type(source).__name__}",
            source=src,
        )
    return _load_path(Path(source), limits, encoding)


def _load_path(path: Path, limits: ReadLimits, encoding: str | None) -> RawLog:
    src = str(path)
    if not path.exists():
        raise LogError("file does not exist", source=src)
    if not path.is_file():
        raise LogError("not a file", source=src)
    if limits.max_bytes is not None and path.stat().st_size > limits.max_bytes:
        raise LogError(f"file is larger than max_bytes={limits.max_bytes}", source=src)
    fmt = detect_format(path)
    if fmt == "xes":
        return read_xes(path, limits)
    if fmt == "parquet":
        return read_parquet(path, limits)
    return read_csv(path, limits, encoding=encoding)
