"""How :func:`~fvmprocess.conformance.check` runs: one options object with defaults."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypedDict, Unpack

from fvmprocess.conformance.align import DEFAULT_MEMORY, DEFAULT_VARIANT_SECONDS, Budget
from fvmprocess.conformance.allow import Allow
from fvmprocess.conformance.moves import AlignmentCosts
from fvmprocess.engines.embedded import UNIT_ASSIGNMENTS, UnitAssignment
from fvmprocess.trends import Period

if TYPE_CHECKING:
    from fvmprocess.catalog import Catalog
    from fvmprocess.eventlog import LogSchema
    from fvmprocess.eventlog.mapping import MappingLike
    from fvmprocess.timelimit import TimeLimit
    from fvmprocess.trends import MilestoneKey

__all__ = ["CheckOptionValues", "CheckOptions", "Engine", "Progress", "parse_bytes"]

#: Where variant extraction runs: polars on this machine, or Apache Spark.
Engine = Literal["embedded", "spark"]
#: A callback ``progress(done, total, states)`` called while variants are aligned (``states``:
#: search states explored so far).
Progress = Callable[[int, int, int], None]

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 2**10, "m": 10**6, "mb": 10**6}
_UNITS |= {"mib": 2**20, "g": 10**9, "gb": 10**9, "gib": 2**30, "t": 10**12, "tib": 2**40}


def parse_bytes(value: int | str) -> int:
    """Bytes from an int or a text like ``"2GiB"``, ``"512 MB"``, ``"1.5g"``.

    Raises:
        ValueError: not a positive size with a known unit (B, kB, KiB, MB, MiB, GB, GiB…).

    Example:
        >>> parse_bytes("2GiB"), parse_bytes("500MB"), parse_bytes(1024)
        (2147483648, 500000000, 1024)
    """
    if isinstance(value, bool):
        raise ValueError(f"memory is {value!r}; expected bytes or a size like '2GiB'")
    if isinstance(value, int):
        size = value
    else:
        found = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", str(value))
        unit = found.group(2).lower() if found else ""
        if found is None or unit not in _UNITS:
            raise ValueError(f"memory is {value!r}; expected bytes or a size like '2GiB', '500MB'")
        size = int(float(found.group(1)) * _UNITS[unit])
    if size <= 0:
        raise ValueError(f"memory is {value!r}; expected a size > 0")
    return size


@dataclass(frozen=True)
class CheckOptions:
    """Options of :func:`~fvmprocess.conformance.check`; :meth:`update` returns a copy.

    Attributes:
        schema: column names when the log still has to be read.
        mapping: local activity names/codes -> standard activity ids (an
            :class:`~fvmprocess.eventlog.ActivityMapping`, a dict, or its file), used when the
            log still has to be read.
        allow: approved deviations that do not count.
        use_approved_variations: also allow the catalogue's approved variations.
        time_limits: the limits to apply instead of the catalogue's (``None``: the
            catalogue's; build :class:`~fvmprocess.timelimit.TimeLimit` objects for any other
            model).
        costs: alignment move costs (``None``: 1 per visible log or model move).
        processes: worker processes for the alignments (the same results as one process).
        memory: memory budget of the alignments, bytes or a text like ``"2GiB"`` (default
            2 GiB; shared by the worker processes): beyond it no reachability graph is built
            and traces are aligned on the fly (docs/alignments.md).
        variant_seconds: CPU seconds per distinct variant before its alignment stops with
            a proven bound (``exact=False``, ``cost_lower``).
        time_budget: wall seconds for all alignments; once spent, the remaining variants
            get a minimal budget (usually bounded). ``None``: no total budget.
        search_states: product states one alignment search may store (``None``: from
            ``memory``).
        engine: ``"embedded"`` (polars, this machine) or ``"spark"`` (the pyspark extra).
        catalog: the catalogue ids and call activities are resolved in (default: shipped).
        progress: ``progress(done, total, states)``, called while variants are aligned.
        unit_assignment: how a case whose events name several units is counted: ``"first"``
            (wholly for its first event's unit), ``"most"`` (the unit with most of its
            events) or ``"split"`` (one case per unit episode, ids ``<case>#<k>``); the
            number of such cases is the accounting warning ``multi_unit_cases``.
        min_match_share: the share of events whose activity must be one of the model's
            (after the mapping and name matching); below it the check logs a warning and
            records ``low_match_share`` in the accounting warnings.
        strict: raise :class:`~fvmprocess.errors.ConformanceError` instead of warning when
            fewer than ``min_match_share`` of the events match.
        period: also score each unit per ``"week"``, ``"month"`` or ``"quarter"`` and find
            the change points of its conforming share (``result.analyses``, docs/trends.md).
        milestones: milestone -> label (a date or ISO text for every unit, ``(unit, date)``
            for one): each unit's conforming share before and after, with a test.
        causes: also find the case attributes under which a deviation is much more frequent.
        cause_attributes: use only these attributes for ``causes`` (None: every usable one).
        cause_exclude: never use these attributes for ``causes``.
        practice: also compare each unit's directly-follows practice with the standard.

    Raises:
        ValueError: an unknown ``engine`` or ``unit_assignment``, ``processes < 1``, a
            budget that is not positive, or ``min_match_share`` outside [0, 1].

    Example:
        >>> quick = CheckOptions(processes=4)
        >>> quick.update(engine="spark").processes
        4
    """

    schema: LogSchema | None = None
    mapping: MappingLike = None
    allow: Sequence[Allow] = ()
    use_approved_variations: bool = True
    time_limits: Sequence[TimeLimit] | None = None
    costs: AlignmentCosts | None = None
    processes: int = 1
    memory: int | str = DEFAULT_MEMORY
    variant_seconds: float = DEFAULT_VARIANT_SECONDS
    time_budget: float | None = None
    search_states: int | None = None
    engine: Engine = "embedded"
    catalog: Catalog | None = None
    progress: Progress | None = dataclasses.field(default=None, compare=False)
    unit_assignment: UnitAssignment = "first"
    min_match_share: float = 0.5
    strict: bool = False
    period: Period | None = None
    milestones: Mapping[MilestoneKey, str] = dataclasses.field(default_factory=dict)
    causes: bool = False
    cause_attributes: Sequence[str] | None = None
    cause_exclude: Sequence[str] = ()
    practice: bool = False

    def __post_init__(self) -> None:
        if self.engine not in ("embedded", "spark"):
            raise ValueError(f"engine is {self.engine!r}; expected 'embedded' or 'spark'")
        if isinstance(self.processes, bool) or not isinstance(self.processes, int):
            raise ValueError(f"processes is {self.processes!r}; expected an int >= 1")
        if self.processes < 1:
            raise ValueError(f"processes is {self.processes}; expected >= 1")
        object.__setattr__(self, "memory", parse_bytes(self.memory))
        self.budget  # noqa: B018 -- validates the budgets
        if self.unit_assignment not in UNIT_ASSIGNMENTS:
            raise ValueError(
                f"unit_assignment is {self.unit_assignment!r}; expected one of "
                + ", ".join(repr(a) for a in UNIT_ASSIGNMENTS)
            )
        share = self.min_match_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ValueError(f"min_match_share is {share!r}; expected a number in [0, 1]")
        rules = tuple(self.allow)
        for rule in rules:
            if not isinstance(rule, Allow):
                raise ValueError(f"allow has {rule!r}; expected Allow objects")
        object.__setattr__(self, "allow", rules)
        if self.time_limits is not None:
            object.__setattr__(self, "time_limits", tuple(self.time_limits))
        if self.period not in (None, "week", "month", "quarter"):
            raise ValueError(f"period is {self.period!r}; expected 'week', 'month' or 'quarter'")
        object.__setattr__(self, "milestones", dict(self.milestones))
        if self.cause_attributes is not None:
            object.__setattr__(self, "cause_attributes", tuple(self.cause_attributes))
        object.__setattr__(self, "cause_exclude", tuple(self.cause_exclude))

    @property
    def budget(self) -> Budget:
        """The alignment budget: memory per worker process, seconds, states."""
        return Budget(
            memory=max(1, parse_bytes(self.memory) // self.processes),
            variant_seconds=self.variant_seconds,
            total_seconds=self.time_budget,
            states=self.search_states,
        )

    def update(self, **changes: Unpack[CheckOptionValues]) -> CheckOptions:
        """A copy with ``changes`` applied (the same keywords as the constructor).

        Raises:
            TypeError: a keyword that is not an option.
        """
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise TypeError(
                f"unknown check option(s) {', '.join(unknown)}; expected "
                + ", ".join(f.name for f in dataclasses.fields(self))
            )
        return dataclasses.replace(self, **changes)


class CheckOptionValues(TypedDict, total=False):
    """The keyword arguments :func:`~fvmprocess.conformance.check` takes besides
    ``options`` (each field of :class:`CheckOptions`)."""

    schema: LogSchema | None
    mapping: MappingLike
    allow: Sequence[Allow]
    use_approved_variations: bool
    time_limits: Sequence[TimeLimit] | None
    costs: AlignmentCosts | None
    processes: int
    memory: int | str
    variant_seconds: float
    time_budget: float | None
    search_states: int | None
    engine: Engine
    catalog: Catalog | None
    progress: Progress | None
    unit_assignment: UnitAssignment
    min_match_share: float
    strict: bool
    period: Period | None
    milestones: Mapping[MilestoneKey, str]
    causes: bool
    cause_attributes: Sequence[str] | None
    cause_exclude: Sequence[str]
    practice: bool
