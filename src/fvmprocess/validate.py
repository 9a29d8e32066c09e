"""Check a BPMN model before it becomes a standard: references, structure and soundness.

:func:`validate` returns a list of :class:`Problem` findings, each with a stable kebab-case
``code`` (named like bpmnlint rules), a severity and the element it is about. Structural checks
read the model (and its XML tree for ids); the soundness checks play out the workflow net that
:func:`fvmprocess.compile.to_petri_net` builds. Every rule is described, with an example, in
``docs/validation.md``.

Example:
    >>> from fvmprocess.bpmn import read_bpmn
    >>> for p in validate(read_bpmn("process.bpmn")):  # doctest: +SKIP
    ...     print(p)
    error deadlock Gateway_1: the process can get stuck ...
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from fvmprocess._shared.vocab import GATEWAY_TYPES, TASK_TYPES
from fvmprocess.bpmn.model import BpmnModel, FlowNode
from fvmprocess.compile import Translation, post_dominator, translate
from fvmprocess.errors import TranslationError
from fvmprocess.petri import Firing

__all__ = ["DEFAULT_MAX_STATES", "Problem", "validate"]

#: Default bound on reachable markings explored by the soundness checks.
DEFAULT_MAX_STATES = 100_000

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of :func:`validate`.

    Attributes:
        severity: ``"error"`` (the model is wrong or unsound), ``"warning"`` (likely a
            mistake) or ``"info"``.
        code: a stable kebab-case rule name, e.g. ``"dangling-reference"`` or ``"deadlock"``.
        element: id of the element the finding is about, if any.
        message: a plain-language explanation naming the element by name and id.
        source: the file the model was read from.
    """

    severity: Severity
    code: str
    element: str | None
    message: str
    source: str

    def __str__(self) -> str:
        return f"{self.source}: {self.severity} {self.code} {self.element or '-'}: {self.message}"


class _Checker:
    def __init__(self, model: BpmnModel) -> None:
        self.model = model
        self.problems: list[Problem] = []

    def add(self, severity: Severity, code: str, element: str | None, message: str) -> None:
        self.problems.append(Problem(severity, code, element, message, self.model.source))

    def name(self, element: str | None) -> str:
        if element is None:
            return "the process"
        node = self.model.nodes.get(element)
        if node is not None:
            label = node.name.replace("\n", " ") if node.name else None
            kind = _kind(node)
            return f"{kind} '{label}' ({element})" if label else f"{kind} {element}"
        for p in self.model.processes:
            if p.id == element:
                return f"process '{p.name}' ({element})" if p.name else f"process {element}"
        return element

    # -- what the lenient reader kept ---------------------------------------------------------
    def read_issues(self) -> None:
        for issue in self.model.read_issues:
            if issue.code == "duplicate_id":
                continue  # reported by duplicate_ids() from the XML, with every copy
            where = f" (line {issue.line})" if issue.line else ""
            self.add("error", issue.code.replace("_", "-"), issue.element, issue.message + where)

    # -- references ---------------------------------------------------------------------------
    def references(self) -> None:
        m = self.model
        nodes, flows = m.nodes, m.flows
        for f in flows.values():
            for end, ref in (("source", f.source), ("target", f.target)):
                if ref not in nodes:
                    self.add(
                        "error",
                        "dangling-reference",
                        f.id,
                        f"sequence flow {f.id} has {end} {ref!r}, which is not a flow node",
                    )
        for n in nodes.values():
            for what, refs in (("incoming", n.incoming), ("outgoing", n.outgoing)):
                for r in refs:
                    if r not in flows:
                        self.add(
                            "error",
                            "dangling-reference",
                            n.id,
                            f"{self.name(n.id)} lists {what} flow {r!r}, which does not exist",
                        )
                    elif (what == "incoming" and flows[r].target != n.id) or (
                        what == "outgoing" and flows[r].source != n.id
                    ):
                        self.add(
                            "error",
                            "dangling-reference",
                            n.id,
                            f"{self.name(n.id)} lists {what} flow {r!r}, which does not "
                            f"{'end' if what == 'incoming' else 'start'} there",
                        )
            if n.default is not None:
                outgoing = {f.id for f in flows.values() if f.source == n.id}
                if n.default not in outgoing:
                    self.add(
                        "error",
                        "dangling-reference",
                        n.id,
                        f"{self.name(n.id)} has default flow {n.default!r}, which is not one "
                        "of its outgoing flows",
                    )
            if n.type == "boundaryEvent" and (n.attached_to is None or n.attached_to not in nodes):
                self.add(
                    "error",
                    "dangling-reference",
                    n.id,
                    f"{self.name(n.id)} is attached to {n.attached_to!r}, which is not an "
                    "activity of the model",
                )
        ids = m._ids
        for mf in m.message_flows:
            for end, ref in (("source", mf.source), ("target", mf.target)):
                if ref not in ids:
                    self.add(
                        "error",
                        "dangling-reference",
                        mf.id,
                        f"message flow {mf.id} has {end} {ref!r}, which does not exist",
                    )
        for d in m.diagrams:
            drawn = [(s.id, s.element) for s in d.shapes] + [(e.id, e.element) for e in d.edges]
            for item_id, element in drawn:
                if element and element not in ids:
                    self.add(
                        "error",
                        "dangling-reference",
                        item_id,
                        f"diagram element {item_id} draws {element!r}, which does not exist",
                    )

    def duplicate_ids(self) -> None:
        try:
            tree = self.model.xml
        except ValueError:  # built in code, not read: ids are unique by construction
            return
        counts: Counter[str] = Counter()
        for el in tree.getroot().iter():
            if isinstance(el.tag, str):
                i = el.get("id")
                if i is not None:
                    counts[i] += 1
        for i, k in sorted(counts.items()):
            if k > 1:
                self.add(
                    "error",
                    "duplicate-id",
                    i,
                    f"id {i!r} is used by {k} elements; ids must be unique in a file",
                )

    # -- structure ------------------------------------------------------------------------------
    def scopes(self) -> list[tuple[str, str | None, list[FlowNode]]]:
        """(process id, subprocess id or None, direct children) for every flow-bearing scope."""
        out: list[tuple[str, str | None, list[FlowNode]]] = []
        for p in self.model.processes:
            top = self.model.children(None, p.id)
            if top:
                out.append((p.id, None, top))
        for n in self.model.nodes.values():
            if n.is_subprocess and n.type != "adHocSubProcess" and n.process:
                kids = self.model.children(n.id, n.process)
                if kids:
                    out.append((n.process, n.id, kids))
        return out

    def structure(self) -> None:
        m = self.model
        for pid, parent, kids in self.scopes():
            owner = parent or pid
            flow_nodes = [k for k in kids if k.type != "boundaryEvent" and not k.for_compensation]
            flow_nodes = [k for k in flow_nodes if not (k.is_subprocess and k.triggered_by_event)]
            starts = [k for k in flow_nodes if k.type == "startEvent"]
            ends = [k for k in kids if k.type == "endEvent"]
            if not starts:
                self.add(
                    "error",
                    "no-start-event",
                    owner,
                    f"{self.name(owner)} has no start event, so it is not clear where it begins",
                )
            if not ends:
                self.add(
                    "error",
                    "no-end-event",
                    owner,
                    f"{self.name(owner)} has no end event, so it is not clear where it ends",
                )
            ids = {k.id for k in kids}
            succ: dict[str, list[str]] = {k.id: [] for k in kids}
            pred: dict[str, list[str]] = {k.id: [] for k in kids}
            for f in m.flows.values():
                if f.source in ids and f.target in ids:
                    succ[f.source].append(f.target)
                    pred[f.target].append(f.source)
            for k in kids:
                if k.type == "boundaryEvent" and k.attached_to in ids:
                    succ[k.attached_to or ""].append(k.id)
                    pred[k.id].append(k.attached_to or "")
            links: dict[str | None, list[str]] = {}
            for k in kids:
                if k.type == "intermediateCatchEvent" and k.event_kind == "link":
                    links.setdefault(_link(k), []).append(k.id)
            for k in kids:
                if k.type == "intermediateThrowEvent" and k.event_kind == "link":
                    for c in links.get(_link(k), []):
                        succ[k.id].append(c)
                        pred[c].append(k.id)
            if starts:
                reached = _reach([s.id for s in starts], succ)
                for k in flow_nodes:
                    if k.id not in reached:
                        self.add(
                            "error",
                            "unreachable-node",
                            k.id,
                            f"{self.name(k.id)} cannot be reached from a start event of "
                            f"{self.name(owner)}",
                        )
            if ends:
                alive = _reach([e.id for e in ends], pred)
                for k in kids:
                    if (
                        k.id not in alive
                        and not k.for_compensation
                        and not (k.is_subprocess and k.triggered_by_event)
                    ):
                        self.add(
                            "error",
                            "dead-end-node",
                            k.id,
                            f"{self.name(k.id)} has no path to an end event of {self.name(owner)}",
                        )
            self.gateways(kids, succ, pred)
        for n in m.nodes.values():
            if (n.type in TASK_TYPES or n.type == "callActivity") and not n.name:
                self.add(
                    "warning",
                    "unnamed-task",
                    n.id,
                    f"{self.name(n.id)} has no name; readers of the standard cannot tell what "
                    "happens there",
                )
        if not m.has_di:
            self.add(
                "info",
                "no-di",
                None,
                "the file has no diagram (BPMN DI), so it cannot be drawn as modelled",
            )

    def gateways(
        self, kids: list[FlowNode], succ: dict[str, list[str]], pred: dict[str, list[str]]
    ) -> None:
        for k in kids:
            if k.type in GATEWAY_TYPES and len(succ[k.id]) > 1 and len(pred[k.id]) > 1:
                self.add(
                    "warning",
                    "mixed-gateway",
                    k.id,
                    f"{self.name(k.id)} both joins {len(pred[k.id])} flows and splits into "
                    f"{len(succ[k.id])}; use one gateway to join and another to split",
                )
        byid = {k.id: k for k in kids}
        for k in kids:
            if k.type not in ("parallelGateway", "exclusiveGateway", "inclusiveGateway"):
                continue
            if len(succ[k.id]) < 2:
                continue
            join = post_dominator(k.id, succ)
            jn = byid.get(join) if join else None
            if jn is None or jn.type not in GATEWAY_TYPES or len(pred[jn.id]) < 2:
                continue
            split_t, join_t = _family(k.type), _family(jn.type)
            if split_t == join_t:
                continue
            risk = (
                "the join waits for branches that were never started (deadlock)"
                if join_t == "parallel"
                else "the join lets each started branch through on its own (lack of "
                "synchronization: the rest of the process runs several times)"
                if split_t in ("parallel", "inclusive") and join_t == "exclusive"
                else "the join does not wait for exactly the started branches"
            )
            self.add(
                "warning",
                "unmatched-gateway",
                jn.id,
                f"{self.name(k.id)} splits the flow but {self.name(jn.id)} joins it: {risk}",
            )

    # -- soundness --------------------------------------------------------------------------------
    def soundness(self, max_states: int) -> None:
        translation = self._translate()
        if translation is None:
            return
        play = _PlayOut(self, translation)
        if not play.run(max_states):
            self.add(
                "warning",
                "soundness-not-proven",
                None,
                f"soundness not proven: more than {max_states} reachable states, so only part "
                "of the behaviour was played out; the findings so far are real, but deadlocks "
                "and dead activities beyond the limit would be missed (raise max_states)",
            )
            return
        play.dead_transitions()

    def _translate(self) -> Translation | None:
        """The workflow net, or None after a ``not-translatable`` warning naming the element."""
        try:
            return translate(self.model)
        except TranslationError as e:
            element = (
                e.place[len("element ") :] if e.place and e.place.startswith("element ") else None
            )
            self.add("warning", "not-translatable", element, f"soundness not checked: {e.message}")
            return None


class _PlayOut:
    """Breadth-first play-out of a translated model, reporting each unsound marking once."""

    def __init__(self, checker: _Checker, translation: Translation) -> None:
        self.checker = checker
        self.net = translation.net
        self.place_info = translation.places
        self.places = list(self.net.places)
        self.fire = Firing(self.net)
        self.sink = self.places.index("sink")
        self.fired: set[int] = set()
        self.reported: set[tuple[str, str | None]] = set()

    def run(self, max_states: int) -> bool:
        """Play every reachable marking; False when ``max_states`` cut the play-out short."""
        start = self.fire.vector(self.net.initial_marking)
        final = self.fire.vector(self.net.final_marking)
        seen = {start}
        todo = deque([start])
        while todo:
            cur = todo.popleft()
            successors = self.fire.successors(cur)
            for t, nxt in successors:
                self.fired.add(t)
                if nxt not in seen:
                    if len(seen) >= max_states:
                        return False
                    seen.add(nxt)
                    todo.append(nxt)
            if cur != final:
                self.judge(cur, enabled=bool(successors))
        return True

    def judge(self, cur: tuple[int, ...], *, enabled: bool) -> None:
        """Report what is wrong with a reachable marking that is not the final one."""
        name = self.checker.name
        if cur[self.sink]:
            waiting = self.consumers(cur, skip=(self.sink,))
            self.report(
                "improper-completion",
                waiting[0] if waiting else None,
                "the process can finish while work is still pending"
                + (f" at {', '.join(name(w) for w in waiting)}" if waiting else "")
                + (" (it ends more than once)" if cur[self.sink] > 1 else ""),
            )
            return
        for i, k in enumerate(cur):
            if k > 1:
                producer = self.place_info[self.places[i]][0]
                self.report(
                    "lack-of-synchronization",
                    producer,
                    f"{name(producer)} can pass {k} tokens onto the same path: parallel "
                    "branches are not synchronized, so later steps run more than once",
                )
        if not enabled:
            waiting = self.consumers(cur)
            self.report(
                "deadlock",
                waiting[0] if waiting else None,
                "the process can get stuck waiting at "
                + (", ".join(name(w) for w in waiting) or "an unknown place"),
            )

    def dead_transitions(self) -> None:
        """Activities no run can reach (after a complete play-out)."""
        nodes = self.checker.model.nodes
        flagged = {p.element for p in self.checker.problems if p.code == "unreachable-node"}
        live: dict[str, bool] = {}
        for ti, trans in enumerate(self.net.transitions):
            if trans.element is not None and trans.element in nodes:
                live[trans.element] = live.get(trans.element, False) or ti in self.fired
        for element, alive in live.items():
            if not alive and element not in flagged:
                self.report(
                    "dead-transition",
                    element,
                    f"{self.checker.name(element)} can never happen in any run of the process",
                )

    def report(self, code: str, element: str | None, message: str) -> None:
        """One error per (code, element), at most five per code."""
        if (code, element) in self.reported or sum(c == code for c, _ in self.reported) >= 5:
            return
        self.reported.add((code, element))
        self.checker.add("error", code, element, message)

    def consumers(self, marking: tuple[int, ...], skip: Iterable[int] = ()) -> list[str]:
        """The elements waiting for the tokens of a marking."""
        out: list[str] = []
        for i, k in enumerate(marking):
            if k and i not in skip:
                c = self.place_info[self.places[i]][1]
                if c and c not in out:
                    out.append(c)
        return out


def _kind(node: FlowNode) -> str:
    if node.is_task:
        return "task"
    if node.is_gateway:
        return "gateway"
    if node.is_subprocess:
        return "subprocess"
    if node.type == "callActivity":
        return "call activity"
    return "event"


def _link(n: FlowNode) -> str | None:
    return (n.event_definitions[0].name if n.event_definitions else None) or n.name


def _family(gateway_type: str) -> str:
    return {
        "parallelGateway": "parallel",
        "inclusiveGateway": "inclusive",
        "complexGateway": "complex",
    }.get(gateway_type, "exclusive")


def _reach(starts: list[str], nxt: dict[str, list[str]]) -> set[str]:
    seen = set(starts)
    todo = list(starts)
    while todo:
        for y in nxt.get(todo.pop(), []):
            if y not in seen:
                seen.add(y)
                todo.append(y)
    return seen


def validate(
    model: BpmnModel, *, soundness: bool = True, max_states: int = DEFAULT_MAX_STATES
) -> list[Problem]:
    """Check a BPMN model and list what is wrong with it.

    Structural checks: dangling references, duplicate ids, missing start/end events per
    process and subprocess, unreachable nodes, dead ends, mixed gateways, split/join type
    mismatches, unnamed tasks, a missing diagram. With ``soundness=True`` the control flow is
    also translated to a workflow net and played out: deadlocks, lack of synchronization,
    improper completion and activities that can never happen.

    Args:
        model: the model to check.
        soundness: also run the behavioural (soundness) checks.
        max_states: bound on reachable markings explored; beyond it a ``warning``
            ``soundness-not-proven`` finding is added.

    Returns:
        The findings, errors first; an empty list for a clean model.

    Example:
        >>> problems = validate(read_bpmn("process.bpmn"))  # doctest: +SKIP
        >>> [p.code for p in problems if p.severity == "error"]  # doctest: +SKIP
        ['deadlock']
    """
    checker = _Checker(model)
    checker.read_issues()
    checker.duplicate_ids()
    checker.references()
    checker.structure()
    if soundness and not model.read_issues:
        checker.soundness(max_states)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(checker.problems, key=lambda p: order[p.severity])
