"""Clinic administration: feature flags per clinic, and the clinic's people (listed, deactivated)."""

from __future__ import annotations

from fastapi import Depends, Path, Query, Request

from momentum.plans.v1 import plans_pb2
from services.common.identity import Identity
from services.gateway import plans_replies
from services.gateway.routing import admin, api_router, errors, id_path, only_query, path_id
from services.gateway.schemas.clinic_admin import FeatureFlagBody, FeatureFlagsReply
from services.gateway.schemas.users import ClinicUserListReply, ClinicUserReply, UserAccessBody, UserRole

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


@router.get("/v1/users", response_model=ClinicUserListReply, operation_id="listUsers")
async def list_users(
    request: Request,
    role: UserRole | None = Query(default=None, description="only people of this role; absent: everyone"),
    caller: Identity = Depends(admin),
    _known: None = only_query("role"),
) -> ClinicUserListReply:
    """The clinic's people (therapists, patients, admins) by role then name, deactivated ones included with active false."""
    clients = request.app.state.clients
    found = await clients.call(clients.plans.ListUsers, plans_pb2.ListUsersRequest(role=role or ""), caller)
    return ClinicUserListReply(users=[plans_replies.clinic_user(u) for u in found.users])


@router.patch("/v1/users/{user_id}", response_model=ClinicUserReply, operation_id="setUserActive", responses=errors(400))
async def set_user_active(
    body: UserAccessBody, request: Request, user_id: str = id_path(), caller: Identity = Depends(admin)
) -> ClinicUserReply:
    """Deactivates (active false) or reactivates someone of the clinic; their tokens and browser sessions are refused
    within MOMENTUM_IDENTITY_CACHE_SECONDS. An admin cannot deactivate themselves (400 cannot_deactivate_self)."""
    clients = request.app.state.clients
    asked = plans_pb2.SetUserActiveRequest(user_id=path_id("userId", user_id), active=body.active)
    return plans_replies.clinic_user(await clients.call(clients.plans.SetUserActive, asked, caller))
