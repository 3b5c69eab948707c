"""`momentum seed --demo`: demo data for a newcomer after `make up`; plans' other commands register here too."""

from __future__ import annotations

from typing import Annotated

import typer

from services.cli_kit import Json, Refused, emit, progress, run, service_database
from services.common.settings import load_settings
from services.plans.billing import cli as billing_cli


def register(app: typer.Typer) -> None:
    app.command("seed")(seed)
    billing_cli.register(app)


def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Required: the demo clinic (fixed ids, safe to rerun).")] = False,
    as_json: Json = False,
) -> None:
    """Create demo data: a clinic, its people, plans and three weeks of history (once; a rerun changes nothing)."""
    from services.common.clock import SystemClock
    from services.plans.care.handlers import WorkoutHandlers
    from services.plans.care.plan_handlers import PlanHandlers
    from services.plans.demo_seed import seed_demo
    from services.plans.people.handlers import PeopleHandlers

    if not demo:
        raise Refused("momentum seed creates only the demo clinic: add --demo")
    settings = load_settings()

    async def go():  # type: ignore[no-untyped-def]
        clock = SystemClock()
        async with service_database("plans") as database:
            return await seed_demo(
                PeopleHandlers(database, clock), PlanHandlers(database, clock), WorkoutHandlers(database, clock, settings.auth),
                clock, on_patient=lambda done, total: bar.update(done, total),
            )

    with progress("seeding the demo clinic", as_json) as bar:
        clinic = run(go())
    document = {
        "created": clinic.created, "clinicId": str(clinic.tenant_id), "adminId": str(clinic.admin_id),
        "therapistId": str(clinic.therapist_id), "patientIds": [str(p) for p in clinic.patient_ids],
    }
    emit(document, as_json, lambda: "\n".join([
        "demo clinic " + ("created" if clinic.created else "already present"),
        f"  tenant     {clinic.tenant_id}",
        f"  admin      {clinic.admin_id}",
        f"  therapist  {clinic.therapist_id}",
        *(f"  patient    {patient}" for patient in clinic.patient_ids),
        "events reach the other services through the plans outbox once `make up` is running.",
        f"token: .venv/bin/momentum token --tenant {clinic.tenant_id} --user {clinic.patient_ids[0]} --role patient",
    ]))
