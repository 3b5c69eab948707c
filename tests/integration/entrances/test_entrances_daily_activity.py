"""Daily activity rows and the XP ledger on the real stack: open/close, rollups on DST days, workout XP,
the goal bonus once, concurrent awards with one key, and the current streak run."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timedelta, timezone

import httpx
from sqlalchemy import text

from tests.support.clinic import client, new_clinic
from tests.support.entrances import complete_workout, daily_rows, give_plan, publish_workout_completed
from tests.support.waiting import eventually

UTC = timezone.utc


async def ledger(stack, clinic, index=0):
    async with stack.runtimes["entrances"].database.unit_of_work(clinic.tenant_id) as uow:
        return (
            await uow.execute(
                text("SELECT idempotency_key, amount, source, local_date FROM entrances.xp_ledger "
                     "WHERE patient_id = :p ORDER BY created_at, idempotency_key"),
                {"p": clinic.patient_ids[index]},
            )
        ).all()


async def workout_awards(stack, clinic, index=0):
    return [row for row in await ledger(stack, clinic, index) if row.source == "workout"]


async def day_row(stack, clinic, day: date, index=0):
    rows = {row.local_date: row for row in await daily_rows(stack, clinic, index)}
    return rows.get(day)


async def award(http, clinic, amount, key, patient_index=0, **extra):
    return await http.post(
        "/api/xp/award",
        json={"patientId": str(clinic.patient_ids[patient_index]), "amount": amount, "reason": "home practice",
              "idempotencyKey": key, **extra},
        headers=clinic.as_therapist(),
    )


async def test_open_and_close_count_signals_and_close_rolls_up_the_day(estack):
    clinic = await new_clinic(estack.runtimes["plans"].components.people, estack.settings, timezone="America/New_York")
    await give_plan(estack, clinic)
    async with client(estack.base_url) as http:
        first = await http.post("/api/app-usage/open", headers=clinic.as_patient())
        assert first.status_code == 200, first.text
        await http.post("/api/app-usage/open", json={}, headers=clinic.as_patient())
        workout_id = await complete_workout(estack, clinic, datetime.now(UTC))
        # XP arrives through plans.workout.completed; close recomputes from the ledger and workouts.
        await eventually(lambda: ledger(estack, clinic), lambda rows: len(rows) == 1)
        closed = await http.post("/api/app-usage/close", headers=clinic.as_patient())
    assert closed.status_code == 200, closed.text
    day = closed.json()
    assert (day["appOpensCount"], day["appClosesCount"]) == (2, 1)
    assert day["firstAppOpenedAt"] == first.json()["firstAppOpenedAt"]
    assert day["lastAppOpenedAt"] >= day["firstAppOpenedAt"] and day["lastAppClosedAt"]
    # 10 per workout + 2 per exercise (two prescribed, both done) with the default settings.
    assert (day["workoutsCompleted"], day["exercisesCompleted"], day["xpEarned"]) == (1, 2, 14)
    assert day["isStreakDay"] is True and day["metGoal"] is False
    assert (day["dailyXpGoal"], day["timezone"]) == (30, "America/New_York")
    assert [(r.idempotency_key, r.amount, r.source) for r in await ledger(estack, clinic)] == [
        (f"workout:{workout_id}", 14, "workout")
    ]


async def test_rollups_follow_the_local_day_on_dst_days(estack):
    clinic = await new_clinic(estack.runtimes["plans"].components.people, estack.settings, patient_timezone="Europe/Madrid")
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)  # 23 h and 25 h days in Madrid
    events = [
        datetime(2026, 3, 28, 22, 59, tzinfo=UTC),  # 23:59 CET on the 28th
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC),  # 00:00 CET: first instant of the 29th
        datetime(2026, 3, 29, 21, 59, tzinfo=UTC),  # 23:59 CEST: last minute of the 29th
        datetime(2026, 3, 29, 22, 0, tzinfo=UTC),  # 00:00 CEST on the 30th
        datetime(2026, 10, 24, 22, 0, tzinfo=UTC),  # 00:00 CEST: first instant of Oct 25
        datetime(2026, 10, 25, 22, 59, tzinfo=UTC),  # 23:59 CET, the 25th hour of Oct 25
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # 00:00 CET on the 26th
    ]
    for at in events:
        await publish_workout_completed(estack, clinic.tenant_id, clinic.patient_id, at, "Europe/Madrid", exercises=3)
    await eventually(lambda: workout_awards(estack, clinic), lambda rows: len(rows) == len(events), timeout=10)
    rows = await eventually(
        lambda: daily_rows(estack, clinic), lambda rows: sum(r.workouts_completed for r in rows) == len(events)
    )
    by_day = {r.local_date: (r.workouts_completed, r.exercises_completed, r.xp_earned, r.met_goal) for r in rows}
    one = (1, 3, 16, False)  # 10 + 3 x 2 XP
    two = (2, 6, 37, True)  # 32 crosses the goal of 30: +5 bonus, once
    assert by_day == {
        date(2026, 3, 28): one, spring: two, date(2026, 3, 30): one,
        autumn: two, date(2026, 10, 26): one,
    }
    assert {r.daily_xp_goal for r in rows} == {30}  # rows born from workout events snapshot the goal too
    bonuses = [r.local_date for r in await ledger(estack, clinic) if r.source == "goal_bonus"]
    assert sorted(bonuses) == [spring, autumn]
    # The same workout once more, under the same and under a new message id: counted once.
    workout = uuid.uuid4()
    for message_id in (None, None, f"resent:{workout}"):
        await publish_workout_completed(
            estack, clinic.tenant_id, clinic.patient_id, events[1], "Europe/Madrid", workout_id=workout,
            message_id=message_id,
        )
    await eventually(lambda: workout_awards(estack, clinic), lambda rows: len(rows) == len(events) + 1)
    await asyncio.sleep(0.5)
    assert len(await workout_awards(estack, clinic)) == len(events) + 1
    assert (await day_row(estack, clinic, spring)).workouts_completed == 3
    assert len([r for r in await ledger(estack, clinic) if r.source == "goal_bonus"]) == 2


async def test_inferred_workouts_earn_no_xp_and_count_no_work(estack):
    clinic = await new_clinic(estack.runtimes["plans"].components.people, estack.settings)
    at = datetime.now(UTC) - timedelta(minutes=1)
    await publish_workout_completed(estack, clinic.tenant_id, clinic.patient_id, at, "UTC", source="inferred")

    async def projected():
        async with estack.runtimes["entrances"].database.unit_of_work(clinic.tenant_id) as uow:
            return (await uow.execute(text("SELECT source FROM entrances.completed_workouts"))).scalars().all()

    assert await eventually(projected, lambda rows: rows == ["inferred"])
    assert await ledger(estack, clinic) == []
    assert await daily_rows(estack, clinic) == []


async def test_goal_bonus_is_awarded_once_when_the_day_first_reaches_the_goal(estack):
    clinic = await new_clinic(estack.runtimes["plans"].components.people, estack.settings)
    async with client(estack.base_url) as http:
        first = await award(http, clinic, 20, "a")
        assert first.status_code == 201, first.text
        assert first.json()["goalBonus"] is None and first.json()["day"]["xpEarned"] == 20
        crossing = await award(http, clinic, 15, "b")
        assert crossing.json()["goalBonus"]["amount"] == 5
        assert crossing.json()["day"]["xpEarned"] == 40 and crossing.json()["day"]["metGoal"] is True
        after = await award(http, clinic, 5, "c")
        assert after.json()["goalBonus"] is None and after.json()["day"]["xpEarned"] == 45
        replay = await award(http, clinic, 15, "b")
        assert replay.status_code == 200 and replay.json()["created"] is False
        assert replay.json()["award"]["awardId"] == crossing.json()["award"]["awardId"]
        closed = await http.post("/api/app-usage/close", headers=clinic.as_patient())
    assert closed.json()["xpEarned"] == 45  # the rollup from the ledger agrees with the live updates
    sources = [r.source for r in await ledger(estack, clinic)]
    assert sorted(sources) == ["goal_bonus", "therapist", "therapist", "therapist"]


async def test_twenty_concurrent_awards_with_one_key_write_one_ledger_row(estack):
    clinic = await new_clinic(estack.runtimes["plans"].components.people, estack.settings)
    async with httpx.AsyncClient(base_url=estack.base_url, timeout=20) as http:
        replies = await asyncio.gather(*(award(http, clinic, 7, "same-key") for _ in range(20)))
    assert sorted(r.status_code for r in replies) == [200] * 19 + [201]
    assert len({r.json()["award"]["awardId"] for r in replies}) == 1
    assert len(await ledger(estack, clinic)) == 1
    (row,) = await daily_rows(estack, clinic)
    assert row.xp_earned == 7
    async with estack.runtimes["entrances"].database.unit_of_work(clinic.tenant_id) as uow:
        audits = (await uow.execute(text("SELECT count(*) FROM entrances.audit_log WHERE action = 'xp.award'"))).scalar_one()
    assert audits == 1


async def test_same_key_for_a_different_award_is_a_conflict(estack):
    clinic = await new_clinic(estack.runtimes["plans"].components.people, estack.settings)
    async with client(estack.base_url) as http:
        assert (await award(http, clinic, 7, "k")).status_code == 201
        clash = await award(http, clinic, 8, "k")
    assert clash.status_code == 409 and "idempotency_key" in clash.json()["detail"]
    assert len(await ledger(estack, clinic)) == 1


async def test_daily_activity_lists_days_and_the_current_streak_run(estack):
    clinic = await new_clinic(estack.runtimes["plans"].components.people, estack.settings)
    now = datetime.now(UTC)
    today = now.date()
    for days_ago in (0, 1, 2, 4):  # a gap three days ago
        at = now - timedelta(days=days_ago) if days_ago else now - timedelta(seconds=5)
        await publish_workout_completed(estack, clinic.tenant_id, clinic.patient_id, at, "UTC")
    await eventually(lambda: daily_rows(estack, clinic), lambda rows: sum(r.is_streak_day for r in rows) == 4)
    query = {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}
    async with client(estack.base_url) as http:
        own = await http.get("/api/daily-activity", params=query, headers=clinic.as_patient())
        staff = await http.get(
            "/api/daily-activity", params={**query, "patientId": str(clinic.patient_id)}, headers=clinic.as_therapist()
        )
    assert own.status_code == 200, own.text
    assert own.json()["currentStreakDays"] == 3 and own.json()["today"] == today.isoformat()
    # Every day of the range, the days without a row as empty days (three days ago: the gap).
    days = own.json()["days"]
    assert [d["date"] for d in days] == [(today - timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
    assert [d["isStreakDay"] for d in days] == [False, False, True, False, True, True, True]
    assert (days[3]["xpEarned"], days[3]["appOpensCount"], days[3]["workoutsCompleted"]) == (0, 0, 0)
    assert staff.json() == own.json()
