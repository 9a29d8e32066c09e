"""How a log is read: one options object with defaults (``ReadOptions``) and size limits.

Internal: the public names are re-exported by :mod:`fvmprocess.eventlog`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Literal, TypedDict, Unpack

from fvmprocess._shared.durations import DEFAULT_TIMEZONE, zone
from fvmprocess.errors import LogError

__all__ = ["DUPLICATE_POLICIES", "Duplicates", "ReadLimits", "ReadOptions", "ReadOverrides"]

#: What to do with an exact repeat of an event (see :attr:`ReadOptions.duplicates`).
Duplicates = Literal["reject", "keep"]
DUPLICATE_POLICIES: tuple[Duplicates, ...] = ("reject", "keep")


@dataclass(frozen=True)
class ReadLimits:
    """Safety limits for reading untrusted files.

    Attributes:
        max_rows: refuse inputs with more rows (events) than this.
        max_bytes: refuse inputs larger than this after decompression.

    Example:
        >>> ReadLimits(max_rows=1_000_000).max_bytes is None
        True
    """

    max_rows: int | None = None
    max_bytes: int | None = None

    def check_rows(self, n: int, *, source: str) -> None:
        """Refuse an input of ``n`` rows if that is beyond :attr:`max_rows`.

        Raises:
            LogError: ``n > max_rows``.
        """
        if self.max_rows is not None and n > self.max_rows:
            raise LogError(f"more than max_rows={self.max_rows} rows", source=source)


class ReadOverrides(TypedDict, total=False):
    """The fields of :class:`ReadOptions`, as keyword arguments of ``read_log``."""

    strict: bool
    timezone: str
    dayfirst: bool | None
    limits: ReadLimits | None
    duplicates: Duplicates
    encoding: str | None


@dataclass(frozen=True)
class ReadOptions:
    """How :func:`~fvmprocess.eventlog.read_log` reads a log; every field has a default.

    Attributes:
        strict: raise on the first rejected row instead of accounting for it.
        timezone: the IANA zone of naive timestamps (also :attr:`EventLog.timezone`).
        dayfirst: how to read ``dd/mm/yyyy`` vs ``mm/dd/yyyy``; ``None`` infers it.
        limits: refuse inputs beyond these sizes.
        duplicates: ``"keep"`` (default) keeps exact repeats of an event, as pm4py does
            (hospital exports with day-resolution times repeat lab tests and administrations
            legitimately), counting them in ``accounting.warnings["duplicate_event"]`` with
            example rows in ``accounting.warning_examples``; ``"reject"`` drops them with
            reason ``duplicate_event``.
        encoding: the text encoding of a CSV file (``"cp1252"``, ``"utf-8"``, ``"utf-16"``, any
            Python codec name), used for every line; lines invalid in it are rejected as
            ``invalid_encoding``. ``None`` (default) reads UTF-8 (a BOM is honoured) and decodes
            only the lines that are not valid UTF-8 as cp1252, counting them in
            ``accounting.warnings["decoded_as_cp1252"]`` with example rows.

    Raises:
        ValueError: an unknown ``duplicates`` policy or time zone.

    Example:
        >>> ReadOptions(timezone="UTC").update(strict=True).strict
        True
    """

    strict: bool = False
    timezone: str = DEFAULT_TIMEZONE
    dayfirst: bool | None = None
    limits: ReadLimits = field(default_factory=ReadLimits)
    duplicates: Duplicates = "keep"
    encoding: str | None = None

    def __post_init__(self) -> None:
        if self.duplicates not in DUPLICATE_POLICIES:
            raise ValueError(f"duplicates must be 'reject' or 'keep', not {self.duplicates!r}")
        zone(self.timezone)
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError as e:
                raise ValueError(f"unknown encoding {self.encoding!r}") from e

    def update(self, **overrides: Unpack[ReadOverrides]) -> ReadOptions:
        """A copy with the given fields replaced (``limits=None`` means no limits).

        Raises:
            TypeError: an unknown field name.
            ValueError: a value :class:`ReadOptions` refuses.
        """
        if not overrides:
            return self
        unknown = sorted(set(overrides) - set(ReadOverrides.__annotations__))
        if unknown:
            raise TypeError(f"unknown read option(s): {', '.join(unknown)}")
        return ReadOptions(
            strict=overrides.get("strict", self.strict),
            timezone=overrides.get("timezone", self.timezone),
            dayfirst=overrides.get("dayfirst", self.dayfirst),
            limits=overrides.get("limits", self.limits) or ReadLimits(),
            duplicates=overrides.get("duplicates", self.duplicates),
            encoding=overrides.get("encoding", self.encoding),
        )
