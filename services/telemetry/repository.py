"""All SQL of the telemetry service."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import text

from services.common import partitions
from services.common.db import UnitOfWork
from services.telemetry.domain.media_metrics import BufferingEvent, MediaSessionMetrics

SESSION_COLUMNS = (
    "session_id, tenant_id, patient_id, workout_id, exercise_id, status, opened_at, upload_id, parts_uploaded, "
    "frames_uploaded, incomplete, end_reason, ended_at, frame_count, replay_key, pose_summary"
)


@dataclass(frozen=True)
class SessionRow:
    session_id: str
    tenant_id: uuid.UUID
    patient_id: uuid.UUID
    workout_id: str
    exercise_id: str
    status: str
    opened_at: datetime
    upload_id: str | None
    parts_uploaded: int
    frames_uploaded: int
    incomplete: bool | None
    end_reason: str | None
    ended_at: datetime | None
    frame_count: int | None
    replay_key: str | None
    pose_summary: dict[str, Any] | None

    @property
    def finalized(self) -> bool:
        return self.status == "finalized"


@dataclass(frozen=True)
class LeaseRow:
    session_id: str
    tenant_id: uuid.UUID
    instance: str
    incarnation: str
    renewed_at: datetime
    stale: bool  # by the database's clock: nobody renewed it within the stale window


# ------------------------------------------------------------------ exercise sessions
async def open_session(
    uow: UnitOfWork, session_id: str, tenant_id: uuid.UUID, patient_id: uuid.UUID, workout_id: str,
    exercise_id: str, at: datetime,
) -> tuple[SessionRow | None, bool]:
    """The session's row, created on first contact, and locked; None when another clinic owns the id.
    The flag says whether this call created it."""
    created = (
        await uow.execute(
            text(
                "INSERT INTO telemetry.exercise_sessions (session_id, tenant_id, patient_id, workout_id, "
                "exercise_id, opened_at) VALUES (:s, :t, :p, :w, :e, :at) ON CONFLICT (session_id) DO NOTHING "
                "RETURNING 1"
            ),
            {"s": session_id, "t": tenant_id, "p": patient_id, "w": workout_id, "e": exercise_id, "at": at},
        )
    ).first() is not None
    return await lock_session(uow, session_id), created


async def lock_session(uow: UnitOfWork, session_id: str) -> SessionRow | None:
    row = (
        await uow.execute(
            text(f"SELECT {SESSION_COLUMNS} FROM telemetry.exercise_sessions WHERE session_id = :s FOR UPDATE"),
            {"s": session_id},
        )
    ).first()
    return SessionRow(*row) if row else None


async def get_session(uow: UnitOfWork, session_id: str) -> SessionRow | None:
    row = (
        await uow.execute(
            text(f"SELECT {SESSION_COLUMNS} FROM telemetry.exercise_sessions WHERE session_id = :s"), {"s": session_id}
        )
    ).first()
    return SessionRow(*row) if row else None


async def record_upload(uow: UnitOfWork, session_id: str, upload_id: str, parts: int, frames: int) -> None:
    await uow.execute(
        text(
            "UPDATE telemetry.exercise_sessions SET upload_id = :u, parts_uploaded = :n, frames_uploaded = :f "
            "WHERE session_id = :s AND status = 'open'"
        ),
        {"u": upload_id, "n": parts, "f": frames, "s": session_id},
    )


async def mark_finalized(
    uow: UnitOfWork, session_id: str, *, incomplete: bool, end_reason: str, ended_at: datetime, frame_count: int,
    replay_key: str, pose_summary: dict[str, Any],
) -> bool:
    """Open → finalized, once: False when another finalizer got there first."""
    result = await uow.execute(
        text(
            "UPDATE telemetry.exercise_sessions SET status = 'finalized', incomplete = :incomplete, "
            "end_reason = :reason, ended_at = :ended_at, frame_count = :frames, replay_key = :key, "
            "pose_summary = CAST(:summary AS jsonb) WHERE session_id = :s AND status = 'open' RETURNING 1"
        ),
        {
            "incomplete": incomplete, "reason": end_reason, "ended_at": ended_at, "frames": frame_count,
            "key": replay_key, "summary": json.dumps(pose_summary), "s": session_id,
        },
    )
    return result.first() is not None


# ------------------------------------------------------------------ leases (platform table, every clinic)
async def take_lease(
    uow: UnitOfWork, session_id: str, tenant_id: uuid.UUID, instance: str, incarnation: str, stale_after: timedelta
) -> LeaseRow:
    """This incarnation's new lease, or the lease someone already holds (locked)."""
    await uow.execute(
        text(
            "INSERT INTO telemetry.session_leases (session_id, tenant_id, instance, incarnation) "
            "VALUES (:s, :t, :i, :inc) ON CONFLICT (session_id) DO NOTHING"
        ),
        {"s": session_id, "t": tenant_id, "i": instance, "inc": incarnation},
    )
    row = (
        await uow.execute(
            text(
                "SELECT session_id, tenant_id, instance, incarnation, renewed_at, renewed_at < now() - CAST(:stale AS interval) "
                "FROM telemetry.session_leases WHERE session_id = :s FOR UPDATE"
            ),
            {"s": session_id, "stale": stale_after},
        )
    ).one()
    return LeaseRow(*row)


async def renew_leases(uow: UnitOfWork, incarnation: str) -> int:
    result = await uow.execute(
        text("UPDATE telemetry.session_leases SET renewed_at = now() WHERE incarnation = :inc"), {"inc": incarnation}
    )
    return int(result.rowcount or 0)


async def orphaned_leases(
    uow: UnitOfWork, instance: str, incarnation: str, stale_after: timedelta, limit: int = 50
) -> list[LeaseRow]:
    """Leases nobody renews any more, and those of this instance's previous lives (certainly dead)."""
    rows = (
        await uow.execute(
            text(
                "SELECT session_id, tenant_id, instance, incarnation, renewed_at, renewed_at < now() - CAST(:stale AS interval) "
                "FROM telemetry.session_leases "
                "WHERE incarnation <> :inc AND (renewed_at < now() - CAST(:stale AS interval) OR instance = :instance) "
                "ORDER BY renewed_at LIMIT :limit"
            ),
            {"inc": incarnation, "stale": stale_after, "instance": instance, "limit": limit},
        )
    ).all()
    return [LeaseRow(*row) for row in rows]


async def claim_lease(uow: UnitOfWork, session_id: str, previous_incarnation: str, incarnation: str) -> bool:
    """Take over an orphaned lease; False when another instance claimed it first."""
    result = await uow.execute(
        text(
            "UPDATE telemetry.session_leases SET incarnation = :inc, renewed_at = now() "
            "WHERE session_id = :s AND incarnation = :previous RETURNING 1"
        ),
        {"inc": incarnation, "s": session_id, "previous": previous_incarnation},
    )
    return result.first() is not None


async def return_lease(uow: UnitOfWork, lease: LeaseRow, incarnation: str) -> None:
    """Gives a claimed lease back as it was, so the recovery that failed is tried again later."""
    await uow.execute(
        text(
            "UPDATE telemetry.session_leases SET incarnation = :previous, renewed_at = :renewed "
            "WHERE session_id = :s AND incarnation = :inc"
        ),
        {"previous": lease.incarnation, "renewed": lease.renewed_at, "s": lease.session_id, "inc": incarnation},
    )


async def release_lease(uow: UnitOfWork, session_id: str) -> None:
    await uow.execute(text("DELETE FROM telemetry.session_leases WHERE session_id = :s"), {"s": session_id})


async def sessions_in_flight(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every leased session with the instance holding it, oldest renewal first (`momentum telemetry sessions`).
    Leases are a platform table: a transaction without a tenant sees every clinic's."""
    rows = (
        await uow.execute(
            text("SELECT session_id, tenant_id, instance, renewed_at FROM telemetry.session_leases ORDER BY renewed_at")
        )
    ).all()
    return [dict(row._mapping) for row in rows]


# ------------------------------------------------------------------ consent projection
async def consent_states(uow: UnitOfWork, patient_id: uuid.UUID) -> list[tuple[str, bool, datetime]]:
    rows = (
        await uow.execute(
            text("SELECT purpose, granted, changed_at FROM telemetry.consent_states WHERE patient_id = :p"),
            {"p": patient_id},
        )
    ).all()
    return [(row.purpose, row.granted, row.changed_at) for row in rows]


async def record_consent(
    uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, purpose: str, granted: bool, changed_at: datetime
) -> None:
    await uow.execute(
        text(
            "INSERT INTO telemetry.consent_states (tenant_id, patient_id, purpose, granted, changed_at) "
            "VALUES (:t, :p, :purpose, :granted, :at) ON CONFLICT (tenant_id, patient_id, purpose) DO UPDATE "
            "SET granted = EXCLUDED.granted, changed_at = EXCLUDED.changed_at "
            "WHERE telemetry.consent_states.changed_at < EXCLUDED.changed_at"
        ),
        {"t": tenant_id, "p": patient_id, "purpose": purpose, "granted": granted, "at": changed_at},
    )


# ------------------------------------------------------------------ media events and metrics
async def lock_playback(uow: UnitOfWork, media_session_id: str) -> None:
    """Serialises writers of one playback until commit, so its aggregate is rebuilt from every event."""
    await uow.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:m, 7))"), {"m": f"telemetry.media:{media_session_id}"}
    )


async def playback_anchor(uow: UnitOfWork, media_session_id: str) -> tuple[datetime, str] | None:
    """(partition key, exercise session) of a playback already seen."""
    row = (
        await uow.execute(
            text(
                "SELECT session_started_at, session_id FROM telemetry.media_events WHERE media_session_id = :m "
                "ORDER BY arrival LIMIT 1"
            ),
            {"m": media_session_id},
        )
    ).first()
    return (row.session_started_at, row.session_id) if row else None


async def insert_media_events(uow: UnitOfWork, rows: list[dict[str, Any]]) -> int:
    """Stores events not stored before (same event_id = a client retry); returns how many were new."""
    result = await uow.execute(
        text(
            "INSERT INTO telemetry.media_events (tenant_id, media_session_id, session_started_at, event_id, "
            "session_id, event_type, occurred_at, received_at, event) "
            "SELECT (r->>'tenant_id')::uuid, (r->>'media_session_id')::uuid, (r->>'session_started_at')::timestamptz, "
            "(r->>'event_id')::uuid, r->>'session_id', r->>'event_type', (r->>'occurred_at')::timestamptz, "
            "(r->>'received_at')::timestamptz, r->'event' "
            "FROM jsonb_array_elements(CAST(:rows AS jsonb)) WITH ORDINALITY AS batch(r, position) "
            # Arrival order is the tie-break of the aggregation: keep the request's order.
            "ORDER BY batch.position ON CONFLICT (event_id, session_started_at) DO NOTHING RETURNING 1"
        ),
        {"rows": json.dumps(rows, default=str)},
    )
    return len(result.all())


async def playback_events(uow: UnitOfWork, media_session_id: str, started_at: datetime) -> list[dict[str, Any]]:
    rows = (
        await uow.execute(
            text(
                "SELECT event FROM telemetry.media_events WHERE media_session_id = :m AND session_started_at = :at "
                "ORDER BY arrival"
            ),
            {"m": media_session_id, "at": started_at},
        )
    ).all()
    return [dict(row.event) for row in rows]


async def save_playback_metrics(
    uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, session_id: str, started_at: datetime,
    metrics: MediaSessionMetrics, duplicates: int, at: datetime,
) -> None:
    experience = metrics.viewer_experience
    values = {
        "tenant_id": tenant_id, "media_session_id": metrics.media_session_id, "session_started_at": started_at,
        "session_id": session_id, "patient_id": patient_id,
        "first_event_at": _from_ms(metrics.first_event_ms), "last_event_at": _from_ms(metrics.last_event_ms),
        "video_duration_seconds": metrics.video_duration_seconds, "startup_ms": metrics.startup_ms,
        "watched_seconds": metrics.watched_seconds, "completion_percentage": metrics.completion_percentage,
        "milestones_reached": list(metrics.milestones_reached), "rebuffer_count": metrics.rebuffer_count,
        "rebuffer_seconds": metrics.rebuffer_seconds, "rebuffer_percentage": metrics.rebuffer_percentage,
        "rebuffers_per_minute": metrics.rebuffers_per_minute, "viewing_seconds": metrics.viewing_seconds,
        "quality_seconds": json.dumps(metrics.quality_seconds), "bitrate_seconds": json.dumps(metrics.bitrate_seconds),
        "average_bitrate": metrics.average_bitrate,
        "quality_up_switches": metrics.quality_up_switches, "quality_down_switches": metrics.quality_down_switches,
        "dropped_frames": metrics.dropped_frames, "total_frames": metrics.total_frames,
        "dropped_frame_ratio": metrics.dropped_frame_ratio, "exit_before_video_start": metrics.exit_before_video_start,
        "ended": metrics.ended, "end_reason": metrics.end_reason, "events_received": metrics.events_received,
        "duplicate_events": duplicates, "updated_at": at,
        "experience_score": experience.score, "experience_playback_success": experience.playback_success,
        "experience_startup": experience.startup, "experience_smoothness": experience.smoothness,
        "experience_video_quality": experience.video_quality,
    }
    columns = ", ".join(values)
    placeholders = ", ".join(
        f"CAST(:{name} AS jsonb)" if name in ("quality_seconds", "bitrate_seconds") else f":{name}" for name in values
    )
    updates = ", ".join(
        f"{name} = EXCLUDED.{name}" for name in values if name not in ("media_session_id", "session_started_at")
    ).replace(
        "duplicate_events = EXCLUDED.duplicate_events",
        "duplicate_events = telemetry.media_session_metrics.duplicate_events + EXCLUDED.duplicate_events",
    )
    await uow.execute(
        text(
            f"INSERT INTO telemetry.media_session_metrics ({columns}) VALUES ({placeholders}) "
            f"ON CONFLICT (media_session_id, session_started_at) DO UPDATE SET {updates}"
        ),
        values,
    )


async def replace_stalls(
    uow: UnitOfWork, tenant_id: uuid.UUID, session_id: str, media_session_id: str, started_at: datetime,
    stalls: list[BufferingEvent],
) -> None:
    # A late buffering_end can close, merge or re-number stalls: the playback's rows are rebuilt whole.
    await uow.execute(
        text(
            "DELETE FROM telemetry.media_buffering_events WHERE media_session_id = :m AND session_started_at = :at"
        ),
        {"m": media_session_id, "at": started_at},
    )
    if not stalls:
        return
    await uow.execute(
        text(
            "INSERT INTO telemetry.media_buffering_events (tenant_id, media_session_id, session_started_at, "
            "stall_number, session_id, started_at, ended_at, duration_ms, position_seconds, closed_by) "
            "VALUES (:t, :m, :at, :n, :s, :start, :end, :ms, :position, :closed_by)"
        ),
        [
            {
                "t": tenant_id, "m": media_session_id, "at": started_at, "n": stall.stall_number, "s": session_id,
                "start": _from_ms(stall.started_at_ms), "end": _from_ms(stall.ended_at_ms),
                "ms": stall.duration_ms, "position": stall.position_seconds, "closed_by": stall.closed_by,
            }
            for stall in stalls
        ],
    )


async def playback_metrics_of_session(uow: UnitOfWork, session_id: str) -> list[Any]:
    return list(
        (
            await uow.execute(
                text(
                    "SELECT media_session_id, startup_ms, watched_seconds, completion_percentage, milestones_reached, "
                    "rebuffer_count, rebuffer_seconds, rebuffer_percentage, rebuffers_per_minute, quality_seconds, "
                    "quality_up_switches, quality_down_switches, dropped_frame_ratio, exit_before_video_start, "
                    "ended, events_received FROM telemetry.media_session_metrics WHERE session_id = :s "
                    "ORDER BY first_event_at, media_session_id"
                ),
                {"s": session_id},
            )
        ).all()
    )


# ------------------------------------------------------------------ maintenance

# The SECURITY DEFINER function that keeps the media tables' months (see services.common.partitions).
PARTITION_FUNCTION = "telemetry.maintain_month_partitions"


async def maintain_month_partitions(uow: UnitOfWork, months_ahead: int, keep_months: int) -> int:
    return await partitions.maintain_month_partitions(uow, PARTITION_FUNCTION, months_ahead, keep_months)


def _from_ms(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000.0, tz=timezone.utc)
