"""Benchmark of the pure telemetry domain: pose-batch decoding (the bare limit), session aggregation, wire size.

Run: PYTHONPATH=. .venv/bin/python bench/telemetry_codec.py [--seconds 3]
The end-to-end benchmark imports bench_decode / bench_aggregate / bench_wire_size
and prints their rows next to the gRPC and HTTP figures in one table.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
import time
from typing import Any, Sequence

import numpy as np

from bench.results import Measurement, Run
from services.telemetry.domain.pose_batch import decode_batch
from services.telemetry.domain.pose_metrics import aggregate_session
from services.telemetry.domain.pose_profile import SQUAT_LEFT, PoseProfile
from services.telemetry.simulator import one_second_batches, synthetic_reps

FPS = 30


def patient_session(minutes: float = 10.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A realistic session: 3-second squats, 2 degrees of tracking noise, 2 % of frames with a hidden knee.

    `minutes` x 60 x 30 frames at least (the 10-minute default is 18,061 frames: 1 s still at each end).
    """
    reps = max(1, math.ceil((minutes * 60 - 2) / 3.0))
    return synthetic_reps(
        SQUAT_LEFT, reps, 70.0, 3.0, fps=FPS, noise_degrees=2.0, low_visibility_ratio=0.02,
        seed=seed, secondary_deviation_degrees=6.0,
    )


def session_batches(seconds: int = 60, seed: int = 0) -> list[bytes]:
    """Full 1-second request bodies of a patient session (partial first/last seconds left out)."""
    landmarks, timestamps = patient_session(minutes=(seconds + 3) / 60, seed=seed)
    return one_second_batches(landmarks, timestamps, FPS)[1 : seconds + 1]


def bench_decode(batches: Sequence[bytes], seconds: float = 2.0) -> dict[str, Any]:
    """Decompress + validate + decode the same batches in a tight loop for about `seconds`."""
    for body in batches:  # warm up, and prove they are valid
        decode_batch(body)
    decoded = 0
    started, cpu = time.perf_counter(), time.process_time()
    deadline = started + seconds
    while True:
        for body in batches:
            decode_batch(body)
        decoded += len(batches)
        now = time.perf_counter()
        if now >= deadline:
            break
    elapsed, cpu = now - started, time.process_time() - cpu
    return {
        "label": "decode 1-s batches, tight loop (bare limit)",
        "batches": decoded,
        "seconds": round(elapsed, 3),
        "batches_per_s": round(decoded / elapsed, 1),
        "us_per_batch": round(elapsed / decoded * 1e6, 2),
        "cpu_us_per_batch": round(cpu / decoded * 1e6, 2),  # = us_per_batch unless the machine is shared
        "frames_per_batch": round(float(np.mean([decode_batch(b).frame_count for b in batches])), 1),
    }


def bench_aggregate(
    landmarks: np.ndarray | None = None,
    timestamps: np.ndarray | None = None,
    profile: PoseProfile = SQUAT_LEFT,
    repeats: int = 7,
) -> dict[str, Any]:
    """aggregate_session over a 10-minute, 30 fps session (or the frames given)."""
    if landmarks is None or timestamps is None:
        landmarks, timestamps = patient_session(minutes=10.0)
    metrics = aggregate_session(landmarks, timestamps, profile)  # warm up
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        aggregate_session(landmarks, timestamps, profile)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "label": f"aggregate session of {landmarks.shape[0]} frames",
        "frames": int(landmarks.shape[0]),
        "reps": metrics.rep_count,
        "ms_best": round(min(timings), 2),
        "ms_median": round(statistics.median(timings), 2),
    }


def bench_wire_size(batches: Sequence[bytes]) -> dict[str, Any]:
    """Bytes per batch on the wire against a JSON encoding of the same frames (plain and gzipped)."""
    binary, as_json, as_json_gzip = [], [], []
    for body in batches:
        batch = decode_batch(body)
        document = json.dumps(
            {
                "fps_hint": batch.fps_hint,
                "frames": [
                    {"timestamp_ms": int(t), "landmarks": frame.tolist()}
                    for t, frame in zip(batch.timestamps_ms, batch.landmarks)
                ],
            },
            separators=(",", ":"),
        ).encode()
        binary.append(len(body))
        as_json.append(len(document))
        as_json_gzip.append(len(gzip.compress(document, compresslevel=6, mtime=0)))
    return {
        "label": "bytes per 1-s batch on the wire",
        "binary_gzip": round(float(np.mean(binary))),
        "json": round(float(np.mean(as_json))),
        "json_gzip": round(float(np.mean(as_json_gzip))),
        "json_over_binary": round(float(np.mean(as_json) / np.mean(binary)), 1),
        "json_gzip_over_binary": round(float(np.mean(as_json_gzip) / np.mean(binary)), 1),
    }


def table_rows(decode: dict[str, Any], aggregate: dict[str, Any], wire: dict[str, Any]) -> list[tuple[str, str]]:
    """(measurement, figure) rows for a combined table."""
    return [
        ("decode: batches/s (1 core, bare limit)", f"{decode['batches_per_s']:,.0f}"),
        ("decode: µs per batch", f"{decode['us_per_batch']:.1f} ({decode['frames_per_batch']:.0f} frames)"),
        (
            f"aggregate {aggregate['frames']:,} frames: ms (best / median)",
            f"{aggregate['ms_best']:.1f} / {aggregate['ms_median']:.1f} ({aggregate['reps']} reps)",
        ),
        ("wire: binary gzip bytes/batch", f"{wire['binary_gzip']:,}"),
        ("wire: JSON bytes/batch", f"{wire['json']:,} ({wire['json_over_binary']}x)"),
        ("wire: JSON+gzip bytes/batch", f"{wire['json_gzip']:,} ({wire['json_gzip_over_binary']}x)"),
    ]


def add_measurements(run: Run, decode: dict[str, Any], aggregate: dict[str, Any], wire: dict[str, Any]) -> None:
    """The three figures as result-file measurements: `decode`, `aggregate_session`, `wire`."""
    run.add("decode", Measurement.of(decode["label"], decode["batches"], decode["seconds"], cpu=decode["cpu_us_per_batch"] / 1000))
    run.add("aggregate_session", Measurement(
        label=aggregate["label"], count=1, seconds=aggregate["ms_median"] / 1000,
        extra={k: aggregate[k] for k in ("frames", "reps", "ms_best", "ms_median")},
    ))
    run.add("wire", Measurement(label=wire["label"], count=0, seconds=0.0, extra={k: v for k, v in wire.items() if k != "label"}))


def print_table(rows: Sequence[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"{'measurement':<{width}}  figure")
    print(f"{'-' * width}  {'-' * 30}")
    for name, figure in rows:
        print(f"{name:<{width}}  {figure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of the decode loop")
    args = parser.parse_args()
    batches = session_batches(60)
    decode, aggregate, wire = bench_decode(batches, args.seconds), bench_aggregate(), bench_wire_size(batches)
    print_table(table_rows(decode, aggregate, wire))
    run = Run("telemetry_codec", args)
    add_measurements(run, decode, aggregate, wire)
    run.write()


if __name__ == "__main__":
    main()
