"""Use cases of the clinic's people: tenants, users and their zones, assignment, the consent ledger,
feature flags and the RTM policy."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from momentum.events.v1 import events_pb2
from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from services.common.identity import ROLES, SERVICE_ROLE, Identity
from services.common.parsing import to_timestamp
from services.common.timezones import UnknownTimezone, resolve_zone_name, zone
from services.plans.people import credentials_repository, repository
from services.plans.people.repository import StoredIdentity, TenantRow, UserRow

USER_TIMEZONE_CHANGED = "plans.user.timezone_changed"
CONSENT_CHANGED = "plans.consent.changed"
BILLING_SETTINGS_CHANGED = "plans.tenant.billing_settings_changed"
FEATURE_FLAGS_CHANGED = "plans.tenant.feature_flags_changed"
CONSENT_PURPOSES = ("analytics", "biometric")
QUALIFYING_POLICIES = ("activity_days", "access_days")
# Flags a clinic admin may switch; anything else is a typo, not a new flag.
FEATURE_FLAGS = ("appEntranceTracking", "rtmBilling")

BROWSER_CREDENTIALS = ("signin_link", "session")


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
    rtm_qualifying_policy: str


async def visible_patient(uow: UnitOfWork, who: Identity, patient_id: uuid.UUID) -> UserRow:
    """The patient, if the caller may see them: a patient only themselves; staff and services any
    patient of their clinic (row-level security already hides other clinics). Otherwise NotFound,
    so ids of other people's records reveal nothing."""
    if who.role == "patient" and who.user_id != patient_id:
        raise NotFound(f"patient {patient_id} not found")
    user = await repository.get_user(uow, patient_id)
    if user is None or user.role != "patient":
        raise NotFound(f"patient {patient_id} not found")
    return user


async def patient_zone(uow: UnitOfWork, who: Identity, patient_id: uuid.UUID) -> str:
    """The zone the patient's days are counted in: their own, else their clinic's default."""
    patient = await visible_patient(uow, who, patient_id)
    tenant = await repository.get_tenant(uow, who.tenant_id)
    return resolve_zone_name(patient.timezone, tenant.default_timezone if tenant else None)


async def assign_to_therapist(uow: UnitOfWork, tenant_id: uuid.UUID, therapist_id: uuid.UUID, patient_id: uuid.UUID) -> None:
    """The therapist follows the patient from now on (a second assignment changes nothing)."""
    await repository.assign_patient(uow, tenant_id, therapist_id, patient_id)


async def granted_purposes(uow: UnitOfWork, patient_id: uuid.UUID) -> list[str]:
    """The purposes the patient consents to now, sorted: what an exercise session may collect."""
    consents = await repository.current_consents(uow, patient_id)
    return sorted(purpose for purpose, (granted, _) in consents.items() if granted)


async def clinic_flag(uow: UnitOfWork, tenant_id: uuid.UUID, flag: str) -> bool:
    """One of the clinic's feature flags as of this transaction; off for a clinic plans does not know."""
    tenant = await repository.get_tenant(uow, tenant_id)
    return tenant is not None and bool(tenant.feature_flags.get(flag, False))


class PeopleHandlers:
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
        if role not in ROLES:
            raise InvalidInput("role", f"must be one of {', '.join(ROLES)}")
        if timezone is not None:
            _require_zone("timezone", timezone)
        async with self._db.unit_of_work(tenant_id) as uow:
            if await repository.get_tenant(uow, tenant_id) is None:
                raise NotFound(f"clinic {tenant_id} is not known: create it first with `momentum tenant create`")
            await repository.insert_user(uow, user_id, tenant_id, role, display_name, timezone)
            await uow.commit()

    async def change_user_access(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str | None = None, active: bool | None = None
    ) -> None:
        """An operator's change of a user's role or active flag. The gateway sees it when its cached
        answer for this user expires (MOMENTUM_IDENTITY_CACHE_SECONDS, 30 s by default)."""
        if role is not None and role not in ROLES:
            raise InvalidInput("role", f"must be one of {', '.join(ROLES)}")
        async with self._db.unit_of_work(tenant_id) as uow:
            if not await repository.update_user_access(uow, user_id, role, active):
                raise NotFound(f"user {user_id} is not known in this clinic")
            await uow.commit()

    async def set_tenant_active(self, tenant_id: uuid.UUID, active: bool) -> None:
        async with self._db.unit_of_work(tenant_id) as uow:
            if not await repository.set_tenant_active(uow, tenant_id, active):
                raise NotFound(f"clinic {tenant_id} is not known")
            await uow.commit()

    async def resolve_identity(self, who: Identity, user_id: uuid.UUID) -> StoredIdentity:
        """For the gateway (as a service of the token's clinic): does the clinic exist, and the user in it."""
        who.require_role(SERVICE_ROLE)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            return await repository.identity_of(uow, who.tenant_id, user_id)

    # ------------------------------------------------------------------ browser credentials (for the gateways)
    async def spend_browser_credential(self, who: Identity, kind: str, credential_id: str, expires_at: datetime) -> bool:
        """A sign-in link redeemed or a session signed out, once for every gateway: False when it was already."""
        who.require_role(SERVICE_ROLE)
        if kind not in BROWSER_CREDENTIALS:
            raise InvalidInput("kind", f"must be one of {', '.join(BROWSER_CREDENTIALS)}")
        if not credential_id or len(credential_id) > 128:
            raise InvalidInput("credentialId", "must be 1 to 128 characters")
        async with self._db.unit_of_work(None) as uow:
            first = await credentials_repository.spend(uow, kind, credential_id, expires_at)
            await uow.commit()
        return first

    async def ended_browser_sessions(self, who: Identity, within_seconds: int) -> list[credentials_repository.EndedSession]:
        who.require_role(SERVICE_ROLE)
        if within_seconds < 0:
            raise InvalidInput("recordedWithinSeconds", "must be 0 (all) or a positive number of seconds")
        async with self._db.unit_of_work(None) as uow:
            return await credentials_repository.ended_sessions(uow, within_seconds)

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
                        changed_at=to_timestamp(now),
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

    async def create_user_as_admin(self, who: Identity, role: str, display_name: str, timezone: str | None) -> UserRow:
        who.require_role("admin")
        if role not in ("patient", "therapist", "admin"):
            raise InvalidInput("role", "must be patient, therapist or admin")
        if not display_name.strip():
            raise InvalidInput("displayName", "must not be empty")
        if timezone:
            _require_zone("timezone", timezone)
        user_id = uuid.uuid4()
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await repository.insert_user(uow, user_id, who.tenant_id, role, display_name.strip(), timezone or None)
            await audit(uow, who, "user.create", "user", str(user_id), now, role=role)
            await uow.commit()
        return UserRow(user_id, who.tenant_id, role, display_name.strip(), timezone or None)

    async def assign_patient(self, who: Identity, patient_id: uuid.UUID, therapist_id: uuid.UUID | None) -> uuid.UUID:
        who.require_role("therapist", "admin")
        therapist_id = therapist_id or who.user_id
        if who.role == "therapist" and therapist_id != who.user_id:
            raise PermissionDenied("a therapist assigns patients to themselves; an admin assigns to anyone")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await visible_patient(uow, who, patient_id)
            therapist = await repository.get_user(uow, therapist_id)
            if therapist is None or therapist.role != "therapist":
                raise NotFound(f"therapist {therapist_id} is not known in this clinic")
            await repository.assign_patient(uow, who.tenant_id, therapist_id, patient_id)
            await audit(uow, who, "patient.assign", "user", str(patient_id), now, therapist_id=str(therapist_id))
            await uow.commit()
        return therapist_id

    async def list_users(self, who: Identity, role: str | None) -> list[UserRow]:
        """The clinic's people for its admin: therapists, patients and admins, deactivated ones too."""
        who.require_role("admin")
        if role is not None and role not in ROLES:
            raise InvalidInput("role", f"must be one of {', '.join(ROLES)}")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            return await repository.list_users(uow, role)

    async def set_user_active(self, who: Identity, user_id: uuid.UUID, active: bool) -> UserRow:
        """An admin deactivates (or reactivates) someone of the clinic; the gateway refuses a deactivated user's
        tokens once its cached answer expires (MOMENTUM_IDENTITY_CACHE_SECONDS)."""
        who.require_role("admin")
        if user_id == who.user_id and not active:
            raise RuleViolation("an admin cannot deactivate themselves: another admin of the clinic must", code="cannot_deactivate_self")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            user = await repository.get_user(uow, user_id, for_update=True)
            if user is None:
                raise NotFound(f"user {user_id} is not known in this clinic")
            if user.active != active:
                await repository.update_user_access(uow, user_id, None, active)
            await audit(uow, who, "user.access.set", "user", str(user_id), now, active=active, previous=user.active)
            await uow.commit()
        return replace(user, active=active)

    async def list_patients(self, who: Identity) -> list[UserRow]:
        who.require_role("therapist", "admin")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            return await repository.list_patients(uow)

    async def patient_context(self, who: Identity, patient_id: uuid.UUID) -> PatientContext:
        async with self._db.unit_of_work(who.tenant_id) as uow:
            user = await visible_patient(uow, who, patient_id)
            tenant = await repository.get_tenant(uow, who.tenant_id)
        if tenant is None:
            raise NotFound(f"clinic {who.tenant_id} is not known")
        return PatientContext(
            patient_id=user.user_id,
            tenant_id=user.tenant_id,
            timezone=resolve_zone_name(user.timezone, tenant.default_timezone),
            feature_flags={flag: bool(tenant.feature_flags.get(flag, False)) for flag in FEATURE_FLAGS},
            rtm_qualifying_policy=tenant.rtm_qualifying_policy,
        )

    # ------------------------------------------------------------------ consent ledger
    async def set_consent(self, who: Identity, patient_id: uuid.UUID, purpose: str, granted: bool) -> dict[str, tuple[bool, Any]]:
        if who.role not in ("admin", "patient"):
            raise PermissionDenied("consent is given by the patient or recorded by a clinic admin")
        if purpose not in CONSENT_PURPOSES:
            raise InvalidInput("purpose", f"must be one of {', '.join(CONSENT_PURPOSES)}")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await visible_patient(uow, who, patient_id)
            current = await repository.current_consents(uow, patient_id)
            if current.get(purpose, (None, None))[0] is not granted:
                await repository.append_consent(uow, who.tenant_id, patient_id, purpose, granted, now, who.user_id, who.request_id)
                await uow.add_event(
                    CONSENT_CHANGED,
                    events_pb2.ConsentChanged(patient_id=str(patient_id), purpose=purpose, granted=granted, changed_at=to_timestamp(now)),
                    tenant_id=who.tenant_id,
                    occurred_at=now,
                )
            await audit(uow, who, "consent.set", "user", str(patient_id), now, purpose=purpose, granted=granted)
            await uow.commit()
            return await self._consents(patient_id, who)

    async def consents(self, who: Identity, patient_id: uuid.UUID) -> dict[str, tuple[bool, Any]]:
        return await self._consents(patient_id, who)

    async def _consents(self, patient_id: uuid.UUID, who: Identity) -> dict[str, tuple[bool, Any]]:
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await visible_patient(uow, who, patient_id)
            return await repository.current_consents(uow, patient_id)


    # ------------------------------------------------------------------ feature flags
    async def feature_flags(self, who: Identity) -> tuple[dict[str, bool], str]:
        who.require_role("admin", SERVICE_ROLE)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            tenant = await repository.get_tenant(uow, who.tenant_id)
        if tenant is None:
            raise NotFound(f"clinic {who.tenant_id} is not known")
        return {flag: bool(tenant.feature_flags.get(flag, False)) for flag in FEATURE_FLAGS}, tenant.rtm_qualifying_policy

    async def set_qualifying_policy(self, who: Identity, policy: str) -> tuple[dict[str, bool], str]:
        """Which days count for RTM data days: activity (real work) or access (also app entrances)."""
        who.require_role("admin")
        if policy not in QUALIFYING_POLICIES:
            raise InvalidInput("rtmQualifyingPolicy", f"must be one of {', '.join(QUALIFYING_POLICIES)}")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            tenant = await repository.get_tenant(uow, who.tenant_id, for_update=True)
            if tenant is None:
                raise NotFound(f"clinic {who.tenant_id} is not known")
            await repository.set_qualifying_policy(uow, who.tenant_id, policy)
            if policy != tenant.rtm_qualifying_policy:
                await self._billing_settings_changed(uow, who, bool(tenant.feature_flags.get("rtmBilling")), policy, now)
            await audit(uow, who, "tenant.rtm_policy.set", "tenant", str(who.tenant_id), now, policy=policy)
            await uow.commit()
        return await self.feature_flags(who)

    async def set_feature_flag(self, who: Identity, flag: str, enabled: bool) -> tuple[dict[str, bool], str]:
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
            if bool(tenant.feature_flags.get(flag)) != enabled:
                await uow.add_event(
                    FEATURE_FLAGS_CHANGED,
                    events_pb2.FeatureFlagsChanged(
                        feature_flags={name: bool(flags.get(name, False)) for name in FEATURE_FLAGS},
                        changed_at=to_timestamp(now),
                    ),
                    tenant_id=who.tenant_id,
                    occurred_at=now,
                )
                if flag == "rtmBilling":
                    await self._billing_settings_changed(uow, who, enabled, tenant.rtm_qualifying_policy, now)
            await audit(uow, who, "tenant.feature_flag.set", "tenant", str(who.tenant_id), now, flag=flag, enabled=enabled)
            await uow.commit()
        return {name: bool(flags.get(name, False)) for name in FEATURE_FLAGS}, tenant.rtm_qualifying_policy

    async def _billing_settings_changed(self, uow: UnitOfWork, who: Identity, enabled: bool, policy: str, now: Any) -> None:
        # Recomputing a whole clinic does not belong in an admin's request: the billing consumer does it.
        await uow.add_event(
            BILLING_SETTINGS_CHANGED,
            events_pb2.BillingSettingsChanged(rtm_billing=enabled, qualifying_policy=policy, changed_at=to_timestamp(now)),
            tenant_id=who.tenant_id,
            occurred_at=now,
        )


def _require_zone(field: str, name: str) -> None:
    try:
        zone(name)
    except UnknownTimezone as exc:
        raise InvalidInput(field, str(exc)) from exc


__all__ = ["PeopleHandlers", "SERVICE_ROLE", "USER_TIMEZONE_CHANGED"]
