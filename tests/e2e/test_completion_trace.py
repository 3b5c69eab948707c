"""One completion is one trace: the gateway's request, plans' call and outbox row, the relay's publish, and each
consumer it reaches (streaks, entrances, plans' billing) with the queries and calls they make, every span linked
to its parent. The stack here has its own database and vhost, so no untraced consumer of another stack takes
the events, and spans go to an in-memory exporter."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any, AsyncIterator

import asyncpg
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.common import tracing
from tests.e2e.test_entrances_flow import clinic_with_plan, complete
from tests.support.clinic import client
from tests.support.fresh import MAINTENANCE_DB, fresh_storage, owner_dsn, rabbitmqctl
from tests.support.stack import TEST_DB, TEST_VHOST, RunningStack, services_with_bootstrap, settings_for_tests
from tests.support.waiting import eventually

UTC = timezone.utc
# Whose spans these are when the test process runs every service: its database calls are recorded by this name.
PROCESS = "e2e-process"


@pytest.fixture(scope="module")
async def traced() -> AsyncIterator[tuple[RunningStack, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    tracing.install([SimpleSpanProcessor(exporter)], PROCESS)
    database, vhost = f"{TEST_DB}_traced", f"{TEST_VHOST}_traced"
    settings = settings_for_tests(MOMENTUM_DB_NAME=database, MOMENTUM_AMQP_VHOST=vhost)
    running = RunningStack(settings)
    try:
        await fresh_storage(settings)
        for name in services_with_bootstrap():
            await running.start_service(name)
        await running.start_gateway()
        yield running, exporter
    finally:
        await running.stop()
        tracing.uninstall()
        connection = await asyncpg.connect(owner_dsn(settings, MAINTENANCE_DB))
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await connection.close()
        await asyncio.to_thread(rabbitmqctl, "delete_vhost", vhost, check=False)


def service(span: ReadableSpan) -> str:
    return str(span.resource.attributes.get("service.name"))


def hex_id(value: int) -> str:
    return format(value, "016x")


class Trace:
    """The finished spans of one trace id, by span id."""

    def __init__(self, spans: list[ReadableSpan], trace_id: int) -> None:
        self.spans = {span.context.span_id: span for span in spans if span.context.trace_id == trace_id}

    def parent(self, span: ReadableSpan) -> ReadableSpan | None:
        return self.spans.get(span.parent.span_id) if span.parent is not None else None

    def ancestors(self, span: ReadableSpan) -> list[ReadableSpan]:
        chain, current = [], self.parent(span)
        while current is not None:
            chain.append(current)
            current = self.parent(current)
        return chain

    def consumer(self, queue: str) -> ReadableSpan | None:
        return next(
            (s for s in self.spans.values() if s.kind == SpanKind.CONSUMER and s.name == f"process {queue}"), None
        )

    def dangling(self) -> list[ReadableSpan]:
        """Spans whose parent is not (yet) in the trace: none once every span has ended."""
        return [s for s in self.spans.values() if s.parent is not None and s.parent.span_id not in self.spans]

    def children(self, span: ReadableSpan) -> list[ReadableSpan]:
        return [s for s in self.spans.values() if s.parent is not None and s.parent.span_id == span.context.span_id]

    def describe(self) -> str:
        return "\n".join(
            f"{service(s)}: {s.kind.name} {s.name} span={hex_id(s.context.span_id)} "
            f"parent={hex_id(s.parent.span_id) if s.parent else '-'}"
            for s in sorted(self.spans.values(), key=lambda s: s.start_time or 0)
        )


CONSUMERS = ("streaks.workout-events", "entrances.workout-events", "plans.billing-events")


async def test_a_completion_is_one_trace_from_the_gateway_through_the_broker_to_every_consumer(traced):
    stack, exporter = traced
    async with client(stack.base_url) as http:
        clinic, scheduled = await clinic_with_plan(stack, http)
        exporter.clear()
        await complete(http, clinic, scheduled[0], datetime.now(UTC))

    def request_span() -> ReadableSpan | None:
        return next(
            (s for s in exporter.get_finished_spans()
             if service(s) == "gateway" and s.kind == SpanKind.SERVER and s.name.endswith("/complete")),
            None,
        )

    root = await eventually(lambda: _value(request_span()), lambda found: found is not None, timeout=5)
    assert root.parent is None  # the request came without a traceparent: the gateway started the trace
    assert root.name == "POST /v2/workouts/{workout_id}/complete"

    def reached_every_consumer(trace: Trace) -> bool:
        return all(trace.consumer(queue) is not None for queue in CONSUMERS) and not trace.dangling()

    trace = await eventually(
        lambda: _value(Trace(list(exporter.get_finished_spans()), root.context.trace_id)),
        reached_every_consumer, timeout=15, every=0.1,
    )
    detail = trace.describe()
    assert {"gateway", "plans", "streaks", "entrances"} <= {service(s) for s in trace.spans.values()}, detail

    # Gateway -> plans over gRPC: the gateway's client span is the parent of plans' server span.
    server = next(
        s for s in trace.spans.values()
        if service(s) == "plans" and s.kind == SpanKind.SERVER and s.attributes.get("rpc.method") == "CompleteWorkout"
    )
    call = trace.parent(server)
    assert call is not None and service(call) == "gateway" and call.kind == SpanKind.CLIENT, detail
    assert root in trace.ancestors(call), detail

    # Plans' outbox row was written inside the call; the relay published under the row's context.
    write = next(s for s in trace.spans.values() if s.name == "outbox write plans.workout.completed")
    assert service(write) == "plans" and server in trace.ancestors(write), detail
    publish = next(s for s in trace.spans.values() if s.name == "publish plans.workout.completed")
    assert service(publish) == "plans" and publish.kind == SpanKind.PRODUCER, detail
    assert trace.parent(publish) is write, detail

    # The broker hop: each consumer's span is the child of that publish, in its own service.
    owners = {"streaks.workout-events": "streaks", "entrances.workout-events": "entrances",
              "plans.billing-events": "plans"}
    for queue, owner in owners.items():
        handled = trace.consumer(queue)
        assert handled is not None and service(handled) == owner, detail
        assert trace.parent(handled) is publish, detail
        assert handled.attributes["messaging.rabbitmq.destination.routing_key"] == "plans.workout.completed"
        assert handled.status.is_ok, detail
        # The calls it makes: its transaction's queries are its children.
        queries = [c for c in trace.children(handled) if c.kind == SpanKind.CLIENT and "db.system" in c.attributes]
        assert queries, f"{queue} made no traced query:\n{detail}"

    # Nothing in the trace hangs loose: one root, every other span's parent is in it.
    assert [s for s in trace.spans.values() if s.parent is None] == [root], detail


async def _value(value: Any) -> Any:
    return value


async def test_a_caller_s_traceparent_is_continued_and_probes_start_no_trace(traced):
    stack, exporter = traced
    trace_id, caller_span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    async with client(stack.base_url) as http:
        clinic, _ = await clinic_with_plan(stack, http)
        exporter.clear()
        reply = await http.get(
            "/v2/streaks", headers={**clinic.as_patient(), "traceparent": f"00-{trace_id}-{caller_span}-01"}
        )
        assert reply.status_code == 200, reply.text
        assert (await http.get("/readyz")).status_code == 200

    def gateway_spans() -> list[ReadableSpan]:
        return [s for s in exporter.get_finished_spans() if service(s) == "gateway" and s.kind == SpanKind.SERVER]

    (request,) = await eventually(lambda: _value(gateway_spans()), lambda spans: len(spans) >= 1, timeout=5)
    assert request.name == "GET /v2/streaks"
    assert format(request.context.trace_id, "032x") == trace_id
    assert request.parent is not None and request.parent.is_remote and hex_id(request.parent.span_id) == caller_span
    streaks_call = await eventually(
        lambda: _value([s for s in exporter.get_finished_spans()
                        if service(s) == "streaks" and s.kind == SpanKind.SERVER]),
        lambda spans: len(spans) == 1, timeout=5,
    )
    assert streaks_call[0].context.trace_id == request.context.trace_id
