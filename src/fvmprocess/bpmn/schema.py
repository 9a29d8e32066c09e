"""The OMG BPMN 2.0 XML schemas: validation and schema order.

The XSDs in ``xsd/`` are the OMG's (BPMN 2.0.2, formal/13-12-09), vendored unchanged; see
``xsd/NOTICE``. Besides validating, we read from them the order in which each element's
children must appear, so that a file written by a tool that puts the diagram before the process
(or the documentation after the extension elements) is written back in schema order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["XSD_DIR", "XsdProblem", "child_order", "validate_xsd"]

XSD_DIR = Path(__file__).resolve().parent / "xsd"
_XS = "{http://www.w3.org/2001/XMLSchema}"
_NS = {
    "BPMN20.xsd": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "Semantic.xsd": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "BPMNDI.xsd": "http://www.omg.org/spec/BPMN/20100524/DI",
    "DC.xsd": "http://www.omg.org/spec/DD/20100524/DC",
    "DI.xsd": "http://www.omg.org/spec/DD/20100524/DI",
}


@dataclass(frozen=True, slots=True)
class XsdProblem:
    """One schema violation: line and message as libxml2 reports them."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@cache
def _schema() -> etree.XMLSchema:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.parse(str(XSD_DIR / "BPMN20.xsd"), parser)
    return etree.XMLSchema(doc)


def validate_xsd(tree: etree._ElementTree | etree._Element) -> list[XsdProblem]:
    """Validate a parsed document against the OMG BPMN 2.0 XSDs; [] when valid."""
    schema = _schema()
    if schema.validate(tree):
        return []
    return [XsdProblem(e.line, e.message) for e in schema.error_log]  # type: ignore[attr-defined]


@cache
def _tables() -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]:
    """(element qname -> type qname, type qname -> child qnames in order, group -> members)."""
    from lxml import etree

    elem_type: dict[str, str] = {}
    type_children: dict[str, list[str]] = {}
    groups: dict[str, list[str]] = {}
    bases: dict[str, str] = {}
    for fname, ns in _NS.items():
        doc = etree.parse(str(XSD_DIR / fname), etree.XMLParser(resolve_entities=False))
        nsmap = {k: v for k, v in doc.getroot().nsmap.items()}

        def q(name: str, ns: str = ns, nsmap: dict[str | None, str] = nsmap) -> str:
            if ":" in name:
                prefix, local = name.split(":", 1)
                return "{%s}%s" % (nsmap.get(prefix, ns), local)
            return "{%s}%s" % (ns, name)

        for el in doc.getroot().findall(_XS + "element"):
            name = q(el.get("name", ""))
            if el.get("type"):
                elem_type[name] = q(el.get("type", ""))
            if el.get("substitutionGroup"):
                groups.setdefault(q(el.get("substitutionGroup", "")), []).append(name)
        for ct in doc.getroot().findall(_XS + "complexType"):
            tname = q(ct.get("name", ""))
            ext = ct.find(f"{_XS}complexContent/{_XS}extension")
            seq_parent = ext if ext is not None else ct
            if ext is not None:
                bases[tname] = q(ext.get("base", ""))
            own: list[str] = []
            for el in seq_parent.iter(_XS + "element"):
                if el.get("ref"):
                    own.append(q(el.get("ref", "")))
                elif el.get("name"):
                    own.append(q(el.get("name", "")))
            type_children[tname] = own

    def full(t: str) -> list[str]:
        base = bases.get(t)
        return (full(base) if base else []) + type_children.get(t, [])

    resolved = {t: full(t) for t in type_children}
    return elem_type, resolved, groups


@cache
def child_order(tag: str) -> dict[str, int]:
    """Rank of each allowed child tag (Clark notation) of an element, in schema order."""
    elem_type, type_children, groups = _tables()
    t = elem_type.get(tag)
    if t is None:
        return {}
    rank: dict[str, int] = {}

    def add(name: str, r: int) -> None:
        if name not in rank:
            rank[name] = r
        for member in groups.get(name, []):
            add(member, r)

    for i, child in enumerate(type_children.get(t, [])):
        add(child, i)
    return rank
