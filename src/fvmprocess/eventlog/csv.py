"""Reading a log from CSV: polars' native reader, with every input row still accounted for.

The file is first made UTF-8 line by line (:mod:`.encoding`), then split by ``pl.read_csv``
(all columns as text). What the native reader cannot tell is found with vectorised passes over
the bytes: the physical line each record starts on (records with quoted line breaks count their
lines), the field count of each record (ragged rows; a trailing delimiter is tolerated), and
control characters (NUL and other C0 controls, a lone carriage return), which reject their row.
Only rows polars refuses — broken or irregular quoting — are parsed one by one with :mod:`csv`:
a stray quote alone on its line is text, a quoted field spanning lines is one record, and an
unterminated quote rejects its own line only. Blank lines are skipped and not counted. The file
is refused as binary only when its header holds a NUL or control byte.

Internal: used by :mod:`fvmprocess.eventlog.load`.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from fvmprocess.errors import LogError
from fvmprocess.eventlog.columns import ROW
from fvmprocess.eventlog.encoding import FALLBACK, Utf8Text, line_starts, to_utf8
from fvmprocess.eventlog.options import ReadLimits
from fvmprocess.eventlog.raw import RawLog, SourceInfo
from fvmprocess.eventlog.source import read_bytes

__all__ = ["read_csv", "sniff_delimiter"]

_log = logging.getLogger(__name__)
_EXTRA = "\x00fvm_extra"  # the field after the header's last, to see ragged rows
_CHUNK = 1 << 20
_SCAN_CHUNK = 1 << 18  # bytes per slice of the control scan (stays in cache)
_HEAD = 1 << 16
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Header:
    names: list[str]  # unique, non-empty column names
    line: int  # the physical line the header ends on (lines before the data)
    offset: int  # the byte offset of the first data line
    delimiter: str


@dataclass
class _Split:
    """The records: good ones as a frame of text columns and ROW, the others by reason."""

    frame: pl.DataFrame
    rejected: dict[str, list[int]] = field(default_factory=dict)
    record_rows: Ints = field(default_factory=lambda: np.zeros(0, np.int64))  # every record's row


def read_csv(path: Path, limits: ReadLimits, *, encoding: str | None = None) -> RawLog:
    """The records of a CSV file, each numbered by the line it starts on.

    Args:
        path: the file (``.gz`` is decompressed).
        limits: size limits.
        encoding: the file's encoding; ``None`` reads UTF-8 with a per-line cp1252 fallback.

    Raises:
        LogError: the file is empty, binary, too large, or in an unknown encoding.
    """
    src = str(path)
    data = read_bytes(path, limits)
    if _blank(data):
        raise LogError("empty file: expected a header line and event rows", source=src)
    if b"\n" not in data and b"\r" in data:  # classic Mac line ends
        data = data.replace(b"\r", b"\n")
    text, split, header = _fast(data, path, src) if encoding is None else (None, None, None)
    if text is None or split is None or header is None:
        text = to_utf8(data, encoding=encoding, src=src)
        del data
        header = _read_header(text.data, path, src)
        split = _split(text.data, header)
    limits.check_rows(len(split.record_rows), source=src)
    warnings, examples = _encoding_findings(split, text, header)
    return RawLog(
        frame=split.frame,
        source=src,
        info=SourceInfo(
            format="csv",
            encoding=text.encoding,
            delimiter=header.delimiter,
            header_line=header.line,
        ),
        malformed=split.rejected.pop("malformed_row", []),
        rejected=split.rejected,
        warnings=warnings,
        warning_examples=examples,
        decimal_comma=header.delimiter != ",",
    )


def _blank(data: bytes) -> bool:
    """Whether ``data`` holds nothing but whitespace and BOMs (without copying it whole)."""
    ws = b" \t\r\n\xef\xbb\xbf"
    return not data[:_HEAD].strip(ws) and not data.strip(ws)


def _fast(
    data: bytes, path: Path, src: str
) -> tuple[Utf8Text | None, _Split | None, _Header | None]:
    """The common case natively: UTF-8 (BOM or not) that polars splits without complaint.

    Returns Nones when the file needs the careful path (UTF-16, invalid UTF-8, quoting polars
    refuses, more fields than the header and one).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, None, None
    name = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data, name = data[len(codecs.BOM_UTF8) :], "utf-8-sig"
    header = _read_header(data, path, src)
    try:
        data[: header.offset].decode("utf-8")
    except UnicodeDecodeError:
        return None, None, None
    if header.offset >= len(data):
        return Utf8Text(data, name), _Split(_empty(header)), header
    split = _native(data, header, skip=header.line, line_map=None)
    if split is None:
        return None, None, None
    return Utf8Text(data, name), split, header


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


# -- the header -----------------------------------------------------------------------------


def _read_header(data: bytes, path: Path, src: str) -> _Header:
    """The first non-blank record, with empty names filled in and repeated names numbered.

    Raises:
        LogError: the header holds a NUL or control byte (binary data), or cannot be read.
    """
    head = data[:_HEAD]
    if len(data) > _HEAD and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    elif len(data) > _HEAD:
        head = data
    text = head.decode("utf-8", errors="replace")
    delim = sniff_delimiter(text, path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        header = next(reader)
        while not any(h.strip() for h in header):
            header = next(reader)
    except StopIteration:
        raise LogError("empty file: expected a header line", source=src) from None
    except csv.Error as e:
        raise LogError(f"unreadable header: {e}", source=src, place="line 1") from e
    if _CONTROL.search("".join(header)):
        raise LogError(
            "binary data (NUL byte or control characters in the header): expected a text CSV file",
            source=src,
            place=f"line {reader.line_num}",
        )
    names: list[str] = []
    for i, h in enumerate(header):
        h = h.strip() or f"column_{i + 1}"
        base, k = h, 2
        while h in names:
            h, k = f"{base}_{k}", k + 1
        names.append(h)
    offset = 0
    for _ in range(reader.line_num):
        nl = data.find(b"\n", offset)
        offset = len(data) if nl < 0 else nl + 1
    return _Header(names, reader.line_num, offset, delim)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")


# -- splitting --------------------------------------------------------------------------------


def _split(data: bytes, header: _Header) -> _Split:
    """Split the data lines: natively, else the quote-broken lines one by one."""
    if header.offset >= len(data):
        return _Split(_empty(header))
    fast = _native(data, header, skip=header.line, line_map=None)
    if fast is not None:
        return fast
    return _careful(data, header)


def _empty(header: _Header) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = dict.fromkeys(header.names, pl.String())
    return pl.DataFrame(schema=schema).with_columns(pl.lit(None, dtype=pl.Int64).alias(ROW))


def _read_native(data: bytes, header: _Header, skip: int, *, truncate: bool) -> pl.DataFrame | None:
    """``pl.read_csv`` over the data lines: the header's columns and one more, all text.

    Without ``truncate`` a record with still more fields is refused (None), so every record
    read has at most the header's fields and one.
    """
    schema = dict.fromkeys([*header.names, _EXTRA], pl.String)
    try:
        return pl.read_csv(
            data,
            has_header=False,
            skip_lines=skip,
            schema=schema,
            separator=header.delimiter,
            quote_char='"',
            truncate_ragged_lines=truncate,
            empty_string_is_null=False,
            missing_columns="insert",
            raise_if_empty=False,
            comment_prefix=None,
            encoding="utf8",
        )
    except pl.exceptions.PolarsError as e:
        _log.debug("native CSV reader refused the data (%s); parsing line by line", e)
        return None


def _native(data: bytes, header: _Header, *, skip: int, line_map: Ints | None) -> _Split | None:
    """Records split by polars, numbered, counted and checked; None if polars refuses.

    ``line_map`` maps the lines of ``data`` to the input's lines (when ``data`` is a cleaned
    copy); ``skip`` lines of ``data`` precede the records.
    """
    exact = line_map is not None  # a cleaned copy may hold rows with any number of fields
    frame = _read_native(data, header, skip, truncate=exact)
    if frame is None:
        return None
    scan = _scan(data, header.offset if skip else 0)
    lines = _record_lines(frame, scan.lines - skip, skip)
    if lines is None:
        return None
    rows = (lines if line_map is None else line_map[lines]) + 1
    n = len(header.names)
    fields = _field_counts(frame, data, header, lines, exact=exact)
    extra = frame[_EXTRA].fill_null("")
    ok = (fields == n) | ((fields == n + 1) & (extra == "").to_numpy())
    blank = _blank_records(frame, header, fields)
    control = _control_records(data, scan.control, lines)
    good = ok & ~blank & ~control
    out = frame.select(header.names)
    if not good.all():  # no copy of the text columns when every record is good
        out = out.filter(pl.Series(good))
    out = out.with_columns(pl.Series(ROW, rows[good], dtype=pl.Int64))
    rejected = {
        "control_character": rows[control & ~blank].tolist(),
        "malformed_row": rows[~ok & ~blank & ~control].tolist(),
    }
    return _Split(out, {k: v for k, v in rejected.items() if v}, rows[~blank])


def _blank_records(frame: pl.DataFrame, header: _Header, fields: Ints) -> npt.NDArray[np.bool_]:
    """Records of one field holding only spaces, tabs or carriage returns (blank lines).

    Only records of one field can be blank: the first column is looked at when there are any.
    """
    one: npt.NDArray[np.bool_] = fields == 1
    if not one.any():
        return one
    first = frame[header.names[0]].fill_null("").str.strip_chars(" \t\r") == ""
    blank: npt.NDArray[np.bool_] = one & first.to_numpy()
    return blank


def _record_lines(frame: pl.DataFrame, n_lines: int, skip: int) -> Ints | None:
    """The 0-based line each record starts on (None if the lines do not add up)."""
    if frame.height == n_lines:
        return np.arange(skip, skip + frame.height, dtype=np.int64)
    if frame.height > n_lines:
        return None
    breaks = frame.select(
        pl.sum_horizontal(pl.col(c).str.count_matches("\n", literal=True) for c in frame.columns)
    ).to_series()
    spans: Ints = np.asarray((breaks.fill_null(0) + 1).cast(pl.Int64).to_numpy(), dtype=np.int64)
    if int(spans.sum()) != n_lines:
        return None
    starts: Ints = skip + np.cumsum(spans) - spans
    return starts


def _field_counts(
    frame: pl.DataFrame, data: bytes, header: _Header, lines: Ints, *, exact: bool
) -> Ints:
    """The number of fields of every record.

    polars refused records with more fields than the header's and one (unless ``exact``), so
    when no record looks short (its last field empty) every record has the header's fields or
    one more (checked against the extra column later); otherwise, and when ``exact``, the
    delimiters outside quotes are counted per record.
    """
    n = len(header.names)
    if not exact:
        short = frame.select((pl.col(header.names[-1]).fill_null("") == "").any()).item()
        if not short:
            extra = (frame[_EXTRA].fill_null("") != "").to_numpy()
            return np.where(extra, n + 1, n).astype(np.int64)
    start = _line_offset(data, int(lines[0])) if len(lines) else len(data)
    return _counted_fields(data, header.delimiter, start, lines)


def _line_offset(data: bytes, line: int) -> int:
    pos = 0
    for _ in range(line):
        pos = data.index(b"\n", pos) + 1
    return pos


def _positions(arr: npt.NDArray[np.uint8], byte: int, start: int) -> Ints:
    parts = [np.zeros(0, np.int64)]
    for i in range(start, len(arr), _CHUNK * 16):
        parts.append(np.flatnonzero(arr[i : i + _CHUNK * 16] == byte).astype(np.int64) + i)
    return np.concatenate(parts)


def _counted_fields(data: bytes, delim: str, start: int, lines: Ints) -> Ints:
    """Fields per record: delimiters outside quotes (quote parity) between record starts."""
    arr = np.frombuffer(data, dtype=np.uint8)
    dpos = _positions(arr, ord(delim), start)
    qpos = _positions(arr, ord('"'), start)
    if len(qpos):
        dpos = dpos[np.searchsorted(qpos, dpos) % 2 == 0]
    bounds = np.append(line_starts(data)[lines], len(data))
    return np.diff(np.searchsorted(dpos, bounds)).astype(np.int64) + 1


@dataclass(frozen=True)
class _Scan:
    lines: int  # physical lines
    control: Ints  # offsets of NUL/control bytes and lone carriage returns


def _scan(data: bytes, start: int) -> _Scan:
    """One pass over the bytes: the line count and the control characters.

    Per slice, three vectorised counts (bytes below 32, line feeds, DEL) tell whether it holds
    anything but line feeds; only slices that do (tabs, carriage returns, controls) have their
    low bytes located and classified.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    newlines = 0
    hits: list[Ints] = []
    for i in range(start, len(arr), _SCAN_CHUNK):
        c = arr[i : i + _SCAN_CHUNK]
        nl = int(np.count_nonzero(c == 10))
        newlines += nl
        if np.count_nonzero(c < 32) != nl:
            hits.append(_low_controls(data, c, i))
        if np.count_nonzero(c == 127):
            hits.append(np.flatnonzero(c == 127).astype(np.int64) + i)
    before = data.count(b"\n", 0, start)
    ends_open = bool(data) and not data.endswith(b"\n")
    control = np.sort(np.concatenate(hits)) if hits else np.zeros(0, np.int64)
    return _Scan(before + newlines + ends_open, control)


def _low_controls(data: bytes, c: npt.NDArray[np.uint8], i: int) -> Ints:
    """Offsets of the bytes below 32 in the slice ``c`` (at ``i``) that are controls: all but
    line feed, tab, and a carriage return before a line feed or at the end of the data."""
    at = np.flatnonzero(c < 32)
    low = c[at]
    odd = (low != 10) & (low != 9)
    at, low = at[odd], low[odd]
    nxt = np.frombuffer(data[i : i + len(c) + 1], dtype=np.uint8)
    after = np.append(nxt, 10)[at + 1]
    bad = (low != 13) | (after != 10)  # CR alone (not before LF, not at the end)
    bad &= ~((low == 13) & (at + i == len(data) - 1))
    found: Ints = at[bad].astype(np.int64) + i
    return found


def _control_records(data: bytes, positions: Ints, lines: Ints) -> npt.NDArray[np.bool_]:
    """Records holding a NUL or control byte (tab, line ends excepted) or a lone ``\\r``."""
    flags = np.zeros(len(lines), dtype=bool)
    if not len(positions):
        return flags
    line = np.searchsorted(line_starts(data), positions, side="right") - 1
    record = np.searchsorted(lines, line, side="right") - 1
    flags[record[record >= 0]] = True
    return flags


# -- the careful path: quote-broken lines one by one -----------------------------------------


def _careful(data: bytes, header: _Header) -> _Split:
    """Lines polars refuses (broken or irregular quotes) parsed with :mod:`csv`; the rest native."""
    starts = line_starts(data)
    ends = np.append(starts[1:], len(data))
    slow = _QuoteLines(data, header, starts, ends).resolve()
    keep = np.ones(len(starts), dtype=bool)
    keep[: header.line] = False
    keep[slow.consumed] = False
    clean, line_map = _clean_copy(data, starts, ends, keep)
    split = _native(clean, header, skip=0, line_map=line_map) if len(line_map) else None
    if split is None and len(line_map):
        _log.warning("native CSV reader refused cleaned data; reading it with the csv module")
        split = _python(clean, header, line_map)
    if split is None:
        split = _Split(_empty(header))
    return _merge(split, slow, header)


@dataclass
class _Slow:
    consumed: list[int] = field(default_factory=list)  # 0-based lines parsed here
    records: list[tuple[int, list[str]]] = field(default_factory=list)  # (row, fields)
    rejected: dict[str, list[int]] = field(default_factory=dict)


class _QuoteLines:
    """Lines whose quotes polars refuses: odd counts (a span or a broken quote), irregular ones."""

    def __init__(self, data: bytes, header: _Header, starts: Ints, ends: Ints) -> None:
        self.data, self.header, self.starts, self.ends = data, header, starts, ends
        d = re.escape(header.delimiter)
        fld = rf'(?:"(?:[^"]|"")*"|[^"{d}\r\n]*)'
        self.regular = re.compile(rf"{fld}(?:{d}{fld})*\r?\n?")
        self.out = _Slow()

    def text(self, a: int, b: int) -> str:
        return self.data[int(self.starts[a]) : int(self.ends[b])].decode("utf-8", "replace")

    def parse(self, a: int, b: int, *, strict: bool) -> list[str] | None:
        try:
            recs = list(
                csv.reader(
                    io.StringIO(self.text(a, b), newline=""),
                    delimiter=self.header.delimiter,
                    strict=strict,
                )
            )
        except csv.Error:
            return None
        return recs[0] if len(recs) == 1 else None

    def resolve(self) -> _Slow:
        arr = np.frombuffer(self.data, dtype=np.uint8)
        qpos = _positions(arr, ord('"'), self.header.offset)
        qline = np.searchsorted(self.starts, qpos, side="right") - 1
        lines, counts = np.unique(qline, return_counts=True)
        odd = lines[counts % 2 == 1].tolist()
        taken = self._odd(odd)
        for i in lines[counts % 2 == 0].tolist():
            if i in taken or self.regular.fullmatch(self.text(i, i)):
                continue
            self._record(i, [i], self.parse(i, i, strict=False))
        return self.out

    def _odd(self, odd: list[int]) -> set[int]:
        """A line with an odd number of quotes: text alone, a record up to the next, or broken."""
        taken: set[int] = set()
        k = 0
        while k < len(odd):
            a = odd[k]
            alone = self.parse(a, a, strict=True)
            if alone is not None:
                self._record(a, [a], alone)
                taken.add(a)
                k += 1
                continue
            if k + 1 < len(odd):
                b = odd[k + 1]
                span = self.parse(a, b, strict=True)
                if span is not None and self._fits(span):
                    self._record(a, list(range(a, b + 1)), span)
                    taken.update(range(a, b + 1))
                    k += 2
                    continue
            self._record(a, [a], None)
            taken.add(a)
            k += 1
        return taken

    def _fits(self, rec: list[str]) -> bool:
        n = len(self.header.names)
        return len(rec) == n or (len(rec) == n + 1 and not rec[-1].strip())

    def _record(self, first: int, lines: list[int], rec: list[str] | None) -> None:
        self.out.consumed.extend(lines)
        row = first + 1
        if rec is not None and len(rec) == 1 and not rec[0].strip():
            return  # blank
        if _CONTROL.search(self.text(first, lines[-1]).rstrip("\n")):
            self.out.rejected.setdefault("control_character", []).append(row)
        elif rec is None or not self._fits(rec):
            self.out.rejected.setdefault("malformed_row", []).append(row)
        else:
            self.out.records.append((row, rec[: len(self.header.names)]))


def _clean_copy(
    data: bytes, starts: Ints, ends: Ints, keep: npt.NDArray[np.bool_]
) -> tuple[bytes, Ints]:
    """The kept lines of ``data`` (one bytes object) and the input line of each."""
    idx = np.flatnonzero(keep).astype(np.int64)
    if not len(idx):
        return b"", idx
    breaks = np.flatnonzero(np.diff(idx) != 1)
    run_first = np.concatenate([[idx[0]], idx[breaks + 1]])
    run_last = np.concatenate([idx[breaks], [idx[-1]]])
    parts = [data[int(starts[a]) : int(ends[b])] for a, b in zip(run_first, run_last, strict=True)]
    out = b"".join(p if p.endswith(b"\n") else p + b"\n" for p in parts)
    return out, idx


def _python(data: bytes, header: _Header, line_map: Ints) -> _Split:
    """Every record with :mod:`csv` (a safety net when the native reader refuses clean lines)."""
    n = len(header.names)
    reader = csv.reader(
        io.StringIO(data.decode("utf-8", "replace"), newline=""), delimiter=header.delimiter
    )
    rows: list[list[str]] = []
    numbers: list[int] = []
    malformed: list[int] = []
    record_rows: list[int] = []
    prev = 0
    for rec in reader:
        start, prev = prev, reader.line_num
        row = int(line_map[min(start, len(line_map) - 1)]) + 1
        if not rec or (len(rec) == 1 and not rec[0].strip()):
            continue
        record_rows.append(row)
        if len(rec) == n + 1 and not rec[-1].strip():
            rec = rec[:n]
        if len(rec) != n:
            malformed.append(row)
            continue
        rows.append(rec)
        numbers.append(row)
    frame = pl.DataFrame(
        rows, schema=dict.fromkeys(header.names, pl.String), orient="row"
    ).with_columns(pl.Series(ROW, numbers, dtype=pl.Int64))
    rejected = {"malformed_row": malformed} if malformed else {}
    return _Split(frame, rejected, np.array(record_rows, dtype=np.int64))


def _merge(split: _Split, slow: _Slow, header: _Header) -> _Split:
    """The native records and the slow ones, in row order."""
    frame = split.frame
    if slow.records:
        extra = pl.DataFrame(
            [r for _, r in slow.records],
            schema=dict.fromkeys(header.names, pl.String),
            orient="row",
        ).with_columns(pl.Series(ROW, [row for row, _ in slow.records], dtype=pl.Int64))
        frame = pl.concat([frame, extra]).sort(ROW)
    rejected = {k: list(v) for k, v in split.rejected.items()}
    for k, v in slow.rejected.items():
        rejected[k] = sorted([*rejected.get(k, []), *v])
    slow_rows = [row for row, _ in slow.records] + [r for v in slow.rejected.values() for r in v]
    rows = np.sort(np.concatenate([split.record_rows, np.array(slow_rows, dtype=np.int64)]))
    return _Split(frame, rejected, rows)


# -- encodings --------------------------------------------------------------------------------


def _encoding_findings(
    split: _Split, text: Utf8Text, header: _Header
) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Rows decoded by the fallback (a warning) and rows invalid in the declared encoding
    (rejected as ``invalid_encoding``, taken out of the frame and of other reasons)."""
    warnings: dict[str, int] = {}
    examples: dict[str, list[int]] = {}
    fallback = _rows_of(text.fallback_lines, split.record_rows, header)
    if len(fallback):
        key = f"decoded_as_{FALLBACK}"
        warnings[key] = len(fallback)
        examples[key] = fallback[:5].tolist()
    invalid = _rows_of(text.invalid_lines, split.record_rows, header)
    if len(invalid):
        bad = invalid.tolist()
        split.frame = split.frame.filter(~pl.col(ROW).is_in(bad))
        drop = set(bad)
        for k in list(split.rejected):
            split.rejected[k] = [r for r in split.rejected[k] if r not in drop]
            if not split.rejected[k]:
                del split.rejected[k]
        split.rejected["invalid_encoding"] = bad
    return warnings, examples


def _rows_of(lines: Ints, record_rows: Ints, header: _Header) -> Ints:
    """The rows (record start lines) holding the given 0-based lines, header lines excluded."""
    lines = lines[lines >= header.line]
    if not len(lines) or not len(record_rows):
        return np.zeros(0, np.int64)
    i = np.searchsorted(record_rows, lines + 1, side="right") - 1
    return np.unique(record_rows[i[i >= 0]])
