"""Turns plans gRPC replies into the HTTP bodies of schemas/ (people, flags, catalogue, plans, workouts)."""

from __future__ import annotations

import json

from momentum.plans.v1 import plans_pb2
from services.gateway.schemas.clinic_admin import FeatureFlagsReply
from services.gateway.schemas.plans import ConsentReply, ExerciseReply, PlanReply, PrescribedExerciseReply
from services.gateway.schemas.users import ClinicUserReply, UserReply
from services.gateway.schemas.workouts import ExerciseLogReply, ExerciseSessionLinkReply, WorkoutReply


def user(p: plans_pb2.UserProfile) -> UserReply:
    return UserReply(userId=p.user_id, tenantId=p.tenant_id, role=p.role, displayName=p.display_name,
                     timezone=p.timezone or None, effectiveTimezone=p.effective_timezone)


def clinic_user(p: plans_pb2.UserProfile) -> ClinicUserReply:
    return ClinicUserReply(userId=p.user_id, role=p.role, displayName=p.display_name, timezone=p.timezone or None, active=p.active)


def flags(f: plans_pb2.FeatureFlags) -> FeatureFlagsReply:
    return FeatureFlagsReply(flags=dict(f.flags), rtmQualifyingPolicy=f.rtm_qualifying_policy or "activity_days")


def consent(c: plans_pb2.ConsentState) -> ConsentReply:
    return ConsentReply(patientId=c.patient_id, granted=dict(c.granted), changedAt=dict(c.changed_at))


def exercise(e: plans_pb2.Exercise) -> ExerciseReply:
    return ExerciseReply(exerciseId=e.exercise_id, name=e.name, videoUrl=e.video_url or None,
                         videoDurationSeconds=e.video_duration_seconds or None,
                         poseProfile=json.loads(e.pose_profile_json) if e.pose_profile_json else None)


def plan(p: plans_pb2.TreatmentPlan) -> PlanReply:
    return PlanReply(
        planId=p.plan_id, patientId=p.patient_id, therapistId=p.therapist_id, title=p.title, startDate=p.start_date,
        durationWeeks=p.duration_weeks, frequencyPerWeek=p.frequency_per_week, status=p.status,
        sessionsPlanned=p.sessions_planned, sessionsCompleted=p.sessions_completed,
        exercises=[PrescribedExerciseReply(exerciseId=e.exercise_id, name=e.name, position=e.position, sets=e.sets, reps=e.reps,
                                           holdSeconds=e.hold_seconds or None)
                   for e in p.exercises],
    )


def workout(w: plans_pb2.Workout) -> WorkoutReply:
    done = w.status == "completed"
    return WorkoutReply(
        workoutId=w.workout_id, planId=w.plan_id, patientId=w.patient_id, sessionNumber=w.session_number,
        scheduledDate=w.scheduled_date or None, status=w.status, source=w.source,
        timeWorkoutStart=w.time_workout_start or None, timeWorkoutEnd=w.time_workout_end or None,
        completedAt=w.completed_at or None, localDate=w.local_date or None, timezone=w.timezone or None,
        painBefore=w.pain_before if w.has_pain else None, painAfter=w.pain_after if w.has_pain else None,
        perceivedDifficulty=w.perceived_difficulty or None, durationMinutes=w.duration_minutes if done else None,
        exercisesCompleted=w.exercises_completed, exercisesTotal=w.exercises_total,
        completedViaAppEntrance=w.completed_via_app_entrance, mirroredFromWorkoutId=w.mirrored_from_workout_id or None,
        skipReason=w.skip_reason or None,
        exercises=[
            ExerciseLogReply(
                exerciseId=e.exercise_id, name=e.name, prescribedSets=e.prescribed_sets, prescribedReps=e.prescribed_reps,
                prescribedHoldSeconds=e.prescribed_hold_seconds or None,
                actualSets=e.actual_sets if done else None, actualReps=e.actual_reps if done else None, skipped=e.skipped,
                videoWatchPercentage=e.video_watch_percentage if e.has_video_watch_percentage else None,
                poseAccuracyScore=e.pose_accuracy_score if e.has_pose_accuracy_score else None,
                poseAccuracySessionId=e.pose_accuracy_session_id or None,
                detectedReps=e.detected_reps if e.has_detected_reps else None,
                incomplete=e.incomplete if e.has_incomplete else None,
                exerciseSessions=[
                    ExerciseSessionLinkReply(
                        sessionId=s.session_id, startedAt=s.started_at, endedAt=s.ended_at or None, status=s.status,
                        detectedReps=s.detected_reps if s.has_detected_reps else None,
                    )
                    for s in e.sessions
                ],
            )
            for e in w.exercises
        ],
    )
