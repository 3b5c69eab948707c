"""Bad input and the wrong caller get a 4xx naming the problem, and nothing is written."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from tests.support.clinic import client, new_clinic
from tests.support.entrances import count_rows

TABLES = ("entrances", "daily_activity", "xp_ledger", "audit_log")


async def nothing_written(stack, clinic) -> None:
    assert {table: await count_rows(stack, clinic, table) for table in TABLES} == dict.fromkeys(TABLES, 0)


@pytest.fixture
async def clinic(estack):
    return await new_clinic(
        estack.runtimes["plans"].components.people, estack.settings, patients=2, flags={"appEntranceTracking": True}
    )


def award_body(clinic, **changes):
    body = {"patientId": str(clinic.patient_id), "amount": 10, "reason": "home practice", "idempotencyKey": "k1"}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


@pytest.mark.parametrize(
    ("changes", "status", "names"),
    [
        ({"amount": 10.5}, 422, "amount"),
        ({"amount": 10.0}, 422, "amount"),
        ({"amount": "10"}, 422, "amount"),
        ({"amount": True}, 422, "amount"),
        ({"amount": 0}, 422, "amount"),
        ({"amount": -5}, 422, "amount"),
        ({"amount": 501}, 422, "amount"),  # over the configured cap (MOMENTUM_XP_AWARD_CAP, 500)
        ({"amount": 10**12}, 422, "amount"),
        ({"bonus": 1}, 422, "bonus"),
        ({"idempotencyKey": ...}, 422, "idempotencyKey"),
        ({"idempotencyKey": ""}, 422, "idempotencyKey"),
        ({"reason": "   "}, 422, "reason"),
        ({"source": "Bad Source!"}, 422, "source"),
        ({"patientId": "not-a-uuid"}, 422, "patientId"),
    ],
)
async def test_bad_xp_awards_are_refused_naming_the_field(estack, clinic, changes, status, names):
    async with client(estack.base_url) as http:
        reply = await http.post("/api/xp/award", json=award_body(clinic, **changes), headers=clinic.as_therapist())
    assert reply.status_code == status, reply.text
    assert names in reply.json()["detail"]
    await nothing_written(estack, clinic)


async def test_only_staff_of_the_clinic_award_xp(estack, clinic):
    other = await new_clinic(estack.runtimes["plans"].components.people, estack.settings)
    async with client(estack.base_url) as http:
        as_patient = await http.post("/api/xp/award", json=award_body(clinic), headers=clinic.as_patient())
        foreign = await http.post("/api/xp/award", json=award_body(clinic), headers=other.as_therapist())
        not_a_patient = await http.post(
            "/api/xp/award", json=award_body(clinic, patientId=str(clinic.therapist_id)), headers=clinic.as_admin()
        )
    assert as_patient.status_code == 403
    assert foreign.status_code == 404
    assert not_a_patient.status_code == 404
    await nothing_written(estack, clinic)
    await nothing_written(estack, other)


async def test_unknown_fields_on_signals_are_refused(estack, clinic):
    async with client(estack.base_url) as http:
        for path in ("/v2/app-entrances/log", "/api/app-usage/open", "/api/app-usage/close"):
            reply = await http.post(path, json={"patientId": str(clinic.patient_ids[1])}, headers=clinic.as_patient())
            assert reply.status_code == 422, (path, reply.text)
            assert "patientId" in reply.json()["detail"]
        staff = await http.post("/v2/app-entrances/log", headers=clinic.as_therapist())
        assert staff.status_code == 403
    await nothing_written(estack, clinic)


async def test_patients_read_only_their_own_days(estack, clinic):
    today = date.today().isoformat()
    other_patient = {"from": today, "to": today, "patientId": str(clinic.patient_ids[1])}
    async with client(estack.base_url) as http:
        reply = await http.get("/api/daily-activity", params=other_patient, headers=clinic.as_patient())
        assert reply.status_code == 403
        no_patient = await http.get("/api/daily-activity", params={"from": today, "to": today}, headers=clinic.as_therapist())
        assert no_patient.status_code == 422 and "patientId" in no_patient.json()["detail"]
        backwards = await http.get(
            "/api/daily-activity", params={"from": today, "to": "2020-01-01"}, headers=clinic.as_patient()
        )
        assert backwards.status_code == 422 and "to" in backwards.json()["detail"]
        not_a_date = await http.get("/api/daily-activity", params={"from": "yesterday", "to": today}, headers=clinic.as_patient())
        assert not_a_date.status_code == 422 and "from" in not_a_date.json()["detail"]
        too_long = await http.get("/api/daily-activity", params={"from": "2020-01-01", "to": today}, headers=clinic.as_patient())
        assert too_long.status_code == 422


async def test_entrance_history_is_for_staff_of_the_clinic(estack, clinic):
    other = await new_clinic(estack.runtimes["plans"].components.people, estack.settings)
    path = f"/v2/doctor/patients/{clinic.patient_id}/app-entrances"
    async with client(estack.base_url) as http:
        assert (await http.post("/v2/app-entrances/log", headers=clinic.as_patient())).status_code == 202
        own = await http.get(path, headers=clinic.as_therapist())
        assert own.status_code == 200
        (entry,) = own.json()["entrances"]
        assert entry["status"] == "PENDING" and entry["entriesCount"] == 1
        assert (await http.get(path, headers=clinic.as_patient())).status_code == 403
        assert (await http.get(path, headers=other.as_therapist())).status_code == 404
        assert (await http.get(f"/v2/doctor/patients/{uuid.uuid4()}/app-entrances", headers=clinic.as_admin())).status_code == 404
        assert (await http.get("/v2/doctor/patients/nope/app-entrances", headers=clinic.as_admin())).status_code == 422
