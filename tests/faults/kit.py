"""What fault tests do and check through the front door: patients changing their timezone over HTTP,
clean failures, and waiting until every outbox is sent and every queue is empty."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

import httpx

from tests.support import waiting
from tests.support.broker_probe import queue_depths_async
from tests.support.db_probe import Probe
from tests.support.population import ZONES, SeededPatient

# Entrances finalize 2 s after the last open; the repair sweep runs every second with a 1 s grace.
SHORT_ENTRANCE_WINDOW = {
    "ENTRANCE_FINALIZE_DELAY": "2",
    "ENTRANCE_SWEEP_INTERVAL": "1",
    "ENTRANCE_SWEEP_GRACE": "1",
    "MOMENTUM_FLAG_CACHE_SECONDS": "0.5",
}


# What a client may see while a service is going away: the gateway's error body, never a hang or HTML.
CLEAN_FAILURES = {500, 502, 503, 504}


def is_clean_failure(response: httpx.Response) -> bool:
    if response.status_code not in CLEAN_FAILURES:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and {"error", "detail"} <= body.keys()


@dataclass
class TimezoneWalker:
    """One patient moving through zones: every acknowledged change is one plans.user.timezone_changed
    event, so streaks must end with exactly `acknowledged` (+ any change committed before a failure)."""

    patient: SeededPatient
    base_urls: list[str]
    step: int = 0
    acknowledged: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)
    unclean: list[tuple[int, str]] = field(default_factory=list)

    async def change(self, client: httpx.AsyncClient) -> httpx.Response | None:
        zone = ZONES[self.step % len(ZONES)]
        base = self.base_urls[self.step % len(self.base_urls)]
        self.step += 1
        try:
            response = await client.post(
                f"{base}/v2/user/auto-update-timezone", json={"timezone": zone}, headers=self.patient.headers()
            )
        except httpx.HTTPError as exc:  # connection refused while a gateway restarts: the client retries later
            self.failures.append((0, repr(exc)))
            self.step -= 1
            return None
        if response.status_code == 200 and response.json()["changed"]:
            self.acknowledged += 1
        elif is_clean_failure(response):
            self.failures.append((response.status_code, response.text))
            self.step -= 1  # the app would retry the same zone
        else:
            self.unclean.append((response.status_code, response.text))
        return response

    async def walk(self, client: httpx.AsyncClient, changes: int, pause: float = 0.0) -> None:
        while self.acknowledged < changes:
            await self.change(client)
            if pause:
                await asyncio.sleep(pause)

    async def walk_until(self, client: httpx.AsyncClient, done: asyncio.Event, pause: float = 0.05) -> None:
        """Keeps changing zones until `done` is set (and the last attempt succeeded or was refused cleanly)."""
        while not done.is_set():
            await self.change(client)
            await asyncio.sleep(pause)


async def walk_all(walkers: Iterable[TimezoneWalker], client: httpx.AsyncClient, changes: int, pause: float = 0.0) -> None:
    await asyncio.gather(*(w.walk(client, changes, pause) for w in walkers))


async def eventually(probe: Any, until: Any, timeout: float = 30, every: float = 0.2) -> Any:
    """tests.support.waiting.eventually with the slower pace of process-level tests."""
    return await waiting.eventually(probe, until, timeout=timeout, every=every)


async def settled(probe: Probe, timeout: float = 45, queues: Iterable[str] | None = None) -> None:
    """Every outbox row sent and every (non-dead-letter) work queue empty with nothing unacked."""

    async def state() -> tuple[dict[str, int], dict[str, int]]:
        unsent = {k: v for k, v in (await probe.unsent_outbox()).items() if v}
        depths = await queue_depths_async()
        busy = {
            name: d.messages for name, d in depths.items()
            if d.messages and not name.endswith(".dead") and ".delay-" not in name and (queues is None or name in queues)
        }
        return unsent, busy

    await eventually(state, lambda s: not s[0] and not s[1], timeout=timeout, every=0.3)


async def tz_counts(probe: Probe, walkers: Iterable[TimezoneWalker]) -> list[tuple[int, int]]:
    """(committed by plans, applied by streaks) per patient."""
    return [
        (await probe.committed_timezone_changes(w.patient.patient_id), await probe.timezone_changes(w.patient.patient_id))
        for w in walkers
    ]


def log_events(text: str, event: str, **match: str) -> list[dict[str, Any]]:
    """JSON log lines of one event (the processes log JSON), optionally matching fields."""
    found = []
    for line in text.splitlines():
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("event") == event and all(str(record.get(k)) == v for k, v in match.items()):
            found.append(record)
    return found
