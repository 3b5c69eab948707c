"""Composition root of the streaks service: builds everything from settings."""

from __future__ import annotations

from dataclasses import dataclass

from momentum.streaks.v1 import streaks_pb2, streaks_pb2_grpc
from services.common.clock import Clock, SystemClock
from services.common.messaging.consumer import Consumer
from services.common.runtime import ServiceRuntime
from services.common.settings import Settings
from services.streaks.consumers import USER_EVENT_HANDLERS, USER_EVENTS, WORKOUT_EVENTS, workout_event_handlers
from services.streaks.grpc_api import StreaksServicer
from services.streaks.handlers import StreaksHandlers
from services.streaks.plans_client import PlansClient


@dataclass(frozen=True)
class StreaksComponents:
    """What tests, the CLI and benchmarks reach into: the same objects the service runs."""

    streaks: StreaksHandlers
    plans: PlansClient


async def build(
    settings: Settings, clock: Clock | None = None, grpc_port: int | None = None
) -> ServiceRuntime[StreaksComponents]:
    clock = clock or SystemClock()
    runtime: ServiceRuntime[StreaksComponents] = ServiceRuntime.create(
        "streaks", settings, grpc_port,
        service_names=(streaks_pb2.DESCRIPTOR.services_by_name["StreaksService"].full_name,),
    )
    plans = PlansClient(settings)
    handlers = StreaksHandlers(runtime.database, clock, plans)
    streaks_pb2_grpc.add_StreaksServiceServicer_to_server(StreaksServicer(handlers), runtime.grpc.server)
    runtime.consumers.append(
        Consumer("streaks.user-events", USER_EVENTS, USER_EVENT_HANDLERS, runtime.database, runtime.broker)
    )
    runtime.consumers.append(
        Consumer(
            "streaks.workout-events", WORKOUT_EVENTS, workout_event_handlers(handlers, clock),
            runtime.database, runtime.broker,
        )
    )
    runtime.on_stop.append(plans.close)
    runtime.components = StreaksComponents(handlers, plans)
    return runtime
