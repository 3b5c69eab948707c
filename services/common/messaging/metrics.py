"""Prometheus figures of the messaging layer: retries, parked messages, dead-letter depth, quarantined outbox rows."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

RETRIED = Counter(
    "momentum_consumer_retries_total", "Deliveries that failed transiently and went to the retry ladder", ["consumer"]
)
PARKED = Counter(
    "momentum_consumer_parked_total", "Messages a consumer parked in its dead-letter queue", ["consumer", "why"]
)
PAUSES = Counter("momentum_consumer_pauses_total", "Times a consumer stopped consuming while its database was away",
                 ["consumer"])
DEAD_LETTERS = Gauge("momentum_dead_letter_messages", "Messages waiting in a dead-letter queue", ["queue"])
QUARANTINED = Counter(
    "momentum_outbox_quarantined_total", "Outbox rows the relay quarantined because they cannot be published",
    ["schema"],
)
QUARANTINED_ROWS = Gauge("momentum_outbox_quarantined_rows", "Quarantined outbox rows now in a schema", ["schema"])
