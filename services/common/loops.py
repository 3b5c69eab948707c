"""One base for every background loop of every service: run, log a failure, wait, run again."""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod

from services.common.logging import get_logger

log = get_logger(__name__)


class LoopService(ABC):
    """A background job run every `interval` seconds (measured from each run's start).

    Subclasses implement `run_once`. A failing run is logged as one warning line and the loop goes
    on; a run longer than the interval is logged and the next starts at once. `start(loops=1)` runs
    exactly one pass, which is how tests drive a loop."""

    name: str = "loop"

    def __init__(self, interval: float, *, name: str | None = None, run_first: bool = True) -> None:
        self.interval = interval
        self.name = name or self.name
        self.run_first = run_first
        self._stopping = asyncio.Event()

    @abstractmethod
    async def run_once(self) -> object:
        """One pass of the job; what it returns is for tests and logs."""

    async def start(self, loops: int | None = None) -> None:
        """Runs until stopped (or for `loops` passes). The service runtime starts this as a task."""
        self._stopping.clear()
        done = 0
        if not self.run_first and not await self._wait(self.interval):
            return
        while loops is None or done < loops:
            started = time.monotonic()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a dependency away: the next pass tries again
                log.warning("loop.run_failed", loop=self.name, error=repr(exc))
            done += 1
            if loops is not None and done >= loops:
                return
            elapsed = time.monotonic() - started
            if elapsed > self.interval:
                log.warning("loop.overran", loop=self.name, seconds=round(elapsed, 3), interval=self.interval)
            if not await self._wait(max(self.interval - elapsed, 0)):
                return

    def stop(self) -> None:
        self._stopping.set()

    async def _wait(self, seconds: float) -> bool:
        """Sleeps, or returns False at once when the loop is asked to stop."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
            return False
        except asyncio.TimeoutError:
            return True
