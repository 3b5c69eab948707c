"""Daily activity rows: one per patient and local day, with app usage, work done, XP and goals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from services.common.timezones import DayBounds, day_bounds_utc
from services.entrances.domain.xp import XpAward, XpSource, positive_xp

STREAK_DAY_MIN_XP = 10


@dataclass(frozen=True)
class DailyGoal:
    """The patient's daily targets; 0 means no target set."""

    xp: int = 0
    exercises: int = 0


@dataclass(frozen=True)
class CompletedWorkout:
    """A completed workout as this service learned it from plans.workout.completed."""

    workout_id: str
    completed_at: datetime
    exercises_completed: int
    inferred: bool = False  # a mirror workout made from an app entrance


@dataclass(frozen=True)
class DailyActivity:
    patient_id: str
    local_date: date
    timezone: str  # the zone the day's bounds were computed in
    first_app_opened_at: datetime | None = None
    last_app_opened_at: datetime | None = None
    last_app_closed_at: datetime | None = None
    app_opens_count: int = 0
    app_closes_count: int = 0
    workouts_completed: int = 0
    exercises_completed: int = 0
    xp_earned: int = 0
    is_streak_day: bool = False  # sticky: once the day reached the threshold it stays a streak day
    daily_xp_goal: int = 0
    daily_exercises_goal: int = 0
    met_goal: bool = False  # sticky: the XP goal was reached (and its bonus is due or paid)

    @property
    def goal(self) -> DailyGoal:
        return DailyGoal(self.daily_xp_goal, self.daily_exercises_goal)

    @property
    def bounds(self) -> DayBounds:
        return day_bounds_utc(self.local_date, self.timezone)


def new_day(patient_id: str, local_date: date, timezone: str, goal: DailyGoal) -> DailyActivity:
    return DailyActivity(
        patient_id=patient_id,
        local_date=local_date,
        timezone=timezone,
        daily_xp_goal=goal.xp,
        daily_exercises_goal=goal.exercises,
    )


def record_app_open(row: DailyActivity, at: datetime) -> DailyActivity:
    """An open signal (an entrance log counts as one). Server time; order of arrival may vary."""
    return replace(
        row,
        first_app_opened_at=at if row.first_app_opened_at is None else min(row.first_app_opened_at, at),
        last_app_opened_at=at if row.last_app_opened_at is None else max(row.last_app_opened_at, at),
        app_opens_count=row.app_opens_count + 1,
    )


def record_app_close(row: DailyActivity, at: datetime) -> DailyActivity:
    return replace(
        row,
        last_app_closed_at=at if row.last_app_closed_at is None else max(row.last_app_closed_at, at),
        app_closes_count=row.app_closes_count + 1,
    )


def add_awarded_xp(row: DailyActivity, amount: int) -> DailyActivity:
    """Live update when the ledger accepted an award for this day; negative XP changes nothing."""
    if amount <= 0:
        return row
    xp = row.xp_earned + amount
    return replace(
        row,
        xp_earned=xp,
        is_streak_day=row.is_streak_day or xp >= STREAK_DAY_MIN_XP,
        met_goal=row.met_goal or _reached(xp, row.daily_xp_goal),
    )


def rollup_day(
    opens: Iterable[datetime] | None,
    closes: Iterable[datetime] | None,
    workouts: Iterable[CompletedWorkout],
    awards: Iterable[XpAward],
    goal: DailyGoal,
    *,
    patient_id: str,
    local_date: date,
    timezone: str,
    previous: DailyActivity | None = None,
) -> DailyActivity:
    """Recompute a day's row from authoritative records inside its [start_utc, end_utc).

    Records outside the local day's bounds are ignored, so callers may over-fetch; bounds
    are 23 or 25 hours on DST days. Only real workouts count toward workouts and exercises
    (a mirror workout records engagement, not exercise). XP is the sum of positive awards
    by awarded_at. opens/closes of None keep the counters already on `previous` (for a
    store that counts signals instead of keeping them). is_streak_day and met_goal never
    go back to false once `previous` had them. The goal is written as given: pass the
    row's own snapshot when recomputing a past day.
    """
    bounds = day_bounds_utc(local_date, timezone)
    base = previous if previous is not None else new_day(patient_id, local_date, timezone, goal)
    if base.patient_id != patient_id or base.local_date != local_date:
        raise ValueError("previous row belongs to another patient or day")

    usage: dict[str, object] = {}
    if opens is not None:
        in_day = sorted(at for at in opens if _within(at, bounds))
        usage.update(
            first_app_opened_at=in_day[0] if in_day else None,
            last_app_opened_at=in_day[-1] if in_day else None,
            app_opens_count=len(in_day),
        )
    if closes is not None:
        in_day = sorted(at for at in closes if _within(at, bounds))
        usage.update(last_app_closed_at=in_day[-1] if in_day else None, app_closes_count=len(in_day))

    real_workouts = {w.workout_id: w for w in workouts if not w.inferred and _within(w.completed_at, bounds)}
    day_awards = [a for a in awards if _within(a.awarded_at, bounds)]
    xp = positive_xp(day_awards)
    bonus_paid = any(a.source == XpSource.GOAL_BONUS and a.counts_toward_day for a in day_awards)

    return replace(
        base,
        timezone=timezone,
        workouts_completed=len(real_workouts),
        exercises_completed=sum(w.exercises_completed for w in real_workouts.values()),
        xp_earned=xp,
        is_streak_day=base.is_streak_day or xp >= STREAK_DAY_MIN_XP,
        daily_xp_goal=goal.xp,
        daily_exercises_goal=goal.exercises,
        met_goal=base.met_goal or bonus_paid or _reached(xp, goal.xp),
        **usage,  # type: ignore[arg-type]
    )


def every_day(
    rows: Iterable[DailyActivity], first: date, last: date, patient_id: str, timezone: str, goal: DailyGoal
) -> list[DailyActivity]:
    """Each local date from first to last, in order: the stored row, else a day with nothing in it (today's goal)."""
    stored = {row.local_date: row for row in rows}
    return [
        stored.get(day) or new_day(patient_id, day, timezone, goal)
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    ]


def consecutive_streak_days(rows: Iterable[DailyActivity], today: date) -> int:
    """The current run of consecutive streak days ending today, or yesterday while today is open."""
    streak_dates = {row.local_date for row in rows if row.is_streak_day}
    day = today if today in streak_dates else today - timedelta(days=1)
    run = 0
    while day in streak_dates:
        run += 1
        day -= timedelta(days=1)
    return run


def _reached(xp: int, goal_xp: int) -> bool:
    return goal_xp > 0 and xp >= goal_xp


def _within(instant: datetime, bounds: DayBounds) -> bool:
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return bounds.start_utc <= instant < bounds.end_utc
