"""Through the gateway: the clinic-wide billing worklist with its filters and paging, the CSV export parsed
back, and bulk mark-billed, all or nothing."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

from sqlalchemy import text

from tests.support.analytics import complete_on_days, exercises, give_plan, utc_today
from tests.support.clinic import client, new_clinic
from tests.support.waiting import eventually

TODAY = utc_today()


async def _worklist(http, clinic, query: str = "") -> dict:  # type: ignore[no-untyped-def,type-arg]
    reply = await http.get(f"/v1/billing/records{query}", headers=clinic.as_admin())
    assert reply.status_code == 200, reply.text
    return reply.json()


async def _billed_clinic(stack):  # type: ignore[no-untyped-def]
    """Patient 0: a closed window of 16 days (ready, 98977); patient 1: a closed window of 3 days (ready, 98985);
    patient 2: an open window (projected) and 25 management minutes this month."""
    people = stack.runtimes["plans"].components.people
    clinic = await new_clinic(people, stack.settings, patients=3, flags={"rtmBilling": True})
    catalogue = await exercises(stack, clinic, ("Squat",))
    old_start = TODAY - timedelta(days=45)
    for index, days in ((0, 16), (1, 3)):
        # Eight weeks: the plan still runs today, so today's (empty) window is part of its service period.
        care = await give_plan(stack, clinic, index, old_start, 8, 7, catalogue)
        await complete_on_days(stack, clinic, index, care, [old_start + timedelta(days=n) for n in range(days)])
    care = await give_plan(stack, clinic, 2, TODAY - timedelta(days=5), 4, 3, catalogue)
    await complete_on_days(stack, clinic, 2, care, [TODAY - timedelta(days=4), TODAY - timedelta(days=2)])
    return clinic


async def test_worklist_filters_pages_and_exports_the_clinic_records(stack):
    clinic = await _billed_clinic(stack)
    stranger = await _billed_clinic(stack)
    async with client(stack.base_url) as http:
        entry = {"minutes": 25, "activityType": "data_review", "interactive": True, "occurredOn": TODAY.isoformat()}
        posted = await http.post(f"/v1/patients/{clinic.patient_ids[2]}/time-entries", json=entry, headers=clinic.as_therapist())
        assert posted.status_code == 201, posted.text
        everything = await eventually(
            lambda: _worklist(http, clinic, "?limit=100"),
            # Patients 0 and 1 also have today's window, still empty.
            lambda page: sorted((r["track"], r["status"], r["quantity"]) for r in page["records"]) == [
                ("data_days", "projected", 0), ("data_days", "projected", 0), ("data_days", "projected", 2),
                ("data_days", "ready", 3), ("data_days", "ready", 16), ("management_time", "projected", 25)],
        )
        records = everything["records"]
        mine = {str(p) for p in clinic.patient_ids}
        assert {r["patientId"] for r in records} <= mine  # never another clinic's
        assert [(r["periodStart"], r["recordId"]) for r in records] == sorted(
            ((r["periodStart"], r["recordId"]) for r in records), reverse=True)
        names = {r["patientId"]: r["patientName"] for r in records}
        assert names[str(clinic.patient_ids[0])] == "Patient 0"

        ready = await _worklist(http, clinic, "?status=ready")
        assert sorted(r["quantity"] for r in ready["records"]) == [3, 16]
        assert [r["quantity"] for r in (await _worklist(http, clinic, "?code=98977"))["records"]] == [16]
        assert [r["quantity"] for r in (await _worklist(http, clinic, "?code=98980"))["records"]] == [25]
        recent = await _worklist(http, clinic, f"?periodFrom={(TODAY - timedelta(days=1)).isoformat()}")
        assert sorted(r["status"] for r in recent["records"]) == ["projected"] * 4
        early = await _worklist(http, clinic, f"?periodTo={(TODAY - timedelta(days=30)).isoformat()}")
        assert sorted(r["quantity"] for r in early["records"]) == [3, 16]
        assert len((await _worklist(http, clinic, f"?therapistId={clinic.therapist_id}"))["records"]) == 6
        assert (await _worklist(http, clinic, f"?therapistId={uuid.uuid4()}"))["records"] == []

        seen, cursor = [], None
        while True:
            page = await _worklist(http, clinic, "?limit=1" + (f"&cursor={cursor}" if cursor else ""))
            seen += page["records"]
            cursor = page["nextCursor"]
            if cursor is None:
                break
        assert seen == records

        exported = await http.get("/v1/billing/records.csv", headers=clinic.as_therapist())
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [r["record_id"] for r in rows] == [r["recordId"] for r in records]
        for row, record in zip(rows, records):
            assert row["patient_id"] == record["patientId"] and row["patient_name"] == record["patientName"]
            assert (row["codes"].split(";") if row["codes"] else []) == [c["code"] for c in record["codes"]]
            assert (row["units"].split(";") if row["units"] else []) == [str(c["units"]) for c in record["codes"]]
            assert (row["service_period_start"], row["service_period_end"]) == (record["periodStart"], record["periodEnd"])
            data_days, minutes = (record["quantity"], 0) if record["track"] == "data_days" else (0, record["quantity"])
            assert (int(row["data_days"]), int(row["minutes"]), row["status"]) == (data_days, minutes, record["status"])
        filtered = await http.get("/v1/billing/records.csv?status=ready", headers=clinic.as_admin())
        assert len(list(csv.DictReader(io.StringIO(filtered.text)))) == 2

        for query, named in (("?stauts=ready", "stauts"), ("?status=ready&page=2", "page")):
            for path in ("/v1/billing/records", "/v1/billing/records.csv"):
                refused = await http.get(path + query, headers=clinic.as_admin())
                body = refused.json()
                assert refused.status_code == 400 and body["error"] == "unknown_query_parameter", refused.text
                assert named in body["detail"] and [e["field"] for e in body["errors"]] == [named], refused.text
        for query in ("?status=open", "?code=12345", "?limit=101", "?periodFrom=yesterday"):
            assert (await http.get(f"/v1/billing/records{query}", headers=clinic.as_admin())).status_code == 422, query
        assert (await http.get("/v1/billing/records?cursor=zz", headers=clinic.as_admin())).status_code == 422
        assert (await http.get("/v1/billing/records", headers=clinic.as_patient())).status_code == 403
        off = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
        disabled = await http.get("/v1/billing/records", headers=off.as_admin())
        assert disabled.status_code == 400 and disabled.json()["error"] == "rtm_billing_disabled", disabled.text
        assert (await _worklist(http, stranger))["records"] and all(
            r["patientId"] not in mine for r in (await _worklist(http, stranger))["records"])


async def test_bulk_mark_billed_is_all_or_nothing(stack):
    clinic = await _billed_clinic(stack)
    async with client(stack.base_url) as http:
        listed = await eventually(
            lambda: _worklist(http, clinic, "?limit=100"),
            lambda page: sorted(r["status"] for r in page["records"]) == ["projected"] * 3 + ["ready"] * 2,
        )
        by_status: dict[str, list[str]] = {}
        for r in listed["records"]:
            by_status.setdefault(r["status"], []).append(r["recordId"])
        ready, projected = by_status["ready"], by_status["projected"]
        url = "/v1/billing/records/mark-billed"

        refused = await http.post(url, json={"recordIds": [*ready, projected[0]]}, headers=clinic.as_admin())
        assert refused.status_code == 400 and projected[0] in refused.json()["detail"], refused.text
        assert refused.json()["error"] == "billing_record_not_ready"
        unknown = str(uuid.uuid4())
        missing = await http.post(url, json={"recordIds": [ready[0], unknown]}, headers=clinic.as_admin())
        assert missing.status_code == 404 and unknown in missing.json()["detail"], missing.text
        assert sorted(r["status"] for r in (await _worklist(http, clinic))["records"]) == ["projected"] * 3 + ["ready"] * 2
        for body in ({"recordIds": []}, {"recordIds": ["nope"]}, {}):
            assert (await http.post(url, json=body, headers=clinic.as_admin())).status_code == 422, body
        assert (await http.post(url, json={"recordIds": ready}, headers=clinic.as_therapist())).status_code == 403

        done = await http.post(url, json={"recordIds": ready}, headers=clinic.as_admin())
        assert done.status_code == 200, done.text
        assert [(r["recordId"], r["status"], r["billedBy"]) for r in done.json()["records"]] == [
            (i, "billed", str(clinic.admin_id)) for i in ready]
        assert sorted(r["recordId"] for r in (await _worklist(http, clinic, "?status=billed"))["records"]) == sorted(ready)
        again = await http.post(url, json={"recordIds": ready[:1]}, headers=clinic.as_admin())
        assert again.status_code == 400 and "billed" in again.json()["detail"]
        async with stack.runtimes["plans"].database.unit_of_work(clinic.tenant_id) as uow:
            audited = (await uow.execute(
                text("SELECT count(*) FROM plans.audit_log WHERE action = 'billing_record.mark_billed' AND entity_id = ANY(:ids)"),
                {"ids": ready},
            )).scalar_one()
        assert audited == len(ready)
