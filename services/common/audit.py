"""Writes the audit trail row every authenticated mutation leaves in its service's own schema."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text

from services.common.db import UnitOfWork


async def write_audit(
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
