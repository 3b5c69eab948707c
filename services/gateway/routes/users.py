"""The caller's own profile and timezone."""

from __future__ import annotations

from fastapi import Depends, Request

from momentum.plans.v1 import plans_pb2
from services.common.identity import Identity
from services.gateway import plans_replies as reply
from services.gateway.auth import authenticated
from services.gateway.routing import api_router
from services.gateway.schemas.users import TimezoneUpdateBody, TimezoneUpdateReply, UserReply

router = api_router("users")


@router.get("/v2/user/me", response_model=UserReply, operation_id="getMe")
async def get_me(request: Request, caller: Identity = Depends(authenticated)) -> UserReply:
    """The caller: their id, role, clinic and effective timezone."""
    clients = request.app.state.clients
    return reply.user(await clients.call(clients.plans.GetMe, plans_pb2.GetMeRequest(), caller))


@router.post("/v2/user/auto-update-timezone", response_model=TimezoneUpdateReply, operation_id="updateMyTimezone")
async def auto_update_timezone(
    body: TimezoneUpdateBody, request: Request, caller: Identity = Depends(authenticated)
) -> TimezoneUpdateReply:
    """Stores the IANA zone the app detected on the device; an unknown zone is a 400 naming it."""
    clients = request.app.state.clients
    updated = await clients.call(
        clients.plans.UpdateMyTimezone, plans_pb2.UpdateMyTimezoneRequest(timezone=body.timezone), caller
    )
    return TimezoneUpdateReply(
        timezone=updated.timezone, previousTimezone=updated.previous_timezone or None, changed=updated.changed
    )
