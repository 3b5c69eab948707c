"""The broker's shape: one topic exchange for events, a quorum queue per consumer with a dead-letter
queue, and fixed-TTL quorum delay and retry queues that dead-letter into their work queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

EVENTS_EXCHANGE = "momentum.events"
DEAD_LETTER_EXCHANGE = "momentum.dead-letter"


@dataclass(frozen=True)
class ConsumerQueue:
    """A durable queue owned by one consumer, named `<consumer>.<purpose>`."""

    name: str
    bindings: tuple[str, ...] = ()
    # For a queue that belongs to one process instance (its name carries the instance): RabbitMQ
    # deletes it once unused this long, so restarts under new names leave nothing filling up.
    expires: timedelta | None = None

    @property
    def dead_letter_name(self) -> str:
        return f"{self.name}{DEAD_SUFFIX}"


# Headers the consumers write when they retry or park a message. The routing key a message was
# published with: a delay queue hands it back under the work queue's name.
ROUTING_KEY_HEADER = "x-momentum-routing-key"
ATTEMPT_HEADER = "x-momentum-attempt"
FIRST_FAILURE_HEADER = "x-momentum-first-failure"
LAST_FAILURE_HEADER = "x-momentum-last-failure"
LAST_ERROR_HEADER = "x-momentum-last-error"
DEAD_REASON_HEADER = "x-momentum-dead-reason"
DEAD_SUFFIX = ".dead"


# Delay and retry queues were classic until they became quorum; a queue's type cannot change, so the quorum
# ones carry this suffix and the classic ones of an older release drain into their work queues by themselves
# (docs/scaling.md, "Moving a running broker to quorum delay queues").
QUORUM_DELAY_SUFFIX = ".q"


def delay_queue_name(work_queue: str, delay: timedelta, kind: str = "delay") -> str:
    # The delay is part of the name: a new delay is a new queue, never a clash with the
    # arguments of an existing one.
    return f"{work_queue}.{kind}-{int(delay.total_seconds() * 1000)}ms{QUORUM_DELAY_SUFFIX}"


def retry_queue_name(work_queue: str, delay: timedelta) -> str:
    """Where a transiently failed message of `work_queue` waits out one step of the retry ladder."""
    return delay_queue_name(work_queue, delay, "retry")


def work_queue_of(dead_letter_queue: str) -> str:
    """`streaks.user-events.dead` -> `streaks.user-events`."""
    if not dead_letter_queue.endswith(DEAD_SUFFIX) or len(dead_letter_queue) == len(DEAD_SUFFIX):
        raise ValueError(f"{dead_letter_queue!r} is not a dead-letter queue (<queue>{DEAD_SUFFIX})")
    return dead_letter_queue[: -len(DEAD_SUFFIX)]


async def declare_exchanges(channel: AbstractChannel) -> AbstractExchange:
    events = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
    return events


async def declare_consumer_queue(channel: AbstractChannel, spec: ConsumerQueue, delivery_limit: int) -> AbstractQueue:
    await declare_exchanges(channel)
    lifetime = {"x-expires": int(spec.expires.total_seconds() * 1000)} if spec.expires else {}
    dead = await channel.declare_queue(
        spec.dead_letter_name, durable=True, arguments={"x-queue-type": "quorum", **lifetime}
    )
    await dead.bind(DEAD_LETTER_EXCHANGE, routing_key=spec.name)
    queue = await channel.declare_queue(
        spec.name,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": spec.name,
            # at-least-once dead-lettering keeps a parked message until the DLQ confirms it;
            # RabbitMQ requires reject-publish overflow for that strategy.
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
            **lifetime,
        },
    )
    for routing_key in spec.bindings:
        await queue.bind(EVENTS_EXCHANGE, routing_key=routing_key)
    return queue


async def declare_delay_queue(
    channel: AbstractChannel, work_queue: str, delay: timedelta, kind: str = "delay", expires: timedelta | None = None,
) -> str:
    """A quorum queue (replicated: a delayed message survives the loss of a node) whose messages expire after
    `delay` into `work_queue` (by name, through the default exchange, so only that queue's consumer sees them).

    One fixed TTL per queue: per-message expiration would block behind the head message. At-least-once
    dead-lettering keeps an expired message in this queue until the work queue confirmed it (RabbitMQ 3.10+;
    it requires reject-publish overflow)."""
    name = delay_queue_name(work_queue, delay, kind)
    lifetime = {"x-expires": int(expires.total_seconds() * 1000)} if expires else {}
    await channel.declare_queue(
        name,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-message-ttl": int(delay.total_seconds() * 1000),
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": work_queue,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
            **lifetime,
        },
    )
    return name
