"""Broker consumers of the telemetry service: consent changes, one queue per instance."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Mapping

from momentum.events.v1 import events_pb2
from services.common.messaging.consumer import Handler
from services.common.messaging.topology import ConsumerQueue
from services.telemetry.handlers import TelemetryHandlers

CONSENT_CHANGED = "plans.consent.changed"


def consent_queue(instance: str) -> ConsumerQueue:
    """Every instance must hear every withdrawal (it may hold that patient's session), so each has its
    own queue rather than sharing one with competing consumers. Instances with stable names
    (a StatefulSet ordinal, host:port) reuse their queue across restarts and miss nothing; the queue of
    an instance that is gone for a day is dropped by the broker (its withdrawals are in the database)."""
    slug = re.sub(r"[^a-z0-9]+", "-", instance.lower()).strip("-")
    return ConsumerQueue(f"telemetry.consent-changes.{slug}", bindings=(CONSENT_CHANGED,), expires=timedelta(days=1))


def consent_handlers(handlers: TelemetryHandlers) -> Mapping[str, tuple[type, Handler]]:
    return {CONSENT_CHANGED: (events_pb2.ConsentChanged, handlers.on_consent_changed)}
