"""HTTP bodies of clinic administration: feature flags and the RTM qualifying policy."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictBool

from services.gateway.schemas.base import StrictBody, example


class FeatureFlagBody(StrictBody):
    model_config = example(enabled=True)
    enabled: StrictBool


class FeatureFlagsReply(BaseModel):
    flags: dict[str, bool]
    rtmQualifyingPolicy: Literal["activity_days", "access_days"] = Field(
        default="activity_days",
        description="what makes an RTM data day: activity_days (a completed workout or exercise session), access_days (also an app visit)",
    )
