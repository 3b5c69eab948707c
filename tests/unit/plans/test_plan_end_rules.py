"""When a plan's dates are over and what it becomes; the days a plan's analytics count; when care ended."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from services.plans.domain.plan import ended_on_after, plan_last_day, status_at_end_date, within_plan
from services.plans.domain.workout import ExerciseLog, ExerciseSessionLink

START = date(2026, 3, 2)  # a two-week plan: 2 .. 15 March


def test_a_plans_dates_include_both_ends() -> None:
    assert plan_last_day(START, 2) == date(2026, 3, 15)
    assert within_plan(START, START, 2) and within_plan(date(2026, 3, 15), START, 2)
    assert not within_plan(date(2026, 3, 1), START, 2) and not within_plan(date(2026, 3, 16), START, 2)


def test_an_active_plan_ends_the_day_after_its_last_day() -> None:
    assert status_at_end_date("active", START, 2, date(2026, 3, 15), 6, 2) is None  # its last day is not over
    assert status_at_end_date("active", START, 2, date(2026, 3, 16), 6, 2) == "expired"
    assert status_at_end_date("active", START, 2, date(2026, 3, 16), 6, 6) == "completed"
    assert status_at_end_date("active", START, 2, date(2026, 3, 16), 0, 0) == "expired"
    for finished in ("expired", "completed", "cancelled"):
        assert status_at_end_date(finished, START, 2, date(2026, 4, 30), 6, 2) is None


def test_care_ends_on_the_patients_today_never_after_the_last_day() -> None:
    assert ended_on_after("active", "completed", None, date(2026, 3, 10), START, 2) == date(2026, 3, 10)
    assert ended_on_after("active", "expired", None, date(2026, 4, 1), START, 2) == date(2026, 3, 15)
    assert ended_on_after("expired", "active", date(2026, 3, 15), date(2026, 4, 1), START, 2) is None
    assert ended_on_after("expired", "completed", date(2026, 3, 15), date(2026, 4, 1), START, 2) == date(2026, 3, 15)


def _session(minute: int, ended: bool, reps: int | None, incomplete: bool | None = False) -> ExerciseSessionLink:
    at = datetime(2026, 3, 2, 10, minute, tzinfo=timezone.utc)
    return ExerciseSessionLink(uuid.uuid4(), at, at.replace(second=30) if ended else None, incomplete if ended else None, reps)


def test_the_measured_session_is_the_scored_one_else_the_latest_finalized() -> None:
    scored, empty, still_open = _session(1, True, 9), _session(5, True, 0, incomplete=True), _session(9, False, None)
    log = ExerciseLog(1, uuid.uuid4(), "Squat", 3, 10, 3, 10, False, None, 99.8, scored.session_id,
                      [scored, empty, still_open])
    assert log.measured_session == scored  # an empty later session never stands in for the measurement
    unscored = ExerciseLog(1, uuid.uuid4(), "Squat", 3, 10, 3, 10, False, None, None, None, [empty, still_open])
    assert unscored.measured_session == empty and empty.status == "incomplete" and still_open.status == "open"
    assert ExerciseLog(1, uuid.uuid4(), "Squat", 3, 10, None, None, False, None, None).measured_session is None
