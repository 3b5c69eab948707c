"""SQL of app entrances and their transitions, and the dashboard log's combined read and combined write
(its audit row included). Daily rows, the XP ledger and completed workouts are in activity_repository."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import TextClause, text

from services.common.audit import AuditEntry, audit_statement
from services.common.db import UnitOfWork
from services.entrances.activity_repository import OPEN_SQL, AppOpen
from services.entrances.domain.entrance import Entrance, EntranceStatus, Transition

# ------------------------------------------------------------------ entrances

_ENTRANCE_COLUMNS = (
    "entrance_id, tenant_id, patient_id, local_date, timezone, status, first_seen_at, last_seen_at, "
    "finalize_after, finalized_at, mirror_workout_id, source_workout_id, entries_count, status_reason"
)


@dataclass(frozen=True)
class StoredEntrance:
    entrance: Entrance
    status_reason: str | None


@dataclass(frozen=True)
class DayOpening:
    """What a dashboard log decides on: the patient's zone and clinic flag as entrances knows them, the
    local day, whether it has a real workout, and the day's entrance, row-locked (looked for only when
    tracking is on and the day has no real workout)."""

    timezone: str
    entrance_tracking: bool
    local_date: date
    real_workout: bool
    entrance: Entrance | None


class EntranceRepository(Protocol):
    """The entrance rows as the use cases see them (EntranceHandlers, Finalizer): this module is the
    one the service runs; the unit tests' in-memory fake is another."""

    async def lock_entrance_for_day(self, uow: UnitOfWork, patient_id: str, local_date: date) -> Entrance | None: ...

    async def insert_entrance_if_absent(self, uow: UnitOfWork, entrance: Entrance, reason: str) -> bool: ...

    async def lock_entrance(self, uow: UnitOfWork, entrance_id: str) -> Entrance | None: ...

    async def lock_due_entrances(self, uow: UnitOfWork, now: datetime, besides: str, limit: int) -> list[Entrance]: ...

    async def open_day(
        self, uow: UnitOfWork, patient_id: str, now: datetime, local_date: date | None = None
    ) -> DayOpening | None: ...

    async def save_terminal(
        self, uow: UnitOfWork, tenant_id: str, entrance: Entrance, change: Transition, request_id: str | None
    ) -> None: ...

    async def list_entrances(self, uow: UnitOfWork, patient_id: uuid.UUID, limit: int) -> list[StoredEntrance]: ...

    async def record_entrance_log(
        self, uow: UnitOfWork, opened: AppOpen, entry: AuditEntry,
        extended: Entrance | None = None, born: tuple[str, Transition] | None = None,
    ) -> None: ...


def _entrance(row: Any) -> Entrance:
    return Entrance(
        id=str(row.entrance_id),
        tenant_id=str(row.tenant_id),
        patient_id=str(row.patient_id),
        local_date=row.local_date,
        timezone=row.timezone,
        status=EntranceStatus(row.status),
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        finalize_after=row.finalize_after,
        finalized_at=row.finalized_at,
        mirror_workout_id=row.mirror_workout_id,
        source_workout_id=row.source_workout_id,
        entries_count=row.entries_count,
    )


async def insert_entrance_if_absent(uow: UnitOfWork, entrance: Entrance, reason: str) -> bool:
    """True when this call created the patient's entrance for the day; a concurrent or earlier one wins otherwise."""
    result = await uow.execute(
        text(
            f"INSERT INTO entrances.entrances ({_ENTRANCE_COLUMNS}) VALUES (:id, :tenant, :patient, :day, :tz, "
            ":status, :first, :last, :due, NULL, NULL, NULL, :entries, :reason) "
            "ON CONFLICT (patient_id, local_date) DO NOTHING RETURNING 1"
        ),
        {
            "id": entrance.id, "tenant": entrance.tenant_id, "patient": entrance.patient_id,
            "day": entrance.local_date, "tz": entrance.timezone, "status": entrance.status.value,
            "first": entrance.first_seen_at, "last": entrance.last_seen_at, "due": entrance.finalize_after,
            "entries": entrance.entries_count, "reason": reason,
        },
    )
    return result.first() is not None


# The finalizer's and the log's row locks, parsed once (they run on every finalization and log).
_LOCK_FOR_DAY_SQL = text(
    f"SELECT {_ENTRANCE_COLUMNS} FROM entrances.entrances WHERE patient_id = :patient AND local_date = :day FOR UPDATE"
)
_LOCK_SQL = text(f"SELECT {_ENTRANCE_COLUMNS} FROM entrances.entrances WHERE entrance_id = :id FOR UPDATE")
_LOCK_DUE_SQL = text(
    f"SELECT {_ENTRANCE_COLUMNS} FROM entrances.entrances WHERE status = 'PENDING' "
    "AND finalize_after <= :now AND entrance_id <> :besides ORDER BY finalize_after DESC LIMIT :limit "
    "FOR UPDATE SKIP LOCKED"
)


async def lock_entrance_for_day(uow: UnitOfWork, patient_id: str, local_date: date) -> Entrance | None:
    row = (
        await uow.execute(
            _LOCK_FOR_DAY_SQL,
            {"patient": patient_id, "day": local_date},
        )
    ).first()
    return _entrance(row) if row else None


async def lock_entrance(uow: UnitOfWork, entrance_id: str) -> Entrance | None:
    """The finalizer's row lock: a second finalizer waits here, then sees the terminal state."""
    row = (
        await uow.execute(
            _LOCK_SQL,
            {"id": entrance_id},
        )
    ).first()
    return _entrance(row) if row else None


async def lock_due_entrances(uow: UnitOfWork, now: datetime, besides: str, limit: int) -> list[Entrance]:
    """Up to `limit` more of the clinic's PENDING entrances due at `now`, row-locked; rows another
    finalizer holds are skipped, never waited for. Latest deadline first: their own jobs are furthest
    back in the queue, so the jobs right behind this one are not left waiting on these locks."""
    rows = (
        await uow.execute(
            _LOCK_DUE_SQL,
            {"now": now, "besides": besides, "limit": limit},
        )
    ).all()
    return [_entrance(row) for row in rows]


# The day is the patient's local day of :now unless the caller names it (see EntranceHandlers._open_day).
_OPEN_DAY_SQL = text(
    "SELECT z.timezone AS zone, f.entrance_tracking, d.day, r.real_workout, e.* "
    "FROM entrances.patient_zones z JOIN entrances.clinic_flags f ON f.tenant_id = z.tenant_id "
    "CROSS JOIN LATERAL (SELECT COALESCE(CAST(:day AS date), (CAST(:now AS timestamptz) AT TIME ZONE z.timezone)::date) "
    "AS day) d "
    "CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM entrances.completed_workouts w WHERE w.patient_id = z.patient_id "
    "AND w.local_date = d.day AND w.source = 'real') AS real_workout) r "
    f"LEFT JOIN LATERAL (SELECT {_ENTRANCE_COLUMNS} FROM entrances.entrances x WHERE x.patient_id = z.patient_id "
    "AND x.local_date = d.day AND f.entrance_tracking AND NOT r.real_workout FOR UPDATE) e ON true "
    "WHERE z.patient_id = :patient"
)


async def open_day(uow: UnitOfWork, patient_id: str, now: datetime, local_date: date | None = None) -> DayOpening | None:
    """The dashboard log's whole read in one statement (the row lock included); None while entrances
    does not know the patient's zone or the clinic's flag yet."""
    row = (await uow.execute(_OPEN_DAY_SQL, {"patient": patient_id, "now": now, "day": local_date})).first()
    if row is None:
        return None
    entrance = _entrance(row) if row.entrance_id is not None else None
    return DayOpening(row.zone, row.entrance_tracking, row.day, row.real_workout, entrance)


_EXTEND_SQL = (
    "UPDATE entrances.entrances SET last_seen_at = :ext_last, finalize_after = :ext_due, entries_count = :ext_entries, "
    "updated_at = now() WHERE entrance_id = :ext_id AND status = 'PENDING'"
)


def _extend_params(entrance: Entrance) -> dict[str, Any]:
    return {"ext_last": entrance.last_seen_at, "ext_due": entrance.finalize_after, "ext_entries": entrance.entries_count,
            "ext_id": entrance.id}


_TRANSITION_SQL = (
    "INSERT INTO entrances.entrance_transitions (tenant_id, entrance_id, from_status, to_status, at, reason, "
    "request_id) VALUES (:tr_tenant, :tr_id, :tr_from, :tr_to, :tr_at, :tr_reason, :tr_rid)"
)


def _transition_params(tenant_id: str, change: Transition, request_id: str | None) -> dict[str, Any]:
    return {
        "tr_tenant": tenant_id, "tr_id": change.entrance_id,
        "tr_from": change.from_status.value if change.from_status else None,
        "tr_to": change.to_status.value, "tr_at": change.at, "tr_reason": change.reason, "tr_rid": request_id,
    }


_SAVE_TERMINAL_SQL = text(
    "WITH moved AS (UPDATE entrances.entrances SET status = :status, finalized_at = :at, "
    "mirror_workout_id = :mirror, source_workout_id = :source, status_reason = :tr_reason, "
    "updated_at = now() WHERE entrance_id = :tr_id AND status = 'PENDING' RETURNING 1), "
    "logged AS (INSERT INTO entrances.entrance_transitions (tenant_id, entrance_id, from_status, "
    "to_status, at, reason, request_id) SELECT :tr_tenant, :tr_id, :tr_from, :tr_to, :tr_at, :tr_reason, "
    ":tr_rid FROM moved RETURNING 1) SELECT count(*) FROM moved"
)


async def save_terminal(uow: UnitOfWork, tenant_id: str, entrance: Entrance, change: Transition, request_id: str | None) -> None:
    """The terminal state and its transition row in one statement. The status guard makes a terminal
    state final even if a caller forgot the row lock: then nothing is written and this raises."""
    moved = (
        await uow.execute(
            _SAVE_TERMINAL_SQL,
            {
                **_transition_params(tenant_id, change, request_id),
                "status": entrance.status.value, "at": entrance.finalized_at, "mirror": entrance.mirror_workout_id,
                "source": entrance.source_workout_id,
            },
        )
    ).scalar_one()
    if moved != 1:
        raise RuntimeError(f"entrance {entrance.id} was not PENDING when saving {entrance.status}")


async def list_entrances(uow: UnitOfWork, patient_id: uuid.UUID, limit: int) -> list[StoredEntrance]:
    rows = (
        await uow.execute(
            text(
                f"SELECT {_ENTRANCE_COLUMNS} FROM entrances.entrances WHERE patient_id = :patient "
                "ORDER BY local_date DESC LIMIT :limit"
            ),
            {"patient": patient_id, "limit": limit},
        )
    ).all()
    return [StoredEntrance(_entrance(row), row.status_reason) for row in rows]


async def due_entrances(uow: UnitOfWork, due_before: datetime, limit: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Across tenants, through the migration's SECURITY DEFINER function (ids only, nothing else)."""
    rows = (
        await uow.execute(
            text("SELECT tenant_id, entrance_id FROM entrances.due_entrances(:due_before, :limit)"),
            {"due_before": due_before, "limit": limit},
        )
    ).all()
    return [(row.tenant_id, row.entrance_id) for row in rows]


async def pending_figures(uow: UnitOfWork, as_of: datetime) -> tuple[int, float]:
    """(pending entrances, seconds the oldest has been past its deadline) across tenants, for the monitor."""
    row = (
        await uow.execute(
            text("SELECT pending, oldest_overdue_seconds FROM entrances.pending_entrance_figures(:as_of)"),
            {"as_of": as_of},
        )
    ).one()
    return int(row.pending), float(row.oldest_overdue_seconds)


# ------------------------------------------------------------------ the dashboard log, in one round trip


async def record_entrance_log(
    uow: UnitOfWork, opened: AppOpen, entry: AuditEntry,
    extended: Entrance | None = None, born: tuple[str, Transition] | None = None,
) -> None:
    """Everything a dashboard log writes once its entrance row is decided, as one statement: the app
    open on the daily row, the audit row, and the extension or the new entrance's first transition.
    (The hot path: one round trip instead of three.)"""
    audit_sql, audit_params = audit_statement(uow.schema, entry)
    params = {**opened.params(), **audit_params}
    if extended is not None:
        params.update(_extend_params(extended))
    if born is not None:
        params.update(_transition_params(born[0], born[1], entry.request_id))
    await uow.execute(_log_statement(audit_sql, extended is not None, born is not None), params)


@functools.lru_cache(maxsize=16)
def _log_statement(audit_sql: str, extends: bool, born: bool) -> TextClause:
    """One of the log's four statement shapes, parsed once: a text() per call re-parses its binds."""
    parts = [f"opened AS ({OPEN_SQL} RETURNING 1)", f"audited AS ({audit_sql} RETURNING 1)"]
    if extends:
        parts.append(f"extended AS ({_EXTEND_SQL} RETURNING 1)")
    if born:
        parts.append(f"born AS ({_TRANSITION_SQL} RETURNING 1)")
    return text(f"WITH {', '.join(parts)} SELECT 1")
