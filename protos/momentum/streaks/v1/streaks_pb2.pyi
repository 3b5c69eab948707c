from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetStreakRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class RebuildStreakRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class CalendarDay(_message.Message):
    __slots__ = ("date", "day_of_week", "status")
    DATE_FIELD_NUMBER: _ClassVar[int]
    DAY_OF_WEEK_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    date: str
    day_of_week: int
    status: str
    def __init__(self, date: _Optional[str] = ..., day_of_week: _Optional[int] = ..., status: _Optional[str] = ...) -> None: ...

class StreakView(_message.Message):
    __slots__ = ("patient_id", "current_daily_streak", "current_weekly_streak", "last_workout_date", "weekly_minutes", "weekly_workout_days", "has_week_streak_active_since", "week_streak_active_since", "week_timezone", "weekly_days_off_used", "weekly_days_off_remaining", "days_off_per_week", "week_calendar")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENT_DAILY_STREAK_FIELD_NUMBER: _ClassVar[int]
    CURRENT_WEEKLY_STREAK_FIELD_NUMBER: _ClassVar[int]
    LAST_WORKOUT_DATE_FIELD_NUMBER: _ClassVar[int]
    WEEKLY_MINUTES_FIELD_NUMBER: _ClassVar[int]
    WEEKLY_WORKOUT_DAYS_FIELD_NUMBER: _ClassVar[int]
    HAS_WEEK_STREAK_ACTIVE_SINCE_FIELD_NUMBER: _ClassVar[int]
    WEEK_STREAK_ACTIVE_SINCE_FIELD_NUMBER: _ClassVar[int]
    WEEK_TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    WEEKLY_DAYS_OFF_USED_FIELD_NUMBER: _ClassVar[int]
    WEEKLY_DAYS_OFF_REMAINING_FIELD_NUMBER: _ClassVar[int]
    DAYS_OFF_PER_WEEK_FIELD_NUMBER: _ClassVar[int]
    WEEK_CALENDAR_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    current_daily_streak: int
    current_weekly_streak: int
    last_workout_date: str
    weekly_minutes: int
    weekly_workout_days: _containers.RepeatedScalarFieldContainer[int]
    has_week_streak_active_since: bool
    week_streak_active_since: int
    week_timezone: str
    weekly_days_off_used: int
    weekly_days_off_remaining: int
    days_off_per_week: int
    week_calendar: _containers.RepeatedCompositeFieldContainer[CalendarDay]
    def __init__(self, patient_id: _Optional[str] = ..., current_daily_streak: _Optional[int] = ..., current_weekly_streak: _Optional[int] = ..., last_workout_date: _Optional[str] = ..., weekly_minutes: _Optional[int] = ..., weekly_workout_days: _Optional[_Iterable[int]] = ..., has_week_streak_active_since: _Optional[bool] = ..., week_streak_active_since: _Optional[int] = ..., week_timezone: _Optional[str] = ..., weekly_days_off_used: _Optional[int] = ..., weekly_days_off_remaining: _Optional[int] = ..., days_off_per_week: _Optional[int] = ..., week_calendar: _Optional[_Iterable[_Union[CalendarDay, _Mapping]]] = ...) -> None: ...

class GetKnownTimezoneRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class KnownTimezone(_message.Message):
    __slots__ = ("user_id", "timezone", "changes_seen")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    CHANGES_SEEN_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    timezone: str
    changes_seen: int
    def __init__(self, user_id: _Optional[str] = ..., timezone: _Optional[str] = ..., changes_seen: _Optional[int] = ...) -> None: ...

class GetCurrentStreaksRequest(_message.Message):
    __slots__ = ("patient_ids", "timezones")
    class TimezonesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PATIENT_IDS_FIELD_NUMBER: _ClassVar[int]
    TIMEZONES_FIELD_NUMBER: _ClassVar[int]
    patient_ids: _containers.RepeatedScalarFieldContainer[str]
    timezones: _containers.ScalarMap[str, str]
    def __init__(self, patient_ids: _Optional[_Iterable[str]] = ..., timezones: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CurrentStreaks(_message.Message):
    __slots__ = ("current_daily_streak",)
    class CurrentDailyStreakEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    CURRENT_DAILY_STREAK_FIELD_NUMBER: _ClassVar[int]
    current_daily_streak: _containers.ScalarMap[str, int]
    def __init__(self, current_daily_streak: _Optional[_Mapping[str, int]] = ...) -> None: ...
