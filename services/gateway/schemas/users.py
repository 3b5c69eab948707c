"""HTTP bodies of the caller's own profile and timezone, and of a person of the clinic."""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.gateway.schemas.base import StrictBody, UuidText, example


class TimezoneUpdateBody(StrictBody):
    model_config = example(timezone="Europe/Madrid")
    timezone: str = Field(min_length=1, max_length=64, examples=["Europe/Madrid"], description="IANA timezone name")


class TimezoneUpdateReply(BaseModel):
    timezone: str
    previousTimezone: str | None
    changed: bool


class UserReply(BaseModel):
    """A patient, therapist or admin as the clinic knows them: the caller's own profile, or one of a list."""

    userId: UuidText
    tenantId: UuidText
    role: str
    displayName: str
    timezone: str | None
    effectiveTimezone: str
