"""The catalogue of standard care processes: a folder of ``<id>.bpmn`` + ``<id>.yaml`` pairs.

* :mod:`~fvmprocess.catalog.store` — :class:`Catalog`, :class:`StandardProcess`, :func:`catalog`;
* :mod:`~fvmprocess.catalog.metadata` — the YAML's pydantic models (:class:`ProcessMetadata`);
* :mod:`~fvmprocess.catalog.labels` — Swedish and English labels from the BPMN (``fvm:label``);
* :mod:`~fvmprocess.catalog.health` — drift between BPMN and metadata (``models check``);
* :mod:`~fvmprocess.catalog.sync` — metadata stubs for new tasks (``models sync`` / ``new``);
* :mod:`~fvmprocess.catalog.diff` — differences between two versions (``models diff``).

``fvmprocess.catalog(path)`` works whether this package or the function was imported first:
the package is itself callable (Python sets ``fvmprocess.catalog`` to the package when it is
imported, which would otherwise hide the function).

Example:
    >>> from fvmprocess.catalog import catalog
    >>> catalog()["akutmottagning"].label("Activity_Triage")
    'Triage enligt RETTS'
"""

from __future__ import annotations

import sys
import types
from typing import Any

from fvmprocess.catalog.findings import Finding, FindingCode
from fvmprocess.catalog.labels import FVM_NS, element_labels, process_text
from fvmprocess.catalog.metadata import (
    ActivityMetadata,
    ProcessMetadata,
    Source,
    Variation,
    load_metadata,
)
from fvmprocess.catalog.store import (
    ENV_VAR,
    Activity,
    Catalog,
    StandardProcess,
    catalog,
    default_catalog_dir,
    default_models_dir,
)

__all__ = [
    "ENV_VAR",
    "FVM_NS",
    "Activity",
    "ActivityMetadata",
    "Catalog",
    "Finding",
    "FindingCode",
    "ProcessMetadata",
    "Source",
    "StandardProcess",
    "Variation",
    "catalog",
    "default_catalog_dir",
    "default_models_dir",
    "element_labels",
    "load_metadata",
    "process_text",
]


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`catalog` (see the module docstring)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Catalog:
        return catalog(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
