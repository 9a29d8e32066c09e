"""Which input columns hold the case, activity, timestamp and the optional attributes.

Internal: :class:`LogSchema` is re-exported by :mod:`fvmprocess.eventlog`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from fvmprocess.errors import LogError

__all__ = ["CANDIDATES", "OPTIONAL_ROLES", "REQUIRED_ROLES", "LogSchema"]

#: Column names tried, case-insensitively and in this order, for each role.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "case": (
        "case:concept:name",
        "case_id",
        "caseid",
        "case id",
        "case",
        "ärende",
        "ärende_id",
        "ärendeid",
        "ärendenummer",
        "vårdkontakt",
        "vårdkontakt_id",
        "vårdkontaktid",
        "kontakt_id",
    ),
    "activity": (
        "concept:name",
        "activity",
        "activity_name",
        "aktivitet",
        "aktivitetskod",
        "händelse",
        "event",
    ),
    "timestamp": (
        "time:timestamp",
        "timestamp",
        "tidpunkt",
        "time",
        "datetime",
        "tid",
        "datum_tid",
        "complete_timestamp",
        "end_timestamp",
        "end_time",
        "sluttid",
    ),
    "unit": (
        "unit",
        "enhet",
        "vårdenhet",
        "case:unit",
        "case:enhet",
        "org:unit",
        "org:group",
        "unit_id",
        "enhet_id",
    ),
    "resource": ("org:resource", "resource", "resurs", "user", "användare", "utförare"),
    "start_timestamp": (
        "start_timestamp",
        "start_time",
        "starttid",
        "start:timestamp",
        "time:start",
    ),
    "lifecycle": ("lifecycle:transition", "lifecycle", "livscykel", "transition"),
}
REQUIRED_ROLES = ("case", "activity", "timestamp")
OPTIONAL_ROLES = ("unit", "resource", "start_timestamp", "lifecycle")


@dataclass(frozen=True)
class LogSchema:
    """Which input columns hold the case, activity, timestamp and optional attributes.

    Fields left ``None`` are auto-detected (case-insensitively) from pm4py/XES names
    (``case:concept:name``, ``concept:name``, ``time:timestamp``, ``org:resource``,
    ``lifecycle:transition``, ``org:group``) and common English and Swedish ones (``case_id``,
    ``ärende``, ``vårdkontakt``, ``aktivitet``, ``tidpunkt``, ``enhet``, ...).

    Attributes:
        case: column with the case id.
        activity: column with the activity name or code.
        timestamp: column with the (completion) time of the event.
        unit: column with the care unit, optional.
        resource: column with the resource (person, role), optional.
        start_timestamp: column with the start time of the event, optional.
        lifecycle: column with the XES lifecycle transition, optional.
        detect: auto-detect the optional columns that are left ``None``; set ``False`` to use
            only the optional columns named here.

    Example:
        >>> LogSchema(case="ärende", activity="aktivitet", timestamp="tidpunkt").case
        'ärende'
    """

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    unit: str | None = None
    resource: str | None = None
    start_timestamp: str | None = None
    lifecycle: str | None = None
    detect: bool = True

    @classmethod
    def pm4py(cls) -> LogSchema:
        """The pm4py / XES column names."""
        return cls(
            case="case:concept:name",
            activity="concept:name",
            timestamp="time:timestamp",
            resource="org:resource",
            lifecycle="lifecycle:transition",
            detect=False,
        )

    def resolve(
        self, columns: Sequence[str], *, source: str, allow_no_timestamp: bool = False
    ) -> LogSchema:
        """Return a schema whose fields name columns that exist in ``columns``.

        Args:
            columns: the column names of the input.
            source: the input's name, for error messages.
            allow_no_timestamp: accept a source with no timestamp column (XES only).

        Returns:
            A schema with the required fields set (``timestamp`` may stay ``None`` when allowed).

        Raises:
            LogError: a named column is missing or a required column cannot be found.
        """
        lowered = {c.strip().lower(): c for c in reversed(list(columns))}
        found = {
            name: self._find(name, columns, lowered, source=source)
            for name in (*REQUIRED_ROLES, *OPTIONAL_ROLES)
        }
        _check_found(found, columns, source=source, allow_no_timestamp=allow_no_timestamp)
        return replace(
            self,
            case=found["case"],
            activity=found["activity"],
            timestamp=found["timestamp"],
            unit=found["unit"],
            resource=found["resource"],
            start_timestamp=found["start_timestamp"],
            lifecycle=found["lifecycle"],
        )

    def _find(
        self, role: str, columns: Sequence[str], lowered: dict[str, str], *, source: str
    ) -> str | None:
        """The input column for ``role``: the named one (exact, then case-insensitive) or a
        detected candidate; ``None`` when an optional role is not detected."""
        given: str | None = getattr(self, role)
        if given is None:
            if role in REQUIRED_ROLES or self.detect:
                return next((lowered[c] for c in CANDIDATES[role] if c in lowered), None)
            return None
        if given in columns:
            return given
        if given.strip().lower() in lowered:
            return lowered[given.strip().lower()]
        raise LogError(
            f"the {role} column {given!r} is not in the input; found columns {_preview(columns)}",
            source=source,
            place="header",
        )

    def columns(self) -> dict[str, str]:
        """The roles that are set, mapped to their column names."""
        roles = (*REQUIRED_ROLES, *OPTIONAL_ROLES)
        return {n: getattr(self, n) for n in roles if getattr(self, n) is not None}


def _preview(columns: Sequence[str], n: int = 12) -> str:
    shown = ", ".join(repr(c) for c in list(columns)[:n])
    more = f" (+{len(columns) - n} more)" if len(columns) > n else ""
    return f"[{shown}]{more}"


def _check_found(
    found: dict[str, str | None],
    columns: Sequence[str],
    *,
    source: str,
    allow_no_timestamp: bool,
) -> None:
    missing = [
        n
        for n in REQUIRED_ROLES
        if found[n] is None and not (n == "timestamp" and allow_no_timestamp)
    ]
    if missing:
        expected = "; ".join(f"{n}: one of {', '.join(CANDIDATES[n][:6])}" for n in missing)
        raise LogError(
            f"missing required column(s) {', '.join(missing)}; found columns "
            f"{_preview(columns)}; expected {expected} "
            "(or name them with LogSchema(case=..., activity=..., timestamp=...))",
            source=source,
            place="header",
        )
    used = [v for v in found.values() if v is not None]
    if len(set(used)) != len(used):
        raise LogError(f"one column is used for two roles: {found}", source=source, place="header")
