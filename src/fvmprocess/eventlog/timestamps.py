"""Timestamp parsing: ISO 8601 and Swedish/European forms, naive times localised in a zone.

The rules (accepted forms, day-first inference, the spring gap and the autumn overlap) are in
the :mod:`fvmprocess.eventlog` docs. Everything is vectorised polars; results are in UTC (µs).

Internal: used by :mod:`fvmprocess.eventlog.build`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from fvmprocess.eventlog.columns import UTC

__all__ = [
    "ParsedTimestamps",
    "SlashDates",
    "normalise",
    "parse_timestamps",
    "slash_dates",
    "split_offset",
]

_ISO_NAIVE = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y%m%d %H%M%S",
    "%Y%m%d %H%M",
    "%Y%m%d%H%M%S",
    "%Y%m%d%H%M",
    "%Y%m%d",
    "%d.%m.%Y %H:%M:%S%.f",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y %H:%M:%S%.f",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
)
_SLASH_DAY = ("%d/%m/%Y %H:%M:%S%.f", "%d/%m/%Y %H:%M", "%d/%m/%Y")
_SLASH_MONTH = ("%m/%d/%Y %H:%M:%S%.f", "%m/%d/%Y %H:%M", "%m/%d/%Y")
_AWARE = (
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M%z",
)
# Forms without fractional seconds: polars parses them several times faster than ``%.f``.
_FAST = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d",
)
_SAMPLE = 1000
OFFSET_RE = r"(?:[+-]\d{2}:?\d{2}|[+-]\d{2})$"
_NAIVE = pl.Datetime("us")
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ParsedTimestamps:
    """A parsed timestamp column.

    Attributes:
        utc: the instants, ``Datetime("us", "UTC")``; null where not parsed.
        reason: the rejection reason per row (``missing_timestamp``, ``unparseable_timestamp``,
            ``nonexistent_local_time``), null where the value is fine.
        warnings: counts of accepted but noteworthy values (``assumed_dayfirst``,
            ``ambiguous_local_time``).
    """

    utc: pl.Series
    reason: pl.Series
    warnings: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Naive:
    """Values before localisation: naive wall-clock times and the already-aware ones."""

    naive: pl.Series  # Datetime("us"), null where missing, unparsed or aware
    missing: pl.Series  # Boolean
    unparsed: pl.Series  # Boolean
    aware: pl.Series | None = None  # Datetime("us", "UTC") for values with an offset
    warnings: Mapping[str, int] = field(default_factory=dict)


def parse_timestamps(col: pl.Series, *, timezone: str, dayfirst: bool | None) -> ParsedTimestamps:
    """Parse one timestamp column (strings, dates or datetimes) into UTC instants.

    Args:
        col: the input column.
        timezone: the zone of naive values.
        dayfirst: how to read slash dates; ``None`` infers it from the column.

    Returns:
        The instants, a rejection reason per row and the warnings.
    """
    dt = col.dtype
    if isinstance(dt, pl.Datetime) and dt.time_zone is not None:
        utc = col.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
        reason = pl.select(
            pl.when(col.is_null()).then(pl.lit("missing_timestamp")).otherwise(None)
        ).to_series()
        return ParsedTimestamps(utc, reason)
    if isinstance(dt, pl.Datetime | pl.Date):
        naive = col.cast(_NAIVE)
        never = pl.repeat(False, col.len(), dtype=pl.Boolean, eager=True)
        return _localise(_Naive(naive, naive.is_null(), never), timezone)
    return _localise(_parse_text(col.cast(pl.String), dayfirst), timezone)


def _parse_text(s: pl.Series, dayfirst: bool | None) -> _Naive:
    """Text timestamps: the column's own form on the values as they are, the rest trimmed.

    Exported times rarely carry surrounding white space, so the form detected on a sample of
    the raw values (:func:`_detect_format`) is applied to the whole column first; only the
    values it does not parse are trimmed and take the general path (:func:`_parse_trimmed`).
    White space cannot change the instant a value parses to, so this gives what trimming
    every value first gives.
    """
    fmt = _detect_format(s.drop_nulls())
    if fmt is None:
        return _parse_trimmed(s, dayfirst)
    direct = _strptime(s, fmt)
    todo = direct.is_null()
    if not todo.any():
        never = pl.repeat(False, s.len(), dtype=pl.Boolean, eager=True)
        return _Naive(direct, never, never)
    rest = _parse_trimmed(pl.select(pl.when(pl.lit(todo)).then(pl.lit(s))).to_series(), dayfirst)
    naive = pl.select(pl.coalesce(pl.lit(direct), pl.lit(rest.naive))).to_series()
    return _Naive(naive, rest.missing & todo, rest.unparsed & todo, rest.aware, rest.warnings)


def _parse_trimmed(s: pl.Series, dayfirst: bool | None) -> _Naive:
    """Text timestamps, trimmed: the detected form directly, the rest as before.

    The form is detected on a sample (:func:`_detect_format`) and applied to the whole column
    in one pass; only the values it does not parse take the slower paths (fractional seconds,
    then normalising and trying every accepted form).
    """
    stripped = s.str.strip_chars()
    missing = stripped.is_null() | (stripped == "")
    fmt = _detect_format(stripped.filter(~missing))
    direct = _strptime(stripped, fmt or _ISO_NAIVE[0])
    todo = direct.is_null() & ~missing
    if fmt is not None and todo.any():
        retry = _strptime(
            pl.select(pl.when(pl.lit(todo)).then(pl.lit(stripped))).to_series(), _ISO_NAIVE[0]
        )
        direct = pl.select(pl.coalesce(pl.lit(direct), pl.lit(retry))).to_series()
        todo = direct.is_null() & ~missing
    if not todo.any():
        never = pl.repeat(False, s.len(), dtype=pl.Boolean, eager=True)
        return _Naive(direct, missing, never)
    rest = _parse_any(pl.select(pl.when(pl.lit(todo)).then(pl.lit(s))).to_series(), dayfirst)
    naive = pl.select(pl.coalesce(pl.lit(direct), pl.lit(rest.naive))).to_series()
    return _Naive(naive, missing, rest.unparsed, rest.aware, rest.warnings)


def _strptime(s: pl.Series, fmt: str) -> pl.Series:
    # no cache: timestamps are mostly distinct, and hashing them costs more than parsing
    return s.str.strptime(_NAIVE, fmt, strict=False, cache=False)


def _detect_format(values: pl.Series) -> str | None:
    """The fast form (:data:`_FAST`) that parses most of a sample of ``values``, if any.

    Each fast form gives, for every value it parses, the instant the accepted forms of
    :data:`_ISO_NAIVE` give (after normalising), so a value it parses needs no other path.
    """
    if values.is_empty():
        return None
    step = max(1, values.len() // _SAMPLE)
    sample = values.gather_every(step).head(_SAMPLE)
    best, parsed = None, sample.len() // 2
    for fmt in _FAST:
        n = sample.len() - _strptime(sample, fmt).null_count()
        if n > parsed:
            best, parsed = fmt, n
        if n == sample.len():
            break
    return best


def _parse_any(s: pl.Series, dayfirst: bool | None) -> _Naive:
    norm = pl.select(normalise(pl.lit(s))).to_series()
    missing = norm.is_null()
    aware_mask, naive_src = split_offset(norm)
    aware = _parse_strings(
        pl.select(pl.when(aware_mask).then(pl.lit(norm))).to_series(), _AWARE, UTC
    )
    slash, warnings = _slash_formats(naive_src, dayfirst)
    naive = _parse_strings(naive_src, (*_ISO_NAIVE, *slash), _NAIVE)
    unparsed = (~missing) & aware.is_null() & naive.is_null()
    return _Naive(naive, missing, unparsed, aware if bool(aware_mask.any()) else None, warnings)


def split_offset(norm: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Normalised text values (:func:`normalise`): which carry a UTC offset (a time and
    ``+01:00``, ``Z``…), and the values without one (null where one is)."""
    aware = norm.str.contains(OFFSET_RE).fill_null(False) & norm.str.contains(":")
    return aware, pl.select(pl.when(~aware).then(pl.lit(norm))).to_series()


@dataclass(frozen=True)
class SlashDates:
    """The slash dates (``d/m/yyyy`` or ``m/d/yyyy``) of a column: the evidence for their order.

    Attributes:
        count: values that are slash dates.
        day_first: some first part is above 12 (only day first reads it).
        month_first: some second part is above 12 (only month first reads it).
    """

    count: int = 0
    day_first: bool = False
    month_first: bool = False

    def order(self, dayfirst: bool | None) -> tuple[bool, dict[str, int]]:
        """Read them day first? ``dayfirst`` when given; else day first unless only month
        first fits, with the ``assumed_dayfirst`` warning when nothing ruled month first out."""
        if dayfirst is not None:
            return dayfirst, {}
        order = not (self.month_first and not self.day_first)
        assumed = order and not self.day_first and self.count > 0
        return order, ({"assumed_dayfirst": self.count} if assumed else {})


def slash_dates(naive: pl.Series) -> SlashDates:
    """The slash dates among normalised text values without an offset (:func:`split_offset`)."""
    slash = naive.str.extract_groups(r"^(\d{1,2})/(\d{1,2})/\d{4}")
    first = slash.struct.field("1").cast(pl.Int32, strict=False)
    second = slash.struct.field("2").cast(pl.Int32, strict=False)
    return SlashDates(
        int(first.is_not_null().sum()), bool((first > 12).any()), bool((second > 12).any())
    )


def _slash_formats(s: pl.Series, dayfirst: bool | None) -> tuple[tuple[str, ...], dict[str, int]]:
    """The slash-date formats to try: day- or month-first, inferred when ``dayfirst`` is None."""
    found = slash_dates(s)
    if not found.count:
        return (), {}
    order, warnings = found.order(dayfirst)
    return (_SLASH_DAY if order else _SLASH_MONTH), warnings


def _localise(values: _Naive, timezone: str) -> ParsedTimestamps:
    """Naive times as instants in ``timezone`` (earlier offset in the autumn overlap)."""
    local, nonexistent, ambiguous = _in_zone(values.naive, timezone)
    warnings = dict(values.warnings)
    n_amb = int(ambiguous.sum())
    if n_amb:
        warnings["ambiguous_local_time"] = n_amb
    utc = local.dt.convert_time_zone("UTC")
    if values.aware is not None:
        utc = pl.select(pl.coalesce(pl.lit(utc), pl.lit(values.aware))).to_series()
    reason = pl.select(
        pl.when(pl.lit(values.missing))
        .then(pl.lit("missing_timestamp"))
        .when(pl.lit(values.unparsed))
        .then(pl.lit("unparseable_timestamp"))
        .when(pl.lit(nonexistent))
        .then(pl.lit("nonexistent_local_time"))
        .otherwise(None)
    ).to_series()
    return ParsedTimestamps(utc.alias("timestamp"), reason, warnings)


def _in_zone(naive: pl.Series, timezone: str) -> tuple[pl.Series, pl.Series, pl.Series]:
    """``naive`` in ``timezone``: the instants, and which were nonexistent or ambiguous.

    One strict pass; only the values it leaves null (the spring gap, the autumn overlap) are
    localised again with the earlier offset.
    """
    local = _strict_local(naive, timezone)
    odd = naive.is_not_null() & local.is_null()
    if not odd.any():
        never = pl.repeat(False, naive.len(), dtype=pl.Boolean, eager=True)
        return local, never, never
    idx = odd.arg_true()
    again = naive.gather(idx).dt.replace_time_zone(
        timezone, ambiguous="earliest", non_existent="null"
    )
    local = local.scatter(idx, again)
    return local, odd & local.is_null(), odd & local.is_not_null()


def _strict_local(naive: pl.Series, timezone: str) -> pl.Series:
    """``naive.dt.replace_time_zone(timezone, ambiguous="null", non_existent="null")``, by hour.

    Times repeat their hour: each distinct hour is localised at five checkpoints (every quarter
    and its last microsecond). Where all five have the same offset (no transition within the
    hour), every time in it has that offset; the rows of the other hours (a transition, the
    spring gap, the autumn overlap) are localised one by one, as before.
    """
    live = naive.is_not_null()
    micros = naive.cast(pl.Int64).fill_null(0).to_numpy()
    hour = micros // _HOUR
    span = _hour_span(hour, live)
    if span is None:
        return naive.dt.replace_time_zone(timezone, ambiguous="null", non_existent="null")
    first, present = span
    hours = np.flatnonzero(present) + first
    if len(hours) * len(_CHECKS) * 4 > len(micros):  # too few repeats to gain
        return naive.dt.replace_time_zone(timezone, ambiguous="null", non_existent="null")
    dense = np.full(len(present), _NO_OFFSET, dtype=np.int64)
    dense[hours - first] = _hour_offsets(pl.Series(hours), timezone).fill_null(_NO_OFFSET)
    offset = np.take(dense, hour - first, mode="clip")  # a null row's hour may lie outside
    known = pl.Series(offset != _NO_OFFSET) & live
    utc = pl.Series(naive.name, micros - offset).cast(pl.Datetime("us", "UTC"))
    local = pl.select(pl.when(pl.lit(known)).then(pl.lit(utc))).to_series()
    local = local.dt.convert_time_zone(timezone).alias(naive.name)
    odd = live & ~known
    if not odd.any():
        return local
    idx = odd.arg_true()
    one_by_one = naive.gather(idx).dt.replace_time_zone(
        timezone, ambiguous="null", non_existent="null"
    )
    return local.scatter(idx, one_by_one)


def _hour_span(hour: Ints, live: pl.Series) -> tuple[int, Bools] | None:
    """The first hour and which hours from it occur among the live rows; None if too wide."""
    mask = live.to_numpy()
    hours = hour if bool(live.all()) else hour[mask]
    if not len(hours):
        return None
    first, last = int(hours.min()), int(hours.max())
    if last - first >= _MAX_SPAN:
        return None
    return first, np.bincount(hours - first, minlength=last - first + 1) > 0


_HOUR = 3_600_000_000  # microseconds
_CHECKS = (0, 900_000_000, 1_800_000_000, 2_700_000_000, _HOUR - 1)
_MAX_SPAN = 1 << 22  # hours (about 480 years) of the dense hour table
_NO_OFFSET = np.iinfo(np.int64).min


def _hour_offsets(hours: pl.Series, timezone: str) -> pl.Series:
    """The UTC offset (µs) of each hour in ``timezone``; null where it is not one offset."""
    base = hours * _HOUR
    offsets = []
    for check in _CHECKS:
        wall = (base + check).cast(pl.Datetime("us"))
        local = wall.dt.replace_time_zone(timezone, ambiguous="null", non_existent="null")
        offsets.append(wall.cast(pl.Int64) - local.dt.convert_time_zone("UTC").cast(pl.Int64))
    first = offsets[0]
    same = pl.select(pl.all_horizontal([pl.lit(o == first) for o in offsets[1:]])).to_series()
    return pl.select(pl.when(pl.lit(same)).then(pl.lit(first))).to_series()


def normalise(expr: pl.Expr) -> pl.Expr:
    e = expr.str.strip_chars()
    e = e.str.replace(r"^(\d{4}-\d{1,2}-\d{1,2})[T ]+", "$1 ")
    e = e.str.replace(r"(\d)\s*[zZ]$", "$1+00:00")
    e = e.str.replace(r"(\d)\s*(?:UTC|GMT)$", "$1+00:00")
    e = e.str.replace(r"(\d)\s+([+-]\d{2}:?\d{2})$", "$1$2")
    # time written with dots: 14.30 / 14.30.15 -> 14:30 / 14:30:15
    e = e.str.replace(r"(\s\d{1,2})\.(\d{2})\.(\d{2})$", "$1:$2:$3")
    e = e.str.replace(r"(\s\d{1,2})\.(\d{2})$", "$1:$2")
    # +01 -> +01:00
    e = e.str.replace(r"(:\d{2}(?:\.\d+)?[+-]\d{2})$", "$1:00")
    return pl.when(e == "").then(None).otherwise(e)


def _parse_strings(s: pl.Series, formats: Sequence[str], dtype: pl.Datetime) -> pl.Series:
    """Parse trying formats in turn; each later format only sees what is still unparsed."""
    out = pl.repeat(None, s.len(), dtype=dtype, eager=True).alias(s.name)
    todo = s.is_not_null()
    for fmt in formats:
        if not todo.any():
            break
        idx = todo.arg_true()
        part = s.gather(idx).str.strptime(dtype, fmt, strict=False)
        ok = part.is_not_null()
        if ok.any():
            out = out.scatter(idx.filter(ok), part.filter(ok))
            todo = todo.scatter(idx.filter(ok), False)
    return out
