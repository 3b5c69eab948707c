"""All SQL of the clinic-wide billing worklist: filtered, keyset-paged records and a bulk lock for mark-billed."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from sqlalchemy import text

from services.common.db import UnitOfWork
from services.plans.billing.repository import RECORD_COLUMNS, StoredRecord, stored_record


@dataclass(frozen=True)
class WorklistFilter:
    status: str | None = None
    code: str | None = None
    period_from: date | None = None  # periods ending on or after
    period_to: date | None = None  # periods starting on or before
    therapist_id: uuid.UUID | None = None


@dataclass(frozen=True)
class WorklistRow:
    stored: StoredRecord
    patient_name: str
    therapist_id: uuid.UUID | None


_COLUMNS = ", ".join(f"r.{c.strip()}" for c in RECORD_COLUMNS.split(","))
# The export's columns: evidence left in the table (it is most of a record's bytes and decoding time).
_COLUMNS_NO_EVIDENCE = _COLUMNS.replace("r.evidence", "'[]'::jsonb AS evidence")


async def clinic_records(
    uow: UnitOfWork, tenant_id: uuid.UUID, where: WorklistFilter, after: tuple[date, uuid.UUID] | None, limit: int,
    evidence: bool = True,
) -> list[WorklistRow]:
    """Records newest period first (then by id, so a keyset walks each once), with the patient's name and
    therapist; without `evidence`, each record's evidence is left empty."""
    rows = await uow.execute(
        text(
            f"""
            SELECT {_COLUMNS if evidence else _COLUMNS_NO_EVIDENCE}, u.display_name AS patient_name, tp.therapist_id
            FROM plans.billing_records r JOIN plans.users u ON u.user_id = r.patient_id
            LEFT JOIN LATERAL (
                SELECT a.therapist_id FROM plans.therapist_patients a WHERE a.patient_id = r.patient_id
                ORDER BY a.assigned_at DESC, a.therapist_id LIMIT 1
            ) tp ON true
            WHERE r.tenant_id = :tenant
              AND (CAST(:status AS text) IS NULL OR r.status = CAST(:status AS text))
              AND (CAST(:code AS jsonb) IS NULL OR r.codes @> CAST(:code AS jsonb))
              AND (CAST(:period_from AS date) IS NULL OR r.period_end >= CAST(:period_from AS date))
              AND (CAST(:period_to AS date) IS NULL OR r.period_start <= CAST(:period_to AS date))
              AND (CAST(:therapist AS uuid) IS NULL OR EXISTS (SELECT 1 FROM plans.therapist_patients a
                   WHERE a.patient_id = r.patient_id AND a.therapist_id = CAST(:therapist AS uuid)))
              AND (CAST(:after_id AS uuid) IS NULL
                   OR (r.period_start, r.record_id) < (CAST(:after_start AS date), CAST(:after_id AS uuid)))
            ORDER BY r.period_start DESC, r.record_id DESC
            LIMIT :limit
            """
        ),
        {
            "tenant": tenant_id, "status": where.status,
            "code": json.dumps([{"code": where.code}]) if where.code else None,
            "period_from": where.period_from, "period_to": where.period_to, "therapist": where.therapist_id,
            "after_start": after[0] if after else None, "after_id": after[1] if after else None, "limit": limit,
        },
    )
    return [WorklistRow(stored_record(r), r.patient_name, r.therapist_id) for r in rows]


async def lock_records(uow: UnitOfWork, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoredRecord]:
    """The records among `record_ids` this clinic holds, locked for the rest of the transaction (in id order,
    so two bulk requests over the same records cannot deadlock)."""
    rows = await uow.execute(
        text(f"SELECT {RECORD_COLUMNS} FROM plans.billing_records WHERE record_id = ANY(:ids) ORDER BY record_id FOR UPDATE"),
        {"ids": list(record_ids)},
    )
    return {row.record_id: stored_record(row) for row in rows}
