"""The allow-list: approved deviations that do not count against a case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from fvmprocess._shared.vocab import DEVIATION_KINDS

if TYPE_CHECKING:
    from fvmprocess.catalog import StandardProcess

__all__ = ["Allow", "allowed_expr", "approved_variations"]


@dataclass(frozen=True, slots=True)
class Allow:
    """An approved deviation that does not count against a case.

    ``None`` in a field matches anything: ``Allow("skipped", "Activity_Xray")`` approves
    skipping the X-ray everywhere; add ``unit="Akutmottagningen Borås"`` for one unit only.

    Raises:
        ValueError: ``kind`` is not a deviation kind.

    Example:
        >>> Allow("skipped", "Activity_Xray", unit="Akuten Borås").unit
        'Akuten Borås'
    """

    kind: str | None = None
    activity: str | None = None
    unit: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in DEVIATION_KINDS:
            raise ValueError(
                f"Allow.kind is {self.kind!r}; expected one of {', '.join(DEVIATION_KINDS)}"
            )

    def to_dict(self) -> dict[str, str | None]:
        """The rule as JSON-ready data."""
        return {
            "kind": self.kind,
            "activity": self.activity,
            "unit": self.unit,
            "reason": self.reason,
        }


def approved_variations(standard: StandardProcess) -> list[Allow]:
    """The catalogue's approved variations as rules: each allowed skip, per unit (or all)."""
    rules: list[Allow] = []
    for v in standard.variations:
        units: tuple[str | None, ...] = v.units or (None,)
        for act in v.allowed_skips:
            rules.extend(Allow("skipped", act, u, reason=v.id) for u in units)
    return rules


def allowed_expr(rules: Iterable[Allow]) -> pl.Expr:
    """A boolean expression over ``kind``, ``activity`` and ``unit``: does any rule match?"""
    expr = pl.lit(False)
    for r in rules:
        cond = pl.lit(True)
        if r.kind is not None:
            cond = cond & (pl.col("kind") == r.kind)
        if r.activity is not None:
            cond = cond & (pl.col("activity") == r.activity)
        if r.unit is not None:
            cond = cond & (pl.col("unit") == r.unit)
        expr = expr | cond
    return expr
