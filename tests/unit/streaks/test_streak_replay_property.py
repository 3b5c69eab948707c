"""Property: applying workouts one by one with reads in between always ends where replay ends."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.streaks.domain import (
    StreakState,
    WorkoutRecord,
    apply_workout,
    build_view,
    evaluate,
    explain,
    replay,
)
from services.streaks.domain.replay import replay_workout_by_workout
from services.streaks.domain.week_scan import replay_one_zone

UTC = timezone.utc
ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST shift, southern hemisphere
    "Asia/Kolkata",
    "Asia/Kathmandu",  # +05:45
    "America/St_Johns",  # -03:30 with DST
    "UTC",
    "Europe/Berlin",
    "Pacific/Kiritimati",  # +14: its Monday starts on Sunday in UTC
)
# Histories start anywhere in 2026 so the ten weeks cross US, EU and Lord Howe DST changes.
FIRST_START = datetime(2026, 1, 1, tzinfo=UTC)
HISTORY_DAYS = 70


@st.composite
def histories(draw):
    tz = draw(st.sampled_from(ZONES))
    start = FIRST_START + timedelta(minutes=draw(st.integers(0, 335 * 24 * 60)))
    # A third of the histories stay in one zone (the common case, and the one-zone scan's
    # input); the others travel: mostly between home and one other zone, sometimes anywhere.
    travel = draw(st.sampled_from(("home", "two zones", "anywhere")))
    if travel == "home":
        zone_choice = st.none()
    elif travel == "two zones":
        zone_choice = st.sampled_from((None, draw(st.sampled_from(ZONES))))
    else:
        zone_choice = st.one_of(st.none(), st.sampled_from(ZONES))
    # Short spans pack workouts and reads into a few weeks, where they interact most.
    span_days = draw(st.sampled_from((14, 28, HISTORY_DAYS)))
    workouts = draw(
        st.lists(
            st.tuples(st.integers(0, span_days - 1), st.integers(0, 1439), st.integers(0, 120), zone_choice),
            max_size=40,
        )
    )
    records = [
        WorkoutRecord(start + timedelta(days=day, minutes=minute), minutes, zone)
        for day, minute, minutes, zone in workouts
    ]
    instants = sorted(record.completed_at for record in records)
    # Reads anywhere, and reads close before or after a workout: a read a few hours before a
    # workout in another zone is where "today" of the reader and of the workout disagree.
    read_choice = st.one_of(
        st.tuples(st.just("anywhere"), st.integers(0, (span_days + 21) * 1440)),
        st.tuples(st.just("near"), st.integers(0, 39), st.integers(-24 * 60, 120)),
        st.tuples(st.just("near"), st.integers(0, 39), st.integers(-14 * 60, 0)),
    )
    reads = []
    for kind, first, *rest in draw(st.lists(read_choice, max_size=12)):
        if kind == "anywhere":
            reads.append(start + timedelta(minutes=first))
        elif instants:
            reads.append(instants[first % len(instants)] + timedelta(minutes=rest[0]))
    reads = [read for read in reads if read >= start]
    tail = timedelta(minutes=draw(st.integers(0, 21 * 1440)))
    now = max(instants + reads + [start]) + tail
    return tz, records, reads, now


def _stored(state: StreakState) -> dict:
    # What the service keeps between events: JSON, not Python objects.
    return json.loads(json.dumps(state.to_dict()))


@settings(max_examples=2000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_incremental_path_equals_replay_at_every_read(history):
    tz, records, reads, now = history
    workouts = sorted(records, key=lambda record: record.completed_at)
    # Reads at the same instant as a workout come after it.
    timeline = sorted(
        [(workout.completed_at, 0, workout) for workout in workouts] + [(read, 1, None) for read in reads],
        key=lambda event: (event[0], event[1]),
    )
    stored: dict | None = None
    applied: list[WorkoutRecord] = []
    for instant, kind, workout in timeline:
        state = StreakState.from_dict(stored) if stored is not None else None
        if kind == 0:
            state = apply_workout(state, workout.completed_at, workout.minutes, workout.timezone or tz)
            applied.append(workout)
        else:
            state = evaluate(state or StreakState(), instant, tz)
            assert state == replay(applied, instant, tz), f"read at {instant.isoformat()}"
        stored = _stored(state)

    final = evaluate(StreakState.from_dict(stored) if stored is not None else StreakState(), now, tz)
    replayed = replay(records, now, tz)
    assert final == replayed
    view = build_view(final, now, tz)
    assert view == build_view(replayed, now, tz)
    # The account support staff read ends on the same numbers.
    assert (
        f"(now): daily streak {view['currentDailyStreak']}, weekly streak {view['currentWeeklyStreak']}, "
        f"{view['weeklyDaysOffUsed']} of 3 days off used"
    ) in explain(records, now, tz)[-1]
    if records and all(record.timezone is None for record in records):
        assert replay_one_zone(records, now, tz) == replayed


@st.composite
def long_histories(draw):
    """Up to three years of weeks, each a random set of workout days, sometimes weeks apart."""
    tz = draw(st.sampled_from(ZONES))
    monday = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(weeks=draw(st.integers(0, 52)))
    records = []
    week = 0
    weeks = st.tuples(
        st.lists(st.booleans(), min_size=7, max_size=7),  # which days, Monday first, have a workout
        st.sampled_from((0, 0, 0, 0, 1, 2)),  # extra empty weeks before this one
        st.integers(0, 1439),  # time of day (UTC) of this week's workouts
        st.integers(0, 60),  # minutes of each workout
        st.booleans(),  # a second workout on the same day
    )
    for workout_days, skipped, minute, minutes, twice in draw(st.lists(weeks, min_size=1, max_size=160)):
        week += 1 + skipped
        for day, has_workout in enumerate(workout_days):
            if has_workout:
                completed_at = monday + timedelta(weeks=week, days=day, minutes=minute)
                records.append(WorkoutRecord(completed_at, minutes))
                if twice:
                    records.append(WorkoutRecord(completed_at + timedelta(minutes=50), minutes))
    now = monday + timedelta(weeks=week + draw(st.integers(0, 2)), hours=draw(st.integers(0, 7 * 24)))
    return tz, records, now


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_histories())
def test_one_zone_scan_equals_workout_by_workout_on_long_histories(history):
    tz, records, now = history
    if records:
        assert replay_one_zone(records, now, tz) == replay_workout_by_workout(records, now, tz)


# The two facts the main property rests on, tested where they are most fragile: a read a few
# hours before the next workout, with the reader and the workout in different zones.


@st.composite
def state_then_workout(draw):
    tz = draw(st.sampled_from(ZONES))
    elsewhere = draw(st.sampled_from(ZONES))
    start = FIRST_START + timedelta(minutes=draw(st.integers(0, 335 * 24 * 60)))
    earlier = draw(
        st.lists(st.tuples(st.integers(0, 13), st.integers(0, 1439), st.booleans()), min_size=1, max_size=8)
    )
    records = [
        WorkoutRecord(start + timedelta(days=day, minutes=minute), 30, elsewhere if away else None)
        for day, minute, away in earlier
    ]
    state = replay_workout_by_workout(records, start, tz)
    last = state.last_workout_date
    assert last is not None
    workout_at = last + timedelta(minutes=draw(st.integers(0, 10 * 1440)))
    read_at = workout_at - timedelta(minutes=draw(st.integers(0, 24 * 60)))
    read_at = max(read_at, last)
    later_read = read_at + timedelta(minutes=draw(st.integers(0, 3 * 1440)))
    return tz, elsewhere, state, read_at, workout_at, later_read


@settings(max_examples=1000, deadline=None, database=None)
@given(state_then_workout())
def test_a_read_never_changes_what_the_next_workout_does(case):
    tz, elsewhere, state, read_at, workout_at, _ = case
    read_first = apply_workout(evaluate(state, read_at, tz), workout_at, 30, elsewhere)
    assert read_first == apply_workout(state, workout_at, 30, elsewhere)


@settings(max_examples=1000, deadline=None, database=None)
@given(state_then_workout())
def test_two_reads_end_where_the_later_read_alone_ends(case):
    tz, _, state, read_at, _, later_read = case
    assert evaluate(evaluate(state, read_at, tz), later_read, tz) == evaluate(state, later_read, tz)
