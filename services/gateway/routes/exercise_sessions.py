"""Finalized exercise sessions for the clinic's staff (and the patient, their own): reps, totals, video quality."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import Depends, Query, Request

from momentum.plans.v1 import plans_pb2
from momentum.telemetry.v1 import telemetry_pb2
from services.common.identity import Identity
from services.common.parsing import iso_utc
from services.gateway.auth import authenticated
from services.gateway.errors import ApiError, invalid_field
from services.gateway.routing import api_router, errors, id_path, instant_from_caller, only_query, path_id
from services.gateway.schemas.exercise_sessions import (
    ExerciseSessionPageReply, ExerciseSessionReply, ExerciseSessionSummaryReply, RepReply, ReplayInfo,
    SessionTotalsReply,
)
from services.gateway.routes.video_quality import video_quality_reply

router = api_router("exercise sessions")
READERS = ("patient", "therapist", "admin")


def _reader(caller: Identity) -> Identity:
    if caller.role not in READERS:
        raise ApiError(403, "permission_denied", "exercise sessions are for the clinic's staff and the patient")
    return caller


@router.get(
    "/v1/patients/{patient_id}/exercise-sessions", response_model=ExerciseSessionPageReply,
    operation_id="listExerciseSessions",
)
async def list_exercise_sessions(
    request: Request,
    patient_id: str = id_path("the patient"),
    from_: datetime | None = Query(default=None, alias="from", description="sessions started at or after this instant"),
    to: datetime | None = Query(default=None, description="sessions started before this instant"),
    exerciseId: UUID | None = Query(default=None, description="only sessions of this exercise"),
    limit: int = Query(default=20, ge=1, le=100),
    cursor: str | None = Query(default=None, max_length=200, description="nextCursor of the previous page"),
    caller: Identity = Depends(authenticated),
    _known: None = only_query("from", "to", "exerciseId", "limit", "cursor"),
) -> ExerciseSessionPageReply:
    """A patient's finalized exercise sessions, newest first, for a therapist or admin of the clinic or the
    patient themself; another clinic's patient is a 404."""
    _reader(caller)
    patient_id = path_id("patientId", patient_id)
    for name, value in (("from", from_), ("to", to)):
        if value is not None and value.tzinfo is None:
            raise invalid_field(name, "must be an instant with its offset (e.g. Z)")
    clients = request.app.state.clients
    # Who may see the patient is plans' rule (a patient only themselves, staff their clinic's): 404 otherwise.
    await clients.call(clients.plans.GetPatientContext, plans_pb2.GetPatientContextRequest(patient_id=patient_id), caller)
    page = await request.app.state.telemetry_ring.call(
        "ListExerciseSessions",
        telemetry_pb2.ListExerciseSessionsRequest(
            patient_id=patient_id, started_from=_instant("from", from_), started_before=_instant("to", to),
            exercise_id=str(exerciseId) if exerciseId else "", limit=limit, cursor=cursor or "",
        ),
        patient_id, caller.to_metadata(),
    )
    return ExerciseSessionPageReply(
        # Plans names every session with a UUID; one a tool signed with another id cannot be addressed here.
        sessions=[ExerciseSessionSummaryReply(**_summary(s)) for s in page.sessions if _uuid_or_none(s.session_id)],
        nextCursor=page.next_cursor or None,
    )


@router.get("/v1/exercise-sessions/{session_id}", response_model=ExerciseSessionReply, operation_id="getExerciseSession", responses=errors(400))
async def get_exercise_session(
    request: Request, session_id: str = id_path("the exercise session"), caller: Identity = Depends(authenticated),
    _known: None = only_query(),
) -> ExerciseSessionReply:
    """One finalized exercise session: status and why it is incomplete, detected reps with ROM, phases and
    deviation, totals, the replay route, and the quality of each playback of the exercise video."""
    _reader(caller)
    session_id = path_id("sessionId", session_id)
    found = await request.app.state.telemetry_ring.call(
        "GetExerciseSession", telemetry_pb2.GetExerciseSessionRequest(session_id=session_id), session_id,
        caller.to_metadata(),
    )
    return ExerciseSessionReply(
        **_summary(found),
        reps=[
            RepReply(
                repNumber=r.rep_number, startMs=r.start_ms, endMs=r.end_ms, peakRomDegrees=r.peak_rom_degrees,
                minimumAngleDegrees=r.deepest_angle_degrees if r.HasField("deepest_angle_degrees") else None,
                formScore=r.form_score, eccentricMs=r.eccentric_ms, holdMs=r.hold_ms, concentricMs=r.concentric_ms,
                maxDeviationDegrees=r.max_deviation_degrees if r.HasField("max_deviation_degrees") else None,
            )
            for r in found.reps
        ],
        videoQuality=[video_quality_reply(m) for m in found.media],
    )


def _instant(field: str, value: datetime | None) -> str:
    return iso_utc(instant_from_caller(field, value)) if value is not None else ""


def _summary(s: telemetry_pb2.ExerciseSessionDetail) -> dict[str, Any]:
    return {
        "sessionId": s.session_id, "patientId": s.patient_id, "workoutId": _uuid_or_none(s.workout_id),
        "exerciseId": _uuid_or_none(s.exercise_id), "startedAt": s.started_at, "endedAt": s.ended_at,
        "status": s.status, "incompleteReason": s.incomplete_reason or None, "detectedRepCount": s.rep_count,
        "totals": SessionTotalsReply(
            averageFormScore=s.average_form_score if s.HasField("average_form_score") else None,
            activeDurationMs=s.active_duration_ms,
            poseAccuracyScore=s.pose_accuracy_score if s.HasField("pose_accuracy_score") else None,
            frameCount=s.frame_count, framesLowVisibility=s.frames_low_visibility,
        ),
        "replay": ReplayInfo(
            available=s.replay_available, url=f"/v1/sessions/{s.session_id}/replay" if s.replay_available else None
        ),
    }


def _uuid_or_none(raw: str) -> UUID | None:
    # Plans issues UUIDs; a token signed by a tool may name something else, which is shown as unknown.
    try:
        return UUID(raw)
    except ValueError:
        return None
