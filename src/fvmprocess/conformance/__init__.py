"""Conformance checking of event logs against a standard process.

One concept per module:

* :mod:`~fvmprocess.conformance.align` — exact optimal alignments (:class:`Aligner`);
* :mod:`~fvmprocess.conformance.classify` — the deviation classifier (:func:`classify`);
* :mod:`~fvmprocess.conformance.timelimits` — time limits applied to a log;
* :mod:`~fvmprocess.conformance.allow` — the allow-list (:class:`Allow`);
* :mod:`~fvmprocess.conformance.options` — :class:`CheckOptions`;
* :mod:`~fvmprocess.conformance.result` — :class:`ConformanceResult` and its JSON;
* :mod:`~fvmprocess.conformance.check` — :func:`check` as a sequence of named stages.

Internal: the public names are re-exported from :mod:`fvmprocess`.
"""

from __future__ import annotations

from fvmprocess.conformance.align import Aligner, align, align_variants
from fvmprocess.conformance.allow import Allow
from fvmprocess.conformance.check import check
from fvmprocess.conformance.classify import Deviation, classify, explains
from fvmprocess.conformance.moves import Alignment, AlignmentCosts, Move
from fvmprocess.conformance.options import CheckOptions
from fvmprocess.conformance.result import (
    RESULT_SCHEMA_VERSION,
    AppliedOptions,
    ConformanceResult,
    ProcessInfo,
)

__all__ = [
    "RESULT_SCHEMA_VERSION",
    "Aligner",
    "Alignment",
    "AlignmentCosts",
    "Allow",
    "AppliedOptions",
    "CheckOptions",
    "ConformanceResult",
    "Deviation",
    "Move",
    "ProcessInfo",
    "align",
    "align_variants",
    "check",
    "classify",
    "explains",
]
