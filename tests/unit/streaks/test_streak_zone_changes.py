"""Patients who change zone: the week stays anchored in week_timezone until the next reset.

These pin the reading of the rules documented in services/streaks/domain/rules.py: the week
is reckoned in its anchor zone, and only a workout moves the anchor.
"""

from __future__ import annotations

from services.streaks.domain import WorkoutRecord, apply_workout, build_view, evaluate, replay

NY = "America/New_York"
TOKYO = "Asia/Tokyo"
KOLKATA = "Asia/Kolkata"
SUN, MON, TUE, WED, THU, FRI, SAT = 0, 1, 2, 3, 4, 5, 6


def test_zone_change_mid_week_keeps_the_week_anchored(wall):
    state = None
    for day in ("02", "03", "04"):
        state = apply_workout(state, wall(f"2026-03-{day} 09:00", NY), 30, NY)
    # Flown to Tokyo: Friday 08:00 there is Thursday 18:00 in New York, the week's zone.
    state = apply_workout(state, wall("2026-03-06 08:00", TOKYO), 30, TOKYO)
    assert state.week_timezone == NY
    assert state.weekly_workout_days == frozenset({MON, TUE, WED, THU})
    assert state.current_daily_streak == 4

    # Monday 09:00 in Tokyo is still Sunday evening in New York: the week has not turned.
    sunday_in_ny = evaluate(state, wall("2026-03-09 09:00", TOKYO), TOKYO)
    assert sunday_in_ny == state
    view = build_view(sunday_in_ny, wall("2026-03-09 09:00", TOKYO), TOKYO)
    assert view["weekCalendar"][6] == {"date": "2026-03-08", "dayOfWeek": SUN, "status": "today"}

    # Once Monday starts in New York the week turns (Fri, Sat, Sun off: kept) ...
    turned = evaluate(state, wall("2026-03-09 14:00", TOKYO), TOKYO)
    assert turned.week_streak_active_since == MON and turned.weekly_workout_days == frozenset()
    assert turned.week_timezone == NY  # ... and a read does not move the anchor
    # The first workout of the fresh week re-anchors it where the patient now is.
    tuesday = apply_workout(turned, wall("2026-03-10 10:00", TOKYO), 30, TOKYO)
    assert tuesday.week_timezone == TOKYO
    assert tuesday.weekly_workout_days == frozenset({TUE}) and tuesday.current_daily_streak == 5


def test_a_workout_the_old_zone_puts_in_a_closed_week_does_not_re_anchor(wall):
    # Anchored in Kolkata; the new week has turned there. A workout on Sunday evening in New York
    # is already Monday in Kolkata: it stays in the Kolkata week instead of reopening last week.
    state = apply_workout(None, wall("2026-03-06 09:00", KOLKATA), 30, KOLKATA)
    state = apply_workout(state, wall("2026-03-08 09:00", KOLKATA), 30, KOLKATA)
    state = apply_workout(state, wall("2026-03-08 20:00", NY), 30, NY)  # Monday 05:30 in Kolkata
    assert state.week_timezone == KOLKATA
    assert state.weekly_workout_days == frozenset({MON}) and state.current_daily_streak == 3


def test_a_read_in_a_zone_ahead_does_not_break_a_streak_the_workout_keeps(wall):
    # Home is Kolkata, travelling in New York. Saturday 02:00 in Kolkata, Tue..Fri look missed;
    # in New York, the week's zone, it is Friday afternoon and only Tue..Thu are over.
    monday = WorkoutRecord(wall("2026-01-05 10:00", NY), 30, NY)
    friday = WorkoutRecord(wall("2026-01-09 16:00", NY), 30, NY)
    state = apply_workout(None, monday.completed_at, 30, NY)
    read = evaluate(state, wall("2026-01-10 02:00", KOLKATA), KOLKATA)
    assert read.current_daily_streak == 1
    after = apply_workout(read, friday.completed_at, 30, NY)
    assert after.current_daily_streak == 2
    assert after == replay([monday, friday], friday.completed_at, KOLKATA)


def test_a_read_that_turns_the_week_keeps_the_week_s_zone(wall):
    kiritimati = "Pacific/Kiritimati"  # UTC+14: its Monday starts on Sunday morning UTC
    first = WorkoutRecord(wall("2026-01-01 12:00", NY), 0, NY)
    state = apply_workout(None, first.completed_at, 0, NY)
    read_at = wall("2026-01-05 10:00", kiritimati)  # Sunday afternoon in New York
    read = evaluate(state, read_at, kiritimati)
    assert read == state and read.week_timezone == NY
    later = wall("2026-01-12 12:00", kiritimati)
    assert evaluate(read, later, kiritimati) == replay([first], later, kiritimati)
