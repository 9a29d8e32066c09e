"""The optional analyses of a check: conformance over time, causes of deviations, practice.

One named stage of :func:`~fvmprocess.conformance.check`, run last when the options ask for
it (``period``, ``milestones``, ``causes``, ``practice``): :func:`run_analyses` takes the
check's cases, deviations and matched events with the resolved process and returns a frozen
:class:`Analyses`. The methods live in :mod:`fvmprocess.trends`, :mod:`fvmprocess.causes` and
:mod:`fvmprocess.practice` (``docs/trends.md``); this module only wires them and gives the
result's JSON and Parquet layout of their tables (``docs/conformance.md``, section 7).

The tables keep exact counts, like the rest of the result: they are an analyst's data.
Documents apply the small-count rule (:mod:`fvmprocess.report._trends`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

# The analyses' modules are imported where they are run: a check that asks for none of them
# does not load them.
if TYPE_CHECKING:
    from fvmprocess.causes import CauseAnalysis, CauseCounts, CauseOptions
    from fvmprocess.conformance.options import CheckOptions
    from fvmprocess.practice import PracticeCounts, PracticeDiff
    from fvmprocess.process import ResolvedProcess
    from fvmprocess.trends import MilestoneKey, Period

__all__ = [
    "ANALYSIS_TABLES",
    "Analyses",
    "AnalysisCounts",
    "analysis_counts",
    "case_compliance",
    "cause_options",
    "finish_analyses",
    "run_analyses",
]

#: The analyses' tables, in the order they are written (``<name>.parquet`` in a result folder).
ANALYSIS_TABLES = ("periods", "changes", "milestones", "causes")
_PERIODS = ("week", "month", "quarter")


# ---------------------------------------------------------------------------------------------
# The result of the stage
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analyses:
    """What the optional analyses found (each None when it was not asked for).

    Attributes:
        period: the calendar period of :attr:`periods` (``"week"``, ``"month"``,
            ``"quarter"``).
        periods: per unit and period: cases, conforming share with its interval, mean
            fitness and time-limit compliance (:func:`fvmprocess.trends.periods`).
        changes: per unit, the change points of the conforming share
            (:func:`fvmprocess.trends.change_points`); stable units have no row.
        milestones: per unit and milestone: the conforming share before and after, with
            Fisher's exact test (:func:`fvmprocess.trends.milestones`).
        causes: attribute values with a much higher deviation rate
            (:func:`fvmprocess.causes.causes`).
        practice: each unit's directly-follows practice against the standard
            (:func:`fvmprocess.practice.practice`).
    """

    period: Period | None = None
    periods: pl.DataFrame | None = None
    changes: pl.DataFrame | None = None
    milestones: pl.DataFrame | None = None
    causes: CauseAnalysis | None = None
    practice: PracticeDiff | None = None

    @property
    def empty(self) -> bool:
        """True when no analysis was run."""
        return all(
            v is None
            for v in (self.periods, self.changes, self.milestones, self.causes, self.practice)
        )

    # -- the JSON document ----------------------------------------------------------------
    def json_fields(self) -> dict[str, Any]:
        """The top-level fields of the result JSON (None for an analysis not run).

        ``period``; ``periods``, ``changes`` and ``milestones`` as tables (the result writes
        them row by row, dates as ISO text, floats to 6 places); ``causes`` (``causes`` rows,
        ``used`` and ``excluded`` attributes) and ``practice`` (schema
        ``fvmprocess.practice``) as plain data.
        """
        return {
            "period": self.period,
            **{name: self._frame(name) for name in ("periods", "changes", "milestones")},
            "causes": None if self.causes is None else _causes_json(self.causes),
            "practice": None if self.practice is None else _jsonable(self.practice.to_dict()),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Analyses:
        """Read :meth:`json_fields` back from a result document (missing fields: not run).

        Raises:
            ValueError: a field has an unexpected layout.
        """
        tables = {
            name: None if data.get(name) is None else _frame_from_rows(data[name], name)
            for name in ("periods", "changes", "milestones")
        }
        found = data.get("causes")
        return cls(
            period=_period(data.get("period")),
            causes=None if found is None else _causes_from_json(found),
            practice=None
            if data.get("practice") is None
            else _practice_from_json(data["practice"]),
            **tables,
        )

    # -- the Parquet folder ---------------------------------------------------------------
    def tables(self) -> dict[str, pl.DataFrame]:
        """The tables that were computed (``<name>.parquet`` in a result folder)."""
        out = {n: self._frame(n) for n in ANALYSIS_TABLES}
        return {n: f for n, f in out.items() if f is not None}

    def summary_fields(self) -> dict[str, Any]:
        """What ``summary.json`` of a result folder holds besides the tables: ``period``,
        ``causes`` (``used`` and ``excluded`` attributes; rows in ``causes.parquet``) and
        ``practice`` (the whole practice document)."""
        found = self.causes
        return {
            "period": self.period,
            "causes": None
            if found is None
            else {"used": dict(found.used), "excluded": dict(found.excluded)},
            "practice": None if self.practice is None else _jsonable(self.practice.to_dict()),
        }

    @classmethod
    def from_dir(cls, folder: Path, data: Mapping[str, Any]) -> Analyses:
        """Read :meth:`tables` and :meth:`summary_fields` back from a result folder.

        Raises:
            OSError, polars.exceptions.PolarsError: a table listed in ``summary.json`` cannot
                be read.
        """
        from fvmprocess.causes import CauseAnalysis

        listed = data.get("tables") or {}
        frames = {
            n: pl.read_parquet(folder / str(listed[n])) if n in listed else None
            for n in ANALYSIS_TABLES
        }
        found = data.get("causes")
        cause = None
        if frames["causes"] is not None:
            meta = found if isinstance(found, Mapping) else {}
            cause = CauseAnalysis(
                frames["causes"], dict(meta.get("used", {})), dict(meta.get("excluded", {}))
            )
        return cls(
            period=_period(data.get("period")),
            periods=frames["periods"],
            changes=frames["changes"],
            milestones=frames["milestones"],
            causes=cause,
            practice=None
            if data.get("practice") is None
            else _practice_from_json(data["practice"]),
        )

    def _frame(self, name: str) -> pl.DataFrame | None:
        if name == "causes":
            return None if self.causes is None else self.causes.table
        frame: pl.DataFrame | None = getattr(self, name)
        return frame


# ---------------------------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------------------------


def case_compliance(per_case: pl.DataFrame, cases: pl.DataFrame) -> pl.DataFrame:
    """Per case: time limits ``within`` and ``evaluated`` (the unit score's pooling).

    Args:
        per_case: one row per case and limit it applies to: ``case``, ``_dur`` (seconds;
            negative = the end before the start, not evaluated) and ``_late``
            (:class:`~fvmprocess.conformance.timelimits.TimeLimitOutcome`'s ``per_case``).
        cases: the case table (``case``); cases no limit applies to get 0 and 0.

    Returns:
        ``case``, ``within``, ``evaluated`` (Int64).
    """
    ordered = pl.col("_dur") >= 0
    counted = per_case.group_by("case").agg(
        ordered.sum().cast(pl.Int64).alias("evaluated"),
        (ordered & ~pl.col("_late")).sum().cast(pl.Int64).alias("within"),
    )
    return (
        cases.select("case")
        .join(counted, on="case", how="left")
        .select("case", pl.col("within").fill_null(0), pl.col("evaluated").fill_null(0))
    )


def _wanted(opts: CheckOptions) -> bool:
    return bool(opts.period or opts.milestones or opts.causes or opts.practice)


@dataclass(frozen=True)
class AnalysisCounts:
    """The aggregates the analyses are finished from, each None when not asked for.

    Both engines make these (embedded: :func:`analysis_counts`; Spark:
    :mod:`fvmprocess.engines.spark_analyses`) and call the one finish,
    :func:`finish_analyses`; only these aggregates are needed, never a case.

    Attributes:
        periods: :func:`fvmprocess.trends.period_counts` (per unit and period).
        days: :func:`fvmprocess.trends.day_counts` (per unit and local day, for milestones).
        causes: :class:`fvmprocess.causes.CauseCounts`.
        practice: :class:`fvmprocess.practice.PracticeCounts`.
    """

    periods: pl.DataFrame | None = None
    days: pl.DataFrame | None = None
    causes: CauseCounts | None = None
    practice: PracticeCounts | None = None


def run_analyses(
    cases: pl.DataFrame,
    deviations: pl.DataFrame,
    events: pl.DataFrame,
    target: ResolvedProcess,
    opts: CheckOptions,
    *,
    timezone: str,
    limits: pl.DataFrame | None = None,
) -> Analyses:
    """The analyses the options ask for (an empty :class:`Analyses` when none).

    :func:`analysis_counts`, then :func:`finish_analyses`.

    Args:
        cases: the scored case table (``case``, ``unit``, ``start``, ``conforming``,
            ``fitness``).
        deviations: every deviation (``case``, ``kind``, ``activity``, ``allowed``).
        events: the matched events (activity ids of the standard; ``case``, ``unit``,
            ``timestamp`` and the log's extra columns).
        target: the resolved process (its net for the practice, its names for the causes).
        opts: ``period``, ``milestones``, ``causes``, ``cause_attributes``,
            ``cause_exclude`` and ``practice``.
        timezone: the log's time zone (periods, milestones and hour bands are local).
        limits: one row per case and time limit it applies to (``case``, ``_dur``, ``_late``:
            :class:`~fvmprocess.conformance.timelimits.TimeLimitOutcome`'s ``per_case``), for
            the periods' time-limit compliance; None leaves those columns null.

    Returns:
        The :class:`Analyses`.
    """
    if not _wanted(opts):
        return Analyses()
    counts = analysis_counts(cases, deviations, events, opts, timezone=timezone, limits=limits)
    return finish_analyses(counts, target, opts)


def analysis_counts(
    cases: pl.DataFrame,
    deviations: pl.DataFrame,
    events: pl.DataFrame,
    opts: CheckOptions,
    *,
    timezone: str,
    limits: pl.DataFrame | None = None,
) -> AnalysisCounts:
    """The aggregates of the analyses the options ask for, with polars (arguments as for
    :func:`run_analyses`)."""
    from fvmprocess.causes import case_attributes, cause_counts, prepare_values
    from fvmprocess.practice import practice_counts
    from fvmprocess.trends import day_counts

    found_periods = found_days = None
    if opts.period is not None:
        compliance = None if limits is None else case_compliance(limits, cases)
        found_periods = _period_counts(cases, opts.period, timezone, compliance)
    if opts.milestones:
        found_days = day_counts(cases, timezone=timezone)
    found_causes = None
    if opts.causes:
        options = cause_options(opts)
        values, used, excluded = prepare_values(
            cases, case_attributes(events), options, timezone, "start"
        )
        found_causes = cause_counts(values, deviations, options, used, excluded)
    found_practice = practice_counts(_practice_events(cases, events)) if opts.practice else None
    return AnalysisCounts(found_periods, found_days, found_causes, found_practice)


def finish_analyses(
    counts: AnalysisCounts, target: ResolvedProcess, opts: CheckOptions
) -> Analyses:
    """The analyses from their aggregates (the finish both engines share).

    Args:
        counts: the :class:`AnalysisCounts`.
        target: the resolved process (its net for the practice, its names for the causes).
        opts: the analyses' options.

    Returns:
        The :class:`Analyses`.
    """
    from fvmprocess.causes import causes_from_counts
    from fvmprocess.practice import practice_from_counts
    from fvmprocess.trends import change_points, milestones, periods_from_counts

    found_periods = found_changes = found_milestones = None
    if opts.period is not None and counts.periods is not None:
        found_periods = periods_from_counts(counts.periods, period=opts.period)
        found_changes = change_points(found_periods)
    if opts.milestones and counts.days is not None:
        found_milestones = milestones(counts.days, _marks(opts.milestones))
    found_causes = None
    if opts.causes and counts.causes is not None:
        found_causes = causes_from_counts(
            counts.causes,
            activity_names={k: v.sv for k, v in target.labels.items()},
            options=cause_options(opts),
        )
    found_practice = None
    if opts.practice and counts.practice is not None:
        found_practice = practice_from_counts(counts.practice, target.net)
    return Analyses(
        period=opts.period,
        periods=found_periods,
        changes=found_changes,
        milestones=found_milestones,
        causes=found_causes,
        practice=found_practice,
    )


def _period_counts(
    cases: pl.DataFrame, period: Period, timezone: str, compliance: pl.DataFrame | None
) -> pl.DataFrame:
    from fvmprocess.trends import period_counts

    if compliance is None:
        return period_counts(cases, period=period, timezone=timezone)
    joined = cases.join(
        compliance.select(
            "case", pl.col("within").alias("_tl_within"), pl.col("evaluated").alias("_tl_evaluated")
        ),
        on="case",
        how="left",
    ).with_columns(pl.col("_tl_within", "_tl_evaluated").fill_null(0))
    return period_counts(
        joined, period=period, timezone=timezone, compliance=("_tl_within", "_tl_evaluated")
    )


def _marks(given: Mapping[MilestoneKey, str]) -> dict[MilestoneKey, str]:
    """The milestones with every date checked (a clear error names the bad one)."""
    out: dict[MilestoneKey, str] = {}
    for key, label in given.items():
        when = key[1] if isinstance(key, tuple) else key
        if not isinstance(when, date):
            try:
                date.fromisoformat(str(when))
            except ValueError as e:
                raise ValueError(
                    f"milestone {key!r}={label!r}: {when!r} is not an ISO date (YYYY-MM-DD)"
                ) from e
        out[key] = str(label)
    return out


def cause_options(opts: CheckOptions) -> CauseOptions:
    """The :class:`~fvmprocess.causes.CauseOptions` a check's options ask for."""
    from fvmprocess.causes import CauseOptions

    include = None if opts.cause_attributes is None else tuple(opts.cause_attributes)
    return CauseOptions(include=include, exclude=tuple(opts.cause_exclude))


def _practice_events(cases: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """The events with the unit each case is counted for (``unit_assignment``), not the
    unit of each event."""
    keep = [c for c in ("case", "activity", "timestamp", "row") if c in events.columns]
    return events.select(keep).join(
        cases.select("case", pl.col("unit").cast(pl.String)),
        on="case",
        how="left",
        maintain_order="left",
    )


# ---------------------------------------------------------------------------------------------
# JSON helpers
# ---------------------------------------------------------------------------------------------

_SCHEMAS: dict[str, dict[str, pl.DataType]] = {}


def _schema(name: str) -> dict[str, pl.DataType]:
    """The column types of an analysis table (from an empty run of its function)."""
    from fvmprocess.trends import change_points, milestones, periods

    if not _SCHEMAS:
        empty_cases = pl.DataFrame(
            schema={
                "case": pl.String,
                "unit": pl.String,
                "start": pl.Datetime("us", "UTC"),
                "conforming": pl.Boolean,
                "fitness": pl.Float64,
                "within": pl.Int64,
                "evaluated": pl.Int64,
            }
        )
        p = periods(empty_cases, period="month", compliance=("within", "evaluated"))
        _SCHEMAS["periods"] = dict(p.schema)
        _SCHEMAS["changes"] = dict(change_points(p).schema)
        _SCHEMAS["milestones"] = dict(milestones(empty_cases, {}).schema)
    return _SCHEMAS[name]


def _round(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 6) if math.isfinite(v) else None
    if isinstance(v, date):
        return v.isoformat()
    return v


def _jsonable(value: Any) -> Any:
    """Floats rounded to 6 places (NaN: null), dates as ISO text, in nested data."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return _round(value)


def _frame_from_rows(rows: Any, name: str) -> pl.DataFrame:
    if not isinstance(rows, list):
        raise ValueError(f"{name} is {type(rows).__name__}; expected a list of rows")
    schema = _schema(name)
    text = {c: pl.String for c, t in schema.items() if t == pl.Date}
    frame = pl.DataFrame(rows, schema={**schema, **text}, orient="row" if not rows else None)
    return frame.with_columns(pl.col(c).str.to_date() for c in text)


def _causes_json(found: CauseAnalysis) -> dict[str, Any]:
    data: dict[str, Any] = _jsonable(found.to_dict())
    return data


def _causes_from_json(data: Any) -> CauseAnalysis:
    from fvmprocess.causes import CauseAnalysis, causes

    if not isinstance(data, Mapping):
        raise ValueError("causes is not an object")
    no_cases = pl.DataFrame(schema={"case": pl.String})
    no_devs = pl.DataFrame(schema={"case": pl.String, "kind": pl.String, "activity": pl.String})
    schema = causes(no_cases, no_devs).table.schema
    table = pl.DataFrame(list(data.get("causes") or []), schema=schema)
    return CauseAnalysis(table, dict(data.get("used") or {}), dict(data.get("excluded") or {}))


def _practice_from_json(data: Any) -> PracticeDiff:
    """The :class:`PracticeDiff` of a practice document (``PracticeDiff.to_dict``)."""
    from fvmprocess.practice import PracticeDiff, StandardRelation, practice

    if not isinstance(data, Mapping):
        raise ValueError("practice is not an object")
    units = list(data.get("units") or [])
    summary = [{k: v for k, v in u.items() if k not in ("steps", "transitions")} for u in units]
    steps = [{"unit": u["unit"], **s} for u in units for s in u.get("steps", ())]
    pairs = [{"unit": u["unit"], **t} for u in units for t in u.get("transitions", ())]
    no_events = pl.DataFrame(schema={"case": pl.String, "activity": pl.String})
    empty = practice(no_events, StandardRelation(frozenset(), frozenset()))
    return PracticeDiff(
        units=pl.DataFrame(summary, schema=empty.units.schema),
        steps=pl.DataFrame(steps, schema=empty.steps.schema),
        transitions=pl.DataFrame(pairs, schema=empty.transitions.schema),
    )


def _period(value: Any) -> Period | None:
    if value is None:
        return None
    if value not in _PERIODS:
        raise ValueError(f"period is {value!r}; expected one of {', '.join(_PERIODS)}")
    p: Period = value
    return p
