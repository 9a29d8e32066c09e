"""Reading and writing BPMN 2.0: real tools' files, lossless round trips, hostile XML."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from fvmprocess.bpmn import read_bpmn, to_bytes, write_bpmn
from fvmprocess.bpmn.schema import validate_xsd
from fvmprocess.compile import to_petri_net
from fvmprocess.errors import BpmnError, FvmProcessError, TranslationError, UnsafeXmlError
from fvmprocess.validate import validate

DATA = Path(__file__).resolve().parent / "data" / "bpmn"


def signature(root: etree._Element) -> Counter[tuple[object, ...]]:
    """Every element with its attributes and text: what a lossless round trip must keep."""
    sig: Counter[tuple[object, ...]] = Counter()
    for el in root.iter():
        if isinstance(el.tag, str):
            sig[(el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip())] += 1
    return sig


def independent(data: bytes) -> Counter[tuple[object, ...]]:
    """What a lossless writer keeps, read by a parser that is not lxml (expat via minidom).

    Per node: its path (qualified names with the index among same-name siblings, so order
    among siblings of one kind counts; the schema reordering of different kinds does not),
    the prefix, attributes, text and tail; comments and processing instructions with their
    place, also those outside the root.
    """
    import xml.dom.minidom as minidom

    doc = minidom.parseString(data)
    out: Counter[tuple[object, ...]] = Counter()

    def walk(node: minidom.Node, path: tuple[str, ...]) -> None:
        seen: Counter[str] = Counter()
        for child in node.childNodes:
            if child.nodeType == child.ELEMENT_NODE:
                name = child.tagName
                here = (*path, f"{name}[{seen[name]}]")
                seen[name] += 1
                attrs = tuple(sorted((a.name, a.value) for a in child.attributes.values()))
                text = "".join(  # CDATA is text: a writer may escape it instead
                    t.data
                    for t in child.childNodes
                    if t.nodeType in (t.TEXT_NODE, t.CDATA_SECTION_NODE)
                ).strip()
                tail = child.nextSibling
                tail_text = (
                    tail.data.strip()
                    if tail is not None and tail.nodeType == tail.TEXT_NODE
                    else ""
                )
                out[("element", here, attrs, text, tail_text)] += 1
                walk(child, here)
            elif child.nodeType == child.COMMENT_NODE:
                out[("comment", path, child.data)] += 1
            elif child.nodeType == child.PROCESSING_INSTRUCTION_NODE:
                out[("pi", path, child.target, child.data)] += 1

    walk(doc, ())
    return out


def test_reads_a_tool_export_with_prefix_diagram_first_and_latin1() -> None:
    m = read_bpmn(DATA / "tool_export.bpmn")
    assert m.id == "Defs_1" and m.exporter == "Hand"
    assert [p.id for p in m.processes] == ["Process_1"]
    assert m.processes[0].name == "Akut flöde"
    assert m.node("Triage").type == "userTask"
    assert m.node("Triage").name == "Triage enligt RETTS"
    assert m.node("Xray").name == "Röntgen"
    assert m.node("Split").type == "parallelGateway"
    timer = m.node("Timer")
    assert timer.attached_to == "Xray" and timer.cancel_activity is False
    assert timer.event_definitions[0].kind == "timer"
    assert timer.event_definitions[0].timer == ("timeDuration", "PT60M")
    assert m.node("Escalate").event_kind == "escalation"
    assert m.node("End").event_kind == "none"
    assert m.flows["F3"].source == "Split" and m.flows["F3"].target == "Lab"
    assert m.node("Split").outgoing == ("F3", "F4")
    assert len(m.diagrams) == 1 and m.diagrams[0].name == "Huvudvy"
    shape = m.diagrams[0].shape("Triage")
    assert shape is not None and (shape.bounds.x, shape.bounds.width) == (190, 100)
    start = m.diagrams[0].shape("Start")
    assert start is not None and start.label is not None and start.label.y == 140
    edge = next(e for e in m.diagrams[0].edges if e.element == "F3")
    assert edge.waypoints == ((365, 93), (365, 60), (440, 60))
    assert len(m.tasks) == 3


_WITH_PROLOG = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by Hand 1.0 -->
<?tool-hint keep="this"?>
<semantic:definitions xmlns:semantic="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:x="urn:vendor" id="d" targetNamespace="t">
  <!-- the process -->
  <semantic:process id="p"><?vendor step?>
    <semantic:documentation><![CDATA[Triage <inom> 10 min]]></semantic:documentation>
    <semantic:startEvent id="S"><x:meta>kept</x:meta></semantic:startEvent>
    <semantic:task id="A" name="Triage"/>tail text
    <semantic:sequenceFlow id="f" sourceRef="S" targetRef="A"/>
  </semantic:process>
</semantic:definitions>
<!-- after the root -->
"""


def test_round_trip_keeps_comments_pis_prefixes_and_nodes_outside_the_root() -> None:
    """Compared by an independent parser (expat), not by the lxml tree the writer used."""
    written = to_bytes(read_bpmn(_WITH_PROLOG))
    assert independent(_WITH_PROLOG) == independent(written)
    assert b"<!-- exported by Hand 1.0 -->" in written and b"<!-- after the root -->" in written
    assert b"<semantic:task" in written  # the file's own prefix, not a new one


def test_round_trip_is_lossless_and_in_schema_order(tmp_path: Path) -> None:
    m = read_bpmn(DATA / "tool_export.bpmn")
    out = write_bpmn(m, tmp_path / "out.bpmn")
    again = etree.parse(str(out))
    assert signature(m._tree.getroot()) == signature(again.getroot())  # type: ignore[union-attr]
    root = again.getroot()
    # the diagram was before the process; schema order puts it after
    tags = [etree.QName(c).localname for c in root if isinstance(c.tag, str)]
    assert tags == ["process", "BPMNDiagram"]
    # documentation comes before extensionElements in tBaseElement
    proc = root[0]
    assert [etree.QName(c).localname for c in proc][:2] == ["documentation", "extensionElements"]
    assert validate_xsd(again) == []
    # vendor attributes and the prefix survive
    assert root.get("{http://example.org/vendor}flag") == "yes"
    assert root.prefix == "semantic"
    # reading the written file gives the same model
    m2 = read_bpmn(out)
    assert m2.nodes == m.nodes and m2.flows == m.flows and m2.diagrams == m.diagrams


def test_golden_round_trip_bytes() -> None:
    """The written bytes are stable: compare with the golden file kept in tests/data."""
    got = to_bytes(read_bpmn(DATA / "tool_export.bpmn"))
    golden = DATA / "tool_export.golden.bpmn"
    assert got == golden.read_bytes()


def test_reads_bytes_and_strings() -> None:
    raw = (DATA / "tool_export.bpmn").read_bytes()
    assert read_bpmn(raw).nodes.keys() == read_bpmn(DATA / "tool_export.bpmn").nodes.keys()
    text = raw.decode("iso-8859-1")
    assert read_bpmn(text).node("Xray").name == "Röntgen"


@pytest.mark.parametrize(
    ("name", "error", "fragment"),
    [
        ("xxe_file.bpmn", UnsafeXmlError, "DOCTYPE"),
        ("xxe_network.bpmn", UnsafeXmlError, "DOCTYPE"),
        ("billion_laughs.bpmn", UnsafeXmlError, "line 2"),
        ("quadratic.bpmn", UnsafeXmlError, "entities"),
        ("truncated.bpmn", BpmnError, "not well-formed"),
        ("not_bpmn.bpmn", BpmnError, "expected <definitions>"),
        ("empty.bpmn", BpmnError, "empty"),
        ("binary.bpmn", BpmnError, "line 1"),
        ("wrong_encoding.bpmn", BpmnError, "not well-formed"),
    ],
)
def test_hostile_and_broken_files_give_clear_errors(
    name: str, error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error) as info:
        read_bpmn(DATA / name)
    msg = str(info.value)
    assert name in msg and fragment in msg
    assert "root:" not in msg  # never leaks /etc/passwd
    assert isinstance(info.value, FvmProcessError) and isinstance(info.value, ValueError)


def test_missing_file_and_size_limit(tmp_path: Path) -> None:
    with pytest.raises(BpmnError, match="file not found"):
        read_bpmn(tmp_path / "nope.bpmn")
    with pytest.raises(BpmnError, match="larger than the limit"):
        read_bpmn(DATA / "tool_export.bpmn", max_bytes=100)


_HALF_FINISHED = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="d" targetNamespace="t">'
    '<process><startEvent id="S"/><task id="A" name="Triage"/><task id="A"/><task name="Ny"/>'
    '<sequenceFlow id="f1" sourceRef="S" targetRef="A"/><sequenceFlow id="f2" sourceRef="A"/>'
    "</process><bpmndi:BPMNDiagram><bpmndi:BPMNPlane>"
    '<bpmndi:BPMNShape id="A_di" bpmnElement="A"/></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>'
    "</definitions>"
)


def test_half_finished_tool_files_read_losslessly_and_fail_validation() -> None:
    """What Camunda Modeler and bpmn-moddle open is read and kept; validation names each fault."""
    m = read_bpmn(_HALF_FINISHED)
    issues = {(i.code, i.element) for i in m.read_issues}
    assert issues == {
        ("missing_id", "<process line 1>"),
        ("duplicate_id", "A"),
        ("missing_id", "<task line 1>"),
        ("flow_missing_end", "f2"),
        ("shape_missing_bounds", "A"),
    }
    assert "f2" not in m.flows and "f1" in m.flows  # the half-drawn flow is not in the graph
    assert signature(m.xml.getroot()) == signature(etree.fromstring(to_bytes(m)))
    found = {(p.code, p.element) for p in validate(m) if p.severity == "error"}
    assert {
        ("missing-id", "<process line 1>"),
        ("missing-id", "<task line 1>"),
        ("flow-missing-end", "f2"),
        ("shape-missing-bounds", "A"),
    } <= found
    assert any(p.code == "duplicate-id" and "'A'" in p.message for p in validate(m))
    with pytest.raises(TranslationError, match="element <process line 1>"):
        to_petri_net(m)


def _real_files(real: Path) -> list[Path]:
    return sorted((real / "bpmn").glob("*/*.bpmn"))


def test_every_real_file_reads_round_trips_and_validates(shared_real: Path) -> None:
    files = _real_files(shared_real)
    assert len(files) >= 150  # MIWG, bpmn.io, pm4py and 120 Camunda training models
    valid_as_is = 0
    unrepairable = []
    for f in files:
        m = read_bpmn(f)
        assert m.nodes or not m.processes, f  # a few training files are empty canvases
        written = to_bytes(m)
        out = etree.fromstring(written)
        assert signature(m.xml.getroot()) == signature(out), f"{f.name}: round trip lost data"
        assert independent(f.read_bytes()) == independent(written), f"{f.name}: lost data"
        valid_as_is += not validate_xsd(out)
        repaired = etree.fromstring(to_bytes(m, repair_schema=True))
        if validate_xsd(repaired):
            unrepairable.append(f)
    # What stays invalid after repair is exactly the half-finished models (flows without an
    # end, as people save them mid-drawing): read, kept, and reported by validate().
    for f in unrepairable:
        m = read_bpmn(f)
        assert any(i.code == "flow_missing_end" for i in m.read_issues), f.name
        assert any(p.code == "flow-missing-end" for p in validate(m, soundness=False)), f.name
    assert len(unrepairable) == sum(1 for f in files if read_bpmn(f).read_issues), (
        "a file with read issues was repaired, or one without them was not"
    )
    # Figures on this corpus (docs/bpmn.md): 153 read, 153 lossless, 119 XSD-valid as written,
    # 124 after repair; the other 29 are half-finished Camunda training models.
    assert valid_as_is >= len(files) - 34


def test_real_files_with_diagram_first_are_reordered(shared_real: Path) -> None:
    m = read_bpmn(shared_real / "bpmn" / "pm4py" / "running-example.bpmn")
    root = etree.fromstring(to_bytes(m))
    tags = [etree.QName(c).localname for c in root if isinstance(c.tag, str)]
    assert tags.index("process") < tags.index("BPMNDiagram")


def test_miwg_reference_content(shared_real: Path) -> None:
    m = read_bpmn(shared_real / "bpmn" / "miwg-reference" / "C.4.0.bpmn")
    assert len(m.diagrams) == 4
    b2 = read_bpmn(shared_real / "bpmn" / "miwg-reference" / "B.2.0.bpmn")
    types = {n.type for n in b2.nodes.values()}
    assert {"userTask", "exclusiveGateway", "parallelGateway", "boundaryEvent"} <= types
    assert b2.participants and b2.lanes
