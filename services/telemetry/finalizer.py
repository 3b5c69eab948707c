"""Replay parts on the way, and the exactly-once end of an exercise session: aggregates, blob, event."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from momentum.events.v1 import events_pb2
from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import NotFound, Unavailable
from services.common.identity import Identity, service_identity
from services.common.logging import get_logger
from services.common.parsing import to_timestamp
from services.telemetry import repository
from services.telemetry.metrics import SESSION_SECONDS, SESSIONS_ENDED
from services.telemetry.domain.pose_batch import PoseBatchRejected, decode_replay, encode_batch
from services.telemetry.domain.pose_metrics import SessionPoseMetrics, aggregate_session
from services.telemetry.plans_client import PlansClient
from services.telemetry.replay_store import ReplayStore, ReplayUnavailable
from services.telemetry.repository import LeaseRow, SessionRow
from services.telemetry.sessions import InFlightSession, ReplayPart, SessionIdentity, SessionRegistry

log = get_logger(__name__)

SESSION_FINALIZED = "telemetry.session.finalized"


class TelemetryUnavailable(Unavailable):
    """A dependency (S3, plans) is away; nothing was lost, the call can be retried."""


@dataclass(frozen=True)
class Finalization:
    session_id: str
    incomplete: bool
    already_finalized: bool
    frame_count: int
    rep_count: int
    average_form_score: float | None
    pose_accuracy_score: float | None
    replay_key: str
    media_sessions: int

    @classmethod
    def from_row(cls, row: SessionRow, media_sessions: int, already: bool) -> "Finalization":
        summary = row.pose_summary or {}
        return cls(
            row.session_id, bool(row.incomplete), already, int(row.frame_count or 0), int(summary.get("rep_count", 0)),
            summary.get("average_form_score"), summary.get("pose_accuracy_score"), row.replay_key or "",
            media_sessions,
        )


class SessionFinalizer:
    def __init__(
        self, database: Database, store: ReplayStore, plans: PlansClient, sessions: SessionRegistry,
        clock: Clock, incarnation: str,
    ) -> None:
        self._db = database
        self._store = store
        self._plans = plans
        self._sessions = sessions
        self._clock = clock
        self._incarnation = incarnation
        # Sessions of a dead incarnation this instance is finalizing or has finalized (a few per restart).
        self._recovering: set[str] = set()

    # ------------------------------------------------------------------ replay parts in flight
    async def flush_part(self, session: InFlightSession) -> None:
        """Uploads the pending replay bytes as the next multipart part once they reach S3's minimum."""
        async with session.lock:
            session.flush_scheduled = False
            if session.closed or not session.part_due:
                return
            data, frames, members = session.take_pending()
            who = session.who
            try:
                if session.upload_id is None:
                    session.upload_id = await self._store.begin_upload(who.replay_key)
                number = len(session.parts) + 1
                etag = await self._store.upload_part(who.replay_key, session.upload_id, number, data)
            except ReplayUnavailable as exc:
                # The bytes stay pending; the next batch schedules another try.
                session.flush_failures += 1
                log.warning("replay.part_failed", session_id=who.session_id, error=str(exc))
                return
            session.drop_uploaded(members, ReplayPart(number, etag, frames))
            # For recovery after a crash: which upload holds this session's parts. The next part
            # records it again should this write fail.
            async with self._db.unit_of_work(who.tenant_id) as uow:
                await repository.record_upload(uow, who.session_id, session.upload_id, number, session.uploaded_frames)
                await uow.commit()
            log.info("replay.part_uploaded", session_id=who.session_id, part=number, bytes=len(data), frames=frames)

    # ------------------------------------------------------------------ end of a live session
    async def finalize_live(self, session: InFlightSession, reason: str, actor: Identity) -> Finalization:
        """Ends a session held in this process: waits for a part upload in flight, then finalizes once."""
        async with session.lock:
            done = self._sessions.finalized(session.who.session_id)
            if isinstance(done, Finalization):
                return _repeated(done)
            session.closed = True
            try:
                ended_at = session.last_activity_at if reason == "silence" else self._clock.now()
                outcome = await self._finalize(
                    session.who, session.frames(), lambda: self._write_live_replay(session), reason, ended_at, actor
                )
            except BaseException:
                session.closed = False  # nothing was finalized: batches may keep coming, a later try will do
                raise
        self._sessions.remove(session.who.session_id)
        self._sessions.remember_finalized(session.who.session_id, outcome)
        return outcome

    async def _write_live_replay(self, session: InFlightSession) -> str:
        who = session.who
        if not session.in_time_order:
            return await self._write_sorted_replay(session)
        data, _, _ = session.take_pending()
        if session.parts:
            parts = [(part.number, part.etag) for part in session.parts]
            if data:
                number = len(parts) + 1
                parts.append((number, await self._store.upload_part(who.replay_key, session.upload_id or "", number, data)))
            await self._store.complete_upload(who.replay_key, session.upload_id or "", parts)
            return who.replay_key
        if session.upload_id is not None:
            await self._store.abort_upload(who.replay_key, session.upload_id)
        if not data:
            return ""
        await self._store.put(who.replay_key, data)
        return who.replay_key

    async def _write_sorted_replay(self, session: InFlightSession) -> str:
        """Batches arrived out of order, so the stream (and any part of it in S3) is not in time order:
        the replay is written whole from the sorted frames, and the multipart upload dropped."""
        who = session.who
        landmarks, timestamps = session.frames()
        data = await asyncio.to_thread(encode_batch, landmarks, timestamps, session.fps_hint)
        await self._store.put(who.replay_key, data)
        if session.upload_id is not None:
            await self._store.abort_upload(who.replay_key, session.upload_id)
        return who.replay_key

    # ------------------------------------------------------------------ sessions whose instance died
    async def recover(self, lease: LeaseRow, actor: Identity | None = None) -> Finalization | None:
        """Finalizes, as incomplete, a session whose process is gone: its uploaded parts become the replay
        and the aggregates are computed from them; frames it never flushed are lost."""
        # Kept once ended, so a batch that read the row before the recovery finalized it is still refused.
        self._recovering.add(lease.session_id)
        try:
            return await self._recover(lease, actor)
        except BaseException:
            self._recovering.discard(lease.session_id)  # not ended: a later batch or sweep tries again
            raise

    def recovering(self, session_id: str) -> bool:
        """Whether this instance is finalizing (or has finalized) the session for a dead incarnation: its lease
        then reads as ours, but no batch may be accepted, since the recovery ends the session without it."""
        return session_id in self._recovering

    async def _recover(self, lease: LeaseRow, actor: Identity | None) -> Finalization | None:
        async with self._db.unit_of_work(lease.tenant_id) as uow:
            if not await repository.claim_lease(uow, lease.session_id, lease.incarnation, self._incarnation):
                return None  # another instance is on it
            row = await repository.get_session(uow, lease.session_id)
            await uow.commit()
        if row is None:
            return None
        who = SessionIdentity(row.session_id, row.tenant_id, row.patient_id, row.workout_id, row.exercise_id)
        if row.finalized:
            async with self._db.unit_of_work(lease.tenant_id) as uow:
                await repository.release_lease(uow, lease.session_id)
                await uow.commit()
            return None
        try:
            frames, replay_key = await self._recover_replay(who, row.upload_id)
            outcome = await self._finalize(
                who, frames, lambda: _ready(replay_key), "recovered", self._clock.now(),
                actor or service_identity(row.tenant_id),
            )
        except Exception:
            async with self._db.unit_of_work(lease.tenant_id) as uow:
                await repository.return_lease(uow, lease, self._incarnation)
                await uow.commit()
            raise
        log.warning("session.recovered", session_id=row.session_id, frames=outcome.frame_count)
        return outcome

    async def _recover_replay(
        self, who: SessionIdentity, upload_id: str | None
    ) -> tuple[tuple[np.ndarray, np.ndarray], str]:
        empty = (np.empty((0, 33, 4), dtype=np.float32), np.empty((0,), dtype=np.uint32))
        if upload_id is not None:
            parts = await self._store.uploaded_parts(who.replay_key, upload_id)
            if parts:
                await self._store.complete_upload(who.replay_key, upload_id, [(p.number, p.etag) for p in parts])
        # Also there when a stopping instance could only preserve the stream (see preserve).
        if not await self._store.exists(who.replay_key):
            if upload_id is not None:
                await self._store.abort_upload(who.replay_key, upload_id)
            return empty, ""
        blob = await self._store.read(who.replay_key)
        try:
            batch = decode_replay(blob)
        except PoseBatchRejected as exc:
            try:
                # Parts of a session whose batches arrived out of order: sort them, and keep them sorted.
                batch = decode_replay(blob, any_order=True)
            except PoseBatchRejected:
                log.error("replay.unreadable", session_id=who.session_id, error=str(exc))
                return empty, who.replay_key
            await self._store.put(
                who.replay_key,
                await asyncio.to_thread(encode_batch, batch.landmarks, batch.timestamps_ms, batch.fps_hint),
            )
        return (batch.landmarks, batch.timestamps_ms), who.replay_key

    async def preserve(self, session: InFlightSession) -> None:
        """When a stopping instance cannot finalize (plans away), it still writes every frame it holds
        to the replay blob; whoever recovers the session then aggregates all of them."""
        async with session.lock:
            session.closed = True
            await self._write_live_replay(session)
        self._sessions.remove(session.who.session_id)

    # ------------------------------------------------------------------ the one place a session ends
    async def _finalize(
        self, who: SessionIdentity, frames: tuple[np.ndarray, np.ndarray], write_replay: Any, reason: str,
        ended_at: datetime, actor: Identity,
    ) -> Finalization:
        landmarks, timestamps = frames
        profile = await self._plans.pose_profile(who.tenant_id, who.exercise_id)
        # ~tens of ms of numpy for a 10-minute session: off the event loop so other sessions keep flowing.
        metrics = await asyncio.to_thread(aggregate_session, landmarks, timestamps, profile)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            row = await repository.lock_session(uow, who.session_id)
            if row is None:
                raise NotFound(f"exercise session {who.session_id} is not known")
            if row.finalized:
                media = await repository.playback_metrics_of_session(uow, who.session_id)
                return Finalization.from_row(row, len(media), already=True)
            try:
                replay_key = await write_replay()
            except ReplayUnavailable as exc:
                raise TelemetryUnavailable(f"the replay store is unavailable: {exc}") from exc
            media = await repository.playback_metrics_of_session(uow, who.session_id)
            incomplete = reason != "ended"
            frame_count = int(timestamps.shape[0])
            await repository.mark_finalized(
                uow, who.session_id, incomplete=incomplete, end_reason=reason, ended_at=ended_at,
                frame_count=frame_count, replay_key=replay_key, pose_summary=metrics.to_dict(),
            )
            event = _finalized_event(row, metrics, media, incomplete, ended_at, replay_key, frame_count)
            await uow.add_event(
                SESSION_FINALIZED, event, who.tenant_id, message_id=f"telemetry-session-finalized:{who.session_id}",
                occurred_at=self._clock.now(),
            )
            await repository.release_lease(uow, who.session_id)
            await audit(
                uow, actor, "exercise_session.finalize", "exercise_session", who.session_id, self._clock.now(), reason=reason,
                incomplete=incomplete, frames=frame_count, reps=metrics.rep_count, replay_key=replay_key,
            )
            await uow.commit()
        SESSIONS_ENDED.labels("incomplete" if incomplete else "completed", reason).inc()
        SESSION_SECONDS.observe(max((ended_at - row.opened_at).total_seconds(), 0))
        return Finalization(
            who.session_id, incomplete, False, frame_count, metrics.rep_count, metrics.average_form_score,
            metrics.pose_accuracy_score, replay_key, len(media),
        )


async def _ready(value: str) -> str:
    return value


def _repeated(done: Finalization) -> Finalization:
    return Finalization(**{**done.__dict__, "already_finalized": True})


def _measured(value: float | None) -> float | None:
    # Optional fields of the event: "not measured" travels as absent, never as 0.
    return float(value) if value is not None and math.isfinite(value) else None


def _finalized_event(
    row: SessionRow, metrics: SessionPoseMetrics, media: list[Any], incomplete: bool, ended_at: datetime,
    replay_key: str, frame_count: int,
) -> events_pb2.ExerciseSessionFinalized:
    pose = events_pb2.PoseSessionSummary(
        rep_count=metrics.rep_count,
        average_form_score=_measured(metrics.average_form_score),
        active_duration_ms=metrics.active_duration_ms,
        pose_accuracy_score=_measured(metrics.pose_accuracy_score),
        frames_total=metrics.frames_total,
        frames_low_visibility=metrics.frames_low_visibility,
        reps=[
            events_pb2.PoseRep(
                rep_number=rep.rep_number, start_ms=rep.start_ms, end_ms=rep.end_ms,
                peak_rom_degrees=rep.peak_rom_degrees, eccentric_ms=rep.eccentric_ms, hold_ms=rep.hold_ms,
                concentric_ms=rep.concentric_ms, max_deviation_degrees=_measured(rep.max_deviation_degrees),
                form_score=rep.form_score,
            )
            for rep in metrics.reps
        ],
    )
    return events_pb2.ExerciseSessionFinalized(
        session_id=row.session_id,
        patient_id=str(row.patient_id),
        workout_id=row.workout_id,
        exercise_id=row.exercise_id,
        incomplete=incomplete,
        started_at=to_timestamp(row.opened_at),
        ended_at=to_timestamp(ended_at),
        pose=pose,
        media=[
            events_pb2.MediaSessionSummary(
                media_session_id=str(m.media_session_id), startup_ms=float(m.startup_ms or 0),
                watched_seconds=m.watched_seconds, completion_percentage=m.completion_percentage,
                milestones_reached=list(m.milestones_reached), rebuffer_count=m.rebuffer_count,
                rebuffer_seconds=m.rebuffer_seconds, rebuffer_percentage=m.rebuffer_percentage,
                rebuffers_per_minute=m.rebuffers_per_minute, quality_seconds=dict(m.quality_seconds),
                quality_up_switches=m.quality_up_switches, quality_down_switches=m.quality_down_switches,
                dropped_frame_ratio=m.dropped_frame_ratio, exit_before_video_start=m.exit_before_video_start,
            )
            for m in media
        ],
        replay_key=replay_key,
        frame_count=frame_count,
    )
