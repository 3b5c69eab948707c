"""HTTP bodies of clinic administration: feature flags and the RTM qualifying policy."""

from __future__ import annotations

from pydantic import BaseModel, StrictBool

from services.gateway.schemas.base import StrictBody


class FeatureFlagBody(StrictBody):
    enabled: StrictBool


class FeatureFlagsReply(BaseModel):
    flags: dict[str, bool]
    rtmQualifyingPolicy: str = "activity_days"
