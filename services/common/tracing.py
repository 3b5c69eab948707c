"""OpenTelemetry tracing, off unless the standard OTEL_* variables ask for it: one tracer provider per service.

Off (the default) nothing is installed: no SDK is imported, no gRPC interceptor is added, FastAPI's own
telemetry is told not to trace, and the outbox rows carry no trace context. Every call site asks
`provider(service)` or `tracer(service)` and does nothing more when it answers None.

On, each service of the process has its own provider (its `service.name`), all feeding the same span
processors; in production a process runs one service, the in-process test stack runs them all."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind, Tracer, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

# The outbox row and the AMQP headers carry W3C trace context whatever OTEL_PROPAGATORS says for HTTP and
# gRPC: it is what the columns are named after, and every consumer of ours reads it.
W3C = TraceContextTextMapPropagator()
TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
NAMESPACE = "momentum"
_EXPORTERS = ("otlp", "console")
_PROBES = "/livez$,/readyz$,/healthz$,/metrics$"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class TracingSettingsError(ValueError):
    """An OTEL_* variable asks for something this installation cannot do; names the variable."""


def exporters_wanted(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The span exporters the variables ask for; () means tracing is off.

    Unlike the SDK's own default (otlp), an unset OTEL_TRACES_EXPORTER with no OTLP endpoint is off: a
    process nobody pointed at a collector must not spend a cycle on spans."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return ()
    named = environ.get("OTEL_TRACES_EXPORTER")
    if named is None:
        endpoint = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        return ("otlp",) if endpoint else ()
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in named.split(",") if part.strip()))
    unknown = [name for name in chosen if name not in (*_EXPORTERS, "none")]
    if unknown:
        raise TracingSettingsError(
            f"OTEL_TRACES_EXPORTER: {', '.join(unknown)} is not available (use otlp, console or none)"
        )
    return tuple(name for name in chosen if name != "none")


def _check_protocol(environ: Mapping[str, str]) -> None:
    protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    if protocol and protocol.strip().lower() != "grpc":
        raise TracingSettingsError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL: {protocol!r} is not installed; OTLP spans go over grpc (port 4317)"
        )


def _exporter(name: str, environ: Mapping[str, str]) -> Any:
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    _check_protocol(environ)
    # Reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT, _INSECURE, _CERTIFICATE itself.
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


@dataclass
class _Installed:
    processors: Sequence[Any]
    sampler: Any
    own_service: str
    own_name: str
    providers: dict[str, Any] = field(default_factory=dict)
    tracers: dict[str, Any] = field(default_factory=dict)
    instrumentors: list[Any] = field(default_factory=list)


_installed: _Installed | None = None


def configure_tracing(service: str, environ: Mapping[str, str] | None = None) -> bool:
    """At process start, before anything is built: installs tracing for `service` when the OTEL_* variables
    ask for it (batched export, OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME) and makes its
    provider the global one. Returns whether tracing is on."""
    environ = os.environ if environ is None else environ
    names = exporters_wanted(environ)
    if not names:
        return False
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    processors = [BatchSpanProcessor(_exporter(name, environ)) for name in names]
    install(processors, service, service_name=environ.get("OTEL_SERVICE_NAME") or None)
    own = provider(service)
    trace.set_tracer_provider(own)
    return True


def install(processors: Sequence[Any], service: str, service_name: str | None = None) -> None:
    """Traces every service of this process into `processors` (SDK span processors). `service` is the process's
    own: its provider also records the database calls (asyncpg is instrumented once per process). Tests call this
    with an in-memory exporter and `uninstall` after."""
    global _installed
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.sdk.trace import sampling

    if _installed is not None:
        raise RuntimeError("tracing is already installed in this process")
    # The sampler OTEL_TRACES_SAMPLER names (parentbased_always_on when unset), read the way the SDK reads it.
    sampler = _NoRootCalls(sampling._get_from_env_or_default())
    _installed = _Installed(list(processors), sampler, service, service_name or service)
    queries = AsyncPGInstrumentor()
    queries.instrument(tracer_provider=provider(service))
    _installed.instrumentors.append(queries)


def uninstall() -> None:
    """Undoes `install`: flushes the processors, removes the instrumentation (tests)."""
    global _installed
    installed, _installed = _installed, None
    if installed is None:
        return
    for instrumentor in installed.instrumentors:
        instrumentor.uninstrument()
    for processor in installed.processors:
        processor.force_flush()


def provider(service: str) -> TracerProvider | None:
    """`service`'s tracer provider, or None when tracing is off."""
    if _installed is None:
        return None
    found = _installed.providers.get(service)
    if found is None:
        from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_NAMESPACE, Resource
        from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider

        name = _installed.own_name if service == _installed.own_service else service
        # Resource.create also merges OTEL_RESOURCE_ATTRIBUTES; the explicit name wins over its service.name.
        resource = Resource.create({SERVICE_NAME: name, SERVICE_NAMESPACE: NAMESPACE})
        found = SdkTracerProvider(resource=resource, sampler=_installed.sampler, shutdown_on_exit=True)
        for processor in _installed.processors:
            found.add_span_processor(processor)
        _installed.providers[service] = found
    return found


def tracer(service: str) -> Tracer | None:
    """Our own spans' tracer for `service` (relay, consumer, outbox), or None when tracing is off."""
    if _installed is None:
        return None
    found = _installed.tracers.get(service)
    if found is None:
        found = _installed.tracers[service] = provider(service).get_tracer(f"momentum.{service}")  # type: ignore[union-attr]
    return found


def grpc_server_interceptors(service: str) -> list[Any]:
    """A server span per call, continuing the caller's trace (none for health and reflection)."""
    found = provider(service)
    if found is None:
        return []
    from opentelemetry.instrumentation.grpc import aio_server_interceptor, filters

    return [aio_server_interceptor(tracer_provider=found, filter_=filters.negate(filters.service_prefix("grpc.")))]


def grpc_client_interceptors(service: str) -> list[Any]:
    """A client span per call, its context sent in the call's metadata (none for health checks)."""
    found = provider(service)
    if found is None:
        return []
    from opentelemetry.instrumentation.grpc import aio_client_interceptors, filters

    return aio_client_interceptors(tracer_provider=found, filter_=filters.negate(filters.service_prefix("grpc.")))


def traced_asgi(app: Any, service: str) -> Any:
    """`app` inside an ASGI server span per request (the caller's W3C traceparent continued), or `app` itself when
    tracing is off. Outermost, so every layer's log lines (access log, fast paths, sign-in) name the trace.
    Probes are left out unless OTEL_PYTHON_ASGI_EXCLUDED_URLS (or OTEL_PYTHON_EXCLUDED_URLS) says otherwise."""
    found = provider(service)
    if found is None:
        return app
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
    from opentelemetry.util.http import parse_excluded_urls

    excluded = os.environ.get("OTEL_PYTHON_ASGI_EXCLUDED_URLS") or os.environ.get("OTEL_PYTHON_EXCLUDED_URLS")
    return OpenTelemetryMiddleware(
        _NamedByRoute(app), tracer_provider=found, excluded_urls=parse_excluded_urls(excluded or _PROBES),
        exclude_spans=["receive", "send"],
        # The method alone until the route is known: a path holds ids, a span name must not.
        default_span_details=lambda scope: (_method_of(scope), {}),
    )


def _method_of(scope: Mapping[str, Any]) -> str:
    method = str(scope.get("method") or "HTTP")
    return method if method in _METHODS else "HTTP"


class _NamedByRoute:
    """Names the request's span by its route (`POST /v2/workouts/{workout_id}/complete`) at the response's start:
    the first moment the route is known and the last the span is surely open."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        span = trace.get_current_span()

        async def named(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and span.is_recording():
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                span.update_name(f"{scope['method']} {route}")
                span.set_attribute("http.route", route)
            await send(message)

        await self.app(scope, receive, named)


def current_context_carrier() -> dict[str, str]:
    """The current span's W3C context (traceparent, tracestate when there is one); {} outside a span."""
    carrier: dict[str, str] = {}
    W3C.inject(carrier)
    return carrier


class _NoRootCalls:
    """The configured sampler, except that a call made with no span above it (a database query or a gRPC call of
    background work: the relay's polls, health pings, the gateway's sign-out ledger) starts no trace; those would
    otherwise be most of what is exported. A request, a consumed message and a loop's own span still do."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def should_sample(
        self, parent_context: Context | None, trace_id: int, name: str, kind: Any = None,
        attributes: Any = None, links: Any = None, trace_state: Any = None,
    ) -> Any:
        from opentelemetry.sdk.trace.sampling import Decision, SamplingResult

        if kind == SpanKind.CLIENT and not trace.get_current_span(parent_context).get_span_context().is_valid:
            return SamplingResult(Decision.DROP)
        return self._inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"NoRootCalls{{{self._inner.get_description()}}}"
