"""Video quality for the clinic's staff: each exercise video's plays over a period, and one playback's figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import Depends, Query, Request

from momentum.plans.v1 import plans_pb2
from momentum.telemetry.v1 import telemetry_pb2
from services.common.identity import Identity
from services.common.parsing import iso_utc
from services.gateway.routing import api_router, instant_from_caller, only_query, staff
from services.gateway.schemas.video_quality import (
    ExerciseVideoQualityReply, ScoreBandsReply, VideoQualityByExerciseReply, VideoQualityReply, ViewerExperienceReply,
)

router = api_router("video quality")


@router.get(
    "/v1/exercise-videos/quality", response_model=VideoQualityByExerciseReply, operation_id="getVideoQualityByExercise",
)
async def get_video_quality_by_exercise(
    request: Request,
    from_: datetime | None = Query(
        default=None, alias="from", description="playbacks first heard of at or after this instant; default 30 days before to",
    ),
    to: datetime | None = Query(default=None, description="playbacks first heard of before this instant; default now"),
    caller: Identity = Depends(staff),
    _known: None = only_query("from", "to"),
) -> VideoQualityByExerciseReply:
    """The clinic's playbacks of each exercise video in a period (at most 366 days): plays, average watch %,
    completion and exit-before-start rates, rebuffer % (total stall / total watch time), median startup, the
    viewer-experience score's mean and bands, and watch time per rendition and per bitrate band. Therapists and
    admins; docs/video-quality.md defines each figure."""
    window = telemetry_pb2.VideoQualityByExerciseRequest(
        started_from=_instant("from", from_), started_before=_instant("to", to)
    )
    # Any telemetry instance can answer; keyed by clinic so one clinic's reads land on one instance's pool.
    found = await request.app.state.telemetry_ring.call(
        "GetVideoQualityByExercise", window, str(caller.tenant_id), caller.to_metadata()
    )
    clients = request.app.state.clients
    catalogue = await clients.call(clients.plans.ListExercises, plans_pb2.ListExercisesRequest(), caller)
    names = {e.exercise_id: e.name for e in catalogue.exercises}
    return VideoQualityByExerciseReply(
        windowStart=found.started_from, windowEnd=found.started_before,
        exercises=[_exercise(e, names) for e in found.exercises],
    )


def _exercise(e: telemetry_pb2.ExerciseVideoQuality, names: dict[str, str]) -> ExerciseVideoQualityReply:
    bands = dict(e.score_bands)
    return ExerciseVideoQualityReply(
        exerciseId=_uuid_or_none(e.exercise_id), exerciseName=names.get(e.exercise_id), plays=e.plays,
        averageWatchPercentage=e.average_watch_percentage, completionRate=e.completion_rate,
        exitBeforeVideoStartRate=e.exit_before_video_start_rate, watchTimeSeconds=e.watched_seconds,
        rebufferCount=e.rebuffer_count, rebufferDurationSeconds=e.rebuffer_seconds,
        rebufferPercentage=e.rebuffer_percentage, rebufferFrequencyPerMinute=e.rebuffers_per_minute,
        medianStartupTimeMs=_optional(e, "median_startup_ms"), averageViewerExperienceScore=_optional(e, "average_score"),
        scoreBands=ScoreBandsReply(**{name: bands.get(name, 0) for name in ScoreBandsReply.model_fields}),
        qualitySeconds=dict(e.quality_seconds), bitrateSeconds=dict(e.bitrate_seconds),  # type: ignore[arg-type]
    )


def video_quality_reply(m: telemetry_pb2.VideoQuality) -> VideoQualityReply:
    """One playback as the exercise-session detail shows it."""
    x = m.experience
    return VideoQualityReply(
        mediaSessionId=m.media_session_id, startupTimeMs=_optional(m, "startup_ms"),
        watchTimeSeconds=m.watched_seconds, viewingTimeSeconds=m.viewing_seconds,
        completionPercentage=m.completion_percentage, milestonesReached=list(m.milestones_reached),
        rebufferCount=m.rebuffer_count, rebufferDurationSeconds=m.rebuffer_seconds,
        rebufferPercentage=m.rebuffer_percentage, rebufferFrequencyPerMinute=m.rebuffers_per_minute,
        qualitySeconds=dict(m.quality_seconds), bitrateSeconds=dict(m.bitrate_seconds),  # type: ignore[arg-type]
        averageBitrateBitsPerSecond=_optional(m, "average_bitrate"),
        qualityUpSwitches=m.quality_up_switches, qualityDownSwitches=m.quality_down_switches,
        droppedFrameRatio=m.dropped_frame_ratio, exitBeforeVideoStart=m.exit_before_video_start, ended=m.ended,
        viewerExperience=ViewerExperienceReply(
            score=_optional(x, "score"), playbackSuccess=_optional(x, "playback_success"),
            startup=_optional(x, "startup"), smoothness=_optional(x, "smoothness"),
            videoQuality=_optional(x, "video_quality"),
        ),
    )


def _optional(message: Any, field: str) -> Any:
    return getattr(message, field) if message.HasField(field) else None


def _instant(field: str, value: datetime | None) -> str:
    return iso_utc(instant_from_caller(field, value)) if value is not None else ""


def _uuid_or_none(raw: str) -> UUID | None:
    try:
        return UUID(raw)
    except ValueError:
        return None
