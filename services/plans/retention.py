"""Monthly partitions of plans.media_session_metrics: months created ahead, months past retention dropped."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Awaitable, Callable

from sqlalchemy import text

from services.common.db import Database, UnitOfWork
from services.common.logging import get_logger

log = get_logger(__name__)

# Media metrics are kept two years; clinical tables (sessions, exercise logs, pose metrics) seven,
# and the partition function cannot touch them: it names media_session_metrics only.
MEDIA_RETENTION_MONTHS = 24
MONTHS_AHEAD = 3
MAINTENANCE_INTERVAL = timedelta(hours=12)


async def maintain_media_partitions(uow: UnitOfWork, months_ahead: int = MONTHS_AHEAD,
                                    keep_months: int = MEDIA_RETENTION_MONTHS) -> int:
    """Partitions created plus partitions dropped. Runs as the schema owner (SECURITY DEFINER)."""
    result = await uow.execute(
        text("SELECT plans.maintain_media_partitions(:ahead, :keep)"), {"ahead": months_ahead, "keep": keep_months}
    )
    return int(result.scalar_one())


def media_partition_keeper(database: Database, interval: timedelta = MAINTENANCE_INTERVAL) -> Callable[[], Awaitable[None]]:
    """A runtime loop: a month's partition exists long before the first row of that month arrives."""

    async def keep_media_partitions() -> None:
        while True:
            try:
                async with database.unit_of_work(None) as uow:
                    changed = await maintain_media_partitions(uow)
                    await uow.commit()
                if changed:
                    log.info("media_partitions.maintained", changed=changed)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Months are created three ahead: a missed round is caught up by the next one.
                log.exception("media_partitions.maintenance_failed")
            await asyncio.sleep(interval.total_seconds())

    return keep_media_partitions
