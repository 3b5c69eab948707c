"""`momentum billing recalculate`: recompute every patient's RTM records, a dry run unless --apply."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from dataclasses import dataclass
from typing import TextIO

from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import InvalidInput
from services.common.parsing import parse_uuid
from services.common.settings import load_settings


def _tenant(raw: str) -> uuid.UUID:
    try:
        return parse_uuid("--tenant", raw)
    except InvalidInput as exc:  # argparse names the option and prints its own usage line
        raise argparse.ArgumentTypeError(f"{raw!r} is not a UUID") from exc


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    billing = commands.add_parser("billing", help="RTM billing operations").add_subparsers(dest="action", required=True)
    recalc = billing.add_parser(
        "recalculate",
        help="recompute every patient's RTM billing records from source records; prints what would change",
    )
    recalc.add_argument("--tenant", type=_tenant, help="only this clinic (default: every clinic that bills RTM)")
    recalc.add_argument("--apply", action="store_true", help="write the changes (default: dry run, nothing written)")
    recalc.set_defaults(run=run_recalculate)


@dataclass
class RecalculateSummary:
    tenants: int = 0
    patients: int = 0
    patients_changing: int = 0
    changes: int = 0


async def recalculate_everyone(
    database: Database, clock: Clock, apply: bool, out: TextIO, tenant: uuid.UUID | None = None
) -> RecalculateSummary:
    """One transaction per patient, so a long run holds no lock for long and a failure loses one
    patient's work at most. A dry run computes the same way and rolls back."""
    from services.plans.billing import repository as billing
    from services.plans.billing.handlers import recalculate_patient

    summary = RecalculateSummary()
    if tenant is not None:
        tenants = [tenant]
    else:
        async with database.unit_of_work(None) as uow:
            tenants = await billing.tenant_directory(uow)
    for tenant_id in tenants:
        async with database.unit_of_work(tenant_id) as uow:
            settings = await billing.billing_settings(uow, tenant_id)
            patients = await billing.patients_to_recalculate(uow) if settings and settings.enabled else []
        if settings is None or not settings.enabled:
            if tenant is not None:
                print(f"tenant {tenant_id}: RTM billing is not enabled (feature flag rtmBilling); nothing to do", file=out)
            continue
        summary.tenants += 1
        for patient_id in patients:
            async with database.unit_of_work(tenant_id) as uow:
                outcome = await recalculate_patient(uow, clock, tenant_id, patient_id, trigger="cli")
                if apply:
                    await uow.commit()
            summary.patients += 1
            if outcome is not None and outcome.changes:
                summary.patients_changing += 1
                summary.changes += outcome.changes
                for line in outcome.describe():
                    print(f"tenant {tenant_id} patient {patient_id}: {line}", file=out)
    verb = "changed" if apply else "would change (dry run; pass --apply to write)"
    print(
        f"{summary.tenants} clinic(s), {summary.patients} patient(s) checked; "
        f"{summary.patients_changing} patient(s) {verb}, {summary.changes} record change(s)",
        file=out,
    )
    return summary


def run_recalculate(args: argparse.Namespace) -> int:
    from services.common.clock import SystemClock
    from services.common.db import create_engine

    settings = load_settings()

    async def go() -> RecalculateSummary:
        database = Database(create_engine(settings.database.app_url("plans"), 2, settings=settings.database), "plans")
        try:
            return await recalculate_everyone(database, SystemClock(), args.apply, sys.stdout, args.tenant)
        finally:
            await database.dispose()

    asyncio.run(go())
    return 0
