"""Media session aggregation: a known playback, duplicates, disorder, stalls, early exits and quality switches."""

from __future__ import annotations

import json
import math
import random
import uuid

import pytest

from services.telemetry.domain.media_events import MediaEvent, parse_media_event
from services.telemetry.domain.media_metrics import aggregate_media

SESSION = "5f1c0b8e-0d6a-4c39-8f0e-3e2b9c7d6a10"
T0 = 1_771_228_980_000  # 2026-02-16 08:03:00 UTC


class Playback:
    """Builds the events an app would send for one video, through the real validator."""

    def __init__(self, session: str = SESSION) -> None:
        self.session = session
        self.events: list[MediaEvent] = []

    def send(self, event_type: str, at_s: float, position: float, **extras) -> Playback:
        self.events.append(
            parse_media_event(
                {
                    "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.session}/{len(self.events)}")),
                    "media_session_id": self.session,
                    "type": event_type,
                    "client_ts_ms": T0 + int(at_s * 1000),
                    "position_seconds": position,
                    **extras,
                }
            )
        )
        return self


def known_playback() -> Playback:
    """A 60 s video watched to 48 s with one 2 s stall, a drop to 480p and a jump to 1080p."""
    p = Playback()
    p.send("session_start", 0, 0, video_duration_seconds=60.0, startup_ms=800, quality="720p")
    p.send("heartbeat", 10, 10, watched_seconds=10, dropped_frames=1, total_frames=300)
    p.send("buffering_start", 15, 15)
    p.send("milestone", 17, 15, percent=25)
    p.send("buffering_end", 17, 15)
    p.send("heartbeat", 22, 20, watched_seconds=20, dropped_frames=2, total_frames=600)
    p.send("quality_change", 25, 23, from_quality="720p", to_quality="480p", bitrate=1_200_000)
    p.send("heartbeat", 32, 30, watched_seconds=30, dropped_frames=4, total_frames=900, quality="480p")
    p.send("milestone", 32, 30, percent=50)
    p.send("quality_change", 37, 35, from_quality="480p", to_quality="1080p", bitrate=4_000_000)
    p.send("heartbeat", 42, 40, watched_seconds=40, dropped_frames=5, total_frames=1200)
    p.send("milestone", 47, 45, percent=75)
    p.send("session_end", 50, 48, reason="user_exit", watched_seconds=48)
    return p


def test_every_figure_of_a_known_playback():
    metrics, stalls = aggregate_media(known_playback().events)
    assert metrics.media_session_id == SESSION
    assert (metrics.first_event_ms, metrics.last_event_ms) == (T0, T0 + 50_000)
    assert metrics.startup_ms == 800 and metrics.video_duration_seconds == 60.0
    assert metrics.watched_seconds == 48.0
    assert metrics.completion_percentage == 80.0
    assert metrics.milestones_reached == [25, 50, 75]
    assert metrics.rebuffer_count == 1 and metrics.rebuffer_seconds == 2.0
    assert metrics.rebuffer_percentage == 4.17  # 2 s stalled per 48 s played
    assert metrics.rebuffers_per_minute == 1.25  # 1 stall * 60 / 48 s played
    assert metrics.viewing_seconds == 50.8  # 0.8 s startup + 48 s played + 2 s stalled
    assert metrics.quality_seconds == {"1080p": 13.0, "480p": 12.0, "720p": 23.0}
    # 720p's bitrate was never sent (no session_start bitrate; the first switch names only the new one's).
    assert metrics.bitrate_seconds == {"1000_to_2000_kbps": 12.0, "4000_to_8000_kbps": 13.0, "unknown": 23.0}
    assert metrics.average_bitrate == (1_200_000 * 12 + 4_000_000 * 13) // 25  # 2_656_000 bits/s
    assert sum(metrics.quality_seconds.values()) == pytest.approx(metrics.watched_seconds)
    assert (metrics.quality_up_switches, metrics.quality_down_switches) == (1, 1)
    assert (metrics.dropped_frames, metrics.total_frames, metrics.dropped_frame_ratio) == (5, 1200, 0.0042)
    assert not metrics.exit_before_video_start
    assert metrics.ended and metrics.end_reason == "user_exit"
    assert (metrics.events_received, metrics.duplicate_events) == (13, 0)
    stall_rows = [
        (s.stall_number, s.started_at_ms, s.ended_at_ms, s.duration_ms, s.position_seconds, s.closed_by) for s in stalls
    ]
    assert stall_rows == [(1, T0 + 15_000, T0 + 17_000, 2000, 15.0, "buffering_end")]


def test_duplicates_count_once():
    events = known_playback().events
    resent = events + events[3:8] + [events[0]] * 3
    metrics, stalls = aggregate_media(resent)
    reference, reference_stalls = aggregate_media(events)
    assert metrics.duplicate_events == 8 and metrics.events_received == 21
    assert stalls == reference_stalls
    assert {**metrics.to_dict(), "events_received": 0, "duplicate_events": 0} == {
        **reference.to_dict(), "events_received": 0, "duplicate_events": 0
    }


@pytest.mark.parametrize("seed", range(5))
def test_arrival_order_does_not_matter(seed):
    events = known_playback().events
    shuffled = events[:]
    random.Random(seed).shuffle(shuffled)
    assert aggregate_media(shuffled) == aggregate_media(events)


def test_exit_before_video_start():
    p = Playback()
    p.send("buffering_start", 0.2, 0)
    p.send("session_end", 4, 0, reason="user_exit")
    metrics, stalls = aggregate_media(p.events)
    assert metrics.exit_before_video_start
    assert metrics.startup_ms is None and metrics.watched_seconds == 0 and metrics.completion_percentage == 0
    # Waiting for the first frame is startup, not rebuffering.
    assert stalls == [] and metrics.rebuffer_percentage == 0.0


def test_a_started_video_is_not_an_early_exit_even_when_left_at_once():
    p = Playback()
    p.send("session_start", 0, 0, video_duration_seconds=30.0, startup_ms=400)
    p.send("session_end", 1, 0.5, reason="user_exit")
    metrics, _ = aggregate_media(p.events)
    assert not metrics.exit_before_video_start and metrics.quality_seconds == {}


def test_stall_left_open_is_closed_by_session_end_or_last_event():
    p = Playback()
    p.send("session_start", 0, 0, video_duration_seconds=30.0, startup_ms=400)
    p.send("buffering_start", 5, 5)
    p.send("buffering_start", 6, 5)  # the player repeating itself: same stall
    p.send("session_end", 12, 5, reason="error")
    _, stalls = aggregate_media(p.events)
    assert [(s.duration_ms, s.closed_by) for s in stalls] == [(7000, "session_end")]

    q = Playback()
    q.send("session_start", 0, 0, video_duration_seconds=30.0, startup_ms=400)
    q.send("heartbeat", 10, 10, watched_seconds=10, dropped_frames=0, total_frames=300)
    q.send("buffering_start", 11, 11)
    q.send("heartbeat", 20, 11, watched_seconds=10, dropped_frames=0, total_frames=300)
    metrics, stalls = aggregate_media(q.events)
    assert [(s.duration_ms, s.closed_by) for s in stalls] == [(9000, "last_event")]
    assert not metrics.ended and metrics.rebuffer_percentage == 90.0  # 9 s stalled per 10 s played


def test_rebuffering_figures_with_several_stalls():
    p = Playback()
    p.send("session_start", 0, 0, video_duration_seconds=120.0, startup_ms=300)
    for start in (10, 30, 50):  # three 1.5 s stalls
        p.send("buffering_start", start, start)
        p.send("buffering_end", start + 1.5, start)
    p.send("session_end", 124.5, 120, reason="completed", watched_seconds=120)
    metrics, stalls = aggregate_media(p.events)
    assert metrics.rebuffer_count == 3 and metrics.rebuffer_seconds == 4.5
    assert metrics.rebuffer_percentage == 3.75  # 4.5 s stalled per 120 s played
    assert metrics.rebuffers_per_minute == 1.5  # 3 stalls in 2 minutes played
    assert metrics.viewing_seconds == 124.8  # 0.3 + 120 + 4.5
    assert [s.stall_number for s in stalls] == [1, 2, 3]
    assert metrics.completion_percentage == 100.0


def test_an_end_of_buffering_without_a_start_is_ignored():
    p = Playback()
    p.send("session_start", 0, 0, video_duration_seconds=30.0, startup_ms=400)
    p.send("buffering_end", 3, 3)
    assert aggregate_media(p.events)[1] == []


def test_switch_direction_from_bitrate_when_labels_are_not_heights():
    p = Playback()
    p.send("session_start", 0, 0, video_duration_seconds=60.0, startup_ms=300)
    p.send("quality_change", 5, 5, from_quality="auto", to_quality="sd", bitrate=800_000)
    p.send("quality_change", 10, 10, from_quality="sd", to_quality="hd", bitrate=3_000_000)
    p.send("quality_change", 15, 15, from_quality="hd", to_quality="hd-plus", bitrate=5_000_000)
    p.send("quality_change", 20, 20, from_quality="hd-plus", to_quality="sd", bitrate=800_000)
    p.send("heartbeat", 20, 20, watched_seconds=20, dropped_frames=0, total_frames=600)
    metrics, _ = aggregate_media(p.events)
    assert (metrics.quality_up_switches, metrics.quality_down_switches) == (2, 1)  # first has no reference
    assert metrics.quality_seconds == {"auto": 5.0, "hd": 5.0, "hd-plus": 5.0, "sd": 5.0}


def test_quality_before_any_label_comes_from_the_first_switch():
    p = Playback()
    p.send("session_start", 0, 0, video_duration_seconds=60.0, startup_ms=300)
    p.send("quality_change", 6, 6, from_quality="360p", to_quality="720p", bitrate=2_500_000)
    p.send("heartbeat", 10, 10, watched_seconds=10, dropped_frames=0, total_frames=300)
    metrics, _ = aggregate_media(p.events)
    assert metrics.quality_seconds == {"360p": 6.0, "720p": 4.0}
    assert metrics.quality_up_switches == 1


def test_completion_without_a_session_start_falls_back_to_milestones():
    p = Playback()
    p.send("milestone", 5, 10, percent=25)
    p.send("milestone", 9, 20, percent=50)
    metrics, _ = aggregate_media(p.events)
    assert metrics.completion_percentage == 50.0 and not metrics.exit_before_video_start


def test_no_events_or_mixed_sessions_are_caller_errors():
    with pytest.raises(ValueError):
        aggregate_media([])
    other_video = Playback(str(uuid.uuid4())).send("buffering_end", 2, 2).events
    mixed = Playback().send("buffering_start", 1, 1).events + other_video
    with pytest.raises(ValueError):
        aggregate_media(mixed)


def test_to_dict_is_json_safe():
    metrics, stalls = aggregate_media(known_playback().events)
    data = json.loads(json.dumps(metrics.to_dict(), allow_nan=False))
    assert data["quality_seconds"]["720p"] == 23.0 and data["milestones_reached"] == [25, 50, 75]
    assert json.loads(json.dumps([s.to_dict() for s in stalls]))[0]["closed_by"] == "buffering_end"


def test_bitrate_distribution_from_start_heartbeats_and_switches():
    p = Playback()
    p.send("session_start", 0, 0, video_duration_seconds=60.0, startup_ms=300, quality="720p", bitrate=2_500_000)
    p.send("heartbeat", 10, 10, watched_seconds=10, dropped_frames=0, total_frames=300)
    # The player stepped down within the rendition ladder without a quality_change: the heartbeat says so.
    p.send("heartbeat", 20, 20, watched_seconds=20, dropped_frames=0, total_frames=600, bitrate=1_800_000)
    p.send("quality_change", 30, 30, from_quality="720p", to_quality="360p", bitrate=400_000)
    p.send("heartbeat", 40, 40, watched_seconds=40, dropped_frames=0, total_frames=1200)
    metrics, _ = aggregate_media(p.events)
    # 0-20 s at 2.5 Mbit/s (the heartbeat at 20 s reports the change then), 20-30 s at 1.8, 30-40 s at 0.4.
    assert metrics.bitrate_seconds == {"1000_to_2000_kbps": 10.0, "2000_to_4000_kbps": 20.0, "below_500_kbps": 10.0}
    assert metrics.average_bitrate == (2_500_000 * 20 + 1_800_000 * 10 + 400_000 * 10) // 40  # 1_800_000
    assert metrics.quality_seconds == {"360p": 10.0, "720p": 30.0}
    assert sum(metrics.bitrate_seconds.values()) == metrics.watched_seconds


def test_a_playback_without_any_bitrate_has_no_average():
    metrics, _ = aggregate_media(
        Playback().send("session_start", 0, 0, video_duration_seconds=30.0, startup_ms=400)
        .send("heartbeat", 10, 10, watched_seconds=10, dropped_frames=0, total_frames=300).events
    )
    assert metrics.bitrate_seconds == {"unknown": 10.0} and metrics.average_bitrate is None


def test_the_known_playback_scores_by_hand():
    experience = aggregate_media(known_playback().events)[0].viewer_experience
    startup = 8 / (8 + 0.8) * 100  # 90.91
    smoothness = (100 / math.sqrt(1 + (1 / 2) ** 2) + 100 * math.exp(-10 * 2 / 50.8)) / 2  # (89.44 + 67.46) / 2
    u_avg, u_max = (720 / 480 - 1) * 12 / 48, 720 / 480 - 1  # 12 s of 48 at 480p; 720p and 1080p are not upscaled
    quality = 100 * math.exp(-0.33 * (0.15 * u_max + 0.85 * u_avg)) * (1 - 0.0042)
    assert (experience.startup, experience.smoothness, experience.video_quality) == (90.9, 78.4, 93.8)
    assert experience.score == round((startup * smoothness * quality) ** (1 / 3), 1) == 87.5
