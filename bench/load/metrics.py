"""What a load run measures: latency and outcome of every request by route, and samples over time of
each service process's resident memory and of the broker's queue depths."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Mapping

from tests.support.broker_probe import queue_depths


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class RouteFigures:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    transport_errors: int = 0

    @property
    def count(self) -> int:
        return sum(self.statuses.values()) + self.transport_errors

    @property
    def errors(self) -> int:
        """5xx and transport failures: what the service owes an explanation for. 4xx are counted apart."""
        return self.transport_errors + sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def client_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if 400 <= status < 500)


class Recorder:
    """Figures per route template ("POST /v2/workouts/{id}/complete"), collected only inside the window."""

    def __init__(self) -> None:
        self.routes: dict[str, RouteFigures] = defaultdict(RouteFigures)
        self.samples: list[str] = []  # a few bodies of failed requests, for the report
        self.started = time.monotonic()
        self.stopped: float | None = None

    @property
    def elapsed(self) -> float:
        return (self.stopped or time.monotonic()) - self.started

    def record(self, route: str, status: int | None, latency_ms: float, body: str = "") -> None:
        figures = self.routes[route]
        if status is None:
            figures.transport_errors += 1
        else:
            figures.statuses[status] += 1
            figures.latencies_ms.append(latency_ms)
        if (status is None or status >= 400) and len(self.samples) < 8:
            self.samples.append(f"{route} -> {status}: {body[:200]}")


@dataclass
class Sample:
    at: float
    rss_kib: dict[str, int]
    queues: dict[str, tuple[int, int]]  # name -> (ready, unacked)


class Sampler:
    """Every `every` seconds: RSS of each process (by label) and the depth of every queue in the vhost."""

    def __init__(self, rss: Callable[[], Mapping[str, int | None]], vhost: str, every: float = 5.0) -> None:
        self._rss = rss
        self._vhost = vhost
        self._every = every
        self.samples: list[Sample] = []
        self._started = time.monotonic()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.sample()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._every)
            except TimeoutError:
                pass
        await self.sample()

    async def sample(self) -> None:
        depths = await asyncio.to_thread(queue_depths, self._vhost)
        rss = {label: kib for label, kib in self._rss().items() if kib is not None}
        self.samples.append(Sample(
            time.monotonic() - self._started, rss, {n: (d.ready, d.unacked) for n, d in depths.items()},
        ))

    def memory_trend(self, window: float) -> dict[str, tuple[float, float, float]]:
        """label -> (mean RSS MiB over the first `window` s, over the last `window` s, slope MiB/min over the
        second half of the run). Warm-up (caches, pools) lands in the first window; a leak shows as a
        positive slope that does not flatten."""
        if not self.samples:
            return {}
        end = self.samples[-1].at
        trend: dict[str, tuple[float, float, float]] = {}
        for label in self.samples[-1].rss_kib:
            points = [(s.at, s.rss_kib[label] / 1024) for s in self.samples if label in s.rss_kib]
            first = [mib for at, mib in points if at <= window] or [points[0][1]]
            last = [mib for at, mib in points if at >= end - window] or [points[-1][1]]
            half = [(at, mib) for at, mib in points if at >= end / 2]
            slope = _slope(half) * 60 if len(half) >= 3 else 0.0
            trend[label] = (statistics.fmean(first), statistics.fmean(last), slope)
        return trend

    def queue_peaks(self) -> dict[str, tuple[int, int]]:
        """queue -> (highest ready + unacked seen, the last sample's), for queues that ever held anything."""
        peaks: dict[str, tuple[int, int]] = {}
        for name in {n for s in self.samples for n in s.queues}:
            depths = [sum(s.queues.get(name, (0, 0))) for s in self.samples]
            if max(depths) > 0:
                peaks[name] = (max(depths), depths[-1])
        return peaks


def _slope(points: list[tuple[float, float]]) -> float:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    denominator = sum((x - mean_x) ** 2 for x in xs)
    return 0.0 if denominator == 0 else sum((x - mean_x) * (y - mean_y) for x, y in points) / denominator
