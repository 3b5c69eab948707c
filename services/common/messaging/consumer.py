"""Runs a broker consumer: decode, de-duplicate through the inbox in the handler's transaction,
ack after commit; transient failures climb the retry ladder, poison messages are parked at once."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable, Mapping, Sequence

import aio_pika
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from google.protobuf.message import DecodeError, Message
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import text

from services.common.db import Database, UnitOfWork, database_unavailable
from services.common.errors import Unavailable
from services.common.identity import set_current
from services.common.logging import get_logger
from services.common.messaging import metrics
from services.common.messaging.broker import Broker
from services.common.messaging.pause import ConsumerPause, Outage
from services.common.messaging.trace_context import context_from, messaging_attributes
from services.common.messaging.topology import (
    ATTEMPT_HEADER,
    DEAD_REASON_HEADER,
    FIRST_FAILURE_HEADER,
    LAST_ERROR_HEADER,
    LAST_FAILURE_HEADER,
    ROUTING_KEY_HEADER,
    ConsumerQueue,
    declare_consumer_queue,
)
from services.common.tracing import tracer

log = get_logger(__name__)

# The broker's own bookkeeping of a delivery; a republished copy starts afresh.
_BROKER_HEADERS = ("x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
                   "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason", "x-delivery-count")
ERROR_CHARS = 300


class PoisonMessage(Exception):
    """The message can never be handled (undecodable, invalid): dead-letter it now, don't retry."""


@dataclass(frozen=True)
class IncomingEvent:
    routing_key: str
    message_id: str
    tenant_id: uuid.UUID
    request_id: str | None
    body: Message
    # Failed deliveries before this one (the retry ladder's x-momentum-attempt header); 0 on the first.
    attempt: int = 0


Handler = Callable[[IncomingEvent, UnitOfWork], Awaitable[None]]


def original_routing_key(message: AbstractIncomingMessage) -> str:
    """The key the message was published with: a retry queue hands it back under the work queue's name."""
    headers = message.headers or {}
    carried = headers.get(ROUTING_KEY_HEADER)
    if isinstance(carried, bytes):
        carried = carried.decode("utf-8", "replace")
    return str(carried) if carried else (message.routing_key or "")


def copy_for_republish(message: AbstractIncomingMessage, extra: Mapping[str, object]) -> aio_pika.Message:
    """The same message (body, id, type, timestamp, headers) with `extra` headers, ready to publish again."""
    headers = {k: v for k, v in (message.headers or {}).items() if k not in _BROKER_HEADERS}
    headers.setdefault(ROUTING_KEY_HEADER, original_routing_key(message))
    headers.update(extra)
    return aio_pika.Message(
        message.body,
        headers=headers,  # type: ignore[arg-type]
        message_id=message.message_id,
        type=message.type,
        content_type=message.content_type,
        timestamp=message.timestamp,
        correlation_id=message.correlation_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


def failure_history(headers: Mapping[str, object], now: datetime) -> tuple[int, datetime]:
    """(failures before this one, when the first happened) from the retry headers; none: (0, now)."""
    try:
        attempts = int(str(headers.get(ATTEMPT_HEADER) or 0))
    except ValueError:
        attempts = 0
    raw = headers.get(FIRST_FAILURE_HEADER)
    if isinstance(raw, bytes):
        raw = raw.decode()
    try:
        first = datetime.fromisoformat(str(raw)) if raw else now
    except ValueError:
        first = now
    if first.tzinfo is None:
        first = first.replace(tzinfo=timezone.utc)
    return max(attempts, 0), min(first, now)


def retry_step(ladder: tuple[timedelta, ...], attempt: int) -> timedelta:
    """The wait after the `attempt`-th failure (1-based); past the end of the ladder its last step repeats."""
    return ladder[min(max(attempt, 1), len(ladder)) - 1]


def _mark_failed(exc: Exception | None, description: str) -> None:
    """The delivery's span (when traced) ends in error: the failure is caught here, never raised through it."""
    span = trace.get_current_span()
    if exc is not None:
        span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, description))


class Consumer:
    """One consumer queue; `handlers` maps routing keys to (message class, handler)."""

    def __init__(
        self,
        name: str,
        spec: ConsumerQueue,
        handlers: Mapping[str, tuple[type[Message], Handler]],
        database: Database,
        broker: Broker,
        prefetch: int | None = None,
        use_inbox: bool = True,
        outages: Sequence[Outage] = (),
    ) -> None:
        """`outages`: services the handlers call whose absence pauses the consumer like a database outage."""
        self.name = name
        self._spec = spec
        self._handlers = handlers
        self._database = database
        self._broker = broker
        self._prefetch = prefetch
        self._use_inbox = use_inbox
        self._ladder = broker.settings.retry_ladder
        self._park_after = broker.settings.retry_park_after
        self._queue: AbstractQueue | None = None
        self._tag: str | None = None
        self._stopping = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._outages = (Outage("database", database_unavailable, database.ping), *outages)
        self.pause = ConsumerPause(name, self._stop_consuming, self._start_consuming)
        self._tracer = tracer(database.schema)

    @property
    def spec(self) -> ConsumerQueue:
        return self._spec

    async def start(self) -> None:
        channel = await self._broker.consumer_channel(self._prefetch)
        self._queue = await declare_consumer_queue(channel, self._spec, self._broker.settings.delivery_limit)
        self._stopping = False
        await self._start_consuming()

    async def _start_consuming(self) -> None:
        if self._queue is not None and self._tag is None and not self._stopping:
            self._tag = await self._queue.consume(self._on_message)

    async def _stop_consuming(self) -> None:
        tag, self._tag = self._tag, None
        if self._queue is not None and tag is not None:
            await self._queue.cancel(tag)

    async def stop(self, drain_timeout: float = 10) -> None:
        """Stops taking new messages, then lets the ones in hand finish (unacked ones are redelivered)."""
        self._stopping = True
        await self.pause.close()
        try:
            await self._stop_consuming()
        except Exception as exc:  # the channel may already be gone; the broker requeues for us
            log.warning("consumer.cancel_failed", consumer=self.name, error=repr(exc))
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=drain_timeout)
        except TimeoutError:
            log.warning("consumer.drain_timeout", consumer=self.name, in_flight=self._in_flight)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._in_flight += 1
        self._idle.clear()
        try:
            if self._tracer is None:
                await self._process(message)
            else:
                await self._process_traced(message)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def _process_traced(self, message: AbstractIncomingMessage) -> None:
        """In a consumer span, the child of the relay's publish span when the headers carry its context: the
        handler's queries, calls and events are part of the trace of the request that wrote the event."""
        routing_key = original_routing_key(message)
        with self._tracer.start_as_current_span(  # type: ignore[union-attr]
            f"process {self.name}", context=context_from(message.headers or {}), kind=SpanKind.CONSUMER,
            attributes=messaging_attributes(
                "process", routing_key, message.message_id, **{"messaging.destination.name": self.name},
            ),
            record_exception=True, set_status_on_exception=True,
        ):
            await self._process(message)

    async def _process(self, message: AbstractIncomingMessage) -> None:
        routing_key = original_routing_key(message)
        headers = message.headers or {}
        bound = structlog.contextvars.bound_contextvars(
            consumer=self.name, routing_key=routing_key, message_id=message.message_id,
            request_id=str(headers.get("request_id") or ""),
        )
        with bound:
            try:
                event = self._decode(message)
            except PoisonMessage as exc:
                await self._park(message, str(exc), "poison")
                return
            if event is None:
                await message.ack()
                metrics.DELIVERIES.labels(self.name, "ignored").inc()
                return
            set_current(None, event.request_id)
            _, handler = self._handlers[event.routing_key]
            started = time.perf_counter()
            try:
                async with self._database.unit_of_work(event.tenant_id) as uow:
                    if self._use_inbox and not await self._first_delivery(uow, event):
                        log.info("consumer.duplicate_ignored")
                        await message.ack()
                        metrics.DELIVERIES.labels(self.name, "duplicate").inc()
                        return
                    await handler(event, uow)
                    await uow.commit()
            except PoisonMessage as exc:
                await self._park(message, str(exc), "poison", tenant_id=str(event.tenant_id))
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._retry_later(message, exc)
                return
            await message.ack()
            metrics.DELIVERIES.labels(self.name, "handled").inc()
            metrics.HANDLING.labels(self.name).observe(time.perf_counter() - started)

    async def _retry_later(self, message: AbstractIncomingMessage, exc: Exception) -> None:
        """A transient failure (database, broker, a called service away): republish into the next delay queue
        of the ladder, confirmed, then ack; park only after `retry_park_after` of failures."""
        now = datetime.now(timezone.utc)
        before, first = failure_history(message.headers or {}, now)
        attempt = before + 1
        error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
        _mark_failed(exc, error)
        outage = next((o for o in self._outages if o.recognise(exc)), None)
        if outage is not None:
            if not self.pause.paused:
                metrics.PAUSES.labels(self.name).inc()
            self.pause.trigger(outage, error)
        failing_for = now - first
        if failing_for >= self._park_after:
            await self._park(
                message, f"failed transiently for {int(failing_for.total_seconds())} s ({attempt} attempts): {error}",
                "transient", extra={ATTEMPT_HEADER: attempt, FIRST_FAILURE_HEADER: first.isoformat(),
                                    LAST_FAILURE_HEADER: now.isoformat(), LAST_ERROR_HEADER: error},
            )
            return
        # During a pause the copy waits in the work queue, unconsumed, until the dependency is back: climbing
        # the ladder then would only delay the resumption by a long step.
        wait = self._ladder[0] if outage is not None else retry_step(self._ladder, attempt)
        expected = outage is not None or isinstance(exc, Unavailable)
        fields = dict(attempt=attempt, retry_in=wait.total_seconds(), error=error)
        if expected or before > 0:
            log.warning("consumer.failed_will_retry", **fields)
        else:  # not a known outage: a bug may be behind it, so its traceback once
            log.warning("consumer.failed_will_retry", exc_info=exc, **fields)
        copy = copy_for_republish(message, {
            ATTEMPT_HEADER: attempt, FIRST_FAILURE_HEADER: first.isoformat(),
            LAST_FAILURE_HEADER: now.isoformat(), LAST_ERROR_HEADER: error,
        })
        try:
            await self._broker.send_later(self._spec.name, wait, copy, kind="retry", expires=self._spec.expires)
        except asyncio.CancelledError:
            raise
        except Exception as publish_exc:
            # Not confirmed: keep the original; the delivery limit is the backstop while the broker is away.
            log.warning("consumer.retry_publish_failed", error=repr(publish_exc)[:ERROR_CHARS])
            await asyncio.sleep(0.5)
            await message.nack(requeue=True)
            return
        metrics.RETRIED.labels(self.name).inc()
        metrics.DELIVERIES.labels(self.name, "retried").inc()
        await message.ack()

    async def _park(
        self, message: AbstractIncomingMessage, reason: str, why: str, extra: Mapping[str, object] | None = None,
        **log_fields: object,
    ) -> None:
        """Into `<queue>.dead` with the reason in a header (confirmed before the ack); if that publish fails,
        a plain reject lets the broker dead-letter it without the reason."""
        log.error("consumer.dead_lettered", reason=reason[:ERROR_CHARS], why=why, **log_fields)
        _mark_failed(None, f"dead-lettered ({why}): {reason}"[:ERROR_CHARS])
        metrics.PARKED.labels(self.name, why).inc()
        metrics.DELIVERIES.labels(self.name, "parked").inc()
        now = datetime.now(timezone.utc)
        before, first = failure_history(message.headers or {}, now)
        history = {ATTEMPT_HEADER: before + 1, FIRST_FAILURE_HEADER: first.isoformat(), LAST_FAILURE_HEADER: now.isoformat()}
        copy = copy_for_republish(message, {**history, **(extra or {}), DEAD_REASON_HEADER: reason[:ERROR_CHARS]})
        try:
            await self._broker.send_to_queue(self._spec.dead_letter_name, copy)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("consumer.park_publish_failed", error=repr(exc)[:ERROR_CHARS])
            await message.reject(requeue=False)
            return
        await message.ack()

    def _decode(self, message: AbstractIncomingMessage) -> IncomingEvent | None:
        routing_key = original_routing_key(message)
        if routing_key not in self._handlers:
            # A binding we no longer handle: nothing to do, and nothing to retry.
            log.warning("consumer.unhandled_routing_key")
            return None
        message_class, _ = self._handlers[routing_key]
        headers = message.headers or {}
        message_id = message.message_id or str(headers.get("message_id") or "")
        if not message_id:
            raise PoisonMessage("message has no message_id")
        try:
            tenant_id = uuid.UUID(str(headers.get("tenant_id")))
        except ValueError as exc:
            raise PoisonMessage("message has no valid tenant_id header") from exc
        body = message_class()
        try:
            body.ParseFromString(message.body)
        except DecodeError as exc:
            raise PoisonMessage(f"body is not a valid {message_class.DESCRIPTOR.full_name}: {exc}") from exc
        request_id = headers.get("request_id")
        attempt, _ = failure_history(headers, datetime.now(timezone.utc))
        return IncomingEvent(routing_key, message_id, tenant_id, str(request_id) if request_id else None, body, attempt)

    async def _first_delivery(self, uow: UnitOfWork, event: IncomingEvent) -> bool:
        result = await uow.execute(
            text(
                f"INSERT INTO {self._database.schema}.inbox (consumer, message_id, routing_key) "
                "VALUES (:consumer, :message_id, :routing_key) ON CONFLICT DO NOTHING RETURNING 1"
            ),
            {"consumer": self.name, "message_id": event.message_id, "routing_key": event.routing_key},
        )
        return result.first() is not None
