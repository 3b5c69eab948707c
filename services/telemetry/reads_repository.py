"""The SQL of staff reads: finalized exercise sessions of a patient, one session, its playbacks' figures, and a
clinic's playbacks of each exercise video over a period."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text

from services.common.db import UnitOfWork
from services.telemetry.domain.video_quality_summary import COMPLETED_PERCENTAGE as COMPLETED, SCORE_BANDS, ExercisePlays
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
                    "quality_up_switches, quality_down_switches, dropped_frame_ratio, exit_before_video_start, ended, "
                    "viewing_seconds, bitrate_seconds, average_bitrate, experience_score, experience_playback_success, "
                    "experience_startup, experience_smoothness, experience_video_quality "
                    "FROM telemetry.media_session_metrics WHERE session_id = :s ORDER BY first_event_at, media_session_id"
                ),
                {"s": session_id},
            )
        ).all()
    )


def _band_counts() -> tuple[str, dict[str, float]]:
    """count(*) per score band, from the domain's bounds (constants, bound as parameters)."""
    clauses, params = [], {}
    for index, (name, lowest) in enumerate(SCORE_BANDS):
        params[f"band_{index}"] = lowest
        upper = f" AND m.experience_score < :band_{index + 1}" if index + 1 < len(SCORE_BANDS) else ""
        clauses.append(f"count(*) FILTER (WHERE m.experience_score >= :band_{index}{upper}) AS band_{index}")
    return ", ".join(clauses), params


async def plays_by_exercise(uow: UnitOfWork, started_from: datetime, started_before: datetime) -> list[ExercisePlays]:
    """The clinic's playbacks first heard of in [from, to), summed per exercise (row-level security keeps it to
    the clinic). One statement reading each playback once: the window prunes to its months' partitions,
    media_session_metrics_period serves it, and the rendition and bitrate spreads come from the same rows."""
    bands, params = _band_counts()
    params.update({"from": started_from, "before": started_before})
    rows = (
        await uow.execute(
            text(
                "WITH p AS MATERIALIZED ("
                " SELECT s.exercise_id, m.completion_percentage, m.exit_before_video_start, m.watched_seconds,"
                " m.rebuffer_seconds, m.rebuffer_count, m.startup_ms, m.experience_score, m.quality_seconds, m.bitrate_seconds"
                " FROM telemetry.media_session_metrics m JOIN telemetry.exercise_sessions s ON s.session_id = m.session_id"
                " WHERE m.session_started_at >= :from AND m.session_started_at < :before), "
                "quality AS (SELECT exercise_id, jsonb_object_agg(key, seconds) AS seconds FROM ("
                " SELECT p.exercise_id, q.key, sum(q.value::float8) AS seconds FROM p, jsonb_each(p.quality_seconds) q"
                " GROUP BY 1, 2) x GROUP BY 1), "
                "bitrate AS (SELECT exercise_id, jsonb_object_agg(key, seconds) AS seconds FROM ("
                " SELECT p.exercise_id, b.key, sum(b.value::float8) AS seconds FROM p, jsonb_each(p.bitrate_seconds) b"
                " GROUP BY 1, 2) x GROUP BY 1), "
                "totals AS (SELECT m.exercise_id, count(*) AS plays, sum(m.completion_percentage) AS completion, "
                f" count(*) FILTER (WHERE m.completion_percentage >= {float(COMPLETED)}) AS completed, "
                " count(*) FILTER (WHERE m.exit_before_video_start) AS exits, sum(m.watched_seconds) AS watched, "
                " sum(m.rebuffer_seconds) AS stalled, sum(m.rebuffer_count) AS stalls, "
                " percentile_cont(0.5) WITHIN GROUP (ORDER BY m.startup_ms) AS median_startup, "
                f" coalesce(sum(m.experience_score), 0) AS score_sum, count(m.experience_score) AS scored, {bands} "
                " FROM p m GROUP BY m.exercise_id) "
                "SELECT t.*, coalesce(q.seconds, '{}'::jsonb), coalesce(b.seconds, '{}'::jsonb) FROM totals t "
                "LEFT JOIN quality q USING (exercise_id) LEFT JOIN bitrate b USING (exercise_id) ORDER BY t.exercise_id"
            ),
            params,
        )
    ).all()
    names = [name for name, _ in SCORE_BANDS]
    bands_at = 11
    return [
        ExercisePlays(
            exercise_id=row[0], plays=row[1], completion_percentage_sum=float(row[2]), completed_plays=row[3],
            exits_before_video_start=row[4], watched_seconds=float(row[5]), rebuffer_seconds=float(row[6]),
            rebuffer_count=int(row[7]), median_startup_ms=float(row[8]) if row[8] is not None else None,
            score_sum=float(row[9]), scored_plays=row[10], band_counts=dict(zip(names, row[bands_at:bands_at + len(names)])),
            quality_seconds={k: float(v) for k, v in row[-2].items()},
            bitrate_seconds={k: float(v) for k, v in row[-1].items()},
        )
        for row in rows
    ]
