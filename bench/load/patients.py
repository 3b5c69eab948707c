"""Simulated patients on the gateway: they open the app, read their streak, complete workouts, and some
do an exercise session (a 1 Hz pose stream with video heartbeats) over and over."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

import httpx

from bench.load.metrics import Recorder
from tests.support.population import SeededPatient, completion_body

ENTRANCE_LOG = "/v2/app-entrances/log"
STREAKS = "/v2/streaks"
TODAY = "/v2/workouts/today"
COMPLETE = "/v2/workouts/{workout_id}/complete"
SESSION_START = "/v1/workouts/{workout_id}/sessions/start"
POSE = "/v1/pose/frames"
MEDIA = "/v1/media/events"
SESSION_END = "/v1/sessions/{session_id}/end"


@dataclass(frozen=True)
class Pace:
    """Seconds between one patient's actions of each kind."""

    open_every: float = 60.0
    streak_every: float = 10.0
    complete_every: float = 30.0
    session_seconds: int = 60
    heartbeat_every: int = 5
    rest_between_sessions: float = 5.0


class VirtualPatient:
    def __init__(
        self, patient: SeededPatient, client: httpx.AsyncClient, recorder: Recorder, routes: set[str], pace: Pace,
        batches: list[bytes], rng: random.Random,
    ) -> None:
        self.patient = patient
        self._client = client
        self._recorder = recorder
        self._routes = routes
        self._pace = pace
        self._batches = batches
        self._rng = rng
        self._headers = patient.headers()

    async def run(self, stop: asyncio.Event, in_session: bool) -> None:
        pace = self._pace
        loops = [
            self._every(stop, pace.open_every, self.open_app),
            self._every(stop, pace.streak_every, self.read_streak),
            self._every(stop, pace.complete_every, self.complete_workout),
        ]
        if in_session and {SESSION_START, POSE, MEDIA, SESSION_END} <= self._routes:
            loops.append(self._sessions(stop))
        await asyncio.gather(*loops)

    # ------------------------------------------------------------------ actions
    async def open_app(self) -> None:
        if ENTRANCE_LOG in self._routes:
            await self._call("POST " + ENTRANCE_LOG, "POST", ENTRANCE_LOG)
        await self._call("GET " + TODAY, "GET", TODAY)

    async def read_streak(self) -> None:
        if STREAKS in self._routes:
            await self._call("GET " + STREAKS, "GET", STREAKS)

    async def complete_workout(self) -> None:
        workout = self.patient.next_workout()
        if workout is None:
            return
        workout_id, exercise_ids = workout
        await self._call(
            "POST " + COMPLETE, "POST", COMPLETE.format(workout_id=workout_id), json=completion_body(exercise_ids)
        )

    async def _sessions(self, stop: asyncio.Event) -> None:
        await self._pause(stop, self._rng.uniform(0, self._pace.rest_between_sessions))
        while not stop.is_set():
            await self.exercise_session(stop)
            await self._pause(stop, self._pace.rest_between_sessions)

    async def exercise_session(self, stop: asyncio.Event) -> None:
        if not self.patient.open_workouts:
            return
        workout_id, exercise_ids = self.patient.open_workouts[0]
        started = await self._call(
            "POST " + SESSION_START, "POST", SESSION_START.format(workout_id=workout_id), json={"exerciseId": exercise_ids[0]},
        )
        if started is None or started.status_code != 201:
            await self._pause(stop, 5)
            return
        grant = started.json()
        token = {"Authorization": f"Bearer {grant['token']}"}
        media_session = str(uuid.uuid4())
        began = time.monotonic()
        for second, batch in enumerate(self._batches):
            if stop.is_set():
                break
            await self._call(
                "POST " + POSE, "POST", POSE, content=batch, headers={**token, "Content-Type": "application/octet-stream"},
            )
            if second % self._pace.heartbeat_every == 0:
                event = _media_event(media_session, second, first=second == 0)
                await self._call("POST " + MEDIA, "POST", MEDIA, json={"events": [event]}, headers=token)
            await self._pause(stop, began + second + 1 - time.monotonic())
        await self._call("POST " + SESSION_END, "POST", SESSION_END.format(session_id=grant["sessionId"]), headers=token)

    # ------------------------------------------------------------------ plumbing
    async def _every(self, stop: asyncio.Event, period: float, action: Callable[[], Awaitable[None]]) -> None:
        """On a fixed cadence from a random phase, so patients do not march in step."""
        next_at = time.monotonic() + self._rng.uniform(0, period)
        while not stop.is_set():
            await self._pause(stop, next_at - time.monotonic())
            if stop.is_set():
                return
            await action()
            next_at += period

    @staticmethod
    async def _pause(stop: asyncio.Event, seconds: float) -> None:
        if seconds <= 0:
            return
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _call(self, route: str, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self._client.request(method, path, headers=headers or self._headers, **kwargs)
        except httpx.HTTPError as exc:
            self._recorder.record(route, None, (time.perf_counter() - started) * 1000, repr(exc))
            return None
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._recorder.record(route, response.status_code, elapsed_ms, response.text if response.status_code >= 400 else "")
        return response


def _media_event(media_session: str, second: int, first: bool) -> dict[str, Any]:
    base = {
        "event_id": str(uuid.uuid4()),
        "media_session_id": media_session,
        "occurred_at": datetime.now(timezone.utc).isoformat(),
        "position_seconds": float(second),
    }
    if first:
        return {**base, "type": "session_start", "video_duration_seconds": 90.0, "startup_ms": 800, "quality": "720p"}
    return {**base, "type": "heartbeat", "watched_seconds": float(second), "dropped_frames": 0, "total_frames": second * 30}
