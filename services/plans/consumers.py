"""Broker consumers of the plans service."""

from __future__ import annotations

import uuid
from datetime import timezone

from sqlalchemy import text

from momentum.events.v1 import events_pb2
from services.common.db import UnitOfWork
from services.common.messaging.consumer import IncomingEvent, PoisonMessage
from services.common.messaging.topology import ConsumerQueue

TELEMETRY_EVENTS = ConsumerQueue("plans.telemetry-events", bindings=("telemetry.session.finalized",))


def _uuid(field: str, raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise PoisonMessage(f"{field} {raw!r} is not a UUID") from exc


async def on_session_finalized(event: IncomingEvent, uow: UnitOfWork) -> None:
    """Stores the session's pose and media figures and puts the scores on the exercise log."""
    body: events_pb2.ExerciseSessionFinalized = event.body  # type: ignore[assignment]
    session_id = _uuid("session_id", body.session_id)
    session = (
        await uow.execute(
            text("SELECT workout_id, exercise_id FROM plans.exercise_sessions WHERE session_id = :s FOR UPDATE"),
            {"s": session_id},
        )
    ).first()
    if session is None:
        raise PoisonMessage(f"exercise session {session_id} is unknown to plans")
    pose = body.pose
    has_pose = body.HasField("pose") and pose.frames_total > 0
    await uow.execute(
        text("UPDATE plans.exercise_sessions SET finalized_at = :at, incomplete = :incomplete WHERE session_id = :s"),
        {"at": body.ended_at.ToDatetime(tzinfo=timezone.utc), "incomplete": body.incomplete, "s": session_id},
    )
    if has_pose:
        await uow.execute(
            text(
                "INSERT INTO plans.pose_session_metrics (session_id, tenant_id, workout_id, exercise_id, rep_count, "
                "average_form_score, active_duration_ms, pose_accuracy_score, frames_total, frames_low_visibility, "
                "incomplete, replay_key) VALUES (:s, :t, :w, :e, :reps, :form, :active, :accuracy, :frames, :low, "
                ":incomplete, :replay) ON CONFLICT (session_id) DO NOTHING"
            ),
            {
                "s": session_id, "t": event.tenant_id, "w": session.workout_id, "e": session.exercise_id,
                "reps": pose.rep_count, "form": pose.average_form_score, "active": pose.active_duration_ms,
                "accuracy": pose.pose_accuracy_score, "frames": pose.frames_total, "low": pose.frames_low_visibility,
                "incomplete": body.incomplete, "replay": body.replay_key or None,
            },
        )
        if pose.reps:
            await uow.execute(
                text(
                    "INSERT INTO plans.pose_rep_metrics (session_id, tenant_id, rep_number, start_ms, end_ms, "
                    "peak_rom_degrees, eccentric_ms, hold_ms, concentric_ms, max_deviation_degrees, form_score) "
                    "VALUES (:s, :t, :n, :start, :end, :rom, :ecc, :hold, :con, :dev, :form) ON CONFLICT DO NOTHING"
                ),
                [
                    {"s": session_id, "t": event.tenant_id, "n": r.rep_number, "start": r.start_ms, "end": r.end_ms,
                     "rom": r.peak_rom_degrees, "ecc": r.eccentric_ms, "hold": r.hold_ms, "con": r.concentric_ms,
                     "dev": r.max_deviation_degrees, "form": r.form_score}
                    for r in pose.reps
                ],
            )
        await uow.execute(
            text("UPDATE plans.exercise_logs SET pose_accuracy_score = :score WHERE workout_id = :w AND exercise_id = :e"),
            {"score": max(0.0, min(100.0, pose.pose_accuracy_score)), "w": session.workout_id, "e": session.exercise_id},
        )
    for media in body.media:
        await uow.execute(
            text(
                "INSERT INTO plans.media_session_metrics (session_id, media_session_id, tenant_id, watched_seconds, "
                "completion_percentage, rebuffer_count, rebuffer_percentage, startup_ms, exit_before_video_start) "
                "VALUES (:s, :m, :t, :watched, :completion, :count, :pct, :startup, :exit) ON CONFLICT DO NOTHING"
            ),
            {"s": session_id, "m": media.media_session_id, "t": event.tenant_id, "watched": media.watched_seconds,
             "completion": media.completion_percentage, "count": media.rebuffer_count, "pct": media.rebuffer_percentage,
             "startup": media.startup_ms, "exit": media.exit_before_video_start},
        )
    if body.media:
        watched = max(m.completion_percentage for m in body.media)
        await uow.execute(
            text("UPDATE plans.exercise_logs SET video_watch_percentage = greatest(coalesce(video_watch_percentage, 0), :pct) "
                 "WHERE workout_id = :w AND exercise_id = :e"),
            {"pct": max(0.0, min(100.0, watched)), "w": session.workout_id, "e": session.exercise_id},
        )


TELEMETRY_HANDLERS = {"telemetry.session.finalized": (events_pb2.ExerciseSessionFinalized, on_session_finalized)}
