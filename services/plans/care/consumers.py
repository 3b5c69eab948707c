"""Care's broker consumer: what telemetry measured in a finalized exercise session lands on its workout."""

from __future__ import annotations

from momentum.events.v1 import events_pb2
from services.common.db import UnitOfWork
from services.common.messaging.consumer import IncomingEvent, PoisonMessage
from services.common.messaging.topology import ConsumerQueue
from services.common.parsing import from_timestamp, parse_uuid
from services.plans.care import repository
from services.plans.incoming import poison_if_invalid

TELEMETRY_EVENTS = ConsumerQueue("plans.telemetry-events", bindings=("telemetry.session.finalized",))


def _percent(value: float) -> float:
    return max(0.0, min(100.0, value))


async def on_session_finalized(event: IncomingEvent, uow: UnitOfWork) -> None:
    """Stores the session's pose and media figures and puts the scores on the exercise log."""
    body: events_pb2.ExerciseSessionFinalized = event.body  # type: ignore[assignment]
    with poison_if_invalid():
        session_id = parse_uuid("session_id", body.session_id)
    session = await repository.lock_exercise_session(uow, session_id)
    if session is None:
        raise PoisonMessage(f"exercise session {session_id} is unknown to plans")
    await repository.mark_session_finalized(uow, session_id, from_timestamp(body.ended_at), body.incomplete)
    pose = body.pose
    if body.HasField("pose") and pose.frames_total > 0:
        await repository.insert_pose_metrics(
            uow, event.tenant_id, session_id, session, pose, body.incomplete, body.replay_key or None
        )
        if pose.HasField("pose_accuracy_score"):
            # No rep detected is no measurement: it never replaces a score another session measured.
            await repository.set_pose_accuracy(
                uow, session, session_id, _percent(pose.pose_accuracy_score), from_timestamp(body.ended_at)
            )
    for media in body.media:
        await repository.insert_media_metrics(uow, event.tenant_id, session_id, media)
    if body.media:
        await repository.raise_video_watch(uow, session, _percent(max(m.completion_percentage for m in body.media)))


TELEMETRY_HANDLERS = {"telemetry.session.finalized": (events_pb2.ExerciseSessionFinalized, on_session_finalized)}
