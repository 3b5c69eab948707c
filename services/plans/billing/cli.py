"""`momentum billing recalculate`: recompute every patient's RTM records, a dry run unless --apply."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Annotated, Callable, Optional

import typer

from services.cli_kit import uuid_value, Json, emit, progress, run, service_database
from services.common.clock import Clock
from services.common.db import Database


def register(app: typer.Typer) -> None:
    billing = typer.Typer(help="RTM billing operations.", no_args_is_help=True)
    billing.command("recalculate")(recalculate)
    app.add_typer(billing, name="billing")


@dataclass
class RecalculateSummary:
    clinics: int = 0
    patients: int = 0
    patients_changing: int = 0
    changes: int = 0
    applied: bool = False
    # One line per record change ("tenant T patient P: update data_days ..."), and clinics skipped and why.
    lines: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        raw = asdict(self)
        return {"clinics": raw["clinics"], "patients": raw["patients"], "patientsChanging": raw["patients_changing"],
                "changes": raw["changes"], "applied": raw["applied"], "lines": raw["lines"]}

    def describe(self) -> str:
        verb = "changed" if self.applied else "would change (dry run; pass --apply to write)"
        return "\n".join([
            *self.lines,
            f"{self.clinics} clinic(s), {self.patients} patient(s) checked; "
            f"{self.patients_changing} patient(s) {verb}, {self.changes} record change(s)",
        ])


async def recalculate_everyone(
    database: Database, clock: Clock, apply: bool, tenant: uuid.UUID | None = None,
    on_patient: Callable[[int, int | None], None] | None = None,
) -> RecalculateSummary:
    """One transaction per patient, so a long run holds no lock for long and a failure loses one
    patient's work at most. A dry run computes the same way and rolls back. `on_patient(done, known)`
    follows the work: `known` grows as each clinic's patients are listed."""
    from services.plans.billing import repository as billing
    from services.plans.billing.handlers import recalculate_patient

    summary = RecalculateSummary(applied=apply)
    if tenant is not None:
        tenants = [tenant]
    else:
        async with database.unit_of_work(None) as uow:
            tenants = await billing.tenant_directory(uow)
    known = 0
    for tenant_id in tenants:
        async with database.unit_of_work(tenant_id) as uow:
            settings = await billing.billing_settings(uow, tenant_id)
            patients = await billing.patients_to_recalculate(uow) if settings and settings.enabled else []
        if settings is None or not settings.enabled:
            if tenant is not None:
                summary.lines.append(f"tenant {tenant_id}: RTM billing is not enabled (feature flag rtmBilling); nothing to do")
            continue
        summary.clinics += 1
        known += len(patients)
        if on_patient is not None:
            on_patient(summary.patients, known)
        for patient_id in patients:
            async with database.unit_of_work(tenant_id) as uow:
                outcome = await recalculate_patient(uow, clock, tenant_id, patient_id, trigger="cli")
                if apply:
                    await uow.commit()
            summary.patients += 1
            if outcome is not None and outcome.changes:
                summary.patients_changing += 1
                summary.changes += outcome.changes
                summary.lines += [f"tenant {tenant_id} patient {patient_id}: {line}" for line in outcome.describe()]
            if on_patient is not None:
                on_patient(summary.patients, known)
    return summary


def recalculate(
    tenant: Annotated[
        Optional[uuid.UUID], typer.Option(help="Only this clinic (default: every clinic that bills RTM).", parser=uuid_value)
    ] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Write the changes (default: dry run, nothing written).")] = False,
    as_json: Json = False,
) -> None:
    """Recompute every patient's RTM billing records from the source records; prints what would change."""
    from services.common.clock import SystemClock

    async def go() -> RecalculateSummary:
        async with service_database("plans") as database:
            return await recalculate_everyone(database, SystemClock(), apply, tenant, on_patient=bar.update)

    with progress("recalculating RTM records", as_json) as bar:
        summary = run(go())
    emit(summary.as_json(), as_json, summary.describe)
