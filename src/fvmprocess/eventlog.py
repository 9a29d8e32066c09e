"""Event logs: reading unit logs, mapping activities, and accounting for every input row.

An :class:`EventLog` holds the events of one or more care units as a polars DataFrame with the
columns ``case`` (str), ``activity`` (str, after mapping), ``timestamp`` (``Datetime("us", "UTC")``),
``original_activity`` (str), ``row`` (int, the 1-based place of the event in the input) and, when the
source has them, ``unit``, ``resource``, ``start_timestamp`` and ``lifecycle``. Other input columns
are kept after those (renamed ``attr:<name>`` if they clash with a standard name). Events are
sorted stably by case, timestamp and row.

Row numbers:
    * CSV: the physical line number where the record starts (the header is line 1, so the first
      data row is line 2, as in a text editor or a spreadsheet). Blank lines are skipped and not
      counted.
    * XES: the source line of the ``<event>`` element.
    * Parquet and DataFrames: the 1-based row index.

Row accounting:
    Every input row is either used or rejected with exactly one reason, checked in this order:

    ``malformed_row``
        a CSV record whose field count differs from the header.
    ``missing_case`` / ``missing_activity`` / ``missing_timestamp``
        the cell is empty (or only whitespace / null).
    ``unparseable_timestamp``
        the timestamp matches none of the accepted formats.
    ``nonexistent_local_time``
        a naive local time inside the spring-forward gap (e.g. 2024-03-31 02:30 in Stockholm).
    ``ignored_activity``
        the activity is on the :class:`ActivityMapping` ignore list (original or mapped name).
    ``duplicate_event``
        same case, (mapped) activity, timestamp and every other mapped column (unit, resource,
        start timestamp, lifecycle) as an earlier row; the first row is kept.
    ``lifecycle_not_complete``
        a lifecycle column is present and the event is not ``complete``. A ``start`` event
        directly followed (same case and activity, by time) by a ``complete`` event is merged into
        that event's ``start_timestamp`` and counted as *used*; the count of such merged rows is in
        ``accounting.warnings["lifecycle_start_merged"]``, so
        ``len(log) == rows_used - warnings.get("lifecycle_start_merged", 0)``.

    ``accounting.rows_read == rows_used + rows_rejected`` always holds.

Timestamp rules:
    * Accepted: ISO 8601 (``2024-03-05T14:30:00``, with fractions, ``Z`` or ``+01:00``), and the
      Swedish/European forms ``2024-03-05 14:30``, ``2024-03-05 14.30``, ``2024/03/05 14:30``,
      ``20240305 1430``, ``20240305143000``, ``5.3.2024 14:30``, ``05-03-2024 14:30`` (day first)
      and ``05/03/2024 14:30``. Slash dates are read day-first unless ``dayfirst=False``; with
      ``dayfirst=None`` the order is inferred from the column (a first part above 12 means
      day-first, a second part above 12 month-first) and, when undecidable, day-first is assumed
      and counted in ``warnings["assumed_dayfirst"]``. Date-only values mean midnight.
    * Naive timestamps are local time in ``timezone`` (default ``Europe/Stockholm``). A time in the
      spring gap is rejected (``nonexistent_local_time``); a time in the autumn overlap (e.g.
      2024-10-27 02:30) is read with the *earlier* offset (summer time, +02:00) and counted in
      ``warnings["ambiguous_local_time"]``.
    * Zone-aware timestamps keep their instant. Everything is stored in UTC with microseconds.
    * A log with no timestamp attribute at all (an XES file without ``time:timestamp``, like some
      benchmark logs) is read in file order: ``timestamp`` is null, events keep their order within
      the case, and ``warnings["no_timestamps"]`` counts the rows. Tabular sources must name a
      timestamp column.
    * An XES trace without ``concept:name`` gets the case id ``trace-<n>`` (its 1-based position
      in the file), counted in ``warnings["generated_case_id"]``.

Case ids may be personnummer: error messages name rows and columns, never cell values.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from fvmprocess.errors import LogError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Accounting",
    "ActivityMapping",
    "EventLog",
    "LogSchema",
    "ReadLimits",
    "read_log",
]

#: Rejection reasons, in the order they are checked.
REASONS: tuple[str, ...] = (
    "malformed_row",
    "missing_case",
    "missing_activity",
    "missing_timestamp",
    "unparseable_timestamp",
    "nonexistent_local_time",
    "ignored_activity",
    "duplicate_event",
    "lifecycle_not_complete",
)

_ROW = "__fvm_row__"
_REJ = "__fvm_reject__"
_STANDARD_COLUMNS = (
    "case",
    "activity",
    "timestamp",
    "unit",
    "resource",
    "start_timestamp",
    "lifecycle",
    "original_activity",
    "row",
)
_UTC = pl.Datetime("us", "UTC")
_MAX_EXAMPLES = 5

# --------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------

_CANDIDATES: dict[str, tuple[str, ...]] = {
    "case": (
        "case:concept:name",
        "case_id",
        "caseid",
        "case id",
        "case",
        "ärende",
        "ärende_id",
        "ärendeid",
        "ärendenummer",
        "vårdkontakt",
        "vårdkontakt_id",
        "vårdkontaktid",
        "kontakt_id",
    ),
    "activity": (
        "concept:name",
        "activity",
        "activity_name",
        "aktivitet",
        "aktivitetskod",
        "händelse",
        "event",
    ),
    "timestamp": (
        "time:timestamp",
        "timestamp",
        "tidpunkt",
        "time",
        "datetime",
        "tid",
        "datum_tid",
        "complete_timestamp",
        "end_timestamp",
        "end_time",
        "sluttid",
    ),
    "unit": (
        "unit",
        "enhet",
        "vårdenhet",
        "case:unit",
        "case:enhet",
        "org:unit",
        "org:group",
        "unit_id",
        "enhet_id",
    ),
    "resource": ("org:resource", "resource", "resurs", "user", "användare", "utförare"),
    "start_timestamp": (
        "start_timestamp",
        "start_time",
        "starttid",
        "start:timestamp",
        "time:start",
    ),
    "lifecycle": ("lifecycle:transition", "lifecycle", "livscykel", "transition"),
}
_REQUIRED = ("case", "activity", "timestamp")
_OPTIONAL = ("unit", "resource", "start_timestamp", "lifecycle")


@dataclass(frozen=True)
class LogSchema:
    """Which input columns hold the case, activity, timestamp and optional attributes.

    Fields left ``None`` are auto-detected (case-insensitively) from pm4py/XES names
    (``case:concept:name``, ``concept:name``, ``time:timestamp``, ``org:resource``,
    ``lifecycle:transition``, ``org:group``) and common English and Swedish ones (``case_id``,
    ``ärende``, ``vårdkontakt``, ``aktivitet``, ``tidpunkt``, ``enhet``, ...).

    Attributes:
        case: column with the case id.
        activity: column with the activity name or code.
        timestamp: column with the (completion) time of the event.
        unit: column with the care unit, optional.
        resource: column with the resource (person, role), optional.
        start_timestamp: column with the start time of the event, optional.
        lifecycle: column with the XES lifecycle transition, optional.
        detect: auto-detect the optional columns that are left ``None``; set ``False`` to use
            only the optional columns named here.

    Example:
        >>> LogSchema(case="ärende", activity="aktivitet", timestamp="tidpunkt").case
        'ärende'
    """

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    unit: str | None = None
    resource: str | None = None
    start_timestamp: str | None = None
    lifecycle: str | None = None
    detect: bool = True

    @classmethod
    def pm4py(cls) -> LogSchema:
        """The pm4py / XES column names."""
        return cls(
            case="case:concept:name",
            activity="concept:name",
            timestamp="time:timestamp",
            resource="org:resource",
            lifecycle="lifecycle:transition",
            detect=False,
        )

    def resolve(
        self, columns: Sequence[str], *, source: str, allow_no_timestamp: bool = False
    ) -> LogSchema:
        """Return a schema whose fields name columns that exist in ``columns``.

        Args:
            columns: the column names of the input.
            source: the input's name, for error messages.
            allow_no_timestamp: accept a source with no timestamp column (XES only).

        Returns:
            A schema with the required fields set (``timestamp`` may stay ``None`` when allowed).

        Raises:
            LogError: a named column is missing or a required column cannot be found.
        """
        lowered = {c.strip().lower(): c for c in reversed(list(columns))}
        found: dict[str, str | None] = {}
        for name in (*_REQUIRED, *_OPTIONAL):
            given: str | None = getattr(self, name)
            if given is not None:
                if given in columns:
                    found[name] = given
                elif given.strip().lower() in lowered:
                    found[name] = lowered[given.strip().lower()]
                else:
                    raise LogError(
                        f"the {name} column {given!r} is not in the input; "
                        f"found columns {_preview(columns)}",
                        source=source,
                        place="header",
                    )
            elif name in _REQUIRED or self.detect:
                found[name] = next((lowered[c] for c in _CANDIDATES[name] if c in lowered), None)
            else:
                found[name] = None
        missing = [
            n
            for n in _REQUIRED
            if found[n] is None and not (n == "timestamp" and allow_no_timestamp)
        ]
        if missing:
            expected = "; ".join(f"{n}: one of {', '.join(_CANDIDATES[n][:6])}" for n in missing)
            raise LogError(
                f"missing required column(s) {', '.join(missing)}; found columns "
                f"{_preview(columns)}; expected {expected} "
                "(or name them with LogSchema(case=..., activity=..., timestamp=...))",
                source=source,
                place="header",
            )
        used = [v for v in found.values() if v is not None]
        if len(set(used)) != len(used):
            raise LogError(
                f"one column is used for two roles: {found}", source=source, place="header"
            )
        return replace(self, **found)  # type: ignore[arg-type]

    def columns(self) -> dict[str, str]:
        """The roles that are set, mapped to their column names."""
        return {
            n: getattr(self, n) for n in (*_REQUIRED, *_OPTIONAL) if getattr(self, n) is not None
        }


def _preview(columns: Sequence[str], n: int = 12) -> str:
    shown = ", ".join(repr(c) for c in list(columns)[:n])
    more = f" (+{len(columns) - n} more)" if len(columns) > n else ""
    return f"[{shown}]{more}"


# --------------------------------------------------------------------------------------------
# Activity mapping
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityMapping:
    """Local activity names or codes mapped to standard activity ids, plus an ignore list.

    Several local names may map to one standard id. Activities neither mapped nor ignored are
    kept under their own name and reported in :attr:`EventLog.unmapped_activities`.

    Attributes:
        mapping: local name -> standard activity id.
        ignore: local names whose events are dropped (reason ``ignored_activity``).

    Example:
        >>> m = ActivityMapping.from_dict({"Läkarbesök": "visit", "LB01": "visit"}, ignore=["Fika"])
        >>> m.standard("LB01")
        'visit'
    """

    mapping: Mapping[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()

    @classmethod
    def from_dict(
        cls, mapping: Mapping[str, str], *, ignore: Iterable[str] = ()
    ) -> ActivityMapping:
        """Build a mapping from a dict ``{local: standard}`` and an ignore list."""
        clean = {str(k).strip(): str(v).strip() for k, v in mapping.items()}
        return cls(mapping=clean, ignore=frozenset(str(i).strip() for i in ignore))

    @classmethod
    def load(cls, path: str | Path) -> ActivityMapping:
        """Read a mapping from CSV (``local,standard``; ``,`` or ``;``) or YAML.

        The YAML form is ``{mapping: {local: standard, ...}, ignore: [local, ...]}``. In CSV, a
        row with an empty ``standard`` cell, or a ``standard`` of ``-``, puts ``local`` on the
        ignore list; an optional ``ignore`` column with ``1``/``true``/``ja``/``yes`` does too.

        Args:
            path: a ``.csv``, ``.txt``, ``.yaml`` or ``.yml`` file.

        Returns:
            The mapping.

        Raises:
            LogError: the file is missing or not in one of these forms.
        """
        p = Path(path)
        src = str(p)
        if not p.is_file():
            raise LogError("mapping file does not exist", source=src)
        if p.suffix.lower() in (".yaml", ".yml"):
            return cls._from_yaml(p)
        return cls._from_csv(p)

    @classmethod
    def _from_yaml(cls, p: Path) -> ActivityMapping:
        import yaml

        src = str(p)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise LogError(f"not valid UTF-8 YAML: {e}", source=src) from e
        if not isinstance(data, dict) or not isinstance(data.get("mapping", {}), dict):
            raise LogError(
                "expected a YAML mapping {mapping: {local: standard}, ignore: [local]}",
                source=src,
                place="top level",
            )
        ignore = data.get("ignore") or []
        if not isinstance(ignore, list):
            raise LogError("expected 'ignore' to be a list", source=src, place="ignore")
        return cls.from_dict(data.get("mapping") or {}, ignore=ignore)

    @classmethod
    def _from_csv(cls, p: Path) -> ActivityMapping:
        src = str(p)
        text = _decode(p.read_bytes(), src)[0]
        first = text.splitlines()[0] if text.strip() else ""
        delim = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        header = [h.strip().lower() for h in next(reader, [])]
        if "local" not in header or "standard" not in header:
            raise LogError(
                f"expected columns 'local' and 'standard'; found {header}",
                source=src,
                place="line 1",
            )
        il, isd = header.index("local"), header.index("standard")
        iig = header.index("ignore") if "ignore" in header else None
        mapping: dict[str, str] = {}
        ignore: set[str] = set()
        for rec in reader:
            if not rec or not any(f.strip() for f in rec):
                continue
            if len(rec) < len(header):
                rec = rec + [""] * (len(header) - len(rec))
            local, std = rec[il].strip(), rec[isd].strip()
            if not local:
                raise LogError("empty 'local' cell", source=src, place=f"line {reader.line_num}")
            flagged = iig is not None and rec[iig].strip().lower() in (
                "1",
                "true",
                "ja",
                "yes",
                "x",
            )
            if flagged or std in ("", "-"):
                ignore.add(local)
            else:
                mapping[local] = std
        return cls(mapping=mapping, ignore=frozenset(ignore))

    def standard(self, local: str) -> str:
        """The standard id of ``local`` (itself when unmapped)."""
        return self.mapping.get(local, local)

    def is_ignored(self, local: str) -> bool:
        """Whether events of ``local`` are dropped."""
        return local in self.ignore or self.standard(local) in self.ignore


# --------------------------------------------------------------------------------------------
# Accounting and limits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accounting:
    """What happened to every input row.

    Attributes:
        rows_read: input rows (CSV records, XES events, frame rows).
        rows_used: rows that became events (or were merged into one as its start).
        rows_rejected: rows dropped, each with one reason.
        reasons: reason -> number of rows.
        examples: reason -> the first (lowest) ≤5 row numbers.
        warnings: things that were accepted but worth knowing (counts).
    """

    rows_read: int
    rows_used: int
    rows_rejected: int
    reasons: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_used + self.rows_rejected:
            raise ValueError(
                f"accounting does not add up: {self.rows_read} read != "
                f"{self.rows_used} used + {self.rows_rejected} rejected"
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_rejected": self.rows_rejected,
            "reasons": dict(self.reasons),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "warnings": dict(self.warnings),
        }


@dataclass(frozen=True)
class ReadLimits:
    """Safety limits for reading untrusted files.

    Attributes:
        max_rows: refuse inputs with more rows (events) than this.
        max_bytes: refuse inputs larger than this after decompression.
    """

    max_rows: int | None = None
    max_bytes: int | None = None


# --------------------------------------------------------------------------------------------
# EventLog
# --------------------------------------------------------------------------------------------


class EventLog:
    """Events of care processes, ready for variants, mining and conformance checking.

    Use :func:`read_log` (or :meth:`from_frame`) to build one; the constructor takes an already
    normalised events frame.

    Attributes:
        events: the events (see the module docs for the columns).
        schema: the resolved input schema (names of the input columns).
        source: the input's name (a path, ``"<polars.DataFrame>"``, ...).
        accounting: what happened to every input row.
        unmapped_activities: original activity -> events, for activities the mapping did not
            cover (empty when no mapping was given).
        metadata: facts about the input (format, encoding, delimiter, timezone).
    """

    def __init__(
        self,
        events: pl.DataFrame,
        *,
        schema: LogSchema | None = None,
        source: str = "<events>",
        accounting: Accounting | None = None,
        unmapped_activities: Mapping[str, int] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        missing = [c for c in ("case", "activity", "timestamp", "row") if c not in events.columns]
        if missing:
            raise LogError(f"events frame lacks columns {missing}", source=source)
        self.events = events
        self.schema = schema or LogSchema()
        self.source = source
        self.accounting = accounting or Accounting(events.height, events.height, 0)
        self.unmapped_activities: dict[str, int] = dict(unmapped_activities or {})
        self.metadata: dict[str, Any] = dict(metadata or {})

    @classmethod
    def from_frame(
        cls,
        frame: pl.DataFrame | pd.DataFrame,
        *,
        schema: LogSchema | None = None,
        mapping: ActivityMapping | Mapping[str, str] | None = None,
        strict: bool = False,
        timezone: str = "Europe/Stockholm",
        dayfirst: bool | None = None,
        duplicates: Literal["reject", "keep"] = "reject",
    ) -> EventLog:
        """Build a log from a pandas or polars DataFrame (same rules as :func:`read_log`)."""
        return read_log(
            frame,
            schema=schema,
            mapping=mapping,
            strict=strict,
            timezone=timezone,
            dayfirst=dayfirst,
            duplicates=duplicates,
        )

    def __len__(self) -> int:
        return self.events.height

    def __repr__(self) -> str:
        return f"EventLog({self.source!r}, events={len(self)}, cases={self.cases})"

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

    def to_pandas(self) -> pd.DataFrame:
        """The events as a pandas DataFrame (needs pandas)."""
        return self.events.to_pandas()

    def _case_sequences(self) -> pl.LazyFrame:
        # events are sorted by case, timestamp, row, so the aggregation keeps time order
        return (
            self.events.lazy()
            .group_by("case", maintain_order=True)
            .agg(pl.col("activity").alias("variant"))
            .with_columns(pl.col("variant").list.join("\x1f").alias("_key"))
        )

    def variants(self) -> pl.DataFrame:
        """Distinct activity sequences with their number of cases.

        Returns:
            A DataFrame with ``variant`` (list of activities) and ``cases`` (count), sorted by
            count descending, then variant.

        Example:
            >>> log.variants().row(0)  # doctest: +SKIP
            (['register', 'check', 'decide'], 42)
        """
        return (
            self._case_sequences()
            .group_by("_key")
            .agg(pl.col("variant").first(), pl.len().cast(pl.Int64).alias("cases"))
            .sort(["cases", "_key"], descending=[True, False])
            .select("variant", "cases")
            .collect()
        )

    def case_variants(self) -> pl.DataFrame:
        """Each case with the index of its variant in :meth:`variants` (and its first unit).

        Returns:
            A DataFrame with ``case``, ``variant`` (int index) and, when the log has units,
            ``unit`` (the unit of the case's first event).
        """
        seq = self._case_sequences()
        order = (
            seq.group_by("_key")
            .agg(pl.len().alias("_n"))
            .sort(["_n", "_key"], descending=[True, False])
            .with_row_index("variant")
            .select(pl.col("variant").cast(pl.Int64), "_key")
        )
        out = seq.drop("variant").join(order, on="_key", how="left").select("case", "variant")
        if "unit" in self.events.columns:
            units = (
                self.events.lazy()
                .group_by("case", maintain_order=True)
                .agg(pl.col("unit").drop_nulls().first())
            )
            out = out.join(units, on="case", how="left")
        return out.collect()


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass
class _Raw:
    frame: pl.DataFrame  # input columns + _ROW
    source: str
    malformed: list[int]
    metadata: dict[str, Any]
    is_xes: bool = False
    warnings: dict[str, int] = field(default_factory=dict)
    decimal_comma: bool = False


def read_log(
    source: str | Path | pl.DataFrame | pd.DataFrame,
    *,
    schema: LogSchema | None = None,
    mapping: ActivityMapping | Mapping[str, str] | str | Path | None = None,
    strict: bool = False,
    timezone: str = "Europe/Stockholm",
    dayfirst: bool | None = None,
    limits: ReadLimits | None = None,
    duplicates: Literal["reject", "keep"] = "reject",
) -> EventLog:
    """Read an event log from CSV, XES, Parquet or a DataFrame, accounting for every row.

    Args:
        source: a path to ``.csv``/``.csv.gz``/``.txt``/``.tsv``, ``.xes``/``.xes.gz`` or
            ``.parquet``, or a pandas/polars DataFrame.
        schema: which columns hold what; auto-detected when ``None``.
        mapping: local activity names -> standard ids (a dict, an :class:`ActivityMapping`, or
            the path of a CSV/YAML mapping file).
        strict: raise on the first rejected row instead of accounting for it.
        timezone: the zone of naive timestamps.
        dayfirst: how to read ``dd/mm/yyyy`` vs ``mm/dd/yyyy``; ``None`` infers it.
        limits: refuse inputs beyond these sizes.
        duplicates: ``"reject"`` (default) drops exact repeats of an event with reason
            ``duplicate_event``; ``"keep"`` keeps them, as pm4py does.

    Returns:
        The event log, with :attr:`EventLog.accounting`.

    Raises:
        LogError: the input cannot be read, lacks required columns, or (``strict=True``) a row
            was rejected. The message names the file and the row.

    Example:
        >>> log = read_log("unit_a.csv", mapping={"Läkarbesök": "visit"})  # doctest: +SKIP
        >>> log.accounting.rows_read == log.accounting.rows_used + log.accounting.rows_rejected
        True
    """
    if duplicates not in ("reject", "keep"):
        raise ValueError(f"duplicates must be 'reject' or 'keep', not {duplicates!r}")
    limits = limits or ReadLimits()
    if isinstance(mapping, str | Path):
        mapping = ActivityMapping.load(mapping)
    elif isinstance(mapping, Mapping):
        mapping = ActivityMapping.from_dict(mapping)
    try:
        raw = _load(source, limits)
        return _build(
            raw, schema or LogSchema(), mapping, strict, timezone, dayfirst, duplicates == "keep"
        )
    except LogError:
        raise
    except pl.exceptions.PolarsError as e:  # pragma: no cover - defensive
        raise LogError(f"cannot read the log: {e}", source=_name(source)) from e
    except (OSError, UnicodeError, ValueError, TypeError, csv.Error) as e:
        raise LogError(f"cannot read the log: {e}", source=_name(source)) from e


def _name(source: object) -> str:
    if isinstance(source, str | Path):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]}.{type(source).__name__}>"


def _load(source: object, limits: ReadLimits) -> _Raw:
    if isinstance(source, pl.DataFrame):
        return _from_polars(source, _name(source), "polars", limits)
    if isinstance(source, pl.LazyFrame):
        return _from_polars(source.collect(), _name(source), "polars", limits)
    if type(source).__module__.startswith("pandas"):
        frame = pl.from_pandas(source)  # type: ignore[call-overload]
        return _from_polars(frame, _name(source), "pandas", limits)
    if not isinstance(source, str | Path):
        raise LogError(
            f"expected a path or a pandas/polars DataFrame, got {type(source).__name__}",
            source=_name(source),
        )
    path = Path(source)
    src = str(path)
    if not path.exists():
        raise LogError("file does not exist", source=src)
    if not path.is_file():
        raise LogError("not a file", source=src)
    if limits.max_bytes is not None and path.stat().st_size > limits.max_bytes:
        raise LogError(f"file is larger than max_bytes={limits.max_bytes}", source=src)
    kind = _kind(path)
    if kind == "xes":
        return _read_xes(path, limits)
    if kind == "parquet":
        try:
            frame = pl.read_parquet(path)
        except Exception as e:
            raise LogError(f"not a readable Parquet file: {e}", source=src) from e
        raw = _from_polars(frame, src, "parquet", limits)
        return raw
    return _read_csv(path, limits)


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith(".xes") or name.endswith(".xml"):
        return "xes"
    if name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    if name.endswith((".csv", ".txt", ".tsv", ".tab")):
        return "csv"
    with _open(path) as f:
        head = f.read(512)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "xes"
    return "csv"


def _open(path: Path) -> io.BufferedIOBase:
    with path.open("rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return path.open("rb")


def _check_rows(n: int, limits: ReadLimits, src: str) -> None:
    if limits.max_rows is not None and n > limits.max_rows:
        raise LogError(f"more than max_rows={limits.max_rows} rows", source=src)


def _from_polars(frame: pl.DataFrame, src: str, fmt: str, limits: ReadLimits) -> _Raw:
    _check_rows(frame.height, limits, src)
    if _ROW in frame.columns or _REJ in frame.columns:
        raise LogError(f"reserved column name in input: {_ROW!r}/{_REJ!r}", source=src)
    frame = frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(_ROW))
    return _Raw(frame=frame, source=src, malformed=[], metadata={"format": fmt})


# ---- CSV ------------------------------------------------------------------------------------


def _read_bytes(path: Path, limits: ReadLimits) -> bytes:
    src = str(path)
    try:
        with _open(path) as f:
            if limits.max_bytes is None:
                return f.read()
            data = f.read(limits.max_bytes + 1)
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise LogError(f"cannot read the file: {e}", source=src) from e
    if len(data) > limits.max_bytes:
        raise LogError(f"larger than max_bytes={limits.max_bytes} after decompression", source=src)
    return data


def _decode(data: bytes, src: str) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise LogError(
            "binary data (NUL byte): expected a text CSV file", source=src, place=f"line {line}"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _sniff(text: str, path: Path) -> str:
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


def _read_csv(path: Path, limits: ReadLimits) -> _Raw:
    src = str(path)
    data = _read_bytes(path, limits)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise LogError("empty file: expected a header line and event rows", source=src)
    text, encoding = _decode(data, src)
    delim = _sniff(text, path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        header = next(reader)
        while not any(h.strip() for h in header):
            header = next(reader)
    except StopIteration:
        raise LogError("empty file: expected a header line", source=src) from None
    except csv.Error as e:
        raise LogError(f"unreadable header: {e}", source=src, place="line 1") from e
    header_line = reader.line_num
    names: list[str] = []
    for i, h in enumerate(header):
        h = h.strip() or f"column_{i + 1}"
        base, k = h, 2
        while h in names:
            h, k = f"{base}_{k}", k + 1
        names.append(h)
    n = len(names)
    malformed: list[int]
    if '"' not in text and text.count("\r") == text.count("\r\n"):
        # no quoting: split with polars (same results as csv.reader, much faster)
        frame, malformed = _split_plain(text, delim, names, header_line)
        _check_rows(frame.height + len(malformed), limits, src)
    else:
        rows: list[list[str]] = []
        numbers: list[int] = []
        malformed = []
        prev = header_line
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
                _check_rows(len(rows) + len(malformed), limits, src)
        frame = pl.DataFrame(rows, schema={c: pl.String for c in names}, orient="row").with_columns(
            pl.Series(_ROW, numbers, dtype=pl.Int64)
        )
    return _Raw(
        frame=frame,
        source=src,
        malformed=malformed,
        metadata={
            "format": "csv",
            "encoding": encoding,
            "delimiter": delim,
            "header_line": header_line,
        },
        decimal_comma=delim != ",",
    )


def _split_plain(
    text: str, delim: str, names: list[str], header_line: int
) -> tuple[pl.DataFrame, list[int]]:
    n = len(names)
    f = (
        pl.DataFrame({"l": text.split("\n")})
        .with_row_index(_ROW, offset=1)
        .with_columns(pl.col(_ROW).cast(pl.Int64), pl.col("l").str.strip_suffix("\r"))
        .filter((pl.col(_ROW) > header_line) & (pl.col("l").str.strip_chars() != ""))
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
    malformed = [int(r) for r in f.filter(pl.col("_n") != n)[_ROW].to_list()]
    frame = f.filter(pl.col("_n") == n).select(
        *[pl.col("f").list.get(i).alias(c) for i, c in enumerate(names)], pl.col(_ROW)
    )
    return frame, malformed


# ---- XES ------------------------------------------------------------------------------------


def _local(tag: object) -> str:
    t = str(tag)
    return t.rsplit("}", 1)[-1]


_XES_ATTRS = {"string", "date", "int", "float", "boolean", "id", "list", "container"}


def _read_xes(path: Path, limits: ReadLimits) -> _Raw:
    from lxml import etree

    src = str(path)
    try:
        with _open(path) as f:
            head = f.read(4096)
    except (OSError, EOFError) as e:
        raise LogError(f"cannot read the file: {e}", source=src) from e
    if not head.strip():
        raise LogError("empty file: expected an XES <log>", source=src)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LogError("binary data (NUL byte): expected XES XML", source=src, place="line 1")
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise LogError(
            "XES with a DTD or entities is refused (unsafe XML)", source=src, place="prolog"
        )
    rows: list[dict[str, str | None]] = []
    types: dict[str, set[str]] = {}
    trace_rows: list[dict[str, str | None]] = []
    trace_no = 0
    generated = 0
    try:
        with _open(path) as f:
            ctx = etree.iterparse(
                f,
                events=("end",),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                dtd_validation=False,
                huge_tree=False,
                remove_comments=True,
            )
            root_seen = False
            for _ev, el in ctx:
                tag = _local(el.tag)
                if tag == "event":
                    parent = el.getparent()
                    if parent is None or _local(parent.tag) != "trace":
                        el.clear()
                        continue
                    rec: dict[str, str | None] = {_ROW: str(el.sourceline or 0)}
                    for child in el:
                        ctag = _local(child.tag)
                        key = child.get("key")
                        if (
                            ctag in _XES_ATTRS
                            and key is not None
                            and ctag not in ("list", "container")
                        ):
                            rec[key] = child.get("value")
                            types.setdefault(key, set()).add(ctag)
                    trace_rows.append(rec)
                    if limits.max_rows is not None:
                        _check_rows(len(rows) + len(trace_rows), limits, src)
                    el.clear()
                elif tag == "trace":
                    trace_no += 1
                    attrs: dict[str, str | None] = {}
                    for child in el:
                        ctag = _local(child.tag)
                        key = child.get("key")
                        if (
                            ctag in _XES_ATTRS
                            and key is not None
                            and ctag not in ("list", "container")
                        ):
                            attrs["case:" + key] = child.get("value")
                            types.setdefault("case:" + key, set()).add(ctag)
                    if attrs.get("case:concept:name") in (None, ""):
                        attrs["case:concept:name"] = f"trace-{trace_no}"
                        generated += len(trace_rows) > 0
                    for r in trace_rows:
                        r.update(attrs)
                    rows.extend(trace_rows)
                    trace_rows = []
                    el.clear()
                    while el.getprevious() is not None:
                        parent = el.getparent()
                        if parent is None:
                            break
                        del parent[0]
                elif tag == "log":
                    root_seen = True
    except etree.XMLSyntaxError as e:
        raise LogError(f"not well-formed XML: {e.msg}", source=src, place=f"line {e.lineno}") from e
    except (OSError, EOFError) as e:
        raise LogError(f"cannot read the file: {e}", source=src) from e
    if not root_seen:
        raise LogError("expected an XES <log> root element", source=src, place="line 1")
    seen: dict[str, None] = {"case:concept:name": None}
    for k in types:
        seen.setdefault(k, None)
    keys = [k for k in seen if k != _ROW]
    cols: dict[str, pl.Series] = {}
    for k in keys:
        s = pl.Series(k, [r.get(k) for r in rows], dtype=pl.String)
        t = types.get(k, {"string"})
        if t == {"int"}:
            s = s.cast(pl.Int64, strict=False)
        elif t == {"float"}:
            s = s.cast(pl.Float64, strict=False)
        elif t == {"boolean"}:
            s = s.str.to_lowercase().replace_strict(
                {"true": True, "false": False}, default=None, return_dtype=pl.Boolean
            )
        cols[k] = s
    cols[_ROW] = pl.Series(_ROW, [int(r[_ROW] or 0) for r in rows], dtype=pl.Int64)
    frame = pl.DataFrame(list(cols.values()))
    warnings = {"generated_case_id": generated} if generated else {}
    return _Raw(
        frame=frame,
        source=src,
        malformed=[],
        metadata={"format": "xes", "traces": trace_no},
        is_xes=True,
        warnings=warnings,
    )


# ---- Normalisation ---------------------------------------------------------------------------

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
_OFFSET_RE = r"(?:[+-]\d{2}:?\d{2}|[+-]\d{2})$"


def _normalise_ts(expr: pl.Expr) -> pl.Expr:
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
    out = pl.Series(s.name, [None] * s.len(), dtype=dtype)
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


@dataclass
class _TsResult:
    utc: pl.Series  # Datetime(us, UTC)
    reason: pl.Series  # String, null where fine
    warnings: dict[str, int]


def _parse_timestamps(col: pl.Series, timezone: str, dayfirst: bool | None) -> _TsResult:
    n = col.len()
    warnings: dict[str, int] = {}
    dt = col.dtype
    utc_aware: pl.Series | None = None
    if isinstance(dt, pl.Datetime):
        if dt.time_zone is not None:
            utc = col.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
            reason = pl.select(
                pl.when(col.is_null()).then(pl.lit("missing_timestamp")).otherwise(None)
            ).to_series()
            return _TsResult(utc, reason, warnings)
        naive = col.dt.cast_time_unit("us")
        missing = naive.is_null()
        unparsed = pl.Series([False] * n)
    elif isinstance(dt, pl.Date):
        naive = col.cast(pl.Datetime("us"))
        missing = naive.is_null()
        unparsed = pl.Series([False] * n)
    else:
        s = col.cast(pl.String)
        norm = pl.select(_normalise_ts(pl.lit(s))).to_series()
        missing = norm.is_null()
        aware_mask = norm.str.contains(_OFFSET_RE).fill_null(False) & norm.str.contains(":")
        aware = _parse_strings(
            pl.select(pl.when(aware_mask).then(pl.lit(norm))).to_series(), _AWARE, _UTC
        )
        naive_src = pl.select(pl.when(~aware_mask).then(pl.lit(norm))).to_series()
        formats = list(_ISO_NAIVE)
        slash = naive_src.str.extract_groups(r"^(\d{1,2})/(\d{1,2})/\d{4}")
        first = slash.struct.field("1").cast(pl.Int32, strict=False)
        second = slash.struct.field("2").cast(pl.Int32, strict=False)
        n_slash = int(first.is_not_null().sum())
        if n_slash:
            order = dayfirst
            if order is None:
                day = bool((first > 12).any())
                month = bool((second > 12).any())
                if month and not day:
                    order = False
                else:
                    order = True
                    if not day:
                        warnings["assumed_dayfirst"] = n_slash
            formats += list(_SLASH_DAY if order else _SLASH_MONTH)
        naive = _parse_strings(naive_src, formats, pl.Datetime("us"))
        unparsed = (~missing) & aware.is_null() & naive.is_null()
        if bool(aware_mask.any()):
            utc_aware = aware
    # localise naive values
    local = naive.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
    strict_local = naive.dt.replace_time_zone(timezone, ambiguous="null", non_existent="null")
    nonexistent = naive.is_not_null() & local.is_null()
    ambiguous = local.is_not_null() & strict_local.is_null()
    n_amb = int(ambiguous.sum())
    if n_amb:
        warnings["ambiguous_local_time"] = n_amb
    utc = local.dt.convert_time_zone("UTC")
    if utc_aware is not None:
        utc = pl.select(pl.coalesce(pl.lit(utc), pl.lit(utc_aware))).to_series()
    reason = pl.select(
        pl.when(pl.lit(missing))
        .then(pl.lit("missing_timestamp"))
        .when(pl.lit(unparsed))
        .then(pl.lit("unparseable_timestamp"))
        .when(pl.lit(nonexistent))
        .then(pl.lit("nonexistent_local_time"))
        .otherwise(None)
    ).to_series()
    return _TsResult(utc.alias("timestamp"), reason, warnings)


def _text(expr: pl.Expr) -> pl.Expr:
    e = expr.cast(pl.String).str.strip_chars()
    return pl.when(e == "").then(None).otherwise(e)


_INT_RE = r"^[+-]?(?:0|[1-9]\d*)$"
_DEC_DOT_RE = r"^[+-]?\d+\.\d+$"
_DEC_COMMA_RE = r"^[+-]?\d+,\d+$"


def _convert_numeric(
    frame: pl.DataFrame, columns: Iterable[str], decimal_comma: bool
) -> pl.DataFrame:
    exprs: list[pl.Expr] = []
    for c in columns:
        s = frame[c]
        if s.dtype != pl.String:
            continue
        vals = s.str.strip_chars().drop_nulls().filter(s.str.strip_chars().drop_nulls() != "")
        if vals.len() == 0:
            continue
        if bool(vals.str.contains(_INT_RE).all()):
            exprs.append(_text(pl.col(c)).cast(pl.Int64, strict=False).alias(c))
        elif bool((vals.str.contains(_INT_RE) | vals.str.contains(_DEC_DOT_RE)).all()):
            exprs.append(_text(pl.col(c)).cast(pl.Float64, strict=False).alias(c))
        elif decimal_comma and bool(
            (vals.str.contains(_INT_RE) | vals.str.contains(_DEC_COMMA_RE)).all()
        ):
            exprs.append(
                _text(pl.col(c))
                .str.replace(",", ".", literal=True)
                .cast(pl.Float64, strict=False)
                .alias(c)
            )
    return frame.with_columns(exprs) if exprs else frame


def _mark(reason: str, cond: pl.Expr) -> pl.Expr:
    return (
        pl.when(pl.col(_REJ).is_null() & cond)
        .then(pl.lit(reason))
        .otherwise(pl.col(_REJ))
        .alias(_REJ)
    )


def _duplicate_mask(work: pl.DataFrame, key: list[str]) -> pl.Series:
    """True for a live row equal on ``key`` to an earlier live row (rows are in input order).

    Exact, and light on memory at 10 M rows: rows are first grouped by a 64-bit hash of the
    key; only rows whose hash occurs more than once are compared on the full key.
    """
    alive = pl.col(_REJ).is_null()
    h = work.select(pl.when(alive).then(pl.struct(key).hash(seed=0)).alias("_h"))["_h"]
    suspects = h.is_duplicated() & h.is_not_null()
    mask = pl.repeat(False, work.height, dtype=pl.Boolean, eager=True).alias("_dup")
    if not suspects.any():
        return mask
    idx = suspects.arg_true()
    sub = work[idx].select(key)
    dup_in_sub = ~sub.select(pl.struct(key).is_first_distinct()).to_series()
    return mask.scatter(idx.filter(dup_in_sub), True)


def _build(
    raw: _Raw,
    schema: LogSchema,
    mapping: ActivityMapping | None,
    strict: bool,
    timezone: str,
    dayfirst: bool | None,
    keep_duplicates: bool = False,
) -> EventLog:
    src = raw.source
    input_columns = [c for c in raw.frame.columns if c != _ROW]
    if raw.frame.height == 0 and not raw.malformed and not input_columns:
        raise LogError("empty input: no columns and no rows", source=src)
    resolved = schema.resolve(input_columns, source=src, allow_no_timestamp=raw.is_xes)
    roles = resolved.columns()
    warnings = dict(raw.warnings)
    f = raw.frame
    extras = [c for c in input_columns if c not in roles.values()]
    if raw.metadata.get("format") == "csv":
        f = _convert_numeric(f, extras, raw.decimal_comma)

    cols: list[pl.Expr] = [
        pl.col(_ROW),
        _text(pl.col(roles["case"])).alias("case"),
        _text(pl.col(roles["activity"])).alias("original_activity"),
    ]
    for opt in ("unit", "resource"):
        if opt in roles:
            cols.append(_text(pl.col(roles[opt])).alias(opt))
    if "lifecycle" in roles:
        cols.append(_text(pl.col(roles["lifecycle"])).str.to_lowercase().alias("lifecycle"))
    extra_names = {c: (f"attr:{c}" if c in _STANDARD_COLUMNS else c) for c in extras}
    cols += [pl.col(c).alias(a) for c, a in extra_names.items()]
    work = f.select(cols).with_columns(pl.lit(None, dtype=pl.String).alias(_REJ))

    no_timestamps = "timestamp" not in roles
    if no_timestamps:
        work = work.with_columns(pl.lit(None, dtype=_UTC).alias("timestamp"))
        ts_reason = pl.lit(None, dtype=pl.String)
        if work.height:
            warnings["no_timestamps"] = work.height
    else:
        tsr = _parse_timestamps(f[roles["timestamp"]], timezone, dayfirst)
        work = work.with_columns(tsr.utc.alias("timestamp"))
        ts_reason = pl.lit(tsr.reason)
        for k, v in tsr.warnings.items():
            warnings[k] = warnings.get(k, 0) + v
    if "start_timestamp" in roles:
        st = _parse_timestamps(f[roles["start_timestamp"]], timezone, dayfirst)
        work = work.with_columns(st.utc.alias("start_timestamp"))
        bad = int(st.reason.is_in(["unparseable_timestamp", "nonexistent_local_time"]).sum())
        if bad:
            warnings["unparseable_start_timestamp"] = bad

    work = work.with_columns(_mark("missing_case", pl.col("case").is_null()))
    work = work.with_columns(_mark("missing_activity", pl.col("original_activity").is_null()))
    work = work.with_columns(
        pl.when(pl.col(_REJ).is_null()).then(ts_reason).otherwise(pl.col(_REJ)).alias(_REJ)
    )

    # mapping
    unmapped: dict[str, int] = {}
    if mapping is not None and (mapping.mapping or mapping.ignore):
        work = work.with_columns(
            pl.col("original_activity").replace(dict(mapping.mapping)).alias("activity")
        )
        ignore = list(mapping.ignore)
        work = work.with_columns(
            _mark(
                "ignored_activity",
                pl.col("original_activity").is_in(ignore) | pl.col("activity").is_in(ignore),
            )
        )
    else:
        work = work.with_columns(pl.col("original_activity").alias("activity"))

    # duplicates among the rows still in play
    key = ["case", "activity", "timestamp"] + [
        c for c in ("unit", "resource", "start_timestamp", "lifecycle") if c in work.columns
    ]
    alive = pl.col(_REJ).is_null()
    # rows are in input order, so the first of equal rows is the one kept; the alive flag is
    # part of the key so a rejected row never hides a live one. One mask, no copies.
    # Without timestamps, repeated activities in a case are real repetitions, not duplicates.
    if not no_timestamps and not keep_duplicates:
        work = work.with_columns(_mark("duplicate_event", pl.lit(_duplicate_mask(work, [*key]))))

    # lifecycle
    merged = 0
    if "lifecycle" in work.columns:
        pair = "start_timestamp" not in work.columns
        if pair:
            work = work.with_columns(pl.lit(None, dtype=_UTC).alias("start_timestamp"))
        lc = pl.col("lifecycle")
        if pair:
            cand = (
                work.filter(alive & lc.is_in(["start", "complete"]))
                .with_columns((lc == "complete").cast(pl.Int8).alias("_o"))
                .sort(["case", "activity", "timestamp", "_o", _ROW], nulls_last=True)
                .with_columns(
                    lc.shift(-1).over(["case", "activity"]).alias("_next"),
                    lc.shift(1).over(["case", "activity"]).alias("_prev"),
                    pl.col("timestamp").shift(1).over(["case", "activity"]).alias("_prev_ts"),
                )
            )
            starts = cand.filter((lc == "start") & (pl.col("_next") == "complete"))
            completes = cand.filter((lc == "complete") & (pl.col("_prev") == "start")).select(
                _ROW, pl.col("_prev_ts").alias("_st")
            )
            merged = starts.height
            if merged:
                work = (
                    work.join(completes, on=_ROW, how="left")
                    .with_columns(
                        pl.coalesce(pl.col("_st"), pl.col("start_timestamp")).alias(
                            "start_timestamp"
                        )
                    )
                    .drop("_st")
                )
                start_rows = starts.select(_ROW).to_series().implode()
                work = work.with_columns(
                    pl.when(pl.col(_ROW).is_in(start_rows))
                    .then(pl.lit("__merged__"))
                    .otherwise(pl.col(_REJ))
                    .alias(_REJ)
                )
                warnings["lifecycle_start_merged"] = merged
        work = work.with_columns(_mark("lifecycle_not_complete", lc.is_null() | (lc != "complete")))

    # accounting
    rejected = work.filter(pl.col(_REJ).is_not_null() & (pl.col(_REJ) != "__merged__"))
    rej_frame = rejected.select(pl.col(_REJ), pl.col(_ROW))
    if raw.malformed:
        rej_frame = pl.concat(
            [
                rej_frame,
                pl.DataFrame(
                    {_REJ: ["malformed_row"] * len(raw.malformed), _ROW: raw.malformed},
                    schema={_REJ: pl.String, _ROW: pl.Int64},
                ),
            ]
        )
    summary = (
        rej_frame.sort(_ROW)
        .group_by(_REJ, maintain_order=True)
        .agg(pl.len().alias("n"), pl.col(_ROW).head(_MAX_EXAMPLES).alias("ex"))
    )
    counts = {r: int(n) for r, n in zip(summary[_REJ], summary["n"], strict=True)}
    examples = {r: list(ex) for r, ex in zip(summary[_REJ], summary["ex"], strict=True)}
    order = {r: i for i, r in enumerate(REASONS)}
    reasons = dict(sorted(counts.items(), key=lambda kv: order.get(kv[0], 99)))
    examples = {r: examples[r] for r in reasons}
    rows_read = work.height + len(raw.malformed)
    rows_rejected = sum(reasons.values())
    accounting = Accounting(
        rows_read=rows_read,
        rows_used=rows_read - rows_rejected,
        rows_rejected=rows_rejected,
        reasons=reasons,
        examples=examples,
        warnings=dict(sorted(warnings.items())),
    )
    if strict and rows_rejected:
        first = rej_frame.sort(_ROW).row(0)
        reason, row = first[0], first[1]
        place = "line" if raw.metadata.get("format") in ("csv", "xes") else "row"
        column = {
            "missing_case": roles.get("case"),
            "missing_activity": roles.get("activity"),
            "missing_timestamp": roles.get("timestamp"),
            "unparseable_timestamp": roles.get("timestamp"),
            "nonexistent_local_time": roles.get("timestamp"),
        }.get(reason)
        detail = f" (column {column!r})" if column else ""
        raise LogError(
            f"row rejected: {reason}{detail}; {rows_rejected} row(s) rejected in all "
            f"({', '.join(f'{k}: {v}' for k, v in reasons.items())})",
            source=src,
            place=f"{place} {row}",
        )

    # the input frame is no longer needed: let it go before the final sort (peak memory)
    raw.frame = raw.frame.clear()
    del f
    live = pl.col(_REJ).is_null()
    if mapping is not None and mapping.mapping:
        known = set(mapping.mapping) | set(mapping.mapping.values())
        um = (
            work.lazy()
            .filter(live & ~pl.col("original_activity").is_in(list(known)))
            .group_by("original_activity")
            .agg(pl.len().alias("n"))
            .sort(["n", "original_activity"], descending=[True, False])
            .collect()
        )
        unmapped = {str(a): int(n) for a, n in um.iter_rows()}
    head = ["case", "activity", "timestamp"] + [
        c for c in ("unit", "resource", "start_timestamp", "lifecycle") if c in work.columns
    ]
    # sort only the keys, then gather the live rows once: one copy of the events at a time
    positions = (
        work.lazy()
        .select("case", "timestamp", _ROW, live.alias("_live"))
        .with_row_index("_pos")
        .filter(pl.col("_live"))
        .sort(["case", "timestamp", _ROW], nulls_last=False, maintain_order=True)
        .select("_pos")
        .collect()["_pos"]
    )
    events = (
        work.select(*head, "original_activity", _ROW, *extra_names.values())
        .rename({_ROW: "row"})
        .select(pl.all().gather(positions))
    )
    del work, positions
    metadata = dict(raw.metadata)
    metadata["timezone"] = timezone
    return EventLog(
        events,
        schema=resolved,
        source=src,
        accounting=accounting,
        unmapped_activities=unmapped,
        metadata=metadata,
    )
