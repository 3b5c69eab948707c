"""Refreshes the messaging gauges of one process: dead-letter depth, the outbox backlog and its quarantined rows."""

from __future__ import annotations

from typing import Sequence

from services.common.loops import LoopService
from services.common.messaging import metrics
from services.common.messaging.broker import Broker
from services.common.messaging.consumer import Consumer
from services.common.messaging.relay import OutboxRelay


class MessagingMonitor(LoopService):
    name = "messaging-monitor"

    def __init__(self, broker: Broker, consumers: Sequence[Consumer], relay: OutboxRelay, interval: float = 15):
        super().__init__(interval)
        self._broker = broker
        self._consumers = consumers
        self._relay = relay

    async def run_once(self) -> dict[str, int]:
        queues = [consumer.spec.dead_letter_name for consumer in self._consumers]
        found = await self._broker.queue_depths(queues) if queues else {}
        for queue, count in found.items():
            metrics.DEAD_LETTERS.labels(queue).set(count)
        metrics.QUARANTINED_ROWS.labels(self._relay.schema).set(await self._relay.quarantined_count())
        waiting, oldest = await self._relay.backlog()
        metrics.BACKLOG.labels(self._relay.schema).set(waiting)
        metrics.OLDEST.labels(self._relay.schema).set(round(oldest, 3))
        return found
