"""Tests for fvmprocess.validate: one deliberately broken model per finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from fvmprocess.bpmn import BpmnModel, read_bpmn
from fvmprocess.validate import Problem, validate

NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
DI = (
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
)


def bpmn(
    elements: str, flows: str = "", *, extra: str = "", diagram: str | None = None
) -> BpmnModel:
    """A one-process model: ``elements`` like ``"startEvent:S task:A"``, flows ``"S>A A>E"``."""
    body = []
    for item in elements.split():
        tag, _, ident = item.partition(":")
        body.append(f'<{tag} id="{ident}" name="{ident}"/>')
    for n, pair in enumerate(flows.split()):
        src, tgt = pair.split(">")
        body.append(f'<sequenceFlow id="f{n}_{src}_{tgt}" sourceRef="{src}" targetRef="{tgt}"/>')
    if diagram is None:
        diagram = '<bpmndi:BPMNShape id="sh" bpmnElement="S"><dc:Bounds x="0" y="0" width="1" height="1"/></bpmndi:BPMNShape>'
    di = f'<bpmndi:BPMNDiagram id="dg"><bpmndi:BPMNPlane id="pl" bpmnElement="P">{diagram}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>'
    xml = (
        f'<definitions {NS} {DI} id="D"><process id="P">{"".join(body)}{extra}</process>'
        f"{di}</definitions>"
    )
    return read_bpmn(xml)


def codes(problems: list[Problem]) -> set[tuple[str, str | None]]:
    return {(p.code, p.element) for p in problems}


CLEAN = (
    "startEvent:S task:A parallelGateway:G task:B task:C parallelGateway:J endEvent:E",
    "S>A A>G G>B G>C B>J C>J J>E",
)


def test_clean_model_has_no_problems() -> None:
    assert validate(bpmn(*CLEAN)) == []


def test_problem_fields_and_str() -> None:
    (p,) = [x for x in validate(bpmn("startEvent:S task:A endEvent:E", "S>A A>E", diagram=""))]
    assert p == Problem("info", "no-di", None, p.message, "<string>")
    assert "no-di" in str(p)


def test_dangling_references() -> None:
    m = bpmn(
        "startEvent:S endEvent:E",
        "S>E",
        extra='<task id="A" name="A" default="nope"><incoming>ghost</incoming></task>'
        '<boundaryEvent id="B" attachedToRef="missing"/>'
        '<sequenceFlow id="bad" sourceRef="S" targetRef="Nowhere"/>',
        diagram='<bpmndi:BPMNShape id="shX" bpmnElement="Unknown">'
        '<dc:Bounds x="0" y="0" width="1" height="1"/></bpmndi:BPMNShape>',
    )
    found = codes(validate(m, soundness=False))
    for element in ("A", "B", "bad", "shX"):
        assert ("dangling-reference", element) in found


def test_duplicate_id_on_other_elements() -> None:
    m = bpmn(
        "startEvent:S task:A endEvent:E",
        "S>A A>E",
        extra='<dataObject id="X"/><textAnnotation id="X"><text>t</text></textAnnotation>',
    )
    assert ("duplicate-id", "X") in codes(validate(m))


def test_no_start_and_no_end_event() -> None:
    m = bpmn("task:A task:B", "A>B")
    found = codes(validate(m, soundness=False))
    assert ("no-start-event", "P") in found
    assert ("no-end-event", "P") in found


def test_subprocess_without_start_event() -> None:
    m = bpmn(
        "startEvent:S endEvent:E",
        "S>Sub Sub>E",
        extra='<subProcess id="Sub" name="Sub"><task id="A" name="A"/><endEvent id="e"/>'
        '<sequenceFlow id="i" sourceRef="A" targetRef="e"/></subProcess>',
    )
    assert ("no-start-event", "Sub") in codes(validate(m, soundness=False))


def test_unreachable_node_and_dead_end() -> None:
    m = bpmn("startEvent:S task:A endEvent:E task:Lost task:Stuck", "S>A A>E Lost>E A>Stuck")
    found = codes(validate(m, soundness=False))
    assert ("unreachable-node", "Lost") in found
    assert ("dead-end-node", "Stuck") in found


def test_mixed_gateway() -> None:
    m = bpmn(
        "startEvent:S exclusiveGateway:G task:A task:B exclusiveGateway:M task:C task:D "
        "exclusiveGateway:J endEvent:E",
        "S>G G>A G>B A>M B>M M>C M>D C>J D>J J>E",
    )
    assert ("mixed-gateway", "M") in codes(validate(m))


def test_parallel_split_joined_by_exclusive() -> None:
    m = bpmn(
        "startEvent:S parallelGateway:G task:A task:B exclusiveGateway:J task:C endEvent:E",
        "S>G G>A G>B A>J B>J J>C C>E",
    )
    found = codes(validate(m))
    assert ("unmatched-gateway", "J") in found
    assert ("lack-of-synchronization", "J") in found


def test_exclusive_split_joined_by_parallel_deadlocks() -> None:
    m = bpmn(
        "startEvent:S exclusiveGateway:G task:A task:B parallelGateway:J endEvent:E",
        "S>G G>A G>B A>J B>J J>E",
    )
    problems = validate(m)
    found = codes(problems)
    assert ("unmatched-gateway", "J") in found
    assert ("deadlock", "J") in found
    assert ("dead-transition", "J") in found
    (dl,) = [p for p in problems if p.code == "deadlock"]
    assert dl.severity == "error" and "(J)" in dl.message


def test_improper_completion() -> None:
    # one path ends alone, the other ends twice through an unsynchronized parallel split
    m = bpmn(
        "startEvent:S exclusiveGateway:X task:A parallelGateway:G task:B task:C endEvent:E",
        "S>X X>A A>E X>G G>B G>C B>E C>E",
    )
    problems = validate(m)
    found = codes(problems)
    assert any(code == "improper-completion" for code, _ in found)
    assert ("lack-of-synchronization", "E") in found


def test_improper_completion_names_pending_work() -> None:
    # a parallel split whose branches reach the same end event through an exclusive merge
    m = bpmn(
        "startEvent:S parallelGateway:G task:A task:B exclusiveGateway:X endEvent:E",
        "S>G G>A G>B A>X B>X X>E",
    )
    problems = validate(m)
    assert any(p.code == "lack-of-synchronization" and p.element == "X" for p in problems)


def test_unnamed_task() -> None:
    m = bpmn("startEvent:S endEvent:E", "S>A A>E", extra='<task id="A"/>')
    assert ("unnamed-task", "A") in codes(validate(m))


def test_dead_transition_names_the_element() -> None:
    # an inclusive join after a parallel split... instead: the exclusive branch after a
    # parallel join that can never be taken because its condition path is unreachable
    m = bpmn(
        "startEvent:S exclusiveGateway:G task:A task:B parallelGateway:J task:C endEvent:E",
        "S>G G>A G>B A>J B>J J>C C>E",
    )
    found = codes(validate(m))
    assert ("dead-transition", "C") in found


def test_untranslatable_model_is_reported_not_raised() -> None:
    m = bpmn("startEvent:S complexGateway:CX task:A task:B endEvent:E", "S>CX CX>A CX>B A>E B>E")
    assert ("not-translatable", "CX") in codes(validate(m))


def test_soundness_not_proven_when_too_large() -> None:
    n = 6
    tasks = " ".join(f"task:T{i}" for i in range(n))
    flows = " ".join(f"G>T{i} T{i}>J" for i in range(n))
    m = bpmn(
        f"startEvent:S parallelGateway:G {tasks} parallelGateway:J endEvent:E", f"S>G {flows} J>E"
    )
    assert validate(m) == []
    found = [p for p in validate(m, max_states=10) if p.code == "soundness-not-proven"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert "not proven" in found[0].message


def test_every_real_file_validates(shared_real: Path) -> None:
    files = sorted((shared_real / "bpmn").rglob("*.bpmn"))
    assert files
    for path in files:
        problems = validate(read_bpmn(path))
        assert all(isinstance(p, Problem) and p.source == str(path) for p in problems)
    clean = read_bpmn(shared_real / "bpmn" / "pm4py" / "running-example.bpmn")
    assert [p for p in validate(clean) if p.severity == "error"] == []


@pytest.mark.parametrize("name", ["C.8.0.bpmn"])
def test_real_duplicate_ids(shared_real: Path, name: str) -> None:
    problems = validate(read_bpmn(shared_real / "bpmn" / "miwg-reference" / name))
    assert any(p.code == "duplicate-id" for p in problems)
