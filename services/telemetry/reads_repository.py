"""The SQL of staff reads: finalized exercise sessions of a patient, one session, its playbacks' figures."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text

from services.common.db import UnitOfWork
from services.telemetry.repository import SESSION_COLUMNS, SessionRow


async def finalized_sessions(
    uow: UnitOfWork, patient_id: uuid.UUID, *, started_from: datetime | None, started_before: datetime | None,
    exercise_id: str | None, after: tuple[datetime, str] | None, limit: int,
) -> list[SessionRow]:
    """Newest first, keyset-paged on (opened_at, session_id); served by exercise_sessions_patient."""
    clauses = ["patient_id = :p", "status = 'finalized'"]
    params: dict[str, Any] = {"p": patient_id, "limit": limit}
    if started_from is not None:
        clauses.append("opened_at >= :from")
        params["from"] = started_from
    if started_before is not None:
        clauses.append("opened_at < :before")
        params["before"] = started_before
    if exercise_id:
        clauses.append("exercise_id = :e")
        params["e"] = exercise_id
    if after is not None:
        clauses.append("(opened_at, session_id) < (:after_at, :after_id)")
        params["after_at"], params["after_id"] = after
    rows = (
        await uow.execute(
            text(
                f"SELECT {SESSION_COLUMNS} FROM telemetry.exercise_sessions WHERE {' AND '.join(clauses)} "
                "ORDER BY opened_at DESC, session_id DESC LIMIT :limit"
            ),
            params,
        )
    ).all()
    return [SessionRow(*row) for row in rows]


async def video_quality_of_session(uow: UnitOfWork, session_id: str) -> list[Any]:
    """Every playback of the session's exercise video, in the order they started."""
    return list(
        (
            await uow.execute(
                text(
                    "SELECT media_session_id, startup_ms, watched_seconds, completion_percentage, milestones_reached, "
                    "rebuffer_count, rebuffer_seconds, rebuffer_percentage, rebuffers_per_minute, quality_seconds, "
                    "quality_up_switches, quality_down_switches, dropped_frame_ratio, exit_before_video_start, ended "
                    "FROM telemetry.media_session_metrics WHERE session_id = :s ORDER BY first_event_at, media_session_id"
                ),
                {"s": session_id},
            )
        ).all()
    )
