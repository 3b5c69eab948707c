"""`momentum seed --demo`: demo data for a newcomer after `make up`."""

from __future__ import annotations

import argparse
import asyncio

from services.common.settings import load_settings
from services.plans.billing import cli as billing_cli


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    seed = commands.add_parser("seed", help="create demo data (a clinic, its people, plans and weeks of history)")
    seed.add_argument("--demo", action="store_true", required=True)
    seed.set_defaults(run=run_seed)
    billing_cli.register(commands)


def run_seed(args: argparse.Namespace) -> int:
    from services.common.clock import SystemClock
    from services.common.db import Database, create_engine
    from services.plans.demo_seed import seed_demo
    from services.plans.care.handlers import WorkoutHandlers
    from services.plans.care.plan_handlers import PlanHandlers
    from services.plans.people.handlers import PeopleHandlers

    settings = load_settings()

    async def go():  # type: ignore[no-untyped-def]
        database = Database(create_engine(settings.database.app_url("plans"), 2, settings=settings.database), "plans")
        clock = SystemClock()
        try:
            return await seed_demo(
                PeopleHandlers(database, clock), PlanHandlers(database, clock), WorkoutHandlers(database, clock, settings.auth), clock
            )
        finally:
            await database.dispose()

    demo = asyncio.run(go())
    print("demo clinic " + ("created" if demo.created else "already present"))
    print(f"  tenant     {demo.tenant_id}")
    print(f"  admin      {demo.admin_id}")
    print(f"  therapist  {demo.therapist_id}")
    for patient in demo.patient_ids:
        print(f"  patient    {patient}")
    print("events reach the other services through the plans outbox once `make up` is running.")
    print(f"token: .venv/bin/momentum token --tenant {demo.tenant_id} --user {demo.patient_ids[0]} --role patient")
    return 0
