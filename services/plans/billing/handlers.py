"""Use cases of RTM billing: therapist time, recalculation of a patient's records, billing them,
and the engagement board."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable

from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.errors import InvalidInput, NotFound, RuleViolation
from services.common.identity import Identity, current_or_none, service_identity
from services.common.timezones import local_date, resolve_zone_name
from services.plans.billing import repository as billing
from services.plans.billing.repository import BoardRow, StoredRecord, TimeEntryRow
from services.plans.domain.billing import (
    BillingRecord,
    BillingStatus,
    InvalidBillingTransition,
    InvalidTimeEntry,
    ProgressBoard,
    QualifyingPolicy,
    ReconcileResult,
    TimeEntry,
    WindowClaim,
    codes_summary,
    compute_data_day_claims,
    compute_management_time_claims,
    conflict_marks,
    current_window,
    mark_billed,
    month_is_billed,
    month_start,
    progress_status,
    reconcile,
    reset_to_ready,
)
from services.plans.people import visible_patient

# What therapist time was spent on; RTM treatment management counts all of them, and the
# interactive flag (a real-time call) is recorded separately because the time codes need one a month.
ACTIVITY_TYPES = (
    "data_review", "patient_communication", "care_plan_update", "care_coordination", "documentation", "other",
)
MAX_NOTE_LENGTH = 1000


@dataclass
class Recalculation:
    """What one patient's recalculation found: the reconcile result, and billed records whose
    conflict marker changes (set when recalculation disagrees, cleared when it agrees again)."""

    patient_id: uuid.UUID
    result: ReconcileResult
    conflict_marks: dict[tuple[str, date], str | None] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        r = self.result
        return len(r.inserts) + len(r.updates) + len(r.deletes) + len(self.conflict_marks)

    def describe(self) -> list[str]:
        lines = []
        r = self.result
        for record in r.inserts:
            lines.append(f"insert {_period(record)} {record.status} [{codes_summary(record.codes) or 'no code'}] q={record.quantity}")
        for update in r.updates:
            before, after = update.before, update.after
            lines.append(
                f"update {_period(after)} {before.status}->{after.status} "
                f"[{codes_summary(before.codes) or 'no code'}]->[{codes_summary(after.codes) or 'no code'}] "
                f"q={before.quantity}->{after.quantity}"
            )
        for record in r.deletes:
            lines.append(f"delete {_period(record)} {record.status}")
        for (track, start), reason in sorted(self.conflict_marks.items()):
            lines.append(f"conflict {track} {start.isoformat()}: {reason or 'resolved'}")
        return lines


def _period(record: BillingRecord) -> str:
    return f"{record.track} {record.period_start.isoformat()}..{record.period_end.isoformat()}"


async def recalculate_patient(
    uow: UnitOfWork, clock: Clock, tenant_id: uuid.UUID, patient_id: uuid.UUID, *,
    finalized_session: uuid.UUID | None = None, trigger: str = "recalculate",
) -> Recalculation | None:
    """Recomputes both tracks of one patient from source records and writes the difference.

    Deterministic and idempotent: the claims depend only on stored source records, the policy
    and the patient's today, and reconcile yields no writes when the stored records already say
    the same. None when the clinic does not bill RTM (or the patient is unknown). The caller commits."""
    settings = await billing.billing_settings(uow, tenant_id)
    if settings is None or not settings.enabled:
        return None
    is_patient, own_zone = await billing.patient_timezone(uow, patient_id)
    if not is_patient:
        return None
    await billing.lock_patient(uow, patient_id)
    now = clock.now()
    today = local_date(now, resolve_zone_name(own_zone, settings.default_timezone))
    policy = QualifyingPolicy(settings.policy)
    claims: list[Any] = []
    episode = await billing.episode(uow, patient_id)
    if episode is not None:
        sources = await billing.source_records(uow, patient_id, policy.qualifying_kinds, finalized_session)
        claims.extend(compute_data_day_claims(episode.start, sources, policy, today, episode_end=episode.end))
    claims.extend(compute_management_time_claims(await billing.time_entries_for_billing(uow, patient_id), today))
    stored = await billing.records_of(uow, patient_id)
    result = reconcile([s.record for s in stored], claims)
    outcome = Recalculation(patient_id, result, conflict_marks(stored, result))
    if outcome.changes:
        await billing.delete_records(uow, patient_id, result.deletes)
        await billing.update_records(uow, patient_id, [u.after for u in result.updates], now)
        await billing.insert_records(uow, tenant_id, patient_id, result.inserts, now)
        await billing.set_conflicts(uow, patient_id, outcome.conflict_marks, now)
        # Not a person's request, but it changes what will be claimed: leave a trail.
        await audit(
            uow, current_or_none() or service_identity(tenant_id), "billing.recalculate", "patient", str(patient_id), now,
            trigger=trigger, changes=outcome.describe(),
        )
    return outcome


class BillingHandlers:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def _billing_on(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> billing.BillingSettings:
        settings = await billing.billing_settings(uow, tenant_id)
        if settings is None or not settings.enabled:
            raise RuleViolation("RTM billing is not enabled for this clinic (feature flag rtmBilling)", code="rtm_billing_disabled")
        return settings

    # ------------------------------------------------------------------ therapist time
    async def add_time_entry(
        self, who: Identity, patient_id: uuid.UUID, minutes: int, activity_type: str, interactive: bool,
        occurred_on: date, note: str,
    ) -> TimeEntryRow:
        who.require_role("therapist")
        if activity_type not in ACTIVITY_TYPES:
            raise InvalidInput("activityType", f"must be one of {', '.join(ACTIVITY_TYPES)}")
        if len(note) > MAX_NOTE_LENGTH:
            raise InvalidInput("note", f"at most {MAX_NOTE_LENGTH} characters")
        try:
            TimeEntry(minutes, activity_type, interactive, occurred_on)
        except InvalidTimeEntry as exc:
            raise InvalidInput(exc.field, exc.reason) from exc
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            settings = await self._billing_on(uow, who.tenant_id)
            patient = await visible_patient(uow, who, patient_id)
            today = local_date(now, resolve_zone_name(patient.timezone, settings.default_timezone))
            if occurred_on > today:
                raise InvalidInput("occurredOn", f"{occurred_on.isoformat()} is after the patient's today ({today.isoformat()})")
            if month_is_billed((s.record for s in await billing.records_of(uow, patient_id)), occurred_on):
                raise RuleViolation(f"management time of {month_start(occurred_on):%Y-%m} is already billed; "
                                    "an admin must reset it first")
            entry = TimeEntryRow(uuid.uuid4(), patient_id, who.user_id, minutes, activity_type, interactive, occurred_on,
                                 note or None, now)
            await billing.insert_time_entry(uow, who.tenant_id, entry)
            await audit(uow, who, "time_entry.create", "time_entry", str(entry.entry_id), now, patient_id=str(patient_id),
                        minutes=minutes, activity_type=activity_type, interactive=interactive, occurred_on=str(occurred_on))
            await recalculate_patient(uow, self._clock, who.tenant_id, patient_id, trigger="time_entry")
            await uow.commit()
        return entry

    async def time_entries(self, who: Identity, patient_id: uuid.UUID) -> list[TimeEntryRow]:
        who.require_role("therapist", "admin")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await self._billing_on(uow, who.tenant_id)
            await visible_patient(uow, who, patient_id)
            return await billing.list_time_entries(uow, patient_id)

    # ------------------------------------------------------------------ records
    async def records(self, who: Identity, patient_id: uuid.UUID) -> list[StoredRecord]:
        who.require_role("therapist", "admin")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await self._billing_on(uow, who.tenant_id)
            await visible_patient(uow, who, patient_id)
            return await billing.records_of(uow, patient_id)

    async def mark_billed(self, who: Identity, record_id: uuid.UUID) -> StoredRecord:
        return await self._move(who, record_id, "billing_record.mark_billed", lambda record, at: mark_billed(record, at))

    async def reset(self, who: Identity, record_id: uuid.UUID) -> StoredRecord:
        return await self._move(who, record_id, "billing_record.reset", lambda record, at: reset_to_ready(record))

    async def _move(
        self, who: Identity, record_id: uuid.UUID, action: str, transition: Callable[[BillingRecord, datetime], BillingRecord]
    ) -> StoredRecord:
        who.require_role("admin")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await self._billing_on(uow, who.tenant_id)
            stored = await billing.get_record(uow, record_id, for_update=True)
            if stored is None:
                raise NotFound(f"billing record {record_id} not found")
            try:
                moved = transition(stored.record, now)
            except InvalidBillingTransition as exc:
                raise RuleViolation(str(exc)) from exc
            billed_by = who.user_id if moved.status is BillingStatus.BILLED else None
            await billing.set_status(uow, record_id, moved, billed_by, now)
            await audit(uow, who, action, "billing_record", str(record_id), now, patient_id=str(stored.patient_id),
                        track=str(moved.track), period_start=str(moved.period_start), codes=codes_summary(moved.codes),
                        status_before=str(stored.record.status), status_after=str(moved.status))
            if moved.status is BillingStatus.READY:
                # A reset record follows the sources again: bring it up to date now.
                await recalculate_patient(uow, self._clock, who.tenant_id, stored.patient_id, trigger="reset")
            await uow.commit()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            found = await billing.get_record(uow, record_id)
        if found is None:
            raise NotFound(f"billing record {record_id} was withdrawn by recalculation after its reset")
        return found

    # ------------------------------------------------------------------ progress board
    async def progress_board(self, who: Identity) -> list[tuple[BoardRow, date, WindowClaim | None, ProgressBoard]]:
        """Per patient with an active plan: where they stand against 16 data days this window.

        Stored windows are kept current by recalculation on every source event, so a window past
        the latest stored one has no data days yet: it is built empty here rather than recomputed."""
        who.require_role("therapist", "admin")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            settings = await self._billing_on(uow, who.tenant_id)
            rows = await billing.board_rows(uow)
        board = []
        for row in rows:
            today = local_date(now, resolve_zone_name(row.timezone, settings.default_timezone))
            window = current_window(row, today)
            board.append((row, today, window, progress_status(window, row.logged_in, today)))
        return board


async def close_finished_periods(database: Database, clock: Clock) -> int:
    """Recalculates patients with a projected record whose period has ended, so it becomes ready
    without waiting for the patient's next activity. Returns the patients whose records changed."""
    changed = 0
    # A day of slack: "ended" is judged in each patient's zone by the recalculation itself.
    candidates_before = clock.now().date() + timedelta(days=1)
    async with database.unit_of_work(None) as uow:
        tenants = await billing.tenant_directory(uow)
    for tenant_id in tenants:
        async with database.unit_of_work(tenant_id) as uow:
            settings = await billing.billing_settings(uow, tenant_id)
            patients = await billing.patients_with_closed_projections(uow, candidates_before) if settings and settings.enabled else []
        for patient_id in patients:
            async with database.unit_of_work(tenant_id) as uow:
                outcome = await recalculate_patient(uow, clock, tenant_id, patient_id, trigger="period_closed")
                await uow.commit()
            changed += 1 if outcome is not None and outcome.changes else 0
    return changed


__all__ = ["ACTIVITY_TYPES", "BillingHandlers", "Recalculation", "close_finished_periods", "recalculate_patient"]
