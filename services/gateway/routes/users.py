"""The caller's own profile and timezone."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from momentum.plans.v1 import plans_pb2
from services.common.identity import Identity
from services.gateway.auth import authenticated
from services.gateway.errors import ERROR_RESPONSES
from services.gateway.schemas import TimezoneUpdateBody, TimezoneUpdateReply, UserProfileReply

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)


@router.get("/v2/user/me", response_model=UserProfileReply)
async def get_me(request: Request, caller: Identity = Depends(authenticated)) -> UserProfileReply:
    clients = request.app.state.clients
    profile = await clients.call(clients.plans.GetMe, plans_pb2.GetMeRequest(), caller)
    return UserProfileReply(
        userId=profile.user_id,
        tenantId=profile.tenant_id,
        role=profile.role,
        displayName=profile.display_name,
        timezone=profile.timezone or None,
        effectiveTimezone=profile.effective_timezone,
    )


@router.post("/v2/user/auto-update-timezone", response_model=TimezoneUpdateReply)
async def auto_update_timezone(
    body: TimezoneUpdateBody, request: Request, caller: Identity = Depends(authenticated)
) -> TimezoneUpdateReply:
    """Stores the IANA zone the app detected on the device; an unknown zone is a 400 naming it."""
    clients = request.app.state.clients
    reply = await clients.call(
        clients.plans.UpdateMyTimezone, plans_pb2.UpdateMyTimezoneRequest(timezone=body.timezone), caller
    )
    return TimezoneUpdateReply(
        timezone=reply.timezone, previousTimezone=reply.previous_timezone or None, changed=reply.changed
    )
