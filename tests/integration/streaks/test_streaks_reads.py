"""GetStreak and RebuildStreak against the real stack: lazy evaluation persisted, first read creates a
zero row, who may read whose streak, rebuild from the projection, audit rows."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone

import grpc
import pytest
from sqlalchemy import text

from momentum.streaks.v1 import streaks_pb2
from services.common.identity import Identity, new_request_id
from services.gateway.routes.streaks import streak_reply
from tests.support.clinic import client, new_clinic
from tests.support.streaks import StreaksGrpc, expected_view, projected_workouts, publish_workout, streak_row, workout
from tests.support.waiting import eventually

UTC = timezone.utc
ZONE = "Europe/Madrid"


async def audit_actions(stack, tenant_id, patient_id):
    async with stack.runtimes["streaks"].database.unit_of_work(tenant_id) as uow:
        rows = await uow.execute(
            text("SELECT action, actor_role, request_id, details FROM streaks.audit_log WHERE entity_id = :p "
                 "ORDER BY audit_id"),
            {"p": str(patient_id)},
        )
        return rows.all()


async def test_first_read_creates_a_zero_row_and_returns_the_empty_view(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone=ZONE)
    assert await streak_row(stack, clinic.tenant_id, clinic.patient_id) is None
    async with client(stack.base_url) as http:
        reply = await http.get("/v2/streaks", headers=clinic.as_patient())
    assert reply.status_code == 200, reply.text
    view = reply.json()
    assert view["currentDailyStreak"] == 0 and view["lastWorkoutDate"] is None
    assert view["weekStreakActiveSince"] is None and view["weekTimezone"] is None
    assert view["daysOffPerWeek"] == 3 and view["weeklyDaysOffRemaining"] == 3
    assert [day["dayOfWeek"] for day in view["weekCalendar"]] == [1, 2, 3, 4, 5, 6, 0]
    assert "today" in [day["status"] for day in view["weekCalendar"]]
    row = await streak_row(stack, clinic.tenant_id, clinic.patient_id)
    assert row is not None and row.version == 0
    # Creating the zero row changed no streak: nothing to audit.
    assert await audit_actions(stack, clinic.tenant_id, clinic.patient_id) == []


async def test_a_due_break_is_applied_on_read_persisted_and_audited(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone=ZONE)
    three_weeks_ago = datetime.now(UTC) - timedelta(weeks=3)
    history = [workout(three_weeks_ago + timedelta(days=d), 30, ZONE) for d in range(3)]
    for done in history:
        await publish_workout(stack, clinic.tenant_id, clinic.patient_id, done)
    await eventually(lambda: projected_workouts(stack, clinic.tenant_id, clinic.patient_id), lambda rows: len(rows) == 3)
    stored = await eventually(
        lambda: streak_row(stack, clinic.tenant_id, clinic.patient_id),
        lambda row: row.last_workout_date == history[-1].completed_at,
    )
    # Stored as of the last workout: three days in a row, nothing broken yet.
    assert stored.current_daily_streak == 3

    async with client(stack.base_url) as http:
        now = datetime.now(UTC)
        reply = await http.get("/v2/streaks", headers=clinic.as_patient())
    assert reply.status_code == 200, reply.text
    assert reply.json() == expected_view(history, now, ZONE)
    assert reply.json()["currentDailyStreak"] == 0

    broken = await streak_row(stack, clinic.tenant_id, clinic.patient_id)
    assert (broken.current_daily_streak, broken.week_streak_active_since, broken.version) == (0, None, stored.version + 1)
    assert broken.evaluated_at >= now
    audit = await audit_actions(stack, clinic.tenant_id, clinic.patient_id)
    assert [(a.action, a.actor_role) for a in audit] == [("streak.evaluated", "patient")]
    assert audit[0].details["before"]["current_daily_streak"] == 3 and audit[0].details["after"]["current_daily_streak"] == 0
    assert audit[0].request_id

    # Reading again changes nothing more.
    async with client(stack.base_url) as http:
        again = await http.get("/v2/streaks", headers=clinic.as_patient())
    assert again.json()["currentDailyStreak"] == 0
    assert (await streak_row(stack, clinic.tenant_id, clinic.patient_id)).version == broken.version


async def test_a_workout_completed_before_a_read_that_broke_the_streak_is_replayed(stack):
    """A read evaluated after a workout whose event was still queued must not leave a false break."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone="UTC")
    now = datetime.now(UTC)
    this_monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time(12), UTC)
    last_monday = this_monday - timedelta(weeks=1)
    # Last week: Monday, Wednesday, Thursday reach streaks; Friday's event is still queued.
    seen = [workout(last_monday + timedelta(days=d), 30, "UTC") for d in (0, 2, 3)]
    queued = workout(last_monday + timedelta(days=4), 30, "UTC")
    for done in seen:
        await publish_workout(stack, clinic.tenant_id, clinic.patient_id, done)
    await eventually(
        lambda: streak_row(stack, clinic.tenant_id, clinic.patient_id),
        lambda row: row is not None and row.last_workout_date == seen[-1].completed_at,
    )
    # A read now sees 4 days off last week (Tue, Fri, Sat, Sun) and records the break.
    async with client(stack.base_url) as http:
        assert (await http.get("/v2/streaks", headers=clinic.as_patient())).json()["currentDailyStreak"] == 0
    read = await streak_row(stack, clinic.tenant_id, clinic.patient_id)
    assert read.current_daily_streak == 0 and read.evaluated_at > queued.completed_at

    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, queued)
    row = await eventually(
        lambda: streak_row(stack, clinic.tenant_id, clinic.patient_id),
        lambda row: row.last_workout_date == queued.completed_at,
    )
    # Friday makes last week 3 days off: the streak never broke. Applied on the broken row it would be 1.
    assert row.current_daily_streak == 4
    assert row.last_rebuilt_at > read.last_rebuilt_at
    async with client(stack.base_url) as http:
        when = datetime.now(UTC)
        view = (await http.get("/v2/streaks", headers=clinic.as_patient())).json()
    # (The view may still show a break inside this week, which has no workout: the rules, not the race.)
    assert view == expected_view([*seen, queued], when, "UTC")


async def test_who_may_read_whose_streak(stack):
    plans = stack.runtimes["plans"].components.people
    clinic = await new_clinic(plans, stack.settings, patients=2)
    other = await new_clinic(plans, stack.settings)
    async with client(stack.base_url) as http:
        mine = await http.get("/v2/streaks", params={"patientId": str(clinic.patient_id)}, headers=clinic.as_patient())
        assert mine.status_code == 200
        theirs = await http.get("/v2/streaks", params={"patientId": str(clinic.patient_ids[1])}, headers=clinic.as_patient())
        assert theirs.status_code == 403
        staff = await http.get("/v2/streaks", params={"patientId": str(clinic.patient_ids[1])}, headers=clinic.as_therapist())
        assert staff.status_code == 200
        admin = await http.get("/v2/streaks", params={"patientId": str(clinic.patient_id)}, headers=clinic.as_admin())
        assert admin.status_code == 200
        missing = await http.get("/v2/streaks", headers=clinic.as_therapist())
        assert missing.status_code == 422 and "patientId" in missing.json()["detail"]
        malformed = await http.get("/v2/streaks", params={"patientId": "nope"}, headers=clinic.as_therapist())
        assert malformed.status_code == 422 and "patientId" in malformed.json()["detail"]
        # Another clinic's therapist: the patient does not exist for them, and no row is created.
        foreign = await http.get("/v2/streaks", params={"patientId": str(clinic.patient_ids[1])}, headers=other.as_therapist())
        assert foreign.status_code == 404
        made_up = await http.get("/v2/streaks", params={"patientId": str(uuid.uuid4())}, headers=clinic.as_therapist())
        assert made_up.status_code == 404
        # A therapist's own id is not a patient.
        not_patient = await http.get("/v2/streaks", params={"patientId": str(clinic.therapist_id)}, headers=clinic.as_admin())
        assert not_patient.status_code == 404
        anonymous = await http.get("/v2/streaks")
        assert anonymous.status_code == 401
    async with stack.runtimes["streaks"].database.unit_of_work(other.tenant_id) as uow:
        assert (await uow.execute(text("SELECT count(*) FROM streaks.patient_streaks"))).scalar_one() == 0


async def test_rebuild_replays_the_projection_and_is_audited(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone=ZONE)
    now = datetime.now(UTC)
    history = [workout(now - timedelta(days=d, hours=1), 25, ZONE) for d in (3, 2, 1)]
    for done in history:
        await publish_workout(stack, clinic.tenant_id, clinic.patient_id, done)
    await eventually(lambda: projected_workouts(stack, clinic.tenant_id, clinic.patient_id), lambda rows: len(rows) == 3)
    await eventually(
        lambda: streak_row(stack, clinic.tenant_id, clinic.patient_id),
        lambda row: row.last_workout_date == history[-1].completed_at,
    )
    async with stack.runtimes["streaks"].database.unit_of_work(clinic.tenant_id) as uow:
        await uow.execute(
            text("UPDATE streaks.patient_streaks SET current_daily_streak = 99, weekly_minutes = 999 WHERE patient_id = :p"),
            {"p": clinic.patient_id},
        )
        await uow.commit()
    async with client(stack.base_url) as http:
        refused = await http.post(f"/v2/streaks/{clinic.patient_id}/rebuild", headers=clinic.as_patient())
        assert refused.status_code == 403
        when = datetime.now(UTC)
        rebuilt = await http.post(f"/v2/streaks/{clinic.patient_id}/rebuild", headers=clinic.as_therapist())
    assert rebuilt.status_code == 200, rebuilt.text
    assert rebuilt.json() == expected_view(history, when, ZONE)
    audit = await audit_actions(stack, clinic.tenant_id, clinic.patient_id)
    assert [(a.action, a.actor_role) for a in audit] == [("streak.rebuilt", "therapist")]
    assert audit[0].details["before"]["current_daily_streak"] == 99
    assert audit[0].details["workouts"] == 3


async def test_grpc_errors_for_bad_requests(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    therapist = Identity(clinic.tenant_id, clinic.therapist_id, "therapist", new_request_id())
    patient = Identity(clinic.tenant_id, clinic.patient_id, "patient", new_request_id())
    async with StreaksGrpc(stack) as streaks:
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await streaks.stub.GetStreak(
                streaks_pb2.GetStreakRequest(patient_id="x"),
                metadata=therapist.to_metadata(), timeout=5,
            )
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "patient_id" in bad.value.details()
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await streaks.rebuild(patient, clinic.patient_id)
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        view = streak_reply(await streaks.get(therapist, clinic.patient_id))
        assert view["currentDailyStreak"] == 0
