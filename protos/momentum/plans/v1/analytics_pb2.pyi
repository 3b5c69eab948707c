from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetPlanProgressRequest(_message.Message):
    __slots__ = ("plan_id",)
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    def __init__(self, plan_id: _Optional[str] = ...) -> None: ...

class SessionPain(_message.Message):
    __slots__ = ("session_number", "local_date", "pain_before", "pain_after")
    SESSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    PAIN_BEFORE_FIELD_NUMBER: _ClassVar[int]
    PAIN_AFTER_FIELD_NUMBER: _ClassVar[int]
    session_number: int
    local_date: str
    pain_before: int
    pain_after: int
    def __init__(self, session_number: _Optional[int] = ..., local_date: _Optional[str] = ..., pain_before: _Optional[int] = ..., pain_after: _Optional[int] = ...) -> None: ...

class PlanWeek(_message.Message):
    __slots__ = ("week_number", "start", "end", "sessions_done", "sessions_planned")
    WEEK_NUMBER_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_DONE_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_PLANNED_FIELD_NUMBER: _ClassVar[int]
    week_number: int
    start: str
    end: str
    sessions_done: int
    sessions_planned: int
    def __init__(self, week_number: _Optional[int] = ..., start: _Optional[str] = ..., end: _Optional[str] = ..., sessions_done: _Optional[int] = ..., sessions_planned: _Optional[int] = ...) -> None: ...

class PlanProgress(_message.Message):
    __slots__ = ("plan_id", "patient_id", "title", "status", "start_date", "end_date", "local_date", "timezone", "sessions_completed", "sessions_planned", "completion_percent", "pain_trend", "this_week")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_PLANNED_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_PERCENT_FIELD_NUMBER: _ClassVar[int]
    PAIN_TREND_FIELD_NUMBER: _ClassVar[int]
    THIS_WEEK_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    patient_id: str
    title: str
    status: str
    start_date: str
    end_date: str
    local_date: str
    timezone: str
    sessions_completed: int
    sessions_planned: int
    completion_percent: float
    pain_trend: _containers.RepeatedCompositeFieldContainer[SessionPain]
    this_week: PlanWeek
    def __init__(self, plan_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., start_date: _Optional[str] = ..., end_date: _Optional[str] = ..., local_date: _Optional[str] = ..., timezone: _Optional[str] = ..., sessions_completed: _Optional[int] = ..., sessions_planned: _Optional[int] = ..., completion_percent: _Optional[float] = ..., pain_trend: _Optional[_Iterable[_Union[SessionPain, _Mapping]]] = ..., this_week: _Optional[_Union[PlanWeek, _Mapping]] = ...) -> None: ...

class GetPlanAnalyticsRequest(_message.Message):
    __slots__ = ("plan_id",)
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    def __init__(self, plan_id: _Optional[str] = ...) -> None: ...

class ExercisePerformance(_message.Message):
    __slots__ = ("exercise_id", "name", "sessions_done", "sessions_prescribed", "skipped", "average_video_watch_percent", "average_pose_accuracy")
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_DONE_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_PRESCRIBED_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_VIDEO_WATCH_PERCENT_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_POSE_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    name: str
    sessions_done: int
    sessions_prescribed: int
    skipped: int
    average_video_watch_percent: float
    average_pose_accuracy: float
    def __init__(self, exercise_id: _Optional[str] = ..., name: _Optional[str] = ..., sessions_done: _Optional[int] = ..., sessions_prescribed: _Optional[int] = ..., skipped: _Optional[int] = ..., average_video_watch_percent: _Optional[float] = ..., average_pose_accuracy: _Optional[float] = ...) -> None: ...

class PainEvolution(_message.Message):
    __slots__ = ("before", "after", "before_change_percent", "after_change_percent", "trend", "sessions")
    BEFORE_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    BEFORE_CHANGE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    AFTER_CHANGE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    TREND_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    before: _containers.RepeatedScalarFieldContainer[float]
    after: _containers.RepeatedScalarFieldContainer[float]
    before_change_percent: float
    after_change_percent: float
    trend: str
    sessions: _containers.RepeatedCompositeFieldContainer[SessionPain]
    def __init__(self, before: _Optional[_Iterable[float]] = ..., after: _Optional[_Iterable[float]] = ..., before_change_percent: _Optional[float] = ..., after_change_percent: _Optional[float] = ..., trend: _Optional[str] = ..., sessions: _Optional[_Iterable[_Union[SessionPain, _Mapping]]] = ...) -> None: ...

class WeekAdherence(_message.Message):
    __slots__ = ("week_number", "start", "end", "completed", "expected", "adherence_percent")
    WEEK_NUMBER_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    ADHERENCE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    week_number: int
    start: str
    end: str
    completed: int
    expected: int
    adherence_percent: float
    def __init__(self, week_number: _Optional[int] = ..., start: _Optional[str] = ..., end: _Optional[str] = ..., completed: _Optional[int] = ..., expected: _Optional[int] = ..., adherence_percent: _Optional[float] = ...) -> None: ...

class PlanAnalytics(_message.Message):
    __slots__ = ("plan_id", "patient_id", "patient_name", "title", "status", "start_date", "end_date", "as_of", "sessions_completed", "sessions_expected", "adherence_percent", "average_session_minutes", "average_video_watch_percent", "exercises", "pain", "weeks", "trend", "sessions_planned")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_EXPECTED_FIELD_NUMBER: _ClassVar[int]
    ADHERENCE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_SESSION_MINUTES_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_VIDEO_WATCH_PERCENT_FIELD_NUMBER: _ClassVar[int]
    EXERCISES_FIELD_NUMBER: _ClassVar[int]
    PAIN_FIELD_NUMBER: _ClassVar[int]
    WEEKS_FIELD_NUMBER: _ClassVar[int]
    TREND_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_PLANNED_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    patient_id: str
    patient_name: str
    title: str
    status: str
    start_date: str
    end_date: str
    as_of: str
    sessions_completed: int
    sessions_expected: int
    adherence_percent: float
    average_session_minutes: float
    average_video_watch_percent: float
    exercises: _containers.RepeatedCompositeFieldContainer[ExercisePerformance]
    pain: PainEvolution
    weeks: _containers.RepeatedCompositeFieldContainer[WeekAdherence]
    trend: str
    sessions_planned: int
    def __init__(self, plan_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., patient_name: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., start_date: _Optional[str] = ..., end_date: _Optional[str] = ..., as_of: _Optional[str] = ..., sessions_completed: _Optional[int] = ..., sessions_expected: _Optional[int] = ..., adherence_percent: _Optional[float] = ..., average_session_minutes: _Optional[float] = ..., average_video_watch_percent: _Optional[float] = ..., exercises: _Optional[_Iterable[_Union[ExercisePerformance, _Mapping]]] = ..., pain: _Optional[_Union[PainEvolution, _Mapping]] = ..., weeks: _Optional[_Iterable[_Union[WeekAdherence, _Mapping]]] = ..., trend: _Optional[str] = ..., sessions_planned: _Optional[int] = ...) -> None: ...

class GetOrganizationDashboardRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PainImprovement(_message.Message):
    __slots__ = ("plans_counted", "before_points", "before_percent", "after_points", "after_percent")
    PLANS_COUNTED_FIELD_NUMBER: _ClassVar[int]
    BEFORE_POINTS_FIELD_NUMBER: _ClassVar[int]
    BEFORE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    AFTER_POINTS_FIELD_NUMBER: _ClassVar[int]
    AFTER_PERCENT_FIELD_NUMBER: _ClassVar[int]
    plans_counted: int
    before_points: float
    before_percent: float
    after_points: float
    after_percent: float
    def __init__(self, plans_counted: _Optional[int] = ..., before_points: _Optional[float] = ..., before_percent: _Optional[float] = ..., after_points: _Optional[float] = ..., after_percent: _Optional[float] = ...) -> None: ...

class ActiveAdherence(_message.Message):
    __slots__ = ("active_plans", "plans_with_expectation", "sessions_completed", "sessions_expected", "average_adherence_percent")
    ACTIVE_PLANS_FIELD_NUMBER: _ClassVar[int]
    PLANS_WITH_EXPECTATION_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_EXPECTED_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_ADHERENCE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    active_plans: int
    plans_with_expectation: int
    sessions_completed: int
    sessions_expected: int
    average_adherence_percent: float
    def __init__(self, active_plans: _Optional[int] = ..., plans_with_expectation: _Optional[int] = ..., sessions_completed: _Optional[int] = ..., sessions_expected: _Optional[int] = ..., average_adherence_percent: _Optional[float] = ...) -> None: ...

class ExerciseUsage(_message.Message):
    __slots__ = ("exercise_id", "name", "plans_prescribed", "sessions_prescribed", "sessions_done", "completion_percent", "average_pose_accuracy", "average_video_watch_percent")
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLANS_PRESCRIBED_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_PRESCRIBED_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_DONE_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_PERCENT_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_POSE_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_VIDEO_WATCH_PERCENT_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    name: str
    plans_prescribed: int
    sessions_prescribed: int
    sessions_done: int
    completion_percent: float
    average_pose_accuracy: float
    average_video_watch_percent: float
    def __init__(self, exercise_id: _Optional[str] = ..., name: _Optional[str] = ..., plans_prescribed: _Optional[int] = ..., sessions_prescribed: _Optional[int] = ..., sessions_done: _Optional[int] = ..., completion_percent: _Optional[float] = ..., average_pose_accuracy: _Optional[float] = ..., average_video_watch_percent: _Optional[float] = ...) -> None: ...

class PlanOutcomes(_message.Message):
    __slots__ = ("active", "completed", "expired", "cancelled", "completed_percent", "expired_percent", "cancelled_percent")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_PERCENT_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_PERCENT_FIELD_NUMBER: _ClassVar[int]
    active: int
    completed: int
    expired: int
    cancelled: int
    completed_percent: float
    expired_percent: float
    cancelled_percent: float
    def __init__(self, active: _Optional[int] = ..., completed: _Optional[int] = ..., expired: _Optional[int] = ..., cancelled: _Optional[int] = ..., completed_percent: _Optional[float] = ..., expired_percent: _Optional[float] = ..., cancelled_percent: _Optional[float] = ...) -> None: ...

class OrganizationDashboard(_message.Message):
    __slots__ = ("generated_at", "pain", "adherence", "most_prescribed", "best_performance", "worst_performance", "outcomes")
    GENERATED_AT_FIELD_NUMBER: _ClassVar[int]
    PAIN_FIELD_NUMBER: _ClassVar[int]
    ADHERENCE_FIELD_NUMBER: _ClassVar[int]
    MOST_PRESCRIBED_FIELD_NUMBER: _ClassVar[int]
    BEST_PERFORMANCE_FIELD_NUMBER: _ClassVar[int]
    WORST_PERFORMANCE_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    generated_at: str
    pain: PainImprovement
    adherence: ActiveAdherence
    most_prescribed: _containers.RepeatedCompositeFieldContainer[ExerciseUsage]
    best_performance: _containers.RepeatedCompositeFieldContainer[ExerciseUsage]
    worst_performance: _containers.RepeatedCompositeFieldContainer[ExerciseUsage]
    outcomes: PlanOutcomes
    def __init__(self, generated_at: _Optional[str] = ..., pain: _Optional[_Union[PainImprovement, _Mapping]] = ..., adherence: _Optional[_Union[ActiveAdherence, _Mapping]] = ..., most_prescribed: _Optional[_Iterable[_Union[ExerciseUsage, _Mapping]]] = ..., best_performance: _Optional[_Iterable[_Union[ExerciseUsage, _Mapping]]] = ..., worst_performance: _Optional[_Iterable[_Union[ExerciseUsage, _Mapping]]] = ..., outcomes: _Optional[_Union[PlanOutcomes, _Mapping]] = ...) -> None: ...

class AddTimeEntryRequest(_message.Message):
    __slots__ = ("patient_id", "minutes", "activity_type", "interactive", "occurred_on", "note")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    INTERACTIVE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_ON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    minutes: int
    activity_type: str
    interactive: bool
    occurred_on: str
    note: str
    def __init__(self, patient_id: _Optional[str] = ..., minutes: _Optional[int] = ..., activity_type: _Optional[str] = ..., interactive: _Optional[bool] = ..., occurred_on: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class TimeEntry(_message.Message):
    __slots__ = ("entry_id", "patient_id", "therapist_id", "minutes", "activity_type", "interactive", "occurred_on", "note", "created_at")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    THERAPIST_ID_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    INTERACTIVE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_ON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    patient_id: str
    therapist_id: str
    minutes: int
    activity_type: str
    interactive: bool
    occurred_on: str
    note: str
    created_at: str
    def __init__(self, entry_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., therapist_id: _Optional[str] = ..., minutes: _Optional[int] = ..., activity_type: _Optional[str] = ..., interactive: _Optional[bool] = ..., occurred_on: _Optional[str] = ..., note: _Optional[str] = ..., created_at: _Optional[str] = ...) -> None: ...

class ListTimeEntriesRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class ListTimeEntriesResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[TimeEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[TimeEntry, _Mapping]]] = ...) -> None: ...

class CodeUnits(_message.Message):
    __slots__ = ("code", "units")
    CODE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    code: str
    units: int
    def __init__(self, code: _Optional[str] = ..., units: _Optional[int] = ...) -> None: ...

class CountedDay(_message.Message):
    __slots__ = ("local_date", "record_ids")
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    local_date: str
    record_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, local_date: _Optional[str] = ..., record_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class BillingRecord(_message.Message):
    __slots__ = ("record_id", "patient_id", "track", "period_start", "period_end", "codes", "status", "quantity", "evidence", "billed_at", "billed_by", "conflict", "updated_at")
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    TRACK_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_FIELD_NUMBER: _ClassVar[int]
    CODES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    BILLED_AT_FIELD_NUMBER: _ClassVar[int]
    BILLED_BY_FIELD_NUMBER: _ClassVar[int]
    CONFLICT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    patient_id: str
    track: str
    period_start: str
    period_end: str
    codes: _containers.RepeatedCompositeFieldContainer[CodeUnits]
    status: str
    quantity: int
    evidence: _containers.RepeatedCompositeFieldContainer[CountedDay]
    billed_at: str
    billed_by: str
    conflict: str
    updated_at: str
    def __init__(self, record_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., track: _Optional[str] = ..., period_start: _Optional[str] = ..., period_end: _Optional[str] = ..., codes: _Optional[_Iterable[_Union[CodeUnits, _Mapping]]] = ..., status: _Optional[str] = ..., quantity: _Optional[int] = ..., evidence: _Optional[_Iterable[_Union[CountedDay, _Mapping]]] = ..., billed_at: _Optional[str] = ..., billed_by: _Optional[str] = ..., conflict: _Optional[str] = ..., updated_at: _Optional[str] = ...) -> None: ...

class ListBillingRecordsRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class ListBillingRecordsResponse(_message.Message):
    __slots__ = ("records",)
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[BillingRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[BillingRecord, _Mapping]]] = ...) -> None: ...

class GetProgressBoardRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PatientEngagement(_message.Message):
    __slots__ = ("patient_id", "display_name", "status", "days_remaining", "days_needed", "data_days", "window_index", "window_start", "window_end", "local_date")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DAYS_REMAINING_FIELD_NUMBER: _ClassVar[int]
    DAYS_NEEDED_FIELD_NUMBER: _ClassVar[int]
    DATA_DAYS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_INDEX_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    display_name: str
    status: str
    days_remaining: int
    days_needed: int
    data_days: int
    window_index: int
    window_start: str
    window_end: str
    local_date: str
    def __init__(self, patient_id: _Optional[str] = ..., display_name: _Optional[str] = ..., status: _Optional[str] = ..., days_remaining: _Optional[int] = ..., days_needed: _Optional[int] = ..., data_days: _Optional[int] = ..., window_index: _Optional[int] = ..., window_start: _Optional[str] = ..., window_end: _Optional[str] = ..., local_date: _Optional[str] = ...) -> None: ...

class ProgressBoard(_message.Message):
    __slots__ = ("patients",)
    PATIENTS_FIELD_NUMBER: _ClassVar[int]
    patients: _containers.RepeatedCompositeFieldContainer[PatientEngagement]
    def __init__(self, patients: _Optional[_Iterable[_Union[PatientEngagement, _Mapping]]] = ...) -> None: ...

class BillingRecordActionRequest(_message.Message):
    __slots__ = ("record_id",)
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    def __init__(self, record_id: _Optional[str] = ...) -> None: ...
