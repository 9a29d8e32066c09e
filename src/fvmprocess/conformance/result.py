"""What :func:`~fvmprocess.conformance.check` found: :class:`ConformanceResult`, and its JSON.

The JSON layout is ``docs/result-schema.md`` (version :data:`RESULT_SCHEMA_VERSION`): sorted
rows and fixed float precision, so the same input gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from fvmprocess.conformance.allow import Allow
from fvmprocess.errors import ConformanceError
from fvmprocess.eventlog import Accounting
from fvmprocess.scoring import UnitScore
from fvmprocess.timelimit import TimeLimit

if TYPE_CHECKING:
    from fvmprocess._shared.labels import Lang
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.process import ResolvedProcess

__all__ = [
    "RESULT_SCHEMA_VERSION",
    "AppliedOptions",
    "ConformanceResult",
    "ProcessInfo",
]

#: Version of the JSON written by :meth:`ConformanceResult.to_json` (docs/result-schema.md).
RESULT_SCHEMA_VERSION = "1.0"
_SCHEMA = "fvmprocess.conformance"

_DEVIATION_SCHEMA: dict[str, pl.DataType] = {
    "case": pl.String(),
    "unit": pl.String(),
    "kind": pl.String(),
    "activity": pl.String(),
    "position": pl.Int64(),
    "time": pl.String(),
    "limit": pl.String(),
    "allowed": pl.Boolean(),
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
    """

    id: str
    version: str | None = None
    name_sv: str | None = None
    name_en: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, process: ResolvedProcess) -> ProcessInfo:
        """The facts of a resolved process (a catalogue entry's file is not one of them)."""
        return cls(
            id=process.id,
            version=process.version,
            name_sv=process.name,
            name_en=process.name_en,
            source=None if process.kind == "standard" else process.source,
        )

    def name(self, lang: Lang = "sv") -> str:
        """The name in ``lang``, else the Swedish name, else the id."""
        return (self.name_en if lang == "en" else None) or self.name_sv or self.id

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
            allow-list), ``worst_cost``, ``fitness``, ``conforming``, ``deviations``, ``late``.
        deviations: one row per deviation: ``case``, ``unit``, ``kind``, ``activity``,
            ``position`` (0-based event index in the case, for model moves the index of the next
            event), ``time``, ``limit`` (for ``late``), ``allowed``.
        activities: per unit (and ``unit == "*"`` for all) and activity: cases and the rates
            of each deviation kind.
        units: per unit: cases, conforming share, mean fitness, time-limit compliance, each
            with a 95 % interval, and the rank.
        time_limits: per unit (and ``"*"``) and limit: evaluated cases, within, share, interval,
            target share and whether the target is met.
        variants: per distinct variant: activities, cases, cost, fitness and the alignment
            moves (``moves`` as a list of ``{log, model, kind}``).
        accounting: the log's row accounting (rows read, used, rejected with reasons).
        activity_names: activity id -> Swedish/English names (for documents).
        unmapped: log activities not in the model, with event counts.
        options: the allow-list, time limits and costs the figures were computed with.
        model: the BPMN model (for drawings; not saved in the JSON).
        log_period: the first and last event time (ISO), if the log has times.
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

    # -- summaries ------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Headline figures: cases, conforming share, mean fitness, deviations by kind."""
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
        }

    def unit_scores(self) -> list[UnitScore]:
        """The units as :class:`~fvmprocess.scoring.UnitScore` objects, best first."""
        names = UnitScore.__slots__
        rows: list[dict[str, Any]] = [
            {k: row.get(k) for k in names} for row in self.units.iter_rows(named=True)
        ]
        return [UnitScore(**row) for row in rows]

    # -- JSON -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data following ``docs/result-schema.md``."""
        return {
            "schema": _SCHEMA,
            "schema_version": RESULT_SCHEMA_VERSION,
            "process": self.process.to_dict(),
            "summary": self.summary(),
            "cases": self._cases_json(),
            "units": [_clean(r) for r in self.units.iter_rows(named=True)],
            "activities": [_clean(r) for r in self.activities.iter_rows(named=True)],
            "time_limits": [_clean(r) for r in self.time_limits.iter_rows(named=True)],
            "variants": [
                _clean(r)
                for r in self.variants.select(
                    "variant", "activities", "cases", "cost", "fitness", "moves"
                ).iter_rows(named=True)
            ],
            "accounting": self.accounting.to_dict(),
            "unmapped_activities": dict(sorted(self.unmapped.items())),
            "options": self.options.to_dict(),
        }

    def _cases_json(self) -> list[dict[str, Any]]:
        """The cases sorted by id, each with its deviations."""
        by_case: dict[str, list[dict[str, Any]]] = {}
        ordered = self.deviations.sort(["case", "position", "kind", "activity"])
        for row in ordered.iter_rows(named=True):
            by_case.setdefault(row["case"], []).append(
                {
                    "kind": row["kind"],
                    "activity": row["activity"],
                    "position": row["position"],
                    "time": _iso(row["time"]),
                    "limit": row["limit"],
                    "allowed": bool(row["allowed"]),
                }
            )
        return [
            {
                "case": r["case"],
                "unit": r["unit"],
                "variant": r["variant"],
                "events": r["events"],
                "cost": _r(r["cost"]),
                "fitness": _r(r["fitness"]),
                "conforming": bool(r["conforming"]),
                "deviations": by_case.get(r["case"], []),
            }
            for r in self.cases.sort("case").iter_rows(named=True)
        ]

    def to_json(self, path: str | Path | None = None, *, indent: int | None = 2) -> str:
        """Serialise to JSON (deterministic: sorted rows, fixed float precision).

        Args:
            path: also write it there.
            indent: JSON indentation (None for compact).

        Returns:
            The JSON text.
        """
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, sort_keys=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> ConformanceResult:
        """Load a result written by :meth:`to_json` (for reports from a saved result).

        Raises:
            ConformanceError: the file cannot be read or is not a conformance result.
        """
        p = Path(source)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise ConformanceError(f"cannot read the result JSON ({e})", source=str(p)) from e
        if not isinstance(data, dict) or data.get("schema") != _SCHEMA:
            raise ConformanceError(
                f"not an fvmprocess conformance result (expected schema {_SCHEMA!r})",
                source=str(p),
            )
        return cls(
            process=ProcessInfo.from_dict(data["process"]),
            cases=pl.DataFrame(
                [{k: v for k, v in c.items() if k != "deviations"} for c in data["cases"]],
                schema_overrides={"unit": pl.String},
            ),
            deviations=_deviations_from_json(data["cases"]),
            activities=pl.DataFrame(data["activities"]),
            units=pl.DataFrame(data["units"]),
            time_limits=pl.DataFrame(data["time_limits"]),
            variants=pl.DataFrame(data["variants"]),
            accounting=_accounting_from_json(data["accounting"]),
            unmapped=data.get("unmapped_activities", {}),
            options=AppliedOptions.from_dict(data.get("options") or {}),
        )

    def _repr_html_(self) -> str:
        """Notebook view (:func:`fvmprocess._notebook.result_html`)."""
        from fvmprocess._notebook import result_html

        return result_html(self)


def _deviations_from_json(cases: list[dict[str, Any]]) -> pl.DataFrame:
    rows = [{"case": c["case"], "unit": c["unit"], **d} for c in cases for d in c["deviations"]]
    return pl.DataFrame(rows, schema=_DEVIATION_SCHEMA).with_columns(
        pl.col("time").str.to_datetime(time_zone="UTC", strict=False)
    )


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


def _iso(v: Any) -> str | None:
    if v is None:
        return None
    return v.isoformat() if isinstance(v, date | time) else str(v)


def _clean(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, float):
            out[k] = _r(v)
        elif isinstance(v, date | time):
            out[k] = v.isoformat()
        elif isinstance(v, list):
            out[k] = [_clean(x) if isinstance(x, dict) else x for x in v]
        else:
            out[k] = v
    return out
