"""Week arithmetic of the streak rules: JS days of week, Monday order, days off, local days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone

from services.common.timezones import resolve_zone_name, zone

UTC = timezone.utc

# Days of week are numbered as in JavaScript because the apps and the stored rows use them.
SUNDAY = 0
MONDAY = 1
MONDAY_ORDER = (1, 2, 3, 4, 5, 6, 0)
DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")

# The rules reason in local calendar days; a proleptic ordinal (date.toordinal) is a plain
# int, cheap to compare, and ordinal 1 (0001-01-01) is a Monday, which makes weeks trivial.
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def monday_position(day_of_week: int) -> int:
    """Index of a JS day of week in Monday order: Monday 0 … Sunday 6."""
    return (day_of_week + 6) % 7


def _span_mask(since_position: int, through_position: int) -> int:
    mask = 0
    for position in range(since_position, through_position + 1):
        mask |= 1 << MONDAY_ORDER[position]
    return mask


# SPAN_MASK[since][through]: JS-day bits of the days from `since` through `through` (Monday order).
_SPAN_MASK = tuple(
    tuple(_span_mask(since, through) for through in range(7)) for since in range(7)
)


def days_off_in_mask(since: int | None, through: int | None, workout_days_mask: int) -> int:
    """days_off over a bit mask of JS days (bit d set = a workout on day d)."""
    if since is None or through is None:
        return 0
    since_position = (since + 6) % 7
    through_position = (through + 6) % 7
    if through_position < since_position:
        return 0
    span = _SPAN_MASK[since_position][through_position]
    return (through_position - since_position + 1) - (span & workout_days_mask).bit_count()


def days_off(since: int | None, through: int | None, days: Iterable[int]) -> int:
    """Days from `since` through `through` (inclusive, Monday order) without a workout.

    0 when either end is None or `through` comes before `since` in Monday order.
    """
    return days_off_in_mask(since, through, days_mask(days))


def days_mask(days: Iterable[int]) -> int:
    mask = 0
    for day in days:
        mask |= 1 << day
    return mask


def days_in_mask(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask >> day & 1)


def off_day_names(since: int, through: int, workout_days_mask: int) -> list[str]:
    """Names of the days counted by days_off_in_mask, in Monday order (for support staff)."""
    since_position = monday_position(since)
    through_position = monday_position(through)
    return [
        DAY_NAMES[MONDAY_ORDER[position]]
        for position in range(since_position, through_position + 1)
        if not workout_days_mask >> MONDAY_ORDER[position] & 1
    ]


def day_of_week(ordinal: int) -> int:
    """JS day of week of a date ordinal."""
    return ordinal % 7


def week_index(ordinal: int) -> int:
    """Number of the Monday-to-Sunday week holding a date ordinal (consecutive weeks differ by 1)."""
    return (ordinal - 1) // 7


def monday_of(ordinal: int) -> int:
    return ordinal - (ordinal - 1) % 7


def local_ordinal(instant: datetime, zone_name: str) -> int:
    """Ordinal of the local calendar day of an aware instant in a (valid) zone."""
    return instant.astimezone(zone(zone_name)).toordinal()


def anchor_zone(week_timezone: str | None, tz: str) -> str:
    """The zone a week is reckoned in: the one it was anchored in, else the caller's."""
    if week_timezone is None or week_timezone == tz:
        return tz
    return resolve_zone_name(week_timezone, tz)


def iso_date(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()
