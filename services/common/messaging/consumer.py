"""Runs a broker consumer: decode, de-duplicate through the inbox in the handler's transaction,
ack after commit, park poison messages in the dead-letter queue."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable, Mapping

import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from google.protobuf.message import DecodeError, Message
from sqlalchemy import text

from services.common.db import Database, UnitOfWork
from services.common.identity import set_current
from services.common.logging import get_logger
from services.common.messaging.broker import Broker
from services.common.messaging.topology import ConsumerQueue, declare_consumer_queue

log = get_logger(__name__)


class PoisonMessage(Exception):
    """The message can never be handled (undecodable, invalid): dead-letter it now, don't retry."""


@dataclass(frozen=True)
class IncomingEvent:
    routing_key: str
    message_id: str
    tenant_id: uuid.UUID
    request_id: str | None
    body: Message


Handler = Callable[[IncomingEvent, UnitOfWork], Awaitable[None]]


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
    ) -> None:
        self.name = name
        self._spec = spec
        self._handlers = handlers
        self._database = database
        self._broker = broker
        self._prefetch = prefetch
        self._use_inbox = use_inbox
        self._queue: AbstractQueue | None = None
        self._tag: str | None = None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        channel = await self._broker.consumer_channel(self._prefetch)
        self._queue = await declare_consumer_queue(channel, self._spec, self._broker.settings.delivery_limit)
        self._tag = await self._queue.consume(self._on_message)

    async def stop(self, drain_timeout: float = 10) -> None:
        """Stops taking new messages, then lets the ones in hand finish (unacked ones are redelivered)."""
        if self._queue is not None and self._tag is not None:
            try:
                await self._queue.cancel(self._tag)
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
            await self._process(message)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def _process(self, message: AbstractIncomingMessage) -> None:
        routing_key = message.routing_key or ""
        headers = message.headers or {}
        bound = structlog.contextvars.bound_contextvars(
            consumer=self.name, routing_key=routing_key, message_id=message.message_id,
            request_id=str(headers.get("request_id") or ""),
        )
        with bound:
            try:
                event = self._decode(message)
            except PoisonMessage as exc:
                log.error("consumer.dead_lettered", reason=str(exc))
                await message.reject(requeue=False)
                return
            if event is None:
                await message.ack()
                return
            set_current(None, event.request_id)
            _, handler = self._handlers[event.routing_key]
            try:
                async with self._database.unit_of_work(event.tenant_id) as uow:
                    if self._use_inbox and not await self._first_delivery(uow, event):
                        log.info("consumer.duplicate_ignored")
                        await message.ack()
                        return
                    await handler(event, uow)
                    await uow.commit()
            except PoisonMessage as exc:
                log.error("consumer.dead_lettered", reason=str(exc), tenant_id=str(event.tenant_id))
                await message.reject(requeue=False)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                # Transient (database or downstream away): requeue; the quorum queue's delivery
                # limit parks it in the dead-letter queue if it never succeeds.
                log.exception("consumer.failed_will_retry", delivery_count=headers.get("x-delivery-count"))
                await asyncio.sleep(0.2)
                await message.nack(requeue=True)
                return
            await message.ack()

    def _decode(self, message: AbstractIncomingMessage) -> IncomingEvent | None:
        routing_key = message.routing_key or ""
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
        return IncomingEvent(routing_key, message_id, tenant_id, str(request_id) if request_id else None, body)

    async def _first_delivery(self, uow: UnitOfWork, event: IncomingEvent) -> bool:
        result = await uow.execute(
            text(
                f"INSERT INTO {self._database.schema}.inbox (consumer, message_id, routing_key) "
                "VALUES (:consumer, :message_id, :routing_key) ON CONFLICT DO NOTHING RETURNING 1"
            ),
            {"consumer": self.name, "message_id": event.message_id, "routing_key": event.routing_key},
        )
        return result.first() is not None
