"""Therapist and admin routes: people, catalogue, treatment plans, a patient's sessions, consents."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi import Depends, Path, Request

from momentum.plans.v1 import plans_pb2
from services.common.identity import Identity
from services.gateway import plans_replies as reply
from services.gateway.auth import authenticated
from services.gateway.routing import admin, api_router, date_from_caller, id_path, path_id, staff, therapist, errors
from services.gateway.schemas.clinic_admin import FeatureFlagsReply
from services.gateway.schemas.plans import (
    AssignBody, ConsentBody, ConsentReply, CreatePlanBody, CreateUserBody, ExerciseBody, ExerciseReply,
    PlanReply, PrescribedExerciseBody, RtmPolicyBody, UpdatePlanBody,
)
from services.gateway.schemas.users import UserReply
from services.gateway.schemas.workouts import WorkoutListReply

router = api_router("clinical core")
# A plan may be prescribed ahead of time, but not past the year ahead: a later start is a typo.
PLAN_START_AHEAD = timedelta(days=366)


def _prescriptions(items: list[PrescribedExerciseBody]) -> list[plans_pb2.PrescribedExercise]:
    return [plans_pb2.PrescribedExercise(exercise_id=str(e.exerciseId), sets=e.sets, reps=e.reps, hold_seconds=e.holdSeconds or 0)
            for e in items]


@router.post("/v1/users", response_model=UserReply, status_code=201, operation_id="createUser", responses=errors(409))
async def create_user(body: CreateUserBody, request: Request, caller: Identity = Depends(admin)) -> UserReply:
    """Creates a patient, therapist or admin in the caller's clinic, with an optional own timezone."""
    clients = request.app.state.clients
    created = await clients.call(
        clients.plans.CreateUser,
        plans_pb2.CreateUserRequest(role=body.role, display_name=body.displayName, timezone=body.timezone or ""),
        caller,
    )
    return reply.user(created)


@router.put("/v1/patients/{patient_id}/therapist", response_model=dict[str, str], operation_id="assignPatientTherapist")
async def assign_patient(
    body: AssignBody, request: Request, patient_id: str = id_path(), caller: Identity = Depends(staff)
) -> dict[str, str]:
    """Assigns the patient to a therapist of the same clinic (replacing the previous one)."""
    clients = request.app.state.clients
    done = await clients.call(
        clients.plans.AssignPatient,
        plans_pb2.AssignPatientRequest(
            patient_id=path_id("patientId", patient_id), therapist_id=str(body.therapistId) if body.therapistId else ""
        ),
        caller,
    )
    return {"patientId": done.patient_id, "therapistId": done.therapist_id}


@router.put("/v1/patients/{patient_id}/consents/{purpose}", response_model=ConsentReply, operation_id="setConsent")
async def set_consent(
    body: ConsentBody, request: Request, patient_id: str = id_path(), purpose: str = Path(min_length=1, max_length=32),
    caller: Identity = Depends(authenticated),
) -> ConsentReply:
    """Admins record consent for any patient of the clinic; a patient grants or withdraws their own."""
    clients = request.app.state.clients
    state = await clients.call(
        clients.plans.SetConsent,
        plans_pb2.SetConsentRequest(patient_id=path_id("patientId", patient_id), purpose=purpose, granted=body.granted),
        caller,
    )
    return reply.consent(state)


@router.get("/v1/patients/{patient_id}/consents", response_model=ConsentReply, operation_id="getConsents")
async def get_consents(request: Request, patient_id: str = id_path(), caller: Identity = Depends(authenticated)) -> ConsentReply:
    """The patient's current consent per purpose (analytics, biometric); a patient reads their own."""
    clients = request.app.state.clients
    asked = plans_pb2.GetConsentsRequest(patient_id=path_id("patientId", patient_id))
    return reply.consent(await clients.call(clients.plans.GetConsents, asked, caller))


@router.put("/v1/admin/rtm-policy", response_model=FeatureFlagsReply, operation_id="setRtmPolicy")
async def set_rtm_policy(body: RtmPolicyBody, request: Request, caller: Identity = Depends(admin)) -> FeatureFlagsReply:
    """Sets the clinic's RTM qualifying policy (what counts as a data day)."""
    clients = request.app.state.clients
    return reply.flags(await clients.call(clients.plans.SetRtmPolicy, plans_pb2.SetRtmPolicyRequest(policy=body.policy), caller))


@router.post("/v1/exercises", response_model=ExerciseReply, status_code=201, operation_id="createExercise")
async def create_exercise(body: ExerciseBody, request: Request, caller: Identity = Depends(staff)) -> ExerciseReply:
    """Adds an exercise to the clinic's catalogue, with its video and an optional pose profile (validated)."""
    clients = request.app.state.clients
    created = await clients.call(
        clients.plans.CreateExercise,
        plans_pb2.CreateExerciseRequest(
            name=body.name, video_url=body.videoUrl or "", video_duration_seconds=body.videoDurationSeconds or 0.0,
            pose_profile_json=json.dumps(body.poseProfile.model_dump()) if body.poseProfile is not None else "",
        ),
        caller,
    )
    return reply.exercise(created)


@router.get("/v1/exercises", response_model=list[ExerciseReply], operation_id="listExercises")
async def list_exercises(request: Request, caller: Identity = Depends(authenticated)) -> list[ExerciseReply]:
    """The clinic's exercise catalogue."""
    clients = request.app.state.clients
    found = await clients.call(clients.plans.ListExercises, plans_pb2.ListExercisesRequest(), caller)
    return [reply.exercise(e) for e in found.exercises]


@router.post("/v1/patient-treatment-plans", response_model=PlanReply, status_code=201, operation_id="createTreatmentPlan")
async def create_plan(body: CreatePlanBody, request: Request, caller: Identity = Depends(therapist)) -> PlanReply:
    """Creates a treatment plan for a patient and schedules its sessions at once, one exercise log per prescribed exercise."""
    clients = request.app.state.clients
    start = date_from_caller("startDate", body.startDate, ahead=PLAN_START_AHEAD)
    created = await clients.call(
        clients.plans.CreatePlan,
        plans_pb2.CreatePlanRequest(
            patient_id=str(body.patientId), title=body.title, start_date=start.isoformat(),
            duration_weeks=body.durationWeeks, frequency_per_week=body.frequencyPerWeek,
            exercises=_prescriptions(body.exercises),
        ),
        caller,
    )
    return reply.plan(created)


@router.get("/v1/patient-treatment-plans/{plan_id}", response_model=PlanReply, operation_id="getTreatmentPlan")
async def get_plan(request: Request, plan_id: str = id_path(), caller: Identity = Depends(authenticated)) -> PlanReply:
    """One treatment plan: prescription, dates, status; a patient reads their own."""
    clients = request.app.state.clients
    asked = plans_pb2.GetPlanRequest(plan_id=path_id("planId", plan_id))
    return reply.plan(await clients.call(clients.plans.GetPlan, asked, caller))


@router.patch("/v1/patient-treatment-plans/{plan_id}", response_model=PlanReply, operation_id="updateTreatmentPlan", responses=errors(400))
async def update_plan(body: UpdatePlanBody, request: Request, plan_id: str = id_path(), caller: Identity = Depends(staff)) -> PlanReply:
    """Changes a plan's status (active → completed/expired/cancelled, expired → active) or its prescription; only sessions not yet done are rewritten."""
    clients = request.app.state.clients
    updated = await clients.call(
        clients.plans.UpdatePlan,
        plans_pb2.UpdatePlanRequest(
            plan_id=path_id("planId", plan_id), title=body.title or "", status=body.status or "",
            replace_exercises=body.exercises is not None, exercises=_prescriptions(body.exercises or []),
        ),
        caller,
    )
    return reply.plan(updated)


@router.get("/v2/doctor/patients/{patient_id}/workout-sessions", response_model=WorkoutListReply, operation_id="listPatientWorkoutSessions")
async def patient_workout_sessions(
    request: Request, patient_id: str = id_path(), caller: Identity = Depends(staff)
) -> WorkoutListReply:
    """Every session of the patient, newest first; mirror workouts show completedViaAppEntrance."""
    clients = request.app.state.clients
    asked = plans_pb2.ListPatientWorkoutsRequest(patient_id=path_id("patientId", patient_id))
    found = await clients.call(clients.plans.ListPatientWorkouts, asked, caller)
    return WorkoutListReply(workouts=[reply.workout(w) for w in found.workouts])
