import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

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

class FeatureFlags(_message.Message):
    __slots__ = ("flags",)
    class FlagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bool
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bool] = ...) -> None: ...
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    flags: _containers.ScalarMap[str, bool]
    def __init__(self, flags: _Optional[_Mapping[str, bool]] = ...) -> None: ...

class GetMeRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UserProfile(_message.Message):
    __slots__ = ("user_id", "tenant_id", "role", "display_name", "timezone", "effective_timezone")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    tenant_id: str
    role: str
    display_name: str
    timezone: str
    effective_timezone: str
    def __init__(self, user_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., role: _Optional[str] = ..., display_name: _Optional[str] = ..., timezone: _Optional[str] = ..., effective_timezone: _Optional[str] = ...) -> None: ...

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

class GetPatientContextRequest(_message.Message):
    __slots__ = ("patient_id",)
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    def __init__(self, patient_id: _Optional[str] = ...) -> None: ...

class PatientContext(_message.Message):
    __slots__ = ("patient_id", "tenant_id", "timezone", "feature_flags", "fetched_at")
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
    patient_id: str
    tenant_id: str
    timezone: str
    feature_flags: _containers.ScalarMap[str, bool]
    fetched_at: _timestamp_pb2.Timestamp
    def __init__(self, patient_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., timezone: _Optional[str] = ..., feature_flags: _Optional[_Mapping[str, bool]] = ..., fetched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
