"""The gateway's identity rule and its cache on their own: a fake plans and a fake clock."""

from __future__ import annotations

import uuid

import pytest

from services.common.identity import Identity
from services.gateway.errors import ApiError
from services.gateway.identity_check import (
    REFUSAL_TTL_SECONDS, STALE_GRACE_SECONDS, IdentityResolver, StoredIdentity, admit,
)

TENANT, USER = uuid.uuid4(), uuid.uuid4()
TTL = 30.0


def claim(role: str, user: uuid.UUID = USER) -> Identity:
    return Identity(TENANT, user, role, "r-1")


class Plans:
    def __init__(self) -> None:
        self.stored: dict[uuid.UUID, StoredIdentity] = {}
        self.asked = 0
        self.down = False

    async def __call__(self, tenant_id: uuid.UUID, user_id: uuid.UUID, request_id: str) -> StoredIdentity:
        self.asked += 1
        if self.down:
            raise ApiError(503, "unavailable", "plans is restarting")
        return self.stored.get(user_id, StoredIdentity(True, True, False, "", False))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world() -> tuple[IdentityResolver, Plans, Clock]:
    plans, clock = Plans(), Clock()
    plans.stored[USER] = StoredIdentity(True, True, True, "therapist", True)
    return IdentityResolver(plans, TTL, {}, max_entries=3, clock=clock), plans, clock


@pytest.mark.parametrize("stored, status, detail", [
    (StoredIdentity(False, False, False, "", False), 401, "clinic is not known"),
    (StoredIdentity(True, False, True, "admin", True), 401, "clinic is not active"),
    (StoredIdentity(True, True, False, "", False), 401, "user is not known"),
    (StoredIdentity(True, True, True, "admin", False), 401, "deactivated"),
    (StoredIdentity(True, True, True, "patient", True), 403, "claims role 'admin'"),
    (StoredIdentity(True, True, True, "therapist", True), 403, "claims role 'admin'"),
])
def test_admit_refuses_what_the_database_does_not_agree_with(stored, status, detail):
    with pytest.raises(ApiError) as refused:
        admit(claim("admin"), stored)
    assert refused.value.status == status and detail in refused.value.detail


def test_admit_gives_the_services_the_stored_role():
    assert admit(claim("patient"), StoredIdentity(True, True, True, "admin", True)).role == "admin"
    assert admit(claim("therapist"), StoredIdentity(True, True, True, "therapist", True)).role == "therapist"


async def test_an_answer_is_reused_until_the_ttl_and_a_role_change_is_seen_after_it(world):
    resolver, plans, clock = world
    assert (await resolver.resolve(claim("therapist"))).role == "therapist"
    plans.stored[USER] = StoredIdentity(True, True, True, "patient", True)  # demoted
    clock.now += TTL - 0.1
    assert (await resolver.resolve(claim("therapist"))).role == "therapist" and plans.asked == 1
    clock.now += 0.2
    with pytest.raises(ApiError) as refused:
        await resolver.resolve(claim("therapist"))
    assert refused.value.status == 403 and plans.asked == 2


async def test_a_refusal_is_remembered_only_briefly(world):
    resolver, plans, clock = world
    newcomer = uuid.uuid4()
    with pytest.raises(ApiError):
        await resolver.resolve(claim("patient", newcomer))
    plans.stored[newcomer] = StoredIdentity(True, True, True, "patient", True)  # created a moment later
    clock.now += REFUSAL_TTL_SECONDS + 0.1
    assert (await resolver.resolve(claim("patient", newcomer))).user_id == newcomer


async def test_plans_unreachable_keeps_the_last_answer_for_a_grace_then_is_a_503(world):
    resolver, plans, clock = world
    await resolver.resolve(claim("therapist"))
    plans.down = True
    clock.now += TTL + STALE_GRACE_SECONDS - 1
    assert (await resolver.resolve(claim("therapist"))).role == "therapist"
    clock.now += 2
    with pytest.raises(ApiError) as unavailable:
        await resolver.resolve(claim("therapist"))
    assert unavailable.value.status == 503
    with pytest.raises(ApiError) as never_seen:
        await resolver.resolve(claim("patient", uuid.uuid4()))
    assert never_seen.value.status == 503


async def test_the_cache_is_bounded_and_drops_the_least_recently_used(world):
    resolver, plans, clock = world
    users = [uuid.uuid4() for _ in range(4)]
    for user in users:
        plans.stored[user] = StoredIdentity(True, True, True, "patient", True)
        await resolver.resolve(claim("patient", user))
    assert plans.asked == 4
    await resolver.resolve(claim("patient", users[-1]))  # still cached
    assert plans.asked == 4
    await resolver.resolve(claim("patient", users[0]))  # was dropped (max 3 entries)
    assert plans.asked == 5
