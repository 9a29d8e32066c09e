"""Budgeted A* alignments on the fly, with the (extended) marking-equation heuristic.

No reachability graph is built: the search runs over the synchronous product of the net and
the trace, discovered on the fly. A state is (marking, trace position, one ordering bit);
markings are ``bytes`` (one token count per place), interned per search.

Heuristic: the marking equation of the synchronous product as an LP, solved with HiGHS
(``highspy``), aggregated over labels (the same optimum as the per-event product LP), rounded
up when the costs are integers. With split points (van Dongen, BPM 2018) it is the *extended*
marking equation: the rest of the trace is cut into segments and the marking before each
segment's first event must enable that event's move, which captures the order of events the
plain equation ignores. Split points are added on the fly and the search restarts (as ProM's
incremental aligner does).

Heuristic reuse: a child reached by a move whose variable is >= 1 in the parent's solution
inherits ``h_parent - cost`` exactly; other children get it as an *estimate* (a lower bound,
by consistency) and their LP is solved only when they reach the top of the queue.

Budgets: ``max_states`` (product states stored: memory, about :func:`state_bytes` each) and
``max_seconds`` (CPU seconds of this thread) per trace. When the optimum is not proven within
them the result is a valid alignment (an upper bound) and a proven lower bound (the least
``g + h`` over the open states), flagged ``exact=False``. The design and its measurements are
in ``docs/alignments.md`` and ``benchmarks/bounded_alignments/README.md``.

Steps are ``(kind, transition index)`` pairs, kind one of :data:`SYNC`, :data:`LOG`,
:data:`MODEL`, :data:`SILENT` (transition ``-1`` for log moves); the aligner turns them into
moves.
"""

from __future__ import annotations

import heapq
import math
import os
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from fvmprocess.errors import ConformanceError

if TYPE_CHECKING:
    from fvmprocess.petri import PetriNet

__all__ = [
    "LOG",
    "MODEL",
    "SILENT",
    "SYNC",
    "BoundedAligner",
    "SearchResult",
    "Step",
    "state_bytes",
    "structurally_bounded",
]

SYNC, LOG, MODEL, SILENT = 0, 1, 2, 3
#: One alignment step: (kind, transition index or -1 for a log move).
Step = tuple[int, int]
_EPS = 1e-6
_INF = float("inf")
_MAX_TOKENS = 255
#: Measured bytes per stored product state beyond the marking itself (dict entries for g,
#: parent and heuristic info, one heap entry, the interned marking's index); see
#: ``tests/test_bounded_align.py::test_state_bytes_estimate_covers_tracemalloc``.
_STATE_OVERHEAD = 2_000


def state_bytes(n_places: int) -> int:
    """Estimated bytes one stored search state takes (upper estimate, measured)."""
    return _STATE_OVERHEAD + n_places


def clock() -> float:
    """The per-trace budget clock: CPU seconds of this thread (robust to machine load)."""
    return time.thread_time()


class Costs(Protocol):
    """What the search needs of :class:`~fvmprocess.conformance.align.AlignmentCosts`."""

    def log_cost(self, label: str) -> float:
        """Cost of a log move on ``label``."""
        ...

    def model_cost(self, label: str) -> float:
        """Cost of a model move on ``label``."""
        ...


@dataclass(frozen=True)
class SearchResult:
    """One trace's alignment steps with its cost and how exact it is.

    Attributes:
        steps: the steps over the whole trace (events no transition carries included).
        cost: the cost of ``steps`` (the optimum when ``exact``).
        exact: whether ``cost`` is proven optimal.
        cost_lower: a proven lower bound on the optimum (``cost`` when exact).
        stats: search figures (states, LP calls, split points, which budget ran out).
    """

    steps: tuple[Step, ...]
    cost: float
    exact: bool
    cost_lower: float
    stats: Mapping[str, Any] = field(default_factory=dict, compare=False)


# -- LP: HiGHS through highspy's public API ----------------------------------------------------


_HIGHS_BANNER_DONE = False


def _new_highs() -> Any:
    """A silent ``highspy.Highs`` (its one-time banner on stdout is swallowed)."""
    global _HIGHS_BANNER_DONE
    import highspy

    if _HIGHS_BANNER_DONE:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            solver = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _HIGHS_BANNER_DONE = True
    return solver


def _support(x: Any) -> dict[int, float]:
    """The solution's columns with value >= 1 (those a child move can consume)."""
    nz = np.nonzero(x > 1.0 - _EPS)[0]
    return {int(v): float(x[v]) for v in nz}


class _Csc:
    """A sparse matrix in compressed columns, from ``(row, col, value)`` triples."""

    def __init__(self, triples: list[tuple[int, int, float]], n_rows: int, n_cols: int) -> None:
        merged: dict[tuple[int, int], float] = {}
        for r, c, v in triples:
            merged[(c, r)] = merged.get((c, r), 0.0) + v
        keys = sorted(k for k, v in merged.items() if v != 0.0)
        counts = np.bincount(np.array([c for c, _ in keys], dtype=np.int64), minlength=n_cols)
        self.start = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
        self.index = np.array([r for _, r in keys], dtype=np.int32)
        self.value = np.array([merged[k] for k in keys], dtype=np.float64)
        self.shape = (n_rows, n_cols)


class _HighsLP:
    """One LP kept alive in HiGHS: bounds change between solves, the basis is reused.

    Rows are equalities (``eq``) or ``>=`` rows; every row's right-hand side is set by
    :meth:`solve`. A solve changes only the row bounds that differ from the previous one and
    re-runs the dual simplex from the previous basis; on anything but optimal or infeasible
    it is solved again from scratch.
    """

    def __init__(self, matrix: _Csc, cost: Any, eq: Any) -> None:
        import highspy

        m, n = matrix.shape
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.start
        lp.a_matrix_.index_ = matrix.index
        lp.a_matrix_.value_ = matrix.value
        lp.col_cost_ = cost
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, highspy.kHighsInf)
        lp.row_lower_ = np.zeros(m)
        lp.row_upper_ = np.where(eq, 0.0, highspy.kHighsInf)
        solver = _new_highs()
        for name, value in (
            ("output_flag", False),
            ("presolve", "off"),
            ("solver", "simplex"),
            ("threads", 1),
        ):
            solver.setOptionValue(name, value)
        solver.passModel(lp)
        self._highs = solver
        self._eq = eq
        self._inf = highspy.kHighsInf
        self._lo = np.zeros(m)
        self._optimal = highspy.HighsModelStatus.kOptimal
        self._infeasible = (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        )

    def set_col_upper(self, cols: Sequence[int], value: float) -> None:
        """Fix columns to 0 (``value=0``) or free them again (``value=inf``)."""
        upper = self._inf if value == _INF else value
        for j in cols:
            self._highs.changeColBounds(int(j), 0.0, upper)

    def solve(self, lo: Any) -> tuple[float | None, dict[int, float] | None]:
        """``(optimum, support)``; ``(inf, None)`` if infeasible, ``(None, None)`` on trouble."""
        solver = self._highs
        for r in np.nonzero(lo != self._lo)[0]:
            v = float(lo[r])
            solver.changeRowBounds(int(r), v, v if self._eq[r] else self._inf)
        self._lo = lo
        for attempt in range(2):
            solver.run()
            status = solver.getModelStatus()
            if status == self._optimal:
                x = np.asarray(solver.getSolution().col_value)
                return float(solver.getInfo().objective_function_value), _support(x)
            if status in self._infeasible:
                return _INF, None
            if attempt == 0:
                solver.clearSolver()  # drop the basis; solve this one cold
        return None, None


# -- the extended marking equation of one trace ------------------------------------------------


class _TraceLP:
    """Extended marking equation of the synchronous product for one trace and split points.

    Splits ``s_1 < ... < s_K`` cut the trace into segments ``k = 0..K`` (events
    ``[s_k, s_{k+1})``, ``s_0 = 0``). Columns per segment: ``x^k`` (every transition: model
    and silent moves), ``s^k`` (sync moves of the segment's other events, per transition with
    such a label), ``y^k`` (their log moves, per label), and for ``k >= 1`` ``z^k`` (the move
    of the first event: sync with one of its transitions, or log) and ``M_k`` (the marking
    just before it). Rows form a staircase, so the LP grows linearly with K:

    * ``M_1 - C seg_0 = m``; ``M_k - M_(k-1) - C seg_(k-1) = 0``; ``M_K + C seg_K = m_f``
      (with no split: ``C seg_0 = m_f - m``, the plain marking equation);
    * ``M_k - Pre z^k_sync >= 0``: that marking enables the first event's sync move;
    * per segment and label: ``sum s^k_t + y^k_a = remaining events with that label``;
    * per ``k >= 1``: ``sum z^k = 1`` if its first event is still to come, else 0.

    For a state at trace position ``i`` the current segment is the number of split points
    ``< i``; columns of earlier segments are fixed to 0. Every completion of the state
    satisfies the rows, so the LP optimum is a lower bound on its remaining cost.
    """

    def __init__(self, net: _NetTables, core: tuple[str, ...], splits: list[int]) -> None:
        self.net = net
        self.core = core
        self.splits = splits
        n, k_max = len(core), len(splits)
        self.k_max = k_max
        self.bounds = [0, *splits, n]
        self.seg_of = [0] * n
        for k in range(k_max + 1):
            for j in range(self.bounds[k], self.bounds[k + 1]):
                self.seg_of[j] = k
        self._triples: list[tuple[int, int, float]] = []
        self._cost: list[float] = []
        self._eq: list[bool] = []
        # place blocks: R_1..R_K (chain) and the final block
        self.chain_row = [self._rows(net.n_places, eq=True) for _ in range(k_max + 1)]
        self.x_col: list[int] = []
        self.s_col: list[dict[int, int]] = []
        self.y_col: list[dict[str, int]] = []
        self.label_rows: list[dict[str, int]] = []
        self.z_row: list[int] = [-1]
        self.seg_cols: list[list[int]] = []
        for k in range(k_max + 1):
            self._segment(k)
        matrix = _Csc(self._triples, len(self._eq), len(self._cost))
        eq = np.array(self._eq, dtype=bool)
        self.eq = eq
        self.lp = _HighsLP(matrix, np.array(self._cost), eq)
        self.base = np.zeros(len(self._eq))
        final = self.chain_row[k_max]
        self.base[final : final + net.n_places] = net.mf_dense
        self.seg_label_pos = [self._label_positions(k) for k in range(k_max + 1)]
        self.cur_seg = 0
        self.n_calls = 0
        self._triples = []

    # -- building -------------------------------------------------------------------------

    def _rows(self, count: int, *, eq: bool) -> int:
        first = len(self._eq)
        self._eq.extend([eq] * count)
        return first

    def _col(self, cost: float) -> int:
        self._cost.append(cost)
        return len(self._cost) - 1

    def _add_c(self, block: int, col: int, t: int, sign: float) -> None:
        for p, v in self.net.c_cols[t]:
            self._triples.append((block + p, col, sign * v))

    def _others(self, k: int) -> list[str]:
        """Labels of segment k's events other than its first (when it has a split)."""
        first = self.bounds[k] if k >= 1 else -1
        lo, hi = self.bounds[k], self.bounds[k + 1]
        return sorted({self.core[j] for j in range(lo, hi) if j != first})

    def _segment(self, k: int) -> None:
        net, first_col = self.net, len(self._cost)
        out_block = self.chain_row[k]
        sign = -1.0 if k < self.k_max else 1.0
        self.x_col.append(len(self._cost))
        for t in range(net.n_transitions):
            self._add_c(out_block, self._col(net.model_cost[t]), t, sign)
        lrows = {a: self._rows(1, eq=True) for a in self._others(k)}
        sc: dict[int, int] = {}
        yc: dict[str, int] = {}
        for a, row in lrows.items():
            for t in net.by_label[a]:
                sc[t] = self._col(0.0)
                self._add_c(out_block, sc[t], t, sign)
                self._triples.append((row, sc[t], 1.0))
            yc[a] = self._col(net.log_cost(a))
            self._triples.append((row, yc[a], 1.0))
        seg_end = len(self._cost)
        if k >= 1:
            seg_end = self._split_columns(k, out_block, sign)
        self.s_col.append(sc)
        self.y_col.append(yc)
        self.label_rows.append(lrows)
        # a past segment's moves are fixed to 0, never its marking M_k
        self.seg_cols.append(list(range(first_col, seg_end)))

    def _split_columns(self, k: int, out_block: int, sign: float) -> int:
        """``z^k`` and ``M_k`` of split ``k``; returns the first ``M_k`` column."""
        net = self.net
        zr = self._rows(1, eq=True)
        er = self._rows(net.n_places, eq=False)  # M_k - Pre z^k >= 0
        a = self.core[self.bounds[k]]
        for t in net.by_label[a]:
            col = self._col(0.0)
            self._add_c(out_block, col, t, sign)
            self._triples.append((zr, col, 1.0))
            for p, w in net.pre[t]:
                self._triples.append((er + p, col, -float(w)))
        self._triples.append((zr, self._col(net.log_cost(a)), 1.0))
        self.z_row.append(zr)
        m_first = len(self._cost)
        for p in range(net.n_places):
            col = self._col(0.0)
            self._triples.append((self.chain_row[k - 1] + p, col, 1.0))
            self._triples.append((self.chain_row[k] + p, col, -1.0 if k < self.k_max else 1.0))
            self._triples.append((er + p, col, 1.0))
        return m_first

    def _label_positions(self, k: int) -> dict[str, list[int]]:
        first = self.bounds[k] if k >= 1 else -1
        found: dict[str, list[int]] = {}
        for j in range(self.bounds[k], self.bounds[k + 1]):
            if j != first:
                found.setdefault(self.core[j], []).append(j)
        return found

    # -- solving --------------------------------------------------------------------------

    def current(self, i: int) -> int:
        """The segment of a state at position ``i``: the number of split points ``< i``."""
        return bisect_left(self.splits, i)

    def solve(self, mk: bytes, i: int) -> tuple[float | None, dict[int, float] | None]:
        """The LP value (and support) of marking ``mk`` at trace position ``i``."""
        c = self.current(i)
        if c > self.cur_seg:
            for k in range(self.cur_seg, c):
                self.lp.set_col_upper(self.seg_cols[k], 0.0)
        elif c < self.cur_seg:
            for k in range(c, self.cur_seg):
                self.lp.set_col_upper(self.seg_cols[k], _INF)
        self.cur_seg = c
        lo = self.base.copy()
        m = np.frombuffer(mk, dtype=np.uint8).astype(float)
        n_places = self.net.n_places
        if self.k_max == 0:
            lo[:n_places] -= m  # C seg_0 = m_f - m
        else:
            lo[:n_places] = m  # M_1 - C seg_0 = m
        for k in range(c, self.k_max + 1):
            for a, pos in self.seg_label_pos[k].items():
                left = len(pos) - bisect_left(pos, i)
                if left:
                    lo[self.label_rows[k][a]] = left
            if k >= 1 and self.bounds[k] >= i:
                lo[self.z_row[k]] = 1.0
        self.n_calls += 1
        return self.lp.solve(lo)

    def event_var(self, i: int, t: int) -> int:
        """Column of the sync (``t >= 0``) or log (``t = -1``) move of event i; -1 if none."""
        k = self.seg_of[i]
        if k >= 1 and self.bounds[k] == i:
            return -1  # crossing into a new segment: no reuse
        if t < 0:
            return self.y_col[k][self.core[i]]
        return self.s_col[k][t]


# -- the net: firing tables ------------------------------------------------------------------


class _NetTables:
    """Per-net firing tables, incidence columns, markings as bytes and costs."""

    def __init__(self, net: PetriNet, costs: Costs | None) -> None:
        self.name = net.name
        self.costs = costs
        places = list(net.places)
        self.n_places = len(places)
        self.places = places
        pidx = {p: i for i, p in enumerate(places)}
        trans = list(net.transitions)
        self.n_transitions = len(trans)
        self.t_ids = [t.id for t in trans]
        self.t_labels = [t.label for t in trans]
        tidx = {t.id: i for i, t in enumerate(trans)}
        pre: list[dict[int, int]] = [{} for _ in trans]
        post: list[dict[int, int]] = [{} for _ in trans]
        for s, d, w in net.arcs:
            if s in pidx:
                pre[tidx[d]][pidx[s]] = pre[tidx[d]].get(pidx[s], 0) + int(w)
            else:
                post[tidx[s]][pidx[d]] = post[tidx[s]].get(pidx[d], 0) + int(w)
        self.pre = [tuple(sorted(d.items())) for d in pre]
        self.post = [tuple(sorted(d.items())) for d in post]
        self.place_out: list[list[int]] = [[] for _ in places]
        self.free = [t for t in range(self.n_transitions) if not pre[t]]
        for t in range(self.n_transitions):
            for p in pre[t]:
                self.place_out[p].append(t)
        self.c_cols = [_incidence(pre[t], post[t]) for t in range(self.n_transitions)]
        self.m0 = self.encode({pidx[p]: k for p, k in net.initial_marking.items() if k})
        self.mf = self.encode({pidx[p]: k for p, k in net.final_marking.items() if k})
        self.mf_dense = np.frombuffer(self.mf, dtype=np.uint8).astype(float)
        self.by_label: dict[str, list[int]] = {}
        for t, lab in enumerate(self.t_labels):
            if lab is not None:
                self.by_label.setdefault(lab, []).append(t)
        self.model_cost = [
            0.0 if lab is None else (1.0 if costs is None else float(costs.model_cost(lab)))
            for lab in self.t_labels
        ]

    def log_cost(self, label: str) -> float:
        """Cost of a log move on ``label``."""
        return 1.0 if self.costs is None else float(self.costs.log_cost(label))

    def encode(self, counts: Mapping[int, int]) -> bytes:
        """A marking as bytes (one count per place)."""
        b = bytearray(self.n_places)
        for p, k in counts.items():
            if k > _MAX_TOKENS:
                raise self._unbounded(p)
            b[p] = k
        return bytes(b)

    def enabled(self, mk: bytes) -> list[int]:
        """Transitions enabled in ``mk``, in net order."""
        cand = set(self.free)
        for p in np.flatnonzero(np.frombuffer(mk, dtype=np.uint8)).tolist():
            cand.update(self.place_out[p])
        out = []
        for t in sorted(cand):
            if all(mk[q] >= w for q, w in self.pre[t]):
                out.append(t)
        return out

    def fire(self, mk: bytes, t: int) -> bytes:
        """The marking after firing ``t`` (enabled) in ``mk``."""
        b = bytearray(mk)
        for q, w in self.pre[t]:
            b[q] -= w
        for q, w in self.post[t]:
            if b[q] + w > _MAX_TOKENS:
                raise self._unbounded(q)
            b[q] += w
        return bytes(b)

    def _unbounded(self, p: int) -> ConformanceError:
        return ConformanceError(
            f"place {self.places[p]!r} would hold more than {_MAX_TOKENS} tokens: the net "
            "is unbounded (or far too large to align)",
            source=f"net {self.name!r}",
        )


def _incidence(pre: Mapping[int, int], post: Mapping[int, int]) -> tuple[tuple[int, float], ...]:
    delta: dict[int, int] = {}
    for p, w in pre.items():
        delta[p] = delta.get(p, 0) - w
    for p, w in post.items():
        delta[p] = delta.get(p, 0) + w
    return tuple((p, float(v)) for p, v in sorted(delta.items()) if v)


# -- one A* run with fixed split points ---------------------------------------------------------


@dataclass
class _Outcome:
    """How one A* run ended: ``goal`` (steps, cost), ``split`` (position), ``budget``
    (lower bound) or ``dead`` (the final marking cannot be reached)."""

    kind: Literal["goal", "split", "budget", "dead"]
    steps: list[Step] = field(default_factory=list)
    value: float = 0.0
    position: int = -1
    expanded: int = 0
    stored: int = 0
    markings: int = 0
    budget: str | None = None


#: Open-state heuristic info: (LP value, proven?, LP support or None, variables consumed).
_HInfo = tuple[float, bool, dict[int, float] | None, tuple[int, ...]]
#: Heap entry: (f, -position, estimated?, -depth, counter, key, g).
_Entry = tuple[float, int, int, int, int, int, float]


class _AStar:
    """A* (``weight`` 1) or weighted A* over (marking, position, ordering bit) states."""

    def __init__(
        self,
        search: BoundedAligner,
        core: tuple[str, ...],
        tlp: _TraceLP,
        *,
        max_states: int,
        deadline: float,
        weight: float,
        allow_split: bool,
        m0: bytes,
    ) -> None:
        self.net = search.tables
        self.core = core
        self.n = len(core)
        self.stride = self.n + 1
        self.tlp = tlp
        self.max_states = max_states
        self.deadline = deadline
        self.weight = weight
        self.allow_split = allow_split
        self.ordering = search.ordering
        self.stall = search.stall
        self.check_cover = search.check_cover
        self.split_set = set(tlp.splits)
        self.log_c = [self.net.log_cost(a) for a in core]
        self.integral = all(float(c).is_integer() for c in self.net.model_cost) and all(
            float(c).is_integer() for c in self.log_c
        )
        self.mids: dict[bytes, int] = {}
        self.marks: list[bytes] = []
        self.mark_parent: list[int] = []
        self.best_g: dict[int, float] = {}
        self.parent: dict[int, tuple[int, int, int]] = {}
        self.hinfo: dict[int, _HInfo] = {}
        self.closed: set[int] = set()
        self.heap: list[_Entry] = []
        self.counter = 0
        self.expanded = 0
        self.max_i = 0
        self.since = 0
        self.m0 = m0

    def hval(self, h: float) -> float:
        """The heuristic value used: the LP value, rounded up under integer costs."""
        return math.ceil(h - _EPS) if self.integral else h

    def mid_of(self, mk: bytes, parent_mid: int) -> int:
        """The interned index of marking ``mk`` (first reached from ``parent_mid``)."""
        k = self.mids.get(mk)
        if k is None:
            if self.check_cover and parent_mid >= 0:
                self._check_covering(mk, parent_mid)
            k = self.mids[mk] = len(self.marks)
            self.marks.append(mk)
            self.mark_parent.append(parent_mid)
        return k

    def _check_covering(self, mk: bytes, mid: int) -> None:
        """Unbounded if ``mk`` strictly covers a marking on its firing path (Karp–Miller)."""
        while mid >= 0:
            old = self.marks[mid]
            if old != mk and all(a >= b for a, b in zip(mk, old, strict=True)):
                raise self.net._unbounded(next(p for p in range(len(mk)) if mk[p] > old[p]))
            mid = self.mark_parent[mid]

    def run(self) -> _Outcome:
        """Search until a goal, a split request or a budget; see :class:`_Outcome`."""
        h0, sol0 = self.tlp.solve(self.m0, 0)
        if h0 == _INF:  # marking equation infeasible
            return _Outcome("dead", value=_INF, budget="dead")
        start = self.mid_of(self.m0, -1) * self.stride * 2
        self.best_g[start] = 0.0
        self.hinfo[start] = (h0 or 0.0, sol0 is not None, sol0, ())
        self.heap.append((self.weight * self.hval(h0 or 0.0), 0, 0, 0, 0, start, 0.0))
        outcome = self._loop()
        outcome.expanded, outcome.stored, outcome.markings = (
            self.expanded,
            len(self.best_g),
            len(self.marks),
        )
        return outcome

    def _loop(self) -> _Outcome:
        pop = heapq.heappop
        while self.heap:
            entry = pop(self.heap)
            key, g = entry[5], entry[6]
            if key in self.closed or g > self.best_g[key]:
                continue
            rest, flag = divmod(key, 2)
            mid, i = divmod(rest, self.stride)
            mk = self.marks[mid]
            if i == self.n and mk == self.net.mf:
                return _Outcome("goal", steps=self._steps(key), value=g)
            hlp, proven, sol, used = self.hinfo[key]
            if not proven:
                if self._wants_split():
                    return _Outcome("split", position=self.max_i)
                if clock() > self.deadline:
                    return self._budget("seconds", g + self.hval(hlp))
                new, nsol = self.tlp.solve(mk, i)
                if new == _INF:  # a dead marking: prune it
                    self.closed.add(key)
                    del self.hinfo[key]
                    continue
                if new is not None:
                    if self.hval(new) > self.hval(hlp) + _EPS:
                        self._push(key, g, entry[1], entry[3], (new, True, nsol, ()))
                        continue
                    hlp, sol, used = new, nsol, ()
            self.closed.add(key)
            del self.hinfo[key]
            self.expanded += 1
            if i > self.max_i:
                self.max_i, self.since = i, 0
            else:
                self.since += 1
                if self.since > self.stall and self._wants_split():
                    return _Outcome("split", position=self.max_i)
            if clock() > self.deadline or len(self.best_g) > self.max_states:
                reason = "states" if len(self.best_g) > self.max_states else "seconds"
                return self._budget(reason, g + self.hval(hlp))  # popped, not expanded
            self._expand(key, g, mid, i, flag, (hlp, sol, used), entry[3])
        return _Outcome("dead", value=_INF, budget="dead")

    def _wants_split(self) -> bool:
        return self.allow_split and self.max_i not in self.split_set and 0 <= self.max_i < self.n

    def _push(self, key: int, g: float, negi: int, negd: int, info: _HInfo) -> None:
        self.hinfo[key] = info
        self.counter += 1
        f = g + self.weight * self.hval(info[0])
        heapq.heappush(self.heap, (f, negi, 0 if info[1] else 1, negd, self.counter, key, g))

    def _successors(
        self, mid: int, i: int, flag: int
    ) -> list[tuple[int, int, int, float, int, int]]:
        """``(kind, transition, LP column, cost, marking, position)`` of each move."""
        net, tlp, mk = self.net, self.tlp, self.marks[mid]
        succ: list[tuple[int, int, int, float, int, int]] = []
        enabled = net.enabled(mk)
        if i < self.n:
            on = set(enabled)
            for t in net.by_label[self.core[i]]:
                if t in on:
                    nxt = self.mid_of(net.fire(mk, t), mid)
                    succ.append((SYNC, t, tlp.event_var(i, t), 0.0, nxt, i + 1))
            if not (self.ordering and flag):
                succ.append((LOG, -1, tlp.event_var(i, -1), self.log_c[i], mid, i + 1))
        xc = tlp.x_col[tlp.current(i)]
        for t in enabled:
            kind = SILENT if net.t_labels[t] is None else MODEL
            nxt = self.mid_of(net.fire(mk, t), mid)
            succ.append((kind, t, xc + t, net.model_cost[t], nxt, i))
        return succ

    def _expand(
        self,
        key: int,
        g: float,
        mid: int,
        i: int,
        flag: int,
        h: tuple[float, dict[int, float] | None, tuple[int, ...]],
        negd: int,
    ) -> None:
        hlp, sol, used = h
        for kind, t, var, c, mid2, i2 in self._successors(mid, i, flag):
            flag2 = 1 if (self.ordering and kind >= MODEL) else 0
            key2 = (mid2 * self.stride + i2) * 2 + flag2
            if key2 in self.closed:
                continue
            g2 = g + c
            old = self.best_g.get(key2)
            if old is not None and g2 >= old:
                continue
            self.best_g[key2] = g2
            self.parent[key2] = (key, kind, t)
            have = 0.0
            if sol is not None and var >= 0:
                have = sol.get(var, 0.0) - used.count(var)
            info: _HInfo
            if have >= 1.0 - _EPS:
                info = (hlp - c, True, sol, (*used, var))
            else:
                prev = self.hinfo.get(key2)
                est = max(hlp - c, 0.0)
                info = prev if prev is not None and prev[0] >= est else (est, False, None, ())
            self._push(key2, g2, -i2, negd - 1, info)

    def _steps(self, key: int) -> list[Step]:
        steps: list[Step] = []
        while key in self.parent:
            key, kind, t = self.parent[key]
            steps.append((kind, t))
        steps.reverse()
        return steps

    def _budget(self, reason: str, pending: float) -> _Outcome:
        """Lower bound: least ``g + h`` over the open states and the state just popped."""
        lower = pending
        for entry in self.heap:
            key, g = entry[5], entry[6]
            if key not in self.closed and g <= self.best_g[key]:
                info = self.hinfo.get(key)
                lower = min(lower, g + (self.hval(info[0]) if info else 0.0))
        return _Outcome("budget", value=lower, budget=reason)


# -- the aligner ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Proof:
    """What :meth:`BoundedAligner._search` found: steps (None: no goal), cost, bounds."""

    steps: list[Step] | None
    cost: float
    exact: bool
    lower: float
    stats: dict[str, Any]


class BoundedAligner:
    """Per-net tables; aligns traces within state and time budgets, on the fly.

    Args:
        net: the net.
        costs: move costs (``log_cost(label)``, ``model_cost(label)``); standard when None.
        max_states: product states stored per trace (memory: :func:`state_bytes` each).
        max_seconds: CPU seconds per trace (proof, then upper bounds).
        max_splits: most split points of the extended marking equation (0: plain ME).
        ordering: never a log move right after a model or silent move (sound: they commute).
        upper_share: share of ``max_seconds`` kept for the upper-bound searches.
        upper_weight: weight ``w`` of the upper-bound search ``f = g + w h``.
        stall: expansions without getting deeper in the trace after which a split point is
            added at the deepest position reached.
        check_cover: detect unbounded nets during the search (a marking strictly covering
            one on its firing path); only needed for nets not known to be bounded.
    """

    def __init__(
        self,
        net: PetriNet,
        *,
        costs: Costs | None = None,
        max_states: int = 250_000,
        max_seconds: float = 10.0,
        max_splits: int = 30,
        ordering: bool = True,
        upper_share: float = 0.3,
        upper_weight: float = 3.0,
        stall: int = 500,
        check_cover: bool = False,
    ) -> None:
        self.tables = _NetTables(net, costs)
        self.max_states = max_states
        self.max_seconds = max_seconds
        self.max_splits = max_splits
        self.ordering = ordering
        self.upper_share = upper_share
        self.upper_weight = upper_weight
        self.stall = stall
        self.check_cover = check_cover
        self._empty: SearchResult | None = None

    def empty_run(self) -> SearchResult:
        """The alignment of the empty trace (the cheapest complete run); computed once.

        It gets at least 100 000 states and ten times the time budget (at least 60 s).
        If they run out, the result carries the best run found (``exact=False``).

        Raises:
            ConformanceError: the final marking cannot be reached, or no complete run was
                found within the budgets.
        """
        if self._empty is None:
            seconds = max(10 * self.max_seconds, 60.0)
            states = max(self.max_states, 100_000)
            proof = self._search((), max_states=states, max_seconds=seconds)
            self._check_live(proof)
            if proof.steps is None:
                proof = self._search((), max_states=states, max_seconds=seconds, weight=4.0)
                if proof.steps is None:
                    raise ConformanceError(
                        "no complete run of the net found within the search budget",
                        source=f"net {self.tables.name!r}",
                    )
                proof = _Proof(proof.steps, proof.cost, False, 0.0, proof.stats)
            self._empty = SearchResult(
                tuple(proof.steps or ()), proof.cost, proof.exact, proof.lower, proof.stats
            )
        return self._empty

    def align(
        self,
        trace: Sequence[str],
        *,
        max_states: int | None = None,
        max_seconds: float | None = None,
    ) -> SearchResult:
        """Align one trace within the budgets (defaults: the aligner's)."""
        states = self.max_states if max_states is None else max_states
        seconds = self.max_seconds if max_seconds is None else max_seconds
        t0 = clock()
        trace = tuple(trace)
        by_label = self.tables.by_label
        kept = [i for i, a in enumerate(trace) if a in by_label]
        core = tuple(trace[i] for i in kept)
        forced = sum(self.tables.log_cost(a) for a in trace if a not in by_label)
        prove = seconds * (1.0 - self.upper_share)
        proof = self._search(core, max_states=states, max_seconds=prove)
        self._check_live(proof)
        stats = {"events": len(trace), "searched_events": len(core), **proof.stats}
        if proof.exact and proof.steps is not None:
            steps, cost, lower, exact = proof.steps, proof.cost, proof.cost, True
        else:
            steps, cost = self._upper(core, proof, t0 + seconds, states, stats)
            lower = min(proof.lower, cost)
            exact = lower >= cost
        stats["seconds"] = round(clock() - t0, 3)
        full = _with_forced(steps, kept, len(trace))
        return SearchResult(full, cost + forced, exact, lower + forced, stats)

    def _check_live(self, proof: _Proof) -> None:
        if proof.lower == _INF:
            raise ConformanceError(
                "no run from the initial marking reaches the final marking (it is not reachable)",
                source=f"net {self.tables.name!r}",
            )

    # -- upper bounds ---------------------------------------------------------------------

    def _upper(
        self,
        core: tuple[str, ...],
        proof: _Proof,
        deadline: float,
        states: int,
        stats: dict[str, Any],
    ) -> tuple[list[Step], float]:
        """The best valid alignment of: greedy replay, weighted A*, log moves + empty run."""
        span = max(deadline - clock(), 0.0)
        candidates: list[tuple[float, int, str, list[Step]]] = []
        greedy = self._greedy(core, max(deadline, clock() + 0.2 * span), states)
        if greedy is not None:
            candidates.append((greedy[1], 0, "greedy replay", greedy[0]))
        left = deadline - clock()
        if left > 0.05 * span and left > 0:
            up = self._search(
                core,
                max_states=states,
                max_seconds=left,
                weight=self.upper_weight,
                splits=proof.stats.get("split_points"),
            )
            if up.steps is not None:
                candidates.append((up.cost, 1, "weighted A*", up.steps))
        empty = self.empty_run()
        trivial = [(LOG, -1)] * len(core) + list(empty.steps)
        log_all = sum(self.tables.log_cost(a) for a in core)
        candidates.append((log_all + empty.cost, 2, "log moves + empty-trace run", trivial))
        cost, _, name, steps = min(candidates, key=lambda c: (c[0], c[1]))
        stats["upper_from"] = name
        return steps, cost

    def _greedy(
        self, core: tuple[str, ...], deadline: float, states: int, tau_limit: int = 50
    ) -> tuple[list[Step], float] | None:
        """A valid alignment fast, like token replay with a silent look-ahead.

        Event by event: breadth-first over silent transitions (at most ``tau_limit``
        markings) to a marking that enables a transition with the event's label: silent
        moves and a sync move; none: a log move. Then the cheapest completion to the final
        marking. ``None`` if out of time.
        """
        net = self.tables
        mk = net.m0
        steps: list[Step] = []
        cost = 0.0
        for a in core:
            if clock() > deadline:
                return None
            found = self._silent_reach(mk, net.by_label[a], tau_limit)
            if found is None:
                steps.append((LOG, -1))
                cost += net.log_cost(a)
                continue
            path, t, before = found
            steps.extend((SILENT, s) for s in path)
            steps.append((SYNC, t))
            mk = net.fire(before, t)
        left = deadline - clock()
        if left <= 0:
            return None
        tail = self._search((), max_states=states, max_seconds=left, m0=mk)
        if tail.steps is None:
            return None
        return steps + tail.steps, cost + tail.cost

    def _silent_reach(
        self, mk: bytes, targets: Sequence[int], limit: int
    ) -> tuple[list[int], int, bytes] | None:
        """Silent path to a marking enabling one of ``targets``: (path, target, marking)."""
        net = self.tables
        seen: dict[bytes, tuple[bytes, int] | None] = {mk: None}
        todo = deque([mk])
        while todo and len(seen) <= limit:
            m = todo.popleft()
            enabled = net.enabled(m)
            on = set(enabled)
            hit = next((t for t in targets if t in on), None)
            if hit is not None:
                path: list[int] = []
                back = seen[m]
                while back is not None:
                    path.append(back[1])
                    back = seen[back[0]]
                return path[::-1], hit, m
            for t in enabled:
                if net.t_labels[t] is None:
                    m2 = net.fire(m, t)
                    if m2 not in seen:
                        seen[m2] = (m, t)
                        todo.append(m2)
        return None

    # -- the proof search -----------------------------------------------------------------

    def _search(
        self,
        core: tuple[str, ...],
        *,
        max_states: int,
        max_seconds: float,
        weight: float = 1.0,
        splits: Sequence[int] | None = None,
        m0: bytes | None = None,
    ) -> _Proof:
        """A* (weight 1, with split-point restarts) or weighted A* (fixed split points)."""
        t0 = clock()
        deadline = t0 + max_seconds
        cuts = sorted(set(splits or ()))
        expanded = restarts = lp_calls = 0
        while True:
            tlp = _TraceLP(self.tables, core, cuts)
            out = _AStar(
                self,
                core,
                tlp,
                max_states=max_states,
                deadline=deadline,
                weight=weight,
                allow_split=weight == 1.0 and len(cuts) < self.max_splits,
                m0=self.tables.m0 if m0 is None else m0,
            ).run()
            lp_calls += tlp.n_calls
            expanded += out.expanded
            if out.kind == "split":
                cuts = sorted({*cuts, out.position})
                restarts += 1
                continue
            break
        stats: dict[str, Any] = {
            "expanded": expanded,
            "stored": out.stored,
            "markings": out.markings,
            "lp_calls": lp_calls,
            "split_points": cuts,
            "restarts": restarts,
            "budget": out.budget,
        }
        if out.kind == "goal":
            optimal = weight == 1.0
            return _Proof(out.steps, out.value, optimal, out.value if optimal else 0.0, stats)
        if out.kind == "dead":
            return _Proof(None, _INF, False, _INF, stats)
        return _Proof(None, _INF, False, out.value if weight == 1.0 else 0.0, stats)


def _with_forced(steps: Sequence[Step], kept: Sequence[int], n: int) -> tuple[Step, ...]:
    """``steps`` over the searched events with the others put back as log moves."""
    out: list[Step] = []
    j = 0  # position in the trace
    i = 0  # position in the searched core
    for kind, t in steps:
        if kind in (SYNC, LOG):
            while j < kept[i]:
                out.append((LOG, -1))
                j += 1
            i += 1
            j += 1
        out.append((kind, t))
    out.extend([(LOG, -1)] * (n - j))
    return tuple(out)


def structurally_bounded(net: PetriNet) -> bool:
    """Whether a place weighting ``y >= 1`` with ``y C <= 0`` exists (an LP).

    Then no firing sequence increases ``y m``, so every place stays bounded from any initial
    marking; the search needs no covering check. ``False`` proves nothing.
    """
    tables = _NetTables(net, None)
    n_p, n_t = tables.n_places, tables.n_transitions
    if n_t == 0 or n_p == 0:
        return True
    # y = 1 + z, z >= 0:  -C^T z >= C^T 1  (one row per transition)
    triples = [(t, p, -v) for t in range(n_t) for p, v in tables.c_cols[t]]
    lp = _HighsLP(_Csc(triples, n_t, n_p), np.zeros(n_p), np.zeros(n_t, dtype=bool))
    lo = np.array([sum(v for _, v in tables.c_cols[t]) for t in range(n_t)], dtype=float)
    value, _ = lp.solve(lo)
    return value is not None and value != _INF
