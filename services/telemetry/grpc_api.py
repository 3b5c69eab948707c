"""The telemetry gRPC servicer: parse the request, call a handler, build the reply."""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable, TypeVar

import grpc

from momentum.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc
from services.common import identity
from services.common.db import database_unavailable
from services.common.errors import DomainError, InvalidInput
from services.common.grpc_server import (
    DATABASE_RETRY_AFTER_SECONDS, ERROR_CODE_KEY, ERROR_FIELD_KEY, SERVICE_RETRY_AFTER_SECONDS, error_metadata, status_for,
)
from services.common.identity import set_current
from services.common.logging import get_logger
from services.common.parsing import iso_utc, parse_uuid
from services.telemetry.finalizer import Finalization, TelemetryUnavailable
from services.telemetry.handlers import TelemetryHandlers
from services.telemetry.reads import DEFAULT_PAGE, SessionReads, SessionView, VideoQualityByExercise
from services.telemetry.sessions import Accepted

log = get_logger(__name__)

MAX_SESSION_ID_CHARS = 128
SESSION_ID = re.compile(rf"[A-Za-z0-9_.:-]{{1,{MAX_SESSION_ID_CHARS}}}")
Reply = TypeVar("Reply")


def outages_are_unavailable(rpc: Callable[..., Awaitable[Reply]]) -> Callable[..., Awaitable[Reply]]:
    @functools.wraps(rpc)
    async def wrapped(*args: Any) -> Reply:
        try:
            return await rpc(*args)
        except DomainError:
            raise
        except Exception as exc:
            # Postgres refusing or dropping connections is an outage to retry (503), not a bug of ours (500).
            if database_unavailable(exc):
                raise TelemetryUnavailable("the telemetry database is unavailable; retry shortly") from exc
            raise

    return wrapped


class TelemetryServicer(telemetry_pb2_grpc.TelemetryServiceServicer):
    def __init__(self, handlers: TelemetryHandlers, reads: SessionReads) -> None:
        self._handlers = handlers
        self._reads = reads

    @outages_are_unavailable
    async def IngestPoseBatch(
        self, request: telemetry_pb2.IngestPoseBatchRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.IngestPoseBatchReply:
        return pose_reply(await self._handlers.ingest_pose(request.session_token, request.body))

    async def StreamPoseBatches(
        self, requests: AsyncIterator[telemetry_pb2.PoseBatchInStream], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[telemetry_pb2.PoseBatchAck]:
        """One ack per batch, in order; sent only once the batch is held, or refused with nothing held."""
        async for batch in requests:
            set_current(None, batch.request_id or None)
            try:
                accepted = await self._handlers.ingest_pose(batch.session_token, batch.body)
            except DomainError as exc:
                log.info("pose.batch_refused", request_id=batch.request_id, detail=exc.detail, code=exc.code)
                yield refusal(status_for(exc), exc.detail, exc, SERVICE_RETRY_AFTER_SECONDS)
                continue
            except Exception as exc:
                if not database_unavailable(exc):
                    log.exception("pose.batch_failed", request_id=batch.request_id)
                    yield refusal(grpc.StatusCode.INTERNAL, f"internal error; see server logs for request id {batch.request_id}")
                    continue
                log.warning("pose.database_unavailable", request_id=batch.request_id, error=repr(exc))
                yield refusal(grpc.StatusCode.UNAVAILABLE, "database unavailable; retry", None, DATABASE_RETRY_AFTER_SECONDS)
                continue
            yield telemetry_pb2.PoseBatchAck(stored=pose_reply(accepted))

    @outages_are_unavailable
    async def IngestMediaEvents(
        self, request: telemetry_pb2.IngestMediaEventsRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.IngestMediaEventsReply:
        outcome = await self._handlers.ingest_media(request.session_token, request.events_json)
        return telemetry_pb2.IngestMediaEventsReply(
            session_id=outcome.session_id,
            events_received=outcome.events_received,
            events_stored=outcome.events_stored,
            media_sessions=[
                telemetry_pb2.MediaSessionFigures(
                    media_session_id=p.media_session_id, events=p.events, watched_seconds=p.watched_seconds,
                    completion_percentage=p.completion_percentage, rebuffer_count=p.rebuffer_count, ended=p.ended,
                )
                for p in outcome.playbacks
            ],
        )

    @outages_are_unavailable
    async def EndSession(
        self, request: telemetry_pb2.EndSessionRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.SessionFinalization:
        done = await self._handlers.end_session(request.session_token, _session_id(request.session_id))
        return finalization_reply(done)

    @outages_are_unavailable
    async def GetReplay(
        self, request: telemetry_pb2.GetReplayRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.ReplayLink:
        link = await self._handlers.replay_link(identity.current(), _session_id(request.session_id))
        return telemetry_pb2.ReplayLink(
            session_id=link.session_id,
            url=link.url,
            expires_at=iso_utc(link.expires_at),
            frame_count=link.frame_count,
            content_encoding="gzip",
        )


    @outages_are_unavailable
    async def ListExerciseSessions(
        self, request: telemetry_pb2.ListExerciseSessionsRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.ExerciseSessionPage:
        page = await self._reads.list_sessions(
            identity.current(), parse_uuid("patientId", request.patient_id),
            started_from=_instant("from", request.started_from), started_before=_instant("to", request.started_before),
            exercise_id=str(parse_uuid("exerciseId", request.exercise_id)) if request.exercise_id else None,
            limit=request.limit or DEFAULT_PAGE, cursor=request.cursor or None,
        )
        return telemetry_pb2.ExerciseSessionPage(
            sessions=[session_reply(view) for view in page.sessions], next_cursor=page.next_cursor
        )

    @outages_are_unavailable
    async def GetExerciseSession(
        self, request: telemetry_pb2.GetExerciseSessionRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.ExerciseSessionDetail:
        return session_reply(await self._reads.get_session(identity.current(), _session_id(request.session_id)))

    @outages_are_unavailable
    async def GetVideoQualityByExercise(
        self, request: telemetry_pb2.VideoQualityByExerciseRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.VideoQualityByExercise:
        found = await self._reads.video_quality_by_exercise(
            identity.current(), started_from=_instant("from", request.started_from),
            started_before=_instant("to", request.started_before),
        )
        return video_quality_reply(found)


def pose_reply(accepted: Accepted) -> telemetry_pb2.IngestPoseBatchReply:
    return telemetry_pb2.IngestPoseBatchReply(
        session_id=accepted.session_id,
        frames_received=accepted.frames_received,
        frames_accepted=accepted.frames_accepted,
        duplicate_frames=accepted.duplicate_frames,
        last_timestamp_ms=accepted.last_timestamp_ms,
        session_frames=accepted.session_frames,
    )


def refusal(
    status: grpc.StatusCode, detail: str, error: DomainError | None = None, retry_after_seconds: int = 0
) -> telemetry_pb2.PoseBatchAck:
    """What the unary call would have failed with (status, detail, trailing metadata), as an ack of the stream."""
    found = dict(error_metadata(error)) if error is not None else {}
    return telemetry_pb2.PoseBatchAck(refused=telemetry_pb2.PoseBatchRefusal(
        status=status.value[0], detail=detail, code=found.get(ERROR_CODE_KEY, ""), field=found.get(ERROR_FIELD_KEY, ""),
        retry_after_seconds=retry_after_seconds if status == grpc.StatusCode.UNAVAILABLE else 0,
    ))


def video_quality_reply(found: VideoQualityByExercise) -> telemetry_pb2.VideoQualityByExercise:
    return telemetry_pb2.VideoQualityByExercise(
        started_from=iso_utc(found.started_from), started_before=iso_utc(found.started_before),
        exercises=[
            telemetry_pb2.ExerciseVideoQuality(
                exercise_id=e.exercise_id, plays=e.plays, average_watch_percentage=e.average_watch_percentage,
                completion_rate=e.completion_rate, exit_before_video_start_rate=e.exit_before_video_start_rate,
                watched_seconds=e.watched_seconds, rebuffer_count=e.rebuffer_count, rebuffer_seconds=e.rebuffer_seconds,
                rebuffer_percentage=e.rebuffer_percentage, rebuffers_per_minute=e.rebuffers_per_minute,
                median_startup_ms=e.median_startup_ms, average_score=e.average_score, score_bands=e.score_bands,
                quality_seconds=e.quality_seconds, bitrate_seconds=e.bitrate_seconds,
            )
            for e in found.exercises
        ],
    )


def session_reply(view: SessionView) -> telemetry_pb2.ExerciseSessionDetail:
    row, figures = view.row, view.totals
    return telemetry_pb2.ExerciseSessionDetail(
        session_id=row.session_id, patient_id=str(row.patient_id), workout_id=row.workout_id,
        exercise_id=row.exercise_id, started_at=iso_utc(row.opened_at), ended_at=iso_utc(row.ended_at),
        status=view.status, incomplete_reason=view.incomplete_reason or "", rep_count=figures.rep_count,
        average_form_score=figures.average_form_score, active_duration_ms=figures.active_duration_ms,
        pose_accuracy_score=figures.pose_accuracy_score, frame_count=int(row.frame_count or 0),
        frames_low_visibility=figures.frames_low_visibility, replay_available=bool(row.replay_key),
        reps=[
            telemetry_pb2.RepFigures(
                rep_number=r.rep_number, start_ms=r.start_ms, end_ms=r.end_ms, peak_rom_degrees=r.peak_rom_degrees,
                deepest_angle_degrees=r.deepest_angle_degrees, form_score=r.form_score, eccentric_ms=r.eccentric_ms,
                hold_ms=r.hold_ms, concentric_ms=r.concentric_ms, max_deviation_degrees=r.max_deviation_degrees,
            )
            for r in view.reps
        ],
        media=[
            telemetry_pb2.VideoQuality(
                media_session_id=str(m.media_session_id), startup_ms=m.startup_ms, watched_seconds=m.watched_seconds,
                completion_percentage=m.completion_percentage, milestones_reached=list(m.milestones_reached or []),
                rebuffer_count=m.rebuffer_count, rebuffer_seconds=m.rebuffer_seconds,
                rebuffer_percentage=m.rebuffer_percentage, rebuffers_per_minute=m.rebuffers_per_minute,
                quality_seconds=dict(m.quality_seconds or {}), quality_up_switches=m.quality_up_switches,
                quality_down_switches=m.quality_down_switches, dropped_frame_ratio=m.dropped_frame_ratio,
                exit_before_video_start=m.exit_before_video_start, ended=m.ended,
                viewing_seconds=m.viewing_seconds if m.viewing_seconds is not None else 0.0,
                bitrate_seconds=dict(m.bitrate_seconds or {}), average_bitrate=m.average_bitrate,
                experience=telemetry_pb2.ViewerExperience(
                    score=m.experience_score, playback_success=m.experience_playback_success,
                    startup=m.experience_startup, smoothness=m.experience_smoothness,
                    video_quality=m.experience_video_quality,
                ),
            )
            for m in view.media
        ],
    )


def _instant(field: str, raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(field, "must be an ISO 8601 instant with its offset") from None
    if at.tzinfo is None:
        raise InvalidInput(field, "must be an ISO 8601 instant with its offset")
    return at


def _session_id(raw: str) -> str:
    # The alphabet session tokens allow for their session_id claim: nothing else can name a session.
    if not SESSION_ID.fullmatch(raw):
        raise InvalidInput("session_id", f"must be 1..{MAX_SESSION_ID_CHARS} characters of A-Z a-z 0-9 _ . : -")
    return raw


def finalization_reply(done: Finalization) -> telemetry_pb2.SessionFinalization:
    return telemetry_pb2.SessionFinalization(
        session_id=done.session_id,
        incomplete=done.incomplete,
        already_finalized=done.already_finalized,
        frame_count=done.frame_count,
        rep_count=done.rep_count,
        has_average_form_score=done.average_form_score is not None,
        average_form_score=done.average_form_score or 0.0,
        has_pose_accuracy_score=done.pose_accuracy_score is not None,
        pose_accuracy_score=done.pose_accuracy_score or 0.0,
        replay_key=done.replay_key,
        media_sessions=done.media_sessions,
    )
