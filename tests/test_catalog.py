"""Tests for the catalogue of standard care processes (models/ + fvmprocess.catalog)."""

from __future__ import annotations

import itertools
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from lxml import etree

from fvmprocess._shared.durations import parse_duration
from fvmprocess.catalog import Catalog, StandardProcess, catalog, default_models_dir
from fvmprocess.catalog.health import check_process
from fvmprocess.errors import CatalogError

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
SHARED = Path(os.environ.get("FVM_SHARED", ROOT.parent / "shared"))
XSD_DIR = ROOT / "src" / "fvmprocess" / "bpmn" / "xsd"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {
    "bpmn": BPMN,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
TASKS = {"task", "userTask", "manualTask", "serviceTask", "sendTask", "receiveTask"}
FLOW_NODES = TASKS | {
    "subProcess",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
}
CAT = catalog(MODELS)
IDS = CAT.ids()


def _tree(p: StandardProcess) -> etree._ElementTree:
    return etree.parse(str(p.path))


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _elements(p: StandardProcess) -> dict[str, etree._Element]:
    return {
        el.get("id", ""): el
        for el in _tree(p).iter()
        if isinstance(el.tag, str) and el.get("id") and etree.QName(el).namespace == BPMN
    }


def _bounds(p: StandardProcess) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for shape in _tree(p).iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        assert b is not None
        out[shape.get("bpmnElement", "")] = tuple(
            float(b.get(k, "nan")) for k in ("x", "y", "width", "height")
        )
    return out  # type: ignore[return-value]


# ---- the catalogue as a whole ------------------------------------------------------------------


def test_at_least_twelve_processes() -> None:
    assert len(CAT) >= 12
    assert len(list(CAT)) == len(CAT) == len(IDS)
    assert all(isinstance(p, StandardProcess) for p in CAT)
    assert sorted(IDS) == IDS


def test_default_catalogue_is_the_repository_models_and_cached() -> None:
    assert default_models_dir().resolve() == MODELS.resolve()
    assert catalog() is catalog()
    assert catalog().ids() == IDS


def test_unknown_id_raises_catalog_error_listing_known_ids() -> None:
    with pytest.raises(CatalogError) as exc:
        CAT["no_such_process"]
    assert "no_such_process" in str(exc.value)
    assert "akutmottagning" in str(exc.value)
    assert isinstance(exc.value, LookupError)
    assert CAT.get("no_such_process") is None
    assert "no_such_process" not in CAT


def test_standard_process_accessors() -> None:
    ed = CAT["akutmottagning"]
    assert ed.id == "akutmottagning"
    assert ed.version == "1.0.0"
    assert ed.name() == ed.name("sv") == "Akutmottagning – patientflöde"
    assert ed.name("en") == "Emergency department patient flow"
    assert ed.activity("Activity_Triage").name.sv == "Triage enligt RETTS"
    assert ed.path == MODELS / "akutmottagning.bpmn"
    with pytest.raises(CatalogError, match="Activity_Nope"):
        ed.activity("Activity_Nope")


def test_model_is_read_lazily_with_the_bpmn_reader() -> None:
    p = CAT["sepsis_akut"]
    model = p.model
    assert model is p.model  # cached
    ids = set(model.nodes)
    assert set(p.metadata.activities) <= ids


# ---- metadata against the BPMN ----------------------------------------------------------------


@pytest.mark.parametrize("pid", IDS)
def test_metadata_matches_bpmn(pid: str) -> None:
    p = CAT[pid]
    assert check_process(p) == []
    els = _elements(p)
    bpmn_tasks = {i for i, el in els.items() if _local(el) in TASKS}
    listed = set(p.metadata.activities)
    assert bpmn_tasks <= listed
    assert [a.id for a in p.activities] == list(p.metadata.activities)  # in BPMN order
    for a in p.activities:
        assert _local(els[a.id]) in TASKS | {"subProcess"}
        assert els[a.id].get("name") == a.name.sv
        assert 8 <= len(bpmn_tasks) <= 30


@pytest.mark.parametrize("pid", IDS)
def test_time_limits_reference_model_and_are_positive(pid: str) -> None:
    p = CAT[pid]
    els = _elements(p)
    assert p.metadata.sources, "every process names its sources"
    for t in p.time_limits:
        assert _local(els[t.from_activity]) in TASKS | {"subProcess", "startEvent"}
        assert _local(els[t.to_activity]) in TASKS | {"subProcess"}
        assert t.duration > timedelta(0) or t.counting == "calendar_days"
        assert t.duration >= timedelta(0)
        assert t.source.strip()
        assert t.target_share is None or 0 < t.target_share <= 1
        if t.target_share is None:
            assert t.target_note, f"{t.id}: a missing target share must be explained"
    for v in p.variations:
        assert set(v.allowed_skips) <= set(p.metadata.activities)


REQUIRED = {
    # process id: {(from, to): max duration}
    "akutmottagning": {
        ("Activity_Registrering", "Activity_Lakarbedomning"): timedelta(minutes=60),
        ("Activity_Registrering", "Activity_Avslut"): timedelta(hours=4),
    },
    "sepsis_akut": {("Activity_Triage", "Activity_Antibiotika"): timedelta(hours=1)},
    "stroke_trombolys": {("Activity_Ankomst", "Activity_Trombolys"): timedelta(minutes=30)},
    "hoftfraktur": {("Activity_Ankomst", "Activity_Operation"): timedelta(hours=24)},
    "svf_brostcancer": {
        ("Activity_ValgrundadMisstanke", "Activity_StartBehandling"): timedelta(days=35)
    },
    "in_utskrivning": {
        ("Activity_Inskrivning", "Activity_Inskrivningsmeddelande"): timedelta(hours=24),
        ("Activity_MeddelandeUtskrivningsklar", "Activity_KallelseSIP"): timedelta(days=3),
    },
    "remiss_vardgaranti": {
        ("StartEvent_Kontakt", "Activity_Kontakt"): timedelta(0),
        ("Activity_Vardbehov", "Activity_MedicinskBedomning"): timedelta(days=3),
        ("Activity_SkickaRemiss", "Activity_ForstaBesok"): timedelta(days=90),
        ("Activity_Behandlingsbeslut", "Activity_Behandling"): timedelta(days=90),
    },
    "elektiv_kirurgi": {("Activity_Operationsanmalan", "Activity_Ingrepp"): timedelta(days=90)},
    "svf_tjocktarmscancer": {},
    "oppenvardsbesok": {},
    "lakemedelsprocess": {},
}


@pytest.mark.parametrize("pid", sorted(REQUIRED))
def test_required_processes_have_their_key_limits(pid: str) -> None:
    p = CAT[pid]
    limits = {(t.from_activity, t.to_activity): t.duration for t in p.time_limits}
    for key, expected in REQUIRED[pid].items():
        assert limits.get(key) == expected, f"{pid}: {key}"


def test_svf_targets_and_codes() -> None:
    breast = CAT["svf_brostcancer"]
    (lead,) = breast.time_limits
    assert lead.target_share == 0.8 and lead.counting == "calendar_days"
    assert breast.activity("Activity_ValgrundadMisstanke").codes == ("VG910",)
    assert "VG950" in breast.activity("Activity_StartBehandling").codes
    colo = CAT["svf_tjocktarmscancer"]
    assert colo.activity("Activity_ValgrundadMisstanke").codes == ("VB210",)
    assert {t.max_duration for t in colo.time_limits} == {"P46D", "P60D"}
    assert CAT["hoftfraktur"].time_limits[0].target_share == 0.75
    ed = {t.id: t for t in CAT["akutmottagning"].time_limits}
    assert ed["TL_Total"].target_share == 0.9


def test_medication_process_has_hslf_activities() -> None:
    names = {a.name.sv for a in CAT["lakemedelsprocess"].activities}
    assert {"Ordination", "Iordningställande", "Administrering", "Överlämnande"} <= names
    assert any("Uppföljning" in n for n in names)


def test_elective_surgery_checklist_inside_a_subprocess_in_order() -> None:
    p = CAT["elektiv_kirurgi"]
    sub = _elements(p)["SubProcess_Operation"]
    assert _local(sub) == "subProcess"
    inner = [el.get("id") for el in sub if _local(el) in TASKS]
    order = [inner.index(i) for i in ("Activity_SignIn", "Activity_TimeOut", "Activity_SignOut")]
    assert order == sorted(order)


# ---- BPMN structure and DI --------------------------------------------------------------------


@pytest.mark.parametrize("pid", IDS)
def test_model_branches_and_is_not_a_straight_line(pid: str) -> None:
    p = CAT[pid]
    root = _tree(p).getroot()
    gateways = [
        el for el in root.iter() if isinstance(el.tag, str) and _local(el).endswith("Gateway")
    ]
    assert gateways
    flows = root.findall(".//bpmn:sequenceFlow", NS)
    out_degree: dict[str, int] = {}
    for f in flows:
        out_degree[f.get("sourceRef", "")] = out_degree.get(f.get("sourceRef", ""), 0) + 1
    assert max(out_degree.values()) > 1
    assert root.get("exporter") == "fvmprocess"
    assert root.get("targetNamespace")


@pytest.mark.parametrize("pid", IDS)
def test_exclusive_splits_have_conditions_or_default(pid: str) -> None:
    root = _tree(CAT[pid]).getroot()
    flows = {f.get("id"): f for f in root.iterfind(".//bpmn:sequenceFlow", NS)}
    for gw in root.iterfind(".//bpmn:exclusiveGateway", NS):
        outs = [f for f in flows.values() if f.get("sourceRef") == gw.get("id")]
        if len(outs) < 2:
            continue
        assert gw.get("name"), gw.get("id")
        for f in outs:
            ce = f.find("bpmn:conditionExpression", NS)
            assert f.get("id") == gw.get("default") or ce is not None, f.get("id")
            assert f.get("name")


@pytest.mark.parametrize("pid", IDS)
def test_di_covers_every_flow_node_and_flow(pid: str) -> None:
    p = CAT[pid]
    root = _tree(p).getroot()
    shapes = _bounds(p)
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN:
            continue
        if _local(el) in FLOW_NODES:
            assert el.get("id") in shapes, el.get("id")
        if _local(el) == "sequenceFlow":
            assert el.get("id") in edges, el.get("id")


@pytest.mark.parametrize("pid", IDS)
def test_no_overlapping_shapes(pid: str) -> None:
    p = CAT[pid]
    els = _elements(p)
    shapes = {k: v for k, v in _bounds(p).items() if _local(els[k]) in FLOW_NODES}

    def contains(outer: str, inner: str) -> bool:
        return any(anc.get("id") == outer for anc in els[inner].iterancestors())

    for a, b in itertools.combinations(shapes, 2):
        if els[a].get("attachedToRef") == b or els[b].get("attachedToRef") == a:
            continue
        if contains(a, b) or contains(b, a):
            continue
        (ax, ay, aw, ah), (bx, by, bw, bh) = shapes[a], shapes[b]
        overlap = ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
        assert not overlap, f"{a} overlaps {b}"


@pytest.mark.parametrize("pid", IDS)
def test_edges_are_orthogonal_and_touch_shape_borders(pid: str) -> None:
    p = CAT[pid]
    shapes = _bounds(p)
    flows = {f.get("id"): f for f in _tree(p).getroot().iterfind(".//bpmn:sequenceFlow", NS)}

    def on_border(pt: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
        x, y, w, h = box
        px, py = pt
        inside_x, inside_y = x <= px <= x + w, y <= py <= y + h
        return (inside_y and px in (x, x + w)) or (inside_x and py in (y, y + h))

    for edge in _tree(p).getroot().iterfind(".//bpmndi:BPMNEdge", NS):
        pts = [
            (float(w.get("x", "0")), float(w.get("y", "0")))
            for w in edge.iterfind("di:waypoint", NS)
        ]
        assert len(pts) >= 2
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            assert x0 == x1 or y0 == y1, edge.get("id")
        flow = flows[edge.get("bpmnElement")]
        assert on_border(pts[0], shapes[flow.get("sourceRef", "")]), edge.get("id")
        assert on_border(pts[-1], shapes[flow.get("targetRef", "")]), edge.get("id")


def test_features_used_across_the_catalogue() -> None:
    kinds: set[str] = set()
    for p in CAT:
        kinds |= {_local(el) for el in _tree(p).getroot().iter() if isinstance(el.tag, str)}
    assert {
        "subProcess",
        "boundaryEvent",
        "timerEventDefinition",
        "messageEventDefinition",
    } <= kinds
    assert {"laneSet", "parallelGateway", "sendTask", "receiveTask", "manualTask"} <= kinds


@pytest.mark.parametrize("pid", IDS)
def test_bpmn_is_valid_against_the_omg_xsd(pid: str) -> None:
    xsd = XSD_DIR / "BPMN20.xsd"
    if not xsd.is_file():
        pytest.skip("the OMG XSDs are not vendored in src/fvmprocess/bpmn/xsd yet")
    schema = _schema(xsd)
    ok = schema.validate(_tree(CAT[pid]))
    assert ok, schema.error_log.last_error


_SCHEMAS: dict[Path, etree.XMLSchema] = {}


def _schema(path: Path) -> etree.XMLSchema:
    if path not in _SCHEMAS:
        _SCHEMAS[path] = etree.XMLSchema(etree.parse(str(path)))
    return _SCHEMAS[path]


# ---- invalid metadata: the catalogue loads the rest, the id's lookup names file and field --------


def _copy_models(tmp_path: Path, pid: str = "hoftfraktur") -> Path:
    for suffix in (".bpmn", ".yaml"):
        shutil.copy(MODELS / f"{pid}{suffix}", tmp_path / f"{pid}{suffix}")
    return tmp_path / f"{pid}.yaml"


def test_bad_duration_names_file_and_field(tmp_path: Path) -> None:
    yml = _copy_models(tmp_path)
    _copy_models(tmp_path, "sepsis_akut")
    data = yaml.safe_load(yml.read_text(encoding="utf-8"))
    data["time_limits"][0]["max_duration"] = "24 timmar"
    yml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cat = Catalog.from_directory(tmp_path)
    assert cat.ids() == ["sepsis_akut"]  # the rest of the catalogue still loads
    (problem,) = cat.problems
    assert problem.file == str(yml) and problem.code == "invalid-metadata"
    assert problem.element == "time_limits[0](TL_Operation24h).max_duration"
    with pytest.raises(CatalogError) as exc:
        cat["hoftfraktur"]
    msg = str(exc.value)
    assert "hoftfraktur.yaml" in msg
    assert "time_limits[0](TL_Operation24h).max_duration" in msg
    assert exc.value.place == "time_limits[0](TL_Operation24h).max_duration"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("owner"), "owner"),
        (lambda d: d.update(version="one"), "version"),
        (lambda d: d["time_limits"][0].update(target_share=1.5), "target_share"),
        (lambda d: d["time_limits"][0].update(max_duration="PT0M"), "time_limits[0]"),
        (lambda d: d["time_limits"][0].pop("source"), "needs a source"),
        (lambda d: d.update(unexpected=1), "unexpected"),
        (lambda d: d.update(name={"sv": "Höft", "en": "Hip"}), "name"),  # labels live in BPMN
        (lambda d: d.update(activities=["Activity_Ankomst"]), "activities"),
    ],
)
def test_invalid_metadata_raises_catalog_error(tmp_path: Path, mutate, field: str) -> None:  # type: ignore[no-untyped-def]
    yml = _copy_models(tmp_path)
    data = yaml.safe_load(yml.read_text(encoding="utf-8"))
    mutate(data)
    yml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cat = catalog(tmp_path)
    assert [f.file for f in cat.problems] == [str(yml)]
    with pytest.raises(CatalogError) as exc:
        cat["hoftfraktur"]
    assert str(yml) in str(exc.value)
    assert field in str(exc.value)


def test_unreadable_yaml_and_missing_partners_are_listed_not_skipped(tmp_path: Path) -> None:
    yml = _copy_models(tmp_path)
    yml.write_text("id: [unclosed", encoding="utf-8")
    cat = Catalog.from_directory(tmp_path)
    (problem,) = cat.problems
    assert problem.code == "unreadable" and problem.unreadable and problem.file == str(yml)
    assert problem.element.startswith("line ")
    with pytest.raises(CatalogError, match=r"hoftfraktur\.yaml"):
        cat["hoftfraktur"]
    yml.unlink()
    cat = Catalog.from_directory(tmp_path)  # a .bpmn without its .yaml
    assert [(f.code, f.file) for f in cat.problems] == [
        ("bpmn-without-metadata", str(tmp_path / "hoftfraktur.bpmn"))
    ]
    assert "models new hoftfraktur" in cat.problems[0].message
    _copy_models(tmp_path)
    (tmp_path / "hoftfraktur.bpmn").unlink()
    cat = Catalog.from_directory(tmp_path)
    assert [f.code for f in cat.problems] == ["metadata-without-bpmn"]
    with pytest.raises(CatalogError, match="missing"):
        cat["hoftfraktur"]
    with pytest.raises(CatalogError, match="not found"):
        Catalog.from_directory(tmp_path / "nope")


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    yml = _copy_models(tmp_path)
    yml.write_text(yml.read_text(encoding="utf-8") + "owner: twice\n", encoding="utf-8")
    (problem,) = Catalog.from_directory(tmp_path).problems
    assert problem.code == "unreadable" and "owner" in problem.message


def test_id_must_match_file_name(tmp_path: Path) -> None:
    yml = _copy_models(tmp_path)
    yml.rename(tmp_path / "annan.yaml")
    (tmp_path / "hoftfraktur.bpmn").rename(tmp_path / "annan.bpmn")
    cat = Catalog.from_directory(tmp_path)
    assert [(f.code, f.element) for f in cat.problems] == [("id-mismatch", "id")]
    with pytest.raises(CatalogError, match="does not match"):
        cat["annan"]


# ---- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT60M", timedelta(minutes=60)),
        ("PT4H", timedelta(hours=4)),
        ("P35D", timedelta(days=35)),
        ("P1W", timedelta(days=7)),
        ("P1DT2H30M", timedelta(days=1, hours=2, minutes=30)),
        ("PT0.5S", timedelta(seconds=0.5)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "P", "PT", "P1M", "P1Y", "4h", "PT-1H"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_calendar_day_limits_compare_local_dates() -> None:
    zone = "Europe/Stockholm"  # naive datetimes are local time in the zone
    same_day = CAT["remiss_vardgaranti"].time_limit("TL_Kontakt")
    assert not same_day.is_late(
        datetime(2025, 3, 1, 8), datetime(2025, 3, 1, 23, 59), timezone=zone
    )
    assert same_day.is_late(datetime(2025, 3, 1, 23), datetime(2025, 3, 2, 0, 30), timezone=zone)
    three = CAT["in_utskrivning"].time_limit("TL_KallelseSIP")
    assert not three.is_late(datetime(2025, 3, 1, 23), datetime(2025, 3, 4, 22), timezone=zone)
    assert three.is_late(datetime(2025, 3, 1, 8), datetime(2025, 3, 5, 7), timezone=zone)
    ed = CAT["akutmottagning"].time_limit("TL_Lakare")
    assert not ed.is_late(datetime(2025, 3, 1, 8), datetime(2025, 3, 1, 9), timezone=zone)
    assert ed.is_late(datetime(2025, 3, 1, 8), datetime(2025, 3, 1, 9, 1), timezone=zone)


# ---- cross-check with the domain notes (developer machines only) ------------------------------


def test_sources_and_limits_come_from_the_domain_notes() -> None:
    doc_path = SHARED / "domain" / "care-processes.md"
    if not doc_path.is_file():
        pytest.skip("../shared/domain/care-processes.md is not available on this machine")
    doc = doc_path.read_text(encoding="utf-8")
    for p in CAT:
        for s in p.metadata.sources:
            if s.url:
                assert s.url in doc, f"{p.id}: {s.url} is not a source in the domain notes"
        for a in p.activities:
            for code in a.codes:
                category = code[:3] if code[:2] != "VP" else "VP"
                assert f"| {category} |" in doc or f"`{code}`" in doc or code in doc, code
    for needle in ("35 days", "≤**60 min**", "≤**4 h**", "**24 h**", "**3 days**", "**0–3–90–90**"):
        assert needle in doc


def test_catalogue_docs_show_a_picture_of_every_process() -> None:
    import re

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "catalog.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\((catalog/[^)]+\.svg)\)", text)
    assert len(pictures) >= 12
    for rel in pictures:
        svg = root / "docs" / rel
        assert svg.is_file(), rel
        assert "<svg" in svg.read_text(encoding="utf-8")[:500]


# ---- the BPMN owns structure and labels; the YAML only what BPMN cannot hold --------------------

FVM = "https://fvmprocess.example.invalid/schema/bpmn/1.0"
CAMUNDA = Path(__file__).resolve().parent / "data" / "catalog" / "camunda"
YAML_KEYS = {"id", "version", "status", "valid_from", "owner", "sources", "activities"}
YAML_KEYS |= {"time_limits", "variations"}


@pytest.mark.parametrize("pid", IDS)
def test_labels_live_in_the_bpmn_only(pid: str) -> None:
    p = CAT[pid]
    root = _tree(p).getroot()
    assert root.nsmap.get("fvm") == FVM
    # English labels are fvm:label extension elements, no longer <documentation>
    for el in root.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}manualTask", f"{{{BPMN}}}task"):
        assert el.find(f"{{{BPMN}}}documentation") is None, el.get("id")
    for a in p.activities:
        assert a.name.sv and a.name.en
        assert p.label(a.id) == a.name.sv and p.label(a.id, "en") == a.name.en
    assert p.name("sv") != p.name("en") and p.description("en")
    raw = yaml.safe_load(p.metadata_path.read_text(encoding="utf-8"))
    assert set(raw) <= YAML_KEYS
    assert isinstance(raw["activities"], dict)
    assert all(set(v or {}) <= {"codes"} for v in raw["activities"].values())


def test_english_labels_are_read_from_the_extension_element() -> None:
    ed = CAT["akutmottagning"]
    assert ed.label("Activity_Triage", "en") == "Triage (RETTS)"
    assert ed.label("StartEvent_Ankomst", "en") == "Patient arrives at the ED"
    assert ed.label("no-such-element", "en") == "no-such-element"
    assert ed.activity("Activity_Triage").type == "userTask"
    assert (ed.description("sv") or "").startswith("Patientflödet på akutmottagningen")


@pytest.mark.parametrize("pid", IDS)
def test_bpmn_round_trip_keeps_labels(pid: str, tmp_path: Path) -> None:
    from fvmprocess.bpmn import read_bpmn, write_bpmn
    from fvmprocess.catalog import element_labels, process_text

    model = read_bpmn(MODELS / f"{pid}.bpmn")
    out = tmp_path / f"{pid}.bpmn"
    write_bpmn(model, out)
    again = read_bpmn(out)
    assert element_labels(again) == element_labels(model)
    assert process_text(again) == process_text(model)


@pytest.mark.parametrize("pid", IDS)
def test_yaml_round_trip_is_byte_identical(pid: str) -> None:
    from fvmprocess.catalog.sync import dump_yaml, load_yaml

    path = MODELS / f"{pid}.yaml"
    assert dump_yaml(load_yaml(path)) == path.read_text(encoding="utf-8")


def test_sync_of_a_shipped_model_changes_nothing(tmp_path: Path) -> None:
    from fvmprocess.catalog.sync import sync_metadata

    yml = _copy_models(tmp_path, "svf_brostcancer")
    before = yml.read_bytes()
    res = sync_metadata(yml.with_suffix(".bpmn"), yml)
    assert (res.added, res.removed, res.references, res.written) == ((), (), (), False)
    assert yml.read_bytes() == before


def test_camunda_saved_model_reads_with_new_labels() -> None:
    from fvmprocess.bpmn import read_bpmn
    from fvmprocess.catalog import element_labels

    model = read_bpmn(CAMUNDA / "hoftfraktur.bpmn")
    assert model.exporter == "Camunda Modeler" and (model.exporter_version or "").startswith("5.")
    root = model.xml.getroot()
    assert root.get("{http://camunda.org/schema/modeler/1.0}executionPlatform")
    labels = element_labels(model)
    assert labels["Activity_Rontgen"].sv == "Röntgen höft och bäcken"
    assert labels["Activity_Rontgen"].en == "Hip X-ray"  # the modeller kept fvm:label
    assert labels["Activity_0x3fj2"].sv == labels["Activity_0x3fj2"].en == "Trycksårsbedömning"
    assert model.diagrams[0].shape("Activity_0x3fj2") is not None


# ---- the default catalogue, FVMPROCESS_CATALOG and fvmprocess.catalog(path) --------------------


def test_default_catalogue_honours_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy_models(tmp_path, "sepsis_akut")
    monkeypatch.setenv("FVMPROCESS_CATALOG", str(tmp_path))
    assert catalog().ids() == ["sepsis_akut"]
    from fvmprocess.process import resolve_process

    assert resolve_process("sepsis_akut").source == str(tmp_path / "sepsis_akut.bpmn")
    with pytest.raises(CatalogError, match="akutmottagning"):
        resolve_process("akutmottagning")
    monkeypatch.delenv("FVMPROCESS_CATALOG")
    assert catalog().ids() == IDS


def test_root_catalog_is_callable_even_after_the_package_is_imported(tmp_path: Path) -> None:
    import importlib

    import fvmprocess

    package = importlib.import_module("fvmprocess.catalog")  # sets fvmprocess.catalog = package
    _copy_models(tmp_path, "sepsis_akut")
    assert fvmprocess.catalog(tmp_path).ids() == ["sepsis_akut"]
    assert package.catalog(tmp_path) is fvmprocess.catalog(tmp_path)


def test_cache_sees_a_changed_file(tmp_path: Path) -> None:
    yml = _copy_models(tmp_path)
    first = catalog(tmp_path)
    assert catalog(tmp_path) is first
    text = yml.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0")
    yml.write_text(text + "\n", encoding="utf-8")
    assert catalog(tmp_path)["hoftfraktur"].version == "1.1.0"


def test_docs_catalogue_page_lists_every_process_and_version() -> None:
    text = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    for p in CAT:
        assert f"## {p.id}" in text and f"catalog/{p.id}.svg" in text
        assert f"| {p.version} |" in text and p.name("sv") in text
    assert "VG910" in text and "P35D" in text


def test_every_real_tool_file_gives_labels_and_a_process_name(shared_real: Path) -> None:
    """Any BPMN a tool writes can join a catalogue: labels for every activity, a name."""
    from fvmprocess.bpmn import read_bpmn
    from fvmprocess.catalog import element_labels, process_text

    files = sorted((shared_real / "bpmn").rglob("*.bpmn"))
    assert len(files) >= 150
    for path in files:
        model = read_bpmn(path)
        labels = element_labels(model)
        assert all(labels[n.id].sv for n in model.nodes.values() if n.is_activity), path
        assert process_text(model).name.sv, path
