"""How a treatment plan's sessions fall on the patient's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

MAX_DURATION_WEEKS = 104
MAX_FREQUENCY_PER_WEEK = 14


@dataclass(frozen=True)
class ScheduledSession:
    session_number: int
    scheduled_date: date


def session_dates(start: date, duration_weeks: int, frequency_per_week: int) -> list[ScheduledSession]:
    """Sessions spread evenly over each plan week (week k starts on start + 7k).

    With 3 a week the offsets are days 0, 2 and 4; with 7 a week every day; with more than 7 some days
    hold two sessions. Numbering runs 1..duration×frequency in date order.
    """
    sessions: list[ScheduledSession] = []
    number = 0
    for week in range(duration_weeks):
        week_start = start + timedelta(days=7 * week)
        for index in range(frequency_per_week):
            number += 1
            sessions.append(ScheduledSession(number, week_start + timedelta(days=(index * 7) // frequency_per_week)))
    return sessions
