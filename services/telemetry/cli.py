"""`momentum telemetry …` and `momentum s3 setup`: media partitions, the replay bucket and its lifecycle, sessions in flight."""

from __future__ import annotations

import argparse
import asyncio
import json

from services.common.settings import S3Settings, load_settings


def cmd_partitions(args: argparse.Namespace) -> int:
    from services.common.db import Database, create_engine
    from services.telemetry import repository
    from services.telemetry.handlers import MEDIA_RETENTION_MONTHS, PARTITION_MONTHS_AHEAD

    settings = load_settings()

    async def run() -> int:
        # The service's own role, through the same SECURITY DEFINER function its maintenance loop calls.
        database = Database(create_engine(settings.database.app_url("telemetry"), 1, settings=settings.database), "telemetry")
        try:
            async with database.unit_of_work(None) as uow:
                changed = await repository.maintain_month_partitions(uow, args.months_ahead, args.keep_months)
                await uow.commit()
            return changed
        finally:
            await database.dispose()

    args.months_ahead = args.months_ahead if args.months_ahead is not None else PARTITION_MONTHS_AHEAD
    args.keep_months = args.keep_months if args.keep_months is not None else MEDIA_RETENTION_MONTHS
    print(f"{asyncio.run(run())} partitions created or dropped")
    return 0


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


def cmd_lifecycle(args: argparse.Namespace) -> int:
    print(json.dumps(asyncio.run(setup_replay_bucket(load_settings().s3)), indent=2, default=str))
    return 0


def cmd_s3_setup(args: argparse.Namespace) -> int:
    settings = load_settings().s3
    rules = asyncio.run(setup_replay_bucket(settings))
    print(f"bucket {settings.replay_bucket}: {len(rules)} lifecycle rules")
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    from services.common.db import Database, create_engine
    from services.telemetry import repository

    settings = load_settings()

    async def run() -> list[dict]:
        database = Database(create_engine(settings.database.app_url("telemetry"), 1, settings=settings.database), "telemetry")
        try:
            async with database.unit_of_work(None) as uow:
                return await repository.sessions_in_flight(uow)
        finally:
            await database.dispose()

    print(json.dumps(asyncio.run(run()), indent=2, default=str))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    telemetry = commands.add_parser("telemetry", help="telemetry operations").add_subparsers(dest="action", required=True)
    partitions = telemetry.add_parser("partitions", help="create media partitions ahead and drop expired ones")
    partitions.add_argument("--months-ahead", type=int, choices=range(0, 25), metavar="0..24")
    partitions.add_argument("--keep-months", type=int, choices=range(1, 121), metavar="1..120")
    partitions.set_defaults(run=cmd_partitions)
    lifecycle = telemetry.add_parser("lifecycle", help="create the replay bucket if missing; print its lifecycle rules")
    lifecycle.set_defaults(run=cmd_lifecycle)
    sessions = telemetry.add_parser("sessions", help="exercise sessions in flight, with the instance holding each")
    sessions.set_defaults(run=cmd_sessions)
    s3 = commands.add_parser("s3", help="object storage set-up (an admin step, not done at start-up)")
    s3.add_subparsers(dest="action", required=True).add_parser(
        "setup", help="create the replay bucket if missing and state its lifecycle rules (momentum migrate runs it)"
    ).set_defaults(run=cmd_s3_setup)
