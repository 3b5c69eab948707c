"""The simulated hosts of infra/cluster.sh seen from the driver: the script's fault commands, each host's
processes and their CPU, the cluster's queues, and SQL probes straight to the two Postgres clusters."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import asyncpg

from bench.results import cpu_seconds

SCRIPT = os.environ.get("MOMENTUM_CLUSTER_SCRIPT", str(Path(__file__).resolve().parents[2] / "infra" / "cluster.sh"))
PG_HOST = os.environ.get("MOMENTUM_CLUSTER_PG", "10.77.0.10")
ADMIN_PASSWORD = "momentum-cluster-admin"
APP_HOSTS = ("app1", "app2")
GRPC_PORTS = {"plans": 50051, "streaks": 50052, "entrances": 50053, "telemetry": 50054}
HOST_IP = {"app1": "10.77.0.31", "app2": "10.77.0.32"}


async def script(*args: str, timeout: float = 180) -> str:
    """Runs one cluster.sh command (kill-rabbit 2, start-app app2, ...) and returns its stdout."""
    process = await asyncio.create_subprocess_exec(
        "bash", SCRIPT, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    if process.returncode != 0:
        raise RuntimeError(f"cluster.sh {' '.join(args)} failed ({process.returncode}): {err.decode()[-800:]}")
    for line in err.decode().splitlines():
        print(line, flush=True)
    return out.decode()


def host_pids(host: str) -> list[int]:
    found = subprocess.run(["ip", "netns", "pids", f"mcl-{host}"], capture_output=True, text=True, check=False)
    return [int(p) for p in found.stdout.split()]


def host_cpu(hosts: tuple[str, ...]) -> dict[str, float]:
    """CPU seconds used so far by every process of each host."""
    return {host: sum(cpu_seconds(pid) or 0.0 for pid in host_pids(host)) for host in hosts}


async def queues() -> list[dict[str, Any]]:
    """Every queue of the cluster's vhost with its ready+unacked messages and consumers."""
    for node in ("1", "2", "3"):
        try:
            return list(json.loads(await script("queues", node, timeout=60)))
        except (RuntimeError, json.JSONDecodeError, asyncio.TimeoutError):
            continue
    raise RuntimeError("no RabbitMQ node answers list_queues")


class Databases:
    """Superuser connections to the main cluster (plans, streaks, entrances) and telemetry's own."""

    def __init__(self, main: asyncpg.Connection, telemetry: asyncpg.Connection) -> None:
        self.main, self.telemetry = main, telemetry

    @classmethod
    async def connect(cls) -> "Databases":
        async def one(port: int, database: str) -> asyncpg.Connection:
            return await asyncpg.connect(host=PG_HOST, port=port, user="postgres", password=ADMIN_PASSWORD, database=database)

        return cls(await one(5432, "momentum"), await one(5433, "momentum_telemetry"))

    def _for(self, sql: str) -> asyncpg.Connection:
        return self.telemetry if "telemetry." in sql else self.main

    async def scalar(self, sql: str, *args: Any) -> Any:
        return await self._for(sql).fetchval(sql, *args)

    async def rows(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await self._for(sql).fetch(sql, *args)

    async def close(self) -> None:
        await self.main.close()
        await self.telemetry.close()


async def until(probe: Any, done: Any, timeout: float, every: float = 0.25) -> tuple[Any, float]:
    """Polls `probe()` until `done(value)`; returns the last value and the seconds it took."""
    started = time.monotonic()
    while True:
        value = await probe()
        if done(value) or time.monotonic() - started > timeout:
            return value, time.monotonic() - started
        await asyncio.sleep(every)
