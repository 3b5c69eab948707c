"""The billing loops: windows and months that ended turn from projected to ready; the records counted by status."""

from __future__ import annotations

from datetime import timedelta

from services.common.clock import Clock
from services.common.db import Database
from services.common.logging import get_logger
from services.common.loops import LoopService
from services.plans import metrics
from services.plans.billing import repository
from services.plans.billing.handlers import close_finished_periods
from services.plans.domain.billing import BillingStatus

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


class BillingMonitor(LoopService):
    """The billing gauges, recounted from the database on the monitor's interval."""

    name = "billing-monitor"

    def __init__(self, database: Database, clock: Clock, interval: timedelta) -> None:
        super().__init__(interval.total_seconds())
        self._db = database
        self._clock = clock

    async def run_once(self) -> dict[str, int]:
        # No tenant on this transaction: the SECURITY DEFINER function is the only thing it can read.
        async with self._db.unit_of_work(None) as uow:
            counts, unclosed = await repository.record_counts(uow, self._clock.now().date())
        for status in BillingStatus:
            metrics.BILLING_RECORDS.labels(status.value).set(counts.get(status.value, 0))
        metrics.BILLING_UNCLOSED.set(unclosed)
        return counts
