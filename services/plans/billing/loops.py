"""The billing loop: windows and months that ended turn from projected to ready."""

from __future__ import annotations

from datetime import timedelta

from services.common.clock import Clock
from services.common.db import Database
from services.common.logging import get_logger
from services.common.loops import LoopService
from services.plans.billing.handlers import close_finished_periods

log = get_logger(__name__)

# Windows and months close at the patients' midnights; checking hourly keeps "ready" at most an hour late.
PERIOD_CLOSE_INTERVAL = timedelta(hours=1)


class PeriodCloser(LoopService):
    """Windows and months that ended turn from projected to ready."""

    name = "billing-period-closer"

    def __init__(self, database: Database, clock: Clock, interval: timedelta = PERIOD_CLOSE_INTERVAL) -> None:
        super().__init__(interval.total_seconds())
        self._db = database
        self._clock = clock

    async def run_once(self) -> int:
        changed = await close_finished_periods(self._db, self._clock)
        if changed:
            log.info("billing.periods_closed", patients=changed)
        return changed
