"""The telemetry gRPC servicer: parse the request, call a handler, build the reply."""

from __future__ import annotations

import functools
import re
from typing import Any, Awaitable, Callable, TypeVar

import grpc

from momentum.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc
from services.common import identity
from services.common.db import database_unavailable
from services.common.errors import DomainError, InvalidInput
from services.common.parsing import iso_utc
from services.telemetry.finalizer import Finalization, TelemetryUnavailable
from services.telemetry.handlers import TelemetryHandlers

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
    def __init__(self, handlers: TelemetryHandlers) -> None:
        self._handlers = handlers

    @outages_are_unavailable
    async def IngestPoseBatch(
        self, request: telemetry_pb2.IngestPoseBatchRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.IngestPoseBatchReply:
        accepted = await self._handlers.ingest_pose(request.session_token, request.body)
        return telemetry_pb2.IngestPoseBatchReply(
            session_id=accepted.session_id,
            frames_received=accepted.frames_received,
            frames_accepted=accepted.frames_accepted,
            duplicate_frames=accepted.duplicate_frames,
            last_timestamp_ms=accepted.last_timestamp_ms,
            session_frames=accepted.session_frames,
        )

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
