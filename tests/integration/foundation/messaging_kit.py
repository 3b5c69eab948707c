"""A consumer of its own for each messaging test: a unique queue and routing key, streaks' real timezone handler
behind a switch that fails on demand, and a broker with a short retry ladder."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta, timezone

import aio_pika
from sqlalchemy import text

from momentum.events.v1 import events_pb2
from services.common.messaging.broker import Broker
from services.common.messaging.consumer import Consumer, IncomingEvent, PoisonMessage
from services.common.messaging.topology import ConsumerQueue
from services.streaks.consumers import USER_EVENT_HANDLERS
from tests.support.clinic import Clinic

_, APPLY_TIMEZONE = USER_EVENT_HANDLERS["plans.user.timezone_changed"]


class Switchboard:
    """The handler: fails the first `transient` calls (RuntimeError), or always when `poison`/`always_fail`;
    otherwise applies the real streaks effect. Records the attempt number each call saw."""

    def __init__(self, transient: int = 0, poison: bool = False, always_fail: bool = False) -> None:
        self.transient = transient
        self.poison = poison
        self.always_fail = always_fail
        self.calls: list[int] = []

    async def __call__(self, event: IncomingEvent, uow) -> None:  # type: ignore[no-untyped-def]
        self.calls.append(event.attempt)
        if self.poison:
            raise PoisonMessage("test: this message names a patient that never existed")
        if self.always_fail or len(self.calls) <= self.transient:
            raise RuntimeError(f"test: downstream away (call {len(self.calls)})")
        await APPLY_TIMEZONE(event, uow)


@dataclasses.dataclass
class ProbeConsumer:
    consumer: Consumer
    broker: Broker
    spec: ConsumerQueue
    routing_key: str
    url: str

    async def publish(self, clinic: Clinic, zone: str = "Asia/Tokyo", message_id: str | None = None) -> str:
        message_id = message_id or str(uuid.uuid4())
        at = datetime.now(timezone.utc)
        body = events_pb2.UserTimezoneChanged(user_id=str(clinic.patient_id), role="patient", timezone=zone)
        body.changed_at.FromDatetime(at)
        await self.broker.publish_event(
            self.routing_key, body.SerializeToString(), message_id,
            {"message_id": message_id, "tenant_id": str(clinic.tenant_id), "request_id": "messaging-test"},
            "momentum.events.v1.UserTimezoneChanged", at,
        )
        return message_id

    async def dead(self) -> list[aio_pika.abc.AbstractIncomingMessage]:
        """Takes every parked message (acked: the queue is empty afterwards)."""
        connection = await aio_pika.connect(self.url)
        taken = []
        try:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.spec.dead_letter_name, passive=True)
            while (message := await queue.get(fail=False, no_ack=False)) is not None:
                await message.ack()
                taken.append(message)
        finally:
            await connection.close()
        return taken

    async def stop(self) -> None:
        await self.consumer.stop(drain_timeout=2)
        connection = await aio_pika.connect(self.url)
        try:
            channel = await connection.channel()
            for suffix in ("", ".dead"):
                await channel.queue_delete(self.spec.name + suffix)
        finally:
            await connection.close()
        await self.broker.close()


async def start_test_consumer(
    stack, handler: Switchboard, ladder: tuple[float, ...] = (0.2,), park_after: float = 60,  # type: ignore[no-untyped-def]
) -> ProbeConsumer:
    tag = uuid.uuid4().hex[:10]
    routing_key = f"test.{tag}.timezone_changed"
    spec = ConsumerQueue(f"test.retry-{tag}", bindings=(routing_key,))
    settings = dataclasses.replace(
        stack.settings.broker,
        retry_ladder=tuple(timedelta(seconds=s) for s in ladder),
        retry_park_after=timedelta(seconds=park_after),
    )
    broker = Broker(settings, f"momentum-test-{tag}")
    await broker.connect()
    consumer = Consumer(
        f"test-{tag}", spec, {routing_key: (events_pb2.UserTimezoneChanged, handler)},
        stack.runtimes["streaks"].database, broker,
    )
    await consumer.start()
    return ProbeConsumer(consumer, broker, spec, routing_key, settings.url)


async def timezone_changes(stack, clinic: Clinic) -> int:  # type: ignore[no-untyped-def]
    async with stack.runtimes["streaks"].database.unit_of_work(clinic.tenant_id) as uow:
        row = (
            await uow.execute(
                text("SELECT timezone_changes FROM streaks.patients WHERE patient_id = :p"), {"p": clinic.patient_id}
            )
        ).first()
    return int(row[0]) if row else 0


async def inbox_rows(stack, consumer_name: str) -> int:  # type: ignore[no-untyped-def]
    async with stack.runtimes["streaks"].database.unit_of_work(None) as uow:
        return int(
            (await uow.execute(text("SELECT count(*) FROM streaks.inbox WHERE consumer = :c"), {"c": consumer_name}))
            .scalar_one()
        )
