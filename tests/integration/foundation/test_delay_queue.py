"""Delay queues: a message scheduled with a delay arrives after it, not before, and survives a
RabbitMQ restart while it waits."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

import aio_pika

from services.common.messaging.broker import Broker
from tests.support.stack import restart_broker


async def collect(settings, work_queue: str, received: list[tuple[str, float]]):
    connection = await aio_pika.connect_robust(settings.broker.url)
    channel = await connection.channel()
    queue = await channel.declare_queue(work_queue, durable=True)

    async def on_message(message):
        received.append((message.message_id, time.monotonic()))
        await message.ack()

    await queue.consume(on_message)
    return connection


async def test_message_arrives_after_its_delay_and_not_before(fresh_stack):
    settings = fresh_stack
    work_queue = f"tests.delayed-{uuid.uuid4().hex[:8]}"
    received: list[tuple[str, float]] = []
    listener = await collect(settings, work_queue, received)
    broker = Broker(settings.broker, "delay-test")
    await broker.connect()
    try:
        sent_at = time.monotonic()
        await broker.schedule(work_queue, timedelta(seconds=1.5), b"due", "m-1", {"tenant_id": str(uuid.uuid4())})
        await asyncio.sleep(1.2)
        assert received == []
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.05)
        assert [mid for mid, _ in received] == ["m-1"]
        assert received[0][1] - sent_at >= 1.5
    finally:
        await broker.close()
        await listener.close()


async def test_delayed_message_survives_a_broker_restart(fresh_stack):
    settings = fresh_stack
    work_queue = f"tests.delayed-{uuid.uuid4().hex[:8]}"
    broker = Broker(settings.broker, "delay-test")
    await broker.connect()
    # Declare the work queue first so the expired message has somewhere to go.
    setup = await aio_pika.connect(settings.broker.url)
    await (await setup.channel()).declare_queue(work_queue, durable=True)
    await setup.close()
    await broker.schedule(work_queue, timedelta(seconds=6), b"due", "m-restart", {"tenant_id": str(uuid.uuid4())})
    await broker.close()
    sent_at = time.monotonic()

    await restart_broker()

    received: list[tuple[str, float]] = []
    listener = await collect(settings, work_queue, received)
    try:
        for _ in range(400):
            if received:
                break
            await asyncio.sleep(0.05)
        assert [mid for mid, _ in received] == ["m-restart"]
        assert received[0][1] - sent_at >= 5.9
    finally:
        await listener.close()
