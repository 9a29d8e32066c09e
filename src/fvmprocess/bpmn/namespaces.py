"""The XML namespaces of BPMN 2.0 files and the colour extensions tools write."""

from __future__ import annotations

__all__ = ["BPMNDI_NS", "BPMN_NS", "COLOR_NS", "DC_NS", "DI_NS", "XSI_NS"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
#: Colour extensions: the OMG non-normative one and bpmn.io's bioc.
COLOR_NS = (
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0",
    "http://bpmn.io/schema/bpmn/biocolor/1.0",
)
