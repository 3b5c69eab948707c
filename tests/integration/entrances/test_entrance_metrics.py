"""The entrance figures an engineer on call alerts on: pending entrances rise on a log and fall when the entrance
is finalized, each finalization is counted by what it decided, and the oldest overdue one is its lateness."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prometheus_client import REGISTRY

from services.common.clock import FrozenClock, SystemClock
from services.entrances.monitor import EntranceMonitor
from tests.support.clinic import client, new_clinic
from tests.support.entrances import TERMINAL, complete_workout, entrance_rows, seed_earlier_workout
from tests.support.waiting import eventually

FLAGS = {"appEntranceTracking": True}


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def clinic_with_history(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags=FLAGS)
    await seed_earlier_workout(stack, clinic)
    return clinic


async def log(stack, clinic) -> None:
    async with client(stack.base_url) as http:
        reply = await http.post("/v2/app-entrances/log", headers=clinic.as_patient())
    assert reply.status_code == 202, reply.text


async def settled(stack, clinic):
    return await eventually(
        lambda: entrance_rows(stack, clinic), lambda rows: bool(rows) and all(r.status in TERMINAL for r in rows),
        timeout=12, every=0.1,
    )


def monitor(stack, clock=None) -> EntranceMonitor:
    return EntranceMonitor(stack.runtimes["entrances"].database, clock or SystemClock(), timedelta(seconds=1))


async def test_pending_entrances_rise_on_a_log_and_fall_when_a_mirror_workout_finalizes_it(estack):
    clinic = await clinic_with_history(estack)
    watch = monitor(estack)
    pending, _ = await watch.run_once()
    made = sample("momentum_entrances_finalizations_total", outcome="finalized_to_inferred_workout")
    mirrors = sample("momentum_plans_mirror_workouts_total")

    await log(estack, clinic)
    assert (await watch.run_once())[0] == pending + 1
    assert sample("momentum_entrances_pending") == pending + 1

    (entrance,) = await settled(estack, clinic)
    assert entrance.status == "FINALIZED_TO_INFERRED_WORKOUT"
    assert (await watch.run_once())[0] == pending
    assert sample("momentum_entrances_pending") == pending
    assert sample("momentum_entrances_finalizations_total", outcome="finalized_to_inferred_workout") == made + 1
    assert sample("momentum_plans_mirror_workouts_total") == mirrors + 1


async def test_a_real_workout_in_the_window_counts_a_cancellation_and_no_mirror(estack):
    clinic = await clinic_with_history(estack)
    canceled = sample("momentum_entrances_finalizations_total", outcome="canceled_by_real_workout")
    mirrors = sample("momentum_plans_mirror_workouts_total")
    completions = sample("momentum_plans_completions_total")

    await log(estack, clinic)
    await complete_workout(estack, clinic, datetime.now(timezone.utc))
    (entrance,) = await settled(estack, clinic)

    assert entrance.status == "CANCELED_BY_REAL_WORKOUT"
    assert sample("momentum_plans_completions_total") == completions + 1
    assert sample("momentum_entrances_finalizations_total", outcome="canceled_by_real_workout") == canceled + 1
    assert sample("momentum_plans_mirror_workouts_total") == mirrors


async def test_the_oldest_overdue_entrance_reads_how_long_it_has_waited_past_its_window(estack):
    clinic = await clinic_with_history(estack)
    await log(estack, clinic)
    (entrance,) = await entrance_rows(estack, clinic)
    assert entrance.status == "PENDING"

    # Inside its window it is pending, not overdue; the delay queue finalizes others within a second or two.
    _, overdue = await monitor(estack).run_once()
    assert overdue < 5
    # Ten minutes on, with no finalizer having run, it is ten minutes late, less its 2 s window.
    late = FrozenClock(entrance.finalize_after + timedelta(minutes=10))
    _, overdue = await monitor(estack, late).run_once()
    assert overdue >= 600
    assert sample("momentum_entrances_oldest_overdue_seconds") == overdue

    await settled(estack, clinic)
    _, overdue = await monitor(estack, late).run_once()
    assert overdue < 600  # finalized, it no longer counts
