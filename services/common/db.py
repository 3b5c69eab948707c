"""Async engine and the unit of work: one transaction, tenant set for row-level security, rollback unless committed."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

from google.protobuf.message import Message
from opentelemetry.trace import SpanKind
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from services.common.errors import InvalidInput
from services.common.identity import current_request_id
from services.common.logging import get_logger
from services.common.parsing import instant_in_window
from services.common.settings import SERVICES, DatabaseSettings
from services.common.messaging.trace_context import messaging_attributes
from services.common.tracing import TRACEPARENT, TRACESTATE, current_context_carrier, tracer

log = get_logger(__name__)


def connection_lost(exc: BaseException) -> bool:
    """A pooled connection Postgres dropped (terminated backend, restart, failover): SQLAlchemy invalidated it,
    so a fresh one may work. Narrower than `database_unavailable`: a refused new connection is not this."""
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


# SQLSTATE classes and codes that mean "the database is away or full for now", never "the request is wrong":
# 08 connection exception, 53 insufficient resources (53300 too many connections), 57P01 admin shutdown,
# 57P02 crash shutdown, 57P03 cannot connect now, 57P04 database dropped, 57P05 idle session timeout.
_UNAVAILABLE_CLASSES = ("08", "53")
_UNAVAILABLE_CODES = frozenset({"57P01", "57P02", "57P03", "57P04", "57P05"})
# 55000 (object not in prerequisite state) is also raised for ordinary rule breaks; only this message is an outage.
_NOT_ACCEPTING = "not currently accepting connections"
# Errors of the socket itself; an OSError such as FileNotFoundError is a bug, not an outage.
_NETWORK_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.ETIMEDOUT, errno.EHOSTUNREACH,
     errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTDOWN, errno.EADDRNOTAVAIL}
)
# asyncpg's client-side errors for a connection that is gone (class names: no import of the driver here).
_CLOSED_CONNECTION = ("ConnectionDoesNotExistError", "ConnectionResetError")
_CLOSED_MESSAGES = ("connection is closed", "connection was closed", "underlying connection is closed")


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` (or anything in its cause/context chain) says Postgres cannot serve us right now:
    refused, dropped or closed connections, too many connections, shutdown or start-up, a database closed to
    connections, a socket error or a timeout while connecting, the pool exhausted. Such a failure is an
    outage the caller may retry (gRPC UNAVAILABLE, HTTP 503), never a bug (500). Pure: looks only at the
    exception objects, whichever layer (asyncpg, SQLAlchemy's wrapper, asyncio) raised them."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if _says_unavailable(current):
            return True
        pending += [current.__cause__, current.__context__, getattr(current, "orig", None)]
    return False


def _says_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, PoolTimeout):  # every connection busy for pool_timeout: overloaded, try again
        return True
    sqlstate = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if isinstance(sqlstate, str) and sqlstate:
        if sqlstate[:2] in _UNAVAILABLE_CLASSES or sqlstate in _UNAVAILABLE_CODES:
            return True
        return sqlstate == "55000" and _NOT_ACCEPTING in str(exc)
    if isinstance(exc, (ConnectionError, TimeoutError, socket.gaierror)):
        return True
    if isinstance(exc, OSError):
        # asyncio joins the failures of several addresses into one OSError without an errno.
        return exc.errno in _NETWORK_ERRNOS or "Connect call failed" in str(exc)
    if type(exc).__name__ in _CLOSED_CONNECTION:
        return True
    return type(exc).__name__ == "InterfaceError" and any(m in str(exc) for m in _CLOSED_MESSAGES)


CONNECT_TIMEOUT_SECONDS = 4.0


def _unique_statement_name() -> str:
    return f"__momentum_{uuid.uuid4().hex}__"


def driver_options(settings: DatabaseSettings | None) -> dict[str, Any]:
    """asyncpg's connect arguments for how the server is reached: TLS, and nothing transaction pooling breaks."""
    if settings is None:
        return {}
    options: dict[str, Any] = {}
    if settings.transaction_pooler:
        # PgBouncer in transaction pooling hands each transaction any server connection: a statement prepared
        # and cached on one is unknown on the next, and asyncpg's numbered names collide across clients.
        # No cache (asyncpg's and SQLAlchemy's) and a unique name for each statement SQLAlchemy prepares.
        options["statement_cache_size"] = 0
        options["prepared_statement_cache_size"] = 0
        options["prepared_statement_name_func"] = _unique_statement_name
    if settings.sslmode != "disable":
        options["ssl"] = _ssl_option(settings)
    return options


def _ssl_option(settings: DatabaseSettings) -> Any:
    # asyncpg takes libpq's sslmode names; verify-* against a CA of our own needs an SSLContext.
    if settings.sslmode in ("prefer", "require") or not settings.sslrootcert:
        return settings.sslmode
    context = ssl.create_default_context(cafile=settings.sslrootcert)
    context.check_hostname = settings.sslmode == "verify-full"
    return context


def create_engine(
    url: str, pool_size: int = 10, connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    settings: DatabaseSettings | None = None,
) -> AsyncEngine:
    """`settings` says how the server is reached (PgBouncer, TLS); None: directly, in plain TCP (tests' probes)."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping: it cost a round trip per unit of work (8-13 % of each service's CPU, see
        # docs/performance.md). A dead pooled connection fails at BEGIN instead; SQLAlchemy then
        # invalidates the whole pool and UnitOfWork retries once on a fresh connection.
        pool_pre_ping=False,
        pool_recycle=1800,
        # A Postgres host that swallows packets would hold a new connection for asyncpg's default 60 s, past
        # the gateway's 5 s deadline (a 504): 4 s, then TimeoutError, which database_unavailable makes a 503.
        connect_args={
            "server_settings": {"application_name": "momentum"}, "timeout": connect_timeout,
            **driver_options(settings),
        },
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
        self._after_commit: list[Callable[[], None]] = []
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
        # retry on a fresh connection is always safe. A refused, full or closed database fails in
        # connect() itself and is raised at once (database_unavailable: 503): retrying would only
        # hold the request while the outage lasts.
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
        for callback in self._after_commit:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Runs `callback` once this transaction commits, never if it rolls back: counting a committed effect."""
        self._after_commit.append(callback)

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
        row = {
            "message_id": message_id,
            "routing_key": routing_key,
            "tenant_id": str(tenant_id),
            "message_type": body.DESCRIPTOR.full_name,
            "body": payload,
            "request_id": current_request_id(),
            "occurred_at": occurred_at,
        }
        spans = tracer(self._schema)
        if spans is None:
            await self._insert_event(row, {})
        else:
            # The row keeps this span's context: the relay publishes under it, however much later it runs.
            with spans.start_as_current_span(
                f"outbox write {routing_key}", kind=SpanKind.PRODUCER,
                attributes=messaging_attributes("create", routing_key, message_id),
            ):
                await self._insert_event(row, current_context_carrier())
        self._events += 1
        return message_id

    async def _insert_event(self, row: dict[str, Any], trace_context: dict[str, str]) -> None:
        await self.connection.execute(
            text(
                f"INSERT INTO {self._schema}.outbox (message_id, routing_key, tenant_id, message_type, body, "
                "request_id, occurred_at, traceparent, tracestate) VALUES (:message_id, :routing_key, :tenant_id, "
                ":message_type, :body, :request_id, :occurred_at, :traceparent, :tracestate) "
                "ON CONFLICT (message_id) DO NOTHING"
            ),
            {**row, "traceparent": trace_context.get(TRACEPARENT), "tracestate": trace_context.get(TRACESTATE)},
        )


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

    async def server_connection_limit(self) -> int:
        """Connections the server admits to roles like ours: max_connections less the superuser reserve."""
        async with self.engine.connect() as connection:
            row = (await connection.execute(text(
                "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
            ))).scalar_one()
        return int(row)

    async def dispose(self) -> None:
        await self.engine.dispose()


def planned_connections(settings: DatabaseSettings, service: str) -> int:
    """What every process on `service`'s server may open at most: instances x (pool + overflow), summed over
    the services whose schema is on that server."""
    server = settings.server_for(service)
    return sum(
        settings.instances.get(other, 1) * 2 * settings.pool_size_for(other)
        for other in SERVICES
        if settings.server_for(other) == server
    )


async def warn_if_over_connection_limit(database: Database, settings: DatabaseSettings, service: str) -> None:
    """A start-up warning, never a refusal: past the limit the last processes to connect get "too many clients"
    (a 503) under load. Through a transaction pooler the clients are PgBouncer's, and its pool size is the limit."""
    if settings.transaction_pooler:
        return
    try:
        limit = await database.server_connection_limit()
    except Exception as exc:  # the database may be away at start-up: the health loop reports that
        log.info("db.connection_limit_unknown", error=" ".join(str(exc).split())[:200])
        return
    planned = planned_connections(settings, service)
    if planned > limit:
        log.warning(
            "db.pools_exceed_max_connections", planned=planned, server_limit=limit,
            hint="lower MOMENTUM_DB_<SERVICE>_POOL_SIZE, raise max_connections or put PgBouncer in front",
        )
