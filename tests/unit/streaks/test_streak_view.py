"""build_view: the camelCase answer of GET /v2/streaks and its week calendar."""

from __future__ import annotations

from services.streaks.domain import StreakState, apply_workout, build_view, evaluate

NY = "America/New_York"
SUN, MON, TUE, WED, THU, FRI, SAT = 0, 1, 2, 3, 4, 5, 6


def statuses(view: dict) -> list[str]:
    return [day["status"] for day in view["weekCalendar"]]


def test_view_fields_and_calendar_dates(wall):
    state = apply_workout(None, wall("2026-03-02 09:00", NY), 30, NY)
    state = apply_workout(state, wall("2026-03-04 22:00", NY), 20, NY)  # 03:00 UTC Thursday
    now = wall("2026-03-07 12:00", NY)
    view = build_view(evaluate(state, now, NY), now, NY)
    assert view == {
        "currentDailyStreak": 2,
        "currentWeeklyStreak": 1,
        "lastWorkoutDate": "2026-03-05T03:00:00Z",
        "weeklyMinutes": 50,
        "weeklyWorkoutDays": [MON, WED],
        "weekStreakActiveSince": MON,
        "weekTimezone": NY,
        "weeklyDaysOffUsed": 3,  # Tue, Thu, Fri
        "weeklyDaysOffRemaining": 0,
        "daysOffPerWeek": 3,
        "weekCalendar": [
            {"date": "2026-03-02", "dayOfWeek": MON, "status": "done"},
            {"date": "2026-03-03", "dayOfWeek": TUE, "status": "rest"},
            {"date": "2026-03-04", "dayOfWeek": WED, "status": "done"},
            {"date": "2026-03-05", "dayOfWeek": THU, "status": "rest"},
            {"date": "2026-03-06", "dayOfWeek": FRI, "status": "rest"},
            {"date": "2026-03-07", "dayOfWeek": SAT, "status": "today"},
            {"date": "2026-03-08", "dayOfWeek": SUN, "status": "future"},
        ],
    }


def test_days_beyond_the_third_day_off_are_missed(wall):
    state = apply_workout(None, wall("2026-03-02 09:00", NY), 30, NY)
    now = wall("2026-03-08 10:00", NY)  # Sunday: Tue..Sat off, the streak is broken
    evaluated = evaluate(state, now, NY)
    view = build_view(evaluated, now, NY)
    assert statuses(view) == ["done", "rest", "rest", "rest", "missed", "missed", "today"]
    assert (view["weeklyDaysOffUsed"], view["weeklyDaysOffRemaining"]) == (5, 0)
    assert view["currentDailyStreak"] == 0


def test_days_before_a_mid_week_start_are_inactive(wall):
    state = apply_workout(None, wall("2026-03-04 09:00", NY), 30, NY)
    now = wall("2026-03-06 10:00", NY)
    view = build_view(evaluate(state, now, NY), now, NY)
    assert statuses(view) == ["inactive", "inactive", "done", "rest", "today", "future", "future"]
    assert view["weeklyDaysOffUsed"] == 1


def test_restart_after_a_break_shows_the_missed_days_as_inactive(wall):
    state = apply_workout(None, wall("2026-03-02 09:00", NY), 30, NY)
    state = apply_workout(state, wall("2026-03-07 09:00", NY), 30, NY)  # restarts on Saturday
    now = wall("2026-03-07 20:00", NY)
    view = build_view(evaluate(state, now, NY), now, NY)
    assert statuses(view) == ["done", "inactive", "inactive", "inactive", "inactive", "done", "future"]
    assert view["weekStreakActiveSince"] == SAT and view["weeklyDaysOffUsed"] == 0


def test_no_active_streak_shows_past_days_inactive(wall):
    state = apply_workout(None, wall("2026-03-02 09:00", NY), 30, NY)
    now = wall("2026-03-18 10:00", NY)  # two weeks later: broken at the transition
    view = build_view(evaluate(state, now, NY), now, NY)
    assert view["weekStreakActiveSince"] is None
    assert statuses(view) == ["inactive", "inactive", "today", "future", "future", "future", "future"]
    assert (view["weeklyDaysOffUsed"], view["weeklyDaysOffRemaining"]) == (0, 3)


def test_on_monday_there_is_no_yesterday_this_week(wall):
    state = apply_workout(None, wall("2026-03-05 09:00", NY), 30, NY)
    state = apply_workout(state, wall("2026-03-07 09:00", NY), 30, NY)
    now = wall("2026-03-09 08:00", NY)
    view = build_view(evaluate(state, now, NY), now, NY)
    assert view["weeklyDaysOffUsed"] == 0
    assert statuses(view) == ["today"] + ["future"] * 6


def test_empty_state_view(wall):
    view = build_view(StreakState(), wall("2026-03-04 09:00", NY), NY)
    assert view["lastWorkoutDate"] is None and view["currentDailyStreak"] == 0
    assert statuses(view) == ["inactive", "inactive", "today", "future", "future", "future", "future"]


def test_view_reads_and_never_changes_the_streak(wall):
    state = apply_workout(None, wall("2026-03-02 09:00", NY), 30, NY)
    later = wall("2026-03-20 09:00", NY)
    view = build_view(state, later, NY)  # not evaluated: the caller's job
    assert view["currentDailyStreak"] == 1
    assert state == apply_workout(None, wall("2026-03-02 09:00", NY), 30, NY)


def test_days_off_used_matches_the_calendar_dots(wall):
    state = None
    for day in ("03", "06"):
        state = apply_workout(state, wall(f"2026-03-{day} 09:00", NY), 30, NY)
    for today in range(2, 9):
        now = wall(f"2026-03-0{today} 21:00", NY)
        view = build_view(evaluate(state, now, NY), now, NY)
        dots = statuses(view)
        assert view["weeklyDaysOffUsed"] == dots.count("rest") + dots.count("missed")
