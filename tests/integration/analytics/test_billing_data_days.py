"""RTM data-days track on real histories: window edges (day 30 vs 31, 15 vs 16 days), statuses,
evidence, and what qualifies under each tenant policy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.analytics import (
    admin, billing_records, codes, complete_on_days, exercises, finalize_session, give_plan, mirror, publish_entrance,
    recalculate, utc_today,
)
from tests.support.clinic import client, new_clinic
from tests.support.waiting import eventually

TODAY = utc_today()
D0 = TODAY - timedelta(days=70)  # window 0: D0..D0+29, window 1: D0+30..D0+59, window 2 holds today


def day(n: int):  # type: ignore[no-untyped-def]
    return D0 + timedelta(days=n)


@pytest.fixture(scope="module")
async def billing_clinic(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=4, flags={"rtmBilling": True})
    catalogue = await exercises(stack, clinic, ("Squat",))
    histories = {
        0: [day(0), day(29)],  # second data day on day 30: same window
        1: [day(0), day(30)],  # second data day on day 31: next window
        2: [day(n) for n in range(15)],
        3: [day(n) for n in range(16)],
    }
    done = {}
    for index, days in histories.items():
        care = await give_plan(stack, clinic, index, D0, 12, 7, catalogue)
        done[index] = await complete_on_days(stack, clinic, index, care, days)
        await recalculate(stack, clinic, index)
    return clinic, done


async def test_day_30_and_day_31(stack, billing_clinic):
    clinic, _ = billing_clinic
    async with client(stack.base_url) as http:
        same = await billing_records(http, clinic, 0, "data_days")
        split = await billing_records(http, clinic, 1, "data_days")
    assert [(r["periodStart"], r["periodEnd"], r["quantity"], codes(r), r["status"]) for r in same] == [
        (day(0).isoformat(), day(29).isoformat(), 2, ["98975", "98985"], "ready"),
        (day(30).isoformat(), day(59).isoformat(), 0, [], "ready"),
        (day(60).isoformat(), day(89).isoformat(), 0, [], "projected"),  # holds today
    ]
    # Day 31 opens window 2: each window has one data day; setup rides on the window of the second one.
    assert [(r["periodStart"], r["quantity"], codes(r)) for r in split] == [
        (day(0).isoformat(), 1, []),
        (day(30).isoformat(), 1, ["98975"]),
        (day(60).isoformat(), 0, []),
    ]


async def test_15_and_16_days(stack, billing_clinic):
    clinic, done = billing_clinic
    async with client(stack.base_url) as http:
        fifteen = (await billing_records(http, clinic, 2, "data_days"))[0]
        sixteen = (await billing_records(http, clinic, 3, "data_days"))[0]
    assert (fifteen["quantity"], codes(fifteen)) == (15, ["98975", "98985"])
    assert (sixteen["quantity"], codes(sixteen)) == (16, ["98975", "98977"])  # never both 98985 and 98977
    # Every counted day names the workout behind it.
    assert [(e["localDate"], e["recordIds"]) for e in sixteen["evidence"]] == [
        (w.local_date.isoformat(), [f"workout_real:{w.workout_id}"]) for w in done[3]
    ]


async def test_recalculation_is_idempotent(stack, billing_clinic):
    clinic, _ = billing_clinic
    async with client(stack.base_url) as http:
        before = await billing_records(http, clinic, 3)
        for index in range(4):
            outcome = await recalculate(stack, clinic, index)
            assert outcome is not None and outcome.changes == 0, outcome.describe()
        assert await billing_records(http, clinic, 3) == before


async def test_inferred_days_count_only_under_access_days(stack):
    """Same history in two clinics: a real workout, two mirror workouts and an app entrance."""
    start = TODAY - timedelta(days=20)
    results = {}
    for policy in ("activity_days", "access_days"):
        clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"rtmBilling": True})
        if policy == "access_days":
            await stack.runtimes["plans"].components.people.set_qualifying_policy(admin(clinic), policy)
        catalogue = await exercises(stack, clinic, ("Bridge",))
        care = await give_plan(stack, clinic, 0, start, 4, 3, catalogue)
        (real,) = await complete_on_days(stack, clinic, 0, care, [start + timedelta(days=1)])
        inferred = [await mirror(stack, clinic, 0, real.workout_id, start + timedelta(days=n)) for n in (2, 3)]
        entrance = await publish_entrance(stack, clinic, 0, start + timedelta(days=4))
        async with client(stack.base_url) as http:
            async def window():
                found = await billing_records(http, clinic, 0, "data_days")
                return found[0] if found else None

            if policy == "access_days":
                record = await eventually(window, lambda r: r is not None and r["quantity"] == 4)
            else:
                await eventually(lambda: _entrance_known(stack, clinic, entrance), bool)
                await recalculate(stack, clinic, 0)
                record = await window()
        results[policy] = (record, real, inferred, entrance)

    activity, real, _, _ = results["activity_days"]
    assert (activity["quantity"], codes(activity)) == (1, [])
    assert activity["evidence"] == [{"localDate": (start + timedelta(days=1)).isoformat(),
                                     "recordIds": [f"workout_real:{real.workout_id}"]}]
    access, real, inferred, entrance = results["access_days"]
    assert (access["quantity"], codes(access)) == (4, ["98975", "98985"])
    assert [e["recordIds"] for e in access["evidence"]] == [
        [f"workout_real:{real.workout_id}"],
        [f"workout_inferred:{inferred[0].workout_id}"],
        [f"workout_inferred:{inferred[1].workout_id}"],
        [f"app_entrance:{entrance}"],
    ]


async def _entrance_known(stack, clinic, entrance_id) -> bool:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        return (await uow.execute(text("SELECT 1 FROM plans.app_entrances WHERE entrance_id = :e"), {"e": entrance_id})).first() is not None


async def test_a_finalized_exercise_session_makes_a_data_day(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"rtmBilling": True})
    catalogue = await exercises(stack, clinic, ("Heel slide",))
    care = await give_plan(stack, clinic, 0, TODAY - timedelta(days=3), 4, 7, catalogue)
    (real,) = await complete_on_days(stack, clinic, 0, care, [TODAY - timedelta(days=3)])
    session_id = await finalize_session(stack, clinic, 0, care.workouts[1].workout_id, catalogue["Heel slide"])
    async with client(stack.base_url) as http:
        async def window():
            found = await billing_records(http, clinic, 0, "data_days")
            return found[0] if found else None

        record = await eventually(window, lambda r: r is not None and r["quantity"] == 2)
    assert record["evidence"][-1] == {"localDate": TODAY.isoformat(), "recordIds": [f"exercise_session:{session_id}"]}
    assert codes(record) == ["98975", "98985"] and record["status"] == "projected"


async def test_switching_the_policy_recomputes_the_clinic_without_a_manual_run(stack):
    """An admin moves the clinic from activity days to access days: the inferred day counts at once."""
    start = TODAY - timedelta(days=10)
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"rtmBilling": True})
    catalogue = await exercises(stack, clinic, ("Heel slide",))
    care = await give_plan(stack, clinic, 0, start, 4, 3, catalogue)
    (real,) = await complete_on_days(stack, clinic, 0, care, [start + timedelta(days=1)])
    await mirror(stack, clinic, 0, real.workout_id, start + timedelta(days=2))
    async with client(stack.base_url) as http:
        async def data_days():
            found = await billing_records(http, clinic, 0, "data_days")
            return found[0]["quantity"] if found else None

        assert await eventually(data_days, lambda n: n == 1) == 1
        switched = await http.put("/v1/admin/rtm-policy", json={"policy": "access_days"}, headers=clinic.as_admin())
        assert switched.status_code == 200 and switched.json()["rtmQualifyingPolicy"] == "access_days"
        assert await eventually(data_days, lambda n: n == 2) == 2
        turned_off = await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": False}, headers=clinic.as_admin())
        assert turned_off.status_code == 200
