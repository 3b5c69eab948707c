"""Clinic administration: feature flags per clinic."""

from __future__ import annotations

from fastapi import Depends, Path, Request

from momentum.plans.v1 import plans_pb2
from services.common.identity import Identity
from services.gateway import plans_replies
from services.gateway.routing import admin, api_router
from services.gateway.schemas.clinic_admin import FeatureFlagBody, FeatureFlagsReply

router = api_router("clinic administration")


@router.get("/v1/admin/feature-flags", response_model=FeatureFlagsReply, operation_id="getFeatureFlags")
async def get_feature_flags(request: Request, caller: Identity = Depends(admin)) -> FeatureFlagsReply:
    """The caller's clinic: its feature flags (appEntranceTracking, rtmBilling) and RTM qualifying policy."""
    clients = request.app.state.clients
    reply = await clients.call(clients.plans.GetFeatureFlags, plans_pb2.GetFeatureFlagsRequest(), caller)
    return plans_replies.flags(reply)


@router.put("/v1/admin/feature-flags/{flag}", response_model=FeatureFlagsReply, operation_id="setFeatureFlag")
async def set_feature_flag(
    body: FeatureFlagBody,
    request: Request,
    flag: str = Path(min_length=1, max_length=64),
    caller: Identity = Depends(admin),
) -> FeatureFlagsReply:
    """Turns one feature flag of the caller's clinic on or off; entrances sees it within MOMENTUM_FLAG_CACHE_SECONDS (5 s)."""
    clients = request.app.state.clients
    reply = await clients.call(
        clients.plans.SetFeatureFlag, plans_pb2.SetFeatureFlagRequest(flag=flag, enabled=body.enabled), caller
    )
    return plans_replies.flags(reply)
