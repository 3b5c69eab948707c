"""RTM management-time track through the HTTP API: minute thresholds, the interactive-call rule,
statuses by calendar month, and bad input."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.support.analytics import billing_records, codes, utc_today
from tests.support.clinic import client, new_clinic

TODAY = utc_today()
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=10)


def entry(minutes: int, interactive: bool = True, on=LAST_MONTH, activity: str = "patient_communication") -> dict:  # type: ignore[no-untyped-def]
    return {"minutes": minutes, "activityType": activity, "interactive": interactive, "occurredOn": on.isoformat()}


# minutes logged (as entries) -> codes of the month
CASES = [
    ([entry(9)], []),
    ([entry(10)], ["98979"]),
    ([entry(19)], ["98979"]),
    ([entry(20)], ["98980"]),
    ([entry(39)], ["98980"]),
    ([entry(25, interactive=False, activity="data_review"), entry(15)], ["98980", "98981"]),  # 40 in two entries
    ([entry(60)], ["98980", "98981x2"]),
    ([entry(30, interactive=False, activity="data_review")], []),  # no real-time call that month
]


@pytest.fixture(scope="module")
async def clinic(stack):
    return await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=len(CASES) + 1,
                            flags={"rtmBilling": True})


async def test_minute_thresholds_and_the_interactive_rule(stack, clinic):
    async with client(stack.base_url) as http:
        for index, (entries, _) in enumerate(CASES):
            for body in entries:
                reply = await http.post(f"/v1/patients/{clinic.patient_ids[index]}/time-entries", json=body,
                                        headers=clinic.as_therapist())
                assert reply.status_code == 201, reply.text
        for index, (entries, expected) in enumerate(CASES):
            (month,) = await billing_records(http, clinic, index, "management_time")
            assert codes(month) == expected, (sum(e["minutes"] for e in entries), month)
            assert month["quantity"] == sum(e["minutes"] for e in entries)
            assert month["status"] == "ready"  # last month has closed
            assert month["periodStart"] == LAST_MONTH.replace(day=1).isoformat()
        listed = (await http.get(f"/v1/patients/{clinic.patient_ids[5]}/time-entries", headers=clinic.as_admin())).json()
        assert sorted(e["minutes"] for e in listed["entries"]) == [15, 25]
        month = (await billing_records(http, clinic, 5, "management_time"))[0]
        assert sorted(month["evidence"][0]["recordIds"]) == sorted(f"time_entry:{e['entryId']}" for e in listed["entries"])


async def test_this_month_is_projected(stack, clinic):
    index = len(CASES)
    async with client(stack.base_url) as http:
        reply = await http.post(f"/v1/patients/{clinic.patient_ids[index]}/time-entries", json=entry(22, on=TODAY),
                                headers=clinic.as_therapist())
        assert reply.status_code == 201, reply.text
        (month,) = await billing_records(http, clinic, index, "management_time")
    assert (codes(month), month["status"]) == (["98980"], "projected")


async def test_bad_time_entries_are_refused_and_write_nothing(stack, clinic):
    other = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"rtmBilling": True})
    no_billing = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    patient = clinic.patient_ids[0]
    url = f"/v1/patients/{patient}/time-entries"
    async with client(stack.base_url) as http:
        before = (await http.get(url, headers=clinic.as_therapist())).json()["entries"]
        for body, status, field in [
            (entry(0), 422, "minutes"),
            (entry(1441), 422, "minutes"),
            ({**entry(10), "minutes": "10"}, 422, "minutes"),
            ({**entry(10), "extra": 1}, 422, "extra"),
            (entry(10, activity="golf"), 422, "activityType"),
            (entry(10, on=TODAY + timedelta(days=2)), 422, "occurredOn"),
        ]:
            reply = await http.post(url, json=body, headers=clinic.as_therapist())
            assert reply.status_code == status and field in reply.json()["detail"], reply.text
        assert (await http.post(url, json=entry(10), headers=clinic.as_admin())).status_code == 403
        assert (await http.post(url, json=entry(10), headers=clinic.as_patient())).status_code == 403
        assert (await http.post(url, json=entry(10), headers=other.as_therapist())).status_code == 404
        assert (await http.post(f"/v1/patients/{uuid.uuid4()}/time-entries", json=entry(10),
                                headers=clinic.as_therapist())).status_code == 404
        off = await http.post(f"/v1/patients/{no_billing.patient_id}/time-entries", json=entry(10),
                              headers=no_billing.as_therapist())
        assert off.status_code == 400 and "rtmBilling" in off.json()["detail"] and off.json()["error"] == "rtm_billing_disabled"
        assert (await http.get(url, headers=clinic.as_therapist())).json()["entries"] == before
