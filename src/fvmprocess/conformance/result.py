"""What :func:`~fvmprocess.conformance.check` found: :class:`ConformanceResult`, saved and loaded.

Two layouts (``docs/conformance.md``, version :data:`RESULT_SCHEMA_VERSION`): one JSON file, or a
folder of Parquet tables beside ``summary.json``. Both have sorted rows and fixed float precision,
so the same input gives the same bytes; the tables are written by polars, never row by row in
Python.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from fvmprocess._shared.labels import Lang
from fvmprocess.conformance.allow import Allow
from fvmprocess.conformance.analyses import Analyses
from fvmprocess.errors import ConformanceError, FvmProcessError
from fvmprocess.eventlog import Accounting
from fvmprocess.scoring import UnitScore
from fvmprocess.timelimit import TimeLimit

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.catalog import Catalog
    from fvmprocess.process import ProcessLike, ResolvedProcess

__all__ = [
    "RESULT_SCHEMA_VERSION",
    "AppliedOptions",
    "ConformanceResult",
    "ProcessInfo",
]

#: Version of the saved result (JSON file or folder), ``docs/conformance.md``.
RESULT_SCHEMA_VERSION = "2.1"
_SCHEMA = "fvmprocess.conformance"
_SUMMARY = "summary.json"
#: The tables, in the order they are written (``<name>.parquet`` in a result folder).
_TABLES = ("cases", "deviations", "variants", "units", "activities", "time_limits")
#: How times are written in the JSON (ISO 8601 with offset; fractions only when not zero).
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%:z"
_UTC = pl.Datetime("us", "UTC")
_log = logging.getLogger(__name__)

#: The deviations of a case as the JSON holds them (the case and unit are the case's).
_CASE_DEVIATION = pl.Struct(
    {
        "kind": pl.String,
        "activity": pl.String,
        "activity_name": pl.String,
        "position": pl.Int64,
        "time": pl.String,
        "limit": pl.String,
        "allowed": pl.Boolean,
    }
)
#: A case as the JSON holds it: the case table's columns (times as text; the number of counted
#: deviations as ``counted_deviations``), then its ``deviations``.
_CASE_JSON: dict[str, pl.DataType] = {
    "case": pl.String(),
    "unit": pl.String(),
    "variant": pl.Int64(),
    "events": pl.Int64(),
    "start": pl.String(),
    "end": pl.String(),
    "duration_s": pl.Float64(),
    "cost": pl.Float64(),
    "worst_cost": pl.Float64(),
    "exact": pl.Boolean(),
    "cost_lower": pl.Float64(),
    "counted_deviations": pl.Int64(),
    "late": pl.Int64(),
    "counted_cost": pl.Float64(),
    "fitness": pl.Float64(),
    "conforming": pl.Boolean(),
    "deviations": pl.List(_CASE_DEVIATION),
}


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """The process a result was checked against.

    Attributes:
        id: the catalogue id, BPMN process id, PNML file stem or net name.
        version: the catalogue version (catalogue processes only).
        name_sv: the Swedish name (catalogue) or the BPMN process name.
        name_en: the English name (catalogue processes only).
        source: the file a BPMN model or PNML net was read from.
        kind: ``"standard"`` (a catalogue process: found again by its id), ``"bpmn"`` or
            ``"petri"``.
    """

    id: str
    version: str | None = None
    name_sv: str | None = None
    name_en: str | None = None
    source: str | None = None
    kind: str | None = None

    @classmethod
    def of(cls, process: ResolvedProcess) -> ProcessInfo:
        """The facts of a resolved process (a catalogue entry's file is not one of them)."""
        return cls(
            id=process.id,
            version=process.version,
            name_sv=process.name,
            name_en=process.name_en,
            source=None if process.kind == "standard" else process.source,
            kind=process.kind,
        )

    def name(self, lang: Lang = "sv") -> str:
        """The name in ``lang``, else the Swedish name, else the id."""
        return (self.name_en if lang == "en" else None) or self.name_sv or self.id

    def title(self, lang: Lang = "sv") -> str | None:
        """What a document is titled by: the name in ``lang``, else the Swedish name, else the
        file name of an external model; None when there is neither (an id a tool generated,
        such as ``id90befad8-…``, is no title)."""
        named = (self.name_en if lang == "en" else None) or self.name_sv
        if named:
            return named
        if self.source:
            return Path(self.source).name
        return self.id if self.kind == "standard" else None

    def to_dict(self) -> dict[str, str]:
        """The facts as JSON-ready data (unknown ones left out)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProcessInfo:
        """Read :meth:`to_dict`'s output (unknown keys are ignored)."""

        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        return cls(
            id=str(data.get("id")),
            version=text("version"),
            name_sv=text("name_sv"),
            name_en=text("name_en"),
            source=text("source"),
            kind=text("kind"),
        )


@dataclass(frozen=True, slots=True)
class AppliedOptions:
    """The options a result was computed with (what changes its figures).

    Attributes:
        allow: the allow-list (given rules, then the approved variations).
        time_limits: the limits evaluated.
        costs: ``"standard"`` (1 per visible log or model move) or ``"custom"``.
    """

    allow: tuple[Allow, ...] = ()
    time_limits: tuple[TimeLimit, ...] = ()
    costs: Literal["standard", "custom"] = "standard"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (limits as ``id``, ``from``, ``to``, ``max_seconds`` …)."""
        return {
            "allow": [r.to_dict() for r in self.allow],
            "time_limits": [
                {
                    "id": t.id,
                    "from": t.from_activity,
                    "to": t.to_activity,
                    "max_seconds": t.duration.total_seconds(),
                    "target_share": t.target_share,
                    "counting": t.counting,
                }
                for t in self.time_limits
            ],
            "costs": self.costs,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AppliedOptions:
        """Read :meth:`to_dict`'s output."""
        limits = tuple(
            TimeLimit(
                id=t["id"],
                from_activity=t.get("from"),
                to_activity=t["to"],
                max_duration=timedelta(seconds=float(t["max_seconds"])),
                target_share=t.get("target_share"),
                counting=t.get("counting", "elapsed"),
            )
            for t in data.get("time_limits", ())
        )
        return cls(
            allow=tuple(Allow(**r) for r in data.get("allow", ())),
            time_limits=limits,
            costs="custom" if data.get("costs") == "custom" else "standard",
        )


@dataclass(frozen=True)
class ConformanceResult:
    """What :func:`check` found. All tables are polars DataFrames (``.to_pandas()`` works).

    Attributes:
        process: the process checked against.
        cases: one row per case: ``case``, ``unit``, ``variant``, ``events``, ``start``,
            ``end``, ``duration_s``, ``cost`` (alignment cost), ``counted_cost`` (after the
            allow-list), ``worst_cost``, ``exact`` (the cost is proven optimal),
            ``cost_lower`` (when not exact: a proven lower bound on the optimal cost; ``cost``
            is then an upper bound), ``fitness``, ``conforming``, ``deviations``, ``late``.
        deviations: one row per deviation: ``case``, ``unit``, ``kind``, ``activity`` (the
            standard's id, or the log's name outside it), ``activity_name`` (its label in
            :attr:`lang`), ``position`` (0-based event index in the case, for model moves the
            index of the next event), ``time``, ``limit`` (for ``late``), ``allowed``.
        activities: per unit (and ``unit == "*"`` for all) and activity (with
            ``activity_name``): cases and the rates of each deviation kind.
        units: per unit: cases, conforming share, mean fitness, time-limit compliance, each
            with a 95 % interval, and the rank.
        time_limits: per unit (and ``"*"``) and limit: evaluated cases, within, share, interval,
            target share and whether the target is met (``from_name``, ``to_name``: labels).
        variants: per distinct variant: activities, cases, cost, ``exact``, ``cost_lower``,
            fitness and the alignment moves (``moves`` as a list of ``{log, model, kind, activity, activity_name}``).
        accounting: the log's row accounting (rows read, used, rejected with reasons).
        activity_names: activity id -> Swedish/English names (for documents).
        unmapped: log activities not in the model, with event counts.
        options: the allow-list, time limits and costs the figures were computed with.
        model: the BPMN model (for drawings; not saved in the JSON).
        log_period: the first and last event time (ISO), if the log has times.
        lang: the language of the ``activity_name`` columns.
        analyses: periods, change points, milestones, causes and practice, when the check's
            options asked for them (:class:`~fvmprocess.conformance.analyses.Analyses`).
    """

    process: ProcessInfo
    cases: pl.DataFrame
    deviations: pl.DataFrame
    activities: pl.DataFrame
    units: pl.DataFrame
    time_limits: pl.DataFrame
    variants: pl.DataFrame
    accounting: Accounting
    activity_names: dict[str, dict[str, str]] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)
    options: AppliedOptions = field(default_factory=AppliedOptions)
    model: BpmnModel | None = field(default=None, repr=False, compare=False)
    log_period: tuple[str | None, str | None] = (None, None)
    lang: Lang = "sv"
    analyses: Analyses = field(default_factory=Analyses)

    # -- summaries ------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Headline figures: cases, conforming share, mean fitness, deviations by kind, and how
        exact the alignments are (``exact_share``, ``bounded_cases``, ``gap_mean``,
        ``gap_max``: the bounded cases' ``cost - cost_lower``)."""
        n = self.cases.height
        conf = int(self.cases["conforming"].sum()) if n else 0
        kinds: dict[str, int] = {}
        if self.deviations.height:
            counted = self.deviations.filter(~pl.col("allowed")).group_by("kind").len()
            kinds = {str(k): int(v) for k, v in counted.sort("kind").iter_rows()}
        fitness = self.cases["fitness"].mean() if n else None
        return {
            "process": self.process.id,
            "cases": n,
            "units": self.units.height,
            "variants": self.variants.height,
            "conforming": conf,
            "conforming_share": _r(conf / n) if n else None,
            "mean_fitness": _r(float(fitness)) if isinstance(fitness, int | float) else None,
            "deviations": kinds,
            **_exactness(self.cases),
        }

    def unit_scores(self) -> list[UnitScore]:
        """The units as :class:`~fvmprocess.scoring.UnitScore` objects, best first."""
        names = UnitScore.__slots__
        rows: list[dict[str, Any]] = [
            {k: row.get(k) for k in names} for row in self.units.iter_rows(named=True)
        ]
        return [UnitScore(**row) for row in rows]

    # -- saving and loading ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data (the document :meth:`to_json` writes)."""
        data: dict[str, Any] = json.loads(self.to_json(indent=None))
        return data

    def to_json(self, path: str | Path | None = None, *, indent: int | None = 2) -> str:
        """Serialise to JSON (``docs/conformance.md``; sorted rows, floats to 6 places).

        The tables are written by polars, one row per line: no Python object per case.

        Args:
            path: also write it there.
            indent: indentation of the document's fields (None for compact).

        Returns:
            The JSON text.
        """
        text = _json_document(self, indent)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def to_dir(self, path: str | Path) -> Path:
        """Write ``<table>.parquet`` for every table and ``summary.json`` for the rest.

        Args:
            path: the folder (created if missing).

        Returns:
            The folder.
        """
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        for name, frame in {**self._tables(), **self.analyses.tables()}.items():
            frame.write_parquet(out / f"{name}.parquet", compression="zstd", statistics=False)
        text = json.dumps(self._meta(), ensure_ascii=False, indent=2)
        (out / _SUMMARY).write_text(text + "\n", encoding="utf-8")
        return out

    def write(self, path: str | Path) -> Path:
        """Write the result: a folder of Parquet tables (a path ending in ``/`` or an existing
        folder, :meth:`to_dir`) or one JSON file (:meth:`to_json`).

        Raises:
            ConformanceError: the path is neither a folder nor a ``.json`` file, or cannot be
                written.
        """
        out = Path(path)
        try:
            if str(path).endswith(("/", "\\")) or out.is_dir():
                return self.to_dir(out)
            if out.suffix.lower() != ".json":
                raise ConformanceError(
                    "expected a folder (a path ending in '/') or a .json file", source=str(out)
                )
            self.to_json(out)
        except OSError as e:
            raise ConformanceError(f"cannot write the result ({e})", source=str(out)) from e
        return out

    @classmethod
    def load(
        cls,
        source: str | Path,
        *,
        find_model: bool = True,
        catalog: Catalog | None = None,
    ) -> ConformanceResult:
        """Load a saved result: a folder from :meth:`to_dir` or a file from :meth:`to_json`.

        Args:
            source: the folder or the JSON file.
            find_model: look the model up again (:meth:`with_model`) for the drawings.
            catalog: where a catalogue process is looked up (default: the shipped one).

        Raises:
            ConformanceError: the source cannot be read or is not a conformance result.
        """
        p = Path(source)
        result = cls.from_dir(p) if p.is_dir() else cls.from_json(p)
        return result.with_model(catalog=catalog) if find_model else result

    def with_model(
        self, process: ProcessLike | None = None, *, catalog: Catalog | None = None
    ) -> ConformanceResult:
        """The result with the BPMN model of ``process``, else of the process it was checked
        against: the catalogue entry of its id, or the BPMN file it was read from.

        Without ``process``, a model that cannot be found leaves the result as it is (the
        documents are then written without diagrams).
        """
        from fvmprocess.process import resolve_process

        if process is not None:
            return dataclasses.replace(self, model=resolve_process(process, catalog=catalog).model)
        info = self.process
        try:
            if info.kind == "standard":
                found = resolve_process(info.id, catalog=catalog)
                if info.version and found.version != info.version:
                    _log.warning(
                        "%s: checked against version %s, the catalogue has %s",
                        info.id,
                        info.version,
                        found.version,
                    )
            elif info.kind == "bpmn" and info.source and Path(info.source).is_file():
                found = resolve_process(Path(info.source), catalog=catalog)
            else:
                return self
        except (FvmProcessError, OSError) as e:
            _log.warning("%s: the model was not found again (%s)", info.id, e)
            return self
        return dataclasses.replace(self, model=found.model)

    @classmethod
    def from_json(cls, source: str | Path) -> ConformanceResult:
        """Load a result written by :meth:`to_json` (for reports from a saved result).

        Raises:
            ConformanceError: the file cannot be read or is not a conformance result.
        """
        p = Path(source)
        try:
            text = p.read_text(encoding="utf-8")
            data, rows = _split_tables(text)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ConformanceError(f"cannot read the result JSON ({e})", source=str(p)) from e
        _check_header(data, p)
        try:
            cases = _table(data, rows, "cases", _CASE_JSON)
            deviations = (
                cases.select("case", "unit", "deviations")
                .explode("deviations")
                .drop_nulls("deviations")
                .unnest("deviations")
            )
            tables = {
                "cases": cases.drop("deviations"),
                "deviations": deviations,
                **{
                    name: _table(data, rows, name, None)
                    for name in ("units", "activities", "time_limits", "variants")
                },
            }
            analyses = Analyses.from_json(data)
        except (KeyError, TypeError, ValueError, pl.exceptions.PolarsError) as e:
            raise ConformanceError(
                f"the result JSON has an unexpected layout ({e})", source=str(p)
            ) from e
        return dataclasses.replace(cls._from_parts(data, _typed(tables), p), analyses=analyses)

    @classmethod
    def from_dir(cls, source: str | Path) -> ConformanceResult:
        """Load a folder written by :meth:`to_dir`.

        Raises:
            ConformanceError: a file is missing or unreadable, or it is not a result.
        """
        d = Path(source)
        meta_path = d / _SUMMARY
        try:
            data = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ConformanceError(
                f"cannot read the result summary ({e})", source=str(meta_path)
            ) from e
        _check_header(data, meta_path)
        tables: dict[str, pl.DataFrame] = {}
        for name in _TABLES:
            f = d / f"{name}.parquet"
            try:
                tables[name] = pl.read_parquet(f)
            except (OSError, pl.exceptions.PolarsError) as e:
                raise ConformanceError(f"cannot read the {name} table ({e})", source=str(f)) from e
        try:
            analyses = Analyses.from_dir(d, data)
        except (OSError, TypeError, ValueError, pl.exceptions.PolarsError) as e:
            raise ConformanceError(f"cannot read the analyses ({e})", source=str(d)) from e
        return dataclasses.replace(cls._from_parts(data, tables, meta_path), analyses=analyses)

    @classmethod
    def _from_parts(
        cls, data: Mapping[str, Any], tables: Mapping[str, pl.DataFrame], source: Path
    ) -> ConformanceResult:
        """The result from the document's fields and its tables."""
        try:
            period = data.get("log_period") or [None, None]
            return cls(
                process=ProcessInfo.from_dict(data["process"]),
                accounting=_accounting_from_json(data["accounting"]),
                activity_names={
                    str(k): {str(lk): str(lv) for lk, lv in v.items()}
                    for k, v in (data.get("activity_names") or {}).items()
                },
                unmapped={
                    str(k): int(v) for k, v in (data.get("unmapped_activities") or {}).items()
                },
                options=AppliedOptions.from_dict(data.get("options") or {}),
                log_period=(period[0], period[1]),
                lang="en" if data.get("lang") == "en" else "sv",
                **tables,  # type: ignore[arg-type]
            )
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise ConformanceError(
                f"the result has an unexpected layout ({e})", source=str(source)
            ) from e

    def _tables(self) -> dict[str, pl.DataFrame]:
        """The six tables, in the order they are written."""
        return {name: getattr(self, name) for name in _TABLES}

    def _meta(self) -> dict[str, Any]:
        """Everything but the tables (``summary.json`` of a result folder)."""
        return {
            **self._header(),
            "accounting": self.accounting.to_dict(),
            "unmapped_activities": dict(sorted(self.unmapped.items())),
            "options": self.options.to_dict(),
            **self.analyses.summary_fields(),
            "tables": {name: f"{name}.parquet" for name in [*_TABLES, *self.analyses.tables()]},
        }

    def _header(self) -> dict[str, Any]:
        return {
            "schema": _SCHEMA,
            "schema_version": RESULT_SCHEMA_VERSION,
            "lang": self.lang,
            "process": self.process.to_dict(),
            "summary": self.summary(),
            "log_period": list(self.log_period),
            "activity_names": {k: dict(v) for k, v in sorted(self.activity_names.items())},
            "columns": {name: frame.columns for name, frame in self._tables().items()},
        }

    def _repr_html_(self) -> str:
        """Notebook view (:func:`fvmprocess._notebook.result_html`)."""
        from fvmprocess._notebook import result_html

        return result_html(self)


def _exactness(cases: pl.DataFrame) -> dict[str, Any]:
    """Share of cases with a proven optimal alignment, and the bounded cases' gaps
    (``None`` when the cases carry no ``exact`` column, e.g. from the Spark engine)."""
    if "exact" not in cases.columns or not cases.height:
        return {"exact_share": None, "bounded_cases": None, "gap_mean": None, "gap_max": None}
    bounded = cases.filter(~pl.col("exact").fill_null(True))
    gaps = (bounded["cost"] - bounded["cost_lower"]) if bounded.height else None
    return {
        "exact_share": _r((cases.height - bounded.height) / cases.height),
        "bounded_cases": bounded.height,
        "gap_mean": _r(float(gaps.mean())) if gaps is not None else None,  # type: ignore[arg-type]
        "gap_max": _r(float(gaps.max())) if gaps is not None else None,  # type: ignore[arg-type]
    }


def _check_header(data: Any, source: Path) -> None:
    """Refuse what is not a saved result of a version this library reads."""
    if not isinstance(data, dict) or data.get("schema") != _SCHEMA:
        raise ConformanceError(
            f"not an fvmprocess conformance result (expected schema {_SCHEMA!r})",
            source=str(source),
        )
    major = str(data.get("schema_version", "")).split(".")[0]
    if major != RESULT_SCHEMA_VERSION.split(".")[0]:
        raise ConformanceError(
            f"result schema version {data.get('schema_version')!r}; this version of fvmprocess "
            f"reads {RESULT_SCHEMA_VERSION.split('.')[0]}.x (run the check again)",
            source=str(source),
        )


# -- the JSON document -------------------------------------------------------------------------


def _json_document(result: ConformanceResult, indent: int | None) -> str:
    """The whole document: small fields by :func:`json.dumps`, tables by polars."""
    fields: list[tuple[str, Any]] = [
        *result._header().items(),
        ("cases", _case_rows(result)),
        ("units", result.units),
        ("activities", result.activities),
        ("time_limits", result.time_limits),
        ("variants", result.variants),
        ("accounting", result.accounting.to_dict()),
        ("unmapped_activities", dict(sorted(result.unmapped.items()))),
        ("options", result.options.to_dict()),
        *result.analyses.json_fields().items(),
    ]
    if indent is None:
        return "{" + ",".join(f"{json.dumps(k)}:{_value(v, None)}" for k, v in fields) + "}"
    pad = " " * indent
    parts = [f"{pad}{json.dumps(k)}: {_value(v, indent)}" for k, v in fields]
    return "{\n" + ",\n".join(parts) + "\n}"


def _value(value: Any, indent: int | None) -> str:
    if isinstance(value, pl.DataFrame):
        return _json_array(value, indent)
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return text.replace("\n", "\n" + " " * indent) if indent else text


def _json_array(frame: pl.DataFrame, indent: int | None) -> str:
    """A table as a JSON array, one row per line (polars' NDJSON writer)."""
    if frame.height == 0:
        return "[]"
    buf = io.BytesIO()
    _jsonable(frame).write_ndjson(buf)
    text = buf.getvalue().decode("utf-8").rstrip("\n")  # strings hold no raw line breaks
    if indent is None:
        return "[" + text.replace("\n", ",") + "]"
    pad = " " * (2 * indent)
    return "[\n" + pad + text.replace("\n", ",\n" + pad) + "\n" + " " * indent + "]"


def _finite(e: pl.Expr) -> pl.Expr:
    """Rounded to 6 places; NaN and infinities become null."""
    return pl.when(e.is_finite()).then(e.round(6))


def _jsonable(frame: pl.DataFrame) -> pl.DataFrame:
    """Floats rounded (also inside lists), times as ISO text."""
    exprs: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype.is_float():
            exprs.append(_finite(col).alias(name))
        elif isinstance(dtype, pl.Datetime):
            exprs.append(col.dt.to_string(_TIME_FORMAT).alias(name))
        elif isinstance(dtype, pl.List) and dtype.inner.is_float():
            exprs.append(col.list.eval(_finite(pl.element())).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def _case_rows(result: ConformanceResult) -> pl.DataFrame:
    """The cases sorted by id, each with its deviations (sorted by position, kind, activity)."""
    fields = list(_CASE_DEVIATION.to_schema())
    devs = _jsonable(
        result.deviations.sort(["case", "position", "kind", "activity"], nulls_last=True)
    )
    nested = devs.group_by("case", maintain_order=True).agg(
        pl.struct([c for c in fields if c in devs.columns]).alias("_devs")
    )
    cases = _jsonable(result.cases.sort("case")).rename({"deviations": "counted_deviations"})
    joined = cases.join(nested, on="case", how="left", maintain_order="left")
    return joined.with_columns(
        pl.col("_devs").fill_null(pl.lit([], dtype=joined.schema["_devs"])).alias("deviations")
    ).drop("_devs")


def _typed(tables: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The tables read from JSON with the types :func:`check` gives them."""
    cases = tables["cases"].rename({"counted_deviations": "deviations"})
    out = dict(tables)
    out["cases"] = cases.with_columns(
        pl.col("start", "end").str.to_datetime(_TIME_FORMAT, time_zone="UTC", strict=False)
    ).select(
        "case",
        "unit",
        "variant",
        "events",
        "start",
        "end",
        "duration_s",
        "cost",
        "worst_cost",
        # results before schema 2.1 had only exact alignments
        pl.col("exact").fill_null(True),
        "cost_lower",
        "deviations",
        "late",
        "counted_cost",
        "fitness",
        "conforming",
    )
    devs = tables["deviations"]
    out["deviations"] = devs.with_columns(
        pl.col("time").str.to_datetime(_TIME_FORMAT, time_zone="UTC", strict=False)
    )
    tl = out["time_limits"]
    if "durations_s" in tl.columns:
        out["time_limits"] = tl.with_columns(pl.col("durations_s").cast(pl.List(pl.Float64)))
    return {name: _null_columns_typed(frame) for name, frame in out.items()}


_BOOLEAN_COLUMNS = frozenset(
    {"allowed", "conforming", "exact", "in_model", "meets_target", "time_limits_met"}
)
_TEXT_COLUMNS = frozenset(
    {
        "case",
        "unit",
        "kind",
        "activity",
        "limit",
        "from_activity",
        "to_activity",
        "from_name",
        "to_name",
    }
)


def _null_columns_typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns JSON gave no type (every value null): flags as booleans, names as text, the
    rest (shares, intervals, medians) as floats."""
    casts = [
        pl.col(name).cast(
            pl.Boolean
            if name in _BOOLEAN_COLUMNS
            else pl.String
            if name in _TEXT_COLUMNS or name.endswith("activity_name")
            else pl.Float64
        )
        for name, dtype in frame.schema.items()
        if dtype == pl.Null
    ]
    return frame.with_columns(casts) if casts else frame


def _split_tables(text: str) -> tuple[Any, dict[str, bytes]]:
    """The document without its tables, and each table's rows as NDJSON.

    :meth:`ConformanceResult.to_json` writes every table row on a line of its own, so the
    tables are read by polars' NDJSON reader; a document laid out otherwise (compact, or
    re-indented by another tool) is parsed whole by :func:`json.loads`.
    """
    rows: dict[str, bytes] = {}
    rest = text
    for name in _TABLES:
        if name == "deviations":
            continue
        opening = f'\n  "{name}": [\n'
        start = rest.find(opening)
        end = rest.find("\n  ]", start + len(opening)) if start >= 0 else -1
        if start < 0 or end < 0:
            return json.loads(text), {}
        block = rest[start + len(opening) : end]
        lines = [line.strip().removesuffix(",") for line in block.split("\n")]
        rows[name] = "\n".join(lines).encode("utf-8")
        rest = rest[: start + len(opening) - 1] + rest[end + 1 :]
    return json.loads(rest), rows


def _table(
    data: Mapping[str, Any],
    rows: Mapping[str, bytes],
    name: str,
    schema: Mapping[str, pl.DataType] | None,
) -> pl.DataFrame:
    """One table of a JSON document: from its NDJSON rows, else from the parsed document."""
    if name in rows and rows[name].strip():
        return pl.read_ndjson(io.BytesIO(rows[name]), schema=schema, infer_schema_length=None)
    if name not in rows and data[name]:
        return pl.DataFrame(data[name], schema=schema, infer_schema_length=None)
    if schema is not None:
        return pl.DataFrame(schema=schema)
    columns = (data.get("columns") or {}).get(name) or []
    return pl.DataFrame(schema={str(c): pl.Null for c in columns})  # typed by _typed


def _accounting_from_json(data: Mapping[str, Any]) -> Accounting:
    known = {f.name for f in dataclasses.fields(Accounting)}
    return Accounting(**{k: v for k, v in data.items() if k in known})


def _r(v: Any) -> Any:
    """A float rounded to 6 places (None for NaN and infinities); anything else as is."""
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None
        return round(v, 6)
    return v
