"""Readiness of a service process: a small loop that checks its own dependencies and sets its gRPC health."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable


from services.common.logging import get_logger
from services.common.loops import LoopService
from services.common.messaging.broker import Broker

log = get_logger(__name__)

Check = Callable[[], Awaitable[None]]


class DependencyHealth(LoopService):
    """Every `interval` seconds runs each named check (raise = not ready) within `timeout`, and sets the gRPC
    health of the process to SERVING only when all pass: the gateway's /readyz and any load balancer then see
    a service whose database is closed as NOT_SERVING, while its process still answers (liveness)."""

    name = "dependency-health"

    def __init__(self, set_serving: Callable[[bool], Awaitable[None]], interval: float = 2.0, timeout: float = 2.0) -> None:
        super().__init__(interval)
        self._set_serving = set_serving
        self._timeout = timeout
        self._checks: dict[str, Check] = {}
        self.failing: dict[str, str] = {}

    def add_check(self, name: str, check: Check) -> None:
        self._checks[name] = check

    async def run_once(self) -> dict[str, str]:
        results = await asyncio.gather(*(self._probe(check) for check in self._checks.values()))
        failing = {name: problem for name, problem in zip(self._checks, results) if problem is not None}
        if failing != self.failing:
            # One line per change of state, not one per pass: a closed database must not flood the log.
            if failing:
                log.warning("health.not_ready", failing=failing)
            else:
                log.info("health.ready")
        self.failing = failing
        await self._set_serving(not failing)
        return failing

    async def _probe(self, check: Check) -> str | None:
        try:
            await asyncio.wait_for(check(), self._timeout)
            return None
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return " ".join(f"{type(exc).__name__}: {exc}".split())[:200]


def broker_check(broker: Broker) -> Check:
    """The process's robust broker connection is open (not waiting to reconnect)."""

    async def check() -> None:
        if not broker.connected:
            raise ConnectionError("broker connection is closed; reconnecting")

    return check
