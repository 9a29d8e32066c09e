"""fvmprocess: care-process standardization — standard BPMN care processes, unit event logs,
conformance checking against the standard, and comparison documents.

``import fvmprocess`` is light: every public name is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it (imported lazily on first attribute access)
_LAZY: dict[str, str] = {
    "BpmnModel": "fvmprocess.bpmn.model",
    "read_bpmn": "fvmprocess.bpmn.reader",
    "write_bpmn": "fvmprocess.bpmn.writer",
    "validate": "fvmprocess.validate",
    "Problem": "fvmprocess.validate",
    "to_svg": "fvmprocess.bpmn.draw",
    "Overlay": "fvmprocess.bpmn.draw",
    "auto_layout": "fvmprocess.bpmn.layout",
    "catalog": "fvmprocess.catalog",
    "Catalog": "fvmprocess.catalog",
    "StandardProcess": "fvmprocess.catalog",
    "read_log": "fvmprocess.eventlog",
    "EventLog": "fvmprocess.eventlog",
    "LogSchema": "fvmprocess.eventlog",
    "ActivityMapping": "fvmprocess.eventlog",
    "Accounting": "fvmprocess.eventlog",
    "directly_follows": "fvmprocess.mining",
    "throughput_times": "fvmprocess.mining",
    "discover": "fvmprocess.mining",
    "PetriNet": "fvmprocess.petri",
    "read_pnml": "fvmprocess.petri",
    "write_pnml": "fvmprocess.petri",
    "to_petri_net": "fvmprocess.compile",
    "to_automaton": "fvmprocess.compile",
    "render": "fvmprocess.bpmn.draw",
    "align": "fvmprocess.align",
    "Aligner": "fvmprocess.align",
    "Alignment": "fvmprocess.align",
    "AlignmentCosts": "fvmprocess.align",
    "check": "fvmprocess.conformance",
    "ConformanceResult": "fvmprocess.conformance",
    "Allow": "fvmprocess.conformance",
    "TimeLimitSpec": "fvmprocess.conformance",
    "simulate_log": "fvmprocess.simulate",
    "render_report": "fvmprocess.report",
    "render_diagram": "fvmprocess.report",
    "BpmnError": "fvmprocess.errors",
    "CatalogError": "fvmprocess.errors",
    "ConformanceError": "fvmprocess.errors",
    "FvmProcessError": "fvmprocess.errors",
    "LogError": "fvmprocess.errors",
    "PnmlError": "fvmprocess.errors",
    "RenderError": "fvmprocess.errors",
    "TranslationError": "fvmprocess.errors",
    "UnsafeXmlError": "fvmprocess.errors",
    "SimulationError": "fvmprocess.errors",
}

__all__ = [
    "Accounting",
    "ActivityMapping",
    "Aligner",
    "Alignment",
    "AlignmentCosts",
    "Allow",
    "BpmnError",
    "BpmnModel",
    "Catalog",
    "CatalogError",
    "ConformanceError",
    "ConformanceResult",
    "EventLog",
    "FvmProcessError",
    "LogError",
    "LogSchema",
    "Overlay",
    "PetriNet",
    "PnmlError",
    "Problem",
    "RenderError",
    "SimulationError",
    "StandardProcess",
    "TimeLimitSpec",
    "TranslationError",
    "UnsafeXmlError",
    "__version__",
    "align",
    "auto_layout",
    "catalog",
    "check",
    "directly_follows",
    "discover",
    "read_bpmn",
    "read_log",
    "read_pnml",
    "render",
    "render_diagram",
    "render_report",
    "simulate_log",
    "throughput_times",
    "to_automaton",
    "to_petri_net",
    "to_svg",
    "validate",
    "write_bpmn",
    "write_pnml",
]

if TYPE_CHECKING:
    from fvmprocess.align import Aligner, Alignment, AlignmentCosts, align
    from fvmprocess.bpmn.draw import Overlay, render, to_svg
    from fvmprocess.bpmn.layout import auto_layout
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.bpmn.reader import read_bpmn
    from fvmprocess.validate import Problem, validate
    from fvmprocess.bpmn.writer import write_bpmn
    from fvmprocess.catalog import Catalog, StandardProcess, catalog
    from fvmprocess.compile import to_automaton, to_petri_net
    from fvmprocess.conformance import Allow, ConformanceResult, TimeLimitSpec, check
    from fvmprocess.errors import (
        BpmnError,
        CatalogError,
        ConformanceError,
        FvmProcessError,
        LogError,
        PnmlError,
        RenderError,
        SimulationError,
        TranslationError,
        UnsafeXmlError,
    )
    from fvmprocess.eventlog import Accounting, ActivityMapping, EventLog, LogSchema, read_log
    from fvmprocess.mining import directly_follows, discover, throughput_times
    from fvmprocess.petri import PetriNet, read_pnml, write_pnml
    from fvmprocess.report import render_diagram, render_report
    from fvmprocess.simulate import simulate_log


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fvmprocess' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
