"""A mirror workout is dated on its entrance's local day, never after that day's last second."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest

from services.common.errors import RuleViolation
from services.plans.domain.mirror import mirror_instant, mirror_workout
from tests.unit.plans.fakes import scheduled_workout

UTC = timezone.utc


def test_a_mirror_made_during_the_day_is_dated_now() -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert mirror_instant(date(2026, 6, 1), "Europe/Madrid", now) == now


def test_a_mirror_made_after_local_midnight_is_clamped_to_235959_of_the_entrances_day() -> None:
    # 1 June ends at 22:00 UTC in Madrid (CEST): its last second is 21:59:59 UTC.
    late = datetime(2026, 6, 2, 1, 0, tzinfo=UTC)
    assert mirror_instant(date(2026, 6, 1), "Europe/Madrid", late) == datetime(2026, 6, 1, 21, 59, 59, tzinfo=UTC)


def test_the_clamp_follows_the_zone_on_a_daylight_saving_day() -> None:
    # 8 March 2026 in New York is 23 hours long: it ends at 04:00 UTC on 9 March.
    late = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    assert mirror_instant(date(2026, 3, 8), "America/New_York", late) == datetime(2026, 3, 9, 3, 59, 59, tzinfo=UTC)


def completed_source(patient: uuid.UUID):  # type: ignore[no-untyped-def]
    source = scheduled_workout(uuid.uuid4(), patient, [uuid.uuid4()], date(2026, 6, 1))
    source.status, source.timezone = "completed", "Asia/Kolkata"
    source.pain_before, source.duration_minutes = 5, 30
    return source


def test_the_mirror_copies_plan_and_exercises_but_none_of_the_figures() -> None:
    patient, entrance = uuid.uuid4(), uuid.uuid4()
    source = completed_source(patient)
    now = datetime(2026, 6, 2, 6, 0, tzinfo=UTC)
    mirror = mirror_workout(source, source.workout_id, patient, entrance, date(2026, 6, 2), "", now)
    assert (mirror.source, mirror.status, mirror.plan_id, mirror.entrance_id) == ("inferred", "completed", source.plan_id, entrance)
    assert (mirror.timezone, mirror.local_date, mirror.completed_at) == ("Asia/Kolkata", date(2026, 6, 2), now)
    assert (mirror.pain_before, mirror.duration_minutes, mirror.exercises_completed) == (None, 0, 0)
    assert mirror.workout_id != source.workout_id and mirror.mirrored_from_workout_id == source.workout_id


@pytest.mark.parametrize("problem", ["missing", "other patient", "scheduled", "inferred"])
def test_only_a_completed_real_workout_of_the_patient_can_be_mirrored(problem: str) -> None:
    patient = uuid.uuid4()
    source = completed_source(patient)
    if problem == "other patient":
        source.patient_id = uuid.uuid4()
    elif problem == "scheduled":
        source.status = "scheduled"
    elif problem == "inferred":
        source.source = "inferred"
    found = None if problem == "missing" else source
    with pytest.raises(RuleViolation):
        mirror_workout(found, source.workout_id, patient, uuid.uuid4(), date(2026, 6, 2), "UTC",
                       datetime(2026, 6, 2, 6, 0, tzinfo=UTC))
