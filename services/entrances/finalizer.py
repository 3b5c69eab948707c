"""Delayed finalization of app entrances: scheduling through the delay queue, and the finalizer that
locks the entrance (and its clinic's other due ones), re-checks everything, asks plans once for the
mirror workouts and records the outcomes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from momentum.entrances.v1 import entrances_pb2
from momentum.events.v1 import events_pb2
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.errors import DomainError, InvalidInput, Unavailable
from services.common.identity import current_request_id
from services.common.logging import get_logger
from services.common.messaging.broker import Broker
from services.common.messaging.consumer import IncomingEvent, PoisonMessage
from services.common.messaging.topology import ConsumerQueue
from services.common.parsing import from_timestamp, parse_uuid, to_timestamp
from services.entrances import metrics, repository
from services.entrances.domain.entrance import (
    Entrance,
    EntranceChange,
    FinalizationOutcome,
    FinalizationSchedule,
    decide_finalization,
    mark_finalized,
)
from services.entrances.plans_client import EntranceFinalization, PlansClient, PlansUnavailable

log = get_logger(__name__)

# The delay queue dead-letters into this work queue; the name is the routing key messages arrive with.
FINALIZE_QUEUE = ConsumerQueue("entrances.finalize")
ENTRANCE_FINALIZED = "entrances.entrance.finalized"
# A message may expire a hair before the row's deadline (it is published just after the commit
# that set it, but clocks and TTL timers are not exact): wait that out rather than drop it.
EARLY_ARRIVAL_TOLERANCE = timedelta(seconds=2)
# Entrances finalized in one transaction and one plans call (plans takes at most 100).
FINALIZE_BATCH = 50


class FinalizationScheduler:
    """Publishes finalization jobs into the fixed-delay queue of `entrances.finalize`."""

    def __init__(self, broker: Broker, window: timedelta) -> None:
        self._broker = broker
        # Always the configured window: finalize_after is now + window, and one delay means one queue.
        self._delay = window

    async def schedule(self, schedule: FinalizationSchedule, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> bool:
        """False when the broker refused it: the entrance stays PENDING and the repair sweep finalizes it."""
        job = entrances_pb2.FinalizeEntranceJob(
            entrance_id=schedule.entrance_id, patient_id=str(patient_id), finalize_after=to_timestamp(schedule.due_at)
        )
        headers = {"tenant_id": str(tenant_id), "message_id": schedule.message_id, "request_id": current_request_id() or ""}
        try:
            # A patient is waiting on this request: don't sit out a broker outage (the sweep covers it).
            await asyncio.wait_for(
                self._broker.schedule(
                    FINALIZE_QUEUE.name, self._delay, job.SerializeToString(), schedule.message_id, headers, patience=1
                ),
                timeout=2,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("entrance.schedule_failed", entrance_id=schedule.entrance_id, error=repr(exc))
            return False
        return True


async def store_terminal(
    uow: UnitOfWork, tenant_id: uuid.UUID, change: EntranceChange,
    entrances: repository.EntranceRepository = repository,
) -> None:
    """Saves a terminal state with its transition row, and emits entrances.entrance.finalized in the same transaction."""
    entrance, moved = change.entrance, change.transition
    await entrances.save_terminal(uow, str(tenant_id), entrance, moved, current_request_id())
    await uow.add_event(
        ENTRANCE_FINALIZED,
        events_pb2.EntranceFinalized(
            entrance_id=entrance.id,
            patient_id=entrance.patient_id,
            local_date=entrance.local_date.isoformat(),
            status=entrance.status.value,
            mirror_workout_id=entrance.mirror_workout_id or "",
            finalized_at=to_timestamp(moved.at),
        ),
        tenant_id=tenant_id,
        message_id=f"entrance-finalized:{entrance.id}",  # one terminal state per entrance, so one event
        occurred_at=moved.at,
    )
    log.info("entrance.transition", **moved.log_fields())
    uow.after_commit(metrics.FINALIZATIONS.labels(entrance.status.value.lower()).inc)


class Finalizer:
    """One code path for the delayed message, the repair sweep and the `momentum entrances` CLI."""

    def __init__(
        self, database: Database, plans: PlansClient, clock: Clock,
        entrances: repository.EntranceRepository = repository,
    ) -> None:
        self._db = database
        self._plans = plans
        self._clock = clock
        self._entrances = entrances  # the repository module, or the unit tests' in-memory fake

    async def finalize(self, tenant_id: uuid.UUID, entrance_id: str) -> FinalizationOutcome | None:
        async with self._db.unit_of_work(tenant_id) as uow:
            outcome = await self.finalize_in(uow, tenant_id, entrance_id)
            await uow.commit()
        return outcome

    async def finalize_in(self, uow: UnitOfWork, tenant_id: uuid.UUID, entrance_id: str) -> FinalizationOutcome | None:
        """Within the caller's transaction: lock the entrance and up to FINALIZE_BATCH - 1 other due ones
        of its clinic, re-check, ask plans once for all of them, record each. Returns the named
        entrance's outcome; None: no such entrance here.

        plans is called while the row locks are held, so a racing finalizer waits (or skips the rows)
        and then sees terminal states; if this transaction dies after plans made the mirrors, the next
        attempt gets the same mirrors back (FinalizeEntrances is idempotent on each entrance id)."""
        entrance = await self._entrances.lock_entrance(uow, entrance_id)
        if entrance is None:
            log.warning("entrance.finalize_unknown", entrance_id=entrance_id, tenant_id=str(tenant_id))
            return None
        now = self._clock.now()
        if not entrance.is_pending or not entrance.is_due(now):
            dropped = decide_finalization(entrance, now, True, False, None)
            log.info("entrance.finalize_dropped", entrance_id=entrance.id, outcome=dropped.outcome.value, reason=dropped.reason)
            return dropped.outcome
        # The clinic's other due entrances ride along; their own jobs then find them terminal and drop.
        batch = [entrance, *await self._entrances.lock_due_entrances(uow, now, entrance.id, FINALIZE_BATCH - 1)]
        try:
            answers = await self._plans.finalize_entrances(tenant_id, batch)
        except Unavailable:
            raise
        except DomainError as exc:
            if len(batch) == 1:
                raise
            # One entrance plans refuses must not hold the others: this job's own alone, the rest by their jobs.
            log.warning("entrance.finalize_batch_refused", entrance_id=entrance.id, batch=len(batch), error=str(exc))
            batch = [entrance]
            answers = await self._plans.finalize_entrances(tenant_id, batch)
        outcomes = [await self._record(uow, tenant_id, one, answer, now) for one, answer in zip(batch, answers)]
        return outcomes[0]

    async def _record(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, entrance: Entrance, answer: EntranceFinalization, now: datetime,
    ) -> FinalizationOutcome:
        if answer.mirror is not None:
            # Made now, or by an attempt whose transaction here died: the mirror stands, whatever the facts say now.
            change = mark_finalized(entrance, answer.mirror.workout_id, self._clock.now(), answer.source_workout_id)
            await store_terminal(uow, tenant_id, change, self._entrances)
            return FinalizationOutcome.CREATE_MIRROR
        decision = decide_finalization(
            entrance, now, answer.entrance_tracking, answer.has_real_workout, answer.source_workout_id
        )
        if decision.needs_mirror:
            raise PlansUnavailable(f"plans answered FinalizeEntrances for entrance {entrance.id} without the mirror its facts call for")
        assert decision.transition is not None
        await store_terminal(uow, tenant_id, EntranceChange(decision.entrance, decision.transition), self._entrances)
        return decision.outcome

    async def on_job(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        """Consumer of `entrances.finalize`: duplicates, stale and early messages are all safe here."""
        job: entrances_pb2.FinalizeEntranceJob = event.body  # type: ignore[assignment]
        try:
            entrance_id = str(parse_uuid("entrance_id", job.entrance_id))
        except InvalidInput as exc:
            raise PoisonMessage(exc.detail) from exc
        if job.HasField("finalize_after"):
            early = from_timestamp(job.finalize_after) - self._clock.now()
            if timedelta(0) < early <= EARLY_ARRIVAL_TOLERANCE:
                await asyncio.sleep(early.total_seconds())
        await self.finalize_in(uow, event.tenant_id, entrance_id)
