"""Composition root of the plans service: builds everything from settings."""

from __future__ import annotations

from services.common.clock import Clock, SystemClock
from services.common.runtime import ServiceRuntime
from services.common.settings import Settings
from services.plans.grpc_api import PlansServicer
from services.plans.handlers import PlansHandlers

from momentum.plans.v1 import plans_pb2, plans_pb2_grpc


async def build(settings: Settings, clock: Clock | None = None, grpc_port: int | None = None) -> ServiceRuntime:
    clock = clock or SystemClock()
    runtime = ServiceRuntime.create(
        "plans", settings, grpc_port, service_names=(plans_pb2.DESCRIPTOR.services_by_name["PlansService"].full_name,)
    )
    handlers = PlansHandlers(runtime.database, clock)
    plans_pb2_grpc.add_PlansServiceServicer_to_server(PlansServicer(handlers, clock), runtime.grpc.server)
    runtime.handlers = handlers
    return runtime
