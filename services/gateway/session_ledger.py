"""What every gateway must agree on about browser sign-in, kept in plans: links already redeemed, sessions signed out.

A session cookie is sealed (sealed_cookie.py), so any gateway can open it; what a cookie cannot say is that its
session was signed out. Sign-out is recorded in plans (SpendBrowserCredential) and in this gateway's own set at
once; every gateway reads the sign-outs recorded since its last read every MOMENTUM_SESSION_SYNC_SECONDS
(ListEndedBrowserSessions), so a session signed out on one gateway ends on all of them within that interval.
A gateway that has not heard from plans for STALE_AFTER seconds no longer trusts its set and answers cookie
requests 503: an outage of plans must not let a signed-out cookie back in.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from datetime import datetime, timezone
from typing import Callable, Protocol

from services.common.logging import get_logger

log = get_logger(__name__)

# Sign-outs read again on each sync, before the last read: a transaction that committed late is not missed.
OVERLAP_SECONDS = 30
MIN_STALE_AFTER = 60.0


class CredentialStore(Protocol):
    async def spend_browser_credential(self, kind: str, credential_id: str, expires_at: datetime) -> bool: ...

    async def ended_browser_sessions(self, within_seconds: int) -> list[tuple[str, datetime]]: ...


class SessionLedger:
    def __init__(
        self, store: Callable[[], CredentialStore], sync_seconds: float, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._sync_seconds = sync_seconds
        self._clock = clock
        self._ended: dict[str, float] = {}  # session id -> when it would have expired (epoch seconds)
        self._synced_at: float | None = None
        self.stale_after = max(MIN_STALE_AFTER, 3 * sync_seconds)
        self._stopping = asyncio.Event()

    @property
    def trusted(self) -> bool:
        """This gateway's set of sign-outs is recent enough to admit a cookie by."""
        return self._synced_at is not None and self._clock() - self._synced_at <= self.stale_after

    def is_ended(self, session_id: str) -> bool:
        return session_id in self._ended

    async def spend_link(self, jti: str, expires_at: float) -> bool:
        """True the first time any gateway redeems this link."""
        return await self._store().spend_browser_credential("signin_link", jti, _instant(expires_at))

    async def end(self, session_id: str, expires_at: float) -> None:
        """Ended here at once; in plans for the others (raises ApiError 503 when plans cannot record it)."""
        self._ended[session_id] = expires_at
        await self._store().spend_browser_credential("session", session_id, _instant(expires_at))

    async def sync(self) -> None:
        started = self._clock()
        within = 0 if self._synced_at is None else math.ceil(started - self._synced_at) + OVERLAP_SECONDS
        ended = await self._store().ended_browser_sessions(within)
        now = time.time()
        self._ended = {sid: exp for sid, exp in self._ended.items() if exp > now}
        self._ended.update((sid, at.timestamp()) for sid, at in ended)
        self._synced_at = started

    async def first_read(self) -> None:
        """A cookie came before this gateway's first read (it just started): read now rather than answer 503.
        A failure leaves the ledger untrusted, which the caller turns into a 503."""
        if self._synced_at is None:
            with contextlib.suppress(Exception):
                await self.sync()

    async def run(self) -> None:
        """The gateway's loop: read, wait, again, until `stop()`; a failed read is logged and retried sooner."""
        failing = False
        while not self._stopping.is_set():
            try:
                await self.sync()
                if failing:
                    log.info("browser_sessions.sync_restored")
                failing = False
                wait = self._sync_seconds
            except Exception as exc:  # plans away: keep trying, cookies wait (trusted turns False)
                if not failing:
                    log.warning("browser_sessions.sync_failed", error=str(exc))
                failing = True
                wait = min(self._sync_seconds, 1.0)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=wait)

    def stop(self) -> None:
        """Ends the loop after the read in flight: cancelling it would cancel plans' handler mid-query."""
        self._stopping.set()


def _instant(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)
