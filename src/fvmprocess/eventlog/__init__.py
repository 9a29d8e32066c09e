"""Event logs: reading unit logs, mapping activities, and accounting for every input row.

One concept per module: :mod:`.schema` (which columns), :mod:`.mapping` (local -> standard
activities), :mod:`.options` (``ReadOptions``, ``ReadLimits``), :mod:`.timestamps`, the readers
:mod:`.csv`, :mod:`.xes` and :mod:`.frames` (chosen by :mod:`.load`), :mod:`.build` (the stages
from raw rows to events), :mod:`.accounting`, :mod:`.log` (``EventLog``, ``read_log``) and
:mod:`.variants` (the one variant table). The submodules are internal; the names below are the
package's interface.

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

    ``invalid_encoding``
        a CSV line not valid in the declared ``encoding`` (with no encoding declared, lines that
        are not UTF-8 are decoded as cp1252 instead and counted in
        ``accounting.warnings["decoded_as_cp1252"]``, rows in ``warning_examples``).
    ``control_character``
        a CSV record holding a NUL byte, another C0 control (tab and line ends excepted), DEL,
        or a carriage return not followed by a line feed.
    ``malformed_row``
        a CSV record whose field count differs from the header, or whose quoting is broken
        (an unterminated quote rejects its own line only).
    ``event_outside_trace``
        an XES ``<event>`` that is not inside a ``<trace>``.
    ``missing_case`` / ``missing_activity`` / ``missing_timestamp``
        the cell is empty (or only whitespace / null).
    ``unparseable_timestamp``
        the timestamp matches none of the accepted formats.
    ``nonexistent_local_time``
        a naive local time inside the spring-forward gap (e.g. 2024-03-31 02:30 in Stockholm).
    ``ignored_activity``
        the activity is on the :class:`ActivityMapping` ignore list (original or mapped name).
    ``duplicate_event``
        only with ``duplicates="reject"``: same case, (mapped) activity, timestamp and every
        other mapped column (unit, resource, start timestamp, lifecycle) as an earlier row; the
        first row is kept. By default (``duplicates="keep"``, as pm4py) such rows stay events
        and are counted in ``accounting.warnings["duplicate_event"]``, with their first rows in
        ``accounting.warning_examples["duplicate_event"]``.
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

from fvmprocess.eventlog.accounting import REASONS, Accounting
from fvmprocess.eventlog.log import EventLog, read_log
from fvmprocess.eventlog.mapping import ActivityMapping
from fvmprocess.eventlog.options import ReadLimits, ReadOptions
from fvmprocess.eventlog.raw import SourceInfo
from fvmprocess.eventlog.schema import LogSchema
from fvmprocess.eventlog.variants import VariantTable, variant_table

__all__ = [
    "REASONS",
    "Accounting",
    "ActivityMapping",
    "EventLog",
    "LogSchema",
    "ReadLimits",
    "ReadOptions",
    "SourceInfo",
    "VariantTable",
    "read_log",
    "variant_table",
]
