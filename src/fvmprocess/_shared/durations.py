"""ISO 8601 durations and time zones: the one parser the catalogue, check and simulator use."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DEFAULT_TIMEZONE", "parse_duration", "zone"]

#: The time zone naive timestamps are read in unless the caller says otherwise.
DEFAULT_TIMEZONE = "Europe/Stockholm"

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta:
    """Parse an ISO 8601 duration without years or months (``PT60M``, ``PT4H``, ``P35D``).

    Years and months have no fixed length, so they are refused; care-process limits are given
    in minutes, hours, days or weeks.

    Args:
        text: the duration, e.g. ``"PT1H30M"`` or ``"P90D"``.

    Returns:
        The duration as a :class:`datetime.timedelta`.

    Raises:
        ValueError: if ``text`` is not such a duration.

    Example:
        >>> parse_duration("PT4H")
        datetime.timedelta(seconds=14400)
    """
    m = _DURATION.match(text.strip())
    if not m:
        raise ValueError(
            f"not an ISO 8601 duration in weeks/days/hours/minutes/seconds: {text!r} "
            "(expected e.g. PT60M, PT4H, P35D)"
        )
    g = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return timedelta(weeks=g["w"], days=g["d"], hours=g["h"], minutes=g["m"], seconds=g["s"])


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``.

    Raises:
        ValueError: ``name`` is not a known IANA time zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(
            f"unknown time zone {name!r} (expected an IANA name such as 'Europe/Stockholm')"
        ) from e
