"""Test harness: a fresh test database and broker vhost, and the services started in-process
through their own composition roots, talking real gRPC and HTTP over loopback."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import random
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import uvicorn

from services.common.clock import Clock
from services.common.migrations import migrate_async
from services.common.runtime import ServiceRuntime
from services.common.settings import SERVICES, Settings, load_settings

# Overridable so two test runs on one machine never share a database or a vhost.
TEST_DB = os.environ.get("MOMENTUM_TEST_DB", "momentum_test")
TEST_VHOST = os.environ.get("MOMENTUM_TEST_VHOST", "momentum_test")


def services_with_bootstrap() -> tuple[str, ...]:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "services"
    return tuple(name for name in SERVICES if (root / name / "bootstrap.py").is_file())


_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, below the kernel's ephemeral range.

    Asking the kernel for port 0 returns an ephemeral port, which an outgoing connection (to
    Postgres, RabbitMQ, S3) may take before our server binds it; ports below the range are only
    ever taken by listeners. Never the same port twice in one run."""
    low, _ = _ephemeral_range()
    candidates = list(range(20000, min(low, 32768)))
    random.shuffle(candidates)
    for port in candidates:
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port below the ephemeral range")


def _ephemeral_range() -> tuple[int, int]:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as handle:
            low, high = (int(part) for part in handle.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


def settings_for_tests(**overrides: str) -> Settings:
    env = dict(os.environ)
    env.update(
        {
            "MOMENTUM_ENV": "test",
            "MOMENTUM_DB_NAME": TEST_DB,
            "MOMENTUM_AMQP_VHOST": TEST_VHOST,
            "MOMENTUM_S3_REPLAY_BUCKET": f"replays-{TEST_DB.replace('_', '-')}",
            "MOMENTUM_OUTBOX_POLL_SECONDS": "0.2",
            "MOMENTUM_DB_POOL_SIZE": os.environ.get("MOMENTUM_DB_POOL_SIZE", "4"),
            "MOMENTUM_LOG_LEVEL": os.environ.get("MOMENTUM_LOG_LEVEL", "WARNING"),
            "MOMENTUM_GATEWAY_PORT": str(free_port()),
        }
    )
    for service in SERVICES:
        env[f"MOMENTUM_{service.upper()}_GRPC_PORT"] = str(free_port())
    env.update(overrides)
    return load_settings(env)


def asyncpg_dsn(settings: Settings, role: str, password: str, database: str | None = None) -> str:
    db = settings.database
    return f"postgresql://{role}:{password}@{db.host}:{db.port}/{database or db.name}"


async def reset_database(settings: Settings) -> None:
    """A fresh test database: every service schema dropped and rebuilt by the real migrations."""
    owner = settings.database.owner_password
    conn = await asyncpg.connect(asyncpg_dsn(settings, "momentum_owner", owner, "momentum"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", TEST_DB)
        if not exists:
            await conn.execute(f"CREATE DATABASE {TEST_DB}")
    finally:
        await conn.close()
    conn = await asyncpg.connect(asyncpg_dsn(settings, "momentum_owner", owner))
    try:
        for service in SERVICES:
            await conn.execute(f"DROP SCHEMA IF EXISTS {service} CASCADE")
    finally:
        await conn.close()
    await migrate_async(settings)


def rabbitmqctl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = ["rabbitmqctl", "-q", *args]
    if os.geteuid() != 0 and shutil.which("sudo"):
        command = ["sudo", "-n", *command]
    return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)


def reset_vhost(vhost: str = TEST_VHOST, user: str = "guest") -> None:
    """An empty vhost per test session, so nothing left by an earlier run can leak in.

    Its queues are deleted one by one over AMQP, never the vhost itself: deleting a vhost full of
    quorum queues is slow on RabbitMQ 3.10 and, next to a broker restart, wedged it here."""
    rabbitmqctl("add_vhost", vhost, check=False)
    rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
    listed = rabbitmqctl("list_queues", "-p", vhost, "--no-table-headers", "name", check=False)
    names = [line.strip() for line in listed.stdout.splitlines() if line.strip()]
    if not names:
        return

    async def delete_all() -> None:
        import aio_pika

        password = os.environ.get("MOMENTUM_AMQP_PASSWORD", "guest")
        url = f"amqp://{user}:{password}@127.0.0.1:{os.environ.get('MOMENTUM_AMQP_PORT', '5672')}/{vhost}"
        connection = await aio_pika.connect(url)
        try:
            channel = await connection.channel()
            for name in names:
                await channel.queue_delete(name)
        finally:
            await connection.close()

    # Callers may be inside an event loop (async fixtures): run the deletion on a loop of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, delete_all()).result(timeout=120)


async def restart_broker() -> None:
    """Stops and starts the RabbitMQ application: durable queues and persistent messages survive."""
    await asyncio.to_thread(rabbitmqctl, "stop_app")
    await asyncio.to_thread(rabbitmqctl, "start_app")
    await asyncio.to_thread(rabbitmqctl, "await_startup")


@dataclass
class RunningStack:
    settings: Settings
    runtimes: dict[str, ServiceRuntime] = field(default_factory=dict)
    gateway: uvicorn.Server | None = None
    _gateway_task: asyncio.Task[Any] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.gateway_port}"

    async def start_service(self, name: str, clock: Clock | None = None) -> ServiceRuntime:
        from importlib import import_module

        build = import_module(f"services.{name}.bootstrap").build
        runtime = await build(self.settings, clock=clock)
        await runtime.start()
        self.runtimes[name] = runtime
        return runtime

    async def stop_service(self, name: str) -> None:
        runtime = self.runtimes.pop(name, None)
        if runtime is not None:
            await runtime.stop(grace=1)

    async def start_gateway(self) -> None:
        from services.gateway.app import create_app

        config = uvicorn.Config(
            create_app(self.settings), host="127.0.0.1", port=self.settings.gateway_port,
            log_level="warning", access_log=False, lifespan="on",
        )
        self.gateway = uvicorn.Server(config)
        self._gateway_task = asyncio.create_task(self.gateway.serve())
        for _ in range(200):
            if self.gateway.started:
                return
            await asyncio.sleep(0.02)
        raise RuntimeError("gateway did not start")

    async def stop(self) -> None:
        if self.gateway is not None and self._gateway_task is not None:
            self.gateway.should_exit = True
            await self._gateway_task
            self.gateway = None
        for name in reversed(list(self.runtimes)):
            await self.stop_service(name)
