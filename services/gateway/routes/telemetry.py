"""Telemetry of exercise sessions: pose frames, media events and session end (session token), replay links (user JWT).

Sessions keep affinity to one telemetry instance, which holds their frames in memory: the
gateway picks the instance by rendezvous hashing of the session id over the configured
targets (MOMENTUM_TELEMETRY_TARGETS), so adding or removing one instance moves only the
sessions that hashed to it. An instance that does not hold a session names its owner, and the
gateway retries there once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Mapping

import grpc
from pydantic import BaseModel
from fastapi import Body, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from momentum.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc
from services.common.identity import Identity
from services.common.service_auth import service_channel, signed_headers
from services.common.settings import GrpcTls
from services.gateway.auth import authenticated
from services.gateway.errors import ApiError, ErrorBody, from_grpc
from services.gateway.identity_check import IdentityResolver
from services.gateway.pose_streams import OWNER, PoseStreams
from services.gateway.routing import api_router, id_path, path_id, errors
from services.gateway.schemas.telemetry import (
    MEDIA_EVENTS_EXAMPLES, MediaEventsBody, MediaEventsReply, MediaEventsRequest, PlaybackFiguresReply, PoseBatchReply,
    ReplayReply, SessionEndReply,
)

POSE_FRAMES_PATH = "/v1/pose/frames"
POSE_STREAM_METHOD = "/momentum.telemetry.v1.TelemetryService/StreamPoseBatches"
_POSE_BODY = {
    "requestBody": {
        "required": True,
        "description": "gzip of: u8 version (1), u32 frame_count, u32 fps_hint, frame_count x 33 x 4 float32 "
        "(x, y, z, visibility), frame_count u32 timestamps (ms since session start); little-endian",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
    "security": [{"SessionToken": []}],
}


class TelemetryRing:
    """gRPC stubs of every telemetry instance and the choice of one per session."""

    def __init__(
        self, targets: tuple[str, ...], deadline_seconds: float, service_keys: Mapping[str, bytes],
        tls: GrpcTls | None = None,
    ) -> None:
        self.targets = tuple(sorted(set(targets)))
        self._deadline = deadline_seconds
        self._key = service_keys["gateway"]
        self._channels = {
            target: service_channel(service_keys, "gateway", "telemetry", target, tls) for target in self.targets
        }
        self._stubs = {t: telemetry_pb2_grpc.TelemetryServiceStub(c) for t, c in self._channels.items()}

    def target_for(self, session_key: str) -> str:
        """Highest random weight: each (target, session) pair gets a score, the best target wins."""
        if len(self.targets) == 1:
            return self.targets[0]
        return max(self.targets, key=lambda t: hashlib.blake2b(f"{t}\x00{session_key}".encode(), digest_size=8).digest())

    async def call(self, rpc: str, request: Any, session_key: str, metadata: tuple[tuple[str, str], ...]) -> Any:
        target = self.target_for(session_key)
        for attempt in (1, 2):
            try:
                return await getattr(self._stubs[target], rpc)(request, metadata=metadata, timeout=self._deadline)
            except grpc.aio.AioRpcError as exc:
                owner = OWNER.search(exc.details() or "") if exc.code() == grpc.StatusCode.ABORTED else None
                if attempt == 1 and owner and owner.group(1) in self._stubs and owner.group(1) != target:
                    target = owner.group(1)  # the session lives elsewhere (instances were added or removed)
                    continue
                raise from_grpc(exc) from exc
        raise AssertionError("unreachable")

    def open_pose_stream(self, target: str) -> grpc.aio.StreamStreamCall:
        """A StreamPoseBatches call, signed once when it opens (the channel's signing covers unary calls)."""
        signed = signed_headers(self._key, "gateway", "telemetry", POSE_STREAM_METHOD, {})
        return self._stubs[target].StreamPoseBatches(metadata=signed)

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()


@asynccontextmanager
async def telemetry_ring(app: FastAPI) -> AsyncIterator[None]:
    settings = app.state.settings
    ring = TelemetryRing(
        settings.telemetry_targets or (settings.grpc_target("telemetry"),), settings.grpc_deadline.total_seconds(),
        settings.auth.service_keys, settings.grpc_tls,
    )
    streams = PoseStreams(ring, settings.grpc_deadline.total_seconds())
    streams.start()
    app.state.telemetry_ring = ring
    app.state.pose_streams = streams
    yield
    await streams.stop()
    await ring.close()


router = api_router("telemetry", lifespan=telemetry_ring)
session_bearer = HTTPBearer(
    scheme_name="SessionToken", auto_error=False,
    description="The signed telemetry session token plans returned at exercise-session start (not a user JWT)",
)
UNSUPPORTED_MEDIA: dict[int | str, dict[str, Any]] = {415: {"model": ErrorBody, "description": "Body is not binary"}}


@router.post(
    POSE_FRAMES_PATH, response_model=PoseBatchReply, responses={**errors(401, 403, 409), **UNSUPPORTED_MEDIA}, openapi_extra=_POSE_BODY, operation_id="uploadPoseFrames",
)
async def post_pose_frames(request: Request) -> Response:
    """One batch (about a second) of MediaPipe landmarks. Retried or overlapping batches are
    de-duplicated by frame timestamp; a refused batch is a 4xx with the reason and never
    harms the session. Credential: the session token, checked by telemetry without a database read."""
    # Served by services.gateway.fast_paths in front of FastAPI; this route documents it and
    # answers when the app runs without that layer.
    reply = await ingest_pose_batch(
        request.app.state.pose_streams, request.app.state.identities, request.headers.get("content-type"), request.headers.get("authorization"),
        await request.body(), request.state.request_id,
    )
    return Response(reply, media_type="application/json")


async def ingest_pose_batch(
    streams: PoseStreams, identities: IdentityResolver, content_type: str | None, authorization: str | None, body: bytes,
    request_id: str,
) -> bytes:
    """The pose route's work, framework-free: the JSON reply, or ApiError."""
    if (content_type or "").split(";", 1)[0].strip().lower() != "application/octet-stream":
        raise ApiError(
            415, "unsupported_media_type",
            "pose frames are binary: send Content-Type: application/octet-stream (JSON is refused)",
        )
    token = _session_token(authorization)
    await identities.admit_session(token, request_id)  # cached: no round trip per batch
    reply = await streams.ingest(session_of(token), token, body, request_id)
    # Built by hand: this is the hot path, and the reply is six fields.
    return json.dumps(
        {
            "sessionId": reply.session_id,
            "framesReceived": reply.frames_received,
            "framesAccepted": reply.frames_accepted,
            "duplicateFrames": reply.duplicate_frames,
            "lastTimestampMs": reply.last_timestamp_ms,
            "sessionFrames": reply.session_frames,
        },
        separators=(",", ":"),
    ).encode()


def json_content(request: Request) -> None:
    """A dependency: FastAPI solves it before the body, so a body that is not JSON is a 415, not a 422 about its fields."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/json":
        raise ApiError(415, "unsupported_media_type", "media events are JSON: send Content-Type: application/json")


@router.post(
    "/v1/media/events", response_model=MediaEventsReply, dependencies=[Depends(json_content)],
    responses={**errors(409), 415: {"model": ErrorBody, "description": "Body is not JSON"}}, operation_id="recordMediaEvents",
)
async def post_media_events(
    request: Request, body: MediaEventsRequest = Body(openapi_examples=MEDIA_EVENTS_EXAMPLES), credentials: HTTPAuthorizationCredentials | None = Depends(session_bearer)
) -> MediaEventsReply:
    """Video engagement events; duplicates (same event_id) and out-of-order arrival are fine. A request
    with one invalid event is refused whole (400 naming events[i].field) and nothing is stored."""
    token = _session_token(_header(credentials))
    await request.app.state.identities.admit_session(token, request.state.request_id)
    reply = await request.app.state.telemetry_ring.call(
        "IngestMediaEvents",
        telemetry_pb2.IngestMediaEventsRequest(session_token=token, events_json=json.dumps(_events(body)).encode()),
        session_of(token), _request_metadata(request),
    )
    return MediaEventsReply(
        sessionId=reply.session_id,
        eventsReceived=reply.events_received,
        eventsStored=reply.events_stored,
        playbacks=[
            PlaybackFiguresReply(
                mediaSessionId=p.media_session_id, events=p.events, watchedSeconds=p.watched_seconds,
                completionPercentage=p.completion_percentage, rebufferCount=p.rebuffer_count, ended=p.ended,
            )
            for p in reply.media_sessions
        ],
    )


@router.post("/v1/sessions/{session_id}/end", response_model=SessionEndReply, operation_id="endExerciseSession", responses=errors(409))
async def end_session(
    request: Request,
    session_id: str = id_path("the exercise session plans opened"),
    credentials: HTTPAuthorizationCredentials | None = Depends(session_bearer),
) -> SessionEndReply:
    """Ends the session exactly once: pose aggregates, the replay blob in S3, and the
    telemetry.session.finalized event. Ending it again answers the same figures."""
    token = _session_token(_header(credentials))
    session_id = path_id("sessionId", session_id)
    await request.app.state.identities.admit_session(token, request.state.request_id)
    try:
        reply = await request.app.state.telemetry_ring.call(
            "EndSession", telemetry_pb2.EndSessionRequest(session_token=token, session_id=session_id),
            session_id, _request_metadata(request),
        )
    finally:
        request.app.state.pose_streams.close(session_id)  # ended or not, its next batch opens a fresh stream
    return SessionEndReply(
        sessionId=reply.session_id,
        incomplete=reply.incomplete,
        alreadyFinalized=reply.already_finalized,
        frameCount=reply.frame_count,
        repCount=reply.rep_count,
        averageFormScore=reply.average_form_score if reply.has_average_form_score else None,
        poseAccuracyScore=reply.pose_accuracy_score if reply.has_pose_accuracy_score else None,
        replayAvailable=bool(reply.replay_key),
        mediaSessions=reply.media_sessions,
    )


@router.get("/v1/sessions/{session_id}/replay", response_model=ReplayReply, operation_id="getSessionReplay", responses=errors(400))
async def get_replay(
    request: Request,
    session_id: str = id_path("the exercise session plans opened"),
    caller: Identity = Depends(authenticated),
) -> ReplayReply:
    """A short-lived presigned URL to the session's landmark stream, for the patient or a therapist of the clinic."""
    if caller.role not in ("patient", "therapist"):
        raise ApiError(403, "permission_denied", "replays are for the patient and the clinic's therapists")
    session_id = path_id("sessionId", session_id)
    reply = await request.app.state.telemetry_ring.call(
        "GetReplay", telemetry_pb2.GetReplayRequest(session_id=session_id), session_id, caller.to_metadata()
    )
    return ReplayReply(
        sessionId=reply.session_id, url=reply.url, expiresAt=reply.expires_at, frameCount=reply.frame_count,
        contentEncoding=reply.content_encoding,
    )


def _events(body: MediaEventsBody | BaseModel) -> list[Any]:
    """The events as telemetry reads them: a single reference-shape event is a batch of one."""
    events = body.events if isinstance(body, MediaEventsBody) else [body]
    return [e.model_dump(mode="json", exclude_none=True) if isinstance(e, BaseModel) else e for e in events]


def session_of(token: str) -> str:
    """The session id inside a token, read without verifying it: only to pick the instance, which verifies."""
    payload = token.split(".", 1)[0]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        session_id = claims.get("session_id") if isinstance(claims, dict) else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        session_id = None
    return session_id if isinstance(session_id, str) else token


def _header(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return f"{credentials.scheme} {credentials.credentials}" if credentials is not None else None


def _session_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthenticated", "missing session token (Authorization: Bearer <session token>)")
    return token.strip()


def _request_metadata(request: Request) -> tuple[tuple[str, str], ...]:
    return (("x-request-id", request.state.request_id),)
