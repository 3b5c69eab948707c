"""Telemetry's background loops: silent sessions finalized, leases renewed and recovered, partitions kept."""

from __future__ import annotations

from datetime import timedelta

from services.common.loops import LoopService
from services.telemetry.handlers import TelemetryHandlers

PARTITION_EVERY = timedelta(hours=12)


class SilenceWatch(LoopService):
    """Sessions with no data for the silence timeout are finalized as incomplete."""

    name = "telemetry-silence-watch"

    def __init__(self, handlers: TelemetryHandlers) -> None:
        tick = min(handlers.timing.silence_timeout / 4, timedelta(seconds=30)).total_seconds()
        super().__init__(max(tick, 0.05), run_first=False)
        self._handlers = handlers

    async def run_once(self) -> int:
        return await self._handlers.finalize_silent()


class LeaseKeeper(LoopService):
    """This instance's leases renewed; sessions of instances that stopped renewing recovered."""

    name = "telemetry-lease-keeper"

    def __init__(self, handlers: TelemetryHandlers) -> None:
        super().__init__(handlers.timing.lease_every.total_seconds())
        self._handlers = handlers

    async def run_once(self) -> int:
        return await self._handlers.renew_and_recover()


class PartitionKeeper(LoopService):
    """Monthly media partitions created ahead and dropped past retention."""

    name = "telemetry-partition-keeper"

    def __init__(self, handlers: TelemetryHandlers, interval: timedelta = PARTITION_EVERY) -> None:
        super().__init__(interval.total_seconds())
        self._handlers = handlers

    async def run_once(self) -> int:
        return await self._handlers.maintain_partitions()
