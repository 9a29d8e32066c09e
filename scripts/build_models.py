"""Build the standard care-process models in ``models/`` from compact Python descriptions.

Each process is described once below (nodes on a grid, flows, lanes, metadata). This script
turns every description into

* ``models/<id>.bpmn`` — BPMN 2.0 XML with full BPMN DI: shape bounds computed from the grid
  cell of each node, orthogonal edge waypoints that start and end on shape borders, and
* ``models/<id>.yaml`` — the process metadata read by :mod:`fvmprocess.catalog`.

With ``--docs`` it also writes ``docs/catalog.md`` from the catalogue.

Usage::

    python scripts/build_models.py            # models/*.bpmn + models/*.yaml
    python scripts/build_models.py --docs     # and docs/catalog.md
    python scripts/build_models.py --check    # fail if models/ differs from the descriptions

Every time limit cites the source named in ``../shared/domain/care-processes.md``; facts marked
[I] there are labelled as assumptions in the metadata.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
DOCS = ROOT / "docs"

# --------------------------------------------------------------------------------------------
# Namespaces and layout constants
# --------------------------------------------------------------------------------------------
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI}
TARGET_NS = "https://fvmprocess.example.invalid/models"

COL_W = 160  # grid column width
ROW_H = 120  # grid row height
X0 = 200  # left edge of column 0 (leaves room for pool and lane labels)
Y0 = 80  # top edge of row 0
POOL_LABEL_W = 30
LANE_LABEL_W = 30

TASKS = ("task", "userTask", "manualTask", "serviceTask", "sendTask", "receiveTask")
GATEWAYS = ("exclusiveGateway", "parallelGateway", "eventBasedGateway")
EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent")
SIZE = {
    **dict.fromkeys(TASKS, (100, 80)),
    **dict.fromkeys(GATEWAYS, (50, 50)),
    **dict.fromkeys((*EVENTS, "boundaryEvent"), (36, 36)),
}


# --------------------------------------------------------------------------------------------
# The compact description
# --------------------------------------------------------------------------------------------
@dataclass
class N:
    """A flow node on the grid (column ``c``, row ``r``)."""

    kind: str
    id: str
    sv: str
    en: str
    c: int
    r: int
    codes: tuple[str, ...] = ()
    timer: str | None = None  # ISO 8601 duration for timer events
    message: str | None = None  # message name for message events
    attached_to: str | None = None  # boundary events
    cancel: bool = True  # boundary events: interrupting?
    children: list[N] = field(default_factory=list)  # subProcess content
    span: tuple[int, int] = (1, 1)  # subProcess: columns, rows
    parent: str | None = None


@dataclass
class F:
    """A sequence flow; ``via_row`` routes it through the middle of that grid row."""

    src: str
    tgt: str
    name: str | None = None
    cond: str | None = None
    default: bool = False
    via_row: float | None = None
    id: str | None = None


@dataclass
class TL:
    """A time limit (metadata only)."""

    id: str
    frm: str
    to: str
    max_duration: str
    target_share: float | None
    source: str
    sv: str
    en: str
    counting: str = "elapsed"
    applies_if: tuple[str, ...] = ()
    applies_unless: tuple[str, ...] = ()
    target_note: str | None = None


@dataclass
class Var:
    """An approved variation (metadata only)."""

    id: str
    sv: str
    en: str
    allowed_skips: tuple[str, ...]
    units: tuple[str, ...] = ()


@dataclass
class Proc:
    """One standard process."""

    id: str
    name: tuple[str, str]
    description: tuple[str, str]
    owner: str
    sources: list[dict[str, str]]
    nodes: list[N]
    flows: list[F]
    lanes: list[tuple[str, str, tuple[int, ...]]] = field(default_factory=list)
    limits: list[TL] = field(default_factory=list)
    variations: list[Var] = field(default_factory=list)
    version: str = "1.0.0"
    status: str = "draft"
    valid_from: str = "2025-01-01"


def task(kind: str, id: str, sv: str, en: str, c: int, r: int, *codes: str) -> N:
    """A task node."""
    return N(kind, id, sv, en, c, r, codes=tuple(codes))


def xor(id: str, sv: str, c: int, r: int, en: str = "") -> N:
    """An exclusive gateway (a split gets a question as its name; a merge none)."""
    return N("exclusiveGateway", id, sv, en or sv, c, r)


def par(id: str, c: int, r: int) -> N:
    """A parallel gateway (unnamed)."""
    return N("parallelGateway", id, "", "", c, r)


def start(id: str, sv: str, en: str, c: int, r: int, *, message: str | None = None) -> N:
    """A start event."""
    return N("startEvent", id, sv, en, c, r, message=message)


def end(id: str, sv: str, en: str, c: int, r: int) -> N:
    """An end event."""
    return N("endEvent", id, sv, en, c, r)


# --------------------------------------------------------------------------------------------
# Sources (titles as named in the domain document)
# --------------------------------------------------------------------------------------------
def src(title: str, url: str | None = None, section: str | None = None) -> dict[str, str]:
    """A source entry."""
    out = {"title": title}
    if url:
        out["url"] = url
    if section:
        out["section"] = section
    return out


DOMAIN = "care-processes.md (fvmprocess domain notes)"
S_VGR_ED = src(
    "VGR analys: Ledtider på akutmottagning",
    "http://analys.vgregion.se/2018/Tillganglighet-till-halso--och-sjukvard/Tillganglighet--vard-i-ratt-tid/Ledtider-pa-akutmottagning/",
    "§3 ED flow",
)
S_VT_ED = src(
    "Väntetider i vården: akutmottagning",
    "https://www.vantetider.se/vantetiderivarden/vantetidsstatistik/akutmottagning.54391.html",
    "§3 ED flow",
)
S_RETTS = src("Predicare: Om RETTS", "https://www.predicare.se/om-retts/", "§3 ED flow")
S_SEPSIS = src(
    "Region Jämtland Härjedalen: Vårdförlopp sepsis",
    "https://vardgivarwebb.regionjh.se/synkad-data/nkkkunskapsstod/vardforlopp/sepsis",
    "§3 Sepsis",
)
S_SEPSIS_AB = src(
    "Legemiddelhandboka T1.10 (antibiotika inom 1 timme)",
    "https://www.legemiddelhandboka.no/legacy/chapter/T1.10",
    "§3 Sepsis",
)
S_STROKE_DTN = src(
    "Socialstyrelsen: Tid mellan ankomst till sjukhus och start av trombolysbehandling",
    "https://roi.socialstyrelsen.se/kvalitetsindikatorer/tid-mellan-ankomst-till-sjukhus-och-start-av-trombolysbehandlingf0a",
    "§3 Stroke",
)
S_STROKE_45 = src("s112: trombolys inom 4,5 timmar", "https://www.s112.se/2015/12/06/", "§3 Stroke")
S_HIP = src(
    "VGR analys: Rörelseorganens sjukdomar (Rikshöft)",
    "https://analys.vgregion.se/2018/medicinsk-kvalitet-programomraden/Rorelseorganens-sjukdomar/rorelseorgan-12/",
    "§3 Hip fracture",
)
S_VG = src(
    "Socialstyrelsen: Vårdgarantin",
    "https://www.socialstyrelsen.se/effektivitet/vardirimligtid/vardgarantin",
    "§4 Vårdgaranti",
)
S_HSL = src(
    "Hälso- och sjukvårdslagen 9 kap. 1–2 §§",
    "https://patientombudsmannen.se/lagar-om-fritt-vardval-och-tillganglig-vard/",
    "§4 Vårdgaranti",
)
S_SKR_VG = src(
    "SKR: Från vilket datum gäller vårdgarantin vid remiss",
    "https://skr.se/skr/halsasjukvard/utvecklingavverksamhet/naravard/tillganglighetprimarvarden/verksamhetsstodutokaduppfoljningiprimarvarden/fragorochsvaromutokaduppfoljningiprimarvarden/faqallmantomrapportering/franvilketdatumgallervardgarantinvidremiss.48081.html",
    "§6 Referrals",
)
S_REMISS_VGR = src(
    "VGR: Remiss inom hälso- och sjukvård (regional medicinsk riktlinje)",
    "https://www.vgregion.se/halsa-och-vard/vardgivarwebben/vardadministration/remittering/",
    "§1, §6 Referrals",
)
S_REMISS_SORM = src(
    "Region Sörmland: Ta emot patient (remisshantering)",
    "https://samverkan.regionsormland.se/for-vardgivare/medicinska-omraden/rehabilitering-habilitering-och-forsakringsmedicin/funktionsnedsattning/ta-emot-patient---habmott/?share=on",
    "§6 Referrals",
)
S_REMISS_STHLM = src(
    "Vårdgivarguiden: Remissregler",
    "https://vardgivarguiden.se/nyheter/2020/maj/remissregler/",
    "§6 Referrals",
)
S_OPPEN = src(DOMAIN, None, "§6 Outpatient visit [I]")
S_HSLF = src(
    "HSLF-FS 2017:37 (Socialstyrelsen)",
    "https://patientsakerhet.socialstyrelsen.se/lagar-och-foreskrifter/foreskrifter-och-handbocker/hslf-fs-201737/",
    "§5 Medication process",
)
S_VHB_LM = src(
    "Vårdhandboken: Läkemedelshantering, översikt",
    "https://www.vardhandboken.se/Skane/vard-och-behandling/lakemedelsbehandling/lakemedelshantering/oversikt/",
    "§5 Medication process",
)
S_TERM = src(
    "Socialstyrelsens termbank: administrering, överlämnande",
    "http://termbank.socialstyrelsen.se/showterm.php?fTid=524",
    "§5 Medication process",
)
S_CLMM = src(
    "ePMA hub: Closed loop medication administration",
    "https://www.epmahub.com/closed-loop-medication-administration",
    "§5 Closed loop",
)
S_LAG = src(
    "Lag (2017:612) om samverkan vid utskrivning från sluten hälso- och sjukvård, prop. 2016/17:106",
    "https://lagen.nu/prop/2016/17:106",
    "§7 Discharge",
)
S_SIP = src(
    "Vårdhandboken: Kallelse till samordnad individuell planering",
    "https://www.vardhandboken.se/Sormland/arbetssatt-och-ansvar/samverkan-och-kommunikation/vardsamverkan/kallelse-till-samordnad-individuell-planering/",
    "§7 Discharge (SFS 2019:979)",
)
S_BETALN = src(
    "Prop. 2017/18:12, övergångsbestämmelse i lagen om samverkan vid utskrivning",
    "https://lagen.nu/prop/2017/18:12?attachment=ny-overgangsbestammelse-i-lagen-om-samverkan-vid-utskrivning-fran-sluten-halso--och-sjukvard.pdf&repo=propregeringen&dir=downloaded",
    "§7 Payment responsibility",
)
S_SAMLA = src(
    "Gemensam riktlinje och rutin för in- och utskrivning samt IT-tjänsten SAMSA",
    "https://www.vardsamverkan.se/organisation/delregionalvardsamverkan/samla/omraden-for-samverkan/samverkan-vid-in--och-utskrivning-fran-sluten-vard/",
    "§1 Published regional process documents",
)
S_OPPLAN = src(
    "Kravspecifikation systemstöd för operationsplanering (Norrbotten, Jämtland)",
    "https://docplayer.se/amp/39392330-Kravspecifikation-kravspecifikation-systemstod-for-operationsplanering-inom-norrbottens-lans-landsting-och-jamtlands-lans-landsting.html",
    "§8 Perioperative flow",
)
S_WHO = src(
    "Manual Checklista för säker kirurgi 2.0",
    "https://docplayer.se/amp/145024378-Manual-checklista-for-saker-kirurgi-2-0.html",
    "§8 WHO checklist",
)
S_SVF_KOD = src(
    "Kodningsvägledning KVÅ-koder SVF (Örebro)",
    "http://docplayer.se/32468223-Kodningsvagledning-kva-koder-svf-standardiserat-vardforlopp-cancer-lathund.html",
    "§2 SVF KVÅ measurement points",
)
S_SVF_MAT = src(
    "RCC: Mätning och kodning i SVF",
    "https://cancercentrum.se/samverkan/vara-uppdrag/kunskapsstyrning/vardforlopp/matning-och-kodning/",
    "§2 SVF KVÅ measurement points",
)
S_SVF_80 = src(
    "RCC Syd: Väntetider i SVF (målnivå 80 %)",
    "https://cancercentrum.se/syd/vara-uppdrag/statistik/svf-statistik/vantetider-i-svf/",
    "§2 SVF lead times",
)
S_BROST = src(
    "RCC: SVF bröstcancer reviderat med nya ledtider (2024-01-24)",
    "https://cancercentrum.se/samverkan/om-oss/nyheter/2024/januari/standardiserat-vardforlopp-for-brostcancer-ar-reviderat--bland-annat-med-nya-ledtider/",
    "§2 SVF lead times: Breast",
)
S_TARM = src(
    "RCC: Indikatorer för uppföljning av SVF tjock- och ändtarmscancer (2018)",
    "https://cancercentrum.se/samverkan/cancerdiagnoser/tjocktarm-andtarm-och-anal/tjock--och-andtarm/vardforlopp-tarm/gallande-vardforlopp/indikatorer-for-uppfoljning-av-standardiserat-vardforlopp",
    "§2 SVF lead times: Colorectal",
)
S_TARM22 = src(
    "RCC: Uppdaterat SVF för tjock- och ändtarmscancer (2022)",
    "https://cancercentrum.se/samverkan/om-oss/nyheter/2022/april/uppdaterat-svf-for-tjock--och-andtarmscancer/",
    "§2 SVF lead times: Colorectal",
)
S_PROSTATA = src(
    "RCC Stockholm Gotland: SVF prostatacancer, redovisning av väntetid",
    "http://www.cancercentrum.se/stockholm-gotland/cancerdiagnoser/prostata/vardforlopp/redovisning-vantetid/",
    "§2 SVF lead times: Prostate",
)
S_MELANOM = src(
    "RCC: Indikatorer för uppföljning av SVF hudmelanom (2017)",
    "https://www.cancercentrum.se/samverkan/cancerdiagnoser/hud-och-ogon/vardforlopp-hud/gallande-vardforlopp/indikatorer-for-uppfoljning2/",
    "§2 SVF lead times: Skin melanoma",
)
S_SVF_START = src(
    "Väntetider i vården: Varje dag räknas",
    "https://www.vantetider.se/veta-mer/Varje-dag-raknas/",
    "§2 SVF generic flow",
)


# --------------------------------------------------------------------------------------------
# Layout: grid -> bounds -> orthogonal waypoints
# --------------------------------------------------------------------------------------------
Box = tuple[float, float, float, float]  # x, y, w, h
Point = tuple[float, float]


def _cell_centre(c: int, r: int) -> Point:
    return X0 + c * COL_W + COL_W / 2, Y0 + r * ROW_H + ROW_H / 2


def _flatten(nodes: Iterable[N], parent: str | None = None) -> list[N]:
    out: list[N] = []
    for n in nodes:
        n.parent = parent
        out.append(n)
        out.extend(_flatten(n.children, n.id))
    return out


class Layout:
    """Bounds of every node and waypoints of every flow of one process."""

    def __init__(self, proc: Proc) -> None:
        self.proc = proc
        self.nodes = {n.id: n for n in _flatten(proc.nodes)}
        self.box: dict[str, Box] = {}
        self.anchor_y: dict[str, float] = {}
        for n in self.nodes.values():
            if n.kind == "boundaryEvent":
                continue
            cx, cy = _cell_centre(n.c, n.r)
            if n.kind == "subProcess":
                cols, rows = n.span
                self.box[n.id] = (
                    X0 + n.c * COL_W + 8,
                    Y0 + n.r * ROW_H + 4,
                    cols * COL_W - 16,
                    rows * ROW_H - 8,
                )
            else:
                w, h = SIZE[n.kind]
                self.box[n.id] = (cx - w / 2, cy - h / 2, w, h)
            self.anchor_y[n.id] = cy
        for n in self.nodes.values():
            if n.kind != "boundaryEvent":
                continue
            assert n.attached_to is not None
            hx, hy, hw, hh = self.box[n.attached_to]
            below = n.r >= self.nodes[n.attached_to].r
            by = hy + hh if below else hy
            self.box[n.id] = (hx + hw - 43, by - 18, 36, 36)
            self.anchor_y[n.id] = by
        self.waypoints = {self.flow_id(f): self.route(f) for f in self.all_flows()}

    def all_flows(self) -> list[F]:
        return self.proc.flows

    @staticmethod
    def flow_id(f: F) -> str:
        if f.id:
            return f.id
        return f"Flow_{f.src.split('_', 1)[1]}_{f.tgt.split('_', 1)[1]}"

    def centre(self, nid: str) -> Point:
        x, _, w, _ = self.box[nid]
        return x + w / 2, self.anchor_y[nid]

    def route(self, f: F) -> list[Point]:
        s, t = self.nodes[f.src], self.nodes[f.tgt]
        (sx, sy), (tx, ty) = self.centre(s.id), self.centre(t.id)
        bx, by, bw, bh = self.box[s.id]
        tx0, ty0, tw, th = self.box[t.id]
        s_top, s_bot, t_top, t_bot = by, by + bh, ty0, ty0 + th
        t_side = tx0 if tx > sx else tx0 + tw
        if s.kind == "boundaryEvent":
            p0 = (sx, s_bot if ty > sy else s_top)
            if abs(tx - sx) < 0.5:
                return [p0, (tx, t_top if ty > sy else t_bot)]
            return [p0, (sx, ty), (t_side, ty)]
        if f.via_row is not None:
            vy = Y0 + f.via_row * ROW_H + ROW_H / 2
            return [
                (sx, s_top if vy < sy else s_bot),
                (sx, vy),
                (tx, vy),
                (tx, t_top if vy < ty else t_bot),
            ]
        s_side = bx + bw if tx > sx else bx
        if abs(sy - ty) < 0.5:
            return [(s_side, sy), (t_side, ty)]
        down = ty > sy
        if abs(sx - tx) < 0.5:
            return [(sx, s_bot if down else s_top), (tx, t_top if down else t_bot)]
        if s.kind in GATEWAYS:
            return [(sx, s_bot if down else s_top), (sx, ty), (t_side, ty)]
        if t.kind in GATEWAYS:
            return [(s_side, sy), (tx, sy), (tx, t_top if down else t_bot)]
        cols = s.span[0] if s.kind == "subProcess" else 1
        gap = X0 + (s.c + cols) * COL_W if tx > sx else X0 + s.c * COL_W
        return [(s_side, sy), (gap, sy), (gap, ty), (t_side, ty)]

    # ---- quality checks -----------------------------------------------------------------
    def ancestors(self, nid: str) -> set[str]:
        out: set[str] = set()
        p = self.nodes[nid].parent
        while p:
            out.add(p)
            p = self.nodes[p].parent
        return out

    def check(self) -> list[str]:
        """Overlapping shapes, edges through shapes, non-orthogonal edges."""
        problems: list[str] = []
        flow_ids = [self.flow_id(f) for f in self.all_flows()]
        for dup in sorted(
            {i for i in flow_ids if flow_ids.count(i) > 1} | (set(flow_ids) & set(self.nodes))
        ):
            problems.append(f"{self.proc.id}: id {dup} is not unique")
        ids = list(self.box)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if self.nodes[a].attached_to == b or self.nodes[b].attached_to == a:
                    continue
                if a in self.ancestors(b) or b in self.ancestors(a):
                    continue
                if _overlap(self.box[a], self.box[b]):
                    problems.append(f"{self.proc.id}: shapes {a} and {b} overlap")
        for f in self.all_flows():
            pts = self.waypoints[self.flow_id(f)]
            skip = {f.src, f.tgt} | self.ancestors(f.src) | self.ancestors(f.tgt)
            if self.nodes[f.src].attached_to:
                skip.add(self.nodes[f.src].attached_to or "")
            for p, q in itertools.pairwise(pts):
                if p[0] != q[0] and p[1] != q[1]:
                    problems.append(f"{self.proc.id}: {self.flow_id(f)} is not orthogonal")
                for nid, bx in self.box.items():
                    if nid not in skip and _segment_hits(p, q, bx):
                        problems.append(f"{self.proc.id}: {self.flow_id(f)} crosses {nid}")
        return problems


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _segment_hits(p: Point, q: Point, box: Box) -> bool:
    x, y, w, h = box
    x0, x1 = sorted((p[0], q[0]))
    y0, y1 = sorted((p[1], q[1]))
    return x0 < x + w - 1 and x1 > x + 1 and y0 < y + h - 1 and y1 > y + 1


def _label_box(text: str, x: float, y: float, *, width: float = 110) -> Box:
    lines = max(1, -(-len(text) * 6 // int(width)))
    return x, y, width, 14 * lines


# --------------------------------------------------------------------------------------------
# BPMN XML
# --------------------------------------------------------------------------------------------
def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent: etree._Element, ns: str, tag: str, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _q(ns, tag))
    for k, v in attrs.items():
        el.set(k, v)
    return el


def _doc(parent: etree._Element, text: str) -> None:
    if text:
        _sub(parent, BPMN, "documentation").text = text


def _slug(text: str) -> str:
    table = str.maketrans("åäöÅÄÖé", "aaoAAOe")
    return "".join(ch for ch in text.translate(table).title() if ch.isalnum())


def build_xml(proc: Proc) -> tuple[bytes, Layout]:
    """The BPMN document of ``proc`` (and its layout, for checks)."""
    lay = Layout(proc)
    nodes = lay.nodes
    flow_ids = {lay.flow_id(f): f for f in proc.flows}
    incoming: dict[str, list[str]] = {k: [] for k in nodes}
    outgoing: dict[str, list[str]] = {k: [] for k in nodes}
    for fid, f in flow_ids.items():
        outgoing[f.src].append(fid)
        incoming[f.tgt].append(fid)

    defs = etree.Element(_q(BPMN, "definitions"), nsmap=NSMAP)  # type: ignore[arg-type]
    defs.set("id", f"Definitions_{proc.id}")
    defs.set("targetNamespace", TARGET_NS)
    defs.set("exporter", "fvmprocess")
    defs.set("exporterVersion", "0.1.0")
    messages = {n.message: f"Message_{_slug(n.message)}" for n in nodes.values() if n.message}
    for name, mid in messages.items():
        _sub(defs, BPMN, "message", id=mid, name=name)
    process_id = f"Process_{proc.id}"
    plane_ref = process_id
    if proc.lanes:
        collab = _sub(defs, BPMN, "collaboration", id=f"Collaboration_{proc.id}")
        _sub(
            collab,
            BPMN,
            "participant",
            id=f"Participant_{proc.id}",
            name=proc.name[0],
            processRef=process_id,
        )
        plane_ref = f"Collaboration_{proc.id}"
    process = _sub(defs, BPMN, "process", id=process_id, name=proc.name[0], isExecutable="false")
    _doc(process, proc.name[1])
    if proc.lanes:
        lane_set = _sub(process, BPMN, "laneSet", id=f"LaneSet_{proc.id}")
        for lane_id, lane_name, rows in proc.lanes:
            lane = _sub(lane_set, BPMN, "lane", id=lane_id, name=lane_name)
            for n in proc.nodes:
                row = nodes[n.attached_to].r if n.attached_to else n.r
                if row in rows:
                    _sub(lane, BPMN, "flowNodeRef").text = n.id

    defaults = {f.src: lay.flow_id(f) for f in proc.flows if f.default}

    def emit(container: etree._Element, members: Sequence[N]) -> None:
        member_ids = {m.id for m in members}
        for n in members:
            el = _sub(container, BPMN, n.kind, id=n.id)
            if n.sv:
                el.set("name", n.sv)
            if n.id in defaults:
                el.set("default", defaults[n.id])
            if n.kind == "boundaryEvent":
                el.set("attachedToRef", n.attached_to or "")
                el.set("cancelActivity", "true" if n.cancel else "false")
            _doc(el, n.en)
            for fid in incoming[n.id]:
                _sub(el, BPMN, "incoming").text = fid
            for fid in outgoing[n.id]:
                _sub(el, BPMN, "outgoing").text = fid
            if n.timer:
                td = _sub(el, BPMN, "timerEventDefinition", id=f"TimerEventDefinition_{n.id}")
                is_date = n.timer.startswith("date:")
                dur = _sub(td, BPMN, "timeDate" if is_date else "timeDuration")
                dur.set(_q(XSI, "type"), "bpmn:tFormalExpression")
                dur.text = n.timer.removeprefix("date:")
            if n.message:
                _sub(
                    el,
                    BPMN,
                    "messageEventDefinition",
                    id=f"MessageEventDefinition_{n.id}",
                    messageRef=messages[n.message],
                )
            if n.kind == "subProcess":
                emit(el, n.children)
        for fid, f in flow_ids.items():
            if f.src in member_ids:
                fl = _sub(container, BPMN, "sequenceFlow", id=fid, sourceRef=f.src, targetRef=f.tgt)
                if f.name:
                    fl.set("name", f.name)
                if f.cond:
                    ce = _sub(fl, BPMN, "conditionExpression")
                    ce.set(_q(XSI, "type"), "bpmn:tFormalExpression")
                    ce.text = f.cond

    emit(process, proc.nodes)
    _diagram(defs, proc, lay, plane_ref)
    xml = etree.tostring(defs, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml, lay


def _bounds(parent: etree._Element, box: Box) -> None:
    x, y, w, h = box
    _sub(parent, DC, "Bounds", x=_n(x), y=_n(y), width=_n(w), height=_n(h))


def _n(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def _diagram(defs: etree._Element, proc: Proc, lay: Layout, plane_ref: str) -> None:
    diagram = _sub(defs, BPMNDI, "BPMNDiagram", id=f"BPMNDiagram_{proc.id}")
    plane = _sub(diagram, BPMNDI, "BPMNPlane", id=f"BPMNPlane_{proc.id}", bpmnElement=plane_ref)
    max_c = max(n.c + (n.span[0] if n.kind == "subProcess" else 1) for n in lay.nodes.values())
    if proc.lanes:
        lane_x = X0 - LANE_LABEL_W - 10
        pool_x = lane_x - POOL_LABEL_W
        right = X0 + max_c * COL_W + 10
        all_rows = [r for _, _, rows in proc.lanes for r in rows]
        pool_y = Y0 + min(all_rows) * ROW_H
        pool_h = (max(all_rows) - min(all_rows) + 1) * ROW_H
        shape = _sub(
            plane,
            BPMNDI,
            "BPMNShape",
            id=f"Participant_{proc.id}_di",
            bpmnElement=f"Participant_{proc.id}",
            isHorizontal="true",
        )
        _bounds(shape, (pool_x, pool_y, right - pool_x, pool_h))
        for lane_id, _, rows in proc.lanes:
            shape = _sub(
                plane,
                BPMNDI,
                "BPMNShape",
                id=f"{lane_id}_di",
                bpmnElement=lane_id,
                isHorizontal="true",
            )
            _bounds(shape, (lane_x, Y0 + min(rows) * ROW_H, right - lane_x, len(rows) * ROW_H))
    edges_at: dict[str, set[str]] = {k: set() for k in lay.nodes}
    for f in proc.flows:
        pts = lay.waypoints[lay.flow_id(f)]
        for nid, p in ((f.src, pts[0]), (f.tgt, pts[-1])):
            x, y, w, h = lay.box[nid]
            edges_at[nid].add("top" if p[1] == y else "bottom" if p[1] == y + h else "side")
    for n in lay.nodes.values():
        shape = _sub(plane, BPMNDI, "BPMNShape", id=f"{n.id}_di", bpmnElement=n.id)
        if n.kind == "exclusiveGateway":
            shape.set("isMarkerVisible", "true")
        if n.kind == "subProcess":
            shape.set("isExpanded", "true")
        box = lay.box[n.id]
        _bounds(shape, box)
        if n.sv and n.kind not in TASKS and n.kind != "subProcess":
            x, y, w, h = box
            cx = x + w / 2
            lb = _label_box(n.sv, 0, 0)
            if n.kind == "boundaryEvent":
                lb = _label_box(n.sv, x + w + 2, y + h - 4)
            elif n.kind in GATEWAYS and "top" not in edges_at[n.id]:
                lb = _label_box(n.sv, cx - 55, y - 6 - _label_box(n.sv, 0, 0)[3])
            elif "bottom" not in edges_at[n.id]:
                lb = _label_box(n.sv, cx - 55, y + h + 6)
            else:
                lb = _label_box(n.sv, x + w + 4, y - 6 - _label_box(n.sv, 0, 0)[3])
            _bounds(_sub(shape, BPMNDI, "BPMNLabel"), lb)
    for f in proc.flows:
        fid = lay.flow_id(f)
        edge = _sub(plane, BPMNDI, "BPMNEdge", id=f"{fid}_di", bpmnElement=fid)
        pts = lay.waypoints[fid]
        for x, y in pts:
            _sub(edge, DI, "waypoint", x=_n(x), y=_n(y))
        if f.name:
            (x0, y0), (x1, y1) = pts[0], pts[1]
            if y0 == y1:  # horizontal first segment: label above it
                lb = _label_box(
                    f.name, min(x0, x1) + 6, y0 - 6 - _label_box(f.name, 0, 0)[3], width=90
                )
            elif len(pts) > 2:  # vertical then horizontal: label above the bend's run
                x2 = pts[2][0]
                lx = x1 + 6 if x2 >= x1 else x1 - 96
                lb = _label_box(f.name, lx, y1 - 6 - _label_box(f.name, 0, 0)[3], width=90)
            else:
                lb = _label_box(f.name, x0 + 6, (y0 + y1) / 2 - 7, width=90)
            _bounds(_sub(edge, BPMNDI, "BPMNLabel"), lb)


# --------------------------------------------------------------------------------------------
# Metadata YAML
# --------------------------------------------------------------------------------------------
def _lt(sv: str, en: str) -> dict[str, str]:
    return {"sv": sv, "en": en}


def build_metadata(proc: Proc) -> dict[str, Any]:
    """The metadata mapping of ``proc`` (as written to ``models/<id>.yaml``)."""
    nodes = _flatten(proc.nodes)
    activities = [
        {"id": n.id, "name": _lt(n.sv, n.en), "codes": list(n.codes)}
        for n in nodes
        if n.kind in TASKS or n.kind == "subProcess"
    ]
    limits: list[dict[str, Any]] = []
    for t in proc.limits:
        item: dict[str, Any] = {
            "id": t.id,
            "from_activity": t.frm,
            "to_activity": t.to,
            "max_duration": t.max_duration,
            "counting": t.counting,
            "target_share": t.target_share,
        }
        if t.target_note:
            item["target_note"] = t.target_note
        if t.applies_if:
            item["applies_if"] = list(t.applies_if)
        if t.applies_unless:
            item["applies_unless"] = list(t.applies_unless)
        item["source"] = t.source
        item["description"] = _lt(t.sv, t.en)
        limits.append(item)
    variations = []
    for v in proc.variations:
        var: dict[str, Any] = {
            "id": v.id,
            "description": _lt(v.sv, v.en),
            "allowed_skips": list(v.allowed_skips),
        }
        if v.units:
            var["units"] = list(v.units)
        variations.append(var)
    return {
        "id": proc.id,
        "version": proc.version,
        "status": proc.status,
        "valid_from": proc.valid_from,
        "name": _lt(*proc.name),
        "description": _lt(*proc.description),
        "owner": proc.owner,
        "sources": proc.sources,
        "activities": activities,
        "time_limits": limits,
        "variations": variations,
    }


def dump_yaml(data: dict[str, Any]) -> str:
    """YAML text with a generated-file header."""
    header = "# Generated by scripts/build_models.py — edit the description there, then rebuild.\n"
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return header + body


# --------------------------------------------------------------------------------------------
# The processes (compact tables: kept out of the formatter)
# --------------------------------------------------------------------------------------------
# fmt: off
U, M, S, SE, R, SV = "userTask", "manualTask", "serviceTask", "sendTask", "receiveTask", "task"
OWNER_AKUT = "Regional processägare akutsjukvård"


def akutmottagning() -> Proc:
    """Emergency department flow (§3)."""
    nodes = [
        start("StartEvent_Ankomst", "Patient anländer till akuten", "Patient arrives at the ED", 0, 0),
        task(U, "Activity_Registrering", "Ankomstregistrering", "Arrival registration", 1, 0),
        task(U, "Activity_Triage", "Triage enligt RETTS", "Triage (RETTS)", 2, 0),
        par("Gateway_TriageFork", 3, 0),
        task(M, "Activity_Provtagning", "Provtagning och EKG enligt triage", "Sampling and ECG as triage recommends", 4, 0),
        task(U, "Activity_Lakarbedomning", "Första läkarbedömning", "First physician assessment", 4, 2),
        par("Gateway_BedomningJoin", 5, 2),
        xor("Gateway_UtredningMerge", "", 6, 2),
        par("Gateway_UtredningFork", 7, 2),
        task(M, "Activity_Behandling", "Behandling och omvårdnad", "Treatment and nursing care", 8, 1),
        task(U, "Activity_Utredning", "Utredning: lab, bild, konsult", "Investigation: lab, imaging, consultation", 8, 3),
        par("Gateway_UtredningJoin", 9, 2),
        task(U, "Activity_Ombedomning", "Ombedömning", "Re-assessment", 10, 2),
        xor("Gateway_BeslutMojligt", "Beslut om fortsatt vård möjligt?", 11, 2, "Can further care be decided?"),
        xor("Gateway_Vardniva", "Fortsatt vård?", 12, 2, "Further care?"),
        task(U, "Activity_Hemgang", "Hemgång med egenvårdsråd", "Discharge home with self-care advice", 13, 1),
        task(U, "Activity_Inlaggning", "Inläggning i slutenvård", "Admission to inpatient care", 13, 2),
        task(U, "Activity_Overflyttning", "Överflyttning till annan vårdgivare", "Transfer to another provider", 13, 3),
        xor("Gateway_VardnivaMerge", "", 14, 2),
        task(U, "Activity_Avslut", "Avslut på akutmottagningen", "Departure from the ED", 15, 2),
        end("EndEvent_Lamnat", "Patienten har lämnat akuten", "Patient has left the ED", 16, 2),
    ]
    flows = [
        F("StartEvent_Ankomst", "Activity_Registrering"),
        F("Activity_Registrering", "Activity_Triage"),
        F("Activity_Triage", "Gateway_TriageFork"),
        F("Gateway_TriageFork", "Activity_Provtagning"),
        F("Gateway_TriageFork", "Activity_Lakarbedomning"),
        F("Activity_Provtagning", "Gateway_BedomningJoin"),
        F("Activity_Lakarbedomning", "Gateway_BedomningJoin"),
        F("Gateway_BedomningJoin", "Gateway_UtredningMerge"),
        F("Gateway_UtredningMerge", "Gateway_UtredningFork"),
        F("Gateway_UtredningFork", "Activity_Behandling"),
        F("Gateway_UtredningFork", "Activity_Utredning"),
        F("Activity_Behandling", "Gateway_UtredningJoin"),
        F("Activity_Utredning", "Gateway_UtredningJoin"),
        F("Gateway_UtredningJoin", "Activity_Ombedomning"),
        F("Activity_Ombedomning", "Gateway_BeslutMojligt"),
        F("Gateway_BeslutMojligt", "Gateway_Vardniva", name="Ja", default=True),
        F("Gateway_BeslutMojligt", "Gateway_UtredningMerge", name="Nej, mer utredning",
          cond="${beslut_mojligt == false}", via_row=2.5, id="Flow_BeslutMojligt_UtredningMerge"),
        F("Gateway_Vardniva", "Activity_Hemgang", name="Hemgång", default=True),
        F("Gateway_Vardniva", "Activity_Inlaggning", name="Inläggning", cond='${vardniva == "inlaggning"}'),
        F("Gateway_Vardniva", "Activity_Overflyttning", name="Överflyttning", cond='${vardniva == "overflyttning"}'),
        F("Activity_Hemgang", "Gateway_VardnivaMerge"),
        F("Activity_Inlaggning", "Gateway_VardnivaMerge"),
        F("Activity_Overflyttning", "Gateway_VardnivaMerge"),
        F("Gateway_VardnivaMerge", "Activity_Avslut"),
        F("Activity_Avslut", "EndEvent_Lamnat"),
    ]
    return Proc(
        id="akutmottagning",
        name=("Akutmottagning – patientflöde", "Emergency department patient flow"),
        description=(
            "Patientflödet på akutmottagningen: ankomst och registrering, triage enligt RETTS, "
            "provtagning parallellt med väntan på och genomförande av första läkarbedömning, "
            "utredning parallellt med behandling med ombedömning tills beslut kan fattas, och "
            "beslut om hemgång, inläggning eller överflyttning. Ordningen är delvis antagen [I].",
            "Patient flow in the emergency department: arrival and registration, RETTS triage, "
            "sampling in parallel with the first physician assessment, investigation in parallel "
            "with treatment with re-assessment until a decision can be made, then discharge home, "
            "admission or transfer. The order is partly assumed [I].",
        ),
        owner=OWNER_AKUT,
        sources=[S_VGR_ED, S_VT_ED, S_RETTS],
        nodes=nodes,
        flows=flows,
        lanes=[
            ("Lane_Sjukskoterska", "Sjuksköterska", (0, 1)),
            ("Lane_Lakare", "Läkare", (2, 3)),
        ],
        limits=[
            TL("TL_Triage", "Activity_Registrering", "Activity_Triage", "PT10M", None,
               "VGR analys: Ledtider på akutmottagning",
               "Tid till triage högst 10 minuter.", "Time to triage at most 10 minutes.",
               target_note="Ingen målnivå angiven i källan / no target share given in the source"),
            TL("TL_Lakare", "Activity_Registrering", "Activity_Lakarbedomning", "PT60M", 0.55,
               "VGR analys: Ledtider på akutmottagning",
               "Tid till läkare högst 60 minuter (ambition ≥ 55 % 2017; nationellt mål: bedömd inom 1 timme).",
               "Time to physician at most 60 minutes (ambition ≥ 55 % in 2017; national goal: assessed within 1 hour)."),
            TL("TL_Total", "Activity_Registrering", "Activity_Avslut", "PT4H", 0.9,
               "VGR analys: Ledtider på akutmottagning",
               "Total vistelsetid på akutmottagningen högst 4 timmar (≥ 90 % till 2018; nationellt mål högst 4 h).",
               "Total time in the ED at most 4 hours (≥ 90 % by 2018; national goal at most 4 h)."),
        ],
        variations=[
            Var("VAR_RodDirekt", "Röd prioritet: läkare omedelbart, provtagning kan ske efter läkarbedömning.",
                "Red priority: physician immediately; sampling may follow the physician assessment.", ()),
            Var("VAR_IngenUtredning", "Enkla besök utan utredning (t.ex. grön/blå prioritet).",
                "Simple visits without investigation (e.g. green/blue priority).", ("Activity_Utredning",)),
        ],
        valid_from="2018-01-01",
    )


def sepsis_akut() -> Proc:
    """Sepsis in the ED (§3 Sepsis)."""
    nodes = [
        start("StartEvent_Misstanke", "Patient med misstänkt infektion", "Patient with suspected infection", 0, 0),
        task(U, "Activity_Triage", "Triage enligt RETTS och NEWS2", "Triage by RETTS and NEWS2", 1, 0),
        xor("Gateway_Kriterier", "RETTS röd eller NEWS2 ≥ 7?", 2, 0, "RETTS red or NEWS2 ≥ 7?"),
        task(U, "Activity_Ordinarie", "Handläggning enligt ordinarie akutflöde", "Handled in the regular ED flow", 3, 1),
        end("EndEvent_Ordinarie", "Ej sepsisförlopp", "No sepsis pathway", 4, 1),
        task(SE, "Activity_Larm", "Sepsislarm, starta vårdförlopp", "Sepsis alert, start care pathway", 3, 0),
        task(U, "Activity_Lakarbedomning", "Läkarbedömning och fokussökning", "Physician assessment and focus search", 4, 0),
        par("Gateway_AtgardFork", 5, 0),
        task(M, "Activity_Blododling", "Blododlingar", "Blood cultures", 6, 0),
        task(M, "Activity_Antibiotika", "Intravenös antibiotika", "Intravenous antibiotics", 7, 0),
        task(M, "Activity_Laktat", "Blodgas med laktat", "Blood gas with lactate", 6, 1),
        task(M, "Activity_Vatska", "Vätskebehandling", "Fluid resuscitation", 7, 1),
        par("Gateway_AtgardJoin", 8, 1),
        xor("Gateway_OvervakningMerge", "", 9, 1),
        task(U, "Activity_Overvakning", "Upprepad bedömning av vitalparametrar", "Repeated vital-sign assessment", 10, 1),
        xor("Gateway_Stabil", "Stabil?", 11, 1, "Stable?"),
        task(U, "Activity_Utokad", "Utökad behandling, IVA-konsult", "Escalated treatment, ICU consultation", 10, 2),
        xor("Gateway_Vardniva", "Fortsatt vård?", 12, 1, "Further care?"),
        task(U, "Activity_IVA", "Inläggning på IVA", "Admission to intensive care", 13, 0),
        task(U, "Activity_Avdelning", "Inläggning på vårdavdelning", "Admission to a ward", 13, 1),
        task(U, "Activity_Avskriven", "Sepsismisstanke avskrivs", "Sepsis suspicion dropped", 13, 2),
        end("EndEvent_IVA", "Vårdförlopp avslutat (IVA)", "Pathway ended (ICU)", 14, 0),
        end("EndEvent_Avdelning", "Vårdförlopp avslutat (avdelning)", "Pathway ended (ward)", 14, 1),
        end("EndEvent_Avskriven", "Vårdförlopp avslutat (avskrivet)", "Pathway ended (dropped)", 14, 2),
    ]
    flows = [
        F("StartEvent_Misstanke", "Activity_Triage"),
        F("Activity_Triage", "Gateway_Kriterier"),
        F("Gateway_Kriterier", "Activity_Larm", name="Ja", cond="${retts == \"rod\" || news2 >= 7}"),
        F("Gateway_Kriterier", "Activity_Ordinarie", name="Nej", default=True),
        F("Activity_Ordinarie", "EndEvent_Ordinarie"),
        F("Activity_Larm", "Activity_Lakarbedomning"),
        F("Activity_Lakarbedomning", "Gateway_AtgardFork"),
        F("Gateway_AtgardFork", "Activity_Blododling"),
        F("Gateway_AtgardFork", "Activity_Laktat"),
        F("Activity_Blododling", "Activity_Antibiotika"),
        F("Activity_Laktat", "Activity_Vatska"),
        F("Activity_Antibiotika", "Gateway_AtgardJoin"),
        F("Activity_Vatska", "Gateway_AtgardJoin"),
        F("Gateway_AtgardJoin", "Gateway_OvervakningMerge"),
        F("Gateway_OvervakningMerge", "Activity_Overvakning"),
        F("Activity_Overvakning", "Gateway_Stabil"),
        F("Gateway_Stabil", "Activity_Utokad", name="Nej", cond="${stabil == false}"),
        F("Activity_Utokad", "Gateway_OvervakningMerge"),
        F("Gateway_Stabil", "Gateway_Vardniva", name="Ja", default=True),
        F("Gateway_Vardniva", "Activity_IVA", name="IVA", cond='${vardniva == "iva"}'),
        F("Gateway_Vardniva", "Activity_Avdelning", name="Vårdavdelning", default=True),
        F("Gateway_Vardniva", "Activity_Avskriven", name="Misstanke avskriven", cond="${sepsis_avskriven}"),
        F("Activity_IVA", "EndEvent_IVA"),
        F("Activity_Avdelning", "EndEvent_Avdelning"),
        F("Activity_Avskriven", "EndEvent_Avskriven"),
    ]
    return Proc(
        id="sepsis_akut",
        name=("Sepsis på akutmottagningen", "Sepsis in the emergency department"),
        description=(
            "Nationellt vårdförlopp sepsis från akutmottagningen: startar vid hög triagenivå (RETTS röd "
            "eller NEWS2 ≥ 7) och misstänkt infektion; blododlingar tas före antibiotika, laktat och "
            "vätska parallellt, upprepad bedömning tills patienten är stabil. Slutar när misstanken "
            "avskrivs eller vid inläggning. Antibiotika inom 1 timme är ett antagande [I] (norsk källa).",
            "National sepsis care pathway from the ED: starts at high triage level (RETTS red or "
            "NEWS2 ≥ 7) with suspected infection; blood cultures before antibiotics, lactate and "
            "fluids in parallel, repeated assessment until stable. Ends when the suspicion is dropped "
            "or at admission. Antibiotics within 1 hour is an assumption [I] (Norwegian source).",
        ),
        owner=OWNER_AKUT,
        sources=[S_SEPSIS, S_SEPSIS_AB, S_RETTS],
        nodes=nodes,
        flows=flows,
        limits=[
            TL("TL_Antibiotika", "Activity_Triage", "Activity_Antibiotika", "PT1H", None,
               "Legemiddelhandboka T1.10 (antibiotika inom 1 timme)",
               "Antibiotika inom 1 timme. Antagande [I]: endast norsk källa, svensk text ej verifierad.",
               "Antibiotics within 1 hour. Assumption [I]: Norwegian source only, Swedish text not verified.",
               target_note="Målnivå saknas i källan / no target share in the source"),
        ],
        variations=[
            Var("VAR_LaktatPatientnara", "Laktat analyseras patientnära i samband med blododling.",
                "Lactate measured at the point of care together with blood cultures.", ()),
        ],
    )


def stroke_trombolys() -> Proc:
    """Stroke thrombolysis, door-to-needle (§3 Stroke)."""
    nodes = [
        start("StartEvent_Ankomst", "Patient med strokesymtom anländer", "Patient with stroke symptoms arrives", 0, 1),
        task(U, "Activity_Ankomst", "Ankomstregistrering (strokelarm)", "Arrival registration (stroke alert)", 1, 1),
        task(U, "Activity_Bedomning", "Akut neurologisk bedömning", "Acute neurological assessment", 2, 1),
        par("Gateway_DiagnostikFork", 3, 1),
        task(U, "Activity_DT", "DT hjärna", "CT of the brain", 4, 1),
        task(M, "Activity_Prover", "Akuta blodprover", "Acute blood tests", 4, 2),
        par("Gateway_DiagnostikJoin", 5, 1),
        task(U, "Activity_Indikation", "Bedömning av indikation och kontraindikationer",
             "Assessment of indications and contraindications", 6, 1),
        xor("Gateway_Trombolys", "Trombolys inom 4,5 h från symtomdebut?", 7, 1,
            "Thrombolysis within 4.5 h of symptom onset?"),
        task(M, "Activity_Trombolys", "Start av trombolys", "Start of thrombolysis", 8, 1),
        task(U, "Activity_AnnanBehandling", "Strokebehandling utan trombolys", "Stroke treatment without thrombolysis", 8, 0),
        xor("Gateway_OvervakningMerge", "", 9, 1),
        task(U, "Activity_Overvakning", "Övervakning av neurologstatus och blodtryck",
             "Monitoring of neurological status and blood pressure", 10, 1),
        xor("Gateway_Forsamring", "Neurologisk försämring?", 11, 1, "Neurological deterioration?"),
        task(U, "Activity_AkutDT", "Förnyad DT och läkarbedömning", "Repeat CT and physician assessment", 11, 2),
        task(U, "Activity_Strokeenhet", "Vård på strokeenhet", "Care in a stroke unit", 12, 1),
        end("EndEvent_Strokeenhet", "Patient på strokeenhet", "Patient in stroke unit", 13, 1),
    ]
    flows = [
        F("StartEvent_Ankomst", "Activity_Ankomst"),
        F("Activity_Ankomst", "Activity_Bedomning"),
        F("Activity_Bedomning", "Gateway_DiagnostikFork"),
        F("Gateway_DiagnostikFork", "Activity_DT"),
        F("Gateway_DiagnostikFork", "Activity_Prover"),
        F("Activity_DT", "Gateway_DiagnostikJoin"),
        F("Activity_Prover", "Gateway_DiagnostikJoin"),
        F("Gateway_DiagnostikJoin", "Activity_Indikation"),
        F("Activity_Indikation", "Gateway_Trombolys"),
        F("Gateway_Trombolys", "Activity_Trombolys", name="Ja", cond="${trombolys_indicerad}"),
        F("Gateway_Trombolys", "Activity_AnnanBehandling", name="Nej", default=True),
        F("Activity_Trombolys", "Gateway_OvervakningMerge"),
        F("Activity_AnnanBehandling", "Gateway_OvervakningMerge"),
        F("Gateway_OvervakningMerge", "Activity_Overvakning"),
        F("Activity_Overvakning", "Gateway_Forsamring"),
        F("Gateway_Forsamring", "Activity_AkutDT", name="Ja", cond="${forsamring}"),
        F("Activity_AkutDT", "Gateway_OvervakningMerge"),
        F("Gateway_Forsamring", "Activity_Strokeenhet", name="Nej", default=True),
        F("Activity_Strokeenhet", "EndEvent_Strokeenhet"),
    ]
    return Proc(
        id="stroke_trombolys",
        name=("Stroke – trombolys (dörr till nål)", "Stroke thrombolysis (door to needle)"),
        description=(
            "Akut strokeomhändertagande med trombolys: ankomst, neurologisk bedömning, DT och prover "
            "parallellt, beslut om trombolys (inom 4,5 timmar från symtomdebut) och övervakning med "
            "förnyad bedömning vid försämring. Socialstyrelsens indikator mäter andelen som får "
            "trombolys inom 30 minuter från ankomst; målnivå saknas i källorna.",
            "Acute stroke care with thrombolysis: arrival, neurological assessment, CT and blood tests "
            "in parallel, thrombolysis decision (within 4.5 hours of onset), monitoring with repeat "
            "assessment on deterioration. Socialstyrelsen's indicator measures the share treated "
            "within 30 minutes of arrival; no target share was found in the sources.",
        ),
        owner=OWNER_AKUT,
        sources=[S_STROKE_DTN, S_STROKE_45],
        nodes=nodes,
        flows=flows,
        limits=[
            TL("TL_DorrTillNal", "Activity_Ankomst", "Activity_Trombolys", "PT30M", None,
               "Socialstyrelsen: Tid mellan ankomst till sjukhus och start av trombolysbehandling",
               "Trombolys inom 30 minuter efter ankomst till sjukhus (dörr till nål).",
               "Thrombolysis within 30 minutes of hospital arrival (door to needle).",
               target_note="Målnivå ej funnen (gap); observerad median 55 min nationellt, 42 min i VGR"),
        ],
    )


def hoftfraktur() -> Proc:
    """Hip fracture, surgery within 24 h (§3 Hip fracture)."""
    nodes = [
        start("StartEvent_Ankomst", "Patient med misstänkt höftfraktur", "Patient with suspected hip fracture", 0, 1),
        task(U, "Activity_Ankomst", "Ankomstregistrering och triage", "Arrival registration and triage", 1, 1),
        par("Gateway_AkutFork", 2, 1),
        task(U, "Activity_Rontgen", "Röntgen höft", "Hip X-ray", 3, 0),
        task(M, "Activity_Smartlindring", "Smärtlindring", "Pain relief", 3, 1),
        task(M, "Activity_Provtagning", "Preoperativa prover och EKG", "Pre-operative tests and ECG", 3, 2),
        par("Gateway_AkutJoin", 4, 1),
        task(U, "Activity_Diagnos", "Diagnos och ortopedisk bedömning", "Diagnosis and orthopaedic assessment", 5, 1),
        xor("Gateway_Operation", "Operation indicerad?", 6, 1, "Surgery indicated?"),
        task(U, "Activity_IckeOperativ", "Icke-operativ behandling", "Non-operative treatment", 7, 2),
        task(U, "Activity_Operationsanmalan", "Operationsanmälan", "Surgery request", 7, 1),
        task(U, "Activity_Preop", "Preoperativ bedömning (anestesi)", "Pre-operative (anaesthesia) assessment", 8, 1),
        task(M, "Activity_Operation", "Operation", "Surgery", 9, 1),
        task(M, "Activity_Postop", "Postoperativ vård", "Post-operative care", 10, 1),
        xor("Gateway_RehabMerge", "", 11, 1),
        task(U, "Activity_Mobilisering", "Mobilisering och rehabilitering", "Mobilisation and rehabilitation", 12, 1),
        task(U, "Activity_Utskrivning", "Utskrivning", "Discharge", 13, 1),
        end("EndEvent_Utskriven", "Patienten utskriven", "Patient discharged", 14, 1),
    ]
    flows = [
        F("StartEvent_Ankomst", "Activity_Ankomst"),
        F("Activity_Ankomst", "Gateway_AkutFork"),
        F("Gateway_AkutFork", "Activity_Rontgen"),
        F("Gateway_AkutFork", "Activity_Smartlindring"),
        F("Gateway_AkutFork", "Activity_Provtagning"),
        F("Activity_Rontgen", "Gateway_AkutJoin"),
        F("Activity_Smartlindring", "Gateway_AkutJoin"),
        F("Activity_Provtagning", "Gateway_AkutJoin"),
        F("Gateway_AkutJoin", "Activity_Diagnos"),
        F("Activity_Diagnos", "Gateway_Operation"),
        F("Gateway_Operation", "Activity_Operationsanmalan", name="Ja", default=True),
        F("Gateway_Operation", "Activity_IckeOperativ", name="Nej", cond="${operation_indicerad == false}"),
        F("Activity_Operationsanmalan", "Activity_Preop"),
        F("Activity_Preop", "Activity_Operation"),
        F("Activity_Operation", "Activity_Postop"),
        F("Activity_Postop", "Gateway_RehabMerge"),
        F("Activity_IckeOperativ", "Gateway_RehabMerge"),
        F("Gateway_RehabMerge", "Activity_Mobilisering"),
        F("Activity_Mobilisering", "Activity_Utskrivning"),
        F("Activity_Utskrivning", "EndEvent_Utskriven"),
    ]
    return Proc(
        id="hoftfraktur",
        name=("Höftfraktur", "Hip fracture"),
        description=(
            "Akut omhändertagande av höftfraktur: röntgen, smärtlindring och preoperativa prover "
            "parallellt, operationsbeslut och operation inom 24 timmar, postoperativ vård, "
            "mobilisering och utskrivning. VGR:s målnivå: minst 75 % opererade inom 24 timmar.",
            "Acute hip-fracture care: X-ray, pain relief and pre-operative tests in parallel, "
            "surgery decision and surgery within 24 hours, post-operative care, mobilisation and "
            "discharge. VGR target: at least 75 % operated within 24 hours.",
        ),
        owner="Regional processägare ortopedi",
        sources=[S_HIP],
        nodes=nodes,
        flows=flows,
        limits=[
            TL("TL_Operation24h", "Activity_Ankomst", "Activity_Operation", "PT24H", 0.75,
               "VGR analys: Rörelseorganens sjukdomar (Rikshöft)",
               "Operation inom 24 timmar från ankomst; VGR:s mål ≥ 75 %.",
               "Surgery within 24 hours of arrival; VGR target ≥ 75 %."),
        ],
        variations=[
            Var("VAR_SmartlindringPrehospitalt", "Smärtlindring given prehospitalt av ambulans.",
                "Pain relief given pre-hospital by the ambulance.", ("Activity_Smartlindring",)),
        ],
    )


def remiss_vardgaranti() -> Proc:
    """Referral handling under the care guarantee 0-3-90-90 (§4, §6)."""
    nodes = [
        start("StartEvent_Kontakt", "Patienten söker primärvården", "Patient seeks primary care", 0, 1),
        task(U, "Activity_Kontakt", "Kontakt med primärvården", "Contact with primary care", 1, 1),
        task(U, "Activity_Vardbehov", "Bedömning av vårdbehov", "Assessment of care need", 2, 1),
        xor("Gateway_MedicinskBedomning", "Medicinsk bedömning behövs?", 3, 1, "Medical assessment needed?"),
        task(U, "Activity_Egenvard", "Egenvårdsråd", "Self-care advice", 4, 0),
        end("EndEvent_Egenvard", "Egenvård", "Self-care", 5, 0),
        task(U, "Activity_MedicinskBedomning", "Medicinsk bedömning av legitimerad personal",
             "Medical assessment by licensed staff", 4, 1),
        xor("Gateway_Remiss", "Remiss till specialiserad vård?", 5, 1, "Referral to specialised care?"),
        task(U, "Activity_BehandlingPrimarvard", "Behandling i primärvården", "Treatment in primary care", 6, 2),
        end("EndEvent_Primarvard", "Behandlad i primärvården", "Treated in primary care", 7, 2),
        task(SE, "Activity_SkickaRemiss", "Skicka remiss", "Send referral", 6, 1),
        task(U, "Activity_Registrera", "Registrera remiss", "Register referral", 7, 4),
        task(U, "Activity_Bedoma", "Bedöma remiss", "Assess referral", 8, 4),
        xor("Gateway_Accepteras", "Remissen accepteras?", 9, 4, "Referral accepted?"),
        task(U, "Activity_Avvisa", "Avvisa remiss med motivering", "Reject referral with reasons", 10, 5),
        task(SE, "Activity_SvarAvvisad", "Skicka remissvar till remittent", "Send referral reply to referrer", 11, 5),
        end("EndEvent_Avvisad", "Remiss avslutad", "Referral closed", 12, 5),
        task(U, "Activity_Prioritera", "Prioritera remiss", "Prioritise referral", 10, 4),
        task(SE, "Activity_Bekraftelse", "Skicka remissbekräftelse", "Send referral confirmation", 11, 4),
        xor("Gateway_Prioritet", "Prioritet?", 12, 4, "Priority?"),
        task(U, "Activity_AkutTid", "Boka akut tid", "Book an urgent appointment", 13, 3),
        task(R, "Activity_Vantelista", "Väntelista: vänta på ledig tid", "Waiting list: wait for a slot", 13, 4),
        N("boundaryEvent", "Event_Vardgaranti", "Vårdgarantins 90 dagar passerade", "Care guarantee's 90 days passed",
          13, 5, timer="P90D", attached_to="Activity_Vantelista"),
        task(U, "Activity_AnnanVardgivare", "Erbjud vård hos annan vårdgivare", "Offer care with another provider", 14, 5),
        xor("Gateway_BokningMerge", "", 14, 4),
        task(SE, "Activity_Kallelse", "Skicka kallelse", "Send appointment letter", 15, 4),
        task(U, "Activity_ForstaBesok", "Första besök i specialiserad vård", "First visit in specialised care", 16, 4),
        task(U, "Activity_Behandlingsbeslut", "Beslut om behandling eller åtgärd", "Decision on treatment", 17, 4),
        xor("Gateway_Behandling", "Behandling beslutad?", 18, 4, "Treatment decided?"),
        task(M, "Activity_Behandling", "Start av behandling eller operation", "Start of treatment or surgery", 19, 4),
        end("EndEvent_BehandlingStartad", "Behandling påbörjad", "Treatment started", 20, 4),
        task(SE, "Activity_SvarRemittent", "Svar till remittent och avslut", "Reply to referrer and close", 19, 5),
        end("EndEvent_Avslut", "Vårdkontakt avslutad", "Care episode closed", 20, 5),
    ]
    flows = [
        F("StartEvent_Kontakt", "Activity_Kontakt"),
        F("Activity_Kontakt", "Activity_Vardbehov"),
        F("Activity_Vardbehov", "Gateway_MedicinskBedomning"),
        F("Gateway_MedicinskBedomning", "Activity_Egenvard", name="Nej", cond="${medicinsk_bedomning == false}"),
        F("Gateway_MedicinskBedomning", "Activity_MedicinskBedomning", name="Ja", default=True),
        F("Activity_Egenvard", "EndEvent_Egenvard"),
        F("Activity_MedicinskBedomning", "Gateway_Remiss"),
        F("Gateway_Remiss", "Activity_SkickaRemiss", name="Ja", cond="${remiss}"),
        F("Gateway_Remiss", "Activity_BehandlingPrimarvard", name="Nej", default=True),
        F("Activity_BehandlingPrimarvard", "EndEvent_Primarvard"),
        F("Activity_SkickaRemiss", "Activity_Registrera"),
        F("Activity_Registrera", "Activity_Bedoma"),
        F("Activity_Bedoma", "Gateway_Accepteras"),
        F("Gateway_Accepteras", "Activity_Avvisa", name="Nej", cond="${accepterad == false}"),
        F("Gateway_Accepteras", "Activity_Prioritera", name="Ja", default=True),
        F("Activity_Avvisa", "Activity_SvarAvvisad"),
        F("Activity_SvarAvvisad", "EndEvent_Avvisad"),
        F("Activity_Prioritera", "Activity_Bekraftelse"),
        F("Activity_Bekraftelse", "Gateway_Prioritet"),
        F("Gateway_Prioritet", "Activity_AkutTid", name="Akut", cond='${prioritet == "akut"}'),
        F("Gateway_Prioritet", "Activity_Vantelista", name="Ordinarie", default=True),
        F("Event_Vardgaranti", "Activity_AnnanVardgivare"),
        F("Activity_AkutTid", "Gateway_BokningMerge"),
        F("Activity_Vantelista", "Gateway_BokningMerge"),
        F("Activity_AnnanVardgivare", "Gateway_BokningMerge"),
        F("Gateway_BokningMerge", "Activity_Kallelse"),
        F("Activity_Kallelse", "Activity_ForstaBesok"),
        F("Activity_ForstaBesok", "Activity_Behandlingsbeslut"),
        F("Activity_Behandlingsbeslut", "Gateway_Behandling"),
        F("Gateway_Behandling", "Activity_Behandling", name="Ja", cond="${behandling}"),
        F("Gateway_Behandling", "Activity_SvarRemittent", name="Nej", default=True),
        F("Activity_Behandling", "EndEvent_BehandlingStartad"),
        F("Activity_SvarRemittent", "EndEvent_Avslut"),
    ]
    vg = "Socialstyrelsen: Vårdgarantin"
    return Proc(
        id="remiss_vardgaranti",
        name=("Remisshantering och vårdgaranti 0-3-90-90", "Referral handling and care guarantee 0-3-90-90"),
        description=(
            "Från kontakt med primärvården (0 dagar) och medicinsk bedömning (3 dagar) via remiss, "
            "registrering, bedömning, beslut om att acceptera eller avvisa (remissvar skickas alltid), "
            "prioritering och väntelista till första besök i specialiserad vård (90 dagar) och start "
            "av behandling (90 dagar). Överskrids gränsen ordnar regionen vård hos annan vårdgivare "
            "(HSL 9 kap. 2 §). Gränserna räknas i kalenderdagar.",
            "From contact with primary care (0 days) and medical assessment (3 days) via referral, "
            "registration, assessment, accept/reject decision (a reply is always sent), prioritisation "
            "and waiting list to the first specialised-care visit (90 days) and start of treatment "
            "(90 days). If a limit is missed the region arranges care with another provider "
            "(HSL 9:2). Limits are counted in calendar days.",
        ),
        owner="Regional processägare tillgänglighet och remisshantering",
        sources=[S_VG, S_HSL, S_SKR_VG, S_REMISS_VGR, S_REMISS_SORM, S_REMISS_STHLM],
        nodes=nodes,
        flows=flows,
        lanes=[
            ("Lane_Primarvard", "Primärvården", (0, 1, 2)),
            ("Lane_Specialistvard", "Specialiserad vård", (3, 4, 5)),
        ],
        limits=[
            TL("TL_Kontakt", "StartEvent_Kontakt", "Activity_Kontakt", "P0D", 1.0, vg,
               "Kontakt med primärvården samma dag (0).", "Contact with primary care the same day (0).",
               counting="calendar_days", target_note="Lagkrav (HSL 9 kap. 1 §) / statutory"),
            TL("TL_MedicinskBedomning", "Activity_Vardbehov", "Activity_MedicinskBedomning", "P3D", 1.0, vg,
               "Medicinsk bedömning inom 3 dagar; räknas från bedömningen av vårdbehovet (SKR).",
               "Medical assessment within 3 days, counted from the assessment of the care need (SKR).",
               counting="calendar_days", target_note="Lagkrav (HSL 9 kap. 1 §) / statutory"),
            TL("TL_ForstaBesok", "Activity_SkickaRemiss", "Activity_ForstaBesok", "P90D", 1.0, vg,
               "Första besök i specialiserad vård inom 90 dagar från remiss.",
               "First visit in specialised care within 90 days of the referral.",
               counting="calendar_days", target_note="Lagkrav (HSL 9 kap. 1–2 §§) / statutory"),
            TL("TL_Behandling", "Activity_Behandlingsbeslut", "Activity_Behandling", "P90D", 1.0, vg,
               "Behandling eller operation inom 90 dagar från beslut.",
               "Treatment or surgery within 90 days of the decision.",
               counting="calendar_days", target_note="Lagkrav (HSL 9 kap. 1–2 §§) / statutory"),
        ],
        variations=[
            Var("VAR_Egenremiss", "Egenremiss till specialiserad vård (VGR kräver ingen remiss).",
                "Self-referral to specialised care (VGR requires no referral).",
                ("Activity_Kontakt", "Activity_Vardbehov", "Activity_MedicinskBedomning", "Activity_SkickaRemiss")),
        ],
        valid_from="2019-01-01",
    )


def oppenvardsbesok() -> Proc:
    """Outpatient visit (§6, assembled [I])."""
    nodes = [
        start("StartEvent_Vardbegaran", "Remiss eller egenremiss inkommen", "Referral or self-referral received",
              0, 1, message="Remiss eller egenremiss"),
        task(U, "Activity_Bedomning", "Bedömning och prioritering", "Assessment and prioritisation", 1, 1),
        task(U, "Activity_Vantelista", "Placering på väntelista", "Placement on the waiting list", 2, 1),
        xor("Gateway_BokningMerge", "", 3, 1),
        task(SE, "Activity_Bokning", "Bokning och kallelse", "Booking and appointment letter", 4, 1),
        N("intermediateCatchEvent", "Event_Besoksdag", "Bokad besökstid", "Booked appointment time", 5, 1,
          timer="date:${bokad_besokstid}"),
        task(U, "Activity_Ankomst", "Ankomstregistrering och patientavgift", "Arrival registration and patient fee", 6, 1),
        xor("Gateway_Besoksform", "Besöksform?", 7, 1, "Visit type?"),
        task(U, "Activity_FysisktBesok", "Fysiskt besök", "In-person visit", 8, 1),
        task(U, "Activity_Distansbesok", "Besök via telefon eller video", "Phone or video visit", 8, 2),
        xor("Gateway_BesokMerge", "", 9, 1),
        task(U, "Activity_Dokumentation", "Dokumentation med ICD-10-SE och KVÅ", "Documentation with ICD-10-SE and KVÅ", 10, 1),
        xor("Gateway_Fortsattning", "Fortsatt vård?", 11, 1, "Further care?"),
        task(U, "Activity_Aterbesok", "Beslut om återbesök", "Decision on a follow-up visit", 11, 0),
        task(U, "Activity_Behandlingsbeslut", "Behandlingsbeslut", "Treatment decision", 12, 1),
        task(U, "Activity_AvslutaKontakt", "Avsluta vårdkontakten", "Close the care episode", 12, 2),
        xor("Gateway_SvarMerge", "", 13, 1),
        task(SE, "Activity_Remissvar", "Svar eller sammanfattning till remittent", "Reply or summary to the referrer", 14, 1),
        end("EndEvent_Klar", "Besök avslutat", "Visit completed", 15, 1),
    ]
    flows = [
        F("StartEvent_Vardbegaran", "Activity_Bedomning"),
        F("Activity_Bedomning", "Activity_Vantelista"),
        F("Activity_Vantelista", "Gateway_BokningMerge"),
        F("Gateway_BokningMerge", "Activity_Bokning"),
        F("Activity_Bokning", "Event_Besoksdag"),
        F("Event_Besoksdag", "Activity_Ankomst"),
        F("Activity_Ankomst", "Gateway_Besoksform"),
        F("Gateway_Besoksform", "Activity_FysisktBesok", name="Fysiskt", default=True),
        F("Gateway_Besoksform", "Activity_Distansbesok", name="Telefon eller video", cond='${besoksform != "fysiskt"}'),
        F("Activity_FysisktBesok", "Gateway_BesokMerge"),
        F("Activity_Distansbesok", "Gateway_BesokMerge"),
        F("Gateway_BesokMerge", "Activity_Dokumentation"),
        F("Activity_Dokumentation", "Gateway_Fortsattning"),
        F("Gateway_Fortsattning", "Activity_Aterbesok", name="Återbesök", cond='${fortsattning == "aterbesok"}'),
        F("Activity_Aterbesok", "Gateway_BokningMerge"),
        F("Gateway_Fortsattning", "Activity_Behandlingsbeslut", name="Behandling",
          cond='${fortsattning == "behandling"}'),
        F("Gateway_Fortsattning", "Activity_AvslutaKontakt", name="Avslut", default=True),
        F("Activity_Behandlingsbeslut", "Gateway_SvarMerge"),
        F("Activity_AvslutaKontakt", "Gateway_SvarMerge"),
        F("Gateway_SvarMerge", "Activity_Remissvar"),
        F("Activity_Remissvar", "EndEvent_Klar"),
    ]
    return Proc(
        id="oppenvardsbesok",
        name=("Öppenvårdsbesök", "Outpatient visit"),
        description=(
            "Öppenvårdsbesök från remiss eller egenremiss: bedömning och prioritering, väntelista, "
            "bokning och kallelse, ankomstregistrering med patientavgift, fysiskt besök eller besök "
            "via telefon/video, dokumentation med ICD-10-SE och KVÅ, och därefter återbesök (slinga), "
            "behandlingsbeslut (startar vårdgarantins 90 dagar) eller avslut, med svar till remittent. "
            "Flödet är sammanställt ur källorna och därmed ett antagande [I].",
            "Outpatient visit from a referral or self-referral: assessment and prioritisation, waiting "
            "list, booking and appointment letter, arrival registration with patient fee, in-person or "
            "phone/video visit, documentation with ICD-10-SE and KVÅ, then a follow-up visit (loop), a "
            "treatment decision (starts the 90-day guarantee) or closure, with a reply to the referrer. "
            "The flow is assembled from the sources and therefore an assumption [I].",
        ),
        owner="Regional processägare öppenvård",
        sources=[S_OPPEN, S_VG, S_REMISS_VGR],
        nodes=nodes,
        flows=flows,
        limits=[
            TL("TL_ForstaBesok", "StartEvent_Vardbegaran", "Activity_Ankomst", "P90D", 1.0,
               "Socialstyrelsen: Vårdgarantin",
               "Första besök inom 90 dagar från remiss eller egenremiss (första förekomsten).",
               "First visit within 90 days of the referral or self-referral (first occurrence).",
               counting="calendar_days", target_note="Lagkrav (HSL 9 kap. 1 §) / statutory"),
        ],
        variations=[
            Var("VAR_DirektBokning", "Direktbokning utan väntelista när tid finns.",
                "Direct booking without the waiting list when a slot is free.", ("Activity_Vantelista",)),
        ],
        valid_from="2019-01-01",
    )


def lakemedelsprocess() -> Proc:
    """Medication process per HSLF-FS 2017:37 (§5)."""
    nodes = [
        start("StartEvent_Behov", "Behov av läkemedelsbehandling", "Need for drug treatment", 0, 1),
        xor("Gateway_OrdinationMerge", "", 1, 1),
        task(U, "Activity_Ordination", "Ordination", "Order (prescription)", 2, 1),
        task(S, "Activity_Rekvisition", "Rekvisition av läkemedel", "Ward requisition of drugs", 3, 2),
        xor("Gateway_DosMerge", "", 4, 2),
        task(M, "Activity_Iordningstallande", "Iordningställande", "Preparation", 5, 2),
        xor("Gateway_Tillforsel", "Vem tillför läkemedlet?", 6, 2, "Who gives the drug?"),
        task(S, "Activity_Skanning", "Skanning av patientarmband och läkemedel",
             "Bedside scan of wristband and drug barcode", 7, 2),
        task(M, "Activity_Administrering", "Administrering", "Administration", 8, 2),
        task(M, "Activity_Overlamnande", "Överlämnande", "Handing over", 7, 3),
        xor("Gateway_TillforselMerge", "", 9, 2),
        task(U, "Activity_Signering", "Dokumentation av given dos", "Documentation of the given dose", 10, 2),
        xor("Gateway_FlerDoser", "Fler dostillfällen?", 11, 2, "More doses?"),
        N("intermediateCatchEvent", "Event_NastaDos", "Nästa dostillfälle", "Next dose time", 11, 4,
          timer="${dosintervall}"),
        task(U, "Activity_Uppfoljning", "Uppföljning av läkemedelsbehandling", "Follow-up of drug treatment", 12, 2),
        task(U, "Activity_Utvardering", "Läkarens utvärdering", "Physician's evaluation", 13, 1),
        xor("Gateway_Andring", "Ändrad eller ny ordination?", 14, 1, "Changed or new order?"),
        end("EndEvent_Avslutad", "Läkemedelsbehandling avslutad", "Drug treatment ended", 15, 1),
    ]
    flows = [
        F("StartEvent_Behov", "Gateway_OrdinationMerge"),
        F("Gateway_OrdinationMerge", "Activity_Ordination"),
        F("Activity_Ordination", "Activity_Rekvisition"),
        F("Activity_Rekvisition", "Gateway_DosMerge"),
        F("Gateway_DosMerge", "Activity_Iordningstallande"),
        F("Activity_Iordningstallande", "Gateway_Tillforsel"),
        F("Gateway_Tillforsel", "Activity_Skanning", name="Personal administrerar", default=True),
        F("Gateway_Tillforsel", "Activity_Overlamnande", name="Patienten själv", cond="${egen_tillforsel}"),
        F("Activity_Skanning", "Activity_Administrering"),
        F("Activity_Administrering", "Gateway_TillforselMerge"),
        F("Activity_Overlamnande", "Gateway_TillforselMerge"),
        F("Gateway_TillforselMerge", "Activity_Signering"),
        F("Activity_Signering", "Gateway_FlerDoser"),
        F("Gateway_FlerDoser", "Event_NastaDos", name="Ja", cond="${fler_doser}"),
        F("Event_NastaDos", "Gateway_DosMerge"),
        F("Gateway_FlerDoser", "Activity_Uppfoljning", name="Nej", default=True),
        F("Activity_Uppfoljning", "Activity_Utvardering"),
        F("Activity_Utvardering", "Gateway_Andring"),
        F("Gateway_Andring", "Gateway_OrdinationMerge", name="Ja", cond="${ny_ordination}", via_row=0),
        F("Gateway_Andring", "EndEvent_Avslutad", name="Nej", default=True),
    ]
    return Proc(
        id="lakemedelsprocess",
        name=("Läkemedelsprocessen i slutenvård", "Medication process in inpatient care"),
        description=(
            "Läkemedelshantering enligt HSLF-FS 2017:37: ordination (insättning, ändring, utsättning), "
            "rekvisition, iordningställande, administrering eller överlämnande, dokumentation per dos "
            "(slinga per dostillfälle) och uppföljning med ny ordination vid behov (slinga). Den som "
            "iordningställer bör också administrera eller överlämna. Skanning vid sängkanten följer "
            "closed-loop-modellen (CLMM). Den strikta ordningen är ett antagande [I].",
            "Medication handling under HSLF-FS 2017:37: order (start, change, stop), requisition, "
            "preparation, administration or handing over, documentation per dose (loop per dose) and "
            "follow-up with a new order when needed (loop). Whoever prepares should also administer "
            "or hand over. The bedside scan follows the closed-loop model (CLMM). The strict order is "
            "an assumption [I].",
        ),
        owner="Regional processägare läkemedel",
        sources=[S_HSLF, S_VHB_LM, S_TERM, S_CLMM],
        nodes=nodes,
        flows=flows,
        lanes=[
            ("Lane_Lakare", "Läkare", (0, 1)),
            ("Lane_Sjukskoterska", "Sjuksköterska", (2, 3, 4)),
        ],
        variations=[
            Var("VAR_UtanSkanning", "Enheter utan streckkodsskanning vid sängkanten.",
                "Units without bedside barcode scanning.", ("Activity_Skanning",)),
            Var("VAR_Recept", "Ordination via recept i öppenvård: ingen rekvisition.",
                "Order via prescription in outpatient care: no requisition.", ("Activity_Rekvisition",)),
        ],
        valid_from="2018-01-01",
    )


def in_utskrivning() -> Proc:
    """Admission and discharge under lag (2017:612) (§7)."""
    nodes = [
        start("StartEvent_Inskrivning", "Patient skrivs in i slutenvård", "Patient admitted to inpatient care", 0, 1),
        task(U, "Activity_Inskrivning", "Inskrivning i slutenvård", "Admission to inpatient care", 1, 1),
        task(U, "Activity_Stodbehov", "Bedömning av stödbehov efter utskrivning", "Assessment of support needs after discharge", 2, 1),
        xor("Gateway_Stodbehov", "Behov av insatser efter utskrivning?", 3, 1, "Support needed after discharge?"),
        task(SE, "Activity_Inskrivningsmeddelande", "Skicka inskrivningsmeddelande", "Send admission notice", 4, 1),
        task(U, "Activity_VardUtanSamverkan", "Vård och behandling utan samverkan", "Care without coordination", 4, 2),
        par("Gateway_PlaneringFork", 5, 1),
        task(U, "Activity_KommunPlanering", "Kommunen påbörjar planering", "Municipality starts planning", 6, 0),
        task(U, "Activity_Vard", "Vård och behandling", "Care and treatment", 6, 1),
        task(U, "Activity_FastVardkontakt", "Utse fast vårdkontakt", "Appoint a named care contact", 6, 3),
        task(U, "Activity_Utskrivningsklar", "Bedömning utskrivningsklar", "Assessed ready for discharge", 7, 1),
        task(SE, "Activity_MeddelandeUtskrivningsklar", "Skicka meddelande om utskrivningsklar",
             "Send ready-for-discharge notice", 8, 1),
        par("Gateway_UtskrivningsklarFork", 9, 1),
        par("Gateway_SipJoin", 9, 3),
        task(SE, "Activity_KallelseSIP", "Skicka kallelse till SIP", "Send invitation to coordinated planning (SIP)", 10, 3),
        task(U, "Activity_SIP", "Samordnad individuell planering (SIP)", "Coordinated individual planning (SIP)", 11, 3),
        task(U, "Activity_Informationsoverforing", "Informationsöverföring och information till patienten",
             "Information transfer and information to the patient", 10, 1),
        par("Gateway_UtskrivningJoin", 12, 1),
        xor("Gateway_UtskrivningMerge", "", 13, 1),
        task(U, "Activity_Utskrivning", "Utskrivning från slutenvården", "Discharge from inpatient care", 14, 1),
        end("EndEvent_Utskriven", "Patienten utskriven", "Patient discharged", 15, 1),
    ]
    flows = [
        F("StartEvent_Inskrivning", "Activity_Inskrivning"),
        F("Activity_Inskrivning", "Activity_Stodbehov"),
        F("Activity_Stodbehov", "Gateway_Stodbehov"),
        F("Gateway_Stodbehov", "Activity_Inskrivningsmeddelande", name="Ja", cond="${stodbehov}"),
        F("Gateway_Stodbehov", "Activity_VardUtanSamverkan", name="Nej", default=True),
        F("Activity_Inskrivningsmeddelande", "Gateway_PlaneringFork"),
        F("Gateway_PlaneringFork", "Activity_KommunPlanering"),
        F("Gateway_PlaneringFork", "Activity_Vard"),
        F("Gateway_PlaneringFork", "Activity_FastVardkontakt"),
        F("Activity_Vard", "Activity_Utskrivningsklar"),
        F("Activity_Utskrivningsklar", "Activity_MeddelandeUtskrivningsklar"),
        F("Activity_MeddelandeUtskrivningsklar", "Gateway_UtskrivningsklarFork"),
        F("Gateway_UtskrivningsklarFork", "Activity_Informationsoverforing"),
        F("Gateway_UtskrivningsklarFork", "Gateway_SipJoin"),
        F("Activity_FastVardkontakt", "Gateway_SipJoin"),
        F("Gateway_SipJoin", "Activity_KallelseSIP"),
        F("Activity_KallelseSIP", "Activity_SIP"),
        F("Activity_SIP", "Gateway_UtskrivningJoin"),
        F("Activity_Informationsoverforing", "Gateway_UtskrivningJoin"),
        F("Activity_KommunPlanering", "Gateway_UtskrivningJoin"),
        F("Gateway_UtskrivningJoin", "Gateway_UtskrivningMerge"),
        F("Activity_VardUtanSamverkan", "Gateway_UtskrivningMerge"),
        F("Gateway_UtskrivningMerge", "Activity_Utskrivning"),
        F("Activity_Utskrivning", "EndEvent_Utskriven"),
    ]
    lag = "Lag (2017:612) om samverkan vid utskrivning från sluten hälso- och sjukvård, prop. 2016/17:106"
    return Proc(
        id="in_utskrivning",
        name=("In- och utskrivning enligt lag (2017:612)", "Admission and discharge under Act 2017:612"),
        description=(
            "Samverkan vid in- och utskrivning från sluten hälso- och sjukvård: inskrivningsmeddelande "
            "inom 24 timmar när stödbehov förväntas, planering i kommun och primärvård, fast vårdkontakt, "
            "bedömning utskrivningsklar, meddelande om utskrivningsklar, kallelse till SIP inom 3 dagar "
            "(SFS 2019:979), informationsöverföring och utskrivning. SIP-mötet kan hållas efter "
            "utskrivningen [I]; modellen lägger det före (sund modell), en senare SIP syns som flyttad. Kommunens betalningsansvar inträder 3 kalenderdagar efter meddelandet.",
            "Coordination at admission to and discharge from inpatient care: admission notice within "
            "24 hours when support is expected, planning in the municipality and primary care, named "
            "care contact, ready-for-discharge assessment and notice, SIP invitation within 3 days "
            "(SFS 2019:979), information transfer and discharge. The SIP meeting may be held after "
            "discharge [I]; the model puts it before (a sound model), so a later SIP shows as moved. The municipality pays from 3 calendar days after the notice.",
        ),
        owner="Regional processägare samverkan vid in- och utskrivning",
        sources=[S_LAG, S_SIP, S_BETALN, S_SAMLA],
        nodes=nodes,
        flows=flows,
        lanes=[
            ("Lane_Kommun", "Kommunen", (0,)),
            ("Lane_Slutenvard", "Slutenvården", (1, 2)),
            ("Lane_Primarvard", "Primärvården (fast vårdkontakt)", (3,)),
        ],
        limits=[
            TL("TL_Inskrivningsmeddelande", "Activity_Inskrivning", "Activity_Inskrivningsmeddelande", "PT24H", 1.0, lag,
               "Inskrivningsmeddelande inom 24 timmar från inskrivning.",
               "Admission notice within 24 hours of admission.", target_note="Lagkrav / statutory"),
            TL("TL_KallelseSIP", "Activity_MeddelandeUtskrivningsklar", "Activity_KallelseSIP", "P3D", 1.0,
               "Vårdhandboken: Kallelse till samordnad individuell planering",
               "Kallelse till SIP inom 3 dagar från meddelandet om utskrivningsklar (SFS 2019:979).",
               "SIP invitation within 3 days of the ready-for-discharge notice (SFS 2019:979).",
               counting="calendar_days", target_note="Lagkrav / statutory"),
            TL("TL_Betalningsansvar", "Activity_MeddelandeUtskrivningsklar", "Activity_Utskrivning", "P3D", None,
               "Prop. 2017/18:12, övergångsbestämmelse i lagen om samverkan vid utskrivning",
               "Kommunen betalar från 3 kalenderdagar efter meddelandet om utskrivningsklar (30 dagar i "
               "sluten psykiatrisk vård), om inte annat avtalats.",
               "The municipality pays from 3 calendar days after the ready-for-discharge notice (30 days "
               "in closed psychiatric care) unless agreed otherwise.",
               counting="calendar_days",
               target_note="Betalningsansvar, inget krav på andel / payment rule, no target share"),
        ],
        variations=[
            Var("VAR_IngenSIP", "SIP behövs inte när bara regionen eller bara kommunen ger insatser.",
                "No SIP when only the region or only the municipality provides support.",
                ("Activity_KallelseSIP", "Activity_SIP")),
        ],
        valid_from="2018-01-01",
    )


def elektiv_kirurgi() -> Proc:
    """Elective surgery with the WHO checklist (§8)."""
    inner = [
        start("StartEvent_OpStart", "Patienten på operationsavdelningen", "Patient in the operating department", 7, 1),
        task(U, "Activity_SignIn", "Förberedelse anestesi (sign in)", "Sign in before anaesthesia", 8, 1),
        task(M, "Activity_Anestesi", "Anestesiinduktion", "Anaesthesia induction", 9, 1),
        xor("Gateway_TimeOutMerge", "", 10, 1),
        task(U, "Activity_TimeOut", "Kontroll inför op-start (time out)", "Time out before incision", 11, 1),
        xor("Gateway_Kontroller", "Alla kontroller bekräftade?", 12, 1, "All checks confirmed?"),
        task(U, "Activity_Atgarda", "Åtgärda avvikelse", "Resolve deviation", 12, 2),
        task(M, "Activity_Ingrepp", "Kirurgiskt ingrepp", "Surgical procedure", 13, 1),
        task(U, "Activity_SignOut", "Avslutning (sign out)", "Sign out before leaving the theatre", 14, 1),
        end("EndEvent_OpSlut", "Patienten lämnar salen", "Patient leaves the theatre", 15, 1),
    ]
    nodes = [
        start("StartEvent_Beslut", "Beslut om operation", "Decision to operate", 0, 1),
        task(U, "Activity_Operationsanmalan", "Operationsanmälan", "Surgery request", 1, 1),
        xor("Gateway_VantelistaMerge", "", 2, 1),
        task(U, "Activity_Vantelista", "Väntelista", "Waiting list", 3, 1),
        task(SE, "Activity_Kallelse", "Bokning och kallelse", "Booking and appointment letter", 4, 1),
        task(U, "Activity_Planering", "Detaljplanering och preoperativ bedömning", "Detailed planning and pre-operative assessment", 5, 1),
        xor("Gateway_Operationsbar", "Operationsbar?", 6, 1, "Fit for surgery?"),
        N("subProcess", "SubProcess_Operation", "Operation med checklista för säker kirurgi",
          "Surgery with the surgical safety checklist", 7, 1, children=inner, span=(9, 2)),
        task(M, "Activity_Postop", "Postoperativ vård (UVA)", "Post-operative recovery", 16, 1),
        task(U, "Activity_Utskrivning", "Utskrivning", "Discharge", 17, 1),
        end("EndEvent_Klar", "Operation genomförd", "Surgery completed", 18, 1),
    ]
    flows = [
        F("StartEvent_Beslut", "Activity_Operationsanmalan"),
        F("Activity_Operationsanmalan", "Gateway_VantelistaMerge"),
        F("Gateway_VantelistaMerge", "Activity_Vantelista"),
        F("Activity_Vantelista", "Activity_Kallelse"),
        F("Activity_Kallelse", "Activity_Planering"),
        F("Activity_Planering", "Gateway_Operationsbar"),
        F("Gateway_Operationsbar", "SubProcess_Operation", name="Ja", default=True),
        F("Gateway_Operationsbar", "Gateway_VantelistaMerge", name="Nej, ny planering",
          cond="${operationsbar == false}", via_row=0),
        F("StartEvent_OpStart", "Activity_SignIn"),
        F("Activity_SignIn", "Activity_Anestesi"),
        F("Activity_Anestesi", "Gateway_TimeOutMerge"),
        F("Gateway_TimeOutMerge", "Activity_TimeOut"),
        F("Activity_TimeOut", "Gateway_Kontroller"),
        F("Gateway_Kontroller", "Activity_Ingrepp", name="Ja", default=True),
        F("Gateway_Kontroller", "Activity_Atgarda", name="Nej", cond="${kontroller_ok == false}"),
        F("Activity_Atgarda", "Gateway_TimeOutMerge"),
        F("Activity_Ingrepp", "Activity_SignOut"),
        F("Activity_SignOut", "EndEvent_OpSlut"),
        F("SubProcess_Operation", "Activity_Postop"),
        F("Activity_Postop", "Activity_Utskrivning"),
        F("Activity_Utskrivning", "EndEvent_Klar"),
    ]
    return Proc(
        id="elektiv_kirurgi",
        name=("Planerad kirurgi med checklista för säker kirurgi", "Elective surgery with the surgical safety checklist"),
        description=(
            "Planerat operationsflöde: operationsanmälan (startar vårdgarantins 90 dagar), väntelista, "
            "bokning och kallelse, detaljplanering, operation enligt Checklista för säker kirurgi 2.0 "
            "(förberedelse anestesi = sign in, kontroll inför op-start = time out, avslutning = sign out, "
            "i strikt ordning) och postoperativ vård.",
            "Elective surgery: surgery request (starts the 90-day care guarantee), waiting list, booking, "
            "detailed planning, surgery following the Swedish Surgical Safety Checklist 2.0 (sign in, "
            "time out, sign out, in strict order) and post-operative recovery.",
        ),
        owner="Regional processägare operation och anestesi",
        sources=[S_OPPLAN, S_WHO, S_VG],
        nodes=nodes,
        flows=flows,
        limits=[
            TL("TL_Vardgaranti", "Activity_Operationsanmalan", "Activity_Ingrepp", "P90D", 1.0,
               "Socialstyrelsen: Vårdgarantin",
               "Operation inom 90 dagar från beslut (operationsanmälan).",
               "Surgery within 90 days of the decision (surgery request).",
               counting="calendar_days", target_note="Lagkrav (HSL 9 kap. 1 §) / statutory"),
        ],
        variations=[
            Var("VAR_LokalBedovning", "Ingrepp i lokalbedövning utan anestesiinduktion.",
                "Procedures under local anaesthesia without induction.", ("Activity_Anestesi",)),
        ],
        valid_from="2019-01-01",
    )


def _svf_head(cat: str, cancer_sv: str, cancer_en: str) -> tuple[list[N], list[F]]:
    """Suspicion, well-founded-suspicion decision, referral and first visit (columns 0-5)."""
    nodes = [
        start("StartEvent_Misstanke", f"Misstanke om {cancer_sv}", f"Suspected {cancer_en}", 0, 1),
        task(U, "Activity_Misstanke", "Utredning vid misstanke", "Investigation on suspicion", 1, 1),
        xor("Gateway_Kriterier", "Kriterier för välgrundad misstanke uppfyllda?", 2, 1,
            "Criteria for well-founded suspicion met?"),
        task(U, "Activity_EjSVF", "Fortsatt utredning utanför SVF", "Further investigation outside SVF", 3, 2),
        end("EndEvent_EjSVF", "Ej SVF", "Not SVF", 4, 2),
        task(U, "Activity_ValgrundadMisstanke", "Beslut välgrundad misstanke", "Decision: well-founded suspicion",
             3, 1, f"{cat}10"),
        task(SE, "Activity_Remiss", "Remiss till specialiserad vård", "Referral to specialised care", 4, 1),
        task(U, "Activity_ForstaBesok", "Första besök i specialiserad vård", "First visit in specialised care",
             5, 1, f"{cat}25"),
    ]
    flows = [
        F("StartEvent_Misstanke", "Activity_Misstanke"),
        F("Activity_Misstanke", "Gateway_Kriterier"),
        F("Gateway_Kriterier", "Activity_ValgrundadMisstanke", name="Ja", cond="${valgrundad_misstanke}"),
        F("Gateway_Kriterier", "Activity_EjSVF", name="Nej", default=True),
        F("Activity_EjSVF", "EndEvent_EjSVF"),
        F("Activity_ValgrundadMisstanke", "Activity_Remiss"),
        F("Activity_Remiss", "Activity_ForstaBesok"),
    ]
    return nodes, flows


AVSLUT = ("70", "72", "73", "74", "76", "78")
START = ("50", "52", "54", "58", "59")
SVF_OWNER = "Regional processägare cancervård (RCC Väst)"
SVF_DESC_CODES = (
    "Mätpunkter kodas med KVÅ kapitel V ({cat} + tvåsiffrig mätpunkt); koderna för denna "
    "diagnos följer mönstret i kodningsvägledningen [I], alla koder är inte giltiga i alla SVF."
)
SVF_DESC_CODES_EN = (
    "Measurement points are KVÅ chapter V codes ({cat} + two-digit point); the codes for this "
    "diagnosis follow the coding-guide pattern [I]; not every code is valid in every SVF."
)


def svf_brostcancer() -> Proc:
    """SVF breast cancer (§2), KVÅ VG9xx."""
    cat = "VG9"
    nodes, flows = _svf_head(cat, "bröstcancer", "breast cancer")
    nodes += [
        xor("Gateway_UtredningMerge", "", 6, 1),
        task(U, "Activity_Utredning", "Utredning", "Investigation", 7, 1),
        xor("Gateway_Komplett", "Utredning komplett?", 8, 1, "Investigation complete?"),
        task(M, "Activity_KirurgiskDiagnostik", "Kirurgisk åtgärd för diagnostik", "Diagnostic surgery", 8, 0, f"{cat}22"),
        task(U, "Activity_MDK", "Multidisciplinär konferens", "Multidisciplinary conference", 9, 1, f"{cat}35"),
        xor("Gateway_Utfall", "Utfall av MDK?", 10, 1, "MDK outcome?"),
        task(U, "Activity_Avslut", "Avslut av SVF", "SVF closed", 11, 2, *(cat + s for s in AVSLUT)),
        end("EndEvent_Avslut", "SVF avslutat utan behandling", "SVF closed without treatment", 12, 2),
        task(U, "Activity_Diagnosbesked", "Information om diagnos", "Diagnosis given", 11, 1, f"{cat}40"),
        task(U, "Activity_Behandlingsbeslut", "Behandlingsbeslut", "Treatment decision", 12, 1),
        xor("Gateway_Behandling", "Behandling eller exspektans?", 13, 1, "Treatment or expectancy?"),
        task(M, "Activity_StartBehandling", "Start av första behandling", "Start of first treatment", 14, 1,
             *(cat + s for s in START)),
        task(U, "Activity_Exspektans", "Beslut om exspektans", "Decision on expectancy", 14, 2, f"{cat}60"),
        end("EndEvent_Behandling", "SVF avslutat, behandling startad", "SVF ended, treatment started", 15, 1),
        end("EndEvent_Exspektans", "SVF avslutat, exspektans", "SVF ended, expectancy", 15, 2),
    ]
    flows += [
        F("Activity_ForstaBesok", "Gateway_UtredningMerge"),
        F("Gateway_UtredningMerge", "Activity_Utredning"),
        F("Activity_Utredning", "Gateway_Komplett"),
        F("Gateway_Komplett", "Activity_KirurgiskDiagnostik", name="Nej", cond="${utredning_komplett == false}"),
        F("Activity_KirurgiskDiagnostik", "Gateway_UtredningMerge"),
        F("Gateway_Komplett", "Activity_MDK", name="Ja", default=True),
        F("Activity_MDK", "Gateway_Utfall"),
        F("Gateway_Utfall", "Activity_Diagnosbesked", name="Cancer", default=True),
        F("Gateway_Utfall", "Activity_Avslut", name="Avslut", cond="${avslut}"),
        F("Activity_Avslut", "EndEvent_Avslut"),
        F("Activity_Diagnosbesked", "Activity_Behandlingsbeslut"),
        F("Activity_Behandlingsbeslut", "Gateway_Behandling"),
        F("Gateway_Behandling", "Activity_StartBehandling", name="Behandling", default=True),
        F("Gateway_Behandling", "Activity_Exspektans", name="Exspektans", cond="${exspektans}"),
        F("Activity_StartBehandling", "EndEvent_Behandling"),
        F("Activity_Exspektans", "EndEvent_Exspektans"),
    ]
    return Proc(
        id="svf_brostcancer",
        name=("SVF bröstcancer", "Standardised care pathway: breast cancer"),
        description=(
            "Standardiserat vårdförlopp för bröstcancer från beslut välgrundad misstanke (start, VG910) "
            "till start av första behandling (slut). Ledtid 35 kalenderdagar sedan 2024-01-24 (tidigare "
            "28), målnivå ≥ 80 %. Endast start och slut mäts nationellt. " + SVF_DESC_CODES.format(cat=cat),
            "Standardised cancer care pathway for breast cancer from the decision on well-founded "
            "suspicion (start, VG910) to the start of first treatment (end). Lead time 35 calendar days "
            "since 2024-01-24 (previously 28), target ≥ 80 %. Only start and end are measured "
            "nationally. " + SVF_DESC_CODES_EN.format(cat=cat),
        ),
        owner=SVF_OWNER,
        sources=[S_BROST, S_SVF_80, S_SVF_KOD, S_SVF_MAT, S_SVF_START],
        nodes=nodes,
        flows=flows,
        limits=[
            TL("TL_Ledtid", "Activity_ValgrundadMisstanke", "Activity_StartBehandling", "P35D", 0.8,
               "RCC: SVF bröstcancer reviderat med nya ledtider (2024-01-24)",
               "Från välgrundad misstanke till start av första behandling högst 35 kalenderdagar (≥ 80 %).",
               "From well-founded suspicion to start of first treatment at most 35 calendar days (≥ 80 %).",
               counting="calendar_days"),
        ],
        variations=[
            Var("VAR_UtanKirurgiskDiagnostik", "Diagnos utan kirurgisk diagnostik.",
                "Diagnosis without diagnostic surgery.", ("Activity_KirurgiskDiagnostik",)),
        ],
        valid_from="2024-01-24",
    )


def svf_tjocktarmscancer() -> Proc:
    """SVF colorectal cancer (§2), KVÅ VB2xx."""
    cat = "VB2"
    nodes, flows = _svf_head(cat, "tjock- eller ändtarmscancer", "colorectal cancer")
    nodes += [
        task(U, "Activity_Basutredning", "Basutredning", "Basic investigation", 6, 1),
        xor("Gateway_MDKMerge", "", 7, 1),
        task(U, "Activity_MDK", "Multidisciplinär konferens", "Multidisciplinary conference", 8, 1, f"{cat}35"),
        xor("Gateway_Utfall", "Utfall av MDK?", 9, 1, "MDK outcome?"),
        task(U, "Activity_UtokadUtredning", "Utökad basutredning", "Extended investigation", 9, 0),
        task(U, "Activity_Avslut", "Avslut av SVF", "SVF closed", 10, 2, *(cat + s for s in AVSLUT)),
        end("EndEvent_Avslut", "SVF avslutat utan behandling", "SVF closed without treatment", 11, 2),
        task(U, "Activity_Diagnosbesked", "Information om diagnos", "Diagnosis given", 10, 1, f"{cat}40"),
        task(U, "Activity_Behandlingsbeslut", "Behandlingsbeslut", "Treatment decision", 11, 1, f"{cat}44"),
        xor("Gateway_Behandling", "Behandling eller exspektans?", 12, 1, "Treatment or expectancy?"),
        task(M, "Activity_StartBehandling", "Start av första behandling", "Start of first treatment", 13, 1,
             *(cat + s for s in START)),
        task(U, "Activity_Exspektans", "Beslut om exspektans", "Decision on expectancy", 13, 2, f"{cat}60"),
        end("EndEvent_Behandling", "SVF avslutat, behandling startad", "SVF ended, treatment started", 14, 1),
        end("EndEvent_Exspektans", "SVF avslutat, exspektans", "SVF ended, expectancy", 14, 2),
    ]
    flows += [
        F("Activity_ForstaBesok", "Activity_Basutredning"),
        F("Activity_Basutredning", "Gateway_MDKMerge"),
        F("Gateway_MDKMerge", "Activity_MDK"),
        F("Activity_MDK", "Gateway_Utfall"),
        F("Gateway_Utfall", "Activity_UtokadUtredning", name="Utökad utredning", cond="${utokad_utredning}"),
        F("Activity_UtokadUtredning", "Gateway_MDKMerge"),
        F("Gateway_Utfall", "Activity_Diagnosbesked", name="Behandling", default=True),
        F("Gateway_Utfall", "Activity_Avslut", name="Avslut", cond="${avslut}"),
        F("Activity_Avslut", "EndEvent_Avslut"),
        F("Activity_Diagnosbesked", "Activity_Behandlingsbeslut"),
        F("Activity_Behandlingsbeslut", "Gateway_Behandling"),
        F("Gateway_Behandling", "Activity_StartBehandling", name="Behandling", default=True),
        F("Gateway_Behandling", "Activity_Exspektans", name="Exspektans", cond="${exspektans}"),
        F("Activity_StartBehandling", "EndEvent_Behandling"),
        F("Activity_Exspektans", "EndEvent_Exspektans"),
    ]
    src_t = "RCC: Indikatorer för uppföljning av SVF tjock- och ändtarmscancer (2018)"
    return Proc(
        id="svf_tjocktarmscancer",
        name=("SVF tjock- och ändtarmscancer", "Standardised care pathway: colorectal cancer"),
        description=(
            "Standardiserat vårdförlopp för tjock- och ändtarmscancer från välgrundad misstanke (VB210) "
            "till start av första behandling, med basutredning och vid behov utökad basutredning (slinga "
            "tillbaka till MDK). Ledtider 2018: 39 dagar (basutredning), 53 dagar (utökad); 2022 "
            "förlängdes behandlingsbeslut → start med 7 dagar, så 46/60 dagar är ett antagande [I]. "
            + SVF_DESC_CODES.format(cat=cat),
            "Standardised cancer care pathway for colorectal cancer from well-founded suspicion (VB210) to "
            "the start of first treatment, with basic and, when needed, extended investigation (loop back "
            "to the MDK). Lead times 2018: 39 days (basic), 53 days (extended); in 2022 decision → start "
            "was extended by 7 days, so 46/60 days is an assumption [I]. " + SVF_DESC_CODES_EN.format(cat=cat),
        ),
        owner=SVF_OWNER,
        sources=[S_TARM, S_TARM22, S_SVF_80, S_SVF_KOD, S_SVF_MAT],
        nodes=nodes,
        flows=flows,
        limits=[
            TL("TL_LedtidBas", "Activity_ValgrundadMisstanke", "Activity_StartBehandling", "P46D", 0.8, src_t,
               "Basutredning: högst 46 kalenderdagar (39 dagar 2018 + 7 dagar 2022; antagande [I]).",
               "Basic investigation: at most 46 calendar days (39 days in 2018 + 7 days in 2022; assumption [I]).",
               counting="calendar_days", applies_unless=("Activity_UtokadUtredning",)),
            TL("TL_LedtidUtokad", "Activity_ValgrundadMisstanke", "Activity_StartBehandling", "P60D", 0.8, src_t,
               "Utökad basutredning: högst 60 kalenderdagar (53 dagar 2018 + 7 dagar 2022; antagande [I]).",
               "Extended investigation: at most 60 calendar days (53 days in 2018 + 7 days in 2022; assumption [I]).",
               counting="calendar_days", applies_if=("Activity_UtokadUtredning",)),
        ],
        valid_from="2022-04-01",
    )


def svf_prostatacancer() -> Proc:
    """SVF prostate cancer (§2), KVÅ VJ1xx, 2015-16 lead times."""
    cat = "VJ1"
    nodes, flows = _svf_head(cat, "prostatacancer", "prostate cancer")
    nodes += [
        xor("Gateway_UtredningMerge", "", 6, 1),
        task(U, "Activity_Utredning", "Utredning", "Investigation", 7, 1),
        xor("Gateway_Komplett", "Utredning komplett?", 8, 1, "Investigation complete?"),
        task(M, "Activity_KirurgiskDiagnostik", "Kirurgisk åtgärd för diagnostik", "Diagnostic surgery", 8, 0, f"{cat}22"),
        task(U, "Activity_MDK", "Multidisciplinär konferens", "Multidisciplinary conference", 9, 1, f"{cat}35"),
        task(U, "Activity_Diagnosbesked", "Information om diagnos", "Diagnosis given", 10, 1, f"{cat}40"),
        xor("Gateway_Inriktning", "Behandlingsinriktning?", 11, 1, "Treatment intent?"),
        task(M, "Activity_StartKurativ", "Start av kurativ behandling", "Start of curative treatment", 12, 0,
             f"{cat}50", f"{cat}52", f"{cat}54"),
        task(M, "Activity_StartSymtomlindrande", "Start av symtomlindrande behandling",
             "Start of symptom-relieving treatment", 12, 1, f"{cat}58"),
        task(U, "Activity_Exspektans", "Beslut om aktiv exspektans", "Decision on active expectancy", 12, 2, f"{cat}60"),
        xor("Gateway_SlutMerge", "", 13, 1),
        end("EndEvent_Slut", "SVF avslutat", "SVF ended", 14, 1),
    ]
    flows += [
        F("Activity_ForstaBesok", "Gateway_UtredningMerge"),
        F("Gateway_UtredningMerge", "Activity_Utredning"),
        F("Activity_Utredning", "Gateway_Komplett"),
        F("Gateway_Komplett", "Activity_KirurgiskDiagnostik", name="Nej", cond="${utredning_komplett == false}"),
        F("Activity_KirurgiskDiagnostik", "Gateway_UtredningMerge"),
        F("Gateway_Komplett", "Activity_MDK", name="Ja", default=True),
        F("Activity_MDK", "Activity_Diagnosbesked"),
        F("Activity_Diagnosbesked", "Gateway_Inriktning"),
        F("Gateway_Inriktning", "Activity_StartKurativ", name="Kurativ (hög risk)", cond='${inriktning == "kurativ"}'),
        F("Gateway_Inriktning", "Activity_StartSymtomlindrande", name="Symtomlindrande", default=True),
        F("Gateway_Inriktning", "Activity_Exspektans", name="Aktiv exspektans", cond='${inriktning == "exspektans"}'),
        F("Activity_StartKurativ", "Gateway_SlutMerge"),
        F("Activity_StartSymtomlindrande", "Gateway_SlutMerge"),
        F("Activity_Exspektans", "Gateway_SlutMerge"),
        F("Gateway_SlutMerge", "EndEvent_Slut"),
    ]
    src_p = "RCC Stockholm Gotland: SVF prostatacancer, redovisning av väntetid"
    ledtid = "Ledtid enligt versionen 2015–16; revisionen 2023 justerade ledtiderna (nya värden ej insamlade)."
    ledtid_en = "Lead time of the 2015-16 version; the 2023 revision adjusted it (new values not collected)."
    return Proc(
        id="svf_prostatacancer",
        name=("SVF prostatacancer", "Standardised care pathway: prostate cancer"),
        description=(
            "Standardiserat vårdförlopp för prostatacancer från välgrundad misstanke (VJ110) till start "
            "av kurativ eller symtomlindrande behandling eller beslut om aktiv exspektans. " + ledtid + " "
            + SVF_DESC_CODES.format(cat=cat),
            "Standardised cancer care pathway for prostate cancer from well-founded suspicion (VJ110) to "
            "the start of curative or symptom-relieving treatment or a decision on active expectancy. "
            + ledtid_en + " " + SVF_DESC_CODES_EN.format(cat=cat),
        ),
        owner=SVF_OWNER,
        sources=[S_PROSTATA, S_SVF_80, S_SVF_KOD, S_SVF_MAT],
        nodes=nodes,
        flows=flows,
        limits=[
            TL("TL_Kurativ", "Activity_ValgrundadMisstanke", "Activity_StartKurativ", "P60D", 0.8, src_p,
               "Kurativ behandling vid hög risk inom 60 kalenderdagar. " + ledtid,
               "Curative treatment for high risk within 60 calendar days. " + ledtid_en, counting="calendar_days"),
            TL("TL_Symtomlindrande", "Activity_ValgrundadMisstanke", "Activity_StartSymtomlindrande", "P28D", 0.8,
               src_p, "Enbart symtomlindrande behandling inom 28 kalenderdagar. " + ledtid,
               "Symptom-relieving treatment only within 28 calendar days. " + ledtid_en, counting="calendar_days"),
            TL("TL_Exspektans", "Activity_ValgrundadMisstanke", "Activity_Exspektans", "P28D", 0.8, src_p,
               "Aktiv exspektans inom 28 kalenderdagar. " + ledtid,
               "Active expectancy within 28 calendar days. " + ledtid_en, counting="calendar_days"),
            TL("TL_Diagnosbesked", "Activity_ValgrundadMisstanke", "Activity_Diagnosbesked", "P28D", 0.8, src_p,
               "Diagnosbesked vid låg eller mellanrisk inom 28 kalenderdagar. " + ledtid,
               "Diagnosis given for low or intermediate risk within 28 calendar days. " + ledtid_en,
               counting="calendar_days", applies_if=("Activity_Exspektans",)),
        ],
        valid_from="2016-01-01",
    )


PROCESSES = (
    akutmottagning,
    sepsis_akut,
    stroke_trombolys,
    hoftfraktur,
    remiss_vardgaranti,
    oppenvardsbesok,
    lakemedelsprocess,
    in_utskrivning,
    elektiv_kirurgi,
    svf_brostcancer,
    svf_tjocktarmscancer,
    svf_prostatacancer,
)
# fmt: on


# --------------------------------------------------------------------------------------------
# docs/catalog.md
# --------------------------------------------------------------------------------------------
def build_docs(models: Path = MODELS) -> str:
    """Markdown for ``docs/catalog.md`` from the catalogue in ``models``."""
    sys.path.insert(0, str(ROOT / "src"))
    from fvmprocess.catalog import Catalog

    cat = Catalog.from_directory(models)
    lines = [
        "# Process catalogue",
        "",
        "Generated by `scripts/build_models.py --docs` from `models/*.yaml`; do not edit by hand.",
        "Time limits cite the sources collected in the domain notes (`care-processes.md`); facts "
        "marked [I] there are assumptions and are labelled as such.",
        "",
        "| Id | Namn | Name | Version | Status | Activities | Time limits |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in cat:
        m = p.metadata
        lines.append(
            f"| [`{p.id}`](#{p.id}) | {m.name.sv} | {m.name.en} | {m.version} | {m.status} "
            f"| {len(m.activities)} | {len(m.time_limits)} |"
        )
    for p in cat:
        m = p.metadata
        lines += [
            "",
            f"## {p.id}",
            "",
            f"**{m.name.sv}** — {m.name.en}. Version {m.version}, {m.status}, valid from "
            f"{m.valid_from.isoformat()}. Owner: {m.owner}. Model: `models/{p.id}.bpmn`.",
            "",
            f"![{m.name.en}](catalog/{p.id}.svg)",
            "",
            m.description.sv,
            "",
            f"*{m.description.en}*",
            "",
            "### Activities",
            "",
            "| Id | Svenska | English | Codes |",
            "|---|---|---|---|",
        ]
        for a in m.activities:
            codes = ", ".join(f"`{c}`" for c in a.codes)
            lines.append(f"| `{a.id}` | {a.name.sv} | {a.name.en} | {codes} |")
        if m.time_limits:
            lines += [
                "",
                "### Time limits",
                "",
                "| Id | From | To | Max | Counting | Target | Description | Source |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for t in m.time_limits:
                target = f"≥ {t.target_share:.0%}" if t.target_share is not None else "—"
                if t.target_note:
                    target += f" ({t.target_note})"
                lines.append(
                    f"| `{t.id}` | `{t.from_activity}` | `{t.to_activity}` | {t.max_duration} "
                    f"| {t.counting} | {target} | {t.description.sv} | {t.source} |"
                )
        if m.variations:
            lines += ["", "### Approved variations", ""]
            for v in m.variations:
                skips = ", ".join(f"`{s}`" for s in v.allowed_skips) or "—"
                lines.append(f"- `{v.id}`: {v.description.sv} Allowed skips: {skips}.")
        lines += ["", "### Sources", ""]
        for s in m.sources:
            where = f" ({s.section})" if s.section else ""
            lines.append(f"- [{s.title}]({s.url}){where}" if s.url else f"- {s.title}{where}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------
def build_all() -> dict[str, bytes]:
    """All generated model files by name; raises ``SystemExit`` on layout problems."""
    out: dict[str, bytes] = {}
    problems: list[str] = []
    for factory in PROCESSES:
        proc = factory()
        xml, lay = build_xml(proc)
        problems += lay.check()
        out[f"{proc.id}.bpmn"] = xml
        out[f"{proc.id}.yaml"] = dump_yaml(build_metadata(proc)).encode()
    if problems:
        raise SystemExit("layout problems:\n  " + "\n  ".join(problems))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--docs", action="store_true", help="also write docs/catalog.md")
    ap.add_argument(
        "--check", action="store_true", help="only compare with models/ (exit 1 on change)"
    )
    args = ap.parse_args(argv)
    files = build_all()
    if args.check:
        stale = [
            n
            for n, b in files.items()
            if not (MODELS / n).is_file() or (MODELS / n).read_bytes() != b
        ]
        for n in stale:
            sys.stderr.write(f"out of date: models/{n}\n")
        return 1 if stale else 0
    MODELS.mkdir(exist_ok=True)
    for name, data in files.items():
        (MODELS / name).write_bytes(data)
    if args.docs:
        DOCS.mkdir(exist_ok=True)
        (DOCS / "catalog.md").write_text(build_docs(), encoding="utf-8")
        render_pictures()
    return 0


def render_pictures() -> None:
    """Draw every catalogue process to ``docs/catalog/<id>.svg`` (the pictures catalog.md shows)."""
    from fvmprocess.catalog import Catalog
    from fvmprocess.report import render_diagram

    out = DOCS / "catalog"
    out.mkdir(parents=True, exist_ok=True)
    for process in Catalog.from_directory(MODELS):
        render_diagram(process, out / f"{process.id}.svg", scale=1.0)


if __name__ == "__main__":
    raise SystemExit(main())
