"""A plan's lifecycle over time: the status-change event, and the daily job that ends plans past their last day."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from momentum.events.v1 import events_pb2
from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.identity import service_identity
from services.common.logging import get_logger
from services.common.loops import LoopService
from services.common.parsing import to_timestamp
from services.common.timezones import local_date, resolve_zone_name
from services.plans.care import plan_repository as plans
from services.plans.care.plan_repository import PlanRow
from services.plans.domain.plan import plan_last_day, status_at_end_date

log = get_logger(__name__)

PLAN_STATUS_CHANGED = "plans.plan.status_changed"
END_DATE_PASSED = "end_date_passed"
# The rule is a daily one, but "the day is over" happens at every zone's midnight: looking hourly
# ends each plan within an hour of its patient's midnight instead of up to a day late.
LIFECYCLE_INTERVAL = timedelta(hours=1)


async def emit_status_changed(
    uow: UnitOfWork, plan: PlanRow, status_after: str, at: datetime, reason: str
) -> None:
    """plans.plan.status_changed in the transaction that changed it: billing recomputes the patient
    (a plan that is no longer active closes the monitoring episode, so its windows become ready)."""
    await uow.add_event(
        PLAN_STATUS_CHANGED,
        events_pb2.PlanStatusChanged(
            plan_id=str(plan.plan_id), patient_id=str(plan.patient_id), status_before=plan.status,
            status_after=status_after, changed_at=to_timestamp(at), reason=reason,
        ),
        tenant_id=plan.tenant_id,
        occurred_at=at,
    )


async def end_plans_past_their_last_day(database: Database, clock: Clock) -> list[tuple[uuid.UUID, str]]:
    """Every active plan whose last day is over in its patient's zone (else the clinic's) becomes
    completed or expired (`domain.plan.status_at_end_date`), audited and announced. Each plan is
    re-read under its row lock, so a therapist's change or a second plans instance wins cleanly.
    Returns (plan id, new status) of the plans it ended."""
    now = clock.now()
    # A day of slack in UTC; the domain decides in each patient's own today.
    before = now.date() + timedelta(days=1)
    async with database.unit_of_work(None) as uow:
        tenants = await plans.tenant_directory(uow)
    ended: list[tuple[uuid.UUID, str]] = []
    for tenant_id in tenants:
        async with database.unit_of_work(tenant_id) as uow:
            candidates = await plans.active_plans_ending_before(uow, before)
        for candidate in candidates:
            today = local_date(now, resolve_zone_name(candidate.patient_timezone, candidate.clinic_timezone))
            async with database.unit_of_work(tenant_id) as uow:
                plan = await plans.get_plan(uow, candidate.plan_id, for_update=True)
                if plan is None:
                    continue
                new_status = status_at_end_date(
                    plan.status, plan.start_date, plan.duration_weeks, today, plan.sessions_planned, plan.sessions_completed
                )
                if new_status is None:
                    continue
                last_day = plan_last_day(plan.start_date, plan.duration_weeks)
                await plans.update_plan(uow, plan.plan_id, plan.title, new_status, last_day)
                await audit(
                    uow, service_identity(tenant_id), "plan.status_change", "treatment_plan", str(plan.plan_id), now,
                    status_before=plan.status, status_after=new_status, reason=END_DATE_PASSED,
                    last_day=last_day.isoformat(), local_today=today.isoformat(),
                )
                await emit_status_changed(uow, plan, new_status, now, END_DATE_PASSED)
                await uow.commit()
            ended.append((plan.plan_id, new_status))
    return ended


class PlanLifecycle(LoopService):
    """Plans past their last day stop being active (and stop counting as active anywhere)."""

    name = "plan-lifecycle"

    def __init__(self, database: Database, clock: Clock, interval: timedelta = LIFECYCLE_INTERVAL) -> None:
        super().__init__(interval.total_seconds())
        self._db = database
        self._clock = clock

    async def run_once(self) -> list[tuple[uuid.UUID, str]]:
        ended = await end_plans_past_their_last_day(self._db, self._clock)
        if ended:
            log.info("plans.ended_by_date", plans=len(ended))
        return ended
