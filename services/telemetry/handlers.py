"""Use cases of the telemetry service: ingest pose batches and media events, end sessions, hand out replays."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Mapping


from momentum.events.v1 import events_pb2
from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.errors import (
    Aborted, Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation, Unauthenticated,
)
from services.common.identity import Identity, current_request_id, new_request_id, service_identity
from services.common.logging import get_logger
from services.common.messaging.consumer import IncomingEvent, PoisonMessage
from services.common.parsing import from_timestamp, parse_uuid
from services.common.partitions import keep_month_partitions
from services.common.session_token import ExpiredSessionToken, InvalidSessionToken, verify_session_token
from services.telemetry import metrics, repository
from services.telemetry.domain.pose_batch import PoseBatchRejected, decode_batch
from services.telemetry.finalizer import Finalization, SessionFinalizer
from services.telemetry.media_ingest import MediaIngest, MediaIngestOutcome
from services.telemetry.replay_store import ReplayStore
from services.telemetry.sessions import (
    MAX_SESSION_FRAMES, Accepted, ConsentRegistry, InFlightSession, SessionIdentity, SessionRegistry,
)

log = get_logger(__name__)

BIOMETRIC = "biometric"  # pose landmarks
ANALYTICS = "analytics"  # video engagement
REPLAY_URL_SECONDS = 300
PARTITION_MONTHS_AHEAD = 3
MEDIA_RETENTION_MONTHS = 24
VERIFIED_TOKENS_KEPT = 50_000


class SessionEnded(Conflict):
    """The session was finalized; the app must start a new one through plans."""


class HeldElsewhere(Aborted):
    """Another live telemetry instance holds this session's frames; the gateway retries there."""

    def __init__(self, session_id: str, owner: str) -> None:
        super().__init__(f"session {session_id} is held by another telemetry instance [owner={owner}]")
        self.owner = owner


@dataclass(frozen=True)
class InstanceIdentity:
    """`name` is the gRPC target the gateway reaches this instance at; `incarnation` changes at every start."""

    name: str
    incarnation: str


@dataclass(frozen=True)
class ReplayLink:
    session_id: str
    url: str
    expires_at: datetime
    frame_count: int


@dataclass(frozen=True)
class Timing:
    silence_timeout: timedelta
    lease_every: timedelta
    lease_stale_after: timedelta

    @classmethod
    def for_silence(cls, silence_timeout: timedelta) -> "Timing":
        # Leases are renewed a few times per silence window so a dead instance's sessions are
        # recovered about as soon as a silent one would have been finalized anyway.
        every = min(timedelta(seconds=15), max(silence_timeout / 4, timedelta(milliseconds=100)))
        return cls(silence_timeout, every, every * 4)


class TelemetryHandlers:
    def __init__(
        self, database: Database, store: ReplayStore, sessions: SessionRegistry, finalizer: SessionFinalizer,
        clock: Clock, token_keys: Mapping[str, bytes], instance: InstanceIdentity, timing: Timing,
    ) -> None:
        self._db = database
        self._store = store
        self._finalizer = finalizer
        self._clock = clock
        self._keys = token_keys
        self.instance = instance
        self.timing = timing
        self.sessions = sessions
        self.consents = ConsentRegistry()
        self._media = MediaIngest(database, clock)
        self._background: set[asyncio.Task[Any]] = set()
        self._verified: dict[str, tuple[SessionIdentity, tuple[str, ...], int]] = {}

    # ------------------------------------------------------------------ pose frames (the hot path)
    async def ingest_pose(self, token: str, body: bytes) -> Accepted:
        """No database access once the session is open on this instance: verify, decode, append."""
        metrics.POSE_BYTES.inc(len(body))
        try:
            accepted = await self._ingest_pose(token, body)
        except Exception:
            metrics.POSE_BATCHES.labels("refused").inc()
            raise
        metrics.POSE_BATCHES.labels("accepted").inc()
        metrics.POSE_FRAMES.labels("accepted").inc(accepted.frames_accepted)
        metrics.POSE_FRAMES.labels("duplicate").inc(accepted.duplicate_frames)
        return accepted

    async def _ingest_pose(self, token: str, body: bytes) -> Accepted:
        who, claims_purposes = self._verify(token)
        if BIOMETRIC not in claims_purposes:
            raise PermissionDenied("the session token carries no biometric consent; pose frames are refused")
        try:
            batch = decode_batch(body)
        except PoseBatchRejected as exc:
            raise InvalidInput("body", f"{exc.code}: {exc.reason}") from exc
        session = await self._live_session(who, BIOMETRIC)
        if self.consents.withdrawn(who.tenant_id, who.patient_id, BIOMETRIC):
            raise PermissionDenied("the patient withdrew biometric consent; pose frames are refused")
        if session.closed:
            raise SessionEnded(f"exercise session {who.session_id} has ended")
        if session.would_exceed(batch):
            raise InvalidInput("body", f"session_too_long: a session holds at most {MAX_SESSION_FRAMES} frames")
        accepted = session.accept(batch, body, self._clock.now())
        if session.part_due and not session.flush_scheduled:
            session.flush_scheduled = True
            self._spawn(self._finalizer.flush_part(session))
        return accepted

    # ------------------------------------------------------------------ media events
    async def ingest_media(self, token: str, events_json: bytes) -> MediaIngestOutcome:
        who, claims_purposes = self._verify(token)
        if ANALYTICS not in claims_purposes:
            raise PermissionDenied("the session token carries no analytics consent; media events are refused")
        events = self._media.parse(events_json)
        try:
            session: InFlightSession | None = await self._live_session(who, ANALYTICS)
        except SessionEnded:
            session = None  # a late session_end of the video still belongs in its playback figures
        if self.consents.withdrawn(who.tenant_id, who.patient_id, ANALYTICS):
            raise PermissionDenied("the patient withdrew analytics consent; media events are refused")
        if session is not None:
            session.last_activity_at = self._clock.now()
        return await self._media.store(who, events, _patient(who))

    # ------------------------------------------------------------------ session end
    async def end_session(self, token: str, session_id: str) -> Finalization:
        who, _ = self._verify(token)
        if who.session_id != session_id:
            raise Unauthenticated("the session token belongs to another session")
        try:
            session = await self._live_session(who, None)
        except SessionEnded:
            return await self._stored_finalization(who)
        return await self._finalizer.finalize_live(session, "ended", _patient(who))

    async def _stored_finalization(self, who: SessionIdentity) -> Finalization:
        async with self._db.unit_of_work(who.tenant_id) as uow:
            row = await repository.get_session(uow, who.session_id)
            media = await repository.playback_metrics_of_session(uow, who.session_id)
        if row is None or not row.finalized:
            raise NotFound(f"exercise session {who.session_id} is not known")
        return Finalization.from_row(row, len(media), already=True)

    # ------------------------------------------------------------------ replay
    async def replay_link(self, caller: Identity, session_id: str) -> ReplayLink:
        caller.require_role("patient", "therapist")
        now = self._clock.now()
        async with self._db.unit_of_work(caller.tenant_id) as uow:
            row = await repository.get_session(uow, session_id)
            if row is None:
                raise NotFound(f"exercise session {session_id} is not known in this clinic")
            if caller.role == "patient" and row.patient_id != caller.user_id:
                raise PermissionDenied("a patient may only replay their own sessions")
            if not row.finalized:
                raise RuleViolation("the session is still in progress; its replay exists once it has ended", code="session_in_progress")
            if not row.replay_key:
                raise NotFound(f"exercise session {session_id} has no pose frames to replay")
            url = await self._store.presigned_read(row.replay_key, REPLAY_URL_SECONDS)
            await audit(
                uow, caller, "exercise_session.replay_link", "exercise_session", session_id, now,
                expires_in_seconds=REPLAY_URL_SECONDS,
            )
            await uow.commit()
        return ReplayLink(session_id, url, now + timedelta(seconds=REPLAY_URL_SECONDS), int(row.frame_count or 0))

    # ------------------------------------------------------------------ consent projection (consumer)
    async def on_consent_changed(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        body: events_pb2.ConsentChanged = event.body  # type: ignore[assignment]
        try:
            patient_id = parse_uuid("patient_id", body.patient_id)
        except InvalidInput as exc:
            raise PoisonMessage(exc.detail) from exc
        if not body.purpose or not body.purpose.replace("_", "").isalpha() or len(body.purpose) > 32:
            raise PoisonMessage(f"purpose {body.purpose!r} is not a consent purpose")
        if not body.HasField("changed_at"):
            raise PoisonMessage("consent change without changed_at cannot be ordered")
        changed_at = from_timestamp(body.changed_at)
        # Memory first: the next batch must see a withdrawal even before this transaction commits.
        self.consents.record(event.tenant_id, patient_id, body.purpose, body.granted, changed_at)
        await repository.record_consent(uow, event.tenant_id, patient_id, body.purpose, body.granted, changed_at)

    # ------------------------------------------------------------------ background work (telemetry/loops.py)
    async def finalize_silent(self) -> int:
        """Finalizes, as incomplete, sessions with no data for the silence timeout."""
        deadline = self._clock.now() - self.timing.silence_timeout
        finalized = 0
        for session in self.sessions.live():
            if session.closed or session.last_activity_at > deadline:
                continue
            await self._guarded(
                self._finalizer.finalize_live(session, "silence", service_identity(session.who.tenant_id)),
                "session.silence_finalize_failed", session.who.session_id,
            )
            finalized += 1
        return finalized

    async def renew_and_recover(self) -> int:
        async with self._db.unit_of_work(None) as uow:
            await repository.renew_leases(uow, self.instance.incarnation)
            orphans = await repository.orphaned_leases(
                uow, self.instance.name, self.instance.incarnation, self.timing.lease_stale_after
            )
            await uow.commit()
        for lease in orphans:
            await self._guarded(self._finalizer.recover(lease), "session.recovery_failed", lease.session_id)
        return len(orphans)

    async def maintain_partitions(self) -> int:
        return await keep_month_partitions(self._db, repository.PARTITION_FUNCTION, PARTITION_MONTHS_AHEAD, MEDIA_RETENTION_MONTHS)

    async def shutdown(self) -> None:
        """A graceful stop finalizes what this instance holds, as incomplete: nothing is lost."""
        await asyncio.gather(*self._background, return_exceptions=True)
        for session in self.sessions.live():
            try:
                await self._finalizer.finalize_live(session, "shutdown", service_identity(session.who.tenant_id))
            except Exception as exc:
                log.warning("session.shutdown_finalize_failed", session_id=session.who.session_id, error=repr(exc))
                await self._guarded(
                    self._finalizer.preserve(session), "session.shutdown_preserve_failed", session.who.session_id
                )

    # ------------------------------------------------------------------ helpers
    def _verify(self, token: str) -> tuple[SessionIdentity, tuple[str, ...]]:
        now = int(self._clock.now().timestamp())
        # A token already verified is the same string with the same signature: only its expiry can change.
        known = self._verified.get(token)
        if known is not None and now < known[2]:
            return known[0], known[1]
        try:
            claims = verify_session_token(self._keys, token, now)
        except ExpiredSessionToken as exc:
            raise Unauthenticated("the session token has expired; start the session again") from exc
        except InvalidSessionToken as exc:
            raise Unauthenticated(f"the session token is not valid ({exc.reason})") from exc
        try:
            tenant_id = parse_uuid("tenant_id", claims.tenant_id)
            patient_id = parse_uuid("patient_id", claims.patient_id)
        except InvalidInput as exc:
            raise Unauthenticated("the session token names no valid clinic or patient") from exc
        who = SessionIdentity(claims.session_id, tenant_id, patient_id, claims.workout_id, claims.exercise_id)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.clear()  # a burst of new sessions; re-verifying costs ~20 µs each
        self._verified[token] = (who, claims.purposes, claims.expires_at)
        return who, claims.purposes

    async def _live_session(self, who: SessionIdentity, purpose: str | None) -> InFlightSession:
        session = self.sessions.get(who.session_id)
        if session is None:
            if isinstance(self.sessions.finalized(who.session_id), Finalization):
                raise SessionEnded(f"exercise session {who.session_id} has ended")
            if self._finalizer.recovering(who.session_id):
                raise SessionEnded(_interrupted(who.session_id))
            lock = self.sessions.opening_lock(who.session_id)
            async with lock:
                opened = self.sessions.get(who.session_id) or await self._open(who, purpose)
            if isinstance(opened, repository.LeaseRow):
                # Outside the opening lock: a recovery reads S3 for seconds, and the batches that arrive
                # meanwhile are refused at once (recovering() above) rather than queued behind it.
                await self._finalizer.recover(opened, _patient(who))
                raise SessionEnded(_interrupted(who.session_id))
            session = opened
            self.sessions.opened(who.session_id)
        if session.who.tenant_id != who.tenant_id or session.who.patient_id != who.patient_id:
            raise Unauthenticated("the session token does not match the session")
        return session

    async def _open(self, who: SessionIdentity, purpose: str | None) -> InFlightSession | repository.LeaseRow:
        """First contact of a session with this instance: consent states, the row, the lease. Once per session.
        A lease of a dead incarnation comes back for the caller to recover."""
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            if not self.consents.is_loaded(who.tenant_id, who.patient_id):
                for stored_purpose, granted, changed_at in await repository.consent_states(uow, who.patient_id):
                    self.consents.record(who.tenant_id, who.patient_id, stored_purpose, granted, changed_at)
                self.consents.mark_loaded(who.tenant_id, who.patient_id)
            if purpose is not None and self.consents.withdrawn(who.tenant_id, who.patient_id, purpose):
                raise PermissionDenied(f"the patient withdrew {purpose} consent")
            row, created = await repository.open_session(
                uow, who.session_id, who.tenant_id, who.patient_id, who.workout_id, who.exercise_id, now
            )
            if row is None or row.patient_id != who.patient_id or row.workout_id != who.workout_id:
                raise Unauthenticated("the session token does not match the session")
            if row.finalized:
                raise SessionEnded(f"exercise session {who.session_id} has ended")
            lease = await repository.take_lease(
                uow, who.session_id, who.tenant_id, self.instance.name, self.instance.incarnation,
                self.timing.lease_stale_after,
            )
            orphaned = lease.incarnation != self.instance.incarnation
            if orphaned and lease.instance != self.instance.name and not lease.stale:
                raise HeldElsewhere(who.session_id, lease.instance)
            if not orphaned and created:
                await audit(
                    uow, _patient(who), "exercise_session.open", "exercise_session", who.session_id, now,
                    workout_id=who.workout_id, purpose=purpose,
                )
            await uow.commit()
        if orphaned:
            # The instance that held it is gone, and with it the frames it had not flushed to S3: the session
            # ends honestly (incomplete) rather than stitching a replay with a hole in it.
            return lease
        # A recovery here may already have claimed the lease (so it reads as ours) and not yet marked the
        # session finalized: a batch accepted now would be lost with it.
        if self._finalizer.recovering(who.session_id):
            raise SessionEnded(_interrupted(who.session_id))
        session = InFlightSession(
            who=SessionIdentity(who.session_id, who.tenant_id, who.patient_id, who.workout_id, row.exercise_id),
            opened_at=row.opened_at, last_activity_at=now,
        )
        self.sessions.add(session)
        return session

    def _spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(self._guarded(work, "replay.part_failed", ""))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _guarded(self, work: Awaitable[Any], failure: str, session_id: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one session's trouble must not stop the loop for the others
            log.warning(failure, session_id=session_id, error=repr(exc))


def _interrupted(session_id: str) -> str:
    return (f"exercise session {session_id} was interrupted by a telemetry restart and finalized as incomplete; "
            "start a new session")


def _patient(who: SessionIdentity) -> Identity:
    return Identity(who.tenant_id, who.patient_id, "patient", current_request_id() or new_request_id())
