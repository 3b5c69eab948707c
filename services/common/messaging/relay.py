"""Publishes a schema's outbox rows with publisher confirms and marks them sent.

A crash between commit and publish loses nothing (the row stays unsent); a crash between
publish and mark sends a row twice, which the consumers' inbox absorbs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.logging import get_logger
from services.common.messaging.broker import Broker

log = get_logger(__name__)


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        schema: str,
        broker: Broker,
        poll_interval: timedelta = timedelta(seconds=1),
        batch_size: int = 500,
        keep_published_for: timedelta = timedelta(days=7),
    ) -> None:
        self._engine = engine
        self._schema = schema
        self._broker = broker
        self._poll = poll_interval.total_seconds()
        self._batch_size = batch_size
        self._keep = keep_published_for
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Called after a commit that wrote events, so they go out now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        cycles = 0
        while not self._stopping:
            self._wake.clear()
            try:
                published = await self.publish_pending()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: keep the rows, back off, retry
                failures += 1
                log.warning("outbox.publish_failed", schema=self._schema, error=repr(exc), attempt=failures)
                await asyncio.sleep(min(0.2 * 2**failures, 5))
                continue
            cycles += 1
            if cycles % 600 == 0:
                try:
                    await self._forget_old()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # housekeeping: a failure here must never stop publishing
                    log.warning("outbox.prune_failed", schema=self._schema, error=repr(exc))
            if published == self._batch_size:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            except TimeoutError:
                pass

    async def publish_pending(self) -> int:
        async with self._engine.connect() as conn:
            async with conn.begin():
                rows = (
                    await conn.execute(
                        text(
                            f"SELECT id, message_id, routing_key, tenant_id, message_type, body, request_id, occurred_at "
                            f"FROM {self._schema}.outbox WHERE published_at IS NULL ORDER BY id "
                            "LIMIT :limit FOR UPDATE SKIP LOCKED"
                        ),
                        {"limit": self._batch_size},
                    )
                ).all()
                if not rows:
                    return 0
                # Hundreds in flight at once: awaiting each confirm in turn caps at ~2k msg/s.
                results = await asyncio.gather(
                    *(
                        self._broker.publish_event(
                            row.routing_key,
                            bytes(row.body),
                            row.message_id,
                            {
                                "message_id": row.message_id,
                                "tenant_id": str(row.tenant_id),
                                "occurred_at": row.occurred_at.isoformat(),
                                "request_id": row.request_id or "",
                            },
                            row.message_type,
                            row.occurred_at,
                        )
                        for row in rows
                    ),
                    return_exceptions=True,
                )
                sent = [row.id for row, result in zip(rows, results) if not isinstance(result, BaseException)]
                failed = [row.id for row, result in zip(rows, results) if isinstance(result, BaseException)]
                if sent:
                    await conn.execute(
                        text(f"UPDATE {self._schema}.outbox SET published_at = now() WHERE id = ANY(:ids)"),
                        {"ids": sent},
                    )
                if failed:
                    await conn.execute(
                        text(f"UPDATE {self._schema}.outbox SET attempts = attempts + 1 WHERE id = ANY(:ids)"),
                        {"ids": failed},
                    )
            if failed:
                first = next(r for r in results if isinstance(r, BaseException))
                raise RuntimeError(f"{len(failed)} of {len(rows)} outbox rows not confirmed: {first!r}")
            log.debug("outbox.published", schema=self._schema, count=len(sent))
            return len(sent)

    async def _forget_old(self) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                # The cast: left to infer, Postgres reads the parameter as a timestamp and the comparison fails.
                text(f"DELETE FROM {self._schema}.outbox WHERE published_at < now() - CAST(:keep AS interval)"),
                {"keep": self._keep},
            )

    async def unpublished_count(self) -> int:
        async with self._engine.connect() as conn:
            return int(
                (await conn.execute(text(f"SELECT count(*) FROM {self._schema}.outbox WHERE published_at IS NULL"))).scalar_one()
            )
