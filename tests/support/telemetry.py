"""Telemetry test helpers: session tokens, synthetic batches and media events, the published event, S3 reads."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import aio_pika
import numpy as np
import uvicorn
from sqlalchemy import text

from momentum.events.v1 import events_pb2
from momentum.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc
from services.common.messaging.topology import EVENTS_EXCHANGE
from services.common.service_auth import service_channel
from services.common.session_token import SessionClaims, issue_session_token
from services.common.settings import Settings
from services.telemetry.domain.pose_profile import SQUAT_LEFT, PoseProfile
from services.telemetry.simulator import one_second_batches, synthetic_reps
from tests.support.clinic import Clinic
from tests.support.ports import free_port

FPS = 30
BOTH_PURPOSES = ("analytics", "biometric")


def session_token(
    settings: Settings, clinic: Clinic, session_id: str | None = None, patient_index: int = 0,
    purposes: tuple[str, ...] = BOTH_PURPOSES, exercise_id: str | None = None, workout_id: str | None = None,
    ttl: timedelta = timedelta(hours=1), issued_at: datetime | None = None,
) -> tuple[str, str]:
    """(session id, token) signed exactly as plans signs it at session start."""
    session_id = session_id or str(uuid.uuid4())
    issued = issued_at or datetime.now(timezone.utc)
    claims = SessionClaims(
        tenant_id=str(clinic.tenant_id), patient_id=str(clinic.patient_ids[patient_index]), session_id=session_id,
        workout_id=workout_id or str(uuid.uuid4()), exercise_id=exercise_id or str(uuid.uuid4()), purposes=purposes,
        issued_at=int(issued.timestamp()), expires_at=int((issued + ttl).timestamp()),
    )
    keys = settings.auth.telemetry_token_keys
    return session_id, issue_session_token(keys, settings.auth.telemetry_token_active_key, claims)


def bearer(token: str, content_type: str | None = "application/octet-stream") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


@dataclass
class Exercise:
    """A synthetic patient session with known reps, and the request bodies the app would post."""

    landmarks: np.ndarray
    timestamps: np.ndarray
    batches: list[bytes]
    reps: int

    @classmethod
    def of(cls, reps: int = 15, rep_seconds: float = 3.0, rest_seconds: float = 1.0, profile: PoseProfile = SQUAT_LEFT,
           amplitude: float = 70.0, seed: int = 1, lead_in_seconds: float = 1.0) -> "Exercise":
        landmarks, timestamps = synthetic_reps(
            profile, reps, amplitude, rep_seconds, fps=FPS, noise_degrees=1.0, seed=seed, rest_seconds=rest_seconds,
            lead_in_seconds=lead_in_seconds, secondary_deviation_degrees=4.0,
        )
        return cls(landmarks, timestamps, one_second_batches(landmarks, timestamps, FPS), reps)

    @classmethod
    def still(cls, seconds: int, seed: int = 3) -> "Exercise":
        """Frames of a patient standing still (no reps): cheap bulk for replay-size tests."""
        return cls.of(reps=0, seed=seed, lead_in_seconds=seconds / 2)


def media_playback(media_session_id: str | None = None, start: datetime | None = None, duration: float = 42.0) -> list[dict[str, Any]]:
    """One exercise video watched to the end with one stall and one quality drop: events in order."""
    media_session_id = media_session_id or str(uuid.uuid4())
    start = start or datetime.now(timezone.utc) - timedelta(minutes=2)

    def at(seconds: float) -> str:
        return (start + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")

    def event(kind: str, seconds: float, position: float, **extra: Any) -> dict[str, Any]:
        return {"event_id": str(uuid.uuid4()), "media_session_id": media_session_id, "type": kind,
                "occurred_at": at(seconds), "position_seconds": position, **extra}

    return [
        event("session_start", 0, 0, video_duration_seconds=duration, startup_ms=800, quality="720p"),
        event("heartbeat", 10, 10, watched_seconds=10.0, dropped_frames=1, total_frames=300, quality="720p"),
        event("milestone", 10.6, 10.5, percent=25),
        event("buffering_start", 12, 12),
        event("buffering_end", 14, 12),
        event("quality_change", 14.5, 12.5, from_quality="720p", to_quality="480p", bitrate=1_200_000),
        event("heartbeat", 22, 20, watched_seconds=20.0, dropped_frames=2, total_frames=600, quality="480p"),
        event("milestone", 23, 21, percent=50),
        event("milestone", 33.5, 31.5, percent=75),
        event("milestone", 42, 40, percent=95),
        event("session_end", 44, duration, reason="completed", watched_seconds=duration),
    ]


def shuffled_with_duplicates(events: list[dict[str, Any]], seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    mixed = events + [dict(events[1]), dict(events[4])]
    rng.shuffle(mixed)
    return mixed


async def outbox_events(stack: Any, session_id: str) -> list[events_pb2.ExerciseSessionFinalized]:
    """telemetry.session.finalized rows the telemetry outbox holds for this session."""
    async with stack.runtimes["telemetry"].database.unit_of_work(None) as uow:
        rows = (
            await uow.execute(
                text(
                    "SELECT body FROM telemetry.outbox WHERE routing_key = 'telemetry.session.finalized' "
                    "AND message_id = :m"
                ),
                {"m": f"telemetry-session-finalized:{session_id}"},
            )
        ).all()
    events = []
    for row in rows:
        event = events_pb2.ExerciseSessionFinalized()
        event.ParseFromString(bytes(row.body))
        events.append(event)
    return events


@dataclass
class EventTap:
    """A private queue on the events exchange: what the broker actually delivered."""

    settings: Settings
    routing_key: str = "telemetry.session.finalized"
    received: list[tuple[dict[str, Any], events_pb2.ExerciseSessionFinalized]] = field(default_factory=list)
    _connection: Any = None

    async def __aenter__(self) -> "EventTap":
        self._connection = await aio_pika.connect_robust(self.settings.broker.url)
        channel = await self._connection.channel()
        exchange = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key=self.routing_key)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                body = events_pb2.ExerciseSessionFinalized()
                body.ParseFromString(message.body)
                self.received.append((dict(message.headers or {}), body))

        await queue.consume(on_message)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._connection.close()

    async def wait_for(self, session_id: str, timeout: float = 10) -> tuple[dict[str, Any], events_pb2.ExerciseSessionFinalized]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for headers, body in self.received:
                if body.session_id == session_id:
                    return headers, body
            await asyncio.sleep(0.05)
        raise AssertionError(f"no telemetry.session.finalized for {session_id} within {timeout}s")


async def read_replay(stack: Any, key: str) -> bytes:
    return await stack.runtimes["telemetry"].components.replay_store.read(key)


def check_presigned_url(url: str, settings: Settings, now: datetime | None = None, max_expiry: int = 900) -> dict[str, str]:
    """Our own SigV4 check of a presigned GET (moto does not verify signatures or expiry).

    Recomputes the signature from the canonical request with the configured secret and checks
    the validity window; returns the query parameters."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256", query
    assert query["X-Amz-SignedHeaders"] == "host"
    access_key, date, region, service, terminator = query["X-Amz-Credential"].split("/")
    assert (access_key, region, service, terminator) == (
        settings.s3.access_key, settings.s3.region, "s3", "aws4_request"
    )
    issued = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    expires = int(query["X-Amz-Expires"])
    now = now or datetime.now(timezone.utc)
    assert 0 < expires <= max_expiry, f"presigned URL lives {expires}s"
    assert issued - timedelta(minutes=1) <= now < issued + timedelta(seconds=expires), "outside its validity window"

    def encode(value: str) -> str:
        return quote(value, safe="-_.~")

    canonical_query = "&".join(
        f"{encode(k)}={encode(v)}" for k, v in sorted(query.items()) if k != "X-Amz-Signature"
    )
    canonical_request = "\n".join(
        ["GET", parts.path, canonical_query, f"host:{parts.netloc}", "", "host", "UNSIGNED-PAYLOAD"]
    )
    scope = f"{date}/{region}/s3/aws4_request"
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", query["X-Amz-Date"], scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = f"AWS4{settings.s3.secret_key}".encode()
    for step in (date, region, "s3", "aws4_request"):
        key = hmac.new(key, step.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, query["X-Amz-Signature"]), "SigV4 signature does not verify"
    return query


class Instance:
    """A second telemetry instance of the test stack (same database, broker and bucket), called over gRPC."""

    def __init__(self, stack, silence: timedelta, port: int | None = None) -> None:
        self.settings = dataclasses.replace(stack.settings, telemetry_silence_timeout=silence)
        self.port = port or free_port()
        self.runtime = None
        self.channel = None

    async def start(self) -> "Instance":
        await self.build()
        return await self.serve()

    async def build(self) -> "Instance":
        """The instance's components, not yet serving: a test can reach into them before it starts."""
        from services.telemetry.bootstrap import build

        self.runtime = await build(self.settings, grpc_port=self.port)
        return self

    async def serve(self) -> "Instance":
        await self.runtime.start()
        self.channel = service_channel(self.settings.auth.service_keys, "gateway", "telemetry", f"127.0.0.1:{self.port}")
        self.stub = telemetry_pb2_grpc.TelemetryServiceStub(self.channel)
        return self

    async def stop(self, crash: bool = False) -> None:
        if crash:
            # A crash: no graceful finalization, nothing flushed; what is in memory is gone.
            self.runtime.on_stop.remove(self.runtime.components.handlers.shutdown)
        await self.channel.close()
        await self.runtime.stop(grace=0)

    async def post(self, token: str, body: bytes) -> telemetry_pb2.IngestPoseBatchReply:
        return await self.stub.IngestPoseBatch(telemetry_pb2.IngestPoseBatchRequest(session_token=token, body=body))


class Gateway:
    """Another gateway over the same services, with its own settings (e.g. other telemetry targets)."""

    def __init__(self, settings: Settings) -> None:
        from services.gateway.app import create_app

        self.settings = settings
        self.server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=settings.gateway_port, log_level="warning",
                           access_log=False, lifespan="on")
        )

    async def __aenter__(self) -> str:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.02)
        return f"http://127.0.0.1:{self.settings.gateway_port}"

    async def __aexit__(self, *exc) -> None:
        self.server.should_exit = True
        await self.task
