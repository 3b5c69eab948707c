"""gRPC server bootstrap: health, reflection, one interceptor for service authentication, identity,
request id and domain errors, and a graceful stop (NOT_SERVING first, then drain)."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, Iterable, Mapping

import grpc
import structlog
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from services.common.db import database_unavailable
from services.common.grpc_transport import server_credentials
from services.common.errors import (
    Aborted, Conflict, DomainError, InvalidInput, NotFound, PermissionDenied, RuleViolation, Unauthenticated,
    Unavailable,
)
from services.common.grpc_metrics import observe_served
from services.common.identity import SERVICE_ROLE, identity_from_metadata, new_request_id, set_current
from services.common.logging import get_logger
from services.common.service_auth import CallRefused, verify
from services.common.settings import GrpcTls
from services.common.tracing import grpc_server_interceptors

log = get_logger(__name__)

# The one table from the clinic's kinds of error to gRPC status codes (google/rpc/code.proto);
# the gateway maps the codes on to HTTP. A subclass takes its nearest listed ancestor's code.
_STATUS_OF: dict[type[DomainError], grpc.StatusCode] = {
    InvalidInput: grpc.StatusCode.INVALID_ARGUMENT,
    NotFound: grpc.StatusCode.NOT_FOUND,
    PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    Conflict: grpc.StatusCode.ALREADY_EXISTS,
    RuleViolation: grpc.StatusCode.FAILED_PRECONDITION,
    Unavailable: grpc.StatusCode.UNAVAILABLE,
    Aborted: grpc.StatusCode.ABORTED,
    DomainError: grpc.StatusCode.FAILED_PRECONDITION,
}


# Trailing metadata of an UNAVAILABLE: seconds the caller should wait before retrying (the gateway's Retry-After).
RETRY_AFTER_KEY = "retry-after-seconds"
# gRPC's server pushback: a negative value tells the caller's retry policy not to retry this call. An outage
# this server reports (its database, a service it needs) is as true on every instance, so the client answers
# 503 with Retry-After at once; only a refused or vanished connection is retried on the next address.
NO_CLIENT_RETRY = ("grpc-retry-pushback-ms", "-1")
# Trailing metadata of a refused call: the DomainError's specific code, and the field an InvalidInput names, so the
# gateway can answer `rtm_billing_disabled` and let a form highlight `painBefore` instead of parsing the detail.
ERROR_CODE_KEY = "momentum-error-code"
ERROR_FIELD_KEY = "momentum-error-field"


def error_metadata(error: DomainError) -> tuple[tuple[str, str], ...]:
    """The trailing metadata that carries what the status code cannot: the error's code and field (ASCII only)."""
    found: list[tuple[str, str]] = []
    if error.code and error.code.isascii():
        found.append((ERROR_CODE_KEY, error.code))
    field = getattr(error, "field", None)
    if isinstance(field, str) and field and field.isascii() and field.isprintable():
        found.append((ERROR_FIELD_KEY, field[:200]))
    return tuple(found)
DATABASE_RETRY_AFTER_SECONDS = 2
SERVICE_RETRY_AFTER_SECONDS = 1


def _one_line(exc: BaseException) -> str:
    """The exception and its innermost cause as one short line (no traceback: an outage is expected)."""
    inner: BaseException = exc
    for _ in range(20):  # bounded: a chain can loop back on itself
        deeper = inner.__cause__ or inner.__context__
        if deeper is None:
            break
        inner = deeper
    text = f"{type(exc).__name__}: {exc}" if inner is exc else f"{type(exc).__name__} <- {type(inner).__name__}: {inner}"
    return " ".join(text.split())[:300]


def status_for(error: DomainError) -> grpc.StatusCode:
    for kind in type(error).__mro__:
        if kind in _STATUS_OF:
            return _STATUS_OF[kind]  # type: ignore[index]
    return grpc.StatusCode.FAILED_PRECONDITION


def _refusal(handler: grpc.RpcMethodHandler, method: str, reason: str) -> grpc.RpcMethodHandler:
    """A handler that answers UNAUTHENTICATED before the service's own handler could run (nothing is written)."""

    async def refuse(request: Any, context: grpc.aio.ServicerContext) -> Any:
        log.warning("rpc.unauthenticated_caller", rpc=method, reason=reason)
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, f"service authentication failed: {reason}")

    kind = grpc.unary_unary_rpc_method_handler if handler.unary_unary is not None else grpc.stream_stream_rpc_method_handler
    return kind(refuse, request_deserializer=handler.request_deserializer, response_serializer=handler.response_serializer)


class CallContextInterceptor(grpc.aio.ServerInterceptor):
    """Checks the caller's service signature, reads the identity from metadata into a contextvar, and
    turns DomainError into a status code."""

    def __init__(self, service: str, keys: Mapping[str, bytes]) -> None:
        self._service = service
        self._keys = keys

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        # Health and reflection stay open: probes and load balancers carry no key, and neither reads data.
        if handler is None or method.startswith("/grpc."):
            return handler
        if handler.unary_unary is None and handler.stream_stream is None:
            return None  # a client- or server-streaming RPC this interceptor does not wrap must not bypass it (UNIMPLEMENTED)
        metadata = {key: value for key, value in (handler_call_details.invocation_metadata or ()) if isinstance(value, str)}
        try:
            caller = verify(self._keys, self._service, method, metadata)
        except CallRefused as refused:
            return _refusal(handler, method, refused.reason)
        role = metadata.get("x-role")
        if caller.service != "gateway" and role is not None and role != SERVICE_ROLE:
            # Only the gateway, which verified a user's token, speaks for users; services act as `service`.
            return _refusal(handler, method, f"caller {caller.service!r} may not act as role {role!r}")
        if handler.stream_stream is not None:
            return self._stream(handler, method, caller.service, metadata)
        inner = handler.unary_unary

        async def wrapped(request: Any, context: grpc.aio.ServicerContext) -> Any:
            request_id = metadata.get("x-request-id") or new_request_id()
            started = time.perf_counter()
            with structlog.contextvars.bound_contextvars(request_id=request_id, rpc=method, caller=caller.service):
                try:
                    identity = identity_from_metadata(metadata)
                    set_current(identity, request_id)
                    if identity is not None:
                        structlog.contextvars.bind_contextvars(tenant_id=str(identity.tenant_id), role=identity.role)
                    return await inner(request, context)
                except DomainError as exc:
                    status = status_for(exc)
                    if status == grpc.StatusCode.UNAVAILABLE:
                        # Something this call needs (another service, S3) is away: expected, one warning line.
                        log.warning("rpc.dependency_unavailable", detail=exc.detail)
                        await context.abort(
                            status, exc.detail, trailing_metadata=((RETRY_AFTER_KEY, str(SERVICE_RETRY_AFTER_SECONDS)), NO_CLIENT_RETRY)
                        )
                    log.info("rpc.rejected", status=status.name, detail=exc.detail, code=exc.code)
                    await context.abort(status, exc.detail, trailing_metadata=error_metadata(exc))
                except asyncio.CancelledError:
                    raise
                except grpc.aio.AbortError:
                    raise
                except Exception as exc:
                    if database_unavailable(exc):
                        # Postgres refused, dropped or is closed to us: an outage the caller retries, not a
                        # bug. Expected, so one warning line without a traceback. Nothing of the
                        # transaction was committed unless the commit itself was cut off, which the
                        # idempotent retries absorb.
                        log.warning("rpc.database_unavailable", error=_one_line(exc))
                        await context.abort(
                            grpc.StatusCode.UNAVAILABLE,
                            "database unavailable; retry (request id " + request_id + ")",
                            trailing_metadata=((RETRY_AFTER_KEY, str(DATABASE_RETRY_AFTER_SECONDS)), NO_CLIENT_RETRY),
                        )
                    log.exception("rpc.failed")
                    await context.abort(grpc.StatusCode.INTERNAL, "internal error; see server logs for request id " + request_id)
                finally:
                    elapsed = time.perf_counter() - started
                    observe_served(self._service, method, context.code(), elapsed)
                    log.debug("rpc.done", ms=round(elapsed * 1000, 2))

        return grpc.unary_unary_rpc_method_handler(
            wrapped,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _stream(self, handler: grpc.RpcMethodHandler, method: str, caller: str, metadata: Mapping[str, str]) -> grpc.RpcMethodHandler:
        """A bidirectional stream, checked once when it opens. Its handler answers each message itself, refusals
        included (a status would end the stream); what escapes it ends the stream as a unary call would end."""
        inner = handler.stream_stream

        async def wrapped(requests: Any, context: grpc.aio.ServicerContext) -> Any:
            request_id = metadata.get("x-request-id") or new_request_id()
            started = time.perf_counter()
            with structlog.contextvars.bound_contextvars(request_id=request_id, rpc=method, caller=caller):
                try:
                    set_current(identity_from_metadata(metadata), request_id)
                    async for reply in inner(requests, context):
                        yield reply
                except DomainError as exc:
                    log.info("rpc.rejected", status=status_for(exc).name, detail=exc.detail, code=exc.code)
                    await context.abort(status_for(exc), exc.detail, trailing_metadata=error_metadata(exc))
                except (asyncio.CancelledError, grpc.aio.AbortError):
                    raise
                except Exception:
                    log.exception("rpc.failed")
                    await context.abort(grpc.StatusCode.INTERNAL, "internal error; see server logs for request id " + request_id)
                finally:
                    observe_served(self._service, method, context.code(), time.perf_counter() - started)

        return grpc.stream_stream_rpc_method_handler(
            wrapped, request_deserializer=handler.request_deserializer, response_serializer=handler.response_serializer,
        )


class GrpcServer:
    def __init__(
        self, host: str, port: int, service_names: Iterable[str], service: str, keys: Mapping[str, bytes],
        tls: GrpcTls | None = None,
    ) -> None:
        self.server = grpc.aio.server(
            # The trace's server span outermost: the identity, the logs and the handler all run inside it.
            interceptors=[*grpc_server_interceptors(service), CallContextInterceptor(service, keys)],
            options=[("grpc.max_receive_message_length", 8 * 1024 * 1024), ("grpc.so_reuseport", 0)],
        )
        self.health = HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self._names = list(service_names)
        reflection.enable_server_reflection(
            [*self._names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME],
            self.server,
        )
        self._stopping = False
        address = f"{host}:{port}"
        if tls is not None and tls.cert_file:
            self.port = self.server.add_secure_port(address, server_credentials(tls))
        else:
            self.port = self.server.add_insecure_port(address)
        if self.port == 0:
            raise RuntimeError(f"cannot bind gRPC on {host}:{port}")

    async def start(self) -> None:
        await self.server.start()
        self._stopping = False
        await self.set_serving(True)

    async def set_serving(self, serving: bool) -> None:
        """Health of the process and each of its services; a stopping server stays NOT_SERVING."""
        status = health_pb2.HealthCheckResponse.SERVING if serving and not self._stopping else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ["", *self._names]:
            await self.health.set(name, status)

    async def stop(self, grace: float = 10) -> None:
        # Load balancers and the gateway stop routing here first; calls in flight get `grace` to finish.
        self._stopping = True
        await self.set_serving(False)
        await self.server.stop(grace)
