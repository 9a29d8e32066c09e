"""Exact optimal alignments of traces against a Petri net.

An alignment pairs a trace with a complete run of the net (initial to final marking) as a
sequence of moves: *synchronous* (the event and a transition with its label), *log* (an event
the model cannot follow), *model* (a visible transition the trace skipped) and *silent* (a τ
transition). Under the standard cost function sync and silent moves cost 0 and visible log and
model moves cost 1; an optimal alignment has the least total cost. Ties among optimal
alignments are broken by a fixed rule (below), and each stretch of silent moves is a shortest
one, so the same net and trace always give the same moves.

How it works (see ``docs/alignments.md``): the net's reachability graph is built once per
:class:`Aligner` and determinised over its silent moves when that stays small. For such a
deterministic model all distinct traces are aligned together by one dynamic program
(:mod:`fvmprocess.conformance._batch`): the traces' suffixes share a trie, and each trie node
gets the cheapest cost to finish from every model state, computed depth by depth with numpy;
the moves are read off front to back, preferring a synchronous move, then a log move, then a
model move (labels in a fixed order) among the optimal ones — so the trace is synchronised as
early as possible. Otherwise each distinct trace is aligned by A* over the product of graph
state and trace position, with a consistent heuristic from two per-state precomputations —
the cheapest model-only completion to the final marking and the set of labels still
reachable. When the reachability graph (or its determinisation) would exceed the memory
budget, it is not built: each trace is aligned on the fly by
:mod:`fvmprocess.conformance._search` (A* over the synchronous product with the extended
marking equation as heuristic), or by the process tree (:mod:`~fvmprocess.conformance.blocks`).

Every search runs within a :class:`Budget` (memory, CPU seconds per trace). When a budget
runs out before the optimum is proven, the alignment is still valid (its cost is an upper
bound) and carries ``exact=False`` and a proven lower bound ``cost_lower``.

Example:
    >>> from fvmprocess.petri import PetriNet, Transition
    >>> net = PetriNet(
    ...     name="seq",
    ...     places=("i", "m", "o"),
    ...     transitions=(Transition("a", "A"), Transition("b", "B")),
    ...     arcs=(("i", "a", 1), ("a", "m", 1), ("m", "b", 1), ("b", "o", 1)),
    ...     initial_marking={"i": 1},
    ...     final_marking={"o": 1},
    ... )
    >>> result = align(net, ["A", "C", "B"])
    >>> result.cost, [m.kind for m in result.moves]
    (1.0, ['sync', 'log', 'sync'])
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from fvmprocess.conformance._batch import Automaton, Steps, align_many, table_bytes
from fvmprocess.conformance._search import (
    BoundedAligner,
    SearchResult,
    clock,
    state_bytes,
    structurally_bounded,
)
from fvmprocess.conformance.blocks import BlockAligner
from fvmprocess.conformance.moves import Alignment, AlignmentCosts, Move, MoveKind
from fvmprocess.errors import ConformanceError, StateLimitError
from fvmprocess.petri import DEFAULT_MAX_STATES, PetriNet, reachability_graph

__all__ = [
    "DEFAULT_MEMORY",
    "DEFAULT_VARIANT_SECONDS",
    "Aligner",
    "Budget",
    "VariantProgress",
    "align",
    "align_variants",
    "graph_bytes",
]

_KINDS: tuple[MoveKind, ...] = ("sync", "log", "model", "silent")
_SYNC, _LOG, _MODEL, _SILENT = 0, 1, 2, 3
_IntArray = npt.NDArray[np.int64]
#: Default memory budget of one aligner (model side plus one search): 2 GiB.
DEFAULT_MEMORY = 2 * 1024**3
#: Default CPU seconds per distinct trace.
DEFAULT_VARIANT_SECONDS = 2.0
#: ``progress(done, total, states explored so far)``, called while variants are aligned.
VariantProgress = Callable[[int, int, int], None]
#: Measured bytes per reachability-graph marking beyond 8 per place, and per edge (the graph,
#: the pruned automaton and the search tables); see ``tests/test_bounded_align.py``.
_GRAPH_STATE_BYTES = 2_500
_GRAPH_EDGE_BYTES = 400
#: Segment tables of one trace the process-tree aligner holds at once (a generous bound).
_BLOCK_TABLES = 16
#: Bytes per member marking of a determinised state (its frozenset entry).
_SUBSET_MEMBER_BYTES = 60
#: Automata with at most this many edges align by the batched dynamic program
#: (:mod:`fvmprocess.conformance._batch`); its rounds cost trie nodes × edges.
_BATCH_MAX_EDGES = 4096
#: Events per batch at most: the working arrays (a few per move) stay ~100 MiB, and batches
#: this large share almost every suffix anyway.
_BATCH_EVENTS = 1 << 19


def graph_bytes(n_places: int, out_degree: float = 6.0) -> int:
    """Estimated bytes one reachability-graph marking costs the aligner (measured)."""
    return _GRAPH_STATE_BYTES + 8 * n_places + int(out_degree * _GRAPH_EDGE_BYTES)


@dataclass(frozen=True)
class Budget:
    """How much one :class:`Aligner` may use.

    Attributes:
        memory: bytes for the model side (reachability graph, determinisation) and one
            search; half goes to each. Beyond it the graph is not built and traces are
            aligned on the fly.
        variant_seconds: CPU seconds per distinct trace before its search stops with a
            bound (``exact=False``).
        total_seconds: wall seconds for all traces of one :meth:`Aligner.align_variants`
            call; a trace started with less left gets what is left (at least 0.05 s), one
            started after it is not searched: every event a log move plus the cheapest run,
            flagged, with the unknown activities' log moves as lower bound. ``None``: no
            total budget.
        states: product states one search may store (``None``: from ``memory``).

    Raises:
        ValueError: a budget that is not positive.
    """

    memory: int = DEFAULT_MEMORY
    variant_seconds: float = DEFAULT_VARIANT_SECONDS
    total_seconds: float | None = None
    states: int | None = None

    def __post_init__(self) -> None:
        checks: tuple[tuple[str, float | None], ...] = (
            ("memory", self.memory),
            ("variant_seconds", self.variant_seconds),
            ("total_seconds", self.total_seconds),
            ("states", self.states),
        )
        for name, value in checks:
            if value is None and name in ("total_seconds", "states"):
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"Budget.{name} is {value!r}; expected a number > 0")

    def search_states(self, n_places: int) -> int:
        """Product states one search may store: ``states``, else half the memory."""
        if self.states is not None:
            return int(self.states)
        return max(1, self.memory // 2 // state_bytes(n_places))


class _Space:
    """A searchable automaton over label codes.

    Per state: silent edges ``(edge, target)``, visible edges ``(edge, target, model cost)``
    and visible edges grouped by label code for synchronous moves. ``edge`` is a transition
    index in a net-level space and a label code in a determinised one.
    """

    def __init__(self) -> None:
        self.tau: list[tuple[tuple[int, int], ...] | None] = []
        self.vis: list[tuple[tuple[int, int, float], ...] | None] = []
        self.sync: list[dict[int, tuple[tuple[int, int], ...]] | None] = []
        self.dist: list[float] = []
        self.mask_id: list[int] = []
        self.masks: list[int] = []
        self.finals: set[int] = set()

    def set_edges(
        self, q: int, edges: Iterable[tuple[int, int, int]], costs: Sequence[float]
    ) -> None:
        """Store ``(edge, label code or -1, target)`` edges of state ``q``."""
        tau: list[tuple[int, int]] = []
        vis: list[tuple[int, int, float]] = []
        sync: dict[int, list[tuple[int, int]]] = {}
        for e, code, q2 in edges:
            if code < 0:
                tau.append((e, q2))
            else:
                vis.append((e, q2, costs[code]))
                sync.setdefault(code, []).append((e, q2))
        while len(self.tau) <= q:
            self.tau.append(None)
            self.vis.append(None)
            self.sync.append(None)
        self.tau[q] = tuple(tau)
        self.vis[q] = tuple(vis)
        self.sync[q] = {k: tuple(v) for k, v in sync.items()}

    def finish(self, out: Sequence[Sequence[tuple[int, int, int]]]) -> None:
        """Compute each state's cheapest model-only completion and reachable-label mask."""
        n = len(out)
        rev: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for q in range(n):
            for q2, c in ((q2, vc) for _, q2, vc in self.vis[q] or ()):
                rev[q2].append((q, c))
            for _, q2 in self.tau[q] or ():
                rev[q2].append((q, 0.0))
        dist = [math.inf] * n
        heap = [(0.0, f) for f in sorted(self.finals)]
        for f in self.finals:
            dist[f] = 0.0
        heapq.heapify(heap)
        while heap:
            d, q = heapq.heappop(heap)
            if d > dist[q]:
                continue
            for p, c in rev[q]:
                if d + c < dist[p]:
                    dist[p] = d + c
                    heapq.heappush(heap, (d + c, p))
        masks = [0] * n
        for q, edges in enumerate(out):
            for _, code, _ in edges:
                if code >= 0:
                    masks[q] |= 1 << code
        masks = _propagate_masks([[q2 for _, _, q2 in edges] for edges in out], masks)
        ids: dict[int, int] = {}
        self.mask_id = [ids.setdefault(m, len(ids)) for m in masks]
        self.masks = sorted(ids, key=ids.__getitem__)
        self.dist = dist


class Aligner:
    """Computes alignments against one net within a budget; build once, align many traces.

    Building precomputes the reachability graph, determinises it over labels (τ-closure and
    subset construction: the optimal cost depends only on the net's language), and for each
    state the cheapest model-only completion and the set of labels still reachable — as long
    as this fits half of ``budget.memory``. Otherwise nothing is precomputed and each trace is
    aligned on the fly (:class:`~fvmprocess.conformance._search.BoundedAligner`). Each
    distinct trace is aligned once and cached; :meth:`_align_one` is the single place a trace
    is aligned.

    Args:
        net: the net; its final marking must be reachable.
        costs: move costs; the standard cost function when ``None``.
        method: ``"graph"`` precomputes the reachability graph (and searches its
            determinisation when that fits, else the graph itself), ``"net"`` aligns on the
            fly, ``"auto"`` uses ``"graph"`` unless it does not fit ``max_states`` markings
            or the memory budget.
        max_states: bound on reachability-graph markings and on determinised states.
        budget: memory and time budgets (:class:`Budget`; the defaults when ``None``).
        trees: when aligning on the fly, align a block-structured net with unique labels
            exactly by its process tree (:mod:`fvmprocess.conformance.blocks`); ``False``
            leaves every trace to the bounded search.

    Raises:
        ConformanceError: if the net is unbounded, the final marking cannot be reached, or
            (``method="graph"``) the graph is too large.
        ValueError: on an unknown ``method``.

    Example:
        >>> aligner = Aligner(net)  # doctest: +SKIP
        >>> [a.cost for a in aligner.align_variants([["A", "B"], ["B"]])]  # doctest: +SKIP
        [0.0, 1.0]
    """

    def __init__(
        self,
        net: PetriNet,
        *,
        costs: AlignmentCosts | None = None,
        method: Literal["auto", "graph", "net"] = "auto",
        max_states: int = DEFAULT_MAX_STATES,
        budget: Budget | None = None,
        trees: bool = True,
    ) -> None:
        if method not in ("auto", "graph", "net"):
            raise ValueError(f"method is {method!r}; expected 'auto', 'graph' or 'net'")
        self.net = net
        self.costs = costs if costs is not None else AlignmentCosts()
        self.budget = budget if budget is not None else Budget()
        n_places = len(net.places)
        #: Markings the reachability graph may have: ``max_states`` and half the memory.
        self.max_states = max(1, min(max_states, self.budget.memory // 2 // graph_bytes(n_places)))
        #: Product states one search may store.
        self.search_states = self.budget.search_states(n_places)
        self._standard = self.costs.is_standard
        self._cache: dict[tuple[str, ...], Alignment] = {}
        labels = sorted(net.labels)
        self._labels = labels
        self._label_id = {lab: i for i, lab in enumerate(labels)}
        self._label_cost = [self.costs.model_cost(lab) for lab in labels]
        self._t_ids = [t.id for t in net.transitions]
        self._t_labels = [t.label for t in net.transitions]
        self._t_code = [-1 if t.label is None else self._label_id[t.label] for t in net.transitions]
        self._nfa_out: list[tuple[tuple[int, int, int], ...]] = []
        self._nfa_finals: set[int] = set()
        self._deterministic = False
        self._subsets: list[frozenset[int]] = []
        self._trees: dict[tuple[int, int], tuple[dict[int, tuple[int, int]], list[int]]] = {}
        self._bounded: BoundedAligner | None = None
        self._blocks: BlockAligner | None = None
        self.trees = trees
        self._explored = 0  # states the last search explored (for progress)
        self._model_cost: float | None = None
        self._auto: Automaton | None = None
        self._words: dict[tuple[int, ...], list[list[int]]] = {}
        #: one shared Move per transition: synchronous, model, silent (see _build)
        self._moves = _transition_moves(net)
        self._log_moves: dict[str, Move] = {}
        self.method: Literal["graph", "net"]
        self._space: _Space
        if method == "net":
            self._init_net()
        else:
            try:
                self._init_graph()
            except StateLimitError:
                if method == "graph":
                    raise
                self._init_net()
        self._empty = self._align_empty()
        #: Cost of the cheapest complete run of the net (= aligning the empty trace).
        self.worst_model_cost: float = self._empty.cost
        self._model_cost = self.worst_model_cost

    # -- construction ----------------------------------------------------------------------

    def _init_graph(self) -> None:
        rg = reachability_graph(self.net, max_states=self.max_states)
        self.method = "graph"
        live = _live_states(rg.edges, rg.finals)
        if not live[0]:
            raise ConformanceError(
                "no run from the initial marking reaches the final marking",
                source=f"net {self.net.name!r}",
            )
        codes = self._t_code
        self._nfa_out = [
            tuple((t, codes[t], q2) for t, q2 in out if live[q2]) if live[q] else ()
            for q, out in enumerate(rg.edges)
        ]
        self._nfa_finals = set(rg.finals)
        space = self._determinise()
        if space is None:  # too many subsets: search the reachability graph itself
            space = _Space()
            for q, nfa_edges in enumerate(self._nfa_out):
                space.set_edges(q, nfa_edges, self._label_cost)
            space.finals = set(rg.finals)
            space.finish(self._nfa_out)
        else:
            self._deterministic = True
        self._space = space
        if self._deterministic:
            self._auto = self._automaton()

    def _automaton(self) -> Automaton | None:
        """The determinised automaton as arrays for the batched dynamic program; ``None``
        when it has too many edges or a model move is free (its read-off needs every model
        move to cost something)."""
        space = self._space
        n_labels = len(self._labels)
        if any(c <= 0 for c in self._label_cost):
            return None
        if sum(len(v or ()) for v in space.vis) > _BATCH_MAX_EDGES:
            return None
        targets = np.full((len(space.tau), n_labels), -1, dtype=np.int64)
        for d, by_code in enumerate(space.sync):
            for code, edges in (by_code or {}).items():
                targets[d, code] = edges[0][1]
        finals = np.zeros(len(space.tau), dtype=np.bool_)
        finals[sorted(space.finals)] = True
        return Automaton(
            targets=targets,
            model_cost=np.asarray(self._label_cost, dtype=np.float64),
            finals=finals,
            completion=np.asarray(space.dist, dtype=np.float64),
        )

    def _determinise(self) -> _Space | None:
        """Subset construction over labels with τ-closure; ``None`` beyond ``max_states``
        states or when the subsets' members would not fit half the memory budget."""
        out = self._nfa_out
        member_budget = self.budget.memory // 2 // _SUBSET_MEMBER_BYTES - len(out)

        def closure(states: Iterable[int]) -> frozenset[int]:
            seen = set(states)
            todo = list(seen)
            while todo:
                for _, code, q2 in out[todo.pop()]:
                    if code < 0 and q2 not in seen:
                        seen.add(q2)
                        todo.append(q2)
            return frozenset(seen)

        start = closure([0])
        ids = {start: 0}
        order = [start]
        members = len(start)
        dfa_out: list[tuple[tuple[int, int, int], ...]] = []
        pos = 0
        while pos < len(order):
            subset = order[pos]
            pos += 1
            by_label: dict[int, set[int]] = {}
            for q in subset:
                for _, code, q2 in out[q]:
                    if code >= 0:
                        by_label.setdefault(code, set()).add(q2)
            edges: list[tuple[int, int, int]] = []
            for code in sorted(by_label):
                target = closure(by_label[code])
                tid = ids.get(target)
                if tid is None:
                    members += len(target)
                    if len(order) >= self.max_states or members > member_budget:
                        return None
                    tid = ids[target] = len(order)
                    order.append(target)
                edges.append((code, code, tid))
            dfa_out.append(tuple(edges))
        space = _Space()
        for d, dfa_edges in enumerate(dfa_out):
            space.set_edges(d, dfa_edges, self._label_cost)
        space.finals = {d for d, subset in enumerate(order) if subset & self._nfa_finals}
        space.finish(dfa_out)
        self._subsets = order
        return space

    def _init_net(self) -> None:
        """No graph: a block-structured net with unique labels is aligned exactly by its
        process tree (:mod:`fvmprocess.conformance.blocks`), as far as a trace's tables fit
        the memory budget; every other trace on the fly by the bounded search."""
        self.method = "net"
        if self.trees:
            self._blocks = BlockAligner.from_net(self.net, costs=self.costs)
        self._bounded = BoundedAligner(
            self.net,
            costs=self.costs,
            max_states=self.search_states,
            max_seconds=self.budget.variant_seconds,
            check_cover=not structurally_bounded(self.net),
        )

    def _align_empty(self) -> Alignment:
        """The empty trace's alignment: its cost is the cheapest complete run."""
        if self._blocks is not None:
            return self._blocks.align(())
        if self._bounded is not None:
            return self._from_search((), self._bounded.empty_run())
        if self._auto is not None:
            return self._batch([()])[0]
        budget = max(10 * self.budget.variant_seconds, 60.0)
        found = self._search((), budget)
        if found is None:
            raise ConformanceError(
                "no complete run found within the search budget", source=f"net {self.net.name!r}"
            )
        return found

    # -- public API ------------------------------------------------------------------------

    @property
    def n_states(self) -> int:
        """States of the automaton the search runs on (0 when aligning on the fly)."""
        return 0 if self._bounded is not None else len(self._space.tau)

    def align(self, trace: Sequence[str], *, seconds: float | None = None) -> Alignment:
        """Align one trace (cached per distinct trace).

        Args:
            trace: the activities of a case, in order.
            seconds: CPU seconds for this trace (default: ``budget.variant_seconds``).

        Returns:
            The alignment: optimal when ``exact``, else with ``cost_lower``.
        """
        key = tuple(trace)
        found = self._cache.get(key)
        if found is None:
            found = self._align_one(
                key, self.budget.variant_seconds if seconds is None else seconds
            )
            self._cache[key] = found
        return found

    def align_variants(
        self,
        variants: Iterable[Sequence[str]],
        *,
        processes: int = 1,
        progress: VariantProgress | None = None,
    ) -> list[Alignment]:
        """Align many traces; each distinct one is searched once.

        The traces not yet cached are aligned shortest first (``processes > 1``: one trace
        per task, in worker processes), so a total time budget that runs out leaves the long
        ones bounded, not the easy ones. The results do not depend on ``processes`` (only on
        the budgets that run out).

        Args:
            variants: traces (usually the distinct variants of a log).
            processes: worker processes for the traces not yet cached (1: in this process).
            progress: ``progress(done, total, states explored)`` after each trace.

        Returns:
            One alignment per input trace, in input order.

        Raises:
            ValueError: if ``processes < 1``.
        """
        if processes < 1:
            raise ValueError(f"processes is {processes}; expected >= 1")
        keys = [tuple(v) for v in variants]
        if self._auto is not None:  # exact and fast: one batch, in this process
            self._align_batches([k for k in dict.fromkeys(keys) if k not in self._cache], progress)
            return [self._cache[k] for k in keys]
        todo = sorted({k for k in keys if k not in self._cache}, key=lambda k: (len(k), k))
        total = self.budget.total_seconds
        deadline = None if total is None else time.time() + total
        states = 0
        for done, (k, (result, explored)) in enumerate(self._run(todo, processes, deadline), 1):
            self._cache[k] = result
            states += explored
            if progress is not None:
                progress(done, len(todo), states)
        return [self._cache[k] for k in keys]

    def _align_batches(self, todo: list[tuple[str, ...]], progress: VariantProgress | None) -> None:
        """Align ``todo`` by the batched dynamic program, in batches whose cost table fits
        half the memory budget (and of at most ``_BATCH_EVENTS`` events); cache the results."""
        assert self._auto is not None
        k = self._auto.n_states
        room = self.budget.memory // 2
        seen = np.zeros(len(todo) + 1, dtype=np.int64)  # events before each trace
        np.cumsum(np.fromiter(map(len, todo), dtype=np.int64, count=len(todo)), out=seen[1:])
        start = 0
        while start < len(todo):
            # table_bytes grows with events and traces: the longest batch that fits, or one
            ends = np.arange(start + 1, len(todo) + 1)
            events = seen[ends] - seen[start]
            fits = (table_bytes(k, events, ends - start) <= room) & (events <= _BATCH_EVENTS)
            end = start + max(1, int(np.count_nonzero(fits)))
            for key, al in zip(todo[start:end], self._batch(todo[start:end]), strict=True):
                self._cache[key] = al
            start = end
            if progress is not None:
                progress(end, len(todo), 0)

    def _batch(self, traces: Sequence[tuple[str, ...]]) -> list[Alignment]:
        """Exact alignments of ``traces`` by the batched dynamic program."""
        assert self._auto is not None
        acts: dict[str, int] = {}
        act_ids = np.fromiter(
            (acts.setdefault(a, len(acts)) for t in traces for a in t),
            dtype=np.int64,
            count=sum(map(len, traces)),
        )
        names = list(acts)
        label_id = self._label_id
        act_code = np.array([label_id.get(a, -1) for a in names], dtype=np.int64)
        if self._standard:
            act_cost = np.ones(len(names), dtype=np.float64)
        else:
            act_cost = np.array([self.costs.log_cost(a) for a in names], dtype=np.float64)
        lengths = np.fromiter(map(len, traces), dtype=np.int64, count=len(traces))
        found, steps = align_many(self._auto, act_code[act_ids], act_cost[act_ids], lengths)
        return self._assemble(names, act_ids, act_cost, lengths, found, steps)

    def _assemble(
        self,
        names: list[str],
        act_ids: _IntArray,
        act_cost: npt.NDArray[np.float64],
        lengths: _IntArray,
        found: npt.NDArray[np.float64],
        steps: Steps,
    ) -> list[Alignment]:
        """The :class:`Alignment` of every trace from the program's flat steps, without a
        Python loop over moves: each distinct model word is realised as a net run once
        (:meth:`_realise`), then every trace's moves are gathered from one table of shared
        :class:`Move` objects by integer indexing (:meth:`_move_ids`).

        Args:
            names: the activities; ``act_ids`` index them.
            act_ids: every trace's events one after the other.
            act_cost: per activity its log-move cost.
            lengths: events per trace.
            found: per trace its optimal cost.
            steps: per trace its ``(kind, label code)`` moves.
        """
        n = len(lengths)
        ids, slot_bounds = self._move_ids(steps, act_ids, lengths)
        sync_m, model_m, silent_m = self._moves
        log_m = self._log_moves
        table = [*sync_m, *model_m, *silent_m]
        table += [log_m.get(a) or log_m.setdefault(a, Move(a, None, None, "log")) for a in names]
        box = np.empty(len(table), dtype=object)
        box[:] = table
        moves = tuple(box[ids].tolist())  # slices of a tuple are tuples: one copy each
        # while the empty trace is aligned to find it, the run just found is the cheapest
        model_cost = found if self._model_cost is None else np.full(n, self._model_cost)
        event_var = np.repeat(np.arange(n, dtype=np.int64), lengths)
        worst = np.bincount(event_var, weights=act_cost[act_ids], minlength=n) + model_cost
        with np.errstate(divide="ignore", invalid="ignore"):
            fitness = np.where(worst > 0, 1.0 - found / worst, 1.0)
        ends = slot_bounds.tolist()
        return [
            Alignment(moves=moves[a:b], cost=c, fitness=f, worst_cost=w)
            for a, b, c, f, w in zip(
                ends[:-1], ends[1:], found.tolist(), fitness.tolist(), worst.tolist(), strict=True
            )
        ]

    def _move_ids(
        self, steps: Steps, act_ids: _IntArray, lengths: _IntArray
    ) -> tuple[_IntArray, _IntArray]:
        """Every trace's moves as indices into ``[sync moves, model moves, silent moves, log
        moves per activity]`` (one block of ``len(transitions)`` each, then the activities),
        and where each trace's moves start.

        A trace's moves are *pieces*: each step of the program (a log move: one move; a
        synchronous or model move on the ``j``-th label of the trace's model word: that
        word's ``j``-th group of transitions, silent ones first), then the word's trailing
        silent group.
        """
        n = len(lengths)
        kinds, bounds = steps.kinds, steps.bounds
        var = np.repeat(np.arange(n, dtype=np.int64), np.diff(bounds))
        visible = kinds != _LOG
        vis_rank = _rank_within(visible, bounds, var)
        words, word_of = _distinct_words(steps.codes, visible, var, vis_rank, n)
        group_base, group_len, group_start, flat_t = self._word_groups(words)
        n_steps = len(kinds)
        step_at = np.arange(n_steps) + var  # a trace's pieces: its steps, then its tail
        w_base = group_base[word_of]
        piece_group = np.full(n_steps + n, -1, dtype=np.int64)  # -1: a log move
        piece_group[step_at[visible]] = w_base[var[visible]] + vis_rank[visible]
        piece_group[bounds[1:] + np.arange(n)] = w_base + np.bincount(var[visible], minlength=n)
        piece_kind = np.full(n_steps + n, _SILENT, dtype=np.int64)
        piece_kind[step_at] = kinds
        counts = np.where(piece_group >= 0, group_len[np.maximum(piece_group, 0)], 1)
        piece_first = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=piece_first[1:])
        slot_piece = np.repeat(np.arange(len(counts)), counts)
        slot_in = np.arange(int(piece_first[-1])) - piece_first[slot_piece]
        if len(flat_t):
            at = group_start[np.maximum(piece_group[slot_piece], 0)] + slot_in
            tid = flat_t[np.minimum(at, len(flat_t) - 1)]
        else:  # a model whose runs fire nothing: only log moves
            tid = np.zeros(len(slot_in), dtype=np.int64)
        n_t = len(self.net.transitions)
        last = slot_in == counts[slot_piece] - 1  # a group's visible transition
        kind = piece_kind[slot_piece]
        ids = np.where(last & (kind == _SYNC), tid, 2 * n_t + tid)
        ids = np.where(last & (kind == _MODEL), n_t + tid, ids)
        log_slots = np.flatnonzero(kind == _LOG)
        if len(log_slots):
            offsets = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(lengths, out=offsets[1:])
            piece_step = np.full(len(counts), -1, dtype=np.int64)
            piece_step[step_at] = np.arange(n_steps)
            log_steps = piece_step[slot_piece[log_slots]]
            event = offsets[var[log_steps]] + _rank_within(kinds != _MODEL, bounds, var)[log_steps]
            ids[log_slots] = 3 * n_t + act_ids[event]
        return ids, piece_first[bounds + np.arange(n + 1)]

    def _word_groups(
        self, words: list[tuple[int, ...]]
    ) -> tuple[_IntArray, _IntArray, _IntArray, _IntArray]:
        """Each model word realised as a net run (:meth:`_realise`, cached), flat: where each
        word's groups start, each group's length and first transition, the transitions."""
        runs = []
        for word in words:
            groups = self._words.get(word)
            if groups is None:
                groups = self._words[word] = self._realise(list(word))
            runs.append(groups)
        group_base = np.zeros(len(runs) + 1, dtype=np.int64)
        np.cumsum([len(g) for g in runs], out=group_base[1:])
        group_len = np.array([len(x) for g in runs for x in g], dtype=np.int64)
        group_start = np.zeros(len(group_len) + 1, dtype=np.int64)
        np.cumsum(group_len, out=group_start[1:])
        flat_t = np.fromiter(
            (t for g in runs for x in g for t in x), dtype=np.int64, count=int(group_start[-1])
        )
        return group_base, group_len, group_start, flat_t

    def clear_cache(self) -> None:
        """Forget the alignments computed so far."""
        self._cache.clear()

    # -- one trace -------------------------------------------------------------------------

    def _align_one(self, trace: tuple[str, ...], seconds: float) -> Alignment:
        """The one place a trace is aligned: exact graph/DFA A*, or the bounded on-the-fly
        search; the process-tree aligner first where it applies."""
        if self._blocks is not None and self._fits_blocks(trace):
            self._explored = 0
            return self._blocks.align(trace)
        if self._bounded is not None:
            found = self._bounded.align(trace, max_seconds=seconds)
            self._explored = int(found.stats.get("expanded", 0))
            return self._from_search(trace, found)
        if self._auto is not None:
            return self._batch([trace])[0]
        result = self._search(trace, seconds)
        return result if result is not None else self._upper(trace, 0.0)

    def _fits_blocks(self, trace: tuple[str, ...]) -> bool:
        """Whether the process-tree aligner's segment tables for ``trace`` fit half the
        memory budget (a few live ``(n + 1)²`` float tables, ``n`` the events the net knows)."""
        labels = self.net.labels
        n = sum(1 for a in trace if a in labels)
        return _BLOCK_TABLES * 8 * (n + 1) ** 2 <= self.budget.memory // 2

    def _run(
        self, todo: list[tuple[str, ...]], processes: int, deadline: float | None
    ) -> Iterator[tuple[tuple[str, ...], tuple[Alignment, int]]]:
        """Align ``todo`` in order here or in ``processes`` workers; yields as they finish."""
        jobs = ((k, deadline) for k in todo)
        if processes <= 1 or len(todo) <= 1:
            for job in jobs:
                yield job[0], self._timed(job)
            return
        import multiprocessing

        pool = multiprocessing.Pool(
            processes,
            initializer=_worker_init,
            initargs=(self.net, self.costs, self.method, self.max_states, self.budget, self.trees),
        )
        try:
            yield from zip(todo, pool.imap(_worker_align, jobs, chunksize=1), strict=True)
        except BaseException:
            pool.terminate()  # Ctrl-C or an error: stop the workers now
            pool.join()
            raise
        pool.close()
        pool.join()

    def _timed(self, job: tuple[tuple[str, ...], float | None]) -> tuple[Alignment, int]:
        """Align one job (its seconds cut to what the total budget has left); the alignment
        and the states its search explored."""
        trace, deadline = job
        seconds = self.budget.variant_seconds
        self._explored = 0
        if deadline is not None:
            left = deadline - time.time()
            if left <= 0:  # the total budget is spent: no search at all
                return self._spent(trace), 0
            seconds = min(seconds, max(left, _MIN_SECONDS))
        return self._align_one(trace, seconds), self._explored

    def _spent(self, trace: tuple[str, ...]) -> Alignment:
        """:meth:`_upper` with the lower bound no search is needed for: the log moves of the
        events whose activity no transition carries."""
        labels = self.net.labels
        forced = sum(self.costs.log_cost(a) for a in trace if a not in labels)
        return self._upper(trace, forced)

    def _from_search(self, trace: tuple[str, ...], found: SearchResult) -> Alignment:
        """The bounded search's steps as an :class:`Alignment` with its flags."""
        al = self._build(trace, list(found.steps), found.cost)
        if found.exact:
            return al
        return _flagged(al, found.cost_lower)

    def _upper(self, trace: tuple[str, ...], lower: float) -> Alignment:
        """A valid alignment when the search ran out: every event a log move, then the
        cheapest complete run; ``exact`` when ``lower`` proves it optimal."""
        moves = tuple(Move(a, None, None, "log") for a in trace) + tuple(self._empty.moves)
        cost = sum(self.costs.log_cost(a) for a in trace) + self._empty.cost
        worst = cost
        fitness = 1.0 - cost / worst if worst > 0 else 1.0
        al = Alignment(moves=moves, cost=cost, fitness=fitness, worst_cost=worst)
        return al if lower >= cost else _flagged(al, min(lower, cost))

    # -- the search ------------------------------------------------------------------------

    def _search(self, trace: tuple[str, ...], seconds: float) -> Alignment | None:
        """A* over (automaton state, trace position) within the budget.

        Priority: ``(g + h, -position, silent moves, state key)``. ``h`` is consistent, so
        the first time the goal is taken from the queue its cost is optimal; the rest of the
        key only fixes the order of ties, deterministically. When the time or state budget
        runs out, the least ``g + h`` over the open states (and the state just taken) is a
        proven lower bound: the result is :meth:`_upper` with it (``None`` for the empty
        trace, whose run :meth:`_upper` needs).
        """
        n = len(trace)
        stride = n + 1
        label_id = self._label_id
        codes = [label_id.get(a, -1) for a in trace]
        lcost = [self.costs.log_cost(a) for a in trace]
        space = self._space
        tau_e, vis_e, sync_e, finals = space.tau, space.vis, space.sync, space.finals
        heuristic = self._heuristic(codes, lcost)
        start = 0
        best: dict[int, tuple[float, int]] = {start: (0.0, 0)}
        parent: dict[int, tuple[int, int, int]] = {}
        closed: set[int] = set()
        heap: list[tuple[float, int, int, int, float]] = [(heuristic(0, 0), 0, 0, start, 0.0)]
        push, pop = heapq.heappush, heapq.heappop
        deadline = clock() + seconds
        limit = self.search_states
        pops = 0
        goal = -1
        while heap:
            f, _negi, taus, key, g = pop(heap)
            if key in closed:
                continue
            closed.add(key)
            q, i = divmod(key, stride)
            if i == n and q in finals:
                goal = key
                break
            pops += 1
            self._explored = pops
            if pops & 255 == 0 and (clock() > deadline or len(best) > limit):
                lower = min([f, *(e[0] for e in heap if e[3] not in closed)])
                return self._upper(trace, lower) if n or self._model_cost is not None else None
            succ: list[tuple[int, float, int, int, int, int]] = []
            if i < n:
                c = codes[i]
                if c >= 0:
                    sync = sync_e[q]
                    assert sync is not None
                    for t, q2 in sync.get(c, ()):
                        succ.append((q2 * stride + i + 1, g, taus, i + 1, _SYNC, t))
                succ.append((key + 1, g + lcost[i], taus, i + 1, _LOG, -1))
            vis = vis_e[q]
            assert vis is not None
            for t, q2, mc in vis:
                succ.append((q2 * stride + i, g + mc, taus, i, _MODEL, t))
            tau = tau_e[q]
            assert tau is not None
            for t, q2 in tau:
                succ.append((q2 * stride + i, g, taus + 1, i, _SILENT, t))
            for key2, g2, t2, i2, kind, t in succ:
                if key2 in closed:
                    continue
                old = best.get(key2)
                if old is not None and (g2, t2) >= old:
                    continue
                best[key2] = (g2, t2)
                parent[key2] = (key, kind, t)
                push(heap, (g2 + heuristic(key2 // stride, i2), -i2, t2, key2, g2))
        if goal < 0:
            raise ConformanceError(
                "no run from the initial marking reaches the final marking",
                source=f"net {self.net.name!r}",
            )
        return self._build(trace, _steps(parent, goal), best[goal][0])

    def _heuristic(self, codes: list[int], lcost: list[float]) -> Callable[[int, int], float]:
        """A consistent lower bound ``h(state, position)`` on the cost still to come.

        The log-move cost of the rest of the trace, minus the part whose labels the state can
        still produce; under the standard costs also at least the state's cheapest model-only
        completion beyond those labels.
        """
        n = len(codes)
        standard = self._standard
        space = self._space
        dist, mask_id, masks = space.dist, space.mask_id, space.masks
        # suffix[i]: log-move cost of all of trace[i:] ...
        suffix = [0.0] * (n + 1)
        for j in range(n - 1, -1, -1):
            suffix[j] = suffix[j + 1] + (1.0 if standard else lcost[j])
        # ... and, per label mask, the part of it whose labels a state can still produce
        reach_cache: dict[int, list[float]] = {}

        def reachable_part(mid: int) -> list[float]:
            mask = masks[mid]
            arr = [0.0] * (n + 1)
            acc = 0.0
            for j in range(n - 1, -1, -1):
                c = codes[j]
                if c >= 0 and (mask >> c) & 1:
                    acc += 1.0 if standard else lcost[j]
                arr[j] = acc
            reach_cache[mid] = arr
            return arr

        def heuristic(q: int, i: int) -> float:
            mid = mask_id[q]
            arr = reach_cache.get(mid)
            if arr is None:
                arr = reachable_part(mid)
            k = arr[i]
            if standard:
                d = dist[q]
                return suffix[i] - k + (d - k if d > k else 0.0)
            return suffix[i] - k

        return heuristic

    def _tree(self, d: int, code: int) -> tuple[dict[int, tuple[int, int]], list[int]]:
        """Parent pointers into subset ``d``'s successor on ``code`` (``-1``: the start).

        Breadth-first from the markings the ``code`` transitions enabled in subset ``d`` lead
        to (from the initial marking for the start), then along silent transitions, in net
        order: every marking of the target subset gets a parent ``(marking, transition)``
        on a path with the fewest silent steps. Computed once per edge, on first use.
        """
        found = self._trees.get((d, code))
        if found is not None:
            return found
        out = self._nfa_out
        parent: dict[int, tuple[int, int]] = {}
        order: list[int] = []
        if code < 0:
            order.append(0)
            seen = {0}
        else:
            seen = set()
            for q in sorted(self._subsets[d]):
                for t, c, q2 in out[q]:
                    if c == code and q2 not in seen:
                        seen.add(q2)
                        parent[q2] = (q, t)
                        order.append(q2)
        pos = 0
        while pos < len(order):
            v = order[pos]
            pos += 1
            for t, c, q2 in out[v]:
                if c < 0 and q2 not in seen:
                    seen.add(q2)
                    parent[q2] = (v, t)
                    order.append(q2)
        self._trees[(d, code)] = (parent, order)
        return parent, order

    def _realise(self, word: list[int]) -> list[list[int]]:
        """A net run producing exactly ``word`` (label codes).

        Follows the determinised automaton along ``word`` and walks back through the
        per-edge parent trees (:meth:`_tree`) from the first final marking of the last
        subset, so each stretch of silent steps is the shortest from the previous label.

        Returns per word position the transition indices fired for it (silent ones first,
        then the visible one), plus one last list of trailing silent transitions.
        """
        sync, codes = self._space.sync, self._t_code
        path = [0]
        for code in word:
            edges = sync[path[-1]]
            assert edges is not None
            path.append(edges[code][0][1])
        m = len(word)
        trees = [self._tree(0, -1)]
        trees.extend(self._tree(path[j], word[j]) for j in range(m))
        _, order = trees[m]
        q = next(v for v in order if v in self._nfa_finals)
        fired: list[int] = []
        j = m
        while True:
            parent = trees[j][0]
            if q not in parent:
                break  # the initial marking, at the root of the start tree
            q, t = parent[q]
            fired.append(t)
            if codes[t] >= 0:
                j -= 1
        fired.reverse()
        groups: list[list[int]] = [[]]
        for t in fired:
            groups[-1].append(t)
            if codes[t] >= 0:
                groups.append([])
        return groups

    def _build(
        self, trace: tuple[str, ...], steps: list[tuple[int, int]], cost: float
    ) -> Alignment:
        """The :class:`Alignment` of ``trace`` from its search steps (``(kind, transition)``;
        ``(kind, label code)`` in a determinised space, realised as a net run here).

        Moves are immutable, so one :class:`Move` object per transition and kind (and per
        activity for log moves) is shared by every alignment that contains it.
        """
        sync_m, model_m, silent_m = self._moves
        log_m = self._log_moves
        moves: list[Move] = []
        i = 0
        if self._deterministic:
            word = tuple(t for kind, t in steps if kind != _LOG)
            groups = self._words.get(word)
            if groups is None:
                groups = self._words[word] = self._realise(list(word))
            w = 0
            for kind, _ in steps:
                if kind == _LOG:
                    a = trace[i]
                    moves.append(log_m.get(a) or log_m.setdefault(a, Move(a, None, None, "log")))
                    i += 1
                    continue
                *silent, t = groups[w]
                w += 1
                moves.extend([silent_m[s] for s in silent])
                if kind == _SYNC:
                    moves.append(sync_m[t])
                    i += 1
                else:
                    moves.append(model_m[t])
            moves.extend([silent_m[s] for s in groups[w]])
        else:
            for kind, t in steps:
                if kind == _LOG:
                    a = trace[i]
                    moves.append(log_m.get(a) or log_m.setdefault(a, Move(a, None, None, "log")))
                    i += 1
                elif kind == _SYNC:
                    moves.append(sync_m[t])
                    i += 1
                elif kind == _MODEL:
                    moves.append(model_m[t])
                else:
                    moves.append(silent_m[t])
        # while the empty trace is aligned to find it, the run just found is the cheapest
        model_cost = cost if self._model_cost is None else self._model_cost
        if self._standard:
            worst = len(trace) + model_cost
        else:
            worst = sum(self.costs.log_cost(a) for a in trace) + model_cost
        fitness = 1.0 - cost / worst if worst > 0 else 1.0
        return Alignment(moves=tuple(moves), cost=cost, fitness=fitness, worst_cost=worst)


def _rank_within(mask: npt.NDArray[np.bool_], bounds: _IntArray, var: _IntArray) -> _IntArray:
    """Per step, how many steps of its trace before it are in ``mask`` (steps of trace ``v``
    are ``[bounds[v], bounds[v + 1])``, ``var`` each step's trace)."""
    seen = np.zeros(len(mask) + 1, dtype=np.int64)
    np.cumsum(mask, out=seen[1:])
    return seen[:-1] - seen[bounds[:-1]][var]


def _distinct_words(
    codes: _IntArray, visible: npt.NDArray[np.bool_], var: _IntArray, rank: _IntArray, n: int
) -> tuple[list[tuple[int, ...]], _IntArray]:
    """The distinct model words (label codes of the visible steps) and each trace's word,
    through a prefix trie built one depth at a time."""
    wv, wr, wc = var[visible], rank[visible], codes[visible]
    order = np.lexsort((wv, wr))  # by depth, then trace
    wv, wr, wc = wv[order], wr[order], wc[order]
    stride = int(wc.max(initial=0)) + 1
    node = np.zeros(n, dtype=np.int64)  # each trace's node so far (0: the empty word)
    parents, labels = [np.zeros(1, dtype=np.int64)], [np.full(1, -1, dtype=np.int64)]
    n_nodes = 1
    cuts = np.searchsorted(wr, np.arange(int(wr.max(initial=-1)) + 2)).tolist()
    for a, b in itertools.pairwise(cuts):
        key = node[wv[a:b]] * stride + wc[a:b]
        uniq, inverse = np.unique(key, return_inverse=True)
        node[wv[a:b]] = n_nodes + inverse.reshape(-1)
        parents.append(uniq // stride)
        labels.append(uniq % stride)
        n_nodes += len(uniq)
    parent, label = np.concatenate(parents).tolist(), np.concatenate(labels).tolist()
    ends, word_of = np.unique(node, return_inverse=True)
    words = []
    for end in ends.tolist():
        word: list[int] = []
        while end:
            word.append(label[end])
            end = parent[end]
        words.append(tuple(reversed(word)))
    return words, word_of.reshape(-1).astype(np.int64)


def _transition_moves(net: PetriNet) -> tuple[list[Move], list[Move], list[Move]]:
    """Per transition its synchronous, model and silent :class:`Move` (a silent transition's
    synchronous and model moves are never used; they are its silent move)."""
    sync: list[Move] = []
    model: list[Move] = []
    silent: list[Move] = []
    for t in net.transitions:
        quiet = Move(None, None, t.id, "silent")
        silent.append(quiet)
        sync.append(quiet if t.label is None else Move(t.label, t.label, t.id, "sync"))
        model.append(quiet if t.label is None else Move(None, t.label, t.id, "model"))
    return sync, model, silent


def _steps(parent: dict[int, tuple[int, int, int]], goal: int) -> list[tuple[int, int]]:
    """The ``(move kind, transition)`` steps from the start to ``goal``, in order."""
    steps: list[tuple[int, int]] = []
    key = goal
    while key in parent:
        key, kind, t = parent[key]
        steps.append((kind, t))
    steps.reverse()
    return steps


def _propagate_masks(succ: list[list[int]], masks: list[int]) -> list[int]:
    """OR each state's label mask with those of every state reachable from it.

    Tarjan's strongly connected components (iterative), which come out in reverse
    topological order, so each component's successors are final before it is processed.
    """
    n = len(succ)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    comp_of = [-1] * n
    comp_mask: list[int] = []
    counter = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            v, pos = work.pop()
            if pos == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            recurse = False
            edges = succ[v]
            while pos < len(edges):
                w = edges[pos]
                pos += 1
                if index[w] < 0:
                    work.append((v, pos))
                    work.append((w, 0))
                    recurse = True
                    break
                if on_stack[w]:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                members: list[int] = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp_of[w] = len(comp_mask)
                    members.append(w)
                    if w == v:
                        break
                cid = len(comp_mask)
                m = 0
                for w in members:
                    m |= masks[w]
                    for x in succ[w]:
                        cx = comp_of[x]
                        if cx != cid:
                            m |= comp_mask[cx]
                comp_mask.append(m)
            if work:
                parent_v = work[-1][0]
                low[parent_v] = min(low[parent_v], low[v])
    return [comp_mask[comp_of[q]] for q in range(n)]


#: Seconds a trace still gets once the total time budget has run out.
_MIN_SECONDS = 0.05


def _flagged(al: Alignment, lower: float) -> Alignment:
    """``al`` marked as not proven optimal, with the proven lower bound."""
    return Alignment(
        moves=al.moves,
        cost=al.cost,
        fitness=al.fitness,
        worst_cost=al.worst_cost,
        exact=False,
        cost_lower=lower,
    )


def _live_states(edges: Sequence[Sequence[tuple[int, int]]], finals: Iterable[int]) -> list[bool]:
    """Which states can reach a final state."""
    rev: list[list[int]] = [[] for _ in edges]
    for q, out in enumerate(edges):
        for _, q2 in out:
            rev[q2].append(q)
    live = [False] * len(edges)
    todo = sorted(finals)
    for f in todo:
        live[f] = True
    while todo:
        q = todo.pop()
        for p in rev[q]:
            if not live[p]:
                live[p] = True
                todo.append(p)
    return live


_WORKER: Aligner | None = None


def _worker_init(
    net: PetriNet,
    costs: AlignmentCosts,
    method: Literal["graph", "net"],
    max_states: int,
    budget: Budget,
    trees: bool,
) -> None:
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER = Aligner(
        net, costs=costs, method=method, max_states=max_states, budget=budget, trees=trees
    )


def _worker_align(job: tuple[tuple[str, ...], float | None]) -> tuple[Alignment, int]:
    assert _WORKER is not None
    return _WORKER._timed(job)


def align(
    net: PetriNet,
    trace: Sequence[str],
    *,
    costs: AlignmentCosts | None = None,
    budget: Budget | None = None,
) -> Alignment:
    """Compute an optimal alignment of one trace against a net (within ``budget``).

    A thin wrapper over :class:`Aligner`; build an :class:`Aligner` yourself to align many
    traces against the same net.

    Args:
        net: the net.
        trace: the activities of a case, in order.
        costs: move costs; the standard cost function when ``None``.
        budget: memory and time budgets (:class:`Budget`).

    Returns:
        The alignment with its cost and fitness (``exact=False`` if a budget ran out).

    Raises:
        ConformanceError: if the net is unbounded or its final marking is unreachable.

    Example:
        >>> align(net, ["A", "B"]).cost  # doctest: +SKIP
        0.0
    """
    return Aligner(net, costs=costs, budget=budget).align(trace)


def align_variants(
    net: PetriNet,
    variants: Iterable[Sequence[str]],
    *,
    costs: AlignmentCosts | None = None,
    processes: int = 1,
    budget: Budget | None = None,
) -> list[Alignment]:
    """Compute optimal alignments of many traces against a net.

    A thin wrapper over :meth:`Aligner.align_variants`.

    Args:
        net: the net.
        variants: the traces (usually a log's distinct variants).
        costs: move costs; the standard cost function when ``None``.
        processes: worker processes (1: in this process).
        budget: memory and time budgets (:class:`Budget`).

    Returns:
        One alignment per trace, in input order.

    Raises:
        ConformanceError: if the net is unbounded or its final marking is unreachable.
        ValueError: if ``processes < 1``.

    Example:
        >>> [a.fitness for a in align_variants(net, [["A", "B"], []])]  # doctest: +SKIP
        [1.0, 0.0]
    """
    return Aligner(net, costs=costs, budget=budget).align_variants(variants, processes=processes)
