"""Benchmark of app entrances: dashboard logs per second and latency through the gateway at a fixed
concurrency, and finalizations per second with 3 finalizer workers, next to a bare gateway baseline.

Run: source .run/stack.env && PYTHONPATH=.:protos .venv/bin/python bench/entrances_bench.py [--patients 400]
Starts every service and the gateway as their own processes (as `make up` does) on a database and a
vhost of its own (MOMENTUM_BENCH_DB / MOMENTUM_BENCH_VHOST, default momentum_bench_entrances, rebuilt by
the migrations), seeds clinics with the flag on and patients with one earlier real workout, then:
  1. baseline: GET /metrics and GET /healthz at the same concurrency (the gateway doing almost nothing);
  2. POST /v2/app-entrances/log: every patient opens the app `--opens` times (one create, then extends);
  3. finalization: the entrances are made due and one job each is put on `entrances.finalize`, as the
     delay queue would deliver it; timed until every entrance is terminal (3 workers = prefetch 3).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aio_pika
import aiohttp
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text

from bench.results import CpuMeter, Measurement, Profiler, Run
from momentum.entrances.v1 import entrances_pb2
from services.common.clock import SystemClock
from services.common.db import Database, create_engine
from services.common.identity import Identity
from services.common.settings import Settings, load_settings
from services.entrances import repository
from services.gateway.auth import issue_local_token
from services.plans.domain.completion import Completion, ExerciseResult
from services.plans.people.handlers import PeopleHandlers
from services.plans.care.plan_handlers import PlanHandlers, Prescription
from services.plans.care.handlers import WorkoutHandlers
from tests.support.fresh import fresh_storage
from tests.support.processes import ProcessStack, stack_env

UTC = timezone.utc


def bench_env() -> dict[str, str]:
    name = os.environ.get("MOMENTUM_BENCH_DB", "momentum_bench_entrances")
    return stack_env(
        name, os.environ.get("MOMENTUM_BENCH_VHOST", name), MOMENTUM_LOG_LEVEL="WARNING",
        # The log phase must not race the finalization phase: deadlines far away, sweep idle.
        ENTRANCE_FINALIZE_DELAY="3600", ENTRANCE_SWEEP_INTERVAL="3600", ENTRANCE_FINALIZER_CONCURRENCY="3",
    )


async def seed(settings: Settings, clinics: int, patients: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(tenant, patient) pairs: flag on, a plan, one real workout completed three days ago."""
    clock = SystemClock()
    database = Database(create_engine(settings.database.app_url("plans"), 10), "plans")
    people, plans, workouts = PeopleHandlers(database, clock), PlanHandlers(database, clock), WorkoutHandlers(database, clock, settings.auth)
    pairs: list[tuple[uuid.UUID, uuid.UUID]] = []
    ended = datetime.combine(datetime.now(UTC).date() - timedelta(days=3), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    try:
        for _ in range(clinics):
            tenant = uuid.uuid4()
            await people.create_tenant(tenant, "Bench clinic", "Europe/Madrid", {"appEntranceTracking": True})
            therapist = uuid.uuid4()
            await people.create_user(tenant, therapist, "therapist", "Therapist")
            staff = Identity(tenant, therapist, "therapist", "bench")
            exercise = await plans.create_exercise(staff, "Sit-to-stand", "", 0, "")

            async def one_patient(index: int) -> tuple[uuid.UUID, uuid.UUID]:
                patient = uuid.uuid4()
                await people.create_user(tenant, patient, "patient", f"Patient {index}", "Europe/Madrid")
                await plans.create_plan(staff, patient, "Knee", ended.date() - timedelta(days=1), 2, 3,
                                        [Prescription(str(exercise.exercise_id), 3, 10)])
                who = Identity(tenant, patient, "patient", "bench")
                first = sorted((w for w in await workouts.my_workouts(who, False) if w.status == "scheduled"),
                               key=lambda w: w.session_number)[0]
                await workouts.complete(who, first.workout_id, Completion(
                    ended - timedelta(minutes=20), ended, 4, 3, 5,
                    (ExerciseResult(str(exercise.exercise_id), 3, 10, False, None),),
                ))
                return tenant, patient

            gate = asyncio.Semaphore(8)

            async def gated(index: int) -> tuple[uuid.UUID, uuid.UUID]:
                async with gate:
                    return await one_patient(index)

            pairs += await asyncio.gather(*(gated(i) for i in range(patients // clinics)))
    finally:
        await database.dispose()
    return pairs


async def load(base_url: str, requests: list[tuple[str, str, dict[str, str]]], concurrency: int) -> tuple[float, list[float], int]:
    """Runs the requests with `concurrency` in flight; (seconds, latencies in ms, non-2xx count).

    aiohttp (installed with aioboto3) rather than httpx: httpx spends ~3.5 ms of CPU per request,
    more than the gateway, and the generator shares the machine's two cores with the stack."""
    queue: asyncio.Queue[tuple[str, str, dict[str, str]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base_url=base_url, connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                method, path, headers = queue.get_nowait()
                started = time.perf_counter()
                async with http.request(method, path, headers=headers) as reply:
                    await reply.read()
                latencies.append((time.perf_counter() - started) * 1000)
                if reply.status >= 300:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, failures


def row(name: str, m: Measurement) -> str:
    lat = f"{m.p50_ms:8.1f} {m.p99_ms:8.1f}" if m.p50_ms is not None else f"{'-':>8} {'-':>8}"
    cpu = (m.cpu_ms_per_op or {}).get("total", 0.0)
    failures = m.extra.get("non2xx", 0)
    return f"{name:<44} {m.count:>7} {m.seconds:>8.2f} {m.throughput_per_s:>9.0f} {lat} {cpu:>9.2f} {failures:>6}"


async def finalize_all(settings: Settings, tenants: set[uuid.UUID]) -> tuple[float, dict[str, int]]:
    """Makes every PENDING entrance due, puts one job each on the work queue, waits for all terminal."""
    database = Database(create_engine(settings.database.app_url("entrances"), 4), "entrances")
    jobs = []
    try:
        for tenant in tenants:
            async with database.unit_of_work(tenant) as uow:
                moved = await uow.execute(text(
                    "UPDATE entrances.entrances SET finalize_after = now() - interval '1 second' "
                    "WHERE status = 'PENDING' RETURNING entrance_id, patient_id, finalize_after"
                ))
                jobs += [(tenant, r) for r in moved.all()]
                await uow.commit()
        connection = await aio_pika.connect(settings.broker.url)
        try:
            channel = await connection.channel()
            started = time.perf_counter()
            for tenant, r in jobs:
                due = Timestamp()
                due.FromDatetime(r.finalize_after)
                job = entrances_pb2.FinalizeEntranceJob(
                    entrance_id=str(r.entrance_id), patient_id=str(r.patient_id), finalize_after=due
                )
                message_id = f"bench:{r.entrance_id}"
                await channel.default_exchange.publish(
                    aio_pika.Message(job.SerializeToString(), message_id=message_id,
                                     headers={"tenant_id": str(tenant), "message_id": message_id}),
                    routing_key="entrances.finalize",
                )
            far = datetime.now(UTC) + timedelta(days=1)
            while True:
                async with database.unit_of_work(None) as uow:
                    if not await repository.due_entrances(uow, far, 1):
                        break
                await asyncio.sleep(0.05)
            seconds = time.perf_counter() - started
        finally:
            await connection.close()
        outcomes: dict[str, int] = {"entrances": len(jobs)}
        for tenant in tenants:
            async with database.unit_of_work(tenant) as uow:
                for status, n in (await uow.execute(text(
                    "SELECT status, count(*) FROM entrances.entrances GROUP BY status"
                ))).all():
                    outcomes[status] = outcomes.get(status, 0) + n
        return seconds, outcomes
    finally:
        await database.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinics", type=int, default=4)
    parser.add_argument("--patients", type=int, default=400)
    parser.add_argument("--opens", type=int, default=5, help="dashboard opens per patient")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    run = Run("entrances", args)

    env = bench_env()
    settings = load_settings(env)
    print(f"database {settings.database.name}, vhost {settings.broker.vhost}: rebuilding from the migrations", file=sys.stderr)
    await fresh_storage(settings)
    processes = ProcessStack(env, Path(tempfile.mkdtemp(prefix="entrances-bench-")))
    base_url = f"http://127.0.0.1:{settings.gateway_port}"
    try:
        await processes.start_all()
        pairs = await seed(settings, args.clinics, args.patients)
        print(f"seeded {len(pairs)} patients with one earlier real workout each", file=sys.stderr)
        token = {p: issue_local_token(settings.auth, t, p, "patient") for t, p in pairs}
        headers = {p: {"Authorization": f"Bearer {token[p]}"} for _, p in pairs}

        n = len(pairs) * args.opens
        meter, profiler = CpuMeter(processes.pids()), Profiler("entrances", processes.pids())
        await load(base_url, [("GET", "/metrics", {})] * 200, args.concurrency)  # warm-up
        for path in ("/metrics", "/healthz"):
            with meter.window() as cpu:
                seconds, lat, fail = await load(base_url, [("GET", path, {})] * n, args.concurrency)
            run.add(f"baseline_{path.strip('/')}", Measurement.of(f"baseline GET {path}", n, seconds, lat, cpu,
                                                                 extra={"non2xx": fail}))
        baseline = run.measurements["baseline_metrics"].throughput_per_s
        # Every patient's first open creates its entrance; the later ones extend it.
        logs = [("POST", "/v2/app-entrances/log", headers[p]) for _ in range(args.opens) for _, p in pairs]
        with meter.window() as cpu, profiler.window("log"):
            seconds, lat, fail = await load(base_url, logs, args.concurrency)
        run.add("entrance_log", Measurement.of(
            f"POST /v2/app-entrances/log ({args.opens} per patient)", n, seconds, lat, cpu, baseline,
            aim={"throughput_per_s": 600, "p99_ms": 100, "cpu_ms_per_op": 2}, extra={"non2xx": fail},
        ))

        with meter.window() as cpu, profiler.window("finalize"):
            fin_seconds, counts = await finalize_all(settings, {t for t, _ in pairs})
        finals = run.add("finalization", Measurement.of(
            "finalizations (3 workers, consumer → plans)", counts["entrances"], fin_seconds, None, cpu,
            aim={"throughput_per_s": 250, "cpu_ms_per_op": 4},
            extra={"states": {k: v for k, v in counts.items() if k != "entrances"}},
        ))

        print(f"\nentrances benchmark: {len(pairs)} patients in {args.clinics} clinics, concurrency {args.concurrency}, "
              f"{os.cpu_count()} CPUs, whole stack on this machine\n")
        print(f"{'what':<44} {'count':>7} {'seconds':>8} {'per s':>9} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms/op':>9} {'non2xx':>6}")
        print("\n".join(row(m.label, m) for m in run.measurements.values()))
        print(f"\nfinal entrance states: {finals.extra['states']}")
        print("cpu ms/op: CPU time of the service and gateway processes per operation (Postgres and RabbitMQ not"
              " included); it does not grow when other work shares the machine, unlike seconds and latency.")
        print(f"cpu ms per request of the load generator itself (aiohttp, same machine): "
              f"{[m.generator_cpu_ms_per_op for m in run.measurements.values() if m.extra.get('non2xx') is not None]}")
        print(f"cpu ms per log, by process: {run.measurements['entrance_log'].cpu_ms_per_op}")
        print(f"cpu ms per finalization, by process: {finals.cpu_ms_per_op}")
        print(f"load average at the end: {os.getloadavg()}")
        run.write()
    finally:
        await processes.stop_all()


if __name__ == "__main__":
    asyncio.run(main())
