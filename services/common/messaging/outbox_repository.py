"""The outbox relay's SQL: claim pending rows, mark them sent, count failures, quarantine, prune."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


async def claim_pending(conn: AsyncConnection, schema: str, limit: int) -> Sequence[Any]:
    """Unsent, unquarantined rows in order, locked so that another relay skips them."""
    return (
        await conn.execute(
            text(
                "SELECT id, message_id, routing_key, tenant_id, message_type, body, request_id, occurred_at, traceparent, "
                f"tracestate FROM {schema}.outbox WHERE published_at IS NULL AND quarantined_at IS NULL ORDER BY id "
                "LIMIT :limit FOR UPDATE SKIP LOCKED"
            ),
            {"limit": limit},
        )
    ).all()


async def mark_sent(conn: AsyncConnection, schema: str, ids: list[int]) -> None:
    await conn.execute(text(f"UPDATE {schema}.outbox SET published_at = now() WHERE id = ANY(:ids)"), {"ids": ids})


async def count_failure(conn: AsyncConnection, schema: str, ids: list[int]) -> None:
    await conn.execute(text(f"UPDATE {schema}.outbox SET attempts = attempts + 1 WHERE id = ANY(:ids)"), {"ids": ids})


async def quarantine(conn: AsyncConnection, schema: str, row_id: int, reason: str) -> None:
    """Set aside for good: the relay never claims it again; an operator reads the reason."""
    await conn.execute(
        text(
            f"UPDATE {schema}.outbox SET quarantined_at = now(), quarantine_reason = :reason, "
            "attempts = attempts + 1 WHERE id = :id"
        ),
        {"id": row_id, "reason": reason},
    )


async def forget_published(engine: AsyncEngine, schema: str, keep: timedelta) -> int:
    async with engine.begin() as conn:
        result = await conn.execute(
            # The cast: left to infer, Postgres reads the parameter as a timestamp and the comparison fails.
            text(f"DELETE FROM {schema}.outbox WHERE published_at < now() - CAST(:keep AS interval)"),
            {"keep": keep},
        )
        return int(result.rowcount or 0)


async def unpublished_count(engine: AsyncEngine, schema: str) -> int:
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    text(f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL AND quarantined_at IS NULL")
                )
            ).scalar_one()
        )


async def quarantined_count(engine: AsyncEngine, schema: str) -> int:
    async with engine.connect() as conn:
        return int(
            (await conn.execute(text(f"SELECT count(*) FROM {schema}.outbox WHERE quarantined_at IS NOT NULL"))).scalar_one()
        )


async def backlog(engine: AsyncEngine, schema: str) -> tuple[int, float]:
    """How many rows wait to be published, and how long the oldest has waited (by its insert time)."""
    async with engine.connect() as conn:
        count, age = (
            await conn.execute(
                text(
                    f"SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) FROM {schema}.outbox "
                    "WHERE published_at IS NULL AND quarantined_at IS NULL"
                )
            )
        ).one()
        return int(count), max(float(age), 0.0)
