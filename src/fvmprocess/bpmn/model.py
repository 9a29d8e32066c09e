"""The typed BPMN 2.0 model: process semantics and diagram interchange (DI).

A :class:`BpmnModel` is a read-only, typed view of one ``<definitions>`` document. It keeps the
parsed XML tree it was read from, so :func:`fvmprocess.write_bpmn` writes back every element,
attribute and vendor extension, including those this model does not interpret.

Element types are named by their BPMN 2.0 XML tag (``"userTask"``, ``"exclusiveGateway"``,
``"boundaryEvent"``…), the vocabulary every BPMN user already knows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from fvmprocess._shared.vocab import (
    ACTIVITY_TYPES,
    EVENT_TYPES,
    GATEWAY_TYPES,
    SUBPROCESS_TYPES,
    TASK_TYPES,
)

if TYPE_CHECKING:
    from lxml import etree

__all__ = [
    "Artifact",
    "Bounds",
    "BpmnModel",
    "DataObject",
    "Diagram",
    "Edge",
    "EventDefinition",
    "FlowNode",
    "Lane",
    "MessageFlow",
    "Participant",
    "Process",
    "ReadIssue",
    "SequenceFlow",
    "Shape",
]

FLOW_NODE_TYPES = ACTIVITY_TYPES | EVENT_TYPES | GATEWAY_TYPES

#: Event definition tag -> short kind.
EVENT_DEFINITION_KINDS = {
    "timerEventDefinition": "timer",
    "messageEventDefinition": "message",
    "errorEventDefinition": "error",
    "signalEventDefinition": "signal",
    "escalationEventDefinition": "escalation",
    "conditionalEventDefinition": "conditional",
    "terminateEventDefinition": "terminate",
    "compensateEventDefinition": "compensate",
    "cancelEventDefinition": "cancel",
    "linkEventDefinition": "link",
}


@dataclass(frozen=True, slots=True)
class EventDefinition:
    """One event definition of an event (a start timer, a boundary error…).

    Attributes:
        kind: ``"timer"``, ``"message"``, ``"error"``, ``"signal"``, ``"escalation"``,
            ``"conditional"``, ``"terminate"``, ``"compensate"``, ``"cancel"`` or ``"link"``.
        id: the definition's id, if it has one.
        ref: the referenced message, error, signal or escalation id, if any.
        timer: for timers, ``("timeDuration"|"timeDate"|"timeCycle", expression)``.
        condition: for conditional events, the condition expression.
        name: for link events, the link name.
    """

    kind: str
    id: str | None = None
    ref: str | None = None
    timer: tuple[str, str] | None = None
    condition: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class FlowNode:
    """An activity, event or gateway.

    Attributes:
        id: the element id.
        type: the BPMN tag, e.g. ``"userTask"`` or ``"inclusiveGateway"``.
        name: the label, or None.
        process: id of the process the node belongs to.
        parent: id of the enclosing (event) subprocess, or None at process level.
        incoming: ids of incoming sequence flows.
        outgoing: ids of outgoing sequence flows.
        event_definitions: for events, their definitions (empty: a "none" event).
        attached_to: for boundary events, the activity they sit on.
        cancel_activity: for boundary events, whether they interrupt (BPMN default True).
        interrupting: for start events of event subprocesses, ``isInterrupting``.
        default: id of the default outgoing flow (gateways, activities).
        gateway_direction: ``gatewayDirection`` if given.
        called_element: for call activities, the called process id.
        triggered_by_event: for subprocesses, True for event subprocesses.
        loop: ``"standard"``, ``"parallel"``, ``"sequential"`` or None.
        for_compensation: ``isForCompensation``.
        instantiate: for receive tasks and event-based gateways.
        event_gateway_type: ``"Exclusive"``/``"Parallel"`` for event-based gateways.
        documentation: the text of the first ``<documentation>``, if any.
        lane: id of the innermost lane listing this node, if any.
    """

    id: str
    type: str
    name: str | None = None
    process: str | None = None
    parent: str | None = None
    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
    event_definitions: tuple[EventDefinition, ...] = ()
    attached_to: str | None = None
    cancel_activity: bool = True
    interrupting: bool = True
    default: str | None = None
    gateway_direction: str | None = None
    called_element: str | None = None
    triggered_by_event: bool = False
    loop: str | None = None
    for_compensation: bool = False
    instantiate: bool = False
    event_gateway_type: str | None = None
    documentation: str | None = None
    lane: str | None = None

    @property
    def is_task(self) -> bool:
        return self.type in TASK_TYPES

    @property
    def is_activity(self) -> bool:
        return self.type in ACTIVITY_TYPES

    @property
    def is_subprocess(self) -> bool:
        return self.type in SUBPROCESS_TYPES

    @property
    def is_event(self) -> bool:
        return self.type in EVENT_TYPES

    @property
    def is_gateway(self) -> bool:
        return self.type in GATEWAY_TYPES

    @property
    def event_kind(self) -> str | None:
        """The kind of the first event definition (``"timer"``…), ``"none"`` for a plain event."""
        if not self.is_event:
            return None
        return self.event_definitions[0].kind if self.event_definitions else "none"


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    """A sequence flow between two flow nodes of one process or subprocess."""

    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None
    process: str | None = None
    parent: str | None = None
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class MessageFlow:
    """A message flow between participants (pools) or their nodes."""

    id: str
    source: str
    target: str
    name: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Participant:
    """A pool of a collaboration."""

    id: str
    name: str | None
    process: str | None


@dataclass(frozen=True, slots=True)
class Lane:
    """A lane, with the nodes it lists and its nested lanes' parent."""

    id: str
    name: str | None
    process: str
    nodes: tuple[str, ...]
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class DataObject:
    """A data object (reference), data store (reference) or data input/output."""

    id: str
    type: str
    name: str | None
    process: str | None
    parent: str | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Artifact:
    """A text annotation, group or association (also data associations).

    For annotations ``text`` holds the text; for associations ``source``/``target``.
    """

    id: str
    type: str
    text: str | None = None
    source: str | None = None
    target: str | None = None
    process: str | None = None


@dataclass(frozen=True, slots=True)
class Process:
    """A ``<process>``: its nodes and flows are found in :attr:`BpmnModel.nodes`."""

    id: str
    name: str | None
    is_executable: bool | None
    node_ids: tuple[str, ...]
    flow_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Bounds:
    """A rectangle in diagram coordinates (pixels, y down)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def overlaps(self, other: Bounds, margin: float = 0.0) -> bool:
        """True if the two rectangles intersect (touching edges do not count)."""
        return not (
            self.right + margin <= other.x
            or other.right + margin <= self.x
            or self.bottom + margin <= other.y
            or other.bottom + margin <= self.y
        )


@dataclass(frozen=True, slots=True)
class Shape:
    """A ``BPMNShape``: where an element is drawn."""

    id: str
    element: str
    bounds: Bounds
    is_expanded: bool | None = None
    is_horizontal: bool | None = None
    label: Bounds | None = None
    color: tuple[str | None, str | None] = (None, None)  # (fill, stroke), if given


@dataclass(frozen=True, slots=True)
class Edge:
    """A ``BPMNEdge``: the route of a flow or association."""

    id: str
    element: str
    waypoints: tuple[tuple[float, float], ...]
    label: Bounds | None = None


@dataclass(frozen=True, slots=True)
class Diagram:
    """One ``BPMNDiagram`` (a file may have several)."""

    id: str
    name: str | None
    plane_element: str | None
    shapes: tuple[Shape, ...]
    edges: tuple[Edge, ...]

    def shape(self, element: str) -> Shape | None:
        for s in self.shapes:
            if s.element == element:
                return s
        return None

    def bounds(self) -> Bounds:
        """The bounding box of everything drawn (shapes, labels and edge points)."""
        xs: list[float] = []
        ys: list[float] = []
        for s in self.shapes:
            xs += [s.bounds.x, s.bounds.right]
            ys += [s.bounds.y, s.bounds.bottom]
            if s.label:
                xs += [s.label.x, s.label.right]
                ys += [s.label.y, s.label.bottom]
        for e in self.edges:
            xs += [p[0] for p in e.waypoints]
            ys += [p[1] for p in e.waypoints]
            if e.label:
                xs += [e.label.x, e.label.right]
                ys += [e.label.y, e.label.bottom]
        if not xs:
            return Bounds(0, 0, 0, 0)
        return Bounds(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """Something a modelling tool wrote that the reader kept but that is not valid BPMN.

    The reader is lenient (whatever Camunda Modeler, bpmn-moddle or Signavio open is read and
    kept losslessly); :func:`fvmprocess.validate` reports each issue as an error, and
    conformance refuses a model that has one.

    Attributes:
        code: what is wrong: ``"missing_id"``, ``"duplicate_id"``, ``"flow_missing_end"``,
            ``"shape_missing_bounds"``.
        element: the element's id, or a placeholder ``"<tag line N>"`` when it has none.
        line: the line in the file.
        message: a sentence for the user.
    """

    code: str
    element: str
    line: int | None
    message: str


@dataclass(frozen=True, eq=False)
class BpmnModel:
    """A BPMN 2.0 ``<definitions>`` document, typed.

    Read one with :func:`fvmprocess.read_bpmn`; write it with :func:`fvmprocess.write_bpmn`.

    Attributes:
        id: the definitions id.
        name: the definitions name, if any.
        target_namespace: ``targetNamespace``.
        exporter: the tool that wrote the file, if it says.
        processes: the processes, in document order.
        nodes: every flow node of every process and subprocess, by id.
        flows: every sequence flow, by id.
        message_flows: message flows of collaborations.
        participants: pools.
        lanes: lanes, by id.
        data: data objects, stores, inputs and outputs.
        artifacts: text annotations, groups and (data) associations.
        diagrams: the BPMN DI diagrams, in document order.
        root_elements: id -> tag of every root element (message, error, signal…).
        source: the file name or ``"<bytes>"``/``"<string>"``.
        read_issues: what the lenient reader kept but is not valid BPMN (see :class:`ReadIssue`).
    """

    id: str | None
    name: str | None
    target_namespace: str | None
    exporter: str | None
    exporter_version: str | None
    processes: tuple[Process, ...]
    nodes: Mapping[str, FlowNode]
    flows: Mapping[str, SequenceFlow]
    message_flows: tuple[MessageFlow, ...]
    participants: tuple[Participant, ...]
    lanes: Mapping[str, Lane]
    data: tuple[DataObject, ...]
    artifacts: tuple[Artifact, ...]
    diagrams: tuple[Diagram, ...]
    root_elements: Mapping[str, str]
    source: str = "<model>"
    read_issues: tuple[ReadIssue, ...] = ()
    _tree: etree._ElementTree | None = field(default=None, repr=False, compare=False)
    _ids: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    # -- navigation -------------------------------------------------------------------------
    def node(self, id: str) -> FlowNode:
        """The flow node with this id (KeyError naming the id if absent)."""
        try:
            return self.nodes[id]
        except KeyError:
            raise KeyError(f"{self.source}: no flow node with id {id!r}") from None

    def process(self, id: str | None = None) -> Process:
        """The process with this id, or the first one (the usual single-process case)."""
        if id is None:
            if not self.processes:
                raise KeyError(f"{self.source}: the file has no process")
            # Prefer the first process that has nodes (collaborations may list empty pools).
            return next((p for p in self.processes if p.node_ids), self.processes[0])
        for p in self.processes:
            if p.id == id:
                return p
        raise KeyError(f"{self.source}: no process with id {id!r}")

    def children(self, parent: str | None, process: str | None = None) -> list[FlowNode]:
        """Nodes directly inside ``parent`` (a subprocess id, or None for process level)."""
        return [
            n
            for n in self.nodes.values()
            if n.parent == parent and (process is None or n.process == process)
        ]

    def outgoing(self, node_id: str) -> list[SequenceFlow]:
        return [self.flows[f] for f in self.nodes[node_id].outgoing if f in self.flows]

    def incoming(self, node_id: str) -> list[SequenceFlow]:
        return [self.flows[f] for f in self.nodes[node_id].incoming if f in self.flows]

    def boundary_events(self, activity_id: str) -> list[FlowNode]:
        return [n for n in self.nodes.values() if n.attached_to == activity_id]

    @property
    def tasks(self) -> list[FlowNode]:
        """All tasks (of any task type) in document order."""
        return [n for n in self.nodes.values() if n.is_task]

    @property
    def has_di(self) -> bool:
        """True if at least one diagram draws at least one shape."""
        return any(d.shapes for d in self.diagrams)

    @property
    def xml(self) -> etree._ElementTree:
        """The parsed XML document this model views (every element, also those not modelled).

        Raises:
            ValueError: the model was built in code, not read from XML.
        """
        if self._tree is None:
            raise ValueError(f"{self.source}: this model was not read from XML")
        return self._tree

    def element_type(self, id: str) -> str | None:
        """The XML tag (local name) of any element with this id, or None."""
        return self._ids.get(id)

    def __iter__(self) -> Iterator[FlowNode]:
        return iter(self.nodes.values())

    def __len__(self) -> int:
        return len(self.nodes)

    # -- notebooks --------------------------------------------------------------------------
    def _repr_svg_(self) -> str:
        from fvmprocess._notebook import model_svg

        return model_svg(self)

    def summary(self) -> dict[str, Any]:
        """Counts of what the model holds (handy in notebooks and the CLI)."""
        by_type: dict[str, int] = {}
        for n in self.nodes.values():
            by_type[n.type] = by_type.get(n.type, 0) + 1
        return {
            "processes": len(self.processes),
            "nodes": len(self.nodes),
            "flows": len(self.flows),
            "message_flows": len(self.message_flows),
            "lanes": len(self.lanes),
            "diagrams": len(self.diagrams),
            "by_type": dict(sorted(by_type.items())),
        }
