"""Tests for fvmprocess.petri: the net type, PNML, pm4py conversion and reachability."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from fvmprocess.errors import ConformanceError, PnmlError, UnsafeXmlError
from fvmprocess.petri import (
    PetriNet,
    Transition,
    from_pm4py,
    reachability_graph,
    read_pnml,
    to_pm4py,
    write_pnml,
)
from nets import make_net

DATA = Path(__file__).resolve().parent / "data" / "petri"


PARALLEL = {
    "split": (None, ["i"], ["p1", "p2"]),
    "b": ("B", ["p1"], ["q1"]),
    "c": ("C", ["p2"], ["q2"]),
    "join": (None, ["q1", "q2"], ["o"]),
}


def test_net_structure_helpers() -> None:
    net = make_net("and", PARALLEL)
    assert net.labels == frozenset({"B", "C"})
    assert dict(net.preset("join")) == {"q1": 1, "q2": 1}
    assert dict(net.postset("split")) == {"p1": 1, "p2": 1}
    assert dict(net.preset("p1")) == {"split": 1}
    assert net.transition("b") == Transition("b", "B")
    assert net.transition("split").silent
    assert net.is_workflow_net()


def test_not_a_workflow_net() -> None:
    net = make_net("two_sinks", {"a": ("A", ["i"], ["o"]), "b": ("B", ["i"], ["x"])})
    assert not net.is_workflow_net()


def test_markings_drop_zero_and_net_is_hashable_and_picklable() -> None:
    net = make_net("seq", {"a": ("A", ["i"], ["o"])}, initial={"i": 1, "o": 0})
    assert dict(net.initial_marking) == {"i": 1}
    assert hash(net) == hash(make_net("seq", {"a": ("A", ["i"], ["o"])}))
    assert pickle.loads(pickle.dumps(net)) == net


@pytest.mark.parametrize(
    ("arcs", "message"),
    [
        ((("i", "o", 1),), "must join a known place and a known transition"),
        ((("i", "a", 0),), "expected >= 1"),
        ((("i", "zz", 1),), "must join"),
    ],
)
def test_bad_arcs_are_refused(arcs: tuple[tuple[str, str, int], ...], message: str) -> None:
    with pytest.raises(PnmlError, match=message):
        PetriNet("bad", ("i", "o"), (Transition("a", "A"),), arcs, {"i": 1}, {"o": 1})


def test_marking_on_unknown_place_is_refused() -> None:
    with pytest.raises(PnmlError, match="unknown place 'nope'"):
        PetriNet("bad", ("i",), (), (), {"nope": 1}, {})


def test_reachability_graph_of_parallel_net() -> None:
    rg = reachability_graph(make_net("and", PARALLEL))
    # i | p1 p2 | q1 p2 | p1 q2 | q1 q2 | o
    assert rg.n_states == 6
    assert rg.n_edges == 6
    assert rg.marking(0) == {"i": 1}
    assert [rg.marking(f) for f in rg.finals] == [{"o": 1}]


def test_unbounded_net_is_refused_with_the_growing_place() -> None:
    net = make_net(
        "pump",
        {"gen": ("A", ["i"], ["i", "x"]), "end": ("B", ["i"], ["o"])},
    )
    with pytest.raises(ConformanceError, match=r"net 'pump'.*unbounded.*\['x'\]"):
        reachability_graph(net)


def test_state_limit_and_unreachable_final() -> None:
    many = {f"t{k}": (f"A{k}", [f"p{k}"], [f"q{k}"]) for k in range(12)}
    many["split"] = (None, ["i"], [f"p{k}" for k in range(12)])
    many["join"] = (None, [f"q{k}" for k in range(12)], ["o"])
    with pytest.raises(ConformanceError, match="more than 100 reachable markings"):
        reachability_graph(make_net("wide", many), max_states=100)
    dead = make_net("dead", {"a": ("A", ["i"], ["x"])}, final={"i": 2})
    with pytest.raises(ConformanceError, match=r"final marking .* is not reachable"):
        reachability_graph(dead)


def test_pnml_round_trip(tmp_path: Path) -> None:
    net = PetriNet(
        name="round trip",
        places=("i", "p", "o"),
        transitions=(
            Transition("t1", "Ankomst", element="Task_1"),
            Transition("t2", None),
            Transition("t3", "Åtgärd & bedömning <akut>"),
        ),
        arcs=(
            ("i", "t1", 1),
            ("t1", "p", 2),
            ("p", "t2", 2),
            ("t2", "o", 1),
            ("p", "t3", 2),
            ("t3", "o", 1),
        ),
        initial_marking={"i": 1},
        final_marking={"o": 1},
    )
    path = tmp_path / "net.pnml"
    write_pnml(net, path)
    assert read_pnml(path) == net
    assert read_pnml(path.read_bytes()) == net
    text = path.read_text(encoding="utf-8")
    assert 'type="http://www.pnml.org/version-2009/grammar/pnmlcoremodel"' in text
    assert 'activity="$invisible$"' in text
    assert "<finalmarkings>" in text


def test_read_pm4py_written_pnml() -> None:
    net = read_pnml(DATA / "pm4py_xor_skip.pnml")
    assert net.name == "xor_skip"
    assert set(net.places) == {"source", "p1", "sink"}
    labels = {t.id: t.label for t in net.transitions}
    assert labels == {"a": "A", "b": "B", "c": "C", "skip": None}
    assert dict(net.initial_marking) == {"source": 1}
    assert dict(net.final_marking) == {"sink": 1}
    assert net.is_workflow_net()


@pytest.mark.parametrize("name", ["xxe.pnml", "billion_laughs.pnml"])
def test_hostile_pnml_is_refused(name: str) -> None:
    with pytest.raises(UnsafeXmlError, match="DOCTYPE"):
        read_pnml(DATA / name)


def test_bad_pnml_messages_name_file_and_problem(tmp_path: Path) -> None:
    with pytest.raises(PnmlError, match="cannot read file"):
        read_pnml(tmp_path / "missing.pnml")
    with pytest.raises(PnmlError, match="not well-formed XML"):
        read_pnml(b"<pnml><net>")
    with pytest.raises(PnmlError, match="expected <pnml>"):
        read_pnml(b"<petri/>")
    bad = tmp_path / "bad.pnml"
    bad.write_bytes(
        b'<pnml><net id="n"><page id="p"><place id="i"><initialMarking><text>x</text>'
        b"</initialMarking></place></page></net></pnml>"
    )
    with pytest.raises(PnmlError, match=r"bad\.pnml, place 'i': .*not an integer"):
        read_pnml(bad)


def test_pm4py_conversion_round_trip() -> None:
    pytest.importorskip("pm4py")
    net = make_net("and", PARALLEL)
    pm, im, fm = to_pm4py(net)
    assert len(pm.places) == 6 and len(pm.transitions) == 4
    back = from_pm4py(pm, im, fm)
    assert back.labels == net.labels
    assert set(back.places) == set(net.places)
    assert set(back.arcs) == set(net.arcs)
    assert dict(back.initial_marking) == {"i": 1}
    assert dict(back.final_marking) == {"o": 1}
