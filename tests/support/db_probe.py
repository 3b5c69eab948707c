"""A superuser's view of the processes' database (PROCESS_DB) for fault tests: counts across schemas and tenants, row
locks held on purpose to stall a service mid-transaction, and terminating a service's connections."""

from __future__ import annotations

import os
import uuid
from typing import Any

import asyncpg

from tests.support.processes import PROCESS_DB

OUTBOX_SCHEMAS = ("plans", "streaks", "entrances", "telemetry")


def admin_connect_kwargs() -> dict[str, Any]:
    """MOMENTUM_DB_ADMIN_DSN (libpq key=value, written by infra/stack.sh) aimed at the processes' database."""
    dsn = os.environ.get("MOMENTUM_DB_ADMIN_DSN")
    if not dsn:
        raise RuntimeError("MOMENTUM_DB_ADMIN_DSN is not set: run `source .run/stack.env` (fault tests need the superuser)")
    pairs = dict(part.split("=", 1) for part in dsn.split())
    names = {"host": "host", "port": "port", "user": "user", "password": "password"}
    kwargs: dict[str, Any] = {names[k]: v for k, v in pairs.items() if k in names}
    if "port" in kwargs:
        kwargs["port"] = int(kwargs["port"])
    kwargs["database"] = PROCESS_DB
    return kwargs


class HeldLock:
    """An open transaction holding whatever lock its statement took, until `release()`."""

    def __init__(self, connection: asyncpg.Connection, transaction: Any) -> None:
        self._connection = connection
        self._transaction = transaction

    @property
    def pid(self) -> int:
        """The server process that holds the lock, which its waiters name in pg_blocking_pids."""
        return self._connection.get_server_pid()

    async def release(self) -> None:
        """Idempotent: safe in a `finally` after an earlier release."""
        if self._transaction is not None:
            await self._transaction.rollback()
            self._transaction = None
        if not self._connection.is_closed():
            await self._connection.close()


class Probe:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    @classmethod
    async def connect(cls) -> "Probe":
        return cls(await asyncpg.connect(**admin_connect_kwargs()))

    async def close(self) -> None:
        await self.connection.close()

    async def scalar(self, sql: str, *args: Any) -> Any:
        return await self.connection.fetchval(sql, *args)

    async def rows(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await self.connection.fetch(sql, *args)

    # ------------------------------------------------------------------ effects
    async def timezone_changes(self, patient_id: uuid.UUID) -> int:
        """streaks' count of applied plans.user.timezone_changed events: +1 per application, so a
        duplicate application shows as one too many."""
        return int(await self.scalar("SELECT coalesce(max(timezone_changes), 0) FROM streaks.patients WHERE patient_id = $1", patient_id) or 0)

    async def committed_timezone_changes(self, patient_id: uuid.UUID) -> int:
        """Changes plans committed for the patient (audit row and outbox event share the transaction)."""
        return int(await self.scalar(
            "SELECT count(*) FROM plans.audit_log WHERE action = 'user.timezone.update' AND entity_id = $1 "
            "AND (details->>'changed')::boolean", str(patient_id),
        ))

    async def outbox_events(self, schema: str, tenant_id: uuid.UUID, routing_key: str) -> int:
        return int(await self.scalar(
            f"SELECT count(*) FROM {schema}.outbox WHERE tenant_id = $1 AND routing_key = $2", tenant_id, routing_key,
        ))

    async def unsent_outbox(self) -> dict[str, int]:
        unsent: dict[str, int] = {}
        for schema in OUTBOX_SCHEMAS:
            exists = await self.scalar("SELECT to_regclass($1) IS NOT NULL", f"{schema}.outbox")
            if exists:
                unsent[schema] = int(await self.scalar(f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL"))
        return unsent

    async def inbox_rows(self, schema: str, consumer: str) -> int:
        return int(await self.scalar(f"SELECT count(*) FROM {schema}.inbox WHERE consumer = $1", consumer))

    # ------------------------------------------------------------------ stalling and breaking services
    async def hold(self, sql: str, *args: Any) -> HeldLock:
        """Runs `sql` (e.g. SELECT ... FOR UPDATE) in a transaction left open: whoever needs those
        rows waits until `release()`."""
        connection = await asyncpg.connect(**admin_connect_kwargs())
        transaction = connection.transaction()
        await transaction.start()
        await connection.execute(sql, *args)
        return HeldLock(connection, transaction)

    async def backends(self, role: str, waiting_on_lock: bool = False) -> int:
        """Connections of a service's role to PROCESS_DB (only ours: other runs use other databases)."""
        sql = "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND datname = $2"
        if waiting_on_lock:
            sql += " AND wait_event_type = 'Lock'"
        return int(await self.scalar(sql, role, PROCESS_DB))

    async def terminate(self, role: str) -> int:
        """Drops every connection of `role` to PROCESS_DB, mid-transaction or idle in the pool."""
        return int(await self.scalar(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE usename = $1 AND datname = $2 AND pid <> pg_backend_pid()",
            role, PROCESS_DB,
        ))

    async def waiting_on(self, lock: HeldLock, role: str) -> int:
        """Connections of `role` that wait for `lock` to be released."""
        return int(await self.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND datname = $2 AND $3 = ANY(pg_blocking_pids(pid))",
            role, PROCESS_DB, lock.pid,
        ))

    async def terminate_waiting_on(self, lock: HeldLock, role: str) -> int:
        """Drops the connections of `role` that wait for `lock`, mid-statement (SQLSTATE 57P01), and no other:
        its idle pool and the statements that do not need the lock go on."""
        return int(await self.scalar(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE usename = $1 AND datname = $2 AND $3 = ANY(pg_blocking_pids(pid))",
            role, PROCESS_DB, lock.pid,
        ))

    # ------------------------------------------------------------------ closing the database
    async def close_database(self) -> int:
        """PROCESS_DB refuses every new connection (`ALLOW_CONNECTIONS false`, SQLSTATE 55000 "not currently
        accepting connections") and every connection to it but this probe's is terminated. Returns how many."""
        admin = await asyncpg.connect(**{**admin_connect_kwargs(), "database": "postgres"})
        try:
            await admin.execute(f'ALTER DATABASE "{PROCESS_DB}" ALLOW_CONNECTIONS false')
        finally:
            await admin.close()
        mine = await self.scalar("SELECT pg_backend_pid()")
        return int(await self.scalar(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2",
            PROCESS_DB, mine,
        ))

    async def open_database(self) -> None:
        admin = await asyncpg.connect(**{**admin_connect_kwargs(), "database": "postgres"})
        try:
            await admin.execute(f'ALTER DATABASE "{PROCESS_DB}" ALLOW_CONNECTIONS true')
        finally:
            await admin.close()
