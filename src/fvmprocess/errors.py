"""The one exception hierarchy of fvmprocess.

Every error the library raises on bad input is a :class:`FvmProcessError`. Each subclass also
inherits the built-in exception a caller would naturally catch, so ``except ValueError`` keeps
working. Messages name the file, the place (line, element id, row) and what was expected.
"""

from __future__ import annotations

__all__ = [
    "BpmnError",
    "CatalogError",
    "ConformanceError",
    "FvmProcessError",
    "LogError",
    "PnmlError",
    "RenderError",
    "SimulationError",
    "TranslationError",
    "UnsafeXmlError",
]


class FvmProcessError(Exception):
    """Root of all fvmprocess errors.

    Attributes:
        source: the file (or ``"<bytes>"``/``"<string>"``) the error is about, if any.
        place: where in it: a line, an element id or a row number, if known.
    """

    def __init__(self, message: str, *, source: str | None = None, place: str | None = None):
        self.message = message
        self.source = source
        self.place = place
        super().__init__(self._format())

    def _format(self) -> str:
        where = ", ".join(p for p in (self.source, self.place) if p)
        return f"{where}: {self.message}" if where else self.message


class BpmnError(FvmProcessError, ValueError):
    """A BPMN file or model cannot be read, written or understood."""


class UnsafeXmlError(BpmnError):
    """XML that tries to use a DTD, entities or external resources was refused."""


class PnmlError(FvmProcessError, ValueError):
    """A PNML (Petri net) file cannot be read or written."""


class CatalogError(FvmProcessError, LookupError):
    """A standard process is missing from the catalogue or its metadata is invalid."""


class LogError(FvmProcessError, ValueError):
    """An event log cannot be read, or rows were rejected under ``strict=True``."""


class TranslationError(FvmProcessError, ValueError):
    """A BPMN construct cannot be translated into a workflow net."""


class ConformanceError(FvmProcessError, ValueError):
    """Conformance checking cannot run with the given process, log or options."""


class RenderError(FvmProcessError, RuntimeError):
    """A diagram or report cannot be rendered."""


class SimulationError(FvmProcessError, RuntimeError):
    """The process cannot be played out (no run reaches the final marking within the step cap)."""
