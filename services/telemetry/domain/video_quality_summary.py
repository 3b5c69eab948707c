"""A clinic's playbacks of each exercise video over a period, summed: plays, watch and completion, early exits,
rebuffering, startup, viewer-experience score bands, and seconds played per rendition and bitrate band.

    averageWatchPercentage   mean of the plays' completion percentage (the furthest point reached)
    completionRate           plays that reached COMPLETED_PERCENTAGE (the 95 % milestone) / plays * 100
    exitBeforeVideoStartRate plays that never showed a frame / plays * 100
    rebufferPercentage       total stall seconds / total seconds played * 100 (not a mean of the plays' own
                             percentages, so a long smooth play weighs more than a short stalled one)
    rebuffersPerMinute       stalls / minutes played
    medianStartupMs          median startup time of the plays that started
    scoreBands               plays per band of the viewer-experience score, SCORE_BANDS; plays recorded before
                             the score existed are `unscored`
A period is a half-open window of when telemetry first heard of each playback, at most MAX_PERIOD long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

COMPLETED_PERCENTAGE = 95.0
# (name, lowest score included); each band runs to the next one's lowest.
SCORE_BANDS: tuple[tuple[str, float], ...] = (("poor", 0.0), ("fair", 50.0), ("good", 70.0), ("excellent", 90.0))
BAND_NAMES = tuple(name for name, _ in SCORE_BANDS)
DEFAULT_PERIOD = timedelta(days=30)
MAX_PERIOD = timedelta(days=366)


class BadPeriod(ValueError):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class ExercisePlays:
    """What the repository sums for one exercise's video."""

    exercise_id: str
    plays: int
    completion_percentage_sum: float
    completed_plays: int
    exits_before_video_start: int
    watched_seconds: float
    rebuffer_seconds: float
    rebuffer_count: int
    median_startup_ms: float | None
    score_sum: float
    scored_plays: int
    band_counts: dict[str, int]
    quality_seconds: dict[str, float] = field(default_factory=dict)
    bitrate_seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ExerciseVideoSummary:
    exercise_id: str
    plays: int
    average_watch_percentage: float
    completion_rate: float
    exit_before_video_start_rate: float
    watched_seconds: float
    rebuffer_count: int
    rebuffer_seconds: float
    rebuffer_percentage: float
    rebuffers_per_minute: float
    median_startup_ms: float | None
    average_score: float | None
    score_bands: dict[str, int]
    quality_seconds: dict[str, float]
    bitrate_seconds: dict[str, float]


def period(started_from: datetime | None, started_before: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The window asked for: `to` defaults to now, `from` to DEFAULT_PERIOD before `to`."""
    end = started_before or now
    start = started_from or end - DEFAULT_PERIOD
    if end <= start:
        raise BadPeriod("to", "must be after from")
    if end - start > MAX_PERIOD:
        raise BadPeriod("from", f"the period may span at most {MAX_PERIOD.days} days")
    return start, end


def summarise(plays: ExercisePlays) -> ExerciseVideoSummary:
    n = plays.plays
    return ExerciseVideoSummary(
        exercise_id=plays.exercise_id,
        plays=n,
        average_watch_percentage=_share(plays.completion_percentage_sum, n, 1),
        completion_rate=_share(100.0 * plays.completed_plays, n, 1),
        exit_before_video_start_rate=_share(100.0 * plays.exits_before_video_start, n, 1),
        watched_seconds=round(plays.watched_seconds, 3),
        rebuffer_count=plays.rebuffer_count,
        rebuffer_seconds=round(plays.rebuffer_seconds, 3),
        rebuffer_percentage=_share(100.0 * plays.rebuffer_seconds, plays.watched_seconds, 2),
        rebuffers_per_minute=_share(60.0 * plays.rebuffer_count, plays.watched_seconds, 3),
        median_startup_ms=round(plays.median_startup_ms, 1) if plays.median_startup_ms is not None else None,
        average_score=round(plays.score_sum / plays.scored_plays, 1) if plays.scored_plays else None,
        score_bands={**{name: plays.band_counts.get(name, 0) for name in BAND_NAMES}, "unscored": n - plays.scored_plays},
        quality_seconds={k: round(v, 3) for k, v in sorted(plays.quality_seconds.items())},
        bitrate_seconds={k: round(v, 3) for k, v in sorted(plays.bitrate_seconds.items())},
    )


def _share(part: float, whole: float, digits: int) -> float:
    return round(part / whole, digits) if whole else 0.0
