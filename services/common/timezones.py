"""IANA timezone resolution and the patient's local day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc
PLATFORM_DEFAULT_ZONE = "UTC"


class UnknownTimezone(ValueError):
    """Raised when a name is not an IANA zone known to this machine."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown timezone {name!r}: expected an IANA name such as 'Europe/Madrid'")
        self.name = name


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; UnknownTimezone if it is not one."""
    if not name or name != name.strip() or len(name) > 64 or name.startswith("/") or ".." in name:
        raise UnknownTimezone(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise UnknownTimezone(name) from exc


def is_valid_zone(name: str | None) -> bool:
    if name is None:
        return False
    try:
        zone(name)
    except UnknownTimezone:
        return False
    return True


def resolve_zone_name(name: str | None, fallback: str | None = None) -> str:
    """The zone to use for a patient: their own if valid, else the tenant's, else UTC.

    Never raises: a patient with a broken zone still gets a local day.
    """
    for candidate in (name, fallback):
        if candidate and is_valid_zone(candidate):
            return candidate
    return PLATFORM_DEFAULT_ZONE


def local_date(instant: datetime, zone_name: str) -> date:
    """The calendar date of a UTC instant in the given zone."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(zone(zone_name)).date()


@dataclass(frozen=True)
class DayBounds:
    start_utc: datetime
    end_utc: datetime

    @property
    def hours(self) -> float:
        return (self.end_utc - self.start_utc).total_seconds() / 3600


def day_bounds_utc(day: date, zone_name: str) -> DayBounds:
    """[start, end) of a local day as UTC instants; 23 or 25 hours long on DST days."""
    tz = zone(zone_name)
    start = _first_instant_of(day, tz)
    end = _first_instant_of(day + timedelta(days=1), tz)
    return DayBounds(start.astimezone(UTC), end.astimezone(UTC))


def _first_instant_of(day: date, tz: ZoneInfo) -> datetime:
    # Midnight may not exist (a DST gap at 00:00, e.g. America/Santiago); the day then
    # starts at the first wall-clock time that does exist.
    naive = datetime.combine(day, time(0))
    candidate = naive.replace(tzinfo=tz)
    roundtrip = candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if roundtrip == naive:
        return candidate.replace(fold=0)
    step = timedelta(minutes=15)
    probe = naive
    while True:
        probe += step
        aware = probe.replace(tzinfo=tz)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == probe:
            return aware
