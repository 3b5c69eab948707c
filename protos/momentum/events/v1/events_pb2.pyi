import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UserTimezoneChanged(_message.Message):
    __slots__ = ("user_id", "role", "previous_timezone", "timezone", "changed_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    role: str
    previous_timezone: str
    timezone: str
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., role: _Optional[str] = ..., previous_timezone: _Optional[str] = ..., timezone: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WorkoutCompleted(_message.Message):
    __slots__ = ("patient_id", "workout_id", "plan_id", "completed_at", "local_date", "timezone", "minutes", "source", "exercises_completed", "mirrored_from_workout_id", "entrance_id")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    MIRRORED_FROM_WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRANCE_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    workout_id: str
    plan_id: str
    completed_at: _timestamp_pb2.Timestamp
    local_date: str
    timezone: str
    minutes: int
    source: str
    exercises_completed: int
    mirrored_from_workout_id: str
    entrance_id: str
    def __init__(self, patient_id: _Optional[str] = ..., workout_id: _Optional[str] = ..., plan_id: _Optional[str] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., local_date: _Optional[str] = ..., timezone: _Optional[str] = ..., minutes: _Optional[int] = ..., source: _Optional[str] = ..., exercises_completed: _Optional[int] = ..., mirrored_from_workout_id: _Optional[str] = ..., entrance_id: _Optional[str] = ...) -> None: ...

class ConsentChanged(_message.Message):
    __slots__ = ("patient_id", "purpose", "granted", "changed_at")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    purpose: str
    granted: bool
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, patient_id: _Optional[str] = ..., purpose: _Optional[str] = ..., granted: _Optional[bool] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EntranceFinalized(_message.Message):
    __slots__ = ("entrance_id", "patient_id", "local_date", "status", "mirror_workout_id", "finalized_at")
    ENTRANCE_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MIRROR_WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    FINALIZED_AT_FIELD_NUMBER: _ClassVar[int]
    entrance_id: str
    patient_id: str
    local_date: str
    status: str
    mirror_workout_id: str
    finalized_at: _timestamp_pb2.Timestamp
    def __init__(self, entrance_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., local_date: _Optional[str] = ..., status: _Optional[str] = ..., mirror_workout_id: _Optional[str] = ..., finalized_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PoseRep(_message.Message):
    __slots__ = ("rep_number", "start_ms", "end_ms", "peak_rom_degrees", "eccentric_ms", "hold_ms", "concentric_ms", "max_deviation_degrees", "form_score")
    REP_NUMBER_FIELD_NUMBER: _ClassVar[int]
    START_MS_FIELD_NUMBER: _ClassVar[int]
    END_MS_FIELD_NUMBER: _ClassVar[int]
    PEAK_ROM_DEGREES_FIELD_NUMBER: _ClassVar[int]
    ECCENTRIC_MS_FIELD_NUMBER: _ClassVar[int]
    HOLD_MS_FIELD_NUMBER: _ClassVar[int]
    CONCENTRIC_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_DEVIATION_DEGREES_FIELD_NUMBER: _ClassVar[int]
    FORM_SCORE_FIELD_NUMBER: _ClassVar[int]
    rep_number: int
    start_ms: int
    end_ms: int
    peak_rom_degrees: float
    eccentric_ms: int
    hold_ms: int
    concentric_ms: int
    max_deviation_degrees: float
    form_score: float
    def __init__(self, rep_number: _Optional[int] = ..., start_ms: _Optional[int] = ..., end_ms: _Optional[int] = ..., peak_rom_degrees: _Optional[float] = ..., eccentric_ms: _Optional[int] = ..., hold_ms: _Optional[int] = ..., concentric_ms: _Optional[int] = ..., max_deviation_degrees: _Optional[float] = ..., form_score: _Optional[float] = ...) -> None: ...

class PoseSessionSummary(_message.Message):
    __slots__ = ("rep_count", "average_form_score", "active_duration_ms", "pose_accuracy_score", "frames_total", "frames_low_visibility", "reps")
    REP_COUNT_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_FORM_SCORE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    POSE_ACCURACY_SCORE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    FRAMES_LOW_VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    REPS_FIELD_NUMBER: _ClassVar[int]
    rep_count: int
    average_form_score: float
    active_duration_ms: int
    pose_accuracy_score: float
    frames_total: int
    frames_low_visibility: int
    reps: _containers.RepeatedCompositeFieldContainer[PoseRep]
    def __init__(self, rep_count: _Optional[int] = ..., average_form_score: _Optional[float] = ..., active_duration_ms: _Optional[int] = ..., pose_accuracy_score: _Optional[float] = ..., frames_total: _Optional[int] = ..., frames_low_visibility: _Optional[int] = ..., reps: _Optional[_Iterable[_Union[PoseRep, _Mapping]]] = ...) -> None: ...

class MediaSessionSummary(_message.Message):
    __slots__ = ("media_session_id", "startup_ms", "watched_seconds", "completion_percentage", "milestones_reached", "rebuffer_count", "rebuffer_seconds", "rebuffer_percentage", "rebuffers_per_minute", "quality_seconds", "quality_up_switches", "quality_down_switches", "dropped_frame_ratio", "exit_before_video_start")
    class QualitySecondsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    MEDIA_SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STARTUP_MS_FIELD_NUMBER: _ClassVar[int]
    WATCHED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    MILESTONES_REACHED_FIELD_NUMBER: _ClassVar[int]
    REBUFFER_COUNT_FIELD_NUMBER: _ClassVar[int]
    REBUFFER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REBUFFER_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    REBUFFERS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    QUALITY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    QUALITY_UP_SWITCHES_FIELD_NUMBER: _ClassVar[int]
    QUALITY_DOWN_SWITCHES_FIELD_NUMBER: _ClassVar[int]
    DROPPED_FRAME_RATIO_FIELD_NUMBER: _ClassVar[int]
    EXIT_BEFORE_VIDEO_START_FIELD_NUMBER: _ClassVar[int]
    media_session_id: str
    startup_ms: float
    watched_seconds: float
    completion_percentage: float
    milestones_reached: _containers.RepeatedScalarFieldContainer[int]
    rebuffer_count: int
    rebuffer_seconds: float
    rebuffer_percentage: float
    rebuffers_per_minute: float
    quality_seconds: _containers.ScalarMap[str, float]
    quality_up_switches: int
    quality_down_switches: int
    dropped_frame_ratio: float
    exit_before_video_start: bool
    def __init__(self, media_session_id: _Optional[str] = ..., startup_ms: _Optional[float] = ..., watched_seconds: _Optional[float] = ..., completion_percentage: _Optional[float] = ..., milestones_reached: _Optional[_Iterable[int]] = ..., rebuffer_count: _Optional[int] = ..., rebuffer_seconds: _Optional[float] = ..., rebuffer_percentage: _Optional[float] = ..., rebuffers_per_minute: _Optional[float] = ..., quality_seconds: _Optional[_Mapping[str, float]] = ..., quality_up_switches: _Optional[int] = ..., quality_down_switches: _Optional[int] = ..., dropped_frame_ratio: _Optional[float] = ..., exit_before_video_start: _Optional[bool] = ...) -> None: ...

class ExerciseSessionFinalized(_message.Message):
    __slots__ = ("session_id", "patient_id", "workout_id", "exercise_id", "incomplete", "started_at", "ended_at", "pose", "media", "replay_key", "frame_count")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    INCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    POSE_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    REPLAY_KEY_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    patient_id: str
    workout_id: str
    exercise_id: str
    incomplete: bool
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    pose: PoseSessionSummary
    media: _containers.RepeatedCompositeFieldContainer[MediaSessionSummary]
    replay_key: str
    frame_count: int
    def __init__(self, session_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., workout_id: _Optional[str] = ..., exercise_id: _Optional[str] = ..., incomplete: _Optional[bool] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pose: _Optional[_Union[PoseSessionSummary, _Mapping]] = ..., media: _Optional[_Iterable[_Union[MediaSessionSummary, _Mapping]]] = ..., replay_key: _Optional[str] = ..., frame_count: _Optional[int] = ...) -> None: ...

class FeatureFlagsChanged(_message.Message):
    __slots__ = ("feature_flags", "changed_at")
    class FeatureFlagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bool
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bool] = ...) -> None: ...
    FEATURE_FLAGS_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    feature_flags: _containers.ScalarMap[str, bool]
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, feature_flags: _Optional[_Mapping[str, bool]] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BillingSettingsChanged(_message.Message):
    __slots__ = ("rtm_billing", "qualifying_policy", "changed_at")
    RTM_BILLING_FIELD_NUMBER: _ClassVar[int]
    QUALIFYING_POLICY_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    rtm_billing: bool
    qualifying_policy: str
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, rtm_billing: _Optional[bool] = ..., qualifying_policy: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PlanStatusChanged(_message.Message):
    __slots__ = ("plan_id", "patient_id", "status_before", "status_after", "changed_at", "reason")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_BEFORE_FIELD_NUMBER: _ClassVar[int]
    STATUS_AFTER_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    patient_id: str
    status_before: str
    status_after: str
    changed_at: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, plan_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., status_before: _Optional[str] = ..., status_after: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...
