"""Identity the database agrees with: every token's clinic and user are resolved through plans
(ResolveIdentity), remembered for a short TTL so the hot paths pay no extra round trip per request.

A token is a claim; the stored user is the truth. An unknown or inactive clinic, an unknown user or
a deactivated one → 401; a token claiming a role above the stored one → 403; otherwise the caller
acts with the stored role. A change (role, deactivation, a removed clinic) takes effect when the
cached answer expires: at most MOMENTUM_IDENTITY_CACHE_SECONDS (30 s by default) later.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Awaitable, Callable, Mapping

from services.common.identity import Identity
from services.common.session_token import ExpiredSessionToken, InvalidSessionToken, verify_session_token
from services.gateway.errors import ApiError

ROLE_RANK = {"patient": 0, "therapist": 1, "admin": 2}
# A refusal is remembered only briefly: a user created a moment after their token was first tried gets in soon.
REFUSAL_TTL_SECONDS = 5.0
# plans unreachable: the last answer it gave holds this much past its TTL (then 503), so a plans
# restart does not refuse every request of every patient. A removal made during the outage waits too.
STALE_GRACE_SECONDS = 120.0
MAX_ENTRIES = 20_000


@dataclass(frozen=True)
class StoredIdentity:
    tenant_known: bool
    tenant_active: bool
    user_known: bool
    role: str
    user_active: bool

    @property
    def admissible(self) -> bool:
        return self.tenant_known and self.tenant_active and self.user_known and self.user_active


def admit(claimed: Identity, stored: StoredIdentity) -> Identity:
    """The identity the services see, or ApiError. Pure: the rule in one place."""
    if not stored.tenant_known:
        raise ApiError(401, "unauthenticated", "the token's clinic is not known")
    if not stored.tenant_active:
        raise ApiError(401, "unauthenticated", "the token's clinic is not active")
    if not stored.user_known:
        raise ApiError(401, "unauthenticated", "the token's user is not known in its clinic")
    if not stored.user_active:
        raise ApiError(401, "unauthenticated", "the token's user is deactivated")
    if ROLE_RANK.get(claimed.role, len(ROLE_RANK)) > ROLE_RANK.get(stored.role, -1):
        raise ApiError(
            403, "permission_denied", f"the token claims role {claimed.role!r} but the user's role is {stored.role!r}"
        )
    return replace(claimed, role=stored.role)


@dataclass
class _Entry:
    stored: StoredIdentity
    fetched_at: float
    fresh_until: float


Ask = Callable[[uuid.UUID, uuid.UUID, str], Awaitable[StoredIdentity]]


class IdentityResolver:
    """A bounded TTL cache (least recently used out first) in front of plans' ResolveIdentity."""

    def __init__(
        self, ask: Ask, ttl_seconds: float, session_keys: Mapping[str, bytes],
        max_entries: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ask = ask
        self._ttl = ttl_seconds
        self._session_keys = session_keys
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[uuid.UUID, uuid.UUID], _Entry] = OrderedDict()
        # Session token → its clinic and patient (None: it does not verify). Only the signature decides, and
        # the keys do not change while the process runs, so a session's batches verify its token once.
        self._session_patients: dict[str, tuple[uuid.UUID, uuid.UUID] | None] = {}
        self.lookups = 0  # calls made to plans: what the cache saves is visible to tests and benchmarks

    async def resolve(self, claimed: Identity) -> Identity:
        return admit(claimed, await self._stored(claimed.tenant_id, claimed.user_id, claimed.request_id))

    async def admit_session(self, token: str, request_id: str) -> None:
        """The same check for a telemetry session token's patient (pose batches, media events, session
        end). A token that does not verify is left to telemetry, which refuses it with its own reason."""
        if token in self._session_patients:
            known = self._session_patients[token]
        else:
            known = self._session_patient(token)
            if len(self._session_patients) >= self._max:
                self._session_patients.clear()  # a burst of new sessions: verifying again costs ~20 µs each
            self._session_patients[token] = known
        if known is not None:
            await self.resolve(Identity(known[0], known[1], "patient", request_id))

    def _session_patient(self, token: str) -> tuple[uuid.UUID, uuid.UUID] | None:
        try:
            claims = verify_session_token(self._session_keys, token, int(time.time()))
        except ExpiredSessionToken as expired:
            claims = expired.claims  # expiry is telemetry's to refuse; the patient is checked all the same
        except InvalidSessionToken:
            return None
        try:
            return uuid.UUID(claims.tenant_id), uuid.UUID(claims.patient_id)
        except ValueError:
            return None

    def forget(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
        self._entries.pop((tenant_id, user_id), None)

    async def _stored(self, tenant_id: uuid.UUID, user_id: uuid.UUID, request_id: str) -> StoredIdentity:
        key = (tenant_id, user_id)
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry.fresh_until > now:
            self._entries.move_to_end(key)
            return entry.stored
        try:
            self.lookups += 1
            stored = await self._ask(tenant_id, user_id, request_id)
        except ApiError as exc:
            if exc.status == 503 and entry is not None and entry.fetched_at + self._ttl + STALE_GRACE_SECONDS > now:
                return entry.stored
            raise
        ttl = self._ttl if stored.admissible else min(self._ttl, REFUSAL_TTL_SECONDS)
        self._entries[key] = _Entry(stored, now, now + ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return stored
