"""How figures are written in the comparison documents, with the small-count rule applied.

Every figure that comes from a group of cases is written by one of these functions together
with the counts it is computed from (:class:`Counts`);
:func:`fvmprocess._shared.privacy.is_suppressed` decides whether it may be shown: a share and
its interval only when neither ``k`` nor ``n`` is small, a mean or median over ``n`` cases only
when ``n`` is not small (``docs/reports.md``).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from fvmprocess._shared.labels import Lang
from fvmprocess._shared.privacy import SUPPRESSED, is_suppressed
from fvmprocess.render.overlay import fmt_share
from fvmprocess.render.text import hyphenation_points

__all__ = [
    "Counts",
    "duration_text",
    "hyphenated",
    "interval_text",
    "mean_interval_text",
    "mean_text",
    "number_text",
    "share_text",
]


def _missing(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def number_text(v: float | None, lang: Lang, digits: int = 3) -> str:
    """A plain number with the language's decimal mark; ``"–"`` for None/NaN."""
    if v is None or _missing(v):
        return "–"
    s = f"{v:.{digits}f}"
    return s.replace(".", ",") if lang == "sv" else s


@dataclass(frozen=True, slots=True)
class Counts:
    """The counts one cell's figures are computed from: ``k`` of ``n`` cases.

    Attributes:
        k: the numerator (cases with the property), or None for figures over all ``n``.
        n: the denominator (the cases of the cell).
        extra: further counts the figures depend on (a unit's cases when ``n`` counts
            case-and-limit pairs).
    """

    k: int | None
    n: int | None
    extra: tuple[int | None, ...] = ()

    @property
    def share_hidden(self) -> bool:
        """True when the share ``k / n`` (and its interval) may not be shown."""
        return is_suppressed(self.k, self.n, *self.extra)

    @property
    def over_n_hidden(self) -> bool:
        """True when a statistic over the ``n`` cases (mean, median) may not be shown."""
        return is_suppressed(self.n, *self.extra)


def share_text(v: float | None, counts: Counts, lang: Lang, digits: int = 1) -> str:
    """A share of cases (``"14,1 %"``), or ``×`` when it is suppressed."""
    if counts.share_hidden:
        return SUPPRESSED
    return fmt_share(v, lang, digits)


def interval_text(lo: float | None, hi: float | None, counts: Counts, lang: Lang) -> str:
    """A share's interval ``"a – b"``; suppressed with the share."""
    if counts.share_hidden:
        return SUPPRESSED
    if lo is None or hi is None or _missing(lo) or _missing(hi):
        return "–"
    return f"{fmt_share(lo, lang)} – {fmt_share(hi, lang)}"


def mean_text(v: float | None, counts: Counts, lang: Lang) -> str:
    """A mean over the cell's cases, or ``×`` when ``n`` is small."""
    return SUPPRESSED if counts.over_n_hidden else number_text(v, lang)


def mean_interval_text(lo: float | None, hi: float | None, counts: Counts, lang: Lang) -> str:
    """A mean's interval ``"a – b"``; suppressed with the mean."""
    if counts.over_n_hidden:
        return SUPPRESSED
    return f"{number_text(lo, lang)} – {number_text(hi, lang)}"


def duration_text(seconds: float | None, t: Mapping[str, str], lang: Lang) -> str:
    """A duration in minutes, hours or days (whichever reads best)."""
    if seconds is None or _missing(seconds):
        return "–"
    if seconds >= 2 * 86400:
        return f"{number_text(seconds / 86400, lang, 1)} {t['days']}"
    if seconds >= 2 * 3600:
        return f"{number_text(seconds / 3600, lang, 1)} {t['hours']}"
    return f"{number_text(seconds / 60, lang, 0)} {t['minutes']}"


#: Words shorter than this are never hyphenated (a column of short names stays as it is).
_HYPHENATE_FROM = 8
SOFT_HYPHEN = "\u00ad"
_WORDS = re.compile(r"\w+", re.UNICODE)


def hyphenated(text: str) -> str:
    """``text`` with soft hyphens (U+00AD) at the Swedish dictionary's hyphenation points of
    its long words, so a narrow table heading breaks ``Vätske-behandling`` with a visible
    hyphen, never ``Vätskebeha/ndling``; browsers and weasyprint show the hyphen only where
    they break. Points right after a hyphen or slash the word already has are left out.

    Example:
        >>> hyphenated("Vätskebehandling").split(SOFT_HYPHEN)
        ['Väts', 'ke', 'be', 'hand', 'ling']
    """

    def soft(m: re.Match[str]) -> str:
        word = m.group(0)
        if len(word) < _HYPHENATE_FROM:
            return word
        cuts = [0, *hyphenation_points(word), len(word)]
        return SOFT_HYPHEN.join(word[a:b] for a, b in itertools.pairwise(cuts))

    return _WORDS.sub(soft, text)
