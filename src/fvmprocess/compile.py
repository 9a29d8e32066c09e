"""Translate a BPMN process into a workflow net (the model side of conformance checking).

:func:`to_petri_net` turns one process of a :class:`~fvmprocess.bpmn.model.BpmnModel` into a
:class:`~fvmprocess.petri.PetriNet` with one source place ``source`` (initial marking 1) and one
sink place ``sink`` (final marking 1). Every task becomes one visible transition labelled with
its element id (or name); everything else becomes silent (τ) transitions. The rules, with the
trace language each one claims, are documented in ``docs/compile.md``.

Example:
    >>> from fvmprocess.bpmn import read_bpmn
    >>> net = to_petri_net(read_bpmn("breast-cancer.bpmn"))  # doctest: +SKIP
    >>> sorted(net.labels)  # doctest: +SKIP
    ['Task_anamnes', 'Task_beslut', ...]
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from fvmprocess._shared.vocab import TASK_TYPES
from fvmprocess.bpmn.model import BpmnModel, FlowNode, SequenceFlow
from fvmprocess.errors import TranslationError
from fvmprocess.petri import PetriNet, Transition

if TYPE_CHECKING:
    from fvmprocess.petri import ReachabilityGraph

__all__ = ["MAX_INCLUSIVE_BRANCHES", "to_automaton", "to_petri_net"]

_LOG = logging.getLogger(__name__)

#: An inclusive split with more outgoing branches than this is refused (2^n - 1 transitions).
MAX_INCLUSIVE_BRANCHES = 8
#: Bound on the markings explored inside one scope (completion and cancellation analysis;
#: beyond it translation fails with a TranslationError, never approximates). About 200 B
#: per marking: 200 000 markings are about 40 MB.
_MAX_SCOPE_STATES = 200_000

_Key = tuple[tuple[str, int], ...]


def _key(marking: Mapping[str, int]) -> _Key:
    return tuple(sorted((p, k) for p, k in marking.items() if k))


def _multiset(places: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in places:
        out[p] = out.get(p, 0) + 1
    return out


def _explore(
    pre: Sequence[Mapping[str, int]],
    post: Sequence[Mapping[str, int]],
    initial: Mapping[str, int],
    limit: int,
) -> list[dict[str, int]] | None:
    """Reachable markings of a small transition set, or None beyond ``limit`` markings."""
    start = _key(initial)
    seen = {start}
    todo = [start]
    while todo:
        current = dict(todo.pop())
        for t_pre, t_post in zip(pre, post, strict=True):
            if all(current.get(p, 0) >= w for p, w in t_pre.items()):
                nxt = dict(current)
                for p, w in t_pre.items():
                    nxt[p] -= w
                for p, w in t_post.items():
                    nxt[p] = nxt.get(p, 0) + w
                k = _key(nxt)
                if k not in seen:
                    seen.add(k)
                    if len(seen) > limit:
                        return None
                    todo.append(k)
    return [dict(k) for k in sorted(seen)]


def _error(message: str, model: BpmnModel, element: str) -> TranslationError:
    return TranslationError(message, source=model.source, place=f"element {element}")


def _describe(node: FlowNode) -> str:
    return f"{node.type} {node.name!r} ({node.id})" if node.name else f"{node.type} {node.id}"


@dataclass
class _Ctx:
    """One process being inlined: its model, id, place/transition prefix and call stack."""

    model: BpmnModel
    pid: str
    prefix: str
    stack: tuple[tuple[str, str], ...]


@dataclass
class _Scope:
    """Translation state of one process level, subprocess or inlined called process."""

    ctx: _Ctx
    parent: str | None
    nodes: list[FlowNode]
    flows: list[SequenceFlow]
    ins: dict[str, list[SequenceFlow]] = field(default_factory=dict)
    outs_: dict[str, list[SequenceFlow]] = field(default_factory=dict)
    ends: dict[str, str] = field(default_factory=dict)  # end place -> kind
    aux: set[str] = field(default_factory=set)
    alias: dict[str, str] = field(default_factory=dict)  # flow id -> place
    inp_cache: dict[str, str] = field(default_factory=dict)


class _Translator:
    """Builds the net; one instance per :func:`to_petri_net` call."""

    def __init__(
        self, catalog: Any, label: Literal["id", "name"], *, max_scope_states: int
    ) -> None:
        self.catalog = catalog
        self.label = label
        self.max_scope_states = max_scope_states
        #: place id -> (producing element, consuming element), for messages.
        self.places: dict[str, tuple[str | None, str | None]] = {}
        self.transitions: list[Transition] = []
        self.pre: list[dict[str, int]] = []
        self.post: list[dict[str, int]] = []
        self._tids: set[str] = set()
        self.error_ends: set[str] = set()

    # -- net building -------------------------------------------------------------------
    def place(self, pid: str, producer: str | None = None, consumer: str | None = None) -> str:
        if pid not in self.places:
            self.places[pid] = (producer, consumer)
        return pid

    def trans(
        self,
        base: str,
        label: str | None,
        element: str | None,
        pre: Mapping[str, int] | Iterable[str],
        post: Mapping[str, int] | Iterable[str],
    ) -> None:
        tid = base
        n = 1
        while tid in self._tids or tid in self.places:
            n += 1
            tid = f"{base}#{n}"
        self._tids.add(tid)
        self.transitions.append(Transition(tid, label, element))
        self.pre.append(dict(pre) if isinstance(pre, Mapping) else _multiset(pre))
        self.post.append(dict(post) if isinstance(post, Mapping) else _multiset(post))

    def explore(self, lo: int, hi: int, initial: Mapping[str, int]) -> list[dict[str, int]] | None:
        return _explore(self.pre[lo:hi], self.post[lo:hi], initial, self.max_scope_states)

    def build(self, name: str) -> PetriNet:
        arcs: list[tuple[str, str, int]] = []
        for t, pre, post in zip(self.transitions, self.pre, self.post, strict=True):
            arcs += [(p, t.id, w) for p, w in pre.items()]
            arcs += [(t.id, p, w) for p, w in post.items()]
        return PetriNet(
            name=name,
            places=tuple(self.places),
            transitions=tuple(self.transitions),
            arcs=tuple(arcs),
            initial_marking={"source": 1},
            final_marking={"sink": 1},
        )

    # -- scopes ---------------------------------------------------------------------------
    def scope(
        self, ctx: _Ctx, parent: str | None, entry: str, exits: Sequence[str], error_caught: bool
    ) -> None:
        model = ctx.model
        nodes = [n for n in model.nodes.values() if n.process == ctx.pid and n.parent == parent]
        ids = {n.id for n in nodes}
        flows = [f for f in model.flows.values() if f.source in ids or f.target in ids]
        sc = _Scope(ctx, parent, nodes, flows)
        for f in flows:
            if f.source not in ids or f.target not in ids:
                missing = f.target if f.source in ids else f.source
                raise _error(
                    f"sequence flow {f.id} refers to {missing!r}, which is not a flow node of "
                    "the same (sub)process",
                    model,
                    f.id,
                )
            sc.outs_.setdefault(f.source, []).append(f)
            sc.ins.setdefault(f.target, []).append(f)
        event_subs = [n for n in nodes if n.is_subprocess and n.triggered_by_event]
        regular = [
            n
            for n in nodes
            if n not in event_subs and n.type != "boundaryEvent" and not n.for_compensation
        ]
        owner = parent or ctx.pid
        lo = len(self.transitions)
        # event-based gateways: the following events consume the gateway's input (deferred)
        for n in regular:
            if n.type == "eventBasedGateway":
                gin = self.inp(sc, n)
                for f in sc.outs_.get(n.id, []):
                    sc.alias[f.id] = gin
        # entry, with non-interrupting event subprocesses armed for the whole scope
        begin = entry
        nonint = [es for es in event_subs if not _es_interrupting(model, es)]
        interrupting = [es for es in event_subs if es not in nonint]
        es_in: dict[str, str] = {}
        for es in event_subs:
            es_in[es.id] = self.place(f"p:{ctx.prefix}{es.id}:in", es.id, es.id)
        if nonint:
            begin = self.place(f"p:{ctx.prefix}{owner}:begin", owner, owner)
            armed = [self.place(f"p:{ctx.prefix}{es.id}:armed", owner, es.id) for es in nonint]
            sc.aux.update(armed)
            self.trans(f"t:{ctx.prefix}{owner}:begin", None, owner, [entry], [begin, *armed])
            for es, arm in zip(nonint, armed, strict=True):
                spent = self.place(f"p:{ctx.prefix}{es.id}:spent", es.id, owner)
                sc.aux.add(spent)
                self.trans(
                    f"t:{ctx.prefix}{es.id}:trigger", None, es.id, [arm], [spent, es_in[es.id]]
                )
        starts = [n for n in regular if n.type == "startEvent"]
        if starts:
            for s in starts:
                self.trans(f"t:{ctx.prefix}{s.id}", None, s.id, [begin], self.outs(sc, s))
        else:
            implicit = [
                n
                for n in regular
                if not sc.ins.get(n.id) and not _is_link(n, "intermediateCatchEvent")
            ]
            if not implicit:
                raise _error(
                    "no start event and no flow node without incoming flows: cannot tell "
                    "where the (sub)process begins",
                    model,
                    owner,
                )
            self.trans(
                f"t:{ctx.prefix}{owner}:start",
                None,
                owner,
                [begin],
                [self.inp(sc, n) for n in implicit],
            )
        inclusive_joins: dict[str, bool] = {}
        for n in regular:
            if n.type == "startEvent":
                continue
            if n.type == "inclusiveGateway":
                n_in, n_out = len(sc.ins.get(n.id, [])), len(sc.outs_.get(n.id, []))
                if n_in > 1 and n_out > 1:
                    raise _error(
                        f"inclusive gateway {_describe(n)} both joins and splits; split it "
                        "into a join gateway followed by a split gateway",
                        model,
                        n.id,
                    )
                if n_in > 1:
                    inclusive_joins.setdefault(n.id, False)
                    continue
                if n_out > 1:
                    join = self.inclusive_split(sc, n)
                    if join is not None:
                        inclusive_joins[join] = True
                    continue
                self.pass_through(sc, n)
            elif n.is_activity:
                self.activity(sc, n)
            elif n.type == "exclusiveGateway":
                ins = [self.fp(sc, f) for f in sc.ins.get(n.id, [])] or [self.inp(sc, n)]
                for i, (a, b) in enumerate(product(ins, self.outs(sc, n))):
                    self.trans(f"t:{ctx.prefix}{n.id}:{i}", None, n.id, [a], [b])
            elif n.type == "parallelGateway":
                ins = [self.fp(sc, f) for f in sc.ins.get(n.id, [])] or [self.inp(sc, n)]
                self.trans(f"t:{ctx.prefix}{n.id}", None, n.id, ins, self.outs(sc, n))
            elif n.type == "eventBasedGateway":
                if not sc.outs_.get(n.id):
                    self.pass_through(sc, n)
            elif n.type == "complexGateway":
                raise _error(
                    f"complex gateway {_describe(n)} has no translation to a workflow net "
                    "(its activation condition is arbitrary); model it with exclusive, "
                    "parallel or inclusive gateways",
                    model,
                    n.id,
                )
            else:  # events
                self.pass_through(sc, n)
        for join, matched in inclusive_joins.items():
            if not matched:
                raise _error(
                    f"inclusive join {_describe(model.nodes[join])} has no matching inclusive "
                    "split (the OR-join is only translated for block-structured split/join "
                    "pairs)",
                    model,
                    join,
                )
        for es in event_subs:
            done = self.place(f"p:{ctx.prefix}{es.id}:done", es.id, owner)
            sc.ends[done] = "normal"
            self.scope(ctx, es.id, es_in[es.id], [done], False)
        hi = len(self.transitions)
        reach = self.explore(lo, hi, {entry: 1})
        if interrupting and reach is not None:
            es_places = {es_in[es.id] for es in event_subs}
            for es in interrupting:
                for m in reach:
                    if entry in m or es_places & set(m) or not m:
                        continue
                    if set(m) <= set(sc.ends) | sc.aux:
                        continue
                    self.trans(f"t:{ctx.prefix}{es.id}:interrupt", None, es.id, m, [es_in[es.id]])
            reach = self.explore(lo, len(self.transitions), {entry: 1})
        self.complete(sc, owner, entry, exits, reach, error_caught)

    def complete(
        self,
        sc: _Scope,
        owner: str,
        entry: str,
        exits: Sequence[str],
        reach: list[dict[str, int]] | None,
        error_caught: bool,
    ) -> None:
        prefix = sc.ctx.prefix
        if reach is None:  # never approximated: the completion would not be exact
            raise _error(
                f"{owner} has more than {self.max_scope_states} reachable markings; its "
                "completion (every branch at an end event) cannot be translated exactly — "
                "split it into subprocesses or raise max_scope_states",
                sc.ctx.model,
                owner,
            )
        terminate = {p for p, k in sc.ends.items() if k == "terminate"}
        errors = {p for p, k in sc.ends.items() if k == "error"} if error_caught else set()
        allowed = set(sc.ends) | sc.aux
        for m in reach:
            support = set(m)
            if entry in support or not (support & set(sc.ends)) or support & errors:
                continue
            if support & terminate or support <= allowed:
                self.trans(f"t:{prefix}{owner}:complete", None, owner, m, exits)

    # -- places of nodes ------------------------------------------------------------------
    def fp(self, sc: _Scope, f: SequenceFlow) -> str:
        if f.id in sc.alias:
            return sc.alias[f.id]
        return self.place(f"p:{sc.ctx.prefix}{f.id}", f.source, f.target)

    def inp(self, sc: _Scope, n: FlowNode) -> str:
        """The single place a node consumes (merging several incoming flows: XOR)."""
        if n.id in sc.inp_cache:
            return sc.inp_cache[n.id]
        ins = sc.ins.get(n.id, [])
        if len(ins) == 1:
            p = self.fp(sc, ins[0])
        else:
            p = self.place(f"p:{sc.ctx.prefix}{n.id}:in", n.id, n.id)
            for f in ins:
                self.trans(f"t:{sc.ctx.prefix}{n.id}:merge", None, n.id, [self.fp(sc, f)], [p])
        sc.inp_cache[n.id] = p
        return p

    def outs(self, sc: _Scope, n: FlowNode) -> list[str]:
        """The places a node produces into (all outgoing flows: AND), or its end place."""
        outs = sc.outs_.get(n.id, [])
        if _is_link(n, "intermediateThrowEvent"):
            name = _link_name(n)
            catches = [
                c
                for c in sc.nodes
                if _is_link(c, "intermediateCatchEvent") and _link_name(c) == name
            ]
            if catches and not outs:
                return [self.inp(sc, c) for c in catches]
        if outs:
            return [self.fp(sc, f) for f in outs]
        kind = "normal"
        if n.type == "endEvent":
            ek = n.event_kind
            kind = (
                "terminate"
                if ek == "terminate"
                else "error"
                if ek in ("error", "escalation")
                else kind
            )
        p = self.place(f"p:{sc.ctx.prefix}{n.id}:end", n.id, sc.parent or sc.ctx.pid)
        sc.ends[p] = kind
        if kind == "error":
            self.error_ends.add(p)
        return [p]

    def pass_through(self, sc: _Scope, n: FlowNode) -> None:
        self.trans(f"t:{sc.ctx.prefix}{n.id}", None, n.id, [self.inp(sc, n)], self.outs(sc, n))

    # -- inclusive gateways -----------------------------------------------------------------
    def inclusive_split(self, sc: _Scope, n: FlowNode) -> str | None:
        model = sc.ctx.model
        prefix = sc.ctx.prefix
        branches = sc.outs_[n.id]
        if len(branches) > MAX_INCLUSIVE_BRANCHES:
            raise _error(
                f"inclusive gateway {_describe(n)} has {len(branches)} outgoing branches; at "
                f"most {MAX_INCLUSIVE_BRANCHES} are translated (2^n - 1 transitions)",
                model,
                n.id,
            )
        inp = self.inp(sc, n)
        default = n.default if n.default in {f.id for f in branches} else None
        others = [f for f in branches if f.id != default]
        subsets: list[tuple[SequenceFlow, ...]] = [
            s for k in range(1, len(others) + 1) for s in combinations(others, k)
        ]
        if default is not None:
            subsets.insert(0, tuple(f for f in branches if f.id == default))
        join = _post_dominator(sc, n.id)
        join_node = model.nodes.get(join) if join else None
        if (
            join_node is None
            or join_node.type != "inclusiveGateway"
            or len(sc.ins.get(join_node.id, [])) < 2
        ):
            for i, s in enumerate(subsets):
                self.trans(f"t:{prefix}{n.id}:{i}", None, n.id, [inp], [self.fp(sc, f) for f in s])
            return None
        # which join inputs each branch can reach (block structure: disjoint, covering)
        join_in = sc.ins[join_node.id]
        reach_of: dict[str, list[SequenceFlow]] = {}
        owner: dict[str, str] = {}
        for b in branches:
            seen = _forward(sc, b, stop=join_node.id)
            got = [g for g in join_in if g.id == b.id or g.source in seen]
            for g in got:
                if g.id in owner:
                    raise _error(
                        f"inclusive join {_describe(join_node)} is reached from two branches "
                        f"of split {n.id} through flow {g.id}: the block is not "
                        "block-structured",
                        model,
                        join_node.id,
                    )
                owner[g.id] = b.id
            reach_of[b.id] = got
        stray = [g.id for g in join_in if g.id not in owner]
        if stray or any(not v for v in reach_of.values()):
            raise _error(
                f"inclusive join {_describe(join_node)} does not match split {n.id}: "
                + (
                    f"flows {stray} come from outside the block"
                    if stray
                    else "a branch never reaches the join"
                ),
                model,
                join_node.id,
            )
        jout = self.outs(sc, join_node)
        for i, s in enumerate(subsets):
            mem = self.place(f"p:{prefix}{n.id}:or{i}", n.id, join_node.id)
            self.trans(
                f"t:{prefix}{n.id}:{i}", None, n.id, [inp], [*(self.fp(sc, f) for f in s), mem]
            )
            for j, choice in enumerate(product(*(reach_of[f.id] for f in s))):
                self.trans(
                    f"t:{prefix}{join_node.id}:{i}.{j}",
                    None,
                    join_node.id,
                    [mem, *(self.fp(sc, g) for g in choice)],
                    jout,
                )
        return join_node.id

    # -- activities -------------------------------------------------------------------------
    def activity(self, sc: _Scope, n: FlowNode) -> None:
        ctx = sc.ctx
        prefix = ctx.prefix
        inp = self.inp(sc, n)
        outs = self.outs(sc, n)
        bnds = [
            b
            for b in sc.nodes
            if b.type == "boundaryEvent" and b.attached_to == n.id and b.event_kind != "compensate"
        ]
        b_outs = {b.id: self.outs(sc, b) for b in bnds}
        interrupting = [b for b in bnds if b.cancel_activity]
        nonint = [b for b in bnds if not b.cancel_activity]
        lo_t, lo_p = len(self.transitions), len(self.places)
        body_in, targets, done = inp, outs, None
        armed: list[str] = []
        spent: list[str] = []
        if nonint:
            if len(nonint) > 4:
                raise _error(
                    f"{_describe(n)} has {len(nonint)} non-interrupting boundary events; at "
                    "most 4 are translated",
                    ctx.model,
                    n.id,
                )
            body_in = self.place(f"p:{prefix}{n.id}:run", n.id, n.id)
            done = self.place(f"p:{prefix}{n.id}:done", n.id, n.id)
            targets = [done]
            armed = [self.place(f"p:{prefix}{b.id}:armed", n.id, b.id) for b in nonint]
            spent = [self.place(f"p:{prefix}{b.id}:spent", b.id, n.id) for b in nonint]
            self.trans(f"t:{prefix}{n.id}:begin", None, n.id, [inp], [body_in, *armed])
            for b, a, s in zip(nonint, armed, spent, strict=True):
                self.trans(f"t:{prefix}{b.id}", None, b.id, [a], [s, *b_outs[b.id]])
        error_caught = any(b.event_kind in ("error", "escalation") for b in interrupting)
        if n.loop:
            mid = self.place(f"p:{prefix}{n.id}:iterated", n.id, n.id)
            self.body(sc, n, body_in, [mid], error_caught)
            self.trans(f"t:{prefix}{n.id}:again", None, n.id, [mid], [body_in])
            self.trans(f"t:{prefix}{n.id}:exit", None, n.id, [mid], targets)
        else:
            self.body(sc, n, body_in, targets, error_caught)
        hi_t = len(self.transitions)
        if interrupting:
            internal = {inp, *list(self.places)[lo_p:]}
            reach = self.explore(lo_t, hi_t, {inp: 1})
            if reach is None:
                raise _error(
                    f"{_describe(n)} has more than {self.max_scope_states} reachable inner "
                    "states; its interrupting boundary events cannot be translated exactly",
                    ctx.model,
                    interrupting[0].id,
                )
            inner = sorted(
                {
                    _key({p: k for p, k in m.items() if p in internal})
                    for m in reach
                    if not (done and done in m)
                }
                - {()}
            )
            inner_errors = internal & self.error_ends
            for b in interrupting:
                for mk in inner:
                    m = dict(mk)
                    if (
                        b.event_kind in ("error", "escalation")
                        and inner_errors
                        and not inner_errors & set(m)
                    ):
                        continue
                    self.trans(f"t:{prefix}{b.id}", None, b.id, m, b_outs[b.id])
        if done is not None:
            for i, choice in enumerate(product(*zip(armed, spent, strict=True))):
                self.trans(f"t:{prefix}{n.id}:end{i}", None, n.id, [done, *choice], outs)

    def body(
        self, sc: _Scope, n: FlowNode, body_in: str, targets: list[str], error_caught: bool
    ) -> None:
        ctx = sc.ctx
        model = ctx.model
        if n.type in TASK_TYPES or (
            n.is_subprocess
            and not any(c.parent == n.id and c.process == ctx.pid for c in model.nodes.values())
        ):
            self.trans(f"t:{ctx.prefix}{n.id}", self.label_of(n), n.id, [body_in], targets)
        elif n.type == "callActivity":
            sub_model, pid = self.resolve(ctx, n)
            key = (sub_model.source, pid)
            if key in ctx.stack:
                raise _error(
                    f"call activity {_describe(n)} calls process {pid!r} recursively "
                    f"({' -> '.join(p for _, p in (*ctx.stack, key))})",
                    model,
                    n.id,
                )
            sub = _Ctx(sub_model, pid, f"{ctx.prefix}{n.id}/", (*ctx.stack, key))
            self.scope(sub, None, body_in, targets, error_caught)
        elif n.type == "adHocSubProcess" and not any(
            f.parent == n.id and f.process == ctx.pid for f in model.flows.values()
        ):
            hub = self.place(f"p:{ctx.prefix}{n.id}:adhoc", n.id, n.id)
            self.trans(f"t:{ctx.prefix}{n.id}:open", None, n.id, [body_in], [hub])
            for c in model.nodes.values():
                if c.parent == n.id and c.process == ctx.pid and c.type in TASK_TYPES:
                    self.trans(f"t:{ctx.prefix}{c.id}", self.label_of(c), c.id, [hub], [hub])
            self.trans(f"t:{ctx.prefix}{n.id}:close", None, n.id, [hub], targets)
        else:  # embedded subprocess / transaction
            self.scope(ctx, n.id, body_in, targets, error_caught)

    def label_of(self, n: FlowNode) -> str:
        return n.id if self.label == "id" else (n.name or n.id)

    def resolve(self, ctx: _Ctx, n: FlowNode) -> tuple[BpmnModel, str]:
        called = n.called_element
        if not called:
            raise _error(f"call activity {_describe(n)} has no calledElement", ctx.model, n.id)
        if any(p.id == called and p.node_ids for p in ctx.model.processes):
            return ctx.model, called
        found: Any = None
        if self.catalog is not None:
            try:
                found = self.catalog[called]
            except (KeyError, LookupError):
                found = None
        if found is not None and not isinstance(found, BpmnModel):
            found = getattr(found, "model", None)
        if not isinstance(found, BpmnModel):
            raise _error(
                f"call activity {_describe(n)} calls {called!r}, which is neither a process "
                "of this file nor in the catalogue",
                ctx.model,
                n.id,
            )
        try:
            proc = found.process(called if any(p.id == called for p in found.processes) else None)
        except KeyError as e:
            raise _error(
                f"call activity {_describe(n)}: the catalogue entry for {called!r} has no process",
                ctx.model,
                n.id,
            ) from e
        return found, proc.id


def _is_link(n: FlowNode, type_: str) -> bool:
    return n.type == type_ and n.event_kind == "link"


def _link_name(n: FlowNode) -> str | None:
    return n.event_definitions[0].name or n.name if n.event_definitions else n.name


def _es_interrupting(model: BpmnModel, es: FlowNode) -> bool:
    starts = [n for n in model.nodes.values() if n.parent == es.id and n.type == "startEvent"]
    return all(s.interrupting for s in starts) if starts else True


def _successors(sc: _Scope, node: str) -> list[str]:
    out = [f.target for f in sc.outs_.get(node, [])]
    for b in sc.nodes:
        if b.type == "boundaryEvent" and b.attached_to == node:
            out.append(b.id)
    return out


def _forward(sc: _Scope, flow: SequenceFlow, *, stop: str) -> set[str]:
    """Nodes reachable from a flow's target without passing through ``stop``."""
    seen: set[str] = set()
    todo = [flow.target]
    while todo:
        x = todo.pop()
        if x == stop or x in seen:
            continue
        seen.add(x)
        todo.extend(_successors(sc, x))
    return seen


def _post_dominator(sc: _Scope, node: str) -> str | None:
    """The immediate post-dominator of ``node`` in its scope's flow graph, if any."""
    return post_dominator(node, {n.id: _successors(sc, n.id) for n in sc.nodes})


def post_dominator(node: str, succ: dict[str, list[str]]) -> str | None:
    """The immediate post-dominator of ``node`` in a graph given by successor lists.

    Nodes without successors lead to a virtual exit. Used to find the join that closes a
    split (the block structure of gateways), here and in :mod:`fvmprocess.validate`.
    """
    exit_ = "\x00exit"
    ids = list(succ)
    s = {i: succ[i] or [exit_] for i in ids}
    every = {*ids, exit_}
    pdom: dict[str, set[str]] = {i: set(every) for i in ids}
    pdom[exit_] = {exit_}
    changed = True
    while changed:
        changed = False
        for i in ids:
            new = set.intersection(*(pdom[x] for x in s[i])) | {i}
            if new != pdom[i]:
                pdom[i] = new
                changed = True
    strict = pdom[node] - {node}
    for d in strict:
        if d != exit_ and pdom[d] == strict:
            return d
    return None


def to_petri_net(
    model: BpmnModel,
    *,
    process: str | None = None,
    catalog: Any = None,
    label: Literal["id", "name"] = "id",
) -> PetriNet:
    """Translate one process of a BPMN model into a workflow net.

    The net has one source place ``source`` (initial marking 1) and one sink place ``sink``
    (final marking 1). Each task is one visible transition whose ``element`` is the task's
    BPMN id; events and gateways are silent. Embedded subprocesses and call activities are
    inlined. The rules are listed in ``docs/compile.md``.

    Args:
        model: the BPMN model.
        process: id of the process to translate; by default the first process with nodes
            (message flows of a collaboration are ignored).
        catalog: resolves call activities whose ``calledElement`` is not a process of this
            file: a mapping from process id to a :class:`BpmnModel`, or any object whose
            ``__getitem__`` returns something with a ``.model`` attribute.
        label: ``"id"`` labels visible transitions with the task id (what activity mappings
            map log activities to), ``"name"`` with the task name (the id when unnamed).

    Returns:
        The workflow net.

    Raises:
        TranslationError: on a construct without a translation (complex gateway, an
            inclusive join without a matching split, more than 8 inclusive branches, an
            unresolvable or recursive call activity…); the message names the element.
        ValueError: if ``label`` is not ``"id"`` or ``"name"``.

    Example:
        >>> net = to_petri_net(read_bpmn("process.bpmn"), label="name")  # doctest: +SKIP
        >>> net.is_workflow_net()  # doctest: +SKIP
        True
    """
    return translate(model, process=process, catalog=catalog, label=label).net


@dataclass(frozen=True, slots=True)
class Translation:
    """A workflow net with, per place, the BPMN elements producing and consuming its tokens.

    Attributes:
        net: the workflow net.
        places: place id -> (producing element id, consuming element id), None at the ends.
    """

    net: PetriNet
    places: Mapping[str, tuple[str | None, str | None]]


def translate(
    model: BpmnModel,
    *,
    process: str | None = None,
    catalog: Any = None,
    label: Literal["id", "name"] = "id",
    max_scope_states: int = _MAX_SCOPE_STATES,
) -> Translation:
    """Translate ``model`` and keep where each place comes from (for validation messages).

    Raises:
        TranslationError: a construct cannot be translated, or the model has elements the
            lenient reader kept but that are not valid BPMN (named in the message).
    """
    if label not in ("id", "name"):
        raise ValueError(f"label must be 'id' or 'name', not {label!r}")
    if model.read_issues:
        first = model.read_issues[0]
        more = len(model.read_issues) - 1
        raise TranslationError(
            first.message
            + (f" (and {more} more problem{'s' if more > 1 else ''}; run validate)" if more else "")
            + "; fix the model before checking against it",
            source=model.source,
            place=f"line {first.line}, element {first.element}",
        )
    try:
        proc = model.process(process)
    except KeyError as e:
        raise TranslationError(
            f"no process {process!r} to translate" if process else "the file has no process",
            source=model.source,
        ) from e
    tr = _Translator(catalog, label, max_scope_states=max_scope_states)
    tr.place("source", None, proc.id)
    tr.place("sink", proc.id, None)
    ctx = _Ctx(model, proc.id, "", ((model.source, proc.id),))
    tr.scope(ctx, None, "source", ["sink"], False)
    return Translation(tr.build(proc.name or proc.id), MappingProxyType(dict(tr.places)))


def to_automaton(
    model: BpmnModel,
    *,
    process: str | None = None,
    catalog: Any = None,
    label: Literal["id", "name"] = "id",
    max_states: int | None = None,
) -> ReachabilityGraph:
    """The reachability graph of :func:`to_petri_net`'s net (an automaton with τ-moves).

    Args:
        model: the BPMN model.
        process: as for :func:`to_petri_net`.
        catalog: as for :func:`to_petri_net`.
        label: as for :func:`to_petri_net`.
        max_states: bound on reachable markings (the default of
            :func:`fvmprocess.petri.reachability_graph` when None).

    Returns:
        The reachability graph.

    Raises:
        TranslationError: as for :func:`to_petri_net`.
        ConformanceError: if the net is unbounded, too large or cannot complete.

    Example:
        >>> rg = to_automaton(read_bpmn("process.bpmn"))  # doctest: +SKIP
    """
    from fvmprocess.petri import reachability_graph

    net = to_petri_net(model, process=process, catalog=catalog, label=label)
    if max_states is None:
        return reachability_graph(net)
    return reachability_graph(net, max_states=max_states)
