"""All SQL of the operator's clinic directory: every clinic's id, and a clinic with its head count by role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import text

from services.common.db import UnitOfWork


@dataclass(frozen=True)
class ClinicSummary:
    tenant_id: uuid.UUID
    name: str
    default_timezone: str
    active: bool
    feature_flags: dict[str, bool]
    rtm_qualifying_policy: str
    # Active people by role; deactivated ones counted apart.
    people: dict[str, int] = field(default_factory=dict)
    inactive_people: int = 0


async def clinic_ids(uow: UnitOfWork) -> list[uuid.UUID]:
    """Every clinic's id: the directory is readable across tenants, the clinics' own rows are not."""
    return [row.tenant_id for row in await uow.execute(text("SELECT tenant_id FROM plans.tenant_directory ORDER BY tenant_id"))]


async def clinic_summary(uow: UnitOfWork, tenant_id: uuid.UUID) -> ClinicSummary | None:
    """The clinic of the unit of work's tenant, with its people counted in the same statement."""
    row = (
        await uow.execute(
            text(
                "SELECT t.tenant_id, t.name, t.default_timezone, t.active, t.feature_flags, t.rtm_qualifying_policy, "
                "  COALESCE((SELECT jsonb_object_agg(role, n) FROM (SELECT role, count(*) AS n FROM plans.users "
                "            WHERE tenant_id = t.tenant_id AND active GROUP BY role) r), '{}'::jsonb) AS people, "
                "  (SELECT count(*) FROM plans.users WHERE tenant_id = t.tenant_id AND NOT active) AS inactive_people "
                "FROM plans.tenants t WHERE t.tenant_id = :t"
            ),
            {"t": tenant_id},
        )
    ).first()
    if row is None:
        return None
    return ClinicSummary(
        row.tenant_id, row.name, row.default_timezone, bool(row.active), dict(row.feature_flags),
        row.rtm_qualifying_policy, {role: int(n) for role, n in dict(row.people).items()}, int(row.inactive_people),
    )
