"""The poison inputs of issue 12 (§3, §4) sent through the real gateway to the real services: instants outside the
window (a phone clock reset to 1970 east of UTC, year 1, year 9999 at -12:00), time entries and plans dated year 1 and
9999, bodies that are not standard JSON on every JSON route, and a 100,000-character id. Each is a 4xx naming the
problem that echoes at most a short prefix of the input, and nothing is written: no audit row and no outbox event in
any service, and what the patient and the therapist read back is what it was, with every read still a 200."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator

import pytest
from sqlalchemy import text

from services.common.errors import InvalidInput
from services.common.identity import Identity
from services.plans.domain.completion import Completion, ExerciseResult
from tests.support.care import completion, create_exercises, create_plan, patient_workouts
from tests.support.clinic import Clinic, client, new_clinic

UTC = timezone.utc


@dataclass
class Ward:
    """A clinic with RTM billing, a catalogue and a running plan: everything a poison input could corrupt."""

    clinic: Clinic
    plan: dict[str, Any]
    workouts: list[dict[str, Any]]


@pytest.fixture(scope="module")
async def ward(stack) -> AsyncIterator[Ward]:
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"rtmBilling": True})
    async with client(stack.base_url) as http:
        exercises = await create_exercises(http, clinic)
        plan = await create_plan(http, clinic, exercises=exercises)
        yield Ward(clinic, plan, await patient_workouts(http, clinic))


async def footprint(stack, clinic: Clinic) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(audit rows, outbox events) of the clinic in every service's schema: every mutation leaves both or either."""
    counts = {}
    for name, runtime in stack.runtimes.items():
        async with runtime.database.unit_of_work(clinic.tenant_id) as uow:
            audits = (await uow.execute(text(f"SELECT count(*) FROM {name}.audit_log"))).scalar_one()
            events = (await uow.execute(text(f"SELECT count(*) FROM {name}.outbox WHERE tenant_id = :t"),
                                        {"t": clinic.tenant_id})).scalar_one()
        counts[name] = (audits, events)
    return counts


async def settled_footprint(stack, clinic: Clinic) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The footprint once the set-up's own events have been consumed (it stops moving)."""
    deadline, last = time.monotonic() + 15, await footprint(stack, clinic)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = await footprint(stack, clinic)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the clinic's footprint never settled: {last}")


async def read_back(http, ward: Ward) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What the patient and the therapist see; every read must answer 200 (a stored year 1 made them 500 forever)."""
    c, patient = ward.clinic, ward.clinic.patient_id
    reads = {
        "exercises": await http.get("/v1/exercises", headers=c.as_therapist()),
        "workouts": await http.get("/v2/workouts?past=false", headers=c.as_patient()),
        "past": await http.get("/v2/workouts", headers=c.as_patient()),
        "sessions": await http.get(f"/v2/doctor/patients/{patient}/workout-sessions", headers=c.as_therapist()),
        "progress": await http.get(f"/v1/patient-treatment-plans/{ward.plan['planId']}/progress", headers=c.as_patient()),
        "analytics": await http.get(f"/v1/patient-treatment-plans/{ward.plan['planId']}/analytics", headers=c.as_therapist()),
        "entries": await http.get(f"/v1/patients/{patient}/time-entries", headers=c.as_therapist()),
        "patients": await http.get("/v1/patients", headers=c.as_therapist()),
    }
    assert {name: r.status_code for name, r in reads.items()} == dict.fromkeys(reads, 200)
    seen = {name: r.json() for name, r in reads.items()}
    for volatile in ("progress", "analytics"):  # "today" and "as of" move with the clock, nothing else may
        seen[volatile] = {k: v for k, v in seen[volatile].items() if k not in ("localDate", "asOf", "thisWeek")}
    return seen


def _refused(reply, status: int, names: str) -> None:  # type: ignore[no-untyped-def]
    assert reply.status_code == status, reply.text[:300]
    body = reply.json()
    assert set(body) == {"error", "detail", "errors"} and names in body["detail"], body
    if status == 422 and ":" in names:
        # A validation failure names its field for a form, as the detail does.
        assert names.split(":", 1)[0] in [e["field"] for e in body["errors"]], body
    assert len(body["detail"]) < 300 and "x" * 50 not in body["detail"], body["detail"][:300]


SOON = datetime.now(UTC) - timedelta(hours=1)


@pytest.mark.parametrize("start, end, field", [
    ("1970-01-01T00:10:00+01:00", "1970-01-01T00:30:00+01:00", "timeWorkoutStart"),
    ("0001-01-01T00:00:00Z", "0001-01-01T00:30:00Z", "timeWorkoutStart"),
    ("9999-12-31T23:29:59-12:00", "9999-12-31T23:59:59-12:00", "timeWorkoutStart"),
    (SOON.isoformat(), "9999-12-31T23:59:59-12:00", "timeWorkoutEnd"),
], ids=["phone clock reset east of UTC", "year 1", "year 9999 at -12:00", "ends in year 9999"])
async def test_a_completion_outside_the_window_is_refused_and_writes_nothing(stack, ward, start, end, field):
    workout = ward.workouts[0]
    async with client(stack.base_url) as http:
        before, seen = await settled_footprint(stack, ward.clinic), await read_back(http, ward)
        body = completion(workout, timeWorkoutStart=start, timeWorkoutEnd=end)
        reply = await http.post(f"/v2/workouts/{workout['workoutId']}/complete", json=body, headers=ward.clinic.as_patient())
        _refused(reply, 422, f"{field}: must lie between 2000-01-01T00:00:00Z and 24 h from now")
        # The same keep-alive connection still serves (an overflow in the gateway used to drop it).
        assert await read_back(http, ward) == seen
    assert await footprint(stack, ward.clinic) == before


async def test_plans_holds_its_callers_to_the_same_window(stack, ward):
    """What reaches plans by gRPC is checked by the same rule (services.common.parsing.instant_in_window)."""
    workout = ward.workouts[1]
    who = Identity(ward.clinic.tenant_id, ward.clinic.patient_id, "patient", f"test-{uuid.uuid4().hex[:8]}")
    results = tuple(ExerciseResult(e["exerciseId"], 3, 10, False, None) for e in workout["exercises"])
    before = await settled_footprint(stack, ward.clinic)
    reset_clock = datetime(1970, 1, 1, 0, 10, tzinfo=timezone(timedelta(hours=1)))
    with pytest.raises(InvalidInput, match="timeWorkoutStart: must lie between"):
        await stack.runtimes["plans"].components.workouts.complete(
            who, uuid.UUID(workout["workoutId"]), Completion(reset_clock, reset_clock + timedelta(minutes=20), 3, 2, 4, results)
        )
    assert await footprint(stack, ward.clinic) == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
async def test_time_entries_and_plans_dated_outside_the_window_are_refused(stack, ward, day):
    c = ward.clinic
    async with client(stack.base_url) as http:
        before, seen = await settled_footprint(stack, c), await read_back(http, ward)
        entry = {"minutes": 10, "activityType": "data_review", "interactive": False, "occurredOn": day}
        _refused(await http.post(f"/v1/patients/{c.patient_id}/time-entries", json=entry, headers=c.as_therapist()),
                 422, "occurredOn: must lie between 2000-01-01 and")
        plan = {"patientId": str(c.patient_id), "title": "Hip", "startDate": day, "durationWeeks": 2, "frequencyPerWeek": 2,
                "exercises": [{"exerciseId": ward.workouts[0]["exercises"][0]["exerciseId"], "sets": 2, "reps": 8}]}
        _refused(await http.post("/v1/patient-treatment-plans", json=plan, headers=c.as_therapist()),
                 422, "startDate: must lie between 2000-01-01 and")
        days = await http.get("/api/daily-activity", params={"from": day, "to": day}, headers=c.as_patient())
        _refused(days, 422, "from: must lie between 2000-01-01 and")
        assert await read_back(http, ward) == seen
    assert await footprint(stack, c) == before


NOT_JSON = ["NaN", "Infinity", "-Infinity", "1e400"]


@pytest.mark.parametrize("number", NOT_JSON)
async def test_a_body_that_is_not_standard_json_is_a_400_on_every_json_route(stack, ward, number):
    c = ward.clinic
    async with client(stack.base_url) as http:
        spec = (await http.get("/openapi.json")).json()
        before, seen = await settled_footprint(stack, c), await read_back(http, ward)
        # The issue's own example first: a pose profile with NaN made POST /v1/exercises a 500.
        example = await http.post("/v1/exercises", content='{"name":"n","poseProfile":{"a":%s}}' % number,
                                  headers={**c.as_therapist(), "content-type": "application/json"})
        _refused(example, 400, "body: ")
        ids = {"patient_id": str(c.patient_id), "plan_id": ward.plan["planId"], "workout_id": ward.workouts[2]["workoutId"],
               "patientId": str(c.patient_id), "record_id": str(uuid.uuid4()), "session_id": str(uuid.uuid4()),
               "flag": "rtmBilling", "purpose": "analytics"}
        routes = 0
        for path, methods in spec["paths"].items():
            for method, operation in methods.items():
                if "application/json" not in operation.get("requestBody", {}).get("content", {}):
                    continue
                filled = path
                for name, value in ids.items():
                    filled = filled.replace("{" + name + "}", value)
                for headers in (c.as_patient(), c.as_therapist(), c.as_admin()):
                    body = '{"name": "n", "amount": %s, "answers": {"pain_now": %s}, "events": [{"position_seconds": %s}]}' % (
                        number, number, number)
                    reply = await http.request(method.upper(), filled, content=body,
                                               headers={**headers, "content-type": "application/json"})
                    _refused(reply, 400, "body: ")
                routes += 1
        assert routes >= 15
        assert await read_back(http, ward) == seen
    assert await footprint(stack, c) == before


async def test_a_hundred_thousand_character_id_is_refused_without_being_echoed(stack, ward):
    c, long = ward.clinic, "x" * 100_000
    async with client(stack.base_url) as http:
        before, seen = await settled_footprint(stack, c), await read_back(http, ward)
        assign = await http.put(f"/v1/patients/{c.patient_id}/therapist", json={"therapistId": long}, headers=c.as_therapist())
        _refused(assign, 422, "therapistId")  # was a 429 whose detail echoed the input up to gRPC's metadata limit
        unknown = await http.post("/v2/user/auto-update-timezone", json={"timezone": "UTC", long: 1}, headers=c.as_patient())
        _refused(unknown, 422, "key longer than")
        profile = await http.post("/v1/exercises", json={"name": "n", "poseProfile": {long: 1}}, headers=c.as_therapist())
        _refused(profile, 422, "key longer than")
        form = {"templateKey": "post_session", "templateVersion": 1, "answers": {long: "same"}}
        _refused(await http.post(f"/v1/workouts/{ward.workouts[2]['workoutId']}/form-responses", json=form,
                                 headers=c.as_patient()), 422, "key longer than")
        award = {"patientId": long, "amount": 1, "reason": "r", "idempotencyKey": "k"}
        _refused(await http.post("/api/xp/award", json=award, headers=c.as_therapist()), 422, "patientId")
        plan = await http.get(f"/v1/patient-treatment-plans/{'x' * 5000}", headers=c.as_therapist())
        _refused(plan, 422, "planId: must be a UUID")
        assert await read_back(http, ward) == seen
    assert await footprint(stack, c) == before
