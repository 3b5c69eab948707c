"""Monthly partitions of plans.media_session_metrics: finalized sessions land in the month's
partition, months past two years are dropped, clinical tables are never touched."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import asyncpg
import pytest
from sqlalchemy import text

from services.plans.care.loops import maintain_media_partitions
from tests.support.analytics import exercises, finalize_session, give_plan, utc_today
from tests.support.clinic import new_clinic
from tests.support.fresh import asyncpg_dsn
from tests.support.waiting import eventually


def months_ago(n: int) -> date:
    month = datetime.now(timezone.utc).date().replace(day=1)
    for _ in range(n):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def partition(month: date) -> str:
    return f"media_session_metrics_y{month:%Y}m{month:%m}"


async def _partitions(conn: asyncpg.Connection) -> set[str]:
    rows = await conn.fetch(
        "SELECT child.relname FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid "
        "JOIN pg_class base ON base.oid = i.inhparent WHERE base.relname = 'media_session_metrics' "
        "AND base.relnamespace = 'plans'::regnamespace"
    )
    return {r["relname"] for r in rows}


async def test_a_finalized_session_lands_in_this_months_partition(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    catalogue = await exercises(stack, clinic, ("Squat",))
    care = await give_plan(stack, clinic, 0, utc_today() - timedelta(days=2), 2, 3, catalogue)
    session_id = await finalize_session(stack, clinic, 0, care.workouts[0].workout_id, catalogue["Squat"], watched_percent=64.0)

    async def stored():  # type: ignore[no-untyped-def]
        async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
            return (await uow.execute(
                text("SELECT tableoid::regclass::text AS part, completion_percentage FROM plans.media_session_metrics "
                     "WHERE session_id = :s"), {"s": session_id},
            )).all()

    rows = await eventually(stored, lambda r: len(r) == 1)
    assert rows[0].part == f"plans.{partition(months_ago(0))}" and rows[0].completion_percentage == 64.0


async def test_retention_drops_old_media_months_only(stack):
    settings = stack.settings
    owner = await asyncpg.connect(asyncpg_dsn(settings, "momentum_owner", settings.database.owner_password))
    try:
        for month in (months_ago(30), months_ago(23)):
            following = (month + timedelta(days=32)).replace(day=1)
            await owner.execute(
                f"CREATE TABLE IF NOT EXISTS plans.{partition(month)} PARTITION OF plans.media_session_metrics "
                f"FOR VALUES FROM ('{month} 00:00:00+00') TO ('{following} 00:00:00+00')"
            )
        before = await _partitions(owner)
        clinical = {t: await owner.fetchval(f"SELECT count(*) FROM pg_class WHERE relname = '{t}' "
                                            "AND relnamespace = 'plans'::regnamespace")
                    for t in ("workouts", "exercise_logs", "pose_session_metrics", "pose_rep_metrics")}
        async with stack.runtimes["plans"].database.unit_of_work(None) as uow:
            changed = await maintain_media_partitions(uow)
            await uow.commit()
        after = await _partitions(owner)
        assert changed >= 1
        assert partition(months_ago(30)) in before and partition(months_ago(30)) not in after  # past two years
        assert partition(months_ago(23)) in after  # still inside two years
        assert {partition(months_ago(0))} <= after
        assert all(v == 1 for v in clinical.values())
        async with stack.runtimes["plans"].database.unit_of_work(None) as uow:
            with pytest.raises(Exception, match="at least 24"):
                await maintain_media_partitions(uow, keep_months=12)
    finally:
        await owner.close()
