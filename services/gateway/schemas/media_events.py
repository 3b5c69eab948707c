"""Media events in the reference shape, one schema per lifecycle event, discriminated on `event`.

`{"event", "session_id", "media_id", "media_type", "timestamp", "data"}`: `session_id` is one playback of
the exercise video (a UUID the app makes up per play), `timestamp` an ISO 8601 instant with its zone or epoch
milliseconds. Telemetry validates the values (services/telemetry/domain/reference_media_events.py) and rebuilds
each playback's figures from the events; fields the server computes itself are accepted and not kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import Discriminator, Field, StrictFloat, StrictInt, Tag

from services.gateway.schemas.base import StrictBody

Seconds = Annotated[StrictInt | StrictFloat, Field(ge=0, le=86_400)]
Count = Annotated[StrictInt, Field(ge=0, le=2**31 - 1)]
Rendition = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.+-]{1,16}$", description="a rendition label such as 720p")]
Bitrate = Annotated[StrictInt, Field(ge=1, le=1_000_000_000, description="bits/s of the rendition shown")]
Stamp = Annotated[datetime | StrictInt, Field(description="ISO 8601 instant with its zone, or epoch milliseconds")]


class _Data(StrictBody):
    event_id: UUID | None = Field(default=None, description="de-duplication key; derived from the event's content when absent")


class SessionStartData(_Data):
    total_duration_seconds: Annotated[StrictInt | StrictFloat, Field(gt=0, le=86_400)]
    video_load_time_ms: Annotated[StrictInt, Field(ge=0, le=600_000, description="play pressed -> first frame (startup time)")]
    position_seconds: Seconds = 0
    current_resolution: Rendition | None = None
    current_bitrate: Bitrate | None = Field(default=None, description="bits/s of the first rendition; feeds the bitrate distribution")
    ttfb_ms: Annotated[StrictInt | StrictFloat, Field(ge=0, le=600_000)] | None = Field(default=None, description="accepted, not kept")
    cdn_response_time_ms: Annotated[StrictInt | StrictFloat, Field(ge=0, le=600_000)] | None = Field(default=None, description="accepted, not kept")
    connection_type: Annotated[str, Field(max_length=32)] | None = Field(default=None, description="accepted, not kept")
    effective_bandwidth: Annotated[StrictInt | StrictFloat, Field(ge=0, le=1e6)] | None = Field(default=None, description="accepted, not kept")
    rtt_ms: Annotated[StrictInt | StrictFloat, Field(ge=0, le=600_000)] | None = Field(default=None, description="accepted, not kept")


class HeartbeatData(_Data):
    position_seconds: Seconds
    watched_duration_seconds: Seconds = Field(description="cumulative seconds played")
    dropped_frames: Count
    total_frames: Count
    current_resolution: Rendition | None = None
    completion_percent: Annotated[StrictInt | StrictFloat, Field(ge=0, le=100)] | None = Field(default=None, description="accepted; the server computes it")
    buffering_count: Count | None = Field(default=None, description="accepted; the server counts stalls from buffering events")
    buffering_duration_ms: Annotated[StrictInt | StrictFloat, Field(ge=0)] | None = Field(default=None, description="accepted, not kept")
    current_bitrate: Bitrate | None = Field(default=None, description="bits/s of the rendition shown; feeds the bitrate distribution")


class BufferingData(_Data):
    position_seconds: Seconds
    duration_ms: Annotated[StrictInt | StrictFloat, Field(ge=0)] | None = Field(default=None, description="accepted; the server measures the stall")


class QualityChangeData(_Data):
    position_seconds: Seconds
    from_resolution: Rendition
    to_resolution: Rendition
    bitrate: Annotated[StrictInt, Field(ge=1, le=1_000_000_000, description="bits/s of the new rendition")]


class MilestoneData(_Data):
    position_seconds: Seconds
    percent: Literal[25, 50, 75, 95]


class SessionEndData(_Data):
    position_seconds: Seconds
    reason: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="completed, user_exit, error, ...")]
    watched_duration_seconds: Seconds | None = None


class _Event(StrictBody):
    session_id: UUID = Field(description="one playback of the exercise video")
    media_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    media_type: Literal["video"] = "video"
    timestamp: Stamp


class SessionStartEvent(_Event):
    event: Literal["session_start"]
    data: SessionStartData


class HeartbeatEvent(_Event):
    event: Literal["heartbeat"]
    data: HeartbeatData


class BufferingStartEvent(_Event):
    event: Literal["buffering_start"]
    data: BufferingData


class BufferingEndEvent(_Event):
    event: Literal["buffering_end"]
    data: BufferingData


class QualityChangeEvent(_Event):
    event: Literal["quality_change"]
    data: QualityChangeData


class MilestoneEvent(_Event):
    event: Literal["milestone"]
    data: MilestoneData


class SessionEndEvent(_Event):
    event: Literal["session_end"]
    data: SessionEndData


ReferenceMediaEvent = Annotated[
    Union[SessionStartEvent, HeartbeatEvent, BufferingStartEvent, BufferingEndEvent, QualityChangeEvent,
          MilestoneEvent, SessionEndEvent],
    Field(discriminator="event"),
]


def _shape(value: Any) -> str:
    return "reference" if isinstance(value, dict) and "event" in value else "flat"


# Either shape per event: the reference one (documented above), or the flat one apps already send
# ({"event_id", "media_session_id", "type", "occurred_at", "position_seconds", ...}).
AnyMediaEvent = Annotated[
    Union[Annotated[ReferenceMediaEvent, Tag("reference")], Annotated[dict[str, Any], Tag("flat")]],
    Discriminator(_shape),
]
