"""Composition root of the plans service: builds everything from settings."""

from __future__ import annotations

from dataclasses import dataclass

from momentum.plans.v1 import analytics_pb2, analytics_pb2_grpc, plans_pb2, plans_pb2_grpc
from services.common.clock import Clock, SystemClock
from services.common.messaging.consumer import Consumer
from services.common.runtime import ServiceRuntime
from services.common.settings import Settings
from services.plans.analytics_grpc import AnalyticsServicer, BillingServicer
from services.plans.analytics_handlers import AnalyticsHandlers
from services.plans.billing_consumers import BILLING_EVENTS, BillingConsumers, PeriodCloser
from services.plans.billing_handlers import BillingHandlers
from services.plans.consumers import TELEMETRY_EVENTS, TELEMETRY_HANDLERS
from services.plans.grpc_api import PlansServicer
from services.plans.handlers import PlansHandlers
from services.plans.plan_handlers import PlanHandlers
from services.plans.retention import MediaPartitionKeeper
from services.plans.workout_handlers import WorkoutHandlers


@dataclass(frozen=True)
class PlansComponents:
    """What tests, the CLI and benchmarks reach into: the same objects the service runs."""

    people: PlansHandlers
    plans: PlanHandlers
    workouts: WorkoutHandlers
    analytics: AnalyticsHandlers
    billing: BillingHandlers


async def build(
    settings: Settings, clock: Clock | None = None, grpc_port: int | None = None
) -> ServiceRuntime[PlansComponents]:
    clock = clock or SystemClock()
    runtime: ServiceRuntime[PlansComponents] = ServiceRuntime.create(
        "plans", settings, grpc_port, service_names=(
            plans_pb2.DESCRIPTOR.services_by_name["PlansService"].full_name,
            analytics_pb2.DESCRIPTOR.services_by_name["AnalyticsService"].full_name,
            analytics_pb2.DESCRIPTOR.services_by_name["BillingService"].full_name,
        )
    )
    people = PlansHandlers(runtime.database, clock)
    plans = PlanHandlers(runtime.database, clock)
    workouts = WorkoutHandlers(runtime.database, clock, settings.auth)
    plans_pb2_grpc.add_PlansServiceServicer_to_server(PlansServicer(people, plans, workouts, clock), runtime.grpc.server)
    runtime.consumers.append(
        Consumer("plans.telemetry-events", TELEMETRY_EVENTS, TELEMETRY_HANDLERS, runtime.database, runtime.broker)
    )
    analytics = AnalyticsHandlers(runtime.database, clock)
    billing = BillingHandlers(runtime.database, clock)
    analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server(AnalyticsServicer(analytics), runtime.grpc.server)
    analytics_pb2_grpc.add_BillingServiceServicer_to_server(BillingServicer(billing), runtime.grpc.server)
    runtime.consumers.append(
        Consumer("plans.billing-events", BILLING_EVENTS, BillingConsumers(clock).handlers, runtime.database, runtime.broker)
    )
    runtime.loops += [PeriodCloser(runtime.database, clock), MediaPartitionKeeper(runtime.database)]
    runtime.components = PlansComponents(people, plans, workouts, analytics, billing)
    return runtime
