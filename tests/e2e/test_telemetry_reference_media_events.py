"""Media events in the reference shape (`event`, `session_id`, `timestamp`, `data`) through the gateway: the seed's
own example is accepted as a body of its own, a whole playback in that shape gives the figures hand arithmetic
gives, a bad value is refused naming its field in the shape sent, and a resent event is stored once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from tests.support.clinic import client, new_clinic
from tests.support.telemetry import bearer, session_token

SEED_EXAMPLE = {
    "event": "session_start",
    "session_id": "550e8400-e29b-41d4-a716-446655440000",
    "media_id": "hashed-exercise-id",
    "media_type": "video",
    "timestamp": "2026-02-16T09:03:00Z",
    "data": {"total_duration_seconds": 42.0, "ttfb_ms": 340, "video_load_time_ms": 1200, "cdn_response_time_ms": 280,
             "connection_type": "wifi", "effective_bandwidth": 12.5, "rtt_ms": 45},
}


def _playback(media_session_id: str, start: datetime) -> list[dict]:
    def event(kind: str, seconds: float, **data) -> dict:
        stamp = (start + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
        return {"event": kind, "session_id": media_session_id, "media_id": "squat-video", "media_type": "video",
                "timestamp": stamp, "data": data}

    return [
        event("session_start", 0, total_duration_seconds=40.0, video_load_time_ms=600, current_resolution="720p"),
        event("heartbeat", 10, position_seconds=10, watched_duration_seconds=10, dropped_frames=3, total_frames=300,
              current_resolution="720p", completion_percent=25.0, buffering_count=0, current_bitrate=2_500_000),
        event("milestone", 10.5, position_seconds=10, percent=25),
        event("buffering_start", 12, position_seconds=12),
        event("buffering_end", 15, position_seconds=12, duration_ms=3000),
        event("quality_change", 15.5, position_seconds=12.5, from_resolution="720p", to_resolution="480p", bitrate=900_000),
        event("milestone", 23, position_seconds=20, percent=50),
        event("session_end", 33, position_seconds=30, reason="user_exit", watched_duration_seconds=30),
    ]


async def test_reference_shaped_events_are_accepted_and_measured(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    media_session = str(uuid.uuid4())
    playback = _playback(media_session, datetime.now(timezone.utc) - timedelta(minutes=2))
    async with client(stack.base_url) as http:
        seed = await http.post("/v1/media/events", json=SEED_EXAMPLE, headers=bearer(token, None))
        assert seed.status_code == 200, seed.text
        assert (seed.json()["eventsReceived"], seed.json()["eventsStored"]) == (1, 1)
        again = await http.post("/v1/media/events", json=SEED_EXAMPLE, headers=bearer(token, None))
        assert again.json()["eventsStored"] == 0  # the same event resent: stored once

        bad = [dict(playback[1], data={**playback[1]["data"], "dropped_frames": 301})]
        refused = await http.post("/v1/media/events", json={"events": bad}, headers=bearer(token, None))
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"].startswith("events[0].data.dropped_frames")
        unknown = [dict(playback[2], data={**playback[2]["data"], "pecent": 25})]
        typo = await http.post("/v1/media/events", json={"events": unknown}, headers=bearer(token, None))
        assert typo.status_code == 422 and "pecent" in typo.json()["detail"], typo.text

        stored = await http.post("/v1/media/events", json={"events": playback}, headers=bearer(token, None))
        assert stored.status_code == 200, stored.text
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200 and ended.json()["mediaSessions"] == 2, ended.text
        detail = await http.get(f"/v1/exercise-sessions/{session_id}", headers=clinic.as_therapist())
        assert detail.status_code == 200, detail.text
    video = {v["mediaSessionId"]: v for v in detail.json()["videoQuality"]}[media_session]
    # By hand: 30 s of 40 watched, one 3-second stall, 600 ms to start, left at 30 s.
    assert (video["watchTimeSeconds"], video["completionPercentage"], video["startupTimeMs"]) == (30.0, 75.0, 600.0)
    assert (video["rebufferCount"], video["rebufferDurationSeconds"]) == (1, 3.0)
    assert video["rebufferPercentage"] == round(100 * 3.0 / 30.0, 2)  # per second played
    # data.current_bitrate is kept: 2.5 Mbit/s from the start (the first heartbeat's), 0.9 from the switch at 15.5 s.
    # 10-33 s is 23 s of wall time for 20 s watched: 5.5 s of it at 720p, 17.5 s at 480p.
    at_720p, at_480p = 10 + 20 * 5.5 / 23, 20 * 17.5 / 23
    assert video["bitrateSeconds"] == {"2000_to_4000_kbps": round(at_720p, 3), "500_to_1000_kbps": round(at_480p, 3)}
    assert video["averageBitrateBitsPerSecond"] == round((2_500_000 * at_720p + 900_000 * at_480p) / 30)
    assert (video["milestonesReached"], video["qualityDownSwitches"], video["ended"]) == ([25, 50], 1, True)
