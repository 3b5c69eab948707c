"""plans' ResolveIdentity as unit tests fake it: the users a test lists are real and active, with their roles."""

from __future__ import annotations

import uuid
from typing import Awaitable, Callable, Mapping

from services.gateway.identity_check import IdentityResolver, StoredIdentity

Resolve = Callable[[uuid.UUID, uuid.UUID, str], Awaitable[StoredIdentity]]


def stored_as_listed(tenant: uuid.UUID, roles: Mapping[uuid.UUID, str]) -> Resolve:
    """Answers like plans for one clinic: a listed user is known and active with its role; anyone else unknown."""

    async def resolve(tenant_id: uuid.UUID, user_id: uuid.UUID, request_id: str) -> StoredIdentity:
        return StoredIdentity(tenant_id == tenant, True, user_id in roles, roles.get(user_id, ""), True)

    return resolve


def resolver_for(tenant: uuid.UUID, roles: Mapping[uuid.UUID, str], token_keys: Mapping[str, bytes]) -> IdentityResolver:
    """The gateway's identity check over `stored_as_listed`, cached as in production (30 s)."""
    return IdentityResolver(stored_as_listed(tenant, roles), 30, token_keys)
