"""Video quality through the public API: scripted playbacks of one exercise video, read back per playback in the
exercise-session detail and per exercise video in the clinic aggregate, every figure checked against hand
arithmetic written out here (not the service's own functions)."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from services.telemetry.domain.pose_profile import SQUAT_LEFT
from tests.support.care import create_plan, patient_workouts
from tests.support.clinic import client, new_clinic
from tests.support.telemetry import bearer

START = datetime.now(timezone.utc) - timedelta(minutes=3)


def playback(offset_s: float) -> tuple[str, Any]:
    """(media session id, event(kind, at seconds, position, **fields)) for one play starting offset_s after START."""
    media_session_id = str(uuid.uuid4())

    def event(kind: str, at: float, position: float, **fields: Any) -> dict[str, Any]:
        stamp = (START + timedelta(seconds=offset_s + at)).isoformat().replace("+00:00", "Z")
        return {"event_id": str(uuid.uuid4()), "media_session_id": media_session_id, "type": kind,
                "occurred_at": stamp, "position_seconds": position, **fields}

    return media_session_id, event


def watched_to_the_end() -> tuple[str, list[dict[str, Any]]]:
    """A: 40 s video, 600 ms startup at 720p / 2.5 Mbit/s, one 3 s stall, down to 480p / 1 Mbit/s, watched to the end."""
    media_id, event = playback(0)
    return media_id, [
        event("session_start", 0, 0, video_duration_seconds=40.0, startup_ms=600, quality="720p", bitrate=2_500_000),
        event("heartbeat", 10, 10, watched_seconds=10.0, dropped_frames=0, total_frames=300),
        event("milestone", 10, 10, percent=25),
        event("buffering_start", 12, 12),
        event("buffering_end", 15, 12),
        event("heartbeat", 23, 20, watched_seconds=20.0, dropped_frames=0, total_frames=600),
        event("milestone", 23, 20, percent=50),
        event("quality_change", 24, 21, from_quality="720p", to_quality="480p", bitrate=1_000_000),
        event("heartbeat", 33, 30, watched_seconds=30.0, dropped_frames=6, total_frames=900, quality="480p"),
        event("milestone", 33, 30, percent=75),
        event("milestone", 41, 38, percent=95),
        event("session_end", 43, 40, reason="completed", watched_seconds=40.0),
    ]


def left_early() -> tuple[str, list[dict[str, Any]]]:
    """B: 1.4 s startup at 1080p, 5 Mbit/s from the first heartbeat, left after 12 s."""
    media_id, event = playback(60)
    return media_id, [
        event("session_start", 0, 0, video_duration_seconds=40.0, startup_ms=1400, quality="1080p"),
        event("heartbeat", 10, 10, watched_seconds=10.0, dropped_frames=0, total_frames=300, bitrate=5_000_000),
        event("milestone", 10, 10, percent=25),
        event("session_end", 12, 12, reason="user_exit", watched_seconds=12.0),
    ]


def exit_before_start() -> tuple[str, list[dict[str, Any]]]:
    """C: the first frame never came; the patient left after 4 s."""
    media_id, event = playback(120)
    return media_id, [event("buffering_start", 0, 0), event("session_end", 4, 0, reason="user_exit")]


def mux_shaped_score(startup_s: float, stalls: int, stall_s: float, viewing_s: float, upscale_avg: float,
                     upscale_max: float, dropped_ratio: float) -> tuple[float, float, float, float]:
    startup = 8 / (8 + startup_s) * 100
    smoothness = (100 / math.sqrt(1 + (stalls / 2) ** 2) + 100 * math.exp(-10 * stall_s / viewing_s)) / 2
    quality = 100 * math.exp(-0.33 * (0.15 * upscale_max + 0.85 * upscale_avg)) * (1 - dropped_ratio)
    return startup, smoothness, quality, (startup * smoothness * quality) ** (1 / 3)


async def test_playbacks_read_back_per_session_and_per_exercise_video(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        created = await http.post(
            "/v1/exercises",
            json={"name": "Wall squat", "videoUrl": "https://video.example/squat.mp4", "videoDurationSeconds": 40,
                  "poseProfile": SQUAT_LEFT.to_dict()},
            headers=clinic.as_therapist(),
        )
        assert created.status_code == 201, created.text
        exercise = created.json()
        await create_plan(http, clinic, exercises=[exercise])
        workout = (await patient_workouts(http, clinic))[0]
        for purpose in ("biometric", "analytics"):
            granted = await http.put(f"/v1/patients/{clinic.patient_id}/consents/{purpose}", json={"granted": True},
                                     headers=clinic.as_patient())
            assert granted.status_code == 200, granted.text

        async def session_with(*plays: list[dict[str, Any]]) -> str:
            grant = await http.post(f"/v1/workouts/{workout['workoutId']}/sessions/start",
                                    json={"exerciseId": exercise["exerciseId"]}, headers=clinic.as_patient())
            assert grant.status_code == 201, grant.text
            session_id, token = grant.json()["sessionId"], grant.json()["token"]
            sent = await http.post("/v1/media/events", json={"events": [e for p in plays for e in p]},
                                   headers=bearer(token, "application/json"))
            assert sent.status_code == 200, sent.text
            ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
            assert ended.status_code == 200, ended.text
            return session_id

        a_id, a_events = watched_to_the_end()
        b_id, b_events = left_early()
        c_id, c_events = exit_before_start()
        first = await session_with(a_events, b_events)
        await session_with(c_events)

        detail = await http.get(f"/v1/exercise-sessions/{first}", headers=clinic.as_therapist())
        assert detail.status_code == 200, detail.text
        a, b = detail.json()["videoQuality"]
        assert (a["mediaSessionId"], b["mediaSessionId"]) == (a_id, b_id)

        # A. Watched 40 s; one stall 12 s -> 15 s; startup 0.6 s, so Mux's watch time is 0.6 + 40 + 3 = 43.6 s.
        # Renditions: 0-23 s wall at 720p carries the first 20 s watched; 23-33 s: 1 s of 720p, 9 s of 480p over
        # 10 s watched; 33-43 s all 480p. 720p = 10 + 10 + 1 = 21 s at 2.5 Mbit/s, 480p = 9 + 10 = 19 s at 1 Mbit/s.
        assert (a["watchTimeSeconds"], a["viewingTimeSeconds"], a["startupTimeMs"]) == (40.0, 43.6, 600.0)
        assert (a["completionPercentage"], a["milestonesReached"]) == (100.0, [25, 50, 75, 95])
        assert (a["rebufferCount"], a["rebufferDurationSeconds"]) == (1, 3.0)
        assert a["rebufferPercentage"] == 7.5  # 3 / 40 * 100
        assert a["rebufferFrequencyPerMinute"] == 1.5  # 1 stall / (40 / 60) minutes
        assert a["qualitySeconds"] == {"480p": 19.0, "720p": 21.0}
        assert a["bitrateSeconds"] == {"1000_to_2000_kbps": 19.0, "2000_to_4000_kbps": 21.0}
        assert a["averageBitrateBitsPerSecond"] == (2_500_000 * 21 + 1_000_000 * 19) // 40 == 1_787_500
        assert (a["qualityUpSwitches"], a["qualityDownSwitches"], a["droppedFrameRatio"]) == (0, 1, 0.0067)  # 6 / 900
        # 480p is 720 / 480 - 1 = 0.5 upscaled, for 19 of the 40 s.
        startup, smooth, quality, score_a = mux_shaped_score(0.6, 1, 3.0, 43.6, 0.5 * 19 / 40, 0.5, 0.0067)
        assert a["viewerExperience"] == {
            "score": round(score_a, 1), "playbackSuccess": 100.0, "startup": round(startup, 1),
            "smoothness": round(smooth, 1), "videoQuality": round(quality, 1),
        }
        assert 70 <= score_a < 90  # good

        # B. 12 s watched at 1080p / 5 Mbit/s (the first heartbeat's bitrate is the first one known), no stall.
        assert (b["watchTimeSeconds"], b["viewingTimeSeconds"], b["completionPercentage"]) == (12.0, 13.4, 30.0)
        assert (b["rebufferCount"], b["rebufferPercentage"], b["rebufferFrequencyPerMinute"]) == (0, 0.0, 0.0)
        assert b["qualitySeconds"] == {"1080p": 12.0} and b["bitrateSeconds"] == {"4000_to_8000_kbps": 12.0}
        assert b["averageBitrateBitsPerSecond"] == 5_000_000
        _, _, _, score_b = mux_shaped_score(1.4, 0, 0.0, 13.4, 0.0, 0.0, 0.0)
        assert b["viewerExperience"]["score"] == round(score_b, 1) == round((8 / 9.4 * 100 * 100 * 100) ** (1 / 3), 1)
        assert score_b >= 90  # excellent

        clinic_wide = await http.get("/v1/exercise-videos/quality", headers=clinic.as_therapist())
        assert clinic_wide.status_code == 200, clinic_wide.text
        [row] = clinic_wide.json()["exercises"]
        # C never started: exit before video start, score 0 (poor), no startup time, nothing watched.
        assert (row["exerciseId"], row["exerciseName"], row["plays"]) == (exercise["exerciseId"], "Wall squat", 3)
        assert row["averageWatchPercentage"] == round((100 + 30 + 0) / 3, 1) == 43.3
        assert row["completionRate"] == round(100 * 1 / 3, 1)  # only A reached 95 %
        assert row["exitBeforeVideoStartRate"] == round(100 * 1 / 3, 1)  # C
        assert (row["watchTimeSeconds"], row["rebufferCount"], row["rebufferDurationSeconds"]) == (52.0, 1, 3.0)
        assert row["rebufferPercentage"] == round(100 * 3 / (40 + 12), 2) == 5.77
        assert row["rebufferFrequencyPerMinute"] == round(1 / (52 / 60), 3)
        assert row["medianStartupTimeMs"] == (600 + 1400) / 2  # C has no startup
        assert row["averageViewerExperienceScore"] == round((round(score_a, 1) + round(score_b, 1) + 0) / 3, 1)
        assert row["scoreBands"] == {"poor": 1, "fair": 0, "good": 1, "excellent": 1, "unscored": 0}
        assert row["qualitySeconds"] == {"1080p": 12.0, "480p": 19.0, "720p": 21.0}
        assert row["bitrateSeconds"] == {"1000_to_2000_kbps": 19.0, "2000_to_4000_kbps": 21.0, "4000_to_8000_kbps": 12.0}

        # The window, who may read it, and what it refuses.
        later = (datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat()
        after_that = (datetime.now(timezone.utc) + timedelta(minutes=10)).isoformat()
        empty = await http.get("/v1/exercise-videos/quality", params={"from": later, "to": after_that},
                               headers=clinic.as_admin())
        assert empty.status_code == 200 and empty.json()["exercises"] == [], empty.text
        # Only `from`: `to` is now, which is before it.
        backwards = await http.get("/v1/exercise-videos/quality", params={"from": later}, headers=clinic.as_therapist())
        assert backwards.status_code == 422 and backwards.json()["errors"] == [{"field": "to", "message": "must be after from"}]
        too_long = await http.get("/v1/exercise-videos/quality", params={"from": "2024-01-01T00:00:00Z"},
                                  headers=clinic.as_therapist())
        assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "from", too_long.text
        unknown = await http.get("/v1/exercise-videos/quality", params={"since": later}, headers=clinic.as_therapist())
        assert unknown.status_code == 400 and unknown.json()["error"] == "unknown_query_parameter", unknown.text
        assert unknown.json()["errors"] == [{"field": "since", "message": "not a parameter of this route"}]
        assert (await http.get("/v1/exercise-videos/quality", headers=clinic.as_patient())).status_code == 403
        stranger = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
        theirs = await http.get("/v1/exercise-videos/quality", headers=stranger.as_therapist())
        assert theirs.status_code == 200 and theirs.json()["exercises"] == []
