"""Place/transition nets: the model side of conformance checking.

A :class:`PetriNet` is plain, immutable data: places, labelled transitions (``label=None`` is a
silent τ transition), weighted arcs and an initial and final marking. Nets are read from and
written to PNML as ProM and pm4py write it, converted to and from pm4py objects, and unfolded
into a :class:`ReachabilityGraph` (an automaton over transition labels with τ-moves) that the
alignment engine in :mod:`fvmprocess.conformance.align` searches.

Example:
    >>> net = PetriNet(
    ...     name="seq",
    ...     places=("i", "o"),
    ...     transitions=(Transition("t1", "A"),),
    ...     arcs=(("i", "t1", 1), ("t1", "o", 1)),
    ...     initial_marking={"i": 1},
    ...     final_marking={"o": 1},
    ... )
    >>> net.labels
    frozenset({'A'})
    >>> reachability_graph(net).n_states
    2
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from fvmprocess.errors import ConformanceError, PnmlError, StateLimitError

__all__ = [
    "PNML_CORE_GRAMMAR",
    "Firing",
    "PetriNet",
    "ReachabilityGraph",
    "Transition",
    "check_covering",
    "from_pm4py",
    "reachability_graph",
    "read_pnml",
    "to_pm4py",
    "write_pnml",
]

#: The ``type`` attribute of ``<net>`` in PNML 2009 place/transition nets.
PNML_CORE_GRAMMAR = "http://www.pnml.org/version-2009/grammar/pnmlcoremodel"
#: Default bound on the number of reachable markings :func:`reachability_graph` explores.
DEFAULT_MAX_STATES = 200_000


@dataclass(frozen=True, slots=True)
class Transition:
    """A transition of a :class:`PetriNet`.

    Attributes:
        id: unique id within the net.
        label: the activity it records, or ``None`` for a silent (τ) transition.
        element: id of the BPMN element it was translated from, if any.
    """

    id: str
    label: str | None = None
    element: str | None = None

    @property
    def silent(self) -> bool:
        """Whether the transition is silent (τ): it leaves no event in a log."""
        return self.label is None


def _frozen_marking(net: str, what: str, marking: Mapping[str, int]) -> Mapping[str, int]:
    clean: dict[str, int] = {}
    for place, tokens in marking.items():
        if not isinstance(tokens, int) or tokens < 0:
            raise PnmlError(
                f"{what} has {tokens!r} tokens on place {place!r}; expected an integer >= 0",
                source=f"net {net!r}",
            )
        if tokens:
            clean[place] = tokens
    return MappingProxyType(dict(sorted(clean.items())))


@dataclass(frozen=True, eq=False)
class PetriNet:
    """An immutable, marked place/transition net.

    Markings are stored without zero entries, so ``{"p": 0}`` and ``{}`` are the same marking.
    Two nets are equal when all fields are equal (order of places, transitions and arcs
    included).

    Attributes:
        name: a name for messages and PNML ``<name>``.
        places: place ids.
        transitions: the transitions.
        arcs: ``(source id, target id, weight)`` between a place and a transition.
        initial_marking: tokens per place at the start.
        final_marking: tokens per place a complete run must end in.

    Raises:
        PnmlError: on duplicate ids, arcs between unknown nodes or two nodes of the same kind,
            non-positive weights, or markings on unknown places.
    """

    name: str
    places: tuple[str, ...]
    transitions: tuple[Transition, ...]
    arcs: tuple[tuple[str, str, int], ...]
    initial_marking: Mapping[str, int] = field(default_factory=dict)
    final_marking: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "places", tuple(self.places))
        object.__setattr__(self, "transitions", tuple(self.transitions))
        object.__setattr__(self, "arcs", tuple((s, t, int(w)) for s, t, w in self.arcs))
        where = f"net {self.name!r}"
        place_set = set(self.places)
        if len(place_set) != len(self.places):
            raise PnmlError("duplicate place ids", source=where)
        trans_ids = {t.id for t in self.transitions}
        if len(trans_ids) != len(self.transitions):
            raise PnmlError("duplicate transition ids", source=where)
        if place_set & trans_ids:
            clash = sorted(place_set & trans_ids)[0]
            raise PnmlError(f"id {clash!r} is both a place and a transition", source=where)
        for src, tgt, weight in self.arcs:
            ok = (src in place_set and tgt in trans_ids) or (src in trans_ids and tgt in place_set)
            if not ok:
                raise PnmlError(
                    f"arc {src!r} -> {tgt!r} must join a known place and a known transition",
                    source=where,
                )
            if weight < 1:
                raise PnmlError(
                    f"arc {src!r} -> {tgt!r} has weight {weight}; expected >= 1", source=where
                )
        for what in ("initial_marking", "final_marking"):
            marking = _frozen_marking(self.name, what, getattr(self, what))
            unknown = [p for p in marking if p not in place_set]
            if unknown:
                raise PnmlError(f"{what} names unknown place {unknown[0]!r}", source=where)
            object.__setattr__(self, what, marking)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PetriNet):
            return NotImplemented
        return (
            self.name == other.name
            and self.places == other.places
            and self.transitions == other.transitions
            and self.arcs == other.arcs
            and dict(self.initial_marking) == dict(other.initial_marking)
            and dict(self.final_marking) == dict(other.final_marking)
        )

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                self.places,
                self.transitions,
                self.arcs,
                tuple(self.initial_marking.items()),
                tuple(self.final_marking.items()),
            )
        )

    def __getstate__(self) -> dict[str, Any]:
        state = {
            "name": self.name,
            "places": self.places,
            "transitions": self.transitions,
            "arcs": self.arcs,
            "initial_marking": dict(self.initial_marking),
            "final_marking": dict(self.final_marking),
        }
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        for what in ("initial_marking", "final_marking"):
            object.__setattr__(self, what, MappingProxyType(dict(state[what])))

    # -- structure ------------------------------------------------------------------------

    @cached_property
    def _presets(self) -> Mapping[str, Mapping[str, int]]:
        pre: dict[str, dict[str, int]] = {n: {} for n in (*self.places, *self._trans_ids)}
        for src, tgt, weight in self.arcs:
            pre[tgt][src] = pre[tgt].get(src, 0) + weight
        return {n: MappingProxyType(d) for n, d in pre.items()}

    @cached_property
    def _postsets(self) -> Mapping[str, Mapping[str, int]]:
        post: dict[str, dict[str, int]] = {n: {} for n in (*self.places, *self._trans_ids)}
        for src, tgt, weight in self.arcs:
            post[src][tgt] = post[src].get(tgt, 0) + weight
        return {n: MappingProxyType(d) for n, d in post.items()}

    @cached_property
    def _trans_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.transitions)

    @cached_property
    def _by_id(self) -> Mapping[str, Transition]:
        return MappingProxyType({t.id: t for t in self.transitions})

    def transition(self, transition_id: str) -> Transition:
        """The transition with this id.

        Raises:
            KeyError: if there is none.
        """
        return self._by_id[transition_id]

    def preset(self, node: str) -> Mapping[str, int]:
        """The input nodes of a place or transition with their arc weights.

        Raises:
            KeyError: if ``node`` is not a place or transition id of this net.
        """
        return self._presets[node]

    def postset(self, node: str) -> Mapping[str, int]:
        """The output nodes of a place or transition with their arc weights.

        Raises:
            KeyError: if ``node`` is not a place or transition id of this net.
        """
        return self._postsets[node]

    @cached_property
    def labels(self) -> frozenset[str]:
        """The visible labels (activities) of the net's transitions."""
        return frozenset(t.label for t in self.transitions if t.label is not None)

    def is_workflow_net(self) -> bool:
        """Whether this is a workflow net (van der Aalst).

        One source place (no input arcs) holding the only initial token, one sink place (no
        output arcs) holding the only final token, and every node on a path from source to
        sink.
        """
        sources = [p for p in self.places if not self._presets[p]]
        sinks = [p for p in self.places if not self._postsets[p]]
        if len(sources) != 1 or len(sinks) != 1:
            return False
        src, snk = sources[0], sinks[0]
        if dict(self.initial_marking) != {src: 1} or dict(self.final_marking) != {snk: 1}:
            return False

        def reach(start: str, nxt: Mapping[str, Mapping[str, int]]) -> set[str]:
            seen = {start}
            todo = [start]
            while todo:
                for m in nxt[todo.pop()]:
                    if m not in seen:
                        seen.add(m)
                        todo.append(m)
            return seen

        nodes = set(self.places) | set(self._trans_ids)
        return reach(src, self._postsets) == nodes and reach(snk, self._presets) == nodes


# -- reachability -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ReachabilityGraph:
    """The reachable markings of a net as an automaton over transitions.

    States are numbered ``0..n_states-1`` in breadth-first order from the initial marking
    (state ``0``), exploring transitions in net order, so the numbering is deterministic.

    Attributes:
        net: the net it was built from.
        markings: per state, the token count per place in ``net.places`` order.
        edges: per state, ``(transition index, target state)`` for each enabled transition, in
            net order. ``net.transitions[index].label`` is the label (``None`` for τ).
        initial: the initial state (always 0).
        finals: states whose marking equals the final marking exactly.
    """

    net: PetriNet
    markings: tuple[tuple[int, ...], ...]
    edges: tuple[tuple[tuple[int, int], ...], ...]
    initial: int
    finals: frozenset[int]

    @property
    def n_states(self) -> int:
        """Number of reachable markings."""
        return len(self.markings)

    @property
    def n_edges(self) -> int:
        """Number of (marking, transition, marking) edges."""
        return sum(len(e) for e in self.edges)

    def marking(self, state: int) -> dict[str, int]:
        """The marking of a state as ``{place: tokens}`` without zero entries."""
        return {p: k for p, k in zip(self.net.places, self.markings[state], strict=True) if k}


class Firing:
    """Pre/post vectors of a net for firing transitions on tuple markings."""

    def __init__(self, net: PetriNet) -> None:
        pidx = {p: i for i, p in enumerate(net.places)}
        self.n_places = len(net.places)
        self.pre: list[tuple[tuple[int, int], ...]] = []
        self.delta: list[tuple[tuple[int, int], ...]] = []
        for t in net.transitions:
            pre = {pidx[p]: w for p, w in net.preset(t.id).items()}
            post = {pidx[p]: w for p, w in net.postset(t.id).items()}
            self.pre.append(tuple(sorted(pre.items())))
            change = {p: post.get(p, 0) - pre.get(p, 0) for p in set(pre) | set(post)}
            self.delta.append(tuple(sorted((p, d) for p, d in change.items() if d)))
        # transitions without a preset are always enabled: the net is unbounded if they
        # produce anything (handled by the covering check).
        self.index = pidx

    def vector(self, marking: Mapping[str, int]) -> tuple[int, ...]:
        vec = [0] * self.n_places
        for p, k in marking.items():
            vec[self.index[p]] = k
        return tuple(vec)

    def successors(self, marking: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
        out: list[tuple[int, tuple[int, ...]]] = []
        for t, pre in enumerate(self.pre):
            for p, w in pre:
                if marking[p] < w:
                    break
            else:
                nxt = list(marking)
                for p, d in self.delta[t]:
                    nxt[p] += d
                out.append((t, tuple(nxt)))
        return out


def reachability_graph(net: PetriNet, *, max_states: int = DEFAULT_MAX_STATES) -> ReachabilityGraph:
    """Build the reachability graph of a bounded net.

    Unboundedness is detected exactly: when a new marking strictly covers a marking on its
    breadth-first-tree path from the initial marking, the firing sequence between them can
    repeat forever (Karp–Miller); conversely every unbounded net eventually shows such a pair.

    Args:
        net: the net.
        max_states: stop and raise once more markings than this are reachable.

    Returns:
        The reachability graph.

    Raises:
        ConformanceError: if the net is unbounded, has more than ``max_states`` reachable
            markings, or its final marking is not reachable.

    Example:
        >>> rg = reachability_graph(net)  # doctest: +SKIP
        >>> rg.n_states, rg.n_edges  # doctest: +SKIP
        (12, 17)
    """
    fire = Firing(net)
    start = fire.vector(net.initial_marking)
    final = fire.vector(net.final_marking)
    ids: dict[tuple[int, ...], int] = {start: 0}
    markings: list[tuple[int, ...]] = [start]
    parents: list[int] = [-1]
    sums: list[int] = [sum(start)]
    edges: list[tuple[tuple[int, int], ...]] = []
    todo: deque[int] = deque([0])
    while todo:
        state = todo.popleft()
        out: list[tuple[int, int]] = []
        for t, nxt in fire.successors(markings[state]):
            target = ids.get(nxt)
            if target is None:
                target = len(markings)
                total = sum(nxt)
                check_covering(net, fire, nxt, total, state, markings, parents, sums)
                if target >= max_states:
                    raise StateLimitError(
                        f"more than {max_states} reachable markings; the net is too large for "
                        "a reachability graph (raise max_states or align on the net directly)",
                        limit=max_states,
                        source=f"net {net.name!r}",
                    )
                ids[nxt] = target
                markings.append(nxt)
                parents.append(state)
                sums.append(total)
                todo.append(target)
            out.append((t, target))
        edges.append(tuple(out))
    finals = frozenset(s for s, m in enumerate(markings) if m == final)
    if not finals:
        raise ConformanceError(
            f"the final marking {dict(net.final_marking)} is not reachable from the initial "
            f"marking {dict(net.initial_marking)}",
            source=f"net {net.name!r}",
        )
    return ReachabilityGraph(
        net=net, markings=tuple(markings), edges=tuple(edges), initial=0, finals=finals
    )


def check_covering(
    net: PetriNet,
    fire: Firing,
    new: tuple[int, ...],
    total: int,
    state: int,
    markings: list[tuple[int, ...]],
    parents: list[int],
    sums: list[int],
) -> None:
    """Raise if ``new`` strictly covers an ancestor marking (the net is unbounded).

    Used by every exploration of a net's state space (the reachability graph here, the
    on-the-fly alignment search), so unboundedness is detected by one rule.
    """
    anc = state
    while anc >= 0:
        if sums[anc] < total:
            old = markings[anc]
            if all(a <= b for a, b in zip(old, new, strict=True)):
                grown = [p for p, a, b in zip(net.places, old, new, strict=True) if b > a]
                raise ConformanceError(
                    f"the net is unbounded: places {grown} can gain tokens without limit",
                    source=f"net {net.name!r}",
                )
        anc = parents[anc]


# -- PNML -----------------------------------------------------------------------------------


def _local(tag: object) -> str:
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def _parse_xml(data: bytes, source: str) -> Any:
    """Parse PNML safely: the same rules as every XML reader here (:mod:`fvmprocess.bpmn.xml`):
    no DTD, no entities, no network; errors name the file and line."""
    from fvmprocess._shared.xml import parse_xml

    return parse_xml(data, source, error=PnmlError).getroot()


def _text_of(elem: Any) -> str | None:
    for child in elem:
        if _local(child.tag) == "text":
            return str(child.text or "").strip()
    return None


def _int_of(text: str | None, source: str, place: str) -> int:
    if text is None or text == "":
        return 0
    value = text.rsplit(",", 1)[-1].strip()  # old ProM writes "Default,1"
    try:
        return int(value)
    except ValueError as e:
        raise PnmlError(
            f"token count or arc weight {text!r} is not an integer", source=source, place=place
        ) from e


def read_pnml(source: str | os.PathLike[str] | bytes) -> PetriNet:
    """Read a PNML place/transition net as ProM and pm4py write it.

    Reads the first ``<net>``, all its (possibly nested) ``<page>`` elements, transition
    ``<name>`` labels (the id when there is no name), silent transitions marked with
    ``<toolspecific tool="ProM" activity="$invisible$"/>``, arc ``<inscription>`` weights,
    ``<initialMarking>`` and the first marking in ``<finalmarkings>``. The XML is parsed with
    entity resolution, DTD loading and network access off.

    Args:
        source: a path, or the document as bytes.

    Returns:
        The net.

    Raises:
        UnsafeXmlError: if the document declares entities or an external DTD.
        PnmlError: if the file is missing, not XML, or not a PNML net.

    Example:
        >>> net = read_pnml("model.pnml")  # doctest: +SKIP
    """
    if isinstance(source, bytes):
        data, where = source, "<bytes>"
    else:
        where = str(source)
        try:
            data = Path(source).read_bytes()
        except OSError as e:
            raise PnmlError(f"cannot read file: {e.strerror}", source=where) from e
    root = _parse_xml(data, where)
    if _local(root.tag) != "pnml":
        raise PnmlError(f"root element is <{_local(root.tag)}>; expected <pnml>", source=where)
    nets = [c for c in root if _local(c.tag) == "net"]
    if not nets:
        raise PnmlError("no <net> element under <pnml>", source=where)
    net_el = nets[0]
    name = net_el.get("id") or "net"
    for child in net_el:
        if _local(child.tag) == "name":
            name = _text_of(child) or name

    places: list[str] = []
    transitions: list[Transition] = []
    arcs: list[tuple[str, str, int]] = []
    initial: dict[str, int] = {}

    def visit(container: Any) -> None:
        for el in container:
            kind = _local(el.tag)
            if kind == "page":
                visit(el)
            elif kind == "place":
                pid = el.get("id")
                if not pid:
                    raise PnmlError(
                        "<place> without id", source=where, place=f"line {el.sourceline}"
                    )
                places.append(pid)
                for c in el:
                    if _local(c.tag) == "initialMarking":
                        tokens = _int_of(_text_of(c), where, f"place {pid!r}")
                        if tokens:
                            initial[pid] = tokens
            elif kind == "transition":
                tid = el.get("id")
                if not tid:
                    raise PnmlError(
                        "<transition> without id", source=where, place=f"line {el.sourceline}"
                    )
                label: str | None = tid
                element: str | None = None
                invisible = False
                for c in el:
                    ckind = _local(c.tag)
                    if ckind == "name":
                        label = _text_of(c) or tid
                    elif ckind == "toolspecific":
                        if c.get("activity") == "$invisible$":
                            invisible = True
                        if c.get("tool") == "fvmprocess" and c.get("element"):
                            element = c.get("element")
                transitions.append(Transition(tid, None if invisible else label, element))
            elif kind == "arc":
                src, tgt = el.get("source"), el.get("target")
                if not src or not tgt:
                    raise PnmlError(
                        "<arc> without source or target",
                        source=where,
                        place=f"line {el.sourceline}",
                    )
                weight = 1
                for c in el:
                    if _local(c.tag) == "inscription":
                        weight = _int_of(_text_of(c), where, f"arc {el.get('id') or src}")
                arcs.append((src, tgt, weight))

    visit(net_el)
    final: dict[str, int] = {}
    for child in net_el:
        if _local(child.tag) == "finalmarkings":
            markings = [m for m in child if _local(m.tag) == "marking"]
            if markings:
                for pl in markings[0]:
                    if _local(pl.tag) == "place":
                        ref = pl.get("idref") or ""
                        tokens = _int_of(_text_of(pl), where, f"final marking of {ref!r}")
                        if tokens:
                            final[ref] = final.get(ref, 0) + tokens
    try:
        return PetriNet(
            name=name,
            places=tuple(places),
            transitions=tuple(transitions),
            arcs=tuple(arcs),
            initial_marking=initial,
            final_marking=final,
        )
    except PnmlError as e:
        raise PnmlError(e.message, source=where, place=e.source) from e


def write_pnml(net: PetriNet, path: str | os.PathLike[str]) -> None:
    """Write a net as PNML 2009 (the grammar and layout ProM and pm4py use).

    Silent transitions carry ``<toolspecific tool="ProM" activity="$invisible$"/>``; the BPMN
    element of a transition, if any, goes into ``<toolspecific tool="fvmprocess" element=…/>``.

    Args:
        net: the net.
        path: the file to write (UTF-8).

    Raises:
        PnmlError: if the file cannot be written.

    Example:
        >>> write_pnml(net, "out/model.pnml")  # doctest: +SKIP
    """
    from lxml import etree

    root = etree.Element("pnml")
    net_el = etree.SubElement(root, "net", id="net1", type=PNML_CORE_GRAMMAR)

    def named(parent: Any, text: str) -> None:
        name = etree.SubElement(parent, "name")
        etree.SubElement(name, "text").text = text

    named(net_el, net.name)
    page = etree.SubElement(net_el, "page", id="n0")
    for place in net.places:
        pl = etree.SubElement(page, "place", id=place)
        named(pl, place)
        tokens = net.initial_marking.get(place, 0)
        if tokens:
            im = etree.SubElement(pl, "initialMarking")
            etree.SubElement(im, "text").text = str(tokens)
    for t in net.transitions:
        tr = etree.SubElement(page, "transition", id=t.id)
        named(tr, t.id if t.label is None else t.label)
        if t.label is None:
            etree.SubElement(
                tr,
                "toolspecific",
                tool="ProM",
                version="6.4",
                activity="$invisible$",
                localNodeID=t.id,
            )
        if t.element is not None:
            etree.SubElement(tr, "toolspecific", tool="fvmprocess", version="1", element=t.element)
    for n, (src, tgt, weight) in enumerate(net.arcs):
        arc = etree.SubElement(page, "arc", id=f"arc{n}", source=src, target=tgt)
        if weight != 1:
            ins = etree.SubElement(arc, "inscription")
            etree.SubElement(ins, "text").text = str(weight)
    finals = etree.SubElement(net_el, "finalmarkings")
    marking = etree.SubElement(finals, "marking")
    for place, tokens in net.final_marking.items():
        pl = etree.SubElement(marking, "place", idref=place)
        etree.SubElement(pl, "text").text = str(tokens)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    try:
        Path(path).write_bytes(data)
    except OSError as e:
        raise PnmlError(f"cannot write file: {e.strerror}", source=str(path)) from e


# -- pm4py interop -------------------------------------------------------------------------


def from_pm4py(net: Any, initial_marking: Any, final_marking: Any) -> PetriNet:
    """Convert a pm4py ``PetriNet`` with its initial and final ``Marking``.

    Place and transition ids are pm4py's ``name`` attributes; labels are kept (``None`` for
    silent transitions). Nodes are ordered by name, so the result does not depend on pm4py's
    set iteration order.

    Args:
        net: a ``pm4py.objects.petri_net.obj.PetriNet``.
        initial_marking: its initial marking.
        final_marking: its final marking.

    Returns:
        The net.

    Raises:
        PnmlError: if names clash or arcs are malformed.
    """
    places = sorted(str(p.name) for p in net.places)
    transitions = sorted(
        (
            Transition(str(t.name), None if t.label is None else str(t.label))
            for t in net.transitions
        ),
        key=lambda t: t.id,
    )
    arcs = sorted(
        (str(a.source.name), str(a.target.name), int(getattr(a, "weight", 1))) for a in net.arcs
    )
    return PetriNet(
        name=str(getattr(net, "name", "") or "net"),
        places=tuple(places),
        transitions=tuple(transitions),
        arcs=tuple(arcs),
        initial_marking={str(p.name): int(k) for p, k in initial_marking.items()},
        final_marking={str(p.name): int(k) for p, k in final_marking.items()},
    )


def to_pm4py(net: PetriNet) -> tuple[Any, Any, Any]:
    """Convert to pm4py objects (pm4py is imported here, lazily).

    Args:
        net: the net.

    Returns:
        ``(pm4py PetriNet, initial Marking, final Marking)``.
    """
    from pm4py.objects.petri_net.obj import Marking
    from pm4py.objects.petri_net.obj import PetriNet as PmNet
    from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

    pm = PmNet(net.name)
    nodes: dict[str, Any] = {}
    for p in net.places:
        place = PmNet.Place(p)
        pm.places.add(place)
        nodes[p] = place
    for t in net.transitions:
        trans = PmNet.Transition(t.id, t.label)
        pm.transitions.add(trans)
        nodes[t.id] = trans
    for src, tgt, weight in net.arcs:
        add_arc_from_to(nodes[src], nodes[tgt], pm, weight=weight)
    im = Marking({nodes[p]: k for p, k in net.initial_marking.items()})
    fm = Marking({nodes[p]: k for p, k in net.final_marking.items()})
    return pm, im, fm
