"""Benchmark of pose ingest, side by side in one table: the bare decode loop, ingest through telemetry's
gRPC API, ingest end to end through the gateway over HTTP at a fixed concurrency, aggregation of a
10-minute session, and bytes per batch on the wire against JSON.

Run: source .run/stack.env && PYTHONPATH=.:protos .venv/bin/python bench/telemetry_ingest.py [--seconds 8]
Starts plans, telemetry and the gateway as their own processes (as `make up` does) on a database, a
vhost and a bucket of their own (momentum_bench_telemetry, rebuilt by the migrations). Each worker of
the load is one patient session posting its 1-second batches in order, the next when the previous is
answered; `--concurrency` sessions post at once. Every batch is a distinct, valid 30-frame batch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from contextlib import nullcontext
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, ContextManager

import grpc

from bench.results import CpuMeter, Measurement, Profiler, Run
from bench.telemetry_codec import (
    add_measurements, bench_aggregate, bench_decode, bench_wire_size, print_table, session_batches,
)
from momentum.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc
from services.common.clock import SystemClock
from services.common.db import Database, create_engine
from services.common.service_auth import service_channel
from services.common.session_token import SessionClaims, issue_session_token
from services.common.settings import Settings, load_settings
from services.plans.people.handlers import PeopleHandlers
from tests.support.fresh import fresh_storage
from tests.support.processes import ProcessStack, stack_env

BENCH_NAME = os.environ.get("MOMENTUM_BENCH_DB", "momentum_bench_telemetry")  # database, vhost and bucket


def bench_env() -> dict[str, str]:
    return stack_env(
        BENCH_NAME, MOMENTUM_S3_REPLAY_BUCKET=BENCH_NAME.replace("_", "-"), MOMENTUM_LOG_LEVEL="WARNING",
        MOMENTUM_DB_POOL_SIZE="4",
    )


async def seed_patients(settings: Settings, count: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A clinic and its patients in plans: the gateway admits a session token only for a clinic and a
    patient plans stores (services.gateway.identity_check)."""
    database = Database(create_engine(settings.database.app_url("plans"), 4), "plans")
    people = PeopleHandlers(database, SystemClock())
    tenant, patients = uuid.uuid4(), [uuid.uuid4() for _ in range(count)]
    try:
        await people.create_tenant(tenant, "Bench clinic", "Europe/Madrid", {})
        for index, patient in enumerate(patients):
            await people.create_user(tenant, patient, "patient", f"Patient {index}", "Europe/Madrid")
    finally:
        await database.dispose()
    return tenant, patients


def tokens(settings: Settings, tenant: uuid.UUID, patients: list[uuid.UUID]) -> list[str]:
    """One session token per patient, each for a new exercise session."""
    now = datetime.now(timezone.utc)
    return [
        issue_session_token(
            settings.auth.telemetry_token_keys, settings.auth.telemetry_token_active_key,
            SessionClaims(
                tenant_id=str(tenant), patient_id=str(patient), session_id=str(uuid.uuid4()),
                workout_id=str(uuid.uuid4()), exercise_id=str(uuid.uuid4()), purposes=("analytics", "biometric"),
                issued_at=int(now.timestamp()), expires_at=int((now + timedelta(hours=1)).timestamp()),
            ),
        )
        for patient in patients
    ]


async def drive(
    label: str, sessions: list[str], batches: list[bytes], post: Callable[[str, bytes], Awaitable[None]], seconds: float,
    meter: CpuMeter, profile: Callable[[], ContextManager[None]] = nullcontext, **figures: Any,
) -> Measurement:
    """`len(sessions)` workers, each a session posting its batches in order, for about `seconds`."""
    for token in sessions:  # first contact opens the session (one database round trip): not measured
        await post(token, batches[0])
    latencies: list[float] = []
    stop_at = 0.0

    async def worker(token: str) -> None:
        index = 1
        while time.perf_counter() < stop_at and index < len(batches):
            started = time.perf_counter()
            await post(token, batches[index])
            latencies.append((time.perf_counter() - started) * 1000)
            index += 1

    with meter.window() as cpu, profile():
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(*(worker(token) for token in sessions))
        elapsed = time.perf_counter() - started
    return Measurement.of(label, len(latencies), elapsed, latencies, cpu, **figures)


class HttpConnection:
    """A bare HTTP/1.1 keep-alive connection: the load generator must cost less than what it measures."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, token: str, body: bytes) -> None:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = (
            f"POST /v1/pose/frames HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        assert self.reader is not None
        status = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        reply = await self.reader.readexactly(length)
        if not status.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"{status!r} {reply[:200]!r}")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def run(args: argparse.Namespace, results: Run) -> list[tuple[str, str]]:
    env = bench_env()
    settings = load_settings(env)
    await fresh_storage(settings, ("plans", "telemetry"))
    batches = session_batches(int(args.seconds * 150) + 61)

    decode = bench_decode(batches, seconds=min(args.seconds, 3.0))
    aggregate = bench_aggregate()
    wire = bench_wire_size(batches[:60])
    bare = decode["batches_per_s"]
    add_measurements(results, decode, aggregate, wire)

    processes = ProcessStack(env, Path(tempfile.mkdtemp(prefix="telemetry-bench-")))
    try:
        await processes.start_all(["plans", "telemetry"])
        clinic, patients = await seed_patients(settings, args.concurrency)
        meter = CpuMeter(processes.pids())
        profiler = Profiler("telemetry_ingest", {"telemetry": meter.pids["telemetry"], "gateway": meter.pids["gateway"]})

        async with service_channel(settings.auth.service_keys, "gateway", "telemetry", settings.grpc_target("telemetry")) as channel:
            stub = telemetry_pb2_grpc.TelemetryServiceStub(channel)

            async def grpc_post(token: str, body: bytes) -> None:
                await stub.IngestPoseBatch(telemetry_pb2.IngestPoseBatchRequest(session_token=token, body=body), timeout=10)

            via_grpc = results.add("pose_via_grpc", await drive(
                f"ingest via telemetry gRPC ({args.concurrency} sessions at once)",
                tokens(settings, clinic, patients), batches, grpc_post, args.seconds, meter, baseline_per_s=bare,
            ))

        connections = {token: HttpConnection(settings.gateway_port) for token in tokens(settings, clinic, patients)}

        async def http_post(token: str, body: bytes) -> None:
            await connections[token].post(token, body)

        via_http = results.add("pose_via_gateway", await drive(
            f"ingest via gateway HTTP ({args.concurrency} connections)", list(connections), batches, http_post,
            args.seconds, meter, lambda: profiler.window("pose"), baseline_per_s=bare,
            aim={"throughput_per_s": 3000, "ratio": 0.2, "cpu_ms_per_op": 0.5},
        ))
        for connection in connections.values():
            connection.close()
    finally:
        # Gateway, then telemetry (it finalizes its sessions while plans still answers), then plans.
        for process in reversed(processes.processes):
            await process.terminate(timeout=60)

    def cpu(m: Measurement) -> str:
        return ", ".join(f"{name} {ms:.2f}" for name, ms in (m.cpu_ms_per_op or {}).items() if ms >= 0.005 or name == "total")

    rows = [
        ("(1) decode, tight loop: batches/s", f"{decode['batches_per_s']:,.0f} ({decode['us_per_batch']:.1f} µs each)"),
        ("(2) telemetry gRPC: batches/s", f"{via_grpc.throughput_per_s:,.0f} (p50 {via_grpc.p50_ms:.1f} ms, p99 {via_grpc.p99_ms:.1f} ms)"),
        ("(2) cpu ms per batch, by process", cpu(via_grpc)),
        ("(3) gateway HTTP end to end: batches/s", f"{via_http.throughput_per_s:,.0f} (p50 {via_http.p50_ms:.1f} ms, p99 {via_http.p99_ms:.1f} ms)"),
        ("(3) cpu ms per batch, by process", cpu(via_http)),
        ("(3)/(1)", f"{via_http.ratio:.3f}"),
        (
            f"(4) aggregate {aggregate['frames']:,} frames: ms best / median",
            f"{aggregate['ms_best']:.1f} / {aggregate['ms_median']:.1f} ({aggregate['reps']} reps)",
        ),
        ("wire: binary gzip bytes/batch", f"{wire['binary_gzip']:,}"),
        ("wire: JSON bytes/batch (same frames)", f"{wire['json']:,} ({wire['json_over_binary']}x)"),
        ("wire: JSON+gzip bytes/batch", f"{wire['json_gzip']:,} ({wire['json_gzip_over_binary']}x)"),
        ("batches measured (2) / (3)", f"{via_grpc.count:,} / {via_http.count:,} in ~{args.seconds:.0f} s each"),
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each ingest run")
    parser.add_argument("--concurrency", type=int, default=32, help="sessions posting at once")
    args = parser.parse_args()
    print(f"telemetry ingest on {os.cpu_count()} cores; each batch = 1 s of 30 fps landmarks")
    results = Run("telemetry_ingest", args)
    print_table(asyncio.run(run(args, results)))
    results.write()


if __name__ == "__main__":
    main()
