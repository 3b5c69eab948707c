from momentum.plans.v1 import analytics_pb2 as _analytics_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListRosterRequest(_message.Message):
    __slots__ = ("limit", "cursor", "search", "assigned_to_me", "plan_status", "rtm_status", "has_alerts", "sort")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_TO_ME_FIELD_NUMBER: _ClassVar[int]
    PLAN_STATUS_FIELD_NUMBER: _ClassVar[int]
    RTM_STATUS_FIELD_NUMBER: _ClassVar[int]
    HAS_ALERTS_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    cursor: str
    search: str
    assigned_to_me: bool
    plan_status: str
    rtm_status: str
    has_alerts: bool
    sort: str
    def __init__(self, limit: _Optional[int] = ..., cursor: _Optional[str] = ..., search: _Optional[str] = ..., assigned_to_me: _Optional[bool] = ..., plan_status: _Optional[str] = ..., rtm_status: _Optional[str] = ..., has_alerts: _Optional[bool] = ..., sort: _Optional[str] = ...) -> None: ...

class RosterAlert(_message.Message):
    __slots__ = ("kind", "detail")
    KIND_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    kind: str
    detail: str
    def __init__(self, kind: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class RosterPlan(_message.Message):
    __slots__ = ("plan_id", "title", "status", "start_date", "end_date", "sessions_completed", "sessions_planned", "frequency_per_week")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_PLANNED_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_PER_WEEK_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    title: str
    status: str
    start_date: str
    end_date: str
    sessions_completed: int
    sessions_planned: int
    frequency_per_week: int
    def __init__(self, plan_id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., start_date: _Optional[str] = ..., end_date: _Optional[str] = ..., sessions_completed: _Optional[int] = ..., sessions_planned: _Optional[int] = ..., frequency_per_week: _Optional[int] = ...) -> None: ...

class RosterRow(_message.Message):
    __slots__ = ("patient_id", "display_name", "timezone", "local_date", "therapist_id", "therapist_name", "plan", "adherence_7d", "adherence_30d", "last_activity_at", "rtm_status", "rtm_period_start", "rtm_period_end", "rtm_data_days", "rtm_minutes", "alerts")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    LOCAL_DATE_FIELD_NUMBER: _ClassVar[int]
    THERAPIST_ID_FIELD_NUMBER: _ClassVar[int]
    THERAPIST_NAME_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    ADHERENCE_7D_FIELD_NUMBER: _ClassVar[int]
    ADHERENCE_30D_FIELD_NUMBER: _ClassVar[int]
    LAST_ACTIVITY_AT_FIELD_NUMBER: _ClassVar[int]
    RTM_STATUS_FIELD_NUMBER: _ClassVar[int]
    RTM_PERIOD_START_FIELD_NUMBER: _ClassVar[int]
    RTM_PERIOD_END_FIELD_NUMBER: _ClassVar[int]
    RTM_DATA_DAYS_FIELD_NUMBER: _ClassVar[int]
    RTM_MINUTES_FIELD_NUMBER: _ClassVar[int]
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    display_name: str
    timezone: str
    local_date: str
    therapist_id: str
    therapist_name: str
    plan: RosterPlan
    adherence_7d: float
    adherence_30d: float
    last_activity_at: str
    rtm_status: str
    rtm_period_start: str
    rtm_period_end: str
    rtm_data_days: int
    rtm_minutes: int
    alerts: _containers.RepeatedCompositeFieldContainer[RosterAlert]
    def __init__(self, patient_id: _Optional[str] = ..., display_name: _Optional[str] = ..., timezone: _Optional[str] = ..., local_date: _Optional[str] = ..., therapist_id: _Optional[str] = ..., therapist_name: _Optional[str] = ..., plan: _Optional[_Union[RosterPlan, _Mapping]] = ..., adherence_7d: _Optional[float] = ..., adherence_30d: _Optional[float] = ..., last_activity_at: _Optional[str] = ..., rtm_status: _Optional[str] = ..., rtm_period_start: _Optional[str] = ..., rtm_period_end: _Optional[str] = ..., rtm_data_days: _Optional[int] = ..., rtm_minutes: _Optional[int] = ..., alerts: _Optional[_Iterable[_Union[RosterAlert, _Mapping]]] = ...) -> None: ...

class RosterPage(_message.Message):
    __slots__ = ("patients", "next_cursor")
    PATIENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    patients: _containers.RepeatedCompositeFieldContainer[RosterRow]
    next_cursor: str
    def __init__(self, patients: _Optional[_Iterable[_Union[RosterRow, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetPatientSummaryRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class ListPatientPlansRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class PatientPlans(_message.Message):
    __slots__ = ("plans",)
    PLANS_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[RosterPlan]
    def __init__(self, plans: _Optional[_Iterable[_Union[RosterPlan, _Mapping]]] = ...) -> None: ...

class ListClinicRecordsRequest(_message.Message):
    __slots__ = ("limit", "cursor", "status", "code", "period_from", "period_to", "therapist_id", "omit_evidence")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FROM_FIELD_NUMBER: _ClassVar[int]
    PERIOD_TO_FIELD_NUMBER: _ClassVar[int]
    THERAPIST_ID_FIELD_NUMBER: _ClassVar[int]
    OMIT_EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    limit: int
    cursor: str
    status: str
    code: str
    period_from: str
    period_to: str
    therapist_id: str
    omit_evidence: bool
    def __init__(self, limit: _Optional[int] = ..., cursor: _Optional[str] = ..., status: _Optional[str] = ..., code: _Optional[str] = ..., period_from: _Optional[str] = ..., period_to: _Optional[str] = ..., therapist_id: _Optional[str] = ..., omit_evidence: _Optional[bool] = ...) -> None: ...

class ClinicRecord(_message.Message):
    __slots__ = ("record", "patient_name", "therapist_id")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    PATIENT_NAME_FIELD_NUMBER: _ClassVar[int]
    THERAPIST_ID_FIELD_NUMBER: _ClassVar[int]
    record: _analytics_pb2.BillingRecord
    patient_name: str
    therapist_id: str
    def __init__(self, record: _Optional[_Union[_analytics_pb2.BillingRecord, _Mapping]] = ..., patient_name: _Optional[str] = ..., therapist_id: _Optional[str] = ...) -> None: ...

class ClinicRecordsPage(_message.Message):
    __slots__ = ("records", "next_cursor")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[ClinicRecord]
    next_cursor: str
    def __init__(self, records: _Optional[_Iterable[_Union[ClinicRecord, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class MarkRecordsBilledRequest(_message.Message):
    __slots__ = ("record_ids",)
    RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    record_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, record_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class MarkRecordsBilledResponse(_message.Message):
    __slots__ = ("records",)
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[_analytics_pb2.BillingRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[_analytics_pb2.BillingRecord, _Mapping]]] = ...) -> None: ...
