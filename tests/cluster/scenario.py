"""`make cluster-test`'s run on the simulated hosts of infra/cluster.sh: throughput of one application host
against two, then a steady load of completions, entrance logs with short windows, XP awards and pose sessions
while one RabbitMQ node is killed (-9 on its beam) and every process of one application host is killed, both
brought back; then every acknowledged effect is checked to be applied exactly once, nothing lost or parked.
Prints a table and writes bench/results/cluster.json; exits 1 when a check fails."""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import httpx

from bench.results import Measurement, Run
from services.common.settings import load_settings
from services.gateway.routes.telemetry import TelemetryRing
from services.telemetry.domain.pose_profile import SQUAT_LEFT
from tests.cluster.checks import TERMINAL, check_effects
from tests.cluster.hosts import APP_HOSTS, Databases, host_cpu, queues, script, until
from tests.support.population import Population, SeededPatient, completion_body, session_batches

GATEWAY = os.environ.get("MOMENTUM_CLUSTER_GATEWAY", "http://10.77.0.40:8080")
THROUGHPUT_SECONDS = float(os.environ.get("MOMENTUM_CLUSTER_THROUGHPUT_SECONDS", "10"))
WORKERS = 16


@dataclass
class Ledger:
    """What the load was told was done (2xx), and when requests failed (for the recovery windows)."""

    completed: list[str] = field(default_factory=list)
    awards: dict[str, int] = field(default_factory=dict)  # idempotency key -> amount, acknowledged
    awards_tried: set[str] = field(default_factory=set)
    opened: list[uuid.UUID] = field(default_factory=list)
    failures: list[tuple[float, str, int]] = field(default_factory=list)  # (monotonic, route, status)
    requests: int = 0

    def failed(self, route: str, status: int) -> None:
        self.failures.append((time.monotonic(), route, status))


def settings_for_driver():  # type: ignore[no-untyped-def]
    """The services' own settings, but straight to the Postgres servers (the driver seeds through plans' handlers)."""
    env = dict(os.environ, MOMENTUM_DB_PORT="5432", MOMENTUM_DB_TELEMETRY_PORT="5433", MOMENTUM_DB_TRANSACTION_POOLER="false")
    return load_settings(env)


async def ready(http: httpx.AsyncClient, timeout: float = 90) -> float:
    async def probe() -> int:
        try:
            return (await http.get(f"{GATEWAY}/readyz", timeout=3)).status_code
        except httpx.HTTPError:
            return 0

    status, took = await until(probe, lambda s: s == 200, timeout)
    if status != 200:
        raise RuntimeError(f"the gateway is not ready after {timeout} s")
    return took


async def post(http: httpx.AsyncClient, ledger: Ledger, route: str, url: str, **kwargs: Any) -> httpx.Response | None:
    ledger.requests += 1
    try:
        response = await http.post(url, timeout=10, **kwargs)
    except httpx.HTTPError:
        ledger.failed(route, 0)
        return None
    if response.status_code >= 300:
        ledger.failed(route, response.status_code)
    return response


# --------------------------------------------------------------------------- throughput: one host, then two
async def closed_loop(http: httpx.AsyncClient, patients: list[SeededPatient], seconds: float) -> tuple[int, list[float]]:
    """WORKERS loops of XP award + streak read for `seconds`; returns answered operations and latencies."""
    done = 0
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def worker(index: int) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            patient = patients[(index + done) % len(patients)]
            started = time.perf_counter()
            award = await http.post(f"{GATEWAY}/api/xp/award", headers=patient.clinic.as_therapist(), json={
                "patientId": str(patient.patient_id), "amount": 1, "reason": "throughput", "idempotencyKey": uuid.uuid4().hex,
            }, timeout=10)
            streak = await http.get(f"{GATEWAY}/v2/streaks", headers=patient.headers(), timeout=10)
            if award.status_code < 300 and streak.status_code < 300:
                done += 1
                latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(worker(i) for i in range(WORKERS)))
    return done, latencies


async def measure_throughput(http: httpx.AsyncClient, patients: list[SeededPatient], hosts: tuple[str, ...]) -> Measurement:
    await closed_loop(http, patients, 3)  # warm: pools, channels, caches
    before = host_cpu((*hosts, "edge", "pg"))
    started = time.monotonic()
    count, latencies = await closed_loop(http, patients, THROUGHPUT_SECONDS)
    seconds = time.monotonic() - started
    after = host_cpu((*hosts, "edge", "pg"))
    cpu = {host: round((after[host] - before[host]) * 1000 / max(count, 1), 3) for host in before}
    cpu["total"] = round(sum(cpu.values()), 3)
    return Measurement.of(f"{len(hosts)} application host(s)", count, seconds, latencies, extra={"cpu_ms_per_op_by_host": cpu})


# --------------------------------------------------------------------------- steady load under faults
class SteadyLoad:
    def __init__(self, http: httpx.AsyncClient, exercisers: list[SeededPatient], openers: list[SeededPatient]) -> None:
        self.http, self.exercisers, self.openers = http, exercisers, openers
        self.ledger = Ledger()
        self.stopping = asyncio.Event()

    async def run(self) -> None:
        await asyncio.gather(
            *(self._exercise(p) for p in self.exercisers), self._awards(), self._open_apps(),
        )

    async def _exercise(self, patient: SeededPatient) -> None:
        await asyncio.sleep(random.random() * 3)
        while not self.stopping.is_set():
            chosen = patient.next_workout()
            if chosen is None:
                return
            workout_id, exercise_ids = chosen
            body = completion_body(exercise_ids)
            # The app retries the same completion until it is acknowledged (a repeat is no second event).
            while not self.stopping.is_set():
                response = await post(self.http, self.ledger, "complete", f"{GATEWAY}/v2/workouts/{workout_id}/complete",
                                      json=body, headers=patient.headers())
                if response is not None and response.status_code == 200:
                    self.ledger.completed.append(workout_id)
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(2.5 + random.random())

    async def _awards(self) -> None:
        while not self.stopping.is_set():
            patient = random.choice(self.exercisers)
            key, amount = uuid.uuid4().hex, random.randint(1, 5)
            self.ledger.awards_tried.add(key)
            response = await post(self.http, self.ledger, "award", f"{GATEWAY}/api/xp/award", headers=patient.clinic.as_therapist(),
                                  json={"patientId": str(patient.patient_id), "amount": amount, "reason": "cluster",
                                        "idempotencyKey": key})
            if response is not None and response.status_code in (200, 201):
                # The ledger namespaces a client's key by the awarding therapist.
                self.ledger.awards[f"manual:{patient.clinic.therapist_id}:{key}"] = amount
            await asyncio.sleep(0.15)

    async def _open_apps(self) -> None:
        pending = list(self.openers)
        random.shuffle(pending)
        while pending and not self.stopping.is_set():
            patient = pending.pop()
            for _ in range(20):
                response = await post(self.http, self.ledger, "entrance", f"{GATEWAY}/v2/app-entrances/log",
                                      headers=patient.headers(), json={})
                if response is not None and response.status_code == 202:
                    self.ledger.opened.append(patient.patient_id)
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(1.2)


@dataclass
class PoseSession:
    session_id: str
    token: dict[str, str]
    patient: SeededPatient


async def start_sessions(http: httpx.AsyncClient, patients: list[SeededPatient]) -> list[PoseSession]:
    sessions = []
    for patient in patients:
        workout_id, exercise_ids = patient.open_workouts[0]
        grant = await http.post(f"{GATEWAY}/v1/workouts/{workout_id}/sessions/start", json={"exerciseId": exercise_ids[0]},
                                headers=patient.headers(), timeout=10)
        if grant.status_code != 201:
            raise RuntimeError(f"sessions/start answered {grant.status_code}: {grant.text}")
        sessions.append(PoseSession(grant.json()["sessionId"], {"Authorization": f"Bearer {grant.json()['token']}"}, patient))
    return sessions


async def stream(http: httpx.AsyncClient, sessions: list[PoseSession], batches: list[bytes], stop: asyncio.Event) -> dict[str, int]:
    """A batch a second for every session until `stop`; returns the batches each session had accepted."""
    accepted = {s.session_id: 0 for s in sessions}
    second = 0
    while not stop.is_set():
        replies = await asyncio.gather(*(
            http.post(f"{GATEWAY}/v1/pose/frames", content=batches[second % len(batches)], timeout=10,
                      headers={**s.token, "Content-Type": "application/octet-stream"})
            for s in sessions
        ), return_exceptions=True)
        for s, reply in zip(sessions, replies):
            if isinstance(reply, httpx.Response) and reply.status_code == 200:
                accepted[s.session_id] += 1
        second += 1
        await asyncio.sleep(1)
    return accepted


def error_window(ledger: Ledger, since: float, until_: float) -> tuple[float, int]:
    """Seconds from `since` to the last failed request before `until_`, and how many failed in between."""
    failed = [at for at, _, _ in ledger.failures if since <= at < until_]
    return (round(max(failed) - since, 2) if failed else 0.0), len(failed)


async def first_effect_after(db: Databases, ledger: Ledger, since: float, fault_at: float, timeout: float = 60) -> float | None:
    """Seconds from the fault until a completion acknowledged after it has reached streaks through the broker."""
    async def probe() -> float | None:
        later = [w for w in ledger.completed[len_at(ledger, since):]]
        if not later:
            return None
        applied = await db.scalar(
            "SELECT count(*) FROM streaks.completed_workouts WHERE workout_id::text = ANY($1::text[])", later
        )
        return time.monotonic() - fault_at if applied else None

    value, _ = await until(probe, lambda v: v is not None, timeout, every=0.2)
    return None if value is None else round(value, 2)


_completed_marks: dict[float, int] = {}


def len_at(ledger: Ledger, mark: float) -> int:
    return _completed_marks.get(mark, 0)


def mark(ledger: Ledger) -> float:
    now = time.monotonic()
    _completed_marks[now] = len(ledger.completed)
    return now


# --------------------------------------------------------------------------- the run
async def main() -> int:
    run = Run("cluster", {"throughput_seconds": THROUGHPUT_SECONDS, "workers": WORKERS})
    settings = settings_for_driver()
    population = Population(settings)
    db = await Databases.connect()
    figures: dict[str, Any] = {}
    async with httpx.AsyncClient() as http:
        await script("start-app", "app1")
        await script("start-edge")
        await ready(http)
        readers = await population.clinic(16, plan_weeks=1)
        exercisers = await population.clinic(10, plan_weeks=6)
        openers = await population.clinic(24, flags={"appEntranceTracking": True}, plan_weeks=2, earlier_workout_days_ago=3)
        posers = await population.clinic(16, plan_weeks=2, pose_profile_json=json.dumps(SQUAT_LEFT.to_dict()),
                                         consents=("analytics", "biometric"))

        one = run.add("one_app_host", await measure_throughput(http, readers, ("app1",)))
        started = time.monotonic()
        await script("start-app", "app2")
        await ready(http)
        figures["app_host_start_s"] = round(time.monotonic() - started, 2)
        await asyncio.sleep(3)  # round_robin and the telemetry ring see the new instances
        two = run.add("two_app_hosts", await measure_throughput(http, readers, APP_HOSTS))
        two.baseline_per_s, two.ratio = one.throughput_per_s, round((two.throughput_per_s or 0) / (one.throughput_per_s or 1), 3)

        # Steady load, then the faults one after the other.
        load = SteadyLoad(http, exercisers, openers)
        started_wall = time.time()
        load_task = asyncio.create_task(load.run())
        await asyncio.sleep(8)

        rabbit_mark = mark(load.ledger)
        await script("kill-rabbit", "2")
        rabbit_effect = await first_effect_after(db, load.ledger, rabbit_mark, rabbit_mark)
        await asyncio.sleep(max(0, 10 - (time.monotonic() - rabbit_mark)))
        rabbit_back = time.monotonic()
        figures["rabbit_kill_error_window_s"], figures["rabbit_kill_failed_requests"] = error_window(
            load.ledger, rabbit_mark, rabbit_back)
        figures["rabbit_kill_first_effect_through_broker_s"] = rabbit_effect
        # The node boots (slowly on a busy machine) while the application host fault goes on.
        rejoin = asyncio.create_task(script("start-rabbit", "2", timeout=300))

        await asyncio.sleep(2)
        sessions = await start_sessions(http, posers)
        stop_stream = asyncio.Event()
        stream_task = asyncio.create_task(stream(http, sessions, session_batches(30), stop_stream))
        await asyncio.sleep(5)
        # The gateway's own choice (highest random weight over the ring), so no lease table timing matters.
        ring = SimpleNamespace(targets=load_settings().telemetry_targets)
        doomed = [s.session_id for s in sessions if TelemetryRing.target_for(ring, s.session_id).startswith("10.77.0.32:")]  # type: ignore[arg-type]

        host_mark = mark(load.ledger)
        await script("kill-host", "app2")
        host_effect = await first_effect_after(db, load.ledger, host_mark, host_mark)

        async def doomed_finalized() -> int:
            return int(await db.scalar("SELECT count(*) FROM telemetry.exercise_sessions WHERE session_id = ANY($1::text[]) "
                                       "AND status = 'finalized'", doomed))

        _, took = await until(doomed_finalized, lambda n: n == len(doomed), 60)
        figures["host_kill_sessions_recovered_s"] = round(took, 2)
        stop_stream.set()
        accepted = await stream_task
        for s in sessions:
            if s.session_id not in doomed:
                ended = await http.post(f"{GATEWAY}/v1/sessions/{s.session_id}/end", headers=s.token, timeout=10)
                if ended.status_code != 200:
                    print(f"ending {s.session_id} answered {ended.status_code}: {ended.text}", flush=True)
        back, app2_restarted_wall = time.monotonic(), time.time()
        await script("start-app", "app2")
        await ready(http)
        app2_back_at = time.monotonic()
        figures["app_host_restart_s"] = round(app2_back_at - back, 2)
        figures["host_kill_error_window_s"], figures["host_kill_failed_requests"] = error_window(load.ledger, host_mark, back)
        figures["host_kill_first_effect_through_broker_s"] = host_effect

        await rejoin
        figures["rabbit_node_rejoin_s"] = round(time.monotonic() - rabbit_back, 2)
        await asyncio.sleep(6)
        load.stopping.set()
        await load_task
        figures["requests"], figures["failed_requests"] = load.ledger.requests, len(load.ledger.failures)
        figures["failed_by_route"] = {
            route: sum(1 for _, r, _ in load.ledger.failures if r == route) for route in ("complete", "award", "entrance")
        }
        figures["pose_batches_accepted"] = sum(accepted.values())

        # Settle: entrances terminal, sessions finalized, queues and outboxes empty.
        async def settled() -> bool:
            statuses = await db.rows("SELECT status FROM entrances.entrances WHERE patient_id = ANY($1::uuid[])", load.ledger.opened)
            open_sessions = await db.scalar("SELECT count(*) FROM telemetry.exercise_sessions WHERE session_id = ANY($1::text[]) "
                                            "AND status <> 'finalized'", [s.session_id for s in sessions])
            busy = [q for q in await queues() if q["messages"] and not q["name"].endswith(".dead")]
            return all(r["status"] in TERMINAL for r in statuses) and not open_sessions and not busy

        _, figures["settle_s"] = await until(settled, bool, 90, every=1)
        figures["settle_s"] = round(figures["settle_s"], 2)
        result = await check_effects(http, db, load, sessions, doomed, app2_restarted_wall)
    await population.close()
    await db.close()

    run.add("steady_load_under_faults", Measurement.of(
        "steady load, one RabbitMQ node and one application host killed", load.ledger.requests,
        time.time() - started_wall, extra={**figures, **{k: v for k, v in result.items() if k != "problems"}},
    ))
    print_table(one, two, figures, result)
    run.write()
    if result["problems"]:
        print("FAILED:\n  " + "\n  ".join(result["problems"]), flush=True)
        return 1
    print("cluster test passed: every acknowledged effect applied exactly once, nothing lost or parked", flush=True)
    return 0


def print_table(one: Measurement, two: Measurement, figures: dict[str, Any], result: dict[str, Any]) -> None:
    load = os.getloadavg()
    print(f"\n== cluster test (load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; 2 cores shared by every host)")
    print(f"{'':34}{'ops/s':>10}{'p50 ms':>10}{'p95 ms':>10}   CPU ms/op by host")
    for m in (one, two):
        print(f"{m.label:34}{m.throughput_per_s or 0:>10.1f}{m.p50_ms or 0:>10.1f}{m.p95_ms or 0:>10.1f}   "
              f"{m.extra.get('cpu_ms_per_op_by_host')}")
    print(f"two hosts / one: {two.ratio}")
    for key, value in {**figures, **{k: v for k, v in result.items() if k != 'problems'}}.items():
        print(f"  {key:44} {value}")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
