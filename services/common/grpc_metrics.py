"""RED figures of every gRPC hop: calls by method and status code, and their latency, on both ends."""

from __future__ import annotations

import time
from typing import Any, Callable

import grpc
from prometheus_client import Counter, Histogram

# Unary calls between our own processes: most take a few milliseconds, an outage's retries seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

SERVER_HANDLED = Counter(
    "momentum_grpc_server_handled_total", "RPCs this service answered, by method and status code",
    ["service", "method", "code"],
)
SERVER_SECONDS = Histogram(
    "momentum_grpc_server_handling_seconds", "Time this service took to answer an RPC", ["service", "method"],
    buckets=BUCKETS,
)
CLIENT_HANDLED = Counter(
    "momentum_grpc_client_handled_total", "RPCs this process made, by target service, method and status code",
    ["target", "method", "code"],
)
CLIENT_SECONDS = Histogram(
    "momentum_grpc_client_handling_seconds", "Time an RPC this process made took, retries by the caller excluded",
    ["target", "method"], buckets=BUCKETS,
)


def short_method(full: str) -> str:
    """`/momentum.plans.v1.Plans/CompleteWorkout` → `Plans/CompleteWorkout`: bounded, and readable in a legend."""
    service, _, method = full.lstrip("/").rpartition("/")
    return f"{service.rpartition('.')[2]}/{method}"


def observe_served(service: str, method: str, code: grpc.StatusCode | None, seconds: float) -> None:
    name = short_method(method)
    SERVER_HANDLED.labels(service, name, (code or grpc.StatusCode.OK).name).inc()
    SERVER_SECONDS.labels(service, name).observe(seconds)


class ClientMetricsInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Counts and times every unary call of the channel it is installed on, by the code it ended with."""

    def __init__(self, target: str) -> None:
        self._target = target

    async def intercept_unary_unary(self, continuation: Callable[..., Any], client_call_details: Any, request: Any) -> Any:
        method = client_call_details.method
        name = short_method(method.decode() if isinstance(method, bytes) else method)
        started = time.perf_counter()
        call = await continuation(client_call_details, request)
        try:
            await call
        finally:
            code = await call.code()
            CLIENT_HANDLED.labels(self._target, name, code.name if code else "UNKNOWN").inc()
            CLIENT_SECONDS.labels(self._target, name).observe(time.perf_counter() - started)
        return call
