"""What a reader hands to the builder: the input rows as a frame, plus facts about the input.

Internal: :class:`SourceInfo` is public as :attr:`EventLog.source_info`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

__all__ = ["InputFormat", "RawLog", "SourceInfo"]

#: Where the rows of a log came from.
InputFormat = Literal["csv", "xes", "parquet", "polars", "pandas"]


@dataclass(frozen=True)
class SourceInfo:
    """Facts about the input of a log, found while reading it.

    Attributes:
        format: the input format.
        encoding: the text encoding (CSV only), e.g. ``"utf-8"``, ``"utf-8-sig"``, ``"cp1252"``.
        delimiter: the field delimiter (CSV only).
        header_line: the line of the header (CSV only; lines before it were blank).
        traces: the number of ``<trace>`` elements (XES only).
    """

    format: InputFormat
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    traces: int | None = None


@dataclass
class RawLog:
    """The input rows before normalisation (mutable so the builder can release the frame).

    Attributes:
        frame: the input columns (as read) and :data:`~fvmprocess.eventlog.columns.ROW`.
        source: the input's name.
        info: facts about the input.
        malformed: row numbers of records that could not be split into the header's fields.
        rejected: other rows the reader rejected, by reason (``control_character``,
            ``invalid_encoding``, ``event_outside_trace``).
        warnings: counts of things accepted but worth knowing (e.g. generated case ids).
        warning_examples: warning -> the first row numbers it concerns.
        timestamps_optional: the source may lack a timestamp attribute (XES).
        decimal_comma: numbers in extra columns may use a decimal comma.
    """

    frame: pl.DataFrame
    source: str
    info: SourceInfo
    malformed: list[int] = field(default_factory=list)
    rejected: dict[str, list[int]] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    warning_examples: dict[str, list[int]] = field(default_factory=dict)
    timestamps_optional: bool = False
    decimal_comma: bool = False

    def release(self) -> None:
        """Drop the input rows (they are no longer needed; lowers the peak memory)."""
        self.frame = self.frame.clear()
