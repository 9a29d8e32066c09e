"""Budgeted A* alignments on the fly with the (extended) marking-equation heuristic.

Prototype for issue 11. No reachability graph is built: the search runs over the
synchronous product of the net and the trace, discovered on the fly. A state is
(marking, trace position, one ordering bit); markings are ``bytes`` (one count per place).

Heuristic: the marking equation of the synchronous product as an LP, solved with HiGHS
(the solver behind ``scipy.optimize.linprog(method="highs")``), aggregated over labels
(same optimum as the per-event product LP), rounded up when costs are integers. With split
points (van Dongen, BPM 2018) it is the *extended* marking equation: the remaining trace is
cut into segments and the marking before each segment's first event must enable that
event's move, which captures the order of events that the plain equation ignores. Split
points are added on the fly: when the search must evaluate an LP for a state that is not
deeper than the deepest state expanded so far, a split at that depth is added and the
search restarts (as ProM's incremental aligner does).

Heuristic reuse: a child reached by a move whose variable is >= 1 in the parent's solution
inherits ``h_parent - cost`` exactly (parent solution minus that move is optimal for it);
other children get ``h_parent - cost`` as an *estimate* (a lower bound, by consistency) and
their LP is solved only when they reach the top of the queue.

Budgets: ``max_states`` (states stored, i.e. memory) and ``max_seconds`` per trace. When the
optimum is not proven within them, the result is a valid alignment (an upper bound) and a
proven lower bound (the least f on the open list), flagged ``exact=False``.
"""

from __future__ import annotations

import heapq
import math
import time
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

__all__ = ["BoundedAligner", "BoundedAlignment", "Move", "align_bounded", "align_variants_bounded"]

_SYNC, _LOG, _MODEL, _SILENT = 0, 1, 2, 3
_EPS = 1e-6
_INF = float("inf")


class Move(NamedTuple):
    """Same fields as ``fvmprocess.align.Move``."""

    log: str | None
    model: str | None
    transition: str | None
    kind: str


@dataclass(frozen=True)
class BoundedAlignment:
    """``moves, cost, exact, cost_lower = result`` unpacks the four main fields.

    ``cost`` is the cost of ``moves`` (optimal when ``exact``); ``cost_lower`` is a proven
    lower bound on the optimum (equal to ``cost`` when exact). ``stats``: search figures.
    """

    moves: tuple[Move, ...]
    cost: float
    exact: bool
    cost_lower: float
    stats: dict[str, Any] = field(default_factory=dict, compare=False)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter((self.moves, self.cost, self.exact, self.cost_lower))


# -- LP backends ----------------------------------------------------------------------------


def _support(x: np.ndarray) -> dict[int, float]:
    nz = np.nonzero(x > 1.0 - _EPS)[0]
    return {int(v): float(x[v]) for v in nz}


class _Linprog:
    """``scipy.optimize.linprog(method="highs")``: public API, a fresh solve per call."""

    name = "linprog"

    def __init__(self, A: sparse.csc_matrix, c: np.ndarray, eq: np.ndarray) -> None:
        A = A.tocsr()
        self.c = c
        self.eq = eq
        self.A_eq = A[eq]
        self.A_ub = -A[~eq]
        self.ub = np.full(len(c), np.inf)

    def set_col_upper(self, cols: np.ndarray, value: float) -> None:
        self.ub[cols] = value

    def solve(self, lo: np.ndarray) -> tuple[float | None, dict[int, float] | None]:
        r = linprog(
            self.c,
            A_ub=self.A_ub if self.A_ub.shape[0] else None,
            b_ub=-lo[~self.eq] if self.A_ub.shape[0] else None,
            A_eq=self.A_eq,
            b_eq=lo[self.eq],
            bounds=np.column_stack([np.zeros(len(self.c)), self.ub]),
            method="highs",
        )
        if r.status == 2:  # infeasible: the final marking cannot be reached
            return _INF, None
        if r.status != 0:
            return None, None  # numerical trouble: the caller keeps its estimate
        return float(r.fun), _support(r.x)


class _HighsWarm:
    """The HiGHS solver that linprog uses, through scipy's bundled bindings, kept alive.

    The model is passed once per (trace, split points); a solve changes only the row and
    column bounds that differ from the previous solve and re-runs the dual simplex from the
    previous basis (no presolve). On anything but optimal/infeasible it answers cold with
    linprog.
    """

    name = "highs"

    def __init__(self, A: sparse.csc_matrix, c: np.ndarray, eq: np.ndarray) -> None:
        from scipy.optimize._highspy import _core as h  # scipy's bundled HiGHS bindings

        m, n = A.shape
        self.eq = eq
        lp = h.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
        lp.a_matrix_.format_ = h.MatrixFormat.kColwise
        lp.col_cost_ = c
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, h.kHighsInf)
        lp.row_lower_ = np.zeros(m)
        lp.row_upper_ = np.where(eq, 0.0, h.kHighsInf)
        lp.a_matrix_.start_ = A.indptr
        lp.a_matrix_.index_ = A.indices
        lp.a_matrix_.value_ = A.data
        hi = h._Highs()
        hi.setOptionValue("output_flag", False)
        hi.setOptionValue("presolve", "off")
        hi.setOptionValue("solver", "simplex")
        hi.setOptionValue("threads", 1)
        hi.passModel(lp)
        self.highs = hi
        self.inf = h.kHighsInf
        self.lo = np.zeros(m)
        self.fallback = _Linprog(A, c, eq)
        self.optimal = h.HighsModelStatus.kOptimal
        self.infeasible = (
            h.HighsModelStatus.kInfeasible,
            h.HighsModelStatus.kUnboundedOrInfeasible,
        )

    def set_col_upper(self, cols: np.ndarray, value: float) -> None:
        v = self.inf if value == _INF else value
        for j in cols:
            self.highs.changeColBounds(int(j), 0.0, v)
        self.fallback.set_col_upper(cols, value)

    def solve(self, lo: np.ndarray) -> tuple[float | None, dict[int, float] | None]:
        hi = self.highs
        eq, inf = self.eq, self.inf
        for r in np.nonzero(lo != self.lo)[0]:
            v = float(lo[r])
            hi.changeRowBounds(int(r), v, v if eq[r] else inf)
        self.lo = lo
        hi.run()
        st = hi.getModelStatus()
        if st == self.optimal:
            x = np.asarray(hi.getSolution().col_value)
            return float(hi.getInfo().objective_function_value), _support(x)
        if st in self.infeasible:
            return _INF, None
        hi.clearSolver()  # drop the basis; answer this one cold
        return self.fallback.solve(lo)


# -- the extended marking equation of one trace ---------------------------------------------


class _TraceLP:
    """Extended marking equation of the synchronous product for one trace and split points.

    Splits ``s_1 < ... < s_K`` cut the trace into segments ``k = 0..K`` (events
    ``[s_k, s_{k+1})``, ``s_0 = 0``). Columns per segment: ``x^k`` (every transition: model
    and silent moves after segment k's first event, before segment k+1's), ``s^k`` (sync
    moves of the segment's other events, per visible transition with such a label), ``y^k``
    (their log moves, per label), and for ``k >= 1`` ``z^k`` (the move of the first event:
    sync with one of its transitions, or log) and ``M_k`` (the marking just before it).
    Rows (a staircase: each segment's columns meet only its own two blocks, so the LP grows
    linearly with K):

    * ``M_1 - C seg_0 = m``; ``M_k - M_(k-1) - C seg_(k-1) = 0``; ``M_K + C seg_K = m_f``
      (with no split: ``C seg_0 = m_f - m``, the plain marking equation);
    * ``M_k - Pre z^k_sync >= 0``: that marking enables the first event's sync move;
    * per segment and label: ``sum s^k_t + y^k_a = remaining events with that label``;
    * per ``k >= 1``: ``sum z^k = 1`` if its first event is still to come, else 0.

    For a state at trace position ``i`` the "current" segment is ``c(i)`` = number of split
    points ``< i``; columns of segments ``< c(i)`` are fixed to 0 (they are in the past).
    Every completion of the state satisfies the rows, so the LP optimum is a lower bound.
    """

    def __init__(self, al: BoundedAligner, core: tuple[str, ...], splits: list[int], lp: str):
        self.al = al
        self.core = core
        self.splits = splits
        n = len(core)
        P, T = al.P, al.T
        bounds = [0, *splits, n]
        K = len(splits)
        cols_c: list[float] = []
        data: list[tuple[int, int, float]] = []  # (row, col, value)
        eq_rows: list[bool] = []
        row = 0
        # place blocks: chain rows for k = 1..K, then the final block
        chain_row = []
        for _ in range(K + 1):
            chain_row.append(row)
            eq_rows.extend([True] * P)
            row += P
        # chain_row[k-1] is block R_k for k = 1..K; chain_row[K] is the final block
        self.m_block = chain_row[0]
        self.final_block = chain_row[K]
        self.seg_cols: list[list[int]] = []
        self.x_col: list[int] = []
        self.s_col: list[dict[int, int]] = []
        self.y_col: list[dict[str, int]] = []
        self.label_rows: list[dict[str, int]] = []
        self.z_row: list[int] = [-1]
        seg_of = [0] * n
        for k in range(K + 1):
            for j in range(bounds[k], bounds[k + 1]):
                seg_of[j] = k
        self.seg_of = seg_of
        self.bounds = bounds
        col = 0
        C_cols, pre = al.C_cols, al.pre
        m_cols: list[int] = [-1]
        for k in range(K + 1):
            start_col = col
            out_block = chain_row[k]  # seg_k feeds R_(k+1) (or the final block): sign
            sign = -1.0 if k < K else 1.0

            def add_c(cc: int, t: int) -> None:
                for p, v in C_cols[t]:
                    data.append((out_block + p, cc, sign * v))

            self.x_col.append(col)
            for t in range(T):
                cols_c.append(al.model_cost[t])
                add_c(col, t)
                col += 1
            seg_end = -1
            first = bounds[k] if k >= 1 else -1
            labs = sorted({core[j] for j in range(bounds[k], bounds[k + 1]) if j != first})
            lrows: dict[str, int] = {}
            for a in labs:
                lrows[a] = row
                eq_rows.append(True)
                row += 1
            sc: dict[int, int] = {}
            yc: dict[str, int] = {}
            for a in labs:
                for t in al.by_label[a]:
                    sc[t] = col
                    cols_c.append(0.0)
                    add_c(col, t)
                    data.append((lrows[a], col, 1.0))
                    col += 1
                yc[a] = col
                cols_c.append(al.log_cost(a))
                data.append((lrows[a], col, 1.0))
                col += 1
            if k >= 1:
                zr = row
                eq_rows.append(True)
                row += 1
                er = row  # enabling rows M_k - Pre z^k >= 0
                eq_rows.extend([False] * P)
                row += P
                a = core[first]
                for t in al.by_label[a]:
                    cols_c.append(0.0)
                    add_c(col, t)
                    data.append((zr, col, 1.0))
                    for p, w in pre[t]:
                        data.append((er + p, col, -float(w)))
                    col += 1
                cols_c.append(al.log_cost(a))
                data.append((zr, col, 1.0))
                col += 1
                self.z_row.append(zr)
                seg_end = col
                # M_k: in R_k (+1), in R_(k+1) or the final block (-1 / +1), in E_k (+1)
                mk0 = col
                for p in range(P):
                    cols_c.append(0.0)
                    data.append((chain_row[k - 1] + p, col, 1.0))
                    data.append((chain_row[k] + p, col, -1.0 if k < K else 1.0))
                    data.append((er + p, col, 1.0))
                    col += 1
                m_cols.append(mk0)
            self.s_col.append(sc)
            self.y_col.append(yc)
            self.label_rows.append(lrows)
            # the past segment's moves are fixed to 0, never its marking M_k (= m then)
            self.seg_cols.append(list(range(start_col, seg_end if seg_end >= 0 else col)))
        self.n_rows, self.n_cols = row, col
        r_, c_, v_ = zip(*data) if data else ((), (), ())
        A = sparse.csc_matrix(
            (np.array(v_, dtype=float), (np.array(r_, dtype=np.int64), np.array(c_, dtype=np.int64))),
            shape=(row, col),
        )
        A.sum_duplicates()
        A.sort_indices()
        self.eq = np.array(eq_rows, dtype=bool)
        self.lp = _make_lp(A, np.array(cols_c), self.eq, lp)
        self.K = K
        self.cur_seg = 0
        self.n_calls = 0
        self.seconds = 0.0
        self.base = np.zeros(row)
        self.base[self.final_block : self.final_block + P] = al.mf_dense if K == 0 else al.mf_dense
        self.seg_label_pos: list[dict[str, list[int]]] = []
        for k in range(K + 1):
            d: dict[str, list[int]] = {}
            first = bounds[k] if k >= 1 else -1
            for j in range(bounds[k], bounds[k + 1]):
                if j != first:
                    d.setdefault(core[j], []).append(j)
            self.seg_label_pos.append(d)

    def current(self, i: int) -> int:
        """c(i): number of split points < i."""
        return bisect_left(self.splits, i)

    def pending(self, i: int) -> bool:
        k = bisect_left(self.splits, i)
        return k < len(self.splits) and self.splits[k] == i

    def solve(self, mk: bytes, i: int) -> tuple[float | None, dict[int, float] | None]:
        t0 = time.perf_counter()
        al = self.al
        c = self.current(i)
        if c != self.cur_seg:
            if c > self.cur_seg:
                for k in range(self.cur_seg, c):
                    self.lp.set_col_upper(np.array(self.seg_cols[k]), 0.0)
            else:
                for k in range(c, self.cur_seg):
                    self.lp.set_col_upper(np.array(self.seg_cols[k]), _INF)
            self.cur_seg = c
        lo = self.base.copy()
        m = np.frombuffer(mk, dtype=np.uint8).astype(float)
        P = al.P
        if self.K == 0:
            lo[:P] -= m  # C seg_0 = m_f - m
        else:
            lo[self.m_block : self.m_block + P] = m  # M_1 - C seg_0 = m
        for k in range(c, self.K + 1):
            for a, pos in self.seg_label_pos[k].items():
                cnt = len(pos) - bisect_left(pos, i)
                if cnt:
                    lo[self.label_rows[k][a]] = cnt
            if k >= 1 and self.bounds[k] >= i:
                lo[self.z_row[k]] = 1.0
        out = self.lp.solve(lo)
        self.n_calls += 1
        self.seconds += time.perf_counter() - t0
        return out

    # variables of moves at position i (for heuristic reuse)
    def model_var(self, i: int, t: int) -> int:
        return self.x_col[self.current(i)] + t

    def event_var(self, i: int, t: int) -> int:
        """Column of the sync (t >= 0) or log (t = -1) move of event i; -1 if none."""
        k = self.seg_of[i]
        if k >= 1 and self.bounds[k] == i:
            return -1  # crossing into a new segment: no reuse (see README)
        if t < 0:
            return self.y_col[k][self.core[i]]
        return self.s_col[k][t]


def _make_lp(A: sparse.csc_matrix, c: np.ndarray, eq: np.ndarray, kind: str):
    if kind in ("auto", "highs"):
        try:
            return _HighsWarm(A, c, eq)
        except ImportError:
            if kind == "highs":
                raise
    return _Linprog(A, c, eq)


# -- the aligner ------------------------------------------------------------------------------


class BoundedAligner:
    """Per-net precomputation (firing tables, incidence matrix, empty-trace run); align many.

    Args:
        net: an ``fvmprocess.petri.PetriNet`` (duck-typed: places, transitions with id/label,
            arcs (source, target, weight), initial_marking, final_marking).
        costs: an ``AlignmentCosts``-like object (``log_cost(label)``, ``model_cost(label)``)
            or ``None`` for the standard costs.
        max_states: product states stored per trace before giving up on the proof.
        max_seconds: time per trace (proof phase + upper-bound phase).
        max_splits: most split points of the extended marking equation (0: plain ME).
        ordering: prune log moves right after model/silent moves (sound; see module doc).
        lp: ``"highs"`` (HiGHS through scipy's bundled bindings, warm-started), ``"linprog"``
            (``scipy.optimize.linprog(method="highs")``, cold), ``"auto"``: highs if importable.
        upper_share: share of ``max_seconds`` kept for the upper-bound search.
        upper_weight: weight ``w`` of the upper-bound search ``f = g + w h``.
        stall: expansions without a deeper trace position after which a split point is
            added at the deepest position (the plateau of interleavings that an unrealisable
            LP solution leaves is otherwise explored in full).
    """

    def __init__(
        self,
        net: Any,
        *,
        costs: Any = None,
        max_states: int = 250_000,
        max_seconds: float = 10.0,
        max_splits: int = 30,
        ordering: bool = True,
        lp: str = "auto",
        upper_share: float = 0.3,
        upper_weight: float = 3.0,
        stall: int = 500,
    ) -> None:
        self.stall = stall
        self.net = net
        self.costs = costs
        self.max_states = max_states
        self.max_seconds = max_seconds
        self.max_splits = max_splits
        self.ordering = ordering
        self.lp_kind = lp
        self.upper_share = upper_share
        self.upper_weight = upper_weight
        places = list(net.places)
        self.P = len(places)
        pidx = {p: i for i, p in enumerate(places)}
        trans = list(net.transitions)
        self.T = len(trans)
        self.t_ids = [t.id for t in trans]
        self.t_index = {t: k for k, t in enumerate(self.t_ids)}
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
        self.free = [t for t in range(self.T) if not pre[t]]  # always enabled
        for t in range(self.T):
            for p in pre[t]:
                self.place_out[p].append(t)
        self.C_cols: list[tuple[tuple[int, float], ...]] = []
        rows, cols, vals = [], [], []
        for t in range(self.T):
            delta: dict[int, int] = {}
            for p, w in pre[t].items():
                delta[p] = delta.get(p, 0) - w
            for p, w in post[t].items():
                delta[p] = delta.get(p, 0) + w
            entries = tuple((p, float(v)) for p, v in sorted(delta.items()) if v)
            self.C_cols.append(entries)
            for p, v in entries:
                rows.append(p)
                cols.append(t)
                vals.append(v)
        self.C = sparse.csc_matrix((vals, (rows, cols)), shape=(self.P, self.T), dtype=float)
        self.Cpre = None
        self.m0 = self._encode({pidx[p]: k for p, k in net.initial_marking.items() if k})
        self.mf = self._encode({pidx[p]: k for p, k in net.final_marking.items() if k})
        self.mf_dense = np.frombuffer(self.mf, dtype=np.uint8).astype(float)
        self.by_label: dict[str, list[int]] = {}
        for t, lab in enumerate(self.t_labels):
            if lab is not None:
                self.by_label.setdefault(lab, []).append(t)
        self.model_cost = [
            0.0 if lab is None else (1.0 if costs is None else float(costs.model_cost(lab)))
            for lab in self.t_labels
        ]
        self._empty: BoundedAlignment | None = None

    # -- markings: one byte per place -------------------------------------------------------

    def _encode(self, counts: dict[int, int]) -> bytes:
        b = bytearray(self.P)
        for p, k in counts.items():
            if k > 255:
                raise ValueError("more than 255 tokens on a place: is the net bounded?")
            b[p] = k
        return bytes(b)

    def _enabled(self, mk: bytes) -> list[int]:
        cand = set(self.free)
        po = self.place_out
        for p in np.flatnonzero(np.frombuffer(mk, dtype=np.uint8)).tolist():
            cand.update(po[p])
        out = []
        for t in sorted(cand):
            for q, w in self.pre[t]:
                if mk[q] < w:
                    break
            else:
                out.append(t)
        return out

    def _fire(self, mk: bytes, t: int) -> bytes:
        b = bytearray(mk)
        for q, w in self.pre[t]:
            b[q] -= w
        try:
            for q, w in self.post[t]:
                b[q] += w
        except ValueError:
            raise ValueError("more than 255 tokens on a place: is the net bounded?") from None
        return bytes(b)

    # -- public ----------------------------------------------------------------------------

    def log_cost(self, label: str) -> float:
        return 1.0 if self.costs is None else float(self.costs.log_cost(label))

    def empty_run(self) -> BoundedAlignment:
        """Optimal alignment of the empty trace (cheapest complete run); computed once."""
        if self._empty is None:
            res = self._search(
                (),
                max_states=max(10 * self.max_states, 1_000_000),
                max_seconds=max(10 * self.max_seconds, 120.0),
                weight=1.0,
            )
            if res[0] is None or not res[2]:
                raise RuntimeError("the empty trace could not be aligned within its budget")
            self._empty = self._result((), res[0], res[1], True, res[1])
        return self._empty

    def align(
        self,
        trace: Sequence[str],
        *,
        max_states: int | None = None,
        max_seconds: float | None = None,
    ) -> BoundedAlignment:
        """Align one trace within the budgets (defaults: the aligner's)."""
        max_states = self.max_states if max_states is None else max_states
        max_seconds = self.max_seconds if max_seconds is None else max_seconds
        t0 = time.perf_counter()
        trace = tuple(trace)
        kept = [i for i, a in enumerate(trace) if a in self.by_label]
        core = tuple(trace[i] for i in kept)
        forced = sum(self.log_cost(a) for a in trace if a not in self.by_label)
        stats: dict[str, Any] = {"events": len(trace), "searched_events": len(core)}
        prove_s = max_seconds * (1.0 - self.upper_share)
        steps, cost, exact, lower = self._search(
            core, max_states=max_states, max_seconds=prove_s, stats=stats
        )
        if not exact:
            # upper bound: weighted A* (f = g + w h) with the time left, then the trivial
            # completion (log-move every event, cheapest empty-trace run); the best of them
            tg = time.perf_counter()
            greedy = self._greedy(core, max(t0 + max_seconds, tg + 0.2 * max_seconds))
            stats["greedy_seconds"] = round(time.perf_counter() - tg, 3)
            left = max_seconds - (time.perf_counter() - t0)
            up_stats: dict[str, Any] = {}
            up: tuple = (None, _INF, False, 0.0)
            if left > 0.05 * max_seconds:
                up = self._search(
                    core,
                    max_states=max_states,
                    max_seconds=left,
                    weight=self.upper_weight,
                    stats=up_stats,
                    splits=stats.get("split_points"),
                )
            stats["upper_search"] = up_stats
            empty = self.empty_run()
            trivial = sum(self.log_cost(a) for a in core) + empty.cost
            if greedy is not None and greedy[1] <= trivial and (up[0] is None or greedy[1] <= up[1]):
                steps, cost = greedy
                stats["upper_from"] = "greedy replay"
            elif up[0] is not None and up[1] <= trivial:
                steps, cost = up[0], up[1]
                stats["upper_from"] = "weighted A*"
            else:
                steps = [(_LOG, -1)] * len(core) + [
                    (_SILENT if m.kind == "silent" else _MODEL, self.t_index[m.transition])
                    for m in empty.moves
                ]
                cost = trivial
                stats["upper_from"] = "log moves + empty-trace run"
            lower = min(lower, cost)
            exact = lower >= cost
        stats["seconds"] = time.perf_counter() - t0
        return self._result(trace, steps, cost + forced, exact, lower + forced, kept, stats)

    # -- internals -------------------------------------------------------------------------

    def _greedy(self, core: tuple[str, ...], deadline: float, tau_limit: int = 50):
        """A valid alignment fast (an upper bound), like token replay with silent look-ahead.

        Event by event: breadth-first over silent transitions (at most ``tau_limit``
        markings) to a marking that enables a transition with the event's label -> silent
        moves + sync; none -> log move. Then the cheapest completion to the final marking
        (A* with the marking equation over model/silent moves). ``None`` if out of time.
        """
        from collections import deque

        mk = self.m0
        steps: list[tuple[int, int]] = []
        cost = 0.0
        silent = [t for t in range(self.T) if self.t_labels[t] is None]
        silent_set = set(silent)
        for i, a in enumerate(core):
            if time.perf_counter() > deadline:
                return None
            targets = self.by_label[a]
            seen = {mk: None}
            q = deque([mk])
            found = None
            while q and len(seen) <= tau_limit:
                m = q.popleft()
                en = self._enabled(m)
                hit = [t for t in targets if t in en]
                if hit:
                    found = (m, hit[0])
                    break
                for t in en:
                    if t in silent_set:
                        m2 = self._fire(m, t)
                        if m2 not in seen:
                            seen[m2] = (m, t)
                            q.append(m2)
            if found is None:
                steps.append((_LOG, -1))
                cost += self.log_cost(a)
                continue
            m, t = found
            path = []
            while seen[m] is not None:
                m, ts = seen[m]
                path.append((_SILENT, ts))
            steps.extend(reversed(path))
            steps.append((_SYNC, t))
            mk = self._fire(found[0], t)
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        tail = self._search((), max_states=self.max_states, max_seconds=left, m0=mk)
        if tail[0] is None:
            return None
        return steps + tail[0], cost + tail[1]

    def _result(self, trace, steps, cost, exact, lower, kept=None, stats=None) -> BoundedAlignment:
        """Moves with the stripped events (labels no transition has) put back as log moves."""
        if kept is None:
            kept = list(range(len(trace)))
        moves: list[Move] = []
        i = 0  # position in the searched core
        j = 0  # position in the trace
        for kind, t in steps:
            if kind in (_SYNC, _LOG):
                while j < kept[i]:
                    moves.append(Move(trace[j], None, None, "log"))
                    j += 1
                if kind == _SYNC:
                    moves.append(Move(trace[j], self.t_labels[t], self.t_ids[t], "sync"))
                else:
                    moves.append(Move(trace[j], None, None, "log"))
                i += 1
                j += 1
            elif kind == _MODEL:
                moves.append(Move(None, self.t_labels[t], self.t_ids[t], "model"))
            else:
                moves.append(Move(None, None, self.t_ids[t], "silent"))
        while j < len(trace):
            moves.append(Move(trace[j], None, None, "log"))
            j += 1
        return BoundedAlignment(tuple(moves), cost, exact, lower, stats or {})

    def _search(
        self,
        core: tuple[str, ...],
        *,
        max_states: int,
        max_seconds: float,
        weight: float = 1.0,
        stats: dict[str, Any] | None = None,
        splits: list[int] | None = None,
        m0: bytes | None = None,
    ):
        """A* (weight 1, with split-point restarts) or weighted A* (fixed splits).

        Returns ``(steps, cost, exact, lower)``; ``steps`` is None when no goal was reached.
        """
        t0 = time.perf_counter()
        deadline = t0 + max_seconds
        splits = list(splits or [])
        total_expanded = 0
        restarts = 0
        lp_calls = 0
        lp_s = 0.0
        while True:
            tlp = _TraceLP(self, core, splits, self.lp_kind)
            out = self._astar(
                core, tlp, max_states, deadline, weight,
                allow_split=weight == 1.0 and len(splits) < self.max_splits,
                m0=m0,
            )
            lp_calls += tlp.n_calls
            lp_s += tlp.seconds
            kind = out[0]
            total_expanded += out[-1]["expanded"]
            if kind == "split" and len(splits) < self.max_splits:
                splits = sorted({*splits, out[1]})
                restarts += 1
                continue
            break
        info = out[-1]
        if stats is not None:
            stats.update(
                expanded=total_expanded,
                stored=info["stored"],
                markings=info["markings"],
                lp_calls=lp_calls,
                lp_seconds=round(lp_s, 3),
                split_points=splits,
                restarts=restarts,
                seconds=round(time.perf_counter() - t0, 3),
                budget=info["budget"],
            )
        if kind == "goal":
            steps, cost = out[1], out[2]
            return steps, cost, weight == 1.0, (cost if weight == 1.0 else 0.0)
        return None, _INF, False, (out[1] if weight == 1.0 else 0.0)

    def _astar(self, core, tlp: _TraceLP, max_states, deadline, weight, allow_split, m0=None):
        """One A* run with fixed split points.

        Returns ("goal", steps, cost, info) | ("split", position, info) |
        ("budget", lower, info).
        """
        n = len(core)
        stride = n + 1
        integral = self.costs is None or (
            all(float(c).is_integer() for c in self.model_cost)
            and all(float(self.log_cost(a)).is_integer() for a in core)
        )
        ordering = self.ordering
        labels = self.t_labels
        mcost = self.model_cost
        log_c = [self.log_cost(a) for a in core]
        by_label = self.by_label
        split_set = set(tlp.splits)

        def hval(hlp: float) -> float:
            return math.ceil(hlp - _EPS) if integral else hlp

        mids: dict[bytes, int] = {}
        marks: list[bytes] = []

        def mid_of(mk: bytes) -> int:
            k = mids.get(mk)
            if k is None:
                k = mids[mk] = len(marks)
                marks.append(mk)
            return k

        mf = self.mf
        m0 = self.m0 if m0 is None else m0
        start = mid_of(m0) * stride * 2
        h0, sol0 = tlp.solve(m0, 0)
        if h0 == _INF:
            raise RuntimeError("the final marking is not reachable (marking equation infeasible)")
        if h0 is None:
            h0, sol0 = 0.0, None
        best_g: dict[int, float] = {start: 0.0}
        parent: dict[int, tuple[int, int, int]] = {}
        # open-state heuristic info: key -> (h_lp, exact?, solution or None, consumed vars)
        hinfo: dict[int, tuple[float, bool, dict | None, tuple]] = {
            start: (h0, sol0 is not None, sol0, ())
        }
        closed: set[int] = set()
        counter = 0
        heap = [(weight * hval(h0), 0, 0, 0, counter, start, 0.0)]
        push, pop = heapq.heappush, heapq.heappop
        expanded = 0
        max_i = 0
        pending = _INF
        since = 0  # expansions since max_i last grew
        stall = self.stall
        result: tuple = ()
        reason = None
        while heap:
            f, negi, _est, negd, _, key, g = pop(heap)
            if key in closed or g > best_g[key]:
                continue
            rest, flag = divmod(key, 2)
            mid, i = divmod(rest, stride)
            mk = marks[mid]
            if i == n and mk == mf:
                steps = []
                k = key
                while k in parent:
                    k, kind, t = parent[k]
                    steps.append((kind, t))
                steps.reverse()
                result = ("goal", steps, g)
                break
            hlp, ex, sol, used = hinfo[key]
            if not ex:
                # van Dongen's rule: an LP is needed for a state that is not past the deepest
                # state expanded so far -> the order of events there is the problem: split
                if allow_split and max_i not in split_set and 0 <= max_i < n:
                    result = ("split", max_i)
                    break
                if time.perf_counter() > deadline:
                    reason = "seconds"
                    pending = g + hval(hlp)
                    break
                new, nsol = tlp.solve(mk, i)
                if new == _INF:
                    closed.add(key)
                    del hinfo[key]
                    continue
                if new is not None:
                    if hval(new) > hval(hlp) + _EPS:
                        hinfo[key] = (new, True, nsol, ())
                        counter += 1
                        push(heap, (g + weight * hval(new), negi, 0, negd, counter, key, g))
                        continue
                    hlp, sol, used = new, nsol, ()
            closed.add(key)
            del hinfo[key]
            expanded += 1
            if i > max_i:
                max_i = i
                since = 0
            else:
                since += 1
                if allow_split and since > stall and max_i not in split_set and 0 <= max_i < n:
                    result = ("split", max_i)  # stalled on a plateau: the order is the problem
                    break
            if time.perf_counter() > deadline or len(best_g) > max_states:
                reason = "states" if len(best_g) > max_states else "seconds"
                pending = g + hval(hlp)  # closed but not expanded: still counts as open
                break
            succ: list[tuple[int, int, int, float, int, int]] = []
            enabled = self._enabled(mk)
            if i < n:
                a = core[i]
                for t in by_label[a]:
                    if t in enabled:
                        succ.append((_SYNC, t, tlp.event_var(i, t), 0.0, mid_of(self._fire(mk, t)), i + 1))
                if not (ordering and flag):
                    succ.append((_LOG, -1, tlp.event_var(i, -1), log_c[i], mid, i + 1))
            xc = tlp.x_col[tlp.current(i)]
            for t in enabled:
                kind = _SILENT if labels[t] is None else _MODEL
                succ.append((kind, t, xc + t, mcost[t], mid_of(self._fire(mk, t)), i))
            for kind, t, var, c, mid2, i2 in succ:
                flag2 = 1 if (ordering and kind >= _MODEL) else 0
                key2 = (mid2 * stride + i2) * 2 + flag2
                if key2 in closed:
                    continue
                g2 = g + c
                old = best_g.get(key2)
                if old is not None and g2 >= old:
                    continue
                best_g[key2] = g2
                parent[key2] = (key, kind, t)
                have = 0.0
                if sol is not None and var >= 0:
                    have = sol.get(var, 0.0) - used.count(var)
                if have >= 1.0 - _EPS:
                    info = (hlp - c, True, sol, used + (var,))
                else:
                    prev = hinfo.get(key2)
                    est_h = max(hlp - c, 0.0)
                    if prev is not None and prev[0] >= est_h:
                        info = prev  # a better value already known for this state is kept
                    else:
                        info = (est_h, False, None, ())
                hinfo[key2] = info
                counter += 1
                push(
                    heap,
                    (g2 + weight * hval(info[0]), -i2, 0 if info[1] else 1, negd - 1, counter, key2, g2),
                )
        stats = {"expanded": expanded, "stored": len(best_g), "markings": len(marks), "budget": reason}
        if result:
            return (*result, stats)
        if not heap and reason is None:
            raise RuntimeError("no alignment: the final marking cannot be reached")
        # lower bound: least f on the open list (entries' h are lower bounds of the LP value)
        lower = pending
        for _f, _a, _b, _c, _d, key, g in heap:
            if key not in closed and g <= best_g[key]:
                hh = hinfo.get(key)
                lo = g + (hval(hh[0]) if hh else 0.0)
                if lo < lower:
                    lower = lo
        return ("budget", lower, stats)


def align_bounded(
    net: Any,
    trace: Sequence[str],
    *,
    costs: Any = None,
    max_states: int = 250_000,
    max_seconds: float = 10.0,
    **kwargs: Any,
) -> BoundedAlignment:
    """Align one trace within budgets: ``moves, cost, exact, cost_lower = align_bounded(...)``."""
    return BoundedAligner(
        net, costs=costs, max_states=max_states, max_seconds=max_seconds, **kwargs
    ).align(trace)


# -- many variants, N processes ------------------------------------------------------------

_W: BoundedAligner | None = None


def _init(net: Any, kwargs: dict[str, Any]) -> None:
    global _W
    _W = BoundedAligner(net, **kwargs)
    _W.empty_run()


def _one(job: tuple[int, tuple[str, ...]]) -> tuple[int, BoundedAlignment]:
    assert _W is not None
    return job[0], _W.align(job[1])


def align_variants_bounded(
    net: Any,
    variants: Iterable[Sequence[str]],
    *,
    processes: int = 1,
    progress: Any = None,
    **kwargs: Any,
) -> list[BoundedAlignment]:
    """Align distinct traces (longest first, for load balance); results in input order."""
    vs = [tuple(v) for v in variants]
    order = sorted(range(len(vs)), key=lambda k: (-len(vs[k]), k))
    out: list[BoundedAlignment | None] = [None] * len(vs)
    if processes <= 1:
        _init(net, kwargs)
        for done, k in enumerate(order, 1):
            out[k] = _one((k, vs[k]))[1]
            if progress:
                progress(done, len(vs), out[k])
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(processes, initializer=_init, initargs=(net, kwargs)) as pool:
            jobs = [(k, vs[k]) for k in order]
            for done, (k, r) in enumerate(pool.map(_one, jobs, chunksize=1), 1):
                out[k] = r
                if progress:
                    progress(done, len(vs), r)
    return out  # type: ignore[return-value]
