"""PlansService's calls about people: parse the request, call a people handler, build the reply."""

from __future__ import annotations

from datetime import timezone

from momentum.plans.v1 import plans_pb2
from services.common import identity
from services.common.clock import Clock
from services.common.parsing import iso_utc, optional_uuid, parse_uuid, to_timestamp
from services.common.timezones import resolve_zone_name
from services.plans.people.handlers import PeopleHandlers
from services.plans.people.repository import UserRow


def profile_reply(user: UserRow, default_zone: str | None = None) -> plans_pb2.UserProfile:
    return plans_pb2.UserProfile(
        user_id=str(user.user_id), tenant_id=str(user.tenant_id), role=user.role, display_name=user.display_name,
        timezone=user.timezone or "", effective_timezone=resolve_zone_name(user.timezone, default_zone), active=user.active,
    )


def consent_reply(patient_id: str, consents: dict) -> plans_pb2.ConsentState:  # type: ignore[type-arg]
    return plans_pb2.ConsentState(
        patient_id=patient_id,
        granted={purpose: granted for purpose, (granted, _) in consents.items()},
        changed_at={purpose: iso_utc(at) for purpose, (_, at) in consents.items()},
    )


class PeopleRpcs:
    """One half of PlansService (the other is care's); bootstrap composes both into PlansServicer."""

    _people: PeopleHandlers
    _clock: Clock

    async def GetMe(self, request, context):  # type: ignore[no-untyped-def]
        user, tenant = await self._people.get_me(identity.current())
        return profile_reply(user, tenant.default_timezone)

    async def UpdateMyTimezone(self, request, context):  # type: ignore[no-untyped-def]
        update = await self._people.update_my_timezone(identity.current(), request.timezone)
        return plans_pb2.UpdateMyTimezoneResponse(
            timezone=update.timezone, previous_timezone=update.previous_timezone or "", changed=update.changed
        )

    async def CreateUser(self, request, context):  # type: ignore[no-untyped-def]
        user = await self._people.create_user_as_admin(identity.current(), request.role, request.display_name, request.timezone or None)
        return profile_reply(user)

    async def AssignPatient(self, request, context):  # type: ignore[no-untyped-def]
        therapist = optional_uuid("therapistId", request.therapist_id)
        patient_id = parse_uuid("patientId", request.patient_id)
        assigned = await self._people.assign_patient(identity.current(), patient_id, therapist)
        return plans_pb2.AssignPatientResponse(patient_id=str(patient_id), therapist_id=str(assigned))

    async def ListPatients(self, request, context):  # type: ignore[no-untyped-def]
        return plans_pb2.ListPatientsResponse(patients=[profile_reply(u) for u in await self._people.list_patients(identity.current())])

    async def ListUsers(self, request, context):  # type: ignore[no-untyped-def]
        found = await self._people.list_users(identity.current(), request.role or None)
        return plans_pb2.ListUsersResponse(users=[profile_reply(u) for u in found])

    async def SetUserActive(self, request, context):  # type: ignore[no-untyped-def]
        user = await self._people.set_user_active(identity.current(), parse_uuid("userId", request.user_id), request.active)
        return profile_reply(user)

    # ------------------------------------------------------------------ administration
    async def GetFeatureFlags(self, request, context):  # type: ignore[no-untyped-def]
        flags, policy = await self._people.feature_flags(identity.current())
        return plans_pb2.FeatureFlags(flags=flags, rtm_qualifying_policy=policy)

    async def SetFeatureFlag(self, request, context):  # type: ignore[no-untyped-def]
        flags, policy = await self._people.set_feature_flag(identity.current(), request.flag, request.enabled)
        return plans_pb2.FeatureFlags(flags=flags, rtm_qualifying_policy=policy)

    async def SetRtmPolicy(self, request, context):  # type: ignore[no-untyped-def]
        flags, policy = await self._people.set_qualifying_policy(identity.current(), request.policy)
        return plans_pb2.FeatureFlags(flags=flags, rtm_qualifying_policy=policy)

    # ------------------------------------------------------------------ consent ledger
    async def SetConsent(self, request, context):  # type: ignore[no-untyped-def]
        patient_id = parse_uuid("patientId", request.patient_id)
        consents = await self._people.set_consent(identity.current(), patient_id, request.purpose, request.granted)
        return consent_reply(str(patient_id), consents)

    async def GetConsents(self, request, context):  # type: ignore[no-untyped-def]
        patient_id = parse_uuid("patientId", request.patient_id)
        return consent_reply(str(patient_id), await self._people.consents(identity.current(), patient_id))

    # ------------------------------------------------------------------ for other services
    async def ResolveIdentity(self, request, context):  # type: ignore[no-untyped-def]
        stored = await self._people.resolve_identity(identity.current(), parse_uuid("userId", request.user_id))
        return plans_pb2.ResolvedIdentity(
            tenant_known=stored.tenant_known, tenant_active=stored.tenant_active,
            user_known=stored.user_role is not None, role=stored.user_role or "", user_active=stored.user_active,
        )

    async def SpendBrowserCredential(self, request, context):  # type: ignore[no-untyped-def]
        first = await self._people.spend_browser_credential(
            identity.current(), request.kind, request.credential_id, request.expires_at.ToDatetime(tzinfo=timezone.utc)
        )
        return plans_pb2.SpendBrowserCredentialResponse(first_use=first)

    async def ListEndedBrowserSessions(self, request, context):  # type: ignore[no-untyped-def]
        ended = await self._people.ended_browser_sessions(identity.current(), request.recorded_within_seconds)
        return plans_pb2.ListEndedBrowserSessionsResponse(sessions=[
            plans_pb2.EndedBrowserSession(session_id=s.session_id, expires_at=to_timestamp(s.expires_at)) for s in ended
        ])

    async def GetPatientContext(self, request, context):  # type: ignore[no-untyped-def]
        patient = await self._people.patient_context(identity.current(), parse_uuid("patientId", request.patient_id))
        return plans_pb2.PatientContext(
            patient_id=str(patient.patient_id), tenant_id=str(patient.tenant_id), timezone=patient.timezone,
            feature_flags=patient.feature_flags, fetched_at=to_timestamp(self._clock.now()),
            rtm_qualifying_policy=patient.rtm_qualifying_policy,
        )
