"""Request and response bodies of the HTTP API (pydantic)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class StrictBody(BaseModel):
    # Unknown fields are an error, not silently dropped: a typo in a client must be visible.
    model_config = ConfigDict(extra="forbid")


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
