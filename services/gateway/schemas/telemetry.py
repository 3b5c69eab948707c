"""Request and response bodies of the telemetry routes (pydantic)."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, Discriminator, Field, Tag

from services.gateway.schemas.base import InstantText, StrictBody, UuidText
from services.gateway.schemas.media_events import AnyMediaEvent, ReferenceMediaEvent

MAX_MEDIA_EVENTS = 200


class MediaEventsBody(StrictBody):
    """Events of one exercise session's video playbacks, each in the reference shape (discriminated on `event`,
    see the event schemas) or the flat one (`type`, `media_session_id`, `event_id`, ...); telemetry validates each
    per type (session_start, heartbeat, buffering_start, buffering_end, quality_change, milestone, session_end)."""

    events: list[AnyMediaEvent] = Field(
        min_length=1,
        max_length=MAX_MEDIA_EVENTS,
        examples=[
            [
                {
                    "event_id": "0b6c3e4e-5c1a-4a0e-9a53-2f1f7d0b9a11",
                    "media_session_id": "550e8400-e29b-41d4-a716-446655440000",
                    "type": "session_start",
                    "occurred_at": "2026-02-16T09:03:00Z",
                    "position_seconds": 0,
                    "video_duration_seconds": 42.0,
                    "startup_ms": 1200,
                    "quality": "720p",
                }
            ]
        ],
    )


def _body_shape(value: Any) -> str:
    return "single" if isinstance(value, dict) and "event" in value else "batch"


# The seed's own example posts one reference-shape event as the whole body; a batch is {"events": [...]}.
MediaEventsRequest = Annotated[
    Union[Annotated[MediaEventsBody, Tag("batch")], Annotated[ReferenceMediaEvent, Tag("single")]],
    Discriminator(_body_shape),
]
MEDIA_EVENTS_EXAMPLES: dict[str, Any] = {
    "reference": {"summary": "one event in the reference shape", "value": {
        "event": "session_start", "session_id": "550e8400-e29b-41d4-a716-446655440000",
        "media_id": "5b0f6f0e-2c47-4d7a-9a51-3f7a2b8e4c11", "media_type": "video",
        "timestamp": "2026-02-16T09:03:00Z", "data": {"total_duration_seconds": 42, "video_load_time_ms": 1200}}},
    "batch": {"summary": "a batch in the flat shape", "value": {"events": [{
        "event_id": "0b6c3e4e-5c1a-4a0e-9a53-2f1f7d0b9a11", "media_session_id": "550e8400-e29b-41d4-a716-446655440000",
        "type": "session_start", "occurred_at": "2026-02-16T09:03:00Z", "position_seconds": 0,
        "video_duration_seconds": 42.0, "startup_ms": 1200, "quality": "720p"}]}},
}


class PoseBatchReply(BaseModel):
    sessionId: UuidText
    framesReceived: int
    framesAccepted: int
    duplicateFrames: int = Field(description="frames already received (a retry or an overlapping batch); dropped")
    lastTimestampMs: int
    sessionFrames: int


class PlaybackFiguresReply(BaseModel):
    mediaSessionId: UuidText
    events: int
    watchedSeconds: float
    completionPercentage: float
    rebufferCount: int
    ended: bool


class MediaEventsReply(BaseModel):
    sessionId: UuidText
    eventsReceived: int
    eventsStored: int = Field(description="the rest were duplicates of events already stored")
    playbacks: list[PlaybackFiguresReply]


class SessionEndReply(BaseModel):
    sessionId: UuidText
    incomplete: bool
    alreadyFinalized: bool
    frameCount: int
    repCount: int
    averageFormScore: float | None
    poseAccuracyScore: float | None
    replayAvailable: bool
    mediaSessions: int


class ReplayReply(BaseModel):
    sessionId: UuidText
    url: str = Field(description="presigned (SigV4) GET of the replay blob; short-lived")
    expiresAt: InstantText
    frameCount: int
    contentEncoding: str = Field(description="gzip: concatenated members of the pose-batch binary format")
