"""HTTP bodies of the operations routes the app itself serves (liveness, readiness)."""

from __future__ import annotations

from pydantic import BaseModel


class HealthReply(BaseModel):
    status: str
    dependencies: dict[str, str]


class LiveReply(BaseModel):
    status: str
