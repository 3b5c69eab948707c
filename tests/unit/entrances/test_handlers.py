"""The entrance use cases with fakes (no Postgres, RabbitMQ or plans): a dashboard log opens or extends
the day's entrance and schedules its finalization; a finalization cancels, skips or asks plans for one
mirror workout, and records the terminal state with its event in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from services.common.clock import FrozenClock
from services.common.identity import Identity
from services.entrances.activity import XpPolicy
from services.entrances.domain.daily_activity import DailyGoal
from services.entrances.domain.entrance import Entrance, EntranceStatus, FinalizationOutcome, LogAction
from services.entrances.finalizer import ENTRANCE_FINALIZED, Finalizer
from services.entrances.handlers import DISABLED, NOT_NEEDED, EntranceHandlers
from services.entrances.plans_client import PlansUnavailable

from .fakes import FakeContexts, FakeDatabase, FakeEntranceRepository, FakePlansClient, FakeScheduler

TENANT = uuid.UUID("5b0c0d3e-0000-4000-8000-000000000001")
PATIENT = uuid.UUID("5b0c0d3e-0000-4000-8000-000000000002")
WINDOW = timedelta(hours=2)
NOON_IN_MADRID = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)
POLICY = XpPolicy(per_workout=10, per_exercise=2, award_cap=500, goal_bonus=5, goal=DailyGoal(30, 0))


@dataclass
class Clinic:
    plans: FakePlansClient
    scheduler: FakeScheduler
    entrances: FakeEntranceRepository
    database: FakeDatabase
    clock: FrozenClock
    handlers: EntranceHandlers
    finalizer: Finalizer


@pytest.fixture
def clinic() -> Clinic:
    plans, scheduler = FakePlansClient(latest_real_workout="real-workout-1"), FakeScheduler()
    entrances = FakeEntranceRepository(plans)  # the events have all arrived
    database, clock = FakeDatabase(entrances), FrozenClock(NOON_IN_MADRID)
    handlers = EntranceHandlers(
        database, plans, FakeContexts(plans), scheduler, clock, WINDOW, POLICY,  # type: ignore[arg-type]
        entrances=entrances,  # type: ignore[arg-type]
    )
    finalizer = Finalizer(database, plans, clock, entrances=entrances)  # type: ignore[arg-type]
    return Clinic(plans, scheduler, entrances, database, clock, handlers, finalizer)


def patient() -> Identity:
    return Identity(TENANT, PATIENT, "patient", "request-1")


def pending_entrance(clinic: Clinic, due: datetime) -> Entrance:
    """A PENDING entrance of today, as a log earlier in the day left it."""
    return clinic.entrances.add(Entrance(
        id=str(uuid.uuid4()), tenant_id=str(TENANT), patient_id=str(PATIENT), local_date=DAY,
        timezone="Europe/Madrid", status=EntranceStatus.PENDING, first_seen_at=due - WINDOW,
        last_seen_at=due - WINDOW, finalize_after=due,
    ))


# ------------------------------------------------------------------ the dashboard log


async def test_a_first_log_opens_a_pending_entrance_and_schedules_its_finalization(clinic):
    result = await clinic.handlers.log_entrance(patient())

    assert (result.action, result.status, result.local_date) == (LogAction.CREATED, "PENDING", DAY)
    assert result.accepted
    stored = clinic.entrances.get(result.entrance.id)
    assert stored.finalize_after == NOON_IN_MADRID + WINDOW and stored.entries_count == 1
    (scheduled,) = clinic.scheduler.scheduled
    assert (scheduled.entrance_id, scheduled.due_at) == (stored.id, stored.finalize_after)
    assert scheduled.message_id == f"entrance-finalize:{stored.id}:first"
    (born,) = clinic.entrances.transitions
    assert (born.from_status, born.to_status) == (None, EntranceStatus.PENDING)
    (opened,) = clinic.entrances.app_opens
    assert (opened.local_date, opened.timezone) == (DAY, "Europe/Madrid")
    (audited,) = clinic.entrances.audit
    assert (audited.action, audited.entity_id, audited.details["outcome"]) == ("app_entrance.log", stored.id, "created")
    assert clinic.database.commits == 1


async def test_a_second_log_extends_the_entrance_and_schedules_a_new_finalization(clinic):
    first = await clinic.handlers.log_entrance(patient())
    clinic.clock.advance(timedelta(minutes=30))
    second = await clinic.handlers.log_entrance(patient())

    assert second.action is LogAction.EXTENDED and second.entrance.id == first.entrance.id
    stored = clinic.entrances.get(first.entrance.id)
    assert stored.entries_count == 2
    assert stored.finalize_after == NOON_IN_MADRID + timedelta(minutes=30) + WINDOW
    assert [s.due_at for s in clinic.scheduler.scheduled] == [first.entrance.finalize_after, stored.finalize_after]
    assert len({s.message_id for s in clinic.scheduler.scheduled}) == 2  # the first message becomes stale
    assert len(clinic.entrances.transitions) == 1  # still the one PENDING entrance
    assert len(clinic.entrances.app_opens) == 2


async def test_the_entrance_belongs_to_the_patients_local_day(clinic):
    clinic.clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))  # 00:30 on the 3rd in Madrid

    result = await clinic.handlers.log_entrance(patient())

    assert result.local_date == date(2026, 3, 3) == clinic.entrances.get(result.entrance.id).local_date


async def test_with_entrance_tracking_off_a_log_only_counts_the_app_open(clinic):
    clinic.plans.tracking = False

    result = await clinic.handlers.log_entrance(patient())

    assert (result.status, result.entrance, result.accepted) == (DISABLED, None, False)
    assert clinic.entrances.rows.entrances == {} and clinic.scheduler.scheduled == []
    assert len(clinic.entrances.app_opens) == 1
    assert clinic.entrances.audit[0].details == {"status": DISABLED, "local_date": DAY.isoformat()}


async def test_after_a_real_workout_that_day_a_log_only_counts_the_app_open(clinic):
    clinic.plans.real_workout_days.add(DAY)

    result = await clinic.handlers.log_entrance(patient())

    assert (result.status, result.entrance) == (NOT_NEEDED, None)
    assert clinic.entrances.rows.entrances == {} and clinic.scheduler.scheduled == []
    assert len(clinic.entrances.app_opens) == 1


async def test_a_broker_refusing_the_schedule_still_answers_with_the_pending_entrance(clinic):
    clinic.scheduler.accepts = False

    result = await clinic.handlers.log_entrance(patient())

    # The repair sweep finalizes it later; the row is committed and PENDING.
    assert result.action is LogAction.CREATED
    assert clinic.entrances.get(result.entrance.id).status is EntranceStatus.PENDING


# ------------------------------------------------------------------ finalization


async def test_a_due_entrance_with_a_real_workout_that_day_is_canceled(clinic):
    entrance = pending_entrance(clinic, due=NOON_IN_MADRID)
    clinic.plans.real_workout_days.add(DAY)

    outcome = await clinic.finalizer.finalize(TENANT, entrance.id)

    assert outcome is FinalizationOutcome.CANCEL_REAL_WORKOUT
    assert clinic.entrances.get(entrance.id).status is EntranceStatus.CANCELED_BY_REAL_WORKOUT
    assert clinic.plans.mirror_requests == []
    (event,) = clinic.database.outbox
    assert (event.routing_key, event.body.status) == (ENTRANCE_FINALIZED, "CANCELED_BY_REAL_WORKOUT")
    assert event.message_id == f"entrance-finalized:{entrance.id}"


async def test_tracking_turned_off_before_finalization_skips_it(clinic):
    entrance = pending_entrance(clinic, due=NOON_IN_MADRID)
    clinic.plans.tracking = False

    outcome = await clinic.finalizer.finalize(TENANT, entrance.id)

    assert outcome is FinalizationOutcome.SKIP_FEATURE_DISABLED
    assert clinic.entrances.get(entrance.id).status is EntranceStatus.SKIPPED_FEATURE_DISABLED
    # The flag is asked afresh in plans' one call, never from the log path's cache.
    assert clinic.plans.calls == ["finalize_entrances"]
    assert clinic.plans.mirror_requests == []


async def test_otherwise_plans_is_asked_once_for_a_mirror_dated_on_the_entrance_day(clinic):
    entrance = pending_entrance(clinic, due=datetime(2026, 3, 2, 22, 30, tzinfo=UTC))  # 23:30 in Madrid
    clinic.clock.set(datetime(2026, 3, 2, 23, 15, tzinfo=UTC))  # finalized after local midnight

    outcome = await clinic.finalizer.finalize(TENANT, entrance.id)
    again = await clinic.finalizer.finalize(TENANT, entrance.id)

    assert (outcome, again) == (FinalizationOutcome.CREATE_MIRROR, FinalizationOutcome.DROP_NOT_PENDING)
    (asked,) = clinic.plans.mirror_requests
    assert (asked.entrance_id, asked.source_workout_id, asked.local_date) == (entrance.id, "real-workout-1", DAY)
    stored = clinic.entrances.get(entrance.id)
    assert stored.status is EntranceStatus.FINALIZED_TO_INFERRED_WORKOUT
    assert stored.source_workout_id == "real-workout-1" and stored.mirror_workout_id
    (event,) = clinic.database.outbox
    assert event.body.status == "FINALIZED_TO_INFERRED_WORKOUT"
    assert event.body.mirror_workout_id == stored.mirror_workout_id


async def test_without_a_real_workout_to_copy_the_entrance_is_skipped(clinic):
    entrance = pending_entrance(clinic, due=NOON_IN_MADRID)
    clinic.plans.latest_real_workout_id = None

    outcome = await clinic.finalizer.finalize(TENANT, entrance.id)

    assert outcome is FinalizationOutcome.SKIP_NO_SOURCE_WORKOUT
    assert clinic.entrances.get(entrance.id).status is EntranceStatus.SKIPPED_NO_SOURCE_WORKOUT
    assert clinic.plans.mirror_requests == []


async def test_a_message_before_the_deadline_is_dropped_without_asking_plans(clinic):
    entrance = pending_entrance(clinic, due=NOON_IN_MADRID + timedelta(minutes=10))  # an extension moved it

    outcome = await clinic.finalizer.finalize(TENANT, entrance.id)

    assert outcome is FinalizationOutcome.DROP_NOT_DUE
    assert clinic.plans.calls == [] and clinic.database.outbox == []
    assert clinic.entrances.get(entrance.id).status is EntranceStatus.PENDING


async def test_plans_failing_to_make_the_mirror_leaves_the_entrance_pending_and_announces_nothing(clinic):
    entrance = pending_entrance(clinic, due=NOON_IN_MADRID)
    clinic.plans.mirror_failure = PlansUnavailable("plans could not answer FinalizeEntrances: unavailable")

    with pytest.raises(PlansUnavailable):
        await clinic.finalizer.finalize(TENANT, entrance.id)

    assert clinic.entrances.get(entrance.id).status is EntranceStatus.PENDING
    assert clinic.database.outbox == [] and clinic.entrances.transitions == []
    # The next attempt (the sweep, a redelivery) gets its mirror.
    clinic.plans.mirror_failure = None
    assert await clinic.finalizer.finalize(TENANT, entrance.id) is FinalizationOutcome.CREATE_MIRROR


async def test_a_mirror_plans_made_for_an_attempt_that_died_stands_whatever_the_facts_say_now(clinic):
    entrance = pending_entrance(clinic, due=NOON_IN_MADRID)
    (made,) = await clinic.plans.finalize_entrances(TENANT, [entrance])
    assert made.mirror is not None  # ...and then this finalizer's transaction died before its commit
    clinic.plans.tracking = False  # meanwhile the clinic turned tracking off

    assert await clinic.finalizer.finalize(TENANT, entrance.id) is FinalizationOutcome.CREATE_MIRROR

    stored = clinic.entrances.get(entrance.id)
    assert (stored.status, stored.mirror_workout_id) == (EntranceStatus.FINALIZED_TO_INFERRED_WORKOUT, made.mirror.workout_id)
    assert len(clinic.plans.mirror_requests) == 1


async def test_an_entrance_this_clinic_does_not_have_is_none(clinic):
    assert await clinic.finalizer.finalize(TENANT, str(uuid.uuid4())) is None
    assert clinic.plans.calls == []


async def test_a_log_then_its_finalization_end_in_a_mirror(clinic):
    logged = await clinic.handlers.log_entrance(patient())
    clinic.clock.set(clinic.scheduler.scheduled[-1].due_at)

    assert await clinic.finalizer.finalize(TENANT, logged.entrance.id) is FinalizationOutcome.CREATE_MIRROR
    assert [t.to_status for t in clinic.entrances.transitions] == [
        EntranceStatus.PENDING, EntranceStatus.FINALIZED_TO_INFERRED_WORKOUT,
    ]


async def test_a_job_finalizes_its_clinics_other_due_entrances_in_the_same_plans_call(clinic):
    own = pending_entrance(clinic, due=NOON_IN_MADRID)
    others = [pending_entrance(clinic, due=NOON_IN_MADRID - timedelta(minutes=m)) for m in (1, 2)]
    later = pending_entrance(clinic, due=NOON_IN_MADRID + timedelta(minutes=5))  # extended: not due yet

    assert await clinic.finalizer.finalize(TENANT, own.id) is FinalizationOutcome.CREATE_MIRROR

    assert clinic.plans.calls == ["finalize_entrances"]
    assert {r.entrance_id for r in clinic.plans.mirror_requests} == {own.id, *(o.id for o in others)}
    for done in (own, *others):
        assert clinic.entrances.get(done.id).status is EntranceStatus.FINALIZED_TO_INFERRED_WORKOUT
    assert clinic.entrances.get(later.id).status is EntranceStatus.PENDING
    assert sorted(e.message_id for e in clinic.database.outbox) == sorted(
        f"entrance-finalized:{e.id}" for e in (own, *others)
    )
    # A batch-mate's own job, arriving next, finds it terminal: no second call, no second mirror.
    assert await clinic.finalizer.finalize(TENANT, others[0].id) is FinalizationOutcome.DROP_NOT_PENDING
    assert clinic.plans.calls == ["finalize_entrances"] and len(clinic.plans.mirror_requests) == 3


async def test_a_batch_plans_refuses_still_finalizes_the_jobs_own_entrance(clinic):
    own = pending_entrance(clinic, due=NOON_IN_MADRID)
    refused = pending_entrance(clinic, due=NOON_IN_MADRID - timedelta(minutes=1))
    clinic.plans.refused.add(refused.id)

    assert await clinic.finalizer.finalize(TENANT, own.id) is FinalizationOutcome.CREATE_MIRROR

    assert clinic.plans.calls == ["finalize_entrances", "finalize_entrances"]  # the batch, then its own alone
    assert clinic.entrances.get(own.id).status is EntranceStatus.FINALIZED_TO_INFERRED_WORKOUT
    assert clinic.entrances.get(refused.id).status is EntranceStatus.PENDING  # left to its own job
