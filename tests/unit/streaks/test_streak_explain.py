"""explain: the day-by-day account support staff read to answer "why did my streak reset?"."""

from __future__ import annotations

from services.streaks.domain import WorkoutRecord, build_view, explain, replay

NY = "America/New_York"


def test_explains_a_fourth_day_off(wall):
    history = [WorkoutRecord(wall("2026-03-02 09:00", NY), 30)]
    lines = explain(history, wall("2026-03-07 10:00", NY), NY)
    assert lines[0].startswith("2026-03-02 Mon 09:00 (America/New_York): workout of 30 min → daily streak 1")
    assert "first workout" in lines[0]
    assert lines[1] == (
        "2026-03-07 Sat: streak broken — 4th day off in week of 2026-03-02: Tue, Wed, Thu, Fri; "
        "daily streak 1 → 0, weekly streak 0 → 0."
    )
    assert lines[-1].startswith("2026-03-07 Sat (now): daily streak 0, weekly streak 0, 4 of 3 days off used")


def test_explains_transitions_gaps_and_targets(wall):
    history = [
        WorkoutRecord(wall("2026-03-02 09:00", NY), 30),
        WorkoutRecord(wall("2026-03-03 09:00", NY), 20),
        WorkoutRecord(wall("2026-03-06 09:00", NY), 10),
        WorkoutRecord(wall("2026-03-07 09:00", NY), 10),
        WorkoutRecord(wall("2026-03-10 09:00", NY), 10),
        WorkoutRecord(wall("2026-03-31 09:00", NY), 50, "Europe/London"),
    ]
    now = wall("2026-04-01 09:00", NY)
    text = "\n".join(explain(history, now, NY))
    assert "45-minute target reached this week: weekly streak +1" in text
    assert "new week of 2026-03-09; the week of 2026-03-02 kept the streak (3 of 3 days off: Wed, Thu, Sun)" in text
    assert "this week is now reckoned in Europe/London" in text
    assert "streak broken — no workout since 2026-03-10 Tue: the week of 2026-03-16 had no workout" in text
    assert "the streak restarts today" in text
    state = replay(history, now, NY)
    view = build_view(state, now, NY)
    assert text.splitlines()[-1].endswith(
        f"daily streak {view['currentDailyStreak']}, weekly streak {view['currentWeeklyStreak']}, "
        f"{view['weeklyDaysOffUsed']} of 3 days off used this week, {view['weeklyMinutes']}/45 min this week."
    )


def test_explains_a_week_that_ended_with_too_many_days_off(wall):
    history = [WorkoutRecord(wall("2026-03-02 09:00", NY), 30), WorkoutRecord(wall("2026-03-03 09:00", NY), 30)]
    lines = explain(history, wall("2026-03-09 09:00", NY), NY)
    assert lines[2] == (
        "2026-03-09 Mon: new week of 2026-03-09; the streak did not survive the week before — "
        "4th day off in week of 2026-03-02: Wed, Thu, Fri, Sat, Sun (5 days off, 3 allowed); "
        "daily streak 2 → 0, weekly streak 1 → 0; weekly data reset."
    )


def test_same_day_workouts_are_called_out(wall):
    history = [WorkoutRecord(wall("2026-03-02 09:00", NY), 30), WorkoutRecord(wall("2026-03-02 19:00", NY), 30)]
    lines = explain(history, wall("2026-03-02 20:00", NY), NY)
    assert "same day as the previous workout: daily streak unchanged" in lines[1]


def test_no_workouts_and_unknown_zone(wall):
    lines = explain([], wall("2026-03-02 09:00", NY), "Nowhere/Atlantis")
    assert lines[0] == "Zone 'Nowhere/Atlantis' is not a known IANA zone: days are counted in UTC."
    assert lines[1] == "No workouts: there is no streak."
