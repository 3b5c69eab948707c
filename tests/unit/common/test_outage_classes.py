"""`database_unavailable`: the driver's ways of saying "Postgres is away" are an outage, a wrong statement is not."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError

from services.common.db import database_unavailable
from services.common.errors import InvalidInput


def wrapped(orig: BaseException, invalidated: bool = False) -> DBAPIError:
    """As SQLAlchemy raises it: the driver's error as `orig`."""
    return DBAPIError("SELECT 1", {}, orig, connection_invalidated=invalidated)


def chained(outer: BaseException, cause: BaseException) -> BaseException:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
        ConnectionResetError(104, "Connection reset by peer"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.exceptions.ObjectNotInPrerequisiteStateError('database "momentum" is not currently accepting connections'),
        wrapped(asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already")),
        wrapped(RuntimeError("anything"), invalidated=True),
        InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        chained(RuntimeError("plans handler failed"), ConnectionRefusedError(111, "refused")),
        TimeoutError(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_an_outage_is_recognised_whatever_the_driver_raised(exc: BaseException) -> None:
    assert database_unavailable(exc)


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key value violates unique constraint"),
        IntegrityError("INSERT", {}, asyncpg.exceptions.ForeignKeyViolationError("violates foreign key")),
        wrapped(asyncpg.exceptions.PostgresSyntaxError("syntax error at or near")),
        asyncpg.exceptions.ObjectNotInPrerequisiteStateError("cannot refresh materialized view concurrently"),
        InvalidInput("occurred_at", "must lie between 2000-01-01T00:00:00Z and 24 h from now"),
        ValueError("connection is closed"),  # our words, not the driver's
        RuntimeError("downstream away"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_wrong_statement_or_a_bug_is_not_an_outage(exc: BaseException) -> None:
    assert not database_unavailable(exc)


def test_a_cycle_in_the_exception_chain_ends() -> None:
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__context__, second.__context__ = second, first
    assert not database_unavailable(first)
