"""Who is calling: set by the gateway as gRPC metadata, read by one server interceptor."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass

from services.common.errors import PermissionDenied, Unauthenticated

ROLES = ("patient", "therapist", "admin")
# Background work of one service calling another (a finalizer asking plans for a mirror workout).
# The gateway never issues it: tokens carry only ROLES.
SERVICE_ROLE = "service"
SERVICE_USER_ID = uuid.UUID(int=0)


@dataclass(frozen=True)
class Identity:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    request_id: str

    def to_metadata(self) -> tuple[tuple[str, str], ...]:
        return (
            ("x-tenant-id", str(self.tenant_id)),
            ("x-user-id", str(self.user_id)),
            ("x-role", self.role),
            ("x-request-id", self.request_id),
        )

    def require_role(self, *roles: str) -> None:
        if self.role not in roles:
            raise PermissionDenied(f"role {self.role!r} may not do this; needs {' or '.join(roles)}")


_current: contextvars.ContextVar[Identity | None] = contextvars.ContextVar("identity", default=None)
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def identity_from_metadata(metadata: dict[str, str]) -> Identity | None:
    tenant, user, role = metadata.get("x-tenant-id"), metadata.get("x-user-id"), metadata.get("x-role")
    if not (tenant and user and role):
        return None
    if role not in ROLES and role != SERVICE_ROLE:
        raise Unauthenticated(f"unknown role {role!r}")
    try:
        return Identity(uuid.UUID(tenant), uuid.UUID(user), role, metadata.get("x-request-id") or new_request_id())
    except ValueError as exc:
        raise Unauthenticated("malformed identity metadata") from exc


def service_identity(tenant_id: uuid.UUID, request_id: str | None = None) -> Identity:
    return Identity(tenant_id, SERVICE_USER_ID, SERVICE_ROLE, request_id or new_request_id())


def new_request_id() -> str:
    return uuid.uuid4().hex


def set_current(identity: Identity | None, request_id: str | None) -> None:
    _current.set(identity)
    _request_id.set(request_id)


def current() -> Identity:
    """The caller of this RPC; fails closed when the gateway sent none."""
    identity = _current.get()
    if identity is None:
        raise Unauthenticated("this call needs caller identity metadata (x-tenant-id, x-user-id, x-role)")
    return identity


def current_or_none() -> Identity | None:
    return _current.get()


def current_request_id() -> str | None:
    return _request_id.get()
