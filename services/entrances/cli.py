"""`momentum entrances ...`: run the repair sweep once, or finalize one entrance by hand."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Awaitable, Callable

import typer

from services.cli_kit import uuid_value, Json, Refused, emit, run, table
from services.common.settings import load_settings


async def _with_finalizer(action: Callable[[Any, Any], Awaitable[Any]]) -> Any:
    """The service's own Finalizer and sweep over a small pool; events land in the outbox and the
    running service's relay publishes them."""
    from services.cli_kit import service_database
    from services.common.clock import SystemClock
    from services.entrances.finalizer import Finalizer
    from services.entrances.plans_client import PlansClient
    from services.entrances.sweep import RepairSweep

    settings = load_settings()
    async with service_database("entrances") as database:
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


def sweep(as_json: Json = False) -> None:
    """Finalize every PENDING entrance past its deadline plus the grace, once. Exits 1 when any failed."""
    outcomes = run(_with_finalizer(lambda finalizer, sweep: sweep.run_once()))
    counts = {outcome: count for outcome, count in sorted(outcomes.items())}
    emit(counts, as_json, lambda: table([{"outcome": o, "count": c} for o, c in counts.items()], ["outcome", "count"])
         if counts else "no PENDING entrance is past its deadline and the grace period")
    if counts.get("failed"):
        raise typer.Exit(1)


def finalize(
    tenant: Annotated[uuid.UUID, typer.Option(help="The clinic's id.", parser=uuid_value)],
    entrance: Annotated[uuid.UUID, typer.Option(help="The entrance's id.", parser=uuid_value)],
    as_json: Json = False,
) -> None:
    """Finalize one entrance now if it is PENDING and due; prints the outcome."""
    outcome = run(_with_finalizer(lambda finalizer, sweep: finalizer.finalize(tenant, str(entrance))))
    if outcome is None:
        raise Refused(f"entrance {entrance} is not known in clinic {tenant}")
    emit({"entranceId": str(entrance), "outcome": outcome.value}, as_json, lambda: outcome.value)


def register(app: typer.Typer) -> None:
    entrances = typer.Typer(help="App entrances: the repair sweep, finalizing one by hand.", no_args_is_help=True)
    entrances.command("sweep")(sweep)
    entrances.command("finalize")(finalize)
    app.add_typer(entrances, name="entrances")
