"""fvmprocess: care-process standardization — standard BPMN care processes, unit event logs,
conformance checking against the standard, and comparison documents.

``import fvmprocess`` is light: every public name is imported on first use. The public API is
this module's ``__all__`` and :mod:`fvmprocess.errors`; every other module is internal (see
``docs/architecture.md``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it (imported lazily on first attribute access)
_LAZY: dict[str, str] = {
    "ActivityMapping": "fvmprocess.eventlog",
    "Alignment": "fvmprocess.conformance.align",
    "AlignmentCosts": "fvmprocess.conformance.align",
    "Allow": "fvmprocess.conformance.allow",
    "BpmnModel": "fvmprocess.bpmn.model",
    "Catalog": "fvmprocess.catalog",
    "CheckOptions": "fvmprocess.conformance.options",
    "ConformanceResult": "fvmprocess.conformance.result",
    "DrawOptions": "fvmprocess.render.options",
    "EventLog": "fvmprocess.eventlog",
    "FvmProcessError": "fvmprocess.errors",
    "LogSchema": "fvmprocess.eventlog",
    "PetriNet": "fvmprocess.petri",
    "Problem": "fvmprocess.validate",
    "ReadOptions": "fvmprocess.eventlog",
    "SimulationConfig": "fvmprocess.simulate",
    "StandardProcess": "fvmprocess.catalog",
    "TimeLimit": "fvmprocess.timelimit",
    "align": "fvmprocess.conformance.align",
    "catalog": "fvmprocess.catalog",
    "check": "fvmprocess.conformance.check",
    "directly_follows": "fvmprocess.mining",
    "discover": "fvmprocess.mining",
    "read_bpmn": "fvmprocess.bpmn.reader",
    "read_log": "fvmprocess.eventlog",
    "read_pnml": "fvmprocess.petri",
    "render_diagram": "fvmprocess.render.export",
    "render_report": "fvmprocess.report",
    "simulate_log": "fvmprocess.simulate",
    "to_petri_net": "fvmprocess.compile",
    "validate": "fvmprocess.validate",
    "write_bpmn": "fvmprocess.bpmn.writer",
    "write_pnml": "fvmprocess.petri",
}

__all__ = [
    "ActivityMapping",
    "Alignment",
    "AlignmentCosts",
    "Allow",
    "BpmnModel",
    "Catalog",
    "CheckOptions",
    "ConformanceResult",
    "DrawOptions",
    "EventLog",
    "FvmProcessError",
    "LogSchema",
    "PetriNet",
    "Problem",
    "ReadOptions",
    "SimulationConfig",
    "StandardProcess",
    "TimeLimit",
    "__version__",
    "align",
    "catalog",
    "check",
    "directly_follows",
    "discover",
    "read_bpmn",
    "read_log",
    "read_pnml",
    "render_diagram",
    "render_report",
    "simulate_log",
    "to_petri_net",
    "validate",
    "write_bpmn",
    "write_pnml",
]

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.bpmn.reader import read_bpmn
    from fvmprocess.bpmn.writer import write_bpmn
    from fvmprocess.catalog import Catalog, StandardProcess, catalog
    from fvmprocess.compile import to_petri_net
    from fvmprocess.conformance.align import align
    from fvmprocess.conformance.allow import Allow
    from fvmprocess.conformance.check import check
    from fvmprocess.conformance.moves import Alignment, AlignmentCosts
    from fvmprocess.conformance.options import CheckOptions
    from fvmprocess.conformance.result import ConformanceResult
    from fvmprocess.errors import FvmProcessError
    from fvmprocess.eventlog import ActivityMapping, EventLog, LogSchema, ReadOptions, read_log
    from fvmprocess.mining import directly_follows, discover
    from fvmprocess.petri import PetriNet, read_pnml, write_pnml
    from fvmprocess.render.export import render_diagram
    from fvmprocess.render.options import DrawOptions
    from fvmprocess.report import render_report
    from fvmprocess.simulate import SimulationConfig, simulate_log
    from fvmprocess.timelimit import TimeLimit
    from fvmprocess.validate import Problem, validate


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fvmprocess' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
