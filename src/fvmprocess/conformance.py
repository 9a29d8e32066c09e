"""Conformance checking of unit event logs against a standard process.

The pipeline (see ``docs/conformance.md`` for every formula):

1. the process (a catalogue id, a :class:`StandardProcess`, a BPMN or PNML file, a
   :class:`BpmnModel` or a :class:`PetriNet`) is compiled once into a workflow net whose
   visible transitions carry the standard's activity ids;
2. the log's activities are matched to those ids (mapping file, then the activities' Swedish
   or English names, then the ids themselves);
3. each *distinct* variant is aligned once (exactly, :mod:`fvmprocess.align`), its moves are
   classified into deviations, and the results are joined back to the cases with polars;
4. time limits from the process metadata are evaluated per case (``late``);
5. an allow-list of approved deviations is applied; scores are computed per case, activity
   and unit, with confidence intervals, and units are ranked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from fvmprocess.errors import ConformanceError
from fvmprocess.scoring import mean_interval, rank_units, wilson_exprs

if TYPE_CHECKING:
    from fvmprocess.align import AlignmentCosts
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.catalog import StandardProcess
    from fvmprocess.eventlog import ActivityMapping, EventLog, LogSchema
    from fvmprocess.petri import PetriNet

__all__ = [
    "DEVIATION_KINDS",
    "RESULT_SCHEMA_VERSION",
    "Allow",
    "ConformanceResult",
    "TimeLimitSpec",
    "check",
]

#: Version of the JSON written by :meth:`ConformanceResult.to_json` (docs/result-schema.md).
RESULT_SCHEMA_VERSION = "1.0"

DeviationKind = Literal["skipped", "inserted", "moved", "repeated", "unknown_activity", "late"]
DEVIATION_KINDS: tuple[str, ...] = (
    "skipped",
    "inserted",
    "moved",
    "repeated",
    "unknown_activity",
    "late",
)
_LOCAL_TZ = "Europe/Stockholm"


@dataclass(frozen=True, slots=True)
class Allow:
    """An approved deviation that does not count against a case.

    ``None`` in a field matches anything: ``Allow("skipped", "Activity_Xray")`` approves
    skipping the X-ray everywhere; add ``unit="Akutmottagningen Borås"`` for one unit only.
    """

    kind: str | None = None
    activity: str | None = None
    unit: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in DEVIATION_KINDS:
            raise ValueError(
                f"Allow.kind is {self.kind!r}; expected one of {', '.join(DEVIATION_KINDS)}"
            )


@dataclass(frozen=True, slots=True)
class TimeLimitSpec:
    """A normative time limit between two activities (or from the case start)."""

    id: str
    from_activity: str | None  # None: from the first event of the case
    to_activity: str
    max_duration: timedelta
    target_share: float | None = None
    source: str | None = None
    #: ``"elapsed"`` time, or ``"calendar_days"`` (SVF, vårdgaranti): whole local days between
    #: the two events' dates in Europe/Stockholm, ``P0D`` meaning the same day.
    counting: Literal["elapsed", "calendar_days"] = "elapsed"
    #: the limit applies only to cases with all of these activities …
    applies_if: tuple[str, ...] = ()
    #: … and none of these.
    applies_unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConformanceResult:
    """What :func:`check` found. All tables are polars DataFrames (``.to_pandas()`` works).

    Attributes:
        process: id, version and names of the standard process checked against.
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
    """

    process: dict[str, Any]
    cases: pl.DataFrame
    deviations: pl.DataFrame
    activities: pl.DataFrame
    units: pl.DataFrame
    time_limits: pl.DataFrame
    variants: pl.DataFrame
    accounting: dict[str, Any]
    activity_names: dict[str, dict[str, str]] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    model: BpmnModel | None = field(default=None, repr=False, compare=False)
    log_period: tuple[str | None, str | None] = (None, None)

    # -- summaries ------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Headline figures: cases, conforming share, mean fitness, deviations by kind."""
        n = self.cases.height
        conf = int(self.cases["conforming"].sum()) if n else 0
        kinds = (
            dict(
                self.deviations.filter(~pl.col("allowed"))
                .group_by("kind")
                .len()
                .sort("kind")
                .iter_rows()
            )
            if self.deviations.height
            else {}
        )
        return {
            "process": self.process.get("id"),
            "cases": n,
            "units": self.units.height,
            "variants": self.variants.height,
            "conforming": conf,
            "conforming_share": _r(conf / n) if n else None,
            "mean_fitness": _r(float(self.cases["fitness"].mean())) if n else None,  # type: ignore[arg-type]
            "deviations": {k: int(v) for k, v in kinds.items()},
        }

    def unit_scores(self) -> list[Any]:
        """The units as :class:`~fvmprocess.scoring.UnitScore` objects, best first."""
        from fvmprocess.scoring import UnitScore

        fields = UnitScore.__slots__
        return [
            UnitScore(**{k: row.get(k) for k in fields})  # type: ignore[arg-type]
            for row in self.units.iter_rows(named=True)
        ]

    # -- JSON -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data following ``docs/result-schema.json``."""
        devs_by_case: dict[str, list[dict[str, Any]]] = {}
        for row in self.deviations.sort(["case", "position", "kind", "activity"]).iter_rows(
            named=True
        ):
            devs_by_case.setdefault(row["case"], []).append(
                {
                    "kind": row["kind"],
                    "activity": row["activity"],
                    "position": row["position"],
                    "time": _iso(row["time"]),
                    "limit": row["limit"],
                    "allowed": bool(row["allowed"]),
                }
            )
        cases = [
            {
                "case": r["case"],
                "unit": r["unit"],
                "variant": r["variant"],
                "events": r["events"],
                "cost": _r(r["cost"]),
                "fitness": _r(r["fitness"]),
                "conforming": bool(r["conforming"]),
                "deviations": devs_by_case.get(r["case"], []),
            }
            for r in self.cases.sort("case").iter_rows(named=True)
        ]
        return {
            "schema": "fvmprocess.conformance",
            "schema_version": RESULT_SCHEMA_VERSION,
            "process": self.process,
            "summary": self.summary(),
            "cases": cases,
            "units": [_clean(r) for r in self.units.iter_rows(named=True)],
            "activities": [_clean(r) for r in self.activities.iter_rows(named=True)],
            "time_limits": [_clean(r) for r in self.time_limits.iter_rows(named=True)],
            "variants": [
                _clean(r)
                for r in self.variants.select(
                    "variant", "activities", "cases", "cost", "fitness", "moves"
                ).iter_rows(named=True)
            ],
            "accounting": self.accounting,
            "unmapped_activities": dict(sorted(self.unmapped.items())),
            "options": self.options,
        }

    def to_json(self, path: str | Path | None = None, *, indent: int | None = 2) -> str:
        """Serialise to JSON (deterministic: sorted rows, fixed float precision).

        Args:
            path: also write it there.
            indent: JSON indentation (None for compact).
        """
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, sort_keys=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> ConformanceResult:
        """Load a result written by :meth:`to_json` (for reports from a saved result)."""
        from fvmprocess.errors import ConformanceError

        p = Path(source)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise ConformanceError(f"cannot read the result JSON ({e})", source=str(p)) from e
        if data.get("schema") != "fvmprocess.conformance":
            raise ConformanceError(
                "not an fvmprocess conformance result (expected schema 'fvmprocess.conformance')",
                source=str(p),
            )
        cases = pl.DataFrame(
            [{k: v for k, v in c.items() if k != "deviations"} for c in data["cases"]],
            schema_overrides={"unit": pl.String},
        )
        devs = pl.DataFrame(
            [
                {"case": c["case"], "unit": c["unit"], **d}
                for c in data["cases"]
                for d in c["deviations"]
            ],
            schema={
                "case": pl.String,
                "unit": pl.String,
                "kind": pl.String,
                "activity": pl.String,
                "position": pl.Int64,
                "time": pl.String,
                "limit": pl.String,
                "allowed": pl.Boolean,
            },
        ).with_columns(pl.col("time").str.to_datetime(time_zone="UTC", strict=False))
        return cls(
            process=data["process"],
            cases=cases,
            deviations=devs,
            activities=pl.DataFrame(data["activities"]),
            units=pl.DataFrame(data["units"]),
            time_limits=pl.DataFrame(data["time_limits"]),
            variants=pl.DataFrame(data["variants"]),
            accounting=data["accounting"],
            unmapped=data.get("unmapped_activities", {}),
            options=data.get("options", {}),
        )

    def _repr_html_(self) -> str:
        """Notebook view: headline figures, the unit ranking and the deviation overlay.

        Follows the documents' privacy rules: no case ids, counts below 5 as "<5", and every
        text passed through :func:`fvmprocess.report.redact`.
        """
        from html import escape

        from fvmprocess.report import redact

        s = self.summary()
        rows = "".join(
            f"<tr><td>{r['rank']}</td><td>{escape(redact(str(r['unit'])))}</td>"
            f"<td>{escape(_suppress(r['cases']))}</td><td>{_pct(r['conforming_share'])}</td>"
            f"<td>{r['mean_fitness']:.3f}</td></tr>"
            for r in self.units.iter_rows(named=True)
        )
        svg = ""
        if self.model is not None:
            try:
                from fvmprocess.bpmn.draw import to_svg
                from fvmprocess.overlay import deviation_overlay

                svg = redact(to_svg(self.model, overlay=deviation_overlay(self)))
            except Exception:  # a notebook summary must not fail on drawing
                svg = ""
        title = redact(str(self.process.get("name_sv") or self.process.get("id")))
        return (
            f"<div><h4>{escape(title)}</h4>"
            f"<p>{escape(_suppress(s['cases']))} cases, {s['variants']} variants, conforming "
            f"{_pct(s['conforming_share'])}, mean fitness {s['mean_fitness']}</p>"
            "<table><tr><th>#</th><th>Unit</th><th>Cases</th><th>Conforming</th>"
            f"<th>Fitness</th></tr>{rows}</table>{svg}</div>"
        )


def _suppress(n: int) -> str:
    return "<5" if 0 < n < 5 else str(n)


def _pct(v: float | None) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{100 * v:.1f} %"


def _r(v: Any) -> Any:
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None
        return round(v, 6)
    return v


def _iso(v: Any) -> str | None:
    if v is None:
        return None
    return str(v.isoformat()) if hasattr(v, "isoformat") else str(v)


def _clean(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, float):
            out[k] = _r(v)
        elif hasattr(v, "isoformat"):
            out[k] = v.isoformat()
        elif isinstance(v, list):
            out[k] = [_clean(x) if isinstance(x, dict) else x for x in v]
        else:
            out[k] = v
    return out


# ---------------------------------------------------------------------------------------------
# Resolving the process
# ---------------------------------------------------------------------------------------------


@dataclass
class _Target:
    net: PetriNet
    model: BpmnModel | None
    info: dict[str, Any]
    names: dict[str, dict[str, str]]
    limits: list[TimeLimitSpec]
    allow: list[Allow]
    start_ids: set[str]


def _resolve(process: Any, catalog: Any) -> _Target:
    from fvmprocess.petri import PetriNet

    if isinstance(process, PetriNet):
        return _Target(process, None, {"id": process.name}, {}, [], [], set())
    sp = None
    model = None
    if isinstance(process, str | Path):
        p = Path(process)
        if p.suffix.lower() == ".pnml":
            from fvmprocess.petri import read_pnml

            net = read_pnml(p)
            return _Target(net, None, {"id": p.stem, "source": p.name}, {}, [], [], set())
        if p.suffix.lower() in (".bpmn", ".xml") or p.exists():
            from fvmprocess.bpmn.reader import read_bpmn

            model = read_bpmn(p)
        else:
            from fvmprocess.catalog import catalog as load_catalog

            sp = (catalog or load_catalog())[str(process)]
    elif hasattr(process, "metadata") and hasattr(process, "model"):
        sp = process
    else:
        model = process
    if sp is not None:
        model = sp.model
    from fvmprocess.compile import to_petri_net

    assert model is not None
    net = to_petri_net(model, label="id", catalog=catalog)
    names: dict[str, dict[str, str]] = {}
    for n in model.nodes.values():
        if n.is_activity:
            names[n.id] = {"sv": n.name or n.id, "en": n.documentation or n.name or n.id}
    limits: list[TimeLimitSpec] = []
    allow: list[Allow] = []
    start_ids = {n.id for n in model.nodes.values() if n.type == "startEvent"}
    if sp is not None:
        md = sp.metadata
        info = {
            "id": md.id,
            "version": md.version,
            "name_sv": md.name.sv,
            "name_en": md.name.en,
        }
        for a in md.activities:
            names[a.id] = {"sv": a.name.sv, "en": a.name.en}
        for tl in md.time_limits:
            frm = tl.from_activity
            limits.append(
                TimeLimitSpec(
                    id=tl.id,
                    from_activity=None if frm in start_ids else frm,
                    to_activity=tl.to_activity,
                    max_duration=_timedelta(tl),
                    target_share=tl.target_share,
                    source=getattr(tl.source, "title", None) or str(tl.source),
                    counting=getattr(tl, "counting", "elapsed"),
                    applies_if=tuple(getattr(tl, "applies_if", ()) or ()),
                    applies_unless=tuple(getattr(tl, "applies_unless", ()) or ()),
                )
            )
        for v in getattr(md, "variations", []) or []:
            units = list(getattr(v, "units", None) or [None])
            for act in getattr(v, "allowed_skips", []) or []:
                for u in units:
                    allow.append(Allow("skipped", act, u, reason=v.id))
    else:
        info = {"id": model.process().id, "name_sv": model.process().name, "source": model.source}
    return _Target(net, model, info, names, limits, allow, start_ids)


def _timedelta(tl: Any) -> timedelta:
    for attr in ("duration", "timedelta", "max_timedelta"):
        v = getattr(tl, attr, None)
        if isinstance(v, timedelta):
            return v
    v = tl.max_duration
    if isinstance(v, timedelta):
        return v
    from fvmprocess.catalog import parse_duration

    return parse_duration(str(v))


# ---------------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------------


def check(
    process: StandardProcess | BpmnModel | PetriNet | str | Path,
    log: EventLog | str | Path | Any,
    *,
    schema: LogSchema | None = None,
    mapping: ActivityMapping | Mapping[str, str] | str | Path | None = None,
    allow: Iterable[Allow] = (),
    use_approved_variations: bool = True,
    time_limits: Sequence[TimeLimitSpec] | None = None,
    costs: AlignmentCosts | None = None,
    processes: int = 1,
    engine: Literal["embedded", "spark"] = "embedded",
    catalog: Any = None,
    progress: Any = None,
) -> ConformanceResult:
    """Check every case of a log against a standard process.

    Args:
        process: a catalogue id (``"akutmottagning"``), a :class:`StandardProcess`, a
            ``.bpmn``/``.pnml`` path, a :class:`BpmnModel` or a :class:`PetriNet`.
        log: an :class:`EventLog`, or anything :func:`read_log` reads (path, DataFrame).
        schema: column names when ``log`` still has to be read.
        mapping: local activity names/codes -> standard activity ids.
        allow: approved deviations that do not count.
        use_approved_variations: also allow the process metadata's approved variations.
        time_limits: override the metadata's time limits.
        costs: alignment move costs (standard: 1 per visible log/model move).
        processes: worker processes for the alignments.
        engine: ``"embedded"`` (polars, this machine) or ``"spark"`` (pyspark extra).
        catalog: the catalogue to resolve ids and call activities in (default: the shipped one).
        progress: a callable ``progress(done, total)`` called while variants are aligned.

    Returns:
        A :class:`ConformanceResult`.

    Raises:
        ConformanceError: the process cannot be compiled or the log has no usable events.
        LogError: the log cannot be read.

    Example:
        >>> result = check("akutmottagning", "event_logs/akutmottagning.csv")  # doctest: +SKIP
        >>> result.units.select("unit", "conforming_share").head(2)  # doctest: +SKIP
    """
    if engine not in ("embedded", "spark"):
        raise ValueError(f"engine is {engine!r}; expected 'embedded' or 'spark'")
    target = _resolve(process, catalog)
    from fvmprocess.eventlog import EventLog, read_log

    if isinstance(mapping, str | Path):
        from fvmprocess.eventlog import ActivityMapping

        mapping = ActivityMapping.load(mapping)
    if not isinstance(log, EventLog):
        log = read_log(log, schema=schema, mapping=mapping)
    elif mapping is not None:
        raise ConformanceError(
            "mapping given with an EventLog that is already read: pass mapping to read_log"
        )
    limits = list(time_limits) if time_limits is not None else target.limits
    rules = list(allow) + (target.allow if use_approved_variations else [])
    events = _match_activities(log.events, target)
    if events.height == 0:
        raise ConformanceError(
            "the log has no usable events (see its accounting for rejected rows)",
            source=log.source,
        )
    import importlib

    case_tab, var_tab = importlib.import_module(f"fvmprocess.engines.{engine}").variant_table(
        events
    )
    return _finish(
        target, log, events, case_tab, var_tab, limits, rules, costs, processes, progress, engine
    )


def _match_activities(events: pl.DataFrame, target: _Target) -> pl.DataFrame:
    """Map names (sv/en) of the standard's activities to their ids; keep the rest as is."""
    labels = target.net.labels
    lookup: dict[str, str] = {}
    for aid, names in target.names.items():
        if aid not in labels:
            continue
        for v in names.values():
            lookup.setdefault(v, aid)
            lookup.setdefault(v.casefold(), aid)
    if not lookup:
        return events
    distinct = [a for a in events["activity"].unique().to_list() if a is not None]
    renames: dict[str, str] = {}
    for a in distinct:
        if a in labels:
            continue
        new = lookup.get(a) or lookup.get(a.strip().casefold())
        if new is not None and new != a:
            renames[a] = new
    if not renames:
        return events
    # replace() keeps the row order (a join would not promise it) and touches no other column
    return events.with_columns(pl.col("activity").replace(renames))


def _classify(
    moves: Sequence[Any], labels: frozenset[str] | set[str], costs: AlignmentCosts | None
) -> list[tuple[str, str, int, float]]:
    """Alignment moves -> deviations ``(kind, activity, position, cost)``.

    Rules (in this order, per activity): a log move and a model move of the same activity in
    one alignment pair up as ``moved`` (first unpaired log move with first unpaired model move);
    other log moves are ``unknown_activity`` (not in the model), ``repeated`` (the activity
    also occurs elsewhere in the case: which of two equal events the alignment calls the extra
    one is a tie, so the classification must not depend on it) or ``inserted``; other visible
    model moves are ``skipped``.
    """
    pos = 0
    log_moves: list[tuple[str, int]] = []
    model_moves: list[tuple[str, int]] = []
    occurrences: dict[str, int] = {}
    for m in moves:
        if m.kind == "sync":
            occurrences[m.log] = occurrences.get(m.log, 0) + 1
            pos += 1
        elif m.kind == "log":
            occurrences[m.log] = occurrences.get(m.log, 0) + 1
            log_moves.append((m.log, pos))
            pos += 1
        elif m.kind == "model":
            model_moves.append((m.model, pos))
    out: list[tuple[str, str, int, float]] = []
    unpaired_model = list(range(len(model_moves)))

    def lc(a: str) -> float:
        return costs.log_cost(a) if costs is not None else 1.0

    def mc(a: str) -> float:
        return costs.model_cost(a) if costs is not None else 1.0

    for act, p in log_moves:
        if act not in labels:
            out.append(("unknown_activity", act, p, lc(act)))
            continue
        j = next((k for k in unpaired_model if model_moves[k][0] == act), None)
        if j is not None:
            unpaired_model.remove(j)
            out.append(("moved", act, p, lc(act) + mc(act)))
        elif occurrences[act] > 1:
            out.append(("repeated", act, p, lc(act)))
        else:
            out.append(("inserted", act, p, lc(act)))
    for k in unpaired_model:
        act, p = model_moves[k]
        out.append(("skipped", act, p, mc(act)))
    out.sort(key=lambda d: (d[2], d[0], d[1]))
    return out


def _finish(
    target: _Target,
    log: EventLog,
    events: pl.DataFrame,
    case_tab: pl.DataFrame,
    var_tab: pl.DataFrame,
    limits: list[TimeLimitSpec],
    rules: list[Allow],
    costs: AlignmentCosts | None,
    processes: int,
    progress: Any,
    engine: str = "embedded",
) -> ConformanceResult:
    from fvmprocess.align import Aligner

    traces = [tuple(v) for v in var_tab["activities"].to_list()]
    alignments = []
    step = max(1, len(traces) // 100)
    aligner = Aligner(target.net, costs=costs)
    if engine == "spark":  # distinct variants shipped to the executors
        from fvmprocess.engines.spark import align_variants_spark

        alignments = align_variants_spark(target.net, traces, costs=costs)
        if progress:
            progress(len(traces), len(traces))
    elif processes > 1:
        alignments = aligner.align_variants(traces, processes=processes)
        if progress:
            progress(len(traces), len(traces))
    else:
        for i, t in enumerate(traces):
            alignments.append(aligner.align(t))
            if progress and (i % step == 0 or i == len(traces) - 1):
                progress(i + 1, len(traces))
    labels = target.net.labels
    var_rows = []
    dev_rows: list[tuple[int, str, str, int, float]] = []
    for vid, al in zip(var_tab["variant"].to_list(), alignments, strict=True):
        var_rows.append(
            (
                vid,
                float(al.cost),
                float(al.worst_cost),
                [
                    {"log": m.log, "model": m.model, "kind": m.kind}
                    for m in al.moves
                    if m.kind != "silent"
                ],
            )
        )
        for kind, act, p, c in _classify(al.moves, labels, costs):
            dev_rows.append((vid, kind, act, p, c))
    var_res = pl.DataFrame(
        var_rows,
        schema={
            "variant": pl.Int64,
            "cost": pl.Float64,
            "worst_cost": pl.Float64,
            "moves": pl.List(pl.Struct({"log": pl.String, "model": pl.String, "kind": pl.String})),
        },
        orient="row",
    )
    variants = var_tab.join(var_res, on="variant", how="left").with_columns(
        pl.when(pl.col("worst_cost") > 0)
        .then(1 - pl.col("cost") / pl.col("worst_cost"))
        .otherwise(1.0)
        .alias("fitness")
    )
    var_devs = pl.DataFrame(
        dev_rows,
        schema={
            "variant": pl.Int64,
            "kind": pl.String,
            "activity": pl.String,
            "position": pl.Int64,
            "dev_cost": pl.Float64,
        },
        orient="row",
    )
    # deviations per case: join variant deviations to cases, add event times
    # each case's events are contiguous in ``events`` (sorted by case, time, row), so an event
    # is found at (index of the case's first event + its position): no per-event join
    first = (
        events.select("case")
        .with_row_index("_i")
        .group_by("case")
        .agg(pl.col("_i").min().cast(pl.Int64).alias("_first"))
    )
    devs = (
        case_tab.select("case", "unit", "variant")
        .join(var_devs, on="variant", how="inner")
        .join(first, on="case", how="left")
    )
    idx = devs.select(
        pl.when(pl.col("kind") != "skipped").then(pl.col("_first") + pl.col("position"))
    ).to_series()
    devs = devs.with_columns(
        events["timestamp"].gather(idx).alias("time"), pl.lit(None, pl.String).alias("limit")
    ).drop("_first")
    # late: time limits per case
    late, limit_rows = _time_limits(events, case_tab, limits, first)
    devs = pl.concat(
        [
            devs.select(
                "case", "unit", "kind", "activity", "position", "time", "limit", "dev_cost"
            ),
            late.select(
                "case", "unit", "kind", "activity", "position", "time", "limit", "dev_cost"
            ),
        ],
        how="vertical_relaxed",
    )
    devs = devs.with_columns(_allowed_expr(rules).alias("allowed")).sort(
        ["case", "position", "kind", "activity"], nulls_last=True
    )
    per_case = devs.group_by("case").agg(
        (pl.col("dev_cost") * (~pl.col("allowed") & (pl.col("kind") != "late")).cast(pl.Float64))
        .sum()
        .alias("_counted"),
        (pl.col("dev_cost") * (pl.col("allowed") & (pl.col("kind") != "late")).cast(pl.Float64))
        .sum()
        .alias("_allowed_cost"),
        (~pl.col("allowed")).sum().alias("deviations"),
        ((pl.col("kind") == "late") & ~pl.col("allowed")).sum().alias("late"),
    )
    cases = (
        case_tab.join(variants.select("variant", "cost", "worst_cost"), on="variant", how="left")
        .join(per_case, on="case", how="left")
        .with_columns(
            pl.col("deviations").fill_null(0).cast(pl.Int64),
            pl.col("late").fill_null(0).cast(pl.Int64),
            (pl.col("cost") - pl.col("_allowed_cost").fill_null(0.0))
            .clip(lower_bound=0.0)
            .alias("counted_cost"),
        )
        .with_columns(
            pl.when(pl.col("worst_cost") > 0)
            .then(1 - pl.col("counted_cost") / pl.col("worst_cost"))
            .otherwise(1.0)
            .alias("fitness"),
            ((pl.col("counted_cost") == 0) & (pl.col("late") == 0)).alias("conforming"),
        )
        .drop("_counted", "_allowed_cost")
        .sort("case")
    )
    devs = devs.drop("dev_cost")
    units = _unit_scores(cases, limit_rows)
    activities = _activity_scores(cases, devs, target)
    period = (
        _iso(events["timestamp"].min()) if "timestamp" in events.columns else None,
        _iso(events["timestamp"].max()) if "timestamp" in events.columns else None,
    )
    return ConformanceResult(
        process=target.info,
        cases=cases,
        deviations=devs,
        activities=activities,
        units=units,
        time_limits=limit_rows,
        variants=variants.sort("variant"),
        accounting=log.accounting.to_dict(),
        activity_names=target.names,
        unmapped={
            str(k): int(v)
            for k, v in events.filter(~pl.col("activity").is_in(sorted(labels)))
            .group_by("activity")
            .len()
            .iter_rows()
        },
        options={
            "allow": [
                {"kind": r.kind, "activity": r.activity, "unit": r.unit, "reason": r.reason}
                for r in rules
            ],
            "time_limits": [
                {
                    "id": t.id,
                    "from": t.from_activity,
                    "to": t.to_activity,
                    "max_seconds": t.max_duration.total_seconds(),
                    "target_share": t.target_share,
                    "counting": t.counting,
                }
                for t in limits
            ],
            "costs": "standard" if costs is None or costs.is_standard else "custom",
        },
        model=target.model,
        log_period=period,
    )


def _allowed_expr(rules: list[Allow]) -> pl.Expr:
    expr = pl.lit(False)
    for r in rules:
        cond = pl.lit(True)
        if r.kind is not None:
            cond = cond & (pl.col("kind") == r.kind)
        if r.activity is not None:
            cond = cond & (pl.col("activity") == r.activity)
        if r.unit is not None:
            cond = cond & (pl.col("unit") == r.unit)
        expr = expr | cond
    return expr


def _time_limits(
    events: pl.DataFrame,
    case_tab: pl.DataFrame,
    limits: list[TimeLimitSpec],
    first: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    late_schema: dict[str, Any] = {
        "case": pl.String,
        "unit": pl.String,
        "kind": pl.String,
        "activity": pl.String,
        "position": pl.Int64,
        "time": pl.Datetime("us", "UTC"),
        "limit": pl.String,
        "dev_cost": pl.Float64,
    }
    empty_rows = pl.DataFrame(
        schema={
            "unit": pl.String,
            "limit": pl.String,
            "from_activity": pl.String,
            "to_activity": pl.String,
            "max_seconds": pl.Float64,
            "target_share": pl.Float64,
            "evaluated": pl.Int64,
            "within": pl.Int64,
            "share": pl.Float64,
            "share_low": pl.Float64,
            "share_high": pl.Float64,
            "meets_target": pl.Boolean,
            "median_s": pl.Float64,
            "durations_s": pl.List(pl.Float64),
        }
    )
    if not limits or events["timestamp"].null_count() == events.height:
        return pl.DataFrame(schema=late_schema), empty_rows
    # one pass over the events: first time and position of every activity a limit needs
    needed = sorted(
        {
            a
            for t in limits
            for a in (t.from_activity, t.to_activity, *t.applies_if, *t.applies_unless)
            if a is not None
        }
    )
    firsts = (
        events.select("case", "activity", "timestamp")
        .with_row_index("_i")
        .filter(pl.col("activity").is_in(needed))
        .group_by("case", "activity")
        .agg(pl.col("timestamp").min().alias("_t"), pl.col("_i").min().cast(pl.Int64).alias("_i"))
        .join(first, on="case", how="left")
        .with_columns((pl.col("_i") - pl.col("_first")).alias("position"))
        .drop("_i", "_first")
    )
    starts = case_tab.select("case", pl.col("start").alias("_from"))
    lates = []
    per_case = []
    for lim in limits:
        to = firsts.filter(pl.col("activity") == lim.to_activity).select(
            "case", pl.col("_t").alias("_to"), "position"
        )
        if lim.from_activity is None:
            frm = starts
        else:
            frm = firsts.filter(pl.col("activity") == lim.from_activity).select(
                "case", pl.col("_t").alias("_from")
            )
        scope = case_tab.select("case", "unit")
        for act in lim.applies_if:
            scope = scope.join(
                firsts.filter(pl.col("activity") == act).select("case"), on="case", how="semi"
            )
        for act in lim.applies_unless:
            scope = scope.join(
                firsts.filter(pl.col("activity") == act).select("case"), on="case", how="anti"
            )
        d = (
            scope.join(frm, on="case", how="inner")
            .join(to, on="case", how="inner")
            .with_columns(
                ((pl.col("_to") - pl.col("_from")).dt.total_microseconds() / 1e6).alias("_dur"),
                pl.lit(lim.id).alias("limit"),
            )
        )
        if lim.counting == "calendar_days":
            local_days = (
                pl.col("_to").dt.convert_time_zone(_LOCAL_TZ).dt.date()
                - pl.col("_from").dt.convert_time_zone(_LOCAL_TZ).dt.date()
            ).dt.total_days()
            d = d.with_columns((local_days > lim.max_duration.days).alias("_late"))
        else:
            d = d.with_columns((pl.col("_dur") > lim.max_duration.total_seconds()).alias("_late"))
        per_case.append(d.select("case", "unit", "limit", "_dur", "_late"))
        lates.append(
            d.filter(pl.col("_late")).select(
                "case",
                "unit",
                pl.lit("late").alias("kind"),
                pl.lit(lim.to_activity).alias("activity"),
                "position",
                pl.col("_to").alias("time"),
                "limit",
                pl.lit(0.0).alias("dev_cost"),
            )
        )
    late = pl.concat(lates, how="vertical_relaxed") if lates else pl.DataFrame(schema=late_schema)
    allc = pl.concat(per_case, how="vertical_relaxed")
    meta = pl.DataFrame(
        {
            "limit": [t.id for t in limits],
            "from_activity": [t.from_activity for t in limits],
            "to_activity": [t.to_activity for t in limits],
            "max_seconds": [t.max_duration.total_seconds() for t in limits],
            "target_share": [t.target_share for t in limits],
        },
        schema={
            "limit": pl.String,
            "from_activity": pl.String,
            "to_activity": pl.String,
            "max_seconds": pl.Float64,
            "target_share": pl.Float64,
        },
    )

    def agg(frame: pl.DataFrame, unit: pl.Expr | None) -> pl.DataFrame:
        keys = ["unit", "limit"] if unit is None else ["limit"]
        g = frame.group_by(keys).agg(
            pl.len().cast(pl.Int64).alias("evaluated"),
            (~pl.col("_late")).sum().cast(pl.Int64).alias("within"),
            pl.col("_dur").median().alias("median_s"),
            pl.col("_dur").sort().alias("durations_s"),
        )
        if unit is not None:
            g = g.with_columns(unit.alias("unit"))
        return g.select("unit", "limit", "evaluated", "within", "median_s", "durations_s")

    counted = pl.concat([agg(allc, None), agg(allc, pl.lit("*"))], how="vertical_relaxed")
    unit_names = pl.concat(
        [case_tab.select(pl.col("unit").cast(pl.String)).unique(), pl.DataFrame({"unit": ["*"]})]
    )
    rows = (
        unit_names.join(meta.select("limit"), how="cross")
        .join(counted, on=["unit", "limit"], how="left")
        .with_columns(
            pl.col("evaluated").fill_null(0),
            pl.col("within").fill_null(0),
            pl.col("durations_s").fill_null(pl.lit([], pl.List(pl.Float64))),
        )
        .join(meta, on="limit", how="left")
    )
    rows = (
        rows.with_columns(
            pl.when(pl.col("evaluated") > 0)
            .then(pl.col("within") / pl.col("evaluated"))
            .otherwise(None)
            .alias("share")
        )
        .with_columns(*wilson_exprs("within", "evaluated", "share"))
        .with_columns(
            pl.when(pl.col("target_share").is_null() | pl.col("share").is_null())
            .then(None)
            .otherwise(pl.col("share") >= pl.col("target_share"))
            .alias("meets_target")
        )
        .select(empty_rows.columns)
        .sort(["limit", "unit"])
    )
    return late, rows


def _unit_scores(cases: pl.DataFrame, limits: pl.DataFrame) -> pl.DataFrame:
    u = cases.group_by("unit").agg(
        pl.len().cast(pl.Int64).alias("cases"),
        pl.col("conforming").sum().cast(pl.Int64).alias("conforming"),
        pl.col("fitness").mean().alias("mean_fitness"),
        pl.col("fitness").std().alias("_sd"),
        pl.col("deviations").sum().cast(pl.Int64).alias("deviations"),
        pl.col("duration_s").median().alias("median_duration_s"),
    )
    u = (
        u.with_columns((pl.col("conforming") / pl.col("cases")).alias("conforming_share"))
        .with_columns(*wilson_exprs("conforming", "cases", "conforming_share"))
        .with_columns(*mean_interval("mean_fitness", "_sd", "cases", "mean_fitness"))
        .drop("_sd")
    )
    if limits.height:
        tl = (
            limits.filter(pl.col("unit") != "*")
            .group_by("unit")
            .agg(
                pl.col("within").sum().alias("_w"),
                pl.col("evaluated").sum().alias("_e"),
                pl.col("meets_target").drop_nulls().all().alias("time_limits_met"),
            )
            .with_columns((pl.col("_w") / pl.col("_e")).alias("time_limit_compliance"))
            .with_columns(*wilson_exprs("_w", "_e", "time_limit_compliance"))
            .drop("_w", "_e")
        )
        u = u.join(tl, on="unit", how="left")
    else:
        u = u.with_columns(
            pl.lit(None, pl.Float64).alias("time_limit_compliance"),
            pl.lit(None, pl.Float64).alias("time_limit_compliance_low"),
            pl.lit(None, pl.Float64).alias("time_limit_compliance_high"),
            pl.lit(None, pl.Boolean).alias("time_limits_met"),
        )
    ranked = rank_units(u)
    return ranked.select(
        "rank",
        "unit",
        "cases",
        "conforming",
        "conforming_share",
        "conforming_share_low",
        "conforming_share_high",
        "mean_fitness",
        "mean_fitness_low",
        "mean_fitness_high",
        "deviations",
        "median_duration_s",
        "time_limit_compliance",
        "time_limit_compliance_low",
        "time_limit_compliance_high",
        "time_limits_met",
    )


def _activity_scores(cases: pl.DataFrame, devs: pl.DataFrame, target: _Target) -> pl.DataFrame:
    counted = devs.filter(~pl.col("allowed"))
    per = counted.group_by("unit", "activity", "kind").agg(pl.col("case").n_unique().alias("n"))
    n_units = cases.group_by("unit").agg(pl.len().alias("unit_cases"))
    acts = sorted(target.net.labels | set(devs["activity"].unique().to_list()))
    grid = n_units.join(
        pl.DataFrame({"activity": acts}, schema={"activity": pl.String}), how="cross"
    )
    allg = pl.DataFrame(
        {"unit": ["*"], "unit_cases": [cases.height]},
        schema={"unit": pl.String, "unit_cases": pl.UInt32},
    ).join(pl.DataFrame({"activity": acts}, schema={"activity": pl.String}), how="cross")
    grid = pl.concat([grid, allg], how="vertical_relaxed")
    per_all = (
        per.group_by("activity", "kind")
        .agg(pl.col("n").sum())
        .with_columns(pl.lit("*").alias("unit"))
    )
    per = pl.concat([per, per_all.select(per.columns)], how="vertical_relaxed")
    wide = per.pivot(on="kind", index=["unit", "activity"], values="n", aggregate_function="sum")
    out = grid.join(wide, on=["unit", "activity"], how="left")
    for k in DEVIATION_KINDS:
        if k not in out.columns:
            out = out.with_columns(pl.lit(0, pl.UInt32).alias(k))
    out = (
        out.with_columns([pl.col(k).fill_null(0).cast(pl.Int64) for k in DEVIATION_KINDS])
        .with_columns(
            [(pl.col(k) / pl.col("unit_cases")).alias(f"{k}_rate") for k in DEVIATION_KINDS]
        )
        .with_columns(
            (
                (
                    pl.col("inserted")
                    + pl.col("repeated")
                    + pl.col("moved")
                    + pl.col("unknown_activity")
                )
                / pl.col("unit_cases")
            ).alias("insert_rate"),
            pl.col("skipped_rate").alias("skip_rate"),
            pl.col("late_rate").alias("late_rate_"),
            pl.col("activity").is_in(sorted(target.net.labels)).alias("in_model"),
        )
        .drop("late_rate_")
    )
    columns = [
        "unit",
        "activity",
        "cases",
        "in_model",
        *DEVIATION_KINDS,
        *(f"{k}_rate" for k in DEVIATION_KINDS),
        "skip_rate",
        "insert_rate",
    ]
    return (
        out.rename({"unit_cases": "cases"})
        .with_columns(pl.col("cases").cast(pl.Int64))
        .select(columns)
        .sort(["unit", "activity"])
    )
