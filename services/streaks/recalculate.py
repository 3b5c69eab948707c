"""`momentum streaks recalculate`: replay every patient's workouts and compare with (or replace) the stored streak."""

from __future__ import annotations

import getpass
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.identity import service_identity
from services.common.timezones import resolve_zone_name
from services.streaks import repository
from services.streaks.handlers import replayed_through
from services.streaks.domain.replay import WorkoutRecord, replay
from services.streaks.domain.rules import evaluate
from services.streaks.domain.state import StreakState
from services.streaks.repository import Checkpoint, StoredStreak

SAMPLE_SIZE = 5


@dataclass
class RecalculateReport:
    mode: str
    tenants: int = 0
    patients_total: int = 0
    patients_checked_this_run: int = 0
    resumed: bool = False
    complete: bool = False
    checkpoint: Checkpoint = field(default_factory=lambda: Checkpoint(""))
    sample: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "tenants": self.tenants,
            "patientsTotal": self.patients_total,
            "patientsChecked": self.checkpoint.patients_seen,
            "patientsCheckedThisRun": self.patients_checked_this_run,
            "patientsDiffering": self.checkpoint.patients_differing,
            "patientsWritten": self.checkpoint.patients_written,
            "resumed": self.resumed,
            "complete": self.complete,
            "seconds": round(self.seconds, 3),
            "sampleOfDiffs": self.sample,
        }


def run_key(apply: bool, tenant: uuid.UUID | None) -> str:
    return f"{'apply' if apply else 'dry-run'}:{tenant or 'all'}"


async def recalculate(
    database: Database,
    clock: Clock,
    tenant: uuid.UUID | None = None,
    apply: bool = False,
    restart: bool = False,
    batch_size: int = 200,
    max_patients: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> RecalculateReport:
    """Replays every patient (of one tenant or of all), batch by batch in patient id order.

    Resumable: after each batch the position is saved (with the batch's writes, in one transaction)
    under a key per mode and scope; a rerun continues there unless `restart`, and starts over once
    a run completed. Safe beside the running service: a patient is replaced only under its row
    lock, replayed again inside that lock from the projection as it is at that moment.
    `on_progress(checked, total)` follows the work, counting what an earlier run already checked.
    """
    started = time.monotonic()
    report = RecalculateReport(mode="apply" if apply else "dry-run")
    key = run_key(apply, tenant)
    async with database.unit_of_work(None) as uow:
        saved = await repository.load_checkpoint(uow, key)
        tenants = [tenant] if tenant is not None else await repository.known_tenants(uow)
    fresh = restart or saved is None or saved.finished
    checkpoint = Checkpoint(key) if fresh else saved
    report.resumed = not fresh
    report.checkpoint = checkpoint
    report.tenants = len(tenants)
    if fresh:
        async with database.unit_of_work(None) as uow:
            await repository.save_checkpoint(uow, checkpoint, restarted=True)
            await uow.commit()
    for tenant_id in tenants:
        async with database.unit_of_work(tenant_id) as uow:
            report.patients_total += await repository.count_patients(uow)
    actor = f"{getpass.getuser()} via momentum streaks recalculate"
    stopped = False
    for tenant_id in tenants:
        if checkpoint.after_tenant is not None and tenant_id < checkpoint.after_tenant:
            continue
        after = checkpoint.after_patient if tenant_id == checkpoint.after_tenant else None
        while not stopped:
            limit = batch_size
            if max_patients is not None:
                limit = min(limit, max_patients - report.patients_checked_this_run)
                if limit <= 0:
                    stopped = True
                    break
            batch = await _recalculate_batch(database, clock, tenant_id, after, limit, apply, checkpoint, report, actor)
            if not batch:
                break
            after = batch[-1]
            report.patients_checked_this_run += len(batch)
            if on_progress is not None:
                on_progress(checkpoint.patients_seen, report.patients_total)
        if stopped:
            break
    if not stopped:
        checkpoint.finished = True
        async with database.unit_of_work(None) as uow:
            await repository.save_checkpoint(uow, checkpoint)
            await uow.commit()
    report.complete = not stopped
    report.seconds = time.monotonic() - started
    return report


async def _recalculate_batch(
    database: Database,
    clock: Clock,
    tenant_id: uuid.UUID,
    after: uuid.UUID | None,
    limit: int,
    apply: bool,
    checkpoint: Checkpoint,
    report: RecalculateReport,
    actor: str,
) -> list[uuid.UUID]:
    now = clock.now()
    async with database.unit_of_work(tenant_id) as uow:
        patients = await repository.patients_after(uow, after, limit)
        if not patients:
            return []
        stored = await repository.streaks_of(uow, patients)
        histories = await repository.histories_of(uow, patients)
        zones = await repository.known_timezones(uow, patients)
    differing: list[uuid.UUID] = []
    zone_of: dict[uuid.UUID, str] = {}
    for patient_id in patients:
        zone_name = zone_of[patient_id] = patient_zone(zones.get(patient_id), histories[patient_id])
        current = _current_state(stored.get(patient_id), now, zone_name)
        replayed = replay(histories[patient_id], now, zone_name)
        if current != replayed:
            differing.append(patient_id)
            if len(report.sample) < SAMPLE_SIZE:
                report.sample.append(_diff(tenant_id, patient_id, current, replayed))
    checkpoint.patients_seen += len(patients)
    checkpoint.patients_differing += len(differing)
    checkpoint.after_tenant, checkpoint.after_patient = tenant_id, patients[-1]
    async with database.unit_of_work(tenant_id) as uow:
        if apply:
            for patient_id in differing:
                if await _replace_locked(uow, tenant_id, patient_id, now, zone_of[patient_id], actor):
                    checkpoint.patients_written += 1
        # The position moves in the same transaction as the writes it covers.
        await repository.save_checkpoint(uow, checkpoint)
        await uow.commit()
    return patients


def patient_zone(known_zone: str | None, history: list[WorkoutRecord]) -> str:
    """The zone streaks learned from plans' events, else the zone of the latest workout, else UTC.

    Plans is not asked here: the zone only matters for a row with no week anchor, and a row with
    workouts always has one (the workouts' own zones), so the answer cannot change a replay's result.
    """
    return resolve_zone_name(known_zone, history[-1].timezone if history else None)


def _current_state(stored: StoredStreak | None, now: datetime, zone_name: str) -> StreakState | None:
    # Compared as of now: a break or week turn merely not yet read is not a difference.
    return evaluate(stored.state, now, zone_name) if stored is not None else None


async def _replace_locked(
    uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, now: datetime, zone_name: str, actor: str
) -> bool:
    """Replays again under the row lock (a workout may have landed since the read) and writes if still different."""
    locked = await repository.lock_streak(uow, tenant_id, patient_id)
    if locked is None:
        return False
    replayed = replay(await repository.workout_history(uow, patient_id), now, zone_name)
    before = evaluate(locked.state, now, zone_name)
    if before == replayed:
        return False
    await repository.save_streak(uow, patient_id, replayed, replayed_through(replayed, now), rebuilt=True)
    await audit(
        uow, service_identity(tenant_id), "streak.recalculated", "streak", str(patient_id), now,
        request_id=f"recalculate-{now:%Y%m%dT%H%M%S}", before=before.to_dict(), after=replayed.to_dict(), by=actor,
    )
    return True


def _diff(tenant_id: uuid.UUID, patient_id: uuid.UUID, current: StreakState | None, replayed: StreakState) -> dict[str, Any]:
    stored = current.to_dict() if current is not None else None
    expected = replayed.to_dict()
    changed = sorted(k for k in expected if stored is None or stored.get(k) != expected[k])
    return {
        "tenantId": str(tenant_id),
        "patientId": str(patient_id),
        "fields": changed,
        "stored": stored,
        "replayed": expected,
    }
