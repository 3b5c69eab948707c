"""In-flight exercise sessions and the consent projection, held in this process's memory (no I/O here)."""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from services.telemetry import metrics
from services.telemetry.domain.pose_batch import PoseBatch, encode_batch, in_time_order, unseen_frames

# S3's minimum size of every part but the last: the replay stream is cut into parts of at least this.
REPLAY_PART_BYTES = 5 * 1024 * 1024
# One hour at 30 fps (~57 MB of landmarks): beyond that a session is a stuck client, not an exercise.
MAX_SESSION_FRAMES = 108_000


@dataclass(frozen=True)
class SessionIdentity:
    """Whose session this is, from the verified token (exercise from the row plans' token named)."""

    session_id: str
    tenant_id: uuid.UUID
    patient_id: uuid.UUID
    workout_id: str
    exercise_id: str

    @property
    def replay_key(self) -> str:
        return f"{self.tenant_id}/{self.session_id}.bin.gz"


@dataclass(frozen=True)
class Accepted:
    session_id: str
    frames_received: int
    frames_accepted: int
    duplicate_frames: int
    last_timestamp_ms: int
    session_frames: int


@dataclass
class ReplayPart:
    number: int
    etag: str
    frames: int


@dataclass
class InFlightSession:
    """Frames received so far (for the aggregates) and the replay stream not yet uploaded.

    The replay stream is a concatenation of gzip members in the pose-batch format: a batch
    that is entirely new is appended as the very bytes the app sent (no re-encoding); a
    partly duplicate batch is re-encoded with only its new frames. Batches may arrive in
    any order; once one lands before a frame already held, `in_time_order` turns False and
    the finalizer writes the replay from the sorted frames instead of the stream.
    """

    who: SessionIdentity
    opened_at: datetime
    last_activity_at: datetime
    landmarks: list[np.ndarray] = field(default_factory=list)
    timestamps: list[np.ndarray] = field(default_factory=list)
    frame_count: int = 0
    last_timestamp_ms: int | None = None  # the latest frame time held (not the last to arrive)
    in_time_order: bool = True
    fps_hint: int = 30
    pending: list[tuple[bytes, int]] = field(default_factory=list)  # (gzip member, frames)
    pending_bytes: int = 0
    pending_frames: int = 0
    upload_id: str | None = None
    parts: list[ReplayPart] = field(default_factory=list)
    # Held while a part is uploaded or the session finalized: parts go up in order, finalization waits.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    closed: bool = False
    flush_scheduled: bool = False
    flush_failures: int = 0

    def accept(self, batch: PoseBatch, body: bytes, at: datetime) -> Accepted:
        """Append the frames the session has not seen (synchronous: no other batch interleaves)."""
        self.last_activity_at = at
        if self.last_timestamp_ms is None or batch.first_timestamp_ms > self.last_timestamp_ms:
            fresh: PoseBatch | None = batch  # the common case: the next second, no lookup needed
        else:
            fresh = unseen_frames(np.concatenate(self.timestamps), batch)
        accepted = 0
        if fresh is not None:
            if self.last_timestamp_ms is not None and fresh.first_timestamp_ms < self.last_timestamp_ms:
                self.in_time_order = False
            self.fps_hint = fresh.fps_hint
            accepted = fresh.frame_count
            self.landmarks.append(fresh.landmarks)
            self.timestamps.append(fresh.timestamps_ms)
            member = body if accepted == batch.frame_count else encode_batch(
                fresh.landmarks, fresh.timestamps_ms, fresh.fps_hint
            )
            self.pending.append((member, accepted))
            self.pending_bytes += len(member)
            self.pending_frames += accepted
            self.frame_count += accepted
            self.last_timestamp_ms = max(self.last_timestamp_ms or 0, fresh.last_timestamp_ms)
        return Accepted(
            session_id=self.who.session_id,
            frames_received=batch.frame_count,
            frames_accepted=accepted,
            duplicate_frames=batch.frame_count - accepted,
            last_timestamp_ms=self.last_timestamp_ms if self.last_timestamp_ms is not None else -1,
            session_frames=self.frame_count,
        )

    def would_exceed(self, batch: PoseBatch) -> bool:
        return self.frame_count + batch.frame_count > MAX_SESSION_FRAMES

    @property
    def part_due(self) -> bool:
        return self.pending_bytes >= REPLAY_PART_BYTES

    def take_pending(self) -> tuple[bytes, int, int]:
        """The replay bytes not uploaded yet, their frame count and how many members they are."""
        return b"".join(m for m, _ in self.pending), self.pending_frames, len(self.pending)

    def drop_uploaded(self, members: int, part: ReplayPart) -> None:
        # Batches accepted while the part was uploading stay pending for the next part.
        uploaded, self.pending = self.pending[:members], self.pending[members:]
        self.pending_bytes -= sum(len(m) for m, _ in uploaded)
        self.pending_frames -= sum(frames for _, frames in uploaded)
        self.parts.append(part)

    @property
    def uploaded_frames(self) -> int:
        return sum(part.frames for part in self.parts)

    def frames(self) -> tuple[np.ndarray, np.ndarray]:
        """Every frame held, in time order."""
        if not self.landmarks:
            return np.empty((0, 33, 4), dtype=np.float32), np.empty((0,), dtype=np.uint32)
        return in_time_order(np.concatenate(self.landmarks), np.concatenate(self.timestamps))


class SessionRegistry:
    """Sessions in flight on this instance, and a short memory of those already finalized here."""

    def __init__(self, remember_finalized: int = 10_000) -> None:
        self._live: dict[str, InFlightSession] = {}
        self._finalized: OrderedDict[str, object] = OrderedDict()
        self._remember = remember_finalized
        self._opening: dict[str, asyncio.Lock] = {}

    def get(self, session_id: str) -> InFlightSession | None:
        return self._live.get(session_id)

    def add(self, session: InFlightSession) -> None:
        self._live[session.who.session_id] = session
        metrics.SESSIONS_IN_FLIGHT.set(len(self._live))

    def remove(self, session_id: str) -> None:
        self._live.pop(session_id, None)
        metrics.SESSIONS_IN_FLIGHT.set(len(self._live))

    def live(self) -> list[InFlightSession]:
        return list(self._live.values())

    def opening_lock(self, session_id: str) -> asyncio.Lock:
        """One opener per session id: concurrent first batches must not both insert and lease."""
        return self._opening.setdefault(session_id, asyncio.Lock())

    def opened(self, session_id: str) -> None:
        self._opening.pop(session_id, None)

    def remember_finalized(self, session_id: str, outcome: object) -> None:
        self._finalized[session_id] = outcome
        self._finalized.move_to_end(session_id)
        while len(self._finalized) > self._remember:
            self._finalized.popitem(last=False)

    def finalized(self, session_id: str) -> object | None:
        return self._finalized.get(session_id)


class ConsentRegistry:
    """The last word on each (patient, purpose) this instance has heard, from events and the database.

    Last writer wins by `changed_at`, so a redelivered or late event never undoes a newer one.
    A patient's stored states are loaded once, when their first session opens on this instance.
    """

    def __init__(self) -> None:
        self._states: dict[tuple[uuid.UUID, uuid.UUID, str], tuple[bool, datetime]] = {}
        self._loaded: set[tuple[uuid.UUID, uuid.UUID]] = set()

    def record(self, tenant_id: uuid.UUID, patient_id: uuid.UUID, purpose: str, granted: bool, changed_at: datetime) -> bool:
        key = (tenant_id, patient_id, purpose)
        known = self._states.get(key)
        if known is not None and known[1] >= changed_at:
            return False
        self._states[key] = (granted, changed_at)
        return True

    def withdrawn(self, tenant_id: uuid.UUID, patient_id: uuid.UUID, purpose: str) -> bool:
        known = self._states.get((tenant_id, patient_id, purpose))
        return known is not None and not known[0]

    def is_loaded(self, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> bool:
        return (tenant_id, patient_id) in self._loaded

    def mark_loaded(self, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> None:
        self._loaded.add((tenant_id, patient_id))
