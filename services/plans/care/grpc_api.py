"""PlansService's calls about care: parse the request, call a care handler, build the reply."""

from __future__ import annotations

import json
from typing import Any

from momentum.plans.v1 import plans_pb2
from services.common import identity
from services.common.parsing import iso_utc, parse_date, parse_uuid, required_instant, to_timestamp
from services.plans.care.handlers import WorkoutHandlers
from services.plans.care.mirror import EntranceToFinalize, MirrorWorkouts
from services.plans.care.plan_handlers import PlanHandlers, Prescription
from services.plans.care.plan_repository import ExerciseRow, PlanRow, PrescriptionRow
from services.plans.domain.workout import ExerciseLog, ExerciseSessionLink, Workout
from services.plans.domain.completion import Completion, ExerciseResult


def workout_reply(w: Workout) -> plans_pb2.Workout:
    return plans_pb2.Workout(
        workout_id=str(w.workout_id), plan_id=str(w.plan_id), patient_id=str(w.patient_id),
        session_number=w.session_number, scheduled_date=w.scheduled_date.isoformat() if w.scheduled_date else "",
        status=w.status, source=w.source, time_workout_start=iso_utc(w.time_workout_start),
        time_workout_end=iso_utc(w.time_workout_end), completed_at=iso_utc(w.completed_at),
        local_date=w.local_date.isoformat() if w.local_date else "", timezone=w.timezone or "",
        has_pain=w.pain_before is not None, pain_before=w.pain_before or 0, pain_after=w.pain_after or 0,
        perceived_difficulty=w.perceived_difficulty or 0, duration_minutes=w.duration_minutes or 0,
        exercises_completed=w.exercises_completed or 0, exercises_total=w.exercises_total or 0,
        completed_via_app_entrance=w.completed_via_app_entrance,
        mirrored_from_workout_id=str(w.mirrored_from_workout_id or ""), skip_reason=w.skip_reason or "",
        exercises=[
            plans_pb2.ExerciseLog(
                exercise_id=str(log.exercise_id), name=log.name, prescribed_sets=log.prescribed_sets,
                prescribed_reps=log.prescribed_reps, prescribed_hold_seconds=log.prescribed_hold_seconds or 0,
                actual_sets=log.actual_sets or 0, actual_reps=log.actual_reps or 0, skipped=log.skipped,
                has_video_watch_percentage=log.video_watch_percentage is not None,
                video_watch_percentage=log.video_watch_percentage or 0.0,
                has_pose_accuracy_score=log.pose_accuracy_score is not None,
                pose_accuracy_score=log.pose_accuracy_score or 0.0,
                pose_accuracy_session_id=str(log.pose_accuracy_session_id or ""),
                sessions=[_session_link(s) for s in log.sessions],
                **_measured(log),
            )
            for log in w.exercises
        ],
    )


def _session_link(s: ExerciseSessionLink) -> plans_pb2.ExerciseSessionLink:
    return plans_pb2.ExerciseSessionLink(
        session_id=str(s.session_id), started_at=iso_utc(s.started_at), ended_at=iso_utc(s.ended_at), status=s.status,
        has_detected_reps=s.detected_reps is not None, detected_reps=s.detected_reps or 0,
    )


def _measured(log: ExerciseLog) -> dict[str, Any]:
    measured = log.measured_session
    if measured is None:
        return {}
    return {
        "has_detected_reps": measured.detected_reps is not None, "detected_reps": measured.detected_reps or 0,
        "has_incomplete": measured.incomplete is not None, "incomplete": bool(measured.incomplete),
    }


def plan_reply(plan: PlanRow, prescriptions: list[PrescriptionRow]) -> plans_pb2.TreatmentPlan:
    return plans_pb2.TreatmentPlan(
        plan_id=str(plan.plan_id), patient_id=str(plan.patient_id), therapist_id=str(plan.therapist_id),
        title=plan.title, start_date=plan.start_date.isoformat(), duration_weeks=plan.duration_weeks,
        frequency_per_week=plan.frequency_per_week, status=plan.status,
        sessions_planned=plan.sessions_planned, sessions_completed=plan.sessions_completed,
        exercises=[
            plans_pb2.PrescribedExercise(exercise_id=str(p.exercise_id), sets=p.sets, reps=p.reps, position=p.position, name=p.name,
                                         hold_seconds=p.hold_seconds or 0)
            for p in prescriptions
        ],
    )


def _prescription(e: plans_pb2.PrescribedExercise) -> Prescription:
    return Prescription(e.exercise_id, e.sets, e.reps, e.hold_seconds or None)


def exercise_reply(e: ExerciseRow) -> plans_pb2.Exercise:
    return plans_pb2.Exercise(
        exercise_id=str(e.exercise_id), name=e.name, video_url=e.video_url or "",
        video_duration_seconds=e.video_duration_seconds or 0.0,
        pose_profile_json=json.dumps(e.pose_profile) if e.pose_profile is not None else "",
    )


class CareRpcs:
    """One half of PlansService (the other is people's); bootstrap composes both into PlansServicer."""

    _plans: PlanHandlers
    _workouts: WorkoutHandlers
    _mirrors: MirrorWorkouts

    # ------------------------------------------------------------------ catalogue
    async def CreateExercise(self, request, context):  # type: ignore[no-untyped-def]
        exercise = await self._plans.create_exercise(
            identity.current(), request.name, request.video_url, request.video_duration_seconds, request.pose_profile_json
        )
        return exercise_reply(exercise)

    async def ListExercises(self, request, context):  # type: ignore[no-untyped-def]
        return plans_pb2.ListExercisesResponse(exercises=[exercise_reply(e) for e in await self._plans.list_exercises(identity.current())])

    async def GetExercise(self, request, context):  # type: ignore[no-untyped-def]
        return exercise_reply(await self._plans.get_exercise(identity.current(), parse_uuid("exerciseId", request.exercise_id)))

    # ------------------------------------------------------------------ plans
    async def CreatePlan(self, request, context):  # type: ignore[no-untyped-def]
        plan, prescriptions = await self._plans.create_plan(
            identity.current(), parse_uuid("patientId", request.patient_id), request.title,
            parse_date("startDate", request.start_date), request.duration_weeks, request.frequency_per_week,
            [_prescription(e) for e in request.exercises],
        )
        return plan_reply(plan, prescriptions)

    async def GetPlan(self, request, context):  # type: ignore[no-untyped-def]
        return plan_reply(*await self._plans.get_plan(identity.current(), parse_uuid("planId", request.plan_id)))

    async def UpdatePlan(self, request, context):  # type: ignore[no-untyped-def]
        prescriptions = [_prescription(e) for e in request.exercises] if request.replace_exercises else None
        plan, rows = await self._plans.update_plan(
            identity.current(), parse_uuid("planId", request.plan_id), request.title or None, request.status or None, prescriptions
        )
        return plan_reply(plan, rows)

    async def ListPatientWorkouts(self, request, context):  # type: ignore[no-untyped-def]
        rows = await self._plans.patient_workouts(identity.current(), parse_uuid("patientId", request.patient_id))
        return plans_pb2.ListWorkoutsResponse(workouts=[workout_reply(w) for w in rows])

    # ------------------------------------------------------------------ workouts
    async def GetTodayWorkout(self, request, context):  # type: ignore[no-untyped-def]
        today, workout = await self._workouts.today(identity.current())
        if workout is None:
            return plans_pb2.TodayWorkout(has_workout=False, local_date=today.isoformat())
        return plans_pb2.TodayWorkout(has_workout=True, workout=workout_reply(workout), local_date=today.isoformat())

    async def ListMyWorkouts(self, request, context):  # type: ignore[no-untyped-def]
        rows = await self._workouts.my_workouts(identity.current(), request.past_only)
        return plans_pb2.ListWorkoutsResponse(workouts=[workout_reply(w) for w in rows])

    async def CompleteWorkout(self, request, context):  # type: ignore[no-untyped-def]
        completion = Completion(
            started_at=required_instant("timeWorkoutStart", request.time_workout_start, request.HasField("time_workout_start")),
            ended_at=required_instant("timeWorkoutEnd", request.time_workout_end, request.HasField("time_workout_end")),
            pain_before=request.pain_before, pain_after=request.pain_after,
            perceived_difficulty=request.perceived_difficulty,
            exercises=tuple(
                ExerciseResult(r.exercise_id, r.actual_sets, r.actual_reps, r.skipped,
                               r.video_watch_percentage if r.has_video_watch_percentage else None)
                for r in request.exercises
            ),
        )
        workout = await self._workouts.complete(identity.current(), parse_uuid("workoutId", request.workout_id), completion)
        return workout_reply(workout)

    async def SkipWorkout(self, request, context):  # type: ignore[no-untyped-def]
        return workout_reply(await self._workouts.skip(identity.current(), parse_uuid("workoutId", request.workout_id), request.reason))

    async def StartExerciseSession(self, request, context):  # type: ignore[no-untyped-def]
        session_id, token, expires, purposes = await self._workouts.start_session(
            identity.current(), parse_uuid("workoutId", request.workout_id), parse_uuid("exerciseId", request.exercise_id)
        )
        return plans_pb2.ExerciseSessionGrant(session_id=str(session_id), token=token, expires_at=iso_utc(expires), purposes=purposes)

    async def SubmitFormResponse(self, request, context):  # type: ignore[no-untyped-def]
        workout_id = parse_uuid("workoutId", request.workout_id)
        saved = await self._workouts.submit_form(
            identity.current(), workout_id, request.template_key, request.template_version, request.answers_json
        )
        return plans_pb2.FormResponse(
            response_id=saved["response_id"], workout_id=str(workout_id), template_key=request.template_key,
            template_version=request.template_version, answers_json=json.dumps(saved["answers"]),
            submitted_at=iso_utc(saved["submitted_at"]),
        )

    # ------------------------------------------------------------------ for other services
    async def FinalizeEntrances(self, request, context):  # type: ignore[no-untyped-def]
        asked = [
            EntranceToFinalize(
                parse_uuid("entranceId", one.entrance_id), parse_uuid("patientId", one.patient_id),
                parse_date("localDate", one.local_date), one.timezone,
            )
            for one in request.entrances
        ]
        answers = await self._mirrors.finalize_entrances(identity.current(), asked)
        return plans_pb2.EntranceFinalizations(finalizations=[
            plans_pb2.EntranceFinalization(
                entrance_tracking=facts.entrance_tracking, has_real_workout=facts.has_real_workout,
                source_workout_id=str(facts.latest_real_workout_id or ""),
                mirror_workout_id=str(facts.mirror.workout_id) if facts.mirror else "",
                mirror_completed_at=to_timestamp(facts.mirror.completed_at) if facts.mirror else None,
                mirror_timezone=facts.mirror.timezone if facts.mirror else "",
            )
            for facts in answers
        ])
