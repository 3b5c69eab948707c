"""Dead-letter queues as an operator sees them: summaries, the messages, replay into the work queue, purge.

Pure broker code (aio-pika). Peeking takes messages unacknowledged and closes the channel, so the
broker puts every one back; replay publishes with confirms before it acks, so a message is never lost
(a crash in between sends it twice, which the consumers' inbox absorbs)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from services.common.messaging.consumer import copy_for_republish
from services.common.messaging.topology import (
    ATTEMPT_HEADER,
    DEAD_REASON_HEADER,
    FIRST_FAILURE_HEADER,
    LAST_ERROR_HEADER,
    LAST_FAILURE_HEADER,
    ROUTING_KEY_HEADER,
    work_queue_of,
)

# A summary reads at most this many messages of a queue; the count is always the broker's.
SUMMARY_SAMPLE = 2_000


class NoSuchQueue(LookupError):
    """The named dead-letter queue does not exist on this vhost."""


@dataclass(frozen=True)
class DeadMessage:
    queue: str
    routing_key: str
    message_id: str
    tenant_id: str
    attempts: int
    reason: str
    first_failure: str
    last_failure: str


@dataclass(frozen=True)
class QueueSummary:
    queue: str
    count: int
    first_failure: str
    last_failure: str
    top_reason: str
    top_reason_count: int


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    return "" if value is None else str(value)


def _first_death(headers: dict[str, Any]) -> dict[str, Any]:
    deaths = headers.get("x-death") or []
    return dict(deaths[0]) if deaths and isinstance(deaths[0], dict) else {}


def describe(queue: str, message: AbstractIncomingMessage) -> DeadMessage:
    """What a parked message says about itself: our headers when a consumer parked it, the broker's
    x-death when the delivery limit or a plain reject did."""
    headers = dict(message.headers or {})
    death = _first_death(headers)
    keys = death.get("routing-keys") or []
    routing_key = _text(headers.get(ROUTING_KEY_HEADER)) or (_text(keys[0]) if keys else _text(message.routing_key))
    attempts = headers.get(ATTEMPT_HEADER)
    if attempts is None:
        attempts = headers.get("x-delivery-count", death.get("count", 1))
    reason = _text(headers.get(DEAD_REASON_HEADER)) or (
        f"broker dead-lettered it: {_text(death.get('reason'))}" if death else "unknown"
    )
    died = _text(death.get("time")) if death else ""
    return DeadMessage(
        queue=queue,
        routing_key=routing_key,
        message_id=_text(message.message_id or headers.get("message_id")),
        tenant_id=_text(headers.get("tenant_id")),
        attempts=int(_text(attempts) or 0),
        reason=reason,
        first_failure=_text(headers.get(FIRST_FAILURE_HEADER)) or died,
        last_failure=_text(headers.get(LAST_FAILURE_HEADER)) or died,
    )


async def _queue(channel: AbstractChannel, name: str) -> aio_pika.abc.AbstractQueue:
    try:
        return await channel.declare_queue(name, passive=True)
    except aiormq.exceptions.ChannelNotFoundEntity as exc:
        raise NoSuchQueue(f"no queue {name!r} on this vhost") from exc


async def _peek(url: str, queue: str, limit: int) -> tuple[int, list[DeadMessage]]:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        dead = await _queue(channel, queue)
        count = int(dead.declaration_result.message_count or 0)
        seen: list[DeadMessage] = []
        while len(seen) < min(limit, count):
            message = await dead.get(no_ack=False, fail=False)
            if message is None:
                break
            seen.append(describe(queue, message))
        # Closing without acks hands every message back to the queue.
        await channel.close()
        return count, seen
    finally:
        await connection.close()


async def show(url: str, queue: str, limit: int = 20) -> list[DeadMessage]:
    work_queue_of(queue)
    return (await _peek(url, queue, limit))[1]


async def summarize(url: str, queues: Iterable[str]) -> list[QueueSummary]:
    """Per existing dead-letter queue: count, first and last failure, the most common reason."""
    summaries = []
    for name in queues:
        try:
            count, sample = await _peek(url, name, SUMMARY_SAMPLE)
        except NoSuchQueue:
            continue
        reasons = Counter(_reason_kind(m.reason) for m in sample)
        top, top_count = reasons.most_common(1)[0] if reasons else ("", 0)
        firsts = sorted(m.first_failure for m in sample if m.first_failure)
        lasts = sorted(m.last_failure for m in sample if m.last_failure)
        summaries.append(QueueSummary(name, count, firsts[0] if firsts else "", lasts[-1] if lasts else "", top, top_count))
    return summaries


def _reason_kind(reason: str) -> str:
    # "failed transiently for 912 s (14 attempts): ..." differs per message in its figures; group on the error.
    if reason.startswith("failed transiently for") and "): " in reason:
        return "failed transiently: " + reason.split("): ", 1)[1]
    return reason


async def replay(
    url: str, queue: str, limit: int | None = None, on_moved: Callable[[int, int], None] | None = None
) -> int:
    """Moves up to `limit` messages (all when None) back into their work queue; returns how many.
    `on_moved(moved, planned)` follows the work (the operator's progress bar)."""
    work_queue = work_queue_of(queue)
    connection = await aio_pika.connect(url)
    moved = 0
    try:
        taking = await connection.channel()
        sending = await connection.channel(publisher_confirms=True)
        dead = await _queue(taking, queue)
        await _queue(taking, work_queue)
        total = int(dead.declaration_result.message_count or 0)
        budget = total if limit is None else min(limit, total)
        while moved < budget:
            message = await dead.get(no_ack=False, fail=False)
            if message is None:
                break
            described = describe(queue, message)
            copy = copy_for_republish(message, {ROUTING_KEY_HEADER: described.routing_key})
            # A replayed message starts a fresh retry ladder.
            for header in (ATTEMPT_HEADER, FIRST_FAILURE_HEADER, LAST_FAILURE_HEADER, LAST_ERROR_HEADER,
                           DEAD_REASON_HEADER):
                copy.headers.pop(header, None)
            await sending.default_exchange.publish(copy, routing_key=work_queue, mandatory=True, timeout=10)
            await message.ack()
            moved += 1
            if on_moved is not None:
                on_moved(moved, budget)
    finally:
        await connection.close()
    return moved


async def purge(url: str, queue: str) -> int:
    """Drops every message of a dead-letter queue; returns how many."""
    work_queue_of(queue)
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        dead = await _queue(channel, queue)
        result = await dead.purge()
        return int(getattr(result, "message_count", 0) or 0)
    finally:
        await connection.close()


def as_rows(items: Iterable[Any]) -> list[dict[str, Any]]:
    return [asdict(item) for item in items]


__all__ = ["DeadMessage", "NoSuchQueue", "QueueSummary", "as_rows", "purge", "replay", "show", "summarize"]
