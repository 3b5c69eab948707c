"""Tracing is configured by the standard OTEL_* variables alone and is off without them; log lines name the trace.

Each check runs in a fresh interpreter: installing tracing is once per process, as it is in a service."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from services.common.tracing import TracingSettingsError, exporters_wanted

ROOT = Path(__file__).resolve().parents[3]


def run(program: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(program)], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_without_otel_variables_nothing_is_installed():
    out = run(
        """
        import sys, asyncpg.connection
        from opentelemetry import trace
        from services.common import tracing
        from services.common.runtime import ServiceRuntime
        from services.common.settings import load_settings
        from services.gateway.app import create_app

        assert tracing.configure_tracing("plans") is False
        app = create_app(load_settings({}))
        print(tracing.provider("plans") is None, tracing.tracer("plans") is None)
        print(tracing.grpc_server_interceptors("plans"), tracing.grpc_client_interceptors("gateway"))
        print(type(app).__name__)  # the gateway's own outermost layer: no tracing middleware around it
        print(type(trace.get_tracer_provider()).__name__)
        print(hasattr(asyncpg.connection.Connection.execute, "__wrapped__"))
        print(sorted(m for m in sys.modules if m.startswith(("opentelemetry.sdk", "opentelemetry.instrumentation"))))
        """
    )
    assert out.splitlines() == ["True True", "[] []", "GatewayMiddleware", "ProxyTracerProvider", "False", "[]"]


@pytest.mark.parametrize(
    "env",
    [{}, {"OTEL_TRACES_EXPORTER": "none"}, {"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"},
     {"OTEL_SDK_DISABLED": "TRUE", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"},
     {"OTEL_SERVICE_NAME": "plans", "OTEL_TRACES_SAMPLER": "always_on"}],
)
def test_tracing_stays_off_unless_an_exporter_or_endpoint_is_named(env):
    assert exporters_wanted(env) == ()


@pytest.mark.parametrize(
    ("env", "exporters"),
    [({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}, ("otlp",)),
     ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4317"}, ("otlp",)),
     ({"OTEL_TRACES_EXPORTER": "console"}, ("console",)),
     ({"OTEL_TRACES_EXPORTER": " otlp , console,otlp"}, ("otlp", "console"))],
)
def test_an_exporter_or_an_endpoint_turns_tracing_on(env, exporters):
    assert exporters_wanted(env) == exporters


def test_an_exporter_that_is_not_installed_is_named():
    with pytest.raises(TracingSettingsError, match="OTEL_TRACES_EXPORTER: zipkin"):
        exporters_wanted({"OTEL_TRACES_EXPORTER": "zipkin,console"})


def test_an_otlp_protocol_that_is_not_installed_is_named():
    out = run(
        """
        from services.common import tracing
        try:
            tracing.configure_tracing("plans")
        except tracing.TracingSettingsError as exc:
            print(exc)
        print(tracing.provider("plans"))
        """,
        OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318", OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
    )
    first, second = out.splitlines()
    assert first.startswith("OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' is not installed")
    assert second == "None"  # refused whole: no half-installed tracing


def test_the_variables_turn_tracing_on_with_the_service_name_and_sampler_they_give():
    out = run(
        """
        from opentelemetry import trace
        from services.common import tracing

        assert tracing.configure_tracing("streaks") is True
        own = tracing.provider("streaks")
        print(trace.get_tracer_provider() is own)
        print(own.resource.attributes["service.name"], own.resource.attributes["service.namespace"])
        print(own.resource.attributes["deployment.environment"])
        print(own.sampler.get_description())
        print(len(tracing.grpc_server_interceptors("streaks")), len(tracing.grpc_client_interceptors("streaks")) > 0)
        """,
        OTEL_TRACES_EXPORTER="console", OTEL_SERVICE_NAME="streaks-eu", OTEL_TRACES_SAMPLER="traceidratio",
        OTEL_TRACES_SAMPLER_ARG="0.25", OTEL_RESOURCE_ATTRIBUTES="deployment.environment=staging",
    )
    assert out.splitlines() == [
        "True", "streaks-eu momentum", "staging", "NoRootCalls{TraceIdRatioBased{0.25}}", "1 True",
    ]


def test_each_service_names_itself_when_otel_service_name_is_unset():
    out = run(
        """
        from services.common import tracing

        tracing.configure_tracing("entrances")
        print(tracing.provider("entrances").resource.attributes["service.name"])
        """,
        OTEL_TRACES_EXPORTER="console",
    )
    assert out.strip() == "entrances"


def test_log_lines_carry_the_trace_and_span_they_were_written_in(tmp_path):
    log_file = tmp_path / "plans.log"
    out = run(
        f"""
        import logging
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from services.common import tracing
        from services.common.logging import configure_logging, get_logger

        configure_logging("json", "INFO", service="plans", file={str(log_file)!r})
        exporter = InMemorySpanExporter()
        tracing.install([SimpleSpanProcessor(exporter)], "plans")
        log = get_logger("test")
        log.info("before.any.span")
        with tracing.tracer("plans").start_as_current_span("complete workout") as span:
            log.info("ours.inside")
            logging.getLogger("aio_pika.robust").warning("a library's line inside")
        log.info("after.the.span")
        context = span.get_span_context()
        print(format(context.trace_id, "032x"), format(context.span_id, "016x"))
        """
    )
    trace_id, span_id = out.split()
    lines = [json.loads(line) for line in log_file.read_text().splitlines()]
    by_event = {line["event"]: line for line in lines}
    for event in ("ours.inside", "a library's line inside"):
        assert (by_event[event]["trace_id"], by_event[event]["span_id"]) == (trace_id, span_id)
        assert by_event[event]["service"] == "plans"
    for event in ("before.any.span", "after.the.span"):
        assert "trace_id" not in by_event[event] and "span_id" not in by_event[event]


def test_a_call_of_background_work_starts_no_trace_but_one_inside_a_request_is_kept():
    out = run(
        """
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from opentelemetry.trace import SpanKind
        from services.common import tracing

        exporter = InMemorySpanExporter()
        tracing.install([SimpleSpanProcessor(exporter)], "gateway")
        spans = tracing.tracer("gateway")
        with spans.start_as_current_span("poll sign-outs", kind=SpanKind.CLIENT):  # a loop's call: no request
            pass
        with spans.start_as_current_span("GET /v2/streaks", kind=SpanKind.SERVER):
            with spans.start_as_current_span("GetStreaks", kind=SpanKind.CLIENT):
                pass
        with spans.start_as_current_span("process streaks.workout-events", kind=SpanKind.CONSUMER):
            pass
        print(sorted(s.name for s in exporter.get_finished_spans()))
        """
    )
    assert out.strip() == "['GET /v2/streaks', 'GetStreaks', 'process streaks.workout-events']"
