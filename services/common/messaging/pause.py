"""Pause, not spin: a consumer whose database (or a service it calls) is away stops consuming, probes the
dependency with a short backoff, and resumes once it answers."""

from __future__ import annotations

import asyncio
import contextvars
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

from services.common.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Outage:
    """A dependency a consumer waits out: how to recognise its failure, and how to ask whether it is back."""

    dependency: str
    recognise: Callable[[BaseException], bool]
    probe: Callable[[], Awaitable[object]]


class ConsumerPause:
    """Stops a consumer (basic.cancel) while an outage's probe fails and starts it again once it succeeds.

    `trigger()` is idempotent: fifty messages in hand that all hit the outage pause once. Messages that
    fail meanwhile go to the retry ladder; they wait in the work queue until consumption resumes."""

    def __init__(
        self,
        name: str,
        stop_consuming: Callable[[], Awaitable[None]],
        start_consuming: Callable[[], Awaitable[None]],
        first_wait: float = 0.5,
        longest_wait: float = 5.0,
    ) -> None:
        self._name = name
        self._stop_consuming = stop_consuming
        self._start_consuming = start_consuming
        self._first_wait = first_wait
        self._longest_wait = longest_wait
        self._task: asyncio.Task[None] | None = None
        self.pauses = 0  # for tests and logs: how many outages this consumer sat out

    @property
    def paused(self) -> bool:
        return self._task is not None and not self._task.done()

    def trigger(self, outage: Outage, reason: str) -> None:
        if self.paused:
            return
        self.pauses += 1
        # A context of its own: the message that tripped the pause must not label every line of the pause.
        self._task = asyncio.create_task(
            self._sit_out(outage, reason), name=f"{self._name}-pause", context=contextvars.Context()
        )

    async def close(self) -> None:
        """Stops probing (service shutdown); the consumer stays stopped."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _sit_out(self, outage: Outage, reason: str) -> None:
        started = time.monotonic()
        log.warning("consumer.paused", consumer=self._name, dependency=outage.dependency, reason=reason[:300])
        try:
            await self._stop_consuming()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the channel may be gone too; the broker then stops delivering anyway
            log.warning("consumer.pause_cancel_failed", consumer=self._name, error=repr(exc)[:300])
        wait, probes = self._first_wait, 0
        while True:
            await asyncio.sleep(wait)
            probes += 1
            try:
                await outage.probe()
                break
            except asyncio.CancelledError:
                raise
            except Exception:  # still away: wait longer, up to the cap
                wait = min(wait * 2, self._longest_wait)
        while True:
            try:
                await self._start_consuming()
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker is reconnecting: try again shortly
                log.warning("consumer.resume_failed", consumer=self._name, error=repr(exc)[:300])
                await asyncio.sleep(self._longest_wait)
        log.warning(
            "consumer.resumed", consumer=self._name, dependency=outage.dependency, paused_seconds=round(time.monotonic() - started, 2), probes=probes
        )
