"""Prometheus figures of the messaging layer: deliveries by outcome, retries, parks, dead letters, the outbox backlog."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# outcome: handled | duplicate (the inbox had it) | ignored (no handler wants it) | retried | parked
DELIVERIES = Counter(
    "momentum_consumer_deliveries_total", "Messages a consumer took from its queue, by what became of them",
    ["consumer", "outcome"],
)
HANDLING = Histogram(
    "momentum_consumer_handling_seconds", "Time from delivery to ack of a handled message, commit included",
    ["consumer"], buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
PUBLISHED = Counter("momentum_outbox_published_total", "Outbox rows the relay published, confirmed", ["schema"])
PUBLISH_FAILURES = Counter(
    "momentum_outbox_publish_failures_total", "Relay batches the broker did not confirm in full (the rows stay)",
    ["schema"],
)
BACKLOG = Gauge("momentum_outbox_backlog_rows", "Outbox rows waiting to be published (not quarantined)", ["schema"])
OLDEST = Gauge(
    "momentum_outbox_oldest_age_seconds", "Age of the oldest outbox row waiting to be published, 0 when none",
    ["schema"],
)

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
