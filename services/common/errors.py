"""Domain errors: what a request did wrong in the clinic's terms; the gRPC mapping lives in grpc_server."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the clinic was broken by the request; never a bug of ours."""

    def __init__(self, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        # A specific snake_case reason a client may branch on (`rtm_billing_disabled`); None leaves the status name.
        self.code = code


class InvalidInput(DomainError):
    def __init__(self, field: str, problem: str, code: str | None = None) -> None:
        super().__init__(f"{field}: {problem}", code)
        self.field = field
        self.problem = problem


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Unauthenticated(DomainError):
    pass


class Conflict(DomainError):
    pass


class RuleViolation(DomainError):
    pass


class Unavailable(DomainError):
    """Something this call needs is away for now (a service, the database); the caller may retry."""


class Aborted(DomainError):
    """The call lost a race it can win on a retry (for example a session owned by another instance)."""
