"""How :func:`~fvmprocess.conformance.check` runs: one options object with defaults."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypedDict, Unpack

from fvmprocess.conformance.allow import Allow

if TYPE_CHECKING:
    from fvmprocess.catalog import Catalog
    from fvmprocess.conformance.align import AlignmentCosts
    from fvmprocess.eventlog import LogSchema
    from fvmprocess.eventlog.mapping import MappingLike
    from fvmprocess.timelimit import TimeLimit

__all__ = ["CheckOptionValues", "CheckOptions", "Engine", "Progress"]

#: Where variant extraction runs: polars on this machine, or Apache Spark.
Engine = Literal["embedded", "spark"]
#: A callback ``progress(done, total)`` called while variants are aligned.
Progress = Callable[[int, int], None]


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
        processes: worker processes for the alignments.
        engine: ``"embedded"`` (polars, this machine) or ``"spark"`` (the pyspark extra).
        catalog: the catalogue ids and call activities are resolved in (default: shipped).
        progress: ``progress(done, total)``, called while variants are aligned.

    Raises:
        ValueError: an unknown ``engine`` or ``processes < 1``.

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
    engine: Engine = "embedded"
    catalog: Catalog | None = None
    progress: Progress | None = dataclasses.field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.engine not in ("embedded", "spark"):
            raise ValueError(f"engine is {self.engine!r}; expected 'embedded' or 'spark'")
        if isinstance(self.processes, bool) or not isinstance(self.processes, int):
            raise ValueError(f"processes is {self.processes!r}; expected an int >= 1")
        if self.processes < 1:
            raise ValueError(f"processes is {self.processes}; expected >= 1")
        rules = tuple(self.allow)
        for rule in rules:
            if not isinstance(rule, Allow):
                raise ValueError(f"allow has {rule!r}; expected Allow objects")
        object.__setattr__(self, "allow", rules)
        if self.time_limits is not None:
            object.__setattr__(self, "time_limits", tuple(self.time_limits))

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
    engine: Engine
    catalog: Catalog | None
    progress: Progress | None
