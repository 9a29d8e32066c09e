"""resolve_process: every accepted input shape gives the same ResolvedProcess."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from fvmprocess.bpmn.reader import read_bpmn
from fvmprocess.catalog import catalog
from fvmprocess.errors import CatalogError
from fvmprocess.petri import PetriNet, read_pnml
from fvmprocess.process import ResolvedProcess, resolve_process

DATA = Path(__file__).resolve().parent / "data"
MODELS = Path(__file__).resolve().parents[1] / "models"


def test_catalogue_id_and_entry_resolve_alike() -> None:
    by_id = resolve_process("akutmottagning")
    entry = catalog()["akutmottagning"]
    by_entry = resolve_process(entry)
    for p in (by_id, by_entry):
        assert p.kind == "standard"
        assert p.id == "akutmottagning"
        assert p.standard is entry
        assert p.model is entry.model
        assert p.version == entry.version
        assert p.name == entry.name("sv") and p.name_en == entry.name("en")
        assert [t.id for t in p.time_limits] == [t.id for t in entry.time_limits]
    assert by_id.net.labels == by_entry.net.labels
    # the labels are the BPMN's (Swedish name, English fvm:label), as the catalogue gives them
    act = entry.activities[0]
    assert by_id.labels[act.id] == act.name
    assert by_id.label(act.id, "en") == act.name.en
    assert by_id.label("not-an-activity") == "not-an-activity"


def test_limit_from_a_start_event_counts_from_the_first_event() -> None:
    p = resolve_process("remiss_vardgaranti")
    entry = catalog()["remiss_vardgaranti"]
    declared = {t.id: t.from_activity for t in entry.time_limits}
    resolved = {t.id: t.from_activity for t in p.time_limits}
    starts = {k for k, v in declared.items() if v in p.start_events}
    assert starts, "the fixture needs a limit from a start event"
    for k in declared:
        assert resolved[k] == (None if k in starts else declared[k])


@pytest.mark.parametrize("as_path", [False, True])
def test_bpmn_path(as_path: bool) -> None:
    path = MODELS / "akutmottagning.bpmn"
    p = resolve_process(path if as_path else str(path))
    model = read_bpmn(path)
    assert p.kind == "bpmn" and p.standard is None
    assert p.id == model.process().id and p.name == model.process().name
    assert p.source == str(path)
    assert p.time_limits == ()
    assert p.net.labels == resolve_process(model).net.labels
    assert set(p.labels) == {n.id for n in model.nodes.values() if n.is_activity}
    assert "StartEvent_Ankomst" in p.start_events


@pytest.mark.parametrize("as_path", [False, True])
def test_pnml_path_and_net(as_path: bool) -> None:
    path = DATA / "hostile" / "valid.pnml"
    p = resolve_process(path if as_path else str(path))
    assert p.kind == "petri" and p.model is None and p.standard is None
    assert p.id == "valid" and p.source == "valid.pnml"
    assert p.net.labels == read_pnml(path).labels
    net = read_pnml(path)
    q = resolve_process(net)
    assert q.net is net and q.id == net.name and q.source is None


def test_net_is_compiled_once_and_only_when_asked() -> None:
    p = resolve_process(MODELS / "sepsis_akut.bpmn")
    assert "net" not in p.__dict__  # drawing a model never needs its net
    assert isinstance(p.net, PetriNet)
    assert p.net is p.net


def test_resolved_is_frozen() -> None:
    p = resolve_process("akutmottagning")
    assert isinstance(p, ResolvedProcess)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.id = "x"  # type: ignore[misc]


def test_custom_catalogue(tmp_path: Path) -> None:
    cat = catalog(MODELS)
    assert resolve_process("hoftfraktur", catalog=cat).standard is cat["hoftfraktur"]
    with pytest.raises(CatalogError, match="no standard process 'nope'"):
        resolve_process("nope", catalog=cat)


def test_unknown_type_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot resolve a process from int"):
        resolve_process(42)  # type: ignore[arg-type]
