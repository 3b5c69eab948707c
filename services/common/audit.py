"""Writes the audit trail row every authenticated mutation leaves in its service's own schema."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from services.common.db import UnitOfWork

if TYPE_CHECKING:
    from services.common.identity import Identity


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit trail, before it is written: who did what to which entity, and when."""

    tenant_id: uuid.UUID
    actor_user_id: uuid.UUID
    actor_role: str
    action: str
    entity_type: str
    entity_id: str
    request_id: str | None
    details: dict[str, Any]
    at: datetime


def audit_entry(
    who: "Identity", action: str, entity_type: str, entity_id: str, at: datetime,
    *, request_id: str | None = None, **details: Any,
) -> AuditEntry:
    """The entry `audit` writes; service work passes service_identity(tenant) as `who`."""
    from services.common.identity import current_request_id

    return AuditEntry(
        who.tenant_id, who.user_id, who.role, action, entity_type, entity_id,
        request_id or who.request_id or current_request_id(), details, at,
    )


def audit_statement(schema: str, entry: AuditEntry) -> tuple[str, dict[str, Any]]:
    """The INSERT of an entry and its parameters (all named audit_*), for a repository that folds it
    into a larger statement on a hot path; everyone else calls `audit`."""
    sql = (
        f"INSERT INTO {schema}.audit_log (tenant_id, actor_user_id, actor_role, action, entity_type, entity_id, "
        "request_id, details, occurred_at) VALUES (:audit_tenant, :audit_actor, :audit_role, :audit_action, "
        ":audit_etype, :audit_eid, :audit_rid, CAST(:audit_details AS jsonb), :audit_at)"
    )
    params = {
        "audit_tenant": entry.tenant_id, "audit_actor": entry.actor_user_id, "audit_role": entry.actor_role,
        "audit_action": entry.action, "audit_etype": entry.entity_type, "audit_eid": entry.entity_id,
        "audit_rid": entry.request_id, "audit_details": json.dumps(entry.details, default=str),
        "audit_at": entry.at,
    }
    return sql, params


async def audit(
    uow: UnitOfWork, who: "Identity", action: str, entity_type: str, entity_id: str, at: datetime,
    *, request_id: str | None = None, **details: Any,
) -> None:
    """The one audit entry point: who did it (service work passes service_identity(tenant)) and what.
    In the caller's transaction: the change and its trail commit or vanish together."""
    entry = audit_entry(who, action, entity_type, entity_id, at, request_id=request_id, **details)
    sql, params = audit_statement(uow.schema, entry)
    await uow.execute(text(sql), params)
