from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IngestPoseBatchRequest(_message.Message):
    __slots__ = ("session_token", "body")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    body: bytes
    def __init__(self, session_token: _Optional[str] = ..., body: _Optional[bytes] = ...) -> None: ...

class IngestPoseBatchReply(_message.Message):
    __slots__ = ("session_id", "frames_received", "frames_accepted", "duplicate_frames", "last_timestamp_ms", "session_frames")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    FRAMES_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    FRAMES_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FRAMES_FIELD_NUMBER: _ClassVar[int]
    LAST_TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    SESSION_FRAMES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    frames_received: int
    frames_accepted: int
    duplicate_frames: int
    last_timestamp_ms: int
    session_frames: int
    def __init__(self, session_id: _Optional[str] = ..., frames_received: _Optional[int] = ..., frames_accepted: _Optional[int] = ..., duplicate_frames: _Optional[int] = ..., last_timestamp_ms: _Optional[int] = ..., session_frames: _Optional[int] = ...) -> None: ...

class PoseBatchInStream(_message.Message):
    __slots__ = ("session_token", "body", "request_id")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    body: bytes
    request_id: str
    def __init__(self, session_token: _Optional[str] = ..., body: _Optional[bytes] = ..., request_id: _Optional[str] = ...) -> None: ...

class PoseBatchAck(_message.Message):
    __slots__ = ("stored", "refused")
    STORED_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    stored: IngestPoseBatchReply
    refused: PoseBatchRefusal
    def __init__(self, stored: _Optional[_Union[IngestPoseBatchReply, _Mapping]] = ..., refused: _Optional[_Union[PoseBatchRefusal, _Mapping]] = ...) -> None: ...

class PoseBatchRefusal(_message.Message):
    __slots__ = ("status", "detail", "code", "field", "retry_after_seconds")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    status: int
    detail: str
    code: str
    field: str
    retry_after_seconds: int
    def __init__(self, status: _Optional[int] = ..., detail: _Optional[str] = ..., code: _Optional[str] = ..., field: _Optional[str] = ..., retry_after_seconds: _Optional[int] = ...) -> None: ...

class IngestMediaEventsRequest(_message.Message):
    __slots__ = ("session_token", "events_json")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EVENTS_JSON_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    events_json: bytes
    def __init__(self, session_token: _Optional[str] = ..., events_json: _Optional[bytes] = ...) -> None: ...

class MediaSessionFigures(_message.Message):
    __slots__ = ("media_session_id", "events", "watched_seconds", "completion_percentage", "rebuffer_count", "ended")
    MEDIA_SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    WATCHED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    REBUFFER_COUNT_FIELD_NUMBER: _ClassVar[int]
    ENDED_FIELD_NUMBER: _ClassVar[int]
    media_session_id: str
    events: int
    watched_seconds: float
    completion_percentage: float
    rebuffer_count: int
    ended: bool
    def __init__(self, media_session_id: _Optional[str] = ..., events: _Optional[int] = ..., watched_seconds: _Optional[float] = ..., completion_percentage: _Optional[float] = ..., rebuffer_count: _Optional[int] = ..., ended: _Optional[bool] = ...) -> None: ...

class IngestMediaEventsReply(_message.Message):
    __slots__ = ("session_id", "events_received", "events_stored", "media_sessions")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    EVENTS_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    EVENTS_STORED_FIELD_NUMBER: _ClassVar[int]
    MEDIA_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    events_received: int
    events_stored: int
    media_sessions: _containers.RepeatedCompositeFieldContainer[MediaSessionFigures]
    def __init__(self, session_id: _Optional[str] = ..., events_received: _Optional[int] = ..., events_stored: _Optional[int] = ..., media_sessions: _Optional[_Iterable[_Union[MediaSessionFigures, _Mapping]]] = ...) -> None: ...

class EndSessionRequest(_message.Message):
    __slots__ = ("session_token", "session_id")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    session_id: str
    def __init__(self, session_token: _Optional[str] = ..., session_id: _Optional[str] = ...) -> None: ...

class SessionFinalization(_message.Message):
    __slots__ = ("session_id", "incomplete", "already_finalized", "frame_count", "rep_count", "has_average_form_score", "average_form_score", "has_pose_accuracy_score", "pose_accuracy_score", "replay_key", "media_sessions")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    INCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    ALREADY_FINALIZED_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    REP_COUNT_FIELD_NUMBER: _ClassVar[int]
    HAS_AVERAGE_FORM_SCORE_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_FORM_SCORE_FIELD_NUMBER: _ClassVar[int]
    HAS_POSE_ACCURACY_SCORE_FIELD_NUMBER: _ClassVar[int]
    POSE_ACCURACY_SCORE_FIELD_NUMBER: _ClassVar[int]
    REPLAY_KEY_FIELD_NUMBER: _ClassVar[int]
    MEDIA_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    incomplete: bool
    already_finalized: bool
    frame_count: int
    rep_count: int
    has_average_form_score: bool
    average_form_score: float
    has_pose_accuracy_score: bool
    pose_accuracy_score: float
    replay_key: str
    media_sessions: int
    def __init__(self, session_id: _Optional[str] = ..., incomplete: _Optional[bool] = ..., already_finalized: _Optional[bool] = ..., frame_count: _Optional[int] = ..., rep_count: _Optional[int] = ..., has_average_form_score: _Optional[bool] = ..., average_form_score: _Optional[float] = ..., has_pose_accuracy_score: _Optional[bool] = ..., pose_accuracy_score: _Optional[float] = ..., replay_key: _Optional[str] = ..., media_sessions: _Optional[int] = ...) -> None: ...

class GetReplayRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class ReplayLink(_message.Message):
    __slots__ = ("session_id", "url", "expires_at", "frame_count", "content_encoding")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_ENCODING_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    url: str
    expires_at: str
    frame_count: int
    content_encoding: str
    def __init__(self, session_id: _Optional[str] = ..., url: _Optional[str] = ..., expires_at: _Optional[str] = ..., frame_count: _Optional[int] = ..., content_encoding: _Optional[str] = ...) -> None: ...

class ListExerciseSessionsRequest(_message.Message):
    __slots__ = ("patient_id", "started_from", "started_before", "exercise_id", "limit", "cursor")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_FROM_FIELD_NUMBER: _ClassVar[int]
    STARTED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    started_from: str
    started_before: str
    exercise_id: str
    limit: int
    cursor: str
    def __init__(self, patient_id: _Optional[str] = ..., started_from: _Optional[str] = ..., started_before: _Optional[str] = ..., exercise_id: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class ExerciseSessionPage(_message.Message):
    __slots__ = ("sessions", "next_cursor")
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[ExerciseSessionDetail]
    next_cursor: str
    def __init__(self, sessions: _Optional[_Iterable[_Union[ExerciseSessionDetail, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetExerciseSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class RepFigures(_message.Message):
    __slots__ = ("rep_number", "start_ms", "end_ms", "peak_rom_degrees", "deepest_angle_degrees", "form_score", "eccentric_ms", "hold_ms", "concentric_ms", "max_deviation_degrees")
    REP_NUMBER_FIELD_NUMBER: _ClassVar[int]
    START_MS_FIELD_NUMBER: _ClassVar[int]
    END_MS_FIELD_NUMBER: _ClassVar[int]
    PEAK_ROM_DEGREES_FIELD_NUMBER: _ClassVar[int]
    DEEPEST_ANGLE_DEGREES_FIELD_NUMBER: _ClassVar[int]
    FORM_SCORE_FIELD_NUMBER: _ClassVar[int]
    ECCENTRIC_MS_FIELD_NUMBER: _ClassVar[int]
    HOLD_MS_FIELD_NUMBER: _ClassVar[int]
    CONCENTRIC_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_DEVIATION_DEGREES_FIELD_NUMBER: _ClassVar[int]
    rep_number: int
    start_ms: int
    end_ms: int
    peak_rom_degrees: float
    deepest_angle_degrees: float
    form_score: float
    eccentric_ms: int
    hold_ms: int
    concentric_ms: int
    max_deviation_degrees: float
    def __init__(self, rep_number: _Optional[int] = ..., start_ms: _Optional[int] = ..., end_ms: _Optional[int] = ..., peak_rom_degrees: _Optional[float] = ..., deepest_angle_degrees: _Optional[float] = ..., form_score: _Optional[float] = ..., eccentric_ms: _Optional[int] = ..., hold_ms: _Optional[int] = ..., concentric_ms: _Optional[int] = ..., max_deviation_degrees: _Optional[float] = ...) -> None: ...

class VideoQuality(_message.Message):
    __slots__ = ("media_session_id", "startup_ms", "watched_seconds", "completion_percentage", "milestones_reached", "rebuffer_count", "rebuffer_seconds", "rebuffer_percentage", "rebuffers_per_minute", "quality_seconds", "quality_up_switches", "quality_down_switches", "dropped_frame_ratio", "exit_before_video_start", "ended", "viewing_seconds", "bitrate_seconds", "average_bitrate", "experience")
    class QualitySecondsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class BitrateSecondsEntry(_message.Message):
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
    ENDED_FIELD_NUMBER: _ClassVar[int]
    VIEWING_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BITRATE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_BITRATE_FIELD_NUMBER: _ClassVar[int]
    EXPERIENCE_FIELD_NUMBER: _ClassVar[int]
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
    ended: bool
    viewing_seconds: float
    bitrate_seconds: _containers.ScalarMap[str, float]
    average_bitrate: int
    experience: ViewerExperience
    def __init__(self, media_session_id: _Optional[str] = ..., startup_ms: _Optional[float] = ..., watched_seconds: _Optional[float] = ..., completion_percentage: _Optional[float] = ..., milestones_reached: _Optional[_Iterable[int]] = ..., rebuffer_count: _Optional[int] = ..., rebuffer_seconds: _Optional[float] = ..., rebuffer_percentage: _Optional[float] = ..., rebuffers_per_minute: _Optional[float] = ..., quality_seconds: _Optional[_Mapping[str, float]] = ..., quality_up_switches: _Optional[int] = ..., quality_down_switches: _Optional[int] = ..., dropped_frame_ratio: _Optional[float] = ..., exit_before_video_start: _Optional[bool] = ..., ended: _Optional[bool] = ..., viewing_seconds: _Optional[float] = ..., bitrate_seconds: _Optional[_Mapping[str, float]] = ..., average_bitrate: _Optional[int] = ..., experience: _Optional[_Union[ViewerExperience, _Mapping]] = ...) -> None: ...

class ViewerExperience(_message.Message):
    __slots__ = ("score", "playback_success", "startup", "smoothness", "video_quality")
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PLAYBACK_SUCCESS_FIELD_NUMBER: _ClassVar[int]
    STARTUP_FIELD_NUMBER: _ClassVar[int]
    SMOOTHNESS_FIELD_NUMBER: _ClassVar[int]
    VIDEO_QUALITY_FIELD_NUMBER: _ClassVar[int]
    score: float
    playback_success: float
    startup: float
    smoothness: float
    video_quality: float
    def __init__(self, score: _Optional[float] = ..., playback_success: _Optional[float] = ..., startup: _Optional[float] = ..., smoothness: _Optional[float] = ..., video_quality: _Optional[float] = ...) -> None: ...

class ExerciseSessionDetail(_message.Message):
    __slots__ = ("session_id", "patient_id", "workout_id", "exercise_id", "started_at", "ended_at", "status", "incomplete_reason", "rep_count", "average_form_score", "active_duration_ms", "pose_accuracy_score", "frame_count", "frames_low_visibility", "replay_available", "reps", "media")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INCOMPLETE_REASON_FIELD_NUMBER: _ClassVar[int]
    REP_COUNT_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_FORM_SCORE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    POSE_ACCURACY_SCORE_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    FRAMES_LOW_VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    REPLAY_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    REPS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    patient_id: str
    workout_id: str
    exercise_id: str
    started_at: str
    ended_at: str
    status: str
    incomplete_reason: str
    rep_count: int
    average_form_score: float
    active_duration_ms: int
    pose_accuracy_score: float
    frame_count: int
    frames_low_visibility: int
    replay_available: bool
    reps: _containers.RepeatedCompositeFieldContainer[RepFigures]
    media: _containers.RepeatedCompositeFieldContainer[VideoQuality]
    def __init__(self, session_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., workout_id: _Optional[str] = ..., exercise_id: _Optional[str] = ..., started_at: _Optional[str] = ..., ended_at: _Optional[str] = ..., status: _Optional[str] = ..., incomplete_reason: _Optional[str] = ..., rep_count: _Optional[int] = ..., average_form_score: _Optional[float] = ..., active_duration_ms: _Optional[int] = ..., pose_accuracy_score: _Optional[float] = ..., frame_count: _Optional[int] = ..., frames_low_visibility: _Optional[int] = ..., replay_available: _Optional[bool] = ..., reps: _Optional[_Iterable[_Union[RepFigures, _Mapping]]] = ..., media: _Optional[_Iterable[_Union[VideoQuality, _Mapping]]] = ...) -> None: ...

class VideoQualityByExerciseRequest(_message.Message):
    __slots__ = ("started_from", "started_before")
    STARTED_FROM_FIELD_NUMBER: _ClassVar[int]
    STARTED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    started_from: str
    started_before: str
    def __init__(self, started_from: _Optional[str] = ..., started_before: _Optional[str] = ...) -> None: ...

class ExerciseVideoQuality(_message.Message):
    __slots__ = ("exercise_id", "plays", "average_watch_percentage", "completion_rate", "exit_before_video_start_rate", "watched_seconds", "rebuffer_count", "rebuffer_seconds", "rebuffer_percentage", "rebuffers_per_minute", "median_startup_ms", "average_score", "score_bands", "quality_seconds", "bitrate_seconds")
    class ScoreBandsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class QualitySecondsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class BitrateSecondsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    PLAYS_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_WATCH_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    EXIT_BEFORE_VIDEO_START_RATE_FIELD_NUMBER: _ClassVar[int]
    WATCHED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REBUFFER_COUNT_FIELD_NUMBER: _ClassVar[int]
    REBUFFER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REBUFFER_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    REBUFFERS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_STARTUP_MS_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_SCORE_FIELD_NUMBER: _ClassVar[int]
    SCORE_BANDS_FIELD_NUMBER: _ClassVar[int]
    QUALITY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BITRATE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    plays: int
    average_watch_percentage: float
    completion_rate: float
    exit_before_video_start_rate: float
    watched_seconds: float
    rebuffer_count: int
    rebuffer_seconds: float
    rebuffer_percentage: float
    rebuffers_per_minute: float
    median_startup_ms: float
    average_score: float
    score_bands: _containers.ScalarMap[str, int]
    quality_seconds: _containers.ScalarMap[str, float]
    bitrate_seconds: _containers.ScalarMap[str, float]
    def __init__(self, exercise_id: _Optional[str] = ..., plays: _Optional[int] = ..., average_watch_percentage: _Optional[float] = ..., completion_rate: _Optional[float] = ..., exit_before_video_start_rate: _Optional[float] = ..., watched_seconds: _Optional[float] = ..., rebuffer_count: _Optional[int] = ..., rebuffer_seconds: _Optional[float] = ..., rebuffer_percentage: _Optional[float] = ..., rebuffers_per_minute: _Optional[float] = ..., median_startup_ms: _Optional[float] = ..., average_score: _Optional[float] = ..., score_bands: _Optional[_Mapping[str, int]] = ..., quality_seconds: _Optional[_Mapping[str, float]] = ..., bitrate_seconds: _Optional[_Mapping[str, float]] = ...) -> None: ...

class VideoQualityByExercise(_message.Message):
    __slots__ = ("started_from", "started_before", "exercises")
    STARTED_FROM_FIELD_NUMBER: _ClassVar[int]
    STARTED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_FIELD_NUMBER: _ClassVar[int]
    started_from: str
    started_before: str
    exercises: _containers.RepeatedCompositeFieldContainer[ExerciseVideoQuality]
    def __init__(self, started_from: _Optional[str] = ..., started_before: _Optional[str] = ..., exercises: _Optional[_Iterable[_Union[ExerciseVideoQuality, _Mapping]]] = ...) -> None: ...
