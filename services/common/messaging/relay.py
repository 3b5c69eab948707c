"""Publishes a schema's outbox rows with publisher confirms and marks them sent; a row that can never be
published is quarantined with its reason, so it holds up nobody else.

A crash between commit and publish loses nothing (the row stays unsent); a crash between
publish and mark sends a row twice, which the consumers' inbox absorbs."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import aio_pika
import aiormq
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.logging import get_logger
from services.common.messaging import metrics
from services.common.messaging import outbox_repository as outbox
from services.common.messaging.broker import Broker, Unencodable, event_message
from services.common.messaging.trace_context import inject_into, messaging_attributes, row_context
from services.common.tracing import tracer

log = get_logger(__name__)

# What the broker says about one message rather than about itself (a frame it will not take, a body it
# refuses): the row is at fault. Connection errors, timeouts and unconfirmed publishes are the broker's.
_ROW_FAULTS = (Unencodable, aiormq.exceptions.ChannelPreconditionFailed, aiormq.exceptions.ChannelAccessRefused)


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        schema: str,
        broker: Broker,
        poll_interval: timedelta = timedelta(seconds=1),
        batch_size: int = 500,
        keep_published_for: timedelta = timedelta(days=7),
        prune_every: timedelta = timedelta(minutes=10),
    ) -> None:
        self._engine = engine
        self._schema = schema
        self._broker = broker
        self._poll = poll_interval.total_seconds()
        self._batch_size = batch_size
        self._keep = keep_published_for
        self._prune_every = prune_every.total_seconds()
        self._wake = asyncio.Event()
        self._stopping = False
        self._tracer = tracer(schema)

    @property
    def schema(self) -> str:
        return self._schema

    def wake(self) -> None:
        """Called after a commit that wrote events, so they go out now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        # By the clock, not by successful cycles: a broker outage must not postpone pruning for ever.
        next_prune = time.monotonic() + self._prune_every
        while not self._stopping:
            self._wake.clear()
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + self._prune_every
                try:
                    await self._forget_old()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # housekeeping: a failure here must never stop publishing
                    log.warning("outbox.prune_failed", schema=self._schema, error=repr(exc)[:300])
            try:
                published = await self.publish_pending()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: keep the rows, back off, retry
                failures += 1
                log.warning("outbox.publish_failed", schema=self._schema, error=repr(exc)[:300], attempt=failures)
                await asyncio.sleep(min(0.2 * 2**failures, 5))
                continue
            if published == self._batch_size:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            except TimeoutError:
                pass

    async def publish_pending(self) -> int:
        """Publishes one batch; returns how many rows it settled (sent or quarantined). Raises, after marking
        what did go out, when the broker did not confirm some rows: they stay pending."""
        async with self._engine.connect() as conn:
            async with conn.begin():
                rows = await outbox.claim_pending(conn, self._schema, self._batch_size)
                if not rows:
                    return 0
                encoded: list[tuple[Any, Any]] = []
                faulty: list[tuple[Any, str]] = []
                for row in rows:
                    try:
                        encoded.append((row, self._encode(row)))
                    except Exception as exc:  # about this row alone: its fields cannot become a message
                        faulty.append((row, f"{type(exc).__name__}: {exc}"))
                # Hundreds in flight at once: awaiting each confirm in turn caps at ~2k msg/s.
                results = await asyncio.gather(
                    *(self._publish(row, message) for row, message in encoded),
                    return_exceptions=True,
                )
                sent, failed = [], []
                for (row, _), result in zip(encoded, results):
                    if not isinstance(result, BaseException):
                        sent.append(row.id)
                    elif isinstance(result, _ROW_FAULTS):
                        faulty.append((row, f"broker refused it: {result!r}"))
                    else:
                        failed.append((row, result))
                if sent:
                    await outbox.mark_sent(conn, self._schema, sent)
                    metrics.PUBLISHED.labels(self._schema).inc(len(sent))
                for row, reason in faulty:
                    await outbox.quarantine(conn, self._schema, row.id, reason[:500])
                    metrics.QUARANTINED.labels(self._schema).inc()
                    log.warning(
                        "outbox.row_quarantined", schema=self._schema, outbox_id=row.id, message_id=row.message_id,
                        routing_key=row.routing_key, tenant_id=str(row.tenant_id), reason=reason[:300],
                    )
                if failed:
                    await outbox.count_failure(conn, self._schema, [row.id for row, _ in failed])
                    metrics.PUBLISH_FAILURES.labels(self._schema).inc()
            if failed:
                raise RuntimeError(f"{len(failed)} of {len(rows)} outbox rows not confirmed: {failed[0][1]!r}")
            log.debug("outbox.published", schema=self._schema, count=len(sent))
            return len(sent) + len(faulty)

    async def _publish(self, row: Any, message: aio_pika.Message) -> None:
        """One row onto the exchange. With tracing on and a row written in a trace, in a span under the context the
        row kept, whose own context the message's headers carry on to the consumers."""
        parent = row_context(row.traceparent, row.tracestate) if self._tracer is not None else None
        if parent is None:
            await self._broker.publish_message(row.routing_key, message)
            return
        with self._tracer.start_as_current_span(  # type: ignore[union-attr]
            f"publish {row.routing_key}", context=parent, kind=SpanKind.PRODUCER,
            attributes=messaging_attributes("send", row.routing_key, row.message_id),
            record_exception=True, set_status_on_exception=True,
        ) as span:
            inject_into(message.headers, span)
            await self._broker.publish_message(row.routing_key, message)

    @staticmethod
    def _encode(row: Any) -> Any:
        headers = {
            "message_id": row.message_id,
            "tenant_id": str(row.tenant_id),
            "occurred_at": row.occurred_at.isoformat(),
            "request_id": row.request_id or "",
        }
        return event_message(bytes(row.body), row.message_id, headers, row.message_type, row.occurred_at)

    async def _forget_old(self) -> None:
        await outbox.forget_published(self._engine, self._schema, self._keep)

    async def unpublished_count(self) -> int:
        """Rows still to publish (quarantined rows are not: they wait for an operator)."""
        return await outbox.unpublished_count(self._engine, self._schema)

    async def backlog(self) -> tuple[int, float]:
        """Rows waiting to be published and the age in seconds of the oldest of them (0 when none)."""
        return await outbox.backlog(self._engine, self._schema)

    async def quarantined_count(self) -> int:
        return await outbox.quarantined_count(self._engine, self._schema)
