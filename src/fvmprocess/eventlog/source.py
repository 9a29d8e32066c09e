"""Input files: naming a source, opening (gzip-transparent), reading bytes, decoding text.

Internal: used by the CSV, XES and Parquet readers and by :class:`ActivityMapping`.
"""

from __future__ import annotations

import codecs
import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fvmprocess.errors import LogError
from fvmprocess.eventlog.options import ReadLimits

__all__ = [
    "FileFormat",
    "Text",
    "decode",
    "detect_format",
    "open_binary",
    "read_bytes",
    "source_name",
]

#: The file formats a path can hold.
FileFormat = Literal["csv", "xes", "parquet"]


@dataclass(frozen=True)
class Text:
    """Decoded file content and the encoding it was decoded with."""

    text: str
    encoding: str


def source_name(source: object) -> str:
    """The name of ``source`` for messages: its path, or ``<module.Type>`` for a frame."""
    if isinstance(source, str | Path):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]}.{type(source).__name__}>"


def open_binary(path: Path) -> io.BufferedIOBase:
    """Open ``path`` for reading bytes, decompressing gzip transparently."""
    with path.open("rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return path.open("rb")


def detect_format(path: Path) -> FileFormat:
    """The format of ``path``, from its suffix (``.gz`` ignored) or else its first bytes."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".xes", ".xml")):
        return "xes"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".txt", ".tsv", ".tab")):
        return "csv"
    with open_binary(path) as f:
        head = f.read(512)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "xes"
    return "csv"


def read_bytes(path: Path, limits: ReadLimits) -> bytes:
    """The (decompressed) bytes of ``path``.

    Raises:
        LogError: the file cannot be read or is larger than ``limits.max_bytes``.
    """
    src = str(path)
    try:
        with open_binary(path) as f:
            if limits.max_bytes is None:
                return f.read()
            data = f.read(limits.max_bytes + 1)
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise LogError(f"cannot read the file: {e}", source=src) from e
    if len(data) > limits.max_bytes:
        raise LogError(f"larger than max_bytes={limits.max_bytes} after decompression", source=src)
    return data


def decode(data: bytes, src: str) -> Text:
    """Decode text: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252, else Latin-1.

    Raises:
        LogError: the data holds a NUL byte (binary, not text).
    """
    if data.startswith(codecs.BOM_UTF8):
        return Text(data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Text(data.decode("utf-16"), "utf-16")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise LogError(
            "binary data (NUL byte): expected a text CSV file", source=src, place=f"line {line}"
        )
    for encoding in ("utf-8", "cp1252"):
        try:
            return Text(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            pass
    return Text(data.decode("latin-1"), "latin-1")
