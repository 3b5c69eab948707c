"""HTTP errors of the gateway: one body shape, and gRPC status codes mapped per google/rpc/code.proto."""

from __future__ import annotations

from typing import Any, Iterable

import grpc
from pydantic import BaseModel, Field

from services.common.errors import InvalidInput

# google/rpc/code.proto documents the HTTP mapping of each canonical code.
GRPC_TO_HTTP: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    # One status for every validation failure, the schema's (FastAPI) or a service's domain rule: 422.
    grpc.StatusCode.INVALID_ARGUMENT: 422,
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


class FieldError(BaseModel):
    field: str = Field(description="the field as the client named it, dotted for nesting: `painBefore`, "
                       "`exercises.0.exerciseId`, a query parameter's or a path parameter's name")
    message: str = Field(description="what is wrong with it, in words a form can show next to the field")


class ErrorBody(BaseModel):
    error: str = Field(description="a snake_case code a client may branch on: `invalid_argument`, `not_found`, "
                       "`unauthenticated`, `permission_denied`, `unavailable`, or a specific reason such as "
                       "`rtm_billing_disabled`")
    detail: str = Field(description="what is wrong, for a developer")
    errors: list[FieldError] = Field(default_factory=list, description="each field at fault (validation failures)")


def field_errors(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"field": field, "message": message} for field, message in pairs]


# Seconds an app waits before retrying a 503 when the service gave no hint of its own.
DEFAULT_RETRY_AFTER_SECONDS = 1
# The trailing metadata key services.common.grpc_server sets on UNAVAILABLE.
RETRY_AFTER_KEY = "retry-after-seconds"
# The trailing metadata keys services.common.grpc_server sets on a refused call: a specific code, the field at fault.
ERROR_CODE_KEY = "momentum-error-code"
ERROR_FIELD_KEY = "momentum-error-field"


class ApiError(Exception):
    def __init__(
        self, status: int, error: str, detail: str, headers: dict[str, str] | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.errors = errors or []
        if status == 503 and not (headers and "Retry-After" in headers):
            # Every 503 tells the app when to come back: an outage is temporary by definition.
            headers = {**(headers or {}), "Retry-After": str(DEFAULT_RETRY_AFTER_SECONDS)}
        self.headers = headers or {}


    def body(self) -> dict[str, Any]:
        return {"error": self.error, "detail": self.detail, "errors": self.errors}


def invalid(exc: InvalidInput) -> ApiError:
    """The 422 of an input the gateway itself found invalid, naming its field."""
    return ApiError(422, exc.code or "invalid_argument", exc.detail, errors=field_errors([(exc.field, exc.problem)]))


def invalid_field(field: str, problem: str) -> ApiError:
    return invalid(InvalidInput(field, problem))


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
    trailing = {key: value for key, value in (exc.trailing_metadata() or ()) if isinstance(value, str)}
    return refused(code, exc.details() or "", trailing.get(ERROR_CODE_KEY), trailing.get(ERROR_FIELD_KEY), retry_after(exc))


def refused(
    code: grpc.StatusCode, details: str, error_code: str | None, field: str | None, retry_after_seconds: str
) -> ApiError:
    """A service's refusal, from a call's status and trailing metadata or from an ack of a stream that carries them."""
    # A service's detail may quote what it was sent; the caller gets the start of it, never a megabyte back.
    detail = (details or code.name.lower())[:MAX_DETAIL]
    status = GRPC_TO_HTTP.get(code, 500)
    # The service's specific reason when it knows one (`rtm_billing_disabled`), else the status code's name.
    error = error_code or code.name.lower()
    errors: list[dict[str, str]] = []
    if field:
        message = detail[len(field) + 2:] if detail.startswith(f"{field}: ") else detail
        errors = field_errors([(field, message)])
    return ApiError(status, error, detail, {"Retry-After": retry_after_seconds} if status == 503 else None, errors)


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "The body is not standard JSON (`detail` starts with `body:`), or the current state refuses the request: "
             "`error` names the reason where the service knows it (`rtm_billing_disabled`, `plan_closed`, ...), "
             "or a query parameter the route does not take (`unknown_query_parameter`, `errors` names each)",
        401: "Missing, malformed, expired or foreign token",
        403: "The caller's role or identity may not do this",
        404: "No such resource visible to the caller",
        409: "Conflicts with what is already there: submitted before, a key reused, a session already ended",
        413: "Body too large",
        422: "Validation failed, the schema's or a domain rule's: `errors` names each field, `detail` says it in words",
        503: "A service behind the gateway is unavailable",
        504: "A service behind the gateway did not answer in time",
    }.items()
}
