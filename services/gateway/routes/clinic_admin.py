"""Clinic administration: feature flags per clinic."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request

from momentum.plans.v1 import plans_pb2
from services.common.identity import Identity
from services.gateway.auth import require_role
from services.gateway.errors import ERROR_RESPONSES
from services.gateway.schemas import FeatureFlagBody, FeatureFlagsReply

router = APIRouter(tags=["clinic administration"], responses=ERROR_RESPONSES)
admin = require_role("admin")


@router.get("/v1/admin/feature-flags", response_model=FeatureFlagsReply)
async def get_feature_flags(request: Request, caller: Identity = Depends(admin)) -> FeatureFlagsReply:
    clients = request.app.state.clients
    reply = await clients.call(clients.plans.GetFeatureFlags, plans_pb2.GetFeatureFlagsRequest(), caller)
    return FeatureFlagsReply(flags=dict(reply.flags), rtmQualifyingPolicy=reply.rtm_qualifying_policy)


@router.put("/v1/admin/feature-flags/{flag}", response_model=FeatureFlagsReply)
async def set_feature_flag(
    body: FeatureFlagBody,
    request: Request,
    flag: str = Path(min_length=1, max_length=64),
    caller: Identity = Depends(admin),
) -> FeatureFlagsReply:
    clients = request.app.state.clients
    reply = await clients.call(
        clients.plans.SetFeatureFlag, plans_pb2.SetFeatureFlagRequest(flag=flag, enabled=body.enabled), caller
    )
    return FeatureFlagsReply(flags=dict(reply.flags), rtmQualifyingPolicy=reply.rtm_qualifying_policy)
