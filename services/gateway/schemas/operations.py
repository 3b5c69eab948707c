"""HTTP bodies of the operations routes the app itself serves (liveness, readiness)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class HealthReply(BaseModel):
    status: Literal["ok", "degraded"]
    dependencies: dict[str, str]


class LiveReply(BaseModel):
    status: Literal["ok"]
