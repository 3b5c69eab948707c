"""A patient's stored streak (the row the service persists) and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

UTC = timezone.utc

DAYS_OFF_PER_WEEK = 3
WEEKLY_MINUTES_TARGET = 45


def utc_instant(instant: datetime) -> datetime:
    """An aware instant expressed in UTC; naive datetimes are refused, never guessed."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant {instant.isoformat()} has no timezone")
    if instant.tzinfo is UTC:
        return instant
    return instant.astimezone(UTC)


def iso_utc(instant: datetime | None) -> str | None:
    """ISO 8601 in UTC with a 'Z', the form the apps and the stored JSON use."""
    if instant is None:
        return None
    return utc_instant(instant).isoformat().replace("+00:00", "Z")


def parse_iso_instant(text: str) -> datetime:
    """An aware instant from ISO 8601 text; text without an offset is refused."""
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (expected e.g. 2026-03-02T15:00:00Z)")
    return instant.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class StreakState:
    """What the rules know about one patient; StreakState() is a patient with no workout."""

    current_daily_streak: int = 0
    current_weekly_streak: int = 0
    last_workout_date: datetime | None = None
    weekly_minutes: int = 0
    # JS days of week (0 = Sunday … 6 = Saturday) with a workout in the current week.
    weekly_workout_days: frozenset[int] = field(default_factory=frozenset)
    # Day of week from which rest days count this week; None = no active streak.
    week_streak_active_since: int | None = None
    # Zone the current week is reckoned in (see rules.py for when it moves).
    week_timezone: str | None = None

    def __post_init__(self) -> None:
        # Rows come from JSON, gRPC and tests: normalise once so equality and to_dict are exact.
        if self.last_workout_date is not None:
            object.__setattr__(self, "last_workout_date", utc_instant(self.last_workout_date))
        if not isinstance(self.weekly_workout_days, frozenset):
            object.__setattr__(self, "weekly_workout_days", frozenset(self.weekly_workout_days))
        for day in self.weekly_workout_days:
            if not 0 <= day <= 6:
                raise ValueError(f"weekly_workout_days holds {day!r}: days of week are 0 (Sun) to 6 (Sat)")
        active_since = self.week_streak_active_since
        if active_since is not None and not 0 <= active_since <= 6:
            raise ValueError(f"week_streak_active_since is {active_since!r}: expected 0..6 or None")

    def to_dict(self) -> dict[str, Any]:
        return {
            "current_daily_streak": self.current_daily_streak,
            "current_weekly_streak": self.current_weekly_streak,
            "last_workout_date": iso_utc(self.last_workout_date),
            "weekly_minutes": self.weekly_minutes,
            "weekly_workout_days": sorted(self.weekly_workout_days),
            "week_streak_active_since": self.week_streak_active_since,
            "week_timezone": self.week_timezone,
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> StreakState:
        last = row.get("last_workout_date")
        if isinstance(last, str):
            last = parse_iso_instant(last)
        return cls(
            current_daily_streak=int(row.get("current_daily_streak", 0)),
            current_weekly_streak=int(row.get("current_weekly_streak", 0)),
            last_workout_date=last,
            weekly_minutes=int(row.get("weekly_minutes", 0)),
            weekly_workout_days=frozenset(int(day) for day in row.get("weekly_workout_days") or ()),
            week_streak_active_since=row.get("week_streak_active_since"),
            week_timezone=row.get("week_timezone"),
        )
