"""All SQL of the streaks service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from services.common.db import UnitOfWork


@dataclass(frozen=True)
class KnownPatient:
    patient_id: uuid.UUID
    timezone: str | None
    timezone_changes: int


async def record_timezone(uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, timezone: str, at: datetime) -> None:
    # Events may arrive out of order: an older change never overwrites a newer one.
    await uow.execute(
        text(
            "INSERT INTO streaks.patients (tenant_id, patient_id, timezone, timezone_changes, timezone_changed_at) "
            "VALUES (:tenant_id, :patient_id, :tz, 1, :at) "
            "ON CONFLICT (patient_id) DO UPDATE SET "
            "timezone = CASE WHEN streaks.patients.timezone_changed_at IS NULL "
            "  OR streaks.patients.timezone_changed_at <= EXCLUDED.timezone_changed_at "
            "  THEN EXCLUDED.timezone ELSE streaks.patients.timezone END, "
            "timezone_changed_at = GREATEST(streaks.patients.timezone_changed_at, EXCLUDED.timezone_changed_at), "
            "timezone_changes = streaks.patients.timezone_changes + 1, updated_at = now()"
        ),
        {"tenant_id": tenant_id, "patient_id": patient_id, "tz": timezone, "at": at},
    )


async def get_patient(uow: UnitOfWork, patient_id: uuid.UUID) -> KnownPatient | None:
    row = (
        await uow.execute(
            text("SELECT patient_id, timezone, timezone_changes FROM streaks.patients WHERE patient_id = :p"),
            {"p": patient_id},
        )
    ).first()
    return KnownPatient(row.patient_id, row.timezone, row.timezone_changes) if row else None
