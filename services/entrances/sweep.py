"""The repair sweep: finalizes PENDING entrances whose deadline passed more than a grace period ago,
covering finalization messages lost to a broker restart, a purge or a crashed consumer."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta

from services.common.clock import Clock
from services.common.db import Database
from services.common.identity import new_request_id, set_current
from services.common.logging import get_logger
from services.common.loops import LoopService
from services.entrances import repository
from services.entrances.finalizer import Finalizer

log = get_logger(__name__)
# Bounds one pass even if some entrance keeps coming back (it is retried on the next pass).
_MAX_BATCHES_PER_PASS = 20


class RepairSweep(LoopService):
    name = "entrance-repair-sweep"

    def __init__(
        self, database: Database, finalizer: Finalizer, clock: Clock, interval: timedelta, grace: timedelta,
        concurrency: int, batch_size: int = 500,
    ) -> None:
        super().__init__(interval.total_seconds())
        self._db = database
        self._finalizer = finalizer
        self._clock = clock
        self._grace = grace
        self._concurrency = concurrency
        self._batch_size = batch_size

    async def run_once(self) -> Counter[str]:
        """One pass; returns how many entrances ended in each outcome (drops included)."""
        set_current(None, f"sweep-{new_request_id()}")
        outcomes: Counter[str] = Counter()
        for _ in range(_MAX_BATCHES_PER_PASS):
            due_before = self._clock.now() - self._grace
            # No tenant on this transaction: the SECURITY DEFINER function is the only thing it can read.
            async with self._db.unit_of_work(None) as uow:
                due = await repository.due_entrances(uow, due_before, self._batch_size)
            if not due:
                break
            gate = asyncio.Semaphore(self._concurrency)

            async def finalize(tenant_id: uuid.UUID, entrance_id: uuid.UUID) -> str:
                async with gate:
                    try:
                        outcome = await self._finalizer.finalize(tenant_id, str(entrance_id))
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:  # plans away, say: the next pass tries again
                        log.warning("entrance.sweep_failed", entrance_id=str(entrance_id), error=repr(exc))
                        return "failed"
                    return outcome.value if outcome else "unknown"

            results = await asyncio.gather(*(finalize(tenant, entrance) for tenant, entrance in due))
            outcomes.update(results)
            if len(due) < self._batch_size or outcomes["failed"]:
                break  # a failing batch would be picked again at once; wait for the next pass
        if outcomes:
            log.info("entrance.sweep_done", **dict(outcomes))
        return outcomes
