"""Request and response bodies of the HTTP API (pydantic)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator


def unstorable_text(value: Any, where: str = "") -> str | None:
    """Where in a JSON value a string holds a NUL or an unpaired surrogate, or None. Neither can be
    stored (Postgres text and jsonb refuse NUL) nor sent to a service (protobuf strings are UTF-8)."""
    if isinstance(value, str):
        if "\x00" in value:
            return f"{where or 'body'}: must not contain NUL characters"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{where or 'body'}: must be valid Unicode (an unpaired surrogate was sent)"
        return None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        name = f"{where}.{key}" if where and isinstance(key, str) else f"{where}[{key}]" if where else str(key)
        problem = unstorable_text(key, name) if isinstance(key, str) else None
        problem = problem or unstorable_text(item, name)
        if problem:
            return problem
    return None


class StrictBody(BaseModel):
    # Unknown fields are an error, not silently dropped: a typo in a client must be visible.
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        problem = unstorable_text(data)
        if problem:
            raise ValueError(problem)
        return data


class TimezoneUpdateBody(StrictBody):
    timezone: str = Field(min_length=1, max_length=64, examples=["Europe/Madrid"], description="IANA timezone name")


class TimezoneUpdateReply(BaseModel):
    timezone: str
    previousTimezone: str | None
    changed: bool


class UserProfileReply(BaseModel):
    userId: str
    tenantId: str
    role: str
    displayName: str
    timezone: str | None
    effectiveTimezone: str


class HealthReply(BaseModel):
    status: str
    dependencies: dict[str, str]


class FeatureFlagBody(StrictBody):
    enabled: StrictBool


class FeatureFlagsReply(BaseModel):
    flags: dict[str, bool]
    rtmQualifyingPolicy: str = "activity_days"
