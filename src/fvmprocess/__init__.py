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
    "BpmnError": "fvmprocess.errors",
    "CatalogError": "fvmprocess.errors",
    "ConformanceError": "fvmprocess.errors",
    "FvmProcessError": "fvmprocess.errors",
    "LogError": "fvmprocess.errors",
    "PnmlError": "fvmprocess.errors",
    "RenderError": "fvmprocess.errors",
    "TranslationError": "fvmprocess.errors",
    "UnsafeXmlError": "fvmprocess.errors",
}

__all__ = sorted([*_LAZY, "__version__"])

if TYPE_CHECKING:
    from fvmprocess.bpmn.model import BpmnModel
    from fvmprocess.bpmn.reader import read_bpmn
    from fvmprocess.bpmn.writer import write_bpmn
    from fvmprocess.errors import (
        BpmnError,
        CatalogError,
        ConformanceError,
        FvmProcessError,
        LogError,
        PnmlError,
        RenderError,
        TranslationError,
        UnsafeXmlError,
    )


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fvmprocess' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
