"""Composition root of the plans service: builds its four contexts (people, care, analytics, billing) from settings."""

from __future__ import annotations

from dataclasses import dataclass

from momentum.plans.v1 import analytics_pb2, analytics_pb2_grpc, plans_pb2, plans_pb2_grpc, roster_pb2, roster_pb2_grpc
from services.common.clock import Clock, SystemClock
from services.common.messaging.consumer import Consumer
from services.common.runtime import ServiceRuntime
from services.common.settings import Settings
from services.plans.analytics.grpc_api import AnalyticsServicer
from services.plans.analytics.handlers import AnalyticsHandlers
from services.plans.analytics.roster import RosterHandlers
from services.plans.analytics.roster_grpc_api import RosterServicer
from services.plans.billing.consumers import BILLING_EVENTS, BillingConsumers
from services.plans.billing.grpc_api import BillingServicer
from services.plans.billing.handlers import BillingHandlers
from services.plans.billing.loops import BillingMonitor, PeriodCloser
from services.plans.billing.worklist import BillingWorklist
from services.plans.billing.worklist_grpc_api import BillingWorklistServicer
from services.plans.care.consumers import TELEMETRY_EVENTS, TELEMETRY_HANDLERS
from services.plans.care.grpc_api import CareRpcs
from services.plans.care.handlers import WorkoutHandlers
from services.plans.care.lifecycle import PlanLifecycle
from services.plans.care.loops import MediaPartitionKeeper
from services.plans.care.mirror import MirrorWorkouts
from services.plans.care.plan_handlers import PlanHandlers
from services.plans.people.grpc_api import PeopleRpcs
from services.plans.people.handlers import PeopleHandlers


@dataclass(frozen=True)
class PlansComponents:
    """What tests, the CLI and benchmarks reach into: the same objects the service runs."""

    people: PeopleHandlers
    plans: PlanHandlers
    workouts: WorkoutHandlers
    mirrors: MirrorWorkouts
    analytics: AnalyticsHandlers
    billing: BillingHandlers
    roster: RosterHandlers
    worklist: BillingWorklist


class PlansServicer(PeopleRpcs, CareRpcs, plans_pb2_grpc.PlansServiceServicer):
    """One proto service answered by two contexts: people's calls and care's calls."""

    def __init__(self, components: PlansComponents, clock: Clock) -> None:
        self._people = components.people
        self._plans = components.plans
        self._workouts = components.workouts
        self._mirrors = components.mirrors
        self._clock = clock


async def build(
    settings: Settings, clock: Clock | None = None, grpc_port: int | None = None
) -> ServiceRuntime[PlansComponents]:
    clock = clock or SystemClock()
    runtime: ServiceRuntime[PlansComponents] = ServiceRuntime.create(
        "plans", settings, grpc_port, service_names=(
            plans_pb2.DESCRIPTOR.services_by_name["PlansService"].full_name,
            analytics_pb2.DESCRIPTOR.services_by_name["AnalyticsService"].full_name,
            analytics_pb2.DESCRIPTOR.services_by_name["BillingService"].full_name,
            roster_pb2.DESCRIPTOR.services_by_name["RosterService"].full_name,
            roster_pb2.DESCRIPTOR.services_by_name["BillingWorklistService"].full_name,
        )
    )
    database = runtime.database
    components = PlansComponents(
        people=PeopleHandlers(database, clock),
        plans=PlanHandlers(database, clock),
        workouts=WorkoutHandlers(database, clock, settings.auth),
        mirrors=MirrorWorkouts(database, clock),
        analytics=AnalyticsHandlers(database, clock),
        billing=BillingHandlers(database, clock),
        roster=RosterHandlers(database, clock),
        worklist=BillingWorklist(database, clock),
    )
    server = runtime.grpc.server
    plans_pb2_grpc.add_PlansServiceServicer_to_server(PlansServicer(components, clock), server)
    analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server(AnalyticsServicer(components.analytics), server)
    analytics_pb2_grpc.add_BillingServiceServicer_to_server(BillingServicer(components.billing), server)
    roster_pb2_grpc.add_RosterServiceServicer_to_server(RosterServicer(components.roster), server)
    roster_pb2_grpc.add_BillingWorklistServiceServicer_to_server(BillingWorklistServicer(components.worklist), server)
    runtime.consumers += [
        Consumer("plans.telemetry-events", TELEMETRY_EVENTS, TELEMETRY_HANDLERS, database, runtime.broker),
        Consumer("plans.billing-events", BILLING_EVENTS, BillingConsumers(clock).handlers, database, runtime.broker),
    ]
    runtime.loops += [
        PeriodCloser(database, clock), MediaPartitionKeeper(database), PlanLifecycle(database, clock),
        BillingMonitor(database, clock, settings.monitor_interval),
    ]
    runtime.components = components
    return runtime
