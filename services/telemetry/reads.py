"""Staff reads of finalized exercise sessions: a patient's sessions page by page, one session in full, and the
clinic's video quality per exercise video over a period."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import InvalidInput, NotFound, RuleViolation
from services.common.identity import Identity
from services.telemetry import reads_repository, repository
from services.telemetry.domain.session_view import (
    BadCursor, RepView, SessionTotals, decode_cursor, encode_cursor, rep_rows, session_status, totals,
)
from services.telemetry.domain.video_quality_summary import BadPeriod, ExerciseVideoSummary, period, summarise
from services.telemetry.repository import SessionRow

DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(frozen=True)
class SessionView:
    row: SessionRow
    status: str
    incomplete_reason: str | None
    totals: SessionTotals
    reps: list[RepView] = field(default_factory=list)
    media: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class SessionPage:
    sessions: list[SessionView]
    next_cursor: str


@dataclass(frozen=True)
class VideoQualityByExercise:
    started_from: datetime
    started_before: datetime
    exercises: list[ExerciseVideoSummary]


class SessionReads:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def list_sessions(
        self, caller: Identity, patient_id: uuid.UUID, *, started_from: datetime | None, started_before: datetime | None,
        exercise_id: str | None, limit: int, cursor: str | None,
    ) -> SessionPage:
        caller.require_role("patient", "therapist", "admin")
        if caller.role == "patient" and caller.user_id != patient_id:
            raise NotFound(f"patient {patient_id} not found")
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput("limit", f"must be 1..{MAX_PAGE}")
        if started_from is not None and started_before is not None and started_before <= started_from:
            raise InvalidInput("to", "must be after from")
        try:
            after = decode_cursor(cursor) if cursor else None
        except BadCursor as exc:
            raise InvalidInput("cursor", str(exc)) from exc
        async with self._db.unit_of_work(caller.tenant_id) as uow:
            # One more than asked: whether a next page exists without a count.
            rows = await reads_repository.finalized_sessions(
                uow, patient_id, started_from=started_from, started_before=started_before, exercise_id=exercise_id,
                after=after, limit=limit + 1,
            )
        page, more = rows[:limit], len(rows) > limit
        next_cursor = encode_cursor(page[-1].opened_at, page[-1].session_id) if more else ""
        return SessionPage([_view(row) for row in page], next_cursor)

    async def get_session(self, caller: Identity, session_id: str) -> SessionView:
        caller.require_role("patient", "therapist", "admin")
        async with self._db.unit_of_work(caller.tenant_id) as uow:
            row = await repository.get_session(uow, session_id)
            # Another patient's session is as unknown to a patient as another clinic's is to staff.
            if row is None or (caller.role == "patient" and row.patient_id != caller.user_id):
                raise NotFound(f"exercise session {session_id} not found")
            if not row.finalized:
                raise RuleViolation("the session is still in progress; its figures exist once it has ended", code="session_in_progress")
            media = await reads_repository.video_quality_of_session(uow, session_id)
        return _view(row, rep_rows(row.pose_summary), media)


    async def video_quality_by_exercise(
        self, caller: Identity, *, started_from: datetime | None, started_before: datetime | None
    ) -> VideoQualityByExercise:
        caller.require_role("therapist", "admin")
        try:
            start, end = period(started_from, started_before, self._clock.now())
        except BadPeriod as exc:
            raise InvalidInput(exc.field, exc.reason) from exc
        async with self._db.unit_of_work(caller.tenant_id) as uow:
            plays = await reads_repository.plays_by_exercise(uow, start, end)
        return VideoQualityByExercise(start, end, [summarise(p) for p in plays])


def _view(row: SessionRow, reps: list[RepView] | None = None, media: list[Any] | None = None) -> SessionView:
    status, reason = session_status(row.end_reason)
    return SessionView(row, status, reason, totals(row.pose_summary), reps or [], media or [])
