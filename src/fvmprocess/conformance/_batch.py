"""Exact alignments of many traces at once, as one dynamic program over a suffix trie.

When a net's language fits a small deterministic automaton (the determinised reachability
graph of :class:`~fvmprocess.conformance.align.Aligner`, states ``K``), the optimal alignment
cost of a trace suffix from every automaton state is a vector of ``K`` numbers, and the vector
of a suffix ``a·s`` follows from the vector of ``s`` alone:

* ``pre[d] = min(log(a) + H_s[d], H_s[δ(d, a)])`` — a log move, or a synchronous move;
* ``H_{a·s}[d] = min over model-move paths d → d' of (their cost + pre[d'])`` — the closure
  under model moves, computed by relaxing the automaton's edges to a fixpoint.

The distinct suffixes of a log's variants form a trie (real logs share most of them), so each
is computed once, for all traces, one trie depth at a time, vectorised with numpy. The empty
suffix's vector is each state's cheapest model-only completion. A trace's optimal cost is the
vector of the whole trace at the start state; its moves are read off forward, for all traces
at once, taking at each step the first of *synchronous*, *log*, *model* (labels in code order)
whose cost plus the rest equals what is left. So among optimal alignments the one returned
consumes the trace as early as possible, and the same trace always gets the same moves.

Exact, with no search: time is ``O(trie nodes × automaton edges × fixpoint rounds)`` and
memory ``8 × trie nodes × (K + 1)`` bytes (callers split larger batches).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["LOG", "MODEL", "SYNC", "Automaton", "Steps", "align_many", "table_bytes"]

#: Move kinds of the steps :func:`align_many` returns (as in ``align.py``).
SYNC, LOG, MODEL = 0, 1, 2

_Floats = npt.NDArray[np.float64]
_Ints = npt.NDArray[np.int64]
_N = TypeVar("_N", int, _Ints)


@dataclass(frozen=True)
class Automaton:
    """A deterministic automaton over label codes ``0..L-1`` with model-move costs.

    Attributes:
        targets: ``(K, L)`` target state of each state on each label, ``-1`` for none.
        model_cost: ``(L,)`` cost of a model move on each label (all > 0).
        finals: ``(K,)`` whether each state accepts.
        completion: ``(K,)`` each state's cheapest model-only completion to a final state.
    """

    targets: _Ints
    model_cost: _Floats
    finals: npt.NDArray[np.bool_]
    completion: _Floats

    @property
    def n_states(self) -> int:
        """States ``K``."""
        return int(self.targets.shape[0])


def table_bytes(n_states: int, n_events: _N, n_traces: _N) -> _N:
    """Bytes of the cost table for a batch: at most one trie node per event, plus the root
    (element-wise for arrays of batch sizes)."""
    return 8 * (n_states + 1) * (n_events + 1) + 64 * (n_events + n_traces)


@dataclass(frozen=True)
class Steps:
    """The moves of all traces, flat: trace ``v``'s moves are ``[bounds[v], bounds[v + 1])``.

    Attributes:
        kinds: per move :data:`SYNC`, :data:`LOG` or :data:`MODEL`.
        codes: per move its label code (``-1`` for a log move).
        bounds: ``(n + 1,)`` where each trace's moves start.
    """

    kinds: _Ints
    codes: _Ints
    bounds: _Ints


def align_many(
    auto: Automaton, codes: _Ints, log_costs: _Floats, lengths: _Ints
) -> tuple[_Floats, Steps]:
    """Optimal alignment costs and moves of many traces.

    Args:
        auto: the automaton (start state 0).
        codes: every trace's events one after the other, as label codes (``-1`` for an
            activity the model does not know).
        log_costs: the log-move cost of each event.
        lengths: the events of each trace.

    Returns:
        ``(costs, steps)``: per trace its optimal cost, and all traces' moves (:class:`Steps`).
    """
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    codes = np.asarray(codes, dtype=np.int64)
    lcost = np.asarray(log_costs, dtype=np.float64)
    classes, class_code, class_cost = _event_classes(codes, lcost)
    nodes, table = _suffix_table(auto, lengths, offsets, classes, class_code, class_cost)
    # one sentinel event (unknown, free) for the read-off's lookups past a trace's end
    return _read_off(
        auto, table, nodes, lengths, offsets, np.append(codes, -1), np.append(lcost, 0.0)
    )


def _event_classes(codes: _Ints, lcost: _Floats) -> tuple[_Ints, _Ints, _Floats]:
    """Events with the same label code and log cost are one class for the trie: per event its
    class, per class its code and log cost."""
    costs, cost_id = np.unique(lcost, return_inverse=True)
    key = (codes + 1) * len(costs) + cost_id.reshape(-1)
    uniq, inverse = np.unique(key, return_inverse=True)
    return (
        inverse.reshape(-1).astype(np.int64),
        (uniq // max(len(costs), 1) - 1).astype(np.int64),
        costs[uniq % max(len(costs), 1)].astype(np.float64),
    )


def _suffix_table(
    auto: Automaton,
    lengths: _Ints,
    offsets: _Ints,
    classes: _Ints,
    class_code: _Ints,
    class_cost: _Floats,
) -> tuple[_Ints, _Floats]:
    """The suffix trie and its cost vectors.

    Returns:
        ``(nodes, table)``: per trace position ``i`` (``offsets[v] + v + i``, ``0 <= i <= n``)
        the trie node of the suffix ``trace[i:]``; per node its cost vector over the states
        plus one sentinel column (``inf``, the target of an undefined move).
    """
    k = auto.n_states
    n_traces = len(lengths)
    total = int(offsets[-1])
    nodes = np.zeros(total + n_traces, dtype=np.int64)
    base = offsets[:-1] + np.arange(n_traces)  # where each trace's positions start in nodes
    # per class the target of a synchronous move from each state (sentinel k for none)
    sync_to = np.full((k + 1, len(class_code)), k, dtype=np.int64)
    known = class_code >= 0
    tgt = auto.targets[:, class_code[known]]
    sync_to[:k, known] = np.where(tgt >= 0, tgt, k)
    prev = np.zeros(n_traces, dtype=np.int64)  # node of each trace's suffix of length depth-1
    n_nodes = 1
    n_classes = len(class_code)
    levels: list[tuple[_Ints, _Ints]] = []  # per depth its nodes' parents and event classes
    for depth in range(1, int(lengths.max(initial=0)) + 1):
        active = np.flatnonzero(lengths >= depth)
        pos = offsets[active] + lengths[active] - depth
        key = prev[active] * n_classes + classes[pos]
        uniq, inverse = np.unique(key, return_inverse=True)
        new = n_nodes + inverse.reshape(-1)
        prev[active] = new
        nodes[base[active] + lengths[active] - depth] = new
        levels.append((uniq // n_classes, uniq % n_classes))
        n_nodes += len(uniq)
    # the trie first, then a table of exactly its nodes (a real log's suffixes share most)
    edges = _edges(auto)
    table = np.empty((n_nodes, k + 1), dtype=np.float64)
    table[0, :k] = auto.completion
    table[0, k] = np.inf
    start = 1
    for parent, cls in levels:
        end = start + len(parent)
        table[start:end] = _step(table[parent], cls, class_cost, sync_to, edges)
        start = end
    return nodes, table


def _edges(auto: Automaton) -> tuple[_Ints, _Ints, _Floats, _Ints]:
    """The automaton's edges sorted by source: sources with edges, targets, costs, and where
    each source's run starts (for ``np.minimum.reduceat``)."""
    src, lab = np.nonzero(auto.targets >= 0)
    dst = auto.targets[src, lab]
    cost = auto.model_cost[lab]
    order = np.argsort(src, kind="stable")
    src, dst, cost = src[order], dst[order], cost[order]
    sources, starts = np.unique(src, return_index=True)
    return sources.astype(np.int64), dst.astype(np.int64), cost, starts.astype(np.int64)


def _step(
    child: _Floats,
    cls: _Ints,
    class_cost: _Floats,
    sync_to: _Ints,
    edges: tuple[_Ints, _Ints, _Floats, _Ints],
) -> _Floats:
    """Cost vectors of the suffixes ``a·s`` from those of ``s`` (``child``, one row each)."""
    k = child.shape[1] - 1
    out = child + class_cost[cls][:, None]  # a log move on a, then s from the same state
    synced = np.take_along_axis(child, sync_to[:, cls].T, axis=1)
    np.minimum(out, synced, out=out)
    out[:, k] = np.inf
    sources, dst, cost, starts = edges
    if len(dst) == 0:
        return out
    # model moves: relax every edge until nothing improves; each row (trie node) on its own,
    # so a row that did not change in one round is final and drops out
    idx = np.arange(len(out))
    rows = out
    while True:
        best = np.minimum.reduceat(rows[:, dst] + cost, starts, axis=1)
        cur = rows[:, sources]
        changed = np.flatnonzero((best < cur).any(axis=1))
        if len(changed) == 0:
            return out
        rows[:, sources] = np.minimum(cur, best)
        if rows is not out:  # a copy (fancy indexing): write the round back
            out[idx] = rows
        idx = idx[changed]
        rows = out[idx]


def _read_off(
    auto: Automaton,
    table: _Floats,
    nodes: _Ints,
    lengths: _Ints,
    offsets: _Ints,
    codes: _Ints,
    lcost: _Floats,
) -> tuple[_Floats, Steps]:
    """Each trace's cost and moves, walking forward for all traces at once."""
    n_traces = len(lengths)
    k = auto.n_states
    base = offsets[:-1] + np.arange(n_traces)
    costs = table[nodes[base], 0].copy()
    targets = np.where(auto.targets >= 0, auto.targets, k)
    v = np.arange(n_traces)
    d = np.zeros(n_traces, dtype=np.int64)
    i = np.zeros(n_traces, dtype=np.int64)
    out_v: list[_Ints] = []
    out_kind: list[_Ints] = []
    out_code: list[_Ints] = []
    while len(v):
        done = (i == lengths[v]) & auto.finals[d]
        if done.any():
            keep = ~done
            v, d, i = v[keep], d[keep], i[keep]
            if not len(v):
                break
        node = nodes[base[v] + i]
        left = table[node, d]
        tol = 1e-9 * np.maximum(1.0, left)
        more = i < lengths[v]
        ev = np.where(more, offsets[v] + i, len(codes) - 1)  # the sentinel event at the end
        code = codes[ev]
        nxt = nodes[base[v] + np.minimum(i + 1, lengths[v])]
        s_to = np.where(code >= 0, targets[d, np.maximum(code, 0)], k)
        sync = more & (np.abs(table[nxt, s_to] - left) <= tol)
        log = more & ~sync & (np.abs(lcost[ev] + table[nxt, d] - left) <= tol)
        model = ~(sync | log)
        label = np.full(len(v), -1, dtype=np.int64)
        if model.any():
            mv = np.flatnonzero(model)
            to = targets[d[mv]]  # (m, L)
            cand = auto.model_cost[None, :] + table[node[mv][:, None], to]
            hit = np.abs(cand - left[mv][:, None]) <= tol[mv][:, None]
            if not hit.any(axis=1).all():
                raise AssertionError("alignment read-off found no optimal move")  # pragma: no cover
            label[mv] = np.argmax(hit, axis=1)
            d_model = to[np.arange(len(mv)), label[mv]]
        kind = np.where(sync, SYNC, np.where(log, LOG, MODEL))
        out_v.append(v)
        out_kind.append(kind)
        out_code.append(np.where(sync, code, label))
        d = np.where(sync, s_to, d)
        if model.any():
            d[mv] = d_model
        i = i + (sync | log)
    return costs, _split_steps(n_traces, out_v, out_kind, out_code)


def _split_steps(
    n_traces: int, out_v: list[_Ints], out_kind: list[_Ints], out_code: list[_Ints]
) -> Steps:
    """All traces' moves in trace order, from the per-round arrays."""
    if not out_v:
        empty = np.zeros(0, dtype=np.int64)
        return Steps(empty, empty, np.zeros(n_traces + 1, dtype=np.int64))
    vs = np.concatenate(out_v)
    order = np.argsort(vs, kind="stable")  # rounds are in order, so each trace's steps are too
    vs = vs[order]
    return Steps(
        kinds=np.concatenate(out_kind)[order].astype(np.int64),
        codes=np.concatenate(out_code)[order].astype(np.int64),
        bounds=np.searchsorted(vs, np.arange(n_traces + 1)).astype(np.int64),
    )
