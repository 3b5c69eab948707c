"""Patient routes: today's workout, past workouts, completing and skipping, exercise sessions, forms."""

from __future__ import annotations

import json

from fastapi import Depends, Query, Request

from momentum.plans.v1 import plans_pb2
from services.common.identity import Identity
from services.common.parsing import to_timestamp
from services.gateway import plans_replies as reply
from services.gateway.routing import api_router, id_path, instant_from_caller, path_id, patient, errors
from services.gateway.schemas.workouts import (
    CompleteWorkoutBody, FormResponseBody, FormResponseReply, SessionGrantReply, SkipWorkoutBody, StartSessionBody,
    TodayReply, WorkoutListReply, WorkoutReply,
)

router = api_router("workouts")


@router.get("/v2/workouts/today", response_model=TodayReply, operation_id="getTodayWorkout")
async def today(request: Request, caller: Identity = Depends(patient)) -> TodayReply:
    """The patient's workout for their local today, or null when none is scheduled."""
    clients = request.app.state.clients
    found = await clients.call(clients.plans.GetTodayWorkout, plans_pb2.GetTodayWorkoutRequest(), caller)
    return TodayReply(localDate=found.local_date, workout=reply.workout(found.workout) if found.has_workout else None)


@router.get("/v2/workouts", response_model=WorkoutListReply, operation_id="listMyWorkouts")
async def my_workouts(request: Request, past: bool = Query(default=True), caller: Identity = Depends(patient)) -> WorkoutListReply:
    """The patient's workouts, newest first (only past ones by default); mirrors show completedViaAppEntrance."""
    clients = request.app.state.clients
    found = await clients.call(clients.plans.ListMyWorkouts, plans_pb2.ListMyWorkoutsRequest(past_only=past), caller)
    return WorkoutListReply(workouts=[reply.workout(w) for w in found.workouts])


@router.post("/v2/workouts/{workout_id}/complete", response_model=WorkoutReply, operation_id="completeWorkout", responses=errors(400, 409))
async def complete(body: CompleteWorkoutBody, request: Request, workout_id: str = id_path(), caller: Identity = Depends(patient)) -> WorkoutReply:
    """Completes the workout once; repeating the call returns the same completion and emits nothing."""
    clients = request.app.state.clients
    done = await clients.call(
        clients.plans.CompleteWorkout,
        plans_pb2.CompleteWorkoutRequest(
            workout_id=path_id("workoutId", workout_id),
            time_workout_start=to_timestamp(instant_from_caller("timeWorkoutStart", body.timeWorkoutStart)),
            time_workout_end=to_timestamp(instant_from_caller("timeWorkoutEnd", body.timeWorkoutEnd)),
            pain_before=body.painBefore, pain_after=body.painAfter, perceived_difficulty=body.perceivedDifficulty,
            exercises=[
                plans_pb2.ExerciseResult(
                    exercise_id=str(e.exerciseId), actual_sets=e.actualSets, actual_reps=e.actualReps, skipped=e.skipped,
                    has_video_watch_percentage=e.videoWatchPercentage is not None,
                    video_watch_percentage=e.videoWatchPercentage or 0.0,
                )
                for e in body.exercises
            ],
        ),
        caller,
    )
    return reply.workout(done)


@router.post("/v1/workouts/{workout_id}/skip", response_model=WorkoutReply, operation_id="skipWorkout", responses=errors(400))
async def skip(body: SkipWorkoutBody, request: Request, workout_id: str = id_path(), caller: Identity = Depends(patient)) -> WorkoutReply:
    """Skips the workout with an optional reason; its exercise logs are marked skipped."""
    clients = request.app.state.clients
    asked = plans_pb2.SkipWorkoutRequest(workout_id=path_id("workoutId", workout_id), reason=body.reason)
    return reply.workout(await clients.call(clients.plans.SkipWorkout, asked, caller))


@router.post("/v1/workouts/{workout_id}/sessions/start", response_model=SessionGrantReply, status_code=201, operation_id="startExerciseSession", responses=errors(400))
async def start_session(body: StartSessionBody, request: Request, workout_id: str = id_path(), caller: Identity = Depends(patient)) -> SessionGrantReply:
    """Opens an exercise session and returns the signed token telemetry accepts for it."""
    clients = request.app.state.clients
    grant = await clients.call(
        clients.plans.StartExerciseSession,
        plans_pb2.StartExerciseSessionRequest(workout_id=path_id("workoutId", workout_id), exercise_id=str(body.exerciseId)),
        caller,
    )
    return SessionGrantReply(sessionId=grant.session_id, token=grant.token, expiresAt=grant.expires_at, purposes=list(grant.purposes))


@router.post("/v1/workouts/{workout_id}/form-responses", response_model=FormResponseReply, status_code=201, operation_id="submitFormResponse", responses=errors(400, 409))
async def submit_form(body: FormResponseBody, request: Request, workout_id: str = id_path(), caller: Identity = Depends(patient)) -> FormResponseReply:
    """Stores a form response (e.g. the post-session questionnaire) for a completed workout, once per template."""
    clients = request.app.state.clients
    saved = await clients.call(
        clients.plans.SubmitFormResponse,
        plans_pb2.SubmitFormResponseRequest(
            workout_id=path_id("workoutId", workout_id), template_key=body.templateKey,
            template_version=body.templateVersion, answers_json=json.dumps(body.answers),
        ),
        caller,
    )
    return FormResponseReply(
        responseId=saved.response_id, workoutId=saved.workout_id, templateKey=saved.template_key,
        templateVersion=saved.template_version, answers=json.loads(saved.answers_json), submittedAt=saved.submitted_at,
    )
