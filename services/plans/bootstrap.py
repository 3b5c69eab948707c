"""Composition root of the plans service: builds everything from settings."""

from __future__ import annotations

from momentum.plans.v1 import plans_pb2, plans_pb2_grpc
from services.common.clock import Clock, SystemClock
from services.common.messaging.consumer import Consumer
from services.common.runtime import ServiceRuntime
from services.common.settings import Settings
from services.plans.consumers import TELEMETRY_EVENTS, TELEMETRY_HANDLERS
from services.plans.grpc_api import PlansServicer
from services.plans.handlers import PlansHandlers
from services.plans.plan_handlers import PlanHandlers
from services.plans.workout_handlers import WorkoutHandlers


async def build(settings: Settings, clock: Clock | None = None, grpc_port: int | None = None) -> ServiceRuntime:
    clock = clock or SystemClock()
    runtime = ServiceRuntime.create(
        "plans", settings, grpc_port, service_names=(plans_pb2.DESCRIPTOR.services_by_name["PlansService"].full_name,)
    )
    people = PlansHandlers(runtime.database, clock)
    plans = PlanHandlers(runtime.database, clock)
    workouts = WorkoutHandlers(runtime.database, clock, settings.auth)
    plans_pb2_grpc.add_PlansServiceServicer_to_server(PlansServicer(people, plans, workouts, clock), runtime.grpc.server)
    runtime.consumers.append(
        Consumer("plans.telemetry-events", TELEMETRY_EVENTS, TELEMETRY_HANDLERS, runtime.database, runtime.broker)
    )
    runtime.handlers = people
    runtime.extra = {"plans": plans, "workouts": workouts}
    return runtime
