"""Composition root of the telemetry service: builds everything from settings."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass

from momentum.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc
from services.common.clock import Clock, SystemClock
from services.common.messaging.consumer import Consumer
from services.common.runtime import ServiceRuntime
from services.common.settings import Settings
from services.telemetry.consumers import consent_handlers, consent_queue
from services.telemetry.finalizer import SessionFinalizer
from services.telemetry.grpc_api import TelemetryServicer
from services.telemetry.handlers import InstanceIdentity, TelemetryHandlers, Timing
from services.telemetry.loops import LeaseKeeper, PartitionKeeper, SilenceWatch
from services.telemetry.plans_client import PlansClient
from services.telemetry.reads import SessionReads
from services.telemetry.replay_store import ReplayStore
from services.telemetry.sessions import SessionRegistry


@dataclass(frozen=True)
class TelemetryComponents:
    """What tests, the CLI and benchmarks reach into: the same objects the service runs."""

    handlers: TelemetryHandlers
    reads: SessionReads
    replay_store: ReplayStore
    plans: PlansClient


async def build(
    settings: Settings, clock: Clock | None = None, grpc_port: int | None = None
) -> ServiceRuntime[TelemetryComponents]:
    clock = clock or SystemClock()
    runtime: ServiceRuntime[TelemetryComponents] = ServiceRuntime.create(
        "telemetry", settings, grpc_port,
        service_names=(telemetry_pb2.DESCRIPTOR.services_by_name["TelemetryService"].full_name,),
    )
    instance = InstanceIdentity(
        name=f"{advertised_host(settings.grpc_listen_address('telemetry').rpartition(':')[0])}:{runtime.grpc.port}",
        incarnation=uuid.uuid4().hex,
    )
    store = ReplayStore(settings.s3)
    await store.start()
    plans = PlansClient(settings)
    sessions = SessionRegistry()
    finalizer = SessionFinalizer(runtime.database, store, plans, sessions, clock, instance.incarnation)
    handlers = TelemetryHandlers(
        runtime.database, store, sessions, finalizer, clock, settings.auth.telemetry_token_keys, instance,
        Timing.for_silence(settings.telemetry_silence_timeout),
    )
    reads = SessionReads(runtime.database, clock)
    telemetry_pb2_grpc.add_TelemetryServiceServicer_to_server(TelemetryServicer(handlers, reads), runtime.grpc.server)
    queue = consent_queue(instance.name)
    runtime.consumers.append(Consumer(queue.name, queue, consent_handlers(handlers), runtime.database, runtime.broker))
    runtime.health.add_check("s3", store.reachable)
    runtime.loops += [SilenceWatch(handlers), LeaseKeeper(handlers), PartitionKeeper(handlers)]
    # In this order: sessions are finalized while S3 and plans are still reachable.
    runtime.on_stop += [handlers.shutdown, store.close, plans.close]
    runtime.components = TelemetryComponents(handlers, reads, store, plans)
    return runtime


def advertised_host(bind_host: str) -> str:
    """The host other processes reach this instance at: the bind address, unless it is a wildcard."""
    return socket.gethostname() if bind_host in ("0.0.0.0", "::", "") else bind_host
