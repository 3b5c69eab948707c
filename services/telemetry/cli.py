"""`momentum telemetry …` and `momentum s3 setup`: media partitions, the replay bucket and its lifecycle, sessions in flight."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from services.cli_kit import Json, emit, run, service_database, storage_call, table
from services.common.settings import S3Settings, load_settings


def partitions(
    months_ahead: Annotated[
        Optional[int], typer.Option(min=0, max=24, help="Months of partitions to keep ready ahead (default: the service's).")
    ] = None,
    keep_months: Annotated[
        Optional[int], typer.Option(min=1, max=120, help="Months of media kept before a partition is dropped (default: the service's).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Create media partitions ahead and drop expired ones."""
    from services.telemetry import repository
    from services.telemetry.handlers import MEDIA_RETENTION_MONTHS, PARTITION_MONTHS_AHEAD

    ahead = months_ahead if months_ahead is not None else PARTITION_MONTHS_AHEAD
    keep = keep_months if keep_months is not None else MEDIA_RETENTION_MONTHS

    async def go() -> int:
        # The service's own role, through the same SECURITY DEFINER function its maintenance loop calls.
        async with service_database("telemetry") as database:
            async with database.unit_of_work(None) as uow:
                changed = await repository.maintain_month_partitions(uow, ahead, keep)
                await uow.commit()
            return changed

    changed = run(go())
    emit({"partitionsChanged": changed, "monthsAhead": ahead, "keepMonths": keep}, as_json,
         lambda: f"{changed} partitions created or dropped")


async def setup_replay_bucket(settings: S3Settings) -> list:
    """Creates the replay bucket if missing and states its lifecycle rules; returns the rules S3 now holds."""
    from services.telemetry.replay_store import ReplayStore

    store = ReplayStore(settings)
    await store.start()
    try:
        await store.setup()
        return await store.lifecycle_rules()
    finally:
        await store.close()


def lifecycle(as_json: Json = False) -> None:
    """Create the replay bucket if missing; print its lifecycle rules."""
    settings = load_settings().s3
    rules = storage_call(setup_replay_bucket(settings))
    emit(rules, as_json, lambda: f"bucket {settings.replay_bucket}:\n" + table(
        [{"id": r.get("ID"), "status": r.get("Status"), "rule": _rule_text(r)} for r in rules], ["id", "status", "rule"]
    ))


def _rule_text(rule: dict[str, Any]) -> str:
    parts = [f"{key}={value}" for key, value in rule.items() if key not in ("ID", "Status")]
    return "; ".join(parts)


def s3_setup(as_json: Json = False) -> None:
    """Create the replay bucket if missing and state its lifecycle rules (`momentum migrate` runs it)."""
    settings = load_settings().s3
    rules = storage_call(setup_replay_bucket(settings))
    emit({"bucket": settings.replay_bucket, "lifecycleRules": len(rules)}, as_json,
         lambda: f"bucket {settings.replay_bucket}: {len(rules)} lifecycle rules")


def sessions(as_json: Json = False) -> None:
    """Exercise sessions in flight, with the instance holding each."""
    from services.telemetry import repository

    async def go() -> list[dict]:
        async with service_database("telemetry") as database:
            async with database.unit_of_work(None) as uow:
                return await repository.sessions_in_flight(uow)

    found = run(go())
    emit(found, as_json, lambda: table(found, list(found[0])) if found else "no exercise session in flight")


def register(app: typer.Typer) -> None:
    telemetry = typer.Typer(help="Telemetry operations: media partitions, the replay bucket, sessions in flight.",
                            no_args_is_help=True)
    telemetry.command("partitions")(partitions)
    telemetry.command("lifecycle")(lifecycle)
    telemetry.command("sessions")(sessions)
    app.add_typer(telemetry, name="telemetry")
    s3 = typer.Typer(help="Object storage set-up (an admin step, not done at start-up).", no_args_is_help=True)
    s3.command("setup")(s3_setup)
    app.add_typer(s3, name="s3")
