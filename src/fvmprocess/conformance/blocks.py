"""Exact, polynomial alignments for block-structured nets with unique visible labels.

Inductive-miner nets (and many BPMN models) are process trees — sequence, exclusive choice,
parallel (AND) and loop blocks over activities and τ — in which every visible label occurs on
one transition only. For such a tree the optimal alignment cost decomposes:

- a leaf ``a`` aligned to a trace segment with ``k`` events (all ``a``): ``k - 1`` log moves
  and one sync move, or one model move when ``k = 0``;
- ``XOR``: the cheapest child, the events outside its alphabet being log moves;
- ``SEQ``: the cheapest split of the segment into consecutive child segments;
- ``LOOP(do, redo)`` (``do (redo do)*``): the cheapest chain of segments;
- ``AND``: the **sum** of the children's costs on their projections (the alphabets are
  disjoint, so interleaving is free).

Each node works on its *projected* trace (the events of its alphabet) and computes the cost of
every segment ``[i, j)`` of it (a table ``(n + 1) x (n + 1)``, numpy). The root needs only the
row of start 0. An optimal alignment is rebuilt by backtracking; an AND interleaves its
children's moves in trace order. Silent (τ) transitions cost 0, sync moves 0, log and model
moves as :class:`~fvmprocess.conformance.align.AlignmentCosts` says — the same cost function as
:class:`~fvmprocess.conformance.align.Aligner`, so the costs are equal.

The tree is recovered from the net by reduction rules (choice, sequence, parallel
split/join, loop, self-loop). A net that does not reduce to one block, or has two transitions
with the same label, is refused with a reason (:class:`NotBlockStructured`); the caller then
uses the general search.

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
    >>> aligner = BlockAligner.from_net(net)
    >>> result = aligner.align(["A", "C", "B"])
    >>> result.cost, [m.kind for m in result.moves]
    (1.0, ['sync', 'log', 'sync'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from fvmprocess.conformance.moves import Alignment, AlignmentCosts, Move
from fvmprocess.errors import ConformanceError
from fvmprocess.petri import PetriNet

__all__ = ["BlockAligner", "Node", "NotBlockStructured", "tree_of"]

NodeKind = Literal["leaf", "eps", "seq", "xor", "and", "loop"]
_Table = npt.NDArray[np.float64]
_INF = np.inf


class NotBlockStructured(ConformanceError):
    """The net is not a process tree with unique visible labels (``reason`` says why)."""

    def __init__(self, reason: str, *, net: str) -> None:
        super().__init__(f"not block-structured: {reason}", source=f"net {net!r}")
        self.reason = reason


@dataclass(frozen=True, eq=False)
class Node:
    """A process-tree node recovered from the net.

    Attributes:
        kind: ``"leaf"`` (one transition), ``"eps"`` (nothing), ``"seq"``, ``"xor"``,
            ``"and"`` or ``"loop"`` (children ``(do, redo)``).
        children: the child nodes.
        transition: the transition id of a leaf.
        label: the label of a visible leaf (``None`` for τ).
    """

    kind: NodeKind
    children: tuple[Node, ...] = ()
    transition: str | None = None
    label: str | None = None
    alphabet: frozenset[str] = field(default=frozenset(), compare=False)

    @staticmethod
    def make(kind: NodeKind, children: Sequence[Node]) -> Node:
        """An inner node; nested nodes of the same kind are flattened (not loops)."""
        flat: list[Node] = []
        for c in children:
            if kind in ("seq", "xor", "and") and c.kind == kind:
                flat.extend(c.children)
            elif kind == "seq" and c.kind == "eps":
                continue
            else:
                flat.append(c)
        if kind == "seq" and not flat:
            return Node("eps")
        if kind == "seq" and len(flat) == 1:
            return flat[0]
        alphabet = frozenset().union(*(c.alphabet for c in flat))
        return Node(kind, tuple(flat), alphabet=alphabet)

    @staticmethod
    def leaf(transition: str, label: str | None) -> Node:
        """A leaf for one transition."""
        alphabet = frozenset() if label is None else frozenset({label})
        return Node("leaf", (), transition, label, alphabet)

    def __str__(self) -> str:
        if self.kind == "leaf":
            return self.label if self.label is not None else "tau"
        if self.kind == "eps":
            return "eps"
        return f"{self.kind}({', '.join(str(c) for c in self.children)})"


# -- tree recovery ---------------------------------------------------------------------------


class _Reducer:
    """Reduction of a net to one block, transition by transition (each carries a tree)."""

    def __init__(self, net: PetriNet) -> None:
        self.name = net.name
        self.pre: dict[str, frozenset[str]] = {}
        self.post: dict[str, frozenset[str]] = {}
        self.tree: dict[str, Node] = {}
        self.places: set[str] = set(net.places)
        self._fresh = 0
        for t in net.transitions:
            self.pre[t.id] = frozenset(net.preset(t.id))
            self.post[t.id] = frozenset(net.postset(t.id))
            self.tree[t.id] = Node.leaf(t.id, t.label)
        self.start = _single_place(net, net.initial_marking, "initial marking")
        self.end = _single_place(net, net.final_marking, "final marking")

    def fail(self, reason: str) -> NotBlockStructured:
        return NotBlockStructured(reason, net=self.name)

    def new_id(self) -> str:
        self._fresh += 1
        return f"\0block{self._fresh}"

    def replace(
        self, old: Sequence[str], pre: frozenset[str], post: frozenset[str], node: Node
    ) -> None:
        for t in old:
            del self.pre[t], self.post[t], self.tree[t]
        t_new = self.new_id()
        self.pre[t_new], self.post[t_new], self.tree[t_new] = pre, post, node

    def index(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        ins: dict[str, list[str]] = {p: [] for p in self.places}
        outs: dict[str, list[str]] = {p: [] for p in self.places}
        for t in self.pre:
            for p in self.pre[t]:
                outs[p].append(t)
            for p in self.post[t]:
                ins[p].append(t)
        return ins, outs

    def run(self) -> Node:
        while True:
            if len(self.pre) == 1:
                (t,) = self.pre
                ends = self.pre[t] == {self.start} and self.post[t] == {self.end}
                if ends and self.places <= {self.start, self.end}:
                    return self.tree[t]
            if not self.step():
                break
        raise self.fail(
            f"the net does not reduce to one block ({len(self.pre)} blocks and "
            f"{len(self.places)} places remain)"
        )

    def step(self) -> bool:
        ins, outs = self.index()
        return (
            self.choice()
            or self.sequence(ins, outs)
            or self.self_loop(ins, outs)
            or self.loop(ins, outs)
            or self.parallel_places(ins, outs)
            or self.parallel(ins, outs)
            or self.parallel_split(ins, outs)
        )

    def choice(self) -> bool:
        groups: dict[tuple[frozenset[str], frozenset[str]], list[str]] = {}
        for t in self.pre:
            if len(self.pre[t]) == 1 and len(self.post[t]) == 1:
                groups.setdefault((self.pre[t], self.post[t]), []).append(t)
        for (pre, post), ts in groups.items():
            if len(ts) > 1:
                self.replace(ts, pre, post, Node.make("xor", [self.tree[t] for t in ts]))
                return True
        return False

    def sequence(self, ins: dict[str, list[str]], outs: dict[str, list[str]]) -> bool:
        for p in self.places:
            if p in (self.start, self.end) or len(ins[p]) != 1 or len(outs[p]) != 1:
                continue
            t1, t2 = ins[p][0], outs[p][0]
            if t1 != t2 and self.post[t1] == {p} and self.pre[t2] == {p}:
                node = Node.make("seq", [self.tree[t1], self.tree[t2]])
                self.replace([t1, t2], self.pre[t1], self.post[t2], node)
                self.places.discard(p)
                return True
        return False

    def self_loop(self, ins: dict[str, list[str]], outs: dict[str, list[str]]) -> bool:
        for t in list(self.pre):
            if len(self.pre[t]) == 1 and self.pre[t] == self.post[t]:
                (p,) = self.pre[t]
                p2 = self.new_id()
                self.places.add(p2)
                for u in outs[p]:
                    if u != t:
                        self.pre[u] = (self.pre[u] - {p}) | {p2}
                if p == self.end:
                    self.end = p2
                node = Node.make("loop", [Node("eps"), self.tree[t]])
                self.replace([t], frozenset({p}), frozenset({p2}), node)
                return True
        return False

    def loop(self, ins: dict[str, list[str]], outs: dict[str, list[str]]) -> bool:
        for d in self.pre:
            if len(self.pre[d]) != 1 or len(self.post[d]) != 1:
                continue
            (p,), (q,) = self.pre[d], self.post[d]
            if p == q or outs[p] != [d] or ins[q] != [d]:
                continue
            for r in outs[q]:
                if self.pre[r] == {q} and self.post[r] == {p}:
                    node = Node.make("loop", [self.tree[d], self.tree[r]])
                    self.replace([d, r], frozenset({p}), frozenset({q}), node)
                    return True
        return False

    def parallel(self, ins: dict[str, list[str]], outs: dict[str, list[str]]) -> bool:
        """A join whose input places each come from one branch block of the same split."""
        for j in self.pre:
            if len(self.pre[j]) < 2:
                continue
            found = self._branches(j, ins, outs)
            if found is None:
                continue
            entry, branches, inner = found
            node = Node.make("seq", [Node.make("and", branches), self.tree[j]])
            self.places -= set(self.pre[j]) - entry
            self.replace([j, *inner], frozenset(entry), self.post[j], node)
            return True
        return False

    def _branches(
        self, j: str, ins: dict[str, list[str]], outs: dict[str, list[str]]
    ) -> tuple[set[str], list[Node], list[str]] | None:
        """The branch entry places, branch trees and branch blocks of join ``j``."""
        split: str | None = None
        entry: set[str] = set()
        branches: list[Node] = []
        inner: list[str] = []
        for q in self.pre[j]:
            if q in (self.start, self.end) or len(ins[q]) != 1 or outs[q] != [j]:
                return None
            t = ins[q][0]
            if len(self.post[t]) > 1 or len(self.pre[t]) != 1:  # q comes from the split
                s, p, node = t, q, Node("eps")
            else:
                (p,) = self.pre[t]
                if p in (self.start, self.end) or len(ins[p]) != 1 or outs[p] != [t]:
                    return None
                s, node = ins[p][0], self.tree[t]
                inner.append(t)
            if split is None:
                split = s
            if s != split or s == j:
                return None
            entry.add(p)
            branches.append(node)
        return entry, branches, inner

    def parallel_split(self, ins: dict[str, list[str]], outs: dict[str, list[str]]) -> bool:
        """A split whose output places each lead through one branch block to the same join."""
        for s in self.pre:
            if len(self.post[s]) < 2:
                continue
            join: str | None = None
            exits: set[str] = set()
            branches: list[Node] = []
            inner: list[str] = []
            for p in self.post[s]:
                if p in (self.start, self.end) or ins[p] != [s] or len(outs[p]) != 1:
                    break
                t = outs[p][0]
                if len(self.pre[t]) > 1 or len(self.post[t]) != 1:  # p goes to the join
                    j, q, node = t, p, Node("eps")
                else:
                    (q,) = self.post[t]
                    if q in (self.start, self.end) or ins[q] != [t] or len(outs[q]) != 1:
                        break
                    j, node = outs[q][0], self.tree[t]
                    inner.append(t)
                if (join is not None and j != join) or j == s:
                    break
                join = j
                exits.add(q)
                branches.append(node)
            else:
                if join is None:
                    continue
                q_new = self.new_id()
                self.places -= set(self.post[s]) | exits
                self.places.add(q_new)
                self.pre[join] = (self.pre[join] - exits) | {q_new}
                node = Node.make("seq", [self.tree[s], Node.make("and", branches)])
                self.replace([s, *inner], self.pre[s], frozenset({q_new}), node)
                return True
        return False

    def parallel_places(self, ins: dict[str, list[str]], outs: dict[str, list[str]]) -> bool:
        """Two places between the same two blocks carry their tokens together: fuse them."""
        seen: dict[tuple[str, str], str] = {}
        for p in sorted(self.places):
            if p in (self.start, self.end) or len(ins[p]) != 1 or len(outs[p]) != 1:
                continue
            key = (ins[p][0], outs[p][0])
            if key in seen:
                t, u = key
                self.post[t] = self.post[t] - {p}
                self.pre[u] = self.pre[u] - {p}
                self.places.discard(p)
                return True
            seen[key] = p
        return False


def _single_place(net: PetriNet, marking: object, what: str) -> str:
    items = list(dict(marking).items())  # type: ignore[call-overload]
    if len(items) != 1 or items[0][1] != 1:
        raise NotBlockStructured(f"the {what} is not one token on one place", net=net.name)
    return str(items[0][0])


def tree_of(net: PetriNet) -> Node:
    """The process tree of a block-structured net with unique visible labels.

    Raises:
        NotBlockStructured: the net has arc weights other than 1, duplicate visible labels,
            or does not reduce to one block.
    """
    if any(w != 1 for _, _, w in net.arcs):
        raise NotBlockStructured("an arc has a weight other than 1", net=net.name)
    seen: dict[str, str] = {}
    for t in net.transitions:
        if t.label is not None:
            if t.label in seen:
                raise NotBlockStructured(
                    f"label {t.label!r} is on two transitions ({seen[t.label]!r}, {t.id!r})",
                    net=net.name,
                )
            seen[t.label] = t.id
    return _Reducer(net).run()


# -- alignment -------------------------------------------------------------------------------

#: A move and the trace position of its event (``-1`` for model and silent moves).
_Step = tuple[int, Move]


def _minplus(a: _Table, b: _Table) -> _Table:
    """``out[i, j] = min_k a[i, k] + b[k, j]`` for upper-triangular tables."""
    n = a.shape[1]
    out = np.full((a.shape[0], b.shape[1]), _INF)
    for j in range(b.shape[1]):
        k = min(j + 1, n)
        out[:, j] = (a[:, :k] + b[:k, j]).min(axis=1)
    return out


def _loop_rows(do: _Table, redo: _Table, rows: _Table) -> tuple[_Table, _Table]:
    """Tables ``x`` (after a ``do``) and ``y`` (after a ``redo``) of ``do (redo do)*`` for
    the starts whose first ``do`` costs are ``rows`` (one row per start)."""
    n1 = do.shape[0]
    x = np.full((rows.shape[0], n1), _INF)
    y = np.full((rows.shape[0], n1), _INF)
    for j in range(n1):
        xj = rows[:, j].copy()
        if j:
            xj = np.minimum(xj, (y[:, :j] + do[:j, j]).min(axis=1))
        yj = (np.concatenate([x[:, :j], xj[:, None]], axis=1) + redo[: j + 1, j]).min(axis=1)
        xj = np.minimum(xj, yj + do[j, j])
        x[:, j], y[:, j] = xj, yj
    return x, y


class _Trace:
    """One trace's projections and tables, node by node."""

    def __init__(self, owner: BlockAligner, trace: Sequence[str]) -> None:
        self.owner = owner
        self.trace = tuple(trace)
        self.codes = np.array([owner.code.get(a, -1) for a in trace], dtype=np.int64)
        self.lc = np.array([owner.costs.log_cost(a) for a in trace], dtype=np.float64)
        self.pos: dict[int, npt.NDArray[np.int64]] = {}
        self.tables: dict[int, _Table] = {}
        self.views: dict[tuple[int, int], tuple[npt.NDArray[np.int64], _Table]] = {}
        self.lifts: dict[tuple[int, int], _Table] = {}
        self.lower: dict[int, npt.NDArray[np.bool_]] = {}

    def positions(self, node: Node) -> npt.NDArray[np.int64]:
        key = id(node)
        found = self.pos.get(key)
        if found is None:
            mask = self.owner.masks[key]
            ok = self.codes >= 0
            inside = np.zeros(len(self.codes), dtype=bool)
            inside[ok] = mask[self.codes[ok]]
            found = self.pos[key] = np.nonzero(inside)[0]
        return found

    def child_view(self, node: Node, child: Node) -> tuple[npt.NDArray[np.int64], _Table]:
        """Per node position: the child's position count, and the foreign log costs table."""
        key = (id(node), id(child))
        found = self.views.get(key)
        if found is None:
            found = self.views[key] = self._child_view(node, child)
        return found

    def _child_view(self, node: Node, child: Node) -> tuple[npt.NDArray[np.int64], _Table]:
        pos = self.positions(node)
        inside = self.owner.masks[id(child)][self.codes[pos]] if len(pos) else np.zeros(0, bool)
        cnt = np.concatenate([[0], np.cumsum(inside)]).astype(np.int64)
        foreign = np.concatenate([[0.0], np.cumsum(np.where(inside, 0.0, self.lc[pos]))])
        return cnt, foreign[None, :] - foreign[:, None]

    def lifted(self, node: Node, child: Node) -> _Table:
        """The child's table on the node's positions (foreign events as log moves)."""
        key = (id(node), id(child))
        found = self.lifts.get(key)
        if found is None:
            cnt, foreign = self.child_view(node, child)
            found = self.table(child)[np.ix_(cnt, cnt)] + foreign
            found[self.below(len(cnt))] = _INF
            self.lifts[key] = found
        return found

    def below(self, n: int) -> npt.NDArray[np.bool_]:
        """The mask of ``i > j`` in an ``n x n`` table."""
        found = self.lower.get(n)
        if found is None:
            found = self.lower[n] = np.tri(n, n, -1, dtype=bool)
        return found

    def table(self, node: Node) -> _Table:
        """Costs of every segment ``[i, j)`` of the node's projected trace."""
        found = self.tables.get(id(node))
        if found is None:
            empty = self.owner.empty
            if empty is not None and empty is not self and not len(self.positions(node)):
                found = empty.table(node)  # no event of the node: its cheapest run
            else:
                found = self._compute(node)
            self.tables[id(node)] = found
        return found

    def _compute(self, node: Node) -> _Table:
        n = len(self.positions(node))
        i, j = np.indices((n + 1, n + 1))
        if node.kind == "eps" or (node.kind == "leaf" and node.label is None):
            return np.where(i == j, 0.0, _INF)
        if node.kind == "leaf":
            assert node.label is not None
            lc = self.owner.costs.log_cost(node.label)
            mc = self.owner.costs.model_cost(node.label)
            return np.where(i < j, (j - i - 1) * lc, np.where(i == j, mc, _INF))
        if node.kind == "and":
            out = np.zeros((n + 1, n + 1))
            for c in node.children:
                cnt, _ = self.child_view(node, c)
                out += self.table(c)[np.ix_(cnt, cnt)]
            out[i > j] = _INF
            return out
        if node.kind == "xor":
            best: _Table = np.minimum.reduce([self.lifted(node, c) for c in node.children])
            return best
        return self.rows(node, np.arange(n + 1))

    def rows(self, node: Node, starts: npt.NDArray[np.int64]) -> _Table:
        """The table rows of ``starts`` (computed without the full table for seq/loop)."""
        if node.kind == "seq":
            real, const = self.seq_parts(node)
            if not real:
                return np.full((len(starts), 1), const)
            out = self.lifted(node, real[0])[starts]
            for c in real[1:]:
                out = _minplus(out, self.lifted(node, c))
            return out + const
        if node.kind == "loop":
            do = self.lifted(node, node.children[0])
            x, _ = _loop_rows(do, self.lifted(node, node.children[1]), do[starts])
            return x
        return self.table(node)[starts]

    # -- moves ------------------------------------------------------------------------------

    def moves(self, node: Node, i: int, j: int) -> list[_Step]:
        """An optimal alignment of the node's positions ``[i, j)``."""
        pos = self.positions(node)
        if node.kind == "eps":
            return []
        empty = self.owner.empty
        if empty is not None and empty is not self and not len(pos):
            memo = self.owner.empty_moves
            if id(node) not in memo:
                memo[id(node)] = empty.moves(node, 0, 0)
            return memo[id(node)]
        if node.kind == "leaf":
            assert node.transition is not None
            if node.label is None:
                return [(-1, Move(None, None, node.transition, "silent"))]
            if i == j:
                return [(-1, Move(None, node.label, node.transition, "model"))]
            first = [(int(pos[i]), Move(node.label, node.label, node.transition, "sync"))]
            return first + [(int(p), Move(node.label, None, None, "log")) for p in pos[i + 1 : j]]
        if node.kind == "and":
            parts = []
            for c in node.children:
                cnt, _ = self.child_view(node, c)
                parts.append(self.moves(c, int(cnt[i]), int(cnt[j])))
            return _interleave(parts)
        if node.kind == "xor":
            costs = [self.lifted(node, c)[i, j] for c in node.children]
            return self.child_moves(node, node.children[int(np.argmin(costs))], i, j)
        if node.kind == "seq":
            return self._seq_moves(node, i, j)
        return self._loop_moves(node, i, j)

    def child_moves(self, node: Node, child: Node, i: int, j: int) -> list[_Step]:
        """The child's alignment on node positions ``[i, j)``, foreign events as log moves."""
        cnt, _ = self.child_view(node, child)
        pos = self.positions(node)
        mask = self.owner.masks[id(child)]
        foreign = [
            (int(p), Move(self.trace[p], None, None, "log"))
            for p in pos[i:j]
            if not mask[self.codes[p]]
        ]
        return _interleave([self.moves(child, int(cnt[i]), int(cnt[j])), foreign])

    def seq_parts(self, node: Node) -> tuple[list[Node], float]:
        """The children with events to align, and the summed cost of the others (whose
        best segment is empty: a segment with events costs their log moves on top)."""
        real = [c for c in node.children if c.alphabet]
        const = sum(float(self.table(c)[0, 0]) for c in node.children if not c.alphabet)
        return real, const

    def _seq_moves(self, node: Node, i: int, j: int) -> list[_Step]:
        real, _ = self.seq_parts(node)
        cuts = [i, j]
        if len(real) > 1:
            lifted = [self.lifted(node, c) for c in real]
            rows = [lifted[0][i]]
            for t in lifted[1:-1]:
                rows.append((rows[-1][:, None] + t).min(axis=0))
            back = [j]
            for r, t in zip(reversed(rows), reversed(lifted[1:]), strict=True):
                end = back[-1]
                back.append(int(np.argmin(r[: end + 1] + t[: end + 1, end])))
            cuts = [i, *reversed(back[1:]), j]
        out: list[_Step] = []
        k = 0
        for c in node.children:
            if c.alphabet:
                out.extend(self.child_moves(node, c, cuts[k], cuts[k + 1]))
                k += 1
            else:
                out.extend(self.child_moves(node, c, cuts[k], cuts[k]))
        return out

    def _loop_moves(self, node: Node, i: int, j: int) -> list[_Step]:
        do_n, redo_n = node.children
        do, redo = self.lifted(node, do_n), self.lifted(node, redo_n)
        x, y = _loop_rows(do, redo, do[[i]])
        x, y = x[0], y[0]
        chain: list[tuple[Node, int, int]] = []
        end, in_x = j, True
        while True:
            if in_x:
                if do[i, end] == x[end]:
                    chain.append((do_n, i, end))
                    break
                k = int(np.argmin(y[: end + 1] + do[: end + 1, end]))
                chain.append((do_n, k, end))
            else:
                k = int(np.argmin(x[: end + 1] + redo[: end + 1, end]))
                chain.append((redo_n, k, end))
            end, in_x = k, not in_x
        out: list[_Step] = []
        for c, a, b in reversed(chain):
            out.extend(self.child_moves(node, c, a, b))
        return out


def _interleave(parts: Sequence[Sequence[_Step]]) -> list[_Step]:
    """Merge move lists (each in its own order) so that the events are in trace order."""
    keyed: list[tuple[int, int, int, _Step]] = []
    for n, part in enumerate(parts):
        last = -1
        for k, step in enumerate(part):
            if step[0] >= 0:
                last = step[0]
            keyed.append((last, n, k, step))
    keyed.sort(key=lambda e: (e[0], e[1], e[2]))
    return [e[3] for e in keyed]


class BlockAligner:
    """Exact alignments against a block-structured net with unique visible labels.

    Build with :meth:`from_net` (``None`` when the net is not such a net; :func:`tree_of`
    gives the reason).

    Args:
        net: the net.
        tree: its process tree (from :func:`tree_of`).
        costs: move costs; the standard cost function when ``None``.
    """

    def __init__(self, net: PetriNet, tree: Node, *, costs: AlignmentCosts | None = None) -> None:
        self.net = net
        self.tree = tree
        self.costs = costs if costs is not None else AlignmentCosts()
        labels = sorted(net.labels)
        self.code = {a: k for k, a in enumerate(labels)}
        self.masks: dict[int, npt.NDArray[np.bool_]] = {}
        self._index(tree, len(labels))
        self.empty: _Trace | None = None
        empty = _Trace(self, ())
        #: Cost of the cheapest complete run of the net (= aligning the empty trace).
        self.worst_model_cost = float(empty.table(tree)[0, 0])
        self.empty_moves: dict[int, list[_Step]] = {}
        self.empty = empty

    def _index(self, node: Node, n_labels: int) -> None:
        mask = np.zeros(max(n_labels, 1), dtype=bool)
        for a in node.alphabet:
            mask[self.code[a]] = True
        self.masks[id(node)] = mask
        for c in node.children:
            self._index(c, n_labels)

    @classmethod
    def from_net(cls, net: PetriNet, *, costs: AlignmentCosts | None = None) -> BlockAligner | None:
        """A block aligner for ``net``, or ``None`` when it is not block-structured with
        unique labels (``tree_of(net)`` raises :class:`NotBlockStructured` with the reason)."""
        try:
            tree = tree_of(net)
        except NotBlockStructured:
            return None
        return cls(net, tree, costs=costs)

    def align(self, trace: Sequence[str]) -> Alignment:
        """An optimal alignment of ``trace`` (always exact)."""
        tr = _Trace(self, trace)
        root = self.tree
        n = len(tr.positions(root))
        cost_root = float(tr.rows(root, np.array([0]))[0, n])
        steps = tr.moves(root, 0, n)
        mask = self.masks[id(root)]
        unknown = [
            (p, Move(a, None, None, "log"))
            for p, a in enumerate(tr.trace)
            if tr.codes[p] < 0 or not mask[tr.codes[p]]
        ]
        moves = tuple(m for _, m in _interleave([steps, unknown]))
        cost = cost_root + float(sum(tr.lc[p] for p, _ in unknown))
        worst = float(tr.lc.sum()) + self.worst_model_cost
        fitness = 1.0 - cost / worst if worst > 0 else 1.0
        return Alignment(moves=moves, cost=cost, fitness=fitness, worst_cost=worst)
