"""Async engine and the unit of work: one transaction, tenant set for row-level security, rollback unless committed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

from google.protobuf.message import Message
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from services.common.errors import InvalidInput
from services.common.identity import current_request_id
from services.common.logging import get_logger
from services.common.parsing import instant_in_window

log = get_logger(__name__)


def connection_lost(exc: BaseException) -> bool:
    """Postgres went away under this call (terminated backend, restart, failover): not a bug, worth a retry."""
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


# SQLSTATEs that mean "the database is away for now", not "this statement is wrong": the whole class 08
# (connection exception), too many connections, admin/crash shutdown, cannot connect now (starting up).
_UNAVAILABLE_STATES = frozenset({"53300", "57P01", "57P02", "57P03"})
_UNAVAILABLE_WORDS = ("not currently accepting connections", "connection is closed", "connection was closed")


def database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or refuses connections right now (refused, closed, too many connections,
    admin shutdown, cannot connect now, a database closed to connections): an outage to wait out, not a bug.

    Looks through SQLAlchemy's wrapper and the exception chain, whatever the driver raised."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        # A refused or reset socket, or a connect that timed out.
        if isinstance(current, (ConnectionError, TimeoutError)):
            return True
        state = str(getattr(current, "sqlstate", None) or getattr(current, "pgcode", None) or "")
        if state.startswith("08") or state in _UNAVAILABLE_STATES:
            return True
        message = str(current).lower()
        if (state in ("", "55000") and any(words in message for words in _UNAVAILABLE_WORDS)
                and type(current).__module__.split(".")[0] in ("asyncpg", "sqlalchemy")):
            return True
        pending += [current.__cause__, current.__context__, getattr(current, "orig", None)]
    return False


def create_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping: it cost a round trip per unit of work (8-13 % of each service's CPU, see
        # docs/performance.md). A dead pooled connection fails at BEGIN instead; SQLAlchemy then
        # invalidates the whole pool and UnitOfWork retries once on a fresh connection.
        pool_pre_ping=False,
        pool_recycle=1800,
        connect_args={"server_settings": {"application_name": "momentum"}},
    )


class UnitOfWork:
    """One transaction. Sets `app.tenant_id` transaction-locally so RLS policies see it and a pooled
    connection can never carry it into the next use; rolls back unless `commit()` was called.

    Events added with `add_event` land in this schema's outbox in the same transaction.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        schema: str,
        tenant_id: uuid.UUID | str | None,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._schema = schema
        self._tenant_id = str(tenant_id) if tenant_id is not None else None
        self._on_commit = on_commit
        self._connection: AsyncConnection | None = None
        self._events = 0
        self.committed = False

    @property
    def schema(self) -> str:
        return self._schema

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._connection

    async def __aenter__(self) -> "UnitOfWork":
        # A pooled connection Postgres dropped fails here, before the caller did anything: one
        # retry on a fresh connection is always safe.
        for attempt in (1, 2):
            connection = await self._engine.connect()
            try:
                await connection.begin()
                if self._tenant_id is not None:
                    await connection.execute(
                        text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": self._tenant_id}
                    )
            except DBAPIError as exc:
                await asyncio.shield(connection.close())
                if attempt == 2 or not connection_lost(exc):
                    raise
                log.warning("db.connection_lost_retrying", schema=self._schema)
                continue
            self._connection = connection
            break
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if not self.committed and connection.in_transaction():
                await connection.rollback()
        finally:
            # Shielded so a cancelled task still returns its connection to the pool.
            await asyncio.shield(connection.close())

    async def commit(self) -> None:
        await self.connection.commit()
        self.committed = True
        if self._events and self._on_commit is not None:
            self._on_commit()

    async def execute(self, statement: Any, params: Any = None) -> Any:
        return await self.connection.execute(statement, params)

    async def add_event(
        self,
        routing_key: str,
        body: Message,
        tenant_id: uuid.UUID | str,
        message_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> str:
        """Writes the event to the outbox; the relay publishes it after commit. A deterministic
        message id (when given) makes a repeated add a no-op."""
        message_id = message_id or str(uuid.uuid4())
        occurred_at = occurred_at or datetime.now(timezone.utc)
        # An event the relay could never publish must not be written: it would sit in the outbox for good.
        instant_in_window("event occurred_at", occurred_at, datetime.now(timezone.utc))
        try:
            payload = body.SerializeToString()
        except Exception as exc:  # protobuf raises EncodeError or ValueError by version
            raise InvalidInput("event body", f"cannot be serialized: {exc}"[:200]) from exc
        if not routing_key or len(routing_key) > 255 or len(message_id) > 255:
            raise InvalidInput("event", "routing key and message id must be 1-255 characters")
        await self.connection.execute(
            text(
                f"INSERT INTO {self._schema}.outbox (message_id, routing_key, tenant_id, message_type, body, "
                "request_id, occurred_at) VALUES (:message_id, :routing_key, :tenant_id, :message_type, :body, "
                ":request_id, :occurred_at) ON CONFLICT (message_id) DO NOTHING"
            ),
            {
                "message_id": message_id,
                "routing_key": routing_key,
                "tenant_id": str(tenant_id),
                "message_type": body.DESCRIPTOR.full_name,
                "body": payload,
                "request_id": current_request_id(),
                "occurred_at": occurred_at,
            },
        )
        self._events += 1
        return message_id


class Database:
    """A service's engine plus a factory of units of work bound to its schema."""

    def __init__(self, engine: AsyncEngine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self._commit_listeners: list[Callable[[], None]] = []

    def on_events_committed(self, listener: Callable[[], None]) -> None:
        self._commit_listeners.append(listener)

    def _notify(self) -> None:
        for listener in self._commit_listeners:
            listener()

    def unit_of_work(self, tenant_id: uuid.UUID | str | None) -> UnitOfWork:
        return UnitOfWork(self.engine, self.schema, tenant_id, on_commit=self._notify)

    async def ping(self) -> None:
        """One round trip on a fresh pooled connection; raises while the database is away."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
