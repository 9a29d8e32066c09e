"""The one time limit: a per-case deadline between two activities, counted in a time zone.

A :class:`TimeLimit` is catalogue metadata (``models/<id>.yaml``) and what :func:`check` and the
simulator apply. Two counting rules:

* ``"elapsed"``: late when ``end - start`` exceeds ``max_duration`` (real elapsed time, so a
  daylight-saving change counts as it happened);
* ``"calendar_days"`` (SVF, vårdgaranti): late when the number of whole days between the
  *local dates* of the two events in the log's time zone exceeds ``max_duration``'s days
  (``P0D`` = the same day, ``P3D`` = by the third day after).

:meth:`TimeLimit.is_late` applies the rule to two datetimes, :meth:`TimeLimit.late_expr` to two
polars columns; both take the time zone explicitly and agree on every input.

Example:
    >>> from datetime import datetime, timezone
    >>> same_day = TimeLimit(id="TL", to_activity="B", max_duration="P0D", counting="calendar_days")
    >>> t0 = datetime(2025, 3, 1, 8, tzinfo=timezone.utc)
    >>> t1 = datetime(2025, 3, 1, 23, 30, tzinfo=timezone.utc)
    >>> same_day.is_late(t0, t1, timezone="Europe/Stockholm"), same_day.is_late(t0, t1, timezone="UTC")
    (True, False)
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from fvmprocess._shared.durations import parse_duration, zone
from fvmprocess._shared.labels import LocalizedText

if TYPE_CHECKING:
    import polars as pl

__all__ = ["Counting", "TimeLimit"]

#: How a limit counts: real elapsed time, or whole local calendar days.
Counting = Literal["elapsed", "calendar_days"]


def _format_duration(d: timedelta) -> str:
    """``d`` as an ISO 8601 duration in days/hours/minutes/seconds (``P1DT2H``, ``PT4H``)."""
    if d < timedelta(0):
        raise ValueError(f"max_duration must not be negative, got {d}")
    hours, rest = divmod(d.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or d.microseconds:
        frac = f".{d.microseconds:06d}".rstrip("0") if d.microseconds else ""
        clock += f"{seconds}{frac}S"
    text = "P" + (f"{d.days}D" if d.days else "") + (f"T{clock}" if clock else "")
    return text if text != "P" else "P0D"


def _iso_duration(value: Any) -> Any:
    """Accept a :class:`~datetime.timedelta` as ``max_duration``; check ISO text."""
    if isinstance(value, timedelta):
        return _format_duration(value)
    if isinstance(value, str):
        parse_duration(value)
    return value


#: An ISO 8601 duration; a ``timedelta`` given in code is converted to its ISO text.
IsoDuration = Annotated[str, BeforeValidator(_iso_duration)]


class TimeLimit(BaseModel):
    """A per-case deadline between two activities, with an optional population target.

    ``max_duration`` keeps the ISO 8601 text (a ``timedelta`` given in code is converted);
    :attr:`duration` is the parsed :class:`~datetime.timedelta`.

    Attributes:
        id: the limit's id (unique within a process).
        from_activity: where the clock starts; ``None`` = the case's first event.
        to_activity: where it stops.
        max_duration: the limit, ISO 8601 (``PT4H``, ``P14D``; ``P0D`` only for calendar days).
        counting: ``"elapsed"`` or ``"calendar_days"``.
        target_share: the share of cases that should be within the limit (0–1), if any.
        target_note: where the target comes from (e.g. "Lagkrav").
        applies_if: the limit applies only to cases with all of these activities …
        applies_unless: … and none of these.
        source: the public source of the limit (required in the catalogue).
        description: the limit in Swedish and English (required in the catalogue).

    Example:
        >>> from datetime import timedelta
        >>> TimeLimit(id="A-D", from_activity="A", to_activity="D",
        ...           max_duration=timedelta(hours=4)).max_duration
        'PT4H'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    from_activity: str | None = Field(default=None, min_length=1)
    to_activity: str = Field(min_length=1)
    max_duration: IsoDuration
    counting: Counting = "elapsed"
    target_share: float | None = Field(default=None, ge=0.0, le=1.0)
    target_note: str | None = None
    applies_if: tuple[str, ...] = ()
    applies_unless: tuple[str, ...] = ()
    source: str | None = Field(default=None, min_length=1)
    description: LocalizedText | None = None

    if TYPE_CHECKING:
        # the accepted input shapes, for type checkers (pydantic builds the real __init__)
        def __init__(
            self,
            *,
            id: str,
            to_activity: str,
            max_duration: str | timedelta,
            from_activity: str | None = None,
            counting: Counting = "elapsed",
            target_share: float | None = None,
            target_note: str | None = None,
            applies_if: tuple[str, ...] = (),
            applies_unless: tuple[str, ...] = (),
            source: str | None = None,
            description: LocalizedText | None = None,
        ) -> None: ...

    @model_validator(mode="after")
    def _check_positive(self) -> TimeLimit:
        d = self.duration
        if d < timedelta(0) or (d == timedelta(0) and self.counting != "calendar_days"):
            raise ValueError(
                f"max_duration must be positive (zero only with counting: calendar_days), "
                f"got {self.max_duration}"
            )
        if self.counting == "calendar_days" and d % timedelta(days=1):
            raise ValueError(f"calendar_days limits must be whole days, got {self.max_duration}")
        return self

    @property
    def duration(self) -> timedelta:
        """``max_duration`` as a :class:`datetime.timedelta`."""
        return parse_duration(self.max_duration)

    def applies(self, activities: Collection[str]) -> bool:
        """Whether the limit applies to a case with these activities.

        Args:
            activities: the activities of the case (any collection; a set is fastest).

        Returns:
            ``True`` when the case has every ``applies_if`` activity and no ``applies_unless``
            activity.
        """
        return all(a in activities for a in self.applies_if) and not any(
            a in activities for a in self.applies_unless
        )

    def is_late(self, start: datetime, end: datetime, *, timezone: str) -> bool:
        """Whether an interval from ``start`` to ``end`` breaks this limit.

        Args:
            start: when the clock starts (``from_activity`` or the case's first event).
            end: when ``to_activity`` happened.
            timezone: the IANA zone of the log: naive datetimes are local time there, and
                calendar days are the local dates there.

        Returns:
            ``True`` when late.

        Raises:
            ValueError: unknown ``timezone``, or a naive time that does not exist there (in the
                spring-forward gap).
        """
        tz = zone(timezone)
        t0, t1 = _aware(start, tz), _aware(end, tz)
        if self.counting == "calendar_days":
            days = (t1.astimezone(tz).date() - t0.astimezone(tz).date()).days
            return days > self.duration.days
        return t1.astimezone(UTC) - t0.astimezone(UTC) > self.duration

    def late_expr(self, start: pl.Expr, end: pl.Expr, *, timezone: str) -> pl.Expr:
        """:meth:`is_late` as a polars expression over two datetime columns.

        Args:
            start: datetimes where the clock starts (zone-aware, or naive = local time).
            end: datetimes of ``to_activity``.
            timezone: the IANA zone of the log (as in :meth:`is_late`).

        Returns:
            A boolean expression (null where either side is null).

        Raises:
            ValueError: unknown ``timezone``.

        Example:
            >>> import polars as pl
            >>> lim = TimeLimit(id="1h", to_activity="B", max_duration="PT1H")
            >>> df = pl.DataFrame({"a": [datetime(2025, 1, 1, 8)], "b": [datetime(2025, 1, 1, 10)]})
            >>> late = lim.late_expr(pl.col("a"), pl.col("b"), timezone="UTC").alias("late")
            >>> df.select(late)["late"].to_list()
            [True]
        """
        zone(timezone)
        t0, t1 = _local_expr(start, timezone), _local_expr(end, timezone)
        if self.counting == "calendar_days":
            days = (t1.dt.date() - t0.dt.date()).dt.total_days()
            return days > self.duration.days
        return (t1 - t0) > self.duration


def _aware(t: datetime, tz: ZoneInfo) -> datetime:
    """``t`` with a zone: naive times are local in ``tz`` (refused inside a DST gap)."""
    if t.tzinfo is not None and t.utcoffset() is not None:
        return t
    local = t.replace(tzinfo=tz)
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != t.replace(tzinfo=None):
        raise ValueError(f"{t.isoformat()} does not exist in {tz.key} (daylight-saving gap)")
    return local


def _local_expr(expr: pl.Expr, timezone: str) -> pl.Expr:
    """Datetimes in ``timezone`` at microsecond precision (naive input = local time there)."""
    import polars as pl

    def localize(s: pl.Series) -> pl.Series:
        if isinstance(s.dtype, pl.Datetime) and s.dtype.time_zone is None:
            s = s.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="raise")
        return s.dt.convert_time_zone(timezone).dt.cast_time_unit("us")

    return expr.map_batches(localize, return_dtype=pl.Datetime("us", timezone))
