"""The streak rules of issue 3, one named scenario per rule (weeks of March 2026 unless said)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.streaks.domain import StreakState, WorkoutRecord, apply_workout, evaluate, replay

UTC = timezone.utc
NY = "America/New_York"
SUN, MON, TUE, WED, THU, FRI, SAT = 0, 1, 2, 3, 4, 5, 6


def workouts(zone_name: str, *sessions: tuple[datetime, int]) -> StreakState:
    """Apply sessions one by one, as the service does on each workout.completed event."""
    state = None
    for completed_at, minutes in sessions:
        state = apply_workout(state, completed_at, minutes, zone_name)
    assert state is not None
    return state


def test_first_workout_starts_both_streaks(wall):
    state = apply_workout(None, wall("2026-03-04 10:00", NY), 50, NY)
    assert state == StreakState(
        current_daily_streak=1,
        current_weekly_streak=1,  # 50 minutes alone reach the weekly target
        last_workout_date=wall("2026-03-04 10:00", NY),
        weekly_minutes=50,
        weekly_workout_days=frozenset({WED}),
        week_streak_active_since=WED,
        week_timezone=NY,
    )
    assert apply_workout(StreakState(), wall("2026-03-04 10:00", NY), 50, NY) == state  # zero row, same result


def test_mid_week_start_ignores_the_days_before_it(wall):
    state = workouts(NY, (wall("2026-03-04 10:00", NY), 30), (wall("2026-03-07 10:00", NY), 30))
    assert state.week_streak_active_since == WED  # Mon and Tue do not count as days off
    # Next Monday the week is judged from Wednesday: Thu, Fri, Sun off = 3, the streak survives.
    monday = evaluate(state, wall("2026-03-09 08:00", NY), NY)
    assert monday.current_daily_streak == 2
    assert monday.week_streak_active_since == MON
    assert monday.weekly_workout_days == frozenset() and monday.weekly_minutes == 0


def test_mid_week_start_with_four_days_off_left_breaks_on_monday(wall):
    state = workouts(NY, (wall("2026-03-04 10:00", NY), 30))  # Wed only: Thu..Sun off
    monday = evaluate(state, wall("2026-03-09 08:00", NY), NY)
    assert (monday.current_daily_streak, monday.week_streak_active_since) == (0, None)


def test_fourth_missed_day_breaks_the_streak_the_next_day(wall):
    state = workouts(NY, (wall("2026-03-02 10:00", NY), 30))
    friday = evaluate(state, wall("2026-03-06 23:59", NY), NY)  # Tue, Wed, Thu off: 3, allowed
    assert friday == state
    saturday = evaluate(state, wall("2026-03-07 00:01", NY), NY)  # Fri is the 4th day off
    assert (saturday.current_daily_streak, saturday.current_weekly_streak) == (0, 0)


def test_break_is_lazy_found_on_the_next_read(wall):
    state = workouts(NY, *[(wall(f"2026-03-0{day} 10:00", NY), 30) for day in (2, 3)])
    # Nothing is stored between events: the row still says 2 until someone reads it.
    assert state.current_daily_streak == 2
    read_much_later = evaluate(state, wall("2026-03-13 12:00", NY), NY)  # Friday of the next week
    assert read_much_later.current_daily_streak == 0  # previous week had Wed..Sun off
    assert read_much_later.week_streak_active_since is None
    assert state.current_daily_streak == 2  # evaluate returns a new value, the old one is untouched


def test_today_still_counts_as_a_chance(wall):
    state = workouts(NY, (wall("2026-03-02 10:00", NY), 30))
    # On Friday, Tue..Thu are 3 days off; Friday itself is not counted until it is over.
    friday = apply_workout(state, wall("2026-03-06 21:00", NY), 30, NY)
    assert friday.current_daily_streak == 2


def test_sunday_23_30_local_belongs_to_the_ending_week(wall):
    sessions = [(wall(f"2026-03-0{day} 09:00", NY), 10) for day in (2, 3, 4, 5)]
    late_sunday = wall("2026-03-08 23:30", NY)  # 03:30 UTC on Monday
    state = workouts(NY, *sessions, (late_sunday, 10))
    assert state.weekly_workout_days == frozenset({MON, TUE, WED, THU, SUN})
    assert state.weekly_minutes == 50 and state.current_weekly_streak == 1
    assert state.current_daily_streak == 5
    # Monday 00:15 local: the week turns with 2 days off (Fri, Sat).
    monday = evaluate(state, wall("2026-03-09 00:15", NY), NY)
    assert monday.weekly_workout_days == frozenset() and monday.current_daily_streak == 5
    # Read in UTC the same instant is already Monday: the zone decides the week.
    in_utc = apply_workout(None, late_sunday, 10, "UTC")
    assert in_utc.weekly_workout_days == frozenset({MON})


def test_10_pm_est_workout_is_on_the_local_day(wall):
    tuesday_night = wall("2026-01-13 22:00", NY)  # 03:00 UTC Wednesday
    assert apply_workout(None, tuesday_night, 30, NY).weekly_workout_days == frozenset({TUE})
    assert apply_workout(None, tuesday_night, 30, "UTC").weekly_workout_days == frozenset({WED})
    wednesday_morning = wall("2026-01-14 08:00", NY)  # 13:00 UTC Wednesday
    local = workouts(NY, (tuesday_night, 30), (wednesday_morning, 30))
    utc = workouts("UTC", (tuesday_night, 30), (wednesday_morning, 30))
    assert local.current_daily_streak == 2  # two local days
    assert utc.current_daily_streak == 1  # one UTC day: same day, unchanged


@pytest.mark.parametrize(
    "zone_name, sunday",
    [
        (NY, "2026-03-08"),  # US spring forward: a 23-hour Sunday
        (NY, "2026-11-01"),  # US fall back: a 25-hour Sunday
        ("Europe/London", "2026-03-29"),
        ("Europe/London", "2026-10-25"),
        ("Europe/Berlin", "2026-03-29"),
        ("Australia/Lord_Howe", "2026-04-05"),  # half-hour shift, southern autumn
    ],
)
def test_dst_weeks_turn_at_local_midnight(wall, zone_name, sunday):
    sunday_date = datetime.fromisoformat(sunday).date()
    monday = sunday_date - timedelta(days=6)
    sessions = [(wall(f"{monday + timedelta(days=day)} 12:00", zone_name), 15) for day in range(4)]
    state = workouts(zone_name, *sessions, (wall(f"{sunday} 23:30", zone_name), 15))
    assert state.weekly_workout_days == frozenset({MON, TUE, WED, THU, SUN})
    next_monday = sunday_date + timedelta(days=1)
    still_sunday = evaluate(state, wall(f"{sunday} 23:59", zone_name), zone_name)
    assert still_sunday == state
    turned = evaluate(state, wall(f"{next_monday} 00:01", zone_name), zone_name)
    assert turned.weekly_workout_days == frozenset() and turned.week_streak_active_since == MON
    assert turned.current_daily_streak == 5
    # A workout at the very start of Monday goes to the new week.
    early = apply_workout(state, wall(f"{next_monday} 00:05", zone_name), 15, zone_name)
    assert early.weekly_workout_days == frozenset({MON}) and early.current_daily_streak == 6


def test_dst_fall_back_repeated_hour_is_one_local_day():
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, an hour later
    state = workouts(NY, (first, 20), (second, 30))
    assert state.current_daily_streak == 1 and state.weekly_workout_days == frozenset({SUN})
    assert state.current_weekly_streak == 1  # 50 minutes


def test_weekly_target_is_crossed_once_per_week(wall):
    state = workouts(
        NY,
        (wall("2026-03-02 09:00", NY), 30),
        (wall("2026-03-03 09:00", NY), 20),  # 50: crosses 45, weekly +1
        (wall("2026-03-04 09:00", NY), 60),  # 110: already above, no change
        (wall("2026-03-04 18:00", NY), 45),
        (wall("2026-03-07 18:00", NY), 5),  # Saturday: Thu, Fri, Sun off keeps the streak
    )
    assert (state.current_weekly_streak, state.weekly_minutes) == (1, 160)
    next_week = workouts(NY, (wall("2026-03-09 09:00", NY), 44), (wall("2026-03-09 10:00", NY), 1))
    assert next_week.current_weekly_streak == 1  # exactly 45 counts
    both = state
    for session in [(wall("2026-03-09 09:00", NY), 44), (wall("2026-03-09 10:00", NY), 1)]:
        both = apply_workout(both, *session, NY)
    assert both.current_weekly_streak == 2 and both.weekly_minutes == 45
    assert both.current_daily_streak == 5


def test_zero_minute_workout_counts_as_a_workout_day(wall):
    state = workouts(NY, (wall("2026-03-02 09:00", NY), 0), (wall("2026-03-03 09:00", NY), 0))
    assert (state.current_daily_streak, state.current_weekly_streak) == (2, 0)


def test_two_weeks_without_workouts_break_and_reset(wall):
    state = workouts(NY, (wall("2026-03-02 09:00", NY), 60), (wall("2026-03-03 09:00", NY), 60))
    gap = evaluate(state, wall("2026-03-16 09:00", NY), NY)
    assert gap == StreakState(
        current_daily_streak=0,
        current_weekly_streak=0,
        last_workout_date=state.last_workout_date,
        weekly_minutes=0,
        weekly_workout_days=frozenset(),
        week_streak_active_since=None,
        week_timezone=NY,
    )
    restarted = apply_workout(state, wall("2026-03-17 09:00", NY), 50, NY)
    assert restarted.current_daily_streak == 1 and restarted.current_weekly_streak == 1
    assert restarted.week_streak_active_since == TUE and restarted.weekly_workout_days == frozenset({TUE})


def test_break_at_a_week_transition_clears_active_since(wall):
    state = workouts(NY, (wall("2026-03-02 09:00", NY), 60), (wall("2026-03-03 09:00", NY), 10))
    monday = evaluate(state, wall("2026-03-09 09:00", NY), NY)  # Wed..Sun off: 5
    assert (monday.current_daily_streak, monday.current_weekly_streak) == (0, 0)
    assert monday.week_streak_active_since is None
    assert (monday.weekly_minutes, monday.weekly_workout_days) == (0, frozenset())


def test_break_inside_a_week_keeps_the_week(wall):
    state = workouts(NY, (wall("2026-03-02 09:00", NY), 60))
    saturday = evaluate(state, wall("2026-03-07 09:00", NY), NY)
    assert (saturday.current_daily_streak, saturday.current_weekly_streak) == (0, 0)
    # The week's data stays so the calendar can show which days were missed.
    assert saturday.week_streak_active_since == MON
    assert (saturday.weekly_minutes, saturday.weekly_workout_days) == (60, frozenset({MON}))
    # The next workout restarts the streak from its own day.
    sunday = apply_workout(saturday, wall("2026-03-08 09:00", NY), 10, NY)
    assert sunday.current_daily_streak == 1 and sunday.week_streak_active_since == SUN
    assert sunday.weekly_workout_days == frozenset({MON, SUN}) and sunday.weekly_minutes == 70
    assert sunday.current_weekly_streak == 0  # 60 had already crossed 45 before the break


def test_overflow_right_after_a_transition_breaks_inside_the_new_week(wall):
    state = workouts(NY, *[(wall(f"2026-03-0{day} 09:00", NY), 20) for day in (2, 3, 4, 5, 6)])
    # First read on Friday of the next week: last week was fine, this week has Mon..Thu off.
    friday = evaluate(state, wall("2026-03-13 09:00", NY), NY)
    assert (friday.current_daily_streak, friday.current_weekly_streak) == (0, 0)
    assert friday.week_streak_active_since == MON  # kept: inside-week break
    assert (friday.weekly_minutes, friday.weekly_workout_days) == (0, frozenset())


def test_transition_is_processed_once(wall):
    state = workouts(NY, *[(wall(f"2026-03-0{day} 09:00", NY), 20) for day in (2, 3, 4, 5)])
    monday = evaluate(state, wall("2026-03-09 09:00", NY), NY)
    assert monday.week_streak_active_since == MON and monday.weekly_workout_days == frozenset()
    # The row still has last week's workout date; the guard stops a second transition.
    assert evaluate(monday, wall("2026-03-09 18:00", NY), NY) is monday
    tuesday = evaluate(monday, wall("2026-03-10 09:00", NY), NY)
    assert tuesday == monday
    thursday = evaluate(tuesday, wall("2026-03-12 09:00", NY), NY)  # Mon..Wed off: 3
    assert thursday.current_daily_streak == 4
    friday = evaluate(thursday, wall("2026-03-13 09:00", NY), NY)  # Mon..Thu off: 4
    assert friday.current_daily_streak == 0 and friday.week_streak_active_since == MON
    # Same answers as replaying the four workouts at those instants.
    records = [WorkoutRecord(wall(f"2026-03-0{day} 09:00", NY), 20) for day in (2, 3, 4, 5)]
    assert replay(records, wall("2026-03-10 09:00", NY), NY) == tuesday
    assert replay(records, wall("2026-03-13 09:00", NY), NY) == friday


def test_the_week_after_a_processed_transition_ends_normally(wall):
    state = workouts(NY, (wall("2026-03-02 09:00", NY), 20), (wall("2026-03-07 09:00", NY), 20))
    monday = evaluate(state, wall("2026-03-09 09:00", NY), NY)
    # Two weeks after the last workout: the empty week that followed breaks the streak.
    later = evaluate(monday, wall("2026-03-16 09:00", NY), NY)
    assert later.current_daily_streak == 0 and later.week_streak_active_since is None


def test_workout_after_an_unread_break_restarts_at_one(wall):
    state = workouts(NY, (wall("2026-03-02 09:00", NY), 20))
    restarted = apply_workout(state, wall("2026-03-07 09:00", NY), 20, NY)  # Tue..Fri off
    assert restarted.current_daily_streak == 1 and restarted.week_streak_active_since == SAT


def test_unknown_zone_counts_in_utc(wall):
    state = apply_workout(None, wall("2026-01-13 22:00", NY), 30, "Mars/Olympus_Mons")
    assert state.week_timezone == "UTC" and state.weekly_workout_days == frozenset({WED})


def test_read_before_the_state_s_week_changes_nothing(wall):
    state = workouts(NY, (wall("2026-03-09 09:00", NY), 20))
    assert evaluate(state, wall("2026-03-04 09:00", NY), NY) is state
