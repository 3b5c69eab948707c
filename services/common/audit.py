"""Writes the audit trail row every authenticated mutation leaves in its service's own schema."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from services.common.db import UnitOfWork

if TYPE_CHECKING:
    from services.common.identity import Identity


async def _write(
    uow: UnitOfWork, tenant_id: uuid.UUID, actor_user_id: uuid.UUID, actor_role: str, action: str,
    entity_type: str, entity_id: str, request_id: str | None, details: dict[str, Any], at: datetime,
) -> None:
    """In the caller's transaction: the change and its trail commit or vanish together."""
    await uow.execute(
        text(
            f"INSERT INTO {uow.schema}.audit_log (tenant_id, actor_user_id, actor_role, action, entity_type, entity_id, "
            "request_id, details, occurred_at) VALUES (:tenant_id, :actor, :role, :action, :etype, :eid, :rid, "
            "CAST(:details AS jsonb), :at)"
        ),
        {
            "tenant_id": tenant_id, "actor": actor_user_id, "role": actor_role, "action": action, "etype": entity_type,
            "eid": entity_id, "rid": request_id, "details": json.dumps(details, default=str), "at": at,
        },
    )


async def audit(
    uow: UnitOfWork, who: "Identity", action: str, entity_type: str, entity_id: str, at: datetime,
    *, request_id: str | None = None, **details: Any,
) -> None:
    """The one audit entry point: who did it (service work passes service_identity(tenant)) and what."""
    from services.common.identity import current_request_id

    await _write(
        uow, who.tenant_id, who.user_id, who.role, action, entity_type, entity_id,
        request_id or who.request_id or current_request_id(), details, at,
    )
