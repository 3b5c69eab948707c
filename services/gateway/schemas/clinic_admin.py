"""HTTP bodies of clinic administration: feature flags and the RTM qualifying policy."""

from __future__ import annotations

from pydantic import BaseModel, StrictBool

from services.gateway.schemas.base import StrictBody, example


class FeatureFlagBody(StrictBody):
    model_config = example(enabled=True)
    enabled: StrictBool


class FeatureFlagsReply(BaseModel):
    flags: dict[str, bool]
    rtmQualifyingPolicy: str = "activity_days"
