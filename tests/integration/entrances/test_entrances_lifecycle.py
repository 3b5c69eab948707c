"""An app entrance from the dashboard log to its terminal state, on the real stack with a 2 s window."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from services.common.identity import Identity
from services.entrances import repository
from services.entrances.domain.entrance import FinalizationOutcome, log_entry
from tests.support.clinic import client, new_clinic
from tests.support.entrances import (
    TERMINAL,
    complete_workout,
    count_rows,
    components,
    daily_rows,
    entrance_rows,
    give_plan,
    mirrors_of,
    seed_earlier_workout,
    transitions_of,
)
from tests.support.waiting import eventually

FLAGS = {"appEntranceTracking": True}


async def clinic_for(stack, flags=FLAGS, **kwargs):
    return await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags=flags, **kwargs)


async def log(stack, clinic, index=0):
    async with client(stack.base_url) as http:
        return await http.post("/v2/app-entrances/log", headers=clinic.as_patient(index))


async def settled(stack, clinic, index=0, timeout=12.0):
    """Waits until the patient's entrances are all terminal; returns them."""
    return await eventually(
        lambda: entrance_rows(stack, clinic, index),
        lambda rows: bool(rows) and all(r.status in TERMINAL for r in rows),
        timeout=timeout, every=0.1,
    )


async def test_open_without_workout_becomes_one_mirror_workout_after_the_window(estack):
    clinic = await clinic_for(estack, timezone="Europe/Madrid")
    source = await seed_earlier_workout(estack, clinic)
    reply = await log(estack, clinic)
    assert reply.status_code == 202, reply.text
    body = reply.json()
    assert body["status"] == "PENDING" and body["entranceId"] and body["finalizeAfter"].endswith("Z")

    # Still pending inside the window.
    await asyncio.sleep(1.0)
    assert [r.status for r in await entrance_rows(estack, clinic)] == ["PENDING"]

    (entrance,) = await settled(estack, clinic)
    assert entrance.status == "FINALIZED_TO_INFERRED_WORKOUT"
    assert entrance.source_workout_id == str(source)
    mirrors = await mirrors_of(estack, clinic)
    assert len(mirrors) == 1
    assert str(mirrors[0].workout_id) == entrance.mirror_workout_id
    assert str(mirrors[0].entrance_id) == str(entrance.entrance_id)
    assert mirrors[0].local_date == entrance.local_date
    assert await transitions_of(estack, clinic, entrance.entrance_id) == [
        (None, "PENDING"), ("PENDING", "FINALIZED_TO_INFERRED_WORKOUT"),
    ]
    # The mirror's own workout.completed (inferred) reaches this service too: recorded, counts no work.
    days = {row.local_date: row for row in await daily_rows(estack, clinic)}
    today = days[entrance.local_date]
    assert today.app_opens_count == 1 and today.workouts_completed == 0
    assert len(days) == 2  # and the source workout's own day, from its real workout.completed



async def test_real_workout_inside_the_window_cancels_the_entrance(estack):
    clinic = await clinic_for(estack)
    await seed_earlier_workout(estack, clinic)
    assert (await log(estack, clinic)).status_code == 202
    await complete_workout(estack, clinic, datetime.now(timezone.utc))

    (entrance,) = await eventually(
        lambda: entrance_rows(estack, clinic), lambda rows: rows[0].status != "PENDING", timeout=5, every=0.05
    )
    assert entrance.status == "CANCELED_BY_REAL_WORKOUT"
    await asyncio.sleep(2.5)  # past the window: the finalization message finds it terminal
    assert (await entrance_rows(estack, clinic))[0].status == "CANCELED_BY_REAL_WORKOUT"
    assert await mirrors_of(estack, clinic) == []


async def test_reopening_extends_the_window_and_still_makes_one_mirror(estack):
    clinic = await clinic_for(estack)
    await seed_earlier_workout(estack, clinic)
    first = (await log(estack, clinic)).json()
    await asyncio.sleep(1.2)
    second = await log(estack, clinic)
    assert second.status_code == 202
    assert second.json()["entranceId"] == first["entranceId"]
    assert second.json()["finalizeAfter"] > first["finalizeAfter"]

    # The first message arrives at +2 s and finds the deadline moved: still PENDING.
    await asyncio.sleep(1.2)
    (row,) = await entrance_rows(estack, clinic)
    assert row.status == "PENDING" and row.entries_count == 2

    (entrance,) = await settled(estack, clinic)
    assert entrance.status == "FINALIZED_TO_INFERRED_WORKOUT"
    assert len(await mirrors_of(estack, clinic)) == 1
    days = {row.local_date: row for row in await daily_rows(estack, clinic)}
    assert days[entrance.local_date].app_opens_count == 2


async def test_flag_switched_off_before_finalization_skips(estack):
    clinic = await clinic_for(estack)
    await seed_earlier_workout(estack, clinic)
    assert (await log(estack, clinic)).status_code == 202
    admin = Identity(clinic.tenant_id, clinic.admin_id, "admin", "test-flag-off")
    await estack.runtimes["plans"].components.people.set_feature_flag(admin, "appEntranceTracking", False)

    (entrance,) = await settled(estack, clinic)
    assert entrance.status == "SKIPPED_FEATURE_DISABLED"
    assert entrance.mirror_workout_id is None
    assert await mirrors_of(estack, clinic) == []


async def test_no_earlier_real_workout_skips(estack):
    clinic = await clinic_for(estack)
    await give_plan(estack, clinic)  # a plan, but nothing ever completed
    assert (await log(estack, clinic)).status_code == 202
    (entrance,) = await settled(estack, clinic)
    assert entrance.status == "SKIPPED_NO_SOURCE_WORKOUT"
    assert await mirrors_of(estack, clinic) == []


async def test_flag_off_at_log_time_only_counts_the_open(estack):
    clinic = await clinic_for(estack, flags={})
    reply = await log(estack, clinic)
    assert reply.status_code == 200
    assert reply.json()["status"] == "disabled" and reply.json()["entranceId"] is None
    assert await entrance_rows(estack, clinic) == []
    (day,) = await daily_rows(estack, clinic)
    assert day.app_opens_count == 1


async def test_real_workout_already_today_is_not_needed(estack):
    clinic = await clinic_for(estack)
    await give_plan(estack, clinic)
    await complete_workout(estack, clinic, datetime.now(timezone.utc))
    # "Already" as entrances knows it: once plans' workout.completed has landed (until then the log is
    # accepted and the event cancels the entrance, test_entrances_after_workout).
    await eventually(lambda: count_rows(estack, clinic, "completed_workouts"), lambda n: n == 1, timeout=10)
    reply = await log(estack, clinic)
    assert reply.status_code == 200 and reply.json()["status"] == "not_needed"
    assert await entrance_rows(estack, clinic) == []


async def test_terminal_entrance_is_never_reopened(estack):
    clinic = await clinic_for(estack)
    await give_plan(estack, clinic)
    await log(estack, clinic)
    (entrance,) = await settled(estack, clinic)
    assert entrance.status == "SKIPPED_NO_SOURCE_WORKOUT"
    again = await log(estack, clinic)
    assert again.status_code == 200
    assert again.json()["status"] == "SKIPPED_NO_SOURCE_WORKOUT"
    assert again.json()["entranceId"] == str(entrance.entrance_id)
    assert len(await entrance_rows(estack, clinic)) == 1


async def test_finalized_after_local_midnight_the_mirror_keeps_the_entrance_day(estack):
    clinic = await clinic_for(estack)
    await seed_earlier_workout(estack, clinic)
    opened = datetime.now(timezone.utc) - timedelta(days=1)  # yesterday's visit, never finalized
    decision = log_entry(
        None, opened, timedelta(hours=2), entrance_id=str(uuid.uuid4()), tenant_id=str(clinic.tenant_id),
        patient_id=str(clinic.patient_id), local_date=opened.date(), timezone="UTC",
    )
    async with estack.runtimes["entrances"].database.unit_of_work(clinic.tenant_id) as uow:
        assert await repository.insert_entrance_if_absent(uow, decision.entrance, "app opened")
        await uow.commit()
    # Ours or the sweep's (it is long overdue): one of them makes the mirror, on yesterday's date.
    outcome = await components(estack).finalizer.finalize(clinic.tenant_id, decision.entrance.id)
    assert outcome in (FinalizationOutcome.CREATE_MIRROR, FinalizationOutcome.DROP_NOT_PENDING)
    (entrance,) = await settled(estack, clinic)
    assert entrance.status == "FINALIZED_TO_INFERRED_WORKOUT"
    (mirror,) = await mirrors_of(estack, clinic)
    assert mirror.local_date == opened.date() != datetime.now(timezone.utc).date()


async def test_the_clinic_switching_tracking_reaches_the_log_through_its_event(estack):
    # entrances' own copy of the flag, not plans' answer: after the first log only the event changes it.
    clinic = await clinic_for(estack)
    await seed_earlier_workout(estack, clinic)
    assert (await log(estack, clinic)).status_code == 202
    people = estack.runtimes["plans"].components.people
    admin = Identity(clinic.tenant_id, clinic.admin_id, "admin", "test-flag-event")

    await people.set_feature_flag(admin, "appEntranceTracking", False)
    off = await eventually(lambda: log(estack, clinic), lambda r: r.json()["status"] == "disabled", timeout=10, every=0.1)
    assert off.status_code == 200
    await people.set_feature_flag(admin, "appEntranceTracking", True)
    on = await eventually(lambda: log(estack, clinic), lambda r: r.status_code == 202, timeout=10, every=0.1)
    assert on.json()["status"] == "PENDING"


async def test_a_patient_moving_timezone_moves_the_logs_local_day(estack):
    # 25 hours apart: at any instant their local dates differ.
    clinic = await clinic_for(estack, patient_timezone="Pacific/Kiritimati")
    first = await log(estack, clinic)
    assert first.status_code == 202, first.text
    patient = Identity(clinic.tenant_id, clinic.patient_id, "patient", "test-zone-event")
    await estack.runtimes["plans"].components.people.update_my_timezone(patient, "Pacific/Pago_Pago")

    moved = await eventually(
        lambda: log(estack, clinic), lambda r: r.json()["localDate"] != first.json()["localDate"], timeout=10, every=0.1
    )
    assert moved.json()["localDate"] == datetime.now(ZoneInfo("Pacific/Pago_Pago")).date().isoformat()
    days = {row.local_date.isoformat(): row.timezone for row in await daily_rows(estack, clinic)}
    assert days[moved.json()["localDate"]] == "Pacific/Pago_Pago"
