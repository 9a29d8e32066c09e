"""Simulated unit event logs: play-out of a standard process with injected deviations.

The simulator plays the token game on the process's workflow net (from the initial to the final
marking), gives every visible transition a realistic duration, spreads cases over a period and
over care units, and then injects deviations per case with each unit's deviation rate: skipped,
inserted, moved (two adjacent events swapped), repeated and unknown local activities, and broken
time limits (``late``). What was injected is returned as ground truth, so tests and demos can
check that :func:`fvmprocess.conformance.check` finds it. ``docs/simulation.md`` describes the
method.

Timestamps are zone-aware (``Datetime("us", "Europe/Stockholm")``), whole minutes, strictly
increasing within a case. Case ids look like ``ED-2025-000123``; resources are roles
(``sjuksköterska``, ``läkare``…). No personal data is ever generated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal, overload
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from fvmprocess.conformance import DEVIATION_KINDS
from fvmprocess.errors import CatalogError, SimulationError

if TYPE_CHECKING:
    from fvmprocess.align import Aligner
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.catalog import StandardProcess
    from fvmprocess.petri import PetriNet

__all__ = [
    "ED_UNITS",
    "HOSPITAL_UNITS",
    "INJECTED_KINDS",
    "LOCAL_ACTIVITIES",
    "SimulationConfig",
    "SimulationError",
    "SimulationResult",
    "Simulator",
    "simulate_log",
]

#: Swedish emergency departments (Västra Götalandsregionen), the default units of ED processes.
ED_UNITS: tuple[str, ...] = (
    "Akutmottagningen Sahlgrenska",
    "Akutmottagningen Östra",
    "Akutmottagningen Mölndal",
    "Akutmottagningen NÄL",
    "Akutmottagningen Borås",
    "Akutmottagningen Skövde",
    "Akutmottagningen Alingsås",
)
#: Hospitals of Västra Götalandsregionen, the default units of other processes.
HOSPITAL_UNITS: tuple[str, ...] = (
    "Sahlgrenska Universitetssjukhuset",
    "Södra Älvsborgs sjukhus",
    "Skaraborgs sjukhus",
    "NU-sjukvården",
    "Alingsås lasarett",
    "Kungälvs sjukhus",
)
#: Local activities that no standard contains (they become ``unknown_activity``).
LOCAL_ACTIVITIES: tuple[str, ...] = (
    "Journalanteckning",
    "Telefonsamtal",
    "Anhörigkontakt",
    "Administrativ åtgärd",
    "Tolkbokning",
)
#: Deviation kinds the simulator injects (``late`` through time-limit breaches).
INJECTED_KINDS: tuple[str, ...] = DEVIATION_KINDS
_STRUCTURAL = INJECTED_KINDS[:-1]
_DEFAULT_RATES = (0.05, 0.1, 0.15, 0.25, 0.35)
_ZONE = "Europe/Stockholm"
_CASE_PREFIX = {
    "akutmottagning": "ED",
    "sepsis_akut": "SEPSIS",
    "stroke_trombolys": "STROKE",
    "hoftfraktur": "HOFT",
    "remiss_vardgaranti": "REM",
    "oppenvardsbesok": "OPV",
    "lakemedelsprocess": "LKM",
    "in_utskrivning": "INUT",
    "elektiv_kirurgi": "OP",
}
_OFFICE_HOURS_HINTS = ("remiss", "oppenvard", "elektiv", "svf", "vardgaranti")
_ED_HINTS = ("akut", "sepsis", "stroke", "ed")
_ROLES = (
    ("medicinsk sekreterare", ("registrering", "remiss", "kallelse", "bokning", "registration")),
    ("undersköterska", ("provtagning", "blododling", "blodgas", "ekg", "sampling")),
    ("fysioterapeut", ("mobiliser", "fysio", "rehab")),
    ("apotekare", ("läkemedelsgenomgång", "farmaceut")),
    (
        "läkare",
        ("läkar", "bedömning", "beslut", "diagnos", "operation", "utredning", "ordination"),
    ),
)
_KNOWN_ROLES = ("sjuksköterska", "läkare", "undersköterska", "fysioterapeut", "sekreterare")


@dataclass(frozen=True, kw_only=True)
class SimulationConfig:
    """Settings of a simulation run. Every field has a default.

    Attributes:
        cases: number of cases.
        units: unit name -> deviation rate (share of its cases given one or two structural
            deviations). ``None``: five Swedish units (emergency departments for ED-like
            processes, hospitals otherwise) with rates 0.05, 0.1, 0.15, 0.25 and 0.35.
        seed: seed of the ``numpy.random.Generator(PCG64(seed))``; same seed, same log.
        start: first arrival (a date or time string, or a datetime; naive means Stockholm time).
        period_days: cases arrive as a Poisson process over this many days.
        activity_names: ``"sv"``/``"en"`` activity names or the standard's ``"id"``s.
        time_limit_breach: share of cases (per unit with a mapping) in which one applicable
            time limit is deliberately broken. ``None``: half the unit's deviation rate.
        kind_weights: relative weights of the structural deviation kinds.
        second_deviation: probability that a deviating case gets a second deviation.
        loop_probability: weight of entering a loop again against leaving it.
        repeat_decay: each earlier firing of a loop transition multiplies its weight by this.
        sigma: log-standard deviation of activity durations (lognormal).
        limit_quantile: the sum of median durations on a time limit's path is this share of
            the limit, so most cases keep it without an injected breach.
        default_minutes: median activity duration when the process has no time limits.
        office_hours: move events outside weekdays 08-16 to the next opening; ``None``:
            on for referral and outpatient processes (ids with remiss, oppenvard, elektiv…).
        case_prefix: prefix of case ids; ``None``: derived from the process id (``ED``…).
        verify: check with the alignment engine that each injected deviation raises the
            case's alignment cost, and retry another one otherwise, so the truth is detectable.
        max_steps: step cap of one play-out (a run that does not end within it is retried).
    """

    cases: int = 1000
    units: Mapping[str, float] | None = None
    seed: int = 0
    start: datetime | date | str = "2025-01-01"
    period_days: float = 90.0
    activity_names: Literal["sv", "en", "id"] = "sv"
    time_limit_breach: float | Mapping[str, float] | None = None
    kind_weights: Mapping[str, float] = field(
        default_factory=lambda: dict.fromkeys(_STRUCTURAL, 1.0)
    )
    second_deviation: float = 0.25
    loop_probability: float = 0.25
    repeat_decay: float = 0.3
    sigma: float = 0.45
    limit_quantile: float = 0.45
    default_minutes: float = 15.0
    office_hours: bool | None = None
    case_prefix: str | None = None
    verify: bool = True
    max_steps: int = 1000

    def __post_init__(self) -> None:
        if self.cases < 0:
            raise ValueError(f"cases is {self.cases}; expected >= 0")
        if self.activity_names not in ("sv", "en", "id"):
            raise ValueError(
                f"activity_names is {self.activity_names!r}; expected 'sv', 'en' or 'id'"
            )
        if self.units is not None:
            if not self.units:
                raise ValueError("units is empty; give at least one unit name and rate")
            for u, r in self.units.items():
                if not 0.0 <= float(r) <= 1.0:
                    raise ValueError(f"deviation rate of unit {u!r} is {r}; expected 0..1")
        b = self.time_limit_breach
        for v in [b] if isinstance(b, int | float) else (b or {}).values():
            if not 0.0 <= float(v) <= 1.0:
                raise ValueError(f"time_limit_breach {v} is not a share 0..1")
        unknown = set(self.kind_weights) - set(_STRUCTURAL)
        if unknown:
            raise ValueError(
                f"kind_weights has unknown kinds {sorted(unknown)}; expected {list(_STRUCTURAL)}"
            )
        if self.period_days <= 0:
            raise ValueError(f"period_days is {self.period_days}; expected > 0")
        if not 0.0 <= self.loop_probability <= 1.0 or not 0.0 <= self.repeat_decay <= 1.0:
            raise ValueError("loop_probability and repeat_decay must be in 0..1")


@dataclass(frozen=True)
class SimulationResult:
    """A simulated log and what was injected into it.

    Unpacks as ``log, truth = result``.

    Attributes:
        log: the events: ``case``, ``activity``, ``timestamp`` (Europe/Stockholm),
            ``unit``, ``resource``; sorted by case and time.
        truth: one row per injected deviation: ``case``, ``unit``, ``kind``, ``activity``
            (standard id, or the local name for ``unknown_activity``), ``other`` (for
            ``moved``: the activity it was swapped with), ``limit`` (for ``late``: the time
            limit id).
        cases: one row per case: ``case``, ``unit``, ``deviation_rate``, ``injected``
            (structural deviations), ``breached`` (the limit id broken on purpose, or null).
        activity_names: standard activity id -> name as written in ``log``.
    """

    log: pl.DataFrame
    truth: pl.DataFrame
    cases: pl.DataFrame
    activity_names: dict[str, str]

    def __iter__(self) -> Iterator[pl.DataFrame]:
        yield self.log
        yield self.truth


@dataclass(frozen=True)
class _Limit:
    id: str
    frm: str | None  # None: from the first event
    to: str
    seconds: float
    calendar_days: bool = False
    applies_if: tuple[str, ...] = ()
    applies_unless: tuple[str, ...] = ()

    @property
    def budget(self) -> float:
        """Seconds the path from ``frm`` to ``to`` may take (a working day for ``P0D``)."""
        return self.seconds + 8 * 3600 if self.calendar_days else self.seconds

    @property
    def broken_after(self) -> float:
        """An elapsed time that certainly breaks the limit."""
        return self.seconds + 86400 if self.calendar_days else self.seconds

    def applies(self, activities: set[str]) -> bool:
        """Whether the limit applies to a case with these activities."""
        return all(a in activities for a in self.applies_if) and not any(
            a in activities for a in self.applies_unless
        )

    def span(self, events: Sequence[tuple[str, float]]) -> tuple[float, float] | None:
        """(from, to) times of the first occurrences in a case, if the limit applies."""
        if not events or not self.applies({a for a, _ in events}):
            return None
        t_to = next((t for a, t in events if a == self.to), None)
        if self.frm is None:
            t_from: float | None = events[0][1]
        else:
            t_from = next((t for a, t in events if a == self.frm), None)
        if t_to is None or t_from is None or t_to <= t_from:
            return None
        return t_from, t_to

    def is_late(self, events: Sequence[tuple[str, float]], zone: ZoneInfo) -> bool:
        """Whether a case (absolute epoch seconds) breaks the limit, as ``check`` counts it."""
        span = self.span(events)
        if span is None:
            return False
        if self.calendar_days:
            d0 = datetime.fromtimestamp(span[0], zone).date()
            d1 = datetime.fromtimestamp(span[1], zone).date()
            return (d1 - d0).days > self.seconds // 86400
        return span[1] - span[0] > self.seconds


@dataclass
class _Case:
    events: list[tuple[str, float]]  # (activity id or local name, seconds since arrival)
    truth: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    original: list[bool] = field(default_factory=list)  # event not injected or moved

    def __post_init__(self) -> None:
        if not self.original:
            self.original = [True] * len(self.events)


class Simulator:
    """Plays out a standard process into a unit event log with injected deviations.

    Args:
        process: a catalogue id, a :class:`StandardProcess`, a :class:`BpmnModel` or a
            :class:`PetriNet` (visible transitions labelled with activity ids).
        config: the settings; defaults when ``None``.
        catalog: the catalogue that resolves ids (default: the shipped one).

    Raises:
        CatalogError: an id is not in the catalogue.
        TranslationError: the BPMN model cannot be compiled.
        SimulationError: the net has no visible transition.

    Example:
        >>> sim = Simulator("akutmottagning", SimulationConfig(cases=200, seed=1))  # doctest: +SKIP
        >>> log, truth = sim.run()  # doctest: +SKIP
    """

    def __init__(
        self,
        process: StandardProcess | BpmnModel | PetriNet | str,
        config: SimulationConfig | None = None,
        *,
        catalog: Any = None,
    ) -> None:
        self.config = config or SimulationConfig()
        self._resolve(process, catalog)
        self._prepare_net()
        self._scales = self._duration_scales()

    # -- resolving the process -------------------------------------------------------------
    def _resolve(self, process: Any, catalog: Any) -> None:
        from fvmprocess.compile import to_petri_net
        from fvmprocess.petri import PetriNet

        self.process_id: str
        self.names: dict[str, dict[str, str]] = {}
        self.limits: list[_Limit] = []
        self.roles: dict[str, str] = {}
        model = None
        metadata = None
        if isinstance(process, PetriNet):
            self.net = process
            self.process_id = process.name
        else:
            if isinstance(process, str):
                try:
                    from fvmprocess.catalog import catalog as load_catalog
                except ImportError as e:  # pragma: no cover - until the catalogue lands
                    raise CatalogError(
                        f"cannot resolve {process!r}: the catalogue is not available"
                    ) from e
                process = (catalog or load_catalog())[process]
            if hasattr(process, "metadata") and hasattr(process, "model"):
                metadata = process.metadata
                model = process.model
            else:
                model = process
            self.net = to_petri_net(model, label="id", catalog=catalog)
            self.process_id = (
                str(_get(metadata, "id")) if metadata is not None else model.process().id
            )
        starts: set[str] = set()
        if model is not None:
            starts = {n.id for n in model.nodes.values() if n.type == "startEvent"}
            lane_of: dict[str, str] = {}
            for lane in model.lanes.values():
                for nid in lane.nodes:
                    lane_of[nid] = (lane.name or "").strip().lower()
            for n in model.nodes.values():
                if n.is_activity:
                    sv = n.name or n.id
                    self.names[n.id] = {"sv": sv, "en": n.documentation or sv}
                    self.roles[n.id] = _role(sv, lane_of.get(n.id, ""))
        if metadata is not None:
            for a in _get(metadata, "activities") or []:
                name = _get(a, "name")
                aid = str(_get(a, "id"))
                sv, en = str(_get(name, "sv") or aid), str(_get(name, "en") or aid)
                self.names[aid] = {"sv": sv, "en": en}
                self.roles.setdefault(aid, _role(sv, ""))
            for tl in _get(metadata, "time_limits") or []:
                frm = _get(tl, "from_activity")
                self.limits.append(
                    _Limit(
                        id=str(_get(tl, "id")),
                        frm=None if frm is None or frm in starts else str(frm),
                        to=str(_get(tl, "to_activity")),
                        seconds=_duration_seconds(_get(tl, "max_duration")),
                        calendar_days=_get(tl, "counting") == "calendar_days",
                        applies_if=tuple(_get(tl, "applies_if") or ()),
                        applies_unless=tuple(_get(tl, "applies_unless") or ()),
                    )
                )
        labels = sorted(self.net.labels)
        if not labels:
            raise SimulationError("the net has no visible transition", source=self.process_id)
        for lab in labels:
            self.names.setdefault(lab, {"sv": lab, "en": lab})
            self.roles.setdefault(lab, _role(lab, ""))
        # limits whose activities the net does not have cannot be simulated
        self.limits = [
            lim
            for lim in self.limits
            if lim.to in self.net.labels and (lim.frm is None or lim.frm in self.net.labels)
        ]
        self.labels = labels
        taken = {v.casefold() for d in self.names.values() for v in d.values()}
        self.local_activities = [a for a in LOCAL_ACTIVITIES if a.casefold() not in taken]

    # -- the net ---------------------------------------------------------------------------
    def _prepare_net(self) -> None:
        net = self.net
        tids = [t.id for t in net.transitions]
        self._tids = tids
        self._label = {t.id: t.label for t in net.transitions}
        self._pre = {t: sorted(net.preset(t).items()) for t in tids}
        self._post = {t: sorted(net.postset(t).items()) for t in tids}
        self._consumers: dict[str, list[str]] = {p: [] for p in net.places}
        for t in tids:
            for p, _ in self._pre[t]:
                self._consumers[p].append(t)
        self._final = dict(net.final_marking)
        # transitions on a cycle of the net graph
        succ: dict[str, set[str]] = {}
        for t in tids:
            succ[t] = {t2 for p, _ in self._post[t] for t2 in self._consumers[p]}
        on_cycle: set[str] = set()
        for t in tids:
            seen: set[str] = set()
            stack = list(succ[t])
            while stack:
                x = stack.pop()
                if x == t:
                    on_cycle.add(t)
                    break
                if x in seen:
                    continue
                seen.add(x)
                stack.extend(succ[x])
        # a loop-entering transition: on a cycle, in conflict with one that is not
        self._loop: set[str] = set()
        for t in on_cycle:
            rivals = {r for p, _ in self._pre[t] for r in self._consumers[p]} - {t}
            if any(r not in on_cycle for r in rivals):
                self._loop.add(t)
        self._on_cycle = on_cycle

    def _play(self, rng: np.random.Generator, delay: Any) -> list[tuple[str, float]]:
        """One run of the timed token game: visible events as (label, time)."""
        cfg = self.config
        for _ in range(50):
            marking: dict[str, list[float]] = {
                p: [0.0] * n for p, n in self.net.initial_marking.items()
            }
            fired: dict[str, int] = {}
            events: list[tuple[float, int, str]] = []
            for step in range(cfg.max_steps):
                if self._is_final(marking):
                    events.sort()
                    return [(lab, t) for t, _, lab in events]
                cand = sorted({t for p in marking if marking[p] for t in self._consumers[p]})
                enabled = [
                    t for t in cand if all(len(marking.get(p, ())) >= w for p, w in self._pre[t])
                ]
                if not enabled:
                    break
                weights = np.array([self._weight(t, fired) for t in enabled], dtype=float)
                if weights.sum() <= 0:
                    weights = np.ones(len(enabled))
                t = enabled[int(rng.choice(len(enabled), p=weights / weights.sum()))]
                fired[t] = fired.get(t, 0) + 1
                ready = 0.0
                for p, w in self._pre[t]:
                    toks = marking[p]
                    toks.sort()
                    ready = max([ready, *toks[:w]])
                    del toks[:w]
                    if not toks:
                        del marking[p]
                lab = self._label[t]
                when = ready + (delay(lab, rng) if lab is not None else 0.0)
                if lab is not None:
                    events.append((when, step, lab))
                for p, w in self._post[t]:
                    marking.setdefault(p, []).extend([when] * w)
        raise SimulationError(
            f"no run reached the final marking within {cfg.max_steps} steps in 50 tries",
            source=self.process_id,
        )

    def _is_final(self, marking: Mapping[str, list[float]]) -> bool:
        have = {p: len(v) for p, v in marking.items() if v}
        return have == self._final

    def _weight(self, t: str, fired: Mapping[str, int]) -> float:
        cfg = self.config
        w = 1.0
        if t in self._loop:
            w *= cfg.loop_probability
        if t in self._on_cycle:
            w *= cfg.repeat_decay ** fired.get(t, 0)
        return w

    # -- durations -------------------------------------------------------------------------
    def _duration_scales(self) -> dict[str, float]:
        """Median duration (seconds) per activity, derived from the time limits."""
        cfg = self.config
        rng = np.random.Generator(np.random.PCG64(20250101))
        runs = [self._play(rng, lambda _lab, _rng: 1.0) for _ in range(200)]
        scale: dict[str, float] = {}
        for lim in self.limits:
            steps: list[float] = []
            inside: dict[str, int] = {}
            applicable = 0
            for ev in runs:
                span = lim.span(ev)
                if span is None:
                    continue
                t_from, t_to = span
                applicable += 1
                steps.append(t_to - t_from)
                for a in {a for a, t in ev if t_from < t <= t_to}:
                    inside[a] = inside.get(a, 0) + 1
            if not steps:
                continue
            per_step = lim.budget * cfg.limit_quantile / float(np.median(steps))
            for a, n in inside.items():
                if n >= 0.1 * applicable:
                    scale[a] = min(scale.get(a, math.inf), per_step)
        default = float(np.median(list(scale.values()))) if scale else cfg.default_minutes * 60
        return {lab: scale.get(lab, default) for lab in self.labels}

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> SimulationResult:
        """Simulate the log.

        Returns:
            The log, the injected ground truth and the per-case table.

        Raises:
            SimulationError: the net cannot be played out to its final marking.
        """
        cfg = self.config
        rng = np.random.Generator(np.random.PCG64(cfg.seed))
        units = dict(cfg.units) if cfg.units is not None else self._default_units()
        unit_names = list(units)
        breach = self._breach_rates(units)
        speed = {u: float(np.clip(rng.lognormal(0.0, 0.12), 0.8, 1.2)) for u in unit_names}
        office = (
            cfg.office_hours
            if cfg.office_hours is not None
            else any(h in self.process_id.lower() for h in _OFFICE_HOURS_HINTS)
        )
        zone = ZoneInfo(_ZONE)
        start = _start_instant(cfg.start, zone)
        year = start.astimezone(zone).year
        prefix = cfg.case_prefix or _case_prefix(self.process_id)
        mean_gap = cfg.period_days * 86400.0 / max(cfg.cases, 1)
        aligner = self._aligner() if cfg.verify and any(units.values()) else None
        sigma = cfg.sigma

        out_case: list[str] = []
        out_act: list[str] = []
        out_ts: list[datetime] = []
        out_unit: list[str] = []
        truth_rows: list[tuple[str, str, str, str, str | None, str | None]] = []
        case_rows: list[tuple[str, str, float, int, str | None]] = []
        arrival = 0.0
        for i in range(cfg.cases):
            arrival += float(rng.exponential(mean_gap))
            unit = unit_names[int(rng.integers(len(unit_names)))]
            f = speed[unit]

            def delay(lab: str, r: np.random.Generator, f: float = f) -> float:
                return float(self._scales[lab] * f * r.lognormal(0.0, sigma))

            case = _Case(self._play(rng, delay))
            if rng.random() < units[unit]:
                for _ in range(1 + int(rng.random() < cfg.second_deviation)):
                    self._inject(case, rng, aligner)
            breached = None
            if self.limits and rng.random() < breach[unit]:
                breached = self._breach(case, rng)
            # absolute times: arrival + offsets, office hours, whole minutes, strictly increasing
            t0 = start.timestamp() + arrival
            times = [t0 + t for _, t in case.events]
            if office:
                times = [_office(t, zone) for t in times]
            last = -math.inf
            stamps: list[float] = []
            for t in times:
                t = max(round(t / 60.0) * 60.0, last + 60.0)
                stamps.append(t)
                last = t
            if case.truth and case.truth[-1][0] == "late":
                final = [(a, t) for (a, _), t in zip(case.events, stamps, strict=True)]
                lim = next(x for x in self.limits if x.id == case.truth[-1][3])
                if not lim.is_late(final, zone):
                    case.truth.pop()
                    breached = None
            cid = f"{prefix}-{year}-{i + 1:06d}"
            for (act, _), t in zip(case.events, stamps, strict=True):
                out_case.append(cid)
                out_act.append(act)
                out_ts.append(datetime.fromtimestamp(t, UTC))
                out_unit.append(unit)
            for kind, act, other, limit in case.truth:
                truth_rows.append((cid, unit, kind, act, other, limit))
            injected = sum(1 for k, *_ in case.truth if k != "late")
            case_rows.append((cid, unit, float(units[unit]), injected, breached))
        names = {
            lab: (lab if cfg.activity_names == "id" else self.names[lab][cfg.activity_names])
            for lab in self.labels
        }
        log = pl.DataFrame(
            {
                "case": out_case,
                "activity": [names.get(a, a) for a in out_act],
                "timestamp": pl.Series(out_ts, dtype=pl.Datetime("us", "UTC")),
                "unit": out_unit,
                "resource": [self.roles.get(a, "sjuksköterska") for a in out_act],
            },
            schema={
                "case": pl.String,
                "activity": pl.String,
                "timestamp": pl.Datetime("us", "UTC"),
                "unit": pl.String,
                "resource": pl.String,
            },
        ).with_columns(pl.col("timestamp").dt.convert_time_zone(_ZONE))
        truth = pl.DataFrame(
            truth_rows,
            schema={
                "case": pl.String,
                "unit": pl.String,
                "kind": pl.String,
                "activity": pl.String,
                "other": pl.String,
                "limit": pl.String,
            },
            orient="row",
        )
        cases = pl.DataFrame(
            case_rows,
            schema={
                "case": pl.String,
                "unit": pl.String,
                "deviation_rate": pl.Float64,
                "injected": pl.Int64,
                "breached": pl.String,
            },
            orient="row",
        )
        return SimulationResult(log=log, truth=truth, cases=cases, activity_names=names)

    # -- units and rates -------------------------------------------------------------------
    def _default_units(self) -> dict[str, float]:
        pid = self.process_id.lower()
        pool = ED_UNITS if any(pid.startswith(h) or h in pid for h in _ED_HINTS) else HOSPITAL_UNITS
        return dict(zip(pool, _DEFAULT_RATES, strict=False))

    def _breach_rates(self, units: Mapping[str, float]) -> dict[str, float]:
        b = self.config.time_limit_breach
        if b is None:
            return {u: r / 2 for u, r in units.items()}
        if isinstance(b, int | float):
            return dict.fromkeys(units, float(b))
        return {u: float(b.get(u, units[u] / 2)) for u in units}

    # -- deviations ------------------------------------------------------------------------
    def _aligner(self) -> Aligner:
        from fvmprocess.align import Aligner

        return Aligner(self.net)

    def _inject(self, case: _Case, rng: np.random.Generator, aligner: Aligner | None) -> None:
        """Apply one structural deviation to events that are not injected themselves.

        With an aligner, the deviation is kept only when an optimal alignment of the new trace
        shows it (and every deviation injected before), so the truth is what ``check`` can see.
        """
        cfg = self.config
        kinds = [k for k in _STRUCTURAL if cfg.kind_weights.get(k, 0.0) > 0]
        if not kinds:
            return
        w = np.array([cfg.kind_weights[k] for k in kinds], dtype=float)
        for _ in range(12):
            kind = kinds[int(rng.choice(len(kinds), p=w / w.sum()))]
            trial = self._mutate(case, kind, rng)
            if trial is None:
                continue
            events, original, act, other = trial
            truth = [*case.truth, (kind, act, other, None)]
            if aligner is not None:
                moves = aligner.align([a for a, _ in events]).moves
                if not all(_explains(moves, k, a, o) for k, a, o, _ in truth):
                    continue
            case.events, case.original, case.truth = events, original, truth
            return

    def _mutate(
        self, case: _Case, kind: str, rng: np.random.Generator
    ) -> tuple[list[tuple[str, float]], list[bool], str, str | None] | None:
        ev = list(case.events)
        orig = list(case.original)
        n = len(ev)
        idx = [i for i in range(n) if orig[i]]
        if n < 3 or not idx:
            return None

        def between(i: int) -> float:
            """A time for a new event placed before index i."""
            lo = ev[i - 1][1] if i > 0 else ev[0][1] - 120.0
            hi = ev[i][1] if i < n else lo + 2 * self._scales.get(ev[-1][0], 300.0)
            return lo + (hi - lo) * float(rng.uniform(0.2, 0.8))

        if kind == "skipped":
            i = idx[int(rng.integers(len(idx)))]
            act = ev.pop(i)[0]
            orig.pop(i)
            return ev, orig, act, None
        if kind == "moved":
            pairs = [i for i in idx if i + 1 < n and orig[i + 1] and ev[i][0] != ev[i + 1][0]]
            if not pairs:
                return None
            i = pairs[int(rng.integers(len(pairs)))]
            (a, ta), (b, tb) = ev[i], ev[i + 1]
            ev[i], ev[i + 1] = (b, ta), (a, tb)
            orig[i] = orig[i + 1] = False
            return ev, orig, a, b
        if kind == "repeated":
            i = idx[int(rng.integers(len(idx)))]
            act = ev[i][0]
            ev.insert(i + 1, (act, between(i + 1)))
            orig.insert(i + 1, False)
            return ev, orig, act, None
        present = {a for a, _ in ev}
        if kind == "inserted":
            pool = [lab for lab in self.labels if lab not in present]
        else:
            pool = [a for a in self.local_activities if a not in present]
        if not pool:
            return None
        act = pool[int(rng.integers(len(pool)))]
        i = int(rng.integers(1, n + 1))
        ev.insert(i, (act, between(i)))
        orig.insert(i, False)
        return ev, orig, act, None

    def _breach(self, case: _Case, rng: np.random.Generator) -> str | None:
        """Break one applicable time limit: delay the limit's end and all that follows."""
        ev = case.events
        options: list[tuple[_Limit, float, float]] = []
        for lim in self.limits:
            span = lim.span(ev)
            if span is not None:
                options.append((lim, *span))
        if not options:
            return None
        lim, t_from, t_to = options[int(rng.integers(len(options)))]
        over = max(lim.broken_after * float(rng.uniform(0.05, 0.6)), 180.0)
        extra = max(0.0, lim.broken_after - (t_to - t_from)) + over
        case.events = [(a, t + extra if t >= t_to else t) for a, t in ev]
        case.truth.append(("late", lim.to, None, lim.id))
        return lim.id


# ---------------------------------------------------------------------------------------------
# The short path
# ---------------------------------------------------------------------------------------------


@overload
def simulate_log(
    process: StandardProcess | BpmnModel | PetriNet | str,
    *,
    cases: int = ...,
    units: Mapping[str, float] | None = ...,
    seed: int = ...,
    start: datetime | date | str = ...,
    activity_names: Literal["sv", "en", "id"] = ...,
    time_limit_breach: float | Mapping[str, float] | None = ...,
    return_truth: Literal[False] = ...,
    config: SimulationConfig | None = ...,
    catalog: Any = ...,
) -> pl.DataFrame: ...


@overload
def simulate_log(
    process: StandardProcess | BpmnModel | PetriNet | str,
    *,
    cases: int = ...,
    units: Mapping[str, float] | None = ...,
    seed: int = ...,
    start: datetime | date | str = ...,
    activity_names: Literal["sv", "en", "id"] = ...,
    time_limit_breach: float | Mapping[str, float] | None = ...,
    return_truth: Literal[True],
    config: SimulationConfig | None = ...,
    catalog: Any = ...,
) -> SimulationResult: ...


def simulate_log(
    process: StandardProcess | BpmnModel | PetriNet | str,
    *,
    cases: int = 1000,
    units: Mapping[str, float] | None = None,
    seed: int = 0,
    start: datetime | date | str = "2025-01-01",
    activity_names: Literal["sv", "en", "id"] = "sv",
    time_limit_breach: float | Mapping[str, float] | None = None,
    return_truth: bool = False,
    config: SimulationConfig | None = None,
    catalog: Any = None,
) -> pl.DataFrame | SimulationResult:
    """Simulate a unit event log of a standard process with injected deviations.

    A thin wrapper over ``Simulator(process, SimulationConfig(...)).run()``.

    Args:
        process: a catalogue id, a :class:`StandardProcess`, a :class:`BpmnModel` or a
            :class:`PetriNet`.
        cases: number of cases.
        units: unit name -> deviation rate; ``None`` for five default Swedish units.
        seed: random seed; the same seed gives the same frame.
        start: first arrival (naive: Stockholm time).
        activity_names: write Swedish (``"sv"``) or English names, or activity ids.
        time_limit_breach: share of cases breaking a time limit on purpose (per unit with a
            mapping); ``None``: half each unit's deviation rate.
        return_truth: also return the injected ground truth.
        config: other settings; the keyword arguments above override its fields.
        catalog: the catalogue that resolves ids.

    Returns:
        The log (``case``, ``activity``, ``timestamp`` in Europe/Stockholm, ``unit``,
        ``resource``), or with ``return_truth=True`` a :class:`SimulationResult` that unpacks
        as ``log, truth``.

    Raises:
        CatalogError: an id is not in the catalogue.
        SimulationError: the process cannot be played out.
        ValueError: on invalid settings.

    Example:
        >>> log, truth = simulate_log("akutmottagning", cases=300, return_truth=True)  # doctest: +SKIP
        >>> truth.group_by("kind").len()  # doctest: +SKIP
    """
    from dataclasses import replace

    cfg = replace(
        config or SimulationConfig(),
        cases=cases,
        units=units,
        seed=seed,
        start=start,
        activity_names=activity_names,
        time_limit_breach=time_limit_breach,
    )
    result = Simulator(process, cfg, catalog=catalog).run()
    return result if return_truth else result.log


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _explains(moves: Sequence[Any], kind: str, act: str, other: str | None) -> bool:
    """Whether an alignment's moves show an injected deviation (as ``check`` classifies)."""
    logs = [m.log for m in moves if m.kind == "log"]
    models = [m.model for m in moves if m.kind == "model"]
    if kind == "moved":
        return any(x in logs and x in models for x in (act, other))
    if kind == "skipped":
        return act in models and act not in logs
    if kind in ("inserted", "unknown_activity"):
        return act in logs and act not in models
    if kind == "repeated":
        return act in logs
    return True


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


_ISO_DURATION = re.compile(
    r"^P(?:(?P<w>\d+(?:[.,]\d+)?)W)?(?:(?P<d>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<m>\d+(?:[.,]\d+)?)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$"
)


def _duration_seconds(value: Any) -> float:
    """Seconds of a timedelta or an ISO 8601 duration (``PT60M``, ``P35D``, ``P2W``)."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().upper()
    m = _ISO_DURATION.match(text)
    if not m or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"time limit duration {value!r} is not an ISO 8601 duration")
    parts = {k: float(v.replace(",", ".")) if v else 0.0 for k, v in m.groupdict().items()}
    return (
        parts["w"] * 7 * 86400
        + parts["d"] * 86400
        + parts["h"] * 3600
        + parts["m"] * 60
        + parts["s"]
    )


def _role(name: str, lane: str) -> str:
    for role in _KNOWN_ROLES:
        if lane.startswith(role[:6]):
            return role
    low = name.lower()
    for role, words in _ROLES:
        if any(w in low for w in words):
            return role
    return "sjuksköterska"


def _case_prefix(process_id: str) -> str:
    if process_id in _CASE_PREFIX:
        return _CASE_PREFIX[process_id]
    letters = re.sub(r"[^A-Za-z]", "", process_id).upper()
    return letters[:6] or "CASE"


def _start_instant(value: datetime | date | str, zone: ZoneInfo) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value


def _office(t: float, zone: ZoneInfo) -> float:
    """The instant ``t`` (epoch seconds), moved to the next weekday 08:00-16:00 local."""
    local = datetime.fromtimestamp(t, zone)
    if local.weekday() < 5 and time(8) <= local.time() < time(16):
        return t
    day = local.date()
    if local.time() >= time(16) or local.weekday() >= 5:
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(8), zone).timestamp()
