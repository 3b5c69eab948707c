"""The dashboard log right after a real workout answers `not_needed`: the workout's event, in entrances'
own copy of completed workouts, is what tells it (whatever plans' answers entrances caches, here for 30 s)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import AsyncIterator

import pytest

from tests.e2e.test_entrances_flow import clinic_with_plan, complete, history
from tests.support.clinic import Clinic, client
from tests.support.entrances import start_short_window_stack
from tests.support.stack import RunningStack
from tests.support.waiting import eventually

UTC = timezone.utc


@pytest.fixture(scope="module")
async def long_cache_stack(fresh_stack) -> AsyncIterator[RunningStack]:
    # A cache long enough that no expiry, only the event, can make the answer right.
    running = await start_short_window_stack(MOMENTUM_FLAG_CACHE_SECONDS="30")
    yield running
    await running.stop()


async def _log(http, clinic: Clinic):  # type: ignore[no-untyped-def]
    return await http.post("/v2/app-entrances/log", headers=clinic.as_patient())


async def _workouts_today(http, clinic: Clinic) -> int:  # type: ignore[no-untyped-def]
    today = datetime.now(UTC).date().isoformat()
    reply = await http.get("/api/daily-activity", params={"from": today, "to": today}, headers=clinic.as_patient())
    assert reply.status_code == 200, reply.text
    return reply.json()["days"][0]["workoutsCompleted"]


async def test_a_log_after_the_workout_cancelled_the_entrance_is_not_needed(long_cache_stack):
    async with client(long_cache_stack.base_url) as http:
        clinic, scheduled = await clinic_with_plan(long_cache_stack, http)
        first = await _log(http, clinic)
        assert first.status_code == 202 and first.json()["status"] == "PENDING", first.text
        await complete(http, clinic, scheduled[0], datetime.now(UTC))
        (entrance,) = await eventually(
            lambda: history(http, clinic), lambda rows: rows[0]["status"] != "PENDING", timeout=6, every=0.1
        )
        assert entrance["status"] == "CANCELED_BY_REAL_WORKOUT"
        again = await _log(http, clinic)
        assert again.status_code == 200, again.text
        assert again.json()["status"] == "not_needed"
        assert (await history(http, clinic))[0]["status"] == "CANCELED_BY_REAL_WORKOUT"  # nothing reopened


async def test_a_log_after_a_workout_that_followed_a_finalized_entrance_is_not_needed(long_cache_stack):
    async with client(long_cache_stack.base_url) as http:
        clinic, scheduled = await clinic_with_plan(long_cache_stack, http)
        await complete(http, clinic, scheduled[0], datetime.now(UTC) - timedelta(days=2))  # the mirror's source
        assert (await _log(http, clinic)).status_code == 202  # no real workout today, yet
        (entrance,) = await eventually(
            lambda: history(http, clinic), lambda rows: rows[0]["status"] != "PENDING", timeout=10, every=0.2
        )
        assert entrance["status"] == "FINALIZED_TO_INFERRED_WORKOUT"
        await complete(http, clinic, scheduled[1], datetime.now(UTC))
        await eventually(lambda: _workouts_today(http, clinic), lambda n: n == 1, timeout=6, every=0.1)
        again = await _log(http, clinic)
        assert again.status_code == 200, again.text
        assert again.json()["status"] == "not_needed"
