"""Privacy by default: the small-count rule, redaction of personal identity numbers and the
final output scan. The one place these rules live (``docs/reports.md``)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

from fvmprocess.errors import RenderError

__all__ = [
    "MIN_CELL",
    "PNR_PATTERN",
    "REDACTED",
    "SMALL",
    "SUPPRESSED",
    "format_count",
    "is_small",
    "is_suppressed",
    "redact",
    "redact_deep",
    "rendered_texts",
    "scan",
]

#: The smallest count a document may show. Counts from 1 to ``MIN_CELL - 1`` are suppressed.
MIN_CELL = 5
#: How a suppressed count is written.
SMALL = f"<{MIN_CELL}"


def is_small(n: int | None) -> bool:
    """True for a count that must not be shown (1 to ``MIN_CELL - 1``; 0 and None are not).

    Example:
        >>> [is_small(n) for n in (0, 1, 4, 5)]
        [False, True, True, False]
    """
    return n is not None and 0 < n < MIN_CELL


def format_count(n: int | None, *, none: str = "–") -> str:
    """A count for a document: ``"<5"`` for 1–4, ``none`` for None, else the number.

    Example:
        >>> format_count(3), format_count(12), format_count(None)
        ('<5', '12', '–')
    """
    if n is None:
        return none
    return SMALL if is_small(n) else str(n)


#: How a figure computed from a suppressed count is written (a share, interval, mean, median).
SUPPRESSED = "×"


def is_suppressed(*counts: int | None) -> bool:
    """True when a figure computed from these counts must not be shown.

    The rule for derived figures: a share ``k / n``, its interval, and a mean, median or
    quantile over ``n`` cases are suppressed (written :data:`SUPPRESSED`) whenever any count
    they are computed from is small (:func:`is_small`) — the numerator as well as the
    denominator, whether or not that count is itself printed. Otherwise a suppressed count
    could be recomputed from what is shown (3 cases: a share of 33,3 %, or a Wilson interval
    0,0–56,1 % for 0 of 3).

    Example:
        >>> is_suppressed(3), is_suppressed(3, 40), is_suppressed(0, 40), is_suppressed(12, 40)
        (True, True, False, False)
    """
    return any(is_small(n) for n in counts)


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


#: Elements that continue a line of text (an SVG ``<tspan>``, HTML inline markup): their text
#: joins the text around them without a break when a document is read as rendered text.
_INLINE = (
    "tspan|span|a|b|i|em|strong|small|sub|sup|mark|code|abbr|bdi|bdo|wbr|u|s|q|cite|"
    "dfn|kbd|samp|var|time|data"
)
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE})(?:\s[^>]*)?/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: An SVG ``<text>`` element: its ``<tspan>`` lines are one label.
_SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.DOTALL | re.IGNORECASE)
_LINE_END_HYPHEN = re.compile(r"-(</tspan>\s*<tspan\b)", re.IGNORECASE)


def rendered_texts(markup: str) -> Iterator[str]:
    """The text a reader sees in ``markup``, in the forms an identity number could hide in.

    Yields the markup itself, its text with entities decoded and inline elements joined to
    their neighbours (so ``<tspan>Tria-</tspan><tspan>ge19121212-</tspan><tspan>1212``
    reads as one line), and each SVG ``<text>`` label's lines joined without a break and
    with a line-end hyphen removed (the one a line break may add).

    Example:
        >>> svg = '<text><tspan>Samtal 19</tspan><tspan>121212-</tspan><tspan>1212</tspan></text>'
        >>> any("19121212-1212" in t for t in rendered_texts(svg))
        True
    """
    yield markup
    body = _COMMENT.sub("", markup)
    yield html.unescape(_TAG.sub("\n", _INLINE_TAG.sub("", body)))
    for m in _SVG_TEXT.finditer(body):
        label = m.group(1)
        yield html.unescape(_TAG.sub("", label))
        yield html.unescape(_TAG.sub("", _LINE_END_HYPHEN.sub(r"\1", label)))


def scan(text: str, forbidden: Iterable[str] = (), *, source: str | None = None) -> None:
    """Raise if the output still contains an identity number or a forbidden string.

    Both the raw markup and the rendered text are searched (:func:`rendered_texts`): a
    number wrapped over several ``<tspan>`` lines, split by inline tags or written with
    character references is found too.

    Args:
        text: the rendered document (HTML, Markdown, SVG).
        forbidden: strings that must never appear (case identifiers).
        source: the file name for the error message.

    Raises:
        RenderError: something that must not be published is in ``text``.
    """
    views = list(rendered_texts(text))
    for k, view in enumerate(views):
        m = PNR_PATTERN.search(view)
        if m is not None:
            where = f"at character {m.start()}" if k == 0 else "in its rendered text"
            raise RenderError(
                f"the document contains something that looks like a personnummer {where}; "
                "it was not written",
                source=source,
            )
    every = "\n".join(views)  # one search per identifier (no identifier spans a line)
    for s in forbidden:
        if s and s in every:
            raise RenderError(
                "the document contains a case identifier; it was not written", source=source
            )
