"""Write a :class:`BpmnModel` back to BPMN 2.0 XML without losing anything.

The model keeps the tree it was read from; writing serialises a copy of it with the children
of every BPMN element put in the order the OMG schema requires (stable: elements of the same
rank keep their relative order; vendor elements stay right after the element they followed).
Ids, attributes, namespace prefixes, extension elements and every DI element are kept.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import TYPE_CHECKING

from fvmprocess.bpmn.model import BpmnModel
from fvmprocess.bpmn.namespaces import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS
from fvmprocess.bpmn.schema import child_order
from fvmprocess.errors import BpmnError

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["repair", "to_bytes", "write_bpmn"]

_SCHEMA_NS = (BPMN_NS, BPMNDI_NS, DC_NS, DI_NS)


def _reorder(el: etree._Element) -> None:
    tag = el.tag
    if isinstance(tag, str) and tag.split("}")[0].lstrip("{") in _SCHEMA_NS:
        ranks = child_order(tag)
        children = list(el)
        if ranks and len(children) > 1:
            keyed: list[tuple[int, int, etree._Element]] = []
            last = -1
            for i, c in enumerate(children):
                ctag = c.tag
                r = ranks.get(ctag) if isinstance(ctag, str) else None
                if r is None:
                    r = last  # comments, vendor elements: stay after their predecessor
                last = r
                keyed.append((r, i, c))
            ordered = [c for _, _, c in sorted(keyed, key=lambda k: (k[0], k[1]))]
            if ordered != children:
                tail = el[-1].tail
                for c in children:
                    el.remove(c)
                for c in ordered:
                    if c.tail is None or not c.tail.strip():
                        c.tail = children[0].tail if children else None
                    el.append(c)
                el[-1].tail = tail
    for child in el:
        if isinstance(child.tag, str):
            _reorder(child)


_ENUMS = {
    "gatewayDirection": ("Unspecified", "Converging", "Diverging", "Mixed"),
    "eventGatewayType": ("Exclusive", "Parallel"),
    "associationDirection": ("None", "One", "Both"),
    "processType": ("None", "Public", "Private"),
    "ordering": ("Parallel", "Sequential"),
    "behavior": ("None", "One", "All", "Complex"),
}
_NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


def repair(root: etree._Element) -> list[str]:
    """Fix, in place, the schema violations real tools are known to write; list each fix.

    - enumeration values in the wrong case (pm4py writes ``gatewayDirection="diverging"``);
    - ids that are not XML NCNames (Signavio's ``<documentation id="96b0…">``): prefixed with
      ``_``, and every reference to them rewritten;
    - link event definitions without the required ``name`` (given the event's name or id);
    - associations missing a required ``sourceRef``/``targetRef`` (removed: they connect
      nothing);
    - vendor elements placed directly in ``<definitions>``, where the schema allows none
      (moved into the first process's ``<extensionElements>``).
    """
    fixes: list[str] = []
    renamed: dict[str, str] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, values in _ENUMS.items():
            v = el.get(attr)
            if v is not None and v not in values:
                for good in values:
                    if good.lower() == v.lower():
                        el.set(attr, good)
                        fixes.append(f"line {el.sourceline}: {attr}={v!r} -> {good!r}")
        i = el.get("id")
        if i is not None and not _NCNAME.match(i):
            new = "_" + re.sub(r"[^\w.\-]", "_", i)
            renamed[i] = new
            el.set("id", new)
            fixes.append(f"line {el.sourceline}: id {i!r} is not an NCName -> {new!r}")
    if renamed:
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for k, val in el.attrib.items():
                if k != "id" and str(val) in renamed:
                    el.set(k, renamed[str(val)])
            if el.text and el.text.strip() in renamed:
                el.text = renamed[str(el.text).strip()]
    b = "{%s}" % BPMN_NS
    for el in list(root.iter(b + "linkEventDefinition")):
        if el.get("name") is None:
            parent = el.getparent()
            name = (parent.get("name") or parent.get("id") or "") if parent is not None else ""
            el.set("name", name)
            fixes.append(f"line {el.sourceline}: linkEventDefinition without name -> {name!r}")
    for el in list(root.iter(b + "association")):
        if el.get("sourceRef") is None or el.get("targetRef") is None:
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
                fixes.append(
                    f"line {el.sourceline}: association {el.get('id')!r} without "
                    "sourceRef/targetRef removed"
                )
    stray = [
        c
        for c in root
        if isinstance(c.tag, str) and c.tag.split("}")[0].lstrip("{") not in _SCHEMA_NS
    ]
    process = root.find(b + "process")
    if stray and process is not None:
        ext = process.find(b + "extensionElements")
        if ext is None:
            from lxml import etree

            ext = etree.Element(b + "extensionElements")
            process.insert(0, ext)
        for c in stray:
            root.remove(c)
            ext.append(c)
            fixes.append(
                f"line {c.sourceline}: vendor element {c.tag} moved from <definitions> into "
                f"process {process.get('id')!r}'s extensionElements"
            )
    return fixes


def to_bytes(model: BpmnModel, *, encoding: str = "UTF-8", repair_schema: bool = False) -> bytes:
    """Serialise the model as BPMN 2.0 XML in schema order (see :func:`write_bpmn`)."""
    if model._tree is None:
        raise BpmnError("model has no XML tree to write", source=model.source)
    # The whole document, so comments and processing instructions outside the root survive.
    tree = copy.deepcopy(model._tree)
    root = tree.getroot()
    if repair_schema:
        repair(root)
    _reorder(root)
    from lxml import etree

    data = etree.tostring(tree, xml_declaration=True, encoding=encoding)
    assert isinstance(data, bytes)
    return data if data.endswith(b"\n") else data + b"\n"


def write_bpmn(
    model: BpmnModel, path: str | Path, *, encoding: str = "UTF-8", repair_schema: bool = False
) -> Path:
    """Write a model to a ``.bpmn`` file, keeping every id, element, attribute and extension.

    The output is valid against the OMG BPMN 2.0 XSDs whenever the input's content is, with
    children in schema order (a diagram written before the process is moved after it).

    Args:
        model: the model, e.g. from :func:`read_bpmn`.
        path: where to write.
        encoding: output encoding (UTF-8 by default, whatever the input's was).
        repair_schema: also fix the schema violations some tools write (see :func:`repair`);
            the only option that changes content, so it is off by default.

    Returns:
        The path written.
    """
    out = Path(path)
    try:
        out.write_bytes(to_bytes(model, encoding=encoding, repair_schema=repair_schema))
    except OSError as e:
        raise BpmnError(f"cannot write the file ({e.strerror})", source=str(out)) from e
    return out
