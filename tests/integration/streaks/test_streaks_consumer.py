"""The workout-events consumer against the real broker and database: incremental and replay paths end
where a replay of the sorted history ends; redeliveries never count twice; poison is parked."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone

import asyncpg
import pytest
from sqlalchemy import text

from services.common.identity import Identity, new_request_id
from services.gateway.routes.streaks import streak_reply
from tests.support.clinic import new_clinic
from tests.support.streaks import (
    StreaksGrpc, dead_lettered, expected_view, inbox_has, projected_workouts, publish_workout, streak_row, workout,
    workout_event,
)
from tests.support.fresh import asyncpg_dsn
from tests.support.waiting import eventually

UTC = timezone.utc
ZONE = "America/New_York"


def patient_identity(clinic, index=0):
    return Identity(clinic.tenant_id, clinic.patient_ids[index], "patient", new_request_id())


async def settled(stack, clinic, patient_id, workouts: int):
    """The streak row once the projection holds `workouts` workouts for the patient."""
    await eventually(
        lambda: projected_workouts(stack, clinic.tenant_id, patient_id), lambda rows: len(rows) == workouts, timeout=15
    )
    return await streak_row(stack, clinic.tenant_id, patient_id)


async def view_now(stack, clinic, index=0):
    async with StreaksGrpc(stack) as streaks:
        now = datetime.now(UTC)
        reply = await streaks.get(patient_identity(clinic, index))
    return now, streak_reply(reply)


async def test_in_order_events_apply_incrementally_and_a_late_one_replays_to_the_same_streak(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone=ZONE)
    now = datetime.now(UTC)
    first = workout(now - timedelta(days=4, hours=2), 30, ZONE)
    second = workout(now - timedelta(days=3, hours=1), 20, ZONE)
    third = workout(now - timedelta(hours=20), 25, ZONE)
    late = workout(now - timedelta(days=2), 15, ZONE)

    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, first)
    after_first = await settled(stack, clinic, clinic.patient_id, 1)
    assert after_first.last_rebuilt_at is not None  # a first workout is replayed

    for done in (second, third):
        await publish_workout(stack, clinic.tenant_id, clinic.patient_id, done)
        await eventually(
            lambda: streak_row(stack, clinic.tenant_id, clinic.patient_id),
            lambda row, done=done: row.last_workout_date == done.completed_at,
        )
    incremental = await streak_row(stack, clinic.tenant_id, clinic.patient_id)
    # The incremental path: no replay since the first workout, state as of the latest workout.
    assert incremental.last_rebuilt_at == after_first.last_rebuilt_at
    assert incremental.evaluated_at == third.completed_at
    assert incremental.version == 3

    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, late)
    replayed = await eventually(
        lambda: streak_row(stack, clinic.tenant_id, clinic.patient_id), lambda row: row.version == 4, timeout=15
    )
    assert replayed.last_rebuilt_at > after_first.last_rebuilt_at
    assert replayed.weekly_minutes <= 90

    when, view = await view_now(stack, clinic)
    assert view == expected_view([first, second, third, late], when, ZONE)
    assert view["lastWorkoutDate"] == third.completed_at.isoformat().replace("+00:00", "Z")


async def test_a_mirror_workout_after_the_last_one_applies_incrementally_and_a_late_one_replays(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone=ZONE)
    now = datetime.now(UTC)
    real = workout(now - timedelta(days=3), 40, ZONE)
    mirror = workout(now - timedelta(days=1), 0, ZONE, source="inferred")
    late_mirror = workout(now - timedelta(days=2), 0, ZONE, source="inferred")
    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, real)
    first = await settled(stack, clinic, clinic.patient_id, 1)
    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, mirror)
    row = await eventually(
        lambda: streak_row(stack, clinic.tenant_id, clinic.patient_id), lambda r: r.version == 2, timeout=15
    )
    # Later than everything the streak has seen: applied to the stored state, no replay.
    assert row.last_rebuilt_at == first.last_rebuilt_at
    assert row.evaluated_at == mirror.completed_at
    when, view = await view_now(stack, clinic)
    assert view == expected_view([real, mirror], when, ZONE)

    # Earlier than the last one (and than the read just made): only a replay is right.
    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, late_mirror)
    row = await eventually(
        lambda: streak_row(stack, clinic.tenant_id, clinic.patient_id), lambda r: r.last_rebuilt_at > first.last_rebuilt_at,
        timeout=15,
    )
    projected = await projected_workouts(stack, clinic.tenant_id, clinic.patient_id)
    assert sorted(p.source for p in projected) == ["inferred", "inferred", "real"]
    when, view = await view_now(stack, clinic)
    assert view == expected_view([real, late_mirror, mirror], when, ZONE)


async def test_redelivery_and_a_resent_workout_never_count_twice(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone=ZONE)
    now = datetime.now(UTC)
    first = workout(now - timedelta(days=1, hours=3), 30, ZONE)
    second = workout(now - timedelta(hours=2), 20, ZONE)
    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, first)
    await settled(stack, clinic, clinic.patient_id, 1)
    # The same message twice (a broker redelivery): the inbox drops the second.
    message_id = await publish_workout(stack, clinic.tenant_id, clinic.patient_id, second)
    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, second, message_id=message_id)
    once = await settled(stack, clinic, clinic.patient_id, 2)
    await asyncio.sleep(0.5)
    # The same workout under a new message id (the producer re-sent it): the projection drops it,
    # even though it would otherwise qualify for the incremental path.
    resent_id = await publish_workout(stack, clinic.tenant_id, clinic.patient_id, second, message_id="resent-" + message_id)
    await eventually(lambda: inbox_has(stack, resent_id), bool)
    after = await streak_row(stack, clinic.tenant_id, clinic.patient_id)
    assert (after.version, after.weekly_minutes, after.current_daily_streak) == (
        once.version, once.weekly_minutes, once.current_daily_streak,
    )
    assert len(await projected_workouts(stack, clinic.tenant_id, clinic.patient_id)) == 2
    when, view = await view_now(stack, clinic)
    assert view == expected_view([first, second], when, ZONE)


async def test_a_corrected_workout_replaces_its_facts_and_replays(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone=ZONE)
    now = datetime.now(UTC)
    done = workout(now - timedelta(hours=5), 30, ZONE)
    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, done)
    await settled(stack, clinic, clinic.patient_id, 1)
    corrected = type(done)(done.workout_id, done.completed_at, 50, ZONE)
    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, corrected, message_id=f"fix-{done.workout_id}")
    row = await eventually(
        lambda: streak_row(stack, clinic.tenant_id, clinic.patient_id), lambda r: r.version == 2, timeout=15
    )
    assert row.weekly_minutes == 50
    projected = await projected_workouts(stack, clinic.tenant_id, clinic.patient_id)
    assert [p.minutes for p in projected] == [50]


async def test_poison_workouts_are_dead_lettered_and_change_nothing(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=1)
    now = datetime.now(UTC)
    negative = workout(now - timedelta(hours=1), -1)
    too_long = workout(now - timedelta(hours=1), 2000)
    future = workout(now + timedelta(days=3), 30)
    bad_id = workout(now - timedelta(hours=1), 30)
    bad_body = workout_event(clinic.patient_id, bad_id)
    bad_body.patient_id = "not-a-patient-id"
    unknown_source = workout(now - timedelta(hours=1), 30, source="guessed")
    sent = {
        await publish_workout(stack, clinic.tenant_id, clinic.patient_id, negative),
        await publish_workout(stack, clinic.tenant_id, clinic.patient_id, too_long),
        await publish_workout(stack, clinic.tenant_id, clinic.patient_id, future),
        await publish_workout(stack, clinic.tenant_id, clinic.patient_id, bad_id, body=bad_body),
        await publish_workout(stack, clinic.tenant_id, clinic.patient_id, unknown_source),
    }
    parked: set[str] = set()

    async def collect():
        parked.update(await dead_lettered(stack, "streaks.workout-events.dead", sent))
        return parked

    await eventually(collect, lambda found: found == sent, timeout=15, every=0.2)
    assert await streak_row(stack, clinic.tenant_id, clinic.patient_id) is None
    assert await projected_workouts(stack, clinic.tenant_id, clinic.patient_id) == []
    for message_id in sent:
        assert not await inbox_has(stack, message_id)


async def test_a_workout_with_an_unknown_zone_counts_in_the_patients_zone(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone="Asia/Tokyo")
    done = workout(datetime.now(UTC) - timedelta(hours=3), 30, "Mars/Olympus_Mons")
    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, done)
    row = await settled(stack, clinic, clinic.patient_id, 1)
    projected = await projected_workouts(stack, clinic.tenant_id, clinic.patient_id)
    # Plans' context gives the patient's zone; the workout is never dead-lettered for its zone.
    assert projected[0].timezone == "Asia/Tokyo"
    assert row.week_timezone == "Asia/Tokyo"


async def test_every_streak_table_is_isolated_by_tenant(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    other = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    done = workout(datetime.now(UTC) - timedelta(hours=3), 30)
    await publish_workout(stack, clinic.tenant_id, clinic.patient_id, done)
    await settled(stack, clinic, clinic.patient_id, 1)
    async with stack.runtimes["streaks"].database.unit_of_work(other.tenant_id) as uow:
        for table in ("patient_streaks", "completed_workouts"):
            seen = (
                await uow.execute(text(f"SELECT count(*) FROM streaks.{table} WHERE patient_id = :p"), {"p": clinic.patient_id})
            ).scalar_one()
            assert seen == 0, table


async def test_streak_tables_force_row_level_security_and_the_tenant_directory_is_write_isolated(stack):
    owner = await asyncpg.connect(asyncpg_dsn(stack.settings, "momentum_owner", stack.settings.database.owner_password))
    try:
        unforced = await owner.fetch(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE c.relkind = 'r' AND n.nspname = 'streaks' AND c.relname NOT IN ('outbox', 'inbox')
              AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
            """
        )
        assert unforced == []
    finally:
        await owner.close()

    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    other = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    conn = await asyncpg.connect(asyncpg_dsn(stack.settings, "momentum_streaks", stack.settings.database.app_password))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(clinic.tenant_id))
            await conn.execute("INSERT INTO streaks.known_tenants (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING", clinic.tenant_id)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(clinic.tenant_id))
                await conn.execute("INSERT INTO streaks.known_tenants (tenant_id) VALUES ($1)", other.tenant_id)
        async with conn.transaction():
            assert await conn.execute("DELETE FROM streaks.known_tenants") == "DELETE 0"
            assert await conn.execute("UPDATE streaks.known_tenants SET first_seen_at = now()") == "UPDATE 0"
            # Readable without a tenant: it lists ids only, for `recalculate` across clinics.
            assert clinic.tenant_id in {r["tenant_id"] for r in await conn.fetch("SELECT tenant_id FROM streaks.known_tenants")}
    finally:
        await conn.close()


async def test_a_shuffled_burst_with_redeliveries_ends_where_the_sorted_replay_ends(stack):
    """Forty workouts over five weeks, published at once in random order, some twice under new ids:
    the consumer works them concurrently (row lock, projection) and ends exactly at the replay."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone=ZONE)
    rng = random.Random(20260302)
    now = datetime.now(UTC)
    history = [
        workout(now - timedelta(days=35) + timedelta(hours=rng.randrange(0, 35 * 24 - 2)), rng.choice((5, 15, 30, 50)), ZONE)
        for _ in range(40)
    ]
    sends = [(done, None) for done in history] + [(done, f"again-{done.workout_id}") for done in rng.sample(history, 10)]
    rng.shuffle(sends)
    await asyncio.gather(*(publish_workout(stack, clinic.tenant_id, clinic.patient_id, d, message_id=m) for d, m in sends))
    await settled(stack, clinic, clinic.patient_id, 40)
    await eventually(
        lambda: inbox_count(stack, [m or f"workout-completed:{d.workout_id}" for d, m in sends]), lambda n: n == 50, timeout=20
    )
    when, view = await view_now(stack, clinic)
    assert view == expected_view(history, when, ZONE)
    row = await streak_row(stack, clinic.tenant_id, clinic.patient_id)
    assert row.last_workout_date == max(d.completed_at for d in history)


async def inbox_count(stack, message_ids):
    async with stack.runtimes["streaks"].database.unit_of_work(None) as uow:
        return (
            await uow.execute(
                text("SELECT count(*) FROM streaks.inbox WHERE consumer = 'streaks.workout-events' AND message_id = ANY(:ids)"),
                {"ids": message_ids},
            )
        ).scalar_one()
