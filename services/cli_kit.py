"""What every `momentum` command shares: exit codes, refusals, --json or text output, progress bars, the plans database."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from contextlib import asynccontextmanager, contextmanager
from enum import Enum
from typing import Annotated, Any, AsyncIterator, Awaitable, Callable, Iterator, TypeVar

import typer

from services.common.settings import load_settings

T = TypeVar("T")

# Exit codes scripts rely on: 2 the request is refused or malformed (nothing written), 3 a dependency
# (database, broker, object storage) is away (nothing written, try again); 1 is anything else.
EXIT_REFUSED = 2
EXIT_DEPENDENCY_AWAY = 3

Json = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout (stable keys) instead of text.")
]


class Role(str, Enum):
    patient = "patient"
    therapist = "therapist"
    admin = "admin"


class Refused(Exception):
    """The operator's request is refused as given: one line on stderr, exit 2."""

    exit_code = EXIT_REFUSED


class DependencyAway(Exception):
    """A dependency cannot be reached: one line on stderr naming it, exit 3."""

    exit_code = EXIT_DEPENDENCY_AWAY


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def emit(data: Any, as_json: bool, text: Callable[[], str]) -> None:
    """Prints `data` as one JSON document, or the operator's text for it."""
    if as_json:
        print(json.dumps(data, indent=2, default=str))
    else:
        print(text())


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Plain aligned columns: greppable and never wrapped, whatever the terminal's width."""
    if not rows:
        return "(none)"
    widths = {c: max([len(c)] + [len(_cell(r[c])) for r in rows]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines += ["  ".join(_cell(r[c]).ljust(widths[c]) for c in columns).rstrip() for r in rows]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class Progress:
    """A rich progress bar on stderr when stderr is a terminal and the output is not --json; else silent."""

    def __init__(self, description: str, shown: bool) -> None:
        self._description = description
        self._bar: Any = None
        self._task: Any = None
        if shown:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            console = Console(stderr=True)
            if console.is_terminal:
                self._bar = RichProgress(
                    TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, transient=True,
                )

    def update(self, done: int, total: int | None) -> None:
        """`done` of `total` (None: not known yet) units of work."""
        if self._bar is None:
            return
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task(self._description, total=total)
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@contextmanager
def progress(description: str, as_json: bool = False) -> Iterator[Progress]:
    bar = Progress(description, shown=not as_json and sys.stderr.isatty())
    try:
        yield bar
    finally:
        bar.close()


def run(coroutine: Awaitable[T]) -> T:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


@asynccontextmanager
async def service_database(service: str) -> AsyncIterator[Any]:
    """The service's own role over a small pool: row-level security applies exactly as in the service."""
    from services.common.db import Database, create_engine

    settings = load_settings()
    database = Database(create_engine(settings.database.app_url(service), 2, settings=settings.database), service)
    try:
        yield database
    finally:
        await database.dispose()


async def with_people(action: Callable[[Any], Awaitable[T]]) -> T:
    from services.common.clock import SystemClock
    from services.plans.people.handlers import PeopleHandlers

    async with service_database("plans") as database:
        return await action(PeopleHandlers(database, SystemClock()))


def broker_call(coroutine: Awaitable[T]) -> T:
    """One broker operation; an unreachable broker is DependencyAway, not a traceback."""
    import aio_pika

    # The client logs each failed connection attempt itself; the operator gets the one line below instead.
    for name in ("aiormq", "aio_pika"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        return run(coroutine)
    except (OSError, aio_pika.exceptions.AMQPError) as exc:
        raise DependencyAway(f"cannot reach the broker ({one_line(exc)}); try again") from None


def storage_call(coroutine: Awaitable[T]) -> T:
    """One object-storage operation; an unreachable S3 endpoint is DependencyAway."""
    try:
        return run(coroutine)
    except Exception as exc:
        if type(exc).__name__ in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError") or isinstance(
            exc, OSError
        ):
            raise DependencyAway(f"cannot reach object storage ({one_line(exc)}); try again") from None
        raise


def uuid_value(raw: str) -> uuid.UUID:
    """A UUID on the command line; the refusal quotes what was typed."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise typer.BadParameter(f"{raw!r} is not a UUID") from None
