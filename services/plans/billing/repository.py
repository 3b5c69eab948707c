"""All SQL of RTM billing: time entries, billing records, their source records and the entrance projection."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import text

from services.common.db import UnitOfWork
from services.plans.domain.billing import (
    BillingRecord,
    BillingSourceRecord,
    BillingStatus,
    BillingTrack,
    CodeUnits,
    CountedDay,
    RtmCode,
    SourceKind,
    TimeEntry,
)

# pg_advisory_xact_lock(namespace, key): one recalculation per patient at a time, across processes.
RECALCULATION_LOCK_NAMESPACE = 0x52544D  # "RTM"


@dataclass(frozen=True)
class BillingSettings:
    enabled: bool
    policy: str
    default_timezone: str | None


@dataclass(frozen=True)
class Episode:
    """The patient's monitoring episode, the RTM service period: from the first plan's start to the
    last day of care (each plan's last day, or the day it ended if earlier). A data day outside it is not billed, and the plan's own analytics do not
    count a completion outside the plan's dates either (`domain.plan.within_plan`), so the two agree
    even while a plan past its last day is still active (until the lifecycle job ends it)."""

    start: date
    end: date | None


@dataclass(frozen=True)
class TimeEntryRow:
    entry_id: uuid.UUID
    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    minutes: int
    activity_type: str
    interactive: bool
    occurred_on: date
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class StoredRecord:
    record_id: uuid.UUID
    patient_id: uuid.UUID
    record: BillingRecord
    conflict: str | None
    billed_by: uuid.UUID | None
    updated_at: datetime


@dataclass(frozen=True)
class BoardRow:
    patient_id: uuid.UUID
    display_name: str
    timezone: str | None
    logged_in: bool
    monitoring_start: date | None
    latest: StoredRecord | None


# ------------------------------------------------------------------ encoding of codes and evidence
def codes_json(codes: Iterable[CodeUnits]) -> str:
    return json.dumps([{"code": str(c.code), "units": c.units} for c in codes])


def evidence_json(days: Iterable[CountedDay]) -> str:
    return json.dumps([{"date": d.local_date.isoformat(), "recordIds": list(d.record_ids)} for d in days])


def _record(row: Any) -> StoredRecord:
    return StoredRecord(
        record_id=row.record_id,
        patient_id=row.patient_id,
        record=BillingRecord(
            track=BillingTrack(row.track),
            period_start=row.period_start,
            period_end=row.period_end,
            codes=tuple(CodeUnits(RtmCode(c["code"]), int(c["units"])) for c in row.codes),
            status=BillingStatus(row.status),
            quantity=row.quantity,
            evidence=tuple(CountedDay(date.fromisoformat(d["date"]), tuple(d["recordIds"])) for d in row.evidence),
            billed_at=row.billed_at,
        ),
        conflict=row.conflict,
        billed_by=row.billed_by,
        updated_at=row.updated_at,
    )


# The clinic-wide worklist (worklist_repository) reads the same columns into the same record.
stored_record = _record

RECORD_COLUMNS = (
    "record_id, patient_id, track, period_start, period_end, codes, status, quantity, evidence, conflict, billed_at, "
    "billed_by, updated_at"
)


# ------------------------------------------------------------------ tenant and episode
async def billing_settings(uow: UnitOfWork, tenant_id: uuid.UUID) -> BillingSettings | None:
    row = (
        await uow.execute(
            text(
                "SELECT coalesce((feature_flags ->> 'rtmBilling')::boolean, false) AS enabled, rtm_qualifying_policy, "
                "default_timezone FROM plans.tenants WHERE tenant_id = :t"
            ),
            {"t": tenant_id},
        )
    ).first()
    return BillingSettings(row.enabled, row.rtm_qualifying_policy, row.default_timezone) if row else None


async def tenant_directory(uow: UnitOfWork) -> list[uuid.UUID]:
    return [row.tenant_id for row in await uow.execute(text("SELECT tenant_id FROM plans.tenant_directory ORDER BY tenant_id"))]


async def lock_patient(uow: UnitOfWork, patient_id: uuid.UUID) -> None:
    await uow.execute(
        text("SELECT pg_advisory_xact_lock(:ns, hashtext(:p))"), {"ns": RECALCULATION_LOCK_NAMESPACE, "p": str(patient_id)}
    )


async def episode(uow: UnitOfWork, patient_id: uuid.UUID) -> Episode | None:
    row = (
        await uow.execute(
            text(
                "SELECT min(start_date) AS start, "
                "max(least(start_date + 7 * duration_weeks - 1, coalesce(ended_on, 'infinity'::date))) AS last_day "
                "FROM plans.treatment_plans WHERE patient_id = :p"
            ),
            {"p": patient_id},
        )
    ).one()
    if row.start is None:
        return None
    return Episode(row.start, row.last_day)


async def patients_to_recalculate(uow: UnitOfWork) -> list[uuid.UUID]:
    """Every patient of the clinic with a plan, a time entry or a stored record."""
    rows = await uow.execute(
        text(
            "SELECT patient_id FROM plans.treatment_plans UNION SELECT patient_id FROM plans.time_entries "
            "UNION SELECT patient_id FROM plans.billing_records ORDER BY 1"
        )
    )
    return [row.patient_id for row in rows]


async def patients_with_closed_projections(uow: UnitOfWork, before: date) -> list[uuid.UUID]:
    rows = await uow.execute(
        # A window closes at its own end or when the episode ends (the last plan's last day passed or
        # care ended), whichever is first: both are looked for.
        text(
            "SELECT DISTINCT r.patient_id FROM plans.billing_records r WHERE r.status = 'projected' AND (r.period_end < :d "
            "OR (SELECT max(least(p.start_date + 7 * p.duration_weeks - 1, coalesce(p.ended_on, 'infinity'::date))) "
            "    FROM plans.treatment_plans p WHERE p.patient_id = r.patient_id) < :d) ORDER BY 1"
        ),
        {"d": before},
    )
    return [row.patient_id for row in rows]


async def patient_timezone(uow: UnitOfWork, patient_id: uuid.UUID) -> tuple[bool, str | None]:
    row = (await uow.execute(text("SELECT role, timezone FROM plans.users WHERE user_id = :p"), {"p": patient_id})).first()
    return (row is not None and row.role == "patient"), (row.timezone if row else None)


# ------------------------------------------------------------------ source records
async def source_records(
    uow: UnitOfWork, patient_id: uuid.UUID, kinds: frozenset[SourceKind], finalized_session: uuid.UUID | None = None
) -> list[BillingSourceRecord]:
    """The patient's records of the given kinds, each with the local date it happened on.

    An exercise session counts once telemetry finalized it (data arrived). The session being
    finalized by the event in hand counts too: the consumer that stamps finalized_at may run after us."""
    parts = []
    if SourceKind.WORKOUT_REAL in kinds:
        parts.append("SELECT local_date, 'workout_real' AS kind, workout_id::text AS id FROM plans.workouts "
                     "WHERE patient_id = :p AND status = 'completed' AND source = 'real'")
    if SourceKind.WORKOUT_INFERRED in kinds:
        parts.append("SELECT local_date, 'workout_inferred', workout_id::text FROM plans.workouts "
                     "WHERE patient_id = :p AND status = 'completed' AND source = 'inferred'")
    if SourceKind.EXERCISE_SESSION in kinds:
        parts.append("SELECT local_date, 'exercise_session', session_id::text FROM plans.exercise_sessions "
                     "WHERE patient_id = :p AND (finalized_at IS NOT NULL OR session_id = CAST(:hint AS uuid))")
    if SourceKind.APP_ENTRANCE in kinds:
        parts.append("SELECT local_date, 'app_entrance', entrance_id::text FROM plans.app_entrances WHERE patient_id = :p")
    if not parts:
        return []
    rows = await uow.execute(
        text(" UNION ALL ".join(parts)), {"p": patient_id, "hint": str(finalized_session) if finalized_session else None}
    )
    return [BillingSourceRecord(r.local_date, SourceKind(r.kind), f"{r.kind}:{r.id}") for r in rows]


async def time_entries_for_billing(uow: UnitOfWork, patient_id: uuid.UUID) -> list[TimeEntry]:
    rows = await uow.execute(
        text("SELECT entry_id, minutes, activity_type, interactive, occurred_on FROM plans.time_entries WHERE patient_id = :p"),
        {"p": patient_id},
    )
    return [TimeEntry(r.minutes, r.activity_type, r.interactive, r.occurred_on, f"time_entry:{r.entry_id}") for r in rows]


async def record_entrance(
    uow: UnitOfWork, tenant_id: uuid.UUID, entrance_id: uuid.UUID, patient_id: uuid.UUID, day: date, status: str,
    mirror_workout_id: uuid.UUID | None, finalized_at: datetime,
) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.app_entrances (entrance_id, tenant_id, patient_id, local_date, status, mirror_workout_id, "
            "finalized_at) VALUES (:e, :t, :p, :d, :status, :mirror, :at) ON CONFLICT (entrance_id) DO NOTHING"
        ),
        {"e": entrance_id, "t": tenant_id, "p": patient_id, "d": day, "status": status, "mirror": mirror_workout_id,
         "at": finalized_at},
    )


async def session_patient(uow: UnitOfWork, session_id: uuid.UUID) -> uuid.UUID | None:
    row = (await uow.execute(text("SELECT patient_id FROM plans.exercise_sessions WHERE session_id = :s"), {"s": session_id})).first()
    return row.patient_id if row else None


# ------------------------------------------------------------------ time entries
async def insert_time_entry(uow: UnitOfWork, tenant_id: uuid.UUID, entry: TimeEntryRow) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.time_entries (entry_id, tenant_id, patient_id, therapist_id, minutes, activity_type, "
            "interactive, occurred_on, note, created_at) VALUES (:entry_id, :tenant, :patient_id, :therapist_id, :minutes, "
            ":activity_type, :interactive, :occurred_on, :note, :created_at)"
        ),
        {"tenant": tenant_id, **entry.__dict__},
    )


async def list_time_entries(uow: UnitOfWork, patient_id: uuid.UUID) -> list[TimeEntryRow]:
    rows = await uow.execute(
        text(
            "SELECT entry_id, patient_id, therapist_id, minutes, activity_type, interactive, occurred_on, note, created_at "
            "FROM plans.time_entries WHERE patient_id = :p ORDER BY occurred_on DESC, created_at DESC"
        ),
        {"p": patient_id},
    )
    return [TimeEntryRow(**r._mapping) for r in rows]


# ------------------------------------------------------------------ billing records
async def records_of(uow: UnitOfWork, patient_id: uuid.UUID) -> list[StoredRecord]:
    rows = await uow.execute(
        text(f"SELECT {RECORD_COLUMNS} FROM plans.billing_records WHERE patient_id = :p ORDER BY track, period_start"),
        {"p": patient_id},
    )
    return [_record(r) for r in rows]


async def get_record(uow: UnitOfWork, record_id: uuid.UUID, for_update: bool = False) -> StoredRecord | None:
    lock = " FOR UPDATE" if for_update else ""
    row = (
        await uow.execute(text(f"SELECT {RECORD_COLUMNS} FROM plans.billing_records WHERE record_id = :r{lock}"), {"r": record_id})
    ).first()
    return _record(row) if row else None


async def insert_records(uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, records: Sequence[BillingRecord], at: datetime) -> None:
    if not records:
        return
    await uow.execute(
        text(
            "INSERT INTO plans.billing_records (record_id, tenant_id, patient_id, track, period_start, period_end, codes, "
            "status, quantity, evidence, created_at, updated_at) VALUES (:id, :tenant, :patient, :track, :start, :end, "
            "CAST(:codes AS jsonb), :status, :quantity, CAST(:evidence AS jsonb), :at, :at)"
        ),
        [
            {"id": uuid.uuid4(), "tenant": tenant_id, "patient": patient_id, "track": str(r.track), "start": r.period_start,
             "end": r.period_end, "codes": codes_json(r.codes), "status": str(r.status), "quantity": r.quantity,
             "evidence": evidence_json(r.evidence), "at": at}
            for r in records
        ],
    )


async def update_records(uow: UnitOfWork, patient_id: uuid.UUID, records: Sequence[BillingRecord], at: datetime) -> None:
    """Rewrites non-billed records with what recalculation computed (billed ones are never passed here)."""
    if not records:
        return
    await uow.execute(
        text(
            "UPDATE plans.billing_records SET period_end = :end, codes = CAST(:codes AS jsonb), status = :status, "
            "quantity = :quantity, evidence = CAST(:evidence AS jsonb), billed_at = NULL, billed_by = NULL, conflict = NULL, "
            "updated_at = :at WHERE patient_id = :patient AND track = :track AND period_start = :start AND status <> 'billed'"
        ),
        [
            {"patient": patient_id, "track": str(r.track), "start": r.period_start, "end": r.period_end,
             "codes": codes_json(r.codes), "status": str(r.status), "quantity": r.quantity,
             "evidence": evidence_json(r.evidence), "at": at}
            for r in records
        ],
    )


async def delete_records(uow: UnitOfWork, patient_id: uuid.UUID, records: Sequence[BillingRecord]) -> None:
    if not records:
        return
    await uow.execute(
        text("DELETE FROM plans.billing_records WHERE patient_id = :patient AND track = :track AND period_start = :start "
             "AND status <> 'billed'"),
        [{"patient": patient_id, "track": str(r.track), "start": r.period_start} for r in records],
    )


async def set_conflicts(uow: UnitOfWork, patient_id: uuid.UUID, conflicts: dict[tuple[str, date], str | None], at: datetime) -> None:
    if not conflicts:
        return
    await uow.execute(
        text("UPDATE plans.billing_records SET conflict = :conflict, updated_at = :at "
             "WHERE patient_id = :patient AND track = :track AND period_start = :start"),
        [{"patient": patient_id, "track": track, "start": start, "conflict": reason, "at": at}
         for (track, start), reason in conflicts.items()],
    )


async def set_status(uow: UnitOfWork, record_id: uuid.UUID, record: BillingRecord, billed_by: uuid.UUID | None, at: datetime) -> None:
    await uow.execute(
        text("UPDATE plans.billing_records SET status = :status, billed_at = :billed_at, billed_by = :by, updated_at = :at "
             "WHERE record_id = :r"),
        {"status": str(record.status), "billed_at": record.billed_at, "by": billed_by, "at": at, "r": record_id},
    )


# ------------------------------------------------------------------ progress board
async def board_rows(uow: UnitOfWork) -> list[BoardRow]:
    """Patients with an active plan, whether they ever used the app, and their latest data-days window."""
    rows = await uow.execute(
        text(
            f"""
            SELECT u.user_id, u.display_name, u.timezone,
                (u.timezone_updated_at IS NOT NULL
                 OR EXISTS (SELECT 1 FROM plans.workouts w WHERE w.patient_id = u.user_id AND w.status = 'completed')
                 OR EXISTS (SELECT 1 FROM plans.exercise_sessions s WHERE s.patient_id = u.user_id)
                 OR EXISTS (SELECT 1 FROM plans.app_entrances a WHERE a.patient_id = u.user_id)) AS logged_in,
                (SELECT min(r.period_start) FROM plans.billing_records r
                  WHERE r.patient_id = u.user_id AND r.track = 'data_days') AS monitoring_start,
                latest.*
            FROM plans.users u
            LEFT JOIN LATERAL (
                SELECT {RECORD_COLUMNS} FROM plans.billing_records r
                WHERE r.patient_id = u.user_id AND r.track = 'data_days' ORDER BY r.period_start DESC LIMIT 1
            ) latest ON true
            WHERE u.role = 'patient'
              AND EXISTS (SELECT 1 FROM plans.treatment_plans p WHERE p.patient_id = u.user_id AND p.status = 'active')
            ORDER BY u.display_name, u.user_id
            """
        )
    )
    return [
        BoardRow(r.user_id, r.display_name, r.timezone, r.logged_in, r.monitoring_start,
                 _record(r) if r.record_id is not None else None)
        for r in rows
    ]


async def record_counts(uow: UnitOfWork, today: date) -> tuple[dict[str, int], int]:
    """Records by status across clinics, and the projected ones whose period ended before yesterday (the monitor's)."""
    rows = (
        await uow.execute(
            text("SELECT status, records, unclosed FROM plans.billing_record_counts(:today)"), {"today": today}
        )
    ).all()
    return {row.status: int(row.records) for row in rows}, sum(int(row.unclosed) for row in rows)
