"""HTTP errors of the gateway: one body shape, and gRPC status codes mapped per google/rpc/code.proto."""

from __future__ import annotations

import grpc
from pydantic import BaseModel

# google/rpc/code.proto documents the HTTP mapping of each canonical code.
GRPC_TO_HTTP: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
    grpc.StatusCode.UNAUTHENTICATED: 401,
}


MAX_DETAIL = 300


class ErrorBody(BaseModel):
    error: str
    detail: str


# Seconds an app waits before retrying a 503 when the service gave no hint of its own.
DEFAULT_RETRY_AFTER_SECONDS = 1
# The trailing metadata key services.common.grpc_server sets on UNAVAILABLE.
RETRY_AFTER_KEY = "retry-after-seconds"


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        if status == 503 and not (headers and "Retry-After" in headers):
            # Every 503 tells the app when to come back: an outage is temporary by definition.
            headers = {**(headers or {}), "Retry-After": str(DEFAULT_RETRY_AFTER_SECONDS)}
        self.headers = headers or {}


def retry_after(exc: grpc.aio.AioRpcError) -> str:
    """The service's hint (trailing metadata) in whole seconds, else the default."""
    for key, value in exc.trailing_metadata() or ():
        if key == RETRY_AFTER_KEY and isinstance(value, str) and value.isdigit() and 0 < int(value) <= 600:
            return value
    return str(DEFAULT_RETRY_AFTER_SECONDS)


def from_grpc(exc: grpc.aio.AioRpcError) -> ApiError:
    code = exc.code()
    if code == grpc.StatusCode.CANCELLED:
        # The gateway never cancels its own calls: a CANCELLED comes from a service shutting down
        # under the call (before its handler ran), which the app should simply retry.
        return ApiError(503, "unavailable", "service restarting; retry", {"Retry-After": retry_after(exc)})
    # A service's detail may quote what it was sent; the caller gets the start of it, never a megabyte back.
    detail = (exc.details() or code.name.lower())[:MAX_DETAIL]
    status = GRPC_TO_HTTP.get(code, 500)
    return ApiError(status, code.name.lower(), detail, {"Retry-After": retry_after(exc)} if status == 503 else None)


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "The request breaks a rule; `detail` names the field",
        401: "Missing, malformed, expired or foreign token",
        403: "The caller's role or identity may not do this",
        404: "No such resource visible to the caller",
        409: "Conflicts with what is already there: submitted before, a key reused, a session already ended",
        413: "Body too large",
        422: "The body or a parameter does not match the schema; `detail` names it",
        503: "A service behind the gateway is unavailable",
        504: "A service behind the gateway did not answer in time",
    }.items()
}
