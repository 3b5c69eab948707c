"""RTM records over time: recalculation after a late mirror workout, billing and resetting with
audit rows, a billed record recalculation disagrees with, periods closing, and the progress board."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from services.common.clock import FrozenClock, SystemClock
from services.plans.billing.handlers import close_finished_periods
from tests.support.analytics import (
    admin, billing_consumer_saw, billing_records, codes, complete_on_days, exercises, give_plan, mirror, noon, recalculate, utc_today,
)
from tests.support.clinic import client, new_clinic
from tests.support.waiting import eventually

TODAY = utc_today()


async def _access_days_clinic(stack, patients: int = 1):  # type: ignore[no-untyped-def]
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=patients, flags={"rtmBilling": True})
    await stack.runtimes["plans"].components.people.set_qualifying_policy(admin(clinic), "access_days")
    return clinic


async def _audit_actions(stack, clinic, entity_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        rows = await uow.execute(
            text("SELECT action FROM plans.audit_log WHERE entity_id = :e ORDER BY audit_id"), {"e": entity_id}
        )
        return [r.action for r in rows]


async def test_late_mirror_workout_is_counted_and_rerunning_changes_nothing(stack):
    clinic = await _access_days_clinic(stack)
    d0 = TODAY - timedelta(days=25)
    care = await give_plan(stack, clinic, 0, d0, 6, 7, await exercises(stack, clinic, ("Squat",)))
    done = await complete_on_days(stack, clinic, 0, care, [d0 + timedelta(days=n) for n in range(14)])
    async with client(stack.base_url) as http:
        async def window():
            found = await billing_records(http, clinic, 0, "data_days")
            return found[0] if found else None

        # The consumer recomputes on every completion; fourteen days in the open window.
        first = await eventually(window, lambda r: r is not None and r["quantity"] == 14)
        assert codes(first) == ["98975", "98985"] and first["status"] == "projected"
        # App entrances finalized late become mirror workouts dated on their own (earlier) days.
        late = [await mirror(stack, clinic, 0, done[-1].workout_id, d0 + timedelta(days=n)) for n in (20, 21)]
        record = await eventually(window, lambda r: r["quantity"] == 16)
        assert codes(record) == ["98975", "98977"]
        assert record["evidence"][-2:] == [
            {"localDate": (d0 + timedelta(days=20)).isoformat(), "recordIds": [f"workout_inferred:{late[0].workout_id}"]},
            {"localDate": (d0 + timedelta(days=21)).isoformat(), "recordIds": [f"workout_inferred:{late[1].workout_id}"]},
        ]
        outcome = await recalculate(stack, clinic, 0)
        assert outcome is not None and outcome.changes == 0, outcome.describe()
        assert (await window()) == record  # not even updatedAt moved


async def test_billing_a_record_and_a_billed_record_recalculation_disagrees_with(stack):
    clinic = await _access_days_clinic(stack)
    d0 = TODAY - timedelta(days=45)  # window 0 closed fifteen days ago
    care = await give_plan(stack, clinic, 0, d0, 8, 7, await exercises(stack, clinic, ("Bridge",)))
    done = await complete_on_days(stack, clinic, 0, care, [d0 + timedelta(days=n) for n in range(15)])
    await recalculate(stack, clinic, 0)
    async with client(stack.base_url) as http:
        closed, current = await billing_records(http, clinic, 0, "data_days")
        assert (closed["status"], codes(closed), current["status"]) == ("ready", ["98975", "98985"], "projected")
        bill = f"/v1/billing-records/{closed['recordId']}"
        assert (await http.post(f"{bill}/mark-billed", headers=clinic.as_therapist())).status_code == 403
        refused = await http.post(f"/v1/billing-records/{current['recordId']}/mark-billed", headers=clinic.as_admin())
        assert refused.status_code == 400 and "projected" in refused.json()["detail"]
        billed = await http.post(f"{bill}/mark-billed", headers=clinic.as_admin())
        assert billed.status_code == 200, billed.text
        assert billed.json()["status"] == "billed" and billed.json()["billedBy"] == str(clinic.admin_id)
        assert (await http.post(f"{bill}/mark-billed", headers=clinic.as_admin())).status_code == 400  # already billed

        # A late entrance-mirror adds a 16th day to the billed window: the claim stays as billed, flagged.
        await mirror(stack, clinic, 0, done[-1].workout_id, d0 + timedelta(days=20))

        async def first_window():
            return (await billing_records(http, clinic, 0, "data_days"))[0]

        flagged = await eventually(first_window, lambda r: r["conflict"] == "codes_changed")
        assert (flagged["status"], flagged["quantity"], codes(flagged)) == ("billed", 15, ["98975", "98985"])

        reset = await http.post(f"{bill}/reset", headers=clinic.as_admin())
        assert reset.status_code == 200, reset.text
        # Reset follows the sources again at once: ready, sixteen days, 98977, no conflict.
        r = reset.json()
        assert (r["status"], r["quantity"], codes(r), r["conflict"], r["billedAt"]) == ("ready", 16, ["98975", "98977"], None, None)
        assert (await http.post(f"{bill}/reset", headers=clinic.as_admin())).status_code == 400  # not billed
    assert await _audit_actions(stack, clinic, closed["recordId"]) == ["billing_record.mark_billed", "billing_record.reset"]


async def test_periods_close_without_new_activity(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)  # billing switched on later
    d0 = TODAY - timedelta(days=60)
    care = await give_plan(stack, clinic, 0, d0, 12, 7, await exercises(stack, clinic, ("Lunge",)))
    done = await complete_on_days(stack, clinic, 0, care, [d0 + timedelta(days=1), d0 + timedelta(days=2)])
    await billing_consumer_saw(stack, [w.workout_id for w in done])  # and ignored them: billing was off
    await stack.runtimes["plans"].components.people.set_feature_flag(admin(clinic), "rtmBilling", True)
    async with client(stack.base_url) as http:
        # Switching billing on recomputes the clinic (both windows, as of today) ...
        await eventually(lambda: billing_records(http, clinic, 0, "data_days"), lambda found: len(found) == 2)
    # ... then, as if computed back when window 0 was still open ...
    await recalculate(stack, clinic, 0, FrozenClock(noon(d0 + timedelta(days=10))))
    async with client(stack.base_url) as http:
        (window,) = await billing_records(http, clinic, 0, "data_days")
        assert window["status"] == "projected"
        # ... the hourly period closer finds it ended.
        assert await close_finished_periods(stack.runtimes["plans"].database, SystemClock()) >= 1
        windows = await billing_records(http, clinic, 0, "data_days")
    assert [(w["periodStart"], w["status"]) for w in windows] == [
        ((d0 + timedelta(days=1)).isoformat(), "ready"),
        ((d0 + timedelta(days=31)).isoformat(), "projected"),  # holds today
    ]


async def test_progress_board(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=4, flags={"rtmBilling": True})
    catalogue = await exercises(stack, clinic, ("Squat",))
    await give_plan(stack, clinic, 0, TODAY - timedelta(days=5), 4, 3, catalogue)  # never used the app
    behind = await give_plan(stack, clinic, 1, TODAY - timedelta(days=30), 8, 7, catalogue)
    await complete_on_days(stack, clinic, 1, behind, [TODAY - timedelta(days=25), TODAY - timedelta(days=24)])
    keen = await give_plan(stack, clinic, 2, TODAY - timedelta(days=5), 8, 7, catalogue)
    await complete_on_days(stack, clinic, 2, keen, [TODAY - timedelta(days=n) for n in (3, 2, 1)])
    # Patient 3 has no plan: not on the board.
    for index in (1, 2):
        await recalculate(stack, clinic, index)
    async with client(stack.base_url) as http:
        reply = await http.get("/v1/billing/progress-board", headers=clinic.as_therapist())
        assert reply.status_code == 200, reply.text
        board = {p["patientId"]: p for p in reply.json()["patients"]}
        assert (await http.get("/v1/billing/progress-board", headers=clinic.as_patient())).status_code == 403
        off = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
        assert (await http.get("/v1/billing/progress-board", headers=off.as_admin())).status_code == 400
    assert set(board) == {str(p) for p in clinic.patient_ids[:3]}
    never = board[str(clinic.patient_ids[0])]
    assert (never["status"], never["daysRemaining"], never["daysNeeded"], never["windowIndex"]) == ("never_logged_in", 30, 16, None)
    late = board[str(clinic.patient_ids[1])]
    # Window today-25 .. today+4: five days left, fourteen still needed.
    assert (late["status"], late["dataDays"], late["daysRemaining"], late["daysNeeded"], late["windowEnd"]) == (
        "needs_engagement", 2, 5, 14, (TODAY + timedelta(days=4)).isoformat())
    on_track = board[str(clinic.patient_ids[2])]
    assert (on_track["status"], on_track["dataDays"], on_track["daysRemaining"], on_track["daysNeeded"]) == ("on_track", 3, 27, 13)
    assert datetime.fromisoformat(on_track["localDate"]).date() == datetime.now(timezone.utc).date()
