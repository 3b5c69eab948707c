"""`momentum streaks recalculate` as an operator runs it (a subprocess against the test database, while
the service runs): dry run reports, --apply fixes, a rerun changes nothing, an interrupted run resumes."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text

from tests.support.clinic import new_clinic
from tests.support.streaks import expected_view, projected_workouts, publish_workout, streak_row, workout
from services.streaks.domain.rules import evaluate
from services.streaks.domain.state import StreakState
from services.streaks.domain.view import build_view
from tests.support.waiting import eventually

UTC = timezone.utc
ZONE = "America/Chicago"
MOMENTUM = str(Path(sys.executable).parent / "momentum")


async def momentum(stack, *args: str) -> tuple[int, dict, str]:
    env = {**os.environ, "MOMENTUM_DB_NAME": stack.settings.database.name, "MOMENTUM_LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(
        MOMENTUM, "streaks", "recalculate", "--json", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, json.loads(out) if out.strip() else {}, err.decode()


async def clinic_with_history(stack, patients=3):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=patients, patient_timezone=ZONE)
    now = datetime.now(UTC)
    histories = {}
    for index, patient_id in enumerate(clinic.patient_ids):
        histories[patient_id] = [workout(now - timedelta(days=d, hours=index), 20 + 5 * d, ZONE) for d in (5, 3, 2, 1)]
        for done in histories[patient_id]:
            await publish_workout(stack, clinic.tenant_id, patient_id, done)
    for patient_id, history in histories.items():
        await eventually(lambda p=patient_id: projected_workouts(stack, clinic.tenant_id, p), lambda rows: len(rows) == 4)
        await eventually(
            lambda p=patient_id: streak_row(stack, clinic.tenant_id, p),
            lambda row, h=history: row is not None and row.last_workout_date == h[-1].completed_at,
        )
    return clinic, histories


async def corrupt(stack, clinic, patient_id, sql="current_daily_streak = 42, weekly_minutes = 7"):
    async with stack.runtimes["streaks"].database.unit_of_work(clinic.tenant_id) as uow:
        await uow.execute(text(f"UPDATE streaks.patient_streaks SET {sql} WHERE patient_id = :p"), {"p": patient_id})
        await uow.commit()


async def lose_row(stack, clinic, patient_id):
    async with stack.runtimes["streaks"].database.unit_of_work(clinic.tenant_id) as uow:
        await uow.execute(text("DELETE FROM streaks.patient_streaks WHERE patient_id = :p"), {"p": patient_id})
        await uow.commit()


async def stored_view(stack, clinic, patient_id, now):
    row = await streak_row(stack, clinic.tenant_id, patient_id)
    state = StreakState(
        row.current_daily_streak, row.current_weekly_streak, row.last_workout_date, row.weekly_minutes,
        frozenset(row.weekly_workout_days), row.week_streak_active_since, row.week_timezone,
    )
    return build_view(evaluate(state, now, ZONE), now, ZONE)


async def test_dry_run_reports_apply_fixes_and_a_rerun_changes_nothing(stack):
    clinic, histories = await clinic_with_history(stack)
    healthy, corrupted, lost = clinic.patient_ids
    await corrupt(stack, clinic, corrupted)
    await lose_row(stack, clinic, lost)
    tenant = str(clinic.tenant_id)

    code, dry, err = await momentum(stack, "--tenant", tenant)
    assert code == 0, err
    assert (dry["mode"], dry["patientsChecked"], dry["patientsDiffering"], dry["patientsWritten"]) == ("dry-run", 3, 2, 0)
    assert dry["complete"] is True
    # No progress bar when stderr is not a terminal: the log holds the one summary line.
    assert err.splitlines() == ["2 of 3 patients differ from a replay; 2 would change (dry run; --apply writes)"]
    sample = {diff["patientId"]: diff for diff in dry["sampleOfDiffs"]}
    assert set(sample) == {str(corrupted), str(lost)}
    assert "current_daily_streak" in sample[str(corrupted)]["fields"]
    assert sample[str(corrupted)]["stored"]["current_daily_streak"] == 42
    assert sample[str(lost)]["stored"] is None
    # A dry run writes nothing.
    assert (await streak_row(stack, clinic.tenant_id, corrupted)).current_daily_streak == 42
    assert await streak_row(stack, clinic.tenant_id, lost) is None

    code, applied, err = await momentum(stack, "--tenant", tenant, "--apply")
    assert code == 0, err
    assert (applied["mode"], applied["patientsDiffering"], applied["patientsWritten"]) == ("apply", 2, 2)
    now = datetime.now(UTC)
    for patient_id in clinic.patient_ids:
        assert await stored_view(stack, clinic, patient_id, now) == expected_view(histories[patient_id], now, ZONE)
    async with stack.runtimes["streaks"].database.unit_of_work(clinic.tenant_id) as uow:
        audit = (
            await uow.execute(text("SELECT entity_id, actor_role, details FROM streaks.audit_log WHERE action = 'streak.recalculated'"))
        ).all()
    assert {a.entity_id for a in audit} == {str(corrupted), str(lost)}
    assert all(a.actor_role == "service" and "recalculate" in a.details["by"] for a in audit)

    code, again, err = await momentum(stack, "--tenant", tenant, "--apply")
    assert code == 0, err
    assert (again["patientsChecked"], again["patientsDiffering"], again["patientsWritten"]) == (3, 0, 0)
    assert again["resumed"] is False  # the previous run completed: a new run starts over


async def test_an_interrupted_run_resumes_where_it_stopped(stack):
    clinic, histories = await clinic_with_history(stack, patients=4)
    ordered = sorted(clinic.patient_ids)
    for patient_id in ordered:
        await corrupt(stack, clinic, patient_id)
    tenant = str(clinic.tenant_id)

    code, first, err = await momentum(stack, "--tenant", tenant, "--apply", "--batch-size", "1", "--max-patients", "3")
    assert code == 0, err
    assert (first["patientsChecked"], first["patientsWritten"], first["complete"]) == (3, 3, False)
    assert "rerun to resume" in err
    assert (await streak_row(stack, clinic.tenant_id, ordered[3])).current_daily_streak == 42

    code, rest, err = await momentum(stack, "--tenant", tenant, "--apply")
    assert code == 0, err
    assert rest["resumed"] is True and rest["complete"] is True
    assert (rest["patientsCheckedThisRun"], rest["patientsChecked"], rest["patientsWritten"]) == (1, 4, 4)
    now = datetime.now(UTC)
    for patient_id in ordered:
        assert await stored_view(stack, clinic, patient_id, now) == expected_view(histories[patient_id], now, ZONE)

    # --restart ignores a saved position.
    await corrupt(stack, clinic, ordered[0])
    code, _, err = await momentum(stack, "--tenant", tenant, "--apply", "--max-patients", "2", "--batch-size", "2")
    assert code == 0, err
    code, restarted, err = await momentum(stack, "--tenant", tenant, "--restart")
    assert code == 0, err
    assert (restarted["resumed"], restarted["patientsChecked"], restarted["patientsDiffering"]) == (False, 4, 0)


async def test_without_a_tenant_every_known_clinic_is_checked(stack):
    first, _ = await clinic_with_history(stack, patients=1)
    second, _ = await clinic_with_history(stack, patients=1)
    await corrupt(stack, second, second.patient_id, "weekly_workout_days = '{}'")
    code, report, err = await momentum(stack, "--restart")
    assert code == 0, err
    assert report["tenants"] >= 2 and report["patientsDiffering"] >= 1
    assert report["patientsChecked"] >= 2
    if report["patientsDiffering"] <= 5:
        assert str(second.patient_id) in {diff["patientId"] for diff in report["sampleOfDiffs"]}
    assert (await streak_row(stack, second.tenant_id, second.patient_id)).weekly_workout_days == []


async def test_bad_arguments_are_refused_by_name(stack):
    code, _, err = await momentum(stack, "--tenant", "clinic-7")
    assert code == 2 and "--tenant" in err and "clinic-7" in err
    code, _, err = await momentum(stack, "--batch-size", "0")
    assert code == 2 and "--batch-size" in err
