import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LogEntranceRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LogEntranceReply(_message.Message):
    __slots__ = ("status", "entrance_id", "finalize_after", "local_date", "action")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ENTRANCE_ID_FIELD_NUMBER: _ClassVar[int]
    FINALIZE_AFTER_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    status: str
    entrance_id: str
    finalize_after: _timestamp_pb2.Timestamp
    local_date: str
    action: str
    def __init__(self, status: _Optional[str] = ..., entrance_id: _Optional[str] = ..., finalize_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., local_date: _Optional[str] = ..., action: _Optional[str] = ...) -> None: ...

class ListPatientEntrancesRequest(_message.Message):
    __slots__ = ("patient_id", "limit")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    limit: int
    def __init__(self, patient_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class Entrance(_message.Message):
    __slots__ = ("entrance_id", "patient_id", "local_date", "timezone", "status", "first_seen_at", "last_seen_at", "finalize_after", "finalized_at", "mirror_workout_id", "source_workout_id", "entries_count", "status_reason")
    ENTRANCE_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEEN_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_AT_FIELD_NUMBER: _ClassVar[int]
    FINALIZE_AFTER_FIELD_NUMBER: _ClassVar[int]
    FINALIZED_AT_FIELD_NUMBER: _ClassVar[int]
    MIRROR_WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_WORKOUT_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_COUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    entrance_id: str
    patient_id: str
    local_date: str
    timezone: str
    status: str
    first_seen_at: _timestamp_pb2.Timestamp
    last_seen_at: _timestamp_pb2.Timestamp
    finalize_after: _timestamp_pb2.Timestamp
    finalized_at: _timestamp_pb2.Timestamp
    mirror_workout_id: str
    source_workout_id: str
    entries_count: int
    status_reason: str
    def __init__(self, entrance_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., local_date: _Optional[str] = ..., timezone: _Optional[str] = ..., status: _Optional[str] = ..., first_seen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_seen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finalize_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finalized_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., mirror_workout_id: _Optional[str] = ..., source_workout_id: _Optional[str] = ..., entries_count: _Optional[int] = ..., status_reason: _Optional[str] = ...) -> None: ...

class ListPatientEntrancesReply(_message.Message):
    __slots__ = ("entrances",)
    ENTRANCES_FIELD_NUMBER: _ClassVar[int]
    entrances: _containers.RepeatedCompositeFieldContainer[Entrance]
    def __init__(self, entrances: _Optional[_Iterable[_Union[Entrance, _Mapping]]] = ...) -> None: ...

class FinalizeEntranceJob(_message.Message):
    __slots__ = ("entrance_id", "patient_id", "finalize_after")
    ENTRANCE_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    FINALIZE_AFTER_FIELD_NUMBER: _ClassVar[int]
    entrance_id: str
    patient_id: str
    finalize_after: _timestamp_pb2.Timestamp
    def __init__(self, entrance_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., finalize_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordAppOpenRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RecordAppCloseRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DailyActivity(_message.Message):
    __slots__ = ("patient_id", "local_date", "timezone", "first_app_opened_at", "last_app_opened_at", "last_app_closed_at", "app_opens_count", "app_closes_count", "workouts_completed", "exercises_completed", "xp_earned", "is_streak_day", "daily_xp_goal", "daily_exercises_goal", "met_goal")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    FIRST_APP_OPENED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_APP_OPENED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_APP_CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    APP_OPENS_COUNT_FIELD_NUMBER: _ClassVar[int]
    APP_CLOSES_COUNT_FIELD_NUMBER: _ClassVar[int]
    WORKOUTS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    XP_EARNED_FIELD_NUMBER: _ClassVar[int]
    IS_STREAK_DAY_FIELD_NUMBER: _ClassVar[int]
    DAILY_XP_GOAL_FIELD_NUMBER: _ClassVar[int]
    DAILY_EXERCISES_GOAL_FIELD_NUMBER: _ClassVar[int]
    MET_GOAL_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    local_date: str
    timezone: str
    first_app_opened_at: _timestamp_pb2.Timestamp
    last_app_opened_at: _timestamp_pb2.Timestamp
    last_app_closed_at: _timestamp_pb2.Timestamp
    app_opens_count: int
    app_closes_count: int
    workouts_completed: int
    exercises_completed: int
    xp_earned: int
    is_streak_day: bool
    daily_xp_goal: int
    daily_exercises_goal: int
    met_goal: bool
    def __init__(self, patient_id: _Optional[str] = ..., local_date: _Optional[str] = ..., timezone: _Optional[str] = ..., first_app_opened_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_app_opened_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_app_closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., app_opens_count: _Optional[int] = ..., app_closes_count: _Optional[int] = ..., workouts_completed: _Optional[int] = ..., exercises_completed: _Optional[int] = ..., xp_earned: _Optional[int] = ..., is_streak_day: _Optional[bool] = ..., daily_xp_goal: _Optional[int] = ..., daily_exercises_goal: _Optional[int] = ..., met_goal: _Optional[bool] = ...) -> None: ...

class GetDailyActivityRequest(_message.Message):
    __slots__ = ("patient_id", "from_date", "to_date")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    from_date: str
    to_date: str
    def __init__(self, patient_id: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class DailyActivityRange(_message.Message):
    __slots__ = ("days", "current_streak_days", "today")
    DAYS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_STREAK_DAYS_FIELD_NUMBER: _ClassVar[int]
    TODAY_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[DailyActivity]
    current_streak_days: int
    today: str
    def __init__(self, days: _Optional[_Iterable[_Union[DailyActivity, _Mapping]]] = ..., current_streak_days: _Optional[int] = ..., today: _Optional[str] = ...) -> None: ...

class AwardXpRequest(_message.Message):
    __slots__ = ("patient_id", "amount", "reason", "source", "idempotency_key")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    amount: int
    reason: str
    source: str
    idempotency_key: str
    def __init__(self, patient_id: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ..., source: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class XpAward(_message.Message):
    __slots__ = ("award_id", "patient_id", "amount", "reason", "source", "idempotency_key", "awarded_at", "local_date")
    AWARD_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    AWARDED_AT_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    award_id: str
    patient_id: str
    amount: int
    reason: str
    source: str
    idempotency_key: str
    awarded_at: _timestamp_pb2.Timestamp
    local_date: str
    def __init__(self, award_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ..., source: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., awarded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., local_date: _Optional[str] = ...) -> None: ...

class AwardXpReply(_message.Message):
    __slots__ = ("award", "created", "day", "goal_bonus")
    AWARD_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    GOAL_BONUS_FIELD_NUMBER: _ClassVar[int]
    award: XpAward
    created: bool
    day: DailyActivity
    goal_bonus: XpAward
    def __init__(self, award: _Optional[_Union[XpAward, _Mapping]] = ..., created: _Optional[bool] = ..., day: _Optional[_Union[DailyActivity, _Mapping]] = ..., goal_bonus: _Optional[_Union[XpAward, _Mapping]] = ...) -> None: ...
