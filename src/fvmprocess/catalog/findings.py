"""What ``fvmprocess models check`` finds: one :class:`Finding` per line, naming file and element."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Finding", "FindingCode"]

#: Stable names of the catalogue findings (``docs/catalogue.md`` explains each).
FindingCode = Literal[
    "bpmn-without-metadata",
    "metadata-without-bpmn",
    "unreadable",
    "invalid-metadata",
    "id-mismatch",
    "activity-without-metadata",
    "metadata-not-in-bpmn",
    "metadata-not-an-activity",
    "time-limit-missing-activity",
    "variation-missing-activity",
    "duplicate-label",
]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem of a catalogue: a file (and element) and what is wrong.

    Attributes:
        file: the ``.bpmn`` or ``.yaml`` file the finding is about.
        element: the element id (a task, a time limit, the process), or ``"-"`` if the file
            cannot be read far enough to name one.
        code: a stable name (:data:`FindingCode`, or a :func:`fvmprocess.validate` code).
        message: a sentence for the process developer.
        unreadable: the file cannot be read at all (``models check`` exits 2).
    """

    file: str
    element: str
    code: str
    message: str
    unreadable: bool = False

    def __str__(self) -> str:
        return f"{self.file}: {self.element}: [{self.code}] {self.message}"
