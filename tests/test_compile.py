"""Tests for fvmprocess.compile: BPMN -> workflow net, checked by trace language."""

from __future__ import annotations

from collections import deque
from itertools import permutations
from pathlib import Path

import pytest

from fvmprocess.bpmn import BpmnModel, read_bpmn
from fvmprocess.compile import to_automaton, to_petri_net
from fvmprocess.errors import TranslationError
from fvmprocess.petri import PetriNet

DATA = Path(__file__).resolve().parent / "data" / "compile"
NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def bpmn(elements: str, flows: str = "", *, extra: str = "", pid: str = "P") -> BpmnModel:
    """A one-process model: ``elements`` like ``"startEvent:S task:A"``, flows ``"S>A A>E"``."""
    body = []
    for item in elements.split():
        tag, _, ident = item.partition(":")
        body.append(f'<{tag} id="{ident}" name="{ident}"/>')
    for n, pair in enumerate(flows.split()):
        src, tgt = pair.split(">")
        body.append(f'<sequenceFlow id="f{n}_{src}_{tgt}" sourceRef="{src}" targetRef="{tgt}"/>')
    xml = f'<definitions {NS} id="D"><process id="{pid}">{"".join(body)}{extra}</process></definitions>'
    return read_bpmn(xml)


def language(net: PetriNet, max_len: int = 8) -> set[tuple[str, ...]]:
    """Every visible trace of at most ``max_len`` events that ends in the final marking."""
    trans = [(t.label, dict(net.preset(t.id)), dict(net.postset(t.id))) for t in net.transitions]
    final = tuple(sorted(net.final_marking.items()))
    start = (tuple(sorted(net.initial_marking.items())), ())
    seen = {start}
    todo: deque[tuple[tuple[tuple[str, int], ...], tuple[str, ...]]] = deque([start])
    out: set[tuple[str, ...]] = set()
    while todo:
        key, trace = todo.popleft()
        if key == final:
            out.add(trace)
        marking = dict(key)
        for label, pre, post in trans:
            if all(marking.get(p, 0) >= w for p, w in pre.items()):
                new = dict(marking)
                for p, w in pre.items():
                    new[p] -= w
                for p, w in post.items():
                    new[p] = new.get(p, 0) + w
                tr = (*trace, label) if label is not None else trace
                if len(tr) > max_len:
                    continue
                state = (tuple(sorted((p, k) for p, k in new.items() if k)), tr)
                if state not in seen:
                    seen.add(state)
                    assert len(seen) < 500_000, "language exploration too large"
                    todo.append(state)
    return out


def lang(model: BpmnModel, max_len: int = 8, **kw: object) -> set[tuple[str, ...]]:
    net = to_petri_net(model, **kw)  # type: ignore[arg-type]
    assert net.is_workflow_net()
    return language(net, max_len)


def test_sequence_labels_and_elements() -> None:
    m = bpmn("startEvent:S userTask:A task:B endEvent:E", "S>A A>B B>E")
    net = to_petri_net(m)
    assert lang(m) == {("A", "B")}
    visible = {t.label: t.element for t in net.transitions if t.label}
    assert visible == {"A": "A", "B": "B"}
    assert all(t.element for t in net.transitions)
    assert dict(net.initial_marking) == {"source": 1}
    assert dict(net.final_marking) == {"sink": 1}


def test_label_by_name() -> None:
    xml = (
        f'<definitions {NS} id="D"><process id="P"><startEvent id="S"/>'
        '<task id="T1" name="Anamnes"/><endEvent id="E"/>'
        '<sequenceFlow id="a" sourceRef="S" targetRef="T1"/>'
        '<sequenceFlow id="b" sourceRef="T1" targetRef="E"/></process></definitions>'
    )
    net = to_petri_net(read_bpmn(xml), label="name")
    assert language(net) == {("Anamnes",)}
    assert [t.element for t in net.transitions if t.label] == ["T1"]
    with pytest.raises(ValueError, match="label"):
        to_petri_net(read_bpmn(xml), label="nope")  # type: ignore[arg-type]


def test_exclusive_choice() -> None:
    m = bpmn(
        "startEvent:S exclusiveGateway:G task:A task:B exclusiveGateway:J task:C endEvent:E",
        "S>G G>A G>B A>J B>J J>C C>E",
    )
    assert lang(m) == {("A", "C"), ("B", "C")}


def test_parallel_all_interleavings() -> None:
    m = bpmn(
        "startEvent:S parallelGateway:G task:A task:B task:C parallelGateway:J endEvent:E",
        "S>G G>A G>B G>C A>J B>J C>J J>E",
    )
    assert lang(m) == set(permutations("ABC"))


def _or_model(default: bool = False) -> BpmnModel:
    return bpmn(
        "startEvent:S inclusiveGateway:G task:A task:B task:C inclusiveGateway:J task:D endEvent:E",
        "S>G G>A G>B G>C A>J B>J C>J J>D D>E",
    )


def test_inclusive_split_join_all_nonempty_subsets() -> None:
    got = lang(_or_model())
    expected = {
        (*p, "D")
        for k in (1, 2, 3)
        for s in __import__("itertools").combinations("ABC", k)
        for p in permutations(s)
    }
    assert got == expected
    assert ("D",) not in got  # never the empty subset
    # the join waits for exactly the started branches: D never precedes a started branch
    assert all(t[-1] == "D" for t in got)


def test_inclusive_join_waits_for_started_branches_only() -> None:
    net = to_petri_net(_or_model())
    memories = [p for p in net.places if ":or" in p]
    assert len(memories) == 7  # 2^3 - 1 subsets


def test_inclusive_with_nested_exclusive_branch() -> None:
    m = bpmn(
        "startEvent:S inclusiveGateway:G exclusiveGateway:X task:A task:A2 task:B "
        "inclusiveGateway:J endEvent:E",
        "S>G G>X X>A X>A2 A>J A2>J G>B B>J J>E",
    )
    assert lang(m) == {("A",), ("A2",), ("B",), ("A", "B"), ("B", "A"), ("A2", "B"), ("B", "A2")}


def test_inclusive_join_without_split_is_refused() -> None:
    m = bpmn(
        "startEvent:S parallelGateway:G task:A task:B inclusiveGateway:J endEvent:E",
        "S>G G>A G>B A>J B>J J>E",
    )
    with pytest.raises(TranslationError, match="J"):
        to_petri_net(m)


def test_inclusive_too_many_branches_refused() -> None:
    names = [f"T{i}" for i in range(9)]
    m = bpmn(
        "startEvent:S inclusiveGateway:G " + " ".join(f"task:{n}" for n in names) + " endEvent:E",
        "S>G " + " ".join(f"G>{n} {n}>E" for n in names),
    )
    with pytest.raises(TranslationError, match="element G"):
        to_petri_net(m)


def test_inclusive_split_to_separate_ends() -> None:
    m = bpmn(
        "startEvent:S inclusiveGateway:G task:A task:B endEvent:E1 endEvent:E2",
        "S>G G>A G>B A>E1 B>E2",
    )
    assert lang(m) == {("A",), ("B",), ("A", "B"), ("B", "A")}


def test_loop_via_exclusive_gateways() -> None:
    m = bpmn(
        "startEvent:S exclusiveGateway:J task:A exclusiveGateway:G task:B endEvent:E",
        "S>J J>A A>G G>J G>B B>E",
    )
    assert lang(m, 5) == {("A",) * k + ("B",) for k in range(1, 5)}


def test_standard_loop_and_multi_instance() -> None:
    for inner in ("<standardLoopCharacteristics/>", "<multiInstanceLoopCharacteristics/>"):
        xml = (
            f'<definitions {NS} id="D"><process id="P"><startEvent id="S"/>'
            f'<task id="A">{inner}</task><endEvent id="E"/>'
            '<sequenceFlow id="a" sourceRef="S" targetRef="A"/>'
            '<sequenceFlow id="b" sourceRef="A" targetRef="E"/></process></definitions>'
        )
        assert lang(read_bpmn(xml), 4) == {("A",) * k for k in range(1, 5)}


SUB = (
    '<subProcess id="Sub"><startEvent id="s1"/><task id="B"/><task id="C"/><endEvent id="e1"/>'
    '<sequenceFlow id="i1" sourceRef="s1" targetRef="B"/>'
    '<sequenceFlow id="i2" sourceRef="B" targetRef="C"/>'
    '<sequenceFlow id="i3" sourceRef="C" targetRef="e1"/></subProcess>'
)


def test_embedded_subprocess() -> None:
    m = bpmn("startEvent:S task:A task:D endEvent:E", "S>A A>Sub Sub>D D>E", extra=SUB)
    assert lang(m) == {("A", "B", "C", "D")}


def test_subprocess_inner_parallel_with_two_ends() -> None:
    sub = (
        '<subProcess id="Sub"><startEvent id="s1"/><parallelGateway id="g"/><task id="B"/>'
        '<task id="C"/><endEvent id="e1"/><endEvent id="e2"/>'
        '<sequenceFlow id="i1" sourceRef="s1" targetRef="g"/>'
        '<sequenceFlow id="i2" sourceRef="g" targetRef="B"/>'
        '<sequenceFlow id="i3" sourceRef="g" targetRef="C"/>'
        '<sequenceFlow id="i4" sourceRef="B" targetRef="e1"/>'
        '<sequenceFlow id="i5" sourceRef="C" targetRef="e2"/></subProcess>'
    )
    m = bpmn("startEvent:S task:D endEvent:E", "S>Sub Sub>D D>E", extra=sub)
    assert lang(m) == {("B", "C", "D"), ("C", "B", "D")}


def test_interrupting_boundary_on_task() -> None:
    m = bpmn(
        "startEvent:S task:A task:B endEvent:E task:C endEvent:E2",
        "S>A A>B B>E X>C C>E2",
        extra='<boundaryEvent id="X" attachedToRef="A"><timerEventDefinition/></boundaryEvent>',
    )
    assert lang(m) == {("A", "B"), ("C",)}


def test_interrupting_boundary_on_subprocess_fires_at_any_point() -> None:
    m = bpmn(
        "startEvent:S task:D endEvent:E task:X endEvent:E2",
        "S>Sub Sub>D D>E Bx>X X>E2",
        extra=SUB + '<boundaryEvent id="Bx" attachedToRef="Sub"><timerEventDefinition/>'
        "</boundaryEvent>",
    )
    assert lang(m) == {("B", "C", "D"), ("X",), ("B", "X"), ("B", "C", "X")}


def test_error_boundary_on_subprocess_fires_on_error_end() -> None:
    sub = (
        '<subProcess id="Sub"><startEvent id="s1"/><task id="B"/><exclusiveGateway id="x"/>'
        '<endEvent id="ok"/><endEvent id="bad"><errorEventDefinition/></endEvent>'
        '<sequenceFlow id="i1" sourceRef="s1" targetRef="B"/>'
        '<sequenceFlow id="i2" sourceRef="B" targetRef="x"/>'
        '<sequenceFlow id="i3" sourceRef="x" targetRef="ok"/>'
        '<sequenceFlow id="i4" sourceRef="x" targetRef="bad"/></subProcess>'
    )
    m = bpmn(
        "startEvent:S task:D endEvent:E task:X endEvent:E2",
        "S>Sub Sub>D D>E Bx>X X>E2",
        extra=sub + '<boundaryEvent id="Bx" attachedToRef="Sub"><errorEventDefinition/>'
        "</boundaryEvent>",
    )
    assert lang(m) == {("B", "D"), ("B", "X")}


def test_non_interrupting_boundary_is_an_optional_parallel_thread() -> None:
    m = bpmn(
        "startEvent:S task:A task:B endEvent:E task:C endEvent:E2",
        "S>A A>B B>E X>C C>E2",
        extra='<boundaryEvent id="X" attachedToRef="A" cancelActivity="false">'
        "<timerEventDefinition/></boundaryEvent>",
    )
    assert lang(m) == {("A", "B"), ("C", "A", "B"), ("A", "C", "B"), ("A", "B", "C")}


def test_event_based_gateway() -> None:
    m = bpmn(
        "startEvent:S eventBasedGateway:G task:A task:B endEvent:E",
        "S>G G>M G>T M>A T>B A>E B>E",
        extra='<intermediateCatchEvent id="M"><messageEventDefinition/></intermediateCatchEvent>'
        '<intermediateCatchEvent id="T"><timerEventDefinition/></intermediateCatchEvent>',
    )
    assert lang(m) == {("A",), ("B",)}
    net = to_petri_net(m)
    # deferred choice: no transition of the gateway itself, the catch events consume its input
    assert not [t for t in net.transitions if t.element == "G"]


def test_several_start_and_end_events() -> None:
    m = bpmn(
        "startEvent:S1 startEvent:S2 task:A task:B endEvent:E1 endEvent:E2", "S1>A S2>B A>E1 B>E2"
    )
    assert lang(m) == {("A",), ("B",)}


def test_parallel_branches_to_separate_end_events_complete_properly() -> None:
    m = bpmn(
        "startEvent:S parallelGateway:G task:A task:B endEvent:E1 endEvent:E2",
        "S>G G>A G>B A>E1 B>E2",
    )
    assert lang(m) == {("A", "B"), ("B", "A")}


def test_terminate_end_event_cancels_the_rest() -> None:
    m = bpmn(
        "startEvent:S parallelGateway:G task:A task:B endEvent:E2",
        "S>G G>A G>B A>T B>E2",
        extra='<endEvent id="T"><terminateEventDefinition/></endEvent>',
    )
    assert lang(m) == {("A",), ("A", "B"), ("B", "A")}


def test_call_activity_via_dict_catalogue() -> None:
    callee = bpmn("startEvent:s task:X task:Y endEvent:e", "s>X X>Y Y>e", pid="Sub")
    m = bpmn(
        "startEvent:S task:A task:B endEvent:E",
        "S>A A>C C>B B>E",
        extra='<callActivity id="C" calledElement="Sub"/>',
    )
    assert lang(m, catalog={"Sub": callee}) == {("A", "X", "Y", "B")}

    class Entry:
        model = callee

    assert lang(m, catalog={"Sub": Entry()}) == {("A", "X", "Y", "B")}
    with pytest.raises(TranslationError, match=r"element C.*'Sub'"):
        to_petri_net(m)


def test_recursive_call_activity_refused() -> None:
    m = bpmn("startEvent:S endEvent:E", "S>C C>E", extra='<callActivity id="C" calledElement="P"/>')
    with pytest.raises(TranslationError, match="recursive"):
        to_petri_net(m)


def test_complex_gateway_refused_naming_element() -> None:
    m = bpmn(
        "startEvent:S complexGateway:CX task:A task:B endEvent:E",
        "S>CX CX>A CX>B A>E B>E",
    )
    with pytest.raises(TranslationError, match="CX") as info:
        to_petri_net(m)
    assert info.value.place == "element CX"


def test_collaboration_translates_first_process_with_nodes() -> None:
    xml = (DATA / "collaboration.bpmn").read_bytes()
    m = read_bpmn(xml)
    assert language(to_petri_net(m)) == {("A",)}
    assert language(to_petri_net(m, process="Q")) == {("B",)}
    with pytest.raises(TranslationError):
        to_petri_net(m, process="nope")


def test_to_automaton() -> None:
    m = bpmn("startEvent:S task:A endEvent:E", "S>A A>E")
    rg = to_automaton(m)
    assert rg.finals and rg.n_states >= 3


# -- real files --------------------------------------------------------------------------

REFUSED = {
    "bpmn-js-examples/kitchen-sink.bpmn": "ExclusiveGateway_08cpnyi",
    "miwg-reference/C.9.0.bpmn": "Activity_ManualCheck",
    "miwg-reference/C.9.2.bpmn": "CallActivity_RequestDocument",
}


def test_every_real_file_translates_or_names_the_element(shared_real: Path) -> None:
    files = sorted((shared_real / "bpmn").rglob("*.bpmn"))
    assert files
    for path in files:
        rel = path.relative_to(shared_real / "bpmn").as_posix()
        model = read_bpmn(path)
        if rel in REFUSED:
            with pytest.raises(TranslationError) as info:
                to_petri_net(model)
            assert REFUSED[rel] in str(info.value)
            continue
        if model.read_issues:  # half-finished drawings: refused, naming the element and line
            with pytest.raises(TranslationError) as info:
                to_petri_net(model)
            first = model.read_issues[0]
            assert f"line {first.line}, element {first.element}" in str(info.value), rel
            continue
        if not model.processes:  # an empty canvas
            with pytest.raises(TranslationError, match="no process"):
                to_petri_net(model)
            continue
        if rel.startswith("camunda-training/"):  # drawn by people: a net or a named refusal
            try:
                net = to_petri_net(model)
            except TranslationError as e:
                assert any(i in str(e) for i in model.nodes) or any(
                    i in str(e) for i in model.flows
                ), (rel, str(e))
                continue
            assert net.places and net.transitions, rel
            continue
        net = to_petri_net(model)
        assert net.places and net.transitions, rel


@pytest.mark.pm4py
@pytest.mark.parametrize(
    ("name", "max_len"),
    [("running-example.bpmn", 9), ("SimpleParallel.bpmn", 10), ("receipt.bpmn", 4)],
)
def test_language_equals_pm4py(shared_real: Path, name: str, max_len: int) -> None:
    pm4py = pytest.importorskip("pm4py")
    from fvmprocess.petri import from_pm4py

    path = shared_real / "bpmn" / "pm4py" / name
    ours = to_petri_net(read_bpmn(path), label="name")
    theirs = from_pm4py(*pm4py.convert_to_petri_net(pm4py.read_bpmn(str(path))))
    assert language(ours, max_len) == language(theirs, max_len)
