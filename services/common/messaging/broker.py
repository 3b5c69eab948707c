"""One robust broker connection per process: a confirming publish channel, consumer channels,
and topology re-declared on every reconnect."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Mapping

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from services.common.logging import get_logger
from services.common.messaging.topology import EVENTS_EXCHANGE, declare_delay_queue, declare_exchanges
from services.common.settings import BrokerSettings

log = get_logger(__name__)


class Broker:
    def __init__(self, settings: BrokerSettings, connection_name: str) -> None:
        self._settings = settings
        self._connection_name = connection_name
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._events: AbstractExchange | None = None
        self._delay_queues: dict[tuple[str, int], str] = {}
        self._lock = asyncio.Lock()

    @property
    def settings(self) -> BrokerSettings:
        return self._settings

    async def connect(self, attempts: int = 30) -> None:
        for attempt in range(1, attempts + 1):
            try:
                self._connection = await aio_pika.connect_robust(
                    self._settings.url,
                    client_properties={"connection_name": self._connection_name},
                    timeout=10,
                    reconnect_interval=1,
                )
                break
            except (OSError, aio_pika.exceptions.AMQPConnectionError) as exc:
                if attempt == attempts:
                    raise
                log.warning("broker.connect_retry", attempt=attempt, error=str(exc))
                await asyncio.sleep(min(attempt * 0.5, 5))
        assert self._connection is not None
        self._publish_channel = await self._connection.channel(publisher_confirms=True)
        self._events = await declare_exchanges(self._publish_channel)

    async def consumer_channel(self, prefetch: int | None = None) -> AbstractChannel:
        if self._connection is None:
            raise RuntimeError("broker not connected")
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=prefetch or self._settings.prefetch)
        return channel

    async def publish_event(
        self, routing_key: str, body: bytes, message_id: str, headers: Mapping[str, str], message_type: str,
        occurred_at: datetime,
    ) -> None:
        """Publishes persistently and returns once the broker confirmed it (raises otherwise)."""
        if self._events is None:
            raise RuntimeError("broker not connected")
        message = aio_pika.Message(
            body,
            headers=dict(headers),
            message_id=message_id,
            type=message_type,
            content_type="application/x-protobuf",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            timestamp=occurred_at,
        )
        await self._with_reconnect(lambda: self._events.publish(message, routing_key=routing_key, mandatory=False, timeout=10))

    async def _with_reconnect(self, publish, patience: float = 15):  # type: ignore[no-untyped-def]
        """Publishes, waiting out a reconnection (broker restart) instead of failing at once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while True:
            try:
                return await publish()
            except (aiormq.exceptions.ChannelInvalidStateError, aiormq.exceptions.ConnectionClosed,
                    aio_pika.exceptions.ChannelClosed, ConnectionError):
                if loop.time() > deadline or self._connection is None:
                    raise
                await asyncio.sleep(0.2)

    async def schedule(
        self, work_queue: str, delay: timedelta, body: bytes, message_id: str, headers: Mapping[str, str],
        patience: float = 15,
    ) -> None:
        """Sends `body` to `work_queue` after `delay`, through that delay's TTL queue."""
        if self._publish_channel is None:
            raise RuntimeError("broker not connected")
        key = (work_queue, int(delay.total_seconds() * 1000))
        if key not in self._delay_queues:
            async with self._lock:
                if key not in self._delay_queues:
                    self._delay_queues[key] = await declare_delay_queue(self._publish_channel, work_queue, delay)
        message = aio_pika.Message(
            body,
            headers=dict(headers),
            message_id=message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        channel = self._publish_channel
        await self._with_reconnect(
            lambda: channel.default_exchange.publish(message, routing_key=self._delay_queues[key], mandatory=True, timeout=10),
            patience,
        )

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


__all__ = ["Broker", "EVENTS_EXCHANGE"]
