"""Simulated unit event logs: play-out of a standard process with injected deviations.

The simulator plays the token game on the process's workflow net (from the initial to the final
marking), gives every visible transition a realistic duration, spreads cases over a period and
over care units, and then injects deviations per case with each unit's deviation rate: skipped,
inserted, moved (two adjacent events swapped), repeated and unknown local activities, and broken
time limits (``late``). What was injected is returned as ground truth, so tests and demos can
check that :func:`fvmprocess.conformance.check` finds it: an injected structural deviation is
kept only when the one classifier of ``check`` (:mod:`fvmprocess.conformance.classify`) reports
it on an optimal alignment. ``docs/simulation.md`` describes the method.

Timestamps are zone-aware (``Datetime("us", config.timezone)``, default Europe/Stockholm),
whole minutes, strictly increasing within a case. Case ids look like ``ED-2025-000123``;
resources are roles (``sjuksköterska``, ``läkare``…). No personal data is ever generated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal, overload
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from fvmprocess._shared.durations import DEFAULT_TIMEZONE, zone
from fvmprocess._shared.labels import LocalizedText
from fvmprocess._shared.vocab import DEVIATION_KINDS, STRUCTURAL_KINDS, DeviationKind
from fvmprocess.conformance.classify import classify, explains
from fvmprocess.errors import SimulationError
from fvmprocess.process import ProcessLike, ResolvedProcess, resolve_process
from fvmprocess.timelimit import TimeLimit

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.catalog import Catalog
    from fvmprocess.conformance.align import Aligner
    from fvmprocess.conformance.moves import Move

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
#: Deviation kinds the simulator injects: every kind (``late`` through time-limit breaches).
INJECTED_KINDS: tuple[DeviationKind, ...] = DEVIATION_KINDS
_DEFAULT_RATES = (0.05, 0.1, 0.15, 0.25, 0.35)
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
        start: first arrival (a date or time string, or a datetime; naive means local time in
            ``timezone``).
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
        verify: check with the alignment engine that each injected deviation is what
            ``check`` reports, and retry another one otherwise, so the truth is detectable.
        max_steps: step cap of one play-out (a run that does not end within it is retried).
        timezone: the IANA zone of the log: timestamps, office hours and calendar-day limits.
    """

    cases: int = 1000
    units: Mapping[str, float] | None = None
    seed: int = 0
    start: datetime | date | str = "2025-01-01"
    period_days: float = 90.0
    activity_names: Literal["sv", "en", "id"] = "sv"
    time_limit_breach: float | Mapping[str, float] | None = None
    kind_weights: Mapping[str, float] = field(
        default_factory=lambda: dict.fromkeys(STRUCTURAL_KINDS, 1.0)
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
    timezone: str = DEFAULT_TIMEZONE

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
        unknown = set(self.kind_weights) - set(STRUCTURAL_KINDS)
        if unknown:
            raise ValueError(
                f"kind_weights has unknown kinds {sorted(unknown)}; "
                f"expected {list(STRUCTURAL_KINDS)}"
            )
        if self.period_days <= 0:
            raise ValueError(f"period_days is {self.period_days}; expected > 0")
        if not 0.0 <= self.loop_probability <= 1.0 or not 0.0 <= self.repeat_decay <= 1.0:
            raise ValueError("loop_probability and repeat_decay must be in 0..1")
        zone(self.timezone)


@dataclass(frozen=True)
class SimulationResult:
    """A simulated log and what was injected into it.

    Unpacks as ``log, truth = result``.

    Attributes:
        log: the events: ``case``, ``activity``, ``timestamp`` (in the config's time zone),
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


#: One injected deviation: kind, activity, the other activity (``moved``), the limit (``late``).
_Truth = tuple[DeviationKind, str, str | None, str | None]
#: How long an activity takes: (activity, generator) -> seconds.
_Delay = Callable[[str, np.random.Generator], float]


@dataclass
class _Case:
    events: list[tuple[str, float]]  # (activity id or local name, seconds since arrival)
    truth: list[_Truth] = field(default_factory=list)
    original: list[bool] = field(default_factory=list)  # event not injected or moved

    def __post_init__(self) -> None:
        if not self.original:
            self.original = [True] * len(self.events)


@dataclass(frozen=True)
class _Plan:
    """What one run fixes before the first case: units, rates, clock and verifier."""

    rng: np.random.Generator
    units: dict[str, float]
    breach: dict[str, float]
    speed: dict[str, float]
    office: bool
    zone: ZoneInfo
    start: datetime
    prefix: str
    mean_gap: float
    aligner: Aligner | None


@dataclass
class _Rows:
    """The output rows of a run, filled case by case."""

    case: list[str] = field(default_factory=list)
    activity: list[str] = field(default_factory=list)
    timestamp: list[datetime] = field(default_factory=list)
    unit: list[str] = field(default_factory=list)
    truth: list[tuple[str, str, str, str, str | None, str | None]] = field(default_factory=list)
    cases: list[tuple[str, str, float, int, str | None]] = field(default_factory=list)

    def add(self, cid: str, unit: str, rate: float, case: _Case, stamps: Sequence[float]) -> None:
        for (act, _), t in zip(case.events, stamps, strict=True):
            self.case.append(cid)
            self.activity.append(act)
            self.timestamp.append(datetime.fromtimestamp(t, UTC))
            self.unit.append(unit)
        for kind, act, other, limit in case.truth:
            self.truth.append((cid, unit, kind, act, other, limit))
        injected = sum(1 for k, *_ in case.truth if k != "late")
        breached = next((lim for k, _, _, lim in case.truth if k == "late"), None)
        self.cases.append((cid, unit, rate, injected, breached))


class Simulator:
    """Plays out a standard process into a unit event log with injected deviations.

    Args:
        process: anything :func:`fvmprocess.process.resolve_process` accepts: a catalogue id,
            a ``.bpmn``/``.pnml`` path, a :class:`StandardProcess`, a :class:`BpmnModel` or a
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
        process: ProcessLike,
        config: SimulationConfig | None = None,
        *,
        catalog: Catalog | None = None,
    ) -> None:
        self.config = config or SimulationConfig()
        self._use(resolve_process(process, catalog=catalog))
        self._prepare_net()
        self._scales = self._duration_scales()

    # -- the process -----------------------------------------------------------------------
    def _use(self, resolved: ResolvedProcess) -> None:
        """Take the net, names, roles and simulable time limits of the resolved process."""
        self.process = resolved
        self.process_id = resolved.id
        self.net = resolved.net
        labels = sorted(self.net.labels)
        if not labels:
            raise SimulationError("the net has no visible transition", source=self.process_id)
        self.labels = labels
        self.names: dict[str, LocalizedText] = dict(resolved.labels)
        for lab in labels:
            self.names.setdefault(lab, LocalizedText(sv=lab, en=lab))
        self.roles = _roles(resolved.model, self.names)
        # limits whose activities the net does not have cannot be simulated
        self.limits: list[TimeLimit] = [
            lim
            for lim in resolved.time_limits
            if lim.to_activity in self.net.labels
            and (lim.from_activity is None or lim.from_activity in self.net.labels)
        ]
        taken = {v.casefold() for t in self.names.values() for v in (t.sv, t.en)}
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
        self._on_cycle = self._cycle_transitions()
        # a loop-entering transition: on a cycle, in conflict with one that is not
        self._loop: set[str] = set()
        for t in self._on_cycle:
            rivals = {r for p, _ in self._pre[t] for r in self._consumers[p]} - {t}
            if any(r not in self._on_cycle for r in rivals):
                self._loop.add(t)

    def _cycle_transitions(self) -> set[str]:
        """The transitions on a cycle of the net graph."""
        succ = {t: {t2 for p, _ in self._post[t] for t2 in self._consumers[p]} for t in self._tids}
        on_cycle: set[str] = set()
        for t in self._tids:
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
        return on_cycle

    def _play(self, rng: np.random.Generator, delay: _Delay) -> list[tuple[str, float]]:
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
                self._fire(t, step, marking, events, rng, delay)
        raise SimulationError(
            f"no run reached the final marking within {cfg.max_steps} steps in 50 tries",
            source=self.process_id,
        )

    def _fire(
        self,
        t: str,
        step: int,
        marking: dict[str, list[float]],
        events: list[tuple[float, int, str]],
        rng: np.random.Generator,
        delay: _Delay,
    ) -> None:
        """Fire ``t``: take the earliest tokens, add its duration, put the new tokens."""
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
                span = _span(lim, ev)
                if span is None:
                    continue
                t_from, t_to = span
                applicable += 1
                steps.append(t_to - t_from)
                for a in {a for a, t in ev if t_from < t <= t_to}:
                    inside[a] = inside.get(a, 0) + 1
            if not steps:
                continue
            per_step = _budget(lim) * cfg.limit_quantile / float(np.median(steps))
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
        plan = self._plan()
        year = plan.start.astimezone(plan.zone).year
        rows = _Rows()
        arrival = 0.0
        for i in range(self.config.cases):
            arrival += float(plan.rng.exponential(plan.mean_gap))
            unit = list(plan.units)[int(plan.rng.integers(len(plan.units)))]
            case = self._case(unit, plan)
            stamps = self._stamps(case, plan.start.timestamp() + arrival, plan)
            self._confirm_breach(case, stamps)
            rows.add(f"{plan.prefix}-{year}-{i + 1:06d}", unit, plan.units[unit], case, stamps)
        return self._result(rows)

    def _plan(self) -> _Plan:
        """The run's generator, units, breach rates, unit speeds, clock and verifier."""
        cfg = self.config
        rng = np.random.Generator(np.random.PCG64(cfg.seed))
        units = dict(cfg.units) if cfg.units is not None else self._default_units()
        speed = {u: float(np.clip(rng.lognormal(0.0, 0.12), 0.8, 1.2)) for u in units}
        office = (
            cfg.office_hours
            if cfg.office_hours is not None
            else any(h in self.process_id.lower() for h in _OFFICE_HOURS_HINTS)
        )
        tz = zone(cfg.timezone)
        return _Plan(
            rng=rng,
            units=units,
            breach=self._breach_rates(units),
            speed=speed,
            office=office,
            zone=tz,
            start=_start_instant(cfg.start, tz),
            prefix=cfg.case_prefix or _case_prefix(self.process_id),
            mean_gap=cfg.period_days * 86400.0 / max(cfg.cases, 1),
            aligner=self._aligner() if cfg.verify and any(units.values()) else None,
        )

    def _case(self, unit: str, plan: _Plan) -> _Case:
        """Play one case of ``unit`` and inject its deviations and time-limit breach."""
        cfg, rng = self.config, plan.rng
        case = _Case(self._play(rng, self._delay(plan.speed[unit])))
        if rng.random() < plan.units[unit]:
            for _ in range(1 + int(rng.random() < cfg.second_deviation)):
                self._inject(case, rng, plan.aligner)
        if self.limits and rng.random() < plan.breach[unit]:
            self._breach(case, rng)
        return case

    def _delay(self, factor: float) -> _Delay:
        """Activity durations of a unit working at ``factor`` times the standard pace."""
        sigma = self.config.sigma

        def delay(lab: str, rng: np.random.Generator) -> float:
            return float(self._scales[lab] * factor * rng.lognormal(0.0, sigma))

        return delay

    @staticmethod
    def _stamps(case: _Case, t0: float, plan: _Plan) -> list[float]:
        """Absolute times: arrival + offsets, office hours, whole minutes, strictly increasing."""
        times = [t0 + t for _, t in case.events]
        if plan.office:
            times = [_office(t, plan.zone) for t in times]
        last = -math.inf
        stamps: list[float] = []
        for t in times:
            t = max(round(t / 60.0) * 60.0, last + 60.0)
            stamps.append(t)
            last = t
        return stamps

    def _confirm_breach(self, case: _Case, stamps: Sequence[float]) -> None:
        """Drop an injected breach that rounding and office hours made keep its limit."""
        if not case.truth or case.truth[-1][0] != "late":
            return
        final = [(a, t) for (a, _), t in zip(case.events, stamps, strict=True)]
        lim = next(x for x in self.limits if x.id == case.truth[-1][3])
        span = _span(lim, final)
        if span is None or not lim.is_late(
            datetime.fromtimestamp(span[0], UTC),
            datetime.fromtimestamp(span[1], UTC),
            timezone=self.config.timezone,
        ):
            case.truth.pop()

    def _result(self, rows: _Rows) -> SimulationResult:
        """The log, truth and case frames of a run."""
        cfg = self.config
        names = {
            lab: (lab if cfg.activity_names == "id" else self.names[lab].get(cfg.activity_names))
            for lab in self.labels
        }
        log = pl.DataFrame(
            {
                "case": rows.case,
                "activity": [names.get(a, a) for a in rows.activity],
                "timestamp": pl.Series(rows.timestamp, dtype=pl.Datetime("us", "UTC")),
                "unit": rows.unit,
                "resource": [self.roles.get(a, "sjuksköterska") for a in rows.activity],
            },
            schema={
                "case": pl.String,
                "activity": pl.String,
                "timestamp": pl.Datetime("us", "UTC"),
                "unit": pl.String,
                "resource": pl.String,
            },
        ).with_columns(pl.col("timestamp").dt.convert_time_zone(cfg.timezone))
        truth = pl.DataFrame(
            rows.truth,
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
            rows.cases,
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
        from fvmprocess.conformance.align import Aligner

        return Aligner(self.net)

    def _inject(self, case: _Case, rng: np.random.Generator, aligner: Aligner | None) -> None:
        """Apply one structural deviation to events that are not injected themselves.

        With an aligner, the deviation is kept only when the classifier of ``check`` reports it
        (and every deviation injected before) on an optimal alignment of the new trace, so the
        truth is what ``check`` can see.
        """
        cfg = self.config
        kinds = [k for k in STRUCTURAL_KINDS if cfg.kind_weights.get(k, 0.0) > 0]
        if not kinds:
            return
        w = np.array([cfg.kind_weights[k] for k in kinds], dtype=float)
        for _ in range(12):
            kind = kinds[int(rng.choice(len(kinds), p=w / w.sum()))]
            trial = self._mutate(case, kind, rng)
            if trial is None:
                continue
            events, original, act, other = trial
            truth: list[_Truth] = [*case.truth, (kind, act, other, None)]
            if aligner is not None:
                moves = aligner.align([a for a, _ in events]).moves
                if not _reported(moves, truth, self.net.labels):
                    continue
            case.events, case.original, case.truth = events, original, truth
            return

    def _mutate(
        self, case: _Case, kind: DeviationKind, rng: np.random.Generator
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

    def _breach(self, case: _Case, rng: np.random.Generator) -> None:
        """Break one applicable time limit: delay the limit's end and all that follows."""
        ev = case.events
        options: list[tuple[TimeLimit, float, float]] = []
        for lim in self.limits:
            span = _span(lim, ev)
            if span is not None:
                options.append((lim, *span))
        if not options:
            return
        lim, t_from, t_to = options[int(rng.integers(len(options)))]
        broken_after = _broken_after(lim)
        over = max(broken_after * float(rng.uniform(0.05, 0.6)), 180.0)
        extra = max(0.0, broken_after - (t_to - t_from)) + over
        case.events = [(a, t + extra if t >= t_to else t) for a, t in ev]
        case.truth.append(("late", lim.to_activity, None, lim.id))


# ---------------------------------------------------------------------------------------------
# The short path
# ---------------------------------------------------------------------------------------------


class _Unset:
    """The default of :func:`simulate_log`'s keywords: not given, the config's value stands.

    Like httpx's ``UseClientDefault``: ``None`` is a meaningful value for some settings
    (``units=None`` = the default units), so "not given" needs its own marker.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Final = _Unset()


@overload
def simulate_log(
    process: ProcessLike,
    *,
    cases: int | _Unset = ...,
    units: Mapping[str, float] | _Unset | None = ...,
    seed: int | _Unset = ...,
    start: datetime | date | str | _Unset = ...,
    activity_names: Literal["sv", "en", "id"] | _Unset = ...,
    time_limit_breach: float | Mapping[str, float] | _Unset | None = ...,
    return_truth: Literal[False] = ...,
    config: SimulationConfig | None = ...,
    catalog: Catalog | None = ...,
) -> pl.DataFrame: ...


@overload
def simulate_log(
    process: ProcessLike,
    *,
    cases: int | _Unset = ...,
    units: Mapping[str, float] | _Unset | None = ...,
    seed: int | _Unset = ...,
    start: datetime | date | str | _Unset = ...,
    activity_names: Literal["sv", "en", "id"] | _Unset = ...,
    time_limit_breach: float | Mapping[str, float] | _Unset | None = ...,
    return_truth: Literal[True],
    config: SimulationConfig | None = ...,
    catalog: Catalog | None = ...,
) -> SimulationResult: ...


def simulate_log(
    process: ProcessLike,
    *,
    cases: int | _Unset = _UNSET,
    units: Mapping[str, float] | _Unset | None = _UNSET,
    seed: int | _Unset = _UNSET,
    start: datetime | date | str | _Unset = _UNSET,
    activity_names: Literal["sv", "en", "id"] | _Unset = _UNSET,
    time_limit_breach: float | Mapping[str, float] | _Unset | None = _UNSET,
    return_truth: bool = False,
    config: SimulationConfig | None = None,
    catalog: Catalog | None = None,
) -> pl.DataFrame | SimulationResult:
    """Simulate a unit event log of a standard process with injected deviations.

    A thin wrapper over ``Simulator(process, config).run()``: the keywords given override the
    fields of ``config`` (or of the default :class:`SimulationConfig`); keywords not given
    leave them as they are.

    Args:
        process: a catalogue id, a ``.bpmn``/``.pnml`` path, a :class:`StandardProcess`, a
            :class:`BpmnModel` or a :class:`PetriNet`.
        cases: number of cases (default 1000).
        units: unit name -> deviation rate; ``None`` for five default Swedish units.
        seed: random seed; the same seed gives the same frame.
        start: first arrival (naive: local time in the config's time zone).
        activity_names: write Swedish (``"sv"``) or English names, or activity ids.
        time_limit_breach: share of cases breaking a time limit on purpose (per unit with a
            mapping); ``None``: half each unit's deviation rate.
        return_truth: also return the injected ground truth.
        config: the settings; the keyword arguments given above override its fields.
        catalog: the catalogue that resolves ids.

    Returns:
        The log (``case``, ``activity``, ``timestamp`` in the config's time zone, ``unit``,
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
    given: dict[str, Any] = {
        "cases": cases,
        "units": units,
        "seed": seed,
        "start": start,
        "activity_names": activity_names,
        "time_limit_breach": time_limit_breach,
    }
    overrides = {k: v for k, v in given.items() if not isinstance(v, _Unset)}
    cfg = replace(config or SimulationConfig(), **overrides)
    result = Simulator(process, cfg, catalog=catalog).run()
    return result if return_truth else result.log


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _reported(moves: Sequence[Move], truth: Sequence[_Truth], labels: frozenset[str]) -> bool:
    """Whether ``check``'s classifier reports every injected deviation on these moves."""
    found = classify(moves, labels)
    return all(explains(found, kind, act, other) for kind, act, other, _ in truth)


def _span(lim: TimeLimit, events: Sequence[tuple[str, float]]) -> tuple[float, float] | None:
    """(from, to) times of the first occurrences in a case, if ``lim`` applies to it."""
    if not events or not lim.applies({a for a, _ in events}):
        return None
    t_to = next((t for a, t in events if a == lim.to_activity), None)
    if lim.from_activity is None:
        t_from: float | None = events[0][1]
    else:
        t_from = next((t for a, t in events if a == lim.from_activity), None)
    if t_to is None or t_from is None or t_to <= t_from:
        return None
    return t_from, t_to


def _budget(lim: TimeLimit) -> float:
    """Seconds the path of ``lim`` may take (a working day more for calendar days: ``P0D``)."""
    extra = 8 * 3600 if lim.counting == "calendar_days" else 0
    return lim.duration.total_seconds() + extra


def _broken_after(lim: TimeLimit) -> float:
    """An elapsed time (seconds) that certainly breaks ``lim``."""
    extra = 86400 if lim.counting == "calendar_days" else 0
    return lim.duration.total_seconds() + extra


def _roles(model: BpmnModel | None, names: Mapping[str, LocalizedText]) -> dict[str, str]:
    """Activity -> role: from the model's lanes and names, else from the activity's name."""
    roles: dict[str, str] = {}
    if model is not None:
        lane_of: dict[str, str] = {}
        for lane in model.lanes.values():
            for nid in lane.nodes:
                lane_of[nid] = (lane.name or "").strip().lower()
        for n in model.nodes.values():
            if n.is_activity:
                roles[n.id] = _role(n.name or n.id, lane_of.get(n.id, ""))
    for aid, name in names.items():
        roles.setdefault(aid, _role(name.sv, ""))
    return roles


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


def _start_instant(value: datetime | date | str, tz: ZoneInfo) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def _office(t: float, tz: ZoneInfo) -> float:
    """The instant ``t`` (epoch seconds), moved to the next weekday 08:00-16:00 local."""
    local = datetime.fromtimestamp(t, tz)
    if local.weekday() < 5 and time(8) <= local.time() < time(16):
        return t
    day = local.date()
    if local.time() >= time(16) or local.weekday() >= 5:
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(8), tz).timestamp()
