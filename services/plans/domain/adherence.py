"""Treatment-plan adherence and pain evolution: expected sessions, weekly adherence, pain trend."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# Pain is on a 0-10 scale; 0.1 point per session is one point over a ten-session plan,
# small enough to flag direction early, large enough to ignore noise of a flat series.
PAIN_TREND_THRESHOLD = 0.1
MIN_TREND_POINTS = 3
DAYS_PER_WEEK = 7


class InvalidPlanSchedule(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _check_schedule(frequency_per_week: int, duration_weeks: int) -> None:
    for name, value in (("frequency_per_week", frequency_per_week), ("duration_weeks", duration_weeks)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidPlanSchedule(name, "must be a whole number of at least 1")


def plan_last_day(start: date, duration_weeks: int) -> date:
    return start + timedelta(days=DAYS_PER_WEEK * duration_weeks - 1)


def plan_week_of(start: date, duration_weeks: int, day: date) -> tuple[int, date, date] | None:
    """(index from 0, first day, last day) of the plan week holding `day`; None outside the plan."""
    if not start <= day <= plan_last_day(start, duration_weeks):
        return None
    index = (day - start).days // DAYS_PER_WEEK
    week_start = start + timedelta(days=DAYS_PER_WEEK * index)
    return index, week_start, week_start + timedelta(days=DAYS_PER_WEEK - 1)


def elapsed_plan_days(start: date, duration_weeks: int, today: date) -> int:
    """Whole plan days that have passed before today (today is still in play)."""
    return max(0, min((today - start).days, DAYS_PER_WEEK * duration_weeks))


def expected_sessions(start: date, frequency_per_week: int, duration_weeks: int, today: date) -> int:
    """Sessions the patient should have done by now.

    Plan weeks are 7-day blocks from the start date. A finished plan week expects
    `frequency` sessions; the current week expects its pro-rata share of the days that
    have fully passed, rounded down: floor(frequency x elapsed_days / 7). Today does not
    count yet, so nobody is behind for a session they can still do today, and the first
    day of a week expects nothing. Because whole weeks contribute whole sessions this is
    floor(frequency x elapsed plan days / 7) over the whole plan, capped at the plan total.
    """
    _check_schedule(frequency_per_week, duration_weeks)
    return frequency_per_week * elapsed_plan_days(start, duration_weeks, today) // DAYS_PER_WEEK


def adherence_ratio(completed: int, expected: int) -> float | None:
    """completed / expected, capped at 1.0 (extra sessions bank no credit); None when nothing is due yet."""
    if expected <= 0:
        return None
    return min(1.0, completed / expected)


@dataclass(frozen=True)
class WeekAdherence:
    week_number: int  # 1-based plan week
    start: date
    end: date
    completed: int
    expected: int

    @property
    def ratio(self) -> float | None:
        return adherence_ratio(self.completed, self.expected)


def weekly_adherence(
    start: date,
    frequency_per_week: int,
    duration_weeks: int,
    completed_on: Iterable[date],
    today: date,
) -> list[WeekAdherence]:
    """Completed vs expected per plan week, from week 1 through the week holding today.

    completed_on holds the local date of every completed session (one entry per session).
    The current week's expectation is prorated exactly as in expected_sessions, so the
    weekly figures add up to the plan figure.
    """
    _check_schedule(frequency_per_week, duration_weeks)
    if today < start:
        return []
    last_day = plan_last_day(start, duration_weeks)
    current_week = min((today - start).days // DAYS_PER_WEEK, duration_weeks - 1)

    counts = [0] * (current_week + 1)
    for day in completed_on:
        if start <= day <= last_day:
            week = (day - start).days // DAYS_PER_WEEK
            if week <= current_week:
                counts[week] += 1

    weeks = []
    for week in range(current_week + 1):
        week_start = start + timedelta(days=DAYS_PER_WEEK * week)
        days_passed = max(0, min((today - week_start).days, DAYS_PER_WEEK))
        weeks.append(
            WeekAdherence(
                week_number=week + 1,
                start=week_start,
                end=week_start + timedelta(days=DAYS_PER_WEEK - 1),
                completed=counts[week],
                expected=frequency_per_week * days_passed // DAYS_PER_WEEK,
            )
        )
    return weeks


class PainTrend(StrEnum):
    IMPROVING = "improving"
    PLATEAU = "plateau"
    DECLINING = "declining"
    INSUFFICIENT_DATA = "insufficient_data"


PainPoint = tuple[int, float | None, float | None]  # (session_number, pain_before, pain_after)


def pain_slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of y over x; None when x does not vary."""
    n = len(points)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def pain_trend(series: Sequence[PainPoint]) -> PainTrend:
    """Direction of pain after sessions across the plan.

    Least-squares slope of pain_after over session number (sessions without a reported
    pain_after are left out). Slope <= -0.1 per session is improving (pain falls),
    >= +0.1 declining, otherwise plateau. Fewer than three reported sessions (or all under one
    session number) is insufficient_data: two points always make a line and say nothing about a
    trend, and calling that a plateau tells a therapist pain is flat when nobody knows.
    """
    points = [(float(number), float(after)) for number, _, after in series if after is not None]
    if len(points) < MIN_TREND_POINTS:
        return PainTrend.INSUFFICIENT_DATA
    slope = pain_slope(points)
    if slope is None:
        return PainTrend.INSUFFICIENT_DATA
    if slope <= -PAIN_TREND_THRESHOLD:
        return PainTrend.IMPROVING
    if slope >= PAIN_TREND_THRESHOLD:
        return PainTrend.DECLINING
    return PainTrend.PLATEAU


def percent_change(first: float | None, last: float | None) -> float | None:
    """Signed change from first to last in percent of first (7 -> 4 is -42.86).

    None when either is missing or first is 0 (no baseline to compare against).
    """
    if first is None or last is None or first == 0:
        return None
    return (last - first) / first * 100


@dataclass(frozen=True)
class PainEvolution:
    before: tuple[float, ...]
    after: tuple[float, ...]
    before_change_percent: float | None
    after_change_percent: float | None
    trend: PainTrend


def pain_evolution(series: Sequence[PainPoint]) -> PainEvolution:
    """Pain before and after each session in session order, first-to-last change, and trend."""
    ordered = sorted(series, key=lambda point: point[0])
    before = tuple(float(b) for _, b, _ in ordered if b is not None)
    after = tuple(float(a) for _, _, a in ordered if a is not None)
    return PainEvolution(
        before=before,
        after=after,
        # One report is no change: first and last are the same session, and 0.0 % would claim a flat course.
        before_change_percent=percent_change(before[0], before[-1]) if len(before) >= 2 else None,
        after_change_percent=percent_change(after[0], after[-1]) if len(after) >= 2 else None,
        trend=pain_trend(ordered),
    )
