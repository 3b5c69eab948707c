"""Benchmark of patient progress and specialist analytics: a clinic of 2,000 patients with a year of
history, p50/p95/p99 through the gateway and straight over gRPC, next to a bare gateway baseline.

Run: source .run/stack.env && PYTHONPATH=.:protos .venv/bin/python bench/analytics_bench.py [--patients 2000]
Starts every service and the gateway as their own processes (as `make up` does) on a database and a
vhost of its own (MOMENTUM_BENCH_DB / MOMENTUM_BENCH_VHOST, default momentum_bench_analytics, rebuilt
by the migrations). The history is bulk-loaded with COPY as the schema owner: one clinic, 20 therapists,
a 52-week plan per patient at 2-5 sessions a week started a year ago, ~72 % of past sessions completed
(pain, minutes, four exercise logs each with video % and often a pose score), ~8 % skipped.
Then, at each concurrency level, one request per patient of each kind (after a warm-up pass):
  baseline GET /v2/user/me; progress as the patient (plans + streaks at once) and as the therapist
  (plans, then streaks); analytics; the clinic dashboard (admin, fewer requests); and the two plans
  RPCs called directly over gRPC, to separate the gateway's share from the service's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from contextlib import nullcontext
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import grpc
import httpx

from bench.results import CpuMeter, Measurement, Profiler, Run
from momentum.plans.v1 import analytics_pb2, analytics_pb2_grpc
from services.common.clock import SystemClock
from services.common.db import Database, create_engine
from services.common.identity import Identity
from services.common.service_auth import service_channel
from services.common.settings import Settings, load_settings
from services.gateway.auth import issue_local_token
from services.plans.domain.schedule import session_dates
from services.plans.people.handlers import PeopleHandlers
from services.plans.care.plan_handlers import PlanHandlers
from tests.support.fresh import fresh_storage, owner_dsn
from tests.support.processes import ProcessStack, stack_env

UTC = timezone.utc
ZONES = ("America/New_York", "Europe/Madrid", "Asia/Tokyo", "UTC", "America/Los_Angeles")
SEEDED = ("users", "treatment_plans", "plan_exercises", "workouts", "exercise_logs")
READ_MODELS = ("roster_figures", "plan_figures", "exercise_days")


def bench_env() -> dict[str, str]:
    name = os.environ.get("MOMENTUM_BENCH_DB", "momentum_bench_analytics")
    return stack_env(name, os.environ.get("MOMENTUM_BENCH_VHOST", name), MOMENTUM_LOG_LEVEL="WARNING")


class Clinic:
    def __init__(self) -> None:
        self.tenant = uuid.uuid4()
        self.admin = uuid.uuid4()
        self.therapists = [uuid.uuid4() for _ in range(20)]
        self.patients: list[uuid.UUID] = []
        self.plans: dict[uuid.UUID, uuid.UUID] = {}  # patient -> plan
        self.therapist_of: dict[uuid.UUID, uuid.UUID] = {}


async def seed(settings: Settings, patients: int) -> tuple[Clinic, dict[str, int]]:
    """The clinic and its people through the handlers; the year of history by COPY."""
    clinic = Clinic()
    database = Database(create_engine(settings.database.app_url("plans"), 2), "plans")
    people, plans = PeopleHandlers(database, SystemClock()), PlanHandlers(database, SystemClock())
    try:
        await people.create_tenant(clinic.tenant, "Bench clinic", "America/New_York", {"rtmBilling": True})
        await people.create_user(clinic.tenant, clinic.admin, "admin", "Admin")
        for n, therapist in enumerate(clinic.therapists):
            await people.create_user(clinic.tenant, therapist, "therapist", f"Therapist {n}")
        staff = Identity(clinic.tenant, clinic.therapists[0], "therapist", "bench")
        catalogue = [(await plans.create_exercise(staff, f"Exercise {n:02d}", "", 60, "")).exercise_id for n in range(30)]
    finally:
        await database.dispose()

    rng = random.Random(20261121)
    today = datetime.now(UTC).date()
    rows: dict[str, list[tuple]] = {table: [] for table in SEEDED}  # type: ignore[type-arg]
    for i in range(patients):
        patient, plan = uuid.uuid4(), uuid.uuid4()
        therapist = clinic.therapists[i % len(clinic.therapists)]
        zone = ZONES[i % len(ZONES)]
        clinic.patients.append(patient)
        clinic.plans[patient] = plan
        clinic.therapist_of[patient] = therapist
        rows["users"].append((patient, clinic.tenant, "patient", f"Patient {i:05d}", zone))
        start = today - timedelta(days=364 - i % 14)
        per_week = 2 + i % 4
        status = rng.choices(("active", "completed", "expired", "cancelled"), (90, 5, 3, 2))[0]
        rows["treatment_plans"].append((plan, clinic.tenant, patient, therapist, "Rehab year", start, 52, per_week, status))
        prescribed = rng.sample(catalogue, 4)
        for position, exercise in enumerate(prescribed, 1):
            rows["plan_exercises"].append((clinic.tenant, plan, position, exercise, 3, 10))
        _history(rng, rows, clinic.tenant, patient, plan, zone, start, per_week, prescribed, today)

    conn = await asyncpg.connect(owner_dsn(settings))
    counts = {table: len(records) for table, records in rows.items()}
    try:
        async with conn.transaction():
            # COPY FROM refuses tables under row-level security, which is forced even for the
            # owner: lift it for this transaction of the bench database only.
            for table in SEEDED + READ_MODELS:
                await conn.execute(f"ALTER TABLE plans.{table} NO FORCE ROW LEVEL SECURITY")
            # The read models' triggers would recompute a patient per loaded session: off for the load, then
            # one set-based rebuild (what migration 0011 does for an existing clinic).
            for table in SEEDED:
                await conn.execute(f"ALTER TABLE plans.{table} DISABLE TRIGGER USER")
            for table in SEEDED:
                await conn.copy_records_to_table(table, schema_name="plans", records=rows[table], columns=COLUMNS[table])
            for table in SEEDED:
                await conn.execute(f"ALTER TABLE plans.{table} ENABLE TRIGGER USER")
            await conn.execute("SELECT plans.rebuild_read_models()")
            for table in SEEDED + READ_MODELS:
                await conn.execute(f"ALTER TABLE plans.{table} FORCE ROW LEVEL SECURITY")
        # As autovacuum would after a bulk load: statistics, and a visibility map for index-only scans.
        await conn.execute("VACUUM ANALYZE " + ", ".join(f"plans.{table}" for table in SEEDED + READ_MODELS))
    finally:
        await conn.close()
    return clinic, counts


COLUMNS = {
    "users": ["user_id", "tenant_id", "role", "display_name", "timezone"],
    "treatment_plans": ["plan_id", "tenant_id", "patient_id", "therapist_id", "title", "start_date", "duration_weeks",
                        "frequency_per_week", "status"],
    "plan_exercises": ["tenant_id", "plan_id", "position", "exercise_id", "sets", "reps"],
    "workouts": ["workout_id", "tenant_id", "plan_id", "patient_id", "session_number", "scheduled_date", "status", "source",
                 "time_workout_start", "time_workout_end", "completed_at", "local_date", "timezone", "pain_before",
                 "pain_after", "perceived_difficulty", "duration_minutes", "exercises_completed", "exercises_total",
                 "skipped_at", "skip_reason"],
    "exercise_logs": ["tenant_id", "workout_id", "position", "exercise_id", "prescribed_sets", "prescribed_reps",
                      "actual_sets", "actual_reps", "skipped", "video_watch_percentage", "pose_accuracy_score"],
}


def _history(rng: random.Random, rows: dict, tenant: uuid.UUID, patient: uuid.UUID, plan: uuid.UUID, zone: str,  # type: ignore[type-arg]
             start: date, per_week: int, prescribed: list[uuid.UUID], today: date) -> None:
    tz = ZoneInfo(zone)
    baseline = rng.randint(5, 9)
    sessions = session_dates(start, 52, per_week)
    for session in sessions:
        workout = uuid.uuid4()
        past = session.scheduled_date < today
        roll = rng.random()
        status = "completed" if past and roll < 0.72 else "skipped" if past and roll < 0.80 else "scheduled"
        logs = []
        done = 0
        for position, exercise in enumerate(prescribed, 1):
            if status == "completed":
                skipped = rng.random() < 0.05
                done += not skipped
                logs.append((tenant, workout, position, exercise, 3, 10, 0 if skipped else 3, 0 if skipped else rng.randint(6, 10),
                             skipped, None if skipped else round(rng.uniform(50, 100), 1),
                             round(rng.uniform(60, 95), 1) if not skipped and rng.random() < 0.5 else None))
            else:
                logs.append((tenant, workout, position, exercise, 3, 10, None, None, False, None, None))
        rows["exercise_logs"].extend(logs)
        if status == "completed":
            progress = session.session_number / len(sessions)
            before = max(0, min(10, round(baseline - 4 * progress + rng.uniform(-1, 1))))
            after = max(0, before - rng.randint(0, 2))
            minutes = rng.randint(15, 45)
            ended = datetime.combine(session.scheduled_date, clock_time(18, rng.randint(0, 59)), tzinfo=tz).astimezone(UTC)
            rows["workouts"].append((workout, tenant, plan, patient, session.session_number, session.scheduled_date, status,
                                     "real", ended - timedelta(minutes=minutes), ended, ended, session.scheduled_date, zone,
                                     before, after, rng.randint(3, 7), minutes, done, len(prescribed), None, None))
        else:
            skipped_at = datetime.combine(session.scheduled_date, clock_time(20), tzinfo=tz).astimezone(UTC) if status == "skipped" else None
            rows["workouts"].append((workout, tenant, plan, patient, session.session_number, session.scheduled_date, status,
                                     "real", None, None, None, None, None, None, None, None, None, None, len(prescribed),
                                     skipped_at, "busy" if skipped_at else None))


async def load(base_url: str, requests: list[tuple[str, dict[str, str]]], concurrency: int) -> tuple[float, list[float], int]:
    """GETs with `concurrency` in flight: (seconds, latencies in ms, non-2xx count)."""
    queue: asyncio.Queue[tuple[str, dict[str, str]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                path, headers = queue.get_nowait()
                started = time.perf_counter()
                reply = await http.get(path, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                failures += reply.status_code >= 300

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, failures


async def load_grpc(target: str, calls: list[tuple[str, str, Identity]], concurrency: int) -> tuple[float, list[float], int]:
    """The same, straight to the plans service over gRPC with the caller's identity metadata."""
    queue: asyncio.Queue[tuple[str, str, Identity]] = asyncio.Queue()
    for item in calls:
        queue.put_nowait(item)
    latencies: list[float] = []
    failures = 0
    # Signed as the gateway would sign it: every gRPC port checks the caller (services.common.service_auth).
    async with service_channel(load_settings().auth.service_keys, "gateway", "plans", target) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                rpc, plan_id, who = queue.get_nowait()
                started = time.perf_counter()
                try:
                    if rpc == "progress":
                        await stub.GetPlanProgress(analytics_pb2.GetPlanProgressRequest(plan_id=plan_id),
                                                   metadata=who.to_metadata(), timeout=5)
                    else:
                        await stub.GetPlanAnalytics(analytics_pb2.GetPlanAnalyticsRequest(plan_id=plan_id),
                                                    metadata=who.to_metadata(), timeout=5)
                except grpc.aio.AioRpcError:
                    failures += 1
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, failures


def row(m: Measurement) -> str:
    cpu = (m.cpu_ms_per_op or {}).get("total", 0.0)
    return (f"{m.label:<46} {m.count:>6} {m.throughput_per_s:>8.0f} {m.p50_ms:>8.1f} "
            f"{m.p95_ms:>8.1f} {m.p99_ms:>8.1f} {cpu:>9.2f} {m.extra['non2xx']:>6}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--concurrency", default="1,4", help="requests in flight; a comma list runs each level")
    parser.add_argument("--dashboards", type=int, default=20)
    parser.add_argument("--requests", type=int, default=0, help="requests of each kind per level (default: one per patient)")
    args = parser.parse_args()
    run = Run("analytics", args)

    env = bench_env()
    settings = load_settings(env)
    print(f"database {settings.database.name}, vhost {settings.broker.vhost}: rebuilding from the migrations", file=sys.stderr)
    await fresh_storage(settings)
    started = time.perf_counter()
    clinic, counts = await seed(settings, args.patients)
    seeded_in = time.perf_counter() - started
    print(f"seeded in {seeded_in:.1f} s: {counts}", file=sys.stderr)
    processes = ProcessStack(env, Path(tempfile.mkdtemp(prefix="analytics-bench-")))
    base_url = f"http://127.0.0.1:{settings.gateway_port}"
    try:
        await processes.start_all()

        def bearer(user: uuid.UUID, role: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {issue_local_token(settings.auth, clinic.tenant, user, role)}"}

        as_patient = {p: bearer(p, "patient") for p in clinic.patients}
        as_therapist = {t: bearer(t, "therapist") for t in clinic.therapists}
        order = clinic.patients[:]
        random.Random(7).shuffle(order)
        order = order[:args.requests or None]

        def progress(p: uuid.UUID) -> str:
            return f"/v1/patient-treatment-plans/{clinic.plans[p]}/progress"

        def analytics(p: uuid.UUID) -> str:
            return f"/v1/patient-treatment-plans/{clinic.plans[p]}/analytics"

        # Warm-up: every streak row gets created (first read of a patient), caches and pools fill.
        await load(base_url, [(progress(p), as_patient[p]) for p in order], 4)
        await load(base_url, [(analytics(p), as_therapist[clinic.therapist_of[p]]) for p in order[:200]], 4)

        levels = [int(c) for c in args.concurrency.split(",")]
        print(f"\nanalytics benchmark: {args.patients} patients, {counts['workouts']} workouts, {counts['exercise_logs']} "
              f"exercise logs (a year of history); {os.cpu_count()} CPUs, whole stack on this machine; "
              f"seeding by COPY took {seeded_in:.1f} s; load average before: {os.getloadavg()[0]:.1f}")
        meter, profiler = CpuMeter(processes.pids()), Profiler("analytics", processes.pids())
        for concurrency in levels:
            results = []
            plan = [
                ("user_me", "baseline GET /v2/user/me (patient)", [("/v2/user/me", as_patient[p]) for p in order]),
                ("progress_patient", "GET …/progress (patient: plans ∥ streaks)", [(progress(p), as_patient[p]) for p in order]),
                ("progress_therapist", "GET …/progress (therapist: plans → streaks)",
                 [(progress(p), as_therapist[clinic.therapist_of[p]]) for p in order]),
                ("analytics", "GET …/analytics (therapist)", [(analytics(p), as_therapist[clinic.therapist_of[p]]) for p in order]),
                ("dashboard", "GET /v1/organizations/dashboard (admin)",
                 [("/v1/organizations/dashboard", bearer(clinic.admin, "admin"))] * args.dashboards),
            ]
            baseline = None
            for key, name, requests in plan:
                # The dashboard is profiled at the first level only: one profile per path is enough.
                profiling = profiler.window(f"dashboard-c{concurrency}") if key == "dashboard" and concurrency == levels[0] else nullcontext()
                with meter.window() as cpu, profiling:
                    seconds, latencies, failures = await load(base_url, requests, concurrency)
                m = run.add(f"{key}_c{concurrency}", Measurement.of(
                    name, len(latencies), seconds, latencies, cpu, baseline, extra={"non2xx": failures},
                    aim={"p95_ms": 50} if key == "dashboard" else {},
                ))
                baseline = baseline or m.throughput_per_s
                results.append(row(m))
            target = settings.grpc_target("plans")
            for rpc in ("progress", "analytics"):
                calls = [(rpc, str(clinic.plans[p]), Identity(clinic.tenant, clinic.therapist_of[p], "therapist", "bench"))
                         for p in order]
                with meter.window() as cpu:
                    seconds, latencies, failures = await load_grpc(target, calls, concurrency)
                m = run.add(f"grpc_{rpc}_c{concurrency}", Measurement.of(
                    f"gRPC plans.GetPlan{rpc.capitalize()} (no gateway)", len(latencies), seconds, latencies, cpu,
                    extra={"non2xx": failures},
                ))
                results.append(row(m))
            print(f"\nconcurrency {concurrency} (load average now {os.getloadavg()[0]:.1f})")
            print(f"{'what':<46} {'count':>6} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cpu ms/op':>9} {'non2xx':>6}")
            print("\n".join(results))
        print("cpu ms/op: CPU time of the service and gateway processes per request (Postgres not included)")
        run.write()
    finally:
        await processes.stop_all()


if __name__ == "__main__":
    asyncio.run(main())
