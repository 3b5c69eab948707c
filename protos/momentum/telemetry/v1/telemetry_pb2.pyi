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
