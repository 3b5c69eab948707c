"""Exactly one mirror per finalized entrance, whatever races: concurrent finalizers, duplicate and stale
messages, a finalizer dying after plans made the mirror, a purged delay queue; and concurrent opens."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import httpx

from services.common.clock import SystemClock
from services.entrances.domain.entrance import FinalizationOutcome
from services.entrances.finalizer import Finalizer
from tests.support.clinic import client, new_clinic
from tests.support.entrances import (
    TERMINAL,
    components,
    daily_rows,
    entrance_rows,
    mirrors_of,
    publish_finalize_job,
    purge_queue,
    seed_earlier_workout,
    transitions_of,
)
from tests.support.waiting import eventually

DELAY_QUEUE = "entrances.finalize.delay-2000ms.q"


async def clinic_with_source(stack, patients=1):
    clinic = await new_clinic(
        stack.runtimes["plans"].components.people, stack.settings, patients=patients, flags={"appEntranceTracking": True}
    )
    for index in range(patients):
        await seed_earlier_workout(stack, clinic, index)
    return clinic


async def log(stack, clinic, index=0):
    async with client(stack.base_url) as http:
        reply = await http.post("/v2/app-entrances/log", headers=clinic.as_patient(index))
    assert reply.status_code == 202, reply.text
    return reply.json()


async def wait_until(instant: datetime) -> None:
    await asyncio.sleep(max(0.0, (instant - datetime.now(timezone.utc)).total_seconds()) + 0.05)


def due_of(logged) -> datetime:
    return datetime.fromisoformat(logged["finalizeAfter"].replace("Z", "+00:00"))


async def test_eight_finalizers_racing_make_one_mirror(estack):
    clinic = await clinic_with_source(estack)
    logged = await log(estack, clinic)
    await purge_queue(estack, DELAY_QUEUE)  # only the racers (and, a second later, the sweep) remain
    await wait_until(due_of(logged))

    finalizer: Finalizer = components(estack).finalizer
    outcomes = await asyncio.gather(
        *(finalizer.finalize(clinic.tenant_id, logged["entranceId"]) for _ in range(8))
    )
    assert outcomes.count(FinalizationOutcome.CREATE_MIRROR) == 1
    assert outcomes.count(FinalizationOutcome.DROP_NOT_PENDING) == 7
    (entrance,) = await entrance_rows(estack, clinic)
    assert entrance.status == "FINALIZED_TO_INFERRED_WORKOUT"
    assert len(await mirrors_of(estack, clinic)) == 1
    assert await transitions_of(estack, clinic, entrance.entrance_id) == [
        (None, "PENDING"), ("PENDING", "FINALIZED_TO_INFERRED_WORKOUT"),
    ]


async def test_duplicate_stale_and_foreign_messages_change_nothing_more(estack):
    clinic = await clinic_with_source(estack)
    first = await log(estack, clinic)
    await asyncio.sleep(0.5)
    second = await log(estack, clinic)  # extension: the first message becomes stale
    entrance_id, patient_id = first["entranceId"], clinic.patient_id
    stale_due, due = due_of(first), due_of(second)
    first_id = f"entrance-finalize:{entrance_id}:first"
    for message_id, deadline in ((first_id, stale_due), (first_id, stale_due), ("replayed-extension", due)):
        await publish_finalize_job(estack, clinic.tenant_id, entrance_id, patient_id, deadline, message_id)
    # The same entrance under another clinic's header: RLS hides it, the job is dropped.
    await publish_finalize_job(estack, uuid.uuid4(), entrance_id, patient_id, due, "foreign-tenant")

    await asyncio.sleep(0.3)
    (row,) = await entrance_rows(estack, clinic)
    assert row.status == "PENDING"  # stale jobs found the deadline in the future

    (entrance,) = await eventually(
        lambda: entrance_rows(estack, clinic), lambda rows: rows[0].status in TERMINAL, timeout=8, every=0.1
    )
    assert entrance.status == "FINALIZED_TO_INFERRED_WORKOUT"
    await asyncio.sleep(2.5)  # every scheduled and replayed message has arrived by now
    assert len(await mirrors_of(estack, clinic)) == 1
    assert len(await transitions_of(estack, clinic, entrance.entrance_id)) == 2


class DiesAfterMirror:
    """plans for real, but the finalizer's process 'dies' right after the mirror was made."""

    def __init__(self, plans) -> None:  # type: ignore[no-untyped-def]
        self._plans = plans
        self.mirror_ids: list[str] = []

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self._plans, name)

    async def finalize_entrances(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        answers = await self._plans.finalize_entrances(*args, **kwargs)
        self.mirror_ids += [answer.mirror.workout_id for answer in answers]
        raise RuntimeError("finalizer killed before its commit")


async def test_finalizer_killed_after_plans_made_the_mirror_leaves_one_mirror(estack):
    clinic = await clinic_with_source(estack)
    logged = await log(estack, clinic)
    await purge_queue(estack, DELAY_QUEUE)
    await wait_until(due_of(logged))

    parts = components(estack)
    dying_plans = DiesAfterMirror(parts.plans)
    dying = Finalizer(estack.runtimes["entrances"].database, dying_plans, SystemClock())
    try:
        await dying.finalize(clinic.tenant_id, logged["entranceId"])
    except RuntimeError:
        pass
    (row,) = await entrance_rows(estack, clinic)
    assert row.status == "PENDING"  # the transaction rolled back with the 'crash'
    assert len(dying_plans.mirror_ids) == 1

    # The repair sweep (1 s grace) finishes the job and gets the very same mirror back.
    (entrance,) = await eventually(
        lambda: entrance_rows(estack, clinic), lambda rows: rows[0].status in TERMINAL, timeout=6, every=0.1
    )
    assert entrance.mirror_workout_id == dying_plans.mirror_ids[0]
    assert len(await mirrors_of(estack, clinic)) == 1


async def test_a_batch_killed_after_plans_made_its_mirrors_leaves_one_mirror_per_entrance(estack):
    clinic = await clinic_with_source(estack, patients=4)
    logged = [await log(estack, clinic, index) for index in range(4)]
    await purge_queue(estack, DELAY_QUEUE)
    await wait_until(max(due_of(one) for one in logged))

    parts = components(estack)
    dying_plans = DiesAfterMirror(parts.plans)
    dying = Finalizer(estack.runtimes["entrances"].database, dying_plans, SystemClock())
    try:
        await dying.finalize(clinic.tenant_id, logged[0]["entranceId"])  # its batch: all four entrances
    except RuntimeError:
        pass
    assert len(dying_plans.mirror_ids) == 4
    assert [row.status for index in range(4) for row in await entrance_rows(estack, clinic, index)] == ["PENDING"] * 4

    # A batch cancelled while plans makes the mirrors: plans' transaction commits all of them or none.
    cancelled = asyncio.create_task(Finalizer(estack.runtimes["entrances"].database, parts.plans, SystemClock())
                                    .finalize(clinic.tenant_id, logged[1]["entranceId"]))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    await asyncio.gather(cancelled, return_exceptions=True)

    # Redelivered jobs (and the sweep) finish the work: the very mirrors the dead batch made, once each.
    for one in logged:
        await publish_finalize_job(
            estack, clinic.tenant_id, one["entranceId"], clinic.patient_ids[0], due_of(one), f"redelivered:{one['entranceId']}"
        )
    finalized = []
    for index in range(4):
        (entrance,) = await eventually(
            lambda index=index: entrance_rows(estack, clinic, index), lambda rows: rows[0].status in TERMINAL,
            timeout=10, every=0.1,
        )
        finalized.append(str(entrance.mirror_workout_id))
        assert len(await mirrors_of(estack, clinic, index)) == 1
        assert len(await transitions_of(estack, clinic, entrance.entrance_id)) == 2
    assert sorted(finalized) == sorted(dying_plans.mirror_ids)


async def test_purged_delay_queue_is_repaired_by_the_sweep_across_clinics(estack):
    clinics = [await clinic_with_source(estack, patients=2) for _ in range(2)]
    for clinic in clinics:
        for index in range(2):
            await log(estack, clinic, index)
    purged = await purge_queue(estack, DELAY_QUEUE)
    assert purged >= 4

    for clinic in clinics:
        for index in range(2):
            (entrance,) = await eventually(
                lambda: entrance_rows(estack, clinic, index), lambda rows: rows[0].status in TERMINAL,
                timeout=8, every=0.1,
            )
            assert entrance.status == "FINALIZED_TO_INFERRED_WORKOUT"
            assert len(await mirrors_of(estack, clinic, index)) == 1


async def test_fifty_concurrent_opens_make_one_entrance_and_fifty_opens(estack):
    clinic = await clinic_with_source(estack)
    headers = clinic.as_patient()
    async with httpx.AsyncClient(base_url=estack.base_url, timeout=20) as http:
        replies = await asyncio.gather(*(http.post("/v2/app-entrances/log", headers=headers) for _ in range(50)))
    assert {r.status_code for r in replies} == {202}
    assert len({r.json()["entranceId"] for r in replies}) == 1
    (entrance,) = await entrance_rows(estack, clinic)
    assert entrance.entries_count == 50
    days = {row.local_date: row for row in await daily_rows(estack, clinic)}
    assert days[entrance.local_date].app_opens_count == 50

    (entrance,) = await eventually(
        lambda: entrance_rows(estack, clinic), lambda rows: rows[0].status in TERMINAL, timeout=10, every=0.1
    )
    assert entrance.status == "FINALIZED_TO_INFERRED_WORKOUT"
    assert len(await mirrors_of(estack, clinic)) == 1


async def test_sweep_leaves_entrances_within_the_grace_alone(estack):
    clinic = await clinic_with_source(estack)
    await log(estack, clinic)
    await purge_queue(estack, DELAY_QUEUE)
    await asyncio.sleep(2.2)  # past the deadline, not yet past the grace
    await components(estack).sweep.run_once()
    (row,) = await entrance_rows(estack, clinic)
    assert row.status == "PENDING"
    assert datetime.now(timezone.utc) - row.finalize_after < timedelta(seconds=1)
