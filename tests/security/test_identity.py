"""Identity the database agrees with: a correctly signed token for a clinic or user that does not exist, a
deactivated user or clinic, or a role above the stored one is refused (401/403) and writes nothing; a role change
or a removal takes effect within the gateway's identity cache TTL; a cached identity costs no round trip."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from services.gateway.auth import issue_local_token
from tests.support.clinic import Clinic, client, new_clinic
from tests.support.ports import free_port
from tests.support.telemetry import Gateway, bearer, media_playback, session_token

SHORT_TTL = 2.0  # the second gateway's identity cache, so a change is seen within seconds


def token(stack, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {issue_local_token(stack.settings.auth, tenant_id, user_id, role)}"}


async def written(stack, tenant_id: uuid.UUID) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Every row the refused requests could have left for the tenant: users, exercises, audit rows, outbox events."""
    counts: dict[str, Any] = {}
    for name, runtime in stack.runtimes.items():
        async with runtime.database.unit_of_work(tenant_id) as uow:
            counts[f"{name}.audit_log"] = (await uow.execute(text(f"SELECT count(*) FROM {name}.audit_log"))).scalar_one()
            counts[f"{name}.outbox"] = (await uow.execute(
                text(f"SELECT count(*) FROM {name}.outbox WHERE tenant_id = :t"), {"t": tenant_id})).scalar_one()
            if name == "plans":
                for table in ("tenants", "users", "exercises"):
                    counts[f"plans.{table}"] = (await uow.execute(text(f"SELECT count(*) FROM plans.{table}"))).scalar_one()
    return counts


def _new_exercise() -> dict[str, Any]:
    return {"name": f"Squat {uuid.uuid4().hex[:6]}", "videoUrl": "https://video.example/s.mp4", "videoDurationSeconds": 60}


def _new_user() -> dict[str, Any]:
    return {"role": "patient", "displayName": f"Patient {uuid.uuid4().hex[:6]}"}


WRITES = [  # (role the token claims, method, path, body): a write of each kind of caller
    ("admin", "POST", "/v1/users", _new_user),
    ("therapist", "POST", "/v1/exercises", _new_exercise),
    ("patient", "POST", "/v2/app-entrances/log", lambda: {}),
    ("patient", "PUT", "/v1/patients/{user}/consents/analytics", lambda: {"granted": True}),
]


async def _send(http, method: str, path: str, body: dict[str, Any], headers: dict[str, str], user: uuid.UUID):  # type: ignore[no-untyped-def]
    return await http.request(method, path.format(user=user), json=body, headers=headers)


@pytest.fixture(scope="module")
async def clinic(stack) -> Clinic:
    return await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=2,
                            flags={"appEntranceTracking": True})


async def test_a_token_for_a_clinic_that_does_not_exist_is_refused_and_writes_nothing(stack):
    ghost_clinic, ghost_user = uuid.uuid4(), uuid.uuid4()
    before = await written(stack, ghost_clinic)
    async with client(stack.base_url) as http:
        for role, method, path, body in WRITES:
            reply = await _send(http, method, path, body(), token(stack, ghost_clinic, ghost_user, role), ghost_user)
            assert reply.status_code == 401, (path, reply.text)
            assert reply.json() == {"error": "unauthenticated", "detail": "the token's clinic is not known", "errors": []}
        reads = await http.get("/v1/patients", headers=token(stack, ghost_clinic, ghost_user, "admin"))
        assert reads.status_code == 401
    assert await written(stack, ghost_clinic) == before == {k: 0 for k in before}


@pytest.mark.parametrize("role, method, path, body", WRITES, ids=[w[2] for w in WRITES])
async def test_a_token_for_a_user_the_clinic_does_not_have_is_refused_and_writes_nothing(stack, clinic, role, method, path, body):
    stranger = uuid.uuid4()
    before = await written(stack, clinic.tenant_id)
    async with client(stack.base_url) as http:
        reply = await _send(http, method, path, body(), token(stack, clinic.tenant_id, stranger, role), stranger)
    assert reply.status_code == 401 and reply.json()["detail"] == "the token's user is not known in its clinic"
    assert await written(stack, clinic.tenant_id) == before


async def test_a_user_of_another_clinic_cannot_use_a_token_naming_this_one(stack, clinic):
    other = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    before = await written(stack, clinic.tenant_id)
    async with client(stack.base_url) as http:
        reply = await http.post("/v1/users", json=_new_user(), headers=token(stack, clinic.tenant_id, other.admin_id, "admin"))
    assert reply.status_code == 401 and await written(stack, clinic.tenant_id) == before


async def test_a_deactivated_user_and_a_deactivated_clinic_are_refused_and_write_nothing(stack):
    people = stack.runtimes["plans"].components.people
    clinic = await new_clinic(people, stack.settings, flags={"appEntranceTracking": True})
    await people.change_user_access(clinic.tenant_id, clinic.therapist_id, active=False)
    before = await written(stack, clinic.tenant_id)
    async with client(stack.base_url) as http:
        reply = await http.post("/v1/exercises", json=_new_exercise(), headers=clinic.as_therapist())
        assert reply.status_code == 401 and reply.json()["detail"] == "the token's user is deactivated"
        assert await written(stack, clinic.tenant_id) == before

        await people.set_tenant_active(clinic.tenant_id, False)
        reply = await http.post("/v1/users", json=_new_user(), headers=clinic.as_admin())
        assert reply.status_code == 401 and reply.json()["detail"] == "the token's clinic is not active"
        # The session token of a patient of a deactivated clinic is refused too, before telemetry.
        _, session = session_token(stack.settings, clinic)
        media = await http.post("/v1/media/events", json={"events": media_playback()[:2]}, headers=bearer(session, None))
        assert media.status_code == 401
    assert await written(stack, clinic.tenant_id) == before


@pytest.mark.parametrize("stored, claimed, method, path, body", [
    ("patient", "admin", "POST", "/v1/users", _new_user),
    ("patient", "therapist", "POST", "/v1/exercises", _new_exercise),
    ("therapist", "admin", "POST", "/v1/users", _new_user),
    ("patient", "admin", "GET", "/v1/patients", None),
], ids=["patient as admin", "patient as therapist", "therapist as admin", "patient reads the roster as admin"])
async def test_a_token_claiming_a_role_above_the_stored_one_is_refused_and_writes_nothing(stack, clinic, stored, claimed, method, path, body):
    user = {"patient": clinic.patient_ids[1], "therapist": clinic.therapist_id}[stored]
    before = await written(stack, clinic.tenant_id)
    async with client(stack.base_url) as http:
        reply = await http.request(method, path, json=body() if body else None, headers=token(stack, clinic.tenant_id, user, claimed))
    assert reply.status_code == 403, reply.text
    assert reply.json()["detail"] == f"the token claims role {claimed!r} but the user's role is {stored!r}"
    assert await written(stack, clinic.tenant_id) == before


async def test_the_stored_role_is_what_the_services_see(stack, clinic):
    """An admin whose token says therapist (a lower claim) acts as what the clinic stores: GET /v2/user/me says admin."""
    async with client(stack.base_url) as http:
        me = await http.get("/v2/user/me", headers=token(stack, clinic.tenant_id, clinic.admin_id, "therapist"))
    assert me.status_code == 200 and me.json()["role"] == "admin"


async def test_a_cached_identity_costs_no_round_trip_to_plans(stack, clinic):
    identities = stack.gateway.config.app.app.state.identities
    headers = clinic.as_patient()
    async with client(stack.base_url) as http:
        assert (await http.get("/v2/streaks", headers=headers)).status_code == 200
        lookups = identities.lookups
        for _ in range(20):
            assert (await http.get("/v2/streaks", headers=headers)).status_code == 200
    assert identities.lookups == lookups


async def test_a_role_change_and_a_removal_take_effect_within_the_cache_ttl(stack):
    people = stack.runtimes["plans"].components.people
    clinic = await new_clinic(people, stack.settings)
    settings = dataclasses.replace(stack.settings, gateway_port=free_port(), identity_cache_ttl=timedelta(seconds=SHORT_TTL))
    async with Gateway(settings) as base_url, client(base_url) as http:
        admin = clinic.as_admin()
        assert (await http.post("/v1/users", json=_new_user(), headers=admin)).status_code == 201  # now cached

        # Demoted to therapist: within the TTL the cached answer may still hold; after it, 403.
        await people.change_user_access(clinic.tenant_id, clinic.admin_id, role="therapist")
        changed = time.monotonic()
        status = await _status_after_change(http, "POST", "/v1/users", _new_user, admin, 403)
        assert time.monotonic() - changed <= SHORT_TTL + 1.0, "the role change took longer than the cache TTL"
        assert status == 403
        assert (await http.post("/v1/exercises", json=_new_exercise(), headers=clinic.as_therapist())).status_code == 201

        # Removed (deactivated): 401 within the TTL, and nothing written.
        await people.change_user_access(clinic.tenant_id, clinic.therapist_id, active=False)
        changed = time.monotonic()
        status = await _status_after_change(http, "POST", "/v1/exercises", _new_exercise, clinic.as_therapist(), 401)
        assert status == 401 and time.monotonic() - changed <= SHORT_TTL + 1.0
        before = await written(stack, clinic.tenant_id)
        assert (await http.post("/v1/exercises", json=_new_exercise(), headers=clinic.as_therapist())).status_code == 401
        assert await written(stack, clinic.tenant_id) == before


async def _status_after_change(http, method, path, body, headers, wanted: int) -> int:  # type: ignore[no-untyped-def]
    """Polls until the refusal arrives (or twice the TTL passed): the last status seen."""
    deadline = time.monotonic() + 2 * SHORT_TTL + 2
    while True:
        reply = await http.request(method, path, json=body(), headers=headers)
        if reply.status_code == wanted or time.monotonic() > deadline:
            return reply.status_code
        await asyncio.sleep(0.1)
