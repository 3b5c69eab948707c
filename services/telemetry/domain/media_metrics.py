"""Aggregates of one exercise-video playback (media session) from its events, tolerant of duplicates and disorder.

Events are de-duplicated by event_id (first copy wins) and put in order of
occurred time, then TYPE_RANK (so at the same millisecond session_start comes
first and session_end last), then arrival. Which event feeds which figure:

- startup_ms, video_duration_seconds: session_start (None without one).
- watched_seconds: the largest cumulative watched_seconds of heartbeat / session_end.
- completion_percentage: furthest position_seconds of any event over the video
  duration, or the highest milestone if that is further (capped at 100); without
  a duration, the highest milestone.
- milestones_reached: distinct milestone percents.
- rebuffering: each buffering_start after session_start opens a stall; the next
  buffering_end closes it (or session_end, or the last event when neither came).
  Stalls before session_start are startup, already counted in startup_ms.
  Watch time is watched_seconds, the seconds of video played (stalls and startup excluded):
  rebuffer_percentage = stall time / watch time * 100 and rebuffers_per_minute = stalls
  per minute of watch time, both 0 when nothing was played. viewing_seconds = startup +
  watch time + stall time is what Mux calls watch time (its rebuffer percentage divides by
  that, and so does the viewer-experience score's smoothness curve).
- quality_seconds, bitrate_seconds, average_bitrate, up/down switches: see renditions.py.
- dropped_frame_ratio: dropped_frames / total_frames of the heartbeat with most total_frames.
- exit_before_video_start: no session_start (first frame never shown), nothing
  watched, no milestone.
- viewer_experience: the 0-100 score and its four parts, see viewer_experience.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable

from services.telemetry.domain.media_events import MediaEvent
from services.telemetry.domain.renditions import rendition_time, switch_directions
from services.telemetry.domain.viewer_experience import ViewerExperience, viewer_experience

TYPE_RANK = {
    "session_start": 0,
    "quality_change": 1,
    "buffering_start": 2,
    "buffering_end": 3,
    "heartbeat": 4,
    "milestone": 5,
    "session_end": 6,
}


@dataclass(frozen=True)
class BufferingEvent:
    """One stall during playback (a row of media_buffering_events)."""

    media_session_id: str
    stall_number: int
    started_at_ms: int
    ended_at_ms: int
    duration_ms: int
    position_seconds: float
    closed_by: str  # buffering_end | session_end | last_event

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MediaSessionMetrics:
    """One playback's figures (a row of media_session_metrics); times are unix epoch ms."""

    media_session_id: str
    first_event_ms: int
    last_event_ms: int
    video_duration_seconds: float | None
    startup_ms: int | None
    watched_seconds: float
    completion_percentage: float
    milestones_reached: list[int]
    rebuffer_count: int
    rebuffer_seconds: float
    rebuffer_percentage: float
    rebuffers_per_minute: float
    viewing_seconds: float
    quality_seconds: dict[str, float]
    bitrate_seconds: dict[str, float]
    average_bitrate: int | None
    quality_up_switches: int
    quality_down_switches: int
    dropped_frames: int
    total_frames: int
    dropped_frame_ratio: float
    exit_before_video_start: bool
    ended: bool
    end_reason: str | None
    events_received: int
    viewer_experience: ViewerExperience
    duplicate_events: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def aggregate_media(events: Iterable[MediaEvent]) -> tuple[MediaSessionMetrics, list[BufferingEvent]]:
    """The metrics and stalls of one media session; raises ValueError on no events or mixed sessions."""
    unique: dict[str, tuple[int, MediaEvent]] = {}
    received = 0
    for arrival, event in enumerate(events):
        received += 1
        unique.setdefault(event.event_id, (arrival, event))
    if not unique:
        raise ValueError("no media events to aggregate")
    sessions = {event.media_session_id for _, event in unique.values()}
    if len(sessions) != 1:
        raise ValueError(f"events of {len(sessions)} media sessions given; aggregate one at a time")
    session_id = sessions.pop()
    arrivals = sorted(unique.values(), key=lambda pair: (pair[1].occurred_ms, TYPE_RANK[pair[1].type], pair[0]))
    ordered = [event for _, event in arrivals]

    start = next((e for e in ordered if e.type == "session_start"), None)
    end = next((e for e in ordered if e.type == "session_end"), None)
    watched = max((e.watched_seconds for e in ordered if e.watched_seconds is not None), default=0.0)
    milestones = sorted({e.percent for e in ordered if e.percent is not None})
    stalls = _stalls(ordered, session_id, start, end)
    stall_seconds = sum(s.duration_ms for s in stalls) / 1000.0
    startup_seconds = (start.startup_ms or 0) / 1000.0 if start else 0.0
    up, down = switch_directions(ordered)
    renditions = rendition_time(ordered, start)
    densest = max((e for e in ordered if e.type == "heartbeat"), key=lambda e: e.total_frames or 0, default=None)
    dropped = densest.dropped_frames if densest else 0
    total = densest.total_frames if densest else 0
    dropped_ratio = round(dropped / total, 4) if total else 0.0
    exit_early = start is None and watched == 0 and not milestones

    metrics = MediaSessionMetrics(
        media_session_id=session_id,
        first_event_ms=ordered[0].occurred_ms,
        last_event_ms=ordered[-1].occurred_ms,
        video_duration_seconds=start.video_duration_seconds if start else None,
        startup_ms=start.startup_ms if start else None,
        watched_seconds=round(watched, 3),
        completion_percentage=_completion(ordered, start, milestones),
        milestones_reached=milestones,
        rebuffer_count=len(stalls),
        rebuffer_seconds=round(stall_seconds, 3),
        rebuffer_percentage=round(100.0 * stall_seconds / watched, 2) if watched else 0.0,
        rebuffers_per_minute=round(len(stalls) * 60.0 / watched, 3) if watched else 0.0,
        viewing_seconds=round(startup_seconds + watched + stall_seconds, 3),
        quality_seconds=renditions.quality_seconds,
        bitrate_seconds=renditions.bitrate_seconds,
        average_bitrate=renditions.average_bitrate,
        quality_up_switches=up,
        quality_down_switches=down,
        dropped_frames=dropped or 0,
        total_frames=total or 0,
        dropped_frame_ratio=dropped_ratio,
        exit_before_video_start=exit_early,
        ended=end is not None,
        end_reason=end.reason if end else None,
        events_received=received,
        viewer_experience=viewer_experience(
            exit_before_video_start=exit_early, end_reason=end.reason if end else None,
            startup_ms=start.startup_ms if start else None, watched_seconds=watched, rebuffer_count=len(stalls),
            rebuffer_seconds=stall_seconds, quality_seconds=renditions.quality_seconds,
            dropped_frame_ratio=dropped_ratio,
        ),
        duplicate_events=received - len(unique),
    )
    return metrics, stalls


def _completion(ordered: list[MediaEvent], start: MediaEvent | None, milestones: list[int]) -> float:
    furthest_milestone = float(milestones[-1]) if milestones else 0.0
    if start is None or not start.video_duration_seconds:
        return furthest_milestone
    furthest = max(e.position_seconds for e in ordered)
    by_position = 100.0 * furthest / start.video_duration_seconds
    return round(min(100.0, max(by_position, furthest_milestone)), 2)


def _stalls(
    ordered: list[MediaEvent], session_id: str, start: MediaEvent | None, end: MediaEvent | None
) -> list[BufferingEvent]:
    stalls: list[BufferingEvent] = []
    open_stall: MediaEvent | None = None
    playing = False

    def close(at_ms: int, closed_by: str) -> None:
        assert open_stall is not None
        stalls.append(
            BufferingEvent(
                media_session_id=session_id,
                stall_number=len(stalls) + 1,
                started_at_ms=open_stall.occurred_ms,
                ended_at_ms=at_ms,
                duration_ms=at_ms - open_stall.occurred_ms,
                position_seconds=open_stall.position_seconds,
                closed_by=closed_by,
            )
        )

    for event in ordered:
        if event is start:
            playing = True
        elif event.type == "buffering_start" and playing and open_stall is None:
            open_stall = event  # a second start while stalled is the same stall
        elif event.type == "buffering_end" and open_stall is not None:
            close(event.occurred_ms, "buffering_end")
            open_stall = None
        elif event is end:
            if open_stall is not None:
                close(event.occurred_ms, "session_end")
                open_stall = None
            break  # playback is over; late stragglers cannot stall it
    if open_stall is not None:
        close(ordered[-1].occurred_ms, "last_event")
    return stalls
