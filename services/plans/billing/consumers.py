"""The `plans.billing-events` consumer: every event that can add a data day recomputes that
patient's RTM records."""

from __future__ import annotations

from momentum.events.v1 import events_pb2
from services.common.clock import Clock
from services.common.db import UnitOfWork
from services.common.messaging.consumer import Handler, IncomingEvent, PoisonMessage
from services.common.messaging.topology import ConsumerQueue
from services.common.parsing import from_timestamp, optional_uuid, parse_date, parse_uuid
from services.plans.billing import repository as billing
from services.plans.billing.handlers import recalculate_patient
from services.plans.incoming import poison_if_invalid

BILLING_EVENTS = ConsumerQueue(
    "plans.billing-events",
    bindings=(
        "plans.workout.completed", "entrances.entrance.finalized", "telemetry.session.finalized",
        "plans.tenant.billing_settings_changed", "plans.plan.status_changed",
    ),
)


class BillingConsumers:
    """Handlers of the billing queue; each recomputes inside the consumer's transaction, so the
    inbox row and the records commit together and a redelivery is a no-op."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    @property
    def handlers(self) -> dict[str, tuple[type, Handler]]:
        return {
            "plans.workout.completed": (events_pb2.WorkoutCompleted, self.on_workout_completed),
            "entrances.entrance.finalized": (events_pb2.EntranceFinalized, self.on_entrance_finalized),
            "telemetry.session.finalized": (events_pb2.ExerciseSessionFinalized, self.on_session_finalized),
            "plans.tenant.billing_settings_changed": (events_pb2.BillingSettingsChanged, self.on_settings_changed),
            "plans.plan.status_changed": (events_pb2.PlanStatusChanged, self.on_plan_status_changed),
        }

    async def on_plan_status_changed(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        """A plan that stops being active closes the episode (its windows turn ready); one reopened
        opens it again: either way the patient's records follow."""
        body: events_pb2.PlanStatusChanged = event.body  # type: ignore[assignment]
        with poison_if_invalid():
            patient_id = parse_uuid("patient_id", body.patient_id)
        await recalculate_patient(uow, self._clock, event.tenant_id, patient_id, trigger=f"plan_{body.status_after or 'changed'}")

    async def on_settings_changed(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        """The clinic turned RTM on or changed what qualifies: every patient's records follow."""
        for patient_id in await billing.patients_to_recalculate(uow):
            await recalculate_patient(uow, self._clock, event.tenant_id, patient_id, trigger="billing_settings_changed")

    async def on_workout_completed(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        body: events_pb2.WorkoutCompleted = event.body  # type: ignore[assignment]
        with poison_if_invalid():
            patient_id = parse_uuid("patient_id", body.patient_id)
        await recalculate_patient(uow, self._clock, event.tenant_id, patient_id, trigger=f"workout_{body.source or 'real'}")

    async def on_entrance_finalized(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        """Keeps the entrance whatever the flag says (enabling RTM later must see past access
        days), then recomputes if the clinic bills RTM."""
        body: events_pb2.EntranceFinalized = event.body  # type: ignore[assignment]
        with poison_if_invalid():
            entrance_id = parse_uuid("entrance_id", body.entrance_id)
            patient_id = parse_uuid("patient_id", body.patient_id)
            day = parse_date("local_date", body.local_date)
            mirror_workout_id = optional_uuid("mirror_workout_id", body.mirror_workout_id)
        if not body.status or body.status == "PENDING":
            raise PoisonMessage(f"entrance {entrance_id} is not finalized (status {body.status!r})")
        is_patient, _ = await billing.patient_timezone(uow, patient_id)
        if not is_patient:
            raise PoisonMessage(f"patient {patient_id} of entrance {entrance_id} is unknown to plans")
        finalized_at = from_timestamp(body.finalized_at) if body.HasField("finalized_at") else self._clock.now()
        await billing.record_entrance(
            uow, event.tenant_id, entrance_id, patient_id, day, body.status, mirror_workout_id, finalized_at,
        )
        await recalculate_patient(uow, self._clock, event.tenant_id, patient_id, trigger="app_entrance")

    async def on_session_finalized(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        body: events_pb2.ExerciseSessionFinalized = event.body  # type: ignore[assignment]
        with poison_if_invalid():
            session_id = parse_uuid("session_id", body.session_id)
        patient_id = await billing.session_patient(uow, session_id)
        if patient_id is None:
            raise PoisonMessage(f"exercise session {session_id} is unknown to plans")
        await recalculate_patient(
            uow, self._clock, event.tenant_id, patient_id, finalized_session=session_id, trigger="exercise_session"
        )
