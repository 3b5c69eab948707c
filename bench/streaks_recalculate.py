"""Benchmark of `momentum streaks recalculate`: patients per second through Postgres, against the bare replay.

Run: source .run/stack.env && PYTHONPATH=.:protos .venv/bin/python bench/streaks_recalculate.py [--patients 2000]
Seeds its own database (MOMENTUM_BENCH_DB, default momentum_bench_streaks, rebuilt by the migrations):
N patients over a few clinics, each with a history of W workouts in its own zone, 10 % of the stored
streaks corrupted. Then times, on one core: the replay alone (baseline, no I/O), a dry run, an --apply
that fixes the corrupted 10 %, and an --apply rerun that finds nothing to do.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import asyncpg

from bench.results import Measurement, Run
from services.common.clock import SystemClock
from services.common.db import Database, create_engine
from services.common.settings import Settings, load_settings
from services.common.timezones import local_date
from services.streaks.domain.replay import WorkoutRecord, replay
from services.streaks.recalculate import recalculate
from tests.support.fresh import asyncpg_dsn, fresh_database, owner_dsn

UTC = timezone.utc
ZONES = ("America/New_York", "Europe/Madrid", "Asia/Kolkata", "Australia/Sydney", "America/Los_Angeles", "UTC")


def bench_settings() -> Settings:
    return load_settings({**os.environ, "MOMENTUM_DB_NAME": os.environ.get("MOMENTUM_BENCH_DB", "momentum_bench_streaks")})


def histories(patients: int, workouts: int, seed: int = 7) -> dict[uuid.UUID, tuple[str, list[WorkoutRecord]]]:
    """Per patient: a zone and `workouts` workouts, mostly 3-5 a week, ending about now."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    made = {}
    for _ in range(patients):
        zone = rng.choice(ZONES)
        at = now - timedelta(days=workouts * 7 / 4)
        records = []
        for _ in range(workouts):
            at += timedelta(hours=rng.choice((20, 24, 26, 30, 44, 48, 52, 70)))
            records.append(WorkoutRecord(min(at, now), rng.choice((10, 15, 20, 30, 45)), zone))
        made[uuid.UUID(int=rng.getrandbits(128))] = (zone, records)
    return made


async def seed(settings: Settings, made: dict[uuid.UUID, tuple[str, list[WorkoutRecord]]], tenants: int) -> list[uuid.UUID]:
    tenant_ids = [uuid.uuid4() for _ in range(tenants)]
    conn = await asyncpg.connect(asyncpg_dsn(settings, "momentum_streaks", settings.database.app_password))
    now = datetime.now(UTC)
    try:
        for index, tenant_id in enumerate(tenant_ids):
            mine = [(p, z, r) for n, (p, (z, r)) in enumerate(made.items()) if n % tenants == index]
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
                await conn.execute("INSERT INTO streaks.known_tenants (tenant_id) VALUES ($1)", tenant_id)
                columns: dict[str, list[Any]] = {k: [] for k in ("w", "p", "at", "min", "tz", "day")}
                for patient_id, zone, records in mine:
                    for record in records:
                        columns["w"].append(uuid.uuid4())
                        columns["p"].append(patient_id)
                        columns["at"].append(record.completed_at)
                        columns["min"].append(record.minutes)
                        columns["tz"].append(zone)
                        columns["day"].append(local_date(record.completed_at, zone))
                # COPY is refused on tables with row-level security; one INSERT over arrays is nearly as fast.
                await conn.execute(
                    "INSERT INTO streaks.completed_workouts (workout_id, tenant_id, patient_id, completed_at, minutes, "
                    "timezone, local_date, source, message_id) SELECT w, $1, p, at, m, tz, d, 'real', 'bench' FROM "
                    "unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::int[], $6::text[], $7::date[]) "
                    "AS t(w, p, at, m, tz, d)",
                    tenant_id, columns["w"], columns["p"], columns["at"], columns["min"], columns["tz"], columns["day"],
                )
                rows = []
                for n, (patient_id, zone, records) in enumerate(mine):
                    state = replay(records, now, zone)
                    daily = state.current_daily_streak + (7 if n % 10 == 0 else 0)  # 10 % corrupted
                    rows.append((
                        tenant_id, patient_id, daily, state.current_weekly_streak, state.last_workout_date,
                        state.weekly_minutes, sorted(state.weekly_workout_days), state.week_streak_active_since,
                        state.week_timezone, now,
                    ))
                await conn.executemany(
                    "INSERT INTO streaks.patient_streaks (tenant_id, patient_id, current_daily_streak, "
                    "current_weekly_streak, last_workout_date, weekly_minutes, weekly_workout_days, "
                    "week_streak_active_since, week_timezone, evaluated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    rows,
                )
    finally:
        await conn.close()
    # Fresh tables have no planner statistics yet; production tables do.
    owner = await asyncpg.connect(owner_dsn(settings))
    try:
        await owner.execute("ANALYZE streaks.completed_workouts, streaks.patient_streaks")
    finally:
        await owner.close()
    return tenant_ids


def bench_bare_replay(made: dict[uuid.UUID, tuple[str, list[WorkoutRecord]]]) -> float:
    now = datetime.now(UTC)
    started = time.perf_counter()
    for zone, records in made.values():
        replay(records, now, zone)
    return time.perf_counter() - started


async def timed_recalculate(settings: Settings, apply: bool, batch_size: int) -> tuple[float, float, dict[str, Any]]:
    """(wall seconds, CPU seconds of this process, the report): recalculate runs in this process."""
    database = Database(create_engine(settings.database.app_url("streaks"), 2), "streaks")
    try:
        started, cpu = time.perf_counter(), time.process_time()
        report = await recalculate(
            database, SystemClock(), apply=apply, restart=True, batch_size=batch_size
        )
        return time.perf_counter() - started, time.process_time() - cpu, report.as_json()
    finally:
        await database.dispose()


async def main(args: argparse.Namespace) -> None:
    settings = bench_settings()
    await fresh_database(settings, ("streaks",))
    made = histories(args.patients, args.workouts)
    t0 = time.perf_counter()
    await seed(settings, made, args.tenants)
    seeding = time.perf_counter() - t0
    total_workouts = args.patients * args.workouts

    bare = bench_bare_replay(made)
    rows = [("replay only (baseline, no I/O)", bare, bare, "-")]
    for label, apply in (("dry run", False), ("--apply (fixes 10 %)", True), ("--apply rerun (nothing to fix)", True)):
        seconds, cpu, report = await timed_recalculate(settings, apply, args.batch_size)
        rows.append((label, seconds, cpu, f"{report['patientsDiffering']} differ, {report['patientsWritten']} written"))

    print(
        f"\nstreaks recalculate: {args.patients:,} patients x {args.workouts} workouts ({total_workouts:,} rows), "
        f"{args.tenants} clinics, batches of {args.batch_size}; seeded in {seeding:.1f} s"
    )
    print(f"{'step':<34} {'seconds':>8} {'patients/s':>11} {'workouts/s':>11} {'100k patients':>14} {'cpu ms/pt':>9}  result")
    run = Run("streaks_recalculate", args)
    for key, (label, seconds, cpu, result) in zip(("replay_only", "dry_run", "apply", "apply_rerun"), rows):
        rate = args.patients / seconds
        cpu_ms = cpu * 1000 / args.patients
        print(
            f"{label:<34} {seconds:>8.2f} {rate:>11,.0f} {total_workouts / seconds:>11,.0f} "
            f"{100_000 / rate:>12,.0f} s {cpu_ms:>9.2f}  {result}"
        )
        # Postgres' share is not in cpu_ms: only this process (the replay and its driver) is measured.
        run.add(key, Measurement.of(
            label, args.patients, seconds, cpu=cpu_ms, baseline_per_s=args.patients / bare,
            extra={"result": result, "workouts_per_s": round(total_workouts / seconds),
                   "seconds_per_100k_patients": round(100_000 / rate, 1)},
        ))
    run.write()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--workouts", type=int, default=150, help="workouts per patient (150 = about a year)")
    parser.add_argument("--tenants", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=200)
    asyncio.run(main(parser.parse_args()))
