"""Reading a log from CSV text: encodings, sniffed delimiter, quoted fields, ragged rows.

Row numbers are the physical line where a record starts (the header is line 1 unless blank
lines precede it). Blank lines are skipped and not counted; a record whose field count differs
from the header's is ``malformed_row``. Internal: used by :mod:`fvmprocess.eventlog.load`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from fvmprocess.errors import LogError
from fvmprocess.eventlog.columns import ROW
from fvmprocess.eventlog.options import ReadLimits
from fvmprocess.eventlog.raw import RawLog, SourceInfo
from fvmprocess.eventlog.source import decode, read_bytes

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["read_csv", "sniff_delimiter"]


@dataclass(frozen=True)
class _Header:
    names: list[str]  # unique, non-empty column names
    line: int  # the physical line of the header


@dataclass(frozen=True)
class _Rows:
    frame: pl.DataFrame  # the header's columns (strings) and ROW
    malformed: list[int]


def read_csv(path: Path, limits: ReadLimits) -> RawLog:
    """The records of a CSV file, each numbered by the line it starts on.

    Raises:
        LogError: the file is empty, binary, too large, or not readable as CSV.
    """
    src = str(path)
    data = read_bytes(path, limits)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise LogError("empty file: expected a header line and event rows", source=src)
    decoded = decode(data, src)
    text = decoded.text
    delim = sniff_delimiter(text, path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header = _read_header(reader, src)
    if '"' not in text and text.count("\r") == text.count("\r\n"):
        # no quoting: split with polars (same results as csv.reader, much faster)
        rows = _split_plain(text, delim, header)
        limits.check_rows(rows.frame.height + len(rows.malformed), source=src)
    else:
        rows = _split_quoted(reader, header, limits, src)
    return RawLog(
        frame=rows.frame,
        source=src,
        info=SourceInfo(
            format="csv", encoding=decoded.encoding, delimiter=delim, header_line=header.line
        ),
        malformed=rows.malformed,
        decimal_comma=delim != ",",
    )


def sniff_delimiter(text: str, path: Path) -> str:
    """The delimiter among ``,`` ``;`` tab that splits the first lines most consistently."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".tsv", ".tab")):
        return "\t"
    lines = [ln for ln in text.splitlines()[:60] if ln.strip()]
    best: tuple[float, int, int] | None = None
    choice = ","
    for rank, d in enumerate((",", ";", "\t")):
        counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        if not counts or counts[0] <= 1:
            continue
        consistent = sum(c == counts[0] for c in counts) / len(counts)
        score = (consistent, counts[0], -rank)
        if best is None or score > best:
            best, choice = score, d
    return choice


def _read_header(reader: Reader, src: str) -> _Header:
    """The first non-blank record, with empty names filled in and repeated names numbered."""
    try:
        header = next(reader)
        while not any(h.strip() for h in header):
            header = next(reader)
    except StopIteration:
        raise LogError("empty file: expected a header line", source=src) from None
    except csv.Error as e:
        raise LogError(f"unreadable header: {e}", source=src, place="line 1") from e
    names: list[str] = []
    for i, h in enumerate(header):
        h = h.strip() or f"column_{i + 1}"
        base, k = h, 2
        while h in names:
            h, k = f"{base}_{k}", k + 1
        names.append(h)
    return _Header(names, reader.line_num)


def _split_plain(text: str, delim: str, header: _Header) -> _Rows:
    """Split unquoted text with polars string operations."""
    n = len(header.names)
    f = (
        pl.DataFrame({"l": text.split("\n")})
        .with_row_index(ROW, offset=1)
        .with_columns(pl.col(ROW).cast(pl.Int64), pl.col("l").str.strip_suffix("\r"))
        .filter((pl.col(ROW) > header.line) & (pl.col("l").str.strip_chars() != ""))
        .with_columns(pl.col("l").str.split(delim).alias("f"))
        .with_columns(
            pl.when(
                (pl.col("f").list.len() == n + 1)
                & (pl.col("f").list.last().str.strip_chars() == "")
            )
            .then(pl.col("f").list.head(n))
            .otherwise(pl.col("f"))
            .alias("f")
        )
        .with_columns(pl.col("f").list.len().alias("_n"))
    )
    malformed = f.filter(pl.col("_n") != n)[ROW].cast(pl.Int64).to_list()
    frame = f.filter(pl.col("_n") == n).select(
        *[pl.col("f").list.get(i).alias(c) for i, c in enumerate(header.names)], pl.col(ROW)
    )
    return _Rows(frame, malformed)


def _split_quoted(reader: Reader, header: _Header, limits: ReadLimits, src: str) -> _Rows:
    """Split quoted text (fields with delimiters or line breaks) with :mod:`csv`."""
    n = len(header.names)
    rows: list[list[str]] = []
    numbers: list[int] = []
    malformed: list[int] = []
    prev = header.line
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise LogError(f"unreadable CSV: {e}", source=src, place=f"line {prev + 1}") from e
        start, prev = prev + 1, reader.line_num
        if not rec or (len(rec) == 1 and not rec[0].strip()):
            continue
        if len(rec) == n + 1 and not rec[-1].strip():
            rec = rec[:n]
        if len(rec) != n:
            malformed.append(start)
            continue
        rows.append(rec)
        numbers.append(start)
        if limits.max_rows is not None and len(rows) + len(malformed) > limits.max_rows:
            limits.check_rows(len(rows) + len(malformed), source=src)
    frame = pl.DataFrame(
        rows, schema=dict.fromkeys(header.names, pl.String), orient="row"
    ).with_columns(pl.Series(ROW, numbers, dtype=pl.Int64))
    return _Rows(frame, malformed)
