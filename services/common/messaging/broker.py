"""One robust broker connection per process: a confirming publish channel, consumer channels,
and topology re-declared on every reconnect."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Mapping

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from aio_pika.robust_connection import RobustConnection
from yarl import URL

from pamqp.frame import marshal
from pamqp.header import ContentHeader

from services.common.logging import get_logger
from services.common.messaging.topology import EVENTS_EXCHANGE, declare_delay_queue, declare_exchanges
from services.common.settings import BrokerSettings
from services.common.tracing import current_context_carrier

log = get_logger(__name__)


class Unencodable(ValueError):
    """The message cannot be put on the wire (a property or header AMQP cannot carry): a fault of the message."""


def event_message(
    body: bytes, message_id: str, headers: Mapping[str, str], message_type: str, occurred_at: datetime,
) -> aio_pika.Message:
    """An event as it goes on the wire, encoded once here so a message AMQP cannot carry fails before publishing
    (an instant before 1970 overflows the AMQP timestamp), not somewhere inside a batch of confirms."""
    try:
        message = aio_pika.Message(
            body,
            headers=dict(headers),
            message_id=message_id,
            type=message_type,
            content_type="application/x-protobuf",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            timestamp=occurred_at,
        )
        marshal(ContentHeader(0, len(body), message.properties), 1)
    except Exception as exc:  # struct.error, OverflowError, TypeError, ValueError: all about this message
        raise Unencodable(f"{type(exc).__name__}: {exc}"[:300]) from exc
    return message


class FailoverConnection(RobustConnection):
    """aio-pika's robust connection over the nodes of a cluster: every (re)connection attempt goes to the next
    node in turn, so a dead node costs one failed attempt and consumers and channels are restored on a live one.

    aio-pika takes one URL (its maintainers point at round-robin DNS, mosquito/aio-pika#104 and #141); this
    hooks the one step that opens the transport, which reads `self.url`, and leaves the rest of the recovery
    (channels, QoS, consumers, declarations) to aio-pika."""

    def __init__(self, urls: tuple[str, ...], first: int = 0, **kwargs: object) -> None:
        self._nodes = tuple(URL(url) for url in urls)
        self._next = first % len(self._nodes)
        super().__init__(self._nodes[self._next], **kwargs)  # type: ignore[arg-type]

    async def _RobustConnection__connect_transport(self) -> None:  # the name-mangled private step, overridden
        self.url = self._nodes[self._next]
        self._next = (self._next + 1) % len(self._nodes)
        await RobustConnection._RobustConnection__connect_transport(self)  # type: ignore[attr-defined]


async def connect_failover(
    urls: tuple[str, ...], first: int = 0, timeout: float | None = None, **kwargs: object
) -> AbstractRobustConnection:
    """Like aio_pika.connect_robust, over a list of nodes starting at `first`."""
    connection = FailoverConnection(urls, first, **kwargs)
    await connection.connect(timeout=timeout)
    return connection


class Broker:
    def __init__(self, settings: BrokerSettings, connection_name: str) -> None:
        self._settings = settings
        self._connection_name = connection_name
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._events: AbstractExchange | None = None
        self._delay_queues: dict[tuple[str, int, str], str] = {}
        self._lock = asyncio.Lock()

    @property
    def settings(self) -> BrokerSettings:
        return self._settings

    @property
    def connected(self) -> bool:
        """The robust connection is open (False before connect and while it waits to reconnect)."""
        return self._connection is not None and not self._connection.is_closed

    async def connect(self, attempts: int = 30) -> None:
        urls = self._settings.node_urls
        for attempt in range(1, attempts + 1):
            try:
                # Each first attempt starts at the next node: with one node down, start-up costs one try.
                self._connection = await connect_failover(
                    urls,
                    attempt - 1,
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
        await self.publish_message(routing_key, event_message(body, message_id, headers, message_type, occurred_at))

    async def publish_message(self, routing_key: str, message: aio_pika.Message) -> None:
        """Onto the events exchange; returns once the broker confirmed it (raises otherwise)."""
        if self._events is None:
            raise RuntimeError("broker not connected")
        events = self._events
        await self._with_reconnect(lambda: events.publish(message, routing_key=routing_key, mandatory=False, timeout=10))

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
        message = aio_pika.Message(
            body,
            # The trace of the request that scheduled the work goes on in its consumer, when tracing is on.
            headers={**headers, **current_context_carrier()},
            message_id=message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await self.send_later(work_queue, delay, message, patience=patience)

    async def send_later(
        self, work_queue: str, delay: timedelta, message: aio_pika.Message, kind: str = "delay",
        expires: timedelta | None = None, patience: float = 15,
    ) -> None:
        """Publishes `message` into the `kind` TTL queue of `delay` for `work_queue` (declared on first use) and
        returns once the broker confirmed it: after that the caller may ack the original."""
        if self._publish_channel is None:
            raise RuntimeError("broker not connected")
        key = (work_queue, int(delay.total_seconds() * 1000), kind)
        if key not in self._delay_queues:
            async with self._lock:
                if key not in self._delay_queues:
                    self._delay_queues[key] = await declare_delay_queue(
                        self._publish_channel, work_queue, delay, kind, expires
                    )
        try:
            await self.send_to_queue(self._delay_queues[key], message, patience)
        except Exception:
            # The queue may have expired or been deleted by an operator: declare it again next time.
            self._delay_queues.pop(key, None)
            raise

    async def send_to_queue(self, queue: str, message: aio_pika.Message, patience: float = 15) -> None:
        """Publishes straight into `queue` through the default exchange; mandatory, so a missing queue is an
        error rather than a silent drop, and confirmed before this returns."""
        if self._publish_channel is None:
            raise RuntimeError("broker not connected")
        channel = self._publish_channel
        await self._with_reconnect(
            lambda: channel.default_exchange.publish(message, routing_key=queue, mandatory=True, timeout=10),
            patience,
        )

    async def queue_depths(self, names: list[str]) -> dict[str, int]:
        """Message count of each existing queue, on this connection (a passive declare each; a missing queue
        closes only its own short-lived channel)."""
        if self._connection is None:
            raise RuntimeError("broker not connected")
        found: dict[str, int] = {}
        for name in names:
            channel = await self._connection.channel()
            try:
                queue = await channel.declare_queue(name, passive=True)
                found[name] = int(queue.declaration_result.message_count or 0)
            except aiormq.exceptions.ChannelNotFoundEntity:
                continue
            finally:
                if not channel.is_closed:
                    await channel.close()
        return found

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


__all__ = ["Broker", "EVENTS_EXCHANGE", "FailoverConnection", "Unencodable", "connect_failover", "event_message"]
