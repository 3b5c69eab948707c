"""Use cases of app entrances: log (upsert-or-extend and schedule finalization) and the therapist's history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.common.audit import audit_entry
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.identity import Identity
from services.common.logging import get_logger
from services.common.timezones import local_date
from services.entrances import activity_repository, repository
from services.entrances.activity import XpPolicy, require_access_to
from services.entrances.domain.entrance import Entrance, EntranceStatus, LogAction, LogDecision, log_entry
from services.entrances.finalizer import FinalizationScheduler
from services.entrances.patient_context import PatientContexts
from services.entrances.plans_client import PlansClient

log = get_logger(__name__)

DISABLED = "disabled"
NOT_NEEDED = "not_needed"
DEFAULT_HISTORY_LIMIT = 90
MAX_HISTORY_LIMIT = 366


@dataclass(frozen=True)
class LogResult:
    status: str  # DISABLED, NOT_NEEDED, or the entrance's status
    local_date: date
    entrance: Entrance | None = None
    action: LogAction | None = None

    @property
    def accepted(self) -> bool:
        """A PENDING entrance was created or extended: finalization is scheduled (HTTP 202)."""
        return self.action in (LogAction.CREATED, LogAction.EXTENDED)


class EntranceHandlers:
    """`entrances` is the repository module itself unless a test hands in its in-memory fake."""

    def __init__(
        self, database: Database, plans: PlansClient, contexts: PatientContexts, scheduler: FinalizationScheduler,
        clock: Clock, window: timedelta, policy: XpPolicy, entrances: repository.EntranceRepository = repository,
    ) -> None:
        self._db = database
        self._plans = plans
        self._contexts = contexts
        self._scheduler = scheduler
        self._clock = clock
        self._window = window
        self._policy = policy
        self._entrances = entrances

    async def log_entrance(self, who: Identity) -> LogResult:
        """The dashboard mounted. Every call counts as an app open on the daily row, whatever the outcome."""
        who.require_role("patient")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            # One local transaction: the zone and the flag from entrances' copy of plans' events,
            # "a real workout today" from its copy of workout.completed. A workout whose event is still
            # in flight cancels the entrance when the event lands, and the finalizer asks plans afresh.
            now = self._clock.now()
            opening = await self._open_day(uow, who, now)
            day = opening.local_date
            opened = activity_repository.AppOpen(who.tenant_id, who.user_id, day, opening.timezone, now, self._policy.goal)
            if not opening.entrance_tracking or opening.real_workout:
                status = NOT_NEEDED if opening.entrance_tracking else DISABLED
                await self._record_open_only(uow, who, opened, status)
                await uow.commit()
                return LogResult(status, day)
            decision = await self._decide(uow, who, opening, now)
            entrance = decision.entrance
            entry = audit_entry(
                who, "app_entrance.log", "app_entrance", entrance.id, now, outcome=decision.action.value,
                status=entrance.status.value, local_date=day.isoformat(),
                finalize_after=entrance.finalize_after.isoformat(),
            )
            await self._entrances.record_entrance_log(
                uow, opened, entry,
                extended=entrance if decision.action is LogAction.EXTENDED else None,
                born=(str(who.tenant_id), decision.transition) if decision.transition is not None else None,
            )
            await uow.commit()
        if entrance.status is EntranceStatus.CANCELED_BY_REAL_WORKOUT:
            # Only a real workout's event cancels: the day has one. Not an entrance the app waits on.
            return LogResult(NOT_NEEDED, day, entrance, decision.action)
        if decision.action is LogAction.CREATED:
            log.info("entrance.created", entrance_id=entrance.id, finalize_after=entrance.finalize_after.isoformat())
        if decision.schedule is not None:
            # After the commit: the message must never find no row. If the broker refuses, the
            # entrance stays PENDING and the repair sweep finalizes it.
            await self._scheduler.schedule(decision.schedule, who.tenant_id, who.user_id)
        return LogResult(entrance.status.value, day, entrance, decision.action)

    async def _open_day(self, uow: UnitOfWork, who: Identity, now: datetime) -> repository.DayOpening:
        """Zone, flag, "a real workout today" and the day's entrance (locked): one statement, plus plans'
        answer on a patient's first log."""
        patient = str(who.user_id)
        opening = await self._entrances.open_day(uow, patient, now)
        if opening is None:
            await self._contexts.learn(uow, who.tenant_id, who.user_id)
            opening = await self._entrances.open_day(uow, patient, now)
            if opening is None:
                raise RuntimeError(f"the zone or clinic flag of patient {patient} is not visible to its clinic")
        day = local_date(now, opening.timezone)
        if day != opening.local_date:
            # Postgres's zone rules and Python's disagree on this instant (one tzdata is newer): the day
            # is Python's, as for plans and every other service.
            opening = await self._entrances.open_day(uow, patient, now, day)
            assert opening is not None  # the same rows as a moment ago, in the same transaction
        return opening

    async def _decide(self, uow: UnitOfWork, who: Identity, opening: repository.DayOpening, now: datetime) -> LogDecision:
        """Upsert-or-extend under concurrency: the row lock if the day's entrance exists (the usual
        re-entry, taken by open_day), else an insert that exactly one of many concurrent opens wins; the
        losers wait on the unique (patient, day) key, then lock the winner's row and extend it."""
        day, existing = opening.local_date, opening.entrance
        if existing is None:
            fresh = log_entry(
                None, now, self._window, entrance_id=str(uuid.uuid4()), tenant_id=str(who.tenant_id),
                patient_id=str(who.user_id), local_date=day, timezone=opening.timezone,
            )
            if await self._entrances.insert_entrance_if_absent(uow, fresh.entrance, "app opened"):
                return fresh
            existing = await self._entrances.lock_entrance_for_day(uow, str(who.user_id), day)
            if existing is None:  # the conflicting row is invisible: never reopen or guess
                raise RuntimeError(f"entrance of patient {who.user_id} on {day} is not visible to its clinic")
        return log_entry(
            existing, now, self._window, entrance_id=existing.id, tenant_id=str(who.tenant_id),
            patient_id=str(who.user_id), local_date=day, timezone=existing.timezone,
        )

    async def _record_open_only(self, uow: UnitOfWork, who: Identity, opened: activity_repository.AppOpen, status: str) -> None:
        day = opened.local_date.isoformat()
        await self._entrances.record_entrance_log(
            uow, opened,
            audit_entry(who, "app_entrance.log", "daily_activity", f"{who.user_id}:{day}", opened.at, status=status, local_date=day),
        )

    async def list_entrances(self, who: Identity, patient_id: uuid.UUID, limit: int) -> list[repository.StoredEntrance]:
        who.require_role("therapist", "admin")
        require_access_to(who, patient_id)
        limit = DEFAULT_HISTORY_LIMIT if limit <= 0 else min(limit, MAX_HISTORY_LIMIT)
        # plans answers NOT_FOUND for someone who is not a patient of this clinic.
        await self._plans.patient_context(who.tenant_id, patient_id)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            return await self._entrances.list_entrances(uow, patient_id, limit)
