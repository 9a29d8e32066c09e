"""BPMN 2.0: the typed model, safe reading, lossless writing, validation and drawing."""

from __future__ import annotations

from fvmprocess.bpmn.model import (
    Artifact,
    Bounds,
    BpmnModel,
    DataObject,
    Diagram,
    Edge,
    EventDefinition,
    FlowNode,
    Lane,
    MessageFlow,
    Participant,
    Process,
    SequenceFlow,
    Shape,
)
from fvmprocess.bpmn.reader import read_bpmn
from fvmprocess.bpmn.writer import to_bytes, write_bpmn

__all__ = [
    "Artifact",
    "Bounds",
    "BpmnModel",
    "DataObject",
    "Diagram",
    "Edge",
    "EventDefinition",
    "FlowNode",
    "Lane",
    "MessageFlow",
    "Participant",
    "Process",
    "SequenceFlow",
    "Shape",
    "read_bpmn",
    "to_bytes",
    "write_bpmn",
]
