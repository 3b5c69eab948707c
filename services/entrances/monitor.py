"""Refreshes the entrance gauges: how many entrances are pending, and how far the oldest is past its window."""

from __future__ import annotations

from datetime import timedelta

from services.common.clock import Clock
from services.common.db import Database
from services.common.loops import LoopService
from services.entrances import metrics, repository


class EntranceMonitor(LoopService):
    """An overdue entrance is one the delay queue should have finalized: a lost message, or a stuck finalizer."""

    name = "entrance-monitor"

    def __init__(self, database: Database, clock: Clock, interval: timedelta) -> None:
        super().__init__(interval.total_seconds())
        self._db = database
        self._clock = clock

    async def run_once(self) -> tuple[int, float]:
        # No tenant on this transaction: the SECURITY DEFINER function is the only thing it can read.
        async with self._db.unit_of_work(None) as uow:
            pending, overdue = await repository.pending_figures(uow, self._clock.now())
        metrics.PENDING.set(pending)
        metrics.OLDEST_OVERDUE.set(round(overdue, 3))
        return pending, overdue
