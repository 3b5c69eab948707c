"""The broker as an operator sees it: queue depths from rabbitmqctl, and raw messages published or
fetched around the services (a poison body, a dead-lettered message)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Mapping

import aio_pika

from services.common.messaging.topology import EVENTS_EXCHANGE
from tests.support.fresh import rabbitmqctl
from tests.support.processes import PROCESS_VHOST


@dataclass(frozen=True)
class QueueDepth:
    name: str
    ready: int
    unacked: int
    consumers: int

    @property
    def messages(self) -> int:
        return self.ready + self.unacked


def queue_depths(vhost: str = PROCESS_VHOST) -> dict[str, QueueDepth]:
    result = rabbitmqctl(
        "list_queues", "-p", vhost, "--no-table-headers", "name", "messages_ready", "messages_unacknowledged", "consumers",
        check=False,
    )
    depths: dict[str, QueueDepth] = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and all(p.isdigit() for p in parts[1:]):
            depths[parts[0]] = QueueDepth(parts[0], int(parts[1]), int(parts[2]), int(parts[3]))
    return depths


async def queue_depths_async(vhost: str = PROCESS_VHOST) -> dict[str, QueueDepth]:
    return await asyncio.to_thread(queue_depths, vhost)


async def publish_event(
    url: str, routing_key: str, body: bytes, message_id: str, headers: Mapping[str, str], exchange_name: str = EVENTS_EXCHANGE,
) -> None:
    """Straight onto the events exchange, bypassing any outbox: how a buggy or hostile producer would.
    `exchange_name=""` is the default exchange: `routing_key` is then a queue (a job, as a delay queue delivers it)."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(exchange_name) if exchange_name else channel.default_exchange
        await exchange.publish(
            aio_pika.Message(body, message_id=message_id, headers=dict(headers),
                             delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=routing_key,
        )
    finally:
        await connection.close()


async def drain(url: str, queue_name: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Takes (and acks) every message now in `queue_name`, e.g. a dead-letter queue."""
    connection = await aio_pika.connect(url)
    taken = []
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=True)
        while True:
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                break
            await message.ack()
            taken.append(message)
    finally:
        await connection.close()
    return taken


def repair_dead_letter_supervisor() -> bool:
    """RabbitMQ 3.10 can lose `rabbit_fifo_dlx_sup` when a vhost full of at-least-once dead-lettering
    quorum queues is deleted right after a restart (its workers exit with {shutdown,delete} faster
    than the supervisor tolerates). From then on every such queue fails to start and services die with
    INTERNAL_ERROR at declare time. Restarts that supervisor if it is missing; True if it had to."""
    found = rabbitmqctl("eval", "whereis(rabbit_fifo_dlx_sup).", check=False).stdout.strip()
    if found != "undefined":
        return False
    rabbitmqctl("eval", "supervisor:restart_child(rabbit_sup, rabbit_fifo_dlx_sup).", check=False)
    return True
