"""HTTP bodies of video quality: one playback's figures and score, and the clinic's figures per exercise video.

docs/video-quality.md defines every figure; the score is services/telemetry/domain/viewer_experience.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.gateway.schemas.base import UuidText

BitrateBand = Literal[
    "below_500_kbps", "500_to_1000_kbps", "1000_to_2000_kbps", "2000_to_4000_kbps", "4000_to_8000_kbps",
    "8000_kbps_and_above", "unknown",
]
WATCH_TIME = "seconds of video played (startup and stalls excluded)"


class ViewerExperienceReply(BaseModel):
    """Mux Data's four elements, each 0-100, and the score they make; docs/video-quality.md has the formula."""

    score: float | None = Field(
        ge=0, le=100, description="playbackSuccess / 100 x the geometric mean of startup, smoothness and "
        "videoQuality; 0 for a playback that failed or never showed a frame; null for one recorded before scores existed",
    )
    playbackSuccess: float | None = Field(ge=0, le=100, description="100, or 0 when it failed or exited before video start")
    startup: float | None = Field(ge=0, le=100, description="8 / (8 + startup seconds) x 100; null when it never started")
    smoothness: float | None = Field(
        ge=0, le=100, description="mean of 100 / sqrt(1 + (rebufferCount / 2)^2) and 100 x e^(-10 x rebuffer "
        "seconds / viewingTimeSeconds); null when it never started",
    )
    videoQuality: float | None = Field(
        ge=0, le=100, description="100 x e^(-0.33 x (0.15 x max + 0.85 x mean upscaling to 720p)) x (1 - "
        "droppedFrameRatio); null when it never started",
    )


class VideoQualityReply(BaseModel):
    """One playback of the exercise video, as a viewer-experience product reports it."""

    mediaSessionId: UuidText
    startupTimeMs: float | None = Field(description="time from play to the first frame; null when it never started")
    watchTimeSeconds: float = Field(description=f"watch time: {WATCH_TIME}")
    viewingTimeSeconds: float = Field(
        description="startup + watch time + rebuffer duration: what Mux Data calls watch time (the score's "
        "smoothness divides by it; 0 for a playback recorded before it was kept)"
    )
    completionPercentage: float = Field(ge=0, le=100)
    milestonesReached: list[int]
    rebufferCount: int
    rebufferDurationSeconds: float
    rebufferPercentage: float = Field(
        description="rebufferDurationSeconds / watchTimeSeconds x 100: seconds stalled per 100 seconds played (so "
        "it can exceed 100); 0 when nothing was played. Mux Data divides by viewingTimeSeconds instead"
    )
    rebufferFrequencyPerMinute: float = Field(description="rebufferCount per minute of watch time")
    qualitySeconds: dict[str, float] = Field(description="watch time at each rendition (label such as 720p)")
    bitrateSeconds: dict[BitrateBand, float] = Field(
        description="watch time per bitrate band of the rendition shown (kbit/s, lower bound included); unknown "
        "when the app did not send the bitrate"
    )
    averageBitrateBitsPerSecond: int | None = Field(
        description="time-weighted average bitrate over the watch time at a known bitrate; null when none was sent"
    )
    qualityUpSwitches: int
    qualityDownSwitches: int
    droppedFrameRatio: float
    exitBeforeVideoStart: bool
    ended: bool
    viewerExperience: ViewerExperienceReply


class ScoreBandsReply(BaseModel):
    poor: int = Field(ge=0, description="plays scoring under 50")
    fair: int = Field(ge=0, description="50 to under 70")
    good: int = Field(ge=0, description="70 to under 90")
    excellent: int = Field(ge=0, description="90 to 100")
    unscored: int = Field(ge=0, description="plays recorded before scores existed")


class ExerciseVideoQualityReply(BaseModel):
    exerciseId: UUID | None = Field(description="null for sessions a tool opened without a catalogue exercise")
    exerciseName: str | None = Field(description="the catalogue's name; null when the exercise is not in it")
    plays: int = Field(ge=1, description="playbacks of the video in the period")
    averageWatchPercentage: float = Field(ge=0, le=100, description="mean of the plays' completionPercentage")
    completionRate: float = Field(ge=0, le=100, description="% of plays that reached 95 % of the video")
    exitBeforeVideoStartRate: float = Field(ge=0, le=100, description="% of plays that never showed a frame")
    watchTimeSeconds: float = Field(description=f"total watch time: {WATCH_TIME}")
    rebufferCount: int
    rebufferDurationSeconds: float
    rebufferPercentage: float = Field(description="total rebufferDurationSeconds / total watchTimeSeconds x 100")
    rebufferFrequencyPerMinute: float = Field(description="rebufferCount per minute of total watch time")
    medianStartupTimeMs: float | None = Field(description="median over the plays that started; null when none did")
    averageViewerExperienceScore: float | None = Field(ge=0, le=100, description="mean score of the scored plays")
    scoreBands: ScoreBandsReply
    qualitySeconds: dict[str, float] = Field(description="total watch time at each rendition")
    bitrateSeconds: dict[BitrateBand, float] = Field(description="total watch time per bitrate band")


class VideoQualityByExerciseReply(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "windowStart": "2026-11-01T00:00:00Z", "windowEnd": "2026-12-01T00:00:00Z",
        "exercises": [{
            "exerciseId": "3f1c2b9e-8d4a-4e6f-9b1a-7c2d5e8f0a13", "exerciseName": "Wall squat", "plays": 3,
            "averageWatchPercentage": 43.3, "completionRate": 33.3, "exitBeforeVideoStartRate": 33.3,
            "watchTimeSeconds": 52.0, "rebufferCount": 1, "rebufferDurationSeconds": 3.0, "rebufferPercentage": 5.77,
            "rebufferFrequencyPerMinute": 1.154, "medianStartupTimeMs": 1000.0, "averageViewerExperienceScore": 59.5,
            "scoreBands": {"poor": 1, "fair": 0, "good": 1, "excellent": 1, "unscored": 0},
            "qualitySeconds": {"1080p": 12.0, "480p": 19.0, "720p": 21.0},
            "bitrateSeconds": {"1000_to_2000_kbps": 19.0, "2000_to_4000_kbps": 21.0, "4000_to_8000_kbps": 12.0},
        }],
    }]})

    windowStart: datetime = Field(description="playbacks first heard of at or after this instant")
    windowEnd: datetime = Field(description="... and before this one")
    exercises: list[ExerciseVideoQualityReply] = Field(description="one row per exercise video played in the window")
