"""All SQL of the streaks service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import text

from services.common.db import UnitOfWork
from services.streaks.domain.replay import WorkoutRecord
from services.streaks.domain.state import StreakState


@dataclass(frozen=True)
class KnownPatient:
    patient_id: uuid.UUID
    timezone: str | None
    timezone_changes: int


@dataclass(frozen=True)
class StoredStreak:
    tenant_id: uuid.UUID
    patient_id: uuid.UUID
    state: StreakState
    version: int
    evaluated_at: datetime | None


@dataclass(frozen=True)
class ProjectedWorkout:
    """One row of the replay source, as the consumer compares a redelivered event against it."""

    workout_id: uuid.UUID
    patient_id: uuid.UUID
    plan_id: str | None
    completed_at: datetime
    minutes: int
    timezone: str
    local_date: date
    source: str

    def same_facts(self, other: "ProjectedWorkout") -> bool:
        return (
            self.patient_id == other.patient_id
            and self.completed_at == other.completed_at
            and self.minutes == other.minutes
            and self.timezone == other.timezone
            and self.source == other.source
        )


# ------------------------------------------------------------------ patients (timezone projection)
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


# ------------------------------------------------------------------ streak rows
_STREAK_COLUMNS = (
    "tenant_id, patient_id, current_daily_streak, current_weekly_streak, last_workout_date, weekly_minutes, "
    "weekly_workout_days, week_streak_active_since, week_timezone, version, evaluated_at"
)


def _stored(row: Any) -> StoredStreak:
    state = StreakState(
        current_daily_streak=row.current_daily_streak,
        current_weekly_streak=row.current_weekly_streak,
        last_workout_date=row.last_workout_date,
        weekly_minutes=row.weekly_minutes,
        weekly_workout_days=frozenset(row.weekly_workout_days or ()),
        week_streak_active_since=row.week_streak_active_since,
        week_timezone=row.week_timezone,
    )
    return StoredStreak(row.tenant_id, row.patient_id, state, row.version, row.evaluated_at)


async def get_streak(uow: UnitOfWork, patient_id: uuid.UUID) -> StoredStreak | None:
    row = (
        await uow.execute(
            text(f"SELECT {_STREAK_COLUMNS} FROM streaks.patient_streaks WHERE patient_id = :p"), {"p": patient_id}
        )
    ).first()
    return _stored(row) if row else None


async def lock_streak(uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> StoredStreak | None:
    """The patient's row, created with zeros if missing, locked until the transaction ends.

    Every writer of a patient's streak or workout projection takes this lock first, so the
    consumer, GetStreak, RebuildStreak and `recalculate` never interleave for one patient.
    None means the id is taken by a row this tenant cannot see (another clinic's patient).
    """
    await uow.execute(
        text(
            "INSERT INTO streaks.patient_streaks (tenant_id, patient_id) VALUES (:t, :p) "
            "ON CONFLICT (patient_id) DO NOTHING"
        ),
        {"t": tenant_id, "p": patient_id},
    )
    row = (
        await uow.execute(
            text(f"SELECT {_STREAK_COLUMNS} FROM streaks.patient_streaks WHERE patient_id = :p FOR UPDATE"),
            {"p": patient_id},
        )
    ).first()
    return _stored(row) if row else None


async def save_streak(
    uow: UnitOfWork, patient_id: uuid.UUID, state: StreakState, evaluated_at: datetime, rebuilt: bool = False
) -> int:
    """Writes the state as evaluated at `evaluated_at` and bumps the version; returns the new version."""
    rebuilt_sql = ", last_rebuilt_at = now()" if rebuilt else ""
    return (
        await uow.execute(
            text(
                "UPDATE streaks.patient_streaks SET current_daily_streak = :daily, current_weekly_streak = :weekly, "
                "last_workout_date = :last, weekly_minutes = :minutes, weekly_workout_days = :days, "
                "week_streak_active_since = :active_since, week_timezone = :week_tz, evaluated_at = :evaluated_at, "
                f"version = version + 1, updated_at = now(){rebuilt_sql} WHERE patient_id = :p RETURNING version"
            ),
            {
                "p": patient_id,
                "daily": state.current_daily_streak,
                "weekly": state.current_weekly_streak,
                "last": state.last_workout_date,
                "minutes": state.weekly_minutes,
                "days": sorted(state.weekly_workout_days),
                "active_since": state.week_streak_active_since,
                "week_tz": state.week_timezone,
                "evaluated_at": evaluated_at,
            },
        )
    ).scalar_one()


async def register_tenant(uow: UnitOfWork, tenant_id: uuid.UUID) -> None:
    await uow.execute(
        text("INSERT INTO streaks.known_tenants (tenant_id) VALUES (:t) ON CONFLICT (tenant_id) DO NOTHING"),
        {"t": tenant_id},
    )


async def known_tenants(uow: UnitOfWork) -> list[uuid.UUID]:
    rows = await uow.execute(text("SELECT tenant_id FROM streaks.known_tenants ORDER BY tenant_id"))
    return [row.tenant_id for row in rows]


# ------------------------------------------------------------------ completed workouts (replay source)
async def get_workout(uow: UnitOfWork, workout_id: uuid.UUID) -> ProjectedWorkout | None:
    row = (
        await uow.execute(
            text(
                "SELECT workout_id, patient_id, plan_id, completed_at, minutes, timezone, local_date, source "
                "FROM streaks.completed_workouts WHERE workout_id = :w"
            ),
            {"w": workout_id},
        )
    ).first()
    return ProjectedWorkout(*row) if row else None


async def insert_workout(uow: UnitOfWork, tenant_id: uuid.UUID, workout: ProjectedWorkout, message_id: str) -> bool:
    """False when the id already exists, possibly in a tenant this one cannot see."""
    inserted = await uow.execute(
        text(
            "INSERT INTO streaks.completed_workouts (workout_id, tenant_id, patient_id, plan_id, completed_at, "
            "minutes, timezone, local_date, source, message_id) VALUES (:w, :t, :p, :plan, :at, :minutes, :tz, "
            ":local_date, :source, :message_id) ON CONFLICT (workout_id) DO NOTHING RETURNING 1"
        ),
        {**_workout_params(workout), "t": tenant_id, "message_id": message_id},
    )
    return inserted.first() is not None


async def correct_workout(uow: UnitOfWork, workout: ProjectedWorkout, message_id: str) -> None:
    await uow.execute(
        text(
            "UPDATE streaks.completed_workouts SET plan_id = :plan, completed_at = :at, minutes = :minutes, "
            "timezone = :tz, local_date = :local_date, source = :source, message_id = :message_id, "
            "updated_at = now() WHERE workout_id = :w AND patient_id = :p"
        ),
        {**_workout_params(workout), "message_id": message_id},
    )


def _workout_params(workout: ProjectedWorkout) -> dict[str, Any]:
    return {
        "w": workout.workout_id,
        "p": workout.patient_id,
        "plan": workout.plan_id,
        "at": workout.completed_at,
        "minutes": workout.minutes,
        "tz": workout.timezone,
        "local_date": workout.local_date,
        "source": workout.source,
    }


async def workout_history(uow: UnitOfWork, patient_id: uuid.UUID) -> list[WorkoutRecord]:
    rows = await uow.execute(
        text(
            "SELECT completed_at, minutes, timezone FROM streaks.completed_workouts "
            "WHERE patient_id = :p ORDER BY completed_at, workout_id"
        ),
        {"p": patient_id},
    )
    return [WorkoutRecord(row.completed_at, row.minutes, row.timezone) for row in rows]


# ------------------------------------------------------------------ recalculate
async def patients_after(uow: UnitOfWork, after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
    """The next patients of the current tenant in id order: those with a streak row or a workout.

    Each side is limited before the union so a batch reads about `limit` ids, not the whole tenant.
    """
    rows = await uow.execute(
        text(
            "SELECT patient_id FROM ("
            "  (SELECT patient_id FROM streaks.patient_streaks WHERE patient_id > :after "
            "   ORDER BY patient_id LIMIT :limit)"
            "  UNION"
            "  (SELECT DISTINCT patient_id FROM streaks.completed_workouts WHERE patient_id > :after "
            "   ORDER BY patient_id LIMIT :limit)"
            ") AS patients ORDER BY patient_id LIMIT :limit"
        ),
        {"after": after or uuid.UUID(int=0), "limit": limit},
    )
    return [row.patient_id for row in rows]


async def count_patients(uow: UnitOfWork) -> int:
    return (
        await uow.execute(
            text(
                "SELECT count(*) FROM (SELECT patient_id FROM streaks.patient_streaks "
                "UNION SELECT patient_id FROM streaks.completed_workouts) AS patients"
            )
        )
    ).scalar_one()


async def streaks_of(uow: UnitOfWork, patient_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoredStreak]:
    rows = await uow.execute(
        text(f"SELECT {_STREAK_COLUMNS} FROM streaks.patient_streaks WHERE patient_id = ANY(:ids)"),
        {"ids": list(patient_ids)},
    )
    return {row.patient_id: _stored(row) for row in rows}


async def histories_of(uow: UnitOfWork, patient_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[WorkoutRecord]]:
    """Each patient's workouts in completion order; one row per patient (arrays decode in the driver,
    not row by row in Python, which is most of recalculate's I/O cost)."""
    histories: dict[uuid.UUID, list[WorkoutRecord]] = {patient: [] for patient in patient_ids}
    rows = await uow.execute(
        text(
            "SELECT patient_id, array_agg(completed_at ORDER BY completed_at, workout_id) AS completed, "
            "array_agg(minutes ORDER BY completed_at, workout_id) AS minutes, "
            "array_agg(timezone ORDER BY completed_at, workout_id) AS zones "
            "FROM streaks.completed_workouts WHERE patient_id = ANY(:ids) GROUP BY patient_id"
        ),
        {"ids": list(patient_ids)},
    )
    for patient_id, completed, minutes, zones in rows:
        histories[patient_id] = list(map(WorkoutRecord, completed, minutes, zones))
    return histories


async def known_timezones(uow: UnitOfWork, patient_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    rows = await uow.execute(
        text("SELECT patient_id, timezone FROM streaks.patients WHERE patient_id = ANY(:ids)"),
        {"ids": list(patient_ids)},
    )
    return {row.patient_id: row.timezone for row in rows}


@dataclass
class Checkpoint:
    run_key: str
    after_tenant: uuid.UUID | None = None
    after_patient: uuid.UUID | None = None
    patients_seen: int = 0
    patients_differing: int = 0
    patients_written: int = 0
    finished: bool = False


async def load_checkpoint(uow: UnitOfWork, run_key: str) -> Checkpoint | None:
    row = (
        await uow.execute(
            text(
                "SELECT run_key, after_tenant, after_patient, patients_seen, patients_differing, patients_written, "
                "finished_at IS NOT NULL AS finished FROM streaks.recalculate_checkpoints WHERE run_key = :k"
            ),
            {"k": run_key},
        )
    ).first()
    return Checkpoint(*row) if row else None


async def save_checkpoint(uow: UnitOfWork, checkpoint: Checkpoint, restarted: bool = False) -> None:
    await uow.execute(
        text(
            "INSERT INTO streaks.recalculate_checkpoints (run_key, after_tenant, after_patient, patients_seen, "
            "patients_differing, patients_written, finished_at) VALUES (:k, :tenant, :patient, :seen, :differing, "
            ":written, CASE WHEN CAST(:finished AS boolean) THEN now() END) ON CONFLICT (run_key) DO UPDATE SET "
            "after_tenant = EXCLUDED.after_tenant, after_patient = EXCLUDED.after_patient, "
            "patients_seen = EXCLUDED.patients_seen, patients_differing = EXCLUDED.patients_differing, "
            "patients_written = EXCLUDED.patients_written, finished_at = EXCLUDED.finished_at, updated_at = now()"
            + (", started_at = now()" if restarted else "")
        ),
        {
            "k": checkpoint.run_key,
            "tenant": checkpoint.after_tenant,
            "patient": checkpoint.after_patient,
            "seen": checkpoint.patients_seen,
            "differing": checkpoint.patients_differing,
            "written": checkpoint.patients_written,
            "finished": checkpoint.finished,
        },
    )
