"""HTTP bodies of app entrances: the dashboard's log and a patient's entrance history."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from momentum.entrances.v1 import entrances_pb2
from services.gateway.schemas.base import DateText, EntranceStatus, InstantText, UuidText, instant_or_none


class EntranceLogReply(BaseModel):
    status: Literal["disabled", "not_needed"] | EntranceStatus = Field(description="disabled | not_needed | PENDING | a terminal entrance status")
    entranceId: UuidText | None = None
    finalizeAfter: str | None = Field(None, description="when the entrance is finalized unless the app is opened again")
    localDate: DateText | None = None

    @classmethod
    def of(cls, reply: entrances_pb2.LogEntranceReply) -> "EntranceLogReply":
        return cls(
            status=reply.status, entranceId=reply.entrance_id or None,
            finalizeAfter=instant_or_none(reply, "finalize_after"), localDate=reply.local_date or None,
        )


class EntranceReply(BaseModel):
    entranceId: UuidText
    localDate: DateText
    timezone: str
    status: EntranceStatus
    statusReason: str | None
    firstSeenAt: InstantText | None
    lastSeenAt: InstantText | None
    finalizeAfter: str | None
    finalizedAt: InstantText | None
    mirrorWorkoutId: UuidText | None
    sourceWorkoutId: UuidText | None
    entriesCount: int

    @classmethod
    def of(cls, entrance: entrances_pb2.Entrance) -> "EntranceReply":
        return cls(
            entranceId=entrance.entrance_id, localDate=entrance.local_date, timezone=entrance.timezone,
            status=entrance.status, statusReason=entrance.status_reason or None,
            firstSeenAt=instant_or_none(entrance, "first_seen_at"), lastSeenAt=instant_or_none(entrance, "last_seen_at"),
            finalizeAfter=instant_or_none(entrance, "finalize_after"), finalizedAt=instant_or_none(entrance, "finalized_at"),
            mirrorWorkoutId=entrance.mirror_workout_id or None, sourceWorkoutId=entrance.source_workout_id or None,
            entriesCount=entrance.entries_count,
        )


class EntranceHistoryReply(BaseModel):
    patientId: UuidText
    entrances: list[EntranceReply]
