"""The one exception hierarchy of fvmprocess.

Every error the library raises on bad input is a :class:`FvmProcessError`. Each subclass also
inherits the built-in exception a caller would naturally catch, so ``except ValueError`` keeps
working. Messages name the file, the place (line, element id, row) and what was expected.
"""

from __future__ import annotations

from typing import ClassVar, Literal

__all__ = [
    "BpmnError",
    "CatalogError",
    "ConformanceError",
    "ErrorCode",
    "FvmProcessError",
    "LogError",
    "PnmlError",
    "RenderError",
    "SimulationError",
    "StateLimitError",
    "TranslationError",
    "UnsafeXmlError",
]


#: Stable codes of the errors fvmprocess raises; code that reacts to an error tests its class or
#: ``code``, never its message (``docs/errors.md`` lists them).
ErrorCode = Literal[
    "bpmn_invalid",
    "unsafe_xml",
    "pnml_invalid",
    "catalog_lookup",
    "log_invalid",
    "translation",
    "conformance",
    "state_limit",
    "render",
    "simulation",
]


class FvmProcessError(Exception):
    """Root of all fvmprocess errors.

    Attributes:
        code: a stable :data:`ErrorCode` (the class default unless given).
        source: the file (or ``"<bytes>"``/``"<string>"``) the error is about, if any.
        place: where in it: a line, an element id or a row number, if known.
    """

    default_code: ClassVar[ErrorCode] = "conformance"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        place: str | None = None,
        code: ErrorCode | None = None,
    ):
        self.message = message
        self.source = source
        self.place = place
        self.code: ErrorCode = code or self.default_code
        super().__init__(self._format())

    def _format(self) -> str:
        where = ", ".join(p for p in (self.source, self.place) if p)
        return f"{where}: {self.message}" if where else self.message


class BpmnError(FvmProcessError, ValueError):
    """A BPMN file or model cannot be read, written or understood."""

    default_code: ClassVar[ErrorCode] = "bpmn_invalid"


class UnsafeXmlError(BpmnError):
    """XML that tries to use a DTD, entities or external resources was refused."""

    default_code: ClassVar[ErrorCode] = "unsafe_xml"


class PnmlError(FvmProcessError, ValueError):
    """A PNML (Petri net) file cannot be read or written."""

    default_code: ClassVar[ErrorCode] = "pnml_invalid"


class CatalogError(FvmProcessError, LookupError):
    """A standard process is missing from the catalogue or its metadata is invalid."""

    default_code: ClassVar[ErrorCode] = "catalog_lookup"


class LogError(FvmProcessError, ValueError):
    """An event log cannot be read, or rows were rejected under ``strict=True``."""

    default_code: ClassVar[ErrorCode] = "log_invalid"


class TranslationError(FvmProcessError, ValueError):
    """A BPMN construct cannot be translated into a workflow net."""

    default_code: ClassVar[ErrorCode] = "translation"


class ConformanceError(FvmProcessError, ValueError):
    """Conformance checking cannot run with the given process, log or options."""

    default_code: ClassVar[ErrorCode] = "conformance"


class RenderError(FvmProcessError, RuntimeError):
    """A diagram or report cannot be rendered."""

    default_code: ClassVar[ErrorCode] = "render"


class SimulationError(FvmProcessError, RuntimeError):
    """The process cannot be played out (no run reaches the final marking within the step cap)."""

    default_code: ClassVar[ErrorCode] = "simulation"


class StateLimitError(ConformanceError):
    """A state space (reachability graph, search) grew beyond its configured bound.

    Attributes:
        limit: the bound that was reached.
    """

    default_code: ClassVar[ErrorCode] = "state_limit"

    def __init__(self, message: str, *, limit: int, source: str | None = None) -> None:
        self.limit = limit
        super().__init__(message, source=source)
