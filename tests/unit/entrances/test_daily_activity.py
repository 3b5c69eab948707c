"""Daily activity rows: DST-correct rollups, late-night events, sticky streak day, streak runs."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.timezones import day_bounds_utc
from services.entrances.domain.daily_activity import (
    CompletedWorkout,
    DailyActivity,
    DailyGoal,
    add_awarded_xp,
    consecutive_streak_days,
    every_day,
    new_day,
    record_app_close,
    record_app_open,
    rollup_day,
)
from services.entrances.domain.xp import XpAward, XpSource, goal_bonus_award

NY = "America/New_York"
GOAL = DailyGoal(xp=30, exercises=5)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def xp(key: str, amount: int, at: datetime, source: str = XpSource.WORKOUT) -> XpAward:
    return XpAward(key, amount, "test", source, at)


def rollup(day: date, *, opens=(), closes=(), workouts=(), awards=(), goal=GOAL, previous=None, zone=NY):
    return rollup_day(
        opens, closes, workouts, awards, goal,
        patient_id="p-1", local_date=day, timezone=zone, previous=previous,
    )


def test_spring_forward_day_is_23_hours_and_keeps_its_edges():
    day = date(2026, 3, 8)
    bounds = day_bounds_utc(day, NY)
    assert (bounds.start_utc, bounds.end_utc, bounds.hours) == (utc(2026, 3, 8, 5), utc(2026, 3, 9, 4), 23)
    row = rollup(
        day,
        opens=[
            utc(2026, 3, 8, 4, 59, 59),  # 23:59:59 EST on the 7th
            utc(2026, 3, 8, 5),  # 00:00 EST
            utc(2026, 3, 8, 7, 30),  # 03:30 EDT, just after the gap
            utc(2026, 3, 9, 3, 59, 59),  # 23:59:59 EDT
            utc(2026, 3, 9, 4),  # 00:00 EDT on the 9th
        ],
        workouts=[
            CompletedWorkout("w-late", utc(2026, 3, 9, 3, 55), 4),  # 23:55 EDT: still the 8th
            CompletedWorkout("w-next", utc(2026, 3, 9, 4, 5), 6),  # 00:05 on the 9th
        ],
        awards=[
            xp("workout:w-late", 12, utc(2026, 3, 9, 3, 55)),
            xp("workout:w-next", 14, utc(2026, 3, 9, 4, 5)),
        ],
    )
    assert row.app_opens_count == 3
    assert row.first_app_opened_at == utc(2026, 3, 8, 5)
    assert row.last_app_opened_at == utc(2026, 3, 9, 3, 59, 59)
    assert (row.workouts_completed, row.exercises_completed, row.xp_earned) == (1, 4, 12)
    assert row.is_streak_day


def test_fall_back_day_is_25_hours_and_counts_both_1_30s():
    day = date(2026, 11, 1)
    bounds = day_bounds_utc(day, NY)
    assert (bounds.start_utc, bounds.end_utc, bounds.hours) == (utc(2026, 11, 1, 4), utc(2026, 11, 2, 5), 25)
    row = rollup(
        day,
        opens=[utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)],  # 01:30 EDT and 01:30 EST
        closes=[
            utc(2026, 11, 1, 3, 59),  # 23:59 EDT on Oct 31
            utc(2026, 11, 2, 4, 30),  # 23:30 EST
            utc(2026, 11, 2, 5),  # 00:00 EST on Nov 2
        ],
        awards=[
            xp("a", 6, utc(2026, 11, 1, 4)),  # 00:00 EDT
            xp("b", 6, utc(2026, 11, 2, 4, 59, 59)),  # 23:59:59 EST
            xp("c", 50, utc(2026, 11, 2, 5)),  # next day
            xp("d", -20, utc(2026, 11, 1, 12), XpSource.ADMIN),  # negative XP does not reduce the day
        ],
    )
    assert row.app_opens_count == 2
    assert (row.app_closes_count, row.last_app_closed_at) == (1, utc(2026, 11, 2, 4, 30))
    assert row.xp_earned == 12
    assert row.is_streak_day and not row.met_goal


def test_late_night_events_belong_to_the_local_day_not_the_utc_day():
    madrid = "Europe/Madrid"  # UTC+2 in April
    row = rollup(
        date(2026, 4, 8),
        zone=madrid,
        workouts=[CompletedWorkout("w-1", utc(2026, 4, 8, 21, 50), 3)],  # 23:50 local
        awards=[xp("workout:w-1", 15, utc(2026, 4, 8, 21, 50))],
    )
    assert (row.workouts_completed, row.xp_earned, row.timezone) == (1, 15, madrid)
    late = CompletedWorkout("w-1", utc(2026, 4, 8, 21, 50), 3)
    next_day = rollup(date(2026, 4, 9), zone=madrid, workouts=[late])
    assert next_day.workouts_completed == 0


def test_mirror_workouts_are_not_exercise_and_duplicates_count_once():
    at = utc(2026, 4, 8, 15)
    row = rollup(
        date(2026, 4, 8),
        workouts=[
            CompletedWorkout("w-1", at, 3),
            CompletedWorkout("w-1", at, 3),
            CompletedWorkout("mirror-1", at, 5, inferred=True),
        ],
    )
    assert (row.workouts_completed, row.exercises_completed) == (1, 3)


def test_streak_day_needs_10_xp_and_is_sticky():
    day = date(2026, 4, 8)
    at = utc(2026, 4, 8, 15)
    nine = rollup(day, awards=[xp("a", 9, at)])
    ten = rollup(day, awards=[xp("a", 10, at)])
    assert not nine.is_streak_day and ten.is_streak_day
    # the award is later found outside the day (e.g. the patient's zone was corrected): stays a streak day
    again = rollup(day, awards=[], previous=ten)
    assert again.xp_earned == 0 and again.is_streak_day


def test_goal_snapshot_and_met_goal():
    day = date(2026, 4, 8)
    at = utc(2026, 4, 8, 15)
    row = rollup(day, awards=[xp("a", 29, at)])
    assert (row.daily_xp_goal, row.daily_exercises_goal, row.met_goal) == (30, 5, False)
    met = rollup(day, awards=[xp("a", 29, at), goal_bonus_award("p-1", day, 5, at)])
    assert met.met_goal and met.xp_earned == 34
    assert rollup(day, awards=[], previous=met).met_goal  # sticky
    assert not rollup(day, awards=[xp("a", 500, at)], goal=DailyGoal()).met_goal  # no goal set


def test_usage_counters_are_kept_when_the_store_counts_signals():
    day = date(2026, 4, 8)
    at = utc(2026, 4, 8, 15)
    earlier = at - timedelta(hours=1)
    row = new_day("p-1", day, NY, GOAL)
    row = record_app_close(record_app_open(record_app_open(row, at), earlier), at)  # arrived out of order
    assert (row.app_opens_count, row.first_app_opened_at, row.last_app_opened_at) == (2, earlier, at)
    rolled = rollup(day, opens=None, closes=None, awards=[xp("a", 12, at)], previous=row)
    assert (rolled.app_opens_count, rolled.app_closes_count, rolled.last_app_closed_at) == (2, 1, at)
    assert rolled.xp_earned == 12


def test_previous_row_must_match():
    row = new_day("p-2", date(2026, 4, 8), NY, GOAL)
    with pytest.raises(ValueError, match="another patient"):
        rollup(date(2026, 4, 8), previous=row)


def test_live_xp_updates_follow_the_same_rules():
    row = new_day("p-1", date(2026, 4, 8), NY, GOAL)
    row = add_awarded_xp(row, 9)
    assert not row.is_streak_day
    row = add_awarded_xp(add_awarded_xp(row, -50), 1)
    assert (row.xp_earned, row.is_streak_day, row.met_goal) == (10, True, False)
    assert add_awarded_xp(row, 20).met_goal


def streak_row(day: date, streak: bool = True) -> DailyActivity:
    return DailyActivity("p-1", day, NY, is_streak_day=streak)


def test_consecutive_streak_days():
    today = date(2026, 4, 8)
    days = [today - timedelta(days=n) for n in range(4)]
    assert consecutive_streak_days([streak_row(d) for d in days], today) == 4
    # today still open: the run ending yesterday counts
    assert consecutive_streak_days([streak_row(d) for d in days[1:]], today) == 3
    # a gap ends the run
    assert consecutive_streak_days([streak_row(d) for d in (days[0], days[2], days[3])], today) == 1
    # nothing today or yesterday: no current run
    assert consecutive_streak_days([streak_row(d) for d in days[2:]], today) == 0
    # a row that is not a streak day breaks it too
    broken = [streak_row(days[0]), streak_row(days[1], streak=False), streak_row(days[2])]
    assert consecutive_streak_days(broken, today) == 1
    assert consecutive_streak_days([], today) == 0


@settings(database=None, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=40)))
def test_streak_run_matches_a_walk_back(offsets):
    today = date(2026, 4, 8)
    rows = [streak_row(today - timedelta(days=o)) for o in offsets]
    start = 0 if 0 in offsets else 1
    expected = 0
    while start + expected in offsets:
        expected += 1
    assert consecutive_streak_days(rows, today) == expected


def test_every_day_of_a_range_is_listed_the_stored_ones_as_stored():
    stored = replace(new_day("p", date(2026, 3, 9), NY, GOAL), workouts_completed=1, xp_earned=12, is_streak_day=True)
    days = every_day([stored], date(2026, 3, 7), date(2026, 3, 10), "p", NY, GOAL)
    assert [d.local_date for d in days] == [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)]
    assert days[2] is stored
    empty = days[1]  # the DST change in New York: still one day, with nothing in it and today's goal
    assert (empty.app_opens_count, empty.workouts_completed, empty.xp_earned, empty.is_streak_day) == (0, 0, 0, False)
    assert (empty.timezone, empty.daily_xp_goal, empty.daily_exercises_goal) == (NY, 30, 5)


def test_a_one_day_range_is_one_day():
    assert [d.local_date for d in every_day([], date(2026, 12, 1), date(2026, 12, 1), "p", NY, GOAL)] == [date(2026, 12, 1)]
