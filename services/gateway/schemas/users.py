"""HTTP bodies of the caller's own profile and timezone, and of a person of the clinic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictBool

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


UserRole = Literal["patient", "therapist", "admin"]


class ClinicUserReply(BaseModel):
    """A person of the clinic as its admin manages them: a deactivated one can no longer sign in."""

    userId: UuidText
    role: UserRole
    displayName: str
    timezone: str | None = Field(description="the user's own IANA zone; null until one is reported")
    active: bool


class ClinicUserListReply(BaseModel):
    users: list[ClinicUserReply]


class UserAccessBody(StrictBody):
    model_config = example(active=False)
    active: StrictBool = Field(description="false deactivates: the gateway refuses the user's tokens within its identity cache TTL (30 s)")
