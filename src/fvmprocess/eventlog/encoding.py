"""Text encodings of a CSV export, line by line: UTF-8 by default, a fallback only where needed.

A file is turned into UTF-8 bytes with the same physical lines, so line numbers found later are
the input's. With no declared encoding: a UTF-8 BOM is dropped, a UTF-16 BOM means UTF-16, and
everything else is UTF-8 — except the lines that are not valid UTF-8, which alone are decoded as
cp1252 (the Windows export encoding; its five undefined bytes read as the C1 controls, as
browsers do) and reported by line. A file in which no line is non-ASCII UTF-8 but some are
invalid is a cp1252 file: it is decoded whole, and its non-UTF-8 lines are reported the same way.
A declared encoding is used for every line; lines invalid in it are reported for rejection.

Internal: used by :mod:`fvmprocess.eventlog.csv`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from fvmprocess.errors import LogError

__all__ = ["FALLBACK", "Utf8Text", "line_starts", "to_utf8"]

#: The encoding of lines that are not valid UTF-8 (when no encoding is declared).
FALLBACK = "cp1252"
_C1 = "fvmprocess.cp1252-c1"
_CHUNK = 1 << 24

Lines = npt.NDArray[np.int64]


def _c1(err: UnicodeError) -> tuple[str, int]:
    """Error handler: an undefined cp1252 byte is the C1 control of the same number."""
    if not isinstance(err, UnicodeDecodeError):  # pragma: no cover - registered for decoding
        raise err
    return "".join(chr(b) for b in err.object[err.start : err.end]), err.end


codecs.register_error(_C1, _c1)


@dataclass(frozen=True)
class Utf8Text:
    """A file as UTF-8 bytes with its original physical lines.

    Attributes:
        data: the UTF-8 bytes (BOM removed).
        encoding: what the file was read as (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252`` or
            the declared encoding's name).
        fallback_lines: 0-based lines that were not valid UTF-8 and were decoded as cp1252.
        invalid_lines: 0-based lines not valid in the declared encoding (decoded with
            replacement characters; to be rejected).
    """

    data: bytes
    encoding: str
    fallback_lines: Lines = field(default_factory=lambda: np.zeros(0, np.int64))
    invalid_lines: Lines = field(default_factory=lambda: np.zeros(0, np.int64))


def line_starts(data: bytes) -> Lines:
    """The byte offset where each physical line starts (lines end at ``\\n``)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    parts = [np.zeros(1, np.int64)]
    for i in range(0, len(arr), _CHUNK):
        parts.append(np.flatnonzero(arr[i : i + _CHUNK] == 10).astype(np.int64) + (i + 1))
    starts = np.concatenate(parts)
    return starts[:-1] if len(starts) > 1 and starts[-1] == len(data) else starts


def to_utf8(data: bytes, *, encoding: str | None, src: str) -> Utf8Text:
    """``data`` as UTF-8 with the same lines, decoded as described in the module docs.

    Raises:
        LogError: an unknown declared encoding, or UTF-16 that does not decode.
    """
    if encoding is not None:
        return _declared(data, encoding, src)
    if data.startswith(codecs.BOM_UTF8):
        return _utf8_with_fallback(data[len(codecs.BOM_UTF8) :], "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Utf8Text(_whole(data, "utf-16", src), "utf-16")
    return _utf8_with_fallback(data, "utf-8")


def _whole(data: bytes, encoding: str, src: str) -> bytes:
    try:
        return data.decode(encoding).encode("utf-8")
    except UnicodeDecodeError as e:
        raise LogError(
            f"not valid {encoding} (byte {e.start}): {e.reason}", source=src, place="encoding"
        ) from e


def _declared(data: bytes, encoding: str, src: str) -> Utf8Text:
    try:
        name = codecs.lookup(encoding).name
    except LookupError as e:
        raise LogError(f"unknown encoding {encoding!r}", source=src, place="encoding") from e
    if name in ("utf-8", "utf-8-sig"):
        body = data.removeprefix(codecs.BOM_UTF8)
        bad, _ = _utf8_lines(body)
        if not len(bad):
            return Utf8Text(body, name)
        return Utf8Text(_recode_lines(body, bad, "utf-8", "replace"), name, invalid_lines=bad)
    if name.startswith(("utf-16", "utf-32")):
        return Utf8Text(_whole(data, name, src), name)
    try:
        return Utf8Text(data.decode(name).encode("utf-8"), name)
    except UnicodeDecodeError:
        bad = _invalid_lines(data, name)
        return Utf8Text(_recode_lines(data, None, name, "replace"), name, invalid_lines=bad)


def _utf8_with_fallback(data: bytes, name: str) -> Utf8Text:
    bad, other_non_ascii = _utf8_lines(data)
    if not len(bad):
        return Utf8Text(data, name)
    if not other_non_ascii:
        whole = data.decode(FALLBACK, errors=_C1).encode("utf-8")
        return Utf8Text(whole, FALLBACK, fallback_lines=bad)
    return Utf8Text(_recode_lines(data, bad, FALLBACK, _C1), name, fallback_lines=bad)


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8 (checked natively, in slices)."""
    i = 0
    while i < len(data):
        # a slice may cut a character in two: extend it to the next ASCII byte
        end = min(len(data), i + _CHUNK * 4)
        while end < len(data) and data[end] >= 0x80:
            end += 1
        try:
            pl.Series([data[i:end]], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.PolarsError:
            return False
        i = end
    return True


def _lossy_lines(data: bytes) -> pl.Series:
    """Every physical line of ``data``, invalid UTF-8 replaced by U+FFFD."""
    text = data.decode("utf-8", errors="replace")
    return pl.Series([text]).str.split("\n").explode()


def _utf8_lines(data: bytes) -> tuple[Lines, bool]:
    """0-based lines that are not valid UTF-8, and whether any other line is non-ASCII."""
    if _is_utf8(data):
        return np.zeros(0, np.int64), True
    lines = _lossy_lines(data)
    flagged = lines.str.contains("\ufffd", literal=True)
    bad = flagged.arg_true().to_numpy().astype(np.int64)
    if b"\xef\xbf\xbd" in data:  # a real U+FFFD in the file: check those lines' bytes
        starts = np.append(line_starts(data), len(data))
        bad = np.array(
            [i for i in bad.tolist() if not _valid(data[starts[i] : starts[i + 1]])],
            dtype=np.int64,
        )
        flagged = pl.Series(np.isin(np.arange(lines.len()), bad))
    other = lines.filter(~flagged).str.contains(r"[^\x00-\x7F]").any()
    return bad, bool(other)


def _valid(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _invalid_lines(data: bytes, encoding: str) -> Lines:
    """0-based lines of ``data`` that do not decode in ``encoding`` (a Python loop: rare)."""
    starts = np.append(line_starts(data), len(data))
    bad: list[int] = []
    for i in range(len(starts) - 1):
        try:
            data[starts[i] : starts[i + 1]].decode(encoding)
        except UnicodeDecodeError:
            bad.append(i)
    return np.array(bad, dtype=np.int64)


def _recode_lines(data: bytes, lines: Lines | None, encoding: str, errors: str) -> bytes:
    """``data`` with ``lines`` (all when None) re-decoded from ``encoding`` into UTF-8."""
    if lines is None:
        return data.decode(encoding, errors=errors).encode("utf-8")
    starts = np.append(line_starts(data), len(data))
    out: list[bytes] = []
    pos = 0
    for i in lines.tolist():
        a, b = int(starts[i]), int(starts[i + 1])
        out.append(data[pos:a])
        out.append(data[a:b].decode(encoding, errors=errors).encode("utf-8"))
        pos = b
    out.append(data[pos:])
    return b"".join(out)
