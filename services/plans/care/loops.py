"""Monthly partitions of plans.media_session_metrics: months created ahead, months past retention dropped."""

from __future__ import annotations

from datetime import timedelta

from services.common.db import Database, UnitOfWork
from services.common.logging import get_logger
from services.common.loops import LoopService
from services.common.partitions import keep_month_partitions, maintain_month_partitions

log = get_logger(__name__)

# Media metrics are kept two years; clinical tables (sessions, exercise logs, pose metrics) seven,
# and the partition function cannot touch them: it names media_session_metrics only.
MEDIA_RETENTION_MONTHS = 24
MONTHS_AHEAD = 3
MAINTENANCE_INTERVAL = timedelta(hours=12)
PARTITION_FUNCTION = "plans.maintain_media_partitions"


async def maintain_media_partitions(uow: UnitOfWork, months_ahead: int = MONTHS_AHEAD,
                                    keep_months: int = MEDIA_RETENTION_MONTHS) -> int:
    """Partitions created plus partitions dropped. Runs as the schema owner (SECURITY DEFINER)."""
    return await maintain_month_partitions(uow, PARTITION_FUNCTION, months_ahead, keep_months)


class MediaPartitionKeeper(LoopService):
    """A month's partition exists long before the first row of that month arrives."""

    name = "media-partition-keeper"

    def __init__(self, database: Database, interval: timedelta = MAINTENANCE_INTERVAL) -> None:
        super().__init__(interval.total_seconds())
        self._db = database

    async def run_once(self) -> int:
        changed = await keep_month_partitions(self._db, PARTITION_FUNCTION, MONTHS_AHEAD, MEDIA_RETENTION_MONTHS)
        if changed:
            log.info("media_partitions.maintained", changed=changed)
        return changed
