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
  rebuffer_percentage = stall time / (stall time + watched time) * 100;
  rebuffers_per_minute = stalls per minute of that same viewing time.
- quality_seconds: watched time per rendition. The rendition in effect comes
  from session_start.quality, quality_change.to_quality and heartbeat.quality
  (before any of those: the first quality_change.from_quality). Watched time
  between two watched_seconds readings is split over the renditions shown in
  between in proportion to their wall-clock time.
- quality_up_switches / quality_down_switches: quality_change events, direction
  from the rendition height (720p > 480p), else from the bitrate against the
  previous quality_change's bitrate; switches with no known direction count in neither.
- dropped_frame_ratio: dropped_frames / total_frames of the heartbeat with most total_frames.
- exit_before_video_start: no session_start (first frame never shown), nothing
  watched, no milestone.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Iterable

from services.telemetry.domain.media_events import MediaEvent

TYPE_RANK = {
    "session_start": 0,
    "quality_change": 1,
    "buffering_start": 2,
    "buffering_end": 3,
    "heartbeat": 4,
    "milestone": 5,
    "session_end": 6,
}
UNKNOWN_QUALITY = "unknown"
_HEIGHT = re.compile(r"^(\d{3,4})p")


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
    quality_seconds: dict[str, float]
    quality_up_switches: int
    quality_down_switches: int
    dropped_frames: int
    total_frames: int
    dropped_frame_ratio: float
    exit_before_video_start: bool
    ended: bool
    end_reason: str | None
    events_received: int
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
    viewing_seconds = watched + stall_seconds
    up, down = _switch_directions(ordered)
    densest = max((e for e in ordered if e.type == "heartbeat"), key=lambda e: e.total_frames or 0, default=None)
    dropped = densest.dropped_frames if densest else 0
    total = densest.total_frames if densest else 0

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
        rebuffer_percentage=round(100.0 * stall_seconds / viewing_seconds, 2) if viewing_seconds else 0.0,
        rebuffers_per_minute=round(len(stalls) * 60.0 / viewing_seconds, 3) if viewing_seconds else 0.0,
        quality_seconds=_quality_seconds(ordered, start),
        quality_up_switches=up,
        quality_down_switches=down,
        dropped_frames=dropped or 0,
        total_frames=total or 0,
        dropped_frame_ratio=round(dropped / total, 4) if total else 0.0,
        exit_before_video_start=start is None and watched == 0 and not milestones,
        ended=end is not None,
        end_reason=end.reason if end else None,
        events_received=received,
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


def _quality_seconds(ordered: list[MediaEvent], start: MediaEvent | None) -> dict[str, float]:
    current = _initial_quality(ordered, start)
    seconds: dict[str, float] = {}
    shown: dict[str, float] = {}  # wall ms per rendition since the last watched reading
    since_ms = start.occurred_ms if start else ordered[0].occurred_ms
    last_watched = 0.0

    def show_until(at_ms: int) -> None:
        nonlocal since_ms
        if at_ms > since_ms:
            shown[current] = shown.get(current, 0.0) + (at_ms - since_ms)
        since_ms = max(since_ms, at_ms)

    for event in ordered:
        if event.type == "quality_change" or (event.type == "heartbeat" and event.quality and event.quality != current):
            show_until(event.occurred_ms)
            current = event.to_quality or event.quality or current
        if event.watched_seconds is not None and event.watched_seconds > last_watched:
            show_until(event.occurred_ms)
            watched = event.watched_seconds - last_watched
            wall = sum(shown.values())
            shares = {q: ms / wall for q, ms in shown.items()} if wall else {current: 1.0}
            for quality, share in shares.items():
                seconds[quality] = seconds.get(quality, 0.0) + watched * share
            shown.clear()
            last_watched = event.watched_seconds
    return {quality: round(value, 3) for quality, value in sorted(seconds.items())}


def _initial_quality(ordered: list[MediaEvent], start: MediaEvent | None) -> str:
    if start is not None and start.quality:
        return start.quality
    for event in ordered:
        if event.type == "quality_change":
            return event.from_quality or UNKNOWN_QUALITY
        if event.type == "heartbeat" and event.quality:
            return event.quality
    return UNKNOWN_QUALITY


def _switch_directions(ordered: list[MediaEvent]) -> tuple[int, int]:
    up = down = 0
    previous_bitrate: int | None = None
    for event in ordered:
        if event.type != "quality_change":
            continue
        before, after = _height(event.from_quality), _height(event.to_quality)
        if before is not None and after is not None and before != after:
            up, down = (up + 1, down) if after > before else (up, down + 1)
        elif previous_bitrate is not None and event.bitrate is not None and event.bitrate != previous_bitrate:
            up, down = (up + 1, down) if event.bitrate > previous_bitrate else (up, down + 1)
        previous_bitrate = event.bitrate
    return up, down


def _height(quality: str | None) -> int | None:
    match = _HEIGHT.match(quality or "")
    return int(match.group(1)) if match else None
