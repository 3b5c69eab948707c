"""Composition root of the entrances service: builds everything from settings."""

from __future__ import annotations

from dataclasses import dataclass

from momentum.entrances.v1 import entrances_pb2, entrances_pb2_grpc
from services.common.clock import Clock, SystemClock
from services.common.messaging.consumer import Consumer
from services.common.messaging.pause import Outage
from services.common.runtime import ServiceRuntime
from services.common.settings import Settings
from services.entrances.activity import ActivityHandlers, XpPolicy
from services.entrances.consumers import WORKOUT_EVENTS, WorkoutEvents
from services.entrances.finalizer import FINALIZE_QUEUE, FinalizationScheduler, Finalizer
from services.entrances.grpc_api import EntrancesServicer
from services.entrances.handlers import EntranceHandlers
from services.entrances.monitor import EntranceMonitor
from services.entrances.patient_context import PEOPLE_EVENTS, PatientContexts
from services.entrances.plans_client import PlansClient, PlansUnavailable
from services.entrances.sweep import RepairSweep


@dataclass(frozen=True)
class EntrancesComponents:
    """What tests, the CLI and benchmarks reach into: the same objects the service runs."""

    entrances: EntranceHandlers
    activity: ActivityHandlers
    finalizer: Finalizer
    sweep: RepairSweep
    plans: PlansClient


async def build(
    settings: Settings, clock: Clock | None = None, grpc_port: int | None = None
) -> ServiceRuntime[EntrancesComponents]:
    clock = clock or SystemClock()
    runtime: ServiceRuntime[EntrancesComponents] = ServiceRuntime.create(
        "entrances", settings, grpc_port,
        service_names=(entrances_pb2.DESCRIPTOR.services_by_name["EntrancesService"].full_name,),
    )
    plans = PlansClient(settings)
    policy = XpPolicy.from_settings(settings)
    scheduler = FinalizationScheduler(runtime.broker, settings.entrance_finalize_delay)
    finalizer = Finalizer(runtime.database, plans, clock)
    contexts = PatientContexts(plans)
    entrances = EntranceHandlers(
        runtime.database, plans, contexts, scheduler, clock, settings.entrance_finalize_delay, policy
    )
    activity = ActivityHandlers(runtime.database, plans, clock, policy)
    sweep = RepairSweep(
        runtime.database, finalizer, clock, settings.entrance_sweep_interval, settings.entrance_sweep_grace,
        settings.entrance_finalizer_concurrency,
    )
    entrances_pb2_grpc.add_EntrancesServiceServicer_to_server(EntrancesServicer(entrances, activity), runtime.grpc.server)
    # The row lock and status check make finalization idempotent, so no inbox row per job; the
    # prefetch is the number of finalizations running at once.
    runtime.consumers.append(
        Consumer(
            "entrances.finalize", FINALIZE_QUEUE,
            {FINALIZE_QUEUE.name: (entrances_pb2.FinalizeEntranceJob, finalizer.on_job)},
            runtime.database, runtime.broker, prefetch=settings.entrance_finalizer_concurrency, use_inbox=False,
            # plans away (a restart, a deploy): pause and retry, never park a finalization for it.
            outages=(Outage("plans", lambda exc: isinstance(exc, PlansUnavailable), plans.ping),),
        )
    )
    workout_events = WorkoutEvents(policy, clock)
    runtime.consumers.append(
        Consumer("entrances.workout-events", WORKOUT_EVENTS, workout_events.handlers, runtime.database, runtime.broker)
    )
    # entrances' copy of the patients' zones and the clinics' tracking flag, read by the dashboard log.
    runtime.consumers.append(
        Consumer("entrances.people-events", PEOPLE_EVENTS, contexts.handlers, runtime.database, runtime.broker)
    )
    runtime.loops += [sweep, EntranceMonitor(runtime.database, clock, settings.monitor_interval)]
    runtime.on_stop.append(plans.close)
    runtime.components = EntrancesComponents(entrances, activity, finalizer, sweep, plans)
    return runtime
