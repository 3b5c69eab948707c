"""What every service process runs: database, broker, outbox relay, consumers, background loops
and the gRPC server, started in order and stopped in reverse on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Generic, TypeVar

from services.common.db import Database, create_engine, warn_if_over_connection_limit
from services.common.grpc_server import GrpcServer
from services.common.health import DependencyHealth, broker_check
from services.common.logging import configure_logging, get_logger
from services.common.loops import LoopService
from services.common.messaging.broker import Broker
from services.common.messaging.consumer import Consumer
from services.common.messaging.relay import OutboxRelay
from services.common.settings import Settings
from services.common.tracing import configure_tracing

log = get_logger(__name__)

C = TypeVar("C")


@dataclass
class ServiceRuntime(Generic[C]):
    name: str
    settings: Settings
    database: Database
    broker: Broker
    grpc: GrpcServer
    relay: OutboxRelay
    # Sets the gRPC health from the process's own dependencies; a service adds its extra checks (S3).
    health: DependencyHealth = None  # type: ignore[assignment]
    # The service's own typed object of what it runs (handlers, finalizers, clients): what tests,
    # the CLI and benchmarks reach into. Set by the service's bootstrap.build().
    components: C = None  # type: ignore[assignment]
    consumers: list[Consumer] = field(default_factory=list)
    loops: list[LoopService] = field(default_factory=list)
    on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def create(cls, name: str, settings: Settings, grpc_port: int | None = None, service_names: tuple[str, ...] = ()) -> "ServiceRuntime":
        database = Database(create_engine(settings.database.app_url(name), settings.database.pool_size_for(name),
                                          settings=settings.database), name)
        broker = Broker(settings.broker, f"momentum-{name}")
        relay = OutboxRelay(database.engine, name, broker, settings.outbox_poll_interval)
        database.on_events_committed(relay.wake)
        host, _, port = settings.grpc_listen_address(name, grpc_port).rpartition(":")
        grpc = GrpcServer(host, int(port), service_names, name, settings.auth.service_keys, settings.grpc_tls)
        health = DependencyHealth(grpc.set_serving)
        health.add_check("database", database.ping)
        health.add_check("broker", broker_check(broker))
        runtime = cls(name, settings, database, broker, grpc, relay, health=health)
        runtime.loops.append(health)
        return runtime

    async def start(self) -> None:
        from services.common.messaging.monitor import MessagingMonitor

        port = self.settings.metrics_ports.get(self.name, 0)
        if port:
            _serve_metrics(self.name, self.settings.grpc_listen_address(self.name).rpartition(":")[0], port)
        self.loops.append(
            MessagingMonitor(self.broker, self.consumers, self.relay, self.settings.monitor_interval.total_seconds())
        )
        await warn_if_over_connection_limit(self.database, self.settings.database, self.name)
        await self.broker.connect()
        for consumer in self.consumers:
            await consumer.start()
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-outbox-relay"))
        for loop in self.loops:
            self._tasks.append(asyncio.create_task(loop.start(), name=f"{self.name}-{loop.name}"))
        await self.grpc.start()
        log.info("service.started", service=self.name, grpc_port=self.grpc.port)

    async def stop(self, grace: float = 10) -> None:
        log.info("service.stopping", service=self.name)
        await self.grpc.stop(grace)
        for consumer in self.consumers:
            await consumer.stop()
        self.relay.stop()
        for loop in self.loops:
            loop.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for hook in self.on_stop:
            await hook()
        await self.broker.close()
        await self.database.dispose()
        log.info("service.stopped", service=self.name)


def _serve_metrics(service: str, host: str, port: int) -> None:
    """Prometheus text on http://host:port/ from a thread; a port in use is logged, not fatal."""
    from prometheus_client import start_http_server

    try:
        start_http_server(port, addr=host)
    except OSError as exc:
        log.warning("metrics.port_unavailable", service=service, port=port, error=str(exc))
        return
    log.info("metrics.serving", service=service, port=port)


def run_service(build: Callable[[Settings], Awaitable[ServiceRuntime[Any]]], settings: Settings) -> None:
    """Runs until SIGTERM or SIGINT, then stops gracefully."""
    # services.<name>.bootstrap: every log line of the process says which service wrote it.
    service = build.__module__.split(".")[1]
    configure_logging(
        settings.log_format, settings.log_level, service=service,
        file=settings.log_file, max_bytes=settings.log_max_bytes, backups=settings.log_backups,
    )
    # Before build: the gRPC server and channels take their tracing interceptors when they are made.
    if configure_tracing(service):
        log.info("tracing.on", service=service)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        runtime = await _start_unless_stopped(build, settings, stop, service)
        if runtime is None:
            return
        await stop.wait()
        await runtime.stop()

    asyncio.run(main())


async def _start_unless_stopped(
    build: Callable[[Settings], Awaitable[ServiceRuntime[Any]]], settings: Settings, stop: asyncio.Event, service: str,
) -> ServiceRuntime[Any] | None:
    """The runtime built and started; None when a signal came first. Start-up may retry a broker or database that
    is away for minutes, and the orchestrator that stops the process then must not wait for its kill timeout:
    nothing has been served yet, so nothing needs draining."""

    async def build_and_start() -> ServiceRuntime[Any]:
        runtime = await build(settings)
        await runtime.start()
        return runtime

    starting = asyncio.create_task(build_and_start(), name=f"{service}-start")
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if starting.done():
        return starting.result()
    starting.cancel()
    await asyncio.gather(starting, return_exceptions=True)
    log.info("service.start_abandoned", service=service, reason="signal")
    return None
