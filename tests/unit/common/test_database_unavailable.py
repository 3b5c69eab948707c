"""database_unavailable: every way Postgres can be away is an outage (503), nothing else is.

The exceptions are the driver's own classes, raised the way a service meets them: asyncpg's errors
translated by SQLAlchemy's asyncpg adapter and wrapped in DBAPIError, and socket errors from a real
refused connection."""

from __future__ import annotations

import asyncio
import socket

import asyncpg
import pytest
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection, AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from services.common.db import connection_lost, database_unavailable
from services.common.errors import InvalidInput

DBAPI = AsyncAdapt_asyncpg_dbapi(asyncpg)


def through_sqlalchemy(error: Exception, invalidated: bool = False) -> DBAPIError:
    """What a unit of work raises: the adapter's translation of the driver error, wrapped by SQLAlchemy."""
    try:
        AsyncAdapt_asyncpg_connection._handle_exception_no_connection(DBAPI, error)
    except Exception as translated:
        wrapped = DBAPIError.instance(
            "SELECT 1", {}, translated, DBAPI.Error, connection_invalidated=invalidated, dialect=None
        )
        wrapped.__cause__ = translated
        return wrapped
    raise AssertionError("the adapter did not translate")


OUTAGES = {
    "too many connections (53300)": asyncpg.TooManyConnectionsError("sorry, too many clients already"),
    "admin shutdown (57P01)": asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    "crash shutdown (57P02)": asyncpg.CrashShutdownError("terminating connection because of crash of another server process"),
    "cannot connect now (57P03)": asyncpg.CannotConnectNowError("the database system is starting up"),
    "database closed to connections (55000)": asyncpg.ObjectNotInPrerequisiteStateError(
        'database "momentum" is not currently accepting connections'
    ),
    "connection does not exist (08003)": asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    "connection failure (08006)": asyncpg.ConnectionFailureError("could not receive data from server"),
    "closed connection (client side)": asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
    "connection reset by peer": ConnectionResetError(104, "Connection reset by peer"),
}


@pytest.mark.parametrize("name", sorted(OUTAGES))
def test_every_driver_outage_is_unavailable_raw_and_through_sqlalchemy(name):
    error = OUTAGES[name]
    assert database_unavailable(error), name
    wrapped = through_sqlalchemy(error)
    assert database_unavailable(wrapped), name
    # Not an invalidated pooled connection: the narrower check UnitOfWork retries on does not claim it.
    assert not connection_lost(wrapped)


def test_an_invalidated_pooled_connection_is_both_lost_and_unavailable():
    wrapped = through_sqlalchemy(asyncpg.ConnectionDoesNotExistError("connection was closed"), invalidated=True)
    assert connection_lost(wrapped) and database_unavailable(wrapped)


async def test_a_refused_new_connection_is_unavailable():
    # A real refused socket: SQLAlchemy lets the ConnectionRefusedError through unwrapped.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now
    with pytest.raises(OSError) as refused:
        await asyncpg.connect(host="127.0.0.1", port=port, user="x", database="x", timeout=2)
    assert database_unavailable(refused.value)


async def test_a_timeout_while_connecting_and_an_exhausted_pool_are_unavailable():
    with pytest.raises(asyncio.TimeoutError) as timed_out:
        await asyncio.wait_for(asyncio.Event().wait(), 0.01)
    assert database_unavailable(timed_out.value)
    assert database_unavailable(PoolTimeout("QueuePool limit of size 5 overflow 5 reached, connection timed out"))
    assert database_unavailable(OSError(None, "Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432)"))


def test_sqlalchemys_own_closed_connection_error_is_unavailable():
    assert database_unavailable(InterfaceError("SELECT 1", {}, Exception("connection is closed")))


def test_an_outage_anywhere_in_the_cause_chain_is_found():
    try:
        try:
            raise through_sqlalchemy(OUTAGES["admin shutdown (57P01)"])
        except DBAPIError as inner:
            raise RuntimeError("completing the workout failed") from inner
    except RuntimeError as outer:
        assert database_unavailable(outer)


NOT_OUTAGES = {
    "unique violation (23505)": through_sqlalchemy(asyncpg.UniqueViolationError("duplicate key value")),
    "another 55000: not about connections": through_sqlalchemy(
        asyncpg.ObjectNotInPrerequisiteStateError("cannot refresh materialized view concurrently")
    ),
    "serialization failure (40001)": through_sqlalchemy(asyncpg.SerializationError("could not serialize access")),
    "syntax error (42601)": through_sqlalchemy(asyncpg.PostgresSyntaxError("syntax error at or near")),
    "statement cancelled (57014)": through_sqlalchemy(asyncpg.QueryCanceledError("canceling statement due to user request")),
    "another operation in progress": asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    "a missing file": FileNotFoundError(2, "No such file or directory"),
    "a bug": ZeroDivisionError("division by zero"),
    "our own words, not the driver's": ValueError("connection is closed"),
    "a domain error": InvalidInput("painAfter", "must be 0 to 10"),
    "an integrity error without a driver error": IntegrityError("INSERT", {}, Exception("fk")),
}


@pytest.mark.parametrize("name", sorted(NOT_OUTAGES))
def test_bugs_and_bad_requests_are_not_unavailable(name):
    assert not database_unavailable(NOT_OUTAGES[name]), name


def test_a_cyclic_chain_ends():
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__context__, second.__context__ = second, first
    assert not database_unavailable(first)


async def test_a_unit_of_work_does_not_spin_on_a_refused_connection():
    """The retry on a fresh connection is for a pooled one Postgres dropped; a refused new one fails at once."""
    from sqlalchemy import event

    from services.common.db import UnitOfWork, create_engine

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    engine = create_engine(f"postgresql+asyncpg://momentum:x@127.0.0.1:{port}/momentum", pool_size=2)
    attempts: list[int] = []
    event.listen(engine.sync_engine, "do_connect", lambda *args: attempts.append(1))
    try:
        with pytest.raises(OSError) as refused:
            async with UnitOfWork(engine, "plans", None):
                raise AssertionError("no transaction can start")
        assert database_unavailable(refused.value)
        assert len(attempts) == 1
    finally:
        await engine.dispose()


async def test_a_database_host_that_never_answers_is_a_timeout_that_counts_as_unavailable():
    """A listener that accepts TCP and never speaks (a wedged or black-holed server): connect gives up after the
    engine's connect timeout, well inside the gateway's deadline, and that is an outage (503), not a hang."""
    import time

    from services.common.db import UnitOfWork, create_engine

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever reads or answers
    port = silent.getsockname()[1]
    engine = create_engine(f"postgresql+asyncpg://momentum:x@127.0.0.1:{port}/momentum", pool_size=2, connect_timeout=0.3)
    started = time.monotonic()
    try:
        with pytest.raises(Exception) as timed_out:
            async with UnitOfWork(engine, "plans", None):
                raise AssertionError("no transaction can start")
        assert time.monotonic() - started < 3
        assert database_unavailable(timed_out.value), repr(timed_out.value)
    finally:
        await engine.dispose()
        silent.close()
