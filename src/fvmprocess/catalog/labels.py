"""Labels from the BPMN file: Swedish in ``name``, English in an ``fvm:label`` extension.

The catalogue keeps each label in one place, the ``.bpmn`` file the process developers edit:

* the Swedish label is the element's ``name`` (what Camunda Modeler, Signavio and ARIS show);
* the English label, when there is one, is an extension element that the modelling tools keep
  as they found it (bpmn-moddle preserves unknown extension elements)::

      <bpmn:userTask id="Activity_Triage" name="Triage enligt RETTS">
        <bpmn:extensionElements>
          <fvm:label xml:lang="en">Triage (RETTS)</fvm:label>
        </bpmn:extensionElements>
        ...

  with ``xmlns:fvm="https://fvmprocess.example.invalid/schema/bpmn/1.0"`` (:data:`FVM_NS`) on
  ``<definitions>``. A process also carries its English description as
  ``<fvm:documentation xml:lang="en">``; the Swedish one is the process's ``<documentation>``.

An element without an English label falls back to its Swedish one; an activity without a name
falls back to its id. Line breaks inside a name (tools write ``&#10;`` for a manual break) are
read as spaces.

Example:
    >>> from fvmprocess.bpmn import read_bpmn
    >>> labels = element_labels(read_bpmn("models/akutmottagning.bpmn"))  # doctest: +SKIP
    >>> labels["Activity_Triage"].en  # doctest: +SKIP
    'Triage (RETTS)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fvmprocess._shared.labels import LocalizedText
from fvmprocess.bpmn.namespaces import BPMN_NS

if TYPE_CHECKING:
    from lxml import etree

    from fvmprocess.bpmn.model import BpmnModel

__all__ = [
    "FVM_NS",
    "FVM_PREFIX",
    "ProcessText",
    "element_labels",
    "english_texts",
    "normalize_label",
    "process_text",
]

#: The namespace of fvmprocess's BPMN extension elements (``fvm:label``, ``fvm:documentation``).
FVM_NS = "https://fvmprocess.example.invalid/schema/bpmn/1.0"
#: The prefix the catalogue's files declare for :data:`FVM_NS`.
FVM_PREFIX = "fvm"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def normalize_label(text: str | None) -> str | None:
    """A label with runs of white space (line breaks included) as single spaces; None if empty."""
    if text is None:
        return None
    out = " ".join(text.split())
    return out or None


def english_texts(model: BpmnModel, tag: str = "label") -> dict[str, str]:
    """Element id -> the text of its ``<fvm:{tag} xml:lang="en">`` extension element.

    Args:
        model: a model read from XML (a model built in code has no extensions: ``{}``).
        tag: ``"label"`` or ``"documentation"``.
    """
    try:
        root = model.xml.getroot()
    except ValueError:
        return {}
    out: dict[str, str] = {}
    for el in root.iter(f"{{{FVM_NS}}}{tag}"):
        if el.get(_XML_LANG, "en") != "en":
            continue
        owner = _owner(el)
        text = normalize_label(el.text) if tag == "label" else (el.text or "").strip() or None
        if owner is not None and text and owner not in out:
            out[owner] = text
    return out


def _owner(el: etree._Element) -> str | None:
    """The id of the BPMN element whose ``<extensionElements>`` hold ``el``."""
    parent = el.getparent()
    if parent is None or parent.tag != f"{{{BPMN_NS}}}extensionElements":
        return None
    owner = parent.getparent()
    return owner.get("id") if owner is not None else None


def element_labels(model: BpmnModel) -> dict[str, LocalizedText]:
    """Element id -> Swedish and English label, for every activity and every named flow node.

    Activities without a name are labelled by their id, so every activity has a label.
    """
    english = english_texts(model)
    out: dict[str, LocalizedText] = {}
    for node in model.nodes.values():
        sv = normalize_label(node.name)
        if sv is None and not node.is_activity:
            continue
        sv = sv or node.id
        out[node.id] = LocalizedText(sv=sv, en=english.get(node.id, sv))
    return out


@dataclass(frozen=True, slots=True)
class ProcessText:
    """The name and description of a model's process, as its BPMN file gives them.

    Attributes:
        id: the process id (``"-"`` for a file without a process).
        name: Swedish and English name: the process's ``name``, else its pool's, else the id.
        description: the process's ``<documentation>`` (Swedish) and ``fvm:documentation``
            (English), or None.
    """

    id: str
    name: LocalizedText
    description: LocalizedText | None


def process_text(model: BpmnModel) -> ProcessText:
    """The name and description of the model's (first non-empty) process."""
    if not model.processes:
        fallback = normalize_label(model.name) or model.source
        return ProcessText("-", LocalizedText(sv=fallback, en=fallback), None)
    proc = model.process()
    pool = next((p.name for p in model.participants if p.process == proc.id), None)
    sv = normalize_label(proc.name) or normalize_label(pool) or proc.id
    english = english_texts(model)
    en = english.get(proc.id) or next(
        (english[p.id] for p in model.participants if p.process == proc.id and p.id in english),
        sv,
    )
    return ProcessText(proc.id, LocalizedText(sv=sv, en=en), _description(model, proc.id))


def _description(model: BpmnModel, process_id: str) -> LocalizedText | None:
    try:
        root = model.xml.getroot()
    except ValueError:
        return None
    proc = next(
        (el for el in root.iter(f"{{{BPMN_NS}}}process") if el.get("id") == process_id), None
    )
    doc = proc.find(f"{{{BPMN_NS}}}documentation") if proc is not None else None
    sv = (doc.text or "").strip() if doc is not None else ""
    en = english_texts(model, "documentation").get(process_id, "")
    if not sv and not en:
        return None
    return LocalizedText(sv=sv or en, en=en or sv)
