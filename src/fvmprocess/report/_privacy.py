"""Privacy by default: redaction of personal identity numbers and the final output scan."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fvmprocess.errors import RenderError

__all__ = ["PNR_PATTERN", "REDACTED", "redact", "redact_deep", "scan"]

#: A Swedish personnummer or samordningsnummer (day + 60): ``YYMMDD-NNNN``, ``YYMMDD+NNNN``,
#: ``YYYYMMDDNNNN``, ``YYYYMMDD-NNNN`` and ``YYMMDDNNNN``; not inside a longer digit run.
PNR_PATTERN = re.compile(
    r"(?<![0-9])(?:(?:18|19|20)[0-9]{2}|[0-9]{2})"  # year
    r"(?:0[1-9]|1[0-2])"  # month
    r"(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])"  # day, or day + 60
    r"[-+]?[0-9]{4}(?![0-9])"
)
#: What a redacted number is replaced with, per language.
REDACTED = {"sv": "[dolt]", "en": "[hidden]"}


def redact(text: str, lang: str = "sv") -> str:
    """Replace everything that looks like a personnummer or samordningsnummer.

    Example:
        >>> redact("Enhet 19121212-1212")
        'Enhet [dolt]'
    """
    return PNR_PATTERN.sub(REDACTED.get(lang, REDACTED["sv"]), text)


def redact_deep(value: Any, lang: str = "sv") -> Any:
    """:func:`redact` applied to every string in nested dicts, lists and tuples."""
    if isinstance(value, str):
        return redact(value, lang)
    if isinstance(value, dict):
        return {redact_deep(k, lang): redact_deep(v, lang) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_deep(v, lang) for v in value)
    return value


def scan(text: str, forbidden: Iterable[str] = (), *, source: str | None = None) -> None:
    """Raise if the output still contains an identity number or a forbidden string.

    Args:
        text: the rendered document (HTML, Markdown, SVG).
        forbidden: strings that must never appear (case identifiers).
        source: the file name for the error message.

    Raises:
        RenderError: something that must not be published is in ``text``.
    """
    m = PNR_PATTERN.search(text)
    if m is not None:
        raise RenderError(
            "the document contains something that looks like a personnummer at character "
            f"{m.start()}; it was not written",
            source=source,
        )
    for s in forbidden:
        if s and s in text:
            raise RenderError(
                "the document contains a case identifier; it was not written", source=source
            )
