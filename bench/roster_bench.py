"""Benchmark of the clinic roster, the patient summary and the billing CSV export: a clinic of 2,000 patients
with a year of history, p50/p95/p99 through the gateway, next to a bare gateway baseline in the same run.

Run: source .run/stack.env && PYTHONPATH=.:protos .venv/bin/python bench/roster_bench.py [--patients 2000]
Starts every service and the gateway as their own processes on a database and vhost of its own
(MOMENTUM_BENCH_DB / MOMENTUM_BENCH_VHOST, default momentum_bench_roster, rebuilt by the migrations). The
history is analytics_bench's (COPY as the schema owner: 20 therapists, a 52-week plan per patient at 2-5
sessions a week started a year ago, ~72 % of past sessions completed); on top, set-based inserts assign each
patient to their plan's therapist and give each one ready data-days record (2,000 records to export) with its
evidence as billing writes it (16-25 counted days, each naming the records that made it).
Measured, after a warm-up pass: baseline GET /v2/user/me; roster pages of 50 in name order (every page, by
its cursor), by adherence both ways, by last activity, a therapist's own, with and without alerts, and a name
search; the patient summary
for every patient; and the CSV export of all 2,000 records, each timed to its last byte.
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
from pathlib import Path

import asyncpg
import httpx

from bench.analytics_bench import load, seed
from bench.results import CpuMeter, Measurement, Run
from services.common.settings import load_settings
from services.gateway.auth import issue_local_token
from tests.support.fresh import fresh_storage, owner_dsn
from tests.support.processes import ProcessStack, stack_env

PAGE = 50
LIFTED = ("treatment_plans", "therapist_patients", "billing_records")


def row(m: Measurement) -> str:
    """One line of the table: latency, and CPU ms per request in total and in the two processes that serve it."""
    cpu = m.cpu_ms_per_op or {}
    return (f"{m.label:<52} {m.count:>6} {m.throughput_per_s:>7.0f} {m.p50_ms:>8.1f} {m.p95_ms:>8.1f} {m.p99_ms:>8.1f} "
            f"{cpu.get('total', 0.0):>7.2f} {cpu.get('plans', 0.0):>7.2f} {cpu.get('gateway', 0.0):>7.2f} {m.extra['non2xx']:>6}")


def bench_env() -> dict[str, str]:
    name = os.environ.get("MOMENTUM_BENCH_DB", "momentum_bench_roster")
    return stack_env(name, os.environ.get("MOMENTUM_BENCH_VHOST", name), MOMENTUM_LOG_LEVEL="WARNING")


async def seed_roster_extras(dsn: str) -> int:
    """Assignments and one ready RTM record per patient, set-based (RLS lifted for this bench database only)."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            # Forced RLS binds the owner too: the tables read from need it lifted as much as those written.
            for table in LIFTED:
                await conn.execute(f"ALTER TABLE plans.{table} NO FORCE ROW LEVEL SECURITY")
            await conn.execute(
                "INSERT INTO plans.therapist_patients (tenant_id, therapist_id, patient_id) "
                "SELECT DISTINCT tenant_id, therapist_id, patient_id FROM plans.treatment_plans ON CONFLICT DO NOTHING"
            )
            inserted = await conn.execute(
                """
                INSERT INTO plans.billing_records (record_id, tenant_id, patient_id, track, period_start, period_end, codes,
                    status, quantity, evidence)
                SELECT gen_random_uuid(), p.tenant_id, p.patient_id, 'data_days', p.start_date, p.start_date + 29,
                    '[{"code": "98975", "units": 1}, {"code": "98977", "units": 1}]'::jsonb, 'ready', p.days,
                    -- Evidence as the billing path writes it: each counted day with the records (two here) that made it.
                    (SELECT jsonb_agg(jsonb_build_object('date', (p.start_date + d)::text, 'recordIds',
                        jsonb_build_array(gen_random_uuid()::text, gen_random_uuid()::text)) ORDER BY d)
                     FROM generate_series(0, p.days - 1) d)
                FROM (SELECT tp.*, 16 + (random() * 10)::int AS days FROM plans.treatment_plans tp) p
                """
            )
            if inserted.split()[-1] == "0":
                raise RuntimeError("no billing record was seeded: the export would measure nothing")
            for table in LIFTED:
                await conn.execute(f"ALTER TABLE plans.{table} FORCE ROW LEVEL SECURITY")
        await conn.execute("VACUUM ANALYZE plans.therapist_patients, plans.billing_records")
    finally:
        await conn.close()
    return int(inserted.split()[-1])


async def timed_get(http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    reply = await http.get(path, headers=headers)
    body = reply.content  # read to the last byte: the export streams
    return (time.perf_counter() - started) * 1000, reply.status_code, body


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--summaries", type=int, default=0, help="summaries to request (default: one per patient)")
    parser.add_argument("--exports", type=int, default=10)
    parser.add_argument("--pages", type=int, default=30, help="requests of each filtered or sorted roster page")
    args = parser.parse_args()
    run = Run("roster_bench", args)

    env = bench_env()
    settings = load_settings(env)
    print(f"database {settings.database.name}, vhost {settings.broker.vhost}: rebuilding from the migrations", file=sys.stderr)
    await fresh_storage(settings)
    started = time.perf_counter()
    clinic, counts = await seed(settings, args.patients)
    counts["billing_records"] = await seed_roster_extras(owner_dsn(settings))
    seeded_in = time.perf_counter() - started
    print(f"seeded in {seeded_in:.1f} s: {counts}", file=sys.stderr)
    processes = ProcessStack(env, Path(tempfile.mkdtemp(prefix="roster-bench-")))
    base_url = f"http://127.0.0.1:{settings.gateway_port}"
    try:
        await processes.start_all()

        def bearer(user: uuid.UUID, role: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {issue_local_token(settings.auth, clinic.tenant, user, role)}"}

        admin = bearer(clinic.admin, "admin")
        therapist = bearer(clinic.therapists[0], "therapist")
        patient = bearer(clinic.patients[0], "patient")
        order = clinic.patients[:]
        random.Random(7).shuffle(order)
        summaries = order[: args.summaries or None]

        # Every cursor of the name order, found by walking the roster once (this is also the warm-up).
        cursors: list[str | None] = [None]
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            while True:
                query = f"/v1/patients?limit={PAGE}" + (f"&cursor={cursors[-1]}" if cursors[-1] else "")
                page = (await http.get(query, headers=admin)).json()
                if page["nextCursor"] is None:
                    break
                cursors.append(page["nextCursor"])
        walked = len(cursors)
        await load(base_url, [(f"/v1/patients/{p}/summary", admin) for p in order[:200]], 2)

        def pages(query: str, times: int, headers: dict[str, str] = admin) -> list[tuple[str, dict[str, str]]]:
            return [(f"/v1/patients?limit={PAGE}{query}", headers)] * times

        print(f"\nroster benchmark: {args.patients} patients, {counts['workouts']} workouts, {counts['billing_records']} "
              f"billing records; {os.cpu_count()} CPUs, whole stack on this machine; seeding took {seeded_in:.1f} s; "
              f"load average before: {os.getloadavg()[0]:.1f}")
        meter = CpuMeter(processes.pids())
        plan = [
            ("user_me", "baseline GET /v2/user/me (patient)", [("/v2/user/me", patient)] * 400, {}),
            ("roster_name", f"GET /v1/patients, {walked} pages of {PAGE} by name",
             [(f"/v1/patients?limit={PAGE}" + (f"&cursor={c}" if c else ""), admin) for c in cursors] * 3,
             {"p95_ms": 100}),
            ("roster_adherence", "GET /v1/patients?sort=-adherence (first page)", pages("&sort=-adherence", args.pages), {"p95_ms": 100}),
            ("roster_adherence_up", "GET /v1/patients?sort=adherence (first page)", pages("&sort=adherence", args.pages),
             {"p95_ms": 100}),
            ("roster_activity", "GET /v1/patients?sort=-lastActivity (first page)", pages("&sort=-lastActivity", args.pages),
             {"p95_ms": 100}),
            ("roster_mine", "GET /v1/patients?assignedToMe=true (therapist)", pages("&assignedToMe=true", args.pages, therapist),
             {"p95_ms": 100}),
            ("roster_alerts", "GET /v1/patients?hasAlerts=true", pages("&hasAlerts=true", args.pages), {"p95_ms": 100}),
            ("roster_calm", "GET /v1/patients?hasAlerts=false", pages("&hasAlerts=false", args.pages), {"p95_ms": 100}),
            ("roster_search", "GET /v1/patients?search=0042", pages("&search=0042", args.pages), {"p95_ms": 100}),
            ("summary", "GET /v1/patients/{id}/summary", [(f"/v1/patients/{p}/summary", admin) for p in summaries],
             {"p95_ms": 50}),
        ]
        results, baseline = [], None
        for key, name, requests, aim in plan:
            with meter.window() as cpu:
                seconds, latencies, failures = await load(base_url, requests, 1)
            m = run.add(key, Measurement.of(name, len(latencies), seconds, latencies, cpu, baseline,
                                            extra={"non2xx": failures}, aim=aim))
            baseline = baseline or m.throughput_per_s
            results.append(row(m))

        latencies, failures, rows_exported = [], 0, 0
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            with meter.window() as cpu:
                started = time.perf_counter()
                for _ in range(args.exports):
                    ms, status, body = await timed_get(http, "/v1/billing/records.csv", admin)
                    latencies.append(ms)
                    failures += status != 200
                    rows_exported = body.count(b"\n") - 1
                seconds = time.perf_counter() - started
        m = run.add("csv_export", Measurement.of(
            f"GET /v1/billing/records.csv ({rows_exported} rows, to last byte)", len(latencies), seconds, latencies, cpu,
            extra={"non2xx": failures, "rows": rows_exported}, aim={"p95_ms": 1000},
        ))
        results.append(row(m))
        print(f"\nconcurrency 1 (load average now {os.getloadavg()[0]:.1f})")
        print(f"{'what':<52} {'count':>6} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cpu ms':>7} "
              f"{'plans':>7} {'gateway':>7} {'non2xx':>6}")
        print("\n".join(results))
        print("cpu ms: CPU time per request of every service and gateway process, then plans' and the gateway's share "
              "(Postgres not included)")
        run.write()
    finally:
        await processes.stop_all()


if __name__ == "__main__":
    asyncio.run(main())
