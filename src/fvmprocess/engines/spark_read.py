"""Reading an event log on Spark: CSV exports, Parquet files or folders, or a Spark DataFrame.

The same rules as :func:`fvmprocess.eventlog.read_log` (column mapping, activity mapping,
time-zone rules, row accounting with reasons and example rows), computed as Spark jobs:

1. :func:`_load` — the input rows with their row number: each CSV file is parsed on an
   executor by the embedded CSV reader (encoding, delimiter, quoting, malformed records and
   line numbers exactly as :func:`read_log`); Parquet and DataFrames are read by Spark;
2. :func:`_dayfirst` — a small aggregate decides how slash dates are read (the whole log, as
   the embedded reader decides for its one column);
3. :func:`_normalise` — per Arrow batch on the executors, the embedded reader's row stages
   (clean text, timestamps in the log's zone, missing cells, the activity mapping);
4. :func:`_mark_duplicates` and :func:`_merge_lifecycle` — window functions over the rows;
5. :func:`_account` — counts and example rows per reason; only these reach the driver.

Several files are one log, taken in sorted path order. Rows are numbered through: a file's
row numbers follow those of the files before it (CSV: its physical lines, as if the exports
were one file with each later header line left blank; Parquet: its rows).

Internal: used by :mod:`fvmprocess.engines.spark_check`.
"""

from __future__ import annotations

import glob
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import polars as pl

from fvmprocess.engines.spark import _functions, dense_index, get_session, kept, map_in_arrow
from fvmprocess.errors import LogError
from fvmprocess.eventlog import Accounting, LogSchema, ReadOptions, SourceInfo
from fvmprocess.eventlog import build as _build
from fvmprocess.eventlog import timestamps as _ts
from fvmprocess.eventlog.columns import MAX_EXAMPLES, REJECT, ROW, STANDARD_COLUMNS
from fvmprocess.eventlog.csv import read_csv
from fvmprocess.eventlog.mapping import ActivityMapping, MappingLike, as_mapping
from fvmprocess.eventlog.options import ReadLimits
from fvmprocess.eventlog.raw import RawLog

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, SparkSession
    from pyspark.sql import DataFrame as SparkDataFrame

__all__ = ["SparkLog", "SparkSource", "read_log_spark"]

#: What :func:`read_log_spark` reads: a path, a glob, several of them, or a Spark DataFrame.
SparkSource: TypeAlias = "str | Path | Sequence[str | Path] | SparkDataFrame"

#: The reason the file reader rejected a row (``malformed_row``, ``control_character``,
#: ``invalid_encoding``…), null for rows it handed on.
_READER = "__fvm_reader_reason__"
_WARN = "__fvm_warn__"
_DUP = "__fvm_duplicate__"
_MERGED = "__merged__"
_ROLE_COLUMNS = ("unit", "resource", "lifecycle")
_PARQUET = (".parquet", ".pq")


@dataclass(frozen=True)
class SparkLog:
    """An event log whose events are a Spark DataFrame (what :func:`read_log_spark` gives).

    Attributes:
        events: the live events: ``case``, ``activity``, ``timestamp`` (UTC instants),
            ``original_activity``, ``row`` and, when the input has them, ``unit``,
            ``resource``, ``start_timestamp``, ``lifecycle``.
        accounting: what happened to every input row (as :attr:`EventLog.accounting`).
        schema: the resolved input schema.
        source: the input's name (its paths, or ``<spark.DataFrame>``).
        source_info: the input's format (of the first file for CSV).
        timezone: the zone naive timestamps were read in.
        unmapped_activities: original activities the mapping did not name, with events.
    """

    events: SparkDataFrame
    accounting: Accounting
    schema: LogSchema
    source: str
    source_info: SourceInfo
    timezone: str
    unmapped_activities: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Loaded:
    """The input rows (input columns, ``ROW``, ``_READER``) and facts about them, with the
    warnings the file reader counted (and their first rows)."""

    rows: SparkDataFrame
    columns: list[str]
    source: str
    info: SourceInfo
    warnings: dict[str, int] = field(default_factory=dict)
    warning_examples: dict[str, list[int]] = field(default_factory=dict)
    decimal_comma: bool = False


@dataclass(frozen=True)
class _Numbers:
    """The extra CSV columns the embedded reader converts to numbers (decided over the whole
    log): each column's witness, a value of its type (``"0"``, ``"0.5"``, ``"0,5"``), and the
    ``unconvertible_value`` warning of the columns that stay text."""

    witnesses: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)


def read_log_spark(
    source: SparkSource,
    *,
    schema: LogSchema | None = None,
    mapping: MappingLike = None,
    options: ReadOptions | None = None,
    spark: SparkSession | None = None,
) -> SparkLog:
    """Read an event log on Spark with the rules of :func:`~fvmprocess.eventlog.read_log`.

    Args:
        source: CSV or Parquet files (paths, globs such as ``"exports/*.csv"``, a folder, a
            partitioned Parquet folder) or a Spark DataFrame.
        schema: which columns hold what; auto-detected when ``None``.
        mapping: local activity names -> standard ids (dict, mapping or its file).
        options: how to read (``strict``, ``timezone``, ``dayfirst``, ``duplicates``).
        spark: the session; :func:`~fvmprocess.engines.spark.get_session` when ``None``.

    Returns:
        The log, its events still on Spark (persisted), with its accounting.

    Raises:
        LogError: no file matches, a required column is missing, or (``strict``) a row was
            rejected; the message names the source and the row.

    Example:
        >>> log = read_log_spark("exports/*.csv")  # doctest: +SKIP
        >>> log.accounting.rows_read == log.accounting.rows_used + log.accounting.rows_rejected
        True
    """
    opts = options or ReadOptions()
    spark = spark or get_session()
    activity_mapping = as_mapping(mapping)
    loaded = _load(source, spark, opts)
    resolved = (schema or LogSchema()).resolve(loaded.columns, source=loaded.source)
    roles = resolved.columns()
    opts, assumed = _dayfirst(loaded, roles, opts)
    numbers = _numbers(loaded, roles)
    work = _normalise(loaded, roles, activity_mapping, opts, numbers)
    work = _mark_duplicates(work, roles, reject=opts.duplicates == "reject")
    work = kept(_merge_lifecycle(work, roles))
    accounting = _account(
        work,
        {**loaded.warnings, **assumed, **numbers.warnings},
        {**loaded.warning_examples, **numbers.examples},
    )
    if opts.strict and accounting.rows_rejected:
        _raise_first(accounting, roles, loaded)
    return SparkLog(
        events=_events(work, roles),
        accounting=accounting,
        schema=resolved,
        source=loaded.source,
        source_info=loaded.info,
        timezone=opts.timezone,
        unmapped_activities=_unmapped(work, activity_mapping),
    )


# -- loading -----------------------------------------------------------------------------------


def _load(source: SparkSource, spark: SparkSession, opts: ReadOptions) -> _Loaded:
    """The rows of ``source`` with their row numbers."""
    if not isinstance(source, str | Path | Sequence):
        return _load_frame(source)
    paths = [str(source)] if isinstance(source, str | Path) else [str(p) for p in source]
    name = ", ".join(paths)
    files = _local_files(paths)
    if files is not None and not files:
        raise LogError("no file matches", source=name)
    probe = files[0] if files else paths[0]
    if probe.lower().removesuffix(".gz").endswith(_PARQUET) or os.path.isdir(probe):
        return _load_parquet(spark, files or paths, name, _base_path(files))
    return _load_csv(spark, files or paths, name, opts)


def _local_files(paths: Sequence[str]) -> list[str] | None:
    """The local files the paths name (globs expanded, folders walked), sorted; ``None`` for
    remote paths (``s3://``, ``hdfs://``), which Spark lists itself."""
    if any("://" in p for p in paths):
        return None
    found: set[str] = set()
    for p in paths:
        for hit in glob.glob(p, recursive=True) or []:
            if os.path.isdir(hit):
                for root, _, names in os.walk(hit):
                    found.update(
                        os.path.join(root, n) for n in names if not n.startswith((".", "_"))
                    )
            else:
                found.add(hit)
    return sorted(os.path.abspath(f) for f in found)


def _numbered(rows: SparkDataFrame, order: Column, index: Column) -> SparkDataFrame:
    """``ROW``: 1-based and continuous over the files in ``order`` (a small per-file count
    reaches the driver)."""
    return dense_index(rows, order, index, ROW, base=1)


def _base_path(files: Sequence[str] | None) -> str | None:
    """The folder above the partition folders (``unit=…``) of local Parquet files."""
    if not files:
        return None
    parts = Path(os.path.commonpath([os.path.dirname(f) for f in files])).parts
    while parts and "=" in parts[-1]:
        parts = parts[:-1]
    return str(Path(*parts)) if parts else None


def _load_parquet(
    spark: SparkSession, paths: Sequence[str], name: str, base: str | None
) -> _Loaded:
    F = _functions()
    reader = spark.read.option("basePath", base) if base else spark.read
    try:
        sdf = reader.parquet(*paths)
    except Exception as e:
        raise LogError(f"not readable Parquet: {e}", source=name) from e
    columns = [c for c in sdf.columns]
    rows = _numbered(
        sdf.select("*", F.col("_metadata.file_path").alias("_p"), F.col("_metadata.row_index")),
        F.col("_p"),
        F.col("row_index"),
    ).drop("_p", "row_index")
    rows = rows.withColumn(_READER, F.lit(None).cast("string"))
    return _Loaded(rows, columns, name, SourceInfo(format="parquet"))


def _load_frame(sdf: SparkDataFrame) -> _Loaded:
    """A Spark DataFrame: rows numbered from 1 in the frame's order."""
    F = _functions()
    name = "<spark.DataFrame>"
    if ROW in sdf.columns or REJECT in sdf.columns:
        raise LogError(f"reserved column name in input: {ROW!r}/{REJECT!r}", source=name)
    columns = list(sdf.columns)
    ids = sdf.withColumn("_id", F.monotonically_increasing_id())
    part = F.shiftright(F.col("_id"), 33)
    rows = _numbered(ids, part, F.col("_id") - F.shiftleft(part, 33)).drop("_id")
    info = SourceInfo(format=cast("Any", "spark"))
    return _Loaded(rows.withColumn(_READER, F.lit(None).cast("string")), columns, name, info)


@dataclass(frozen=True)
class _CsvFile:
    columns: list[str]
    lines: int
    info: SourceInfo
    decimal_comma: bool
    warnings: dict[str, int] = field(default_factory=dict)
    warning_examples: dict[str, list[int]] = field(default_factory=dict)


def _parse_csv(path: str, content: bytes, opts: ReadOptions) -> tuple[RawLog, int]:
    """One CSV file parsed by the embedded reader (on an executor, with the options'
    encoding and limits); its physical lines."""
    name = os.path.basename(path.rstrip("/")) or "export.csv"
    with tempfile.TemporaryDirectory(prefix="fvmprocess-csv-") as tmp:
        local = Path(tmp) / name
        local.write_bytes(content)
        raw = read_csv(local, opts.limits, encoding=opts.encoding)
        data = _read_all(local, opts.limits)
    lines = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
    return replace(raw, source=path), lines


def _read_all(path: Path, limits: ReadLimits) -> bytes:
    from fvmprocess.eventlog.source import read_bytes

    return read_bytes(path, limits)


def _csv_headers(files: SparkDataFrame, opts: ReadOptions) -> dict[str, _CsvFile]:
    """Every file's header, line count and format facts (one small row per file)."""
    import pyarrow as pa

    def heads(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        keys = ("path", "columns", "lines", "facts", "warnings", "examples")
        for b in batches:
            out: dict[str, list[Any]] = {k: [] for k in keys}
            for path, content in zip(
                b.column("path").to_pylist(), b.column("content").to_pylist(), strict=True
            ):
                raw, lines = _parse_csv(path, content, opts)
                i = raw.info
                out["path"].append(path)
                out["columns"].append([c for c in raw.frame.columns if c != ROW])
                out["lines"].append(lines)
                out["facts"].append(
                    [i.encoding, i.delimiter, str(i.header_line), str(int(raw.decimal_comma))]
                )
                out["warnings"].append(list(raw.warnings.items()))
                out["examples"].append(list(raw.warning_examples.items()))
            yield pa.RecordBatch.from_pydict(out, schema=schema)

    schema = pa.schema(
        [
            ("path", pa.string()),
            ("columns", pa.list_(pa.string())),
            ("lines", pa.int64()),
            ("facts", pa.list_(pa.string())),
            ("warnings", pa.map_(pa.string(), pa.int64())),
            ("examples", pa.map_(pa.string(), pa.list_(pa.int64()))),
        ]
    )
    got = map_in_arrow(
        files.select("path", "content"),
        heads,
        "path string, columns array<string>, lines long, facts array<string>, "
        "warnings map<string,bigint>, examples map<string,array<bigint>>",
    )
    result: dict[str, _CsvFile] = {}
    for r in got.collect():
        enc, delim, line, comma = r["facts"]
        info = SourceInfo(format="csv", encoding=enc, delimiter=delim, header_line=int(line))
        result[r["path"]] = _CsvFile(
            list(r["columns"]),
            int(r["lines"]),
            info,
            comma == "1",
            {str(k): int(v) for k, v in (r["warnings"] or {}).items()},
            {str(k): [int(x) for x in v] for k, v in (r["examples"] or {}).items()},
        )
    return dict(sorted(result.items()))


def _file_warnings(
    heads: Mapping[str, _CsvFile], offsets: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, list[int]]]:
    """The files' reader warnings summed, their example rows numbered through (first ones)."""
    counts: dict[str, int] = {}
    examples: dict[str, list[int]] = {}
    for path, f in heads.items():
        for k, v in f.warnings.items():
            counts[k] = counts.get(k, 0) + v
        for k, rows in f.warning_examples.items():
            examples.setdefault(k, []).extend(offsets[path] + r for r in rows)
    return counts, {k: sorted(v)[:MAX_EXAMPLES] for k, v in examples.items()}


def _load_csv(spark: SparkSession, paths: Sequence[str], name: str, opts: ReadOptions) -> _Loaded:
    """CSV exports: each file parsed on an executor by the embedded CSV reader."""
    import pyarrow as pa

    try:
        files = spark.read.format("binaryFile").load(list(paths))
    except Exception as e:
        raise LogError(f"cannot list the CSV files: {e}", source=name) from e
    heads = _csv_headers(files, opts)
    if not heads:
        raise LogError("no file matches", source=name)
    columns: list[str] = []
    for f in heads.values():
        columns += [c for c in f.columns if c not in columns]
    offsets, total = {}, 0
    for path, f in heads.items():
        offsets[path], total = total, total + f.lines
    schema = pa.schema(
        [(c, pa.string()) for c in columns] + [(ROW, pa.int64()), (_READER, pa.string())]
    )

    def rows(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            for path, content in zip(
                b.column("path").to_pylist(), b.column("content").to_pylist(), strict=True
            ):
                raw, _ = _parse_csv(path, content, opts)
                yield from _csv_batches(raw, offsets[path], columns, schema)

    ddl = ", ".join(f"`{c}` string" for c in columns) + f", {ROW} long, {_READER} string"
    sdf = map_in_arrow(files.select("path", "content").repartition(max(1, len(heads))), rows, ddl)
    first = next(iter(heads.values()))
    warnings, examples = _file_warnings(heads, offsets)
    return _Loaded(sdf, columns, name, first.info, warnings, examples, first.decimal_comma)


def _csv_batches(
    raw: RawLog, offset: int, columns: Sequence[str], schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """A parsed file's records, and the rows its reader rejected (with their reason), as
    Arrow batches over ``columns``."""
    frame = raw.frame.with_columns(
        (pl.col(ROW) + offset).alias(ROW), pl.lit(None, pl.String).alias(_READER)
    )
    reasons = {"malformed_row": raw.malformed, **raw.rejected}
    bad = pl.DataFrame(
        {
            ROW: [offset + r for rows in reasons.values() for r in rows],
            _READER: [k for k, rows in reasons.items() for _ in rows],
        },
        schema={ROW: pl.Int64, _READER: pl.String},
    )
    full = pl.concat([frame, bad], how="diagonal_relaxed")
    full = full.with_columns(
        [pl.lit(None, pl.String).alias(c) for c in columns if c not in full.columns]
    ).select(*columns, ROW, _READER)
    for chunk in full.iter_slices(50_000):
        if chunk.height:
            yield from chunk.to_arrow().cast(schema).to_batches()


# -- the numbers in CSV's extra columns --------------------------------------------------------

#: A batch's numbers: whole (``int``), with a decimal point (``dot``) or comma (``comma``).
_WITNESS = {frozenset({"int"}): "0", frozenset({"int", "dot"}): "0.5"}
_WITNESS |= {frozenset({"dot"}): "0.5", frozenset({"int", "comma"}): "0,5"}
_WITNESS |= {frozenset({"comma"}): "0,5"}


def _number_type(witness: str) -> Any:
    """The Spark type of a column with this witness."""
    from pyspark.sql.types import DoubleType, LongType

    return LongType() if witness == "0" else DoubleType()


def _numbers(loaded: _Loaded, roles: Mapping[str, str]) -> _Numbers:
    """Which extra CSV columns become numbers, decided over the whole log as the embedded
    reader decides over its one column (:func:`fvmprocess.eventlog.build.select_roles`): a
    small aggregate of each batch's kind of values and unconvertible cells."""
    role_cols = set(roles.values())
    extras = [c for c in loaded.columns if c not in role_cols]
    if loaded.info.format != "csv" or not extras:
        return _Numbers()
    F = _functions()
    comma = loaded.decimal_comma

    def facts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            frame = pl.from_arrow(b)
            assert isinstance(frame, pl.DataFrame)
            found = [(c, *_batch_numbers(frame, c, comma)) for c in extras]
            rows = [dict(zip(keys, f, strict=True)) for f in found if f[1]]
            yield pa.RecordBatch.from_pylist(rows, schema=schema)

    import pyarrow as pa

    keys = ("col", "kind", "bad", "rows")
    types = (pa.string(), pa.string(), pa.int64(), pa.list_(pa.int64()))
    schema = pa.schema(list(zip(keys, types, strict=True)))

    selected = loaded.rows.select(ROW, *[f"`{c}`" for c in extras])
    got = (
        map_in_arrow(selected, facts, "col string, kind string, bad long, rows array<long>")
        .groupBy("col", "kind")
        .agg(
            F.sum("bad").alias("bad"),
            F.slice(
                F.array_sort(F.array_distinct(F.flatten(F.collect_list("rows")))), 1, MAX_EXAMPLES
            ).alias("rows"),
        )
        .collect()
    )
    return _decide_numbers(
        extras, [(r["col"], r["kind"], int(r["bad"]), list(r["rows"])) for r in got]
    )


def _batch_numbers(
    frame: pl.DataFrame, column: str, decimal_comma: bool
) -> tuple[str, int, list[int]]:
    """One batch of an extra column: its kind of values (``""`` when all empty), and the
    cells the embedded conversion of this batch would not convert (count, first rows)."""
    stripped = frame[column].str.strip_chars()
    vals = stripped.filter(stripped.is_not_null() & (stripped != ""))
    if not vals.len():
        return "", 0, []
    kind = _build._number_dtype(vals, decimal_comma=decimal_comma)
    if kind is None:
        return "text", 0, []
    found = _build._convert_numeric(
        frame.select(ROW, column), [column], decimal_comma=decimal_comma
    )
    bad = found.warnings.get("unconvertible_value", 0)
    name = "int" if kind[0] == pl.Int64 else ("comma" if kind[1] else "dot")
    return name, bad, list(found.examples.get("unconvertible_value", []))


def _decide_numbers(
    extras: Sequence[str], facts: Sequence[tuple[str, str, int, list[int]]]
) -> _Numbers:
    """The columns' types from their batches' kinds; a column with cells that would not
    convert stays text (counted). Whole numbers always convert to floats (huge ones to
    inf), so only the decimal batches' cells count against a decimal column."""
    witnesses: dict[str, str] = {}
    count, rows = 0, []
    for c in extras:
        mine = [f for f in facts if f[0] == c]
        witness = _WITNESS.get(frozenset(k for _, k, _, _ in mine))
        if witness is None:
            continue
        against = [f for f in mine if witness == "0" or f[1] != "int"]
        bad = sum(f[2] for f in against)
        if bad:
            count += bad
            rows += [r for f in against for r in f[3]]
        else:
            witnesses[c] = witness
    if not count:
        return _Numbers(witnesses)
    examples = sorted(set(rows))[:MAX_EXAMPLES]
    return _Numbers(witnesses, {"unconvertible_value": count}, {"unconvertible_value": examples})


def _as_numbers(
    frame: pl.DataFrame, witnesses: Mapping[str, str], decimal_comma: bool
) -> pl.DataFrame:
    """The columns converted by the embedded reader's own code, the batch given one more row,
    each column's witness, so that it converts to the type decided over the whole log (a
    batch of whole numbers in a decimal column becomes decimals); that row dropped again."""
    cols = list(witnesses)
    witness = pl.DataFrame(
        {ROW: [-1], **{c: [w] for c, w in witnesses.items()}},
        schema={ROW: pl.Int64, **{c: pl.String for c in cols}},
    )
    part = pl.concat([frame.select(ROW, *cols).cast({ROW: pl.Int64}), witness])
    done = _build._convert_numeric(part, cols, decimal_comma=decimal_comma).frame.head(-1)
    return frame.with_columns(done.select(cols))


# -- the row stages ----------------------------------------------------------------------------


def _dayfirst(
    loaded: _Loaded, roles: Mapping[str, str], opts: ReadOptions
) -> tuple[ReadOptions, dict[str, int]]:
    """Decide how slash dates are read over the whole log (timestamp and start timestamp
    columns each), as the embedded reader decides for its column; the ``assumed_dayfirst``
    warning it would count."""
    if opts.dayfirst is not None:
        return opts, {}
    import pyarrow as pa

    cols = [roles[c] for c in ("timestamp", "start_timestamp") if c in roles]
    text = [c for c in cols if dict(loaded.rows.dtypes)[c] == "string"]
    if not text:
        return opts.update(dayfirst=True), {}

    def stats(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            frame = pl.from_arrow(b)
            assert isinstance(frame, pl.DataFrame)
            out: dict[str, list[int]] = {"col": [], "n": [], "day": [], "month": []}
            for i, c in enumerate(text):
                found = _slash_dates(frame[c])
                values = (i, found.count, int(found.day_first), int(found.month_first))
                for k, v in zip(out, values, strict=True):
                    out[k].append(v)
            yield pa.RecordBatch.from_pydict(out)

    F = _functions()
    got = (
        map_in_arrow(loaded.rows.select(*text), stats, "col long, n long, day long, month long")
        .groupBy("col")
        .agg(F.sum("n").alias("n"), F.max("day").alias("day"), F.max("month").alias("month"))
        .collect()
    )
    found = {
        int(r["col"]): _ts.SlashDates(int(r["n"]), bool(r["day"]), bool(r["month"])) for r in got
    }
    orders, assumed = [], 0
    for i in range(len(text)):
        order, warned = found.get(i, _ts.SlashDates()).order(None)
        orders.append(order)
        assumed += warned.get("assumed_dayfirst", 0)
    # one order for both columns: the embedded reader decides per column, and they agree
    # unless one column is month-first; then the timestamp column's decision is used
    warnings = {"assumed_dayfirst": assumed} if assumed else {}
    return opts.update(dayfirst=orders[0]), warnings


def _slash_dates(col: pl.Series) -> _ts.SlashDates:
    """The slash dates of one batch of a text column (the embedded reader's evidence)."""
    norm = pl.select(_ts.normalise(pl.lit(col.cast(pl.String)))).to_series()
    return _ts.slash_dates(_ts.split_offset(norm)[1])


def _normalise(
    loaded: _Loaded,
    roles: Mapping[str, str],
    mapping: ActivityMapping | None,
    opts: ReadOptions,
    numbers: _Numbers,
) -> SparkDataFrame:
    """The embedded reader's row stages per Arrow batch on the executors; the extra input
    columns are carried (named as the embedded reader names them, ``attr:<name>`` for a
    reserved name), CSV's numbers converted as :func:`_numbers` decided."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import to_arrow_type

    role_cols = list(dict.fromkeys(roles.values()))
    extras = _extra_columns(loaded, role_cols)
    fields = {f.name: f.dataType for f in loaded.rows.schema.fields}
    for c, witness in numbers.witnesses.items():
        fields[c] = _number_type(witness)
    schema = pa.schema(
        [
            (ROW, pa.int64()),
            ("case", pa.string()),
            ("original_activity", pa.string()),
            ("activity", pa.string()),
            *[(c, pa.string()) for c in _ROLE_COLUMNS],
            ("timestamp", pa.timestamp("us", "UTC")),
            ("start_timestamp", pa.timestamp("us", "UTC")),
            (REJECT, pa.string()),
            *[(name, to_arrow_type(fields[c])) for c, name in extras.items()],
            (_WARN, pa.map_(pa.string(), pa.int64())),
        ]
    )

    comma = loaded.decimal_comma

    def normalise(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            if b.num_rows:
                yield _normalise_batch(b, roles, mapping, opts, schema, numbers, comma)

    ddl = (
        f"{ROW} long, case string, original_activity string, activity string, "
        + ", ".join(f"{c} string" for c in _ROLE_COLUMNS)
        + f", timestamp timestamp, start_timestamp timestamp, {REJECT} string, "
        + "".join(f"`{name}` {fields[c].simpleString()}, " for c, name in extras.items())
        + f"{_WARN} map<string,bigint>"
    )
    chosen = [*role_cols, *(c for c in extras if c not in role_cols)]
    selected = loaded.rows.select(*[f"`{c}`" for c in chosen], ROW, _READER)
    return map_in_arrow(selected, normalise, ddl)


def _extra_columns(loaded: _Loaded, role_cols: Sequence[str]) -> dict[str, str]:
    """The extra input columns kept as events' columns -> their names among the events."""
    extras = [c for c in loaded.columns if c not in role_cols]
    return {c: (f"attr:{c}" if c in STANDARD_COLUMNS else c) for c in extras}


def _normalise_batch(
    batch: pa.RecordBatch,
    roles: Mapping[str, str],
    mapping: ActivityMapping | None,
    opts: ReadOptions,
    schema: pa.Schema,
    numbers: _Numbers,
    decimal_comma: bool,
) -> pa.RecordBatch:
    """One batch through the embedded reader's stages: numbers, select, timestamps, missing,
    mapping."""
    import pyarrow as pa

    frame = pl.from_arrow(batch)
    assert isinstance(frame, pl.DataFrame)
    if numbers.witnesses:
        frame = _as_numbers(frame, numbers.witnesses, decimal_comma)
    by_reader = frame[_READER]
    raw = RawLog(frame=frame.drop(_READER), source="", info=SourceInfo(format="parquet"))
    selection = _build.select_roles(raw, roles)
    timed = _build.add_timestamps(selection.work, raw, roles, opts)
    work = _build.map_activities(_build.mark_missing(timed.work), mapping)
    work = work.with_columns(pl.coalesce(pl.lit(by_reader), pl.col(REJECT)).alias(REJECT))
    warn = [list(timed.warnings.items())] + [None] * (work.height - 1)
    work = work.with_columns(
        [pl.lit(None, pl.String).alias(c) for c in _ROLE_COLUMNS if c not in work.columns]
        + [
            pl.lit(None, pl.Datetime("us", "UTC")).alias(c)
            for c in ("start_timestamp",)
            if c not in work.columns
        ]
    )
    table = work.select([f.name for f in schema if f.name != _WARN]).to_arrow()
    table = table.append_column(_WARN, _arrow_map(warn))
    return pa.concat_batches(table.cast(schema).to_batches())


def _arrow_map(values: list[Any]) -> pa.Array:
    import pyarrow as pa

    return pa.array(values, type=pa.map_(pa.string(), pa.int64()))


def _event_key(roles: Mapping[str, str]) -> list[str]:
    """The columns two rows must share to be the same event (as the embedded reader)."""
    optional = [c for c in ("unit", "resource", "start_timestamp", "lifecycle") if c in roles]
    return ["case", "activity", "timestamp", *optional]


def _mark_duplicates(
    work: SparkDataFrame, roles: Mapping[str, str], *, reject: bool
) -> SparkDataFrame:
    """A live row equal on the event key to an earlier live row (by row number)."""
    F = _functions()
    from pyspark.sql import Window

    if "timestamp" not in roles:
        return work.withColumn(_DUP, F.lit(False))
    alive = F.col(REJECT).isNull()
    w = Window.partitionBy(*_event_key(roles), alive).orderBy(ROW)
    dup = alive & (F.row_number().over(w) > 1)
    if reject:
        return work.withColumn(
            REJECT, F.when(dup, F.lit("duplicate_event")).otherwise(F.col(REJECT))
        ).withColumn(_DUP, F.lit(False))
    return work.withColumn(_DUP, dup)


def _merge_lifecycle(work: SparkDataFrame, roles: Mapping[str, str]) -> SparkDataFrame:
    """``start`` rows merged into the ``complete`` that follows; other non-completes rejected
    (the embedded reader's rule, with window functions)."""
    if "lifecycle" not in roles:
        return work
    F = _functions()
    from pyspark.sql import Window

    lc = F.col("lifecycle")
    if "start_timestamp" not in roles:
        cand = F.col(REJECT).isNull() & lc.isin("start", "complete")
        order = (lc == "complete").cast("int")
        w = Window.partitionBy("case", "activity", cand).orderBy(
            F.col("timestamp").asc_nulls_last(), order, ROW
        )
        nxt, prev = F.lead(lc).over(w), F.lag(lc).over(w)
        merged = cand & (lc == "start") & (nxt == "complete")
        took = cand & (lc == "complete") & (prev == "start")
        work = work.select(
            "*",
            F.when(merged, True).otherwise(False).alias("_merged"),
            F.when(took, F.lag("timestamp").over(w)).alias("_st"),
        )
        work = work.withColumn(
            "start_timestamp", F.coalesce(F.col("_st"), F.col("start_timestamp"))
        ).withColumn(REJECT, F.when(F.col("_merged"), F.lit(_MERGED)).otherwise(F.col(REJECT)))
        work = work.drop("_st", "_merged")
    late = F.col(REJECT).isNull() & (lc.isNull() | (lc != "complete"))
    return work.withColumn(
        REJECT, F.when(late, F.lit("lifecycle_not_complete")).otherwise(F.col(REJECT))
    )


# -- accounting and events ---------------------------------------------------------------------


def _first_rows(rows: SparkDataFrame, key: str) -> dict[str, list[int]]:
    """Per value of ``key``: the lowest ``MAX_EXAMPLES`` row numbers."""
    F = _functions()
    from pyspark.sql import Window

    w = Window.partitionBy(key).orderBy(ROW)
    got = (
        rows.select(key, ROW, F.row_number().over(w).alias("_n"))
        .filter(F.col("_n") <= MAX_EXAMPLES)
        .collect()
    )
    out: dict[str, list[int]] = {}
    for r in sorted(got, key=lambda r: r[ROW]):
        out.setdefault(str(r[key]), []).append(int(r[ROW]))
    return out


def _account(
    work: SparkDataFrame, assumed: Mapping[str, int], examples_before: Mapping[str, list[int]]
) -> Accounting:
    """Counts and the first example rows per reason (only these reach the driver), with the
    warnings counted while loading and deciding the date order (``assumed``)."""
    from fvmprocess.eventlog.accounting import REASONS

    F = _functions()
    totals = work.agg(
        F.count(F.lit(1)).alias("n"),
        F.sum(F.col(_DUP).cast("long")).alias("dups"),
        F.sum(F.when(F.col(REJECT) == _MERGED, 1).otherwise(0)).alias("merged"),
    ).collect()[0]
    rejected = work.filter(F.col(REJECT).isNotNull() & (F.col(REJECT) != _MERGED))
    counts = {str(r[REJECT]): int(r["count"]) for r in rejected.groupBy(REJECT).count().collect()}
    examples = _first_rows(rejected, REJECT)
    order = {r: i for i, r in enumerate(REASONS)}
    ranked = sorted(counts, key=lambda r: order.get(r, len(order)))
    warnings: dict[str, int] = dict(assumed)
    for r in work.select(F.explode(_WARN)).groupBy("key").agg(F.sum("value")).collect():
        warnings[str(r[0])] = warnings.get(str(r[0]), 0) + int(r[1])
    warn_examples: dict[str, list[int]] = dict(examples_before)
    if totals["dups"]:
        warnings["duplicate_event"] = int(totals["dups"])
        dup_rows = work.filter(F.col(_DUP)).withColumn("_k", F.lit("duplicate_event"))
        warn_examples.update(_first_rows(dup_rows, "_k"))
    if totals["merged"]:
        warnings["lifecycle_start_merged"] = int(totals["merged"])
    n_rejected = sum(counts.values())
    return Accounting(
        rows_read=int(totals["n"]),
        rows_used=int(totals["n"]) - n_rejected,
        rows_rejected=n_rejected,
        reasons={r: counts[r] for r in ranked},
        examples={r: examples[r] for r in ranked},
        warnings=dict(sorted(warnings.items())),
        warning_examples=dict(sorted(warn_examples.items())),
    )


def _raise_first(accounting: Accounting, roles: Mapping[str, str], loaded: _Loaded) -> None:
    """``strict``: the first rejected row as the embedded reader reports it."""
    reason, row = min(((r, ex[0]) for r, ex in accounting.examples.items()), key=lambda t: t[1])
    rejected = pl.DataFrame({REJECT: [reason], ROW: [row]})
    raw = RawLog(frame=pl.DataFrame(), source=loaded.source, info=loaded.info)
    _build.raise_first_rejection(rejected, accounting, roles, raw)


def _unmapped(work: SparkDataFrame, mapping: ActivityMapping | None) -> dict[str, int]:
    """Original activities of live events the mapping does not name, most frequent first."""
    if mapping is None or not mapping.mapping:
        return {}
    F = _functions()
    known = sorted(set(mapping.mapping) | set(mapping.mapping.values()))
    got = (
        work.filter(F.col(REJECT).isNull() & ~F.col("original_activity").isin(known))
        .groupBy("original_activity")
        .count()
        .collect()
    )
    rows = sorted(((str(r[0]), int(r[1])) for r in got), key=lambda t: (-t[1], t[0]))
    return dict(rows)


def _events(work: SparkDataFrame, roles: Mapping[str, str]) -> SparkDataFrame:
    """The live rows as events (the embedded reader's columns, extra columns last)."""
    F = _functions()
    fixed = {*_ROLE_COLUMNS, "case", "activity", "original_activity", "timestamp"}
    fixed |= {"start_timestamp", ROW, REJECT, _WARN, _DUP}
    extras = [F.col(f"`{c}`") for c in work.columns if c not in fixed]
    optional = [c for c in ("unit", "resource", "start_timestamp", "lifecycle") if c in roles]
    if "lifecycle" in roles and "start_timestamp" not in optional:
        optional.insert(optional.index("lifecycle"), "start_timestamp")
    return work.filter(F.col(REJECT).isNull()).select(
        "case",
        "activity",
        "timestamp",
        *optional,
        "original_activity",
        F.col(ROW).alias("row"),
        *extras,
    )
