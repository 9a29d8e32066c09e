"""Row accounting: what happened to every input row of a log.

Internal: the public names are re-exported by :mod:`fvmprocess.eventlog`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["REASONS", "Accounting"]

#: Rejection reasons, in the order they are checked.
REASONS: tuple[str, ...] = (
    "invalid_encoding",
    "control_character",
    "malformed_row",
    "event_outside_trace",
    "missing_case",
    "missing_activity",
    "missing_timestamp",
    "unparseable_timestamp",
    "nonexistent_local_time",
    "ignored_activity",
    "unmapped_activity",
    "duplicate_event",
    "lifecycle_not_complete",
    "infrequent_activity",  # EventLog.filter_activities, after reading
)


@dataclass(frozen=True)
class Accounting:
    """What happened to every input row.

    Attributes:
        rows_read: input rows (CSV records, XES events, frame rows).
        rows_used: rows that became events (or were merged into one as its start).
        rows_rejected: rows dropped, each with one reason.
        reasons: reason -> number of rows.
        examples: reason -> the first (lowest) ≤5 row numbers.
        warnings: things that were accepted but worth knowing (counts).
        warning_examples: warning -> the first (lowest) ≤5 row numbers, for warnings about
            particular rows (``duplicate_event`` when duplicates are kept).

    Example:
        >>> Accounting(rows_read=3, rows_used=2, rows_rejected=1).rows_used
        2
    """

    rows_read: int
    rows_used: int
    rows_rejected: int
    reasons: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    warning_examples: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_used + self.rows_rejected:
            raise ValueError(
                f"accounting does not add up: {self.rows_read} read != "
                f"{self.rows_used} used + {self.rows_rejected} rejected"
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_rejected": self.rows_rejected,
            "reasons": dict(self.reasons),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "warnings": dict(self.warnings),
            "warning_examples": {k: list(v) for k, v in self.warning_examples.items()},
        }
