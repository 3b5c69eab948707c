"""Property: the workout consumer's choice (incremental when applies_incrementally says so, else replay)
ends where a replay of everything it has seen ends, for real and mirror workouts arriving late or in order."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.streaks.domain import StreakState, WorkoutRecord, applies_incrementally, apply_workout, evaluate, replay

UTC = timezone.utc
ZONES = ("America/New_York", "Europe/Madrid", "Asia/Kathmandu", "Pacific/Kiritimati", "America/St_Johns", "UTC")
FIRST_START = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def consumer_timelines(draw):
    """Workouts (real with minutes, or mirrors with none dated late on their day, as plans makes them),
    each arriving some delay after it completed, and the patient's reads, all on one wall clock."""
    tz = draw(st.sampled_from(ZONES))
    start = FIRST_START + timedelta(minutes=draw(st.integers(0, 330 * 24 * 60)))
    span_days = draw(st.sampled_from((10, 21, 60)))
    travel = st.one_of(st.none(), st.sampled_from(ZONES)) if draw(st.booleans()) else st.none()
    events = []
    for day, minute, minutes, mirror, zone, delay in draw(st.lists(st.tuples(
        st.integers(0, span_days - 1), st.integers(0, 1439), st.integers(0, 90), st.booleans(), travel,
        # Most events land within seconds; some are queued for hours or days (an outage, a redelivery).
        st.one_of(st.integers(0, 5), st.integers(0, 3 * 24 * 60)),
    ), max_size=30)):
        completed_at = start + timedelta(days=day, minutes=minute)
        record = WorkoutRecord(completed_at, 0 if mirror else minutes, zone)
        events.append((completed_at + timedelta(minutes=delay), 0, record))
    for minute in draw(st.lists(st.integers(0, (span_days + 7) * 1440), max_size=12)):
        events.append((start + timedelta(minutes=minute), 1, None))
    now = max([at for at, _, _ in events] + [start]) + timedelta(minutes=draw(st.integers(0, 10 * 1440)))
    return tz, sorted(events, key=lambda event: (event[0], event[1])), now


def _stored(state: StreakState) -> StreakState:
    # What the service keeps between events: JSON, not Python objects.
    return StreakState.from_dict(json.loads(json.dumps(state.to_dict())))


@settings(max_examples=1500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(consumer_timelines())
def test_incremental_where_allowed_else_replay_equals_replay(timeline):
    tz, events, now = timeline
    state, evaluated_at = StreakState(), None
    seen: list[WorkoutRecord] = []
    incremental = 0
    for at, kind, record in events:
        if kind == 1:
            # A read: evaluated at its instant and kept, as get_streak does.
            state = _stored(evaluate(state, at, tz))
            evaluated_at = at if evaluated_at is None else max(at, evaluated_at)
            assert state == replay(seen, at, tz), f"read at {at.isoformat()}"
            continue
        seen.append(record)
        if applies_incrementally(state, evaluated_at, record.completed_at):
            state = _stored(apply_workout(state, record.completed_at, record.minutes, record.timezone or tz))
            evaluated_at = record.completed_at
            incremental += 1
        else:
            as_of = max(seen_record.completed_at for seen_record in seen)
            state, evaluated_at = _stored(replay(seen, as_of, tz)), as_of
    assert evaluate(state, now, tz) == replay(seen, now, tz)


def test_a_mirror_after_the_last_workout_applies_incrementally_and_a_late_one_does_not():
    real = WorkoutRecord(datetime(2026, 3, 2, 9, tzinfo=UTC), 30)
    state = replay([real], real.completed_at, "Europe/Madrid")
    mirror_next_day = datetime(2026, 3, 3, 22, 59, 59, tzinfo=UTC)
    assert applies_incrementally(state, real.completed_at, mirror_next_day)
    assert apply_workout(state, mirror_next_day, 0, "Europe/Madrid") == replay(
        [real, WorkoutRecord(mirror_next_day, 0)], mirror_next_day, "Europe/Madrid"
    )
    # The patient read the streak after the mirror's instant: that read may have counted a day off.
    assert not applies_incrementally(state, mirror_next_day + timedelta(minutes=1), mirror_next_day)
    assert not applies_incrementally(state, None, real.completed_at)  # same instant: replay
    assert not applies_incrementally(StreakState(), None, mirror_next_day)  # first workout: replay
