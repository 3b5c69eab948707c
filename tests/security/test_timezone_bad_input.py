"""Timezones at the edges, through the real services: invalid names refused at every entry point (naming
the zone, writing nothing), and the local date of a workout completion and of an app open or entrance
right around midnight on New Year's Eve in +05:45, +13:45, -03:30, and across DST gaps and overlaps."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from services.common.clock import FrozenClock
from services.entrances.activity import ActivityHandlers
from services.entrances.finalizer import FinalizationScheduler
from services.entrances.patient_context import PatientContexts
from services.entrances.handlers import EntranceHandlers
from tests.support.care import completion, create_plan, patient_workouts
from tests.support.clinic import client, new_clinic
from tests.support.entrances import patient
from tests.support.waiting import eventually

UTC = timezone.utc
INVALID = [
    "Mars/Olympus_Mons", "Europe/Madird", "europe/madrid", "../../etc/passwd", "/usr/share/zoneinfo/UTC", " UTC",
    "UTC ", "Etc/GMT+15", "GMT+5:30", "+05:45", "zone.tab", "Europe/",
]


async def _audit_count(stack, clinic) -> int:  # type: ignore[no-untyped-def]
    async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
        return (await uow.execute(text("SELECT count(*) FROM plans.audit_log"))).scalar_one()


@pytest.mark.parametrize("name", INVALID)
async def test_an_invalid_zone_is_a_422_naming_it_and_writes_nothing(stack, name):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone="Europe/Madrid")
    async with client(stack.base_url) as http:
        reply = await http.post("/v2/user/auto-update-timezone", json={"timezone": name}, headers=clinic.as_patient())
        assert reply.status_code == 422, reply.text
        assert reply.json()["error"] == "invalid_argument" and repr(name) in reply.json()["detail"]
        created = await http.post(
            "/v1/users", json={"role": "patient", "displayName": "Ana", "timezone": name}, headers=clinic.as_admin()
        )
        assert created.status_code == 422 and repr(name) in created.json()["detail"], created.text
        me = await http.get("/v2/user/me", headers=clinic.as_patient())
    assert me.json()["timezone"] == "Europe/Madrid"
    assert await _audit_count(stack, clinic) == 0


@pytest.mark.parametrize("body, field", [
    ({"timezone": "Europe/Madrid\u0000"}, "timezone"), ({"timezone": "x" * 65}, "timezone"), ({"timezone": ""}, "timezone"),
    ({"timezone": 5}, "timezone"), ({}, "timezone"),
])
async def test_a_zone_that_is_not_even_a_name_is_a_422_naming_the_field(stack, body, field):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        reply = await http.post("/v2/user/auto-update-timezone", json=body, headers=clinic.as_patient())
    assert reply.status_code == 422 and field in reply.json()["detail"], reply.text
    assert await _audit_count(stack, clinic) == 0


@pytest.mark.parametrize("name", ["Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Australia/Lord_Howe",
                                  "Pacific/Kiritimati", "Pacific/Pago_Pago", "Etc/GMT-14", "America/Santiago"])
async def test_odd_but_real_zones_are_accepted(stack, name):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        reply = await http.post("/v2/user/auto-update-timezone", json={"timezone": name}, headers=clinic.as_patient())
    assert reply.status_code == 200 and reply.json()["timezone"] == name


def _at(text_utc: str) -> datetime:
    return datetime.fromisoformat(text_utc).replace(tzinfo=UTC)


# (zone, completion end in UTC, the local date it must get): both sides of local midnight on New Year's Eve,
# and the hours a DST change removes or repeats.
COMPLETIONS = [
    ("Asia/Kathmandu", "2025-12-31 17:45", "2025-12-31"),  # 23:30 +05:45
    ("Asia/Kathmandu", "2025-12-31 18:15", "2026-01-01"),  # 00:00 +05:45
    ("Pacific/Chatham", "2025-12-31 10:14", "2025-12-31"),  # 23:59 +13:45 (summer time)
    ("Pacific/Chatham", "2025-12-31 10:15", "2026-01-01"),  # 00:00 +13:45
    ("America/St_Johns", "2026-01-01 03:29", "2025-12-31"),  # 23:59 -03:30
    ("America/St_Johns", "2026-01-01 03:30", "2026-01-01"),  # 00:00 -03:30
    ("America/New_York", "2025-11-02 05:30", "2025-11-02"),  # 01:30 EDT, the first of two
    ("America/New_York", "2025-11-02 06:30", "2025-11-02"),  # 01:30 EST, the repeat
    ("America/New_York", "2026-03-08 06:59", "2026-03-08"),  # 01:59 EST, just before the gap
    ("America/New_York", "2026-03-08 07:00", "2026-03-08"),  # 03:00 EDT, just after it
    ("America/Santiago", "2025-09-07 03:59", "2025-09-06"),  # 23:59 -04 on Saturday; Sunday starts at 01:00
    ("America/Santiago", "2025-09-07 04:00", "2025-09-07"),  # 01:00 -03: midnight never happened
]


async def test_a_completion_gets_the_local_date_of_the_patients_zone(stack):
    """Each zone is a patient of its own; every completion lands on the local date, in plans (the
    workout) and in entrances (the daily activity built from plans' event)."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=5)
    zones = sorted({zone for zone, _, _ in COMPLETIONS})
    start = date(2025, 8, 31)
    async with client(stack.base_url) as http:
        exercises = None
        pools = {}
        for index, zone_name in enumerate(zones):
            moved = await http.post("/v2/user/auto-update-timezone", json={"timezone": zone_name}, headers=clinic.as_patient(index))
            assert moved.status_code == 200, moved.text
            plan = await create_plan(http, clinic, index, start=start, weeks=70, per_week=2, exercises=exercises)
            exercises = exercises or [{"exerciseId": e["exerciseId"]} for e in plan["exercises"]]
            pools[zone_name] = (index, await patient_workouts(http, clinic, index))
        for zone_name, ended, expected in COMPLETIONS:
            index, pool = pools[zone_name]
            workout = pool.pop(0)
            end = _at(ended)
            done = await http.post(
                f"/v2/workouts/{workout['workoutId']}/complete", json=completion(workout, ended=end, minutes=20),
                headers=clinic.as_patient(index),
            )
            assert done.status_code == 200, done.text
            assert (done.json()["localDate"], done.json()["timezone"]) == (expected, zone_name), (zone_name, ended)

        for index, zone_name in enumerate(zones):
            wanted: dict[str, int] = {}
            for zone_of, _, expected in COMPLETIONS:
                if zone_of == zone_name:
                    wanted[expected] = wanted.get(expected, 0) + 1

            async def days():  # type: ignore[no-untyped-def]
                reply = await http.get(
                    "/api/daily-activity", params={"from": "2025-09-01" if zone_name != "America/Santiago" else "2025-09-05",
                                                   "to": "2026-03-10" if zone_name != "America/Santiago" else "2025-09-08"},
                    headers=clinic.as_patient(index),
                )
                assert reply.status_code == 200, reply.text
                return {d["date"]: d["workoutsCompleted"] for d in reply.json()["days"] if d["workoutsCompleted"]}

            assert await eventually(days, lambda found: found == wanted, timeout=15) == wanted, zone_name


# (zone, instant in UTC, the local date an app open and an entrance must carry)
OPENS = [
    ("Asia/Kathmandu", "2025-12-31 18:14", "2025-12-31"),
    ("Asia/Kathmandu", "2025-12-31 18:15", "2026-01-01"),
    ("America/St_Johns", "2026-01-01 03:29", "2025-12-31"),
    ("America/St_Johns", "2026-01-01 03:30", "2026-01-01"),
    ("Australia/Lord_Howe", "2026-04-04 14:59", "2026-04-05"),  # 01:59 +11 on the morning the clock goes back 30 minutes
    ("Australia/Lord_Howe", "2026-04-04 15:00", "2026-04-05"),  # 01:30 +10:30, the repeated half hour
]


@pytest.mark.parametrize("zone_name, instant, expected", OPENS)
async def test_an_app_open_and_an_entrance_get_the_local_date(stack, zone_name, instant, expected):
    """The entrances use cases with the service's own database and plans client and a clock stopped at the instant."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patient_timezone=zone_name,
                              flags={"appEntranceTracking": True})
    runtime = stack.runtimes["entrances"]
    parts = runtime.components
    clock = FrozenClock(_at(instant))
    policy = parts.activity.policy
    delay = stack.settings.entrance_finalize_delay
    activity = ActivityHandlers(runtime.database, parts.plans, clock, policy)
    entrances = EntranceHandlers(
        runtime.database, parts.plans, PatientContexts(parts.plans), FinalizationScheduler(runtime.broker, delay), clock,
        delay, policy,
    )

    opened = await activity.record_open(patient(clinic))
    assert (opened.local_date.isoformat(), opened.timezone) == (expected, zone_name)
    logged = await entrances.log_entrance(patient(clinic))
    assert logged.local_date.isoformat() == expected
    assert logged.entrance is not None and logged.entrance.local_date.isoformat() == expected
    assert logged.entrance.finalize_after == _at(instant) + timedelta(seconds=delay.total_seconds())
