"""The event log: the events of care units as a polars frame, and ``read_log`` that builds it.

Internal: :class:`EventLog` and :func:`read_log` are re-exported by :mod:`fvmprocess.eventlog`.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

import polars as pl

from fvmprocess._shared.durations import DEFAULT_TIMEZONE, zone
from fvmprocess._shared.optional import import_optional
from fvmprocess.errors import LogError
from fvmprocess.eventlog.accounting import Accounting
from fvmprocess.eventlog.build import BuiltLog, build
from fvmprocess.eventlog.columns import MAX_EXAMPLES
from fvmprocess.eventlog.load import load
from fvmprocess.eventlog.mapping import MappingLike, as_mapping
from fvmprocess.eventlog.options import ReadOptions, ReadOverrides
from fvmprocess.eventlog.raw import SourceInfo
from fvmprocess.eventlog.schema import LogSchema
from fvmprocess.eventlog.source import source_name
from fvmprocess.eventlog.variants import variant_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EventLog", "read_log"]


class EventLog:
    """Events of care processes, ready for variants, mining and conformance checking.

    Use :func:`read_log` (or :meth:`from_frame`) to build one; the constructor takes an already
    normalised events frame.

    Attributes:
        events: the events (see :mod:`fvmprocess.eventlog` for the columns).
        schema: the resolved input schema (names of the input columns).
        source: the input's name (a path, ``"<polars.DataFrame>"``, ...).
        accounting: what happened to every input row.
        unmapped_activities: original activity -> events, for activities the mapping did not
            cover (empty when no mapping was given).
        source_info: facts about the input (format, encoding, delimiter, header line, traces).
        timezone: the IANA zone naive timestamps were read in; local dates and calendar-day
            time limits of this log are taken in it.
    """

    def __init__(
        self,
        events: pl.DataFrame,
        *,
        schema: LogSchema | None = None,
        source: str = "<events>",
        accounting: Accounting | None = None,
        unmapped_activities: Mapping[str, int] | None = None,
        source_info: SourceInfo | None = None,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> None:
        missing = [c for c in ("case", "activity", "timestamp", "row") if c not in events.columns]
        if missing:
            raise LogError(f"events frame lacks columns {missing}", source=source)
        zone(timezone)
        self.events = events
        self.schema = schema or LogSchema()
        self.source = source
        self.accounting = accounting or Accounting(events.height, events.height, 0)
        self.unmapped_activities: dict[str, int] = dict(unmapped_activities or {})
        self.source_info = source_info or SourceInfo(format="polars")
        self.timezone: str = timezone

    @classmethod
    def from_frame(
        cls,
        frame: pl.DataFrame | pd.DataFrame,
        *,
        schema: LogSchema | None = None,
        mapping: MappingLike = None,
        options: ReadOptions | None = None,
        **overrides: Unpack[ReadOverrides],
    ) -> EventLog:
        """Build a log from a pandas or polars DataFrame (same rules as :func:`read_log`)."""
        return read_log(frame, schema=schema, mapping=mapping, options=options, **overrides)

    @classmethod
    def _from_built(cls, built: BuiltLog) -> EventLog:
        return cls(
            built.events,
            schema=built.schema,
            source=built.source,
            accounting=built.accounting,
            unmapped_activities=built.unmapped_activities,
            source_info=built.source_info,
            timezone=built.timezone,
        )

    def __len__(self) -> int:
        return self.events.height

    def __repr__(self) -> str:
        return f"EventLog({self.source!r}, events={len(self)}, cases={self.cases})"

    @property
    def metadata(self) -> dict[str, object]:
        """:attr:`source_info` and :attr:`timezone` as a dict (``log.metadata["encoding"]``).

        Kept for the documented dict access; new code should read the typed attributes.
        """
        info = self.source_info
        facts: dict[str, object | None] = {
            "format": info.format,
            "encoding": info.encoding,
            "delimiter": info.delimiter,
            "header_line": info.header_line,
            "traces": info.traces,
            "timezone": self.timezone,
        }
        return {k: v for k, v in facts.items() if v is not None}

    @property
    def cases(self) -> int:
        """Number of distinct cases."""
        return int(self.events["case"].n_unique()) if self.events.height else 0

    @property
    def activities(self) -> set[str]:
        """The distinct (mapped) activities."""
        return set(self.events["activity"].unique().to_list())

    @property
    def units(self) -> list[str]:
        """The distinct units, sorted (empty when the log has no unit column)."""
        if "unit" not in self.events.columns:
            return []
        return sorted(self.events["unit"].drop_nulls().unique().to_list())

    def filter_activities(self, *, min_cases: int = 0, min_share: float = 0.0) -> EventLog:
        """The log without its infrequent activities, accounted for (e.g. before discovery).

        An activity is kept when it occurs in at least ``min_cases`` cases and in at least
        ``min_share`` of all cases. The events of the others are dropped and counted as
        rejected rows with reason ``infrequent_activity`` (examples: their input rows); a
        ``start`` row merged into a dropped event is counted with it, so the accounting still
        adds up to :attr:`Accounting.rows_read`.

        Args:
            min_cases: the fewest cases an activity must occur in.
            min_share: the smallest share of cases, in ``[0, 1]``.

        Returns:
            A new :class:`EventLog`; this one is unchanged.

        Raises:
            ValueError: ``min_cases < 0`` or ``min_share`` outside ``[0, 1]``.

        Example:
            >>> frequent = log.filter_activities(min_share=0.01)  # doctest: +SKIP
            >>> frequent.accounting.reasons["infrequent_activity"]  # doctest: +SKIP
            312
        """
        if isinstance(min_cases, bool) or not isinstance(min_cases, int) or min_cases < 0:
            raise ValueError(f"min_cases is {min_cases!r}; expected an int >= 0")
        if not 0.0 <= min_share <= 1.0:
            raise ValueError(f"min_share is {min_share!r}; expected a share in [0, 1]")
        need = max(min_cases, math.ceil(min_share * self.cases - 1e-9))
        per = self.events.group_by("activity").agg(pl.col("case").n_unique().alias("_n"))
        rare = per.filter(pl.col("_n") < need)["activity"]
        dropped = self.events.filter(pl.col("activity").is_in(rare.implode()))
        if not dropped.height:
            return self
        return self._without(dropped, "infrequent_activity")

    def _without(self, dropped: pl.DataFrame, reason: str) -> EventLog:
        """This log less the events ``dropped`` (a subset), counted as rejected for ``reason``."""
        rows = dropped.height
        if "lifecycle" in dropped.columns and self.schema.start_timestamp is None:
            rows += int(dropped["start_timestamp"].is_not_null().sum())  # merged start rows
        acc = self.accounting
        examples = sorted(dropped["row"].to_list())[:MAX_EXAMPLES]
        accounting = dataclasses.replace(
            acc,
            rows_used=acc.rows_used - rows,
            rows_rejected=acc.rows_rejected + rows,
            reasons={**acc.reasons, reason: acc.reasons.get(reason, 0) + rows},
            examples={**acc.examples, reason: examples},
        )
        kept = self.events.join(dropped.select("row"), on="row", how="anti", maintain_order="left")
        return EventLog(
            kept,
            schema=self.schema,
            source=self.source,
            accounting=accounting,
            unmapped_activities=self.unmapped_activities,
            source_info=self.source_info,
            timezone=self.timezone,
        )

    def to_pandas(self) -> pd.DataFrame:
        """The events as a pandas DataFrame (needs the ``pandas`` extra).

        Raises:
            ImportError: pandas is not installed.
        """
        import_optional("pandas", extra="pandas", purpose="EventLog.to_pandas()")
        return self.events.to_pandas()

    def variants(self) -> pl.DataFrame:
        """Distinct activity sequences with their number of cases.

        Returns:
            A DataFrame with ``variant`` (list of activities) and ``cases`` (count), sorted by
            count descending, then variant (the order of :func:`variant_table`).

        Example:
            >>> log.variants().row(0)  # doctest: +SKIP
            (['register', 'check', 'decide'], 42)
        """
        table = variant_table(self.events).variants
        return table.select(pl.col("activities").alias("variant"), "cases")

    def case_variants(self) -> pl.DataFrame:
        """Each case with the index of its variant in :meth:`variants` (and its first unit).

        Returns:
            A DataFrame with ``case``, ``variant`` (int index) and, when the log has units,
            ``unit`` (the first non-null unit of the case).
        """
        cases = variant_table(self.events).cases
        unit = ["unit"] if "unit" in self.events.columns else []
        return cases.select("case", "variant", *unit)


def read_log(
    source: str | Path | pl.DataFrame | pl.LazyFrame | pd.DataFrame,
    *,
    schema: LogSchema | None = None,
    mapping: MappingLike = None,
    options: ReadOptions | None = None,
    **overrides: Unpack[ReadOverrides],
) -> EventLog:
    """Read an event log from CSV, XES, Parquet or a DataFrame, accounting for every row.

    Args:
        source: a path to ``.csv``/``.csv.gz``/``.txt``/``.tsv``, ``.xes``/``.xes.gz`` or
            ``.parquet``, or a pandas/polars DataFrame.
        schema: which columns hold what; auto-detected when ``None``.
        mapping: local activity names -> standard ids (a dict, an :class:`ActivityMapping`, or
            the path of a CSV/YAML mapping file).
        options: how to read (:class:`ReadOptions`; its defaults when ``None``).
        **overrides: fields of :class:`ReadOptions` (``strict``, ``timezone``, ``dayfirst``,
            ``limits``, ``duplicates``, ``encoding``) replacing those of ``options``.

    Returns:
        The event log, with :attr:`EventLog.accounting` and :attr:`EventLog.timezone`.

    Raises:
        LogError: the input cannot be read, lacks required columns, or (``strict=True``) a row
            was rejected. The message names the file and the row.
        ValueError: an unknown option value (``duplicates``, ``timezone``).

    Example:
        >>> log = read_log("unit_a.csv", mapping={"Läkarbesök": "visit"})  # doctest: +SKIP
        >>> log.accounting.rows_read == log.accounting.rows_used + log.accounting.rows_rejected  # doctest: +SKIP
        True
    """
    opts = (options or ReadOptions()).update(**overrides)
    try:
        activity_mapping = as_mapping(mapping)  # a bad mapping file fails before the log is read
        built = build(
            load(source, opts.limits, encoding=opts.encoding),
            schema=schema or LogSchema(),
            mapping=activity_mapping,
            options=opts,
        )
    except LogError:
        raise
    except pl.exceptions.PolarsError as e:  # pragma: no cover - defensive
        raise LogError(f"cannot read the log: {e}", source=source_name(source)) from e
    except (OSError, UnicodeError, ValueError, TypeError, csv.Error) as e:
        raise LogError(f"cannot read the log: {e}", source=source_name(source)) from e
    return EventLog._from_built(built)
