import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetMeRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UserProfile(_message.Message):
    __slots__ = ("user_id", "tenant_id", "role", "display_name", "timezone", "effective_timezone", "active")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    tenant_id: str
    role: str
    display_name: str
    timezone: str
    effective_timezone: str
    active: bool
    def __init__(self, user_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., role: _Optional[str] = ..., display_name: _Optional[str] = ..., timezone: _Optional[str] = ..., effective_timezone: _Optional[str] = ..., active: _Optional[bool] = ...) -> None: ...

class UpdateMyTimezoneRequest(_message.Message):
    __slots__ = ("timezone",)
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    timezone: str
    def __init__(self, timezone: _Optional[str] = ...) -> None: ...

class UpdateMyTimezoneResponse(_message.Message):
    __slots__ = ("timezone", "previous_timezone", "changed")
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    timezone: str
    previous_timezone: str
    changed: bool
    def __init__(self, timezone: _Optional[str] = ..., previous_timezone: _Optional[str] = ..., changed: _Optional[bool] = ...) -> None: ...

class CreateUserRequest(_message.Message):
    __slots__ = ("role", "display_name", "timezone", "email")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    role: str
    display_name: str
    timezone: str
    email: str
    def __init__(self, role: _Optional[str] = ..., display_name: _Optional[str] = ..., timezone: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class AssignPatientRequest(_message.Message):
    __slots__ = ("patient_id", "therapist_id")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    THERAPIST_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    therapist_id: str
    def __init__(self, patient_id: _Optional[str] = ..., therapist_id: _Optional[str] = ...) -> None: ...

class AssignPatientResponse(_message.Message):
    __slots__ = ("patient_id", "therapist_id")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    THERAPIST_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    therapist_id: str
    def __init__(self, patient_id: _Optional[str] = ..., therapist_id: _Optional[str] = ...) -> None: ...

class ListPatientsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListPatientsResponse(_message.Message):
    __slots__ = ("patients",)
    PATIENTS_FIELD_NUMBER: _ClassVar[int]
    patients: _containers.RepeatedCompositeFieldContainer[UserProfile]
    def __init__(self, patients: _Optional[_Iterable[_Union[UserProfile, _Mapping]]] = ...) -> None: ...

class ListUsersRequest(_message.Message):
    __slots__ = ("role",)
    ROLE_FIELD_NUMBER: _ClassVar[int]
    role: str
    def __init__(self, role: _Optional[str] = ...) -> None: ...

class ListUsersResponse(_message.Message):
    __slots__ = ("users",)
    USERS_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[UserProfile]
    def __init__(self, users: _Optional[_Iterable[_Union[UserProfile, _Mapping]]] = ...) -> None: ...

class SetUserActiveRequest(_message.Message):
    __slots__ = ("user_id", "active")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    active: bool
    def __init__(self, user_id: _Optional[str] = ..., active: _Optional[bool] = ...) -> None: ...

class GetFeatureFlagsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetFeatureFlagRequest(_message.Message):
    __slots__ = ("flag", "enabled")
    FLAG_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    flag: str
    enabled: bool
    def __init__(self, flag: _Optional[str] = ..., enabled: _Optional[bool] = ...) -> None: ...

class SetRtmPolicyRequest(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: str
    def __init__(self, policy: _Optional[str] = ...) -> None: ...

class FeatureFlags(_message.Message):
    __slots__ = ("flags", "rtm_qualifying_policy")
    class FlagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bool
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bool] = ...) -> None: ...
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    RTM_QUALIFYING_POLICY_FIELD_NUMBER: _ClassVar[int]
    flags: _containers.ScalarMap[str, bool]
    rtm_qualifying_policy: str
    def __init__(self, flags: _Optional[_Mapping[str, bool]] = ..., rtm_qualifying_policy: _Optional[str] = ...) -> None: ...

class SetConsentRequest(_message.Message):
    __slots__ = ("patient_id", "purpose", "granted")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    purpose: str
    granted: bool
    def __init__(self, patient_id: _Optional[str] = ..., purpose: _Optional[str] = ..., granted: _Optional[bool] = ...) -> None: ...

class GetConsentsRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class ConsentState(_message.Message):
    __slots__ = ("patient_id", "granted", "changed_at")
    class GrantedEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bool
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bool] = ...) -> None: ...
    class ChangedAtEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    granted: _containers.ScalarMap[str, bool]
    changed_at: _containers.ScalarMap[str, str]
    def __init__(self, patient_id: _Optional[str] = ..., granted: _Optional[_Mapping[str, bool]] = ..., changed_at: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CreateExerciseRequest(_message.Message):
    __slots__ = ("name", "video_url", "video_duration_seconds", "pose_profile_json")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VIDEO_URL_FIELD_NUMBER: _ClassVar[int]
    VIDEO_DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    POSE_PROFILE_JSON_FIELD_NUMBER: _ClassVar[int]
    name: str
    video_url: str
    video_duration_seconds: float
    pose_profile_json: str
    def __init__(self, name: _Optional[str] = ..., video_url: _Optional[str] = ..., video_duration_seconds: _Optional[float] = ..., pose_profile_json: _Optional[str] = ...) -> None: ...

class ListExercisesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetExerciseRequest(_message.Message):
    __slots__ = ("exercise_id",)
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    def __init__(self, exercise_id: _Optional[str] = ...) -> None: ...

class Exercise(_message.Message):
    __slots__ = ("exercise_id", "name", "video_url", "video_duration_seconds", "pose_profile_json")
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VIDEO_URL_FIELD_NUMBER: _ClassVar[int]
    VIDEO_DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    POSE_PROFILE_JSON_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    name: str
    video_url: str
    video_duration_seconds: float
    pose_profile_json: str
    def __init__(self, exercise_id: _Optional[str] = ..., name: _Optional[str] = ..., video_url: _Optional[str] = ..., video_duration_seconds: _Optional[float] = ..., pose_profile_json: _Optional[str] = ...) -> None: ...

class ListExercisesResponse(_message.Message):
    __slots__ = ("exercises",)
    EXERCISES_FIELD_NUMBER: _ClassVar[int]
    exercises: _containers.RepeatedCompositeFieldContainer[Exercise]
    def __init__(self, exercises: _Optional[_Iterable[_Union[Exercise, _Mapping]]] = ...) -> None: ...

class PrescribedExercise(_message.Message):
    __slots__ = ("exercise_id", "sets", "reps", "position", "name", "hold_seconds")
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    SETS_FIELD_NUMBER: _ClassVar[int]
    REPS_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    HOLD_SECONDS_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    sets: int
    reps: int
    position: int
    name: str
    hold_seconds: int
    def __init__(self, exercise_id: _Optional[str] = ..., sets: _Optional[int] = ..., reps: _Optional[int] = ..., position: _Optional[int] = ..., name: _Optional[str] = ..., hold_seconds: _Optional[int] = ...) -> None: ...

class CreatePlanRequest(_message.Message):
    __slots__ = ("patient_id", "title", "start_date", "duration_weeks", "frequency_per_week", "exercises")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    DURATION_WEEKS_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_PER_WEEK_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    title: str
    start_date: str
    duration_weeks: int
    frequency_per_week: int
    exercises: _containers.RepeatedCompositeFieldContainer[PrescribedExercise]
    def __init__(self, patient_id: _Optional[str] = ..., title: _Optional[str] = ..., start_date: _Optional[str] = ..., duration_weeks: _Optional[int] = ..., frequency_per_week: _Optional[int] = ..., exercises: _Optional[_Iterable[_Union[PrescribedExercise, _Mapping]]] = ...) -> None: ...

class GetPlanRequest(_message.Message):
    __slots__ = ("plan_id",)
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    def __init__(self, plan_id: _Optional[str] = ...) -> None: ...

class UpdatePlanRequest(_message.Message):
    __slots__ = ("plan_id", "title", "status", "replace_exercises", "exercises")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REPLACE_EXERCISES_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    title: str
    status: str
    replace_exercises: bool
    exercises: _containers.RepeatedCompositeFieldContainer[PrescribedExercise]
    def __init__(self, plan_id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., replace_exercises: _Optional[bool] = ..., exercises: _Optional[_Iterable[_Union[PrescribedExercise, _Mapping]]] = ...) -> None: ...

class TreatmentPlan(_message.Message):
    __slots__ = ("plan_id", "patient_id", "therapist_id", "title", "start_date", "duration_weeks", "frequency_per_week", "status", "exercises", "sessions_planned", "sessions_completed")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    THERAPIST_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    DURATION_WEEKS_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_PER_WEEK_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_PLANNED_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    patient_id: str
    therapist_id: str
    title: str
    start_date: str
    duration_weeks: int
    frequency_per_week: int
    status: str
    exercises: _containers.RepeatedCompositeFieldContainer[PrescribedExercise]
    sessions_planned: int
    sessions_completed: int
    def __init__(self, plan_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., therapist_id: _Optional[str] = ..., title: _Optional[str] = ..., start_date: _Optional[str] = ..., duration_weeks: _Optional[int] = ..., frequency_per_week: _Optional[int] = ..., status: _Optional[str] = ..., exercises: _Optional[_Iterable[_Union[PrescribedExercise, _Mapping]]] = ..., sessions_planned: _Optional[int] = ..., sessions_completed: _Optional[int] = ...) -> None: ...

class ExerciseLog(_message.Message):
    __slots__ = ("exercise_id", "name", "prescribed_sets", "prescribed_reps", "actual_sets", "actual_reps", "skipped", "has_video_watch_percentage", "video_watch_percentage", "has_pose_accuracy_score", "pose_accuracy_score", "pose_accuracy_session_id", "sessions", "has_detected_reps", "detected_reps", "has_incomplete", "incomplete", "prescribed_hold_seconds")
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRESCRIBED_SETS_FIELD_NUMBER: _ClassVar[int]
    PRESCRIBED_REPS_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_SETS_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_REPS_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    HAS_VIDEO_WATCH_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    VIDEO_WATCH_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    HAS_POSE_ACCURACY_SCORE_FIELD_NUMBER: _ClassVar[int]
    POSE_ACCURACY_SCORE_FIELD_NUMBER: _ClassVar[int]
    POSE_ACCURACY_SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    HAS_DETECTED_REPS_FIELD_NUMBER: _ClassVar[int]
    DETECTED_REPS_FIELD_NUMBER: _ClassVar[int]
    HAS_INCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    INCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    PRESCRIBED_HOLD_SECONDS_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    name: str
    prescribed_sets: int
    prescribed_reps: int
    actual_sets: int
    actual_reps: int
    skipped: bool
    has_video_watch_percentage: bool
    video_watch_percentage: float
    has_pose_accuracy_score: bool
    pose_accuracy_score: float
    pose_accuracy_session_id: str
    sessions: _containers.RepeatedCompositeFieldContainer[ExerciseSessionLink]
    has_detected_reps: bool
    detected_reps: int
    has_incomplete: bool
    incomplete: bool
    prescribed_hold_seconds: int
    def __init__(self, exercise_id: _Optional[str] = ..., name: _Optional[str] = ..., prescribed_sets: _Optional[int] = ..., prescribed_reps: _Optional[int] = ..., actual_sets: _Optional[int] = ..., actual_reps: _Optional[int] = ..., skipped: _Optional[bool] = ..., has_video_watch_percentage: _Optional[bool] = ..., video_watch_percentage: _Optional[float] = ..., has_pose_accuracy_score: _Optional[bool] = ..., pose_accuracy_score: _Optional[float] = ..., pose_accuracy_session_id: _Optional[str] = ..., sessions: _Optional[_Iterable[_Union[ExerciseSessionLink, _Mapping]]] = ..., has_detected_reps: _Optional[bool] = ..., detected_reps: _Optional[int] = ..., has_incomplete: _Optional[bool] = ..., incomplete: _Optional[bool] = ..., prescribed_hold_seconds: _Optional[int] = ...) -> None: ...

class ExerciseSessionLink(_message.Message):
    __slots__ = ("session_id", "started_at", "ended_at", "status", "has_detected_reps", "detected_reps")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HAS_DETECTED_REPS_FIELD_NUMBER: _ClassVar[int]
    DETECTED_REPS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    started_at: str
    ended_at: str
    status: str
    has_detected_reps: bool
    detected_reps: int
    def __init__(self, session_id: _Optional[str] = ..., started_at: _Optional[str] = ..., ended_at: _Optional[str] = ..., status: _Optional[str] = ..., has_detected_reps: _Optional[bool] = ..., detected_reps: _Optional[int] = ...) -> None: ...

class Workout(_message.Message):
    __slots__ = ("workout_id", "plan_id", "patient_id", "session_number", "scheduled_date", "status", "source", "time_workout_start", "time_workout_end", "completed_at", "local_date", "timezone", "has_pain", "pain_before", "pain_after", "perceived_difficulty", "duration_minutes", "exercises_completed", "exercises_total", "completed_via_app_entrance", "mirrored_from_workout_id", "skip_reason", "exercises")
    WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_DATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TIME_WORKOUT_START_FIELD_NUMBER: _ClassVar[int]
    TIME_WORKOUT_END_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    HAS_PAIN_FIELD_NUMBER: _ClassVar[int]
    PAIN_BEFORE_FIELD_NUMBER: _ClassVar[int]
    PAIN_AFTER_FIELD_NUMBER: _ClassVar[int]
    PERCEIVED_DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    DURATION_MINUTES_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_VIA_APP_ENTRANCE_FIELD_NUMBER: _ClassVar[int]
    MIRRORED_FROM_WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    SKIP_REASON_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_FIELD_NUMBER: _ClassVar[int]
    workout_id: str
    plan_id: str
    patient_id: str
    session_number: int
    scheduled_date: str
    status: str
    source: str
    time_workout_start: str
    time_workout_end: str
    completed_at: str
    local_date: str
    timezone: str
    has_pain: bool
    pain_before: int
    pain_after: int
    perceived_difficulty: int
    duration_minutes: int
    exercises_completed: int
    exercises_total: int
    completed_via_app_entrance: bool
    mirrored_from_workout_id: str
    skip_reason: str
    exercises: _containers.RepeatedCompositeFieldContainer[ExerciseLog]
    def __init__(self, workout_id: _Optional[str] = ..., plan_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., session_number: _Optional[int] = ..., scheduled_date: _Optional[str] = ..., status: _Optional[str] = ..., source: _Optional[str] = ..., time_workout_start: _Optional[str] = ..., time_workout_end: _Optional[str] = ..., completed_at: _Optional[str] = ..., local_date: _Optional[str] = ..., timezone: _Optional[str] = ..., has_pain: _Optional[bool] = ..., pain_before: _Optional[int] = ..., pain_after: _Optional[int] = ..., perceived_difficulty: _Optional[int] = ..., duration_minutes: _Optional[int] = ..., exercises_completed: _Optional[int] = ..., exercises_total: _Optional[int] = ..., completed_via_app_entrance: _Optional[bool] = ..., mirrored_from_workout_id: _Optional[str] = ..., skip_reason: _Optional[str] = ..., exercises: _Optional[_Iterable[_Union[ExerciseLog, _Mapping]]] = ...) -> None: ...

class ListPatientWorkoutsRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class ListMyWorkoutsRequest(_message.Message):
    __slots__ = ("past_only",)
    PAST_ONLY_FIELD_NUMBER: _ClassVar[int]
    past_only: bool
    def __init__(self, past_only: _Optional[bool] = ...) -> None: ...

class ListWorkoutsResponse(_message.Message):
    __slots__ = ("workouts",)
    WORKOUTS_FIELD_NUMBER: _ClassVar[int]
    workouts: _containers.RepeatedCompositeFieldContainer[Workout]
    def __init__(self, workouts: _Optional[_Iterable[_Union[Workout, _Mapping]]] = ...) -> None: ...

class GetTodayWorkoutRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TodayWorkout(_message.Message):
    __slots__ = ("has_workout", "workout", "local_date")
    HAS_WORKOUT_FIELD_NUMBER: _ClassVar[int]
    WORKOUT_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    has_workout: bool
    workout: Workout
    local_date: str
    def __init__(self, has_workout: _Optional[bool] = ..., workout: _Optional[_Union[Workout, _Mapping]] = ..., local_date: _Optional[str] = ...) -> None: ...

class ExerciseResult(_message.Message):
    __slots__ = ("exercise_id", "actual_sets", "actual_reps", "skipped", "has_video_watch_percentage", "video_watch_percentage")
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_SETS_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_REPS_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    HAS_VIDEO_WATCH_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    VIDEO_WATCH_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    actual_sets: int
    actual_reps: int
    skipped: bool
    has_video_watch_percentage: bool
    video_watch_percentage: float
    def __init__(self, exercise_id: _Optional[str] = ..., actual_sets: _Optional[int] = ..., actual_reps: _Optional[int] = ..., skipped: _Optional[bool] = ..., has_video_watch_percentage: _Optional[bool] = ..., video_watch_percentage: _Optional[float] = ...) -> None: ...

class CompleteWorkoutRequest(_message.Message):
    __slots__ = ("workout_id", "time_workout_start", "time_workout_end", "pain_before", "pain_after", "perceived_difficulty", "exercises")
    WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_WORKOUT_START_FIELD_NUMBER: _ClassVar[int]
    TIME_WORKOUT_END_FIELD_NUMBER: _ClassVar[int]
    PAIN_BEFORE_FIELD_NUMBER: _ClassVar[int]
    PAIN_AFTER_FIELD_NUMBER: _ClassVar[int]
    PERCEIVED_DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_FIELD_NUMBER: _ClassVar[int]
    workout_id: str
    time_workout_start: _timestamp_pb2.Timestamp
    time_workout_end: _timestamp_pb2.Timestamp
    pain_before: int
    pain_after: int
    perceived_difficulty: int
    exercises: _containers.RepeatedCompositeFieldContainer[ExerciseResult]
    def __init__(self, workout_id: _Optional[str] = ..., time_workout_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., time_workout_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pain_before: _Optional[int] = ..., pain_after: _Optional[int] = ..., perceived_difficulty: _Optional[int] = ..., exercises: _Optional[_Iterable[_Union[ExerciseResult, _Mapping]]] = ...) -> None: ...

class SkipWorkoutRequest(_message.Message):
    __slots__ = ("workout_id", "reason")
    WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    workout_id: str
    reason: str
    def __init__(self, workout_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class StartExerciseSessionRequest(_message.Message):
    __slots__ = ("workout_id", "exercise_id")
    WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    workout_id: str
    exercise_id: str
    def __init__(self, workout_id: _Optional[str] = ..., exercise_id: _Optional[str] = ...) -> None: ...

class ExerciseSessionGrant(_message.Message):
    __slots__ = ("session_id", "token", "expires_at", "purposes")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    PURPOSES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    token: str
    expires_at: str
    purposes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, session_id: _Optional[str] = ..., token: _Optional[str] = ..., expires_at: _Optional[str] = ..., purposes: _Optional[_Iterable[str]] = ...) -> None: ...

class SubmitFormResponseRequest(_message.Message):
    __slots__ = ("workout_id", "template_key", "template_version", "answers_json")
    WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_KEY_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_VERSION_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_JSON_FIELD_NUMBER: _ClassVar[int]
    workout_id: str
    template_key: str
    template_version: int
    answers_json: str
    def __init__(self, workout_id: _Optional[str] = ..., template_key: _Optional[str] = ..., template_version: _Optional[int] = ..., answers_json: _Optional[str] = ...) -> None: ...

class FormResponse(_message.Message):
    __slots__ = ("response_id", "workout_id", "template_key", "template_version", "answers_json", "submitted_at")
    RESPONSE_ID_FIELD_NUMBER: _ClassVar[int]
    WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_KEY_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_VERSION_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_JSON_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    response_id: str
    workout_id: str
    template_key: str
    template_version: int
    answers_json: str
    submitted_at: str
    def __init__(self, response_id: _Optional[str] = ..., workout_id: _Optional[str] = ..., template_key: _Optional[str] = ..., template_version: _Optional[int] = ..., answers_json: _Optional[str] = ..., submitted_at: _Optional[str] = ...) -> None: ...

class GetPatientContextRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class PatientContext(_message.Message):
    __slots__ = ("patient_id", "tenant_id", "timezone", "feature_flags", "fetched_at", "rtm_qualifying_policy")
    class FeatureFlagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bool
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bool] = ...) -> None: ...
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FLAGS_FIELD_NUMBER: _ClassVar[int]
    FETCHED_AT_FIELD_NUMBER: _ClassVar[int]
    RTM_QUALIFYING_POLICY_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    tenant_id: str
    timezone: str
    feature_flags: _containers.ScalarMap[str, bool]
    fetched_at: _timestamp_pb2.Timestamp
    rtm_qualifying_policy: str
    def __init__(self, patient_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., timezone: _Optional[str] = ..., feature_flags: _Optional[_Mapping[str, bool]] = ..., fetched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rtm_qualifying_policy: _Optional[str] = ...) -> None: ...

class FinalizeEntranceRequest(_message.Message):
    __slots__ = ("entrance_id", "patient_id", "local_date", "timezone")
    ENTRANCE_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    entrance_id: str
    patient_id: str
    local_date: str
    timezone: str
    def __init__(self, entrance_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., local_date: _Optional[str] = ..., timezone: _Optional[str] = ...) -> None: ...

class FinalizeEntrancesRequest(_message.Message):
    __slots__ = ("entrances",)
    ENTRANCES_FIELD_NUMBER: _ClassVar[int]
    entrances: _containers.RepeatedCompositeFieldContainer[FinalizeEntranceRequest]
    def __init__(self, entrances: _Optional[_Iterable[_Union[FinalizeEntranceRequest, _Mapping]]] = ...) -> None: ...

class EntranceFinalizations(_message.Message):
    __slots__ = ("finalizations",)
    FINALIZATIONS_FIELD_NUMBER: _ClassVar[int]
    finalizations: _containers.RepeatedCompositeFieldContainer[EntranceFinalization]
    def __init__(self, finalizations: _Optional[_Iterable[_Union[EntranceFinalization, _Mapping]]] = ...) -> None: ...

class EntranceFinalization(_message.Message):
    __slots__ = ("entrance_tracking", "has_real_workout", "source_workout_id", "mirror_workout_id", "mirror_completed_at", "mirror_timezone")
    ENTRANCE_TRACKING_FIELD_NUMBER: _ClassVar[int]
    HAS_REAL_WORKOUT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    MIRROR_WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    MIRROR_COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    MIRROR_TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    entrance_tracking: bool
    has_real_workout: bool
    source_workout_id: str
    mirror_workout_id: str
    mirror_completed_at: _timestamp_pb2.Timestamp
    mirror_timezone: str
    def __init__(self, entrance_tracking: _Optional[bool] = ..., has_real_workout: _Optional[bool] = ..., source_workout_id: _Optional[str] = ..., mirror_workout_id: _Optional[str] = ..., mirror_completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., mirror_timezone: _Optional[str] = ...) -> None: ...

class ResolveIdentityRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class ResolvedIdentity(_message.Message):
    __slots__ = ("tenant_known", "tenant_active", "user_known", "role", "user_active")
    TENANT_KNOWN_FIELD_NUMBER: _ClassVar[int]
    TENANT_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    USER_KNOWN_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    USER_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    tenant_known: bool
    tenant_active: bool
    user_known: bool
    role: str
    user_active: bool
    def __init__(self, tenant_known: _Optional[bool] = ..., tenant_active: _Optional[bool] = ..., user_known: _Optional[bool] = ..., role: _Optional[str] = ..., user_active: _Optional[bool] = ...) -> None: ...

class SpendBrowserCredentialRequest(_message.Message):
    __slots__ = ("kind", "credential_id", "expires_at")
    KIND_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    kind: str
    credential_id: str
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[str] = ..., credential_id: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SpendBrowserCredentialResponse(_message.Message):
    __slots__ = ("first_use",)
    FIRST_USE_FIELD_NUMBER: _ClassVar[int]
    first_use: bool
    def __init__(self, first_use: _Optional[bool] = ...) -> None: ...

class ListEndedBrowserSessionsRequest(_message.Message):
    __slots__ = ("recorded_within_seconds",)
    RECORDED_WITHIN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    recorded_within_seconds: int
    def __init__(self, recorded_within_seconds: _Optional[int] = ...) -> None: ...

class EndedBrowserSession(_message.Message):
    __slots__ = ("session_id", "expires_at")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, session_id: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListEndedBrowserSessionsResponse(_message.Message):
    __slots__ = ("sessions",)
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[EndedBrowserSession]
    def __init__(self, sessions: _Optional[_Iterable[_Union[EndedBrowserSession, _Mapping]]] = ...) -> None: ...
