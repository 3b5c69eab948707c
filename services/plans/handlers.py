"""Use cases of the plans service: load, apply the clinic's rules, save, emit events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from momentum.events.v1 import events_pb2
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.errors import InvalidInput, NotFound, PermissionDenied
from services.common.identity import SERVICE_ROLE, Identity
from services.common.timezones import UnknownTimezone, resolve_zone_name, zone
from services.plans import repository
from services.plans.repository import TenantRow, UserRow

USER_TIMEZONE_CHANGED = "plans.user.timezone_changed"
# Flags a clinic admin may switch; anything else is a typo, not a new flag.
FEATURE_FLAGS = ("appEntranceTracking", "rtmBilling")


@dataclass(frozen=True)
class TimezoneUpdate:
    timezone: str
    previous_timezone: str | None
    changed: bool


@dataclass(frozen=True)
class PatientContext:
    patient_id: uuid.UUID
    tenant_id: uuid.UUID
    timezone: str
    feature_flags: dict[str, bool]


def timestamp(at: Any) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at)
    return ts


async def audit(uow: UnitOfWork, who: Identity, action: str, entity_type: str, entity_id: str, at: Any, **details: Any) -> None:
    await repository.write_audit(
        uow, who.tenant_id, who.user_id, who.role, action, entity_type, entity_id, who.request_id, details, at
    )


class PlansHandlers:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    # ------------------------------------------------------------------ tenants and users
    async def create_tenant(self, tenant_id: uuid.UUID, name: str, default_timezone: str, flags: dict[str, bool]) -> None:
        _require_zone("default_timezone", default_timezone)
        async with self._db.unit_of_work(tenant_id) as uow:
            await repository.insert_tenant(uow, tenant_id, name, default_timezone, flags)
            await uow.commit()

    async def create_user(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str, display_name: str, timezone: str | None = None
    ) -> None:
        if timezone is not None:
            _require_zone("timezone", timezone)
        async with self._db.unit_of_work(tenant_id) as uow:
            await repository.insert_user(uow, user_id, tenant_id, role, display_name, timezone)
            await uow.commit()

    async def get_me(self, who: Identity) -> tuple[UserRow, TenantRow]:
        async with self._db.unit_of_work(who.tenant_id) as uow:
            user = await repository.get_user(uow, who.user_id)
            tenant = await repository.get_tenant(uow, who.tenant_id)
        if user is None or tenant is None:
            raise NotFound(f"user {who.user_id} is not known in this clinic")
        return user, tenant

    async def update_my_timezone(self, who: Identity, timezone: str) -> TimezoneUpdate:
        _require_zone("timezone", timezone)
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            user = await repository.get_user(uow, who.user_id, for_update=True)
            if user is None:
                raise NotFound(f"user {who.user_id} is not known in this clinic")
            changed = user.timezone != timezone
            if changed:
                await repository.set_user_timezone(uow, user.user_id, timezone, now)
                await uow.add_event(
                    USER_TIMEZONE_CHANGED,
                    events_pb2.UserTimezoneChanged(
                        user_id=str(user.user_id),
                        role=user.role,
                        previous_timezone=user.timezone or "",
                        timezone=timezone,
                        changed_at=timestamp(now),
                    ),
                    tenant_id=who.tenant_id,
                    occurred_at=now,
                )
            await audit(
                uow, who, "user.timezone.update", "user", str(user.user_id), now,
                timezone=timezone, previous_timezone=user.timezone, changed=changed,
            )
            await uow.commit()
        return TimezoneUpdate(timezone, user.timezone, changed)

    async def patient_context(self, who: Identity, patient_id: uuid.UUID) -> PatientContext:
        if who.role == "patient" and who.user_id != patient_id:
            raise PermissionDenied("a patient may only read their own context")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            user = await repository.get_user(uow, patient_id)
            tenant = await repository.get_tenant(uow, who.tenant_id)
        if user is None or tenant is None or user.role != "patient":
            raise NotFound(f"patient {patient_id} is not known in this clinic")
        return PatientContext(
            patient_id=user.user_id,
            tenant_id=user.tenant_id,
            timezone=resolve_zone_name(user.timezone, tenant.default_timezone),
            feature_flags=tenant.feature_flags,
        )


    # ------------------------------------------------------------------ feature flags
    async def feature_flags(self, who: Identity) -> dict[str, bool]:
        who.require_role("admin", SERVICE_ROLE)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            tenant = await repository.get_tenant(uow, who.tenant_id)
        if tenant is None:
            raise NotFound(f"clinic {who.tenant_id} is not known")
        return {flag: bool(tenant.feature_flags.get(flag, False)) for flag in FEATURE_FLAGS}

    async def set_feature_flag(self, who: Identity, flag: str, enabled: bool) -> dict[str, bool]:
        who.require_role("admin")
        if flag not in FEATURE_FLAGS:
            raise InvalidInput("flag", f"unknown feature flag {flag!r}; known: {', '.join(FEATURE_FLAGS)}")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            tenant = await repository.get_tenant(uow, who.tenant_id, for_update=True)
            if tenant is None:
                raise NotFound(f"clinic {who.tenant_id} is not known")
            flags = {**tenant.feature_flags, flag: enabled}
            await repository.set_feature_flags(uow, who.tenant_id, flags)
            await audit(uow, who, "tenant.feature_flag.set", "tenant", str(who.tenant_id), now, flag=flag, enabled=enabled)
            await uow.commit()
        return {name: bool(flags.get(name, False)) for name in FEATURE_FLAGS}


def _require_zone(field: str, name: str) -> None:
    try:
        zone(name)
    except UnknownTimezone as exc:
        raise InvalidInput(field, str(exc)) from exc


__all__ = ["PlansHandlers", "SERVICE_ROLE", "USER_TIMEZONE_CHANGED"]
