"""Care's workout handlers against a fake unit of work: completion, skipping and mirror workouts as the
patient and entrances see them, in milliseconds and without Postgres, RabbitMQ or S3."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.common.clock import FrozenClock
from services.common.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from services.common.identity import SERVICE_ROLE, Identity
from services.common.settings import AuthSettings
from services.plans.care.handlers import WorkoutHandlers
from services.plans.care.mirror import MAX_ENTRANCES_PER_CALL, EntranceToFinalize, MirrorWorkouts
from services.plans.domain.completion import Completion, ExerciseResult
from tests.unit.plans.fakes import Clinic, fake_units, scheduled_workout

TENANT = uuid.uuid4()
PATIENT = uuid.uuid4()
SQUAT, BRIDGE = uuid.uuid4(), uuid.uuid4()
ZONE = "America/New_York"
# 02:30 UTC on 10 March is still the evening of 9 March in New York.
NOW = datetime(2026, 3, 10, 2, 30, tzinfo=timezone.utc)


def patient(user_id: uuid.UUID = PATIENT) -> Identity:
    return Identity(TENANT, user_id, "patient", "req-test")


def world(plan_status: str = "active") -> tuple[Clinic, WorkoutHandlers, uuid.UUID]:
    clinic = Clinic(zones={PATIENT: ZONE})
    workout = scheduled_workout(TENANT, PATIENT, [SQUAT, BRIDGE], date(2026, 3, 9), plan_status)
    clinic.workouts[workout.workout_id] = workout
    return clinic, WorkoutHandlers(fake_units(clinic), FrozenClock(NOW), AuthSettings()), workout.workout_id


def report(minutes: int = 30, *results: ExerciseResult, ended: datetime = NOW) -> Completion:
    return Completion(
        started_at=ended - timedelta(minutes=minutes), ended_at=ended, pain_before=6, pain_after=4,
        perceived_difficulty=5, exercises=tuple(results),
    )


SQUATS_DONE = ExerciseResult(str(SQUAT), 3, 10, False, 90.0)


async def test_a_completion_is_saved_on_the_patients_local_day_with_one_event_and_an_audit_row() -> None:
    clinic, handlers, workout_id = world()
    done = await handlers.complete(patient(), workout_id, report(30, SQUATS_DONE))
    assert (done.status, done.local_date, done.timezone, done.duration_minutes) == ("completed", date(2026, 3, 9), ZONE, 30)
    assert clinic.workouts[workout_id].status == "completed"
    assert clinic.commits == 1
    [event] = clinic.events
    assert (event.routing_key, event.message_id) == ("plans.workout.completed", f"workout-completed:{workout_id}")
    assert (event.body.local_date, event.body.minutes, event.body.source, event.body.exercises_completed) == (
        "2026-03-09", 30, "real", 1)
    [row] = clinic.audit
    assert (row.action, row.entity_id, row.details["local_date"]) == ("workout.complete", str(workout_id), "2026-03-09")


async def test_an_exercise_left_out_of_the_report_counts_as_skipped_with_nothing_done() -> None:
    clinic, handlers, workout_id = world()
    done = await handlers.complete(patient(), workout_id, report(30, SQUATS_DONE))
    squat, bridge = done.exercises
    assert (squat.actual_sets, squat.actual_reps, squat.skipped, squat.video_watch_percentage) == (3, 10, False, 90.0)
    assert (bridge.actual_sets, bridge.actual_reps, bridge.skipped) == (0, 0, True)
    assert done.exercises_completed == 1


async def test_completing_again_returns_the_same_workout_and_emits_nothing_more() -> None:
    clinic, handlers, workout_id = world()
    first = await handlers.complete(patient(), workout_id, report(30, SQUATS_DONE))
    again = await handlers.complete(patient(), workout_id, report(45))
    assert (again.duration_minutes, again.local_date) == (first.duration_minutes, first.local_date)
    assert len(clinic.events) == 1 and clinic.commits == 1


async def test_a_skipped_workout_cannot_be_completed_and_nothing_is_written() -> None:
    clinic, handlers, workout_id = world()
    await handlers.skip(patient(), workout_id, "felt unwell")
    with pytest.raises(RuleViolation, match="skipped"):
        await handlers.complete(patient(), workout_id, report(30))
    assert clinic.workouts[workout_id].status == "skipped" and clinic.events == []


async def test_a_workout_of_a_finished_plan_cannot_be_completed() -> None:
    clinic, handlers, workout_id = world(plan_status="cancelled")
    with pytest.raises(RuleViolation, match="cancelled"):
        await handlers.complete(patient(), workout_id, report(30))
    assert clinic.commits == 0


async def test_an_impossible_report_names_the_field_and_writes_nothing() -> None:
    clinic, handlers, workout_id = world()
    with pytest.raises(InvalidInput) as raised:
        await handlers.complete(patient(), workout_id, report(-5))
    assert raised.value.field == "timeWorkoutEnd"
    with pytest.raises(InvalidInput) as raised:
        await handlers.complete(patient(), workout_id, report(30, ExerciseResult(str(uuid.uuid4()), 1, 1, False, None)))
    assert raised.value.field == "exercises[0].exerciseId"
    assert clinic.workouts[workout_id].status == "scheduled" and clinic.events == [] and clinic.commits == 0


async def test_another_patients_workout_is_not_found_and_staff_cannot_complete() -> None:
    clinic, handlers, workout_id = world()
    with pytest.raises(NotFound):
        await handlers.complete(patient(uuid.uuid4()), workout_id, report(30))
    with pytest.raises(PermissionDenied):
        await handlers.complete(Identity(TENANT, uuid.uuid4(), "therapist", "req"), workout_id, report(30))
    assert clinic.commits == 0


async def test_skipping_twice_is_one_skip() -> None:
    clinic, handlers, workout_id = world()
    first = await handlers.skip(patient(), workout_id, "travelling")
    again = await handlers.skip(patient(), workout_id, "another reason")
    assert (first.status, first.skip_reason, again.skip_reason) == ("skipped", "travelling", "travelling")
    assert [row.action for row in clinic.audit] == ["workout.skip"] and clinic.events == []


async def test_a_mirror_made_after_local_midnight_is_dated_on_the_entrances_day_and_made_once() -> None:
    clinic, handlers, workout_id = world()
    await handlers.complete(patient(), workout_id, report(30, SQUATS_DONE))
    # The finalizer runs at 05:00 UTC on 11 March: past midnight in New York for the entrance of 10 March.
    mirrors = MirrorWorkouts(fake_units(clinic), FrozenClock(datetime(2026, 3, 11, 5, 0, tzinfo=timezone.utc)))
    service = Identity(TENANT, uuid.uuid4(), SERVICE_ROLE, "req-finalize")
    entrance = uuid.uuid4()
    mirror = await mirrors.create_mirror(service, entrance, workout_id, date(2026, 3, 10), PATIENT, ZONE)
    assert (mirror.source, mirror.local_date, mirror.mirrored_from_workout_id) == ("inferred", date(2026, 3, 10), workout_id)
    assert mirror.completed_at == datetime(2026, 3, 11, 3, 59, 59, tzinfo=timezone.utc)  # 23:59:59 in New York (EDT)
    assert [e.exercise_id for e in mirror.exercises] == [SQUAT, BRIDGE]
    again = await mirrors.create_mirror(service, entrance, workout_id, date(2026, 3, 10), PATIENT, ZONE)
    assert again.workout_id == mirror.workout_id
    assert [e.body.source for e in clinic.events] == ["real", "inferred"]


async def test_a_mirror_needs_a_completed_real_workout_of_the_patient() -> None:
    clinic, handlers, workout_id = world()  # scheduled, not completed
    mirrors = MirrorWorkouts(fake_units(clinic), FrozenClock(NOW))
    with pytest.raises(RuleViolation, match="not a completed real workout"):
        await mirrors.create_mirror(Identity(TENANT, uuid.uuid4(), SERVICE_ROLE, "r"), uuid.uuid4(), workout_id,
                                    date(2026, 3, 9), PATIENT, ZONE)
    assert clinic.commits == 0


async def finalize_one(mirrors, who, entrance_id, patient_id, day, zone):  # type: ignore[no-untyped-def]
    (answer,) = await mirrors.finalize_entrances(who, [EntranceToFinalize(entrance_id, patient_id, day, zone)])
    return answer


async def test_finalizing_an_entrance_makes_its_mirror_in_the_same_transaction_and_answers_it_again() -> None:
    clinic, handlers, workout_id = world()
    await handlers.complete(patient(), workout_id, report(30, SQUATS_DONE))
    mirrors = MirrorWorkouts(fake_units(clinic), FrozenClock(datetime(2026, 3, 11, 5, 0, tzinfo=timezone.utc)))
    service = Identity(TENANT, uuid.uuid4(), SERVICE_ROLE, "req-finalize")
    entrance, day = uuid.uuid4(), date(2026, 3, 10)
    commits = clinic.commits

    made = await finalize_one(mirrors, service, entrance, PATIENT, day, ZONE)

    assert (made.entrance_tracking, made.has_real_workout, made.latest_real_workout_id) == (True, False, workout_id)
    assert made.mirror is not None and clinic.commits == commits + 1
    stored = clinic.workouts[made.mirror.workout_id]
    assert (stored.source, stored.local_date, stored.entrance_id) == ("inferred", day, entrance)
    assert made.mirror.completed_at == stored.completed_at == datetime(2026, 3, 11, 3, 59, 59, tzinfo=timezone.utc)
    # A second attempt (the first one's caller died) gets the same mirror, and nothing new is written.
    clinic.flags["appEntranceTracking"] = False
    again = await finalize_one(mirrors, service, entrance, PATIENT, day, ZONE)
    assert again.mirror == made.mirror and clinic.commits == commits + 1
    assert [e.body.source for e in clinic.events] == ["real", "inferred"]


async def test_finalizing_an_entrance_makes_no_mirror_when_the_facts_do_not_call_for_one() -> None:
    clinic, handlers, workout_id = world()
    await handlers.complete(patient(), workout_id, report(30, SQUATS_DONE))  # a real workout on 9 March
    mirrors = MirrorWorkouts(fake_units(clinic), FrozenClock(NOW))
    service = Identity(TENANT, uuid.uuid4(), SERVICE_ROLE, "r")
    commits = clinic.commits

    same_day = await finalize_one(mirrors, service, uuid.uuid4(), PATIENT, date(2026, 3, 9), ZONE)
    clinic.flags["appEntranceTracking"] = False
    tracking_off = await finalize_one(mirrors, service, uuid.uuid4(), PATIENT, date(2026, 3, 10), ZONE)

    assert (same_day.has_real_workout, same_day.mirror) == (True, None)
    assert (tracking_off.entrance_tracking, tracking_off.mirror) == (False, None)
    assert clinic.commits == commits and [e.body.source for e in clinic.events] == ["real"]
    with pytest.raises(NotFound):
        await finalize_one(mirrors, service, uuid.uuid4(), uuid.uuid4(), date(2026, 3, 10), ZONE)


async def test_finalizing_a_batch_makes_every_mirror_in_one_transaction_answered_in_order() -> None:
    clinic, handlers, workout_id = world()
    await handlers.complete(patient(), workout_id, report(30, SQUATS_DONE))  # a real workout on 9 March
    mirrors = MirrorWorkouts(fake_units(clinic), FrozenClock(datetime(2026, 3, 13, 5, 0, tzinfo=timezone.utc)))
    service = Identity(TENANT, uuid.uuid4(), SERVICE_ROLE, "req-batch")
    asked = [EntranceToFinalize(uuid.uuid4(), PATIENT, date(2026, 3, day), ZONE) for day in (10, 9, 11)]
    commits = clinic.commits

    answers = await mirrors.finalize_entrances(service, asked)

    assert [a.mirror is not None for a in answers] == [True, False, True]  # the 9th has its real workout
    assert clinic.commits == commits + 1
    for one, answer in zip(asked, answers):
        if answer.mirror is not None:
            assert clinic.workouts[answer.mirror.workout_id].entrance_id == one.entrance_id
    # The batch again (its caller died before committing): the same mirrors, nothing written.
    assert await mirrors.finalize_entrances(service, asked) == answers and clinic.commits == commits + 1
    assert [e.body.source for e in clinic.events] == ["real", "inferred", "inferred"]
    with pytest.raises(InvalidInput, match="named twice"):
        await mirrors.finalize_entrances(service, [asked[0], asked[0]])
    with pytest.raises(InvalidInput, match=f"at most {MAX_ENTRANCES_PER_CALL}"):
        await mirrors.finalize_entrances(
            service, [EntranceToFinalize(uuid.uuid4(), PATIENT, date(2026, 3, 10), ZONE)] * (MAX_ENTRANCES_PER_CALL + 1)
        )
