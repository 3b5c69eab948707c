"""Trace context on the way through the broker: the attributes of our messaging spans, and the W3C context in
an outbox row or a message's headers."""

from __future__ import annotations

from typing import Any, Mapping, MutableMapping

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import Span

from services.common.messaging.topology import EVENTS_EXCHANGE
from services.common.tracing import TRACEPARENT, TRACESTATE, W3C


def messaging_attributes(operation: str, routing_key: str, message_id: str | None, **more: Any) -> dict[str, Any]:
    """The messaging semantic conventions' attributes of one event on the events exchange."""
    return {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": operation,
        "messaging.destination.name": EVENTS_EXCHANGE,
        "messaging.rabbitmq.destination.routing_key": routing_key,
        "messaging.message.id": message_id or "",
        **more,
    }


def row_context(traceparent: str | None, tracestate: str | None) -> Context | None:
    """The context an outbox row was written in; None when it was written with tracing off."""
    if not traceparent:
        return None
    carrier = {TRACEPARENT: traceparent, **({TRACESTATE: tracestate} if tracestate else {})}
    return W3C.extract(carrier)


class _HeaderGetter(Getter[Mapping[str, Any]]):
    """AMQP header values arrive as str or bytes by how they were encoded."""

    def get(self, carrier: Mapping[str, Any], key: str) -> list[str] | None:
        value = carrier.get(key)
        if value is None:
            return None
        return [value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)]

    def keys(self, carrier: Mapping[str, Any]) -> list[str]:
        return list(carrier.keys())


_HEADERS = _HeaderGetter()


def context_from(headers: Mapping[str, Any]) -> Context:
    """The trace context a message's headers carry (an empty context when none or malformed)."""
    return W3C.extract(headers, getter=_HEADERS)


def inject_into(headers: MutableMapping[str, Any], span: Span) -> None:
    """`span`'s W3C context into message headers, so the consumer's span is its child."""
    W3C.inject(headers, context=trace.set_span_in_context(span))
