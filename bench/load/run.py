"""The load and soak run: a stack (started here as real processes, or the one `make up` runs), a
population of patients, N simulated patients on the gateway for --duration seconds, then a table of
held throughput, latency per route, error rate, queue depths and memory over time."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path
from typing import Any, Callable, Mapping

import httpx

from bench.load.metrics import Recorder, Sampler
from bench.results import CpuMeter, CpuWindow, Measurement, Run
from bench.load.patients import Pace, VirtualPatient
from bench.load.report import print_report
from services.common.settings import Settings, load_settings
from services.telemetry.domain.pose_profile import SQUAT_LEFT
from tests.support.broker_probe import queue_depths, repair_dead_letter_supervisor
from tests.support.population import Population, SeededPatient, session_batches
from tests.support.fresh import fresh_storage
from tests.support.processes import PROCESS_DB, PROCESS_VHOST, ProcessStack, rss_kib
from tests.support.stack import services_with_bootstrap

ROOT = Path(__file__).resolve().parents[2]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--duration", type=float, default=30, help="seconds of load: 30 for a quick check, 600 for the soak")
    parser.add_argument("--patients", type=int, default=120, help="simulated patients")
    parser.add_argument("--in-session", type=float, default=0.25, help="share of patients streaming an exercise session")
    parser.add_argument("--clinics", type=int, default=4)
    parser.add_argument("--streak-every", type=float, default=10.0)
    parser.add_argument("--complete-every", type=float, default=30.0)
    parser.add_argument("--open-every", type=float, default=60.0)
    parser.add_argument("--base-url", help="drive this gateway (e.g. `make up`'s http://127.0.0.1:8080) instead of starting processes")
    parser.add_argument("--sample-every", type=float, default=5.0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


async def start_stack(**overrides: str) -> tuple[ProcessStack, Settings]:
    """Fresh schemas and vhost for this run, every service with a bootstrap, and the gateway. `overrides`
    (environment variables of every process) win over the run's short entrance window."""
    stack = ProcessStack.create(
        **{"ENTRANCE_FINALIZE_DELAY": "20", "ENTRANCE_SWEEP_INTERVAL": "5", "ENTRANCE_SWEEP_GRACE": "10", **overrides},
    )
    settings = stack.settings
    await fresh_storage(settings)
    await asyncio.to_thread(repair_dead_letter_supervisor)
    await stack.start_all(services_with_bootstrap())
    return stack, settings


def external_rss() -> Callable[[], Mapping[str, int | None]]:
    """RSS of the processes `make up` started (pids under .run/pids)."""
    pids = ROOT / ".run" / "pids"

    def read() -> dict[str, int | None]:
        found: dict[str, int | None] = {}
        for pid_file in sorted(pids.glob("*")) if pids.is_dir() else []:
            try:
                found[pid_file.name] = rss_kib(int(pid_file.read_text().strip()))
            except ValueError:
                continue
        return found

    return read


async def seed(settings: Settings, patients: int, clinics: int, weeks: int) -> list[SeededPatient]:
    population = Population(settings)
    try:
        per_clinic = max(1, patients // clinics)
        seeded: list[SeededPatient] = []
        profile = json.dumps(SQUAT_LEFT.to_dict())
        while len(seeded) < patients:
            seeded += await population.clinic(
                min(per_clinic, patients - len(seeded)), flags={"appEntranceTracking": True, "rtmBilling": True},
                plan_weeks=weeks, per_week=14, earlier_workout_days_ago=3, pose_profile_json=profile,
                consents=("analytics", "biometric"),
            )
        return seeded
    finally:
        await population.close()


async def drive(args: argparse.Namespace) -> dict[str, Any]:
    stack: ProcessStack | None = None
    if args.base_url:
        settings, base_url, vhost, rss = load_settings(), args.base_url.rstrip("/"), load_settings().broker.vhost, external_rss()
    else:
        print(f"starting services as processes (database {PROCESS_DB}, vhost {PROCESS_VHOST}) ...", flush=True)
        stack, settings = await start_stack()
        base_url, vhost, rss = stack.base_url, PROCESS_VHOST, stack.memory
    try:
        pace = Pace(open_every=args.open_every, streak_every=args.streak_every, complete_every=args.complete_every)
        # Enough sessions for every completion the run can ask for, plus the exercise session's workout.
        weeks = min(104, max(2, int(args.duration / args.complete_every / 14) + 2))
        seeding = time.monotonic()
        population = await seed(settings, args.patients, args.clinics, weeks)
        print(f"seeded {len(population)} patients in {args.clinics} clinics ({time.monotonic() - seeding:.0f}s)", flush=True)
        figures, recorder, cpu = await run_load(args, base_url, vhost, rss, population, pace, stack)
        write_results(args, recorder, figures, cpu)
        return figures
    finally:
        if stack is not None:
            codes = await stack.stop_all()
            if any(code not in (0, -15) for code in codes.values()):
                print(f"warning: exit codes {codes}; logs in {stack.log_dir}", file=sys.stderr)


async def run_load(
    args: argparse.Namespace, base_url: str, vhost: str, rss: Callable[[], Mapping[str, int | None]],
    population: list[SeededPatient], pace: Pace, stack: ProcessStack | None,
) -> tuple[dict[str, Any], Recorder, CpuWindow]:
    """Drives the patients for --duration, waits for the work queues to drain, prints the report."""
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=base_url, timeout=15, limits=limits) as client:
        routes = set((await client.get("/openapi.json")).json()["paths"])
        batches = session_batches(pace.session_seconds)
        recorder, sampler = Recorder(), Sampler(rss, vhost, args.sample_every)
        rng = random.Random(args.seed)
        in_session = round(len(population) * args.in_session)
        patients = [VirtualPatient(p, client, recorder, routes, pace, batches, random.Random(rng.random())) for p in population]
        stop = asyncio.Event()
        sampling = asyncio.create_task(sampler.run(stop))
        print(f"driving {len(patients)} patients ({in_session} in exercise sessions) for {args.duration:.0f}s ...", flush=True)
        meter = CpuMeter({p.label: p.pid for p in stack.running()} if stack else {})
        with meter.window() as cpu:
            load = asyncio.gather(*(p.run(stop, in_session=i < in_session) for i, p in enumerate(patients)))
            await asyncio.sleep(args.duration)
            stop.set()
            recorder.stopped = time.monotonic()
            await load
        drain = await wait_for_drain(vhost)
        await sampling
    figures = print_report(recorder, sampler, drain, args, stack.log_dir if stack else None)
    return figures, recorder, cpu


def write_results(args: argparse.Namespace, recorder: Recorder, figures: dict[str, Any], cpu: CpuWindow) -> None:
    """bench/results/load.json: each route, and all routes together with the CPU the stack spent per request."""
    run = Run("load", args)
    everything = [ms for route in recorder.routes.values() for ms in route.latencies_ms]
    total = sum(route.count for route in recorder.routes.values())
    run.add("all_routes", Measurement.of(
        "all routes", total, recorder.elapsed, everything, cpu,
        extra={k: figures[k] for k in ("offered_rps", "error_rate", "drained_after_s", "memory", "queue_peaks")},
    ))
    for name, route in sorted(recorder.routes.items()):
        key = name.lower().replace(" ", "_").replace("/", "_").replace("{", "").replace("}", "").replace("-", "_").strip("_")
        run.add(key, Measurement.of(name, route.count, recorder.elapsed, route.latencies_ms,
                                    extra={"errors": route.errors, "client_errors": route.client_errors}))
    run.write()


async def wait_for_drain(vhost: str, patience: float = 60) -> float | None:
    """Seconds until every work queue is empty after the load stops (None: still busy after `patience`)."""
    started = time.monotonic()
    while time.monotonic() - started < patience:
        depths = await asyncio.to_thread(queue_depths, vhost)
        busy = [d for name, d in depths.items() if d.messages and not name.endswith(".dead") and ".delay-" not in name]
        if not busy:
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    figures = asyncio.run(drive(args))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    return 0 if figures["error_rate"] < 0.01 else 1
