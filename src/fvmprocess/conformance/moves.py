"""What an alignment is made of: move costs, moves and the alignment of one trace.

The data types every aligner returns (:mod:`fvmprocess.conformance.align`'s graph and
on-the-fly searches, :mod:`fvmprocess.conformance.blocks`' process-tree aligner), kept apart
from the searches so that each aligner can build them without importing another.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = ["Alignment", "AlignmentCosts", "Move", "MoveKind"]

#: The four kinds of move.
MoveKind = Literal["sync", "log", "model", "silent"]


@dataclass(frozen=True)
class AlignmentCosts:
    """Costs of log and model moves; synchronous and silent moves always cost 0.

    Attributes:
        log_move: cost of a log move (an event the model does not follow).
        model_move: cost of a model move on a visible transition (a skipped activity).
        log_moves: per-label overrides of ``log_move``.
        model_moves: per-label overrides of ``model_move``.

    Raises:
        ValueError: if a cost is negative, not finite, or not a number.

    Example:
        >>> costs = AlignmentCosts(model_moves={"Triage": 5.0})
        >>> costs.model_cost("Triage"), costs.log_cost("Triage")
        (5.0, 1.0)
    """

    log_move: float = 1.0
    model_move: float = 1.0
    log_moves: Mapping[str, float] = field(default_factory=dict)
    model_moves: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("log_move", "model_move"):
            object.__setattr__(self, name, _check_cost(name, getattr(self, name)))
        for name in ("log_moves", "model_moves"):
            table = {
                str(k): _check_cost(f"{name}[{k!r}]", v) for k, v in getattr(self, name).items()
            }
            object.__setattr__(self, name, MappingProxyType(table))

    def __hash__(self) -> int:
        return hash(
            (
                self.log_move,
                self.model_move,
                tuple(sorted(self.log_moves.items())),
                tuple(sorted(self.model_moves.items())),
            )
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AlignmentCosts):
            return NotImplemented
        return (
            self.log_move == other.log_move
            and self.model_move == other.model_move
            and dict(self.log_moves) == dict(other.log_moves)
            and dict(self.model_moves) == dict(other.model_moves)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            AlignmentCosts,
            (self.log_move, self.model_move, dict(self.log_moves), dict(self.model_moves)),
        )

    def log_cost(self, label: str) -> float:
        """Cost of a log move on an event with this label."""
        return self.log_moves.get(label, self.log_move)

    def model_cost(self, label: str) -> float:
        """Cost of a model move on a visible transition with this label."""
        return self.model_moves.get(label, self.model_move)

    @property
    def is_standard(self) -> bool:
        """Whether every log and model move costs exactly 1 (the standard cost function)."""
        return (
            self.log_move == 1.0
            and self.model_move == 1.0
            and all(v == 1.0 for v in self.log_moves.values())
            and all(v == 1.0 for v in self.model_moves.values())
        )


def _check_cost(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"AlignmentCosts.{name} is {value!r}; expected a number >= 0")
    cost = float(value)
    if not math.isfinite(cost) or cost < 0:
        raise ValueError(f"AlignmentCosts.{name} is {value!r}; expected a finite number >= 0")
    return cost


@dataclass(frozen=True, slots=True)
class Move:
    """One step of an alignment.

    Attributes:
        log: the event's activity, or ``None`` for model and silent moves.
        model: the transition's label, or ``None`` for log and silent moves.
        transition: the transition id, or ``None`` for log moves.
        kind: ``"sync"``, ``"log"``, ``"model"`` or ``"silent"``.
    """

    log: str | None
    model: str | None
    transition: str | None
    kind: MoveKind


@dataclass(frozen=True, slots=True)
class Alignment:
    """An alignment of one trace: optimal when ``exact``, else within proven bounds.

    Attributes:
        moves: the moves in order (always a valid alignment).
        cost: total cost of the moves (the optimum when ``exact``, else an upper bound).
        fitness: ``1 - cost / worst_cost``; ``1.0`` when ``worst_cost`` is 0 (a lower bound
            on the optimal fitness when not ``exact``).
        worst_cost: cost of log-moving every event plus the cheapest complete model run (the
            cost of aligning the empty trace) — pm4py's "best worst cost".
        exact: whether ``cost`` is proven optimal.
        cost_lower: when not ``exact``, a proven lower bound on the optimal cost (``None``
            when exact).
    """

    moves: tuple[Move, ...]
    cost: float
    fitness: float
    worst_cost: float
    exact: bool = True
    cost_lower: float | None = None

    @property
    def trace(self) -> tuple[str, ...]:
        """The aligned trace (the log side of the moves)."""
        return tuple(m.log for m in self.moves if m.log is not None)

    @property
    def run(self) -> tuple[str, ...]:
        """The transition ids of the model run (the model side of the moves)."""
        return tuple(m.transition for m in self.moves if m.transition is not None)
