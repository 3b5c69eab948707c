"""Fresh storage for a test session or a benchmark run: a database whose service schemas the real
migrations rebuilt, and a vhost emptied of every queue.

Tests and benchmarks share this one module. It lives in tests/support, not in services/, because
only tests and benches may drop schemas; the benches already import tests.support (bench/load)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterable

import aio_pika
import asyncpg

from services.common.migrations import migrate_async
from services.common.settings import SERVICES, BrokerSettings, Settings

# Every service role and the owner can connect to this one; it is never dropped or migrated here.
MAINTENANCE_DB = "momentum"


def asyncpg_dsn(settings: Settings, role: str, password: str, database: str | None = None) -> str:
    db = settings.database
    return f"postgresql://{role}:{password}@{db.host}:{db.port}/{database or db.name}"


def owner_dsn(settings: Settings, database: str | None = None) -> str:
    """The schema owner on `database` (default: the settings' own)."""
    return asyncpg_dsn(settings, "momentum_owner", settings.database.owner_password, database)


async def fresh_database(settings: Settings, services: Iterable[str] = SERVICES) -> None:
    """The settings' database, created when missing, with the schemas of `services` dropped and
    rebuilt by the real migrations (the other services' schemas are left as they are)."""
    chosen = tuple(services)
    name = settings.database.name
    conn = await asyncpg.connect(owner_dsn(settings, MAINTENANCE_DB))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    conn = await asyncpg.connect(owner_dsn(settings))
    try:
        for service in chosen:
            await conn.execute(f"DROP SCHEMA IF EXISTS {service} CASCADE")
    finally:
        await conn.close()
    await migrate_async(settings, chosen)


def rabbitmqctl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = ["rabbitmqctl", "-q", *args]
    if os.geteuid() != 0 and shutil.which("sudo"):
        command = ["sudo", "-n", *command]
    return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)


async def fresh_vhost(broker: BrokerSettings) -> None:
    """The broker settings' vhost, created when missing, open to their user, with no queue left.

    Its queues are deleted one by one over AMQP, never the vhost itself: deleting a vhost full of
    quorum queues is slow on RabbitMQ 3.10 and, next to a broker restart, wedged it here."""
    await asyncio.to_thread(rabbitmqctl, "add_vhost", broker.vhost, check=False)
    await asyncio.to_thread(rabbitmqctl, "set_permissions", "-p", broker.vhost, broker.user, ".*", ".*", ".*")
    listed = await asyncio.to_thread(rabbitmqctl, "list_queues", "-p", broker.vhost, "--no-table-headers", "name", check=False)
    names = [line.strip() for line in listed.stdout.splitlines() if line.strip()]
    if not names:
        return
    connection = await aio_pika.connect(broker.url)
    try:
        channel = await connection.channel()
        for name in names:
            await channel.queue_delete(name)
    finally:
        await connection.close()


async def fresh_storage(settings: Settings, services: Iterable[str] = SERVICES) -> None:
    """fresh_database and fresh_vhost, and the replay bucket `momentum migrate` sets up: what a test session or a
    benchmark starts from."""
    from services.telemetry.cli import setup_replay_bucket

    await fresh_database(settings, services)
    await fresh_vhost(settings.broker)
    await setup_replay_bucket(settings.s3)
