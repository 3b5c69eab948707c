"""Through the gateway: the clinic roster (figures, alerts, filters, search, sorts, paging, clinic boundary),
the patient summary against the routes it condenses, and a patient's plans."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from tests.support.analytics import admin, complete, exercises, give_plan, noon, therapist, utc_today
from tests.support.clinic import Clinic, client
from tests.support.waiting import eventually

TODAY = utc_today()


async def _clinic(stack, names: list[str], flags: dict[str, bool] | None = None) -> Clinic:  # type: ignore[no-untyped-def]
    people = stack.runtimes["plans"].components.people
    tenant_id = uuid.uuid4()
    await people.create_tenant(tenant_id, f"Clinic {tenant_id.hex[:6]}", "UTC", flags or {})
    clinic = Clinic(stack.settings, tenant_id, uuid.uuid4(), uuid.uuid4())
    await people.create_user(tenant_id, clinic.admin_id, "admin", "Admin")
    await people.create_user(tenant_id, clinic.therapist_id, "therapist", "Dr Theresa")
    for name in names:
        patient_id = uuid.uuid4()
        await people.create_user(tenant_id, patient_id, "patient", name)
        clinic.patient_ids.append(patient_id)
    return clinic


async def _sessions(stack, clinic: Clinic, index: int, start: date, days_ago_and_pain: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    care = await give_plan(stack, clinic, index, start, 4, 3, await exercises(stack, clinic, ("Squat",)))
    for workout, (days_ago, pain_after) in zip(care.workouts, days_ago_and_pain):
        await complete(stack, clinic, index, workout, noon(TODAY - timedelta(days=days_ago)), pain=(5, pain_after))
    return care


async def _roster(http, clinic: Clinic, query: str = "", headers=None) -> dict:  # type: ignore[no-untyped-def]
    reply = await http.get(f"/v1/patients{query}", headers=headers or clinic.as_therapist())
    assert reply.status_code == 200, reply.text
    return reply.json()


def _names(page: dict) -> list[str]:  # type: ignore[type-arg]
    return [p["displayName"] for p in page["patients"]]


async def test_roster_rows_filters_search_sorts_and_the_clinic_boundary(stack):
    clinic = await _clinic(stack, ["Ana Pain", "Bob Idle", "Cara Fine", "Dan None"], flags={"rtmBilling": True})
    # Ana: three sessions this week, pain after each rising 3 -> 5 -> 7.
    ana = await _sessions(stack, clinic, 0, TODAY - timedelta(days=20), [(6, 3), (4, 5), (2, 7)])
    # Bob: four sessions, the last ten days ago.
    await _sessions(stack, clinic, 1, TODAY - timedelta(days=20), [(15, 4), (13, 4), (11, 4), (10, 4)])
    # Cara: on schedule, pain falling.
    await _sessions(stack, clinic, 2, TODAY - timedelta(days=10), [(9, 4), (7, 3), (5, 3), (3, 2), (1, 2)])
    other = await _clinic(stack, ["Ana Elsewhere"])
    people = stack.runtimes["plans"].components.people
    second_therapist = uuid.uuid4()
    await people.create_user(clinic.tenant_id, second_therapist, "therapist", "Dr Second")
    for index in (0, 2):
        await people.assign_patient(therapist(clinic), clinic.patient_ids[index], None)
    await people.assign_patient(admin(clinic), clinic.patient_ids[1], second_therapist)

    async with client(stack.base_url) as http:
        everyone = await _roster(http, clinic)
        assert _names(everyone) == ["Ana Pain", "Bob Idle", "Cara Fine", "Dan None"] and everyone["nextCursor"] is None
        rows = {p["displayName"]: p for p in everyone["patients"]}
        ana_row, bob, cara, dan = rows["Ana Pain"], rows["Bob Idle"], rows["Cara Fine"], rows["Dan None"]
        # Hand arithmetic, 3 sessions a week: the last 7 whole days expect 3; Ana's 20 plan days expect 8.
        assert (ana_row["adherence7d"], ana_row["adherence30d"]) == (100.0, 37.5)
        assert (bob["adherence7d"], bob["adherence30d"]) == (0.0, 50.0)
        # Cara's plan is 10 days old: the 30-day window is her plan's 10 days, expecting 4; she did 5 (capped).
        assert (cara["adherence7d"], cara["adherence30d"]) == (100.0, 100.0)
        assert dan["adherence7d"] is None and dan["currentPlan"] is None and dan["alerts"] == []
        assert ana_row["currentPlan"]["planId"] == str(ana.plan_id)
        assert (ana_row["currentPlan"]["sessionsCompleted"], ana_row["currentPlan"]["sessionsPlanned"]) == (3, 12)
        assert ana_row["therapist"] == {"therapistId": str(clinic.therapist_id), "displayName": "Dr Theresa"}
        assert bob["therapist"]["displayName"] == "Dr Second" and dan["therapist"] is None
        assert ana_row["lastActivityAt"].startswith((TODAY - timedelta(days=2)).isoformat())
        assert [a["kind"] for a in ana_row["alerts"]] == ["pain_rising"] and "3 → 5 → 7" in ana_row["alerts"][0]["detail"]
        assert [a["kind"] for a in bob["alerts"]] == ["no_activity", "adherence_falling"]
        assert "10 days" in bob["alerts"][0]["detail"] and cara["alerts"] == []
        # The completions reached billing through the broker: Ana's open window counts her three days.
        ana_rtm = await eventually(
            lambda: _roster(http, clinic, "?search=ana%20pain"), lambda page: page["patients"][0]["rtm"]["dataDays"] == 3,
        )
        assert ana_rtm["patients"][0]["rtm"]["status"] == "projected"
        assert dan["rtm"] == {"status": "none", "periodStart": None, "periodEnd": None, "dataDays": 0, "minutes": 0}

        # Filters, each alone.
        # Prescribing a plan assigns its therapist: Bob is followed by both, Dan by nobody.
        assert _names(await _roster(http, clinic, "?assignedToMe=true")) == ["Ana Pain", "Bob Idle", "Cara Fine"]
        second = clinic.headers(second_therapist, "therapist")
        assert _names(await _roster(http, clinic, "?assignedToMe=true", headers=second)) == ["Bob Idle"]
        assert _names(await _roster(http, clinic, "?hasAlerts=true")) == ["Ana Pain", "Bob Idle"]
        assert _names(await _roster(http, clinic, "?hasAlerts=false")) == ["Cara Fine", "Dan None"]
        assert _names(await _roster(http, clinic, "?planStatus=active")) == ["Ana Pain", "Bob Idle", "Cara Fine"]
        assert _names(await _roster(http, clinic, "?planStatus=none")) == ["Dan None"]
        assert _names(await _roster(http, clinic, "?rtmStatus=none")) == ["Dan None"]
        # Search is any part of the name, in any case; a typed % is a character, not a wildcard.
        assert _names(await _roster(http, clinic, "?search=AN")) == ["Ana Pain", "Dan None"]
        assert _names(await _roster(http, clinic, "?search=%25")) == []
        # Sorts.
        assert _names(await _roster(http, clinic, "?sort=-name")) == ["Dan None", "Cara Fine", "Bob Idle", "Ana Pain"]
        assert _names(await _roster(http, clinic, "?sort=-lastActivity")) == ["Cara Fine", "Ana Pain", "Bob Idle", "Dan None"]
        assert _names(await _roster(http, clinic, "?sort=adherence")) == ["Dan None", "Ana Pain", "Bob Idle", "Cara Fine"]
        # Admins see the clinic too; another clinic's patients never appear, whatever the search.
        assert len((await _roster(http, clinic, headers=clinic.as_admin()))["patients"]) == 4
        assert _names(await _roster(http, clinic, "?search=elsewhere")) == []
        assert _names(await _roster(http, other, headers=other.as_admin())) == ["Ana Elsewhere"]

        # The streak is the streaks service's, one batched call per page: equal to what /v2/streaks says.
        async def both() -> tuple[int | None, int]:
            row = (await _roster(http, clinic, "?search=cara"))["patients"][0]["currentDailyStreak"]
            own = (await http.get(f"/v2/streaks?patientId={clinic.patient_ids[2]}", headers=clinic.as_therapist())).json()
            return row, own["currentDailyStreak"]

        row_streak, own_streak = await eventually(both, lambda pair: pair[0] == pair[1] and pair[1] > 0)
        assert row_streak == own_streak


async def test_roster_pages_walk_every_patient_once_in_every_sort(stack):
    names = [f"Patient {n:02d}" for n in range(23)] + ["patient 05"]  # a case-only twin sorts beside its sibling
    clinic = await _clinic(stack, names)
    for index, days_ago in ((3, 2), (7, 5), (11, 2)):  # two share a last-activity day: ties break by id
        await _sessions(stack, clinic, index, TODAY - timedelta(days=14), [(days_ago, 3)])
    async with client(stack.base_url) as http:
        for sort in ("name", "-name", "lastActivity", "-lastActivity", "adherence", "-adherence"):
            whole = await _roster(http, clinic, f"?sort={sort}&limit=100")
            seen, cursor, pages = [], None, 0
            while True:
                query = f"?sort={sort}&limit=5" + (f"&cursor={cursor}" if cursor else "")
                page = await _roster(http, clinic, query)
                seen += [p["patientId"] for p in page["patients"]]
                pages += 1
                cursor = page["nextCursor"]
                if cursor is None:
                    break
            assert pages == 5, sort
            assert seen == [p["patientId"] for p in whole["patients"]], sort
            assert len(set(seen)) == 24, sort


async def test_roster_refuses_what_it_does_not_understand(stack):
    clinic = await _clinic(stack, ["Ana"])
    async with client(stack.base_url) as http:
        for query, named in (
            ("?assigned_to_me=true", ["assigned_to_me"]), ("?serach=ana&limt=5", ["limt", "serach"]),
        ):
            reply = await http.get(f"/v1/patients{query}", headers=clinic.as_therapist())
            body = reply.json()
            # Unknown parameters are 400 naming each; a known one with a bad value stays 422 (below).
            assert reply.status_code == 400 and body["error"] == "unknown_query_parameter", reply.text
            assert [e["field"] for e in body["errors"]] == named and ", ".join(named) in body["detail"], reply.text
        bad = await http.get("/v1/patients?cursor=not-a-cursor", headers=clinic.as_therapist())
        assert bad.status_code == 422 and "cursor" in bad.json()["detail"]
        for query, field in (("?limit=101", "limit"), ("?sort=age", "sort"), ("?planStatus=paused", "planStatus")):
            reply = await http.get(f"/v1/patients{query}", headers=clinic.as_therapist())
            assert reply.status_code == 422 and field in reply.json()["detail"], reply.text
        assert (await http.get("/v1/patients", headers=clinic.as_patient())).status_code == 403
        assert (await http.get("/v1/patients")).status_code == 401
        # A cursor is bound to the sort it was made for.
        await _clinic(stack, [])
        two = await _clinic(stack, ["A", "B"])
        first = await _roster(http, two, "?limit=1")
        mixed = await http.get(f"/v1/patients?limit=1&sort=-name&cursor={first['nextCursor']}", headers=two.as_therapist())
        assert mixed.status_code == 422 and "sort" in mixed.json()["detail"]


async def test_patient_summary_equals_the_routes_it_condenses(stack):
    clinic = await _clinic(stack, ["Ana Pain", "Bea"], flags={"rtmBilling": True})
    care = await _sessions(stack, clinic, 0, TODAY - timedelta(days=20), [(6, 3), (4, 5), (2, 7)])
    await stack.runtimes["plans"].components.people.assign_patient(therapist(clinic), clinic.patient_ids[0], None)
    patient = clinic.patient_ids[0]
    async with client(stack.base_url) as http:
        entry = {"minutes": 12, "activityType": "data_review", "interactive": False, "occurredOn": TODAY.isoformat()}
        assert (await http.post(f"/v1/patients/{patient}/time-entries", json=entry, headers=clinic.as_therapist())).status_code == 201

        async def settled():  # type: ignore[no-untyped-def]
            summary = (await http.get(f"/v1/patients/{patient}/summary", headers=clinic.as_therapist())).json()
            streak = (await http.get(f"/v2/streaks?patientId={patient}", headers=clinic.as_therapist())).json()
            return summary, streak

        summary, streak = await eventually(
            settled, lambda pair: pair[0]["rtm"]["dataDays"] == 3 and pair[0]["currentDailyStreak"] == pair[1]["currentDailyStreak"],
        )
        row = (await _roster(http, clinic, "?search=ana"))["patients"][0]
        assert {k: v for k, v in summary.items() if k != "streakAvailable"} == row
        assert summary["streakAvailable"] is True and summary["rtm"]["minutes"] == 12

        progress = (await http.get(f"/v1/patient-treatment-plans/{care.plan_id}/progress", headers=clinic.as_therapist())).json()
        plan = summary["currentPlan"]
        assert (plan["sessionsCompleted"], plan["sessionsPlanned"]) == (progress["sessionsCompleted"], progress["sessionsPlanned"])
        assert plan["endDate"] == progress["endDate"] and summary["currentDailyStreak"] == progress["currentDailyStreak"]
        billing = (await http.get(f"/v1/patients/{patient}/billing", headers=clinic.as_therapist())).json()["records"]
        window = next(r for r in billing if r["track"] == "data_days")
        month = next(r for r in billing if r["track"] == "management_time")
        assert summary["rtm"] == {"status": window["status"], "periodStart": window["periodStart"],
                                  "periodEnd": window["periodEnd"], "dataDays": window["quantity"], "minutes": month["quantity"]}
        sessions = (await http.get(f"/v2/doctor/patients/{patient}/workout-sessions", headers=clinic.as_therapist())).json()
        done = [w for w in sessions["workouts"] if w["status"] == "completed"]
        assert summary["lastActivityAt"][:19] == max(w["completedAt"] for w in done)[:19]

        plans = (await http.get(f"/v1/patients/{patient}/plans", headers=clinic.as_therapist())).json()["plans"]
        assert plans == [plan]
        empty = (await http.get(f"/v1/patients/{clinic.patient_ids[1]}/plans", headers=clinic.as_therapist())).json()
        assert empty == {"plans": []}
        for path in ("summary", "plans"):
            assert (await http.get(f"/v1/patients/{uuid.uuid4()}/{path}", headers=clinic.as_therapist())).status_code == 404
            assert (await http.get(f"/v1/patients/{clinic.therapist_id}/{path}", headers=clinic.as_therapist())).status_code == 404
            assert (await http.get(f"/v1/patients/{patient}/{path}?x=1", headers=clinic.as_therapist())).status_code == 400
