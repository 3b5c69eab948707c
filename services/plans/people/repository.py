"""All SQL of the clinic's people: tenants, users, therapist assignment and the consent ledger."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime


from sqlalchemy import text

from services.common.db import UnitOfWork


@dataclass(frozen=True)
class TenantRow:
    tenant_id: uuid.UUID
    name: str
    default_timezone: str
    feature_flags: dict[str, bool]
    rtm_qualifying_policy: str = "activity_days"


@dataclass(frozen=True)
class UserRow:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: str
    display_name: str
    timezone: str | None
    active: bool = True


@dataclass(frozen=True)
class StoredIdentity:
    """What the database says about a token's clinic and user; user_role None: no such user in the clinic."""

    tenant_known: bool
    tenant_active: bool
    user_role: str | None
    user_active: bool


async def identity_of(uow: UnitOfWork, tenant_id: uuid.UUID, user_id: uuid.UUID) -> StoredIdentity:
    """One round trip: the clinic, and the user only if they belong to it."""
    row = (
        await uow.execute(
            text(
                "SELECT t.active AS tenant_active, u.role, u.active AS user_active FROM plans.tenants t "
                "LEFT JOIN plans.users u ON u.user_id = :u AND u.tenant_id = t.tenant_id WHERE t.tenant_id = :t"
            ),
            {"t": tenant_id, "u": user_id},
        )
    ).first()
    if row is None:
        return StoredIdentity(False, False, None, False)
    return StoredIdentity(True, bool(row.tenant_active), row.role, bool(row.user_active))


async def update_user_access(uow: UnitOfWork, user_id: uuid.UUID, role: str | None, active: bool | None) -> bool:
    """Changes the stored role and/or active flag; False when there is no such user in the clinic."""
    result = await uow.execute(
        text(
            "UPDATE plans.users SET role = COALESCE(:role, role), active = COALESCE(:active, active) "
            "WHERE user_id = :u RETURNING user_id"
        ),
        {"role": role, "active": active, "u": user_id},
    )
    return result.first() is not None


async def set_tenant_active(uow: UnitOfWork, tenant_id: uuid.UUID, active: bool) -> bool:
    result = await uow.execute(
        text("UPDATE plans.tenants SET active = :active WHERE tenant_id = :t RETURNING tenant_id"),
        {"active": active, "t": tenant_id},
    )
    return result.first() is not None


async def insert_tenant(uow: UnitOfWork, tenant_id: uuid.UUID, name: str, default_timezone: str, flags: dict[str, bool]) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.tenants (tenant_id, name, default_timezone, feature_flags) "
            "VALUES (:tenant_id, :name, :tz, CAST(:flags AS jsonb)) ON CONFLICT (tenant_id) DO NOTHING"
        ),
        {"tenant_id": tenant_id, "name": name, "tz": default_timezone, "flags": json.dumps(flags)},
    )


async def get_tenant(uow: UnitOfWork, tenant_id: uuid.UUID, for_update: bool = False) -> TenantRow | None:
    lock = " FOR UPDATE" if for_update else ""
    row = (
        await uow.execute(
            text(
                "SELECT tenant_id, name, default_timezone, feature_flags, rtm_qualifying_policy "
                f"FROM plans.tenants WHERE tenant_id = :t{lock}"
            ),
            {"t": tenant_id},
        )
    ).first()
    if row is None:
        return None
    return TenantRow(row.tenant_id, row.name, row.default_timezone, dict(row.feature_flags), row.rtm_qualifying_policy)


async def set_feature_flags(uow: UnitOfWork, tenant_id: uuid.UUID, flags: dict[str, bool]) -> None:
    await uow.execute(
        text("UPDATE plans.tenants SET feature_flags = CAST(:flags AS jsonb) WHERE tenant_id = :t"),
        {"flags": json.dumps(flags), "t": tenant_id},
    )


async def insert_user(
    uow: UnitOfWork, user_id: uuid.UUID, tenant_id: uuid.UUID, role: str, display_name: str, timezone: str | None
) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.users (user_id, tenant_id, role, display_name, timezone) "
            "VALUES (:user_id, :tenant_id, :role, :name, :tz) ON CONFLICT (user_id) DO NOTHING"
        ),
        {"user_id": user_id, "tenant_id": tenant_id, "role": role, "name": display_name, "tz": timezone},
    )


async def get_user(uow: UnitOfWork, user_id: uuid.UUID, for_update: bool = False) -> UserRow | None:
    lock = " FOR UPDATE" if for_update else ""
    row = (
        await uow.execute(
            text(f"SELECT user_id, tenant_id, role, display_name, timezone, active FROM plans.users WHERE user_id = :u{lock}"),
            {"u": user_id},
        )
    ).first()
    return UserRow(row.user_id, row.tenant_id, row.role, row.display_name, row.timezone, row.active) if row else None


async def set_user_timezone(uow: UnitOfWork, user_id: uuid.UUID, timezone: str, at: datetime) -> None:
    await uow.execute(
        text("UPDATE plans.users SET timezone = :tz, timezone_updated_at = :at WHERE user_id = :u"),
        {"tz": timezone, "at": at, "u": user_id},
    )



async def list_patients(uow: UnitOfWork) -> list[UserRow]:
    rows = await uow.execute(
        text("SELECT user_id, tenant_id, role, display_name, timezone FROM plans.users WHERE role = 'patient' ORDER BY display_name")
    )
    return [UserRow(r.user_id, r.tenant_id, r.role, r.display_name, r.timezone) for r in rows]


async def list_users(uow: UnitOfWork, role: str | None) -> list[UserRow]:
    """The clinic's people of one role (None: all), active or not, by role then name."""
    rows = await uow.execute(
        text(
            "SELECT user_id, tenant_id, role, display_name, timezone, active FROM plans.users "
            "WHERE CAST(:role AS text) IS NULL OR role = :role ORDER BY role, display_name, user_id"
        ),
        {"role": role},
    )
    return [UserRow(r.user_id, r.tenant_id, r.role, r.display_name, r.timezone, r.active) for r in rows]


async def assign_patient(uow: UnitOfWork, tenant_id: uuid.UUID, therapist_id: uuid.UUID, patient_id: uuid.UUID) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.therapist_patients (tenant_id, therapist_id, patient_id) VALUES (:t, :th, :p) "
            "ON CONFLICT DO NOTHING"
        ),
        {"t": tenant_id, "th": therapist_id, "p": patient_id},
    )


async def append_consent(
    uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, purpose: str, granted: bool, at: datetime,
    recorded_by: uuid.UUID, request_id: str | None,
) -> None:
    await uow.execute(
        text(
            "INSERT INTO plans.consent_ledger (tenant_id, patient_id, purpose, granted, recorded_at, recorded_by, request_id) "
            "VALUES (:t, :p, :purpose, :granted, :at, :by, :rid)"
        ),
        {"t": tenant_id, "p": patient_id, "purpose": purpose, "granted": granted, "at": at, "by": recorded_by, "rid": request_id},
    )


async def current_consents(uow: UnitOfWork, patient_id: uuid.UUID) -> dict[str, tuple[bool, datetime]]:
    """The latest ledger entry per purpose: the ledger is the truth, the state is derived."""
    rows = await uow.execute(
        text(
            "SELECT DISTINCT ON (purpose) purpose, granted, recorded_at FROM plans.consent_ledger "
            "WHERE patient_id = :p ORDER BY purpose, consent_entry_id DESC"
        ),
        {"p": patient_id},
    )
    return {r.purpose: (r.granted, r.recorded_at) for r in rows}


async def set_qualifying_policy(uow: UnitOfWork, tenant_id: uuid.UUID, policy: str) -> None:
    await uow.execute(
        text("UPDATE plans.tenants SET rtm_qualifying_policy = :policy WHERE tenant_id = :t"), {"policy": policy, "t": tenant_id}
    )
