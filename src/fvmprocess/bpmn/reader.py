"""Read BPMN 2.0 XML into a :class:`BpmnModel`, as real modelling tools write it.

Accepted: any namespace prefix (``bpmn:``, ``bpmn2:``, ``semantic:``, none), the diagram before
the process, ISO-8859-1 and other declared encodings, vendor extension elements and attributes
(kept for the round trip, not interpreted), several diagrams, collaborations with pools.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from fvmprocess._shared.vocab import SUBPROCESS_TYPES
from fvmprocess._shared.xml import DEFAULT_MAX_BYTES, load_source, parse_xml
from fvmprocess.bpmn.model import (
    EVENT_DEFINITION_KINDS,
    FLOW_NODE_TYPES,
    Artifact,
    Bounds,
    BpmnModel,
    DataObject,
    Diagram,
    Edge,
    EventDefinition,
    FlowNode,
    Lane,
    MessageFlow,
    Participant,
    Process,
    ReadIssue,
    SequenceFlow,
    Shape,
)
from fvmprocess.bpmn.namespaces import BPMN_NS, BPMNDI_NS, COLOR_NS, DC_NS, DI_NS
from fvmprocess.errors import BpmnError

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["read_bpmn"]

_B = "{%s}" % BPMN_NS
_DATA_TYPES = {
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "dataStore",
    "dataInput",
    "dataOutput",
}
_ARTIFACT_TYPES = {"textAnnotation", "group", "association"}


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _is_bpmn(el: etree._Element) -> bool:
    tag = el.tag
    return isinstance(tag, str) and tag.startswith(_B)


def _ref(text: str | None) -> str | None:
    """Strip a QName prefix from an id reference (``tns:Task_1`` -> ``Task_1``)."""
    if text is None:
        return None
    text = text.strip()
    return text.rsplit(":", 1)[-1] if ":" in text and " " not in text else text


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    t = "".join(str(x) for x in el.itertext()).strip()
    return t or None


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() == "true"


def _float(el: etree._Element, attr: str, name: str) -> float:
    raw = el.get(attr)
    try:
        return float(raw) if raw is not None else 0.0
    except ValueError:
        raise BpmnError(
            f"attribute {attr}={raw!r} is not a number",
            source=name,
            place=f"line {el.sourceline}",
        ) from None


def _bounds(el: etree._Element | None, name: str) -> Bounds | None:
    if el is None:
        return None
    return Bounds(
        _float(el, "x", name),
        _float(el, "y", name),
        _float(el, "width", name),
        _float(el, "height", name),
    )


class _Reader:
    def __init__(self, tree: etree._ElementTree, name: str) -> None:
        self.tree = tree
        self.name = name
        self.nodes: dict[str, FlowNode] = {}
        self.flows: dict[str, SequenceFlow] = {}
        self.data: list[DataObject] = []
        self.artifacts: list[Artifact] = []
        self.lanes: dict[str, Lane] = {}
        self.lane_of: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.issues: list[ReadIssue] = []

    def note(self, code: str, element: str, el: etree._Element, message: str) -> None:
        """Keep what a tool wrote but record why it is not valid BPMN (lenient reading)."""
        line = el.sourceline
        self.issues.append(
            ReadIssue(code, element, line if isinstance(line, int) else None, message)
        )

    def placeholder(self, el: etree._Element) -> str:
        """A stand-in key for an element without an id; never a valid XML id, so no clash."""
        return f"<{_local(el)} line {el.sourceline}>"

    def fail(self, message: str, el: etree._Element) -> BpmnError:
        where = f"line {el.sourceline}"
        if el.get("id"):
            where += f", element {el.get('id')}"
        return BpmnError(message, source=self.name, place=where)

    def read(self) -> BpmnModel:
        root = self.tree.getroot()
        if _local(root) != "definitions" or not _is_bpmn(root):
            ns = root.tag.split("}")[0].lstrip("{") if "}" in str(root.tag) else ""
            raise BpmnError(
                f"root element is <{_local(root)}>"
                + (f" in namespace {ns}" if ns else " without namespace")
                + f", expected <definitions> in the BPMN 2.0 namespace {BPMN_NS}",
                source=self.name,
                place=f"line {root.sourceline}",
            )
        for el in root.iter():
            if isinstance(el.tag, str):
                i = el.get("id")
                if i is not None and i not in self.ids:
                    self.ids[i] = _local(el)
        processes: list[Process] = []
        participants: list[Participant] = []
        message_flows: list[MessageFlow] = []
        diagrams: list[Diagram] = []
        root_elements: dict[str, str] = {}
        for child in root:
            if not isinstance(child.tag, str):
                continue
            tag = _local(child)
            if child.get("id"):
                root_elements[child.get("id", "")] = tag
            if _is_bpmn(child):
                if tag == "process":
                    processes.append(self.read_process(child))
                elif tag in ("collaboration", "choreography"):
                    for el in child:
                        t = _local(el)
                        if t == "participant":
                            participants.append(
                                Participant(
                                    el.get("id", ""), el.get("name"), _ref(el.get("processRef"))
                                )
                            )
                        elif t == "messageFlow":
                            if not (el.get("sourceRef") and el.get("targetRef")):
                                self.note(
                                    "flow_missing_end",
                                    el.get("id") or self.placeholder(el),
                                    el,
                                    "<messageFlow> needs both sourceRef and targetRef",
                                )
                                continue
                            message_flows.append(
                                MessageFlow(
                                    el.get("id", ""),
                                    _ref(el.get("sourceRef")) or "",
                                    _ref(el.get("targetRef")) or "",
                                    el.get("name"),
                                    _ref(el.get("messageRef")),
                                )
                            )
                        elif t in _ARTIFACT_TYPES:
                            self.read_artifact(el, None)
            elif child.tag == "{%s}BPMNDiagram" % BPMNDI_NS:
                diagrams.append(self.read_diagram(child))
        if self.lane_of:
            self.nodes.update(
                {
                    i: _replace_lane(n, self.lane_of[i])
                    for i, n in self.nodes.items()
                    if i in self.lane_of
                }
            )
        return BpmnModel(
            id=root.get("id"),
            name=root.get("name"),
            target_namespace=root.get("targetNamespace"),
            exporter=root.get("exporter"),
            exporter_version=root.get("exporterVersion"),
            processes=tuple(processes),
            nodes=MappingProxyType(self.nodes),
            flows=MappingProxyType(self.flows),
            message_flows=tuple(message_flows),
            participants=tuple(participants),
            lanes=MappingProxyType(self.lanes),
            data=tuple(self.data),
            artifacts=tuple(self.artifacts),
            diagrams=tuple(diagrams),
            root_elements=MappingProxyType(root_elements),
            source=self.name,
            read_issues=tuple(self.issues),
            _tree=self.tree,
            _ids=MappingProxyType(self.ids),
        )

    # -- semantics --------------------------------------------------------------------------
    def read_process(self, el: etree._Element) -> Process:
        pid = el.get("id")
        if not pid:
            pid = self.placeholder(el)
            self.note("missing_id", pid, el, "<process> has no id")
        before_nodes, before_flows = set(self.nodes), set(self.flows)
        for lane_set in el.findall(_B + "laneSet"):
            self.read_lanes(lane_set, pid, None)
        self.read_container(el, pid, None)
        return Process(
            id=pid,
            name=el.get("name"),
            is_executable=None
            if el.get("isExecutable") is None
            else _bool(el.get("isExecutable"), False),
            node_ids=tuple(i for i in self.nodes if i not in before_nodes),
            flow_ids=tuple(i for i in self.flows if i not in before_flows),
        )

    def read_lanes(self, lane_set: etree._Element, pid: str, parent: str | None) -> None:
        for lane in lane_set.findall(_B + "lane"):
            lid = lane.get("id", "")
            refs = tuple(r for r in (_ref(x.text) for x in lane.findall(_B + "flowNodeRef")) if r)
            self.lanes[lid] = Lane(lid, lane.get("name"), pid, refs, parent)
            for r in refs:
                self.lane_of[r] = lid  # nested lanes come later and win: innermost
            child = lane.find(_B + "childLaneSet")
            if child is not None:
                self.read_lanes(child, pid, lid)

    def read_container(self, el: etree._Element, pid: str, parent: str | None) -> None:
        for child in el:
            if not _is_bpmn(child):
                continue
            tag = _local(child)
            if tag in FLOW_NODE_TYPES:
                self.read_node(child, tag, pid, parent)
            elif tag == "sequenceFlow":
                self.read_flow(child, pid, parent)
            elif tag in _DATA_TYPES:
                self.data.append(
                    DataObject(
                        child.get("id", ""),
                        tag,
                        child.get("name"),
                        pid,
                        parent,
                        _ref(child.get("dataObjectRef") or child.get("dataStoreRef")),
                    )
                )
            elif tag in _ARTIFACT_TYPES:
                self.read_artifact(child, pid)
            elif tag == "ioSpecification":
                for io in child:
                    if _local(io) in ("dataInput", "dataOutput"):
                        self.data.append(
                            DataObject(io.get("id", ""), _local(io), io.get("name"), pid, parent)
                        )

    def read_artifact(self, el: etree._Element, pid: str | None) -> None:
        tag = _local(el)
        self.artifacts.append(
            Artifact(
                el.get("id", ""),
                tag,
                text=_text(el.find(_B + "text"))
                if tag == "textAnnotation"
                else el.get("categoryValueRef"),
                source=_ref(el.get("sourceRef")),
                target=_ref(el.get("targetRef")),
                process=pid,
            )
        )

    def read_node(self, el: etree._Element, tag: str, pid: str, parent: str | None) -> None:
        nid = el.get("id")
        if not nid:
            nid = self.placeholder(el)
            self.note("missing_id", nid, el, f"<{tag}> has no id (every flow node needs one)")
        if nid in self.nodes:
            self.note(
                "duplicate_id", nid, el, f"duplicate id {nid!r}: ids must be unique in a file"
            )
            return
        defs: list[EventDefinition] = []
        for d in el:
            kind = EVENT_DEFINITION_KINDS.get(_local(d))
            if kind and _is_bpmn(d):
                timer = None
                if kind == "timer":
                    for ttag in ("timeDuration", "timeDate", "timeCycle"):
                        t = d.find(_B + ttag)
                        if t is not None:
                            timer = (ttag, _text(t) or "")
                ref = (
                    d.get("messageRef")
                    or d.get("errorRef")
                    or d.get("signalRef")
                    or d.get("escalationRef")
                    or d.get("activityRef")
                )
                cond = _text(d.find(_B + "condition")) if kind == "conditional" else None
                defs.append(
                    EventDefinition(kind, d.get("id"), _ref(ref), timer, cond, d.get("name"))
                )
            elif _local(d) == "eventDefinitionRef" and d.text:
                target = self.ids.get(_ref(d.text) or "")
                if target in EVENT_DEFINITION_KINDS:
                    defs.append(EventDefinition(EVENT_DEFINITION_KINDS[target], _ref(d.text)))
        loop = None
        for d in el:
            lt = _local(d)
            if lt == "standardLoopCharacteristics":
                loop = "standard"
            elif lt == "multiInstanceLoopCharacteristics":
                loop = "sequential" if _bool(d.get("isSequential"), False) else "parallel"
        doc = el.find(_B + "documentation")
        self.nodes[nid] = FlowNode(
            id=nid,
            type=tag,
            name=(el.get("name") or "").strip() or None,
            process=pid,
            parent=parent,
            incoming=tuple(r for r in (_ref(x.text) for x in el.findall(_B + "incoming")) if r),
            outgoing=tuple(r for r in (_ref(x.text) for x in el.findall(_B + "outgoing")) if r),
            event_definitions=tuple(defs),
            attached_to=_ref(el.get("attachedToRef")),
            cancel_activity=_bool(el.get("cancelActivity"), True),
            interrupting=_bool(el.get("isInterrupting"), True),
            default=_ref(el.get("default")),
            gateway_direction=el.get("gatewayDirection"),
            called_element=_ref(el.get("calledElement")),
            triggered_by_event=_bool(el.get("triggeredByEvent"), False),
            loop=loop,
            for_compensation=_bool(el.get("isForCompensation"), False),
            instantiate=_bool(el.get("instantiate"), False),
            event_gateway_type=el.get("eventGatewayType") if tag == "eventBasedGateway" else None,
            documentation=_text(doc),
        )
        if tag in SUBPROCESS_TYPES:
            for lane_set in el.findall(_B + "laneSet"):
                self.read_lanes(lane_set, pid, None)
            self.read_container(el, pid, nid)

    def read_flow(self, el: etree._Element, pid: str, parent: str | None) -> None:
        fid = el.get("id")
        if not fid:
            fid = self.placeholder(el)
            self.note("missing_id", fid, el, "<sequenceFlow> has no id")
        if fid in self.flows:
            self.note(
                "duplicate_id", fid, el, f"duplicate id {fid!r}: ids must be unique in a file"
            )
            return
        src, tgt = _ref(el.get("sourceRef")), _ref(el.get("targetRef"))
        if not src or not tgt:
            missing = " and ".join(a for a, v in (("sourceRef", src), ("targetRef", tgt)) if not v)
            # Half-finished models (a flow dragged but not connected) are what tools save; the
            # XML is kept for a lossless round trip, the flow stays out of the process graph.
            self.note("flow_missing_end", fid, el, f"<sequenceFlow> has no {missing}")
            return
        cond = el.find(_B + "conditionExpression")
        self.flows[fid] = SequenceFlow(
            fid, src, tgt, el.get("name"), _text(cond) if cond is not None else None, pid, parent
        )

    # -- diagram interchange ----------------------------------------------------------------
    def read_diagram(self, el: etree._Element) -> Diagram:
        di = "{%s}" % BPMNDI_NS
        plane = el.find(di + "BPMNPlane")
        shapes: list[Shape] = []
        edges: list[Edge] = []
        if plane is not None:
            for child in plane:
                tag = child.tag
                if tag == di + "BPMNShape":
                    b = _bounds(child.find("{%s}Bounds" % DC_NS), self.name)
                    if b is None:
                        ref = child.get("bpmnElement") or child.get("id") or self.placeholder(child)
                        self.note(
                            "shape_missing_bounds", ref, child, "<BPMNShape> has no <dc:Bounds>"
                        )
                        continue
                    label = child.find(di + "BPMNLabel")
                    lb = (
                        _bounds(label.find("{%s}Bounds" % DC_NS), self.name)
                        if label is not None
                        else None
                    )
                    fill = stroke = None
                    for ns in COLOR_NS:
                        fill = (
                            fill
                            or child.get("{%s}background-color" % ns)
                            or child.get("{%s}fill" % ns)
                        )
                        stroke = (
                            stroke
                            or child.get("{%s}border-color" % ns)
                            or child.get("{%s}stroke" % ns)
                        )
                    shapes.append(
                        Shape(
                            child.get("id", ""),
                            _ref(child.get("bpmnElement")) or "",
                            b,
                            None
                            if child.get("isExpanded") is None
                            else _bool(child.get("isExpanded"), False),
                            None
                            if child.get("isHorizontal") is None
                            else _bool(child.get("isHorizontal"), True),
                            lb,
                            (fill, stroke),
                        )
                    )
                elif tag == di + "BPMNEdge":
                    pts = tuple(
                        (_float(w, "x", self.name), _float(w, "y", self.name))
                        for w in child.findall("{%s}waypoint" % DI_NS)
                    )
                    label = child.find(di + "BPMNLabel")
                    lb = (
                        _bounds(label.find("{%s}Bounds" % DC_NS), self.name)
                        if label is not None
                        else None
                    )
                    edges.append(
                        Edge(child.get("id", ""), _ref(child.get("bpmnElement")) or "", pts, lb)
                    )
        return Diagram(
            el.get("id", ""),
            el.get("name"),
            _ref(plane.get("bpmnElement")) if plane is not None else None,
            tuple(shapes),
            tuple(edges),
        )


def _replace_lane(node: FlowNode, lane: str) -> FlowNode:
    from dataclasses import replace

    return replace(node, lane=lane)


def read_bpmn(source: str | bytes | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> BpmnModel:
    """Read a BPMN 2.0 XML file, bytes or string into a typed :class:`BpmnModel`.

    Parsing is safe: DTDs, entity declarations and external resources are refused with
    :class:`~fvmprocess.errors.UnsafeXmlError`; nothing is fetched from the network or disk.

    Args:
        source: a path, the file's bytes, or the XML as a string.
        max_bytes: refuse larger documents (default 256 MiB).

    Returns:
        The model. It keeps the parsed tree so :func:`write_bpmn` loses nothing.

    Raises:
        BpmnError: the file is missing, not XML, not BPMN 2.0, or structurally broken
            (naming the file, the line and the element id).

    Example:
        >>> model = read_bpmn("models/akutmottagning.bpmn")  # doctest: +SKIP
        >>> [t.name for t in model.tasks][:2]  # doctest: +SKIP
        ['Registrering', 'Triage enligt RETTS']
    """
    data, name = load_source(source, error=BpmnError, max_bytes=max_bytes)
    tree = parse_xml(data, name, error=BpmnError)
    return _Reader(tree, name).read()
