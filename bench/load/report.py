"""The table a load run prints (and the same figures as a dict for --json)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from bench.load.metrics import Recorder, Sampler, percentile

# A process "grows without bound" if, after warm-up, it still climbs faster than this.
LEAK_SLOPE_MIB_PER_MIN = 2.0


def offered_rate(args: argparse.Namespace) -> float:
    """Requests per second the simulated patients ask for if every answer came back at once."""
    everyone = args.patients * (1 / args.streak_every + 1 / args.complete_every + 2 / args.open_every)
    # A 60 s session: 60 pose batches, 12 media posts, a start and an end, then 5 s of rest.
    exercising = round(args.patients * args.in_session) * (60 + 12 + 2) / 65
    return everyone + exercising


def print_report(recorder: Recorder, sampler: Sampler, drain: float | None, args: argparse.Namespace, log_dir: Path | None) -> dict[str, Any]:
    elapsed = recorder.elapsed
    rows = []
    for route in sorted(recorder.routes):
        figures = recorder.routes[route]
        rows.append({
            "route": route, "count": figures.count, "per_second": figures.count / elapsed,
            "p50_ms": percentile(figures.latencies_ms, 50), "p99_ms": percentile(figures.latencies_ms, 99),
            "errors": figures.errors, "client_errors": figures.client_errors,
        })
    total = sum(r["count"] for r in rows)
    errors = sum(r["errors"] for r in rows)
    all_latencies = [ms for f in recorder.routes.values() for ms in f.latencies_ms]

    print()
    print(f"== load: {args.patients} patients ({round(args.patients * args.in_session)} in exercise sessions), "
          f"{elapsed:.0f}s measured")
    print(f"{'route':<42} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'5xx/net':>8} {'4xx':>6}")
    for r in rows:
        print(f"{r['route']:<42} {r['count']:>9} {r['per_second']:>8.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
              f"{r['errors']:>8} {r['client_errors']:>6}")
    print(f"{'all routes':<42} {total:>9} {total / elapsed:>8.1f} {percentile(all_latencies, 50):>8.1f} "
          f"{percentile(all_latencies, 99):>8.1f} {errors:>8} {sum(r['client_errors'] for r in rows):>6}")
    error_rate = errors / total if total else 1.0
    offered = offered_rate(args)
    print(f"offered ~{offered:.1f} req/s, held {total / elapsed:.1f} req/s; error rate {100 * error_rate:.2f} % "
          f"(5xx and transport); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end")
    for sample in recorder.samples:
        print(f"  e.g. {sample}")

    peaks = sampler.queue_peaks()
    print()
    print(f"queue depths over {len(sampler.samples)} samples (ready+unacked; peak / at end):")
    if not peaks:
        print("  every queue empty at every sample")
    for name, (peak, end) in sorted(peaks.items()):
        print(f"  {name:<60} {peak:>6} / {end:<6}")
    print(f"work queues drained {drain:.1f}s after the load stopped" if drain is not None
          else "work queues NOT drained within 60 s after the load stopped")

    window = min(60.0, max(elapsed / 3, 5.0))
    trend = sampler.memory_trend(window)
    print()
    print(f"memory (RSS MiB): mean of the first and last {window:.0f}s, slope over the second half")
    print(f"{'process':<14} {'first':>8} {'last':>8} {'MiB/min':>8}  verdict")
    memory: dict[str, dict[str, float | str]] = {}
    for label, (first, last, slope) in sorted(trend.items()):
        if elapsed < 180:
            verdict = "too short to judge (use --duration 600)"
        else:
            verdict = "growing" if slope > LEAK_SLOPE_MIB_PER_MIN else "flat"
        memory[label] = {"first_mib": round(first, 1), "last_mib": round(last, 1), "slope_mib_per_min": round(slope, 2), "verdict": verdict}
        print(f"{label:<14} {first:>8.1f} {last:>8.1f} {slope:>8.2f}  {verdict}")
    if log_dir is not None:
        print(f"\nprocess logs: {log_dir}")
    return {
        "duration_s": round(elapsed, 1), "patients": args.patients, "in_session": args.in_session,
        "offered_rps": round(offered, 1), "throughput_rps": round(total / elapsed, 1), "error_rate": error_rate,
        "load_average": os.getloadavg()[0], "cpus": os.cpu_count(),
        "routes": [{k: (round(v, 1) if isinstance(v, float) else v) for k, v in r.items()} for r in rows],
        "queue_peaks": peaks, "drained_after_s": drain, "memory": memory,
    }
