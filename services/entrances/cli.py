"""`momentum entrances ...`: run the repair sweep once, or finalize one entrance by hand."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any, Awaitable, Callable

from services.common.parsing import uuid_argument
from services.common.settings import load_settings


async def _with_finalizer(action: Callable[[Any, Any], Awaitable[Any]]) -> Any:
    """The service's own Finalizer and sweep over a small pool; events land in the outbox and the
    running service's relay publishes them."""
    from services.common.clock import SystemClock
    from services.common.db import Database, create_engine
    from services.entrances.finalizer import Finalizer
    from services.entrances.plans_client import PlansClient
    from services.entrances.sweep import RepairSweep

    settings = load_settings()
    database = Database(create_engine(settings.database.app_url("entrances"), 2, settings=settings.database), "entrances")
    plans = PlansClient(settings)
    clock = SystemClock()
    finalizer = Finalizer(database, plans, clock)
    sweep = RepairSweep(
        database, finalizer, clock, settings.entrance_sweep_interval, settings.entrance_sweep_grace,
        settings.entrance_finalizer_concurrency,
    )
    try:
        return await action(finalizer, sweep)
    finally:
        await plans.close()
        await database.dispose()


def cmd_sweep(args: argparse.Namespace) -> int:
    outcomes = asyncio.run(_with_finalizer(lambda finalizer, sweep: sweep.run_once()))
    if not outcomes:
        print("no PENDING entrance is past its deadline and the grace period")
    for outcome, count in sorted(outcomes.items()):
        print(f"{outcome}\t{count}")
    return 1 if outcomes.get("failed") else 0


def cmd_finalize(args: argparse.Namespace) -> int:
    outcome = asyncio.run(
        _with_finalizer(lambda finalizer, sweep: finalizer.finalize(args.tenant, str(args.entrance)))
    )
    print(outcome.value if outcome else f"entrance {args.entrance} is not known in clinic {args.tenant}")
    return 0 if outcome else 1


def register(commands: Any) -> None:
    entrances = commands.add_parser("entrances", help="app entrances").add_subparsers(dest="action", required=True)
    sweep = entrances.add_parser("sweep", help="finalize every PENDING entrance past its deadline plus the grace, once")
    sweep.set_defaults(run=cmd_sweep)
    finalize = entrances.add_parser("finalize", help="finalize one entrance now if it is PENDING and due")
    finalize.add_argument("--tenant", type=uuid_argument, required=True)
    finalize.add_argument("--entrance", type=uuid_argument, required=True)
    finalize.set_defaults(run=cmd_finalize)
