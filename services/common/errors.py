"""Domain errors and the one table that maps them to gRPC status codes."""

from __future__ import annotations

import grpc


class DomainError(Exception):
    """A rule of the clinic was broken by the request; never a bug of ours."""

    status = grpc.StatusCode.FAILED_PRECONDITION

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(DomainError):
    status = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class NotFound(DomainError):
    status = grpc.StatusCode.NOT_FOUND


class PermissionDenied(DomainError):
    status = grpc.StatusCode.PERMISSION_DENIED


class Unauthenticated(DomainError):
    status = grpc.StatusCode.UNAUTHENTICATED


class Conflict(DomainError):
    status = grpc.StatusCode.ALREADY_EXISTS


class RuleViolation(DomainError):
    status = grpc.StatusCode.FAILED_PRECONDITION


def status_for(error: DomainError) -> grpc.StatusCode:
    return error.status
