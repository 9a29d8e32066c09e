"""Labels in Swedish and English: the :class:`LocalizedText` catalogue metadata carries."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Lang", "LocalizedText"]

#: A label language.
Lang = Literal["sv", "en"]


class LocalizedText(BaseModel):
    """A text in Swedish and English.

    Example:
        >>> LocalizedText(sv="Triage", en="Triage").get("en")
        'Triage'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    sv: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang = "sv") -> str:
        """The text in ``lang`` ("sv" or "en").

        Raises:
            ValueError: ``lang`` is neither "sv" nor "en".
        """
        if lang not in ("sv", "en"):
            raise ValueError(f"lang must be 'sv' or 'en', not {lang!r}")
        return self.sv if lang == "sv" else self.en
